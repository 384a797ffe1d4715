/* tests/test_explain.c - offline Neuronpedia explanations (all three file shapes, gzip members
   concatenated, duplicates, integer and string indices), the regex matcher, Neuronpedia URLs and
   the pretrained SAE directory. The tests write their own data files under build/test_explain/. */
#include "hl_test.h"
#include <stdlib.h>
#include <sys/stat.h>

#define TDIR "build/test_explain"

static void write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fwrite(data, 1, n, f) == n);
    fclose(f);
}
static void write_text(const char *path, const char *s) {
    write_bytes(path, s, strlen(s));
}

/* A gzip member (RFC 1952) whose DEFLATE stream (RFC 1951) is made of stored blocks: each block is
   a header byte (BFINAL in bit 0, BTYPE 00), LEN and its complement NLEN (little-endian u16), then
   LEN raw bytes. The trailer is the CRC-32 and the length mod 2^32. block = bytes per block. */
static size_t gzip_stored(const char *s, size_t n, size_t block, unsigned char *out) {
    static const unsigned char hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
    size_t o = 0, i = 0;
    uint32_t crc = hl_crc32(0, s, n);
    memcpy(out, hdr, 10);
    o = 10;
    do {
        size_t len = n - i < block ? n - i : block;
        out[o++] = (unsigned char)(i + len == n ? 1 : 0);
        out[o++] = (unsigned char)(len & 0xff);
        out[o++] = (unsigned char)(len >> 8);
        out[o++] = (unsigned char)(~len & 0xff);
        out[o++] = (unsigned char)((~len >> 8) & 0xff);
        memcpy(out + o, s + i, len);
        o += len;
        i += len;
    } while (i < n);
    out[o++] = (unsigned char)crc;
    out[o++] = (unsigned char)(crc >> 8);
    out[o++] = (unsigned char)(crc >> 16);
    out[o++] = (unsigned char)(crc >> 24);
    out[o++] = (unsigned char)n;
    out[o++] = (unsigned char)(n >> 8);
    out[o++] = (unsigned char)(n >> 16);
    out[o++] = (unsigned char)(n >> 24);
    return o;
}

/* Writes the gzip of s, split into `members` concatenated gzip members. */
static void write_gz(const char *path, const char *s, int members, size_t block) {
    size_t n = strlen(s), o = 0, at = 0;
    unsigned char *buf = (unsigned char *)malloc(2 * n + 64 * (size_t)members + 1024);
    int m;
    for (m = 0; m < members; m++) {
        size_t len = m == members - 1 ? n - at : n / (size_t)members;
        o += gzip_stored(s + at, len, block, buf + o);
        at += len;
    }
    write_bytes(path, buf, o);
    free(buf);
}

/* The POST-era export object (sae-formats.md 5.3): autoInterpModel, scoreV1/V2, string indices;
   descriptions with brackets, braces, escaped quotes and a unicode escape. */
static const char k_export_object[] =
    "{\"explanations\": [\n"
    "  {\"modelId\": \"gemma-2-2b\", \"layer\": \"25-gemmascope-res-16k\", \"index\": \"4691\",\n"
    "   \"description\": \" LaTeX formatting elements\", \"scoreV1\": 0, \"scoreV2\": null,\n"
    "   \"autoInterpModel\": \"gpt-4o-mini\"},\n"
    "  {\"modelId\": \"gemma-2-2b\", \"layer\": \"25-gemmascope-res-16k\", \"index\": \"12\",\n"
    "   \"description\": \" deception and \\\"lies\\\" [brackets] {braces}\", \"scoreV1\": 0.5,\n"
    "   \"scoreV2\": null, \"autoInterpModel\": \"gpt-4o-mini\"},\n"
    "  {\"modelId\": \"gemma-2-2b\", \"layer\": \"25-gemmascope-res-16k\", \"index\": \"100\",\n"
    "   \"description\": \"DECEPTIVE caf\\u00e9 menus\", \"autoInterpModel\": \"claude-3-haiku\"}\n"
    "], \"explanationsCount\": 3}\n";

/* The redirect-era plain array: integer indices (SAEDashboard exports), two explanations of one
   feature, an exact duplicate row, a row of another source (filtered by --sae). */
static const char k_plain_array[] =
    "[{\"modelId\":\"gemma-2-2b\",\"layer\":\"25-gemmascope-res-16k\",\"index\":7,"
    "\"description\":\" references to deceit\",\"explanationModelName\":\"gpt-4o-mini\","
    "\"typeName\":\"oai_token-act-pair\"},\n"
    " {\"modelId\":\"gemma-2-2b\",\"layer\":\"25-gemmascope-res-16k\",\"index\":7,"
    "\"description\":\"lying and deception\",\"explanationModelName\":\"claude-3-5-sonnet\","
    "\"typeName\":\"np_max-act\"},\n"
    " {\"modelId\":\"gemma-2-2b\",\"layer\":\"25-gemmascope-res-16k\",\"index\":7,"
    "\"description\":\" references to deceit\",\"explanationModelName\":\"gpt-4o-mini\","
    "\"typeName\":\"oai_token-act-pair\"},\n"
    " {\"modelId\":\"gemma-2-2b\",\"layer\":\"20-gemmascope-res-16k\",\"index\":3,"
    "\"description\":\" deception in layer 20\",\"explanationModelName\":\"gpt-4o-mini\"},\n"
    " {\"modelId\":\"gemma-2-2b\",\"layer\":\"25-gemmascope-res-16k\",\"index\":\"9\","
    "\"description\":\"\",\"explanationModelName\":\"gpt-4o-mini\"}]";

