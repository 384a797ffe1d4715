/* tests/test_bits.c - the exact bits of every model fixture and SAE, recorded before the 0.2.0
   redesign (at 21c8c02) and checked ever since: a refactor that changes one rounding anywhere
   fails here, whatever the tolerance of the reference tests.

   For every model fixture (and the bundled stories260K) x kernel level (scalar, AVX2, AVX-512,
   and AVX-512 in fast mode) x threads (1, 2), a 64-bit FNV-1a hash (over 8-byte words) of:
     run     run_with_cache of the fixture tokens: every hook (name, shape, bytes) in firing order,
             then the logits
     plain   hl_model_run logits, no hooks (the attention path that keeps no score matrix)
     part    hooks on resid_post, hook_z and ln_final only (no scores wanted), then the logits
     opt     every optional point on (attn_result, split qkv input, attn_in, mlp_in), all hooks
     decode  the first n-4 tokens, then 4 single-token decode steps with a hook on "*"
     long    512 tokens (fixed pseudo-random ids): big enough that every thread split (matmul,
             attention, norms and activations) runs on 2 threads; all hooks, then the logits
     gen     hl_model_generate: greedy, top-p with a frequency penalty, top-k (token ids)
   and for the gemma2-tiny SAEs (GemmaScope npz stored and deflated, SAELens standard and topk)
   spliced at blocks.2.hook_resid_post: run_with_cache with and without the error term, with an
   ablation and a steering edit, and hl_sae_forward on the hook's input.

   The table below was printed by this file (HL_BITS_RECORD=1 build/tests bits) at 21c8c02 on an
   AVX-512 (Zen 4) x86-64 machine with glibc. A level this CPU lacks cannot be checked here (it is
   named in the output); CI's machine has all three x86 levels. On another architecture nothing is
   checked here (the output says so): even the scalar kernels call libm (expf, tanhf, the rotary
   angles' pow/cos/sin), whose last bits differ between platforms; the fixtures' tolerances still
   hold there (test_dispatch, test_model). */
#include <stdlib.h>
#include "hl_test.h"

typedef struct bits_row {
    const char *fixture, *what, *level;
    int         fast;
    const char *hash;
} bits_row;
static const bits_row BITS[] = {
#include "bits_21c8c02.inc"
    {NULL, NULL, NULL, 0, NULL}};

/* ---- hashing ---- */
typedef struct fnv { uint64_t h; } fnv;
static void fnv_init(fnv *f) { f->h = 1469598103934665603ull; }
/* FNV-1a over 8-byte words (then the tail bytes): eight times fewer multiplies than bytewise. */
static void fnv_bytes(fnv *f, const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    size_t i = 0;
    uint64_t w;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, b + i, 8);
        f->h ^= w;
        f->h *= 1099511628211ull;
    }
    for (; i < n; i++) {
        f->h ^= b[i];
        f->h *= 1099511628211ull;
    }
}
static void fnv_tensor(fnv *f, const char *name, const hl_tensor *t) {
    int i;
    int64_t s;
    fnv_bytes(f, name, strlen(name) + 1);
    for (i = 0; i < t->ndim; i++) {
        s = t->shape[i];
        fnv_bytes(f, &s, sizeof s);
    }
    fnv_bytes(f, t->data, hl_tensor_nbytes(t));
}
static void fnv_cache(fnv *f, const hl_cache *c) {
    size_t i;
    for (i = 0; i < hl_cache_count(c); i++) fnv_tensor(f, hl_cache_name(c, i), hl_cache_tensor(c, i));
}
static void fnv_floats(fnv *f, const char *name, const float *x, int64_t n) {
    hl_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = HL_DTYPE_F32;
    t.ndim = 1;
    t.shape[0] = n;
    t.data = (void *)(uintptr_t)x;
    fnv_tensor(f, name, &t);
}
static hl_status hash_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    fnv_tensor((fnv *)user, info->name, act);
    return HL_OK;
}

