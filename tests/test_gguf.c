/* tests/test_gguf.c - the GGUF reader: every metadata type, arrays, alignment, tensor infos and data
   on files built here byte by byte (the layout of ggml/docs/gguf.md), then hostile files: every
   truncation, absurd counts and dimensions, unaligned, out-of-range and overlapping offsets,
   unknown types, duplicates. Also the real gemma-3-270m file when it has been fetched. */
#include "hl_test.h"
#include <stdlib.h>

/* ---- a GGUF builder ---- */
typedef struct gb {
    uint8_t buf[1 << 16];
    size_t n;
} gb;
static void gb_bytes(gb *b, const void *p, size_t n) {
    memcpy(b->buf + b->n, p, n);
    b->n += n;
}
static void gb_u32(gb *b, uint32_t v) {
    int i;
    for (i = 0; i < 4; i++) b->buf[b->n++] = (uint8_t)(v >> (8 * i));
}
static void gb_u64(gb *b, uint64_t v) {
    int i;
    for (i = 0; i < 8; i++) b->buf[b->n++] = (uint8_t)(v >> (8 * i));
}
static void gb_str(gb *b, const char *s) {
    gb_u64(b, strlen(s));
    gb_bytes(b, s, strlen(s));
}
static void gb_head(gb *b, uint32_t version, uint64_t n_t, uint64_t n_kv) {
    b->n = 0;
    gb_bytes(b, "GGUF", 4);
    gb_u32(b, version);
    gb_u64(b, n_t);
    gb_u64(b, n_kv);
}
static void gb_kv_u32(gb *b, const char *k, uint32_t v) {
    gb_str(b, k), gb_u32(b, HL_GGUF_UINT32), gb_u32(b, v);
}
static void gb_tensor(gb *b, const char *name, int nd, const uint64_t *ne, uint32_t type, uint64_t off) {
    int d;
    gb_str(b, name), gb_u32(b, (uint32_t)nd);
    for (d = 0; d < nd; d++) gb_u64(b, ne[d]);
    gb_u32(b, type), gb_u64(b, off);
}
static void gb_pad(gb *b, size_t align) {
    while (b->n % align) b->buf[b->n++] = 0;
}

/* A valid v3 file: one key of every type, arrays, alignment 64, an F32 [2, 3] and a Q8_0 [2, 32]. */
static size_t gb_valid(gb *b, uint32_t version) {
    static const uint64_t ne_a[2] = {3, 2}, ne_b[2] = {32, 2};
    float f = 1.5f;
    double g = -2.25;
    uint64_t fb;
    size_t data;
    int i;
    gb_head(b, version, 2, 16);
    gb_str(b, "u8"), gb_u32(b, HL_GGUF_UINT8), b->buf[b->n++] = 200;
    gb_str(b, "i8"), gb_u32(b, HL_GGUF_INT8), b->buf[b->n++] = (uint8_t)(int8_t)-5;
    gb_str(b, "u16"), gb_u32(b, HL_GGUF_UINT16), b->buf[b->n++] = 0x34, b->buf[b->n++] = 0x12;
    gb_str(b, "i16"), gb_u32(b, HL_GGUF_INT16), b->buf[b->n++] = 0xff, b->buf[b->n++] = 0xff;
    gb_kv_u32(b, "u32", 4000000000u);
    gb_str(b, "i32"), gb_u32(b, HL_GGUF_INT32), gb_u32(b, (uint32_t)-7);
    gb_str(b, "f32"), gb_u32(b, HL_GGUF_FLOAT32), memcpy(&fb, &f, 4), gb_u32(b, (uint32_t)fb);
    gb_str(b, "bool"), gb_u32(b, HL_GGUF_BOOL), b->buf[b->n++] = 1;
    gb_str(b, "str"), gb_u32(b, HL_GGUF_STRING), gb_str(b, "hello");
    gb_str(b, "u64"), gb_u32(b, HL_GGUF_UINT64), gb_u64(b, 1ull << 40);
    gb_str(b, "i64"), gb_u32(b, HL_GGUF_INT64), gb_u64(b, (uint64_t)-3);
    gb_str(b, "f64"), gb_u32(b, HL_GGUF_FLOAT64), memcpy(&fb, &g, 8), gb_u64(b, fb);
    gb_str(b, "arr_i32"), gb_u32(b, HL_GGUF_ARRAY), gb_u32(b, HL_GGUF_INT32), gb_u64(b, 3);
    for (i = 0; i < 3; i++) gb_u32(b, (uint32_t)(i * 10 - 1));
    gb_str(b, "arr_str"), gb_u32(b, HL_GGUF_ARRAY), gb_u32(b, HL_GGUF_STRING), gb_u64(b, 3);
    gb_str(b, "a"), gb_str(b, ""), gb_str(b, "ccc");
    gb_str(b, "nested"), gb_u32(b, HL_GGUF_ARRAY), gb_u32(b, HL_GGUF_ARRAY), gb_u64(b, 2);
    gb_u32(b, HL_GGUF_UINT8), gb_u64(b, 2), b->buf[b->n++] = 1, b->buf[b->n++] = 2;
    gb_u32(b, HL_GGUF_STRING), gb_u64(b, 1), gb_str(b, "x");
    gb_kv_u32(b, "general.alignment", 64);
    gb_tensor(b, "a", 2, ne_a, 0, 0);
    gb_tensor(b, "b", 2, ne_b, 8, 64);
    gb_pad(b, 64);
    data = b->n;
    for (i = 0; i < 6; i++) {
        f = (float)i + 0.5f;
        memcpy(b->buf + b->n, &f, 4), b->n += 4;
    }
    gb_pad(b, 64);
    for (i = 0; i < 2; i++) { /* Q8_0 rows: d = 1, 2; q[k] = k - 16 */
        int k;
        uint16_t h = hl_f32_to_f16((float)(i + 1));
        b->buf[b->n++] = (uint8_t)h, b->buf[b->n++] = (uint8_t)(h >> 8);
        for (k = 0; k < 32; k++) b->buf[b->n++] = (uint8_t)(int8_t)(k - 16);
    }
    return data;
}

