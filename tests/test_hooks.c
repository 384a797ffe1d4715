/* tests/test_hooks.c - hook names, the hooks API (globs, order, remove/reset, stop), ablation
   locality, identity hooks, thread-count determinism, optional hooks, splices, names filters. */
#include <stdlib.h>
#include "hl_test.h"

static hl_model *open_model(const char *name, int n_threads) {
    char rel[128];
    const char *dir;
    hl_model_desc d;
    hl_error e_, *e = &e_;
    hl_model *m = NULL;
    snprintf(rel, sizeof rel, "models/%s", name);
    dir = hlt_fixture(rel);
    if (!hlt_need(dir)) return NULL;
    memset(&d, 0, sizeof d);
    d.path = dir;
    d.n_threads = n_threads;
    CHECK_OK(hl_model_load(&d, &m, e), e);
    return m;
}

/* The gemma2-tiny fixture tokens (meta.json). */
static const int32_t TOKS[20] = {2, 328, 298, 26, 43, 496, 137, 252, 334, 458, 93, 3, 88, 63, 404, 422, 157, 172, 204, 112};

static void test_hook_names(void) {
    int h;
    char buf[128];
    hl_hook id;
    int64_t layer;
    hl_error e_, *e = &e_;
    for (h = 0; h < HL_HOOK_COUNT; h++) {
        int64_t L = hl_hook_per_layer((hl_hook)h) ? 13 : -1;
        CHECK(hl_hook_name((hl_hook)h, L, buf, sizeof buf) > 0);
        CHECK_OK(hl_hook_parse(buf, &id, &layer, e), e);
        CHECK(id == (hl_hook)h && layer == L);
        CHECK(hl_hook_shape((hl_hook)h)[0] == '[');
    }
    CHECK(hl_hook_name(HL_HOOK_RESID_PRE, 3, buf, sizeof buf) > 0 && strcmp(buf, "blocks.3.hook_resid_pre") == 0);
    /* the shape text comes from the table's dimension symbols */
    CHECK(strcmp(hl_hook_shape(HL_HOOK_RESID_PRE), "[batch, pos, d_model]") == 0);
    CHECK(strcmp(hl_hook_shape(HL_HOOK_ATTN_K), "[batch, pos, n_kv_heads, d_head]") == 0);
    CHECK(strcmp(hl_hook_shape(HL_HOOK_ATTN_PATTERN), "[batch, n_heads, query_pos, key_pos]") == 0);
    CHECK(strcmp(hl_hook_shape(HL_HOOK_LN2_SCALE), "[batch, pos, 1]") == 0);
    CHECK(strcmp(hl_hook_shape(HL_HOOK_MLP_POST), "[batch, pos, d_mlp]") == 0);
    CHECK(strcmp(hl_sub_name(HL_SUB_SAE_ACTS_POST), "hook_sae_acts_post") == 0 && hl_sub_name(HL_SUB_NONE)[0] == 0);
    CHECK(strcmp(hl_hook_pattern(HL_HOOK_ATTN_PATTERN), "blocks.{L}.attn.hook_pattern") == 0);
    CHECK(hl_hook_name(HL_HOOK_RESID_PRE, 3, buf, 8) == 0);
    CHECK(hl_hook_parse("blocks.x.hook_resid_pre", &id, &layer, e) == HL_ERR_NOT_FOUND);
    CHECK(hl_hook_parse("blocks.1.hook_embed", &id, &layer, e) == HL_ERR_NOT_FOUND);
    CHECK(hl_hook_parse("hook_resid_pre", &id, &layer, e) == HL_ERR_NOT_FOUND);
    CHECK(hl_hook_parse("blocks.99999999999999999999.hook_resid_pre", &id, &layer, e) == HL_ERR_NOT_FOUND);
    CHECK(hl_glob_match("blocks.*.hook_resid_post", "blocks.12.hook_resid_post"));
    CHECK(!hl_glob_match("blocks.*.hook_resid_post", "blocks.12.hook_resid_pre"));
    CHECK(hl_glob_match("*", "hook_embed"));
    CHECK(hl_glob_match("blocks.?.ln*.hook_scale", "blocks.3.ln1_post.hook_scale"));
    CHECK(!hl_glob_match("blocks.?.hook_z", "blocks.10.hook_z"));
    CHECK(hl_glob_match("*attn*scores", "blocks.0.attn.hook_attn_scores"));
}

