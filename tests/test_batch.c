/* tests/test_batch.c - batches with padding (hl_model_run_batch and friends): a mixed-length batch of
   3 prompts equals the three single runs bit for bit, at every hook and in the logits, with left and
   with right padding, on every model family; what the padding holds; loss that ignores padding;
   generate on a batch; to_tokens / to_str_tokens on a batch. */
#include <stdlib.h>
#include "hl_test.h"

enum { NB = 3 };
static const int64_t batch_len[NB] = {5, 9, 7};

/* Deterministic token ids in [1, V). */
static int32_t batch_tok(int64_t b, int64_t i, int64_t V) {
    uint64_t x = (uint64_t)(b * 1000 + i + 1) * 0x9E3779B97F4A7C15ull;
    return (int32_t)(1 + (x >> 33) % (uint64_t)(V - 1));
}

static hl_model *batch_open(const char *name, int threads, unsigned flags) {
    char rel[128];
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error e;
    snprintf(rel, sizeof rel, "models/%s/config.json", name);
    if (!hlt_need(hlt_fixture(rel))) return NULL;
    memset(&d, 0, sizeof d);
    snprintf(rel, sizeof rel, "models/%s", name);
    d.path = hlt_fixture(rel);
    d.n_threads = threads;
    CHECK_OK(hl_model_load(&d, &m, &e), &e);
    if (m) hl_model_set_flags(m, flags);
    return m;
}

/* The padded batch [NB, T] of batch_len's sequences (pads: token 0 on the right, V-1 on the left,
   to show that the pad id does not matter). */
static int32_t *batch_tokens(int64_t V, hl_padding_side side, int64_t *T) {
    int64_t b, i;
    int32_t *t;
    *T = 9;
    t = (int32_t *)malloc(sizeof(int32_t) * NB * 9);
    for (b = 0; b < NB; b++) {
        const int64_t off = side == HL_PAD_LEFT ? 9 - batch_len[b] : 0;
        for (i = 0; i < 9; i++)
            t[b * 9 + i] = i >= off && i < off + batch_len[b] ? batch_tok(b, i - off, V) : (int32_t)(side == HL_PAD_LEFT ? V - 1 : 0);
    }
    return t;
}

/* Compares every hook of sequence b's single run (cache one, [1, L, ...]) with the batch's
   (cache all, [NB, T, ...]) at the real positions, bit for bit; and the padding's rules. Returns
   the number of tensors compared. */
static int batch_compare(const hl_cache *one, const hl_cache *all, int64_t b, int64_t L, int64_t T, hl_padding_side side) {
    const int64_t off = side == HL_PAD_LEFT ? T - L : 0;
    size_t e;
    int n = 0;
    for (e = 0; e < hl_cache_count(one); e++) {
        const char *name = hl_cache_name(one, e);
        const hl_tensor *s = hl_cache_tensor(one, e), *t = hl_cache_get(all, name);
        const float *x = (const float *)s->data, *y;
        int attn = strstr(name, "hook_attn_scores") || strstr(name, "hook_pattern");
        int64_t inner = 1, i, j, h, k, bad = 0;
        CHECKF(t != NULL && t->ndim == s->ndim && t->shape[0] == NB, "%s: batch tensor missing or not [%d, ...]", name, NB);
        if (!t || t->ndim != s->ndim) continue;
        y = (const float *)t->data;
        if (attn) { /* [1, H, L, L] against [NB, H, T, T] */
            const int64_t H = s->shape[1];
            CHECKF(t->shape[1] == H && t->shape[2] == T && t->shape[3] == T && s->shape[2] == L, "%s: shape", name);
            for (h = 0; h < H; h++)
                for (i = 0; i < T; i++)
                    for (k = 0; k < T; k++) {
                        const float v = y[((b * H + h) * T + i) * T + k];
                        const int qi = i >= off && i < off + L, kk = k >= off && k < off + L;
                        if (qi && kk) bad += memcmp(&v, &x[(h * L + (i - off)) * L + (k - off)], sizeof v) != 0;
                        else if (!kk || (side == HL_PAD_LEFT && !qi)) /* pad key, or a left pad query: masked */
                            bad += strstr(name, "hook_pattern") ? v != 0.0f : !(isinf(v) && v < 0);
                    }
        } else { /* [1, L, rest] against [NB, T, rest] */
            for (j = 2; j < s->ndim; j++) inner *= s->shape[j];
            CHECKF(t->shape[1] == T && s->shape[1] == L, "%s: shape [%lld, %lld]", name, (long long)t->shape[0], (long long)t->shape[1]);
            for (i = 0; i < L; i++) bad += memcmp(y + ((b * T + off + i) * inner), x + i * inner, sizeof(float) * (size_t)inner) != 0;
            if (side == HL_PAD_LEFT && strstr(name, "attn.hook_z"))
                for (i = 0; i < off * inner; i++) bad += y[b * T * inner + i] != 0.0f; /* pads attend to nothing */
            if (strcmp(name, "hook_pos_embed") == 0) /* pads have no position (TL PosEmbed's masked_fill) */
                for (i = 0; i < T; i++)
                    for (j = 0; j < inner && (i < off || i >= off + L); j++) bad += y[(b * T + i) * inner + j] != 0.0f;
        }
        CHECKF(bad == 0, "%s, sequence %lld (%s padding): %lld values differ from the single run", name, (long long)b,
               side == HL_PAD_LEFT ? "left" : "right", (long long)bad);
        n++;
    }
    return n;
}

