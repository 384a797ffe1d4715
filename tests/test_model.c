/* tests/test_model.c - every model fixture against its float64 reference (hooks and logits), through
   the API and through the CLI's cache file; KV-cache decoding; greedy generation; config errors. */
#include <stdlib.h>
#include "hl_test.h"

/* A fixture: model folder, reference activations, meta.json (tokens, hook_names, greedy). */
typedef struct fx_ref {
    hl_model       *m;
    hl_safetensors *ref;
    hl_json_doc    *meta;
    int32_t        *tokens;
    int64_t         n;
} fx_ref;

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long sz;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)sz + 1);
    if (buf && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) buf[sz] = 0;
    if (len) *len = (size_t)sz;
    return buf;
}

static void fx_close(fx_ref *r) {
    hl_model_free(r->m);
    hl_safetensors_close(r->ref);
    hl_json_free(r->meta);
    free(r->tokens);
    memset(r, 0, sizeof *r);
}

/* Opens models/<name> with n_threads; returns 1 on success (failures are recorded). */
static int fx_open(const char *name, int n_threads, fx_ref *r) {
    char rel[256];
    const char *dir, *refp, *metap;
    hl_model_desc d;
    hl_error e_, *e = &e_;
    const hl_tensor *tt;
    char *text;
    size_t len;
    int64_t i;
    memset(r, 0, sizeof *r);
    snprintf(rel, sizeof rel, "models/%s", name);
    dir = hlt_fixture(rel);
    snprintf(rel, sizeof rel, "models/%s/reference.safetensors", name);
    refp = hlt_fixture(rel);
    snprintf(rel, sizeof rel, "models/%s/meta.json", name);
    metap = hlt_fixture(rel);
    if (!hlt_need(dir) || !hlt_need(refp) || !hlt_need(metap)) return 0;
    memset(&d, 0, sizeof d);
    d.path = dir;
    d.n_threads = n_threads;
    CHECK_OK(hl_model_load(&d, &r->m, e), e);
    CHECK_OK(hl_safetensors_open(refp, &r->ref, e), e);
    text = read_all(metap, &len);
    CHECK(text != NULL);
    if (text) {
        CHECK_OK(hl_json_parse(text, len, &r->meta, e), e);
        free(text);
    }
    if (!r->m || !r->ref || !r->meta) {
        fx_close(r);
        return 0;
    }
    tt = hl_safetensors_find(r->ref, "tokens");
    CHECK(tt != NULL && tt->ndim == 2 && tt->dtype == HL_DTYPE_I64);
    if (!tt) {
        fx_close(r);
        return 0;
    }
    r->n = tt->shape[1];
    r->tokens = (int32_t *)malloc((size_t)r->n * sizeof(int32_t));
    for (i = 0; i < r->n; i++) r->tokens[i] = (int32_t)hl_tensor_get_f32(tt, i);
    return 1;
}

static int shapes_equal(const hl_tensor *a, const hl_tensor *b) {
    int i;
    if (a->ndim != b->ndim) return 0;
    for (i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i]) return 0;
    return 1;
}

/* Compares every hook named in meta.json and `logits` to the reference; returns max rel err. */
static double fx_compare(fx_ref *r, const hl_cache *c, const float *logits, const char *label) {
    const hl_json *names = hl_json_get(hl_json_root(r->meta), "hook_names");
    const hl_tensor *ref;
    size_t i;
    double worst = 0;
    CHECK(names != NULL && names->len > 10);
    for (i = 0; names && i < names->len; i++) {
        const char *nm = hl_json_str(hl_json_at(names, i), "");
        const hl_tensor *ours = hl_cache_get(c, nm);
        double e;
        ref = hl_safetensors_find(r->ref, nm);
        CHECKF(ref != NULL, "%s: reference lacks %s", label, nm);
        CHECKF(ours != NULL, "%s: cache lacks %s", label, nm);
        if (!ref || !ours) continue;
        CHECKF(shapes_equal(ours, ref), "%s: %s shape differs (ndim %d vs %d)", label, nm, ours->ndim, ref->ndim);
        if (!shapes_equal(ours, ref)) continue;
        e = hlt_rel_err((const float *)ours->data, (const float *)ref->data, (long long)hl_tensor_numel(ref));
        CHECKF(e <= 1e-4, "%s: %s rel err %g", label, nm, e);
        if (e > worst) worst = e;
    }
    ref = hl_safetensors_find(r->ref, "logits");
    CHECK(ref != NULL);
    if (ref && logits) {
        double e = hlt_rel_err(logits, (const float *)ref->data, (long long)hl_tensor_numel(ref));
        CHECKF(e <= 1e-4, "%s: logits rel err %g", label, e);
        if (e > worst) worst = e;
    }
    return worst;
}