/* Records every firing: name, and a copy of nothing (counts only). Each tensor must have the shape
   hl_model_hook_shape gives for the point (model, positions of the pass, keys). */
typedef struct fire_log {
    char     names[512][64];
    int64_t  rows[512];
    int      n, bad_shape;
    hl_model *m;
    int64_t  pos, keys; /* the pass's positions and key positions */
} fire_log;
static hl_status log_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    fire_log *l = (fire_log *)user;
    if (l->m) {
        int64_t want[4];
        int nd = hl_model_hook_shape(l->m, info->id, l->pos, l->keys, want);
        if (nd != act->ndim || memcmp(want, act->shape, (size_t)nd * sizeof(int64_t)) != 0) {
            l->bad_shape++;
            printf("  %s: shape does not match hl_model_hook_shape\n", info->name);
        }
    }
    if (l->n < 512) {
        snprintf(l->names[l->n], sizeof l->names[0], "%s", info->name);
        l->rows[l->n] = act->ndim > 1 ? act->shape[1] : 0;
        l->n++;
    }
    return HL_OK;
}

static void test_every_hook_fires_once(void) {
    hl_model *m = open_model("gemma2-tiny", 1);
    static fire_log lg;
    hl_error e_, *e = &e_;
    int i, j, dup = 0;
    if (!m) return;
    memset(&lg, 0, sizeof lg);
    lg.m = m;
    lg.pos = lg.keys = 20;
    CHECK_OK(hl_model_add_hook(m, "*", log_hook, &lg, NULL, e), e);
    CHECK_OK(hl_model_run(m, TOKS, 20, NULL, e), e);
    CHECK(lg.n == 3 + 4 * 24); /* hook_embed + ln_final x2, 24 per Gemma-2 block */
    CHECK(lg.bad_shape == 0);
    for (i = 0; i < lg.n; i++)
        for (j = i + 1; j < lg.n; j++)
            if (strcmp(lg.names[i], lg.names[j]) == 0) dup++;
    CHECK(dup == 0);
    /* execution order (TL HookedTransformer's forward) */
    CHECK(strcmp(lg.names[0], "hook_embed") == 0);
    CHECK(strcmp(lg.names[1], "blocks.0.hook_resid_pre") == 0);
    CHECK(strcmp(lg.names[2], "blocks.0.ln1.hook_scale") == 0);
    CHECK(strcmp(lg.names[4], "blocks.0.attn.hook_q") == 0);
    CHECK(strcmp(lg.names[lg.n - 1], "ln_final.hook_normalized") == 0);
    /* a decode step: 1 position against 21 keys, every point again */
    memset(&lg, 0, sizeof lg);
    lg.m = m;
    lg.pos = 1;
    lg.keys = 21;
    CHECK_OK(hl_model_decode(m, TOKS, 1, NULL, 0, e), e);
    CHECK(lg.n == 3 + 4 * 24 && lg.bad_shape == 0);
    hl_model_free(m);
}

static hl_status zero_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    (void)info;
    (void)user;
    memset(act->data, 0, hl_tensor_nbytes(act));
    return HL_OK;
}
static hl_status identity_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    float *x = (float *)act->data;
    int64_t i, n = hl_tensor_numel(act);
    (void)info;
    (void)user;
    for (i = 0; i < n; i++) x[i] = x[i] * 1.0f;
    return HL_OK;
}

static int tensors_equal(const hl_tensor *a, const hl_tensor *b) {
    return a && b && a->ndim == b->ndim && hl_tensor_nbytes(a) == hl_tensor_nbytes(b) &&
           memcmp(a->data, b->data, hl_tensor_nbytes(a)) == 0;
}

