/* tests/test_scan.c - feature statistics over a corpus (hl_scan, hl_scanrun, `hooklens scan` and
   `scan-merge`): a brute-force check that keeps every activation in memory, shards merged equal to
   one process byte for byte, shards of another model or split refused, the scan file's checks. */
#include <stdlib.h>
#include "hl_test.h"
#include "../tools/hooklens_tools.h"

#define SCAN_SAE "saes/gemma2-tiny/gemmascope-jumprelu/params.npz"

/* A 1-D uint16 .npy of n pseudo-random ids in [1, V). */
static void scan_npy(const char *path, int64_t n, int64_t V, uint32_t seed) {
    FILE *f = fopen(path, "wb");
    char h[128];
    int hl, pad, i;
    uint16_t L;
    if (!f) return;
    hl = snprintf(h, sizeof h, "{'descr': '<u2', 'fortran_order': False, 'shape': (%lld,), }", (long long)n);
    pad = (64 - (10 + hl + 1) % 64) % 64;
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    L = (uint16_t)(hl + pad + 1);
    fputc(L & 255, f), fputc(L >> 8, f);
    fwrite(h, 1, (size_t)hl, f);
    for (i = 0; i < pad; i++) fputc(' ', f);
    fputc('\n', f);
    for (i = 0; i < n; i++) {
        uint32_t x = ((uint32_t)i + seed) * 2654435761u;
        uint16_t v = (uint16_t)(1 + (x >> 9) % (uint32_t)(V - 1));
        fputc(v & 255, f), fputc(v >> 8, f);
    }
    fclose(f);
}

typedef struct scan_ex {
    float   v;
    int64_t w, p;
} scan_ex;
static int scan_ex_cmp(const void *a, const void *b) {
    const scan_ex *x = (const scan_ex *)a, *y = (const scan_ex *)b;
    if (x->v != y->v) return x->v > y->v ? -1 : 1;
    if (x->w != y->w) return x->w < y->w ? -1 : 1;
    return x->p < y->p ? -1 : x->p > y->p;
}

/* The stored context of an example at (w, p) (C = 2r+1 tokens and activations, when the scan keeps
   contexts): the window's tokens at p-r .. p+r (-1 outside it) and the feature's activations there
   (0 at BOS, which the scan leaves out, and outside). Returns the number of wrong entries. */
static int64_t scan_ctx_bad(const hl_scan_view *v, const int32_t *ctok, const float *cact, const int32_t *alltok,
                            const float *all, int64_t ctx, int64_t d, int64_t f, int64_t w, int64_t p) {
    const int64_t r = v->ctx_radius;
    int64_t j, bad = 0;
    for (j = 0; r > 0 && j <= 2 * r; j++) {
        const int64_t q = p - r + j, in = q >= 0 && q < ctx;
        bad += ctok[j] != (in ? alltok[w * ctx + q] : -1);
        bad += cact[j] != (in && q > 0 ? all[(w * ctx + q) * d + f] : 0.0f);
    }
    return bad;
}

/* Runs every window alone with run_with_cache, keeps acts_post of all of them [W, ctx, d], and
   checks the scan against statistics computed from that: count, max, top-k (values, windows,
   positions, and their stored contexts), histogram, sums (1e-12). */