/* ---- recording and checking ---- */
static int bits_record;
static int bits_checked;
static void bits_result(const char *fixture, const char *what, hl_kernels level, int fast, int threads, const fnv *f) {
    char got[32];
    const bits_row *r;
    snprintf(got, sizeof got, "%016llx", (unsigned long long)f->h);
    if (bits_record) {
        if (threads == 1)
            printf("    {\"%s\", \"%s\", \"%s\", %d, \"%s\"},\n", fixture, what, hl_kernels_name(level), fast, got);
        return;
    }
    for (r = BITS; r->fixture; r++)
        if (strcmp(r->fixture, fixture) == 0 && strcmp(r->what, what) == 0 &&
            strcmp(r->level, hl_kernels_name(level)) == 0 && r->fast == fast)
            break;
    CHECKF(r->fixture != NULL, "%s %s %s fast %d: no recorded checksum", fixture, what, hl_kernels_name(level), fast);
    if (!r->fixture) return;
    CHECKF(strcmp(r->hash, got) == 0, "%s %s %s fast %d threads %d: bits changed (%s, recorded %s)", fixture, what,
           hl_kernels_name(level), fast, threads, got, r->hash);
    bits_checked++;
}

static const char *model_dir(const char *fixture) {
    char rel[256];
    if (strcmp(fixture, "stories260K") == 0) return "examples/stories260K";
    snprintf(rel, sizeof rel, "models/%s", fixture);
    return hlt_fixture(rel);
}

/* The fixture's tokens from meta.json ("tokens"), or the first 20 ids of a fixed stream. */
static int64_t fixture_tokens(const char *fixture, int32_t *ids, int64_t cap) {
    char rel[256];
    FILE *fp;
    char *text = NULL;
    long len;
    hl_json_doc *doc = NULL;
    const hl_json *t;
    hl_error e;
    int64_t n = 0, i;
    if (strcmp(fixture, "stories260K") == 0) {
        static const int32_t story[12] = {1, 403, 407, 261, 378, 429, 267, 400, 288, 395, 260, 282};
        for (i = 0; i < 12; i++) ids[i] = story[i];
        return 12;
    }
    snprintf(rel, sizeof rel, "models/%s/meta.json", fixture);
    if (!hlt_need(hlt_fixture(rel))) return 0;
    fp = fopen(hlt_fixture(rel), "rb");
    if (!fp) return 0;
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    text = (char *)malloc((size_t)len + 1);
    if (text && fread(text, 1, (size_t)len, fp) == (size_t)len && hl_json_parse(text, (size_t)len, &doc, &e) == HL_OK) {
        t = hl_json_get(hl_json_root(doc), "tokens");
        for (i = 0; t && i < (int64_t)t->len && i < cap; i++) ids[n++] = (int32_t)hl_json_int(hl_json_at(t, (size_t)i), 0);
    }
    fclose(fp);
    free(text);
    hl_json_free(doc);
    CHECKF(n > 4, "%s: no tokens in meta.json", fixture);
    return n;
}

static hl_model *bits_model(const char *fixture, hl_kernels level, int fast, int threads) {
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error e;
    memset(&d, 0, sizeof d);
    d.path = model_dir(fixture);
    d.kernels = level;
    d.fast = fast;
    d.n_threads = threads;
    d.no_processing = 1; /* the raw numbers, as recorded (TL's processing postdates the table) */
    if (!hlt_need(d.path)) return NULL;
    CHECK_OK(hl_model_load(&d, &m, &e), &e);
    return m;
}

