/* tests/test_sae.c - sparse autoencoders: GemmaScope npz and SAELens folders against the reference
   activations of ../shared/fixtures/saes/gemma2-tiny (made by SAELens-equivalent float64 code),
   plus every architecture / normalization against a double-precision reference written here. */
#include <stdlib.h>
#include <sys/stat.h>
#include "hl_test.h"

#define SAE_DIR "saes/gemma2-tiny/"

/* CHECK_OK wants a pointer expression that is not visibly non-NULL (-Waddress). */
static const hl_error *ep(const hl_error *e) {
    return e;
}

/* Opens the reference file; returns NULL (test failed) if missing. */
static hl_safetensors *sae_ref(void) {
    hl_safetensors *st = NULL;
    hl_error err;
    const char *p = hlt_fixture(SAE_DIR "reference.safetensors");
    if (!hlt_need(p)) return NULL;
    CHECK_OK(hl_safetensors_open(p, &st, &err), ep(&err));
    return st;
}

static const float *ref_f32(hl_safetensors *st, const char *name, int64_t numel) {
    const hl_tensor *t = hl_safetensors_find(st, name);
    CHECKF(t != NULL, "reference tensor %s missing", name);
    if (!t) return NULL;
    CHECK(t->dtype == HL_DTYPE_F32);
    CHECKF(hl_tensor_numel(t) == numel, "%s: numel %lld, expected %lld", name,
           (long long)hl_tensor_numel(t), (long long)numel);
    return (const float *)t->data;
}

/* Loads `rel` and checks acts_pre, acts_post, recons, error against "<kind>.*" at 1e-4. */
static void check_kind(const char *rel, const char *kind, int n_threads) {
    hl_safetensors *ref = sae_ref();
    hl_sae *sae = NULL;
    hl_sae_desc d;
    hl_error err;
    hl_sae_outputs o;
    const float *x, *r;
    float *pre = NULL, *post = NULL, *rec = NULL, *er = NULL, *out = NULL;
    char name[128];
    int64_t n = 20, di = 64, ds = 256, i;
    const char *path = hlt_fixture(rel);
    if (!ref || !hlt_need(path)) goto done;
    memset(&d, 0, sizeof d);
    d.path = path;
    d.n_threads = n_threads;
    CHECK_OK(hl_sae_load(&d, &sae, &err), ep(&err));
    if (!sae) goto done;
    CHECK(hl_sae_get_config(sae)->d_in == di && hl_sae_get_config(sae)->d_sae == ds);
    x = ref_f32(ref, "sae_input", n * di);
    pre = (float *)calloc((size_t)(n * ds), 4);
    post = (float *)calloc((size_t)(n * ds), 4);
    rec = (float *)calloc((size_t)(n * di), 4);
    er = (float *)calloc((size_t)(n * di), 4);
    out = (float *)calloc((size_t)(n * di), 4);
    if (!x) goto done;
    o.acts_pre = pre;
    o.acts_post = post;
    o.recons = rec;
    o.error = er;
    o.output = out;
    CHECK_OK(hl_sae_forward(sae, x, n, 1, &o, &err), ep(&err));
#define CMP(field, buf, cnt)                                                                       \
    snprintf(name, sizeof name, "%s." field, kind);                                                \
    if ((r = ref_f32(ref, name, cnt)) != NULL) {                                                   \
        double e_ = hlt_rel_err(buf, r, cnt);                                                      \
        CHECKF(e_ < 1e-4, "%s (%s): rel err %g", name, rel, e_); if (getenv("SAE_VERBOSE")) printf("  %s %s %g\n", rel, name, e_);                                   \
    }
    CMP("acts_pre", pre, n * ds);
    CMP("acts_post", post, n * ds);
    CMP("recons", rec, n * di);
    CMP("error", er, n * di);
#undef CMP
    /* output = recons + error reproduces the input up to rounding */
    CHECK(hlt_rel_err(out, x, n * di) < 1e-5);
    /* encode + decode give the same as forward */
    {
        float *p2 = (float *)calloc((size_t)(n * ds), 4), *r2 = (float *)calloc((size_t)(n * di), 4);
        CHECK_OK(hl_sae_encode(sae, x, n, NULL, p2, &err), ep(&err));
        CHECK(memcmp(p2, post, (size_t)(n * ds) * 4) == 0);
        CHECK_OK(hl_sae_decode(sae, p2, NULL, n, r2, NULL, &err), ep(&err));
        CHECK(memcmp(r2, rec, (size_t)(n * di) * 4) == 0);
        free(p2);
        free(r2);
    }
    for (i = 0; i < n * ds; i++)
        if (post[i] < 0) break;
    CHECK(i == n * ds);
done:
    free(pre);
    free(post);
    free(rec);
    free(er);
    free(out);
    hl_sae_free(sae);
    if (ref) hl_safetensors_close(ref);
}

static void test_sae_saelens_standard(void) {
    check_kind(SAE_DIR "saelens-standard", "standard", 1);
}
static void test_sae_saelens_topk(void) {
    check_kind(SAE_DIR "saelens-topk", "topk", 2);
    check_kind(SAE_DIR "saelens-topk/cfg.json", "topk", 1); /* a file inside the folder */
}
static void test_sae_gemmascope_npz(void) {
    check_kind(SAE_DIR "gemmascope-jumprelu/params.npz", "jumprelu", 2);
    check_kind(SAE_DIR "gemmascope-jumprelu", "jumprelu", 1); /* folder holding params.npz */
}
static void test_sae_gemmascope_npz_compressed(void) {
    check_kind(SAE_DIR "gemmascope-jumprelu/params_compressed.npz", "jumprelu", 1);
}

static void test_sae_configs(void) {
    hl_sae *sae = NULL;
    hl_sae_desc d;
    hl_error err;
    const hl_sae_config *c;
    memset(&d, 0, sizeof d);
    d.path = hlt_fixture(SAE_DIR "saelens-topk");
    if (!hlt_need(d.path)) return;
    CHECK_OK(hl_sae_load(&d, &sae, &err), ep(&err));
    if (!sae) return;
    c = hl_sae_get_config(sae);
    CHECK(c->arch == HL_SAE_TOPK && c->k == 8 && !c->apply_b_dec_to_input);
    CHECK(strcmp(c->hook_name, "blocks.2.hook_resid_post") == 0 && c->hook_layer == 2);
    CHECK(strcmp(c->model_name, "gemma2-tiny") == 0 && strcmp(c->format, "saelens") == 0);
    CHECK(c->norm == HL_SAE_NORM_NONE && c->dtype == HL_DTYPE_F32);
    hl_sae_free(sae);
    sae = NULL;
    d.path = hlt_fixture(SAE_DIR "saelens-standard");
    d.hook_name = "blocks.1.hook_resid_post";
    CHECK_OK(hl_sae_load(&d, &sae, &err), ep(&err));
    if (!sae) return;
    c = hl_sae_get_config(sae);
    CHECK(c->arch == HL_SAE_STANDARD && c->apply_b_dec_to_input);
    CHECK(strcmp(c->hook_name, "blocks.1.hook_resid_post") == 0);
    hl_sae_free(sae);
}

