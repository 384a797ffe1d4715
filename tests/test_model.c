/* tests/test_model.c - every model fixture against its float64 reference (hooks and logits), through
   the API and through the CLI's cache file; KV-cache decoding; greedy generation; config errors. */
#include <stdlib.h>
#include <unistd.h>
#include "hl_test.h"

/* A fixture: model folder, reference activations, meta.json (tokens, hook_names, greedy).
   ref is the reference compared with: the raw Hugging Face reference.safetensors, or one of
   TransformerLens's (tl = 1: reference_tl.safetensors with TL's weight processing,
   reference_tl_noproc.safetensors without). raw is reference.safetensors either way: for the points
   processing does not change (q, k, rotary, scores, pattern) it is the reference, as the fixtures'
   README says (TL 4.3 puts GPT-Neo's pattern into hook_attn_scores and never fires NeoX's rot_q/k). */
typedef struct fx_ref {
    hl_model       *m;
    hl_safetensors *ref, *raw;
    hl_json_doc    *meta;
    int32_t        *tokens;
    int64_t         n;
    int             tl;
    int             headed_ln1; /* split q/k/v input on: ln1's points have a head axis (not compared) */
} fx_ref;

static void fx_close(fx_ref *r) {
    hl_model_free(r->m);
    if (r->raw != r->ref) hl_safetensors_close(r->raw);
    hl_safetensors_close(r->ref);
    hl_json_free(r->meta);
    free(r->tokens);
    memset(r, 0, sizeof *r);
}

/* Opens models/<name> with n_threads, to be compared with models/<name>/<ref_file>; loaded with
   desc.no_processing = raw. Returns 1 on success (failures are recorded). */
