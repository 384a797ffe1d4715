/* tools/cli/cmd_analysis.c - TransformerLens's standard analyses of one prompt (hooklens.h
   >>analysis) on the command line:
     lens       the logit lens        (ActivationCache.accumulated_resid(apply_ln=True) @ W_U)
     attribute  direct logit attribution (decompose_resid, stack_head_results, logit_attrs)
     patch      activation patching   (transformer_lens.patching.get_act_patch_*)
     heads      head detector scores  (head_detector.detect_head)
   Each prints its tables, writes a heat-map page with --html (hl_view_heatmaps_html) and the result
   tensors with --out: the names and shapes of TransformerLens 4.3's outputs as the fixtures'
   reference_toolkit.safetensors holds them (TL's batch dimension of 1 included), TL's labels in the
   file's metadata as "<tensor>.labels" (a JSON list), the axes of the grids as "<tensor>.axes". */
#include <math.h>
#include <stdarg.h>
#include "cli.h"

/* ---- a growing string ------------------------------------------------------------------------ */
typedef struct sbuf {
    char  *p;
    size_t len, cap;
    int    oom;
} sbuf;
static void sb_put(sbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *q;
        while (cap < b->len + n + 1) cap *= 2;
        if (!(q = (char *)realloc(b->p, cap))) { b->oom = 1; return; }
        b->p = q, b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}
static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(sbuf *b, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0) { b->oom = 1; return; }
    sb_put(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}
/* s as a JSON string literal. */
static void sb_json(sbuf *b, const char *s) {
    sb_puts(b, "\"");
    for (; *s; s++) {
        const unsigned char u = (unsigned char)*s;
        if (u == '"' || u == '\\') { char e[2] = {'\\', (char)u}; sb_put(b, e, 2); }
        else if (u < 0x20) sb_printf(b, "\\u%04x", u);
        else sb_put(b, s, 1);
    }
    sb_puts(b, "\"");
}

/* A token as one visible line: newline and tab as the arrows U+21B5 and U+21E5, at most max_cp code
   points (then "..." as U+2026). Written to out[cap]. Returns the code points written. */
static int an_vis(const char *s, int max_cp, char *out, size_t cap) {
    size_t o = 0;
    int cp = 0;
    out[0] = 0;
    while (*s && o + 8 < cap) {
        const unsigned char u = (unsigned char)*s;
        size_t l = u < 0x80 ? 1 : (u >> 5) == 6 ? 2 : (u >> 4) == 14 ? 3 : (u >> 3) == 30 ? 4 : 1;
        size_t k;
        if (cp == max_cp) {
            memcpy(out + o, "\xe2\x80\xa6", 3), o += 3, cp++;
            break;
        }
        if (u == '\n') memcpy(out + o, "\xe2\x86\xb5", 3), o += 3, s++;
        else if (u == '\t') memcpy(out + o, "\xe2\x87\xa5", 3), o += 3, s++;
        else {
            for (k = 0; k < l && s[k]; k++) out[o++] = s[k];
            s += k;
        }
        cp++;
    }
    out[o] = 0;
    return cp;
}
/* Prints s in a column of `width` code points (cut to width - 1). */
static void an_cell(const char *s, int width) {
    char v[256];
    int cp = an_vis(s, width - 1, v, sizeof v);
    fputs(v, stdout);
    for (; cp < width; cp++) putchar(' ');
}

/* ---- strings that live until the command ends ---------------------------------------------- */
typedef struct an_pool {
    char  **p;
    size_t  n, cap;
    int     oom;
} an_pool;
/* A copy of the printf-style text (NULL after running out of memory, remembered in pool->oom). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static const char *an_str(an_pool *pool, const char *fmt, ...) {
    char *d;
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (pool->n == pool->cap) {
        size_t cap = pool->cap ? 2 * pool->cap : 64;
        char **q = (char **)realloc(pool->p, cap * sizeof *q);
        if (!q) { pool->oom = 1; return NULL; }
        pool->p = q, pool->cap = cap;
    }
    if (k < 0 || !(d = (char *)malloc((size_t)k + 1))) { pool->oom = 1; return NULL; }
    va_start(ap, fmt);
    vsnprintf(d, (size_t)k + 1, fmt, ap);
    va_end(ap);
    return pool->p[pool->n++] = d;
}
static void an_pool_free(an_pool *pool) {
    size_t i;
    for (i = 0; i < pool->n; i++) free(pool->p[i]);
    free(pool->p);
    memset(pool, 0, sizeof *pool);
}

/* ---- the --out file ------------------------------------------------------------------------- */
#define AN_MAX_TENSORS 16
#define AN_MAX_META    64
typedef struct an_out {
    size_t      n, n_meta;
    const char *names[AN_MAX_TENSORS];
    hl_tensor   t[AN_MAX_TENSORS];
    char       *meta[2 * AN_MAX_META + 1]; /* key, value, ..., NULL; owned */
    int         oom;
} an_out;
/* Adds a F32 tensor (x borrowed until an_write) of the given shape. */
static void an_tensor(an_out *o, const char *name, const float *x, int ndim, int64_t d0, int64_t d1, int64_t d2,
                      int64_t d3) {
    hl_tensor *t;
    if (o->n == AN_MAX_TENSORS) { o->oom = 1; return; }
    t = &o->t[o->n];
    memset(t, 0, sizeof *t);
    t->dtype = HL_DTYPE_F32;
    t->ndim = ndim;
    t->shape[0] = d0, t->shape[1] = d1, t->shape[2] = d2, t->shape[3] = d3;
    t->data = (void *)(uintptr_t)x;
    o->names[o->n++] = name;
}
static void an_meta(an_out *o, const char *key, const char *val) {
    if (o->n_meta == AN_MAX_META || !val) { o->oom = 1; return; }
    o->meta[2 * o->n_meta] = strdup(key);
    o->meta[2 * o->n_meta + 1] = strdup(val);
    if (!o->meta[2 * o->n_meta] || !o->meta[2 * o->n_meta + 1]) o->oom = 1;
    o->n_meta++;
}
/* "<name>.labels": the JSON list of TL's labels of the tensor's first axis. */
static void an_meta_labels(an_out *o, const char *name, const char *const *labels, int64_t n) {
    sbuf b;
    char key[128];
    int64_t i;
    memset(&b, 0, sizeof b);
    sb_puts(&b, "[");
    for (i = 0; i < n; i++) {
        if (i) sb_puts(&b, ", ");
        sb_json(&b, labels[i]);
    }
    sb_puts(&b, "]");
    snprintf(key, sizeof key, "%s.labels", name);
    if (b.oom) o->oom = 1;
    else an_meta(o, key, b.p);
    free(b.p);
}
static void an_meta_axes(an_out *o, const char *name, const char *axes_json) {
    char key[128];
    snprintf(key, sizeof key, "%s.axes", name);
    an_meta(o, key, axes_json);
}
static void an_meta_ids(an_out *o, const char *key, const int32_t *ids, int64_t n) {
    sbuf b;
    int64_t i;
    memset(&b, 0, sizeof b);
    sb_puts(&b, "[");
    for (i = 0; i < n; i++) sb_printf(&b, "%s%ld", i ? ", " : "", (long)ids[i]);
    sb_puts(&b, "]");
    if (b.oom) o->oom = 1;
    else an_meta(o, key, b.p);
    free(b.p);
}
static void an_meta_num(an_out *o, const char *key, double v) {
    char s[64];
    snprintf(s, sizeof s, "%.9g", v);
    an_meta(o, key, s);
}
static int an_write(an_out *o, const char *path) {
    hl_error err;
    size_t i;
    if (o->oom) {
        fprintf(stderr, "hooklens: out of memory preparing %s\n", path);
        return 1;
    }
    o->meta[2 * o->n_meta] = NULL;
    if (hl_safetensors_write(path, o->names, o->t, o->n, (const char *const *)o->meta, &err) != HL_OK) return cli_error(&err);
    printf("wrote %s:", path);
    for (i = 0; i < o->n; i++) printf("%s %s", i ? "," : "", o->names[i]);
    printf("\n");
    return 0;
}
static void an_out_free(an_out *o) {
    size_t i;
    for (i = 0; i < 2 * o->n_meta; i++) free(o->meta[i]);
    memset(o, 0, sizeof *o);
}

