/* tools/cli/cmd_views.c - HTML views of a model run: logprobs (circuitsvis token_log_probs) and
   attention (one layer's patterns, a heat map per head). The pages are built by
   hl_view_logprobs_html / hl_view_attention_html and need no network to open. */
#include <math.h>
#include "cli.h"

typedef struct view_args {
    const char *model, *prompt, *tokens, *html;
    int64_t     layer, top_k;
    int         no_bos, has_layer, threads, no_processing;
} view_args;

/* [MODEL] (--prompt P | --tokens IDS) from the one parser; MODEL defaults to the bundled model.
   Returns 0, or 2 after printing a usage error. */
static int view_args_from(const cli_args *c, view_args *a) {
    memset(a, 0, sizeof *a);
    a->model = c->n_pos ? c->pos[0] : cli_default_model();
    a->prompt = cli_str(c, CLI_PROMPT, NULL);
    a->tokens = cli_str(c, CLI_TOKENS, NULL);
    a->html = cli_str(c, CLI_HTML, NULL);
    a->layer = cli_int(c, CLI_LAYER, 0);
    a->has_layer = c->n[CLI_LAYER] > 0;
    a->top_k = cli_int(c, CLI_TOP_K, 10);
    a->no_bos = c->n[CLI_NO_BOS] > 0;
    a->threads = (int)cli_int(c, CLI_THREADS, 0);
    a->no_processing = c->n[CLI_NO_PROCESSING] > 0;
    if (a->top_k > 100) {
        fprintf(stderr, "hooklens %s: --top-k must be 0..100\n", c->cmd);
        return 2;
    }
    if (!a->prompt == !a->tokens) {
        fprintf(stderr, "hooklens %s: give --prompt TEXT or --tokens \"ID ID ...\"\n", c->cmd);
        return 2;
    }
    return 0;
}

static int load_and_tokenize(const view_args *a, hl_model **m, int32_t **ids, int64_t *n) {
    hl_model_desc d;
    hl_error err;
    memset(&d, 0, sizeof d);
    d.path = a->model;
    d.n_threads = a->threads;
    d.no_processing = a->no_processing;
    d.kernels = cli_kernels_from_env();
    if (hl_model_load(&d, m, &err) != HL_OK) return cli_error(&err);
    if (a->tokens) { /* "1 2 3" or "1,2,3" */
        if (cli_parse_ids(a->tokens, hl_model_config(*m)->d_vocab, ids, n) != 0) {
            hl_model_free(*m);
            *m = NULL;
            return 1;
        }
    } else {
        int32_t *t = NULL;
        if (hl_model_to_tokens(*m, a->prompt, a->no_bos ? 0 : -1, &t, n, &err) != HL_OK) {
            hl_model_free(*m);
            *m = NULL;
            return cli_error(&err);
        }
        *ids = (int32_t *)malloc((size_t)(*n > 0 ? *n : 1) * sizeof(int32_t));
        if (*ids && *n) memcpy(*ids, t, (size_t)*n * sizeof(int32_t));
        hl_free(t);
        if (!*ids) { hl_model_free(*m); *m = NULL; return 1; }
    }
    if (*n < 1) {
        fprintf(stderr, "hooklens: the prompt has no tokens\n");
        free(*ids);
        hl_model_free(*m);
        *m = NULL;
        return 1;
    }
    return 0;
}

/* Token strings (TL to_str_tokens); without a tokenizer, "[id]" (cli.h). */
int cli_str_tokens(hl_model *m, const int32_t *ids, int64_t n, char ***out) {
    char **s = NULL, **blk;
    hl_error err;
    size_t bytes = 0, o;
    int64_t i;
    int have = hl_model_to_str_tokens(m, ids, n, &s, &err) == HL_OK;
    if (!have && hl_model_tokenizer(m)) return cli_error(&err);
    for (i = 0; i < n; i++) bytes += have ? strlen(s[i]) + 1 : 16;
    blk = (char **)malloc((size_t)n * sizeof(char *) + bytes + 1);
    if (!blk) { hl_free(s); return 1; }
    o = (size_t)n * sizeof(char *);
    for (i = 0; i < n; i++) {
        char *d = (char *)blk + o;
        if (have) strcpy(d, s[i]);
        else snprintf(d, 16, "[%ld]", (long)ids[i]);
        blk[i] = d;
        o += strlen(d) + 1;
    }
    hl_free(s);
    *out = blk;
    return 0;
}

