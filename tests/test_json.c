/* tests/test_json.c - the JSON parser: escapes (surrogate pairs), int64/double numbers, the depth
   limit, strict UTF-8, trailing garbage, and every tokenizer.json fixture (timed, not asserted). */
#include <stdlib.h>
#include <time.h>
#include "hl_test.h"

/* Parses a NUL-terminated literal; returns the status and leaves the message in *err. */
static hl_status parse(const char *s, hl_json_doc **doc, hl_error *err) {
    *doc = NULL;
    return hl_json_parse(s, strlen(s), doc, err);
}

/* Expects `s` to be rejected with status st and a message containing `sub`. */
static void expect_fail(const char *s, size_t n, hl_status st, const char *sub) {
    hl_json_doc *doc = NULL;
    hl_error err;
    hl_status got;
    memset(&err, 0, sizeof err);
    got = hl_json_parse(s, n, &doc, &err);
    CHECKF(got == st, "input %.40s: status %s, want %s (%s)", s, hl_status_str(got), hl_status_str(st), err.msg);
    CHECKF(doc == NULL, "input %.40s: doc written on failure", s);
    CHECKF(strstr(err.msg, sub) != NULL, "input %.40s: message \"%s\" lacks \"%s\"", s, err.msg, sub);
    hl_json_free(doc);
}
#define EXPECT_FAIL(lit, st, sub) expect_fail(lit, sizeof(lit) - 1, st, sub)

static void test_json_basic_values(void) {
    hl_json_doc *doc;
    hl_error err, *ep = &err;
    const hl_json *r;
    CHECK_OK(parse(" {\"a\": [1, true, false, null, \"x\"], \"b\": {}, \"c\": [], \"a\": 5}\n", &doc, &err), ep);
    r = hl_json_root(doc);
    CHECK(r && r->type == HL_JSON_OBJECT && r->len == 4);
    CHECK(hl_json_get(r, "a")->type == HL_JSON_ARRAY); /* the first of a duplicated key */
    CHECK(hl_json_get(r, "a")->len == 5);
    CHECK(hl_json_int(hl_json_at(hl_json_get(r, "a"), 0), -1) == 1);
    CHECK(hl_json_bool(hl_json_at(hl_json_get(r, "a"), 1), -1) == 1);
    CHECK(hl_json_bool(hl_json_at(hl_json_get(r, "a"), 2), -1) == 0);
    CHECK(hl_json_at(hl_json_get(r, "a"), 3)->type == HL_JSON_NULL);
    CHECK(strcmp(hl_json_str(hl_json_at(hl_json_get(r, "a"), 4), ""), "x") == 0);
    CHECK(hl_json_at(hl_json_get(r, "a"), 5) == NULL);
    CHECK(hl_json_get(r, "b")->type == HL_JSON_OBJECT && hl_json_get(r, "b")->len == 0);
    CHECK(hl_json_get(r, "c")->type == HL_JSON_ARRAY && hl_json_get(r, "c")->len == 0);
    CHECK(hl_json_get(r, "zz") == NULL);
    CHECK(hl_json_get(hl_json_get(r, "c"), "x") == NULL); /* not an object */
    CHECK(strcmp(hl_json_str(hl_json_get(r, "zz"), "dflt"), "dflt") == 0);
    CHECK(hl_json_num(hl_json_get(r, "b"), 2.5) == 2.5);
    hl_json_free(doc);
    /* scalars at the top level (RFC 8259 allows any value) */
    CHECK_OK(parse("\"top\"", &doc, &err), ep);
    CHECK(doc && hl_json_root(doc)->type == HL_JSON_STRING);
    hl_json_free(doc);
    CHECK_OK(parse("  42  ", &doc, &err), ep);
    CHECK(doc && hl_json_int(hl_json_root(doc), 0) == 42);
    hl_json_free(doc);
    hl_json_free(NULL);
    CHECK(hl_json_root(NULL) == NULL);
}