/* ---- options, the model, tokens and answers --------------------------------------------------- */
typedef struct an_args {
    const char *model, *prompt, *tokens, *html, *out, *answer, *wrong;
    int64_t     answer_id, wrong_id; /* -1: not given */
    int         no_bos, no_space, threads, no_processing, default_model;
} an_args;

/* From the one parser; MODEL (the first positional argument) defaults to the bundled model.
   Returns 0, or 2 after printing a usage error. */
static int an_args_from(const cli_args *c, an_args *a) {
    memset(a, 0, sizeof *a);
    a->model = c->n_pos ? c->pos[0] : NULL;
    a->prompt = cli_str(c, CLI_PROMPT, NULL);
    a->tokens = cli_str(c, CLI_TOKENS, NULL);
    a->html = cli_str(c, CLI_HTML, NULL);
    a->out = cli_str(c, CLI_OUT, NULL);
    a->answer = cli_str(c, CLI_ANSWER, NULL);
    a->wrong = cli_str(c, CLI_WRONG, NULL);
    a->answer_id = cli_int(c, CLI_ANSWER_ID, -1);
    a->wrong_id = cli_int(c, CLI_WRONG_ID, -1);
    a->no_bos = c->n[CLI_NO_BOS] > 0;
    a->no_space = c->n[CLI_NO_PREPEND_SPACE] > 0;
    a->threads = (int)cli_int(c, CLI_THREADS, 0);
    a->no_processing = c->n[CLI_NO_PROCESSING] > 0;
    if (a->answer && a->answer_id >= 0) {
        fprintf(stderr, "hooklens %s: give --answer or --answer-id, not both\n", c->cmd);
        return cli_usage(c->cmd);
    }
    if (a->wrong && a->wrong_id >= 0) {
        fprintf(stderr, "hooklens %s: give --wrong or --wrong-id, not both\n", c->cmd);
        return cli_usage(c->cmd);
    }
    if (!a->model) a->model = cli_default_model(), a->default_model = 1;
    return 0;
}
/* The prompt is --prompt or --tokens, exactly one. */
static int an_need_prompt(const cli_args *c, const an_args *a) {
    if (!a->prompt == !a->tokens) {
        fprintf(stderr, "hooklens %s: give --prompt TEXT or --tokens \"ID ID ...\"\n", c->cmd);
        return cli_usage(c->cmd);
    }
    return 0;
}

static int an_load(const an_args *a, hl_model **m) {
    hl_model_desc d;
    hl_error err;
    memset(&d, 0, sizeof d);
    d.path = a->model;
    d.n_threads = a->threads;
    d.no_processing = a->no_processing;
    d.kernels = cli_kernels_from_env();
    if (hl_model_load(&d, m, &err) != HL_OK) {
        if (a->default_model && err.status == HL_ERR_IO) {
            cli_default_model_tried(stderr);
            return 1;
        }
        return cli_error(&err);
    }
    return 0;
}

/* Token ids of ids_text ("1 2 3") or else of text (BOS in front unless no_bos): *ids (free()), *n >= 1. */
static int an_tokens(hl_model *m, const char *text, const char *ids_text, int no_bos, int32_t **ids, int64_t *n) {
    hl_error err;
    int32_t *t = NULL;
    if (ids_text) return cli_parse_ids(ids_text, hl_model_config(m)->d_vocab, ids, n);
    if (hl_model_to_tokens(m, text, no_bos ? 0 : -1, &t, n, &err) != HL_OK) return cli_error(&err);
    if (*n < 1) {
        hl_free(t);
        fprintf(stderr, "hooklens: \"%.60s\" has no tokens\n", text);
        return 1;
    }
    if (!(*ids = (int32_t *)malloc((size_t)*n * sizeof(int32_t)))) {
        hl_free(t);
        fprintf(stderr, "hooklens: out of memory\n");
        return 1;
    }
    memcpy(*ids, t, (size_t)*n * sizeof(int32_t));
    hl_free(t);
    return 0;
}

/* An answer token: the id (>= 0), or the one token of text with a space in front unless no_space or
   it starts with one (TL prepend_space_to_answer); -1 when neither is given. what: the option. */
static int an_answer(hl_model *m, const char *text, int64_t id, int no_space, const char *what, int32_t *out) {
    hl_error err;
    char *t;
    hl_status st;
    *out = -1;
    if (id >= 0) {
        if (id >= hl_model_config(m)->d_vocab) {
            fprintf(stderr, "hooklens: %s-id %lld is not below the vocabulary size %lld\n", what, (long long)id,
                    (long long)hl_model_config(m)->d_vocab);
            return 1;
        }
        *out = (int32_t)id;
        return 0;
    }
    if (!text) return 0;
    if (!hl_model_tokenizer(m)) {
        fprintf(stderr, "hooklens: the model has no tokenizer: give %s-id instead of %s\n", what, what);
        return 1;
    }
    if (!(t = (char *)malloc(strlen(text) + 2))) return 1;
    sprintf(t, "%s%s", no_space || text[0] == ' ' ? "" : " ", text);
    st = hl_model_to_single_token(m, t, out, &err);
    free(t);
    if (st != HL_OK) {
        fprintf(stderr, "hooklens: %s: %s (TL to_single_token; try %s%s-id)\n", what, err.msg,
                no_space ? "" : "--no-prepend-space or ", what);
        return 1;
    }
    return 0;
}

/* The text of one token id for messages ("[id]" without a tokenizer), visible, in out[cap]. */
static void an_token_text(hl_model *m, int32_t id, char *out, size_t cap) {
    char **s = NULL;
    if (cli_str_tokens(m, &id, 1, &s) == 0) {
        an_vis(s[0], 40, out, cap);
        free(s);
    } else {
        snprintf(out, cap, "[%ld]", (long)id);
    }
}