static void scan_brute(hl_model *m, hl_sae *sae, const hl_corpus *c, int64_t ctx, const hl_scan *s) {
    const int64_t W = hl_corpus_windows(c, ctx), d = hl_sae_get_config(sae)->d_sae, k = hl_scan_get_config(s)->top_k;
    const int64_t nb = hl_scan_get_config(s)->n_bins;
    float *all = (float *)malloc(sizeof(float) * (size_t)(W * ctx * d));
    int32_t *alltok = (int32_t *)malloc(sizeof(int32_t) * (size_t)(W * ctx)), *win;
    scan_ex *ex = (scan_ex *)malloc(sizeof(scan_ex) * (size_t)(W * ctx));
    int64_t *hist = (int64_t *)malloc(sizeof(int64_t) * (size_t)nb), C, ctx_checked = 0;
    char name[256];
    hl_cache *cache = NULL;
    hl_error e;
    hl_scan_view v;
    int64_t w, f, i, j, bad = 0, fired = 0;
    const hl_names_filter *none = NULL;
    snprintf(name, sizeof name, "%s.hook_sae_acts_post", hl_sae_attached_hook(sae));
    CHECK_OK(hl_cache_create(&cache, &e), &e);
    (void)none;
    for (w = 0; w < W; w++) {
        const hl_tensor *t;
        win = alltok + w * ctx;
        hl_corpus_window(c, ctx, w, hl_model_config(m)->bos_id, win);
        CHECK_OK(hl_model_run_with_cache(m, win, ctx, NULL, cache, NULL, &e), &e);
        t = hl_cache_get(cache, name);
        CHECK(t != NULL && hl_tensor_numel(t) == ctx * d);
        if (t) memcpy(all + w * ctx * d, t->data, sizeof(float) * (size_t)(ctx * d));
    }
    hl_scan_stats(s, &v);
    C = 2 * v.ctx_radius + 1;
    for (f = 0; f < d; f++) {
        int64_t n = 0, cnt = 0;
        float mx = 0.0f;
        double sum = 0.0, ssq = 0.0, ss, sq;
        memset(hist, 0, sizeof(int64_t) * (size_t)nb);
        for (w = 0; w < W; w++)
            for (i = 1; i < ctx; i++) { /* BOS (position 0) left out */
                const float a = all[(w * ctx + i) * d + f];
                sum += a, ssq += (double)a * a;
                if (!(a > 0.0f)) continue;
                for (j = 0; j + 1 < nb && (double)a >= v.edges[j + 1]; j++) {} /* edges[j] <= a < edges[j+1] */
                hist[j]++;
                cnt++;
                if (a > mx) mx = a;
                ex[n].v = a, ex[n].w = w, ex[n].p = i, n++;
            }
        qsort(ex, (size_t)n, sizeof *ex, scan_ex_cmp);
        fired += cnt > 0;
        bad += v.count[f] != cnt || v.max[f] != mx;
        for (j = 0; j < k; j++) {
            const int64_t o = f * k + j;
            if (j < n) bad += v.top_values[o] != ex[j].v || v.top_window[o] != ex[j].w || v.top_pos[o] != ex[j].p;
            else bad += v.top_window[o] != -1 || v.top_pos[o] != -1;
            if (j < n && v.ctx_radius > 0)
                bad += scan_ctx_bad(&v, v.top_ctx_tokens + o * C, v.top_ctx_acts + o * C, alltok, all, ctx, d, f, ex[j].w, ex[j].p),
                    ctx_checked++;
        }
        for (j = 0; j < nb; j++) bad += v.hist[f * nb + j] != hist[j];
        { /* interval samples: min(k, values in the group) of them, each a real (window, position) with
             its value, in its group, no repeats */
            const int64_t nq = hl_scan_get_config(s)->n_quantiles, qk = hl_scan_get_config(s)->quantile_k, per = nb / nq;
            int64_t g, a, b2;
            for (g = 0; g < nq; g++) {
                int64_t in = 0, got = 0;
                for (j = g * per; j < (g + 1) * per; j++) in += hist[j];
                for (a = 0; a < qk; a++) {
                    const int64_t o = (f * nq + g) * qk + a, w2 = v.q_window[o], p2 = v.q_pos[o];
                    if (w2 < 0) continue;
                    got++;
                    bad += w2 >= W || p2 < 1 || p2 >= ctx || all[(w2 * ctx + p2) * d + f] != v.q_values[o];
                    if (v.ctx_radius > 0 && w2 < W)
                        bad += scan_ctx_bad(&v, v.q_ctx_tokens + o * C, v.q_ctx_acts + o * C, alltok, all, ctx, d, f, w2, p2),
                            ctx_checked++;
                    for (j = 0; j + 1 < nb && (double)v.q_values[o] >= v.edges[j + 1]; j++) {}
                    bad += j / per != g;
                    for (b2 = 0; b2 < a; b2++) bad += v.q_window[o - a + b2] == w2 && v.q_pos[o - a + b2] == p2;
                }
                bad += got != (in < qk ? in : qk);
            }
        }
        hl_scan_sums(s, f, &ss, &sq);
        bad += fabs(ss - sum) > 1e-12 * (fabs(sum) + 1e-30) + 1e-300 || fabs(sq - ssq) > 1e-12 * (ssq + 1e-30);
        if (bad) {
            CHECKF(0, "feature %lld: count %lld/%lld max %g/%g sum %.17g/%.17g", (long long)f, (long long)v.count[f],
                   (long long)cnt, v.max[f], mx, ss, sum);
            break;
        }
    }
    CHECKF(fired > d / 4, "only %lld of %lld features fired: the check says little", (long long)fired, (long long)d);
    printf("  brute force: %lld windows x %lld positions, %lld features (%lld fired): counts, max, top-%lld, histograms, sums, "
           "interval samples agree; %lld contexts of +-%lld tokens\n",
           (long long)W, (long long)ctx, (long long)d, (long long)fired, (long long)k, (long long)ctx_checked, (long long)v.ctx_radius);
    hl_cache_free(cache);
    free(all), free(alltok), free(ex), free(hist);
}

static hl_status scan_zero_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    (void)info, (void)user;
    memset(act->data, 0, sizeof(float) * (size_t)hl_tensor_numel(act));
    return HL_OK;
}
static double scan_json_num(const hl_json_doc *doc, const char *key) {
    const hl_json *v = hl_json_get(hl_json_root(doc), key);
    CHECKF(v != NULL, "metrics.json has no %s", key);
    return v ? hl_json_num(v, NAN) : NAN;
}
/* The corpus metrics from one window at a time (the SAE spliced, the model alone, the hook zeroed),
   against the scan's metrics JSON within 1e-5 relative. Returns CE loss recovered. */
