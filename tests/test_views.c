/* tests/test_views.c - the self-contained HTML views: structure, escaping, data block, and the
   log-prob summary (log_softmax, rank, top-k). */
#include "hl_test.h"
#include <stdlib.h>

static size_t count_of(const char *hay, const char *needle) {
    size_t n = 0, l = strlen(needle);
    const char *p = hay;
    while ((p = strstr(p, needle)) != NULL) { n++; p += l; }
    return n;
}

/* The JSON data block: between <script type="application/json" id="hl-data"> and </script>. */
static char *data_block(const char *html) {
    const char *open = "<script type=\"application/json\" id=\"hl-data\">";
    const char *a = strstr(html, open), *e;
    char *d;
    if (!a) return NULL;
    a += strlen(open);
    e = strstr(a, "</script>");
    if (!e) return NULL;
    d = (char *)malloc((size_t)(e - a) + 1);
    memcpy(d, a, (size_t)(e - a));
    d[e - a] = 0;
    return d;
}

/* Checks shared by every view: one document, no network, balanced tables, our two scripts only,
   the hostile token displayed escaped and never raw, and the data block valid JSON. */
static void check_page(const char *html, size_t len, int n_tables) {
    char *d;
    hl_json_doc *doc = NULL;
    hl_error errbuf, *err = &errbuf;
    CHECK(strlen(html) == len);
    CHECK(strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0);
    CHECK(len > 7 && strcmp(html + len - 8, "</html>\n") == 0);
    CHECK(count_of(html, "<meta charset=\"utf-8\">") == 1);
    CHECK(count_of(html, "Content-Security-Policy") == 1);
    CHECK(count_of(html, "default-src 'none'") == 1);
    /* nothing is loaded from anywhere */
    CHECK(count_of(html, " src=") == 0);
    CHECK(count_of(html, "<link") == 0);
    CHECK(count_of(html, "@import") == 0);
    CHECK(count_of(html, "url(") == 0);
    CHECK(count_of(html, "http://") == 0);
    CHECKF((int)count_of(html, "<table") == n_tables, "%zu tables", count_of(html, "<table"));
    CHECK(count_of(html, "<table") == count_of(html, "</table>"));
    CHECK(count_of(html, "<tr") == count_of(html, "</tr>"));
    /* exactly the data block and the script: the hostile tokens never open a third one */
    CHECK(count_of(html, "<script") == 2);
    CHECK(count_of(html, "</script>") == 2);
    CHECK(count_of(html, "<script>alert") == 0);
    CHECK(count_of(html, "<b onmouseover") == 0);
    CHECK(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") != NULL);
    CHECK(strstr(html, "&lt;b onmouseover=&#39;y&#39;&gt;") != NULL);
    d = data_block(html);
    CHECK(d != NULL);
    if (!d) return;
    CHECK(strstr(d, "</") == NULL);
    CHECK(strchr(d, '<') == NULL && strchr(d, '>') == NULL && strchr(d, '&') == NULL);
    CHECK(strstr(d, "\"\\u003cscript\\u003ealert(\\\"x\\\")\\u003c/script\\u003e\"") != NULL);
    CHECK_OK(hl_json_parse(d, strlen(d), &doc, err), err);
    if (doc) {
        const hl_json *tok = hl_json_get(hl_json_root(doc), "tokens");
        CHECK(tok && tok->type == HL_JSON_ARRAY && tok->len >= 3);
        if (tok && tok->len >= 3) {
            CHECK(strcmp(hl_json_at(tok, 1)->str, "<script>alert(\"x\")</script>") == 0);
            CHECK(strcmp(hl_json_at(tok, 2)->str, " it's\n<b onmouseover='y'>") == 0);
        }
    }
    hl_json_free(doc);
    free(d);
}

static const char *const k_tokens[4] = {"<bos>", "<script>alert(\"x\")</script>",
                                        " it's\n<b onmouseover='y'>", " done & \xff"};

static void test_view_logprobs(void) {
    float lp[3] = {-0.5f, -7.0f, -2.25f};
    int64_t rank[3] = {0, 12, 1};
    float top_lp[6] = {-0.5f, -1.5f, -0.1f, -3.0f, -1.0f, -2.25f};
    const char *top_tok[6] = {"<script>alert(\"x\")</script>", "a", "b", "</script><script>", "c",
                              " done & \xff"};
    hl_logprobs_view v;
    char *html = NULL;
    size_t len = 0;
    hl_error errbuf, *err = &errbuf;
    memset(&v, 0, sizeof v);
    v.n_tokens = 4;
    v.tokens = k_tokens;
    v.logp_correct = lp;
    v.rank = rank;
    v.top_k = 2;
    v.top_logp = top_lp;
    v.top_tokens = top_tok;
    CHECK_OK(hl_view_logprobs_html(&v, &html, &len, err), err);
    if (!html) return;
    check_page(html, len, 1);
    /* tokens 1..3 are in the strip (the first token is not shown), shaded by max(5+lp,0)/5*0.85 */
    CHECK(count_of(html, "<span data-i=") == 3);
    CHECK(strstr(html, "<span data-i=\"0\" style=\"background:rgba(220,38,38,0.765)\"") != NULL);
    CHECK(strstr(html, "<span data-i=\"1\" style=\"background:rgba(220,38,38,0.000)\"") != NULL);
    CHECK(strstr(html, "<span data-i=\"2\" style=\"background:rgba(220,38,38,0.468)\"") != NULL);
    /* the basic table: one row per predicted token, prob = exp(lp)*100 with 2 decimals */
    CHECK(strstr(html, "<td class=\"num\">60.65%</td><td class=\"num\">0</td>") != NULL);
    CHECK(strstr(html, ">-7.000</td><td class=\"num\">0.09%</td><td class=\"num\">12</td>") != NULL);
    CHECK(strstr(html, "\"&lt;/script&gt;&lt;script&gt;\" (-3.000)") != NULL);
    CHECK(strstr(html, " done &amp; \xef\xbf\xbd") != NULL); /* invalid UTF-8 byte -> U+FFFD */
    CHECK(strstr(html, " it&#39;s\xe2\x86\xb5&lt;b") != NULL); /* newline shown as an arrow */
    CHECK(strstr(html, "\"rank\":[0,12,1],\"top_k\":2") != NULL);
    CHECK(strstr(html, "\"logp\":[-0.5,-7,-2.25]") != NULL);
    hl_free(html);
    /* a one-token prompt has nothing to predict but is still a page */
    v.n_tokens = 1;
    v.top_k = 0;
    html = NULL;
    CHECK_OK(hl_view_logprobs_html(&v, &html, &len, err), err);
    CHECK(html && count_of(html, "<span data-i=") == 0 && strstr(html, "\"top_logp\":[]"));
    hl_free(html);
    v.n_tokens = 0;
    CHECK(hl_view_logprobs_html(&v, &html, &len, err) == HL_ERR_ARG);
}

/* Decodes base64 (RFC 4648 with padding) into out[cap]; returns the byte count or -1. An
   independent reference for the view's encoder. */
static long unbase64(const char *s, uint8_t *out, long cap) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    long n = 0, bits = 0, acc = 0;
    for (; *s && *s != '='; s++) {
        const char *p = strchr(tab, *s);
        if (!p) return -1;
        acc = (acc << 6) | (long)(p - tab);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap) return -1;
            out[n++] = (uint8_t)(acc >> bits);
            acc &= (1L << bits) - 1;
        }
    }
    return n;
}

