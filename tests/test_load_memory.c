/* tests/test_load_memory.c - a model loaded from memory (config.json text, safetensors images,
   tokenizer.json text; hl_model_desc with path NULL) is the same model as from its folder: the
   same logits, bit for bit, for a single-file and a sharded checkpoint; and the memory path's
   errors. */
#include <stdlib.h>
#include "hl_test.h"

/* Loads fixture `name` from its folder and from memory (its files listed in `files`, the first
   being config.json) and compares the logits of 12 tokens. */
static void lm_same_as_folder(const char *name, const char *const *files, int n_files) {
    char rel[256];
    const void *img[4];
    size_t sz[4], cfg_len = 0;
    char *cfg = NULL, *buf[4] = {NULL, NULL, NULL, NULL};
    hl_model_desc d;
    hl_model *a = NULL, *b = NULL;
    hl_error e;
    const int32_t toks[12] = {2, 328, 298, 26, 43, 496, 137, 252, 334, 458, 93, 3};
    float *la = NULL, *lb = NULL;
    int i;
    int64_t V;
    snprintf(rel, sizeof rel, "models/%s/%s", name, files[0]);
    if (!hlt_need(hlt_fixture(rel))) return;
    cfg = hlt_read_file(hlt_fixture(rel), &cfg_len);
    for (i = 1; i < n_files; i++) {
        snprintf(rel, sizeof rel, "models/%s/%s", name, files[i]);
        buf[i - 1] = hlt_read_file(hlt_fixture(rel), &sz[i - 1]);
        img[i - 1] = buf[i - 1];
        CHECKF(buf[i - 1] != NULL, "%s", rel);
    }
    memset(&d, 0, sizeof d);
    d.n_threads = 1;
    snprintf(rel, sizeof rel, "models/%s", name);
    d.path = hlt_fixture(rel);
    CHECK_OK(hl_model_load(&d, &a, &e), &e);
    d.path = NULL;
    d.config_json = cfg;
    d.config_len = cfg_len;
    d.weights = img;
    d.weight_sizes = sz;
    d.n_weights = (size_t)(n_files - 1);
    CHECK_OK(hl_model_load(&d, &b, &e), &e);
    if (a && b) {
        V = hl_model_config(a)->d_vocab;
        CHECK(hl_model_config(b)->d_vocab == V && hl_model_config(b)->n_layers == hl_model_config(a)->n_layers);
        la = (float *)malloc((size_t)(12 * V) * sizeof(float));
        lb = (float *)malloc((size_t)(12 * V) * sizeof(float));
        CHECK_OK(hl_model_run(a, toks, 12, la, &e), &e);
        CHECK_OK(hl_model_run(b, toks, 12, lb, &e), &e);
        CHECKF(memcmp(la, lb, (size_t)(12 * V) * sizeof(float)) == 0, "%s: from memory, the logits differ", name);
        CHECK(hl_model_tokenizer(b) == NULL); /* none was given */
    }
    /* the same shard twice: its tensors are listed twice */
    if (n_files > 1) {
        hl_model *c = NULL;
        img[n_files - 1] = img[0];
        sz[n_files - 1] = sz[0];
        d.n_weights = (size_t)n_files;
        CHECK(hl_model_load(&d, &c, &e) == HL_ERR_FORMAT && strstr(e.msg, "listed more than once"));
        CHECK(c == NULL);
    }
    free(la);
    free(lb);
    hl_model_free(a);
    hl_model_free(b);
    free(cfg);
    for (i = 0; i < 4; i++) free(buf[i]);
}

static void test_load_memory_single_file(void) {
    static const char *const files[] = {"config.json", "model.safetensors"};
    lm_same_as_folder("llama-tiny", files, 2);
}
static void test_load_memory_sharded(void) {
    static const char *const files[] = {"config.json", "model-00001-of-00002.safetensors",
                                        "model-00002-of-00002.safetensors"};
    lm_same_as_folder("gemma2-tiny", files, 3);
}

/* With a tokenizer, and the errors of the memory path. */
static void test_load_memory_tokenizer_and_errors(void) {
    size_t cl = 0, wl = 0, tl = 0;
    char *cfg = hlt_read_file("examples/stories260K/config.json", &cl), *w = hlt_read_file("examples/stories260K/model.safetensors", &wl);
    char *tok = hlt_read_file("examples/stories260K/tokenizer.json", &tl);
    const void *img[1];
    size_t sz[1];
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error e;
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK(cfg && w && tok);
    if (!cfg || !w || !tok) goto done;
    img[0] = w;
    sz[0] = wl;
    memset(&d, 0, sizeof d);
    d.config_json = cfg;
    d.config_len = cl;
    d.weights = img;
    d.weight_sizes = sz;
    d.n_weights = 1;
    d.tokenizer_json = tok;
    d.tokenizer_len = tl;
    CHECK_OK(hl_model_load(&d, &m, &e), &e);
    CHECK_OK(hl_model_to_tokens(m, "Once upon a time", -1, &ids, &n, &e), &e);
    CHECK(n == 5 && ids && ids[0] == 1); /* BOS, then four pieces */
    hl_free(ids);
    hl_model_free(m);
    m = NULL;
    /* no path and no weights */
    d.n_weights = 0;
    CHECK(hl_model_load(&d, &m, &e) == HL_ERR_ARG && m == NULL);
    /* a truncated image is a format error naming the image */
    d.n_weights = 1;
    sz[0] = 100;
    CHECK(hl_model_load(&d, &m, &e) == HL_ERR_FORMAT && strstr(e.msg, "safetensors image 0") && m == NULL);
    /* a config that is not JSON names where it came from */
    sz[0] = wl;
    d.config_len = 3;
    CHECK(hl_model_load(&d, &m, &e) == HL_ERR_FORMAT && strstr(e.msg, "config.json (memory)") && m == NULL);
done:
    free(cfg);
    free(w);
    free(tok);
}

void suite_load_memory(void) {
    RUN(test_load_memory_single_file);
    RUN(test_load_memory_sharded);
    RUN(test_load_memory_tokenizer_and_errors);
}