static double scan_metrics_brute(hl_model *m, hl_sae *sae, const hl_corpus *c, int64_t ctx, const hl_scan *s, int error_term) {
    const int64_t W = hl_corpus_windows(c, ctx), d = hl_sae_get_config(sae)->d_in, V = hl_model_config(m)->d_vocab;
    const char *hook = hl_sae_attached_hook(sae);
    char hk[256], nin[300], nrec[300];
    double *sx = (double *)calloc((size_t)d, sizeof(double)), sse = 0, x2 = 0, ce[3] = {0, 0, 0}, n = 0, np = 0, l0 = 0, sst;
    float *lg = (float *)malloc(sizeof(float) * (size_t)(ctx * V)), *lp = (float *)malloc(sizeof(float) * (size_t)V);
    int32_t *win = (int32_t *)malloc(sizeof(int32_t) * (size_t)ctx);
    hl_cache *cache = NULL;
    hl_error e;
    hl_json_doc *doc = NULL;
    char *json = NULL;
    int64_t w, t, j, run;
    int hz = -1;
    double rec = NAN;
    snprintf(hk, sizeof hk, "%s", hook);
    snprintf(nin, sizeof nin, "%s.hook_sae_input", hk);
    snprintf(nrec, sizeof nrec, "%s.hook_sae_recons", hk);
    CHECK_OK(hl_cache_create(&cache, &e), &e);
    for (w = 0; w < W; w++) {
        hl_corpus_window(c, ctx, w, hl_model_config(m)->bos_id, win);
        for (run = 0; run < 3; run++) { /* 0: with the SAE, 1: alone, 2: zeroed */
            if (run == 1) hl_sae_detach(sae);
            if (run == 2) CHECK_OK(hl_model_add_hook(m, hk, scan_zero_hook, NULL, &hz, &e), &e);
            CHECK_OK(hl_model_run_with_cache(m, win, ctx, NULL, cache, lg, &e), &e);
            if (run == 2) {
                hl_model_remove_hook(m, hz, NULL);
                CHECK_OK(hl_sae_attach(sae, m, hk, error_term, &e), &e);
            }
            for (t = 0; t + 1 < ctx; t++) {
                hl_log_softmax(lg + t * V, V, lp);
                ce[run] += -(double)lp[win[t + 1]];
            }
            if (run == 0) {
                const hl_tensor *x = hl_cache_get(cache, nin), *y = hl_cache_get(cache, nrec);
                char nacts[300];
                const hl_tensor *a;
                snprintf(nacts, sizeof nacts, "%s.hook_sae_acts_post", hk);
                a = hl_cache_get(cache, nacts);
                CHECK(x && y && a);
                if (!x || !y || !a) break;
                for (t = 1; t < ctx; t++) {
                    for (j = 0; j < d; j++) {
                        const double xv = ((const float *)x->data)[t * d + j], yv = ((const float *)y->data)[t * d + j];
                        sse += (xv - yv) * (xv - yv), x2 += xv * xv, sx[j] += xv;
                    }
                    for (j = 0; j < hl_sae_get_config(sae)->d_sae; j++) l0 += ((const float *)a->data)[t * hl_sae_get_config(sae)->d_sae + j] > 0.0f;
                }
                n += (double)(ctx - 1), np += (double)(ctx - 1);
            }
        }
    }
    sst = x2;
    for (j = 0; j < d; j++) sst -= sx[j] * sx[j] / n;
    CHECK_OK(hl_scan_metrics_json(s, &json, &e), &e);
    if (json) CHECK_OK(hl_json_parse(json, strlen(json), &doc, &e), &e);
    if (doc) {
        const double want[7] = {l0 / n, sse / (n * (double)d), 1.0 - sse / sst, ce[1] / np, ce[0] / np, ce[2] / np,
                                (ce[2] - ce[0]) / (ce[2] - ce[1])};
        static const char *const keys[7] = {"l0", "mse", "explained_variance", "ce_loss_clean", "ce_loss_with_sae",
                                            "ce_loss_zero_ablated", "ce_loss_recovered"};
        for (j = 0; j < 7; j++) {
            const double got = scan_json_num(doc, keys[j]);
            CHECKF(fabs(got - want[j]) <= 1e-5 * fabs(want[j]) + 1e-12, "%s: scan %.10g, brute force %.10g", keys[j], got, want[j]);
        }
        CHECK(scan_json_num(doc, "tokens") == n);
        rec = scan_json_num(doc, "ce_loss_recovered");
        printf("  metrics: l0 %.4g, mse %.4g, explained variance %.4g, CE clean %.4g / with SAE %.4g / zeroed %.4g, recovered %.6g\n",
               want[0], want[1], want[2], want[3], want[4], want[5], rec);
    }
    hl_json_free(doc);
    hl_free(json);
    hl_cache_free(cache);
    free(sx), free(lg), free(lp), free(win);
    return rec;
}

/* The logit effects of a few features against W_dec[f] @ TL's W_U (hl_model_param) in f64: the
   same 10 top and bottom tokens, values within 1e-5. */
