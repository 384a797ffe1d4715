/* tests/test_ablation.c - zero and mean ablation (hl_model_add_ablation, hl_ablation_mean) on the
   gemma2-tiny fixture (GQA, post-norms, sliding window): each ablation gives the same logits, bit
   for bit, as the hand-written hook a TransformerLens user writes (memset / memcpy of the slice),
   and TL 4.3's own zero-ablation effects recorded in toolkit_meta.json. */
#include <stdlib.h>
#include "hl_test.h"

/* toolkit_meta.json "tokens" and "corrupted_tokens" of gemma2-tiny */
static const int32_t ab_clean[20] = {2, 328, 298, 26, 43, 496, 137, 252, 334, 458, 93, 3, 88, 63, 404, 422, 157, 172, 204, 112};
static const int32_t ab_corrupt[20] = {2, 328, 172, 26, 47, 496, 137, 252, 334, 458, 93, 3, 88, 63, 404, 422, 157, 172, 204, 112};
#define AB_N 20

static hl_model *ab_load(void) {
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error e;
    if (!hlt_need(hlt_fixture("models/gemma2-tiny/config.json"))) return NULL;
    memset(&d, 0, sizeof d);
    d.path = hlt_fixture("models/gemma2-tiny");
    d.n_threads = 2;
    CHECK_OK(hl_model_load(&d, &m, &e), &e);
    return m;
}

/* The hand-written hooks: act[0, p, h, :] (or act[0, h, p, :] for a pattern) = 0 or src[h*X ..],
   for p == pos (-1: all), h == head (-1: all; 3-d points have one "head"). */
typedef struct {
    int64_t      head, pos;
    const float *src; /* NULL: zeros */
    int          head_first;
} hand_ctx;
static hl_status hand_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    const hand_ctx *c = (const hand_ctx *)user;
    float *x = (float *)act->data;
    int64_t rows, H, X, p, h;
    if (c->head_first) H = act->shape[1], rows = act->shape[2], X = act->shape[3];
    else if (act->ndim == 4) rows = act->shape[1], H = act->shape[2], X = act->shape[3];
    else rows = act->shape[1], H = 1, X = act->shape[2];
    for (p = 0; p < rows; p++)
        for (h = 0; h < H; h++) {
            float *dst = c->head_first ? x + (h * rows + p) * X : x + (p * H + h) * X;
            if ((c->pos >= 0 && info->pos0 + p != c->pos) || (c->head >= 0 && h != c->head)) continue;
            if (c->src) memcpy(dst, c->src + h * X, (size_t)X * sizeof(float));
            else memset(dst, 0, (size_t)X * sizeof(float));
        }
    return HL_OK;
}

/* Logits of tokens with one hook on `name` (fn NULL: none). */
static void run_hooked(hl_model *m, const int32_t *t, int64_t n, const char *name, hl_hook_fn fn, void *user, float *lg) {
    hl_error e;
    int h = -1;
    if (fn) CHECK_OK(hl_model_add_hook(m, name, fn, user, &h, &e), &e);
    CHECK_OK(hl_model_run(m, t, n, lg, &e), &e);
    if (fn) hl_model_remove_hook(m, h, NULL);
}
/* Logits of tokens with ablation *a installed (then removed). */
static void run_ablated(hl_model *m, const int32_t *t, int64_t n, const hl_ablation *a, float *lg) {
    hl_error e;
    int h = -1;
    CHECK_OK(hl_model_add_ablation(m, a, &h, &e), &e);
    CHECK_OK(hl_model_run(m, t, n, lg, &e), &e);
    CHECK_OK(hl_model_remove_hook(m, h, &e), &e);
}
static hl_ablation abl(hl_ablation_kind kind, const char *hook, int64_t head, int64_t pos, const float *mean, int64_t n_mean) {
    hl_ablation a;
    memset(&a, 0, sizeof a);
    a.kind = kind, a.hook = hook, a.head = head, a.pos = pos, a.mean = mean, a.n_mean = n_mean;
    return a;
}
static double max_abs_diff(const float *a, const float *b, int64_t n) {
    double d = 0;
    int64_t i;
    for (i = 0; i < n; i++)
        if (fabs((double)a[i] - (double)b[i]) > d) d = fabs((double)a[i] - (double)b[i]);
    return d;
}

