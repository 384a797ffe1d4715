/* tests/test_safetensors.c - safetensors reader on every fixture (single file, sharded via the index,
   bf16), hl_weights over model folders, and the writer round trip. */
#include <stdlib.h>
#include <unistd.h>
#include "hl_test.h"

typedef struct {
    const char *file;    /* relative to the fixtures folder */
    size_t      count;   /* tensors in the file */
    const char *name;    /* one tensor, spot-checked */
    const char *dtype;
    int         ndim;
    int64_t     shape[4];
    double      first;   /* its element 0 */
    uint64_t    data_size;
} st_fact;

/* Facts read from the fixture headers (first and last entry of every file). */
static const st_fact st_facts[] = {
    {"models/gemma1-tiny/model.safetensors", 38, "model.embed_tokens.weight", "F32", 2, {512, 64, 0, 0}, 0.8870365023612976, 887040},
    {"models/gemma1-tiny/model.safetensors", 38, "model.norm.weight", "F32", 1, {64, 0, 0, 0}, -0.24074189364910126, 887040},
    {"models/gemma1-tiny/reference.safetensors", 85, "tokens", "I64", 2, {1, 20, 0, 0}, 2.0, 507760},
    {"models/gemma1-tiny/reference.safetensors", 85, "logits", "F32", 3, {1, 20, 512, 0}, 5.309577465057373, 507760},
    {"models/gemma2-tiny-bf16/model.safetensors", 46, "model.embed_tokens.weight", "BF16", 2, {512, 64, 0, 0}, -0.310546875, 460928},
    {"models/gemma2-tiny-bf16/model.safetensors", 46, "model.norm.weight", "BF16", 1, {64, 0, 0, 0}, 0.30078125, 460928},
    {"models/gemma2-tiny-bf16/reference.safetensors", 101, "tokens", "I64", 2, {1, 20, 0, 0}, 2.0, 564720},
    {"models/gemma2-tiny-bf16/reference.safetensors", 101, "logits", "F32", 3, {1, 20, 512, 0}, -6.254761695861816, 564720},
    {"models/gemma2-tiny-softcap/model.safetensors", 46, "model.embed_tokens.weight", "F32", 2, {512, 64, 0, 0}, -0.21774879097938538, 921856},
    {"models/gemma2-tiny-softcap/model.safetensors", 46, "model.norm.weight", "F32", 1, {64, 0, 0, 0}, -0.0008892377954907715, 921856},
    {"models/gemma2-tiny-softcap/reference.safetensors", 101, "tokens", "I64", 2, {1, 20, 0, 0}, 2.0, 564720},
    {"models/gemma2-tiny-softcap/reference.safetensors", 101, "logits", "F32", 3, {1, 20, 512, 0}, 1.97884202003479, 564720},
    {"models/gemma2-tiny/model-00001-of-00002.safetensors", 23, "model.embed_tokens.weight", "F32", 2, {512, 64, 0, 0}, -0.31128954887390137, 526336},
    {"models/gemma2-tiny/model-00001-of-00002.safetensors", 23, "model.layers.1.self_attn.v_proj.weight", "F32", 2, {32, 64, 0, 0}, -0.04768932983279228, 526336},
    {"models/gemma2-tiny/model-00002-of-00002.safetensors", 23, "model.layers.2.input_layernorm.weight", "F32", 1, {64, 0, 0, 0}, 0.2592555582523346, 395520},
    {"models/gemma2-tiny/model-00002-of-00002.safetensors", 23, "model.norm.weight", "F32", 1, {64, 0, 0, 0}, 0.30154675245285034, 395520},
    {"models/gemma2-tiny/reference.safetensors", 101, "tokens", "I64", 2, {1, 20, 0, 0}, 2.0, 564720},
    {"models/gemma2-tiny/reference.safetensors", 101, "logits", "F32", 3, {1, 20, 512, 0}, -6.22277307510376, 564720},
    {"models/gpt2-tiny/model.safetensors", 40, "h.0.attn.c_attn.bias", "F32", 1, {192, 0, 0, 0}, -0.07952127605676651, 872704},
    {"models/gpt2-tiny/model.safetensors", 40, "wte.weight", "F32", 2, {1000, 64, 0, 0}, 0.41178569197654724, 872704},
    {"models/gpt2-tiny/reference.safetensors", 57, "tokens", "I64", 2, {1, 16, 0, 0}, 999.0, 334912},
    {"models/gpt2-tiny/reference.safetensors", 57, "logits", "F32", 3, {1, 16, 1000, 0}, -2.569511651992798, 334912},
    {"models/gptneo-tiny/model.safetensors", 56, "transformer.h.0.attn.attention.k_proj.weight", "F32", 2, {64, 64, 0, 0}, -0.013971876353025436, 1069568},
    {"models/gptneo-tiny/model.safetensors", 56, "transformer.wte.weight", "F32", 2, {1000, 64, 0, 0}, 0.565579891204834, 1069568},
    {"models/gptneo-tiny/reference.safetensors", 74, "tokens", "I64", 2, {1, 14, 0, 0}, 999.0, 364840},
    {"models/gptneo-tiny/reference.safetensors", 74, "logits", "F32", 3, {1, 14, 1000, 0}, 0.8024418354034424, 364840},
    {"models/gptneox-tiny/model.safetensors", 40, "embed_out.weight", "F32", 2, {1000, 64, 0, 0}, -0.03933911398053169, 1112320},
    {"models/gptneox-tiny/model.safetensors", 40, "gpt_neox.layers.2.post_attention_layernorm.weight", "F32", 1, {64, 0, 0, 0}, 1.331902027130127, 1112320},
    {"models/gptneox-tiny/reference.safetensors", 59, "tokens", "I64", 2, {1, 12, 0, 0}, 0.0, 252720},
    {"models/gptneox-tiny/reference.safetensors", 59, "logits", "F32", 3, {1, 12, 1000, 0}, -0.5263318419456482, 252720},
    {"models/llama-tiny/model.safetensors", 29, "model.embed_tokens.weight", "F32", 2, {512, 64, 0, 0}, 1.9249117374420166, 676608},
    {"models/llama-tiny/model.safetensors", 29, "model.norm.weight", "F32", 1, {64, 0, 0, 0}, 1.3827649354934692, 676608},
    {"models/llama-tiny/reference.safetensors", 65, "tokens", "I64", 2, {1, 18, 0, 0}, 1.0, 379368},
    {"models/llama-tiny/reference.safetensors", 65, "logits", "F32", 3, {1, 18, 512, 0}, 0.26611122488975525, 379368},
    {"models/mistral-tiny/model.safetensors", 30, "lm_head.weight", "F32", 2, {512, 64, 0, 0}, 0.15155237913131714, 755456},
    {"models/mistral-tiny/model.safetensors", 30, "model.norm.weight", "F32", 1, {64, 0, 0, 0}, 0.9427258372306824, 755456},
    {"models/mistral-tiny/reference.safetensors", 65, "tokens", "I64", 2, {1, 20, 0, 0}, 1.0, 370640},
    {"models/mistral-tiny/reference.safetensors", 65, "logits", "F32", 3, {1, 20, 512, 0}, 0.21029654145240784, 370640},
    {"real/stories260K/reference.safetensors", 7, "tokens", "I64", 2, {1, 64, 0, 0}, 1.0, 213504},
    {"real/stories260K/reference.safetensors", 7, "logits", "F32", 3, {1, 64, 512, 0}, -6.22291374206543, 213504},
    {"saes/gemma2-tiny/reference.safetensors", 19, "jumprelu.acts_post", "F32", 2, {20, 256, 0, 0}, 2.36438250541687, 404480},
    {"saes/gemma2-tiny/reference.safetensors", 19, "topk.recons", "F32", 2, {20, 64, 0, 0}, 0.021774649620056152, 404480},
    {"saes/gemma2-tiny/saelens-standard/sae_weights.safetensors", 4, "W_dec", "F32", 2, {256, 64, 0, 0}, 0.8145340085029602, 132352},
    {"saes/gemma2-tiny/saelens-standard/sae_weights.safetensors", 4, "b_enc", "F32", 1, {256, 0, 0, 0}, 0.6947621703147888, 132352},
    {"saes/gemma2-tiny/saelens-topk/sae_weights.safetensors", 4, "W_dec", "F32", 2, {256, 64, 0, 0}, 0.44036391377449036, 132352},
    {"saes/gemma2-tiny/saelens-topk/sae_weights.safetensors", 4, "b_enc", "F32", 1, {256, 0, 0, 0}, 0.18750661611557007, 132352},
};

