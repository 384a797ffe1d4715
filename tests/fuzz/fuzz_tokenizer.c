/* tests/fuzz/fuzz_tokenizer.c - libFuzzer target for the tokenizer (self-contained: the tokenizers
   are small tokenizer.json texts built in memory, no files needed).
   The first input byte picks the mode, the rest is the payload:
     0..3  encode the payload as is (random bytes: mostly the invalid-UTF-8 error path)
     4..7  encode the payload turned into valid UTF-8 (each 1-3 bytes become one code point), then
           decode the ids and print them as str tokens
     8     decode the payload read as little-endian 16-bit ids (any value, also out of range)
     9     load the payload itself as a tokenizer.json, then encode a fixed text with it
   Tokenizer A is GPT-2 style (NFC, ByteLevel with the GPT-2 regex, added tokens with lstrip,
   rstrip, single_word, normalized); tokenizer B is Gemma / Llama style (Prepend and Replace
   normalizers, byte_fallback, Split / Digits / Metaspace pre-tokenizers, template post-processor,
   Replace / ByteFallback / Fuse / Strip decoders). */
#include <unistd.h>
#include "../../hooklens.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A growable string (the harness links the library, so it has its own small helpers). */
typedef struct fz_buf {
    char  *data;
    size_t len, cap;
} fz_buf;
static void fz_push(fz_buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        b->data = (char *)realloc(b->data, cap);
        if (!b->data) abort();
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}
static void fz_puts(fz_buf *b, const char *s) { fz_push(b, s, strlen(s)); }
static void fz_putc(fz_buf *b, char c) { fz_push(b, &c, 1); }
static void fz_printf(fz_buf *b, const char *fmt, ...) {
    char tmp[1024];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) abort(); /* the harness's own strings are all shorter */
    fz_push(b, tmp, (size_t)n);
}
/* UTF-8 of code point cp into s (at most 4 bytes); returns the length. */
static size_t fz_utf8_put(char *s, uint32_t cp) {
    if (cp < 0x80) { s[0] = (char)cp; return 1; }
    if (cp < 0x800) { s[0] = (char)(0xC0 | (cp >> 6)); s[1] = (char)(0x80 | (cp & 63)); return 2; }
    if (cp < 0x10000) {
        s[0] = (char)(0xE0 | (cp >> 12)); s[1] = (char)(0x80 | ((cp >> 6) & 63)); s[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    s[0] = (char)(0xF0 | (cp >> 18)); s[1] = (char)(0x80 | ((cp >> 12) & 63));
    s[2] = (char)(0x80 | ((cp >> 6) & 63)); s[3] = (char)(0x80 | (cp & 63));
    return 4;
}
/* The code point at s[0..n) (the built-in strings are valid UTF-8); *adv its length. */
static uint32_t fz_utf8_next(const uint8_t *s, size_t n, size_t *adv) {
    size_t k = s[0] < 0x80 ? 1 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4, i;
    uint32_t cp = k == 1 ? s[0] : (uint32_t)(s[0] & (0x7F >> k));
    if (k > n) k = n;
    for (i = 1; i < k; i++) cp = (cp << 6) | (s[i] & 63u);
    *adv = k;
    return cp;
}
/* GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others for 256 + n. */
static uint32_t fz_byte_char(int byte) {
    int i, n = 0;
    for (i = 0; i < 256; i++) {
        int printable = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF);
        if (i == byte) return printable ? (uint32_t)i : (uint32_t)(256 + n);
        if (!printable) n++;
    }
    return 0;
}

static const char *const fz_words[] = {"he", "ll", "llo", "wor", "ld", "the", "in", "ing", "12", "a", "b", "ab",
                                       "\xC3\xA9", "\xE2\x96\x81", "e\xCC\x81", "<", ">", "s", NULL};

/* Appends a JSON string literal (\u escapes for everything outside printable ASCII). */
static void fz_json_str(fz_buf *b, const char *s, size_t n) {
    size_t i = 0, adv;
    fz_putc(b, '"');
    while (i < n) {
        uint32_t cp = fz_utf8_next((const uint8_t *)s + i, n - i, &adv);
        if (cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\') fz_putc(b, (char)cp);
        else if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000;
            fz_printf(b, "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
        } else fz_printf(b, "\\u%04x", (unsigned)cp);
        i += adv;
    }
    fz_putc(b, '"');
}

/* GPT-2 style: the 256 byte characters, merges of the byte-level forms of fz_words. */
static char *fz_make_a(void) {
    fz_buf b = {NULL, 0, 0};
    char u[8], piece[64];
    int i, id = 0;
    fz_puts(&b, "{\"normalizer\": {\"type\": \"NFC\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {");
    for (i = 0; i < 256; i++) {
        size_t n = fz_utf8_put(u, fz_byte_char(i));
        if (i) fz_puts(&b, ", ");
        fz_json_str(&b, u, n);
        fz_printf(&b, ": %d", id++);
    }
    /* each word built left to right: merges (prefix, next byte char) */
    {
        fz_buf merges = {NULL, 0, 0};
        int w, first = 1;
        for (w = 0; fz_words[w]; w++) {
            size_t k, pl = 0, wl = strlen(fz_words[w]);
            piece[0] = 0;
            for (k = 0; k < wl; k++) {
                size_t n = fz_utf8_put(u, fz_byte_char((uint8_t)fz_words[w][k]));
                if (k > 0) {
                    if (!first) fz_puts(&merges, ", ");
                    first = 0;
                    fz_putc(&merges, '[');
                    fz_json_str(&merges, piece, pl);
                    fz_puts(&merges, ", ");
                    fz_json_str(&merges, u, n);
                    fz_putc(&merges, ']');
                }
                memcpy(piece + pl, u, n);
                pl += n;
                if (k > 0) {
                    fz_puts(&b, ", ");
                    fz_json_str(&b, piece, pl);
                    fz_printf(&b, ": %d", id++);
                }
            }
        }
        fz_puts(&b, "}, \"merges\": [");
        fz_push(&b, merges.data ? merges.data : "", merges.len);
        free(merges.data);
    }
    fz_printf(&b, "]}, \"added_tokens\": ["
                       "{\"id\": %d, \"content\": \"<|end|>\", \"special\": true, \"normalized\": false},"
                       "{\"id\": %d, \"content\": \"  \", \"normalized\": true},"
                       "{\"id\": %d, \"content\": \"<mask>\", \"lstrip\": true, \"rstrip\": true, \"normalized\": false},"
                       "{\"id\": %d, \"content\": \"word\", \"single_word\": true, \"normalized\": false}],",
                   id, id + 1, id + 2, id + 3);
    fz_puts(&b, "\"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"use_regex\": true},"
                     "\"post_processor\": {\"type\": \"ByteLevel\"},"
                     "\"decoder\": {\"type\": \"ByteLevel\"}}");
    return b.data;
}

/* Gemma / Llama style: <0xXX> byte pieces, characters of fz_words, merges. */
static char *fz_make_b(void) {
    fz_buf b = {NULL, 0, 0};
    int i, id = 0, w;
    fz_puts(&b, "{\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Prepend\", \"prepend\":"
                     " \"\\u2581\"}, {\"type\": \"Replace\", \"pattern\": {\"String\": \" \"}, \"content\": \"\\u2581\"}]},"
                     "\"model\": {\"type\": \"BPE\", \"byte_fallback\": true, \"fuse_unk\": true, \"unk_token\": \"<unk>\","
                     " \"vocab\": {\"<unk>\": 0, \"<s>\": 1, \"</s>\": 2");
    id = 3;
    for (i = 0; i < 256; i++) fz_printf(&b, ", \"<0x%02X>\": %d", i, id++);
    for (w = 0; fz_words[w]; w++) {
        fz_puts(&b, ", ");
        fz_json_str(&b, fz_words[w], strlen(fz_words[w]));
        fz_printf(&b, ": %d", id++);
    }
    for (i = 'a'; i <= 'z'; i++) fz_printf(&b, ", \"%c\": %d", i, id++);
    fz_printf(&b, ", \"\\u2581\": %d, \"1\": %d, \"2\": %d, \"\\u2581a\": %d}, \"merges\": [\"h e\", \"l l\","
                       " \"ll o\", \"\\u2581 a\", \"a b\", \"1 2\", \"i n\", \"in g\"]},",
                   id, id + 1, id + 2, id + 3);
    fz_puts(&b, "\"added_tokens\": [{\"id\": 1, \"content\": \"<s>\", \"special\": true, \"normalized\": false},"
                     "{\"id\": 2, \"content\": \"</s>\", \"special\": true, \"normalized\": false}],"
                     "\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": ["
                     "{\"type\": \"Digits\", \"individual_digits\": false},"
                     "{\"type\": \"Split\", \"pattern\": {\"String\": \"\\u2581\"}, \"behavior\": \"MergedWithNext\","
                     " \"invert\": false},"
                     "{\"type\": \"Metaspace\", \"replacement\": \"\\u2581\", \"prepend_scheme\": \"first\", \"split\": true}]},"
                     "\"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<s>\","
                     " \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}], \"special_tokens\": {\"<s>\":"
                     " {\"id\": \"<s>\", \"ids\": [1], \"tokens\": [\"<s>\"]}}},"
                     "\"decoder\": {\"type\": \"Sequence\", \"decoders\": [{\"type\": \"Replace\", \"pattern\": {\"String\":"
                     " \"\\u2581\"}, \"content\": \" \"}, {\"type\": \"ByteFallback\"}, {\"type\": \"Fuse\"},"
                     " {\"type\": \"Strip\", \"content\": \" \", \"start\": 1, \"stop\": 0}]}}");
    return b.data;
}

static hl_tokenizer *fz_load(char *json) {
    hl_tokenizer *t = NULL;
    hl_error err;
    if (!json || hl_tokenizer_load_memory(json, strlen(json), &t, &err) != HL_OK) {
        fprintf(stderr, "fuzz_tokenizer: built-in tokenizer does not load: %s\n", json ? err.msg : "oom");
        abort();
    }
    free(json);
    return t;
}

static void fz_encode_decode(const hl_tokenizer *t, const char *s, size_t n) {
    int32_t *ids = NULL;
    int64_t k, m = 0;
    char *text = NULL, **strs = NULL;
    if (hl_tokenizer_encode(t, s, n, (int)(n & 1), &ids, &m, NULL) != HL_OK) return;
    for (k = 0; k < m; k++)
        if (ids[k] < 0 || ids[k] >= hl_tokenizer_vocab_size(t)) abort();
    if (hl_tokenizer_decode(t, ids, m, (int)(n & 2), &text, NULL, NULL) == HL_OK) hl_free(text);
    if (hl_tokenizer_to_str_tokens(t, ids, m, &strs, NULL) == HL_OK) hl_free(strs);
    hl_free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static hl_tokenizer *ta, *tb;
    const hl_tokenizer *t;
    uint8_t mode;
    if (!ta) ta = fz_load(fz_make_a());
    if (!tb) tb = fz_load(fz_make_b());
    if (size < 1) return 0;
    mode = data[0] % 10;
    t = (data[0] & 0x80) ? tb : ta;
    data++;
    size--;
    if (mode < 4) {
        fz_encode_decode(t, (const char *)data, size);
    } else if (mode < 8) {
        /* map to valid UTF-8: byte < 0x80 stays; otherwise two bytes pick a code point from a few
           interesting ranges (Latin, combining marks, Hangul, CJK, whitespace, emoji) */
        char *s = (char *)malloc(size * 4 + 1);
        size_t i = 0, o = 0;
        static const uint32_t base[8] = {0xC0, 0x300, 0xAC00, 0x1100, 0x4E00, 0x2000, 0x1F600, 0x2581};
        if (!s) return 0;
        while (i < size) {
            uint8_t c = data[i++];
            if (c < 0x80) { s[o++] = (char)c; continue; }
            {
                uint32_t cp = base[c & 7] + (i < size ? data[i++] : 0);
                if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
                o += fz_utf8_put(s + o, cp);
            }
        }
        fz_encode_decode(t, s, o);
        free(s);
    } else if (mode == 8) {
        size_t n = size / 2, i;
        int32_t *ids = (int32_t *)malloc((n ? n : 1) * sizeof(int32_t));
        char *text = NULL, **strs = NULL;
        if (!ids) return 0;
        for (i = 0; i < n; i++) ids[i] = (int32_t)(data[2 * i] | (data[2 * i + 1] << 8)) % 400;
        if (hl_tokenizer_decode(t, ids, (int64_t)n, size ? data[0] & 1 : 0, &text, NULL, NULL) == HL_OK) hl_free(text);
        if (hl_tokenizer_to_str_tokens(t, ids, (int64_t)n, &strs, NULL) == HL_OK) hl_free(strs);
        free(ids);
    } else {
        hl_tokenizer *u = NULL;
        if (hl_tokenizer_load_memory((const char *)data, size, &u, NULL) == HL_OK) {
            fz_encode_decode(u, "Hello world  12 <s>\xC3\xA9", 22);
            hl_tokenizer_free(u);
        }
    }
    return 0;
}
