/* tools/cli/cmd_sae.c - sae: an SAE spliced into a model (SAELens HookedSAETransformer
   run_with_cache_with_saes), printing each token's top features; optional steering, ablation, the
   error term and a safetensors cache of every hook (SAE sub-points included) plus logits.
   `--max-acts F --text-file T` instead streams a text file and prints feature F's top positions. */
#include <time.h>
#include <unistd.h>
#include "cli.h"

typedef struct sae_args {
    const char *model, *sae, *prompt, *tokens, *cache, *hook, *html, *text_file, *explanations;
    int64_t     top, max_acts_feature, max_acts_k, ctx;
    int         error_term, threads, no_bos, n_steer, n_ablate;
    int64_t    *steer_f, *ablate_f;
    double     *steer_alpha;
    char      **steer_pos; /* NULL or "P,P,..." after '@' */
    char      **steer_text; /* copies of the --steer values (parse_steer cuts them up) */
} sae_args;


/* "F:ALPHA" or "F:ALPHA@P,P,..." */
static int parse_steer(char *s, int64_t *f, double *alpha, char **pos) {
    char *colon = strchr(s, ':'), *at, *end;
    long long v;
    if (!colon) return 0;
    *colon = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end || v < 0) return 0;
    *f = v;
    at = strchr(colon + 1, '@');
    if (at) *at = 0;
    *alpha = strtod(colon + 1, &end);
    if (end == colon + 1 || *end) return 0;
    *pos = at ? at + 1 : NULL;
    return 1;
}

static void free_sae_args(sae_args *a) {
    int i;
    for (i = 0; a->steer_text && i < a->n_steer; i++) free(a->steer_text[i]);
    free(a->steer_text);
    free(a->steer_f);
    free(a->ablate_f);
    free(a->steer_alpha);
    free(a->steer_pos);
}

/* From the one parser's result: MODEL SAE, the defaults (5 features per token; --max-acts: the top
   10 positions in windows of 128 tokens), the --steer and --ablate lists. 0, or 2 after an error. */
static int sae_args_from(const cli_args *c, sae_args *a) {
    const int ns = c->n[CLI_STEER], na = c->n[CLI_ABLATE];
    int i;
    memset(a, 0, sizeof *a);
    a->model = c->n_pos > 0 ? c->pos[0] : NULL;
    a->sae = c->n_pos > 1 ? c->pos[1] : NULL;
    a->prompt = cli_str(c, CLI_PROMPT, NULL);
    a->tokens = cli_str(c, CLI_TOKENS, NULL);
    a->cache = cli_str(c, CLI_CACHE, NULL);
    a->hook = cli_str(c, CLI_HOOK, NULL);
    a->html = cli_str(c, CLI_HTML, NULL);
    a->text_file = cli_str(c, CLI_TEXT_FILE, NULL);
    a->explanations = cli_str(c, CLI_EXPLANATIONS, NULL);
    a->max_acts_feature = cli_int(c, CLI_MAX_ACTS, -1);
    a->top = cli_int(c, CLI_TOP_K, 5);
    a->max_acts_k = cli_int(c, CLI_TOP_K, 10);
    a->ctx = cli_int(c, CLI_CTX, 128);
    a->threads = (int)cli_int(c, CLI_THREADS, 0);
    a->error_term = c->n[CLI_ERROR_TERM] > 0;
    a->no_bos = c->n[CLI_NO_BOS] > 0;
    a->steer_f = (int64_t *)calloc((size_t)ns + 1, sizeof(int64_t));
    a->steer_alpha = (double *)calloc((size_t)ns + 1, sizeof(double));
    a->steer_pos = (char **)calloc((size_t)ns + 1, sizeof(char *));
    a->steer_text = (char **)calloc((size_t)ns + 1, sizeof(char *));
    a->ablate_f = (int64_t *)calloc((size_t)na + 1, sizeof(int64_t));
    if (!a->steer_f || !a->steer_alpha || !a->steer_pos || !a->steer_text || !a->ablate_f) {
        fprintf(stderr, "hooklens sae: out of memory\n");
        return 2;
    }
    for (i = 0; i < na; i++) a->ablate_f[a->n_ablate++] = strtoll(cli_nth(c, CLI_ABLATE, i), NULL, 10); /* checked by cli_parse */
    for (i = 0; i < ns; i++) {
        const char *v = cli_nth(c, CLI_STEER, i);
        if (!(a->steer_text[i] = strdup(v))) return 2;
        a->n_steer++;
        if (!parse_steer(a->steer_text[i], &a->steer_f[i], &a->steer_alpha[i], &a->steer_pos[i])) {
            fprintf(stderr, "hooklens sae: --steer %s: expected F:ALPHA or F:ALPHA@P,P,...\n", v);
            return 2;
        }
    }
    if (!a->model || !a->sae) {
        fprintf(stderr, "hooklens sae: give MODEL and SAE\n");
        return 2;
    }
    return 0;
}