static void test_st_fixture_files(void) {
    size_t i;
    for (i = 0; i < sizeof st_facts / sizeof st_facts[0]; i++) {
        const st_fact *f = &st_facts[i];
        const char *path = hlt_fixture(f->file);
        hl_safetensors *st = NULL;
        hl_error err, *ep = &err;
        const hl_tensor *t;
        uint64_t total = 0;
        size_t k;
        int d;
        if (!hlt_need(path)) continue;
        CHECK_OK(hl_safetensors_open(path, &st, &err), ep);
        if (!st) continue;
        CHECKF(hl_safetensors_count(st) == f->count, "%s: %zu tensors", f->file, hl_safetensors_count(st));
        t = hl_safetensors_find(st, f->name);
        CHECKF(t != NULL, "%s: %s missing", f->file, f->name);
        if (t) {
            CHECKF(strcmp(hl_dtype_name(t->dtype), f->dtype) == 0, "%s: %s dtype %s", f->file, f->name,
                   hl_dtype_name(t->dtype));
            CHECK(t->ndim == f->ndim);
            for (d = 0; d < f->ndim && d < t->ndim; d++) CHECK(t->shape[d] == f->shape[d]);
            CHECKF(hl_tensor_get_f32(t, 0) == (float)f->first, "%s: %s[0] = %g, want %g", f->file,
                   f->name, (double)hl_tensor_get_f32(t, 0), f->first);
            CHECK(((uintptr_t)t->data % hl_dtype_size(t->dtype)) == 0);
        }
        for (k = 0; k < hl_safetensors_count(st); k++) {
            const hl_tensor *u = hl_safetensors_tensor(st, k);
            CHECK(hl_safetensors_find(st, hl_safetensors_name(st, k)) == u);
            total += hl_tensor_nbytes(u);
        }
        CHECKF(total == f->data_size, "%s: tensors cover %llu of %llu data bytes", f->file,
               (unsigned long long)total, (unsigned long long)f->data_size);
        CHECK(hl_safetensors_find(st, "no.such.tensor") == NULL);
        CHECK(hl_safetensors_name(st, hl_safetensors_count(st)) == NULL);
        hl_safetensors_close(st);
    }
}

