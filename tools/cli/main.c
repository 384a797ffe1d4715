/* tools/cli/main.c - the `hooklens` command: dispatch to one function per subcommand. */
#include <unistd.h>
#include "cli.h"
#include <errno.h>
#include <math.h>

typedef struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} cli_command;

static const cli_command commands[] = {
#define HL__X(name, fn, help) {name, fn, help},
    HL_CLI_COMMANDS(HL__X)
#undef HL__X
};

const char *cli_default_model(void) {
    const char *m = getenv("HL_MODEL");
    return (m && *m) ? m : "examples/stories260K";
}

int cli_error(const hl_error *err) {
    fprintf(stderr, "hooklens: %s\n", err && err->msg[0] ? err->msg : "error");
    return 1;
}

int cli_parse_i64(const char *s, int64_t *out) {
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end || errno == ERANGE) return 0;
    *out = (int64_t)v;
    return 1;
}
int cli_parse_f64(const char *s, double *out) {
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

int cli_parse_ids(const char *s, int64_t d_vocab, int32_t **ids, int64_t *n) {
    int32_t *v = (int32_t *)malloc((strlen(s) / 2 + 2) * sizeof(int32_t)); /* ids need >= 2 chars each */
    int64_t k = 0;
    if (!v) {
        fprintf(stderr, "hooklens: out of memory\n");
        return 1;
    }
    while (*s) {
        char *end;
        long long t;
        while (*s == ' ' || *s == ',' || *s == '\t' || *s == '\n') s++;
        if (!*s) break;
        t = strtoll(s, &end, 10);
        if (end == s || t < 0 || t >= d_vocab) {
            fprintf(stderr, "hooklens: --tokens: not a token id below %lld at \"%s\"\n", (long long)d_vocab, s);
            free(v);
            return 1;
        }
        v[k++] = (int32_t)t;
        s = end;
    }
    if (k == 0) {
        fprintf(stderr, "hooklens: --tokens is empty\n");
        free(v);
        return 1;
    }
    *ids = v;
    *n = k;
    return 0;
}

int cli_usage(const char *cmd) {
    size_t i;
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, cmd) == 0) fprintf(stderr, "usage: hooklens %s\n", commands[i].help);
    return 2;
}

int cli_stderr_is_tty(void) {
    return isatty(2);
}

/* Kernel level from the environment: HL_FORCE_SCALAR (non-empty, not "0") forces the scalar reference,
   HL_KERNELS=scalar|avx2|avx512|neon picks a level; otherwise HL_KERNELS_DEFAULT (the best one). */
hl_kernels cli_kernels_from_env(void) {
    const char *f = getenv("HL_FORCE_SCALAR"), *k = getenv("HL_KERNELS");
    int i;
    if (f && *f && strcmp(f, "0") != 0) return HL_KERNELS_SCALAR;
    if (k && *k)
        for (i = 0; i < HL_KERNELS_COUNT; i++)
            if (strcmp(k, hl_kernels_name((hl_kernels)i)) == 0) return (hl_kernels)i;
    return HL_KERNELS_DEFAULT;
}

static void print_help(FILE *f) {
    size_t i;
    fprintf(f, "hooklens %s - TransformerLens-style interpretability on the CPU\n\ncommands:\n",
            hl_version());
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++) fprintf(f, "  hooklens %s\n", commands[i].help);
    fprintf(f, "\nMODEL defaults to the bundled model (%s) where a command allows it.\n",
            cli_default_model());
}

int main(int argc, char **argv) {
    size_t i;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("hooklens %s\n", hl_version());
        return 0;
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, argv[1]) == 0) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "hooklens: unknown command '%s'\n\n", argv[1]);
    print_help(stderr);
    return 2;
}