static void bits_model_all(const char *fixture, hl_kernels level, int fast, int threads) {
    hl_model *m = bits_model(fixture, level, fast, threads);
    hl_cache *cache = NULL;
    hl_error e;
    int32_t ids[600], *out = NULL;
    int64_t n, V, i, nout = 0;
    float *logits = NULL;
    fnv f;
    if (!m) return;
    V = hl_model_config(m)->d_vocab;
    n = fixture_tokens(fixture, ids, 64);
    logits = (float *)malloc((size_t)(512 * V) * sizeof(float));
    CHECK_OK(hl_cache_create(&cache, &e), &e);
    if (n <= 4 || !logits || !cache) goto done;

    /* run */
    fnv_init(&f);
    CHECK_OK(hl_model_run_with_cache(m, ids, n, NULL, cache, logits, &e), &e);
    fnv_cache(&f, cache);
    fnv_floats(&f, "logits", logits, n * V);
    bits_result(fixture, "run", level, fast, threads, &f);
    /* plain */
    fnv_init(&f);
    CHECK_OK(hl_model_run(m, ids, n, logits, &e), &e);
    fnv_floats(&f, "logits", logits, n * V);
    bits_result(fixture, "plain", level, fast, threads, &f);
    /* part */
    fnv_init(&f);
    CHECK_OK(hl_model_add_hook(m, "blocks.*.hook_resid_post", hash_hook, &f, NULL, &e), &e);
    CHECK_OK(hl_model_add_hook(m, "blocks.*.attn.hook_z", hash_hook, &f, NULL, &e), &e);
    CHECK_OK(hl_model_add_hook(m, "ln_final.hook_normalized", hash_hook, &f, NULL, &e), &e);
    CHECK_OK(hl_model_run(m, ids, n, logits, &e), &e);
    fnv_floats(&f, "logits", logits, n * V);
    hl_model_reset_hooks(m);
    bits_result(fixture, "part", level, fast, threads, &f);
    /* opt */
    fnv_init(&f);
    hl_model_set_flags(m, HL_USE_ATTN_RESULT | HL_USE_SPLIT_QKV_INPUT | HL_USE_ATTN_IN | HL_USE_HOOK_MLP_IN);
    CHECK_OK(hl_model_run_with_cache(m, ids, n, NULL, cache, logits, &e), &e);
    fnv_cache(&f, cache);
    fnv_floats(&f, "logits", logits, n * V);
    hl_model_set_flags(m, 0);
    bits_result(fixture, "opt", level, fast, threads, &f);
    /* decode */
    fnv_init(&f);
    CHECK_OK(hl_model_add_hook(m, "*", hash_hook, &f, NULL, &e), &e);
    CHECK_OK(hl_model_run(m, ids, n - 4, logits, &e), &e);
    fnv_floats(&f, "logits", logits, (n - 4) * V);
    for (i = n - 4; i < n; i++) {
        CHECK_OK(hl_model_decode(m, ids + i, 1, logits, 0, &e), &e);
        fnv_floats(&f, "logits", logits, V);
    }
    hl_model_reset_hooks(m);
    bits_result(fixture, "decode", level, fast, threads, &f);
    /* long */
    {
        uint64_t s = 12345;
        int64_t nl = 512;
        for (i = 0; i < nl; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            ids[i] = (int32_t)((s >> 33) % (uint64_t)V);
        }
        fnv_init(&f);
        CHECK_OK(hl_model_run_with_cache(m, ids, nl, NULL, cache, logits, &e), &e);
        fnv_cache(&f, cache);
        fnv_floats(&f, "logits", logits, nl * V);
        bits_result(fixture, "long", level, fast, threads, &f);
        n = fixture_tokens(fixture, ids, 64);
    }
    /* gen */
    {
        /* greedy; nucleus with a frequency penalty; top-k: {temperature, top_k, top_p, freq_penalty, seed} */
        static const struct { float t; int64_t k; float p, fp; uint64_t seed; } gens[3] = {
            {0.0f, 0, 0.0f, 0.0f, 0}, {0.8f, 0, 0.9f, 0.5f, 7}, {0.8f, 5, 0.0f, 0.0f, 11}};
        hl_generate_opts o;
        int g;
        fnv_init(&f);
        for (g = 0; g < 3; g++) {
            memset(&o, 0, sizeof o);
            o.max_new_tokens = 12;
            o.no_stop_at_eos = 1;
            o.temperature = gens[g].t, o.top_k = gens[g].k, o.top_p = gens[g].p;
            o.freq_penalty = gens[g].fp, o.seed = gens[g].seed;
            CHECK_OK(hl_model_generate(m, ids, 5, &o, &out, &nout, &e), &e);
            if (out) fnv_bytes(&f, out, (size_t)nout * sizeof(int32_t));
            hl_free(out);
            out = NULL;
        }
        bits_result(fixture, "gen", level, fast, threads, &f);
    }
done:
    free(logits);
    hl_cache_free(cache);
    hl_model_free(m);
}

