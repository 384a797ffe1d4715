/* tests/fuzz/fuzz_safetensors.c - libFuzzer target for the safetensors reader over memory: any input
   is either rejected with a status and a message, or every tensor it yields can be read in full. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../hooklens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hl_safetensors *st = NULL;
    hl_error err;
    hl_status s = hl_safetensors_open_memory(data, size, "fuzz.safetensors", &st, &err);
    if (s == HL_OK) {
        size_t i, n = hl_safetensors_count(st), acc = 0;
        for (i = 0; i < n; i++) {
            const hl_tensor *t = hl_safetensors_tensor(st, i);
            const char *name = hl_safetensors_name(st, i);
            size_t nb = hl_tensor_nbytes(t), b;
            const uint8_t *p = (const uint8_t *)t->data;
            if (!name || hl_safetensors_find(st, name) != t) __builtin_trap();
            if (t->ndim < 0 || t->ndim > HL_MAX_DIMS || hl_dtype_size(t->dtype) == 0) __builtin_trap();
            if ((uintptr_t)p % hl_dtype_size(t->dtype) != 0) __builtin_trap();
            for (b = 0; b < nb; b++) acc += p[b]; /* every byte must be readable */
            if (nb) acc += hl_tensor_get_f32(t, hl_tensor_numel(t) - 1) > 0.0f;
        }
        acc += hl_safetensors_metadata(st, "format") != NULL;
        {
            volatile size_t sink = acc;
            (void)sink;
        }
        hl_safetensors_close(st);
    } else {
        if (st != NULL || err.status != s || err.msg[0] == 0) __builtin_trap();
    }
    return 0;
}
