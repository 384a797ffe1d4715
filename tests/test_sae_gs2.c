/* tests/test_sae_gs2.c - Gemma Scope 2 SAE folders (params.safetensors + config.json, as
   google/gemma-scope-2-* hold them). The folders are built here, with hooklens's own safetensors
   writer, from the arrays of the Gemma Scope fixture ../shared/fixtures/saes/gemma2-tiny/
   gemmascope-jumprelu/params.npz, so the same SAE loaded both ways must give bit-identical numbers. */
#include <stdlib.h>
#include <sys/stat.h>
#include "hl_test.h"

#define GS2_NPZ  "saes/gemma2-tiny/gemmascope-jumprelu/params.npz"
#define GS2_REF  "saes/gemma2-tiny/reference.safetensors"
#define GS2_ROOT "build/test_sae_gs2"

static const hl_error *gs2_ep(const hl_error *e) {
    return e;
}

static void gs2_mkdirs(const char *path) { /* mkdir -p */
    char buf[512];
    size_t i, n = strlen(path);
    if (n >= sizeof buf) return;
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++)
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            mkdir(buf, 0755);
            buf[i] = c;
        }
}

static void gs2_write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* The fixture's five arrays under Gemma Scope 2's names (w_enc, w_dec, b_enc, b_dec, threshold),
   plus `extra` (a name, or NULL) and without `drop` (a name, or NULL), into dir/params.safetensors;
   config.json is written when cfg != NULL. Returns 0 when the fixture is missing. */
static int gs2_build(const char *dir, const char *cfg, const char *drop, const char *extra) {
    static const char *const npz_names[5] = {"W_enc", "W_dec", "b_enc", "b_dec", "threshold"};
    static const char *const gs2_names[5] = {"w_enc", "w_dec", "b_enc", "b_dec", "threshold"};
    const char *names[6];
    hl_tensor ts[6];
    hl_npz *z = NULL;
    hl_error err;
    char path[512];
    size_t n = 0, i;
    const char *npz = hlt_fixture(GS2_NPZ);
    if (!hlt_need(npz)) return 0;
    CHECK_OK(hl_npz_open(npz, &z, &err), gs2_ep(&err));
    if (!z) return 0;
    for (i = 0; i < 5; i++) {
        const hl_tensor *t = hl_npz_find(z, npz_names[i]);
        CHECKF(t != NULL, "fixture array %s", npz_names[i]);
        if (!t) {
            hl_npz_close(z);
            return 0;
        }
        if (drop && strcmp(drop, gs2_names[i]) == 0) continue;
        names[n] = gs2_names[i];
        ts[n++] = *t;
    }
    if (extra) { /* any tensor will do: b_dec's data under another name */
        names[n] = extra;
        ts[n++] = *hl_npz_find(z, "b_dec");
    }
    gs2_mkdirs(dir);
    snprintf(path, sizeof path, "%s/params.safetensors", dir);
    CHECK_OK(hl_safetensors_write(path, names, ts, n, NULL, &err), gs2_ep(&err));
    snprintf(path, sizeof path, "%s/config.json", dir);
    if (cfg) gs2_write_text(path, cfg);
    else remove(path);
    hl_npz_close(z);
    return 1;
}

static hl_status gs2_load(const char *path, hl_sae **out, hl_error *err) {
    hl_sae_desc d;
    memset(&d, 0, sizeof d);
    d.path = path;
    d.n_threads = 2;
    *out = NULL;
    return hl_sae_load(&d, out, err);
}

#define GS2_CFG_RES2                                                                               \
    "{\"architecture\": \"jump_relu\", \"model_name\": \"google/gemma-3-270m-pt\", "              \
    "\"hf_hook_point_in\": \"model.layers.2.output\", \"hf_hook_point_out\": "                  \
    "\"model.layers.2.output\", \"width\": 256, \"l0\": 20, \"affine_connection\": false}"