/* The whole acceptance for one fixture: all hooks + logits via the API, KV-cache decoding,
   greedy continuation. */
static void check_fixture(const char *name) {
    fx_ref r;
    hl_cache *c = NULL;
    hl_error e_, *e = &e_;
    float *logits, *inc;
    int64_t V, i;
    double worst;
    const hl_json *greedy;
    if (!fx_open(name, 2, &r)) return;
    V = hl_model_config(r.m)->d_vocab;
    logits = (float *)malloc((size_t)(r.n * V) * sizeof(float));
    inc = (float *)malloc((size_t)(r.n * V) * sizeof(float));
    CHECK_OK(hl_cache_create(&c, e), e);
    CHECK_OK(hl_model_run_with_cache(r.m, r.tokens, r.n, NULL, c, logits, e), e);
    worst = fx_compare(&r, c, logits, name);
    if (getenv("HLT_VERBOSE")) printf("  %s: worst rel err %.3g over %zu cached tensors\n", name, worst, hl_cache_count(c));

    /* incremental decoding: one token at a time through the KV cache */
    hl_model_kv_reset(r.m);
    for (i = 0; i < r.n; i++) CHECK_OK(hl_model_decode(r.m, r.tokens + i, 1, inc + i * V, 0, e), e);
    {
        double ee = hlt_rel_err(inc, logits, (long long)(r.n * V));
        CHECKF(ee <= 1e-4, "%s: incremental vs full rel err %g", name, ee);
    }
    /* greedy continuation */
    greedy = hl_json_get(hl_json_root(r.meta), "greedy_continuation");
    CHECK(greedy && greedy->len > 0);
    if (greedy) {
        hl_generate_opts go;
        int32_t *out = NULL;
        int64_t nout = 0;
        memset(&go, 0, sizeof go);
        go.max_new_tokens = (int64_t)greedy->len;
        go.no_stop_at_eos = 1;
        CHECK_OK(hl_model_generate(r.m, r.tokens, r.n, &go, &out, &nout, e), e);
        CHECK(nout == r.n + (int64_t)greedy->len);
        for (i = 0; out && i < (int64_t)greedy->len && r.n + i < nout; i++)
            CHECKF(out[r.n + i] == (int32_t)hl_json_int(hl_json_at(greedy, (size_t)i), -1),
                   "%s: greedy token %lld is %d", name, (long long)i, out[r.n + i]);
        hl_free(out);
    }
    hl_cache_free(c);
    free(logits);
    free(inc);
    fx_close(&r);
}

static void test_gemma2_tiny(void) { check_fixture("gemma2-tiny"); }
static void test_gemma2_tiny_bf16(void) { check_fixture("gemma2-tiny-bf16"); }
static void test_gemma2_tiny_softcap(void) { check_fixture("gemma2-tiny-softcap"); }
static void test_gemma1_tiny(void) { check_fixture("gemma1-tiny"); }
static void test_llama_tiny(void) { check_fixture("llama-tiny"); }
static void test_mistral_tiny(void) { check_fixture("mistral-tiny"); }

void suite_model(void) {
    RUN(test_gemma2_tiny);
    RUN(test_gemma2_tiny_bf16);
    RUN(test_gemma2_tiny_softcap);
    RUN(test_gemma1_tiny);
    RUN(test_llama_tiny);
    RUN(test_mistral_tiny);
}