static void test_gguf_read(void) {
    gb *b = (gb *)calloc(1, sizeof *b);
    hl_gguf *g = NULL;
    hl_error e;
    uint32_t v;
    for (v = 2; v <= 3; v++) {
        size_t data = gb_valid(b, v), len = 0;
        double d;
        int64_t n;
        const char *s;
        const hl_tensor *t;
        CHECK_OK(hl_gguf_open_memory(b->buf, b->n, "valid.gguf", &g, &e), &e);
        if (!g) break;
        CHECK(hl_gguf_version(g) == v && hl_gguf_alignment(g) == 64 && hl_gguf_kv_count(g) == 16);
        CHECK(hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "u8"), &n) && n == 200);
        CHECK(hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "i8"), &n) && n == -5);
        CHECK(hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "u16"), &n) && n == 0x1234);
        CHECK(hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "i16"), &n) && n == -1);
        CHECK(hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "u32"), &n) && n == 4000000000ll);
        CHECK(hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "i32"), &n) && n == -7);
        CHECK(hl_gguf_get_num(g, (size_t)hl_gguf_kv_find(g, "f32"), &d) && d == 1.5);
        CHECK(!hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "f32"), &n)); /* a float is not an integer */
        CHECK(hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "bool"), &n) && n == 1);
        CHECK((s = hl_gguf_get_str(g, (size_t)hl_gguf_kv_find(g, "str"), &len)) && len == 5 && memcmp(s, "hello", 5) == 0);
        CHECK(hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "u64"), &n) && n == 1ll << 40);
        CHECK(hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "i64"), &n) && n == -3);
        CHECK(hl_gguf_get_num(g, (size_t)hl_gguf_kv_find(g, "f64"), &d) && d == -2.25);
        CHECK(hl_gguf_kv_type(g, (size_t)hl_gguf_kv_find(g, "arr_i32")) == HL_GGUF_ARRAY);
        CHECK(hl_gguf_arr_count(g, (size_t)hl_gguf_kv_find(g, "arr_i32")) == 3);
        CHECK(hl_gguf_arr_int(g, (size_t)hl_gguf_kv_find(g, "arr_i32"), 2, &n) && n == 19);
        CHECK(!hl_gguf_arr_int(g, (size_t)hl_gguf_kv_find(g, "arr_i32"), 3, &n));
        CHECK((s = hl_gguf_arr_str(g, (size_t)hl_gguf_kv_find(g, "arr_str"), 2, &len)) && len == 3 && memcmp(s, "ccc", 3) == 0);
        CHECK((s = hl_gguf_arr_str(g, (size_t)hl_gguf_kv_find(g, "arr_str"), 1, &len)) && len == 0);
        CHECK(hl_gguf_arr_type(g, (size_t)hl_gguf_kv_find(g, "nested")) == HL_GGUF_ARRAY);
        CHECK(hl_gguf_arr_count(g, (size_t)hl_gguf_kv_find(g, "nested")) == 2);
        CHECK(!hl_gguf_arr_num(g, (size_t)hl_gguf_kv_find(g, "nested"), 0, &d));
        CHECK(hl_gguf_kv_find(g, "absent") == -1 && hl_gguf_get_str(g, 0, NULL) == NULL);
        CHECK(hl_gguf_tensor_count(g) == 2 && strcmp(hl_gguf_tensor_name(g, 1), "b") == 0);
        t = hl_gguf_find(g, "a");
        CHECK(t && t->dtype == HL_DTYPE_F32 && t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 3);
        CHECK(t && hl_tensor_get_f32(t, 5) == 5.5f && (const uint8_t *)t->data == b->buf + data);
        t = hl_gguf_find(g, "b");
        CHECK(t && t->dtype == HL_DTYPE_Q8_0 && t->shape[0] == 2 && t->shape[1] == 32 && hl_tensor_nbytes(t) == 68);
        CHECK(t && hl_tensor_get_f32(t, 32 + 20) == 8.0f && hl_tensor_get_f32(t, 0) == -16.0f);
        CHECK(hl_gguf_tensor_ggml_type(g, 1) == 8 && hl_gguf_tensor_offset(g, 1) == data + 64);
        hl_gguf_close(g);
        g = NULL;
    }
    free(b);
}