/* Encode + decode of the reference input through both SAEs: every number equal. */
static void gs2_same_numbers(hl_sae *a, hl_sae *b, const float *x, int64_t n) {
    const int64_t di = 64, ds = 256;
    float *pa = (float *)calloc((size_t)(n * ds), 4), *pb = (float *)calloc((size_t)(n * ds), 4);
    float *fa = (float *)calloc((size_t)(n * ds), 4), *fb = (float *)calloc((size_t)(n * ds), 4);
    float *ra = (float *)calloc((size_t)(n * di), 4), *rb = (float *)calloc((size_t)(n * di), 4);
    float *xa = (float *)calloc((size_t)(n * di), 4), *xb = (float *)calloc((size_t)(n * di), 4);
    hl_error err;
    int64_t i, fired = 0;
    CHECK_OK(hl_sae_encode(a, x, n, pa, fa, &err), gs2_ep(&err));
    CHECK_OK(hl_sae_encode(b, x, n, pb, fb, &err), gs2_ep(&err));
    CHECK_OK(hl_sae_decode(a, fa, x, n, ra, xa, &err), gs2_ep(&err));
    CHECK_OK(hl_sae_decode(b, fb, x, n, rb, xb, &err), gs2_ep(&err));
    CHECK(memcmp(pa, pb, (size_t)(n * ds) * 4) == 0);
    CHECK(memcmp(fa, fb, (size_t)(n * ds) * 4) == 0);
    CHECK(memcmp(ra, rb, (size_t)(n * di) * 4) == 0);
    CHECK(memcmp(xa, xb, (size_t)(n * di) * 4) == 0);
    for (i = 0; i < n * ds; i++) fired += fa[i] != 0.0f;
    CHECKF(fired > 0 && fired < n * ds, "%lld of %lld features fired", (long long)fired, (long long)(n * ds));
    free(pa);
    free(pb);
    free(fa);
    free(fb);
    free(ra);
    free(rb);
    free(xa);
    free(xb);
}

static void test_gs2_matches_npz(void) {
    const char *dir = GS2_ROOT "/gemma-scope-2-270m-pt/resid_post/layer_2_width_16k_l0_small";
    hl_sae *npz = NULL, *gs2 = NULL;
    hl_safetensors *ref = NULL;
    hl_error err;
    const hl_sae_config *c;
    const hl_tensor *xt, *post;
    const char *refp = hlt_fixture(GS2_REF);
    char path[512];
    int k;
    if (!hlt_need(refp) || !gs2_build(dir, GS2_CFG_RES2, NULL, NULL)) return;
    CHECK_OK(hl_safetensors_open(refp, &ref, &err), gs2_ep(&err));
    CHECK_OK(gs2_load(hlt_fixture(GS2_NPZ), &npz, &err), gs2_ep(&err));
    if (!ref || !npz) goto done;
    xt = hl_safetensors_find(ref, "sae_input");
    post = hl_safetensors_find(ref, "jumprelu.acts_post");
    CHECK(xt && post && xt->dtype == HL_DTYPE_F32 && hl_tensor_numel(xt) == 20 * 64);
    if (!xt || !post) goto done;
    /* the folder, its params.safetensors and its config.json all name the same SAE */
    for (k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s%s", dir, k == 0 ? "" : k == 1 ? "/params.safetensors" : "/config.json");
        CHECK_OK(gs2_load(path, &gs2, &err), gs2_ep(&err));
        if (!gs2) continue;
        c = hl_sae_get_config(gs2);
        CHECK(c->arch == HL_SAE_JUMPRELU && c->norm == HL_SAE_NORM_NONE && !c->apply_b_dec_to_input);
        CHECK(c->d_in == 64 && c->d_sae == 256 && c->dtype == HL_DTYPE_F32 && !c->hook_z);
        CHECKF(strcmp(c->hook_name, "blocks.2.hook_resid_post") == 0 && c->hook_layer == 2, "%s", c->hook_name);
        CHECKF(strcmp(c->model_name, "gemma-3-270m") == 0, "%s", c->model_name);
        CHECK(strcmp(c->format, "gemmascope2") == 0);
        CHECKF(strstr(c->hook_note, "resid_post/layer_2") != NULL, "%s", c->hook_note);
        gs2_same_numbers(npz, gs2, (const float *)xt->data, 20);
        { /* and both agree with the reference made by the peer implementation */
            float f[20 * 256];
            CHECK_OK(hl_sae_encode(gs2, (const float *)xt->data, 20, NULL, f, &err), gs2_ep(&err));
            CHECK(hlt_rel_err(f, (const float *)post->data, 20 * 256) < 1e-4);
        }
        hl_sae_free(gs2);
        gs2 = NULL;
    }
done:
    hl_sae_free(npz);
    if (ref) hl_safetensors_close(ref);
}