static void test_zero_attn_out_is_local(void) {
    hl_model *m = open_model("gemma2-tiny", 2);
    hl_cache *clean = NULL, *abl = NULL;
    hl_error e_, *e = &e_;
    size_t i, idx_attn_out = (size_t)-1;
    int upstream_same = 1, downstream_changed = 1;
    if (!m) return;
    CHECK_OK(hl_cache_create(&clean, e), e);
    CHECK_OK(hl_cache_create(&abl, e), e);
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 20, NULL, clean, NULL, e), e);
    CHECK_OK(hl_model_add_hook(m, "blocks.1.hook_attn_out", zero_hook, NULL, NULL, e), e);
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 20, NULL, abl, NULL, e), e);
    CHECK(hl_cache_count(clean) == hl_cache_count(abl));
    for (i = 0; i < hl_cache_count(clean); i++)
        if (strcmp(hl_cache_name(clean, i), "blocks.1.hook_attn_out") == 0) idx_attn_out = i;
    CHECK(idx_attn_out != (size_t)-1 && idx_attn_out > 30);
    for (i = 0; i < hl_cache_count(clean); i++) {
        const char *nm = hl_cache_name(clean, i);
        const hl_tensor *a = hl_cache_tensor(clean, i), *b = hl_cache_get(abl, nm);
        if (i < idx_attn_out) {
            if (!tensors_equal(a, b)) { upstream_same = 0; printf("  upstream changed: %s\n", nm); }
        } else if (i == idx_attn_out) {
            const float *z = (const float *)b->data;
            int64_t k, nz = 0;
            for (k = 0; k < hl_tensor_numel(b); k++) nz += z[k] != 0.0f;
            CHECK(nz == 0);
        } else if (strstr(nm, "hook_scale") == NULL && strstr(nm, "attn.hook_k") == NULL) {
            /* everything after it reads the changed residual stream (scale hooks too, but we
               only insist on the rest) */
            if (tensors_equal(a, b)) { downstream_changed = 0; printf("  downstream unchanged: %s\n", nm); }
        }
    }
    CHECK(upstream_same);
    CHECK(downstream_changed);
    hl_cache_free(clean);
    hl_cache_free(abl);
    hl_model_free(m);
}

static void test_identity_hook_bit_identical(void) {
    hl_model *m = open_model("gemma2-tiny", 2);
    float *a, *b;
    hl_error e_, *e = &e_;
    int64_t V;
    int h1 = 0;
    if (!m) return;
    V = hl_model_config(m)->d_vocab;
    a = (float *)malloc((size_t)(20 * V) * sizeof(float));
    b = (float *)malloc((size_t)(20 * V) * sizeof(float));
    CHECK_OK(hl_model_run(m, TOKS, 20, a, e), e);
    CHECK_OK(hl_model_add_hook(m, "*", identity_hook, NULL, &h1, e), e);
    CHECK_OK(hl_model_run(m, TOKS, 20, b, e), e);
    CHECK(memcmp(a, b, (size_t)(20 * V) * sizeof(float)) == 0);
    /* removing it and running again also gives the same bits */
    CHECK_OK(hl_model_remove_hook(m, h1, e), e);
    CHECK_OK(hl_model_run(m, TOKS, 20, b, e), e);
    CHECK(memcmp(a, b, (size_t)(20 * V) * sizeof(float)) == 0);
    free(a);
    free(b);
    hl_model_free(m);
}

/* 1 and 2 threads give the same bits for every hook and the logits. 512 positions: with d_model
   64, 4 heads of 16 and 512 keys, every split crosses its threshold (hooklens.h HL__PAR_*: rows x
   width 32768 for the norms, adds and activations, heads x n x keys x d_head 262144 for attention,
   65536 multiply-adds for a matmul), so the threaded paths of all of them run, with the scores
   hooked (three passes over S) and without (the fused path, logits only). */