/* ---- hand-made SAEs in a temp folder: every cfg path and error ---------------------------------- */

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* Random SAE tensors d_in x d_sae into `dir`/sae_weights.safetensors (names as given). */
static uint32_t rng_state = 12345;
static float frand(void) { /* uniform in [-1, 1) */
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)(rng_state >> 8) / 8388608.0f - 1.0f;
}

typedef struct {
    int64_t d_in, d_sae;
    float *W_enc, *W_dec, *b_enc, *b_dec, *thr, *b_gate, *b_mag, *r_mag;
} rsae;

static void rsae_make(rsae *r, int64_t d_in, int64_t d_sae) {
    int64_t i;
    r->d_in = d_in;
    r->d_sae = d_sae;
    r->W_enc = (float *)malloc((size_t)(d_in * d_sae) * 4);
    r->W_dec = (float *)malloc((size_t)(d_in * d_sae) * 4);
    r->b_enc = (float *)malloc((size_t)d_sae * 4);
    r->thr = (float *)malloc((size_t)d_sae * 4);
    r->b_gate = (float *)malloc((size_t)d_sae * 4);
    r->b_mag = (float *)malloc((size_t)d_sae * 4);
    r->r_mag = (float *)malloc((size_t)d_sae * 4);
    r->b_dec = (float *)malloc((size_t)d_in * 4);
    for (i = 0; i < d_in * d_sae; i++) r->W_enc[i] = frand() * 0.3f;
    for (i = 0; i < d_in * d_sae; i++) r->W_dec[i] = frand() * 0.3f;
    for (i = 0; i < d_sae; i++) {
        r->b_enc[i] = frand() * 0.2f;
        r->thr[i] = 0.2f + 0.3f * (frand() + 1.0f);
        r->b_gate[i] = frand() * 0.2f;
        r->b_mag[i] = frand() * 0.2f;
        r->r_mag[i] = frand() * 0.5f;
    }
    for (i = 0; i < d_in; i++) r->b_dec[i] = frand() * 0.5f;
}
static void rsae_free(rsae *r) {
    free(r->W_enc);
    free(r->W_dec);
    free(r->b_enc);
    free(r->b_dec);
    free(r->thr);
    free(r->b_gate);
    free(r->b_mag);
    free(r->r_mag);
}
static hl_tensor tens(float *data, int64_t a, int64_t b) {
    hl_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = HL_DTYPE_F32;
    t.ndim = b ? 2 : 1;
    t.shape[0] = a;
    t.shape[1] = b;
    t.data = data;
    return t;
}

/* Double-precision SAELens forward of one position (sae-formats.md 2.3-2.5). */
static void ref_forward(const rsae *r, const hl_sae_config *c, const float *x, double *pre,
                        double *post, double *xhat) {
    int64_t i, j, d = r->d_in, n = r->d_sae;
    double *xin = (double *)malloc((size_t)d * 8), mu = 0, sd = 1, cc = 1, s = 1;
    double *h = (double *)malloc((size_t)n * 8), *f = (double *)malloc((size_t)n * 8);
    for (i = 0; i < d; i++) xin[i] = x[i];
    if (c->norm == HL_SAE_NORM_CONSTANT_NORM_RESCALE) {
        double ss = 0;
        for (i = 0; i < d; i++) ss += xin[i] * xin[i];
        cc = sqrt((double)d) / sqrt(ss);
        for (i = 0; i < d; i++) xin[i] *= cc;
    } else if (c->norm == HL_SAE_NORM_LAYER_NORM) {
        double v = 0;
        for (i = 0; i < d; i++) mu += xin[i];
        mu /= (double)d;
        for (i = 0; i < d; i++) v += (xin[i] - mu) * (xin[i] - mu);
        sd = sqrt(v / (double)(d - 1));
        for (i = 0; i < d; i++) xin[i] = (xin[i] - mu) / (sd + 1e-5);
    } else if (c->norm == HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN) {
        s = c->norm_scaling_factor;
        for (i = 0; i < d; i++) xin[i] *= s;
    }
    if (c->apply_b_dec_to_input)
        for (i = 0; i < d; i++) xin[i] -= r->b_dec[i];
    for (j = 0; j < n; j++) {
        double p = 0;
        for (i = 0; i < d; i++) p += xin[i] * (double)r->W_enc[i * n + j];
        if (c->arch == HL_SAE_GATED) {
            double gate = p + r->b_gate[j] > 0 ? 1 : 0, mag = p * exp((double)r->r_mag[j]) + r->b_mag[j];
            h[j] = mag;
            f[j] = gate * (mag > 0 ? mag : 0);
        } else {
            h[j] = p + r->b_enc[j];
            if (c->arch == HL_SAE_JUMPRELU) f[j] = (h[j] > 0 && h[j] > r->thr[j]) ? h[j] : 0;
            else f[j] = h[j] > 0 ? h[j] : 0;
        }
        pre[j] = h[j];
    }
    if (c->arch == HL_SAE_TOPK) {
        double *v = (double *)malloc((size_t)n * 8), *norm = (double *)malloc((size_t)n * 8);
        int64_t kk;
        for (j = 0; j < n; j++) {
            double ss = 0;
            for (i = 0; i < d; i++) ss += (double)r->W_dec[j * d + i] * r->W_dec[j * d + i];
            norm[j] = c->rescale_acts_by_decoder_norm ? sqrt(ss) : 1.0;
            v[j] = h[j] * norm[j];
            f[j] = 0;
        }
        for (kk = 0; kk < c->k; kk++) { /* pick the max remaining, lowest index on ties */
            int64_t best = -1;
            for (j = 0; j < n; j++)
                if (f[j] == 0 && v[j] > -1e300 && (best < 0 || v[j] > v[best])) best = j;
            if (best < 0) break;
            f[best] = v[best] > 0 ? v[best] : 0;
            v[best] = -1e301;
        }
        for (j = 0; j < n; j++) post[j] = f[j];
        for (j = 0; j < n; j++) f[j] /= norm[j];
        free(v);
        free(norm);
    } else {
        for (j = 0; j < n; j++) post[j] = f[j];
    }
    for (i = 0; i < d; i++) {
        double y = 0;
        for (j = 0; j < n; j++) y += f[j] * r->W_dec[j * d + i];
        y += r->b_dec[i];
        if (c->norm == HL_SAE_NORM_CONSTANT_NORM_RESCALE) y /= cc;
        else if (c->norm == HL_SAE_NORM_LAYER_NORM) y = y * sd + mu;
        else if (c->norm == HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN) y /= s;
        xhat[i] = y;
    }
    free(xin);
    free(h);
    free(f);
}

static double rel_err_d(const float *a, const double *b, int64_t n) {
    double md = 0, mr = 0;
    int64_t i;
    for (i = 0; i < n; i++) {
        double dd = fabs((double)a[i] - b[i]);
        if (dd > md || dd != dd) md = dd;
        if (fabs(b[i]) > mr) mr = fabs(b[i]);
    }
    return mr > 0 ? md / mr : md;
}