static void test_json_escapes(void) {
    hl_json_doc *doc;
    hl_error err, *ep = &err;
    const hl_json *r;
    CHECK_OK(parse("[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u00e9\\u4E2D\", \"\\ud83d\\ude00\","
                   " \"x\\u0000y\", \"caf\xc3\xa9 \xf0\x9f\x98\x80\", \"\\uDBFF\\uDFFF\"]",
                   &doc, &err), ep);
    r = hl_json_root(doc);
    if (!r) return;
    CHECK(strcmp(hl_json_at(r, 0)->str, "a\"b\\c/d\b\f\n\r\t") == 0);
    CHECK(strcmp(hl_json_at(r, 1)->str, "\xc3\xa9\xe4\xb8\xad") == 0);   /* e-acute, U+4E2D */
    CHECK(strcmp(hl_json_at(r, 2)->str, "\xf0\x9f\x98\x80") == 0);       /* U+1F600 from a pair */
    CHECK(hl_json_at(r, 3)->len == 3 && memcmp(hl_json_at(r, 3)->str, "x\0y", 4) == 0);
    CHECK(strcmp(hl_json_at(r, 4)->str, "caf\xc3\xa9 \xf0\x9f\x98\x80") == 0);
    CHECK(strcmp(hl_json_at(r, 5)->str, "\xf4\x8f\xbf\xbf") == 0);       /* U+10FFFF */
    hl_json_free(doc);
    /* keys are decoded too */
    CHECK_OK(parse("{\"\\u2581the\": 7}", &doc, &err), ep);
    CHECK(doc && hl_json_int(hl_json_get(hl_json_root(doc), "\xe2\x96\x81the"), 0) == 7);
    hl_json_free(doc);
    EXPECT_FAIL("\"\\ud83d\"", HL_ERR_FORMAT, "unpaired high surrogate");
    EXPECT_FAIL("\"\\ud83d\\u0041\"", HL_ERR_FORMAT, "unpaired high surrogate");
    EXPECT_FAIL("\"\\ude00\"", HL_ERR_FORMAT, "lone low surrogate");
    EXPECT_FAIL("\"\\u12G4\"", HL_ERR_FORMAT, "bad \\u escape");
    EXPECT_FAIL("\"\\u12\"", HL_ERR_FORMAT, "bad \\u escape");
    EXPECT_FAIL("\"\\x\"", HL_ERR_FORMAT, "invalid escape");
    EXPECT_FAIL("\"tab\there\"", HL_ERR_FORMAT, "control character");
    EXPECT_FAIL("\"abc", HL_ERR_FORMAT, "unterminated string");
    EXPECT_FAIL("\"abc\\", HL_ERR_FORMAT, "unterminated string"); /* was accepted before the fix */
    EXPECT_FAIL("[\"abc\\\"]", HL_ERR_FORMAT, "unterminated string");
}