/* Bulk batch files (JSON Lines, one explanation per line, with the pgvector embedding column).
   Sorted by index as text, so feature 10 comes before feature 2 and spans two batches. */
static const char k_batch0[] =
    "{\"id\":\"a1\",\"modelId\":\"gemma-2-2b\",\"layer\":\"25-gemmascope-res-16k\",\"index\":\"1\","
    "\"authorId\":\"x\",\"description\":\" the word Deceive\",\"embedding\":\"[0.1, -0.2]\","
    "\"typeName\":\"oai_token-act-pair\",\"explanationModelName\":\"gpt-4o-mini\",\"umap_x\":null}\n"
    "{\"id\":\"a2\",\"modelId\":\"gemma-2-2b\",\"layer\":\"25-gemmascope-res-16k\",\"index\":\"10\","
    "\"description\":\" numbers and [digits]\",\"embedding\":null,\"typeName\":\"oai_token-act-pair\","
    "\"explanationModelName\":\"gpt-4o-mini\"}\n";
static const char k_batch1[] =
    "{\"id\":\"a3\",\"modelId\":\"gemma-2-2b\",\"layer\":\"25-gemmascope-res-16k\",\"index\":\"10\","
    "\"description\":\" digits 0-9\",\"typeName\":\"np_max-act-logits\","
    "\"explanationModelName\":\"gpt-4o\"}\r\n"
    "\n"
    "{\"id\":\"a4\",\"modelId\":\"gemma-2-2b\",\"layer\":\"25-gemmascope-res-16k\",\"index\":\"2\","
    "\"description\":\" self-deception\",\"typeName\":\"oai_token-act-pair\","
    "\"explanationModelName\":\"gpt-4o-mini\"}\n";
static const char k_batch10[] =
    "{\"id\":\"a5\",\"modelId\":\"gemma-2-2b\",\"layer\":\"25-gemmascope-res-16k\",\"index\":\"16383\","
    "\"description\":\" end of the dictionary\",\"typeName\":\"oai_token-act-pair\","
    "\"explanationModelName\":\"gpt-4o-mini\"}\n";

static void make_files(void) {
    static int done;
    if (done) return;
    done = 1;
    mkdir("build", 0755);
    mkdir(TDIR, 0755);
    mkdir(TDIR "/src", 0755);
    mkdir(TDIR "/src/explanations", 0755);
    mkdir(TDIR "/src/features", 0755);
    mkdir(TDIR "/empty", 0755);
    write_text(TDIR "/export_object.json", k_export_object);
    write_text(TDIR "/plain_array.json", k_plain_array);
    /* batch-0: one member; batch-1: three members with 7-byte stored blocks (a record split across
       blocks and members); batch-10: plain text .jsonl.gz would be wrong, so gzip too */
    write_gz(TDIR "/src/explanations/batch-0.jsonl.gz", k_batch0, 1, 65535);
    write_gz(TDIR "/src/explanations/batch-1.jsonl.gz", k_batch1, 3, 7);
    write_gz(TDIR "/src/explanations/batch-10.jsonl.gz", k_batch10, 2, 100);
    write_text(TDIR "/src/explanations/README.txt", "not read");
    /* a features batch holds no descriptions: never read, since only explanations* folders are */
    write_text(TDIR "/src/features/batch-0.jsonl", "{\"index\":\"1\",\"description\":\"NOT ME\"}\n");
    write_text(TDIR "/src/source.jsonl", "{\"id\":\"25-gemmascope-res-16k\",\"saelensRelease\":"
                                         "\"gemma-scope-2b-pt-res-canonical\"}\n");
}

static hl_explain_result *search(const char **paths, size_t n, const char *text, int regex,
                                 hl_status want) {
    hl_explain_query q;
    hl_explain_result *r = NULL;
    hl_error errbuf, *err = &errbuf;
    hl_status st;
    memset(&q, 0, sizeof q);
    q.text = text;
    q.regex = regex;
    st = hl_explain_search(paths, n, &q, &r, err);
    CHECKF(st == want, "status %s (%s), want %s", hl_status_str(st), st ? err->msg : "",
           hl_status_str(want));
    return r;
}

#define ROW(r, i, idx, desc, model)                                                                \
    do {                                                                                           \
        const hl_explanation *e_ = hl_explain_at(r, i);                                            \
        CHECK(e_ != NULL);                                                                         \
        if (e_) {                                                                                  \
            CHECKF(e_->index == (idx), "row %d index %llu", (int)(i),                              \
                   (unsigned long long)e_->index);                                                 \
            CHECKF(strcmp(e_->description, desc) == 0, "row %d '%s'", (int)(i), e_->description);  \
            CHECKF(strcmp(e_->explanation_model, model) == 0, "row %d model '%s'", (int)(i),       \
                   e_->explanation_model);                                                         \
        }                                                                                          \
    } while (0)