static int fx_open_ref(const char *name, int n_threads, const char *ref_file, int raw, fx_ref *r) {
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
    snprintf(rel, sizeof rel, "models/%s/%s", name, ref_file);
    refp = hlt_fixture(rel);
    snprintf(rel, sizeof rel, "models/%s/meta.json", name);
    metap = hlt_fixture(rel);
    if (!hlt_need(dir) || !hlt_need(refp) || !hlt_need(metap)) return 0;
    memset(&d, 0, sizeof d);
    d.path = dir;
    d.n_threads = n_threads;
    d.no_processing = raw;
    r->tl = strncmp(ref_file, "reference_tl", 12) == 0;
    CHECK_OK(hl_model_load(&d, &r->m, e), e);
    CHECK_OK(hl_safetensors_open(refp, &r->ref, e), e);
    r->raw = r->ref;
    if (r->tl) {
        snprintf(rel, sizeof rel, "models/%s/reference.safetensors", name);
        if (!hlt_need(hlt_fixture(rel))) r->raw = NULL;
        else CHECK_OK(hl_safetensors_open(hlt_fixture(rel), &r->raw, e), e);
    }
    text = hlt_read_file(metap, &len);
    CHECK(text != NULL);
    if (text) {
        CHECK_OK(hl_json_parse(text, len, &r->meta, e), e);
        free(text);
    }
    if (!r->m || !r->ref || !r->raw || !r->meta) {
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

static int fx_open(const char *name, int n_threads, fx_ref *r) {
    return fx_open_ref(name, n_threads, "reference.safetensors", 0, r);
}

/* The points weight processing leaves alone, checked against the raw reference (see fx_ref). */
static int fx_unprocessed(const char *name) {
    static const char *const keep[] = {"attn.hook_q", "attn.hook_k", "attn.hook_rot_q", "attn.hook_rot_k",
                                       "attn.hook_attn_scores", "attn.hook_pattern"};
    size_t i, n = strlen(name);
    for (i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (n >= strlen(keep[i]) && strcmp(name + n - strlen(keep[i]), keep[i]) == 0) return 1;
    return 0;
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
        if (r->headed_ln1 && strstr(nm, ".ln1.")) continue;
        ref = hl_safetensors_find(fx_unprocessed(nm) ? r->raw : r->ref, nm);
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
        /* TL's logits are TL's; the raw reference is centred when the model centres */
        double e = r->tl ? hlt_rel_err(logits, (const float *)ref->data, (long long)hl_tensor_numel(ref))
                         : hlt_logits_err(r->m, logits, (const float *)ref->data, ref->shape[1], ref->shape[2]);
        CHECKF(e <= 1e-4, "%s: logits rel err %g", label, e);
        if (e > worst) worst = e;
    }
    return worst;
}

/* The whole acceptance for one fixture: all hooks + logits via the API, KV-cache decoding,
   greedy continuation. */
static void check_fixture_ref(const char *name, const char *ref_file, int raw) {
    fx_ref r;
    hl_cache *c = NULL;
    hl_error e_, *e = &e_;
    float *logits, *inc;
    int64_t V, i;
    double worst;
    const hl_json *greedy;
    if (!fx_open_ref(name, 2, ref_file, raw, &r)) return;
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

static void check_fixture(const char *name) {
    check_fixture_ref(name, "reference.safetensors", 0);
}

/* The `hooklens run` path: hl_model_save_activations writes the cache file the CLI writes; read it
   back and compare it to the reference like a Python user would. */
static void check_fixture_file(const char *name) {
    fx_ref r;
    hl_error e_, *e = &e_;
    hl_safetensors *st = NULL;
    size_t saved = 0, i;
    char path[256];
    const hl_tensor *tok;
    hl_cache *c = NULL;
    if (!fx_open(name, 1, &r)) return;
    snprintf(path, sizeof path, "build/test_model_%s.safetensors", name);
    CHECK_OK(hl_model_save_activations(r.m, r.tokens, r.n, NULL, path, NULL, &saved, e), e);
    CHECK_OK(hl_safetensors_open(path, &st, e), e);
    CHECK_OK(hl_cache_create(&c, e), e);
    if (st && c) {
        const hl_tensor *lg = hl_safetensors_find(st, "logits");
        CHECK(hl_safetensors_count(st) == saved);
        for (i = 0; i < hl_safetensors_count(st); i++) {
            CHECK(hl_safetensors_tensor(st, i)->dtype == (strcmp(hl_safetensors_name(st, i), "tokens") ? HL_DTYPE_F32 : HL_DTYPE_I64));
            CHECK_OK(hl_cache_put(c, hl_safetensors_name(st, i), hl_safetensors_tensor(st, i), e), e);
        }
        CHECK(lg && lg->ndim == 3 && lg->shape[0] == 1 && lg->shape[1] == r.n);
        fx_compare(&r, c, lg ? (const float *)lg->data : NULL, name);
        tok = hl_safetensors_find(st, "tokens");
        CHECK(tok && tok->ndim == 2 && tok->shape[1] == r.n && hl_tensor_get_f32(tok, 1) == (float)r.tokens[1]);
    }
    hl_cache_free(c);
    hl_safetensors_close(st);
    remove(path);
    fx_close(&r);
}

static void test_cli_cache_files(void) {
    static const char *const all[6] = {"gemma2-tiny", "gemma2-tiny-bf16", "gemma2-tiny-softcap", "gemma1-tiny", "llama-tiny", "mistral-tiny"};
    int i;
    for (i = 0; i < 6; i++) check_fixture_file(all[i]);
}

/* `hooklens run MODEL --tokens IDS --cache FILE [--no-processing]` itself: the file it writes
   against a reference, as a Python user would read it. */
static void check_cli_run(const char *name, const char *ref_file, int raw) {
    fx_ref r;
    hl_error e_, *e = &e_;
    hl_safetensors *st = NULL;
    hl_cache *c = NULL;
    char cmd[4096], path[256], rel[128];
    size_t i, off;
    int rc;
    if (!fx_open_ref(name, 1, ref_file, raw, &r)) return;
    snprintf(path, sizeof path, "build/test_cli_run_%s_%d.safetensors", name, raw);
    snprintf(rel, sizeof rel, "models/%s", name);
    off = (size_t)snprintf(cmd, sizeof cmd, "./build/hooklens run %s%s --cache %s --tokens '", hlt_fixture(rel),
                           raw ? " --no-processing" : "", path);
    for (i = 0; i < (size_t)r.n && off < sizeof cmd - 16; i++) off += (size_t)snprintf(cmd + off, sizeof cmd - off, "%s%d", i ? " " : "", r.tokens[i]);
    snprintf(cmd + off, sizeof cmd - off, "' > /dev/null");
    rc = system(cmd);
    CHECKF(rc == 0, "%s exited %d", cmd, rc);
    CHECK_OK(hl_safetensors_open(path, &st, e), e);
    CHECK_OK(hl_cache_create(&c, e), e);
    if (st && c) {
        const hl_tensor *lg = hl_safetensors_find(st, "logits");
        for (i = 0; i < hl_safetensors_count(st); i++)
            CHECK_OK(hl_cache_put(c, hl_safetensors_name(st, i), hl_safetensors_tensor(st, i), e), e);
        CHECK(lg && lg->ndim == 3 && lg->shape[1] == r.n);
        fx_compare(&r, c, lg ? (const float *)lg->data : NULL, name);
    }
    hl_cache_free(c);
    hl_safetensors_close(st);
    remove(path);
    fx_close(&r);
}

/* Writes a model folder whose config.json is `cfg` and whose weights are a copy of fixture
   `weights` (a model.safetensors), then loads it; returns the load's status. */
static hl_status load_with_config_w(const char *cfg, const char *weights, hl_error *e) {
    char dir[] = "build/hlt_cfg_XXXXXX", p[256];
    const char *w = hlt_fixture(weights);
    FILE *f;
    hl_model_desc d;
    hl_model *m = NULL;
    hl_status st;
    if (!hlt_need(w) || !mkdtemp(dir)) return HL_ERR_IO;
    snprintf(p, sizeof p, "%s/config.json", dir);
    f = fopen(p, "wb");
    fputs(cfg, f);
    fclose(f);
    snprintf(p, sizeof p, "%s/model.safetensors", dir);
    {   /* a copy of the weights (680 KB) */
        size_t wl = 0;
        char *wb = hlt_read_file(w, &wl);
        f = fopen(p, "wb");
        if (!wb || !f || fwrite(wb, 1, wl, f) != wl) st = HL_ERR_IO;
        else st = HL_OK;
        if (f) fclose(f);
        free(wb);
        if (st != HL_OK) return st;
    }
    memset(&d, 0, sizeof d);
    d.path = dir;
    d.n_threads = 1;
    st = hl_model_load(&d, &m, e);
    hl_model_free(m);
    remove(p);
    snprintf(p, sizeof p, "%s/config.json", dir);
    remove(p);
    rmdir(dir);
    return st;
}
static hl_status load_with_config(const char *cfg, hl_error *e) {
    return load_with_config_w(cfg, "models/llama-tiny/model.safetensors", e);
}

#define LLAMA_CFG(extra, hidden, heads, kv) \
    "{\"architectures\": [\"LlamaForCausalLM\"]" extra ", \"hidden_size\": " hidden ", \"intermediate_size\": 172," \
    " \"num_attention_heads\": " heads ", \"num_hidden_layers\": 3, \"num_key_value_heads\": " kv "," \
    " \"rms_norm_eps\": 1e-05, \"tie_word_embeddings\": true, \"vocab_size\": 512}"

static void test_config_errors(void) {
    hl_error e_, *e = &e_;
    hl_model_desc d;
    hl_model *m = NULL;
    CHECK_OK(load_with_config(LLAMA_CFG("", "64", "8", "4"), e), e);
    CHECK(load_with_config("{\"architectures\": [\"GPTJForCausalLM\"]}", e) == HL_ERR_UNSUPPORTED);
    CHECK(strstr(e->msg, "GPTJForCausalLM") != NULL);
    CHECK(load_with_config("{\"hidden_size\": 64}", e) == HL_ERR_FORMAT);
    CHECK(load_with_config("[1, 2]", e) == HL_ERR_FORMAT);
    CHECK(load_with_config("{\"architectures\": [\"LlamaForCausalLM\"", e) == HL_ERR_FORMAT);
    CHECK(load_with_config("{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64}", e) == HL_ERR_FORMAT);
    CHECK(strstr(e->msg, "num_hidden_layers") != NULL);
    CHECK(load_with_config(LLAMA_CFG("", "64", "8", "3"), e) == HL_ERR_FORMAT);      /* 8 % 3 */
    CHECK(load_with_config(LLAMA_CFG("", "-64", "8", "4"), e) == HL_ERR_FORMAT);
    CHECK(load_with_config(LLAMA_CFG("", "128", "8", "4"), e) == HL_ERR_SHAPE);      /* weights are 64 wide */
    CHECK(strstr(e->msg, "embed_tokens") != NULL);
    CHECK(load_with_config(LLAMA_CFG("", "64", "8", "2"), e) == HL_ERR_SHAPE);       /* k_proj rows */
    CHECK(load_with_config(LLAMA_CFG(", \"rope_scaling\": {\"type\": \"llama3\"}", "64", "8", "4"), e) == HL_ERR_UNSUPPORTED);
    CHECK(load_with_config(LLAMA_CFG(", \"hidden_act\": \"tanh\"", "64", "8", "4"), e) == HL_ERR_UNSUPPORTED);
    CHECK(load_with_config(LLAMA_CFG(", \"head_dim\": 7", "64", "8", "4"), e) == HL_ERR_FORMAT);
    CHECK(load_with_config(LLAMA_CFG(", \"tie_word_embeddings\": false", "64", "8", "4"), e) == HL_ERR_FORMAT);
    memset(&d, 0, sizeof d);
    CHECK(hl_model_load(&d, &m, e) == HL_ERR_ARG);
    d.path = "build/no-such-model-dir";
    CHECK(hl_model_load(&d, &m, e) == HL_ERR_IO);
    CHECK(m == NULL);
}

static void test_forward_args(void) {
    fx_ref r;
    hl_error e_, *e = &e_;
    int32_t bad[2] = {2, 512};
    if (!fx_open("llama-tiny", 1, &r)) return;
    CHECK(hl_model_run(r.m, bad, 2, NULL, e) == HL_ERR_ARG);
    CHECK(hl_model_run(r.m, bad, 0, NULL, e) == HL_ERR_ARG);
    CHECK(hl_model_kv_len(r.m) == 0);
    fx_close(&r);
}

/* The last row of logits for toks[0..n), through hl_model_run. */
static void last_logits(hl_model *m, const int32_t *toks, int64_t n, float *row) {
    hl_error e_, *e = &e_;
    int64_t V = hl_model_config(m)->d_vocab;
    float *lg = (float *)malloc((size_t)(n * V) * sizeof(float));
    CHECK(lg != NULL);
    if (!lg) return;
    CHECK_OK(hl_model_run(m, toks, n, lg, e), e);
    memcpy(row, lg + (n - 1) * V, (size_t)V * sizeof(float));
    free(lg);
}

/* TL sample_logits by hand, in double, on one row: z = L / T - fp * count(token in hist);
   q = softmax(z) restricted to the nucleus (tokens whose preceding cumulative probability, in
   descending order, is <= p; the top token always), renormalised. Returns the nucleus size;
   order[0..size) are its tokens by descending z, q[i] their probabilities. */
static int64_t nucleus_by_hand(const float *L, int64_t V, float T, float fp, const int32_t *hist,
                               int64_t n_hist, float p, int32_t *order, double *q) {
    double *z = (double *)malloc((size_t)V * sizeof(double)), mx, sum = 0, cum = 0, kept = 0;
    int64_t i, j, size;
    for (i = 0; i < V; i++) z[i] = (double)(L[i] / T);
    for (i = 0; i < n_hist; i++) z[hist[i]] -= (double)fp;
    for (i = 0; i < V; i++) order[i] = (int32_t)i;
    for (i = 1; i < V; i++) /* insertion sort, descending z, ties by index */
        for (j = i; j > 0 && z[order[j]] > z[order[j - 1]]; j--) {
            int32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    mx = z[order[0]];
    for (i = 0; i < V; i++) sum += exp(z[i] - mx);
    for (size = 0; size < V && (size == 0 || cum <= (double)p); size++) cum += exp(z[order[size]] - mx) / sum;
    for (i = 0; i < size; i++) kept += exp(z[order[i]] - mx);
    for (i = 0; i < size; i++) q[i] = exp(z[order[i]] - mx) / kept;
    free(z);
    return size;
}

/* The sampling tests' prompt: 4 fixture tokens and their 4 greedy successors (tokens the model
   then likes again). [out] prompt[0..8); returns 1, or 0 after marking a failure. */
static int favourite_prompt(fx_ref *r, int32_t prompt[8]) {
    hl_error e_, *e = &e_;
    hl_generate_opts go;
    int32_t *out = NULL;
    int64_t n = 0;
    memset(&go, 0, sizeof go);
    go.max_new_tokens = 4;
    go.no_stop_at_eos = 1;
    CHECK_OK(hl_model_generate(r->m, r->tokens, 4, &go, &out, &n, e), e);
    CHECK(n == 8);
    if (n == 8) memcpy(prompt, out, 8 * sizeof(int32_t));
    hl_free(out);
    return n == 8;
}

/* Nucleus sampling with a frequency penalty, as a distribution: 4000 one-token generations with
   seeds 1..4000 from a prompt that repeats the model's favourite tokens, against TL's rule
   computed by hand from hl_model_run's logits. Every token drawn is in the nucleus, and each
   nucleus token (the one crossing p included) is drawn as often as its renormalised probability
   says, within 5 sigma. The prompt and settings are chosen so that the nucleus with the penalty
   differs from the one without it, and so that the crossing token has real mass. */
static void test_sampling_nucleus_distribution(void) {
    enum { N = 4000 };
    fx_ref r;
    hl_error e_, *e = &e_;
    hl_generate_opts go;
    int32_t *out = NULL, *order = NULL, *order0 = NULL, prompt[8];
    double *q = NULL, *q0 = NULL;
    float *L = NULL;
    int64_t nout = 0, V, size, size0, i, j, outside = 0, *count = NULL;
    const float T = 3.0f, fp = 1.5f, p = 0.6f;
    int differs = 0;
    if (!fx_open("llama-tiny", 1, &r)) return;
    V = hl_model_config(r.m)->d_vocab;
    if (!favourite_prompt(&r, prompt)) goto done;
    L = (float *)malloc((size_t)V * sizeof(float));
    order = (int32_t *)malloc((size_t)V * sizeof(int32_t));
    order0 = (int32_t *)malloc((size_t)V * sizeof(int32_t));
    q = (double *)malloc((size_t)V * sizeof(double));
    q0 = (double *)malloc((size_t)V * sizeof(double));
    count = (int64_t *)calloc((size_t)V, sizeof(int64_t));
    last_logits(r.m, prompt, 8, L);
    size = nucleus_by_hand(L, V, T, fp, prompt, 8, p, order, q);
    size0 = nucleus_by_hand(L, V, T, 0.0f, prompt, 8, p, order0, q0);
    differs = size != size0;
    for (i = 0; i < size && i < size0; i++) differs |= order[i] != order0[i];
    CHECKF(differs, "the penalty does not change the nucleus: the test could not see it");
    CHECKF(size >= 3 && size < V / 2, "nucleus of %lld tokens", (long long)size);
    CHECKF(q[size - 1] > 0.02, "crossing token has q %.4f: too rare to test", q[size - 1]);
    memset(&go, 0, sizeof go);
    go.max_new_tokens = 1;
    go.temperature = T;
    go.top_p = p;
    go.freq_penalty = fp;
    for (i = 1; i <= N; i++) {
        go.seed = (uint64_t)i;
        CHECK_OK(hl_model_generate(r.m, prompt, 8, &go, &out, &nout, e), e);
        if (nout == 9 && out[8] >= 0 && out[8] < V) count[out[8]]++;
        hl_free(out);
        out = NULL;
    }
    for (i = 0; i < V; i++) outside += count[i];
    for (j = 0; j < size; j++) {
        double want = N * q[j], sd = sqrt(N * q[j] * (1 - q[j]));
        outside -= count[order[j]];
        CHECKF(fabs((double)count[order[j]] - want) <= 5 * sd + 1,
               "token %d (rank %lld of %lld): drawn %lld times, expected %.1f +- %.1f", order[j],
               (long long)j, (long long)size, (long long)count[order[j]], want, sd);
    }
    CHECKF(outside == 0, "%lld draws outside the nucleus", (long long)outside);
done:
    free(L);
    free(order);
    free(order0);
    free(q);
    free(q0);
    free(count);
    fx_close(&r);
}

/* The frequency penalty over prompt and generated tokens, step by step: with top_k = 1 the
   penalised argmax is the whole rule, so 8 generated tokens must equal
   argmax(L / T - fp * count over the sequence so far) with L from hl_model_run on that sequence.
   The penalty is strong enough to change at least one step (checked). */
static void test_sampling_freq_penalty_steps(void) {
    fx_ref r;
    hl_error e_, *e = &e_;
    hl_generate_opts go;
    int32_t *out = NULL, seq[12];
    float *L = NULL;
    int64_t nout = 0, V, s, i;
    const float T = 2.0f, fp = 4.0f;
    int changed = 0;
    if (!fx_open("llama-tiny", 1, &r)) return;
    V = hl_model_config(r.m)->d_vocab;
    memset(&go, 0, sizeof go);
    go.max_new_tokens = 8;
    go.temperature = T;
    go.top_k = 1;
    go.freq_penalty = fp;
    go.no_stop_at_eos = 1;
    go.no_kv_cache = 1; /* the same whole-sequence logits as hl_model_run */
    go.seed = 3;
    CHECK_OK(hl_model_generate(r.m, r.tokens, 4, &go, &out, &nout, e), e);
    CHECK(nout == 12);
    L = (float *)malloc((size_t)V * sizeof(float));
    memcpy(seq, r.tokens, 4 * sizeof(int32_t));
    for (s = 4; nout == 12 && s < 12; s++) {
        int64_t best = 0, plain = 0;
        double zb = -INFINITY;
        last_logits(r.m, seq, s, L);
        for (i = 0; i < V; i++) {
            double z = (double)(L[i] / T);
            int64_t k, c = 0;
            for (k = 0; k < s; k++) c += seq[k] == i;
            z -= (double)fp * (double)c;
            if (z > zb) zb = z, best = i;
            if (L[i] > L[plain]) plain = i;
        }
        changed |= best != plain;
        CHECKF(out[s] == best, "step %lld: generated %d, penalised argmax %lld", (long long)(s - 4), out[s],
               (long long)best);
        seq[s] = (int32_t)best;
    }
    CHECKF(changed, "the penalty never changed the argmax: the test could not see it");
    hl_free(out);
    free(L);
    fx_close(&r);
}

/* top_p at the top-1 boundary, against the top-1 and top-2 probabilities q1, q2 computed by hand
   from hl_model_run's logits (T = 4 divides exactly, so it cannot reorder or tie logits; no penalty):
   - p = 0.5 / V is below every possible q1 (q1 >= 1 / V) and the top-1 always stays, so only the
     top-1 survives at every step: 16 sampled tokens equal the 16 greedy ones, for each of 64 seeds;
   - p = 0.98 q1, just below q1, keeps only the top-1 for the first token, for each of 512 seeds;
   - p = 1.02 q1, just above, keeps exactly the top two (the second token's preceding cumulative
     probability q1 is <= p, the third's, q1 + q2, is not): every draw of 512 is one of them and
     each is drawn at least once (both expected counts are checked to be >= 10).
   A sampler that ignores top_p, or keeps one token too many or too few at p, fails. */
static void test_sampling_top_p_top1(void) {
    enum { SEEDS_LONG = 64, SEEDS_FIRST = 512, NEW = 16 };
    fx_ref r;
    hl_error e_, *e = &e_;
    hl_generate_opts go;
    int32_t *greedy = NULL, *out = NULL, *order = NULL;
    double *q = NULL;
    float *L = NULL, p_lo, p_hi;
    int64_t ng = 0, nout = 0, V, i, s, top2[2] = {0, 0}, outside = 0, not_top1 = 0, diverged = 0;
    const float T = 4.0f;
    if (!fx_open("llama-tiny", 1, &r)) return;
    V = hl_model_config(r.m)->d_vocab;
    memset(&go, 0, sizeof go);
    go.max_new_tokens = NEW;
    go.no_stop_at_eos = 1;
    CHECK_OK(hl_model_generate(r.m, r.tokens, 4, &go, &greedy, &ng, e), e);
    CHECK(ng == 4 + NEW);
    if (ng != 4 + NEW) goto done;
    /* p below 1 / V: greedy at every step, whatever the seed */
    go.temperature = T;
    go.top_p = 0.5f / (float)V;
    for (s = 1; s <= SEEDS_LONG; s++) {
        go.seed = (uint64_t)s;
        CHECK_OK(hl_model_generate(r.m, r.tokens, 4, &go, &out, &nout, e), e);
        if (nout != 4 + NEW || memcmp(out, greedy, (size_t)nout * sizeof(int32_t)) != 0) diverged++;
        hl_free(out);
        out = NULL;
    }
    CHECKF(diverged == 0, "top_p %g: %lld of %d seeds leave the greedy tokens", (double)go.top_p,
           (long long)diverged, SEEDS_LONG);
    /* q1, q2 of the first token by hand (p = 2: the whole softmax, in descending order) */
    L = (float *)malloc((size_t)V * sizeof(float));
    order = (int32_t *)malloc((size_t)V * sizeof(int32_t));
    q = (double *)malloc((size_t)V * sizeof(double));
    last_logits(r.m, r.tokens, 4, L);
    CHECK(nucleus_by_hand(L, V, T, 0.0f, NULL, 0, 2.0f, order, q) == V);
    CHECK(order[0] == greedy[4]);
    p_lo = (float)(0.98 * q[0]);
    p_hi = (float)(1.02 * q[0]);
    CHECKF(q[0] < 0.9 && q[1] > 0.02 * q[0], "q1 %.4f q2 %.4f: no room for p on both sides of q1", q[0], q[1]);
    CHECKF(SEEDS_FIRST * q[1] / (q[0] + q[1]) >= 10, "q1 %.4f q2 %.4f: the second token is too rare to test",
           q[0], q[1]);
    go.max_new_tokens = 1;
    for (s = 1; s <= SEEDS_FIRST; s++) {
        go.seed = (uint64_t)s;
        go.top_p = p_lo;
        CHECK_OK(hl_model_generate(r.m, r.tokens, 4, &go, &out, &nout, e), e);
        not_top1 += nout != 5 || out[4] != order[0];
        hl_free(out);
        out = NULL;
        go.top_p = p_hi;
        CHECK_OK(hl_model_generate(r.m, r.tokens, 4, &go, &out, &nout, e), e);
        if (nout == 5 && out[4] == order[0]) top2[0]++;
        else if (nout == 5 && out[4] == order[1]) top2[1]++;
        else outside++;
        hl_free(out);
        out = NULL;
    }
    CHECKF(not_top1 == 0, "top_p %.4f < q1 %.4f: %lld of %d draws are not the top-1 token %d", (double)p_lo, q[0],
           (long long)not_top1, SEEDS_FIRST, order[0]);
    CHECKF(outside == 0 && top2[0] > 0 && top2[1] > 0,
           "top_p %.4f > q1 %.4f: top-1 %d drawn %lld times, top-2 %d %lld times, others %lld (of %d)", (double)p_hi,
           q[0], order[0], (long long)top2[0], order[1], (long long)top2[1], (long long)outside, SEEDS_FIRST);
    if (getenv("HLT_VERBOSE"))
        printf("  top_p at q1 %.4f (q2 %.4f): top-1 %lld, top-2 %lld of %d draws\n", q[0], q[1], (long long)top2[0],
               (long long)top2[1], SEEDS_FIRST);
    for (i = 0; i < 2; i++) /* the rule by hand agrees on both sizes */
        CHECK(nucleus_by_hand(L, V, T, 0.0f, NULL, 0, i ? p_hi : p_lo, order, q) == i + 1);
done:
    hl_free(greedy);
    free(L);
    free(order);
    free(q);
    fx_close(&r);
}

/* A huge frequency penalty (1e4 after T = 1: exp(-1e4) is 0 in double) removes every token already
   in prompt + generated, so none of 40 new tokens repeats an earlier token of the prompt or of the
   generation (the vocabulary of 512 allows it), for each of 16 seeds. The prompt holds the model's
   favourite tokens (4 fixture tokens and their 4 greedy successors), and the same seeds without
   the penalty repeat both a prompt token and a generated one (checked), so a sampler that ignores
   the penalty, or counts only the generated tokens, fails. */
static void test_sampling_freq_penalty_huge(void) {
    enum { SEEDS = 16, NEW = 40 };
    fx_ref r;
    hl_error e_, *e = &e_;
    hl_generate_opts go;
    int32_t prompt[8], *out = NULL;
    int64_t np = 8, nout = 0, s, i, j, pen;
    int64_t rep_prompt[2] = {0, 0}, rep_gen[2] = {0, 0}; /* [0] without, [1] with the penalty */
    int64_t first_seed = -1, first_pos = -1, first_tok = -1; /* the first repeat with the penalty */
    if (!fx_open("llama-tiny", 1, &r)) return;
    if (!favourite_prompt(&r, prompt)) goto done;
    memset(&go, 0, sizeof go);
    go.no_stop_at_eos = 1;
    go.max_new_tokens = NEW;
    go.temperature = 1.0f;
    for (pen = 0; pen < 2; pen++) {
        go.freq_penalty = pen ? 1e4f : 0.0f;
        for (s = 1; s <= SEEDS; s++) {
            go.seed = (uint64_t)s;
            CHECK_OK(hl_model_generate(r.m, prompt, np, &go, &out, &nout, e), e);
            CHECK(nout == np + NEW);
            for (i = np; out && i < nout; i++) {
                int in_prompt = 0, in_gen = 0;
                for (j = 0; j < i; j++) {
                    in_prompt |= j < np && out[j] == out[i];
                    in_gen |= j >= np && out[j] == out[i];
                }
                rep_prompt[pen] += in_prompt;
                rep_gen[pen] += in_gen;
                if (pen && (in_prompt || in_gen) && first_seed < 0) {
                    first_seed = s;
                    first_pos = i - np;
                    first_tok = out[i];
                }
            }
            hl_free(out);
            out = NULL;
        }
    }
    CHECKF(rep_prompt[0] > 0 && rep_gen[0] > 0,
           "without the penalty %lld prompt and %lld generated repeats: the test could not see it",
           (long long)rep_prompt[0], (long long)rep_gen[0]);
    CHECKF(rep_prompt[1] == 0 && rep_gen[1] == 0,
           "with the penalty %lld new tokens repeat a prompt token and %lld a generated one (first: seed %lld, new "
           "token %lld = %lld)",
           (long long)rep_prompt[1], (long long)rep_gen[1], (long long)first_seed, (long long)first_pos,
           (long long)first_tok);
done:
    fx_close(&r);
}

static void test_sampling(void) {
    fx_ref r;
    hl_error e_, *e = &e_;
    hl_generate_opts go;
    int32_t *a = NULL, *b = NULL, *c = NULL;
    int64_t na = 0, nb = 0, nc = 0, i;
    int same = 1;
    if (!fx_open("llama-tiny", 1, &r)) return;
    memset(&go, 0, sizeof go);
    go.max_new_tokens = 12;
    go.temperature = 1.5f;
    go.top_k = 50;
    go.seed = 7;
    go.no_stop_at_eos = 1;
    CHECK_OK(hl_model_generate(r.m, r.tokens, 4, &go, &a, &na, e), e);
    CHECK_OK(hl_model_generate(r.m, r.tokens, 4, &go, &b, &nb, e), e);
    CHECK(na == 16 && nb == 16 && memcmp(a, b, 16 * sizeof(int32_t)) == 0);
    go.top_k = 0;
    go.top_p = 0.9f;
    go.freq_penalty = 0.5f;
    go.seed = 8;
    CHECK_OK(hl_model_generate(r.m, r.tokens, 4, &go, &c, &nc, e), e);
    CHECK(nc == 16);
    for (i = 4; i < 16; i++) same &= a[i] == c[i];
    CHECK(!same);
    hl_free(a);
    hl_free(b);
    hl_free(c);
    /* stop at an eos id given by the caller: the first greedy token */
    memset(&go, 0, sizeof go);
    go.max_new_tokens = 5;
    CHECK_OK(hl_model_generate(r.m, r.tokens, 4, &go, &a, &na, e), e);
    go.eos_ids = &a[4];
    go.n_eos = 1;
    CHECK_OK(hl_model_generate(r.m, r.tokens, 4, &go, &b, &nb, e), e);
    CHECK(na == 9 && nb == 5 && b[4] == a[4]);
    /* no KV cache gives the same greedy tokens */
    go.eos_ids = NULL;
    go.n_eos = 0;
    go.no_stop_at_eos = 1;
    go.no_kv_cache = 1;
    CHECK_OK(hl_model_generate(r.m, r.tokens, 4, &go, &c, &nc, e), e);
    CHECK(nc == 9 && memcmp(a, c, 9 * sizeof(int32_t)) == 0);
    hl_free(a);
    hl_free(b);
    hl_free(c);
    fx_close(&r);
}

static void test_math_helpers(void) {
    float x[6] = {1.0f, 3.0f, -2.0f, 3.0f, 0.5f, -INFINITY}, out[6], v[3];
    int32_t idx[3];
    double s = 0;
    int i;
    hl_log_softmax(x, 6, out);
    for (i = 0; i < 6; i++) s += exp((double)out[i]);
    CHECK(fabs(s - 1.0) < 1e-6 && out[5] == -INFINITY && out[1] == out[3]);
    hl_top_k(x, 6, 3, idx, v);
    CHECK(idx[0] == 1 && idx[1] == 3 && idx[2] == 0 && v[2] == 1.0f);
}

/* The bundled real model (stories260K, converted from llama2.c): greedy story from BOS and the
   reference logits / residual streams of ../shared/fixtures/real/stories260K. */
static void test_stories260k(void) {
    const char *meta = hlt_fixture("real/stories260K/meta.json"), *refp = hlt_fixture("real/stories260K/reference.safetensors");
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error e_, *e = &e_;
    hl_json_doc *doc = NULL;
    hl_safetensors *ref = NULL;
    const hl_json *ids;
    char *text;
    size_t len;
    if (!hlt_need("examples/stories260K/config.json") || !hlt_need(meta) || !hlt_need(refp)) return;
    memset(&d, 0, sizeof d);
    d.path = "examples/stories260K";
    d.no_tokenizer = 1;
    CHECK_OK(hl_model_load(&d, &m, e), e);
    text = hlt_read_file(meta, &len);
    CHECK(text && hl_json_parse(text, len, &doc, e) == HL_OK);
    free(text);
    CHECK_OK(hl_safetensors_open(refp, &ref, e), e);
    ids = doc ? hl_json_get(hl_json_root(doc), "greedy_from_bos_ids") : NULL;
    CHECK(ids && ids->len > 100);
    if (m && ids && ref) {
        hl_generate_opts go;
        int32_t bos = (int32_t)hl_json_int(hl_json_at(ids, 0), -1), *out = NULL;
        int64_t n_out = 0, i, n, l;
        const hl_tensor *tt = hl_safetensors_find(ref, "tokens"), *lr = hl_safetensors_find(ref, "logits");
        hl_cache *c = NULL;
        memset(&go, 0, sizeof go);
        /* the first 40 greedy tokens (the convert tests check all 120 against the same meta.json) */
        go.max_new_tokens = 40;
        go.no_stop_at_eos = 1;
        CHECK_OK(hl_model_generate(m, &bos, 1, &go, &out, &n_out, e), e);
        CHECK(n_out == 41);
        for (i = 0; out && i < n_out && i < (int64_t)ids->len; i++)
            CHECKF(out[i] == (int32_t)hl_json_int(hl_json_at(ids, (size_t)i), -1), "token %lld", (long long)i);
        hl_free(out);
        CHECK(tt && lr);
        if (tt && lr) {
            int32_t *toks;
            float *lg;
            n = tt->shape[1];
            toks = (int32_t *)malloc((size_t)n * sizeof(int32_t));
            lg = (float *)malloc((size_t)(n * 512) * sizeof(float));
            for (i = 0; i < n; i++) toks[i] = (int32_t)hl_tensor_get_f32(tt, i);
            CHECK_OK(hl_cache_create(&c, e), e);
            CHECK_OK(hl_model_run_with_cache(m, toks, n, NULL, c, lg, e), e);
            CHECKF(hlt_logits_err(m, lg, (const float *)lr->data, n, 512) <= 1e-4, "logits %g", hlt_logits_err(m, lg, (const float *)lr->data, n, 512));
            for (l = 0; l < hl_model_config(m)->n_layers; l++) {
                char nm[64];
                const hl_tensor *a, *b;
                snprintf(nm, sizeof nm, "blocks.%lld.hook_resid_pre", (long long)l);
                a = hl_cache_get(c, nm);
                b = hl_safetensors_find(ref, nm);
                CHECK(a && b);
                if (a && b) CHECKF(hlt_rel_err((const float *)a->data, (const float *)b->data, hl_tensor_numel(b)) <= 1e-4, "%s", nm);
            }
            hl_cache_free(c);
            free(toks);
            free(lg);
        }
    }
    hl_safetensors_close(ref);
    hl_json_free(doc);
    hl_model_free(m);
}

/* Load options: an n_ctx limit, fast mode, scalar kernels. */
static void test_load_options(void) {
    const char *dir = hlt_fixture("models/gemma2-tiny"), *refp = hlt_fixture("models/gemma2-tiny/reference.safetensors");
    static const int32_t toks[20] = {2, 328, 298, 26, 43, 496, 137, 252, 334, 458, 93, 3, 88, 63, 404, 422, 157, 172, 204, 112};
    hl_model_desc d;
    hl_model *m = NULL;
    hl_safetensors *ref = NULL;
    hl_error e_, *e = &e_;
    float *lg = (float *)malloc(20 * 512 * sizeof(float));
    const hl_tensor *lr;
    if (!hlt_need(dir) || !hlt_need(refp)) { free(lg); return; }
    CHECK_OK(hl_safetensors_open(refp, &ref, e), e);
    lr = ref ? hl_safetensors_find(ref, "logits") : NULL;
    CHECK(lr != NULL);
    memset(&d, 0, sizeof d);
    d.path = dir;
    d.n_threads = 1;
    d.n_ctx = 12;
    d.kernels = HL_KERNELS_SCALAR;
    CHECK_OK(hl_model_load(&d, &m, e), e);
    if (m && lr) {
        CHECK(hl_model_layer_is_local(m, 0) && !hl_model_layer_is_local(m, 1));
        CHECK(hl_model_config(m)->n_ctx == 12);
        CHECK(hl_model_run(m, toks, 20, lg, e) == HL_ERR_LIMIT);
        CHECK_OK(hl_model_run(m, toks, 12, lg, e), e);
        CHECK(hlt_logits_err(m, lg, (const float *)lr->data, 12, 512) <= 1e-4);
        CHECK(hl_model_decode(m, toks, 1, NULL, 0, e) == HL_ERR_LIMIT);
    }
    hl_model_free(m);
    m = NULL;
    d.n_ctx = 0;
    d.kernels = HL_KERNELS_DEFAULT;
    d.fast = 1;
    d.path = hlt_fixture("models/gemma2-tiny-bf16");
    CHECK_OK(hl_model_load(&d, &m, e), e);
    if (m) {
        hl_safetensors *rb = NULL;
        CHECK(hl_model_config(m)->weight_dtype == HL_DTYPE_BF16);
        CHECK_OK(hl_safetensors_open(hlt_fixture("models/gemma2-tiny-bf16/reference.safetensors"), &rb, e), e);
        CHECK_OK(hl_model_run(m, toks, 20, lg, e), e);
        if (rb) CHECK(hlt_rel_err(lg, (const float *)hl_safetensors_find(rb, "logits")->data, 20 * 512) <= 3e-2);
        hl_safetensors_close(rb);
    }
    hl_model_free(m);
    hl_safetensors_close(ref);
    free(lg);
}

/* to_tokens / to_str_tokens / to_string / test_prompt on the bundled model's tokenizer. */
static void test_tokenizer_helpers(void) {
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error e_, *e = &e_;
    int32_t *ids = NULL;
    int64_t n = 0;
    char **strs = NULL, *text = NULL, *rep = NULL;
    static const int32_t want[5] = {1, 403, 407, 261, 378};
    if (!hlt_need("examples/stories260K/tokenizer.json")) return;
    memset(&d, 0, sizeof d);
    d.path = "examples/stories260K";
    d.n_threads = 1;
    CHECK_OK(hl_model_load(&d, &m, e), e);
    if (!m) return;
    CHECK(hl_model_tokenizer(m) != NULL);
    CHECK_OK(hl_model_to_tokens(m, "Once upon a time", -1, &ids, &n, e), e);
    CHECK(n == 5 && ids && memcmp(ids, want, sizeof want) == 0);
    hl_free(ids);
    ids = NULL;
    CHECK_OK(hl_model_to_tokens(m, "Once upon a time", 0, &ids, &n, e), e);
    CHECK(n == 4 && ids && ids[0] == 403);
    hl_free(ids);
    CHECK_OK(hl_model_to_str_tokens(m, want, 5, &strs, e), e);
    CHECK(strs && strcmp(strs[0], "<s>") == 0 && strcmp(strs[1], "Once") == 0 && strcmp(strs[4], "time") == 0);
    hl_free(strs);
    CHECK_OK(hl_model_to_string(m, want + 1, 4, &text, e), e);
    CHECK(text && strcmp(text, "Once upon a time") == 0);
    hl_free(text);
    CHECK_OK(hl_model_test_prompt(m, "Once upon a time, there was a little girl named", "Lily", 3, 1, &rep, e), e);
    if (rep) {
        const char *p = rep;
        int tops = 0;
        CHECK(strncmp(rep, "Tokenized prompt: ['<s>', 'Once', 'upon', 'a', 'time', ',', ", 60) == 0);
        CHECK(strstr(rep, "\nTokenized answer: ['Lily']\nPerformance on answer token:\nRank: 0        Logit: ") != NULL);
        CHECK(strstr(rep, "Top 0th token. Logit: ") != NULL && strstr(rep, "Token: |Lily|\n") != NULL);
        while ((p = strstr(p, "th token. Logit:")) != NULL) { tops++; p++; }
        CHECK(tops == 3);
        CHECK(strstr(rep, "\nRanks of the answer tokens: [('Lily', 0)]\n") != NULL);
        if (getenv("HLT_VERBOSE")) fputs(rep, stdout);
    }
    hl_free(rep);
    hl_model_free(m);
}

static void test_gemma2_tiny(void) { check_fixture("gemma2-tiny"); }
static void test_gemma2_tiny_bf16(void) { check_fixture("gemma2-tiny-bf16"); }
static void test_gemma2_tiny_softcap(void) { check_fixture("gemma2-tiny-softcap"); }
static void test_gemma1_tiny(void) { check_fixture("gemma1-tiny"); }
static void test_llama_tiny(void) { check_fixture("llama-tiny"); }
static void test_mistral_tiny(void) { check_fixture("mistral-tiny"); }
/* GPT-2, GPT-Neo, NeoX: TL's processed numbers by default; with no_processing TL's unprocessed ones
   and Hugging Face's (reference.safetensors). */
static void check_gpt(const char *name) {
    check_fixture_ref(name, "reference_tl.safetensors", 0);
    check_fixture_ref(name, "reference_tl_noproc.safetensors", 1);
    check_fixture_ref(name, "reference.safetensors", 1);
}
static void test_gpt2_tiny(void) { check_gpt("gpt2-tiny"); }
static void test_gptneo_tiny(void) { check_gpt("gptneo-tiny"); }
static void test_gptneox_tiny(void) { check_gpt("gptneox-tiny"); }

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}
/* The points CENTER_WRITING_WEIGHTS changes: everything on the residual stream. */
static int is_resid_point(const char *nm) {
    static const char *const w[] = {"hook_embed", "hook_pos_embed", "hook_resid_pre", "hook_resid_mid",
                                    "hook_resid_post", "hook_attn_out", "hook_mlp_out"};
    size_t i;
    for (i = 0; i < sizeof w / sizeof w[0]; i++)
        if (ends_with(nm, w[i])) return 1;
    return 0;
}

/* Each transform of TL's weight processing switched on alone (desc.skip_processing) changes exactly
   the points HL_PROC_* says it changes, to TL's processed values, and leaves the rest at Hugging
   Face's: FOLD_LN nothing; CENTER_WRITING_WEIGHTS the residual stream; CENTER_UNEMBED the logits;
   FOLD_VALUE_BIASES (with FOLD_LN, whose bias terms it moves) hook_v and hook_z. */
static void check_one_transform(const char *name, unsigned keep) {
    fx_ref r;
    hl_model_desc d;
    hl_cache *c = NULL;
    hl_error e_, *e = &e_;
    const hl_json *names;
    float *logits;
    size_t i;
    char rel[128];
    if (!fx_open_ref(name, 1, "reference_tl.safetensors", 0, &r)) return;
    hl_model_free(r.m);
    r.m = NULL;
    memset(&d, 0, sizeof d);
    snprintf(rel, sizeof rel, "models/%s", name);
    d.path = hlt_fixture(rel);
    d.n_threads = 1;
    d.skip_processing = ~keep & 15u;
    CHECK_OK(hl_model_load(&d, &r.m, e), e);
    if (!r.m) { fx_close(&r); return; }
    CHECKF(hl_model_config(r.m)->processing == keep, "%s: processing %u, want %u", name, hl_model_config(r.m)->processing, keep);
    logits = (float *)malloc((size_t)(r.n * 1000) * sizeof(float));
    CHECK_OK(hl_cache_create(&c, e), e);
    CHECK_OK(hl_model_run_with_cache(r.m, r.tokens, r.n, NULL, c, logits, e), e);
    names = hl_json_get(hl_json_root(r.meta), "hook_names");
    for (i = 0; names && i < names->len; i++) {
        const char *nm = hl_json_str(hl_json_at(names, i), "");
        int processed = is_resid_point(nm) ? (keep & HL_PROC_CENTER_WRITING_WEIGHTS) != 0
                        : (ends_with(nm, "attn.hook_v") || ends_with(nm, "attn.hook_z"))
                            ? (keep & (HL_PROC_FOLD_LN | HL_PROC_FOLD_VALUE_BIASES)) == (HL_PROC_FOLD_LN | HL_PROC_FOLD_VALUE_BIASES)
                            : 0;
        const hl_tensor *ours = hl_cache_get(c, nm), *ref = hl_safetensors_find(processed ? r.ref : r.raw, nm);
        CHECKF(ours && ref && hl_tensor_numel(ours) == hl_tensor_numel(ref), "%s: %s missing", name, nm);
        if (ours && ref && hl_tensor_numel(ours) == hl_tensor_numel(ref)) {
            double err = hlt_rel_err((const float *)ours->data, (const float *)ref->data, (long long)hl_tensor_numel(ref));
            CHECKF(err <= 1e-4, "%s keep %u: %s against the %s reference: rel err %g", name, keep, nm,
                   processed ? "processed" : "raw", err);
        }
    }
    { /* the raw logits, centred when CENTER_UNEMBED is on (hlt_logits_err reads the model's flags) */
        const hl_tensor *lr = hl_safetensors_find(r.raw, "logits");
        double err = lr ? hlt_logits_err(r.m, logits, (const float *)lr->data, r.n, 1000) : 1.0;
        CHECKF(err <= 1e-4, "%s keep %u: logits rel err %g", name, keep, err);
    }
    hl_cache_free(c);
    free(logits);
    fx_close(&r);
}
static void test_processing_each_transform(void) {
    static const unsigned keeps[4] = {HL_PROC_FOLD_LN, HL_PROC_CENTER_WRITING_WEIGHTS, HL_PROC_CENTER_UNEMBED,
                                      HL_PROC_FOLD_LN | HL_PROC_FOLD_VALUE_BIASES};
    static const char *const fx[3] = {"gpt2-tiny", "gptneo-tiny", "gptneox-tiny"};
    int i, k;
    for (i = 0; i < 3; i++)
        for (k = 0; k < 4; k++) check_one_transform(fx[i], keeps[k]);
}

/* Which transforms each family gets by default (TL's from_pretrained), which points it has, and
   the full default cache: TL's count (4 + 17 per layer for GPT-2 and Neo, 3 + 18 for NeoX). */
static void test_gpt_points_and_defaults(void) {
    static const struct { const char *fx; unsigned proc; int pos, rot, mid, pre_linear, post; } want[] = {
        {"gpt2-tiny", 15, 1, 0, 1, 0, 0},
        {"gptneo-tiny", 15, 1, 0, 1, 0, 0},
        {"gptneox-tiny", 15, 0, 1, 0, 0, 0},
        {"gemma2-tiny", HL_PROC_FOLD_LN, 0, 1, 1, 1, 1},          /* softcapped: logits not centred */
        {"gemma1-tiny", HL_PROC_FOLD_LN | HL_PROC_CENTER_UNEMBED, 0, 1, 1, 1, 0},
        {"llama-tiny", HL_PROC_FOLD_LN | HL_PROC_CENTER_UNEMBED, 0, 1, 1, 1, 0},
    };
    size_t i;
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        fx_ref r;
        hl_cache *c = NULL;
        hl_error e_, *e = &e_;
        const hl_model *m;
        if (!fx_open(want[i].fx, 1, &r)) continue;
        m = r.m;
        CHECKF(hl_model_config(m)->processing == want[i].proc, "%s: processing %u", want[i].fx, hl_model_config(m)->processing);
        CHECKF(hl_model_has_hook(m, HL_HOOK_POS_EMBED) == want[i].pos && hl_model_has_hook(m, HL_HOOK_ATTN_ROT_Q) == want[i].rot &&
                   hl_model_has_hook(m, HL_HOOK_RESID_MID) == want[i].mid &&
                   hl_model_has_hook(m, HL_HOOK_MLP_PRE_LINEAR) == want[i].pre_linear &&
                   hl_model_has_hook(m, HL_HOOK_LN1_POST_SCALE) == want[i].post,
               "%s: points", want[i].fx);
        CHECK_OK(hl_cache_create(&c, e), e);
        CHECK_OK(hl_model_run_with_cache(r.m, r.tokens, r.n, NULL, c, NULL, e), e);
        if (i < 3) {
            size_t L = (size_t)hl_model_config(m)->n_layers, want_n = i < 2 ? 4 + 17 * L : 3 + 18 * L;
            CHECKF(hl_cache_count(c) == want_n, "%s: %zu cached, TL caches %zu", want[i].fx, hl_cache_count(c), want_n);
        }
        hl_cache_free(c);
        fx_close(&r);
    }
    {   /* no_processing: none */
        fx_ref r;
        if (fx_open_ref("gpt2-tiny", 1, "reference.safetensors", 1, &r)) {
            CHECK(hl_model_config(r.m)->processing == 0);
            fx_close(&r);
        }
    }
}

/* The optional points on the GPT families (GPT-2's fused [in, out] q/k/v and NeoX's per-head
   layout, split per head; hook_result with biases and centring): the classic points keep TL's
   values, and attn_out = sum_h result + b_O. */
static void test_gpt_optional_points(void) {
    static const char *const fx[3] = {"gpt2-tiny", "gptneo-tiny", "gptneox-tiny"};
    static const unsigned flags[2] = {HL_USE_ATTN_RESULT | HL_USE_HOOK_MLP_IN, HL_USE_SPLIT_QKV_INPUT | HL_USE_ATTN_IN};
    int i, k;
    for (i = 0; i < 3; i++)
        for (k = 0; k < 2; k++) {
            fx_ref r;
            hl_cache *c = NULL;
            hl_error e_, *e = &e_;
            float *logits;
            if (!fx_open_ref(fx[i], 2, "reference_tl.safetensors", 0, &r)) continue;
            hl_model_set_flags(r.m, flags[k]);
            r.headed_ln1 = k == 1;
            logits = (float *)malloc((size_t)(r.n * 1000) * sizeof(float));
            CHECK_OK(hl_cache_create(&c, e), e);
            CHECK_OK(hl_model_run_with_cache(r.m, r.tokens, r.n, NULL, c, logits, e), e);
            fx_compare(&r, c, logits, fx[i]);
            if (k == 0) { /* attn_out - sum_h result is b_O: the same vector at every position */
                const hl_tensor *res = hl_cache_get(c, "blocks.1.attn.hook_result"), *ao = hl_cache_get(c, "blocks.1.hook_attn_out");
                CHECK(res && ao && res->ndim == 4 && res->shape[2] == 4 && res->shape[3] == 64);
                if (res && ao) {
                    const float *R = (const float *)res->data, *A = (const float *)ao->data;
                    double worst = 0, b0[64];
                    int64_t p, h, j;
                    for (p = 0; p < r.n; p++)
                        for (j = 0; j < 64; j++) {
                            double b = A[p * 64 + j];
                            for (h = 0; h < 4; h++) b -= R[(p * 4 + h) * 64 + j];
                            if (p == 0) b0[j] = b;
                            else if (fabs(b - b0[j]) > worst) worst = fabs(b - b0[j]);
                        }
                    CHECKF(worst < 1e-5, "%s: attn_out - sum result varies by %g over positions", fx[i], worst);
                }
            }
            hl_cache_free(c);
            free(logits);
            fx_close(&r);
        }
}

static void test_gpt_cli_run(void) {
    static const char *const fx[3] = {"gpt2-tiny", "gptneo-tiny", "gptneox-tiny"};
    int i;
    for (i = 0; i < 3; i++) {
        check_cli_run(fx[i], "reference_tl.safetensors", 0);
        check_cli_run(fx[i], "reference_tl_noproc.safetensors", 1);
    }
}

/* Hostile config.json values for the new families: clear errors naming the key, no crash. */
static void test_gpt_config_errors(void) {
    hl_error e_, *e = &e_;
    const char *g2 = "models/gpt2-tiny/model.safetensors", *neo = "models/gptneo-tiny/model.safetensors",
               *nx = "models/gptneox-tiny/model.safetensors";
#define GPT2_CFG(extra, heads) "{\"architectures\": [\"GPT2LMHeadModel\"], \"n_embd\": 64, \"n_layer\": 3, \"n_head\": " heads ", \"n_positions\": 64, \"vocab_size\": 1000" extra "}"
#define NEO_CFG(extra) "{\"architectures\": [\"GPTNeoForCausalLM\"], \"hidden_size\": 64, \"num_layers\": 4, \"num_heads\": 4, \"max_position_embeddings\": 64, \"vocab_size\": 1000" extra "}"
#define NEOX_CFG(extra, heads) "{\"architectures\": [\"GPTNeoXForCausalLM\"], \"hidden_size\": 64, \"num_hidden_layers\": 3, \"num_attention_heads\": " heads ", \"intermediate_size\": 256, \"vocab_size\": 1000, \"tie_word_embeddings\": false" extra "}"
    CHECK_OK(load_with_config_w(GPT2_CFG("", "4"), g2, e), e);
    CHECK(load_with_config_w(GPT2_CFG("", "0"), g2, e) == HL_ERR_FORMAT && strstr(e->msg, "n_head"));
    CHECK(load_with_config_w(GPT2_CFG("", "3"), g2, e) == HL_ERR_FORMAT && strstr(e->msg, "not divisible"));
    CHECK(load_with_config_w(GPT2_CFG(", \"activation_function\": \"swoosh\"", "4"), g2, e) == HL_ERR_UNSUPPORTED);
    CHECK(load_with_config_w("{\"architectures\": [\"GPT2LMHeadModel\"], \"n_embd\": 64, \"n_layer\": 3, \"n_head\": 4, "
                             "\"n_positions\": 128, \"vocab_size\": 1000}", g2, e) == HL_ERR_SHAPE && strstr(e->msg, "wpe"));
    CHECK(load_with_config_w(GPT2_CFG("", "4"), nx, e) == HL_ERR_FORMAT && strstr(e->msg, "wte")); /* wrong weights */
    CHECK_OK(load_with_config_w(NEO_CFG(", \"window_size\": 4, \"attention_types\": [[[\"global\", \"local\"], 2]]"), neo, e), e);
    CHECK(load_with_config_w(NEO_CFG(", \"window_size\": 0, \"attention_types\": [[[\"global\", \"local\"], 2]]"), neo, e) == HL_ERR_FORMAT &&
          strstr(e->msg, "window_size"));
    CHECK(load_with_config_w(NEO_CFG(", \"window_size\": 4, \"attention_types\": [[[\"global\", \"local\"], 3]]"), neo, e) == HL_ERR_FORMAT &&
          strstr(e->msg, "attention_types"));
    CHECK(load_with_config_w(NEO_CFG(", \"window_size\": 4, \"attention_types\": [[[\"global\", \"sparse\"], 2]]"), neo, e) == HL_ERR_FORMAT &&
          strstr(e->msg, "sparse"));
    CHECK(load_with_config_w(NEO_CFG(", \"window_size\": 4, \"attention_types\": [[\"global\", 4]]"), neo, e) == HL_ERR_FORMAT);
    CHECK(load_with_config_w(NEO_CFG(", \"window_size\": 4, \"attention_types\": [[[\"global\"], 100000000000]]"), neo, e) == HL_ERR_FORMAT);
    CHECK_OK(load_with_config_w(NEOX_CFG(", \"rotary_pct\": 0.25", "4"), nx, e), e);
    CHECK(load_with_config_w(NEOX_CFG(", \"rotary_pct\": 1.5", "4"), nx, e) == HL_ERR_FORMAT && strstr(e->msg, "rotary_pct"));
    CHECK(load_with_config_w(NEOX_CFG(", \"rotary_pct\": 0.1", "4"), nx, e) == HL_ERR_FORMAT && strstr(e->msg, "even"));
    CHECK(load_with_config_w(NEOX_CFG("", "0"), nx, e) == HL_ERR_FORMAT);
    CHECK(load_with_config_w(NEOX_CFG("", "5"), nx, e) == HL_ERR_FORMAT && strstr(e->msg, "not divisible"));
    CHECK(load_with_config_w(NEOX_CFG(", \"head_dim\": 8", "4"), nx, e) == HL_ERR_SHAPE && strstr(e->msg, "query_key_value"));
    CHECK(load_with_config_w(NEOX_CFG(", \"num_key_value_heads\": 2", "4"), nx, e) == HL_ERR_FORMAT && strstr(e->msg, "num_key_value_heads"));
#undef GPT2_CFG
#undef NEO_CFG
#undef NEOX_CFG
}

/* TL's BOS for the GPT families: <|endoftext|> (the tokenizer's, 50256 for GPT-2), prepended by
   default; and an SAELens SAE (the fixtures' standard one, 64 wide) spliced into gpt2-tiny reads
   TL's processed resid_pre and, with the error term, leaves the logits alone. */
static void test_gpt_bos_and_sae(void) {
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error e_, *e = &e_;
    char *cfg = NULL, *tok = NULL, *w = NULL;
    size_t cl = 0, tl = 0, wl = 0;
    const void *ws[1];
    size_t wsz[1];
    int32_t *ids = NULL;
    int64_t n = 0;
    const char *tp = hlt_fixture("tokenizers/gpt2/tokenizer.json");
    if (!hlt_need(tp)) return;
    tok = hlt_read_file(tp, &tl);
    cfg = hlt_read_file(hlt_fixture("models/gpt2-tiny/config.json"), &cl);
    w = hlt_read_file(hlt_fixture("models/gpt2-tiny/model.safetensors"), &wl);
    CHECK(tok && cfg && w);
    if (tok && cfg && w) {
        memset(&d, 0, sizeof d);
        ws[0] = w, wsz[0] = wl;
        d.config_json = cfg, d.config_len = cl, d.weights = ws, d.weight_sizes = wsz, d.n_weights = 1;
        d.tokenizer_json = tok, d.tokenizer_len = tl;
        CHECK_OK(hl_model_load(&d, &m, e), e);
        if (m) {
            CHECK_OK(hl_model_to_tokens(m, "Hello world", -1, &ids, &n, e), e);
            CHECKF(n == 3 && ids && ids[0] == 50256 && ids[1] == 15496 && ids[2] == 995, "n %lld first %d", (long long)n,
                   ids ? ids[0] : -1);
            hl_free(ids);
        }
        hl_model_free(m);
        m = NULL;
    }
    free(tok), free(cfg), free(w);
    {
        fx_ref r;
        hl_sae_desc sd;
        hl_sae *sae = NULL;
        hl_cache *c = NULL;
        float *clean, *spliced;
        if (!fx_open_ref("gpt2-tiny", 1, "reference_tl.safetensors", 0, &r)) return;
        memset(&sd, 0, sizeof sd);
        sd.path = hlt_fixture("saes/gemma2-tiny/saelens-standard");
        sd.n_threads = 1;
        CHECK_OK(hl_sae_load(&sd, &sae, e), e);
        clean = (float *)malloc((size_t)(r.n * 1000) * sizeof(float));
        spliced = (float *)malloc((size_t)(r.n * 1000) * sizeof(float));
        CHECK_OK(hl_model_run(r.m, r.tokens, r.n, clean, e), e);
        if (sae) {
            const hl_tensor *in, *ref = hl_safetensors_find(r.ref, "blocks.1.hook_resid_pre");
            CHECK_OK(hl_sae_attach(sae, r.m, "blocks.1.hook_resid_pre", 1, e), e);
            CHECK_OK(hl_cache_create(&c, e), e);
            CHECK_OK(hl_model_run_with_cache(r.m, r.tokens, r.n, NULL, c, spliced, e), e);
            in = hl_cache_get(c, "blocks.1.hook_resid_pre.hook_sae_input");
            CHECK(in && ref && hl_tensor_numel(in) == hl_tensor_numel(ref));
            if (in && ref && hl_tensor_numel(in) == hl_tensor_numel(ref))
                CHECK(hlt_rel_err((const float *)in->data, (const float *)ref->data, (long long)hl_tensor_numel(ref)) <= 1e-4);
            CHECK(hl_cache_get(c, "blocks.1.hook_resid_pre.hook_sae_acts_post") != NULL);
            CHECK(hlt_rel_err(spliced, clean, r.n * 1000) <= 1e-5);
            hl_sae_set_error_term(sae, 0);
            CHECK_OK(hl_model_run(r.m, r.tokens, r.n, spliced, e), e);
            CHECK(hlt_rel_err(spliced, clean, r.n * 1000) > 1e-3); /* the random SAE reconstructs badly */
            hl_sae_detach(sae);
        }
        hl_sae_free(sae);
        hl_cache_free(c);
        free(clean), free(spliced);
        fx_close(&r);
    }
}

void suite_model(void) {
    RUN(test_gemma2_tiny);
    RUN(test_gemma2_tiny_bf16);
    RUN(test_gemma2_tiny_softcap);
    RUN(test_gemma1_tiny);
    RUN(test_llama_tiny);
    RUN(test_mistral_tiny);
    RUN(test_gpt2_tiny);
    RUN(test_gptneo_tiny);
    RUN(test_gptneox_tiny);
    RUN(test_processing_each_transform);
    RUN(test_gpt_points_and_defaults);
    RUN(test_gpt_optional_points);
    RUN(test_gpt_cli_run);
    RUN(test_gpt_config_errors);
    RUN(test_gpt_bos_and_sae);
    RUN(test_cli_cache_files);
    RUN(test_config_errors);
    RUN(test_forward_args);
    RUN(test_sampling);
    RUN(test_sampling_nucleus_distribution);
    RUN(test_sampling_freq_penalty_steps);
    RUN(test_sampling_top_p_top1);
    RUN(test_sampling_freq_penalty_huge);
    RUN(test_math_helpers);
    RUN(test_stories260k);
    RUN(test_load_options);
    RUN(test_tokenizer_helpers);
}