static void test_json_numbers(void) {
    hl_json_doc *doc;
    hl_error err, *ep = &err;
    const hl_json *r;
    CHECK_OK(parse("[0, -0, 9223372036854775807, -9223372036854775808, 9223372036854775808, 1.5,"
                   " -2.5e-3, 1E3, 1e400, 12345678901234567890123, 0.1, 3]", &doc, &err), ep);
    r = hl_json_root(doc);
    if (!r) return;
    CHECK(hl_json_at(r, 0)->is_int && hl_json_at(r, 0)->i64 == 0);
    CHECK(hl_json_at(r, 1)->is_int && hl_json_at(r, 1)->i64 == 0);
    CHECK(hl_json_at(r, 2)->is_int && hl_json_at(r, 2)->i64 == INT64_MAX);
    CHECK(hl_json_at(r, 3)->is_int && hl_json_at(r, 3)->i64 == INT64_MIN);
    CHECK(!hl_json_at(r, 4)->is_int && hl_json_at(r, 4)->num == 9223372036854775808.0);
    CHECK(hl_json_int(hl_json_at(r, 4), -7) == -7); /* not exact: the default */
    CHECK(!hl_json_at(r, 5)->is_int && hl_json_at(r, 5)->num == 1.5);
    CHECK(hl_json_at(r, 6)->num == -2.5e-3);
    CHECK(!hl_json_at(r, 7)->is_int && hl_json_at(r, 7)->num == 1000.0); /* exponent: a double */
    CHECK(isinf(hl_json_at(r, 8)->num));
    CHECK(!hl_json_at(r, 9)->is_int && hl_json_at(r, 9)->num > 1.2e22);
    CHECK(hl_json_at(r, 10)->num == 0.1);
    CHECK(hl_json_num(hl_json_at(r, 11), 0) == 3.0);
    hl_json_free(doc);
    EXPECT_FAIL("01", HL_ERR_FORMAT, "trailing characters");
    EXPECT_FAIL("[-]", HL_ERR_FORMAT, "invalid number");
    EXPECT_FAIL("[1.]", HL_ERR_FORMAT, "digit expected after '.'");
    EXPECT_FAIL("[.5]", HL_ERR_FORMAT, "unexpected character");
    EXPECT_FAIL("[1e]", HL_ERR_FORMAT, "digit expected in exponent");
    EXPECT_FAIL("[+1]", HL_ERR_FORMAT, "unexpected character");
    EXPECT_FAIL("[NaN]", HL_ERR_FORMAT, "unexpected character");
    EXPECT_FAIL("[Infinity]", HL_ERR_FORMAT, "unexpected character");
}

static void test_json_depth_limit(void) {
    char *s = (char *)malloc(2 * 200 + 1);
    hl_json_doc *doc = NULL;
    hl_error err, *ep = &err;
    int d;
    /* exactly HL_MAX_JSON_DEPTH (128) nested arrays parse; one more is HL_ERR_LIMIT */
    for (d = 0; d < 128; d++) { s[d] = '['; s[128 + d] = ']'; }
    CHECK_OK(hl_json_parse(s, 256, &doc, &err), ep);
    hl_json_free(doc);
    doc = NULL;
    for (d = 0; d < 129; d++) { s[d] = '['; s[129 + d] = ']'; }
    CHECK(hl_json_parse(s, 258, &doc, &err) == HL_ERR_LIMIT);
    CHECK(doc == NULL && strstr(err.msg, "HL_MAX_JSON_DEPTH") != NULL);
    for (d = 0; d < 200; d++) s[d] = '{';
    memcpy(s, "{\"a\":", 5);
    CHECK(hl_json_parse(s, 200, &doc, &err) == HL_ERR_FORMAT); /* '{' is not a key */
    free(s);
}