/* Column labels "P token" for the positions of a heat map. */
static const char **an_pos_labels(an_pool *pool, char **strs, char **strs2, int64_t n) {
    const char **l = (const char **)calloc((size_t)n, sizeof *l);
    int64_t p;
    char a[160], b[160];
    if (!l) return NULL;
    for (p = 0; p < n; p++) {
        an_vis(strs[p], 24, a, sizeof a);
        if (strs2 && strcmp(strs[p], strs2[p]) != 0) {
            an_vis(strs2[p], 24, b, sizeof b);
            l[p] = an_str(pool, "%lld %s \xe2\x86\x92 %s", (long long)p, a, b);
        } else {
            l[p] = an_str(pool, "%lld %s", (long long)p, a);
        }
    }
    return l;
}

static int an_html(const char *path, const hl_heatmaps_view *v) {
    hl_error err;
    char *html = NULL;
    size_t len = 0;
    int rc;
    if (hl_view_heatmaps_html(v, &html, &len, &err) != HL_OK) return cli_error(&err);
    rc = cli_write_file(path, html, len);
    hl_free(html);
    if (!rc) printf("wrote %s\n", path);
    return rc;
}

/* Prints s right-aligned in a column of `width` code points (cut to width). */
static void an_cell_right(const char *s, int width) {
    char v[256];
    int cp = an_vis(s, width - 1, v, sizeof v);
    for (; cp < width; cp++) putchar(' ');
    fputs(v, stdout);
}

/* Prints a grid of numbers: rows with their labels, columns in blocks of `per` with theirs. */
static void an_print_grid(const char *corner, const char *const *rows, int64_t R, const char *const *cols, int64_t C,
                          const float *x) {
    const int64_t per = 10;
    int64_t c0, r, c;
    for (c0 = 0; c0 < C; c0 += per) {
        const int64_t c1 = c0 + per < C ? c0 + per : C;
        an_cell(corner, 12);
        for (c = c0; c < c1; c++) {
            putchar(' ');
            an_cell_right(cols[c], 9);
        }
        putchar('\n');
        for (r = 0; r < R; r++) {
            an_cell(rows[r], 12);
            for (c = c0; c < c1; c++) printf(" %9.4f", (double)x[r * C + c]);
            putchar('\n');
        }
        if (c1 < C) putchar('\n');
    }
}

/* Row labels "0", "1", ... (layers) and "H0", "H1", ... (heads). */
static const char **an_index_labels(an_pool *pool, const char *prefix, int64_t n) {
    const char **l = (const char **)calloc((size_t)n, sizeof *l);
    int64_t i;
    if (!l) return NULL;
    for (i = 0; i < n; i++) l[i] = an_str(pool, "%s%lld", prefix, (long long)i);
    return l;
}