static void batch_model(const char *name, int threads, unsigned flags) {
    hl_model *m = batch_open(name, threads, flags);
    hl_cache *one = NULL, *all = NULL;
    hl_error e;
    int side, n_cmp = 0;
    if (!m) return;
    CHECK_OK(hl_cache_create(&one, &e), &e);
    CHECK_OK(hl_cache_create(&all, &e), &e);
    for (side = 0; side < 2; side++) {
        const int64_t V = hl_model_config(m)->d_vocab;
        int64_t T, b;
        int32_t *toks = batch_tokens(V, (hl_padding_side)side, &T);
        float *lb = (float *)malloc(sizeof(float) * (size_t)(NB * T * V)), *l1 = (float *)malloc(sizeof(float) * (size_t)(T * V));
        hl_batch bt;
        memset(&bt, 0, sizeof bt);
        bt.tokens = toks, bt.n_batch = NB, bt.n_pos = T, bt.lengths = batch_len, bt.padding_side = (hl_padding_side)side;
        CHECK_OK(hl_model_run_with_cache_batch(m, &bt, NULL, all, lb, &e), &e);
        for (b = 0; b < NB; b++) {
            const int64_t off = side == HL_PAD_LEFT ? T - batch_len[b] : 0;
            CHECK_OK(hl_model_run_with_cache(m, toks + b * T + off, batch_len[b], NULL, one, l1, &e), &e);
            n_cmp += batch_compare(one, all, b, batch_len[b], T, (hl_padding_side)side);
            CHECKF(memcmp(lb + (b * T + off) * V, l1, sizeof(float) * (size_t)(batch_len[b] * V)) == 0,
                   "%s: logits of sequence %lld differ (%s padding)", name, (long long)b, side ? "left" : "right");
        }
        /* the batch without a cache gives the same logits (the fused attention path) */
        CHECK_OK(hl_model_run_batch(m, &bt, l1 == NULL ? NULL : lb, &e), &e);
        for (b = 0; b < NB; b++) {
            const int64_t off = side == HL_PAD_LEFT ? T - batch_len[b] : 0;
            CHECK_OK(hl_model_run(m, toks + b * T + off, batch_len[b], l1, &e), &e);
            CHECKF(memcmp(lb + (b * T + off) * V, l1, sizeof(float) * (size_t)(batch_len[b] * V)) == 0,
                   "%s: uncached batch logits of sequence %lld differ", name, (long long)b);
        }
        free(toks), free(lb), free(l1);
    }
    CHECKF(n_cmp > 40, "%s: only %d tensors compared", name, n_cmp);
    printf("  %s (%d threads): %d hook tensors equal the single runs at every real position\n", name, threads, n_cmp);
    hl_cache_free(one);
    hl_cache_free(all);
    hl_model_free(m);
}