/* The attention page's pattern codes: parses the data block and decodes "pattern".
   [out] codes (malloc), *causal. Returns the number of 16-bit codes or -1. */
static long attention_codes(const char *html, uint16_t **codes, int *causal) {
    char *d = data_block(html);
    hl_json_doc *doc = NULL;
    hl_error errbuf;
    long n = -1, i;
    *codes = NULL;
    if (d && hl_json_parse(d, strlen(d), &doc, &errbuf) == HL_OK) {
        const hl_json *pat = hl_json_get(hl_json_root(doc), "pattern");
        const hl_json *c = hl_json_get(hl_json_root(doc), "causal");
        *causal = c && c->type == HL_JSON_BOOL && c->boolean;
        if (pat && pat->type == HL_JSON_STRING) {
            long cap = (long)strlen(pat->str);
            uint8_t *bytes = (uint8_t *)malloc((size_t)cap + 1);
            long nb = bytes ? unbase64(pat->str, bytes, cap) : -1;
            if (nb >= 0 && nb % 2 == 0) {
                *codes = (uint16_t *)malloc((size_t)(nb / 2 + 1) * sizeof **codes);
                for (i = 0; *codes && i < nb / 2; i++)
                    (*codes)[i] = (uint16_t)(bytes[2 * i] | bytes[2 * i + 1] << 8);
                n = *codes ? nb / 2 : -1;
            }
            free(bytes);
        }
    }
    hl_json_free(doc);
    free(d);
    return n;
}

