/* tools/cli/cmd_convert.c - convert-llama2c: llama2.c checkpoint to a Hugging Face folder */
#include "cli.h"

/* hooklens convert-llama2c MODEL.bin TOKENIZER.bin OUT_DIR
   Writes OUT_DIR/config.json, model.safetensors and tokenizer.json (see hl_convert_llama2c) and
   prints one summary line. */
int cmd_convert_llama2c(const cli_args *a) {
    hl_error err;
    hl_llama2c_info info;
    if (a->n_pos != 3) return cli_usage("convert-llama2c");
    if (hl_convert_llama2c(a->pos[0], a->pos[1], a->pos[2], &info, &err) != HL_OK) return cli_error(&err);
    printf("%s: LlamaForCausalLM, dim %ld, hidden %ld, %ld layers, %ld heads (%ld kv), vocab %ld "
           "(%s head), seq_len %ld, %lld params, %lld merges\n",
           a->pos[2], (long)info.dim, (long)info.hidden_dim, (long)info.n_layers, (long)info.n_heads,
           (long)info.n_kv_heads, (long)info.vocab_size, info.shared_classifier ? "tied" : "untied",
           (long)info.seq_len, (long long)info.n_params, (long long)info.n_merges);
    printf("wrote %s/config.json, %s/model.safetensors, %s/tokenizer.json\n", a->pos[2], a->pos[2],
           a->pos[2]);
    return 0;
}

/* hooklens convert-gguf MODEL_DIR OUT.gguf [--dtype keep|f32|f16|bf16|q8_0|q4_0|q4_k]
   A Gemma / Gemma-2 / Gemma-3 / Llama / Mistral Hugging Face folder as the GGUF llama.cpp's
   converter writes: the config as <arch>.* metadata, tensors under GGUF names (token_embd,
   blk.N.attn_q, ...), Gemma's norm weights as f32 1 + w. Llama and Mistral become "llama" files as
   llama.cpp's LlamaModel writes them: norms as stored, q_proj / k_proj rows in its rotary-pair
   order (gguf_llama_src_row), and Mistral's sliding window, which llama.cpp ignores, under
   llama.attention.sliding_window (hooklens reads it back). Matrices keep their dtype, or are
   converted (q8_0 and q4_0 with llama.cpp's reference quantizers, q4_k by rounding to nearest;
   rows that are not whole blocks stay f32). The folder's tokenizer is not
   embedded; a placeholder SentencePiece vocabulary of the model's size (four specials, the 256
   byte pieces, then "▁tN") is, so that llama.cpp loads the file too (benchmarks of random models).
   What hooklens reads back from the file is the folder's model: with --dtype keep the same
   numbers, bit for bit. */
static const char *const gguf_names[][2] = { /* Hugging Face (after model.layers.N.) -> GGUF (after blk.N.) */
    {"input_layernorm", "attn_norm"},         {"self_attn.q_proj", "attn_q"},
    {"self_attn.k_proj", "attn_k"},           {"self_attn.v_proj", "attn_v"},
    {"self_attn.o_proj", "attn_output"},      {"self_attn.q_norm", "attn_q_norm"},
    {"self_attn.k_norm", "attn_k_norm"},      {"post_attention_layernorm", "post_attention_norm"},
    {"pre_feedforward_layernorm", "ffn_norm"}, {"post_feedforward_layernorm", "post_ffw_norm"},
    {"mlp.gate_proj", "ffn_gate"},            {"mlp.up_proj", "ffn_up"},
    {"mlp.down_proj", "ffn_down"}};

/* Llama's and Gemma-1's post_attention_layernorm is the norm before the MLP: llama.cpp's ffn_norm
   (Gemma-2/3's is the post-norm of attention) */
static const char *const gguf_names_llama[][2] = {{"post_attention_layernorm", "ffn_norm"}};

static int gguf_name(const char *hf, int llama, char *out, size_t cap) {
    size_t i;
    if (strcmp(hf, "model.embed_tokens.weight") == 0) return snprintf(out, cap, "token_embd.weight") > 0;
    if (strcmp(hf, "model.norm.weight") == 0) return snprintf(out, cap, "output_norm.weight") > 0;
    if (strcmp(hf, "lm_head.weight") == 0) return snprintf(out, cap, "output.weight") > 0;
    if (strncmp(hf, "model.layers.", 13) == 0) {
        char *end;
        long l = strtol(hf + 13, &end, 10);
        const size_t n_llama = llama ? sizeof gguf_names_llama / sizeof gguf_names_llama[0] : 0;
        const size_t n_all = n_llama + sizeof gguf_names / sizeof gguf_names[0];
        for (i = 0; *end == '.' && i < n_all; i++) {
            const char *const *e = i < n_llama ? gguf_names_llama[i] : gguf_names[i - n_llama];
            size_t k = strlen(e[0]);
            if (strncmp(end + 1, e[0], k) == 0 && end[1 + k] == '.')
                return snprintf(out, cap, "blk.%ld.%s%s", l, e[1], end + 1 + k) < (int)cap;
        }
    }
    return 0;
}

