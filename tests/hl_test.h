/* tests/hl_test.h - a tiny test runner: counts tests (not checks), prints "N passed, N failed". */
#ifndef HL_TEST_H
#define HL_TEST_H
#include <stdio.h>
#include <string.h>
#include <math.h>
#include "../hooklens.h"
#include "../tools/hooklens_tools.h"

extern int hlt_pass, hlt_fail, hlt_cur_failed;
extern const char *hlt_filter;
extern const char *hlt_fixtures; /* ../shared/fixtures, or $HL_FIXTURES */

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            hlt_cur_failed = 1;                                                                    \
            printf("  FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);                                  \
        }                                                                                          \
    } while (0)
/* CHECK with a printf-style explanation printed on failure. */
#define CHECKF(c, ...)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            hlt_cur_failed = 1;                                                                    \
            printf("  FAIL %s:%d: %s: ", __FILE__, __LINE__, #c);                                  \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)
/* Checks that an hl_status call returned HL_OK, printing the error message otherwise. */
#define CHECK_OK(call, errp)                                                                       \
    do {                                                                                           \
        hl_status hlt_st_ = (call);                                                                \
        if (hlt_st_ != HL_OK) {                                                                    \
            hlt_cur_failed = 1;                                                                    \
            printf("  FAIL %s:%d: %s -> %s: %s\n", __FILE__, __LINE__, #call,                      \
                   hl_status_str(hlt_st_), hlt_msg(errp));                                         \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        if (hlt_filter && !strstr(#fn, hlt_filter)) break;                                         \
        hlt_cur_failed = 0;                                                                        \
        fn();                                                                                      \
        if (hlt_cur_failed) {                                                                      \
            hlt_fail++;                                                                            \
            printf("FAIL %s\n", #fn);                                                              \
        } else {                                                                                   \
            hlt_pass++;                                                                            \
        }                                                                                          \
        fflush(stdout);                                                                            \
    } while (0)

/* The message of an optional error struct ("" for NULL); a function, so &err never warns. */
static inline const char *hlt_msg(const hl_error *e) {
    return e ? e->msg : "";
}
/* Builds "<fixtures>/<rel>" into a static buffer (one at a time per call site is enough). */
const char *hlt_fixture(const char *rel);
/* Returns 1 if the fixture file exists; otherwise marks the current test failed (a missing
   fixture is a failure, never a skip) and returns 0. */
int hlt_need(const char *path);
/* A whole file, NUL-terminated (malloc'd; free with free), its size in *len; NULL if unreadable. */
char *hlt_read_file(const char *path, size_t *len);
/* max|a-b| / max|b| over finite entries; infinities must match exactly (returns +inf if not). */
double hlt_rel_err(const float *a, const float *b, long long n);
/* hlt_rel_err of logits [n, V] against a RAW Hugging Face reference (the fixtures'
   reference.safetensors): when the model centres its logits over the vocabulary (TL's
   center_unembed, HL_PROC_CENTER_UNEMBED in its config) the reference is centred the same way
   first (in f64), as TL's own logits are. */
double hlt_logits_err(const hl_model *m, const float *ours, const float *ref, long long n, long long V);

#endif