/* ---- lens ----------------------------------------------------------------------------------- */
int cmd_lens(const cli_args *c) {
    static const char *const points[] = {"hook_embed", "blocks.*.hook_resid_pre", "blocks.*.hook_resid_mid",
                                         "blocks.*.hook_resid_post"};
    an_args a;
    an_out o;
    an_pool pool;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    hl_stack *acc = NULL, *lens = NULL;
    hl_names_filter f;
    hl_error err;
    const hl_model_cfg *cfg;
    int32_t *ids = NULL, answer = -1, *top = NULL;
    int64_t n = 0, V, S = 0, d, i, p, v, *rank = NULL;
    float *logits = NULL, *all = NULL, *row = NULL, *top_p = NULL, *t_p = NULL, *margin = NULL, *per_token = NULL;
    double mean = 0.0;
    char **strs = NULL, **top_strs = NULL, vis[160], answer_text[160];
    const char **cols = NULL, **text = NULL, **info = NULL;
    int rc;
    memset(&o, 0, sizeof o);
    memset(&pool, 0, sizeof pool);
    if ((rc = an_args_from(c, &a)) != 0 || (rc = an_need_prompt(c, &a)) != 0) return rc;
    if ((rc = an_load(&a, &m)) != 0) return rc;
    rc = 1;
    cfg = hl_model_config(m);
    V = cfg->d_vocab, d = cfg->d_model;
    if (an_tokens(m, a.prompt, a.tokens, a.no_bos, &ids, &n) || an_answer(m, a.answer, a.answer_id, a.no_space, "--answer", &answer))
        goto done;
    /* one run, caching what the stacks read */
    memset(&f, 0, sizeof f);
    f.names = points, f.n_names = sizeof points / sizeof points[0];
    logits = (float *)malloc((size_t)(n * V) * sizeof(float));
    if (!logits) goto oom;
    if (hl_cache_create(&cache, &err) != HL_OK || hl_model_run_with_cache(m, ids, n, &f, cache, logits, &err) != HL_OK ||
        hl_resid_stack(m, cache, HL_STACK_ACCUMULATED_NO_MID, 1, &lens, &err) != HL_OK) {
        rc = cli_error(&err);
        goto done;
    }
    if (a.out && !cfg->parallel && hl_resid_stack(m, cache, HL_STACK_ACCUMULATED, 1, &acc, &err) != HL_OK) {
        rc = cli_error(&err);
        goto done;
    }
    S = lens->n;
    /* the lens, one component at a time (all of them kept only for --out): top token, and the
       target's rank, probability and margin over the best other token; the target is the answer,
       or else (for the view) the next token of the prompt */
    row = (float *)malloc((size_t)(n * V) * sizeof(float));
    all = a.out ? (float *)malloc((size_t)(S * n * V) * sizeof(float)) : NULL;
    top = (int32_t *)malloc((size_t)(S * n) * sizeof(int32_t));
    rank = (int64_t *)malloc((size_t)(S * n) * sizeof(int64_t));
    top_p = (float *)malloc((size_t)(S * n) * sizeof(float));
    t_p = (float *)malloc((size_t)(S * n) * sizeof(float));
    margin = (float *)malloc((size_t)(S * n) * sizeof(float));
    per_token = (float *)malloc((size_t)n * sizeof(float));
    if (!row || (a.out && !all) || !top || !rank || !top_p || !t_p || !margin || !per_token) goto oom;
    for (i = 0; i < S; i++) {
        hl_stack one = *lens;
        float *lg = all ? all + i * n * V : row;
        one.n = 1, one.x = lens->x + i * n * d, one.labels = lens->labels + i;
        if (hl_logit_lens(m, &one, lg, &err) != HL_OK) { rc = cli_error(&err); goto done; }
        for (p = 0; p < n; p++) {
            const float *x = lg + p * V;
            const int32_t tgt = answer >= 0 ? answer : p + 1 < n ? ids[p + 1] : -1;
            const int64_t k = i * n + p;
            double mx = -HUGE_VAL, sum = 0.0, lse, other = -HUGE_VAL;
            int32_t best = 0;
            int64_t r = 0;
            for (v = 0; v < V; v++)
                if (x[v] > x[best]) best = (int32_t)v;
            mx = (double)x[best];
            for (v = 0; v < V; v++) sum += exp((double)x[v] - mx);
            lse = mx + log(sum);
            top[k] = best;
            top_p[k] = (float)exp((double)x[best] - lse);
            rank[k] = -1, t_p[k] = NAN, margin[k] = NAN;
            if (tgt < 0) continue;
            for (v = 0; v < V; v++) {
                if (x[v] > x[tgt]) r++;
                if (v != tgt && (double)x[v] > other) other = (double)x[v];
            }
            rank[k] = r;
            t_p[k] = (float)exp((double)x[tgt] - lse);
            margin[k] = (float)((double)x[tgt] - other);
        }
    }
    if (n >= 2 && hl_loss(m, ids, n, logits, per_token, &mean, &err) != HL_OK) { rc = cli_error(&err); goto done; }
    if (cli_str_tokens(m, ids, n, &strs) || cli_str_tokens(m, top, S * n, &top_strs)) goto done;
    /* the tables */
    if (answer >= 0) an_token_text(m, answer, answer_text, sizeof answer_text);
    printf("logit lens of %lld tokens (TL accumulated_resid(incl_mid=False, apply_ln=True) @ W_U: no b_U, no softcap)\n",
           (long long)n);
    printf("each layer's top token at each position%s", answer >= 0 ? "" : "\n");
    if (answer >= 0) printf(", then the rank (0 = top) and probability of the answer \"%s\" (id %ld)\n", answer_text, (long)answer);
    for (p = 0; p < n; p += 8) {
        const int64_t p1 = p + 8 < n ? p + 8 : n;
        int64_t q, pass;
        for (pass = 0; pass < (answer >= 0 ? 2 : 1); pass++) {
            printf("\n");
            an_cell(pass ? "answer" : "", 12);
            for (q = p; q < p1; q++) {
                char h[200];
                an_vis(strs[q], 8, vis, sizeof vis);
                snprintf(h, sizeof h, "%lld %s", (long long)q, vis);
                putchar(' ');
                an_cell(h, 12);
            }
            putchar('\n');
            for (i = 0; i < S; i++) {
                an_cell(lens->labels[i], 12);
                for (q = p; q < p1; q++) {
                    char h[200];
                    const int64_t k = i * n + q;
                    if (pass && t_p[k] < 0.0005f) snprintf(h, sizeof h, "#%lld <0.1%%", (long long)rank[k]);
                    else if (pass) snprintf(h, sizeof h, "#%lld %.1f%%", (long long)rank[k], 100.0 * (double)t_p[k]);
                    else an_vis(top_strs[k], 10, vis, sizeof vis), snprintf(h, sizeof h, "%s", vis);
                    putchar(' ');
                    an_cell(h, 12);
                }
                putchar('\n');
            }
        }
    }
    if (n >= 2) printf("\nloss: %.6f (mean next-token loss over %lld positions)\n", mean, (long long)(n - 1));
    if (cfg->parallel && a.out)
        printf("note: accumulated_resid is not written: %s has no resid_mid (parallel attention and MLP; TL raises KeyError)\n",
               cfg->architecture);
    if (a.html) {
        hl_heatmap map;
        hl_heatmaps_view hv;
        cols = an_pos_labels(&pool, strs, NULL, n);
        text = (const char **)calloc((size_t)(S * n), sizeof *text);
        info = (const char **)calloc((size_t)(S * n), sizeof *info);
        if (!cols || !text || !info) goto oom;
        for (i = 0; i < S; i++)
            for (p = 0; p < n; p++) {
                const int64_t k = i * n + p;
                const int32_t tgt = answer >= 0 ? answer : p + 1 < n ? ids[p + 1] : -1;
                char tv[160];
                an_vis(top_strs[k], 12, vis, sizeof vis);
                text[k] = an_str(&pool, "%s", vis);
                an_vis(top_strs[k], 60, vis, sizeof vis);
                if (tgt < 0) {
                    info[k] = an_str(&pool, "top token: \"%s\" (p = %.2f%%)\nno next token to track", vis, 100.0 * (double)top_p[k]);
                } else {
                    an_token_text(m, tgt, tv, sizeof tv);
                    info[k] = an_str(&pool, "top token: \"%s\" (p = %.2f%%)\n%s \"%s\": rank %lld, p = %.2f%%", vis,
                                     100.0 * (double)top_p[k], answer >= 0 ? "answer" : "next token", tv, (long long)rank[k],
                                     100.0 * (double)t_p[k]);
                }
            }
        memset(&map, 0, sizeof map);
        map.title = "Logit lens: each layer's top token";
        map.note = answer >= 0 ? "Colour: the answer's logit minus the best other token's (blue: the answer is the top token)."
                               : "Colour: the next token's logit minus the best other token's (blue: the layer predicts the "
                                 "next token of the prompt; the last position has none).";
        map.value_name = "logit(target) - best other logit";
        map.row_axis = "layer", map.col_axis = "position";
        map.n_rows = S, map.n_cols = n;
        map.row_labels = lens->labels, map.col_labels = cols;
        map.values = margin, map.cell_text = text, map.cell_info = info;
        memset(&hv, 0, sizeof hv);
        hv.title = "Logit lens";
        hv.subtitle = answer >= 0 ? an_str(&pool, "%s - answer \"%s\" (id %ld)", a.prompt ? a.prompt : a.tokens, answer_text,
                                           (long)answer)
                                  : (a.prompt ? a.prompt : a.tokens);
        hv.n_tokens = n, hv.tokens = (const char *const *)strs;
        hv.n_maps = 1, hv.maps = &map;
        if (pool.oom) goto oom;
        if (an_html(a.html, &hv)) goto done;
    }
    if (a.out) {
        if (acc) {
            an_tensor(&o, "accumulated_resid", acc->x, 4, acc->n, 1, n, d);
            an_meta_labels(&o, "accumulated_resid", acc->labels, acc->n);
        }
        an_tensor(&o, "logit_lens_logits", all, 4, S, 1, n, V);
        an_meta_labels(&o, "logit_lens_logits", lens->labels, S);
        if (n >= 2) {
            float fm = (float)mean;
            an_tensor(&o, "loss_per_token", per_token, 2, 1, n - 1, 0, 0);
            per_token[n - 1] = fm; /* the mean, stored as TL's 0-d loss reshaped to [1] */
            an_tensor(&o, "loss", per_token + n - 1, 1, 1, 0, 0, 0);
        }
        an_meta(&o, "hooklens.command", "lens");
        an_meta(&o, "model", a.model);
        an_meta_ids(&o, "tokens", ids, n);
        if (answer >= 0) an_meta_num(&o, "answer_token", answer);
        if (an_write(&o, a.out)) goto done;
    }
    rc = 0;
    goto done;
oom:
    fprintf(stderr, "hooklens: out of memory\n");
done:
    an_out_free(&o);
    an_pool_free(&pool);
    free(cols), free(text), free(info);
    free(strs), free(top_strs);
    free(logits), free(all), free(row), free(top), free(rank), free(top_p), free(t_p), free(margin), free(per_token);
    hl_stack_free(acc);
    hl_stack_free(lens);
    hl_cache_free(cache);
    free(ids);
    hl_model_free(m);
    return rc;
}

