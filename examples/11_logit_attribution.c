/* 11_logit_attribution.c - direct logit attribution: which components push the model towards its
   answer rather than the runner-up.

   The notebook does (TransformerLens):
       logits, cache = model.run_with_cache(prompt)
       answer, wrong = logits[0, -1].topk(2).indices
       stack, labels = cache.decompose_resid(apply_ln=False, pos_slice=-1, return_labels=True)
       attrs = cache.logit_attrs(stack, tokens=answer, incorrect_tokens=wrong, pos_slice=-1)
       heads, hlabels = cache.stack_head_results(layer=-1, pos_slice=-1, return_labels=True)
       head_attrs = cache.logit_attrs(heads, tokens=answer, incorrect_tokens=wrong, pos_slice=-1)
   hooklens: hl_resid_stack (apply_ln = 0) and hl_logit_attrs at the last position.

   Usage: 11_logit_attribution [MODEL_DIR [PROMPT]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/11_logit_attribution.c -lm -pthread */
#include "hooklens.h"

/* Prints the stack's attributions, largest magnitude first (at most k). */
static void print_attrs(const hl_stack *s, const float *a, int64_t k) {
    int64_t i, j, *order = (int64_t *)malloc((size_t)s->n * sizeof(int64_t));
    if (!order) return;
    for (i = 0; i < s->n; i++) order[i] = i;
    for (i = 0; i < s->n; i++) /* selection sort by |attribution| (a few dozen components) */
        for (j = i + 1; j < s->n; j++)
            if ((a[order[j]] < 0 ? -a[order[j]] : a[order[j]]) > (a[order[i]] < 0 ? -a[order[i]] : a[order[i]])) {
                int64_t t = order[i];
                order[i] = order[j], order[j] = t;
            }
    for (i = 0; i < s->n && i < k; i++) printf("  %-12s %+8.3f\n", s->labels[order[i]], (double)a[order[i]]);
    free(order);
}

int main(int argc, char **argv) {
    hl_model_desc d;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    hl_stack *dec = NULL, *heads = NULL;
    hl_error err;
    int32_t *ids = NULL, top[2];
    float val[2], *logits = NULL, *attrs = NULL;
    int64_t n = 0, V, i;
    double sum = 0;
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
    hl_top_k(logits + (n - 1) * V, V, 2, top, val);
    printf("answer %d '%s' vs runner-up %d '%s': logit difference %.3f\n", top[0],
           hl_tokenizer_piece(hl_model_tokenizer(m), top[0]), top[1], hl_tokenizer_piece(hl_model_tokenizer(m), top[1]),
           (double)(val[0] - val[1]));
    if (hl_resid_stack(m, cache, HL_STACK_DECOMPOSED, 0, &dec, &err) != HL_OK) goto fail;
    if (hl_resid_stack(m, cache, HL_STACK_HEADS, 0, &heads, &err) != HL_OK) goto fail;
    attrs = (float *)malloc((size_t)(dec->n > heads->n ? dec->n : heads->n) * sizeof(float));
    if (!attrs || hl_logit_attrs(m, cache, dec, n - 1, top[0], top[1], attrs, &err) != HL_OK) goto fail;
    for (i = 0; i < dec->n; i++) sum += attrs[i];
    printf("the components (sum %.3f; the rest of the difference is the unembedding's bias):\n", sum);
    print_attrs(dec, attrs, 6);
    if (hl_logit_attrs(m, cache, heads, n - 1, top[0], top[1], attrs, &err) != HL_OK) goto fail;
    printf("the attention heads:\n");
    print_attrs(heads, attrs, 6);
    rc = 0;
fail:
    if (rc) fprintf(stderr, "11_logit_attribution: %s\n", err.msg);
    free(attrs);
    free(logits);
    hl_stack_free(dec);
    hl_stack_free(heads);
    hl_cache_free(cache);
    hl_free(ids);
    hl_model_free(m);
    return rc;
}