static void check_arch(hl_sae_arch arch, hl_sae_norm norm, int apply_b_dec, int64_t k, int rescale,
                       hl_kernels kern) {
    rsae r;
    hl_sae_config c;
    hl_sae_params p;
    hl_tensor We, Wd, be, bd, th, bg, bm, rm;
    hl_sae *sae = NULL;
    hl_error err;
    int64_t n = 7, d = 37, ds = 131, m;
    float *x = (float *)malloc((size_t)(n * d) * 4), *pre = (float *)malloc((size_t)(n * ds) * 4);
    float *post = (float *)malloc((size_t)(n * ds) * 4), *out = (float *)malloc((size_t)(n * d) * 4);
    double *rp = (double *)malloc((size_t)ds * 8), *rf = (double *)malloc((size_t)ds * 8);
    double *rx = (double *)malloc((size_t)d * 8);
    hl_sae_outputs o;
    rsae_make(&r, d, ds);
    for (m = 0; m < n * d; m++) x[m] = frand() * 2.0f + 0.3f;
    memset(&c, 0, sizeof c);
    memset(&p, 0, sizeof p);
    c.arch = arch;
    c.norm = norm;
    c.apply_b_dec_to_input = apply_b_dec;
    c.k = k;
    c.rescale_acts_by_decoder_norm = rescale;
    c.norm_scaling_factor = norm == HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN ? 0.37f : 0.0f;
    We = tens(r.W_enc, d, ds);
    Wd = tens(r.W_dec, ds, d);
    be = tens(r.b_enc, ds, 0);
    bd = tens(r.b_dec, d, 0);
    th = tens(r.thr, ds, 0);
    bg = tens(r.b_gate, ds, 0);
    bm = tens(r.b_mag, ds, 0);
    rm = tens(r.r_mag, ds, 0);
    p.W_enc = &We;
    p.W_dec = &Wd;
    p.b_dec = &bd;
    if (arch == HL_SAE_GATED) {
        p.b_gate = &bg;
        p.b_mag = &bm;
        p.r_mag = &rm;
    } else {
        p.b_enc = &be;
    }
    if (arch == HL_SAE_JUMPRELU) p.threshold = &th;
    CHECK_OK(hl_sae_create(&c, &p, 2, kern, &sae, &err), ep(&err));
    if (sae) {
        memset(&o, 0, sizeof o);
        o.acts_pre = pre;
        o.acts_post = post;
        o.output = out;
        CHECK_OK(hl_sae_forward(sae, x, n, 0, &o, &err), ep(&err));
        for (m = 0; m < n; m++) {
            double e1, e2, e3;
            ref_forward(&r, &c, x + m * d, rp, rf, rx);
            e1 = rel_err_d(pre + m * ds, rp, ds);
            e2 = rel_err_d(post + m * ds, rf, ds);
            e3 = rel_err_d(out + m * d, rx, d);
            CHECKF(e1 < 1e-5 && e2 < 1e-5 && e3 < 1e-5,
                   "arch %s norm %s kern %s row %lld: pre %g post %g x_hat %g", hl_sae_arch_name(arch),
                   hl_sae_norm_name(norm), hl_kernels_name(kern), (long long)m, e1, e2, e3);
        }
        /* decode(x_hat) of the public API agrees with forward */
        {
            float *xh = (float *)malloc((size_t)(n * d) * 4);
            CHECK_OK(hl_sae_decode(sae, post, x, n, NULL, xh, &err), ep(&err));
            CHECK(memcmp(xh, out, (size_t)(n * d) * 4) == 0);
            free(xh);
        }
    }
    hl_sae_free(sae);
    rsae_free(&r);
    free(x);
    free(pre);
    free(post);
    free(out);
    free(rp);
    free(rf);
    free(rx);
}

static void test_sae_architectures(void) {
    hl_kernels kk[2];
    int i;
    kk[0] = HL_KERNELS_SCALAR;
    kk[1] = HL_KERNELS_DEFAULT;
    for (i = 0; i < 2; i++) {
        check_arch(HL_SAE_STANDARD, HL_SAE_NORM_NONE, 1, 0, 0, kk[i]);
        check_arch(HL_SAE_JUMPRELU, HL_SAE_NORM_NONE, 0, 0, 0, kk[i]);
        check_arch(HL_SAE_TOPK, HL_SAE_NORM_NONE, 0, 9, 0, kk[i]);
        check_arch(HL_SAE_TOPK, HL_SAE_NORM_LAYER_NORM, 1, 5, 1, kk[i]);
        check_arch(HL_SAE_GATED, HL_SAE_NORM_NONE, 1, 0, 0, kk[i]);
        check_arch(HL_SAE_STANDARD, HL_SAE_NORM_CONSTANT_NORM_RESCALE, 1, 0, 0, kk[i]);
        check_arch(HL_SAE_STANDARD, HL_SAE_NORM_LAYER_NORM, 0, 0, 0, kk[i]);
        check_arch(HL_SAE_JUMPRELU, HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN, 1, 0, 0, kk[i]);
    }
}

/* The whole forward (encode, JumpReLU, the sparse decode split over positions, recons, error, output)
   is bit-identical for 1, 2 and 3 threads: 48 positions x 1000 features is above the size at which
   the per-position stages go to the pool (HL__PAR_ROWS), so the decode really runs threaded. */
static void test_sae_forward_threads(void) {
    const int64_t d = 300, ds = 1000, n = 48;
    rsae r;
    hl_sae_config c;
    hl_sae_params p;
    hl_tensor We, Wd, be, bd, th;
    hl_error err;
    float *x = (float *)malloc((size_t)(n * d) * 4), *res[3][3];
    int64_t i, t, k, fired = 0;
    rsae_make(&r, d, ds);
    for (i = 0; i < n * d; i++) x[i] = frand();
    memset(&c, 0, sizeof c);
    memset(&p, 0, sizeof p);
    c.arch = HL_SAE_JUMPRELU;
    We = tens(r.W_enc, d, ds), Wd = tens(r.W_dec, ds, d), be = tens(r.b_enc, ds, 0), bd = tens(r.b_dec, d, 0), th = tens(r.thr, ds, 0);
    p.W_enc = &We, p.W_dec = &Wd, p.b_enc = &be, p.b_dec = &bd, p.threshold = &th;
    for (t = 0; t < 3; t++) {
        hl_sae *sae = NULL;
        hl_sae_outputs o;
        res[t][0] = (float *)calloc((size_t)(n * ds), 4);
        res[t][1] = (float *)calloc((size_t)(n * d), 4);
        res[t][2] = (float *)calloc((size_t)(n * d), 4);
        memset(&o, 0, sizeof o);
        o.acts_post = res[t][0], o.recons = res[t][1], o.output = res[t][2];
        CHECK_OK(hl_sae_create(&c, &p, (int)t + 1, HL_KERNELS_DEFAULT, &sae, &err), ep(&err));
        if (sae) CHECK_OK(hl_sae_forward(sae, x, n, 1, &o, &err), ep(&err));
        hl_sae_free(sae);
    }
    for (i = 0; i < n * ds; i++) fired += res[0][0][i] > 0.0f;
    CHECKF(fired > n && fired < n * ds / 2, "%lld of %lld activations fired", (long long)fired, (long long)(n * ds));
    for (t = 1; t < 3; t++)
        for (k = 0; k < 3; k++)
            CHECKF(memcmp(res[0][k], res[t][k], (size_t)(n * (k ? d : ds)) * 4) == 0, "%s differs at %lld threads",
                   k == 0 ? "acts_post" : k == 1 ? "recons" : "output", (long long)(t + 1));
    { /* the decode of the same activations on every kernel level available, the ragged end of
         d_in = 300 included: the scalar loop's bits (a rounded product, then a rounded sum) */
        static const hl_kernels lv[3] = {HL_KERNELS_SCALAR, HL_KERNELS_AVX2, HL_KERNELS_AVX512};
        float *rec[3];
        int l;
        for (l = 0; l < 3; l++) {
            hl_sae *sae = NULL;
            rec[l] = NULL;
            if (!hl_kernels_available(lv[l])) continue;
            rec[l] = (float *)calloc((size_t)(n * d), 4);
            CHECK_OK(hl_sae_create(&c, &p, 2, lv[l], &sae, &err), ep(&err));
            if (sae) CHECK_OK(hl_sae_decode(sae, res[0][0], NULL, n, rec[l], NULL, &err), ep(&err));
            hl_sae_free(sae);
            if (l > 0) CHECKF(memcmp(rec[0], rec[l], (size_t)(n * d) * 4) == 0, "decode on %s differs from scalar", hl_kernels_name(lv[l]));
        }
        for (l = 0; l < 3; l++) free(rec[l]);
    }
    for (t = 0; t < 3; t++)
        for (k = 0; k < 3; k++) free(res[t][k]);
    free(x);
    rsae_free(&r);
}

