/* tests/test_cli_analysis.c - the analysis commands of the CLI (tools/cli/cmd_analysis.c): `hooklens
   lens`, `attribute`, `patch` and `heads`, run as the built binary (build/hooklens, from the
   repository root) on the fixture models with the tokens of their toolkit_meta.json. Every tensor of
   --out must be in models/X/reference_toolkit.safetensors (TransformerLens 4.3's own outputs) with the
   same shape and values within 1e-4 relative (as tests/test_analysis.c), with TL's labels (from
   toolkit_meta.json) in the file's metadata; the --html page must exist and name the labels. Plus
   the heat-map view's structure and escaping, and the commands' usage errors. */
#include <stdlib.h>
#include <sys/wait.h>
#include "hl_test.h"

static const char *const ca_models[4] = {"gemma2-tiny", "llama-tiny", "gpt2-tiny", "gptneox-tiny"};

/* Runs a shell command; its stdout and stderr (malloc'd) and exit code. */
static char *ca_run(const char *cmd, int *code) {
    char full[8192];
    FILE *f;
    char *out = NULL;
    size_t len = 0, cap = 0;
    int c, st;
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    if (!(f = popen(full, "r"))) return NULL;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 > cap) {
            char *n;
            cap = cap ? 2 * cap : 4096;
            if (!(n = (char *)realloc(out, cap))) break;
            out = n;
        }
        out[len++] = (char)c;
    }
    if (out) out[len] = 0;
    st = pclose(f);
    *code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out ? out : (char *)calloc(1, 1);
}

/* One fixture model: its folder, the reference tensors and toolkit_meta.json. */
typedef struct ca_fix {
    char            dir[1024];
    hl_safetensors *ref;
    hl_json_doc    *meta;
    char            tokens[4096], corrupted[4096], detect[4096]; /* "1 2 3" */
    long            answer, wrong;
} ca_fix;