static void test_view_attention(void) {
    /* 2 heads x 4 x 4, causal rows summing to 1 */
    float p[32] = {1, 0, 0, 0, 0.25f, 0.75f, 0, 0, 0.5f, 0.25f, 0.25f, 0, 0.1f, 0.2f, 0.3f, 0.4f,
                   1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0.7f, 0.1f, 0.1f, 0.1f};
    hl_attention_view v;
    char *html = NULL;
    size_t len = 0;
    uint16_t *codes = NULL;
    int causal = 0, h, q, k;
    long nc, at = 0;
    hl_error errbuf, *err = &errbuf;
    memset(&v, 0, sizeof v);
    v.layer = 3;
    v.n_tokens = 4;
    v.tokens = k_tokens;
    v.n_heads = 2;
    v.pattern = p;
    CHECK_OK(hl_view_attention_html(&v, &html, &len, err), err);
    if (!html) return;
    check_page(html, len, 2); /* the no-JavaScript tables of a small map, one per head */
    CHECK(strstr(html, "<title>Attention patterns, layer 3</title>") != NULL);
    CHECK(count_of(html, "<noscript>") == 1 && count_of(html, "</noscript>") == 1);
    CHECK(count_of(html, "<canvas id=\"map\">") == 1 && strstr(html, "<select id=\"head\">") != NULL);
    CHECK(strstr(html, "<td class=\"dk\" style=\"background:rgba(37,99,235,0.750)\"") != NULL);
    CHECK(strstr(html, ": 0.7500\">0.75</td>") != NULL);
    /* the data: the lower triangle (causal) of each head, code = round(p * 65534) */
    nc = attention_codes(html, &codes, &causal);
    CHECK(causal == 1);
    CHECKF(nc == 2 * 10, "%ld codes", nc);
    for (h = 0; h < 2 && nc == 20; h++)
        for (q = 0; q < 4; q++)
            for (k = 0; k <= q; k++, at++) {
                double want = (double)p[(h * 4 + q) * 4 + k];
                CHECKF(fabs(codes[at] / 65534.0 - want) <= 0.5 / 65534.0, "h%d q%d k%d: %u", h, q, k,
                       codes[at]);
            }
    free(codes);
    codes = NULL;
    hl_free(html);
    /* not causal (a key after its query has weight), NaN: the whole square, NaN as 65535 */
    p[1] = 0.5f;
    p[17] = (float)NAN;
    CHECK_OK(hl_view_attention_html(&v, &html, &len, err), err);
    nc = html ? attention_codes(html, &codes, &causal) : -1;
    CHECK(nc == 32 && causal == 0);
    if (nc == 32) CHECK(codes[1] == 32767 && codes[17] == 65535 && codes[0] == 65534 && codes[5] == 49151);
    free(codes);
    hl_free(html);
    v.n_heads = 0;
    CHECK(hl_view_attention_html(&v, &html, &len, err) == HL_ERR_ARG);
}

/* Item 8 of issue 14: a 512-token, 8-head causal view is at most 5 MB (it was 62 MB for 253 tokens
   as one DOM cell per entry), every head's triangle is shipped exactly once, and no table is
   written for a map this large. */