/* ---- attribute ------------------------------------------------------------------------------ */
int cmd_attribute(const cli_args *c) {
    static const char *const points[] = {"hook_embed", "hook_pos_embed", "blocks.*.hook_attn_out", "blocks.*.hook_mlp_out",
                                         "blocks.*.attn.hook_z", "ln_final.hook_scale"};
    an_args a;
    an_out o;
    an_pool pool;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    hl_stack *dec = NULL, *heads = NULL, *dec_ln = NULL, *heads_ln = NULL;
    hl_names_filter f;
    hl_error err;
    const hl_model_cfg *cfg;
    int32_t *ids = NULL, answer = -1, wrong = -1;
    int64_t n = 0, V, d, L, H, i;
    float *logits = NULL, *attr_dec = NULL, *attr_heads = NULL;
    double sum = 0.0, model_diff;
    char **strs = NULL, at[160], wt[160], last[160];
    const char **layers = NULL, **hcols = NULL, *target;
    int rc;
    memset(&o, 0, sizeof o);
    memset(&pool, 0, sizeof pool);
    if ((rc = an_args_from(c, &a)) != 0 || (rc = an_need_prompt(c, &a)) != 0) return rc;
    if (!a.answer && a.answer_id < 0) {
        fprintf(stderr, "hooklens attribute: give the answer: --answer TEXT or --answer-id ID\n");
        return cli_usage(c->cmd);
    }
    if ((rc = an_load(&a, &m)) != 0) return rc;
    rc = 1;
    cfg = hl_model_config(m);
    V = cfg->d_vocab, d = cfg->d_model, L = cfg->n_layers, H = cfg->n_heads;
    if (an_tokens(m, a.prompt, a.tokens, a.no_bos, &ids, &n) ||
        an_answer(m, a.answer, a.answer_id, a.no_space, "--answer", &answer) ||
        an_answer(m, a.wrong, a.wrong_id, a.no_space, "--wrong", &wrong))
        goto done;
    memset(&f, 0, sizeof f);
    f.names = points, f.n_names = sizeof points / sizeof points[0];
    if (!(logits = (float *)malloc((size_t)(n * V) * sizeof(float)))) goto oom;
    /* TL: decompose_resid / stack_head_results (apply_ln=False, pos_slice=-1), then logit_attrs at
       the last position, which divides by the cached ln_final.hook_scale there */
    if (hl_cache_create(&cache, &err) != HL_OK || hl_model_run_with_cache(m, ids, n, &f, cache, logits, &err) != HL_OK ||
        hl_resid_stack(m, cache, HL_STACK_DECOMPOSED, 0, &dec, &err) != HL_OK ||
        hl_resid_stack(m, cache, HL_STACK_HEADS, 0, &heads, &err) != HL_OK) {
        rc = cli_error(&err);
        goto done;
    }
    attr_dec = (float *)malloc((size_t)dec->n * sizeof(float));
    attr_heads = (float *)malloc((size_t)heads->n * sizeof(float));
    if (!attr_dec || !attr_heads) goto oom;
    if (hl_logit_attrs(m, cache, dec, n - 1, answer, wrong, attr_dec, &err) != HL_OK ||
        hl_logit_attrs(m, cache, heads, n - 1, answer, wrong, attr_heads, &err) != HL_OK) {
        rc = cli_error(&err);
        goto done;
    }
    if (cli_str_tokens(m, ids, n, &strs)) goto done;
    an_token_text(m, answer, at, sizeof at);
    if (wrong >= 0) an_token_text(m, wrong, wt, sizeof wt);
    an_vis(strs[n - 1], 40, last, sizeof last);
    target = wrong >= 0 ? an_str(&pool, "logit(\"%s\") - logit(\"%s\") (ids %ld, %ld)", at, wt, (long)answer, (long)wrong)
                        : an_str(&pool, "logit(\"%s\") (id %ld)", at, (long)answer);
    model_diff = (double)logits[(n - 1) * V + answer] - (wrong >= 0 ? (double)logits[(n - 1) * V + wrong] : 0.0);
    printf("direct logit attribution to %s at the last position, %lld \"%s\"\n", target ? target : "", (long long)(n - 1), last);
    printf("(TL cache.logit_attrs: each component divided by the cached ln_final.hook_scale, dotted with W_U's direction)\n\n");
    printf("%-14s %12s\n", "component", "attribution");
    for (i = 0; i < dec->n; i++) {
        printf("%-14s %12.6f\n", dec->labels[i], (double)attr_dec[i]);
        sum += (double)attr_dec[i];
    }
    printf("%-14s %12.6f   (the model's own value: %.6f%s)\n", "sum", sum, model_diff,
           cfg->final_softcap > 0 ? ", after the final softcap" : ", b_U included");
    printf("\nheads (z @ W_O, no b_O): rows layers, columns heads\n");
    layers = an_index_labels(&pool, "L", L);
    hcols = an_index_labels(&pool, "H", H);
    if (!layers || !hcols || pool.oom) goto oom;
    an_print_grid("layer", layers, L, hcols, H, attr_heads);
    if (cfg->post_norms)
        printf("note: %s normalises the attention output after o_proj (ln1_post): the heads' results are taken before that "
               "norm and do not add up to hook_attn_out (TL gives the same numbers, without a warning)\n",
               cfg->architecture);
    if (a.html) {
        hl_heatmap maps[2];
        hl_heatmaps_view hv;
        static const char *const one_col[1] = {"attribution"};
        memset(maps, 0, sizeof maps);
        maps[0].title = "Direct logit attribution per component";
        maps[0].note = "TL decompose_resid: embeddings, then each layer's attention and MLP output, at the last position.";
        maps[0].value_name = "attribution";
        maps[0].row_axis = "component";
        maps[0].n_rows = dec->n, maps[0].n_cols = 1;
        maps[0].row_labels = dec->labels, maps[0].col_labels = one_col;
        maps[0].values = attr_dec;
        maps[1].title = "Direct logit attribution per head";
        maps[1].note = cfg->post_norms ? "TL stack_head_results: z @ W_O per head, before this model's post-attention norm "
                                         "(so the heads do not add up to the attention output)."
                                       : "TL stack_head_results: z @ W_O per head (no b_O).";
        maps[1].value_name = "attribution";
        maps[1].row_axis = "layer", maps[1].col_axis = "head";
        maps[1].n_rows = L, maps[1].n_cols = H;
        maps[1].row_labels = layers, maps[1].col_labels = hcols;
        maps[1].values = attr_heads;
        memset(&hv, 0, sizeof hv);
        hv.title = "Direct logit attribution";
        hv.subtitle = an_str(&pool, "%s - to %s at position %lld; sum %.4f, the model's %.4f", a.prompt ? a.prompt : a.tokens,
                             target ? target : "", (long long)(n - 1), sum, model_diff);
        hv.n_tokens = n, hv.tokens = (const char *const *)strs;
        hv.n_maps = 2, hv.maps = maps;
        if (pool.oom) goto oom;
        if (an_html(a.html, &hv)) goto done;
    }
    if (a.out) {
        /* TL's apply_ln=True stacks of every position, and the attributions [components, batch] */
        if (hl_resid_stack(m, cache, HL_STACK_DECOMPOSED, 1, &dec_ln, &err) != HL_OK ||
            hl_resid_stack(m, cache, HL_STACK_HEADS, 1, &heads_ln, &err) != HL_OK) {
            rc = cli_error(&err);
            goto done;
        }
        an_tensor(&o, "decompose_resid", dec_ln->x, 4, dec_ln->n, 1, n, d);
        an_meta_labels(&o, "decompose_resid", dec_ln->labels, dec_ln->n);
        an_tensor(&o, "stack_head_results", heads_ln->x, 4, heads_ln->n, 1, n, d);
        an_meta_labels(&o, "stack_head_results", heads_ln->labels, heads_ln->n);
        an_tensor(&o, "logit_attrs_decompose", attr_dec, 2, dec->n, 1, 0, 0);
        an_meta_labels(&o, "logit_attrs_decompose", dec->labels, dec->n);
        an_tensor(&o, "logit_attrs_heads", attr_heads, 2, heads->n, 1, 0, 0);
        an_meta_labels(&o, "logit_attrs_heads", heads->labels, heads->n);
        an_meta(&o, "hooklens.command", "attribute");
        an_meta(&o, "model", a.model);
        an_meta_ids(&o, "tokens", ids, n);
        an_meta_num(&o, "answer_token", answer);
        if (wrong >= 0) an_meta_num(&o, "wrong_token", wrong);
        if (an_write(&o, a.out)) goto done;
    }
    rc = 0;
    goto done;
oom:
    fprintf(stderr, "hooklens: out of memory\n");
done:
    an_out_free(&o);
    an_pool_free(&pool);
    free(layers), free(hcols);
    free(strs);
    free(logits), free(attr_dec), free(attr_heads);
    hl_stack_free(dec), hl_stack_free(heads), hl_stack_free(dec_ln), hl_stack_free(heads_ln);
    hl_cache_free(cache);
    free(ids);
    hl_model_free(m);
    return rc;
}

