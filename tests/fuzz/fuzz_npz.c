/* tests/fuzz/fuzz_npz.c - libFuzzer target for the npz (zip/ZIP64) and npy readers, memory API.
   Every accepted tensor is read end to end, so a view that overruns the input shows up under ASan.
   Build: make fuzz; run: build/fuzz/fuzz_npz tests/fuzz/seeds/fuzz_npz */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../hooklens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned touch(const hl_tensor *t) {
    const uint8_t *p = (const uint8_t *)t->data;
    size_t n = hl_tensor_nbytes(t), i;
    unsigned s = 0;
    for (i = 0; i < n; i++) s += p[i];
    if (hl_tensor_numel(t) > 0) {
        float f = hl_tensor_get_f32(t, hl_tensor_numel(t) - 1);
        s += f > 0.0f && f < 1e9f ? (unsigned)f : 1u; /* out-of-range float->unsigned is UB */
    }
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hl_npz *z = NULL;
    hl_tensor t;
    hl_error e;
    volatile unsigned sink = 0;
    /* a copy at an odd address, so alignment handling is exercised too */
    uint8_t *buf = (uint8_t *)malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf + 1, data, size);
    if (hl_npz_open_memory(buf + 1, size, "fuzz.npz", &z, &e) == HL_OK) {
        size_t i;
        for (i = 0; i < hl_npz_count(z); i++) {
            const hl_tensor *x = hl_npz_tensor(z, i);
            if (hl_dtype_size(x->dtype) > 1 && ((uintptr_t)x->data % hl_dtype_size(x->dtype)) != 0) abort();
            sink += touch(x);
            if (hl_npz_find(z, hl_npz_name(z, i)) == NULL) abort();
        }
        hl_npz_close(z);
    } else if (e.msg[0] == 0) {
        abort(); /* every failure has a message */
    }
    if (hl_npy_parse(buf + 1, size, &t, &e) == HL_OK) sink += touch(&t);
    free(buf);
    (void)sink;
    return 0;
}