/* Token ids from --tokens "1 2 3" or --prompt TEXT (BOS unless --no-bos). 0 ok, else exit code. */
static int sae_tokens(const sae_args *a, hl_model *m, int32_t **ids, int64_t *n) {
    hl_error err;
    if (a->tokens) return cli_parse_ids(a->tokens, hl_model_config(m)->d_vocab, ids, n);
    if (a->prompt) {
        int32_t *t = NULL;
        if (hl_model_to_tokens(m, a->prompt, a->no_bos ? 0 : -1, &t, n, &err) != HL_OK) return cli_error(&err);
        if (*n == 0) {
            hl_free(t);
            fprintf(stderr, "hooklens sae: the prompt has no tokens\n");
            return 1;
        }
        *ids = (int32_t *)malloc((size_t)*n * sizeof(int32_t));
        if (!*ids) { hl_free(t); return 1; }
        memcpy(*ids, t, (size_t)*n * sizeof(int32_t));
        hl_free(t);
        return 0;
    }
    fprintf(stderr, "hooklens sae: give --prompt TEXT or --tokens \"ID ID ...\"\n");
    return 2;
}

/* Prints a token string with control characters escaped, or [id] without a tokenizer. */
static void print_token(hl_model *m, int32_t id, int width) {
    char buf[96], **strs = NULL, *s;
    size_t len = 0, i, o = 0;
    if (hl_model_tokenizer(m) && hl_model_to_str_tokens(m, &id, 1, &strs, NULL) == HL_OK) {
        s = strs[0];
        len = strlen(s);
        buf[o++] = '\'';
        for (i = 0; i < len && o < sizeof buf - 8; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '\n') { buf[o++] = '\\'; buf[o++] = 'n'; }
            else if (c == '\t') { buf[o++] = '\\'; buf[o++] = 't'; }
            else if (c == '\'' || c == '\\') { buf[o++] = '\\'; buf[o++] = (char)c; }
            else if (c < 0x20 || c == 0x7f) o += (size_t)snprintf(buf + o, sizeof buf - o, "\\x%02x", c);
            else buf[o++] = (char)c;
        }
        buf[o++] = '\'';
        buf[o] = 0;
        hl_free(strs);
    } else {
        snprintf(buf, sizeof buf, "[%ld]", (long)id);
    }
    printf("%-*s", width, buf);
}

/* What the sae command computed; a renderer (text below; --html by the views helper) reads it. */
typedef struct sae_result {
    hl_model     *m;
    const hl_sae *sae;
    const char   *hook;
    const int32_t *ids;
    int64_t       n, d_sae, top;
    float        *acts;   /* [n, d_sae] hook_sae_acts_post (after ablations) */
} sae_result;

