/* 05_hooks.c - edit activations with hooks: zero-ablate attention heads, then activation
   patching from a clean run into a corrupted run.

   The notebook does (TransformerLens):
       def zero_head(z, hook): z[:, :, head, :] = 0            # hook on blocks.L.attn.hook_z
       model.run_with_hooks(clean, fwd_hooks=[(name, zero_head)])
       _, clean_cache = model.run_with_cache(clean)
       def patch(resid, hook): resid[:, pos] = clean_cache[hook.name][:, pos]
       model.run_with_hooks(corrupt, fwd_hooks=[(f"blocks.{L}.hook_resid_pre", patch)])
   The metric is the logit difference logit(correct) - logit(wrong) at the last position.
   Patching is shown normalised: 0 = as corrupted, 1 = as clean.

   Usage: 05_hooks [MODEL_DIR] [CLEAN CORRUPT CORRECT WRONG]  (prompts of equal token length) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/05_hooks.c -lm -pthread */
#include "hooklens.h"

/* hook_z: [1, pos, n_heads, d_head]; zero one head at every position */
typedef struct { int64_t head; } head_ctx;
static hl_status zero_head(const hl_hook_info *info, hl_tensor *z, void *user) {
    const head_ctx *c = (const head_ctx *)user;
    int64_t p, H = z->shape[2], dh = z->shape[3];
    (void)info;
    for (p = 0; p < z->shape[1]; p++) memset((float *)z->data + (p * H + c->head) * dh, 0, (size_t)dh * sizeof(float));
    return HL_OK;
}

/* hook_resid_pre: [1, pos, d_model]; overwrite one position with the clean run's value */
typedef struct { const hl_tensor *clean; int64_t pos; } patch_ctx;
static hl_status patch_pos(const hl_hook_info *info, hl_tensor *resid, void *user) {
    const patch_ctx *c = (const patch_ctx *)user;
    int64_t d = resid->shape[2];
    (void)info;
    memcpy((float *)resid->data + c->pos * d, (const float *)c->clean->data + c->pos * d, (size_t)d * sizeof(float));
    return HL_OK;
}

/* The id of the first token of `answer` as it is tokenized right after `prompt` (n_prompt tokens).
   Tokenizing the joined text handles every tokenizer family: Gemma's " Tim" is one piece, while a
   SentencePiece/Llama tokenizer would add an extra "\u2581" if the answer were tokenized alone. */
static hl_status answer_id(hl_model *m, const char *prompt, const char *answer, int64_t n_prompt,
                           int32_t *id, hl_error *err) {
    size_t a = strlen(prompt), b = strlen(answer);
    char *joined = (char *)malloc(a + b + 1);
    int32_t *t = NULL;
    int64_t n = 0;
    hl_status st;
    if (!joined) return HL_ERR_OOM;
    memcpy(joined, prompt, a);
    memcpy(joined + a, answer, b + 1);
    st = hl_model_to_tokens(m, joined, -1, &t, &n, err);
    free(joined);
    if (st != HL_OK) return st;
    if (n <= n_prompt) {
        hl_free(t);
        return HL_ERR_ARG;
    }
    *id = t[n_prompt];
    hl_free(t);
    return HL_OK;
}