static void ca_ids(const hl_json *a, char *out, size_t cap) {
    size_t i, o = 0;
    out[0] = 0;
    for (i = 0; a && i < a->len && o + 16 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%lld", i ? " " : "", (long long)hl_json_int(hl_json_at(a, i), -1));
}
static void ca_close(ca_fix *x) {
    hl_safetensors_close(x->ref);
    hl_json_free(x->meta);
    memset(x, 0, sizeof *x);
}
/* Opens models/<name>: a missing fixture fails the test (hlt_need). */
static int ca_open(const char *name, ca_fix *x) {
    char rel[256], *text;
    size_t len = 0;
    hl_error e;
    const hl_json *root;
    memset(x, 0, sizeof *x);
    snprintf(rel, sizeof rel, "models/%s/toolkit_meta.json", name);
    if (!hlt_need(hlt_fixture(rel))) return 0;
    text = hlt_read_file(hlt_fixture(rel), &len);
    CHECK(text != NULL);
    if (!text) return 0;
    CHECK_OK(hl_json_parse(text, len, &x->meta, &e), &e);
    free(text);
    snprintf(rel, sizeof rel, "models/%s/reference_toolkit.safetensors", name);
    if (!x->meta || !hlt_need(hlt_fixture(rel))) { ca_close(x); return 0; }
    CHECK_OK(hl_safetensors_open(hlt_fixture(rel), &x->ref, &e), &e);
    snprintf(rel, sizeof rel, "models/%s", name);
    snprintf(x->dir, sizeof x->dir, "%s", hlt_fixture(rel));
    root = hl_json_root(x->meta);
    ca_ids(hl_json_get(root, "tokens"), x->tokens, sizeof x->tokens);
    ca_ids(hl_json_get(root, "corrupted_tokens"), x->corrupted, sizeof x->corrupted);
    ca_ids(hl_json_get(root, "detect_sequence"), x->detect, sizeof x->detect);
    x->answer = (long)hl_json_int(hl_json_get(root, "answer_token"), -1);
    x->wrong = (long)hl_json_int(hl_json_get(root, "wrong_token"), -1);
    CHECK(x->ref && x->tokens[0] && x->corrupted[0] && x->detect[0] && x->answer >= 0 && x->wrong >= 0);
    if (!x->ref || !x->tokens[0]) { ca_close(x); return 0; }
    return 1;
}

/* The labels metadata "<key>.labels" of the --out file against toolkit_meta.json's labels[key]. */
static void ca_labels(const ca_fix *x, const char *what, const hl_safetensors *out, const char *key) {
    const hl_json *want = hl_json_get(hl_json_get(hl_json_root(x->meta), "labels"), key);
    char mk[160];
    const char *got;
    hl_json_doc *doc = NULL;
    hl_error e;
    size_t i;
    snprintf(mk, sizeof mk, "%s.labels", key);
    got = hl_safetensors_metadata(out, mk);
    CHECKF(want != NULL, "%s: toolkit_meta.json has no labels for %s", what, key);
    CHECKF(got != NULL, "%s: no metadata %s", what, mk);
    if (!want || !got) return;
    CHECK_OK(hl_json_parse(got, strlen(got), &doc, &e), &e);
    if (!doc) return;
    CHECKF(hl_json_root(doc)->len == want->len, "%s: %s has %zu labels, TL %zu", what, key, hl_json_root(doc)->len, want->len);
    for (i = 0; i < want->len && i < hl_json_root(doc)->len; i++)
        CHECKF(strcmp(hl_json_str(hl_json_at(hl_json_root(doc), i), ""), hl_json_str(hl_json_at(want, i), "?")) == 0,
               "%s: %s label %zu is %s, TL's %s", what, key, i, hl_json_str(hl_json_at(hl_json_root(doc), i), ""),
               hl_json_str(hl_json_at(want, i), "?"));
    hl_json_free(doc);
}

/* Every tensor of the --out file equals the reference's (shape, values within 1e-4 relative), the
   file holds exactly `want` (those the reference has; a name the reference lacks must be absent too),
   and the stacks carry TL's labels. */
static void ca_check_out(const ca_fix *x, const char *what, const char *path, const char *const *want, size_t n_want) {
    hl_safetensors *out = NULL;
    hl_error e;
    size_t i, expected = 0;
    CHECK_OK(hl_safetensors_open(path, &out, &e), &e);
    if (!out) return;
    for (i = 0; i < n_want; i++) {
        const hl_tensor *r = hl_safetensors_find(x->ref, want[i]), *o = hl_safetensors_find(out, want[i]);
        int k, same = 1;
        if (!r) { /* not in the reference (NeoX accumulated_resid, .presoftcap without a softcap): not ours either */
            CHECKF(o == NULL, "%s: wrote %s, which TL does not give here", what, want[i]);
            continue;
        }
        expected++;
        CHECKF(o != NULL, "%s: %s is missing from %s", what, want[i], path);
        if (!o) continue;
        CHECKF(o->dtype == HL_DTYPE_F32, "%s: %s is %s", what, want[i], hl_dtype_name(o->dtype));
        same = o->ndim == r->ndim;
        for (k = 0; same && k < r->ndim; k++) same = o->shape[k] == r->shape[k];
        CHECKF(same, "%s: %s shape differs from TL's (ndim %d vs %d)", what, want[i], o->ndim, r->ndim);
        if (same && o->dtype == HL_DTYPE_F32) {
            double err = hlt_rel_err((const float *)o->data, (const float *)r->data, hl_tensor_numel(r));
            CHECKF(err <= 1e-4, "%s: %s rel err %g", what, want[i], err);
        }
        if (hl_json_get(hl_json_get(hl_json_root(x->meta), "labels"), want[i])) ca_labels(x, what, out, want[i]);
    }
    CHECKF(hl_safetensors_count(out) == expected, "%s: %zu tensors written, %zu expected", what, hl_safetensors_count(out),
           expected);
    hl_safetensors_close(out);
}

/* The page exists, is one self-contained document, and shows every string of `labels`. */
static void ca_check_html(const char *what, const char *path, const char *const *labels, size_t n) {
    size_t len = 0, i;
    char *page = hlt_read_file(path, &len);
    CHECKF(page != NULL, "%s: no page %s", what, path);
    if (!page) return;
    CHECK(strncmp(page, "<!DOCTYPE html>", 15) == 0 && strstr(page, "</html>") != NULL);
    CHECK(strstr(page, "default-src 'none'") != NULL && strstr(page, " src=") == NULL);
    for (i = 0; i < n; i++) CHECKF(strstr(page, labels[i]) != NULL, "%s: %s does not show %s", what, path, labels[i]);
    free(page);
}
/* The labels toolkit_meta.json gives for key, as a list for ca_check_html (borrowed from meta). */
static size_t ca_meta_labels(const ca_fix *x, const char *key, const char **out, size_t cap) {
    const hl_json *l = hl_json_get(hl_json_get(hl_json_root(x->meta), "labels"), key);
    size_t i;
    for (i = 0; l && i < l->len && i < cap; i++) out[i] = hl_json_str(hl_json_at(l, i), "?");
    return i;
}

static void test_cli_lens(void) {
    static const char *const want[4] = {"accumulated_resid", "logit_lens_logits", "loss_per_token", "loss"};
    size_t mi;
    for (mi = 0; mi < 4; mi++) {
        ca_fix x;
        char cmd[8192], *o;
        const char *labels[64];
        int code = -1;
        size_t nl;
        if (!ca_open(ca_models[mi], &x)) continue;
        remove("build/test_cli_lens.safetensors"), remove("build/test_cli_lens.html");
        snprintf(cmd, sizeof cmd, "./build/hooklens lens %s --tokens '%s' --answer-id %ld --out build/test_cli_lens.safetensors "
                 "--html build/test_cli_lens.html", x.dir, x.tokens, x.answer);
        o = ca_run(cmd, &code);
        CHECKF(code == 0 && o && strstr(o, "final_post"), "%s: exit %d: %s", ca_models[mi], code, o ? o : "");
        if (o && strstr(ca_models[mi], "neox")) /* parallel residual: TL raises KeyError, we say why */
            CHECKF(strstr(o, "accumulated_resid is not written") != NULL, "%s: %s", ca_models[mi], o);
        free(o);
        ca_check_out(&x, ca_models[mi], "build/test_cli_lens.safetensors", want, 4);
        nl = ca_meta_labels(&x, "logit_lens_logits", labels, 64);
        CHECK(nl >= 3);
        ca_check_html(ca_models[mi], "build/test_cli_lens.html", labels, nl);
        ca_close(&x);
    }
}

static void test_cli_attribute(void) {
    static const char *const want[4] = {"decompose_resid", "stack_head_results", "logit_attrs_decompose", "logit_attrs_heads"};
    size_t mi;
    for (mi = 0; mi < 4; mi++) {
        ca_fix x;
        char cmd[8192], *o;
        const char *labels[128];
        int code = -1;
        size_t nl;
        if (!ca_open(ca_models[mi], &x)) continue;
        remove("build/test_cli_attr.safetensors"), remove("build/test_cli_attr.html");
        snprintf(cmd, sizeof cmd, "./build/hooklens attribute %s --tokens '%s' --answer-id %ld --wrong-id %ld --out "
                 "build/test_cli_attr.safetensors --html build/test_cli_attr.html", x.dir, x.tokens, x.answer, x.wrong);
        o = ca_run(cmd, &code);
        CHECKF(code == 0 && o && strstr(o, "embed"), "%s: exit %d: %s", ca_models[mi], code, o ? o : "");
        if (o && strcmp(ca_models[mi], "gemma2-tiny") == 0) /* post-attention norm: the heads do not add up */
            CHECKF(strstr(o, "do not add up to hook_attn_out") != NULL, "%s: %s", ca_models[mi], o);
        free(o);
        ca_check_out(&x, ca_models[mi], "build/test_cli_attr.safetensors", want, 4);
        nl = ca_meta_labels(&x, "logit_attrs_decompose", labels, 128);
        CHECK(nl >= 5);
        ca_check_html(ca_models[mi], "build/test_cli_attr.html", labels, nl);
        ca_close(&x);
    }
}

static void test_cli_patch(void) {
    static const char *const want[12] = {
        "patch_resid_pre", "patch_attn_out", "patch_mlp_out", "patch_attn_head_out_all_pos", "patch_attn_head_out_by_pos",
        "patch_attn_head_pattern_all_pos", "patch_resid_pre.presoftcap", "patch_attn_out.presoftcap",
        "patch_mlp_out.presoftcap", "patch_attn_head_out_all_pos.presoftcap", "patch_attn_head_out_by_pos.presoftcap",
        "patch_attn_head_pattern_all_pos.presoftcap"};
    size_t mi;
    for (mi = 0; mi < 4; mi++) {
        ca_fix x;
        char cmd[12288], *o;
        int code = -1;
        if (!ca_open(ca_models[mi], &x)) continue;
        remove("build/test_cli_patch.safetensors"), remove("build/test_cli_patch.html");
        snprintf(cmd, sizeof cmd, "./build/hooklens patch %s --clean-tokens '%s' --corrupt-tokens '%s' --answer-id %ld "
                 "--wrong-id %ld --out build/test_cli_patch.safetensors --html build/test_cli_patch.html",
                 x.dir, x.tokens, x.corrupted, x.answer, x.wrong);
        o = ca_run(cmd, &code);
        CHECKF(code == 0 && o && strstr(o, "clean run: "), "%s: exit %d: %s", ca_models[mi], code, o ? o : "");
        free(o);
        ca_check_out(&x, ca_models[mi], "build/test_cli_patch.safetensors", want, 12);
        ca_check_html(ca_models[mi], "build/test_cli_patch.html", want, 6); /* each grid's map names it */
        {   /* the axes in the metadata, and the two runs' metrics as toolkit_meta.json has them */
            hl_safetensors *out = NULL;
            hl_error e;
            if (hl_safetensors_open("build/test_cli_patch.safetensors", &out, &e) == HL_OK) {
                const char *ax = hl_safetensors_metadata(out, "patch_attn_head_out_by_pos.axes");
                const char *cm = hl_safetensors_metadata(out, "clean_metric");
                double ref = (double)hl_json_num(hl_json_get(hl_json_root(x.meta), "clean_metric"), 1e9);
                CHECKF(ax && strcmp(ax, "[\"layer\", \"pos\", \"head\"]") == 0, "%s: axes %s", ca_models[mi], ax ? ax : "none");
                CHECKF(cm && fabs(atof(cm) - ref) <= 1e-4 * fabs(ref) + 1e-6, "%s: clean metric %s, TL %g", ca_models[mi],
                       cm ? cm : "none", ref);
                hl_safetensors_close(out);
            }
        }
        ca_close(&x);
    }
}

static void test_cli_heads(void) {
    static const char *const want[3] = {"heads_previous_token", "heads_duplicate_token", "heads_induction"};
    static const char *const shown[5] = {"Previous-token heads", "Duplicate-token heads", "Induction heads", "L0", "H0"};
    size_t mi;
    for (mi = 0; mi < 4; mi++) {
        ca_fix x;
        char cmd[8192], *o;
        int code = -1;
        if (!ca_open(ca_models[mi], &x)) continue;
        remove("build/test_cli_heads.safetensors"), remove("build/test_cli_heads.html");
        snprintf(cmd, sizeof cmd, "./build/hooklens heads %s --tokens '%s' --out build/test_cli_heads.safetensors --html "
                 "build/test_cli_heads.html", x.dir, x.detect);
        o = ca_run(cmd, &code);
        CHECKF(code == 0 && o && strstr(o, "heads_induction"), "%s: exit %d: %s", ca_models[mi], code, o ? o : "");
        free(o);
        ca_check_out(&x, ca_models[mi], "build/test_cli_heads.safetensors", want, 3);
        ca_check_html(ca_models[mi], "build/test_cli_heads.html", shown, 5);
        ca_close(&x);
    }
}

/* heads --random N: TL's induction-demo sequence BOS + h + h (no special id in h), the same for the
   same --seed, scored exactly as the same ids given with --tokens. */
static void test_cli_heads_random(void) {
    char cmd[8192], ids[4096], *o;
    hl_safetensors *a = NULL, *b = NULL;
    hl_json_doc *doc = NULL;
    hl_error e;
    const char *t;
    int code = -1;
    size_t i, k;
    if (!hlt_need(hlt_fixture("models/gpt2-tiny/config.json"))) return;
    snprintf(cmd, sizeof cmd, "./build/hooklens heads %s --random 12 --seed 5 --out build/test_cli_heads_r.safetensors",
             hlt_fixture("models/gpt2-tiny"));
    o = ca_run(cmd, &code);
    CHECKF(code == 0 && o && strstr(o, "loss per token on 12 random tokens: first copy "), "exit %d: %s", code, o ? o : "");
    free(o);
    CHECK_OK(hl_safetensors_open("build/test_cli_heads_r.safetensors", &a, &e), &e);
    t = a ? hl_safetensors_metadata(a, "tokens") : NULL;
    CHECK(t != NULL);
    if (t) CHECK_OK(hl_json_parse(t, strlen(t), &doc, &e), &e);
    if (doc) {
        const hl_json *r = hl_json_root(doc);
        CHECKF(r->len == 25 && hl_json_int(hl_json_at(r, 0), -1) == 999, "%zu tokens: %s", r->len, t);
        for (i = 1; r->len == 25 && i <= 12; i++) {
            CHECKF(hl_json_int(hl_json_at(r, i), -1) == hl_json_int(hl_json_at(r, i + 12), -2), "position %zu: %s", i, t);
            CHECKF(hl_json_int(hl_json_at(r, i), -1) != 999, "BOS among the random tokens: %s", t);
        }
        ca_ids(r, ids, sizeof ids);
        snprintf(cmd, sizeof cmd, "./build/hooklens heads %s --tokens '%s' --out build/test_cli_heads_t.safetensors",
                 hlt_fixture("models/gpt2-tiny"), ids);
        o = ca_run(cmd, &code);
        CHECKF(code == 0, "exit %d: %s", code, o ? o : "");
        free(o);
        CHECK_OK(hl_safetensors_open("build/test_cli_heads_t.safetensors", &b, &e), &e);
        for (k = 0; a && b && k < hl_safetensors_count(a); k++) {
            const hl_tensor *x = hl_safetensors_tensor(a, k), *y = hl_safetensors_find(b, hl_safetensors_name(a, k));
            CHECKF(y && hl_tensor_nbytes(x) == hl_tensor_nbytes(y) && memcmp(x->data, y->data, hl_tensor_nbytes(x)) == 0,
                   "%s: --random and --tokens differ", hl_safetensors_name(a, k));
        }
        hl_json_free(doc);
    }
    hl_safetensors_close(a);
    hl_safetensors_close(b);
}

/* Usage errors name what is wrong: exit 2 for the command line, 1 for what the model says. */
static void test_cli_analysis_errors(void) {
    static const struct { const char *args, *msg; int code; } cases[] = {
        {"lens --answer x --answer-id 3 --tokens '1 2'", "give --answer or --answer-id, not both", 2},
        {"lens", "give --prompt TEXT or --tokens", 2},
        {"attribute --tokens '1 2 3'", "give the answer", 2},
        {"patch 'Once upon' --answer-id 1 --wrong-id 2", "give the CLEAN and CORRUPT prompts", 2},
        {"patch --clean-tokens '1 2' --answer-id 1 --wrong-id 2", "--clean-tokens and --corrupt-tokens together", 2},
        {"patch --clean-tokens '1 2' --corrupt-tokens '1 2 3' --answer-id 1 --wrong-id 2", "needs the same number", 1},
        {"patch --clean-tokens '1 2' --corrupt-tokens '1 3' --answer-id 1", "the wrong answer", 2},
        {"attribute --tokens '1 2' --answer-id 100000000", "not below the vocabulary size", 1},
        {"heads --prompt x --answer-id 1", "does not apply to heads", 2},
        {"heads --prompt x --random 3", "give --prompt TEXT, --tokens", 2},
        {"heads --random 400", "more than the model's n_ctx 512", 1},
    };
    size_t i;
    if (!hlt_need("examples/stories260K/model.safetensors")) return;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[512], *o;
        int code = -1;
        snprintf(cmd, sizeof cmd, "./build/hooklens %s", cases[i].args);
        o = ca_run(cmd, &code);
        CHECKF(code == cases[i].code && o && strstr(o, cases[i].msg), "%s: exit %d: %s", cmd, code, o ? o : "");
        free(o);
    }
}

