/* tests/fuzz/fuzz_gguf.c - libFuzzer target for the GGUF reader over memory: any input is either
   rejected with a status and a message, or every metadata value and every tensor byte it offers can
   be read, every tensor's last element dequantizes, its embedded tokenizer is built (and encodes)
   or refused with a message, and the model it holds loads (and runs two tokens) or is refused
   with a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../hooklens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hl_gguf *g = NULL;
    hl_error err;
    hl_status s = hl_gguf_open_memory(data, size, "fuzz.gguf", &g, &err);
    if (s == HL_OK) {
        size_t i, n, len, acc = 0;
        for (i = 0; i < hl_gguf_kv_count(g); i++) {
            const char *str;
            double d;
            uint64_t j, cnt = hl_gguf_arr_count(g, i);
            if (hl_gguf_kv_find(g, hl_gguf_kv_key(g, i)) != (int64_t)i) __builtin_trap();
            if ((str = hl_gguf_get_str(g, i, &len)) != NULL && len) acc += (uint8_t)str[len - 1];
            acc += hl_gguf_get_num(g, i, &d);
            for (j = 0; j < cnt; j++) {
                if ((str = hl_gguf_arr_str(g, i, j, &len)) != NULL && len) acc += (uint8_t)str[len - 1];
                acc += hl_gguf_arr_num(g, i, j, &d);
            }
        }
        n = hl_gguf_tensor_count(g);
        for (i = 0; i < n; i++) {
            const hl_tensor *t = hl_gguf_tensor(g, i);
            size_t nb = hl_tensor_nbytes(t), b;
            const uint8_t *p = (const uint8_t *)t->data;
            if (hl_gguf_find(g, hl_gguf_tensor_name(g, i)) != t) __builtin_trap();
            if (p < data || nb > size || p + nb > data + size) __builtin_trap();
            for (b = 0; b < nb; b++) acc += p[b];
            if (hl_tensor_numel(t) > 0) acc += hl_tensor_get_f32(t, hl_tensor_numel(t) - 1) > 0.0f;
        }
        { /* the embedded tokenizer, when there is one: built, or refused with a message */
            hl_tokenizer *tok = NULL;
            hl_error te;
            hl_status ts = hl_tokenizer_load_gguf(g, &tok, &te);
            if (ts == HL_OK) {
                int32_t *ids = NULL;
                int64_t nid = 0;
                if (!tok) __builtin_trap();
                if (hl_tokenizer_encode(tok, "hello world", 11, 1, &ids, &nid, &te) == HL_OK) hl_free(ids);
                hl_tokenizer_free(tok);
            } else if (tok || te.msg[0] == 0) {
                __builtin_trap();
            }
        }
        { /* the model: loaded from the image (config from the metadata, weights by name) and run
             on two tokens, or refused with a message */
            const void *imgs[1];
            size_t sizes[1];
            hl_model_desc d;
            hl_model *m = NULL;
            hl_error me;
            hl_status ms;
            imgs[0] = data, sizes[0] = size;
            memset(&d, 0, sizeof d);
            d.weights = imgs, d.weight_sizes = sizes, d.n_weights = 1, d.n_threads = 1, d.n_ctx = 4, d.no_tokenizer = 1;
            ms = hl_model_load(&d, &m, &me);
            if (ms == HL_OK) {
                static const int32_t toks[2] = {0, 1};
                if (!m) __builtin_trap();
                if (hl_model_config(m)->d_vocab >= 2 && (double)hl_model_config(m)->d_vocab * hl_model_config(m)->d_model < 1e7)
                    acc += hl_model_run(m, toks, 2, NULL, &me) == HL_OK;
                hl_model_free(m);
            } else if (m || me.msg[0] == 0) {
                __builtin_trap();
            }
        }
        {
            volatile size_t sink = acc;
            (void)sink;
        }
        hl_gguf_close(g);
    } else {
        if (g != NULL || err.status != s || err.msg[0] == 0) __builtin_trap();
    }
    return 0;
}
