/* 00_tour.c - what `make run` shows on the bundled model (examples/stories260K, karpathy's
   stories260K): a greedy story, a test_prompt report and a run_with_cache summary table.
   Usage: 00_tour [MODEL_DIR]   (default examples/stories260K) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/00_tour.c -lm -pthread */
#include "hooklens.h"
#include "hooklens_tools.h"

static int fail(const char *what, const hl_error *e) {
    fprintf(stderr, "demo: %s: %s\n", what, e->msg);
    return 1;
}

/* Mean over positions of the L2 norm of a [1, pos, d] activation. */
static double mean_norm(const hl_tensor *t) {
    int64_t pos = t->shape[1], d = t->shape[2], p, i;
    const float *x = (const float *)t->data;
    double sum = 0.0;
    for (p = 0; p < pos; p++) {
        double s = 0.0;
        for (i = 0; i < d; i++) s += (double)x[p * d + i] * (double)x[p * d + i];
        sum += sqrt(s);
    }
    return pos ? sum / (double)pos : 0.0;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "examples/stories260K";
    const char *story_prompt = "Once upon a time";
    const char *tp_prompt = "Once upon a time, there was a little girl named Lily. One day, Lily went "
                            "to the park with her";
    const char *tp_answer = "mom";
    hl_model_desc desc;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    hl_generate_opts g;
    hl_error e;
    int32_t *ids = NULL, *out = NULL;
    int64_t n = 0, n_out = 0, L, l;
    char *text = NULL, *report = NULL;
    size_t i, floats = 0;
    int rc = 1;

    memset(&desc, 0, sizeof desc);
    desc.path = dir;
    if (hl_model_load(&desc, &m, &e) != HL_OK) return fail(dir, &e);
    L = hl_model_config(m)->n_layers;
    printf("model %s: %s, %lld layers, d_model %lld, %lld heads (%lld kv), vocab %lld\n\n", dir,
           hl_model_config(m)->architecture, (long long)L, (long long)hl_model_config(m)->d_model,
           (long long)hl_model_config(m)->n_heads, (long long)hl_model_config(m)->n_kv_heads,
           (long long)hl_model_config(m)->d_vocab);

    /* 1. a greedy story */
    memset(&g, 0, sizeof g);
    g.max_new_tokens = 100;
    if (hl_model_to_tokens(m, story_prompt, -1, &ids, &n, &e) != HL_OK) goto error;
    if (hl_model_generate(m, ids, n, &g, &out, &n_out, &e) != HL_OK) goto error;
    if (hl_tokenizer_decode(hl_model_tokenizer(m), out, n_out, 1, &text, NULL, &e) != HL_OK) goto error;
    printf("== greedy story from \"%s\" (%lld new tokens)\n%s\n\n", story_prompt,
           (long long)(n_out - n), text ? text : "");

    /* 2. test_prompt (TL utils.test_prompt). TL's default prepend_space_to_answer=True turns "mom"
       into " mom": one token for GPT-2 and Gemma ("▁mom"). A SentencePiece tokenizer with a dummy
       prefix (Llama's, as the bundled model's) already reads "mom" as "▁mom", and " mom" as "▁" then
       "▁mom"; for it the tour passes prepend_space_to_answer=False, as TL users of Llama models do.
       The report says which, with the same call from the command line. */
    {
        int32_t *at = NULL;
        int64_t na = 0;
        int prepend;
        if (hl_model_to_tokens(m, " mom", 0, &at, &na, &e) != HL_OK) goto error;
        prepend = na == 1;
        hl_free(at);
        if (hl_model_test_prompt(m, tp_prompt, tp_answer, 5, !prepend, &report, &e) != HL_OK) goto error;
        printf("== test_prompt(\"%s\", \"%s\", prepend_space_to_answer=%s, top_k=5)\n"
               "   command line: hooklens test-prompt %s --prompt '%s' --answer %s --top-k 5%s\n%s\n",
               tp_prompt, tp_answer, prepend ? "True" : "False", dir, tp_prompt, tp_answer,
               prepend ? "" : " --no-prepend-space", report ? report : "");
    }

    /* 3. run_with_cache on the story, every hook point */
    if (hl_cache_create(&cache, &e) != HL_OK) goto error;
    if (hl_model_run_with_cache(m, out, n_out, NULL, cache, NULL, &e) != HL_OK) goto error;
    for (i = 0; i < hl_cache_count(cache); i++) floats += (size_t)hl_tensor_numel(hl_cache_tensor(cache, i));
    printf("== run_with_cache: %zu activations, %.1f KB, over %lld tokens\n", hl_cache_count(cache),
           (double)floats * 4.0 / 1024.0, (long long)n_out);
    printf("mean L2 norm per position:\n");
    printf("layer  resid_pre  attn_out   mlp_out  resid_post  max attention (head: query->key)\n");
    for (l = 0; l < L; l++) {
        static const char *const names[4] = {"hook_resid_pre", "hook_attn_out", "hook_mlp_out", "hook_resid_post"};
        char nm[96];
        int k;
        const hl_tensor *pat;
        printf("%5lld", (long long)l);
        for (k = 0; k < 4; k++) {
            const hl_tensor *t;
            snprintf(nm, sizeof nm, "blocks.%lld.%s", (long long)l, names[k]);
            t = hl_cache_get(cache, nm);
            printf("  %9.3f", t ? mean_norm(t) : (double)NAN);
        }
        /* the strongest non-BOS, non-diagonal attention weight of the layer */
        snprintf(nm, sizeof nm, "blocks.%lld.attn.hook_pattern", (long long)l);
        pat = hl_cache_get(cache, nm);
        if (pat) {
            int64_t H = pat->shape[1], P = pat->shape[2], h, q, kk, bh = 0, bq = 0, bk = 0;
            const float *a = (const float *)pat->data;
            float best = -1.0f;
            for (h = 0; h < H; h++)
                for (q = 1; q < P; q++)
                    for (kk = 1; kk < q; kk++)
                        if (a[(h * P + q) * P + kk] > best) {
                            best = a[(h * P + q) * P + kk];
                            bh = h, bq = q, bk = kk;
                        }
            printf("  %.2f (%lld: %lld->%lld)", (double)best, (long long)bh, (long long)bq, (long long)bk);
        }
        printf("\n");
    }
    rc = 0;
    goto done;
error:
    fail("error", &e);
done:
    hl_free(ids);
    hl_free(out);
    hl_free(text);
    hl_free(report);
    hl_cache_free(cache);
    hl_model_free(m);
    return rc;
}