/* Zero-ablating head h of layer l equals the hook that memsets hook_z[:, :, h, :] (and at one
   position, [:, p, h, :]; and one head of the pattern); removing it gives the plain run back. */
static void test_ablate_zero_head(void) {
    hl_model *m = ab_load();
    const int64_t V = m ? hl_model_config(m)->d_vocab : 0;
    float *base, *hand, *ours;
    hand_ctx hc;
    hl_ablation a;
    if (!m) return;
    base = (float *)malloc((size_t)(3 * AB_N * V) * sizeof(float));
    hand = base + AB_N * V, ours = hand + AB_N * V;
    run_hooked(m, ab_clean, AB_N, NULL, NULL, NULL, base);
    memset(&hc, 0, sizeof hc);
    hc.head = 2, hc.pos = -1;
    run_hooked(m, ab_clean, AB_N, "blocks.1.attn.hook_z", hand_hook, &hc, hand);
    a = abl(HL_ABLATE_ZERO, "blocks.1.attn.hook_z", 2, -1, NULL, 0);
    run_ablated(m, ab_clean, AB_N, &a, ours);
    CHECK(memcmp(hand, ours, (size_t)(AB_N * V) * sizeof(float)) == 0);
    CHECK(memcmp(base, ours, (size_t)(AB_N * V) * sizeof(float)) != 0); /* it did ablate something */
    run_hooked(m, ab_clean, AB_N, NULL, NULL, NULL, ours);              /* and it is gone */
    CHECK(memcmp(base, ours, (size_t)(AB_N * V) * sizeof(float)) == 0);
    /* one position */
    hc.head = 3, hc.pos = 6;
    run_hooked(m, ab_clean, AB_N, "blocks.0.attn.hook_z", hand_hook, &hc, hand);
    a = abl(HL_ABLATE_ZERO, "blocks.0.attn.hook_z", 3, 6, NULL, 0);
    run_ablated(m, ab_clean, AB_N, &a, ours);
    CHECK(memcmp(hand, ours, (size_t)(AB_N * V) * sizeof(float)) == 0);
    CHECK(memcmp(base, ours, (size_t)(AB_N * V) * sizeof(float)) != 0);
    /* one head's attention pattern, every query row */
    hc.head = 1, hc.pos = -1, hc.head_first = 1;
    run_hooked(m, ab_clean, AB_N, "blocks.2.attn.hook_pattern", hand_hook, &hc, hand);
    a = abl(HL_ABLATE_ZERO, "blocks.2.attn.hook_pattern", 1, -1, NULL, 0);
    run_ablated(m, ab_clean, AB_N, &a, ours);
    CHECK(memcmp(hand, ours, (size_t)(AB_N * V) * sizeof(float)) == 0);
    CHECK(memcmp(base, ours, (size_t)(AB_N * V) * sizeof(float)) != 0);
    free(base);
    hl_model_free(m);
}

/* Zero-ablating a head that is already zero (a hand hook zeroed it first) changes nothing: the
   same logits and the same hook_z, bit for bit. */
static void test_ablate_zero_head_already_zero(void) {
    hl_model *m = ab_load();
    const int64_t V = m ? hl_model_config(m)->d_vocab : 0;
    const char *only[1] = {"blocks.3.attn.hook_z"};
    hl_names_filter f;
    hl_cache *c1 = NULL, *c2 = NULL;
    float *once, *twice;
    hand_ctx hc;
    hl_ablation a;
    hl_error e;
    int h1 = -1, h2 = -1;
    if (!m) return;
    once = (float *)malloc((size_t)(2 * AB_N * V) * sizeof(float));
    twice = once + AB_N * V;
    memset(&f, 0, sizeof f);
    f.names = only, f.n_names = 1;
    memset(&hc, 0, sizeof hc);
    hc.head = 0, hc.pos = -1;
    CHECK_OK(hl_cache_create(&c1, &e), &e);
    CHECK_OK(hl_cache_create(&c2, &e), &e);
    CHECK_OK(hl_model_add_hook(m, only[0], hand_hook, &hc, &h1, &e), &e);
    CHECK_OK(hl_model_run_with_cache(m, ab_corrupt, AB_N, &f, c1, once, &e), &e);
    a = abl(HL_ABLATE_ZERO, only[0], 0, -1, NULL, 0);
    CHECK_OK(hl_model_add_ablation(m, &a, &h2, &e), &e); /* runs after the hand hook */
    CHECK_OK(hl_model_run_with_cache(m, ab_corrupt, AB_N, &f, c2, twice, &e), &e);
    CHECK(memcmp(once, twice, (size_t)(AB_N * V) * sizeof(float)) == 0);
    {
        const hl_tensor *z1 = hl_cache_get(c1, only[0]), *z2 = hl_cache_get(c2, only[0]);
        CHECK(z1 && z2 && hl_tensor_numel(z1) == hl_tensor_numel(z2));
        if (z1 && z2) CHECK(memcmp(z1->data, z2->data, (size_t)hl_tensor_numel(z1) * sizeof(float)) == 0);
    }
    hl_model_reset_hooks(m);
    hl_cache_free(c1);
    hl_cache_free(c2);
    free(once);
    hl_model_free(m);
}

