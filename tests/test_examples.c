/* tests/test_examples.c - every example program runs on the bundled model (examples/stories260K)
   and its output is checked, not just its exit code. The examples are built by `make` (the test
   target depends on it) and run from the repository root. */
#include <stdlib.h>
#include "hl_test.h"

/* Runs a shell command, returns its stdout (malloc'd, NUL-terminated) and exit status. */
static char *run_cmd(const char *cmd, int *status) {
    FILE *f = popen(cmd, "r");
    char *out = NULL;
    size_t len = 0, cap = 0;
    int c;
    if (!f) return NULL;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 > cap) {
            char *n;
            cap = cap ? cap * 2 : 4096;
            n = (char *)realloc(out, cap);
            if (!n) break;
            out = n;
        }
        out[len++] = (char)c;
    }
    if (out) out[len] = 0;
    *status = pclose(f);
    return out ? out : (char *)calloc(1, 1);
}

static int count_substr(const char *s, const char *sub) {
    int n = 0;
    size_t k = strlen(sub);
    while ((s = strstr(s, sub)) != NULL) {
        n++;
        s += k;
    }
    return n;
}

/* Returns the output of build/examples/NAME (with args), or NULL after marking a failure. */
static char *example(const char *name, const char *args, int *status) {
    char cmd[1024];
    char *out;
    snprintf(cmd, sizeof cmd, "./build/examples/%s %s 2>&1", name, args ? args : "");
    if (!hlt_need("examples/stories260K/model.safetensors")) return NULL;
    out = run_cmd(cmd, status);
    CHECKF(out != NULL, "could not run %s", cmd);
    return out;
}

static void test_example_generate(void) {
    int st = -1, st2 = -1;
    char *a = example("01_generate", NULL, &st), *b = example("01_generate", NULL, &st2);
    if (!a || !b) goto done;
    CHECKF(st == 0, "exit %d: %s", st, a);
    CHECK(count_substr(a, "--- sample ") == 5);
    CHECK(count_substr(a, "\nOnce upon a time") == 5); /* each sample continues the prompt */
    CHECK(strcmp(a, b) == 0);                          /* seeded: reproducible */
done:
    free(a);
    free(b);
}

static void test_example_test_prompt(void) {
    int st = -1;
    char *o = example("02_test_prompt", NULL, &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    CHECK(strncmp(o, "Tokenized prompt: ['<s>', ", 26) == 0);
    CHECK(strstr(o, "\nTokenized answer: [") != NULL);
    CHECK(strstr(o, "\nPerformance on answer token:\nRank: ") != NULL);
    CHECK(strstr(o, "\nTop 0th token. Logit: ") != NULL);
    CHECK(strstr(o, "\nTop 9th token. Logit: ") != NULL);
    CHECK(strstr(o, "\nRanks of the answer tokens: [") != NULL);
    free(o);
}

static void test_example_run_with_cache(void) {
    int st = -1;
    char *o = example("03_run_with_cache", NULL, &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    /* Llama: hook_embed + 5 layers x 20 hooks + ln_final.{scale,normalized} = 103 */
    CHECK(strstr(o, "16 tokens, 103 cached activations\n") != NULL);
    CHECK(strstr(o, "\nhook_embed                               [1, 16, 64]\n") != NULL);
    CHECK(strstr(o, "\nblocks.0.attn.hook_pattern               [1, 8, 16, 16]\n") != NULL);
    CHECK(strstr(o, "\nblocks.4.mlp.hook_post                   [1, 16, 172]\n") != NULL);
    CHECK(strstr(o, "\nln_final.hook_scale                      [1, 16, 1]\n") != NULL);
    free(o);
}

static void test_example_token_log_probs(void) {
    int st = -1;
    char *o = example("04_token_log_probs", NULL, &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    CHECK(strstr(o, "\n   1  Once  ") != NULL); /* the first predicted token */
    CHECK(strstr(o, "mean log prob -") != NULL);
    free(o);
}

static void test_example_hooks(void) {
    int st = -1;
    char *o = example("05_hooks", NULL, &st), *row;
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    CHECK(strstr(o, "zero-ablating one head") != NULL);
    /* Patching the clean residual stream into the only differing position (12: the second name)
       at layer 0 makes the corrupted run the clean run: exactly 1.00 there and 0.00 elsewhere. */
    row = strstr(o, "(clean - corrupted)\n");
    CHECK(row != NULL);
    if (row) {
        row = strstr(row, "\n    0 ");
        CHECK(row != NULL);
        if (row) {
            char line[256];
            size_t k = strcspn(row + 1, "\n");
            if (k > sizeof line - 1) k = sizeof line - 1;
            memcpy(line, row + 1, k);
            line[k] = 0;
            CHECKF(count_substr(line, " 1.00") == 1 && count_substr(line, " 0.00") == 19, "row: %s", line);
        }
    }
    free(o);
}

static void test_example_explanation_search(void) {
    int st = -1;
    char *o = example("07_explanation_search", NULL, &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    CHECKF(strcmp(o, "2 of 5 explanations match \"decept\"\n"
                     "feature 102: references to deception or lying  [gpt-4o-mini]\n"
                     "    https://www.neuronpedia.org/gemma-2-2b/25-gemmascope-res-16k/102\n"
                     "feature 4051: deceptive behaviour in fiction  [gpt-4o-mini]\n"
                     "    https://www.neuronpedia.org/gemma-2-2b/25-gemmascope-res-16k/4051\n") == 0,
           "output: %s", o);
    free(o);
}

void suite_examples(void) {
    RUN(test_example_generate);
    RUN(test_example_test_prompt);
    RUN(test_example_run_with_cache);
    RUN(test_example_token_log_probs);
    RUN(test_example_hooks);
    RUN(test_example_explanation_search);
}