static void scan_logits_brute(hl_model *m, hl_sae *sae, const hl_scan *s) {
    const int64_t d = hl_sae_get_config(sae)->d_sae, di = hl_sae_get_config(sae)->d_in, V = hl_model_config(m)->d_vocab;
    const int64_t fs[3] = {0, d / 2, d - 1};
    hl_tensor wu;
    hl_scan_view v;
    hl_error e;
    float *dir = (float *)malloc(sizeof(float) * (size_t)di), *lg = (float *)malloc(sizeof(float) * (size_t)V);
    int32_t idx[10];
    float val[10];
    int64_t i, j, t, bad = 0;
    hl_scan_stats(s, &v);
    CHECKF(v.n_logits == 10, "n_logits %lld", (long long)v.n_logits);
    CHECK_OK(hl_model_param(m, "W_U", -1, &wu, &e), &e);
    for (i = 0; i < 3 && v.n_logits == 10 && wu.data; i++) {
        double mean = 0.0;
        CHECK_OK(hl_sae_feature_direction(sae, fs[i], dir, &e), &e);
        for (t = 0; t < V; t++) {
            double acc = 0.0;
            for (j = 0; j < di; j++) acc += (double)dir[j] * (double)((const float *)wu.data)[j * V + t];
            lg[t] = (float)acc;
            mean += acc;
        }
        (void)mean;
        hl_top_k(lg, V, 10, idx, val);
        for (j = 0; j < 10; j++)
            bad += v.logit_top_ids[fs[i] * 10 + j] != idx[j] || fabs(v.logit_top_values[fs[i] * 10 + j] - val[j]) > 1e-5 * fabs(val[0]);
        for (t = 0; t < V; t++) lg[t] = -lg[t];
        hl_top_k(lg, V, 10, idx, val);
        for (j = 0; j < 10; j++)
            bad += v.logit_bottom_ids[fs[i] * 10 + j] != idx[j] || fabs(v.logit_bottom_values[fs[i] * 10 + j] + val[j]) > 1e-5 * fabs(val[0]);
    }
    CHECKF(bad == 0, "%lld logit effects differ from W_dec @ W_U", (long long)bad);
    hl_free(wu.data);
    free(dir), free(lg);
}

/* The fixture model with its fixture SAE, a .npy corpus. */
static void test_scan_brute_force_fixture(void) {
    hl_model_desc md;
    hl_sae_desc sd;
    hl_model *m = NULL;
    hl_sae *sae = NULL;
    hl_corpus *c = NULL;
    hl_scan *s = NULL;
    hl_scanrun_opts o;
    hl_error e;
    char **meta = NULL;
    const char *files[1] = {"build/test_scan_corpus.npy"};
    memset(&md, 0, sizeof md);
    memset(&sd, 0, sizeof sd);
    md.path = hlt_fixture("models/gemma2-tiny");
    sd.path = hlt_fixture(SCAN_SAE);
    sd.hook_name = "blocks.2.hook_resid_post";
    if (!hlt_need(md.path) || !hlt_need(sd.path)) return;
    scan_npy(files[0], 700, 512, 3);
    CHECK_OK(hl_model_load(&md, &m, &e), &e);
    CHECK_OK(hl_sae_load(&sd, &sae, &e), &e);
    if (!m || !sae) goto done;
    CHECK_OK(hl_sae_attach(sae, m, NULL, 0, &e), &e);
    CHECK_OK(hl_corpus_load(m, files, 1, &c, &e), &e);
    memset(&o, 0, sizeof o);
    o.ctx = 24, o.top_k = 7, o.batch = 5, o.ctx_radius = 3;
    CHECK_OK(hl_scanrun(m, sae, c, &o, &s, &meta, &e), &e);
    if (c && s) scan_brute(m, sae, c, 24, s);
    if (c && s) scan_metrics_brute(m, sae, c, 24, s, 0);
    if (s) scan_logits_brute(m, sae, s);
    /* with the error term the spliced model is the model: CE loss recovered 1 */
    hl_free(meta), hl_scan_free(s), meta = NULL, s = NULL;
    o.use_error_term = 1;
    CHECK_OK(hl_scanrun(m, sae, c, &o, &s, &meta, &e), &e);
    if (c && s) {
        const double rec = scan_metrics_brute(m, sae, c, 24, s, 1);
        CHECKF(fabs(rec - 1.0) < 1e-5, "CE loss recovered with the error term: %.9g", rec);
    }
done:
    hl_free(meta);
    hl_scan_free(s);
    hl_corpus_free(c);
    hl_sae_free(sae);
    hl_model_free(m);
}

