/* 12_induction_heads.c - find induction heads on a repeated random sequence, as in TransformerLens's
   induction demos: BOS + h + h for random tokens h. An induction head attends from the second copy
   of a token to the token after its first copy; the model's loss falls on the second half.

   The notebook does (TransformerLens):
       seq = torch.cat([bos, h, h], dim=-1)
       detect_head(model, seq, "induction_head"), detect_head(model, seq, "previous_token_head")
       model(seq, return_type="loss", loss_per_token=True)  # first half vs second half
   hooklens: hl_head_scores and hl_loss.

   Usage: 12_induction_heads [MODEL_DIR [HALF_LENGTH]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/12_induction_heads.c -lm -pthread */
#include "hooklens.h"

int main(int argc, char **argv) {
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error err;
    int64_t half = argc > 2 ? atoll(argv[2]) : 50, n, L, H, l, h, i, V;
    int32_t *seq = NULL;
    float *ind = NULL, *prev = NULL, *logits = NULL, *loss = NULL;
    double mean, first = 0, second = 0;
    uint32_t rng = 12345;
    int rc = 1;
    memset(&d, 0, sizeof d);
    memset(&err, 0, sizeof err);
    snprintf(err.msg, sizeof err.msg, "out of memory");
    d.path = argc > 1 ? argv[1] : "examples/stories260K";
    if (half < 2) half = 2;
    if (hl_model_load(&d, &m, &err) != HL_OK) goto fail;
    L = hl_model_config(m)->n_layers, H = hl_model_config(m)->n_heads, V = hl_model_config(m)->d_vocab;
    n = 1 + 2 * half;
    seq = (int32_t *)malloc((size_t)n * sizeof(int32_t));
    ind = (float *)malloc((size_t)(L * H) * sizeof(float));
    prev = (float *)malloc((size_t)(L * H) * sizeof(float));
    logits = (float *)malloc((size_t)(n * V) * sizeof(float));
    loss = (float *)malloc((size_t)n * sizeof(float));
    if (!seq || !ind || !prev || !logits || !loss) goto fail;
    seq[0] = hl_model_config(m)->bos_id;
    for (i = 0; i < half; i++) { /* random tokens above the special ones (an LCG: the same run every time) */
        rng = rng * 1664525u + 1013904223u;
        seq[1 + i] = seq[1 + half + i] = (int32_t)(3 + (rng >> 8) % (uint32_t)(V - 3));
    }
    if (hl_head_scores(m, seq, n, HL_HEAD_INDUCTION, ind, &err) != HL_OK) goto fail;
    if (hl_head_scores(m, seq, n, HL_HEAD_PREVIOUS_TOKEN, prev, &err) != HL_OK) goto fail;
    printf("BOS + %lld random tokens, twice: induction score (previous-token score) per head\n", (long long)half);
    for (l = 0; l < L; l++) {
        printf("layer %lld:", (long long)l);
        for (h = 0; h < H; h++) printf("  %.2f (%.2f)", (double)ind[l * H + h], (double)prev[l * H + h]);
        printf("\n");
    }
    if (hl_model_run(m, seq, n, logits, &err) != HL_OK || hl_loss(m, seq, n, logits, loss, &mean, &err) != HL_OK) goto fail;
    for (i = 0; i < half; i++) first += loss[i] / (double)half; /* predicting tokens 1 .. half */
    for (i = half; i < 2 * half; i++) second += loss[i] / (double)half;
    printf("loss per token: first copy %.3f, second copy %.3f (mean %.3f)\n", first, second, mean);
    rc = 0;
fail:
    if (rc) fprintf(stderr, "12_induction_heads: %s\n", err.msg);
    free(seq), free(ind), free(prev), free(logits), free(loss);
    hl_model_free(m);
    return rc;
}
