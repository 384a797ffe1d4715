/* tools/cli/cmd_scan.c - scan and scan-merge: an SAE's feature statistics over a whole corpus
   (hl_scanrun, hl_scan), one process or shards merged, to DIR/features.safetensors. */
#include <sys/stat.h>
#include <errno.h>
#include "cli.h"

typedef struct scan_clock {
    double  t0;
    int64_t ctx;
} scan_clock;
/* "scan: 120 / 4000 windows, 512 tokens/s, 16m10s left" */
static void scan_progress(int64_t done, int64_t total, void *user) {
    const scan_clock *k = (const scan_clock *)user;
    const double dt = cli_now() - k->t0, rate = dt > 0 ? (double)(done * k->ctx) / dt : 0.0;
    const double left = done > 0 ? dt * (double)(total - done) / (double)done : 0.0;
    cli_progress("scan: %lld / %lld windows, %.0f tokens/s, %dm%02ds left", (long long)done, (long long)total, rate,
                 (int)(left / 60), (int)left % 60);
}

/* DIR/features.safetensors and DIR/metrics.json, with DIR made when missing. 0, or 1 after an error. */
static int scan_write(const char *dir, const hl_scan *s, char **meta) {
    char path[4096], *json = NULL;
    hl_error err;
    FILE *f;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "hooklens: cannot make %s: %s\n", dir, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof path, "%s/features.safetensors", dir);
    if (hl_scan_save(s, path, (const char *const *)meta, &err) != HL_OK) return cli_error(&err);
    printf("%s: %lld features\n", path, (long long)hl_scan_get_config(s)->d_sae);
    if (hl_scan_metrics_json(s, &json, &err) != HL_OK) return cli_error(&err);
    snprintf(path, sizeof path, "%s/metrics.json", dir);
    if (!(f = fopen(path, "wb")) || fputs(json, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "hooklens: cannot write %s\n", path);
        hl_free(json);
        return 1;
    }
    printf("%s: %s", path, json);
    hl_free(json);
    return 0;
}

/* corpus MODEL --corpus FILE... --out OUT.npy: the stream of hl_corpus_load as a 1-D .npy (numpy
   format 1.0: magic, version, header length, a dict padded with spaces to 64 bytes and ended by a
   newline, then the ids), uint16 when the vocabulary fits, else int32, little-endian. */
int cmd_corpus(const cli_args *c) {
    hl_model_desc md;
    hl_model *m = NULL;
    hl_corpus *corpus = NULL;
    hl_error err;
    const char *out = cli_str(c, CLI_OUT, NULL), **files = NULL;
    char head[128];
    int i, rc = 1, nf = c->n[CLI_CORPUS], u16;
    int64_t t;
    FILE *f = NULL;
    if (c->n_pos != 1 || !nf || !out) return cli_usage("corpus");
    if (!(files = (const char **)calloc((size_t)nf, sizeof *files))) return 1;
    for (i = 0; i < nf; i++) files[i] = cli_nth(c, CLI_CORPUS, i);
    memset(&md, 0, sizeof md);
    md.path = c->pos[0];
    if (hl_model_load(&md, &m, &err) != HL_OK || hl_corpus_load(m, files, (size_t)nf, &corpus, &err) != HL_OK) {
        rc = cli_error(&err);
        goto done;
    }
    u16 = hl_model_config(m)->d_vocab <= 65536;
    {
        int n = snprintf(head + 10, sizeof head - 10, "{'descr': '%s', 'fortran_order': False, 'shape': (%lld,), }",
                         u16 ? "<u2" : "<i4", (long long)corpus->n);
        int total = (10 + n + 1 + 63) / 64 * 64; /* magic .. newline, a multiple of 64 */
        memcpy(head, "\x93NUMPY\x01\x00", 8);
        head[8] = (char)((total - 10) & 0xff), head[9] = (char)((total - 10) >> 8);
        memset(head + 10 + n, ' ', (size_t)(total - 10 - n));
        head[total - 1] = '\n';
        if (!(f = fopen(out, "wb")) || fwrite(head, 1, (size_t)total, f) != (size_t)total) goto io;
    }
    for (t = 0; t < corpus->n; t++) {
        const uint32_t v = (uint32_t)hl_corpus_token(corpus, t);
        const unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
        if (fwrite(le, 1, u16 ? 2 : 4, f) != (u16 ? 2u : 4u)) goto io;
    }
    if (fclose(f) != 0) {
        f = NULL;
        goto io;
    }
    f = NULL;
    printf("%s: %lld tokens (%s), sha256 %s\n", out, (long long)corpus->n, u16 ? "uint16" : "int32", corpus->sha256);
    rc = 0;
    goto done;
io:
    fprintf(stderr, "hooklens corpus: cannot write %s: %s\n", out, strerror(errno));
done:
    if (f) fclose(f);
    hl_corpus_free(corpus);
    hl_model_free(m);
    free(files);
    return rc;
}

