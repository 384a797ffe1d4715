/* tools/cli/cmd_model.c - run, generate, test-prompt, and the TL-style config printout of `info` */
#include "cli.h"

/* Options shared by the model commands (from the one parser, cli_parse). */
typedef struct model_args {
    const char  *model, *prompt, *tokens, *cache, *answer;
    int64_t      max_new, top_k;
    double       temperature, top_p, freq_penalty;
    uint64_t     seed;
    int          ids, threads, no_bos, no_space, no_processing;
    int          default_model; /* MODEL not given: the bundled one */
    unsigned     use;  /* HL_USE_* from --use-attn-result, --use-split-qkv-input, --use-attn-in, --use-hook-mlp-in */
} model_args;

/* The optional hook points' switches (TL's use_* flags) and the points each one turns on. */
static const struct { cli_opt option; const char *tl; unsigned flag; hl_hook points[3]; } use_opts[4] = {
    {CLI_USE_ATTN_RESULT, "use_attn_result", HL_USE_ATTN_RESULT, {HL_HOOK_ATTN_RESULT, HL_HOOK_ATTN_RESULT, HL_HOOK_ATTN_RESULT}},
    {CLI_USE_SPLIT_QKV_INPUT, "use_split_qkv_input", HL_USE_SPLIT_QKV_INPUT, {HL_HOOK_Q_INPUT, HL_HOOK_K_INPUT, HL_HOOK_V_INPUT}},
    {CLI_USE_ATTN_IN, "use_attn_in", HL_USE_ATTN_IN, {HL_HOOK_ATTN_IN, HL_HOOK_ATTN_IN, HL_HOOK_ATTN_IN}},
    {CLI_USE_HOOK_MLP_IN, "use_hook_mlp_in", HL_USE_HOOK_MLP_IN, {HL_HOOK_MLP_IN, HL_HOOK_MLP_IN, HL_HOOK_MLP_IN}},
};

/* MODEL is the positional argument or the bundled default; the defaults are TL's. */
static void model_args_from(const cli_args *c, model_args *a) {
    int k;
    memset(a, 0, sizeof *a);
    a->model = c->n_pos ? c->pos[0] : NULL;
    a->prompt = cli_str(c, CLI_PROMPT, NULL);
    a->tokens = cli_str(c, CLI_TOKENS, NULL);
    a->cache = cli_str(c, CLI_CACHE, NULL);
    a->answer = cli_str(c, CLI_ANSWER, NULL);
    a->max_new = cli_int(c, CLI_MAX_NEW_TOKENS, 10);     /* TL generate: max_new_tokens=10 */
    a->temperature = cli_num(c, CLI_TEMPERATURE, 1.0);   /* temperature=1.0 (sampling) */
    a->top_k = cli_int(c, CLI_TOP_K, 0);
    a->top_p = cli_num(c, CLI_TOP_P, 0.0);
    a->freq_penalty = cli_num(c, CLI_FREQ_PENALTY, 0.0);
    a->seed = (uint64_t)cli_int(c, CLI_SEED, 0);
    a->threads = (int)cli_int(c, CLI_THREADS, 0);
    a->ids = c->n[CLI_IDS] > 0;
    a->no_bos = c->n[CLI_NO_BOS] > 0;
    a->no_space = c->n[CLI_NO_PREPEND_SPACE] > 0;   /* test-prompt: TL's prepend_space_to_answer=False */
    a->no_processing = c->n[CLI_NO_PROCESSING] > 0; /* TL's from_pretrained_no_processing */
    for (k = 0; k < 4; k++)
        if (c->n[use_opts[k].option]) a->use |= use_opts[k].flag;
    if (!a->model) {
        a->model = cli_default_model();
        a->default_model = 1;
    }
}

/* Progress of a forward pass: a hook on every block's output reports the layer (cli_progress: only
   on a terminal, after a second); `writing` names the file the cache goes to once the last layer ran. */
