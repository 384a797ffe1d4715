/* 06_sae_features.c - which SAE features fire on each token (SAELens run_with_cache_with_saes).

   The notebook does:
       sae = SAE.from_pretrained("gemma-scope-2b-pt-res-canonical", "layer_25/width_65k/canonical")
       _, cache = model.run_with_cache_with_saes(prompt, saes=[sae])
       for name, act in cache.items(): if "hook_sae" in name: print(name, act.shape)
       acts = cache[f"{sae.cfg.metadata.hook_name}.hook_sae_acts_post"][0]  # [pos, d_sae]
       for each token: acts[pos].topk(5)
   hooklens splices the SAE into the forward pass the same way: while attached, the activation at
   its hook point is replaced by the reconstruction, and the hook_sae_* points can be cached.

   Usage: 06_sae_features MODEL SAE [PROMPT [HOOK]]
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
    if (hl_model_tokenizer(m)) return hl_model_to_tokens(m, prompt, -1, ids, n, err);
    *ids = (int32_t *)malloc((strlen(prompt) / 2 + 1) * sizeof(int32_t)); /* hl_free == free here */
    for (*n = 0; *ids && *prompt;) {
        char *end;
        long v = strtol(prompt, &end, 10);
        if (end == prompt) break;
        (*ids)[(*n)++] = (int32_t)v;
        prompt = end;
    }
    return *ids ? HL_OK : HL_ERR_OOM;
}

int main(int argc, char **argv) {
    const char *model_dir = argc > 2 ? argv[1] : NULL, *sae_path = argc > 2 ? argv[2] : NULL;
    const char *prompt = argc > 3 ? argv[3] : "Once upon a time, there was a little girl named Lily.";
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

    if (!model_dir) {
        fprintf(stderr, "usage: 06_sae_features MODEL SAE [PROMPT [HOOK]]\n");
        return 2;
    }
    memset(&md, 0, sizeof md);
    md.path = model_dir;
    memset(&sd, 0, sizeof sd);
    sd.path = sae_path; /* the hook point comes from cfg.json or from the GemmaScope path ... */
    sd.hook_name = argc > 4 ? argv[4] : NULL; /* ... unless given here */
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
    hl_free(tokens);
    hl_sae_free(sae); /* detaches itself; must go before the model */
    hl_model_free(m);
    return rc;
}