static void test_json_utf8_and_garbage(void) {
    EXPECT_FAIL("\"\xff\"", HL_ERR_FORMAT, "invalid UTF-8");
    EXPECT_FAIL("\"\xc0\xaf\"", HL_ERR_FORMAT, "invalid UTF-8");          /* overlong '/' */
    EXPECT_FAIL("\"\xe0\x80\xaf\"", HL_ERR_FORMAT, "invalid UTF-8");      /* overlong, 3 bytes */
    EXPECT_FAIL("\"\xed\xa0\x80\"", HL_ERR_FORMAT, "invalid UTF-8");      /* UTF-8 surrogate */
    EXPECT_FAIL("\"\xf4\x90\x80\x80\"", HL_ERR_FORMAT, "invalid UTF-8");  /* above U+10FFFF */
    EXPECT_FAIL("\"\xe4\xb8\"", HL_ERR_FORMAT, "invalid UTF-8");          /* truncated sequence */
    EXPECT_FAIL("{\"\x80\":1}", HL_ERR_FORMAT, "invalid UTF-8");          /* in a key */
    EXPECT_FAIL("\xef\xbb\xbf{}", HL_ERR_FORMAT, "unexpected character"); /* BOM */
    EXPECT_FAIL("{} x", HL_ERR_FORMAT, "trailing characters");
    EXPECT_FAIL("[1] [2]", HL_ERR_FORMAT, "trailing characters");
    EXPECT_FAIL("{}\0", HL_ERR_FORMAT, "trailing characters");
    EXPECT_FAIL("", HL_ERR_FORMAT, "value expected");
    EXPECT_FAIL("   ", HL_ERR_FORMAT, "value expected");
    EXPECT_FAIL("[1,]", HL_ERR_FORMAT, "unexpected character");
    EXPECT_FAIL("{\"a\":1,}", HL_ERR_FORMAT, "object key");
    EXPECT_FAIL("{\"a\" 1}", HL_ERR_FORMAT, "':' expected");
    EXPECT_FAIL("{a:1}", HL_ERR_FORMAT, "object key");
    EXPECT_FAIL("[1 2]", HL_ERR_FORMAT, "',' or ']' expected");
    EXPECT_FAIL("[1", HL_ERR_FORMAT, "unterminated array");
    EXPECT_FAIL("{\"a\":1", HL_ERR_FORMAT, "unterminated object");
    EXPECT_FAIL("tru", HL_ERR_FORMAT, "unexpected character");
    EXPECT_FAIL("nul", HL_ERR_FORMAT, "unexpected character");
    EXPECT_FAIL("[true false]", HL_ERR_FORMAT, "line 1, column 7");
    EXPECT_FAIL("{\n  \"a\": [1,\n  x]}", HL_ERR_FORMAT, "line 3, column 3");
}

/* Every tokenizer.json fixture parses; the largest (gemma3, 33 MB) is timed and the time printed. */
static void test_json_tokenizer_fixtures(void) {
    static const char *const files[] = {"tokenizers/gemma2/tokenizer.json", "tokenizers/gemma3/tokenizer.json",
                                        "tokenizers/gpt2/tokenizer.json", "tokenizers/neox/tokenizer.json",
                                        "tokenizers/sp32k/tokenizer.json", "tokenizers/gpt2/encoder.json",
                                        "tokenizers/reference_encodings.json"};
    size_t i;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        const char *path = hlt_fixture(files[i]);
        FILE *f;
        char *buf;
        long n;
        hl_json_doc *doc = NULL;
        hl_error err, *ep = &err;
        clock_t t0;
        double secs;
        if (!hlt_need(path)) continue;
        f = fopen(path, "rb");
        if (!f) { CHECK(f != NULL); continue; }
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = (char *)malloc((size_t)n + 1);
        CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
        fclose(f);
        t0 = clock();
        CHECK_OK(hl_json_parse(buf, (size_t)n, &doc, &err), ep);
        secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        if (doc && strstr(files[i], "tokenizer.json")) {
            const hl_json *model = hl_json_get(hl_json_root(doc), "model");
            const hl_json *vocab = hl_json_get(model, "vocab");
            CHECKF(vocab && vocab->len > 30000, "%s: vocab", files[i]);
            if (strstr(files[i], "gemma3")) CHECK(vocab && vocab->len == 262144);
            if (strstr(files[i], "gemma2")) CHECK(vocab && vocab->len == 256000);
        }
        if (n > 10 * 1000 * 1000)
            printf("  json: %s (%.1f MB) parsed in %.3f s\n", files[i], (double)n / 1e6, secs);
        hl_json_free(doc);
        free(buf);
    }
}

void suite_json(void) {
    RUN(test_json_basic_values);
    RUN(test_json_escapes);
    RUN(test_json_numbers);
    RUN(test_json_depth_limit);
    RUN(test_json_utf8_and_garbage);
    RUN(test_json_tokenizer_fixtures);
}
