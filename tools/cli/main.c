/* tools/cli/main.c - the `hooklens` command: dispatch to one function per subcommand. */
#include <unistd.h>
#include "cli.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <time.h>

int cli_error(const hl_error *err) {
    fprintf(stderr, "hooklens: %s\n", err && err->msg[0] ? err->msg : "error");
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

int cli_stderr_is_tty(void) {
    return isatty(2);
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static double cli__t0, cli__last = -1.0, cli__after = 1.0;
static int cli__shown, cli__tty;
void cli_progress(const char *fmt, ...) {
    va_list ap;
    const double t = cli_now();
    if (!cli__tty || t - cli__t0 < cli__after || (cli__shown && t - cli__last < 0.1)) return;
    fflush(stdout);
    fprintf(stderr, "\r\033[2K");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
    cli__shown = 1;
    cli__last = t;
}
void cli_progress_end(void) {
    if (!cli__shown) return;
    fprintf(stderr, "\r\033[2K");
    fflush(stderr);
    cli__shown = 0;
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
    fprintf(f, "hooklens %s - TransformerLens-style interpretability on the CPU\n\n"
               "usage: hooklens COMMAND [ARGS] [options]   (hooklens COMMAND --help for its options)\n\ncommands:\n",
            hl_version());
    cli_print_commands(f);
    fprintf(f, "\nMODEL defaults to the bundled model (%s) where a command allows it.\n", cli_default_model());
}

int main(int argc, char **argv) {
    const char *after = getenv("HOOKLENS_PROGRESS_AFTER");
    cli__t0 = cli_now();
    cli__tty = isatty(2);
    if (after && *after) cli__after = atof(after);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        print_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("hooklens %s\n", hl_version());
        return 0;
    }
    return cli_call(argc - 1, argv + 1);
}
