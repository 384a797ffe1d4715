/* tests/test_analysis.c - the ActivationCache analyses (>>analysis) against TransformerLens 4.3's
   own outputs on the fixture models (models/X/reference_toolkit.safetensors, toolkit_meta.json: the
   calls, labels and tokens), within 1e-4 relative, labels equal; plus the identities that tie them
   together. */
#include <stdlib.h>
#include "hl_test.h"

typedef struct tk {
    hl_model       *m;
    hl_safetensors *ref;
    hl_json_doc    *meta;
    hl_cache       *cache;
    int32_t        *tokens;
    float          *logits;
    int64_t         n, V;
} tk;

static void tk_close(tk *t) {
    hl_model_free(t->m);
    hl_safetensors_close(t->ref);
    hl_json_free(t->meta);
    hl_cache_free(t->cache);
    free(t->tokens);
    free(t->logits);
    memset(t, 0, sizeof *t);
}

/* Loads models/<name> (default processing, as the references), runs the meta's tokens with a
   full cache. */
static int tk_open(const char *name, tk *t) {
    char rel[256], *text;
    size_t len, i;
    hl_model_desc d;
    hl_error e;
    const hl_json *toks;
    memset(t, 0, sizeof *t);
    snprintf(rel, sizeof rel, "models/%s/toolkit_meta.json", name);
    if (!hlt_need(hlt_fixture(rel))) return 0;
    text = hlt_read_file(hlt_fixture(rel), &len);
    CHECK(text != NULL);
    if (!text) return 0;
    CHECK_OK(hl_json_parse(text, len, &t->meta, &e), &e);
    free(text);
    snprintf(rel, sizeof rel, "models/%s/reference_toolkit.safetensors", name);
    if (!hlt_need(hlt_fixture(rel))) { tk_close(t); return 0; }
    CHECK_OK(hl_safetensors_open(hlt_fixture(rel), &t->ref, &e), &e);
    memset(&d, 0, sizeof d);
    snprintf(rel, sizeof rel, "models/%s", name);
    d.path = hlt_fixture(rel);
    d.n_threads = 1;
    CHECK_OK(hl_model_load(&d, &t->m, &e), &e);
    toks = t->meta ? hl_json_get(hl_json_root(t->meta), "tokens") : NULL;
    if (!t->m || !t->ref || !toks) { tk_close(t); return 0; }
    t->n = (int64_t)toks->len;
    t->V = hl_model_config(t->m)->d_vocab;
    t->tokens = (int32_t *)malloc((size_t)t->n * sizeof(int32_t));
    t->logits = (float *)malloc((size_t)(t->n * t->V) * sizeof(float));
    for (i = 0; i < toks->len; i++) t->tokens[i] = (int32_t)hl_json_int(hl_json_at(toks, i), -1);
    CHECK_OK(hl_cache_create(&t->cache, &e), &e);
    CHECK_OK(hl_model_run_with_cache(t->m, t->tokens, t->n, NULL, t->cache, t->logits, &e), &e);
    return 1;
}

/* ours [numel] against reference tensor `key`: same element count, rel err <= 1e-4. */
static void tk_cmp(const tk *t, const char *name, const char *key, const float *ours, int64_t numel) {
    const hl_tensor *r = hl_safetensors_find(t->ref, key);
    CHECKF(r != NULL, "%s: reference lacks %s", name, key);
    if (!r) return;
    CHECKF(hl_tensor_numel(r) == numel, "%s: %s has %lld values, ours %lld", name, key, (long long)hl_tensor_numel(r),
           (long long)numel);
    if (hl_tensor_numel(r) == numel) {
        double err = hlt_rel_err(ours, (const float *)r->data, numel);
        CHECKF(err <= 1e-4, "%s: %s rel err %g", name, key, err);
    }
}
/* The stack's labels against toolkit_meta.json's labels[key]. */
static void tk_labels(const tk *t, const char *name, const char *key, const hl_stack *s) {
    const hl_json *l = hl_json_get(hl_json_get(hl_json_root(t->meta), "labels"), key);
    int64_t i;
    CHECKF(l && (int64_t)l->len == s->n, "%s: %s: %lld labels, TL has %lld", name, key, (long long)s->n,
           (long long)(l ? (int64_t)l->len : -1));
    for (i = 0; l && i < s->n && i < (int64_t)l->len; i++)
        CHECKF(strcmp(s->labels[i], hl_json_str(hl_json_at(l, (size_t)i), "")) == 0, "%s: %s label %lld is %s, TL's %s",
               name, key, (long long)i, s->labels[i], hl_json_str(hl_json_at(l, (size_t)i), ""));
}

