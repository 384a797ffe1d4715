/* 04_token_log_probs.c - how confident is the model in each next token of a text?

   The notebook does:
       logits = model(tokens); log_probs = logits.log_softmax(dim=-1)
       cv.logits.token_log_probs(tokens, log_probs, model.to_string)
   For every position i >= 1 this prints the token, log p(token_i | tokens_<i) read from the
   distribution at position i-1, its rank (0 = the model's top choice) and the top alternative.
   `hooklens logprobs MODEL --prompt P --html OUT` renders the same data as circuitsvis does.

   Usage: 04_token_log_probs [MODEL_DIR] [PROMPT] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/04_token_log_probs.c -lm -pthread */
#include "hooklens.h"

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "examples/stories260K";
    const char *prompt = argc > 2 ? argv[2]
                                  : "Once upon a time, there was a little girl named Lily. She "
                                    "loved to play outside in the park.";
    hl_model_desc desc;
    hl_model *model = NULL;
    hl_error err;
    int32_t *tokens = NULL;
    char **strs = NULL;
    float *logits = NULL;
    int64_t n = 0, V, i, j;
    double sum = 0.0;
    int rc = 1;

    memset(&desc, 0, sizeof desc);
    desc.path = dir;
    if (hl_model_load(&desc, &model, &err) != HL_OK) goto fail;
    V = hl_model_config(model)->d_vocab;
    if (hl_model_to_tokens(model, prompt, -1, &tokens, &n, &err) != HL_OK) goto fail;
    if (hl_model_to_str_tokens(model, tokens, n, &strs, &err) != HL_OK) goto fail;

    /* one forward pass: logits [n, d_vocab] */
    logits = (float *)malloc((size_t)(n * V) * sizeof(float));
    if (!logits) goto fail;
    if (hl_model_run(model, tokens, n, logits, &err) != HL_OK) goto fail;

    printf("%4s  %-16s %9s %6s   %s\n", "pos", "token", "log prob", "rank", "top prediction");
    for (i = 1; i < n; i++) {
        float *lp = logits + (i - 1) * V; /* the distribution that predicts token i */
        int32_t top;
        float top_lp;
        int64_t rank = 0;
        char *top_str = NULL;
        hl_log_softmax(lp, V, lp);   /* log p = x - log(sum exp x), in place */
        hl_top_k(lp, V, 1, &top, &top_lp);
        for (j = 0; j < V; j++)      /* rank = how many tokens the model preferred */
            if (lp[j] > lp[tokens[i]]) rank++;
        hl_tokenizer_decode(hl_model_tokenizer(model), &top, 1, 0, &top_str, NULL, &err);
        printf("%4lld  %-16s %9.3f %6lld   '%s' (%.3f)\n", (long long)i, strs[i],
               (double)lp[tokens[i]], (long long)rank, top_str ? top_str : "?", (double)top_lp);
        hl_free(top_str);
        sum += (double)lp[tokens[i]];
    }
    printf("mean log prob %.4f over %lld predicted tokens\n", sum / (double)(n - 1),
           (long long)(n - 1));
    rc = 0;
fail:
    if (rc) fprintf(stderr, "04_token_log_probs: %s\n", logits || !tokens ? err.msg : "out of memory");
    free(logits);
    hl_free(strs);
    hl_free(tokens);
    hl_model_free(model);
    return rc;
}