typedef struct progress {
    int64_t     n_layers;
    const char *writing;
} progress;
static hl_status progress_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    progress *p = (progress *)user;
    (void)act;
    if (p->writing && info->layer + 1 == p->n_layers) { /* a new phase: drawn now, not rate-limited */
        cli_progress_end();
        cli_progress("[forward done; writing %s]", p->writing);
    }
    else cli_progress("[forward: layer %lld/%lld]", (long long)info->layer + 1, (long long)p->n_layers);
    return HL_OK;
}
static void progress_start(hl_model *m, progress *p, const char *writing) {
    memset(p, 0, sizeof *p);
    p->n_layers = hl_model_config(m)->n_layers;
    p->writing = writing;
    if (cli_stderr_is_tty()) hl_model_add_hook(m, "blocks.*.hook_resid_post", progress_hook, p, NULL, NULL);
}
static void progress_end(const progress *p) {
    (void)p;
    cli_progress_end();
}

static int load_model(const model_args *a, hl_model **m) {
    hl_model_desc d;
    hl_error err;
    double t0 = cli_now();
    memset(&d, 0, sizeof d);
    d.path = a->model;
    d.n_threads = a->threads;
    d.kernels = cli_kernels_from_env();
    d.no_processing = a->no_processing;
    if (hl_model_load(&d, m, &err) != HL_OK) {
        if (a->default_model && err.status == HL_ERR_IO) {
            cli_default_model_tried(stderr);
            return 1;
        }
        return cli_error(&err);
    }
    hl_model_set_flags(*m, a->use);
    if (cli_stderr_is_tty() && cli_now() - t0 > 1.0)
        fprintf(stderr, "loaded %s in %.1f s\n", a->model, cli_now() - t0);
    return 0;
}

/* Token ids from --tokens "1 2 3" or --prompt TEXT (tokenized, BOS unless --no-bos). */
static int get_tokens(const model_args *a, hl_model *m, int32_t **ids, int64_t *n) {
    hl_error err;
    if (a->tokens) return cli_parse_ids(a->tokens, hl_model_config(m)->d_vocab, ids, n);
    if (a->prompt) {
        int32_t *t = NULL;
        if (hl_model_to_tokens(m, a->prompt, a->no_bos ? 0 : -1, &t, n, &err) != HL_OK) return cli_error(&err);
        *ids = (int32_t *)malloc((size_t)(*n > 0 ? *n : 1) * sizeof(int32_t));
        if (!*ids) { hl_free(t); return 1; }
        if (*n) memcpy(*ids, t, (size_t)*n * sizeof(int32_t));
        hl_free(t);
        if (*n == 0) {
            fprintf(stderr, "hooklens: the prompt has no tokens\n");
            free(*ids);
            return 1;
        }
        return 0;
    }
    fprintf(stderr, "hooklens: give --prompt TEXT or --tokens \"ID ID ...\"\n");
    return 2;
}

int cmd_run(const cli_args *c) {
    model_args a;
    hl_model *m = NULL;
    int32_t *ids = NULL;
    int64_t n = 0;
    hl_names_filter f;
    hl_error err;
    size_t saved = 0;
    const char **names = NULL;
    int rc;
    double t0;
    progress pg;
    hl_status st;
    model_args_from(c, &a);
    if (!a.cache) {
        fprintf(stderr, "hooklens run: --cache OUT.safetensors is missing\n");
        return cli_usage("run");
    }
    if ((rc = load_model(&a, &m)) != 0) goto done;
    if ((rc = get_tokens(&a, m, &ids, &n)) != 0) goto done;
    memset(&f, 0, sizeof f);
    if (c->n[CLI_NAMES]) {
        size_t i;
        if (!(names = (const char **)calloc((size_t)c->n[CLI_NAMES], sizeof *names))) { rc = 1; goto done; }
        for (i = 0; i < (size_t)c->n[CLI_NAMES]; i++) names[i] = cli_nth(c, CLI_NAMES, (int)i);
        f.names = names;
        f.n_names = (size_t)c->n[CLI_NAMES];
        /* every --names must match a point of this model; an optional point needs its switch */
        for (i = 0; i < f.n_names; i++) {
            hl_hook id;
            int64_t layer;
            int k, j;
            if (hl_model_check_name(m, names[i], &err) != HL_OK) { rc = cli_error(&err); goto done; }
            if (hl_hook_parse(names[i], &id, &layer, NULL) != HL_OK) continue;
            for (k = 0; k < 4; k++)
                for (j = 0; j < 3; j++)
                    if (use_opts[k].points[j] == id && !(a.use & use_opts[k].flag)) {
                        fprintf(stderr, "hooklens run: %s fires only with %s (TransformerLens: %s)\n", names[i],
                                cli_opt_name(use_opts[k].option), use_opts[k].tl);
                        rc = 1;
                        goto done;
                    }
        }
    }
    t0 = cli_now();
    progress_start(m, &pg, a.cache);
    {
        const char *meta[3] = {"prompt", a.prompt, NULL};
        st = hl_model_save_activations(m, ids, n, &f, a.cache, a.prompt ? meta : NULL, &saved, &err);
    }
    progress_end(&pg);
    if (st != HL_OK) {
        rc = cli_error(&err);
        goto done;
    }
    printf("wrote %zu tensors (%zu hooks + logits + tokens) for %lld tokens to %s\n", saved, saved - 2, (long long)n, a.cache);
    if (cli_stderr_is_tty() && cli_now() - t0 > 1.0) fprintf(stderr, "forward pass: %.1f s\n", cli_now() - t0);
done:
    free(ids);
    free((void *)names);
    hl_model_free(m);
    return rc;
}

