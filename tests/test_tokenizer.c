/* tests/test_tokenizer.c - tokenizer.json loading, encoding and decoding against Hugging Face
   tokenizers 0.23 output (../shared/fixtures/tokenizers/reference_encodings.json: 5 tokenizers x 30
   texts), plus small in-memory tokenizers for the pipeline pieces the fixtures do not use. */
#include <stdlib.h>
#include "hl_test.h"

/* CHECK_OK on a local `hl_error err` */
#define TK_OK(call)                 \
    do {                            \
        hl_error *tk_ep_ = &err;    \
        CHECK_OK(call, tk_ep_);     \
    } while (0)

/* Compares an id array with a JSON array of integers; prints the first difference. */
static int tk_same_ids(const int32_t *ids, int64_t n, const hl_json *want, const char *what, const char *name,
                       size_t idx) {
    int64_t i;
    if (!want || want->type != HL_JSON_ARRAY) {
        printf("  %s[%lu]: reference has no %s\n", name, (unsigned long)idx, what);
        return 0;
    }
    for (i = 0; i < n && i < (int64_t)want->len; i++)
        if (ids[i] != (int32_t)hl_json_int(&want->kids[i], -1)) break;
    if (i == n && n == (int64_t)want->len) return 1;
    printf("  %s[%lu] %s: got %lld ids, want %lu; first difference at %lld (got %ld, want %lld)\n", name,
           (unsigned long)idx, what, (long long)n, (unsigned long)want->len, (long long)i,
           i < n ? (long)ids[i] : -1L, i < (int64_t)want->len ? (long long)hl_json_int(&want->kids[i], -1) : -1LL);
    return 0;
}

/* Runs all reference texts of one tokenizer (given, or loaded from tok_path or the fixture);
   returns the number that match in every field. */
static int tk_check_reference_tok(const char *name, const char *tok_path, hl_tokenizer *given) {
    char rel[256];
    const char *path;
    size_t len, i;
    char *json;
    hl_json_doc *doc = NULL;
    const hl_json *list;
    hl_tokenizer *tok = NULL;
    hl_error err;
    int good = 0;
    path = hlt_fixture("tokenizers/reference_encodings.json");
    if (!hlt_need(path)) return 0;
    json = hlt_read_file(path, &len);
    CHECK(json != NULL);
    if (!json) return 0;
    TK_OK(hl_json_parse(json, len, &doc, &err));
    free(json);
    if (!doc) return 0;
    snprintf(rel, sizeof rel, "tokenizers/%s/tokenizer.json", name);
    path = tok_path ? tok_path : hlt_fixture(rel);
    if (given) tok = given;
    else if (!hlt_need(path)) { hl_json_free(doc); return 0; }
    else TK_OK(hl_tokenizer_load(path, &tok, &err));
    list = hl_json_get(hl_json_root(doc), name);
    CHECK(list && list->type == HL_JSON_ARRAY && list->len == 30);
    for (i = 0; tok && list && i < list->len; i++) {
        const hl_json *e = &list->kids[i], *text = hl_json_get(e, "text"), *tokens = hl_json_get(e, "tokens");
        const char *decoded = hl_json_str(hl_json_get(e, "decoded"), "");
        int32_t *ids = NULL, *ids2 = NULL;
        int64_t n = 0, n2 = 0, k;
        char *dec = NULL;
        size_t dlen = 0;
        int ok = 1;
        if (!text || text->type != HL_JSON_STRING) { CHECK(0); continue; }
        if (hl_tokenizer_encode(tok, text->str, text->len, 0, &ids, &n, &err) != HL_OK) {
            printf("  %s[%lu]: encode failed: %s\n", name, (unsigned long)i, err.msg);
            CHECK(0);
            continue;
        }
        ok &= tk_same_ids(ids, n, hl_json_get(e, "ids"), "ids", name, i);
        /* the pieces behind the ids, as HF's `tokens` */
        for (k = 0; ok && tokens && k < n && k < (int64_t)tokens->len; k++) {
            const char *p = hl_tokenizer_piece(tok, ids[k]);
            if (!p || strcmp(p, tokens->kids[k].str) != 0) {
                printf("  %s[%lu]: token %lld is \"%s\", want \"%s\"\n", name, (unsigned long)i, (long long)k,
                       p ? p : "(null)", tokens->kids[k].str);
                ok = 0;
            }
        }
        if (hl_tokenizer_encode(tok, text->str, text->len, 1, &ids2, &n2, &err) == HL_OK) {
            ok &= tk_same_ids(ids2, n2, hl_json_get(e, "ids_with_special"), "ids_with_special", name, i);
            hl_free(ids2);
        } else {
            ok = 0;
        }
        if (hl_tokenizer_decode(tok, ids, n, 0, &dec, &dlen, &err) == HL_OK) {
            if (dlen != strlen(decoded) || memcmp(dec, decoded, dlen) != 0) {
                printf("  %s[%lu]: decoded \"%s\", want \"%s\"\n", name, (unsigned long)i, dec, decoded);
                ok = 0;
            }
            /* round trip wherever HF's decode gives the input back */
            if (strcmp(decoded, text->str) == 0 && (dlen != text->len || memcmp(dec, text->str, dlen) != 0)) ok = 0;
            hl_free(dec);
        } else {
            printf("  %s[%lu]: decode failed: %s\n", name, (unsigned long)i, err.msg);
            ok = 0;
        }
        hl_free(ids);
        good += ok;
    }
    if (list && good != (int)list->len) {
        printf("  %s: %d of %lu reference texts match\n", name, good, (unsigned long)list->len);
        CHECK(0);
    }
    if (!given) hl_tokenizer_free(tok);
    hl_json_free(doc);
    return good;
}
static int tk_check_reference_with(const char *name, const char *tok_path) {
    return tk_check_reference_tok(name, tok_path, NULL);
}
static int tk_check_reference(const char *name) {
    return tk_check_reference_with(name, NULL);
}