/* Opens b's bytes and expects failure with `st` and a message containing `want`. */
static int gguf_fails(const gb *b, hl_status st, const char *want, const char *what) {
    hl_gguf *g = NULL;
    hl_error e;
    hl_status got = hl_gguf_open_memory(b->buf, b->n, "bad.gguf", &g, &e);
    if (got == HL_OK) hl_gguf_close(g);
    if (got != st || g || !strstr(e.msg, want)) {
        printf("  %s: got %s \"%s\", want %s containing \"%s\"\n", what, hl_status_str(got), got ? e.msg : "",
               hl_status_str(st), want);
        return 1;
    }
    return 0;
}

static void test_gguf_hostile(void) {
    gb *b = (gb *)calloc(1, sizeof *b), *v = (gb *)calloc(1, sizeof *v);
    static const uint64_t ne1[1] = {32}, ne_big[2] = {1ull << 40, 1ull << 40}, ne_odd[1] = {40};
    size_t n, cut, bad = 0;
    /* every truncation of a valid file fails cleanly (ASan watches the reads) */
    n = gb_valid(v, 3);
    (void)n;
    for (cut = 0; cut < v->n; cut++) {
        hl_gguf *g = NULL;
        hl_error e;
        hl_status st = hl_gguf_open_memory(v->buf, cut, "cut.gguf", &g, &e);
        if (st == HL_OK) hl_gguf_close(g);
        if (st != HL_ERR_FORMAT || !strstr(e.msg, "cut.gguf")) bad++;
    }
    CHECKF(bad == 0, "%zu of %zu truncations not rejected as malformed", bad, v->n);
    /* magic, versions */
    *b = *v, memcpy(b->buf, "GGUG", 4);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "no \"GGUF\" magic", "magic"));
    *b = *v, b->buf[4] = 1;
    CHECK(!gguf_fails(b, HL_ERR_UNSUPPORTED, "version 1", "v1"));
    *b = *v, b->buf[4] = 4;
    CHECK(!gguf_fails(b, HL_ERR_UNSUPPORTED, "version 4", "v4"));
    /* absurd counts */
    gb_head(b, 3, 1ull << 40, 0);
    CHECK(!gguf_fails(b, HL_ERR_LIMIT, "HL_MAX_TENSORS", "tensor count"));
    gb_head(b, 3, 0, 1ull << 60);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "cannot fit", "kv count"));
    gb_head(b, 3, 0, 1), gb_str(b, "k"), gb_u32(b, HL_GGUF_ARRAY), gb_u32(b, HL_GGUF_UINT64), gb_u64(b, 1ull << 62);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "truncated", "array count"));
    gb_head(b, 3, 0, 1), gb_str(b, "k"), gb_u32(b, HL_GGUF_ARRAY), gb_u32(b, HL_GGUF_STRING), gb_u64(b, 1ull << 61);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "truncated", "string array count"));
    gb_head(b, 3, 0, 1), gb_str(b, "k"), gb_u32(b, HL_GGUF_STRING), gb_u64(b, 1ull << 63);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "truncated", "string length"));
    gb_head(b, 3, 0, 1), gb_u64(b, ~0ull), b->n += 16;
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "truncated", "key length"));
    /* unknown value types, bad bools, duplicates, deep nesting */
    gb_head(b, 3, 0, 1), gb_str(b, "k"), gb_u32(b, 13), gb_u64(b, 0);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "unknown value type 13", "value type"));
    gb_head(b, 3, 0, 1), gb_str(b, "k"), gb_u32(b, HL_GGUF_ARRAY), gb_u32(b, 99), gb_u64(b, 0);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "array of unknown type 99", "array type"));
    gb_head(b, 3, 0, 1), gb_str(b, "k"), gb_u32(b, HL_GGUF_BOOL), b->buf[b->n++] = 2;
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "bool value 2", "bool"));
    gb_head(b, 3, 0, 2), gb_kv_u32(b, "k", 1), gb_kv_u32(b, "k", 2);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "appears twice", "duplicate key"));
    gb_head(b, 3, 0, 1), gb_str(b, "k"), gb_u32(b, HL_GGUF_ARRAY);
    for (n = 0; n < 6; n++) gb_u32(b, HL_GGUF_ARRAY), gb_u64(b, 1);
    b->n += 16;
    CHECK(!gguf_fails(b, HL_ERR_LIMIT, "nested more than 4", "nesting"));
    gb_head(b, 3, 0, 1), gb_u64(b, 3), gb_bytes(b, "a\0b", 3), gb_u32(b, HL_GGUF_UINT8), b->buf[b->n++] = 0;
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "NUL byte", "NUL in key"));
    gb_head(b, 3, 0, 1), gb_kv_u32(b, "general.alignment", 24);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "power of two", "alignment"));
    /* tensor infos */
    gb_head(b, 3, 1, 0), gb_tensor(b, "t", 0, ne1, 0, 0);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "0 dimensions", "n_dims 0"));
    gb_head(b, 3, 1, 0), gb_str(b, "t"), gb_u32(b, 5);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "5 dimensions", "n_dims 5"));
    gb_head(b, 3, 1, 0), gb_tensor(b, "t", 2, ne_big, 0, 0);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "overflow", "dims overflow"));
    {
        static const uint64_t ne_row[1] = {1ull << 62}; /* 2^62 F32: 2^64 bytes, a row size that overflows */
        gb_head(b, 3, 1, 0), gb_tensor(b, "t", 1, ne_row, 0, 0), gb_pad(b, 32), b->n += 64;
        CHECK(!gguf_fails(b, HL_ERR_FORMAT, "overflows", "row bytes overflow"));
    }
    gb_head(b, 3, 1, 0), gb_tensor(b, "t", 1, ne1, 19, 0);
    CHECK(!gguf_fails(b, HL_ERR_UNSUPPORTED, "ggml type 19", "unknown ggml type"));
    gb_head(b, 3, 1, 0), gb_tensor(b, "t", 1, ne_odd, 8, 0);
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "not whole Q8_0 blocks", "partial block"));
    gb_head(b, 3, 1, 0), gb_tensor(b, "t", 1, ne1, 0, 16), gb_pad(b, 32), b->n += 256;
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "not a multiple of the alignment", "unaligned offset"));
    gb_head(b, 3, 1, 0), gb_tensor(b, "t", 1, ne1, 0, 64), gb_pad(b, 32), b->n += 128;
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "run past the end", "data past the end"));
    gb_head(b, 3, 1, 0), gb_tensor(b, "t", 1, ne1, 0, ~0ull - 31), gb_pad(b, 32), b->n += 128;
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "run past the end", "huge offset"));
    gb_head(b, 3, 2, 0), gb_tensor(b, "t", 1, ne1, 0, 0), gb_tensor(b, "u", 1, ne1, 0, 96), gb_pad(b, 32), b->n += 64;
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "run past the end", "second past the end"));
    gb_head(b, 3, 2, 0), gb_tensor(b, "t", 1, ne1, 0, 0), gb_tensor(b, "u", 1, ne1, 0, 96), gb_pad(b, 32), b->n += 224;
    gb_head(b, 3, 2, 0), gb_tensor(b, "t", 1, ne1, 0, 96), gb_tensor(b, "u", 1, ne1, 0, 64), gb_pad(b, 32), b->n += 256;
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "overlap", "overlapping"));
    gb_head(b, 3, 2, 0), gb_tensor(b, "t", 1, ne1, 0, 0), gb_tensor(b, "t", 1, ne1, 0, 128), gb_pad(b, 32), b->n += 256;
    CHECK(!gguf_fails(b, HL_ERR_FORMAT, "appears twice", "duplicate tensor"));
    free(b);
    free(v);
}