/* Streams the continuation: decodes all new tokens so far and prints the new suffix. */
typedef struct gen_state {
    hl_model *m;
    int32_t  *gen, *vis;
    const int32_t *prompt;
    int64_t   n_prompt;
    int64_t   n_gen, cap, max_new;
    size_t    printed;
    int       ids, tty;
    double    t0;
} gen_state;

static int on_token(int32_t tok, int64_t index, void *user) {
    gen_state *g = (gen_state *)user;
    if (g->n_gen < g->cap) g->gen[g->n_gen++] = tok;
    if (g->ids) {
        printf(" %d", tok);
        (void)index;
    } else {
        /* decode without special tokens (TL decodes with skip_special_tokens=True) */
        const hl_model_cfg *c = hl_model_config(g->m);
        char *text = NULL;
        size_t len = 0;
        int64_t k, nk = 0;
        /* prompt + new tokens, so that a leading space of the first new token survives the
           SentencePiece decoder's strip; print what lies beyond the text printed so far */
        for (k = 0; k < g->n_prompt + g->n_gen; k++) {
            int32_t t = k < g->n_prompt ? g->prompt[k] : g->gen[k - g->n_prompt];
            if (t != c->bos_id && t != c->eos_id && t != c->pad_id) g->vis[nk++] = t;
        }
        if (hl_model_to_string(g->m, g->vis, nk, &text, NULL) == HL_OK) {
            len = strlen(text);
            if (len > g->printed) {
                fwrite(text + g->printed, 1, len - g->printed, stdout);
                g->printed = len;
            }
            hl_free(text);
        }
    }
    fflush(stdout);
    /* no status line while the text streams: on a terminal stderr shares the row, and redrawing a
       status there would erase the text (the rate is printed on its own line at the end) */
    return 0;
}