/* Encoder product: bit-identical for 1, 2 and 3 threads and for a position alone; SIMD within 1e-5
   of the scalar loops; bf16, f32 and f64 weights read in place at an odd byte offset. */
static void test_sae_encode_threads(void) {
    int64_t d = 300, ds = 1000, n = 9, i, t;
    rsae r;
    hl_sae_config c;
    hl_sae_params p;
    hl_tensor We, Wd, be, bd, Web;
    hl_error err;
    float *outs[4];
    uint8_t *bf = (uint8_t *)malloc((size_t)(d * ds) * 2 + 1);
    float *x = (float *)malloc((size_t)(n * d) * 4);
    rsae_make(&r, d, ds);
    for (i = 0; i < n * d; i++) x[i] = frand();
    memset(&c, 0, sizeof c);
    memset(&p, 0, sizeof p);
    c.arch = HL_SAE_STANDARD;
    We = tens(r.W_enc, d, ds);
    Wd = tens(r.W_dec, ds, d);
    be = tens(r.b_enc, ds, 0);
    bd = tens(r.b_dec, d, 0);
    p.W_enc = &We;
    p.W_dec = &Wd;
    p.b_enc = &be;
    p.b_dec = &bd;
    for (t = 0; t < 4; t++) {
        hl_sae *sae = NULL;
        outs[t] = (float *)calloc((size_t)(n * ds), 4);
        CHECK_OK(hl_sae_create(&c, &p, t == 3 ? 1 : (int)t + 1, t == 3 ? HL_KERNELS_SCALAR : HL_KERNELS_DEFAULT,
                               &sae, &err), ep(&err));
        if (sae) {
            float *post = (float *)calloc((size_t)(n * ds), 4);
            CHECK_OK(hl_sae_encode(sae, x, n, outs[t], post, &err), ep(&err));
            free(post);
        }
        hl_sae_free(sae);
    }
    CHECK(memcmp(outs[0], outs[1], (size_t)(n * ds) * 4) == 0);
    CHECK(memcmp(outs[0], outs[2], (size_t)(n * ds) * 4) == 0);
    CHECK(hlt_rel_err(outs[0], outs[3], n * ds) < 1e-5);
    /* bf16 copy of W_enc at an odd address */
    for (i = 0; i < d * ds; i++) {
        uint16_t h = hl_f32_to_bf16(r.W_enc[i]);
        memcpy(bf + 1 + i * 2, &h, 2);
    }
    Web = We;
    Web.dtype = HL_DTYPE_BF16;
    Web.data = bf + 1;
    p.W_enc = &Web;
    {
        hl_sae *sae = NULL;
        float *o2 = (float *)calloc((size_t)(n * ds), 4);
        CHECK_OK(hl_sae_create(&c, &p, 2, HL_KERNELS_DEFAULT, &sae, &err), ep(&err));
        float *post = (float *)calloc((size_t)(n * ds), 4);
        if (sae) CHECK_OK(hl_sae_encode(sae, x, n, o2, post, &err), ep(&err));
        free(post);
        CHECK(hlt_rel_err(o2, outs[0], n * ds) < 2e-2);
        CHECK(hlt_rel_err(o2, outs[0], n * ds) > 0);
        free(o2);
        hl_sae_free(sae);
    }
    /* one position alone (the decode sweep) gives row 4 of the batch, bit for bit; an f32 W_enc at an
       odd address gives the aligned batch's bits; a float64 W_enc holding the same values gives the
       scalar reference's bits (the same unfused chain) */
    {
        hl_sae *sae = NULL;
        uint8_t *f32b = (uint8_t *)malloc((size_t)(d * ds) * 4 + 1), *f64b = (uint8_t *)malloc((size_t)(d * ds) * 8 + 1);
        float *o1 = (float *)calloc((size_t)(n * ds), 4), *post = (float *)calloc((size_t)(n * ds), 4);
        hl_tensor Wf = We, Wd64 = We;
        for (i = 0; i < d * ds; i++) {
            double v = (double)r.W_enc[i];
            memcpy(f32b + 1 + i * 4, &r.W_enc[i], 4);
            memcpy(f64b + 1 + i * 8, &v, 8);
        }
        p.W_enc = &We;
        CHECK_OK(hl_sae_create(&c, &p, 2, HL_KERNELS_DEFAULT, &sae, &err), ep(&err));
        if (sae) CHECK_OK(hl_sae_encode(sae, x + 4 * d, 1, o1, post, &err), ep(&err));
        CHECK(memcmp(o1, outs[0] + 4 * ds, (size_t)ds * 4) == 0);
        hl_sae_free(sae);
        sae = NULL;
        Wf.data = f32b + 1;
        p.W_enc = &Wf;
        CHECK_OK(hl_sae_create(&c, &p, 2, HL_KERNELS_DEFAULT, &sae, &err), ep(&err));
        if (sae) CHECK_OK(hl_sae_encode(sae, x, n, o1, post, &err), ep(&err));
        CHECK(memcmp(o1, outs[0], (size_t)(n * ds) * 4) == 0);
        if (sae) CHECK_OK(hl_sae_encode(sae, x + 4 * d, 1, o1, post, &err), ep(&err));
        CHECK(memcmp(o1, outs[0] + 4 * ds, (size_t)ds * 4) == 0);
        hl_sae_free(sae);
        sae = NULL;
        Wd64.dtype = HL_DTYPE_F64;
        Wd64.data = f64b + 1;
        p.W_enc = &Wd64;
        CHECK_OK(hl_sae_create(&c, &p, 2, HL_KERNELS_DEFAULT, &sae, &err), ep(&err));
        if (sae) CHECK_OK(hl_sae_encode(sae, x, n, o1, post, &err), ep(&err));
        CHECK(memcmp(o1, outs[3], (size_t)(n * ds) * 4) == 0);
        hl_sae_free(sae);
        free(f32b), free(f64b), free(o1), free(post);
    }
    for (t = 0; t < 4; t++) free(outs[t]);
    free(bf);
    free(x);
    rsae_free(&r);
}

