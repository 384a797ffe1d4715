/* 10_logit_lens.c - the logit lens: what the residual stream would predict after each layer.

   The notebook does (TransformerLens):
       logits, cache = model.run_with_cache(prompt)
       resid, labels = cache.accumulated_resid(incl_mid=False, apply_ln=True, return_labels=True)
       lens = resid @ model.W_U                                   # [layers + 1, batch, pos, d_vocab]
       for each layer: lens[layer, 0, -1].topk(1), and the rank of the final prediction
   hooklens: hl_resid_stack(HL_STACK_ACCUMULATED_NO_MID, apply_ln = 1) and hl_logit_lens.

   Usage: 10_logit_lens [MODEL_DIR [PROMPT]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/10_logit_lens.c -lm -pthread */
#include "hooklens.h"

int main(int argc, char **argv) {
    hl_model_desc d;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    hl_stack *s = NULL;
    hl_error err;
    int32_t *ids = NULL, target;
    int64_t n = 0, V, c, v;
    float *logits = NULL, *lens = NULL;
    int rc = 1;
    memset(&d, 0, sizeof d);
    memset(&err, 0, sizeof err);
    snprintf(err.msg, sizeof err.msg, "out of memory");
    d.path = argc > 1 ? argv[1] : "examples/stories260K";
    if (hl_model_load(&d, &m, &err) != HL_OK) goto fail;
    if (hl_model_to_tokens(m, argc > 2 ? argv[2] : "Once upon a time, there was a little girl named Lily. She loved to play",
                           -1, &ids, &n, &err) != HL_OK)
        goto fail;
    V = hl_model_config(m)->d_vocab;
    logits = (float *)malloc((size_t)(n * V) * sizeof(float));
    if (!logits || hl_cache_create(&cache, &err) != HL_OK) goto fail;
    if (hl_model_run_with_cache(m, ids, n, NULL, cache, logits, &err) != HL_OK) goto fail;
    if (hl_resid_stack(m, cache, HL_STACK_ACCUMULATED_NO_MID, 1, &s, &err) != HL_OK) goto fail;
    lens = (float *)malloc((size_t)(s->n * s->pos * V) * sizeof(float));
    if (!lens || hl_logit_lens(m, s, lens, &err) != HL_OK) goto fail;
    /* the model's own next token after the prompt, and where each layer ranks it */
    target = 0;
    for (v = 1; v < V; v++)
        if (logits[(n - 1) * V + v] > logits[(n - 1) * V + target]) target = (int32_t)v;
    printf("logit lens at the last position; the model predicts %d '%s'\n", target, hl_tokenizer_piece(hl_model_tokenizer(m), target));
    printf("%-12s %-16s %s\n", "component", "top token", "rank of the prediction");
    for (c = 0; c < s->n; c++) {
        const float *row = lens + (c * s->pos + n - 1) * V;
        int64_t top = 0, rank = 0;
        for (v = 0; v < V; v++) {
            if (row[v] > row[top]) top = v;
            rank += row[v] > row[target];
        }
        printf("%-12s %5lld %-10s %lld\n", s->labels[c], (long long)top, hl_tokenizer_piece(hl_model_tokenizer(m), (int32_t)top),
               (long long)rank);
    }
    rc = 0;
fail:
    if (rc) fprintf(stderr, "10_logit_lens: %s\n", err.msg);
    free(lens);
    free(logits);
    hl_stack_free(s);
    hl_cache_free(cache);
    hl_free(ids);
    hl_model_free(m);
    return rc;
}