static void test_tokenizer_ref_gpt2(void) { tk_check_reference("gpt2"); }
static void test_tokenizer_ref_neox(void) { tk_check_reference("neox"); }
static void test_tokenizer_ref_sp32k(void) { tk_check_reference("sp32k"); }
static void test_tokenizer_ref_gemma2(void) { tk_check_reference("gemma2"); }
static void test_tokenizer_ref_gemma3(void) { tk_check_reference("gemma3"); }
/* The tokenizer embedded in gemma-3-270m's GGUF (make fetch-gemma3) against the same HF references. */
const char *hlt_gemma3_path(void);
static void test_tokenizer_ref_gemma3_gguf(void) {
    if (!hlt_need(hlt_gemma3_path())) return;
    tk_check_reference_with("gemma3", hlt_gemma3_path());
}

/* ---- GGUF "gpt2" tokenizers ---- */
static void tk_expect(const hl_tokenizer *t, const char *text, int special, const char *want);
/* Writes a GGUF holding a byte-level BPE tokenizer as llama.cpp's converter does (_set_vocab_gpt2):
   tokens in id order, merges as "a b", token types 1 normal / 3 control; pre = NULL leaves
   tokenizer.ggml.pre out. Returns 0 on failure. */
static int tk_write_gpt2_gguf(const char *path, const char *const *tokens, const int32_t *types, uint64_t n,
                              const char *const *merges, uint64_t nm, const char *pre, uint32_t bos) {
    hl_gguf_kv_w kv[8];
    size_t nk = 0;
    hl_error err;
    hl_status st;
    kv[nk].key = "general.architecture", kv[nk].type = HL_GGUF_STRING, kv[nk].val = "gpt2", nk++;
    kv[nk].key = "tokenizer.ggml.model", kv[nk].type = HL_GGUF_STRING, kv[nk].val = "gpt2", nk++;
    if (pre) kv[nk].key = "tokenizer.ggml.pre", kv[nk].type = HL_GGUF_STRING, kv[nk].val = pre, nk++;
    kv[nk].key = "tokenizer.ggml.tokens", kv[nk].type = HL_GGUF_ARRAY, kv[nk].arr_type = HL_GGUF_STRING;
    kv[nk].count = n, kv[nk].val = tokens, nk++;
    kv[nk].key = "tokenizer.ggml.token_type", kv[nk].type = HL_GGUF_ARRAY, kv[nk].arr_type = HL_GGUF_INT32;
    kv[nk].count = n, kv[nk].val = types, nk++;
    kv[nk].key = "tokenizer.ggml.merges", kv[nk].type = HL_GGUF_ARRAY, kv[nk].arr_type = HL_GGUF_STRING;
    kv[nk].count = nm, kv[nk].val = merges, nk++;
    kv[nk].key = "tokenizer.ggml.bos_token_id", kv[nk].type = HL_GGUF_UINT32, kv[nk].val = &bos, nk++;
    kv[nk].key = "tokenizer.ggml.eos_token_id", kv[nk].type = HL_GGUF_UINT32, kv[nk].val = &bos, nk++;
    st = hl_gguf_write(path, kv, nk, NULL, NULL, 0, &err);
    CHECK_OK(st, &err);
    return st == HL_OK;
}