/* Where the hook comes from: the folder (as SAELens reads it), else config.json. */
static void test_gs2_hooks(void) {
    static const struct {
        const char *dir, *cfg, *hook, *model;
        int layer, hook_z;
    } cases[] = {
        {GS2_ROOT "/gemma-scope-2-1b-it/attn_out_all/layer_7_width_262k_l0_big",
         "{\"architecture\": \"jump_relu\", \"model_name\": \"google/gemma-3-1b-it\", "
         "\"hf_hook_point_in\": \"model.layers.7.self_attn.o_proj.input\"}",
         "blocks.7.attn.hook_z", "gemma-3-1b-it", 7, 1},
        {GS2_ROOT "/x/mlp_out/layer_13_width_65k_l0_medium",
         "{\"hf_hook_point_in\": \"model.layers.13.post_feedforward_layernorm.output\", "
         "\"model_name\": \"gemma-v3-12b-pt\"}",
         "blocks.13.hook_mlp_out", "gemma-3-12b-pt", 13, 0},
        /* no config.json: everything from the path, as SAELens infers it from the repo folder */
        {GS2_ROOT "/gemma-scope-2-270m-pt/resid_post_all/layer_5_width_16k_l0_big", NULL,
         "blocks.5.hook_resid_post", "gemma-3-270m", 5, 0},
        /* a folder named otherwise: config.json's hook point */
        {GS2_ROOT "/mine", "{\"hf_hook_point_in\": \"model.layers.11.output\"}",
         "blocks.11.hook_resid_post", "", 11, 0},
        /* neither: no hook (the caller gives one) */
        {GS2_ROOT "/bare", "{\"architecture\": \"jump_relu\"}", "", "", -1, 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hl_sae *s = NULL;
        hl_error err;
        const hl_sae_config *c;
        if (!gs2_build(cases[i].dir, cases[i].cfg, NULL, NULL)) return;
        CHECK_OK(gs2_load(cases[i].dir, &s, &err), gs2_ep(&err));
        if (!s) continue;
        c = hl_sae_get_config(s);
        CHECKF(strcmp(c->hook_name, cases[i].hook) == 0, "%s: hook %s", cases[i].dir, c->hook_name);
        CHECKF(strcmp(c->model_name, cases[i].model) == 0, "%s: model %s", cases[i].dir, c->model_name);
        CHECKF(c->hook_layer == cases[i].layer && c->hook_z == cases[i].hook_z, "%s: layer %d hook_z %d",
               cases[i].dir, c->hook_layer, c->hook_z);
        CHECK(c->hook_note[0] != 0);
        hl_sae_free(s);
    }
    { /* a given hook name wins */
        hl_sae *s = NULL;
        hl_sae_desc d;
        hl_error err;
        memset(&d, 0, sizeof d);
        d.path = GS2_ROOT "/bare";
        d.hook_name = "blocks.1.attn.hook_z";
        CHECK_OK(hl_sae_load(&d, &s, &err), gs2_ep(&err));
        if (s) {
            CHECK(strcmp(hl_sae_get_config(s)->hook_name, "blocks.1.attn.hook_z") == 0);
            CHECK(hl_sae_get_config(s)->hook_z == 1);
        }
        hl_sae_free(s);
    }
}

/* Bad folders: a specific status and message each, never a crash. */
static void test_gs2_errors(void) {
    static const struct {
        const char *dir, *cfg, *drop, *extra;
        hl_status st;
        const char *msg;
    } cases[] = {
        {GS2_ROOT "/e/resid_post/layer_2_w", "{\"hf_hook_point_in\": \"model.layers.3.output\"}", NULL, NULL,
         HL_ERR_FORMAT, "disagrees with the folder (resid_post, layer 2)"},
        {GS2_ROOT "/e/mlp_out/layer_4_w", "{\"hf_hook_point_in\": \"model.layers.4.output\"}", NULL, NULL,
         HL_ERR_FORMAT, "(resid_post, layer 4) disagrees"},
        {GS2_ROOT "/e/transcoder_all/layer_3_width_16k_l0_big", NULL, NULL, NULL, HL_ERR_UNSUPPORTED,
         "transcoder"},
        {GS2_ROOT "/e/t2",
         "{\"hf_hook_point_in\": \"model.layers.3.pre_feedforward_layernorm.output\", "
         "\"hf_hook_point_out\": \"model.layers.3.post_feedforward_layernorm.output\"}",
         NULL, NULL, HL_ERR_UNSUPPORTED, "transcoder"},
        {GS2_ROOT "/e/t3", "{\"hf_hook_point_in\": \"model.layers.3.output\", \"affine_connection\": true}",
         NULL, NULL, HL_ERR_UNSUPPORTED, "transcoder"},
        {GS2_ROOT "/e/skip", NULL, NULL, "affine_skip_connection", HL_ERR_UNSUPPORTED, "skip transcoder"},
        {GS2_ROOT "/e/extra", NULL, NULL, "W_skip", HL_ERR_UNSUPPORTED, "tensor 'W_skip' is not part"},
        {GS2_ROOT "/e/nothr", NULL, "threshold", NULL, HL_ERR_FORMAT, "missing tensor 'threshold'"},
        {GS2_ROOT "/e/noenc", NULL, "w_enc", NULL, HL_ERR_FORMAT, "missing tensor 'w_enc'"},
        {GS2_ROOT "/e/arch", "{\"architecture\": \"topk\"}", NULL, NULL, HL_ERR_UNSUPPORTED,
         "architecture 'topk'"},
        {GS2_ROOT "/e/arch2", "{\"architecture\": 3}", NULL, NULL, HL_ERR_UNSUPPORTED, "(not a string)"},
        {GS2_ROOT "/e/hf", "{\"hf_hook_point_in\": \"model.layers.2.mlp.down_proj.output\"}", NULL, NULL,
         HL_ERR_UNSUPPORTED, "'model.layers.2.mlp.down_proj.output' is not a Gemma Scope 2 hook point"},
        {GS2_ROOT "/e/hf2", "{\"hf_hook_point_in\": \"model.layers.99999999999999999999.output\"}", NULL,
         NULL, HL_ERR_UNSUPPORTED, "is not a Gemma Scope 2 hook point"},
        {GS2_ROOT "/e/hf3", "{\"hf_hook_point_in\": 12}", NULL, NULL, HL_ERR_FORMAT,
         "hf_hook_point_in must be a string"},
        {GS2_ROOT "/e/width", "{\"width\": 512}", NULL, NULL, HL_ERR_SHAPE, ""},
        {GS2_ROOT "/e/width2", "{\"width\": \"16k\"}", NULL, NULL, HL_ERR_FORMAT, "width must be a positive"},
        {GS2_ROOT "/e/json", "{\"hf_hook_point_in\": ", NULL, NULL, HL_ERR_FORMAT, "config.json"},
        {GS2_ROOT "/e/array", "[1, 2]", NULL, NULL, HL_ERR_FORMAT, "expected a JSON object"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hl_sae *s = NULL;
        hl_error err;
        hl_status st;
        if (!gs2_build(cases[i].dir, cases[i].cfg, cases[i].drop, cases[i].extra)) return;
        memset(&err, 0, sizeof err);
        st = gs2_load(cases[i].dir, &s, &err);
        CHECKF(st == cases[i].st && s == NULL, "%s: status %d (%s)", cases[i].dir, (int)st, err.msg);
        CHECKF(strstr(err.msg, cases[i].msg) != NULL, "%s: message '%s' lacks '%s'", cases[i].dir, err.msg,
               cases[i].msg);
        hl_sae_free(s);
    }
    { /* an empty folder names all three formats */
        hl_sae *s = NULL;
        hl_error err;
        gs2_mkdirs(GS2_ROOT "/e/empty");
        CHECK(gs2_load(GS2_ROOT "/e/empty", &s, &err) == HL_ERR_NOT_FOUND);
        CHECK(strstr(err.msg, "params.safetensors (Gemma Scope 2)") != NULL);
    }
}

void suite_sae_gs2(void);
void suite_sae_gs2(void) {
    RUN(test_gs2_matches_npz);
    RUN(test_gs2_hooks);
    RUN(test_gs2_errors);
}