static void check_toolkit(const char *name) {
    tk t;
    hl_error e;
    hl_stack *s = NULL;
    float *buf;
    double mean = 0;
    int32_t answer, wrong;
    static const struct { const char *key; hl_stack_kind kind; } stacks[] = {
        {"accumulated_resid", HL_STACK_ACCUMULATED},
        {"decompose_resid", HL_STACK_DECOMPOSED},
        {"stack_head_results", HL_STACK_HEADS},
        {"full_resid_decomposition", HL_STACK_FULL},
    };
    size_t k;
    if (!tk_open(name, &t)) return;
    buf = (float *)malloc((size_t)(2 * (t.n + 1) * (t.n * t.V + 4096)) * sizeof(float));
    /* loss */
    CHECK_OK(hl_loss(t.m, t.tokens, t.n, t.logits, buf, &mean, &e), &e);
    tk_cmp(&t, name, "loss_per_token", buf, t.n - 1);
    {
        float fm = (float)mean;
        tk_cmp(&t, name, "loss", &fm, 1);
    }
    /* the four stacks with apply_ln, as TL's calls in toolkit_meta.json */
    for (k = 0; k < sizeof stacks / sizeof stacks[0]; k++) {
        hl_status st = hl_resid_stack(t.m, t.cache, stacks[k].kind, 1, &s, &e);
        if (stacks[k].kind == HL_STACK_ACCUMULATED && hl_model_config(t.m)->parallel) {
            /* TL raises KeyError 'blocks.0.hook_resid_mid' (toolkit_meta.json errors); we say why */
            CHECKF(st == HL_ERR_NOT_FOUND && strstr(e.msg, "resid_mid"), "%s: %s", name, e.msg);
            continue;
        }
        CHECK_OK(st, &e);
        if (!s) continue;
        tk_labels(&t, name, stacks[k].key, s);
        tk_cmp(&t, name, stacks[k].key, s->x, s->n * s->pos * s->d_model);
        hl_stack_free(s);
        s = NULL;
    }
    /* the logit lens: accumulated_resid(incl_mid=False, apply_ln=True) @ W_U */
    CHECK_OK(hl_resid_stack(t.m, t.cache, HL_STACK_ACCUMULATED_NO_MID, 1, &s, &e), &e);
    if (s) {
        tk_labels(&t, name, "logit_lens_logits", s);
        CHECK_OK(hl_logit_lens(t.m, s, buf, &e), &e);
        tk_cmp(&t, name, "logit_lens_logits", buf, s->n * s->pos * t.V);
        hl_stack_free(s);
        s = NULL;
    }
    /* direct logit attribution of the answer vs the wrong token at the last position */
    answer = (int32_t)hl_json_int(hl_json_get(hl_json_root(t.meta), "answer_token"), -1);
    wrong = (int32_t)hl_json_int(hl_json_get(hl_json_root(t.meta), "wrong_token"), -1);
    CHECK(answer >= 0 && wrong >= 0);
    CHECK_OK(hl_resid_stack(t.m, t.cache, HL_STACK_DECOMPOSED, 0, &s, &e), &e);
    if (s) {
        CHECK_OK(hl_logit_attrs(t.m, t.cache, s, t.n - 1, answer, wrong, buf, &e), &e);
        tk_cmp(&t, name, "logit_attrs_decompose", buf, s->n);
        hl_stack_free(s);
        s = NULL;
    }
    CHECK_OK(hl_resid_stack(t.m, t.cache, HL_STACK_HEADS, 0, &s, &e), &e);
    if (s) {
        CHECK_OK(hl_logit_attrs(t.m, t.cache, s, t.n - 1, answer, wrong, buf, &e), &e);
        tk_cmp(&t, name, "logit_attrs_heads", buf, s->n);
        hl_stack_free(s);
        s = NULL;
    }
    /* activation patching: the grids of TL's patching module, corrupted run patched from clean */
    {
        static const struct { const char *key; hl_patch_kind kind; } patches[] = {
            {"patch_resid_pre", HL_PATCH_RESID_PRE},
            {"patch_attn_out", HL_PATCH_ATTN_OUT},
            {"patch_mlp_out", HL_PATCH_MLP_OUT},
            {"patch_attn_head_out_all_pos", HL_PATCH_HEAD_OUT_ALL_POS},
            {"patch_attn_head_out_by_pos", HL_PATCH_HEAD_OUT_BY_POS},
            {"patch_attn_head_pattern_all_pos", HL_PATCH_HEAD_PATTERN_ALL_POS},
        };
        const hl_json *cj = hl_json_get(hl_json_root(t.meta), "corrupted_tokens");
        const int64_t L = hl_model_config(t.m)->n_layers, H = hl_model_config(t.m)->n_heads;
        int32_t ids[2], *corrupt = (int32_t *)malloc((size_t)t.n * sizeof(int32_t));
        int64_t i;
        ids[0] = answer, ids[1] = wrong;
        CHECK(cj && (int64_t)cj->len == t.n);
        for (i = 0; cj && i < t.n; i++) corrupt[i] = (int32_t)hl_json_int(hl_json_at(cj, (size_t)i), -1);
        const int softcap = hl_model_config(t.m)->final_softcap > 0.0f;
        const float clean_metric = hl_metric_logit_diff(t.logits, t.n, t.V, ids);
        const double clean_pre = hl_json_num(hl_json_get(hl_json_root(t.meta), "clean_metric_presoftcap"), 0.0);
        hl_patch_opts po;
        memset(&po, 0, sizeof po);
        po.presoftcap = 1;
        CHECK(!softcap || clean_pre != 0.0);
        for (k = 0; cj && k < sizeof patches / sizeof patches[0]; k++) {
            int64_t cells = patches[k].kind <= HL_PATCH_MLP_OUT ? L * t.n
                            : patches[k].kind == HL_PATCH_HEAD_OUT_BY_POS ? L * t.n * H : L * H;
            char key[64];
            CHECK_OK(hl_act_patch(t.m, t.tokens, corrupt, t.n, patches[k].kind, hl_metric_logit_diff, ids, buf, &e), &e);
            tk_cmp(&t, name, patches[k].key, buf, cells);
            /* the same grid with the metric read before the final softcap: TL's patch_*.presoftcap
               (Gemma-2 fixtures, toolkit_meta.json presoftcap_metric_code); without a softcap the
               same bits as above */
            snprintf(key, sizeof key, "%s.presoftcap", patches[k].key);
            CHECK_OK(hl_act_patch_ext(t.m, t.tokens, corrupt, t.n, patches[k].kind, hl_metric_logit_diff, ids, &po,
                                      buf + cells, &e), &e);
            CHECKF(softcap == (hl_safetensors_find(t.ref, key) != NULL), "%s: %s in the reference but softcap %d", name, key,
                   softcap);
            if (softcap) tk_cmp(&t, name, key, buf + cells, cells);
            else CHECKF(memcmp(buf, buf + cells, (size_t)cells * sizeof(float)) == 0, "%s: %s differs without a softcap", name, key);
            /* patching the clean run into itself gives the clean metric in every cell, exactly
               (TL's acceptance case), for every kind; before the softcap every cell is the same
               value too, TL's clean_metric_presoftcap to 1e-4 */
            CHECK_OK(hl_act_patch(t.m, t.tokens, t.tokens, t.n, patches[k].kind, hl_metric_logit_diff, ids, buf, &e), &e);
            for (i = 0; i < cells; i++)
                CHECKF(buf[i] == clean_metric, "%s: %s self-patch cell %lld: %g, clean %g", name, patches[k].key, (long long)i,
                       (double)buf[i], (double)clean_metric);
            if (!softcap) continue;
            CHECK_OK(hl_act_patch_ext(t.m, t.tokens, t.tokens, t.n, patches[k].kind, hl_metric_logit_diff, ids, &po, buf, &e),
                     &e);
            for (i = 0; i < cells; i++)
                CHECKF(buf[i] == buf[0] && fabs((double)buf[i] - clean_pre) <= 1e-4 * fabs(clean_pre),
                       "%s: %s presoftcap self-patch cell %lld: %.7g, TL %.7g", name, patches[k].key, (long long)i,
                       (double)buf[i], clean_pre);
        }
        free(corrupt);
    }
    /* head scores on TL's detection sequence (BOS + h + h) */
    {
        static const struct { const char *key; hl_head_kind kind; } heads[] = {
            {"heads_previous_token", HL_HEAD_PREVIOUS_TOKEN},
            {"heads_duplicate_token", HL_HEAD_DUPLICATE_TOKEN},
            {"heads_induction", HL_HEAD_INDUCTION},
        };
        const hl_json *sj = hl_json_get(hl_json_root(t.meta), "detect_sequence");
        int64_t i, ns = sj ? (int64_t)sj->len : 0;
        int32_t *seq = (int32_t *)malloc((size_t)(ns + 1) * sizeof(int32_t));
        CHECK(ns > 0);
        for (i = 0; i < ns; i++) seq[i] = (int32_t)hl_json_int(hl_json_at(sj, (size_t)i), -1);
        for (k = 0; ns > 0 && k < sizeof heads / sizeof heads[0]; k++) {
            CHECK_OK(hl_head_scores(t.m, seq, ns, heads[k].kind, buf, &e), &e);
            tk_cmp(&t, name, heads[k].key, buf, hl_model_config(t.m)->n_layers * hl_model_config(t.m)->n_heads);
        }
        free(seq);
    }
    /* parameters in TL's shapes, after processing: every one the reference holds */
    {
        static const char *const params[] = {"W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O", "W_in",
                                             "W_gate", "W_out", "b_in", "b_out", "W_U", "b_U", "W_E", "W_pos"};
        size_t q;
        for (q = 0; q < sizeof params / sizeof params[0]; q++) {
            char key[32];
            int global = params[q][2] == 'U' || params[q][2] == 'E' || params[q][2] == 'p';
            hl_tensor pt;
            const hl_tensor *r;
            snprintf(key, sizeof key, global ? "%s" : "%s.0", params[q]);
            if (!(r = hl_safetensors_find(t.ref, key))) continue; /* TL 4 has no such parameter here */
            CHECK_OK(hl_model_param(t.m, params[q], 0, &pt, &e), &e);
            if (!pt.data) continue;
            CHECKF(pt.ndim == r->ndim && pt.shape[0] == r->shape[0] && pt.shape[1] == r->shape[1], "%s: %s shape", name, key);
            tk_cmp(&t, name, key, (const float *)pt.data, hl_tensor_numel(&pt));
            hl_free(pt.data);
        }
    }
    free(buf);
    tk_close(&t);
}

