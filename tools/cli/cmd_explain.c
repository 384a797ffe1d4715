/* tools/cli/cmd_explain.c - explain: offline Neuronpedia explanation search over export files
   (export objects, JSON arrays, bulk batch-N.jsonl.gz files or folders of them). */
#include <stdint.h>
#include "cli.h"

/* Progress bar on stderr (cli_progress: only on a terminal, after a second). */
static void progress_bar(void *ctx, uint64_t done, uint64_t total) {
    char bar[31];
    int i, fill;
    (void)ctx;
    if (total == 0) return;
    fill = (int)((double)done / (double)total * 30 + 0.5);
    for (i = 0; i < 30; i++) bar[i] = i < fill ? '#' : ' ';
    bar[30] = 0;
    cli_progress("[%s] %3d%%  %.1f / %.1f MB", bar, (int)(100.0 * (double)done / (double)total + 0.5), (double)done / 1e6,
                 (double)total / 1e6);
}

/* The description on one line: trimmed, control characters shown as escapes. */
static void print_desc(const char *s) {
    size_t n = strlen(s);
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') { s++; n--; }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
    putchar('"');
    for (; n > 0; s++, n--) {
        unsigned char c = (unsigned char)*s;
        if (c == '"') fputs("\\\"", stdout);
        else if (c == '\n') fputs("\\n", stdout);
        else if (c == '\t') fputs("\\t", stdout);
        else if (c < 0x20 || c == 0x7f) printf("\\x%02x", c);
        else putchar(c);
    }
    putchar('"');
}

static void print_feature_header(const hl_explanation *e) {
    char url[512];
    printf("feature %llu", (unsigned long long)e->index);
    if (e->model_id[0] || e->source[0]) printf("  (%s / %s)", e->model_id[0] ? e->model_id : "?",
                                               e->source[0] ? e->source : "?");
    printf("\n");
    if (hl_neuronpedia_url(url, sizeof url, e->model_id, e->source, e->index, 0, NULL) == HL_OK) {
        printf("  dashboard  %s\n", url);
        hl_neuronpedia_url(url, sizeof url, e->model_id, e->source, e->index, 1, NULL);
        printf("  embed      %s\n", url);
    } else {
        printf("  dashboard  (unknown model or SAE: pass --model and --sae)\n");
    }
}

static void print_explanation(const hl_explanation *e) {
    printf("  - ");
    print_desc(e->description);
    printf("  [%s%s%s]\n", e->explanation_model[0] ? e->explanation_model : "explainer unknown",
           e->type_name[0] ? ", " : "", e->type_name);
}

int cmd_explain(const cli_args *c) {
    const char **paths = c->pos + 1;
    size_t n_paths = c->n_pos > 1 ? (size_t)c->n_pos - 1 : 0, i, features = 0, shown = 0, total_features = 0;
    const char *query = cli_str(c, CLI_QUERY, NULL);
    hl_explain_query q;
    hl_explain_result *r = NULL;
    hl_error err;
    int is_show, limit = (int)cli_int(c, CLI_LIMIT, -1), showing = 0;
    if (c->n_pos < 1) return cli_usage("explain");
    is_show = strcmp(c->pos[0], "show") == 0;
    if (!is_show && strcmp(c->pos[0], "search") != 0) return cli_usage("explain");
    memset(&q, 0, sizeof q);
    q.regex = c->n[CLI_REGEX] > 0;
    q.model_id = cli_str(c, CLI_MODEL, NULL);
    q.source = cli_str(c, CLI_SAE_ID, NULL);
    if (is_show) {
        char *end;
        unsigned long long f;
        if (n_paths < 2 || query || q.regex) return cli_usage("explain");
        f = strtoull(paths[n_paths - 1], &end, 10);
        if (!*paths[n_paths - 1] || *end || paths[n_paths - 1][0] == '-') {
            fprintf(stderr, "hooklens: FEATURE must be a feature index, got '%s'\n", paths[n_paths - 1]);
            return 2;
        }
        n_paths--;
        q.has_feature = 1;
        q.feature = (uint64_t)f;
    } else {
        if (n_paths < 1 || !query || !*query) return cli_usage("explain");
        q.text = query;
    }
    q.progress = progress_bar;
    if (hl_explain_search(paths, n_paths, &q, &r, &err) != HL_OK) {
        cli_progress_end();
        return cli_error(&err);
    }
    cli_progress_end();
    /* rows come sorted by feature index; a feature's explanations are printed under one header */
    for (i = 0; i < hl_explain_count(r); i++) {
        const hl_explanation *e = hl_explain_at(r, i);
        int new_feature = i == 0 || hl_explain_at(r, i - 1)->index != e->index ||
                          strcmp(hl_explain_at(r, i - 1)->source, e->source) != 0 ||
                          strcmp(hl_explain_at(r, i - 1)->model_id, e->model_id) != 0;
        if (new_feature) {
            total_features++;
            showing = limit < 0 || (int)features < limit;
            if (showing) {
                if (features) printf("\n");
                print_feature_header(e);
                features++;
            }
        }
        if (showing) {
            print_explanation(e);
            shown++;
        }
    }
    if (is_show && hl_explain_count(r) == 0) {
        fprintf(stderr, "hooklens: feature %llu has no explanation in %llu rows of %zu files\n",
                (unsigned long long)q.feature, (unsigned long long)hl_explain_rows_read(r),
                hl_explain_files_read(r));
        hl_explain_free(r);
        return 1;
    }
    printf("%s%zu explanation%s of %zu feature%s matched", hl_explain_count(r) ? "\n" : "",
           hl_explain_count(r), hl_explain_count(r) == 1 ? "" : "s", total_features,
           total_features == 1 ? "" : "s");
    if (shown < hl_explain_count(r)) printf(", %zu shown (--limit %d)", shown, limit);
    printf(" (%llu explanations read from %zu file%s)\n", (unsigned long long)hl_explain_rows_read(r),
           hl_explain_files_read(r), hl_explain_files_read(r) == 1 ? "" : "s");
    hl_explain_free(r);
    return 0;
}