/* The gpt2 fixture's tokenizer.json as a GGUF "gpt2" vocabulary (the pieces, merges and token
   types llama.cpp's converter writes), read back with hl_tokenizer_load_gguf: every gpt2 reference
   text encodes to Hugging Face's ids and decodes to its text. */
static void test_tokenizer_gguf_gpt2(void) {
    const char *path = hlt_fixture("tokenizers/gpt2/tokenizer.json"), *out = "build/gpt2_tokenizer.gguf";
    char *json, **merges = NULL;
    const char **tokens = NULL, **mp = NULL;
    int32_t *types = NULL;
    size_t len, i;
    uint64_t n = 0, nm = 0;
    hl_json_doc *doc = NULL;
    const hl_json *model, *vocab, *ml, *added;
    hl_gguf *g = NULL;
    hl_tokenizer *t = NULL;
    hl_error err;
    if (!hlt_need(path) || !(json = hlt_read_file(path, &len))) return;
    TK_OK(hl_json_parse(json, len, &doc, &err));
    free(json);
    if (!doc) return;
    model = hl_json_get(hl_json_root(doc), "model");
    vocab = hl_json_get(model, "vocab"), ml = hl_json_get(model, "merges"), added = hl_json_get(hl_json_root(doc), "added_tokens");
    CHECK(vocab && vocab->type == HL_JSON_OBJECT && ml && ml->type == HL_JSON_ARRAY && added && added->type == HL_JSON_ARRAY);
    if (!vocab || !ml || !added) goto done;
    for (i = 0; i < vocab->len; i++)
        if ((uint64_t)vocab->kids[i].i64 + 1 > n) n = (uint64_t)vocab->kids[i].i64 + 1;
    tokens = (const char **)calloc(n, sizeof *tokens), types = (int32_t *)calloc(n, sizeof *types);
    nm = ml->len;
    merges = (char **)calloc(nm, sizeof *merges), mp = (const char **)calloc(nm, sizeof *mp);
    if (!tokens || !types || !merges || !mp) { CHECK(0); goto done; }
    for (i = 0; i < vocab->len; i++) tokens[vocab->kids[i].i64] = vocab->kids[i].key, types[vocab->kids[i].i64] = 1;
    for (i = 0; i < added->len; i++) {
        int64_t id = hl_json_int(hl_json_get(&added->kids[i], "id"), -1);
        if (id >= 0 && (uint64_t)id < n) types[id] = hl_json_bool(hl_json_get(&added->kids[i], "special"), 0) ? 3 : 4;
    }
    for (i = 0; i < n; i++) CHECK(tokens[i] != NULL); /* GPT-2's ids have no holes */
    for (i = 0; i < nm; i++) { /* "a b", or ["a", "b"] in newer files */
        const hl_json *m = &ml->kids[i];
        if (m->type == HL_JSON_STRING) {
            merges[i] = strdup(m->str);
        } else if (m->type == HL_JSON_ARRAY && m->len == 2) {
            size_t la = m->kids[0].len, lb = m->kids[1].len;
            if ((merges[i] = (char *)malloc(la + lb + 2)) != NULL)
                memcpy(merges[i], m->kids[0].str, la), merges[i][la] = ' ', memcpy(merges[i] + la + 1, m->kids[1].str, lb + 1);
        }
        if (!(mp[i] = merges[i])) { CHECK(0); goto done; }
    }
    for (i = 0; i < n && tokens[i]; i++) {}
    if (i < n || !tk_write_gpt2_gguf(out, tokens, types, n, mp, nm, "gpt-2", 50256)) goto done;
    CHECK_OK(hl_gguf_open(out, &g, &err), &err);
    if (!g) goto done;
    TK_OK(hl_tokenizer_load_gguf(g, &t, &err));
    if (t) {
        CHECK(hl_tokenizer_vocab_size(t) == 50257 && hl_tokenizer_bos_id(t) == 50256 && hl_tokenizer_eos_id(t) == 50256);
        CHECK(tk_check_reference_tok("gpt2", NULL, t) == 30);
        tk_expect(t, "Hello world<|endoftext|>", 1, "15496 995 50256"); /* no bos added; the control token matched whole */
    }
    hl_tokenizer_free(t);
    hl_gguf_close(g);
    g = NULL, t = NULL;
    /* the same vocabulary with another pre-tokenizer, or none, is refused by name */
    {
        static const char *const pres[3] = {"default", NULL, "llama3"};
        static const char *const want[3] = {"\"default\"", "(absent)", "\"llama3\""};
        int k;
        for (k = 0; k < 3; k++) {
            hl_status st;
            if (!tk_write_gpt2_gguf(out, tokens, types, n, mp, nm, pres[k], 50256)) break;
            CHECK_OK(hl_gguf_open(out, &g, &err), &err);
            if (!g) break;
            st = hl_tokenizer_load_gguf(g, &t, &err);
            CHECKF(st == HL_ERR_UNSUPPORTED && !t && strstr(err.msg, want[k]) && strstr(err.msg, "tokenizer.ggml.pre"),
                   "pre %s: %s \"%s\"", want[k], hl_status_str(st), st ? err.msg : "");
            hl_tokenizer_free(t), hl_gguf_close(g);
            g = NULL, t = NULL;
        }
    }
    /* a merge of pieces that are not in the vocabulary: a format error naming it */
    {
        static const char *const tk[3] = {"a", "b", "ab"}, *const bad[1] = {"a c"};
        static const int32_t ty[3] = {1, 1, 1};
        hl_status st;
        if (tk_write_gpt2_gguf(out, tk, ty, 3, bad, 1, "gpt-2", 0)) {
            CHECK_OK(hl_gguf_open(out, &g, &err), &err);
            st = g ? hl_tokenizer_load_gguf(g, &t, &err) : HL_ERR_IO;
            CHECKF(st == HL_ERR_FORMAT && !t && strstr(err.msg, "merges[0]"), "%s \"%s\"", hl_status_str(st), err.msg);
            hl_tokenizer_free(t), hl_gguf_close(g);
        }
    }
done:
    for (i = 0; merges && i < nm; i++) free(merges[i]);
    free(merges), free(mp), free(tokens), free(types);
    hl_json_free(doc);
    remove(out);
}

