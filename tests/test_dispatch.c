/* tests/test_dispatch.c - every model fixture under every kernel level this CPU has (scalar, AVX2,
   AVX-512; each forced through hl_model_desc.kernels), with 1 and 2 threads: all hooks listed in
   meta.json and the logits within 1e-4 of the float64 reference (-inf exactly where masked), and
   the two thread counts bit-identical (memcmp). Fast mode (bf16 activations for bf16 weights) is
   held to the looser 2e-2 on the logits. */
#include <stdlib.h>
#include "hl_test.h"

/* Runs one fixture with (level, threads, fast); compares with the reference; returns the cache. */
static hl_cache *run_fixture(const char *name, hl_kernels level, int threads, int fast) {
    char dir[512], rel[256];
    hl_model_desc d;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    hl_safetensors *ref = NULL;
    hl_json_doc *meta = NULL;
    hl_error e;
    size_t len = 0, i;
    char *text;
    const hl_json *toks, *names;
    int32_t *ids = NULL;
    int64_t n, V;
    float *logits = NULL;
    const hl_tensor *lr;

    snprintf(rel, sizeof rel, "models/%s", name);
    snprintf(dir, sizeof dir, "%s", hlt_fixture(rel));
    snprintf(rel, sizeof rel, "models/%s/meta.json", name);
    if (!hlt_need(hlt_fixture(rel))) return NULL;
    text = hlt_read_file(hlt_fixture(rel), &len);
    CHECK(text != NULL);
    if (!text) return NULL;
    CHECK_OK(hl_json_parse(text, len, &meta, &e), &e);
    free(text);
    snprintf(rel, sizeof rel, "models/%s/reference.safetensors", name);
    CHECK_OK(hl_safetensors_open(hlt_fixture(rel), &ref, &e), &e);
    memset(&d, 0, sizeof d);
    d.path = dir;
    d.kernels = level;
    d.n_threads = threads;
    d.fast = fast;
    d.no_processing = 1; /* reference.safetensors holds Hugging Face's raw values */
    CHECK_OK(hl_model_load(&d, &m, &e), &e);
    CHECK_OK(hl_cache_create(&cache, &e), &e);
    if (!meta || !ref || !m || !cache) goto done;
    toks = hl_json_get(hl_json_root(meta), "tokens");
    names = hl_json_get(hl_json_root(meta), "hook_names");
    CHECK(toks && names && toks->len > 0);
    if (!toks || !names) goto done;
    n = (int64_t)toks->len;
    V = hl_model_config(m)->d_vocab;
    ids = (int32_t *)malloc((size_t)n * sizeof(int32_t));
    logits = (float *)malloc((size_t)(n * V) * sizeof(float));
    if (!ids || !logits) goto done;
    for (i = 0; i < (size_t)n; i++) ids[i] = (int32_t)hl_json_int(hl_json_at(toks, i), 0);
    CHECK_OK(hl_model_run_with_cache(m, ids, n, NULL, cache, logits, &e), &e);
    lr = hl_safetensors_find(ref, "logits");
    CHECK(lr != NULL);
    if (lr) {
        double r = hlt_logits_err(m, logits, (const float *)lr->data, n, V);
        CHECKF(r <= (fast ? 2e-2 : 1e-4), "%s %s threads %d fast %d: logits rel err %g", name,
               hl_kernels_name(level), threads, fast, r);
    }
    /* logits go into the cache too, so the thread-count comparison covers them */
    {
        hl_tensor t;
        memset(&t, 0, sizeof t);
        t.dtype = HL_DTYPE_F32;
        t.ndim = 2;
        t.shape[0] = n;
        t.shape[1] = V;
        t.data = logits;
        CHECK_OK(hl_cache_put(cache, "logits", &t, &e), &e);
    }
    if (!fast)
        for (i = 0; i < names->len; i++) {
            const char *hn = hl_json_str(hl_json_at(names, i), "");
            const hl_tensor *ours = hl_cache_get(cache, hn), *want = hl_safetensors_find(ref, hn);
            double r;
            CHECKF(ours && want, "%s: hook %s missing", name, hn);
            if (!ours || !want) continue;
            CHECKF(hl_tensor_numel(ours) == hl_tensor_numel(want), "%s: %s size", name, hn);
            if (hl_tensor_numel(ours) != hl_tensor_numel(want)) continue;
            r = hlt_rel_err((const float *)ours->data, (const float *)want->data, (long long)hl_tensor_numel(want));
            CHECKF(r <= 1e-4, "%s %s threads %d: %s rel err %g", name, hl_kernels_name(level), threads, hn, r);
        }
done:
    free(ids);
    free(logits);
    hl_model_free(m);
    hl_safetensors_close(ref);
    hl_json_free(meta);
    return cache;
}

