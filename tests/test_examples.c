/* tests/test_examples.c - every example program runs on the bundled model (examples/stories260K)
   and its output is checked, not just its exit code. The examples are built by `make` (the test
   target depends on it) and run from the repository root. */
#include <stdlib.h>
#include <unistd.h>
#include "hl_test.h"
#include "../tools/cli/cli.h" /* the CLI's command and option tables (macros), to walk them */

/* Runs a shell command, returns its stdout (malloc'd, NUL-terminated) and exit status. */
static char *run_cmd(const char *cmd, int *status) {
    FILE *f = popen(cmd, "r");
    char *out = NULL;
    size_t len = 0, cap = 0;
    int c;
    if (!f) return NULL;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 > cap) {
            char *n;
            cap = cap ? cap * 2 : 4096;
            n = (char *)realloc(out, cap);
            if (!n) break;
            out = n;
        }
        out[len++] = (char)c;
    }
    if (out) out[len] = 0;
    *status = pclose(f);
    return out ? out : (char *)calloc(1, 1);
}

static int count_substr(const char *s, const char *sub) {
    int n = 0;
    size_t k = strlen(sub);
    while ((s = strstr(s, sub)) != NULL) {
        n++;
        s += k;
    }
    return n;
}

/* Returns the output of build/examples/NAME (with args), or NULL after marking a failure. */
static char *example(const char *name, const char *args, int *status) {
    char cmd[1024];
    char *out;
    snprintf(cmd, sizeof cmd, "./build/examples/%s %s 2>&1", name, args ? args : "");
    if (!hlt_need("examples/stories260K/model.safetensors")) return NULL;
    out = run_cmd(cmd, status);
    CHECKF(out != NULL, "could not run %s", cmd);
    return out;
}