/* ---- small in-memory tokenizers ---- */
static hl_tokenizer *tk_mem(const char *json) {
    hl_tokenizer *t = NULL;
    hl_error err;
    TK_OK(hl_tokenizer_load_memory(json, strlen(json), &t, &err));
    return t;
}
/* Encodes text and compares with the space-separated ids in want. */
static void tk_expect(const hl_tokenizer *t, const char *text, int special, const char *want) {
    int32_t *ids = NULL;
    int64_t n = 0, i;
    hl_error err;
    char got[1024];
    size_t o = 0;
    if (!t) { CHECK(0); return; }
    TK_OK(hl_tokenizer_encode(t, text, strlen(text), special, &ids, &n, &err));
    got[0] = 0;
    for (i = 0; i < n && o < sizeof got - 16; i++) o += (size_t)snprintf(got + o, sizeof got - o, i ? " %d" : "%d", ids[i]);
    CHECKF(strcmp(got, want) == 0, "\"%s\": got [%s], want [%s]", text, got, want);
    hl_free(ids);
}
static void tk_expect_decode(const hl_tokenizer *t, const int32_t *ids, int64_t n, int skip, const char *want) {
    char *s = NULL;
    size_t len = 0;
    hl_error err;
    if (!t) { CHECK(0); return; }
    TK_OK(hl_tokenizer_decode(t, ids, n, skip, &s, &len, &err));
    CHECKF(s && strcmp(s, want) == 0, "decoded \"%s\", want \"%s\"", s ? s : "(null)", want);
    hl_free(s);
}