static void test_batch_gemma2(void) { batch_model("gemma2-tiny", 1, 0); }
static void test_batch_gemma2_threads(void) { batch_model("gemma2-tiny", 2, 0); }
static void test_batch_gpt2(void) { batch_model("gpt2-tiny", 2, 0); }
static void test_batch_gptneo(void) { batch_model("gptneo-tiny", 1, 0); }
static void test_batch_gptneox(void) { batch_model("gptneox-tiny", 1, 0); }
static void test_batch_llama_optional_points(void) {
    batch_model("llama-tiny", 1, HL_USE_ATTN_RESULT | HL_USE_SPLIT_QKV_INPUT | HL_USE_HOOK_MLP_IN);
}
static void test_batch_mistral(void) { batch_model("mistral-tiny", 1, 0); }
static void test_batch_gemma1(void) { batch_model("gemma1-tiny", 1, HL_USE_ATTN_IN); }

/* An SAE spliced into a batch (GemmaScope fixture at blocks.2.hook_resid_post, error term on, a
   steering edit at position 2 of each row with right padding): the SAE's sub-points are [NB, T,
   width] and every real position equals the single runs. */
static void test_batch_sae_splice(void) {
    hl_model *m = batch_open("gemma2-tiny", 1, 0);
    hl_sae *sae = NULL;
    hl_sae_desc d;
    hl_cache *one = NULL, *all = NULL;
    hl_error e;
    const int64_t at = 2;
    int side, n_cmp = 0;
    if (!m) return;
    memset(&d, 0, sizeof d);
    d.path = hlt_fixture("saes/gemma2-tiny/gemmascope-jumprelu/params.npz");
    d.hook_name = "blocks.2.hook_resid_post";
    if (!hlt_need(d.path)) { hl_model_free(m); return; }
    CHECK_OK(hl_sae_load(&d, &sae, &e), &e);
    CHECK_OK(hl_cache_create(&one, &e), &e);
    CHECK_OK(hl_cache_create(&all, &e), &e);
    if (sae) CHECK_OK(hl_sae_attach(sae, m, NULL, 1, &e), &e);
    for (side = 0; sae && side < 2; side++) {
        const int64_t V = hl_model_config(m)->d_vocab;
        int64_t T, b;
        int32_t *toks = batch_tokens(V, (hl_padding_side)side, &T);
        hl_batch bt;
        memset(&bt, 0, sizeof bt);
        bt.tokens = toks, bt.n_batch = NB, bt.n_pos = T, bt.lengths = batch_len, bt.padding_side = (hl_padding_side)side;
        hl_sae_clear_edits(sae);
        if (side == HL_PAD_RIGHT) CHECK_OK(hl_sae_steer(sae, 5, 3.0f, &at, 1, &e), &e);
        CHECK_OK(hl_model_run_with_cache_batch(m, &bt, NULL, all, NULL, &e), &e);
        CHECK(hl_cache_get(all, "blocks.2.hook_resid_post.hook_sae_acts_post") != NULL);
        for (b = 0; b < NB; b++) {
            const int64_t off = side == HL_PAD_LEFT ? T - batch_len[b] : 0;
            CHECK_OK(hl_model_run_with_cache(m, toks + b * T + off, batch_len[b], NULL, one, NULL, &e), &e);
            n_cmp += batch_compare(one, all, b, batch_len[b], T, (hl_padding_side)side);
        }
        free(toks);
    }
    CHECKF(n_cmp > 6 * NB * 2, "only %d tensors compared", n_cmp);
    hl_sae_free(sae);
    hl_cache_free(one);
    hl_cache_free(all);
    hl_model_free(m);
}

/* Loss with padding: each real prediction equals the single run's, padding counts nothing, and the
   mean is over the real predictions of all rows. */
