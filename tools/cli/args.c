/* tools/cli/args.c - the one command-line parser of every hooklens command, driven by the option
   and command tables in cli.h; the help texts are printed from the same tables, so an option that a
   command accepts is always in its --help. */
#include <errno.h>
#include <math.h>
#include "cli.h"

typedef struct {
    const char *spelling, *value, *help;
    cli_kind    kind;
    double      lo, hi;
    int         many;
} cli_option;
static const cli_option cli__opts[CLI_OPT_COUNT] = {
#define HL__X(id, spelling, kind, value, lo, hi, many, help) {spelling, value, help, CLI_##kind, lo, hi, many},
    HL_CLI_OPTIONS(HL__X)
#undef HL__X
};

typedef struct {
    const char *name;
    int (*fn)(const cli_args *);
    long        max_pos;
    const char *usage, *opts, *help;
} cli_command;
static const cli_command cli__cmds[] = {
#define HL__X(name, fn, npos, usage, opts, help) {name, fn, npos, usage, opts, help},
    HL_CLI_COMMANDS(HL__X)
#undef HL__X
};
#define CLI__N_CMDS ((int)(sizeof cli__cmds / sizeof cli__cmds[0]))

const char *cli_opt_name(cli_opt o) { return cli__opts[o].spelling; }

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


static const cli_command *cli__command(const char *name) {
    int i;
    for (i = 0; i < CLI__N_CMDS; i++)
        if (strcmp(cli__cmds[i].name, name) == 0) return &cli__cmds[i];
    return NULL;
}
/* Does the command's option list (space-separated spellings without "--") name option o? */
static int cli__accepts(const cli_command *c, cli_opt o) {
    const char *s = c->opts, *name = cli__opts[o].spelling + 2;
    const size_t k = strlen(name);
    while (*s) {
        size_t w = strcspn(s, " ");
        if (w == k && memcmp(s, name, k) == 0) return 1;
        s += w;
        while (*s == ' ') s++;
    }
    return 0;
}
/* The option spelled exactly `s` (up to len bytes), or -1. */
static int cli__lookup(const char *s, size_t len) {
    int o;
    for (o = 0; o < CLI_OPT_COUNT; o++)
        if (strlen(cli__opts[o].spelling) == len && memcmp(cli__opts[o].spelling, s, len) == 0) return o;
    return -1;
}
/* Levenshtein distance (insert, delete, substitute; 1 each), for "did you mean". */
static int cli__distance(const char *a, const char *b) {
    int row[64], i, j;
    const int la = (int)strlen(a), lb = (int)strlen(b);
    if (la >= 63 || lb >= 63) return 1000;
    for (j = 0; j <= lb; j++) row[j] = j;
    for (i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            const int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]); /* substitute (or keep) */
            if (up + 1 < best) best = up + 1;             /* delete a[i-1] */
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1; /* insert b[j-1] */
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* "--temperature is an option of generate" or of several commands. */
static void cli__owners(FILE *f, cli_opt o) {
    int i, k = 0;
    for (i = 0; i < CLI__N_CMDS; i++)
        if (cli__accepts(&cli__cmds[i], o)) fprintf(f, "%s%s", k++ ? ", " : "", cli__cmds[i].name);
}

static void cli__unknown(const cli_command *c, const char *opt, size_t len) {
    char given[64];
    int o, best = -1, bd = 1000;
    snprintf(given, sizeof given, "%.*s", (int)(len < 63 ? len : 63), opt);
    /* the closest of this command's options; failing that, of all options */
    for (o = 0; o < CLI_OPT_COUNT; o++) {
        const int d = cli__distance(given, cli__opts[o].spelling) + (cli__accepts(c, (cli_opt)o) ? 0 : 1);
        if (d < bd) bd = d, best = o;
    }
    fprintf(stderr, "hooklens %s: unknown option %s", c->name, given);
    if (best >= 0 && bd <= 3 + (int)strlen(given) / 4) {
        fprintf(stderr, "; did you mean %s", cli__opts[best].spelling);
        if (!cli__accepts(c, (cli_opt)best)) {
            fprintf(stderr, " (an option of ");
            cli__owners(stderr, (cli_opt)best);
            fprintf(stderr, ")");
        }
        fprintf(stderr, "?");
    }
    fprintf(stderr, "\n(hooklens %s --help lists its options)\n", c->name);
}

/* usage: hooklens run [MODEL] (--prompt TEXT | ...) [options] */
static void cli__usage_line(FILE *f, const cli_command *c) {
    fprintf(f, "usage: hooklens %s%s%s%s\n", c->name, *c->usage ? " " : "", c->usage, *c->opts ? " [options]" : "");
}

static void cli__print_help(const cli_command *c) {
    int o;
    cli__usage_line(stdout, c);
    printf("\n%s.\n", c->help);
    if (strstr(c->usage, "[MODEL]"))
        printf("MODEL: a Hugging Face folder or a GGUF file; default: the bundled model (%s).\n", cli_default_model());
    if (*c->opts) printf("\noptions:\n");
    for (o = 0; o < CLI_OPT_COUNT; o++) {
        const cli_option *p = &cli__opts[o];
        char left[64];
        if (!cli__accepts(c, (cli_opt)o)) continue;
        snprintf(left, sizeof left, "%s%s%s", p->spelling, p->value ? " " : "", p->value ? p->value : "");
        printf("  %-30s %s\n", left, p->help);
    }
    printf("  %-30s %s\n", "--help, -h", "this text");
}