static void test_toolkit_gemma2_tiny(void) { check_toolkit("gemma2-tiny"); }
static void test_toolkit_llama_tiny(void) { check_toolkit("llama-tiny"); }
static void test_toolkit_gpt2_tiny(void) { check_toolkit("gpt2-tiny"); }
static void test_toolkit_gptneox_tiny(void) { check_toolkit("gptneox-tiny"); }

/* Identities: the decomposition sums to final_post (raw, no LN); the answer's attribution over
   the decomposed stack plus b_U's share is its logit difference; a cache without a point the
   analysis reads is a named error. */
static void test_toolkit_identities(void) {
    tk t;
    hl_error e;
    hl_stack *dec = NULL, *acc = NULL;
    hl_cache *small = NULL;
    const char *only[] = {"hook_embed"};
    hl_names_filter f;
    int64_t i, j;
    if (!tk_open("gpt2-tiny", &t)) return;
    CHECK_OK(hl_resid_stack(t.m, t.cache, HL_STACK_DECOMPOSED, 0, &dec, &e), &e);
    CHECK_OK(hl_resid_stack(t.m, t.cache, HL_STACK_ACCUMULATED, 0, &acc, &e), &e);
    if (dec && acc) { /* decompose_resid and get_full_resid_decomposition (heads as processed, centred) */
        int64_t P = dec->pos, d = dec->d_model, pass;
        float *sum = (float *)calloc((size_t)(P * d), sizeof(float));
        hl_stack *full = NULL;
        CHECK_OK(hl_resid_stack(t.m, t.cache, HL_STACK_FULL, 0, &full, &e), &e);
        for (pass = 0; pass < 2; pass++) {
            const hl_stack *s = pass ? full : dec;
            if (!s) continue;
            memset(sum, 0, (size_t)(P * d) * sizeof(float));
            for (i = 0; i < s->n; i++)
                for (j = 0; j < P * d; j++) sum[j] += s->x[i * P * d + j];
            CHECKF(hlt_rel_err(sum, acc->x + (acc->n - 1) * P * d, P * d) < 1e-5, "%s: sum vs final_post %g",
                   pass ? "full" : "decomposed", hlt_rel_err(sum, acc->x + (acc->n - 1) * P * d, P * d));
        }
        hl_stack_free(full);
        free(sum);
    }
    memset(&f, 0, sizeof f);
    f.names = only;
    f.n_names = 1;
    CHECK_OK(hl_cache_create(&small, &e), &e);
    CHECK_OK(hl_model_run_with_cache(t.m, t.tokens, t.n, &f, small, NULL, &e), &e);
    hl_stack_free(dec);
    dec = NULL;
    CHECK(hl_resid_stack(t.m, small, HL_STACK_DECOMPOSED, 0, &dec, &e) == HL_ERR_NOT_FOUND && strstr(e.msg, "hook_pos_embed"));
    CHECK(dec == NULL);
    hl_cache_free(small);
    hl_stack_free(acc);
    tk_close(&t);
}