static void test_view_attention_size(void) {
    enum { N = 512, H = 8 };
    float *p = (float *)calloc((size_t)H * N * N, sizeof *p);
    const char **toks = (const char **)calloc(N, sizeof *toks);
    hl_attention_view v;
    char *html = NULL;
    size_t len = 0;
    uint16_t *codes = NULL;
    int causal = 0;
    long nc, h, q, k, bad = 0, at = 0;
    hl_error errbuf, *err = &errbuf;
    CHECK(p && toks);
    if (!p || !toks) { free(p); free(toks); return; }
    for (q = 0; q < N; q++) toks[q] = q % 3 ? " story" : "<script>x";
    for (h = 0; h < H; h++) /* softmax-like rows: weight (h + 1) / (k + 1), normalized */
        for (q = 0; q < N; q++) {
            double s = 0;
            for (k = 0; k <= q; k++) s += (double)(h + 1) / (double)(k + 1);
            for (k = 0; k <= q; k++) p[(h * N + q) * N + k] = (float)((double)(h + 1) / (double)(k + 1) / s);
        }
    memset(&v, 0, sizeof v);
    v.layer = 0;
    v.n_tokens = N;
    v.tokens = toks;
    v.n_heads = H;
    v.pattern = p;
    CHECK_OK(hl_view_attention_html(&v, &html, &len, err), err);
    CHECKF(len <= 5000000, "%zu bytes", len);
    if (html) {
        CHECK(count_of(html, "<table") == 0 && count_of(html, "<td") == 0);
        nc = attention_codes(html, &codes, &causal);
        CHECKF(nc == (long)H * N * (N + 1) / 2 && causal, "%ld codes", nc);
        for (h = 0; h < H && nc == (long)H * N * (N + 1) / 2; h++)
            for (q = 0; q < N; q++)
                for (k = 0; k <= q; k++, at++)
                    bad += fabs(codes[at] / 65534.0 - (double)p[(h * N + q) * N + k]) > 0.5 / 65534.0;
        CHECKF(bad == 0, "%ld codes off", bad);
        free(codes);
    }
    hl_free(html);
    free(p);
    free(toks);
}

