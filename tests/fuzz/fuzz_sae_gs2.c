/* libFuzzer target: hl_sae_load on an arbitrary Gemma Scope 2 folder (config.json +
   params.safetensors). The loader takes a path, so the input is written to a temporary folder:
     byte 0        bits 0-2: the folder's site (resid_post, attn_out_all, mlp_out, transcoder_all,
                   or a name that says nothing); bit 3: write no config.json; bit 4: load
                   params.safetensors itself instead of the folder
     bytes 1-2     n, little-endian: the length of config.json (cut to what is left)
     then          n bytes of config.json, and the rest is params.safetensors */
#include <stdlib.h>
#include <string.h>
#include "../../hooklens.h"
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void put(const char *path, const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) return;
    if (size) fwrite(data, 1, size, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const sites[8] = {"resid_post", "attn_out_all", "mlp_out", "transcoder_all",
                                         "resid_post_all", "attn_out", "other", "mlp_out_all"};
    char root[64], site[128], dir[192], cfg[224], params[224];
    hl_sae_desc d;
    hl_sae *sae = NULL;
    hl_error err;
    size_t n;
    if (size < 3) return 0;
    n = (size_t)data[1] | (size_t)data[2] << 8;
    if (n > size - 3) n = size - 3;
    snprintf(root, sizeof root, "/tmp/hl_fuzz_sae_gs2_%ld", (long)getpid());
    snprintf(site, sizeof site, "%s/%s", root, sites[data[0] & 7]);
    snprintf(dir, sizeof dir, "%s/layer_3_width_16k_l0_small", site);
    snprintf(cfg, sizeof cfg, "%s/config.json", dir);
    snprintf(params, sizeof params, "%s/params.safetensors", dir);
    mkdir(root, 0755);
    mkdir(site, 0755);
    mkdir(dir, 0755);
    if (!(data[0] & 8)) put(cfg, data + 3, n);
    put(params, data + 3 + n, size - 3 - n);
    memset(&d, 0, sizeof d);
    d.path = data[0] & 16 ? params : dir;
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
    unlink(cfg);
    unlink(params);
    rmdir(dir);
    rmdir(site);
    rmdir(root);
    return 0;
}