static void test_threads_bit_identical(void) {
    const char *names[2] = {"gemma2-tiny", "mistral-tiny"};
    int k;
    for (k = 0; k < 2; k++) {
        hl_model *m1 = open_model(names[k], 1), *m2 = open_model(names[k], 2);
        hl_cache *c1 = NULL, *c2 = NULL;
        hl_error e_, *e = &e_;
        float *a, *b;
        int64_t V, n = 512;
        int32_t *toks;
        size_t i;
        if (!m1 || !m2) { hl_model_free(m1); hl_model_free(m2); return; }
        CHECK(hl_model_threads(m1) == 1 && hl_model_threads(m2) == 2);
        V = hl_model_config(m1)->d_vocab;
        a = (float *)malloc((size_t)(n * V) * sizeof(float));
        b = (float *)malloc((size_t)(n * V) * sizeof(float));
        toks = (int32_t *)malloc((size_t)n * sizeof(int32_t));
        for (i = 0; i < (size_t)n; i++) toks[i] = (int32_t)((i * 2654435761u + 7) % (uint32_t)V);
        CHECK(hl_model_config(m1)->d_model * n >= 32768 && 4 * n * n * 16 >= 262144);
        CHECK_OK(hl_cache_create(&c1, e), e);
        CHECK_OK(hl_cache_create(&c2, e), e);
        CHECK_OK(hl_model_run(m1, toks, n, a, e), e);
        CHECK_OK(hl_model_run(m2, toks, n, b, e), e);
        CHECK(memcmp(a, b, (size_t)(n * V) * sizeof(float)) == 0);
        CHECK_OK(hl_model_run_with_cache(m1, toks, n, NULL, c1, a, e), e);
        CHECK_OK(hl_model_run_with_cache(m2, toks, n, NULL, c2, b, e), e);
        CHECK(memcmp(a, b, (size_t)(n * V) * sizeof(float)) == 0);
        free(toks);
        CHECK(hl_cache_count(c1) == hl_cache_count(c2) && hl_cache_count(c1) > 50);
        for (i = 0; i < hl_cache_count(c1); i++)
            CHECKF(tensors_equal(hl_cache_tensor(c1, i), hl_cache_get(c2, hl_cache_name(c1, i))), "%s", hl_cache_name(c1, i));
        hl_cache_free(c1);
        hl_cache_free(c2);
        free(a);
        free(b);
        hl_model_free(m1);
        hl_model_free(m2);
    }
}

static hl_status count_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    (void)info;
    (void)act;
    (*(int *)user)++;
    return HL_OK;
}
/* Appends its tag to a string, to check the order hooks run in. */
static hl_status order_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    (void)info;
    (void)act;
    strcat((char *)user, "x");
    return HL_OK;
}
static hl_status tag_a(const hl_hook_info *i, hl_tensor *t, void *u) { (void)i; (void)t; strcat((char *)u, "a"); return HL_OK; }
static hl_status tag_b(const hl_hook_info *i, hl_tensor *t, void *u) { (void)i; (void)t; strcat((char *)u, "b"); return HL_OK; }
static hl_status stop_hook(const hl_hook_info *i, hl_tensor *t, void *u) { (void)i; (void)t; (void)u; return HL_ERR_ABORTED; }