/* The GGUF general.architecture of a model hooklens converts, or NULL. */
static const char *gguf_arch(const hl_model_cfg *c) {
    switch (c->arch) {
    case HL_ARCH_GEMMA3: return "gemma3";
    case HL_ARCH_GEMMA2: return "gemma2";
    case HL_ARCH_GEMMA: return "gemma";
    case HL_ARCH_LLAMA:
    case HL_ARCH_MISTRAL: return "llama"; /* as llama.cpp's converter (LlamaModel) writes both */
    default: return NULL;
    }
}

/* The folder's row that becomes row r of the GGUF tensor `hf`. For a "llama" file, q_proj and
   k_proj rows go in llama.cpp's order (convert_hf_to_gguf.py, LlamaModel.permute with n_head for
   q and n_head_kv for k: w.reshape(heads, 2, dh/2, d).swapaxes(1, 2)): row 2i + half of a head is
   the folder's row half * dh/2 + i. Every other row stays where it is. */
static int64_t gguf_llama_src_row(const char *hf, int llama, const hl_model_cfg *c, int64_t r) {
    const size_t n = strlen(hf);
    const int64_t dh = c->d_head, j = r % dh;
    if (!llama || n < 14 || (strcmp(hf + n - 14, ".q_proj.weight") != 0 && strcmp(hf + n - 14, ".k_proj.weight") != 0))
        return r;
    return r - j + (j % 2) * (dh / 2) + j / 2;
}

