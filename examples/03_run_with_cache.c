/* 03_run_with_cache.c - cache every activation of one forward pass and list it.

   The notebook does:
       logits, cache = model.run_with_cache(prompt)
       for name, act in cache.items(): print(name, act.shape)
   hooklens' cache holds the same names (TransformerLens hook names) and the same shapes (with the
   leading batch dim of 1), in execution order. It can also be saved for Python users:
       safetensors.numpy.load_file("cache.safetensors")["blocks.0.hook_resid_pre"]

   Usage: 03_run_with_cache [MODEL_DIR] [PROMPT] [OUT.safetensors] */
#include <stdio.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/03_run_with_cache.c -lm -pthread */
#include "hooklens.h"

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "examples/stories260K";
    const char *prompt = argc > 2 ? argv[2] : "Once upon a time, there was a little girl named Lily.";
    const char *out_path = argc > 3 ? argv[3] : NULL;
    hl_model_desc desc;
    hl_model *model = NULL;
    hl_cache *cache = NULL;
    hl_error err;
    int32_t *tokens = NULL;
    int64_t n = 0;
    size_t i, total = 0;
    int rc = 1;

    memset(&desc, 0, sizeof desc);
    desc.path = dir;
    if (hl_model_load(&desc, &model, &err) != HL_OK) goto fail;
    if (hl_model_to_tokens(model, prompt, -1, &tokens, &n, &err) != HL_OK) goto fail;
    if (hl_cache_create(&cache, &err) != HL_OK) goto fail;

    /* names_filter = NULL: cache every hook point that fires (a glob list or a predicate can
       narrow it, e.g. "blocks.*.hook_resid_post"). Logits are not needed here: NULL. */
    if (hl_model_run_with_cache(model, tokens, n, NULL, cache, NULL, &err) != HL_OK) goto fail;

    printf("%lld tokens, %zu cached activations\n", (long long)n, hl_cache_count(cache));
    for (i = 0; i < hl_cache_count(cache); i++) {
        const hl_tensor *t = hl_cache_tensor(cache, i);
        int d;
        printf("%-40s [", hl_cache_name(cache, i));
        for (d = 0; d < t->ndim; d++) printf(d ? ", %lld" : "%lld", (long long)t->shape[d]);
        printf("]\n");
        total += hl_tensor_nbytes(t);
    }
    printf("total %.1f KB\n", (double)total / 1024.0);
    if (out_path) {
        if (hl_cache_save(cache, out_path, &err) != HL_OK) goto fail;
        printf("saved to %s\n", out_path);
    }
    rc = 0;
fail:
    if (rc) fprintf(stderr, "03_run_with_cache: %s\n", err.msg);
    hl_free(tokens);
    hl_cache_free(cache);
    hl_model_free(model);
    return rc;
}