static void test_hooks_api(void) {
    hl_model *m = open_model("llama-tiny", 1);
    hl_error e_, *e = &e_;
    int n_post = 0, n_pre = 0, h_post = 0, h_pre = 0;
    char order[64] = "";
    if (!m) return;
    CHECK_OK(hl_model_add_hook(m, "blocks.*.hook_resid_post", count_hook, &n_post, &h_post, e), e);
    CHECK_OK(hl_model_add_hook(m, "blocks.0.hook_resid_pre", count_hook, &n_pre, &h_pre, e), e);
    CHECK_OK(hl_model_run(m, TOKS, 5, NULL, e), e);
    CHECK(n_post == 3 && n_pre == 1);
    CHECK_OK(hl_model_remove_hook(m, h_post, e), e);
    CHECK(hl_model_remove_hook(m, h_post, e) == HL_ERR_NOT_FOUND);
    CHECK_OK(hl_model_run(m, TOKS, 5, NULL, e), e);
    CHECK(n_post == 3 && n_pre == 2);
    hl_model_reset_hooks(m);
    CHECK_OK(hl_model_run(m, TOKS, 5, NULL, e), e);
    CHECK(n_pre == 2);
    /* unknown names (with the nearest valid ones named); a Gemma-2-only point on Llama; a glob that
       matches nothing; sub-points and globs that match are accepted */
    CHECK(hl_model_add_hook(m, "blocks.0.hook_resid_prex", count_hook, &n_pre, NULL, e) == HL_ERR_NOT_FOUND);
    CHECKF(strstr(e->msg, "nearest: blocks.0.hook_resid_pre") != NULL, "%s", e->msg);
    CHECK(hl_model_check_name(m, "blocks.1.attn.hook_patern", e) == HL_ERR_NOT_FOUND);
    CHECKF(strstr(e->msg, "nearest: blocks.1.attn.hook_pattern") != NULL, "%s", e->msg);
    CHECK_OK(hl_model_check_name(m, "blocks.*.attn.hook_pattern", e), e);
    CHECK(hl_model_add_hook(m, "blocks.7.hook_resid_pre", count_hook, &n_pre, NULL, e) == HL_ERR_NOT_FOUND);
    CHECK(hl_model_add_hook(m, "blocks.0.ln1_post.hook_scale", count_hook, &n_pre, NULL, e) == HL_ERR_NOT_FOUND);
    CHECK(hl_model_add_hook(m, "blocks.0.hook_resid_pre", NULL, NULL, NULL, e) == HL_ERR_ARG);
    CHECK_OK(hl_model_add_hook(m, "blocks.0.hook_resid_pre.hook_sae_acts_post", count_hook, &n_pre, NULL, e), e);
    CHECK(hl_model_add_hook(m, "nothing.*", count_hook, &n_pre, NULL, e) == HL_ERR_NOT_FOUND);
    CHECK_OK(hl_model_add_hook(m, "blocks.*.hook_resid_p*", count_hook, &n_pre, NULL, e), e);
    hl_model_reset_hooks(m);
    /* registration order */
    CHECK_OK(hl_model_add_hook(m, "blocks.1.hook_mlp_out", tag_b, order, NULL, e), e);
    CHECK_OK(hl_model_add_hook(m, "blocks.1.hook_mlp_out", tag_a, order, NULL, e), e);
    CHECK_OK(hl_model_add_hook(m, "blocks.1.hook_mlp_out", order_hook, order, NULL, e), e);
    CHECK_OK(hl_model_run(m, TOKS, 5, NULL, e), e);
    CHECK(strcmp(order, "bax") == 0);
    hl_model_reset_hooks(m);
    /* a hook that returns an error stops the pass with that status; the KV cache is untouched */
    CHECK_OK(hl_model_run(m, TOKS, 5, NULL, e), e);
    CHECK(hl_model_kv_len(m) == 5);
    CHECK_OK(hl_model_add_hook(m, "blocks.2.mlp.hook_post", stop_hook, NULL, NULL, e), e);
    CHECK(hl_model_decode(m, TOKS + 5, 2, NULL, 0, e) == HL_ERR_ABORTED);
    CHECK(strstr(e->msg, "blocks.2.mlp.hook_post") != NULL);
    CHECK(hl_model_kv_len(m) == 5);
    hl_model_free(m);
}

static hl_status check_shape_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    int *bad = (int *)user;
    (void)info;
    if (act->ndim != 4 || act->shape[0] != 1 || act->shape[1] != 5) (*bad)++;
    return HL_OK;
}

