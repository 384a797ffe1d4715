/* 09_tiny_stories.c - the first cells of the interpretability notebook, on GPT-Neo.

   The notebook does (TransformerLens):
       model = HookedTransformer.from_pretrained("tiny-stories-1M")      # GPT-Neo, TL's weight processing
       model.generate(prompt, max_new_tokens=12, temperature=0)         # greedy
       utils.test_prompt(prompt, answer, model)
       logits, cache = model.run_with_cache(prompt)
       cache["blocks.1.attn.hook_pattern"]                                # layer 1 is local (a window)
       def ablate(z, hook): z[:, :, 0, :] = 0                              # head 0 of layer 1
       model.run_with_hooks(prompt, fwd_hooks=[("blocks.1.attn.hook_z", ablate)])

   Usage: 09_tiny_stories [MODEL_DIR]
   MODEL_DIR is a downloaded roneneldan/TinyStories-1M folder (config.json, model.safetensors,
   tokenizer.json): then the prompt is text. Without one it runs the gptneo-tiny test fixture
   (the same architecture with random weights and no tokenizer), on token ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/09_tiny_stories.c -lm -pthread */
#include "hooklens.h"
#include "hooklens_tools.h"

#define FIXTURE "../shared/fixtures/models/gptneo-tiny"
static const char *const PROMPT = "Once upon a time, there was a little girl named Lily. She";
static const int32_t FIXTURE_IDS[] = {999, 967, 274, 7, 911, 111, 596, 249, 557, 435, 852, 166, 219, 895};

static int fail(const hl_error *e) {
    fprintf(stderr, "09_tiny_stories: %s\n", e->msg);
    return 1;
}

/* Prints ids as TL's to_str_tokens would (with a tokenizer), or as numbers. */
static void print_tokens(const hl_model *m, const int32_t *ids, int64_t n) {
    char **s = NULL;
    hl_error e;
    int64_t i;
    if (hl_model_tokenizer(m) && hl_model_to_str_tokens(m, ids, n, &s, &e) == HL_OK) {
        for (i = 0; i < n; i++) printf("%s'%s'", i ? ", " : "[", s[i]);
        printf("]\n");
        hl_free(s);
        return;
    }
    for (i = 0; i < n; i++) printf("%s%d", i ? ", " : "[", ids[i]);
    printf("]\n");
}

/* hook_z: [1, pos, n_heads, d_head]; zero head 0 at every position */
static hl_status ablate_head0(const hl_hook_info *info, hl_tensor *z, void *user) {
    int64_t p, H = z->shape[2], dh = z->shape[3];
    (void)info, (void)user;
    for (p = 0; p < z->shape[1]; p++) memset((float *)z->data + p * H * dh, 0, (size_t)dh * sizeof(float));
    return HL_OK;
}