/* The real gemma-3-270m Q4_K_M (make fetch-gemma3): its metadata and tensor types as meta.json's
   how_made lists them. A missing file fails. */
static void test_gguf_gemma3_file(void) {
    char path[1024];
    const char *data = getenv("HOOKLENS_DATA"), *home = getenv("HOME");
    hl_gguf *g = NULL;
    hl_error e;
    size_t len, i, counts[HL_DTYPE_COUNT] = {0};
    const char *s;
    if (data) snprintf(path, sizeof path, "%s/gemma-3-270m-q4_k_m.gguf", data);
    else snprintf(path, sizeof path, "%s/.cache/hooklens/gemma-3-270m-q4_k_m.gguf", home ? home : ".");
    if (!hlt_need(path)) {
        printf("  (run `make fetch-gemma3`)\n");
        return;
    }
    CHECK_OK(hl_gguf_open(path, &g, &e), &e);
    if (!g) return;
    CHECK((s = hl_gguf_get_str(g, (size_t)hl_gguf_kv_find(g, "general.architecture"), &len)) && len == 6 &&
          memcmp(s, "gemma3", 6) == 0);
    CHECK(hl_gguf_tensor_count(g) == 236 && hl_gguf_arr_count(g, (size_t)hl_gguf_kv_find(g, "tokenizer.ggml.tokens")) == 262144);
    for (i = 0; i < hl_gguf_tensor_count(g); i++) counts[hl_gguf_tensor(g, i)->dtype]++;
    /* 18 layers x 4 norms + 2x18 q/k norms + output_norm = 109 F32; Q8_0: token_embd + 9 attn_v */
    CHECKF(counts[HL_DTYPE_F32] == 109 && counts[HL_DTYPE_Q8_0] == 10 && counts[HL_DTYPE_Q5_0] == 4 * 18 + 9 &&
           counts[HL_DTYPE_Q4_K] == 18 + 9 && counts[HL_DTYPE_Q6_K] == 9,
           "F32 %zu Q8_0 %zu Q5_0 %zu Q4_K %zu Q6_K %zu", counts[HL_DTYPE_F32], counts[HL_DTYPE_Q8_0],
           counts[HL_DTYPE_Q5_0], counts[HL_DTYPE_Q4_K], counts[HL_DTYPE_Q6_K]);
    hl_gguf_close(g);
}

