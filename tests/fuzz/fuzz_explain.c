/* libFuzzer target: the Neuronpedia explanation reader (export object, JSON array, JSON Lines,
   gzip) on an arbitrary file, and the regex compiler/matcher on the same bytes. */
#include <stdlib.h>
#include <string.h>
#include "../../hooklens.h"
#include "../../tools/hooklens_tools.h"
#include <stdio.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[64], pat[256];
    const char *p = path;
    FILE *f;
    hl_explain_query q;
    hl_explain_result *res = NULL;
    hl_regex *re = NULL;
    hl_error err;
    size_t n = size < sizeof pat - 1 ? size : sizeof pat - 1;
    /* the first bytes as a regex pattern, matched against the whole input */
    memcpy(pat, data, n);
    pat[n] = 0;
    if (hl_regex_compile(pat, &re, &err) == HL_OK) {
        hl_regex_search(re, (const char *)data, size);
        hl_regex_free(re);
    }
    snprintf(path, sizeof path, "/tmp/hl_fuzz_explain_%ld.json", (long)getpid());
    f = fopen(path, "wb");
    if (!f) return 0;
    if (size) fwrite(data, 1, size, f);
    fclose(f);
    memset(&q, 0, sizeof q);
    q.text = "d";
    if (hl_explain_search(&p, 1, &q, &res, &err) == HL_OK) {
        size_t i;
        for (i = 0; i < hl_explain_count(res); i++) (void)strlen(hl_explain_at(res, i)->description);
        hl_explain_free(res);
    }
    q.regex = 1;
    q.text = "(a|b)*c";
    if (hl_explain_search(&p, 1, &q, &res, &err) == HL_OK) hl_explain_free(res);
    unlink(path);
    return 0;
}
