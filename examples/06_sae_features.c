/* 06_sae_features.c - which SAE features fire on each token (SAELens run_with_cache_with_saes).

   The notebook does:
       sae = SAE.from_pretrained("gemma-scope-2b-pt-res-canonical", "layer_25/width_65k/canonical")
       _, cache = model.run_with_cache_with_saes(prompt, saes=[sae])
       for name, act in cache.items(): if "hook_sae" in name: print(name, act.shape)
       acts = cache[f"{sae.cfg.metadata.hook_name}.hook_sae_acts_post"][0]  # [pos, d_sae]
       for each token: acts[pos].topk(5)
   hooklens splices the SAE into the forward pass the same way: while attached, the activation at
   its hook point is replaced by the reconstruction, and the hook_sae_* points can be cached.

   Usage: 06_sae_features [MODEL SAE [PROMPT [HOOK]]]  (none: the gemma2-tiny fixture and its SAE)
     SAE: a GemmaScope params.npz (or its folder) or a SAELens folder. HOOK: where to attach it,
     needed only when neither cfg.json nor a GemmaScope layer_L path names it. For a model folder
     without tokenizer.json, PROMPT is a list of token ids ("2 328 298"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/06_sae_features.c -lm -pthread */
#include "hooklens.h"

/* Text -> token ids with BOS, or, when the model has no tokenizer, parse "2 328 298". */
static hl_status get_tokens(hl_model *m, const char *prompt, int32_t **ids, int64_t *n, hl_error *err) {
    /* *ids is malloc'd either way (free it with free): the library's ids are copied, since
       hl_free need not be free (HL_MALLOC / HL_FREE can be the application's allocator) */
    if (hl_model_tokenizer(m)) {
        int32_t *t = NULL;
        hl_status st = hl_model_to_tokens(m, prompt, -1, &t, n, err);
        if (st != HL_OK) return st;
        *ids = (int32_t *)malloc((size_t)(*n + 1) * sizeof(int32_t));
        if (*ids) memcpy(*ids, t, (size_t)*n * sizeof(int32_t));
        hl_free(t);
        return *ids ? HL_OK : HL_ERR_OOM;
    }
    *ids = (int32_t *)malloc((strlen(prompt) / 2 + 1) * sizeof(int32_t));
    for (*n = 0; *ids && *prompt;) {
        char *end;
        long v = strtol(prompt, &end, 10);
        if (end == prompt) break;
        (*ids)[(*n)++] = (int32_t)v;
        prompt = end;
    }
    return *ids ? HL_OK : HL_ERR_OOM;
}

/* Without MODEL and SAE: the bundled model has no SAE yet, so the gemma2-tiny test fixture and
   its GemmaScope SAE (at blocks.2.hook_resid_post), on the fixture's token ids. */
#define FIXTURE_MODEL "../shared/fixtures/models/gemma2-tiny"
#define FIXTURE_SAE "../shared/fixtures/saes/gemma2-tiny/gemmascope-jumprelu/params.npz"
#define FIXTURE_HOOK "blocks.2.hook_resid_post"
#define FIXTURE_IDS "2 328 298 26 43 496 137 252 334 458 93 3 88 63 404 422 157 172 204 112"

int main(int argc, char **argv) {
    const char *model_dir = argc > 1 ? argv[1] : FIXTURE_MODEL, *sae_path = argc > 2 ? argv[2] : FIXTURE_SAE;
    const char *prompt = argc > 3 ? argv[3] : argc > 1 ? "Once upon a time, there was a little girl named Lily." : FIXTURE_IDS;
    hl_model_desc md;
    hl_sae_desc sd;
    hl_model *m = NULL;
    hl_sae *sae = NULL;
    hl_cache *cache = NULL;
    hl_error err;
    int32_t *tokens = NULL;
    int64_t n = 0, p, d_sae;
    char acts_name[256];
    const hl_tensor *acts;
    const char *only_sae = "*.hook_sae_*";
    hl_names_filter filter;
    size_t i;
    int rc = 1;

    if (argc == 2) {
        fprintf(stderr, "06_sae_features: missing SAE, the second argument\nusage: 06_sae_features [MODEL SAE [PROMPT [HOOK]]]\n");
        return 2;
    }
    if (argc == 1)
        printf("(no MODEL and SAE given, and the bundled model has no SAE yet: the gemma2-tiny test fixture and its "
               "GemmaScope SAE, on token ids)\n");
    memset(&md, 0, sizeof md);
    md.path = model_dir;
    memset(&sd, 0, sizeof sd);
    sd.path = sae_path; /* the hook point comes from cfg.json or from the GemmaScope path ... */
    sd.hook_name = argc > 4 ? argv[4] : argc == 1 ? FIXTURE_HOOK : NULL; /* ... unless given here */
    if (hl_model_load(&md, &m, &err) != HL_OK || hl_sae_load(&sd, &sae, &err) != HL_OK) goto fail;
    d_sae = hl_sae_get_config(sae)->d_sae;
    printf("SAE %s: %s, d_in %lld, d_sae %lld, at %s\n", sae_path,
           hl_sae_arch_name(hl_sae_get_config(sae)->arch), (long long)hl_sae_get_config(sae)->d_in,
           (long long)d_sae, hl_sae_get_config(sae)->hook_name);

    /* add_sae(sae): use_error_term = 0, so the model continues with the reconstruction */
    if (hl_sae_attach(sae, m, NULL, 0, &err) != HL_OK) goto fail;
    if (get_tokens(m, prompt, &tokens, &n, &err) != HL_OK) goto fail;
    if (hl_cache_create(&cache, &err) != HL_OK) goto fail;
    memset(&filter, 0, sizeof filter);
    filter.names = &only_sae;
    filter.n_names = 1;
    if (hl_model_run_with_cache(m, tokens, n, &filter, cache, NULL, &err) != HL_OK) goto fail;

    printf("\n%-50s shape\n", "SAE hook");
    for (i = 0; i < hl_cache_count(cache); i++) {
        const hl_tensor *t = hl_cache_tensor(cache, i);
        int d;
        printf("%-50s [", hl_cache_name(cache, i));
        for (d = 0; d < t->ndim; d++) printf(d ? ", %lld" : "%lld", (long long)t->shape[d]);
        printf("]\n");
    }

    /* top 5 features of every token: acts_post is [1, pos, d_sae] */
    snprintf(acts_name, sizeof acts_name, "%s.hook_sae_acts_post", hl_sae_attached_hook(sae));
    acts = hl_cache_get(cache, acts_name);
    if (!acts) goto fail;
    printf("\n%4s  %-14s top features (index: activation)\n", "pos", "token");
    for (p = 0; p < n; p++) {
        int64_t idx[5], k, found;
        float val[5];
        char *piece = NULL;
        if (hl_model_tokenizer(m)) hl_tokenizer_decode(hl_model_tokenizer(m), &tokens[p], 1, 0, &piece, NULL, &err);
        found = hl_sae_top_features((const float *)acts->data + p * d_sae, d_sae, 5, idx, val);
        if (piece) printf("%4lld  %-14s", (long long)p, piece);
        else printf("%4lld  [%-12d]", (long long)p, tokens[p]);
        for (k = 0; k < found; k++) printf("  %lld: %.3f", (long long)idx[k], (double)val[k]);
        printf("\n");
        hl_free(piece);
    }
    rc = 0;
fail:
    if (rc) fprintf(stderr, "06_sae_features: %s\n", err.msg);
    hl_cache_free(cache);
    free(tokens);
    hl_sae_free(sae); /* detaches itself; must go before the model */
    hl_model_free(m);
    return rc;
}