/* Every tensor of two caches is the same bytes. */
static int caches_identical(const hl_cache *a, const hl_cache *b) {
    size_t i;
    if (!a || !b || hl_cache_count(a) != hl_cache_count(b)) return 0;
    for (i = 0; i < hl_cache_count(a); i++) {
        const hl_tensor *x = hl_cache_tensor(a, i), *y = hl_cache_get(b, hl_cache_name(a, i));
        if (!y || hl_tensor_nbytes(x) != hl_tensor_nbytes(y) || memcmp(x->data, y->data, hl_tensor_nbytes(x)) != 0)
            return 0;
    }
    return 1;
}

/* Every level this build and CPU have. The system BLAS (HL_KERNELS_CBLAS, `make BLAS=openblas`)
   promises less than our kernels: the same bits for a fixed thread count (two runs compared), and
   within 1e-5 of the scalar reference (its logits compared), but not across thread counts. */
static void check_all_levels(const char *name) {
    static const hl_kernels levels[4] = {HL_KERNELS_SCALAR, HL_KERNELS_AVX2, HL_KERNELS_AVX512, HL_KERNELS_CBLAS};
    int k, fast;
    for (k = 0; k < 4; k++) {
        if (!hl_kernels_available(levels[k])) continue;
        for (fast = 0; fast <= 1; fast++) {
            int blas = levels[k] == HL_KERNELS_CBLAS;
            hl_cache *one = run_fixture(name, levels[k], blas ? 2 : 1, fast);
            hl_cache *two = run_fixture(name, levels[k], 2, fast);
            CHECKF(caches_identical(one, two), "%s %s fast %d: %s", name, hl_kernels_name(levels[k]), fast,
                   blas ? "two runs with 2 threads differ" : "1 and 2 threads differ");
            if (blas && !fast) {
                hl_cache *ref = run_fixture(name, HL_KERNELS_SCALAR, 1, 0);
                const hl_tensor *a = hl_cache_get(two, "logits"), *b = ref ? hl_cache_get(ref, "logits") : NULL;
                CHECK(a && b);
                if (a && b)
                    CHECKF(hlt_rel_err((const float *)a->data, (const float *)b->data, (long long)hl_tensor_numel(a)) <= 1e-5,
                           "%s cblas: logits %g from the scalar reference", name,
                           hlt_rel_err((const float *)a->data, (const float *)b->data, (long long)hl_tensor_numel(a)));
                hl_cache_free(ref);
            }
            hl_cache_free(one);
            hl_cache_free(two);
        }
    }
}

/* desc.kernels really picks the level: a model reports the kernels it runs (each level this CPU
   has, and the best one by default), fast mode reports the bf16 table only where it exists, and a
   level this CPU lacks is an error at load, not a silent fallback. (That each level's kernels are
   what actually runs is test_bits: each level has its own recorded bits.) */