/* A folder through `hooklens convert-gguf --dtype DTYPE` reads back as the same model: every hook
   point and the logits, with Hugging Face's raw numbers (Gemma norms stored as 1 + w, Llama's q/k
   rows in llama.cpp's order, config from the metadata). tol 0: bit for bit; else each point's
   hlt_rel_err at most tol, and the worst is returned. */
static double gguf_roundtrip_as(const char *fixture, const char *dtype, double tol) {
    static const int32_t toks[12] = {2, 5, 9, 100, 7, 33, 5, 9, 100, 250, 1, 17};
    char cmd[1200];
    hl_model_desc d;
    hl_model *a = NULL, *b = NULL;
    hl_cache *ca = NULL, *cb = NULL;
    hl_error e;
    const char *dir = hlt_fixture(fixture);
    float *la, *lb;
    size_t i, bad = 0;
    int64_t V;
    double worst = 0;
    if (!hlt_need(dir) || !hlt_need("build/hooklens")) return INFINITY;
    snprintf(cmd, sizeof cmd, "./build/hooklens convert-gguf %s build/roundtrip.gguf --dtype %s > /dev/null", dir, dtype);
    CHECK(system(cmd) == 0);
    memset(&d, 0, sizeof d);
    d.path = dir, d.no_processing = 1;
    CHECK_OK(hl_model_load(&d, &a, &e), &e);
    d.path = "build/roundtrip.gguf";
    CHECK_OK(hl_model_load(&d, &b, &e), &e);
    if (!a || !b) goto done;
    V = hl_model_config(a)->d_vocab;
    CHECK(hl_model_config(b)->d_vocab == V && hl_model_config(b)->arch == hl_model_config(a)->arch);
    CHECK(hl_model_config(b)->window == hl_model_config(a)->window && hl_model_config(b)->d_head == hl_model_config(a)->d_head);
    la = (float *)malloc((size_t)(12 * V) * 4), lb = (float *)malloc((size_t)(12 * V) * 4);
    CHECK_OK(hl_cache_create(&ca, &e), &e);
    CHECK_OK(hl_cache_create(&cb, &e), &e);
    CHECK_OK(hl_model_run_with_cache(a, toks, 12, NULL, ca, la, &e), &e);
    CHECK_OK(hl_model_run_with_cache(b, toks, 12, NULL, cb, lb, &e), &e);
    if (tol == 0) CHECKF(memcmp(la, lb, (size_t)(12 * V) * 4) == 0, "%s: logits differ", fixture);
    else worst = hlt_rel_err(lb, la, 12 * V);
    { /* the same file as an image in memory (hl_model_desc.weights[0], no config_json): the same bits */
        size_t len = 0;
        char *img = hlt_read_file("build/roundtrip.gguf", &len);
        const void *imgs[1];
        size_t sizes[1];
        hl_model_desc dm;
        hl_model *c = NULL;
        float *lc = (float *)malloc((size_t)(12 * V) * 4);
        CHECK(img != NULL && lc != NULL);
        imgs[0] = img, sizes[0] = len;
        memset(&dm, 0, sizeof dm);
        dm.weights = imgs, dm.weight_sizes = sizes, dm.n_weights = 1, dm.no_processing = 1;
        CHECK_OK(hl_model_load(&dm, &c, &e), &e);
        if (c && lc) {
            CHECK_OK(hl_model_run(c, toks, 12, lc, &e), &e);
            CHECKF(memcmp(lb, lc, (size_t)(12 * V) * 4) == 0, "%s: logits from memory differ", fixture);
        }
        hl_model_free(c);
        free(lc);
        free(img);
    }
    CHECK(hl_cache_count(ca) == hl_cache_count(cb) && hl_cache_count(ca) > 20);
    for (i = 0; i < hl_cache_count(ca); i++) {
        const hl_tensor *x = hl_cache_tensor(ca, i), *y = hl_cache_get(cb, hl_cache_name(ca, i));
        double r = 0;
        if (!y || hl_tensor_nbytes(x) != hl_tensor_nbytes(y)) r = INFINITY;
        else if (tol == 0) r = memcmp(x->data, y->data, hl_tensor_nbytes(x)) != 0 ? INFINITY : 0;
        else r = hlt_rel_err((const float *)y->data, (const float *)x->data, (long long)hl_tensor_numel(x));
        if (r > worst) worst = r;
        if (r > tol && bad++ < 3) printf("  %s (%s): %s differs (rel %.3g)\n", fixture, dtype, hl_cache_name(ca, i), r);
    }
    CHECK(bad == 0);
    CHECKF(worst <= tol, "%s (%s): worst relative error %.3g > %.3g", fixture, dtype, worst, tol);
    free(la), free(lb);
done:
    hl_cache_free(ca), hl_cache_free(cb);
    hl_model_free(a), hl_model_free(b);
    remove("build/roundtrip.gguf");
    return worst;
}
static void gguf_roundtrip(const char *fixture) {
    gguf_roundtrip_as(fixture, "keep", 0);
}
/* The norm before the MLP under llama.cpp's name for the architecture (gguf-py tensor_mapping.py):
   Gemma-1's post_attention_layernorm is ffn_norm (as Llama's), Gemma-2's pre_feedforward_layernorm
   is ffn_norm and its post_attention_layernorm post_attention_norm. */