/* Runs tokens and returns logit(correct) - logit(wrong) at the last position. */
static hl_status logit_diff(hl_model *m, const int32_t *t, int64_t n, int32_t correct, int32_t wrong,
                            float *logits, double *out, hl_error *err) {
    int64_t V = hl_model_config(m)->d_vocab;
    hl_status st = hl_model_run(m, t, n, logits, err);
    if (st == HL_OK) *out = (double)logits[(n - 1) * V + correct] - (double)logits[(n - 1) * V + wrong];
    return st;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "examples/stories260K";
    int custom = argc > 5;
    const char *clean_text = custom ? argv[2] : "Lily and Tim went to the park. Lily gave the ball to";
    const char *corrupt_text = custom ? argv[3] : "Lily and Tim went to the park. Tim gave the ball to";
    const char *correct_text = custom ? argv[4] : " Tim", *wrong_text = custom ? argv[5] : " Lily";
    hl_model_desc desc;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    hl_error err;
    int32_t *clean = NULL, *corrupt = NULL, correct = 0, wrong = 0;
    int64_t n = 0, n2 = 0, L, H, l, h, p;
    float *logits = NULL;
    double ld_clean, ld_corrupt, ld;
    int handle, rc = 1;

    memset(&desc, 0, sizeof desc);
    desc.path = dir;
    if (hl_model_load(&desc, &m, &err) != HL_OK) goto fail;
    L = hl_model_config(m)->n_layers;
    H = hl_model_config(m)->n_heads;
    if (hl_model_to_tokens(m, clean_text, -1, &clean, &n, &err) != HL_OK ||
        hl_model_to_tokens(m, corrupt_text, -1, &corrupt, &n2, &err) != HL_OK ||
        answer_id(m, clean_text, correct_text, n, &correct, &err) != HL_OK ||
        answer_id(m, corrupt_text, wrong_text, n2, &wrong, &err) != HL_OK)
        goto fail;
    if (n != n2) {
        snprintf(err.msg, sizeof err.msg, "the prompts must have the same number of tokens (%lld vs %lld)", (long long)n,
                 (long long)n2);
        goto fail;
    }
    logits = (float *)malloc((size_t)(n * hl_model_config(m)->d_vocab) * sizeof(float));
    if (!logits || hl_cache_create(&cache, &err) != HL_OK) goto fail;

    /* clean run with a cache of the residual stream, then the corrupted baseline */
    {
        const char *pattern = "blocks.*.hook_resid_pre";
        hl_names_filter f;
        memset(&f, 0, sizeof f);
        f.names = &pattern;
        f.n_names = 1;
        if (hl_model_run_with_cache(m, clean, n, &f, cache, NULL, &err) != HL_OK) goto fail;
    }
    if (logit_diff(m, clean, n, correct, wrong, logits, &ld_clean, &err) != HL_OK) goto fail;
    if (logit_diff(m, corrupt, n, correct, wrong, logits, &ld_corrupt, &err) != HL_OK) goto fail;
    printf("logit diff (correct - wrong): clean %.4f, corrupted %.4f\n\n", ld_clean, ld_corrupt);

    /* 1. zero-ablation: each head of each layer, on the clean prompt */
    printf("zero-ablating one head (clean prompt): change in logit diff\nlayer");
    for (h = 0; h < H; h++) printf("  head%-3lld", (long long)h);
    printf("\n");
    for (l = 0; l < L; l++) {
        char name[64];
        snprintf(name, sizeof name, "blocks.%lld.attn.hook_z", (long long)l);
        printf("%5lld", (long long)l);
        for (h = 0; h < H; h++) {
            head_ctx c;
            c.head = h;
            if (hl_model_add_hook(m, name, zero_head, &c, &handle, &err) != HL_OK) goto fail;
            if (logit_diff(m, clean, n, correct, wrong, logits, &ld, &err) != HL_OK) goto fail;
            hl_model_remove_hook(m, handle, &err);
            printf(" %+8.4f", ld - ld_clean);
        }
        printf("\n");
    }

    /* 2. activation patching: clean resid_pre at (layer, position) into the corrupted run */
    printf("\nactivation patching of hook_resid_pre, (patched - corrupted) / (clean - corrupted)\nlayer");
    for (p = 0; p < n; p++) printf(" %5lld", (long long)p);
    printf("\n");
    for (l = 0; l < L; l++) {
        char name[64];
        patch_ctx c;
        snprintf(name, sizeof name, "blocks.%lld.hook_resid_pre", (long long)l);
        c.clean = hl_cache_get(cache, name);
        printf("%5lld", (long long)l);
        for (p = 0; p < n; p++) {
            c.pos = p;
            if (hl_model_add_hook(m, name, patch_pos, &c, &handle, &err) != HL_OK) goto fail;
            if (logit_diff(m, corrupt, n, correct, wrong, logits, &ld, &err) != HL_OK) goto fail;
            hl_model_remove_hook(m, handle, &err);
            printf(" %5.2f", (ld - ld_corrupt) / (ld_clean - ld_corrupt));
        }
        printf("\n");
    }
    rc = 0;
fail:
    if (rc) fprintf(stderr, "05_hooks: %s\n", logits || !cache ? err.msg : "out of memory");
    free(logits);
    hl_free(clean);
    hl_free(corrupt);
    hl_cache_free(cache);
    hl_model_free(m);
    return rc;
}