/* a character-level vocabulary with a few merges, merges in the ["a", "b"] form */
#define TK_VOCAB \
    "\"vocab\": {\"<unk>\": 0, \"a\": 1, \"b\": 2, \"c\": 3, \"ab\": 4, \"abc\": 5, \" \": 6, \"<0x41>\": 7, \"1\": 8," \
    " \"2\": 9, \"\\u2581\": 10, \"\\u2581a\": 11, \"bc\": 12, \"<0xC3>\": 13, \"<0xA9>\": 14, \"a \": 15," \
    " \" b\": 16, \"  \": 17}, "
static void test_tokenizer_bpe_basics(void) {
    hl_tokenizer *t = tk_mem("{\"model\": {\"type\": \"BPE\", " TK_VOCAB
                             "\"merges\": [[\"a\", \"b\"], [\"ab\", \"c\"], [\"b\", \"c\"]], \"unk_token\": \"<unk>\","
                             " \"fuse_unk\": true}}");
    int32_t ab[2] = {4, 3};
    tk_expect(t, "abc", 0, "5");
    tk_expect(t, "bcab", 0, "12 4");
    tk_expect(t, "xyzab", 0, "0 4"); /* fused unknowns */
    tk_expect(t, "", 0, "");
    tk_expect_decode(t, ab, 2, 0, "ab c"); /* no decoder: pieces joined by spaces */
    if (t) {
        CHECK(hl_tokenizer_piece_to_id(t, "abc") == 5);
        CHECK(hl_tokenizer_piece_to_id(t, "zzz") == -1);
        CHECK(strcmp(hl_tokenizer_piece(t, 4), "ab") == 0);
        CHECK(hl_tokenizer_piece(t, 99) == NULL);
        CHECK(hl_tokenizer_vocab_size(t) == 18);
    }
    hl_tokenizer_free(t);
    /* ignore_merges: a word that is in the vocabulary is taken whole; byte_fallback */
    t = tk_mem("{\"model\": {\"type\": \"BPE\", " TK_VOCAB "\"merges\": [\"a b\"], \"ignore_merges\": true,"
               " \"byte_fallback\": true, \"unk_token\": \"<unk>\"},"
               " \"decoder\": {\"type\": \"Sequence\", \"decoders\": [{\"type\": \"ByteFallback\"}, {\"type\": \"Fuse\"}]}}");
    tk_expect(t, "abc", 0, "5");
    tk_expect(t, "A", 0, "7");
    tk_expect(t, "\xC3\xA9", 0, "13 14");
    tk_expect(t, "\xC3\xA8", 0, "0"); /* 0xA8 has no byte piece: the whole character is unknown */
    {
        int32_t e[3] = {1, 13, 14}, half[2] = {13, 1};
        tk_expect_decode(t, e, 3, 0, "a\xC3\xA9");
        tk_expect_decode(t, half, 2, 0, "\xEF\xBF\xBD" "a");
    }
    hl_tokenizer_free(t);
}