/* Hook on <hook>.hook_sae_acts_post: keeps a copy of the feature activations. */
static hl_status grab_acts(const hl_hook_info *info, hl_tensor *act, void *user) {
    sae_result *r = (sae_result *)user;
    (void)info;
    if (hl_tensor_numel(act) == r->n * r->d_sae)
        memcpy(r->acts, act->data, (size_t)(r->n * r->d_sae) * sizeof(float));
    return HL_OK;
}

static void print_result(const sae_result *r) {
    int64_t p, j, *idx = (int64_t *)calloc((size_t)(r->top ? r->top : 1), sizeof(int64_t));
    float *val = (float *)calloc((size_t)(r->top ? r->top : 1), sizeof(float));
    const hl_sae_config *c = hl_sae_get_config(r->sae);
    if (!idx || !val) { free(idx); free(val); return; }
    printf("SAE %s (%s, d_in %lld, d_sae %lld) at %s\n", c->path, hl_sae_arch_name(c->arch),
           (long long)c->d_in, (long long)c->d_sae, r->hook);
    printf("%5s  %-18s %5s  top features (index:activation)\n", "pos", "token", "L0");
    for (p = 0; p < r->n; p++) {
        const float *a = r->acts + p * r->d_sae;
        int64_t l0 = 0, k;
        for (j = 0; j < r->d_sae; j++) l0 += a[j] != 0.0f;
        printf("%5lld  ", (long long)p);
        print_token(r->m, r->ids[p], 18);
        printf(" %5lld ", (long long)l0);
        k = hl_sae_top_features(a, r->d_sae, r->top, idx, val);
        for (j = 0; j < k; j++) printf(" %lld:%.4g", (long long)idx[j], (double)val[j]);
        printf("\n");
    }
    free(idx);
    free(val);
}

/* --html OUT: the SAE feature view (tokens shaded by a feature, each token's top features) of the
   features printed above: each token's --top strongest, ranked as the terminal ranks them
   (hl_view_top_features). --explanations FILE (Neuronpedia explanations, any export shape) fills
   the description column with each feature's first explanation. Returns 0 or 1 (error printed). */
static int write_html(const sae_result *r, const char *path, const char *explanations) {
    int64_t top = r->top < r->d_sae ? r->top : r->d_sae; /* per token */
    int64_t k = r->d_sae < r->n * top ? r->d_sae : r->n * top, found = 0, p; /* at most shown */
    int64_t *fids = (int64_t *)calloc((size_t)k + 1, sizeof(int64_t));
    float *gathered = (float *)calloc((size_t)(r->n * k) + 1, sizeof(float));
    const char **toks = (const char **)calloc((size_t)r->n, sizeof(char *));
    const char **descs = (const char **)calloc((size_t)k + 1, sizeof(char *));
    char **strs = NULL, *html = NULL, (*idbuf)[24] = (char (*)[24])calloc((size_t)r->n, 24);
    size_t len = 0;
    hl_features_view v;
    hl_explain_result *ex = NULL;
    hl_error err;
    FILE *f;
    int rc = 1;
    if (!fids || !gathered || !toks || !descs || !idbuf) { fprintf(stderr, "hooklens sae: out of memory\n"); goto done; }
    if (hl_model_tokenizer(r->m) && hl_model_to_str_tokens(r->m, r->ids, r->n, &strs, &err) == HL_OK) {
        for (p = 0; p < r->n; p++) toks[p] = strs[p];
    } else {
        for (p = 0; p < r->n; p++) {
            snprintf(idbuf[p], 24, "[%ld]", (long)r->ids[p]);
            toks[p] = idbuf[p];
        }
    }
    if (k < 1) { fprintf(stderr, "hooklens sae: --top 0 shows no features; no HTML written\n"); goto done; }
    if (hl_view_top_features(r->acts, r->n, r->d_sae, top, k, fids, gathered, &found, &err) != HL_OK) {
        rc = cli_error(&err);
        goto done;
    }
    if (found == 0) { fprintf(stderr, "hooklens sae: no feature fires on this prompt; no HTML written\n"); goto done; }
    if (explanations) {
        hl_explain_query q;
        int64_t described = 0;
        memset(&q, 0, sizeof q);
        if (hl_explain_search(&explanations, 1, &q, &ex, &err) != HL_OK) { rc = cli_error(&err); goto done; }
        for (p = 0; p < found; p++) {
            const hl_explanation *e = hl_explain_find(ex, (uint64_t)fids[p]);
            descs[p] = e ? e->description : NULL;
            described += e != NULL;
        }
        fprintf(stderr, "%s: %llu explanation rows; %lld of the %lld features shown are described\n",
                explanations, (unsigned long long)hl_explain_count(ex), (long long)described, (long long)found);
    }
    memset(&v, 0, sizeof v);
    v.sae_name = hl_sae_get_config(r->sae)->path;
    v.n_tokens = r->n;
    v.tokens = toks;
    v.n_features = found;
    v.feature_ids = fids;
    v.acts = gathered;
    v.descriptions = descs;
    v.per_token_top = (int)top;
    if (hl_view_features_html(&v, &html, &len, &err) != HL_OK) { rc = cli_error(&err); goto done; }
    f = fopen(path, "wb");
    if (!f || fwrite(html, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "hooklens sae: cannot write %s\n", path);
        goto done;
    }
    fprintf(stderr, "wrote %s (%lld features)\n", path, (long long)found);
    rc = 0;
done:
    hl_free(html);
    hl_free(strs);
    hl_explain_free(ex);
    free(descs);
    free(idbuf);
    free(toks);
    free(gathered);
    free(fids);
    return rc;
}