/* The README's example lines of the four commands run as written (in build/readme_cli, on the bundled
   model found next to the executable: HL_MODEL and HOOKLENS_HOME unset) and write what they say. */
static void test_cli_analysis_readme(void) {
    static const char *const cmds[4] = {"lens", "attribute", "patch", "heads"};
    size_t len = 0, i;
    char *md = hlt_read_file("README.md", &len);
    CHECK(md != NULL);
    if (!md || !hlt_need("examples/stories260K/model.safetensors")) { free(md); return; }
    for (i = 0; i < 4; i++) {
        char key[64], cmd[2048], *o;
        const char *a, *e;
        int code = -1;
        snprintf(key, sizeof key, "\nbuild/hooklens %s ", cmds[i]);
        a = strstr(md, key);
        CHECKF(a != NULL, "README.md has no example line for %s", cmds[i]);
        if (!a) continue;
        a += 15; /* after "\nbuild/hooklens" */
        e = strchr(a, '\n');
        snprintf(cmd, sizeof cmd, "rm -rf build/readme_cli && mkdir -p build/readme_cli && cd build/readme_cli && env -u HL_MODEL -u HOOKLENS_HOME ../hooklens%.*s",
                 (int)(e ? e - a : (long)strlen(a)), a);
        o = ca_run(cmd, &code);
        CHECKF(code == 0 && o && strstr(o, "wrote "), "%s: exit %d: %s", cmd, code, o ? o : "");
        free(o);
    }
    free(md);
}