int cli_usage(const char *cmd) {
    const cli_command *c = cli__command(cmd);
    if (!c) return 2;
    cli__usage_line(stderr, c);
    fprintf(stderr, "(hooklens %s --help lists its options)\n", c->name);
    return 2;
}

void cli_args_free(cli_args *a) {
    free((void *)a->pos);
    free(a->item_opt);
    free((void *)a->item_val);
    memset(a, 0, sizeof *a);
}

int cli_parse(int argc, char **argv, cli_args *a) {
    const cli_command *c = cli__command(argv[0]);
    int i, only_pos = 0;
    memset(a, 0, sizeof *a);
    if (!c) {
        fprintf(stderr, "hooklens: unknown command '%s'\n", argv[0]);
        return 2;
    }
    a->cmd = c->name;
    a->pos = (const char **)calloc((size_t)argc + 1, sizeof *a->pos);
    a->item_opt = (cli_opt *)calloc((size_t)argc + 1, sizeof *a->item_opt);
    a->item_val = (const char **)calloc((size_t)argc + 1, sizeof *a->item_val);
    if (!a->pos || !a->item_opt || !a->item_val) {
        fprintf(stderr, "hooklens: out of memory\n");
        cli_args_free(a);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        const char *s = argv[i], *val = NULL, *eq;
        const cli_option *p;
        size_t len;
        int o;
        if (only_pos || s[0] != '-' || s[1] == 0) { /* a positional argument ("-" included) */
            if (a->n_pos >= c->max_pos) {
                fprintf(stderr, "hooklens %s: unexpected argument '%s'\n", c->name, s);
                goto usage;
            }
            a->pos[a->n_pos++] = s;
            continue;
        }
        if (strcmp(s, "--") == 0) { only_pos = 1; continue; }
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            cli__print_help(c);
            cli_args_free(a);
            return -1;
        }
        eq = strchr(s, '=');
        len = eq ? (size_t)(eq - s) : strlen(s);
        if ((o = cli__lookup(s, len)) < 0) {
            cli__unknown(c, s, len);
            cli_args_free(a);
            return 2;
        }
        p = &cli__opts[o];
        if (!cli__accepts(c, (cli_opt)o)) {
            fprintf(stderr, "hooklens %s: %s does not apply to %s (it is an option of ", c->name, p->spelling, c->name);
            cli__owners(stderr, (cli_opt)o);
            fprintf(stderr, ")\n");
            goto usage;
        }
        if (p->kind == CLI_FLAG) {
            if (eq) {
                fprintf(stderr, "hooklens %s: %s takes no value\n", c->name, p->spelling);
                goto usage;
            }
        } else if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            fprintf(stderr, "hooklens %s: %s needs a value (%s)\n", c->name, p->spelling, p->value);
            goto usage;
        }
        if (p->kind == CLI_INT) {
            int64_t v;
            if (!cli_parse_i64(val, &v) || (double)v < p->lo || (double)v > p->hi) {
                fprintf(stderr, "hooklens %s: %s %s: not a whole number in [%.0f, %.0f]\n", c->name, p->spelling, val, p->lo, p->hi);
                goto usage;
            }
            a->i64[o] = v;
        } else if (p->kind == CLI_NUM) {
            double v;
            if (!cli_parse_f64(val, &v) || v < p->lo || v > p->hi) {
                fprintf(stderr, "hooklens %s: %s %s: not a number in [%g, %g]\n", c->name, p->spelling, val, p->lo, p->hi);
                goto usage;
            }
            a->f64[o] = v;
        }
        if (a->n[o] && !p->many && val && strcmp(a->str[o], val) != 0) {
            fprintf(stderr, "hooklens %s: %s given twice (%s, %s)\n", c->name, p->spelling, a->str[o], val);
            goto usage;
        }
        a->n[o]++;
        a->str[o] = val ? val : "";
        if (val) a->item_opt[a->n_items] = (cli_opt)o, a->item_val[a->n_items++] = val;
    }
    return 0;
usage:
    cli_args_free(a);
    return cli_usage(c->name);
}

const char *cli_str(const cli_args *a, cli_opt o, const char *dflt) { return a->n[o] ? a->str[o] : dflt; }
int64_t cli_int(const cli_args *a, cli_opt o, int64_t dflt) { return a->n[o] ? a->i64[o] : dflt; }
double cli_num(const cli_args *a, cli_opt o, double dflt) { return a->n[o] ? a->f64[o] : dflt; }
const char *cli_nth(const cli_args *a, cli_opt o, int k) {
    int i;
    for (i = 0; i < a->n_items; i++)
        if (a->item_opt[i] == o && k-- == 0) return a->item_val[i];
    return NULL;
}

int cli_call(int argc, char **argv) {
    const cli_command *c = cli__command(argv[0]);
    cli_args a;
    int rc;
    if (!c) {
        fprintf(stderr, "hooklens: unknown command '%s' (hooklens --help lists them)\n", argv[0]);
        return 2;
    }
    if ((rc = cli_parse(argc, argv, &a)) != 0) return rc < 0 ? 0 : rc;
    rc = c->fn(&a);
    cli_args_free(&a);
    return rc;
}

void cli_print_commands(FILE *f) {
    int i;
    for (i = 0; i < CLI__N_CMDS; i++) {
        fprintf(f, "  %-18s %s\n", cli__cmds[i].name, cli__cmds[i].help);
        fprintf(f, "  %-18s   %s %s%s\n", "", cli__cmds[i].name, cli__cmds[i].usage, *cli__cmds[i].opts ? " [options]" : "");
    }
}