/* --max-acts F --text-file T: feature F's strongest positions over the file (streamed). */
/* The status line of --max-acts: a hook at the start of each forward window counts them. */
static hl_status count_window(const hl_hook_info *info, hl_tensor *act, void *user) {
    int64_t *n = (int64_t *)user;
    (void)info;
    *n += 1;
    cli_progress("[sae --max-acts: window %lld, %lld tokens]", (long long)*n, (long long)(*n * act->shape[1]));
    return HL_OK;
}

static int run_max_acts(const sae_args *a, hl_model *m, hl_sae *sae) {
    hl_sae_maxact *best = (hl_sae_maxact *)calloc((size_t)a->max_acts_k, sizeof(hl_sae_maxact));
    hl_sae_maxact_opts o;
    hl_error err;
    int64_t n = 0, i, tokens = 0, windows = 0;
    hl_status st;
    if (!best) return 1;
    memset(&o, 0, sizeof o);
    o.ctx_len = a->ctx;
    o.no_bos = a->no_bos;
    if (cli_stderr_is_tty()) hl_model_add_hook(m, "hook_embed", count_window, &windows, NULL, NULL);
    st = hl_sae_max_activations(sae, m, a->text_file, a->max_acts_feature, &o, best, a->max_acts_k, &n, &tokens, &err);
    cli_progress_end();
    if (st != HL_OK) {
        free(best);
        return cli_error(&err);
    }
    printf("feature %lld: %lld strongest positions over %lld tokens of %s\n", (long long)a->max_acts_feature,
           (long long)n, (long long)tokens, a->text_file);
    for (i = 0; i < n; i++) { /* the context as text, the token in [[ ]] */
        char *text = NULL;
        if (hl_sae_maxact_text(m, &best[i], &text, &err) != HL_OK) {
            free(best);
            return cli_error(&err);
        }
        printf("%3lld  act %-10.5g %s\n", (long long)i + 1, (double)best[i].act, text);
        hl_free(text);
    }
    free(best);
    return 0;
}