static void bits_sae_all(const char *kind, const char *file, hl_kernels level, int threads) {
    hl_model *m = bits_model("gemma2-tiny", level, 0, threads);
    hl_sae_desc sd;
    hl_sae *s = NULL;
    hl_cache *cache = NULL;
    hl_error e;
    int32_t ids[64];
    int64_t n, V, d_in, d_sae;
    float *logits = NULL, *buf = NULL;
    const hl_tensor *x;
    char rel[256], what[64];
    fnv f;
    if (!m) return;
    snprintf(rel, sizeof rel, "saes/gemma2-tiny/%s", file);
    if (!hlt_need(hlt_fixture(rel))) goto done;
    memset(&sd, 0, sizeof sd);
    sd.path = hlt_fixture(rel);
    sd.hook_name = "blocks.2.hook_resid_post";
    sd.kernels = level;
    sd.n_threads = threads;
    CHECK_OK(hl_sae_load(&sd, &s, &e), &e);
    CHECK_OK(hl_cache_create(&cache, &e), &e);
    n = fixture_tokens("gemma2-tiny", ids, 64);
    V = hl_model_config(m)->d_vocab;
    logits = (float *)malloc((size_t)(n * V) * sizeof(float));
    if (!s || !cache || n <= 4 || !logits) goto done;
    d_in = hl_sae_get_config(s)->d_in;
    d_sae = hl_sae_get_config(s)->d_sae;
    /* spliced, without and with the error term */
    CHECK_OK(hl_sae_attach(s, m, NULL, 0, &e), &e);
    fnv_init(&f);
    CHECK_OK(hl_model_run_with_cache(m, ids, n, NULL, cache, logits, &e), &e);
    fnv_cache(&f, cache);
    fnv_floats(&f, "logits", logits, n * V);
    hl_sae_set_error_term(s, 1);
    CHECK_OK(hl_model_run_with_cache(m, ids, n, NULL, cache, logits, &e), &e);
    fnv_cache(&f, cache);
    fnv_floats(&f, "logits", logits, n * V);
    snprintf(what, sizeof what, "sae-%s", kind);
    bits_result("gemma2-tiny", what, level, 0, threads, &f);
    /* edits: ablate the strongest feature, steer another */
    fnv_init(&f);
    CHECK_OK(hl_sae_ablate(s, 3, &e), &e);
    CHECK_OK(hl_sae_steer(s, 5, 2.5f, NULL, 0, &e), &e);
    CHECK_OK(hl_model_run_with_cache(m, ids, n, NULL, cache, logits, &e), &e);
    fnv_cache(&f, cache);
    fnv_floats(&f, "logits", logits, n * V);
    hl_sae_clear_edits(s);
    snprintf(what, sizeof what, "sae-%s-edit", kind);
    bits_result("gemma2-tiny", what, level, 0, threads, &f);
    /* the SAE alone on the hook's input */
    x = hl_cache_get(cache, "blocks.2.hook_resid_post.hook_sae_input");
    CHECK(x != NULL);
    buf = (float *)malloc((size_t)(n * (2 * d_sae + 3 * d_in)) * sizeof(float));
    if (x && buf) {
        hl_sae_outputs o;
        o.acts_pre = buf;
        o.acts_post = buf + n * d_sae;
        o.recons = buf + 2 * n * d_sae;
        o.error = buf + 2 * n * d_sae + n * d_in;
        o.output = buf + 2 * n * d_sae + 2 * n * d_in;
        fnv_init(&f);
        CHECK_OK(hl_sae_forward(s, (const float *)x->data, n, 1, &o, &e), &e);
        fnv_floats(&f, "forward", buf, n * (2 * d_sae + 3 * d_in));
        CHECK_OK(hl_sae_encode(s, (const float *)x->data, n, buf, buf + n * d_sae, &e), &e);
        fnv_floats(&f, "encode", buf, n * 2 * d_sae);
        snprintf(what, sizeof what, "sae-%s-alone", kind);
        bits_result("gemma2-tiny", what, level, 0, threads, &f);
    }
done:
    free(buf);
    free(logits);
    hl_cache_free(cache);
    hl_sae_free(s);
    hl_model_free(m);
}

