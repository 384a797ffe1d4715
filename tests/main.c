/* tests/main.c - runs every suite. Each tests/test_X.c defines `void suite_X(void)`; the Makefile
   generates build/suites.h from the file names, so adding a test file needs no edit here.
   Usage: build/tests [FILTER]   (FILTER: substring of the test function names to run) */
#include <stdlib.h>
#include <sys/stat.h>
#include "hl_test.h"

int hlt_pass, hlt_fail, hlt_cur_failed;
const char *hlt_filter;
const char *hlt_fixtures = "../shared/fixtures";

const char *hlt_fixture(const char *rel) {
    static char buf[8][1024];
    static int slot;
    char *b = buf[slot++ & 7];
    snprintf(b, 1024, "%s/%s", hlt_fixtures, rel);
    return b;
}

int hlt_need(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0) return 1;
    hlt_cur_failed = 1;
    printf("  FAIL missing fixture %s (fixtures are required; set HL_FIXTURES)\n", path);
    return 0;
}

char *hlt_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (b = (char *)malloc((size_t)n + 1)) != NULL) {
        if (fread(b, 1, (size_t)n, f) == (size_t)n) {
            b[n] = 0;
            *len = (size_t)n;
        } else {
            free(b);
            b = NULL;
        }
    }
    fclose(f);
    return b;
}

double hlt_rel_err(const float *a, const float *b, long long n) {
    double maxd = 0, maxr = 0;
    long long i;
    for (i = 0; i < n; i++) {
        if (isinf(b[i]) || isinf(a[i])) {
            if (a[i] != b[i]) return INFINITY;
            continue;
        }
        if (isnan(a[i]) || isnan(b[i])) return INFINITY;
        if (fabs((double)a[i] - (double)b[i]) > maxd) maxd = fabs((double)a[i] - (double)b[i]);
        if (fabs((double)b[i]) > maxr) maxr = fabs((double)b[i]);
    }
    if (maxr == 0) return maxd;
    return maxd / maxr;
}

double hlt_logits_err(const hl_model *m, const float *ours, const float *ref, long long n, long long V) {
    double worst;
    float *c;
    long long r, i;
    if (!(hl_model_config(m)->processing & HL_PROC_CENTER_UNEMBED)) return hlt_rel_err(ours, ref, n * V);
    c = (float *)malloc((size_t)(n * V) * sizeof(float));
    if (!c) return INFINITY;
    for (r = 0; r < n; r++) {
        double mu = 0;
        for (i = 0; i < V; i++) mu += ref[r * V + i];
        mu /= (double)V;
        for (i = 0; i < V; i++) c[r * V + i] = (float)((double)ref[r * V + i] - mu);
    }
    worst = hlt_rel_err(ours, c, n * V);
    free(c);
    return worst;
}

#define SUITE(name) void suite_##name(void);
#include "suites.h"
#undef SUITE

int main(int argc, char **argv) {
    const char *fx = getenv("HL_FIXTURES");
    if (fx && *fx) hlt_fixtures = fx;
    if (argc > 1) hlt_filter = argv[1];
#define SUITE(name) suite_##name();
#include "suites.h"
#undef SUITE
    printf("%d passed, %d failed\n", hlt_pass, hlt_fail);
    return (hlt_fail || !hlt_pass) ? 1 : 0; /* running zero tests is a failure too */
}