/* The bundled model with a random SAE at blocks.2.hook_resid_post, on a text and a .jsonl file. */
static void test_scan_brute_force_bundled(void) {
    hl_model_desc md;
    hl_model *m = NULL;
    hl_sae *sae = NULL;
    hl_corpus *c = NULL;
    hl_scan *s = NULL;
    hl_scanrun_opts o;
    hl_sae_config sc;
    hl_sae_params sp;
    hl_tensor We, Wd, be, bd;
    hl_error e;
    char **meta = NULL;
    const char *files[2] = {"build/test_scan_a.txt", "build/test_scan_b.jsonl"};
    float *we = NULL, *wd = NULL, *b1 = NULL, *b2 = NULL;
    int64_t di, ds = 96, i;
    FILE *f;
    memset(&md, 0, sizeof md);
    md.path = "examples/stories260K";
    CHECK_OK(hl_model_load(&md, &m, &e), &e);
    if (!m) return;
    di = hl_model_config(m)->d_model;
    if ((f = fopen(files[0], "w"))) {
        for (i = 0; i < 12; i++) fputs("Once upon a time there was a little girl named Lily. She liked to play in the park with her dog. ", f);
        fclose(f);
    }
    if ((f = fopen(files[1], "w"))) {
        fputs("{\"text\": \"The sun was hot and the cat slept under the tree all day long.\"}\n", f);
        fputs("{\"text\": \"Tom had a red ball. He threw it high and his friend caught it.\", \"id\": 2}\n\n", f);
        fclose(f);
    }
    we = (float *)malloc(sizeof(float) * (size_t)(di * ds));
    wd = (float *)malloc(sizeof(float) * (size_t)(di * ds));
    b1 = (float *)calloc((size_t)ds, sizeof(float));
    b2 = (float *)calloc((size_t)di, sizeof(float));
    for (i = 0; i < di * ds; i++) {
        we[i] = (float)((int)((i * 2654435761u) >> 20 & 1023) - 512) / 2048.0f;
        wd[i] = (float)((int)((i * 40503u + 7) >> 4 & 1023) - 512) / 4096.0f;
    }
    for (i = 0; i < ds; i++) b1[i] = -0.05f * (float)(i % 5);
    memset(&sc, 0, sizeof sc);
    memset(&sp, 0, sizeof sp);
    sc.arch = HL_SAE_STANDARD, sc.d_in = di, sc.d_sae = ds, sc.hook_name = "blocks.2.hook_resid_post";
    memset(&We, 0, sizeof We), memset(&Wd, 0, sizeof Wd), memset(&be, 0, sizeof be), memset(&bd, 0, sizeof bd);
    We.dtype = Wd.dtype = be.dtype = bd.dtype = HL_DTYPE_F32;
    We.ndim = 2, We.shape[0] = di, We.shape[1] = ds, We.data = we;
    Wd.ndim = 2, Wd.shape[0] = ds, Wd.shape[1] = di, Wd.data = wd;
    be.ndim = 1, be.shape[0] = ds, be.data = b1;
    bd.ndim = 1, bd.shape[0] = di, bd.data = b2;
    sp.W_enc = &We, sp.W_dec = &Wd, sp.b_enc = &be, sp.b_dec = &bd;
    CHECK_OK(hl_sae_create(&sc, &sp, 1, HL_KERNELS_DEFAULT, &sae, &e), &e);
    if (!sae) goto done;
    CHECK_OK(hl_sae_attach(sae, m, NULL, 0, &e), &e);
    CHECK_OK(hl_corpus_load(m, files, 2, &c, &e), &e);
    CHECKF(c && c->n > 200, "corpus of %lld tokens", c ? (long long)c->n : -1LL);
    { /* a bad .jsonl line: a named error with the file, the line and the parser's own message */
        hl_corpus *cb = NULL;
        const char *bad[1] = {"build/test_scan_bad.jsonl"};
        if ((f = fopen(bad[0], "w"))) {
            fputs("{\"text\": \"fine\"}\nnot json\n", f);
            fclose(f);
        }
        CHECK(hl_corpus_load(m, bad, 1, &cb, &e) == HL_ERR_FORMAT && cb == NULL);
        CHECKF(strstr(e.msg, "build/test_scan_bad.jsonl line 2: ") == e.msg && strstr(e.msg, "unexpected character"), "%s", e.msg);
    }
    if (c) { /* hooklens corpus writes the same stream as a .npy, which loads in place: the same ids and hash */
        hl_corpus *cn = NULL;
        const char *npy[1] = {"build/test_scan_ab.npy"};
        int64_t t, diff = 0;
        CHECK(system("build/hooklens corpus examples/stories260K --corpus build/test_scan_a.txt --corpus build/test_scan_b.jsonl "
                     "--out build/test_scan_ab.npy > /dev/null") == 0);
        CHECK_OK(hl_corpus_load(m, npy, 1, &cn, &e), &e);
        if (cn) {
            CHECK(cn->stream == NULL && c->stream != NULL); /* read in place / tokenized into memory */
            CHECK(cn->n == c->n && strcmp(cn->sha256, c->sha256) == 0);
            for (t = 0; t < c->n && cn->n == c->n; t++) diff += hl_corpus_token(cn, t) != c->stream[t];
            CHECK(diff == 0);
            { /* a view of tokens 5 .. 44, of either kind, is those tokens */
                const hl_corpus va = hl_corpus_view(cn, 5, 40), vb = hl_corpus_view(c, 5, 40);
                CHECK(va.n == 40 && vb.n == 40 && hl_corpus_view(c, c->n - 3, 40).n == 3);
                for (t = 0, diff = 0; t < 40 && c->n > 45; t++)
                    diff += hl_corpus_token(&va, t) != c->stream[5 + t] || hl_corpus_token(&vb, t) != c->stream[5 + t];
                CHECK(diff == 0);
            }
        }
        hl_corpus_free(cn);
    }
    memset(&o, 0, sizeof o);
    o.ctx = 32, o.top_k = 5, o.ctx_radius = 40; /* wider than the window: both ends clipped */
    CHECK_OK(hl_scanrun(m, sae, c, &o, &s, &meta, &e), &e);
    if (c && s) scan_brute(m, sae, c, 32, s);
    if (c && s) scan_metrics_brute(m, sae, c, 32, s, 0);
    /* a zero SAE (W_dec = 0, b_dec = 0) outputs 0: CE loss recovered 0 */
    hl_free(meta), hl_scan_free(s), meta = NULL, s = NULL;
    hl_sae_free(sae), sae = NULL;
    memset(wd, 0, sizeof(float) * (size_t)(di * ds));
    CHECK_OK(hl_sae_create(&sc, &sp, 1, HL_KERNELS_DEFAULT, &sae, &e), &e);
    if (sae) CHECK_OK(hl_sae_attach(sae, m, NULL, 0, &e), &e);
    o.ctx = 32, o.top_k = 5;
    if (sae) CHECK_OK(hl_scanrun(m, sae, c, &o, &s, &meta, &e), &e);
    if (c && s) {
        const double rec = scan_metrics_brute(m, sae, c, 32, s, 0);
        CHECKF(fabs(rec) < 1e-6, "CE loss recovered of a zero SAE: %.9g", rec);
    }
done:
    hl_free(meta);
    hl_scan_free(s);
    hl_corpus_free(c);
    hl_sae_free(sae);
    hl_model_free(m);
    free(we), free(wd), free(b1), free(b2);
}

