/* tests/test_convert.c - llama2.c -> Hugging Face conversion (hl_convert_llama2c): the bundled
   examples/stories260K folder is exactly what the converter makes from the fixture, the layout
   and rotary permutation are right, and hostile llama2.c files are rejected with exact statuses. */
#include <stdlib.h>
#include <stdint.h>
#include "hl_test.h"

#define L2C_DIR "real/stories260K/"
#define BUNDLED "examples/stories260K"

/* ---- small helpers ---------------------------------------------------------------------- */

/* 1 when both files exist and have the same bytes. */
static int same_file(const char *a, const char *b) {
    size_t na = 0, nb = 0;
    unsigned char *x = (unsigned char *)hlt_read_file(a, &na), *y = (unsigned char *)hlt_read_file(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    if (!same) printf("  files differ: %s (%zu bytes) vs %s (%zu bytes)\n", a, na, b, nb);
    free(x);
    free(y);
    return same;
}

static void put_i32(unsigned char *p, int32_t v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    p[0] = (unsigned char)u;
    p[1] = (unsigned char)(u >> 8);
    p[2] = (unsigned char)(u >> 16);
    p[3] = (unsigned char)(u >> 24);
}
static void put_f32(unsigned char *p, float f) {
    int32_t v;
    memcpy(&v, &f, 4);
    put_i32(p, v);
}
static float get_f32(const unsigned char *p) {
    uint32_t u = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* A tiny llama2.c model: dim 8, hidden 12, 1 layer, 2 heads, 1 kv head, vocab 8, seq_len 4
   (head size 4), weights w[i] = i * 0.001; unshared adds the classifier. */
enum { TD = 8, TH = 12, TL = 1, TNH = 2, TKV = 1, TV = 8, TS = 4 };
static size_t tiny_model_floats(int shared) {
    size_t hs = TD / TNH, kvd = TKV * hs;
    return (size_t)(TV * TD + TL * TD + TL * TD * TD + 2 * TL * kvd * TD + TL * TD * TD + TL * TD +
                    3 * TL * TH * TD + TD + TS * hs + (shared ? 0 : TV * TD));
}
static unsigned char *tiny_model(int shared, size_t *n) {
    size_t nf = tiny_model_floats(shared), i;
    int32_t h[7] = {TD, TH, TL, TNH, TKV, shared ? TV : -TV, TS};
    unsigned char *b = (unsigned char *)calloc(28 + 4 * nf, 1);
    for (i = 0; i < 7; i++) put_i32(b + 4 * i, h[i]);
    for (i = 0; i < nf; i++) put_f32(b + 28 + 4 * i, (float)i * 0.001f);
    *n = 28 + 4 * nf;
    return b;
}
/* Its tokenizer, in llama2.c's spelling (' ' for U+2581, "\n<s>\n" for BOS). */
static const char *const tiny_pieces[TV] = {"<unk>", "\n<s>\n", "\n</s>\n", " ", "a", "b", " a", "ab"};
static unsigned char *tiny_tok(size_t *n) {
    unsigned char *b = (unsigned char *)calloc(1024, 1);
    size_t off = 4, i;
    put_i32(b, 6);
    for (i = 0; i < TV; i++) {
        size_t len = strlen(tiny_pieces[i]);
        put_f32(b + off, i < 3 ? 0.0f : -(float)(i - 3));
        put_i32(b + off + 4, (int32_t)len);
        memcpy(b + off + 8, tiny_pieces[i], len);
        off += 8 + len;
    }
    *n = off;
    return b;
}

/* hl_convert_llama2c_memory on (model, tok) must return `want`; prints the message otherwise. */
static int convert_status(const unsigned char *m, size_t mn, const unsigned char *t, size_t tn,
                          hl_status want, const char *msg_part) {
    hl_error err;
    hl_status st;
    memset(&err, 0, sizeof err);
    st = hl_convert_llama2c_memory(m, mn, t, tn, NULL, &err);
    if (st != want || (msg_part && !strstr(err.msg, msg_part))) {
        printf("  got %s (%s), want %s with '%s'\n", hl_status_str(st), err.msg,
               hl_status_str(want), msg_part ? msg_part : "");
        return 0;
    }
    return 1;
}

/* ---- the bundled model ------------------------------------------------------------------ */

/* Converting the fixture gives exactly the committed examples/stories260K files, twice. */
static void test_convert_stories260K_matches_bundled(void) {
    const char *bin = hlt_fixture(L2C_DIR "stories260K.bin"), *tok = hlt_fixture(L2C_DIR "tok512.bin");
    const char *outs[2] = {"build/test_convert_a", "build/test_convert_b"};
    const char *files[3] = {"config.json", "model.safetensors", "tokenizer.json"};
    int r, f;
    if (!hlt_need(bin) || !hlt_need(tok)) return;
    for (r = 0; r < 2; r++) {
        hl_error err, *ep = &err;
        hl_llama2c_info info;
        CHECK_OK(hl_convert_llama2c(bin, tok, outs[r], &info, &err), ep);
        CHECK(info.dim == 64 && info.hidden_dim == 172 && info.n_layers == 5);
        CHECK(info.n_heads == 8 && info.n_kv_heads == 4 && info.vocab_size == 512);
        CHECK(info.seq_len == 512 && info.shared_classifier == 1);
        CHECK(info.unk_id == 0 && info.bos_id == 1 && info.eos_id == 2);
        for (f = 0; f < 3; f++) {
            char a[256], b[256];
            snprintf(a, sizeof a, "%s/%s", outs[r], files[f]);
            snprintf(b, sizeof b, "%s/%s", BUNDLED, files[f]);
            CHECKF(same_file(a, b), "%s", files[f]);
        }
    }
}

/* The HF tensors are the llama2.c weights at the right places: the embedding unchanged, and
   q_proj row h*hd + j*hd/2 + i equal to llama2.c wq row h*hd + 2i + j (Meta pairs -> rotate-half). */
static void test_convert_stories260K_layout(void) {
    const char *bin = hlt_fixture(L2C_DIR "stories260K.bin");
    hl_safetensors *st = NULL;
    hl_error err, *ep = &err;
    unsigned char *raw;
    size_t n = 0;
    const hl_tensor *emb, *q, *k, *down;
    if (!hlt_need(bin)) return;
    raw = (unsigned char *)hlt_read_file(bin, &n);
    CHECK(raw != NULL && n == 1056540);
    CHECK_OK(hl_safetensors_open(BUNDLED "/model.safetensors", &st, &err), ep);
    if (!raw || !st) goto done;
    CHECK(hl_safetensors_count(st) == 2 + 9 * 5); /* tied: no lm_head.weight */
    CHECK(hl_safetensors_find(st, "lm_head.weight") == NULL);
    emb = hl_safetensors_find(st, "model.embed_tokens.weight");
    q = hl_safetensors_find(st, "model.layers.3.self_attn.q_proj.weight");
    k = hl_safetensors_find(st, "model.layers.3.self_attn.k_proj.weight");
    down = hl_safetensors_find(st, "model.layers.4.mlp.down_proj.weight");
    CHECK(emb && q && k && down);
    if (!emb || !q || !k || !down) goto done;
    CHECK(emb->dtype == HL_DTYPE_F32 && emb->ndim == 2 && emb->shape[0] == 512 && emb->shape[1] == 64);
    CHECK(q->shape[0] == 64 && q->shape[1] == 64 && k->shape[0] == 32 && k->shape[1] == 64);
    CHECK(down->shape[0] == 64 && down->shape[1] == 172);
    {
        /* float offsets in the llama2.c file (run.c order) */
        const long long D = 64, H = 172, L = 5, KVD = 32, V = 512;
        const long long wq = V * D + L * D, wk = wq + L * D * D, wv = wk + L * KVD * D;
        const long long wo = wv + L * KVD * D, rms_ffn = wo + L * D * D, w1 = rms_ffn + L * D;
        const long long w2 = w1 + L * H * D;
        const unsigned char *w = raw + 28;
        long long h, i, j, c, bad = 0;
        for (i = 0; i < V * D; i++) bad += hl_tensor_get_f32(emb, i) != get_f32(w + 4 * i);
        for (h = 0; h < 8; h++)
            for (j = 0; j < 2; j++)
                for (i = 0; i < 4; i++)
                    for (c = 0; c < D; c++) {
                        long long hf = (h * 8 + j * 4 + i) * D + c, meta = (h * 8 + 2 * i + j) * D + c;
                        bad += hl_tensor_get_f32(q, hf) != get_f32(w + 4 * (wq + 3 * D * D + meta));
                        if (h < 4)
                            bad += hl_tensor_get_f32(k, hf) != get_f32(w + 4 * (wk + 3 * KVD * D + meta));
                    }
        for (i = 0; i < D * H; i++) bad += hl_tensor_get_f32(down, i) != get_f32(w + 4 * (w2 + 4 * D * H + i));
        CHECK(bad == 0);
    }
done:
    hl_safetensors_close(st);
    free(raw);
}

/* ---- synthetic and hostile inputs ------------------------------------------------------- */

static void test_convert_tiny_shared_and_unshared(void) {
    size_t mn, tn;
    unsigned char *m = tiny_model(1, &mn), *t = tiny_tok(&tn), *u;
    hl_llama2c_info info;
    hl_error err, *ep = &err;
    CHECK_OK(hl_convert_llama2c_memory(m, mn, t, tn, &info, &err), ep);
    CHECK(info.shared_classifier == 1 && info.vocab_size == TV && info.n_params == (int64_t)(tiny_model_floats(1) - TS * 4));
    /* merges: "▁a" = "▁"+"a", "ab" = "a"+"b" */
    CHECK(info.n_merges == 2);
    free(m);
    u = tiny_model(0, &mn);
    CHECK_OK(hl_convert_llama2c_memory(u, mn, t, tn, &info, &err), ep);
    CHECK(info.shared_classifier == 0 && info.vocab_size == TV);
    /* the same bytes read as shared: the classifier is 8*8 floats too many */
    put_i32(u + 20, TV);
    CHECK(convert_status(u, mn, t, tn, HL_ERR_FORMAT, "the file has 2592 after the header"));
    free(u);
    free(t);
}

static void test_convert_tiny_files(void) {
    size_t mn, tn;
    unsigned char *m = tiny_model(0, &mn), *t = tiny_tok(&tn);
    FILE *f;
    hl_error err, *ep = &err;
    hl_safetensors *st = NULL;
    f = fopen("build/test_convert_tiny.bin", "wb");
    fwrite(m, 1, mn, f);
    fclose(f);
    f = fopen("build/test_convert_tiny_tok.bin", "wb");
    fwrite(t, 1, tn, f);
    fclose(f);
    CHECK_OK(hl_convert_llama2c("build/test_convert_tiny.bin", "build/test_convert_tiny_tok.bin",
                                "build/test_convert_tiny", NULL, &err), ep);
    CHECK_OK(hl_safetensors_open("build/test_convert_tiny/model.safetensors", &st, &err), ep);
    if (st) {
        const hl_tensor *lm = hl_safetensors_find(st, "lm_head.weight");
        CHECK(hl_safetensors_count(st) == 12);
        CHECK(lm && lm->shape[0] == TV && lm->shape[1] == TD);
        /* wcls is the last section: floats [n - V*D, n) */
        if (lm) CHECK(hl_tensor_get_f32(lm, 0) == (float)(tiny_model_floats(0) - TV * TD) * 0.001f);
        hl_safetensors_close(st);
    }
    {
        size_t n = 0;
        char *cfg = hlt_read_file("build/test_convert_tiny/config.json", &n);
        char *tj = hlt_read_file("build/test_convert_tiny/tokenizer.json", &n);
        CHECK(cfg && strstr(cfg, "\"tie_word_embeddings\": false"));
        CHECK(cfg && strstr(cfg, "\"num_key_value_heads\": 1,"));
        CHECK(tj && strstr(tj, "\"\xe2\x96\x81" "a\": 6,"));
        CHECK(tj && strstr(tj, "\"merges\": [\n      \"\xe2\x96\x81 a\",\n      \"a b\"\n    ]"));
        free(cfg);
        free(tj);
    }
    /* missing input: an i/o error naming the file */
    CHECK(hl_convert_llama2c("build/no_such_file.bin", "build/test_convert_tiny_tok.bin",
                             "build/test_convert_tiny", NULL, &err) == HL_ERR_IO);
    CHECK(strstr(err.msg, "build/no_such_file.bin") != NULL);
    free(m);
    free(t);
}

static void test_convert_hostile_model(void) {
    size_t mn, tn;
    unsigned char *m = tiny_model(1, &mn), *t = tiny_tok(&tn), *x = (unsigned char *)malloc(mn + 8);
#define WITH(field, value, want, msg)                                                              \
    do {                                                                                           \
        memcpy(x, m, mn);                                                                          \
        put_i32(x + 4 * (field), (value));                                                         \
        CHECK(convert_status(x, mn, t, tn, want, msg));                                            \
    } while (0)
    CHECK(convert_status(m, 27, t, tn, HL_ERR_FORMAT, "too short for the 28-byte"));
    CHECK(convert_status(m, 0, t, tn, HL_ERR_FORMAT, "too short"));
    CHECK(convert_status(NULL, 0, t, tn, HL_ERR_FORMAT, "too short"));
    CHECK(convert_status(NULL, 5, t, tn, HL_ERR_ARG, NULL));
    WITH(0, 0x616b3432, HL_ERR_UNSUPPORTED, "ak42");
    WITH(0, 0, HL_ERR_FORMAT, "dim = 0");
    WITH(0, -8, HL_ERR_FORMAT, "dim = -8");
    WITH(1, -1, HL_ERR_FORMAT, "hidden_dim = -1");
    WITH(2, 0, HL_ERR_FORMAT, "n_layers = 0");
    WITH(3, 0, HL_ERR_FORMAT, "n_heads = 0");
    WITH(4, -2, HL_ERR_FORMAT, "n_kv_heads = -2");
    WITH(5, 0, HL_ERR_FORMAT, "vocab_size = 0");
    WITH(5, INT32_MIN, HL_ERR_FORMAT, "vocab_size = -2147483648");
    WITH(6, 0, HL_ERR_FORMAT, "seq_len = 0");
    WITH(3, 3, HL_ERR_FORMAT, "dim 8 is not a multiple of n_heads 3");
    WITH(4, 3, HL_ERR_FORMAT, "n_heads 2 is not a multiple of n_kv_heads 3");
    WITH(3, 8, HL_ERR_FORMAT, "head size 1 (dim 8 / n_heads 8) is odd");
    WITH(3, 4, HL_ERR_FORMAT, "implies"); /* head size 2: consistent, but the sizes differ */
    WITH(4, 2, HL_ERR_FORMAT, "implies 2592 bytes of float32 weights, the file has 2336");
    WITH(2, 2, HL_ERR_FORMAT, "implies");
    WITH(6, 5, HL_ERR_FORMAT, "implies");
    WITH(1, INT32_MAX, HL_ERR_FORMAT, "implies");
    /* products beyond 2^64 bytes */
    memcpy(x, m, mn);
    put_i32(x, 0x40000000);
    put_i32(x + 4, INT32_MAX);
    put_i32(x + 8, INT32_MAX);
    put_i32(x + 12, 2);
    put_i32(x + 16, 2);
    CHECK(convert_status(x, mn, t, tn, HL_ERR_FORMAT, "more weights than 2^64 bytes"));
    /* size off by one float either way */
    CHECK(convert_status(m, mn - 4, t, tn, HL_ERR_FORMAT, "the file has 2332 after the header"));
    memcpy(x, m, mn);
    memset(x + mn, 0, 4);
    CHECK(convert_status(x, mn + 4, t, tn, HL_ERR_FORMAT, "the file has 2340 after the header"));
    CHECK(convert_status(m, mn - 1, t, tn, HL_ERR_FORMAT, "implies 2336 bytes"));
#undef WITH
    free(x);
    free(m);
    free(t);
}

static void test_convert_hostile_tokenizer(void) {
    size_t mn, tn;
    unsigned char *m = tiny_model(1, &mn), *t = tiny_tok(&tn), *x = (unsigned char *)malloc(tn + 16);
    /* entry i starts at: 4 + sum of (8 + len) before it */
    size_t e3 = 4 + (8 + 5) + (8 + 5) + (8 + 6); /* " " */
    size_t e4 = e3 + 8 + 1;                       /* "a" */
    CHECK(convert_status(m, mn, t, 3, HL_ERR_FORMAT, "too short for the int32 max_token_length"));
    CHECK(convert_status(m, mn, t, 4 + 8 * TV - 1, HL_ERR_FORMAT, "vocab_size 8 needs at least 64 bytes"));
    CHECK(convert_status(m, mn, t, tn - 1, HL_ERR_FORMAT, "token 7: 2 bytes at byte"));
    CHECK(convert_status(m, mn, t, e4 + 4, HL_ERR_FORMAT, "vocab_size 8 needs"));
    memcpy(x, t, tn);
    memset(x + tn, 0, 1);
    CHECK(convert_status(m, mn, x, tn + 1, HL_ERR_FORMAT, "1 trailing bytes after the 8 tokens"));
    memcpy(x, t, tn);
    put_i32(x, 0);
    CHECK(convert_status(m, mn, x, tn, HL_ERR_FORMAT, "max_token_length 0 is not positive"));
    put_i32(x, 1);
    CHECK(convert_status(m, mn, x, tn, HL_ERR_FORMAT, "token 0: length 5 outside [1, max_token_length 1]"));
    memcpy(x, t, tn);
    put_i32(x + e3 + 4, -1);
    CHECK(convert_status(m, mn, x, tn, HL_ERR_FORMAT, "token 3: length -1"));
    put_i32(x + e3 + 4, 0);
    CHECK(convert_status(m, mn, x, tn, HL_ERR_FORMAT, "token 3: length 0"));
    memcpy(x, t, tn);
    put_f32(x + e3, NAN);
    CHECK(convert_status(m, mn, x, tn, HL_ERR_FORMAT, "token 3: score is not finite"));
    put_f32(x + e3, INFINITY);
    CHECK(convert_status(m, mn, x, tn, HL_ERR_FORMAT, "token 3: score is not finite"));
    memcpy(x, t, tn);
    x[e4 + 8] = 0xff; /* "a" -> invalid UTF-8 */
    CHECK(convert_status(m, mn, x, tn, HL_ERR_FORMAT, "token 4: invalid UTF-8"));
    x[e4 + 8] = 0;
    CHECK(convert_status(m, mn, x, tn, HL_ERR_FORMAT, "token 4: NUL byte"));
    x[e4 + 8] = 'b'; /* duplicates token 5 */
    CHECK(convert_status(m, mn, x, tn, HL_ERR_FORMAT, "tokens 4 and 5 are both 'b'"));
    x[e4 + 8] = ' '; /* duplicates token 3 after ' ' -> U+2581 */
    CHECK(convert_status(m, mn, x, tn, HL_ERR_FORMAT, "tokens 3 and 4 are both"));
    memcpy(x, t, tn);
    x[4 + 13 + 8 + 2] = 'S'; /* "\n<S>\n": no BOS */
    CHECK(convert_status(m, mn, x, tn, HL_ERR_UNSUPPORTED, "no BOS piece"));
    free(x);
    free(m);
    free(t);
}

/* ---- the bundled tokenizer.json against the HF greedy story ------------------------------ */

/* meta.json of the stories260K fixture: the greedy ids (BOS first) and their text. */
typedef struct story_ref {
    hl_json_doc *doc;
    int32_t ids[256];
    int64_t n_ids;
    const char *text;
    size_t text_len;
} story_ref;

static int story_load(story_ref *r) {
    const char *path = hlt_fixture(L2C_DIR "meta.json");
    const hl_json *root, *ids, *text;
    size_t n = 0, i;
    char *json;
    hl_error err;
    memset(r, 0, sizeof *r);
    if (!hlt_need(path)) return 0;
    json = hlt_read_file(path, &n);
    if (!json || hl_json_parse(json, n, &r->doc, &err) != HL_OK) {
        free(json);
        CHECK(!"meta.json parses");
        return 0;
    }
    free(json);
    root = hl_json_root(r->doc);
    ids = hl_json_get(root, "greedy_from_bos_ids");
    text = hl_json_get(root, "greedy_from_bos_text");
    CHECK(ids && ids->type == HL_JSON_ARRAY && ids->len == 121 && text && text->type == HL_JSON_STRING);
    if (!ids || !text || ids->len > 256) return 0;
    for (i = 0; i < ids->len; i++) r->ids[i] = (int32_t)hl_json_int(hl_json_at(ids, i), -1);
    r->n_ids = (int64_t)ids->len;
    r->text = text->str;
    r->text_len = text->len;
    return 1;
}

static int same_ids(const int32_t *a, int64_t na, const int32_t *b, int64_t nb) {
    int64_t i;
    if (na != nb) {
        printf("  %lld ids vs %lld\n", (long long)na, (long long)nb);
        return 0;
    }
    for (i = 0; i < na; i++)
        if (a[i] != b[i]) {
            printf("  first difference at %lld: %d vs %d\n", (long long)i, (int)a[i], (int)b[i]);
            return 0;
        }
    return 1;
}

/* The converted tokenizer.json encodes the story to exactly the greedy ids and decodes it back.
   The fixture's text starts with a space: it is the concatenation of the pieces after BOS, and the
   first piece is "▁Once" (SentencePiece's dummy-prefix space). Hugging Face's Llama decoder strips
   that one leading space (decoder Strip(1)), and encoding " Once..." makes the normalizer prepend
   a second "▁", which becomes the lone "▁" piece (410). So, exactly:
     encode(text[1:]) == ids[1:], encode(text[1:], BOS) == ids, encode(text) == [410] + ids[1:],
     decode(ids, skip special) == text[1:], decode(encode(text)) == text. */
static void test_convert_tokenizer_story(void) {
    story_ref r;
    hl_tokenizer *t = NULL;
    hl_error err, *ep = &err;
    int32_t *ids = NULL, with_space[256];
    int64_t n = 0;
    char *text = NULL;
    size_t len = 0;
    if (!story_load(&r)) goto done;
    CHECK_OK(hl_tokenizer_load(BUNDLED "/tokenizer.json", &t, &err), ep);
    if (!t) goto done;
    CHECK(hl_tokenizer_vocab_size(t) == 512);
    CHECK(hl_tokenizer_bos_id(t) == 1 && hl_tokenizer_eos_id(t) == 2);
    CHECK(hl_tokenizer_piece(t, 403) && strcmp(hl_tokenizer_piece(t, 403), "\xe2\x96\x81Once") == 0);
    CHECK(hl_tokenizer_piece_to_id(t, "<0x0A>") == 13);
    CHECK(r.text[0] == ' ');
    /* the story without its leading space: the greedy ids after BOS */
    CHECK_OK(hl_tokenizer_encode(t, r.text + 1, r.text_len - 1, 0, &ids, &n, &err), ep);
    CHECK(ids && same_ids(ids, n, r.ids + 1, r.n_ids - 1));
    hl_free(ids);
    ids = NULL;
    CHECK_OK(hl_tokenizer_encode(t, r.text + 1, r.text_len - 1, 1, &ids, &n, &err), ep);
    CHECK(ids && same_ids(ids, n, r.ids, r.n_ids));
    hl_free(ids);
    ids = NULL;
    /* the text as stored: one extra "▁" piece in front */
    with_space[0] = 410;
    memcpy(with_space + 1, r.ids + 1, (size_t)(r.n_ids - 1) * sizeof(int32_t));
    CHECK_OK(hl_tokenizer_encode(t, r.text, r.text_len, 0, &ids, &n, &err), ep);
    CHECK(ids && same_ids(ids, n, with_space, r.n_ids));
    CHECK_OK(hl_tokenizer_decode(t, ids, n, 1, &text, &len, &err), ep);
    CHECK(text && len == r.text_len && memcmp(text, r.text, len) == 0);
    hl_free(text);
    text = NULL;
    /* decoding the greedy ids (BOS skipped) gives the text minus the dummy-prefix space */
    CHECK_OK(hl_tokenizer_decode(t, r.ids, r.n_ids, 1, &text, &len, &err), ep);
    CHECK(text && len == r.text_len - 1 && memcmp(text, r.text + 1, len) == 0);
done:
    hl_free(ids);
    hl_free(text);
    hl_tokenizer_free(t);
    hl_json_free(r.doc);
}

/* ---- the bundled model against Hugging Face ---------------------------------------------- */

/* Greedy decoding from BOS reproduces HF's 120-token story exactly, ids and text. */
static void test_convert_stories260K_greedy(void) {
    story_ref r;
    hl_model_desc d;
    hl_model *m = NULL;
    hl_tokenizer *tok = NULL;
    hl_error err, *ep = &err;
    hl_generate_opts g;
    int32_t bos = 1, *out = NULL;
    int64_t n = 0;
    char *text = NULL;
    size_t len = 0;
    if (!story_load(&r)) goto done;
    memset(&d, 0, sizeof d);
    d.path = BUNDLED;
    CHECK_OK(hl_model_load(&d, &m, &err), ep);
    if (!m) goto done;
    CHECK(hl_model_config(m)->arch == HL_ARCH_LLAMA && hl_model_config(m)->tied == 1);
    memset(&g, 0, sizeof g);
    g.max_new_tokens = r.n_ids - 1; /* 120 */
    CHECK_OK(hl_model_generate(m, &bos, 1, &g, &out, &n, &err), ep);
    CHECK(out && same_ids(out, n, r.ids, r.n_ids));
    CHECK_OK(hl_tokenizer_load(BUNDLED "/tokenizer.json", &tok, &err), ep);
    if (out && tok) {
        CHECK_OK(hl_tokenizer_decode(tok, out, n, 1, &text, &len, &err), ep);
        /* HF's decoder strips the dummy-prefix space that the fixture's text keeps */
        CHECK(text && len + 1 == r.text_len && memcmp(text, r.text + 1, len) == 0);
    }
done:
    hl_free(out);
    hl_free(text);
    hl_tokenizer_free(tok);
    hl_model_free(m);
    hl_json_free(r.doc);
}

/* logits and every blocks.{i}.hook_resid_pre of the HF reference run, within 1e-4 relative error,
   with the default kernels and with the scalar reference kernels. */
static void test_convert_stories260K_reference(void) {
    const char *ref_path = hlt_fixture(L2C_DIR "reference.safetensors");
    static const char *const names[] = {"blocks.*.hook_resid_pre"};
    hl_safetensors *ref = NULL;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    hl_error err, *ep = &err;
    hl_names_filter filter;
    int32_t toks[64];
    float *logits = NULL;
    int pass, i;
    if (!hlt_need(ref_path)) return;
    CHECK_OK(hl_safetensors_open(ref_path, &ref, &err), ep);
    CHECK_OK(hl_cache_create(&cache, &err), ep);
    logits = (float *)malloc(64 * 512 * sizeof(float));
    if (!ref || !cache || !logits) goto done;
    {
        const hl_tensor *t = hl_safetensors_find(ref, "tokens");
        CHECK(t && t->dtype == HL_DTYPE_I64 && t->ndim == 2 && t->shape[1] == 64);
        if (!t || t->shape[1] != 64) goto done;
        for (i = 0; i < 64; i++) toks[i] = (int32_t)hl_tensor_get_f32(t, i);
    }
    memset(&filter, 0, sizeof filter);
    filter.names = names;
    filter.n_names = 1;
    for (pass = 0; pass < 2; pass++) {
        hl_model_desc d;
        const hl_tensor *rl = hl_safetensors_find(ref, "logits");
        double e;
        memset(&d, 0, sizeof d);
        d.path = BUNDLED;
        d.kernels = pass ? HL_KERNELS_SCALAR : HL_KERNELS_DEFAULT;
        CHECK_OK(hl_model_load(&d, &m, &err), ep);
        if (!m) goto done;
        CHECK_OK(hl_model_run_with_cache(m, toks, 64, &filter, cache, logits, &err), ep);
        CHECK(rl && hl_tensor_numel(rl) == 64 * 512);
        if (rl && hl_tensor_numel(rl) == 64 * 512) {
            e = hlt_logits_err(m, logits, (const float *)rl->data, 64, 512);
            CHECKF(e < 1e-4, "%s logits rel err %g", pass ? "scalar" : "default", e);
            if (getenv("HLT_VERBOSE")) printf("  %s logits rel err %.3g\n", pass ? "scalar" : "default", e);
        }
        CHECK(hl_cache_count(cache) == 5);
        for (i = 0; i < 5; i++) {
            char nm[64];
            const hl_tensor *a, *b;
            snprintf(nm, sizeof nm, "blocks.%d.hook_resid_pre", i);
            a = hl_cache_get(cache, nm);
            b = hl_safetensors_find(ref, nm);
            CHECK(a && b && hl_tensor_numel(a) == 64 * 64 && hl_tensor_numel(b) == 64 * 64);
            if (!a || !b || hl_tensor_numel(a) != hl_tensor_numel(b)) continue;
            e = hlt_rel_err((const float *)a->data, (const float *)b->data, 64 * 64);
            CHECKF(e < 1e-4, "%s %s rel err %g", pass ? "scalar" : "default", nm, e);
            if (getenv("HLT_VERBOSE")) printf("  %s %s rel err %.3g\n", pass ? "scalar" : "default", nm, e);
        }
        hl_model_free(m);
        m = NULL;
    }
done:
    hl_model_free(m);
    hl_cache_free(cache);
    hl_safetensors_close(ref);
    free(logits);
}

void suite_convert(void);
void suite_convert(void) {
    RUN(test_convert_stories260K_matches_bundled);
    RUN(test_convert_stories260K_layout);
    RUN(test_convert_tiny_shared_and_unshared);
    RUN(test_convert_tiny_files);
    RUN(test_convert_hostile_model);
    RUN(test_convert_hostile_tokenizer);
    RUN(test_convert_tokenizer_story);
    RUN(test_convert_stories260K_greedy);
    RUN(test_convert_stories260K_reference);
}