static void test_sae_top_features(void) {
    float a[8] = {0.0f, 3.0f, -1.0f, 5.0f, 3.0f, 0.5f, 0.0f, 7.0f}, v[4];
    int64_t idx[4], n;
    n = hl_sae_top_features(a, 8, 4, idx, v);
    CHECK(n == 4 && idx[0] == 7 && idx[1] == 3 && idx[2] == 1 && idx[3] == 4);
    CHECK(v[0] == 7.0f && v[3] == 3.0f);
    n = hl_sae_top_features(a, 8, 10 > 4 ? 4 : 10, idx, v);
    CHECK(n == 4);
    {
        float z[3] = {0, -1, 0};
        CHECK(hl_sae_top_features(z, 3, 2, idx, v) == 0);
    }
}

static void mkdir_p(const char *p) {
    mkdir("build", 0755);
    mkdir(p, 0755);
}

/* Writes a SAELens folder with the fixture's weights but our own cfg.json. */
static hl_status load_cfg(const char *cfg_text, hl_sae **out, hl_error *err) {
    const char *dir = "build/test_sae_cfg";
    hl_sae_desc d;
    char src[1024];
    FILE *in, *o;
    size_t got;
    char buf[65536];
    mkdir_p(dir);
    snprintf(src, sizeof src, "%s", hlt_fixture(SAE_DIR "saelens-standard/sae_weights.safetensors"));
    in = fopen(src, "rb");
    o = fopen("build/test_sae_cfg/sae_weights.safetensors", "wb");
    while (in && o && (got = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, got, o);
    if (in) fclose(in);
    if (o) fclose(o);
    write_text("build/test_sae_cfg/cfg.json", cfg_text);
    memset(&d, 0, sizeof d);
    d.path = dir;
    *out = NULL;
    return hl_sae_load(&d, out, err);
}

static void test_sae_cfg_layouts_and_errors(void) {
    hl_sae *s = NULL;
    hl_error err;
    hl_sae_desc d;
    if (!hlt_need(hlt_fixture(SAE_DIR "saelens-standard/sae_weights.safetensors"))) return;
    /* v6 nested layout */
    CHECK_OK(load_cfg("{\"d_in\":64,\"d_sae\":256,\"dtype\":\"float32\",\"device\":\"cpu\","
                      "\"apply_b_dec_to_input\":false,\"normalize_activations\":\"layer_norm\","
                      "\"reshape_activations\":\"none\",\"architecture\":\"standard\",\"metadata\":"
                      "{\"sae_lens_version\":\"6.18.0\",\"model_name\":\"m\",\"hook_name\":"
                      "\"blocks.3.hook_mlp_out\"}}", &s, &err), ep(&err));
    if (s) {
        const hl_sae_config *c = hl_sae_get_config(s);
        CHECK(c->norm == HL_SAE_NORM_LAYER_NORM && !c->apply_b_dec_to_input);
        CHECK(strcmp(c->hook_name, "blocks.3.hook_mlp_out") == 0 && c->hook_layer == 3);
        CHECK(strcmp(c->model_name, "m") == 0);
        hl_sae_free(s);
    }
    /* legacy: hook_point, bool normalize_activations, activation_fn_str topk */
    CHECK_OK(load_cfg("{\"d_in\":64,\"d_sae\":256,\"hook_point\":\"blocks.1.hook_resid_pre\","
                      "\"hook_point_layer\":1,\"normalize_activations\":true,\"activation_fn_str\":"
                      "\"topk\",\"activation_fn_kwargs\":{\"k\":3},\"dtype\":\"torch.float32\"}",
                      &s, &err), ep(&err));
    if (s) {
        const hl_sae_config *c = hl_sae_get_config(s);
        CHECK(c->arch == HL_SAE_TOPK && c->k == 3 && c->apply_b_dec_to_input);
        CHECK(c->norm == HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN && c->norm_scaling_factor == 1.0f);
        CHECK(strcmp(c->hook_name, "blocks.1.hook_resid_pre") == 0 && c->hook_layer == 1);
        hl_sae_free(s);
    }
    /* errors, each with its exact status */
    CHECK(load_cfg("{\"architecture\":\"transcoder\"}", &s, &err) == HL_ERR_UNSUPPORTED && !s);
    CHECK(strstr(err.msg, "transcoder") != NULL);
    CHECK(load_cfg("{\"normalize_activations\":\"weird\"}", &s, &err) == HL_ERR_UNSUPPORTED && !s);
    CHECK(load_cfg("{\"d_in\":65}", &s, &err) == HL_ERR_SHAPE && !s);
    CHECK(strstr(err.msg, "65") != NULL);
    CHECK(load_cfg("{\"architecture\":\"topk\"}", &s, &err) == HL_ERR_FORMAT && !s);
    CHECK(load_cfg("{\"architecture\":\"jumprelu\"}", &s, &err) == HL_ERR_FORMAT && !s);
    CHECK(strstr(err.msg, "threshold") != NULL);
    CHECK(load_cfg("{\"architecture\":\"gated\"}", &s, &err) == HL_ERR_FORMAT && !s);
    CHECK(load_cfg("{\"dtype\":\"int8\"}", &s, &err) == HL_ERR_UNSUPPORTED && !s);
    CHECK(load_cfg("{\"activation_fn_str\":\"tanh-relu\"}", &s, &err) == HL_ERR_UNSUPPORTED && !s);
    CHECK(load_cfg("[1,2]", &s, &err) == HL_ERR_FORMAT && !s);
    CHECK(load_cfg("{\"d_in\":", &s, &err) != HL_OK && !s);
    memset(&d, 0, sizeof d);
    d.path = "build/no/such/sae";
    CHECK(hl_sae_load(&d, &s, &err) == HL_ERR_IO && !s);
    d.path = "build";
    CHECK(hl_sae_load(&d, &s, &err) == HL_ERR_NOT_FOUND && !s);
    d.path = "Makefile";
    CHECK(hl_sae_load(&d, &s, &err) == HL_ERR_UNSUPPORTED && !s);
    /* truncated and corrupted params.npz: a format error, never a crash */
    {
        FILE *in = fopen(hlt_fixture(SAE_DIR "gemmascope-jumprelu/params.npz"), "rb");
        static unsigned char buf[200000];
        size_t n = in ? fread(buf, 1, sizeof buf, in) : 0, cut;
        if (in) fclose(in);
        CHECK(n > 100000);
        for (cut = 0; cut < 6; cut++) {
            FILE *o = fopen("build/test_sae_cfg/bad.npz", "wb");
            size_t len = cut < 3 ? n - 1 - cut * 5000 : n;
            unsigned char keep = buf[cut * 7];
            if (cut >= 3) buf[cut == 3 ? 59 + 3 : cut == 4 ? n - 22 + 16 : 65723] ^= 0x5a;
            if (o) {
                fwrite(buf, 1, len, o);
                fclose(o);
            }
            if (cut >= 3) buf[cut == 3 ? 59 + 3 : cut == 4 ? n - 22 + 16 : 65723] ^= 0x5a;
            (void)keep;
            d.path = "build/test_sae_cfg/bad.npz";
            { hl_status st_ = hl_sae_load(&d, &s, &err); CHECKF(st_ == HL_ERR_FORMAT && !s, "cut %d: %s: %s", (int)cut, hl_status_str(st_), err.msg); }
            hl_sae_free(s);
            s = NULL;
        }
    }
}


/* ---- splicing into models/gemma2-tiny at blocks.2.hook_resid_post -------------------------------- */

/* saes/gemma2-tiny/meta.json "tokens" */
static const int32_t SAE_TOKS[20] = {2, 328, 298, 26, 43, 496, 137, 252, 334, 458,
                                     93, 3, 88, 63, 404, 422, 157, 172, 204, 112};

static hl_model *sae_model(int n_threads) {
    hl_model_desc d;
    hl_error err;
    hl_model *m = NULL;
    const char *dir = hlt_fixture("models/gemma2-tiny");
    if (!hlt_need(dir)) return NULL;
    memset(&d, 0, sizeof d);
    d.path = dir;
    d.n_threads = n_threads;
    CHECK_OK(hl_model_load(&d, &m, &err), ep(&err));
    return m;
}

static hl_sae *sae_open(const char *rel) {
    hl_sae_desc d;
    hl_error err;
    hl_sae *s = NULL;
    memset(&d, 0, sizeof d);
    d.path = hlt_fixture(rel);
    d.hook_name = "blocks.2.hook_resid_post"; /* the fixture's npz is not in a layer_L folder */
    if (!hlt_need(d.path)) return NULL;
    CHECK_OK(hl_sae_load(&d, &s, &err), ep(&err));
    return s;
}

/* logits with the SAE spliced (error term off and on) against "<kind>.logits_with_sae*"; the
   cached SAE sub-points against the standalone references. */
static void check_splice(const char *rel, const char *kind) {
    hl_safetensors *ref = sae_ref();
    hl_model *m = sae_model(2);
    hl_sae *s = sae_open(rel);
    hl_cache *cache = NULL;
    hl_error err;
    float *logits = (float *)calloc(20 * 512, 4);
    const float *r;
    char name[128];
    int et;
    if (!ref || !m || !s) goto done;
    CHECK_OK(hl_cache_create(&cache, &err), ep(&err));
    for (et = 0; et < 2; et++) {
        double e;
        CHECK_OK(hl_sae_attach(s, m, NULL, et, &err), ep(&err));
        CHECK(strcmp(hl_sae_attached_hook(s), "blocks.2.hook_resid_post") == 0);
        CHECK_OK(hl_model_run_with_cache(m, SAE_TOKS, 20, NULL, cache, logits, &err), ep(&err));
        snprintf(name, sizeof name, "%s.%s", kind, et ? "logits_with_sae_and_error_term" : "logits_with_sae");
        if ((r = ref_f32(ref, name, 20 * 512)) != NULL) {
            e = hlt_rel_err(logits, r, 20 * 512);
            CHECKF(e < 1e-4, "%s (%s): rel err %g", name, rel, e);
            if (getenv("SAE_VERBOSE")) printf("  %s %s %g\n", rel, name, e);
        }
        {
            static const char *const sub[6] = {"sae_input", "acts_pre", "acts_post", "recons", "error", "output"};
            int i;
            for (i = 0; i < 6; i++) {
                const hl_tensor *t;
                snprintf(name, sizeof name, "blocks.2.hook_resid_post.hook_sae_%s", i == 0 ? "input" : sub[i]);
                t = hl_cache_get(cache, name);
                if (i == 4 && !et) {
                    CHECKF(t == NULL, "%s cached without the error term", name);
                    continue;
                }
                CHECKF(t != NULL, "%s not cached", name);
                if (!t) continue;
                CHECK(t->ndim == 3 && t->shape[0] == 1 && t->shape[1] == 20);
                if (i == 5) continue;
                if (i == 0) snprintf(name, sizeof name, "sae_input");
                else snprintf(name, sizeof name, "%s.%s", kind, sub[i]);
                if ((r = ref_f32(ref, name, hl_tensor_numel(t))) != NULL)
                    CHECKF(hlt_rel_err((const float *)t->data, r, hl_tensor_numel(t)) < 1e-4, "cached %s", name);
            }
        }
    }
    hl_sae_detach(s);
    CHECK(hl_sae_attached_hook(s) == NULL);
    CHECK_OK(hl_model_run_with_cache(m, SAE_TOKS, 20, NULL, cache, logits, &err), ep(&err));
    CHECK(hl_cache_get(cache, "blocks.2.hook_resid_post.hook_sae_acts_post") == NULL);
done:
    free(logits);
    hl_cache_free(cache);
    hl_sae_free(s);
    hl_model_free(m);
    if (ref) hl_safetensors_close(ref);
}

static void test_sae_splice_gemmascope(void) {
    check_splice(SAE_DIR "gemmascope-jumprelu/params.npz", "jumprelu");
    check_splice(SAE_DIR "gemmascope-jumprelu/params_compressed.npz", "jumprelu");
}
static void test_sae_splice_saelens(void) {
    check_splice(SAE_DIR "saelens-standard", "standard");
    check_splice(SAE_DIR "saelens-topk", "topk");
}

static hl_status zero_feature_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    int64_t f = *(const int64_t *)user, r, n = act->shape[1], w = act->shape[2];
    (void)info;
    for (r = 0; r < n; r++) ((float *)act->data)[r * w + f] = 0.0f;
    return HL_OK;
}