/* ---- patch ---------------------------------------------------------------------------------- */
int cmd_patch(const cli_args *c) {
    static const struct {
        const char   *name, *title, *axes;
        hl_patch_kind kind;
    } grids[6] = {
        {"patch_resid_pre", "Residual stream (blocks.L.hook_resid_pre), one position", "[\"layer\", \"pos\"]", HL_PATCH_RESID_PRE},
        {"patch_attn_out", "Attention output (blocks.L.hook_attn_out), one position", "[\"layer\", \"pos\"]", HL_PATCH_ATTN_OUT},
        {"patch_mlp_out", "MLP output (blocks.L.hook_mlp_out), one position", "[\"layer\", \"pos\"]", HL_PATCH_MLP_OUT},
        {"patch_attn_head_out_all_pos", "Head output (attn.hook_z), every position", "[\"layer\", \"head\"]",
         HL_PATCH_HEAD_OUT_ALL_POS},
        {"patch_attn_head_out_by_pos", "Head output (attn.hook_z), one position", "[\"layer\", \"pos\", \"head\"]",
         HL_PATCH_HEAD_OUT_BY_POS},
        {"patch_attn_head_pattern_all_pos", "Head pattern (attn.hook_pattern), every query", "[\"layer\", \"head_index\"]",
         HL_PATCH_HEAD_PATTERN_ALL_POS},
    };
    static const char *const presoftcap_names[6] = {
        "patch_resid_pre.presoftcap", "patch_attn_out.presoftcap", "patch_mlp_out.presoftcap",
        "patch_attn_head_out_all_pos.presoftcap", "patch_attn_head_out_by_pos.presoftcap",
        "patch_attn_head_pattern_all_pos.presoftcap"};
    an_args a;
    an_out o;
    an_pool pool;
    hl_model *m = NULL;
    hl_error err;
    const hl_model_cfg *cfg;
    const char *clean_text = NULL, *corrupt_text = NULL, *clean_ids = cli_str(c, CLI_CLEAN_TOKENS, NULL),
               *corrupt_ids = cli_str(c, CLI_CORRUPT_TOKENS, NULL);
    int32_t *clean = NULL, *corrupt = NULL, ab[2] = {-1, -1};
    int64_t n = 0, n2 = 0, V, L, H, g, cells[6], l, p, h;
    float *grid[6] = {NULL}, *pre[6] = {NULL}, *logits = NULL, *by_rows = NULL;
    double clean_metric, corrupt_metric;
    char **cs = NULL, **xs = NULL, at[160], wt[160];
    const char **cols = NULL, **layers = NULL, **hcols = NULL, **lh = NULL;
    hl_patch_opts pre_opts = {0}; /* the metric on the logits before the final softcap (TL: on hook_unembed) */
    int rc, k, with_pre;
    memset(&o, 0, sizeof o);
    memset(&pool, 0, sizeof pool);
    if ((rc = an_args_from(c, &a)) != 0) return rc;
    /* [MODEL] CLEAN CORRUPT, or [MODEL] with --clean-tokens and --corrupt-tokens */
    if (clean_ids || corrupt_ids) {
        if (!clean_ids || !corrupt_ids || c->n_pos > 1) {
            fprintf(stderr, "hooklens patch: give --clean-tokens and --corrupt-tokens together, with no CLEAN CORRUPT prompts\n");
            return cli_usage(c->cmd);
        }
    } else {
        if (c->n_pos < 2) {
            fprintf(stderr, "hooklens patch: give the CLEAN and CORRUPT prompts (or --clean-tokens and --corrupt-tokens)\n");
            return cli_usage(c->cmd);
        }
        clean_text = c->pos[c->n_pos - 2], corrupt_text = c->pos[c->n_pos - 1];
        if (c->n_pos == 2) a.model = cli_default_model(), a.default_model = 1;
    }
    if ((!a.answer && a.answer_id < 0) || (!a.wrong && a.wrong_id < 0)) {
        fprintf(stderr, "hooklens patch: give the answer and the wrong answer (--answer/--answer-id, --wrong/--wrong-id): the "
                        "metric is their logit difference\n");
        return cli_usage(c->cmd);
    }
    if ((rc = an_load(&a, &m)) != 0) return rc;
    rc = 1;
    cfg = hl_model_config(m);
    V = cfg->d_vocab, L = cfg->n_layers, H = cfg->n_heads;
    if (an_tokens(m, clean_text, clean_ids, a.no_bos, &clean, &n) || an_tokens(m, corrupt_text, corrupt_ids, a.no_bos, &corrupt, &n2) ||
        an_answer(m, a.answer, a.answer_id, a.no_space, "--answer", &ab[0]) ||
        an_answer(m, a.wrong, a.wrong_id, a.no_space, "--wrong", &ab[1]))
        goto done;
    if (n != n2) {
        fprintf(stderr, "hooklens patch: the clean run has %lld tokens and the corrupted run %lld: patching needs the same "
                        "number\n", (long long)n, (long long)n2);
        goto done;
    }
    /* the two runs' metrics, then TL's grids: every cell runs the corrupted tokens with one slice from the clean run */
    if (!(logits = (float *)malloc((size_t)(n * V) * sizeof(float)))) goto oom;
    if (hl_model_run(m, clean, n, logits, &err) != HL_OK) { rc = cli_error(&err); goto done; }
    clean_metric = hl_metric_logit_diff(logits, n, V, ab);
    if (hl_model_run(m, corrupt, n, logits, &err) != HL_OK) { rc = cli_error(&err); goto done; }
    corrupt_metric = hl_metric_logit_diff(logits, n, V, ab);
    with_pre = a.out && cfg->final_softcap > 0;
    pre_opts.presoftcap = 1;
    for (k = 0; k < 6; k++) {
        cells[k] = grids[k].kind <= HL_PATCH_MLP_OUT ? L * n : grids[k].kind == HL_PATCH_HEAD_OUT_BY_POS ? L * n * H : L * H;
        if (!(grid[k] = (float *)malloc((size_t)cells[k] * sizeof(float)))) goto oom;
        cli_progress("[patch: %s]", grids[k].name);
        if (hl_act_patch(m, clean, corrupt, n, grids[k].kind, hl_metric_logit_diff, ab, grid[k], &err) != HL_OK) {
            cli_progress_end();
            rc = cli_error(&err);
            goto done;
        }
        if (with_pre) { /* the same grid with the metric read before the final softcap */
            if (!(pre[k] = (float *)malloc((size_t)cells[k] * sizeof(float)))) goto oom;
            if (hl_act_patch_ext(m, clean, corrupt, n, grids[k].kind, hl_metric_logit_diff, ab, &pre_opts, pre[k], &err) !=
                HL_OK) {
                cli_progress_end();
                rc = cli_error(&err);
                goto done;
            }
        }
    }
    cli_progress_end();
    if (cli_str_tokens(m, clean, n, &cs) || cli_str_tokens(m, corrupt, n, &xs)) goto done;
    an_token_text(m, ab[0], at, sizeof at);
    an_token_text(m, ab[1], wt, sizeof wt);
    cols = an_pos_labels(&pool, cs, xs, n);
    layers = an_index_labels(&pool, "L", L);
    hcols = an_index_labels(&pool, "H", H);
    lh = (const char **)calloc((size_t)(L * H), sizeof *lh);
    by_rows = (float *)malloc((size_t)(L * H * n) * sizeof(float));
    if (!cols || !layers || !hcols || !lh || !by_rows) goto oom;
    /* by_pos [layer, pos, head] shown as rows (layer, head) x columns pos */
    for (l = 0; l < L; l++)
        for (h = 0; h < H; h++) {
            lh[l * H + h] = an_str(&pool, "L%lldH%lld", (long long)l, (long long)h);
            for (p = 0; p < n; p++) by_rows[(l * H + h) * n + p] = grid[4][(l * n + p) * H + h];
        }
    if (pool.oom) goto oom;
    printf("activation patching, metric logit(\"%s\") - logit(\"%s\") (ids %ld, %ld) at the last position\n", at, wt, (long)ab[0],
           (long)ab[1]);
    printf("clean run: %.6f   corrupted run: %.6f\n", clean_metric, corrupt_metric);
    printf("(TL patching: each cell runs the corrupted tokens with one activation from the clean run)\n");
    for (k = 0; k < 6; k++) {
        printf("\n%s: %s\n", grids[k].name, grids[k].title);
        if (grids[k].kind <= HL_PATCH_MLP_OUT) an_print_grid("layer", layers, L, cols, n, grid[k]);
        else if (grids[k].kind == HL_PATCH_HEAD_OUT_BY_POS) an_print_grid("layer,head", lh, L * H, cols, n, by_rows);
        else an_print_grid("layer", layers, L, hcols, H, grid[k]);
    }
    if (a.html) {
        hl_heatmap maps[6];
        hl_heatmaps_view hv;
        memset(maps, 0, sizeof maps);
        for (k = 0; k < 6; k++) {
            maps[k].title = grids[k].title;
            maps[k].note = grids[k].name;
            maps[k].value_name = "logit difference";
            maps[k].row_axis = "layer";
            maps[k].n_rows = L;
            maps[k].row_labels = layers;
            maps[k].values = grid[k];
            if (grids[k].kind <= HL_PATCH_MLP_OUT) {
                maps[k].col_axis = "position", maps[k].n_cols = n, maps[k].col_labels = cols;
            } else if (grids[k].kind == HL_PATCH_HEAD_OUT_BY_POS) {
                maps[k].row_axis = "layer, head", maps[k].n_rows = L * H, maps[k].row_labels = lh;
                maps[k].col_axis = "position", maps[k].n_cols = n, maps[k].col_labels = cols, maps[k].values = by_rows;
            } else {
                maps[k].col_axis = "head", maps[k].n_cols = H, maps[k].col_labels = hcols;
            }
        }
        memset(&hv, 0, sizeof hv);
        hv.title = "Activation patching";
        hv.subtitle = an_str(&pool, "clean: %s | corrupted: %s | metric logit(\"%s\") - logit(\"%s\"): clean %.4f, corrupted %.4f",
                             clean_text ? clean_text : clean_ids, corrupt_text ? corrupt_text : corrupt_ids, at, wt,
                             clean_metric, corrupt_metric);
        hv.n_tokens = n, hv.tokens = (const char *const *)cs;
        hv.n_maps = 6, hv.maps = maps;
        if (pool.oom) goto oom;
        if (an_html(a.html, &hv)) goto done;
    }
    if (a.out) {
        for (k = 0; k < 6; k++) {
            if (grids[k].kind <= HL_PATCH_MLP_OUT) an_tensor(&o, grids[k].name, grid[k], 2, L, n, 0, 0);
            else if (grids[k].kind == HL_PATCH_HEAD_OUT_BY_POS) an_tensor(&o, grids[k].name, grid[k], 3, L, n, H, 0);
            else an_tensor(&o, grids[k].name, grid[k], 2, L, H, 0, 0);
            an_meta_axes(&o, grids[k].name, grids[k].axes);
        }
        for (k = 0; with_pre && k < 6; k++) {
            o.t[o.n] = o.t[k];
            o.t[o.n].data = pre[k];
            o.names[o.n++] = presoftcap_names[k];
            an_meta_axes(&o, presoftcap_names[k], grids[k].axes);
        }
        an_meta(&o, "hooklens.command", "patch");
        an_meta(&o, "model", a.model);
        an_meta_ids(&o, "tokens", clean, n);
        an_meta_ids(&o, "corrupted_tokens", corrupt, n);
        an_meta_num(&o, "answer_token", ab[0]);
        an_meta_num(&o, "wrong_token", ab[1]);
        an_meta_num(&o, "clean_metric", clean_metric);
        an_meta_num(&o, "corrupted_metric", corrupt_metric);
        if (an_write(&o, a.out)) goto done;
    }
    rc = 0;
    goto done;
oom:
    fprintf(stderr, "hooklens: out of memory\n");
done:
    an_out_free(&o);
    an_pool_free(&pool);
    for (g = 0; g < 6; g++) free(grid[g]), free(pre[g]);
    free(cols), free(layers), free(hcols), free(lh), free(by_rows);
    free(cs), free(xs);
    free(logits);
    free(clean), free(corrupt);
    hl_model_free(m);
    return rc;
}