int cmd_generate(const cli_args *c) {
    model_args a;
    hl_model *m = NULL;
    int32_t *ids = NULL, *out = NULL;
    int64_t n = 0, n_out = 0;
    hl_generate_opts go;
    gen_state g;
    hl_error err;
    int rc;
    memset(&g, 0, sizeof g);
    model_args_from(c, &a); /* TL generate's defaults: max_new_tokens 10, temperature 1.0 (sampling), stop_at_eos */
    if ((rc = load_model(&a, &m)) != 0) goto done;
    if ((rc = get_tokens(&a, m, &ids, &n)) != 0) goto done;
    g.m = m;
    g.ids = a.ids || !hl_model_tokenizer(m);
    g.tty = cli_stderr_is_tty();
    g.max_new = a.max_new;
    g.cap = a.max_new;
    g.gen = (int32_t *)malloc((size_t)a.max_new * sizeof(int32_t));
    g.vis = (int32_t *)malloc((size_t)(a.max_new + n) * sizeof(int32_t));
    if (!g.gen || !g.vis) { rc = 1; goto done; }
    g.prompt = ids;
    g.n_prompt = n;
    if (!g.ids) { /* the prompt is echoed first (TL generate(verbose=True), llama.cpp), then the text grows */
        const hl_model_cfg *cfg = hl_model_config(m);
        char *text = NULL;
        int64_t k, nk = 0;
        for (k = 0; k < n; k++)
            if (ids[k] != cfg->bos_id && ids[k] != cfg->eos_id && ids[k] != cfg->pad_id) g.vis[nk++] = ids[k];
        if (hl_model_to_string(m, g.vis, nk, &text, &err) != HL_OK) { rc = cli_error(&err); goto done; }
        g.printed = strlen(text);
        fwrite(text, 1, g.printed, stdout);
        hl_free(text);
    } else { /* ids: the prompt's, then " |" and the new ones */
        int64_t k;
        for (k = 0; k < n; k++) printf("%s%d", k ? " " : "", ids[k]);
        printf(" |");
    }
    memset(&go, 0, sizeof go);
    go.max_new_tokens = a.max_new;
    go.temperature = (float)a.temperature;
    go.top_k = a.top_k;
    go.top_p = (float)a.top_p;
    go.freq_penalty = (float)a.freq_penalty;
    go.seed = a.seed;
    go.on_token = on_token;
    go.user = &g;
    g.t0 = cli_now();
    if (hl_model_generate(m, ids, n, &go, &out, &n_out, &err) != HL_OK) {
        printf("\n");
        rc = cli_error(&err);
        goto done;
    }
    printf("\n");
    fflush(stdout);
    if (n_out - n < a.max_new && out[n_out - 1] != hl_model_config(m)->eos_id) /* the library stops at n_ctx */
        fprintf(stderr, "hooklens generate: stopped after %lld of %lld tokens: the context is full (n_ctx %lld)\n",
                (long long)(n_out - n), (long long)a.max_new, (long long)hl_model_config(m)->n_ctx);
    if (g.tty && cli_now() - g.t0 > 1.0) /* on its own line, after the text */
        fprintf(stderr, "%lld tokens in %.1f s (%.1f tok/s)\n", (long long)(n_out - n), cli_now() - g.t0,
                (double)(n_out - n) / (cli_now() - g.t0));
done:
    free(g.gen);
    free(g.vis);
    free(ids);
    hl_free(out);
    hl_model_free(m);
    return rc;
}

int cmd_test_prompt(const cli_args *c) {
    model_args a;
    hl_model *m = NULL;
    char *report = NULL;
    hl_error err;
    int rc;
    progress pg;
    hl_status st;
    model_args_from(c, &a);
    if (!a.prompt || !a.answer) {
        fprintf(stderr, "hooklens test-prompt: %s is missing\n", !a.prompt ? "--prompt TEXT" : "--answer TEXT");
        return cli_usage("test-prompt");
    }
    a.top_k = cli_int(c, CLI_TOP_K, 10); /* TL test_prompt: top_k=10 */
    if ((rc = load_model(&a, &m)) != 0) goto done;
    progress_start(m, &pg, NULL);
    st = hl_model_test_prompt(m, a.prompt, a.answer, a.top_k, a.no_space, &report, &err);
    progress_end(&pg);
    if (st != HL_OK) {
        rc = cli_error(&err);
        goto done;
    }
    fputs(report, stdout);
done:
    hl_free(report);
    hl_model_free(m);
    return rc;
}

/* A float the way Python prints it: shortest text that reads back to the same float32, with
   ".0" on integral values (4.0, 1e-06, 2.828427). Returns a static buffer. */
static const char *py_float(float v) {
    static char buf[4][40];
    static int slot;
    char *b = buf[slot++ & 3];
    int prec;
    if (v == (float)(long long)v && v > -1e16f && v < 1e16f) {
        snprintf(b, 40, "%.1f", (double)v);
        return b;
    }
    for (prec = 1; prec < 17; prec++) {
        snprintf(b, 40, "%.*g", prec, (double)v);
        if ((float)strtod(b, NULL) == v) break;
    }
    if (!strpbrk(b, ".en")) strcat(b, ".0");
    return b;
}

/* Prints the config the way TransformerLens's HookedTransformerConfig would (pprint of the
   fields that matter for these architectures, sorted by key). */