static void test_batch_loss(void) {
    hl_model *m = batch_open("gemma2-tiny", 1, 0);
    hl_error e;
    int side;
    if (!m) return;
    for (side = 0; side < 2; side++) {
        const int64_t V = hl_model_config(m)->d_vocab;
        int64_t T, b, i, cnt = 0;
        int32_t *toks = batch_tokens(V, (hl_padding_side)side, &T);
        float *lb = (float *)malloc(sizeof(float) * (size_t)(NB * T * V)), *l1 = (float *)malloc(sizeof(float) * (size_t)(T * V));
        float pt[NB * 8], p1[8];
        double mean, m1, sum = 0.0;
        hl_batch bt;
        memset(&bt, 0, sizeof bt);
        bt.tokens = toks, bt.n_batch = NB, bt.n_pos = T, bt.lengths = batch_len, bt.padding_side = (hl_padding_side)side;
        CHECK_OK(hl_model_run_batch(m, &bt, lb, &e), &e);
        CHECK_OK(hl_loss_batch(m, &bt, lb, pt, &mean, &e), &e);
        for (b = 0; b < NB; b++) {
            const int64_t off = side == HL_PAD_LEFT ? T - batch_len[b] : 0;
            CHECK_OK(hl_model_run(m, toks + b * T + off, batch_len[b], l1, &e), &e);
            CHECK_OK(hl_loss(m, toks + b * T + off, batch_len[b], l1, p1, &m1, &e), &e);
            for (i = 0; i + 1 < T; i++) {
                const int real = i >= off && i + 1 < off + batch_len[b];
                CHECKF(real ? pt[b * (T - 1) + i] == p1[i - off] : pt[b * (T - 1) + i] == 0.0f,
                       "loss_per_token[%lld, %lld] (%s)", (long long)b, (long long)i, real ? "real" : "padding");
            }
            sum += m1 * (double)(batch_len[b] - 1);
            cnt += batch_len[b] - 1;
        }
        CHECKF(fabs(mean - sum / (double)cnt) <= 1e-12 * fabs(mean), "mean loss %.17g, singles %.17g", mean, sum / (double)cnt);
        /* other pad ids change nothing */
        for (b = 0; b < NB * T; b++)
            if (toks[b] == 0 || toks[b] == (int32_t)(V - 1)) toks[b] = 7;
        for (b = 0; b < NB; b++) {
            const int64_t off = side == HL_PAD_LEFT ? T - batch_len[b] : 0;
            for (i = 0; i < T; i++)
                if (i < off || i >= off + batch_len[b]) toks[b * T + i] = 7;
        }
        CHECK_OK(hl_model_run_batch(m, &bt, lb, &e), &e);
        CHECK_OK(hl_loss_batch(m, &bt, lb, NULL, &m1, &e), &e);
        CHECKF(m1 == mean, "the loss changed with the pad id: %.17g vs %.17g", m1, mean);
        free(toks), free(lb), free(l1);
    }
    hl_model_free(m);
}

/* generate on a batch: each row equals generate on its prompt alone (greedy, and sampling with
   seed + row), for a right-padded input (moved to the left, as TL pads generate's prompts). */
static void batch_generate(const char *name, float temperature) {
    hl_model *m = batch_open(name, 1, 0);
    hl_error e;
    hl_generate_opts o;
    int32_t *out = NULL, *one = NULL, *toks;
    int64_t T, n_out = 0, n_one = 0, b, i;
    hl_batch bt;
    if (!m) return;
    toks = batch_tokens(hl_model_config(m)->d_vocab, HL_PAD_RIGHT, &T);
    memset(&bt, 0, sizeof bt);
    bt.tokens = toks, bt.n_batch = NB, bt.n_pos = T, bt.lengths = batch_len, bt.padding_side = HL_PAD_RIGHT;
    memset(&o, 0, sizeof o);
    o.max_new_tokens = 6, o.no_stop_at_eos = 1, o.temperature = temperature, o.seed = 11;
    CHECK_OK(hl_model_generate_batch(m, &bt, &o, &out, &n_out, &e), &e);
    CHECKF(n_out == T + 6, "%lld positions, want %lld", (long long)n_out, (long long)(T + 6));
    for (b = 0; out && b < NB; b++) {
        o.seed = 11 + (uint64_t)b;
        CHECK_OK(hl_model_generate(m, toks + b * T, batch_len[b], &o, &one, &n_one, &e), &e);
        CHECKF(n_one == batch_len[b] + 6, "single run: %lld tokens", (long long)n_one);
        for (i = 0; one && i < n_one; i++)
            CHECKF(out[b * n_out + T - batch_len[b] + i] == one[i], "%s row %lld token %lld: batch %d, alone %d", name,
                   (long long)b, (long long)i, out[b * n_out + T - batch_len[b] + i], one[i]);
        hl_free(one);
        one = NULL;
    }
    hl_free(out);
    free(toks);
    hl_model_free(m);
}
static void test_batch_generate_greedy(void) { batch_generate("gpt2-tiny", 0.0f); }
static void test_batch_generate_sampled(void) { batch_generate("gemma2-tiny", 1.0f); }

