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
    int         error_term, threads, no_bos, n_steer, n_ablate, bench, scalar;
    int64_t     bench_d_in, bench_d_sae, bench_pos;
    int64_t    *steer_f, *ablate_f;
    double     *steer_alpha;
    char      **steer_pos; /* NULL or "P,P,..." after '@' */
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

static int parse_sae_args(int argc, char **argv, sae_args *a) {
    int i;
    memset(a, 0, sizeof *a);
    a->top = 5;
    a->max_acts_feature = -1;
    a->max_acts_k = 10;
    a->ctx = 128;
    a->steer_f = (int64_t *)calloc((size_t)argc + 1, sizeof(int64_t));
    a->ablate_f = (int64_t *)calloc((size_t)argc + 1, sizeof(int64_t));
    a->steer_alpha = (double *)calloc((size_t)argc + 1, sizeof(double));
    a->steer_pos = (char **)calloc((size_t)argc + 1, sizeof(char *));
    if (!a->steer_f || !a->ablate_f || !a->steer_alpha || !a->steer_pos) return 2;
    for (i = 1; i < argc; i++) {
        const char *o = argv[i];
        int64_t iv;
        if (o[0] != '-' || o[1] == 0) {
            if (!a->model) a->model = o;
            else if (!a->sae) a->sae = o;
            else { fprintf(stderr, "hooklens sae: unexpected argument '%s'\n", o); return 2; }
        } else if (strcmp(o, "--error-term") == 0) {
            a->error_term = 1;
        } else if (strcmp(o, "--no-bos") == 0) {
            a->no_bos = 1;
        } else if (strcmp(o, "--bench") == 0) {
            a->bench = 1;
        } else if (strcmp(o, "--scalar") == 0) {
            a->scalar = 1;
        } else if (i + 1 >= argc) {
            fprintf(stderr, "hooklens sae: %s needs a value\n", o);
            return 2;
        } else if (strcmp(o, "--prompt") == 0) {
            a->prompt = argv[++i];
        } else if (strcmp(o, "--tokens") == 0) {
            a->tokens = argv[++i];
        } else if (strcmp(o, "--cache") == 0) {
            a->cache = argv[++i];
        } else if (strcmp(o, "--hook") == 0) {
            a->hook = argv[++i];
        } else if (strcmp(o, "--html") == 0) {
            a->html = argv[++i];
        } else if (strcmp(o, "--text-file") == 0) {
            a->text_file = argv[++i];
        } else if (strcmp(o, "--explanations") == 0) {
            a->explanations = argv[++i];
        } else if (strcmp(o, "--top") == 0 && cli_parse_i64(argv[i + 1], &iv) && iv >= 0) {
            a->top = iv;
            i++;
        } else if (strcmp(o, "--max-acts") == 0 && cli_parse_i64(argv[i + 1], &iv) && iv >= 0) {
            a->max_acts_feature = iv;
            i++;
        } else if (strcmp(o, "--k") == 0 && cli_parse_i64(argv[i + 1], &iv) && iv > 0) {
            a->max_acts_k = iv;
            i++;
        } else if (strcmp(o, "--ctx") == 0 && cli_parse_i64(argv[i + 1], &iv) && iv > 1) {
            a->ctx = iv;
            i++;
        } else if (strcmp(o, "--d-in") == 0 && cli_parse_i64(argv[i + 1], &iv) && iv > 0) {
            a->bench_d_in = iv;
            i++;
        } else if (strcmp(o, "--d-sae") == 0 && cli_parse_i64(argv[i + 1], &iv) && iv > 0) {
            a->bench_d_sae = iv;
            i++;
        } else if (strcmp(o, "--positions") == 0 && cli_parse_i64(argv[i + 1], &iv) && iv > 0) {
            a->bench_pos = iv;
            i++;
        } else if (strcmp(o, "--threads") == 0 && cli_parse_i64(argv[i + 1], &iv) && iv >= 0 && iv <= 1024) {
            a->threads = (int)iv;
            i++;
        } else if (strcmp(o, "--ablate") == 0 && cli_parse_i64(argv[i + 1], &iv) && iv >= 0) {
            a->ablate_f[a->n_ablate++] = iv;
            i++;
        } else if (strcmp(o, "--steer") == 0 &&
                   parse_steer(argv[i + 1], &a->steer_f[a->n_steer], &a->steer_alpha[a->n_steer],
                               &a->steer_pos[a->n_steer])) {
            a->n_steer++;
            i++;
        } else {
            fprintf(stderr, "hooklens sae: bad option or value: %s %s\n", o, argv[i + 1]);
            return 2;
        }
    }
    if (!a->bench && (!a->model || !a->sae)) {
        fprintf(stderr, "hooklens sae: give MODEL and SAE\n");
        return 2;
    }
    return 0;
}