static void test_optional_hooks(void) {
    hl_model *m = open_model("llama-tiny", 1);
    hl_cache *c0 = NULL, *c1 = NULL;
    hl_error e_, *e = &e_;
    float *a, *b;
    int64_t V, H, d, i, k;
    int bad = 0, fired = 0;
    const hl_tensor *res, *out;
    if (!m) return;
    V = hl_model_config(m)->d_vocab;
    H = hl_model_config(m)->n_heads;
    d = hl_model_config(m)->d_model;
    a = (float *)malloc((size_t)(5 * V) * sizeof(float));
    b = (float *)malloc((size_t)(5 * V) * sizeof(float));
    CHECK_OK(hl_cache_create(&c0, e), e);
    CHECK_OK(hl_cache_create(&c1, e), e);
    /* off by default: a hook on an optional point is accepted and never runs */
    CHECK_OK(hl_model_add_hook(m, "blocks.*.hook_q_input", count_hook, &fired, NULL, e), e);
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 5, NULL, c0, a, e), e);
    CHECK(fired == 0);
    CHECK(hl_cache_get(c0, "blocks.0.attn.hook_result") == NULL);
    hl_model_set_flags(m, HL_USE_ATTN_RESULT | HL_USE_SPLIT_QKV_INPUT | HL_USE_ATTN_IN | HL_USE_HOOK_MLP_IN);
    CHECK(hl_model_flags(m) == 15u);
    CHECK_OK(hl_model_add_hook(m, "blocks.*.hook_*_input", check_shape_hook, &bad, NULL, e), e);
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 5, NULL, c1, b, e), e);
    CHECK(fired == 3 && bad == 0);
    CHECK(hlt_rel_err(b, a, 5 * V) <= 1e-5);
    res = hl_cache_get(c1, "blocks.1.attn.hook_result");
    out = hl_cache_get(c1, "blocks.1.hook_attn_out");
    CHECK(res && res->ndim == 4 && res->shape[2] == H && res->shape[3] == d);
    CHECK(hl_cache_get(c1, "blocks.1.hook_attn_in") && hl_cache_get(c1, "blocks.1.hook_mlp_in"));
    CHECK(hl_cache_get(c1, "blocks.1.hook_k_input")->shape[2] == hl_model_config(m)->n_kv_heads);
    CHECK(hl_cache_get(c1, "blocks.1.ln1.hook_scale")->ndim == 4); /* head axis under split input */
    if (res && out) { /* Llama: attn_out = sum over heads of result */
        double worst = 0;
        for (i = 0; i < 5 * d; i++) {
            float s = 0;
            for (k = 0; k < H; k++) s += ((const float *)res->data)[((i / d) * H + k) * d + i % d];
            if (fabs((double)(s - ((const float *)out->data)[i])) > worst) worst = fabs((double)(s - ((const float *)out->data)[i]));
        }
        CHECK(worst < 1e-5);
    }
    {   /* activations other than the new points agree with the plain pass */
        const hl_tensor *x0 = hl_cache_get(c0, "blocks.2.hook_resid_post"), *x1 = hl_cache_get(c1, "blocks.2.hook_resid_post");
        CHECK(x0 && x1 && hlt_rel_err((const float *)x1->data, (const float *)x0->data, hl_tensor_numel(x0)) <= 1e-5);
    }
    hl_cache_free(c0);
    hl_cache_free(c1);
    free(a);
    free(b);
    hl_model_free(m);
}

/* A splice that fires a sub-point and then zeroes the activation (as an SAE with a dead
   dictionary would). */
static hl_status zero_splice(const hl_hook_info *info, hl_tensor *act, void *user) {
    hl_status st;
    (void)user;
    st = hl_model_fire(info, HL_SUB_SAE_ACTS_POST, act, NULL);
    if (st != HL_OK) return st;
    memset(act->data, 0, hl_tensor_nbytes(act));
    return HL_OK;
}

/* hl_model_hook_shape gives TL's shapes from the model's sizes, and nothing for a point the
   architecture lacks; sub-points are registered points: an exact unknown sub-point is an error,
   and a glob registered before a splice fires once the splice is set. */
