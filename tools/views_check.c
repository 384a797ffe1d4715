/* tools/views_check.c - the attention view at scale, in a real browser (make views-check).

   Builds the attention view of a 512-token prompt on the bundled stories260K model (8 heads, n_ctx
   512: the largest page that model can give), checks that the page is at most 5 MB, renders it in
   headless Chromium and reads back what the page's script recorded on <body> once it had drawn
   everything (see hl_view_attention_html):
     data-page-ms      performance.now() at the end of drawing: milliseconds since navigation
                       start, i.e. loading and parsing the page, decoding the patterns and
                       drawing every head (not Chromium's own start-up)
     data-draw-ms      the script alone (decode and draw)
     data-drawn-cells  entries with p > 0 over all heads
   and fails when the page is too large, data-page-ms is over 3000, the markers are missing (the
   script failed before the end), the drawn cells differ from the pattern's own count, the hovered
   cell's value (#head=H&cell=Q,K) differs from the pattern, or the browser printed a console message.

   usage: views_check [--chromium CMD] [--model DIR] [--out DIR] */
#define _XOPEN_SOURCE 700 /* realpath */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../hooklens.h"
#include "hooklens_tools.h"

#define VC_TOKENS   512
#define VC_LAYER    2
#define VC_MAX_SIZE 5000000L /* bytes */
#define VC_MAX_MS   3000.0

static int fail(const char *msg) {
    fprintf(stderr, "views-check: %s\n", msg);
    return 1;
}