/* Mean ablation: hl_ablation_mean is the f64 mean over the positions of the reference run (by
   hand here), and ablating with it equals the hook that copies mean[h] into hook_z[:, :, h, :]
   (and into hook_mlp_out at one position). */
static void test_ablate_mean(void) {
    hl_model *m = ab_load();
    const int64_t V = m ? hl_model_config(m)->d_vocab : 0;
    float *base, *hand, *ours, *mz = NULL, *mm = NULL;
    int64_t nz = 0, nm = 0, H, dh, d, j, p;
    hl_cache *ref = NULL;
    hl_error e;
    hand_ctx hc;
    hl_ablation a;
    if (!m) return;
    H = hl_model_config(m)->n_heads, dh = hl_model_config(m)->d_head, d = hl_model_config(m)->d_model;
    base = (float *)malloc((size_t)(3 * AB_N * V) * sizeof(float));
    hand = base + AB_N * V, ours = hand + AB_N * V;
    CHECK_OK(hl_cache_create(&ref, &e), &e);
    CHECK_OK(hl_model_run_with_cache(m, ab_clean, AB_N, NULL, ref, NULL, &e), &e); /* the reference run */
    CHECK_OK(hl_ablation_mean(ref, "blocks.1.attn.hook_z", &mz, &nz, &e), &e);
    CHECK_OK(hl_ablation_mean(ref, "blocks.2.hook_mlp_out", &mm, &nm, &e), &e);
    CHECK(nz == H * dh && nm == d);
    if (mz && mm && nz == H * dh && nm == d) {
        const float *z = (const float *)hl_cache_get(ref, "blocks.1.attn.hook_z")->data;
        int same = 1;
        for (j = 0; j < nz; j++) {
            double s = 0;
            for (p = 0; p < AB_N; p++) s += (double)z[p * nz + j];
            same &= mz[j] == (float)(s / AB_N);
        }
        CHECK(same);
        run_hooked(m, ab_corrupt, AB_N, NULL, NULL, NULL, base);
        memset(&hc, 0, sizeof hc);
        hc.head = 3, hc.pos = -1, hc.src = mz;
        run_hooked(m, ab_corrupt, AB_N, "blocks.1.attn.hook_z", hand_hook, &hc, hand);
        a = abl(HL_ABLATE_MEAN, "blocks.1.attn.hook_z", 3, -1, mz, nz);
        run_ablated(m, ab_corrupt, AB_N, &a, ours);
        CHECK(memcmp(hand, ours, (size_t)(AB_N * V) * sizeof(float)) == 0);
        CHECK(memcmp(base, ours, (size_t)(AB_N * V) * sizeof(float)) != 0);
        hc.head = -1, hc.pos = 7, hc.src = mm;
        run_hooked(m, ab_corrupt, AB_N, "blocks.2.hook_mlp_out", hand_hook, &hc, hand);
        a = abl(HL_ABLATE_MEAN, "blocks.2.hook_mlp_out", -1, 7, mm, nm);
        run_ablated(m, ab_corrupt, AB_N, &a, ours);
        CHECK(memcmp(hand, ours, (size_t)(AB_N * V) * sizeof(float)) == 0);
        CHECK(memcmp(base, ours, (size_t)(AB_N * V) * sizeof(float)) != 0);
    }
    hl_free(mz);
    hl_free(mm);
    hl_cache_free(ref);
    free(base);
    hl_model_free(m);
}

