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

int cmd_tokenize(const cli_args *args) {
    const char *path = args->n_pos > 0 ? args->pos[0] : NULL, *text = args->n_pos > 1 ? args->pos[1] : NULL;
    const char *text_file = cli_str(args, CLI_TEXT_FILE, NULL), *json_lines = cli_str(args, CLI_JSON_LINES, NULL);
    const int special = args->n[CLI_SPECIAL] > 0, pieces = args->n[CLI_PIECES] > 0;
    int rc = 0;
    hl_tokenizer *tok = NULL;
    hl_error err;
    if (!path || (!!text + !!text_file + !!json_lines) != 1) {
        fprintf(stderr, "hooklens tokenize: give TOKENIZER and one of TEXT, --text-file or --json-lines (-- before a TEXT that starts with -)\n");
        return cli_usage("tokenize");
    }
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

int cmd_detokenize(const cli_args *a) {
    hl_tokenizer *tok = NULL;
    hl_error err;
    int32_t *ids;
    int64_t n = 0;
    char *text = NULL;
    size_t len = 0;
    const int skip = a->n[CLI_SKIP_SPECIAL] > 0;
    int i;
    if (a->n_pos < 1) return cli_usage("detokenize");
    ids = (int32_t *)malloc(sizeof(int32_t) * (size_t)(a->n_pos > 1 ? a->n_pos - 1 : 1));
    if (!ids) return 1;
    for (i = 1; i < a->n_pos; i++) {
        char *end;
        long v;
        errno = 0;
        v = strtol(a->pos[i], &end, 10);
        if (errno || *end || end == a->pos[i] || v < 0 || v > INT32_MAX) {
            fprintf(stderr, "hooklens detokenize: \"%s\" is not a token id\n", a->pos[i]);
            free(ids);
            return 2;
        }
        ids[n++] = (int32_t)v;
    }
    if (hl_tokenizer_load(a->pos[0], &tok, &err) != HL_OK) {
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