/* to_tokens on a list pads with the tokenizer's pad (else eos); to_str_tokens decodes a [B, T]
   block row by row; a batch of the bundled model's prompts runs. */
static void test_batch_to_tokens(void) {
    static const char *const texts[3] = {"Once upon a time", "Lily", "The cat sat on the mat and"};
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error e;
    int32_t *ids = NULL, *one = NULL;
    int64_t *lens = NULL, T = 0, n1 = 0, b, i;
    char **strs = NULL;
    int side;
    memset(&d, 0, sizeof d);
    d.path = "examples/stories260K";
    CHECK_OK(hl_model_load(&d, &m, &e), &e);
    if (!m) return;
    for (side = 0; side < 2; side++) {
        CHECK_OK(hl_model_to_tokens_batch(m, texts, 3, -1, (hl_padding_side)side, &ids, &lens, &T, &e), &e);
        if (!ids) break;
        for (b = 0; b < 3; b++) {
            const int64_t off = side == HL_PAD_LEFT ? T - lens[b] : 0;
            CHECK_OK(hl_model_to_tokens(m, texts[b], -1, &one, &n1, &e), &e);
            CHECKF(n1 == lens[b], "text %lld: %lld tokens, batch says %lld", (long long)b, (long long)n1, (long long)lens[b]);
            for (i = 0; i < T; i++) {
                const int real = i >= off && i < off + lens[b];
                CHECKF(real ? ids[b * T + i] == one[i - off] : ids[b * T + i] == hl_tokenizer_eos_id(hl_model_tokenizer(m)),
                       "ids[%lld, %lld] = %d", (long long)b, (long long)i, ids[b * T + i]);
            }
            hl_free(one);
        }
        CHECK_OK(hl_model_to_str_tokens(m, ids, 3 * T, &strs, &e), &e);
        { /* row 2 is the longest: no padding */
            const int64_t r2 = 2 * T + (side == HL_PAD_LEFT ? T - lens[2] : 0);
            CHECKF(strs && strcmp(strs[r2], "<s>") == 0 && strcmp(strs[r2 + 1], "The") == 0,
                   "to_str_tokens of the batch: row 2 starts '%s' '%s'", strs ? strs[r2] : "", strs ? strs[r2 + 1] : "");
        }
        hl_free(strs);
        hl_free(ids);
        hl_free(lens);
    }
    hl_model_free(m);
}

/* Bad batches are errors that say what is wrong. */
static void test_batch_errors(void) {
    hl_model *m = batch_open("gpt2-tiny", 1, 0);
    hl_error e;
    int32_t toks[6] = {1, 2, 3, 4, 5, 6};
    int64_t lens[2] = {3, 4};
    hl_batch bt;
    if (!m) return;
    memset(&bt, 0, sizeof bt);
    bt.tokens = toks, bt.n_batch = 2, bt.n_pos = 3, bt.lengths = lens;
    CHECK(hl_model_run_batch(m, &bt, NULL, &e) == HL_ERR_ARG && strstr(e.msg, "lengths[1] = 4"));
    lens[1] = 0;
    CHECK(hl_model_run_batch(m, &bt, NULL, &e) == HL_ERR_ARG && strstr(e.msg, "lengths[1] = 0"));
    lens[1] = 2;
    bt.padding_side = (hl_padding_side)7;
    CHECK(hl_model_run_batch(m, &bt, NULL, &e) == HL_ERR_ARG && strstr(e.msg, "padding_side"));
    bt.padding_side = HL_PAD_LEFT;
    toks[0] = 1 << 30;
    CHECK(hl_model_run_batch(m, &bt, NULL, &e) == HL_ERR_ARG && strstr(e.msg, "outside the vocabulary"));
    hl_model_free(m);
}

void suite_batch(void) {
    RUN(test_batch_gemma2);
    RUN(test_batch_gemma2_threads);
    RUN(test_batch_gpt2);
    RUN(test_batch_gptneo);
    RUN(test_batch_gptneox);
    RUN(test_batch_llama_optional_points);
    RUN(test_batch_mistral);
    RUN(test_batch_gemma1);
    RUN(test_batch_sae_splice);
    RUN(test_batch_loss);
    RUN(test_batch_generate_greedy);
    RUN(test_batch_generate_sampled);
    RUN(test_batch_to_tokens);
    RUN(test_batch_errors);
}