static const hl_kernels BITS_LEVELS[3] = {HL_KERNELS_SCALAR, HL_KERNELS_AVX2, HL_KERNELS_AVX512};

/* 1 where the table was recorded: x86-64 (see the top of this file). */
static int bits_platform(void) {
#if defined(__x86_64__)
    return 1;
#else
    static int said;
    if (!said++) printf("  note: the recorded bits are x86-64's (libm differs elsewhere); not checked on this platform\n");
    return 0;
#endif
}

static void bits_models(const char *fixture) {
    int k, fast, t;
    if (!bits_platform()) return;
    for (k = 0; k < 3; k++) {
        if (!hl_kernels_available(BITS_LEVELS[k])) {
            printf("  note: %s: level %s is not on this CPU, its recorded bits are not checked here\n", fixture,
                   hl_kernels_name(BITS_LEVELS[k]));
            continue;
        }
        for (fast = 0; fast <= (BITS_LEVELS[k] == HL_KERNELS_AVX512); fast++) /* fast mode exists at AVX-512 */
            for (t = 1; t <= 2; t++) bits_model_all(fixture, BITS_LEVELS[k], fast, t);
    }
}

static void test_bits_gemma2_tiny(void) { bits_models("gemma2-tiny"); }
static void test_bits_gemma2_tiny_bf16(void) { bits_models("gemma2-tiny-bf16"); }
static void test_bits_gemma2_tiny_softcap(void) { bits_models("gemma2-tiny-softcap"); }
static void test_bits_gemma1_tiny(void) { bits_models("gemma1-tiny"); }
static void test_bits_llama_tiny(void) { bits_models("llama-tiny"); }
static void test_bits_mistral_tiny(void) { bits_models("mistral-tiny"); }
static void test_bits_stories260K(void) { bits_models("stories260K"); }
static void test_bits_saes(void) {
    static const char *kinds[4][2] = {{"gemmascope", "gemmascope-jumprelu/params.npz"},
                                      {"gemmascope-deflate", "gemmascope-jumprelu/params_compressed.npz"},
                                      {"saelens-standard", "saelens-standard"},
                                      {"saelens-topk", "saelens-topk"}};
    int k, i, t;
    if (!bits_platform()) return;
    for (k = 0; k < 3; k++) {
        if (!hl_kernels_available(BITS_LEVELS[k])) continue;
        for (i = 0; i < 4; i++)
            for (t = 1; t <= 2; t++) bits_sae_all(kinds[i][0], kinds[i][1], BITS_LEVELS[k], t);
    }
}
/* Every recorded row was checked (so a fixture or a level that silently stopped running fails). */
static void test_bits_all_checked(void) {
    int rows = 0;
    const bits_row *r;
    for (r = BITS; r->fixture; r++)
        if (hl_kernels_available(strcmp(r->level, "scalar") == 0 ? HL_KERNELS_SCALAR
                                 : strcmp(r->level, "avx2") == 0 ? HL_KERNELS_AVX2
                                                                 : HL_KERNELS_AVX512))
            rows++;
    /* a filtered run checks all of the table only when every test_bits_* ran */
    if (bits_record || (hlt_filter && !strstr("test_bits_", hlt_filter)) || !bits_platform()) return;
    CHECKF(bits_checked == 2 * rows, "checked %d results, the table has %d rows x 2 thread counts", bits_checked, rows);
}

void suite_bits(void) {
    bits_record = getenv("HL_BITS_RECORD") != NULL;
    RUN(test_bits_gemma2_tiny);
    RUN(test_bits_gemma2_tiny_bf16);
    RUN(test_bits_gemma2_tiny_softcap);
    RUN(test_bits_gemma1_tiny);
    RUN(test_bits_llama_tiny);
    RUN(test_bits_mistral_tiny);
    RUN(test_bits_stories260K);
    RUN(test_bits_saes);
    RUN(test_bits_all_checked);
}