static void test_st_metadata(void) {
    const char *p = hlt_fixture("models/gemma2-tiny-bf16/model.safetensors");
    const char *r = hlt_fixture("models/gemma2-tiny/reference.safetensors");
    hl_safetensors *st = NULL;
    hl_error err, *ep = &err;
    if (!hlt_need(p) || !hlt_need(r)) return;
    CHECK_OK(hl_safetensors_open(p, &st, &err), ep);
    if (st) {
        CHECK(hl_safetensors_metadata(st, "format") && strcmp(hl_safetensors_metadata(st, "format"), "pt") == 0);
        CHECK(hl_safetensors_metadata(st, "nope") == NULL);
        CHECK(hl_tensor_get_f32(hl_safetensors_find(st, "model.embed_tokens.weight"), 0) == -0.310546875f);
        hl_safetensors_close(st);
    }
    st = NULL;
    CHECK_OK(hl_safetensors_open(r, &st, &err), ep);
    if (st) {
        const hl_tensor *tok = hl_safetensors_find(st, "tokens");
        CHECK(hl_safetensors_metadata(st, "note") != NULL);
        CHECK(tok && tok->dtype == HL_DTYPE_I64 && tok->shape[1] == 20);
        CHECK(tok && ((const int64_t *)tok->data)[0] == 2);
        hl_safetensors_close(st);
    }
}

typedef struct {
    const char *dir;
    size_t      count;
    uint64_t    bytes;
    const char *name; /* a tensor that must be present */
    hl_dtype    dtype;
} model_fact;

static const model_fact model_facts[] = {
    {"models/gemma1-tiny", 38, 887040, "model.norm.weight", HL_DTYPE_F32},
    {"models/gemma2-tiny", 46, 921856, "model.layers.3.post_feedforward_layernorm.weight", HL_DTYPE_F32},
    {"models/gemma2-tiny-bf16", 46, 460928, "model.layers.3.post_feedforward_layernorm.weight", HL_DTYPE_BF16},
    {"models/gemma2-tiny-softcap", 46, 921856, "model.embed_tokens.weight", HL_DTYPE_F32},
    {"models/gpt2-tiny", 40, 872704, "wte.weight", HL_DTYPE_F32},
    {"models/gptneo-tiny", 56, 1069568, "transformer.wte.weight", HL_DTYPE_F32},
    {"models/gptneox-tiny", 40, 1112320, "embed_out.weight", HL_DTYPE_F32},
    {"models/llama-tiny", 29, 676608, "model.norm.weight", HL_DTYPE_F32},
    {"models/mistral-tiny", 30, 755456, "lm_head.weight", HL_DTYPE_F32},
};