/* Ablating all of an MLP: zeroing hook_mlp_out equals zeroing it by hand; zeroing mlp.hook_post
   gives the same bits (gemma2-tiny is bias-free and ln2_post of zeros is zeros); and the largest
   change of the logits is TL's, as toolkit_meta.json records it (checks.patching_sanity,
   zero_ablate_*_changes_logits_maxabs, 3 significant digits), for every point TL zero-ablated.
   The meta does not say which tokens TL ran: the corrupted ones match all five (the clean ones
   give 5.24, not 5.41, for the three attention points). */
static void test_ablate_mlp(void) {
    hl_model *m = ab_load();
    const int64_t V = m ? hl_model_config(m)->d_vocab : 0;
    float *base, *hand, *ours;
    hand_ctx hc;
    hl_ablation a;
    static const struct { const char *hook; double tl; } tl[] = {
        {"blocks.0.attn.hook_z", 5.41}, {"blocks.0.attn.hook_pattern", 5.41}, {"blocks.0.hook_attn_out", 5.41},
        {"blocks.0.hook_mlp_out", 6.44}, {"blocks.0.hook_resid_pre", 29.7},
    };
    size_t k;
    if (!m) return;
    base = (float *)malloc((size_t)(3 * AB_N * V) * sizeof(float));
    hand = base + AB_N * V, ours = hand + AB_N * V;
    run_hooked(m, ab_clean, AB_N, NULL, NULL, NULL, base);
    memset(&hc, 0, sizeof hc);
    hc.head = -1, hc.pos = -1;
    run_hooked(m, ab_clean, AB_N, "blocks.2.hook_mlp_out", hand_hook, &hc, hand);
    a = abl(HL_ABLATE_ZERO, "blocks.2.hook_mlp_out", -1, -1, NULL, 0);
    run_ablated(m, ab_clean, AB_N, &a, ours);
    CHECK(memcmp(hand, ours, (size_t)(AB_N * V) * sizeof(float)) == 0);
    CHECK(memcmp(base, ours, (size_t)(AB_N * V) * sizeof(float)) != 0);
    a = abl(HL_ABLATE_ZERO, "blocks.2.mlp.hook_post", -1, -1, NULL, 0);
    run_ablated(m, ab_clean, AB_N, &a, ours);
    CHECK(memcmp(hand, ours, (size_t)(AB_N * V) * sizeof(float)) == 0);
    run_hooked(m, ab_corrupt, AB_N, NULL, NULL, NULL, base);
    for (k = 0; k < sizeof tl / sizeof tl[0]; k++) {
        double dmax;
        a = abl(HL_ABLATE_ZERO, tl[k].hook, -1, -1, NULL, 0);
        run_ablated(m, ab_corrupt, AB_N, &a, ours);
        dmax = max_abs_diff(ours, base, AB_N * V);
        CHECKF(fabs(dmax - tl[k].tl) <= 0.006 * tl[k].tl, "%s: max |change| %.4f, TL %.3g", tl[k].hook, dmax, tl[k].tl);
    }
    free(base);
    hl_model_free(m);
}

/* Position ablation of any point (here resid_pre) equals the hand hook; pos is absolute: a pass
   without that position leaves the model alone, a decode step holding it ablates it. */