int cmd_convert_gguf(const cli_args *args) {
    const char *in = args->n_pos > 0 ? args->pos[0] : NULL, *outp = args->n_pos > 1 ? args->pos[1] : NULL;
    const char *dts = cli_str(args, CLI_DTYPE, "keep"), *arch;
    hl_model_desc d;
    hl_model *m = NULL;
    hl_weights *w = NULL;
    const hl_model_cfg *c;
    hl_error err;
    hl_dtype want = HL_DTYPE_INVALID;
    size_t n, i, nt = 0;
    char (*names)[128] = NULL;
    const char **np = NULL;
    hl_tensor *ts = NULL;
    int rc = 1, llama = 0;
    if (!in || !outp) return cli_usage("convert-gguf");
    if (strcmp(dts, "keep") != 0 && (want = hl_dtype_from_name(dts, strlen(dts))) == HL_DTYPE_INVALID &&
        (want = hl_qtype_from_name(dts, strlen(dts))) == HL_DTYPE_INVALID) {
        char up[16];
        for (i = 0; i < 15 && dts[i]; i++) up[i] = (char)(dts[i] >= 'a' && dts[i] <= 'z' ? dts[i] - 32 : dts[i]);
        up[i] = 0;
        want = hl_dtype_from_name(up, strlen(up));
    }
    if (strcmp(dts, "keep") != 0 && want != HL_DTYPE_F32 && want != HL_DTYPE_F16 && want != HL_DTYPE_BF16 &&
        want != HL_DTYPE_Q8_0 && want != HL_DTYPE_Q4_0 && want != HL_DTYPE_Q4_K) {
        fprintf(stderr, "hooklens convert-gguf: --dtype %s: keep, f32, f16, bf16, q8_0, q4_0 or q4_k\n", dts);
        return 2;
    }
    memset(&d, 0, sizeof d);
    d.path = in, d.no_processing = 1, d.no_tokenizer = 1, d.n_threads = 1;
    if (hl_model_load(&d, &m, &err) != HL_OK || hl_weights_open(in, &w, &err) != HL_OK) {
        rc = cli_error(&err);
        goto done;
    }
    c = hl_model_config(m);
    if (!(arch = gguf_arch(c))) {
        fprintf(stderr, "hooklens convert-gguf: %s is %s; Gemma, Gemma-2, Gemma-3, Llama and Mistral folders are converted\n",
                in, c->architecture);
        goto done;
    }
    llama = strcmp(arch, "llama") == 0;
    n = hl_weights_count(w);
    names = calloc(n, sizeof *names), np = calloc(n, sizeof *np), ts = calloc(n, sizeof *ts);
    if (!names || !np || !ts) goto oom;
    for (i = 0; i < n; i++) {
        const hl_tensor *t = hl_weights_tensor(w, i);
        const int64_t cols = t->ndim == 2 ? t->shape[1] : t->shape[0], rows = t->ndim == 2 ? t->shape[0] : 1;
        const int norm = t->ndim == 1;
        hl_dtype to = norm ? HL_DTYPE_F32 : want == HL_DTYPE_INVALID ? t->dtype : want;
        float *row;
        int64_t r, k;
        if (!gguf_name(hl_weights_name(w, i), llama || c->arch == HL_ARCH_GEMMA, names[nt], sizeof names[nt])) {
            fprintf(stderr, "hooklens convert-gguf: no GGUF name for '%s'\n", hl_weights_name(w, i));
            goto done;
        }
        if (hl_dtype_is_quantized(to) && cols % hl_dtype_block(to) != 0) to = HL_DTYPE_F32; /* rows must be whole blocks */
        ts[nt].dtype = to, ts[nt].ndim = t->ndim, ts[nt].shape[0] = t->shape[0], ts[nt].shape[1] = t->shape[1];
        if (!(ts[nt].data = malloc(hl_tensor_nbytes(&ts[nt]) + 1)) || !(row = malloc((size_t)cols * sizeof(float)))) goto oom;
        for (r = 0; r < rows; r++) {
            uint8_t *dst = (uint8_t *)ts[nt].data + (size_t)r * hl_dtype_row_bytes(to, cols);
            const int64_t src = gguf_llama_src_row(hl_weights_name(w, i), llama, c, r);
            if ((r & 255) == 0) cli_progress("[convert-gguf: tensor %zu/%zu, %s]", i + 1, n, names[nt]);
            for (k = 0; k < cols; k++) row[k] = (norm && c->norm_plus_one ? 1.0f : 0.0f) + hl_tensor_get_f32(t, src * cols + k);
            if (hl_dtype_is_quantized(to)) {
                if (hl_quantize_row(to, row, dst, cols, &err) != HL_OK) { free(row); rc = cli_error(&err); goto done; }
            } else {
                for (k = 0; k < cols; k++) {
                    if (to == HL_DTYPE_F32) memcpy(dst + 4 * k, &row[k], 4);
                    else {
                        uint16_t hv = to == HL_DTYPE_BF16 ? hl_f32_to_bf16(row[k]) : hl_f32_to_f16(row[k]);
                        memcpy(dst + 2 * k, &hv, 2);
                    }
                }
            }
        }
        free(row);
        np[nt] = names[nt];
        nt++;
    }
    {
        char key[24][64];
        uint32_t u[12];
        float f[4];
        hl_gguf_kv_w kv[24];
        size_t nk = 0;
        const int64_t V = c->d_vocab;
        char **vocab = calloc((size_t)V, sizeof *vocab), *pool = malloc((size_t)V * 32 + 1);
        float *vs = calloc((size_t)V, sizeof *vs);
        int32_t *vt = calloc((size_t)V, sizeof *vt);
        int64_t t;
        const int with_vocab = V >= 260; /* four specials and the 256 byte pieces must fit */
        if (!vocab || !pool || !vs || !vt) {
            free(vocab), free(pool), free(vs), free(vt);
            fprintf(stderr, "hooklens convert-gguf: out of memory\n");
            goto done;
        }
        if (!with_vocab)
            fprintf(stderr, "hooklens convert-gguf: vocab %lld is too small for the placeholder vocabulary: the file has none "
                            "(hooklens loads it, llama.cpp does not)\n", (long long)V);
        for (t = 0; t < V && with_vocab; t++) {
            /* Gemma's ids (bos 2, eos 1) or SentencePiece Llama's (unk 0, bos 1, eos 2) */
            static const char *const special[2][4] = {{"<pad>", "<eos>", "<bos>", "<unk>"}, {"<unk>", "<s>", "</s>", "<pad>"}};
            vocab[t] = pool + 32 * t;
            if (t < 4) snprintf(vocab[t], 32, "%s", special[llama][t]), vt[t] = llama && t == 0 ? 2 : 3;
            else if (t < 260) snprintf(vocab[t], 32, "<0x%02X>", (unsigned)(t - 4)), vt[t] = 6;
            else snprintf(vocab[t], 32, "\xe2\x96\x81t%lld", (long long)t), vt[t] = 1, vs[t] = -(float)t;
        }
        u[10] = llama ? 1 : 2, u[11] = llama ? 2 : 1;
        if (with_vocab) {
            kv[nk].key = "tokenizer.ggml.model", kv[nk].type = HL_GGUF_STRING, kv[nk].val = "llama", nk++;
            kv[nk].key = "tokenizer.ggml.tokens", kv[nk].type = HL_GGUF_ARRAY, kv[nk].arr_type = HL_GGUF_STRING;
            kv[nk].count = (uint64_t)V, kv[nk].val = vocab, nk++;
            kv[nk].key = "tokenizer.ggml.scores", kv[nk].type = HL_GGUF_ARRAY, kv[nk].arr_type = HL_GGUF_FLOAT32;
            kv[nk].count = (uint64_t)V, kv[nk].val = vs, nk++;
            kv[nk].key = "tokenizer.ggml.token_type", kv[nk].type = HL_GGUF_ARRAY, kv[nk].arr_type = HL_GGUF_INT32;
            kv[nk].count = (uint64_t)V, kv[nk].val = vt, nk++;
        }
        kv[nk].key = "tokenizer.ggml.bos_token_id", kv[nk].type = HL_GGUF_UINT32, kv[nk].val = &u[10], nk++;
        kv[nk].key = "tokenizer.ggml.eos_token_id", kv[nk].type = HL_GGUF_UINT32, kv[nk].val = &u[11], nk++;
#define KV(kname, ty, ptr) (snprintf(key[nk], sizeof key[nk], "%s.%s", arch, kname), kv[nk].key = key[nk], kv[nk].type = ty, \
                            kv[nk].val = ptr, nk++)
        kv[nk].key = "general.architecture", kv[nk].type = HL_GGUF_STRING, kv[nk].val = arch, nk++;
        kv[nk].key = "general.alignment", kv[nk].type = HL_GGUF_UINT32, kv[nk].val = &u[9], nk++;
        u[0] = (uint32_t)c->n_ctx, u[1] = (uint32_t)c->d_model, u[2] = (uint32_t)c->n_layers, u[3] = (uint32_t)c->d_mlp;
        u[4] = (uint32_t)c->n_heads, u[5] = (uint32_t)c->n_kv_heads, u[6] = (uint32_t)c->d_head, u[7] = (uint32_t)c->d_head;
        u[8] = (uint32_t)(c->window > 0 ? c->window : 4096), u[9] = 32;
        f[0] = c->eps, f[1] = c->rope_theta, f[2] = c->attn_softcap, f[3] = c->final_softcap;
        KV("context_length", HL_GGUF_UINT32, &u[0]);
        KV("embedding_length", HL_GGUF_UINT32, &u[1]);
        KV("block_count", HL_GGUF_UINT32, &u[2]);
        KV("feed_forward_length", HL_GGUF_UINT32, &u[3]);
        KV("attention.head_count", HL_GGUF_UINT32, &u[4]);
        KV("attention.head_count_kv", HL_GGUF_UINT32, &u[5]);
        KV("attention.key_length", HL_GGUF_UINT32, &u[6]);
        KV("attention.value_length", HL_GGUF_UINT32, &u[7]);
        if (!llama || c->window > 0) KV("attention.sliding_window", HL_GGUF_UINT32, &u[8]); /* llama: Mistral's */
        if (llama) KV("rope.dimension_count", HL_GGUF_UINT32, &u[6]);
        KV("attention.layer_norm_rms_epsilon", HL_GGUF_FLOAT32, &f[0]);
        KV("rope.freq_base", HL_GGUF_FLOAT32, &f[1]);
        if (c->attn_softcap > 0) KV("attn_logit_softcapping", HL_GGUF_FLOAT32, &f[2]);
        if (c->final_softcap > 0) KV("final_logit_softcapping", HL_GGUF_FLOAT32, &f[3]);
#undef KV
        cli_progress("[convert-gguf: writing %s]", outp);
        t = hl_gguf_write(outp, kv, nk, np, ts, nt, &err) != HL_OK;
        cli_progress_end();
        free(vocab), free(pool), free(vs), free(vt);
        if (t) {
            rc = cli_error(&err);
            goto done;
        }
    }
    printf("%s: %s, %zu tensors (%s matrices)\n", outp, arch, nt, want == HL_DTYPE_INVALID ? "stored" : hl_dtype_name(want));
    rc = 0;
    goto done;
oom:
    fprintf(stderr, "hooklens convert-gguf: out of memory\n");
done:
    for (i = 0; ts && i < nt + 1 && i < hl_weights_count(w); i++) free(ts[i].data);
    free(names), free(np), free(ts);
    hl_weights_close(w);
    hl_model_free(m);
    return rc;
}