int cmd_scan(const cli_args *c) {
    hl_model_desc md;
    hl_sae_desc sd;
    hl_model *m = NULL;
    hl_sae *sae = NULL;
    hl_corpus *corpus = NULL;
    hl_scan *s = NULL;
    hl_scanrun_opts o;
    scan_clock timer;
    hl_error err;
    char **meta = NULL;
    const char **files = NULL, *out = cli_str(c, CLI_OUT, NULL), *shard = cli_str(c, CLI_SHARD, NULL);
    int rc = 0, i, nf = c->n[CLI_CORPUS];
    if (c->n_pos != 2 || !nf || !out) return cli_usage("scan");
    memset(&o, 0, sizeof o);
    o.ctx = cli_int(c, CLI_CTX, 128);
    timer.t0 = cli_now(), timer.ctx = o.ctx;
    o.top_k = cli_int(c, CLI_TOP_K, 20);
    o.ctx_radius = cli_int(c, CLI_CTX_RADIUS, 5);
    o.no_ce = c->n[CLI_NO_CE] > 0;
    o.use_error_term = c->n[CLI_ERROR_TERM] > 0;
    o.no_logits = c->n[CLI_NO_LOGITS] > 0;
    o.progress = scan_progress;
    o.user = &timer;
    if (shard) {
        long long si, sn;
        char tail;
        if (sscanf(shard, "%lld/%lld%c", &si, &sn, &tail) != 2 || sn < 1 || si < 0 || si >= sn) {
            fprintf(stderr, "hooklens scan: --shard %s: want i/n with 0 <= i < n\n", shard);
            return 2;
        }
        o.shard = si, o.n_shards = sn;
    }
    if (!(files = (const char **)calloc((size_t)nf, sizeof *files))) return 1;
    for (i = 0; i < nf; i++) files[i] = cli_nth(c, CLI_CORPUS, i);
    memset(&md, 0, sizeof md);
    md.path = c->pos[0];
    md.n_threads = (int)cli_int(c, CLI_THREADS, 0);
    md.kernels = cli_kernels_from_env();
    memset(&sd, 0, sizeof sd);
    sd.path = c->pos[1];
    sd.hook_name = cli_str(c, CLI_HOOK, NULL);
    sd.n_threads = md.n_threads;
    sd.kernels = md.kernels;
    if (hl_model_load(&md, &m, &err) != HL_OK || hl_sae_load(&sd, &sae, &err) != HL_OK ||
        hl_sae_attach(sae, m, sd.hook_name, 0, &err) != HL_OK || hl_corpus_load(m, files, (size_t)nf, &corpus, &err) != HL_OK ||
        hl_scanrun(m, sae, corpus, &o, &s, &meta, &err) != HL_OK) {
        cli_progress_end();
        rc = cli_error(&err);
        goto done;
    }
    cli_progress_end();
    rc = scan_write(out, s, meta);
done:
    hl_free(meta);
    hl_scan_free(s);
    hl_corpus_free(corpus);
    hl_sae_free(sae);
    hl_model_free(m);
    free(files);
    return rc;
}

int cmd_scan_merge(const cli_args *c) {
    hl_scan *s = NULL;
    hl_error err;
    char **meta = NULL, path[4096], **paths;
    const char *out = cli_str(c, CLI_OUT, NULL);
    int i, rc;
    if (c->n_pos < 1 || !out) return cli_usage("scan-merge");
    if (!(paths = (char **)calloc((size_t)c->n_pos, sizeof *paths))) return 1;
    for (i = 0; i < c->n_pos; i++) {
        snprintf(path, sizeof path, "%s/features.safetensors", c->pos[i]);
        if (!(paths[i] = strdup(path))) break;
    }
    if (i < c->n_pos) rc = 1;
    else if (hl_scan_merge_files((const char *const *)paths, (size_t)c->n_pos, &s, &meta, &err) != HL_OK) rc = cli_error(&err);
    else rc = scan_write(out, s, meta);
    for (i = 0; i < c->n_pos; i++) free(paths[i]);
    free(paths);
    hl_free(meta);
    hl_scan_free(s);
    return rc;
}