static void test_explain_export_object(void) {
    const char *p[1] = {TDIR "/export_object.json"};
    hl_explain_result *r;
    make_files();
    r = search(p, 1, "decept", 0, HL_OK);
    CHECK(hl_explain_count(r) == 2);
    ROW(r, 0, 12, " deception and \"lies\" [brackets] {braces}", "gpt-4o-mini");
    ROW(r, 1, 100, "DECEPTIVE caf\xc3\xa9 menus", "claude-3-haiku");
    CHECK(hl_explain_rows_read(r) == 3);
    CHECK(hl_explain_declared_count(r) == 3);
    CHECK(hl_explain_files_read(r) == 1);
    if (hl_explain_count(r) == 2) {
        const hl_explanation *e = hl_explain_at(r, 0);
        CHECK(strcmp(e->model_id, "gemma-2-2b") == 0);
        CHECK(strcmp(e->source, "25-gemmascope-res-16k") == 0);
        CHECK(strcmp(e->type_name, "") == 0);
        CHECK(e->line == 5);
    }
    hl_explain_free(r);
    r = search(p, 1, NULL, 0, HL_OK); /* no query: every row, sorted by index */
    CHECK(hl_explain_count(r) == 3);
    ROW(r, 0, 12, " deception and \"lies\" [brackets] {braces}", "gpt-4o-mini");
    ROW(r, 1, 100, "DECEPTIVE caf\xc3\xa9 menus", "claude-3-haiku");
    ROW(r, 2, 4691, " LaTeX formatting elements", "gpt-4o-mini");
    hl_explain_free(r);
    r = search(p, 1, "CAF\xc3\xa9", 0, HL_OK); /* case folding is ASCII only, the rest bytewise */
    CHECK(hl_explain_count(r) == 1);
    hl_explain_free(r);
}

static void test_explain_plain_array(void) {
    const char *p[1] = {TDIR "/plain_array.json"};
    hl_explain_result *r;
    hl_explain_query q;
    hl_error errbuf, *err = &errbuf;
    make_files();
    r = search(p, 1, "decei", 0, HL_OK);
    CHECK(hl_explain_count(r) == 1); /* the exact duplicate row is kept once */
    ROW(r, 0, 7, " references to deceit", "gpt-4o-mini");
    CHECK(hl_explain_rows_read(r) == 5);
    hl_explain_free(r);
    /* every explanation of feature 7, in file order */
    memset(&q, 0, sizeof q);
    q.has_feature = 1;
    q.feature = 7;
    r = NULL;
    CHECK_OK(hl_explain_search(p, 1, &q, &r, err), err);
    CHECK(hl_explain_count(r) == 2);
    ROW(r, 0, 7, " references to deceit", "gpt-4o-mini");
    ROW(r, 1, 7, "lying and deception", "claude-3-5-sonnet");
    if (hl_explain_count(r) == 2) CHECK(strcmp(hl_explain_at(r, 1)->type_name, "np_max-act") == 0);
    hl_explain_free(r);
    /* --sae filter drops the layer-20 row; the empty description is a row too */
    q.has_feature = 0;
    q.text = "decept";
    q.source = "20-gemmascope-res-16k";
    r = NULL;
    CHECK_OK(hl_explain_search(p, 1, &q, &r, err), err);
    CHECK(hl_explain_count(r) == 1);
    ROW(r, 0, 3, " deception in layer 20", "gpt-4o-mini");
    hl_explain_free(r);
    q.text = NULL;
    q.source = NULL;
    q.model_id = "gpt2-small";
    r = NULL;
    CHECK_OK(hl_explain_search(p, 1, &q, &r, err), err);
    CHECK(hl_explain_count(r) == 0);
    hl_explain_free(r);
    q.model_id = NULL;
    q.has_feature = 1;
    q.feature = 9;
    r = NULL;
    CHECK_OK(hl_explain_search(p, 1, &q, &r, err), err);
    CHECK(hl_explain_count(r) == 1);
    ROW(r, 0, 9, "", "gpt-4o-mini");
    hl_explain_free(r);
}

static void test_explain_bulk_folder(void) {
    const char *p[1] = {TDIR "/src"};
    const char *p2[2] = {TDIR "/src/explanations", TDIR "/export_object.json"};
    hl_explain_result *r;
    make_files();
    r = search(p, 1, NULL, 0, HL_OK);
    CHECK(hl_explain_files_read(r) == 4); /* source.jsonl + batch-0, batch-1, batch-10 */
    CHECK(hl_explain_rows_read(r) == 5);
    CHECK(hl_explain_count(r) == 5);
    ROW(r, 0, 1, " the word Deceive", "gpt-4o-mini");
    ROW(r, 1, 2, " self-deception", "gpt-4o-mini");
    ROW(r, 2, 10, " numbers and [digits]", "gpt-4o-mini");
    ROW(r, 3, 10, " digits 0-9", "gpt-4o");
    ROW(r, 4, 16383, " end of the dictionary", "gpt-4o-mini");
    if (hl_explain_count(r) == 5) {
        CHECK(strstr(hl_explain_at(r, 3)->file, "batch-1.jsonl.gz") != NULL);
        CHECK(hl_explain_at(r, 3)->line == 1);
        CHECK(hl_explain_at(r, 1)->line == 3); /* after a CRLF line and a blank line */
        CHECK(strstr(hl_explain_at(r, 4)->file, "batch-10.jsonl.gz") != NULL);
    }
    hl_explain_free(r);
    /* several inputs at once: a folder and a file */
    r = search(p2, 2, "decep", 0, HL_OK);
    CHECK(hl_explain_files_read(r) == 4);
    CHECK(hl_explain_count(r) == 3);
    ROW(r, 0, 2, " self-deception", "gpt-4o-mini");
    ROW(r, 1, 12, " deception and \"lies\" [brackets] {braces}", "gpt-4o-mini");
    ROW(r, 2, 100, "DECEPTIVE caf\xc3\xa9 menus", "claude-3-haiku");
    hl_explain_free(r);
    /* regex over the same files */
    r = search(p2, 2, "^ ?(self-)?decep|\\bnothing|digits? \\d-\\d$", 1, HL_ERR_ARG); /* \b unsupported */
    hl_explain_free(r);
    r = search(p2, 2, "^ ?(self-)?decep|digits? \\d-\\d$", 1, HL_OK);
    CHECK(hl_explain_count(r) == 4);
    ROW(r, 0, 2, " self-deception", "gpt-4o-mini");
    ROW(r, 1, 10, " digits 0-9", "gpt-4o");
    ROW(r, 2, 12, " deception and \"lies\" [brackets] {braces}", "gpt-4o-mini");
    ROW(r, 3, 100, "DECEPTIVE caf\xc3\xa9 menus", "claude-3-haiku");
    hl_explain_free(r);
}