static void test_ablate_position(void) {
    hl_model *m = ab_load();
    const int64_t V = m ? hl_model_config(m)->d_vocab : 0;
    float *base, *hand, *ours;
    hand_ctx hc;
    hl_ablation a;
    hl_error e;
    int h = -1;
    if (!m) return;
    base = (float *)malloc((size_t)(3 * AB_N * V) * sizeof(float));
    hand = base + AB_N * V, ours = hand + AB_N * V;
    memset(&hc, 0, sizeof hc);
    hc.head = -1, hc.pos = 4;
    run_hooked(m, ab_clean, AB_N, NULL, NULL, NULL, base);
    run_hooked(m, ab_clean, AB_N, "blocks.2.hook_resid_pre", hand_hook, &hc, hand);
    a = abl(HL_ABLATE_ZERO, "blocks.2.hook_resid_pre", -1, 4, NULL, 0);
    run_ablated(m, ab_clean, AB_N, &a, ours);
    CHECK(memcmp(hand, ours, (size_t)(AB_N * V) * sizeof(float)) == 0);
    CHECK(memcmp(base, ours, (size_t)(AB_N * V) * sizeof(float)) != 0);
    /* positions 0..9 run, then 10..19 decoded; the ablation sits at 15 */
    a = abl(HL_ABLATE_ZERO, "blocks.2.hook_resid_pre", -1, 15, NULL, 0);
    hc.pos = 15;
    run_hooked(m, ab_clean, 10, NULL, NULL, NULL, base);
    CHECK_OK(hl_model_decode(m, ab_clean + 10, 10, base + 10 * V, 0, &e), &e); /* plain rows 10..19 */
    CHECK_OK(hl_model_run(m, ab_clean, 10, NULL, &e), &e);
    CHECK_OK(hl_model_add_hook(m, "blocks.2.hook_resid_pre", hand_hook, &hc, &h, &e), &e);
    CHECK_OK(hl_model_decode(m, ab_clean + 10, 10, hand, 0, &e), &e);
    hl_model_remove_hook(m, h, NULL);
    CHECK_OK(hl_model_add_ablation(m, &a, &h, &e), &e);
    CHECK_OK(hl_model_run(m, ab_clean, 10, ours, &e), &e);
    CHECK(memcmp(base, ours, (size_t)(10 * V) * sizeof(float)) == 0); /* no position 15 in this pass */
    CHECK_OK(hl_model_decode(m, ab_clean + 10, 10, ours, 0, &e), &e);
    hl_model_remove_hook(m, h, NULL);
    CHECK(memcmp(hand, ours, (size_t)(10 * V) * sizeof(float)) == 0);
    CHECK(memcmp(ours, base + 10 * V, (size_t)(5 * V) * sizeof(float)) == 0); /* rows 10..14 untouched */
    CHECK(memcmp(ours + 5 * V, base + 15 * V, (size_t)V * sizeof(float)) != 0); /* row 15 ablated */
    free(base);
    hl_model_free(m);
}

/* Every misuse is a specific status with a message naming the problem. */
static void test_ablate_errors(void) {
    hl_model *m = ab_load();
    hl_cache *ref = NULL;
    hl_error e;
    hl_ablation a;
    float mean[64], *mp = NULL;
    int64_t nm = -1;
    int h = -1;
    if (!m) return;
    memset(mean, 0, sizeof mean);
    CHECK(hl_model_add_ablation(m, NULL, &h, &e) == HL_ERR_ARG);
    a = abl((hl_ablation_kind)0, "blocks.0.attn.hook_z", 0, -1, NULL, 0);
    CHECK(hl_model_add_ablation(m, &a, &h, &e) == HL_ERR_ARG && strstr(e.msg, "kind"));
    a = abl(HL_ABLATE_ZERO, "blocks.*.attn.hook_z", 0, -1, NULL, 0);
    CHECK(hl_model_add_ablation(m, &a, &h, &e) == HL_ERR_ARG && strstr(e.msg, "glob"));
    a = abl(HL_ABLATE_ZERO, "blocks.0.attn.hook_zz", 0, -1, NULL, 0);
    CHECK(hl_model_add_ablation(m, &a, &h, &e) == HL_ERR_NOT_FOUND && strstr(e.msg, "hook_zz"));
    a = abl(HL_ABLATE_ZERO, "blocks.4.attn.hook_z", 0, -1, NULL, 0); /* 4 layers: 0..3 */
    CHECK(hl_model_add_ablation(m, &a, &h, &e) == HL_ERR_NOT_FOUND && strstr(e.msg, "4 layers"));
    a = abl(HL_ABLATE_ZERO, "blocks.0.hook_mlp_out", 1, -1, NULL, 0);
    CHECK(hl_model_add_ablation(m, &a, &h, &e) == HL_ERR_ARG && strstr(e.msg, "no head axis"));
    a = abl(HL_ABLATE_ZERO, "blocks.0.attn.hook_z", 4, -1, NULL, 0);
    CHECK(hl_model_add_ablation(m, &a, &h, &e) == HL_ERR_ARG && strstr(e.msg, "has 4 heads"));
    a = abl(HL_ABLATE_ZERO, "blocks.0.attn.hook_k", 2, -1, NULL, 0); /* 2 kv heads */
    CHECK(hl_model_add_ablation(m, &a, &h, &e) == HL_ERR_ARG && strstr(e.msg, "has 2 heads"));
    a = abl(HL_ABLATE_ZERO, "blocks.0.attn.hook_z", 0, -2, NULL, 0);
    CHECK(hl_model_add_ablation(m, &a, &h, &e) == HL_ERR_ARG && strstr(e.msg, "position -2"));
    a = abl(HL_ABLATE_MEAN, "blocks.0.attn.hook_z", 0, -1, mean, 16);
    CHECK(hl_model_add_ablation(m, &a, &h, &e) == HL_ERR_SHAPE && strstr(e.msg, "needs 64 mean values"));
    a = abl(HL_ABLATE_MEAN, "blocks.0.attn.hook_z", 0, -1, NULL, 64);
    CHECK(hl_model_add_ablation(m, &a, &h, &e) == HL_ERR_SHAPE && strstr(e.msg, "no mean"));
    a = abl(HL_ABLATE_MEAN, "blocks.0.attn.hook_pattern", 0, -1, mean, 64);
    CHECK(hl_model_add_ablation(m, &a, &h, &e) == HL_ERR_UNSUPPORTED && strstr(e.msg, "zero-ablate it"));
    CHECK_OK(hl_cache_create(&ref, &e), &e);
    CHECK_OK(hl_model_run_with_cache(m, ab_clean, 4, NULL, ref, NULL, &e), &e);
    CHECK(hl_ablation_mean(ref, "blocks.0.hook_mlp_in", &mp, &nm, &e) == HL_ERR_NOT_FOUND && strstr(e.msg, "hook_mlp_in") &&
          mp == NULL && nm == 0);
    CHECK(hl_ablation_mean(ref, "blocks.0.attn.hook_pattern", &mp, &nm, &e) == HL_ERR_UNSUPPORTED);
    CHECK(hl_ablation_mean(ref, "ln_final.hook_scale", &mp, &nm, &e) == HL_OK && nm == 1);
    hl_free(mp);
    hl_cache_free(ref);
    hl_model_free(m);
}