int cli_print_model_cfg(const char *dir) {
    hl_model_desc d;
    hl_model *m;
    hl_error err;
    const hl_model_cfg *c;
    const char *act;
    int64_t l;
    int ln;
    memset(&d, 0, sizeof d);
    d.path = dir;
    d.n_threads = 1;
    d.no_tokenizer = 1;
    if (hl_model_load(&d, &m, &err) != HL_OK) {
        if (err.status != HL_ERR_UNSUPPORTED) return cli_error(&err);
        /* a folder of a model hooklens cannot run is still a folder of tensors to inspect */
        printf("# no HookedTransformerConfig: %s\n", err.msg);
        return 0;
    }
    c = hl_model_config(m);
    ln = c->norm == HL_NORM_LN;
    /* TL's names: the tanh GELU is "gelu_new" for the GPT families, "gelu_pytorch_tanh" for Gemma */
    switch (c->act) {
    case HL_ACT_GELU_TANH: act = ln ? "gelu_new" : "gelu_pytorch_tanh"; break;
    case HL_ACT_SILU: act = "silu"; break;
    case HL_ACT_GELU: act = "gelu"; break;
    default: act = "relu"; break;
    }
    printf("HookedTransformerConfig:\n");
    printf("{'act_fn': '%s',\n", act);
    printf(" 'attn_scale': %s,\n", py_float(c->attn_scale));
    if (c->attn_softcap > 0) printf(" 'attn_scores_soft_cap': %s,\n", py_float(c->attn_softcap));
    if (c->window > 0) {
        printf(" 'attn_types': [");
        for (l = 0; l < c->n_layers; l++) printf("%s'%s'", l ? ", " : "", hl_model_layer_is_local(m, l) ? "local" : "global");
        printf("],\n");
    }
    printf(" 'd_head': %lld,\n", (long long)c->d_head);
    printf(" 'd_mlp': %lld,\n", (long long)c->d_mlp);
    printf(" 'd_model': %lld,\n", (long long)c->d_model);
    printf(" 'd_vocab': %lld,\n", (long long)c->d_vocab);
    printf(" 'default_prepend_bos': %s,\n", c->default_prepend_bos ? "True" : "False");
    printf(" 'eps': %s,\n", py_float(c->eps));
    printf(" 'final_rms': %s,\n", ln ? "False" : "True");
    printf(" 'gated_mlp': %s,\n", c->gated ? "True" : "False");
    printf(" 'n_ctx': %lld,\n", (long long)c->n_ctx);
    printf(" 'n_heads': %lld,\n", (long long)c->n_heads);
    printf(" 'n_key_value_heads': %lld,\n", (long long)c->n_kv_heads);
    printf(" 'n_layers': %lld,\n", (long long)c->n_layers);
    /* fold_ln turns the norms into TL's LNPre / RMSPre (normalize only) */
    printf(" 'normalization_type': '%s%s',\n", ln ? "LN" : "RMS", (c->processing & HL_PROC_FOLD_LN) ? "Pre" : "");
    printf(" 'original_architecture': '%s',\n", c->architecture);
    if (c->final_softcap > 0) printf(" 'output_logits_soft_cap': %s,\n", py_float(c->final_softcap));
    printf(" 'parallel_attn_mlp': %s,\n", c->parallel ? "True" : "False");
    printf(" 'positional_embedding_type': '%s',\n", c->rotary_dim > 0 ? "rotary" : "standard");
    if (c->rotary_dim > 0) {
        printf(" 'rotary_adjacent_pairs': False,\n");
        printf(" 'rotary_base': %s,\n", py_float(c->rope_theta));
        printf(" 'rotary_dim': %lld,\n", (long long)c->rotary_dim);
    }
    printf(" 'use_attn_scale': %s,\n", c->attn_scale != 1.0f ? "True" : "False");
    printf(" 'use_local_attn': %s,\n", c->window > 0 ? "True" : "False");
    printf(" 'use_normalization_before_and_after': %s,\n", c->post_norms ? "True" : "False");
    if (c->window > 0) printf(" 'window_size': %lld}\n", (long long)c->window);
    else printf(" 'window_size': None}\n");
    printf("# from_pretrained weight processing: fold_ln=%s, center_writing_weights=%s, center_unembed=%s, "
           "fold_value_biases=%s%s\n",
           (c->processing & HL_PROC_FOLD_LN) ? "True" : "False",
           (c->processing & HL_PROC_CENTER_WRITING_WEIGHTS) ? "True" : "False",
           (c->processing & HL_PROC_CENTER_UNEMBED) ? "True" : "False",
           (c->processing & HL_PROC_FOLD_VALUE_BIASES) ? "True" : "False",
           c->processing ? "" : " (--no-processing: Hugging Face's raw numbers)");
    printf("# weights: %s, unembedding %s\n", hl_dtype_name(c->weight_dtype), c->tied ? "tied to the embedding" : "its own matrix");
    hl_model_free(m);
    return 0;
}
