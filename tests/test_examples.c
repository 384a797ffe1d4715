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

/* `make run`: the greedy story is HF's greedy continuation (meta.json of real/stories260K). */
static void test_example_tour(void) {
    int st = -1;
    char *o = example("00_tour", NULL, &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    CHECK(strstr(o, "\nOnce upon a time, there was a little girl named Lily. She loved to play outside "
                    "in the park. One day, she saw a big, red ball. She wanted to play with it, but it "
                    "was too high.\nLily's mom said, \"Lily, let's go to the park.\" Lily was sad and "
                    "didn't know what to do\n") != NULL);
    CHECK(strstr(o, "\nTokenized answer: ['mom']\nPerformance on answer token:\nRank: 0  ") != NULL);
    CHECK(strstr(o, "== run_with_cache: 103 activations") != NULL);
    free(o);
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

/* The fixture model has no tokenizer.json, so the SAE examples take its token ids. */
#define FIX_TOKENS "\"2 328 298 26 43 496 137 252 334 458 93 3 88 63 404 422 157 172 204 112\""
#define FIX_MODEL_SAE "../shared/fixtures/models/gemma2-tiny ../shared/fixtures/saes/gemma2-tiny/gemmascope-jumprelu/params.npz"

static void test_example_sae_features(void) {
    int st = -1;
    hl_safetensors *ref = NULL;
    hl_error err;
    char *o, *line;
    const hl_tensor *acts;
    int64_t p, f;
    if (!hlt_need(hlt_fixture("saes/gemma2-tiny/reference.safetensors"))) return;
    o = example("06_sae_features", FIX_MODEL_SAE " " FIX_TOKENS " blocks.2.hook_resid_post", &st);
    if (!o) return;
    CHECKF(st == 0, "exit %d: %s", st, o);
    CHECK(strstr(o, "\nblocks.2.hook_resid_post.hook_sae_acts_post        [1, 20, 256]\n") != NULL);
    CHECK(strstr(o, "\nblocks.2.hook_resid_post.hook_sae_recons           [1, 20, 64]\n") != NULL);
    /* each token's first listed feature is the arg max of SAELens' acts_post for that token */
    CHECK_OK(hl_safetensors_open(hlt_fixture("saes/gemma2-tiny/reference.safetensors"), &ref, &err), &err);
    acts = ref ? hl_safetensors_find(ref, "jumprelu.acts_post") : NULL;
    CHECK(acts != NULL);
    line = strstr(o, "top features (index: activation)\n");
    CHECK(line != NULL);
    for (p = 0; acts && line && p < 20; p++) {
        const float *a = (const float *)acts->data + p * 256;
        int64_t best = 0, got = -1;
        char *colon;
        for (f = 1; f < 256; f++)
            if (a[f] > a[best]) best = f;
        line = strchr(line, '\n');
        if (!line) break;
        line++;
        colon = strstr(line, "]  ");
        if (colon) got = strtoll(colon + 3, NULL, 10);
        CHECKF(got == best, "position %lld: example lists %lld first, reference arg max %lld",
               (long long)p, (long long)got, (long long)best);
    }
    hl_safetensors_close(ref);
    free(o);
}

/* `hooklens sae ... --html OUT` writes the SAE feature view (one self-contained page). */
static void test_cli_sae_html(void) {
    int st = -1;
    char *o, *page;
    size_t len = 0;
    FILE *f;
    if (!hlt_need(hlt_fixture("saes/gemma2-tiny/gemmascope-jumprelu/params.npz"))) return;
    remove("build/test_sae_view.html");
    o = run_cmd("./build/hooklens sae ../shared/fixtures/models/gemma2-tiny "
                "../shared/fixtures/saes/gemma2-tiny/gemmascope-jumprelu/params.npz --tokens " FIX_TOKENS
                " --hook blocks.2.hook_resid_post --top 3 --html build/test_sae_view.html 2>&1", &st);
    CHECKF(st == 0, "exit %d: %s", st, o ? o : "");
    free(o);
    f = fopen("build/test_sae_view.html", "rb");
    CHECK(f != NULL);
    if (!f) return;
    page = (char *)calloc(1, 1 << 20);
    if (page) len = fread(page, 1, (1 << 20) - 1, f);
    fclose(f);
    CHECK(page && len > 1000);
    if (page) {
        CHECK(strstr(page, "<html") != NULL && strstr(page, "</html>") != NULL);
        CHECK(strstr(page, "[328]") != NULL); /* token strings fall back to [id] without a tokenizer */
        CHECK(strstr(page, "src=\"http") == NULL); /* self-contained: nothing loaded from the network */
    }
    free(page);
}

/* `info` lists a model folder's tensors and its TL config; a folder of an architecture hooklens does
   not run (GPT-2) still lists its tensors, notes why there is no config, and exits 0; a missing path
   exits 1. */
static void test_cli_info(void) {
    char cmd[1024];
    int st = -1;
    char *o;
    if (!hlt_need(hlt_fixture("models/gemma2-tiny")) || !hlt_need(hlt_fixture("models/gpt2-tiny"))) return;
    snprintf(cmd, sizeof cmd, "./build/hooklens info %s 2>&1", hlt_fixture("models/gemma2-tiny"));
    o = run_cmd(cmd, &st);
    CHECKF(st == 0 && o && strstr(o, "total: ") && strstr(o, "HookedTransformerConfig:"), "exit %d: %s", st, o ? o : "");
    free(o);
    snprintf(cmd, sizeof cmd, "./build/hooklens info %s 2>&1", hlt_fixture("models/gpt2-tiny"));
    o = run_cmd(cmd, &st);
    CHECKF(st == 0 && o && strstr(o, "total: 40 tensors") && strstr(o, "# no HookedTransformerConfig:") &&
               strstr(o, "GPT2LMHeadModel"),
           "exit %d: %s", st, o ? o : "");
    free(o);
    o = run_cmd("./build/hooklens info build/no-such-folder 2>&1", &st);
    CHECKF(st != 0 && o && strstr(o, "no such file or folder"), "exit %d: %s", st, o ? o : "");
    free(o);
}

static void test_example_steering(void) {
    int st = -1, st0 = -1;
    char *o = example("08_steering", FIX_MODEL_SAE " 72 200 " FIX_TOKENS " blocks.2.hook_resid_post", &st);
    char *z = example("08_steering", FIX_MODEL_SAE " 72 0 " FIX_TOKENS " blocks.2.hook_resid_post", &st0);
    const char *greedy = " 112 112 112 112 112 112 112 112"; /* meta.json greedy_continuation */
    char *plain, *spliced, *steered, *steered0;
    if (!o || !z) goto done;
    CHECKF(st == 0 && st0 == 0, "exit %d/%d: %s", st, st0, o);
    plain = strstr(o, "plain:");
    spliced = strstr(o, "spliced:");
    steered = strstr(o, "steered:");
    steered0 = strstr(z, "steered:");
    CHECK(plain && spliced && steered && steered0);
    if (!plain || !spliced || !steered || !steered0) goto done;
    CHECK(strncmp(plain + 10, greedy, strlen(greedy)) == 0);
    CHECK(strncmp(spliced + 10, plain + 10, (size_t)(strchr(plain, '\n') - plain) - 10) == 0);
    CHECK(strncmp(steered + 10, plain + 10, (size_t)(strchr(plain, '\n') - plain) - 10) != 0);
    CHECK(strncmp(steered0 + 10, plain + 10, (size_t)(strchr(plain, '\n') - plain) - 10) == 0);
done:
    free(o);
    free(z);
}

void suite_examples(void) {
    RUN(test_example_tour);
    RUN(test_example_generate);
    RUN(test_example_test_prompt);
    RUN(test_example_run_with_cache);
    RUN(test_example_token_log_probs);
    RUN(test_example_hooks);
    RUN(test_example_sae_features);
    RUN(test_example_explanation_search);
    RUN(test_example_steering);
    RUN(test_cli_sae_html);
    RUN(test_cli_info);
}