/* hl_model_run_from(L, cached resid_pre[L]) gives the full pass's logits bit for bit, and
   hl_act_patch (which starts each cell there) the naive grid: a full corrupted pass per cell. */
typedef struct { const float *src; int64_t pos, d; } naive_ctx;
static hl_status naive_patch(const hl_hook_info *info, hl_tensor *act, void *user) {
    const naive_ctx *c = (const naive_ctx *)user;
    (void)info;
    memcpy((float *)act->data + c->pos * c->d, c->src + c->pos * c->d, (size_t)c->d * sizeof(float));
    return HL_OK;
}
static void test_patch_prefix_reuse(void) {
    tk t;
    hl_error e;
    float *grid, *lg;
    int32_t ids[2];
    int64_t l, p, L;
    int handle;
    char nm[64];
    if (!tk_open("gpt2-tiny", &t)) return;
    L = hl_model_config(t.m)->n_layers;
    grid = (float *)malloc((size_t)(L * t.n) * sizeof(float));
    lg = (float *)malloc((size_t)(t.n * t.V) * sizeof(float));
    ids[0] = 636, ids[1] = 622;
    for (l = 1; l < L; l++) {
        const hl_tensor *r;
        snprintf(nm, sizeof nm, "blocks.%lld.hook_resid_pre", (long long)l);
        r = hl_cache_get(t.cache, nm);
        CHECK(r != NULL);
        if (!r) continue;
        CHECK_OK(hl_model_run_from(t.m, l, (const float *)r->data, t.n, lg, &e), &e);
        CHECKF(memcmp(lg, t.logits, (size_t)(t.n * t.V) * sizeof(float)) == 0, "run_from layer %lld differs", (long long)l);
    }
    CHECK(hl_model_run_from(t.m, 0, t.logits, t.n, lg, &e) == HL_ERR_ARG);
    {   /* the corrupted tokens: positions 2 and 4 changed */
        int32_t *corrupt = (int32_t *)malloc((size_t)t.n * sizeof(int32_t));
        hl_cache *clean = NULL;
        memcpy(corrupt, t.tokens, (size_t)t.n * sizeof(int32_t));
        corrupt[2] = 44, corrupt[4] = 239;
        CHECK_OK(hl_act_patch(t.m, t.tokens, corrupt, t.n, HL_PATCH_RESID_PRE, hl_metric_logit_diff, ids, grid, &e), &e);
        CHECK_OK(hl_cache_create(&clean, &e), &e);
        CHECK_OK(hl_model_run_with_cache(t.m, t.tokens, t.n, NULL, clean, NULL, &e), &e);
        for (l = 0; clean && l < L; l++)
            for (p = 0; p < t.n; p++) {
                naive_ctx c;
                snprintf(nm, sizeof nm, "blocks.%lld.hook_resid_pre", (long long)l);
                c.src = (const float *)hl_cache_get(clean, nm)->data, c.pos = p, c.d = 64;
                CHECK_OK(hl_model_add_hook(t.m, nm, naive_patch, &c, &handle, &e), &e);
                CHECK_OK(hl_model_run(t.m, corrupt, t.n, lg, &e), &e);
                hl_model_remove_hook(t.m, handle, NULL);
                CHECKF(grid[l * t.n + p] == hl_metric_logit_diff(lg, t.n, t.V, ids), "cell %lld,%lld", (long long)l, (long long)p);
            }
        hl_cache_free(clean);
        free(corrupt);
    }
    free(grid), free(lg);
    tk_close(&t);
}

