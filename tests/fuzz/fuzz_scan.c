/* tests/fuzz/fuzz_scan.c - libFuzzer target for hl_scan_load (the scan files `hooklens scan` writes
   and `scan-merge` reads): any input is refused with a status and a message, or it loads, saves,
   merges into a copy of itself and loads again. The loader takes a path, so the input is written to
   a temporary file first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../hooklens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    long len;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 && (b = (char *)malloc((size_t)len + 1)))
        *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[64], out[72];
    hl_scan *s = NULL, *t = NULL;
    hl_error err;
    FILE *f;
    snprintf(path, sizeof path, "/tmp/hl_fuzz_scan_%ld", (long)getpid());
    snprintf(out, sizeof out, "%s.out", path);
    if (!(f = fopen(path, "wb"))) return 0;
    if (size) fwrite(data, 1, size, f);
    fclose(f);
    if (hl_scan_load(path, &s, &err) == HL_OK) {
        hl_scan_view v;
        const hl_scan_config *c = hl_scan_get_config(s);
        if (!c || c->d_sae < 1 || c->top_k < 1 || c->n_bins < 1) __builtin_trap();
        hl_scan_stats(s, &v);
        if (!v.count || !v.edges) __builtin_trap();
        if (hl_scan_save(s, out, NULL, &err) != HL_OK) __builtin_trap(); /* a loaded scan always saves */
        if (hl_scan_load(out, &t, &err) != HL_OK) __builtin_trap();      /* ... and loads back */
        { /* to the same scan: saved again, the same bytes */
            char out2[80];
            size_t n1 = 0, n2 = 0;
            char *a, *b;
            snprintf(out2, sizeof out2, "%s.2", out);
            if (hl_scan_save(t, out2, NULL, &err) != HL_OK) __builtin_trap();
            a = slurp(out, &n1), b = slurp(out2, &n2);
            if (!a || !b || n1 != n2 || memcmp(a, b, n1) != 0) __builtin_trap();
            free(a), free(b);
            remove(out2);
        }
        { /* merging into itself doubles the counts: only the 2^62 limit may refuse */
            hl_status ms = hl_scan_merge(t, s, &err);
            if (ms != HL_OK && ms != HL_ERR_LIMIT) __builtin_trap();
        }
        hl_scan_free(t);
        hl_scan_free(s);
        remove(out);
    } else if (s != NULL || err.msg[0] == 0) {
        __builtin_trap();
    }
    remove(path);
    return 0;
}