static void test_explain_gzip_shapes(void) {
    /* the export object and the plain array gzip-compressed work the same as plain files */
    const char *p[2] = {TDIR "/export_object.json.gz", TDIR "/plain_array.json.gz"};
    hl_explain_result *r;
    make_files();
    write_gz(p[0], k_export_object, 4, 33);
    write_gz(p[1], k_plain_array, 1, 65535);
    r = search(p, 2, "DECEPT", 0, HL_OK);
    CHECK(hl_explain_count(r) == 4);
    ROW(r, 0, 3, " deception in layer 20", "gpt-4o-mini");
    ROW(r, 1, 7, "lying and deception", "claude-3-5-sonnet");
    ROW(r, 2, 12, " deception and \"lies\" [brackets] {braces}", "gpt-4o-mini");
    ROW(r, 3, 100, "DECEPTIVE caf\xc3\xa9 menus", "claude-3-haiku");
    hl_explain_free(r);
}

static void test_explain_errors(void) {
    const char *p[1];
    hl_explain_result *r;
    make_files();
    p[0] = TDIR "/missing.json";
    CHECK(search(p, 1, "x", 0, HL_ERR_IO) == NULL);
    p[0] = TDIR "/empty";
    CHECK(search(p, 1, "x", 0, HL_ERR_ARG) == NULL);
    write_text(TDIR "/trunc.json", "[{\"index\":\"1\",\"description\":\"a\"},{\"index\":\"2\",\"desc");
    p[0] = TDIR "/trunc.json";
    CHECK(search(p, 1, "x", 0, HL_ERR_FORMAT) == NULL);
    write_text(TDIR "/badindex.jsonl", "{\"index\":\"1\",\"description\":\"a\"}\n"
                                        "{\"index\":\"-4\",\"description\":\"b\"}\n");
    p[0] = TDIR "/badindex.jsonl";
    CHECK(search(p, 1, NULL, 0, HL_ERR_FORMAT) == NULL);
    write_text(TDIR "/badjson.jsonl", "{\"index\":\"1\",\"description\":\"a\" \"x\"}\n");
    p[0] = TDIR "/badjson.jsonl";
    CHECK(search(p, 1, NULL, 0, HL_ERR_FORMAT) == NULL);
    write_text(TDIR "/notjson.json", "index,description\n1,a\n");
    p[0] = TDIR "/notjson.json";
    CHECK(search(p, 1, NULL, 0, HL_ERR_FORMAT) == NULL);
    write_bytes(TDIR "/badgz.jsonl.gz", "\x1f\x8b\x08\x00garbage", 11);
    p[0] = TDIR "/badgz.jsonl.gz";
    r = search(p, 1, NULL, 0, HL_ERR_FORMAT);
    hl_explain_free(r);
    p[0] = TDIR "/plain_array.json";
    CHECK(search(p, 1, "(unclosed", 1, HL_ERR_ARG) == NULL);
    /* a huge integer index is rejected, a 20-digit one that fits is accepted */
    write_text(TDIR "/bigindex.jsonl", "{\"index\":\"18446744073709551615\",\"description\":\"max\"}\n");
    p[0] = TDIR "/bigindex.jsonl";
    r = search(p, 1, NULL, 0, HL_OK);
    CHECK(hl_explain_count(r) == 1 && hl_explain_at(r, 0)->index == UINT64_MAX);
    hl_explain_free(r);
    write_text(TDIR "/bigindex2.jsonl", "{\"index\":\"18446744073709551616\",\"description\":\"x\"}\n");
    p[0] = TDIR "/bigindex2.jsonl";
    CHECK(search(p, 1, NULL, 0, HL_ERR_FORMAT) == NULL);
}

static int re_match(const char *pat, const char *text) {
    hl_regex *re = NULL;
    int m;
    if (hl_regex_compile(pat, &re, NULL) != HL_OK) return -1;
    m = hl_regex_search(re, text, strlen(text));
    hl_regex_free(re);
    return m;
}