/* The number after `attr="` in the dumped DOM, or -1. */
static double dom_number(const char *dom, const char *attr) {
    char key[64];
    const char *p;
    snprintf(key, sizeof key, " %s=\"", attr);
    p = strstr(dom, key);
    return p ? strtod(p + strlen(key), NULL) : -1.0;
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

int main(int argc, char **argv) {
    const char *chromium = "chromium", *model = "examples/stories260K", *out = "build/views";
    const char *story = "Once upon a time, there was a little girl named Lily. She loved to play "
                        "outside in the sun. One day, she saw a big red ball in the park. ";
    char text[8192], path[4200], dir[4096], cmd[12288], name[64], *html = NULL, *dom = NULL, want[64];
    const char *names[1];
    hl_model_desc d;
    hl_model *m = NULL;
    hl_cache *cache = NULL;
    hl_names_filter f;
    hl_attention_view v;
    hl_error err;
    const hl_tensor *pat;
    const char *const *strs;
    char **str_tokens = NULL;
    int32_t *ids = NULL;
    int64_t n = 0, i, lit = 0, hq = 300, hk = 298;
    size_t len = 0;
    double t0, page_ms, draw_ms, cells;
    FILE *fp;
    int rc = 1, h = 3;
    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--chromium") == 0) chromium = argv[i + 1];
        else if (strcmp(argv[i], "--model") == 0) model = argv[i + 1];
        else if (strcmp(argv[i], "--out") == 0) out = argv[i + 1];
        else return fail("usage: views_check [--chromium CMD] [--model DIR] [--out DIR]");
    }
    if (i < argc) return fail("usage: views_check [--chromium CMD] [--model DIR] [--out DIR]");
    /* a story repeated until it is longer than 512 tokens, cut to BOS + 511 */
    text[0] = 0;
    while (strlen(text) + strlen(story) < sizeof text) strcat(text, story);
    memset(&d, 0, sizeof d);
    d.path = model;
    if (hl_model_load(&d, &m, &err) != HL_OK ||
        hl_model_to_tokens(m, text, -1, &ids, &n, &err) != HL_OK) {
        fprintf(stderr, "views-check: %s\n", err.msg);
        goto done;
    }
    if (n < VC_TOKENS) { fail("the text gives fewer than 512 tokens"); goto done; }
    n = VC_TOKENS;
    hl_hook_name(HL_HOOK_ATTN_PATTERN, VC_LAYER, name, sizeof name);
    names[0] = name;
    memset(&f, 0, sizeof f);
    f.names = names;
    f.n_names = 1;
    if (hl_cache_create(&cache, &err) != HL_OK ||
        hl_model_run_with_cache(m, ids, n, &f, cache, NULL, &err) != HL_OK ||
        hl_model_to_str_tokens(m, ids, n, &str_tokens, &err) != HL_OK) {
        fprintf(stderr, "views-check: %s\n", err.msg);
        goto done;
    }
    pat = hl_cache_get(cache, name);
    if (!pat || pat->ndim != 4 || pat->shape[2] != n || pat->shape[3] != n) {
        fail("no [1, heads, 512, 512] pattern captured");
        goto done;
    }
    strs = (const char *const *)str_tokens;
    memset(&v, 0, sizeof v);
    v.layer = VC_LAYER;
    v.n_tokens = n;
    v.tokens = strs;
    v.n_heads = (int)pat->shape[1];
    v.pattern = (const float *)pat->data;
    t0 = (double)clock() / CLOCKS_PER_SEC;
    if (hl_view_attention_html(&v, &html, &len, &err) != HL_OK) {
        fprintf(stderr, "views-check: %s\n", err.msg);
        goto done;
    }
    printf("views-check: attention view of %d heads x %lld tokens (layer %d of %s): %zu bytes "
           "(limit %ld), built in %.3f s CPU\n", v.n_heads, (long long)n, VC_LAYER, model, len,
           VC_MAX_SIZE, (double)clock() / CLOCKS_PER_SEC - t0);
    if ((long)len > VC_MAX_SIZE) { fail("the page is larger than the limit"); goto done; }
    /* what the page must report: cells that round to a nonzero code, and the hovered value */
    for (i = 0; i < v.n_heads * n * n; i++) lit += (double)v.pattern[i] * 65534.0 + 0.5 >= 1.0;
    if (!realpath(out, dir)) { fail("the output folder does not exist"); goto done; }
    snprintf(path, sizeof path, "%s/attention512.html", dir);
    fp = fopen(path, "wb");
    if (!fp || fwrite(html, 1, len, fp) != len || fclose(fp) != 0) {
        fail("cannot write the page");
        goto done;
    }
    /* --virtual-time-budget lets the page finish before the DOM is dumped */
    snprintf(cmd, sizeof cmd, "%s --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 "
             "--dump-dom 'file://%s#head=%d&cell=%lld,%lld' 2>%s/console512.log", chromium, path,
             h, (long long)hq, (long long)hk, dir);
    fp = popen(cmd, "r");
    dom = fp ? read_all(fp) : NULL;
    if (!fp || pclose(fp) != 0 || !dom) {
        fprintf(stderr, "views-check: `%s` failed\n", cmd);
        goto done;
    }
    page_ms = dom_number(dom, "data-page-ms");
    draw_ms = dom_number(dom, "data-draw-ms");
    cells = dom_number(dom, "data-drawn-cells");
    if (page_ms < 0 || draw_ms < 0 || cells < 0) {
        fail("the page's script did not finish drawing (no data-page-ms on <body>)");
        goto done;
    }
    printf("views-check: rendered in %s: %.1f ms from navigation start to drawn (script %.1f ms), "
           "%.0f cells drawn (expected %lld), limit %.0f ms\n", chromium, page_ms, draw_ms, cells,
           (long long)lit, VC_MAX_MS);
    if ((int64_t)cells != lit) { fail("the page drew a different number of cells"); goto done; }
    {
        /* the value the page decodes: the 16-bit code over 65534 */
        double p = (double)v.pattern[((int64_t)h * n + hq) * n + hk];
        snprintf(want, sizeof want, "p = %.4f", (double)(long)(p * 65534.0 + 0.5) / 65534.0);
        if (!strstr(dom, want)) {
            fprintf(stderr, "views-check: the hovered cell (head %d, query %lld, key %lld) does not "
                    "show \"%s\"\n", h, (long long)hq, (long long)hk, want);
            goto done;
        }
    }
    snprintf(cmd, sizeof cmd, "grep CONSOLE %s/console512.log", dir);
    if (system(cmd) == 0) { fail("the browser printed console messages (see console512.log)"); goto done; }
    if (page_ms > VC_MAX_MS) {
        fprintf(stderr, "views-check: the page took %.1f ms to draw, over %.0f ms\n", page_ms, VC_MAX_MS);
        goto done;
    }
    printf("views-check: %s ok\n", path);
    rc = 0;
done:
    free(dom);
    hl_free(html);
    hl_free(str_tokens);
    hl_free(ids);
    hl_cache_free(cache);
    hl_model_free(m);
    return rc;
}