/* hl_patch_opts.presoftcap hands the metric the logits the pass caps: with the scalar kernels,
   cap * tanhf(x / cap) of them is the returned logits of the same cell, bit for bit (every cell
   of a layer-0 grid, on gemma2-tiny: softcap 30). A hook the caller set on ln_final stays on. */
typedef struct { float *rows; int64_t cell, want; } capture_ctx;
static float capture_metric(const float *logits, int64_t n, int64_t V, void *user) {
    capture_ctx *c = (capture_ctx *)user;
    if (c->cell++ == c->want) memcpy(c->rows, logits, (size_t)(n * V) * sizeof(float));
    return 0.0f;
}
static hl_status scale_half(const hl_hook_info *info, hl_tensor *act, void *user) {
    int64_t i;
    (void)info, (void)user;
    for (i = 0; i < hl_tensor_numel(act); i++) ((float *)act->data)[i] *= 0.5f;
    return HL_OK;
}
static void test_patch_presoftcap_logits(void) {
    tk t;
    hl_error e;
    hl_model_desc d;
    hl_model *m = NULL;
    hl_patch_opts po;
    capture_ctx c;
    float *grid, *pre, *post, cap;
    int32_t corrupt[20];
    int64_t i, V, cell, bad;
    int h = -1, pass;
    if (!tk_open("gemma2-tiny", &t)) return;
    memset(&d, 0, sizeof d);
    d.path = hlt_fixture("models/gemma2-tiny");
    d.kernels = HL_KERNELS_SCALAR;
    CHECK_OK(hl_model_load(&d, &m, &e), &e);
    if (!m || t.n != 20) { hl_model_free(m); tk_close(&t); return; }
    V = t.V, cap = hl_model_config(m)->final_softcap;
    CHECK(cap == 30.0f);
    memcpy(corrupt, t.tokens, sizeof corrupt);
    corrupt[2] = 172, corrupt[4] = 47;
    grid = (float *)malloc((size_t)(4 * 20) * sizeof(float));
    pre = (float *)malloc((size_t)(2 * 20 * V) * sizeof(float));
    post = pre + 20 * V;
    memset(&po, 0, sizeof po);
    po.presoftcap = 1;
    for (pass = 0; pass < 2; pass++) { /* pass 1: with the caller's own hook on ln_final.hook_normalized */
        if (pass) CHECK_OK(hl_model_add_hook(m, "ln_final.hook_normalized", scale_half, NULL, &h, &e), &e);
        for (cell = 0; cell < 4 * 20; cell += 23) { /* layers 0..3 */
            c.cell = 0, c.want = cell, c.rows = pre;
            CHECK_OK(hl_act_patch_ext(m, t.tokens, corrupt, 20, HL_PATCH_RESID_PRE, capture_metric, &c, &po, grid, &e), &e);
            c.cell = 0, c.want = cell, c.rows = post;
            CHECK_OK(hl_act_patch(m, t.tokens, corrupt, 20, HL_PATCH_RESID_PRE, capture_metric, &c, grid, &e), &e);
            for (i = bad = 0; i < 20 * V; i++) bad += cap * tanhf(pre[i] / cap) != post[i];
            CHECKF(bad == 0, "pass %d cell %lld: %lld of %lld logits differ", pass, (long long)cell, (long long)bad,
                   (long long)(20 * V));
            CHECK(memcmp(pre, post, (size_t)(20 * V) * sizeof(float)) != 0); /* and the cap did something */
        }
        if (pass) hl_model_remove_hook(m, h, NULL);
    }
    free(grid), free(pre);
    hl_model_free(m);
    tk_close(&t);
}