/* ---- heads ---------------------------------------------------------------------------------- */
/* TL's induction demo sequence: BOS + h + h, h = half random ids (splitmix64 from seed, redrawn
   while a special id: BOS, EOS, PAD); without a BOS id, h + h. [out] *ids (free()), *n. */
static int an_random_repeat(const hl_model_cfg *cfg, int64_t half, uint64_t seed, int32_t **ids, int64_t *n) {
    const int64_t bos = cfg->bos_id >= 0 ? 1 : 0;
    uint64_t x = seed;
    int64_t i;
    *n = bos + 2 * half;
    if (!(*ids = (int32_t *)malloc((size_t)*n * sizeof(int32_t)))) {
        fprintf(stderr, "hooklens: out of memory\n");
        return 1;
    }
    if (bos) (*ids)[0] = cfg->bos_id;
    for (i = 0; i < half; i++) {
        int32_t v;
        do {
            uint64_t z = (x += 0x9e3779b97f4a7c15ull);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
            v = (int32_t)((z ^ (z >> 31)) % (uint64_t)cfg->d_vocab);
        } while (cfg->d_vocab > 3 && (v == cfg->bos_id || v == cfg->eos_id || v == cfg->pad_id));
        (*ids)[bos + i] = (*ids)[bos + half + i] = v;
    }
    return 0;
}