static void test_st_weights_folders(void) {
    size_t i, k;
    for (i = 0; i < sizeof model_facts / sizeof model_facts[0]; i++) {
        const model_fact *m = &model_facts[i];
        const char *dir = hlt_fixture(m->dir);
        hl_weights *w = NULL;
        hl_error err, *ep = &err;
        const hl_tensor *t;
        if (!hlt_need(dir)) continue;
        CHECK_OK(hl_weights_open(dir, &w, &err), ep);
        if (!w) continue;
        CHECKF(hl_weights_count(w) == m->count, "%s: %zu tensors", m->dir, hl_weights_count(w));
        CHECKF(hl_weights_total_bytes(w) == m->bytes, "%s: %llu bytes", m->dir,
               (unsigned long long)hl_weights_total_bytes(w));
        t = hl_weights_find(w, m->name);
        CHECKF(t && t->dtype == m->dtype, "%s: %s", m->dir, m->name);
        for (k = 0; k < hl_weights_count(w); k++)
            CHECK(hl_weights_find(w, hl_weights_name(w, k)) == hl_weights_tensor(w, k));
        CHECK(hl_weights_find(w, "missing") == NULL);
        hl_weights_close(w);
    }
}

/* The sharded fixture through its index file, and one shard on its own. */
static void test_st_weights_sharded(void) {
    const char *idx = hlt_fixture("models/gemma2-tiny/model.safetensors.index.json");
    const char *s1 = hlt_fixture("models/gemma2-tiny/model-00001-of-00002.safetensors");
    hl_weights *w = NULL, *w1 = NULL;
    hl_error err, *ep = &err;
    if (!hlt_need(idx) || !hlt_need(s1)) return;
    CHECK_OK(hl_weights_open(idx, &w, &err), ep);
    CHECK_OK(hl_weights_open(s1, &w1, &err), ep);
    if (w && w1) {
        const hl_tensor *a = hl_weights_find(w, "model.embed_tokens.weight");
        const hl_tensor *b = hl_weights_find(w1, "model.embed_tokens.weight");
        const hl_tensor *n = hl_weights_find(w, "model.norm.weight");
        CHECK(hl_weights_count(w) == 46 && hl_weights_count(w1) == 23);
        CHECK(strcmp(hl_weights_name(w, 0), "model.embed_tokens.weight") == 0);
        CHECK(a && b && a->shape[0] == 512 && a->shape[1] == 64);
        CHECK(a && b && memcmp(a->data, b->data, hl_tensor_nbytes(a)) == 0);
        CHECK(n && hl_tensor_get_f32(n, 0) == 0.30154675245285034f);
        CHECK(hl_weights_find(w1, "model.norm.weight") == NULL);
    }
    hl_weights_close(w);
    hl_weights_close(w1);
    hl_weights_close(NULL);
    hl_safetensors_close(NULL);
}

static void test_st_weights_errors(void) {
    hl_weights *w = NULL;
    hl_error err;
    CHECK(hl_weights_open("/nonexistent/model.safetensors", &w, &err) == HL_ERR_IO);
    CHECK(strstr(err.msg, "/nonexistent/model.safetensors: cannot open") != NULL);
    CHECK(hl_weights_open(hlt_fixture("tokenizers"), &w, &err) == HL_ERR_NOT_FOUND);
    CHECK(strstr(err.msg, "no model.safetensors or model.safetensors.index.json") != NULL);
    CHECK(hl_weights_open(NULL, &w, &err) == HL_ERR_ARG);
    CHECK(w == NULL);
}

static const char *tmp_path(const char *tag) {
    static char buf[4][256];
    static int slot;
    char *b = buf[slot++ & 3];
    snprintf(b, 256, "/tmp/hl_test_%ld_%s.safetensors", (long)getpid(), tag);
    return b;
}

static void set_tensor(hl_tensor *t, hl_dtype dt, int ndim, int64_t a, int64_t b, void *data) {
    memset(t, 0, sizeof *t);
    t->dtype = dt;
    t->ndim = ndim;
    t->shape[0] = a;
    t->shape[1] = b;
    t->data = data;
}

/* Every dtype, odd sizes (so alignment is exercised), a scalar, an empty tensor, metadata, a name
   that needs JSON escaping; read back bit-exactly, with the layout Python's safetensors accepts. */
