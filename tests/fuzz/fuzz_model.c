/* tests/fuzz/fuzz_model.c - libFuzzer target for hl_model_load from memory: config.json's text, a
   NUL byte, then one safetensors image (the weights). Any input is either rejected with a status
   and a message, or gives a model that runs a 2-token forward pass and a 1-token decode step.
   desc.n_ctx is kept small so that a config cannot ask for a large KV cache. */
#include <stdlib.h>
#include <string.h>
#include "../../hooklens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nul = (const uint8_t *)memchr(data, 0, size);
    const void *w[1];
    size_t wsize[1];
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error err;
    hl_status s;
    if (!nul) return 0;
    w[0] = nul + 1;
    wsize[0] = size - (size_t)(nul + 1 - data);
    memset(&d, 0, sizeof d);
    d.config_json = (const char *)data;
    d.config_len = (size_t)(nul - data);
    d.weights = w;
    d.weight_sizes = wsize;
    d.n_weights = 1;
    d.n_threads = 1;
    d.n_ctx = 4;
    s = hl_model_load(&d, &m, &err);
    if (s == HL_OK) {
        const hl_model_cfg *c = hl_model_config(m);
        int32_t toks[2] = {0, (int32_t)(c->d_vocab - 1)};
        float *lg = (float *)malloc((size_t)c->d_vocab * 2 * sizeof(float));
        if (!m || !lg) __builtin_trap();
        if (hl_model_run(m, toks, 2, lg, &err) != HL_OK) __builtin_trap();
        if (hl_model_decode(m, toks, 1, lg, 1, &err) != HL_OK) __builtin_trap();
        free(lg);
        hl_model_free(m);
    } else {
        if (m != NULL || err.status != s || err.msg[0] == 0) __builtin_trap();
    }
    return 0;
}