int cmd_heads(const cli_args *c) {
    static const struct {
        const char  *name, *title, *note;
        hl_head_kind kind;
    } kinds[3] = {
        {"heads_previous_token", "Previous-token heads", "attention from each token to the one before it", HL_HEAD_PREVIOUS_TOKEN},
        {"heads_duplicate_token", "Duplicate-token heads", "attention to earlier copies of the same token", HL_HEAD_DUPLICATE_TOKEN},
        {"heads_induction", "Induction heads", "attention to the token after an earlier copy of the current one",
         HL_HEAD_INDUCTION},
    };
    an_args a;
    an_out o;
    an_pool pool;
    hl_model *m = NULL;
    hl_error err;
    const hl_model_cfg *cfg;
    int32_t *ids = NULL;
    int64_t n = 0, L, H;
    float *score[3] = {NULL};
    char **strs = NULL;
    const char **layers = NULL, **hcols = NULL;
    const int64_t half = cli_int(c, CLI_RANDOM, 0);
    int rc, k;
    memset(&o, 0, sizeof o);
    memset(&pool, 0, sizeof pool);
    if ((rc = an_args_from(c, &a)) != 0) return rc;
    if ((!a.prompt) + (!a.tokens) + (half == 0) != 2) {
        fprintf(stderr, "hooklens heads: give --prompt TEXT, --tokens \"ID ID ...\" or --random N\n");
        return cli_usage(c->cmd);
    }
    if ((rc = an_load(&a, &m)) != 0) return rc;
    rc = 1;
    cfg = hl_model_config(m);
    L = cfg->n_layers, H = cfg->n_heads;
    if (half > 0 ? an_random_repeat(cfg, half, (uint64_t)cli_int(c, CLI_SEED, 0), &ids, &n)
                 : an_tokens(m, a.prompt, a.tokens, a.no_bos, &ids, &n))
        goto done;
    if (n > cfg->n_ctx) {
        fprintf(stderr, "hooklens heads: %lld tokens, more than the model's n_ctx %lld\n", (long long)n, (long long)cfg->n_ctx);
        goto done;
    }
    for (k = 0; k < 3; k++) {
        if (!(score[k] = (float *)malloc((size_t)(L * H) * sizeof(float)))) goto oom;
        if (hl_head_scores(m, ids, n, kinds[k].kind, score[k], &err) != HL_OK) { rc = cli_error(&err); goto done; }
    }
    if (cli_str_tokens(m, ids, n, &strs)) goto done;
    layers = an_index_labels(&pool, "L", L);
    hcols = an_index_labels(&pool, "H", H);
    if (!layers || !hcols || pool.oom) goto oom;
    printf("head scores on %lld tokens (TL detect_head, error_measure=\"mul\": the share of each head's attention on the "
           "detection pattern, 0..1)\n", (long long)n);
    for (k = 0; k < 3; k++) {
        printf("\n%s: %s\n", kinds[k].name, kinds[k].note);
        an_print_grid("layer", layers, L, hcols, H, score[k]);
    }
    if (half > 1) { /* the demo's other half: a model with induction heads predicts the second copy */
        float *lg = (float *)malloc((size_t)(n * cfg->d_vocab) * sizeof(float)), *lt = (float *)malloc((size_t)n * sizeof(float));
        double mean = 0.0, first = 0.0, second = 0.0;
        const int64_t b = n - 2 * half;
        int64_t i;
        if (!lg || !lt) { free(lg), free(lt); goto oom; }
        if (hl_model_run(m, ids, n, lg, &err) != HL_OK || hl_loss(m, ids, n, lg, lt, &mean, &err) != HL_OK) {
            free(lg), free(lt);
            rc = cli_error(&err);
            goto done;
        }
        for (i = b; i < b + half - 1; i++) first += (double)lt[i] / (double)(half - 1); /* predicting h[1..] */
        for (i = b + half; i < n - 1; i++) second += (double)lt[i] / (double)(half - 1);  /* the second copy's h[1..] */
        printf("\nloss per token on %lld random tokens: first copy %.4f, second copy %.4f\n", (long long)half, first, second);
        free(lg), free(lt);
    }
    if (a.html) {
        hl_heatmap maps[3];
        hl_heatmaps_view hv;
        memset(maps, 0, sizeof maps);
        for (k = 0; k < 3; k++) {
            maps[k].title = kinds[k].title;
            maps[k].note = kinds[k].note;
            maps[k].value_name = "score";
            maps[k].row_axis = "layer", maps[k].col_axis = "head";
            maps[k].n_rows = L, maps[k].n_cols = H;
            maps[k].row_labels = layers, maps[k].col_labels = hcols;
            maps[k].values = score[k];
        }
        memset(&hv, 0, sizeof hv);
        hv.title = "Attention head scores";
        hv.subtitle = half > 0 ? an_str(&pool, "BOS + %lld random tokens (seed %lld), twice", (long long)half,
                                        (long long)cli_int(c, CLI_SEED, 0))
                               : a.prompt ? a.prompt : a.tokens;
        if (pool.oom) goto oom;
        hv.n_tokens = n, hv.tokens = (const char *const *)strs;
        hv.n_maps = 3, hv.maps = maps;
        if (an_html(a.html, &hv)) goto done;
    }
    if (a.out) {
        for (k = 0; k < 3; k++) {
            an_tensor(&o, kinds[k].name, score[k], 2, L, H, 0, 0);
            an_meta_axes(&o, kinds[k].name, "[\"layer\", \"head\"]");
        }
        an_meta(&o, "hooklens.command", "heads");
        an_meta(&o, "model", a.model);
        an_meta_ids(&o, "tokens", ids, n);
        if (an_write(&o, a.out)) goto done;
    }
    rc = 0;
    goto done;
oom:
    fprintf(stderr, "hooklens: out of memory\n");
done:
    an_out_free(&o);
    an_pool_free(&pool);
    for (k = 0; k < 3; k++) free(score[k]);
    free(layers), free(hcols);
    free(strs);
    free(ids);
    hl_model_free(m);
    return rc;
}
