/* tests/fuzz/fuzz_inflate.c - libFuzzer target for raw DEFLATE (hl_inflate) and gzip (hl_gunzip,
   and the streaming hl_gzreader over a temporary file). Differential checks: the flat and the ring
   (streaming) decoders must agree, and an exact-size output buffer must give the same bytes.
   Build: make fuzz; run: build/fuzz/fuzz_inflate tests/fuzz/seeds/fuzz_inflate */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include "../../hooklens.h"
#include "../../tools/hooklens_tools.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_gzreader(const uint8_t *data, size_t size, const uint8_t *want, size_t want_n, int ok) {
    static char path[64];
    hl_gzreader *r = NULL;
    hl_error e;
    uint8_t buf[4099];
    size_t total = 0, got = 0;
    int fd;
    hl_status st = HL_OK;
    if (!path[0]) /* /dev/shm when there is one: a file round trip per input is the slow part */
        snprintf(path, sizeof path, "%s/hl_fuzz_inflate_%ld.gz", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
                 (long)getpid());
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return;
    }
    close(fd);
    if (hl_gzreader_open(path, &r, &e) != HL_OK) {
        if (ok) abort(); /* hl_gunzip accepted what the reader refuses */
        unlink(path);
        return;
    }
    for (;;) {
        size_t cap = 1 + (total * 31 + size) % sizeof buf;
        st = hl_gzreader_read(r, buf, cap, &got, &e);
        if (st != HL_OK || got == 0) break;
        if (ok && (total + got > want_n || memcmp(buf, want + total, got) != 0)) abort();
        total += got;
        if (total > ((size_t)64 << 20)) break; /* ring decoder output bound for fuzzing */
    }
    if (ok && (st != HL_OK || total != want_n)) abort();
    if (!ok && st == HL_OK && got == 0) abort(); /* the reader accepted what hl_gunzip refuses */
    hl_gzreader_close(r);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t cap, got = 0, used = 0, got2 = 0;
    uint8_t *out, *out2, *gz = NULL;
    hl_error e;
    hl_status st;
    if (size < 1) return 0;
    /* first byte: output capacity for raw inflate (in KiB, 0 -> 1 byte) */
    cap = data[0] ? (size_t)data[0] * 1024 : 1;
    data++;
    size--;
    out = (uint8_t *)malloc(cap);
    if (!out) return 0;
    st = hl_inflate(data, size, out, cap, &got, &used, &e);
    if (st == HL_OK) {
        if (got > cap || used > size) abort();
        out2 = (uint8_t *)malloc(got ? got : 1);
        if (out2) {
            if (hl_inflate(data, size, out2, got, &got2, NULL, &e) != HL_OK || got2 != got ||
                memcmp(out, out2, got) != 0)
                abort();
            free(out2);
        }
    } else if (e.msg[0] == 0) {
        abort();
    }
    free(out);
    {
        size_t n = 0;
        int ok = hl_gunzip(data, size, &gz, &n, &e) == HL_OK;
        /* the streaming reader on every accepted input and on 1 in 8 rejected ones (file I/O is slow) */
        if (size < 4096 && (ok || (data[-1] & 7) == 0)) check_gzreader(data, size, gz, n, ok);
        hl_free(gz);
    }
    return 0;
}