/* Steering with alpha = 0 and ablating an inactive feature leave the logits bit-identical; real
   edits move them; a user hook on hook_sae_acts_post equals the built-in ablation. */
static void test_sae_edits(void) {
    hl_model *m = sae_model(2);
    hl_sae *s = sae_open(SAE_DIR "gemmascope-jumprelu/params.npz");
    hl_cache *cache = NULL;
    hl_error err;
    float *base = (float *)calloc(20 * 512, 4), *lg = (float *)calloc(20 * 512, 4);
    int64_t inactive = -1, active = -1, f, r;
    int et, handle;
    if (!m || !s) goto done;
    CHECK_OK(hl_cache_create(&cache, &err), ep(&err));
    for (et = 0; et < 2; et++) {
        const hl_tensor *post;
        CHECK_OK(hl_sae_attach(s, m, NULL, et, &err), ep(&err));
        CHECK_OK(hl_model_run_with_cache(m, SAE_TOKS, 20, NULL, cache, base, &err), ep(&err));
        post = hl_cache_get(cache, "blocks.2.hook_resid_post.hook_sae_acts_post");
        CHECK(post != NULL);
        if (!post) goto done;
        for (f = 0; f < 256 && (inactive < 0 || active < 0); f++) {
            int any = 0;
            for (r = 0; r < 20; r++) any |= ((const float *)post->data)[r * 256 + f] != 0.0f;
            if (!any && inactive < 0) inactive = f;
            if (any && active < 0) active = f;
        }
        CHECK(inactive >= 0 && active >= 0);
        /* alpha = 0 everywhere, and at chosen positions */
        CHECK_OK(hl_sae_steer(s, 7, 0.0f, NULL, 0, &err), ep(&err));
        {
            int64_t pos[2] = {3, 11};
            CHECK_OK(hl_sae_steer(s, active, 0.0f, pos, 2, &err), ep(&err));
        }
        CHECK_OK(hl_sae_ablate(s, inactive, &err), ep(&err));
        CHECK_OK(hl_model_run(m, SAE_TOKS, 20, lg, &err), ep(&err));
        CHECKF(memcmp(lg, base, 20 * 512 * 4) == 0, "error term %d: no-op edits changed the logits", et);
        hl_sae_clear_edits(s);
        /* a real steer moves the logits only from its position on */
        {
            int64_t pos = 12;
            CHECK_OK(hl_sae_steer(s, active, 5.0f, &pos, 1, &err), ep(&err));
            CHECK_OK(hl_model_run(m, SAE_TOKS, 20, lg, &err), ep(&err));
            CHECK(memcmp(lg, base, 12 * 512 * 4) == 0);
            CHECK(memcmp(lg + 12 * 512, base + 12 * 512, 8 * 512 * 4) != 0);
            hl_sae_clear_edits(s);
        }
        /* ablating an active feature changes them, exactly like a user hook zeroing it */
        CHECK_OK(hl_sae_ablate(s, active, &err), ep(&err));
        CHECK_OK(hl_model_run(m, SAE_TOKS, 20, lg, &err), ep(&err));
        CHECK(memcmp(lg, base, 20 * 512 * 4) != 0);
        hl_sae_clear_edits(s);
        CHECK_OK(hl_model_add_hook(m, "blocks.2.hook_resid_post.hook_sae_acts_post", zero_feature_hook,
                                   &active, &handle, &err), ep(&err));
        {
            float *lg2 = (float *)calloc(20 * 512, 4);
            CHECK_OK(hl_model_run(m, SAE_TOKS, 20, lg2, &err), ep(&err));
            CHECK(memcmp(lg, lg2, 20 * 512 * 4) == 0);
            free(lg2);
        }
        hl_model_reset_hooks(m);
    }
    /* bad edits and attachments */
    CHECK(hl_sae_ablate(s, 256, &err) == HL_ERR_ARG);
    CHECK(hl_sae_steer(s, -1, 1.0f, NULL, 0, &err) == HL_ERR_ARG);
    CHECK(hl_sae_attach(s, m, "blocks.9.hook_resid_post", 0, &err) == HL_ERR_NOT_FOUND);
    CHECK(hl_sae_attach(s, m, "blocks.1.mlp.hook_post", 0, &err) == HL_ERR_SHAPE);
    CHECK(hl_sae_attach(s, m, "blocks.1.attn.hook_pattern", 0, &err) == HL_ERR_SHAPE);
    CHECK(hl_sae_attach(s, m, "blocks.1.hook_nonsense", 0, &err) == HL_ERR_NOT_FOUND);
done:
    free(base);
    free(lg);
    hl_cache_free(cache);
    hl_sae_free(s);
    hl_model_free(m);
}