static void gguf_norm_names(const char *fixture, const char *has, const char *lacks) {
    char cmd[1200];
    hl_gguf *g = NULL;
    hl_error e;
    const char *dir = hlt_fixture(fixture);
    if (!hlt_need(dir)) return;
    snprintf(cmd, sizeof cmd, "./build/hooklens convert-gguf %s build/names.gguf > /dev/null", dir);
    CHECK(system(cmd) == 0);
    CHECK_OK(hl_gguf_open("build/names.gguf", &g, &e), &e);
    if (g) CHECKF(hl_gguf_find(g, has) && (!lacks || !hl_gguf_find(g, lacks)), "%s: want %s%s%s", fixture, has,
                  lacks ? ", not " : "", lacks ? lacks : "");
    hl_gguf_close(g);
    remove("build/names.gguf");
}
static void test_gguf_roundtrip_gemma(void) {
    gguf_roundtrip("models/gemma2-tiny");
    gguf_roundtrip("models/gemma2-tiny-bf16");
    gguf_roundtrip("models/gemma2-tiny-softcap");
    gguf_roundtrip("models/gemma1-tiny");
    gguf_norm_names("models/gemma1-tiny", "blk.0.ffn_norm.weight", "blk.0.post_attention_norm.weight");
    gguf_norm_names("models/gemma2-tiny", "blk.0.post_attention_norm.weight", NULL);
    gguf_norm_names("models/gemma2-tiny", "blk.0.ffn_norm.weight", NULL);
    gguf_norm_names("models/llama-tiny", "blk.0.ffn_norm.weight", "blk.0.post_attention_norm.weight");
}

/* `make-random-model --format gguf --dtype q4_k`: a gemma-2-shaped file whose matrices are Q4_K
   (the d_model 512 rows are whole 256-blocks) that loads and runs to finite logits, and whose
   Q4_K matrices dequantize to the bf16 values they were written from within 4-bit rounding (10% of
   each block's largest magnitude; checked on blk.0.ffn_up against the same seed's bf16 folder). */