/* dashboard SCAN_DIR [MODEL] --out SITE: the static site of a scan (hl_dashboard_write). MODEL gives
   the token strings. The contexts are the scan's own (--ctx-radius); for a scan without them,
   --corpus (the scan's own, checked by its SHA-256) gives the examples' context tokens. */
int cmd_dashboard(const cli_args *c) {
    hl_model_desc md;
    hl_model *m = NULL;
    hl_corpus *corpus = NULL;
    hl_scan *s = NULL;
    hl_safetensors *st = NULL;
    hl_explain_result *ex = NULL;
    hl_dashboard_opts o;
    hl_error err;
    char path[4096], *slash;
    hl_sae_entry entry;
    const char **files = NULL, *out = cli_str(c, CLI_OUT, NULL), *expl = cli_str(c, CLI_EXPLANATIONS, NULL), *v;
    int rc = 0, i, nf = c->n[CLI_CORPUS];
    if (c->n_pos < 1 || !out || (nf && c->n_pos < 2)) return cli_usage("dashboard");
    memset(&o, 0, sizeof o);
    snprintf(path, sizeof path, "%s/features.safetensors", c->pos[0]);
    if (hl_scan_load(path, &s, &err) != HL_OK || hl_safetensors_open(path, &st, &err) != HL_OK) { rc = cli_error(&err); goto done; }
    o.ctx = (v = hl_safetensors_metadata(st, "ctx")) ? strtoll(v, NULL, 10) : 0;
    if (c->n_pos > 1) {
        memset(&md, 0, sizeof md);
        md.path = c->pos[1];
        md.n_threads = 1;
        if (hl_model_load(&md, &m, &err) != HL_OK) { rc = cli_error(&err); goto done; }
        o.model = m;
    }
    if (nf) {
        if (!(files = (const char **)calloc((size_t)nf, sizeof *files))) { rc = 1; goto done; }
        for (i = 0; i < nf; i++) files[i] = cli_nth(c, CLI_CORPUS, i);
        if (hl_corpus_load(m, files, (size_t)nf, &corpus, &err) != HL_OK) { rc = cli_error(&err); goto done; }
        v = hl_safetensors_metadata(st, "corpus");
        if (!v || strcmp(v, corpus->sha256) != 0) {
            fprintf(stderr, "hooklens dashboard: the corpus (sha256 %s) is not the scan's (%s)\n", corpus->sha256, v ? v : "none recorded");
            rc = 1;
            goto done;
        }
        o.corpus = corpus;
    }
    if (expl) {
        hl_explain_query q;
        memset(&q, 0, sizeof q);
        if (hl_explain_search(&expl, 1, &q, &ex, &err) != HL_OK) { rc = cli_error(&err); goto done; }
        o.explanations = ex;
    }
    o.np_model = cli_str(c, CLI_MODEL, NULL);
    o.np_source = cli_str(c, CLI_SAE_ID, NULL);
    if (c->n[CLI_RELEASE]) { /* a known release: --sae-id is its SAELens id, the Neuronpedia ids come from the directory */
        const hl_sae_release *r = hl_sae_release_find(cli_str(c, CLI_RELEASE, ""));
        if (!r || !o.np_source) {
            fprintf(stderr, "hooklens dashboard: %s (hooklens saes list); --release needs --sae-id\n",
                    r ? "--sae-id is missing" : "no such release");
            rc = 2;
            goto done;
        }
        if (hl_sae_lookup(r, o.np_source, &entry, &err) != HL_OK) { rc = cli_error(&err); goto done; }
        if (!entry.neuronpedia[0] || !(slash = strchr(entry.neuronpedia, '/'))) {
            fprintf(stderr, "hooklens dashboard: the directory knows no Neuronpedia id for %s %s (no link)\n", r->release, o.np_source);
            o.np_model = o.np_source = NULL;
        } else {
            *slash = 0;
            o.np_model = entry.neuronpedia, o.np_source = slash + 1;
        }
    }
    if (hl_dashboard_write(s, &o, out, &err) != HL_OK) { rc = cli_error(&err); goto done; }
    printf("%s/index.html: %lld features\n", out, (long long)hl_scan_get_config(s)->d_sae);
done:
    hl_explain_free(ex);
    hl_safetensors_close(st);
    hl_corpus_free(corpus);
    hl_scan_free(s);
    hl_model_free(m);
    free(files);
    return rc;
}
