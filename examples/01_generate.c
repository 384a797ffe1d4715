/* 01_generate.c - sample text from a model, like TransformerLens `model.generate`.

   The notebook does:   model.generate("Once upon a time", max_new_tokens=40, temperature=1.0)
   five times. Here each sample gets its own seed, so the output is reproducible.

   Usage: 01_generate [MODEL_DIR] [PROMPT]      (default: the bundled stories260K model) */
#include <stdio.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/01_generate.c -lm -pthread */
#include "hooklens.h"

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "examples/stories260K";
    const char *prompt = argc > 2 ? argv[2] : "Once upon a time";
    hl_model_desc desc;
    hl_model *model = NULL;
    hl_error err;
    int32_t *prompt_ids = NULL;
    int64_t n_prompt = 0;
    int sample, rc = 1;

    /* 1. Load the model folder (config.json, *.safetensors, tokenizer.json). The desc struct is
          all zeros for the defaults: every core, the fastest kernels for this CPU. */
    memset(&desc, 0, sizeof desc);
    desc.path = dir;
    if (hl_model_load(&desc, &model, &err) != HL_OK) {
        fprintf(stderr, "01_generate: %s\n", err.msg);
        return 1;
    }

    /* 2. Tokenize like model.to_tokens(prompt): BOS is prepended by default (-1). */
    if (hl_model_to_tokens(model, prompt, -1, &prompt_ids, &n_prompt, &err) != HL_OK) goto fail;

    /* 3. Five samples at temperature 1. The prompt runs once, then the KV cache feeds one new
          position per step, exactly like TL's use_past_kv_cache=True. */
    for (sample = 0; sample < 5; sample++) {
        hl_generate_opts opts;
        int32_t *ids = NULL;
        int64_t n_ids = 0;
        char *text = NULL;

        memset(&opts, 0, sizeof opts);
        opts.max_new_tokens = 40;
        opts.temperature = 1.0f;          /* 0 would be greedy */
        opts.seed = (uint64_t)sample + 1; /* same seed, same text */
        if (hl_model_generate(model, prompt_ids, n_prompt, &opts, &ids, &n_ids, &err) != HL_OK)
            goto fail;
        /* return_type="str" in TL decodes prompt + continuation with skip_special_tokens=True */
        if (hl_tokenizer_decode(hl_model_tokenizer(model), ids, n_ids, 1, &text, NULL, &err) != HL_OK) {
            hl_free(ids);
            goto fail;
        }
        printf("--- sample %d (seed %d, %lld new tokens)\n%s\n", sample + 1, sample + 1,
               (long long)(n_ids - n_prompt), text);
        hl_free(text);
        hl_free(ids);
    }
    rc = 0;
fail:
    if (rc) fprintf(stderr, "01_generate: %s\n", err.msg);
    hl_free(prompt_ids);
    hl_model_free(model);
    return rc;
}