/* `make run`: the greedy story is HF's greedy continuation (meta.json of real/stories260K). */
static void test_example_tour(void) {
    int st = -1;
    char *o = example("00_tour", NULL, &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    CHECK(strstr(o, "\nOnce upon a time, there was a little girl named Lily. She loved to play outside "
                    "in the park. One day, she saw a big, red ball. She wanted to play with it, but it "
                    "was too high.\nLily's mom said, \"Lily, let's go to the park.\" Lily was sad and "
                    "didn't know what to do\n") != NULL);
    CHECK(strstr(o, "\nTokenized answer: ['mom']\nPerformance on answer token:\nRank: 0  ") != NULL);
    CHECK(strstr(o, "== run_with_cache: 103 activations") != NULL);
    /* issue 14 item 6: the command line the tour prints gives the tour's report (rank 0), and TL's
       default (a space in front of "mom": '▁' then 'mom' for this tokenizer) does not */
    {
        const char *c = strstr(o, "   command line: hooklens test-prompt "), *end = c ? strchr(c, '\n') : NULL;
        char cmd[1024];
        char *r;
        int st2 = -1;
        CHECK(strstr(o, "prepend_space_to_answer=False, top_k=5)") != NULL);
        CHECK(c && end && end - c < 900);
        if (c && end && end - c < 900) {
            snprintf(cmd, sizeof cmd, "./build/%.*s 2>&1", (int)(end - c - 17), c + 17);
            r = run_cmd(cmd, &st2);
            CHECKF(st2 == 0 && r && strstr(r, "\nTokenized answer: ['mom']\nPerformance on answer token:\nRank: 0  "), "%s: %s", cmd,
                   r ? r : "");
            free(r);
            snprintf(cmd, sizeof cmd, "./build/%.*s 2>&1", (int)(end - c - 17 - 19), c + 17); /* without --no-prepend-space */
            r = run_cmd(cmd, &st2);
            CHECKF(st2 == 0 && r && strstr(r, "\nTokenized answer: ['', 'mom']\n") && !strstr(r, "Rank: 0  "), "%s: %s", cmd, r ? r : "");
            free(r);
        }
    }
    free(o);
}

static void test_example_generate(void) {
    int st = -1, st2 = -1;
    char *a = example("01_generate", NULL, &st), *b = example("01_generate", NULL, &st2);
    if (!a || !b) goto done;
    CHECKF(st == 0, "exit %d: %s", st, a);
    CHECK(count_substr(a, "--- sample ") == 5);
    CHECK(count_substr(a, "\nOnce upon a time") == 5); /* each sample continues the prompt */
    CHECK(strcmp(a, b) == 0);                          /* seeded: reproducible */
done:
    free(a);
    free(b);
}

/* The bundled model's logits for tokens[0..n) (malloc'd [n, d_vocab]), or NULL after a failure. */
static float *bundled_logits(hl_model **m, const int32_t *tokens, int64_t n) {
    hl_model_desc d;
    hl_error e_, *e = &e_;
    float *lg;
    memset(&d, 0, sizeof d);
    d.path = "examples/stories260K";
    *m = NULL;
    CHECK_OK(hl_model_load(&d, m, e), e);
    if (!*m) return NULL;
    lg = (float *)malloc((size_t)(n * hl_model_config(*m)->d_vocab) * sizeof(float));
    CHECK(lg != NULL);
    if (lg) CHECK_OK(hl_model_run(*m, tokens, n, lg, e), e);
    return lg;
}

/* log softmax of one row, in double: lp_i = x_i - max - log(sum_j exp(x_j - max)). */
static void log_softmax_f64(const float *x, int64_t V, double *lp) {
    double mx = x[0], z = 0;
    int64_t i;
    for (i = 1; i < V; i++) mx = x[i] > mx ? x[i] : mx;
    for (i = 0; i < V; i++) z += exp((double)x[i] - mx);
    for (i = 0; i < V; i++) lp[i] = (double)x[i] - mx - log(z);
}

/* rank of token t in a row: how many logits are strictly larger (0 = the model's top choice). */
static int64_t rank_of(const float *x, int64_t V, int32_t t) {
    int64_t i, r = 0;
    for (i = 0; i < V; i++) r += x[i] > x[t];
    return r;
}

/* softmax(x)_t in percent as TL's report prints it: exp(x_t - max) / sum_j exp(x_j - max), the
   difference in float (the logits' type), exp and sum in double. Computed this way, the digits of
   a %5.2f print are the report's own, so whole lines can be compared verbatim. */
static double prob_pct(const float *x, int64_t V, int32_t t) {
    float mx = x[0];
    double z = 0;
    int64_t i;
    for (i = 1; i < V; i++) mx = x[i] > mx ? x[i] : mx;
    for (i = 0; i < V; i++) z += exp((double)(x[i] - mx));
    return 100.0 * exp((double)(x[t] - mx)) / z;
}

/* Reads one "Logit: %f Prob: %f% Token: |%s|" tail at *p (advancing past its line) and checks it
   against the logit, probability and token string computed here; printed to 2 decimals. */
static void check_logit_line(const char **p, double logit, double prob, const char *tok, const char *what) {
    double l = 0, pr = 0;
    int used = 0;
    char want[256];
    const char *q = *p;
    CHECKF(sscanf(q, " Logit: %lf Prob: %lf%%%n", &l, &pr, &used) == 2 && used > 0, "%s: cannot parse '%.60s'",
           what, q);
    if (used <= 0) return;
    q += used;
    CHECKF(fabs(l - logit) <= 0.0051, "%s: logit %.2f printed, %.4f computed", what, l, logit);
    CHECKF(fabs(pr - 100 * prob) <= 0.0051, "%s: prob %.2f%% printed, %.4f%% computed", what, pr, 100 * prob);
    snprintf(want, sizeof want, " Token: |%s|\n", tok);
    CHECKF(strncmp(q, want, strlen(want)) == 0, "%s: '%.40s' printed, '%s' expected", what, q, want);
    *p = strchr(q, '\n') ? strchr(q, '\n') + 1 : q + strlen(q);
}

/* TL utils.test_prompt, recomputed here from the logits of one hl_model_run over prompt + answer
   (the example's defaults): the tokenized lines, and for every answer token its rank, logit and
   probability at the position before it and the top 10 there, in TL's order and format: each value
   parsed and compared at print precision (the probability from a double log softmax), and each
   line compared verbatim with one formatted here with TL's formats ("Rank: %-8lld Logit: %5.2f
   Prob: %5.2f%% Token: |%s|", "Top %lldth token. Logit: %5.2f Prob: %5.2f%% Token: |%s|"). */
static void test_example_test_prompt(void) {
    static const char *prompt = "Jill threw the ball to Jack. Jack threw the ball to Will. Will threw the ball back to";
    int st = -1;
    hl_model *m = NULL;
    hl_error e_, *e = &e_;
    int32_t *pt = NULL, *at = NULL, *all = NULL;
    char **ps = NULL, **as = NULL, line[4096];
    float *lg = NULL;
    double *lp = NULL;
    int64_t np = 0, na = 0, V, a, i, k;
    const char *p;
    char *o = example("02_test_prompt", NULL, &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    {
        hl_model_desc d;
        memset(&d, 0, sizeof d);
        d.path = "examples/stories260K";
        CHECK_OK(hl_model_load(&d, &m, e), e);
        if (!m) goto done;
        CHECK_OK(hl_model_to_tokens(m, prompt, 1, &pt, &np, e), e);
        CHECK_OK(hl_model_to_tokens(m, " Jill", 0, &at, &na, e), e); /* already starts with a space */
        hl_model_free(m);
        m = NULL;
    }
    if (!pt || !at) goto done;
    all = (int32_t *)malloc((size_t)(np + na) * sizeof(int32_t));
    memcpy(all, pt, (size_t)np * sizeof(int32_t));
    memcpy(all + np, at, (size_t)na * sizeof(int32_t));
    lg = bundled_logits(&m, all, np + na);
    if (!lg) goto done;
    V = hl_model_config(m)->d_vocab;
    lp = (double *)malloc((size_t)V * sizeof(double));
    CHECK_OK(hl_model_to_str_tokens(m, pt, np, &ps, e), e);
    CHECK_OK(hl_model_to_str_tokens(m, at, na, &as, e), e);
    if (!ps || !as) goto done;
    /* the two tokenized lines, Python list repr (these tokens need no escaping) */
    p = o;
    for (k = 0; k < 2; k++) {
        size_t len = (size_t)snprintf(line, sizeof line, "Tokenized %s: [", k ? "answer" : "prompt");
        for (i = 0; i < (k ? na : np); i++) {
            const char *t = k ? as[i] : ps[i];
            CHECK(strchr(t, '\'') == NULL && strchr(t, '\\') == NULL);
            len += (size_t)snprintf(line + len, sizeof line - len, "%s'%s'", i ? ", " : "", t);
        }
        snprintf(line + len, sizeof line - len, "]\n");
        CHECKF(strncmp(p, line, strlen(line)) == 0, "expected %s", line);
        p = strchr(p, '\n');
        p = p ? p + 1 : o + strlen(o);
    }
    for (a = 0; a < na; a++) {
        const float *x = lg + (np + a - 1) * V; /* the distribution that predicts answer token a */
        char what[64];
        int32_t top[10];
        long long r = -1;
        int used = 0;
        log_softmax_f64(x, V, lp);
        snprintf(what, sizeof what, "answer token %lld", (long long)a);
        snprintf(line, sizeof line, "Performance on answer token:\nRank: %-8lld Logit: %5.2f Prob: %5.2f%% Token: |%s|\n",
                 (long long)rank_of(x, V, at[a]), (double)x[at[a]], prob_pct(x, V, at[a]), as[a]);
        CHECKF(strncmp(p, line, strlen(line)) == 0, "%s: '%.100s' printed, '%s' expected", what, p, line);
        CHECKF(sscanf(p, "Performance on answer token:\nRank: %lld%n", &r, &used) == 1 && used > 0,
               "%s: cannot parse '%.60s'", what, p);
        if (used <= 0) break;
        CHECKF(r == rank_of(x, V, at[a]), "%s: rank %lld printed, %lld computed", what, r,
               (long long)rank_of(x, V, at[a]));
        p += used;
        check_logit_line(&p, x[at[a]], exp(lp[at[a]]), as[a], what);
        /* the top 10 by selection, ties to the lower id */
        for (k = 0; k < 10; k++) {
            int32_t best = -1;
            char **ts = NULL;
            for (i = 0; i < V; i++) {
                int64_t j, taken = 0;
                for (j = 0; j < k; j++) taken |= top[j] == i;
                if (!taken && (best < 0 || x[i] > x[best])) best = (int32_t)i;
            }
            top[k] = best;
            snprintf(what, sizeof what, "answer token %lld, top %lld", (long long)a, (long long)k);
            CHECK_OK(hl_model_to_str_tokens(m, &best, 1, &ts, e), e);
            snprintf(line, sizeof line, "Top %lldth token. Logit: %5.2f Prob: %5.2f%% Token: |%s|\n", (long long)k,
                     (double)x[best], prob_pct(x, V, best), ts ? ts[0] : "?");
            CHECKF(strncmp(p, line, strlen(line)) == 0, "%s: '%.80s' printed, '%s' expected", what, p, line);
            snprintf(line, sizeof line, "Top %lldth token.", (long long)k);
            CHECKF(strncmp(p, line, strlen(line)) == 0, "%s: '%.40s'", what, p);
            p += strncmp(p, line, strlen(line)) == 0 ? strlen(line) : 0;
            check_logit_line(&p, x[best], exp(lp[best]), ts ? ts[0] : "?", what);
            hl_free(ts);
        }
    }
    /* Ranks of the answer tokens: [('tok', rank), ...] */
    {
        size_t len = (size_t)snprintf(line, sizeof line, "Ranks of the answer tokens: [");
        for (a = 0; a < na; a++)
            len += (size_t)snprintf(line + len, sizeof line - len, "%s('%s', %lld)", a ? ", " : "", as[a],
                                    (long long)rank_of(lg + (np + a - 1) * V, V, at[a]));
        snprintf(line + len, sizeof line - len, "]\n");
        CHECKF(strcmp(p, line) == 0, "'%s' printed, '%s' expected", p, line);
    }
done:
    hl_model_free(m);
    hl_free(pt);
    hl_free(at);
    hl_free(ps);
    hl_free(as);
    free(all);
    free(lg);
    free(lp);
    free(o);
}

static void test_example_run_with_cache(void) {
    int st = -1;
    char *o = example("03_run_with_cache", NULL, &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    /* Llama: hook_embed + 5 layers x 20 hooks + ln_final.{scale,normalized} = 103 */
    CHECK(strstr(o, "16 tokens, 103 cached activations\n") != NULL);
    CHECK(strstr(o, "\nhook_embed                               [1, 16, 64]\n") != NULL);
    CHECK(strstr(o, "\nblocks.0.attn.hook_pattern               [1, 8, 16, 16]\n") != NULL);
    CHECK(strstr(o, "\nblocks.4.mlp.hook_post                   [1, 16, 172]\n") != NULL);
    CHECK(strstr(o, "\nln_final.hook_scale                      [1, 16, 1]\n") != NULL);
    free(o);
}

/* circuitsvis token_log_probs as the example prints it, recomputed here from hl_model_run's logits
   on the example's default text: for each position i >= 1, the token, log p(token_i) from row
   i-1 (log softmax in double), its rank, the top prediction and its log prob, and the mean, each
   compared at print precision; and every line verbatim in the example's format
   ("%4lld  %-16s %9.3f %6lld   '%s' (%.3f)", "mean log prob %.4f over %lld predicted tokens"),
   formatted here from hl_log_softmax and hl_top_k on the same row (the float log probs the
   example prints, so the digits are exact). */
static void test_example_token_log_probs(void) {
    static const char *text = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";
    int st = -1;
    hl_model *m = NULL;
    hl_error e_, *e = &e_;
    int32_t *toks = NULL;
    char **strs = NULL, want[256], line[256];
    float *lg = NULL, *lpf = NULL; /* lpf: hl_log_softmax of one row */
    double *lp = NULL, sum = 0, sumf = 0, mean = 0;
    int64_t n = 0, V, i, j;
    long long count = 0;
    const char *p;
    char *o = example("04_token_log_probs", NULL, &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    {
        hl_model_desc d;
        memset(&d, 0, sizeof d);
        d.path = "examples/stories260K";
        CHECK_OK(hl_model_load(&d, &m, e), e);
        if (m) CHECK_OK(hl_model_to_tokens(m, text, -1, &toks, &n, e), e);
        hl_model_free(m);
        m = NULL;
    }
    CHECK(n > 20);
    if (n <= 20) goto done;
    lg = bundled_logits(&m, toks, n);
    if (!lg) goto done;
    V = hl_model_config(m)->d_vocab;
    lp = (double *)malloc((size_t)V * sizeof(double));
    lpf = (float *)malloc((size_t)V * sizeof(float));
    CHECK_OK(hl_model_to_str_tokens(m, toks, n, &strs, e), e);
    if (!strs) goto done;
    snprintf(want, sizeof want, "%4s  %-16s %9s %6s   %s\n", "pos", "token", "log prob", "rank", "top prediction");
    CHECKF(strncmp(o, want, strlen(want)) == 0, "column titles '%.60s', '%s' expected", o, want);
    p = strchr(o, '\n'); /* past the column titles */
    p = p ? p + 1 : o;
    for (i = 1; i < n; i++) {
        const float *x = lg + (i - 1) * V; /* the distribution that predicts token i */
        int32_t top = 0;
        char **ts = NULL;
        double got_lp = 0, got_top_lp = 0;
        long long rank = -1;
        int used = 0;
        const char *q;
        log_softmax_f64(x, V, lp);
        for (j = 1; j < V; j++)
            if (x[j] > x[top]) top = (int32_t)j;
        sum += lp[toks[i]];
        {   /* the whole line, verbatim */
            int32_t ftop = -1;
            float ftop_lp = 0;
            char **fts = NULL;
            hl_log_softmax(x, V, lpf);
            hl_top_k(lpf, V, 1, &ftop, &ftop_lp);
            CHECK_OK(hl_model_to_str_tokens(m, &ftop, 1, &fts, e), e);
            snprintf(line, sizeof line, "%4lld  %-16s %9.3f %6lld   '%s' (%.3f)\n", (long long)i, strs[i],
                     (double)lpf[toks[i]], (long long)rank_of(x, V, toks[i]), fts ? fts[0] : "?", (double)ftop_lp);
            hl_free(fts);
            CHECKF(strncmp(p, line, strlen(line)) == 0, "position %lld: '%.80s' printed, '%s' expected",
                   (long long)i, p, line);
            sumf += (double)lpf[toks[i]];
        }
        snprintf(want, sizeof want, "%4lld  %-16s ", (long long)i, strs[i]);
        CHECKF(strncmp(p, want, strlen(want)) == 0, "position %lld: '%.40s' printed, '%s' expected", (long long)i,
               p, want);
        if (strncmp(p, want, strlen(want)) != 0) break;
        p += strlen(want);
        CHECKF(sscanf(p, "%lf %lld%n", &got_lp, &rank, &used) == 2 && used > 0, "position %lld: '%.40s'",
               (long long)i, p);
        if (used <= 0) break;
        p += used;
        CHECKF(fabs(got_lp - lp[toks[i]]) <= 0.00051, "position %lld: log prob %.3f printed, %.5f computed",
               (long long)i, got_lp, lp[toks[i]]);
        CHECKF(rank == rank_of(x, V, toks[i]), "position %lld: rank %lld printed, %lld computed", (long long)i, rank,
               (long long)rank_of(x, V, toks[i]));
        CHECK_OK(hl_model_to_str_tokens(m, &top, 1, &ts, e), e);
        snprintf(want, sizeof want, "   '%s' (", ts ? ts[0] : "?");
        hl_free(ts);
        CHECKF(strncmp(p, want, strlen(want)) == 0, "position %lld: '%.40s' printed, '%s' expected", (long long)i,
               p, want);
        p += strncmp(p, want, strlen(want)) == 0 ? strlen(want) : 0;
        CHECKF(sscanf(p, "%lf", &got_top_lp) == 1 && fabs(got_top_lp - lp[top]) <= 0.00051,
               "position %lld: top log prob '%.10s' printed, %.5f computed", (long long)i, p, lp[top]);
        q = strchr(p, '\n');
        p = q ? q + 1 : p + strlen(p);
    }
    CHECKF(sscanf(p, "mean log prob %lf over %lld predicted tokens", &mean, &count) == 2, "'%.60s'", p);
    CHECKF(count == n - 1 && fabs(mean - sum / (double)(n - 1)) <= 0.000051,
           "mean %.4f over %lld printed, %.6f over %lld computed", mean, count, sum / (double)(n - 1),
           (long long)(n - 1));
    snprintf(line, sizeof line, "mean log prob %.4f over %lld predicted tokens\n", sumf / (double)(n - 1),
             (long long)(n - 1));
    CHECKF(strcmp(p, line) == 0, "'%s' printed, '%s' expected", p, line);
done:
    hl_model_free(m);
    hl_free(toks);
    hl_free(strs);
    free(lg);
    free(lpf);
    free(lp);
    free(o);
}

static void test_example_hooks(void) {
    int st = -1;
    char *o = example("05_hooks", NULL, &st), *row;
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    CHECK(strstr(o, "zero-ablating one head") != NULL);
    /* hl_model_add_ablation gives the numbers the hand-written memset hook of the example's
       previous version printed (its last row, copied from that output) */
    CHECKF(strstr(o, "\n    4  -0.0893  +0.1563  -0.5471  +0.1777  +0.3082  +0.4975  -0.1529  +0.3391\n") != NULL, "%s", o);
    /* hl_act_patch's head grid: a header and one row per layer (5) */
    row = strstr(o, "activation patching of each head's output");
    CHECK(row && strstr(row, "\nlayer head0  head1 ") && strstr(row, "\n    4 ") && !strstr(row, "\n    5 "));
    /* Patching the clean residual stream into the only differing position (12: the second name)
       at layer 0 makes the corrupted run the clean run: exactly 1.00 there and 0.00 elsewhere. */
    row = strstr(o, "(clean - corrupted)\n");
    CHECK(row != NULL);
    if (row) {
        row = strstr(row, "\n    0 ");
        CHECK(row != NULL);
        if (row) {
            char line[256];
            size_t k = strcspn(row + 1, "\n");
            if (k > sizeof line - 1) k = sizeof line - 1;
            memcpy(line, row + 1, k);
            line[k] = 0;
            CHECKF(count_substr(line, " 1.00") == 1 && count_substr(line, " 0.00") == 19, "row: %s", line);
        }
    }
    free(o);
}

static void test_example_explanation_search(void) {
    int st = -1;
    char *o = example("07_explanation_search", NULL, &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    CHECKF(strcmp(o, "2 of 5 explanations match \"decept\"\n"
                     "feature 102: references to deception or lying  [gpt-4o-mini]\n"
                     "    https://www.neuronpedia.org/gemma-2-2b/25-gemmascope-res-16k/102\n"
                     "feature 4051: deceptive behaviour in fiction  [gpt-4o-mini]\n"
                     "    https://www.neuronpedia.org/gemma-2-2b/25-gemmascope-res-16k/4051\n") == 0,
           "output: %s", o);
    free(o);
}

/* The fixture model has no tokenizer.json, so the SAE examples take its token ids. */
#define FIX_TOKENS "\"2 328 298 26 43 496 137 252 334 458 93 3 88 63 404 422 157 172 204 112\""
#define FIX_MODEL_SAE "../shared/fixtures/models/gemma2-tiny ../shared/fixtures/saes/gemma2-tiny/gemmascope-jumprelu/params.npz"

static void test_example_sae_features(void) {
    int st = -1;
    hl_safetensors *ref = NULL;
    hl_error err;
    char *o, *line;
    const hl_tensor *acts;
    int64_t p, f;
    if (!hlt_need(hlt_fixture("saes/gemma2-tiny/reference.safetensors"))) return;
    o = example("06_sae_features", FIX_MODEL_SAE " " FIX_TOKENS " blocks.2.hook_resid_post", &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    CHECK(strstr(o, "\nblocks.2.hook_resid_post.hook_sae_acts_post        [1, 20, 256]\n") != NULL);
    CHECK(strstr(o, "\nblocks.2.hook_resid_post.hook_sae_recons           [1, 20, 64]\n") != NULL);
    /* each token's first listed feature is the arg max of SAELens' acts_post for that token */
    CHECK_OK(hl_safetensors_open(hlt_fixture("saes/gemma2-tiny/reference.safetensors"), &ref, &err), &err);
    acts = ref ? hl_safetensors_find(ref, "jumprelu.acts_post") : NULL;
    CHECK(acts != NULL);
    line = strstr(o, "top features (index: activation)\n");
    CHECK(line != NULL);
    for (p = 0; acts && line && p < 20; p++) {
        const float *a = (const float *)acts->data + p * 256;
        int64_t best = 0, got = -1;
        char *colon;
        for (f = 1; f < 256; f++)
            if (a[f] > a[best]) best = f;
        line = strchr(line, '\n');
        if (!line) break;
        line++;
        colon = strstr(line, "]  ");
        if (colon) got = strtoll(colon + 3, NULL, 10);
        CHECKF(got == best, "position %lld: example lists %lld first, reference arg max %lld",
               (long long)p, (long long)got, (long long)best);
    }
    hl_safetensors_close(ref);
    free(o);
}

/* `hooklens sae ... --html OUT` writes the SAE feature view (one self-contained page). */
static void test_cli_sae_html(void) {
    int st = -1;
    char *o, *page;
    size_t len = 0;
    FILE *f;
    if (!hlt_need(hlt_fixture("saes/gemma2-tiny/gemmascope-jumprelu/params.npz"))) return;
    remove("build/test_sae_view.html");
    o = run_cmd("./build/hooklens sae ../shared/fixtures/models/gemma2-tiny "
                "../shared/fixtures/saes/gemma2-tiny/gemmascope-jumprelu/params.npz --tokens " FIX_TOKENS
                " --hook blocks.2.hook_resid_post --top-k 3 --html build/test_sae_view.html 2>&1", &st);
    CHECKF(st == 0, "exit %d: %s", st, o ? o : "");
    free(o);
    f = fopen("build/test_sae_view.html", "rb");
    CHECK(f != NULL);
    if (!f) return;
    page = (char *)calloc(1, 1 << 20);
    if (page) len = fread(page, 1, (1 << 20) - 1, f);
    fclose(f);
    CHECK(page && len > 1000);
    if (page) {
        CHECK(strstr(page, "<html") != NULL && strstr(page, "</html>") != NULL);
        CHECK(strstr(page, "[328]") != NULL); /* token strings fall back to [id] without a tokenizer */
        CHECK(strstr(page, "src=\"http") == NULL); /* self-contained: nothing loaded from the network */
    }
    free(page);
}

/* `info` lists a model folder's tensors and its TL config (with the weight processing flags; GPT-2:
   LNPre after fold_ln, learned positions); a folder of an architecture hooklens does not run (here
   gpt2-tiny's weights under a GPT-J config.json) still lists its tensors, notes why there is no
   config, and exits 0; a missing path exits 1. */
static void test_cli_info(void) {
    char cmd[1024];
    int st = -1;
    char *o;
    if (!hlt_need(hlt_fixture("models/gemma2-tiny")) || !hlt_need(hlt_fixture("models/gpt2-tiny"))) return;
    snprintf(cmd, sizeof cmd, "./build/hooklens info %s 2>&1", hlt_fixture("models/gemma2-tiny"));
    o = run_cmd(cmd, &st);
    CHECKF(st == 0 && o && strstr(o, "total: ") && strstr(o, "HookedTransformerConfig:"), "exit %d: %s", st, o ? o : "");
    free(o);
    snprintf(cmd, sizeof cmd, "./build/hooklens info %s 2>&1", hlt_fixture("models/gpt2-tiny"));
    o = run_cmd(cmd, &st);
    CHECKF(st == 0 && o && strstr(o, "total: 40 tensors") && strstr(o, "'normalization_type': 'LNPre'") &&
               strstr(o, "'positional_embedding_type': 'standard'") && strstr(o, "'act_fn': 'gelu_new'") &&
               strstr(o, "fold_ln=True, center_writing_weights=True, center_unembed=True, fold_value_biases=True") &&
               strstr(o, "'original_architecture': 'GPT2LMHeadModel'"),
           "exit %d: %s", st, o ? o : "");
    free(o);
    snprintf(cmd, sizeof cmd, "./build/hooklens info %s 2>&1", hlt_fixture("models/gptneox-tiny"));
    o = run_cmd(cmd, &st);
    CHECKF(st == 0 && o && strstr(o, "'parallel_attn_mlp': True") && strstr(o, "'rotary_dim': 4,") &&
               strstr(o, "'act_fn': 'gelu',"),
           "exit %d: %s", st, o ? o : "");
    free(o);
    snprintf(cmd, sizeof cmd, "rm -rf build/hlt_gptj && mkdir -p build/hlt_gptj && ln -s \"$(realpath %s)\" "
             "build/hlt_gptj/model.safetensors && echo '{\"architectures\": [\"GPTJForCausalLM\"]}' > "
             "build/hlt_gptj/config.json && ./build/hooklens info build/hlt_gptj 2>&1",
             hlt_fixture("models/gpt2-tiny/model.safetensors"));
    o = run_cmd(cmd, &st);
    CHECKF(st == 0 && o && strstr(o, "total: 40 tensors") && strstr(o, "# no HookedTransformerConfig:") &&
               strstr(o, "GPTJForCausalLM"),
           "exit %d: %s", st, o ? o : "");
    free(o);
    o = run_cmd("./build/hooklens info build/no-such-folder 2>&1", &st);
    CHECKF(st != 0 && o && strstr(o, "no such file or folder"), "exit %d: %s", st, o ? o : "");
    free(o);
}

/* `generate` on a terminal (script(1) gives it one, stdout and stderr on the same pty) leaves the
   whole text on screen: the prompt echoed first, then the continuation, and no sequence that moves
   back over the row or clears it (\r not followed by \n, ESC). */
static void test_cli_generate_terminal(void) {
    int st = -1;
    char *o;
    size_t i;
    if (!hlt_need("examples/stories260K/model.safetensors")) return;
    o = run_cmd("script -qc \"./build/hooklens generate --prompt 'Once upon a time' --max-new-tokens 200 --temperature 0\" /dev/null", &st);
    CHECKF(st == 0 && o && strncmp(o, "Once upon a time, there was a little girl named Lily.", 53) == 0, "exit %d: %s", st,
           o ? o : "");
    for (i = 0; o && o[i]; i++) {
        CHECKF(o[i] != '\033', "ESC at byte %zu of the terminal output", i);
        CHECKF(o[i] != '\r' || o[i + 1] == '\n', "a carriage return at byte %zu moves back over the text", i);
        if (o[i] == '\033' || (o[i] == '\r' && o[i + 1] != '\n')) break;
    }
    free(o);
}

/* What a terminal shows of `raw` (issue 14 item 11): each row's text after its last carriage return,
   with the erase-line sequence (ESC [2K) dropped. Returns a malloc'd copy, rows joined by '\n'. */
static char *hlt_screen(const char *raw) {
    char *out = (char *)malloc(strlen(raw) + 1);
    size_t o = 0, row = 0;
    const char *p;
    if (!out) return NULL;
    for (p = raw; *p; p++) {
        if (*p == '\r' && p[1] != '\n') o = row; /* back to the row's start: what follows overwrites */
        else if (*p == '\r') continue;
        else if (p[0] == '\033' && p[1] == '[' && p[2] == '2' && p[3] == 'K') p += 3;
        else {
            out[o++] = *p;
            if (*p == '\n') row = o;
        }
    }
    out[o] = 0;
    return out;
}
/* Issue 14 item 11: long work shows a status line on a terminal (forced after 0 s here with
   HOOKLENS_PROGRESS_AFTER=0), erased before the command prints, so every result row stays on screen;
   with stderr not a terminal nothing but plain lines reaches it. */
static void test_cli_progress(void) {
    int st = -1;
    char *o, *scr;
    size_t i;
    if (!hlt_need("examples/stories260K/model.safetensors")) return;
    o = run_cmd("script -qc 'HOOKLENS_PROGRESS_AFTER=0 ./build/hooklens bench --kernels --shape 64,64 --dtypes f32 --reps 3 "
                "--prompt-tokens 16' /dev/null", &st);
    scr = o ? hlt_screen(o) : NULL;
    CHECKF(st == 0 && o && strstr(o, "\033[2K[bench: matmul"), "exit %d: %s", st, o ? o : "");
    CHECKF(scr && strstr(scr, "\nF32   scalar exact |") && strstr(scr, "\nF32   avx2   exact |") && !strstr(scr, "[bench:"),
           "screen: %s", scr ? scr : "");
    free(o), free(scr);
    o = run_cmd("script -qc 'HOOKLENS_PROGRESS_AFTER=0 ./build/hooklens run --prompt \"Once upon a time\" "
                "--cache build/test_progress.safetensors' /dev/null", &st);
    scr = o ? hlt_screen(o) : NULL;
    CHECKF(st == 0 && o && strstr(o, "[forward: layer 1/") && strstr(o, "[forward done; writing build/test_progress.safetensors]"),
           "exit %d: %s", st, o ? o : "");
    CHECKF(scr && strstr(scr, "wrote ") && !strstr(scr, "[forward"), "screen: %s", scr ? scr : "");
    free(o), free(scr);
    /* not a terminal: no status at all */
    o = run_cmd("HOOKLENS_PROGRESS_AFTER=0 ./build/hooklens bench --kernels --shape 64,64 --dtypes f32 --reps 2 --prompt-tokens 16 "
                "2>&1 >/dev/null; HOOKLENS_PROGRESS_AFTER=0 ./build/hooklens run --prompt 'Once upon a time' "
                "--cache build/test_progress.safetensors 2>&1 >/dev/null", &st);
    CHECKF(st == 0 && o, "exit %d", st);
    for (i = 0; o && o[i]; i++) {
        CHECKF(o[i] != '\033' && o[i] != '\r', "control byte at %zu of stderr: %s", i, o);
        if (o[i] == '\033' || o[i] == '\r') break;
    }
    free(o);
    remove("build/test_progress.safetensors");
}

/* `run --names`: a name that matches no point is an error naming the nearest valid names, and an
   optional point names the switch it needs (TL's use_* flag); with the switch it is cached. */
static void test_cli_run_names(void) {
    int st = -1;
    char *o;
    if (!hlt_need("examples/stories260K/model.safetensors")) return;
    o = run_cmd("./build/hooklens run --tokens '1 400 500' --cache build/test_names.safetensors --names blocks.0.hook_resid_prex 2>&1", &st);
    CHECKF(st != 0 && o && strstr(o, "'blocks.0.hook_resid_prex' is not a hook point") && strstr(o, "nearest: blocks.0.hook_resid_pre"),
           "exit %d: %s", st, o ? o : "");
    free(o);
    o = run_cmd("./build/hooklens run --tokens '1 400 500' --cache build/test_names.safetensors --names 'blocks.*.hook_rot_z' 2>&1", &st);
    CHECKF(st != 0 && o && strstr(o, "nearest: "), "exit %d: %s", st, o ? o : "");
    free(o);
    o = run_cmd("./build/hooklens run --tokens '1 400 500' --cache build/test_names.safetensors --names blocks.1.attn.hook_result 2>&1", &st);
    CHECKF(st != 0 && o && strstr(o, "--use-attn-result") && strstr(o, "use_attn_result"), "exit %d: %s", st, o ? o : "");
    free(o);
    o = run_cmd("./build/hooklens run --tokens '1 400 500' --cache build/test_names.safetensors --names blocks.1.attn.hook_result "
                "--use-attn-result 2>&1", &st);
    CHECKF(st == 0 && o && strstr(o, "wrote 3 tensors (1 hooks"), "exit %d: %s", st, o ? o : "");
    free(o);
    remove("build/test_names.safetensors");
}

/* Issue 14, item 2: every command answers --help with exit 0 and lists every option it accepts
   (taken from the CLI's own tables); an option of another command is refused, naming its owner; an
   unknown option gets the nearest spelling; and no command parses an option outside the table (every
   "--x" literal in tools/cli/ is a table spelling). */
static const struct { const char *name, *opts; } hlt_cli_cmds[] = {
#define HL__X(name, fn, npos, usage, opts, help) {name, opts},
    HL_CLI_COMMANDS(HL__X)
#undef HL__X
};
static const char *const hlt_cli_opts[] = {
#define HL__X(id, spelling, kind, value, lo, hi, many, help) spelling,
    HL_CLI_OPTIONS(HL__X)
#undef HL__X
};
static int hlt_in_list(const char *list, const char *word) { /* word in a space-separated list */
    size_t k = strlen(word);
    while (*list) {
        size_t w = strcspn(list, " ");
        if (w == k && memcmp(list, word, k) == 0) return 1;
        list += w;
        while (*list == ' ') list++;
    }
    return 0;
}
static void test_cli_help_all(void) {
    const size_t nc = sizeof hlt_cli_cmds / sizeof hlt_cli_cmds[0], no = sizeof hlt_cli_opts / sizeof hlt_cli_opts[0];
    size_t c, o, listed = 0;
    char cmd[512];
    int st = -1;
    char *out;
    CHECK(nc >= 16 && no >= 50);
    for (c = 0; c < nc; c++) {
        const char *foreign = NULL;
        snprintf(cmd, sizeof cmd, "./build/hooklens %s --help 2>/dev/null", hlt_cli_cmds[c].name);
        out = run_cmd(cmd, &st);
        CHECKF(st == 0 && out && strstr(out, "usage: hooklens "), "%s --help: exit %d", hlt_cli_cmds[c].name, st);
        for (o = 0; out && o < no; o++) {
            char needle[64];
            snprintf(needle, sizeof needle, "  %s ", hlt_cli_opts[o]); /* an option line starts with it */
            if (hlt_in_list(hlt_cli_cmds[c].opts, hlt_cli_opts[o] + 2)) {
                CHECKF(strstr(out, needle) != NULL, "%s --help does not list %s", hlt_cli_cmds[c].name, hlt_cli_opts[o]);
                listed++;
            } else if (!foreign && strcmp(hlt_cli_opts[o], "--help") != 0) {
                foreign = hlt_cli_opts[o];
                CHECKF(strstr(out, needle) == NULL, "%s --help lists %s, which it does not take", hlt_cli_cmds[c].name, foreign);
            }
        }
        free(out);
        /* -h too */
        snprintf(cmd, sizeof cmd, "./build/hooklens %s -h >/dev/null 2>&1", hlt_cli_cmds[c].name);
        CHECKF(system(cmd) == 0, "%s -h", hlt_cli_cmds[c].name);
        /* an option of another command: exit 2 and "does not apply" */
        if (foreign) {
            snprintf(cmd, sizeof cmd, "./build/hooklens %s %s 1 2>&1", hlt_cli_cmds[c].name, foreign);
            out = run_cmd(cmd, &st);
            CHECKF(WEXITSTATUS(st) == 2 && out && strstr(out, "does not apply"), "%s %s: exit %d: %s", hlt_cli_cmds[c].name,
                   foreign, st, out ? out : "");
            free(out);
        }
    }
    CHECK(listed >= 80);
    /* unknown options: the nearest spelling, this command's first */
    out = run_cmd("./build/hooklens generate --temprature 0 2>&1", &st);
    CHECKF(WEXITSTATUS(st) == 2 && out && strstr(out, "unknown option --temprature; did you mean --temperature?"), "%s", out ? out : "");
    free(out);
    out = run_cmd("./build/hooklens sae m s --top 3 2>&1", &st);
    CHECKF(WEXITSTATUS(st) == 2 && out && strstr(out, "did you mean --top-k?"), "%s", out ? out : "");
    free(out);
    out = run_cmd("./build/hooklens run --tempreature 2 2>&1", &st);
    CHECKF(WEXITSTATUS(st) == 2 && out && strstr(out, "did you mean --temperature (an option of generate)?"), "%s", out ? out : "");
    free(out);
    out = run_cmd("./build/hooklens run --temperature 2 --cache x 2>&1", &st);
    CHECKF(WEXITSTATUS(st) == 2 && out && strstr(out, "--temperature does not apply to run (it is an option of generate)"), "%s",
           out ? out : "");
    free(out);
    out = run_cmd("./build/hooklens generate --threads=many 2>&1", &st);
    CHECKF(WEXITSTATUS(st) == 2 && out && strstr(out, "--threads many: not a whole number in [0, 1024]"), "%s", out ? out : "");
    free(out);
    out = run_cmd("./build/hooklens detokenize --help 2>&1", &st); /* not a file named --help */
    CHECKF(st == 0 && out && strstr(out, "usage: hooklens detokenize"), "%s", out ? out : "");
    free(out);
    /* no option parsed outside the table: every "--name" literal in the CLI's sources is a spelling */
    out = run_cmd("cat tools/cli/*.c | grep -o '\"--[a-z0-9-]*' | sort -u", &st);
    CHECK(st == 0 && out && strstr(out, "\"--prompt"));
    if (out) {
        char *line = out, *nl;
        int found_all = 1;
        for (; *line; line = nl + 1) {
            int known = 0;
            if (!(nl = strchr(line, '\n'))) break;
            *nl = 0;
            known = strcmp(line + 1, "--help") == 0 || strcmp(line + 1, "--version") == 0 || strcmp(line + 1, "--") == 0;
            for (o = 0; o < no && !known; o++) known = strcmp(line + 1, hlt_cli_opts[o]) == 0;
            CHECKF(known, "tools/cli parses %s, which is not in the option table", line + 1);
            found_all &= known;
        }
        (void)found_all;
    }
    free(out);
}

/* The README's "Use it in your project" snippet, cut out of README.md as it stands: it compiles
   warning-free as C11 and as C++11 at -O2 (-Wall -Wextra -Werror), and runs (exit 0, a cache file). */
static void test_readme_snippet(void) {
    size_t len = 0;
    char *md = hlt_read_file("README.md", &len), *a, *b, cmd[1024], *o;
    FILE *f;
    int st = -1, k;
    CHECK(md != NULL);
    if (!md) return;
    a = strstr(md, "## Use it in your project");
    a = a ? strstr(a, "```c\n") : NULL;
    b = a ? strstr(a + 5, "```") : NULL;
    CHECK(a && b);
    if (a && b) {
        for (k = 0; k < 2; k++) {
            const char *src = k ? "build/readme_snippet.cpp" : "build/readme_snippet.c";
            f = fopen(src, "wb");
            CHECK(f != NULL);
            if (!f) continue;
            fwrite(a + 5, 1, (size_t)(b - a - 5), f);
            fclose(f);
            snprintf(cmd, sizeof cmd, "%s -O2 -Wall -Wextra -Werror %s -D_POSIX_C_SOURCE=200809L -I. -o build/readme_snippet %s "
                     "-lm -pthread 2>&1 && rm -f cache.safetensors && ./build/readme_snippet 2>&1 && test -s cache.safetensors",
                     k ? "c++ -std=c++11" : "cc -std=c11", k ? "-Wmissing-field-initializers" : "", src);
            o = run_cmd(cmd, &st);
            CHECKF(st == 0, "%s: exit %d: %s", src, st, o ? o : "");
            free(o);
        }
        remove("cache.safetensors");
    }
    free(md);
}

/* The examples run without arguments (issue 14, item 4): 06 and 08 fall back to the gemma2-tiny
   fixture and its SAE and say so; a missing argument is named; 05 exits non-zero after an error. */
static void test_examples_without_args(void) {
    int st = -1;
    char *o;
    if (!hlt_need(hlt_fixture("saes/gemma2-tiny/gemmascope-jumprelu/params.npz"))) return;
    o = example("06_sae_features", NULL, &st);
    CHECKF(st == 0 && o && strstr(o, "gemma2-tiny test fixture") && strstr(o, "hook_sae_acts_post"), "exit %d: %s", st, o ? o : "");
    free(o);
    o = example("08_steering", NULL, &st);
    CHECKF(st == 0 && o && strstr(o, "gemma2-tiny test fixture") && strstr(o, "steered:"), "exit %d: %s", st, o ? o : "");
    free(o);
    o = example("08_steering", "examples/stories260K x", &st);
    CHECKF(st != 0 && o && strstr(o, "missing FEATURE, the third argument"), "exit %d: %s", st, o ? o : "");
    free(o);
    o = example("06_sae_features", "examples/stories260K", &st);
    CHECKF(st != 0 && o && strstr(o, "missing SAE, the second argument"), "exit %d: %s", st, o ? o : "");
    free(o);
    o = example("05_hooks", "examples/stories260K 'a b' 'a b c' x y", &st);
    CHECKF(st != 0 && o && strstr(o, "same number of tokens"), "exit %d: %s", st, o ? o : "");
    free(o);
}

/* generate's defaults are TL's (issue 14, item 7): 10 new tokens, sampling at temperature 1.0 (so
   two seeds differ), stop at EOS; running into n_ctx is reported. */
static void test_cli_generate_defaults(void) {
    int st = -1, k;
    char *o[2];
    if (!hlt_need("examples/stories260K/model.safetensors")) return;
    for (k = 0; k < 2; k++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "./build/hooklens generate --ids --tokens '1 403 407 261 378' --seed %d 2>&1", k + 1);
        o[k] = run_cmd(cmd, &st);
        CHECKF(st == 0 && o[k], "exit %d", st);
    }
    if (o[0] && o[1]) {
        const char *bar = strchr(o[0], '|');
        int count = 0;
        for (; bar && *bar && *bar != '\n'; bar++) count += *bar == ' ' && bar[1] >= '0' && bar[1] <= '9';
        CHECKF(count <= 10 && count > 0, "%d new tokens: %s", count, o[0]);
        CHECKF(strcmp(o[0], o[1]) != 0, "seeds 1 and 2 sampled the same: %s", o[0]);
    }
    free(o[0]), free(o[1]);
    o[0] = run_cmd("./build/hooklens generate --prompt 'Once upon a time' --temperature 0 --max-new-tokens 600 2>&1 >/dev/null", &st);
    CHECKF(st == 0 && o[0] && strstr(o[0], "the context is full (n_ctx 512)"), "exit %d: %s", st, o[0] ? o[0] : "");
    free(o[0]);
}

/* From any directory (issue 14, item 5): `make install PREFIX=...` puts the CLI, the headers and the
   bundled model in place and the installed CLI finds the model from /; a lone copy of the CLI with
   HOOKLENS_HOME pointing nowhere says where it looked. */
static void test_cli_install_anywhere(void) {
    int st = -1;
    char *o, cwd[2048], cmd[4096];
    if (!hlt_need("examples/stories260K/model.safetensors") || !getcwd(cwd, sizeof cwd)) return;
    o = run_cmd("rm -rf build/test_inst && make -s install PREFIX=build/test_inst 2>&1 && ls build/test_inst/include "
                "build/test_inst/share/hooklens/stories260K 2>&1", &st);
    CHECKF(st == 0 && o && strstr(o, "hooklens.h") && strstr(o, "hooklens_tools.h") && strstr(o, "model.safetensors"),
           "exit %d: %s", st, o ? o : "");
    free(o);
    snprintf(cmd, sizeof cmd, "cd / && HL_MODEL= %s/build/test_inst/bin/hooklens generate --prompt 'Once upon' --temperature 0 "
             "--max-new-tokens 4 2>&1", cwd);
    o = run_cmd(cmd, &st);
    CHECKF(st == 0 && o && strncmp(o, "Once upon a time", 16) == 0, "exit %d: %s", st, o ? o : "");
    free(o);
    snprintf(cmd, sizeof cmd, "mkdir -p build/test_lonely && cp build/hooklens build/test_lonely/ && cd / && HL_MODEL= "
             "HOOKLENS_HOME=/nonexistent %s/build/test_lonely/hooklens generate --prompt x 2>&1", cwd);
    o = run_cmd(cmd, &st);
    CHECKF(st != 0 && o && strstr(o, "no default model found; looked in: /nonexistent/stories260K"), "exit %d: %s", st, o ? o : "");
    free(o);
    o = run_cmd("rm -rf build/test_inst build/test_lonely", &st);
    free(o);
}

/* 10-12, the analysis workflows on the bundled model: the logit lens ends on the model's own
   prediction (rank 0 at final_post), the attributions of the decomposition sum to the logit
   difference (Llama: no b_U), the head table and both half losses print. */
static void test_examples_analysis(void) {
    int st = -1;
    char *o;
    o = example("10_logit_lens", NULL, &st);
    CHECKF(st == 0 && o && strstr(o, "component    top token") && strstr(o, "0_pre ") && strstr(o, "\nfinal_post     410 ") &&
               strstr(o, " 0\n"), "exit %d: %s", st, o ? o : "");
    free(o);
    o = example("11_logit_attribution", NULL, &st);
    CHECKF(st == 0 && o && strstr(o, "logit difference 0.133") && strstr(o, "(sum 0.133;") && strstr(o, "the attention heads:\n  L"),
           "exit %d: %s", st, o ? o : "");
    free(o);
    o = example("12_induction_heads", NULL, &st);
    CHECKF(st == 0 && o && strstr(o, "layer 4:") && strstr(o, "loss per token: first copy "), "exit %d: %s", st, o ? o : "");
    free(o);
}

/* A cache file describes itself (issue 14, item 9): __metadata__ with the model, architecture,
   prompt, str tokens (JSON), hooklens version and TL's processing flags. */
static void test_cli_cache_metadata(void) {
    int st = -1;
    char *o;
    hl_safetensors *f = NULL;
    hl_error e;
    if (!hlt_need("examples/stories260K/model.safetensors")) return;
    o = run_cmd("./build/hooklens run examples/stories260K --prompt 'Once upon a \"time\"' --cache build/test_meta.safetensors "
                "--names hook_embed 2>&1", &st);
    CHECKF(st == 0, "exit %d: %s", st, o ? o : "");
    free(o);
    CHECK_OK(hl_safetensors_open("build/test_meta.safetensors", &f, &e), &e);
    if (f) {
        const char *v;
        CHECK((v = hl_safetensors_metadata(f, "model")) && strcmp(v, "examples/stories260K") == 0);
        CHECK((v = hl_safetensors_metadata(f, "architecture")) && strcmp(v, "LlamaForCausalLM") == 0);
        CHECK((v = hl_safetensors_metadata(f, "prompt")) && strcmp(v, "Once upon a \"time\"") == 0);
        CHECK((v = hl_safetensors_metadata(f, "hooklens_version")) && strcmp(v, hl_version()) == 0);
        CHECKF((v = hl_safetensors_metadata(f, "processing")) &&
                   strcmp(v, "{\"fold_ln\": true, \"center_writing_weights\": false, \"center_unembed\": true, "
                             "\"fold_value_biases\": false}") == 0, "%s", v ? v : "(none)");
        CHECKF((v = hl_safetensors_metadata(f, "str_tokens")) && strncmp(v, "[\"<s>\", ", 8) == 0 && strstr(v, "\"\\\"\""),
               "%s", v ? v : "(none)");
        {   /* str_tokens is valid JSON: a list of as many strings as tokens */
            hl_json_doc *doc = NULL;
            const hl_tensor *t = hl_safetensors_find(f, "tokens");
            CHECK_OK(hl_json_parse(v ? v : "", v ? strlen(v) : 0, &doc, &e), &e);
            CHECK(doc && t && (int64_t)hl_json_root(doc)->len == t->shape[1]);
            hl_json_free(doc);
        }
        hl_safetensors_close(f);
    }
    remove("build/test_meta.safetensors");
}

/* 09: the notebook's first cells on GPT-Neo (the gptneo-tiny fixture without arguments): greedy
   generate gives meta.json's greedy_continuation, test_prompt ranks it first, layer 1's window (4
   keys) shows in the cached pattern, and ablating head 0 moves the answer's log-prob. */
static void test_example_tiny_stories(void) {
    int st = -1;
    char *o;
    if (!hlt_need(hlt_fixture("models/gptneo-tiny"))) return;
    o = example("09_tiny_stories", NULL, &st);
    if (!o) return;
    CHECKF(st == 0 && strstr(o, "GPTNeoForCausalLM, 4 layers") && strstr(o, "window 4 on layers 1 3") &&
               strstr(o, "fold_ln 1, center_writing_weights 1, center_unembed 1, fold_value_biases 1") &&
               strstr(o, "generate (greedy, 12 tokens): [895, 218, 920, 920, 920, 920, 920, 920,") &&
               strstr(o, "Rank: 0 Logit: ") && strstr(o, "run_with_cache: 72 activations") &&
               strstr(o, "the last query attends to 4 keys") && strstr(o, "ablating head 0 of layer 1: log p(next token 895)"),
           "exit %d: %s", st, o);
    free(o);
}

static void test_example_steering(void) {
    int st = -1, st0 = -1;
    char *o = example("08_steering", FIX_MODEL_SAE " 72 200 " FIX_TOKENS " blocks.2.hook_resid_post", &st);
    char *z = example("08_steering", FIX_MODEL_SAE " 72 0 " FIX_TOKENS " blocks.2.hook_resid_post", &st0);
    const char *greedy = " 112 112 112 112 112 112 112 112"; /* meta.json greedy_continuation */
    char *plain, *spliced, *steered, *steered0;
    if (!o || !z) goto done;
    CHECKF(st == 0 && st0 == 0, "exit %d/%d: %s", st, st0, o);
    plain = strstr(o, "plain:");
    spliced = strstr(o, "spliced:");
    steered = strstr(o, "steered:");
    steered0 = strstr(z, "steered:");
    CHECK(plain && spliced && steered && steered0);
    if (!plain || !spliced || !steered || !steered0) goto done;
    CHECK(strncmp(plain + 10, greedy, strlen(greedy)) == 0);
    CHECK(strncmp(spliced + 10, plain + 10, (size_t)(strchr(plain, '\n') - plain) - 10) == 0);
    CHECK(strncmp(steered + 10, plain + 10, (size_t)(strchr(plain, '\n') - plain) - 10) != 0);
    CHECK(strncmp(steered0 + 10, plain + 10, (size_t)(strchr(plain, '\n') - plain) - 10) == 0);
done:
    free(o);
    free(z);
}

void suite_examples(void) {
    RUN(test_example_tour);
    RUN(test_example_generate);
    RUN(test_example_test_prompt);
    RUN(test_example_run_with_cache);
    RUN(test_example_token_log_probs);
    RUN(test_example_hooks);
    RUN(test_example_sae_features);
    RUN(test_example_explanation_search);
    RUN(test_example_steering);
    RUN(test_example_tiny_stories);
    RUN(test_cli_help_all);
    RUN(test_cli_generate_terminal);
    RUN(test_cli_progress);
    RUN(test_cli_run_names);
    RUN(test_cli_cache_metadata);
    RUN(test_readme_snippet);
    RUN(test_examples_without_args);
    RUN(test_cli_generate_defaults);
    RUN(test_cli_install_anywhere);
    RUN(test_examples_analysis);
    RUN(test_cli_sae_html);
    RUN(test_cli_info);
}
