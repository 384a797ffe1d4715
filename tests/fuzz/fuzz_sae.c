/* libFuzzer target: hl_sae_load on an arbitrary file as a GemmaScope params.npz. The SAE loader
   maps stored members in place through the npz reader, and it takes a path, so it is fuzzed
   through the file: the input is written to a temporary file first. */
#include <stdlib.h>
#include <string.h>
#include "../../hooklens.h"
#include <stdio.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[64];
    FILE *f;
    hl_sae_desc d;
    hl_sae *sae = NULL;
    hl_error err;
    snprintf(path, sizeof path, "/tmp/hl_fuzz_sae_%ld.npz", (long)getpid());
    f = fopen(path, "wb");
    if (!f) return 0;
    if (size) fwrite(data, 1, size, f);
    fclose(f);
    memset(&d, 0, sizeof d);
    d.path = path;
    d.hook_name = "blocks.0.hook_resid_post";
    d.n_threads = 1;
    if (hl_sae_load(&d, &sae, &err) == HL_OK) {
        /* exercise the weights that were mapped: one encode/decode of a small input */
        const hl_sae_config *c = hl_sae_get_config(sae);
        if (c->d_in > 0 && c->d_in <= 4096 && c->d_sae > 0 && c->d_sae <= 65536) {
            float *x = (float *)calloc((size_t)c->d_in, sizeof(float));
            float *a = (float *)calloc((size_t)c->d_sae, sizeof(float));
            float *y = (float *)calloc((size_t)c->d_in, sizeof(float));
            if (x && a && y) {
                x[0] = 1.0f;
                if (hl_sae_encode(sae, x, 1, NULL, a, &err) == HL_OK) hl_sae_decode(sae, a, x, 1, NULL, y, &err);
            }
            free(x);
            free(a);
            free(y);
        }
        hl_sae_free(sae);
    }
    unlink(path);
    return 0;
}