static char *scan_file(const char *path, size_t *len) {
    char *b = hlt_read_file(path, len);
    CHECKF(b != NULL, "cannot read %s", path);
    return b;
}

static int scan_cli(const char *model, const char *shard, const char *out, const char *ctx) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "build/hooklens scan %s %s --hook blocks.2.hook_resid_post --corpus build/test_scan_corpus2.npy --ctx %s "
             "--top-k 6 --out %s%s%s >/dev/null",
             model, hlt_fixture(SCAN_SAE), ctx, out, shard ? " --shard " : "", shard ? shard : "");
    return system(cmd);
}
/* hooklens scan-merge DIRS --out OUT; stderr to build/test_scan_merge.err. */
static int scan_merge(const char *dirs, const char *out) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "build/hooklens scan-merge %s --out %s >/dev/null 2>build/test_scan_merge.err", dirs, out);
    return system(cmd);
}
/* The last scan-merge's error message contains want. */
static int scan_merge_said(const char *want) {
    size_t len = 0;
    char *t = hlt_read_file("build/test_scan_merge.err", &len);
    int ok = t && strstr(t, want) != NULL;
    if (!ok) printf("  scan-merge said: %s\n", t ? t : "(nothing)");
    free(t);
    return ok;
}

/* hooklens scan in 1, 3 and 7 shards, then scan-merge: the same bytes as one process (shards given
   in any order). A shard of another model, of another ctx, twice, or missing: refused. */
static void test_scan_shards_merge(void) {
    static const int splits[3] = {1, 3, 7};
    char model[512], shard[32], dir[96], dirs[1024], *one, *merged;
    size_t n1 = 0, n2 = 0;
    int si, i;
    snprintf(model, sizeof model, "%s", hlt_fixture("models/gemma2-tiny"));
    if (!hlt_need(model) || !hlt_need(hlt_fixture(SCAN_SAE)) || !hlt_need(hlt_fixture("models/gemma2-tiny-bf16"))) return;
    scan_npy("build/test_scan_corpus2.npy", 1500, 512, 11);
    CHECK(scan_cli(model, NULL, "build/test_scan_single", "20") == 0);
    if (!(one = scan_file("build/test_scan_single/features.safetensors", &n1))) return;
    for (si = 0; si < 3; si++) {
        const int n = splits[si];
        dirs[0] = 0;
        for (i = n - 1; i >= 0; i--) { /* merged in reverse order */
            snprintf(shard, sizeof shard, "%d/%d", i, n);
            snprintf(dir, sizeof dir, "build/test_scan_shard_%d_%d", i, n);
            CHECK(scan_cli(model, shard, dir, "20") == 0);
            strcat(dirs, dir), strcat(dirs, " ");
        }
        snprintf(dir, sizeof dir, "build/test_scan_merged_%d", n);
        CHECK(scan_merge(dirs, dir) == 0);
        snprintf(dir, sizeof dir, "build/test_scan_merged_%d/features.safetensors", n);
        if ((merged = scan_file(dir, &n2)) != NULL) {
            CHECKF(n1 == n2 && memcmp(one, merged, n1) == 0, "%d shards merged differ from one process (%zu vs %zu bytes)", n, n2, n1);
            free(merged);
        }
    }
    free(one);
    /* a shard of another model (the bf16 copy of gemma2-tiny: the same shapes, other bytes) */
    CHECK(scan_cli(hlt_fixture("models/gemma2-tiny-bf16"), "1/3", "build/test_scan_other", "20") == 0);
    CHECK(scan_merge("build/test_scan_shard_0_3 build/test_scan_other build/test_scan_shard_2_3", "build/test_scan_bad") != 0);
    CHECK(scan_merge_said("a shard of another scan: its model is"));
    /* another ctx */
    CHECK(scan_cli(model, "1/3", "build/test_scan_ctx", "16") == 0);
    CHECK(scan_merge("build/test_scan_shard_0_3 build/test_scan_ctx build/test_scan_shard_2_3", "build/test_scan_bad") != 0);
    CHECK(scan_merge_said("its ctx is 16"));
    /* a shard twice, and one missing */
    CHECK(scan_merge("build/test_scan_shard_0_3 build/test_scan_shard_0_3 build/test_scan_shard_2_3", "build/test_scan_bad") != 0);
    CHECK(scan_merge_said("given twice"));
    CHECK(scan_merge("build/test_scan_shard_0_3 build/test_scan_shard_2_3", "build/test_scan_bad") != 0);
    CHECK(scan_merge_said("shard 1/3 is missing"));
    { /* the dashboard of the merged scan, with the corpus contexts; another corpus is refused */
        char cmd[2048], *t;
        size_t len = 0;
        snprintf(cmd, sizeof cmd, "build/hooklens dashboard build/test_scan_merged_3 %s --corpus build/test_scan_corpus2.npy "
                 "--model gemma-2-2b --sae-id 2-test --out build/test_scan_site >/dev/null", model);
        CHECK(system(cmd) == 0);
        t = hlt_read_file("build/test_scan_site/data/chunk-0.js", &len);
        CHECKF(t && strstr(t, "HL_CHUNK(0,[{c:") && strstr(t, "neuronpedia.org/gemma-2-2b/2-test/255"), "chunk-0.js");
        free(t);
        t = hlt_read_file("build/test_scan_site/index.html", &len);
        CHECKF(t && strstr(t, "256 features") && strstr(t, "data/index.js"), "index.html");
        free(t);
        /* a known release: the Neuronpedia ids from the SAE directory */
        CHECK(system("build/hooklens dashboard build/test_scan_merged_3 --release gemma-scope-2b-pt-res-canonical "
                     "--sae-id layer_20/width_16k/canonical --out build/test_scan_site_r >/dev/null") == 0);
        t = hlt_read_file("build/test_scan_site_r/data/chunk-0.js", &len);
        CHECKF(t && strstr(t, "neuronpedia.org/gemma-2-2b/20-gemmascope-res-16k/255"), "chunk-0.js of --release");
        free(t);
        scan_npy("build/test_scan_corpus3.npy", 1500, 512, 12);
        snprintf(cmd, sizeof cmd, "build/hooklens dashboard build/test_scan_merged_3 %s --corpus build/test_scan_corpus3.npy "
                 "--out build/test_scan_site 2>build/test_scan_merge.err >/dev/null", model);
        CHECK(system(cmd) != 0 && scan_merge_said("is not the scan's"));
    }
}

