/* 08_steering.c - steer generation by adding an SAE feature's decoder direction.

   The notebook does:
       steering_vector = sae.W_dec[feature]                       # [d_in]
       def steer(resid, hook): resid += alpha * steering_vector   # at the SAE's hook point
       with model.hooks(fwd_hooks=[(sae.cfg.metadata.hook_name, steer)]):
           model.generate(prompt, max_new_tokens=40, temperature=0)
   Here the SAE is attached with the error term on, so without edits the model is unchanged
   (output = reconstruction + error = the original activation), and hl_sae_steer adds
   alpha * W_dec[feature] to the output at every position, prompt and generated ones alike.

   Usage: 08_steering [MODEL SAE FEATURE ALPHA [PROMPT [HOOK]]]  (none: the gemma2-tiny fixture and its SAE)
     For a model folder without tokenizer.json, PROMPT is a list of token ids ("2 328 298"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/08_steering.c -lm -pthread */
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

/* Greedy generation; prints the continuation as text, or as ids without a tokenizer. */
static hl_status generate(hl_model *m, const char *label, const int32_t *prompt, int64_t n, hl_error *err) {
    hl_generate_opts g;
    int32_t *out = NULL;
    int64_t n_out = 0, i;
    char *text = NULL;
    hl_status st;
    memset(&g, 0, sizeof g);
    g.max_new_tokens = 40;
    g.temperature = 0.0f; /* greedy */
    if ((st = hl_model_generate(m, prompt, n, &g, &out, &n_out, err)) != HL_OK) return st;
    printf("%-10s", label);
    if (hl_model_tokenizer(m) && hl_tokenizer_decode(hl_model_tokenizer(m), out, n_out, 1, &text, NULL, err) == HL_OK)
        printf("%s", text);
    else
        for (i = n; i < n_out; i++) printf(" %d", out[i]);
    printf("\n");
    hl_free(text);
    hl_free(out);
    return HL_OK;
}

int main(int argc, char **argv) {
    hl_model_desc md;
    hl_sae_desc sd;
    hl_model *m = NULL;
    hl_sae *sae = NULL;
    hl_error err;
    int32_t *tokens = NULL;
    int64_t n = 0, feature;
    float alpha;
    int rc = 1;

    if (argc > 1 && argc < 5) {
        static const char *const names[5] = {"", "", "SAE, the second", "FEATURE, the third", "ALPHA, the fourth"};
        fprintf(stderr, "08_steering: missing %s argument\nusage: 08_steering [MODEL SAE FEATURE ALPHA [PROMPT [HOOK]]]\n",
                names[argc]);
        return 2;
    }
    if (argc == 1)
        printf("(no arguments, and the bundled model has no SAE yet: the gemma2-tiny test fixture and its GemmaScope "
               "SAE, feature 7 at alpha 40, on token ids)\n");
    feature = argc > 1 ? strtoll(argv[3], NULL, 10) : 7;
    alpha = argc > 1 ? strtof(argv[4], NULL) : 40.0f;
    memset(&md, 0, sizeof md);
    md.path = argc > 1 ? argv[1] : FIXTURE_MODEL;
    memset(&sd, 0, sizeof sd);
    sd.path = argc > 1 ? argv[2] : FIXTURE_SAE;
    sd.hook_name = argc > 6 ? argv[6] : argc == 1 ? FIXTURE_HOOK : NULL;
    if (hl_model_load(&md, &m, &err) != HL_OK || hl_sae_load(&sd, &sae, &err) != HL_OK) goto fail;
    if (get_tokens(m, argc > 5 ? argv[5] : argc > 1 ? "Once upon a time" : FIXTURE_IDS, &tokens, &n, &err) != HL_OK) goto fail;

    /* 1. the model alone */
    if (generate(m, "plain:", tokens, n, &err) != HL_OK) goto fail;
    /* 2. SAE attached with the error term: same text, since nothing is edited */
    if (hl_sae_attach(sae, m, NULL, 1, &err) != HL_OK) goto fail;
    if (generate(m, "spliced:", tokens, n, &err) != HL_OK) goto fail;
    /* 3. steering: output += alpha * W_dec[feature] at every position (NULL = all) */
    if (hl_sae_steer(sae, feature, alpha, NULL, 0, &err) != HL_OK) goto fail;
    printf("feature %lld, alpha %g at %s\n", (long long)feature, (double)alpha, hl_sae_attached_hook(sae));
    if (generate(m, "steered:", tokens, n, &err) != HL_OK) goto fail;
    rc = 0;
fail:
    if (rc) fprintf(stderr, "08_steering: %s\n", err.msg);
    free(tokens);
    hl_sae_free(sae);
    hl_model_free(m);
    return rc;
}