/* Two SAEs at two points at once; detach of one leaves the other. */
static void test_sae_two_saes(void) {
    hl_model *m = sae_model(1);
    hl_sae *a = sae_open(SAE_DIR "saelens-standard"), *b = sae_open(SAE_DIR "saelens-topk");
    hl_error err;
    float *l1 = (float *)calloc(20 * 512, 4), *l2 = (float *)calloc(20 * 512, 4);
    if (!m || !a || !b) goto done;
    CHECK_OK(hl_sae_attach(a, m, NULL, 0, &err), ep(&err));
    CHECK_OK(hl_sae_attach(b, m, "blocks.1.hook_resid_post", 0, &err), ep(&err));
    CHECK_OK(hl_model_run(m, SAE_TOKS, 20, l1, &err), ep(&err));
    hl_sae_detach(b);
    CHECK_OK(hl_model_run(m, SAE_TOKS, 20, l2, &err), ep(&err));
    CHECK(memcmp(l1, l2, 20 * 512 * 4) != 0);
    {
        hl_safetensors *ref = sae_ref();
        const float *r = ref ? ref_f32(ref, "standard.logits_with_sae", 20 * 512) : NULL;
        if (r) CHECK(hlt_rel_err(l2, r, 20 * 512) < 1e-4);
        if (ref) hl_safetensors_close(ref);
    }
done:
    free(l1);
    free(l2);
    hl_sae_free(a);
    hl_sae_free(b);
    hl_model_free(m);
}

/* The CLI: `hooklens sae MODEL SAE --tokens ... --cache OUT` writes logits matching the reference,
   with and without --error-term, and the SAE sub-points; stdout lists each token's top features. */
static void test_sae_cli(void) {
    static const char *const kinds[3][2] = {{SAE_DIR "gemmascope-jumprelu/params.npz", "jumprelu"},
                                            {SAE_DIR "saelens-standard", "standard"},
                                            {SAE_DIR "saelens-topk", "topk"}};
    hl_safetensors *ref = sae_ref();
    char cmd[2048], toks[256], line[1024];
    int i, et, p, lines;
    if (!ref || !hlt_need("build/hooklens") || !hlt_need(hlt_fixture("models/gemma2-tiny"))) goto done;
    toks[0] = 0;
    for (p = 0; p < 20; p++) snprintf(toks + strlen(toks), sizeof toks - strlen(toks), "%d ", (int)SAE_TOKS[p]);
    for (i = 0; i < 3; i++)
        for (et = 0; et < 2; et++) {
            FILE *f;
            hl_safetensors *out = NULL;
            hl_error err;
            const float *r;
            char name[128];
            snprintf(cmd, sizeof cmd, "build/hooklens sae %s %s --hook blocks.2.hook_resid_post --tokens \"%s\" "
                     "--top-k 3 --threads 2 %s --cache build/test_sae_cli.safetensors 2>/dev/null",
                     hlt_fixture("models/gemma2-tiny"), hlt_fixture(kinds[i][0]), toks, et ? "--error-term" : "");
            /* the fixture paths are passed through the shell: they hold no quotes */
            f = popen(cmd, "r");
            CHECK(f != NULL);
            if (!f) continue;
            lines = 0;
            while (fgets(line, sizeof line, f)) {
                if (strstr(line, "[328]") && strchr(line, ':')) lines++;
            }
            CHECKF(pclose(f) == 0, "%s failed", cmd);
            CHECKF(lines == 1, "%s: token 328 line with features missing", kinds[i][1]);
            CHECK_OK(hl_safetensors_open("build/test_sae_cli.safetensors", &out, &err), ep(&err));
            if (!out) continue;
            snprintf(name, sizeof name, "%s.%s", kinds[i][1], et ? "logits_with_sae_and_error_term" : "logits_with_sae");
            r = ref_f32(ref, name, 20 * 512);
            {
                const hl_tensor *t = hl_safetensors_find(out, "logits");
                CHECK(t != NULL && hl_tensor_numel(t) == 20 * 512);
                if (t && r && hl_tensor_numel(t) == 20 * 512)
                    CHECKF(hlt_rel_err((const float *)t->data, r, 20 * 512) < 1e-4, "CLI %s", name);
            }
            snprintf(name, sizeof name, "%s.acts_post", kinds[i][1]);
            r = ref_f32(ref, name, 20 * 256);
            {
                const hl_tensor *t = hl_safetensors_find(out, "blocks.2.hook_resid_post.hook_sae_acts_post");
                CHECK(t != NULL && hl_tensor_numel(t) == 20 * 256);
                if (t && r && hl_tensor_numel(t) == 20 * 256)
                    CHECK(hlt_rel_err((const float *)t->data, r, 20 * 256) < 1e-4);
                CHECK((hl_safetensors_find(out, "blocks.2.hook_resid_post.hook_sae_error") != NULL) == et);
                CHECK(hl_safetensors_find(out, "blocks.2.hook_resid_post.hook_sae_output") != NULL);
                CHECK(hl_safetensors_find(out, "blocks.0.hook_resid_pre") != NULL);
            }
            hl_safetensors_close(out);
        }
    /* usage and argument errors */
    snprintf(cmd, sizeof cmd, "build/hooklens sae %s %s --tokens \"2 3\" --steer 5 >/dev/null 2>&1",
             hlt_fixture("models/gemma2-tiny"), hlt_fixture(kinds[1][0]));
    CHECK(system(cmd) != 0);
    snprintf(cmd, sizeof cmd, "build/hooklens sae %s %s --tokens \"2 3\" --ablate 256 >/dev/null 2>&1",
             hlt_fixture("models/gemma2-tiny"), hlt_fixture(kinds[1][0]));
    CHECK(system(cmd) != 0);
    snprintf(cmd, sizeof cmd, "build/hooklens sae %s %s --tokens \"2 3\" >/dev/null 2>&1",
             hlt_fixture("models/gemma2-tiny"), hlt_fixture(kinds[0][0]));
    CHECK(system(cmd) != 0); /* a bare params.npz outside layer_L: needs --hook */
done:
    if (ref) hl_safetensors_close(ref);
}