static void free_sae_args(sae_args *a) {
    free(a->steer_f);
    free(a->ablate_f);
    free(a->steer_alpha);
    free(a->steer_pos);
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
static int run_max_acts(const sae_args *a, hl_model *m, hl_sae *sae) {
    hl_sae_maxact *best = (hl_sae_maxact *)calloc((size_t)a->max_acts_k, sizeof(hl_sae_maxact));
    hl_sae_maxact_opts o;
    hl_error err;
    int64_t n = 0, i, tokens = 0;
    if (!best) return 1;
    memset(&o, 0, sizeof o);
    o.ctx_len = a->ctx;
    o.no_bos = a->no_bos;
    if (hl_sae_max_activations(sae, m, a->text_file, a->max_acts_feature, &o, best, a->max_acts_k, &n,
                               &tokens, &err) != HL_OK) {
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

static double sae_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double sae_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --bench: encode throughput of a random f32 SAE (default d_in 2304 x d_sae 65536, GemmaScope
   2b 65k width) over batches of --positions tokens (default 64), at --threads N (0 = all cores).
   hl_sae_encode = x @ W_enc + b_enc and the activation (JumpReLU). Reports the best of several
   timed runs after one warm-up. */
static int run_bench(const sae_args *a) {
    int64_t d = a->bench_d_in ? a->bench_d_in : 2304, ds = a->bench_d_sae ? a->bench_d_sae : 65536;
    int64_t n = a->bench_pos ? a->bench_pos : 64, i, reps;
    float *We = (float *)malloc((size_t)(d * ds) * 4), *Wd = (float *)malloc((size_t)(d * ds) * 4);
    float *be = (float *)calloc((size_t)ds, 4), *bd = (float *)calloc((size_t)d, 4), *th = (float *)calloc((size_t)ds, 4);
    float *x = (float *)malloc((size_t)(n * d) * 4), *post = (float *)malloc((size_t)(n * ds) * 4);
    hl_tensor tWe, tWd, tbe, tbd, tth;
    hl_sae_config c;
    hl_sae_params p;
    hl_sae *s = NULL;
    hl_error err;
    uint32_t r = 1;
    double best = 1e30, t0, t, cpu_best = 1e30;
    int nth;
    if (!We || !Wd || !be || !bd || !th || !x || !post) {
        fprintf(stderr, "hooklens sae --bench: out of memory\n");
        return 1;
    }
    for (i = 0; i < d * ds; i++) {
        r = r * 1664525u + 1013904223u;
        We[i] = Wd[i] = ((float)(r >> 9) / 8388608.0f - 0.5f) * 0.05f;
    }
    for (i = 0; i < n * d; i++) {
        r = r * 1664525u + 1013904223u;
        x[i] = (float)(r >> 9) / 8388608.0f - 0.5f;
    }
    for (i = 0; i < ds; i++) th[i] = 0.1f;
    memset(&tWe, 0, sizeof tWe);
    tWe.dtype = HL_DTYPE_F32;
    tWe.ndim = 2;
    tWd = tbe = tbd = tth = tWe;
    tWe.shape[0] = d; tWe.shape[1] = ds; tWe.data = We;
    tWd.shape[0] = ds; tWd.shape[1] = d; tWd.data = Wd;
    tbe.ndim = tth.ndim = tbd.ndim = 1;
    tbe.shape[0] = ds; tbe.data = be;
    tth.shape[0] = ds; tth.data = th;
    tbd.shape[0] = d; tbd.data = bd;
    memset(&c, 0, sizeof c);
    memset(&p, 0, sizeof p);
    c.arch = HL_SAE_JUMPRELU;
    p.W_enc = &tWe; p.W_dec = &tWd; p.b_enc = &tbe; p.b_dec = &tbd; p.threshold = &tth;
    if (hl_sae_create(&c, &p, a->threads, a->scalar ? HL_KERNELS_SCALAR : cli_kernels_from_env(), &s, &err) != HL_OK)
        return cli_error(&err);
    hl_sae_encode(s, x, n, NULL, post, &err); /* warm-up: page in the weights */
    reps = 0;
    t0 = sae_now();
    do {
        double t1 = sae_now(), c1 = sae_cpu();
        if (hl_sae_encode(s, x, n, NULL, post, &err) != HL_OK) { hl_sae_free(s); return cli_error(&err); }
        t = sae_now() - t1;
        if (t < best) best = t;
        if (sae_cpu() - c1 < cpu_best) cpu_best = sae_cpu() - c1;
        reps++;
    } while (reps < 3 || (sae_now() - t0 < 3.0 && reps < 20));
    nth = a->threads ? a->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    /* CPU time / threads: what the wall time would be on otherwise idle cores */
    printf("SAE encode d_in %lld x d_sae %lld (f32, %.0f MB W_enc), batch %lld positions, %d thread(s), %s kernels:\n"
           "  best of %lld: %.3f s per batch = %.1f tokens/s, %.1f GFLOP/s (wall)\n"
           "  idle-equivalent (CPU time / threads %.3f s): %.1f tokens/s, %.1f GFLOP/s\n",
           (long long)d, (long long)ds, (double)(d * ds) * 4 / 1e6, (long long)n, nth,
           hl_kernels_name(a->scalar ? HL_KERNELS_SCALAR : cli_kernels_from_env() != HL_KERNELS_DEFAULT ? cli_kernels_from_env() : hl_kernels_best()), (long long)reps, best, (double)n / best,
           2.0 * (double)n * (double)d * (double)ds / best / 1e9, cpu_best / nth, (double)n / (cpu_best / nth),
           2.0 * (double)n * (double)d * (double)ds / (cpu_best / nth) / 1e9);
    hl_sae_free(s);
    free(We); free(Wd); free(be); free(bd); free(th); free(x); free(post);
    return 0;
}

int cmd_sae(int argc, char **argv) {
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
    if ((rc = parse_sae_args(argc, argv, &a)) != 0) {
        free_sae_args(&a);
        return cli_usage("sae");
    }
    if (a.bench) {
        rc = run_bench(&a);
        goto done;
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