static void test_st_write_roundtrip(void) {
    const char *path = tmp_path("rt");
    double f64[3] = {1.5, -2.25, 1e300};
    float f32[5] = {1, 2, 3, 4.5f, -0.0f};
    uint16_t bf[3] = {0x3f80, 0xc000, 0x7fc0};
    uint16_t h16[1] = {0x3c00};
    int64_t i64[1] = {-1234567890123LL};
    int32_t i32[3] = {-1, 2, 2147483647};
    int16_t i16[1] = {-300};
    int8_t i8[3] = {-128, 0, 127};
    uint8_t u8[2] = {0, 255}, bl[3] = {1, 0, 1};
    hl_tensor ts[11];
    const char *names[11] = {"bf16", "f64", "f32", "i8", "f16", "scalar_i64", "i32", "i16", "u8",
                             "bool", "we\"ird\\ name \xc3\xa9\n"};
    const char *meta[] = {"format", "pt", "note", "caf\xc3\xa9 \"quoted\"", NULL};
    hl_safetensors *st = NULL;
    hl_error err, *ep = &err;
    size_t i;
    set_tensor(&ts[0], HL_DTYPE_BF16, 1, 3, 0, bf);
    set_tensor(&ts[1], HL_DTYPE_F64, 1, 3, 0, f64);
    set_tensor(&ts[2], HL_DTYPE_F32, 2, 1, 5, f32);
    set_tensor(&ts[3], HL_DTYPE_I8, 1, 3, 0, i8);
    set_tensor(&ts[4], HL_DTYPE_F16, 1, 1, 0, h16);
    set_tensor(&ts[5], HL_DTYPE_I64, 0, 0, 0, i64);
    set_tensor(&ts[6], HL_DTYPE_I32, 1, 3, 0, i32);
    set_tensor(&ts[7], HL_DTYPE_I16, 1, 1, 0, i16);
    set_tensor(&ts[8], HL_DTYPE_U8, 1, 2, 0, u8);
    set_tensor(&ts[9], HL_DTYPE_BOOL, 1, 3, 0, bl);
    set_tensor(&ts[10], HL_DTYPE_F32, 2, 0, 7, NULL); /* empty */
    CHECK_OK(hl_safetensors_write(path, names, ts, 11, meta, &err), ep);
    CHECK_OK(hl_safetensors_open(path, &st, &err), ep);
    if (st) {
        const hl_tensor *t;
        CHECK(hl_safetensors_count(st) == 11);
        for (i = 0; i < 11; i++) {
            t = hl_safetensors_find(st, names[i]);
            CHECKF(t != NULL, "%s", names[i]);
            if (!t) continue;
            CHECK(strcmp(hl_safetensors_name(st, i), names[i]) == 0); /* header keeps the given order */
            CHECK(t->dtype == ts[i].dtype && t->ndim == ts[i].ndim);
            CHECK(hl_tensor_nbytes(t) == hl_tensor_nbytes(&ts[i]));
            CHECK(memcmp(t->shape, ts[i].shape, sizeof t->shape) == 0);
            if (hl_tensor_nbytes(t)) CHECK(memcmp(t->data, ts[i].data, hl_tensor_nbytes(t)) == 0);
            CHECKF((uintptr_t)t->data % hl_dtype_size(t->dtype) == 0, "%s misaligned", names[i]);
        }
        CHECK(strcmp(hl_safetensors_metadata(st, "note"), "caf\xc3\xa9 \"quoted\"") == 0);
        CHECK(strcmp(hl_safetensors_metadata(st, "format"), "pt") == 0);
        CHECK(hl_safetensors_metadata_count(st) == 2);
        CHECK(strcmp(hl_safetensors_metadata_key(st, 1), "note") == 0);
        CHECK(hl_safetensors_metadata_key(st, 2) == NULL);
        hl_safetensors_close(st);
    }
    /* the raw layout: header length a multiple of 8, and no gaps between tensors */
    {
        FILE *f = fopen(path, "rb");
        unsigned char len8[8];
        uint64_t hlen = 0, fsize;
        int b;
        CHECK(f != NULL);
        if (f) {
            CHECK(fread(len8, 1, 8, f) == 8);
            for (b = 7; b >= 0; b--) hlen = (hlen << 8) | len8[b];
            fseek(f, 0, SEEK_END);
            fsize = (uint64_t)ftell(f);
            fclose(f);
            CHECK(hlen % 8 == 0);
            /* data bytes: 6 + 24 + 20 + 3 + 2 + 8 + 12 + 2 + 2 + 3 + 0 = 82, no padding between */
            CHECKF(fsize == 8 + hlen + 82, "size %llu", (unsigned long long)fsize);
        }
    }
    remove(path);
}