/* In a batch the ablation takes the slice of every sequence (TL's act[:, pos, head, :]): a batch
   of the clean and the corrupted tokens, ablated, gives each single ablated run's logits bit for bit. */
static void test_ablate_batch(void) {
    hl_model *m = ab_load();
    const int64_t V = m ? hl_model_config(m)->d_vocab : 0;
    int32_t toks[2 * AB_N];
    float *single, *batch;
    hl_batch b;
    hl_ablation a[2];
    hl_error e;
    int k, i, h[2];
    if (!m) return;
    single = (float *)malloc((size_t)(2 * AB_N * V) * sizeof(float));
    batch = (float *)malloc((size_t)(2 * AB_N * V) * sizeof(float));
    memcpy(toks, ab_clean, sizeof ab_clean), memcpy(toks + AB_N, ab_corrupt, sizeof ab_corrupt);
    memset(&b, 0, sizeof b);
    b.tokens = toks, b.n_batch = 2, b.n_pos = AB_N;
    a[0] = abl(HL_ABLATE_ZERO, "blocks.1.attn.hook_z", 2, 5, NULL, 0);
    a[1] = abl(HL_ABLATE_ZERO, "blocks.2.hook_mlp_out", -1, -1, NULL, 0);
    for (k = 0; k < 2; k++) {
        for (i = 0; i < 2; i++) run_ablated(m, toks + i * AB_N, AB_N, &a[k], single + i * AB_N * V);
        CHECK_OK(hl_model_add_ablation(m, &a[k], &h[k], &e), &e);
        CHECK_OK(hl_model_run_batch(m, &b, batch, &e), &e);
        CHECK_OK(hl_model_remove_hook(m, h[k], &e), &e);
        CHECK(memcmp(single, batch, (size_t)(2 * AB_N * V) * sizeof(float)) == 0);
    }
    free(single), free(batch);
    hl_model_free(m);
}

void suite_ablation(void) {
    RUN(test_ablate_zero_head);
    RUN(test_ablate_zero_head_already_zero);
    RUN(test_ablate_mean);
    RUN(test_ablate_mlp);
    RUN(test_ablate_position);
    RUN(test_ablate_errors);
    RUN(test_ablate_batch);
}