int cli_write_file(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = 0;
    if (!ok) fprintf(stderr, "hooklens: cannot write %s\n", path);
    return !ok;
}

/* A token as a quoted one-line string for the terminal. */
static void print_tok(const char *s, int width) {
    int w = 2;
    putchar('"');
    for (; *s; s++) {
        if (*s == '\n') { fputs("\\n", stdout); w += 2; }
        else if (*s == '\t') { fputs("\\t", stdout); w += 2; }
        else if (*s == '"') { fputs("\\\"", stdout); w += 2; }
        else { putchar(*s); if (((unsigned char)*s & 0xc0) != 0x80) w++; }
    }
    putchar('"');
    for (; w < width; w++) putchar(' ');
}

int cmd_logprobs(const cli_args *c) {
    view_args a;
    hl_model *m = NULL;
    int32_t *ids = NULL, *top_ids = NULL;
    int64_t n = 0, V, i, k, *rank = NULL;
    float *logits = NULL, *lpc = NULL, *top_lp = NULL;
    char **strs = NULL, **top_strs = NULL;
    char *html = NULL;
    size_t html_len = 0;
    hl_error err;
    int rc;
    if ((rc = view_args_from(c, &a)) != 0) return cli_usage(c->cmd);
    if ((rc = load_and_tokenize(&a, &m, &ids, &n)) != 0) return rc;
    rc = 1;
    V = hl_model_config(m)->d_vocab;
    k = a.top_k < V ? a.top_k : V;
    logits = (float *)malloc((size_t)n * (size_t)V * sizeof *logits);
    lpc = (float *)malloc((size_t)n * sizeof *lpc);
    rank = (int64_t *)malloc((size_t)n * sizeof *rank);
    top_ids = (int32_t *)malloc((size_t)(n * k + 1) * sizeof *top_ids);
    top_lp = (float *)malloc((size_t)(n * k + 1) * sizeof *top_lp);
    if (!logits || !lpc || !rank || !top_ids || !top_lp) { fprintf(stderr, "hooklens: out of memory\n"); goto done; }
    /* logits [n, d_vocab]; position i predicts token i+1 */
    if (hl_model_run(m, ids, n, logits, &err) != HL_OK ||
        hl_logprobs_summarize(logits, n, V, ids, (int)k, lpc, rank, top_ids, top_lp, &err) != HL_OK) {
        rc = cli_error(&err);
        goto done;
    }
    if (cli_str_tokens(m, ids, n, &strs) || (n > 1 && k > 0 && cli_str_tokens(m, top_ids, (n - 1) * k, &top_strs)))
        goto done;
    {
        double sum = 0;
        printf("%4s  %-18s %9s %8s %6s  %s\n", "pos", "token", "log prob", "prob", "rank", "top alternatives");
        for (i = 1; i < n; i++) {
            int64_t t;
            sum += (double)lpc[i - 1];
            printf("%4lld  ", (long long)i);
            print_tok(strs[i], 18);
            printf(" %9.3f %7.2f%% %6lld  ", (double)lpc[i - 1], exp((double)lpc[i - 1]) * 100.0,
                   (long long)rank[i - 1]);
            for (t = 0; t < k && t < 3; t++) {
                if (t) printf(", ");
                print_tok(top_strs[(i - 1) * k + t], 0);
                printf(" %.2f", (double)top_lp[(i - 1) * k + t]);
            }
            printf("\n");
        }
        if (n > 1)
            printf("\n%lld predicted tokens: total log prob %.3f, mean %.3f, perplexity %.3f\n",
                   (long long)(n - 1), sum, sum / (double)(n - 1), exp(-sum / (double)(n - 1)));
        else
            printf("one token: nothing to predict\n");
    }
    if (a.html) {
        hl_logprobs_view v;
        memset(&v, 0, sizeof v);
        v.n_tokens = n;
        v.tokens = (const char *const *)strs;
        v.logp_correct = lpc;
        v.rank = rank;
        v.top_k = n > 1 ? (int)k : 0;
        v.top_logp = top_lp;
        v.top_tokens = (const char *const *)top_strs;
        if (hl_view_logprobs_html(&v, &html, &html_len, &err) != HL_OK) { rc = cli_error(&err); goto done; }
        if (cli_write_file(a.html, html, html_len)) goto done;
        fprintf(stderr, "wrote %s\n", a.html);
    }
    rc = 0;
done:
    hl_free(html);
    free(strs);
    free(top_strs);
    free(logits);
    free(lpc);
    free(rank);
    free(top_ids);
    free(top_lp);
    free(ids);
    hl_model_free(m);
    return rc;
}