int main(int argc, char **argv) {
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error e;
    hl_cache *cache = NULL;
    const hl_model_cfg *c;
    int32_t *text_ids = NULL, *out = NULL; /* from the library: free with hl_free */
    const int32_t *ids = FIXTURE_IDS;
    int64_t n = 0, n_out = 0, V, l, i, next;
    float *logits = NULL, *ablated = NULL;
    hl_generate_opts g;
    int rc = 1, handle = 0;

    /* model = HookedTransformer.from_pretrained("tiny-stories-1M"): TL's weight processing is the default */
    memset(&d, 0, sizeof d);
    d.path = argc > 1 ? argv[1] : FIXTURE;
    if (hl_model_load(&d, &m, &e) != HL_OK) return fail(&e);
    c = hl_model_config(m);
    V = c->d_vocab;
    printf("%s: %s, %lld layers, d_model %lld, %lld heads of %lld, window %lld on layers", d.path, c->architecture,
           (long long)c->n_layers, (long long)c->d_model, (long long)c->n_heads, (long long)c->d_head, (long long)c->window);
    for (l = 0; l < c->n_layers; l++)
        if (hl_model_layer_is_local(m, l)) printf(" %lld", (long long)l);
    printf("\nweight processing: fold_ln %d, center_writing_weights %d, center_unembed %d, fold_value_biases %d\n",
           (c->processing & HL_PROC_FOLD_LN) != 0, (c->processing & HL_PROC_CENTER_WRITING_WEIGHTS) != 0,
           (c->processing & HL_PROC_CENTER_UNEMBED) != 0, (c->processing & HL_PROC_FOLD_VALUE_BIASES) != 0);

    /* the prompt: text (with <|endoftext|> prepended, as TL does) or the fixture's ids */
    if (hl_model_tokenizer(m)) {
        if (hl_model_to_tokens(m, PROMPT, -1, &text_ids, &n, &e) != HL_OK) goto done_err;
        ids = text_ids;
    } else {
        n = (int64_t)(sizeof FIXTURE_IDS / sizeof FIXTURE_IDS[0]);
        printf("(no tokenizer.json: the prompt is token ids)\n");
    }
    printf("prompt: ");
    print_tokens(m, ids, n);

    /* model.generate(prompt, max_new_tokens=12, temperature=0) */
    memset(&g, 0, sizeof g);
    g.max_new_tokens = 12;
    g.no_stop_at_eos = 1;
    if (hl_model_generate(m, ids, n, &g, &out, &n_out, &e) != HL_OK) goto done_err;
    printf("\ngenerate (greedy, 12 tokens): ");
    print_tokens(m, out + n, n_out - n);
    next = out[n];

    logits = (float *)malloc((size_t)(n * V) * sizeof(float));
    ablated = (float *)malloc((size_t)(n * V) * sizeof(float));
    if (!logits || !ablated) goto done;

    /* utils.test_prompt(prompt, answer, model): TL's report (hooklens_tools.h) with a tokenizer;
       on ids, its two tables for the answer token (the greedy next one) by hand: the answer's rank,
       logit and probability, then the top 5 (TL's logits are centred over the vocabulary by
       center_unembed; the probabilities are not changed by it) */
    if (hl_model_tokenizer(m)) {
        char *report = NULL;
        if (hl_model_test_prompt(m, PROMPT, " was", 5, 0, &report, &e) != HL_OK) goto done_err;
        printf("\ntest_prompt(prompt, ' was'):\n%s", report);
        hl_free(report);
    } else {
        int32_t top[5];
        float val[5], *lp = ablated; /* scratch row */
        int64_t rank = 0;
        if (hl_model_run(m, ids, n, logits, &e) != HL_OK) goto done_err;
        hl_log_softmax(logits + (n - 1) * V, V, lp);
        for (i = 0; i < V; i++) rank += logits[(n - 1) * V + i] > logits[(n - 1) * V + next];
        printf("\ntest_prompt(prompt, answer token %lld):\nRank: %lld Logit: %.2f Prob: %.2f%% Token: |%lld|\n", (long long)next,
               (long long)rank, (double)logits[(n - 1) * V + next], 100.0 * exp((double)lp[next]), (long long)next);
        hl_top_k(logits + (n - 1) * V, V, 5, top, val);
        for (i = 0; i < 5; i++)
            printf("Top %lldth token. Logit: %.2f Prob: %.2f%% Token: |%d|\n", (long long)i, (double)val[i],
                   100.0 * exp((double)lp[top[i]]), top[i]);
    }

    /* logits, cache = model.run_with_cache(prompt) */
    if (hl_cache_create(&cache, &e) != HL_OK) goto done_err;
    if (hl_model_run_with_cache(m, ids, n, NULL, cache, logits, &e) != HL_OK) goto done_err;
    printf("\nrun_with_cache: %zu activations\n", hl_cache_count(cache));
    {
        const hl_tensor *pat = hl_cache_get(cache, "blocks.1.attn.hook_pattern");
        const hl_tensor *pe = hl_cache_get(cache, "hook_pos_embed");
        int64_t K, seen = 0;
        if (!pat || !pe) goto done;
        K = pat->shape[3];
        for (i = 0; i < K; i++) seen += ((const float *)pat->data)[(n - 1) * K + i] > 0.0f; /* head 0, last query */
        printf("blocks.1.attn.hook_pattern [1, %lld, %lld, %lld]: the last query attends to %lld keys%s\n",
               (long long)pat->shape[1], (long long)pat->shape[2], (long long)K, (long long)seen,
               hl_model_layer_is_local(m, 1) ? " (layer 1 is local: its window)" : "");
        printf("hook_pos_embed [1, %lld, %lld] (learned positions, centred by center_writing_weights)\n",
               (long long)pe->shape[1], (long long)pe->shape[2]);
    }

    /* model.run_with_hooks(prompt, fwd_hooks=[("blocks.1.attn.hook_z", ablate)]) */
    if (hl_model_add_hook(m, "blocks.1.attn.hook_z", ablate_head0, NULL, &handle, &e) != HL_OK) goto done_err;
    if (hl_model_run(m, ids, n, ablated, &e) != HL_OK) goto done_err;
    hl_model_remove_hook(m, handle, NULL);
    {
        float *lp = logits + (n - 1) * V, *la = ablated + (n - 1) * V;
        hl_log_softmax(lp, V, lp);
        hl_log_softmax(la, V, la);
        printf("\nablating head 0 of layer 1: log p(next token %lld) %.4f -> %.4f\n", (long long)next, (double)lp[next], (double)la[next]);
    }
    rc = 0;
    goto done;
done_err:
    fail(&e);
done:
    hl_cache_free(cache);
    free(logits);
    free(ablated);
    hl_free(text_ids);
    hl_free(out);
    hl_model_free(m);
    return rc;
}