static void test_regex(void) {
    hl_regex *re = NULL;
    hl_error errbuf, *err = &errbuf;
    char big[5000];
    CHECK(re_match("decept", " Deception") == 1);
    CHECK(re_match("^decept", " Deception") == 0);
    CHECK(re_match("^ decept", " Deception") == 1);
    CHECK(re_match("tion$", " Deception") == 1);
    CHECK(re_match("tio$", " Deception") == 0);
    CHECK(re_match("d.c", "xdecx") == 1);
    CHECK(re_match("de*c", "dc") == 1);
    CHECK(re_match("de+c", "dc") == 0);
    CHECK(re_match("de+c", "deeec") == 1);
    CHECK(re_match("colou?r", "COLOR") == 1);
    CHECK(re_match("cat|dog", "hotdog") == 1);
    CHECK(re_match("^(cat|dog)s?$", "dogs") == 1);
    CHECK(re_match("^(cat|dog)s?$", "dogsx") == 0);
    CHECK(re_match("^(?:ab)+$", "ababab") == 1);
    CHECK(re_match("^(?:ab)+$", "ababa") == 0);
    CHECK(re_match("[0-9]+ years", "about 42 Years") == 1);
    CHECK(re_match("[^a-z ]", "only letters") == 0);
    CHECK(re_match("[^a-z ]", "ONLY LETTERS") == 0); /* case-insensitive, also in classes */
    CHECK(re_match("[^a-z ]", "two words!") == 1);
    CHECK(re_match("\\d\\d", "a1b22") == 1);
    CHECK(re_match("\\d\\d", "a1b2") == 0);
    CHECK(re_match("\\w+\\s\\w+", "hello world") == 1);
    CHECK(re_match("^\\S+$", "no spaces") == 0);
    CHECK(re_match("^\\D+$", "abc") == 1);
    CHECK(re_match("\\.", "a.b") == 1 && re_match("\\.", "ab") == 0);
    CHECK(re_match("[]a]", "]") == 1);
    CHECK(re_match("[a\\]]", "]") == 1);
    CHECK(re_match("a[-x]b", "a-b") == 1);
    CHECK(re_match("(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac") == 0); /* no blow-up */
    CHECK(re_match("(a|aa)*$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab") == 1);
    CHECK(re_match("", "anything") == 1);
    CHECK(re_match("x*", "") == 1);
    CHECK(re_match("a|", "b") == 1);
    CHECK(re_match("^$", "") == 1 && re_match("^$", "x") == 0);
    CHECK(hl_regex_compile("(ab", &re, err) == HL_ERR_ARG);
    CHECK(strstr(err->msg, "missing )") != NULL);
    CHECK(hl_regex_compile("ab)", &re, err) == HL_ERR_ARG);
    CHECK(hl_regex_compile("*a", &re, err) == HL_ERR_ARG);
    CHECK(hl_regex_compile("[a-", &re, err) == HL_ERR_ARG);
    CHECK(hl_regex_compile("[z-a]", &re, err) == HL_ERR_ARG);
    CHECK(hl_regex_compile("a\\", &re, err) == HL_ERR_ARG);
    CHECK(hl_regex_compile("\\q", &re, err) == HL_ERR_ARG);
    memset(big, '(', 100);
    big[100] = 0;
    CHECK(hl_regex_compile(big, &re, err) == HL_ERR_LIMIT);
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CHECK(hl_regex_compile(big, &re, err) == HL_ERR_LIMIT);
    CHECK(re == NULL);
}

static void test_neuronpedia_urls(void) {
    char buf[160];
    hl_error errbuf, *err = &errbuf;
    CHECK_OK(hl_neuronpedia_url(buf, sizeof buf, "gemma-2-2b", "25-gemmascope-res-16k", 4691, 0, err), err);
    CHECK(strcmp(buf, "https://www.neuronpedia.org/gemma-2-2b/25-gemmascope-res-16k/4691") == 0);
    CHECK_OK(hl_neuronpedia_url(buf, sizeof buf, "gpt2-small", "7-res-jb", 0, 1, err), err);
    CHECK(strcmp(buf, "https://www.neuronpedia.org/gpt2-small/7-res-jb/0?embed=true") == 0);
    CHECK(hl_neuronpedia_url(buf, sizeof buf, "gemma-2-2b", "../x", 1, 0, err) == HL_ERR_ARG);
    CHECK(hl_neuronpedia_url(buf, sizeof buf, "", "7-res-jb", 1, 0, err) == HL_ERR_ARG);
    CHECK(hl_neuronpedia_url(buf, 20, "gemma-2-2b", "7-res-jb", 1, 0, err) == HL_ERR_LIMIT);
}