static void test_hook_shapes_and_sub_points(void) {
    hl_model *m = open_model("gemma2-tiny", 1), *l = open_model("llama-tiny", 1);
    const hl_model_cfg *c;
    hl_error e_, *e = &e_;
    int64_t sh[4];
    int hits = 0;
    if (!m || !l) { hl_model_free(m); hl_model_free(l); return; }
    c = hl_model_config(m);
    CHECK(hl_model_hook_shape(m, HL_HOOK_ATTN_K, 7, 0, sh) == 4 && sh[0] == 1 && sh[1] == 7 && sh[2] == c->n_kv_heads &&
          sh[3] == c->d_head);
    CHECK(hl_model_hook_shape(m, HL_HOOK_ATTN_SCORES, 1, 9, sh) == 4 && sh[1] == c->n_heads && sh[2] == 1 && sh[3] == 9);
    CHECK(hl_model_hook_shape(m, HL_HOOK_LN1_POST_SCALE, 5, 0, sh) == 3 && sh[1] == 5 && sh[2] == 1);
    CHECK(hl_model_hook_shape(m, HL_HOOK_MLP_PRE, 5, 0, sh) == 3 && sh[2] == c->d_mlp);
    CHECK(hl_model_hook_shape(l, HL_HOOK_LN1_POST_SCALE, 5, 0, sh) == 0); /* Llama has no post-norms */
    CHECK(hl_model_hook_shape(m, HL_HOOK_COUNT, 5, 0, sh) == 0);
    CHECK(hl_model_add_hook(m, "blocks.2.hook_resid_post.hook_sae_nothing", count_hook, &hits, NULL, e) == HL_ERR_NOT_FOUND);
    CHECK(hl_model_add_hook(m, "blocks.9.hook_resid_post.hook_sae_input", count_hook, &hits, NULL, e) == HL_ERR_NOT_FOUND);
    CHECK_OK(hl_model_add_hook(m, "blocks.2.hook_resid_post.hook_sae_output", count_hook, &hits, NULL, e), e);
    CHECK_OK(hl_model_add_hook(m, "*.hook_sae_acts_*", count_hook, &hits, NULL, e), e);
    CHECK_OK(hl_model_run(m, TOKS, 20, NULL, e), e);
    CHECK(hits == 0); /* no splice: sub-points do not fire */
    CHECK_OK(hl_model_set_splice(m, "blocks.2.hook_resid_post", zero_splice, NULL, e), e);
    CHECK_OK(hl_model_run(m, TOKS, 20, NULL, e), e);
    CHECK(hits == 1); /* zero_splice fires acts_post: the glob, registered before, matches it */
    hl_model_free(m);
    hl_model_free(l);
}

static void test_splice(void) {
    hl_model *m = open_model("gemma2-tiny", 1);
    hl_cache *c = NULL;
    hl_error e_, *e = &e_;
    const char *names[2] = {"blocks.2.hook_resid_post*", "blocks.3.hook_resid_pre"};
    hl_names_filter f;
    int sub = 0;
    const hl_tensor *post, *sae, *pre3;
    if (!m) return;
    CHECK(hl_model_set_splice(m, "blocks.2.hook_nothing", zero_splice, m, e) == HL_ERR_NOT_FOUND);
    CHECK_OK(hl_model_set_splice(m, "blocks.2.hook_resid_post", zero_splice, m, e), e);
    CHECK_OK(hl_model_add_hook(m, "*.hook_sae_*", count_hook, &sub, NULL, e), e);
    CHECK_OK(hl_cache_create(&c, e), e);
    memset(&f, 0, sizeof f);
    f.names = names;
    f.n_names = 2;
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 20, &f, c, NULL, e), e);
    CHECK(sub == 1);
    CHECK(hl_cache_count(c) == 3);
    post = hl_cache_get(c, "blocks.2.hook_resid_post");
    sae = hl_cache_get(c, "blocks.2.hook_resid_post.hook_sae_acts_post");
    pre3 = hl_cache_get(c, "blocks.3.hook_resid_pre");
    CHECK(post && sae && pre3 && tensors_equal(post, sae));
    if (pre3) { /* the splice's output is what flows on */
        int64_t k, nz = 0;
        for (k = 0; k < hl_tensor_numel(pre3); k++) nz += ((const float *)pre3->data)[k] != 0.0f;
        CHECK(nz == 0);
    }
    hl_model_clear_splices(m);
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 20, &f, c, NULL, e), e);
    CHECK(hl_cache_count(c) == 2 && sub == 1);
    hl_cache_free(c);
    hl_model_free(m);
}

static int only_pattern(const char *name, void *user) {
    (void)user;
    return strstr(name, "hook_pattern") != NULL;
}

static void test_names_filter(void) {
    hl_model *m = open_model("gemma1-tiny", 1);
    hl_cache *c = NULL;
    hl_error e_, *e = &e_;
    hl_names_filter f;
    const char *exact[1] = {"blocks.1.hook_resid_pre"};
    const hl_tensor *t;
    if (!m) return;
    CHECK_OK(hl_cache_create(&c, e), e);
    memset(&f, 0, sizeof f);
    f.fn = only_pattern;
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 7, &f, c, NULL, e), e);
    CHECK(hl_cache_count(c) == 4);
    t = hl_cache_get(c, "blocks.3.attn.hook_pattern");
    CHECK(t && t->ndim == 4 && t->shape[0] == 1 && t->shape[1] == 4 && t->shape[2] == 7 && t->shape[3] == 7);
    memset(&f, 0, sizeof f);
    f.names = exact;
    f.n_names = 1;
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 7, &f, c, NULL, e), e);
    CHECK(hl_cache_count(c) == 1 && strcmp(hl_cache_name(c, 0), exact[0]) == 0);
    CHECK(hl_names_filter_match(NULL, "anything"));
    hl_cache_free(c);
    hl_model_free(m);
}

