/* tools/views_check.c - the attention view at scale, in a real browser (make views-check).

   Builds the attention view of a 512-token prompt on the bundled stories260K model (8 heads, n_ctx
   512: the largest page that model can give), checks that the page is at most 5 MB, renders it in
   headless Chromium and reads back what the page's script recorded on <body> once it had drawn
   everything (see hl_view_attention_html):
     data-page-ms      performance.now() at the end of drawing: milliseconds since navigation
                       start, i.e. loading and parsing the page, decoding the patterns and
                       drawing every head (not Chromium's own start-up)
     data-draw-ms      the script alone (decode and draw)
     data-drawn-cells  entries with p > 0 over all heads
   and fails when the page is too large, data-page-ms is over 3000, the markers are missing (the
   script failed before the end), the drawn cells differ from the pattern's own count, the hovered
   cell's value (#head=H&cell=Q,K) differs from the pattern, or the browser printed a console message.

   Then the scan dashboard (hl_dashboard_write):
     1. a scan of the bundled model with a small random SAE at blocks.2.hook_resid_post over a short
        story corpus, written as a site with the corpus contexts, the token strings and a one-line
        explanations file; index.html and feature.html#3 must render with no console message, their
        scripts must have run (the table, the escaped explanation; the examples in context, interval
        samples, logit effects, the Neuronpedia link), and a screenshot of the feature page is kept;
     2. a 65,536-feature scan (random sparse activations) as a site without a corpus: 256 data files,
        and its index must draw within 2 s of navigation start (data-page-ms, timed by the page).

   usage: views_check [--chromium CMD] [--model DIR] [--out DIR] */
#define _XOPEN_SOURCE 700 /* realpath */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "../hooklens.h"
#include "hooklens_tools.h"

#define VC_TOKENS   512
#define VC_LAYER    2
#define VC_MAX_SIZE 5000000L /* bytes */
#define VC_MAX_MS   3000.0
#define DC_MAX_MS   2000.0 /* the 65,536-feature dashboard index */

static int fail(const char *msg) {
    fprintf(stderr, "views-check: %s\n", msg);
    return 1;
}

/* The number after `attr="` in the dumped DOM, or -1. */
static double dom_number(const char *dom, const char *attr) {
    char key[64];
    const char *p;
    snprintf(key, sizeof key, " %s=\"", attr);
    p = strstr(dom, key);
    return p ? strtod(p + strlen(key), NULL) : -1.0;
}