static void test_dispatch_levels_available(void) {
    static const hl_kernels levels[4] = {HL_KERNELS_SCALAR, HL_KERNELS_AVX2, HL_KERNELS_AVX512, HL_KERNELS_NEON};
    const char *dir = hlt_fixture("models/llama-tiny");
    int k, fast;
    if (!hlt_need(dir)) return;
    for (k = -1; k < 4; k++)
        for (fast = 0; fast <= HL_FAST_INT8; fast++) {
            hl_model_desc d;
            hl_model *m = NULL;
            hl_error e;
            hl_status st;
            hl_kernels want = k < 0 ? HL_KERNELS_DEFAULT : levels[k];
            memset(&d, 0, sizeof d);
            d.path = dir;
            d.kernels = want;
            d.fast = fast;
            d.n_threads = 1;
            st = hl_model_load(&d, &m, &e);
            if (want != HL_KERNELS_DEFAULT && !hl_kernels_available(want)) {
                CHECKF(st == HL_ERR_UNSUPPORTED && strstr(e.msg, hl_kernels_name(want)), "%s: %s", hl_kernels_name(want), e.msg);
                continue;
            }
            CHECK_OK(st, &e);
            if (st != HL_OK) continue;
            if (want == HL_KERNELS_DEFAULT) want = hl_kernels_best();
            if ((fast == 1 && want == HL_KERNELS_AVX512 && strcmp(hl_model_kernels(m), "avx512+bf16") == 0) ||
                (fast == 1 && want == HL_KERNELS_SCALAR && strcmp(hl_model_kernels(m), "scalar+q8") == 0) ||
                (fast == 2 && want == HL_KERNELS_AVX512 && strcmp(hl_model_kernels(m), "avx512+int8") == 0) ||
                (fast == 1 && want == HL_KERNELS_AVX2 && strcmp(hl_model_kernels(m), "avx2+q8") == 0) ||
                (fast == 2 && want == HL_KERNELS_AVX2 && strcmp(hl_model_kernels(m), "avx2+int8") == 0) ||
                (fast == 1 && want == HL_KERNELS_NEON && strcmp(hl_model_kernels(m), "neon+q8") == 0) ||
                (fast == 2 && want == HL_KERNELS_NEON && strcmp(hl_model_kernels(m), "neon+int8") == 0) ||
                (fast == 2 && want == HL_KERNELS_SCALAR && strcmp(hl_model_kernels(m), "scalar+int8") == 0)) {
                /* only where the CPU has AVX512-BF16 (the kernel tests check cpuid's view); the
                   scalar level's fast mode is the reference of the 8-bit products */
            } else {
                CHECKF(strcmp(hl_model_kernels(m), hl_kernels_name(want)) == 0, "asked %s, runs %s",
                       hl_kernels_name(want), hl_model_kernels(m));
            }
            hl_model_free(m);
        }
    { /* desc.fast beyond HL_FAST_INT8 is refused by name */
        hl_model_desc d;
        hl_model *m = NULL;
        hl_error e;
        memset(&d, 0, sizeof d);
        d.path = dir, d.fast = HL_FAST_INT8 + 1;
        CHECKF(hl_model_load(&d, &m, &e) == HL_ERR_ARG && strstr(e.msg, "fast must be") && !m, "fast 3: %s", e.msg);
        hl_model_free(m);
    }
}
static void test_dispatch_gemma2_tiny(void) { check_all_levels("gemma2-tiny"); }
static void test_dispatch_gemma2_tiny_bf16(void) { check_all_levels("gemma2-tiny-bf16"); }
static void test_dispatch_gemma2_tiny_softcap(void) { check_all_levels("gemma2-tiny-softcap"); }
static void test_dispatch_gemma1_tiny(void) { check_all_levels("gemma1-tiny"); }
static void test_dispatch_llama_tiny(void) { check_all_levels("llama-tiny"); }
static void test_dispatch_mistral_tiny(void) { check_all_levels("mistral-tiny"); }
static void test_dispatch_gpt2_tiny(void) { check_all_levels("gpt2-tiny"); }
static void test_dispatch_gptneo_tiny(void) { check_all_levels("gptneo-tiny"); }
static void test_dispatch_gptneox_tiny(void) { check_all_levels("gptneox-tiny"); }