static void test_tokenizer_split_behaviors(void) {
    static const char *const beh[] = {"Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"};
    /* "a  b" split on " " gives a | ' ' | ' ' | b; ids: a=1 ' '=6 b=2 "a "=15 " b"=16 "  "=17 */
    static const char *const want[] = {"1 2", "1 6 6 2", "15 6 2", "1 6 16", "1 17 2"};
    static const char *const want_inv[] = {"6 6", "1 6 6 2", "1 6 16", "15 6 2", "1 17 2"};
    char json[2048];
    int i, inv;
    for (inv = 0; inv < 2; inv++)
        for (i = 0; i < 5; i++) {
            hl_tokenizer *t;
            snprintf(json, sizeof json,
                     "{\"model\": {\"type\": \"BPE\", " TK_VOCAB "\"merges\": [[\"a\", \" \"], [\" \", \"b\"], [\" \", \" \"]],"
                     " \"unk_token\": \"<unk>\"}, \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"String\": \" \"}, \"behavior\": \"%s\","
                     " \"invert\": %s}}", beh[i], inv ? "true" : "false");
            t = tk_mem(json);
            tk_expect(t, "a  b", 0, inv ? want_inv[i] : want[i]);
            hl_tokenizer_free(t);
        }
}

static void test_tokenizer_added_tokens(void) {
    hl_tokenizer *t = tk_mem(
        "{\"model\": {\"type\": \"BPE\", " TK_VOCAB "\"merges\": [\"a b\"], \"unk_token\": \"<unk>\"},"
        " \"added_tokens\": ["
        " {\"id\": 20, \"content\": \"<s>\", \"special\": true, \"normalized\": false},"
        " {\"id\": 21, \"content\": \"<sep>\", \"special\": false, \"normalized\": false, \"lstrip\": true, \"rstrip\": true},"
        " {\"id\": 22, \"content\": \"<s>x\", \"special\": false, \"normalized\": false},"
        " {\"id\": 23, \"content\": \"cab\", \"single_word\": true, \"normalized\": false}],"
        " \"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<s>\"}},"
        " {\"Sequence\": {\"id\": \"A\"}}], \"special_tokens\": {\"<s>\": {\"id\": \"<s>\", \"ids\": [20]}}}}");
    int32_t ids[3] = {20, 1, 21};
    tk_expect(t, "ab<s>ab", 0, "4 20 4");
    tk_expect(t, "<s>x", 0, "22");            /* longest match first */
    tk_expect(t, "a  <sep>  b", 0, "1 21 2"); /* lstrip and rstrip swallow the spaces */
    tk_expect(t, "cab cab", 0, "23 6 23");
    tk_expect(t, "acab", 0, "1 3 4");        /* single_word: not inside a word */
    tk_expect(t, "ab", 1, "20 4");
    tk_expect_decode(t, ids, 3, 1, "a <sep>");
    if (t) {
        CHECK(hl_tokenizer_bos_id(t) == 20);
        CHECK(hl_tokenizer_piece_to_id(t, "<sep>") == 21);
    }
    hl_tokenizer_free(t);
}

static void test_tokenizer_metaspace_digits(void) {
    hl_tokenizer *t = tk_mem(
        "{\"model\": {\"type\": \"BPE\", " TK_VOCAB "\"merges\": [[\"\\u2581\", \"a\"]], \"unk_token\": \"<unk>\"},"
        " \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Metaspace\", \"replacement\":"
        " \"\\u2581\", \"prepend_scheme\": \"always\", \"split\": true}, {\"type\": \"Digits\", \"individual_digits\":"
        " true}]}, \"decoder\": {\"type\": \"Metaspace\", \"replacement\": \"\\u2581\", \"prepend_scheme\": \"always\"}}");
    int32_t ids[3] = {11, 10, 1};
    tk_expect(t, "a a12", 0, "11 11 8 9");
    tk_expect_decode(t, ids, 3, 0, "a a");
    hl_tokenizer_free(t);
}