static void test_sae_directory(void) {
    static const struct { const char *rel; size_t n; } counts[] = {
        {"gemma-scope-2b-pt-res", 316}, {"gemma-scope-2b-pt-res-canonical", 58},
        {"gemma-scope-2b-pt-mlp", 260}, {"gemma-scope-2b-pt-mlp-canonical", 52},
        {"gemma-scope-2b-pt-att", 260}, {"gemma-scope-2b-pt-att-canonical", 52},
        {"gemma-scope-9b-pt-res", 536}, {"gemma-scope-9b-pt-res-canonical", 90},
        {"gemma-scope-9b-pt-mlp", 492}, {"gemma-scope-9b-pt-mlp-canonical", 84},
        {"gemma-scope-9b-pt-att", 492}, {"gemma-scope-9b-pt-att-canonical", 84},
        {"gemma-scope-9b-it-res", 30},  {"gemma-scope-9b-it-res-canonical", 6},
        {"gemma-scope-27b-pt-res", 18}, {"gemma-scope-27b-pt-res-canonical", 3},
        {"gemma-2b-res-jb", 5},         {"gpt2-small-res-jb", 13},
        {"pythia-70m-deduped-res-sm", 7}, {"pythia-70m-deduped-mlp-sm", 6},
        {"pythia-70m-deduped-att-sm", 6}, {"mistral-7b-res-wg", 3}};
    const hl_sae_release *r;
    hl_sae_entry e;
    hl_error errbuf, *err = &errbuf;
    char cmd[1024];
    size_t i;
    for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        r = hl_sae_release_find(counts[i].rel);
        CHECKF(r != NULL, "%s", counts[i].rel);
        if (r) CHECKF(hl_sae_entry_count(r) == counts[i].n, "%s: %zu", counts[i].rel, hl_sae_entry_count(r));
    }
    CHECK(hl_sae_release_count() == sizeof counts / sizeof counts[0] + 75); /* + Gemma Scope 2 */
    CHECK(hl_sae_release_find("gemma-scope-2b-pt-transcoders") == NULL);

    r = hl_sae_release_find("gemma-scope-2b-pt-res-canonical");
    CHECK_OK(hl_sae_lookup(r, "layer_25/width_16k/canonical", &e, err), err);
    CHECK(strcmp(e.path, "layer_25/width_16k/average_l0_116") == 0);
    CHECK(strcmp(e.hook, "blocks.25.hook_resid_post") == 0);
    CHECK(strcmp(e.neuronpedia, "gemma-2-2b/25-gemmascope-res-16k") == 0);
    CHECK(e.d_sae == 16384 && e.layer == 25 && e.l0 == 116);
    CHECK_OK(hl_sae_download_command(r, &e, NULL, cmd, sizeof cmd, err), err);
    CHECK(strcmp(cmd, "curl -L --fail --create-dirs -o 'gemma-scope-2b-pt-res/layer_25/width_16k/"
                      "average_l0_116/params.npz' 'https://huggingface.co/google/gemma-scope-2b-pt-res/"
                      "resolve/main/layer_25/width_16k/average_l0_116/params.npz'") == 0);
    CHECK(hl_sae_lookup(r, "layer_25/width_16k/average_l0_116", &e, err) == HL_ERR_NOT_FOUND);
    CHECK(strstr(err->msg, "layer_{L}/width_{W}/canonical") != NULL);

    r = hl_sae_release_find("gemma-scope-2b-pt-res");
    CHECK_OK(hl_sae_lookup(r, "layer_25/width_65k/average_l0_15", &e, err), err);
    CHECK(e.d_sae == 65536 && strcmp(e.neuronpedia, "") == 0);
    CHECK_OK(hl_sae_download_command(r, &e, "saes", cmd, sizeof cmd, err), err);
    CHECK(strcmp(cmd, "curl -L --fail --create-dirs -o 'saes/layer_25/width_65k/average_l0_15/params.npz' "
                      "'https://huggingface.co/google/gemma-scope-2b-pt-res/resolve/main/layer_25/"
                      "width_65k/average_l0_15/params.npz'") == 0);
    CHECK(hl_sae_download_command(r, &e, "saes", cmd, 40, err) == HL_ERR_LIMIT);
    CHECK_OK(hl_sae_lookup(r, "layer_25/width_65k/average_l0_93", &e, err), err); /* = canonical */
    CHECK(strcmp(e.neuronpedia, "gemma-2-2b/25-gemmascope-res-65k") == 0);
    CHECK_OK(hl_sae_lookup(r, "embedding/width_4k/average_l0_111", &e, err), err);
    CHECK(e.layer == -1 && strcmp(e.hook, "hook_embed") == 0 && e.d_sae == 4096);
    CHECK(hl_sae_lookup(r, "layer_25/width_65k/average_l0_16", &e, err) == HL_ERR_NOT_FOUND);
    CHECK_OK(hl_sae_lookup(r, "layer_12/width_1m/average_l0_107", &e, err), err);
    CHECK(e.d_sae == 1048576);

    r = hl_sae_release_find("gemma-scope-9b-pt-att-canonical"); /* the tie: layer 27 16k -> 136 */
    CHECK_OK(hl_sae_lookup(r, "layer_27/width_16k/canonical", &e, err), err);
    CHECK(strcmp(e.path, "layer_27/width_16k/average_l0_136") == 0);
    CHECK(strcmp(e.hook, "blocks.27.attn.hook_z") == 0);
    CHECK(strcmp(e.neuronpedia, "gemma-2-9b/27-gemmascope-att-16k") == 0);
    r = hl_sae_release_find("gemma-scope-9b-it-res-canonical");
    CHECK_OK(hl_sae_lookup(r, "layer_20/width_131k/canonical", &e, err), err);
    CHECK(strcmp(e.path, "layer_20/width_131k/average_l0_81") == 0);
    CHECK(strcmp(e.neuronpedia, "gemma-2-9b-it/20-gemmascope-res-131k") == 0);

    r = hl_sae_release_find("gpt2-small-res-jb");
    CHECK_OK(hl_sae_lookup(r, "blocks.11.hook_resid_post", &e, err), err);
    CHECK(strcmp(e.neuronpedia, "gpt2-small/12-res-jb") == 0 && e.l0 == 70 && e.d_sae == 24576);
    CHECK_OK(hl_sae_download_command(r, &e, NULL, cmd, sizeof cmd, err), err);
    CHECK(strcmp(cmd,
                 "curl -L --fail --create-dirs -o 'GPT2-Small-SAEs-Reformatted/blocks.11.hook_resid_post/"
                 "cfg.json' 'https://huggingface.co/jbloom/GPT2-Small-SAEs-Reformatted/resolve/main/"
                 "blocks.11.hook_resid_post/cfg.json'\n"
                 "curl -L --fail --create-dirs -o 'GPT2-Small-SAEs-Reformatted/blocks.11.hook_resid_post/"
                 "sae_weights.safetensors' 'https://huggingface.co/jbloom/GPT2-Small-SAEs-Reformatted/"
                 "resolve/main/blocks.11.hook_resid_post/sae_weights.safetensors'") == 0);
    r = hl_sae_release_find("gemma-2b-res-jb");
    CHECK_OK(hl_sae_lookup(r, "blocks.6.hook_resid_post", &e, err), err);
    CHECK(strcmp(e.path, "gemma_2b_blocks.6.hook_resid_post_16384_anthropic_fast_lr") == 0);
    CHECK(strcmp(e.neuronpedia, "gemma-2b/6-res-jb") == 0);
    CHECK_OK(hl_sae_lookup(r, "blocks.17.hook_resid_post", &e, err), err);
    CHECK(strcmp(e.neuronpedia, "") == 0);
    r = hl_sae_release_find("mistral-7b-res-wg");
    CHECK_OK(hl_sae_entry_at(r, 2, &e, err), err);
    CHECK(strcmp(e.id, "blocks.24.hook_resid_pre") == 0 && strcmp(e.path, "mistral_7b_layer_24") == 0);
    CHECK(e.layer == 24 && strcmp(e.neuronpedia, "") == 0);
    CHECK(hl_sae_entry_at(r, 3, &e, err) == HL_ERR_NOT_FOUND);
    r = hl_sae_release_find("pythia-70m-deduped-res-sm");
    CHECK_OK(hl_sae_entry_at(r, 0, &e, err), err);
    CHECK(strcmp(e.id, "blocks.0.hook_resid_pre") == 0 && strcmp(e.path, "e-res-sm") == 0);
    CHECK(strcmp(e.neuronpedia, "pythia-70m-deduped/e-res-sm") == 0);
}