/* Writing nothing gives "{}" padded; the reader accepts it. Bad arguments are HL_ERR_ARG. */
static void test_st_write_empty_and_errors(void) {
    const char *path = tmp_path("empty");
    hl_safetensors *st = NULL;
    hl_tensor t;
    const char *names[2] = {"a", "a"};
    hl_tensor ts[2];
    float x = 1;
    hl_error err, *ep = &err;
    CHECK_OK(hl_safetensors_write(path, NULL, NULL, 0, NULL, &err), ep);
    CHECK_OK(hl_safetensors_open(path, &st, &err), ep);
    CHECK(st && hl_safetensors_count(st) == 0);
    hl_safetensors_close(st);
    set_tensor(&ts[0], HL_DTYPE_F32, 1, 1, 0, &x);
    set_tensor(&ts[1], HL_DTYPE_F32, 1, 1, 0, &x);
    CHECK(hl_safetensors_write(path, names, ts, 2, NULL, &err) == HL_ERR_ARG);
    CHECK(strstr(err.msg, "'a' given twice") != NULL);
    set_tensor(&t, HL_DTYPE_INVALID, 1, 1, 0, &x);
    CHECK(hl_safetensors_write(path, names, &t, 1, NULL, &err) == HL_ERR_ARG);
    CHECK(strstr(err.msg, "invalid dtype") != NULL);
    set_tensor(&t, HL_DTYPE_F32, 1, -1, 0, &x);
    CHECK(hl_safetensors_write(path, names, &t, 1, NULL, &err) == HL_ERR_ARG);
    CHECK(strstr(err.msg, "invalid shape") != NULL);
    set_tensor(&t, HL_DTYPE_F32, 1, 2, 0, NULL);
    CHECK(hl_safetensors_write(path, names, &t, 1, NULL, &err) == HL_ERR_ARG);
    CHECK(strstr(err.msg, "data is NULL") != NULL);
    CHECK(hl_safetensors_write("/nonexistent-dir/x.safetensors", names, ts, 1, NULL, &err) == HL_ERR_IO);
    CHECK(strstr(err.msg, "cannot create") != NULL);
    remove(path);
}

/* A header whose length is not a multiple of 4 leaves f32 data misaligned in memory: the reader
   copies those tensors (and only those). */
static void test_st_misaligned_copy(void) {
    const char hdr[] = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                       "\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[8,11]}}";
    size_t hl = sizeof hdr - 1, i;
    uint64_t *store = (uint64_t *)calloc(1, 512); /* 8-aligned backing memory */
    unsigned char *buf = (unsigned char *)store;
    float v[2] = {3.5f, -1.0f};
    hl_safetensors *st = NULL;
    hl_error err, *ep = &err;
    CHECK(hl % 4 != 0);
    for (i = 0; i < 8; i++) buf[i] = (unsigned char)((uint64_t)hl >> (8 * i));
    memcpy(buf + 8, hdr, hl);
    memcpy(buf + 8 + hl, v, 8);
    memcpy(buf + 8 + hl + 8, "xyz", 3);
    CHECK_OK(hl_safetensors_open_memory(buf, 8 + hl + 11, "mem", &st, &err), ep);
    if (st) {
        const hl_tensor *a = hl_safetensors_find(st, "a"), *b = hl_safetensors_find(st, "b");
        CHECK(a && (uintptr_t)a->data % 4 == 0 && (unsigned char *)a->data != buf + 8 + hl);
        CHECK(a && ((const float *)a->data)[0] == 3.5f && ((const float *)a->data)[1] == -1.0f);
        CHECK(b && (unsigned char *)b->data == buf + 8 + hl + 8); /* U8 is always aligned: a view */
        hl_safetensors_close(st);
    }
    free(store);
}

void suite_safetensors(void) {
    RUN(test_st_fixture_files);
    RUN(test_st_metadata);
    RUN(test_st_weights_folders);
    RUN(test_st_weights_sharded);
    RUN(test_st_weights_errors);
    RUN(test_st_write_roundtrip);
    RUN(test_st_write_empty_and_errors);
    RUN(test_st_misaligned_copy);
}