static void test_gguf_random_q4_k(void) {
    static const int32_t toks[6] = {2, 5, 9, 100, 7, 33};
    hl_model_desc d;
    hl_model *m = NULL;
    hl_gguf *g = NULL;
    hl_weights *w = NULL;
    hl_error e;
    const hl_tensor *q, *f;
    float *logits = NULL, *row;
    int64_t i, k, n_q4k = 0;
    double worst = 0;
    if (!hlt_need("build/hooklens")) return;
    CHECK(system("./build/hooklens make-random-model --like small --layers 1 --seed 7 --format gguf --dtype q4_k build/rm_q4k.gguf"
                 " > /dev/null 2>&1 && ./build/hooklens make-random-model --like small --layers 1 --seed 7 build/rm_q4k_ref > /dev/null 2>&1") == 0);
    CHECK_OK(hl_gguf_open("build/rm_q4k.gguf", &g, &e), &e);
    CHECK_OK(hl_weights_open("build/rm_q4k_ref", &w, &e), &e);
    if (!g || !w) goto done;
    for (i = 0; i < (int64_t)hl_gguf_tensor_count(g); i++) n_q4k += hl_gguf_tensor(g, (size_t)i)->dtype == HL_DTYPE_Q4_K;
    CHECKF(n_q4k == 8, "%lld Q4_K tensors (embedding + 7 matrices of the layer)", (long long)n_q4k);
    q = hl_gguf_find(g, "blk.0.ffn_up.weight"), f = hl_weights_find(w, "model.layers.0.mlp.up_proj.weight");
    CHECK(q && f && q->dtype == HL_DTYPE_Q4_K && hl_tensor_numel(q) == hl_tensor_numel(f));
    if (q && f && hl_tensor_numel(q) == hl_tensor_numel(f)) {
        const int64_t K = q->shape[1];
        row = (float *)malloc((size_t)K * sizeof(float));
        for (i = 0; i < q->shape[0]; i += 97) {
            CHECK_OK(hl_dequantize_row(HL_DTYPE_Q4_K, (const uint8_t *)q->data + (size_t)i * hl_dtype_row_bytes(HL_DTYPE_Q4_K, K), row, K, &e), &e);
            for (k = 0; k < K; k++) {
                double am = 0;
                int64_t b;
                for (b = k / 256 * 256; b < k / 256 * 256 + 256; b++)
                    am = fabs(hl_tensor_get_f32(f, i * K + b)) > am ? fabs(hl_tensor_get_f32(f, i * K + b)) : am;
                if (fabs(row[k] - hl_tensor_get_f32(f, i * K + k)) / am > worst) worst = fabs(row[k] - hl_tensor_get_f32(f, i * K + k)) / am;
            }
        }
        free(row);
    }
    CHECKF(worst <= 0.1, "Q4_K rows vs the bf16 folder: %.3g of the block's max", worst);
    memset(&d, 0, sizeof d);
    d.path = "build/rm_q4k.gguf", d.n_threads = 2;
    CHECK_OK(hl_model_load(&d, &m, &e), &e);
    if (!m) goto done;
    logits = (float *)malloc((size_t)(6 * hl_model_config(m)->d_vocab) * sizeof(float));
    CHECK_OK(hl_model_run(m, toks, 6, logits, &e), &e);
    for (i = 0; i < 6 * hl_model_config(m)->d_vocab; i++)
        if (!isfinite(logits[i])) break;
    CHECK(i == 6 * hl_model_config(m)->d_vocab);
done:
    free(logits);
    hl_model_free(m);
    hl_gguf_close(g);
    hl_weights_close(w);
    CHECK(system("rm -rf build/rm_q4k.gguf build/rm_q4k_ref") == 0);
}

/* Llama and Mistral folders as llama.cpp's "llama" files: the q/k rows are stored in llama.cpp's
   rotary-pair order (row 2i + half of a head = the folder's row half * dh/2 + i: checked on the
   file itself), hooklens undoes it, and every hook and the logits come back bit for bit (f32), or
   within 8e-2 relative error per point with q8_0 matrices (measured worst: 5.2e-2 llama-tiny, 5.3e-2
   mistral-tiny, in attn.hook_z of the last layers; gemma2-tiny at q8_0 gives 1.9e-2; an order
   left permuted gives errors of order 1). W_Q / W_K in TL's shapes agree bit for bit too. */
static void gguf_llama_file_rows(const char *fixture, int64_t dh) {
    char cmd[1200], nm[64];
    hl_gguf *g = NULL;
    hl_weights *w = NULL;
    hl_error e;
    const char *dir = hlt_fixture(fixture);
    int s;
    if (!hlt_need(dir)) return;
    snprintf(cmd, sizeof cmd, "./build/hooklens convert-gguf %s build/rows.gguf --dtype f32 > /dev/null", dir);
    CHECK(system(cmd) == 0);
    CHECK_OK(hl_gguf_open("build/rows.gguf", &g, &e), &e);
    CHECK_OK(hl_weights_open(dir, &w, &e), &e);
    for (s = 0; g && w && s < 2; s++) {
        const hl_tensor *st, *hf;
        int64_t r, k, heads, bad = 0;
        snprintf(nm, sizeof nm, "blk.1.attn_%c.weight", s ? 'k' : 'q');
        st = hl_gguf_find(g, nm);
        snprintf(nm, sizeof nm, "model.layers.1.self_attn.%c_proj.weight", s ? 'k' : 'q');
        hf = hl_weights_find(w, nm);
        CHECK(st && hf && st->ndim == 2 && hf->ndim == 2 && st->shape[0] == hf->shape[0] && st->shape[1] == hf->shape[1]);
        if (!st || !hf) continue;
        heads = hf->shape[0] / dh;
        for (r = 0; r < heads * dh; r++) {
            const int64_t h = r / dh, j = r % dh, src = h * dh + (j % 2) * (dh / 2) + j / 2;
            for (k = 0; k < hf->shape[1]; k++)
                bad += hl_tensor_get_f32(st, r * hf->shape[1] + k) != hl_tensor_get_f32(hf, src * hf->shape[1] + k);
        }
        CHECKF(bad == 0, "%s: %lld values of %s not in llama.cpp's row order", fixture, (long long)bad, nm);
    }
    hl_gguf_close(g);
    hl_weights_close(w);
    remove("build/rows.gguf");
}
static void gguf_llama_params(const char *fixture) {
    char cmd[1200];
    hl_model_desc d;
    hl_model *a = NULL, *b = NULL;
    hl_error e;
    const char *dir = hlt_fixture(fixture), *names[4] = {"W_Q", "W_K", "W_V", "W_O"};
    int i;
    if (!hlt_need(dir)) return;
    snprintf(cmd, sizeof cmd, "./build/hooklens convert-gguf %s build/params.gguf > /dev/null", dir);
    CHECK(system(cmd) == 0);
    memset(&d, 0, sizeof d);
    d.path = dir;
    CHECK_OK(hl_model_load(&d, &a, &e), &e);
    d.path = "build/params.gguf";
    CHECK_OK(hl_model_load(&d, &b, &e), &e);
    for (i = 0; a && b && i < 4; i++) {
        hl_tensor x, y;
        CHECK_OK(hl_model_param(a, names[i], 2, &x, &e), &e);
        CHECK_OK(hl_model_param(b, names[i], 2, &y, &e), &e);
        CHECKF(hl_tensor_nbytes(&x) == hl_tensor_nbytes(&y) && memcmp(x.data, y.data, hl_tensor_nbytes(&x)) == 0,
               "%s: %s differs", fixture, names[i]);
        hl_free(x.data), hl_free(y.data);
    }
    hl_model_free(a), hl_model_free(b);
    remove("build/params.gguf");
}
static void test_gguf_roundtrip_llama(void) {
    double q;
    gguf_llama_file_rows("models/llama-tiny", 8);
    gguf_llama_file_rows("models/mistral-tiny", 16);
    gguf_roundtrip_as("models/llama-tiny", "keep", 0);
    gguf_roundtrip_as("models/mistral-tiny", "keep", 0);
    q = gguf_roundtrip_as("models/llama-tiny", "q8_0", 8e-2);
    CHECKF(q > 0, "llama-tiny q8_0: bit-identical to f32, so the matrices were not quantized");
    q = gguf_roundtrip_as("models/mistral-tiny", "q8_0", 8e-2);
    CHECKF(q > 0, "mistral-tiny q8_0: bit-identical to f32, so the matrices were not quantized");
    gguf_llama_params("models/llama-tiny");
}