int cmd_attention(const cli_args *c) {
    view_args a;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    int32_t *ids = NULL;
    int64_t n = 0;
    char **strs = NULL, *html = NULL, name[64];
    const char *names[1];
    size_t html_len = 0;
    hl_names_filter f;
    const hl_tensor *pat;
    hl_error err;
    int rc;
    if ((rc = view_args_from(c, &a)) != 0) return cli_usage(c->cmd);
    if (!a.has_layer || !a.html) {
        fprintf(stderr, "hooklens attention: --layer L and --html OUT are required\n");
        return 2;
    }
    if ((rc = load_and_tokenize(&a, &m, &ids, &n)) != 0) return rc;
    rc = 1;
    if (a.layer >= hl_model_config(m)->n_layers) {
        fprintf(stderr, "hooklens: --layer %lld: the model has layers 0..%lld\n", (long long)a.layer,
                (long long)hl_model_config(m)->n_layers - 1);
        goto done;
    }
    /* run_with_cache of one hook point: blocks.L.attn.hook_pattern [1, n_heads, query, key] */
    hl_hook_name(HL_HOOK_ATTN_PATTERN, a.layer, name, sizeof name);
    names[0] = name;
    memset(&f, 0, sizeof f);
    f.names = names;
    f.n_names = 1;
    if (hl_cache_create(&cache, &err) != HL_OK || hl_model_run_with_cache(m, ids, n, &f, cache, NULL, &err) != HL_OK) {
        rc = cli_error(&err);
        goto done;
    }
    if (cli_str_tokens(m, ids, n, &strs)) goto done;
    pat = hl_cache_get(cache, name);
    if (!pat || pat->dtype != HL_DTYPE_F32 || pat->ndim != 4 || pat->shape[2] != n || pat->shape[3] != n) {
        fprintf(stderr, "hooklens: %s was not captured as [1, n_heads, %lld, %lld]\n", name, (long long)n,
                (long long)n);
        goto done;
    }
    {
        hl_attention_view v;
        memset(&v, 0, sizeof v);
        v.layer = (int)a.layer;
        v.n_tokens = n;
        v.tokens = (const char *const *)strs;
        v.n_heads = (int)pat->shape[1];
        v.pattern = (const float *)pat->data;
        if (hl_view_attention_html(&v, &html, &html_len, &err) != HL_OK) { rc = cli_error(&err); goto done; }
        if (cli_write_file(a.html, html, html_len)) goto done;
        printf("wrote %s: layer %lld, %d heads x %lld tokens\n", a.html, (long long)a.layer, v.n_heads,
               (long long)n);
    }
    rc = 0;
done:
    hl_free(html);
    free(strs);
    hl_cache_free(cache);
    free(ids);
    hl_model_free(m);
    return rc;
}