static char *read_all(FILE *f) {
    size_t cap = 1 << 16, n = 0, got;
    char *d = (char *)malloc(cap);
    while (d && (got = fread(d + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 4096) {
            char *e = (char *)realloc(d, cap * 2);
            if (!e) { free(d); return NULL; }
            d = e;
            cap *= 2;
        }
    }
    if (d) d[n] = 0;
    return d;
}

/* dashboard messages say which page */
static int dfail(const char *msg) {
    fprintf(stderr, "views-check: dashboard: %s\n", msg);
    return 1;
}

/* Renders file://dir/page and returns the DOM (NULL after an error, or when the console spoke). */
static char *render_page(const char *chromium, const char *dir, const char *page) {
    char cmd[9000], log[4200];
    FILE *fp;
    char *dom;
    snprintf(log, sizeof log, "%s/console.log", dir);
    snprintf(cmd, sizeof cmd, "%s --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --dump-dom 'file://%s/%s' 2>%s",
             chromium, dir, page, log);
    fp = popen(cmd, "r");
    dom = fp ? read_all(fp) : NULL;
    if (!fp || pclose(fp) != 0 || !dom) {
        fprintf(stderr, "views-check: `%s` failed\n", cmd);
        free(dom);
        return NULL;
    }
    snprintf(cmd, sizeof cmd, "grep CONSOLE %s", log);
    if (system(cmd) == 0) {
        fprintf(stderr, "views-check: console messages on %s\n", page);
        free(dom);
        return NULL;
    }
    return dom;
}

/* A random standard SAE [d_in, 96] for the bundled model. */
static hl_sae *small_sae(int64_t di, hl_error *err) {
    const int64_t ds = 96;
    static float we[512 * 96], wd[96 * 512], be[96], bd[512];
    hl_sae_config sc;
    hl_sae_params sp;
    hl_tensor We, Wd, Be, Bd;
    hl_sae *s = NULL;
    int64_t i;
    if (di > 512) return NULL;
    for (i = 0; i < di * ds; i++) {
        we[i] = (float)((int)((i * 2654435761u) >> 20 & 1023) - 512) / 2048.0f;
        wd[i] = (float)((int)((i * 40503u + 7) >> 4 & 1023) - 512) / 4096.0f;
    }
    for (i = 0; i < ds; i++) be[i] = -0.05f * (float)(i % 5);
    memset(&sc, 0, sizeof sc), memset(&sp, 0, sizeof sp);
    memset(&We, 0, sizeof We), memset(&Wd, 0, sizeof Wd), memset(&Be, 0, sizeof Be), memset(&Bd, 0, sizeof Bd);
    sc.arch = HL_SAE_STANDARD, sc.d_in = di, sc.d_sae = ds, sc.hook_name = "blocks.2.hook_resid_post";
    We.dtype = Wd.dtype = Be.dtype = Bd.dtype = HL_DTYPE_F32;
    We.ndim = 2, We.shape[0] = di, We.shape[1] = ds, We.data = we;
    Wd.ndim = 2, Wd.shape[0] = ds, Wd.shape[1] = di, Wd.data = wd;
    Be.ndim = 1, Be.shape[0] = ds, Be.data = be;
    Bd.ndim = 1, Bd.shape[0] = di, Bd.data = bd;
    sp.W_enc = &We, sp.W_dec = &Wd, sp.b_enc = &Be, sp.b_dec = &Bd;
    if (hl_sae_create(&sc, &sp, 1, HL_KERNELS_DEFAULT, &s, err) != HL_OK) return NULL;
    return s;
}

/* The scan dashboard (hl_dashboard_write): see the top of this file. Returns 0 when it passed. */
static int dashboard_check(const char *chromium, const char *dir) {
    char site[4200], big[4200], path[4300], shot[4300], cmd[9000], *dom = NULL;
    hl_model_desc d;
    hl_model *m = NULL;
    hl_sae *sae = NULL;
    hl_corpus *c = NULL;
    hl_scan *s = NULL, *s2 = NULL;
    hl_scanrun_opts o;
    hl_scan_config sc;
    hl_dashboard_opts dopt;
    hl_explain_result *ex = NULL;
    hl_explain_query q;
    hl_error err;
    char **meta = NULL, *files[1], *expl[1];
    float *acts = NULL;
    int64_t w, i;
    double ms;
    FILE *fp;
    struct stat sb;
    int rc = 1;
    /* 1. the bundled model's site */
    snprintf(path, sizeof path, "%s/dash_corpus.txt", dir);
    if (!(fp = fopen(path, "w"))) return dfail("cannot write the corpus");
    for (i = 0; i < 10; i++) fputs("Once upon a time there was a little girl named Lily. She liked to play in the park with her dog. ", fp);
    fclose(fp);
    files[0] = path;
    snprintf(shot, sizeof shot, "%s/dash_expl.jsonl", dir);
    if (!(fp = fopen(shot, "w"))) return dfail("cannot write the explanations");
    fputs("{\"modelId\": \"stories260k\", \"layer\": \"2-test\", \"index\": \"3\", \"description\": \"little <girls> & dogs\"}\n", fp);
    fclose(fp);
    expl[0] = shot;
    memset(&d, 0, sizeof d);
    d.path = "examples/stories260K";
    memset(&q, 0, sizeof q);
    if (hl_model_load(&d, &m, &err) != HL_OK || !(sae = small_sae(hl_model_config(m)->d_model, &err)) ||
        hl_sae_attach(sae, m, NULL, 0, &err) != HL_OK || hl_corpus_load(m, (const char *const *)files, 1, &c, &err) != HL_OK ||
        hl_explain_search((const char *const *)expl, 1, &q, &ex, &err) != HL_OK) {
        fprintf(stderr, "views-check: %s\n", err.msg);
        goto done;
    }
    memset(&o, 0, sizeof o);
    o.ctx = 32, o.ctx_radius = 6; /* the contexts come from the scan, not the corpus */
    if (hl_scanrun(m, sae, c, &o, &s, &meta, &err) != HL_OK) { fprintf(stderr, "views-check: %s\n", err.msg); goto done; }
    memset(&dopt, 0, sizeof dopt);
    dopt.model = m, dopt.explanations = ex, dopt.np_model = "stories260k", dopt.np_source = "2-test";
    snprintf(site, sizeof site, "%s/dashboard", dir);
    if (hl_dashboard_write(s, &dopt, site, &err) != HL_OK) { fprintf(stderr, "views-check: %s\n", err.msg); goto done; }
    if (!(dom = render_page(chromium, site, "index.html"))) goto done;
    if (!strstr(dom, "showing 96 of 96 features") || !strstr(dom, "little &lt;girls&gt; &amp; dogs") || strstr(dom, "<girls>")) {
        dfail("index.html: the table or the (escaped) explanation is missing");
        goto done;
    }
    printf("views-check: dashboard index.html of %s: 96 features drawn in %.1f ms, no console messages\n", site, dom_number(dom, "data-page-ms"));
    free(dom);
    if (!(dom = render_page(chromium, site, "feature.html#3"))) goto done;
    if (dom_number(dom, "data-feature") != 3.0 || !strstr(dom, "Lily") || !strstr(dom, "neuronpedia.org/stories260k/2-test/3") ||
        !strstr(dom, "logit effects") || !strstr(dom, "interval samples")) {
        dfail("feature.html#3: the page did not draw the feature (examples with tokens, interval samples, logit effects, the Neuronpedia link)");
        goto done;
    }
    { /* every token of a context is shaded by the feature's activation on it: more shaded tokens than examples */
        int shaded = 0, own = 0;
        const char *x;
        for (x = dom; (x = strstr(x, "rgba(234,88,12")) != NULL; x++) shaded++;
        for (x = dom; (x = strstr(x, "outline:1px")) != NULL; x++) own++;
        if (own < 10 || shaded <= own) {
            dfail("feature.html#3: the stored contexts are not shaded token by token");
            goto done;
        }
        printf("views-check: dashboard feature.html#3: %d examples, %d tokens shaded by their activation\n", own, shaded);
    }
    free(dom), dom = NULL;
    snprintf(shot, sizeof shot, "%s/dashboard_feature3.png", dir);
    snprintf(cmd, sizeof cmd, "%s --headless --no-sandbox --disable-gpu --window-size=1000,900 --screenshot='%s' 'file://%s/feature.html#3' 2>/dev/null",
             chromium, shot, site);
    if (system(cmd) != 0 || stat(shot, &sb) != 0 || sb.st_size < 1000) { dfail("no screenshot of feature.html#3"); goto done; }
    printf("views-check: dashboard feature.html#3 ok (examples in context, histogram, logit effects, link); screenshot %s (%lld bytes)\n",
           shot, (long long)sb.st_size);
    /* 2. 65,536 features */
    memset(&sc, 0, sizeof sc);
    sc.d_sae = 65536, sc.top_k = 20;
    if (hl_scan_create(&sc, &s2, &err) != HL_OK || !(acts = (float *)calloc(65536, sizeof(float)))) goto done;
    for (w = 0; w < 300; w++) { /* 300 tokens, ~200 features each */
        uint32_t x = (uint32_t)w * 2654435761u + 1;
        memset(acts, 0, 65536 * sizeof(float));
        for (i = 0; i < 200; i++) {
            x = x * 1664525u + 1013904223u;
            acts[x >> 16] = (float)(x & 1023) / 100.0f;
        }
        if (hl_scan_add(s2, acts, 1, w, 1, &err) != HL_OK) { fprintf(stderr, "views-check: %s\n", err.msg); goto done; }
    }
    snprintf(big, sizeof big, "%s/dashboard65k", dir);
    if (hl_dashboard_write(s2, NULL, big, &err) != HL_OK) { fprintf(stderr, "views-check: %s\n", err.msg); goto done; }
    snprintf(path, sizeof path, "%s/data/chunk-255.js", big);
    if (stat(path, &sb) != 0) { dfail("the 65,536-feature site has no data/chunk-255.js"); goto done; }
    snprintf(path, sizeof path, "%s/data/chunk-256.js", big);
    if (stat(path, &sb) == 0) { dfail("the 65,536-feature site has more than 256 chunk files"); goto done; }
    if (!(dom = render_page(chromium, big, "index.html"))) goto done;
    ms = dom_number(dom, "data-page-ms");
    if (ms < 0 || dom_number(dom, "data-features") != 65536.0 || !strstr(dom, "showing 500 of 65536 features")) {
        dfail("the 65,536-feature index did not draw");
        goto done;
    }
    printf("views-check: dashboard the 65,536-feature index drew in %.1f ms from navigation start (limit %.0f ms; sort %.1f ms), 256 data files\n",
           ms, DC_MAX_MS, dom_number(dom, "data-draw-ms"));
    if (ms > DC_MAX_MS) { dfail("the 65,536-feature index took longer than 2 s"); goto done; }
    free(dom), dom = NULL;
    if (!(dom = render_page(chromium, big, "feature.html#65535")) || dom_number(dom, "data-feature") != 65535.0) {
        dfail("feature.html#65535 of the big site did not draw");
        goto done;
    }
    printf("views-check: dashboard ok\n");
    rc = 0;
done:
    free(dom), free(acts);
    hl_free(meta);
    hl_explain_free(ex);
    hl_scan_free(s), hl_scan_free(s2);
    hl_corpus_free(c);
    hl_sae_free(sae);
    hl_model_free(m);
    return rc;
}

int main(int argc, char **argv) {
    const char *chromium = "chromium", *model = "examples/stories260K", *out = "build/views";
    const char *story = "Once upon a time, there was a little girl named Lily. She loved to play "
                        "outside in the sun. One day, she saw a big red ball in the park. ";
    char text[8192], path[4200], dir[4096], cmd[12288], name[64], *html = NULL, *dom = NULL, want[64];
    const char *names[1];
    hl_model_desc d;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    hl_names_filter f;
    hl_attention_view v;
    hl_error err;
    const hl_tensor *pat;
    const char *const *strs;
    char **str_tokens = NULL;
    int32_t *ids = NULL;
    int64_t n = 0, i, lit = 0, hq = 300, hk = 298;
    size_t len = 0;
    double t0, page_ms, draw_ms, cells;
    FILE *fp;
    int rc = 1, h = 3;
    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--chromium") == 0) chromium = argv[i + 1];
        else if (strcmp(argv[i], "--model") == 0) model = argv[i + 1];
        else if (strcmp(argv[i], "--out") == 0) out = argv[i + 1];
        else return fail("usage: views_check [--chromium CMD] [--model DIR] [--out DIR]");
    }
    if (i < argc) return fail("usage: views_check [--chromium CMD] [--model DIR] [--out DIR]");
    /* a story repeated until it is longer than 512 tokens, cut to BOS + 511 */
    text[0] = 0;
    while (strlen(text) + strlen(story) < sizeof text) strcat(text, story);
    memset(&d, 0, sizeof d);
    d.path = model;
    if (hl_model_load(&d, &m, &err) != HL_OK ||
        hl_model_to_tokens(m, text, -1, &ids, &n, &err) != HL_OK) {
        fprintf(stderr, "views-check: %s\n", err.msg);
        goto done;
    }
    if (n < VC_TOKENS) { fail("the text gives fewer than 512 tokens"); goto done; }
    n = VC_TOKENS;
    hl_hook_name(HL_HOOK_ATTN_PATTERN, VC_LAYER, name, sizeof name);
    names[0] = name;
    memset(&f, 0, sizeof f);
    f.names = names;
    f.n_names = 1;
    if (hl_cache_create(&cache, &err) != HL_OK ||
        hl_model_run_with_cache(m, ids, n, &f, cache, NULL, &err) != HL_OK ||
        hl_model_to_str_tokens(m, ids, n, &str_tokens, &err) != HL_OK) {
        fprintf(stderr, "views-check: %s\n", err.msg);
        goto done;
    }
    pat = hl_cache_get(cache, name);
    if (!pat || pat->ndim != 4 || pat->shape[2] != n || pat->shape[3] != n) {
        fail("no [1, heads, 512, 512] pattern captured");
        goto done;
    }
    strs = (const char *const *)str_tokens;
    memset(&v, 0, sizeof v);
    v.layer = VC_LAYER;
    v.n_tokens = n;
    v.tokens = strs;
    v.n_heads = (int)pat->shape[1];
    v.pattern = (const float *)pat->data;
    t0 = (double)clock() / CLOCKS_PER_SEC;
    if (hl_view_attention_html(&v, &html, &len, &err) != HL_OK) {
        fprintf(stderr, "views-check: %s\n", err.msg);
        goto done;
    }
    printf("views-check: attention view of %d heads x %lld tokens (layer %d of %s): %zu bytes "
           "(limit %ld), built in %.3f s CPU\n", v.n_heads, (long long)n, VC_LAYER, model, len,
           VC_MAX_SIZE, (double)clock() / CLOCKS_PER_SEC - t0);
    if ((long)len > VC_MAX_SIZE) { fail("the page is larger than the limit"); goto done; }
    /* what the page must report: cells that round to a nonzero code, and the hovered value */
    for (i = 0; i < v.n_heads * n * n; i++) lit += (double)v.pattern[i] * 65534.0 + 0.5 >= 1.0;
    if (!realpath(out, dir)) { fail("the output folder does not exist"); goto done; }
    snprintf(path, sizeof path, "%s/attention512.html", dir);
    fp = fopen(path, "wb");
    if (!fp || fwrite(html, 1, len, fp) != len || fclose(fp) != 0) {
        fail("cannot write the page");
        goto done;
    }
    /* --virtual-time-budget lets the page finish before the DOM is dumped */
    snprintf(cmd, sizeof cmd, "%s --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 "
             "--dump-dom 'file://%s#head=%d&cell=%lld,%lld' 2>%s/console512.log", chromium, path,
             h, (long long)hq, (long long)hk, dir);
    fp = popen(cmd, "r");
    dom = fp ? read_all(fp) : NULL;
    if (!fp || pclose(fp) != 0 || !dom) {
        fprintf(stderr, "views-check: `%s` failed\n", cmd);
        goto done;
    }
    page_ms = dom_number(dom, "data-page-ms");
    draw_ms = dom_number(dom, "data-draw-ms");
    cells = dom_number(dom, "data-drawn-cells");
    if (page_ms < 0 || draw_ms < 0 || cells < 0) {
        fail("the page's script did not finish drawing (no data-page-ms on <body>)");
        goto done;
    }
    printf("views-check: rendered in %s: %.1f ms from navigation start to drawn (script %.1f ms), "
           "%.0f cells drawn (expected %lld), limit %.0f ms\n", chromium, page_ms, draw_ms, cells,
           (long long)lit, VC_MAX_MS);
    if ((int64_t)cells != lit) { fail("the page drew a different number of cells"); goto done; }
    {
        /* the value the page decodes: the 16-bit code over 65534 */
        double p = (double)v.pattern[((int64_t)h * n + hq) * n + hk];
        snprintf(want, sizeof want, "p = %.4f", (double)(long)(p * 65534.0 + 0.5) / 65534.0);
        if (!strstr(dom, want)) {
            fprintf(stderr, "views-check: the hovered cell (head %d, query %lld, key %lld) does not "
                    "show \"%s\"\n", h, (long long)hq, (long long)hk, want);
            goto done;
        }
    }
    snprintf(cmd, sizeof cmd, "grep CONSOLE %s/console512.log", dir);
    if (system(cmd) == 0) { fail("the browser printed console messages (see console512.log)"); goto done; }
    if (page_ms > VC_MAX_MS) {
        fprintf(stderr, "views-check: the page took %.1f ms to draw, over %.0f ms\n", page_ms, VC_MAX_MS);
        goto done;
    }
    printf("views-check: %s ok\n", path);
    rc = dashboard_check(chromium, dir);
done:
    free(dom);
    hl_free(html);
    hl_free(str_tokens);
    hl_free(ids);
    hl_cache_free(cache);
    hl_model_free(m);
    return rc;
}