/* Gemma Scope 2: the totals are SAELens 6.54.12's pretrained_saes.yaml (75 gemma-scope-2-*
   releases, 8784 SAEs, their l0 values summing to 576684, 222 with a Neuronpedia id). */
static void test_sae_directory_gemma_scope_2(void) {
    static const struct { const char *rel; size_t n; } counts[] = {
        {"gemma-scope-2-270m-pt-transcoders", 2},      {"gemma-scope-2-270m-pt-res", 52},
        {"gemma-scope-2-27b-pt-transcoders-all", 491}, {"gemma-scope-2-4b-it-transcoders-all", 272},
        {"gemma-scope-2-1b-pt-mlp", 48},               {"gemma-scope-2-12b-pt-res-all", 192}};
    const hl_sae_release *r;
    hl_sae_entry e;
    hl_error errbuf, *err = &errbuf;
    char cmd[1024];
    size_t i, j, n_rel = 0, n_sae = 0, n_np = 0;
    double l0_sum = 0;
    for (i = 0; i < hl_sae_release_count(); i++) {
        r = hl_sae_release_at(i);
        if (strncmp(r->release, "gemma-scope-2-", 14) != 0) continue;
        n_rel++;
        for (j = 0; j < hl_sae_entry_count(r); j++) {
            CHECK_OK(hl_sae_entry_at(r, j, &e, err), err);
            n_sae++;
            l0_sum += e.l0;
            n_np += e.neuronpedia[0] != 0;
            CHECKF(e.d_sae > 0 && e.layer >= 0 && e.l0 > 0, "%s %s", r->release, e.id);
        }
    }
    CHECK(n_rel == 75 && n_sae == 8784 && n_np == 222);
    CHECKF(l0_sum == 576684.0, "%g", l0_sum);
    for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        r = hl_sae_release_find(counts[i].rel);
        CHECKF(r != NULL, "%s", counts[i].rel);
        if (r) CHECKF(hl_sae_entry_count(r) == counts[i].n, "%s: %zu", counts[i].rel, hl_sae_entry_count(r));
    }

    r = hl_sae_release_find("gemma-scope-2-270m-pt-res");
    CHECK(r && strcmp(r->model, "gemma-3-270m") == 0 && strcmp(r->repo_id, "google/gemma-scope-2-270m-pt") == 0);
    if (!r) return;
    CHECK_OK(hl_sae_lookup(r, "layer_12_width_16k_l0_medium", &e, err), err);
    CHECK(strcmp(e.path, "resid_post/layer_12_width_16k_l0_medium") == 0);
    CHECK(strcmp(e.hook, "blocks.12.hook_resid_post") == 0 && e.layer == 12);
    CHECK(strcmp(e.neuronpedia, "gemma-3-270m/12-gemmascope-2-res-16k") == 0);
    CHECK(e.d_sae == 16384 && e.l0 == 60);
    CHECK_OK(hl_sae_download_command(r, &e, NULL, cmd, sizeof cmd, err), err);
    CHECK(strcmp(cmd, "curl -L --fail --create-dirs -o 'gemma-scope-2-270m-pt/resid_post/"
                      "layer_12_width_16k_l0_medium/config.json' 'https://huggingface.co/google/"
                      "gemma-scope-2-270m-pt/resolve/main/resid_post/layer_12_width_16k_l0_medium/"
                      "config.json'\n"
                      "curl -L --fail --create-dirs -o 'gemma-scope-2-270m-pt/resid_post/"
                      "layer_12_width_16k_l0_medium/params.safetensors' 'https://huggingface.co/google/"
                      "gemma-scope-2-270m-pt/resolve/main/resid_post/layer_12_width_16k_l0_medium/"
                      "params.safetensors'") == 0);
    CHECK_OK(hl_sae_lookup(r, "layer_5_width_1m_l0_small", &e, err), err);
    CHECK(e.d_sae == 1048576 && e.l0 == 18 && strcmp(e.neuronpedia, "") == 0);
    CHECK_OK(hl_sae_lookup(r, "layer_9_width_262k_l0_medium_seed_1", &e, err), err);
    CHECK(e.d_sae == 262144 && e.l0 == 60 && strcmp(e.neuronpedia, "") == 0);
    CHECK(hl_sae_lookup(r, "layer_10_width_16k_l0_medium", &e, err) == HL_ERR_NOT_FOUND);
    CHECK(strstr(err->msg, "layer_{L}_width_{W}_l0_{N}") != NULL);

    r = hl_sae_release_find("gemma-scope-2-270m-pt-transcoders"); /* just two SAEs */
    CHECK_OK(hl_sae_lookup(r, "transcoder/layer_15_width_262k_l0_big_affine", &e, err), err);
    CHECK(strcmp(e.path, "transcoder/layer_15_width_262k_l0_big_affine") == 0 && e.l0 == 150);
    CHECK(strcmp(e.hook, "blocks.15.hook_mlp_in") == 0);
    CHECK_OK(hl_sae_lookup(r, "transcoder/layer_9_width_16k_l0_small_affine", &e, err), err);
    CHECK(e.l0 == 20);
    CHECK(hl_sae_lookup(r, "transcoder/layer_9_width_262k_l0_big_affine", &e, err) == HL_ERR_NOT_FOUND);

    r = hl_sae_release_find("gemma-scope-2-27b-pt-transcoders-all"); /* three layers lack some */
    CHECK(hl_sae_lookup(r, "layer_4_width_16k_l0_big", &e, err) == HL_ERR_NOT_FOUND);
    CHECK(hl_sae_lookup(r, "layer_5_width_16k_l0_small", &e, err) == HL_ERR_NOT_FOUND);
    CHECK(hl_sae_lookup(r, "layer_43_width_16k_l0_small", &e, err) == HL_ERR_NOT_FOUND);
    CHECK_OK(hl_sae_lookup(r, "layer_5_width_16k_l0_big", &e, err), err);
    CHECK(e.l0 == 74 && strcmp(e.path, "transcoder_all/layer_5_width_16k_l0_big") == 0);
    CHECK_OK(hl_sae_lookup(r, "layer_4_width_16k_l0_small_affine", &e, err), err);
    CHECK(e.l0 == 11);
    CHECK_OK(hl_sae_lookup(r, "layer_61_width_262k_l0_small_affine", &e, err), err);
    CHECK(e.l0 == 20 && strcmp(e.neuronpedia, "") == 0);

    r = hl_sae_release_find("gemma-scope-2-4b-it-transcoders-all"); /* pages on some layers */
    CHECK_OK(hl_sae_lookup(r, "layer_6_width_16k_l0_small_affine", &e, err), err);
    CHECK(strcmp(e.neuronpedia, "gemma-3-4b-it/6-gemmascope-2-transcoder-16k") == 0);
    CHECK_OK(hl_sae_lookup(r, "layer_5_width_16k_l0_small_affine", &e, err), err);
    CHECK(strcmp(e.neuronpedia, "") == 0);
    CHECK_OK(hl_sae_lookup(r, "layer_33_width_262k_l0_small_affine", &e, err), err);
    CHECK(strcmp(e.neuronpedia, "gemma-3-4b-it/33-gemmascope-2-transcoder-262k") == 0);

    r = hl_sae_release_find("gemma-scope-2-1b-pt-att-all");
    CHECK(r && strcmp(r->model, "gemma-3-1b-pt") == 0 && strcmp(r->np_model, "gemma-3-1b") == 0);
    CHECK_OK(hl_sae_lookup(r, "layer_25_width_262k_l0_small", &e, err), err);
    CHECK(strcmp(e.hook, "blocks.25.attn.hook_z") == 0 && e.d_sae == 262144 && e.l0 == 20);
    CHECK(strcmp(e.path, "attn_out_all/layer_25_width_262k_l0_small") == 0);
    r = hl_sae_release_find("gemma-scope-2-1b-it-res");
    CHECK_OK(hl_sae_lookup(r, "layer_13_width_65k_l0_medium", &e, err), err);
    CHECK(strcmp(e.neuronpedia, "gemma-3-1b-it/13-gemmascope-2-res-65k") == 0);
    CHECK_OK(hl_sae_lookup(r, "layer_13_width_1m_l0_medium", &e, err), err);
    CHECK(strcmp(e.neuronpedia, "") == 0);
    r = hl_sae_release_find("gemma-scope-2-12b-it-mlp");
    CHECK_OK(hl_sae_lookup(r, "layer_12_width_65k_l0_big", &e, err), err);
    CHECK(strcmp(e.hook, "blocks.12.hook_mlp_out") == 0 && e.l0 == 127 && e.d_sae == 65536);
    CHECK(hl_sae_release_find("gemma-scope-2-27b-pt-mlp") == NULL); /* SAELens has none */
}

void suite_explain(void);
void suite_explain(void) {
    RUN(test_explain_export_object);
    RUN(test_explain_plain_array);
    RUN(test_explain_bulk_folder);
    RUN(test_explain_gzip_shapes);
    RUN(test_explain_errors);
    RUN(test_regex);
    RUN(test_neuronpedia_urls);
    RUN(test_sae_directory);
    RUN(test_sae_directory_gemma_scope_2);
}