/* The fixtures' SAEs (GemmaScope npz, SAELens standard and topk; f32 weights, so the cblas level
   runs them through the BLAS) at every level: acts_post and recons of the reference's sae_input
   within 1e-4. Without HL_USE_CBLAS the cblas level is unavailable and an SAE asking for it fails
   to load. */
static void test_dispatch_sae_levels(void) {
    static const hl_kernels levels[4] = {HL_KERNELS_SCALAR, HL_KERNELS_AVX2, HL_KERNELS_AVX512, HL_KERNELS_CBLAS};
    static const char *const kinds[3][2] = {{"saes/gemma2-tiny/gemmascope-jumprelu/params.npz", "jumprelu"},
                                            {"saes/gemma2-tiny/saelens-standard", "standard"},
                                            {"saes/gemma2-tiny/saelens-topk", "topk"}};
    hl_safetensors *ref = NULL;
    hl_error e;
    const hl_tensor *x;
    int k, s;
    if (!hlt_need(hlt_fixture("saes/gemma2-tiny/reference.safetensors"))) return;
    CHECK_OK(hl_safetensors_open(hlt_fixture("saes/gemma2-tiny/reference.safetensors"), &ref, &e), &e);
    x = ref ? hl_safetensors_find(ref, "sae_input") : NULL;
    CHECK(x != NULL);
    for (k = 0; x && k < 4; k++)
        for (s = 0; s < 3; s++) {
            hl_sae_desc d;
            hl_sae *sae = NULL;
            hl_sae_outputs o;
            float post[20 * 256], rec[20 * 64];
            char key[64];
            const hl_tensor *rp, *rr;
            memset(&d, 0, sizeof d);
            d.path = hlt_fixture(kinds[s][0]);
            d.kernels = levels[k];
            d.n_threads = 2;
            if (!hl_kernels_available(levels[k])) {
                CHECK(hl_sae_load(&d, &sae, &e) != HL_OK && sae == NULL);
                continue;
            }
            CHECK_OK(hl_sae_load(&d, &sae, &e), &e);
            if (!sae) continue;
            memset(&o, 0, sizeof o);
            o.acts_post = post, o.recons = rec;
            CHECK_OK(hl_sae_forward(sae, (const float *)x->data, 20, 0, &o, &e), &e);
            snprintf(key, sizeof key, "%s.acts_post", kinds[s][1]);
            rp = hl_safetensors_find(ref, key);
            snprintf(key, sizeof key, "%s.recons", kinds[s][1]);
            rr = hl_safetensors_find(ref, key);
            CHECKF(rp && rr, "reference lacks %s", key);
            if (rp && rr)
                CHECKF(hlt_rel_err(post, (const float *)rp->data, 20 * 256) <= 1e-4 &&
                           hlt_rel_err(rec, (const float *)rr->data, 20 * 64) <= 1e-4,
                       "%s at %s: acts_post %g, recons %g", kinds[s][1], hl_kernels_name(levels[k]),
                       hlt_rel_err(post, (const float *)rp->data, 20 * 256), hlt_rel_err(rec, (const float *)rr->data, 20 * 64));
            hl_sae_free(sae);
        }
    hl_safetensors_close(ref);
}

void suite_dispatch(void) {
    RUN(test_dispatch_levels_available);
    RUN(test_dispatch_gemma2_tiny);
    RUN(test_dispatch_gemma2_tiny_bf16);
    RUN(test_dispatch_gemma2_tiny_softcap);
    RUN(test_dispatch_gemma1_tiny);
    RUN(test_dispatch_llama_tiny);
    RUN(test_dispatch_mistral_tiny);
    RUN(test_dispatch_gpt2_tiny);
    RUN(test_dispatch_gptneo_tiny);
    RUN(test_dispatch_gptneox_tiny);
    RUN(test_dispatch_sae_levels);
}