static void test_tokenizer_errors(void) {
    hl_tokenizer *t = NULL;
    hl_error err;
    int32_t *ids = NULL, bad = 1000;
    int64_t n = 0;
    char *s = NULL;
    const char *json;
    CHECK(hl_tokenizer_load_memory("{\"model\": 3", 11, &t, &err) == HL_ERR_FORMAT && t == NULL);
    json = "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}";
    CHECK(hl_tokenizer_load_memory(json, strlen(json), &t, &err) == HL_ERR_UNSUPPORTED);
    CHECK(strstr(err.msg, "Unigram") != NULL);
    json = "{\"model\": {\"vocab\": {\"a\": 0}, \"merges\": [\"a x\"]}}";
    CHECK(hl_tokenizer_load_memory(json, strlen(json), &t, &err) == HL_ERR_FORMAT);
    CHECK(strstr(err.msg, "merges[0]") != NULL);
    json = "{\"model\": {\"vocab\": {\"a\": 2000000000}, \"merges\": []}}";
    CHECK(hl_tokenizer_load_memory(json, strlen(json), &t, &err) == HL_ERR_FORMAT);
    CHECK(hl_tokenizer_load("/nonexistent/tokenizer.json", &t, &err) == HL_ERR_IO);
    t = tk_mem("{\"model\": {\"type\": \"BPE\", " TK_VOCAB "\"merges\": [\"a b\"]}}");
    if (!t) return;
    CHECK(hl_tokenizer_encode(t, "a\xC3", 2, 0, &ids, &n, &err) == HL_ERR_ARG && ids == NULL);
    CHECK(strstr(err.msg, "UTF-8") != NULL && strstr(err.msg, "byte 1") != NULL);
    CHECK(hl_tokenizer_encode(t, "\xED\xA0\x80", 3, 0, &ids, &n, &err) == HL_ERR_ARG); /* surrogate */
    CHECK(hl_tokenizer_decode(t, &bad, 1, 0, &s, NULL, &err) == HL_ERR_ARG && s == NULL);
    hl_tokenizer_free(t);
}

static void test_tokenizer_str_tokens(void) {
    const char *path = hlt_fixture("tokenizers/gpt2/tokenizer.json");
    hl_tokenizer *t = NULL;
    hl_error err;
    int32_t *ids = NULL;
    int64_t n = 0;
    char **strs = NULL;
    if (!hlt_need(path)) return;
    TK_OK(hl_tokenizer_load(path, &t, &err));
    if (!t) return;
    CHECK(hl_tokenizer_bos_id(t) == 50256 && hl_tokenizer_eos_id(t) == 50256);
    TK_OK(hl_tokenizer_encode(t, "Hello world \xF0\x9F\x98\x80", 16, 0, &ids, &n, &err));
    TK_OK(hl_tokenizer_to_str_tokens(t, ids, n, &strs, &err));
    if (strs && n >= 3) {
        CHECK(strcmp(strs[0], "Hello") == 0);
        CHECK(strcmp(strs[1], " world") == 0);
        CHECK(strcmp(strs[n - 1], "\xEF\xBF\xBD") == 0); /* the emoji's last byte alone */
        CHECK(strs[n] == NULL);
    }
    hl_free(strs);
    hl_free(ids);
    hl_tokenizer_free(t);
}

void suite_tokenizer(void) {
    RUN(test_tokenizer_bpe_basics);
    RUN(test_tokenizer_split_behaviors);
    RUN(test_tokenizer_added_tokens);
    RUN(test_tokenizer_metaspace_digits);
    RUN(test_tokenizer_errors);
    RUN(test_tokenizer_str_tokens);
    RUN(test_tokenizer_ref_gpt2);
    RUN(test_tokenizer_ref_neox);
    RUN(test_tokenizer_ref_sp32k);
    RUN(test_tokenizer_ref_gemma2);
    RUN(test_tokenizer_ref_gemma3);
    RUN(test_tokenizer_ref_gemma3_gguf);
    RUN(test_tokenizer_gguf_gpt2);
}