int cmd_sae(const cli_args *c) {
    sae_args a;
    hl_model *m = NULL;
    hl_sae *sae = NULL;
    hl_model_desc md;
    hl_sae_desc sd;
    hl_error err;
    sae_result r;
    int32_t *ids = NULL;
    int rc, i, handle = -1;
    char sub[512];
    hl_status st;
    memset(&r, 0, sizeof r);
    if ((rc = sae_args_from(c, &a)) != 0) {
        free_sae_args(&a);
        return cli_usage("sae");
    }
    memset(&md, 0, sizeof md);
    md.path = a.model;
    md.n_threads = a.threads;
    md.kernels = cli_kernels_from_env();
    if (hl_model_load(&md, &m, &err) != HL_OK) { rc = cli_error(&err); goto done; }
    memset(&sd, 0, sizeof sd);
    sd.path = a.sae;
    sd.hook_name = a.hook;
    sd.n_threads = a.threads;
    sd.kernels = md.kernels;
    if (hl_sae_load(&sd, &sae, &err) != HL_OK) { rc = cli_error(&err); goto done; }
    if (hl_sae_attach(sae, m, a.hook, a.error_term, &err) != HL_OK) { rc = cli_error(&err); goto done; }
    for (i = 0; i < a.n_ablate; i++)
        if (hl_sae_ablate(sae, a.ablate_f[i], &err) != HL_OK) { rc = cli_error(&err); goto done; }
    for (i = 0; i < a.n_steer; i++) {
        int64_t pos[256], np = 0;
        const char *p = a.steer_pos[i];
        while (p && *p && np < 256) {
            char *end;
            long long v = strtoll(p, &end, 10);
            if (end == p || v < 0) {
                fprintf(stderr, "hooklens sae: --steer: bad position list \"%s\"\n", a.steer_pos[i]);
                rc = 2;
                goto done;
            }
            pos[np++] = v;
            p = *end == ',' ? end + 1 : end;
            if (*end && *end != ',') {
                fprintf(stderr, "hooklens sae: --steer: bad position list \"%s\"\n", a.steer_pos[i]);
                rc = 2;
                goto done;
            }
        }
        if (hl_sae_steer(sae, a.steer_f[i], (float)a.steer_alpha[i], np ? pos : NULL, np, &err) != HL_OK) {
            rc = cli_error(&err);
            goto done;
        }
    }
    if (a.max_acts_feature >= 0 || a.text_file) {
        if (a.max_acts_feature < 0 || !a.text_file) {
            fprintf(stderr, "hooklens sae: --max-acts F and --text-file T go together\n");
            rc = 2;
            goto done;
        }
        rc = run_max_acts(&a, m, sae);
        goto done;
    }
    if ((rc = sae_tokens(&a, m, &ids, &r.n)) != 0) goto done;
    r.m = m;
    r.sae = sae;
    r.hook = hl_sae_attached_hook(sae);
    r.ids = ids;
    r.d_sae = hl_sae_get_config(sae)->d_sae;
    r.top = a.top;
    r.acts = (float *)calloc((size_t)(r.n * r.d_sae), sizeof(float));
    if (!r.acts) { fprintf(stderr, "hooklens sae: out of memory\n"); rc = 1; goto done; }
    snprintf(sub, sizeof sub, "%s.hook_sae_acts_post", r.hook);
    if (hl_model_add_hook(m, sub, grab_acts, &r, &handle, &err) != HL_OK) { rc = cli_error(&err); goto done; }
    if (a.cache) { /* every hook (SAE sub-points included) + logits + tokens */
        size_t saved = 0;
        st = hl_model_save_activations(m, ids, r.n, NULL, a.cache, NULL, &saved, &err);
        if (st == HL_OK) fprintf(stderr, "wrote %zu tensors to %s\n", saved, a.cache);
    } else {
        st = hl_model_run(m, ids, r.n, NULL, &err);
    }
    if (st != HL_OK) { rc = cli_error(&err); goto done; }
    print_result(&r);
    if (a.html && write_html(&r, a.html, a.explanations) != 0) rc = 1;
done:
    free(r.acts);
    free(ids);
    hl_sae_free(sae); /* detaches before the model goes */
    hl_model_free(m);
    free_sae_args(&a);
    return rc;
}
