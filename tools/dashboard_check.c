/* tools/dashboard_check.c - the scan dashboard in a real browser (part of make views-check).

   1. A scan of the bundled stories260K model with a small random SAE at blocks.2.hook_resid_post over
      a short story corpus (hl_scanrun), written as a site with the corpus contexts, the token strings
      and a one-line explanations file (hl_dashboard_write). Headless Chromium renders index.html and
      feature.html#3: no console message, the scripts ran (index: "showing N of N"; feature page:
      data-feature="3" and the explanation text), and a screenshot of the feature page is written.
   2. A 65,536-feature scan (random sparse activations) as a site without a corpus: its index must
      draw within 2 s of navigation start (data-page-ms, timed by the page itself), and the site must
      be 256 chunk files, not one per feature.
   usage: dashboard_check [--chromium CMD] [--out DIR] */
#define _XOPEN_SOURCE 700 /* realpath */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../hooklens.h"
#include "hooklens_tools.h"

#define DC_MAX_MS 2000.0

static int fail(const char *msg) {
    fprintf(stderr, "dashboard-check: %s\n", msg);
    return 1;
}

static char *read_all(FILE *f) {
    size_t cap = 1 << 16, n = 0, got;
    char *d = (char *)malloc(cap);
    while (d && (got = fread(d + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 4096) {
            char *e = (char *)realloc(d, cap * 2);
            if (!e) { free(d); return NULL; }
            d = e;
            cap *= 2;
        }
    }
    if (d) d[n] = 0;
    return d;
}

/* Renders file://dir/page and returns the DOM (NULL after an error, or when the console spoke). */
static char *render(const char *chromium, const char *dir, const char *page) {
    char cmd[9000], log[4200];
    FILE *fp;
    char *dom;
    snprintf(log, sizeof log, "%s/console.log", dir);
    snprintf(cmd, sizeof cmd, "%s --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --dump-dom 'file://%s/%s' 2>%s",
             chromium, dir, page, log);
    fp = popen(cmd, "r");
    dom = fp ? read_all(fp) : NULL;
    if (!fp || pclose(fp) != 0 || !dom) {
        fprintf(stderr, "dashboard-check: `%s` failed\n", cmd);
        free(dom);
        return NULL;
    }
    snprintf(cmd, sizeof cmd, "grep CONSOLE %s", log);
    if (system(cmd) == 0) {
        fprintf(stderr, "dashboard-check: console messages on %s\n", page);
        free(dom);
        return NULL;
    }
    return dom;
}

static double dom_number(const char *dom, const char *attr) {
    char key[64];
    const char *p;
    snprintf(key, sizeof key, " %s=\"", attr);
    p = strstr(dom, key);
    return p ? strtod(p + strlen(key), NULL) : -1.0;
}

/* A random standard SAE [d_in, 96] for the bundled model. */
static hl_sae *small_sae(int64_t di, hl_error *err) {
    const int64_t ds = 96;
    static float we[512 * 96], wd[96 * 512], be[96], bd[512];
    hl_sae_config sc;
    hl_sae_params sp;
    hl_tensor We, Wd, Be, Bd;
    hl_sae *s = NULL;
    int64_t i;
    if (di > 512) return NULL;
    for (i = 0; i < di * ds; i++) {
        we[i] = (float)((int)((i * 2654435761u) >> 20 & 1023) - 512) / 2048.0f;
        wd[i] = (float)((int)((i * 40503u + 7) >> 4 & 1023) - 512) / 4096.0f;
    }
    for (i = 0; i < ds; i++) be[i] = -0.05f * (float)(i % 5);
    memset(&sc, 0, sizeof sc), memset(&sp, 0, sizeof sp);
    memset(&We, 0, sizeof We), memset(&Wd, 0, sizeof Wd), memset(&Be, 0, sizeof Be), memset(&Bd, 0, sizeof Bd);
    sc.arch = HL_SAE_STANDARD, sc.d_in = di, sc.d_sae = ds, sc.hook_name = "blocks.2.hook_resid_post";
    We.dtype = Wd.dtype = Be.dtype = Bd.dtype = HL_DTYPE_F32;
    We.ndim = 2, We.shape[0] = di, We.shape[1] = ds, We.data = we;
    Wd.ndim = 2, Wd.shape[0] = ds, Wd.shape[1] = di, Wd.data = wd;
    Be.ndim = 1, Be.shape[0] = ds, Be.data = be;
    Bd.ndim = 1, Bd.shape[0] = di, Bd.data = bd;
    sp.W_enc = &We, sp.W_dec = &Wd, sp.b_enc = &Be, sp.b_dec = &Bd;
    if (hl_sae_create(&sc, &sp, 1, HL_KERNELS_DEFAULT, &s, err) != HL_OK) return NULL;
    return s;
}

int main(int argc, char **argv) {
    const char *chromium = "chromium", *out = "build/views";
    char dir[4096], site[4200], big[4200], path[4300], shot[4300], cmd[9000], *dom = NULL;
    hl_model_desc d;
    hl_model *m = NULL;
    hl_sae *sae = NULL;
    hl_corpus *c = NULL;
    hl_scan *s = NULL, *s2 = NULL;
    hl_scanrun_opts o;
    hl_scan_config sc;
    hl_dashboard_opts dopt;
    hl_explain_result *ex = NULL;
    hl_explain_query q;
    hl_error err;
    char **meta = NULL, *files[1], *expl[1];
    float *acts = NULL;
    int64_t w, i;
    double ms;
    FILE *fp;
    struct stat sb;
    int rc = 1;
    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--chromium") == 0) chromium = argv[i + 1];
        else if (strcmp(argv[i], "--out") == 0) out = argv[i + 1];
        else return fail("usage: dashboard_check [--chromium CMD] [--out DIR]");
    }
    if (i < argc) return fail("usage: dashboard_check [--chromium CMD] [--out DIR]");
    if (!realpath(out, dir)) return fail("the output folder does not exist");
    /* 1. the bundled model's site */
    snprintf(path, sizeof path, "%s/dash_corpus.txt", dir);
    if (!(fp = fopen(path, "w"))) return fail("cannot write the corpus");
    for (i = 0; i < 10; i++) fputs("Once upon a time there was a little girl named Lily. She liked to play in the park with her dog. ", fp);
    fclose(fp);
    files[0] = path;
    snprintf(shot, sizeof shot, "%s/dash_expl.jsonl", dir);
    if (!(fp = fopen(shot, "w"))) return fail("cannot write the explanations");
    fputs("{\"modelId\": \"stories260k\", \"layer\": \"2-test\", \"index\": \"3\", \"description\": \"little <girls> & dogs\"}\n", fp);
    fclose(fp);
    expl[0] = shot;
    memset(&d, 0, sizeof d);
    d.path = "examples/stories260K";
    memset(&q, 0, sizeof q);
    if (hl_model_load(&d, &m, &err) != HL_OK || !(sae = small_sae(hl_model_config(m)->d_model, &err)) ||
        hl_sae_attach(sae, m, NULL, 0, &err) != HL_OK || hl_corpus_load(m, (const char *const *)files, 1, &c, &err) != HL_OK ||
        hl_explain_search((const char *const *)expl, 1, &q, &ex, &err) != HL_OK) {
        fprintf(stderr, "dashboard-check: %s\n", err.msg);
        goto done;
    }
    memset(&o, 0, sizeof o);
    o.ctx = 32;
    if (hl_scanrun(m, sae, c, &o, &s, &meta, &err) != HL_OK) { fprintf(stderr, "dashboard-check: %s\n", err.msg); goto done; }
    memset(&dopt, 0, sizeof dopt);
    dopt.corpus = c, dopt.model = m, dopt.ctx = 32, dopt.explanations = ex, dopt.np_model = "stories260k", dopt.np_source = "2-test";
    snprintf(site, sizeof site, "%s/dashboard", dir);
    if (hl_dashboard_write(s, &dopt, site, &err) != HL_OK) { fprintf(stderr, "dashboard-check: %s\n", err.msg); goto done; }
    if (!(dom = render(chromium, site, "index.html"))) goto done;
    if (!strstr(dom, "showing 96 of 96 features") || !strstr(dom, "little &lt;girls&gt; &amp; dogs") || strstr(dom, "<girls>")) {
        fail("index.html: the table or the (escaped) explanation is missing");
        goto done;
    }
    printf("dashboard-check: index.html of %s: 96 features drawn in %.1f ms, no console messages\n", site, dom_number(dom, "data-page-ms"));
    free(dom);
    if (!(dom = render(chromium, site, "feature.html#3"))) goto done;
    if (dom_number(dom, "data-feature") != 3.0 || !strstr(dom, "Lily") || !strstr(dom, "neuronpedia.org/stories260k/2-test/3") ||
        !strstr(dom, "logit effects") || !strstr(dom, "interval samples")) {
        fail("feature.html#3: the page did not draw the feature (examples with tokens, interval samples, logit effects, the Neuronpedia link)");
        goto done;
    }
    free(dom), dom = NULL;
    snprintf(shot, sizeof shot, "%s/dashboard_feature3.png", dir);
    snprintf(cmd, sizeof cmd, "%s --headless --no-sandbox --disable-gpu --window-size=1000,900 --screenshot='%s' 'file://%s/feature.html#3' 2>/dev/null",
             chromium, shot, site);
    if (system(cmd) != 0 || stat(shot, &sb) != 0 || sb.st_size < 1000) { fail("no screenshot of feature.html#3"); goto done; }
    printf("dashboard-check: feature.html#3 ok (examples in context, histogram, logit effects, link); screenshot %s (%lld bytes)\n",
           shot, (long long)sb.st_size);
    /* 2. 65,536 features */
    memset(&sc, 0, sizeof sc);
    sc.d_sae = 65536, sc.top_k = 20;
    if (hl_scan_create(&sc, &s2, &err) != HL_OK || !(acts = (float *)calloc(65536, sizeof(float)))) goto done;
    for (w = 0; w < 300; w++) { /* 300 tokens, ~200 features each */
        uint32_t x = (uint32_t)w * 2654435761u + 1;
        memset(acts, 0, 65536 * sizeof(float));
        for (i = 0; i < 200; i++) {
            x = x * 1664525u + 1013904223u;
            acts[x >> 16] = (float)(x & 1023) / 100.0f;
        }
        if (hl_scan_add(s2, acts, 1, w, 1, &err) != HL_OK) { fprintf(stderr, "dashboard-check: %s\n", err.msg); goto done; }
    }
    snprintf(big, sizeof big, "%s/dashboard65k", dir);
    if (hl_dashboard_write(s2, NULL, big, &err) != HL_OK) { fprintf(stderr, "dashboard-check: %s\n", err.msg); goto done; }
    snprintf(path, sizeof path, "%s/data/chunk-255.js", big);
    if (stat(path, &sb) != 0) { fail("the 65,536-feature site has no data/chunk-255.js"); goto done; }
    snprintf(path, sizeof path, "%s/data/chunk-256.js", big);
    if (stat(path, &sb) == 0) { fail("the 65,536-feature site has more than 256 chunk files"); goto done; }
    if (!(dom = render(chromium, big, "index.html"))) goto done;
    ms = dom_number(dom, "data-page-ms");
    if (ms < 0 || dom_number(dom, "data-features") != 65536.0 || !strstr(dom, "showing 500 of 65536 features")) {
        fail("the 65,536-feature index did not draw");
        goto done;
    }
    printf("dashboard-check: the 65,536-feature index drew in %.1f ms from navigation start (limit %.0f ms; sort %.1f ms), 256 data files\n",
           ms, DC_MAX_MS, dom_number(dom, "data-draw-ms"));
    if (ms > DC_MAX_MS) { fail("the 65,536-feature index took longer than 2 s"); goto done; }
    free(dom), dom = NULL;
    if (!(dom = render(chromium, big, "feature.html#65535")) || dom_number(dom, "data-feature") != 65535.0) {
        fail("feature.html#65535 of the big site did not draw");
        goto done;
    }
    printf("dashboard-check: ok\n");
    rc = 0;
done:
    free(dom), free(acts);
    hl_free(meta);
    hl_explain_free(ex);
    hl_scan_free(s), hl_scan_free(s2);
    hl_corpus_free(c);
    hl_sae_free(sae);
    hl_model_free(m);
    return rc;
}
