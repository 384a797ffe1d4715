/* 05_hooks.c - edit activations with hooks: zero-ablate attention heads, then activation
   patching from a clean run into a corrupted run.

   The notebook does (TransformerLens):
       def zero_head(z, hook): z[:, :, head, :] = 0            # hook on blocks.L.attn.hook_z
       model.run_with_hooks(clean, fwd_hooks=[(name, zero_head)])
       _, clean_cache = model.run_with_cache(clean)
       patching.get_act_patch_resid_pre(model, corrupt, clean_cache, logit_diff)      # [layer, pos]
       patching.get_act_patch_attn_head_out_all_pos(model, corrupt, clean_cache, logit_diff)  # [layer, head]
   hooklens: hl_model_add_ablation (the hook, ready-made) and hl_act_patch with the built-in
   metric hl_metric_logit_diff, logit(correct) - logit(wrong) at the last position. Patching is
   shown normalised: 0 = as corrupted, 1 = as clean.

   Usage: 05_hooks [MODEL_DIR] [CLEAN CORRUPT CORRECT WRONG]  (prompts of equal token length) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/05_hooks.c -lm -pthread */
#include "hooklens.h"

/* The id of the first token of `answer` as it is tokenized right after `prompt` (n_prompt tokens).
   Tokenizing the joined text handles every tokenizer family: Gemma's " Tim" is one piece, while a
   SentencePiece/Llama tokenizer would add an extra "\u2581" if the answer were tokenized alone. */
static hl_status answer_id(hl_model *m, const char *prompt, const char *answer, int64_t n_prompt,
                           int32_t *id, hl_error *err) {
    char joined[1024];
    int32_t *t = NULL;
    int64_t n = 0;
    hl_status st;
    if ((size_t)snprintf(joined, sizeof joined, "%s%s", prompt, answer) >= sizeof joined) {
        snprintf(err->msg, sizeof err->msg, "the prompt and answer are longer than %d bytes", (int)sizeof joined - 1);
        return HL_ERR_ARG;
    }
    if ((st = hl_model_to_tokens(m, joined, -1, &t, &n, err)) != HL_OK) return st;
    if (n > n_prompt) *id = t[n_prompt];
    else snprintf(err->msg, sizeof err->msg, "the answer '%s' adds no token to the prompt", answer);
    hl_free(t);
    return n > n_prompt ? HL_OK : HL_ERR_ARG;
}

int main(int argc, char **argv) {
    int custom = argc > 5;
    const char *clean_text = custom ? argv[2] : "Lily and Tim went to the park. Lily gave the ball to";
    const char *corrupt_text = custom ? argv[3] : "Lily and Tim went to the park. Tim gave the ball to";
    hl_model_desc desc;
    hl_model *m = NULL;
    hl_error err;
    int32_t *clean = NULL, *corrupt = NULL, ids[2]; /* correct, wrong */
    int64_t n = 0, n2 = 0, L, H, V, l, h, p;
    float *logits = NULL, *grid = NULL, ld_clean, ld_corrupt, ld;
    int handle, rc = 1;

    memset(&desc, 0, sizeof desc);
    memset(&err, 0, sizeof err);
    desc.path = argc > 1 ? argv[1] : "examples/stories260K";
    if (hl_model_load(&desc, &m, &err) != HL_OK) goto fail;
    L = hl_model_config(m)->n_layers, H = hl_model_config(m)->n_heads, V = hl_model_config(m)->d_vocab;
    if (hl_model_to_tokens(m, clean_text, -1, &clean, &n, &err) != HL_OK ||
        hl_model_to_tokens(m, corrupt_text, -1, &corrupt, &n2, &err) != HL_OK ||
        answer_id(m, clean_text, custom ? argv[4] : " Tim", n, &ids[0], &err) != HL_OK ||
        answer_id(m, corrupt_text, custom ? argv[5] : " Lily", n2, &ids[1], &err) != HL_OK)
        goto fail;
    if (n != n2) {
        snprintf(err.msg, sizeof err.msg, "the prompts must have the same number of tokens (%lld vs %lld)", (long long)n,
                 (long long)n2);
        goto fail;
    }
    logits = (float *)malloc((size_t)(n * V) * sizeof(float));
    grid = (float *)malloc((size_t)(L * (n + H)) * sizeof(float));
    snprintf(err.msg, sizeof err.msg, "out of memory");
    if (!logits || !grid) goto fail;
    if (hl_model_run(m, clean, n, logits, &err) != HL_OK) goto fail;
    ld_clean = hl_metric_logit_diff(logits, n, V, ids);
    if (hl_model_run(m, corrupt, n, logits, &err) != HL_OK) goto fail;
    ld_corrupt = hl_metric_logit_diff(logits, n, V, ids);
    printf("logit diff (correct - wrong): clean %.4f, corrupted %.4f\n\n", (double)ld_clean, (double)ld_corrupt);

    /* 1. zero-ablation: each head of each layer, on the clean prompt */
    printf("zero-ablating one head (clean prompt): change in logit diff\nlayer");
    for (h = 0; h < H; h++) printf("  head%-3lld", (long long)h);
    for (l = 0; l < L; l++) {
        char name[64];
        snprintf(name, sizeof name, "blocks.%lld.attn.hook_z", (long long)l);
        printf("\n%5lld", (long long)l);
        for (h = 0; h < H; h++) {
            hl_ablation a = {HL_ABLATE_ZERO, name, h, -1, NULL, 0}; /* z[:, :, h, :] = 0 */
            if (hl_model_add_ablation(m, &a, &handle, &err) != HL_OK || hl_model_run(m, clean, n, logits, &err) != HL_OK)
                goto fail;
            hl_model_remove_hook(m, handle, NULL);
            ld = hl_metric_logit_diff(logits, n, V, ids);
            printf(" %+8.4f", (double)ld - (double)ld_clean);
        }
    }

    /* 2. activation patching, clean into corrupted: resid_pre at (layer, position), then each
       head's output (hook_z) at every position */
    if (hl_act_patch(m, clean, corrupt, n, HL_PATCH_RESID_PRE, hl_metric_logit_diff, ids, grid, &err) != HL_OK ||
        hl_act_patch(m, clean, corrupt, n, HL_PATCH_HEAD_OUT_ALL_POS, hl_metric_logit_diff, ids, grid + L * n, &err) != HL_OK)
        goto fail;
    printf("\n\nactivation patching of hook_resid_pre, (patched - corrupted) / (clean - corrupted)\nlayer");
    for (p = 0; p < n; p++) printf(" %5lld", (long long)p);
    for (l = 0; l < L; l++) {
        printf("\n%5lld", (long long)l);
        for (p = 0; p < n; p++) printf(" %5.2f", ((double)grid[l * n + p] - ld_corrupt) / ((double)ld_clean - ld_corrupt));
    }
    printf("\n\nactivation patching of each head's output (hook_z, every position), normalised\nlayer");
    for (h = 0; h < H; h++) printf(" head%-2lld", (long long)h);
    for (l = 0; l < L; l++) {
        printf("\n%5lld", (long long)l);
        for (h = 0; h < H; h++) printf(" %6.2f", ((double)grid[L * n + l * H + h] - ld_corrupt) / ((double)ld_clean - ld_corrupt));
    }
    printf("\n");
    rc = 0;
fail:
    if (rc) fprintf(stderr, "05_hooks: %s\n", err.msg);
    free(logits), free(grid);
    hl_free(clean), hl_free(corrupt);
    hl_model_free(m);
    return rc;
}