static void test_view_features(void) {
    float dense[4 * 5] = {0, 9, 0, 0, 0,  /* token 0 (BOS): feature 1 huge, excluded by start=1 */
                          0, 0, 2, 0, 1,  0, 0, 3, 0, 1,  0, 0.5f, 0, 0, 4};
    int64_t ids[3];
    float g[4 * 3];
    int64_t found = -1;
    const char *desc[2] = {"<script>alert(1)</script> quotes \"'", NULL};
    const char *urls[2] = {"https://www.neuronpedia.org/gemma-2-2b/25-gemmascope-res-16k/4",
                           "javascript:alert(1)"};
    hl_features_view v;
    char *html = NULL;
    size_t len = 0;
    hl_error errbuf, *err = &errbuf;
    /* each token's top feature: 1, 2, 2, 4; ordered by their maxima 9, 4, 3 */
    CHECK_OK(hl_view_top_features(dense, 4, 5, 1, 3, ids, g, &found, err), err);
    CHECK(found == 3);
    CHECK(ids[0] == 1 && ids[1] == 4 && ids[2] == 2);
    CHECK(g[0] == 9 && g[1] == 0 && g[2] == 0 && g[3 * 3 + 0] == 0.5f && g[3 * 3 + 1] == 4);
    CHECK(hl_view_top_features(dense, 4, 5, 1, 2, ids, NULL, &found, err) == HL_ERR_LIMIT);
    ids[0] = 4; /* the view below shows features 4 and 2 */
    ids[1] = 2;
    memset(&v, 0, sizeof v);
    v.sae_name = "gemma-scope-2b-pt-res-canonical layer_25/width_16k/canonical";
    v.n_tokens = 4;
    v.tokens = k_tokens;
    v.n_features = 2;
    v.feature_ids = ids;
    {
        float acts[8];
        int t;
        for (t = 0; t < 4; t++) { acts[t * 2] = dense[t * 5 + 4]; acts[t * 2 + 1] = dense[t * 5 + 2]; }
        v.acts = acts;
        v.descriptions = desc;
        v.urls = urls;
        CHECK_OK(hl_view_features_html(&v, &html, &len, err), err);
        if (!html) return;
        check_page(html, len, 2);
        CHECK(strstr(html, "<a href=\"https://www.neuronpedia.org/gemma-2-2b/25-gemmascope-res-16k/4\""
                           " target=\"_blank\" rel=\"noopener noreferrer\">4</a>") != NULL);
        CHECK(strstr(html, "javascript:") == NULL); /* not an https link: not linked */
        CHECK(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; quotes &quot;&#39;") != NULL);
        CHECK(strstr(html, "<td class=\"num\">4.000</td><td class=\"num\">3</td>") != NULL);
        CHECK(strstr(html, "#4 (1.000), #2 (3.000)") == NULL);
        CHECK(strstr(html, "#2 (3.000), #4 (1.000)") != NULL);
        CHECK(strstr(html, "<span data-t=\"3\" style=\"background:rgba(234,88,12,0.850)\"") != NULL);
        CHECK(strstr(html, "\"features\":[4,2],\"max\":[4,3]") != NULL);
        hl_free(html);
    }
}

/* Item 8 of issue 14: `sae --html` ranks features as the terminal does. The view's per-token
   table equals hl_sae_top_features (what `hooklens sae` prints) on the full rows, ties included:
   feature 30 and 5 tie at token 0, and 30 is listed first (larger maximum), yet 5 comes first in
   token 0's row, as in the terminal (ties: lower index first). */
static void test_view_ranking_matches_terminal(void) {
    enum { N = 4, D = 40, K = 3 };
    float acts[N * D];
    int64_t ids[D], idx[K], found = 0, t, j;
    float g[N * D], val[K];
    const char *toks[N] = {"a", "b", "c", "d"};
    hl_features_view v;
    char *html = NULL, want[512];
    size_t len = 0;
    hl_error errbuf, *err = &errbuf;
    memset(acts, 0, sizeof acts);
    acts[0 * D + 30] = 2.0f; acts[0 * D + 5] = 2.0f; acts[0 * D + 12] = 1.0f; acts[0 * D + 7] = 0.5f;
    acts[1 * D + 30] = 5.0f; acts[1 * D + 12] = 1.0f; acts[1 * D + 3] = 1.0f;
    acts[2 * D + 39] = 0.25f; acts[2 * D + 5] = 0.25f; acts[2 * D + 0] = 0.25f; acts[2 * D + 1] = 0.25f;
    acts[3 * D + 12] = 3.0f; acts[3 * D + 7] = -1.0f;
    CHECK_OK(hl_view_top_features(acts, N, D, K, D, ids, g, &found, err), err);
    /* the list: by maximum (30: 5, 12: 3, 5: 2, 3: 1, 0 and 1: 0.25), ties lower index first; 39
       ties with 0, 1 and 5 at token 2 but is not in its top 3 */
    CHECKF(found == 6 && ids[0] == 30 && ids[1] == 12 && ids[2] == 5 && ids[3] == 3 && ids[4] == 0 &&
           ids[5] == 1, "found %lld: %lld %lld %lld", (long long)found,
           (long long)ids[0], (long long)ids[1], (long long)ids[2]);
    memset(&v, 0, sizeof v);
    v.n_tokens = N;
    v.tokens = toks;
    v.n_features = found;
    v.feature_ids = ids;
    v.acts = g;
    v.per_token_top = K;
    CHECK_OK(hl_view_features_html(&v, &html, &len, err), err);
    if (!html) return;
    for (t = 0; t < N; t++) { /* the terminal's line for token t, as the view writes it */
        int64_t m = hl_sae_top_features(acts + t * D, D, K, idx, val), o;
        o = snprintf(want, sizeof want, "<tr><td class=\"num\">%lld</td><td class=\"tk\">%s</td><td>",
                     (long long)t, toks[t]);
        for (j = 0; j < m; j++)
            o += snprintf(want + o, sizeof want - (size_t)o, "%s#%lld (%.3f)", j ? ", " : "",
                          (long long)idx[j], (double)val[j]);
        snprintf(want + o, sizeof want - (size_t)o, "</td></tr>");
        CHECKF(strstr(html, want) != NULL, "token %lld: %s", (long long)t, want);
    }
    CHECK(strstr(html, "<td>#5 (2.000), #30 (2.000), #12 (1.000)</td>") != NULL);
    hl_free(html);
}

/* `hooklens sae --html`: the page's per-token rows list the features the terminal printed, in
   the same order, and --explanations fills the description column of every listed feature that
   the (Neuronpedia-shaped) explanations file describes, and only those. */
static void test_sae_html_cli(void) {
    const char *model = hlt_fixture("models/gemma2-tiny");
    const char *sae = hlt_fixture("saes/gemma2-tiny/gemmascope-jumprelu/params.npz");
    char cmd[2048], line[1024], *html = NULL, want[256];
    FILE *f;
    size_t len = 0;
    int rows = 0, described = 0, listed = 0;
    long fi;
    if (!hlt_need(model) || !hlt_need(sae)) return;
    f = fopen("build/test_views_expl.jsonl", "wb"); /* every third feature, index as a string */
    CHECK(f != NULL);
    if (!f) return;
    for (fi = 0; fi < 256; fi += 3)
        fprintf(f, "{\"modelId\":\"gemma-2-2b\",\"layer\":\"2-test\",\"index\":\"%ld\","
                   "\"description\":\" feature %ld <b>\",\"explanationModelName\":\"m\"}\n", fi, fi);
    fclose(f);
    snprintf(cmd, sizeof cmd, "build/hooklens sae %s %s --hook blocks.2.hook_resid_post --tokens "
             "\"2 5 9 100 7 3 11\" --top-k 4 --html build/test_views_sae.html --explanations "
             "build/test_views_expl.jsonl 2>/dev/null", model, sae);
    f = popen(cmd, "r");
    CHECK(f != NULL);
    if (!f) return;
    {
        char lines[16][1024];
        int n = 0, i;
        while (fgets(line, sizeof line, f)) /* "  pos  [id]  L0  f:act f:act ..." */
            if (n < 16 && line[0] == ' ' && strchr(line, ']') && strchr(line, ':')) memcpy(lines[n++], line, sizeof line);
        CHECK(pclose(f) == 0);
        html = hlt_read_file("build/test_views_sae.html", &len);
        CHECK(html != NULL && n == 7);
        for (i = 0; i < n && html; i++) {
            char *p = strchr(lines[i], ']') + 1, *tok;
            const char *row, *cell, *end;
            long pos = strtol(lines[i], NULL, 10);
            int j = 0;
            strtol(p, &p, 10); /* skip L0 */
            snprintf(want, sizeof want, "<tr><td class=\"num\">%ld</td><td class=\"tk\">", pos);
            row = strstr(html, want);
            CHECKF(row != NULL, "no row for token %ld", pos);
            if (!row) continue;
            cell = strstr(row, "</td><td>#");
            end = strstr(row, "</tr>");
            /* each "f:act" of the terminal, in order, as "#f (" in the row */
            for (tok = strtok(p, " \n"); tok && cell; tok = strtok(NULL, " \n"), j++) {
                char expect[64];
                snprintf(expect, sizeof expect, "#%ld (", strtol(tok, NULL, 10));
                cell = strstr(cell, expect);
                CHECKF(cell != NULL && cell < end, "token %ld: feature %s not in its HTML row in the "
                       "terminal's order", pos, tok);
            }
            CHECK(j == 4);
            rows++;
        }
    }
    CHECK(rows == 7);
    /* descriptions: every listed feature with index % 3 == 0 has one, the others none */
    if (html) {
        const char *r = html;
        while ((r = strstr(r, "<tr data-f=\"")) != NULL) {
            const char *num = strstr(r, "<td class=\"num\">"), *desc = strstr(r, "<td class=\"desc\">");
            long id = num ? strtol(num + strlen("<td class=\"num\">"), NULL, 10) : -1;
            listed++;
            if (!desc) break;
            snprintf(want, sizeof want, "<td class=\"desc\"> feature %ld &lt;b&gt;</td>", id);
            if (id % 3 == 0) {
                CHECKF(strncmp(desc, want, strlen(want)) == 0, "feature %ld has no description", id);
                described++;
            } else {
                CHECKF(strncmp(desc, "<td class=\"desc\"></td>", 22) == 0, "feature %ld described", id);
            }
            r = desc;
        }
        CHECK(listed >= 4 && described >= 1);
    }
    free(html);
}

/* `sae --max-acts` prints each position's context as text with the token in [[ ]] (it printed the
   chunk's byte offset, "byte 0" for any short file, and quoted pieces). */
static void test_maxact_text(void) {
    hl_model_desc md;
    hl_model *m = NULL;
    hl_sae *s = NULL;
    hl_sae_desc sd;
    hl_sae_maxact a, best[3];
    hl_error errbuf, *err = &errbuf;
    int32_t *ids = NULL;
    int64_t n = 0, nb = 0, i;
    char *text = NULL, cmd[1024], line[1024];
    const char *sae = hlt_fixture("saes/gemma2-tiny/gemmascope-jumprelu/params.npz");
    const char *story = "Once upon a time,\nthere was a little girl named Lily. She liked to play.\n";
    FILE *f;
    int lines = 0;
    if (!hlt_need("examples/stories260K/tokenizer.json") || !hlt_need(sae)) return;
    memset(&md, 0, sizeof md);
    md.path = "examples/stories260K";
    CHECK_OK(hl_model_load(&md, &m, err), err);
    if (!m) return;
    CHECK_OK(hl_model_to_tokens(m, "Once upon a time,\nthere", -1, &ids, &n, err), err);
    memset(&a, 0, sizeof a);
    for (i = 0; i < n && i < 16; i++) a.context[a.n_context++] = ids[i];
    a.context_index = 2; /* " upon" */
    a.token = ids[2];
    CHECK_OK(hl_sae_maxact_text(m, &a, &text, err), err);
    CHECKF(text && strcmp(text, "<s> Once[[ upon]] a time,\xe2\x86\xb5there") == 0, "\"%s\"", text ? text : "");
    hl_free(text);
    a.context_index = 0;
    CHECK_OK(hl_sae_maxact_text(m, &a, &text, err), err);
    CHECKF(text && strncmp(text, "[[<s>]]", 7) == 0, "\"%s\"", text ? text : "");
    hl_free(text);
    a.context_index = 16;
    CHECK(hl_sae_maxact_text(m, &a, &text, err) == HL_ERR_ARG);
    hl_free(ids);
    /* the CLI prints exactly these texts for the file's strongest positions */
    f = fopen("build/test_views_story.txt", "wb");
    if (f) { fputs(story, f); fclose(f); }
    memset(&sd, 0, sizeof sd);
    sd.path = sae;
    sd.hook_name = "blocks.2.hook_resid_post";
    CHECK_OK(hl_sae_load(&sd, &s, err), err);
    if (s) CHECK_OK(hl_sae_attach(s, m, NULL, 0, err), err);
    if (s) CHECK_OK(hl_sae_max_activations(s, m, "build/test_views_story.txt", 93, NULL, best, 3, &nb, NULL, err), err);
    CHECK(nb == 3);
    snprintf(cmd, sizeof cmd, "build/hooklens sae examples/stories260K %s --hook blocks.2.hook_resid_post "
             "--max-acts 93 --text-file build/test_views_story.txt --top-k 3 2>&1", sae);
    f = popen(cmd, "r");
    while (f && fgets(line, sizeof line, f)) {
        char *t = strstr(line, "act ");
        if (!t || lines >= nb) continue;
        CHECK(strstr(line, "byte") == NULL);
        CHECK_OK(hl_sae_maxact_text(m, &best[lines], &text, err), err);
        CHECKF(text && strstr(line, text) != NULL && strstr(text, "[[") != NULL, "line \"%s\"", line);
        hl_free(text);
        lines++;
    }
    CHECK(f && pclose(f) == 0 && lines == nb);
    hl_sae_free(s);
    hl_model_free(m);
}

static void test_logprobs_summarize(void) {
    /* 4 tokens (3 predictions), vocabulary 4; ids 0 2 1 3; the last row is never used */
    float logits[16] = {1, 2, 3, 0, 0, 5, 5, 1, 0, 0, 0, 0, 9, 9, 9, 9};
    int32_t ids[4] = {0, 2, 1, 3};
    float lpc[3], tlp[6];
    int64_t rank[3];
    int32_t tid[6];
    hl_error errbuf, *err = &errbuf;
    double lse0 = 3 + log(exp(-2.0) + exp(-1.0) + 1 + exp(-3.0));
    CHECK_OK(hl_logprobs_summarize(logits, 4, 4, ids, 2, lpc, rank, tid, tlp, err), err);
    CHECK(fabs((double)lpc[0] - (3 - lse0)) < 1e-6);
    CHECK(rank[0] == 0 && rank[1] == 0 && rank[2] == 0);
    CHECK(tid[0] == 2 && tid[1] == 1);
    CHECK(tid[2] == 1 && tid[3] == 2); /* tie 5 vs 5: lower id first */
    CHECK(tlp[2] == tlp[3]);
    CHECK(fabs((double)lpc[2] - log(0.25)) < 1e-6); /* uniform row */
    CHECK(tid[4] == 0 && tid[5] == 1);
    ids[1] = 7;
    CHECK(hl_logprobs_summarize(logits, 4, 4, ids, 2, lpc, rank, tid, tlp, err) == HL_ERR_ARG);
}

/* The views on a real forward pass of the bundled model (examples/stories260K): the log-prob
   summary agrees with a direct log_softmax, and the attention page holds every head's pattern. */
static void test_views_bundled_model(void) {
    const char *dir = "examples/stories260K";
    static const int32_t ids[8] = {1, 403, 407, 261, 378, 49, 30, 261};
    const char *toks[8] = {"<s>", "a", "b", "c", "d", "e", "f", "g"};
    hl_model_desc d;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    hl_names_filter f;
    const char *names[1] = {"blocks.3.attn.hook_pattern"};
    hl_error errbuf, *err = &errbuf;
    float *logits = NULL, lpc[7], tlp[7 * 5];
    int64_t rank[7], V, i, j;
    int32_t tid[7 * 5];
    char *html = NULL;
    size_t len = 0;
    if (!hlt_need(dir)) return;
    memset(&d, 0, sizeof d);
    d.path = dir;
    d.n_threads = 1;
    CHECK_OK(hl_model_load(&d, &m, err), err);
    if (!m) return;
    V = hl_model_config(m)->d_vocab;
    logits = (float *)malloc((size_t)(8 * V) * sizeof *logits);
    CHECK_OK(hl_model_run(m, ids, 8, logits, err), err);
    CHECK_OK(hl_logprobs_summarize(logits, 8, V, ids, 5, lpc, rank, tid, tlp, err), err);
    for (i = 0; i < 7; i++) {
        /* reference: log_softmax in double over the row, rank by counting */
        double mx = -1e300, s = 0, lp;
        int64_t r = 0;
        for (j = 0; j < V; j++) if (logits[i * V + j] > mx) mx = logits[i * V + j];
        for (j = 0; j < V; j++) s += exp((double)logits[i * V + j] - mx);
        lp = (double)logits[i * V + ids[i + 1]] - mx - log(s);
        for (j = 0; j < V; j++) r += logits[i * V + j] > logits[i * V + ids[i + 1]];
        CHECKF(fabs((double)lpc[i] - lp) < 1e-5, "pos %d: %g vs %g", (int)i, (double)lpc[i], lp);
        CHECK(rank[i] == r);
        CHECK(tlp[i * 5] >= tlp[i * 5 + 1] && tlp[i * 5 + 3] >= tlp[i * 5 + 4]);
        if (r < 5) CHECK(tid[i * 5 + r] == ids[i + 1] && tlp[i * 5 + r] == lpc[i]);
    }
    memset(&f, 0, sizeof f);
    f.names = names;
    f.n_names = 1;
    CHECK_OK(hl_cache_create(&cache, err), err);
    CHECK_OK(hl_model_run_with_cache(m, ids, 8, &f, cache, NULL, err), err);
    {
        const hl_tensor *p = hl_cache_get(cache, names[0]);
        CHECK(p && p->ndim == 4 && p->shape[2] == 8 && p->shape[3] == 8);
        if (p && p->ndim == 4) {
            hl_attention_view v;
            memset(&v, 0, sizeof v);
            v.layer = 3;
            v.n_tokens = 8;
            v.tokens = toks;
            v.n_heads = (int)p->shape[1];
            v.pattern = (const float *)p->data;
            CHECK_OK(hl_view_attention_html(&v, &html, &len, err), err);
            CHECK(html && count_of(html, "<td style=") + count_of(html, "<td class=") == (size_t)(v.n_heads * 64));
            CHECK(html && count_of(html, "<h2>Head ") == (size_t)v.n_heads);
            hl_free(html);
        }
    }
    hl_cache_free(cache);
    free(logits);
    hl_model_free(m);
}

void suite_views(void);
void suite_views(void) {
    RUN(test_view_logprobs);
    RUN(test_view_attention);
    RUN(test_view_attention_size);
    RUN(test_view_features);
    RUN(test_view_ranking_matches_terminal);
    RUN(test_sae_html_cli);
    RUN(test_maxact_text);
    RUN(test_logprobs_summarize);
    RUN(test_views_bundled_model);
}