/* hooklens make-random-sae: a JumpReLU SAE calibrated on the model's activations at the hook fires
   about --l0 features per token there, which a scan of another stream of random tokens measures;
   bench --scan times the same scan and reports that L0, the FLOPs and the peaks. */
static void test_scan_random_sae(void) {
    char model[512], cmd[2048], *t, *p;
    size_t len = 0;
    double l0;
    snprintf(model, sizeof model, "%s", hlt_fixture("models/gemma2-tiny"));
    if (!hlt_need(model)) return;
    scan_npy("build/test_scan_corpus4.npy", 3000, 512, 13);
    snprintf(cmd, sizeof cmd, "build/hooklens make-random-sae %s build/test_scan_rsae --hook blocks.2.hook_resid_post --width 2048 "
             "--l0 40 --seed 5 >/dev/null 2>&1 && build/hooklens scan %s build/test_scan_rsae --corpus build/test_scan_corpus4.npy "
             "--ctx 32 --no-ce --no-logits --out build/test_scan_rsae_out >/dev/null", model, model);
    CHECK(system(cmd) == 0);
    t = hlt_read_file("build/test_scan_rsae/cfg.json", &len);
    CHECKF(t && strstr(t, "\"architecture\": \"jumprelu\"") && strstr(t, "\"d_sae\": 2048") && strstr(t, "\"d_in\": 64") &&
           strstr(t, "\"hook_name\": \"blocks.2.hook_resid_post\""), "cfg.json: %s", t ? t : "(none)");
    free(t);
    t = hlt_read_file("build/test_scan_rsae_out/metrics.json", &len);
    p = t ? strstr(t, "\"l0\": ") : NULL;
    l0 = p ? strtod(p + 6, NULL) : -1.0;
    CHECKF(l0 > 20.0 && l0 < 80.0, "random SAE for L0 40: the scan measured %g", l0);
    free(t);
    { /* 31 positions x 2048 features per window: the statistics are split over the threads
         (hl__scan_add_pool), and 1, 2 and 3 threads write the same bytes */
        char *one, *other;
        size_t n1 = 0, n2 = 0;
        int th;
        snprintf(cmd, sizeof cmd, "build/hooklens scan %s build/test_scan_rsae --corpus build/test_scan_corpus4.npy --ctx 32 --no-ce "
                 "--no-logits --threads 1 --out build/test_scan_rsae_t1 >/dev/null", model);
        CHECK(system(cmd) == 0);
        one = hlt_read_file("build/test_scan_rsae_t1/features.safetensors", &n1);
        for (th = 2; th <= 3; th++) {
            snprintf(cmd, sizeof cmd, "build/hooklens scan %s build/test_scan_rsae --corpus build/test_scan_corpus4.npy --ctx 32 --no-ce "
                     "--no-logits --threads %d --out build/test_scan_rsae_tn >/dev/null", model, th);
            CHECK(system(cmd) == 0);
            other = hlt_read_file("build/test_scan_rsae_tn/features.safetensors", &n2);
            CHECKF(one && other && n1 == n2 && memcmp(one, other, n1) == 0, "scan with %d threads differs from 1 thread", th);
            free(other);
        }
        free(one);
    }
    /* bench --scan on 2 windows: the same scan timed, with the peaks, FLOPs and projections */
    snprintf(cmd, sizeof cmd, "build/hooklens bench --scan %s build/test_scan_rsae --no-ce --windows 2 --ctx 32 --threads 2 "
             ">build/test_scan_bench.txt 2>/dev/null", model);
    CHECK(system(cmd) == 0);
    t = hlt_read_file("build/test_scan_bench.txt", &len);
    CHECKF(t && strstr(t, "machine peaks now") && strstr(t, "layers 0..2 of 4, the SAE") && strstr(t, "measured L0 ") &&
           strstr(t, "tokens/s (wall / idle-equivalent)") && strstr(t, "10M tokens: ") && strstr(t, "64-core box"),
           "bench --scan printed: %s", t ? t : "(nothing)");
    free(t);
}