/* run_with_cache into a cache that already holds a run (of another length, then of the same
   length, whose memory it reuses) gives exactly what a fresh cache gets: names, shapes, bits. */
static int caches_equal(const hl_cache *a, const hl_cache *b) {
    size_t i;
    if (hl_cache_count(a) != hl_cache_count(b) || hl_cache_count(a) == 0) return 0;
    for (i = 0; i < hl_cache_count(a); i++)
        if (strcmp(hl_cache_name(a, i), hl_cache_name(b, i)) != 0 || !tensors_equal(hl_cache_tensor(a, i), hl_cache_tensor(b, i)))
            return 0;
    return 1;
}
static void test_cache_reuse(void) {
    hl_model *m = open_model("gemma2-tiny", 1);
    hl_cache *c = NULL, *f9 = NULL, *f20 = NULL;
    hl_error e_, *e = &e_;
    if (!m) return;
    CHECK_OK(hl_cache_create(&c, e), e);
    CHECK_OK(hl_cache_create(&f9, e), e);
    CHECK_OK(hl_cache_create(&f20, e), e);
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 20, NULL, f20, NULL, e), e);
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 9, NULL, f9, NULL, e), e);
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 20, NULL, c, NULL, e), e);
    CHECK(caches_equal(c, f20));
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 9, NULL, c, NULL, e), e);
    CHECK(caches_equal(c, f9));
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 9, NULL, c, NULL, e), e);
    CHECK(caches_equal(c, f9));
    CHECK_OK(hl_model_run_with_cache(m, TOKS, 20, NULL, c, NULL, e), e);
    CHECK(caches_equal(c, f20));
    hl_cache_free(c);
    hl_cache_free(f9);
    hl_cache_free(f20);
    hl_model_free(m);
}

/* Hooks during generation: hook_embed never fires (TL), block hooks fire on the prompt and then
   on one new position per step. */
static void test_generate_hooks(void) {
    hl_model *m = open_model("gemma2-tiny", 1);
    static fire_log lg;
    hl_error e_, *e = &e_;
    hl_generate_opts go;
    int32_t *out = NULL;
    int64_t n_out = 0;
    int embed = 0;
    if (!m) return;
    memset(&lg, 0, sizeof lg);
    CHECK_OK(hl_model_add_hook(m, "hook_embed", count_hook, &embed, NULL, e), e);
    CHECK_OK(hl_model_add_hook(m, "blocks.0.hook_resid_pre", log_hook, &lg, NULL, e), e);
    memset(&go, 0, sizeof go);
    go.max_new_tokens = 4;
    go.no_stop_at_eos = 1;
    CHECK_OK(hl_model_generate(m, TOKS, 6, &go, &out, &n_out, e), e);
    CHECK(n_out == 10 && embed == 0);
    CHECK(lg.n == 4 && lg.rows[0] == 6 && lg.rows[1] == 1 && lg.rows[3] == 1);
    hl_free(out);
    /* hook_embed fires in a normal run */
    CHECK_OK(hl_model_run(m, TOKS, 3, NULL, e), e);
    CHECK(embed == 1);
    hl_model_free(m);
}

void suite_hooks(void) {
    RUN(test_hook_names);
    RUN(test_every_hook_fires_once);
    RUN(test_zero_attn_out_is_local);
    RUN(test_identity_hook_bit_identical);
    RUN(test_threads_bit_identical);
    RUN(test_hooks_api);
    RUN(test_optional_hooks);
    RUN(test_hook_shapes_and_sub_points);
    RUN(test_splice);
    RUN(test_names_filter);
    RUN(test_cache_reuse);
    RUN(test_generate_hooks);
}