/* Max-activating positions over a text file, on the bundled stories260K model (d_model 64, so the
   fixture SAE fits at blocks.2.hook_resid_post): the streamed result equals a direct cached run. */
static void test_sae_max_activations(void) {
    hl_model *m = NULL;
    hl_sae *s = NULL;
    hl_model_desc md;
    hl_cache *cache = NULL;
    hl_error err;
    hl_sae_maxact best[4];
    hl_sae_maxact_opts o;
    int32_t *ids = NULL;
    int64_t n = 0, nb = 0, ntok = 0, f = -1, p, j;
    const char *text = "Once upon a time, there was a little girl named Lily. She liked to play.";
    const hl_tensor *post;
    float top = 0;
    FILE *fp;
    if (!hlt_need("examples/stories260K/tokenizer.json")) return;
    memset(&md, 0, sizeof md);
    md.path = "examples/stories260K";
    CHECK_OK(hl_model_load(&md, &m, &err), ep(&err));
    s = sae_open(SAE_DIR "gemmascope-jumprelu/params.npz");
    if (!m || !s) goto done;
    CHECK_OK(hl_sae_attach(s, m, NULL, 0, &err), ep(&err));
    CHECK_OK(hl_model_to_tokens(m, text, -1, &ids, &n, &err), ep(&err));
    CHECK_OK(hl_cache_create(&cache, &err), ep(&err));
    CHECK_OK(hl_model_run_with_cache(m, ids, n, NULL, cache, NULL, &err), ep(&err));
    post = cache ? hl_cache_get(cache, "blocks.2.hook_resid_post.hook_sae_acts_post") : NULL;
    CHECK(post != NULL && n > 5);
    if (!post) goto done;
    /* the strongest feature at position 3, and its maximum over positions >= 1 */
    for (j = 0; j < 256; j++)
        if (f < 0 || ((const float *)post->data)[3 * 256 + j] > ((const float *)post->data)[3 * 256 + f]) f = j;
    for (p = 1; p < n; p++)
        if (((const float *)post->data)[p * 256 + f] > top) top = ((const float *)post->data)[p * 256 + f];
    CHECK(top > 0);
    fp = fopen("build/test_sae_text.txt", "wb");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
    memset(&o, 0, sizeof o);
    CHECK_OK(hl_sae_max_activations(s, m, "build/test_sae_text.txt", f, &o, best, 4, &nb, &ntok, &err), ep(&err));
    CHECK(nb >= 1 && ntok == n - 1);
    CHECKF(nb >= 1 && best[0].act == top, "top %g vs %g", nb ? (double)best[0].act : 0.0, (double)top);
    for (j = 1; j < nb; j++) CHECK(best[j].act <= best[j - 1].act && best[j].act > 0);
    if (nb) CHECK(best[0].context[best[0].context_index] == best[0].token && ids[best[0].position] == best[0].token);
    /* small windows and chunks still cover every token */
    o.ctx_len = 5;
    o.chunk_bytes = 20;
    CHECK_OK(hl_sae_max_activations(s, m, "build/test_sae_text.txt", f, &o, best, 4, &nb, &ntok, &err), ep(&err));
    CHECK(nb >= 1 && ntok >= n - 1);
    CHECK(hl_sae_max_activations(s, m, "build/no_such.txt", f, &o, best, 4, &nb, &ntok, &err) == HL_ERR_IO);
    CHECK(hl_sae_max_activations(s, m, "build/test_sae_text.txt", 256, &o, best, 4, &nb, &ntok, &err) == HL_ERR_ARG);
    /* the CLI prints the same top activation */
    {
        char cmd[1024], line[1024];
        FILE *pf;
        int found = 0;
        snprintf(cmd, sizeof cmd, "build/hooklens sae examples/stories260K %s --hook blocks.2.hook_resid_post "
                 "--max-acts %lld --text-file build/test_sae_text.txt --top-k 2 2>&1",
                 hlt_fixture(SAE_DIR "gemmascope-jumprelu/params.npz"), (long long)f);
        pf = popen(cmd, "r");
        while (pf && fgets(line, sizeof line, pf)) found |= strstr(line, "act ") != NULL && strstr(line, "[[") != NULL;
        CHECK(pf && pclose(pf) == 0 && found);
        snprintf(cmd, sizeof cmd, "build/hooklens sae examples/stories260K %s --hook blocks.2.hook_resid_post "
                 "--prompt \"Once upon a time\" --top-k 2 2>&1", hlt_fixture(SAE_DIR "saelens-topk"));
        pf = popen(cmd, "r");
        found = 0;
        while (pf && fgets(line, sizeof line, pf)) found |= strstr(line, "'Once'") != NULL || strstr(line, "' Once'") != NULL;
        CHECK(pf && pclose(pf) == 0 && found);
    }
done:
    hl_free(ids);
    hl_cache_free(cache);
    hl_sae_free(s);
    hl_model_free(m);
}

void suite_sae(void) {
    RUN(test_sae_saelens_standard);
    RUN(test_sae_saelens_topk);
    RUN(test_sae_gemmascope_npz);
    RUN(test_sae_gemmascope_npz_compressed);
    RUN(test_sae_configs);
    RUN(test_sae_architectures);
    RUN(test_sae_encode_threads);
    RUN(test_sae_forward_threads);
    RUN(test_sae_top_features);
    RUN(test_sae_cfg_layouts_and_errors);
    RUN(test_sae_splice_gemmascope);
    RUN(test_sae_splice_saelens);
    RUN(test_sae_edits);
    RUN(test_sae_two_saes);
    RUN(test_sae_cli);
    RUN(test_sae_max_activations);
}