/* hl_scan on its own: ties broken by window then position, merge order free, the file's checks. */
static void test_scan_ties_and_file(void) {
    hl_scan_config c;
    hl_scan *a = NULL, *b = NULL, *x = NULL, *y = NULL;
    hl_scan_view v;
    hl_error e;
    const float w1[6] = {1.0f, 0.0f, 2.0f, 0.5f, 2.0f, -1.0f}; /* 3 positions x 2 features */
    const float w0[2] = {2.0f, 0.25f};
    FILE *f;
    memset(&c, 0, sizeof c);
    c.d_sae = 2, c.top_k = 3, c.n_bins = 4, c.hist_lo = 0.1, c.hist_hi = 10.0;
    CHECK_OK(hl_scan_create(&c, &a, &e), &e);
    CHECK_OK(hl_scan_create(&c, &b, &e), &e);
    if (!a || !b) return;
    CHECK_OK(hl_scan_add(a, w1, 3, 5, 1, &e), &e); /* window 5, positions 1..3 */
    CHECK_OK(hl_scan_add(a, w0, 1, 2, 9, &e), &e); /* window 2, position 9 */
    hl_scan_stats(a, &v);
    /* feature 0: 2.0 at (5,2), (5,3), (2,9) -> ties by window, then position: (2,9), (5,2), (5,3) */
    CHECK(v.count[0] == 4 && v.max[0] == 2.0f);
    CHECK(v.top_window[0] == 2 && v.top_pos[0] == 9 && v.top_window[1] == 5 && v.top_pos[1] == 2 && v.top_pos[2] == 3);
    CHECK(v.count[1] == 2 && v.top_values[3] == 0.5f && v.top_values[4] == 0.25f && v.top_window[5] == -1);
    /* histogram: 0.1..10 in 4 bins: 1.0 -> bin 2, 2.0 -> bin 2, 0.5 -> bin 1, 0.25 -> bin 0 */
    CHECK(v.hist[0 * 4 + 2] == 4 && v.hist[1 * 4 + 1] == 1 && v.hist[1 * 4 + 0] == 1);
    CHECK(v.edges[0] == 0.1 && v.edges[4] == 10.0);
    /* the same windows in the other order, in two scans merged: the same bytes */
    CHECK_OK(hl_scan_add(b, w0, 1, 2, 9, &e), &e);
    CHECK_OK(hl_scan_create(&c, &x, &e), &e);
    if (x) CHECK_OK(hl_scan_add(x, w1, 3, 5, 1, &e), &e);
    if (x) CHECK_OK(hl_scan_merge(b, x, &e), &e);
    CHECK_OK(hl_scan_save(a, "build/test_scan_a.safetensors", NULL, &e), &e);
    CHECK_OK(hl_scan_save(b, "build/test_scan_b.safetensors", NULL, &e), &e);
    {
        size_t la = 0, lb = 0;
        char *fa = hlt_read_file("build/test_scan_a.safetensors", &la), *fb = hlt_read_file("build/test_scan_b.safetensors", &lb);
        CHECK(fa && fb && la == lb && memcmp(fa, fb, la) == 0);
        free(fa), free(fb);
    }
    /* load gives back the same scan */
    CHECK_OK(hl_scan_load("build/test_scan_a.safetensors", &y, &e), &e);
    if (y) CHECK_OK(hl_scan_save(y, "build/test_scan_c.safetensors", NULL, &e), &e);
    {
        size_t la = 0, lc = 0;
        char *fa = hlt_read_file("build/test_scan_a.safetensors", &la), *fc = hlt_read_file("build/test_scan_c.safetensors", &lc);
        CHECK(fa && fc && la == lc && memcmp(fa, fc, la) == 0);
        free(fa), free(fc);
    }
    {
        hl_scan *z = NULL;
        float bad[2] = {NAN, 1.0f};
        CHECK(hl_scan_add(a, bad, 1, 0, 0, &e) == HL_ERR_ARG && strstr(e.msg, "not finite"));
        c.d_sae = 3;
        CHECK_OK(hl_scan_create(&c, &z, &e), &e);
        CHECK(hl_scan_merge(a, z, &e) == HL_ERR_ARG);
        hl_scan_free(z);
        if ((f = fopen("build/test_scan_bad.safetensors", "wb"))) {
            fputs("not a scan", f);
            fclose(f);
        }
        CHECK(hl_scan_load("build/test_scan_bad.safetensors", &z, &e) != HL_OK && z == NULL);
    }
    hl_scan_free(a), hl_scan_free(b), hl_scan_free(x), hl_scan_free(y);
}

void suite_scan(void) {
    RUN(test_scan_ties_and_file);
    RUN(test_scan_brute_force_fixture);
    RUN(test_scan_brute_force_bundled);
    RUN(test_scan_shards_merge);
    RUN(test_scan_random_sae);
}
