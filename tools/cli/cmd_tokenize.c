/* tools/cli/cmd_tokenize.c - tokenize and detokenize with a Hugging Face tokenizer.json.
     hooklens tokenize TOKENIZER|MODEL [--special] [--pieces] [--text-file F | --json-lines F | TEXT]
       prints the ids on one line, separated by spaces (--special: the post-processor runs, e.g. <bos>);
       --pieces prints the tokens as TransformerLens's to_str_tokens shows them, as a JSON array;
       --json-lines F: one JSON string per line in, one line of output per line (one load).
     hooklens detokenize TOKENIZER|MODEL IDS...   prints the decoded text */
#include <errno.h>
#include "cli.h"

/* Reads a whole file (or stdin for "-") into a new buffer. */
static char *read_all(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f) return NULL;
    for (;;) {
        size_t got;
        if (cap - n < 65536) {
            char *p;
            cap = cap ? cap * 2 : 1 << 20;
            p = (char *)realloc(buf, cap + 1);
            if (!p) { free(buf); buf = NULL; break; }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (buf && ferror(f)) { free(buf); buf = NULL; }
    if (f != stdin) fclose(f);
    if (buf) buf[n] = 0;
    *len = n;
    return buf;
}

static void print_json_string(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    putchar('"');
    for (; *p; p++) {
        if (*p == '"' || *p == '\\') printf("\\%c", *p);
        else if (*p == '\n') fputs("\\n", stdout);
        else if (*p == '\t') fputs("\\t", stdout);
        else if (*p == '\r') fputs("\\r", stdout);
        else if (*p < 0x20 || *p == 0x7f) printf("\\u%04x", *p);
        else putchar(*p);
    }
    putchar('"');
}

/* Encodes one text and prints one line; returns 0 or 1 after printing an error. */
static int tokenize_one(const hl_tokenizer *tok, const char *text, size_t len, int special, int pieces) {
    hl_error err;
    int32_t *ids = NULL;
    int64_t n = 0, i;
    if (hl_tokenizer_encode(tok, text, len, special, &ids, &n, &err) != HL_OK) return cli_error(&err);
    if (pieces) {
        char **strs = NULL;
        if (hl_tokenizer_to_str_tokens(tok, ids, n, &strs, &err) != HL_OK) {
            hl_free(ids);
            return cli_error(&err);
        }
        putchar('[');
        for (i = 0; i < n; i++) {
            if (i) fputs(", ", stdout);
            print_json_string(strs[i]);
        }
        puts("]");
        hl_free(strs);
    } else {
        for (i = 0; i < n; i++) printf(i ? " %ld" : "%ld", (long)ids[i]);
        putchar('\n');
    }
    hl_free(ids);
    return 0;
}

int cmd_tokenize(int argc, char **argv) {
    const char *path = NULL, *text = NULL, *text_file = NULL, *json_lines = NULL;
    int special = 0, pieces = 0, i, rc = 0;
    hl_tokenizer *tok = NULL;
    hl_error err;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--special") == 0) special = 1;
        else if (strcmp(argv[i], "--pieces") == 0) pieces = 1;
        else if (strcmp(argv[i], "--text-file") == 0 && i + 1 < argc) text_file = argv[++i];
        else if (strcmp(argv[i], "--json-lines") == 0 && i + 1 < argc) json_lines = argv[++i];
        else if (strcmp(argv[i], "--") == 0 && i + 1 < argc && !text && path) text = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1] == '-') return cli_usage("tokenize");
        else if (!path) path = argv[i];
        else if (!text) text = argv[i];
        else return cli_usage("tokenize");
    }
    if (!path || (!!text + !!text_file + !!json_lines) != 1) return cli_usage("tokenize");
    if (hl_tokenizer_load(path, &tok, &err) != HL_OK) return cli_error(&err);
    if (text) {
        rc = tokenize_one(tok, text, strlen(text), special, pieces);
    } else if (text_file) {
        size_t len;
        char *buf = read_all(text_file, &len);
        if (!buf) {
            fprintf(stderr, "hooklens: %s: cannot read: %s\n", text_file, strerror(errno));
            rc = 1;
        } else {
            rc = tokenize_one(tok, buf, len, special, pieces);
        }
        free(buf);
    } else {
        size_t len, a = 0, line = 0;
        char *buf = read_all(json_lines, &len);
        if (!buf) {
            fprintf(stderr, "hooklens: %s: cannot read: %s\n", json_lines, strerror(errno));
            rc = 1;
        }
        while (buf && a < len && rc == 0) {
            size_t b = a;
            hl_json_doc *doc = NULL;
            const hl_json *v;
            while (b < len && buf[b] != '\n') b++;
            line++;
            if (hl_json_parse(buf + a, b - a, &doc, &err) != HL_OK) {
                fprintf(stderr, "hooklens: %s line %lu: %s\n", json_lines, (unsigned long)line, err.msg);
                rc = 1;
                break;
            }
            v = hl_json_root(doc);
            if (v->type != HL_JSON_STRING) {
                fprintf(stderr, "hooklens: %s line %lu: expected a JSON string\n", json_lines, (unsigned long)line);
                rc = 1;
            } else {
                rc = tokenize_one(tok, v->str, v->len, special, pieces);
            }
            hl_json_free(doc);
            a = b + 1;
        }
        free(buf);
    }
    hl_tokenizer_free(tok);
    return rc;
}

int cmd_detokenize(int argc, char **argv) {
    hl_tokenizer *tok = NULL;
    hl_error err;
    int32_t *ids;
    int64_t n = 0;
    char *text = NULL;
    size_t len = 0;
    int i, skip = 0, first = 2;
    if (argc >= 2 && strcmp(argv[1], "--skip-special") == 0) { skip = 1; argv++; argc--; }
    if (argc < 2) return cli_usage("detokenize");
    ids = (int32_t *)malloc(sizeof(int32_t) * (size_t)(argc > first ? argc - first : 1));
    if (!ids) return 1;
    for (i = first; i < argc; i++) {
        char *end;
        long v;
        errno = 0;
        v = strtol(argv[i], &end, 10);
        if (errno || *end || end == argv[i] || v < 0 || v > INT32_MAX) {
            fprintf(stderr, "hooklens detokenize: \"%s\" is not a token id\n", argv[i]);
            free(ids);
            return 2;
        }
        ids[n++] = (int32_t)v;
    }
    if (hl_tokenizer_load(argv[1], &tok, &err) != HL_OK) {
        free(ids);
        return cli_error(&err);
    }
    if (hl_tokenizer_decode(tok, ids, n, skip, &text, &len, &err) != HL_OK) {
        free(ids);
        hl_tokenizer_free(tok);
        return cli_error(&err);
    }
    fwrite(text, 1, len, stdout);
    putchar('\n');
    hl_free(text);
    free(ids);
    hl_tokenizer_free(tok);
    return 0;
}