/* A "llama" file asking for what hooklens does not compute is refused with a message naming it. */
static void test_gguf_llama_refused(void) {
    static const uint64_t ne_emb[2] = {8, 16};
    static const struct { const char *key; uint32_t v; int rope_freqs; const char *want; } cases[] = {
        {"llama.expert_count", 8, 0, "mixture-of-experts"},
        {"llama.rope.dimension_count", 4, 0, "rope.dimension_count 4 is not head_dim 8"},
        {"llama.context_length", 64, 1, "rope_freqs.weight"},
        {"llama.attention.sliding_window", 0, 0, "sliding_window 0"},
    };
    gb *b = (gb *)calloc(1, sizeof *b);
    size_t c;
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        static const uint64_t ne_rf[1] = {4};
        hl_model_desc d;
        hl_model *m = NULL;
        hl_error e;
        FILE *f;
        hl_status st;
        gb_head(b, 3, cases[c].rope_freqs ? 2 : 1, 7);
        gb_str(b, "general.architecture"), gb_u32(b, HL_GGUF_STRING), gb_str(b, "llama");
        gb_kv_u32(b, "llama.embedding_length", 8);
        gb_kv_u32(b, "llama.block_count", 1);
        gb_kv_u32(b, "llama.feed_forward_length", 32);
        gb_kv_u32(b, "llama.attention.head_count", 1);
        gb_kv_u32(b, "llama.attention.head_count_kv", 1);
        gb_kv_u32(b, cases[c].key, cases[c].v);
        gb_tensor(b, "token_embd.weight", 2, ne_emb, 0, 0);
        if (cases[c].rope_freqs) gb_tensor(b, "rope_freqs.weight", 1, ne_rf, 0, 512);
        gb_pad(b, 32);
        memset(b->buf + b->n, 0, 512 + 32), b->n += 512 + 32;
        CHECK((f = fopen("build/refused.gguf", "wb")) != NULL);
        if (!f) break;
        CHECK(fwrite(b->buf, 1, b->n, f) == b->n);
        fclose(f);
        memset(&d, 0, sizeof d);
        d.path = "build/refused.gguf", d.no_tokenizer = 1;
        st = hl_model_load(&d, &m, &e);
        CHECKF(st != HL_OK && m == NULL && strstr(e.msg, cases[c].want), "case %zu: got %s \"%s\", want \"%s\"", c,
               hl_status_str(st), st ? e.msg : "", cases[c].want);
        hl_model_free(m);
    }
    remove("build/refused.gguf");
    free(b);
}

void suite_gguf(void) {
    RUN(test_gguf_random_q4_k);
    RUN(test_gguf_roundtrip_gemma);
    RUN(test_gguf_roundtrip_llama);
    RUN(test_gguf_llama_refused);
    RUN(test_gguf_read);
    RUN(test_gguf_hostile);
    RUN(test_gguf_gemma3_file);
}
