/* tools/cli/main.c - the `hooklens` command: dispatch to one function per subcommand. */
#include <unistd.h>
#include "cli.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <time.h>

/* The bundled model, from any directory: $HL_MODEL; $HOOKLENS_HOME/stories260K; next to the
   executable (an installed PREFIX/bin/hooklens: PREFIX/share/hooklens/stories260K; the repository's
   build/hooklens: examples/stories260K); the current directory's examples/stories260K. When none
   has a config.json, the first candidate is returned and cli_default_model_tried() lists them all
   for the error message. */
static char cli__model[8][4096];
static int cli__n_model;
static int cli__has_config(const char *dir) {
    char p[4200];
    FILE *f;
    snprintf(p, sizeof p, "%.4096s/config.json", dir);
    if (!(f = fopen(p, "rb"))) return 0;
    fclose(f);
    return 1;
}
const char *cli_default_model(void) {
    const char *m = getenv("HL_MODEL"), *home = getenv("HOOKLENS_HOME");
    char exe[4096];
    ssize_t len;
    int i;
    if (m && *m) return m;
    cli__n_model = 0;
    if (home && *home) snprintf(cli__model[cli__n_model++], sizeof cli__model[0], "%.4000s/stories260K", home);
    len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        char *slash;
        exe[len] = 0;
        if ((slash = strrchr(exe, '/')) != NULL) *slash = 0; /* the executable's folder */
        snprintf(cli__model[cli__n_model++], sizeof cli__model[0], "%.4000s/../share/hooklens/stories260K", exe);
        snprintf(cli__model[cli__n_model++], sizeof cli__model[0], "%.4000s/../examples/stories260K", exe);
    }
    snprintf(cli__model[cli__n_model++], sizeof cli__model[0], "examples/stories260K");
    for (i = 0; i < cli__n_model; i++)
        if (cli__has_config(cli__model[i])) return cli__model[i];
    return cli__model[0];
}
void cli_default_model_tried(FILE *f) {
    int i;
    fprintf(f, "hooklens: no default model found; looked in:");
    for (i = 0; i < cli__n_model; i++) fprintf(f, " %s", cli__model[i]);
    fprintf(f, " (set HOOKLENS_HOME to the folder holding stories260K, or give MODEL)\n");
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

int cli_stderr_is_tty(void) {
    return isatty(2);
}

static double cli__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static double cli__t0, cli__last = -1.0, cli__after = 1.0;
static int cli__shown, cli__tty;
void cli_progress(const char *fmt, ...) {
    va_list ap;
    const double t = cli__now();
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
    cli__t0 = cli__now();
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