/* TL's token helpers on gpt2-tiny with the GPT-2 tokenizer: to_single_token, get_token_position. */
static void test_token_helpers(void) {
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error e;
    char *cfg, *tok, *w;
    size_t cl = 0, tl = 0, wl = 0;
    const void *ws[1];
    size_t wsz[1];
    int32_t id = -1;
    int64_t pos = -1;
    static const int32_t ids[6] = {50256, 15496, 995, 15496, 995, 13};
    if (!hlt_need(hlt_fixture("tokenizers/gpt2/tokenizer.json"))) return;
    tok = hlt_read_file(hlt_fixture("tokenizers/gpt2/tokenizer.json"), &tl);
    cfg = hlt_read_file(hlt_fixture("models/gpt2-tiny/config.json"), &cl);
    w = hlt_read_file(hlt_fixture("models/gpt2-tiny/model.safetensors"), &wl);
    memset(&d, 0, sizeof d);
    ws[0] = w, wsz[0] = wl;
    d.config_json = cfg, d.config_len = cl, d.weights = ws, d.weight_sizes = wsz, d.n_weights = 1;
    d.tokenizer_json = tok, d.tokenizer_len = tl;
    CHECK_OK(hl_model_load(&d, &m, &e), &e);
    if (m) {
        CHECK_OK(hl_model_to_single_token(m, " world", &id, &e), &e);
        CHECK(id == 995);
        CHECK(hl_model_to_single_token(m, "Hello world", &id, &e) == HL_ERR_ARG && strstr(e.msg, "2 tokens"));
    }
    CHECK_OK(hl_token_position(ids, 6, 995, 0, &pos, &e), &e);
    CHECK(pos == 2);
    CHECK_OK(hl_token_position(ids, 6, 995, 1, &pos, &e), &e);
    CHECK(pos == 4);
    CHECK(hl_token_position(ids, 6, 7, 0, &pos, &e) == HL_ERR_NOT_FOUND);
    hl_model_free(m);
    free(cfg), free(tok), free(w);
}

void suite_analysis(void) {
    RUN(test_token_helpers);
    RUN(test_patch_prefix_reuse);
    RUN(test_patch_presoftcap_logits);
    RUN(test_toolkit_gemma2_tiny);
    RUN(test_toolkit_llama_tiny);
    RUN(test_toolkit_gpt2_tiny);
    RUN(test_toolkit_gptneox_tiny);
    RUN(test_toolkit_identities);
}