static size_t ca_count(const char *hay, const char *needle) {
    size_t n = 0, l = strlen(needle);
    while ((hay = strstr(hay, needle)) != NULL) n++, hay += l;
    return n;
}
/* hl_view_heatmaps_html: one document, nothing loaded, a table per map with a cell per value, the
   hostile labels shown escaped (never live), the data block valid JSON holding them, the diverging
   shades (white at 0, full blue and red at +-max), NaN as null; invalid arguments refused. */
static void test_view_heatmaps(void) {
    static const char *const rows[2] = {"<script>alert(\"x\")</script>", "L1"};
    static const char *const cols[3] = {"0 <b onmouseover='y'>", "1 a&b", "2 \n"};
    static const char *const text[6] = {"t0", NULL, "t2", "t3", "t4", "t5"};
    const float vals[6] = {2.0f, -2.0f, 0.0f, 1.0f, NAN, -0.5f};
    hl_heatmap maps[2];
    hl_heatmaps_view v;
    hl_error e;
    char *html = NULL;
    size_t len = 0;
    memset(maps, 0, sizeof maps);
    maps[0].title = "First </h2><script>", maps[0].row_axis = "layer", maps[0].col_axis = "position";
    maps[0].n_rows = 2, maps[0].n_cols = 3, maps[0].row_labels = rows, maps[0].col_labels = cols, maps[0].values = vals;
    maps[0].cell_text = text;
    maps[1] = maps[0];
    maps[1].title = "Second", maps[1].cell_text = NULL, maps[1].n_rows = 1;
    memset(&v, 0, sizeof v);
    v.title = "Heat <maps>", v.subtitle = "prompt \"<script>alert(1)</script>\"", v.n_maps = 2, v.maps = maps;
    v.n_tokens = 3, v.tokens = cols;
    CHECK_OK(hl_view_heatmaps_html(&v, &html, &len, &e), &e);
    if (!html) return;
    CHECK(strlen(html) == len && strncmp(html, "<!DOCTYPE html>", 15) == 0);
    CHECK(ca_count(html, " src=") == 0 && ca_count(html, "url(") == 0 && ca_count(html, "http://") == 0);
    CHECK(ca_count(html, "<table") == 2 && ca_count(html, "</table>") == 2);
    CHECK(ca_count(html, "<td data-k=") == 9);
    CHECK(ca_count(html, "<script") == 2 && ca_count(html, "<b onmouseover") == 0);
    CHECK(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") != NULL);
    CHECK(strstr(html, "prompt &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;") != NULL);
    CHECK(strstr(html, "First &lt;/h2&gt;&lt;script&gt;") != NULL);
    CHECK(strstr(html, "\\u003cscript\\u003ealert(\\\"x\\\")\\u003c/script\\u003e") != NULL); /* in the JSON */
    CHECK(strstr(html, "background:rgb(33,102,172)") != NULL);  /* +max */
    CHECK(strstr(html, "background:rgb(178,24,43)") != NULL);   /* -max */
    CHECK(strstr(html, "background:rgb(255,255,255)") != NULL); /* 0 */
    CHECK(strstr(html, "background:#e5e7eb") != NULL);          /* NaN */
    CHECK(strstr(html, ",null,") != NULL);
    CHECK(strstr(html, ">t0</td>") != NULL && strstr(html, ">-2</td>") != NULL); /* text, else the value */
    CHECK(strstr(html, "data-heatmap-cells") != NULL);
    hl_free(html);
    html = NULL;
    maps[1].values = NULL;
    CHECK(hl_view_heatmaps_html(&v, &html, &len, &e) == HL_ERR_ARG && html == NULL);
    maps[1].values = vals, maps[1].n_cols = 0;
    CHECK(hl_view_heatmaps_html(&v, &html, &len, &e) == HL_ERR_ARG);
    v.n_maps = 0;
    CHECK(hl_view_heatmaps_html(&v, &html, &len, &e) == HL_ERR_ARG);
}

void suite_cli_analysis(void) {
    RUN(test_view_heatmaps);
    RUN(test_cli_analysis_errors);
    RUN(test_cli_lens);
    RUN(test_cli_attribute);
    RUN(test_cli_patch);
    RUN(test_cli_heads);
    RUN(test_cli_heads_random);
    RUN(test_cli_analysis_readme);
}
