/* hooklens.h - v0.7.0 - mechanistic interpretability for transformers on the CPU, in one C header

   hooklens runs Hugging Face transformer checkpoints (Gemma-2 first, also Gemma-1, Llama, Mistral,
   GPT-2, GPT-Neo, GPT-NeoX) on the CPU with TransformerLens-named hook points, activation caches and
   sparse autoencoders (GemmaScope params.npz, Gemma Scope 2 params.safetensors, SAELens folders). It
   needs libc, libm and pthreads.

   CONTENTS
     QUICK START . OPTIONS . HOOK POINTS . OWNERSHIP . THREADS & DETERMINISM . ERRORS . SECURITY
     . DOES NOT . RECENT CHANGES
     The public API (after this comment), the internals' declarations (INTERNALS), then the
     implementation after #ifdef HL_IMPLEMENTATION, with greppable banners in pipeline order:
       >>config >>util >>io >>json >>safetensors >>npz >>gguf >>unicode >>tokenizer >>threads >>kernels
       >>model (hook points, config, weights, load, hooks, the pass, cache, forward, run, generate,
       helpers) >>sae >>analysis >>scan
     The public API has one block per module in the same order (>>api_json ... >>api_scan).
     The tools of the command line and the examples (HTML views, explanation search, the SAE
     release directory, test_prompt reports, max-activation streaming, the llama2.c converter,
     gzip) are a second header, tools/hooklens_tools.h, built on this one.

   QUICK START
     In exactly ONE .c file:
         #define HL_IMPLEMENTATION
         #include "hooklens.h"
     Everywhere else just #include "hooklens.h".

   OPTIONS (define before the #include that has HL_IMPLEMENTATION)
     HL_STATIC              make every public symbol static
     HL_API                 decoration of public declarations (default extern)
     HL_MALLOC/HL_REALLOC/HL_FREE   define all three or none
     HL_NO_STDIO            no file access: models, tokenizers, safetensors and npz load from memory
                            (the functions that take a path return HL_ERR_UNSUPPORTED)
     HL_NO_MMAP             always read files into owned memory instead of mmap
     HL_NO_THREADS          no pthreads; results are the same bits
     HL_NO_SIMD             scalar kernels only (also forceable at run time: HL_KERNELS_SCALAR)
     HL_INTERNAL            also declare (and, in the implementation's file, export) the kernel tables
                            and the thread pool, for tests and benchmarks (see INTERNALS)
     HL_MAX_HEADER_BYTES    largest safetensors/npy header accepted (default 100 MB)
     HL_MAX_JSON_DEPTH      deepest JSON nesting accepted (default 128)
     HL_MAX_TENSORS         most tensors in one safetensors file (default 65536)
     HL_MAX_DIMS            most dimensions of a tensor (default 8)
     HL_NPZ_VERIFY_STORED_MAX  stored npz members up to this size get their CRC-32 checked
     HL_SCRATCH_KEEP        a model keeps its forward scratch between passes up to this many bytes
                            (default 256 MiB; 0 frees it after every pass)

   HOOK POINTS
     Every TransformerLens hook point hooklens fires is declared once, in HL_HOOK_LIST (section
     api_model): id, TL name pattern with {L} for the layer, its dimensions as symbols (one function
     turns them into the shape of a point in a pass), and when it exists or fires. The forward pass
     fires each through one macro, HL__HOOK, at exactly the point its TL namesake marks. A point with
     a splice (an attached SAE) has sub-points, "<hook>.hook_sae_{input,acts_pre,acts_post,recons,
     error,output}" (HL_SUB_LIST).

   OWNERSHIP
     Every hl_x_load/create has an hl_x_free (NULL is a no-op). Pointers inside an object (weights,
     names, vocab strings, cached tensors) are borrowed and live as long as their owner. Arrays and
     strings returned to the caller (token ids, text, reports) are freed with hl_free. A hook's
     tensor view is valid only during the call: copy it (or use an hl_cache) to keep it.

   THREADS & DETERMINISM
     One pthreads pool per model (n_threads, 0 = online cores), shared by the SAEs attached to it; a
     detached SAE has its own. Work is split only over independent outputs (matmul rows/columns,
     heads, positions), never inside a reduction, so logits and every hook value are bit-identical
     for any thread count. Distinct objects may be used from distinct threads; one object by one
     thread at a time. Hooks run on the calling thread, in forward order. No -ffast-math anywhere;
     the scalar kernels are the reference.

   ERRORS
     Every fallible call returns an hl_status and fills an optional hl_error with a specific message
     naming the file, the key or tensor and the numbers that disagreed. Library code never aborts,
     exits or prints on bad input.

   SECURITY
     Every parser (JSON, safetensors, npy/npz/zip, inflate, tokenizer.json, config.json, SAE cfg)
     treats its input as hostile: sizes are checked by subtraction against what remains, products are
     overflow-checked, and any crash, hang or out-of-bounds read on any input is a bug.

   DOES NOT
     train, use a GPU, download anything, train tokenizers, write HTML, search explanations, know
     which SAEs were published, or convert checkpoints (hooklens_tools.h does the last four).

   RECENT CHANGES (the full list is REVISION HISTORY, at the end)
     0.7.0  HL_FAST_INT8 (desc.fast = 2): fast mode with x as one 8-bit term per block of 32, as
            llama.cpp quantizes activations; the Q8_0/Q5_0/Q4_0 prefill does half the int8 work
            (gemma-2-2b Q8_0 prefill 1.9-2.0x llama.cpp here). desc.fast outside 0..2 is an error.
            Fast mode's 8-bit products on AVX2 (vpmaddwd) and NEON (vmull_s16), the scalar
            reference's bits (both were exact mode there). Fast mode's scalar reference no longer meets a GCC 12 miscompile under
            -march=native (same bits otherwise); make NATIVE=1 builds and tests that way.
     0.6.0  API CHANGE: hl_scan_config.ctx_radius and hl_scan_add_ctx: every kept example carries
            its window's tokens and the feature's activations around it, through merges;
            hl_scan_view has them. Ablation (hl_model_add_ablation, hl_ablation_mean) and
            hl_act_patch_ext (the metric before Gemma-2's final softcap); a layer's patching
            cells run as one batch. Fast mode's Q8_0/Q5_0/Q4_0 products sum each block of 32 as
            one exact integer (a new order: the bits differ from 0.5.0's), prefill in the VNNI
            GEMM layout. The scan's statistics split over the pool by feature range, the SAE
            decode vectorised with the scalar bits. HL_VERSION_MINOR/PATCH now match the string
            (0.5.0 said 0.4.1 there).
     0.5.0  API CHANGE: batches with padding (hl_batch, hl_model_run_batch, run_with_cache_batch,
            generate_batch, hl_loss_batch, hl_model_to_tokens_batch): every hook has a real batch
            dimension and a sequence's real positions equal its single run bit for bit;
            hl_hook_info has n_batch and n_pos. HL_DTYPE_U16 (numpy "<u2"; the dtype ids after U8
            moved by one). Feature statistics over a corpus (>>scan: hl_scan_*: counts, max, exact
            fixed-point sums, top-k, histograms, interval samples, logit effects; shards merge to
            the same bytes); in the tools: corpora, hl_scanrun, hl_scan_merge_files, dashboards.
     0.4.1  Fast mode's 8-bit products take x as two 8-bit terms per block (about 15 bits: KL 1.5e-8
            from gemma-3-270m's float64 reference, was 4.05e-3), with a scalar reference
            (hl_model_kernels "scalar+q8" when HL_KERNELS_SCALAR and desc.fast). Llama GGUF files
            (llama.cpp's q/k row order undone; Mistral's window) and "gpt2" GGUF tokenizers
            (pre-tokenizer "gpt-2"); Gemma-1 GGUF norm names as llama.cpp's (ffn_norm): Gemma-1
            files written by 0.4.0's convert-gguf no longer load. hl_quantize_row writes Q4_K. The
            CLI has one option table (hooklens CMD --help).
     0.4.0  API CHANGE: GGUF files (>>gguf: hl_gguf_* read and hl_gguf_write; hl_model_load and
            hl_tokenizer_load take a .gguf path, with its embedded tokenizer); block-quantized
            dtypes HL_DTYPE_Q4_0 ... HL_DTYPE_Q6_K (HL_QTYPE_LIST, hl_dtype_size 0,
            hl_dtype_row_bytes, hl_dequantize_row, hl_quantize_row); desc.fast also means 8-bit
            products for Q8_0/Q5_0/Q4_0 weights; Gemma-3 (HL_ARCH_GEMMA3, hl_model_cfg.qk_norm,
            rope_local_theta, rope_scale); new points attn.hook_q_normed / hook_k_normed (hl_hook
            ids after HL_HOOK_ATTN_V moved by two).
     0.3.0  API CHANGE: GPT-2, GPT-Neo and GPT-NeoX; TransformerLens's weight processing on by
            default (desc.no_processing, desc.skip_processing, hl_model_cfg.processing: Gemma-1,
            Llama and Mistral logits are now centred over the vocabulary, as TL's);
            desc.tl_window_parity removed; hook_pos_embed is a new point (hl_hook ids after
            HL_HOOK_EMBED moved by one); a hook name or glob matching nothing is an error;
            hl_model_save_activations takes metadata; the analyses (>>analysis); hl_model_run_from;
            HL_KERNELS_CBLAS (HL_USE_CBLAS).
     0.2.0  API CHANGE: the views, explanation search, SAE directory, test_prompt report, max-acts
            and llama2.c converter moved to tools/hooklens_tools.h; hl_model_fire takes the
            splice's hl_hook_info and a sub-point id; hl_hook_info has sub and pass; models load
            from memory; hl_model_hook_shape, hl_model_kernels, hl_sub_name,
            hl_sae_attached_model, hl_weights_open_memory are new. Same bits as 0.1.0.

   LICENSE: MIT, full text at the end of this file.
*/
#ifndef HOOKLENS_H_INCLUDED
#define HOOKLENS_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define HL_VERSION_MAJOR  0
#define HL_VERSION_MINOR  7
#define HL_VERSION_PATCH  0
#define HL_VERSION_STRING "0.7.0"

#ifndef HL_API
#    ifdef HL_STATIC /* a program that calls only part of the API leaves the rest unused */
#        if defined(__GNUC__)
#            define HL_API static __attribute__((unused))
#        else
#            define HL_API static
#        endif
#    else
#        define HL_API extern
#    endif
#endif

/* Limits on what a file may ask for (see OPTIONS); going past one is HL_ERR_LIMIT. */
#ifndef HL_MAX_DIMS
#    define HL_MAX_DIMS 8
#endif
#ifndef HL_MAX_HEADER_BYTES
#    define HL_MAX_HEADER_BYTES ((uint64_t)100 * 1000 * 1000)
#endif
#ifndef HL_MAX_JSON_DEPTH
#    define HL_MAX_JSON_DEPTH 128
#endif
#ifndef HL_MAX_TENSORS
#    define HL_MAX_TENSORS 65536
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ==== status and errors ================================================================== */
/* clang-format off */
#define HL_STATUS_LIST(X) \
    X(OK,              "ok") \
    X(ERR_ARG,         "invalid argument") \
    X(ERR_IO,          "i/o error") \
    X(ERR_FORMAT,      "malformed file") \
    X(ERR_UNSUPPORTED, "valid but unsupported") \
    X(ERR_LIMIT,       "exceeds an HL_MAX_* limit") \
    X(ERR_SHAPE,       "shape mismatch") \
    X(ERR_OOM,         "out of memory") \
    X(ERR_NOT_FOUND,   "not found") \
    X(ERR_ABORTED,     "stopped by a hook or callback")
/* clang-format on */
typedef enum hl_status {
#define HL__X(id, text) HL_##id,
    HL_STATUS_LIST(HL__X)
#undef HL__X
    HL_STATUS_COUNT
} hl_status;

/* The optional last argument of every fallible call. No globals, no thread-local state. */
typedef struct hl_error {
    hl_status status;
    char msg[512];
} hl_error;

HL_API const char *hl_status_str(hl_status s);
HL_API const char *hl_version(void);
/* Frees any array or string the library returned to the caller (token ids, decoded text, ...). */
HL_API void        hl_free(void *p);

/* ==== dtypes and tensors ================================================================= */
/* clang-format off */
/*  id     safetensors  numpy  bytes */
#define HL_DTYPE_LIST(X) \
    X(F64,  "F64",  "f8", 8) \
    X(F32,  "F32",  "f4", 4) \
    X(F16,  "F16",  "f2", 2) \
    X(BF16, "BF16", "",   2) \
    X(I64,  "I64",  "i8", 8) \
    X(I32,  "I32",  "i4", 4) \
    X(I16,  "I16",  "i2", 2) \
    X(I8,   "I8",   "i1", 1) \
    X(U8,   "U8",   "u1", 1) \
    X(U16,  "U16",  "u2", 2) \
    X(BOOL, "BOOL", "b1", 1)
/* clang-format on */
/* Block-quantized weights as llama.cpp stores them (GGUF, ggml.h's ggml_type ids). A row of n
   values (n a multiple of the block) is n / block blocks, each block_bytes long:
     Q4_0  d f16, 16 bytes of 4-bit q                 x = (q - 8) d
     Q4_1  d f16, m f16, 16 bytes of 4-bit q          x = q d + m
     Q5_0  d f16, 4 bytes high bits, 16 bytes low     x = (q - 16) d
     Q5_1  d f16, m f16, 4 + 16 bytes                 x = q d + m
     Q8_0  d f16, 32 int8                             x = q d
     Q2_K  super-block of 16 x 16: 16 bytes of 4-bit scale and min, 64 bytes of 2-bit q, d, dmin
                                                      x = (d sc_j) q - (dmin m_j)
     Q3_K  32 bytes of third bits, 64 bytes of 2-bit q, 12 bytes of 6-bit scales, d
                                                      x = (d (sc_j - 32)) (q - 4 [third bit 0])
     Q4_K  super-block of 8 x 32: d, dmin f16, 12 bytes of 6-bit scales and mins, 128 bytes of q
                                                      x = (d sc_j) q - (dmin m_j)
     Q5_K  as Q4_K plus 32 bytes of fifth bits
     Q6_K  128 bytes low 4 bits, 64 bytes high 2 bits, 16 int8 scales, d f16
                                                      x = (d sc_j) (q - 32)
   hl_dtype_size is 0 for these (they have no per-element size); hl_dtype_row_bytes gives the
   bytes of a row. The formulas above are evaluated exactly as llama.cpp's dequantize_row_* do
   (multiply, then add; no fused multiply-add), so dequantized values are the same bits. */
/* clang-format off */
/*  id     name     ggml id  block  bytes */
#define HL_QTYPE_LIST(X) \
    X(Q4_0, "Q4_0",  2,  32,  18) \
    X(Q4_1, "Q4_1",  3,  32,  20) \
    X(Q5_0, "Q5_0",  6,  32,  22) \
    X(Q5_1, "Q5_1",  7,  32,  24) \
    X(Q8_0, "Q8_0",  8,  32,  34) \
    X(Q2_K, "Q2_K", 10, 256,  84) \
    X(Q3_K, "Q3_K", 11, 256, 110) \
    X(Q4_K, "Q4_K", 12, 256, 144) \
    X(Q5_K, "Q5_K", 13, 256, 176) \
    X(Q6_K, "Q6_K", 14, 256, 210)
/* clang-format on */
typedef enum hl_dtype {
    HL_DTYPE_INVALID = 0,
#define HL__X(id, st, np, sz) HL_DTYPE_##id,
    HL_DTYPE_LIST(HL__X)
#undef HL__X
#define HL__X(id, nm, gg, blk, bb) HL_DTYPE_##id,
    HL_QTYPE_LIST(HL__X)
#undef HL__X
    HL_DTYPE_COUNT
} hl_dtype;

HL_API size_t      hl_dtype_size(hl_dtype t);     /* bytes per element; 0 for INVALID and quantized */
HL_API const char *hl_dtype_name(hl_dtype t);     /* safetensors spelling: "F32", "BF16", ...; "Q4_K" */
HL_API hl_dtype    hl_dtype_from_name(const char *s, size_t len); /* dense only; INVALID if unknown */
HL_API hl_dtype    hl_qtype_from_name(const char *s, size_t len); /* "Q8_0", "q4_k", ...; INVALID */
HL_API int         hl_dtype_is_quantized(hl_dtype t);
HL_API int64_t     hl_dtype_block(hl_dtype t);     /* elements per block: 1 dense, 32 or 256 */
/* Bytes of n consecutive elements of one row; 0 when n is not a whole number of blocks. */
HL_API uint64_t    hl_dtype_row_bytes(hl_dtype t, int64_t n);
/* Dequantizes (or converts) n elements of a row of type t at src into dst: any float dtype or a
   quantized one; n a multiple of the block. */
HL_API hl_status   hl_dequantize_row(hl_dtype t, const void *src, float *dst, int64_t n, hl_error *err);
/* The reverse, for writing files: n values (a multiple of 32) to Q8_0 or Q4_0 blocks as llama.cpp's
   quantize_row_q8_0_ref / quantize_row_q4_0_ref compute them; or (n a multiple of 256) to Q4_K
   blocks by rounding to nearest (a valid Q4_K, not the bytes of llama.cpp's iterative search). */
HL_API hl_status   hl_quantize_row(hl_dtype t, const float *src, void *dst, int64_t n, hl_error *err);

/* A dense, row-major (C order) tensor view. Shapes are written outermost first, as in PyTorch:
   x: [pos, d_model] means x[p*d_model + i]. `data` is borrowed unless the owner says otherwise. */
typedef struct hl_tensor {
    hl_dtype dtype;
    int      ndim;
    int64_t  shape[HL_MAX_DIMS];
    void    *data;
} hl_tensor;

HL_API int64_t hl_tensor_numel(const hl_tensor *t);
HL_API size_t  hl_tensor_nbytes(const hl_tensor *t);
/* Convert element i of any float dtype (F64/F32/F16/BF16) to float; integer dtypes convert too. */
HL_API float   hl_tensor_get_f32(const hl_tensor *t, int64_t i);

/* Scalar conversions, IEEE round-to-nearest-even on the way down; NaN stays NaN. */
HL_API float    hl_bf16_to_f32(uint16_t h);
HL_API uint16_t hl_f32_to_bf16(float f);
HL_API float    hl_f16_to_f32(uint16_t h);
HL_API uint16_t hl_f32_to_f16(float f);

/* >>api_json ================================================================================ */
/* A small RFC 8259 JSON parser (used for config.json, tokenizer.json, safetensors headers, SAE
   cfg.json, index files and explanation exports). The whole document is parsed into one arena owned
   by an hl_json_doc; every node, key and string is borrowed from it. Strings are decoded UTF-8 (all
   escapes, \u surrogate pairs), NUL-terminated, and may contain NUL bytes (use `len`). Invalid UTF-8,
   trailing garbage and nesting deeper than HL_MAX_JSON_DEPTH are errors. */
typedef enum hl_json_type {
    HL_JSON_INVALID = 0,
    HL_JSON_NULL,
    HL_JSON_BOOL,
    HL_JSON_NUMBER,
    HL_JSON_STRING,
    HL_JSON_ARRAY,
    HL_JSON_OBJECT
} hl_json_type;

typedef struct hl_json hl_json;
struct hl_json {
    hl_json_type type;
    int          boolean; /* BOOL: 0 or 1 */
    int          is_int;  /* NUMBER: the literal had no fraction/exponent and fits in int64 */
    int64_t      i64;     /* NUMBER: exact value when is_int */
    double       num;     /* NUMBER: value as a double (always set) */
    const char  *str;     /* STRING: decoded bytes, NUL-terminated */
    size_t       len;     /* STRING: byte length; ARRAY/OBJECT: number of children */
    hl_json     *kids;    /* ARRAY/OBJECT: the children, contiguous, in document order */
    const char  *key;     /* set on the children of an OBJECT: the member name, NUL-terminated */
    size_t       key_len;
};
typedef struct hl_json_doc hl_json_doc;

/* Parses `len` bytes of JSON text. [in] text (borrowed only during the call) [out] *out.
   Returns HL_OK, HL_ERR_FORMAT (with line:column), HL_ERR_LIMIT (depth) or HL_ERR_OOM.
   Frees with hl_json_free. */
HL_API hl_status      hl_json_parse(const char *text, size_t len, hl_json_doc **out, hl_error *err);
HL_API void           hl_json_free(hl_json_doc *doc);
HL_API const hl_json *hl_json_root(const hl_json_doc *doc);
/* Member of an object by key (the first if duplicated); NULL if `obj` is not an object or lacks it. */
HL_API const hl_json *hl_json_get(const hl_json *obj, const char *key);
/* Element i of an array or object; NULL when out of range or not a container. */
HL_API const hl_json *hl_json_at(const hl_json *v, size_t i);
/* Typed reads with a default for a NULL or wrongly typed value. */
HL_API const char    *hl_json_str(const hl_json *v, const char *dflt);
HL_API double         hl_json_num(const hl_json *v, double dflt);
HL_API int64_t        hl_json_int(const hl_json *v, int64_t dflt); /* only exact integers */
HL_API int            hl_json_bool(const hl_json *v, int dflt);

/* <<api_json */

/* >>api_safetensors ========================================================================= */
/* safetensors (https://github.com/huggingface/safetensors): u64 LE header length n, n bytes of JSON
   {"name": {"dtype","shape","data_offsets":[begin,end]}, "__metadata__": {str: str}}, then the data
   section. Tensors are borrowed, read-only views into the mapped file (copied only when a tensor's
   offset is not aligned to its element size). */
typedef struct hl_safetensors hl_safetensors;

HL_API hl_status hl_safetensors_open(const char *path, hl_safetensors **out, hl_error *err);
/* Same, over memory the caller keeps alive until hl_safetensors_close. `name` is used in messages. */
HL_API hl_status hl_safetensors_open_memory(const void *data, size_t size, const char *name,
                                            hl_safetensors **out, hl_error *err);
HL_API void             hl_safetensors_close(hl_safetensors *st);
HL_API size_t           hl_safetensors_count(const hl_safetensors *st);
HL_API const char      *hl_safetensors_name(const hl_safetensors *st, size_t i);
HL_API const hl_tensor *hl_safetensors_tensor(const hl_safetensors *st, size_t i);
HL_API const hl_tensor *hl_safetensors_find(const hl_safetensors *st, const char *name); /* or NULL */
/* Value of a "__metadata__" entry, or NULL. */
HL_API const char      *hl_safetensors_metadata(const hl_safetensors *st, const char *key);
/* The "__metadata__" entries in file order: count, and key i (NULL when out of range). */
HL_API size_t           hl_safetensors_metadata_count(const hl_safetensors *st);
HL_API const char      *hl_safetensors_metadata_key(const hl_safetensors *st, size_t i);

/* A model's weights: one .safetensors file, a folder with model.safetensors (preferred, as in HF
   transformers) or model.safetensors.index.json, or the index file itself. The index's "weight_map"
   names a shard (a plain file name in the index's folder) for every tensor; each shard is opened
   once and must contain the tensors mapped to it. The weights are exactly the weight_map's names,
   in its order. Tensors are borrowed until hl_weights_close. A folder with neither file is
   HL_ERR_NOT_FOUND. */
typedef struct hl_weights hl_weights;
HL_API hl_status        hl_weights_open(const char *path, hl_weights **out, hl_error *err);
/* The same over safetensors images in memory, one per shard (borrowed until hl_weights_close): the
   weights are the tensors of every image, in order; a name in two images is HL_ERR_FORMAT. */
HL_API hl_status        hl_weights_open_memory(const void *const *images, const size_t *sizes, size_t n,
                                               hl_weights **out, hl_error *err);
HL_API void             hl_weights_close(hl_weights *w);
HL_API size_t           hl_weights_count(const hl_weights *w);
HL_API const char      *hl_weights_name(const hl_weights *w, size_t i);
HL_API const hl_tensor *hl_weights_tensor(const hl_weights *w, size_t i);
HL_API const hl_tensor *hl_weights_find(const hl_weights *w, const char *name); /* or NULL */
HL_API uint64_t         hl_weights_total_bytes(const hl_weights *w);

/* Writes n tensors (any dtype) to a safetensors file that Python's safetensors loads: header keys in
   the given order, header padded with spaces to a multiple of 8, data laid out largest element size
   first so that every tensor is aligned to its element size with no gaps. Written to "<path>.tmp"
   and renamed, so a failure never leaves a partial file under `path`. Names must be unique, valid
   UTF-8 and not "__metadata__" (else HL_ERR_ARG).
   `meta` is NULL or a NULL-terminated list of key, value, key, value, ... strings. */
HL_API hl_status hl_safetensors_write(const char *path, const char *const *names,
                                      const hl_tensor *tensors, size_t n, const char *const *meta,
                                      hl_error *err);

/* <<api_safetensors */

/* >>api_npz ================================================================================= */
/* numpy .npy (versions 1, 2, 3; little-endian f8 f4 f2 i8 i4 i2 i1 u1 u2 b1; C order) and .npz (a ZIP
   of .npy members, ZIP64 aware). Stored members are borrowed views into the mapped file; deflated
   members (np.savez_compressed) are inflated into memory owned by the hl_npz. Every tensor's data
   is aligned to its element size: a stored member at a misaligned file offset is copied into owned
   memory (numpy aligns the data within the member, not within the file). CRC-32 is verified for
   every deflated member and for stored members up to HL_NPZ_VERIFY_STORED_MAX bytes (default
   64 MiB); bigger stored members are not read at open. Members not ending in ".npy" are skipped.
   Also raw DEFLATE (RFC 1951) and CRC-32 (gzip is in hooklens_tools.h). */
typedef struct hl_npz hl_npz;

HL_API hl_status        hl_npz_open(const char *path, hl_npz **out, hl_error *err);
HL_API hl_status        hl_npz_open_memory(const void *data, size_t size, const char *name,
                                           hl_npz **out, hl_error *err); /* borrows data */
HL_API void             hl_npz_close(hl_npz *z);
HL_API size_t           hl_npz_count(const hl_npz *z);
HL_API const char      *hl_npz_name(const hl_npz *z, size_t i); /* member name without ".npy" */
HL_API const hl_tensor *hl_npz_tensor(const hl_npz *z, size_t i);
HL_API const hl_tensor *hl_npz_find(const hl_npz *z, const char *name); /* or NULL */
/* Parses one .npy image; *out borrows `data` (copied nowhere), so out->data is aligned only if
   `data` + header length is (the header pads the data to 64 bytes from the image start). */
HL_API hl_status        hl_npy_parse(const void *data, size_t size, hl_tensor *out, hl_error *err);

HL_API uint32_t  hl_crc32(uint32_t crc, const void *data, size_t n); /* start with crc = 0 */
/* Inflates a raw DEFLATE stream into dst[cap]; *out_len bytes written, *in_used bytes consumed. */
HL_API hl_status hl_inflate(const void *src, size_t n, void *dst, size_t cap, size_t *out_len,
                            size_t *in_used, hl_error *err);
/* <<api_npz */

/* >>api_gguf ================================================================================ */
/* GGUF, llama.cpp's model file (versions 2 and 3; ggml/docs/gguf.md): "GGUF", u32 version, u64
   tensor count, u64 metadata count; metadata as (string key, u32 type, value); tensor infos as
   (string name, u32 n_dims, u64 ne[n_dims] innermost first, u32 ggml type, u64 offset); then, at
   the next multiple of general.alignment (default 32), the data section. Strings are u64 length +
   bytes. Every value type is read, arrays included (arrays of arrays are checked and skipped:
   their elements are not offered). Tensors are borrowed views into the mapped file with the shape
   written outermost first as everywhere in hooklens (ne reversed: a Linear weight ne = [in, out]
   is [out, in]), in their stored type (F32, F16, BF16, F64, I8-I64 or a quantized type). The file
   is hostile: every size is checked against the bytes that remain, products for overflow, offsets
   for alignment, bounds and overlap. */
typedef struct hl_gguf hl_gguf;
/* clang-format off */
#define HL_GGUF_TYPE_LIST(X) \
    X(UINT8, 0, 1) X(INT8, 1, 1) X(UINT16, 2, 2) X(INT16, 3, 2) X(UINT32, 4, 4) X(INT32, 5, 4) \
    X(FLOAT32, 6, 4) X(BOOL, 7, 1) X(STRING, 8, 0) X(ARRAY, 9, 0) X(UINT64, 10, 8) X(INT64, 11, 8) \
    X(FLOAT64, 12, 8)
/* clang-format on */
typedef enum hl_gguf_type {
#define HL__X(id, v, sz) HL_GGUF_##id = v,
    HL_GGUF_TYPE_LIST(HL__X)
#undef HL__X
    HL_GGUF_TYPE_COUNT
} hl_gguf_type;

HL_API hl_status        hl_gguf_open(const char *path, hl_gguf **out, hl_error *err);
HL_API hl_status        hl_gguf_open_memory(const void *data, size_t size, const char *name, hl_gguf **out,
                                            hl_error *err); /* borrows data */
HL_API void             hl_gguf_close(hl_gguf *g);
HL_API uint32_t         hl_gguf_version(const hl_gguf *g);
HL_API uint64_t         hl_gguf_alignment(const hl_gguf *g);
HL_API const char      *hl_gguf_type_name(hl_gguf_type t); /* "UINT8", ... */
/* Metadata, in file order. Scalars read as numbers (any integer, float or bool type) or strings;
   arrays by element. String values are borrowed from the file and NOT NUL-terminated: use *len. */
HL_API size_t           hl_gguf_kv_count(const hl_gguf *g);
HL_API const char      *hl_gguf_kv_key(const hl_gguf *g, size_t i);
HL_API int64_t          hl_gguf_kv_find(const hl_gguf *g, const char *key); /* -1 if absent */
HL_API hl_gguf_type     hl_gguf_kv_type(const hl_gguf *g, size_t i);
HL_API int              hl_gguf_get_num(const hl_gguf *g, size_t i, double *out);   /* 1 if numeric */
HL_API int              hl_gguf_get_int(const hl_gguf *g, size_t i, int64_t *out);  /* 1 if integer/bool */
HL_API const char      *hl_gguf_get_str(const hl_gguf *g, size_t i, size_t *len);  /* NULL if not a string */
HL_API hl_gguf_type     hl_gguf_arr_type(const hl_gguf *g, size_t i);              /* of the elements */
HL_API uint64_t         hl_gguf_arr_count(const hl_gguf *g, size_t i);             /* 0 if not an array */
HL_API int              hl_gguf_arr_num(const hl_gguf *g, size_t i, uint64_t j, double *out);
HL_API int              hl_gguf_arr_int(const hl_gguf *g, size_t i, uint64_t j, int64_t *out);
HL_API const char      *hl_gguf_arr_str(const hl_gguf *g, size_t i, uint64_t j, size_t *len);
/* Tensors, in file order. */
HL_API size_t           hl_gguf_tensor_count(const hl_gguf *g);
HL_API const char      *hl_gguf_tensor_name(const hl_gguf *g, size_t i);
HL_API const hl_tensor *hl_gguf_tensor(const hl_gguf *g, size_t i);
HL_API const hl_tensor *hl_gguf_find(const hl_gguf *g, const char *name); /* or NULL */
HL_API uint32_t         hl_gguf_tensor_ggml_type(const hl_gguf *g, size_t i);
HL_API uint64_t         hl_gguf_tensor_offset(const hl_gguf *g, size_t i); /* from the file's start */
/* Writing (version 3, alignment 32): metadata entries, then the tensors (any dtype hl_gguf_open
   reads; quantized data as stored). val points at one scalar of `type`, a NUL-terminated string
   (STRING), or for ARRAY `count` elements of arr_type (strings: const char *const *). */
typedef struct hl_gguf_kv_w {
    const char  *key;
    hl_gguf_type type, arr_type;
    uint64_t     count;
    const void  *val;
} hl_gguf_kv_w;
HL_API hl_status        hl_gguf_write(const char *path, const hl_gguf_kv_w *kv, size_t n_kv, const char *const *names,
                                      const hl_tensor *tensors, size_t n, hl_error *err);
/* <<api_gguf */

/* >>api_tokenizer =========================================================================== */
/* Hugging Face tokenizer.json (BPE models: Gemma, GPT-2, NeoX/Pythia, Llama/SentencePiece-style),
   encoding and decoding exactly like HF tokenizers. Token ids are int32_t. */
typedef struct hl_tokenizer hl_tokenizer;

/* [in] path: a tokenizer.json file, a folder that holds one, or a GGUF model file (its embedded
   tokenizer, tokenizer.ggml.model "llama", or "gpt2" with tokenizer.ggml.pre "gpt-2"). Frees with
   hl_tokenizer_free. */
HL_API hl_status hl_tokenizer_load(const char *path, hl_tokenizer **out, hl_error *err);
HL_API hl_status hl_tokenizer_load_memory(const char *json, size_t len, hl_tokenizer **out,
                                          hl_error *err);
/* The tokenizer embedded in an open GGUF file (tokenizer.ggml.model "llama", or "gpt2" with
   tokenizer.ggml.pre "gpt-2"; other models and pre-tokenizers are HL_ERR_UNSUPPORTED, named);
   HL_ERR_NOT_FOUND when the file has none. bos/eos/pad ids are the file's tokenizer.ggml.*_token_id. */
HL_API hl_status hl_tokenizer_load_gguf(const struct hl_gguf *g, hl_tokenizer **out, hl_error *err);
HL_API void      hl_tokenizer_free(hl_tokenizer *t);
/* Encodes `len` bytes of UTF-8 text (invalid UTF-8 is HL_ERR_ARG). add_special != 0 runs the
   post-processor (e.g. prepends <bos>). [out] *ids: new array, free with hl_free; *n_ids its length. */
HL_API hl_status hl_tokenizer_encode(const hl_tokenizer *t, const char *text, size_t len,
                                     int add_special, int32_t **ids, int64_t *n_ids, hl_error *err);
/* Decodes ids to UTF-8 text (skip_special != 0 drops special tokens, as skip_special_tokens=True).
   [out] *text: new NUL-terminated string, free with hl_free; *len its byte length (may be NULL). */
HL_API hl_status hl_tokenizer_decode(const hl_tokenizer *t, const int32_t *ids, int64_t n,
                                     int skip_special, char **text, size_t *len, hl_error *err);
HL_API int64_t     hl_tokenizer_vocab_size(const hl_tokenizer *t);
HL_API const char *hl_tokenizer_piece(const hl_tokenizer *t, int32_t id);      /* vocab string or NULL */
HL_API int32_t     hl_tokenizer_piece_to_id(const hl_tokenizer *t, const char *piece); /* -1 if absent */
HL_API int32_t     hl_tokenizer_bos_id(const hl_tokenizer *t); /* -1 when the tokenizer has none */
HL_API int32_t     hl_tokenizer_eos_id(const hl_tokenizer *t);
HL_API int32_t     hl_tokenizer_pad_id(const hl_tokenizer *t);
/* Each id as the text it stands for on its own (TransformerLens to_str_tokens: every id decoded
   alone, so a lone byte-fallback piece of a multi-byte character shows as U+FFFD).
   [out] *strs: n strings followed by a NULL, in ONE allocation: free with a single hl_free(*strs). */
HL_API hl_status   hl_tokenizer_to_str_tokens(const hl_tokenizer *t, const int32_t *ids, int64_t n,
                                              char ***strs, hl_error *err);

/* <<api_tokenizer */

/* >>api_kernels ============================================================================= */
/* Compute kernels are picked at run time from cpuid; the scalar kernels are the readable reference
   and can always be forced (HL_KERNELS_SCALAR, or the environment variable HL_FORCE_SCALAR=1 in the
   CLI) for auditing.
   HL_KERNELS_CBLAS exists when the implementation is compiled with HL_USE_CBLAS (and linked with a
   BLAS: OpenBLAS, MKL, Accelerate): matrix products with f32 weights go through cblas_sgemm /
   cblas_sgemv, split over hooklens's own threads as always (tell the BLAS to use one thread of its
   own: OpenBLAS is told so at load; MKL_NUM_THREADS=1), everything else runs the best kernels of
   this CPU. Determinism with a BLAS: results are the same bits for a fixed thread count and BLAS
   version, and within 1e-5 of the scalar reference; they may differ between thread counts (the
   library's summation order is its own). It is never the default. */
typedef enum hl_kernels {
    HL_KERNELS_DEFAULT = 0, /* the best this CPU supports */
    HL_KERNELS_SCALAR,
    HL_KERNELS_AVX2,        /* AVX2 + FMA + F16C */
    HL_KERNELS_AVX512,      /* AVX-512F/BW/VL (+ AVX512-BF16 when present, fast mode only) */
    HL_KERNELS_NEON,
    HL_KERNELS_CBLAS,       /* f32 products through the system BLAS (built with HL_USE_CBLAS) */
    HL_KERNELS_COUNT
} hl_kernels;
HL_API hl_kernels  hl_kernels_best(void);             /* what DEFAULT resolves to on this CPU */
HL_API int         hl_kernels_available(hl_kernels k);
HL_API const char *hl_kernels_name(hl_kernels k);

/* <<api_kernels */

/* >>api_model =============================================================================== */
/* Models: Hugging Face checkpoints of Gemma2ForCausalLM, GemmaForCausalLM, LlamaForCausalLM,
   MistralForCausalLM, GPT2LMHeadModel, GPTNeoForCausalLM and GPTNeoXForCausalLM (Pythia), run on
   the CPU with every TransformerLens (TL) hook point, after TL's weight processing (below).

   QUICK TOUR
       hl_model_desc d = {0};  d.path = "gemma-2-2b";          (all zeros = defaults)
       hl_model *m;  hl_error e;
       if (hl_model_load(&d, &m, &e) != HL_OK) { puts(e.msg); ... }
       hl_model_add_hook(m, "blocks.*.hook_resid_post", my_fn, my_ctx, &handle, &e);
       hl_model_run(m, tokens, n, logits, &e);                  logits: [n, d_vocab] or NULL
       hl_model_run_with_cache(m, tokens, n, &filter, cache, logits, &e);
       hl_model_generate(m, prompt, n, &gen_opts, &out_ids, &n_out, &e);
       hl_model_free(m);

   CONVENTIONS
     * Every activation handed out (hooks, cache) has TL's shape with a leading batch dim, 1 for
       one sequence (hl_model_run), n_batch for a batch (hl_model_run_batch):
       [1, pos, d_model], [1, n_heads, query_pos, key_pos], ... (see HL_HOOK_LIST) and dtype F32.
     * By default the values are the ones HookedTransformer.from_pretrained gives (TL 4:
       TransformerBridge + enable_compatibility_mode()): TL's weight processing is on (HL_PROC_*,
       below, says what each transform changes). desc.no_processing gives Hugging Face's raw
       numbers (from_pretrained_no_processing).
     * Logits are returned after Gemma-2's final softcap, as TL and HF return them.
     * Sliding-window (local) attention: Gemma-2 on EVEN layers 0, 2, ... (HF, Google, and TL since
       3.7.3; TL 2.x used odd layers), Mistral on every layer (HF), GPT-Neo where config.json's
       attention_types says "local". Key k is visible from query q when q - window < k <= q.
     * ln1 is computed once per block and its hooks fire once (TL computes and hooks it 3 times with
       identical values), unless HL_USE_SPLIT_QKV_INPUT is on: then ln1 runs per stream (q, k, v),
       its hooks fire three times, with a head axis: [1, pos, n_heads or n_kv_heads, 1|d_model].
     * The residual stream is one buffer: an in-place edit at blocks.{i+1}.hook_resid_pre is the
       same as one at blocks.{i}.hook_resid_post. Cached tensors are copies, unlike TL's aliases. */

/* clang-format off */
/* Hook points in execution order. Columns: the id; GLOBAL or BLOCK (one per layer); the TL name
   ({L} = the layer); up to three dimensions after the batch dim (a symbol each: pos, query_pos and
   key_pos are the positions of the pass and its keys, the others the config's sizes); and when the
   point exists or fires (ALWAYS; POS_EMBED: learned absolute positions (GPT-2, GPT-Neo); ROTARY:
   rotary positions; SEQUENTIAL: not on parallel-residual blocks (NeoX); GATED: gated MLPs;
   POST_NORMS: Gemma-2's post-norms; USE_*: an optional point that fires only when
   hl_model_set_flags turns it on).
     id                   where   TransformerLens name                     shape after [batch]         when */
#define HL_HOOK_LIST(X) \
    X(EMBED,               GLOBAL, "hook_embed",                           POS, D_MODEL, NONE,          ALWAYS) \
    X(POS_EMBED,           GLOBAL, "hook_pos_embed",                       POS, D_MODEL, NONE,          POS_EMBED) \
    X(RESID_PRE,           BLOCK,  "blocks.{L}.hook_resid_pre",            POS, D_MODEL, NONE,          ALWAYS) \
    X(ATTN_IN,             BLOCK,  "blocks.{L}.hook_attn_in",              POS, N_HEADS, D_MODEL,       USE_ATTN_IN) \
    X(Q_INPUT,             BLOCK,  "blocks.{L}.hook_q_input",              POS, N_HEADS, D_MODEL,       USE_SPLIT_QKV_INPUT) \
    X(K_INPUT,             BLOCK,  "blocks.{L}.hook_k_input",              POS, N_KV_HEADS, D_MODEL,    USE_SPLIT_QKV_INPUT) \
    X(V_INPUT,             BLOCK,  "blocks.{L}.hook_v_input",              POS, N_KV_HEADS, D_MODEL,    USE_SPLIT_QKV_INPUT) \
    X(LN1_SCALE,           BLOCK,  "blocks.{L}.ln1.hook_scale",            POS, ONE, NONE,              ALWAYS) \
    X(LN1_NORMALIZED,      BLOCK,  "blocks.{L}.ln1.hook_normalized",       POS, D_MODEL, NONE,          ALWAYS) \
    X(ATTN_Q,              BLOCK,  "blocks.{L}.attn.hook_q",               POS, N_HEADS, D_HEAD,        ALWAYS) \
    X(ATTN_K,              BLOCK,  "blocks.{L}.attn.hook_k",               POS, N_KV_HEADS, D_HEAD,     ALWAYS) \
    X(ATTN_V,              BLOCK,  "blocks.{L}.attn.hook_v",               POS, N_KV_HEADS, D_HEAD,     ALWAYS) \
    X(ATTN_Q_NORMED,       BLOCK,  "blocks.{L}.attn.hook_q_normed",        POS, N_HEADS, D_HEAD,        QK_NORM) \
    X(ATTN_K_NORMED,       BLOCK,  "blocks.{L}.attn.hook_k_normed",        POS, N_KV_HEADS, D_HEAD,     QK_NORM) \
    X(ATTN_ROT_Q,          BLOCK,  "blocks.{L}.attn.hook_rot_q",           POS, N_HEADS, D_HEAD,        ROTARY) \
    X(ATTN_ROT_K,          BLOCK,  "blocks.{L}.attn.hook_rot_k",           POS, N_KV_HEADS, D_HEAD,     ROTARY) \
    X(ATTN_SCORES,         BLOCK,  "blocks.{L}.attn.hook_attn_scores",     N_HEADS, QUERY_POS, KEY_POS, ALWAYS) \
    X(ATTN_PATTERN,        BLOCK,  "blocks.{L}.attn.hook_pattern",         N_HEADS, QUERY_POS, KEY_POS, ALWAYS) \
    X(ATTN_Z,              BLOCK,  "blocks.{L}.attn.hook_z",               POS, N_HEADS, D_HEAD,        ALWAYS) \
    X(ATTN_RESULT,         BLOCK,  "blocks.{L}.attn.hook_result",          POS, N_HEADS, D_MODEL,       USE_ATTN_RESULT) \
    X(LN1_POST_SCALE,      BLOCK,  "blocks.{L}.ln1_post.hook_scale",       POS, ONE, NONE,              POST_NORMS) \
    X(LN1_POST_NORMALIZED, BLOCK,  "blocks.{L}.ln1_post.hook_normalized",  POS, D_MODEL, NONE,          POST_NORMS) \
    X(ATTN_OUT,            BLOCK,  "blocks.{L}.hook_attn_out",             POS, D_MODEL, NONE,          ALWAYS) \
    X(RESID_MID,           BLOCK,  "blocks.{L}.hook_resid_mid",            POS, D_MODEL, NONE,          SEQUENTIAL) \
    X(MLP_IN,              BLOCK,  "blocks.{L}.hook_mlp_in",               POS, D_MODEL, NONE,          USE_HOOK_MLP_IN) \
    X(LN2_SCALE,           BLOCK,  "blocks.{L}.ln2.hook_scale",            POS, ONE, NONE,              ALWAYS) \
    X(LN2_NORMALIZED,      BLOCK,  "blocks.{L}.ln2.hook_normalized",       POS, D_MODEL, NONE,          ALWAYS) \
    X(MLP_PRE,             BLOCK,  "blocks.{L}.mlp.hook_pre",              POS, D_MLP, NONE,            ALWAYS) \
    X(MLP_PRE_LINEAR,      BLOCK,  "blocks.{L}.mlp.hook_pre_linear",       POS, D_MLP, NONE,            GATED) \
    X(MLP_POST,            BLOCK,  "blocks.{L}.mlp.hook_post",             POS, D_MLP, NONE,            ALWAYS) \
    X(LN2_POST_SCALE,      BLOCK,  "blocks.{L}.ln2_post.hook_scale",       POS, ONE, NONE,              POST_NORMS) \
    X(LN2_POST_NORMALIZED, BLOCK,  "blocks.{L}.ln2_post.hook_normalized",  POS, D_MODEL, NONE,          POST_NORMS) \
    X(MLP_OUT,             BLOCK,  "blocks.{L}.hook_mlp_out",              POS, D_MODEL, NONE,          ALWAYS) \
    X(RESID_POST,          BLOCK,  "blocks.{L}.hook_resid_post",           POS, D_MODEL, NONE,          ALWAYS) \
    X(LN_FINAL_SCALE,      GLOBAL, "ln_final.hook_scale",                  POS, ONE, NONE,              ALWAYS) \
    X(LN_FINAL_NORMALIZED, GLOBAL, "ln_final.hook_normalized",             POS, D_MODEL, NONE,          ALWAYS)
/* clang-format on */
/* What each point holds (TransformerLens semantics, HookedTransformer's components):
     EMBED           W_E[token], times sqrt(d_model) for Gemma (Gemma: float32 sqrt(d_model)).
     POS_EMBED       W_pos[position] (GPT-2, GPT-Neo).
     *_SCALE         of the norm's input x: sqrt(mean(x^2) + eps) (RMSNorm), sqrt(var(x) + eps)
                     (LayerNorm, biased variance);  *_NORMALIZED  x / scale (LayerNorm: x - mean(x)
                     first), BEFORE the norm's weight and bias.  ln1/ln2 = pre-attention / pre-MLP
                     norms, ln1_post/ln2_post = Gemma-2's post-norms of the raw attention / MLP
                     output (Gemma-2 only).
     ATTN_Q/K/V      x_hat (w) W_Q/K/V + b, before RoPE. K and V have n_kv_heads heads (GQA).
     ATTN_Q/K_NORMED Gemma-3's q_norm / k_norm outputs: RMSNorm over each head's d_head, times
                     (1 + w), before RoPE (TransformerLens 4's names).
     ATTN_ROT_Q/K    after rotate-half RoPE (on the first rotary_dim channels).  ATTN_SCORES
                     q.k / attn_scale, then the Gemma-2 softcap, then the mask: masked entries are
                     -inf.  ATTN_PATTERN  softmax.
     ATTN_Z          sum_k pattern * v.  ATTN_RESULT  z_h W_O[h] per head (optional; no b_O).
     ATTN_OUT        what attention adds to the residual (after ln1_post on Gemma-2).
     RESID_MID       resid_pre + attn_out (not on parallel-residual blocks: NeoX, as in TL).
     MLP_PRE         gated MLP: the gate pre-activation x_hat W_gate; plain MLP: x_hat W_in + b_in.
     MLP_PRE_LINEAR  gated MLP only: x_hat W_up.
     MLP_POST        act(pre) * pre_linear (GELU-tanh for Gemma, SiLU for Llama/Mistral), or
                     act(pre) (GPT-2 and GPT-Neo: GELU-tanh "gelu_new"; NeoX: erf GELU).
     MLP_OUT         what the MLP adds (after ln2_post on Gemma-2).
   The optional points (ATTN_IN, Q/K/V_INPUT, ATTN_RESULT, MLP_IN) are TL's use_attn_in,
   use_split_qkv_input, use_attn_result and use_hook_mlp_in. With HL_USE_ATTN_IN alone, query head h
   reads attn_in[:, h] and kv head g reads attn_in[:, g * n_heads / n_kv_heads] (its group's first
   query head). With HL_USE_SPLIT_QKV_INPUT the three streams are copies of resid_pre, as in TL v2;
   ln1 then runs per stream and its two points get a head axis after pos (n_heads for q, n_kv_heads
   for k and v). */
typedef enum hl_hook {
#define HL__X(id, where, name, d1, d2, d3, when) HL_HOOK_##id,
    HL_HOOK_LIST(HL__X)
#undef HL__X
    HL_HOOK_COUNT
} hl_hook;

/* Sub-points of a point that has a splice: the names SAELens' HookedSAETransformer gives an SAE
   spliced there, "<point>.hook_sae_acts_post" and so on. The splice fires them (hl_model_fire);
   they take hooks and go into caches like any point. */
#define HL_SUB_LIST(X) \
    X(SAE_INPUT,     "hook_sae_input") \
    X(SAE_ACTS_PRE,  "hook_sae_acts_pre") \
    X(SAE_ACTS_POST, "hook_sae_acts_post") \
    X(SAE_RECONS,    "hook_sae_recons") \
    X(SAE_ERROR,     "hook_sae_error") \
    X(SAE_OUTPUT,    "hook_sae_output")
typedef enum hl_sub {
    HL_SUB_NONE = 0, /* the point itself */
#define HL__X(id, name) HL_SUB_##id,
    HL_SUB_LIST(HL__X)
#undef HL__X
    HL_SUB_COUNT
} hl_sub;

/* The TL name pattern ("blocks.{L}.hook_resid_pre") and shape text ("[batch, pos, d_model]") of a
   hook id; "" if invalid. */
HL_API const char *hl_hook_pattern(hl_hook h);
HL_API const char *hl_hook_shape(hl_hook h);
HL_API int         hl_hook_per_layer(hl_hook h); /* 1 for "blocks.{L}." hooks */
HL_API const char *hl_sub_name(hl_sub s);        /* "hook_sae_acts_post", ...; "" for NONE */
/* Writes the concrete name of (h, layer) into buf[cap] ("blocks.3.hook_resid_pre"); returns its
   length, or 0 when it does not fit or h is invalid. layer is ignored for global hooks. */
HL_API size_t      hl_hook_name(hl_hook h, int64_t layer, char *buf, size_t cap);
/* Parses a concrete TL hook name. [out] *id, *layer (-1 for global hooks).
   Returns HL_OK or HL_ERR_NOT_FOUND (not a hook name). */
HL_API hl_status   hl_hook_parse(const char *name, hl_hook *id, int64_t *layer, hl_error *err);
/* Shell-style glob: '*' matches any run of characters (dots too), '?' one character. */
HL_API int         hl_glob_match(const char *pattern, const char *name);

typedef enum hl_arch {
    HL_ARCH_INVALID = 0,
    HL_ARCH_GEMMA2,  /* Gemma2ForCausalLM */
    HL_ARCH_GEMMA,   /* GemmaForCausalLM (Gemma-1) */
    HL_ARCH_LLAMA,   /* LlamaForCausalLM */
    HL_ARCH_MISTRAL, /* MistralForCausalLM */
    HL_ARCH_GPT2,    /* GPT2LMHeadModel */
    HL_ARCH_GPTNEO,  /* GPTNeoForCausalLM (TinyStories) */
    HL_ARCH_GPTNEOX, /* GPTNeoXForCausalLM (Pythia) */
    HL_ARCH_GEMMA3   /* Gemma3ForCausalLM (text), or a GGUF with general.architecture "gemma3" */
} hl_arch;

/* MLP activations: GELU with the tanh approximation (HF gelu_new, gelu_pytorch_tanh), SiLU, exact
   (erf) GELU (HF "gelu"), ReLU. */
typedef enum hl_act_fn { HL_ACT_GELU_TANH = 1, HL_ACT_SILU, HL_ACT_GELU, HL_ACT_RELU } hl_act_fn;
typedef enum hl_norm_kind { HL_NORM_RMS = 1, HL_NORM_LN } hl_norm_kind;

/* TransformerLens's weight processing (HookedTransformer.from_pretrained; TL 4:
   enable_compatibility_mode()), one bit per transform. All are on by default where TL applies
   them; hl_model_cfg.processing says which ran. hooklens never rewrites the stored weights: each
   transform is folded into small per-layer vectors at load and into the step that reads the
   weight, which gives the same values (to float rounding) without a second copy of any matrix.
     FOLD_LN         W' = diag(w) W, b' = b + beta W for the matrices a norm feeds (W_Q, W_K, W_V
                     after ln1; W_in/W_gate/W_up after ln2; W_U after ln_final); the norms become
                     TL's LNPre / RMSNormPre. Changes no hook value (hook_normalized is always
                     taken before the weight). Gemma-2's ln1_post/ln2_post are never folded.
     CENTER_WRITING_WEIGHTS  (LayerNorm models) every matrix and bias writing to the residual
                     stream (W_E, W_pos, W_O, b_O, W_out, b_out) is centred over d_model: hook_embed,
                     hook_pos_embed, attn.hook_result, hook_attn_out, hook_mlp_out and every
                     hook_resid_* equal HF's value minus its mean over d_model.
     CENTER_UNEMBED  W_U and b_U centred over the vocabulary: logits minus their mean over the
                     vocabulary (log-probs unchanged). Not with a final softcap (Gemma-2), as in TL.
     FOLD_VALUE_BIASES  b_O += sum_h b_V[h] W_O[h], b_V = 0 (b_V including the ln1 bias term
                     that FOLD_LN moved into it): attn.hook_v and hook_z lose that constant
                     (pattern rows sum to 1, so hook_attn_out is unchanged).
   TL applies all four to LayerNorm models (GPT-2, GPT-Neo, NeoX); FOLD_LN and CENTER_UNEMBED to
   RMSNorm models (Gemma-1, Llama, Mistral: their logits are centred; Gemma-2: softcapped, so
   only FOLD_LN, which changes nothing observable). */
enum {
    HL_PROC_FOLD_LN                = 1,
    HL_PROC_CENTER_WRITING_WEIGHTS = 2,
    HL_PROC_CENTER_UNEMBED         = 4,
    HL_PROC_FOLD_VALUE_BIASES      = 8
};

/* A model's configuration, read from config.json (the HF key is named on each field). */
typedef struct hl_model_cfg {
    hl_arch     arch;
    const char *architecture;   /* "Gemma2ForCausalLM", ...  borrowed: lives as long as model */
    int64_t     n_layers;       /* num_hidden_layers */
    int64_t     d_model;        /* hidden_size */
    int64_t     n_heads;        /* num_attention_heads */
    int64_t     n_kv_heads;     /* num_key_value_heads (default n_heads) */
    int64_t     d_head;         /* head_dim (default d_model / n_heads) */
    int64_t     d_mlp;          /* intermediate_size */
    int64_t     d_vocab;        /* vocab_size */
    int64_t     n_ctx;          /* max_position_embeddings, or desc.n_ctx */
    float       eps;            /* rms_norm_eps */
    float       rope_theta;     /* rope_theta */
    float       attn_scale;     /* scores are divided by this: sqrt(query_pre_attn_scalar) for
                                   Gemma-2, sqrt(head_dim) otherwise */
    float       attn_softcap;   /* attn_logit_softcapping, 0 = none */
    float       final_softcap;  /* final_logit_softcapping, 0 = none */
    int64_t     window;         /* sliding_window / window_size (GPT-Neo), 0 = none */
    hl_norm_kind norm;          /* RMSNorm (Gemma, Llama, Mistral) or LayerNorm (GPT-2, Neo, NeoX) */
    int         norm_plus_one;  /* Gemma: RMSNorm multiplies by (1 + w), Llama by w */
    int         learned_pos;    /* absolute positions W_pos (wpe): GPT-2, GPT-Neo */
    int64_t     rotary_dim;     /* channels of each head that rotary turns (d_head, NeoX: rotary_pct
                                   of it), 0 = no rotary */
    int         parallel;       /* attention and MLP both read resid_pre (NeoX use_parallel_residual) */
    int         gated;          /* gated MLP (gate_proj, up_proj) rather than W_in, act, W_out */
    int         post_norms;     /* Gemma-2: ln1_post / ln2_post */
    int         embed_scale;    /* Gemma: embeddings times sqrt(d_model) */
    int         tied;           /* unembedding = embed_tokens (no lm_head.weight) */
    hl_act_fn   act;            /* hidden_activation / hidden_act */
    int32_t     bos_id, eos_id, pad_id; /* bos_token_id, eos_token_id, pad_token_id (-1 = none) */
    int         default_prepend_bos;    /* 1 for all supported models (TL default) */
    hl_dtype    weight_dtype;   /* dtype of the stored weights (F32, BF16 or F16) */
    unsigned    processing;     /* HL_PROC_* applied at load (TL's weight processing) */
    int         qk_norm;        /* Gemma-3: q_norm / k_norm per head before RoPE */
    float       rope_local_theta; /* Gemma-3: the sliding layers' rotary base (rope_local_base_freq),
                                     0 = every layer uses rope_theta */
    float       rope_scale;     /* rope_scaling {"rope_type": "linear", "factor"} of the global
                                   layers: positions divided by it; 1 = none */
} hl_model_cfg;

/* hl_model_desc.fast: 0 exact, 1 fast mode (bf16 / two 8-bit terms), or x as one 8-bit term per
   block of 32 for the 8-bit products (llama.cpp's Q8_0 activations; see >>kernels, fast mode) */
#define HL_FAST_INT8 2

/* Load options. All zeros means the defaults. */
typedef struct hl_model_desc {
    const char *path;       /* folder with config.json and *.safetensors (+ tokenizer.json) */
    int         n_threads;  /* 0 = online cores, 1 = serial; results are the same bits for any */
    hl_kernels  kernels;    /* 0 = best for this CPU; HL_KERNELS_SCALAR = readable reference */
    int         fast;       /* 1 = fast mode: activations rounded to bf16 for bf16 weights; for
                               Q8_0/Q5_0/Q4_0/Q4_K/Q6_K weights (GGUF) quantized per block of 32 to
                               two 8-bit terms (about 15 bits) with integer dot products
                               (AVX512-VNNI, AVX2, NEON). HL_FAST_INT8 (2): one 8-bit term,
                               llama.cpp's activation numerics, twice the int8 throughput */
    int64_t     n_ctx;      /* 0 = max_position_embeddings; longest sequence (prompt + generated) */
    int         no_tokenizer;     /* 1 = do not load tokenizer.json even when present */
    int         no_processing;    /* 1 = none of TL's weight processing: HF's raw numbers */
    unsigned    skip_processing;  /* HL_PROC_* transforms to leave out of the default */
    /* Or, with path NULL, the same files from memory the caller keeps alive until hl_model_free
       (nothing is copied): config.json's text, the safetensors images (one per shard: the tensors
       of all of them are the weights), and optionally tokenizer.json's text; or, with config_json
       NULL, one GGUF image (weights[0], weight_sizes[0]) holding all three. */
    const char        *config_json;
    size_t             config_len;
    const void *const *weights;
    const size_t      *weight_sizes;
    size_t             n_weights;
    const char        *tokenizer_json; /* NULL = no tokenizer */
    size_t             tokenizer_len;
} hl_model_desc;

typedef struct hl_model hl_model;

/* Loads a model folder. Weights stay memory-mapped in their stored dtype (F32, BF16, F16); only
   the small norm vectors are copied. Unknown architectures, missing or inconsistent config.json
   fields and weights whose shapes disagree with the config are errors naming the key or tensor.
   [in] desc  [out] *out.  Frees with hl_model_free. */
HL_API hl_status hl_model_load(const hl_model_desc *desc, hl_model **out, hl_error *err);
HL_API void      hl_model_free(hl_model *m);
HL_API const hl_model_cfg *hl_model_config(const hl_model *m);
/* The model's tokenizer, or NULL when the folder has no tokenizer.json. borrowed. */
HL_API const hl_tokenizer *hl_model_tokenizer(const hl_model *m);
/* 1 when layer uses sliding-window (local) attention. */
HL_API int       hl_model_layer_is_local(const hl_model *m, int64_t layer);
/* 1 when hook point h exists on this architecture (ln1_post/ln2_post are Gemma-2 only). */
HL_API int       hl_model_has_hook(const hl_model *m, hl_hook h);
/* The shape point h has on this model in a pass of n_pos positions with n_keys keys (0 = n_pos;
   decoding with the KV cache: kv_len + n_pos), batch dim first: [1, n_pos, d_model], [1, n_heads,
   n_pos, n_keys], ... [out] shape[0..ndim). Returns ndim, or 0 when the model has no such point. */
HL_API int       hl_model_hook_shape(const hl_model *m, hl_hook h, int64_t n_pos, int64_t n_keys,
                                     int64_t shape[4]);
/* Number of worker threads in use. */
HL_API int       hl_model_threads(const hl_model *m);
/* The kernels in use: "scalar", "avx2", "avx512", "neon", or in fast mode "avx512+bf16" (bf16 and
   8-bit products) or "scalar+q8" (the reference of the 8-bit products). */
HL_API const char *hl_model_kernels(const hl_model *m);

/* ---- hooks ---- */
/* One call of the forward pass (run, run_with_cache, decode, a step of generate): the cache it
   fills, its positions, where its errors go. Hooks and splices see it in hl_hook_info; it lives
   only during the call. */
typedef struct hl_pass hl_pass;
typedef struct hl_hook_info {
    const char *name;  /* the TL name, e.g. "blocks.3.hook_resid_pre"; borrowed, valid in the call */
    hl_hook     id;    /* the point (for a sub-point: the point it belongs to) */
    hl_sub      sub;   /* HL_SUB_NONE, or the sub-point (SAE points) */
    int64_t     layer; /* -1 for global hooks */
    int64_t     pos0;  /* absolute position of the first row (> 0 when decoding with the KV cache) */
    int         stream;/* split-input ln1 hooks: 0 q, 1 k, 2 v; otherwise 0 */
    hl_pass    *pass;  /* the running pass (a splice hands `info` on to hl_model_fire) */
    int64_t     n_batch, n_pos; /* sequences (the batch dim) and positions per sequence of the pass */
} hl_hook_info;

/* A hook callback. `act` is a writable F32 view of the activation (TL shape, batch dim first),
   valid only during the call; edit it in place to patch, ablate or steer (the shape is fixed).
   Return HL_OK to continue; any other status stops the forward pass, which returns it. */
typedef hl_status (*hl_hook_fn)(const hl_hook_info *info, hl_tensor *act, void *user);

/* Optional hook points (see HL_HOOK_LIST). */
enum {
    HL_USE_ATTN_RESULT     = 1, /* attn.hook_result; attention output becomes sum_h result_h */
    HL_USE_SPLIT_QKV_INPUT = 2, /* hook_q_input / hook_k_input / hook_v_input */
    HL_USE_ATTN_IN         = 4, /* hook_attn_in */
    HL_USE_HOOK_MLP_IN     = 8  /* hook_mlp_in */
};
HL_API void     hl_model_set_flags(hl_model *m, unsigned flags); /* replaces all HL_USE_* flags */
HL_API unsigned hl_model_flags(const hl_model *m);

/* Adds a hook on every point whose name matches `name` (an exact name or a glob such as
   "blocks.*.hook_resid_post"). Hooks on one point run in registration order; each sees the
   previous one's edits. An exact name must be a hook point of this model or a sub-point of one
   (e.g. "blocks.2.hook_resid_post.hook_sae_acts_post", fired by an SAE attached there now or
   later). A name or glob that matches no point of this model is HL_ERR_NOT_FOUND, and the message
   names the nearest valid names (hl_model_check_name). Names are matched once, here. [out] *handle (optional) for
   hl_model_remove_hook. Points that no hook, cache or splice wants cost nothing (no copies). */
HL_API hl_status hl_model_add_hook(hl_model *m, const char *name, hl_hook_fn fn, void *user,
                                   int *handle, hl_error *err);
/* HL_OK when `name` (exact, or a glob) matches at least one point or sub-point of this model;
   otherwise HL_ERR_NOT_FOUND with a message naming up to three nearest valid names (edit distance),
   e.g. "'blocks.0.hook_resid_prex' is not a hook point of this LlamaForCausalLM model; nearest:
   blocks.0.hook_resid_pre, ...". Caches' name filters (hl_names_filter) are not checked by the
   run: check their names with this. */
HL_API hl_status hl_model_check_name(const hl_model *m, const char *name, hl_error *err);
/* Removes one hook; HL_ERR_NOT_FOUND for an unknown handle. */
HL_API hl_status hl_model_remove_hook(hl_model *m, int handle, hl_error *err);
/* Removes every hook (splices stay; see hl_model_set_splice). */
HL_API void      hl_model_reset_hooks(hl_model *m);

/* Splice slot, for module replacement (how SAEs are attached): at most one per hook point. At
   that point the order is: user hooks (registration order), then the run_with_cache capture, then
   the splice, which may overwrite the activation in place (e.g. with an SAE's reconstruction), and
   may fire its sub-points (HL_SUB_*) with hl_model_fire. fn = NULL clears the slot. Note: SAELens removes
   the original hook point when it attaches an SAE; here the point stays, and its hooks and cache
   see the activation before the splice. [in] name: an exact hook name of this model. */
HL_API hl_status hl_model_set_splice(hl_model *m, const char *name, hl_hook_fn fn, void *user,
                                     hl_error *err);
HL_API void      hl_model_clear_splices(hl_model *m);
/* Fires sub-point `sub` of the spliced point `at` (the hl_hook_info the splice was called with),
   e.g. HL_SUB_SAE_ACTS_POST = "blocks.2.hook_resid_post.hook_sae_acts_post": runs its hooks and
   captures it into the pass's cache when the cache's filter took it. `act` is F32 (any shape) and
   may be edited by the hooks. err: where a hook's failure is described (NULL: the pass's own). */
HL_API hl_status hl_model_fire(const hl_hook_info *at, hl_sub sub, hl_tensor *act, hl_error *err);

/* ---- forward ---- */
/* Full forward pass over tokens[0..n) from position 0 (the KV cache is reset, then holds these n
   positions, so hl_model_decode can continue). Hooks fire at every point they match.
   [out] logits: NULL, or [n, d_vocab] floats written on success. */
HL_API hl_status hl_model_run(hl_model *m, const int32_t *tokens, int64_t n, float *logits,
                              hl_error *err);
/* Incremental decoding: feeds tokens[0..n) at positions kv_len .. kv_len+n-1, attending to the
   cached keys/values. Hooks see only the new positions ([1, n, ...]; attention scores and pattern
   [1, n_heads, n, kv_len + n]). [out] logits: NULL or [n, d_vocab]; last_only = 1 writes only the
   last row ([d_vocab]). */
HL_API hl_status hl_model_decode(hl_model *m, const int32_t *tokens, int64_t n, float *logits,
                                 int last_only, hl_error *err);
/* TL forward(start_at_layer=layer): runs blocks layer .. n_layers-1 and the unembedding from resid
   [n, d_model], the value blocks.<layer>.hook_resid_pre has (from a cache), for positions 0 .. n-1.
   Hooks fire from that block on. Afterwards the KV cache is empty (the earlier layers' rows would
   be stale). [out] logits: NULL or [n, d_vocab]. layer 0 is HL_ERR_ARG (run from the tokens). */
HL_API hl_status hl_model_run_from(hl_model *m, int64_t layer, const float *resid, int64_t n, float *logits,
                                   hl_error *err);
HL_API void      hl_model_kv_reset(hl_model *m);
HL_API int64_t   hl_model_kv_len(const hl_model *m);

/* ---- activation cache (run_with_cache) ---- */
/* Which hook names to cache. All zeros = every hook that fires. names: exact names or globs, any
   may match; fn: a predicate (nonzero = keep); when both are set a name must pass both. */
typedef struct hl_names_filter {
    const char *const *names;
    size_t             n_names;
    int              (*fn)(const char *name, void *user);
    void              *user;
} hl_names_filter;
HL_API int hl_names_filter_match(const hl_names_filter *f, const char *name); /* NULL f = all */

/* A name -> tensor map (F32, owned copies) in insertion (= execution) order. */
typedef struct hl_cache hl_cache;
HL_API hl_status        hl_cache_create(hl_cache **out, hl_error *err);
HL_API void             hl_cache_free(hl_cache *c);
HL_API void             hl_cache_clear(hl_cache *c);
HL_API size_t           hl_cache_count(const hl_cache *c);
HL_API const char      *hl_cache_name(const hl_cache *c, size_t i);
HL_API const hl_tensor *hl_cache_tensor(const hl_cache *c, size_t i);
HL_API const hl_tensor *hl_cache_get(const hl_cache *c, const char *name); /* or NULL */
/* Stores a copy of t (any dtype) under name, replacing an existing entry of that name. */
HL_API hl_status        hl_cache_put(hl_cache *c, const char *name, const hl_tensor *t,
                                     hl_error *err);
/* Writes every entry to a safetensors file with TL names and shapes (Python:
   safetensors.numpy.load_file(path)["blocks.0.hook_resid_pre"]). */
HL_API hl_status        hl_cache_save(const hl_cache *c, const char *path, hl_error *err);

/* hl_model_run plus caching: every hook point that fires and passes `filter` (NULL = all) is
   copied into `cache` (cleared first) after the user hooks at that point have run. */
HL_API hl_status hl_model_run_with_cache(hl_model *m, const int32_t *tokens, int64_t n,
                                         const hl_names_filter *filter, hl_cache *cache,
                                         float *logits, hl_error *err);

/* The cache writer behind `hooklens run`: run_with_cache over tokens[0..n), then saves the cache
   plus `logits` [1, n, d_vocab] (F32) and `tokens` [1, n] (I64) to a safetensors file at path.
   The file describes itself in its __metadata__ (Python: safe_open(path, "np").metadata()):
   "hooklens_version", "model" (the folder, when loaded from one), "architecture", "processing"
   (TL's four flags, JSON), "str_tokens" (JSON list, with a tokenizer), plus the caller's meta
   (NULL or key, value, ..., NULL; e.g. "prompt"). [out] n_saved (optional): tensors written. */
HL_API hl_status hl_model_save_activations(hl_model *m, const int32_t *tokens, int64_t n,
                                           const hl_names_filter *filter, const char *path,
                                           const char *const *meta, size_t *n_saved, hl_error *err);

/* ---- batches ---- */
/* Several prompts of different lengths in one pass [TL to_tokens(list, padding_side) and
   forward(tokens, attention_mask=...)]. tokens is [n_batch, n_pos], each row padded to n_pos;
   lengths[b] real tokens of row b sit at its start (right padding, TL's default) or at its end
   (left padding). Every hook then has a real batch dimension: [n_batch, n_pos, ...], attention
   [n_batch, n_heads, n_pos, n_pos]. Padding is masked out of attention and positions count from a
   sequence's first real token (TL get_offset_position_ids), so every real position of a sequence
   gets the bits a run of that sequence alone gives (same thread count, exact mode; fast mode's
   8-bit products may tile rows differently). Padding rows hold (TL with an attention mask):
     right: the pad tokens, attending to their sequence's real tokens, at its last position;
     left:  the pad tokens at position 0 with no position embedding, attending to nothing:
            scores -inf, pattern 0, z 0 (TL's NaN -> 0).
   Pad keys have score -inf and pattern 0 in every row. hl_hook_info.batch describes the batch. */
typedef enum hl_padding_side { HL_PAD_RIGHT = 0, HL_PAD_LEFT = 1 } hl_padding_side;
typedef struct hl_batch {
    const int32_t  *tokens;       /* [n_batch, n_pos] row-major */
    int64_t         n_batch, n_pos;
    const int64_t  *lengths;      /* [n_batch] real tokens per row, in [1, n_pos]; NULL = all n_pos */
    hl_padding_side padding_side;
} hl_batch;
/* TL to_tokens(list, padding_side): each text tokenized as hl_model_to_tokens does, padded to the
   longest with the pad token (the tokenizer's pad, else eos, as TL). [out] *ids [n, *n_pos] and
   *lengths [n] (free each with hl_free), *n_pos. */
HL_API hl_status hl_model_to_tokens_batch(const hl_model *m, const char *const *texts, int64_t n, int prepend_bos,
                                          hl_padding_side side, int32_t **ids, int64_t **lengths, int64_t *n_pos,
                                          hl_error *err);
/* hl_model_run over a batch. [out] logits: NULL or [n_batch, n_pos, d_vocab]. The KV cache is left
   empty. */
HL_API hl_status hl_model_run_batch(hl_model *m, const hl_batch *batch, float *logits, hl_error *err);
/* hl_model_run_with_cache over a batch: cached tensors have the batch dimension. */
HL_API hl_status hl_model_run_with_cache_batch(hl_model *m, const hl_batch *batch, const hl_names_filter *filter,
                                               hl_cache *cache, float *logits, hl_error *err);
/* Next-token loss of a batch [TL lm_cross_entropy_loss with an attention mask]: per_token [n_batch,
   n_pos - 1] (or NULL) holds -log p(token t+1 | ..t) where positions t and t+1 are both real, 0
   elsewhere; *mean is the mean over those predictions only. TL counts a prediction when its target
   is real; with left padding that also counts predicting the first real token from a pad, which
   is left out here. logits: [n_batch, n_pos, d_vocab] from hl_model_run_batch. */
HL_API hl_status hl_loss_batch(const hl_model *m, const hl_batch *batch, const float *logits, float *per_token,
                               double *mean, hl_error *err);

/* ---- generation ---- */
/* Returns nonzero to stop generating after this token. */
typedef int (*hl_token_fn)(int32_t token, int64_t index, void *user);
/* Sampling options (TL HookedTransformer.generate, utils.sample_logits). All zeros = 10 greedy tokens, stopping at
   eos. NOTE: temperature 0 means greedy here (TL's default is sampling at 1.0). */
typedef struct hl_generate_opts {
    int64_t        max_new_tokens; /* 0 = 10 */
    float          temperature;    /* 0 = greedy (argmax, first index on ties) */
    int64_t        top_k;          /* 0 = off; keeps logits >= the k-th largest (ties kept) */
    float          top_p;          /* 0 = off; nucleus, the token crossing p is kept; top_k wins */
    float          freq_penalty;   /* logit -= freq_penalty * count in prompt + generated */
    uint64_t       seed;           /* PRNG seed (any value; same seed, same tokens) */
    int            no_stop_at_eos; /* 0 = stop after emitting eos (it stays in the output) */
    const int32_t *eos_ids;        /* NULL = config eos_token_id */
    size_t         n_eos;
    hl_token_fn    on_token;       /* optional streaming callback */
    void          *user;
    int            no_kv_cache;    /* 1 = rerun the whole sequence each step (hooks re-fire) */
} hl_generate_opts;
/* Generates from prompt[0..n) with the KV cache: the prompt is run once, then one new position
   per step, so hooks see [1, 1, ...] tensors after the first step. As in TL, hook_embed does not
   fire during generate. [out] *tokens: prompt followed by the new tokens (free with hl_free),
   *n_tokens its length. */
HL_API hl_status hl_model_generate(hl_model *m, const int32_t *prompt, int64_t n,
                                   const hl_generate_opts *opts, int32_t **tokens,
                                   int64_t *n_tokens, hl_error *err);
/* generate over a batch of prompts, as TL's generate on a list: the prompts are left-padded (a
   right-padded batch is moved to the left first), each step samples every row (one PRNG stream
   per row, seeded seed + row), and a row that emitted eos keeps running with its new tokens set to
   eos until every row has stopped. Hooks see [n_batch, ...] tensors. on_token is called per row
   with index = step * n_batch + row. [out] *tokens [n_batch, *n_pos]: the left-padded prompts and
   the new tokens (free with hl_free). Each row's tokens equal hl_model_generate on that prompt
   alone with seed + row (bit for bit in exact mode), up to where it stopped. */
HL_API hl_status hl_model_generate_batch(hl_model *m, const hl_batch *prompts, const hl_generate_opts *opts,
                                         int32_t **tokens, int64_t *n_pos, hl_error *err);

/* ---- helpers ---- */
/* Tokenizes text like TL to_tokens: prepend_bos < 0 = the model default (BOS for all supported
   models), 0 = no, 1 = yes. [out] *ids (free with hl_free), *n. Needs tokenizer.json. */
HL_API hl_status hl_model_to_tokens(const hl_model *m, const char *text, int prepend_bos,
                                    int32_t **ids, int64_t *n, hl_error *err);
/* Decodes each id on its own (TL to_str_tokens). [out] *strs: n NUL-terminated strings in one
   block: free the whole thing with one hl_free(*strs). A batch [n_batch, n_pos] of ids (n =
   n_batch * n_pos) gives its strings row by row, as TL maps to_str_tokens over a list. */
HL_API hl_status hl_model_to_str_tokens(const hl_model *m, const int32_t *ids, int64_t n,
                                        char ***strs, hl_error *err);
/* TL to_single_token: the one id that text (without BOS) tokenizes to; HL_ERR_ARG naming the count
   when it is not exactly one token. */
HL_API hl_status hl_model_to_single_token(const hl_model *m, const char *text, int32_t *id, hl_error *err);
/* TL get_token_position(token, tokens, mode): the first (last = 0) or last (last = 1) position of
   token in ids[0..n); HL_ERR_NOT_FOUND when it does not occur. */
HL_API hl_status hl_token_position(const int32_t *ids, int64_t n, int32_t token, int last, int64_t *pos,
                                   hl_error *err);
/* Decodes ids to one string, special tokens kept (TL to_string). Free with hl_free. */
HL_API hl_status hl_model_to_string(const hl_model *m, const int32_t *ids, int64_t n, char **text,
                                    hl_error *err);
/* out[i] = x[i] - log(sum_j exp(x[j])), over n values (out may equal x). */
HL_API void      hl_log_softmax(const float *x, int64_t n, float *out);
/* The k largest of x[0..n): indices (descending value, lower index first on ties) and values. */
HL_API void      hl_top_k(const float *x, int64_t n, int64_t k, int32_t *idx, float *val);
/* <<api_model */

/* >>api_sae ================================================================================= */
/* Sparse autoencoders (SAEs) exactly as SAELens runs them (sae_lens/saes, sae.py and its subclasses):
     GemmaScope  params.npz (W_enc [d_in,d_sae], W_dec [d_sae,d_in], b_enc, b_dec, threshold; JumpReLU)
     Gemma Scope 2 (gemma-3) a folder <site>/layer_<L>_width_<W>_l0_<N> with params.safetensors (w_enc
                 [d_in,d_sae], w_dec [d_sae,d_in], b_enc, b_dec, threshold: the same JumpReLU, lower-case
                 names) and config.json ({"architecture": "jump_relu", "hf_hook_point_in":
                 "model.layers.L.output", "model_name", ...}; optional, as in SAELens). Hook, as SAELens's
                 gemma_3 loader takes it from the folder (else from hf_hook_point_in): resid_post[_all]
                 (model.layers.L.output) -> blocks.L.hook_resid_post; attn_out[_all]
                 (.self_attn.o_proj.input) -> blocks.L.attn.hook_z, flattened; mlp_out[_all]
                 (.post_feedforward_layernorm.output) -> blocks.L.hook_mlp_out. transcoder[_all] folders
                 (MLP in -> MLP out, optionally affine_skip_connection) are transcoders: refused.
     SAELens     a folder with cfg.json + sae_weights.safetensors (standard, jumprelu, topk, gated)
   Weights stay in the mapped file in their stored dtype (F32/F16/BF16); only tiny derived vectors
   (exp(log_threshold), decoder norms) are computed at load. Activations are f32, [pos, d_in].

   Pipeline per position (SAELens SAE.forward; the names are the hook points when spliced):
     hook_sae_input  x                                         [pos, d_in]
                     x' = N(x) - b_dec * apply_b_dec_to_input   (N: run-time normalization)
     hook_sae_acts_pre   h = x' @ W_enc + b_enc                [pos, d_sae]  (gated: magnitude pre-act)
     hook_sae_acts_post  f = act(h)                            [pos, d_sae]
     hook_sae_recons     y = f @ W_dec + b_dec                 [pos, d_in]   (normalized space)
                     x_hat = N^-1(y)
     hook_sae_error      x - x_hat_clean                       (only with use_error_term)
     hook_sae_output     x_hat (+ error)                       what the model continues with */
typedef enum hl_sae_arch {
    HL_SAE_STANDARD = 0, /* f = ReLU(h) */
    HL_SAE_JUMPRELU,     /* f = ReLU(h) * 1[h > threshold] */
    HL_SAE_TOPK,         /* keep the k largest h (signed), ReLU on those, zero the rest */
    HL_SAE_GATED         /* f = 1[p + b_gate > 0] * ReLU(p * exp(r_mag) + b_mag), p = x' @ W_enc */
} hl_sae_arch;

typedef enum hl_sae_norm {
    HL_SAE_NORM_NONE = 0,
    HL_SAE_NORM_CONSTANT_NORM_RESCALE, /* N(x) = x * sqrt(d_in)/||x||, N^-1(y) = y / (same factor) */
    HL_SAE_NORM_LAYER_NORM,            /* N(x) = (x - mean)/(std + 1e-5) (Bessel), N^-1(y) = y*std+mean */
    HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN /* N(x) = s*x, N^-1(y) = y/s with s = norm_scaling_factor
                                            (the same as SAELens folding s into the weights) */
} hl_sae_norm;

/* What an SAE is. Filled by hl_sae_load; given by the caller to hl_sae_create. */
typedef struct hl_sae_config {
    hl_sae_arch arch;
    hl_sae_norm norm;
    int64_t     d_in, d_sae;      /* hl_sae_create: 0 = from the tensors */
    int64_t     k;                /* TOPK: number of kept features */
    int         apply_b_dec_to_input;
    int         rescale_acts_by_decoder_norm; /* TOPK only */
    int         hook_z;           /* input is [pos, n_heads, d_head], flattened head-major */
    float       norm_scaling_factor; /* EXPECTED_AVERAGE_ONLY_IN; 0 = 1 (SAELens: warn, run unscaled) */
    float       enc_scale, dec_scale; /* W_enc and W_dec multipliers (GemmaScope embedding SAEs:
                                         1/sqrt(d_in) and sqrt(d_in)); 0 = 1 */
    const char *hook_name;        /* TransformerLens hook, "" when unknown */
    int         hook_layer;       /* -1 when none */
    const char *model_name;       /* "" when unknown */
    const char *format;           /* "gemmascope", "gemmascope2", "saelens" or "memory" */
    const char *path;             /* what was loaded, "" for memory */
    hl_dtype    dtype;            /* stored dtype of W_enc */
    const char *hook_note;        /* how hook_name was found (for tools), "" if given */
} hl_sae_config;

/* Weights for hl_sae_create (all borrowed; must outlive the SAE). Unused ones NULL. */
typedef struct hl_sae_params {
    const hl_tensor *W_enc, *W_dec, *b_enc, *b_dec; /* [d_in,d_sae] [d_sae,d_in] [d_sae] [d_in] */
    const hl_tensor *threshold;      /* JUMPRELU [d_sae] */
    const hl_tensor *b_gate, *b_mag, *r_mag; /* GATED [d_sae] each */
    const hl_tensor *scaling_factor; /* optional [d_sae]: f *= scaling_factor before decoding */
} hl_sae_params;

typedef struct hl_sae_desc {
    const char *path;       /* params.npz, a folder with params.npz, a Gemma Scope 2 folder or its
                               params.safetensors, or a SAELens folder / its files */
    const char *hook_name;  /* optional: overrides cfg.json / the GemmaScope path */
    float       norm_scaling_factor; /* optional (SAELens yaml `norm_scaling_factor`) */
    int         n_threads;  /* 0 = online cores, 1 = serial */
    hl_kernels  kernels;    /* 0 = best for this CPU; HL_KERNELS_SCALAR = the reference loops */
} hl_sae_desc;

typedef struct hl_sae hl_sae;

/* Loads an SAE; the format is detected from the path (*.npz or a folder with params.npz -> GemmaScope,
   a folder with cfg.json -> SAELens, params.safetensors or a folder with it and no cfg.json ->
   Gemma Scope 2, hook as described above). GemmaScope hook names come from the path
   (.../gemma-scope-2b-pt-res/layer_L/... -> blocks.L.hook_resid_post; -mlp -> blocks.L.hook_mlp_out;
   -att -> blocks.L.attn.hook_z; embedding -> hook_embed). Returns HL_ERR_IO, HL_ERR_FORMAT,
   HL_ERR_SHAPE, HL_ERR_UNSUPPORTED (architecture, normalization, dtype). Frees with hl_sae_free. */
HL_API hl_status hl_sae_load(const hl_sae_desc *desc, hl_sae **out, hl_error *err);
/* Builds an SAE over caller-owned tensors [borrowed]; cfg->d_in/d_sae may be 0. n_threads as in desc. */
HL_API hl_status hl_sae_create(const hl_sae_config *cfg, const hl_sae_params *p, int n_threads,
                               hl_kernels kernels, hl_sae **out, hl_error *err);
HL_API void      hl_sae_free(hl_sae *sae);
HL_API const hl_sae_config *hl_sae_get_config(const hl_sae *sae); /* borrowed */
HL_API const char *hl_sae_arch_name(hl_sae_arch a);                /* "standard", ... */
HL_API const char *hl_sae_norm_name(hl_sae_norm n);                /* "none", ... */
/* sparsity.safetensors of a SAELens folder ([d_sae] log10 firing density), or NULL. Borrowed. */
HL_API const hl_tensor *hl_sae_sparsity(const hl_sae *sae);

/* Encode n positions. [in] x [n, d_in]. [out] acts_pre (optional) and acts_post [n, d_sae].
   Threaded over features; bit-identical for any n_threads. */
HL_API hl_status hl_sae_encode(hl_sae *sae, const float *x, int64_t n, float *acts_pre,
                               float *acts_post, hl_error *err);
/* Decode n positions, touching only the non-zero features. [in] acts [n, d_sae]; x [n, d_in] is
   needed only for CONSTANT_NORM_RESCALE / LAYER_NORM (the inverse uses x's statistics), else NULL.
   [out] recons (optional, hook_sae_recons: before the inverse normalization), x_hat (optional). */
HL_API hl_status hl_sae_decode(hl_sae *sae, const float *acts, const float *x, int64_t n,
                               float *recons, float *x_hat, hl_error *err);

/* Every intermediate of one SAE.forward; any pointer may be NULL. */
typedef struct hl_sae_outputs {
    float *acts_pre, *acts_post; /* [n, d_sae] */
    float *recons;               /* [n, d_in] hook_sae_recons */
    float *error;                /* [n, d_in] x - x_hat (only written when use_error_term) */
    float *output;               /* [n, d_in] x_hat, or x_hat + error */
} hl_sae_outputs;
HL_API hl_status hl_sae_forward(hl_sae *sae, const float *x, int64_t n, int use_error_term,
                                const hl_sae_outputs *out, hl_error *err);

/* Row f of W_dec as f32, times dec_scale: the direction feature f writes (the steering vector).
   [out] dir [d_in]. */
HL_API hl_status hl_sae_feature_direction(const hl_sae *sae, int64_t f, float *dir, hl_error *err);
/* The k largest entries of acts[d_sae] that are > 0, by value descending (ties: lower index first).
   [out] idx[k], val[k]. Returns how many were written (<= k). */
HL_API int64_t hl_sae_top_features(const float *acts, int64_t d_sae, int64_t k, int64_t *idx,
                                   float *val);

/* ---- splicing into a model (SAELens HookedSAETransformer.add_sae / reset_saes) ----
   While attached, the activation at the SAE's hook point is replaced by the SAE's output, and the
   sub-points "<hook>.hook_sae_input", ".hook_sae_acts_pre", ".hook_sae_acts_post",
   ".hook_sae_recons", ".hook_sae_error" (only with the error term) and ".hook_sae_output" fire
   like any hook: hl_model_add_hook can read or edit them and hl_model_run_with_cache caches them
   (shapes [1, pos, d_in] / [1, pos, d_sae]; error and output have the hook's own shape).
   use_error_term = 0: the model continues with the reconstruction x_hat. 1: with
   x_hat + (x - x_hat_clean), where x_hat_clean comes from a pass without any hook or edit, so the
   logits stay as without the SAE unless a hook or edit changes the features. One SAE per hook
   point (attaching at an occupied point replaces the other SAE's splice); several SAEs at
   different points work together. The hook point itself keeps firing (with the activation before
   the splice). Unlike SAELens, attaching does not remove the original hook point. */

/* Attaches `sae` to model m at hook_name (NULL = the SAE's own cfg hook_name). Checks that the
   point exists and that its width matches d_in (HL_ERR_NOT_FOUND / HL_ERR_SHAPE / HL_ERR_ARG when
   the SAE has no hook name). An SAE attached elsewhere is detached first. The model must outlive
   attachment: detach (or free) the SAE before hl_model_free. */
HL_API hl_status hl_sae_attach(hl_sae *sae, hl_model *m, const char *hook_name, int use_error_term,
                               hl_error *err);
/* Removes the splice (a no-op when not attached). */
HL_API void        hl_sae_detach(hl_sae *sae);
HL_API const char *hl_sae_attached_hook(const hl_sae *sae); /* NULL when detached; borrowed */
HL_API hl_model   *hl_sae_attached_model(const hl_sae *sae); /* NULL when detached */
HL_API void        hl_sae_set_error_term(hl_sae *sae, int use_error_term);

/* Built-in feature edits, applied while attached (they work like hooks on the sub-points):
   ablate: acts_post[f] = 0 before hook_sae_acts_post fires (with the error term, the output then
   moves by exactly the ablated feature's decoded contribution);
   steer: output[p, :] += alpha * W_dec[f, :] * dec_scale before hook_sae_output fires, at every
   position, or only at the absolute positions listed (positions[n_positions], copied; in a batch,
   the index within each padded row).
   HL_ERR_ARG for a feature outside [0, d_sae). */
HL_API hl_status hl_sae_ablate(hl_sae *sae, int64_t feature, hl_error *err);
HL_API hl_status hl_sae_steer(hl_sae *sae, int64_t feature, float alpha, const int64_t *positions,
                              int64_t n_positions, hl_error *err);
HL_API void      hl_sae_clear_edits(hl_sae *sae);

/* <<api_sae */

/* >>api_analysis ============================================================================ */
/* The standard analyses on a run's cache, as TransformerLens's ActivationCache computes them (TL
   names in brackets; the values match TL's on the fixtures, see tests/test_analysis.c). The cache
   must hold the points an analysis reads (run_with_cache with no filter holds all); a missing one
   is HL_ERR_NOT_FOUND naming it.

   A residual stack is n components of the residual stream, each [pos, d_model]:
     HL_STACK_ACCUMULATED   [accumulated_resid(incl_mid=True)]  "0_pre", "0_mid", "1_pre", ...,
                            "final_post". Parallel-residual models (NeoX) have no resid_mid:
                            HL_ERR_NOT_FOUND (TL raises KeyError); use ..._NO_MID.
     HL_STACK_ACCUMULATED_NO_MID  [incl_mid=False]  "0_pre", "1_pre", ..., "final_post"
     HL_STACK_DECOMPOSED    [decompose_resid(mode="all")]  "embed", "pos_embed" (learned positions
                            only), "0_attn_out", "0_mlp_out", ...: they sum to final_post.
     HL_STACK_HEADS         [stack_head_results(layer=-1)]  "L0H0", ...: z[:, h] W_O[h], computed
                            from hook_z (no b_O). On Gemma-2 these come before the post-attention
                            norm, so they do not sum to hook_attn_out (TL gives no warning).
     HL_STACK_FULL          [get_full_resid_decomposition(expand_neurons=False)]  the heads, then
                            "L_mlp_out", "embed", "pos_embed", "bias" (sum of b_O over layers): they
                            sum to final_post, except on Gemma-2 (the post-norms, as above).
   apply_ln, as TL (the two kinds differ, as in TL):
     accumulated stacks: the final norm recomputed on each component (TL recompute_ln=True): x_hat,
       times the final norm's weight (and bias) unless fold_ln moved them into W_U;
     the others: centred over d_model (LayerNorm models), then divided by the CACHED
       ln_final.hook_scale of the full residual at each position; no weight. */
typedef enum hl_stack_kind {
    HL_STACK_ACCUMULATED = 1,
    HL_STACK_ACCUMULATED_NO_MID,
    HL_STACK_DECOMPOSED,
    HL_STACK_HEADS,
    HL_STACK_FULL
} hl_stack_kind;
typedef struct hl_stack {
    int64_t      n, pos, d_model; /* components, positions, width */
    float       *x;               /* [n, pos, d_model] */
    const char **labels;          /* [n] TL's labels */
} hl_stack;
/* [out] *out: free with hl_stack_free. */
HL_API hl_status hl_resid_stack(const hl_model *m, const hl_cache *c, hl_stack_kind kind, int apply_ln,
                                hl_stack **out, hl_error *err);
HL_API void      hl_stack_free(hl_stack *s);
/* The logit lens [accumulated_resid(apply_ln=True) @ model.W_U]: logits[n, pos, d_vocab] of every
   component of s through TL's W_U (the final norm's weight folded in, centred over the vocabulary
   as the model's processing says; no b_U, no softcap). s: an accumulated stack with apply_ln. */
HL_API hl_status hl_logit_lens(const hl_model *m, const hl_stack *s, float *logits, hl_error *err);
/* Direct logit attribution [cache.logit_attrs(stack, tokens=answer, incorrect_tokens=wrong,
   pos_slice=pos)]: out[i] = LN(s_i[pos]) . (W_U[:, answer] - W_U[:, wrong]) with TL's W_U, where LN
   centres (LayerNorm models) and divides by the cached ln_final.hook_scale at pos. s: a stack made
   with apply_ln = 0. wrong < 0: the answer's logit alone. out[n]. */
HL_API hl_status hl_logit_attrs(const hl_model *m, const hl_cache *c, const hl_stack *s, int64_t pos,
                                int32_t answer, int32_t wrong, float *out, hl_error *err);
/* Next-token loss [model(tokens, return_type="loss", loss_per_token=True)]: per_token[i] =
   -log_softmax(logits[i])[tokens[i + 1]] for i < n - 1 (per_token may be NULL), *mean their mean.
   logits: [n, d_vocab] of tokens[0..n). */
HL_API hl_status hl_loss(const hl_model *m, const int32_t *tokens, int64_t n, const float *logits,
                         float *per_token, double *mean, hl_error *err);

/* Activation patching [transformer_lens.patching.get_act_patch_*], TL's convention: every cell runs
   the CORRUPTED tokens with one slice of one point overwritten by the CLEAN run's value, and
   evaluates metric(logits [n, d_vocab]) on the result (raw values, not normalised; the logits as
   returned, after Gemma-2's final softcap: hl_act_patch_ext reads them before it). out, in TL's
   index order:
     HL_PATCH_RESID_PRE / _ATTN_OUT / _MLP_OUT   blocks.L.hook_resid_pre / attn_out / mlp_out, one
                                                 position:            out[n_layers, n]
     HL_PATCH_HEAD_OUT_ALL_POS                   blocks.L.attn.hook_z, one head at every position:
                                                                      out[n_layers, n_heads]
     HL_PATCH_HEAD_OUT_BY_POS                    hook_z, one head at one position:
                                                                      out[n_layers, n, n_heads]
     HL_PATCH_HEAD_PATTERN_ALL_POS               blocks.L.attn.hook_pattern, one head's [q, k]:
                                                                      out[n_layers, n_heads]
   Each cell re-runs only from the patched layer on (TL start_at_layer), starting from the corrupted
   run's blocks.L.hook_resid_pre, cached once, and the cells of one layer run as one batch (up to 64
   sequences, logits within 256 MB), one cell per sequence: the values of a full pass per cell, bit
   for bit, at a fraction of the cost. Hooks already set on the model stay on, as in TL's
   run_with_hooks, but those on earlier layers do not fire in the cells, and in the cells they see
   a batch [cells, n, ...]. */
typedef enum hl_patch_kind {
    HL_PATCH_RESID_PRE = 1,
    HL_PATCH_ATTN_OUT,
    HL_PATCH_MLP_OUT,
    HL_PATCH_HEAD_OUT_ALL_POS,
    HL_PATCH_HEAD_OUT_BY_POS,
    HL_PATCH_HEAD_PATTERN_ALL_POS
} hl_patch_kind;
typedef float (*hl_metric_fn)(const float *logits, int64_t n, int64_t d_vocab, void *user);
/* The built-in metric: logits[n-1, ids[0]] - logits[n-1, ids[1]] (user: int32_t ids[2], the
   answer and the wrong token). */
HL_API float     hl_metric_logit_diff(const float *logits, int64_t n, int64_t d_vocab, void *user);
HL_API hl_status hl_act_patch(hl_model *m, const int32_t *clean, const int32_t *corrupted, int64_t n,
                              hl_patch_kind kind, hl_metric_fn metric, void *user, float *out,
                              hl_error *err);
/* Options of hl_act_patch_ext; all zeros = hl_act_patch.
     presoftcap  1: the metric gets the logits BEFORE Gemma-2's final softcap cap * tanh(x / cap)
                 (TL: a metric reading hook_unembed, e.g. toolkit_meta.json's
                 logit_diff_metric_presoftcap), computed in each cell from ln_final.hook_normalized
                 by the pass's own unembedding steps, in place of the returned logits (same cost).
                 A saturated cap flattens logit differences; these are not. The same as 0 on
                 models without a final softcap. */
typedef struct hl_patch_opts {
    int presoftcap;
} hl_patch_opts;
HL_API hl_status hl_act_patch_ext(hl_model *m, const int32_t *clean, const int32_t *corrupted, int64_t n,
                                  hl_patch_kind kind, hl_metric_fn metric, void *user,
                                  const hl_patch_opts *opts, float *out, hl_error *err);

/* Ablation [TL: model.run_with_hooks(tokens, fwd_hooks=[(name, hook)]) with a hook that writes
   zeros or a mean into a slice, as TL's tutorials write it by hand]: hl_model_add_ablation
   installs such a hook (hl_model_add_hook) on one point and returns its handle for
   hl_model_remove_hook. The slice that head and pos select (-1 = every index of that axis):
     [1, pos, heads, X] points: attn.hook_z, hook_q/k/v, hook_rot_q/k, hook_result, ...
                                act[0, pos, head, :]        e.g. one head's z   [TL z[:, :, h, :]]
     [1, pos, X] points:        hook_mlp_out, mlp.hook_post, hook_resid_pre, hook_attn_out, ...
                                act[0, pos, :]              (head must be -1: no head axis)
     [1, heads, q, k] points:   attn.hook_pattern, attn.hook_attn_scores
                                act[0, head, pos, :]        (pos = the query row; zero only)
   HL_ABLATE_ZERO writes 0.  HL_ABLATE_MEAN writes the mean activation of a reference run, one
   value per element of a position (TL tutorials: cache[name].mean over batch and positions):
       mean[j] = 1/n_pos sum_p ref[0, p, j]     j over [heads, X] (or [X]); n_mean = heads * X
   and the slice of head h takes mean[h*X .. h*X + X). hl_ablation_mean computes it from a cache.
   pos is an absolute position: a pass that does not hold it (a decode step after it) leaves the
   point as it is. In a batch (hl_model_run_batch) the slice is taken in every sequence and pos is
   the row of the padded batch, as TL's act[:, pos] (with left padding, not each prompt's own
   position). Ablating a whole MLP: hook_mlp_out (or mlp.hook_post) with head = pos = -1. */
typedef enum hl_ablation_kind { HL_ABLATE_ZERO = 1, HL_ABLATE_MEAN } hl_ablation_kind;
typedef struct hl_ablation {
    hl_ablation_kind kind;
    const char      *hook;   /* one exact TL name, "blocks.3.attn.hook_z" (no globs, no sub-points) */
    int64_t          head;   /* -1 = every head (or a point without a head axis) */
    int64_t          pos;    /* -1 = every position */
    const float     *mean;   /* HL_ABLATE_MEAN: [n_mean] values, see above; NULL for zero */
    int64_t          n_mean;
} hl_ablation;
/* Installs ablation *a as a hook. [in] a: borrowed, with a->mean: both must stay valid (and
   unchanged, unless you mean to change the ablation) until the hook is removed. [out] *handle
   (optional) for hl_model_remove_hook. Returns HL_ERR_ARG (no such head or position, a head on a
   point without a head axis, a glob), HL_ERR_NOT_FOUND (not a point of this model), HL_ERR_SHAPE
   (n_mean is not the point's size per position), HL_ERR_UNSUPPORTED (mean of a pattern or scores). */
HL_API hl_status hl_model_add_ablation(hl_model *m, const hl_ablation *a, int *handle, hl_error *err);
/* The mean over positions of cached point `name` ([1, pos, ...]: run_with_cache of a reference
   run), accumulated in f64, every position included (BOS too): [out] *mean (free with hl_free),
   *n_mean = its values per position, ready for hl_ablation.mean / n_mean. */
HL_API hl_status hl_ablation_mean(const hl_cache *c, const char *name, float **mean, int64_t *n_mean,
                                  hl_error *err);

/* Attention head scores [transformer_lens.head_detector.detect_head(model, seq, name), defaults:
   error_measure="mul", exclude_bos and exclude_current_token off]: for every head, the share of its
   attention pattern P [q, k] on the detection pattern D of the tokens,
       score = sum(P * D) / sum(P)
   with D[i, j] = 1 where  previous token: j = i - 1;  duplicate token: j < i, tokens[j] = tokens[i];
   induction: j <= i, tokens[j - 1] = tokens[i] (the token after an earlier copy). out[n_layers,
   n_heads]. TL's induction demos run it on BOS + h + h for random tokens h. */
typedef enum hl_head_kind { HL_HEAD_PREVIOUS_TOKEN = 1, HL_HEAD_DUPLICATE_TOKEN, HL_HEAD_INDUCTION } hl_head_kind;
HL_API hl_status hl_head_scores(hl_model *m, const int32_t *tokens, int64_t n, hl_head_kind kind, float *out,
                                hl_error *err);

/* A parameter as TransformerLens shows it (model.W_Q[layer], model.W_U, ...): in TL's shape, after
   the model's weight processing (fold_ln: norm weights folded in and, for LayerNorm, reading
   weights centred over d_model; center_writing_weights; center_unembed; fold_value_biases).
   hooklens computes with the stored weights and folds at run time, so this is a computed view:
   *out gets a new F32 tensor (free out->data with hl_free). Names and shapes:
     "W_E" [d_vocab, d_model] (Gemma: unscaled, as TL 4's W_E; hook_embed is times sqrt(d_model))
     "W_pos" [n_ctx, d_model]
     "W_U" [d_model, d_vocab]  "b_U" [d_vocab]
     per layer: "W_Q" [n_heads, d_model, d_head]  "W_K", "W_V" [n_kv_heads, d_model, d_head]
     "W_O" [n_heads, d_head, d_model]  "b_Q" [n_heads, d_head]  "b_K", "b_V" [n_kv_heads, d_head]
     "b_O" [d_model]  "W_in", "W_gate" [d_model, d_mlp]  "W_out" [d_mlp, d_model]  "b_in" [d_mlp]
     "b_out" [d_model]
   A bias the checkpoint lacks is zeros (TL 4 raises; HookedTransformer gave zeros). HL_ERR_NOT_FOUND
   for a name this model does not have (W_pos without learned positions, W_gate without a gated MLP). */
HL_API hl_status hl_model_param(const hl_model *m, const char *name, int64_t layer, hl_tensor *out,
                                hl_error *err);
/* <<api_analysis */

/* >>api_scan ================================================================================ */
/* Feature statistics over a corpus, the numbers behind Neuronpedia's feature pages and SAEDashboard:
   per feature, the firing count, max, sum and sum of squares of its activations, its top-k
   activating examples and a log-spaced histogram of its nonzero activations. Memory is O(d_sae *
   (k + bins)), never O(tokens). The activations come one window (a context of the corpus) at a time;
   a window is known by its index, and a scan can be split over any sets of windows and merged:
   every statistic is exact under merging, so merged shards give the bits of one scan.
     count    values > 0 (a feature "fires")                                     int64
     max      largest value (0 when it never fires)                              f32
     sum      sum of the values, sum_sq of their squares: each window's sum in f64 (positions in
              order), then rounded once to a multiple of 2^-64 and added as a 128-bit integer, so the
              order in which windows arrive or shards merge changes no bit         f64
     top      the k largest firing values with (window, position), by value descending, ties to the
              lower window, then the lower position; -1 where fewer than k fired
     samples  per feature and activation interval (n_quantiles groups of n_bins / n_quantiles
              histogram bins each), quantile_k examples drawn uniformly at random among the values
              that fell there (SAEDashboard's interval samples, on the histogram's fixed edges, not on
              fractions of the final max): the k of smallest hash(feature, window, position), so the
              draw does not depend on the order of windows or on sharding
     hist     counts of firing values in n_bins log-spaced bins over [hist_lo, hist_hi]: bin i holds
              edges[i] <= v < edges[i+1], edges[i] = hist_lo * (hist_hi/hist_lo)^(i/n_bins) (values
              outside go to the end bins)
     contexts with ctx_radius r > 0, every kept example (top and samples) keeps the 2r+1 tokens
              of its window around it and the feature's activations on them (SAEDashboard's
              highlighted sequences), taken when the example is added, so shards carry them and a
              merge keeps them with their examples: the merged file needs no corpus. Token -1 and
              activation 0 outside the window (and where hl_scan_add was given no tokens). */
typedef struct hl_scan hl_scan;
typedef struct hl_scan_config {
    int64_t d_sae;
    int64_t top_k;            /* 0 = 20 */
    int64_t n_bins;           /* 0 = 64 */
    double  hist_lo, hist_hi; /* 0 = 1e-4 and 1e4 */
    int64_t n_extra;          /* exact sums of the caller's own (hl_scan_extra_add), e.g. corpus metrics */
    int64_t n_quantiles;      /* interval samples: groups of histogram bins (must divide n_bins); 0 = 8 or fewer */
    int64_t quantile_k;       /* samples kept per group; 0 = 5 */
    int64_t ctx_radius;       /* tokens kept on each side of every example; 0 = no contexts */
} hl_scan_config;
HL_API hl_status hl_scan_create(const hl_scan_config *cfg, hl_scan **out, hl_error *err);
HL_API void      hl_scan_free(hl_scan *s);
HL_API const hl_scan_config *hl_scan_get_config(const hl_scan *s);
/* Adds window `window`'s activations acts [n, d_sae] at positions pos0 .. pos0+n-1. A window goes
   in one call (its sums are rounded once); adding a window twice counts it twice. A value that is
   not finite is refused before anything is added; on HL_ERR_LIMIT (a feature's window sums beyond
   2^62) other features of the window may have been added, so the scan is best freed. */
HL_API hl_status hl_scan_add(hl_scan *s, const float *acts, int64_t n, int64_t window, int64_t pos0, hl_error *err);
/* hl_scan_add with the window's tokens for the contexts: tokens [n_tokens] are the tokens at
   positions 0 .. n_tokens-1 of the window (BOS included), pos0 + n <= n_tokens. */
HL_API hl_status hl_scan_add_ctx(hl_scan *s, const float *acts, int64_t n, int64_t window, int64_t pos0,
                                 const int32_t *tokens, int64_t n_tokens, hl_error *err);
/* Adds one window's value of the caller's sum i < n_extra (rounded once, summed exactly as the
   feature sums are); hl_scan_extra reads the total. */
HL_API hl_status hl_scan_extra_add(hl_scan *s, int64_t i, double window_value, hl_error *err);
HL_API double    hl_scan_extra(const hl_scan *s, int64_t i);
/* into += from (same d_sae, top_k, bins and n_extra, else HL_ERR_ARG). */
HL_API hl_status hl_scan_merge(hl_scan *into, const hl_scan *from, hl_error *err);
/* Writes the statistics as safetensors: count [d_sae] I64, max [d_sae] F32, sum, sum_sq [d_sae] F64,
   top_values [d_sae, k] F32, top_window, top_pos [d_sae, k] I64, hist [d_sae, n_bins] I64,
   hist_edges [n_bins + 1] F64, and the exact sums sum_fixed, sum_sq_fixed [d_sae, 2] I64 (high
   word, low word as two's complement of 2^64 units) that hl_scan_load reads back, and extra_fixed
   [max(n_extra, 1), 2] I64 the same way (zeros when n_extra = 0); the interval samples
   quantile_values F32, quantile_window, quantile_pos I64 [d_sae, n_quantiles, quantile_k]; with
   contexts (C = 2 ctx_radius + 1): top_ctx_tokens I32 and top_ctx_acts F32 [d_sae, k, C],
   quantile_ctx_tokens and quantile_ctx_acts [d_sae, n_quantiles, quantile_k, C]. meta: NULL or
   key, value, ..., NULL, kept in the file's __metadata__. */
HL_API hl_status hl_scan_save(const hl_scan *s, const char *path, const char *const *meta, hl_error *err);
/* Reads a file hl_scan_save wrote (every tensor checked for dtype, shape and consistency). */
HL_API hl_status hl_scan_load(const char *path, hl_scan **out, hl_error *err);
/* Each feature's static logit effects, the k most positive and most negative tokens of its decoder
   direction through the unembedding (SAEDashboard's W_dec @ W_U), stored with the scan (ids [d_sae,
   k] descending, values likewise; bottom: ascending). Copied; a merge keeps the first set it sees. */
HL_API hl_status hl_scan_set_logits(hl_scan *s, int64_t k, const int64_t *top_ids, const float *top_values,
                                    const int64_t *bottom_ids, const float *bottom_values, hl_error *err);
/* Views of the statistics (borrowed, valid until the next add/merge/free). n_logits: 0 when the
   scan has no logit effects. */
typedef struct hl_scan_view {
    const int64_t *count, *top_window, *top_pos, *hist;
    const float   *max, *top_values;
    const int64_t *q_window, *q_pos;  /* [d_sae, n_quantiles, quantile_k], -1 where fewer */
    const float   *q_values;
    int64_t        ctx_radius;        /* r: C = 2r+1 context tokens per example (0: no contexts) */
    const int32_t *top_ctx_tokens, *q_ctx_tokens; /* [d_sae, k, C], [d_sae, n_quantiles, quantile_k, C] */
    const float   *top_ctx_acts, *q_ctx_acts;     /* the feature's activation on each of them */
    const double  *edges;
    int64_t        n_logits;
    const int64_t *logit_top_ids, *logit_bottom_ids;
    const float   *logit_top_values, *logit_bottom_values;
} hl_scan_view;
HL_API void      hl_scan_stats(const hl_scan *s, hl_scan_view *v);
/* sum and sum_sq of feature f as doubles (the exact sums, rounded once). */
HL_API void      hl_scan_sums(const hl_scan *s, int64_t f, double *sum, double *sum_sq);
/* <<api_scan */


#ifdef __cplusplus
}
#endif
#endif /* HOOKLENS_H_INCLUDED */

/* ========================================================================================== */
/*            INTERNALS: the thread pool and the kernel table (not part of the API)            */
/* ========================================================================================== */
/* The implementation uses these. A program that defines HL_INTERNAL before including hooklens.h
   sees them too, and a library object built with HL_INTERNAL exports the functions: hooklens' own
   tests and benchmarks link the one library object that way, so the implementation compiles once
   per configuration. Names are hl__*, and anything here may change in any release. */
#if (defined(HL_IMPLEMENTATION) || defined(HL_INTERNAL)) && !defined(HL__INTERNALS_DECLARED)
#define HL__INTERNALS_DECLARED
#if defined(HL_INTERNAL) && !defined(HL_STATIC)
#    define HL__INTERNAL extern
#else
#    define HL__INTERNAL static
#endif
#ifdef __cplusplus
extern "C" {
#endif

/* >>threads: a pool of n-1 workers plus the calling thread; NULL means "run serially". */
typedef struct hl__pool hl__pool;
typedef void (*hl__task_fn)(void *ctx, int64_t i0, int64_t i1);
HL__INTERNAL hl__pool *hl__pool_create(int n_threads); /* n <= 1 or failure: NULL */
HL__INTERNAL void      hl__pool_free(hl__pool *p);
HL__INTERNAL int       hl__pool_threads(const hl__pool *p);
/* fn(ctx, i0, i1) over disjoint ranges covering [0, n), each a multiple of grain long except the
   last; returns when all are done. */
HL__INTERNAL void      hl__parallel_for(hl__pool *p, int64_t n, int64_t grain, hl__task_fn fn, void *ctx);

/* >>kernels: one matrix product, as the row drivers of every level take it. */
typedef struct hl__kernels hl__kernels;
typedef struct hl__mm_job {
    const hl__kernels *kern;
    float             *y;   /* [M, N] */
    const float       *x;   /* [M, K], rows ldx apart */
    const uint16_t    *xb;  /* fast mode: x rounded to bf16 (rows ldx apart), or NULL */
    int64_t            ldx; /* K, or padded by the table's mm_prep */
    const void        *W;   /* [N, K] (mm) or [K, N] (mm_nn), stored dtype, any alignment */
    hl_dtype           wdt;
    int64_t            M, N, K;
    /* fast mode with Q8_0 / Q5_0 / Q4_0 / Q4_K / Q6_K weights (hl__mm_prep_q8), or NULL: x as two
       8-bit terms per block of 32, stored + 128 as bytes, [M][2][Kp] (Kp = K rounded up to 64), or
       on the VNNI table as the 16-bit values 256 q1 + q2 in vpdpwssd pairs ([M][Kp] int16); and
       in xd the block scales / 256 repeated per group of 4 values, [M][Kp / 4], then per block the
       sum of x as its codes give it, [M][Kp / 32] (the K-quants' mins) */
    const uint8_t     *xq;
    const float       *xd;
    /* on the VNNI table, for the one-scale-per-block weights (Q8_0, Q5_0, Q4_0): xbd, the block
       scales d / 256 once per block, [M][Kp / 32]; and with M >= 2 the codes + 128 of groups of 16
       rows of x for vpdpbusd, xg [M / 16][K / 32][8 quads][2 terms][16 rows][4 bytes], with their
       scales d / 256 in xgd [M / 16][K / 32][16] (see hl__q8_pre32_avx512); else NULL */
    const float       *xbd;
    const uint8_t     *xg;
    const float       *xgd;
    /* on the AVX2 tables: x as the 16-bit values 256 q1 + q2 in natural order, [M][Kp] (and xbd
       as above, [M][Kp / 32] zero-padded to a multiple of 8 blocks) */
    const int16_t     *x16;
    hl__pool          *pool; /* the product's pool, for a prep that splits its rows (or NULL) */
} hl__mm_job;

/* The kernels of one instruction set. The model and the SAEs hold a pointer to one table, picked
   once (hl__kernels_pick); nothing decides the level per call. Shapes as in >>kernels. */
struct hl__kernels {
    hl_kernels  level;
    const char *name; /* "scalar", "avx2", "avx512", "neon"; fast mode: "scalar+q8", "avx2+q8",
                         "avx512+bf16", "neon+q8"; HL_FAST_INT8: "scalar+int8", "avx2+int8",
                         "avx512+int8", "neon+int8" */
    /* y = x @ W^T (Linear weights [N, K]) and y = x @ W ([K, N]), outputs n0 <= n < n1 of all M rows */
    void   (*mm)(const hl__mm_job *j, int64_t n0, int64_t n1);
    void   (*mm_nn)(const hl__mm_job *j, int64_t n0, int64_t n1);
    /* prepares x of one product before it is split (row padding, bf16 rounding); a buffer to free,
       or NULL. The field itself is NULL where there is nothing to prepare. */
    void  *(*mm_prep)(hl__mm_job *j);
    void   (*gelu)(float *y, const float *x, int64_t n);           /* tanh GELU, y may equal x */
    void   (*softmax)(float *x, int64_t n);                         /* in place */
    double (*sumsq)(const float *x, int64_t n);                     /* sum x^2 in f64 */
    void   (*div)(float *y, const float *x, float s, int64_t n);    /* y = x / s */
    void   (*softcap)(float *x, int64_t n, float cap);              /* x = cap tanh(x / cap) */
    /* attention: S[i, j] = q_i . k_j; z_r = sum_{k0 <= k <= k1} p_r[k] v_k */
    void   (*qk)(float *S, int64_t lds, const float *q, int64_t ldq, int64_t nq, const float *keys,
                 int64_t ldk, int64_t nk, int64_t dh);
    void   (*pv)(int nq, float *z, int64_t ldz, const float *p, int64_t ldp, int64_t k0, int64_t k1,
                 const float *v, int64_t ldv, int64_t dh);
    /* nb consecutive blocks of a quantized type to f32 (nb * hl_dtype_block(t) values), the same
       bits as hl__dequant_block; 0 if t is not quantized */
    int    (*deq)(hl_dtype t, const uint8_t *blk, float *y, int64_t nb);
    /* fast mode, Q8_0 / Q5_0 / Q4_0 / Q4_K / Q6_K weights with x from hl__mm_prep_q8 (j->xq): n0 .. n1;
       0 if this table has no 8-bit product for j (exact products then) */
    int    (*qdot)(const hl__mm_job *j, int64_t n0, int64_t n1);
    /* 1 on the HL_FAST_INT8 tables: mm_prep keeps x's first 8-bit term only (q2 = 0), and the
       kernels skip the products of the second */
    int    one_term;
};
HL__INTERNAL const hl__kernels *hl__kernels_pick(hl_kernels level, int fast);
/* The threaded drivers: y[M, N] = x @ W^T and x @ W, split over the N outputs. */
HL__INTERNAL void hl__matmul(const hl__kernels *kern, hl__pool *pool, float *y, const float *x,
                             const void *W, hl_dtype wdt, int64_t M, int64_t N, int64_t K);
HL__INTERNAL void hl__matmul_nn(const hl__kernels *kern, hl__pool *pool, float *y, const float *x,
                                const void *W, hl_dtype wdt, int64_t M, int64_t N, int64_t K);

#ifdef __cplusplus
}
#endif
#endif /* HL__INTERNALS_DECLARED */

/* ========================================================================================== */
/*                                     IMPLEMENTATION                                         */
/* ========================================================================================== */
#ifdef HL_IMPLEMENTATION
#ifndef HL__IMPLEMENTED
#define HL__IMPLEMENTED

/* >>config ================================================================================== */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <math.h>
#include <errno.h>
#include <limits.h>
#include <float.h>
#include <locale.h>
#ifndef HL_NO_STDIO
#    include <fcntl.h>
#    include <unistd.h>
#    include <sys/stat.h>
#    ifndef HL_NO_MMAP
#        include <sys/mman.h>
#    endif
#endif

#ifdef HL_USE_CBLAS
#    include <cblas.h>
#endif

#if defined(HL_MALLOC) && defined(HL_REALLOC) && defined(HL_FREE)
#elif !defined(HL_MALLOC) && !defined(HL_REALLOC) && !defined(HL_FREE)
#    define HL_MALLOC(sz)     malloc(sz)
#    define HL_REALLOC(p, sz) realloc(p, sz)
#    define HL_FREE(p)        free(p)
#else
#    error "define all of HL_MALLOC, HL_REALLOC and HL_FREE, or none of them"
#endif

/* A private helper that some configurations do not call (it says which where it is used). */
#if defined(__GNUC__)
#    define HL__MAYBE_UNUSED __attribute__((unused))
#else
#    define HL__MAYBE_UNUSED
#endif
#if defined(HL_STATIC)
#    define HL__DEF HL_API
#else
#    define HL__DEF
#endif

/* >>util ==================================================================================== */

HL__DEF const char *hl_version(void) {
    return HL_VERSION_STRING;
}

HL__DEF void hl_free(void *p) {
    if (p) HL_FREE(p);
}

HL__DEF const char *hl_status_str(hl_status s) {
    switch (s) {
#define HL__X(id, text) \
    case HL_##id: return text;
        HL_STATUS_LIST(HL__X)
#undef HL__X
    default: return "unknown status";
    }
}

/* Fills *err (if given) with status and a printf-formatted message; returns the status, so that
   callers can write `return hl__fail(err, HL_ERR_FORMAT, "%s: ...", path);`. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static hl_status hl__fail(hl_error *err, hl_status st, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->status = st;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return st;
}

/* Prefixes an existing message with context ("tokenizer.json: " + msg); returns err->status. */
static hl_status hl__wrap(hl_error *err, hl_status st, const char *prefix) {
    if (err) {
        char tmp[sizeof err->msg];
        size_t a = strlen(prefix), b = strlen(err->msg);
        if (a > sizeof tmp - 3) a = sizeof tmp - 3;
        if (b > sizeof tmp - 3 - a) b = sizeof tmp - 3 - a;
        memcpy(tmp, prefix, a);
        tmp[a] = ':';
        tmp[a + 1] = ' ';
        memcpy(tmp + a + 2, err->msg, b);
        tmp[a + 2 + b] = 0;
        memcpy(err->msg, tmp, sizeof tmp);
        err->status = st;
    }
    return st;
}

/* Overflow-checked size arithmetic: return 1 and write *out when the result fits. */
static int hl__mul_ok(uint64_t a, uint64_t b, uint64_t *out) {
    if (a != 0 && b > UINT64_MAX / a) return 0;
    *out = a * b;
    return 1;
}
static int hl__add_ok(uint64_t a, uint64_t b, uint64_t *out) {
    if (b > UINT64_MAX - a) return 0;
    *out = a + b;
    return 1;
}

static void *hl__malloc(size_t n) {
    return HL_MALLOC(n ? n : 1);
}
static void *hl__calloc(size_t count, size_t size) {
    uint64_t n;
    void *p;
    if (!hl__mul_ok(count, size, &n) || n > SIZE_MAX) return NULL;
    p = HL_MALLOC(n ? (size_t)n : 1);
    if (p) memset(p, 0, (size_t)n);
    return p;
}
static void *hl__realloc(void *p, size_t n) {
    return HL_REALLOC(p, n ? n : 1);
}
static void hl__free(void *p) {
    if (p) HL_FREE(p);
}
static char *hl__strndup(const char *s, size_t n) {
    char *d = (char *)hl__malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}
static char *hl__strdup(const char *s) {
    return hl__strndup(s, strlen(s));
}

/* A shape as text for messages, between the two characters of br: "[2, 3]" (safetensors, as
   Python lists print) or "(2, 3)" (npy, as numpy shapes print). */
static const char *hl__shape_str(char *buf, size_t cap, const int64_t *shape, int ndim, const char *br) {
    size_t len = (size_t)snprintf(buf, cap, "%c", br[0]);
    int i;
    for (i = 0; i < ndim && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (len < cap) snprintf(buf + len, cap - len, "%c", br[1]);
    return buf;
}

/* Little-endian loads, assembled byte by byte so that the host's byte order does not matter. */
static uint16_t hl__rd16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}
static uint32_t hl__rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t hl__rd64(const uint8_t *p) {
    return (uint64_t)hl__rd32(p) | ((uint64_t)hl__rd32(p + 4) << 32);
}

/* A growable byte buffer (used for building strings, JSON output and files). */
typedef struct hl__buf {
    char  *data;
    size_t len, cap;
    int    oom; /* sticky: set when a push failed; the caller checks it once at the end */
} hl__buf;

static int hl__buf_reserve(hl__buf *b, size_t extra) {
    size_t need, cap;
    if (b->oom) return 0;
    if (extra > SIZE_MAX - b->len - 1) { b->oom = 1; return 0; }
    need = b->len + extra + 1;
    if (need <= b->cap) return 1;
    cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    {
        char *d = (char *)hl__realloc(b->data, cap);
        if (!d) { b->oom = 1; return 0; }
        b->data = d;
        b->cap = cap;
    }
    return 1;
}
static void hl__buf_push(hl__buf *b, const void *p, size_t n) {
    if (!hl__buf_reserve(b, n)) return;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}
static void hl__buf_putc(hl__buf *b, char c) {
    hl__buf_push(b, &c, 1);
}
static void hl__buf_puts(hl__buf *b, const char *s) {
    hl__buf_push(b, s, strlen(s));
}
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void hl__buf_printf(hl__buf *b, const char *fmt, ...) {
    va_list ap;
    int n;
    char small[256];
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) { b->oom = 1; return; }
    if ((size_t)n < sizeof small) { hl__buf_push(b, small, (size_t)n); return; }
    if (!hl__buf_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}
static void hl__buf_free(hl__buf *b) {
    hl__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
/* A JSON string literal of n bytes (quotes, backslashes and control bytes escaped) onto b. */
static void hl__json_quote_n(hl__buf *b, const char *s, size_t n) {
    size_t i;
    hl__buf_putc(b, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') hl__buf_putc(b, '\\'), hl__buf_putc(b, (char)c);
        else if (c < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            hl__buf_push(b, e, 6);
        } else hl__buf_putc(b, (char)c);
    }
    hl__buf_putc(b, '"');
}

/* The top-k of a stream of values: offers value v, with index i, to val[0..*cnt) (k at most), kept
   sorted descending, ties keeping the earlier offer first. idx holds isz-byte indices (int32_t or
   int64_t). One insertion list serves every top-k here (k is small next to the stream). */
static void hl__topk_offer(float *val, void *idx, size_t isz, int64_t *cnt, int64_t k, float v, int64_t i) {
    uint8_t *ix = (uint8_t *)idx;
    int64_t j;
    if (*cnt == k && !(v > val[k - 1])) return;
    for (j = *cnt < k ? (*cnt)++ : k - 1; j > 0 && v > val[j - 1]; j--) {
        val[j] = val[j - 1];
        memcpy(ix + (size_t)j * isz, ix + (size_t)(j - 1) * isz, isz);
    }
    val[j] = v;
    if (isz == sizeof(int32_t)) {
        int32_t i32 = (int32_t)i;
        memcpy(ix + (size_t)j * isz, &i32, isz);
    } else {
        memcpy(ix + (size_t)j * isz, &i, sizeof i);
    }
}

/* ---- UTF-8 (RFC 3629) ---- */
/* Decodes one code point from s[0..n) (n >= 1). Strict: no overlong forms, no surrogates, nothing
   above U+10FFFF. Returns the code point and sets *adv to its byte length, or returns -1 and sets
   *adv to the length of the maximal invalid subpart (>= 1), which is what Rust's
   String::from_utf8_lossy replaces by one U+FFFD. */
static int32_t hl__utf8_next(const uint8_t *s, size_t n, size_t *adv) {
    uint32_t c = s[0], cp;
    size_t need, k;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c < 0x80) { *adv = 1; return (int32_t)c; }
    if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2; cp = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;      /* overlong */
        if (c == 0xED) hi = 0x9F;      /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3; cp = c & 0x07;
        if (c == 0xF0) lo = 0x90;      /* overlong */
        if (c == 0xF4) hi = 0x8F;      /* > U+10FFFF */
    } else { *adv = 1; return -1; }
    for (k = 1; k <= need; k++) {
        uint8_t b;
        if (k >= n) { *adv = k; return -1; }
        b = s[k];
        if (b < lo || b > hi) { *adv = k; return -1; }
        lo = 0x80; hi = 0xBF;
        cp = (cp << 6) | (b & 0x3F);
    }
    *adv = need + 1;
    return (int32_t)cp;
}

/* Length of the valid UTF-8 sequence at s[0..avail), or 0 when it is invalid. */
static size_t hl__utf8_valid_len(const uint8_t *s, size_t avail) {
    size_t adv;
    return hl__utf8_next(s, avail, &adv) < 0 ? 0 : adv;
}

/* Returns the byte offset of the first invalid UTF-8 sequence in s[0..n), or n if it is all valid. */
static size_t hl__utf8_check(const char *s, size_t n) {
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, adv;
    while (i < n) {
        if (p[i] < 0x80) { i++; continue; }
        if (hl__utf8_next(p + i, n - i, &adv) < 0) return i;
        i += adv;
    }
    return n;
}

/* Writes code point cp as UTF-8 into out (at least 4 bytes); returns the byte count. */
static size_t hl__utf8_put(char *out, uint32_t cp) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* ---- dtypes ---- */
HL__DEF size_t hl_dtype_size(hl_dtype t) {
    switch (t) {
#define HL__X(id, st, np, sz) \
    case HL_DTYPE_##id: return sz;
        HL_DTYPE_LIST(HL__X)
#undef HL__X
    default: return 0;
    }
}
HL__DEF const char *hl_dtype_name(hl_dtype t) {
    switch (t) {
#define HL__X(id, st, np, sz) \
    case HL_DTYPE_##id: return st;
        HL_DTYPE_LIST(HL__X)
#undef HL__X
#define HL__X(id, nm, gg, blk, bb) \
    case HL_DTYPE_##id: return nm;
        HL_QTYPE_LIST(HL__X)
#undef HL__X
    default: return "INVALID";
    }
}
HL__DEF hl_dtype hl_dtype_from_name(const char *s, size_t len) {
#define HL__X(id, st, np, sz) \
    if (len == sizeof(st) - 1 && memcmp(s, st, len) == 0) return HL_DTYPE_##id;
    HL_DTYPE_LIST(HL__X)
#undef HL__X
    return HL_DTYPE_INVALID;
}

/* bfloat16 is the top half of an IEEE binary32. Rounding down is round-to-nearest-even on the
   discarded 16 bits (as torch does); NaNs are kept quiet NaNs. */
HL__DEF float hl_bf16_to_f32(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}
HL__DEF uint16_t hl_f32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40); /* NaN */
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}
/* IEEE binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits. */
HL__DEF float hl_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, u;
    float f;
    if (exp == 0) {
        if (man == 0) {
            u = sign;
        } else { /* subnormal: value = man * 2^-24 */
            f = (float)man * 5.9604644775390625e-08f;
            return sign ? -f : f;
        }
    } else if (exp == 31) {
        u = sign | 0x7f800000u | (man << 13);
    } else {
        u = sign | ((exp + 112u) << 23) | (man << 13);
    }
    memcpy(&f, &u, 4);
    return f;
}
HL__DEF uint16_t hl_f32_to_f16(float f) {
    uint32_t u, sign, exp, man;
    memcpy(&u, &f, 4);
    sign = (u >> 16) & 0x8000u;
    exp = (u >> 23) & 0xffu;
    man = u & 0x7fffffu;
    if (exp == 0xff) return (uint16_t)(sign | 0x7c00u | (man ? 0x200u : 0));
    {
        int e = (int)exp - 127 + 15;
        if (e >= 31) return (uint16_t)(sign | 0x7c00u); /* overflow -> inf */
        if (e <= 0) { /* subnormal or zero in f16 */
            uint32_t m, shift, r, half;
            if (e < -10) return (uint16_t)sign;
            m = man | 0x800000u;
            shift = (uint32_t)(14 - e);
            r = m >> shift;
            half = 1u << (shift - 1);
            if ((m & ((1u << shift) - 1)) > half || ((m & ((1u << shift) - 1)) == half && (r & 1u))) r++;
            return (uint16_t)(sign | r);
        }
        {
            uint32_t r = ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1fffu;
            if (rem > 0x1000u || (rem == 0x1000u && (r & 1u))) r++; /* may carry into exp: fine */
            return (uint16_t)(sign | r);
        }
    }
}

/* ---- block-quantized types (see HL_QTYPE_LIST) ----
   Each dequantizer is read off the block layout in ggml-common.h and written to evaluate the same
   expressions as llama.cpp's dequantize_row_* (ggml-quants.c) in the same order: with
   -ffp-contract=off nothing is fused, so the values are the same bits. One block per call; the
   matmul kernels call these per block, so no whole matrix is ever expanded. */
HL__DEF int hl_dtype_is_quantized(hl_dtype t) {
    switch (t) {
#define HL__X(id, nm, gg, blk, bb) case HL_DTYPE_##id:
        HL_QTYPE_LIST(HL__X)
#undef HL__X
        return 1;
    default: return 0;
    }
}
HL__DEF int64_t hl_dtype_block(hl_dtype t) {
    switch (t) {
#define HL__X(id, nm, gg, blk, bb) case HL_DTYPE_##id: return blk;
        HL_QTYPE_LIST(HL__X)
#undef HL__X
    default: return 1;
    }
}
static uint64_t hl__qblock_bytes(hl_dtype t) {
    switch (t) {
#define HL__X(id, nm, gg, blk, bb) case HL_DTYPE_##id: return bb;
        HL_QTYPE_LIST(HL__X)
#undef HL__X
    default: return hl_dtype_size(t);
    }
}
HL__DEF uint64_t hl_dtype_row_bytes(hl_dtype t, int64_t n) {
    const int64_t blk = hl_dtype_block(t);
    if (n < 0 || n % blk != 0 || (uint64_t)(n / blk) > UINT64_MAX / (hl__qblock_bytes(t) + 1)) return 0;
    return (uint64_t)(n / blk) * hl__qblock_bytes(t);
}
HL__DEF hl_dtype hl_qtype_from_name(const char *s, size_t len) {
    size_t i;
#define HL__X(id, nm, gg, blk, bb)                                                           \
    if (len == sizeof(nm) - 1) {                                                           \
        for (i = 0; i < len && (s[i] == nm[i] || (s[i] >= 'a' && s[i] - 32 == nm[i])); i++) \
            ;                                                                              \
        if (i == len) return HL_DTYPE_##id;                                                \
    }
    HL_QTYPE_LIST(HL__X)
#undef HL__X
    return HL_DTYPE_INVALID;
}

static float hl__f16_at(const uint8_t *p) {
    return hl_f16_to_f32((uint16_t)(p[0] | (p[1] << 8)));
}

/* Q4_0: d, then qs[16]: element j < 16 is the low nibble of qs[j], j >= 16 the high nibble of
   qs[j - 16]. x = (q - 8) * d */
static void hl__deq_q4_0(const uint8_t *b, float *y) {
    const float d = hl__f16_at(b);
    int j;
    for (j = 0; j < 16; j++) {
        y[j] = (float)((b[2 + j] & 0x0F) - 8) * d;
        y[j + 16] = (float)((b[2 + j] >> 4) - 8) * d;
    }
}
/* Q4_1: d, m, qs[16]. x = q * d + m */
static void hl__deq_q4_1(const uint8_t *b, float *y) {
    const float d = hl__f16_at(b), m = hl__f16_at(b + 2);
    int j;
    for (j = 0; j < 16; j++) {
        y[j] = (float)(b[4 + j] & 0x0F) * d + m;
        y[j + 16] = (float)(b[4 + j] >> 4) * d + m;
    }
}
/* Q5_0: d, qh (32 fifth bits, little-endian u32: bit j belongs to element j), qs[16] as Q4_0.
   x = (q - 16) * d */
static void hl__deq_q5_0(const uint8_t *b, float *y) {
    const float d = hl__f16_at(b);
    const uint32_t qh = (uint32_t)b[2] | (uint32_t)b[3] << 8 | (uint32_t)b[4] << 16 | (uint32_t)b[5] << 24;
    int j;
    for (j = 0; j < 16; j++) {
        const int lo = (int)((b[6 + j] & 0x0F) | (((qh >> j) & 1u) << 4));
        const int hi = (int)((b[6 + j] >> 4) | (((qh >> (j + 16)) & 1u) << 4));
        y[j] = (float)(lo - 16) * d;
        y[j + 16] = (float)(hi - 16) * d;
    }
}
/* Q5_1: d, m, qh, qs[16]. x = q * d + m */
static void hl__deq_q5_1(const uint8_t *b, float *y) {
    const float d = hl__f16_at(b), m = hl__f16_at(b + 2);
    const uint32_t qh = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
    int j;
    for (j = 0; j < 16; j++) {
        const int lo = (int)((b[8 + j] & 0x0F) | (((qh >> j) & 1u) << 4));
        const int hi = (int)((b[8 + j] >> 4) | (((qh >> (j + 16)) & 1u) << 4));
        y[j] = (float)lo * d + m;
        y[j + 16] = (float)hi * d + m;
    }
}
/* Q8_0: d, qs[32] int8. x = q * d */
static void hl__deq_q8_0(const uint8_t *b, float *y) {
    const float d = hl__f16_at(b);
    int j;
    for (j = 0; j < 32; j++) y[j] = (float)(int8_t)b[2 + j] * d;
}
/* The K-quants' 6-bit scale and min of sub-block j (0..7) from scales[12]: sub-blocks 0-3 keep
   theirs in the low 6 bits of bytes j and j + 4; 4-7 in the nibbles of bytes j + 4, with the top
   two bits in the spare bits of bytes j - 4 and j. */
static void hl__k_scale_min(int j, const uint8_t *q, uint8_t *sc, uint8_t *mn) {
    if (j < 4) {
        *sc = q[j] & 63;
        *mn = q[j + 4] & 63;
    } else {
        *sc = (uint8_t)((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4));
        *mn = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}
/* Q4_K: d, dmin, scales[12], qs[128]. 4 chunks of 64: the low nibbles of 32 bytes are sub-block
   2c, the high nibbles sub-block 2c + 1. x = (d * sc) * q - (dmin * m) */
static void hl__deq_q4_k(const uint8_t *b, float *y) {
    const float d = hl__f16_at(b), dmin = hl__f16_at(b + 2);
    const uint8_t *sc = b + 4, *q = b + 16;
    int c, l;
    for (c = 0; c < 4; c++, q += 32, y += 64) {
        uint8_t s0, m0, s1, m1;
        float d1, m1f, d2, m2f;
        hl__k_scale_min(2 * c, sc, &s0, &m0);
        hl__k_scale_min(2 * c + 1, sc, &s1, &m1);
        d1 = d * (float)s0, m1f = dmin * (float)m0, d2 = d * (float)s1, m2f = dmin * (float)m1;
        for (l = 0; l < 32; l++) y[l] = d1 * (float)(q[l] & 0x0F) - m1f;
        for (l = 0; l < 32; l++) y[32 + l] = d2 * (float)(q[l] >> 4) - m2f;
    }
}
/* Q5_K: d, dmin, scales[12], qh[32], qs[128]: Q4_K plus a fifth bit (16) per element, bit 2c of
   qh[l] for the low nibble of chunk c and bit 2c + 1 for the high one. */
static void hl__deq_q5_k(const uint8_t *b, float *y) {
    const float d = hl__f16_at(b), dmin = hl__f16_at(b + 2);
    const uint8_t *sc = b + 4, *qh = b + 16, *q = b + 48;
    int c, l;
    for (c = 0; c < 4; c++, q += 32, y += 64) {
        const unsigned u1 = 1u << (2 * c), u2 = 2u << (2 * c);
        uint8_t s0, m0, s1, m1;
        float d1, m1f, d2, m2f;
        hl__k_scale_min(2 * c, sc, &s0, &m0);
        hl__k_scale_min(2 * c + 1, sc, &s1, &m1);
        d1 = d * (float)s0, m1f = dmin * (float)m0, d2 = d * (float)s1, m2f = dmin * (float)m1;
        for (l = 0; l < 32; l++) y[l] = d1 * (float)((q[l] & 0x0F) + (qh[l] & u1 ? 16 : 0)) - m1f;
        for (l = 0; l < 32; l++) y[32 + l] = d2 * (float)((q[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2f;
    }
}
/* Q2_K: scales[16] (low nibble: scale, high: min), qs[64], d, dmin. Two halves of 128; in each,
   four 2-bit planes (shift 0, 2, 4, 6) of qs[0..31], each plane two sub-blocks of 16.
   x = (d * sc) * q - (dmin * m) */
static void hl__deq_q2_k(const uint8_t *b, float *y) {
    const float d = hl__f16_at(b + 80), dmin = hl__f16_at(b + 82);
    const uint8_t *sc = b, *q = b + 16;
    int half, plane, l, is = 0;
    for (half = 0; half < 2; half++, q += 32)
        for (plane = 0; plane < 4; plane++) {
            const int shift = 2 * plane;
            float dl = d * (float)(sc[is] & 0x0F), ml = dmin * (float)(sc[is] >> 4);
            is++;
            for (l = 0; l < 16; l++) *y++ = dl * (float)((q[l] >> shift) & 3) - ml;
            dl = d * (float)(sc[is] & 0x0F), ml = dmin * (float)(sc[is] >> 4);
            is++;
            for (l = 0; l < 16; l++) *y++ = dl * (float)((q[l + 16] >> shift) & 3) - ml;
        }
}
/* Q3_K: hmask[32], qs[64], scales[12], d. The 16 6-bit scales: low 4 bits in the nibbles of bytes
   0-7 (scale j < 8: low nibble of byte j; j >= 8: high nibble of byte j - 8), high 2 bits in bytes
   8-11 (scale j: bits 2 (j / 4) of byte 8 + j % 4). The planes as Q2_K; the third bit of element l
   of plane p in half h is bit 4h + p of hmask[l]: set means q, clear means q - 4.
   x = (d * (sc - 32)) * q */
static void hl__deq_q3_k(const uint8_t *b, float *y) {
    const float d = hl__f16_at(b + 108);
    const uint8_t *hm = b, *q = b + 32, *s = b + 96;
    int8_t sc[16];
    int j, half, plane, l, is = 0;
    unsigned m = 1;
    for (j = 0; j < 16; j++) {
        const int lo = j < 8 ? (s[j] & 0x0F) : (s[j - 8] >> 4), hi = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
        sc[j] = (int8_t)((lo | (hi << 4)) - 32);
    }
    for (half = 0; half < 2; half++, q += 32)
        for (plane = 0; plane < 4; plane++, m <<= 1) {
            const int shift = 2 * plane;
            float dl = d * (float)sc[is++];
            for (l = 0; l < 16; l++) *y++ = dl * (float)(((q[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4));
            dl = d * (float)sc[is++];
            for (l = 0; l < 16; l++) *y++ = dl * (float)(((q[l + 16] >> shift) & 3) - ((hm[l + 16] & m) ? 0 : 4));
        }
}
/* Q6_K: ql[128], qh[64], scales[16] int8, d. Two halves of 128; in each, element l + 32 i
   (i = 0..3, l < 32) takes 4 low bits from ql (nibble i / 2 of ql[l + 32 (i % 2)]) and 2 high bits
   from qh[l] (bits 2i, 2i + 1), and scale sc[l / 16 + 2 i]. x = (d * sc) * (q - 32) */
static void hl__deq_q6_k(const uint8_t *b, float *y) {
    const float d = hl__f16_at(b + 208);
    const uint8_t *ql = b, *qh = b + 128;
    const int8_t *sc = (const int8_t *)(b + 192);
    int half, l;
    for (half = 0; half < 2; half++, y += 128, ql += 64, qh += 32, sc += 8)
        for (l = 0; l < 32; l++) {
            const int is = l / 16;
            const int q1 = (int)((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = (int)((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = (int)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = (int)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * (float)sc[is + 0] * (float)q1;
            y[l + 32] = d * (float)sc[is + 2] * (float)q2;
            y[l + 64] = d * (float)sc[is + 4] * (float)q3;
            y[l + 96] = d * (float)sc[is + 6] * (float)q4;
        }
}
/* One block of a quantized type (hl_dtype_block(t) values) into y; 0 if t is not quantized. */
static int hl__dequant_block(hl_dtype t, const uint8_t *b, float *y) {
    switch (t) {
    case HL_DTYPE_Q4_0: hl__deq_q4_0(b, y); return 1;
    case HL_DTYPE_Q4_1: hl__deq_q4_1(b, y); return 1;
    case HL_DTYPE_Q5_0: hl__deq_q5_0(b, y); return 1;
    case HL_DTYPE_Q5_1: hl__deq_q5_1(b, y); return 1;
    case HL_DTYPE_Q8_0: hl__deq_q8_0(b, y); return 1;
    case HL_DTYPE_Q2_K: hl__deq_q2_k(b, y); return 1;
    case HL_DTYPE_Q3_K: hl__deq_q3_k(b, y); return 1;
    case HL_DTYPE_Q4_K: hl__deq_q4_k(b, y); return 1;
    case HL_DTYPE_Q5_K: hl__deq_q5_k(b, y); return 1;
    case HL_DTYPE_Q6_K: hl__deq_q6_k(b, y); return 1;
    default: return 0;
    }
}
/* nb consecutive blocks (the kernel tables' deq of the scalar level) */
static int hl__dequant_blocks(hl_dtype t, const uint8_t *b, float *y, int64_t nb) {
    const int64_t bs = hl_dtype_block(t);
    const uint64_t bb = hl__qblock_bytes(t);
    int64_t i;
    for (i = 0; i < nb; i++)
        if (!hl__dequant_block(t, b + (uint64_t)i * bb, y + i * bs)) return 0;
    return 1;
}
HL__DEF hl_status hl_dequantize_row(hl_dtype t, const void *src, float *dst, int64_t n, hl_error *err) {
    const uint8_t *p = (const uint8_t *)src;
    const int64_t blk = hl_dtype_block(t);
    int64_t i;
    if (!src || !dst || n < 0) return hl__fail(err, HL_ERR_ARG, "hl_dequantize_row: NULL argument or n < 0");
    if (n % blk != 0)
        return hl__fail(err, HL_ERR_SHAPE, "hl_dequantize_row: %lld values are not whole %s blocks of %lld", (long long)n,
                        hl_dtype_name(t), (long long)blk);
    if (hl_dtype_is_quantized(t)) return hl__dequant_blocks(t, p, dst, n / blk), HL_OK;
    if (t != HL_DTYPE_F32 && t != HL_DTYPE_F16 && t != HL_DTYPE_BF16 && t != HL_DTYPE_F64)
        return hl__fail(err, HL_ERR_ARG, "hl_dequantize_row: %s is not a float or quantized type", hl_dtype_name(t));
    {
        const hl_tensor v = {t, 1, {n}, (void *)(uintptr_t)src};
        for (i = 0; i < n; i++) dst[i] = hl_tensor_get_f32(&v, i);
    }
    return HL_OK;
}

/* Q8_0: d = max|x| / 127, q = round(x / d). Q4_0: m = the value of largest magnitude (its sign
   kept), d = m / -8, q = min(15, (int)(x / d + 8.5)). As llama.cpp's reference quantizers. */
/* One Q4_K block (256 values, the layout hl__deq_q4_k reads) by rounding to nearest. Each sub-block j
   of 32 gets scale s_j = (max - min) / 15 and offset m_j = -min (min <= 0 <= max included); the
   block's d = max_j s_j / 63 and dmin = max_j m_j / 63 (as f16), the 6-bit ls_j = round(s_j / d) and
   lm_j = round(m_j / dmin), then q = clamp(round((x + dmin lm_j) / (d ls_j)), 0, 15). */
static void hl__quant_q4_k(const float *x, uint8_t *b) {
    float sc[8], mn[8], smax = 0.0f, mmax = 0.0f, d, dmin;
    uint8_t ls[8], lm[8];
    uint16_t h;
    int j, l;
    for (j = 0; j < 8; j++) {
        float lo = 0.0f, hi = 0.0f;
        for (l = 0; l < 32; l++) lo = x[32 * j + l] < lo ? x[32 * j + l] : lo, hi = x[32 * j + l] > hi ? x[32 * j + l] : hi;
        sc[j] = (hi - lo) / 15.0f, mn[j] = -lo;
        if (sc[j] > smax) smax = sc[j];
        if (mn[j] > mmax) mmax = mn[j];
    }
    h = hl_f32_to_f16(smax / 63.0f), b[0] = (uint8_t)h, b[1] = (uint8_t)(h >> 8), d = hl_f16_to_f32(h);
    h = hl_f32_to_f16(mmax / 63.0f), b[2] = (uint8_t)h, b[3] = (uint8_t)(h >> 8), dmin = hl_f16_to_f32(h);
    for (j = 0; j < 8; j++) {
        const float a = d > 0.0f ? roundf(sc[j] / d) : 0.0f, c = dmin > 0.0f ? roundf(mn[j] / dmin) : 0.0f;
        ls[j] = (uint8_t)(a > 63.0f ? 63 : a), lm[j] = (uint8_t)(c > 63.0f ? 63 : c);
    }
    memset(b + 4, 0, 140);
    for (j = 0; j < 8; j++) { /* the 12 scale bytes, as hl__k_scale_min unpacks them */
        if (j < 4) {
            b[4 + j] |= ls[j], b[4 + j + 4] |= lm[j];
        } else {
            b[4 + j + 4] |= (uint8_t)((ls[j] & 0x0F) | ((lm[j] & 0x0F) << 4));
            b[4 + j - 4] |= (uint8_t)((ls[j] >> 4) << 6);
            b[4 + j] |= (uint8_t)((lm[j] >> 4) << 6);
        }
    }
    for (j = 0; j < 8; j++) {
        const float D = d * (float)ls[j], M = dmin * (float)lm[j];
        for (l = 0; l < 32; l++) {
            float q = D > 0.0f ? roundf((x[32 * j + l] + M) / D) : 0.0f;
            const int v = q != q || q < 0.0f ? 0 : q > 15.0f ? 15 : (int)q;
            b[16 + 32 * (j / 2) + l] |= (uint8_t)(j % 2 ? v << 4 : v); /* chunk j/2: low nibbles j even */
        }
    }
}
HL__DEF hl_status hl_quantize_row(hl_dtype t, const float *src, void *dst, int64_t n, hl_error *err) {
    uint8_t *b = (uint8_t *)dst;
    int64_t i, j;
    if (!src || !dst || n < 0 || n % 32 != 0)
        return hl__fail(err, HL_ERR_ARG, "hl_quantize_row: NULL argument or n not a multiple of 32");
    if (t == HL_DTYPE_Q4_K) {
        if (n % 256 != 0) return hl__fail(err, HL_ERR_ARG, "hl_quantize_row: Q4_K needs a multiple of 256 values, not %lld", (long long)n);
        for (i = 0; i < n / 256; i++) hl__quant_q4_k(src + 256 * i, b + 144 * i);
        return HL_OK;
    }
    if (t != HL_DTYPE_Q8_0 && t != HL_DTYPE_Q4_0)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_quantize_row: %s is not written (Q8_0, Q4_0, Q4_K are)", hl_dtype_name(t));
    for (i = 0; i < n / 32; i++, src += 32) {
        float amax = 0.0f, mx = 0.0f, d, id;
        uint16_t h;
        for (j = 0; j < 32; j++)
            if (fabsf(src[j]) > amax) amax = fabsf(src[j]), mx = src[j];
        if (t == HL_DTYPE_Q8_0) {
            d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
            h = hl_f32_to_f16(d);
            b[0] = (uint8_t)h, b[1] = (uint8_t)(h >> 8);
            for (j = 0; j < 32; j++) b[2 + j] = (uint8_t)(int8_t)roundf(src[j] * id);
            b += 34;
        } else {
            d = mx / -8.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
            h = hl_f32_to_f16(d);
            b[0] = (uint8_t)h, b[1] = (uint8_t)(h >> 8);
            for (j = 0; j < 16; j++) {
                int q0 = (int)(src[j] * id + 8.5f), q1 = (int)(src[j + 16] * id + 8.5f);
                q0 = q0 > 15 ? 15 : q0, q1 = q1 > 15 ? 15 : q1;
                b[2 + j] = (uint8_t)(q0 | (q1 << 4));
            }
            b += 18;
        }
    }
    return HL_OK;
}

HL__DEF int64_t hl_tensor_numel(const hl_tensor *t) {
    int64_t n = 1;
    int i;
    for (i = 0; i < t->ndim; i++) n *= t->shape[i];
    return n;
}
HL__DEF size_t hl_tensor_nbytes(const hl_tensor *t) {
    if (hl_dtype_is_quantized(t->dtype)) { /* rows of the innermost dimension, in whole blocks */
        const int64_t inner = t->ndim > 0 ? t->shape[t->ndim - 1] : 1;
        return inner > 0 ? (size_t)(hl_tensor_numel(t) / inner) * (size_t)hl_dtype_row_bytes(t->dtype, inner) : 0;
    }
    return (size_t)hl_tensor_numel(t) * hl_dtype_size(t->dtype);
}
HL__DEF float hl_tensor_get_f32(const hl_tensor *t, int64_t i) {
    const uint8_t *p = (const uint8_t *)t->data;
    if (hl_dtype_is_quantized(t->dtype)) { /* the block holding element i */
        float blk[256];
        const int64_t bs = hl_dtype_block(t->dtype);
        hl__dequant_block(t->dtype, p + (uint64_t)(i / bs) * hl__qblock_bytes(t->dtype), blk);
        return blk[i % bs];
    }
    switch (t->dtype) {
    case HL_DTYPE_F64: { double v; memcpy(&v, p + i * 8, 8); return (float)v; }
    case HL_DTYPE_F32: { float v; memcpy(&v, p + i * 4, 4); return v; }
    case HL_DTYPE_F16: { uint16_t v; memcpy(&v, p + i * 2, 2); return hl_f16_to_f32(v); }
    case HL_DTYPE_BF16: { uint16_t v; memcpy(&v, p + i * 2, 2); return hl_bf16_to_f32(v); }
    case HL_DTYPE_I64: { int64_t v; memcpy(&v, p + i * 8, 8); return (float)v; }
    case HL_DTYPE_I32: { int32_t v; memcpy(&v, p + i * 4, 4); return (float)v; }
    case HL_DTYPE_I16: { int16_t v; memcpy(&v, p + i * 2, 2); return (float)v; }
    case HL_DTYPE_I8: return (float)(int8_t)p[i];
    case HL_DTYPE_U8: case HL_DTYPE_BOOL: return (float)p[i];
    default: return 0.0f;
    }
}

/* >>io ====================================================================================== */
/* A read-only view of a whole file: mmapped when possible, otherwise read into owned memory.
   No other code knows which of the two it got. */
typedef struct hl__file {
    const uint8_t *data;
    size_t         size;
    int            mapped;
} hl__file;

#ifndef HL_NO_STDIO
static hl_status hl__file_open(const char *path, hl__file *out, hl_error *err) {
    struct stat st;
    int fd;
    uint8_t *buf;
    size_t got = 0;
    memset(out, 0, sizeof *out);
    fd = open(path, O_RDONLY);
    if (fd < 0) return hl__fail(err, HL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return hl__fail(err, HL_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return hl__fail(err, HL_ERR_IO, "%s: is a directory, expected a file", path);
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > (uint64_t)SIZE_MAX) {
        close(fd);
        return hl__fail(err, HL_ERR_IO, "%s: file too large for this machine", path);
    }
#    ifndef HL_NO_MMAP
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            close(fd);
            out->data = (const uint8_t *)p;
            out->size = (size_t)st.st_size;
            out->mapped = 1;
            return HL_OK;
        }
    }
#    endif
    /* fallback: read() loop, handling short reads and EINTR */
    buf = (uint8_t *)hl__malloc((size_t)st.st_size);
    if (!buf) {
        close(fd);
        return hl__fail(err, HL_ERR_OOM, "%s: cannot allocate %llu bytes", path,
                        (unsigned long long)st.st_size);
    }
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            int e = errno;
            close(fd);
            hl__free(buf);
            return hl__fail(err, HL_ERR_IO, "%s: read failed after %llu bytes: %s", path,
                            (unsigned long long)got, r == 0 ? "unexpected end of file" : strerror(e));
        }
        got += (size_t)r;
    }
    close(fd);
    out->data = buf;
    out->size = got;
    out->mapped = 0;
    return HL_OK;
}

static void hl__file_close(hl__file *f) {
    if (!f || !f->data) return;
#    ifndef HL_NO_MMAP
    if (f->mapped) munmap((void *)(uintptr_t)f->data, f->size);
    else
#    endif
        hl__free((void *)(uintptr_t)f->data);
    memset(f, 0, sizeof *f);
}

/* Joins a directory and a file name into a new string ("dir/name"); NULL when out of memory. */
static char *hl__path_join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = (char *)hl__malloc(a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    if (a && dir[a - 1] != '/') p[a++] = '/';
    memcpy(p + a, name, b + 1);
    return p;
}
static int hl__is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
static int hl__exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}
#endif /* HL_NO_STDIO */

/* >>json ==================================================================================== */
/* RFC 8259 JSON, parsed by recursive descent into one arena.
     value  = object / array / string / number / true / false / null
     number = [ "-" ] ( "0" / [1-9] *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ]
   Children of a container are first collected on a scratch stack shared by all levels, then copied
   into the arena as one contiguous block when the container closes, so `kids[i]` is O(1).
   Strings are validated as UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). */

typedef struct hl__arena_block {
    struct hl__arena_block *next;
    size_t used, cap;
    /* data follows, 16-aligned */
} hl__arena_block;

typedef struct hl__arena {
    hl__arena_block *head;
} hl__arena;

/* Returns n bytes of 8-aligned memory from the arena, or NULL when out of memory. */
static void *hl__arena_alloc(hl__arena *a, size_t n) {
    hl__arena_block *b = a->head;
    size_t hdr = (sizeof(hl__arena_block) + 15) & ~(size_t)15;
    n = (n + 7) & ~(size_t)7;
    if (!b || n > b->cap - b->used) {
        size_t cap = n > ((size_t)1 << 16) ? n : ((size_t)1 << 16);
        if (b && b->cap * 2 > cap && b->cap < ((size_t)1 << 24)) cap = b->cap * 2;
        if (cap > SIZE_MAX - hdr) return NULL;
        b = (hl__arena_block *)hl__malloc(hdr + cap);
        if (!b) return NULL;
        b->cap = cap;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    {
        void *p = (uint8_t *)b + hdr + b->used;
        b->used += n;
        return p;
    }
}
static void hl__arena_free(hl__arena *a) {
    hl__arena_block *b = a->head;
    while (b) {
        hl__arena_block *n = b->next;
        hl__free(b);
        b = n;
    }
    a->head = NULL;
}

struct hl_json_doc {
    hl__arena arena;
    hl_json  *root;
};

typedef struct hl__jp {
    const char *s;     /* text */
    size_t      n, i;  /* length, cursor */
    hl__arena  *arena;
    hl_json    *stack; /* scratch stack of finished children */
    size_t      top, cap;
    hl_error   *err;
    hl_status   st;
} hl__jp;

/* Records a syntax error at the cursor with line:column and returns the status. */
static hl_status hl__jp_fail(hl__jp *p, hl_status st, const char *what) {
    size_t line = 1, col = 1, k;
    for (k = 0; k < p->i && k < p->n; k++) {
        if (p->s[k] == '\n') { line++; col = 1; } else col++;
    }
    p->st = st;
    return hl__fail(p->err, st, "JSON %s at line %llu, column %llu (byte %llu)", what,
                    (unsigned long long)line, (unsigned long long)col, (unsigned long long)p->i);
}

static void hl__jp_ws(hl__jp *p) {
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->i++;
    }
}

static int hl__hex4(const char *s, uint32_t *out) {
    uint32_t v = 0;
    int k;
    for (k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* Parses the string starting at the opening quote into the arena. The decoded form is never longer
   than the source (an escape of 6 or 12 bytes yields at most 4), so one allocation suffices. */
static hl_status hl__jp_string(hl__jp *p, const char **out, size_t *out_len) {
    size_t start = ++p->i, end = start, len = 0;
    char *dst;
    int escapes = 0;
    /* pass 1: find the closing quote, validate UTF-8 and control characters */
    while (end < p->n) {
        uint8_t c = (uint8_t)p->s[end];
        if (c == '"') break;
        if (c == '\\') {
            escapes = 1;
            if (p->n - end < 2) { end = p->n; break; } /* a '\' as the last byte: unterminated */
            end += 2;
            continue;
        }
        if (c < 0x20) { p->i = end; return hl__jp_fail(p, HL_ERR_FORMAT, "control character in string"); }
        if (c >= 0x80) {
            size_t k = hl__utf8_valid_len((const uint8_t *)p->s + end, p->n - end);
            if (!k) { p->i = end; return hl__jp_fail(p, HL_ERR_FORMAT, "invalid UTF-8 in string"); }
            end += k;
            continue;
        }
        end++;
    }
    if (end >= p->n) { p->i = p->n; return hl__jp_fail(p, HL_ERR_FORMAT, "unterminated string"); }
    dst = (char *)hl__arena_alloc(p->arena, end - start + 1);
    if (!dst) return hl__jp_fail(p, HL_ERR_OOM, "out of memory");
    if (!escapes) {
        memcpy(dst, p->s + start, end - start);
        len = end - start;
    } else {
        size_t k = start;
        while (k < end) {
            char c = p->s[k];
            if (c != '\\') { dst[len++] = c; k++; continue; }
            c = p->s[k + 1];
            switch (c) {
            case '"': dst[len++] = '"'; break;
            case '\\': dst[len++] = '\\'; break;
            case '/': dst[len++] = '/'; break;
            case 'b': dst[len++] = '\b'; break;
            case 'f': dst[len++] = '\f'; break;
            case 'n': dst[len++] = '\n'; break;
            case 'r': dst[len++] = '\r'; break;
            case 't': dst[len++] = '\t'; break;
            case 'u': {
                uint32_t cp, lo;
                if (end - k < 6 || !hl__hex4(p->s + k + 2, &cp)) {
                    p->i = k;
                    return hl__jp_fail(p, HL_ERR_FORMAT, "bad \\u escape");
                }
                if (cp >= 0xdc00 && cp <= 0xdfff) {
                    p->i = k;
                    return hl__jp_fail(p, HL_ERR_FORMAT, "lone low surrogate in \\u escape");
                }
                if (cp >= 0xd800 && cp <= 0xdbff) { /* high surrogate: a low one must follow */
                    if (end - k < 12 || p->s[k + 6] != '\\' || p->s[k + 7] != 'u' ||
                        !hl__hex4(p->s + k + 8, &lo) || lo < 0xdc00 || lo > 0xdfff) {
                        p->i = k;
                        return hl__jp_fail(p, HL_ERR_FORMAT, "unpaired high surrogate in \\u escape");
                    }
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    k += 6;
                }
                len += hl__utf8_put(dst + len, cp);
                k += 6;
                continue;
            }
            default:
                p->i = k;
                return hl__jp_fail(p, HL_ERR_FORMAT, "invalid escape");
            }
            k += 2;
        }
    }
    dst[len] = 0;
    p->i = end + 1;
    *out = dst;
    *out_len = len;
    return HL_OK;
}

static hl_status hl__jp_number(hl__jp *p, hl_json *v) {
    size_t s = p->i, k = p->i;
    int is_int = 1;
    char small[64], *buf = small;
    if (k < p->n && p->s[k] == '-') k++;
    if (k >= p->n || !(p->s[k] >= '0' && p->s[k] <= '9')) { p->i = k; return hl__jp_fail(p, HL_ERR_FORMAT, "invalid number"); }
    if (p->s[k] == '0') k++;
    else while (k < p->n && p->s[k] >= '0' && p->s[k] <= '9') k++;
    if (k < p->n && p->s[k] == '.') {
        is_int = 0;
        k++;
        if (k >= p->n || !(p->s[k] >= '0' && p->s[k] <= '9')) { p->i = k; return hl__jp_fail(p, HL_ERR_FORMAT, "digit expected after '.'"); }
        while (k < p->n && p->s[k] >= '0' && p->s[k] <= '9') k++;
    }
    if (k < p->n && (p->s[k] == 'e' || p->s[k] == 'E')) {
        is_int = 0;
        k++;
        if (k < p->n && (p->s[k] == '+' || p->s[k] == '-')) k++;
        if (k >= p->n || !(p->s[k] >= '0' && p->s[k] <= '9')) { p->i = k; return hl__jp_fail(p, HL_ERR_FORMAT, "digit expected in exponent"); }
        while (k < p->n && p->s[k] >= '0' && p->s[k] <= '9') k++;
    }
    v->type = HL_JSON_NUMBER;
    if (is_int) { /* exact int64 when it fits */
        size_t j = s;
        int neg = p->s[j] == '-';
        uint64_t acc = 0, lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
        if (neg) j++;
        for (; j < k; j++) {
            uint64_t d = (uint64_t)(p->s[j] - '0');
            if (acc > (lim - d) / 10) { is_int = 0; break; }
            acc = acc * 10 + d;
        }
        if (is_int) {
            v->is_int = 1;
            v->i64 = neg ? (acc == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
        }
    }
    if (k - s >= sizeof small) {
        buf = (char *)hl__malloc(k - s + 1);
        if (!buf) return hl__jp_fail(p, HL_ERR_OOM, "out of memory");
    }
    memcpy(buf, p->s + s, k - s);
    buf[k - s] = 0;
    /* The grammar was checked above; strtod only converts. strtod follows LC_NUMERIC, so under a
       host program's comma-decimal locale the '.' is swapped for the locale's decimal point. */
    {
        const char *dp = localeconv()->decimal_point;
        if (dp && dp[0] && dp[0] != '.' && !dp[1]) {
            char *dot = strchr(buf, '.');
            if (dot) *dot = dp[0];
        }
    }
    v->num = strtod(buf, NULL);
    if (buf != small) hl__free(buf);
    p->i = k;
    return HL_OK;
}

static hl_status hl__jp_value(hl__jp *p, hl_json *v, int depth);

/* Pushes a finished child on the scratch stack. */
static hl_status hl__jp_push(hl__jp *p, const hl_json *v) {
    if (p->top == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        hl_json *s = (hl_json *)hl__realloc(p->stack, cap * sizeof(hl_json));
        if (!s) return hl__jp_fail(p, HL_ERR_OOM, "out of memory");
        p->stack = s;
        p->cap = cap;
    }
    p->stack[p->top++] = *v;
    return HL_OK;
}

/* Moves the children stack[base..top) into one arena block of the container v. */
static hl_status hl__jp_close(hl__jp *p, hl_json *v, size_t base) {
    size_t count = p->top - base;
    v->len = count;
    v->kids = NULL;
    if (count) {
        v->kids = (hl_json *)hl__arena_alloc(p->arena, count * sizeof(hl_json));
        if (!v->kids) return hl__jp_fail(p, HL_ERR_OOM, "out of memory");
        memcpy(v->kids, p->stack + base, count * sizeof(hl_json));
    }
    p->top = base;
    return HL_OK;
}

static hl_status hl__jp_container(hl__jp *p, hl_json *v, int depth, int is_obj) {
    size_t base = p->top;
    char close = is_obj ? '}' : ']';
    if (depth >= HL_MAX_JSON_DEPTH) return hl__jp_fail(p, HL_ERR_LIMIT, "nesting deeper than HL_MAX_JSON_DEPTH");
    v->type = is_obj ? HL_JSON_OBJECT : HL_JSON_ARRAY;
    p->i++; /* the opening bracket */
    hl__jp_ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        return hl__jp_close(p, v, base);
    }
    for (;;) {
        hl_json kid;
        memset(&kid, 0, sizeof kid);
        hl__jp_ws(p);
        if (is_obj) {
            if (p->i >= p->n || p->s[p->i] != '"') return hl__jp_fail(p, HL_ERR_FORMAT, "object key (a string) expected");
            if (hl__jp_string(p, &kid.key, &kid.key_len) != HL_OK) return p->st;
            hl__jp_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') return hl__jp_fail(p, HL_ERR_FORMAT, "':' expected after object key");
            p->i++;
            hl__jp_ws(p);
        }
        if (hl__jp_value(p, &kid, depth + 1) != HL_OK) return p->st;
        if (hl__jp_push(p, &kid) != HL_OK) return p->st;
        hl__jp_ws(p);
        if (p->i >= p->n) return hl__jp_fail(p, HL_ERR_FORMAT, is_obj ? "unterminated object" : "unterminated array");
        if (p->s[p->i] == ',') { p->i++; continue; }
        if (p->s[p->i] == close) { p->i++; break; }
        return hl__jp_fail(p, HL_ERR_FORMAT, is_obj ? "',' or '}' expected" : "',' or ']' expected");
    }
    return hl__jp_close(p, v, base);
}

static int hl__jp_lit(hl__jp *p, const char *lit, size_t n) {
    if (p->n - p->i < n || memcmp(p->s + p->i, lit, n) != 0) return 0;
    p->i += n;
    return 1;
}

/* Parses one value at the cursor into *v (whose key fields the caller has set). */
static hl_status hl__jp_value(hl__jp *p, hl_json *v, int depth) {
    char c;
    if (p->i >= p->n) return hl__jp_fail(p, HL_ERR_FORMAT, "value expected, found end of input");
    c = p->s[p->i];
    switch (c) {
    case '{': return hl__jp_container(p, v, depth, 1);
    case '[': return hl__jp_container(p, v, depth, 0);
    case '"':
        v->type = HL_JSON_STRING;
        return hl__jp_string(p, &v->str, &v->len);
    case 't':
        if (!hl__jp_lit(p, "true", 4)) break;
        v->type = HL_JSON_BOOL;
        v->boolean = 1;
        return HL_OK;
    case 'f':
        if (!hl__jp_lit(p, "false", 5)) break;
        v->type = HL_JSON_BOOL;
        return HL_OK;
    case 'n':
        if (!hl__jp_lit(p, "null", 4)) break;
        v->type = HL_JSON_NULL;
        return HL_OK;
    default:
        if (c == '-' || (c >= '0' && c <= '9')) return hl__jp_number(p, v);
    }
    return hl__jp_fail(p, HL_ERR_FORMAT, "unexpected character");
}

HL__DEF hl_status hl_json_parse(const char *text, size_t len, hl_json_doc **out, hl_error *err) {
    hl__jp p;
    hl_json_doc *doc;
    if (!out || (!text && len)) return hl__fail(err, HL_ERR_ARG, "hl_json_parse: NULL argument");
    doc = (hl_json_doc *)hl__calloc(1, sizeof *doc);
    if (!doc) return hl__fail(err, HL_ERR_OOM, "JSON: out of memory");
    memset(&p, 0, sizeof p);
    p.s = text;
    p.n = len;
    p.arena = &doc->arena;
    p.err = err;
    doc->root = (hl_json *)hl__arena_alloc(&doc->arena, sizeof(hl_json));
    if (!doc->root) { hl__jp_fail(&p, HL_ERR_OOM, "out of memory"); goto fail; }
    memset(doc->root, 0, sizeof(hl_json));
    /* a UTF-8 byte order mark is not JSON (RFC 8259 section 8.1); it is rejected below */
    hl__jp_ws(&p);
    if (hl__jp_value(&p, doc->root, 0) != HL_OK) goto fail;
    hl__jp_ws(&p);
    if (p.i != p.n) { hl__jp_fail(&p, HL_ERR_FORMAT, "trailing characters after the value"); goto fail; }
    hl__free(p.stack);
    *out = doc;
    return HL_OK;
fail:
    hl__free(p.stack);
    hl__arena_free(&doc->arena);
    hl__free(doc);
    return p.st ? p.st : HL_ERR_FORMAT;
}

HL__DEF void hl_json_free(hl_json_doc *doc) {
    if (!doc) return;
    hl__arena_free(&doc->arena);
    hl__free(doc);
}
HL__DEF const hl_json *hl_json_root(const hl_json_doc *doc) {
    return doc ? doc->root : NULL;
}
HL__DEF const hl_json *hl_json_get(const hl_json *obj, const char *key) {
    size_t i, n;
    if (!obj || obj->type != HL_JSON_OBJECT || !key) return NULL;
    n = strlen(key);
    for (i = 0; i < obj->len; i++)
        if (obj->kids[i].key_len == n && memcmp(obj->kids[i].key, key, n) == 0) return &obj->kids[i];
    return NULL;
}
HL__DEF const hl_json *hl_json_at(const hl_json *v, size_t i) {
    if (!v || (v->type != HL_JSON_ARRAY && v->type != HL_JSON_OBJECT) || i >= v->len) return NULL;
    return &v->kids[i];
}
HL__DEF const char *hl_json_str(const hl_json *v, const char *dflt) {
    return (v && v->type == HL_JSON_STRING) ? v->str : dflt;
}
HL__DEF double hl_json_num(const hl_json *v, double dflt) {
    return (v && v->type == HL_JSON_NUMBER) ? v->num : dflt;
}
HL__DEF int64_t hl_json_int(const hl_json *v, int64_t dflt) {
    return (v && v->type == HL_JSON_NUMBER && v->is_int) ? v->i64 : dflt;
}
HL__DEF int hl_json_bool(const hl_json *v, int dflt) {
    return (v && v->type == HL_JSON_BOOL) ? v->boolean : dflt;
}

/* Appends s[0..n) as a quoted JSON string (control characters and '"' '\' escaped; "</" written
   as "<\/" so the text can sit inside an HTML <script>). Used by the safetensors writer (which
   HL_NO_STDIO leaves out) and by hooklens_tools.h. */
HL__MAYBE_UNUSED static void hl__buf_json_str(hl__buf *b, const char *s, size_t n) {
    size_t i;
    hl__buf_putc(b, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': hl__buf_puts(b, "\\\""); break;
        case '\\': hl__buf_puts(b, "\\\\"); break;
        case '\n': hl__buf_puts(b, "\\n"); break;
        case '\r': hl__buf_puts(b, "\\r"); break;
        case '\t': hl__buf_puts(b, "\\t"); break;
        case '/':
            if (i > 0 && s[i - 1] == '<') hl__buf_puts(b, "\\/");
            else hl__buf_putc(b, '/');
            break;
        default:
            if (c < 0x20) hl__buf_printf(b, "\\u%04x", c);
            else hl__buf_putc(b, (char)c);
        }
    }
    hl__buf_putc(b, '"');
}

/* <<json */

/* >>safetensors ============================================================================= */
/* File layout (https://github.com/huggingface/safetensors, format section):
     [0, 8)          n: u64 little-endian, the header length
     [8, 8 + n)      JSON object {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]},
                     "__metadata__": {"key": "value"}}, possibly padded with trailing spaces
     [8 + n, size)   the data section; tensor bytes are data[b, e), row-major, little-endian
   Validation, before any pointer is formed: n against the file size and HL_MAX_HEADER_BYTES; every
   entry has a known dtype, ndim <= HL_MAX_DIMS, a shape whose byte size (checked products) equals
   e - b, and b <= e <= data size; after sorting by offset no two non-empty tensors overlap; names
   are unique and contain no NUL. Like the Rust reference reader we sort by offset instead of relying
   on the header's key order; unlike it we accept gaps and trailing bytes (they are harmless). */

typedef struct hl__st_ix {
    const char *name;
    size_t      idx;
} hl__st_ix;

struct hl_safetensors {
    hl__file        file;     /* the mapping; zeroed when opened over caller memory */
    char           *label;    /* path or caller's name, used in messages */
    hl_json_doc    *header;   /* tensor names and metadata strings borrow from it */
    const hl_json  *meta;     /* the "__metadata__" object, or NULL */
    size_t          n;
    const char    **names;    /* [n] in header order */
    hl_tensor      *tensors;  /* [n] */
    hl__st_ix      *sorted;   /* [n] by name, for hl_safetensors_find */
    void          **copies;   /* owned copies of tensors whose offset is misaligned for the dtype */
    size_t          n_copies;
    uint64_t        data_size;
};

static int hl__st_ix_cmp(const void *a, const void *b) {
    return strcmp(((const hl__st_ix *)a)->name, ((const hl__st_ix *)b)->name);
}

/* Binary search in an array sorted by hl__st_ix_cmp; returns the index into the original array or
   (size_t)-1. */
static size_t hl__st_ix_find(const hl__st_ix *ix, size_t n, const char *name) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix[mid].name, name);
        if (c == 0) return ix[mid].idx;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return (size_t)-1;
}

/* "[2, 3, 4]" into buf (truncated safely). */

/* Safetensors dtype spellings that are valid in the format but that hooklens does not read. */
static int hl__st_known_unsupported(const char *s) {
    static const char *const names[] = {"U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0",
                                        "F6_E2M3", "F6_E3M2", "F4", "C64", "E8M0"};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0) return 1;
    return 0;
}

/* Reads a JSON number that must be an exact non-negative integer. */
static int hl__st_uint(const hl_json *v, uint64_t *out) {
    if (!v || v->type != HL_JSON_NUMBER || !v->is_int || v->i64 < 0) return 0;
    *out = (uint64_t)v->i64;
    return 1;
}

typedef struct hl__st_span {
    uint64_t begin, end;
    size_t   idx;
} hl__st_span;

static int hl__st_span_cmp(const void *a, const void *b) {
    const hl__st_span *x = (const hl__st_span *)a, *y = (const hl__st_span *)b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* Validates one tensor entry `e` (named e->key) and fills *t (data not yet set) and its span. */
static hl_status hl__st_entry(const hl_safetensors *st, const hl_json *e, uint64_t data_size,
                              hl_tensor *t, hl__st_span *sp, hl_error *err) {
    const char *L = st->label, *name = e->key;
    const hl_json *dt, *shape, *offs;
    uint64_t numel = 1, nbytes, b, en;
    size_t i;
    char sbuf[200];
    if (e->type != HL_JSON_OBJECT)
        return hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': header entry is not an object", L, name);
    dt = hl_json_get(e, "dtype");
    shape = hl_json_get(e, "shape");
    offs = hl_json_get(e, "data_offsets");
    if (!dt || dt->type != HL_JSON_STRING)
        return hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': missing or non-string \"dtype\"", L, name);
    if (!shape || shape->type != HL_JSON_ARRAY)
        return hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': missing or non-array \"shape\"", L, name);
    if (!offs || offs->type != HL_JSON_ARRAY)
        return hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': missing or non-array \"data_offsets\"", L,
                        name);
    memset(t, 0, sizeof *t);
    t->dtype = hl_dtype_from_name(dt->str, dt->len);
    if (t->dtype == HL_DTYPE_INVALID) {
        if (hl__st_known_unsupported(dt->str))
            return hl__fail(err, HL_ERR_UNSUPPORTED,
                            "%s: tensor '%s': dtype %s is not supported (supported: F64 F32 F16 BF16 "
                            "I64 I32 I16 I8 U8 BOOL)", L, name, dt->str);
        return hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': unknown dtype \"%s\"", L, name, dt->str);
    }
    if (shape->len > HL_MAX_DIMS)
        return hl__fail(err, HL_ERR_LIMIT, "%s: tensor '%s': %llu dimensions, more than HL_MAX_DIMS = %d",
                        L, name, (unsigned long long)shape->len, HL_MAX_DIMS);
    t->ndim = (int)shape->len;
    for (i = 0; i < shape->len; i++) {
        uint64_t d;
        if (!hl__st_uint(&shape->kids[i], &d))
            return hl__fail(err, HL_ERR_FORMAT,
                            "%s: tensor '%s': shape entry %llu is not a non-negative integer", L, name,
                            (unsigned long long)i);
        t->shape[i] = (int64_t)d;
    }
    for (i = 0; i < shape->len; i++)
        if (!hl__mul_ok(numel, (uint64_t)t->shape[i], &numel) || numel > (uint64_t)INT64_MAX)
            return hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': shape %s has more than 2^63 elements",
                            L, name, hl__shape_str(sbuf, sizeof sbuf, t->shape, t->ndim, "[]"));
    if (!hl__mul_ok(numel, hl_dtype_size(t->dtype), &nbytes))
        return hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': shape %s of %s overflows a 64-bit byte size",
                        L, name, hl__shape_str(sbuf, sizeof sbuf, t->shape, t->ndim, "[]"),
                        hl_dtype_name(t->dtype));
    if (offs->len != 2 || !hl__st_uint(&offs->kids[0], &b) || !hl__st_uint(&offs->kids[1], &en))
        return hl__fail(err, HL_ERR_FORMAT,
                        "%s: tensor '%s': \"data_offsets\" must be two non-negative integers [begin, end]",
                        L, name);
    if (b > en)
        return hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s' data_offsets [%llu, %llu] are not ascending",
                        L, name, (unsigned long long)b, (unsigned long long)en);
    if (en > data_size)
        return hl__fail(err, HL_ERR_FORMAT,
                        "%s: tensor '%s' data_offsets [%llu, %llu] exceed the file's data section of %llu "
                        "bytes", L, name, (unsigned long long)b, (unsigned long long)en,
                        (unsigned long long)data_size);
    if (en - b != nbytes)
        return hl__fail(err, HL_ERR_FORMAT,
                        "%s: tensor '%s': shape %s of %s is %llu bytes but data_offsets [%llu, %llu] span "
                        "%llu", L, name, hl__shape_str(sbuf, sizeof sbuf, t->shape, t->ndim, "[]"),
                        hl_dtype_name(t->dtype), (unsigned long long)nbytes, (unsigned long long)b,
                        (unsigned long long)en, (unsigned long long)(en - b));
    sp->begin = b;
    sp->end = en;
    return HL_OK;
}

/* Parses and validates p[0, size) into st (whose label is set); on failure the caller frees st. */
static hl_status hl__st_parse(hl_safetensors *st, const uint8_t *p, size_t size, hl_error *err) {
    const char *L = st->label;
    const hl_json *root;
    hl__st_span *spans = NULL;
    uint64_t hlen, data_size, max_end = 0;
    const uint8_t *data;
    size_t i, k, n = 0, prev = (size_t)-1;
    hl_status s;
    if (size < 8)
        return hl__fail(err, HL_ERR_FORMAT, "%s: file is %llu bytes, too short for the 8-byte header length",
                        L, (unsigned long long)size);
    hlen = hl__rd64(p);
    if (hlen > size - 8)
        return hl__fail(err, HL_ERR_FORMAT,
                        "%s: header length %llu exceeds the %llu bytes that follow it (truncated or not "
                        "a safetensors file)", L, (unsigned long long)hlen, (unsigned long long)(size - 8));
    if (hlen > HL_MAX_HEADER_BYTES)
        return hl__fail(err, HL_ERR_LIMIT, "%s: header length %llu exceeds HL_MAX_HEADER_BYTES = %llu", L,
                        (unsigned long long)hlen, (unsigned long long)HL_MAX_HEADER_BYTES);
    if (hlen < 2 || p[8] != '{')
        return hl__fail(err, HL_ERR_FORMAT, "%s: the %llu-byte header is not a JSON object", L,
                        (unsigned long long)hlen);
    s = hl_json_parse((const char *)p + 8, (size_t)hlen, &st->header, err);
    if (s != HL_OK) {
        char pre[300];
        snprintf(pre, sizeof pre, "%s: header", L);
        return hl__wrap(err, s, pre);
    }
    root = hl_json_root(st->header);
    if (root->type != HL_JSON_OBJECT)
        return hl__fail(err, HL_ERR_FORMAT, "%s: the header is not a JSON object", L);
    data = p + 8 + hlen;
    data_size = size - 8 - hlen;
    st->data_size = data_size;
    for (i = 0; i < root->len; i++) {
        const hl_json *e = &root->kids[i];
        if (strcmp(e->key, "__metadata__") == 0 && e->key_len == 12) {
            if (e->type != HL_JSON_OBJECT)
                return hl__fail(err, HL_ERR_FORMAT, "%s: \"__metadata__\" is not an object", L);
            for (k = 0; k < e->len; k++)
                if (e->kids[k].type != HL_JSON_STRING)
                    return hl__fail(err, HL_ERR_FORMAT,
                                    "%s: \"__metadata__\" value of '%s' is not a string", L, e->kids[k].key);
            if (!st->meta) st->meta = e;
            continue;
        }
        if (strlen(e->key) != e->key_len)
            return hl__fail(err, HL_ERR_FORMAT, "%s: tensor name '%s' contains a NUL byte", L, e->key);
        n++;
    }
    if (n > HL_MAX_TENSORS)
        return hl__fail(err, HL_ERR_LIMIT, "%s: %llu tensors, more than HL_MAX_TENSORS = %d", L,
                        (unsigned long long)n, HL_MAX_TENSORS);
    st->names = (const char **)hl__calloc(n, sizeof *st->names);
    st->tensors = (hl_tensor *)hl__calloc(n, sizeof *st->tensors);
    st->sorted = (hl__st_ix *)hl__calloc(n, sizeof *st->sorted);
    st->copies = (void **)hl__calloc(n, sizeof *st->copies);
    spans = (hl__st_span *)hl__calloc(n, sizeof *spans);
    if (!st->names || !st->tensors || !st->sorted || !st->copies || !spans) {
        s = hl__fail(err, HL_ERR_OOM, "%s: out of memory for %llu tensors", L, (unsigned long long)n);
        goto fail;
    }
    for (i = 0, k = 0; i < root->len; i++) {
        const hl_json *e = &root->kids[i];
        if (strcmp(e->key, "__metadata__") == 0) continue;
        s = hl__st_entry(st, e, data_size, &st->tensors[k], &spans[k], err);
        if (s != HL_OK) goto fail;
        spans[k].idx = k;
        st->names[k] = e->key;
        st->sorted[k].name = e->key;
        st->sorted[k].idx = k;
        k++;
    }
    st->n = n;
    /* unique names */
    qsort(st->sorted, n, sizeof *st->sorted, hl__st_ix_cmp);
    for (i = 1; i < n; i++)
        if (strcmp(st->sorted[i - 1].name, st->sorted[i].name) == 0) {
            s = hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s' appears more than once in the header", L,
                         st->sorted[i].name);
            goto fail;
        }
    /* no two non-empty tensors share a byte */
    qsort(spans, n, sizeof *spans, hl__st_span_cmp);
    for (i = 0; i < n; i++) {
        if (spans[i].begin == spans[i].end) continue;
        if (prev != (size_t)-1 && spans[i].begin < max_end) {
            const hl__st_span *a = &spans[prev], *b = &spans[i];
            s = hl__fail(err, HL_ERR_FORMAT,
                         "%s: tensors '%s' data_offsets [%llu, %llu] and '%s' [%llu, %llu] overlap", L,
                         st->names[a->idx], (unsigned long long)a->begin, (unsigned long long)a->end,
                         st->names[b->idx], (unsigned long long)b->begin, (unsigned long long)b->end);
            goto fail;
        }
        if (spans[i].end > max_end) {
            max_end = spans[i].end;
            prev = i;
        }
    }
    /* views into the data, or aligned copies when the address is misaligned for the dtype */
    for (i = 0; i < n; i++) {
        hl_tensor *t = &st->tensors[spans[i].idx];
        const uint8_t *src = data + spans[i].begin;
        size_t nb = (size_t)(spans[i].end - spans[i].begin), es = hl_dtype_size(t->dtype);
        if ((uintptr_t)src % es == 0) {
            t->data = (void *)(uintptr_t)src;
        } else {
            void *c = hl__malloc(nb);
            if (!c) {
                s = hl__fail(err, HL_ERR_OOM, "%s: out of memory copying misaligned tensor '%s'", L,
                             st->names[spans[i].idx]);
                goto fail;
            }
            memcpy(c, src, nb);
            st->copies[st->n_copies++] = c;
            t->data = c;
        }
    }
    hl__free(spans);
    return HL_OK;
fail:
    hl__free(spans);
    return s;
}

HL__DEF void hl_safetensors_close(hl_safetensors *st) {
    size_t i;
    if (!st) return;
#ifndef HL_NO_STDIO
    hl__file_close(&st->file);
#endif
    for (i = 0; i < st->n_copies; i++) hl__free(st->copies[i]);
    hl__free(st->copies);
    hl__free(st->sorted);
    hl__free(st->tensors);
    hl__free((void *)st->names);
    hl_json_free(st->header);
    hl__free(st->label);
    hl__free(st);
}

static hl_safetensors *hl__st_new(const char *label) {
    hl_safetensors *st = (hl_safetensors *)hl__calloc(1, sizeof *st);
    if (!st) return NULL;
    st->label = hl__strdup(label ? label : "<memory>");
    if (!st->label) {
        hl__free(st);
        return NULL;
    }
    return st;
}

HL__DEF hl_status hl_safetensors_open_memory(const void *data, size_t size, const char *name,
                                            hl_safetensors **out, hl_error *err) {
    hl_safetensors *st;
    hl_status s;
    if (!out || (!data && size)) return hl__fail(err, HL_ERR_ARG, "hl_safetensors_open_memory: NULL argument");
    st = hl__st_new(name);
    if (!st) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", name ? name : "<memory>");
    s = hl__st_parse(st, (const uint8_t *)data, size, err);
    if (s != HL_OK) {
        hl_safetensors_close(st);
        return s;
    }
    *out = st;
    return HL_OK;
}

#ifndef HL_NO_STDIO
HL__DEF hl_status hl_safetensors_open(const char *path, hl_safetensors **out, hl_error *err) {
    hl_safetensors *st;
    hl_status s;
    if (!path || !out) return hl__fail(err, HL_ERR_ARG, "hl_safetensors_open: NULL argument");
    st = hl__st_new(path);
    if (!st) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
    s = hl__file_open(path, &st->file, err);
    if (s == HL_OK) s = hl__st_parse(st, st->file.data, st->file.size, err);
    if (s != HL_OK) {
        hl_safetensors_close(st);
        return s;
    }
    *out = st;
    return HL_OK;
}
#else
HL__DEF hl_status hl_safetensors_open(const char *path, hl_safetensors **out, hl_error *err) {
    (void)path, (void)out;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_safetensors_open: built with HL_NO_STDIO (use hl_safetensors_open_memory)");
}
#endif

HL__DEF size_t hl_safetensors_count(const hl_safetensors *st) {
    return st ? st->n : 0;
}
HL__DEF const char *hl_safetensors_name(const hl_safetensors *st, size_t i) {
    return (st && i < st->n) ? st->names[i] : NULL;
}
HL__DEF const hl_tensor *hl_safetensors_tensor(const hl_safetensors *st, size_t i) {
    return (st && i < st->n) ? &st->tensors[i] : NULL;
}
HL__DEF const hl_tensor *hl_safetensors_find(const hl_safetensors *st, const char *name) {
    size_t i;
    if (!st || !name) return NULL;
    i = hl__st_ix_find(st->sorted, st->n, name);
    return i == (size_t)-1 ? NULL : &st->tensors[i];
}
HL__DEF const char *hl_safetensors_metadata(const hl_safetensors *st, const char *key) {
    return st ? hl_json_str(hl_json_get(st->meta, key), NULL) : NULL;
}
HL__DEF size_t hl_safetensors_metadata_count(const hl_safetensors *st) {
    return (st && st->meta) ? st->meta->len : 0;
}
HL__DEF const char *hl_safetensors_metadata_key(const hl_safetensors *st, size_t i) {
    return (st && st->meta && i < st->meta->len) ? st->meta->kids[i].key : NULL;
}

/* ---- hl_weights: one file, or shards through model.safetensors.index.json ---- */
struct hl_weights {
    hl_safetensors  **shards;
    size_t            n_shards;
    hl_json_doc      *index;   /* names borrow from it (sharded case) */
    size_t            n;
    const char      **names;   /* [n] */
    const hl_tensor **tensors; /* [n] borrowed from the shards */
    hl__st_ix        *sorted;  /* [n] by name */
    uint64_t          total_bytes;
    struct hl_gguf   *gguf;    /* a GGUF file's tensors under Hugging Face names (>>model) */
    char             *gguf_names;
};

HL__DEF void hl_weights_close(hl_weights *w) {
    size_t i;
    if (!w) return;
    for (i = 0; i < w->n_shards; i++) hl_safetensors_close(w->shards[i]);
    hl__free(w->shards);
    hl_gguf_close(w->gguf);
    hl__free(w->gguf_names);
    hl_json_free(w->index);
    hl__free((void *)w->names);
    hl__free((void *)w->tensors);
    hl__free(w->sorted);
    hl__free(w);
}

/* Allocates the name/tensor/sorted arrays for n entries. */
static int hl__w_alloc(hl_weights *w, size_t n) {
    w->names = (const char **)hl__calloc(n, sizeof *w->names);
    w->tensors = (const hl_tensor **)hl__calloc(n, sizeof *w->tensors);
    w->sorted = (hl__st_ix *)hl__calloc(n, sizeof *w->sorted);
    return w->names && w->tensors && w->sorted;
}

/* Sorts the name index and sums the sizes; fails on a duplicate name. */
static hl_status hl__w_finish(hl_weights *w, const char *label, hl_error *err) {
    size_t i;
    for (i = 0; i < w->n; i++) {
        w->sorted[i].name = w->names[i];
        w->sorted[i].idx = i;
        w->total_bytes += hl_tensor_nbytes(w->tensors[i]);
    }
    qsort(w->sorted, w->n, sizeof *w->sorted, hl__st_ix_cmp);
    for (i = 1; i < w->n; i++)
        if (strcmp(w->sorted[i - 1].name, w->sorted[i].name) == 0)
            return hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s' is listed more than once", label,
                            w->sorted[i].name);
    return HL_OK;
}

#ifndef HL_NO_STDIO
static int hl__ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static hl_status hl__w_open_single(hl_weights *w, const char *path, hl_error *err) {
    size_t i;
    hl_status s;
    w->shards = (hl_safetensors **)hl__calloc(1, sizeof *w->shards);
    if (!w->shards) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
    s = hl_safetensors_open(path, &w->shards[0], err);
    if (s != HL_OK) return s;
    w->n_shards = 1;
    w->n = w->shards[0]->n;
    if (!hl__w_alloc(w, w->n)) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
    for (i = 0; i < w->n; i++) {
        w->names[i] = w->shards[0]->names[i];
        w->tensors[i] = &w->shards[0]->tensors[i];
    }
    return hl__w_finish(w, path, err);
}

/* model.safetensors.index.json: {"metadata": {...}, "weight_map": {"tensor name": "shard file"}}.
   Shards are file names in the index's folder; each is opened once, and every mapped name must be
   in its shard. The weights are exactly the names of the weight_map, in its order. */
static hl_status hl__w_open_index(hl_weights *w, const char *path, hl_error *err) {
    hl__file f;
    const hl_json *root, *map;
    char *dir = NULL, *sp = NULL;
    const char **shard_names = NULL;
    size_t *shard_of = NULL, i, j;
    const char *slash;
    hl_status s;
    s = hl__file_open(path, &f, err);
    if (s != HL_OK) return s;
    s = hl_json_parse((const char *)f.data, f.size, &w->index, err);
    hl__file_close(&f);
    if (s != HL_OK) return hl__wrap(err, s, path);
    root = hl_json_root(w->index);
    map = hl_json_get(root, "weight_map");
    if (!map || map->type != HL_JSON_OBJECT)
        return hl__fail(err, HL_ERR_FORMAT, "%s: no \"weight_map\" object", path);
    if (map->len > HL_MAX_TENSORS)
        return hl__fail(err, HL_ERR_LIMIT, "%s: %llu tensors, more than HL_MAX_TENSORS = %d", path,
                        (unsigned long long)map->len, HL_MAX_TENSORS);
    slash = strrchr(path, '/');
    dir = slash ? hl__strndup(path, (size_t)(slash - path) + 1) : hl__strdup(".");
    shard_names = (const char **)hl__calloc(map->len, sizeof *shard_names);
    shard_of = (size_t *)hl__calloc(map->len, sizeof *shard_of);
    if (!dir || !shard_names || !shard_of || !hl__w_alloc(w, map->len)) {
        s = hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
        goto done;
    }
    /* distinct shard names, in order of first use */
    for (i = 0; i < map->len; i++) {
        const hl_json *e = &map->kids[i];
        if (e->type != HL_JSON_STRING) {
            s = hl__fail(err, HL_ERR_FORMAT, "%s: weight_map value of '%s' is not a string", path, e->key);
            goto done;
        }
        if (e->len == 0 || strlen(e->str) != e->len || strchr(e->str, '/') || strcmp(e->str, "..") == 0 ||
            strcmp(e->str, ".") == 0) {
            s = hl__fail(err, HL_ERR_FORMAT,
                         "%s: weight_map entry '%s' names shard \"%s\", which is not a plain file name",
                         path, e->key, e->str);
            goto done;
        }
        if (strlen(e->key) != e->key_len) {
            s = hl__fail(err, HL_ERR_FORMAT, "%s: tensor name '%s' contains a NUL byte", path, e->key);
            goto done;
        }
        for (j = 0; j < w->n_shards; j++)
            if (strcmp(shard_names[j], e->str) == 0) break;
        if (j == w->n_shards) shard_names[w->n_shards++] = e->str;
        shard_of[i] = j;
    }
    w->shards = (hl_safetensors **)hl__calloc(w->n_shards, sizeof *w->shards);
    if (!w->shards) {
        s = hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
        goto done;
    }
    for (j = 0; j < w->n_shards; j++) {
        sp = hl__path_join(dir, shard_names[j]);
        if (!sp) {
            s = hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
            goto done;
        }
        s = hl_safetensors_open(sp, &w->shards[j], err);
        hl__free(sp);
        sp = NULL;
        if (s != HL_OK) {
            hl__wrap(err, s, path);
            goto done;
        }
    }
    for (i = 0; i < map->len; i++) {
        const hl_json *e = &map->kids[i];
        const hl_tensor *t = hl_safetensors_find(w->shards[shard_of[i]], e->key);
        if (!t) {
            s = hl__fail(err, HL_ERR_FORMAT,
                         "%s: tensor '%s' is mapped to shard '%s', which does not contain it", path,
                         e->key, e->str);
            goto done;
        }
        w->names[i] = e->key;
        w->tensors[i] = t;
    }
    w->n = map->len;
    s = hl__w_finish(w, path, err);
done:
    hl__free(dir);
    hl__free((void *)shard_names);
    hl__free(shard_of);
    return s;
}

HL__DEF hl_status hl_weights_open(const char *path, hl_weights **out, hl_error *err) {
    hl_weights *w;
    char *file = NULL;
    int index = 0;
    hl_status s;
    if (!path || !out) return hl__fail(err, HL_ERR_ARG, "hl_weights_open: NULL argument");
    if (hl__is_dir(path)) {
        /* as Hugging Face transformers: the single file first, then the sharded index */
        file = hl__path_join(path, "model.safetensors");
        if (file && !hl__exists(file)) {
            hl__free(file);
            file = hl__path_join(path, "model.safetensors.index.json");
            index = 1;
            if (file && !hl__exists(file)) {
                hl__free(file);
                return hl__fail(err, HL_ERR_NOT_FOUND,
                                "%s: no model.safetensors or model.safetensors.index.json in this folder",
                                path);
            }
        }
    } else {
        file = hl__strdup(path);
        index = hl__ends_with(path, ".json");
    }
    if (!file) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
    w = (hl_weights *)hl__calloc(1, sizeof *w);
    if (!w) {
        hl__free(file);
        return hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
    }
    s = index ? hl__w_open_index(w, file, err) : hl__w_open_single(w, file, err);
    hl__free(file);
    if (s != HL_OK) {
        hl_weights_close(w);
        return s;
    }
    *out = w;
    return HL_OK;
}
#else
HL__DEF hl_status hl_weights_open(const char *path, hl_weights **out, hl_error *err) {
    (void)path, (void)out;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_weights_open: built with HL_NO_STDIO (use hl_weights_open_memory)");
}
#endif /* HL_NO_STDIO */

HL__DEF hl_status hl_weights_open_memory(const void *const *images, const size_t *sizes, size_t n,
                                         hl_weights **out, hl_error *err) {
    hl_weights *w;
    size_t i, j, k = 0, total = 0;
    hl_status s;
    if (!images || !sizes || n == 0 || !out) return hl__fail(err, HL_ERR_ARG, "hl_weights_open_memory: NULL argument");
    w = (hl_weights *)hl__calloc(1, sizeof *w);
    if (!w || !(w->shards = (hl_safetensors **)hl__calloc(n, sizeof *w->shards))) {
        hl__free(w);
        return hl__fail(err, HL_ERR_OOM, "hl_weights_open_memory: out of memory");
    }
    for (i = 0; i < n; i++) {
        char label[48];
        snprintf(label, sizeof label, "safetensors image %llu", (unsigned long long)i);
        if ((s = hl_safetensors_open_memory(images[i], sizes[i], label, &w->shards[i], err)) != HL_OK) goto fail;
        w->n_shards++;
        total += w->shards[i]->n;
    }
    if (total > HL_MAX_TENSORS) {
        s = hl__fail(err, HL_ERR_LIMIT, "weights: %llu tensors, more than HL_MAX_TENSORS = %d", (unsigned long long)total,
                     HL_MAX_TENSORS);
        goto fail;
    }
    if (!hl__w_alloc(w, total)) {
        s = hl__fail(err, HL_ERR_OOM, "hl_weights_open_memory: out of memory");
        goto fail;
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < w->shards[i]->n; j++, k++) {
            w->names[k] = w->shards[i]->names[j];
            w->tensors[k] = &w->shards[i]->tensors[j];
        }
    w->n = total;
    if ((s = hl__w_finish(w, "weights (memory)", err)) != HL_OK) goto fail;
    *out = w;
    return HL_OK;
fail:
    hl_weights_close(w);
    return s;
}

HL__DEF size_t hl_weights_count(const hl_weights *w) {
    return w ? w->n : 0;
}
HL__DEF const char *hl_weights_name(const hl_weights *w, size_t i) {
    return (w && i < w->n) ? w->names[i] : NULL;
}
HL__DEF const hl_tensor *hl_weights_tensor(const hl_weights *w, size_t i) {
    return (w && i < w->n) ? w->tensors[i] : NULL;
}
HL__DEF const hl_tensor *hl_weights_find(const hl_weights *w, const char *name) {
    size_t i;
    if (!w || !name) return NULL;
    i = hl__st_ix_find(w->sorted, w->n, name);
    return i == (size_t)-1 ? NULL : w->tensors[i];
}
HL__DEF uint64_t hl_weights_total_bytes(const hl_weights *w) {
    return w ? w->total_bytes : 0;
}

/* ---- writer ---- */
#ifndef HL_NO_STDIO
/* Byte size of t after checking it is writable; 0 with *ok = 0 when it is not. */
static hl_status hl__st_check_tensor(const char *path, const char *name, const hl_tensor *t,
                                     uint64_t *nbytes, hl_error *err) {
    uint64_t numel = 1;
    int d;
    if (hl_dtype_size(t->dtype) == 0)
        return hl__fail(err, HL_ERR_ARG, "%s: tensor '%s': invalid dtype %d", path, name, (int)t->dtype);
    if (t->ndim < 0 || t->ndim > HL_MAX_DIMS)
        return hl__fail(err, HL_ERR_ARG, "%s: tensor '%s': ndim %d outside [0, %d]", path, name, t->ndim,
                        HL_MAX_DIMS);
    for (d = 0; d < t->ndim; d++)
        if (t->shape[d] < 0 || !hl__mul_ok(numel, (uint64_t)t->shape[d], &numel))
            return hl__fail(err, HL_ERR_ARG, "%s: tensor '%s': invalid shape", path, name);
    if (!hl__mul_ok(numel, hl_dtype_size(t->dtype), nbytes) || *nbytes > SIZE_MAX)
        return hl__fail(err, HL_ERR_ARG, "%s: tensor '%s': byte size overflows", path, name);
    if (*nbytes && !t->data) return hl__fail(err, HL_ERR_ARG, "%s: tensor '%s': data is NULL", path, name);
    return HL_OK;
}

static int hl__utf8_ok(const char *s) {
    return hl__utf8_check(s, strlen(s)) == strlen(s);
}

/* Builds the header JSON (without the length prefix), padded with spaces to make 8 + length a
   multiple of 8. Tensor data is laid out by element size, largest first (stable), as Python's
   safetensors does: with an 8-aligned data section every tensor is then aligned to its element
   size and there are no gaps (the Rust reader rejects gaps). order[] receives the data order. */
static hl_status hl__st_header(const char *path, const char *const *names, const hl_tensor *tensors,
                               size_t n, const char *const *meta, size_t *order, hl__buf *h,
                               hl_error *err) {
    uint64_t *begin = NULL, off = 0;
    size_t i, k, es, m = 0;
    static const size_t sizes[4] = {8, 4, 2, 1};
    hl_status s = HL_OK;
    begin = (uint64_t *)hl__calloc(n, sizeof *begin);
    if (!begin) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
    for (k = 0; k < 4; k++)
        for (i = 0; i < n; i++) {
            uint64_t nb;
            es = hl_dtype_size(tensors[i].dtype);
            if (es != sizes[k]) continue;
            s = hl__st_check_tensor(path, names[i], &tensors[i], &nb, err);
            if (s != HL_OK) goto done;
            begin[i] = off;
            order[m++] = i;
            if (!hl__add_ok(off, nb, &off)) {
                s = hl__fail(err, HL_ERR_ARG, "%s: total size overflows", path);
                goto done;
            }
        }
    if (m != n) { /* some dtype of size 0: report the first */
        for (i = 0; i < n; i++)
            if (hl_dtype_size(tensors[i].dtype) == 0) {
                uint64_t nb;
                s = hl__st_check_tensor(path, names[i], &tensors[i], &nb, err);
                goto done;
            }
    }
    hl__buf_putc(h, '{');
    if (meta && meta[0]) {
        hl__buf_puts(h, "\"__metadata__\":{");
        for (k = 0; meta[k]; k += 2) {
            if (!meta[k + 1] || !hl__utf8_ok(meta[k]) || !hl__utf8_ok(meta[k + 1])) {
                s = hl__fail(err, HL_ERR_ARG, "%s: metadata entry %llu: missing value or invalid UTF-8", path,
                             (unsigned long long)(k / 2));
                goto done;
            }
            if (k) hl__buf_putc(h, ',');
            hl__buf_json_str(h, meta[k], strlen(meta[k]));
            hl__buf_putc(h, ':');
            hl__buf_json_str(h, meta[k + 1], strlen(meta[k + 1]));
        }
        hl__buf_putc(h, '}');
        if (n) hl__buf_putc(h, ',');
    }
    for (i = 0; i < n; i++) {
        const hl_tensor *t = &tensors[i];
        int d;
        uint64_t nb = (uint64_t)hl_tensor_nbytes(t);
        if (i) hl__buf_putc(h, ',');
        hl__buf_json_str(h, names[i], strlen(names[i]));
        hl__buf_printf(h, ":{\"dtype\":\"%s\",\"shape\":[", hl_dtype_name(t->dtype));
        for (d = 0; d < t->ndim; d++) hl__buf_printf(h, d ? ",%lld" : "%lld", (long long)t->shape[d]);
        hl__buf_printf(h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)begin[i],
                       (unsigned long long)(begin[i] + nb));
    }
    hl__buf_putc(h, '}');
    while ((8 + h->len) % 8) hl__buf_putc(h, ' ');
    if (h->oom) s = hl__fail(err, HL_ERR_OOM, "%s: out of memory building the header", path);
done:
    hl__free(begin);
    return s;
}

static hl_status hl__st_write_all(int fd, const char *path, const void *data, size_t n, hl_error *err) {
    const uint8_t *p = (const uint8_t *)data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return hl__fail(err, HL_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        p += w;
        n -= (size_t)w;
    }
    return HL_OK;
}

/* Writes to "<path>.tmp" and renames it over path once complete, so a failure never leaves a
   truncated file under the final name. */
HL__DEF hl_status hl_safetensors_write(const char *path, const char *const *names,
                                       const hl_tensor *tensors, size_t n, const char *const *meta,
                                       hl_error *err) {
    hl__buf h, tmp;
    size_t *order = NULL, i, j;
    uint8_t len8[8];
    int fd = -1;
    hl_status s;
    memset(&h, 0, sizeof h);
    memset(&tmp, 0, sizeof tmp);
    if (!path || (n && (!names || !tensors)))
        return hl__fail(err, HL_ERR_ARG, "hl_safetensors_write: NULL argument");
    for (i = 0; i < n; i++) {
        if (!names[i]) return hl__fail(err, HL_ERR_ARG, "%s: name %llu is NULL", path, (unsigned long long)i);
        if (!hl__utf8_ok(names[i]) || strcmp(names[i], "__metadata__") == 0)
            return hl__fail(err, HL_ERR_ARG, "%s: tensor name '%s' is not valid UTF-8 or is reserved", path,
                            names[i]);
        for (j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return hl__fail(err, HL_ERR_ARG, "%s: tensor name '%s' given twice", path, names[i]);
    }
    order = (size_t *)hl__calloc(n, sizeof *order);
    if (!order) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
    s = hl__st_header(path, names, tensors, n, meta, order, &h, err);
    if (s != HL_OK) goto done;
    hl__buf_printf(&tmp, "%s.tmp", path);
    if (tmp.oom) {
        s = hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
        goto done;
    }
    fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        s = hl__fail(err, HL_ERR_IO, "%s: cannot create: %s", tmp.data, strerror(errno));
        goto done;
    }
    for (i = 0; i < 8; i++) len8[i] = (uint8_t)((uint64_t)h.len >> (8 * i)); /* u64 little-endian */
    s = hl__st_write_all(fd, tmp.data, len8, 8, err);
    if (s == HL_OK) s = hl__st_write_all(fd, tmp.data, h.data, h.len, err);
    for (i = 0; i < n && s == HL_OK; i++)
        s = hl__st_write_all(fd, tmp.data, tensors[order[i]].data, hl_tensor_nbytes(&tensors[order[i]]), err);
    if (close(fd) != 0 && s == HL_OK) s = hl__fail(err, HL_ERR_IO, "%s: close failed: %s", tmp.data, strerror(errno));
    fd = -1;
    if (s == HL_OK && rename(tmp.data, path) != 0)
        s = hl__fail(err, HL_ERR_IO, "%s: cannot rename %s over it: %s", path, tmp.data, strerror(errno));
    if (s != HL_OK) unlink(tmp.data);
done:
    hl__free(order);
    hl__buf_free(&h);
    hl__buf_free(&tmp);
    return s;
}
#else
HL__DEF hl_status hl_safetensors_write(const char *path, const char *const *names, const hl_tensor *tensors, size_t n,
                                       const char *const *meta, hl_error *err) {
    (void)path, (void)names, (void)tensors, (void)n, (void)meta;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_safetensors_write: built with HL_NO_STDIO");
}
#endif /* HL_NO_STDIO */

/* <<safetensors */

/* >>npz ===================================================================================== */
/* Contents: CRC-32 . bit reader . canonical Huffman codes . inflate (RFC 1951) . npy . zip/npz. Everything here reads hostile input: every read is
   bounds-checked, and every length is checked by subtraction against what remains. */

/* ---- CRC-32 ------------------------------------------------------------------------------
   The IEEE 802.3 CRC used by zip, gzip and PNG: reflected polynomial 0xEDB88320, initial value and
   final xor 0xFFFFFFFF. Table-driven, one byte per step:
       crc = table[(crc ^ byte) & 0xff] ^ (crc >> 8)
   where table[i] is i run through 8 rounds of  c = (c & 1) ? 0xEDB88320 ^ (c >> 1) : c >> 1.
   The table is a constant (no lazy init, so no shared mutable state); tests/test_npz.c rebuilds it
   from that definition and compares. */
static const uint32_t hl__crc_table[256] = {
    0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu, 0xe963a535u, 0x9e6495a3u,
    0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u, 0x09b64c2bu, 0x7eb17cbdu, 0xe7b82d07u, 0x90bf1d91u,
    0x1db71064u, 0x6ab020f2u, 0xf3b97148u, 0x84be41deu, 0x1adad47du, 0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u,
    0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu, 0x14015c4fu, 0x63066cd9u, 0xfa0f3d63u, 0x8d080df5u,
    0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u, 0xa2677172u, 0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu,
    0x35b5a8fau, 0x42b2986cu, 0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u,
    0x26d930acu, 0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u, 0xcfba9599u, 0xb8bda50fu,
    0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u, 0x2f6f7c87u, 0x58684c11u, 0xc1611dabu, 0xb6662d3du,
    0x76dc4190u, 0x01db7106u, 0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu, 0x9fbfe4a5u, 0xe8b8d433u,
    0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu, 0x086d3d2du, 0x91646c97u, 0xe6635c01u,
    0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu, 0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u,
    0x65b0d9c6u, 0x12b7e950u, 0x8bbeb8eau, 0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u,
    0x4db26158u, 0x3ab551ceu, 0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u, 0xa4d1c46du, 0xd3d6f4fbu,
    0x4369e96au, 0x346ed9fcu, 0xad678846u, 0xda60b8d0u, 0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u,
    0x5005713cu, 0x270241aau, 0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u, 0xce61e49fu,
    0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u, 0xb7bd5c3bu, 0xc0ba6cadu,
    0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au, 0xead54739u, 0x9dd277afu, 0x04db2615u, 0x73dc1683u,
    0xe3630b12u, 0x94643b84u, 0x0d6d6a3eu, 0x7a6a5aa8u, 0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u,
    0xf00f9344u, 0x8708a3d2u, 0x1e01f268u, 0x6906c2feu, 0xf762575du, 0x806567cbu, 0x196c3671u, 0x6e6b06e7u,
    0xfed41b76u, 0x89d32be0u, 0x10da7a5au, 0x67dd4accu, 0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u,
    0xd6d6a3e8u, 0xa1d1937eu, 0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
    0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u, 0x316e8eefu, 0x4669be79u,
    0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u, 0xcc0c7795u, 0xbb0b4703u, 0x220216b9u, 0x5505262fu,
    0xc5ba3bbeu, 0xb2bd0b28u, 0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u, 0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du,
    0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au, 0x9c0906a9u, 0xeb0e363fu, 0x72076785u, 0x05005713u,
    0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu, 0x0cb61b38u, 0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u,
    0x86d3d2d4u, 0xf1d4e242u, 0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u,
    0x88085ae6u, 0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u, 0x616bffd3u, 0x166ccf45u,
    0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u, 0xa7672661u, 0xd06016f7u, 0x4969474du, 0x3e6e77dbu,
    0xaed16a4au, 0xd9d65adcu, 0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u, 0x47b2cf7fu, 0x30b5ffe9u,
    0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u, 0xcdd70693u, 0x54de5729u, 0x23d967bfu,
    0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u, 0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du,
};

HL__DEF uint32_t hl_crc32(uint32_t crc, const void *data, size_t n) {
    const uint8_t *p = (const uint8_t *)data;
    size_t i;
    crc = ~crc;
    for (i = 0; i < n; i++) crc = hl__crc_table[(crc ^ p[i]) & 0xffu] ^ (crc >> 8);
    return ~crc;
}

/* ---- inflate: state ----------------------------------------------------------------------
   One decoder serves three callers:
     - hl_inflate and deflated npz members: flat output, `win` is the whole destination buffer and
       `mask` is all ones, so win[pos & mask] == win[pos];
     - hl_gunzip (hooklens_tools.h): the same, over a buffer that grows (the decoder only keeps an
       index into it);
     - hl_gzreader (hooklens_tools.h): a 32 KiB ring (`mask` = 32767), input pulled through `more`
       in 64 KiB chunks.
   The decoder can stop before any output byte (when `limit` is reached) and resume later, so a
   streaming reader needs only the window and one input buffer.
   Bits are consumed least-significant first (RFC 1951 3.1.1); Huffman codes are packed starting
   with their most significant bit, so lookup tables are indexed by the bit-reversed code. */
#define HL__WSIZE 32768u /* the DEFLATE window: the largest distance is 32768 */

enum { HL__INF_HEADER = 0, HL__INF_STORED, HL__INF_HUFF, HL__INF_DONE };

/* A canonical Huffman code (RFC 1951 3.2.2): codes of one length are consecutive integers, shorter
   codes sort first, and within one length symbols keep their numeric order. */
typedef struct hl__huff {
    uint16_t count[16];   /* count[l]: number of symbols whose code has l bits (l = 1..15) */
    uint16_t symbol[288]; /* the symbols in code order */
    uint16_t fast[512];   /* 9-bit lookup by reversed code: (symbol << 4) | length; 0 = longer code */
    int      n_codes;     /* symbols that have a code */
} hl__huff;

typedef struct hl__inflate {
    /* input */
    const uint8_t *in;
    size_t         in_len, in_pos;
    uint64_t       in_base;                    /* bytes consumed before the current chunk */
    int          (*more)(struct hl__inflate *); /* streaming refill: 1 = more input, 0 = none */
    void          *more_ctx;
    int            eof;                        /* `more` reported the end; don't ask again */
    uint64_t       bits;                       /* bit buffer, next bit in bit 0 */
    unsigned       nbits;
    /* output */
    uint8_t *win;
    size_t   mask;
    uint64_t out; /* bytes produced by this stream (gzip: by this member) */
    /* block state */
    int      state, last; /* last: the current block has BFINAL set */
    uint64_t stored_left;
    unsigned match_len, match_dist;
    int      pending_lit; /* a decoded literal that did not fit before `limit`, or -1 */
    hl__huff lit, dist;
} hl__inflate;

static void hl__inf_reset(hl__inflate *s) {
    s->out = 0;
    s->state = HL__INF_HEADER;
    s->last = 0;
    s->stored_left = 0;
    s->match_len = s->match_dist = 0;
    s->pending_lit = -1;
}

/* Input offset of the next unread byte, for messages. */
static unsigned long long hl__inf_pos(const hl__inflate *s) {
    return (unsigned long long)(s->in_base + s->in_pos - s->nbits / 8);
}

static int hl__inf_more(hl__inflate *s) {
    if (s->eof || !s->more) return 0;
    if (s->more(s) > 0 && s->in_pos < s->in_len) return 1;
    s->eof = 1;
    return 0;
}

/* Loads whole bytes into the bit buffer until it holds more than 56 bits or the input ends. */
static void hl__inf_fill(hl__inflate *s) {
    while (s->nbits <= 56) {
        if (s->in_pos == s->in_len && !hl__inf_more(s)) break;
        s->bits |= (uint64_t)s->in[s->in_pos++] << s->nbits;
        s->nbits += 8;
    }
}

/* Reads n <= 16 bits (first bit read = bit 0 of *v); 0 when the input ends first. */
static int hl__inf_getbits(hl__inflate *s, unsigned n, uint32_t *v) {
    if (s->nbits < n) hl__inf_fill(s);
    if (s->nbits < n) return 0;
    *v = (uint32_t)(s->bits & ((1u << n) - 1u));
    s->bits >>= n;
    s->nbits -= n;
    return 1;
}

/* Byte-level reads (stored blocks, gzip header and trailer): drop the bits left in the current
   byte, then take whole bytes, first those already in the bit buffer. */
static void hl__inf_align(hl__inflate *s) {
    s->bits >>= s->nbits & 7u;
    s->nbits -= s->nbits & 7u;
}
static int hl__inf_byte(hl__inflate *s, uint8_t *b) {
    hl__inf_align(s);
    if (s->nbits >= 8) {
        *b = (uint8_t)s->bits;
        s->bits >>= 8;
        s->nbits -= 8;
        return 1;
    }
    if (s->in_pos == s->in_len && !hl__inf_more(s)) return 0;
    *b = s->in[s->in_pos++];
    return 1;
}

static hl_status hl__inf_truncated(const hl__inflate *s, hl_error *err) {
    return hl__fail(err, HL_ERR_FORMAT, "deflate: input ends inside the stream (truncated) at byte %llu",
                    hl__inf_pos(s));
}

/* Builds the code from code lengths len[0..n) (0 = symbol unused). Returns 0 for a complete code,
   > 0 for an incomplete one (number of unused codes at 15 bits) and -1 when over-subscribed
   (more codes of some length than the shorter ones leave room for). */
static int hl__huff_build(hl__huff *h, const uint8_t *len, int n) {
    uint16_t offs[16];
    int left = 1, i, l;
    unsigned code = 0, idx = 0, k;
    memset(h->count, 0, sizeof h->count);
    for (i = 0; i < n; i++) h->count[len[i]]++;
    for (l = 1; l <= 15; l++) {
        left = left * 2 - h->count[l];
        if (left < 0) return -1;
    }
    offs[1] = 0;
    for (l = 1; l < 15; l++) offs[l + 1] = (uint16_t)(offs[l] + h->count[l]);
    h->n_codes = 0;
    for (i = 0; i < n; i++)
        if (len[i]) h->symbol[offs[len[i]]++] = (uint16_t)i, h->n_codes++;
    /* fast table: every 9-bit index whose low l bits are the reversed l-bit code */
    memset(h->fast, 0, sizeof h->fast);
    for (l = 1; l <= 9; l++) {
        for (k = 0; k < h->count[l]; k++, code++, idx++) {
            unsigned rev = 0, b, j;
            for (b = 0; b < (unsigned)l; b++) rev |= ((code >> b) & 1u) << (l - 1 - b);
            for (j = rev; j < 512; j += 1u << l) h->fast[j] = (uint16_t)((h->symbol[idx] << 4) | l);
        }
        code <<= 1;
    }
    return left;
}

/* Decodes one symbol. Fast path: a 9-bit table lookup. Slow path (codes of 10..15 bits, or too few
   bits left for a lookup): walk the code one bit at a time, as RFC 1951 defines it: at each length
   l the codes are first .. first+count[l]-1. */
static hl_status hl__inf_decode(hl__inflate *s, const hl__huff *h, const char *what, int *sym,
                                hl_error *err) {
    unsigned e, l;
    int code = 0, first = 0, index = 0;
    if (s->nbits < 15) hl__inf_fill(s);
    e = h->fast[s->bits & 511u];
    if (e && (e & 15u) <= s->nbits) {
        s->bits >>= e & 15u;
        s->nbits -= e & 15u;
        *sym = (int)(e >> 4);
        return HL_OK;
    }
    for (l = 1; l <= 15; l++) {
        uint32_t bit;
        int count = h->count[l];
        if (!hl__inf_getbits(s, 1, &bit)) return hl__inf_truncated(s, err);
        code |= (int)bit;
        if (code - first < count) {
            *sym = h->symbol[index + code - first];
            return HL_OK;
        }
        index += count;
        if (index >= h->n_codes) break; /* no longer codes exist: an incomplete code's gap */
        first = (first + count) << 1;
        code <<= 1;
    }
    return hl__fail(err, HL_ERR_FORMAT, "deflate: invalid %s code (the bits match no code of an incomplete set) before byte %llu",
                    what, hl__inf_pos(s));
}

/* Checks a built code: over-subscribed is always an error; incomplete only passes for a code with
   a single 1-bit code (RFC 1951 allows one distance code; zlib accepts that for both alphabets)
   or, when `may_be_empty`, no codes at all (a block with literals only). */
static hl_status hl__inf_check_code(const hl__inflate *s, const hl__huff *h, int r, const char *what,
                                    int may_be_empty, hl_error *err) {
    int used = 0, l;
    for (l = 1; l <= 15; l++) used += h->count[l];
    if (r < 0)
        return hl__fail(err, HL_ERR_FORMAT, "deflate: over-subscribed %s code lengths (more codes than a prefix code allows) before byte %llu",
                        what, hl__inf_pos(s));
    if (r > 0 && !(used == 1 && h->count[1] == 1) && !(used == 0 && may_be_empty))
        return hl__fail(err, HL_ERR_FORMAT, "deflate: incomplete %s code lengths (%d codes leave gaps) before byte %llu",
                        what, used, hl__inf_pos(s));
    return HL_OK;
}

/* The fixed codes of BTYPE=01 (RFC 1951 3.2.6): literal/length 0-143: 8 bits, 144-255: 9,
   256-279: 7, 280-287: 8; 32 distance codes of 5 bits (30 and 31 never occur in valid data). */
static void hl__inf_fixed(hl__inflate *s) {
    uint8_t len[288];
    int i;
    for (i = 0; i < 144; i++) len[i] = 8;
    for (; i < 256; i++) len[i] = 9;
    for (; i < 280; i++) len[i] = 7;
    for (; i < 288; i++) len[i] = 8;
    (void)hl__huff_build(&s->lit, len, 288);
    for (i = 0; i < 32; i++) len[i] = 5;
    (void)hl__huff_build(&s->dist, len, 32);
}

/* The header of a BTYPE=10 block (RFC 1951 3.2.7): HLIT, HDIST, HCLEN, the code length code's
   3-bit lengths in a fixed order, then the run-length coded lengths of both codes. */
static hl_status hl__inf_dynamic(hl__inflate *s, hl_error *err) {
    static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    uint8_t len[286 + 30];
    uint32_t hlit, hdist, hclen, v;
    unsigned i, total;
    int r, sym;
    hl_status st;
    if (!hl__inf_getbits(s, 5, &hlit) || !hl__inf_getbits(s, 5, &hdist) || !hl__inf_getbits(s, 4, &hclen))
        return hl__inf_truncated(s, err);
    hlit += 257;
    hdist += 1;
    hclen += 4;
    if (hlit > 286 || hdist > 30)
        return hl__fail(err, HL_ERR_FORMAT, "deflate: dynamic block declares %u literal/length and %u distance codes (at most 286 and 30) before byte %llu",
                        (unsigned)hlit, (unsigned)hdist, hl__inf_pos(s));
    memset(len, 0, sizeof len);
    for (i = 0; i < hclen; i++) {
        if (!hl__inf_getbits(s, 3, &v)) return hl__inf_truncated(s, err);
        len[order[i]] = (uint8_t)v;
    }
    r = hl__huff_build(&s->lit, len, 19); /* s->lit holds the code length code for now */
    if (r != 0) {
        if (r < 0)
            return hl__fail(err, HL_ERR_FORMAT, "deflate: over-subscribed code length code before byte %llu", hl__inf_pos(s));
        return hl__fail(err, HL_ERR_FORMAT, "deflate: incomplete code length code before byte %llu", hl__inf_pos(s));
    }
    total = hlit + hdist;
    memset(len, 0, sizeof len);
    for (i = 0; i < total;) {
        uint32_t rep;
        uint8_t val = 0;
        if ((st = hl__inf_decode(s, &s->lit, "code length", &sym, err)) != HL_OK) return st;
        if (sym < 16) {
            len[i++] = (uint8_t)sym;
            continue;
        }
        if (sym == 16) { /* repeat the previous length 3-6 times */
            if (i == 0)
                return hl__fail(err, HL_ERR_FORMAT, "deflate: code length repeat (16) with no previous length before byte %llu",
                                hl__inf_pos(s));
            val = len[i - 1];
            if (!hl__inf_getbits(s, 2, &rep)) return hl__inf_truncated(s, err);
            rep += 3;
        } else if (sym == 17) { /* 3-10 zeros */
            if (!hl__inf_getbits(s, 3, &rep)) return hl__inf_truncated(s, err);
            rep += 3;
        } else { /* 18: 11-138 zeros */
            if (!hl__inf_getbits(s, 7, &rep)) return hl__inf_truncated(s, err);
            rep += 11;
        }
        if (rep > total - i)
            return hl__fail(err, HL_ERR_FORMAT, "deflate: code length repeat of %u runs past the %u declared lengths before byte %llu",
                            (unsigned)rep, total, hl__inf_pos(s));
        while (rep--) len[i++] = val;
    }
    if (len[256] == 0)
        return hl__fail(err, HL_ERR_FORMAT, "deflate: dynamic block has no end-of-block code before byte %llu", hl__inf_pos(s));
    r = hl__huff_build(&s->lit, len, (int)hlit);
    if ((st = hl__inf_check_code(s, &s->lit, r, "literal/length", 0, err)) != HL_OK) return st;
    r = hl__huff_build(&s->dist, len + hlit, (int)hdist);
    return hl__inf_check_code(s, &s->dist, r, "distance", 1, err);
}

/* Runs the decoder until the stream's last block ends (s->state == HL__INF_DONE) or the next
   output byte would land at position `limit` (then it returns HL_OK with the state kept, and a
   later call with a larger limit resumes exactly there). */
static hl_status hl__inf_run(hl__inflate *s, uint64_t limit, hl_error *err) {
    static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                          31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                          2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    static const uint16_t dist_base[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,
                                           33,  49,  65,  97,  129, 193,  257,  385,  513,  769,
                                           1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                           6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    hl_status st;
    for (;;) {
        if (s->pending_lit >= 0) {
            if (s->out >= limit) return HL_OK;
            s->win[s->out & s->mask] = (uint8_t)s->pending_lit;
            s->out++;
            s->pending_lit = -1;
        }
        while (s->match_len) { /* copy byte by byte: an overlapping copy (dist < len) repeats */
            if (s->out >= limit) return HL_OK;
            s->win[s->out & s->mask] = s->win[(s->out - s->match_dist) & s->mask];
            s->out++;
            s->match_len--;
        }
        switch (s->state) {
        case HL__INF_DONE: return HL_OK;
        case HL__INF_HEADER: {
            uint32_t bfinal, btype;
            if (s->last) {
                s->state = HL__INF_DONE;
                break;
            }
            if (!hl__inf_getbits(s, 1, &bfinal) || !hl__inf_getbits(s, 2, &btype)) return hl__inf_truncated(s, err);
            s->last = (int)bfinal;
            if (btype == 0) { /* stored: byte-align, LEN, NLEN = ~LEN, then LEN raw bytes */
                uint8_t b[4];
                int i;
                for (i = 0; i < 4; i++)
                    if (!hl__inf_byte(s, &b[i])) return hl__inf_truncated(s, err);
                if ((b[0] ^ b[2]) != 0xff || (b[1] ^ b[3]) != 0xff)
                    return hl__fail(err, HL_ERR_FORMAT, "deflate: stored block length %u does not match its complement %u before byte %llu",
                                    (unsigned)(b[0] | (b[1] << 8)), (unsigned)(b[2] | (b[3] << 8)), hl__inf_pos(s));
                s->stored_left = (uint64_t)(b[0] | (b[1] << 8));
                s->state = HL__INF_STORED;
            } else if (btype == 1) {
                hl__inf_fixed(s);
                s->state = HL__INF_HUFF;
            } else if (btype == 2) {
                if ((st = hl__inf_dynamic(s, err)) != HL_OK) return st;
                s->state = HL__INF_HUFF;
            } else {
                return hl__fail(err, HL_ERR_FORMAT, "deflate: invalid block type 3 before byte %llu", hl__inf_pos(s));
            }
            break;
        }
        case HL__INF_STORED:
            while (s->stored_left) {
                uint8_t b;
                if (s->out >= limit) return HL_OK;
                if (!hl__inf_byte(s, &b)) return hl__inf_truncated(s, err);
                s->win[s->out & s->mask] = b;
                s->out++;
                s->stored_left--;
            }
            s->state = HL__INF_HEADER;
            break;
        case HL__INF_HUFF: {
            int sym;
            uint32_t extra = 0;
            unsigned len, dist;
            if ((st = hl__inf_decode(s, &s->lit, "literal/length", &sym, err)) != HL_OK) return st;
            if (sym < 256) {
                if (s->out >= limit) {
                    s->pending_lit = sym;
                    return HL_OK;
                }
                s->win[s->out & s->mask] = (uint8_t)sym;
                s->out++;
                break;
            }
            if (sym == 256) {
                s->state = HL__INF_HEADER;
                break;
            }
            if (sym > 285)
                return hl__fail(err, HL_ERR_FORMAT, "deflate: invalid literal/length symbol %d before byte %llu", sym,
                                hl__inf_pos(s));
            sym -= 257;
            if (!hl__inf_getbits(s, len_extra[sym], &extra)) return hl__inf_truncated(s, err);
            len = len_base[sym] + extra;
            if ((st = hl__inf_decode(s, &s->dist, "distance", &sym, err)) != HL_OK) return st;
            if (sym > 29)
                return hl__fail(err, HL_ERR_FORMAT, "deflate: invalid distance symbol %d before byte %llu", sym, hl__inf_pos(s));
            if (!hl__inf_getbits(s, dist_extra[sym], &extra)) return hl__inf_truncated(s, err);
            dist = dist_base[sym] + extra;
            if (dist > s->out)
                return hl__fail(err, HL_ERR_FORMAT, "deflate: distance %u reaches back before the start of the output (%llu bytes written) before byte %llu",
                                dist, (unsigned long long)s->out, hl__inf_pos(s));
            s->match_len = len;
            s->match_dist = dist;
            break;
        }
        default: return hl__fail(err, HL_ERR_ARG, "deflate: corrupt decoder state");
        }
    }
}

static void hl__inf_init_mem(hl__inflate *s, const void *src, size_t n) {
    memset(s, 0, sizeof *s);
    s->in = (const uint8_t *)src;
    s->in_len = n;
    s->mask = (size_t)-1;
    hl__inf_reset(s);
}

/* Inflates src[0..n) into dst[0..cap). *overflow is set (and HL_OK returned) when the stream has
   more output than cap; otherwise the stream ended and *out_len and *in_used are set. */
static hl_status hl__inflate_buf(const void *src, size_t n, void *dst, size_t cap, size_t *out_len,
                                 size_t *in_used, int *overflow, hl_error *err) {
    hl__inflate *s = (hl__inflate *)hl__malloc(sizeof *s); /* ~3 KB of tables: off small stacks */
    hl_status st;
    if (!s) return hl__fail(err, HL_ERR_OOM, "deflate: out of memory");
    hl__inf_init_mem(s, src, n);
    s->win = (uint8_t *)dst;
    st = hl__inf_run(s, (uint64_t)cap, err);
    *overflow = st == HL_OK && s->state != HL__INF_DONE;
    if (st == HL_OK && !*overflow) {
        hl__inf_align(s);
        *out_len = (size_t)s->out;
        *in_used = s->in_pos - s->nbits / 8;
    }
    hl__free(s);
    return st;
}

HL__DEF hl_status hl_inflate(const void *src, size_t n, void *dst, size_t cap, size_t *out_len,
                             size_t *in_used, hl_error *err) {
    size_t got = 0, used = 0;
    int overflow = 0;
    hl_status st;
    if ((!src && n) || (!dst && cap)) return hl__fail(err, HL_ERR_ARG, "hl_inflate: NULL buffer");
    if ((st = hl__inflate_buf(src, n, dst, cap, &got, &used, &overflow, err)) != HL_OK) return st;
    if (overflow)
        return hl__fail(err, HL_ERR_FORMAT, "deflate: output exceeds the %llu-byte buffer", (unsigned long long)cap);
    if (out_len) *out_len = got;
    if (in_used) *in_used = used;
    return HL_OK;
}

/* ---- npy ---------------------------------------------------------------------------------
   "\x93NUMPY", major, minor, header length (u16 LE for 1.0, u32 LE for 2.0 and 3.0), then a Python
   dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (64, 256), } padded with
   spaces and a final '\n', then the raw array in C order. Only that literal form is accepted:
   single- or double-quoted strings without escapes, True/False, and a tuple of non-negative ints. */
typedef struct hl__py {
    const char *h;
    size_t      n, i;
} hl__py;

static void hl__py_ws(hl__py *p) {
    while (p->i < p->n && (p->h[p->i] == ' ' || p->h[p->i] == '\t' || p->h[p->i] == '\n' || p->h[p->i] == '\r'))
        p->i++;
}
static int hl__py_peek(hl__py *p) {
    hl__py_ws(p);
    return p->i < p->n ? (unsigned char)p->h[p->i] : -1;
}
static hl_status hl__py_expect(hl__py *p, char c, const char *what, hl_error *err) {
    if (hl__py_peek(p) != (unsigned char)c)
        return hl__fail(err, HL_ERR_FORMAT, "npy: header is not a valid dict literal: expected '%c' %s at header byte %llu",
                        c, what, (unsigned long long)p->i);
    p->i++;
    return HL_OK;
}
static hl_status hl__py_str(hl__py *p, const char **s, size_t *len, hl_error *err) {
    int q = hl__py_peek(p);
    size_t start;
    if (q != '\'' && q != '"')
        return hl__fail(err, HL_ERR_FORMAT, "npy: header is not a valid dict literal: expected a quoted string at header byte %llu",
                        (unsigned long long)p->i);
    start = ++p->i;
    while (p->i < p->n && p->h[p->i] != q) {
        if (p->h[p->i] == '\\' || p->h[p->i] == '\n')
            return hl__fail(err, HL_ERR_FORMAT, "npy: header string at byte %llu has an escape or newline (not supported)",
                            (unsigned long long)p->i);
        p->i++;
    }
    if (p->i == p->n)
        return hl__fail(err, HL_ERR_FORMAT, "npy: header string starting at byte %llu is not terminated",
                        (unsigned long long)start);
    *s = p->h + start;
    *len = p->i - start;
    p->i++;
    return HL_OK;
}
static int hl__py_word(hl__py *p, const char *w) {
    size_t l = strlen(w);
    hl__py_ws(p);
    if (l > p->n - p->i || memcmp(p->h + p->i, w, l) != 0) return 0;
    p->i += l;
    return 1;
}

/* Maps a numpy descr ('<f4', '|u1', ...) to a dtype. Multi-byte types must be little-endian ('<');
   one-byte types may use '|', '<' or '>' (byte order is meaningless for them). */
static hl_status hl__npy_descr(const char *d, size_t len, hl_dtype *out, hl_error *err) {
    hl_dtype t = HL_DTYPE_INVALID;
    if (len == 3) {
#define HL__X(id, st, np, sz)                                                                      \
    if (sizeof(np) == 3 && memcmp(d + 1, np, 2) == 0) t = HL_DTYPE_##id;
        HL_DTYPE_LIST(HL__X)
#undef HL__X
    }
    if (t == HL_DTYPE_INVALID)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "npy: dtype '%.*s' not supported (little-endian f8 f4 f2 i8 i4 i2 i1 u1 u2 b1)",
                        (int)(len > 64 ? 64 : len), d);
    if (d[0] == '>' && hl_dtype_size(t) > 1)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "npy: big-endian dtype '%.3s' not supported (only little-endian '<')", d);
    if (d[0] != '<' && !(hl_dtype_size(t) == 1 && (d[0] == '|' || d[0] == '>')))
        return hl__fail(err, HL_ERR_UNSUPPORTED, "npy: dtype '%.3s' has byte order '%c' (expected '<'%s)", d, d[0],
                        hl_dtype_size(t) == 1 ? " or '|'" : "");
    *out = t;
    return HL_OK;
}

/* Writes "(a, b, c)" into buf (for messages). */

HL__DEF hl_status hl_npy_parse(const void *data, size_t size, hl_tensor *out, hl_error *err) {
    const uint8_t *d = (const uint8_t *)data;
    uint64_t hlen, pre, numel = 1, nbytes, avail;
    hl__py p;
    hl_tensor t;
    int have_descr = 0, have_fortran = 0, have_shape = 0, fortran = 0, i;
    char sbuf[200];
    hl_status st;
    if ((!d && size) || !out) return hl__fail(err, HL_ERR_ARG, "hl_npy_parse: NULL argument");
    memset(&t, 0, sizeof t);
    if (size < 10)
        return hl__fail(err, HL_ERR_FORMAT, "npy: %llu bytes is too short for the 10-byte preamble", (unsigned long long)size);
    if (memcmp(d, "\x93NUMPY", 6) != 0) return hl__fail(err, HL_ERR_FORMAT, "npy: bad magic (expected \\x93NUMPY)");
    if (d[6] == 1 && d[7] == 0) {
        hlen = hl__rd16(d + 8);
        pre = 10;
    } else if ((d[6] == 2 || d[6] == 3) && d[7] == 0) {
        if (size < 12)
            return hl__fail(err, HL_ERR_FORMAT, "npy: %llu bytes is too short for the 12-byte version %u.0 preamble",
                            (unsigned long long)size, d[6]);
        hlen = hl__rd32(d + 8);
        pre = 12;
    } else {
        return hl__fail(err, HL_ERR_UNSUPPORTED, "npy: format version %u.%u not supported (1.0, 2.0, 3.0)", d[6], d[7]);
    }
    if (hlen > HL_MAX_HEADER_BYTES)
        return hl__fail(err, HL_ERR_LIMIT, "npy: header length %llu exceeds HL_MAX_HEADER_BYTES (%llu)",
                        (unsigned long long)hlen, (unsigned long long)HL_MAX_HEADER_BYTES);
    if (hlen > size - pre)
        return hl__fail(err, HL_ERR_FORMAT, "npy: header length %llu exceeds the %llu bytes after the preamble (truncated)",
                        (unsigned long long)hlen, (unsigned long long)(size - pre));
    p.h = (const char *)d + pre;
    p.n = (size_t)hlen;
    p.i = 0;
    if ((st = hl__py_expect(&p, '{', "to open the header dict", err)) != HL_OK) return st;
    while (hl__py_peek(&p) != '}') {
        const char *k;
        size_t kl;
        if ((st = hl__py_str(&p, &k, &kl, err)) != HL_OK) return st;
        if ((st = hl__py_expect(&p, ':', "after a key", err)) != HL_OK) return st;
        if (kl == 5 && memcmp(k, "descr", 5) == 0 && !have_descr) {
            const char *v;
            size_t vl;
            if ((st = hl__py_str(&p, &v, &vl, err)) != HL_OK) return st;
            if ((st = hl__npy_descr(v, vl, &t.dtype, err)) != HL_OK) return st;
            have_descr = 1;
        } else if (kl == 13 && memcmp(k, "fortran_order", 13) == 0 && !have_fortran) {
            if (hl__py_word(&p, "True")) fortran = 1;
            else if (!hl__py_word(&p, "False"))
                return hl__fail(err, HL_ERR_FORMAT, "npy: 'fortran_order' must be True or False (header byte %llu)",
                                (unsigned long long)p.i);
            have_fortran = 1;
        } else if (kl == 5 && memcmp(k, "shape", 5) == 0 && !have_shape) {
            if ((st = hl__py_expect(&p, '(', "to open 'shape'", err)) != HL_OK) return st;
            while (hl__py_peek(&p) != ')') {
                uint64_t v = 0;
                size_t digits = 0;
                if (hl__py_peek(&p) == -1) return hl__fail(err, HL_ERR_FORMAT, "npy: 'shape' tuple is not closed");
                if (t.ndim == HL_MAX_DIMS)
                    return hl__fail(err, HL_ERR_UNSUPPORTED, "npy: shape has more than %d dimensions (HL_MAX_DIMS)", HL_MAX_DIMS);
                while (p.i < p.n && p.h[p.i] >= '0' && p.h[p.i] <= '9') {
                    if (v > ((uint64_t)INT64_MAX - 9) / 10)
                        return hl__fail(err, HL_ERR_FORMAT, "npy: shape dimension %d does not fit in 64 bits", t.ndim);
                    v = v * 10 + (uint64_t)(p.h[p.i++] - '0');
                    digits++;
                }
                if (!digits)
                    return hl__fail(err, HL_ERR_FORMAT, "npy: 'shape' must be a tuple of non-negative integers (header byte %llu)",
                                    (unsigned long long)p.i);
                if (p.i < p.n && p.h[p.i] == 'L') p.i++; /* Python 2 long literal */
                t.shape[t.ndim++] = (int64_t)v;
                if (hl__py_peek(&p) == ',') p.i++;
                else if (hl__py_peek(&p) != ')')
                    return hl__fail(err, HL_ERR_FORMAT, "npy: expected ',' or ')' in 'shape' at header byte %llu",
                                    (unsigned long long)p.i);
            }
            p.i++;
            have_shape = 1;
        } else {
            return hl__fail(err, HL_ERR_FORMAT, "npy: unexpected or repeated key '%.*s' in the header (expected descr, fortran_order, shape)",
                            (int)(kl > 64 ? 64 : kl), k);
        }
        if (hl__py_peek(&p) == ',') p.i++;
        else if (hl__py_peek(&p) != '}')
            return hl__fail(err, HL_ERR_FORMAT, "npy: expected ',' or '}' in the header dict at byte %llu", (unsigned long long)p.i);
    }
    p.i++;
    if (hl__py_peek(&p) != -1)
        return hl__fail(err, HL_ERR_FORMAT, "npy: unexpected characters after the header dict at header byte %llu",
                        (unsigned long long)p.i);
    if (!have_descr || !have_fortran || !have_shape)
        return hl__fail(err, HL_ERR_FORMAT, "npy: header lacks %s", !have_descr ? "'descr'" : !have_fortran ? "'fortran_order'" : "'shape'");
    if (fortran)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "npy: fortran_order True (column-major) arrays are not supported; save with np.ascontiguousarray");
    for (i = 0; i < t.ndim; i++)
        if (!hl__mul_ok(numel, (uint64_t)t.shape[i], &numel) || numel > (uint64_t)INT64_MAX)
            return hl__fail(err, HL_ERR_FORMAT, "npy: shape %s has more elements than fit in 64 bits",
                            hl__shape_str(sbuf, sizeof sbuf, t.shape, t.ndim, "()"));
    if (!hl__mul_ok(numel, hl_dtype_size(t.dtype), &nbytes))
        return hl__fail(err, HL_ERR_FORMAT, "npy: shape %s of %s is more bytes than fit in 64 bits",
                        hl__shape_str(sbuf, sizeof sbuf, t.shape, t.ndim, "()"), hl_dtype_name(t.dtype));
    avail = size - pre - hlen;
    if (nbytes != avail)
        return hl__fail(err, HL_ERR_FORMAT, "npy: shape %s of %s needs %llu bytes of data, but %llu bytes follow the header",
                        hl__shape_str(sbuf, sizeof sbuf, t.shape, t.ndim, "()"), hl_dtype_name(t.dtype),
                        (unsigned long long)nbytes, (unsigned long long)avail);
    t.data = (void *)(uintptr_t)(d + pre + hlen);
    *out = t;
    return HL_OK;
}

/* ---- zip / npz ---------------------------------------------------------------------------
   Layout (PKWARE APPNOTE 6.3): [local header, data]... central directory, [ZIP64 end record,
   ZIP64 locator], end record. The directory is authoritative for sizes, CRCs and offsets; each
   member's data starts after ITS local header, whose name and extra lengths may differ from the
   directory's (numpy writes a 20-byte ZIP64 extra in every local header). When a 32-bit field is
   0xFFFFFFFF its value is in the ZIP64 extra (id 0x0001) in the order: uncompressed size,
   compressed size, local header offset, each present only if its field is 0xFFFFFFFF.
   Stored members are borrowed from the file; their CRC-32 is verified only up to
   HL_NPZ_VERIFY_STORED_MAX bytes (default 64 MiB), so opening a 20 GB GemmaScope file does not
   read all of it. Deflated members are always checked (CRC-32 and size). */
#ifndef HL_NPZ_VERIFY_STORED_MAX
#    define HL_NPZ_VERIFY_STORED_MAX ((uint64_t)64 << 20)
#endif
#define HL__ZIP_LOCAL   0x04034b50u
#define HL__ZIP_CENTRAL 0x02014b50u
#define HL__ZIP_END     0x06054b50u
#define HL__ZIP64_END   0x06064b50u
#define HL__ZIP64_LOC   0x07064b50u

typedef struct hl__npz_item {
    char     *name; /* member name without ".npy" */
    hl_tensor t;
    void     *owned; /* inflated or realigned data (t.data points into it), or NULL: borrowed */
} hl__npz_item;

struct hl_npz {
    hl__file      file; /* the mapped file (hl_npz_open); all zero for hl_npz_open_memory */
    hl__npz_item *items;
    size_t        n;
    int           in_place; /* stored members stay in the file even when misaligned (SAE weights,
                               which are read at any alignment: no copy of a 19 GB params.npz) */
};

/* Reads the values that a ZIP64 extra field holds for the fields flagged in `want` (bit 0:
   uncompressed size, 1: compressed size, 2: local header offset), in that order. */
static hl_status hl__zip64_extra(const uint8_t *x, size_t xlen, unsigned want, uint64_t *usize, uint64_t *csize,
                                 uint64_t *off, const char *file, const char *where, const char *member,
                                 hl_error *err) {
    size_t pos = 0;
    if (!want) return HL_OK;
    while (xlen - pos >= 4) {
        unsigned id = hl__rd16(x + pos), sz = hl__rd16(x + pos + 2);
        if (sz > xlen - pos - 4)
            return hl__fail(err, HL_ERR_FORMAT, "%s: %s of '%s': extra field 0x%04x of %u bytes overruns the %llu-byte extra area",
                            file, where, member, id, sz, (unsigned long long)(xlen - pos - 4));
        if (id == 0x0001) {
            const uint8_t *v = x + pos + 4;
            unsigned need = 8u * ((want & 1u) + ((want >> 1) & 1u) + ((want >> 2) & 1u));
            if (sz < need)
                return hl__fail(err, HL_ERR_FORMAT, "%s: %s of '%s': ZIP64 extra field has %u bytes, but the fields marked 0xFFFFFFFF need %u",
                                file, where, member, sz, need);
            if (want & 1u) { *usize = hl__rd64(v); v += 8; }
            if (want & 2u) { *csize = hl__rd64(v); v += 8; }
            if (want & 4u) *off = hl__rd64(v);
            return HL_OK;
        }
        pos += 4 + (size_t)sz;
    }
    return hl__fail(err, HL_ERR_FORMAT, "%s: %s of '%s': a size or offset is 0xFFFFFFFF but there is no ZIP64 extra field",
                    file, where, member);
}

static void hl__npz_free_items(hl_npz *z) {
    size_t i;
    for (i = 0; i < z->n; i++) {
        hl__free(z->items[i].name);
        hl__free(z->items[i].owned);
    }
    hl__free(z->items);
    z->items = NULL;
    z->n = 0;
}

/* Finds the end of central directory record: 22 bytes plus a comment of up to 65535 bytes at the
   end of the file, so scan back at most 65557 bytes for its signature. */
static hl_status hl__zip_find_end(const uint8_t *d, size_t size, const char *file, size_t *at, hl_error *err) {
    size_t pos, stop;
    if (size < 22)
        return hl__fail(err, HL_ERR_FORMAT, "%s: %llu bytes is too short for a zip file (end record is 22 bytes)", file,
                        (unsigned long long)size);
    stop = size - 22 > 65535 ? size - 22 - 65535 : 0;
    for (pos = size - 22 + 1; pos-- > stop;) {
        if (hl__rd32(d + pos) == HL__ZIP_END && hl__rd16(d + pos + 20) <= size - pos - 22) {
            *at = pos;
            return HL_OK;
        }
    }
    return hl__fail(err, HL_ERR_FORMAT, "%s: no zip end of central directory record in the last %llu bytes (not a zip/npz file, or truncated)",
                    file, (unsigned long long)(size - stop));
}

static hl_status hl__npz_parse(hl_npz *z, const uint8_t *d, size_t size, const char *file, hl_error *err) {
    size_t eocd = 0, pos, cd_end_limit;
    uint64_t count, cd_size, cd_off, i;
    unsigned disk, cd_disk;
    hl_status st;
    if ((st = hl__zip_find_end(d, size, file, &eocd, err)) != HL_OK) return st;
    disk = hl__rd16(d + eocd + 4);
    cd_disk = hl__rd16(d + eocd + 6);
    count = hl__rd16(d + eocd + 10);
    cd_size = hl__rd32(d + eocd + 12);
    cd_off = hl__rd32(d + eocd + 16);
    cd_end_limit = eocd;
    if (eocd >= 20 && hl__rd32(d + eocd - 20) == HL__ZIP64_LOC) {
        /* ZIP64 locator (20 bytes, just before the end record) -> ZIP64 end record (56+ bytes) */
        const uint8_t *loc = d + eocd - 20, *r;
        uint64_t z64 = hl__rd64(loc + 8), z_count, z_size, z_off;
        if (hl__rd32(loc + 4) != 0 || hl__rd32(loc + 16) > 1)
            return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: multi-disk (split) zip archives are not supported", file);
        if (z64 > eocd - 20 || eocd - 20 - z64 < 56)
            return hl__fail(err, HL_ERR_FORMAT, "%s: ZIP64 end record offset %llu leaves no room for its 56 bytes before the locator at %llu",
                            file, (unsigned long long)z64, (unsigned long long)(eocd - 20));
        r = d + z64;
        if (hl__rd32(r) != HL__ZIP64_END)
            return hl__fail(err, HL_ERR_FORMAT, "%s: no ZIP64 end record signature at offset %llu (the locator points there)", file,
                            (unsigned long long)z64);
        if (hl__rd32(r + 16) != 0 || hl__rd32(r + 20) != 0)
            return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: multi-disk (split) zip archives are not supported", file);
        z_count = hl__rd64(r + 32);
        z_size = hl__rd64(r + 40);
        z_off = hl__rd64(r + 48);
        /* the classic record holds either the same value or the 0xFFFF / 0xFFFFFFFF marker */
        if ((count != 0xffffu && count != z_count) || (cd_size != 0xffffffffu && cd_size != z_size) ||
            (cd_off != 0xffffffffu && cd_off != z_off))
            return hl__fail(err, HL_ERR_FORMAT, "%s: ZIP64 end record (%llu entries, directory %llu bytes at %llu) disagrees with the end record (%llu, %llu at %llu)",
                            file, (unsigned long long)z_count, (unsigned long long)z_size, (unsigned long long)z_off,
                            (unsigned long long)count, (unsigned long long)cd_size, (unsigned long long)cd_off);
        count = z_count;
        cd_size = z_size;
        cd_off = z_off;
        cd_end_limit = (size_t)z64;
    } else if (disk != 0 || cd_disk != 0) {
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: multi-disk (split) zip archives are not supported", file);
    }
    if (cd_off > cd_end_limit || cd_size > cd_end_limit - cd_off)
        return hl__fail(err, HL_ERR_FORMAT, "%s: central directory [%llu, +%llu bytes) runs past its end at offset %llu (file is %llu bytes)",
                        file, (unsigned long long)cd_off, (unsigned long long)cd_size,
                        (unsigned long long)cd_end_limit, (unsigned long long)size);
    if (count > cd_size / 46)
        return hl__fail(err, HL_ERR_FORMAT, "%s: %llu entries cannot fit in a %llu-byte central directory (46 bytes each at least)",
                        file, (unsigned long long)count, (unsigned long long)cd_size);
    z->items = (hl__npz_item *)hl__calloc((size_t)count ? (size_t)count : 1, sizeof *z->items);
    if (!z->items) return hl__fail(err, HL_ERR_OOM, "%s: out of memory for %llu entries", file, (unsigned long long)count);

    pos = (size_t)cd_off;
    for (i = 0; i < count; i++) {
        const uint8_t *c = d + pos, *lh;
        size_t left = (size_t)(cd_off + cd_size) - pos, nlen, xlen, clen, lnlen, lxlen;
        unsigned flags, method, want = 0;
        uint64_t usize, csize, loff, data_off;
        uint32_t crc;
        char member[256]; /* the name for messages, NUL-safe and truncated */
        hl__npz_item *it;
        if (left < 46 || hl__rd32(c) != HL__ZIP_CENTRAL)
            return hl__fail(err, HL_ERR_FORMAT, "%s: central directory entry %llu at offset %llu: %s", file,
                            (unsigned long long)i, (unsigned long long)pos,
                            left < 46 ? "truncated (directory ends)" : "bad signature");
        flags = hl__rd16(c + 8);
        method = hl__rd16(c + 10);
        crc = hl__rd32(c + 16);
        csize = hl__rd32(c + 20);
        usize = hl__rd32(c + 24);
        nlen = hl__rd16(c + 28);
        xlen = hl__rd16(c + 30);
        clen = hl__rd16(c + 32);
        loff = hl__rd32(c + 42);
        if (nlen + xlen + clen > left - 46)
            return hl__fail(err, HL_ERR_FORMAT, "%s: central directory entry %llu: name, extra and comment (%llu bytes) run past the directory",
                            file, (unsigned long long)i, (unsigned long long)(nlen + xlen + clen));
        snprintf(member, sizeof member, "%.*s", (int)(nlen < 200 ? nlen : 200), (const char *)c + 46);
        if (memchr(c + 46, 0, nlen))
            return hl__fail(err, HL_ERR_FORMAT, "%s: central directory entry %llu: member name contains a NUL byte", file,
                            (unsigned long long)i);
        if (usize == 0xffffffffu) want |= 1u;
        if (csize == 0xffffffffu) want |= 2u;
        if (loff == 0xffffffffu) want |= 4u;
        if ((st = hl__zip64_extra(c + 46 + nlen, xlen, want, &usize, &csize, &loff, file, "central directory entry", member,
                                  err)) != HL_OK)
            return st;
        pos += 46 + nlen + xlen + clen;
        if (flags & 0x41u)
            return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: member '%s' is encrypted", file, member);
        if (method != 0 && method != 8)
            return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: member '%s' uses compression method %u (supported: 0 stored, 8 deflate)",
                            file, member, method);
        /* local header: its own name and extra lengths decide where the data starts */
        if (loff > cd_off || cd_off - loff < 30)
            return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': local header offset %llu is not before the central directory at %llu",
                            file, member, (unsigned long long)loff, (unsigned long long)cd_off);
        lh = d + loff;
        if (hl__rd32(lh) != HL__ZIP_LOCAL)
            return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': no local header signature at offset %llu", file, member,
                            (unsigned long long)loff);
        lnlen = hl__rd16(lh + 26);
        lxlen = hl__rd16(lh + 28);
        if (lnlen + lxlen > cd_off - loff - 30)
            return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': local header name and extra (%llu bytes) run past the central directory",
                            file, member, (unsigned long long)(lnlen + lxlen));
        if (hl__rd16(lh + 8) != method || lnlen != nlen || memcmp(lh + 30, c + 46, nlen) != 0)
            return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': local header (method %u, name '%.*s') disagrees with the central directory (method %u)",
                            file, member, hl__rd16(lh + 8), (int)(lnlen < 200 ? lnlen : 200), (const char *)lh + 30, method);
        if (!(flags & 0x08u)) {
            /* no data descriptor: the local sizes must agree with the directory */
            uint64_t lcs = hl__rd32(lh + 18), lus = hl__rd32(lh + 22), dummy = 0;
            unsigned lwant = (lus == 0xffffffffu ? 1u : 0u) | (lcs == 0xffffffffu ? 2u : 0u);
            if ((st = hl__zip64_extra(lh + 30 + lnlen, lxlen, lwant, &lus, &lcs, &dummy, file, "local header", member,
                                      err)) != HL_OK)
                return st;
            if (lus != usize || lcs != csize)
                return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': local header sizes (%llu compressed, %llu uncompressed) disagree with the central directory (%llu, %llu)",
                                file, member, (unsigned long long)lcs, (unsigned long long)lus,
                                (unsigned long long)csize, (unsigned long long)usize);
        }
        data_off = loff + 30 + lnlen + lxlen;
        if (csize > cd_off - data_off)
            return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': %llu bytes of data at offset %llu run past the central directory at %llu",
                            file, member, (unsigned long long)csize, (unsigned long long)data_off, (unsigned long long)cd_off);
        if (nlen < 4 || memcmp(c + 46 + nlen - 4, ".npy", 4) != 0) continue; /* not an array: skip */

        it = &z->items[z->n];
        it->name = hl__strndup((const char *)c + 46, nlen - 4);
        if (!it->name) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", file);
        z->n++;
        {
            size_t j;
            for (j = 0; j + 1 < z->n; j++)
                if (strcmp(z->items[j].name, it->name) == 0)
                    return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s' appears twice", file, member);
        }
        if (method == 0) {
            if (csize != usize)
                return hl__fail(err, HL_ERR_FORMAT, "%s: stored member '%s' has compressed size %llu but uncompressed size %llu",
                                file, member, (unsigned long long)csize, (unsigned long long)usize);
            if (usize <= HL_NPZ_VERIFY_STORED_MAX && hl_crc32(0, d + data_off, (size_t)usize) != crc)
                return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': CRC-32 mismatch (directory says 0x%08x, data has 0x%08x)",
                                file, member, (unsigned)crc, (unsigned)hl_crc32(0, d + data_off, (size_t)usize));
            if ((st = hl_npy_parse(d + data_off, (size_t)usize, &it->t, err)) != HL_OK) goto npy_fail;
        } else {
            size_t got = 0;
            /* DEFLATE expands at most 1032:1 (a 258-byte match in 2 bits); refuse bigger claims
               before allocating from an untrusted number */
            if (usize / 1032 > csize + 64 || usize > (uint64_t)SIZE_MAX)
                return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s' claims %llu bytes from %llu deflated bytes (more than DEFLATE can expand)",
                                file, member, (unsigned long long)usize, (unsigned long long)csize);
            it->owned = hl__malloc((size_t)usize);
            if (!it->owned)
                return hl__fail(err, HL_ERR_OOM, "%s: member '%s': cannot allocate %llu bytes", file, member,
                                (unsigned long long)usize);
            {
                size_t used = 0;
                int overflow = 0;
                if ((st = hl__inflate_buf(d + data_off, (size_t)csize, it->owned, (size_t)usize, &got, &used, &overflow,
                                          err)) != HL_OK)
                    goto npy_fail; /* the same "file: member 'X': " prefix */
                if (overflow)
                    return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s' inflates to more than the %llu bytes the directory declares",
                                    file, member, (unsigned long long)usize);
            }
            if (got != usize)
                return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s' inflates to %llu bytes, the directory declares %llu",
                                file, member, (unsigned long long)got, (unsigned long long)usize);
            if (hl_crc32(0, it->owned, (size_t)usize) != crc)
                return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': CRC-32 mismatch (directory says 0x%08x, data has 0x%08x)",
                                file, member, (unsigned)crc, (unsigned)hl_crc32(0, it->owned, (size_t)usize));
            if ((st = hl_npy_parse(it->owned, (size_t)usize, &it->t, err)) != HL_OK) goto npy_fail;
        }
        /* the data must be aligned for its dtype before anyone casts it to float* etc. */
        if (!z->in_place) {
            size_t al = hl_dtype_size(it->t.dtype), nb = hl_tensor_nbytes(&it->t);
            if (al > 1 && ((uintptr_t)it->t.data % al) != 0) {
                void *copy = hl__malloc(nb);
                if (!copy) return hl__fail(err, HL_ERR_OOM, "%s: member '%s': cannot allocate %llu bytes", file, member,
                                           (unsigned long long)nb);
                memcpy(copy, it->t.data, nb);
                hl__free(it->owned);
                it->owned = copy;
                it->t.data = copy;
            }
        }
        continue;
    npy_fail: {
        char pre[300];
        snprintf(pre, sizeof pre, "%s: member '%s'", file, member);
        return hl__wrap(err, st, pre);
    }
    }
    return HL_OK;
}

HL__DEF hl_status hl_npz_open_memory(const void *data, size_t size, const char *name, hl_npz **out, hl_error *err) {
    hl_npz *z;
    hl_status st;
    if ((!data && size) || !out) return hl__fail(err, HL_ERR_ARG, "hl_npz_open_memory: NULL argument");
    if (!name) name = "<memory>";
    z = (hl_npz *)hl__calloc(1, sizeof *z);
    if (!z) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", name);
    if ((st = hl__npz_parse(z, (const uint8_t *)data, size, name, err)) != HL_OK) {
        hl_npz_close(z);
        return st;
    }
    *out = z;
    return HL_OK;
}

#ifndef HL_NO_STDIO
static hl_status hl__npz_open_path(const char *path, int in_place, hl_npz **out, hl_error *err) {
    hl_npz *z;
    hl_status st;
    if (!path || !out) return hl__fail(err, HL_ERR_ARG, "hl_npz_open: NULL argument");
    z = (hl_npz *)hl__calloc(1, sizeof *z);
    if (!z) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
    z->in_place = in_place;
    if ((st = hl__file_open(path, &z->file, err)) != HL_OK ||
        (st = hl__npz_parse(z, z->file.data, z->file.size, path, err)) != HL_OK) {
        hl_npz_close(z);
        return st;
    }
    *out = z;
    return HL_OK;
}
HL__DEF hl_status hl_npz_open(const char *path, hl_npz **out, hl_error *err) {
    return hl__npz_open_path(path, 0, out, err);
}
#else
HL__DEF hl_status hl_npz_open(const char *path, hl_npz **out, hl_error *err) {
    (void)path, (void)out;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_npz_open: built with HL_NO_STDIO (use hl_npz_open_memory)");
}
#endif

HL__DEF void hl_npz_close(hl_npz *z) {
    if (!z) return;
    hl__npz_free_items(z);
#ifndef HL_NO_STDIO
    hl__file_close(&z->file);
#endif
    hl__free(z);
}
HL__DEF size_t hl_npz_count(const hl_npz *z) {
    return z ? z->n : 0;
}
HL__DEF const char *hl_npz_name(const hl_npz *z, size_t i) {
    return z && i < z->n ? z->items[i].name : NULL;
}
HL__DEF const hl_tensor *hl_npz_tensor(const hl_npz *z, size_t i) {
    return z && i < z->n ? &z->items[i].t : NULL;
}
HL__DEF const hl_tensor *hl_npz_find(const hl_npz *z, const char *name) {
    size_t i;
    if (!z || !name) return NULL;
    for (i = 0; i < z->n; i++)
        if (strcmp(z->items[i].name, name) == 0) return &z->items[i].t;
    return NULL;
}

/* <<npz */

/* >>gguf ==================================================================================== */
/* The GGUF reader (see >>api_gguf). One pass over the header with a cursor whose every read is
   checked against the bytes that remain; the metadata's values and the tensors' data stay in the
   file. Keys and tensor names are copied (NUL-terminated); a NUL inside one is an error. */
typedef struct hl__gguf_kv {
    char          *key;
    hl_gguf_type   type, arr_type;
    uint64_t       count;   /* ARRAY: elements; STRING: bytes */
    const uint8_t *val;     /* scalar value, string bytes, or first array element */
    uint64_t      *str_at;  /* ARRAY of STRING: offset of each element's length prefix from val */
    int            nested;  /* ARRAY of ARRAY: checked, elements not offered */
} hl__gguf_kv;

struct hl_gguf {
    hl__file     file; /* opened from a path (else data is borrowed) */
    const char  *label;
    char        *label_owned;
    uint32_t     version;
    uint64_t     alignment, data_off;
    size_t       n_kv, n_t;
    hl__gguf_kv *kv;
    char       **tname;
    hl_tensor   *t;
    uint32_t    *ggml_type;
    uint64_t    *off; /* from the start of the data section */
};

typedef struct hl__gcur {
    const uint8_t *p;
    uint64_t       size, pos;
    const char    *label;
    hl_error      *err;
} hl__gcur;

static hl_status hl__g_short(hl__gcur *c, uint64_t n, const char *what) {
    return hl__fail(c->err, HL_ERR_FORMAT, "%s: truncated: %s needs %llu bytes at offset %llu, %llu remain", c->label,
                    what, (unsigned long long)n, (unsigned long long)c->pos, (unsigned long long)(c->size - c->pos));
}
static hl_status hl__g_take(hl__gcur *c, uint64_t n, const char *what, const uint8_t **at) {
    if (n > c->size - c->pos) return hl__g_short(c, n, what);
    *at = c->p + c->pos;
    c->pos += n;
    return HL_OK;
}
static uint64_t hl__g_le(const uint8_t *b, int n) {
    uint64_t v = 0;
    int i;
    for (i = n - 1; i >= 0; i--) v = v << 8 | b[i];
    return v;
}
static hl_status hl__g_u32(hl__gcur *c, const char *what, uint32_t *v) {
    const uint8_t *b;
    hl_status st = hl__g_take(c, 4, what, &b);
    if (st == HL_OK) *v = (uint32_t)hl__g_le(b, 4);
    return st;
}
static hl_status hl__g_u64(hl__gcur *c, const char *what, uint64_t *v) {
    const uint8_t *b;
    hl_status st = hl__g_take(c, 8, what, &b);
    if (st == HL_OK) *v = hl__g_le(b, 8);
    return st;
}
/* A string: u64 length, bytes. *s points into the file. */
static hl_status hl__g_str(hl__gcur *c, const char *what, const uint8_t **s, uint64_t *len) {
    hl_status st = hl__g_u64(c, what, len);
    *s = NULL;
    return st != HL_OK ? st : hl__g_take(c, *len, what, s);
}
/* A key or tensor name as a new NUL-terminated string (at most 65535 bytes, no NUL inside). */
static hl_status hl__g_name(hl__gcur *c, const char *what, char **out) {
    const uint8_t *s;
    uint64_t len;
    hl_status st = hl__g_str(c, what, &s, &len);
    if (st != HL_OK) return st;
    if (len > 65535 || memchr(s, 0, (size_t)len))
        return hl__fail(c->err, HL_ERR_FORMAT, "%s: %s at offset %llu is %s", c->label, what,
                        (unsigned long long)(c->pos - len - 8), len > 65535 ? "longer than 65535 bytes" : "has a NUL byte");
    if (!(*out = hl__strndup((const char *)s, (size_t)len))) return hl__fail(c->err, HL_ERR_OOM, "%s: out of memory", c->label);
    return HL_OK;
}
static uint64_t hl__g_type_size(uint32_t t) {
    switch (t) {
#define HL__X(id, v, sz) case v: return sz;
        HL_GGUF_TYPE_LIST(HL__X)
#undef HL__X
    default: return 0;
    }
}
/* One value of type t (arrays recurse, at most 4 deep); kv (may be NULL for nested) records where
   it is. */
static hl_status hl__g_value(hl__gcur *c, uint32_t t, const char *key, int depth, hl__gguf_kv *kv) {
    const uint8_t *b;
    uint64_t n, j, len;
    uint32_t et;
    hl_status st;
    if (t >= HL_GGUF_TYPE_COUNT)
        return hl__fail(c->err, HL_ERR_FORMAT, "%s: key '%s': unknown value type %u", c->label, key, (unsigned)t);
    if (t == HL_GGUF_STRING) {
        if ((st = hl__g_str(c, key, &b, &len)) != HL_OK) return st;
        if (kv) kv->val = b, kv->count = len;
        return HL_OK;
    }
    if (t != HL_GGUF_ARRAY) {
        if ((st = hl__g_take(c, hl__g_type_size(t), key, &b)) != HL_OK) return st;
        if (kv) kv->val = b;
        if (t == HL_GGUF_BOOL && *b > 1)
            return hl__fail(c->err, HL_ERR_FORMAT, "%s: key '%s': bool value %u", c->label, key, (unsigned)*b);
        return HL_OK;
    }
    if (depth >= 4) return hl__fail(c->err, HL_ERR_LIMIT, "%s: key '%s': arrays nested more than 4 deep", c->label, key);
    if ((st = hl__g_u32(c, key, &et)) != HL_OK || (st = hl__g_u64(c, key, &n)) != HL_OK) return st;
    if (et >= HL_GGUF_TYPE_COUNT)
        return hl__fail(c->err, HL_ERR_FORMAT, "%s: key '%s': array of unknown type %u", c->label, key, (unsigned)et);
    if (kv) kv->arr_type = (hl_gguf_type)et, kv->count = n, kv->val = c->p + c->pos, kv->nested = et == HL_GGUF_ARRAY;
    if (et != HL_GGUF_STRING && et != HL_GGUF_ARRAY) { /* fixed size: one bounds check */
        const uint64_t es = hl__g_type_size(et);
        if (n > (c->size - c->pos) / es) return hl__g_short(c, n, "an array");
        if (et == HL_GGUF_BOOL)
            for (j = 0; j < n; j++)
                if (c->p[c->pos + j] > 1)
                    return hl__fail(c->err, HL_ERR_FORMAT, "%s: key '%s': bool element %llu is %u", c->label, key,
                                    (unsigned long long)j, (unsigned)c->p[c->pos + j]);
        c->pos += n * es;
        return HL_OK;
    }
    /* strings and arrays take at least 8 and 12 bytes each: a count the file cannot hold fails here */
    if (n > (c->size - c->pos) / (et == HL_GGUF_STRING ? 8 : 12)) return hl__g_short(c, n, "an array");
    if (kv && et == HL_GGUF_STRING) {
        if (n > SIZE_MAX / sizeof(uint64_t) || !(kv->str_at = (uint64_t *)hl__malloc((size_t)(n ? n : 1) * sizeof(uint64_t))))
            return hl__fail(c->err, HL_ERR_OOM, "%s: key '%s': out of memory for %llu strings", c->label, key,
                            (unsigned long long)n);
    }
    for (j = 0; j < n; j++) {
        if (kv && kv->str_at) kv->str_at[j] = (uint64_t)(c->p + c->pos - kv->val);
        if ((st = hl__g_value(c, et, key, depth + 1, NULL)) != HL_OK) return st;
    }
    return HL_OK;
}

/* ggml type id -> hl_dtype (INVALID if hooklens does not read it) */
static hl_dtype hl__ggml_dtype(uint32_t g) {
    switch (g) {
    case 0: return HL_DTYPE_F32;
    case 1: return HL_DTYPE_F16;
    case 24: return HL_DTYPE_I8;
    case 25: return HL_DTYPE_I16;
    case 26: return HL_DTYPE_I32;
    case 27: return HL_DTYPE_I64;
    case 28: return HL_DTYPE_F64;
    case 30: return HL_DTYPE_BF16;
#define HL__X(id, nm, gg, blk, bb) case gg: return HL_DTYPE_##id;
        HL_QTYPE_LIST(HL__X)
#undef HL__X
    default: return HL_DTYPE_INVALID;
    }
}

static int hl__g_off_cmp(const void *a, const void *b) {
    const uint64_t *x = (const uint64_t *)a, *y = (const uint64_t *)b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

static hl_status hl__gguf_parse(hl_gguf *g, const uint8_t *data, uint64_t size, hl_error *err) {
    hl__gcur c = {data, size, 0, g->label, err};
    const uint8_t *magic = NULL;
    uint64_t n_t, n_kv, i, *spans = NULL;
    size_t k;
    hl_status st;
    int64_t ai;
    if ((st = hl__g_take(&c, 4, "the magic", &magic)) != HL_OK) return st;
    if (memcmp(magic, "GGUF", 4) != 0) return hl__fail(err, HL_ERR_FORMAT, "%s: not a GGUF file (no \"GGUF\" magic)", g->label);
    if ((st = hl__g_u32(&c, "the version", &g->version)) != HL_OK) return st;
    if (g->version != 2 && g->version != 3)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: GGUF version %u (2 and 3 are read)", g->label, (unsigned)g->version);
    if ((st = hl__g_u64(&c, "the tensor count", &n_t)) != HL_OK || (st = hl__g_u64(&c, "the metadata count", &n_kv)) != HL_OK)
        return st;
    if (n_t > HL_MAX_TENSORS)
        return hl__fail(err, HL_ERR_LIMIT, "%s: %llu tensors, more than HL_MAX_TENSORS = %d", g->label, (unsigned long long)n_t,
                        HL_MAX_TENSORS);
    if (n_kv > (size - c.pos) / 13) /* a key-value pair takes at least 8 + 4 + 1 bytes */
        return hl__fail(err, HL_ERR_FORMAT, "%s: %llu metadata entries cannot fit in %llu bytes", g->label,
                        (unsigned long long)n_kv, (unsigned long long)size);
    g->kv = (hl__gguf_kv *)hl__calloc((size_t)(n_kv ? n_kv : 1), sizeof *g->kv);
    if (!g->kv) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", g->label);
    for (i = 0; i < n_kv; i++) {
        hl__gguf_kv *kv = &g->kv[i];
        uint32_t t;
        if ((st = hl__g_name(&c, "a metadata key", &kv->key)) != HL_OK) return st;
        g->n_kv = (size_t)i + 1;
        for (k = 0; k < i; k++)
            if (strcmp(g->kv[k].key, kv->key) == 0)
                return hl__fail(err, HL_ERR_FORMAT, "%s: metadata key '%s' appears twice", g->label, kv->key);
        if ((st = hl__g_u32(&c, kv->key, &t)) != HL_OK) return st;
        kv->type = t < HL_GGUF_TYPE_COUNT ? (hl_gguf_type)t : HL_GGUF_TYPE_COUNT;
        if ((st = hl__g_value(&c, t, kv->key, 0, kv)) != HL_OK) return st;
    }
    g->alignment = 32;
    if ((ai = hl_gguf_kv_find(g, "general.alignment")) >= 0) {
        int64_t a = 0;
        if (g->kv[ai].type != HL_GGUF_UINT32 || !hl_gguf_get_int(g, (size_t)ai, &a) || a <= 0 || (a & (a - 1)) != 0 ||
            a > 65536)
            return hl__fail(err, HL_ERR_FORMAT, "%s: general.alignment must be a UINT32 power of two up to 65536", g->label);
        g->alignment = (uint64_t)a;
    }
    g->tname = (char **)hl__calloc((size_t)(n_t ? n_t : 1), sizeof *g->tname);
    g->t = (hl_tensor *)hl__calloc((size_t)(n_t ? n_t : 1), sizeof *g->t);
    g->ggml_type = (uint32_t *)hl__calloc((size_t)(n_t ? n_t : 1), sizeof *g->ggml_type);
    g->off = (uint64_t *)hl__calloc((size_t)(n_t ? n_t : 1), sizeof *g->off);
    spans = (uint64_t *)hl__calloc((size_t)(n_t ? n_t : 1), 3 * sizeof *spans);
    if (!g->tname || !g->t || !g->ggml_type || !g->off || !spans) {
        st = hl__fail(err, HL_ERR_OOM, "%s: out of memory", g->label);
        goto done;
    }
    for (i = 0; i < n_t; i++) {
        uint32_t nd, gt;
        uint64_t ne[HL_MAX_DIMS], numel = 1, nbytes;
        hl_tensor *t = &g->t[i];
        int d;
        if ((st = hl__g_name(&c, "a tensor name", &g->tname[i])) != HL_OK) goto done;
        g->n_t = (size_t)i + 1;
        if ((st = hl__g_u32(&c, g->tname[i], &nd)) != HL_OK) goto done;
        if (nd == 0 || nd > 4) {
            st = hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s' has %u dimensions (1 to 4)", g->label, g->tname[i], (unsigned)nd);
            goto done;
        }
        for (d = 0; d < (int)nd; d++) {
            if ((st = hl__g_u64(&c, g->tname[i], &ne[d])) != HL_OK) goto done;
            if (ne[d] > (uint64_t)INT64_MAX || !hl__mul_ok(numel, ne[d], &numel) || numel > (uint64_t)INT64_MAX) {
                st = hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': dimension %d (%llu) makes the element count overflow",
                              g->label, g->tname[i], d, (unsigned long long)ne[d]);
                goto done;
            }
        }
        if ((st = hl__g_u32(&c, g->tname[i], &gt)) != HL_OK || (st = hl__g_u64(&c, g->tname[i], &g->off[i])) != HL_OK)
            goto done;
        g->ggml_type[i] = gt;
        t->dtype = hl__ggml_dtype(gt);
        if (t->dtype == HL_DTYPE_INVALID) {
            st = hl__fail(err, HL_ERR_UNSUPPORTED, "%s: tensor '%s' has ggml type %u, which hooklens does not read", g->label,
                          g->tname[i], (unsigned)gt);
            goto done;
        }
        t->ndim = (int)nd;
        for (d = 0; d < (int)nd; d++) t->shape[d] = (int64_t)ne[nd - 1 - d];
        if (ne[0] % (uint64_t)hl_dtype_block(t->dtype) != 0) {
            st = hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': rows of %llu are not whole %s blocks of %lld", g->label,
                          g->tname[i], (unsigned long long)ne[0], hl_dtype_name(t->dtype), (long long)hl_dtype_block(t->dtype));
            goto done;
        }
        if ((ne[0] > 0 && hl_dtype_row_bytes(t->dtype, (int64_t)ne[0]) == 0) ||
            !hl__mul_ok(ne[0] ? numel / ne[0] : 0, hl_dtype_row_bytes(t->dtype, (int64_t)ne[0]), &nbytes) ||
            nbytes > (uint64_t)SIZE_MAX) {
            st = hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': byte size overflows", g->label, g->tname[i]);
            goto done;
        }
        if (g->off[i] % g->alignment != 0) {
            st = hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': offset %llu is not a multiple of the alignment %llu", g->label,
                          g->tname[i], (unsigned long long)g->off[i], (unsigned long long)g->alignment);
            goto done;
        }
        spans[3 * i] = g->off[i], spans[3 * i + 1] = nbytes, spans[3 * i + 2] = i;
    }
    /* the data section starts at the next multiple of the alignment */
    g->data_off = c.pos + (g->alignment - c.pos % g->alignment) % g->alignment;
    if (g->data_off > size && n_t > 0) { /* a file of metadata only (a vocabulary) may end unpadded */
        st = hl__fail(err, HL_ERR_FORMAT, "%s: truncated: the data section would start at %llu, past the end (%llu bytes)",
                      g->label, (unsigned long long)g->data_off, (unsigned long long)size);
        goto done;
    }
    qsort(spans, (size_t)n_t, 3 * sizeof *spans, hl__g_off_cmp);
    for (i = 0; i < n_t; i++) {
        const uint64_t off = spans[3 * i], nb = spans[3 * i + 1], ti = spans[3 * i + 2];
        if (off > size - g->data_off || nb > size - g->data_off - off) {
            st = hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s': %llu bytes at data offset %llu run past the end of the file",
                          g->label, g->tname[ti], (unsigned long long)nb, (unsigned long long)off);
            goto done;
        }
        if (i + 1 < n_t && off + nb > spans[3 * (i + 1)]) {
            st = hl__fail(err, HL_ERR_FORMAT, "%s: tensors '%s' and '%s' overlap", g->label, g->tname[ti],
                          g->tname[spans[3 * (i + 1) + 2]]);
            goto done;
        }
        g->t[ti].data = (void *)(uintptr_t)(data + g->data_off + off);
    }
    for (i = 1; i < n_t; i++) /* names are unique (a quadratic check only for small files) */
        if (n_t <= 4096)
            for (k = 0; k < i; k++)
                if (strcmp(g->tname[k], g->tname[i]) == 0) {
                    st = hl__fail(err, HL_ERR_FORMAT, "%s: tensor '%s' appears twice", g->label, g->tname[i]);
                    goto done;
                }
    st = HL_OK;
done:
    hl__free(spans);
    return st;
}

HL__DEF void hl_gguf_close(hl_gguf *g) {
    size_t i;
    if (!g) return;
    for (i = 0; i < g->n_kv; i++) hl__free(g->kv[i].key), hl__free(g->kv[i].str_at);
    for (i = 0; i < g->n_t; i++) hl__free(g->tname[i]);
    hl__free(g->kv), hl__free(g->tname), hl__free(g->t), hl__free(g->ggml_type), hl__free(g->off);
    hl__free(g->label_owned);
#ifndef HL_NO_STDIO
    hl__file_close(&g->file);
#endif
    hl__free(g);
}
HL__DEF hl_status hl_gguf_open_memory(const void *data, size_t size, const char *name, hl_gguf **out, hl_error *err) {
    hl_gguf *g;
    hl_status st;
    if ((!data && size) || !out) return hl__fail(err, HL_ERR_ARG, "hl_gguf_open_memory: NULL argument");
    *out = NULL;
    if (!(g = (hl_gguf *)hl__calloc(1, sizeof *g))) return hl__fail(err, HL_ERR_OOM, "hl_gguf_open_memory: out of memory");
    g->label = name ? name : "<memory>";
    if ((st = hl__gguf_parse(g, (const uint8_t *)data, size, err)) != HL_OK) {
        hl_gguf_close(g);
        return st;
    }
    *out = g;
    return HL_OK;
}
HL__DEF hl_status hl_gguf_open(const char *path, hl_gguf **out, hl_error *err) {
#ifdef HL_NO_STDIO
    (void)path, (void)out;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_gguf_open: built with HL_NO_STDIO (use hl_gguf_open_memory)");
#else
    hl_gguf *g;
    hl_status st;
    if (!path || !out) return hl__fail(err, HL_ERR_ARG, "hl_gguf_open: NULL argument");
    *out = NULL;
    if (!(g = (hl_gguf *)hl__calloc(1, sizeof *g)) || !(g->label_owned = hl__strdup(path))) {
        hl__free(g);
        return hl__fail(err, HL_ERR_OOM, "hl_gguf_open: out of memory");
    }
    g->label = g->label_owned;
    if ((st = hl__file_open(path, &g->file, err)) != HL_OK ||
        (st = hl__gguf_parse(g, g->file.data, g->file.size, err)) != HL_OK) {
        hl_gguf_close(g);
        return st;
    }
    *out = g;
    return HL_OK;
#endif
}
HL__DEF uint32_t hl_gguf_version(const hl_gguf *g) {
    return g ? g->version : 0;
}
HL__DEF uint64_t hl_gguf_alignment(const hl_gguf *g) {
    return g ? g->alignment : 0;
}
HL__DEF const char *hl_gguf_type_name(hl_gguf_type t) {
    switch (t) {
#define HL__X(id, v, sz) case HL_GGUF_##id: return #id;
        HL_GGUF_TYPE_LIST(HL__X)
#undef HL__X
    default: return "?";
    }
}
HL__DEF size_t hl_gguf_kv_count(const hl_gguf *g) {
    return g ? g->n_kv : 0;
}
HL__DEF const char *hl_gguf_kv_key(const hl_gguf *g, size_t i) {
    return g && i < g->n_kv ? g->kv[i].key : NULL;
}
HL__DEF int64_t hl_gguf_kv_find(const hl_gguf *g, const char *key) {
    size_t i;
    if (!g || !key) return -1;
    for (i = 0; i < g->n_kv; i++)
        if (strcmp(g->kv[i].key, key) == 0) return (int64_t)i;
    return -1;
}
HL__DEF hl_gguf_type hl_gguf_kv_type(const hl_gguf *g, size_t i) {
    return g && i < g->n_kv ? g->kv[i].type : HL_GGUF_TYPE_COUNT;
}
/* A scalar of type t at b as a double / an integer (0: not numeric, or a float for _int). */
static int hl__g_num_at(hl_gguf_type t, const uint8_t *b, double *d, int64_t *i) {
    uint64_t u;
    switch (t) {
    case HL_GGUF_UINT8: case HL_GGUF_BOOL: *i = b[0]; break;
    case HL_GGUF_INT8: *i = (int8_t)b[0]; break;
    case HL_GGUF_UINT16: *i = (int64_t)hl__g_le(b, 2); break;
    case HL_GGUF_INT16: *i = (int16_t)hl__g_le(b, 2); break;
    case HL_GGUF_UINT32: *i = (int64_t)hl__g_le(b, 4); break;
    case HL_GGUF_INT32: *i = (int32_t)hl__g_le(b, 4); break;
    case HL_GGUF_UINT64:
        u = hl__g_le(b, 8);
        if (u > (uint64_t)INT64_MAX) return 0;
        *i = (int64_t)u;
        break;
    case HL_GGUF_INT64: u = hl__g_le(b, 8), memcpy(i, &u, 8); break;
    case HL_GGUF_FLOAT32: {
        float f;
        u = hl__g_le(b, 4);
        memcpy(&f, &u, 4);
        *d = (double)f;
        return 2;
    }
    case HL_GGUF_FLOAT64: u = hl__g_le(b, 8), memcpy(d, &u, 8); return 2;
    default: return 0;
    }
    *d = (double)*i;
    return 1;
}
HL__DEF int hl_gguf_get_num(const hl_gguf *g, size_t i, double *out) {
    int64_t n;
    return g && i < g->n_kv && out && hl__g_num_at(g->kv[i].type, g->kv[i].val, out, &n) != 0;
}
HL__DEF int hl_gguf_get_int(const hl_gguf *g, size_t i, int64_t *out) {
    double d;
    return g && i < g->n_kv && out && hl__g_num_at(g->kv[i].type, g->kv[i].val, &d, out) == 1;
}
HL__DEF const char *hl_gguf_get_str(const hl_gguf *g, size_t i, size_t *len) {
    if (!g || i >= g->n_kv || g->kv[i].type != HL_GGUF_STRING) return NULL;
    if (len) *len = (size_t)g->kv[i].count;
    return (const char *)g->kv[i].val;
}
HL__DEF hl_gguf_type hl_gguf_arr_type(const hl_gguf *g, size_t i) {
    return g && i < g->n_kv && g->kv[i].type == HL_GGUF_ARRAY ? g->kv[i].arr_type : HL_GGUF_TYPE_COUNT;
}
HL__DEF uint64_t hl_gguf_arr_count(const hl_gguf *g, size_t i) {
    return g && i < g->n_kv && g->kv[i].type == HL_GGUF_ARRAY ? g->kv[i].count : 0;
}
static const hl__gguf_kv *hl__g_arr(const hl_gguf *g, size_t i, uint64_t j) {
    return g && i < g->n_kv && g->kv[i].type == HL_GGUF_ARRAY && !g->kv[i].nested && j < g->kv[i].count ? &g->kv[i] : NULL;
}
HL__DEF int hl_gguf_arr_num(const hl_gguf *g, size_t i, uint64_t j, double *out) {
    const hl__gguf_kv *kv = hl__g_arr(g, i, j);
    int64_t n;
    return kv && out && kv->arr_type != HL_GGUF_STRING &&
           hl__g_num_at(kv->arr_type, kv->val + j * hl__g_type_size(kv->arr_type), out, &n) != 0;
}
HL__DEF int hl_gguf_arr_int(const hl_gguf *g, size_t i, uint64_t j, int64_t *out) {
    const hl__gguf_kv *kv = hl__g_arr(g, i, j);
    double d;
    return kv && out && kv->arr_type != HL_GGUF_STRING &&
           hl__g_num_at(kv->arr_type, kv->val + j * hl__g_type_size(kv->arr_type), &d, out) == 1;
}
HL__DEF const char *hl_gguf_arr_str(const hl_gguf *g, size_t i, uint64_t j, size_t *len) {
    const hl__gguf_kv *kv = hl__g_arr(g, i, j);
    const uint8_t *p;
    if (!kv || kv->arr_type != HL_GGUF_STRING) return NULL;
    p = kv->val + kv->str_at[j];
    if (len) *len = (size_t)hl__g_le(p, 8);
    return (const char *)p + 8;
}
HL__DEF size_t hl_gguf_tensor_count(const hl_gguf *g) {
    return g ? g->n_t : 0;
}
HL__DEF const char *hl_gguf_tensor_name(const hl_gguf *g, size_t i) {
    return g && i < g->n_t ? g->tname[i] : NULL;
}
HL__DEF const hl_tensor *hl_gguf_tensor(const hl_gguf *g, size_t i) {
    return g && i < g->n_t ? &g->t[i] : NULL;
}
HL__DEF const hl_tensor *hl_gguf_find(const hl_gguf *g, const char *name) {
    size_t i;
    if (!g || !name) return NULL;
    for (i = 0; i < g->n_t; i++)
        if (strcmp(g->tname[i], name) == 0) return &g->t[i];
    return NULL;
}
HL__DEF uint32_t hl_gguf_tensor_ggml_type(const hl_gguf *g, size_t i) {
    return g && i < g->n_t ? g->ggml_type[i] : UINT32_MAX;
}
HL__DEF uint64_t hl_gguf_tensor_offset(const hl_gguf *g, size_t i) {
    return g && i < g->n_t ? g->data_off + g->off[i] : 0;
}

/* ---- writer ---- */
#ifndef HL_NO_STDIO
static uint32_t hl__dtype_ggml(hl_dtype t) { /* the inverse of hl__ggml_dtype; UINT32_MAX if none */
    uint32_t g;
    for (g = 0; g < 64; g++)
        if (hl__ggml_dtype(g) == t) return g;
    return UINT32_MAX;
}
static void hl__gw_u32(hl__buf *b, uint32_t v) {
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    hl__buf_push(b, x, 4);
}
static void hl__gw_u64(hl__buf *b, uint64_t v) {
    uint8_t x[8];
    int i;
    for (i = 0; i < 8; i++) x[i] = (uint8_t)(v >> (8 * i));
    hl__buf_push(b, x, 8);
}
static void hl__gw_str(hl__buf *b, const char *s) {
    hl__gw_u64(b, strlen(s));
    hl__buf_push(b, s, strlen(s));
}
HL__DEF hl_status hl_gguf_write(const char *path, const hl_gguf_kv_w *kv, size_t n_kv, const char *const *names,
                                const hl_tensor *t, size_t n, hl_error *err) {
    hl__buf h;
    FILE *f;
    size_t i;
    uint64_t off = 0, j;
    static const uint8_t zeros[32] = {0};
    int d, ok = 1;
    if (!path || (n_kv && !kv) || (n && (!names || !t))) return hl__fail(err, HL_ERR_ARG, "hl_gguf_write: NULL argument");
    memset(&h, 0, sizeof h);
    hl__buf_push(&h, "GGUF", 4);
    hl__gw_u32(&h, 3), hl__gw_u64(&h, n), hl__gw_u64(&h, n_kv);
    for (i = 0; i < n_kv; i++) {
        const hl_gguf_kv_w *e = &kv[i];
        hl__gw_str(&h, e->key);
        hl__gw_u32(&h, (uint32_t)e->type);
        if (e->type == HL_GGUF_STRING) {
            hl__gw_str(&h, (const char *)e->val);
        } else if (e->type == HL_GGUF_ARRAY) {
            if (e->arr_type == HL_GGUF_ARRAY || e->arr_type >= HL_GGUF_TYPE_COUNT) {
                hl__buf_free(&h);
                return hl__fail(err, HL_ERR_ARG, "hl_gguf_write: key '%s': arrays of arrays are not written", e->key);
            }
            hl__gw_u32(&h, (uint32_t)e->arr_type), hl__gw_u64(&h, e->count);
            if (e->arr_type == HL_GGUF_STRING)
                for (j = 0; j < e->count; j++) hl__gw_str(&h, ((const char *const *)e->val)[j]);
            else
                hl__buf_push(&h, e->val, (size_t)(e->count * hl__g_type_size((uint32_t)e->arr_type)));
        } else if (e->type < HL_GGUF_TYPE_COUNT) {
            hl__buf_push(&h, e->val, (size_t)hl__g_type_size((uint32_t)e->type));
        } else {
            hl__buf_free(&h);
            return hl__fail(err, HL_ERR_ARG, "hl_gguf_write: key '%s': unknown type %d", e->key, (int)e->type);
        }
    }
    for (i = 0; i < n; i++) {
        const uint32_t g = hl__dtype_ggml(t[i].dtype);
        if (g == UINT32_MAX || t[i].ndim < 1 || t[i].ndim > 4) {
            hl__buf_free(&h);
            return hl__fail(err, HL_ERR_ARG, "hl_gguf_write: tensor '%s': dtype %s or %d dimensions cannot be written",
                            names[i], hl_dtype_name(t[i].dtype), t[i].ndim);
        }
        hl__gw_str(&h, names[i]);
        hl__gw_u32(&h, (uint32_t)t[i].ndim);
        for (d = t[i].ndim - 1; d >= 0; d--) hl__gw_u64(&h, (uint64_t)t[i].shape[d]); /* ne: innermost first */
        hl__gw_u32(&h, g), hl__gw_u64(&h, off);
        off += ((uint64_t)hl_tensor_nbytes(&t[i]) + 31) / 32 * 32;
    }
    if (h.oom) {
        hl__buf_free(&h);
        return hl__fail(err, HL_ERR_OOM, "hl_gguf_write: out of memory");
    }
    if (!(f = fopen(path, "wb"))) {
        hl__buf_free(&h);
        return hl__fail(err, HL_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    }
    ok = fwrite(h.data, 1, h.len, f) == h.len && fwrite(zeros, 1, (32 - h.len % 32) % 32, f) == (32 - h.len % 32) % 32;
    for (i = 0; ok && i < n; i++) {
        const size_t nb = hl_tensor_nbytes(&t[i]);
        ok = fwrite(t[i].data, 1, nb, f) == nb && fwrite(zeros, 1, (32 - nb % 32) % 32, f) == (32 - nb % 32) % 32;
    }
    if (fclose(f) != 0) ok = 0;
    hl__buf_free(&h);
    return ok ? HL_OK : hl__fail(err, HL_ERR_IO, "%s: write failed", path);
}
#else
HL__DEF hl_status hl_gguf_write(const char *path, const hl_gguf_kv_w *kv, size_t n_kv, const char *const *names,
                                const hl_tensor *t, size_t n, hl_error *err) {
    (void)path, (void)kv, (void)n_kv, (void)names, (void)t, (void)n;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_gguf_write: built with HL_NO_STDIO");
}
#endif

/* <<gguf */

/* >>unicode ================================================================================= */
/* >>unicode_tables (generated by tools/gen_unicode.c; `make unicode-tables` rewrites this block) */
/* Generated by tools/gen_unicode.c from the Unicode Character Database 15.0.0 (Debian
   unicode-data): `make unicode-tables`. Do not edit by hand. */
#define HL__UNICODE_VERSION "15.0.0"
static const uint32_t hl__uc_ccc[][3] = {
    {0x300,0x314,230}, {0x315,0x315,232}, {0x316,0x319,220}, {0x31A,0x31A,232}, {0x31B,0x31B,216},
    {0x31C,0x320,220}, {0x321,0x322,202}, {0x323,0x326,220}, {0x327,0x328,202}, {0x329,0x333,220},
    {0x334,0x338,1}, {0x339,0x33C,220}, {0x33D,0x344,230}, {0x345,0x345,240}, {0x346,0x346,230},
    {0x347,0x349,220}, {0x34A,0x34C,230}, {0x34D,0x34E,220}, {0x350,0x352,230}, {0x353,0x356,220},
    {0x357,0x357,230}, {0x358,0x358,232}, {0x359,0x35A,220}, {0x35B,0x35B,230}, {0x35C,0x35C,233},
    {0x35D,0x35E,234}, {0x35F,0x35F,233}, {0x360,0x361,234}, {0x362,0x362,233}, {0x363,0x36F,230},
    {0x483,0x487,230}, {0x591,0x591,220}, {0x592,0x595,230}, {0x596,0x596,220}, {0x597,0x599,230},
    {0x59A,0x59A,222}, {0x59B,0x59B,220}, {0x59C,0x5A1,230}, {0x5A2,0x5A7,220}, {0x5A8,0x5A9,230},
    {0x5AA,0x5AA,220}, {0x5AB,0x5AC,230}, {0x5AD,0x5AD,222}, {0x5AE,0x5AE,228}, {0x5AF,0x5AF,230},
    {0x5B0,0x5B0,10}, {0x5B1,0x5B1,11}, {0x5B2,0x5B2,12}, {0x5B3,0x5B3,13}, {0x5B4,0x5B4,14},
    {0x5B5,0x5B5,15}, {0x5B6,0x5B6,16}, {0x5B7,0x5B7,17}, {0x5B8,0x5B8,18}, {0x5B9,0x5BA,19},
    {0x5BB,0x5BB,20}, {0x5BC,0x5BC,21}, {0x5BD,0x5BD,22}, {0x5BF,0x5BF,23}, {0x5C1,0x5C1,24},
    {0x5C2,0x5C2,25}, {0x5C4,0x5C4,230}, {0x5C5,0x5C5,220}, {0x5C7,0x5C7,18}, {0x610,0x617,230},
    {0x618,0x618,30}, {0x619,0x619,31}, {0x61A,0x61A,32}, {0x64B,0x64B,27}, {0x64C,0x64C,28},
    {0x64D,0x64D,29}, {0x64E,0x64E,30}, {0x64F,0x64F,31}, {0x650,0x650,32}, {0x651,0x651,33},
    {0x652,0x652,34}, {0x653,0x654,230}, {0x655,0x656,220}, {0x657,0x65B,230}, {0x65C,0x65C,220},
    {0x65D,0x65E,230}, {0x65F,0x65F,220}, {0x670,0x670,35}, {0x6D6,0x6DC,230}, {0x6DF,0x6E2,230},
    {0x6E3,0x6E3,220}, {0x6E4,0x6E4,230}, {0x6E7,0x6E8,230}, {0x6EA,0x6EA,220}, {0x6EB,0x6EC,230},
    {0x6ED,0x6ED,220}, {0x711,0x711,36}, {0x730,0x730,230}, {0x731,0x731,220}, {0x732,0x733,230},
    {0x734,0x734,220}, {0x735,0x736,230}, {0x737,0x739,220}, {0x73A,0x73A,230}, {0x73B,0x73C,220},
    {0x73D,0x73D,230}, {0x73E,0x73E,220}, {0x73F,0x741,230}, {0x742,0x742,220}, {0x743,0x743,230},
    {0x744,0x744,220}, {0x745,0x745,230}, {0x746,0x746,220}, {0x747,0x747,230}, {0x748,0x748,220},
    {0x749,0x74A,230}, {0x7EB,0x7F1,230}, {0x7F2,0x7F2,220}, {0x7F3,0x7F3,230}, {0x7FD,0x7FD,220},
    {0x816,0x819,230}, {0x81B,0x823,230}, {0x825,0x827,230}, {0x829,0x82D,230}, {0x859,0x85B,220},
    {0x898,0x898,230}, {0x899,0x89B,220}, {0x89C,0x89F,230}, {0x8CA,0x8CE,230}, {0x8CF,0x8D3,220},
    {0x8D4,0x8E1,230}, {0x8E3,0x8E3,220}, {0x8E4,0x8E5,230}, {0x8E6,0x8E6,220}, {0x8E7,0x8E8,230},
    {0x8E9,0x8E9,220}, {0x8EA,0x8EC,230}, {0x8ED,0x8EF,220}, {0x8F0,0x8F0,27}, {0x8F1,0x8F1,28},
    {0x8F2,0x8F2,29}, {0x8F3,0x8F5,230}, {0x8F6,0x8F6,220}, {0x8F7,0x8F8,230}, {0x8F9,0x8FA,220},
    {0x8FB,0x8FF,230}, {0x93C,0x93C,7}, {0x94D,0x94D,9}, {0x951,0x951,230}, {0x952,0x952,220},
    {0x953,0x954,230}, {0x9BC,0x9BC,7}, {0x9CD,0x9CD,9}, {0x9FE,0x9FE,230}, {0xA3C,0xA3C,7},
    {0xA4D,0xA4D,9}, {0xABC,0xABC,7}, {0xACD,0xACD,9}, {0xB3C,0xB3C,7}, {0xB4D,0xB4D,9},
    {0xBCD,0xBCD,9}, {0xC3C,0xC3C,7}, {0xC4D,0xC4D,9}, {0xC55,0xC55,84}, {0xC56,0xC56,91},
    {0xCBC,0xCBC,7}, {0xCCD,0xCCD,9}, {0xD3B,0xD3C,9}, {0xD4D,0xD4D,9}, {0xDCA,0xDCA,9},
    {0xE38,0xE39,103}, {0xE3A,0xE3A,9}, {0xE48,0xE4B,107}, {0xEB8,0xEB9,118}, {0xEBA,0xEBA,9},
    {0xEC8,0xECB,122}, {0xF18,0xF19,220}, {0xF35,0xF35,220}, {0xF37,0xF37,220}, {0xF39,0xF39,216},
    {0xF71,0xF71,129}, {0xF72,0xF72,130}, {0xF74,0xF74,132}, {0xF7A,0xF7D,130}, {0xF80,0xF80,130},
    {0xF82,0xF83,230}, {0xF84,0xF84,9}, {0xF86,0xF87,230}, {0xFC6,0xFC6,220}, {0x1037,0x1037,7},
    {0x1039,0x103A,9}, {0x108D,0x108D,220}, {0x135D,0x135F,230}, {0x1714,0x1715,9}, {0x1734,0x1734,9},
    {0x17D2,0x17D2,9}, {0x17DD,0x17DD,230}, {0x18A9,0x18A9,228}, {0x1939,0x1939,222}, {0x193A,0x193A,230},
    {0x193B,0x193B,220}, {0x1A17,0x1A17,230}, {0x1A18,0x1A18,220}, {0x1A60,0x1A60,9}, {0x1A75,0x1A7C,230},
    {0x1A7F,0x1A7F,220}, {0x1AB0,0x1AB4,230}, {0x1AB5,0x1ABA,220}, {0x1ABB,0x1ABC,230}, {0x1ABD,0x1ABD,220},
    {0x1ABF,0x1AC0,220}, {0x1AC1,0x1AC2,230}, {0x1AC3,0x1AC4,220}, {0x1AC5,0x1AC9,230}, {0x1ACA,0x1ACA,220},
    {0x1ACB,0x1ACE,230}, {0x1B34,0x1B34,7}, {0x1B44,0x1B44,9}, {0x1B6B,0x1B6B,230}, {0x1B6C,0x1B6C,220},
    {0x1B6D,0x1B73,230}, {0x1BAA,0x1BAB,9}, {0x1BE6,0x1BE6,7}, {0x1BF2,0x1BF3,9}, {0x1C37,0x1C37,7},
    {0x1CD0,0x1CD2,230}, {0x1CD4,0x1CD4,1}, {0x1CD5,0x1CD9,220}, {0x1CDA,0x1CDB,230}, {0x1CDC,0x1CDF,220},
    {0x1CE0,0x1CE0,230}, {0x1CE2,0x1CE8,1}, {0x1CED,0x1CED,220}, {0x1CF4,0x1CF4,230}, {0x1CF8,0x1CF9,230},
    {0x1DC0,0x1DC1,230}, {0x1DC2,0x1DC2,220}, {0x1DC3,0x1DC9,230}, {0x1DCA,0x1DCA,220}, {0x1DCB,0x1DCC,230},
    {0x1DCD,0x1DCD,234}, {0x1DCE,0x1DCE,214}, {0x1DCF,0x1DCF,220}, {0x1DD0,0x1DD0,202}, {0x1DD1,0x1DF5,230},
    {0x1DF6,0x1DF6,232}, {0x1DF7,0x1DF8,228}, {0x1DF9,0x1DF9,220}, {0x1DFA,0x1DFA,218}, {0x1DFB,0x1DFB,230},
    {0x1DFC,0x1DFC,233}, {0x1DFD,0x1DFD,220}, {0x1DFE,0x1DFE,230}, {0x1DFF,0x1DFF,220}, {0x20D0,0x20D1,230},
    {0x20D2,0x20D3,1}, {0x20D4,0x20D7,230}, {0x20D8,0x20DA,1}, {0x20DB,0x20DC,230}, {0x20E1,0x20E1,230},
    {0x20E5,0x20E6,1}, {0x20E7,0x20E7,230}, {0x20E8,0x20E8,220}, {0x20E9,0x20E9,230}, {0x20EA,0x20EB,1},
    {0x20EC,0x20EF,220}, {0x20F0,0x20F0,230}, {0x2CEF,0x2CF1,230}, {0x2D7F,0x2D7F,9}, {0x2DE0,0x2DFF,230},
    {0x302A,0x302A,218}, {0x302B,0x302B,228}, {0x302C,0x302C,232}, {0x302D,0x302D,222}, {0x302E,0x302F,224},
    {0x3099,0x309A,8}, {0xA66F,0xA66F,230}, {0xA674,0xA67D,230}, {0xA69E,0xA69F,230}, {0xA6F0,0xA6F1,230},
    {0xA806,0xA806,9}, {0xA82C,0xA82C,9}, {0xA8C4,0xA8C4,9}, {0xA8E0,0xA8F1,230}, {0xA92B,0xA92D,220},
    {0xA953,0xA953,9}, {0xA9B3,0xA9B3,7}, {0xA9C0,0xA9C0,9}, {0xAAB0,0xAAB0,230}, {0xAAB2,0xAAB3,230},
    {0xAAB4,0xAAB4,220}, {0xAAB7,0xAAB8,230}, {0xAABE,0xAABF,230}, {0xAAC1,0xAAC1,230}, {0xAAF6,0xAAF6,9},
    {0xABED,0xABED,9}, {0xFB1E,0xFB1E,26}, {0xFE20,0xFE26,230}, {0xFE27,0xFE2D,220}, {0xFE2E,0xFE2F,230},
    {0x101FD,0x101FD,220}, {0x102E0,0x102E0,220}, {0x10376,0x1037A,230}, {0x10A0D,0x10A0D,220}, {0x10A0F,0x10A0F,230},
    {0x10A38,0x10A38,230}, {0x10A39,0x10A39,1}, {0x10A3A,0x10A3A,220}, {0x10A3F,0x10A3F,9}, {0x10AE5,0x10AE5,230},
    {0x10AE6,0x10AE6,220}, {0x10D24,0x10D27,230}, {0x10EAB,0x10EAC,230}, {0x10EFD,0x10EFF,220}, {0x10F46,0x10F47,220},
    {0x10F48,0x10F4A,230}, {0x10F4B,0x10F4B,220}, {0x10F4C,0x10F4C,230}, {0x10F4D,0x10F50,220}, {0x10F82,0x10F82,230},
    {0x10F83,0x10F83,220}, {0x10F84,0x10F84,230}, {0x10F85,0x10F85,220}, {0x11046,0x11046,9}, {0x11070,0x11070,9},
    {0x1107F,0x1107F,9}, {0x110B9,0x110B9,9}, {0x110BA,0x110BA,7}, {0x11100,0x11102,230}, {0x11133,0x11134,9},
    {0x11173,0x11173,7}, {0x111C0,0x111C0,9}, {0x111CA,0x111CA,7}, {0x11235,0x11235,9}, {0x11236,0x11236,7},
    {0x112E9,0x112E9,7}, {0x112EA,0x112EA,9}, {0x1133B,0x1133C,7}, {0x1134D,0x1134D,9}, {0x11366,0x1136C,230},
    {0x11370,0x11374,230}, {0x11442,0x11442,9}, {0x11446,0x11446,7}, {0x1145E,0x1145E,230}, {0x114C2,0x114C2,9},
    {0x114C3,0x114C3,7}, {0x115BF,0x115BF,9}, {0x115C0,0x115C0,7}, {0x1163F,0x1163F,9}, {0x116B6,0x116B6,9},
    {0x116B7,0x116B7,7}, {0x1172B,0x1172B,9}, {0x11839,0x11839,9}, {0x1183A,0x1183A,7}, {0x1193D,0x1193E,9},
    {0x11943,0x11943,7}, {0x119E0,0x119E0,9}, {0x11A34,0x11A34,9}, {0x11A47,0x11A47,9}, {0x11A99,0x11A99,9},
    {0x11C3F,0x11C3F,9}, {0x11D42,0x11D42,7}, {0x11D44,0x11D45,9}, {0x11D97,0x11D97,9}, {0x11F41,0x11F42,9},
    {0x16AF0,0x16AF4,1}, {0x16B30,0x16B36,230}, {0x16FF0,0x16FF1,6}, {0x1BC9E,0x1BC9E,1}, {0x1D165,0x1D166,216},
    {0x1D167,0x1D169,1}, {0x1D16D,0x1D16D,226}, {0x1D16E,0x1D172,216}, {0x1D17B,0x1D182,220}, {0x1D185,0x1D189,230},
    {0x1D18A,0x1D18B,220}, {0x1D1AA,0x1D1AD,230}, {0x1D242,0x1D244,230}, {0x1E000,0x1E006,230}, {0x1E008,0x1E018,230},
    {0x1E01B,0x1E021,230}, {0x1E023,0x1E024,230}, {0x1E026,0x1E02A,230}, {0x1E08F,0x1E08F,230}, {0x1E130,0x1E136,230},
    {0x1E2AE,0x1E2AE,230}, {0x1E2EC,0x1E2EF,230}, {0x1E4EC,0x1E4ED,232}, {0x1E4EE,0x1E4EE,220}, {0x1E4EF,0x1E4EF,230},
    {0x1E8D0,0x1E8D6,220}, {0x1E944,0x1E949,230}, {0x1E94A,0x1E94A,7},
};
static const uint32_t hl__uc_decomp[][3] = {
    {0xC0,0x41,0x300}, {0xC1,0x41,0x301}, {0xC2,0x41,0x302}, {0xC3,0x41,0x303}, {0xC4,0x41,0x308},
    {0xC5,0x41,0x30A}, {0xC7,0x43,0x327}, {0xC8,0x45,0x300}, {0xC9,0x45,0x301}, {0xCA,0x45,0x302},
    {0xCB,0x45,0x308}, {0xCC,0x49,0x300}, {0xCD,0x49,0x301}, {0xCE,0x49,0x302}, {0xCF,0x49,0x308},
    {0xD1,0x4E,0x303}, {0xD2,0x4F,0x300}, {0xD3,0x4F,0x301}, {0xD4,0x4F,0x302}, {0xD5,0x4F,0x303},
    {0xD6,0x4F,0x308}, {0xD9,0x55,0x300}, {0xDA,0x55,0x301}, {0xDB,0x55,0x302}, {0xDC,0x55,0x308},
    {0xDD,0x59,0x301}, {0xE0,0x61,0x300}, {0xE1,0x61,0x301}, {0xE2,0x61,0x302}, {0xE3,0x61,0x303},
    {0xE4,0x61,0x308}, {0xE5,0x61,0x30A}, {0xE7,0x63,0x327}, {0xE8,0x65,0x300}, {0xE9,0x65,0x301},
    {0xEA,0x65,0x302}, {0xEB,0x65,0x308}, {0xEC,0x69,0x300}, {0xED,0x69,0x301}, {0xEE,0x69,0x302},
    {0xEF,0x69,0x308}, {0xF1,0x6E,0x303}, {0xF2,0x6F,0x300}, {0xF3,0x6F,0x301}, {0xF4,0x6F,0x302},
    {0xF5,0x6F,0x303}, {0xF6,0x6F,0x308}, {0xF9,0x75,0x300}, {0xFA,0x75,0x301}, {0xFB,0x75,0x302},
    {0xFC,0x75,0x308}, {0xFD,0x79,0x301}, {0xFF,0x79,0x308}, {0x100,0x41,0x304}, {0x101,0x61,0x304},
    {0x102,0x41,0x306}, {0x103,0x61,0x306}, {0x104,0x41,0x328}, {0x105,0x61,0x328}, {0x106,0x43,0x301},
    {0x107,0x63,0x301}, {0x108,0x43,0x302}, {0x109,0x63,0x302}, {0x10A,0x43,0x307}, {0x10B,0x63,0x307},
    {0x10C,0x43,0x30C}, {0x10D,0x63,0x30C}, {0x10E,0x44,0x30C}, {0x10F,0x64,0x30C}, {0x112,0x45,0x304},
    {0x113,0x65,0x304}, {0x114,0x45,0x306}, {0x115,0x65,0x306}, {0x116,0x45,0x307}, {0x117,0x65,0x307},
    {0x118,0x45,0x328}, {0x119,0x65,0x328}, {0x11A,0x45,0x30C}, {0x11B,0x65,0x30C}, {0x11C,0x47,0x302},
    {0x11D,0x67,0x302}, {0x11E,0x47,0x306}, {0x11F,0x67,0x306}, {0x120,0x47,0x307}, {0x121,0x67,0x307},
    {0x122,0x47,0x327}, {0x123,0x67,0x327}, {0x124,0x48,0x302}, {0x125,0x68,0x302}, {0x128,0x49,0x303},
    {0x129,0x69,0x303}, {0x12A,0x49,0x304}, {0x12B,0x69,0x304}, {0x12C,0x49,0x306}, {0x12D,0x69,0x306},
    {0x12E,0x49,0x328}, {0x12F,0x69,0x328}, {0x130,0x49,0x307}, {0x134,0x4A,0x302}, {0x135,0x6A,0x302},
    {0x136,0x4B,0x327}, {0x137,0x6B,0x327}, {0x139,0x4C,0x301}, {0x13A,0x6C,0x301}, {0x13B,0x4C,0x327},
    {0x13C,0x6C,0x327}, {0x13D,0x4C,0x30C}, {0x13E,0x6C,0x30C}, {0x143,0x4E,0x301}, {0x144,0x6E,0x301},
    {0x145,0x4E,0x327}, {0x146,0x6E,0x327}, {0x147,0x4E,0x30C}, {0x148,0x6E,0x30C}, {0x14C,0x4F,0x304},
    {0x14D,0x6F,0x304}, {0x14E,0x4F,0x306}, {0x14F,0x6F,0x306}, {0x150,0x4F,0x30B}, {0x151,0x6F,0x30B},
    {0x154,0x52,0x301}, {0x155,0x72,0x301}, {0x156,0x52,0x327}, {0x157,0x72,0x327}, {0x158,0x52,0x30C},
    {0x159,0x72,0x30C}, {0x15A,0x53,0x301}, {0x15B,0x73,0x301}, {0x15C,0x53,0x302}, {0x15D,0x73,0x302},
    {0x15E,0x53,0x327}, {0x15F,0x73,0x327}, {0x160,0x53,0x30C}, {0x161,0x73,0x30C}, {0x162,0x54,0x327},
    {0x163,0x74,0x327}, {0x164,0x54,0x30C}, {0x165,0x74,0x30C}, {0x168,0x55,0x303}, {0x169,0x75,0x303},
    {0x16A,0x55,0x304}, {0x16B,0x75,0x304}, {0x16C,0x55,0x306}, {0x16D,0x75,0x306}, {0x16E,0x55,0x30A},
    {0x16F,0x75,0x30A}, {0x170,0x55,0x30B}, {0x171,0x75,0x30B}, {0x172,0x55,0x328}, {0x173,0x75,0x328},
    {0x174,0x57,0x302}, {0x175,0x77,0x302}, {0x176,0x59,0x302}, {0x177,0x79,0x302}, {0x178,0x59,0x308},
    {0x179,0x5A,0x301}, {0x17A,0x7A,0x301}, {0x17B,0x5A,0x307}, {0x17C,0x7A,0x307}, {0x17D,0x5A,0x30C},
    {0x17E,0x7A,0x30C}, {0x1A0,0x4F,0x31B}, {0x1A1,0x6F,0x31B}, {0x1AF,0x55,0x31B}, {0x1B0,0x75,0x31B},
    {0x1CD,0x41,0x30C}, {0x1CE,0x61,0x30C}, {0x1CF,0x49,0x30C}, {0x1D0,0x69,0x30C}, {0x1D1,0x4F,0x30C},
    {0x1D2,0x6F,0x30C}, {0x1D3,0x55,0x30C}, {0x1D4,0x75,0x30C}, {0x1D5,0xDC,0x304}, {0x1D6,0xFC,0x304},
    {0x1D7,0xDC,0x301}, {0x1D8,0xFC,0x301}, {0x1D9,0xDC,0x30C}, {0x1DA,0xFC,0x30C}, {0x1DB,0xDC,0x300},
    {0x1DC,0xFC,0x300}, {0x1DE,0xC4,0x304}, {0x1DF,0xE4,0x304}, {0x1E0,0x226,0x304}, {0x1E1,0x227,0x304},
    {0x1E2,0xC6,0x304}, {0x1E3,0xE6,0x304}, {0x1E6,0x47,0x30C}, {0x1E7,0x67,0x30C}, {0x1E8,0x4B,0x30C},
    {0x1E9,0x6B,0x30C}, {0x1EA,0x4F,0x328}, {0x1EB,0x6F,0x328}, {0x1EC,0x1EA,0x304}, {0x1ED,0x1EB,0x304},
    {0x1EE,0x1B7,0x30C}, {0x1EF,0x292,0x30C}, {0x1F0,0x6A,0x30C}, {0x1F4,0x47,0x301}, {0x1F5,0x67,0x301},
    {0x1F8,0x4E,0x300}, {0x1F9,0x6E,0x300}, {0x1FA,0xC5,0x301}, {0x1FB,0xE5,0x301}, {0x1FC,0xC6,0x301},
    {0x1FD,0xE6,0x301}, {0x1FE,0xD8,0x301}, {0x1FF,0xF8,0x301}, {0x200,0x41,0x30F}, {0x201,0x61,0x30F},
    {0x202,0x41,0x311}, {0x203,0x61,0x311}, {0x204,0x45,0x30F}, {0x205,0x65,0x30F}, {0x206,0x45,0x311},
    {0x207,0x65,0x311}, {0x208,0x49,0x30F}, {0x209,0x69,0x30F}, {0x20A,0x49,0x311}, {0x20B,0x69,0x311},
    {0x20C,0x4F,0x30F}, {0x20D,0x6F,0x30F}, {0x20E,0x4F,0x311}, {0x20F,0x6F,0x311}, {0x210,0x52,0x30F},
    {0x211,0x72,0x30F}, {0x212,0x52,0x311}, {0x213,0x72,0x311}, {0x214,0x55,0x30F}, {0x215,0x75,0x30F},
    {0x216,0x55,0x311}, {0x217,0x75,0x311}, {0x218,0x53,0x326}, {0x219,0x73,0x326}, {0x21A,0x54,0x326},
    {0x21B,0x74,0x326}, {0x21E,0x48,0x30C}, {0x21F,0x68,0x30C}, {0x226,0x41,0x307}, {0x227,0x61,0x307},
    {0x228,0x45,0x327}, {0x229,0x65,0x327}, {0x22A,0xD6,0x304}, {0x22B,0xF6,0x304}, {0x22C,0xD5,0x304},
    {0x22D,0xF5,0x304}, {0x22E,0x4F,0x307}, {0x22F,0x6F,0x307}, {0x230,0x22E,0x304}, {0x231,0x22F,0x304},
    {0x232,0x59,0x304}, {0x233,0x79,0x304}, {0x340,0x300,0x0}, {0x341,0x301,0x0}, {0x343,0x313,0x0},
    {0x344,0x308,0x301}, {0x374,0x2B9,0x0}, {0x37E,0x3B,0x0}, {0x385,0xA8,0x301}, {0x386,0x391,0x301},
    {0x387,0xB7,0x0}, {0x388,0x395,0x301}, {0x389,0x397,0x301}, {0x38A,0x399,0x301}, {0x38C,0x39F,0x301},
    {0x38E,0x3A5,0x301}, {0x38F,0x3A9,0x301}, {0x390,0x3CA,0x301}, {0x3AA,0x399,0x308}, {0x3AB,0x3A5,0x308},
    {0x3AC,0x3B1,0x301}, {0x3AD,0x3B5,0x301}, {0x3AE,0x3B7,0x301}, {0x3AF,0x3B9,0x301}, {0x3B0,0x3CB,0x301},
    {0x3CA,0x3B9,0x308}, {0x3CB,0x3C5,0x308}, {0x3CC,0x3BF,0x301}, {0x3CD,0x3C5,0x301}, {0x3CE,0x3C9,0x301},
    {0x3D3,0x3D2,0x301}, {0x3D4,0x3D2,0x308}, {0x400,0x415,0x300}, {0x401,0x415,0x308}, {0x403,0x413,0x301},
    {0x407,0x406,0x308}, {0x40C,0x41A,0x301}, {0x40D,0x418,0x300}, {0x40E,0x423,0x306}, {0x419,0x418,0x306},
    {0x439,0x438,0x306}, {0x450,0x435,0x300}, {0x451,0x435,0x308}, {0x453,0x433,0x301}, {0x457,0x456,0x308},
    {0x45C,0x43A,0x301}, {0x45D,0x438,0x300}, {0x45E,0x443,0x306}, {0x476,0x474,0x30F}, {0x477,0x475,0x30F},
    {0x4C1,0x416,0x306}, {0x4C2,0x436,0x306}, {0x4D0,0x410,0x306}, {0x4D1,0x430,0x306}, {0x4D2,0x410,0x308},
    {0x4D3,0x430,0x308}, {0x4D6,0x415,0x306}, {0x4D7,0x435,0x306}, {0x4DA,0x4D8,0x308}, {0x4DB,0x4D9,0x308},
    {0x4DC,0x416,0x308}, {0x4DD,0x436,0x308}, {0x4DE,0x417,0x308}, {0x4DF,0x437,0x308}, {0x4E2,0x418,0x304},
    {0x4E3,0x438,0x304}, {0x4E4,0x418,0x308}, {0x4E5,0x438,0x308}, {0x4E6,0x41E,0x308}, {0x4E7,0x43E,0x308},
    {0x4EA,0x4E8,0x308}, {0x4EB,0x4E9,0x308}, {0x4EC,0x42D,0x308}, {0x4ED,0x44D,0x308}, {0x4EE,0x423,0x304},
    {0x4EF,0x443,0x304}, {0x4F0,0x423,0x308}, {0x4F1,0x443,0x308}, {0x4F2,0x423,0x30B}, {0x4F3,0x443,0x30B},
    {0x4F4,0x427,0x308}, {0x4F5,0x447,0x308}, {0x4F8,0x42B,0x308}, {0x4F9,0x44B,0x308}, {0x622,0x627,0x653},
    {0x623,0x627,0x654}, {0x624,0x648,0x654}, {0x625,0x627,0x655}, {0x626,0x64A,0x654}, {0x6C0,0x6D5,0x654},
    {0x6C2,0x6C1,0x654}, {0x6D3,0x6D2,0x654}, {0x929,0x928,0x93C}, {0x931,0x930,0x93C}, {0x934,0x933,0x93C},
    {0x958,0x915,0x93C}, {0x959,0x916,0x93C}, {0x95A,0x917,0x93C}, {0x95B,0x91C,0x93C}, {0x95C,0x921,0x93C},
    {0x95D,0x922,0x93C}, {0x95E,0x92B,0x93C}, {0x95F,0x92F,0x93C}, {0x9CB,0x9C7,0x9BE}, {0x9CC,0x9C7,0x9D7},
    {0x9DC,0x9A1,0x9BC}, {0x9DD,0x9A2,0x9BC}, {0x9DF,0x9AF,0x9BC}, {0xA33,0xA32,0xA3C}, {0xA36,0xA38,0xA3C},
    {0xA59,0xA16,0xA3C}, {0xA5A,0xA17,0xA3C}, {0xA5B,0xA1C,0xA3C}, {0xA5E,0xA2B,0xA3C}, {0xB48,0xB47,0xB56},
    {0xB4B,0xB47,0xB3E}, {0xB4C,0xB47,0xB57}, {0xB5C,0xB21,0xB3C}, {0xB5D,0xB22,0xB3C}, {0xB94,0xB92,0xBD7},
    {0xBCA,0xBC6,0xBBE}, {0xBCB,0xBC7,0xBBE}, {0xBCC,0xBC6,0xBD7}, {0xC48,0xC46,0xC56}, {0xCC0,0xCBF,0xCD5},
    {0xCC7,0xCC6,0xCD5}, {0xCC8,0xCC6,0xCD6}, {0xCCA,0xCC6,0xCC2}, {0xCCB,0xCCA,0xCD5}, {0xD4A,0xD46,0xD3E},
    {0xD4B,0xD47,0xD3E}, {0xD4C,0xD46,0xD57}, {0xDDA,0xDD9,0xDCA}, {0xDDC,0xDD9,0xDCF}, {0xDDD,0xDDC,0xDCA},
    {0xDDE,0xDD9,0xDDF}, {0xF43,0xF42,0xFB7}, {0xF4D,0xF4C,0xFB7}, {0xF52,0xF51,0xFB7}, {0xF57,0xF56,0xFB7},
    {0xF5C,0xF5B,0xFB7}, {0xF69,0xF40,0xFB5}, {0xF73,0xF71,0xF72}, {0xF75,0xF71,0xF74}, {0xF76,0xFB2,0xF80},
    {0xF78,0xFB3,0xF80}, {0xF81,0xF71,0xF80}, {0xF93,0xF92,0xFB7}, {0xF9D,0xF9C,0xFB7}, {0xFA2,0xFA1,0xFB7},
    {0xFA7,0xFA6,0xFB7}, {0xFAC,0xFAB,0xFB7}, {0xFB9,0xF90,0xFB5}, {0x1026,0x1025,0x102E}, {0x1B06,0x1B05,0x1B35},
    {0x1B08,0x1B07,0x1B35}, {0x1B0A,0x1B09,0x1B35}, {0x1B0C,0x1B0B,0x1B35}, {0x1B0E,0x1B0D,0x1B35}, {0x1B12,0x1B11,0x1B35},
    {0x1B3B,0x1B3A,0x1B35}, {0x1B3D,0x1B3C,0x1B35}, {0x1B40,0x1B3E,0x1B35}, {0x1B41,0x1B3F,0x1B35}, {0x1B43,0x1B42,0x1B35},
    {0x1E00,0x41,0x325}, {0x1E01,0x61,0x325}, {0x1E02,0x42,0x307}, {0x1E03,0x62,0x307}, {0x1E04,0x42,0x323},
    {0x1E05,0x62,0x323}, {0x1E06,0x42,0x331}, {0x1E07,0x62,0x331}, {0x1E08,0xC7,0x301}, {0x1E09,0xE7,0x301},
    {0x1E0A,0x44,0x307}, {0x1E0B,0x64,0x307}, {0x1E0C,0x44,0x323}, {0x1E0D,0x64,0x323}, {0x1E0E,0x44,0x331},
    {0x1E0F,0x64,0x331}, {0x1E10,0x44,0x327}, {0x1E11,0x64,0x327}, {0x1E12,0x44,0x32D}, {0x1E13,0x64,0x32D},
    {0x1E14,0x112,0x300}, {0x1E15,0x113,0x300}, {0x1E16,0x112,0x301}, {0x1E17,0x113,0x301}, {0x1E18,0x45,0x32D},
    {0x1E19,0x65,0x32D}, {0x1E1A,0x45,0x330}, {0x1E1B,0x65,0x330}, {0x1E1C,0x228,0x306}, {0x1E1D,0x229,0x306},
    {0x1E1E,0x46,0x307}, {0x1E1F,0x66,0x307}, {0x1E20,0x47,0x304}, {0x1E21,0x67,0x304}, {0x1E22,0x48,0x307},
    {0x1E23,0x68,0x307}, {0x1E24,0x48,0x323}, {0x1E25,0x68,0x323}, {0x1E26,0x48,0x308}, {0x1E27,0x68,0x308},
    {0x1E28,0x48,0x327}, {0x1E29,0x68,0x327}, {0x1E2A,0x48,0x32E}, {0x1E2B,0x68,0x32E}, {0x1E2C,0x49,0x330},
    {0x1E2D,0x69,0x330}, {0x1E2E,0xCF,0x301}, {0x1E2F,0xEF,0x301}, {0x1E30,0x4B,0x301}, {0x1E31,0x6B,0x301},
    {0x1E32,0x4B,0x323}, {0x1E33,0x6B,0x323}, {0x1E34,0x4B,0x331}, {0x1E35,0x6B,0x331}, {0x1E36,0x4C,0x323},
    {0x1E37,0x6C,0x323}, {0x1E38,0x1E36,0x304}, {0x1E39,0x1E37,0x304}, {0x1E3A,0x4C,0x331}, {0x1E3B,0x6C,0x331},
    {0x1E3C,0x4C,0x32D}, {0x1E3D,0x6C,0x32D}, {0x1E3E,0x4D,0x301}, {0x1E3F,0x6D,0x301}, {0x1E40,0x4D,0x307},
    {0x1E41,0x6D,0x307}, {0x1E42,0x4D,0x323}, {0x1E43,0x6D,0x323}, {0x1E44,0x4E,0x307}, {0x1E45,0x6E,0x307},
    {0x1E46,0x4E,0x323}, {0x1E47,0x6E,0x323}, {0x1E48,0x4E,0x331}, {0x1E49,0x6E,0x331}, {0x1E4A,0x4E,0x32D},
    {0x1E4B,0x6E,0x32D}, {0x1E4C,0xD5,0x301}, {0x1E4D,0xF5,0x301}, {0x1E4E,0xD5,0x308}, {0x1E4F,0xF5,0x308},
    {0x1E50,0x14C,0x300}, {0x1E51,0x14D,0x300}, {0x1E52,0x14C,0x301}, {0x1E53,0x14D,0x301}, {0x1E54,0x50,0x301},
    {0x1E55,0x70,0x301}, {0x1E56,0x50,0x307}, {0x1E57,0x70,0x307}, {0x1E58,0x52,0x307}, {0x1E59,0x72,0x307},
    {0x1E5A,0x52,0x323}, {0x1E5B,0x72,0x323}, {0x1E5C,0x1E5A,0x304}, {0x1E5D,0x1E5B,0x304}, {0x1E5E,0x52,0x331},
    {0x1E5F,0x72,0x331}, {0x1E60,0x53,0x307}, {0x1E61,0x73,0x307}, {0x1E62,0x53,0x323}, {0x1E63,0x73,0x323},
    {0x1E64,0x15A,0x307}, {0x1E65,0x15B,0x307}, {0x1E66,0x160,0x307}, {0x1E67,0x161,0x307}, {0x1E68,0x1E62,0x307},
    {0x1E69,0x1E63,0x307}, {0x1E6A,0x54,0x307}, {0x1E6B,0x74,0x307}, {0x1E6C,0x54,0x323}, {0x1E6D,0x74,0x323},
    {0x1E6E,0x54,0x331}, {0x1E6F,0x74,0x331}, {0x1E70,0x54,0x32D}, {0x1E71,0x74,0x32D}, {0x1E72,0x55,0x324},
    {0x1E73,0x75,0x324}, {0x1E74,0x55,0x330}, {0x1E75,0x75,0x330}, {0x1E76,0x55,0x32D}, {0x1E77,0x75,0x32D},
    {0x1E78,0x168,0x301}, {0x1E79,0x169,0x301}, {0x1E7A,0x16A,0x308}, {0x1E7B,0x16B,0x308}, {0x1E7C,0x56,0x303},
    {0x1E7D,0x76,0x303}, {0x1E7E,0x56,0x323}, {0x1E7F,0x76,0x323}, {0x1E80,0x57,0x300}, {0x1E81,0x77,0x300},
    {0x1E82,0x57,0x301}, {0x1E83,0x77,0x301}, {0x1E84,0x57,0x308}, {0x1E85,0x77,0x308}, {0x1E86,0x57,0x307},
    {0x1E87,0x77,0x307}, {0x1E88,0x57,0x323}, {0x1E89,0x77,0x323}, {0x1E8A,0x58,0x307}, {0x1E8B,0x78,0x307},
    {0x1E8C,0x58,0x308}, {0x1E8D,0x78,0x308}, {0x1E8E,0x59,0x307}, {0x1E8F,0x79,0x307}, {0x1E90,0x5A,0x302},
    {0x1E91,0x7A,0x302}, {0x1E92,0x5A,0x323}, {0x1E93,0x7A,0x323}, {0x1E94,0x5A,0x331}, {0x1E95,0x7A,0x331},
    {0x1E96,0x68,0x331}, {0x1E97,0x74,0x308}, {0x1E98,0x77,0x30A}, {0x1E99,0x79,0x30A}, {0x1E9B,0x17F,0x307},
    {0x1EA0,0x41,0x323}, {0x1EA1,0x61,0x323}, {0x1EA2,0x41,0x309}, {0x1EA3,0x61,0x309}, {0x1EA4,0xC2,0x301},
    {0x1EA5,0xE2,0x301}, {0x1EA6,0xC2,0x300}, {0x1EA7,0xE2,0x300}, {0x1EA8,0xC2,0x309}, {0x1EA9,0xE2,0x309},
    {0x1EAA,0xC2,0x303}, {0x1EAB,0xE2,0x303}, {0x1EAC,0x1EA0,0x302}, {0x1EAD,0x1EA1,0x302}, {0x1EAE,0x102,0x301},
    {0x1EAF,0x103,0x301}, {0x1EB0,0x102,0x300}, {0x1EB1,0x103,0x300}, {0x1EB2,0x102,0x309}, {0x1EB3,0x103,0x309},
    {0x1EB4,0x102,0x303}, {0x1EB5,0x103,0x303}, {0x1EB6,0x1EA0,0x306}, {0x1EB7,0x1EA1,0x306}, {0x1EB8,0x45,0x323},
    {0x1EB9,0x65,0x323}, {0x1EBA,0x45,0x309}, {0x1EBB,0x65,0x309}, {0x1EBC,0x45,0x303}, {0x1EBD,0x65,0x303},
    {0x1EBE,0xCA,0x301}, {0x1EBF,0xEA,0x301}, {0x1EC0,0xCA,0x300}, {0x1EC1,0xEA,0x300}, {0x1EC2,0xCA,0x309},
    {0x1EC3,0xEA,0x309}, {0x1EC4,0xCA,0x303}, {0x1EC5,0xEA,0x303}, {0x1EC6,0x1EB8,0x302}, {0x1EC7,0x1EB9,0x302},
    {0x1EC8,0x49,0x309}, {0x1EC9,0x69,0x309}, {0x1ECA,0x49,0x323}, {0x1ECB,0x69,0x323}, {0x1ECC,0x4F,0x323},
    {0x1ECD,0x6F,0x323}, {0x1ECE,0x4F,0x309}, {0x1ECF,0x6F,0x309}, {0x1ED0,0xD4,0x301}, {0x1ED1,0xF4,0x301},
    {0x1ED2,0xD4,0x300}, {0x1ED3,0xF4,0x300}, {0x1ED4,0xD4,0x309}, {0x1ED5,0xF4,0x309}, {0x1ED6,0xD4,0x303},
    {0x1ED7,0xF4,0x303}, {0x1ED8,0x1ECC,0x302}, {0x1ED9,0x1ECD,0x302}, {0x1EDA,0x1A0,0x301}, {0x1EDB,0x1A1,0x301},
    {0x1EDC,0x1A0,0x300}, {0x1EDD,0x1A1,0x300}, {0x1EDE,0x1A0,0x309}, {0x1EDF,0x1A1,0x309}, {0x1EE0,0x1A0,0x303},
    {0x1EE1,0x1A1,0x303}, {0x1EE2,0x1A0,0x323}, {0x1EE3,0x1A1,0x323}, {0x1EE4,0x55,0x323}, {0x1EE5,0x75,0x323},
    {0x1EE6,0x55,0x309}, {0x1EE7,0x75,0x309}, {0x1EE8,0x1AF,0x301}, {0x1EE9,0x1B0,0x301}, {0x1EEA,0x1AF,0x300},
    {0x1EEB,0x1B0,0x300}, {0x1EEC,0x1AF,0x309}, {0x1EED,0x1B0,0x309}, {0x1EEE,0x1AF,0x303}, {0x1EEF,0x1B0,0x303},
    {0x1EF0,0x1AF,0x323}, {0x1EF1,0x1B0,0x323}, {0x1EF2,0x59,0x300}, {0x1EF3,0x79,0x300}, {0x1EF4,0x59,0x323},
    {0x1EF5,0x79,0x323}, {0x1EF6,0x59,0x309}, {0x1EF7,0x79,0x309}, {0x1EF8,0x59,0x303}, {0x1EF9,0x79,0x303},
    {0x1F00,0x3B1,0x313}, {0x1F01,0x3B1,0x314}, {0x1F02,0x1F00,0x300}, {0x1F03,0x1F01,0x300}, {0x1F04,0x1F00,0x301},
    {0x1F05,0x1F01,0x301}, {0x1F06,0x1F00,0x342}, {0x1F07,0x1F01,0x342}, {0x1F08,0x391,0x313}, {0x1F09,0x391,0x314},
    {0x1F0A,0x1F08,0x300}, {0x1F0B,0x1F09,0x300}, {0x1F0C,0x1F08,0x301}, {0x1F0D,0x1F09,0x301}, {0x1F0E,0x1F08,0x342},
    {0x1F0F,0x1F09,0x342}, {0x1F10,0x3B5,0x313}, {0x1F11,0x3B5,0x314}, {0x1F12,0x1F10,0x300}, {0x1F13,0x1F11,0x300},
    {0x1F14,0x1F10,0x301}, {0x1F15,0x1F11,0x301}, {0x1F18,0x395,0x313}, {0x1F19,0x395,0x314}, {0x1F1A,0x1F18,0x300},
    {0x1F1B,0x1F19,0x300}, {0x1F1C,0x1F18,0x301}, {0x1F1D,0x1F19,0x301}, {0x1F20,0x3B7,0x313}, {0x1F21,0x3B7,0x314},
    {0x1F22,0x1F20,0x300}, {0x1F23,0x1F21,0x300}, {0x1F24,0x1F20,0x301}, {0x1F25,0x1F21,0x301}, {0x1F26,0x1F20,0x342},
    {0x1F27,0x1F21,0x342}, {0x1F28,0x397,0x313}, {0x1F29,0x397,0x314}, {0x1F2A,0x1F28,0x300}, {0x1F2B,0x1F29,0x300},
    {0x1F2C,0x1F28,0x301}, {0x1F2D,0x1F29,0x301}, {0x1F2E,0x1F28,0x342}, {0x1F2F,0x1F29,0x342}, {0x1F30,0x3B9,0x313},
    {0x1F31,0x3B9,0x314}, {0x1F32,0x1F30,0x300}, {0x1F33,0x1F31,0x300}, {0x1F34,0x1F30,0x301}, {0x1F35,0x1F31,0x301},
    {0x1F36,0x1F30,0x342}, {0x1F37,0x1F31,0x342}, {0x1F38,0x399,0x313}, {0x1F39,0x399,0x314}, {0x1F3A,0x1F38,0x300},
    {0x1F3B,0x1F39,0x300}, {0x1F3C,0x1F38,0x301}, {0x1F3D,0x1F39,0x301}, {0x1F3E,0x1F38,0x342}, {0x1F3F,0x1F39,0x342},
    {0x1F40,0x3BF,0x313}, {0x1F41,0x3BF,0x314}, {0x1F42,0x1F40,0x300}, {0x1F43,0x1F41,0x300}, {0x1F44,0x1F40,0x301},
    {0x1F45,0x1F41,0x301}, {0x1F48,0x39F,0x313}, {0x1F49,0x39F,0x314}, {0x1F4A,0x1F48,0x300}, {0x1F4B,0x1F49,0x300},
    {0x1F4C,0x1F48,0x301}, {0x1F4D,0x1F49,0x301}, {0x1F50,0x3C5,0x313}, {0x1F51,0x3C5,0x314}, {0x1F52,0x1F50,0x300},
    {0x1F53,0x1F51,0x300}, {0x1F54,0x1F50,0x301}, {0x1F55,0x1F51,0x301}, {0x1F56,0x1F50,0x342}, {0x1F57,0x1F51,0x342},
    {0x1F59,0x3A5,0x314}, {0x1F5B,0x1F59,0x300}, {0x1F5D,0x1F59,0x301}, {0x1F5F,0x1F59,0x342}, {0x1F60,0x3C9,0x313},
    {0x1F61,0x3C9,0x314}, {0x1F62,0x1F60,0x300}, {0x1F63,0x1F61,0x300}, {0x1F64,0x1F60,0x301}, {0x1F65,0x1F61,0x301},
    {0x1F66,0x1F60,0x342}, {0x1F67,0x1F61,0x342}, {0x1F68,0x3A9,0x313}, {0x1F69,0x3A9,0x314}, {0x1F6A,0x1F68,0x300},
    {0x1F6B,0x1F69,0x300}, {0x1F6C,0x1F68,0x301}, {0x1F6D,0x1F69,0x301}, {0x1F6E,0x1F68,0x342}, {0x1F6F,0x1F69,0x342},
    {0x1F70,0x3B1,0x300}, {0x1F71,0x3AC,0x0}, {0x1F72,0x3B5,0x300}, {0x1F73,0x3AD,0x0}, {0x1F74,0x3B7,0x300},
    {0x1F75,0x3AE,0x0}, {0x1F76,0x3B9,0x300}, {0x1F77,0x3AF,0x0}, {0x1F78,0x3BF,0x300}, {0x1F79,0x3CC,0x0},
    {0x1F7A,0x3C5,0x300}, {0x1F7B,0x3CD,0x0}, {0x1F7C,0x3C9,0x300}, {0x1F7D,0x3CE,0x0}, {0x1F80,0x1F00,0x345},
    {0x1F81,0x1F01,0x345}, {0x1F82,0x1F02,0x345}, {0x1F83,0x1F03,0x345}, {0x1F84,0x1F04,0x345}, {0x1F85,0x1F05,0x345},
    {0x1F86,0x1F06,0x345}, {0x1F87,0x1F07,0x345}, {0x1F88,0x1F08,0x345}, {0x1F89,0x1F09,0x345}, {0x1F8A,0x1F0A,0x345},
    {0x1F8B,0x1F0B,0x345}, {0x1F8C,0x1F0C,0x345}, {0x1F8D,0x1F0D,0x345}, {0x1F8E,0x1F0E,0x345}, {0x1F8F,0x1F0F,0x345},
    {0x1F90,0x1F20,0x345}, {0x1F91,0x1F21,0x345}, {0x1F92,0x1F22,0x345}, {0x1F93,0x1F23,0x345}, {0x1F94,0x1F24,0x345},
    {0x1F95,0x1F25,0x345}, {0x1F96,0x1F26,0x345}, {0x1F97,0x1F27,0x345}, {0x1F98,0x1F28,0x345}, {0x1F99,0x1F29,0x345},
    {0x1F9A,0x1F2A,0x345}, {0x1F9B,0x1F2B,0x345}, {0x1F9C,0x1F2C,0x345}, {0x1F9D,0x1F2D,0x345}, {0x1F9E,0x1F2E,0x345},
    {0x1F9F,0x1F2F,0x345}, {0x1FA0,0x1F60,0x345}, {0x1FA1,0x1F61,0x345}, {0x1FA2,0x1F62,0x345}, {0x1FA3,0x1F63,0x345},
    {0x1FA4,0x1F64,0x345}, {0x1FA5,0x1F65,0x345}, {0x1FA6,0x1F66,0x345}, {0x1FA7,0x1F67,0x345}, {0x1FA8,0x1F68,0x345},
    {0x1FA9,0x1F69,0x345}, {0x1FAA,0x1F6A,0x345}, {0x1FAB,0x1F6B,0x345}, {0x1FAC,0x1F6C,0x345}, {0x1FAD,0x1F6D,0x345},
    {0x1FAE,0x1F6E,0x345}, {0x1FAF,0x1F6F,0x345}, {0x1FB0,0x3B1,0x306}, {0x1FB1,0x3B1,0x304}, {0x1FB2,0x1F70,0x345},
    {0x1FB3,0x3B1,0x345}, {0x1FB4,0x3AC,0x345}, {0x1FB6,0x3B1,0x342}, {0x1FB7,0x1FB6,0x345}, {0x1FB8,0x391,0x306},
    {0x1FB9,0x391,0x304}, {0x1FBA,0x391,0x300}, {0x1FBB,0x386,0x0}, {0x1FBC,0x391,0x345}, {0x1FBE,0x3B9,0x0},
    {0x1FC1,0xA8,0x342}, {0x1FC2,0x1F74,0x345}, {0x1FC3,0x3B7,0x345}, {0x1FC4,0x3AE,0x345}, {0x1FC6,0x3B7,0x342},
    {0x1FC7,0x1FC6,0x345}, {0x1FC8,0x395,0x300}, {0x1FC9,0x388,0x0}, {0x1FCA,0x397,0x300}, {0x1FCB,0x389,0x0},
    {0x1FCC,0x397,0x345}, {0x1FCD,0x1FBF,0x300}, {0x1FCE,0x1FBF,0x301}, {0x1FCF,0x1FBF,0x342}, {0x1FD0,0x3B9,0x306},
    {0x1FD1,0x3B9,0x304}, {0x1FD2,0x3CA,0x300}, {0x1FD3,0x390,0x0}, {0x1FD6,0x3B9,0x342}, {0x1FD7,0x3CA,0x342},
    {0x1FD8,0x399,0x306}, {0x1FD9,0x399,0x304}, {0x1FDA,0x399,0x300}, {0x1FDB,0x38A,0x0}, {0x1FDD,0x1FFE,0x300},
    {0x1FDE,0x1FFE,0x301}, {0x1FDF,0x1FFE,0x342}, {0x1FE0,0x3C5,0x306}, {0x1FE1,0x3C5,0x304}, {0x1FE2,0x3CB,0x300},
    {0x1FE3,0x3B0,0x0}, {0x1FE4,0x3C1,0x313}, {0x1FE5,0x3C1,0x314}, {0x1FE6,0x3C5,0x342}, {0x1FE7,0x3CB,0x342},
    {0x1FE8,0x3A5,0x306}, {0x1FE9,0x3A5,0x304}, {0x1FEA,0x3A5,0x300}, {0x1FEB,0x38E,0x0}, {0x1FEC,0x3A1,0x314},
    {0x1FED,0xA8,0x300}, {0x1FEE,0x385,0x0}, {0x1FEF,0x60,0x0}, {0x1FF2,0x1F7C,0x345}, {0x1FF3,0x3C9,0x345},
    {0x1FF4,0x3CE,0x345}, {0x1FF6,0x3C9,0x342}, {0x1FF7,0x1FF6,0x345}, {0x1FF8,0x39F,0x300}, {0x1FF9,0x38C,0x0},
    {0x1FFA,0x3A9,0x300}, {0x1FFB,0x38F,0x0}, {0x1FFC,0x3A9,0x345}, {0x1FFD,0xB4,0x0}, {0x2000,0x2002,0x0},
    {0x2001,0x2003,0x0}, {0x2126,0x3A9,0x0}, {0x212A,0x4B,0x0}, {0x212B,0xC5,0x0}, {0x219A,0x2190,0x338},
    {0x219B,0x2192,0x338}, {0x21AE,0x2194,0x338}, {0x21CD,0x21D0,0x338}, {0x21CE,0x21D4,0x338}, {0x21CF,0x21D2,0x338},
    {0x2204,0x2203,0x338}, {0x2209,0x2208,0x338}, {0x220C,0x220B,0x338}, {0x2224,0x2223,0x338}, {0x2226,0x2225,0x338},
    {0x2241,0x223C,0x338}, {0x2244,0x2243,0x338}, {0x2247,0x2245,0x338}, {0x2249,0x2248,0x338}, {0x2260,0x3D,0x338},
    {0x2262,0x2261,0x338}, {0x226D,0x224D,0x338}, {0x226E,0x3C,0x338}, {0x226F,0x3E,0x338}, {0x2270,0x2264,0x338},
    {0x2271,0x2265,0x338}, {0x2274,0x2272,0x338}, {0x2275,0x2273,0x338}, {0x2278,0x2276,0x338}, {0x2279,0x2277,0x338},
    {0x2280,0x227A,0x338}, {0x2281,0x227B,0x338}, {0x2284,0x2282,0x338}, {0x2285,0x2283,0x338}, {0x2288,0x2286,0x338},
    {0x2289,0x2287,0x338}, {0x22AC,0x22A2,0x338}, {0x22AD,0x22A8,0x338}, {0x22AE,0x22A9,0x338}, {0x22AF,0x22AB,0x338},
    {0x22E0,0x227C,0x338}, {0x22E1,0x227D,0x338}, {0x22E2,0x2291,0x338}, {0x22E3,0x2292,0x338}, {0x22EA,0x22B2,0x338},
    {0x22EB,0x22B3,0x338}, {0x22EC,0x22B4,0x338}, {0x22ED,0x22B5,0x338}, {0x2329,0x3008,0x0}, {0x232A,0x3009,0x0},
    {0x2ADC,0x2ADD,0x338}, {0x304C,0x304B,0x3099}, {0x304E,0x304D,0x3099}, {0x3050,0x304F,0x3099}, {0x3052,0x3051,0x3099},
    {0x3054,0x3053,0x3099}, {0x3056,0x3055,0x3099}, {0x3058,0x3057,0x3099}, {0x305A,0x3059,0x3099}, {0x305C,0x305B,0x3099},
    {0x305E,0x305D,0x3099}, {0x3060,0x305F,0x3099}, {0x3062,0x3061,0x3099}, {0x3065,0x3064,0x3099}, {0x3067,0x3066,0x3099},
    {0x3069,0x3068,0x3099}, {0x3070,0x306F,0x3099}, {0x3071,0x306F,0x309A}, {0x3073,0x3072,0x3099}, {0x3074,0x3072,0x309A},
    {0x3076,0x3075,0x3099}, {0x3077,0x3075,0x309A}, {0x3079,0x3078,0x3099}, {0x307A,0x3078,0x309A}, {0x307C,0x307B,0x3099},
    {0x307D,0x307B,0x309A}, {0x3094,0x3046,0x3099}, {0x309E,0x309D,0x3099}, {0x30AC,0x30AB,0x3099}, {0x30AE,0x30AD,0x3099},
    {0x30B0,0x30AF,0x3099}, {0x30B2,0x30B1,0x3099}, {0x30B4,0x30B3,0x3099}, {0x30B6,0x30B5,0x3099}, {0x30B8,0x30B7,0x3099},
    {0x30BA,0x30B9,0x3099}, {0x30BC,0x30BB,0x3099}, {0x30BE,0x30BD,0x3099}, {0x30C0,0x30BF,0x3099}, {0x30C2,0x30C1,0x3099},
    {0x30C5,0x30C4,0x3099}, {0x30C7,0x30C6,0x3099}, {0x30C9,0x30C8,0x3099}, {0x30D0,0x30CF,0x3099}, {0x30D1,0x30CF,0x309A},
    {0x30D3,0x30D2,0x3099}, {0x30D4,0x30D2,0x309A}, {0x30D6,0x30D5,0x3099}, {0x30D7,0x30D5,0x309A}, {0x30D9,0x30D8,0x3099},
    {0x30DA,0x30D8,0x309A}, {0x30DC,0x30DB,0x3099}, {0x30DD,0x30DB,0x309A}, {0x30F4,0x30A6,0x3099}, {0x30F7,0x30EF,0x3099},
    {0x30F8,0x30F0,0x3099}, {0x30F9,0x30F1,0x3099}, {0x30FA,0x30F2,0x3099}, {0x30FE,0x30FD,0x3099}, {0xF900,0x8C48,0x0},
    {0xF901,0x66F4,0x0}, {0xF902,0x8ECA,0x0}, {0xF903,0x8CC8,0x0}, {0xF904,0x6ED1,0x0}, {0xF905,0x4E32,0x0},
    {0xF906,0x53E5,0x0}, {0xF907,0x9F9C,0x0}, {0xF908,0x9F9C,0x0}, {0xF909,0x5951,0x0}, {0xF90A,0x91D1,0x0},
    {0xF90B,0x5587,0x0}, {0xF90C,0x5948,0x0}, {0xF90D,0x61F6,0x0}, {0xF90E,0x7669,0x0}, {0xF90F,0x7F85,0x0},
    {0xF910,0x863F,0x0}, {0xF911,0x87BA,0x0}, {0xF912,0x88F8,0x0}, {0xF913,0x908F,0x0}, {0xF914,0x6A02,0x0},
    {0xF915,0x6D1B,0x0}, {0xF916,0x70D9,0x0}, {0xF917,0x73DE,0x0}, {0xF918,0x843D,0x0}, {0xF919,0x916A,0x0},
    {0xF91A,0x99F1,0x0}, {0xF91B,0x4E82,0x0}, {0xF91C,0x5375,0x0}, {0xF91D,0x6B04,0x0}, {0xF91E,0x721B,0x0},
    {0xF91F,0x862D,0x0}, {0xF920,0x9E1E,0x0}, {0xF921,0x5D50,0x0}, {0xF922,0x6FEB,0x0}, {0xF923,0x85CD,0x0},
    {0xF924,0x8964,0x0}, {0xF925,0x62C9,0x0}, {0xF926,0x81D8,0x0}, {0xF927,0x881F,0x0}, {0xF928,0x5ECA,0x0},
    {0xF929,0x6717,0x0}, {0xF92A,0x6D6A,0x0}, {0xF92B,0x72FC,0x0}, {0xF92C,0x90CE,0x0}, {0xF92D,0x4F86,0x0},
    {0xF92E,0x51B7,0x0}, {0xF92F,0x52DE,0x0}, {0xF930,0x64C4,0x0}, {0xF931,0x6AD3,0x0}, {0xF932,0x7210,0x0},
    {0xF933,0x76E7,0x0}, {0xF934,0x8001,0x0}, {0xF935,0x8606,0x0}, {0xF936,0x865C,0x0}, {0xF937,0x8DEF,0x0},
    {0xF938,0x9732,0x0}, {0xF939,0x9B6F,0x0}, {0xF93A,0x9DFA,0x0}, {0xF93B,0x788C,0x0}, {0xF93C,0x797F,0x0},
    {0xF93D,0x7DA0,0x0}, {0xF93E,0x83C9,0x0}, {0xF93F,0x9304,0x0}, {0xF940,0x9E7F,0x0}, {0xF941,0x8AD6,0x0},
    {0xF942,0x58DF,0x0}, {0xF943,0x5F04,0x0}, {0xF944,0x7C60,0x0}, {0xF945,0x807E,0x0}, {0xF946,0x7262,0x0},
    {0xF947,0x78CA,0x0}, {0xF948,0x8CC2,0x0}, {0xF949,0x96F7,0x0}, {0xF94A,0x58D8,0x0}, {0xF94B,0x5C62,0x0},
    {0xF94C,0x6A13,0x0}, {0xF94D,0x6DDA,0x0}, {0xF94E,0x6F0F,0x0}, {0xF94F,0x7D2F,0x0}, {0xF950,0x7E37,0x0},
    {0xF951,0x964B,0x0}, {0xF952,0x52D2,0x0}, {0xF953,0x808B,0x0}, {0xF954,0x51DC,0x0}, {0xF955,0x51CC,0x0},
    {0xF956,0x7A1C,0x0}, {0xF957,0x7DBE,0x0}, {0xF958,0x83F1,0x0}, {0xF959,0x9675,0x0}, {0xF95A,0x8B80,0x0},
    {0xF95B,0x62CF,0x0}, {0xF95C,0x6A02,0x0}, {0xF95D,0x8AFE,0x0}, {0xF95E,0x4E39,0x0}, {0xF95F,0x5BE7,0x0},
    {0xF960,0x6012,0x0}, {0xF961,0x7387,0x0}, {0xF962,0x7570,0x0}, {0xF963,0x5317,0x0}, {0xF964,0x78FB,0x0},
    {0xF965,0x4FBF,0x0}, {0xF966,0x5FA9,0x0}, {0xF967,0x4E0D,0x0}, {0xF968,0x6CCC,0x0}, {0xF969,0x6578,0x0},
    {0xF96A,0x7D22,0x0}, {0xF96B,0x53C3,0x0}, {0xF96C,0x585E,0x0}, {0xF96D,0x7701,0x0}, {0xF96E,0x8449,0x0},
    {0xF96F,0x8AAA,0x0}, {0xF970,0x6BBA,0x0}, {0xF971,0x8FB0,0x0}, {0xF972,0x6C88,0x0}, {0xF973,0x62FE,0x0},
    {0xF974,0x82E5,0x0}, {0xF975,0x63A0,0x0}, {0xF976,0x7565,0x0}, {0xF977,0x4EAE,0x0}, {0xF978,0x5169,0x0},
    {0xF979,0x51C9,0x0}, {0xF97A,0x6881,0x0}, {0xF97B,0x7CE7,0x0}, {0xF97C,0x826F,0x0}, {0xF97D,0x8AD2,0x0},
    {0xF97E,0x91CF,0x0}, {0xF97F,0x52F5,0x0}, {0xF980,0x5442,0x0}, {0xF981,0x5973,0x0}, {0xF982,0x5EEC,0x0},
    {0xF983,0x65C5,0x0}, {0xF984,0x6FFE,0x0}, {0xF985,0x792A,0x0}, {0xF986,0x95AD,0x0}, {0xF987,0x9A6A,0x0},
    {0xF988,0x9E97,0x0}, {0xF989,0x9ECE,0x0}, {0xF98A,0x529B,0x0}, {0xF98B,0x66C6,0x0}, {0xF98C,0x6B77,0x0},
    {0xF98D,0x8F62,0x0}, {0xF98E,0x5E74,0x0}, {0xF98F,0x6190,0x0}, {0xF990,0x6200,0x0}, {0xF991,0x649A,0x0},
    {0xF992,0x6F23,0x0}, {0xF993,0x7149,0x0}, {0xF994,0x7489,0x0}, {0xF995,0x79CA,0x0}, {0xF996,0x7DF4,0x0},
    {0xF997,0x806F,0x0}, {0xF998,0x8F26,0x0}, {0xF999,0x84EE,0x0}, {0xF99A,0x9023,0x0}, {0xF99B,0x934A,0x0},
    {0xF99C,0x5217,0x0}, {0xF99D,0x52A3,0x0}, {0xF99E,0x54BD,0x0}, {0xF99F,0x70C8,0x0}, {0xF9A0,0x88C2,0x0},
    {0xF9A1,0x8AAA,0x0}, {0xF9A2,0x5EC9,0x0}, {0xF9A3,0x5FF5,0x0}, {0xF9A4,0x637B,0x0}, {0xF9A5,0x6BAE,0x0},
    {0xF9A6,0x7C3E,0x0}, {0xF9A7,0x7375,0x0}, {0xF9A8,0x4EE4,0x0}, {0xF9A9,0x56F9,0x0}, {0xF9AA,0x5BE7,0x0},
    {0xF9AB,0x5DBA,0x0}, {0xF9AC,0x601C,0x0}, {0xF9AD,0x73B2,0x0}, {0xF9AE,0x7469,0x0}, {0xF9AF,0x7F9A,0x0},
    {0xF9B0,0x8046,0x0}, {0xF9B1,0x9234,0x0}, {0xF9B2,0x96F6,0x0}, {0xF9B3,0x9748,0x0}, {0xF9B4,0x9818,0x0},
    {0xF9B5,0x4F8B,0x0}, {0xF9B6,0x79AE,0x0}, {0xF9B7,0x91B4,0x0}, {0xF9B8,0x96B8,0x0}, {0xF9B9,0x60E1,0x0},
    {0xF9BA,0x4E86,0x0}, {0xF9BB,0x50DA,0x0}, {0xF9BC,0x5BEE,0x0}, {0xF9BD,0x5C3F,0x0}, {0xF9BE,0x6599,0x0},
    {0xF9BF,0x6A02,0x0}, {0xF9C0,0x71CE,0x0}, {0xF9C1,0x7642,0x0}, {0xF9C2,0x84FC,0x0}, {0xF9C3,0x907C,0x0},
    {0xF9C4,0x9F8D,0x0}, {0xF9C5,0x6688,0x0}, {0xF9C6,0x962E,0x0}, {0xF9C7,0x5289,0x0}, {0xF9C8,0x677B,0x0},
    {0xF9C9,0x67F3,0x0}, {0xF9CA,0x6D41,0x0}, {0xF9CB,0x6E9C,0x0}, {0xF9CC,0x7409,0x0}, {0xF9CD,0x7559,0x0},
    {0xF9CE,0x786B,0x0}, {0xF9CF,0x7D10,0x0}, {0xF9D0,0x985E,0x0}, {0xF9D1,0x516D,0x0}, {0xF9D2,0x622E,0x0},
    {0xF9D3,0x9678,0x0}, {0xF9D4,0x502B,0x0}, {0xF9D5,0x5D19,0x0}, {0xF9D6,0x6DEA,0x0}, {0xF9D7,0x8F2A,0x0},
    {0xF9D8,0x5F8B,0x0}, {0xF9D9,0x6144,0x0}, {0xF9DA,0x6817,0x0}, {0xF9DB,0x7387,0x0}, {0xF9DC,0x9686,0x0},
    {0xF9DD,0x5229,0x0}, {0xF9DE,0x540F,0x0}, {0xF9DF,0x5C65,0x0}, {0xF9E0,0x6613,0x0}, {0xF9E1,0x674E,0x0},
    {0xF9E2,0x68A8,0x0}, {0xF9E3,0x6CE5,0x0}, {0xF9E4,0x7406,0x0}, {0xF9E5,0x75E2,0x0}, {0xF9E6,0x7F79,0x0},
    {0xF9E7,0x88CF,0x0}, {0xF9E8,0x88E1,0x0}, {0xF9E9,0x91CC,0x0}, {0xF9EA,0x96E2,0x0}, {0xF9EB,0x533F,0x0},
    {0xF9EC,0x6EBA,0x0}, {0xF9ED,0x541D,0x0}, {0xF9EE,0x71D0,0x0}, {0xF9EF,0x7498,0x0}, {0xF9F0,0x85FA,0x0},
    {0xF9F1,0x96A3,0x0}, {0xF9F2,0x9C57,0x0}, {0xF9F3,0x9E9F,0x0}, {0xF9F4,0x6797,0x0}, {0xF9F5,0x6DCB,0x0},
    {0xF9F6,0x81E8,0x0}, {0xF9F7,0x7ACB,0x0}, {0xF9F8,0x7B20,0x0}, {0xF9F9,0x7C92,0x0}, {0xF9FA,0x72C0,0x0},
    {0xF9FB,0x7099,0x0}, {0xF9FC,0x8B58,0x0}, {0xF9FD,0x4EC0,0x0}, {0xF9FE,0x8336,0x0}, {0xF9FF,0x523A,0x0},
    {0xFA00,0x5207,0x0}, {0xFA01,0x5EA6,0x0}, {0xFA02,0x62D3,0x0}, {0xFA03,0x7CD6,0x0}, {0xFA04,0x5B85,0x0},
    {0xFA05,0x6D1E,0x0}, {0xFA06,0x66B4,0x0}, {0xFA07,0x8F3B,0x0}, {0xFA08,0x884C,0x0}, {0xFA09,0x964D,0x0},
    {0xFA0A,0x898B,0x0}, {0xFA0B,0x5ED3,0x0}, {0xFA0C,0x5140,0x0}, {0xFA0D,0x55C0,0x0}, {0xFA10,0x585A,0x0},
    {0xFA12,0x6674,0x0}, {0xFA15,0x51DE,0x0}, {0xFA16,0x732A,0x0}, {0xFA17,0x76CA,0x0}, {0xFA18,0x793C,0x0},
    {0xFA19,0x795E,0x0}, {0xFA1A,0x7965,0x0}, {0xFA1B,0x798F,0x0}, {0xFA1C,0x9756,0x0}, {0xFA1D,0x7CBE,0x0},
    {0xFA1E,0x7FBD,0x0}, {0xFA20,0x8612,0x0}, {0xFA22,0x8AF8,0x0}, {0xFA25,0x9038,0x0}, {0xFA26,0x90FD,0x0},
    {0xFA2A,0x98EF,0x0}, {0xFA2B,0x98FC,0x0}, {0xFA2C,0x9928,0x0}, {0xFA2D,0x9DB4,0x0}, {0xFA2E,0x90DE,0x0},
    {0xFA2F,0x96B7,0x0}, {0xFA30,0x4FAE,0x0}, {0xFA31,0x50E7,0x0}, {0xFA32,0x514D,0x0}, {0xFA33,0x52C9,0x0},
    {0xFA34,0x52E4,0x0}, {0xFA35,0x5351,0x0}, {0xFA36,0x559D,0x0}, {0xFA37,0x5606,0x0}, {0xFA38,0x5668,0x0},
    {0xFA39,0x5840,0x0}, {0xFA3A,0x58A8,0x0}, {0xFA3B,0x5C64,0x0}, {0xFA3C,0x5C6E,0x0}, {0xFA3D,0x6094,0x0},
    {0xFA3E,0x6168,0x0}, {0xFA3F,0x618E,0x0}, {0xFA40,0x61F2,0x0}, {0xFA41,0x654F,0x0}, {0xFA42,0x65E2,0x0},
    {0xFA43,0x6691,0x0}, {0xFA44,0x6885,0x0}, {0xFA45,0x6D77,0x0}, {0xFA46,0x6E1A,0x0}, {0xFA47,0x6F22,0x0},
    {0xFA48,0x716E,0x0}, {0xFA49,0x722B,0x0}, {0xFA4A,0x7422,0x0}, {0xFA4B,0x7891,0x0}, {0xFA4C,0x793E,0x0},
    {0xFA4D,0x7949,0x0}, {0xFA4E,0x7948,0x0}, {0xFA4F,0x7950,0x0}, {0xFA50,0x7956,0x0}, {0xFA51,0x795D,0x0},
    {0xFA52,0x798D,0x0}, {0xFA53,0x798E,0x0}, {0xFA54,0x7A40,0x0}, {0xFA55,0x7A81,0x0}, {0xFA56,0x7BC0,0x0},
    {0xFA57,0x7DF4,0x0}, {0xFA58,0x7E09,0x0}, {0xFA59,0x7E41,0x0}, {0xFA5A,0x7F72,0x0}, {0xFA5B,0x8005,0x0},
    {0xFA5C,0x81ED,0x0}, {0xFA5D,0x8279,0x0}, {0xFA5E,0x8279,0x0}, {0xFA5F,0x8457,0x0}, {0xFA60,0x8910,0x0},
    {0xFA61,0x8996,0x0}, {0xFA62,0x8B01,0x0}, {0xFA63,0x8B39,0x0}, {0xFA64,0x8CD3,0x0}, {0xFA65,0x8D08,0x0},
    {0xFA66,0x8FB6,0x0}, {0xFA67,0x9038,0x0}, {0xFA68,0x96E3,0x0}, {0xFA69,0x97FF,0x0}, {0xFA6A,0x983B,0x0},
    {0xFA6B,0x6075,0x0}, {0xFA6C,0x242EE,0x0}, {0xFA6D,0x8218,0x0}, {0xFA70,0x4E26,0x0}, {0xFA71,0x51B5,0x0},
    {0xFA72,0x5168,0x0}, {0xFA73,0x4F80,0x0}, {0xFA74,0x5145,0x0}, {0xFA75,0x5180,0x0}, {0xFA76,0x52C7,0x0},
    {0xFA77,0x52FA,0x0}, {0xFA78,0x559D,0x0}, {0xFA79,0x5555,0x0}, {0xFA7A,0x5599,0x0}, {0xFA7B,0x55E2,0x0},
    {0xFA7C,0x585A,0x0}, {0xFA7D,0x58B3,0x0}, {0xFA7E,0x5944,0x0}, {0xFA7F,0x5954,0x0}, {0xFA80,0x5A62,0x0},
    {0xFA81,0x5B28,0x0}, {0xFA82,0x5ED2,0x0}, {0xFA83,0x5ED9,0x0}, {0xFA84,0x5F69,0x0}, {0xFA85,0x5FAD,0x0},
    {0xFA86,0x60D8,0x0}, {0xFA87,0x614E,0x0}, {0xFA88,0x6108,0x0}, {0xFA89,0x618E,0x0}, {0xFA8A,0x6160,0x0},
    {0xFA8B,0x61F2,0x0}, {0xFA8C,0x6234,0x0}, {0xFA8D,0x63C4,0x0}, {0xFA8E,0x641C,0x0}, {0xFA8F,0x6452,0x0},
    {0xFA90,0x6556,0x0}, {0xFA91,0x6674,0x0}, {0xFA92,0x6717,0x0}, {0xFA93,0x671B,0x0}, {0xFA94,0x6756,0x0},
    {0xFA95,0x6B79,0x0}, {0xFA96,0x6BBA,0x0}, {0xFA97,0x6D41,0x0}, {0xFA98,0x6EDB,0x0}, {0xFA99,0x6ECB,0x0},
    {0xFA9A,0x6F22,0x0}, {0xFA9B,0x701E,0x0}, {0xFA9C,0x716E,0x0}, {0xFA9D,0x77A7,0x0}, {0xFA9E,0x7235,0x0},
    {0xFA9F,0x72AF,0x0}, {0xFAA0,0x732A,0x0}, {0xFAA1,0x7471,0x0}, {0xFAA2,0x7506,0x0}, {0xFAA3,0x753B,0x0},
    {0xFAA4,0x761D,0x0}, {0xFAA5,0x761F,0x0}, {0xFAA6,0x76CA,0x0}, {0xFAA7,0x76DB,0x0}, {0xFAA8,0x76F4,0x0},
    {0xFAA9,0x774A,0x0}, {0xFAAA,0x7740,0x0}, {0xFAAB,0x78CC,0x0}, {0xFAAC,0x7AB1,0x0}, {0xFAAD,0x7BC0,0x0},
    {0xFAAE,0x7C7B,0x0}, {0xFAAF,0x7D5B,0x0}, {0xFAB0,0x7DF4,0x0}, {0xFAB1,0x7F3E,0x0}, {0xFAB2,0x8005,0x0},
    {0xFAB3,0x8352,0x0}, {0xFAB4,0x83EF,0x0}, {0xFAB5,0x8779,0x0}, {0xFAB6,0x8941,0x0}, {0xFAB7,0x8986,0x0},
    {0xFAB8,0x8996,0x0}, {0xFAB9,0x8ABF,0x0}, {0xFABA,0x8AF8,0x0}, {0xFABB,0x8ACB,0x0}, {0xFABC,0x8B01,0x0},
    {0xFABD,0x8AFE,0x0}, {0xFABE,0x8AED,0x0}, {0xFABF,0x8B39,0x0}, {0xFAC0,0x8B8A,0x0}, {0xFAC1,0x8D08,0x0},
    {0xFAC2,0x8F38,0x0}, {0xFAC3,0x9072,0x0}, {0xFAC4,0x9199,0x0}, {0xFAC5,0x9276,0x0}, {0xFAC6,0x967C,0x0},
    {0xFAC7,0x96E3,0x0}, {0xFAC8,0x9756,0x0}, {0xFAC9,0x97DB,0x0}, {0xFACA,0x97FF,0x0}, {0xFACB,0x980B,0x0},
    {0xFACC,0x983B,0x0}, {0xFACD,0x9B12,0x0}, {0xFACE,0x9F9C,0x0}, {0xFACF,0x2284A,0x0}, {0xFAD0,0x22844,0x0},
    {0xFAD1,0x233D5,0x0}, {0xFAD2,0x3B9D,0x0}, {0xFAD3,0x4018,0x0}, {0xFAD4,0x4039,0x0}, {0xFAD5,0x25249,0x0},
    {0xFAD6,0x25CD0,0x0}, {0xFAD7,0x27ED3,0x0}, {0xFAD8,0x9F43,0x0}, {0xFAD9,0x9F8E,0x0}, {0xFB1D,0x5D9,0x5B4},
    {0xFB1F,0x5F2,0x5B7}, {0xFB2A,0x5E9,0x5C1}, {0xFB2B,0x5E9,0x5C2}, {0xFB2C,0xFB49,0x5C1}, {0xFB2D,0xFB49,0x5C2},
    {0xFB2E,0x5D0,0x5B7}, {0xFB2F,0x5D0,0x5B8}, {0xFB30,0x5D0,0x5BC}, {0xFB31,0x5D1,0x5BC}, {0xFB32,0x5D2,0x5BC},
    {0xFB33,0x5D3,0x5BC}, {0xFB34,0x5D4,0x5BC}, {0xFB35,0x5D5,0x5BC}, {0xFB36,0x5D6,0x5BC}, {0xFB38,0x5D8,0x5BC},
    {0xFB39,0x5D9,0x5BC}, {0xFB3A,0x5DA,0x5BC}, {0xFB3B,0x5DB,0x5BC}, {0xFB3C,0x5DC,0x5BC}, {0xFB3E,0x5DE,0x5BC},
    {0xFB40,0x5E0,0x5BC}, {0xFB41,0x5E1,0x5BC}, {0xFB43,0x5E3,0x5BC}, {0xFB44,0x5E4,0x5BC}, {0xFB46,0x5E6,0x5BC},
    {0xFB47,0x5E7,0x5BC}, {0xFB48,0x5E8,0x5BC}, {0xFB49,0x5E9,0x5BC}, {0xFB4A,0x5EA,0x5BC}, {0xFB4B,0x5D5,0x5B9},
    {0xFB4C,0x5D1,0x5BF}, {0xFB4D,0x5DB,0x5BF}, {0xFB4E,0x5E4,0x5BF}, {0x1109A,0x11099,0x110BA}, {0x1109C,0x1109B,0x110BA},
    {0x110AB,0x110A5,0x110BA}, {0x1112E,0x11131,0x11127}, {0x1112F,0x11132,0x11127}, {0x1134B,0x11347,0x1133E}, {0x1134C,0x11347,0x11357},
    {0x114BB,0x114B9,0x114BA}, {0x114BC,0x114B9,0x114B0}, {0x114BE,0x114B9,0x114BD}, {0x115BA,0x115B8,0x115AF}, {0x115BB,0x115B9,0x115AF},
    {0x11938,0x11935,0x11930}, {0x1D15E,0x1D157,0x1D165}, {0x1D15F,0x1D158,0x1D165}, {0x1D160,0x1D15F,0x1D16E}, {0x1D161,0x1D15F,0x1D16F},
    {0x1D162,0x1D15F,0x1D170}, {0x1D163,0x1D15F,0x1D171}, {0x1D164,0x1D15F,0x1D172}, {0x1D1BB,0x1D1B9,0x1D165}, {0x1D1BC,0x1D1BA,0x1D165},
    {0x1D1BD,0x1D1BB,0x1D16E}, {0x1D1BE,0x1D1BC,0x1D16E}, {0x1D1BF,0x1D1BB,0x1D16F}, {0x1D1C0,0x1D1BC,0x1D16F}, {0x2F800,0x4E3D,0x0},
    {0x2F801,0x4E38,0x0}, {0x2F802,0x4E41,0x0}, {0x2F803,0x20122,0x0}, {0x2F804,0x4F60,0x0}, {0x2F805,0x4FAE,0x0},
    {0x2F806,0x4FBB,0x0}, {0x2F807,0x5002,0x0}, {0x2F808,0x507A,0x0}, {0x2F809,0x5099,0x0}, {0x2F80A,0x50E7,0x0},
    {0x2F80B,0x50CF,0x0}, {0x2F80C,0x349E,0x0}, {0x2F80D,0x2063A,0x0}, {0x2F80E,0x514D,0x0}, {0x2F80F,0x5154,0x0},
    {0x2F810,0x5164,0x0}, {0x2F811,0x5177,0x0}, {0x2F812,0x2051C,0x0}, {0x2F813,0x34B9,0x0}, {0x2F814,0x5167,0x0},
    {0x2F815,0x518D,0x0}, {0x2F816,0x2054B,0x0}, {0x2F817,0x5197,0x0}, {0x2F818,0x51A4,0x0}, {0x2F819,0x4ECC,0x0},
    {0x2F81A,0x51AC,0x0}, {0x2F81B,0x51B5,0x0}, {0x2F81C,0x291DF,0x0}, {0x2F81D,0x51F5,0x0}, {0x2F81E,0x5203,0x0},
    {0x2F81F,0x34DF,0x0}, {0x2F820,0x523B,0x0}, {0x2F821,0x5246,0x0}, {0x2F822,0x5272,0x0}, {0x2F823,0x5277,0x0},
    {0x2F824,0x3515,0x0}, {0x2F825,0x52C7,0x0}, {0x2F826,0x52C9,0x0}, {0x2F827,0x52E4,0x0}, {0x2F828,0x52FA,0x0},
    {0x2F829,0x5305,0x0}, {0x2F82A,0x5306,0x0}, {0x2F82B,0x5317,0x0}, {0x2F82C,0x5349,0x0}, {0x2F82D,0x5351,0x0},
    {0x2F82E,0x535A,0x0}, {0x2F82F,0x5373,0x0}, {0x2F830,0x537D,0x0}, {0x2F831,0x537F,0x0}, {0x2F832,0x537F,0x0},
    {0x2F833,0x537F,0x0}, {0x2F834,0x20A2C,0x0}, {0x2F835,0x7070,0x0}, {0x2F836,0x53CA,0x0}, {0x2F837,0x53DF,0x0},
    {0x2F838,0x20B63,0x0}, {0x2F839,0x53EB,0x0}, {0x2F83A,0x53F1,0x0}, {0x2F83B,0x5406,0x0}, {0x2F83C,0x549E,0x0},
    {0x2F83D,0x5438,0x0}, {0x2F83E,0x5448,0x0}, {0x2F83F,0x5468,0x0}, {0x2F840,0x54A2,0x0}, {0x2F841,0x54F6,0x0},
    {0x2F842,0x5510,0x0}, {0x2F843,0x5553,0x0}, {0x2F844,0x5563,0x0}, {0x2F845,0x5584,0x0}, {0x2F846,0x5584,0x0},
    {0x2F847,0x5599,0x0}, {0x2F848,0x55AB,0x0}, {0x2F849,0x55B3,0x0}, {0x2F84A,0x55C2,0x0}, {0x2F84B,0x5716,0x0},
    {0x2F84C,0x5606,0x0}, {0x2F84D,0x5717,0x0}, {0x2F84E,0x5651,0x0}, {0x2F84F,0x5674,0x0}, {0x2F850,0x5207,0x0},
    {0x2F851,0x58EE,0x0}, {0x2F852,0x57CE,0x0}, {0x2F853,0x57F4,0x0}, {0x2F854,0x580D,0x0}, {0x2F855,0x578B,0x0},
    {0x2F856,0x5832,0x0}, {0x2F857,0x5831,0x0}, {0x2F858,0x58AC,0x0}, {0x2F859,0x214E4,0x0}, {0x2F85A,0x58F2,0x0},
    {0x2F85B,0x58F7,0x0}, {0x2F85C,0x5906,0x0}, {0x2F85D,0x591A,0x0}, {0x2F85E,0x5922,0x0}, {0x2F85F,0x5962,0x0},
    {0x2F860,0x216A8,0x0}, {0x2F861,0x216EA,0x0}, {0x2F862,0x59EC,0x0}, {0x2F863,0x5A1B,0x0}, {0x2F864,0x5A27,0x0},
    {0x2F865,0x59D8,0x0}, {0x2F866,0x5A66,0x0}, {0x2F867,0x36EE,0x0}, {0x2F868,0x36FC,0x0}, {0x2F869,0x5B08,0x0},
    {0x2F86A,0x5B3E,0x0}, {0x2F86B,0x5B3E,0x0}, {0x2F86C,0x219C8,0x0}, {0x2F86D,0x5BC3,0x0}, {0x2F86E,0x5BD8,0x0},
    {0x2F86F,0x5BE7,0x0}, {0x2F870,0x5BF3,0x0}, {0x2F871,0x21B18,0x0}, {0x2F872,0x5BFF,0x0}, {0x2F873,0x5C06,0x0},
    {0x2F874,0x5F53,0x0}, {0x2F875,0x5C22,0x0}, {0x2F876,0x3781,0x0}, {0x2F877,0x5C60,0x0}, {0x2F878,0x5C6E,0x0},
    {0x2F879,0x5CC0,0x0}, {0x2F87A,0x5C8D,0x0}, {0x2F87B,0x21DE4,0x0}, {0x2F87C,0x5D43,0x0}, {0x2F87D,0x21DE6,0x0},
    {0x2F87E,0x5D6E,0x0}, {0x2F87F,0x5D6B,0x0}, {0x2F880,0x5D7C,0x0}, {0x2F881,0x5DE1,0x0}, {0x2F882,0x5DE2,0x0},
    {0x2F883,0x382F,0x0}, {0x2F884,0x5DFD,0x0}, {0x2F885,0x5E28,0x0}, {0x2F886,0x5E3D,0x0}, {0x2F887,0x5E69,0x0},
    {0x2F888,0x3862,0x0}, {0x2F889,0x22183,0x0}, {0x2F88A,0x387C,0x0}, {0x2F88B,0x5EB0,0x0}, {0x2F88C,0x5EB3,0x0},
    {0x2F88D,0x5EB6,0x0}, {0x2F88E,0x5ECA,0x0}, {0x2F88F,0x2A392,0x0}, {0x2F890,0x5EFE,0x0}, {0x2F891,0x22331,0x0},
    {0x2F892,0x22331,0x0}, {0x2F893,0x8201,0x0}, {0x2F894,0x5F22,0x0}, {0x2F895,0x5F22,0x0}, {0x2F896,0x38C7,0x0},
    {0x2F897,0x232B8,0x0}, {0x2F898,0x261DA,0x0}, {0x2F899,0x5F62,0x0}, {0x2F89A,0x5F6B,0x0}, {0x2F89B,0x38E3,0x0},
    {0x2F89C,0x5F9A,0x0}, {0x2F89D,0x5FCD,0x0}, {0x2F89E,0x5FD7,0x0}, {0x2F89F,0x5FF9,0x0}, {0x2F8A0,0x6081,0x0},
    {0x2F8A1,0x393A,0x0}, {0x2F8A2,0x391C,0x0}, {0x2F8A3,0x6094,0x0}, {0x2F8A4,0x226D4,0x0}, {0x2F8A5,0x60C7,0x0},
    {0x2F8A6,0x6148,0x0}, {0x2F8A7,0x614C,0x0}, {0x2F8A8,0x614E,0x0}, {0x2F8A9,0x614C,0x0}, {0x2F8AA,0x617A,0x0},
    {0x2F8AB,0x618E,0x0}, {0x2F8AC,0x61B2,0x0}, {0x2F8AD,0x61A4,0x0}, {0x2F8AE,0x61AF,0x0}, {0x2F8AF,0x61DE,0x0},
    {0x2F8B0,0x61F2,0x0}, {0x2F8B1,0x61F6,0x0}, {0x2F8B2,0x6210,0x0}, {0x2F8B3,0x621B,0x0}, {0x2F8B4,0x625D,0x0},
    {0x2F8B5,0x62B1,0x0}, {0x2F8B6,0x62D4,0x0}, {0x2F8B7,0x6350,0x0}, {0x2F8B8,0x22B0C,0x0}, {0x2F8B9,0x633D,0x0},
    {0x2F8BA,0x62FC,0x0}, {0x2F8BB,0x6368,0x0}, {0x2F8BC,0x6383,0x0}, {0x2F8BD,0x63E4,0x0}, {0x2F8BE,0x22BF1,0x0},
    {0x2F8BF,0x6422,0x0}, {0x2F8C0,0x63C5,0x0}, {0x2F8C1,0x63A9,0x0}, {0x2F8C2,0x3A2E,0x0}, {0x2F8C3,0x6469,0x0},
    {0x2F8C4,0x647E,0x0}, {0x2F8C5,0x649D,0x0}, {0x2F8C6,0x6477,0x0}, {0x2F8C7,0x3A6C,0x0}, {0x2F8C8,0x654F,0x0},
    {0x2F8C9,0x656C,0x0}, {0x2F8CA,0x2300A,0x0}, {0x2F8CB,0x65E3,0x0}, {0x2F8CC,0x66F8,0x0}, {0x2F8CD,0x6649,0x0},
    {0x2F8CE,0x3B19,0x0}, {0x2F8CF,0x6691,0x0}, {0x2F8D0,0x3B08,0x0}, {0x2F8D1,0x3AE4,0x0}, {0x2F8D2,0x5192,0x0},
    {0x2F8D3,0x5195,0x0}, {0x2F8D4,0x6700,0x0}, {0x2F8D5,0x669C,0x0}, {0x2F8D6,0x80AD,0x0}, {0x2F8D7,0x43D9,0x0},
    {0x2F8D8,0x6717,0x0}, {0x2F8D9,0x671B,0x0}, {0x2F8DA,0x6721,0x0}, {0x2F8DB,0x675E,0x0}, {0x2F8DC,0x6753,0x0},
    {0x2F8DD,0x233C3,0x0}, {0x2F8DE,0x3B49,0x0}, {0x2F8DF,0x67FA,0x0}, {0x2F8E0,0x6785,0x0}, {0x2F8E1,0x6852,0x0},
    {0x2F8E2,0x6885,0x0}, {0x2F8E3,0x2346D,0x0}, {0x2F8E4,0x688E,0x0}, {0x2F8E5,0x681F,0x0}, {0x2F8E6,0x6914,0x0},
    {0x2F8E7,0x3B9D,0x0}, {0x2F8E8,0x6942,0x0}, {0x2F8E9,0x69A3,0x0}, {0x2F8EA,0x69EA,0x0}, {0x2F8EB,0x6AA8,0x0},
    {0x2F8EC,0x236A3,0x0}, {0x2F8ED,0x6ADB,0x0}, {0x2F8EE,0x3C18,0x0}, {0x2F8EF,0x6B21,0x0}, {0x2F8F0,0x238A7,0x0},
    {0x2F8F1,0x6B54,0x0}, {0x2F8F2,0x3C4E,0x0}, {0x2F8F3,0x6B72,0x0}, {0x2F8F4,0x6B9F,0x0}, {0x2F8F5,0x6BBA,0x0},
    {0x2F8F6,0x6BBB,0x0}, {0x2F8F7,0x23A8D,0x0}, {0x2F8F8,0x21D0B,0x0}, {0x2F8F9,0x23AFA,0x0}, {0x2F8FA,0x6C4E,0x0},
    {0x2F8FB,0x23CBC,0x0}, {0x2F8FC,0x6CBF,0x0}, {0x2F8FD,0x6CCD,0x0}, {0x2F8FE,0x6C67,0x0}, {0x2F8FF,0x6D16,0x0},
    {0x2F900,0x6D3E,0x0}, {0x2F901,0x6D77,0x0}, {0x2F902,0x6D41,0x0}, {0x2F903,0x6D69,0x0}, {0x2F904,0x6D78,0x0},
    {0x2F905,0x6D85,0x0}, {0x2F906,0x23D1E,0x0}, {0x2F907,0x6D34,0x0}, {0x2F908,0x6E2F,0x0}, {0x2F909,0x6E6E,0x0},
    {0x2F90A,0x3D33,0x0}, {0x2F90B,0x6ECB,0x0}, {0x2F90C,0x6EC7,0x0}, {0x2F90D,0x23ED1,0x0}, {0x2F90E,0x6DF9,0x0},
    {0x2F90F,0x6F6E,0x0}, {0x2F910,0x23F5E,0x0}, {0x2F911,0x23F8E,0x0}, {0x2F912,0x6FC6,0x0}, {0x2F913,0x7039,0x0},
    {0x2F914,0x701E,0x0}, {0x2F915,0x701B,0x0}, {0x2F916,0x3D96,0x0}, {0x2F917,0x704A,0x0}, {0x2F918,0x707D,0x0},
    {0x2F919,0x7077,0x0}, {0x2F91A,0x70AD,0x0}, {0x2F91B,0x20525,0x0}, {0x2F91C,0x7145,0x0}, {0x2F91D,0x24263,0x0},
    {0x2F91E,0x719C,0x0}, {0x2F91F,0x243AB,0x0}, {0x2F920,0x7228,0x0}, {0x2F921,0x7235,0x0}, {0x2F922,0x7250,0x0},
    {0x2F923,0x24608,0x0}, {0x2F924,0x7280,0x0}, {0x2F925,0x7295,0x0}, {0x2F926,0x24735,0x0}, {0x2F927,0x24814,0x0},
    {0x2F928,0x737A,0x0}, {0x2F929,0x738B,0x0}, {0x2F92A,0x3EAC,0x0}, {0x2F92B,0x73A5,0x0}, {0x2F92C,0x3EB8,0x0},
    {0x2F92D,0x3EB8,0x0}, {0x2F92E,0x7447,0x0}, {0x2F92F,0x745C,0x0}, {0x2F930,0x7471,0x0}, {0x2F931,0x7485,0x0},
    {0x2F932,0x74CA,0x0}, {0x2F933,0x3F1B,0x0}, {0x2F934,0x7524,0x0}, {0x2F935,0x24C36,0x0}, {0x2F936,0x753E,0x0},
    {0x2F937,0x24C92,0x0}, {0x2F938,0x7570,0x0}, {0x2F939,0x2219F,0x0}, {0x2F93A,0x7610,0x0}, {0x2F93B,0x24FA1,0x0},
    {0x2F93C,0x24FB8,0x0}, {0x2F93D,0x25044,0x0}, {0x2F93E,0x3FFC,0x0}, {0x2F93F,0x4008,0x0}, {0x2F940,0x76F4,0x0},
    {0x2F941,0x250F3,0x0}, {0x2F942,0x250F2,0x0}, {0x2F943,0x25119,0x0}, {0x2F944,0x25133,0x0}, {0x2F945,0x771E,0x0},
    {0x2F946,0x771F,0x0}, {0x2F947,0x771F,0x0}, {0x2F948,0x774A,0x0}, {0x2F949,0x4039,0x0}, {0x2F94A,0x778B,0x0},
    {0x2F94B,0x4046,0x0}, {0x2F94C,0x4096,0x0}, {0x2F94D,0x2541D,0x0}, {0x2F94E,0x784E,0x0}, {0x2F94F,0x788C,0x0},
    {0x2F950,0x78CC,0x0}, {0x2F951,0x40E3,0x0}, {0x2F952,0x25626,0x0}, {0x2F953,0x7956,0x0}, {0x2F954,0x2569A,0x0},
    {0x2F955,0x256C5,0x0}, {0x2F956,0x798F,0x0}, {0x2F957,0x79EB,0x0}, {0x2F958,0x412F,0x0}, {0x2F959,0x7A40,0x0},
    {0x2F95A,0x7A4A,0x0}, {0x2F95B,0x7A4F,0x0}, {0x2F95C,0x2597C,0x0}, {0x2F95D,0x25AA7,0x0}, {0x2F95E,0x25AA7,0x0},
    {0x2F95F,0x7AEE,0x0}, {0x2F960,0x4202,0x0}, {0x2F961,0x25BAB,0x0}, {0x2F962,0x7BC6,0x0}, {0x2F963,0x7BC9,0x0},
    {0x2F964,0x4227,0x0}, {0x2F965,0x25C80,0x0}, {0x2F966,0x7CD2,0x0}, {0x2F967,0x42A0,0x0}, {0x2F968,0x7CE8,0x0},
    {0x2F969,0x7CE3,0x0}, {0x2F96A,0x7D00,0x0}, {0x2F96B,0x25F86,0x0}, {0x2F96C,0x7D63,0x0}, {0x2F96D,0x4301,0x0},
    {0x2F96E,0x7DC7,0x0}, {0x2F96F,0x7E02,0x0}, {0x2F970,0x7E45,0x0}, {0x2F971,0x4334,0x0}, {0x2F972,0x26228,0x0},
    {0x2F973,0x26247,0x0}, {0x2F974,0x4359,0x0}, {0x2F975,0x262D9,0x0}, {0x2F976,0x7F7A,0x0}, {0x2F977,0x2633E,0x0},
    {0x2F978,0x7F95,0x0}, {0x2F979,0x7FFA,0x0}, {0x2F97A,0x8005,0x0}, {0x2F97B,0x264DA,0x0}, {0x2F97C,0x26523,0x0},
    {0x2F97D,0x8060,0x0}, {0x2F97E,0x265A8,0x0}, {0x2F97F,0x8070,0x0}, {0x2F980,0x2335F,0x0}, {0x2F981,0x43D5,0x0},
    {0x2F982,0x80B2,0x0}, {0x2F983,0x8103,0x0}, {0x2F984,0x440B,0x0}, {0x2F985,0x813E,0x0}, {0x2F986,0x5AB5,0x0},
    {0x2F987,0x267A7,0x0}, {0x2F988,0x267B5,0x0}, {0x2F989,0x23393,0x0}, {0x2F98A,0x2339C,0x0}, {0x2F98B,0x8201,0x0},
    {0x2F98C,0x8204,0x0}, {0x2F98D,0x8F9E,0x0}, {0x2F98E,0x446B,0x0}, {0x2F98F,0x8291,0x0}, {0x2F990,0x828B,0x0},
    {0x2F991,0x829D,0x0}, {0x2F992,0x52B3,0x0}, {0x2F993,0x82B1,0x0}, {0x2F994,0x82B3,0x0}, {0x2F995,0x82BD,0x0},
    {0x2F996,0x82E6,0x0}, {0x2F997,0x26B3C,0x0}, {0x2F998,0x82E5,0x0}, {0x2F999,0x831D,0x0}, {0x2F99A,0x8363,0x0},
    {0x2F99B,0x83AD,0x0}, {0x2F99C,0x8323,0x0}, {0x2F99D,0x83BD,0x0}, {0x2F99E,0x83E7,0x0}, {0x2F99F,0x8457,0x0},
    {0x2F9A0,0x8353,0x0}, {0x2F9A1,0x83CA,0x0}, {0x2F9A2,0x83CC,0x0}, {0x2F9A3,0x83DC,0x0}, {0x2F9A4,0x26C36,0x0},
    {0x2F9A5,0x26D6B,0x0}, {0x2F9A6,0x26CD5,0x0}, {0x2F9A7,0x452B,0x0}, {0x2F9A8,0x84F1,0x0}, {0x2F9A9,0x84F3,0x0},
    {0x2F9AA,0x8516,0x0}, {0x2F9AB,0x273CA,0x0}, {0x2F9AC,0x8564,0x0}, {0x2F9AD,0x26F2C,0x0}, {0x2F9AE,0x455D,0x0},
    {0x2F9AF,0x4561,0x0}, {0x2F9B0,0x26FB1,0x0}, {0x2F9B1,0x270D2,0x0}, {0x2F9B2,0x456B,0x0}, {0x2F9B3,0x8650,0x0},
    {0x2F9B4,0x865C,0x0}, {0x2F9B5,0x8667,0x0}, {0x2F9B6,0x8669,0x0}, {0x2F9B7,0x86A9,0x0}, {0x2F9B8,0x8688,0x0},
    {0x2F9B9,0x870E,0x0}, {0x2F9BA,0x86E2,0x0}, {0x2F9BB,0x8779,0x0}, {0x2F9BC,0x8728,0x0}, {0x2F9BD,0x876B,0x0},
    {0x2F9BE,0x8786,0x0}, {0x2F9BF,0x45D7,0x0}, {0x2F9C0,0x87E1,0x0}, {0x2F9C1,0x8801,0x0}, {0x2F9C2,0x45F9,0x0},
    {0x2F9C3,0x8860,0x0}, {0x2F9C4,0x8863,0x0}, {0x2F9C5,0x27667,0x0}, {0x2F9C6,0x88D7,0x0}, {0x2F9C7,0x88DE,0x0},
    {0x2F9C8,0x4635,0x0}, {0x2F9C9,0x88FA,0x0}, {0x2F9CA,0x34BB,0x0}, {0x2F9CB,0x278AE,0x0}, {0x2F9CC,0x27966,0x0},
    {0x2F9CD,0x46BE,0x0}, {0x2F9CE,0x46C7,0x0}, {0x2F9CF,0x8AA0,0x0}, {0x2F9D0,0x8AED,0x0}, {0x2F9D1,0x8B8A,0x0},
    {0x2F9D2,0x8C55,0x0}, {0x2F9D3,0x27CA8,0x0}, {0x2F9D4,0x8CAB,0x0}, {0x2F9D5,0x8CC1,0x0}, {0x2F9D6,0x8D1B,0x0},
    {0x2F9D7,0x8D77,0x0}, {0x2F9D8,0x27F2F,0x0}, {0x2F9D9,0x20804,0x0}, {0x2F9DA,0x8DCB,0x0}, {0x2F9DB,0x8DBC,0x0},
    {0x2F9DC,0x8DF0,0x0}, {0x2F9DD,0x208DE,0x0}, {0x2F9DE,0x8ED4,0x0}, {0x2F9DF,0x8F38,0x0}, {0x2F9E0,0x285D2,0x0},
    {0x2F9E1,0x285ED,0x0}, {0x2F9E2,0x9094,0x0}, {0x2F9E3,0x90F1,0x0}, {0x2F9E4,0x9111,0x0}, {0x2F9E5,0x2872E,0x0},
    {0x2F9E6,0x911B,0x0}, {0x2F9E7,0x9238,0x0}, {0x2F9E8,0x92D7,0x0}, {0x2F9E9,0x92D8,0x0}, {0x2F9EA,0x927C,0x0},
    {0x2F9EB,0x93F9,0x0}, {0x2F9EC,0x9415,0x0}, {0x2F9ED,0x28BFA,0x0}, {0x2F9EE,0x958B,0x0}, {0x2F9EF,0x4995,0x0},
    {0x2F9F0,0x95B7,0x0}, {0x2F9F1,0x28D77,0x0}, {0x2F9F2,0x49E6,0x0}, {0x2F9F3,0x96C3,0x0}, {0x2F9F4,0x5DB2,0x0},
    {0x2F9F5,0x9723,0x0}, {0x2F9F6,0x29145,0x0}, {0x2F9F7,0x2921A,0x0}, {0x2F9F8,0x4A6E,0x0}, {0x2F9F9,0x4A76,0x0},
    {0x2F9FA,0x97E0,0x0}, {0x2F9FB,0x2940A,0x0}, {0x2F9FC,0x4AB2,0x0}, {0x2F9FD,0x29496,0x0}, {0x2F9FE,0x980B,0x0},
    {0x2F9FF,0x980B,0x0}, {0x2FA00,0x9829,0x0}, {0x2FA01,0x295B6,0x0}, {0x2FA02,0x98E2,0x0}, {0x2FA03,0x4B33,0x0},
    {0x2FA04,0x9929,0x0}, {0x2FA05,0x99A7,0x0}, {0x2FA06,0x99C2,0x0}, {0x2FA07,0x99FE,0x0}, {0x2FA08,0x4BCE,0x0},
    {0x2FA09,0x29B30,0x0}, {0x2FA0A,0x9B12,0x0}, {0x2FA0B,0x9C40,0x0}, {0x2FA0C,0x9CFD,0x0}, {0x2FA0D,0x4CCE,0x0},
    {0x2FA0E,0x4CED,0x0}, {0x2FA0F,0x9D67,0x0}, {0x2FA10,0x2A0CE,0x0}, {0x2FA11,0x4CF8,0x0}, {0x2FA12,0x2A105,0x0},
    {0x2FA13,0x2A20E,0x0}, {0x2FA14,0x2A291,0x0}, {0x2FA15,0x9EBB,0x0}, {0x2FA16,0x4D56,0x0}, {0x2FA17,0x9EF9,0x0},
    {0x2FA18,0x9EFE,0x0}, {0x2FA19,0x9F05,0x0}, {0x2FA1A,0x9F0F,0x0}, {0x2FA1B,0x9F16,0x0}, {0x2FA1C,0x9F3B,0x0},
    {0x2FA1D,0x2A600,0x0},
};
static const uint32_t hl__uc_comp[][3] = {
    {0x3C,0x338,0x226E}, {0x3D,0x338,0x2260}, {0x3E,0x338,0x226F}, {0x41,0x300,0xC0}, {0x41,0x301,0xC1},
    {0x41,0x302,0xC2}, {0x41,0x303,0xC3}, {0x41,0x304,0x100}, {0x41,0x306,0x102}, {0x41,0x307,0x226},
    {0x41,0x308,0xC4}, {0x41,0x309,0x1EA2}, {0x41,0x30A,0xC5}, {0x41,0x30C,0x1CD}, {0x41,0x30F,0x200},
    {0x41,0x311,0x202}, {0x41,0x323,0x1EA0}, {0x41,0x325,0x1E00}, {0x41,0x328,0x104}, {0x42,0x307,0x1E02},
    {0x42,0x323,0x1E04}, {0x42,0x331,0x1E06}, {0x43,0x301,0x106}, {0x43,0x302,0x108}, {0x43,0x307,0x10A},
    {0x43,0x30C,0x10C}, {0x43,0x327,0xC7}, {0x44,0x307,0x1E0A}, {0x44,0x30C,0x10E}, {0x44,0x323,0x1E0C},
    {0x44,0x327,0x1E10}, {0x44,0x32D,0x1E12}, {0x44,0x331,0x1E0E}, {0x45,0x300,0xC8}, {0x45,0x301,0xC9},
    {0x45,0x302,0xCA}, {0x45,0x303,0x1EBC}, {0x45,0x304,0x112}, {0x45,0x306,0x114}, {0x45,0x307,0x116},
    {0x45,0x308,0xCB}, {0x45,0x309,0x1EBA}, {0x45,0x30C,0x11A}, {0x45,0x30F,0x204}, {0x45,0x311,0x206},
    {0x45,0x323,0x1EB8}, {0x45,0x327,0x228}, {0x45,0x328,0x118}, {0x45,0x32D,0x1E18}, {0x45,0x330,0x1E1A},
    {0x46,0x307,0x1E1E}, {0x47,0x301,0x1F4}, {0x47,0x302,0x11C}, {0x47,0x304,0x1E20}, {0x47,0x306,0x11E},
    {0x47,0x307,0x120}, {0x47,0x30C,0x1E6}, {0x47,0x327,0x122}, {0x48,0x302,0x124}, {0x48,0x307,0x1E22},
    {0x48,0x308,0x1E26}, {0x48,0x30C,0x21E}, {0x48,0x323,0x1E24}, {0x48,0x327,0x1E28}, {0x48,0x32E,0x1E2A},
    {0x49,0x300,0xCC}, {0x49,0x301,0xCD}, {0x49,0x302,0xCE}, {0x49,0x303,0x128}, {0x49,0x304,0x12A},
    {0x49,0x306,0x12C}, {0x49,0x307,0x130}, {0x49,0x308,0xCF}, {0x49,0x309,0x1EC8}, {0x49,0x30C,0x1CF},
    {0x49,0x30F,0x208}, {0x49,0x311,0x20A}, {0x49,0x323,0x1ECA}, {0x49,0x328,0x12E}, {0x49,0x330,0x1E2C},
    {0x4A,0x302,0x134}, {0x4B,0x301,0x1E30}, {0x4B,0x30C,0x1E8}, {0x4B,0x323,0x1E32}, {0x4B,0x327,0x136},
    {0x4B,0x331,0x1E34}, {0x4C,0x301,0x139}, {0x4C,0x30C,0x13D}, {0x4C,0x323,0x1E36}, {0x4C,0x327,0x13B},
    {0x4C,0x32D,0x1E3C}, {0x4C,0x331,0x1E3A}, {0x4D,0x301,0x1E3E}, {0x4D,0x307,0x1E40}, {0x4D,0x323,0x1E42},
    {0x4E,0x300,0x1F8}, {0x4E,0x301,0x143}, {0x4E,0x303,0xD1}, {0x4E,0x307,0x1E44}, {0x4E,0x30C,0x147},
    {0x4E,0x323,0x1E46}, {0x4E,0x327,0x145}, {0x4E,0x32D,0x1E4A}, {0x4E,0x331,0x1E48}, {0x4F,0x300,0xD2},
    {0x4F,0x301,0xD3}, {0x4F,0x302,0xD4}, {0x4F,0x303,0xD5}, {0x4F,0x304,0x14C}, {0x4F,0x306,0x14E},
    {0x4F,0x307,0x22E}, {0x4F,0x308,0xD6}, {0x4F,0x309,0x1ECE}, {0x4F,0x30B,0x150}, {0x4F,0x30C,0x1D1},
    {0x4F,0x30F,0x20C}, {0x4F,0x311,0x20E}, {0x4F,0x31B,0x1A0}, {0x4F,0x323,0x1ECC}, {0x4F,0x328,0x1EA},
    {0x50,0x301,0x1E54}, {0x50,0x307,0x1E56}, {0x52,0x301,0x154}, {0x52,0x307,0x1E58}, {0x52,0x30C,0x158},
    {0x52,0x30F,0x210}, {0x52,0x311,0x212}, {0x52,0x323,0x1E5A}, {0x52,0x327,0x156}, {0x52,0x331,0x1E5E},
    {0x53,0x301,0x15A}, {0x53,0x302,0x15C}, {0x53,0x307,0x1E60}, {0x53,0x30C,0x160}, {0x53,0x323,0x1E62},
    {0x53,0x326,0x218}, {0x53,0x327,0x15E}, {0x54,0x307,0x1E6A}, {0x54,0x30C,0x164}, {0x54,0x323,0x1E6C},
    {0x54,0x326,0x21A}, {0x54,0x327,0x162}, {0x54,0x32D,0x1E70}, {0x54,0x331,0x1E6E}, {0x55,0x300,0xD9},
    {0x55,0x301,0xDA}, {0x55,0x302,0xDB}, {0x55,0x303,0x168}, {0x55,0x304,0x16A}, {0x55,0x306,0x16C},
    {0x55,0x308,0xDC}, {0x55,0x309,0x1EE6}, {0x55,0x30A,0x16E}, {0x55,0x30B,0x170}, {0x55,0x30C,0x1D3},
    {0x55,0x30F,0x214}, {0x55,0x311,0x216}, {0x55,0x31B,0x1AF}, {0x55,0x323,0x1EE4}, {0x55,0x324,0x1E72},
    {0x55,0x328,0x172}, {0x55,0x32D,0x1E76}, {0x55,0x330,0x1E74}, {0x56,0x303,0x1E7C}, {0x56,0x323,0x1E7E},
    {0x57,0x300,0x1E80}, {0x57,0x301,0x1E82}, {0x57,0x302,0x174}, {0x57,0x307,0x1E86}, {0x57,0x308,0x1E84},
    {0x57,0x323,0x1E88}, {0x58,0x307,0x1E8A}, {0x58,0x308,0x1E8C}, {0x59,0x300,0x1EF2}, {0x59,0x301,0xDD},
    {0x59,0x302,0x176}, {0x59,0x303,0x1EF8}, {0x59,0x304,0x232}, {0x59,0x307,0x1E8E}, {0x59,0x308,0x178},
    {0x59,0x309,0x1EF6}, {0x59,0x323,0x1EF4}, {0x5A,0x301,0x179}, {0x5A,0x302,0x1E90}, {0x5A,0x307,0x17B},
    {0x5A,0x30C,0x17D}, {0x5A,0x323,0x1E92}, {0x5A,0x331,0x1E94}, {0x61,0x300,0xE0}, {0x61,0x301,0xE1},
    {0x61,0x302,0xE2}, {0x61,0x303,0xE3}, {0x61,0x304,0x101}, {0x61,0x306,0x103}, {0x61,0x307,0x227},
    {0x61,0x308,0xE4}, {0x61,0x309,0x1EA3}, {0x61,0x30A,0xE5}, {0x61,0x30C,0x1CE}, {0x61,0x30F,0x201},
    {0x61,0x311,0x203}, {0x61,0x323,0x1EA1}, {0x61,0x325,0x1E01}, {0x61,0x328,0x105}, {0x62,0x307,0x1E03},
    {0x62,0x323,0x1E05}, {0x62,0x331,0x1E07}, {0x63,0x301,0x107}, {0x63,0x302,0x109}, {0x63,0x307,0x10B},
    {0x63,0x30C,0x10D}, {0x63,0x327,0xE7}, {0x64,0x307,0x1E0B}, {0x64,0x30C,0x10F}, {0x64,0x323,0x1E0D},
    {0x64,0x327,0x1E11}, {0x64,0x32D,0x1E13}, {0x64,0x331,0x1E0F}, {0x65,0x300,0xE8}, {0x65,0x301,0xE9},
    {0x65,0x302,0xEA}, {0x65,0x303,0x1EBD}, {0x65,0x304,0x113}, {0x65,0x306,0x115}, {0x65,0x307,0x117},
    {0x65,0x308,0xEB}, {0x65,0x309,0x1EBB}, {0x65,0x30C,0x11B}, {0x65,0x30F,0x205}, {0x65,0x311,0x207},
    {0x65,0x323,0x1EB9}, {0x65,0x327,0x229}, {0x65,0x328,0x119}, {0x65,0x32D,0x1E19}, {0x65,0x330,0x1E1B},
    {0x66,0x307,0x1E1F}, {0x67,0x301,0x1F5}, {0x67,0x302,0x11D}, {0x67,0x304,0x1E21}, {0x67,0x306,0x11F},
    {0x67,0x307,0x121}, {0x67,0x30C,0x1E7}, {0x67,0x327,0x123}, {0x68,0x302,0x125}, {0x68,0x307,0x1E23},
    {0x68,0x308,0x1E27}, {0x68,0x30C,0x21F}, {0x68,0x323,0x1E25}, {0x68,0x327,0x1E29}, {0x68,0x32E,0x1E2B},
    {0x68,0x331,0x1E96}, {0x69,0x300,0xEC}, {0x69,0x301,0xED}, {0x69,0x302,0xEE}, {0x69,0x303,0x129},
    {0x69,0x304,0x12B}, {0x69,0x306,0x12D}, {0x69,0x308,0xEF}, {0x69,0x309,0x1EC9}, {0x69,0x30C,0x1D0},
    {0x69,0x30F,0x209}, {0x69,0x311,0x20B}, {0x69,0x323,0x1ECB}, {0x69,0x328,0x12F}, {0x69,0x330,0x1E2D},
    {0x6A,0x302,0x135}, {0x6A,0x30C,0x1F0}, {0x6B,0x301,0x1E31}, {0x6B,0x30C,0x1E9}, {0x6B,0x323,0x1E33},
    {0x6B,0x327,0x137}, {0x6B,0x331,0x1E35}, {0x6C,0x301,0x13A}, {0x6C,0x30C,0x13E}, {0x6C,0x323,0x1E37},
    {0x6C,0x327,0x13C}, {0x6C,0x32D,0x1E3D}, {0x6C,0x331,0x1E3B}, {0x6D,0x301,0x1E3F}, {0x6D,0x307,0x1E41},
    {0x6D,0x323,0x1E43}, {0x6E,0x300,0x1F9}, {0x6E,0x301,0x144}, {0x6E,0x303,0xF1}, {0x6E,0x307,0x1E45},
    {0x6E,0x30C,0x148}, {0x6E,0x323,0x1E47}, {0x6E,0x327,0x146}, {0x6E,0x32D,0x1E4B}, {0x6E,0x331,0x1E49},
    {0x6F,0x300,0xF2}, {0x6F,0x301,0xF3}, {0x6F,0x302,0xF4}, {0x6F,0x303,0xF5}, {0x6F,0x304,0x14D},
    {0x6F,0x306,0x14F}, {0x6F,0x307,0x22F}, {0x6F,0x308,0xF6}, {0x6F,0x309,0x1ECF}, {0x6F,0x30B,0x151},
    {0x6F,0x30C,0x1D2}, {0x6F,0x30F,0x20D}, {0x6F,0x311,0x20F}, {0x6F,0x31B,0x1A1}, {0x6F,0x323,0x1ECD},
    {0x6F,0x328,0x1EB}, {0x70,0x301,0x1E55}, {0x70,0x307,0x1E57}, {0x72,0x301,0x155}, {0x72,0x307,0x1E59},
    {0x72,0x30C,0x159}, {0x72,0x30F,0x211}, {0x72,0x311,0x213}, {0x72,0x323,0x1E5B}, {0x72,0x327,0x157},
    {0x72,0x331,0x1E5F}, {0x73,0x301,0x15B}, {0x73,0x302,0x15D}, {0x73,0x307,0x1E61}, {0x73,0x30C,0x161},
    {0x73,0x323,0x1E63}, {0x73,0x326,0x219}, {0x73,0x327,0x15F}, {0x74,0x307,0x1E6B}, {0x74,0x308,0x1E97},
    {0x74,0x30C,0x165}, {0x74,0x323,0x1E6D}, {0x74,0x326,0x21B}, {0x74,0x327,0x163}, {0x74,0x32D,0x1E71},
    {0x74,0x331,0x1E6F}, {0x75,0x300,0xF9}, {0x75,0x301,0xFA}, {0x75,0x302,0xFB}, {0x75,0x303,0x169},
    {0x75,0x304,0x16B}, {0x75,0x306,0x16D}, {0x75,0x308,0xFC}, {0x75,0x309,0x1EE7}, {0x75,0x30A,0x16F},
    {0x75,0x30B,0x171}, {0x75,0x30C,0x1D4}, {0x75,0x30F,0x215}, {0x75,0x311,0x217}, {0x75,0x31B,0x1B0},
    {0x75,0x323,0x1EE5}, {0x75,0x324,0x1E73}, {0x75,0x328,0x173}, {0x75,0x32D,0x1E77}, {0x75,0x330,0x1E75},
    {0x76,0x303,0x1E7D}, {0x76,0x323,0x1E7F}, {0x77,0x300,0x1E81}, {0x77,0x301,0x1E83}, {0x77,0x302,0x175},
    {0x77,0x307,0x1E87}, {0x77,0x308,0x1E85}, {0x77,0x30A,0x1E98}, {0x77,0x323,0x1E89}, {0x78,0x307,0x1E8B},
    {0x78,0x308,0x1E8D}, {0x79,0x300,0x1EF3}, {0x79,0x301,0xFD}, {0x79,0x302,0x177}, {0x79,0x303,0x1EF9},
    {0x79,0x304,0x233}, {0x79,0x307,0x1E8F}, {0x79,0x308,0xFF}, {0x79,0x309,0x1EF7}, {0x79,0x30A,0x1E99},
    {0x79,0x323,0x1EF5}, {0x7A,0x301,0x17A}, {0x7A,0x302,0x1E91}, {0x7A,0x307,0x17C}, {0x7A,0x30C,0x17E},
    {0x7A,0x323,0x1E93}, {0x7A,0x331,0x1E95}, {0xA8,0x300,0x1FED}, {0xA8,0x301,0x385}, {0xA8,0x342,0x1FC1},
    {0xC2,0x300,0x1EA6}, {0xC2,0x301,0x1EA4}, {0xC2,0x303,0x1EAA}, {0xC2,0x309,0x1EA8}, {0xC4,0x304,0x1DE},
    {0xC5,0x301,0x1FA}, {0xC6,0x301,0x1FC}, {0xC6,0x304,0x1E2}, {0xC7,0x301,0x1E08}, {0xCA,0x300,0x1EC0},
    {0xCA,0x301,0x1EBE}, {0xCA,0x303,0x1EC4}, {0xCA,0x309,0x1EC2}, {0xCF,0x301,0x1E2E}, {0xD4,0x300,0x1ED2},
    {0xD4,0x301,0x1ED0}, {0xD4,0x303,0x1ED6}, {0xD4,0x309,0x1ED4}, {0xD5,0x301,0x1E4C}, {0xD5,0x304,0x22C},
    {0xD5,0x308,0x1E4E}, {0xD6,0x304,0x22A}, {0xD8,0x301,0x1FE}, {0xDC,0x300,0x1DB}, {0xDC,0x301,0x1D7},
    {0xDC,0x304,0x1D5}, {0xDC,0x30C,0x1D9}, {0xE2,0x300,0x1EA7}, {0xE2,0x301,0x1EA5}, {0xE2,0x303,0x1EAB},
    {0xE2,0x309,0x1EA9}, {0xE4,0x304,0x1DF}, {0xE5,0x301,0x1FB}, {0xE6,0x301,0x1FD}, {0xE6,0x304,0x1E3},
    {0xE7,0x301,0x1E09}, {0xEA,0x300,0x1EC1}, {0xEA,0x301,0x1EBF}, {0xEA,0x303,0x1EC5}, {0xEA,0x309,0x1EC3},
    {0xEF,0x301,0x1E2F}, {0xF4,0x300,0x1ED3}, {0xF4,0x301,0x1ED1}, {0xF4,0x303,0x1ED7}, {0xF4,0x309,0x1ED5},
    {0xF5,0x301,0x1E4D}, {0xF5,0x304,0x22D}, {0xF5,0x308,0x1E4F}, {0xF6,0x304,0x22B}, {0xF8,0x301,0x1FF},
    {0xFC,0x300,0x1DC}, {0xFC,0x301,0x1D8}, {0xFC,0x304,0x1D6}, {0xFC,0x30C,0x1DA}, {0x102,0x300,0x1EB0},
    {0x102,0x301,0x1EAE}, {0x102,0x303,0x1EB4}, {0x102,0x309,0x1EB2}, {0x103,0x300,0x1EB1}, {0x103,0x301,0x1EAF},
    {0x103,0x303,0x1EB5}, {0x103,0x309,0x1EB3}, {0x112,0x300,0x1E14}, {0x112,0x301,0x1E16}, {0x113,0x300,0x1E15},
    {0x113,0x301,0x1E17}, {0x14C,0x300,0x1E50}, {0x14C,0x301,0x1E52}, {0x14D,0x300,0x1E51}, {0x14D,0x301,0x1E53},
    {0x15A,0x307,0x1E64}, {0x15B,0x307,0x1E65}, {0x160,0x307,0x1E66}, {0x161,0x307,0x1E67}, {0x168,0x301,0x1E78},
    {0x169,0x301,0x1E79}, {0x16A,0x308,0x1E7A}, {0x16B,0x308,0x1E7B}, {0x17F,0x307,0x1E9B}, {0x1A0,0x300,0x1EDC},
    {0x1A0,0x301,0x1EDA}, {0x1A0,0x303,0x1EE0}, {0x1A0,0x309,0x1EDE}, {0x1A0,0x323,0x1EE2}, {0x1A1,0x300,0x1EDD},
    {0x1A1,0x301,0x1EDB}, {0x1A1,0x303,0x1EE1}, {0x1A1,0x309,0x1EDF}, {0x1A1,0x323,0x1EE3}, {0x1AF,0x300,0x1EEA},
    {0x1AF,0x301,0x1EE8}, {0x1AF,0x303,0x1EEE}, {0x1AF,0x309,0x1EEC}, {0x1AF,0x323,0x1EF0}, {0x1B0,0x300,0x1EEB},
    {0x1B0,0x301,0x1EE9}, {0x1B0,0x303,0x1EEF}, {0x1B0,0x309,0x1EED}, {0x1B0,0x323,0x1EF1}, {0x1B7,0x30C,0x1EE},
    {0x1EA,0x304,0x1EC}, {0x1EB,0x304,0x1ED}, {0x226,0x304,0x1E0}, {0x227,0x304,0x1E1}, {0x228,0x306,0x1E1C},
    {0x229,0x306,0x1E1D}, {0x22E,0x304,0x230}, {0x22F,0x304,0x231}, {0x292,0x30C,0x1EF}, {0x391,0x300,0x1FBA},
    {0x391,0x301,0x386}, {0x391,0x304,0x1FB9}, {0x391,0x306,0x1FB8}, {0x391,0x313,0x1F08}, {0x391,0x314,0x1F09},
    {0x391,0x345,0x1FBC}, {0x395,0x300,0x1FC8}, {0x395,0x301,0x388}, {0x395,0x313,0x1F18}, {0x395,0x314,0x1F19},
    {0x397,0x300,0x1FCA}, {0x397,0x301,0x389}, {0x397,0x313,0x1F28}, {0x397,0x314,0x1F29}, {0x397,0x345,0x1FCC},
    {0x399,0x300,0x1FDA}, {0x399,0x301,0x38A}, {0x399,0x304,0x1FD9}, {0x399,0x306,0x1FD8}, {0x399,0x308,0x3AA},
    {0x399,0x313,0x1F38}, {0x399,0x314,0x1F39}, {0x39F,0x300,0x1FF8}, {0x39F,0x301,0x38C}, {0x39F,0x313,0x1F48},
    {0x39F,0x314,0x1F49}, {0x3A1,0x314,0x1FEC}, {0x3A5,0x300,0x1FEA}, {0x3A5,0x301,0x38E}, {0x3A5,0x304,0x1FE9},
    {0x3A5,0x306,0x1FE8}, {0x3A5,0x308,0x3AB}, {0x3A5,0x314,0x1F59}, {0x3A9,0x300,0x1FFA}, {0x3A9,0x301,0x38F},
    {0x3A9,0x313,0x1F68}, {0x3A9,0x314,0x1F69}, {0x3A9,0x345,0x1FFC}, {0x3AC,0x345,0x1FB4}, {0x3AE,0x345,0x1FC4},
    {0x3B1,0x300,0x1F70}, {0x3B1,0x301,0x3AC}, {0x3B1,0x304,0x1FB1}, {0x3B1,0x306,0x1FB0}, {0x3B1,0x313,0x1F00},
    {0x3B1,0x314,0x1F01}, {0x3B1,0x342,0x1FB6}, {0x3B1,0x345,0x1FB3}, {0x3B5,0x300,0x1F72}, {0x3B5,0x301,0x3AD},
    {0x3B5,0x313,0x1F10}, {0x3B5,0x314,0x1F11}, {0x3B7,0x300,0x1F74}, {0x3B7,0x301,0x3AE}, {0x3B7,0x313,0x1F20},
    {0x3B7,0x314,0x1F21}, {0x3B7,0x342,0x1FC6}, {0x3B7,0x345,0x1FC3}, {0x3B9,0x300,0x1F76}, {0x3B9,0x301,0x3AF},
    {0x3B9,0x304,0x1FD1}, {0x3B9,0x306,0x1FD0}, {0x3B9,0x308,0x3CA}, {0x3B9,0x313,0x1F30}, {0x3B9,0x314,0x1F31},
    {0x3B9,0x342,0x1FD6}, {0x3BF,0x300,0x1F78}, {0x3BF,0x301,0x3CC}, {0x3BF,0x313,0x1F40}, {0x3BF,0x314,0x1F41},
    {0x3C1,0x313,0x1FE4}, {0x3C1,0x314,0x1FE5}, {0x3C5,0x300,0x1F7A}, {0x3C5,0x301,0x3CD}, {0x3C5,0x304,0x1FE1},
    {0x3C5,0x306,0x1FE0}, {0x3C5,0x308,0x3CB}, {0x3C5,0x313,0x1F50}, {0x3C5,0x314,0x1F51}, {0x3C5,0x342,0x1FE6},
    {0x3C9,0x300,0x1F7C}, {0x3C9,0x301,0x3CE}, {0x3C9,0x313,0x1F60}, {0x3C9,0x314,0x1F61}, {0x3C9,0x342,0x1FF6},
    {0x3C9,0x345,0x1FF3}, {0x3CA,0x300,0x1FD2}, {0x3CA,0x301,0x390}, {0x3CA,0x342,0x1FD7}, {0x3CB,0x300,0x1FE2},
    {0x3CB,0x301,0x3B0}, {0x3CB,0x342,0x1FE7}, {0x3CE,0x345,0x1FF4}, {0x3D2,0x301,0x3D3}, {0x3D2,0x308,0x3D4},
    {0x406,0x308,0x407}, {0x410,0x306,0x4D0}, {0x410,0x308,0x4D2}, {0x413,0x301,0x403}, {0x415,0x300,0x400},
    {0x415,0x306,0x4D6}, {0x415,0x308,0x401}, {0x416,0x306,0x4C1}, {0x416,0x308,0x4DC}, {0x417,0x308,0x4DE},
    {0x418,0x300,0x40D}, {0x418,0x304,0x4E2}, {0x418,0x306,0x419}, {0x418,0x308,0x4E4}, {0x41A,0x301,0x40C},
    {0x41E,0x308,0x4E6}, {0x423,0x304,0x4EE}, {0x423,0x306,0x40E}, {0x423,0x308,0x4F0}, {0x423,0x30B,0x4F2},
    {0x427,0x308,0x4F4}, {0x42B,0x308,0x4F8}, {0x42D,0x308,0x4EC}, {0x430,0x306,0x4D1}, {0x430,0x308,0x4D3},
    {0x433,0x301,0x453}, {0x435,0x300,0x450}, {0x435,0x306,0x4D7}, {0x435,0x308,0x451}, {0x436,0x306,0x4C2},
    {0x436,0x308,0x4DD}, {0x437,0x308,0x4DF}, {0x438,0x300,0x45D}, {0x438,0x304,0x4E3}, {0x438,0x306,0x439},
    {0x438,0x308,0x4E5}, {0x43A,0x301,0x45C}, {0x43E,0x308,0x4E7}, {0x443,0x304,0x4EF}, {0x443,0x306,0x45E},
    {0x443,0x308,0x4F1}, {0x443,0x30B,0x4F3}, {0x447,0x308,0x4F5}, {0x44B,0x308,0x4F9}, {0x44D,0x308,0x4ED},
    {0x456,0x308,0x457}, {0x474,0x30F,0x476}, {0x475,0x30F,0x477}, {0x4D8,0x308,0x4DA}, {0x4D9,0x308,0x4DB},
    {0x4E8,0x308,0x4EA}, {0x4E9,0x308,0x4EB}, {0x627,0x653,0x622}, {0x627,0x654,0x623}, {0x627,0x655,0x625},
    {0x648,0x654,0x624}, {0x64A,0x654,0x626}, {0x6C1,0x654,0x6C2}, {0x6D2,0x654,0x6D3}, {0x6D5,0x654,0x6C0},
    {0x928,0x93C,0x929}, {0x930,0x93C,0x931}, {0x933,0x93C,0x934}, {0x9C7,0x9BE,0x9CB}, {0x9C7,0x9D7,0x9CC},
    {0xB47,0xB3E,0xB4B}, {0xB47,0xB56,0xB48}, {0xB47,0xB57,0xB4C}, {0xB92,0xBD7,0xB94}, {0xBC6,0xBBE,0xBCA},
    {0xBC6,0xBD7,0xBCC}, {0xBC7,0xBBE,0xBCB}, {0xC46,0xC56,0xC48}, {0xCBF,0xCD5,0xCC0}, {0xCC6,0xCC2,0xCCA},
    {0xCC6,0xCD5,0xCC7}, {0xCC6,0xCD6,0xCC8}, {0xCCA,0xCD5,0xCCB}, {0xD46,0xD3E,0xD4A}, {0xD46,0xD57,0xD4C},
    {0xD47,0xD3E,0xD4B}, {0xDD9,0xDCA,0xDDA}, {0xDD9,0xDCF,0xDDC}, {0xDD9,0xDDF,0xDDE}, {0xDDC,0xDCA,0xDDD},
    {0x1025,0x102E,0x1026}, {0x1B05,0x1B35,0x1B06}, {0x1B07,0x1B35,0x1B08}, {0x1B09,0x1B35,0x1B0A}, {0x1B0B,0x1B35,0x1B0C},
    {0x1B0D,0x1B35,0x1B0E}, {0x1B11,0x1B35,0x1B12}, {0x1B3A,0x1B35,0x1B3B}, {0x1B3C,0x1B35,0x1B3D}, {0x1B3E,0x1B35,0x1B40},
    {0x1B3F,0x1B35,0x1B41}, {0x1B42,0x1B35,0x1B43}, {0x1E36,0x304,0x1E38}, {0x1E37,0x304,0x1E39}, {0x1E5A,0x304,0x1E5C},
    {0x1E5B,0x304,0x1E5D}, {0x1E62,0x307,0x1E68}, {0x1E63,0x307,0x1E69}, {0x1EA0,0x302,0x1EAC}, {0x1EA0,0x306,0x1EB6},
    {0x1EA1,0x302,0x1EAD}, {0x1EA1,0x306,0x1EB7}, {0x1EB8,0x302,0x1EC6}, {0x1EB9,0x302,0x1EC7}, {0x1ECC,0x302,0x1ED8},
    {0x1ECD,0x302,0x1ED9}, {0x1F00,0x300,0x1F02}, {0x1F00,0x301,0x1F04}, {0x1F00,0x342,0x1F06}, {0x1F00,0x345,0x1F80},
    {0x1F01,0x300,0x1F03}, {0x1F01,0x301,0x1F05}, {0x1F01,0x342,0x1F07}, {0x1F01,0x345,0x1F81}, {0x1F02,0x345,0x1F82},
    {0x1F03,0x345,0x1F83}, {0x1F04,0x345,0x1F84}, {0x1F05,0x345,0x1F85}, {0x1F06,0x345,0x1F86}, {0x1F07,0x345,0x1F87},
    {0x1F08,0x300,0x1F0A}, {0x1F08,0x301,0x1F0C}, {0x1F08,0x342,0x1F0E}, {0x1F08,0x345,0x1F88}, {0x1F09,0x300,0x1F0B},
    {0x1F09,0x301,0x1F0D}, {0x1F09,0x342,0x1F0F}, {0x1F09,0x345,0x1F89}, {0x1F0A,0x345,0x1F8A}, {0x1F0B,0x345,0x1F8B},
    {0x1F0C,0x345,0x1F8C}, {0x1F0D,0x345,0x1F8D}, {0x1F0E,0x345,0x1F8E}, {0x1F0F,0x345,0x1F8F}, {0x1F10,0x300,0x1F12},
    {0x1F10,0x301,0x1F14}, {0x1F11,0x300,0x1F13}, {0x1F11,0x301,0x1F15}, {0x1F18,0x300,0x1F1A}, {0x1F18,0x301,0x1F1C},
    {0x1F19,0x300,0x1F1B}, {0x1F19,0x301,0x1F1D}, {0x1F20,0x300,0x1F22}, {0x1F20,0x301,0x1F24}, {0x1F20,0x342,0x1F26},
    {0x1F20,0x345,0x1F90}, {0x1F21,0x300,0x1F23}, {0x1F21,0x301,0x1F25}, {0x1F21,0x342,0x1F27}, {0x1F21,0x345,0x1F91},
    {0x1F22,0x345,0x1F92}, {0x1F23,0x345,0x1F93}, {0x1F24,0x345,0x1F94}, {0x1F25,0x345,0x1F95}, {0x1F26,0x345,0x1F96},
    {0x1F27,0x345,0x1F97}, {0x1F28,0x300,0x1F2A}, {0x1F28,0x301,0x1F2C}, {0x1F28,0x342,0x1F2E}, {0x1F28,0x345,0x1F98},
    {0x1F29,0x300,0x1F2B}, {0x1F29,0x301,0x1F2D}, {0x1F29,0x342,0x1F2F}, {0x1F29,0x345,0x1F99}, {0x1F2A,0x345,0x1F9A},
    {0x1F2B,0x345,0x1F9B}, {0x1F2C,0x345,0x1F9C}, {0x1F2D,0x345,0x1F9D}, {0x1F2E,0x345,0x1F9E}, {0x1F2F,0x345,0x1F9F},
    {0x1F30,0x300,0x1F32}, {0x1F30,0x301,0x1F34}, {0x1F30,0x342,0x1F36}, {0x1F31,0x300,0x1F33}, {0x1F31,0x301,0x1F35},
    {0x1F31,0x342,0x1F37}, {0x1F38,0x300,0x1F3A}, {0x1F38,0x301,0x1F3C}, {0x1F38,0x342,0x1F3E}, {0x1F39,0x300,0x1F3B},
    {0x1F39,0x301,0x1F3D}, {0x1F39,0x342,0x1F3F}, {0x1F40,0x300,0x1F42}, {0x1F40,0x301,0x1F44}, {0x1F41,0x300,0x1F43},
    {0x1F41,0x301,0x1F45}, {0x1F48,0x300,0x1F4A}, {0x1F48,0x301,0x1F4C}, {0x1F49,0x300,0x1F4B}, {0x1F49,0x301,0x1F4D},
    {0x1F50,0x300,0x1F52}, {0x1F50,0x301,0x1F54}, {0x1F50,0x342,0x1F56}, {0x1F51,0x300,0x1F53}, {0x1F51,0x301,0x1F55},
    {0x1F51,0x342,0x1F57}, {0x1F59,0x300,0x1F5B}, {0x1F59,0x301,0x1F5D}, {0x1F59,0x342,0x1F5F}, {0x1F60,0x300,0x1F62},
    {0x1F60,0x301,0x1F64}, {0x1F60,0x342,0x1F66}, {0x1F60,0x345,0x1FA0}, {0x1F61,0x300,0x1F63}, {0x1F61,0x301,0x1F65},
    {0x1F61,0x342,0x1F67}, {0x1F61,0x345,0x1FA1}, {0x1F62,0x345,0x1FA2}, {0x1F63,0x345,0x1FA3}, {0x1F64,0x345,0x1FA4},
    {0x1F65,0x345,0x1FA5}, {0x1F66,0x345,0x1FA6}, {0x1F67,0x345,0x1FA7}, {0x1F68,0x300,0x1F6A}, {0x1F68,0x301,0x1F6C},
    {0x1F68,0x342,0x1F6E}, {0x1F68,0x345,0x1FA8}, {0x1F69,0x300,0x1F6B}, {0x1F69,0x301,0x1F6D}, {0x1F69,0x342,0x1F6F},
    {0x1F69,0x345,0x1FA9}, {0x1F6A,0x345,0x1FAA}, {0x1F6B,0x345,0x1FAB}, {0x1F6C,0x345,0x1FAC}, {0x1F6D,0x345,0x1FAD},
    {0x1F6E,0x345,0x1FAE}, {0x1F6F,0x345,0x1FAF}, {0x1F70,0x345,0x1FB2}, {0x1F74,0x345,0x1FC2}, {0x1F7C,0x345,0x1FF2},
    {0x1FB6,0x345,0x1FB7}, {0x1FBF,0x300,0x1FCD}, {0x1FBF,0x301,0x1FCE}, {0x1FBF,0x342,0x1FCF}, {0x1FC6,0x345,0x1FC7},
    {0x1FF6,0x345,0x1FF7}, {0x1FFE,0x300,0x1FDD}, {0x1FFE,0x301,0x1FDE}, {0x1FFE,0x342,0x1FDF}, {0x2190,0x338,0x219A},
    {0x2192,0x338,0x219B}, {0x2194,0x338,0x21AE}, {0x21D0,0x338,0x21CD}, {0x21D2,0x338,0x21CF}, {0x21D4,0x338,0x21CE},
    {0x2203,0x338,0x2204}, {0x2208,0x338,0x2209}, {0x220B,0x338,0x220C}, {0x2223,0x338,0x2224}, {0x2225,0x338,0x2226},
    {0x223C,0x338,0x2241}, {0x2243,0x338,0x2244}, {0x2245,0x338,0x2247}, {0x2248,0x338,0x2249}, {0x224D,0x338,0x226D},
    {0x2261,0x338,0x2262}, {0x2264,0x338,0x2270}, {0x2265,0x338,0x2271}, {0x2272,0x338,0x2274}, {0x2273,0x338,0x2275},
    {0x2276,0x338,0x2278}, {0x2277,0x338,0x2279}, {0x227A,0x338,0x2280}, {0x227B,0x338,0x2281}, {0x227C,0x338,0x22E0},
    {0x227D,0x338,0x22E1}, {0x2282,0x338,0x2284}, {0x2283,0x338,0x2285}, {0x2286,0x338,0x2288}, {0x2287,0x338,0x2289},
    {0x2291,0x338,0x22E2}, {0x2292,0x338,0x22E3}, {0x22A2,0x338,0x22AC}, {0x22A8,0x338,0x22AD}, {0x22A9,0x338,0x22AE},
    {0x22AB,0x338,0x22AF}, {0x22B2,0x338,0x22EA}, {0x22B3,0x338,0x22EB}, {0x22B4,0x338,0x22EC}, {0x22B5,0x338,0x22ED},
    {0x3046,0x3099,0x3094}, {0x304B,0x3099,0x304C}, {0x304D,0x3099,0x304E}, {0x304F,0x3099,0x3050}, {0x3051,0x3099,0x3052},
    {0x3053,0x3099,0x3054}, {0x3055,0x3099,0x3056}, {0x3057,0x3099,0x3058}, {0x3059,0x3099,0x305A}, {0x305B,0x3099,0x305C},
    {0x305D,0x3099,0x305E}, {0x305F,0x3099,0x3060}, {0x3061,0x3099,0x3062}, {0x3064,0x3099,0x3065}, {0x3066,0x3099,0x3067},
    {0x3068,0x3099,0x3069}, {0x306F,0x3099,0x3070}, {0x306F,0x309A,0x3071}, {0x3072,0x3099,0x3073}, {0x3072,0x309A,0x3074},
    {0x3075,0x3099,0x3076}, {0x3075,0x309A,0x3077}, {0x3078,0x3099,0x3079}, {0x3078,0x309A,0x307A}, {0x307B,0x3099,0x307C},
    {0x307B,0x309A,0x307D}, {0x309D,0x3099,0x309E}, {0x30A6,0x3099,0x30F4}, {0x30AB,0x3099,0x30AC}, {0x30AD,0x3099,0x30AE},
    {0x30AF,0x3099,0x30B0}, {0x30B1,0x3099,0x30B2}, {0x30B3,0x3099,0x30B4}, {0x30B5,0x3099,0x30B6}, {0x30B7,0x3099,0x30B8},
    {0x30B9,0x3099,0x30BA}, {0x30BB,0x3099,0x30BC}, {0x30BD,0x3099,0x30BE}, {0x30BF,0x3099,0x30C0}, {0x30C1,0x3099,0x30C2},
    {0x30C4,0x3099,0x30C5}, {0x30C6,0x3099,0x30C7}, {0x30C8,0x3099,0x30C9}, {0x30CF,0x3099,0x30D0}, {0x30CF,0x309A,0x30D1},
    {0x30D2,0x3099,0x30D3}, {0x30D2,0x309A,0x30D4}, {0x30D5,0x3099,0x30D6}, {0x30D5,0x309A,0x30D7}, {0x30D8,0x3099,0x30D9},
    {0x30D8,0x309A,0x30DA}, {0x30DB,0x3099,0x30DC}, {0x30DB,0x309A,0x30DD}, {0x30EF,0x3099,0x30F7}, {0x30F0,0x3099,0x30F8},
    {0x30F1,0x3099,0x30F9}, {0x30F2,0x3099,0x30FA}, {0x30FD,0x3099,0x30FE}, {0x11099,0x110BA,0x1109A}, {0x1109B,0x110BA,0x1109C},
    {0x110A5,0x110BA,0x110AB}, {0x11131,0x11127,0x1112E}, {0x11132,0x11127,0x1112F}, {0x11347,0x1133E,0x1134B}, {0x11347,0x11357,0x1134C},
    {0x114B9,0x114B0,0x114BC}, {0x114B9,0x114BA,0x114BB}, {0x114B9,0x114BD,0x114BE}, {0x115B8,0x115AF,0x115BA}, {0x115B9,0x115AF,0x115BB},
    {0x11935,0x11930,0x11938},
};
static const uint32_t hl__uc_letter[][2] = {
    {0x41,0x5A}, {0x61,0x7A}, {0xAA,0xAA}, {0xB5,0xB5}, {0xBA,0xBA}, {0xC0,0xD6},
    {0xD8,0xF6}, {0xF8,0x2C1}, {0x2C6,0x2D1}, {0x2E0,0x2E4}, {0x2EC,0x2EC}, {0x2EE,0x2EE},
    {0x370,0x374}, {0x376,0x377}, {0x37A,0x37D}, {0x37F,0x37F}, {0x386,0x386}, {0x388,0x38A},
    {0x38C,0x38C}, {0x38E,0x3A1}, {0x3A3,0x3F5}, {0x3F7,0x481}, {0x48A,0x52F}, {0x531,0x556},
    {0x559,0x559}, {0x560,0x588}, {0x5D0,0x5EA}, {0x5EF,0x5F2}, {0x620,0x64A}, {0x66E,0x66F},
    {0x671,0x6D3}, {0x6D5,0x6D5}, {0x6E5,0x6E6}, {0x6EE,0x6EF}, {0x6FA,0x6FC}, {0x6FF,0x6FF},
    {0x710,0x710}, {0x712,0x72F}, {0x74D,0x7A5}, {0x7B1,0x7B1}, {0x7CA,0x7EA}, {0x7F4,0x7F5},
    {0x7FA,0x7FA}, {0x800,0x815}, {0x81A,0x81A}, {0x824,0x824}, {0x828,0x828}, {0x840,0x858},
    {0x860,0x86A}, {0x870,0x887}, {0x889,0x88E}, {0x8A0,0x8C9}, {0x904,0x939}, {0x93D,0x93D},
    {0x950,0x950}, {0x958,0x961}, {0x971,0x980}, {0x985,0x98C}, {0x98F,0x990}, {0x993,0x9A8},
    {0x9AA,0x9B0}, {0x9B2,0x9B2}, {0x9B6,0x9B9}, {0x9BD,0x9BD}, {0x9CE,0x9CE}, {0x9DC,0x9DD},
    {0x9DF,0x9E1}, {0x9F0,0x9F1}, {0x9FC,0x9FC}, {0xA05,0xA0A}, {0xA0F,0xA10}, {0xA13,0xA28},
    {0xA2A,0xA30}, {0xA32,0xA33}, {0xA35,0xA36}, {0xA38,0xA39}, {0xA59,0xA5C}, {0xA5E,0xA5E},
    {0xA72,0xA74}, {0xA85,0xA8D}, {0xA8F,0xA91}, {0xA93,0xAA8}, {0xAAA,0xAB0}, {0xAB2,0xAB3},
    {0xAB5,0xAB9}, {0xABD,0xABD}, {0xAD0,0xAD0}, {0xAE0,0xAE1}, {0xAF9,0xAF9}, {0xB05,0xB0C},
    {0xB0F,0xB10}, {0xB13,0xB28}, {0xB2A,0xB30}, {0xB32,0xB33}, {0xB35,0xB39}, {0xB3D,0xB3D},
    {0xB5C,0xB5D}, {0xB5F,0xB61}, {0xB71,0xB71}, {0xB83,0xB83}, {0xB85,0xB8A}, {0xB8E,0xB90},
    {0xB92,0xB95}, {0xB99,0xB9A}, {0xB9C,0xB9C}, {0xB9E,0xB9F}, {0xBA3,0xBA4}, {0xBA8,0xBAA},
    {0xBAE,0xBB9}, {0xBD0,0xBD0}, {0xC05,0xC0C}, {0xC0E,0xC10}, {0xC12,0xC28}, {0xC2A,0xC39},
    {0xC3D,0xC3D}, {0xC58,0xC5A}, {0xC5D,0xC5D}, {0xC60,0xC61}, {0xC80,0xC80}, {0xC85,0xC8C},
    {0xC8E,0xC90}, {0xC92,0xCA8}, {0xCAA,0xCB3}, {0xCB5,0xCB9}, {0xCBD,0xCBD}, {0xCDD,0xCDE},
    {0xCE0,0xCE1}, {0xCF1,0xCF2}, {0xD04,0xD0C}, {0xD0E,0xD10}, {0xD12,0xD3A}, {0xD3D,0xD3D},
    {0xD4E,0xD4E}, {0xD54,0xD56}, {0xD5F,0xD61}, {0xD7A,0xD7F}, {0xD85,0xD96}, {0xD9A,0xDB1},
    {0xDB3,0xDBB}, {0xDBD,0xDBD}, {0xDC0,0xDC6}, {0xE01,0xE30}, {0xE32,0xE33}, {0xE40,0xE46},
    {0xE81,0xE82}, {0xE84,0xE84}, {0xE86,0xE8A}, {0xE8C,0xEA3}, {0xEA5,0xEA5}, {0xEA7,0xEB0},
    {0xEB2,0xEB3}, {0xEBD,0xEBD}, {0xEC0,0xEC4}, {0xEC6,0xEC6}, {0xEDC,0xEDF}, {0xF00,0xF00},
    {0xF40,0xF47}, {0xF49,0xF6C}, {0xF88,0xF8C}, {0x1000,0x102A}, {0x103F,0x103F}, {0x1050,0x1055},
    {0x105A,0x105D}, {0x1061,0x1061}, {0x1065,0x1066}, {0x106E,0x1070}, {0x1075,0x1081}, {0x108E,0x108E},
    {0x10A0,0x10C5}, {0x10C7,0x10C7}, {0x10CD,0x10CD}, {0x10D0,0x10FA}, {0x10FC,0x1248}, {0x124A,0x124D},
    {0x1250,0x1256}, {0x1258,0x1258}, {0x125A,0x125D}, {0x1260,0x1288}, {0x128A,0x128D}, {0x1290,0x12B0},
    {0x12B2,0x12B5}, {0x12B8,0x12BE}, {0x12C0,0x12C0}, {0x12C2,0x12C5}, {0x12C8,0x12D6}, {0x12D8,0x1310},
    {0x1312,0x1315}, {0x1318,0x135A}, {0x1380,0x138F}, {0x13A0,0x13F5}, {0x13F8,0x13FD}, {0x1401,0x166C},
    {0x166F,0x167F}, {0x1681,0x169A}, {0x16A0,0x16EA}, {0x16F1,0x16F8}, {0x1700,0x1711}, {0x171F,0x1731},
    {0x1740,0x1751}, {0x1760,0x176C}, {0x176E,0x1770}, {0x1780,0x17B3}, {0x17D7,0x17D7}, {0x17DC,0x17DC},
    {0x1820,0x1878}, {0x1880,0x1884}, {0x1887,0x18A8}, {0x18AA,0x18AA}, {0x18B0,0x18F5}, {0x1900,0x191E},
    {0x1950,0x196D}, {0x1970,0x1974}, {0x1980,0x19AB}, {0x19B0,0x19C9}, {0x1A00,0x1A16}, {0x1A20,0x1A54},
    {0x1AA7,0x1AA7}, {0x1B05,0x1B33}, {0x1B45,0x1B4C}, {0x1B83,0x1BA0}, {0x1BAE,0x1BAF}, {0x1BBA,0x1BE5},
    {0x1C00,0x1C23}, {0x1C4D,0x1C4F}, {0x1C5A,0x1C7D}, {0x1C80,0x1C88}, {0x1C90,0x1CBA}, {0x1CBD,0x1CBF},
    {0x1CE9,0x1CEC}, {0x1CEE,0x1CF3}, {0x1CF5,0x1CF6}, {0x1CFA,0x1CFA}, {0x1D00,0x1DBF}, {0x1E00,0x1F15},
    {0x1F18,0x1F1D}, {0x1F20,0x1F45}, {0x1F48,0x1F4D}, {0x1F50,0x1F57}, {0x1F59,0x1F59}, {0x1F5B,0x1F5B},
    {0x1F5D,0x1F5D}, {0x1F5F,0x1F7D}, {0x1F80,0x1FB4}, {0x1FB6,0x1FBC}, {0x1FBE,0x1FBE}, {0x1FC2,0x1FC4},
    {0x1FC6,0x1FCC}, {0x1FD0,0x1FD3}, {0x1FD6,0x1FDB}, {0x1FE0,0x1FEC}, {0x1FF2,0x1FF4}, {0x1FF6,0x1FFC},
    {0x2071,0x2071}, {0x207F,0x207F}, {0x2090,0x209C}, {0x2102,0x2102}, {0x2107,0x2107}, {0x210A,0x2113},
    {0x2115,0x2115}, {0x2119,0x211D}, {0x2124,0x2124}, {0x2126,0x2126}, {0x2128,0x2128}, {0x212A,0x212D},
    {0x212F,0x2139}, {0x213C,0x213F}, {0x2145,0x2149}, {0x214E,0x214E}, {0x2183,0x2184}, {0x2C00,0x2CE4},
    {0x2CEB,0x2CEE}, {0x2CF2,0x2CF3}, {0x2D00,0x2D25}, {0x2D27,0x2D27}, {0x2D2D,0x2D2D}, {0x2D30,0x2D67},
    {0x2D6F,0x2D6F}, {0x2D80,0x2D96}, {0x2DA0,0x2DA6}, {0x2DA8,0x2DAE}, {0x2DB0,0x2DB6}, {0x2DB8,0x2DBE},
    {0x2DC0,0x2DC6}, {0x2DC8,0x2DCE}, {0x2DD0,0x2DD6}, {0x2DD8,0x2DDE}, {0x2E2F,0x2E2F}, {0x3005,0x3006},
    {0x3031,0x3035}, {0x303B,0x303C}, {0x3041,0x3096}, {0x309D,0x309F}, {0x30A1,0x30FA}, {0x30FC,0x30FF},
    {0x3105,0x312F}, {0x3131,0x318E}, {0x31A0,0x31BF}, {0x31F0,0x31FF}, {0x3400,0x4DBF}, {0x4E00,0xA48C},
    {0xA4D0,0xA4FD}, {0xA500,0xA60C}, {0xA610,0xA61F}, {0xA62A,0xA62B}, {0xA640,0xA66E}, {0xA67F,0xA69D},
    {0xA6A0,0xA6E5}, {0xA717,0xA71F}, {0xA722,0xA788}, {0xA78B,0xA7CA}, {0xA7D0,0xA7D1}, {0xA7D3,0xA7D3},
    {0xA7D5,0xA7D9}, {0xA7F2,0xA801}, {0xA803,0xA805}, {0xA807,0xA80A}, {0xA80C,0xA822}, {0xA840,0xA873},
    {0xA882,0xA8B3}, {0xA8F2,0xA8F7}, {0xA8FB,0xA8FB}, {0xA8FD,0xA8FE}, {0xA90A,0xA925}, {0xA930,0xA946},
    {0xA960,0xA97C}, {0xA984,0xA9B2}, {0xA9CF,0xA9CF}, {0xA9E0,0xA9E4}, {0xA9E6,0xA9EF}, {0xA9FA,0xA9FE},
    {0xAA00,0xAA28}, {0xAA40,0xAA42}, {0xAA44,0xAA4B}, {0xAA60,0xAA76}, {0xAA7A,0xAA7A}, {0xAA7E,0xAAAF},
    {0xAAB1,0xAAB1}, {0xAAB5,0xAAB6}, {0xAAB9,0xAABD}, {0xAAC0,0xAAC0}, {0xAAC2,0xAAC2}, {0xAADB,0xAADD},
    {0xAAE0,0xAAEA}, {0xAAF2,0xAAF4}, {0xAB01,0xAB06}, {0xAB09,0xAB0E}, {0xAB11,0xAB16}, {0xAB20,0xAB26},
    {0xAB28,0xAB2E}, {0xAB30,0xAB5A}, {0xAB5C,0xAB69}, {0xAB70,0xABE2}, {0xAC00,0xD7A3}, {0xD7B0,0xD7C6},
    {0xD7CB,0xD7FB}, {0xF900,0xFA6D}, {0xFA70,0xFAD9}, {0xFB00,0xFB06}, {0xFB13,0xFB17}, {0xFB1D,0xFB1D},
    {0xFB1F,0xFB28}, {0xFB2A,0xFB36}, {0xFB38,0xFB3C}, {0xFB3E,0xFB3E}, {0xFB40,0xFB41}, {0xFB43,0xFB44},
    {0xFB46,0xFBB1}, {0xFBD3,0xFD3D}, {0xFD50,0xFD8F}, {0xFD92,0xFDC7}, {0xFDF0,0xFDFB}, {0xFE70,0xFE74},
    {0xFE76,0xFEFC}, {0xFF21,0xFF3A}, {0xFF41,0xFF5A}, {0xFF66,0xFFBE}, {0xFFC2,0xFFC7}, {0xFFCA,0xFFCF},
    {0xFFD2,0xFFD7}, {0xFFDA,0xFFDC}, {0x10000,0x1000B}, {0x1000D,0x10026}, {0x10028,0x1003A}, {0x1003C,0x1003D},
    {0x1003F,0x1004D}, {0x10050,0x1005D}, {0x10080,0x100FA}, {0x10280,0x1029C}, {0x102A0,0x102D0}, {0x10300,0x1031F},
    {0x1032D,0x10340}, {0x10342,0x10349}, {0x10350,0x10375}, {0x10380,0x1039D}, {0x103A0,0x103C3}, {0x103C8,0x103CF},
    {0x10400,0x1049D}, {0x104B0,0x104D3}, {0x104D8,0x104FB}, {0x10500,0x10527}, {0x10530,0x10563}, {0x10570,0x1057A},
    {0x1057C,0x1058A}, {0x1058C,0x10592}, {0x10594,0x10595}, {0x10597,0x105A1}, {0x105A3,0x105B1}, {0x105B3,0x105B9},
    {0x105BB,0x105BC}, {0x10600,0x10736}, {0x10740,0x10755}, {0x10760,0x10767}, {0x10780,0x10785}, {0x10787,0x107B0},
    {0x107B2,0x107BA}, {0x10800,0x10805}, {0x10808,0x10808}, {0x1080A,0x10835}, {0x10837,0x10838}, {0x1083C,0x1083C},
    {0x1083F,0x10855}, {0x10860,0x10876}, {0x10880,0x1089E}, {0x108E0,0x108F2}, {0x108F4,0x108F5}, {0x10900,0x10915},
    {0x10920,0x10939}, {0x10980,0x109B7}, {0x109BE,0x109BF}, {0x10A00,0x10A00}, {0x10A10,0x10A13}, {0x10A15,0x10A17},
    {0x10A19,0x10A35}, {0x10A60,0x10A7C}, {0x10A80,0x10A9C}, {0x10AC0,0x10AC7}, {0x10AC9,0x10AE4}, {0x10B00,0x10B35},
    {0x10B40,0x10B55}, {0x10B60,0x10B72}, {0x10B80,0x10B91}, {0x10C00,0x10C48}, {0x10C80,0x10CB2}, {0x10CC0,0x10CF2},
    {0x10D00,0x10D23}, {0x10E80,0x10EA9}, {0x10EB0,0x10EB1}, {0x10F00,0x10F1C}, {0x10F27,0x10F27}, {0x10F30,0x10F45},
    {0x10F70,0x10F81}, {0x10FB0,0x10FC4}, {0x10FE0,0x10FF6}, {0x11003,0x11037}, {0x11071,0x11072}, {0x11075,0x11075},
    {0x11083,0x110AF}, {0x110D0,0x110E8}, {0x11103,0x11126}, {0x11144,0x11144}, {0x11147,0x11147}, {0x11150,0x11172},
    {0x11176,0x11176}, {0x11183,0x111B2}, {0x111C1,0x111C4}, {0x111DA,0x111DA}, {0x111DC,0x111DC}, {0x11200,0x11211},
    {0x11213,0x1122B}, {0x1123F,0x11240}, {0x11280,0x11286}, {0x11288,0x11288}, {0x1128A,0x1128D}, {0x1128F,0x1129D},
    {0x1129F,0x112A8}, {0x112B0,0x112DE}, {0x11305,0x1130C}, {0x1130F,0x11310}, {0x11313,0x11328}, {0x1132A,0x11330},
    {0x11332,0x11333}, {0x11335,0x11339}, {0x1133D,0x1133D}, {0x11350,0x11350}, {0x1135D,0x11361}, {0x11400,0x11434},
    {0x11447,0x1144A}, {0x1145F,0x11461}, {0x11480,0x114AF}, {0x114C4,0x114C5}, {0x114C7,0x114C7}, {0x11580,0x115AE},
    {0x115D8,0x115DB}, {0x11600,0x1162F}, {0x11644,0x11644}, {0x11680,0x116AA}, {0x116B8,0x116B8}, {0x11700,0x1171A},
    {0x11740,0x11746}, {0x11800,0x1182B}, {0x118A0,0x118DF}, {0x118FF,0x11906}, {0x11909,0x11909}, {0x1190C,0x11913},
    {0x11915,0x11916}, {0x11918,0x1192F}, {0x1193F,0x1193F}, {0x11941,0x11941}, {0x119A0,0x119A7}, {0x119AA,0x119D0},
    {0x119E1,0x119E1}, {0x119E3,0x119E3}, {0x11A00,0x11A00}, {0x11A0B,0x11A32}, {0x11A3A,0x11A3A}, {0x11A50,0x11A50},
    {0x11A5C,0x11A89}, {0x11A9D,0x11A9D}, {0x11AB0,0x11AF8}, {0x11C00,0x11C08}, {0x11C0A,0x11C2E}, {0x11C40,0x11C40},
    {0x11C72,0x11C8F}, {0x11D00,0x11D06}, {0x11D08,0x11D09}, {0x11D0B,0x11D30}, {0x11D46,0x11D46}, {0x11D60,0x11D65},
    {0x11D67,0x11D68}, {0x11D6A,0x11D89}, {0x11D98,0x11D98}, {0x11EE0,0x11EF2}, {0x11F02,0x11F02}, {0x11F04,0x11F10},
    {0x11F12,0x11F33}, {0x11FB0,0x11FB0}, {0x12000,0x12399}, {0x12480,0x12543}, {0x12F90,0x12FF0}, {0x13000,0x1342F},
    {0x13441,0x13446}, {0x14400,0x14646}, {0x16800,0x16A38}, {0x16A40,0x16A5E}, {0x16A70,0x16ABE}, {0x16AD0,0x16AED},
    {0x16B00,0x16B2F}, {0x16B40,0x16B43}, {0x16B63,0x16B77}, {0x16B7D,0x16B8F}, {0x16E40,0x16E7F}, {0x16F00,0x16F4A},
    {0x16F50,0x16F50}, {0x16F93,0x16F9F}, {0x16FE0,0x16FE1}, {0x16FE3,0x16FE3}, {0x17000,0x187F7}, {0x18800,0x18CD5},
    {0x18D00,0x18D08}, {0x1AFF0,0x1AFF3}, {0x1AFF5,0x1AFFB}, {0x1AFFD,0x1AFFE}, {0x1B000,0x1B122}, {0x1B132,0x1B132},
    {0x1B150,0x1B152}, {0x1B155,0x1B155}, {0x1B164,0x1B167}, {0x1B170,0x1B2FB}, {0x1BC00,0x1BC6A}, {0x1BC70,0x1BC7C},
    {0x1BC80,0x1BC88}, {0x1BC90,0x1BC99}, {0x1D400,0x1D454}, {0x1D456,0x1D49C}, {0x1D49E,0x1D49F}, {0x1D4A2,0x1D4A2},
    {0x1D4A5,0x1D4A6}, {0x1D4A9,0x1D4AC}, {0x1D4AE,0x1D4B9}, {0x1D4BB,0x1D4BB}, {0x1D4BD,0x1D4C3}, {0x1D4C5,0x1D505},
    {0x1D507,0x1D50A}, {0x1D50D,0x1D514}, {0x1D516,0x1D51C}, {0x1D51E,0x1D539}, {0x1D53B,0x1D53E}, {0x1D540,0x1D544},
    {0x1D546,0x1D546}, {0x1D54A,0x1D550}, {0x1D552,0x1D6A5}, {0x1D6A8,0x1D6C0}, {0x1D6C2,0x1D6DA}, {0x1D6DC,0x1D6FA},
    {0x1D6FC,0x1D714}, {0x1D716,0x1D734}, {0x1D736,0x1D74E}, {0x1D750,0x1D76E}, {0x1D770,0x1D788}, {0x1D78A,0x1D7A8},
    {0x1D7AA,0x1D7C2}, {0x1D7C4,0x1D7CB}, {0x1DF00,0x1DF1E}, {0x1DF25,0x1DF2A}, {0x1E030,0x1E06D}, {0x1E100,0x1E12C},
    {0x1E137,0x1E13D}, {0x1E14E,0x1E14E}, {0x1E290,0x1E2AD}, {0x1E2C0,0x1E2EB}, {0x1E4D0,0x1E4EB}, {0x1E7E0,0x1E7E6},
    {0x1E7E8,0x1E7EB}, {0x1E7ED,0x1E7EE}, {0x1E7F0,0x1E7FE}, {0x1E800,0x1E8C4}, {0x1E900,0x1E943}, {0x1E94B,0x1E94B},
    {0x1EE00,0x1EE03}, {0x1EE05,0x1EE1F}, {0x1EE21,0x1EE22}, {0x1EE24,0x1EE24}, {0x1EE27,0x1EE27}, {0x1EE29,0x1EE32},
    {0x1EE34,0x1EE37}, {0x1EE39,0x1EE39}, {0x1EE3B,0x1EE3B}, {0x1EE42,0x1EE42}, {0x1EE47,0x1EE47}, {0x1EE49,0x1EE49},
    {0x1EE4B,0x1EE4B}, {0x1EE4D,0x1EE4F}, {0x1EE51,0x1EE52}, {0x1EE54,0x1EE54}, {0x1EE57,0x1EE57}, {0x1EE59,0x1EE59},
    {0x1EE5B,0x1EE5B}, {0x1EE5D,0x1EE5D}, {0x1EE5F,0x1EE5F}, {0x1EE61,0x1EE62}, {0x1EE64,0x1EE64}, {0x1EE67,0x1EE6A},
    {0x1EE6C,0x1EE72}, {0x1EE74,0x1EE77}, {0x1EE79,0x1EE7C}, {0x1EE7E,0x1EE7E}, {0x1EE80,0x1EE89}, {0x1EE8B,0x1EE9B},
    {0x1EEA1,0x1EEA3}, {0x1EEA5,0x1EEA9}, {0x1EEAB,0x1EEBB}, {0x20000,0x2A6DF}, {0x2A700,0x2B739}, {0x2B740,0x2B81D},
    {0x2B820,0x2CEA1}, {0x2CEB0,0x2EBE0}, {0x2F800,0x2FA1D}, {0x30000,0x3134A}, {0x31350,0x323AF},
};
static const uint32_t hl__uc_number[][2] = {
    {0x30,0x39}, {0xB2,0xB3}, {0xB9,0xB9}, {0xBC,0xBE}, {0x660,0x669}, {0x6F0,0x6F9},
    {0x7C0,0x7C9}, {0x966,0x96F}, {0x9E6,0x9EF}, {0x9F4,0x9F9}, {0xA66,0xA6F}, {0xAE6,0xAEF},
    {0xB66,0xB6F}, {0xB72,0xB77}, {0xBE6,0xBF2}, {0xC66,0xC6F}, {0xC78,0xC7E}, {0xCE6,0xCEF},
    {0xD58,0xD5E}, {0xD66,0xD78}, {0xDE6,0xDEF}, {0xE50,0xE59}, {0xED0,0xED9}, {0xF20,0xF33},
    {0x1040,0x1049}, {0x1090,0x1099}, {0x1369,0x137C}, {0x16EE,0x16F0}, {0x17E0,0x17E9}, {0x17F0,0x17F9},
    {0x1810,0x1819}, {0x1946,0x194F}, {0x19D0,0x19DA}, {0x1A80,0x1A89}, {0x1A90,0x1A99}, {0x1B50,0x1B59},
    {0x1BB0,0x1BB9}, {0x1C40,0x1C49}, {0x1C50,0x1C59}, {0x2070,0x2070}, {0x2074,0x2079}, {0x2080,0x2089},
    {0x2150,0x2182}, {0x2185,0x2189}, {0x2460,0x249B}, {0x24EA,0x24FF}, {0x2776,0x2793}, {0x2CFD,0x2CFD},
    {0x3007,0x3007}, {0x3021,0x3029}, {0x3038,0x303A}, {0x3192,0x3195}, {0x3220,0x3229}, {0x3248,0x324F},
    {0x3251,0x325F}, {0x3280,0x3289}, {0x32B1,0x32BF}, {0xA620,0xA629}, {0xA6E6,0xA6EF}, {0xA830,0xA835},
    {0xA8D0,0xA8D9}, {0xA900,0xA909}, {0xA9D0,0xA9D9}, {0xA9F0,0xA9F9}, {0xAA50,0xAA59}, {0xABF0,0xABF9},
    {0xFF10,0xFF19}, {0x10107,0x10133}, {0x10140,0x10178}, {0x1018A,0x1018B}, {0x102E1,0x102FB}, {0x10320,0x10323},
    {0x10341,0x10341}, {0x1034A,0x1034A}, {0x103D1,0x103D5}, {0x104A0,0x104A9}, {0x10858,0x1085F}, {0x10879,0x1087F},
    {0x108A7,0x108AF}, {0x108FB,0x108FF}, {0x10916,0x1091B}, {0x109BC,0x109BD}, {0x109C0,0x109CF}, {0x109D2,0x109FF},
    {0x10A40,0x10A48}, {0x10A7D,0x10A7E}, {0x10A9D,0x10A9F}, {0x10AEB,0x10AEF}, {0x10B58,0x10B5F}, {0x10B78,0x10B7F},
    {0x10BA9,0x10BAF}, {0x10CFA,0x10CFF}, {0x10D30,0x10D39}, {0x10E60,0x10E7E}, {0x10F1D,0x10F26}, {0x10F51,0x10F54},
    {0x10FC5,0x10FCB}, {0x11052,0x1106F}, {0x110F0,0x110F9}, {0x11136,0x1113F}, {0x111D0,0x111D9}, {0x111E1,0x111F4},
    {0x112F0,0x112F9}, {0x11450,0x11459}, {0x114D0,0x114D9}, {0x11650,0x11659}, {0x116C0,0x116C9}, {0x11730,0x1173B},
    {0x118E0,0x118F2}, {0x11950,0x11959}, {0x11C50,0x11C6C}, {0x11D50,0x11D59}, {0x11DA0,0x11DA9}, {0x11F50,0x11F59},
    {0x11FC0,0x11FD4}, {0x12400,0x1246E}, {0x16A60,0x16A69}, {0x16AC0,0x16AC9}, {0x16B50,0x16B59}, {0x16B5B,0x16B61},
    {0x16E80,0x16E96}, {0x1D2C0,0x1D2D3}, {0x1D2E0,0x1D2F3}, {0x1D360,0x1D378}, {0x1D7CE,0x1D7FF}, {0x1E140,0x1E149},
    {0x1E2F0,0x1E2F9}, {0x1E4F0,0x1E4F9}, {0x1E8C7,0x1E8CF}, {0x1E950,0x1E959}, {0x1EC71,0x1ECAB}, {0x1ECAD,0x1ECAF},
    {0x1ECB1,0x1ECB4}, {0x1ED01,0x1ED2D}, {0x1ED2F,0x1ED3D}, {0x1F100,0x1F10C}, {0x1FBF0,0x1FBF9},
};
static const uint32_t hl__uc_space[][2] = {
    {0x9,0xD}, {0x20,0x20}, {0x85,0x85}, {0xA0,0xA0}, {0x1680,0x1680}, {0x2000,0x200A},
    {0x2028,0x2029}, {0x202F,0x202F}, {0x205F,0x205F}, {0x3000,0x3000},
};
/* <<unicode_tables */

/* ---- UTF-8 ---- */
/* Appends s[0..n) to b with every maximal invalid UTF-8 subpart replaced by U+FFFD, as Rust's
   String::from_utf8_lossy does (used by the ByteLevel decoder). */
static void hl__buf_push_lossy(hl__buf *b, const char *s, size_t n) {
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, run = 0, adv;
    while (i < n) {
        if (p[i] < 0x80 || hl__utf8_next(p + i, n - i, &adv) >= 0) {
            if (p[i] < 0x80) adv = 1;
            i += adv;
            continue;
        }
        hl__buf_push(b, s + run, i - run);
        hl__buf_push(b, "\xEF\xBF\xBD", 3);
        i += adv;
        run = i;
    }
    hl__buf_push(b, s + run, n - run);
}

/* ---- character classes (binary search over the generated range tables) ---- */
static int hl__uc_in(const uint32_t (*r)[2], size_t n, uint32_t cp) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid][0]) hi = mid;
        else if (cp > r[mid][1]) lo = mid + 1;
        else return 1;
    }
    return 0;
}
#define HL__COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* \p{L}: General_Category Lu Ll Lt Lm Lo */
static int hl__uc_is_letter(uint32_t cp) {
    if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    return hl__uc_in(hl__uc_letter, HL__COUNT(hl__uc_letter), cp);
}
/* \p{N}: General_Category Nd Nl No (also Rust's char::is_numeric) */
static int hl__uc_is_number(uint32_t cp) {
    if (cp < 0x80) return cp >= '0' && cp <= '9';
    return hl__uc_in(hl__uc_number, HL__COUNT(hl__uc_number), cp);
}
/* \s: the White_Space property (also Rust's char::is_whitespace) */
static int hl__uc_is_space(uint32_t cp) {
    if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    return hl__uc_in(hl__uc_space, HL__COUNT(hl__uc_space), cp);
}
static unsigned hl__uc_ccc_of(uint32_t cp) {
    size_t lo = 0, hi = HL__COUNT(hl__uc_ccc);
    if (cp < 0x300) return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < hl__uc_ccc[mid][0]) hi = mid;
        else if (cp > hl__uc_ccc[mid][1]) lo = mid + 1;
        else return hl__uc_ccc[mid][2];
    }
    return 0;
}

/* ---- NFC (Unicode Standard Annex #15) ----
   1. canonical decomposition, applied recursively (Hangul syllables algorithmically, UAX #15 / ch. 3.12)
   2. canonical ordering: stable sort of each run of non-starters by combining class
   3. canonical composition: each character C after the last starter S composes with S when
      S + C has a primary composite and C is not blocked (no character between them with ccc 0 or
      ccc >= ccc(C)). */
#define HL__HANGUL_S 0xAC00u
#define HL__HANGUL_L 0x1100u
#define HL__HANGUL_V 0x1161u
#define HL__HANGUL_T 0x11A7u
#define HL__HANGUL_NL 19u
#define HL__HANGUL_NV 21u
#define HL__HANGUL_NT 28u
#define HL__HANGUL_NS (HL__HANGUL_NL * HL__HANGUL_NV * HL__HANGUL_NT)

static long hl__uc_decomp_find(uint32_t cp) {
    size_t lo = 0, hi = HL__COUNT(hl__uc_decomp);
    if (cp < 0xC0) return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < hl__uc_decomp[mid][0]) hi = mid;
        else if (cp > hl__uc_decomp[mid][0]) lo = mid + 1;
        else return (long)mid;
    }
    return -1;
}

/* Appends the full canonical decomposition of cp to *v (a growing uint32 array). Returns 0 on OOM. */
static int hl__uc_push_cp(uint32_t **v, size_t *n, size_t *cap, uint32_t cp) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        uint32_t *p = (uint32_t *)hl__realloc(*v, nc * sizeof(uint32_t));
        if (!p) return 0;
        *v = p;
        *cap = nc;
    }
    (*v)[(*n)++] = cp;
    return 1;
}
static int hl__uc_decompose(uint32_t cp, uint32_t **v, size_t *n, size_t *cap) {
    long k;
    if (cp >= HL__HANGUL_S && cp < HL__HANGUL_S + HL__HANGUL_NS) {
        uint32_t s = cp - HL__HANGUL_S, t = s % HL__HANGUL_NT;
        if (!hl__uc_push_cp(v, n, cap, HL__HANGUL_L + s / (HL__HANGUL_NV * HL__HANGUL_NT))) return 0;
        if (!hl__uc_push_cp(v, n, cap, HL__HANGUL_V + (s % (HL__HANGUL_NV * HL__HANGUL_NT)) / HL__HANGUL_NT))
            return 0;
        return t ? hl__uc_push_cp(v, n, cap, HL__HANGUL_T + t) : 1;
    }
    k = hl__uc_decomp_find(cp);
    if (k < 0) return hl__uc_push_cp(v, n, cap, cp);
    if (!hl__uc_decompose(hl__uc_decomp[k][1], v, n, cap)) return 0;
    return hl__uc_decomp[k][2] ? hl__uc_decompose(hl__uc_decomp[k][2], v, n, cap) : 1;
}

/* Primary composite of a + b, or 0 when there is none. */
static uint32_t hl__uc_compose(uint32_t a, uint32_t b) {
    size_t lo = 0, hi = HL__COUNT(hl__uc_comp);
    if (a >= HL__HANGUL_L && a < HL__HANGUL_L + HL__HANGUL_NL && b >= HL__HANGUL_V &&
        b < HL__HANGUL_V + HL__HANGUL_NV)
        return HL__HANGUL_S + ((a - HL__HANGUL_L) * HL__HANGUL_NV + (b - HL__HANGUL_V)) * HL__HANGUL_NT;
    if (a >= HL__HANGUL_S && a < HL__HANGUL_S + HL__HANGUL_NS && (a - HL__HANGUL_S) % HL__HANGUL_NT == 0 &&
        b > HL__HANGUL_T && b < HL__HANGUL_T + HL__HANGUL_NT)
        return a + (b - HL__HANGUL_T);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const uint32_t *e = hl__uc_comp[mid];
        if (a < e[0] || (a == e[0] && b < e[1])) hi = mid;
        else if (a > e[0] || b > e[1]) lo = mid + 1;
        else return e[2];
    }
    return 0;
}

/* NFC of valid UTF-8 s[0..n), appended to out. compose == 0 gives NFD. Returns 0 on OOM. */
static int hl__uc_normalize(const char *s, size_t n, int compose, hl__buf *out) {
    const uint8_t *p = (const uint8_t *)s;
    uint32_t *v = NULL;
    size_t nv = 0, cap = 0, i = 0, adv, k, j;
    /* fast path: ASCII needs nothing */
    for (k = 0; k < n && p[k] < 0x80; k++) {}
    if (k == n) { hl__buf_push(out, s, n); return !out->oom; }
    while (i < n) {
        int32_t cp = hl__utf8_next(p + i, n - i, &adv);
        if (cp < 0) cp = 0xFFFD;
        if (!hl__uc_decompose((uint32_t)cp, &v, &nv, &cap)) { hl__free(v); return 0; }
        i += adv;
    }
    /* canonical ordering (insertion sort, stable, within runs of non-starters) */
    for (k = 1; k < nv; k++) {
        unsigned c = hl__uc_ccc_of(v[k]);
        uint32_t x = v[k];
        if (c == 0) continue;
        j = k;
        while (j > 0 && hl__uc_ccc_of(v[j - 1]) > c) { v[j] = v[j - 1]; j--; }
        v[j] = x;
    }
    if (compose && nv > 0) {
        size_t starter = 0, w = 1;
        int have_starter = hl__uc_ccc_of(v[0]) == 0;
        unsigned last_ccc = have_starter ? 0 : 256;
        for (k = 1; k < nv; k++) {
            uint32_t c = v[k], comp;
            unsigned cc = hl__uc_ccc_of(c);
            /* not blocked: the previous kept char is the starter itself, or has a lower, nonzero class */
            if (have_starter && (w - 1 == starter || (last_ccc != 0 && last_ccc < cc)) &&
                (comp = hl__uc_compose(v[starter], c)) != 0) {
                v[starter] = comp;
                continue;
            }
            if (cc == 0) { have_starter = 1; starter = w; }
            last_ccc = cc;
            v[w++] = c;
        }
        nv = w;
    }
    for (k = 0; k < nv; k++) {
        char tmp[4];
        hl__buf_push(out, tmp, hl__utf8_put(tmp, v[k]));
    }
    hl__free(v);
    return !out->oom;
}

/* <<unicode */

/* >>tokenizer =============================================================================== */
/* Hugging Face `tokenizers` pipeline, as in tokenizers/src/tokenizer/mod.rs (encode_single_sequence):
     1. added tokens that are not `normalized` are cut out of the raw text (leftmost-longest match)
     2. each remaining piece is normalized, then `normalized` added tokens are cut out of it
     3. the pre-tokenizer splits every remaining piece into words
     4. the model (BPE) turns each word into ids
     5. the post-processor (only with add_special) adds e.g. <bos>
   Decoding maps ids to pieces, runs the decoder chain over the list of pieces and joins them.
   Offsets are not tracked: only ids and text are produced. */

/* ---- small growable vectors ---- */
typedef struct hl__ivec {
    int32_t *v;
    size_t   n, cap;
    int      oom;
} hl__ivec;
static void hl__ivec_push(hl__ivec *a, int32_t x) {
    if (a->oom) return;
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 64;
        int32_t *p = (int32_t *)hl__realloc(a->v, nc * sizeof(int32_t));
        if (!p) { a->oom = 1; return; }
        a->v = p;
        a->cap = nc;
    }
    a->v[a->n++] = x;
}

/* A list of strings kept in one buffer: piece i is b.data[off[i] .. off[i] + len[i]). */
typedef struct hl__sl {
    hl__buf b;
    size_t *off, *len;
    size_t  n, cap;
    int     oom;
} hl__sl;
static void hl__sl_clear(hl__sl *l) {
    l->b.len = 0;
    l->n = 0;
}
static void hl__sl_free(hl__sl *l) {
    hl__buf_free(&l->b);
    hl__free(l->off);
    hl__free(l->len);
    memset(l, 0, sizeof *l);
}
/* Starts a new (empty) piece; text is then appended with hl__buf_push(&l->b, ...). The text
   buffer is allocated from the first piece on, so that l->b.data + l->off[i] is never NULL + 0
   (undefined behaviour) for a list of empty pieces. */
static void hl__sl_begin(hl__sl *l) {
    if (l->oom) return;
    if (!hl__buf_reserve(&l->b, 0)) { l->oom = 1; return; }
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 32;
        size_t *o = (size_t *)hl__realloc(l->off, nc * sizeof(size_t));
        size_t *n;
        if (!o) { l->oom = 1; return; }
        l->off = o;
        n = (size_t *)hl__realloc(l->len, nc * sizeof(size_t));
        if (!n) { l->oom = 1; return; }
        l->len = n;
        l->cap = nc;
    }
    l->off[l->n] = l->b.len;
    l->len[l->n] = 0;
    l->n++;
}
static void hl__sl_end(hl__sl *l) {
    if (l->oom || l->b.oom) { l->oom = 1; return; }
    l->len[l->n - 1] = l->b.len - l->off[l->n - 1];
}
static void hl__sl_add(hl__sl *l, const char *s, size_t n) {
    hl__sl_begin(l);
    if (l->oom) return;
    hl__buf_push(&l->b, s, n);
    hl__sl_end(l);
}

/* ---- string -> index hash table (open addressing, linear probing) ---- */
static uint64_t hl__hash_bytes(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 */
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}
typedef struct hl__smap {
    int32_t *slot; /* entry index or -1 */
    uint64_t mask;
} hl__smap;
static int hl__smap_init(hl__smap *m, size_t n) {
    uint64_t cap = 16, i;
    while (cap < (uint64_t)n * 2 + 16) cap *= 2;
    m->slot = (int32_t *)hl__malloc((size_t)cap * sizeof(int32_t));
    if (!m->slot) return 0;
    for (i = 0; i < cap; i++) m->slot[i] = -1;
    m->mask = cap - 1;
    return 1;
}
/* Finds s in the map whose entries are str[e]/len[e]; returns the entry index or -1. With
   insert >= 0, stores that entry in place of an equal key or in an empty slot. */
static int32_t hl__smap_find(hl__smap *m, char *const *str, const uint32_t *len, const char *s,
                             size_t n, int32_t insert) {
    uint64_t i = hl__hash_bytes(s, n) & m->mask;
    for (;;) {
        int32_t e = m->slot[i];
        if (e < 0) {
            if (insert >= 0) m->slot[i] = insert;
            return -1;
        }
        if (len[e] == n && memcmp(str[e], s, n) == 0) {
            if (insert >= 0) m->slot[i] = insert;
            return e;
        }
        i = (i + 1) & m->mask;
    }
}

/* ---- added-token trie (byte-wise; leftmost-longest matching like aho-corasick's LeftmostLongest) ---- */
typedef struct hl__trie_node {
    int32_t child, sibling, token; /* token: index into hl_tokenizer.added, or -1 */
    uint8_t byte;
} hl__trie_node;
typedef struct hl__trie {
    hl__trie_node *node;
    size_t         n, cap;
    int32_t        root[256];
    int            empty;
} hl__trie;
static int32_t hl__trie_new_node(hl__trie *t, uint8_t byte) {
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 256;
        hl__trie_node *p = (hl__trie_node *)hl__realloc(t->node, nc * sizeof(hl__trie_node));
        if (!p) return -1;
        t->node = p;
        t->cap = nc;
    }
    t->node[t->n].child = t->node[t->n].sibling = t->node[t->n].token = -1;
    t->node[t->n].byte = byte;
    return (int32_t)t->n++;
}
static int hl__trie_add(hl__trie *t, const char *s, size_t n, int32_t token) {
    int32_t cur = -1;
    size_t k;
    if (n == 0) return 1; /* an empty pattern never matches */
    for (k = 0; k < n; k++) {
        uint8_t c = (uint8_t)s[k];
        int32_t x;
        if (k == 0) {
            x = t->root[c];
            if (x < 0) {
                x = hl__trie_new_node(t, c);
                if (x < 0) return 0;
                t->root[c] = x;
            }
        } else {
            x = t->node[cur].child;
            while (x >= 0 && t->node[x].byte != c) x = t->node[x].sibling;
            if (x < 0) {
                x = hl__trie_new_node(t, c);
                if (x < 0) return 0;
                t->node[x].sibling = t->node[cur].child;
                t->node[cur].child = x;
            }
        }
        cur = x;
    }
    if (t->node[cur].token < 0) t->node[cur].token = token; /* first listed wins on duplicates */
    t->empty = 0;
    return 1;
}
/* Longest pattern starting at s[0]; returns its token index and sets *mlen, or -1. */
static int32_t hl__trie_match(const hl__trie *t, const char *s, size_t n, size_t *mlen) {
    int32_t x = t->root[(uint8_t)s[0]], best = -1;
    size_t k = 1;
    while (x >= 0) {
        if (t->node[x].token >= 0) { best = t->node[x].token; *mlen = k; }
        if (k == n) break;
        x = t->node[x].child;
        while (x >= 0 && t->node[x].byte != (uint8_t)s[k]) x = t->node[x].sibling;
        k++;
    }
    return best;
}

/* ---- pipeline steps ---- */
enum {
    HL__ST_NONE = 0,
    /* normalizers */
    HL__NORM_NFC, HL__NORM_NFD, HL__NORM_REPLACE, HL__NORM_PREPEND, HL__NORM_STRIP, HL__NORM_LOWER_ASCII,
    /* pre-tokenizers */
    HL__PRE_BYTELEVEL, HL__PRE_SPLIT, HL__PRE_METASPACE, HL__PRE_DIGITS, HL__PRE_WSSPLIT,
    /* decoders */
    HL__DEC_BYTELEVEL, HL__DEC_REPLACE, HL__DEC_BYTEFALLBACK, HL__DEC_FUSE, HL__DEC_STRIP,
    HL__DEC_METASPACE, HL__DEC_BPE
};
/* SplitDelimiterBehavior */
enum { HL__SPLIT_REMOVED, HL__SPLIT_ISOLATED, HL__SPLIT_PREV, HL__SPLIT_NEXT, HL__SPLIT_CONTIGUOUS };
/* Metaspace prepend_scheme */
enum { HL__PREPEND_ALWAYS, HL__PREPEND_FIRST, HL__PREPEND_NEVER };
/* Split / Replace patterns: a literal string, or the GPT-2 regex (hand-written matcher below) */
enum { HL__PAT_STRING, HL__PAT_GPT2 };

typedef struct hl__step {
    int     kind;
    char   *a;       /* pattern string / prepend / replacement / content */
    size_t  a_len;
    char   *b;       /* Replace: content */
    size_t  b_len;
    int     pat;     /* HL__PAT_* for Split / Replace */
    int     behavior, invert;
    int     prefix_space, use_regex, split, individual, scheme;
    int64_t start, stop;
    uint32_t cp;     /* Strip / Metaspace: the character */
} hl__step;

typedef struct hl__merge_ent {
    uint64_t key;
    uint32_t rank;
    int32_t  new_id;
} hl__merge_ent;

typedef struct hl__added {
    char   *content; /* as written in tokenizer.json */
    size_t  len;
    int32_t id;
    int     special, normalized, lstrip, rstrip, single_word;
} hl__added;

struct hl_tokenizer {
    /* BPE model */
    int64_t   n_ids;       /* ids are 0 .. n_ids-1 (model vocabulary and added tokens) */
    size_t    n_vocab;     /* model vocabulary entries */
    char    **v_str;       /* entry e: string, length, id (JSON order) */
    uint32_t *v_len;
    int32_t  *v_id;
    char     *blob;        /* all vocabulary strings, NUL-terminated */
    int32_t  *piece_entry; /* id -> vocabulary entry, or -1 */
    hl__smap  vocab;
    struct hl__merge_ent *merge; /* merges: (a << 32 | b) -> rank, new id; key UINT64_MAX = empty */
    uint64_t  m_mask;
    size_t    n_merges;
    int32_t   unk_id;
    int32_t   byte_id[256]; /* <0xXX> pieces for byte_fallback, -1 when absent */
    /* Long words are cut before a U+2581 that follows character c when no vocabulary piece has c
       directly before U+2581 (see hl__bpe_word); the few c that do are listed here. */
    int       meta_cut;
    uint32_t  meta_bad[32];
    int       n_meta_bad;
    int       fuse_unk, byte_fallback, ignore_merges;
    char     *cont_prefix, *eow_suffix;
    size_t    cont_len, eow_len;
    /* added tokens */
    hl__added *added;
    size_t     n_added;
    int32_t   *added_of_id; /* id -> added index, or -1 */
    char     **a_str;       /* for the added-token map */
    uint32_t  *a_len;
    hl__smap   added_map;
    hl__trie   trie_raw, trie_norm;
    /* pipeline */
    hl__step *norm, *pre, *dec;
    size_t    n_norm, n_pre, n_dec;
    int       has_decoder;
    int32_t  *tmpl;   /* post-processor template for one sequence: ids, -1 = the sequence */
    size_t    n_tmpl;
    int       has_tmpl;
    /* ByteLevel byte <-> char map (GPT-2 bytes_to_unicode) */
    uint16_t  b2u[256];
    int16_t   u2b[512];
    int32_t   bos, eos, pad;
};

/* GPT-2's bytes_to_unicode(): printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') map to
   themselves, the other 68 bytes to U+0100, U+0101, ... in byte order. */
static void hl__bytelevel_init(hl_tokenizer *t) {
    int b, n = 0;
    for (b = 0; b < 512; b++) t->u2b[b] = -1;
    for (b = 0; b < 256; b++) {
        int keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        t->b2u[b] = (uint16_t)(keep ? b : 256 + n++);
        t->u2b[t->b2u[b]] = (int16_t)b;
    }
}

/* Last / first code point of s[0..n) (valid UTF-8, n > 0). */
static uint32_t hl__last_cp(const char *s, size_t n, size_t *start) {
    size_t c = n - 1, adv;
    int32_t cp;
    while (c > 0 && ((uint8_t)s[c] & 0xC0) == 0x80) c--;
    cp = hl__utf8_next((const uint8_t *)s + c, n - c, &adv);
    if (start) *start = c;
    return cp < 0 ? 0xFFFD : (uint32_t)cp;
}
static uint32_t hl__first_cp(const char *s, size_t n, size_t *adv) {
    int32_t cp = hl__utf8_next((const uint8_t *)s, n, adv);
    return cp < 0 ? 0xFFFD : (uint32_t)cp;
}

/* ---- the GPT-2 pre-tokenizer pattern, hand-written ----
     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
   (tokenizers/src/pre_tokenizers/byte_level.rs). Alternatives are tried in order at each position
   as a backtracking engine (Oniguruma) would; every character starts some match, so the matches
   tile the text. Returns the length of the match at s[0] (n >= 1). */
enum { HL__CC_LETTER, HL__CC_NUMBER, HL__CC_SPACE, HL__CC_OTHER };
static int hl__cclass(const char *s, size_t n, size_t *adv) {
    int32_t cp = hl__utf8_next((const uint8_t *)s, n, adv);
    if (cp < 0) return HL__CC_OTHER;
    if (hl__uc_is_letter((uint32_t)cp)) return HL__CC_LETTER;
    if (hl__uc_is_number((uint32_t)cp)) return HL__CC_NUMBER;
    if (hl__uc_is_space((uint32_t)cp)) return HL__CC_SPACE;
    return HL__CC_OTHER;
}
static size_t hl__gpt2_match(const char *s, size_t n) {
    size_t i = 0, adv, last = 0;
    int c;
    if (s[0] == '\'' && n >= 2) {
        char a = s[1], b = n >= 3 ? s[2] : 0;
        if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    }
    if (s[0] == ' ' && n >= 2) {
        c = hl__cclass(s + 1, n - 1, &adv);
        if (c != HL__CC_SPACE) i = 1; /* " ?" takes the space, the class run follows */
    }
    c = hl__cclass(s + i, n - i, &adv);
    if (c != HL__CC_SPACE) {
        size_t j = i + adv;
        while (j < n) {
            int d = hl__cclass(s + j, n - j, &adv);
            if (d != c) break;
            j += adv;
        }
        return j;
    }
    /* whitespace run [0, j); \s+(?!\S) leaves the last whitespace char for the next word */
    i = 0;
    while (i < n) {
        if (hl__cclass(s + i, n - i, &adv) != HL__CC_SPACE) break;
        last = i;
        i += adv;
    }
    if (i == n || last == 0) return i; /* at the end, or a single space before a non-space */
    return last;
}


/* ---- loading ---- */
#define HL__GPT2_PATTERN \
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"

static void hl__steps_free(hl__step *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        hl__free(s[i].a);
        hl__free(s[i].b);
    }
    hl__free(s);
}

HL__DEF void hl_tokenizer_free(hl_tokenizer *t) {
    size_t i;
    if (!t) return;
    hl__free(t->v_str);
    hl__free(t->v_len);
    hl__free(t->v_id);
    hl__free(t->blob);
    hl__free(t->piece_entry);
    hl__free(t->vocab.slot);
    hl__free(t->merge);
    hl__free(t->cont_prefix);
    hl__free(t->eow_suffix);
    for (i = 0; i < t->n_added; i++) hl__free(t->added[i].content);
    hl__free(t->added);
    hl__free(t->added_of_id);
    hl__free(t->a_str);
    hl__free(t->a_len);
    hl__free(t->added_map.slot);
    hl__free(t->trie_raw.node);
    hl__free(t->trie_norm.node);
    hl__steps_free(t->norm, t->n_norm);
    hl__steps_free(t->pre, t->n_pre);
    hl__steps_free(t->dec, t->n_dec);
    hl__free(t->tmpl);
    hl__free(t);
}

/* Vocabulary id of a model piece, or -1. */
static int32_t hl__tk_vocab_id(const hl_tokenizer *t, const char *s, size_t n) {
    int32_t e = hl__smap_find((hl__smap *)(uintptr_t)&t->vocab, t->v_str, t->v_len, s, n, -1);
    return e < 0 ? -1 : t->v_id[e];
}

/* Finds the characters c that some vocabulary piece has directly before U+2581 "▁" (other than ▁
   itself). Before any other c, no merge can ever join c with a following ▁, so a long word may be cut
   there into independent pieces (hl__bpe_word). Off when there are too many such c. */
static void hl__tk_meta_cut_init(hl_tokenizer *t) {
    size_t e;
    t->meta_cut = hl__tk_vocab_id(t, "\xE2\x96\x81", 3) >= 0;
    for (e = 0; e < t->n_vocab && t->meta_cut; e++) {
        const char *s = t->v_str[e];
        size_t n = t->v_len[e], i;
        for (i = 1; i + 3 <= n; i++) {
            size_t c;
            uint32_t cp;
            int k;
            if (memcmp(s + i, "\xE2\x96\x81", 3) != 0) continue;
            cp = hl__last_cp(s, i, &c);
            if (cp == 0x2581) continue;
            for (k = 0; k < t->n_meta_bad && t->meta_bad[k] != cp; k++) {}
            if (k < t->n_meta_bad) continue;
            if (t->n_meta_bad == 32) { t->meta_cut = 0; break; }
            t->meta_bad[t->n_meta_bad++] = cp;
        }
    }
}

/* Merge table: open addressing on the packed pair (a, b). */
static uint64_t hl__merge_slot(uint64_t key, uint64_t mask) {
    return ((key * 0x9E3779B97F4A7C15ull) >> 17) & mask;
}
static int hl__merge_get(const hl_tokenizer *t, int32_t a, int32_t b, uint32_t *rank, int32_t *new_id) {
    uint64_t key = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b, i;
    if (!t->merge) return 0;
    i = hl__merge_slot(key, t->m_mask);
    for (;;) {
        const hl__merge_ent *e = &t->merge[i];
        if (e->key == key) { *rank = e->rank; *new_id = e->new_id; return 1; }
        if (e->key == UINT64_MAX) return 0;
        i = (i + 1) & t->m_mask;
    }
}

/* Copies a JSON string (or returns NULL for null/missing) into a new NUL-terminated string. */
static hl_status hl__tk_dup_str(const hl_json *v, char **out, size_t *len, const char *what, hl_error *err) {
    *out = NULL;
    if (len) *len = 0;
    if (!v || v->type == HL_JSON_NULL) return HL_OK;
    if (v->type != HL_JSON_STRING) return hl__fail(err, HL_ERR_FORMAT, "%s is not a string", what);
    *out = hl__strndup(v->str, v->len);
    if (!*out) return hl__fail(err, HL_ERR_OOM, "out of memory");
    if (len) *len = v->len;
    return HL_OK;
}

/* Reads {"String": s} or {"Regex": r} into step->a / step->pat. */
static hl_status hl__tk_pattern(const hl_json *p, hl__step *st, const char *where, hl_error *err) {
    const hl_json *s = hl_json_get(p, "String"), *r = hl_json_get(p, "Regex");
    if (s && s->type == HL_JSON_STRING) {
        st->pat = HL__PAT_STRING;
        return hl__tk_dup_str(s, &st->a, &st->a_len, where, err);
    }
    if (r && r->type == HL_JSON_STRING) {
        if (strcmp(r->str, HL__GPT2_PATTERN) == 0) {
            st->pat = HL__PAT_GPT2;
            return HL_OK;
        }
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: regex pattern \"%.200s\" is not supported (only literal "
                        "strings and the GPT-2 pattern)", where, r->str);
    }
    return hl__fail(err, HL_ERR_FORMAT, "%s: pattern is neither {\"String\": ...} nor {\"Regex\": ...}", where);
}

static hl_status hl__tk_push_step(hl__step **arr, size_t *n, hl__step **out, hl_error *err) {
    hl__step *p = (hl__step *)hl__realloc(*arr, (*n + 1) * sizeof(hl__step));
    if (!p) return hl__fail(err, HL_ERR_OOM, "out of memory");
    *arr = p;
    memset(&p[*n], 0, sizeof(hl__step));
    *out = &p[(*n)++];
    return HL_OK;
}

/* Single code point of a one-character string, or -1. */
static int32_t hl__single_cp(const char *s, size_t n) {
    size_t adv;
    int32_t cp;
    if (!s || n == 0) return -1;
    cp = hl__utf8_next((const uint8_t *)s, n, &adv);
    return (cp >= 0 && adv == n) ? cp : -1;
}

/* A normalizer, pre_tokenizer or decoder of tokenizer.json: null, a "Sequence" of them (nested at
   most 16 deep), or one step, which part->one parses into a new entry of the part's step list. */
typedef struct hl__tk_part {
    const char *what;     /* "normalizer", for messages */
    const char *list_key; /* a Sequence's member: "normalizers", "pretokenizers", "decoders" */
    hl__step  **steps;
    size_t     *n;
    hl_status (*one)(const hl_json *v, const char *type, hl__step *st, hl_error *err);
} hl__tk_part;
static hl_status hl__tk_steps(hl_tokenizer *t, const hl__tk_part *part, const hl_json *v, int depth, hl_error *err) {
    const char *type;
    hl__step *st = NULL;
    hl_status s;
    if (!v || v->type == HL_JSON_NULL) return HL_OK;
    if (depth > 16) return hl__fail(err, HL_ERR_LIMIT, "%s: Sequence nested deeper than 16", part->what);
    type = hl_json_str(hl_json_get(v, "type"), "");
    if (strcmp(type, "Sequence") == 0) {
        const hl_json *list = hl_json_get(v, part->list_key);
        size_t i;
        if (!list || list->type != HL_JSON_ARRAY)
            return hl__fail(err, HL_ERR_FORMAT, "%s Sequence: \"%s\" is not an array", part->what, part->list_key);
        for (i = 0; i < list->len; i++)
            if ((s = hl__tk_steps(t, part, &list->kids[i], depth + 1, err)) != HL_OK) return s;
        return HL_OK;
    }
    if ((s = hl__tk_push_step(part->steps, part->n, &st, err)) != HL_OK) return s;
    return part->one(v, type, st, err);
}

static hl_status hl__tk_normalizer(const hl_json *v, const char *type, hl__step *st, hl_error *err) {
    hl_status s;
    if (strcmp(type, "NFC") == 0) st->kind = HL__NORM_NFC;
    else if (strcmp(type, "NFD") == 0) st->kind = HL__NORM_NFD;
    else if (strcmp(type, "Replace") == 0) {
        st->kind = HL__NORM_REPLACE;
        if ((s = hl__tk_pattern(hl_json_get(v, "pattern"), st, "normalizer Replace", err)) != HL_OK) return s;
        if (st->pat != HL__PAT_STRING)
            return hl__fail(err, HL_ERR_UNSUPPORTED, "normalizer Replace: only string patterns are supported");
        if ((s = hl__tk_dup_str(hl_json_get(v, "content"), &st->b, &st->b_len, "normalizer Replace content",
                                err)) != HL_OK)
            return s;
    } else if (strcmp(type, "Prepend") == 0) {
        st->kind = HL__NORM_PREPEND;
        if ((s = hl__tk_dup_str(hl_json_get(v, "prepend"), &st->a, &st->a_len, "normalizer Prepend", err)) != HL_OK)
            return s;
    } else if (strcmp(type, "Strip") == 0) {
        st->kind = HL__NORM_STRIP;
        st->start = hl_json_bool(hl_json_get(v, "strip_left"), 1);
        st->stop = hl_json_bool(hl_json_get(v, "strip_right"), 1);
    } else if (strcmp(type, "Lowercase") == 0) {
        st->kind = HL__NORM_LOWER_ASCII; /* full Unicode lowercasing is refused per text at encode time */
    } else {
        return hl__fail(err, HL_ERR_UNSUPPORTED, "normalizer type \"%.64s\" is not supported", type);
    }
    return HL_OK;
}

static hl_status hl__tk_behavior(const hl_json *v, int *out, hl_error *err) {
    const char *b = hl_json_str(v, "");
    if (strcmp(b, "Removed") == 0) *out = HL__SPLIT_REMOVED;
    else if (strcmp(b, "Isolated") == 0) *out = HL__SPLIT_ISOLATED;
    else if (strcmp(b, "MergedWithPrevious") == 0) *out = HL__SPLIT_PREV;
    else if (strcmp(b, "MergedWithNext") == 0) *out = HL__SPLIT_NEXT;
    else if (strcmp(b, "Contiguous") == 0) *out = HL__SPLIT_CONTIGUOUS;
    else return hl__fail(err, HL_ERR_FORMAT, "pre_tokenizer Split: unknown behavior \"%.64s\"", b);
    return HL_OK;
}

/* Metaspace (pre-tokenizer and decoder): replacement, prepend_scheme / legacy add_prefix_space, split. */
static hl_status hl__tk_metaspace(const hl_json *v, hl__step *st, const char *where, hl_error *err) {
    const char *rep = hl_json_str(hl_json_get(v, "replacement"), "\xE2\x96\x81");
    const hl_json *ps = hl_json_get(v, "prepend_scheme");
    int32_t cp = hl__single_cp(rep, strlen(rep));
    if (cp < 0) return hl__fail(err, HL_ERR_FORMAT, "%s: replacement \"%.32s\" is not one character", where, rep);
    st->cp = (uint32_t)cp;
    st->a = hl__strdup(rep);
    if (!st->a) return hl__fail(err, HL_ERR_OOM, "out of memory");
    st->a_len = strlen(rep);
    st->scheme = HL__PREPEND_ALWAYS;
    if (ps && ps->type == HL_JSON_STRING) {
        if (strcmp(ps->str, "always") == 0) st->scheme = HL__PREPEND_ALWAYS;
        else if (strcmp(ps->str, "first") == 0) st->scheme = HL__PREPEND_FIRST;
        else if (strcmp(ps->str, "never") == 0) st->scheme = HL__PREPEND_NEVER;
        else return hl__fail(err, HL_ERR_FORMAT, "%s: unknown prepend_scheme \"%.32s\"", where, ps->str);
    } else if (!hl_json_bool(hl_json_get(v, "add_prefix_space"), 1)) {
        st->scheme = HL__PREPEND_NEVER;
    }
    st->split = hl_json_bool(hl_json_get(v, "split"), 1);
    return HL_OK;
}

static hl_status hl__tk_pretok(const hl_json *v, const char *type, hl__step *st, hl_error *err) {
    hl_status s;
    if (strcmp(type, "ByteLevel") == 0) {
        st->kind = HL__PRE_BYTELEVEL;
        st->prefix_space = hl_json_bool(hl_json_get(v, "add_prefix_space"), 1);
        st->use_regex = hl_json_bool(hl_json_get(v, "use_regex"), 1);
    } else if (strcmp(type, "Split") == 0) {
        st->kind = HL__PRE_SPLIT;
        if ((s = hl__tk_pattern(hl_json_get(v, "pattern"), st, "pre_tokenizer Split", err)) != HL_OK) return s;
        if ((s = hl__tk_behavior(hl_json_get(v, "behavior"), &st->behavior, err)) != HL_OK) return s;
        st->invert = hl_json_bool(hl_json_get(v, "invert"), 0);
    } else if (strcmp(type, "Metaspace") == 0) {
        st->kind = HL__PRE_METASPACE;
        if ((s = hl__tk_metaspace(v, st, "pre_tokenizer Metaspace", err)) != HL_OK) return s;
    } else if (strcmp(type, "Digits") == 0) {
        st->kind = HL__PRE_DIGITS;
        st->individual = hl_json_bool(hl_json_get(v, "individual_digits"), 0);
    } else if (strcmp(type, "WhitespaceSplit") == 0) {
        st->kind = HL__PRE_WSSPLIT;
    } else {
        return hl__fail(err, HL_ERR_UNSUPPORTED, "pre_tokenizer type \"%.64s\" is not supported", type);
    }
    return HL_OK;
}

static hl_status hl__tk_decoder(const hl_json *v, const char *type, hl__step *st, hl_error *err) {
    hl_status s;
    if (strcmp(type, "ByteLevel") == 0) st->kind = HL__DEC_BYTELEVEL;
    else if (strcmp(type, "ByteFallback") == 0) st->kind = HL__DEC_BYTEFALLBACK;
    else if (strcmp(type, "Fuse") == 0) st->kind = HL__DEC_FUSE;
    else if (strcmp(type, "Replace") == 0) {
        st->kind = HL__DEC_REPLACE;
        if ((s = hl__tk_pattern(hl_json_get(v, "pattern"), st, "decoder Replace", err)) != HL_OK) return s;
        if (st->pat != HL__PAT_STRING)
            return hl__fail(err, HL_ERR_UNSUPPORTED, "decoder Replace: only string patterns are supported");
        if ((s = hl__tk_dup_str(hl_json_get(v, "content"), &st->b, &st->b_len, "decoder Replace content", err)) !=
            HL_OK)
            return s;
    } else if (strcmp(type, "Strip") == 0) {
        const char *c = hl_json_str(hl_json_get(v, "content"), " ");
        int32_t cp = hl__single_cp(c, strlen(c));
        st->kind = HL__DEC_STRIP;
        if (cp < 0) return hl__fail(err, HL_ERR_FORMAT, "decoder Strip: content \"%.32s\" is not one character", c);
        st->cp = (uint32_t)cp;
        st->start = hl_json_int(hl_json_get(v, "start"), 0);
        st->stop = hl_json_int(hl_json_get(v, "stop"), 0);
        if (st->start < 0 || st->stop < 0) return hl__fail(err, HL_ERR_FORMAT, "decoder Strip: negative start/stop");
    } else if (strcmp(type, "Metaspace") == 0) {
        st->kind = HL__DEC_METASPACE;
        if ((s = hl__tk_metaspace(v, st, "decoder Metaspace", err)) != HL_OK) return s;
    } else if (strcmp(type, "BPEDecoder") == 0) {
        st->kind = HL__DEC_BPE;
        if ((s = hl__tk_dup_str(hl_json_get(v, "suffix"), &st->a, &st->a_len, "decoder BPEDecoder suffix", err)) !=
            HL_OK)
            return s;
        if (!st->a) {
            st->a = hl__strdup("</w>");
            if (!st->a) return hl__fail(err, HL_ERR_OOM, "out of memory");
            st->a_len = 4;
        }
    } else {
        return hl__fail(err, HL_ERR_UNSUPPORTED, "decoder type \"%.64s\" is not supported", type);
    }
    return HL_OK;
}

/* Id of a token string: added tokens first, then the model vocabulary (HF token_to_id). */
HL__DEF int32_t hl_tokenizer_piece_to_id(const hl_tokenizer *t, const char *piece) {
    size_t n;
    int32_t e;
    if (!t || !piece) return -1;
    n = strlen(piece);
    if (t->n_added) {
        e = hl__smap_find((hl__smap *)(uintptr_t)&t->added_map, t->a_str, t->a_len, piece, n, -1);
        if (e >= 0) return t->added[e].id;
    }
    return hl__tk_vocab_id(t, piece, n);
}

static hl_status hl__tk_tmpl_push(hl_tokenizer *t, int32_t id, hl_error *err) {
    int32_t *p = (int32_t *)hl__realloc(t->tmpl, (t->n_tmpl + 1) * sizeof(int32_t));
    if (!p) return hl__fail(err, HL_ERR_OOM, "out of memory");
    t->tmpl = p;
    t->tmpl[t->n_tmpl++] = id;
    return HL_OK;
}

/* Post-processors: TemplateProcessing ("single" template), ByteLevel (nothing to do for ids),
   RobertaProcessing / BertProcessing (cls A sep), Sequence of these. */
static hl_status hl__tk_post(hl_tokenizer *t, const hl_json *v, int depth, hl_error *err) {
    const char *type;
    hl_status s;
    size_t i;
    if (!v || v->type == HL_JSON_NULL) return HL_OK;
    if (depth > 16) return hl__fail(err, HL_ERR_LIMIT, "post_processor: Sequence nested deeper than 16");
    type = hl_json_str(hl_json_get(v, "type"), "");
    if (strcmp(type, "Sequence") == 0) {
        const hl_json *list = hl_json_get(v, "processors");
        if (!list || list->type != HL_JSON_ARRAY)
            return hl__fail(err, HL_ERR_FORMAT, "post_processor Sequence: \"processors\" is not an array");
        for (i = 0; i < list->len; i++)
            if ((s = hl__tk_post(t, &list->kids[i], depth + 1, err)) != HL_OK) return s;
        return HL_OK;
    }
    if (strcmp(type, "ByteLevel") == 0) return HL_OK;
    if (strcmp(type, "TemplateProcessing") == 0) {
        const hl_json *single = hl_json_get(v, "single"), *specials = hl_json_get(v, "special_tokens");
        if (t->has_tmpl) return hl__fail(err, HL_ERR_UNSUPPORTED, "post_processor: two templates in a Sequence");
        t->has_tmpl = 1;
        if (!single || single->type != HL_JSON_ARRAY)
            return hl__fail(err, HL_ERR_FORMAT, "post_processor TemplateProcessing: \"single\" is not an array");
        for (i = 0; i < single->len; i++) {
            const hl_json *it = &single->kids[i], *sp = hl_json_get(it, "SpecialToken"),
                          *sq = hl_json_get(it, "Sequence");
            if (sq) {
                if ((s = hl__tk_tmpl_push(t, -1, err)) != HL_OK) return s;
            } else if (sp) {
                const char *name = hl_json_str(hl_json_get(sp, "id"), "");
                const hl_json *def = hl_json_get(specials, name), *ids = hl_json_get(def, "ids");
                size_t k;
                if (!ids || ids->type != HL_JSON_ARRAY)
                    return hl__fail(err, HL_ERR_FORMAT,
                                    "post_processor TemplateProcessing: special token \"%.64s\" has no ids", name);
                for (k = 0; k < ids->len; k++) {
                    int64_t id = hl_json_int(&ids->kids[k], -1);
                    if (id < 0 || id >= t->n_ids)
                        return hl__fail(err, HL_ERR_FORMAT,
                                        "post_processor TemplateProcessing: \"%.64s\" id %lld outside the vocabulary "
                                        "(%lld ids)", name, (long long)id, (long long)t->n_ids);
                    if ((s = hl__tk_tmpl_push(t, (int32_t)id, err)) != HL_OK) return s;
                }
            } else {
                return hl__fail(err, HL_ERR_FORMAT, "post_processor TemplateProcessing: item %llu is neither "
                                "SpecialToken nor Sequence", (unsigned long long)i);
            }
        }
        return HL_OK;
    }
    if (strcmp(type, "RobertaProcessing") == 0 || strcmp(type, "BertProcessing") == 0) {
        const hl_json *cls = hl_json_get(v, "cls"), *sep = hl_json_get(v, "sep");
        int64_t c = hl_json_int(hl_json_at(cls, 1), -1), e = hl_json_int(hl_json_at(sep, 1), -1);
        if (t->has_tmpl) return hl__fail(err, HL_ERR_UNSUPPORTED, "post_processor: two templates in a Sequence");
        if (c < 0 || c >= t->n_ids || e < 0 || e >= t->n_ids)
            return hl__fail(err, HL_ERR_FORMAT, "post_processor %s: cls/sep ids outside the vocabulary", type);
        t->has_tmpl = 1;
        if ((s = hl__tk_tmpl_push(t, (int32_t)c, err)) != HL_OK) return s;
        if ((s = hl__tk_tmpl_push(t, -1, err)) != HL_OK) return s;
        return hl__tk_tmpl_push(t, (int32_t)e, err);
    }
    return hl__fail(err, HL_ERR_UNSUPPORTED, "post_processor type \"%.64s\" is not supported", type);
}

/* Applies the normalizer chain to s[0..n), result in *out (cleared first). */
static hl_status hl__tk_normalize(const hl_tokenizer *t, const char *s, size_t n, hl__buf *out, hl__buf *tmp,
                                  hl_error *err);

static hl_status hl__tk_load_model(hl_tokenizer *t, const hl_json *model, hl_error *err) {
    const hl_json *vocab = hl_json_get(model, "vocab"), *merges = hl_json_get(model, "merges");
    const char *type = hl_json_str(hl_json_get(model, "type"), "BPE");
    size_t i, total = 0, pos = 0;
    uint64_t cap;
    int64_t max_id = -1;
    hl__buf tmp = {NULL, 0, 0, 0};
    hl_status s;
    if (strcmp(type, "BPE") != 0)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "model type \"%.64s\" is not supported (only BPE)", type);
    if (!vocab || vocab->type != HL_JSON_OBJECT) return hl__fail(err, HL_ERR_FORMAT, "model.vocab is not an object");
    if (vocab->len >= (size_t)INT32_MAX) return hl__fail(err, HL_ERR_LIMIT, "model.vocab has too many entries");
    for (i = 0; i < vocab->len; i++) {
        const hl_json *e = &vocab->kids[i];
        if (e->type != HL_JSON_NUMBER || !e->is_int || e->i64 < 0 || e->i64 >= INT32_MAX)
            return hl__fail(err, HL_ERR_FORMAT, "model.vocab[\"%.64s\"] is not a valid id", e->key);
        if (e->i64 > max_id) max_id = e->i64;
        if (e->key_len > UINT32_MAX) return hl__fail(err, HL_ERR_LIMIT, "model.vocab: piece too long");
        total += e->key_len + 1;
    }
    t->n_vocab = vocab->len;
    t->n_ids = max_id + 1;
    t->v_str = (char **)hl__calloc(vocab->len, sizeof(char *));
    t->v_len = (uint32_t *)hl__calloc(vocab->len, sizeof(uint32_t));
    t->v_id = (int32_t *)hl__calloc(vocab->len, sizeof(int32_t));
    t->blob = (char *)hl__malloc(total);
    if (!t->v_str || !t->v_len || !t->v_id || !t->blob || !hl__smap_init(&t->vocab, vocab->len))
        return hl__fail(err, HL_ERR_OOM, "out of memory for a vocabulary of %llu pieces",
                        (unsigned long long)vocab->len);
    for (i = 0; i < vocab->len; i++) {
        const hl_json *e = &vocab->kids[i];
        memcpy(t->blob + pos, e->key, e->key_len + 1);
        t->v_str[i] = t->blob + pos;
        t->v_len[i] = (uint32_t)e->key_len;
        t->v_id[i] = (int32_t)e->i64;
        pos += e->key_len + 1;
        hl__smap_find(&t->vocab, t->v_str, t->v_len, e->key, e->key_len, (int32_t)i);
    }
    if ((s = hl__tk_dup_str(hl_json_get(model, "continuing_subword_prefix"), &t->cont_prefix, &t->cont_len,
                            "model.continuing_subword_prefix", err)) != HL_OK)
        return s;
    if ((s = hl__tk_dup_str(hl_json_get(model, "end_of_word_suffix"), &t->eow_suffix, &t->eow_len,
                            "model.end_of_word_suffix", err)) != HL_OK)
        return s;
    t->fuse_unk = hl_json_bool(hl_json_get(model, "fuse_unk"), 0);
    t->byte_fallback = hl_json_bool(hl_json_get(model, "byte_fallback"), 0);
    t->ignore_merges = hl_json_bool(hl_json_get(model, "ignore_merges"), 0);
    hl__tk_meta_cut_init(t);
    t->unk_id = -1;
    for (i = 0; i < 256; i++) {
        char bp[8];
        snprintf(bp, sizeof bp, "<0x%02X>", (unsigned)i);
        t->byte_id[i] = hl__tk_vocab_id(t, bp, 6);
    }
    {
        const hl_json *u = hl_json_get(model, "unk_token");
        if (u && u->type == HL_JSON_STRING) {
            t->unk_id = hl__tk_vocab_id(t, u->str, u->len);
            if (t->unk_id < 0)
                return hl__fail(err, HL_ERR_FORMAT, "model.unk_token \"%.64s\" is not in the vocabulary", u->str);
        }
    }
    /* merges: rank = position in the list; a later duplicate overwrites (HF builds a HashMap) */
    if (!merges || merges->type == HL_JSON_NULL) return HL_OK;
    if (merges->type != HL_JSON_ARRAY) return hl__fail(err, HL_ERR_FORMAT, "model.merges is not an array");
    if (merges->len >= (size_t)UINT32_MAX / 4) return hl__fail(err, HL_ERR_LIMIT, "model.merges: too many merges");
    cap = 16;
    while (cap < (uint64_t)merges->len * 2 + 16) cap *= 2;
    t->merge = (hl__merge_ent *)hl__malloc((size_t)cap * sizeof(hl__merge_ent));
    if (!t->merge) return hl__fail(err, HL_ERR_OOM, "out of memory for %llu merges", (unsigned long long)merges->len);
    for (i = 0; i < cap; i++) t->merge[i].key = UINT64_MAX;
    t->m_mask = cap - 1;
    t->n_merges = merges->len;
    for (i = 0; i < merges->len; i++) {
        const hl_json *m = &merges->kids[i];
        const char *a, *b;
        size_t al, bl;
        int32_t ia, ib, inew;
        uint64_t key, slot;
        if (m->type == HL_JSON_STRING) {
            const char *sp = (const char *)memchr(m->str, ' ', m->len);
            if (!sp) return hl__buf_free(&tmp), hl__fail(err, HL_ERR_FORMAT, "model.merges[%llu] \"%.64s\" has no space",
                                     (unsigned long long)i, m->str);
            a = m->str;
            al = (size_t)(sp - m->str);
            b = sp + 1;
            bl = m->len - al - 1;
        } else if (m->type == HL_JSON_ARRAY && m->len == 2 && m->kids[0].type == HL_JSON_STRING &&
                   m->kids[1].type == HL_JSON_STRING) {
            a = m->kids[0].str;
            al = m->kids[0].len;
            b = m->kids[1].str;
            bl = m->kids[1].len;
        } else {
            return hl__buf_free(&tmp), hl__fail(err, HL_ERR_FORMAT, "model.merges[%llu] is neither \"a b\" nor [\"a\", \"b\"]",
                            (unsigned long long)i);
        }
        ia = hl__tk_vocab_id(t, a, al);
        ib = hl__tk_vocab_id(t, b, bl);
        if (ia < 0 || ib < 0)
            return hl__buf_free(&tmp), hl__fail(err, HL_ERR_FORMAT, "model.merges[%llu]: \"%.64s\" is not in the vocabulary",
                            (unsigned long long)i, ia < 0 ? a : b);
        if (bl < t->cont_len)
            return hl__buf_free(&tmp), hl__fail(err, HL_ERR_FORMAT, "model.merges[%llu]: \"%.64s\" is shorter than the subword prefix",
                            (unsigned long long)i, b);
        tmp.len = 0;
        hl__buf_push(&tmp, a, al);
        hl__buf_push(&tmp, b + t->cont_len, bl - t->cont_len);
        if (tmp.oom) { hl__buf_free(&tmp); return hl__fail(err, HL_ERR_OOM, "out of memory"); }
        inew = hl__tk_vocab_id(t, tmp.data, tmp.len);
        if (inew < 0) {
            s = hl__fail(err, HL_ERR_FORMAT, "model.merges[%llu]: merged piece \"%.64s\" is not in the vocabulary",
                         (unsigned long long)i, tmp.data);
            hl__buf_free(&tmp);
            return s;
        }
        key = ((uint64_t)(uint32_t)ia << 32) | (uint32_t)ib;
        slot = hl__merge_slot(key, t->m_mask);
        while (t->merge[slot].key != UINT64_MAX && t->merge[slot].key != key) slot = (slot + 1) & t->m_mask;
        t->merge[slot].key = key;
        t->merge[slot].rank = (uint32_t)i;
        t->merge[slot].new_id = inew;
    }
    hl__buf_free(&tmp);
    return HL_OK;
}

static hl_status hl__tk_load_added(hl_tokenizer *t, const hl_json *list, hl_error *err) {
    size_t i;
    int64_t max_id = t->n_ids - 1;
    hl__buf nb = {NULL, 0, 0, 0}, tmp = {NULL, 0, 0, 0};
    hl_status s = HL_OK;
    if (!list || list->type == HL_JSON_NULL) goto ids;
    if (list->type != HL_JSON_ARRAY) return hl__fail(err, HL_ERR_FORMAT, "added_tokens is not an array");
    t->added = (hl__added *)hl__calloc(list->len, sizeof(hl__added));
    t->a_str = (char **)hl__calloc(list->len, sizeof(char *));
    t->a_len = (uint32_t *)hl__calloc(list->len, sizeof(uint32_t));
    if (!t->added || !t->a_str || !t->a_len || !hl__smap_init(&t->added_map, list->len))
        return hl__fail(err, HL_ERR_OOM, "out of memory");
    for (i = 0; i < list->len; i++) {
        const hl_json *a = &list->kids[i], *c = hl_json_get(a, "content");
        int64_t id = hl_json_int(hl_json_get(a, "id"), -1);
        hl__added *d = &t->added[i];
        if (!c || c->type != HL_JSON_STRING || c->len > UINT32_MAX)
            return hl__fail(err, HL_ERR_FORMAT, "added_tokens[%llu]: no \"content\" string", (unsigned long long)i);
        if (id < 0 || id >= INT32_MAX)
            return hl__fail(err, HL_ERR_FORMAT, "added_tokens[%llu] \"%.64s\": invalid id", (unsigned long long)i,
                            c->str);
        d->content = hl__strndup(c->str, c->len);
        if (!d->content) return hl__fail(err, HL_ERR_OOM, "out of memory");
        t->n_added = i + 1;
        d->len = c->len;
        d->id = (int32_t)id;
        d->special = hl_json_bool(hl_json_get(a, "special"), 0);
        d->normalized = hl_json_bool(hl_json_get(a, "normalized"), 1);
        d->lstrip = hl_json_bool(hl_json_get(a, "lstrip"), 0);
        d->rstrip = hl_json_bool(hl_json_get(a, "rstrip"), 0);
        d->single_word = hl_json_bool(hl_json_get(a, "single_word"), 0);
        if (id > max_id) max_id = id;
        t->a_str[i] = d->content;
        t->a_len[i] = (uint32_t)d->len;
        hl__smap_find(&t->added_map, t->a_str, t->a_len, d->content, d->len, (int32_t)i);
    }
ids:
    /* ids must be dense enough that a tiny file cannot ask for a huge table */
    if (max_id >= (int64_t)(16 * (t->n_vocab + t->n_added) + 65536))
        return hl__fail(err, HL_ERR_FORMAT, "token id %lld is implausibly large for %llu vocabulary entries",
                        (long long)max_id, (unsigned long long)(t->n_vocab + t->n_added));
    t->n_ids = max_id + 1;
    t->piece_entry = (int32_t *)hl__malloc((size_t)t->n_ids * sizeof(int32_t));
    t->added_of_id = (int32_t *)hl__malloc((size_t)t->n_ids * sizeof(int32_t));
    if (!t->piece_entry || !t->added_of_id) return hl__fail(err, HL_ERR_OOM, "out of memory");
    for (i = 0; i < (size_t)t->n_ids; i++) t->piece_entry[i] = t->added_of_id[i] = -1;
    for (i = 0; i < t->n_vocab; i++) t->piece_entry[t->v_id[i]] = (int32_t)i;
    for (i = 0; i < t->n_added; i++) t->added_of_id[t->added[i].id] = (int32_t)i;
    /* tries: non-normalized tokens match the raw text, normalized ones the normalized text (their
       content normalized too), as in AddedVocabulary::refresh_added_tokens */
    for (i = 0; i < 256; i++) t->trie_raw.root[i] = t->trie_norm.root[i] = -1;
    t->trie_raw.empty = t->trie_norm.empty = 1;
    for (i = 0; i < t->n_added; i++) {
        const hl__added *d = &t->added[i];
        if (!d->normalized) {
            if (!hl__trie_add(&t->trie_raw, d->content, d->len, (int32_t)i)) { s = HL_ERR_OOM; break; }
        } else {
            if ((s = hl__tk_normalize(t, d->content, d->len, &nb, &tmp, err)) != HL_OK) break;
            if (!hl__trie_add(&t->trie_norm, nb.data, nb.len, (int32_t)i)) { s = HL_ERR_OOM; break; }
        }
    }
    hl__buf_free(&nb);
    hl__buf_free(&tmp);
    if (s == HL_ERR_OOM) return hl__fail(err, HL_ERR_OOM, "out of memory");
    return s;
}

/* Special ids: from tokenizer_config.json next to the file when present (bos_token, eos_token,
   pad_token as a string or {"content": ...}), else the template's first special token (bos) and
   well-known names. */
static int32_t hl__tk_config_id(const hl_tokenizer *t, const hl_json *cfg, const char *key) {
    const hl_json *v = hl_json_get(cfg, key);
    if (v && v->type == HL_JSON_OBJECT) v = hl_json_get(v, "content");
    if (v && v->type == HL_JSON_STRING) return hl_tokenizer_piece_to_id(t, v->str);
    return -2; /* not set */
}
static int32_t hl__tk_first_known(const hl_tokenizer *t, const char *const *names) {
    for (; *names; names++) {
        int32_t id = hl_tokenizer_piece_to_id(t, *names);
        if (id >= 0) return id;
    }
    return -1;
}
static void hl__tk_special_ids(hl_tokenizer *t, const hl_json *cfg) {
    static const char *const bos[] = {"<bos>", "<s>", "<|begin_of_text|>", "<|endoftext|>", "<|startoftext|>", NULL};
    static const char *const eos[] = {"<eos>", "</s>", "<|end_of_text|>", "<|endoftext|>", "<|im_end|>", NULL};
    static const char *const pad[] = {"<pad>", "<|padding|>", "[PAD]", "<|pad|>", NULL};
    size_t i;
    t->bos = hl__tk_config_id(t, cfg, "bos_token");
    t->eos = hl__tk_config_id(t, cfg, "eos_token");
    t->pad = hl__tk_config_id(t, cfg, "pad_token");
    if (t->bos == -2) {
        t->bos = -1;
        for (i = 0; i < t->n_tmpl && t->tmpl[i] >= 0; i++) { t->bos = t->tmpl[i]; break; }
        if (t->bos < 0) t->bos = hl__tk_first_known(t, bos);
    }
    if (t->eos == -2) t->eos = hl__tk_first_known(t, eos);
    if (t->pad == -2) t->pad = hl__tk_first_known(t, pad);
}

static hl_status hl__tk_build(const char *json, size_t len, const hl_json *cfg, hl_tokenizer **out, hl_error *err) {
    hl_json_doc *doc = NULL;
    hl_tokenizer *t;
    const hl_json *root;
    hl_status s;
    t = (hl_tokenizer *)hl__calloc(1, sizeof *t);
    if (!t) return hl__fail(err, HL_ERR_OOM, "out of memory");
    hl__bytelevel_init(t);
    if ((s = hl_json_parse(json, len, &doc, err)) != HL_OK) goto fail;
    root = hl_json_root(doc);
    if (!root || root->type != HL_JSON_OBJECT) {
        s = hl__fail(err, HL_ERR_FORMAT, "the top level is not an object");
        goto fail;
    }
    if (!hl_json_get(root, "model")) {
        s = hl__fail(err, HL_ERR_FORMAT, "no \"model\" key (not a Hugging Face tokenizer.json?)");
        goto fail;
    }
    if ((s = hl__tk_load_model(t, hl_json_get(root, "model"), err)) != HL_OK) goto fail;
    {
        const hl__tk_part norm = {"normalizer", "normalizers", &t->norm, &t->n_norm, hl__tk_normalizer};
        if ((s = hl__tk_steps(t, &norm, hl_json_get(root, "normalizer"), 0, err)) != HL_OK) goto fail;
    }
    if ((s = hl__tk_load_added(t, hl_json_get(root, "added_tokens"), err)) != HL_OK) goto fail;
    {
        const hl__tk_part pre = {"pre_tokenizer", "pretokenizers", &t->pre, &t->n_pre, hl__tk_pretok};
        if ((s = hl__tk_steps(t, &pre, hl_json_get(root, "pre_tokenizer"), 0, err)) != HL_OK) goto fail;
    }
    if ((s = hl__tk_post(t, hl_json_get(root, "post_processor"), 0, err)) != HL_OK) goto fail;
    {
        const hl__tk_part dec = {"decoder", "decoders", &t->dec, &t->n_dec, hl__tk_decoder};
        const hl_json *dv = hl_json_get(root, "decoder");
        t->has_decoder = dv && dv->type != HL_JSON_NULL;
        if ((s = hl__tk_steps(t, &dec, dv, 0, err)) != HL_OK) goto fail;
    }
    hl__tk_special_ids(t, cfg);
    hl_json_free(doc);
    *out = t;
    return HL_OK;
fail:
    hl_json_free(doc);
    hl_tokenizer_free(t);
    return s;
}

HL__DEF hl_status hl_tokenizer_load_memory(const char *json, size_t len, hl_tokenizer **out, hl_error *err) {
    hl_status s;
    if (!out || (!json && len)) return hl__fail(err, HL_ERR_ARG, "hl_tokenizer_load_memory: NULL argument");
    s = hl__tk_build(json, len, NULL, out, err);
    if (s != HL_OK) hl__wrap(err, s, "tokenizer.json");
    return s;
}

#ifndef HL_NO_STDIO
static int hl__is_gguf(const char *path);
static hl_status hl__tokenizer_from_gguf(const hl_gguf *g, const char *path, hl_tokenizer **out, hl_error *err);
HL__DEF hl_status hl_tokenizer_load(const char *path, hl_tokenizer **out, hl_error *err) {
    char *file = NULL, *cfgpath = NULL, *slash;
    hl__file f, cf;
    hl_json_doc *cdoc = NULL;
    hl_status s;
    if (!path || !out) return hl__fail(err, HL_ERR_ARG, "hl_tokenizer_load: NULL argument");
    if (hl__is_gguf(path)) { /* the tokenizer embedded in a GGUF model file */
        hl_gguf *g = NULL;
        *out = NULL;
        if ((s = hl_gguf_open(path, &g, err)) != HL_OK) return s;
        s = hl__tokenizer_from_gguf(g, path, out, err);
        hl_gguf_close(g);
        if (s == HL_OK && !*out) s = hl__fail(err, HL_ERR_NOT_FOUND, "%s: the GGUF file has no tokenizer", path);
        return s;
    }
    memset(&cf, 0, sizeof cf);
    file = hl__is_dir(path) ? hl__path_join(path, "tokenizer.json") : hl__strdup(path);
    if (!file) return hl__fail(err, HL_ERR_OOM, "out of memory");
    if ((s = hl__file_open(file, &f, err)) != HL_OK) {
        hl__free(file);
        return s;
    }
    /* the optional tokenizer_config.json beside it names bos/eos/pad */
    slash = strrchr(file, '/');
    if (slash) {
        char *dir = hl__strndup(file, (size_t)(slash - file));
        if (dir) cfgpath = hl__path_join(dir, "tokenizer_config.json");
        hl__free(dir);
    } else {
        cfgpath = hl__strdup("tokenizer_config.json");
    }
    if (cfgpath && hl__exists(cfgpath) && hl__file_open(cfgpath, &cf, NULL) == HL_OK) {
        if (hl_json_parse((const char *)cf.data, cf.size, &cdoc, NULL) != HL_OK) cdoc = NULL;
    }
    s = hl__tk_build((const char *)f.data, f.size, cdoc ? hl_json_root(cdoc) : NULL, out, err);
    if (s != HL_OK) hl__wrap(err, s, file);
    hl_json_free(cdoc);
    hl__file_close(&cf);
    hl__file_close(&f);
    hl__free(cfgpath);
    hl__free(file);
    return s;
}
#else
HL__DEF hl_status hl_tokenizer_load(const char *path, hl_tokenizer **out, hl_error *err) {
    (void)path, (void)out;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_tokenizer_load: built with HL_NO_STDIO (use hl_tokenizer_load_memory)");
}
#endif

HL__DEF int64_t hl_tokenizer_vocab_size(const hl_tokenizer *t) {
    return t ? t->n_ids : 0;
}
HL__DEF const char *hl_tokenizer_piece(const hl_tokenizer *t, int32_t id) {
    if (!t || id < 0 || id >= t->n_ids) return NULL;
    if (t->added_of_id[id] >= 0) return t->added[t->added_of_id[id]].content;
    return t->piece_entry[id] >= 0 ? t->v_str[t->piece_entry[id]] : NULL;
}
HL__DEF int32_t hl_tokenizer_bos_id(const hl_tokenizer *t) {
    return t ? t->bos : -1;
}
HL__DEF int32_t hl_tokenizer_eos_id(const hl_tokenizer *t) {
    return t ? t->eos : -1;
}
HL__DEF int32_t hl_tokenizer_pad_id(const hl_tokenizer *t) {
    return t ? t->pad : -1;
}

/* ---- normalizers ---- */
/* Appends s with every occurrence of pat (non-overlapping, left to right) replaced by rep. */
static void hl__replace_all(hl__buf *out, const char *s, size_t n, const char *pat, size_t pn, const char *rep,
                            size_t rn) {
    size_t i = 0, run = 0;
    if (pn == 0 || pn > n) { hl__buf_push(out, s, n); return; }
    while (i + pn <= n) {
        const char *p = (const char *)memchr(s + i, pat[0], n - pn + 1 - i);
        if (!p) break;
        i = (size_t)(p - s);
        if (memcmp(p, pat, pn) == 0) {
            hl__buf_push(out, s + run, i - run);
            hl__buf_push(out, rep, rn);
            i += pn;
            run = i;
        } else {
            i++;
        }
    }
    hl__buf_push(out, s + run, n - run);
}

static hl_status hl__tk_normalize(const hl_tokenizer *t, const char *s, size_t n, hl__buf *out, hl__buf *tmp,
                                  hl_error *err) {
    size_t k;
    out->len = 0;
    hl__buf_push(out, s, n);
    for (k = 0; k < t->n_norm && !out->oom; k++) {
        const hl__step *st = &t->norm[k];
        hl__buf sw;
        tmp->len = 0;
        switch (st->kind) {
        case HL__NORM_NFC:
        case HL__NORM_NFD:
            hl__uc_normalize(out->data, out->len, st->kind == HL__NORM_NFC, tmp);
            break;
        case HL__NORM_REPLACE:
            hl__replace_all(tmp, out->data, out->len, st->a, st->a_len, st->b, st->b_len);
            break;
        case HL__NORM_PREPEND:
            if (out->len) hl__buf_push(tmp, st->a, st->a_len);
            hl__buf_push(tmp, out->data, out->len);
            break;
        case HL__NORM_STRIP: {
            size_t a = 0, b = out->len, adv;
            const uint8_t *p = (const uint8_t *)out->data;
            if (st->start)
                while (a < b) {
                    int32_t cp = hl__utf8_next(p + a, b - a, &adv);
                    if (cp < 0 || !hl__uc_is_space((uint32_t)cp)) break;
                    a += adv;
                }
            if (st->stop)
                while (b > a) {
                    size_t c = b - 1;
                    int32_t cp;
                    while (c > a && (p[c] & 0xC0) == 0x80) c--;
                    cp = hl__utf8_next(p + c, b - c, &adv);
                    if (cp < 0 || !hl__uc_is_space((uint32_t)cp)) break;
                    b = c;
                }
            hl__buf_push(tmp, out->data + a, b - a);
            break;
        }
        case HL__NORM_LOWER_ASCII: {
            size_t i;
            for (i = 0; i < out->len; i++) {
                unsigned char c = (unsigned char)out->data[i];
                if (c >= 0x80) {
                    return hl__fail(err, HL_ERR_UNSUPPORTED, "normalizer Lowercase: only ASCII text is "
                                    "supported, byte %llu is 0x%02X", (unsigned long long)i, c);
                }
                hl__buf_putc(tmp, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
            }
            break;
        }
        default: break;
        }
        sw = *out;
        *out = *tmp;
        *tmp = sw;
    }
    if (out->oom || tmp->oom) return hl__fail(err, HL_ERR_OOM, "out of memory while normalizing");
    if (!out->data) hl__buf_push(out, "", 0); /* always a valid (NUL-terminated) buffer */
    return HL_OK;
}

/* ---- per-call scratch space ---- */
typedef struct hl__bpe_q {
    uint32_t rank, pos;
    int32_t  new_id;
} hl__bpe_q;
typedef struct hl__span {
    size_t s, e;
    int    m;
} hl__span;
typedef struct hl__tk_ws {
    hl__sl     a, b;       /* pre-tokenizer piece lists */
    hl__buf    nb, tmp;    /* normalizer buffers */
    int32_t   *sid, *sprev, *snext;
    uint32_t  *slen;
    size_t     scap;
    hl__bpe_q *q;
    size_t     qn, qcap;
    hl__span  *sp;
    size_t     spn, spcap;
    int        oom;
} hl__tk_ws;
static void hl__tk_ws_free(hl__tk_ws *w) {
    hl__sl_free(&w->a);
    hl__sl_free(&w->b);
    hl__buf_free(&w->nb);
    hl__buf_free(&w->tmp);
    hl__free(w->sid);
    hl__free(w->sprev);
    hl__free(w->snext);
    hl__free(w->slen);
    hl__free(w->q);
    hl__free(w->sp);
}
static void hl__span_push(hl__tk_ws *w, size_t s, size_t e, int m) {
    if (w->oom) return;
    if (w->spn == w->spcap) {
        size_t nc = w->spcap ? w->spcap * 2 : 64;
        hl__span *p = (hl__span *)hl__realloc(w->sp, nc * sizeof(hl__span));
        if (!p) { w->oom = 1; return; }
        w->sp = p;
        w->spcap = nc;
    }
    w->sp[w->spn].s = s;
    w->sp[w->spn].e = e;
    w->sp[w->spn].m = m;
    w->spn++;
}

/* ---- BPE (tokenizers/src/models/bpe/word.rs, merge_all) ----
   Symbols form a doubly linked list over the word's characters. A min-heap holds candidate merges
   ordered by (rank, position); popping the best, checking it is still current (the pair at that
   position still merges to the same id), merging, and pushing the new neighbour pairs gives
   O(n log n) for a word of n characters. */
static int hl__q_less(const hl__bpe_q *a, const hl__bpe_q *b) {
    return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}
static void hl__q_down(hl__bpe_q *q, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        hl__bpe_q x;
        if (l < n && hl__q_less(&q[l], &q[m])) m = l;
        if (r < n && hl__q_less(&q[r], &q[m])) m = r;
        if (m == i) return;
        x = q[i]; q[i] = q[m]; q[m] = x;
        i = m;
    }
}
static void hl__q_push(hl__tk_ws *w, uint32_t rank, uint32_t pos, int32_t new_id) {
    size_t i;
    if (w->qn == w->qcap) {
        size_t nc = w->qcap ? w->qcap * 2 : 64;
        hl__bpe_q *p = (hl__bpe_q *)hl__realloc(w->q, nc * sizeof(hl__bpe_q));
        if (!p) { w->oom = 1; return; }
        w->q = p;
        w->qcap = nc;
    }
    i = w->qn++;
    w->q[i].rank = rank;
    w->q[i].pos = pos;
    w->q[i].new_id = new_id;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        hl__bpe_q x;
        if (!hl__q_less(&w->q[i], &w->q[parent])) break;
        x = w->q[i]; w->q[i] = w->q[parent]; w->q[parent] = x;
        i = parent;
    }
}

static int hl__sym_reserve(hl__tk_ws *w, size_t n) {
    size_t nc;
    if (n <= w->scap) return 1;
    nc = w->scap ? w->scap : 64;
    while (nc < n) nc *= 2;
#define HL__GROW(p, T)                                                   \
    do {                                                                 \
        T *np_ = (T *)hl__realloc(p, nc * sizeof(T));                    \
        if (!np_) { w->oom = 1; return 0; }                              \
        p = np_;                                                         \
    } while (0)
    HL__GROW(w->sid, int32_t);
    HL__GROW(w->sprev, int32_t);
    HL__GROW(w->snext, int32_t);
    HL__GROW(w->slen, uint32_t);
#undef HL__GROW
    w->scap = nc;
    return 1;
}

static void hl__bpe_chunk(const hl_tokenizer *t, hl__tk_ws *w, const char *s, size_t n, hl__ivec *out) {
    size_t i = 0, ns = 0, adv;
    int32_t unk_pending = -1, x;
    uint32_t unk_len = 0;
    uint32_t rank;
    int32_t nid;
    if (n == 0) return;
    if (n > (size_t)INT32_MAX - 1) { w->oom = 1; return; }
    if (!hl__sym_reserve(w, n)) return;
    while (i < n) {
        int32_t id;
        hl__utf8_next((const uint8_t *)s + i, n - i, &adv);
        if ((i > 0 && t->cont_len) || (i + adv == n && t->eow_len)) {
            w->tmp.len = 0;
            if (i > 0) hl__buf_push(&w->tmp, t->cont_prefix, t->cont_len);
            hl__buf_push(&w->tmp, s + i, adv);
            if (i + adv == n) hl__buf_push(&w->tmp, t->eow_suffix, t->eow_len);
            if (w->tmp.oom) { w->oom = 1; return; }
            id = hl__tk_vocab_id(t, w->tmp.data, w->tmp.len);
        } else {
            id = hl__tk_vocab_id(t, s + i, adv);
        }
        if (id >= 0) {
            if (unk_pending >= 0) {
                w->sid[ns] = unk_pending; w->slen[ns++] = unk_len;
                unk_pending = -1;
            }
            w->sid[ns] = id; w->slen[ns++] = (uint32_t)adv;
        } else {
            size_t k;
            int ok = t->byte_fallback;
            for (k = 0; ok && k < adv; k++) ok = t->byte_id[(uint8_t)s[i + k]] >= 0;
            if (ok) { /* HF adds the byte pieces without flushing a pending unk first */
                for (k = 0; k < adv; k++) { w->sid[ns] = t->byte_id[(uint8_t)s[i + k]]; w->slen[ns++] = 1; }
            } else if (t->unk_id >= 0) {
                if (unk_pending >= 0 && t->fuse_unk) {
                    unk_len += (uint32_t)adv;
                } else {
                    if (unk_pending >= 0) { w->sid[ns] = unk_pending; w->slen[ns++] = unk_len; }
                    unk_pending = t->unk_id;
                    unk_len = (uint32_t)adv;
                }
            }
        }
        i += adv;
    }
    if (unk_pending >= 0) { w->sid[ns] = unk_pending; w->slen[ns++] = unk_len; }
    if (ns == 0) return;
    for (i = 0; i < ns; i++) {
        w->sprev[i] = (int32_t)i - 1;
        w->snext[i] = i + 1 < ns ? (int32_t)i + 1 : -1;
    }
    /* initial candidate pairs, then heapify */
    w->qn = 0;
    for (i = 0; i + 1 < ns; i++)
        if (hl__merge_get(t, w->sid[i], w->sid[i + 1], &rank, &nid)) hl__q_push(w, rank, (uint32_t)i, nid);
    while (w->qn > 0 && !w->oom) {
        hl__bpe_q top = w->q[0];
        int32_t pos = (int32_t)top.pos, nx;
        w->q[0] = w->q[--w->qn];
        hl__q_down(w->q, w->qn, 0);
        if (w->slen[pos] == 0) continue;           /* removed */
        nx = w->snext[pos];
        if (nx < 0) continue;                      /* last symbol */
        if (!hl__merge_get(t, w->sid[pos], w->sid[nx], &rank, &nid) || nid != top.new_id) continue; /* stale */
        /* merge pos with nx */
        w->sid[pos] = top.new_id;
        w->slen[pos] += w->slen[nx];
        w->slen[nx] = 0;
        w->snext[pos] = w->snext[nx];
        if (w->snext[nx] >= 0) w->sprev[w->snext[nx]] = pos;
        x = w->sprev[pos];
        if (x >= 0 && hl__merge_get(t, w->sid[x], w->sid[pos], &rank, &nid)) hl__q_push(w, rank, (uint32_t)x, nid);
        x = w->snext[pos];
        if (x >= 0 && hl__merge_get(t, w->sid[pos], w->sid[x], &rank, &nid)) hl__q_push(w, rank, (uint32_t)pos, nid);
    }
    for (x = 0; x >= 0; x = w->snext[x]) hl__ivec_push(out, w->sid[x]);
}

/* One word through the model. Gemma-style tokenizers have no pre-tokenizer, so a whole document
   is one word; the heap would then span millions of symbols. Cutting the word before a "▁" whose
   left neighbour c can never merge with it (no piece contains c followed by ▁, and c is its own
   piece, so the symbol left of the cut always ends in c) gives independent pieces: every merge
   candidate, its rank and its validity depend only on symbols inside one piece, so processing the
   pieces one by one yields exactly the ids of the whole-word merge, with small, cache-resident heaps. */
static void hl__bpe_word(const hl_tokenizer *t, hl__tk_ws *w, const char *s, size_t n, hl__ivec *out) {
    size_t a = 0, i;
    if (n == 0) return;
    if (t->ignore_merges) {
        int32_t id = hl__tk_vocab_id(t, s, n);
        if (id >= 0) { hl__ivec_push(out, id); return; }
    }
    if (!t->meta_cut || t->cont_len || t->eow_len || n < 64) { hl__bpe_chunk(t, w, s, n, out); return; }
    for (i = 1; i + 3 <= n; i++) {
        size_t c;
        uint32_t cp;
        int k;
        if ((uint8_t)s[i] != 0xE2 || memcmp(s + i, "\xE2\x96\x81", 3) != 0) continue;
        cp = hl__last_cp(s + a, i - a, &c);
        if (cp == 0x2581) continue;
        for (k = 0; k < t->n_meta_bad && t->meta_bad[k] != cp; k++) {}
        if (k < t->n_meta_bad || hl__tk_vocab_id(t, s + a + c, i - a - c) < 0) continue;
        hl__bpe_chunk(t, w, s + a, i - a, out);
        a = i;
        i += 2;
    }
    hl__bpe_chunk(t, w, s + a, n - a, out);
}

/* ---- pre-tokenizers ---- */
/* Turns matches (w->sp, covering the piece, m = is a match) into pieces of out by the Split
   behavior (tokenizers/src/tokenizer/normalizer.rs, NormalizedString::split). Empty pieces are
   dropped, as PreTokenizedString::split does. */
static void hl__split_emit(hl__tk_ws *w, hl__sl *out, const char *s, int behavior, int invert) {
    size_t i, n = 0;
    hl__span *v = w->sp;
    int prev = 0;
    if (invert)
        for (i = 0; i < w->spn; i++) v[i].m = !v[i].m;
    switch (behavior) {
    case HL__SPLIT_REMOVED:
        for (i = 0; i < w->spn; i++)
            if (!v[i].m) v[n++] = v[i];
        break;
    case HL__SPLIT_ISOLATED: n = w->spn; break;
    case HL__SPLIT_PREV:
        for (i = 0; i < w->spn; i++) {
            int m = v[i].m;
            if (m && !prev && n > 0) v[n - 1].e = v[i].e;
            else v[n++] = v[i];
            prev = m;
        }
        break;
    case HL__SPLIT_NEXT: /* the same fold from the right, written back right-aligned */
        n = w->spn;
        {
            size_t k = w->spn; /* v[k..spn) holds the folded list */
            for (i = w->spn; i-- > 0;) {
                int m = v[i].m;
                if (m && !prev && k < w->spn) v[k].s = v[i].s;
                else v[--k] = v[i];
                prev = m;
            }
            n = w->spn - k;
            memmove(v, v + k, n * sizeof(hl__span));
        }
        break;
    case HL__SPLIT_CONTIGUOUS:
        for (i = 0; i < w->spn; i++) {
            int m = v[i].m;
            if (m == prev && n > 0) v[n - 1].e = v[i].e;
            else v[n++] = v[i];
            prev = m;
        }
        break;
    default: break;
    }
    for (i = 0; i < n; i++)
        if (v[i].e > v[i].s) hl__sl_add(out, s + v[i].s, v[i].e - v[i].s);
}

/* Matches of a literal string (regex::escape'd in HF): non-overlapping, left to right. */
static void hl__find_string(hl__tk_ws *w, const char *s, size_t n, const char *pat, size_t pn) {
    size_t i = 0, prev = 0;
    w->spn = 0;
    if (pn == 0) { hl__span_push(w, 0, n, 0); return; }
    while (pn <= n && i + pn <= n) {
        const char *p = (const char *)memchr(s + i, pat[0], n - pn + 1 - i);
        if (!p) break;
        i = (size_t)(p - s);
        if (memcmp(p, pat, pn) != 0) { i++; continue; }
        if (prev != i) hl__span_push(w, prev, i, 0);
        hl__span_push(w, i, i + pn, 1);
        i += pn;
        prev = i;
    }
    if (prev != n || n == 0) hl__span_push(w, prev, n, 0);
}
/* Matches of the GPT-2 pattern: they tile the text. */
static void hl__find_gpt2(hl__tk_ws *w, const char *s, size_t n) {
    size_t i = 0;
    w->spn = 0;
    if (n == 0) hl__span_push(w, 0, 0, 0);
    while (i < n) {
        size_t m = hl__gpt2_match(s + i, n - i);
        hl__span_push(w, i, i + m, 1);
        i += m;
    }
}
/* Matches of a character predicate: every matching character alone (HF's impl Pattern for Fn(char)). */
static void hl__find_chars(hl__tk_ws *w, const char *s, size_t n, int (*pred)(uint32_t)) {
    size_t i = 0, last = 0, adv;
    w->spn = 0;
    while (i < n) {
        int32_t cp = hl__utf8_next((const uint8_t *)s + i, n - i, &adv);
        if (cp >= 0 && pred((uint32_t)cp)) {
            if (last < i) hl__span_push(w, last, i, 0);
            hl__span_push(w, i, i + adv, 1);
            last = i + adv;
        }
        i += adv;
    }
    if (n > last) hl__span_push(w, last, n, 0);
}

/* Applies pre-tokenizer step st to every piece of in, appending the results to out. */
static void hl__pretok_step(const hl_tokenizer *t, const hl__step *st, hl__tk_ws *w, hl__sl *in, hl__sl *out,
                            int seg_at_start) {
    size_t i, k;
    hl__sl_clear(out);
    for (i = 0; i < in->n && !w->oom && !out->oom; i++) {
        const char *p = in->b.data + in->off[i];
        size_t n = in->len[i];
        switch (st->kind) {
        case HL__PRE_BYTELEVEL: {
            const char *q = p;
            size_t qn = n;
            if (st->prefix_space && (n == 0 || p[0] != ' ')) {
                w->tmp.len = 0;
                hl__buf_putc(&w->tmp, ' ');
                hl__buf_push(&w->tmp, p, n);
                if (w->tmp.oom) { w->oom = 1; return; }
                q = w->tmp.data;
                qn = w->tmp.len;
            }
            if (st->use_regex) hl__find_gpt2(w, q, qn);
            else { w->spn = 0; hl__span_push(w, 0, qn, 1); }
            for (k = 0; k < w->spn; k++) {
                size_t j;
                if (w->sp[k].e == w->sp[k].s) continue;
                hl__sl_begin(out);
                for (j = w->sp[k].s; j < w->sp[k].e; j++) {
                    char u[4];
                    hl__buf_push(&out->b, u, hl__utf8_put(u, t->b2u[(uint8_t)q[j]]));
                }
                hl__sl_end(out);
            }
            break;
        }
        case HL__PRE_SPLIT:
            if (st->pat == HL__PAT_GPT2) hl__find_gpt2(w, p, n);
            else hl__find_string(w, p, n, st->a, st->a_len);
            if (!w->oom) hl__split_emit(w, out, p, st->behavior, st->invert);
            break;
        case HL__PRE_DIGITS:
            hl__find_chars(w, p, n, hl__uc_is_number);
            if (!w->oom) hl__split_emit(w, out, p, st->individual ? HL__SPLIT_ISOLATED : HL__SPLIT_CONTIGUOUS, 0);
            break;
        case HL__PRE_WSSPLIT:
            hl__find_chars(w, p, n, hl__uc_is_space);
            if (!w->oom) hl__split_emit(w, out, p, HL__SPLIT_REMOVED, 0);
            break;
        case HL__PRE_METASPACE: {
            /* replace ' ' by the replacement, prepend it (scheme), split before each replacement */
            int prepend = 0;
            w->tmp.len = 0;
            if (st->scheme == HL__PREPEND_ALWAYS || (st->scheme == HL__PREPEND_FIRST && seg_at_start && i == 0))
                prepend = !(n >= st->a_len && memcmp(p, st->a, st->a_len) == 0);
            /* HF replaces first, then tests starts_with(replacement): a leading ' ' counts too */
            if (n > 0 && p[0] == ' ') prepend = 0;
            if (prepend) hl__buf_push(&w->tmp, st->a, st->a_len);
            hl__replace_all(&w->tmp, p, n, " ", 1, st->a, st->a_len);
            if (w->tmp.oom) { w->oom = 1; return; }
            if (!st->split) {
                if (w->tmp.len) hl__sl_add(out, w->tmp.data, w->tmp.len);
            } else {
                hl__find_string(w, w->tmp.data, w->tmp.len, st->a, st->a_len);
                if (!w->oom) hl__split_emit(w, out, w->tmp.data, HL__SPLIT_NEXT, 0);
            }
            break;
        }
        default: break;
        }
    }
    if (out->oom) w->oom = 1;
}

/* Normalized text piece -> ids: pre-tokenize into words, BPE each word. */
static void hl__tk_encode_piece(const hl_tokenizer *t, hl__tk_ws *w, const char *s, size_t n, int at_start,
                                hl__ivec *out) {
    size_t k;
    hl__sl *in = &w->a, *nx = &w->b, *sw;
    if (n == 0) return;
    if (t->n_pre == 0) { hl__bpe_word(t, w, s, n, out); return; }
    hl__sl_clear(in);
    hl__sl_add(in, s, n);
    for (k = 0; k < t->n_pre && !w->oom; k++) {
        hl__pretok_step(t, &t->pre[k], w, in, nx, at_start);
        sw = in; in = nx; nx = sw;
    }
    if (in->oom) w->oom = 1;
    for (k = 0; k < in->n && !w->oom; k++) hl__bpe_word(t, w, in->b.data + in->off[k], in->len[k], out);
}

static int hl__is_word_char(uint32_t cp) {
    return cp == '_' || hl__uc_is_letter(cp) || hl__uc_is_number(cp);
}

/* Cuts the added tokens of trie tr out of s[0..n) (AddedVocabulary::find_matches): text pieces go
   through `text_fn`, token ids straight to out. */
typedef void (*hl__text_fn)(const hl_tokenizer *t, hl__tk_ws *w, const char *s, size_t n, int at_start,
                            hl__ivec *out, hl_error *err, hl_status *st);
static void hl__tk_cut_added(const hl_tokenizer *t, const hl__trie *tr, hl__tk_ws *w, const char *s, size_t n,
                             int at_start, hl__ivec *out, hl__text_fn text_fn, hl_error *err, hl_status *st) {
    size_t i = 0, start_off = 0;
    if (!tr->empty)
        while (i < n && *st == HL_OK && !w->oom) {
            size_t mlen = 0, a, b;
            int32_t k = hl__trie_match(tr, s + i, n - i, &mlen);
            const hl__added *d;
            if (k < 0) { i++; continue; }
            d = &t->added[k];
            a = i;
            b = i + mlen;
            if (d->single_word) {
                int left_ok = a == 0 || !hl__is_word_char(hl__last_cp(s, a, NULL));
                size_t adv;
                int right_ok = b == n || !hl__is_word_char(hl__first_cp(s + b, n - b, &adv));
                if (!left_ok || !right_ok) { i = b; continue; } /* find_iter resumes after the match */
            }
            if (d->lstrip) { /* take the whitespace before it, but not what an earlier match took */
                size_t c;
                while (a > start_off && hl__uc_is_space(hl__last_cp(s, a, &c))) a = c;
            }
            if (d->rstrip) {
                size_t adv;
                while (b < n && hl__uc_is_space(hl__first_cp(s + b, n - b, &adv))) b += adv;
            }
            if (start_off < a) text_fn(t, w, s + start_off, a - start_off, at_start && start_off == 0, out, err, st);
            hl__ivec_push(out, d->id);
            start_off = b;
            i = b;
        }
    if (start_off < n && *st == HL_OK)
        text_fn(t, w, s + start_off, n - start_off, at_start && start_off == 0, out, err, st);
}

static void hl__tk_text_normalized(const hl_tokenizer *t, hl__tk_ws *w, const char *s, size_t n, int at_start,
                                   hl__ivec *out, hl_error *err, hl_status *st) {
    (void)err;
    (void)st;
    hl__tk_encode_piece(t, w, s, n, at_start, out);
}
static void hl__tk_text_raw(const hl_tokenizer *t, hl__tk_ws *w, const char *s, size_t n, int at_start,
                            hl__ivec *out, hl_error *err, hl_status *st) {
    /* w->nb is not touched again below (pre-tokenizers and BPE use w->tmp, w->a, w->b) */
    if ((*st = hl__tk_normalize(t, s, n, &w->nb, &w->tmp, err)) != HL_OK) return;
    hl__tk_cut_added(t, &t->trie_norm, w, w->nb.data, w->nb.len, at_start, out, hl__tk_text_normalized, err, st);
}

HL__DEF hl_status hl_tokenizer_encode(const hl_tokenizer *t, const char *text, size_t len, int add_special,
                                      int32_t **ids, int64_t *n_ids, hl_error *err) {
    hl__tk_ws w;
    hl__ivec out = {NULL, 0, 0, 0};
    hl_status st = HL_OK;
    size_t bad, k;
    if (!t || !ids || !n_ids || (!text && len)) return hl__fail(err, HL_ERR_ARG, "hl_tokenizer_encode: NULL argument");
    if (!text) text = "";
    bad = hl__utf8_check(text, len);
    if (bad < len)
        return hl__fail(err, HL_ERR_ARG, "tokenizer: input text is not valid UTF-8 at byte %llu of %llu (0x%02X)",
                        (unsigned long long)bad, (unsigned long long)len, (unsigned)(uint8_t)text[bad]);
    memset(&w, 0, sizeof w);
    hl__tk_cut_added(t, &t->trie_raw, &w, text, len, 1, &out, hl__tk_text_raw, err, &st);
    if (st == HL_OK && (w.oom || out.oom)) st = hl__fail(err, HL_ERR_OOM, "tokenizer: out of memory while encoding");
    hl__tk_ws_free(&w);
    if (st == HL_OK && add_special && t->has_tmpl) {
        hl__ivec full = {NULL, 0, 0, 0};
        for (k = 0; k < t->n_tmpl; k++) {
            if (t->tmpl[k] >= 0) hl__ivec_push(&full, t->tmpl[k]);
            else {
                size_t j;
                for (j = 0; j < out.n; j++) hl__ivec_push(&full, out.v[j]);
            }
        }
        hl__free(out.v);
        out = full;
        if (out.oom) st = hl__fail(err, HL_ERR_OOM, "tokenizer: out of memory while encoding");
    }
    if (st != HL_OK) {
        hl__free(out.v);
        return st;
    }
    if (!out.v) {
        out.v = (int32_t *)hl__malloc(sizeof(int32_t));
        if (!out.v) return hl__fail(err, HL_ERR_OOM, "tokenizer: out of memory");
    }
    *ids = out.v;
    *n_ids = (int64_t)out.n;
    return HL_OK;
}

/* ---- decoding ---- */
static int hl__hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
/* "<0xXX>" -> byte value, else -1 (u8::from_str_radix also takes "+X"). */
static int hl__byte_piece(const char *s, size_t n) {
    int h, l;
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>') return -1;
    l = hl__hexval(s[4]);
    if (s[3] == '+') return l;
    h = hl__hexval(s[3]);
    if (h < 0 || l < 0) return -1;
    return h * 16 + l;
}

static void hl__decode_step(const hl_tokenizer *t, const hl__step *st, hl__sl *in, hl__sl *out, hl__buf *tmp) {
    size_t i, j;
    hl__sl_clear(out);
    switch (st->kind) {
    case HL__DEC_BYTELEVEL: /* all pieces -> bytes through the inverse byte map, then lossy UTF-8 */
        tmp->len = 0;
        for (i = 0; i < in->n; i++) {
            const char *p = in->b.data + in->off[i];
            size_t n = in->len[i], adv, mark = tmp->len;
            int ok = 1;
            for (j = 0; j < n; j += adv) {
                int32_t cp = hl__utf8_next((const uint8_t *)p + j, n - j, &adv);
                if (cp < 0 || cp >= 512 || t->u2b[cp] < 0) { ok = 0; break; }
                hl__buf_putc(tmp, (char)t->u2b[cp]);
            }
            if (!ok) { tmp->len = mark; hl__buf_push(tmp, p, n); }
        }
        hl__sl_begin(out);
        hl__buf_push_lossy(&out->b, tmp->data ? tmp->data : "", tmp->len);
        hl__sl_end(out);
        break;
    case HL__DEC_BYTEFALLBACK: /* runs of <0xXX> pieces become UTF-8 text, or one U+FFFD per byte */
        for (i = 0; i < in->n;) {
            const char *p = in->b.data + in->off[i];
            if (hl__byte_piece(p, in->len[i]) < 0) { hl__sl_add(out, p, in->len[i]); i++; continue; }
            tmp->len = 0;
            for (j = i; j < in->n; j++) {
                int b = hl__byte_piece(in->b.data + in->off[j], in->len[j]);
                if (b < 0) break;
                hl__buf_putc(tmp, (char)b);
            }
            if (tmp->oom) { out->oom = 1; return; }
            if (hl__utf8_check(tmp->data, tmp->len) == tmp->len) hl__sl_add(out, tmp->data, tmp->len);
            else {
                size_t k;
                for (k = 0; k < tmp->len; k++) hl__sl_add(out, "\xEF\xBF\xBD", 3);
            }
            i = j;
        }
        break;
    case HL__DEC_FUSE:
        hl__sl_begin(out);
        for (i = 0; i < in->n; i++) hl__buf_push(&out->b, in->b.data + in->off[i], in->len[i]);
        hl__sl_end(out);
        break;
    case HL__DEC_REPLACE:
        for (i = 0; i < in->n; i++) {
            hl__sl_begin(out);
            hl__replace_all(&out->b, in->b.data + in->off[i], in->len[i], st->a, st->a_len, st->b, st->b_len);
            hl__sl_end(out);
        }
        break;
    case HL__DEC_STRIP: /* up to `start` leading and `stop` trailing copies of the character */
        for (i = 0; i < in->n; i++) {
            const char *p = in->b.data + in->off[i];
            size_t n = in->len[i], a = 0, b = n, adv, c;
            int64_t k;
            for (k = 0; k < st->start && a < b; k++) {
                if (hl__first_cp(p + a, b - a, &adv) != st->cp) break;
                a += adv;
            }
            for (k = 0; k < st->stop && b > a; k++) {
                if (hl__last_cp(p + a, b - a, &c) != st->cp) break;
                b = a + c;
            }
            hl__sl_add(out, p + a, b - a);
        }
        break;
    case HL__DEC_METASPACE: /* replacement -> ' ', dropped altogether in the first piece */
        for (i = 0; i < in->n; i++) {
            const char *p = in->b.data + in->off[i];
            size_t n = in->len[i], adv;
            hl__sl_begin(out);
            for (j = 0; j < n; j += adv) {
                uint32_t cp = hl__first_cp(p + j, n - j, &adv);
                if (cp == st->cp) {
                    if (!(i == 0 && st->scheme != HL__PREPEND_NEVER)) hl__buf_putc(&out->b, ' ');
                } else {
                    hl__buf_push(&out->b, p + j, adv);
                }
            }
            hl__sl_end(out);
        }
        break;
    case HL__DEC_BPE: /* end-of-word suffix -> ' ' (nothing after the last piece) */
        for (i = 0; i < in->n; i++) {
            hl__sl_begin(out);
            hl__replace_all(&out->b, in->b.data + in->off[i], in->len[i], st->a, st->a_len,
                            i + 1 == in->n ? "" : " ", i + 1 == in->n ? 0 : 1);
            hl__sl_end(out);
        }
        break;
    default: break;
    }
}

HL__DEF hl_status hl_tokenizer_decode(const hl_tokenizer *t, const int32_t *ids, int64_t n, int skip_special,
                                      char **text, size_t *len, hl_error *err) {
    hl__sl a, b, *in = &a, *nx = &b, *sw;
    hl__buf tmp = {NULL, 0, 0, 0}, res = {NULL, 0, 0, 0};
    int64_t i;
    size_t k;
    hl_status st = HL_OK;
    if (!t || !text || (!ids && n > 0) || n < 0) return hl__fail(err, HL_ERR_ARG, "hl_tokenizer_decode: bad argument");
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    for (i = 0; i < n; i++) {
        int32_t id = ids[i];
        const char *p = hl_tokenizer_piece(t, id);
        if (!p) {
            st = hl__fail(err, HL_ERR_ARG, "tokenizer: id %ld (position %lld) is not in the vocabulary (%lld ids)",
                          (long)id, (long long)i, (long long)t->n_ids);
            goto done;
        }
        if (skip_special && t->added_of_id[id] >= 0 && t->added[t->added_of_id[id]].special) continue;
        if (t->added_of_id[id] >= 0) hl__sl_add(in, p, t->added[t->added_of_id[id]].len);
        else hl__sl_add(in, p, t->v_len[t->piece_entry[id]]);
    }
    if (t->has_decoder) {
        for (k = 0; k < t->n_dec && !in->oom; k++) {
            hl__decode_step(t, &t->dec[k], in, nx, &tmp);
            sw = in; in = nx; nx = sw;
        }
        for (k = 0; k < in->n; k++) hl__buf_push(&res, in->b.data + in->off[k], in->len[k]);
    } else {
        for (k = 0; k < in->n; k++) {
            if (k) hl__buf_putc(&res, ' ');
            hl__buf_push(&res, in->b.data + in->off[k], in->len[k]);
        }
    }
    hl__buf_push(&res, "", 0);
    if (in->oom || nx->oom || tmp.oom || res.oom) st = hl__fail(err, HL_ERR_OOM, "tokenizer: out of memory while decoding");
done:
    hl__sl_free(&a);
    hl__sl_free(&b);
    hl__buf_free(&tmp);
    if (st != HL_OK) {
        hl__buf_free(&res);
        return st;
    }
    *text = res.data;
    if (len) *len = res.len;
    return HL_OK;
}

HL__DEF hl_status hl_tokenizer_to_str_tokens(const hl_tokenizer *t, const int32_t *ids, int64_t n, char ***strs,
                                             hl_error *err) {
    char **tab;
    char **parts;
    size_t *lens, total = 0, k;
    int64_t i;
    hl_status st = HL_OK;
    if (!t || !strs || (!ids && n > 0) || n < 0) return hl__fail(err, HL_ERR_ARG, "hl_tokenizer_to_str_tokens: bad argument");
    parts = (char **)hl__calloc((size_t)n + 1, sizeof(char *));
    lens = (size_t *)hl__calloc((size_t)n + 1, sizeof(size_t));
    if (!parts || !lens) { st = hl__fail(err, HL_ERR_OOM, "tokenizer: out of memory"); goto done; }
    for (i = 0; i < n; i++) {
        if ((st = hl_tokenizer_decode(t, ids + i, 1, 0, &parts[i], &lens[i], err)) != HL_OK) goto done;
        total += lens[i] + 1;
    }
    /* one block: n + 1 pointers (NULL-terminated), then the strings */
    tab = (char **)hl__malloc(((size_t)n + 1) * sizeof(char *) + total);
    if (!tab) { st = hl__fail(err, HL_ERR_OOM, "tokenizer: out of memory"); goto done; }
    {
        char *p = (char *)(tab + n + 1);
        for (i = 0; i < n; i++) {
            tab[i] = p;
            memcpy(p, parts[i], lens[i] + 1);
            p += lens[i] + 1;
        }
        tab[n] = NULL;
    }
    *strs = tab;
done:
    if (parts)
        for (k = 0; k < (size_t)n; k++) hl__free(parts[k]);
    hl__free(parts);
    hl__free(lens);
    return st;
}

/* <<tokenizer */

/* >>threads ================================================================================= */
/* Thread pool contract:
     hl__pool_create(n)  n <= 1 or failure -> NULL, which means "run serially"
     hl__parallel_for(pool, n, grain, fn, ctx) calls fn(ctx, i0, i1) over disjoint [i0, i1) ranges
     covering [0, n), each a multiple of `grain` long except the last, and returns when all are done.
   Work is only ever split over independent outputs, so results do not depend on the thread count.

   Design: n-1 persistent pthreads plus the calling thread. A call publishes the job and bumps a
   generation counter; workers that were spinning see it at once, sleeping ones are woken through a
   condition variable. Ranges are claimed from an atomic counter (so a core that another process
   steals does not hold the others up), and the caller waits until every worker has left the job.
   A parallel_for issued from inside a running job (nesting) runs serially on that thread.
   hl__default_threads() is the number of online cores (the API/CLI default). A model and the SAEs
   attached to it share the model's pool. */
#if !defined(HL_NO_THREADS) && defined(__GNUC__)
#    define HL__THREADS 1
#    include <pthread.h>
#    include <unistd.h>
#endif

/* When work goes to the pool. Below these sizes a step runs on the calling thread, because waking
   the workers costs more than the work (a decode step issues ~200 small products). The split never
   changes a bit (see the top of >>kernels), so these only move time. */
#define HL__PAR_MATMUL 65536.0  /* M * N * K multiply-adds of one product (hl__matmul, hl__matmul_nn) */
#define HL__PAR_ROWS   32768.0  /* rows * width of a row-wise step: norms, residual adds, activations,
                                   the SAE's per-position stages */
#define HL__PAR_ATTN   262144.0 /* n_heads * n * n_keys * d_head of one layer's attention */

static int hl__default_threads(void) {
#if defined(HL__THREADS) && defined(_SC_NPROCESSORS_ONLN)
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
#else
    return 1;
#endif
}

#if defined(HL__THREADS)
struct hl__pool {
    int             n_threads; /* including the calling thread */
    pthread_t      *threads;   /* n_threads - 1 workers */
    pthread_mutex_t mu;
    pthread_cond_t  cv_start, cv_done;
    /* the current job, written by the caller before `gen` is bumped */
    hl__task_fn     fn;
    void           *ctx;
    int64_t         n, chunk, n_chunks;
    int64_t         next;   /* atomic: next chunk to claim */
    int             active; /* atomic: workers still inside the job */
    unsigned        gen;    /* atomic: job generation */
    int             stop;
    int             busy;   /* atomic: a job is running (nested calls go serial) */
};

/* Busy-wait budget before sleeping: long enough to bridge back-to-back matmuls, short enough not to
   burn a shared core. */
#define HL__SPIN 20000

static inline void hl__cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static void hl__pool_run_chunks(hl__pool *p) {
    for (;;) {
        int64_t c = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED), i0, i1;
        if (c >= p->n_chunks) return;
        i0 = c * p->chunk;
        i1 = i0 + p->chunk < p->n ? i0 + p->chunk : p->n;
        p->fn(p->ctx, i0, i1);
    }
}

static void *hl__pool_worker(void *arg) {
    hl__pool *p = (hl__pool *)arg;
    unsigned seen = 0;
    for (;;) {
        int spin;
        for (spin = 0; spin < HL__SPIN && __atomic_load_n(&p->gen, __ATOMIC_ACQUIRE) == seen; spin++) hl__cpu_relax();
        if (__atomic_load_n(&p->gen, __ATOMIC_ACQUIRE) == seen) {
            pthread_mutex_lock(&p->mu);
            while (__atomic_load_n(&p->gen, __ATOMIC_ACQUIRE) == seen && !p->stop) pthread_cond_wait(&p->cv_start, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
        if (__atomic_load_n(&p->gen, __ATOMIC_ACQUIRE) == seen) break; /* stop */
        seen = __atomic_load_n(&p->gen, __ATOMIC_ACQUIRE);
        hl__pool_run_chunks(p);
        if (__atomic_sub_fetch(&p->active, 1, __ATOMIC_ACQ_REL) == 0) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->cv_done);
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

HL__INTERNAL void hl__pool_free(hl__pool *p) {
    int i;
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv_start);
    pthread_mutex_unlock(&p->mu);
    for (i = 0; i < p->n_threads - 1; i++) pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->cv_start);
    pthread_cond_destroy(&p->cv_done);
    pthread_mutex_destroy(&p->mu);
    HL_FREE(p->threads);
    HL_FREE(p);
}

HL__INTERNAL hl__pool *hl__pool_create(int n_threads) {
    hl__pool *p;
    int i;
    if (n_threads <= 1) return NULL;
    if (n_threads > 256) n_threads = 256;
    p = (hl__pool *)HL_MALLOC(sizeof *p);
    if (!p) return NULL;
    memset(p, 0, sizeof *p);
    p->threads = (pthread_t *)HL_MALLOC(sizeof(pthread_t) * (size_t)(n_threads - 1));
    if (!p->threads) {
        HL_FREE(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv_start, NULL);
    pthread_cond_init(&p->cv_done, NULL);
    p->n_threads = 1;
    for (i = 0; i < n_threads - 1; i++) {
        if (pthread_create(&p->threads[i], NULL, hl__pool_worker, p) != 0) {
            hl__pool_free(p); /* joins the ones that started */
            return NULL;
        }
        p->n_threads++;
    }
    return p;
}

HL__INTERNAL int hl__pool_threads(const hl__pool *p) {
    return p ? p->n_threads : 1;
}

HL__INTERNAL void hl__parallel_for(hl__pool *p, int64_t n, int64_t grain, hl__task_fn fn, void *ctx) {
    int64_t chunk;
    int spin;
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    if (!p || n <= grain || __atomic_exchange_n(&p->busy, 1, __ATOMIC_ACQUIRE)) {
        fn(ctx, 0, n);
        return;
    }
    /* about 4 ranges per thread (load balance on a shared machine), whole multiples of grain */
    chunk = (n + (int64_t)p->n_threads * 4 - 1) / ((int64_t)p->n_threads * 4);
    chunk = (chunk + grain - 1) / grain * grain;
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->chunk = chunk;
    p->n_chunks = (n + chunk - 1) / chunk;
    __atomic_store_n(&p->next, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&p->active, p->n_threads - 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&p->mu);
    __atomic_add_fetch(&p->gen, 1u, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&p->cv_start);
    pthread_mutex_unlock(&p->mu);
    hl__pool_run_chunks(p);
    for (spin = 0; spin < HL__SPIN && __atomic_load_n(&p->active, __ATOMIC_ACQUIRE) != 0; spin++) hl__cpu_relax();
    if (__atomic_load_n(&p->active, __ATOMIC_ACQUIRE) != 0) {
        pthread_mutex_lock(&p->mu);
        while (__atomic_load_n(&p->active, __ATOMIC_ACQUIRE) != 0) pthread_cond_wait(&p->cv_done, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
    __atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
}
#else
/* HL_NO_THREADS (or a compiler without GNU atomics): everything runs on the calling thread. */
HL__INTERNAL hl__pool *hl__pool_create(int n_threads) {
    (void)n_threads;
    return NULL;
}
HL__INTERNAL void hl__pool_free(hl__pool *p) {
    (void)p;
}
HL__INTERNAL int hl__pool_threads(const hl__pool *p) {
    (void)p;
    return 1;
}
HL__INTERNAL void hl__parallel_for(hl__pool *p, int64_t n, int64_t grain, hl__task_fn fn, void *ctx) {
    (void)p;
    (void)grain;
    if (n > 0) fn(ctx, 0, n);
}
#endif

/* <<threads */

/* >>kernels ================================================================================= */
/* The compute kernels of the model and the SAEs. One table of kernels per instruction set
   (hl__kernels, declared with the internals before the implementation) is chosen once, when a
   model or an SAE is made: scalar (the readable reference, below in one block), AVX2, AVX-512,
   AVX-512 with BF16 dot products (fast mode), NEON. The threaded drivers at the end split work
   over the pool (>>threads) by INDEPENDENT outputs only, so every result is bit-identical for any
   thread count.

   Matrix product against a Hugging Face Linear weight (stored [out, in], any of F32/BF16/F16):
     y[m, n] = sum_k x[m, k] * W[n, k]        x: [M, K] f32   W: [N, K] wdt   y: [M, N] f32
   PyTorch: y = x @ W.T  (F.linear without bias). The sum over k is accumulated in f32.
   And x @ W with W stored [K, N] (SAE encoders): y[m, n] = sum_k x[m, k] * W[k, n].

   Summation order (what makes results reproducible):
     scalar   one f32 accumulator per output, k = 0, 1, 2, ... in order (x*w rounded, then added).
     SIMD     x @ W^T: one L-lane vector accumulator per output (L = 16 for AVX-512, 8 for AVX2, 4
              for NEON); lane l sums k = l, l+L, l+2L, ... in order with fused multiply-add, the
              ragged end of k is masked (zero lanes leave the sum unchanged), then the L lanes are
              added in a fixed tree.  x @ W: k = 0, 1, 2, ... in order, fused (vectorised over n).
   The order depends only on K and the kernel level, never on the tile a row lands in, on M, or on
   the thread split, so a token gets the same bits in a 512-token prefill and in a 1-token decode and
   for any thread count. SIMD and scalar differ by rounding only (relative ~1e-6 for K in the
   thousands); the tests state the tolerances.

   Modes: exact (default) keeps activations in f32 and widens bf16/f16 weights to f32 in registers
   (bf16 -> f32 is exact: a 16-bit shift; f16 -> f32 is exact). fast (opt-in) rounds the
   activations to bf16 and uses AVX512-BF16 dot products (vdpbf16ps: each f32 lane adds two
   bf16 x bf16 products) for BF16 weights; other weights and other levels use the exact kernels. */

#if !defined(HL_NO_SIMD) && defined(__GNUC__) && defined(__x86_64__)
#    define HL__X86 1
/* GCC 12's AVX-512 intrinsics compiled as C++ read an uninitialised `__Y` (_mm512_undefined_*) and
   warn "(may be) used uninitialized" wherever they are inlined (GCC bug 105593, fixed in GCC 13);
   the warnings point into these headers, so they are silenced for these headers only. */
#    if defined(__cplusplus) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#        pragma GCC diagnostic push
#        pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#        pragma GCC diagnostic ignored "-Wuninitialized"
#        include <immintrin.h>
#        pragma GCC diagnostic pop
#    else
#        include <immintrin.h>
#    endif
#    include <cpuid.h>
#    define HL__TGT_AVX2   __attribute__((target("avx2,fma,f16c")))
#    define HL__TGT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c")))
#    define HL__TGT_BF16   __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,avx2,fma,f16c")))
#    define HL__TGT_VNNI   __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))
#    define HL__INLINE     static inline __attribute__((always_inline))
#elif !defined(HL_NO_SIMD) && defined(__GNUC__) && defined(__aarch64__) && defined(__ARM_NEON)
#    define HL__NEON 1
#    include <arm_neon.h>
#endif
#if defined(__GNUC__)
#    define HL__UNROLL _Pragma("GCC unroll 8")
#else
#    define HL__UNROLL
#endif

/* ---- the scalar reference ------------------------------------------------------------------ */
/* The readable kernels, one loop each, in the order of the contract above. Every other level
   computes the same sums and must agree with these within the tests' tolerances; forcing
   HL_KERNELS_SCALAR runs the whole model on them. (llama2.c's matmul, rmsnorm and softmax are the
   same loops: run.c 182-229.) */

/* Element i of a weight stored as F32, BF16, F16 (models, SAEs) or F64 (an SAE's f64 encoder copy),
   as f32. memcpy: weights read in place from a file may sit at any address (numpy's .npy data
   inside an npz often does); compilers turn it into a plain load. */
static float hl__load_w(const void *W, hl_dtype wdt, int64_t i) {
    const uint8_t *p = (const uint8_t *)W;
    float    f;
    uint16_t h;
    double   g;
    switch (wdt) {
    case HL_DTYPE_F32: memcpy(&f, p + i * 4, 4); return f;
    case HL_DTYPE_BF16: memcpy(&h, p + i * 2, 2); return hl_bf16_to_f32(h);
    case HL_DTYPE_F16: memcpy(&h, p + i * 2, 2); return hl_f16_to_f32(h);
    case HL_DTYPE_F64: memcpy(&g, p + i * 8, 8); return (float)g;
    default: { /* a quantized weight (GGUF): the block holding element i, for the rare per-element reads */
        const hl_tensor t = {wdt, 1, {i + 1}, (void *)(uintptr_t)W};
        return hl_dtype_is_quantized(wdt) ? hl_tensor_get_f32(&t, i) : 0.0f;
    }
    }
}

/* y[m, n] = sum_k x[m, k] * W[n, k], k ascending, for outputs n0 <= n < n1 of every row. */
static void hl__mm_scalar(const hl__mm_job *j, int64_t n0, int64_t n1) {
    int64_t m, n, k;
    for (m = 0; m < j->M; m++)
        for (n = n0; n < n1; n++) {
            float acc = 0.0f;
            for (k = 0; k < j->K; k++) acc += j->x[m * j->ldx + k] * hl__load_w(j->W, j->wdt, n * j->K + k);
            j->y[m * j->N + n] = acc;
        }
}

/* y[m, n] = sum_k x[m, k] * W[k, n], k ascending, for outputs n0 <= n < n1 (row-wise access, the
   same per-output order as the dot form). */
static void hl__mm_nn_scalar(const hl__mm_job *j, int64_t n0, int64_t n1) {
    int64_t m, n, k;
    for (m = 0; m < j->M; m++) {
        float *yr = j->y + m * j->N;
        for (n = n0; n < n1; n++) yr[n] = 0.0f;
        for (k = 0; k < j->K; k++) {
            float a = j->x[m * j->ldx + k];
            for (n = n0; n < n1; n++) yr[n] += a * hl__load_w(j->W, j->wdt, k * j->N + n);
        }
    }
}

/* sum_i a[i] * b[i], i ascending. */
static float hl__dot_scalar(const float *a, const float *b, int64_t n) {
    float acc = 0.0f;
    int64_t i;
    for (i = 0; i < n; i++) acc += a[i] * b[i];
    return acc;
}

/* y[i] += alpha * x[i] */
static void hl__axpy_scalar(float *y, float alpha, const float *x, int64_t n) {
    int64_t i;
    for (i = 0; i < n; i++) y[i] += alpha * x[i];
}

/* GELU, tanh approximation [HF gelu_pytorch_tanh; TL gelu_new; Hendrycks & Gimpel arXiv:1606.08415]:
     gelu(x) = 0.5 x (1 + tanh( sqrt(2/pi) (x + 0.044715 x^3) ))       (y may equal x) */
static void hl__gelu_scalar(float *y, const float *x, int64_t n) {
    const float k = 0.7978845608028654f; /* sqrt(2/pi) */
    int64_t i;
    for (i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + tanhf(k * (x[i] + 0.044715f * x[i] * x[i] * x[i])));
}

/* softmax over n values in place: p_i = exp(x_i - max) / sum_j exp(x_j - max). A row that is all
   -inf (fully masked) becomes all zeros (TL turns its NaNs into 0). */
static void hl__softmax_scalar(float *x, int64_t n) {
    int64_t i;
    float mx = -INFINITY, sum = 0.0f;
    for (i = 0; i < n; i++)
        if (x[i] > mx) mx = x[i];
    if (mx == -INFINITY) {
        for (i = 0; i < n; i++) x[i] = 0.0f;
        return;
    }
    for (i = 0; i < n; i++) {
        x[i] = expf(x[i] - mx);
        sum += x[i];
    }
    for (i = 0; i < n; i++) x[i] /= sum;
}

/* sum_i x[i]^2 in f64, i ascending (the RMS norm's statistic; every square is exact in f64). */
static double hl__sumsq_scalar(const float *x, int64_t n) {
    double ss = 0.0;
    int64_t i;
    for (i = 0; i < n; i++) ss += (double)x[i] * (double)x[i];
    return ss;
}

/* y[i] = x[i] / s (one correctly rounded division per element: bit-identical on every level). */
static void hl__div_scalar(float *y, const float *x, float s, int64_t n) {
    int64_t i;
    for (i = 0; i < n; i++) y[i] = x[i] / s;
}

/* Logit soft-capping [Gemma 2 report, arXiv:2408.00118; HF Gemma2 soft-capping]:
     x[i] = cap * tanh(x[i] / cap) */
static void hl__softcap_scalar(float *x, int64_t n, float cap) {
    int64_t i;
    for (i = 0; i < n; i++) x[i] = cap * tanhf(x[i] / cap);
}

/* Attention scores: S[i*lds + j] = q_i . k_j for nq queries (q_i = q + i*ldq) and nk keys
   (k_j = keys + j*ldk), each one dot product over dh (so a score's bits do not depend on how many
   queries or keys a call takes). hl__qk_dots does it with any level's dot. */
typedef float (*hl__dot_fn)(const float *a, const float *b, int64_t n);
static void hl__qk_dots(float *S, int64_t lds, const float *q, int64_t ldq, int64_t nq, const float *keys,
                        int64_t ldk, int64_t nk, int64_t dh, hl__dot_fn dot) {
    int64_t i, j;
    for (i = 0; i < nq; i++)
        for (j = 0; j < nk; j++) S[i * lds + j] = dot(q + i * ldq, keys + j * ldk, dh);
}
static void hl__qk_scalar(float *S, int64_t lds, const float *q, int64_t ldq, int64_t nq, const float *keys,
                          int64_t ldk, int64_t nk, int64_t dh) {
    hl__qk_dots(S, lds, q, ldq, nq, keys, ldk, nk, dh, hl__dot_scalar);
}

/* Weighted sums of value rows for nq queries: z_r[c] = sum_{k = k0..k1} p_r[k] * v_k[c], k
   ascending (z_r = z + r*ldz, p_r = p + r*ldp, v_k = v + k*ldv, c < dh). Keys whose weight is 0 are
   skipped: the attention code passes a run [k0, k1] that holds every nonzero weight of the rows.
   hl__pv_axpys does it with any level's axpy. */
typedef void (*hl__axpy_fn)(float *y, float alpha, const float *x, int64_t n);
static void hl__pv_axpys(int nq, float *z, int64_t ldz, const float *p, int64_t ldp, int64_t k0, int64_t k1,
                         const float *v, int64_t ldv, int64_t dh, hl__axpy_fn axpy) {
    int r;
    int64_t k, c;
    for (r = 0; r < nq; r++) {
        float *zr = z + r * ldz;
        const float *pr = p + r * ldp;
        for (c = 0; c < dh; c++) zr[c] = 0.0f;
        for (k = k0; k <= k1; k++)
            if (pr[k] != 0.0f) axpy(zr, pr[k], v + k * ldv, dh);
    }
}
static void hl__pv_scalar(int nq, float *z, int64_t ldz, const float *p, int64_t ldp, int64_t k0, int64_t k1,
                          const float *v, int64_t ldv, int64_t dh) {
    hl__pv_axpys(nq, z, ldz, p, ldp, k0, k1, v, ldv, dh, hl__axpy_scalar);
}

/* <<kernels_scalar: the levels below are the same kernels with SIMD; the tables and the threaded
   drivers come after them. */

/* ---- shared by the SIMD levels: cache blocking ---------------------------------------------- */
/* TILE(mr, ...) with a tile height mr in 1..6 as a compile-time constant, so that each height of an
   always-inline tile is its own code (used by every row driver below). */
#define HL__TILE_MR(mr, TILE, ...)                                                                          \
    switch (mr) {                                                                                         \
    case 6: TILE(6, __VA_ARGS__); break;                                                                  \
    case 5: TILE(5, __VA_ARGS__); break;                                                                  \
    default: HL__TILE_MR4(mr, TILE, __VA_ARGS__); break;                                                  \
    }
/* the same for heights 1..4 (tiles with fewer registers) */
#define HL__TILE_MR4(mr, TILE, ...)                                                                         \
    switch (mr) {                                                                                         \
    case 4: TILE(4, __VA_ARGS__); break;                                                                  \
    case 3: TILE(3, __VA_ARGS__); break;                                                                  \
    case 2: TILE(2, __VA_ARGS__); break;                                                                  \
    default: TILE(1, __VA_ARGS__); break;                                                                 \
    }

#if defined(HL__X86) || defined(HL__NEON)
/* Cache blocking of a prefill: a block of NB weight rows (NB*K weights, ~512 KB) stays in L2 while
   every block of MB tokens (MB*K floats, ~256 KB) streams past it, so each weight is read from memory
   once per call and each loaded weight row serves MB tokens from registers and L1. Long rows would
   shrink the blocks to a single tile, and then each weight block serves only six tokens before the
   next is fetched; MB >= 12 tokens and NB >= 128 rows hold even when the blocks outgrow L2 (measured
   on a 2-core Zen 4, down_proj K = 9216, M = 512, against no floor: f32 169-174 -> 198-200 GFLOP/s,
   bf16 exact 180-185 -> 208-211, fast 399-407, and no shape slower; 24 x 64 gave 188-192, 196-201
   and 379-388; k-blocking the tiles instead gained less). Decode (M = 1) just streams the rows.
   Blocking changes no rounding: every output is one whole-K tile. */
static int64_t hl__mm_mblock(int64_t K, int64_t mr) {
    int64_t mb = ((int64_t)256 * 1024 / 4) / (K > 0 ? K : 1);
    mb -= mb % mr;
    return mb < 2 * mr ? 2 * mr : mb;
}
static int64_t hl__mm_nblock(int64_t K, int64_t wsize, int64_t nr) {
    int64_t nb = ((int64_t)512 * 1024) / ((K > 0 ? K : 1) * wsize);
    nb -= nb % nr;
    return nb < 32 * nr ? 32 * nr : nb;
}
#endif

/* Tokens per tile for the r tokens left in a block, with tiles of at most MR tokens: MR while at
   least 2 MR remain (or exactly MR); MR+1 .. 2 MR-1 are split into two tiles rather than a full one
   and a ragged 1 .. MR-1 (M = 512 leaves 2 per block of six, which ran as two one-token tiles at a
   quarter of the rate). A tile's shape changes no rounding: each output is still its own whole-K
   sum. */
static int64_t hl__mm_tile_rows(int64_t r, int64_t MR) {
    return r >= 2 * MR || r == MR ? MR : r > MR ? (r + 1) / 2 : r;
}
/* The x @ W^T row driver of every SIMD level: outputs n0 <= n < n1 of all M rows, in blocks of MB
   tokens x NB weight rows (above), each block in register tiles of at most MR tokens x NR weight
   rows: tile(j, mr, nr, m, n) computes y[m .. m+mr, n .. n+nr) with the level's tile for that
   shape, every output one whole-K sum. Decode (M = 1) reads one weight row after another, a single
   stream per thread (on a 2-core Zen 4 this read 37-42 GB/s where 8 rows side by side read 32-41:
   the hardware prefetcher follows one stream best). */
typedef void (*hl__mm_tile_fn)(const hl__mm_job *j, int mr, int nr, int64_t m, int64_t n);
/* always inlined into each level's driver, whose tile is then a constant: a direct call */
static inline __attribute__((always_inline)) void hl__mm_blocked(const hl__mm_job *j, int64_t n0, int64_t n1, int MR, int NR, int64_t MB, int64_t NB,
                           hl__mm_tile_fn tile) {
    int64_t nb, mb, m, n, mr;
    if (j->M == 1) {
        for (n = n0; n < n1; n++) tile(j, 1, 1, 0, n);
        return;
    }
    for (nb = n0; nb < n1; nb += NB) {
        const int64_t ne = nb + NB < n1 ? nb + NB : n1;
        for (mb = 0; mb < j->M; mb += MB) {
            const int64_t me = mb + MB < j->M ? mb + MB : j->M;
            for (n = nb; n < ne; n += n + NR <= ne ? NR : 1)
                for (m = mb; m < me; m += mr) {
                    mr = hl__mm_tile_rows(me - m, MR);
                    tile(j, (int)mr, n + NR <= ne ? NR : 1, m, n);
                }
        }
    }
}

/* ---- x @ W with W stored [K, N] (SAE encoders W_enc [d_in, d_sae], attention probs @ V) ----------
     y[m, n] = sum_k x[m, k] * W[k, n]        x: [M, K] f32   W: [K, N] wdt   y: [M, N] f32
   PyTorch: y = x @ W. Every level sums k = 0, 1, 2, ... in order for each output (the SIMD levels
   vectorise over n and fuse each multiply-add; the scalar reference rounds the product first), so
   the only difference between levels is that one rounding; work is split over n. */
/* (its scalar reference is hl__mm_nn_scalar above) */
#if defined(HL__X86) || defined(HL__NEON)
/* Blocking. A strip of 64 columns of W [K, N] is K short pieces N*ws bytes apart: for an SAE's
   N = 65536 (f32 rows of 256 KB) each piece is on another page and all of them fall in the same few
   L1 and L2 sets, so the strip never stays in cache. Prefill therefore copies W[k0 .. k0+KC, strip]
   into a contiguous block (KC x 64, stored dtype, 64 KB in f32) that every six-token tile then
   reads from L1/L2. Decode (M = 1) reads W row after row instead, with the range's sums in L1/L2.
   Both keep each output's order (k = 0, 1, ... fused into an accumulator that starts at +0), so
   the bits are those of the plain tile loop. Measured on a 2-core Zen 4 (`bench --sae`, d_in 2304
   x d_sae 65536 f32): batch of 128 115 -> 167-170 GFLOP/s; one token 17-19 -> 25-29 GB/s. */
#define HL__NN_KC 256
/* Decode sums for n floats, placed 2 KB away from W's row start modulo 4 KB, so that a load of W
   never waits on a store to the sums at the same 4 KB offset (4K aliasing). *raw is the block to
   free; NULL if memory is short. */
static float *hl__nn_sums(const uint8_t *Wrow, int64_t n, uint8_t **raw) {
    const uintptr_t want = ((uintptr_t)Wrow + 2048u) & 4092u; /* 4-byte aligned */
    if (!(*raw = (uint8_t *)HL_MALLOC((size_t)(n * 4 + 4096 + 64)))) return NULL;
    return (float *)(*raw + ((want - (uintptr_t)*raw) & 4095u));
}
/* One prefill block W[k0 .. k0+kn, n .. n+w) (w <= 64) as the tiles read it: copied into pk with
   rows 64 elements apart, or in place (rows N apart) if pk is NULL. Sets *ldw. */
static const uint8_t *hl__nn_block(uint8_t *pk, const uint8_t *Wb, int64_t ws, int64_t N, int64_t k0, int64_t kn,
                                   int64_t n, int64_t w, int64_t *ldw) {
    int64_t k;
    if (!pk) {
        *ldw = N;
        return Wb + (k0 * N + n) * ws;
    }
    for (k = 0; k < kn; k++) memcpy(pk + k * 64 * ws, Wb + ((k0 + k) * N + n) * ws, (size_t)(w * ws));
    *ldw = 64;
    return pk;
}
/* The x @ W row driver of every SIMD level, given two functions of the level:
     tile(mr, w, y, ldy, x, ldx, W, wdt, ldw, K, first)   mr <= 6 tokens x w <= 64 columns over K steps
     axpy(acc, a, W, wdt, i0, n)                           acc[c] += a * W[i0 + c], c < n
   with the blocking described above. */
typedef void (*hl__nn_tile_fn)(int mr, int64_t w, float *y, int64_t ldy, const float *x, int64_t ldx,
                               const void *W, hl_dtype wdt, int64_t ldw, int64_t K, int first);
typedef void (*hl__nn_axpy_fn)(float *acc, float a, const void *W, hl_dtype wdt, int64_t i0, int64_t n);
static void hl__mm_nn_rows(const hl__mm_job *jb, int64_t n0, int64_t n1, hl__nn_tile_fn tile, hl__nn_axpy_fn axpy) {
    const hl_dtype wdt = jb->wdt;
    const int64_t M = jb->M, N = jb->N, K = jb->K, KC = HL__NN_KC, ws = (int64_t)hl_dtype_size(wdt);
    const uint8_t *Wb = (const uint8_t *)jb->W;
    uint8_t *pk = NULL, *raw = NULL;
    float   *acc;
    int64_t n, m, k, k0;
    if (n1 <= n0) return;
    if (K == 0) {
        for (m = 0; m < M; m++) memset(jb->y + m * N + n0, 0, (size_t)(n1 - n0) * 4);
        return;
    }
    if (M == 1 && (acc = hl__nn_sums(Wb + n0 * ws, n1 - n0, &raw)) != NULL) {
        /* acc[n] += x[k] * W[k, n] for k = 0, 1, ...: W is read row after row, sequentially, and
           the sums (n1 - n0 floats) stay in L1/L2 */
        memset(acc, 0, (size_t)(n1 - n0) * 4);
        for (k = 0; k < K; k++) axpy(acc, jb->x[k], Wb, wdt, k * N + n0, n1 - n0);
        memcpy(jb->y + n0, acc, (size_t)(n1 - n0) * 4);
        HL_FREE(raw);
        return;
    }
    pk = (uint8_t *)HL_MALLOC((size_t)(KC * 64 * ws)); /* if memory is short, the tiles read W in place */
    for (n = n0; n < n1; n += 64) { /* a strip of 64 columns; each block of it serves all M tokens */
        const int64_t w = n1 - n < 64 ? n1 - n : 64;
        for (k0 = 0; k0 < K; k0 += KC) {
            const int64_t kn = (k0 + KC < K ? k0 + KC : K) - k0;
            int64_t ldw;
            const uint8_t *Wt = hl__nn_block(pk, Wb, ws, N, k0, kn, n, w, &ldw);
            for (m = 0; m < M; m += 6)
                tile(M - m < 6 ? (int)(M - m) : 6, w, jb->y + m * N + n, N, jb->x + m * K + k0, K, Wt, wdt, ldw, kn, k0 == 0);
        }
    }
    if (pk) HL_FREE(pk);
}
/* Columns no whole vector covers (AVX2, NEON): the same chain per output with fmaf, which rounds
   as the vector lanes' fused multiply-add does. */
static void hl__nn_tile_ragged(int mr, int64_t w, float *y, int64_t ldy, const float *x, int64_t ldx,
                               const void *W, hl_dtype wdt, int64_t ldw, int64_t K, int first) {
    int64_t i, c, k;
    for (i = 0; i < mr; i++)
        for (c = 0; c < w; c++) {
            float t = first ? 0.0f : y[i * ldy + c];
            for (k = 0; k < K; k++) t = fmaf(x[i * ldx + k], hl__load_w(W, wdt, k * ldw + c), t);
            y[i * ldy + c] = t;
        }
}
#endif

/* ---- AVX2 + FMA + F16C ------------------------------------------------------------------------ */
#if defined(HL__X86)
/* 8 weights W[i .. i+8) widened to f32 (bf16: shift into the high half; f16: vcvtph2ps). */
HL__INLINE HL__TGT_AVX2 __m256 hl__w8_avx2(const void *W, hl_dtype wdt, int64_t i) {
    if (wdt == HL_DTYPE_F32) return _mm256_loadu_ps((const float *)W + i);
    {
        __m128i h = _mm_loadu_si128((const __m128i *)((const uint16_t *)W + i));
        if (wdt == HL_DTYPE_BF16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
        return _mm256_cvtph_ps(h);
    }
}
/* The ragged end k in [k0, K) of a row, zero-padded to 8 lanes (same dtype handling). */
HL__INLINE HL__TGT_AVX2 __m256 hl__w8_tail_avx2(const void *W, hl_dtype wdt, int64_t i, int64_t r) {
    float t[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t j;
    for (j = 0; j < r; j++) t[j] = hl__load_w(W, wdt, i + j);
    return _mm256_loadu_ps(t);
}
/* Fixed-order horizontal sum: (lo128 + hi128), then (0+2, 1+3), then (0 + 1). */
HL__INLINE HL__TGT_AVX2 float hl__hsum_avx2(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
/* Register tile: MR tokens x NR weight rows, 8-lane accumulators (MR*NR + NR + 1 <= 16 ymm).
   y[i*ldy + j] = sum_k x[i*K + k] * W[j*K + k]. */
HL__INLINE HL__TGT_AVX2 void hl__tile_avx2(int MR, int NR, float *y, int64_t ldy, const float *x,
                                           const void *W, hl_dtype wdt, int64_t K) {
    __m256 acc[4][3], w[3], xv;
    int i, j;
    int64_t k;
    HL__UNROLL for (i = 0; i < MR; i++) HL__UNROLL for (j = 0; j < NR; j++) acc[i][j] = _mm256_setzero_ps();
    for (k = 0; k + 8 <= K; k += 8) {
        HL__UNROLL for (j = 0; j < NR; j++) w[j] = hl__w8_avx2(W, wdt, j * K + k);
        HL__UNROLL for (i = 0; i < MR; i++) {
            xv = _mm256_loadu_ps(x + i * K + k);
            HL__UNROLL for (j = 0; j < NR; j++) acc[i][j] = _mm256_fmadd_ps(xv, w[j], acc[i][j]);
        }
    }
    if (k < K) {
        HL__UNROLL for (j = 0; j < NR; j++) w[j] = hl__w8_tail_avx2(W, wdt, j * K + k, K - k);
        HL__UNROLL for (i = 0; i < MR; i++) {
            xv = hl__w8_tail_avx2(x + i * K, HL_DTYPE_F32, k, K - k);
            HL__UNROLL for (j = 0; j < NR; j++) acc[i][j] = _mm256_fmadd_ps(xv, w[j], acc[i][j]);
        }
    }
    HL__UNROLL for (i = 0; i < MR; i++) HL__UNROLL for (j = 0; j < NR; j++) y[i * ldy + j] = hl__hsum_avx2(acc[i][j]);
}

/* One tile of the row driver: mr <= 4 tokens x nr <= 3 weight rows, shapes and dtypes constant in
   each instance. */
#define HL__T2(MR, NR, WDT) hl__tile_avx2(MR, NR, y, j->N, x, Wt, WDT, j->K)
#define HL__T2_NR(NR, WDT) HL__TILE_MR4(mr, HL__T2, NR, WDT)
HL__INLINE HL__TGT_AVX2 void hl__mm_tile_avx2(const hl__mm_job *j, int mr, int nr, int64_t m, int64_t n) {
    float *y = j->y + m * j->N + n;
    const float *x = j->x + m * j->K;
    const void *Wt = (const uint8_t *)j->W + n * j->K * (int64_t)hl_dtype_size(j->wdt);
    switch (j->wdt) {
    case HL_DTYPE_F32: if (nr == 3) { HL__T2_NR(3, HL_DTYPE_F32); } else { HL__T2_NR(1, HL_DTYPE_F32); } break;
    case HL_DTYPE_BF16: if (nr == 3) { HL__T2_NR(3, HL_DTYPE_BF16); } else { HL__T2_NR(1, HL_DTYPE_BF16); } break;
    default: if (nr == 3) { HL__T2_NR(3, HL_DTYPE_F16); } else { HL__T2_NR(1, HL_DTYPE_F16); } break;
    }
}
#undef HL__T2_NR
#undef HL__T2
static HL__TGT_AVX2 void hl__mm_rows_avx2(const hl__mm_job *j, int64_t n0, int64_t n1) {
    hl__mm_blocked(j, n0, n1, 4, 3, hl__mm_mblock(j->K, 4), hl__mm_nblock(j->K, (int64_t)hl_dtype_size(j->wdt), 3),
                   hl__mm_tile_avx2);
}
/* AVX2 tile: 8 columns per vector, MR <= 6 tokens x 2 vectors over K steps (W row k at k*ldw), from
   y or from 0 when `first`; driven by hl__mm_nn_rows. */
HL__INLINE HL__TGT_AVX2 void hl__tile_nn_avx2(int MR, float *y, int64_t ldy, const float *x, int64_t ldx,
                                              const void *W, hl_dtype wdt, int64_t ldw, int64_t K, int first) {
    __m256 acc[6][2], w0, w1; /* 12 + 3 of the 16 ymm */
    int i;
    int64_t k;
    HL__UNROLL for (i = 0; i < MR; i++) {
        acc[i][0] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(y + i * ldy);
        acc[i][1] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(y + i * ldy + 8);
    }
    for (k = 0; k < K; k++) {
        w0 = hl__w8_avx2(W, wdt, k * ldw);
        w1 = hl__w8_avx2(W, wdt, k * ldw + 8);
        HL__UNROLL for (i = 0; i < MR; i++) {
            __m256 xb = _mm256_set1_ps(x[i * ldx + k]);
            acc[i][0] = _mm256_fmadd_ps(xb, w0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(xb, w1, acc[i][1]);
        }
    }
    HL__UNROLL for (i = 0; i < MR; i++) {
        _mm256_storeu_ps(y + i * ldy, acc[i][0]);
        _mm256_storeu_ps(y + i * ldy + 8, acc[i][1]);
    }
}
#define HL__NN_TILE2(MR, J) hl__tile_nn_avx2(MR, y + (J), ldy, x, ldx, (const uint8_t *)W + (J) * ws, wdt, ldw, K, first)
static HL__TGT_AVX2 void hl__tile_nn_avx2_w(int mr, int64_t w, float *y, int64_t ldy, const float *x, int64_t ldx,
                                            const void *W, hl_dtype wdt, int64_t ldw, int64_t K, int first) {
    const int64_t ws = (int64_t)hl_dtype_size(wdt);
    int64_t j;
    for (j = 0; j + 16 <= w; j += 16) HL__TILE_MR(mr, HL__NN_TILE2, j);
    hl__nn_tile_ragged(mr, w - j, y + j, ldy, x, ldx, (const uint8_t *)W + j * ws, wdt, ldw, K, first);
}
#undef HL__NN_TILE2
static HL__TGT_AVX2 void hl__axpy_nn_avx2(float *acc, float a, const void *W, hl_dtype wdt, int64_t i0, int64_t n) {
    const __m256 av = _mm256_set1_ps(a);
    int64_t c;
    for (c = 0; c + 8 <= n; c += 8)
        _mm256_storeu_ps(acc + c, _mm256_fmadd_ps(av, hl__w8_avx2(W, wdt, i0 + c), _mm256_loadu_ps(acc + c)));
    for (; c < n; c++) acc[c] = fmaf(a, hl__load_w(W, wdt, i0 + c), acc[c]);
}
static void hl__mm_nn_rows_avx2(const hl__mm_job *j, int64_t n0, int64_t n1) {
    hl__mm_nn_rows(j, n0, n1, hl__tile_nn_avx2_w, hl__axpy_nn_avx2);
}
/* sum_i a[i] * b[i]: 8 lanes, lane l sums i = l, l+8, ... fused, the tail zero-padded, then the
   fixed tree of hl__hsum_avx2. */
static HL__TGT_AVX2 float hl__dot_f32_avx2(const float *a, const float *b, int64_t n) {
    __m256 s = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) s = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s);
    if (i < n) s = _mm256_fmadd_ps(hl__w8_tail_avx2(a, HL_DTYPE_F32, i, n - i), hl__w8_tail_avx2(b, HL_DTYPE_F32, i, n - i), s);
    return hl__hsum_avx2(s);
}
static HL__TGT_AVX2 void hl__axpy_f32_avx2(float *y, float alpha, const float *x, int64_t n) {
    __m256 a = _mm256_set1_ps(alpha);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] = fmaf(alpha, x[i], y[i]); /* fused, like the vector lanes */
}
/* Scores and weighted value sums as the scalar ones, with this level's dot and fused axpy. */
static void hl__qk_avx2(float *S, int64_t lds, const float *q, int64_t ldq, int64_t nq, const float *keys, int64_t ldk,
                        int64_t nk, int64_t dh) {
    hl__qk_dots(S, lds, q, ldq, nq, keys, ldk, nk, dh, hl__dot_f32_avx2);
}
static void hl__pv_avx2(int nq, float *z, int64_t ldz, const float *p, int64_t ldp, int64_t k0, int64_t k1,
                        const float *v, int64_t ldv, int64_t dh) {
    hl__pv_axpys(nq, z, ldz, p, ldp, k0, k1, v, ldv, dh, hl__axpy_f32_avx2);
}
#endif

/* ---- fast mode with quantized weights: the scalar reference --------------------------------- */
/* Fast mode with quantized weights: x in 8-bit integers, as llama.cpp's CPU path does, but with a
   second term for the rounding error. Per row and block of 32 values x_i:
     d = max_i |x_i| / 127,   q1_i = round(x_i / d),   q2_i = round((x_i - d q1_i) / (d / 256))
   so that x_i = (d / 256) (256 q1_i + q2_i) up to the rounding of q2 (about 15 bits instead of 8:
   gemma-3-270m's KL from the float64 reference is 1.5e-8 with both terms (2.0e-8 once Q8_0/Q5_0/Q4_0
   sum whole blocks, see hl__mm_q8dot_scalar), 4e-3 with q1 alone in 0.4.0, 2.6e-3
   for llama.cpp). HL_FAST_INT8 keeps q1 alone (the prep stores q2 = 0, and the VNNI prefill of
   Q8_0/Q5_0/Q4_0 skips the second term's products): 2.2e-3 on the AVX512-VNNI kernels, 3.1e-3 on
   the scalar table - one draw each of the rounding, llama.cpp's own configurations give 2.6e-3 to
   8.8e-3 (meta.json), so the two terms are the default. Rounding is to nearest with ties up (floor(v + 1/2)), so a residual lies in
   [-d/2, d/2): q1 in [-127, 127], q2 in [-128, 127] (clamped at 127 just below +d/2). Codes are
   stored + 128 as bytes for vpdpbusd (unsigned x signed); blocks past K are zero. */
static int8_t hl__q8_code(float v, float lo) {
    if (!(v == v)) return 0; /* NaN: the scale carries it */
    v = floorf(v + 0.5f);    /* nearest, ties up: a tie's residual is -1/2, which -128 holds */
    return (int8_t)(v > 127.0f ? 127 : v < lo ? (int)lo : (int)v);
}
/* One block of 32: the codes + 128 of both terms, and the scale d (NaN if x holds a NaN). The
   residual is one fused multiply-add, fmaf(-d, q1, x), so that every level computes the same codes
   whatever the compiler contracts. */
typedef void (*hl__q8_block_fn)(const float *x, uint8_t *u1, uint8_t *u2, float *d);
static void hl__q8_block_scalar(const float *x, uint8_t *u1, uint8_t *u2, float *d) {
    float amax = 0.0f, dd, id;
    int i;
    for (i = 0; i < 32; i++)
        if (fabsf(x[i]) > amax || !(x[i] == x[i])) amax = x[i] == x[i] ? fabsf(x[i]) : x[i];
    dd = amax / 127.0f, id = dd != 0.0f ? 1.0f / dd : 0.0f;
    for (i = 0; i < 32; i++) {
        const int8_t c1 = hl__q8_code(x[i] * id, -127.0f);
        u1[i] = (uint8_t)(c1 + 128);
        u2[i] = (uint8_t)(hl__q8_code(fmaf(-dd, (float)c1, x[i]) * id * 256.0f, -128.0f) + 128);
    }
    *d = dd;
}
/* The weight types with 8-bit products in fast mode (the others stay exact). */
static int hl__q8_type(hl_dtype t) {
    return t == HL_DTYPE_Q8_0 || t == HL_DTYPE_Q5_0 || t == HL_DTYPE_Q4_0 || t == HL_DTYPE_Q4_K || t == HL_DTYPE_Q6_K;
}
/* those of them with one scale per block of 32 (their products sum whole blocks, see below) */
static int hl__q8_blk32(hl_dtype t) {
    return t == HL_DTYPE_Q8_0 || t == HL_DTYPE_Q5_0 || t == HL_DTYPE_Q4_0;
}
/* x of one product in the layout of hl__mm_job: the codes, the scales d / 256 per group of 4, and
   after them xs [M][Kp / 32], per block the sum of x as its codes give it, (float)sum(256 q1 + q2)
   * (d / 256) (the K-quants' min term). Blocks past K are zero. With `wide` (the AVX2 tables) also
   x16 and xbd (see hl__mm_job). */
static void *hl__mm_prep_q8(hl__mm_job *j, hl__q8_block_fn block, int wide) {
    const int64_t M = j->M, K = j->K, Kp = (K + 63) / 64 * 64, nb = K / 32, nb8 = (nb + 7) / 8 * 8;
    uint8_t *q;
    float *d, *xs, *xbd = NULL, dd;
    int16_t *x16 = NULL;
    int64_t m, b, i;
    uint64_t bytes;
    /* per row: 2 Kp code bytes, Kp + Kp / 8 scale bytes; wide: 2 Kp bytes of x16, 4 nb8 of xbd */
    if (K % 32 != 0 || K > 16384 ||
        !hl__mul_ok((uint64_t)M, 3 * (uint64_t)Kp + (uint64_t)Kp / 8 + (wide ? 2 * (uint64_t)Kp + 4 * (uint64_t)nb8 : 0), &bytes) ||
        bytes > SIZE_MAX - 192 || !(q = (uint8_t *)HL_MALLOC((size_t)bytes + 192)))
        return NULL; /* exact products */
    d = (float *)(void *)((uintptr_t)(q + 2 * M * Kp + 63) & ~(uintptr_t)63); /* the scales after the codes */
    xs = d + M * (Kp / 4);
    memset(q, 128, (size_t)(2 * M * Kp));
    memset(d, 0, (size_t)(M * Kp + M * Kp / 8)); /* [M][Kp / 4] + [M][Kp / 32] floats */
    if (wide) {
        x16 = (int16_t *)(void *)((uintptr_t)(xs + M * (Kp / 32) + 31) & ~(uintptr_t)63);
        xbd = (float *)(void *)(x16 + M * Kp);
        memset(x16, 0, (size_t)(2 * M * Kp + 4 * M * nb8));
    }
    for (m = 0; m < M; m++)
        for (b = 0; b < nb; b++) {
            uint8_t *u1 = q + m * 2 * Kp + 32 * b, *u2 = u1 + Kp;
            int32_t sum = 0;
            block(j->x + m * j->ldx + 32 * b, u1, u2, &dd);
            if (j->kern->one_term) memset(u2, 128, 32); /* HL_FAST_INT8: q2 = 0 */
            for (i = 0; i < 8; i++) d[m * (Kp / 4) + 8 * b + i] = dd * (1.0f / 256.0f);
            for (i = 0; i < 32; i++) sum += 256 * ((int32_t)u1[i] - 128) + ((int32_t)u2[i] - 128);
            xs[m * (Kp / 32) + b] = (float)sum * d[m * (Kp / 4) + 8 * b];
            if (wide) {
                for (i = 0; i < 32; i++) x16[m * Kp + 32 * b + i] = (int16_t)(256 * ((int32_t)u1[i] - 128) + ((int32_t)u2[i] - 128));
                xbd[m * nb8 + b] = d[m * (Kp / 4) + 8 * b];
            }
        }
    j->xq = q, j->xd = d;
    if (wide) j->x16 = x16, j->xbd = xbd;
    return q;
}
/* The scalar level's fast mode: 8-bit products for the hl__q8_type weights, exact otherwise. */
static void *hl__mm_prep_q8_scalar(hl__mm_job *j) {
    return hl__q8_type(j->wdt) ? hl__mm_prep_q8(j, hl__q8_block_scalar, 0) : NULL;
}
/* the same codes with x16 and xbd, for the AVX2 and NEON kernels */
#if defined(HL__X86) || defined(HL__NEON)
static void *hl__mm_prep_q8_x16(hl__mm_job *j) {
    return hl__q8_type(j->wdt) ? hl__mm_prep_q8(j, hl__q8_block_scalar, 1) : NULL;
}
#endif

/* Block b (32 values) of a weight row as integer codes w_i and a scale per group of 4 values,
   ds[l] for w_4l .. w_4l+3, so that the weights are ds[i / 4] w_i - mn (see >>quant):
     Q8_0, Q5_0, Q4_0   ds = d, mn = 0
     Q4_K               sub-block b % 8 of super-block b / 8: ds = d * sc, mn = dmin * m, w = q (0..15)
     Q6_K               ds = d * sc of each 16 values, w = q - 32, mn = 0
   (the products d * sc as the dequantizers round them). */
/* a K-quant block's scales and min from its super-block sb, given the super-block's d and dmin
   (Q4_K; Q6_K has no dmin) as floats */
static void hl__q_kscales(hl_dtype t, const uint8_t *sb, int64_t b, float d, float dmin, float *ds, float *mn) {
    int i;
    if (t == HL_DTYPE_Q4_K) {
        uint8_t sc, m;
        hl__k_scale_min((int)(b % 8), sb + 4, &sc, &m);
        for (i = 0; i < 8; i++) ds[i] = d * (float)sc;
        *mn = dmin * (float)m;
    } else {
        const int8_t *sc = (const int8_t *)(sb + 192 + 8 * ((int)(b % 8) / 4));
        for (i = 0; i < 8; i++) ds[i] = d * (float)sc[i / 4 + 2 * (int)(b % 4)];
        *mn = 0.0f;
    }
}
/* the scales and min of block b alone (hl__q_codes without the codes) */
static void hl__q_scales(hl_dtype t, const uint8_t *row, int64_t b, float *ds, float *mn) {
    int i;
    *mn = 0.0f;
    if (t == HL_DTYPE_Q4_K) {
        const uint8_t *sb = row + (uint64_t)(b / 8) * 144;
        hl__q_kscales(t, sb, b, hl__f16_at(sb), hl__f16_at(sb + 2), ds, mn);
    } else if (t == HL_DTYPE_Q6_K) {
        const uint8_t *sb = row + (uint64_t)(b / 8) * 210;
        hl__q_kscales(t, sb, b, hl__f16_at(sb + 208), 0.0f, ds, mn);
    } else {
        for (i = 0; i < 8; i++) ds[i] = hl__f16_at(row + (uint64_t)b * hl__qblock_bytes(t));
    }
}
static void hl__q_codes(hl_dtype t, const uint8_t *row, int64_t b, int8_t *w, float *ds, float *mn) {
    int i;
    hl__q_scales(t, row, b, ds, mn);
    if (t == HL_DTYPE_Q4_K) {
        const uint8_t *q = row + (uint64_t)(b / 8) * 144 + 16 + 32 * ((b % 8) / 2);
        for (i = 0; i < 32; i++) w[i] = (int8_t)(b % 2 ? q[i] >> 4 : q[i] & 0x0F);
        return;
    }
    if (t == HL_DTYPE_Q6_K) { /* group g of half h: element l + 32 g of the half (see hl__deq_q6_k) */
        const uint8_t *sb = row + (uint64_t)(b / 8) * 210;
        const int h = (int)(b % 8) / 4, g = (int)(b % 4);
        const uint8_t *ql = sb + 64 * h + 32 * (g % 2), *qh = sb + 128 + 32 * h;
        for (i = 0; i < 32; i++) w[i] = (int8_t)((int)(((ql[i] >> (4 * (g / 2))) & 0x0F) | (((qh[i] >> (2 * g)) & 3) << 4)) - 32);
        return;
    }
    row += (uint64_t)b * hl__qblock_bytes(t);
    {
    const uint8_t *bq = row;
    if (t == HL_DTYPE_Q8_0) {
        memcpy(w, bq + 2, 32);
    } else if (t == HL_DTYPE_Q5_0) {
        const uint32_t qh = (uint32_t)bq[2] | (uint32_t)bq[3] << 8 | (uint32_t)bq[4] << 16 | (uint32_t)bq[5] << 24;
        for (i = 0; i < 16; i++) {
            w[i] = (int8_t)((int)((bq[6 + i] & 0x0F) | (((qh >> i) & 1u) << 4)) - 16);
            w[i + 16] = (int8_t)((int)((bq[6 + i] >> 4) | (((qh >> (i + 16)) & 1u) << 4)) - 16);
        }
    } else {
        for (i = 0; i < 16; i++) w[i] = (int8_t)((bq[2 + i] & 0x0F) - 8), w[i + 16] = (int8_t)((bq[2 + i] >> 4) - 8);
    }
    }
}
/* y[m, n] = sum over 16 lanes l of the fast-mode product, then the lanes summed as a tree (8
   pairs, 4, 2, 1). The weights with one scale per block of 32 (Q8_0, Q5_0, Q4_0) take a block at a
   time, lane l the blocks b = l mod 16:
     acc_l = fma(float(p_b), ds_b * (d_b / 256), acc_l),  p_b = sum_{i < 32} w_i (256 q1_i + q2_i)
   (an exact integer, |p_b| < 2^28, rounded once to float), so that a prefill kernel can keep p_b
   for 16 rows of x in the int32 lanes of vpdpbusd and convert it once per block (the classic
   4-byte-interleaved VNNI layout; oneDNN's brgemm, llama.cpp's q8_0 x q8_0 dot). The K-quants
   take 4 values per lane and step of 64 (scales per 16 or 32 values with mins):
     acc_l = fma(p_l, ds_l * d_b / 256, acc_l),  p_l = 256 sum w q1 + sum w q2  (exact
   integers: |p| < 2^24); Q4_K's mins are a second sum over the 8 sub-blocks of a super-block,
   mn_b * xs_b added into 8 lanes (b % 8) and summed as a tree (4 pairs, 2, 1), then subtracted.
   The AVX-512 kernels do the same operations in the same order, so all give the same bits, on
   any thread count.
   The integer sums are written sum w u - 128 sum w, not sum w (u - 128): GCC 12.2 with
   -mavx512vnni (-march=native on Zen 4 or Ice Lake) vectorises the latter into a vpdpbusd that
   takes the bytes u - 128 as unsigned, which is wrong code (the fast-mode reference then gave KL 99
   on gemma-3-270m); sum w u is the unsigned x signed product that instruction computes. */
static int hl__mm_q8dot_scalar(const hl__mm_job *j, int64_t n0, int64_t n1) {
    const int64_t K = j->K, Kp = (K + 63) / 64 * 64, nb = K / 32;
    const uint64_t rb = hl_dtype_row_bytes(j->wdt, K);
    int8_t w[32];
    float ds[8], mn, acc[16], macc[8];
    int64_t n, m, b, i, l;
    if (!hl__q8_type(j->wdt) || K % hl_dtype_block(j->wdt) != 0) return 0;
    for (n = n0; n < n1; n++) {
        const uint8_t *row = (const uint8_t *)j->W + (uint64_t)n * rb;
        for (m = 0; m < j->M; m++) {
            const uint8_t *u1 = j->xq + m * 2 * Kp, *u2 = u1 + Kp;
            const float *xd = j->xd + m * (Kp / 4), *xs = j->xd + j->M * (Kp / 4) + m * (Kp / 32);
            for (l = 0; l < 16; l++) acc[l] = 0.0f;
            for (l = 0; l < 8; l++) macc[l] = 0.0f;
            for (b = 0; b < nb && hl__q8_blk32(j->wdt); b++) {
                int32_t p1 = 0, p2 = 0, sw = 0;
                hl__q_codes(j->wdt, row, b, w, ds, &mn);
                for (i = 0; i < 32; i++)
                    p1 += (int32_t)w[i] * (int32_t)u1[32 * b + i], p2 += (int32_t)w[i] * (int32_t)u2[32 * b + i], sw += w[i];
                p1 -= 128 * sw, p2 -= 128 * sw; /* sum w (u - 128), as the comment above says */
                acc[b % 16] = fmaf((float)(256 * p1 + p2), ds[0] * xd[8 * b], acc[b % 16]);
            }
            for (b = 0; b < nb && !hl__q8_blk32(j->wdt); b++) {
                hl__q_codes(j->wdt, row, b, w, ds, &mn);
                for (l = 0; l < 8; l++) { /* block b fills lanes 8 (b % 2) .. 8 (b % 2) + 7 of its step */
                    int32_t p1 = 0, p2 = 0, sw = 0;
                    for (i = 4 * l; i < 4 * l + 4; i++)
                        p1 += (int32_t)w[i] * (int32_t)u1[32 * b + i], p2 += (int32_t)w[i] * (int32_t)u2[32 * b + i], sw += w[i];
                    p1 -= 128 * sw, p2 -= 128 * sw;
                    acc[8 * (b % 2) + l] = fmaf((float)(256 * p1 + p2), ds[l] * xd[8 * b + l], acc[8 * (b % 2) + l]);
                }
                if (j->wdt == HL_DTYPE_Q4_K) macc[b % 8] = fmaf(mn, xs[b], macc[b % 8]);
            }
            for (l = 0; l < 8; l++) acc[l] += acc[l + 8];
            for (l = 0; l < 4; l++) acc[l] += acc[l + 4];
            acc[0] += acc[2], acc[1] += acc[3];
            for (l = 0; l < 4; l++) macc[l] += macc[l + 4];
            macc[0] += macc[2], macc[1] += macc[3];
            j->y[m * j->N + n] = j->wdt == HL_DTYPE_Q4_K ? (acc[0] + acc[1]) - (macc[0] + macc[1]) : acc[0] + acc[1];
        }
    }
    return 1;
}

#if defined(HL__X86)
/* AVX2 fast mode (no VNNI: vpmaddwd on 16-bit values): hl__mm_q8dot_scalar's operations, 8 lanes
   at a time, so the same bits. x comes as x16 = 256 q1 + q2 (hl__mm_prep_q8 with `wide`), a weight
   row as its codes widened to 16 bits with its lane scales (hl__q_codes), unpacked once per block
   of rows of x. vpmaddwd of codes and x16 gives exact pair sums (|w| <= 128, |x16| < 2^15), so
     Q8_0 / Q5_0 / Q4_0: p_b = sum of a block's 16 pairs (8 blocks reduced into one register by
       vphaddd), acc_(b mod 16) = fma(float(p_b), ds_b * (d_b / 256), acc), lanes b mod 16 as two
       registers;
     Q4_K / Q6_K: p_l = the 4 values of lane l (vphaddd of the pairs, lanes put in order by
       vpermq), acc_(8 (b mod 2) + l) = fma(float(p_l), ds_l * xd_l, acc); Q4_K's mins as the
       reference (scalar, 8 lanes);
   then the reference's tree. */
/* the 32 codes of block b as bytes (hl__q_codes's values) */
HL__INLINE HL__TGT_AVX2 __m256i hl__q_codes_avx2(hl_dtype t, const uint8_t *row, int64_t b) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    if (t == HL_DTYPE_Q4_K) {
        const __m256i q = _mm256_loadu_si256((const __m256i *)(const void *)(row + (uint64_t)(b / 8) * 144 + 16 + 32 * ((b % 8) / 2)));
        return _mm256_and_si256(b % 2 ? _mm256_srli_epi16(q, 4) : q, m4);
    }
    if (t == HL_DTYPE_Q6_K) {
        const uint8_t *sb = row + (uint64_t)(b / 8) * 210;
        const int h = (int)(b % 8) / 4, g = (int)(b % 4);
        const __m256i ql = _mm256_loadu_si256((const __m256i *)(const void *)(sb + 64 * h + 32 * (g % 2)));
        const __m256i qh = _mm256_loadu_si256((const __m256i *)(const void *)(sb + 128 + 32 * h));
        const __m256i lo = _mm256_and_si256(_mm256_srl_epi16(ql, _mm_cvtsi32_si128(4 * (g / 2))), m4);
        const __m256i hi = _mm256_and_si256(_mm256_sll_epi16(_mm256_srl_epi16(qh, _mm_cvtsi32_si128(2 * g)), _mm_cvtsi32_si128(4)), _mm256_set1_epi8(0x30));
        return _mm256_sub_epi8(_mm256_or_si256(lo, hi), _mm256_set1_epi8(32));
    }
    {
        const uint8_t *bq = row + (uint64_t)b * hl__qblock_bytes(t);
        __m128i q, lo, hi;
        if (t == HL_DTYPE_Q8_0) return _mm256_loadu_si256((const __m256i *)(const void *)(bq + 2));
        q = _mm_loadu_si128((const __m128i *)(const void *)(bq + (t == HL_DTYPE_Q5_0 ? 6 : 2)));
        lo = _mm_and_si128(q, _mm_set1_epi8(0x0F)), hi = _mm_and_si128(_mm_srli_epi16(q, 4), _mm_set1_epi8(0x0F));
        if (t == HL_DTYPE_Q5_0) { /* bit i of qh is the fifth bit of value i: spread to bytes, then 0x10 */
            const uint32_t qh = (uint32_t)bq[2] | (uint32_t)bq[3] << 8 | (uint32_t)bq[4] << 16 | (uint32_t)bq[5] << 24;
            __m128i bits, sel;
            bits = _mm_set1_epi32((int)qh);
            sel = _mm_set_epi64x((long long)0x8040201008040201ULL, (long long)0x8040201008040201ULL);
            lo = _mm_or_si128(lo, _mm_and_si128(_mm_cmpeq_epi8(_mm_and_si128(_mm_shuffle_epi8(bits, _mm_set_epi64x(0x0101010101010101LL, 0)), sel), sel), _mm_set1_epi8(0x10)));
            hi = _mm_or_si128(hi, _mm_and_si128(_mm_cmpeq_epi8(_mm_and_si128(_mm_shuffle_epi8(bits, _mm_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL)), sel), sel), _mm_set1_epi8(0x10)));
            return _mm256_sub_epi8(_mm256_set_m128i(hi, lo), _mm256_set1_epi8(16));
        }
        return _mm256_sub_epi8(_mm256_set_m128i(hi, lo), _mm256_set1_epi8(8));
    }
}
HL__INLINE HL__TGT_AVX2 __m256i hl__q8_pairs_avx2(const int16_t *w, const int16_t *x) {
    return _mm256_add_epi32(_mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)w), _mm256_loadu_si256((const __m256i *)(const void *)x)),
                            _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(w + 16)),
                                              _mm256_loadu_si256((const __m256i *)(const void *)(x + 16))));
}
/* the reference's tree of 16 lanes (8 pairs, 4, 2, 1): a holds lanes 0-7, b lanes 8-15 */
HL__INLINE HL__TGT_AVX2 float hl__q8_tree_avx2(__m256 a, __m256 b) {
    const __m256 s = _mm256_add_ps(a, b);
    const __m128 t = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    const __m128 u = _mm_add_ps(t, _mm_movehl_ps(t, t));
    return _mm_cvtss_f32(u) + _mm_cvtss_f32(_mm_shuffle_ps(u, u, 1));
}
static HL__TGT_AVX2 int hl__mm_q8dot_avx2(const hl__mm_job *j, int64_t n0, int64_t n1) {
    int16_t wc[16384]; /* one weight row's codes and scales (52 KB of stack) */
    float wds[4096], wd1[520], wmn[512], sd = 0.0f, smin = 0.0f;
    const int64_t K = j->K, Kp = (K + 63) / 64 * 64, nb = K / 32, nb8 = (nb + 7) / 8 * 8, M = j->M;
    const int blk = hl__q8_blk32(j->wdt);
    const uint64_t rb = hl_dtype_row_bytes(j->wdt, K);
    /* rows of x per block: their x16 (2 K bytes each) within ~256 KB of L2 */
    const int64_t MX = (int64_t)131072 / K < 1 ? 1 : (int64_t)131072 / K;
    int64_t n, m, mb0, b, c;
    int t;
    if (!hl__q8_type(j->wdt) || !j->x16 || K > 16384 || K % hl_dtype_block(j->wdt) != 0) return 0;
    for (b = nb; b < nb8; b++) wd1[b] = 0.0f; /* the blocks past the last: no term */
    for (mb0 = 0; mb0 < M; mb0 += MX)
        for (n = n0; n < n1; n++) {
            const uint8_t *row = (const uint8_t *)j->W + (uint64_t)n * rb;
            for (b = 0; b < nb; b++) {
                const __m256i w = hl__q_codes_avx2(j->wdt, row, b);
                _mm256_storeu_si256((__m256i *)(void *)(wc + 32 * b), _mm256_cvtepi8_epi16(_mm256_castsi256_si128(w)));
                _mm256_storeu_si256((__m256i *)(void *)(wc + 32 * b + 16), _mm256_cvtepi8_epi16(_mm256_extracti128_si256(w, 1)));
                if (blk) { /* one scale per block: d (F16C converts exactly, as hl_f16_to_f32) */
                    const uint8_t *bq = row + (uint64_t)b * hl__qblock_bytes(j->wdt);
                    wd1[b] = _cvtsh_ss((unsigned short)(bq[0] | (bq[1] << 8)));
                } else { /* the super-block's d (and dmin) converted once per 8 blocks */
                    const uint8_t *sb = row + (uint64_t)(b / 8) * (j->wdt == HL_DTYPE_Q4_K ? 144 : 210);
                    const uint8_t *dp = j->wdt == HL_DTYPE_Q4_K ? sb : sb + 208;
                    if (b % 8 == 0) sd = _cvtsh_ss((unsigned short)(dp[0] | (dp[1] << 8))), smin = _cvtsh_ss((unsigned short)(sb[2] | (sb[3] << 8)));
                    hl__q_kscales(j->wdt, sb, b, sd, smin, wds + 8 * b, wmn + b);
                }
            }
            for (m = mb0; m < M && m < mb0 + MX; m++) {
                const int16_t *xr = j->x16 + m * Kp;
                __m256 acc[2];
                acc[0] = acc[1] = _mm256_setzero_ps();
                if (blk) {
                    for (c = 0; c < nb; c += 8) {
                        __m256i v[8], h0, h1;
                        for (t = 0; t < 8; t++)
                            v[t] = c + t < nb ? hl__q8_pairs_avx2(wc + 32 * (c + t), xr + 32 * (c + t)) : _mm256_setzero_si256();
                        /* vphaddd thrice: lane t of each 128-bit half holds block c + t's partial sums */
                        h0 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
                        h1 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
                        h0 = _mm256_add_epi32(_mm256_permute2x128_si256(h0, h1, 0x20), _mm256_permute2x128_si256(h0, h1, 0x31));
                        acc[(c / 8) % 2] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(h0),
                                                           _mm256_mul_ps(_mm256_loadu_ps(wd1 + c), _mm256_loadu_ps(j->xbd + m * nb8 + c)),
                                                           acc[(c / 8) % 2]);
                    }
                    j->y[m * j->N + n] = hl__q8_tree_avx2(acc[0], acc[1]);
                } else {
                    const float *xd = j->xd + m * (Kp / 4), *xs = j->xd + M * (Kp / 4) + m * (Kp / 32);
                    float macc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                    for (b = 0; b < nb; b++) {
                        const __m256i v0 = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(wc + 32 * b)),
                                                             _mm256_loadu_si256((const __m256i *)(const void *)(xr + 32 * b)));
                        const __m256i v1 = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(wc + 32 * b + 16)),
                                                             _mm256_loadu_si256((const __m256i *)(const void *)(xr + 32 * b + 16)));
                        /* vphaddd: values 0-3, 4-7, 16-19, 20-23 | 8-11, 12-15, 24-27, 28-31; vpermq puts lanes in order */
                        const __m256i p = _mm256_permute4x64_epi64(_mm256_hadd_epi32(v0, v1), 0xD8);
                        acc[b % 2] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(_mm256_loadu_ps(wds + 8 * b), _mm256_loadu_ps(xd + 8 * b)),
                                                     acc[b % 2]);
                        if (j->wdt == HL_DTYPE_Q4_K) macc[b % 8] = fmaf(wmn[b], xs[b], macc[b % 8]);
                    }
                    for (t = 0; t < 4; t++) macc[t] += macc[t + 4];
                    macc[0] += macc[2], macc[1] += macc[3];
                    j->y[m * j->N + n] = j->wdt == HL_DTYPE_Q4_K ? hl__q8_tree_avx2(acc[0], acc[1]) - (macc[0] + macc[1])
                                                                 : hl__q8_tree_avx2(acc[0], acc[1]);
                }
            }
        }
    return 1;
}
#endif

/* ---- AVX-512 ---------------------------------------------------------------------------------- */
#if defined(HL__X86)
/* 16 weights W[i .. i+16) widened to f32; `mask` selects lanes (the rest read as 0). */
HL__INLINE HL__TGT_AVX512 __m512 hl__w16_avx512(const void *W, hl_dtype wdt, int64_t i, __mmask16 mask) {
    if (wdt == HL_DTYPE_F32) return _mm512_maskz_loadu_ps(mask, (const float *)W + i);
    {
        __m256i h = _mm256_maskz_loadu_epi16(mask, (const uint16_t *)W + i);
        if (wdt == HL_DTYPE_BF16) return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
        return _mm512_cvtph_ps(h);
    }
}
/* Four lane sums at once, with exactly the tree of _mm512_reduce_add_ps (GCC, clang): per vector
   v, t = v[0..8) + v[8..16), u = t[0..4) + t[4..8), then (u0 + u2) + (u1 + u3). Each addition pairs
   the same two values as the one-vector reduction (float addition is commutative), so the bits
   are identical; it takes 13 shuffles/adds instead of about 40. Stores the sums of a, b, c, d to
   out[0..4). */
HL__INLINE HL__TGT_AVX512 void hl__reduce4_avx512(float *out, __m512 a, __m512 b, __m512 c, __m512 d) {
    __m512 ab = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xEE)); /* [ta | tb] */
    __m512 cd = _mm512_add_ps(_mm512_shuffle_f32x4(c, d, 0x44), _mm512_shuffle_f32x4(c, d, 0xEE)); /* [tc | td] */
    __m512 u = _mm512_add_ps(_mm512_shuffle_f32x4(ab, cd, 0x88), _mm512_shuffle_f32x4(ab, cd, 0xDD)); /* [ua|ub|uc|ud] */
    u = _mm512_add_ps(u, _mm512_permute_ps(u, 0x4E)); /* lane 0: u0 + u2, lane 1: u1 + u3 (each quarter) */
    u = _mm512_add_ps(u, _mm512_permute_ps(u, 0xB1)); /* lane 0: (u0 + u2) + (u1 + u3) */
    _mm_storeu_ps(out, _mm512_castps512_ps128(_mm512_permutexvar_ps(_mm512_set_epi32(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 8, 4, 0), u)));
}
/* Register tile: MR tokens x NR weight rows (MR*NR + NR + 1 <= 32 zmm). Full 16-lane steps use
   unmasked loads; the last partial step masks both operands. Row i of x starts at x + i*ldx, row j
   of W at element j*ldw (the matmul passes ldx = ldw = K; attention passes its head strides). */
HL__INLINE HL__TGT_AVX512 void hl__tile_avx512(int MR, int NR, float *y, int64_t ldy, const float *x, int64_t ldx,
                                               const void *W, int64_t ldw, hl_dtype wdt, int64_t K) {
    __m512 acc[6][4], w[4], xv;
    int i, j;
    int64_t k;
    HL__UNROLL for (i = 0; i < MR; i++) HL__UNROLL for (j = 0; j < NR; j++) acc[i][j] = _mm512_setzero_ps();
    for (k = 0; k + 16 <= K; k += 16) {
        HL__UNROLL for (j = 0; j < NR; j++) w[j] = hl__w16_avx512(W, wdt, j * ldw + k, (__mmask16)0xffff);
        HL__UNROLL for (i = 0; i < MR; i++) {
            xv = _mm512_loadu_ps(x + i * ldx + k);
            HL__UNROLL for (j = 0; j < NR; j++) acc[i][j] = _mm512_fmadd_ps(xv, w[j], acc[i][j]);
        }
    }
    if (k < K) {
        __mmask16 mk = (__mmask16)((1u << (K - k)) - 1u);
        HL__UNROLL for (j = 0; j < NR; j++) w[j] = hl__w16_avx512(W, wdt, j * ldw + k, mk);
        HL__UNROLL for (i = 0; i < MR; i++) {
            xv = _mm512_maskz_loadu_ps(mk, x + i * ldx + k);
            HL__UNROLL for (j = 0; j < NR; j++) acc[i][j] = _mm512_mask3_fmadd_ps(xv, w[j], acc[i][j], mk);
        }
    }
    if (NR == 4)
        HL__UNROLL for (i = 0; i < MR; i++) hl__reduce4_avx512(y + i * ldy, acc[i][0], acc[i][1], acc[i][2], acc[i][3]);
    else
        HL__UNROLL for (i = 0; i < MR; i++) HL__UNROLL for (j = 0; j < NR; j++) y[i * ldy + j] = _mm512_reduce_add_ps(acc[i][j]);
}

/* Fast mode, bf16 x bf16 -> f32: xb = activations already rounded to bf16 ([MR, K] uint16), W bf16.
   Each step of 32 k: acc lane l += xb[2l]*w[2l] + xb[2l+1]*w[2l+1] (vdpbf16ps). */
HL__INLINE HL__TGT_BF16 void hl__tile_bf16dp(int MR, int NR, float *y, int64_t ldy, const uint16_t *xb, int64_t ldx,
                                              const uint16_t *W, int64_t K) {
    __m512 acc[6][4];
    __m512i w[4], xv;
    int i, j;
    int64_t k;
    HL__UNROLL for (i = 0; i < MR; i++) HL__UNROLL for (j = 0; j < NR; j++) acc[i][j] = _mm512_setzero_ps();
    for (k = 0; k + 32 <= K; k += 32) {
        HL__UNROLL for (j = 0; j < NR; j++) w[j] = _mm512_loadu_si512((const void *)(W + j * K + k));
        HL__UNROLL for (i = 0; i < MR; i++) {
            xv = _mm512_loadu_si512((const void *)(xb + i * ldx + k));
            HL__UNROLL for (j = 0; j < NR; j++) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], (__m512bh)xv, (__m512bh)w[j]);
        }
    }
    if (k < K) {
        __mmask32 mk = (__mmask32)((1ull << (K - k)) - 1ull);
        HL__UNROLL for (j = 0; j < NR; j++) w[j] = _mm512_maskz_loadu_epi16(mk, W + j * K + k);
        HL__UNROLL for (i = 0; i < MR; i++) {
            xv = _mm512_maskz_loadu_epi16(mk, xb + i * ldx + k);
            HL__UNROLL for (j = 0; j < NR; j++) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], (__m512bh)xv, (__m512bh)w[j]);
        }
    }
    if (NR == 4)
        HL__UNROLL for (i = 0; i < MR; i++) hl__reduce4_avx512(y + i * ldy, acc[i][0], acc[i][1], acc[i][2], acc[i][3]);
    else
        HL__UNROLL for (i = 0; i < MR; i++) HL__UNROLL for (j = 0; j < NR; j++) y[i * ldy + j] = _mm512_reduce_add_ps(acc[i][j]);
}
/* Activations f32 -> bf16, round to nearest even (vcvtneps2bf16). n floats. */
static HL__TGT_BF16 void hl__round_bf16_avx512(uint16_t *out, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(out + i), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(x + i)));
    for (; i < n; i++) out[i] = hl_f32_to_bf16(x[i]);
}

/* One tile of the row driver: mr <= 6 tokens x nr <= 4 weight rows, shapes and dtypes constant in
   each instance; the bf16 dot-product tile (fast mode) reads x rounded to bf16. */
#define HL__T512(MR, NR, WDT) hl__tile_avx512(MR, NR, y, j->N, j->x + m * j->ldx, j->ldx, Wt, j->K, WDT, j->K)
#define HL__T512_NR(NR, WDT) HL__TILE_MR(mr, HL__T512, NR, WDT)
HL__INLINE HL__TGT_AVX512 void hl__mm_tile_avx512(const hl__mm_job *j, int mr, int nr, int64_t m, int64_t n) {
    float *y = j->y + m * j->N + n;
    const void *Wt = (const uint8_t *)j->W + n * j->K * (int64_t)hl_dtype_size(j->wdt);
    switch (j->wdt) {
    case HL_DTYPE_F32: if (nr == 4) { HL__T512_NR(4, HL_DTYPE_F32); } else { HL__T512_NR(1, HL_DTYPE_F32); } break;
    case HL_DTYPE_BF16: if (nr == 4) { HL__T512_NR(4, HL_DTYPE_BF16); } else { HL__T512_NR(1, HL_DTYPE_BF16); } break;
    default: if (nr == 4) { HL__T512_NR(4, HL_DTYPE_F16); } else { HL__T512_NR(1, HL_DTYPE_F16); } break;
    }
}
#undef HL__T512_NR
#undef HL__T512
#define HL__TBF(MR, NR) hl__tile_bf16dp(MR, NR, j->y + m * j->N + n, j->N, j->xb + m * j->ldx, j->ldx, (const uint16_t *)j->W + n * j->K, j->K)
HL__INLINE HL__TGT_BF16 void hl__mm_tile_bf16dp(const hl__mm_job *j, int mr, int nr, int64_t m, int64_t n) {
    if (nr == 4) {
        HL__TILE_MR(mr, HL__TBF, 4);
    } else {
        HL__TILE_MR(mr, HL__TBF, 1);
    }
}
#undef HL__TBF
static HL__TGT_AVX512 void hl__mm_rows_avx512(const hl__mm_job *j, int64_t n0, int64_t n1) {
    hl__mm_blocked(j, n0, n1, 6, 4, hl__mm_mblock(j->K, 6), hl__mm_nblock(j->K, (int64_t)hl_dtype_size(j->wdt), 4),
                   hl__mm_tile_avx512);
}
static HL__TGT_BF16 void hl__mm_rows_bf16dp(const hl__mm_job *j, int64_t n0, int64_t n1) {
    hl__mm_blocked(j, n0, n1, 6, 4, hl__mm_mblock(j->K / 2, 6), hl__mm_nblock(j->K, 2, 4), hl__mm_tile_bf16dp);
}
/* Prepares the activations of one product for the row drivers (returns a buffer to free, or
   NULL). Rows whose byte stride is a power of two of 4 KB or more all map to the same L1 sets, so
   the six rows a tile reads and its weight rows evict each other (gemma-2-2b o_proj, K = 2048:
   147 -> 210 GFLOP/s in f32, 351 -> 400 in fast mode on a 2-core Zen 4); such x is copied once
   with its rows 64 bytes apart. (Nine-page strides, K = 9216 in f32, gained nothing, so they are
   left alone.) Fast mode (bf != 0: bf16 weights on the BF16 table) rounds x to bf16 here, under the
   same padding rule. Only addresses change, never the arithmetic; if memory is short, x is used as
   it is (exact mode). Prefill only (M > 1). */
static void *hl__mm_prep_x(hl__mm_job *j, int bf) {
    const int64_t M = j->M, K = j->K;
    int64_t es = bf ? 2 : 4, ld = K, m;
    uint64_t bytes;
    void    *buf;
    if (K <= 0) return NULL;
    if (M > 1 && K * es >= 4096 && ((K * es) & (K * es - 1)) == 0) ld = K + 64 / es;
    if (!bf && ld == K) return NULL;
    if (!hl__mul_ok((uint64_t)M, (uint64_t)ld * (uint64_t)es, &bytes) || bytes > SIZE_MAX ||
        !(buf = HL_MALLOC((size_t)bytes)))
        return NULL;
    for (m = 0; m < M; m++) {
        if (bf) hl__round_bf16_avx512((uint16_t *)buf + m * ld, j->x + m * K, K);
        else memcpy((float *)buf + m * ld, j->x + m * K, (size_t)K * sizeof(float));
    }
    j->ldx = ld;
    if (bf) j->xb = (const uint16_t *)buf;
    else j->x = (const float *)buf;
    return buf;
}
static void *hl__mm_prep_avx512(hl__mm_job *j) { return hl__mm_prep_x(j, 0); }
static int hl__cpu_bits(void);
/* hl__q8_block_scalar, 16 lanes at a time: the same operations, so the same codes. */
HL__INLINE HL__TGT_AVX512 __m512i hl__q8_codes_avx512(__m512 v, float lo) {
    __m512 r = _mm512_roundscale_ps(_mm512_add_ps(v, _mm512_set1_ps(0.5f)), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    r = _mm512_min_ps(_mm512_max_ps(r, _mm512_set1_ps(lo)), _mm512_set1_ps(127.0f));
    return _mm512_maskz_cvttps_epi32(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), r); /* NaN: 0 */
}
/* hl__mm_prep_q8 for the VNNI kernels, with hl__q8_block_scalar's operations 16 lanes at a time
   (the same codes) and x as the 16-bit values 256 q1 + q2 in vpdpwssd pairs: per block, the
   values of its even and odd positions (its halves of the step's two pair registers). After them
   the block scales once per block (xbd), and with M >= 2 the same codes + 128 as bytes in groups
   of 16 rows (xg, xgd: hl__q8_pre32_avx512's layout, 2 more bytes per value). */
typedef struct hl__q8_prep {
    const hl__mm_job *j;
    int16_t          *x16;
    float            *d, *xs, *xbd, *xgd;
    uint8_t          *xg;
    int64_t           Kp, nb, G;
} hl__q8_prep;
/* rows m0 .. m1 - 1 of x (every row writes only its own bytes: the same for any split) */
static HL__TGT_AVX512 void hl__q8_prep_rows(void *ctx, int64_t m0, int64_t m1) {
    const hl__q8_prep *c = (const hl__q8_prep *)ctx;
    const hl__mm_job *j = c->j;
    const int64_t Kp = c->Kp, nb = c->nb, G = c->G;
    const __m512i ev = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i od = _mm512_add_epi32(ev, _mm512_set1_epi32(1)), c128 = _mm512_set1_epi32(128);
    int16_t *x16 = c->x16;
    float *d = c->d, *xs = c->xs, *xbd = c->xbd, *xgd = c->xgd, dd;
    uint8_t *xg = c->xg, t[64];
    const int one = j->kern->one_term; /* HL_FAST_INT8: q2 = 0 */
    int64_t m, b, i;
    for (m = m0; m < m1; m++) {
        if (nb % 2) { /* the half step past the last block: zero codes, scales and sums */
            memset(x16 + m * Kp + 64 * (nb / 2), 0, 128);
            for (i = 0; i < 8; i++) d[m * (Kp / 4) + 8 * nb + i] = 0.0f;
            xs[m * (Kp / 32) + nb] = 0.0f, xbd[m * (Kp / 32) + nb] = 0.0f;
        }
        for (b = 0; b < nb; b++) {
            const float *x = j->x + m * j->ldx + 32 * b;
            int16_t *e = x16 + m * Kp + 64 * (b / 2) + 16 * (b % 2);
            const __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
            __m512i v0, v1;
            if (_mm512_cmp_ps_mask(x0, x0, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(x1, x1, _CMP_UNORD_Q)) {
                int32_t v[32];
                hl__q8_block_scalar(x, t, t + 32, &dd); /* a NaN: the scalar path's codes and NaN scale */
                if (one) memset(t + 32, 128, 32);
                for (i = 0; i < 32; i++) v[i] = 256 * ((int32_t)t[i] - 128) + ((int32_t)t[32 + i] - 128);
                v0 = _mm512_loadu_si512((const void *)v), v1 = _mm512_loadu_si512((const void *)(v + 16));
            } else {
                const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(x0), _mm512_abs_ps(x1)));
                const float id = (dd = amax / 127.0f) != 0.0f ? 1.0f / dd : 0.0f;
                const __m512 dv = _mm512_set1_ps(dd), iv = _mm512_set1_ps(id), s256 = _mm512_set1_ps(256.0f);
                const __m512i a0 = hl__q8_codes_avx512(_mm512_mul_ps(x0, iv), -127.0f), a1 = hl__q8_codes_avx512(_mm512_mul_ps(x1, iv), -127.0f);
                const __m512 c0 = _mm512_cvtepi32_ps(a0), c1 = _mm512_cvtepi32_ps(a1);
                const __m512i r0 = one ? _mm512_setzero_si512() : hl__q8_codes_avx512(_mm512_mul_ps(_mm512_mul_ps(_mm512_fnmadd_ps(dv, c0, x0), iv), s256), -128.0f);
                const __m512i r1 = one ? _mm512_setzero_si512() : hl__q8_codes_avx512(_mm512_mul_ps(_mm512_mul_ps(_mm512_fnmadd_ps(dv, c1, x1), iv), s256), -128.0f);
                v0 = _mm512_add_epi32(_mm512_slli_epi32(a0, 8), r0), v1 = _mm512_add_epi32(_mm512_slli_epi32(a1, 8), r1);
                if (G) { /* the codes + 128 as bytes, u1 in t[0..31] and u2 in t[32..63] (the scalar path's) */
                    _mm_storeu_si128((__m128i *)(void *)t, _mm512_cvtepi32_epi8(_mm512_add_epi32(a0, c128)));
                    _mm_storeu_si128((__m128i *)(void *)(t + 16), _mm512_cvtepi32_epi8(_mm512_add_epi32(a1, c128)));
                    _mm_storeu_si128((__m128i *)(void *)(t + 32), _mm512_cvtepi32_epi8(_mm512_add_epi32(r0, c128)));
                    _mm_storeu_si128((__m128i *)(void *)(t + 48), _mm512_cvtepi32_epi8(_mm512_add_epi32(r1, c128)));
                }
            }
            if (G) { /* group m / 16, row m % 16 of it: per quad k of the block u1's 4 bytes, 64 bytes on u2's */
                uint8_t *g = xg + ((m / 16) * nb + b) * 1024 + 4 * (m % 16);
                for (i = 0; i < 8; i++) memcpy(g + 128 * i, t + 4 * i, 4), memcpy(g + 128 * i + 64, t + 32 + 4 * i, 4);
                xgd[((m / 16) * nb + b) * 16 + m % 16] = dd * (1.0f / 256.0f);
            }
            xbd[m * (Kp / 32) + b] = dd * (1.0f / 256.0f);
            _mm256_storeu_si256((__m256i *)(void *)e, _mm512_cvtepi32_epi16(_mm512_permutex2var_epi32(v0, ev, v1)));
            _mm256_storeu_si256((__m256i *)(void *)(e + 32), _mm512_cvtepi32_epi16(_mm512_permutex2var_epi32(v0, od, v1)));
            for (i = 0; i < 8; i++) d[m * (Kp / 4) + 8 * b + i] = dd * (1.0f / 256.0f);
            xs[m * (Kp / 32) + b] = (float)_mm512_reduce_add_epi32(_mm512_add_epi32(v0, v1)) * d[m * (Kp / 4) + 8 * b];
        }
    }
}
/* The rows are split over the pool (j->pool) in groups of 16: one thread did ~3% of a 2b prefill. */
static HL__TGT_AVX512 void *hl__mm_prep_q8_wide(hl__mm_job *j) {
    const int64_t M = j->M, K = j->K, Kp = (K + 63) / 64 * 64, nb = K / 32, G = M >= 2 ? (M + 15) / 16 : 0;
    hl__q8_prep c;
    uint8_t *q;
    uint64_t bytes, gbytes;
    if (K % 32 != 0 || K > 16384 || !hl__mul_ok((uint64_t)M, 3 * (uint64_t)Kp + (uint64_t)Kp / 4, &bytes) ||
        !hl__mul_ok((uint64_t)G, (uint64_t)nb * 1088, &gbytes) || bytes > SIZE_MAX / 2 || gbytes > SIZE_MAX / 2 - 256 - bytes ||
        !(q = (uint8_t *)HL_MALLOC((size_t)(bytes + gbytes) + 256)))
        return NULL; /* exact products */
    c.j = j, c.Kp = Kp, c.nb = nb, c.G = G;
    c.x16 = (int16_t *)(void *)q;
    c.d = (float *)(void *)((uintptr_t)(q + 2 * M * Kp + 63) & ~(uintptr_t)63);
    c.xs = c.d + M * (Kp / 4);
    c.xbd = c.xs + M * (Kp / 32);
    c.xg = (uint8_t *)(void *)((uintptr_t)(c.xbd + M * (Kp / 32) + 15) & ~(uintptr_t)63); /* within the spare 256 bytes */
    c.xgd = (float *)(void *)(c.xg + G * nb * 1024);
    if (M % 16 && G) { /* the rows past M in the last group: codes 0 (+ 128), scales 0 */
        memset(c.xg + (G - 1) * nb * 1024, 128, (size_t)(nb * 1024));
        memset(c.xgd + (G - 1) * nb * 16, 0, (size_t)(nb * 64));
    }
    if ((double)M * (double)K >= 65536.0) hl__parallel_for(j->pool, M, 16, hl__q8_prep_rows, &c);
    else hl__q8_prep_rows(&c, 0, M);
    j->xq = q, j->xd = c.d, j->xbd = c.xbd;
    if (G) j->xg = c.xg, j->xgd = c.xgd;
    return q;
}
static void *hl__mm_prep_bf16(hl__mm_job *j) {
    if (hl_dtype_is_quantized(j->wdt)) /* 8-bit products need AVX512-VNNI */
        return (hl__cpu_bits() & 32) && hl__q8_type(j->wdt) ? hl__mm_prep_q8_wide(j) : NULL;
    return hl__mm_prep_x(j, j->wdt == HL_DTYPE_BF16);
}
/* Fast mode: bf16 x bf16 dot products where prep rounded x (bf16 weights), else the exact tiles. */
static void hl__mm_bf16(const hl__mm_job *j, int64_t n0, int64_t n1) {
    if (j->xb) hl__mm_rows_bf16dp(j, n0, n1);
    else hl__mm_rows_avx512(j, n0, n1);
}

/* Register tile: MR tokens x NV vectors of 16 columns over K steps (W row k at k*ldw); the
   accumulators start from y, or from 0 when `first`, so that blocking over k does not change a
   single rounding. `last` masks the final vector's columns. */
HL__INLINE HL__TGT_AVX512 void hl__tile_nn_avx512(int MR, int NV, float *y, int64_t ldy, const float *x,
                                                  int64_t ldx, const void *W, hl_dtype wdt, int64_t ldw,
                                                  int64_t K, int first, __mmask16 last) {
    __m512 acc[6][4], w[4];
    int i, j;
    int64_t k;
    HL__UNROLL for (i = 0; i < MR; i++) HL__UNROLL for (j = 0; j < NV; j++) {
        __mmask16 mk = j == NV - 1 ? last : (__mmask16)0xffff;
        acc[i][j] = first ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mk, y + i * ldy + 16 * j);
    }
    for (k = 0; k < K; k++) {
        HL__UNROLL for (j = 0; j < NV; j++) w[j] = hl__w16_avx512(W, wdt, k * ldw + 16 * j, j == NV - 1 ? last : (__mmask16)0xffff);
        HL__UNROLL for (i = 0; i < MR; i++) {
            __m512 xb = _mm512_set1_ps(x[i * ldx + k]);
            HL__UNROLL for (j = 0; j < NV; j++) acc[i][j] = _mm512_fmadd_ps(xb, w[j], acc[i][j]);
        }
    }
    HL__UNROLL for (i = 0; i < MR; i++) HL__UNROLL for (j = 0; j < NV; j++)
        _mm512_mask_storeu_ps(y + i * ldy + 16 * j, j == NV - 1 ? last : (__mmask16)0xffff, acc[i][j]);
}
/* The tile for w <= 64 columns: ceil(w / 16) vectors, the last one masked. */
#define HL__NN_TILE512(MR, NV) hl__tile_nn_avx512(MR, NV, y, ldy, x, ldx, W, wdt, ldw, K, first, last)
static HL__TGT_AVX512 void hl__tile_nn_avx512_w(int mr, int64_t w, float *y, int64_t ldy, const float *x, int64_t ldx,
                                                const void *W, hl_dtype wdt, int64_t ldw, int64_t K, int first) {
    const __mmask16 last = (__mmask16)(w % 16 ? (1u << (w % 16)) - 1u : 0xffffu);
    switch ((w + 15) / 16) {
    case 4: HL__TILE_MR(mr, HL__NN_TILE512, 4); break;
    case 3: HL__TILE_MR(mr, HL__NN_TILE512, 3); break;
    case 2: HL__TILE_MR(mr, HL__NN_TILE512, 2); break;
    default: HL__TILE_MR(mr, HL__NN_TILE512, 1); break;
    }
}
#undef HL__NN_TILE512
static HL__TGT_AVX512 void hl__axpy_nn_avx512(float *acc, float a, const void *W, hl_dtype wdt, int64_t i0, int64_t n) {
    const __m512 av = _mm512_set1_ps(a);
    int64_t c;
    for (c = 0; c + 16 <= n; c += 16)
        _mm512_storeu_ps(acc + c, _mm512_fmadd_ps(av, hl__w16_avx512(W, wdt, i0 + c, (__mmask16)0xffff), _mm512_loadu_ps(acc + c)));
    if (c < n) {
        __mmask16 mk = (__mmask16)((1u << (n - c)) - 1u);
        _mm512_mask_storeu_ps(acc + c, mk, _mm512_fmadd_ps(av, hl__w16_avx512(W, wdt, i0 + c, mk), _mm512_maskz_loadu_ps(mk, acc + c)));
    }
}
static void hl__mm_nn_rows_avx512(const hl__mm_job *j, int64_t n0, int64_t n1) {
    hl__mm_nn_rows(j, n0, n1, hl__tile_nn_avx512_w, hl__axpy_nn_avx512);
}
/* exp(x) for 16 lanes (Cephes expf scheme): x = n ln2 + r, |r| <= ln2/2, exp(r) = 1 + r + r^2 P(r)
   with a degree-5 P, then scaled by 2^n with vscalefps (exact, and overflow -> inf, underflow -> 0
   come out right). x is clamped to [-104, 89] first; NaN stays NaN. Max error ~2 ulp. */
HL__INLINE HL__TGT_AVX512 __m512 hl__exp16_avx512(__m512 x) {
    const __m512 c1 = _mm512_set1_ps(0.693359375f), c2 = _mm512_set1_ps(-2.12194440e-4f);
    __m512 n, r, p, r2;
    x = _mm512_min_ps(_mm512_set1_ps(89.0f), _mm512_max_ps(_mm512_set1_ps(-104.0f), x));
    n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm512_fnmadd_ps(n, c1, x);
    r = _mm512_fnmadd_ps(n, c2, r);
    p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    r2 = _mm512_mul_ps(r, r);
    p = _mm512_fmadd_ps(p, r2, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n);
}
HL__INLINE HL__TGT_AVX512 __m512 hl__gelu16_avx512(__m512 x) {
    __m512 u = _mm512_mul_ps(_mm512_set1_ps(0.7978845608028654f),
                             _mm512_fmadd_ps(_mm512_mul_ps(_mm512_set1_ps(0.044715f), x), _mm512_mul_ps(x, x), x));
    __m512 e = hl__exp16_avx512(_mm512_mul_ps(_mm512_set1_ps(-2.0f), u));
    return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}
static HL__TGT_AVX512 void hl__gelu_avx512(float *y, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, hl__gelu16_avx512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(y + i, m, hl__gelu16_avx512(_mm512_maskz_loadu_ps(m, x + i)));
    }
}
static HL__TGT_AVX512 void hl__softmax_avx512(float *x, int64_t n) {
    __m512 vmx = _mm512_set1_ps(-INFINITY), vs = _mm512_setzero_ps(), e;
    float mx, sum;
    int64_t i;
    __mmask16 m;
    for (i = 0; i + 16 <= n; i += 16) vmx = _mm512_max_ps(vmx, _mm512_loadu_ps(x + i));
    if (i < n) {
        m = (__mmask16)((1u << (n - i)) - 1u);
        vmx = _mm512_mask_max_ps(vmx, m, vmx, _mm512_maskz_loadu_ps(m, x + i));
    }
    mx = _mm512_reduce_max_ps(vmx);
    if (mx == -INFINITY) {
        for (i = 0; i < n; i++) x[i] = 0.0f;
        return;
    }
    vmx = _mm512_set1_ps(mx);
    for (i = 0; i + 16 <= n; i += 16) {
        e = hl__exp16_avx512(_mm512_sub_ps(_mm512_loadu_ps(x + i), vmx));
        _mm512_storeu_ps(x + i, e);
        vs = _mm512_add_ps(vs, e);
    }
    if (i < n) {
        m = (__mmask16)((1u << (n - i)) - 1u);
        e = _mm512_maskz_mov_ps(m, hl__exp16_avx512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), vmx)));
        _mm512_mask_storeu_ps(x + i, m, e);
        vs = _mm512_add_ps(vs, e);
    }
    sum = _mm512_reduce_add_ps(vs);
    vs = _mm512_set1_ps(sum);
    for (i = 0; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, _mm512_div_ps(_mm512_loadu_ps(x + i), vs));
    if (i < n) {
        m = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(x + i, m, _mm512_div_ps(_mm512_maskz_loadu_ps(m, x + i), vs));
    }
}
/* sum_i x[i]^2 in f64: eight f64 lanes, lane l summing i = l, l+8, ... (two registers, even and
   odd 8-blocks), then a fixed tree; the squares are exact in f64 either way, so this differs from
   the scalar sum only in the f64 rounding (~1e-16 relative), which the f32 result almost never
   sees. */
static HL__TGT_AVX512 double hl__sumsq_avx512(const float *x, int64_t n) {
    __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd(), v;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v = _mm512_cvtps_pd(_mm256_loadu_ps(x + i));
        a0 = _mm512_fmadd_pd(v, v, a0);
        v = _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8));
        a1 = _mm512_fmadd_pd(v, v, a1);
    }
    for (; i < n; i += 8) {
        __mmask8 m = (__mmask8)(n - i >= 8 ? 0xffu : (1u << (n - i)) - 1u);
        v = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, x + i));
        a0 = _mm512_fmadd_pd(v, v, a0);
    }
    return _mm512_reduce_add_pd(_mm512_add_pd(a0, a1));
}
static HL__TGT_AVX512 void hl__div_avx512(float *y, const float *x, float s, int64_t n) {
    const __m512 vs = _mm512_set1_ps(s);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_div_ps(_mm512_loadu_ps(x + i), vs));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(y + i, m, _mm512_div_ps(_mm512_maskz_loadu_ps(m, x + i), vs));
    }
}
/* tanh for 16 lanes, Cephes tanhf: |t| < 0.625: t + t^3 P(t^2) (degree-4 P); otherwise
   sign(t) (1 - 2 / (exp(2|t|) + 1)); it agrees with tanhf to a few ulps (tests). */
HL__INLINE HL__TGT_AVX512 __m512 hl__tanh16_avx512(__m512 t) {
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 a = _mm512_abs_ps(t), s = _mm512_mul_ps(t, t), p, e, big;
    __mmask16 large = _mm512_cmp_ps_mask(a, _mm512_set1_ps(0.625f), _CMP_GE_OQ);
    p = _mm512_set1_ps(-5.70498872745e-3f);
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(2.06390887954e-2f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(-5.37397155531e-2f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(1.33314422036e-1f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(-3.33332819422e-1f));
    p = _mm512_fmadd_ps(_mm512_mul_ps(p, s), t, t); /* t + t^3 P(t^2) */
    e = hl__exp16_avx512(_mm512_add_ps(a, a));
    big = _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, one)));
    big = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(big), /* copy the sign of t */
                                              _mm512_and_si512(_mm512_castps_si512(t), _mm512_set1_epi32((int)0x80000000u))));
    return _mm512_mask_blend_ps(large, p, big);
}
static HL__TGT_AVX512 void hl__softcap_avx512(float *x, int64_t n, float cap) {
    const __m512 c = _mm512_set1_ps(cap);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(x + i, _mm512_mul_ps(c, hl__tanh16_avx512(_mm512_div_ps(_mm512_loadu_ps(x + i), c))));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(x + i, m, _mm512_mul_ps(c, hl__tanh16_avx512(_mm512_div_ps(_mm512_maskz_loadu_ps(m, x + i), c))));
    }
}
/* Scores by the matmul's register tiles (6 queries x 4 keys): every score is summed in the tile
   order (lane l sums d = l, l+16, ..., then the fixed lane tree), whatever block it lands in. */
static HL__TGT_AVX512 void hl__qk_avx512(float *S, int64_t lds, const float *q, int64_t ldq, int64_t nq,
                                             const float *keys, int64_t ldk, int64_t nk, int64_t dh) {
    int64_t i = 0, j;
    for (; i + 6 <= nq; i += 6) {
        for (j = 0; j + 4 <= nk; j += 4)
            hl__tile_avx512(6, 4, S + i * lds + j, lds, q + i * ldq, ldq, keys + j * ldk, ldk, HL_DTYPE_F32, dh);
        for (; j < nk; j++) hl__tile_avx512(6, 1, S + i * lds + j, lds, q + i * ldq, ldq, keys + j * ldk, ldk, HL_DTYPE_F32, dh);
    }
    for (; i < nq; i++) {
        for (j = 0; j + 4 <= nk; j += 4)
            hl__tile_avx512(1, 4, S + i * lds + j, lds, q + i * ldq, ldq, keys + j * ldk, ldk, HL_DTYPE_F32, dh);
        for (; j < nk; j++) hl__tile_avx512(1, 1, S + i * lds + j, lds, q + i * ldq, ldq, keys + j * ldk, ldk, HL_DTYPE_F32, dh);
    }
}
/* Weighted sums of value rows for MR queries at once: z_r[j] = sum_{k=k0..k1} p_r[k] v_k[j], k
   ascending, fused; 64 outputs (4 registers) per query per pass, so each loaded value row serves MR
   queries. Keys whose weight is 0 are not skipped: for finite v, fma(0, v, z) returns z unchanged
   (z is never -0), so the bits equal those of a sum over any narrower run that holds every nonzero
   weight - a decoded row gets the bits it gets inside a block. */
HL__INLINE HL__TGT_AVX512 void hl__pv_tile_avx512(int MR, float *z, int64_t ldz, const float *p, int64_t ldp, int64_t k0,
                                                  int64_t k1, const float *v, int64_t ldv, int64_t dh) {
    int64_t j0, k;
    int r, b;
    for (j0 = 0; j0 < dh; j0 += 64) {
        __m512    acc[6][4], vv[4], pk;
        __mmask16 lm[4];
        for (b = 0; b < 4; b++) {
            int64_t w = dh - j0 - 16 * b;
            lm[b] = (__mmask16)(w >= 16 ? 0xffffu : w > 0 ? (1u << w) - 1u : 0u);
        }
        HL__UNROLL for (r = 0; r < MR; r++) HL__UNROLL for (b = 0; b < 4; b++) acc[r][b] = _mm512_setzero_ps();
        for (k = k0; k <= k1; k++) {
            const float *vr = v + k * ldv + j0;
            HL__UNROLL for (b = 0; b < 4; b++) vv[b] = _mm512_maskz_loadu_ps(lm[b], vr + 16 * b);
            HL__UNROLL for (r = 0; r < MR; r++) {
                pk = _mm512_set1_ps(p[r * ldp + k]);
                HL__UNROLL for (b = 0; b < 4; b++) acc[r][b] = _mm512_fmadd_ps(pk, vv[b], acc[r][b]);
            }
        }
        HL__UNROLL for (r = 0; r < MR; r++) HL__UNROLL for (b = 0; b < 4; b++)
            _mm512_mask_storeu_ps(z + r * ldz + j0 + 16 * b, lm[b], acc[r][b]);
    }
}
static HL__TGT_AVX512 void hl__pv_avx512(int nq, float *z, int64_t ldz, const float *p, int64_t ldp, int64_t k0,
                                             int64_t k1, const float *v, int64_t ldv, int64_t dh) {
    int r;
    if (nq == 6) {
        hl__pv_tile_avx512(6, z, ldz, p, ldp, k0, k1, v, ldv, dh);
        return;
    }
    for (r = 0; r < nq; r++) hl__pv_tile_avx512(1, z + r * ldz, ldz, p + r * ldp, ldp, k0, k1, v, ldv, dh);
}
#endif

/* ---- NEON (aarch64) ---------------------------------------------------------------------------- */
#if defined(HL__NEON)
/* 4 weights W[i .. i+4) widened to f32. */
static inline float32x4_t hl__w4_neon(const void *W, hl_dtype wdt, int64_t i) {
    if (wdt == HL_DTYPE_F32) return vld1q_f32((const float *)W + i);
    if (wdt == HL_DTYPE_BF16) return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16((const uint16_t *)W + i), 16));
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16((const uint16_t *)W + i)));
}
/* One output: 4-lane accumulator, lane l sums k = l, l+4, ...; tail zero-padded; fixed lane tree. */
static float hl__dot_w_neon(const float *x, const void *W, hl_dtype wdt, int64_t K) {
    float32x4_t acc = vdupq_n_f32(0.0f);
    float t[4], tw[4];
    int64_t k, j;
    for (k = 0; k + 4 <= K; k += 4) acc = vfmaq_f32(acc, vld1q_f32(x + k), hl__w4_neon(W, wdt, k));
    if (k < K) {
        for (j = 0; j < 4; j++) {
            t[j] = k + j < K ? x[k + j] : 0.0f;
            tw[j] = k + j < K ? hl__load_w(W, wdt, k + j) : 0.0f;
        }
        acc = vfmaq_f32(acc, vld1q_f32(t), vld1q_f32(tw));
    }
    return (vgetq_lane_f32(acc, 0) + vgetq_lane_f32(acc, 2)) + (vgetq_lane_f32(acc, 1) + vgetq_lane_f32(acc, 3));
}
/* One tile of the row driver: each output one NEON dot product (no register tiling yet). */
static void hl__mm_tile_neon(const hl__mm_job *j, int mr, int nr, int64_t m, int64_t n) {
    const int64_t ws = (int64_t)hl_dtype_size(j->wdt);
    int64_t i, r;
    for (i = m; i < m + mr; i++)
        for (r = n; r < n + nr; r++)
            j->y[i * j->N + r] = hl__dot_w_neon(j->x + i * j->ldx, (const uint8_t *)j->W + r * j->K * ws, j->wdt, j->K);
}
static void hl__mm_rows_neon(const hl__mm_job *j, int64_t n0, int64_t n1) {
    hl__mm_blocked(j, n0, n1, 4, 4, hl__mm_mblock(j->K, 4), hl__mm_nblock(j->K, (int64_t)hl_dtype_size(j->wdt), 4),
                   hl__mm_tile_neon);
}
/* NEON tile: 4 columns per vector, MR <= 6 tokens x 4 vectors (16 columns) over K steps, from y or
   from 0 when `first` (24 + 5 of the 32 q registers); driven by hl__mm_nn_rows. */
static inline __attribute__((always_inline)) void hl__tile_nn_neon(int MR, float *y, int64_t ldy, const float *x,
                                                                   int64_t ldx, const void *W, hl_dtype wdt,
                                                                   int64_t ldw, int64_t K, int first) {
    float32x4_t acc[6][4], w[4];
    int i, v;
    int64_t k;
    for (i = 0; i < MR; i++)
        for (v = 0; v < 4; v++) acc[i][v] = first ? vdupq_n_f32(0.0f) : vld1q_f32(y + i * ldy + 4 * v);
    for (k = 0; k < K; k++) {
        for (v = 0; v < 4; v++) w[v] = hl__w4_neon(W, wdt, k * ldw + 4 * v);
        for (i = 0; i < MR; i++) {
            float32x4_t xb = vdupq_n_f32(x[i * ldx + k]);
            for (v = 0; v < 4; v++) acc[i][v] = vfmaq_f32(acc[i][v], xb, w[v]);
        }
    }
    for (i = 0; i < MR; i++)
        for (v = 0; v < 4; v++) vst1q_f32(y + i * ldy + 4 * v, acc[i][v]);
}
#define HL__NN_TILE4(MR, J) hl__tile_nn_neon(MR, y + (J), ldy, x, ldx, (const uint8_t *)W + (J) * ws, wdt, ldw, K, first)
static void hl__tile_nn_neon_w(int mr, int64_t w, float *y, int64_t ldy, const float *x, int64_t ldx, const void *W,
                               hl_dtype wdt, int64_t ldw, int64_t K, int first) {
    const int64_t ws = (int64_t)hl_dtype_size(wdt);
    int64_t j;
    for (j = 0; j + 16 <= w; j += 16) HL__TILE_MR(mr, HL__NN_TILE4, j);
    hl__nn_tile_ragged(mr, w - j, y + j, ldy, x, ldx, (const uint8_t *)W + j * ws, wdt, ldw, K, first);
}
#undef HL__NN_TILE4
static void hl__axpy_nn_neon(float *acc, float a, const void *W, hl_dtype wdt, int64_t i0, int64_t n) {
    const float32x4_t av = vdupq_n_f32(a);
    int64_t c;
    for (c = 0; c + 4 <= n; c += 4) vst1q_f32(acc + c, vfmaq_f32(vld1q_f32(acc + c), av, hl__w4_neon(W, wdt, i0 + c)));
    for (; c < n; c++) acc[c] = fmaf(a, hl__load_w(W, wdt, i0 + c), acc[c]);
}
static void hl__mm_nn_rows_neon(const hl__mm_job *j, int64_t n0, int64_t n1) {
    hl__mm_nn_rows(j, n0, n1, hl__tile_nn_neon_w, hl__axpy_nn_neon);
}
static float hl__dot_neon(const float *a, const float *b, int64_t n) { return hl__dot_w_neon(a, b, HL_DTYPE_F32, n); }
static void hl__qk_neon(float *S, int64_t lds, const float *q, int64_t ldq, int64_t nq, const float *keys, int64_t ldk,
                        int64_t nk, int64_t dh) {
    hl__qk_dots(S, lds, q, ldq, nq, keys, ldk, nk, dh, hl__dot_neon);
}
/* NEON fast mode: hl__mm_q8dot_avx2's arrangement with 4 lanes (the same bits as the scalar
   reference). vmull_s16 of a weight row's codes (widened once per block of rows of x) and x16
   gives exact products; Q8_0 / Q5_0 / Q4_0 sum a block with vaddvq_s32, 4 blocks per register,
   acc_(b mod 16) = fma(float(p_b), ds_b * xbd_b, acc); the K-quants pair-add (vpaddq_s32, twice)
   into lanes of 4 values, acc_(8 (b mod 2) + l) = fma(float(p_l), ds_l * xd_l, acc); Q4_K's mins
   and the final tree as the reference. The codes are unpacked by the scalar hl__q_codes. */
static int32x4_t hl__q8_pairs4_neon(const int16_t *w, const int16_t *x) { /* the 4 lanes of 16 values' 4-value sums */
    const int16x8_t w0 = vld1q_s16(w), w1 = vld1q_s16(w + 8), x0 = vld1q_s16(x), x1 = vld1q_s16(x + 8);
    return vpaddq_s32(vpaddq_s32(vmull_s16(vget_low_s16(w0), vget_low_s16(x0)), vmull_s16(vget_high_s16(w0), vget_high_s16(x0))),
                      vpaddq_s32(vmull_s16(vget_low_s16(w1), vget_low_s16(x1)), vmull_s16(vget_high_s16(w1), vget_high_s16(x1))));
}
static int hl__mm_q8dot_neon(const hl__mm_job *j, int64_t n0, int64_t n1) {
    int16_t wc[16384]; /* one weight row's codes and scales (52 KB of stack) */
    float wds[4096], wd1[520], wmn[512], acc[16], macc[8];
    const int64_t K = j->K, Kp = (K + 63) / 64 * 64, nb = K / 32, nb8 = (nb + 7) / 8 * 8, M = j->M;
    const int blk = hl__q8_blk32(j->wdt);
    const uint64_t rb = hl_dtype_row_bytes(j->wdt, K);
    const int64_t MX = (int64_t)131072 / K < 1 ? 1 : (int64_t)131072 / K; /* rows of x per block (~256 KB of x16) */
    int8_t w8[32];
    int64_t n, m, mb0, b;
    int t;
    if (!hl__q8_type(j->wdt) || !j->x16 || K > 16384 || K % hl_dtype_block(j->wdt) != 0) return 0;
    for (b = nb; b < nb8; b++) wd1[b] = 0.0f; /* the blocks past the last: no term */
    for (mb0 = 0; mb0 < M; mb0 += MX)
        for (n = n0; n < n1; n++) {
            const uint8_t *row = (const uint8_t *)j->W + (uint64_t)n * rb;
            for (b = 0; b < nb; b++) {
                hl__q_codes(j->wdt, row, b, w8, wds + 8 * b, wmn + b);
                for (t = 0; t < 32; t++) wc[32 * b + t] = w8[t];
                wd1[b] = wds[8 * b];
            }
            for (m = mb0; m < M && m < mb0 + MX; m++) {
                const int16_t *xr = j->x16 + m * Kp;
                float32x4_t a[4];
                for (t = 0; t < 4; t++) a[t] = vdupq_n_f32(0.0f);
                for (t = 0; t < 8; t++) macc[t] = 0.0f;
                if (blk) {
                    for (b = 0; b < nb; b += 4) {
                        int32_t p[4];
                        for (t = 0; t < 4; t++) {
                            const int16_t *wp = wc + 32 * (b + t), *xp = xr + 32 * (b + t);
                            p[t] = b + t < nb ? vaddvq_s32(vaddq_s32(hl__q8_pairs4_neon(wp, xp), hl__q8_pairs4_neon(wp + 16, xp + 16))) : 0;
                        }
                        a[(b / 4) % 4] = vfmaq_f32(a[(b / 4) % 4], vcvtq_f32_s32(vld1q_s32(p)),
                                                   vmulq_f32(vld1q_f32(wd1 + b), vld1q_f32(j->xbd + m * nb8 + b)));
                    }
                } else {
                    const float *xd = j->xd + m * (Kp / 4), *xs = j->xd + M * (Kp / 4) + m * (Kp / 32);
                    for (b = 0; b < nb; b++) {
                        const int64_t h = 2 * (b % 2);
                        a[h] = vfmaq_f32(a[h], vcvtq_f32_s32(hl__q8_pairs4_neon(wc + 32 * b, xr + 32 * b)),
                                         vmulq_f32(vld1q_f32(wds + 8 * b), vld1q_f32(xd + 8 * b)));
                        a[h + 1] = vfmaq_f32(a[h + 1], vcvtq_f32_s32(hl__q8_pairs4_neon(wc + 32 * b + 16, xr + 32 * b + 16)),
                                             vmulq_f32(vld1q_f32(wds + 8 * b + 4), vld1q_f32(xd + 8 * b + 4)));
                        if (j->wdt == HL_DTYPE_Q4_K) macc[b % 8] = fmaf(wmn[b], xs[b], macc[b % 8]);
                    }
                }
                for (t = 0; t < 4; t++) vst1q_f32(acc + 4 * t, a[t]);
                for (t = 0; t < 8; t++) acc[t] += acc[t + 8];
                for (t = 0; t < 4; t++) acc[t] += acc[t + 4];
                acc[0] += acc[2], acc[1] += acc[3];
                for (t = 0; t < 4; t++) macc[t] += macc[t + 4];
                macc[0] += macc[2], macc[1] += macc[3];
                j->y[m * j->N + n] = j->wdt == HL_DTYPE_Q4_K ? (acc[0] + acc[1]) - (macc[0] + macc[1]) : acc[0] + acc[1];
            }
        }
    return 1;
}
#endif

#if defined(HL__X86)
/* ---- AVX-512 dequantization of the GGUF types that gemma-3-270m and Q8_0 models use ----------
   The scalar hl__deq_* expressions, 16 values at a time: integers converted exactly, then one
   multiply (and one subtract) each, never fused, so every value has the scalar bits. Other types
   fall back to the scalar blocks. */
static HL__TGT_AVX512 float hl__f16_avx512(const uint8_t *p) { /* F16C: the same value as hl_f16_to_f32 */
    return _cvtsh_ss((unsigned short)(p[0] | (p[1] << 8)));
}
static HL__TGT_AVX512 void hl__deq_q8_0_avx512(const uint8_t *b, float *y) {
    const __m512 d = _mm512_set1_ps(hl__f16_avx512(b));
    int h;
    for (h = 0; h < 2; h++) {
        const __m512i q = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(b + 2 + 16 * h)));
        _mm512_storeu_ps(y + 16 * h, _mm512_mul_ps(_mm512_cvtepi32_ps(q), d));
    }
}
static HL__TGT_AVX512 void hl__deq_q5_0_avx512(const uint8_t *b, float *y) {
    const __m512 d = _mm512_set1_ps(hl__f16_avx512(b));
    const uint32_t qh = (uint32_t)b[2] | (uint32_t)b[3] << 8 | (uint32_t)b[4] << 16 | (uint32_t)b[5] << 24;
    const __m512i q8 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(b + 6))), f = _mm512_set1_epi32(15);
    const __m512i s16 = _mm512_set1_epi32(16);
    __m512i lo = _mm512_and_si512(q8, f), hi = _mm512_srli_epi32(q8, 4);
    lo = _mm512_sub_epi32(_mm512_mask_add_epi32(lo, (__mmask16)(qh & 0xffffu), lo, s16), s16);
    hi = _mm512_sub_epi32(_mm512_mask_add_epi32(hi, (__mmask16)(qh >> 16), hi, s16), s16);
    _mm512_storeu_ps(y, _mm512_mul_ps(_mm512_cvtepi32_ps(lo), d));
    _mm512_storeu_ps(y + 16, _mm512_mul_ps(_mm512_cvtepi32_ps(hi), d));
}
static HL__TGT_AVX512 void hl__deq_q4_k_avx512(const uint8_t *b, float *y) {
    const float d = hl__f16_avx512(b), dmin = hl__f16_avx512(b + 2);
    const uint8_t *sc = b + 4, *q = b + 16;
    const __m512i f = _mm512_set1_epi32(15);
    int c, h;
    for (c = 0; c < 4; c++, q += 32, y += 64) {
        uint8_t s0, m0, s1, m1;
        __m512 d1, m1f, d2, m2f;
        hl__k_scale_min(2 * c, sc, &s0, &m0);
        hl__k_scale_min(2 * c + 1, sc, &s1, &m1);
        d1 = _mm512_set1_ps(d * (float)s0), m1f = _mm512_set1_ps(dmin * (float)m0);
        d2 = _mm512_set1_ps(d * (float)s1), m2f = _mm512_set1_ps(dmin * (float)m1);
        for (h = 0; h < 2; h++) {
            const __m512i q8 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(q + 16 * h)));
            _mm512_storeu_ps(y + 16 * h, _mm512_sub_ps(_mm512_mul_ps(d1, _mm512_cvtepi32_ps(_mm512_and_si512(q8, f))), m1f));
            _mm512_storeu_ps(y + 32 + 16 * h, _mm512_sub_ps(_mm512_mul_ps(d2, _mm512_cvtepi32_ps(_mm512_srli_epi32(q8, 4))), m2f));
        }
    }
}
static HL__TGT_AVX512 void hl__deq_q6_k_avx512(const uint8_t *b, float *y) {
    const float d = hl__f16_avx512(b + 208);
    const uint8_t *ql = b, *qh = b + 128;
    const int8_t *sc = (const int8_t *)(b + 192);
    const __m512i f = _mm512_set1_epi32(15), three = _mm512_set1_epi32(3), s32 = _mm512_set1_epi32(32);
    int half, g, i;
    for (half = 0; half < 2; half++, y += 128, ql += 64, qh += 32, sc += 8)
        for (g = 0; g < 2; g++) { /* l = 16 g .. 16 g + 15: scale index is = g */
            const __m512i a = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(ql + 16 * g)));
            const __m512i a2 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(ql + 32 + 16 * g)));
            const __m512i hb = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(qh + 16 * g)));
            __m512i q[4];
            q[0] = _mm512_or_si512(_mm512_and_si512(a, f), _mm512_slli_epi32(_mm512_and_si512(hb, three), 4));
            q[1] = _mm512_or_si512(_mm512_and_si512(a2, f), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(hb, 2), three), 4));
            q[2] = _mm512_or_si512(_mm512_srli_epi32(a, 4), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(hb, 4), three), 4));
            q[3] = _mm512_or_si512(_mm512_srli_epi32(a2, 4), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(hb, 6), three), 4));
            for (i = 0; i < 4; i++) {
                const __m512 ds = _mm512_set1_ps(d * (float)sc[g + 2 * i]);
                _mm512_storeu_ps(y + 32 * i + 16 * g, _mm512_mul_ps(ds, _mm512_cvtepi32_ps(_mm512_sub_epi32(q[i], s32))));
            }
        }
}
static HL__TGT_AVX512 int hl__deq_avx512(hl_dtype t, const uint8_t *b, float *y, int64_t nb) {
    int64_t i;
    switch (t) {
    case HL_DTYPE_Q8_0: for (i = 0; i < nb; i++) hl__deq_q8_0_avx512(b + 34 * i, y + 32 * i); return 1;
    case HL_DTYPE_Q5_0: for (i = 0; i < nb; i++) hl__deq_q5_0_avx512(b + 22 * i, y + 32 * i); return 1;
    case HL_DTYPE_Q4_K: for (i = 0; i < nb; i++) hl__deq_q4_k_avx512(b + 144 * i, y + 256 * i); return 1;
    case HL_DTYPE_Q6_K: for (i = 0; i < nb; i++) hl__deq_q6_k_avx512(b + 210 * i, y + 256 * i); return 1;
    default: return hl__dequant_blocks(t, b, y, nb);
    }
}
#endif

/* ---- the tables: one per instruction set, chosen once -------------------------------------- */
/* What a level does not vectorise it takes from the scalar reference, so those steps give the
   scalar bits on that level too. */
static const hl__kernels hl__kernels_scalar = {
    HL_KERNELS_SCALAR, "scalar", hl__mm_scalar, hl__mm_nn_scalar, NULL,
    hl__gelu_scalar, hl__softmax_scalar, hl__sumsq_scalar, hl__div_scalar, hl__softcap_scalar,
    hl__qk_scalar, hl__pv_scalar, hl__dequant_blocks, NULL, 0};
/* fast mode on the scalar level: the reference of the 8-bit products (hl__q8_type weights) */
static const hl__kernels hl__kernels_scalar_q8 = {
    HL_KERNELS_SCALAR, "scalar+q8", hl__mm_scalar, hl__mm_nn_scalar, hl__mm_prep_q8_scalar,
    hl__gelu_scalar, hl__softmax_scalar, hl__sumsq_scalar, hl__div_scalar, hl__softcap_scalar,
    hl__qk_scalar, hl__pv_scalar, hl__dequant_blocks, hl__mm_q8dot_scalar, 0};
/* HL_FAST_INT8: the same products with q2 = 0 (one 8-bit term) */
static const hl__kernels hl__kernels_scalar_int8 = {
    HL_KERNELS_SCALAR, "scalar+int8", hl__mm_scalar, hl__mm_nn_scalar, hl__mm_prep_q8_scalar,
    hl__gelu_scalar, hl__softmax_scalar, hl__sumsq_scalar, hl__div_scalar, hl__softcap_scalar,
    hl__qk_scalar, hl__pv_scalar, hl__dequant_blocks, hl__mm_q8dot_scalar, 1};
#if defined(HL__X86)
static const hl__kernels hl__kernels_avx2 = {
    HL_KERNELS_AVX2, "avx2", hl__mm_rows_avx2, hl__mm_nn_rows_avx2, NULL,
    hl__gelu_scalar, hl__softmax_scalar, hl__sumsq_scalar, hl__div_scalar, hl__softcap_scalar,
    hl__qk_avx2, hl__pv_avx2, hl__dequant_blocks, NULL, 0};
/* fast mode on AVX2: 8-bit products (vpmaddwd) for the hl__q8_type weights, the scalar bits */
static const hl__kernels hl__kernels_avx2_q8 = {
    HL_KERNELS_AVX2, "avx2+q8", hl__mm_rows_avx2, hl__mm_nn_rows_avx2, hl__mm_prep_q8_x16,
    hl__gelu_scalar, hl__softmax_scalar, hl__sumsq_scalar, hl__div_scalar, hl__softcap_scalar,
    hl__qk_avx2, hl__pv_avx2, hl__dequant_blocks, hl__mm_q8dot_avx2, 0};
static const hl__kernels hl__kernels_avx2_int8 = {
    HL_KERNELS_AVX2, "avx2+int8", hl__mm_rows_avx2, hl__mm_nn_rows_avx2, hl__mm_prep_q8_x16,
    hl__gelu_scalar, hl__softmax_scalar, hl__sumsq_scalar, hl__div_scalar, hl__softcap_scalar,
    hl__qk_avx2, hl__pv_avx2, hl__dequant_blocks, hl__mm_q8dot_avx2, 1};
static const hl__kernels hl__kernels_avx512 = {
    HL_KERNELS_AVX512, "avx512", hl__mm_rows_avx512, hl__mm_nn_rows_avx512, hl__mm_prep_avx512,
    hl__gelu_avx512, hl__softmax_avx512, hl__sumsq_avx512, hl__div_avx512, hl__softcap_avx512,
    hl__qk_avx512, hl__pv_avx512, hl__deq_avx512, NULL, 0};
static HL__TGT_VNNI int hl__mm_q8dot_avx512(const hl__mm_job *j, int64_t n0, int64_t n1);
/* fast mode: the AVX-512 table with bf16 dot products for bf16 weights, 8-bit (VNNI) ones for
   Q8_0 / Q5_0 / Q4_0 / Q4_K / Q6_K weights */
static const hl__kernels hl__kernels_avx512_bf16 = {
    HL_KERNELS_AVX512, "avx512+bf16", hl__mm_bf16, hl__mm_nn_rows_avx512, hl__mm_prep_bf16,
    hl__gelu_avx512, hl__softmax_avx512, hl__sumsq_avx512, hl__div_avx512, hl__softcap_avx512,
    hl__qk_avx512, hl__pv_avx512, hl__deq_avx512, hl__mm_q8dot_avx512, 0};
/* HL_FAST_INT8: x as one 8-bit term per block of 32 (half the vpdpbusd of the one-scale-per-block
   prefill) */
static const hl__kernels hl__kernels_avx512_int8 = {
    HL_KERNELS_AVX512, "avx512+int8", hl__mm_bf16, hl__mm_nn_rows_avx512, hl__mm_prep_bf16,
    hl__gelu_avx512, hl__softmax_avx512, hl__sumsq_avx512, hl__div_avx512, hl__softcap_avx512,
    hl__qk_avx512, hl__pv_avx512, hl__deq_avx512, hl__mm_q8dot_avx512, 1};
#endif
#if defined(HL__NEON)
static const hl__kernels hl__kernels_neon = {
    HL_KERNELS_NEON, "neon", hl__mm_rows_neon, hl__mm_nn_rows_neon, NULL,
    hl__gelu_scalar, hl__softmax_scalar, hl__sumsq_scalar, hl__div_scalar, hl__softcap_scalar,
    hl__qk_neon, hl__pv_scalar, hl__dequant_blocks, NULL, 0};
/* fast mode on NEON: 8-bit products (vmull_s16) for the hl__q8_type weights, the scalar bits */
static const hl__kernels hl__kernels_neon_q8 = {
    HL_KERNELS_NEON, "neon+q8", hl__mm_rows_neon, hl__mm_nn_rows_neon, hl__mm_prep_q8_x16,
    hl__gelu_scalar, hl__softmax_scalar, hl__sumsq_scalar, hl__div_scalar, hl__softcap_scalar,
    hl__qk_neon, hl__pv_scalar, hl__dequant_blocks, hl__mm_q8dot_neon, 0};
static const hl__kernels hl__kernels_neon_int8 = {
    HL_KERNELS_NEON, "neon+int8", hl__mm_rows_neon, hl__mm_nn_rows_neon, hl__mm_prep_q8_x16,
    hl__gelu_scalar, hl__softmax_scalar, hl__sumsq_scalar, hl__div_scalar, hl__softcap_scalar,
    hl__qk_neon, hl__pv_scalar, hl__dequant_blocks, hl__mm_q8dot_neon, 1};
#endif

#ifdef HL_USE_CBLAS
/* ---- the system BLAS (HL_USE_CBLAS) ---- */
/* The f32 products of one output range n0 .. n1 (the pool still splits N, so each call is one
   thread's share): y[:, n0:n1] = x @ W[n0:n1]^T with sgemm, or sgemv for one row; x @ W[:, n0:n1]
   for the [K, N] layout. Any other weight dtype, and everything that is not a product, runs the
   best table of this CPU (hl__cblas_base). */
static const hl__kernels *hl__cblas_base(void) {
    return hl__kernels_pick(hl_kernels_best(), 0);
}
static void hl__mm_cblas(const hl__mm_job *j, int64_t n0, int64_t n1) {
    const float *W = (const float *)j->W + n0 * j->K;
    if (j->wdt != HL_DTYPE_F32 || j->xb) {
        hl__cblas_base()->mm(j, n0, n1);
    } else if (j->M == 1) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)(n1 - n0), (int)j->K, 1.0f, W, (int)j->K, j->x, 1, 0.0f, j->y + n0, 1);
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)j->M, (int)(n1 - n0), (int)j->K, 1.0f, j->x, (int)j->ldx,
                    W, (int)j->K, 0.0f, j->y + n0, (int)j->N);
    }
}
static void hl__mm_nn_cblas(const hl__mm_job *j, int64_t n0, int64_t n1) {
    if (j->wdt != HL_DTYPE_F32)
        hl__cblas_base()->mm_nn(j, n0, n1);
    else if (j->M == 1) /* y = W[:, n0:n1]^T x */
        cblas_sgemv(CblasRowMajor, CblasTrans, (int)j->K, (int)(n1 - n0), 1.0f, (const float *)j->W + n0, (int)j->N, j->x, 1,
                    0.0f, j->y + n0, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)j->M, (int)(n1 - n0), (int)j->K, 1.0f, j->x,
                    (int)j->ldx, (const float *)j->W + n0, (int)j->N, 0.0f, j->y + n0, (int)j->N);
}
static void *hl__mm_prep_cblas(hl__mm_job *j) {
    const hl__kernels *b = hl__cblas_base();
    return b->mm_prep ? b->mm_prep(j) : NULL;
}
static void hl__gelu_cblas(float *y, const float *x, int64_t n) { hl__cblas_base()->gelu(y, x, n); }
static void hl__softmax_cblas(float *x, int64_t n) { hl__cblas_base()->softmax(x, n); }
static double hl__sumsq_cblas(const float *x, int64_t n) { return hl__cblas_base()->sumsq(x, n); }
static void hl__div_cblas(float *y, const float *x, float s, int64_t n) { hl__cblas_base()->div(y, x, s, n); }
static void hl__softcap_cblas(float *x, int64_t n, float cap) { hl__cblas_base()->softcap(x, n, cap); }
static int hl__deq_cblas(hl_dtype t, const uint8_t *b, float *y, int64_t nb) { return hl__cblas_base()->deq(t, b, y, nb); }
static void hl__qk_cblas(float *S, int64_t lds, const float *q, int64_t ldq, int64_t nq, const float *keys, int64_t ldk,
                         int64_t nk, int64_t dh) {
    hl__cblas_base()->qk(S, lds, q, ldq, nq, keys, ldk, nk, dh);
}
static void hl__pv_cblas(int nq, float *z, int64_t ldz, const float *p, int64_t ldp, int64_t k0, int64_t k1,
                         const float *v, int64_t ldv, int64_t dh) {
    hl__cblas_base()->pv(nq, z, ldz, p, ldp, k0, k1, v, ldv, dh);
}
static const hl__kernels hl__kernels_cblas = {
    HL_KERNELS_CBLAS, "cblas", hl__mm_cblas, hl__mm_nn_cblas, hl__mm_prep_cblas,
    hl__gelu_cblas, hl__softmax_cblas, hl__sumsq_cblas, hl__div_cblas, hl__softcap_cblas,
    hl__qk_cblas, hl__pv_cblas, hl__deq_cblas, NULL, 0};
#endif

/* What this CPU supports, computed once (bit 0 = valid, 1 avx2+fma+f16c, 2 avx512f/bw/vl,
   3 avx512bf16, 4 neon, 5 avx512vnni). A benign race: every thread computes the same value. */
static int hl__cpu_bits(void) {
    static int bits;
    int b = __atomic_load_n(&bits, __ATOMIC_RELAXED);
    if (b) return b;
    b = 1;
#if defined(HL__X86)
    __builtin_cpu_init();
    {
        /* F16C is cpuid leaf 1, ecx bit 29 (not every compiler's __builtin_cpu_supports knows it) */
        unsigned a1, b1, c1, d1;
        int f16c = __get_cpuid(1, &a1, &b1, &c1, &d1) && (c1 & (1u << 29));
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c) b |= 2;
    }
    if ((b & 2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl"))
        b |= 4;
    if ((b & 4) && __builtin_cpu_supports("avx512bf16")) b |= 8;
    if ((b & 4) && __builtin_cpu_supports("avx512vnni")) b |= 32;
#elif defined(HL__NEON)
    b |= 16;
#endif
    __atomic_store_n(&bits, b, __ATOMIC_RELAXED);
    return b;
}

HL__DEF int hl_kernels_available(hl_kernels k) {
    int b = hl__cpu_bits();
    switch (k) {
    case HL_KERNELS_DEFAULT: case HL_KERNELS_SCALAR: return 1;
    case HL_KERNELS_AVX2: return (b & 2) != 0;
    case HL_KERNELS_AVX512: return (b & 4) != 0;
    case HL_KERNELS_NEON: return (b & 16) != 0;
#ifdef HL_USE_CBLAS
    case HL_KERNELS_CBLAS: return 1;
#endif
    default: return 0;
    }
}
HL__DEF hl_kernels hl_kernels_best(void) {
    if (hl_kernels_available(HL_KERNELS_AVX512)) return HL_KERNELS_AVX512;
    if (hl_kernels_available(HL_KERNELS_AVX2)) return HL_KERNELS_AVX2;
    if (hl_kernels_available(HL_KERNELS_NEON)) return HL_KERNELS_NEON;
    return HL_KERNELS_SCALAR;
}
HL__DEF const char *hl_kernels_name(hl_kernels k) {
    switch (k) {
    case HL_KERNELS_DEFAULT: return "default";
    case HL_KERNELS_SCALAR: return "scalar";
    case HL_KERNELS_AVX2: return "avx2";
    case HL_KERNELS_AVX512: return "avx512";
    case HL_KERNELS_NEON: return "neon";
    case HL_KERNELS_CBLAS: return "cblas";
    default: return "unknown";
    }
}

/* The table of a level (DEFAULT, or a level this CPU lacks: the best it has). fast picks the bf16
   dot products where they exist (AVX-512 with AVX512-BF16; fast = HL_FAST_INT8 the one-term 8-bit
   tables); elsewhere it changes nothing. The
   environment is not read here (the CLI maps HL_FORCE_SCALAR to HL_KERNELS_SCALAR). */
HL__INTERNAL const hl__kernels *hl__kernels_pick(hl_kernels level, int fast) {
    if (level == HL_KERNELS_DEFAULT || !hl_kernels_available(level)) level = hl_kernels_best();
    switch (level) {
#ifdef HL_USE_CBLAS
    case HL_KERNELS_CBLAS:
#    ifdef OPENBLAS_VERSION
        openblas_set_num_threads(1); /* hooklens's pool splits the products */
#    endif
        return &hl__kernels_cblas;
#endif
#if defined(HL__X86)
    case HL_KERNELS_AVX512:
        if (!fast || !(hl__cpu_bits() & 8)) return &hl__kernels_avx512;
        return fast == HL_FAST_INT8 ? &hl__kernels_avx512_int8 : &hl__kernels_avx512_bf16;
    case HL_KERNELS_AVX2: return fast == HL_FAST_INT8 ? &hl__kernels_avx2_int8 : fast ? &hl__kernels_avx2_q8 : &hl__kernels_avx2;
#endif
#if defined(HL__NEON)
    case HL_KERNELS_NEON: return fast == HL_FAST_INT8 ? &hl__kernels_neon_int8 : fast ? &hl__kernels_neon_q8 : &hl__kernels_neon;
#endif
    default: return !fast ? &hl__kernels_scalar : fast == HL_FAST_INT8 ? &hl__kernels_scalar_int8 : &hl__kernels_scalar_q8;
    }
}

/* ---- the threaded drivers ------------------------------------------------------------------- */
/* One product y[M, N] = x[M, K] with W, as the row drivers take it. */
static void hl__mm_job_init(hl__mm_job *j, const hl__kernels *kern, float *y, const float *x, const void *W,
                            hl_dtype wdt, int64_t M, int64_t N, int64_t K) {
    memset(j, 0, sizeof *j);
    j->kern = kern;
    j->y = y;
    j->x = x;
    j->ldx = K;
    j->W = W;
    j->wdt = wdt;
    j->M = M;
    j->N = N;
    j->K = K;
}

/* ---- block-quantized weights (GGUF; exact mode) ----
   y = x @ W^T with W [N, K] in a quantized type: a panel of rows of W at a time is dequantized
   (hl__dequant_block: the same values as hl_dequantize_row, llama.cpp's bits) into f32 on the
   stack, and the level's own qk kernel - the dot products of the attention scores - multiplies
   every x row with it. So each output is one f32 dot product of x with its dequantized row, in the
   level's fixed order whatever the split over threads (bit-identical across thread counts), and no
   more than a panel (<= 128 KB) of W is ever expanded. The scalar level's qk is the k-ascending
   dot product of the reference. */
#define HL__QPANEL_FLOATS 8192 /* 32 KB on the stack: safe on any thread */
static void hl__dequant_rows(const hl__kernels *kern, hl_dtype wdt, const uint8_t *W, uint64_t row_bytes, int64_t r0,
                             int64_t nr, int64_t K, float *out) {
    int64_t r;
    for (r = 0; r < nr; r++) kern->deq(wdt, W + (uint64_t)(r0 + r) * row_bytes, out + r * K, K / hl_dtype_block(wdt));
}
static void hl__mm_quant(const hl__mm_job *j, int64_t n0, int64_t n1) {
    float panel[HL__QPANEL_FLOATS], part[256];
    const uint64_t rb = hl_dtype_row_bytes(j->wdt, j->K);
    const int64_t C = HL__QPANEL_FLOATS, rows = j->K > C ? 1 : C / j->K > 16 ? 16 : C / j->K;
    int64_t n, nr, k0, m0, i;
    for (n = n0; n < n1; n += nr) {
        nr = n1 - n < rows ? n1 - n : rows;
        if (j->K <= C) {
            hl__dequant_rows(j->kern, j->wdt, (const uint8_t *)j->W, rb, n, nr, j->K, panel);
            j->kern->qk(j->y + n, j->N, j->x, j->ldx, j->M, panel, j->K, nr, j->K);
            continue;
        }
        /* a row longer than the panel: dot products over chunks of C at fixed k, summed in order */
        for (k0 = 0; k0 < j->K; k0 += C) {
            const int64_t kn = j->K - k0 < C ? j->K - k0 : C;
            hl__dequant_rows(j->kern, j->wdt, (const uint8_t *)j->W + (uint64_t)n * rb + hl_dtype_row_bytes(j->wdt, k0), 0, 0, 1,
                             kn, panel);
            for (m0 = 0; m0 < j->M; m0 += 256) {
                const int64_t mm = j->M - m0 < 256 ? j->M - m0 : 256;
                j->kern->qk(part, 1, j->x + m0 * j->ldx + k0, j->ldx, mm, panel, kn, 1, kn);
                for (i = 0; i < mm; i++) j->y[(m0 + i) * j->N + n] = k0 ? j->y[(m0 + i) * j->N + n] + part[i] : part[i];
            }
        }
    }
}
#if defined(HL__X86)
/* ---- fast mode: 8-bit dot products (AVX512-VNNI) for Q8_0, Q5_0, Q4_0, Q4_K and Q6_K weights ----
   hl__mm_q8dot_scalar's operations, 16 lanes at a time. A step is 64 values of a weight row (two
   blocks of 32): its int8 codes w (zero past K) and the lane scales ds; x is prepared as the 16-bit
   values 256 q1 + q2 (they fit: |256 q1 + q2| <= 32640), so that for each row of x
     p = vpdpwssd(vpdpwssd(0, x pairs (4l, 4l+2), w pairs), x pairs (4l+1, 4l+3), w pairs)
       = 256 sum w q1 + sum w q2 exactly, the scalar reference's integer,
     acc = fma(float(p), ds * d / 256, acc),
   Q4_K's mins as an 8-lane fma per super-block, and the lanes summed by hl__hsum16_avx512 (and
   hl__hsum8_avx512) in the scalar trees' order. Decode (one row of x) unpacks the weights on the
   fly, prefill once per weight row into a buffer that every row of x reads. */
HL__INLINE HL__TGT_VNNI __m256i hl__unpack_q_avx512(hl_dtype t, const uint8_t *b) {
    const __m256i sixteen = _mm256_set1_epi8(16), eight = _mm256_set1_epi8(8), low = _mm256_set1_epi8(0x0F);
    __m128i qs;
    __m256i v;
    if (t == HL_DTYPE_Q8_0) return _mm256_loadu_si256((const __m256i *)(b + 2));
    qs = _mm_loadu_si128((const __m128i *)(b + (t == HL_DTYPE_Q5_0 ? 6 : 2)));
    v = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(qs, 4), qs), low); /* [low nibbles | high nibbles] */
    if (t == HL_DTYPE_Q5_0) {
        const uint32_t qh = (uint32_t)b[2] | (uint32_t)b[3] << 8 | (uint32_t)b[4] << 16 | (uint32_t)b[5] << 24;
        return _mm256_sub_epi8(_mm256_mask_add_epi8(v, (__mmask32)qh, v, sixteen), sixteen);
    }
    return _mm256_sub_epi8(v, eight);
}
/* A Q4_K super-block's 8 scales d * sc and 8 mins dmin * m (hl__k_scale_min's values, unpacked 32
   bits at a time as llama.cpp's kernels do). */
HL__INLINE HL__TGT_VNNI void hl__q4k_scales_avx512(const uint8_t *sb, __m256 *ds, __m256 *mn) {
    const uint32_t k1 = 0x3f3f3f3fu, k2 = 0x0f0f0f0fu, k3 = 0x03030303u;
    uint32_t u[4], a;
    __m128i v;
    memcpy(u, sb + 4, 12);
    u[3] = ((u[2] >> 4) & k2) | (((u[1] >> 6) & k3) << 4);
    a = u[1] & k1;
    u[1] = (u[2] & k2) | (((u[0] >> 6) & k3) << 4);
    u[2] = a;
    u[0] &= k1;
    memcpy(&v, u, 16);
    *ds = _mm256_mul_ps(_mm256_set1_ps(_cvtsh_ss((unsigned short)(sb[0] | (sb[1] << 8)))), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(v)));
    *mn = _mm256_mul_ps(_mm256_set1_ps(_cvtsh_ss((unsigned short)(sb[2] | (sb[3] << 8)))),
                        _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(v, 8))));
}
/* A Q6_K super-block's 16 scales d * sc. */
HL__INLINE HL__TGT_VNNI __m512 hl__q6k_scales_avx512(const uint8_t *sb) {
    return _mm512_mul_ps(_mm512_set1_ps(_cvtsh_ss((unsigned short)(sb[208] | (sb[209] << 8)))),
                         _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(sb + 192)))));
}
/* Step c (0..3) of a K-quant super-block: the 64 codes, and the lane scales from the super-block's
   (Q4_K: lanes 0-7 sub-block 2c, 8-15 sub-block 2c + 1; Q6_K: lane l scale 4c + l / 4). */
HL__INLINE HL__TGT_VNNI __m512i hl__kq_codes_avx512(hl_dtype t, const uint8_t *sb, int c) {
    const __m512i low = _mm512_set1_epi8(0x0F);
    if (t == HL_DTYPE_Q4_K) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(sb + 16 + 32 * c));
        return _mm512_and_si512(_mm512_inserti64x4(_mm512_castsi256_si512(v), _mm256_srli_epi16(v, 4), 1), low);
    } else {
        const __m512i ql = _mm512_loadu_si512((const void *)(sb + 64 * (c / 2)));
        const __m256i qh = _mm256_loadu_si256((const __m256i *)(sb + 128 + 32 * (c / 2)));
        __m512i hx = _mm512_inserti64x4(_mm512_castsi256_si512(qh), _mm256_srli_epi16(qh, 2), 1), lo;
        if (c % 2) lo = _mm512_and_si512(_mm512_srli_epi16(ql, 4), low), hx = _mm512_srli_epi16(hx, 4);
        else lo = _mm512_and_si512(ql, low);
        return _mm512_sub_epi8(_mm512_or_si512(lo, _mm512_slli_epi16(_mm512_and_si512(hx, _mm512_set1_epi8(3)), 4)), _mm512_set1_epi8(32));
    }
}
HL__INLINE HL__TGT_VNNI __m512 hl__kq_lane_scales(hl_dtype t, __m512 sc16, int c) {
    if (t == HL_DTYPE_Q4_K)
        return _mm512_permutexvar_ps(_mm512_add_epi32(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0), _mm512_set1_epi32(2 * c)), sc16);
    return _mm512_permutexvar_ps(_mm512_add_epi32(_mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0), _mm512_set1_epi32(4 * c)), sc16);
}
/* Step s of a row: the codes w and the lane scales (0 past the last block). */
HL__INLINE HL__TGT_VNNI void hl__q8_step(hl_dtype t, const uint8_t *row, uint64_t bb, int64_t nb, int64_t s, __m512i *w, __m512 *dv) {
    if (t == HL_DTYPE_Q4_K || t == HL_DTYPE_Q6_K) {
        const uint8_t *sb = row + (uint64_t)(s / 4) * bb;
        __m512 sc16;
        if (t == HL_DTYPE_Q4_K) {
            __m256 ds, mn;
            hl__q4k_scales_avx512(sb, &ds, &mn);
            sc16 = _mm512_castps256_ps512(ds);
        } else {
            sc16 = hl__q6k_scales_avx512(sb);
        }
        *w = hl__kq_codes_avx512(t, sb, (int)(s % 4));
        *dv = hl__kq_lane_scales(t, sc16, (int)(s % 4));
    } else {
        const uint8_t *b0 = row + (uint64_t)(2 * s) * bb, *b1 = b0 + bb;
        const int two = 2 * s + 1 < nb;
        /* the two f16 scales converted together, then lanes 0-7 <- d0 and 8-15 <- d1 (d1 = 0 past the last block) */
        const __m128i h = _mm_insert_epi16(_mm_cvtsi32_si128(b0[0] | (b0[1] << 8)), two ? (b1[0] | (b1[1] << 8)) : 0, 1);
        *w = _mm512_inserti64x4(_mm512_castsi256_si512(hl__unpack_q_avx512(t, b0)), two ? hl__unpack_q_avx512(t, b1) : _mm256_setzero_si256(), 1);
        *dv = _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0), _mm512_castps128_ps512(_mm_cvtph_ps(h)));
    }
}
/* lanes 0..15 summed as (l, l+8), then (l, l+4), (l, l+2), (0, 1): hl__mm_q8dot_scalar's order */
static HL__TGT_AVX512 float hl__hsum16_avx512(__m512 v) {
    const __m256 a = _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    const __m128 b = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    const __m128 c = _mm_add_ps(b, _mm_movehl_ps(b, b));
    return _mm_cvtss_f32(_mm_add_ss(c, _mm_shuffle_ps(c, c, 1)));
}
/* lanes 0..7 summed as (l, l+4), (l, l+2), (0, 1) */
HL__INLINE HL__TGT_AVX512 float hl__hsum8_avx512(__m256 a) {
    const __m128 b = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    const __m128 c = _mm_add_ps(b, _mm_movehl_ps(b, b));
    return _mm_cvtss_f32(_mm_add_ss(c, _mm_shuffle_ps(c, c, 1)));
}
/* acc += float(p) * (dv * xd) for one step of one row of x, p = sum w (256 q1 + q2) per lane by
   two vpdpwssd on the codes as 16-bit pairs (see hl__q8_tile_avx512): `pos` when every code is
   >= 0 (Q4_K), so that zero-extending does */
HL__INLINE HL__TGT_VNNI __m512 hl__q8_fma(__m512 acc, __m512i w, __m512 dv, const int16_t *x16, const float *xd, int pos) {
    const __m512i we = pos ? _mm512_and_si512(w, _mm512_set1_epi16(0xFF)) : _mm512_srai_epi16(_mm512_slli_epi16(w, 8), 8);
    const __m512i wo = pos ? _mm512_srli_epi16(w, 8) : _mm512_srai_epi16(w, 8);
    const __m512i p = _mm512_dpwssd_epi32(_mm512_dpwssd_epi32(_mm512_setzero_si512(), _mm512_loadu_si512((const void *)x16), we),
                                          _mm512_loadu_si512((const void *)(x16 + 32)), wo);
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(dv, _mm512_loadu_ps(xd)), acc);
}

/* Decode (one row of x): the type a constant, one weight row after another (a single stream: two
   rows side by side ran at half the speed on a Zen 4, whose prefetcher follows one stream best);
   the K-quants prefetch HL__Q8_PF bytes ahead (Q6_K 8.8 vs 9.4 ms one thread on a 134 MB matrix,
   nothing for the 32-blocks). */
#define HL__Q8_PF 1024
/* Rows n0 .. n1 - 1, and with R = 2 also the rows h further on, in step: two sequential streams far
   apart, whose independent sums overlap (two adjacent rows, one interleaved stream, ran at half the
   speed: the prefetcher follows separate streams better) */
HL__INLINE HL__TGT_VNNI void hl__q8_dec_avx512(const hl__mm_job *j, int64_t n0, int64_t n1, const hl_dtype T, const int R, int64_t h) {
    const int64_t K = j->K, Kp = (K + 63) / 64 * 64, nb = K / 32, ns = nb / 2;
    const uint64_t rb = hl_dtype_row_bytes(T, K), bb = hl__qblock_bytes(T);
    const int16_t *u = (const int16_t *)(const void *)j->xq;
    const float *xd = j->xd, *xs = j->xd + Kp / 4;
    const int kq = T == HL_DTYPE_Q4_K || T == HL_DTYPE_Q6_K;
    int64_t n, s;
    int c, r;
    for (n = n0; n < n1; n++) {
        const uint8_t *row[2];
        __m512 acc[2];
        __m256 macc[2];
        row[0] = (const uint8_t *)j->W + (uint64_t)n * rb, row[1] = row[0] + (uint64_t)h * rb;
        HL__UNROLL for (r = 0; r < R; r++) acc[r] = _mm512_setzero_ps(), macc[r] = _mm256_setzero_ps();
        if (kq) {
            for (s = 0; s < ns; s += 4)
                HL__UNROLL for (r = 0; r < R; r++) {
                    const uint8_t *sb = row[r] + (uint64_t)(s / 4) * bb;
                    __m512 sc16;
                    _mm_prefetch((const char *)sb + HL__Q8_PF, _MM_HINT_T0);
                    _mm_prefetch((const char *)sb + HL__Q8_PF + 64, _MM_HINT_T0);
                    _mm_prefetch((const char *)sb + HL__Q8_PF + 128, _MM_HINT_T0);
                    if (T == HL_DTYPE_Q4_K) {
                        __m256 ds, mn;
                        hl__q4k_scales_avx512(sb, &ds, &mn);
                        sc16 = _mm512_castps256_ps512(ds);
                        macc[r] = _mm256_fmadd_ps(mn, _mm256_loadu_ps(xs + 8 * (s / 4)), macc[r]);
                    } else {
                        sc16 = hl__q6k_scales_avx512(sb);
                    }
                    for (c = 0; c < 4; c++) {
                        const __m512i w = hl__kq_codes_avx512(T, sb, c);
                        acc[r] = hl__q8_fma(acc[r], w, hl__kq_lane_scales(T, sc16, c), u + 64 * (s + c), xd + 16 * (s + c), T == HL_DTYPE_Q4_K);
                    }
                }
        } else {
            for (s = 0; s < ns; s++)
                HL__UNROLL for (r = 0; r < R; r++) {
                    const uint8_t *b0 = row[r] + (uint64_t)(2 * s) * bb;
                    const __m128i hh = _mm_cvtsi32_si128((int)((uint32_t)(b0[0] | (b0[1] << 8)) | (uint32_t)(b0[bb] | (b0[bb + 1] << 8)) << 16));
                    const __m512i w = _mm512_inserti64x4(_mm512_castsi256_si512(hl__unpack_q_avx512(T, b0)), hl__unpack_q_avx512(T, b0 + bb), 1);
                    const __m512 dv = _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                                                            _mm512_castps128_ps512(_mm_cvtph_ps(hh)));
                    acc[r] = hl__q8_fma(acc[r], w, dv, u + 64 * s, xd + 16 * s, 0);
                }
            if (nb % 2) /* the last block alone (hl__q8_step zeroes the rest) */
                HL__UNROLL for (r = 0; r < R; r++) {
                    __m512i w;
                    __m512 dv;
                    hl__q8_step(T, row[r], bb, nb, s, &w, &dv);
                    acc[r] = hl__q8_fma(acc[r], w, dv, u + 64 * s, xd + 16 * s, 0);
                }
        }
        HL__UNROLL for (r = 0; r < R; r++)
            j->y[n + r * h] = T == HL_DTYPE_Q4_K ? hl__hsum16_avx512(acc[r]) - hl__hsum8_avx512(macc[r]) : hl__hsum16_avx512(acc[r]);
    }
}
/* The one-scale-per-block weights (Q8_0, Q5_0, Q4_0) in hl__mm_q8dot_scalar's block order, for one
   row of x. A chunk is 16 blocks (8 steps of 64 values); per step, as above,
     P_s = vpdpwssd(vpdpwssd(0, x pairs (4l, 4l+2), w pairs), x pairs (4l+1, 4l+3), w pairs)
   holds in lane l the exact integer sum over 4 values (lanes 0-7 block 2s, 8-15 block 2s + 1);
   three levels of pairwise sums (even lanes + odd lanes of two registers: vpermt2d, vpaddd) turn
   the 8 P_s into p_b for the chunk's 16 blocks, block c + j in lane j, so that
     acc_j = fma(float(p_b), ds_b * xbd_b, acc_j)
   is the scalar reference's lane b mod 16 (masked past the last block); the block scales ds_b are
   read per step as a 32-bit word of two f16 (2 threads, a 22 MB 9216x2304 Q8_0 matrix, mostly in
   L3: 114 GB/s; 78 with a vpgatherdd of the scales per chunk and a rolled loop for the last chunk;
   the 4-values-per-lane order did 136, but from DRAM both wait on memory). One weight row at a
   time, with R = 2 a second one h rows on, as hl__q8_dec_avx512. */
HL__INLINE HL__TGT_VNNI __m512i hl__q8_pairsum(__m512i a, __m512i b) {
    const __m512i ev = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    return _mm512_add_epi32(_mm512_permutex2var_epi32(a, ev, b), _mm512_permutex2var_epi32(a, _mm512_add_epi32(ev, _mm512_set1_epi32(1)), b));
}
HL__INLINE HL__TGT_VNNI __m512i hl__q8_p64(__m512i w, const int16_t *x16) {
    return _mm512_dpwssd_epi32(_mm512_dpwssd_epi32(_mm512_setzero_si512(), _mm512_loadu_si512((const void *)x16), _mm512_srai_epi16(_mm512_slli_epi16(w, 8), 8)),
                               _mm512_loadu_si512((const void *)(x16 + 32)), _mm512_srai_epi16(w, 8));
}
HL__INLINE HL__TGT_VNNI void hl__q8_dec32_avx512(const hl__mm_job *j, int64_t n0, int64_t n1, const hl_dtype T, const int R, int64_t h) {
    const int64_t K = j->K, nb = K / 32;
    const uint64_t rb = hl_dtype_row_bytes(T, K), bb = hl__qblock_bytes(T);
    const int16_t *u = (const int16_t *)(const void *)j->xq;
    int64_t n, c;
    int r, s;
    for (n = n0; n < n1; n++) {
        const uint8_t *row[2];
        __m512 acc[2];
        row[0] = (const uint8_t *)j->W + (uint64_t)n * rb, row[1] = row[0] + (uint64_t)h * rb;
        HL__UNROLL for (r = 0; r < R; r++) acc[r] = _mm512_setzero_ps();
        for (c = 0; c < nb; c += 16)
            HL__UNROLL for (r = 0; r < R; r++) {
                const uint8_t *b0 = row[r] + (uint64_t)c * bb;
                const int64_t nbc = nb - c; /* blocks in this chunk (16 but in the last) */
                const __mmask16 live = nbc >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nbc) - 1);
                __m512i p[8];
                __m128i h2[8]; /* the f16 scales of each step's two blocks */
                __m512 sc;
                HL__UNROLL for (s = 0; s < 8; s++) {
                    if (2 * s < nbc) { /* (codes and scale 0 for a missing second block; no step past the last is read) */
                        const uint8_t *bs = b0 + 2 * s * bb;
                        const int two = 2 * s + 1 < nbc;
                        const __m256i hi = two ? hl__unpack_q_avx512(T, bs + bb) : _mm256_setzero_si256();
                        p[s] = hl__q8_p64(_mm512_inserti64x4(_mm512_castsi256_si512(hl__unpack_q_avx512(T, bs)), hi, 1), u + 32 * c + 64 * s);
                        h2[s] = _mm_cvtsi32_si128((int)((uint32_t)(bs[0] | (bs[1] << 8)) | (two ? (uint32_t)(bs[bb] | (bs[bb + 1] << 8)) << 16 : 0u)));
                    } else {
                        p[s] = _mm512_setzero_si512(), h2[s] = _mm_setzero_si128();
                    }
                }
                p[0] = hl__q8_pairsum(hl__q8_pairsum(hl__q8_pairsum(p[0], p[1]), hl__q8_pairsum(p[2], p[3])),
                                      hl__q8_pairsum(hl__q8_pairsum(p[4], p[5]), hl__q8_pairsum(p[6], p[7])));
                sc = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_set_m128i(
                         _mm_unpacklo_epi64(_mm_unpacklo_epi32(h2[4], h2[5]), _mm_unpacklo_epi32(h2[6], h2[7])),
                         _mm_unpacklo_epi64(_mm_unpacklo_epi32(h2[0], h2[1]), _mm_unpacklo_epi32(h2[2], h2[3])))), _mm512_maskz_loadu_ps(live, j->xbd + c));
                acc[r] = _mm512_mask3_fmadd_ps(_mm512_cvtepi32_ps(p[0]), sc, acc[r], live);
            }
        HL__UNROLL for (r = 0; r < R; r++) j->y[n + r * h] = hl__hsum16_avx512(acc[r]);
    }
}
/* the first and second halves of the range in step (2b Q8_0 decode on 2 threads: 10.1-11.3 ->
   13.2-13.5 tokens/s), then the odd row */
#define HL__Q8_DEC32(T) hl__q8_dec32_avx512(j, n0, n0 + (n1 - n0) / 2, T, 2, (n1 - n0) / 2), hl__q8_dec32_avx512(j, n1 - (n1 - n0) % 2, n1, T, 1, 0)
#define HL__Q8_DEC(T) hl__q8_dec_avx512(j, n0, n0 + (n1 - n0) / 2, T, 2, (n1 - n0) / 2), hl__q8_dec_avx512(j, n1 - (n1 - n0) % 2, n1, T, 1, 0)
static HL__TGT_VNNI void hl__q8_dec_any_avx512(const hl__mm_job *j, int64_t n0, int64_t n1) {
    switch (j->wdt) {
    case HL_DTYPE_Q8_0: HL__Q8_DEC32(HL_DTYPE_Q8_0); break;
    case HL_DTYPE_Q5_0: HL__Q8_DEC32(HL_DTYPE_Q5_0); break;
    case HL_DTYPE_Q4_0: HL__Q8_DEC32(HL_DTYPE_Q4_0); break;
    case HL_DTYPE_Q4_K: HL__Q8_DEC(HL_DTYPE_Q4_K); break;
    default: HL__Q8_DEC(HL_DTYPE_Q6_K); break;
    }
}
#undef HL__Q8_DEC
#undef HL__Q8_DEC32

/* Prefill with the one-scale-per-block weights (Q8_0, Q5_0, Q4_0), hl__mm_q8dot_scalar's block
   order for 16 rows of x at once (the classic VNNI GEMM arrangement: oneDNN's brgemm, the Intel
   optimization manual's int8 GEMM). x comes as its codes + 128 (u1 = q1 + 128, u2 = q2 + 128,
   bytes) in groups of 16 rows (hl__mm_prep_q8_wide's xg): per block and quad k of 4 values one
   register holds the 4 bytes of each of the 16 rows, so that with a weight row's 4 codes w
   broadcast to every lane (a 32-bit broadcast),
     a1 = sum_k vpdpbusd(u1 quad k, w quad k),   a2 = sum_k vpdpbusd(u2 quad k, w quad k)
   give per row of x sum w u1 and sum w u2 over the block (8 instructions each). a1 starts at 0 and
   a2 at Y = -128 * 257 * sum_block w (the +128 of both terms, once per weight row and block), so
     p_b = (a1 << 8) + a2 = 256 sum w q1 + sum w q2 + 128 (256 + 1) sum w - 128 * 257 sum w
   is the reference's exact integer (|a1| < 2^20 before the shift), for the 16 rows, then
     acc_j = fma(float(p_b), ds_b * xgd_b, acc_j),   j = b mod 16:
   16 productive vpdpbusd per cvt, mul and fma (the 4-values-per-lane order of the K-quants needs
   a cvt and an fma per 4 values). A weight row's codes, scales and Y are unpacked once per block
   of groups of x (wc, wds, wy); tiles of NR weight rows x NG groups of 16 rows of x, each lane
   chain j over the blocks j, j + 16, ... in turn, its 16 sums kept and summed in the scalar tree's
   order (8 pairs, 4, 2, 1) - per row of x the same operations as hl__mm_q8dot_scalar. */
HL__INLINE HL__TGT_VNNI void hl__q8_tile32_avx512(const hl__mm_job *j, int64_t n, int64_t g0, const int NR, const int NG, const int NT,
                                                  const int8_t *wc, const float *wds, const int32_t *wy, int64_t nb) {
    __m512 lane[16][8][2], acc[8][2];
    int64_t b;
    int l, r, g, k, t;
    for (l = 0; l < 16; l++) {
        HL__UNROLL for (r = 0; r < NR; r++) HL__UNROLL for (g = 0; g < NG; g++) acc[r][g] = _mm512_setzero_ps();
        for (b = l; b < nb; b += 16) {
            __m512i a1[8][2], a2[8][2];
            HL__UNROLL for (r = 0; r < NR; r++) {
                const __m512i y0 = _mm512_set1_epi32(wy[r * nb + b]);
                HL__UNROLL for (g = 0; g < NG; g++) a1[r][g] = _mm512_setzero_si512(), a2[r][g] = y0;
            }
            HL__UNROLL for (k = 0; k < 8; k++) {
                __m512i x1[2], x2[2];
                HL__UNROLL for (g = 0; g < NG; g++) {
                    const uint8_t *xq = j->xg + ((g0 + g) * nb + b) * 1024 + 128 * k;
                    x1[g] = _mm512_load_si512((const void *)xq);
                    if (NT == 2) x2[g] = _mm512_load_si512((const void *)(xq + 64));
                }
                HL__UNROLL for (r = 0; r < NR; r++) {
                    int32_t w4;
                    __m512i wv;
                    memcpy(&w4, wc + (r * nb + b) * 32 + 4 * k, 4);
                    wv = _mm512_set1_epi32(w4);
                    HL__UNROLL for (g = 0; g < NG; g++) {
                        a1[r][g] = _mm512_dpbusd_epi32(a1[r][g], x1[g], wv);
                        if (NT == 2) a2[r][g] = _mm512_dpbusd_epi32(a2[r][g], x2[g], wv);
                    }
                }
            }
            HL__UNROLL for (g = 0; g < NG; g++) {
                const __m512 xd = _mm512_load_ps(j->xgd + ((g0 + g) * nb + b) * 16);
                HL__UNROLL for (r = 0; r < NR; r++) {
                    const __m512 p = _mm512_cvtepi32_ps(_mm512_add_epi32(_mm512_slli_epi32(a1[r][g], 8), a2[r][g]));
                    acc[r][g] = _mm512_fmadd_ps(p, _mm512_mul_ps(_mm512_set1_ps(wds[r * nb + b]), xd), acc[r][g]);
                }
            }
        }
        HL__UNROLL for (r = 0; r < NR; r++) HL__UNROLL for (g = 0; g < NG; g++) lane[l][r][g] = acc[r][g];
    }
    HL__UNROLL for (r = 0; r < NR; r++) HL__UNROLL for (g = 0; g < NG; g++) {
        float out[16];
        const int64_t m0 = 16 * (g0 + g);
        for (l = 0; l < 8; l++) lane[l][r][g] = _mm512_add_ps(lane[l][r][g], lane[l + 8][r][g]);
        for (l = 0; l < 4; l++) lane[l][r][g] = _mm512_add_ps(lane[l][r][g], lane[l + 4][r][g]);
        for (l = 0; l < 2; l++) lane[l][r][g] = _mm512_add_ps(lane[l][r][g], lane[l + 2][r][g]);
        _mm512_storeu_ps(out, _mm512_add_ps(lane[0][r][g], lane[1][r][g]));
        for (t = 0; t < 16 && m0 + t < j->M; t++) j->y[(m0 + t) * j->N + n + r] = out[t];
    }
}
/* weight row `row` into slot r: its codes (int8, 32 per block), scales and Y = -128 * 257 * sum w;
   with one term (HL_FAST_INT8: u2 = 128, no products), Y = -128 * 256 * sum w, the value a2 would
   reach */
static HL__TGT_VNNI void hl__q8_row32(const hl__mm_job *j, const uint8_t *row, int r, int64_t nb, int8_t *wc, float *wds, int32_t *wy) {
    const uint64_t bb = hl__qblock_bytes(j->wdt);
    int64_t b;
    for (b = 0; b < nb; b++) {
        const __m256i w = hl__unpack_q_avx512(j->wdt, row + (uint64_t)b * bb);
        _mm256_storeu_si256((__m256i *)(void *)(wc + (r * nb + b) * 32), w);
        wds[r * nb + b] = hl__f16_at(row + (uint64_t)b * bb);
        wy[r * nb + b] = -128 * (j->kern->one_term ? 256 : 257) * _mm512_reduce_add_epi32(_mm512_add_epi32(_mm512_cvtepi8_epi32(_mm256_castsi256_si128(w)),
                                                                               _mm512_cvtepi8_epi32(_mm256_extracti128_si256(w, 1))));
    }
}
/* Tiles of 8 weight rows x 1 group of 16 rows of x (2 cores, M = 512, 9216x2304 / 2304x9216 Q8_0,
   GOP/s idle-equivalent: 8 x 1 339 / 333, 6 x 1 325 / 318, 4 x 1 301 / 301, 4 x 2 301 / 291 (its 16
   int32 and 8 float accumulators spill), 3 x 2 243 / 226, 2 x 2 234 / 226; the weights as
   embedded-broadcast operands instead of a vpbroadcastd: no faster; x blocks of 3 MB, 1 MB or
   512 KB: the same) */
#define HL__Q32_NR 8
#define HL__Q32_NG 1
#define HL__Q32_TILE(NR, NG)                                                              \
    do {                                                                                  \
        if (j->kern->one_term) hl__q8_tile32_avx512(j, n, g0, NR, NG, 1, wc, wds, wy, nb); \
        else hl__q8_tile32_avx512(j, n, g0, NR, NG, 2, wc, wds, wy, nb);                   \
    } while (0)
#define HL__Q32_TILES(NR)                            \
    if (gb1 - g0 >= 2 && HL__Q32_NG >= 2) HL__Q32_TILE(NR, 2); \
    else HL__Q32_TILE(NR, 1);
static HL__TGT_VNNI void hl__q8_pre32_avx512(const hl__mm_job *j, int64_t n0, int64_t n1) {
    int8_t wc[HL__Q32_NR * 320 * 32]; /* 8 weight rows with K <= 10240, or 4 up to 16384 (100 KB in all) */
    float wds[HL__Q32_NR * 320];
    int32_t wy[HL__Q32_NR * 320];
    const int64_t nb = j->K / 32, G = (j->M + 15) / 16, NR = nb <= 320 ? HL__Q32_NR : HL__Q32_NR / 2;
    const uint64_t rb = hl_dtype_row_bytes(j->wdt, j->K);
    /* groups of x per block: their codes (1 KB per block) within ~3 MB (see hl__mm_q8dot_avx512) */
    const int64_t GX = (int64_t)3072 / nb < 1 ? 1 : (int64_t)3072 / nb;
    int64_t n, g0, gb0;
    int r, nr;
    for (gb0 = 0; gb0 < G; gb0 += GX)
        for (n = n0; n < n1; n += nr) {
            const int64_t gb1 = G - gb0 < GX ? G : gb0 + GX;
            nr = n1 - n < NR ? (int)(n1 - n) : (int)NR;
            for (r = 0; r < nr; r++) hl__q8_row32(j, (const uint8_t *)j->W + (uint64_t)(n + r) * rb, r, nb, wc, wds, wy);
            for (g0 = gb0; g0 < gb1; g0 += HL__Q32_NG < gb1 - g0 ? HL__Q32_NG : gb1 - g0) {
                switch (nr) {
                case 8: if (HL__Q32_NR >= 8) { HL__Q32_TILES(8) } break;
                case 7: if (HL__Q32_NR >= 7) { HL__Q32_TILES(7) } break;
                case 6: if (HL__Q32_NR >= 6) { HL__Q32_TILES(6) } break;
                case 5: if (HL__Q32_NR >= 5) { HL__Q32_TILES(5) } break;
                case 4: if (HL__Q32_NR >= 4) { HL__Q32_TILES(4) } break;
                case 3: if (HL__Q32_NR >= 3) { HL__Q32_TILES(3) } break;
                case 2: HL__Q32_TILES(2) break;
                default: HL__Q32_TILES(1) break;
                }
            }
        }
}
#undef HL__Q32_TILES
#undef HL__Q32_TILE

/* Prefill with the K-quants (Q4_K, Q6_K; Q8_0/Q5_0/Q4_0: hl__q8_pre32_avx512). x comes as 16-bit
   values 256 q1 + q2 (hl__mm_prep_q8's wide layout: per step of 64 values, lane l's four as the pairs (4l, 4l + 2) and (4l + 1, 4l + 3)), and each weight step as
   its codes sign-extended to the same pairs, so one vpdpwssd per pair gives p = 256 sum w q1 +
   sum w q2 - the same exact integer - without the +128 correction or the shift. A weight row's
   steps are unpacked once into wb (pairs, lane scales; Q4_K's mins in mb) for a block of rows
   of x that stays in L2; tiles of MB rows of x x NR weight rows. */
HL__INLINE HL__TGT_VNNI void hl__q8_tile_avx512(const hl__mm_job *j, int64_t n, int64_t m0, const int MB, const int NR,
                                                const __m512i *wb, const __m256 *mb, int64_t ns) {
    const int64_t Kp = ns * 64;
    const int16_t *x16 = (const int16_t *)(const void *)j->xq;
    const float *xs = j->xd + j->M * (Kp / 4);
    __m512 acc[6][4];
    __m256 macc[6][4];
    int64_t s;
    int i, r;
    HL__UNROLL for (i = 0; i < MB; i++) HL__UNROLL for (r = 0; r < NR; r++) acc[i][r] = _mm512_setzero_ps();
    for (s = 0; s < ns; s++) {
        __m512i we[4], wo[4];
        __m512 dv[4];
        HL__UNROLL for (r = 0; r < NR; r++)
            we[r] = wb[(r * ns + s) * 3], wo[r] = wb[(r * ns + s) * 3 + 1], dv[r] = _mm512_castsi512_ps(wb[(r * ns + s) * 3 + 2]);
        HL__UNROLL for (i = 0; i < MB; i++) {
            const int16_t *xr = x16 + (m0 + i) * Kp + 64 * s;
            const __m512i xe = _mm512_loadu_si512((const void *)xr), xo = _mm512_loadu_si512((const void *)(xr + 32));
            const __m512 xd = _mm512_loadu_ps(j->xd + (m0 + i) * (Kp / 4) + 16 * s);
            HL__UNROLL for (r = 0; r < NR; r++) {
                const __m512i p = _mm512_dpwssd_epi32(_mm512_dpwssd_epi32(_mm512_setzero_si512(), xe, we[r]), xo, wo[r]);
                acc[i][r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(dv[r], xd), acc[i][r]);
            }
        }
    }
    if (j->wdt == HL_DTYPE_Q4_K) {
        HL__UNROLL for (i = 0; i < MB; i++) HL__UNROLL for (r = 0; r < NR; r++) macc[i][r] = _mm256_setzero_ps();
        for (s = 0; s < ns / 4; s++)
            HL__UNROLL for (i = 0; i < MB; i++) {
                const __m256 x8 = _mm256_loadu_ps(xs + (m0 + i) * (Kp / 32) + 8 * s);
                HL__UNROLL for (r = 0; r < NR; r++) macc[i][r] = _mm256_fmadd_ps(mb[64 * r + s], x8, macc[i][r]);
            }
        for (i = 0; i < MB; i++)
            for (r = 0; r < NR; r++) j->y[(m0 + i) * j->N + n + r] = hl__hsum16_avx512(acc[i][r]) - hl__hsum8_avx512(macc[i][r]);
        return;
    }
    for (i = 0; i < MB; i++)
        for (r = 0; r < NR; r++) j->y[(m0 + i) * j->N + n + r] = hl__hsum16_avx512(acc[i][r]);
}
/* the steps (and mins) of weight row `row` into slot r of the buffers: per step the even and odd
   bytes of each 16-bit word sign-extended (the pairs (4l, 4l + 2) and (4l + 1, 4l + 3)) and the
   lane scales */
static HL__TGT_VNNI void hl__q8_buffer_row(const hl__mm_job *j, const uint8_t *row, int r, int64_t ns, __m512i *wb, __m256 *mb) {
    const int64_t nb = j->K / 32;
    const uint64_t bb = hl__qblock_bytes(j->wdt);
    int64_t s;
    int c;
    if (j->wdt == HL_DTYPE_Q4_K || j->wdt == HL_DTYPE_Q6_K) { /* the super-block's scales once for its 4 steps */
        for (s = 0; s < ns; s += 4) {
            const uint8_t *sb = row + (uint64_t)(s / 4) * bb;
            __m512 sc16;
            if (j->wdt == HL_DTYPE_Q4_K) {
                __m256 ds;
                hl__q4k_scales_avx512(sb, &ds, &mb[64 * r + s / 4]);
                sc16 = _mm512_castps256_ps512(ds);
            } else {
                sc16 = hl__q6k_scales_avx512(sb);
            }
            for (c = 0; c < 4; c++) {
                const __m512i w = hl__kq_codes_avx512(j->wdt, sb, c);
                wb[(r * ns + s + c) * 3] = _mm512_srai_epi16(_mm512_slli_epi16(w, 8), 8);
                wb[(r * ns + s + c) * 3 + 1] = _mm512_srai_epi16(w, 8);
                wb[(r * ns + s + c) * 3 + 2] = _mm512_castps_si512(hl__kq_lane_scales(j->wdt, sc16, c));
            }
        }
        return;
    }
    for (s = 0; s < ns; s++) {
        __m512i w;
        __m512 dv;
        hl__q8_step(j->wdt, row, bb, nb, s, &w, &dv);
        wb[(r * ns + s) * 3] = _mm512_srai_epi16(_mm512_slli_epi16(w, 8), 8);
        wb[(r * ns + s) * 3 + 1] = _mm512_srai_epi16(w, 8);
        wb[(r * ns + s) * 3 + 2] = _mm512_castps_si512(dv);
    }
}
/* Tiles of 4 rows of x x 4 weight rows (one core, M = 64: 2048x640 Q5_0 97 GOP/s, 640x2048 Q6_K
   101, 9216x2304 Q8_0 100; 6 x 2 gave 90-92, 4 x 3 94-99, 3 x 4 92-97, 6 x 3 83-87) */
#define HL__Q8_MB 4
#define HL__Q8_NR 4
#define HL__Q8_TILE(MB, NR) hl__q8_tile_avx512(j, n, m0, MB, NR, wb, mb, ns)
#define HL__Q8_TILES(NR)                                                                                              \
    switch (mb1 - m0 < HL__Q8_MB ? (int)(mb1 - m0) : HL__Q8_MB) {                                                    \
    case 1: HL__Q8_TILE(1, NR); break;                                                                                \
    case 2: HL__Q8_TILE(2, NR); break;                                                                                \
    case 3: if (HL__Q8_MB >= 3) HL__Q8_TILE(3, NR); break;                                                           \
    case 4: if (HL__Q8_MB >= 4) HL__Q8_TILE(4, NR); break;                                                           \
    case 5: if (HL__Q8_MB >= 5) HL__Q8_TILE(5, NR); break;                                                           \
    default: if (HL__Q8_MB >= 6) HL__Q8_TILE(6, NR); break;                                                          \
    }
static HL__TGT_VNNI int hl__mm_q8dot_avx512(const hl__mm_job *j, int64_t n0, int64_t n1) {
    __m512i wb[4 * 160 * 3]; /* the steps of 4 weight rows with K <= 10240, or 2 up to 16384 (120 KB) */
    __m256 mb[4 * 64];
    const int64_t K = j->K, M = j->M, ns = (K + 63) / 64;
    const uint64_t rb = hl_dtype_row_bytes(j->wdt, K);
    const int NR = ns <= 160 ? HL__Q8_NR : 2;
    /* rows of x per block: their 16-bit values (2 Kp bytes each) within ~3 MB, in L2 and L3. Each
       block reads the weights once more, so small blocks are slow for long rows (one core, M = 512,
       2304x9216 Q8_0: 72 GOP/s with 384 KB blocks, 90 with 768 KB, 97 with 1.5 MB, 101 with 3 MB) */
    const int64_t MX = (int64_t)3072 * 1024 / (128 * ns) / 12 * 12 < 12 ? 12 : (int64_t)3072 * 1024 / (128 * ns) / 12 * 12;
    int64_t n, m0, mb0;
    int r, nr;
    if (!hl__q8_type(j->wdt) || K > 16384 || K % hl_dtype_block(j->wdt) != 0) return 0;
    if (M == 1) {
        hl__q8_dec_any_avx512(j, n0, n1);
        return 1;
    }
    if (hl__q8_blk32(j->wdt)) {
        if (!j->xg) return 0; /* (hl__mm_prep_q8_wide writes it for M >= 2) */
        hl__q8_pre32_avx512(j, n0, n1);
        return 1;
    }
    for (mb0 = 0; mb0 < M; mb0 += MX)
        for (n = n0; n < n1; n += nr) {
            const int64_t mb1 = M - mb0 < MX ? M : mb0 + MX;
            nr = n1 - n < NR ? (int)(n1 - n) : NR;
            for (r = 0; r < nr; r++) hl__q8_buffer_row(j, (const uint8_t *)j->W + (uint64_t)(n + r) * rb, r, ns, wb, mb);
            for (m0 = mb0; m0 < mb1; m0 += HL__Q8_MB) {
                switch (nr) {
                case 4: if (HL__Q8_NR >= 4) { HL__Q8_TILES(4) } break;
                case 3: if (HL__Q8_NR >= 3) { HL__Q8_TILES(3) } break;
                case 2: HL__Q8_TILES(2) break;
                default: HL__Q8_TILES(1) break;
                }
            }
        }
    return 1;
}
#undef HL__Q8_TILES
#undef HL__Q8_TILE
#endif

/* y = x @ W with W [K, N] quantized along N (rare: no GGUF layout stores [in, out]): the reference
   order, k ascending, with the blocks of each row that cover [n0, n1) dequantized in turn. */
static void hl__mm_nn_quant(const hl__mm_job *j, int64_t n0, int64_t n1) {
    float blk[256];
    const int64_t bs = hl_dtype_block(j->wdt);
    const uint64_t rb = hl_dtype_row_bytes(j->wdt, j->N), bb = hl__qblock_bytes(j->wdt);
    int64_t m, n, k, b;
    for (m = 0; m < j->M; m++)
        for (n = n0; n < n1; n++) j->y[m * j->N + n] = 0.0f;
    for (k = 0; k < j->K; k++)
        for (b = n0 / bs; b * bs < n1; b++) {
            const int64_t lo = b * bs > n0 ? b * bs : n0, hi = (b + 1) * bs < n1 ? (b + 1) * bs : n1;
            hl__dequant_block(j->wdt, (const uint8_t *)j->W + (uint64_t)k * rb + (uint64_t)b * bb, blk);
            for (m = 0; m < j->M; m++)
                for (n = lo; n < hi; n++) j->y[m * j->N + n] += j->x[m * j->ldx + k] * blk[n - b * bs];
        }
}

static void hl__mm_task(void *ctx, int64_t n0, int64_t n1) {
    const hl__mm_job *j = (const hl__mm_job *)ctx;
    if (j->xq && j->kern->qdot && j->kern->qdot(j, n0, n1)) return; /* fast mode: 8-bit dot products */
    if (hl_dtype_is_quantized(j->wdt)) hl__mm_quant(j, n0, n1);
    else j->kern->mm(j, n0, n1);
}

/* y[M, N] = x[M, K] @ W[N, K]^T (see the top of this section). The pool splits the N outputs into
   disjoint ranges (grain: whole register tiles, 12 rows = 3 AVX-512 tiles = 4 AVX2 tiles); small
   products run on the calling thread. */
HL__INTERNAL void hl__matmul(const hl__kernels *kern, hl__pool *pool, float *y, const float *x, const void *W,
                             hl_dtype wdt, int64_t M, int64_t N, int64_t K) {
    hl__mm_job j;
    void *buf;
    if (M <= 0 || N <= 0) return;
    hl__mm_job_init(&j, kern, y, x, W, wdt, M, N, K);
    j.pool = pool;
    buf = kern->mm_prep ? kern->mm_prep(&j) : NULL;
    if ((double)M * (double)N * (double)K < HL__PAR_MATMUL) hl__mm_task(&j, 0, N);
    else hl__parallel_for(pool, N, 12, hl__mm_task, &j);
    if (buf) HL_FREE(buf);
}

/* Several products of the same x in one pool pass (q/k/v, gate/up): y_i[M, N_i] = x[M, K] @ W_i^T.
   The outputs of all products form one index space n in [0, sum N_i) that the pool splits; each
   range is cut at the product boundaries and runs the same row drivers as hl__matmul, and every
   output is still one whole-K tile, so the results equal separate hl__matmul calls bit for bit.
   It only saves the pool barriers between the products (decode issues ~200 products per token). */
#define HL__MM_MULTI 3
typedef struct hl__mm_multi {
    int        cnt;
    hl__mm_job job[HL__MM_MULTI];
    int64_t    off[HL__MM_MULTI + 1]; /* off[i] = N_0 + ... + N_(i-1) */
} hl__mm_multi;
static void hl__mm_multi_task(void *ctx, int64_t g0, int64_t g1) {
    const hl__mm_multi *mm = (const hl__mm_multi *)ctx;
    int i;
    for (i = 0; i < mm->cnt; i++) {
        int64_t lo = g0 > mm->off[i] ? g0 : mm->off[i], hi = g1 < mm->off[i + 1] ? g1 : mm->off[i + 1];
        if (lo < hi) hl__mm_task((void *)&mm->job[i], lo - mm->off[i], hi - mm->off[i]);
    }
}
static void hl__matmul_multi(const hl__kernels *kern, hl__pool *pool, int cnt, float *const *y, const float *x,
                             const void *const *W, const hl_dtype *wdt, int64_t M, const int64_t *N, int64_t K) {
    hl__mm_multi mm;
    void *buf[2] = {NULL, NULL}; /* x as prepared for bf16 weights, and for the others */
    int i, k;
    if (M <= 0 || cnt <= 0) return;
    if (!pool || cnt > HL__MM_MULTI) { /* nothing to save: the plain calls */
        for (i = 0; i < cnt; i++) hl__matmul(kern, pool, y[i], x, W[i], wdt[i], M, N[i], K);
        return;
    }
    memset(&mm, 0, sizeof mm);
    mm.cnt = cnt;
    for (i = 0; i < cnt; i++) {
        hl__mm_job_init(&mm.job[i], kern, y[i], x, W[i], wdt[i], M, N[i] > 0 ? N[i] : 0, K);
        mm.off[i + 1] = mm.off[i] + mm.job[i].N;
    }
    if (mm.off[cnt] <= 0) return;
    /* as in hl__matmul: x prepared once per kind of weight (bf16 or not), shared by its products */
    for (k = 0; k < 2 && kern->mm_prep; k++) {
        hl__mm_job px;
        int first = -1;
        for (i = 0; i < cnt && first < 0; i++) /* with 8-bit products, a weight that has them prepares x */
            if (k == 1 && hl__q8_type(wdt[i])) first = i;
        for (i = 0; i < cnt && first < 0; i++)
            if ((wdt[i] == HL_DTYPE_BF16) == (k == 0)) first = i;
        if (first < 0) continue;
        px = mm.job[first];
        px.pool = pool;
        buf[k] = kern->mm_prep(&px);
        for (i = 0; i < cnt; i++)
            if ((wdt[i] == HL_DTYPE_BF16) == (k == 0)) {
                mm.job[i].x = px.x, mm.job[i].xb = px.xb, mm.job[i].ldx = px.ldx;
                if (hl_dtype_is_quantized(wdt[i])) /* fast mode */
                    mm.job[i].xq = px.xq, mm.job[i].xd = px.xd, mm.job[i].xbd = px.xbd, mm.job[i].xg = px.xg, mm.job[i].xgd = px.xgd,
                    mm.job[i].x16 = px.x16;
            }
    }
    if ((double)M * (double)mm.off[cnt] * (double)K < HL__PAR_MATMUL) hl__mm_multi_task(&mm, 0, mm.off[cnt]);
    else hl__parallel_for(pool, mm.off[cnt], 12, hl__mm_multi_task, &mm);
    if (buf[0]) HL_FREE(buf[0]);
    if (buf[1]) HL_FREE(buf[1]);
}

static void hl__mm_nn_task(void *ctx, int64_t n0, int64_t n1) {
    const hl__mm_job *j = (const hl__mm_job *)ctx;
    if (hl_dtype_is_quantized(j->wdt)) hl__mm_nn_quant(j, n0, n1);
    else j->kern->mm_nn(j, n0, n1);
}

/* y[M, N] = x[M, K] @ W[K, N] (see above). Exact mode only (fast mode changes nothing here). */
HL__INTERNAL void hl__matmul_nn(const hl__kernels *kern, hl__pool *pool, float *y, const float *x, const void *W,
                                hl_dtype wdt, int64_t M, int64_t N, int64_t K) {
    hl__mm_job j;
    if (M <= 0 || N <= 0) return;
    hl__mm_job_init(&j, kern, y, x, W, wdt, M, N, K);
    if ((double)M * (double)N * (double)K < HL__PAR_MATMUL) hl__mm_nn_task(&j, 0, N);
    else {
        /* decode reads W row after row: one range per thread, so that each row is read in pieces as
           long as possible (N = 65536 f32 on a 2-core Zen 4: ~20 GB/s with four 32 KB pieces per
           thread and row, ~30 GB/s with one 128 KB piece; the bits do not depend on the split) */
        int64_t T = hl__pool_threads(pool), grain = M == 1 ? ((N + T - 1) / T + 63) / 64 * 64 : 64;
        hl__parallel_for(pool, N, grain, hl__mm_nn_task, &j);
    }
}

/* <<kernels */

/* >>model =================================================================================== */
/* Model loading, the forward pass with TransformerLens hook points, the activation cache, the KV
   cache, generation and the TL-style helpers, in pipeline order:
     ---- hook points ---- config ---- weights ---- load ---- hooks ---- cache ----
     ---- forward: steps ---- forward ---- run ---- generate ---- helpers ----
   Sources: Hugging Face transformers models/{gemma2,gemma,llama,mistral,gpt2,gpt_neo,gpt_neox}/
   modeling_*.py (eager attention) for the math, TransformerLens (components/, hook_points.py,
   HookedTransformer.py, weight_processing) for every hook value and name. */

/* ---- hook points ---- */
/* The columns of HL_HOOK_LIST as tables. A point's shape is its dimension symbols, evaluated for
   one model and one pass by hl__hook_dims: the firing macro, the SAE width check, hl_hook_shape's
   text and hl_model_hook_shape all read them, and nothing parses shape text. */
enum { HL__SCOPE_GLOBAL, HL__SCOPE_BLOCK };
enum { HL__DIM_NONE, HL__DIM_POS, HL__DIM_QUERY_POS, HL__DIM_KEY_POS, HL__DIM_ONE, HL__DIM_D_MODEL,
       HL__DIM_N_HEADS, HL__DIM_N_KV_HEADS, HL__DIM_D_HEAD, HL__DIM_D_MLP };
/* when a point exists (the architecture has it: hl_model_has_hook) or fires (the HL_USE_* flag that
   turns it on) */
#define HL__WHEN_ALWAYS              0u
#define HL__WHEN_POST_NORMS          0x100u
#define HL__WHEN_POS_EMBED           0x200u
#define HL__WHEN_ROTARY              0x400u
#define HL__WHEN_SEQUENTIAL          0x800u
#define HL__WHEN_GATED               0x1000u
#define HL__WHEN_QK_NORM             0x2000u
#define HL__WHEN_USE_ATTN_RESULT     ((unsigned)HL_USE_ATTN_RESULT)
#define HL__WHEN_USE_SPLIT_QKV_INPUT ((unsigned)HL_USE_SPLIT_QKV_INPUT)
#define HL__WHEN_USE_ATTN_IN         ((unsigned)HL_USE_ATTN_IN)
#define HL__WHEN_USE_HOOK_MLP_IN     ((unsigned)HL_USE_HOOK_MLP_IN)
/* the shape as text: the first dimension after batch, then ", dim" for each further one */
#define HL__DT_POS        "pos"
#define HL__DT_N_HEADS    "n_heads"
#define HL__DTC_NONE      ""
#define HL__DTC_QUERY_POS ", query_pos"
#define HL__DTC_KEY_POS   ", key_pos"
#define HL__DTC_ONE       ", 1"
#define HL__DTC_D_MODEL   ", d_model"
#define HL__DTC_N_HEADS   ", n_heads"
#define HL__DTC_N_KV_HEADS ", n_kv_heads"
#define HL__DTC_D_HEAD    ", d_head"
#define HL__DTC_D_MLP     ", d_mlp"

static const char *const hl__hook_patterns[HL_HOOK_COUNT] = {
#define HL__X(id, scope, name, d1, d2, d3, when) name,
    HL_HOOK_LIST(HL__X)
#undef HL__X
};
static const unsigned char hl__hook_scope[HL_HOOK_COUNT] = {
#define HL__X(id, scope, name, d1, d2, d3, when) HL__SCOPE_##scope,
    HL_HOOK_LIST(HL__X)
#undef HL__X
};
static const unsigned char hl__hook_dim[HL_HOOK_COUNT][3] = {
#define HL__X(id, scope, name, d1, d2, d3, when) {HL__DIM_##d1, HL__DIM_##d2, HL__DIM_##d3},
    HL_HOOK_LIST(HL__X)
#undef HL__X
};
static const unsigned hl__hook_when[HL_HOOK_COUNT] = {
#define HL__X(id, scope, name, d1, d2, d3, when) HL__WHEN_##when,
    HL_HOOK_LIST(HL__X)
#undef HL__X
};
static const char *const hl__hook_shapes[HL_HOOK_COUNT] = {
#define HL__X(id, scope, name, d1, d2, d3, when) "[batch, " HL__DT_##d1 HL__DTC_##d2 HL__DTC_##d3 "]",
    HL_HOOK_LIST(HL__X)
#undef HL__X
};
static const char *const hl__sub_names[HL_SUB_COUNT] = {
    "",
#define HL__X(id, name) name,
    HL_SUB_LIST(HL__X)
#undef HL__X
};

HL__DEF const char *hl_hook_pattern(hl_hook h) {
    return (h >= 0 && h < HL_HOOK_COUNT) ? hl__hook_patterns[h] : "";
}
HL__DEF const char *hl_hook_shape(hl_hook h) {
    return (h >= 0 && h < HL_HOOK_COUNT) ? hl__hook_shapes[h] : "";
}
HL__DEF int hl_hook_per_layer(hl_hook h) {
    return h >= 0 && h < HL_HOOK_COUNT && hl__hook_scope[h] == HL__SCOPE_BLOCK;
}
HL__DEF const char *hl_sub_name(hl_sub s) {
    return (s > HL_SUB_NONE && s < HL_SUB_COUNT) ? hl__sub_names[s] : "";
}

/* The size of one dimension symbol in a pass of n positions against K keys. */
static int64_t hl__dim_size(const hl_model_cfg *c, int dim, int64_t n, int64_t K) {
    switch (dim) {
    case HL__DIM_POS: case HL__DIM_QUERY_POS: return n;
    case HL__DIM_KEY_POS: return K;
    case HL__DIM_D_MODEL: return c->d_model;
    case HL__DIM_N_HEADS: return c->n_heads;
    case HL__DIM_N_KV_HEADS: return c->n_kv_heads;
    case HL__DIM_D_HEAD: return c->d_head;
    case HL__DIM_D_MLP: return c->d_mlp;
    default: return 1;
    }
}
/* The TL shape of point h (batch dim first) in a pass of n positions against K keys: out[0..ndim).
   stream >= 0 when ln1 runs per q/k/v stream (split qkv input or attn_in): its two points then get a
   head axis after pos, n_heads for q (stream 0) and n_kv_heads for k and v, as TL's do. */
static int hl__hook_dims(const hl_model_cfg *c, hl_hook h, int64_t B, int64_t n, int64_t K, int stream, int64_t out[4]) {
    int nd = 0, i;
    out[nd++] = B;
    for (i = 0; i < 3 && hl__hook_dim[h][i] != HL__DIM_NONE; i++) {
        if (i == 1 && stream >= 0 && (h == HL_HOOK_LN1_SCALE || h == HL_HOOK_LN1_NORMALIZED))
            out[nd++] = stream == 0 ? c->n_heads : c->n_kv_heads;
        out[nd++] = hl__dim_size(c, hl__hook_dim[h][i], n, K);
    }
    return nd;
}
/* Values per position of point h (the product of its dimensions after pos), or 0 when h is not
   indexed by position first (attention scores and pattern). An SAE's d_in must equal it. */
static int64_t hl__hook_width(const hl_model_cfg *c, hl_hook h) {
    int64_t w = 1;
    int i;
    if (hl__hook_dim[h][0] != HL__DIM_POS) return 0;
    for (i = 1; i < 3 && hl__hook_dim[h][i] != HL__DIM_NONE; i++) w *= hl__dim_size(c, hl__hook_dim[h][i], 1, 1);
    return w;
}

HL__DEF size_t hl_hook_name(hl_hook h, int64_t layer, char *buf, size_t cap) {
    int n;
    if (h < 0 || h >= HL_HOOK_COUNT || !buf || cap == 0) return 0;
    if (hl_hook_per_layer(h))
        n = snprintf(buf, cap, "blocks.%lld.%s", (long long)layer, hl__hook_patterns[h] + 11);
    else
        n = snprintf(buf, cap, "%s", hl__hook_patterns[h]);
    if (n < 0 || (size_t)n >= cap) {
        buf[0] = 0;
        return 0;
    }
    return (size_t)n;
}

HL__DEF hl_status hl_hook_parse(const char *name, hl_hook *id, int64_t *layer, hl_error *err) {
    int h;
    int64_t L = -1;
    const char *rest = name;
    if (!name) return hl__fail(err, HL_ERR_ARG, "hl_hook_parse: name is NULL");
    if (strncmp(name, "blocks.", 7) == 0) {
        const char *p = name + 7;
        L = 0;
        if (*p < '0' || *p > '9') goto notfound;
        while (*p >= '0' && *p <= '9') {
            if (L > (INT64_MAX - 9) / 10) goto notfound;
            L = L * 10 + (*p - '0');
            p++;
        }
        if (*p != '.') goto notfound;
        rest = p + 1;
    }
    for (h = 0; h < HL_HOOK_COUNT; h++) {
        int per = hl_hook_per_layer((hl_hook)h);
        const char *pat = per ? hl__hook_patterns[h] + 11 : hl__hook_patterns[h];
        if ((L >= 0) == per && strcmp(pat, rest) == 0) {
            if (id) *id = (hl_hook)h;
            if (layer) *layer = L;
            return HL_OK;
        }
    }
notfound:
    return hl__fail(err, HL_ERR_NOT_FOUND, "'%s' is not a TransformerLens hook name", name);
}

HL__DEF int hl_glob_match(const char *pat, const char *s) {
    /* iterative matcher with one backtrack point for the last '*' (linear for typical patterns) */
    const char *star = NULL, *retry = NULL;
    while (*s) {
        if (*pat == '*') {
            star = ++pat;
            retry = s;
        } else if (*pat == '?' || *pat == *s) {
            pat++;
            s++;
        } else if (star) {
            pat = star;
            s = ++retry;
        } else {
            return 0;
        }
    }
    while (*pat == '*') pat++;
    return *pat == 0;
}

static int hl__is_glob(const char *s) {
    return strchr(s, '*') != NULL || strchr(s, '?') != NULL;
}
/* A registered name or filter entry against a point's name: a glob, or else the exact name. */
static int hl__name_matches(const char *pattern, const char *name) {
    return hl__is_glob(pattern) ? hl_glob_match(pattern, name) : strcmp(pattern, name) == 0;
}

/* ---- the model object ---- */
/* Weights are borrowed views into the mmapped safetensors, used in their stored dtype. What is
   copied, to f32, is small: norm weights (Gemma's "+1" applied) and biases, with TL's weight
   processing folded into them at load (hl__process). */
typedef struct hl__lin {
    const hl_tensor *w;      /* the stored matrix: [out, in] (nn.Linear), or [in, out] when in_out */
    int              in_out; /* GPT-2's Conv1D layout: y = x @ W instead of x @ W^T */
    float           *b;      /* bias [out] (owned), or NULL */
} hl__lin;
typedef struct hl__normw {
    float *w;                /* effective weight [d]: 1 + w for Gemma */
    float *b;                /* LayerNorm bias [d], or NULL (RMSNorm, or folded into the next matrices) */
} hl__normw;
typedef struct hl__layer_w {
    hl__lin   q, k, v;       /* q_proj [H*dh, d], k_proj/v_proj [G*dh, d]; or, when qkv.w is set: */
    hl__lin   qkv;           /* one fused projection: GPT-2 c_attn [d, 3d], NeoX query_key_value [3d, d] */
    hl__lin   o;             /* o_proj / c_proj / out_proj / dense [d, H*dh] */
    hl__lin   gate, in, out; /* W_gate (gated MLPs only, else .w NULL), W_in (up_proj, c_fc,
                                dense_h_to_4h) [d_mlp, d], W_out [d, d_mlp] */
    hl__normw ln1, ln2;      /* pre-attention, pre-MLP norms */
    hl__normw ln1_post, ln2_post; /* Gemma-2's post-norms, else .w NULL */
    hl__normw q_norm, k_norm;     /* Gemma-3's per-head norms [d_head], else .w NULL */
} hl__layer_w;

/* How a fused q/k/v projection lays out its outputs (the columns of x @ W_qkv):
     BLOCKS  [q | k | v], each [H, dh]         GPT-2 c_attn
     HEADS   [H, 3, dh]: q, k, v per head      NeoX query_key_value (HF GPTNeoXAttention) */
typedef enum { HL__QKV_SEPARATE, HL__QKV_BLOCKS, HL__QKV_HEADS } hl__qkv_layout;

/* Hook slots: point pt = (layer + 1) * HL_HOOK_COUNT + id (global points at layer -1), and each
   point has HL_SUB_COUNT slots: slot = pt * HL_SUB_COUNT + sub, sub 0 being the point itself. */
typedef struct hl__reg {
    int            handle;
    hl_hook_fn     fn;
    void          *user;
    unsigned char *match; /* [n_slots]: 1 where this hook applies */
} hl__reg;

typedef struct hl__splice {
    hl_hook_fn fn;
    void      *user;
    char      *sub_name[HL_SUB_COUNT]; /* the sub-points' names, while a splice is set ([0] unused) */
} hl__splice;

struct hl_model {
    hl_model_cfg       cfg;
    char              *arch_name;
    char              *path;    /* the folder it was loaded from, or NULL (from memory) */
    hl_weights        *w;
    hl_tokenizer      *tok;
    const hl__kernels *kern; /* picked once at load */
    hl__pool          *pool; /* shared with the SAEs attached to the model */
    int                n_threads;
    const hl_tensor   *embed;   /* W_E: embed_tokens / wte / embed_in [d_vocab, d] */
    const hl_tensor   *pos;     /* W_pos: wpe [n_positions, d], or NULL */
    hl__lin            unembed; /* W_U: lm_head / embed_out [d_vocab, d], or W_E when tied; bias
                                   b_U only from processing */
    hl__normw          final_norm;
    hl__layer_w       *layers;
    hl__qkv_layout     qkv_layout;
    unsigned char     *is_local; /* [n_layers] */
    int                gguf_norms; /* norm weights are stored as 1 + w (llama.cpp's Gemma GGUF) */
    int                qk_pair_rows; /* q_proj / k_proj rows in llama.cpp's rotary-pair order (Llama
                                        GGUF): see hl__qk_stored */
    unsigned           flags;    /* HL_USE_* */
    /* hook points and slots (see hl__reg) */
    int64_t            n_points, n_slots;
    const char       **pt_name;   /* [n_points] TL name, NULL where this architecture has no such point */
    char              *names;     /* the strings behind pt_name */
    hl__reg           *regs;
    size_t             n_regs, cap_regs;
    int                next_handle;
    int               *slot_users; /* [n_slots] number of hooks on the slot */
    unsigned char     *slot_want;  /* [n_slots] a hook or (sub 0) a splice wants it */
    hl__splice        *splices;    /* [n_points] */
    /* KV cache: per layer [kv_batch, kv_cap, n_kv_heads * d_head] rotated keys and values; kv_len
       rows of each sequence are filled */
    float            **kc, **vc;
    int64_t            kv_len, kv_cap, kv_batch;
    /* scratch of the last forward pass, kept for the next (see hl__scratch_take) */
    float             *scratch;
    uint64_t           scratch_cap; /* floats */
};

/* ---- config ---- */
/* The families hooklens runs, as data: what sets each apart (its math), the config.json keys that
   carry the common sizes, and its weight names. A new family is a row in each table, and a step
   variant in the forward pass only where its math is new. */
typedef enum { HL__WINDOW_NONE, HL__WINDOW_EVEN, HL__WINDOW_ALL, HL__WINDOW_TYPES, HL__WINDOW_PATTERN } hl__window_layers;
typedef enum { HL__ROPE_NONE, HL__ROPE_FULL, HL__ROPE_PARTIAL } hl__rope_kind;

/* config.json keys of the sizes every family has (NULL: the family has no such key). */
typedef struct hl__cfg_keys {
    const char *d_model, *n_layers, *n_heads, *d_mlp, *n_ctx, *eps, *act, *rope_theta, *window;
} hl__cfg_keys;
static const hl__cfg_keys hl__keys_llama = {"hidden_size", "num_hidden_layers", "num_attention_heads",
    "intermediate_size", "max_position_embeddings", "rms_norm_eps", "hidden_act", "rope_theta", "sliding_window"};
static const hl__cfg_keys hl__keys_gpt2 = {"n_embd", "n_layer", "n_head", "n_inner", "n_positions",
    "layer_norm_epsilon", "activation_function", NULL, NULL};
static const hl__cfg_keys hl__keys_gptneo = {"hidden_size", "num_layers", "num_heads", "intermediate_size",
    "max_position_embeddings", "layer_norm_epsilon", "activation_function", NULL, "window_size"};
static const hl__cfg_keys hl__keys_gptneox = {"hidden_size", "num_hidden_layers", "num_attention_heads",
    "intermediate_size", "max_position_embeddings", "layer_norm_eps", "hidden_act", "rotary_emb_base", NULL};

/* Weight names. Each is looked up with the family's prefix first, then without it (GPT-2 files
   come with and without "transformer."; lm_head and embed_out carry no prefix). Layer names are
   printf patterns of the layer. A linear layer is a base name: "<base>.weight" and, if present,
   "<base>.bias"; a norm likewise. NULL: the family has no such weight. */
typedef struct hl__wnames {
    const char *prefix, *embed, *pos, *final_norm, *unembed;
    const char *ln1, *ln1_post, *ln2, *ln2_post;
    const char *q, *k, *v, *qkv, *o, *gate, *in, *out;
    const char *q_norm, *k_norm;
} hl__wnames;
static const hl__wnames hl__wn_llama = {"model.", "embed_tokens.weight", NULL, "norm", "lm_head.weight",
    "layers.%lld.input_layernorm", NULL, "layers.%lld.post_attention_layernorm", NULL,
    "layers.%lld.self_attn.q_proj", "layers.%lld.self_attn.k_proj", "layers.%lld.self_attn.v_proj", NULL,
    "layers.%lld.self_attn.o_proj", "layers.%lld.mlp.gate_proj", "layers.%lld.mlp.up_proj",
    "layers.%lld.mlp.down_proj", NULL, NULL};
/* Gemma-2: post_attention_layernorm is the POST-norm of attention (TL ln1_post) and
   pre_feedforward_layernorm feeds the MLP (TL ln2) */
static const hl__wnames hl__wn_gemma2 = {"model.", "embed_tokens.weight", NULL, "norm", "lm_head.weight",
    "layers.%lld.input_layernorm", "layers.%lld.post_attention_layernorm", "layers.%lld.pre_feedforward_layernorm",
    "layers.%lld.post_feedforward_layernorm",
    "layers.%lld.self_attn.q_proj", "layers.%lld.self_attn.k_proj", "layers.%lld.self_attn.v_proj", NULL,
    "layers.%lld.self_attn.o_proj", "layers.%lld.mlp.gate_proj", "layers.%lld.mlp.up_proj",
    "layers.%lld.mlp.down_proj", NULL, NULL};
/* Gemma-3: Gemma-2's names plus q_norm / k_norm */
static const hl__wnames hl__wn_gemma3 = {"model.", "embed_tokens.weight", NULL, "norm", "lm_head.weight",
    "layers.%lld.input_layernorm", "layers.%lld.post_attention_layernorm", "layers.%lld.pre_feedforward_layernorm",
    "layers.%lld.post_feedforward_layernorm",
    "layers.%lld.self_attn.q_proj", "layers.%lld.self_attn.k_proj", "layers.%lld.self_attn.v_proj", NULL,
    "layers.%lld.self_attn.o_proj", "layers.%lld.mlp.gate_proj", "layers.%lld.mlp.up_proj",
    "layers.%lld.mlp.down_proj", "layers.%lld.self_attn.q_norm", "layers.%lld.self_attn.k_norm"};
static const hl__wnames hl__wn_gpt2 = {"transformer.", "wte.weight", "wpe.weight", "ln_f", "lm_head.weight",
    "h.%lld.ln_1", NULL, "h.%lld.ln_2", NULL, NULL, NULL, NULL, "h.%lld.attn.c_attn", "h.%lld.attn.c_proj",
    NULL, "h.%lld.mlp.c_fc", "h.%lld.mlp.c_proj", NULL, NULL};
static const hl__wnames hl__wn_gptneo = {"transformer.", "wte.weight", "wpe.weight", "ln_f", "lm_head.weight",
    "h.%lld.ln_1", NULL, "h.%lld.ln_2", NULL, "h.%lld.attn.attention.q_proj", "h.%lld.attn.attention.k_proj",
    "h.%lld.attn.attention.v_proj", NULL, "h.%lld.attn.attention.out_proj", NULL, "h.%lld.mlp.c_fc",
    "h.%lld.mlp.c_proj", NULL, NULL};
static const hl__wnames hl__wn_gptneox = {"gpt_neox.", "embed_in.weight", NULL, "final_layer_norm", "embed_out.weight",
    "layers.%lld.input_layernorm", NULL, "layers.%lld.post_attention_layernorm", NULL, NULL, NULL, NULL,
    "layers.%lld.attention.query_key_value", "layers.%lld.attention.dense", NULL, "layers.%lld.mlp.dense_h_to_4h",
    "layers.%lld.mlp.dense_4h_to_h", NULL, NULL};

typedef struct hl__family {
    const char         *hf_class;    /* config.json "architectures"[0] */
    hl_arch             arch;
    hl_norm_kind        norm;
    int                 gemma;       /* RMSNorm times (1 + w); embeddings times sqrt(d_model); tied
                                        head, bos 2 and eos 1, tanh-GELU by default */
    int                 softcaps;    /* attn_logit_softcapping and final_logit_softcapping */
    int                 qpas;        /* scores / sqrt(query_pre_attn_scalar) instead of sqrt(head_dim) */
    int                 unscaled;    /* scores not divided at all (HF GPT-Neo) */
    hl__rope_kind       rope;        /* rotary positions: none, every channel, or rotary_pct of them */
    int                 parallel;    /* use_parallel_residual's default (NeoX) */
    int                 gated;       /* gate_proj * up_proj MLP */
    int                 tied;        /* tie_word_embeddings' default */
    int                 in_out;      /* Conv1D weights stored [in, out] (GPT-2) */
    hl__qkv_layout      qkv;
    hl__window_layers   window;      /* which layers use the sliding window */
    int64_t             window_dflt; /* the window when config.json has none */
    int64_t             n_ctx_dflt;
    int32_t             bos, eos;    /* defaults of bos_token_id / eos_token_id */
    const char         *act_dflt;
    const hl__cfg_keys *keys;
    const hl__wnames   *names;
} hl__family;
static const hl__family hl__families[] = {
    /* HF class              arch             norm         gemma softcap qpas unscaled rope              parallel gated tied in_out qkv layout
         window            window n_ctx  bos    eos    activation           config keys        weight names */
    {"Gemma2ForCausalLM",   HL_ARCH_GEMMA2,  HL_NORM_RMS, 1,    1,      1,   0,       HL__ROPE_FULL,    0,       1,    1,   0,     HL__QKV_SEPARATE,
         HL__WINDOW_EVEN,  4096,  8192,  2,     1,     "gelu_pytorch_tanh", &hl__keys_llama,   &hl__wn_gemma2},
    {"GemmaForCausalLM",    HL_ARCH_GEMMA,   HL_NORM_RMS, 1,    0,      0,   0,       HL__ROPE_FULL,    0,       1,    1,   0,     HL__QKV_SEPARATE,
         HL__WINDOW_NONE,  0,     8192,  2,     1,     "gelu_pytorch_tanh", &hl__keys_llama,   &hl__wn_llama},
    {"LlamaForCausalLM",    HL_ARCH_LLAMA,   HL_NORM_RMS, 0,    0,      0,   0,       HL__ROPE_FULL,    0,       1,    0,   0,     HL__QKV_SEPARATE,
         HL__WINDOW_NONE,  0,     8192,  1,     2,     "silu",              &hl__keys_llama,   &hl__wn_llama},
    {"MistralForCausalLM",  HL_ARCH_MISTRAL, HL_NORM_RMS, 0,    0,      0,   0,       HL__ROPE_FULL,    0,       1,    0,   0,     HL__QKV_SEPARATE,
         HL__WINDOW_ALL,   0,     8192,  1,     2,     "silu",              &hl__keys_llama,   &hl__wn_llama},
    {"GPT2LMHeadModel",     HL_ARCH_GPT2,    HL_NORM_LN,  0,    0,      0,   0,       HL__ROPE_NONE,    0,       0,    1,   1,     HL__QKV_BLOCKS,
         HL__WINDOW_NONE,  0,     1024,  50256, 50256, "gelu_new",          &hl__keys_gpt2,    &hl__wn_gpt2},
    {"GPTNeoForCausalLM",   HL_ARCH_GPTNEO,  HL_NORM_LN,  0,    0,      0,   1,       HL__ROPE_NONE,    0,       0,    1,   0,     HL__QKV_SEPARATE,
         HL__WINDOW_TYPES, 256,   2048,  50256, 50256, "gelu_new",          &hl__keys_gptneo,  &hl__wn_gptneo},
    {"GPTNeoXForCausalLM",  HL_ARCH_GPTNEOX, HL_NORM_LN,  0,    0,      0,   0,       HL__ROPE_PARTIAL, 1,       0,    0,   0,     HL__QKV_HEADS,
         HL__WINDOW_NONE,  0,     2048,  0,     0,     "gelu",              &hl__keys_gptneox, &hl__wn_gptneox},
    {"Gemma3ForCausalLM",   HL_ARCH_GEMMA3,  HL_NORM_RMS, 1,    0,      1,   0,       HL__ROPE_FULL,    0,       1,    1,   0,     HL__QKV_SEPARATE,
         HL__WINDOW_PATTERN, 4096, 32768, 2,     1,     "gelu_pytorch_tanh", &hl__keys_llama,   &hl__wn_gemma3},
};
#define HL__N_FAMILIES (sizeof hl__families / sizeof hl__families[0])

static hl_status hl__cfg_int(const hl_json *root, const char *path, const char *key, int64_t *out,
                             hl_error *err) {
    const hl_json *v = hl_json_get(root, key);
    if (!v) return hl__fail(err, HL_ERR_FORMAT, "%s: missing required key \"%s\"", path, key);
    if (v->type != HL_JSON_NUMBER || !v->is_int || v->i64 <= 0 || v->i64 > ((int64_t)1 << 40))
        return hl__fail(err, HL_ERR_FORMAT, "%s: \"%s\" must be a positive integer", path, key);
    *out = v->i64;
    return HL_OK;
}
/* Optional positive integer: absent or null -> dflt. */
static hl_status hl__cfg_int_opt(const hl_json *root, const char *path, const char *key,
                                 int64_t dflt, int64_t *out, hl_error *err) {
    const hl_json *v = hl_json_get(root, key);
    if (!v || v->type == HL_JSON_NULL) {
        *out = dflt;
        return HL_OK;
    }
    return hl__cfg_int(root, path, key, out, err);
}
/* Optional number: absent or null -> dflt. */
static hl_status hl__cfg_num_opt(const hl_json *root, const char *path, const char *key,
                                 double dflt, double *out, hl_error *err) {
    const hl_json *v = hl_json_get(root, key);
    if (!v || v->type == HL_JSON_NULL) {
        *out = dflt;
        return HL_OK;
    }
    if (v->type != HL_JSON_NUMBER)
        return hl__fail(err, HL_ERR_FORMAT, "%s: \"%s\" must be a number", path, key);
    *out = v->num;
    return HL_OK;
}
/* A token id key: absent/null -> -1; a list takes its first element (HF allows eos lists). */
static int32_t hl__cfg_tok(const hl_json *root, const char *key, int32_t dflt) {
    const hl_json *v = hl_json_get(root, key);
    if (v && v->type == HL_JSON_ARRAY) v = hl_json_at(v, 0);
    if (!v || v->type != HL_JSON_NUMBER || !v->is_int || v->i64 < 0 || v->i64 > INT32_MAX)
        return dflt;
    return (int32_t)v->i64;
}

/* The activation's name, as HF spells it, to hl_act_fn. Gemma's legacy "gelu" means tanh-GELU (HF
   and Google use it for Gemma-1 even when the legacy key says "gelu", HF PR #29402). */
static hl_status hl__cfg_act(hl_model_cfg *c, const hl__family *f, const hl_json *root, const char *path,
                             hl_error *err) {
    const char *act = hl_json_str(hl_json_get(root, "hidden_activation"), NULL); /* Gemma's key first */
    if (!act) act = hl_json_str(hl_json_get(root, f->keys->act), f->act_dflt);
    if (strcmp(act, "gelu_pytorch_tanh") == 0 || strcmp(act, "gelu_new") == 0 || (f->gemma && strcmp(act, "gelu") == 0))
        c->act = HL_ACT_GELU_TANH;
    else if (strcmp(act, "gelu") == 0)
        c->act = HL_ACT_GELU;
    else if (strcmp(act, "silu") == 0 || strcmp(act, "swish") == 0)
        c->act = HL_ACT_SILU;
    else if (strcmp(act, "relu") == 0)
        c->act = HL_ACT_RELU;
    else
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: activation \"%s\" is not supported (gelu_new, gelu_pytorch_tanh, "
                        "gelu, silu, relu)", path, act);
    return HL_OK;
}

/* The sizes and keys every family has, under the family's key names: width, layers, heads (GQA),
   head_dim, d_mlp, vocab, n_ctx, the norm's eps, the activation and the special token ids. */
static hl_status hl__cfg_common(hl_model_cfg *c, const hl__family *f, const hl_json *root, const char *path,
                                const hl_model_desc *d, hl_error *err) {
    const hl__cfg_keys *k = f->keys;
    hl_status st;
    double num = 0;
    if ((st = hl__cfg_int(root, path, k->d_model, &c->d_model, err)) != HL_OK) return st;
    if ((st = hl__cfg_int(root, path, k->n_layers, &c->n_layers, err)) != HL_OK) return st;
    if (c->n_layers > 65536) /* per-layer tables are allocated from it before any weight is seen */
        return hl__fail(err, HL_ERR_FORMAT, "%s: \"%s\" %lld is more than 65536 layers", path, k->n_layers, (long long)c->n_layers);
    if ((st = hl__cfg_int(root, path, k->n_heads, &c->n_heads, err)) != HL_OK) return st;
    /* LayerNorm families: d_mlp = 4 d_model when the key is null (GPT-2 n_inner, GPT-Neo) */
    if (f->norm == HL_NORM_LN) {
        if ((st = hl__cfg_int_opt(root, path, k->d_mlp, 4 * c->d_model, &c->d_mlp, err)) != HL_OK) return st;
    } else if ((st = hl__cfg_int(root, path, k->d_mlp, &c->d_mlp, err)) != HL_OK) {
        return st;
    }
    if ((st = hl__cfg_int(root, path, "vocab_size", &c->d_vocab, err)) != HL_OK) return st;
    if ((st = hl__cfg_int_opt(root, path, "num_key_value_heads", c->n_heads, &c->n_kv_heads, err)) != HL_OK) return st;
    if (c->d_model % c->n_heads != 0 && !hl_json_get(root, "head_dim"))
        return hl__fail(err, HL_ERR_FORMAT, "%s: %s %lld is not divisible by %s %lld and head_dim is missing",
                        path, k->d_model, (long long)c->d_model, k->n_heads, (long long)c->n_heads);
    if ((st = hl__cfg_int_opt(root, path, "head_dim", c->d_model / c->n_heads, &c->d_head, err)) != HL_OK) return st;
    if (c->n_heads % c->n_kv_heads != 0)
        return hl__fail(err, HL_ERR_FORMAT, "%s: %s %lld is not a multiple of num_key_value_heads %lld",
                        path, k->n_heads, (long long)c->n_heads, (long long)c->n_kv_heads);
    if ((st = hl__cfg_int_opt(root, path, k->n_ctx, f->n_ctx_dflt, &c->n_ctx, err)) != HL_OK) return st;
    if (d->n_ctx > 0) c->n_ctx = d->n_ctx;
    if ((st = hl__cfg_num_opt(root, path, k->eps, f->norm == HL_NORM_LN ? 1e-5 : 1e-6, &num, err)) != HL_OK) return st;
    if (!(num > 0 && num < 1)) return hl__fail(err, HL_ERR_FORMAT, "%s: %s %g is out of range", path, k->eps, num);
    c->eps = (float)num;
    if ((st = hl__cfg_act(c, f, root, path, err)) != HL_OK) return st;
    c->bos_id = hl__cfg_tok(root, "bos_token_id", f->bos);
    c->eos_id = hl__cfg_tok(root, "eos_token_id", f->eos);
    c->pad_id = hl__cfg_tok(root, "pad_token_id", -1);
    c->default_prepend_bos = 1; /* TL: BOS (<|endoftext|> for GPT-2/Neo/NeoX) is prepended */
    /* tie_word_embeddings: resolved against the weights (lm_head present or not) in hl__bind_weights */
    c->tied = hl_json_bool(hl_json_get(root, "tie_word_embeddings"), f->tied);
    return HL_OK;
}

/* Positions: learned (W_pos), or rotary on rotary_dim channels of each head, with the base
   rope_theta / rotary_emb_base. NeoX turns rotary_pct of each head: HF's int(d_head * rotary_pct). */
static hl_status hl__cfg_positions(hl_model_cfg *c, const hl__family *f, const hl_json *root, const char *path,
                                   hl_error *err) {
    hl_status st;
    double num = 0;
    c->learned_pos = f->rope == HL__ROPE_NONE;
    if (f->rope == HL__ROPE_NONE) return HL_OK;
    if (hl_json_get(root, "rope_scaling") && hl_json_get(root, "rope_scaling")->type != HL_JSON_NULL)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: \"rope_scaling\" is not supported yet", path);
    if ((st = hl__cfg_num_opt(root, path, f->keys->rope_theta, 10000.0, &num, err)) != HL_OK) return st;
    if (!(num > 1)) return hl__fail(err, HL_ERR_FORMAT, "%s: %s %g must be > 1", path, f->keys->rope_theta, num);
    c->rope_theta = (float)num;
    c->rotary_dim = c->d_head;
    if (f->rope == HL__ROPE_PARTIAL) {
        if ((st = hl__cfg_num_opt(root, path, "rotary_pct", 0.25, &num, err)) != HL_OK) return st;
        if (!(num > 0 && num <= 1))
            return hl__fail(err, HL_ERR_FORMAT, "%s: rotary_pct %g must be in (0, 1]", path, num);
        c->rotary_dim = (int64_t)((double)c->d_head * num);
    }
    if (c->rotary_dim <= 0 || c->rotary_dim % 2 != 0)
        return hl__fail(err, HL_ERR_FORMAT, "%s: rotary embeddings need an even, nonzero number of channels per head "
                        "(head_dim %lld gives %lld)", path, (long long)c->d_head, (long long)c->rotary_dim);
    return HL_OK;
}

/* What the family row says, and its own keys: the norm (1 + w), the embedding scale, the
   post-norms, the score scale (query_pre_attn_scalar, or none for GPT-Neo), the soft-caps, the
   block layout, the sliding window. */
static hl_status hl__cfg_family(hl_model_cfg *c, const hl__family *f, const hl_json *root, const char *path,
                                hl_error *err) {
    hl_status st;
    double num = 0;
    int64_t qpas = 0;
    c->arch = f->arch;
    c->norm = f->norm;
    c->norm_plus_one = f->gemma;
    c->embed_scale = f->gemma;
    c->post_norms = f->names->ln1_post != NULL;
    c->gated = f->gated;
    c->parallel = hl_json_bool(hl_json_get(root, "use_parallel_residual"), f->parallel);
    c->attn_scale = f->unscaled ? 1.0f : sqrtf((float)c->d_head);
    if (f->qpas) {
        if ((st = hl__cfg_int_opt(root, path, "query_pre_attn_scalar", 256, &qpas, err)) != HL_OK) return st;
        c->attn_scale = sqrtf((float)qpas);
    }
    if (f->softcaps) {
        if ((st = hl__cfg_num_opt(root, path, "attn_logit_softcapping", 0.0, &num, err)) != HL_OK) return st;
        c->attn_softcap = (float)num;
        if ((st = hl__cfg_num_opt(root, path, "final_logit_softcapping", 0.0, &num, err)) != HL_OK) return st;
        c->final_softcap = (float)num;
        if (c->attn_softcap < 0 || c->final_softcap < 0)
            return hl__fail(err, HL_ERR_FORMAT, "%s: softcapping values must be >= 0", path);
    }
    if (f->qkv == HL__QKV_HEADS && c->n_kv_heads != c->n_heads)
        return hl__fail(err, HL_ERR_FORMAT, "%s: num_key_value_heads %lld: a fused per-head q/k/v projection has one k "
                        "and one v head per query head (%lld)", path, (long long)c->n_kv_heads, (long long)c->n_heads);
    if (f->norm == HL_NORM_RMS && (hl_json_bool(hl_json_get(root, "attention_bias"), 0) ||
                                   hl_json_bool(hl_json_get(root, "mlp_bias"), 0)))
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: attention_bias / mlp_bias = true is not supported", path);
    if ((st = hl__cfg_positions(c, f, root, path, err)) != HL_OK) return st;
    c->qk_norm = f->names->q_norm != NULL;
    c->rope_scale = 1.0f;
    if (f->arch == HL_ARCH_GEMMA3) { /* HF Gemma3TextConfig: the sliding layers' own rotary base, and
                                        linear rope_scaling of the global layers (4B and larger) */
        const hl_json *rs = hl_json_get(root, "rope_scaling");
        if ((st = hl__cfg_num_opt(root, path, "rope_local_base_freq", 10000.0, &num, err)) != HL_OK) return st;
        if (!(num > 1)) return hl__fail(err, HL_ERR_FORMAT, "%s: rope_local_base_freq %g must be > 1", path, num);
        c->rope_local_theta = (float)num;
        if (rs && rs->type == HL_JSON_OBJECT) {
            const char *ty = hl_json_str(hl_json_get(rs, "rope_type"), hl_json_str(hl_json_get(rs, "type"), ""));
            double fac = hl_json_num(hl_json_get(rs, "factor"), 0);
            if (strcmp(ty, "linear") != 0 || !(fac >= 1 && fac <= 1e6))
                return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: rope_scaling must be {\"rope_type\": \"linear\", \"factor\" >= 1}",
                                path);
            c->rope_scale = (float)fac;
        } else if (rs && rs->type != HL_JSON_NULL) {
            return hl__fail(err, HL_ERR_FORMAT, "%s: rope_scaling must be an object or null", path);
        }
    }
    if (f->window != HL__WINDOW_NONE)
        return hl__cfg_int_opt(root, path, f->keys->window, f->window_dflt, &c->window, err);
    return HL_OK;
}

/* GPT-Neo's attention_types, [[["global", "local"], 2], ...]: each entry a list of types repeated
   n times, concatenated, one type per layer (HF GPTNeoConfig.expand_attention_types_params). */
static hl_status hl__cfg_attention_types(hl_model *m, const hl_json *at, const char *path, hl_error *err) {
    const int64_t L = m->cfg.n_layers;
    int64_t i = 0, r, rep;
    size_t e, t;
    if (!at || at->type != HL_JSON_ARRAY)
        return hl__fail(err, HL_ERR_FORMAT, "%s: \"attention_types\" must be a list of [types, repeat] pairs", path);
    for (e = 0; e < at->len; e++) {
        const hl_json *pair = hl_json_at(at, e), *types = hl_json_at(pair, 0);
        rep = hl_json_int(hl_json_at(pair, 1), -1);
        if (!types || types->type != HL_JSON_ARRAY || rep < 0 || rep > L)
            return hl__fail(err, HL_ERR_FORMAT, "%s: attention_types[%llu] must be [[\"global\"|\"local\", ...], repeat]",
                            path, (unsigned long long)e);
        for (r = 0; r < rep; r++)
            for (t = 0; t < types->len; t++) {
                const char *ty = hl_json_str(hl_json_at(types, t), "");
                if (strcmp(ty, "global") != 0 && strcmp(ty, "local") != 0)
                    return hl__fail(err, HL_ERR_FORMAT, "%s: attention type \"%s\" is neither \"global\" nor \"local\"", path, ty);
                if (i >= L)
                    return hl__fail(err, HL_ERR_FORMAT, "%s: attention_types name more layers than %s %lld", path,
                                    "num_layers", (long long)L);
                m->is_local[i++] = strcmp(ty, "local") == 0;
            }
    }
    if (i != L)
        return hl__fail(err, HL_ERR_FORMAT, "%s: attention_types name %lld layers, num_layers is %lld", path, (long long)i,
                        (long long)L);
    return HL_OK;
}

/* Which layers use the sliding window:
     Gemma-2 (HF, Google, TL >= 3.7.3): layer_types[i] == "sliding_attention" if given, else EVEN layers.
     Gemma-3 (HF Gemma3TextConfig): layer_types if given, else layer i is global iff (i + 1) is a
     multiple of sliding_window_pattern (default 6: layers 5, 11, 17, ...).
     Mistral (HF): every layer when sliding_window is set.
     GPT-Neo: the layers attention_types calls "local". */
static hl_status hl__cfg_window_layers(hl_model *m, const hl__family *f, const hl_json *root, const char *path,
                                       hl_error *err) {
    const int64_t L = m->cfg.n_layers;
    const hl_json *lt = hl_json_get(root, "layer_types");
    int64_t i;
    if (!(m->is_local = (unsigned char *)hl__calloc((size_t)L, 1))) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
    if (m->cfg.window <= 0 || f->window == HL__WINDOW_NONE) return HL_OK;
    if (f->window == HL__WINDOW_TYPES) return hl__cfg_attention_types(m, hl_json_get(root, "attention_types"), path, err);
    if (f->window == HL__WINDOW_ALL) {
        for (i = 0; i < L; i++) m->is_local[i] = 1;
    } else if (f->window == HL__WINDOW_PATTERN && !(lt && lt->type == HL_JSON_ARRAY)) {
        /* Gemma-3 without layer_types: sliding_window_pattern (default 6) - every sixth layer global */
        int64_t pat = 6;
        hl_status st = hl__cfg_int_opt(root, path, "sliding_window_pattern", 6, &pat, err);
        if (st != HL_OK) return st;
        for (i = 0; i < L; i++) m->is_local[i] = (unsigned char)((i + 1) % pat != 0);
    } else if (lt && lt->type == HL_JSON_ARRAY) {
        if ((int64_t)lt->len != L)
            return hl__fail(err, HL_ERR_FORMAT, "%s: layer_types has %llu entries, num_hidden_layers is %lld", path,
                            (unsigned long long)lt->len, (long long)L);
        for (i = 0; i < L; i++) m->is_local[i] = strcmp(hl_json_str(hl_json_at(lt, (size_t)i), ""), "sliding_attention") == 0;
    } else {
        for (i = 0; i < L; i++) m->is_local[i] = (unsigned char)(i % 2 == 0);
    }
    return HL_OK;
}

/* TL's weight processing for this model (see HL_PROC_*): what TL's from_pretrained applies to its
   norm kind, minus what desc leaves out. */
static unsigned hl__cfg_processing(const hl_model_cfg *c, const hl_model_desc *d) {
    unsigned p = HL_PROC_FOLD_LN | HL_PROC_CENTER_UNEMBED;
    if (d->no_processing) return 0;
    if (c->norm == HL_NORM_LN) p |= HL_PROC_CENTER_WRITING_WEIGHTS | HL_PROC_FOLD_VALUE_BIASES;
    if (c->final_softcap > 0.0f) p &= ~(unsigned)HL_PROC_CENTER_UNEMBED; /* TL: softcap is not shift-invariant */
    return p & ~d->skip_processing;
}

/* Parses config.json into m->cfg (and m->is_local): the family from "architectures", then its keys.
   Every check names the key that failed. */
static hl_status hl__parse_config(hl_model *m, const char *path, const char *text, size_t len,
                                  const hl_model_desc *d, const hl__family **fam, hl_error *err) {
    hl_json_doc *doc = NULL;
    const hl_json *root;
    const char *arch;
    const hl__family *f = NULL;
    hl_status st;
    size_t k;
    if ((st = hl_json_parse(text, len, &doc, err)) != HL_OK) return hl__wrap(err, st, path);
    root = hl_json_root(doc);
    arch = hl_json_str(hl_json_at(hl_json_get(root, "architectures"), 0), NULL);
    if (!root || root->type != HL_JSON_OBJECT) {
        st = hl__fail(err, HL_ERR_FORMAT, "%s: expected a JSON object", path);
    } else if (!arch) {
        st = hl__fail(err, HL_ERR_FORMAT, "%s: missing \"architectures\" (a list of one string)", path);
    } else {
        for (k = 0; k < HL__N_FAMILIES && !f; k++)
            if (strcmp(arch, hl__families[k].hf_class) == 0) f = &hl__families[k];
        if (!f) {
            char list[512] = "";
            for (k = 0; k < HL__N_FAMILIES; k++) snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                                                          k ? ", " : "", hl__families[k].hf_class);
            st = hl__fail(err, HL_ERR_UNSUPPORTED, "%s: architecture \"%s\" is not supported (supported: %s)", path, arch,
                          list);
        } else if (!(m->arch_name = hl__strdup(arch))) {
            st = hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
        } else {
            m->cfg.architecture = m->arch_name;
            m->qkv_layout = f->qkv;
            st = hl__cfg_common(&m->cfg, f, root, path, d, err);
            if (st == HL_OK) st = hl__cfg_family(&m->cfg, f, root, path, err);
            if (st == HL_OK) st = hl__cfg_window_layers(m, f, root, path, err);
            m->cfg.processing = hl__cfg_processing(&m->cfg, d);
            *fam = f;
        }
    }
    hl_json_free(doc);
    return st;
}

/* ---- weights ---- */
/* Finds a weight by the family's name for it: with the family's prefix, else as given. */
static const hl_tensor *hl__wfind(const hl_model *m, const hl__wnames *wn, const char *name, char *full, size_t cap) {
    const hl_tensor *t;
    snprintf(full, cap, "%s%s", wn->prefix, name);
    if ((t = hl_weights_find(m->w, full)) != NULL) return t;
    snprintf(full, cap, "%s", name);
    return hl_weights_find(m->w, name);
}

/* Finds a weight and checks its dtype (F32/BF16/F16) and 2-D shape [rows, cols] (cols 0 = 1-D).
   optional: a missing tensor is *out = NULL rather than an error. */
static hl_status hl__bind(hl_model *m, const hl__wnames *wn, const char *name, int64_t rows, int64_t cols, int optional,
                          const hl_tensor **out, hl_error *err) {
    char full[192];
    const hl_tensor *t = hl__wfind(m, wn, name, full, sizeof full);
    *out = NULL;
    if (!t && optional) return HL_OK;
    if (!t) return hl__fail(err, HL_ERR_FORMAT, "weights: missing tensor '%s%s'", wn->prefix, name);
    if (t->dtype != HL_DTYPE_F32 && t->dtype != HL_DTYPE_BF16 && t->dtype != HL_DTYPE_F16 &&
        !(hl_dtype_is_quantized(t->dtype) && cols > 0))
        return hl__fail(err, HL_ERR_UNSUPPORTED, "weights: tensor '%s' has dtype %s (F32, BF16, F16, and the GGUF "
                        "quantized types for matrices, are supported)", full, hl_dtype_name(t->dtype));
    if (cols == 0) {
        if (t->ndim != 1 || t->shape[0] != rows)
            return hl__fail(err, HL_ERR_SHAPE, "weights: tensor '%s' has shape [%lld%s], config.json implies [%lld]",
                            full, (long long)(t->ndim > 0 ? t->shape[0] : 0), t->ndim > 1 ? ", ..." : "", (long long)rows);
    } else if (t->ndim != 2 || t->shape[0] != rows || t->shape[1] != cols) {
        return hl__fail(err, HL_ERR_SHAPE, "weights: tensor '%s' has shape [%lld, %lld] (ndim %d), config.json implies [%lld, %lld]",
                        full, (long long)(t->ndim > 0 ? t->shape[0] : 0), (long long)(t->ndim > 1 ? t->shape[1] : 0),
                        t->ndim, (long long)rows, (long long)cols);
    }
    *out = t;
    return HL_OK;
}

/* A 1-D weight [n] copied to f32, plus `add` (Gemma's norm: 1 + w, computed in f32). */
static hl_status hl__vec_f32(const hl_tensor *t, int64_t n, float add, float **out, hl_error *err) {
    int64_t i;
    float *w = (float *)hl__malloc((size_t)n * sizeof(float));
    if (!w) return hl__fail(err, HL_ERR_OOM, "weights: out of memory");
    for (i = 0; i < n; i++) w[i] = add + hl_tensor_get_f32(t, i);
    *out = w;
    return HL_OK;
}

/* A norm "<base>.weight" [d] (and for LayerNorm "<base>.bias"), layer l substituted in base; d is
   d_model, or d_head for Gemma-3's q_norm / k_norm. Gemma's (1 + w) is made here, unless the file
   stores 1 + w already (llama.cpp's GGUF converter does: gguf_norms). */
static hl_status hl__bind_norm_n(hl_model *m, const hl__wnames *wn, const char *base, int64_t l, int64_t d,
                                 hl__normw *out, hl_error *err) {
    char pat[160], nm[160];
    const hl_tensor *t;
    hl_status st;
    snprintf(pat, sizeof pat, "%s.weight", base);
    snprintf(nm, sizeof nm, pat, (long long)l);
    if ((st = hl__bind(m, wn, nm, d, 0, 0, &t, err)) != HL_OK) return st;
    if ((st = hl__vec_f32(t, d, m->cfg.norm_plus_one && !m->gguf_norms ? 1.0f : 0.0f, &out->w, err)) != HL_OK) return st;
    if (m->cfg.norm != HL_NORM_LN) return HL_OK;
    snprintf(pat, sizeof pat, "%s.bias", base);
    snprintf(nm, sizeof nm, pat, (long long)l);
    if ((st = hl__bind(m, wn, nm, d, 0, 0, &t, err)) != HL_OK) return st;
    return hl__vec_f32(t, d, 0.0f, &out->b, err);
}
static hl_status hl__bind_norm(hl_model *m, const hl__wnames *wn, const char *base, int64_t l, hl__normw *out,
                               hl_error *err) {
    return hl__bind_norm_n(m, wn, base, l, m->cfg.d_model, out, err);
}

/* A linear layer "<base>.weight" mapping n_in to n_out features (stored [n_out, n_in], or
   [n_in, n_out] when in_out) and its optional "<base>.bias" [n_out]. */
static hl_status hl__bind_lin(hl_model *m, const hl__wnames *wn, const char *base, int64_t l, int64_t n_out,
                              int64_t n_in, int in_out, hl__lin *out, hl_error *err) {
    char pat[160], nm[160];
    const hl_tensor *b;
    hl_status st;
    snprintf(pat, sizeof pat, "%s.weight", base);
    snprintf(nm, sizeof nm, pat, (long long)l);
    out->in_out = in_out;
    if ((st = hl__bind(m, wn, nm, in_out ? n_in : n_out, in_out ? n_out : n_in, 0, &out->w, err)) != HL_OK) return st;
    snprintf(pat, sizeof pat, "%s.bias", base);
    snprintf(nm, sizeof nm, pat, (long long)l);
    if ((st = hl__bind(m, wn, nm, n_out, 0, 1, &b, err)) != HL_OK || !b) return st;
    return hl__vec_f32(b, n_out, 0.0f, &out->b, err);
}

/* Binds every tensor the architecture needs, checking shapes against the config. */
static hl_status hl__bind_weights(hl_model *m, const hl__family *f, hl_error *err) {
    const hl_model_cfg *c = &m->cfg;
    const hl__wnames *wn = f->names;
    const int64_t d = c->d_model, H = c->n_heads, G = c->n_kv_heads, dh = c->d_head, dm = c->d_mlp;
    const int io = f->in_out;
    int64_t l;
    hl_status st;
    const hl_tensor *lm;
    if ((st = hl__bind(m, wn, wn->embed, c->d_vocab, d, 0, &m->embed, err)) != HL_OK) return st;
    m->cfg.weight_dtype = m->embed->dtype;
    if (c->learned_pos) { /* W_pos [n_positions, d]: a row for every position n_ctx allows */
        char full[192];
        const hl_tensor *t = hl__wfind(m, wn, wn->pos, full, sizeof full);
        if ((st = hl__bind(m, wn, wn->pos, t && t->ndim == 2 ? t->shape[0] : 0, d, 0, &m->pos, err)) != HL_OK) return st;
        if (m->pos->shape[0] < c->n_ctx)
            return hl__fail(err, HL_ERR_SHAPE, "weights: '%s' has %lld positions, fewer than n_ctx %lld", full,
                            (long long)m->pos->shape[0], (long long)c->n_ctx);
    }
    if ((st = hl__bind_norm(m, wn, wn->final_norm, -1, &m->final_norm, err)) != HL_OK) return st;
    if ((st = hl__bind(m, wn, wn->unembed, c->d_vocab, d, 1, &lm, err)) != HL_OK) return st;
    if (!lm && !c->tied) return hl__fail(err, HL_ERR_FORMAT, "weights: tie_word_embeddings is false but '%s' is missing",
                                         wn->unembed);
    m->unembed.w = lm && !c->tied ? lm : m->embed; /* tied: logits = x_hat @ W_E^T */
    if ((uint64_t)c->n_layers > (uint64_t)hl_weights_count(m->w)) /* every layer has tensors: no absurd allocation */
        return hl__fail(err, HL_ERR_SHAPE, "weights: the config has %lld layers, the weights only %zu tensors", (long long)c->n_layers,
                        hl_weights_count(m->w));
    m->layers = (hl__layer_w *)hl__calloc((size_t)c->n_layers, sizeof(hl__layer_w));
    if (!m->layers) return hl__fail(err, HL_ERR_OOM, "weights: out of memory");
    for (l = 0; l < c->n_layers; l++) {
        hl__layer_w *lw = &m->layers[l];
        if ((st = hl__bind_norm(m, wn, wn->ln1, l, &lw->ln1, err)) != HL_OK) return st;
        if ((st = hl__bind_norm(m, wn, wn->ln2, l, &lw->ln2, err)) != HL_OK) return st;
        if (c->post_norms) {
            if ((st = hl__bind_norm(m, wn, wn->ln1_post, l, &lw->ln1_post, err)) != HL_OK) return st;
            if ((st = hl__bind_norm(m, wn, wn->ln2_post, l, &lw->ln2_post, err)) != HL_OK) return st;
        }
        if (c->qk_norm) {
            if ((st = hl__bind_norm_n(m, wn, wn->q_norm, l, dh, &lw->q_norm, err)) != HL_OK) return st;
            if ((st = hl__bind_norm_n(m, wn, wn->k_norm, l, dh, &lw->k_norm, err)) != HL_OK) return st;
        }
        if (wn->qkv) {
            if ((st = hl__bind_lin(m, wn, wn->qkv, l, (H + 2 * G) * dh, d, io, &lw->qkv, err)) != HL_OK) return st;
        } else {
            if ((st = hl__bind_lin(m, wn, wn->q, l, H * dh, d, io, &lw->q, err)) != HL_OK) return st;
            if ((st = hl__bind_lin(m, wn, wn->k, l, G * dh, d, io, &lw->k, err)) != HL_OK) return st;
            if ((st = hl__bind_lin(m, wn, wn->v, l, G * dh, d, io, &lw->v, err)) != HL_OK) return st;
        }
        if ((st = hl__bind_lin(m, wn, wn->o, l, d, H * dh, io, &lw->o, err)) != HL_OK) return st;
        if (c->gated && (st = hl__bind_lin(m, wn, wn->gate, l, dm, d, io, &lw->gate, err)) != HL_OK) return st;
        if ((st = hl__bind_lin(m, wn, wn->in, l, dm, d, io, &lw->in, err)) != HL_OK) return st;
        if ((st = hl__bind_lin(m, wn, wn->out, l, d, dm, io, &lw->out, err)) != HL_OK) return st;
    }
    return HL_OK;
}

/* y[r, j] += b[j] for rows r of width n (b NULL: nothing). */
static void hl__add_bias(float *y, const float *b, int64_t rows, int64_t n) {
    int64_t r, j;
    if (b)
        for (r = 0; r < rows; r++)
            for (j = 0; j < n; j++) y[r * n + j] += b[j];
}

/* y[rows, out] = x[rows, in] @ W (^T for nn.Linear) + b: the one way every step applies a linear
   layer (the q/k/v and gate/up pairs share one pool pass: hl__matmul_multi). */
static void hl__lin_apply(const hl_model *m, const hl__lin *L, const float *x, int64_t rows, float *y) {
    const int64_t n_out = L->in_out ? L->w->shape[1] : L->w->shape[0], n_in = L->in_out ? L->w->shape[0] : L->w->shape[1];
    if (L->in_out) hl__matmul_nn(m->kern, m->pool, y, x, L->w->data, L->w->dtype, rows, n_out, n_in);
    else hl__matmul(m->kern, m->pool, y, x, L->w->data, L->w->dtype, rows, n_out, n_in);
    hl__add_bias(y, L->b, rows, n_out);
}

/* FOLD_LN for a LayerNorm's bias beta [d] (TL fold_layer_norm): the norm's output x_hat * w + beta
   feeds L, so L's bias becomes b + beta @ W (the product of beta with W: one row through the same
   linear layer) and the norm keeps only its weight. (TL also folds w into W; hooklens multiplies
   x_hat by w in the step instead, the same product without a second copy of W. TL then centres
   W over d_model: x_hat has zero mean, so that changes no product.) */
static hl_status hl__fold_bias(const hl_model *m, hl__lin *L, const float *beta, hl_error *err) {
    const int64_t n_out = L->in_out ? L->w->shape[1] : L->w->shape[0];
    float *nb = (float *)hl__malloc((size_t)n_out * sizeof(float));
    if (!nb) return hl__fail(err, HL_ERR_OOM, "weight processing: out of memory");
    hl__lin_apply(m, L, beta, 1, nb);
    hl__free(L->b);
    L->b = nb;
    return HL_OK;
}

/* The first of the dh output columns of (stream s: 0 q, 1 k, 2 v; head h) in a q/k/v projection:
   in the fused output for BLOCKS and HEADS (see hl__qkv_layout), in stream s's own weight for
   SEPARATE. */
static int64_t hl__qkv_col(const hl_model *m, int s, int64_t h) {
    const int64_t H = m->cfg.n_heads, G = m->cfg.n_kv_heads, dh = m->cfg.d_head;
    switch (m->qkv_layout) {
    case HL__QKV_BLOCKS: return (s == 0 ? h : H + (s - 1) * G + h) * dh;
    case HL__QKV_HEADS: return (h * 3 + s) * dh;
    default: return h * dh;
    }
}

/* llama.cpp's Llama GGUF files store the rows of q_proj and k_proj (and their biases) reordered
   within each head, so that llama.cpp's rotary can turn adjacent pairs (convert_hf_to_gguf.py,
   LlamaModel.permute, with n_head for q_proj and n_head_kv for k_proj):
       W_stored = W.reshape(heads, 2, dh/2, d).swapaxes(1, 2).reshape(heads * dh, d)
   i.e. row 2i + half of a head is Hugging Face row half * dh/2 + i (i < dh/2, half 0 or 1).
   Rows are independent (also quantized ones: a block never spans rows), so x W_stored^T is
   x W^T with its columns permuted within each head, and Hugging Face's column j of a head is the
   stored column hl__qk_stored(j, dh). */
static int64_t hl__qk_stored(int64_t j, int64_t dh) {
    return j < dh / 2 ? 2 * j : 2 * (j - dh / 2) + 1;
}
/* y [rows, dh] (rows = positions x heads) from the stored column order to Hugging Face's:
   y[r, j] = y_stored[r, hl__qk_stored(j, dh)]; tmp holds rows * dh floats. */
static void hl__qk_unpermute(float *y, int64_t rows, int64_t dh, float *tmp) {
    int64_t r, j;
    memcpy(tmp, y, (size_t)(rows * dh) * sizeof(float));
    for (r = 0; r < rows; r++)
        for (j = 0; j < dh; j++) y[r * dh + j] = tmp[r * dh + hl__qk_stored(j, dh)];
}

/* TL's weight processing, once, at load (HL_PROC_*; TL HookedTransformer.process_weights_):
     FOLD_LN            b_Q, b_K, b_V += beta_1 W_Q, W_K, W_V;  b_in (b_gate) += beta_2 W_in (W_gate);
                        b_U = b_U + beta_f W_U; the LayerNorms keep w only (-> LNPre then w)
     FOLD_VALUE_BIASES  b_O += sum_h b_V[h] W_O[h]  (b_V as FOLD_LN left it), then b_V = 0
   The other two are centrings of what a matrix writes, applied in the step that writes
   (hl__center_rows): z W_O' with W_O' = W_O - mean_d(W_O) is z W_O - mean_d(z W_O). */
static hl_status hl__process(hl_model *m, hl_error *err) {
    const hl_model_cfg *c = &m->cfg;
    const int64_t H = c->n_heads, G = c->n_kv_heads, dh = c->d_head, rep = H / G;
    int64_t l, h, j;
    hl_status st = HL_OK;
    float *bv = NULL;
    if ((c->processing & HL_PROC_FOLD_LN) && c->norm == HL_NORM_LN) {
        for (l = 0; l < c->n_layers; l++) {
            hl__layer_w *lw = &m->layers[l];
            hl__lin *ln1_reads[3] = {&lw->q, &lw->k, &lw->v}, *ln2_reads[2] = {&lw->gate, &lw->in};
            int i;
            if (lw->qkv.w) ln1_reads[0] = &lw->qkv, ln1_reads[1] = ln1_reads[2] = NULL;
            for (i = 0; i < 3; i++)
                if (ln1_reads[i] && (st = hl__fold_bias(m, ln1_reads[i], lw->ln1.b, err)) != HL_OK) return st;
            for (i = 0; i < 2; i++)
                if (ln2_reads[i]->w && (st = hl__fold_bias(m, ln2_reads[i], lw->ln2.b, err)) != HL_OK) return st;
            hl__free(lw->ln1.b), lw->ln1.b = NULL;
            hl__free(lw->ln2.b), lw->ln2.b = NULL;
        }
        if ((st = hl__fold_bias(m, &m->unembed, m->final_norm.b, err)) != HL_OK) return st;
        hl__free(m->final_norm.b), m->final_norm.b = NULL;
    }
    if (c->processing & HL_PROC_FOLD_VALUE_BIASES) {
        if (!(bv = (float *)hl__malloc((size_t)(H * dh) * sizeof(float))))
            return hl__fail(err, HL_ERR_OOM, "weight processing: out of memory");
        for (l = 0; l < c->n_layers; l++) {
            hl__layer_w *lw = &m->layers[l];
            float *b = lw->qkv.w ? lw->qkv.b : lw->v.b;
            if (!b) continue;
            /* b_V per query head [H * dh] (kv head g = h / rep), then zeroed where it was */
            for (h = 0; h < H; h++)
                for (j = 0; j < dh; j++) bv[h * dh + j] = b[hl__qkv_col(m, 2, h / rep) + j];
            if ((st = hl__fold_bias(m, &lw->o, bv, err)) != HL_OK) break;
            for (h = 0; h < G; h++)
                for (j = 0; j < dh; j++) b[hl__qkv_col(m, 2, h) + j] = 0.0f;
            if (!lw->qkv.w) hl__free(lw->v.b), lw->v.b = NULL;
        }
        hl__free(bv);
    }
    return st;
}


/* The tokenizer embedded in a GGUF, tokenizer.ggml.model "llama" (SentencePiece BPE: pieces,
   scores, token types), as the tokenizer.json that transformers' converter writes for the same model
   (convert_slow_tokenizer's SentencePieceExtractor), which hl_tokenizer_load_memory then reads:
     vocab     the pieces; llama.cpp stores SentencePiece's whitespace pieces with literal spaces,
               the json with U+2581, so every ' ' becomes "▁"
     merges    every split a + b of a piece (at character boundaries) with a and b in the vocab, in
               the piece's id order, each piece's splits by (id a, id b); then stably sorted by
               (score of the piece, characters of a, characters of b), all descending. Scores are
               SentencePiece's: llama.cpp writes -1000 for control and user-defined pieces, which are
               0 in the model, so those count as 0. (On gemma-3-270m this gives the json's 514,906
               merges in the json's order.)
     added     control (type 3; special) and user-defined (type 4; not special) pieces, matched
               before BPE as the json's added_tokens are
     normalizer, pre_tokenizer, decoder, post-processor as SentencePiece-BPE jsons have them (Gemma):
               spaces -> "▁" (plus a leading "▁" when add_space_prefix), byte fallback, <bos> first
               when add_bos_token. */
typedef struct hl__gtok_merge {
    float    score;
    uint32_t len_a, len_b; /* characters */
    uint32_t seq;
    int32_t  a, b;
} hl__gtok_merge;
static int hl__gtok_merge_cmp(const void *x, const void *y) {
    const hl__gtok_merge *p = (const hl__gtok_merge *)x, *q = (const hl__gtok_merge *)y;
    if (p->score != q->score) return p->score > q->score ? -1 : 1;
    if (p->len_a != q->len_a) return p->len_a > q->len_a ? -1 : 1;
    if (p->len_b != q->len_b) return p->len_b > q->len_b ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}
static int hl__gtok_ab_cmp(const void *x, const void *y) {
    const hl__gtok_merge *p = (const hl__gtok_merge *)x, *q = (const hl__gtok_merge *)y;
    return p->a != q->a ? (p->a < q->a ? -1 : 1) : (p->b < q->b ? -1 : p->b > q->b);
}
static uint32_t hl__utf8_chars(const char *s, size_t n) {
    uint32_t c = 0;
    size_t i;
    for (i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}
static uint64_t hl__fnv1a(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}
static hl_status hl__gtok_spm(const hl_gguf *g, const char *path, hl_tokenizer **out, hl_error *err) {
    const int64_t kt = hl_gguf_kv_find(g, "tokenizer.ggml.tokens"), ks = hl_gguf_kv_find(g, "tokenizer.ggml.scores"),
                  ky = hl_gguf_kv_find(g, "tokenizer.ggml.token_type");
    size_t len, i, k, off;
    const char *pc;
    uint64_t n, cap, nm = 0, nloc;
    char **piece = NULL;
    size_t *plen = NULL;
    int32_t *slot = NULL, *type = NULL;
    float *score = NULL;
    hl__gtok_merge *mg = NULL;
    hl__buf js;
    hl_status st = HL_OK;
    int64_t bos = -1, unk = -1, v;
    int add_bos = 1, space_prefix = 0;
    memset(&js, 0, sizeof js);
    n = hl_gguf_arr_count(g, (size_t)kt);
    if (hl_gguf_arr_type(g, (size_t)kt) != HL_GGUF_STRING || n == 0 || n > (1u << 24) || ks < 0 || ky < 0 ||
        hl_gguf_arr_count(g, (size_t)ks) != n || hl_gguf_arr_count(g, (size_t)ky) != n)
        return hl__fail(err, HL_ERR_FORMAT, "%s: GGUF tokenizer: tokens, scores and token_type must be arrays of one "
                        "length (1 to 2^24)", path);
    if (hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "tokenizer.ggml.bos_token_id"), &v)) bos = v;
    if (hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "tokenizer.ggml.unknown_token_id"), &v)) unk = v;
    if (hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "tokenizer.ggml.add_bos_token"), &v)) add_bos = v != 0;
    if (hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "tokenizer.ggml.add_space_prefix"), &v)) space_prefix = v != 0;
    if (bos >= (int64_t)n || unk >= (int64_t)n)
        return hl__fail(err, HL_ERR_FORMAT, "%s: GGUF tokenizer: bos or unknown token id outside the vocabulary", path);
    cap = 1;
    while (cap < 2 * n) cap <<= 1;
    piece = (char **)hl__calloc((size_t)n, sizeof *piece);
    plen = (size_t *)hl__calloc((size_t)n, sizeof *plen);
    type = (int32_t *)hl__calloc((size_t)n, sizeof *type);
    score = (float *)hl__calloc((size_t)n, sizeof *score);
    slot = (int32_t *)hl__malloc((size_t)cap * sizeof *slot);
    if (!piece || !plen || !type || !score || !slot) {
        st = hl__fail(err, HL_ERR_OOM, "%s: GGUF tokenizer: out of memory", path);
        goto done;
    }
    for (k = 0; k < cap; k++) slot[k] = -1;
    for (i = 0; i < n; i++) { /* pieces with ' ' -> U+2581, and a hash of them */
        double sc = 0;
        int64_t ty = 1;
        uint64_t h;
        size_t o = 0;
        pc = hl_gguf_arr_str(g, (size_t)kt, i, &len);
        if (!hl_gguf_arr_num(g, (size_t)ks, i, &sc) || !hl_gguf_arr_int(g, (size_t)ky, i, &ty) || len > 4096) {
            st = hl__fail(err, HL_ERR_FORMAT, "%s: GGUF tokenizer: token %zu has no numeric score or type, or is over 4096 bytes",
                          path, i);
            goto done;
        }
        if (!(piece[i] = (char *)hl__malloc(3 * len + 1))) {
            st = hl__fail(err, HL_ERR_OOM, "%s: GGUF tokenizer: out of memory", path);
            goto done;
        }
        for (k = 0; k < len; k++) {
            if (pc[k] == ' ') piece[i][o++] = (char)0xE2, piece[i][o++] = (char)0x96, piece[i][o++] = (char)0x81;
            else piece[i][o++] = pc[k];
        }
        piece[i][o] = 0;
        plen[i] = o;
        type[i] = (int32_t)ty;
        score[i] = ty == 1 ? (float)sc : 0.0f; /* SentencePiece's score; llama.cpp's -1000 for the others */
        for (h = hl__fnv1a(piece[i], o) & (cap - 1); slot[h] >= 0; h = (h + 1) & (cap - 1))
            if (plen[slot[h]] == o && memcmp(piece[slot[h]], piece[i], o) == 0) break;
        if (slot[h] < 0) slot[h] = (int32_t)i; /* a duplicate piece keeps its first id */
    }
    /* merges: every split of every piece into two pieces */
    for (i = 0; i < n; i++) {
        nloc = 0;
        for (k = 1; k < plen[i]; k++) {
            int32_t ia = -1, ib = -1;
            uint64_t h;
            if (((unsigned char)piece[i][k] & 0xC0) == 0x80) continue; /* inside a character */
            for (h = hl__fnv1a(piece[i], k) & (cap - 1); slot[h] >= 0; h = (h + 1) & (cap - 1))
                if (plen[slot[h]] == k && memcmp(piece[slot[h]], piece[i], k) == 0) { ia = slot[h]; break; }
            if (ia < 0) continue;
            for (h = hl__fnv1a(piece[i] + k, plen[i] - k) & (cap - 1); slot[h] >= 0; h = (h + 1) & (cap - 1))
                if (plen[slot[h]] == plen[i] - k && memcmp(piece[slot[h]], piece[i] + k, plen[i] - k) == 0) { ib = slot[h]; break; }
            if (ib < 0) continue;
            if (nm % 4096 == 0) {
                hl__gtok_merge *nmg = (hl__gtok_merge *)hl__realloc(mg, (size_t)(nm + 4096) * sizeof *mg);
                if (!nmg) {
                    st = hl__fail(err, HL_ERR_OOM, "%s: GGUF tokenizer: out of memory", path);
                    goto done;
                }
                mg = nmg;
            }
            mg[nm].score = score[i], mg[nm].a = ia, mg[nm].b = ib;
            mg[nm].len_a = hl__utf8_chars(piece[i], k), mg[nm].len_b = hl__utf8_chars(piece[i] + k, plen[i] - k);
            nm++, nloc++;
        }
        if (nloc > 1) qsort(mg + nm - nloc, (size_t)nloc, sizeof *mg, hl__gtok_ab_cmp);
    }
    for (k = 0; k < nm; k++) mg[k].seq = (uint32_t)k;
    if (nm > 1) qsort(mg, (size_t)nm, sizeof *mg, hl__gtok_merge_cmp);
    /* the tokenizer.json */
    hl__buf_printf(&js, "{\"version\":\"1.0\",\"added_tokens\":[");
    for (i = 0, off = 0; i < n; i++)
        if (type[i] == 3 || type[i] == 4) {
            hl__buf_printf(&js, "%s{\"id\":%zu,\"content\":", off++ ? "," : "", i);
            hl__json_quote_n(&js, piece[i], plen[i]);
            hl__buf_printf(&js, ",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":%s}",
                           type[i] == 3 ? "true" : "false");
        }
    hl__buf_printf(&js, "],\"normalizer\":%s{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"\xe2\x96\x81\"}%s,",
                   space_prefix ? "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Prepend\",\"prepend\":\"\xe2\x96\x81\"}," : "",
                   space_prefix ? "]}" : "");
    hl__buf_printf(&js, "\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"String\":\" \"},\"behavior\":\"MergedWithPrevious\","
                        "\"invert\":false},");
    if (add_bos && bos >= 0) {
        hl__buf_printf(&js, "\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":");
        hl__json_quote_n(&js, piece[bos], plen[bos]);
        hl__buf_printf(&js, ",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"Sequence\":{\"id\":\"A\","
                            "\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],\"special_tokens\":{");
        hl__json_quote_n(&js, piece[bos], plen[bos]);
        hl__buf_printf(&js, ":{\"id\":");
        hl__json_quote_n(&js, piece[bos], plen[bos]);
        hl__buf_printf(&js, ",\"ids\":[%lld],\"tokens\":[", (long long)bos);
        hl__json_quote_n(&js, piece[bos], plen[bos]);
        hl__buf_printf(&js, "]}}},");
    } else {
        hl__buf_printf(&js, "\"post_processor\":null,");
    }
    hl__buf_printf(&js, "\"decoder\":{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xe2\x96\x81\"},"
                        "\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"}%s]},",
                   space_prefix ? ",{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}" : "");
    hl__buf_printf(&js, "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":");
    if (unk >= 0) hl__json_quote_n(&js, piece[unk], plen[unk]);
    else hl__buf_printf(&js, "null");
    hl__buf_printf(&js, ",\"continuing_subword_prefix\":null,\"end_of_word_suffix\":null,\"fuse_unk\":true,\"byte_fallback\":true,"
                        "\"ignore_merges\":false,\"vocab\":{");
    for (i = 0; i < n; i++) {
        if (i) hl__buf_putc(&js, ',');
        hl__json_quote_n(&js, piece[i], plen[i]);
        hl__buf_printf(&js, ":%zu", i);
    }
    hl__buf_printf(&js, "},\"merges\":[");
    for (k = 0; k < nm; k++) {
        hl__buf_printf(&js, "%s[", k ? "," : "");
        hl__json_quote_n(&js, piece[mg[k].a], plen[mg[k].a]);
        hl__buf_putc(&js, ',');
        hl__json_quote_n(&js, piece[mg[k].b], plen[mg[k].b]);
        hl__buf_putc(&js, ']');
    }
    hl__buf_printf(&js, "]}}");
    if (js.oom) {
        st = hl__fail(err, HL_ERR_OOM, "%s: GGUF tokenizer: out of memory", path);
        goto done;
    }
    if ((st = hl_tokenizer_load_memory(js.data, js.len, out, err)) != HL_OK) hl__wrap(err, st, "GGUF tokenizer");
done:
    if (piece)
        for (i = 0; i < n; i++) hl__free(piece[i]);
    hl__free(piece), hl__free(plen), hl__free(type), hl__free(score), hl__free(slot), hl__free(mg);
    hl__buf_free(&js);
    return st;
}

/* The tokenizer embedded in a GGUF, tokenizer.ggml.model "gpt2": byte-level BPE as llama.cpp's
   converter writes it (convert_hf_to_gguf.py _set_vocab_gpt2: the tokenizer.json's pieces in id
   order, byte-level characters and all; its merges as "a b" strings; token types 1 normal, 3
   control = special added tokens, 4 user-defined = other added tokens, 5 unused = "[PADn]"
   fillers of ids the json lacks), as the tokenizer.json transformers has for GPT-2, which
   hl_tokenizer_load_memory then reads (and checks: every merge's pieces in the vocabulary):
     model          BPE, vocab = the pieces, merges in the file's order (rank = position)
     added_tokens   control (special) and user-defined (not special) pieces, matched before BPE
     pre_tokenizer  ByteLevel, no prefix space, the GPT-2 regex; decoder ByteLevel
     post_processor <bos> first when tokenizer.ggml.add_bos_token is true (GPT-2 has none)
   tokenizer.ggml.pre names llama.cpp's pre-tokenizer (llama-vocab.cpp): "gpt-2" is GPT-2's regex,
   and the only one read. llama.cpp's "default", also what it uses when the key is absent, is not
   GPT-2's (runs of punctuation, then the GPT-2 regex, runs of digits, then digits in threes), and
   the others are other regexes or normalizers: all refused by name. */
static hl_status hl__gtok_bpe(const hl_gguf *g, const char *path, hl_tokenizer **out, hl_error *err) {
    const int64_t kt = hl_gguf_kv_find(g, "tokenizer.ggml.tokens"), kmg = hl_gguf_kv_find(g, "tokenizer.ggml.merges"),
                  ky = hl_gguf_kv_find(g, "tokenizer.ggml.token_type"), kp = hl_gguf_kv_find(g, "tokenizer.ggml.pre");
    size_t plen = 0, len, off;
    const char *pre = hl_gguf_get_str(g, (size_t)kp, &plen), *pc;
    uint64_t n, nm, i;
    hl__buf js;
    hl_status st = HL_OK;
    int64_t bos = -1, ty, v;
    int add_bos = 0;
    memset(&js, 0, sizeof js);
    if (!pre || plen != 5 || memcmp(pre, "gpt-2", 5) != 0) {
        const char *shown = pre ? pre : kp < 0 ? "(absent)" : "(not a string)";
        const size_t sl = pre ? plen : strlen(shown);
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: GGUF byte-level BPE tokenizer with tokenizer.ggml.pre \"%.*s\" is not "
                        "supported (\"gpt-2\" is; llama.cpp's \"default\", also meant by an absent key, is not GPT-2's "
                        "pre-tokenizer; load with desc.no_tokenizer = 1 to run on ids)", path, (int)(sl > 32 ? 32 : sl), shown);
    }
    n = hl_gguf_arr_count(g, (size_t)kt);
    nm = hl_gguf_arr_count(g, (size_t)kmg);
    if (hl_gguf_arr_type(g, (size_t)kt) != HL_GGUF_STRING || n == 0 || n > (1u << 24))
        return hl__fail(err, HL_ERR_FORMAT, "%s: GGUF tokenizer: tokens must be an array of 1 to 2^24 strings", path);
    if (kmg < 0 || hl_gguf_kv_type(g, (size_t)kmg) != HL_GGUF_ARRAY || hl_gguf_arr_type(g, (size_t)kmg) != HL_GGUF_STRING)
        return hl__fail(err, HL_ERR_FORMAT, "%s: GGUF tokenizer \"gpt2\": tokenizer.ggml.merges must be an array of strings",
                        path);
    if (nm >= (1u << 26)) return hl__fail(err, HL_ERR_LIMIT, "%s: GGUF tokenizer: %llu merges (at most 2^26)", path,
                                          (unsigned long long)nm);
    if (ky >= 0 && hl_gguf_arr_count(g, (size_t)ky) != n)
        return hl__fail(err, HL_ERR_FORMAT, "%s: GGUF tokenizer: token_type has %llu entries for %llu tokens", path,
                        (unsigned long long)hl_gguf_arr_count(g, (size_t)ky), (unsigned long long)n);
    if (hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "tokenizer.ggml.bos_token_id"), &v)) bos = v;
    if (hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "tokenizer.ggml.add_bos_token"), &v)) add_bos = v != 0;
    if (add_bos && (bos < 0 || bos >= (int64_t)n))
        return hl__fail(err, HL_ERR_FORMAT, "%s: GGUF tokenizer: add_bos_token with bos token id %lld outside the vocabulary",
                        path, (long long)bos);
    hl__buf_printf(&js, "{\"version\":\"1.0\",\"added_tokens\":[");
    for (i = 0, off = 0; ky >= 0 && i < n; i++) {
        if (!hl_gguf_arr_int(g, (size_t)ky, i, &ty)) {
            st = hl__fail(err, HL_ERR_FORMAT, "%s: GGUF tokenizer: token_type %llu is not an integer", path, (unsigned long long)i);
            goto done;
        }
        if (ty != 3 && ty != 4) continue;
        pc = hl_gguf_arr_str(g, (size_t)kt, i, &len);
        hl__buf_printf(&js, "%s{\"id\":%llu,\"content\":", off++ ? "," : "", (unsigned long long)i);
        hl__json_quote_n(&js, pc, len);
        hl__buf_printf(&js, ",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":%s}",
                       ty == 3 ? "true" : "false");
    }
    hl__buf_printf(&js, "],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
                        "\"trim_offsets\":true,\"use_regex\":true},");
    if (add_bos) {
        pc = hl_gguf_arr_str(g, (size_t)kt, (uint64_t)bos, &len);
        hl__buf_printf(&js, "\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":");
        hl__json_quote_n(&js, pc, len);
        hl__buf_printf(&js, ",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"Sequence\":{\"id\":\"A\","
                            "\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],\"special_tokens\":{");
        hl__json_quote_n(&js, pc, len);
        hl__buf_printf(&js, ":{\"id\":");
        hl__json_quote_n(&js, pc, len);
        hl__buf_printf(&js, ",\"ids\":[%lld],\"tokens\":[", (long long)bos);
        hl__json_quote_n(&js, pc, len);
        hl__buf_printf(&js, "]}}},");
    } else {
        hl__buf_printf(&js, "\"post_processor\":null,");
    }
    hl__buf_printf(&js, "\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},"
                        "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":\"\","
                        "\"end_of_word_suffix\":\"\",\"fuse_unk\":false,\"byte_fallback\":false,\"ignore_merges\":false,\"vocab\":{");
    for (i = 0; i < n; i++) {
        pc = hl_gguf_arr_str(g, (size_t)kt, i, &len);
        if (i) hl__buf_putc(&js, ',');
        hl__json_quote_n(&js, pc, len);
        hl__buf_printf(&js, ":%llu", (unsigned long long)i);
    }
    hl__buf_printf(&js, "},\"merges\":[");
    for (i = 0; i < nm; i++) {
        pc = hl_gguf_arr_str(g, (size_t)kmg, i, &len);
        if (i) hl__buf_putc(&js, ',');
        hl__json_quote_n(&js, pc, len);
    }
    hl__buf_printf(&js, "]}}");
    if (js.oom) st = hl__fail(err, HL_ERR_OOM, "%s: GGUF tokenizer: out of memory", path);
    else if ((st = hl_tokenizer_load_memory(js.data, js.len, out, err)) != HL_OK) hl__wrap(err, st, "GGUF tokenizer");
done:
    hl__buf_free(&js);
    return st;
}

static hl_status hl__tokenizer_from_gguf(const hl_gguf *g, const char *path, hl_tokenizer **out, hl_error *err) {
    static const char *const ids[3] = {"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                                       "tokenizer.ggml.padding_token_id"};
    size_t mlen = 0;
    const char *model;
    hl_status st;
    int64_t v;
    int i;
    if (!g || !out) return hl__fail(err, HL_ERR_ARG, "hl_tokenizer_load_gguf: NULL argument");
    if (!path) path = "GGUF";
    *out = NULL;
    if (hl_gguf_kv_find(g, "tokenizer.ggml.tokens") < 0) return HL_OK; /* no tokenizer in the file: ids in, ids out */
    model = hl_gguf_get_str(g, (size_t)hl_gguf_kv_find(g, "tokenizer.ggml.model"), &mlen);
    if (model && mlen == 5 && memcmp(model, "llama", 5) == 0) st = hl__gtok_spm(g, path, out, err);
    else if (model && mlen == 4 && memcmp(model, "gpt2", 4) == 0) st = hl__gtok_bpe(g, path, out, err);
    else return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: GGUF tokenizer.ggml.model \"%.*s\" is not read yet (\"llama\" and "
                         "\"gpt2\" are; load with desc.no_tokenizer = 1 to run on ids)", path, (int)(mlen > 16 ? 16 : mlen),
                         model ? model : "");
    if (st != HL_OK) return st;
    /* the special ids the file names (in the vocabulary) over the json's guesses by name */
    for (i = 0; i < 3; i++)
        if (hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, ids[i]), &v) && v >= 0 && v < (*out)->n_ids) {
            int32_t *dst = i == 0 ? &(*out)->bos : i == 1 ? &(*out)->eos : &(*out)->pad;
            *dst = (int32_t)v;
        }
    return HL_OK;
}

HL__DEF hl_status hl_tokenizer_load_gguf(const hl_gguf *g, hl_tokenizer **out, hl_error *err) {
    hl_status st = hl__tokenizer_from_gguf(g, NULL, out, err);
    if (st == HL_OK && !*out) st = hl__fail(err, HL_ERR_NOT_FOUND, "GGUF: the file has no tokenizer (tokenizer.ggml.tokens)");
    return st;
}

/* ---- GGUF files ----
   A GGUF model is read as transformers' GGUF loader reads it (modeling_gguf_pytorch_utils): the
   metadata become config.json keys, and the tensors are renamed to the Hugging Face names, so the
   rest of the load is the folder's. Tensors stay in the file, in their stored types.
     general.architecture   gemma3 -> Gemma3ForCausalLM, gemma2, gemma, llama -> LlamaForCausalLM
     <arch>.embedding_length, block_count, feed_forward_length, context_length,
     attention.head_count(_kv), attention.key_length (head_dim), attention.layer_norm_rms_epsilon,
     rope.freq_base, attention.sliding_window, rope.scaling.type/factor, gemma2's softcaps,
     tokenizer.ggml.bos/eos_token_id; vocab_size = token_embd's rows; tied when output.weight is absent.
   What GGUF does not carry takes llama.cpp's rules (llama-model.cpp): query_pre_attn_scalar =
   head_dim, except the 27B models (46 layers for Gemma-2, 62 for Gemma-3): d_model / n_heads
   (transformers' GGUF loader leaves its config default, 256: the same on every real model but
   those); Gemma-3's rope_local_base_freq 10000 and every sixth layer global (5, 11, 17, ...), as
   both do.
   Gemma norms: llama.cpp's converter stores 1 + w, so they are used as stored (gguf_norms).
   Llama ("llama", which llama.cpp's converter also writes for Mistral and Mixtral): norms as
   stored (w); head_dim from attention.key_length, else d_model / n_heads (llama.cpp's n_embd_head_k),
   and rotary must turn all of it (rope.dimension_count = head_dim when present); q_proj / k_proj rows
   are in llama.cpp's pair order, undone on the products (hl__qk_stored). llama.cpp ignores
   llama.attention.sliding_window; when a file has it (hooklens convert-gguf writes Mistral's
   window there) the model is MistralForCausalLM with that window on every layer, else Llama with
   none. Refused: experts (llama.expert_count, Mixtral) and rope_freqs.weight (Llama-3.1's rope
   scaling), which hooklens does not compute. */
typedef struct hl__gguf_arch {
    const char *gguf, *hf_class, *act;
    int         gemma;     /* Gemma: 1 + w stored in the norms, query_pre_attn_scalar, the sliding window */
    int         post_norms; /* Gemma-2/3's norm names around attention and MLP (hl__gguf_blk_names[2]) */
    int         pair_rows; /* q_proj / k_proj rows in llama.cpp's rotary-pair order (hl__qk_stored) */
} hl__gguf_arch;
static const hl__gguf_arch hl__gguf_archs[] = {
    {"gemma3", "Gemma3ForCausalLM", "gelu_pytorch_tanh", 1, 1, 0},
    {"gemma2", "Gemma2ForCausalLM", "gelu_pytorch_tanh", 1, 1, 0},
    {"gemma", "GemmaForCausalLM", "gelu_pytorch_tanh", 1, 0, 0}, /* Llama's names: ffn_norm = post_attention_layernorm */
    {"llama", "LlamaForCausalLM", "silu", 0, 0, 1},
};
/* GGUF tensor name (after "blk.N.") -> the Hugging Face name (after "model.layers.N."): [1] for
   Llama and Gemma-1, [2] for Gemma-2 and Gemma-3 (llama.cpp's gguf-py tensor_mapping.py) */
static const char *const hl__gguf_blk_names[][3] = {
    {"attn_norm", "input_layernorm", "input_layernorm"},
    {"attn_q", "self_attn.q_proj", "self_attn.q_proj"},
    {"attn_k", "self_attn.k_proj", "self_attn.k_proj"},
    {"attn_v", "self_attn.v_proj", "self_attn.v_proj"},
    {"attn_output", "self_attn.o_proj", "self_attn.o_proj"},
    {"attn_q_norm", "self_attn.q_norm", "self_attn.q_norm"},
    {"attn_k_norm", "self_attn.k_norm", "self_attn.k_norm"},
    {"post_attention_norm", NULL, "post_attention_layernorm"},
    {"ffn_norm", "post_attention_layernorm", "pre_feedforward_layernorm"},
    {"post_ffw_norm", NULL, "post_feedforward_layernorm"},
    {"ffn_gate", "mlp.gate_proj", "mlp.gate_proj"},
    {"ffn_up", "mlp.up_proj", "mlp.up_proj"},
    {"ffn_down", "mlp.down_proj", "mlp.down_proj"},
};

/* The Hugging Face name of a GGUF tensor into out (cap bytes); 0 if it has none (left out). */
static int hl__gguf_hf_name(const char *g, int post_norms, char *out, size_t cap) {
    static const char *const top[][2] = {{"token_embd.weight", "model.embed_tokens.weight"},
                                         {"output_norm.weight", "model.norm.weight"},
                                         {"output.weight", "lm_head.weight"}};
    size_t i;
    for (i = 0; i < sizeof top / sizeof top[0]; i++)
        if (strcmp(g, top[i][0]) == 0) return snprintf(out, cap, "%s", top[i][1]) < (int)cap;
    if (strncmp(g, "blk.", 4) == 0) {
        char *end;
        unsigned long long l = strtoull(g + 4, &end, 10);
        if (end == g + 4 || *end != '.' || l > 1000000) return 0;
        for (i = 0; i < sizeof hl__gguf_blk_names / sizeof hl__gguf_blk_names[0]; i++) {
            const size_t k = strlen(hl__gguf_blk_names[i][0]);
            const char *hf = hl__gguf_blk_names[i][post_norms ? 2 : 1];
            if (hf && strncmp(end + 1, hl__gguf_blk_names[i][0], k) == 0 && end[1 + k] == '.')
                return snprintf(out, cap, "model.layers.%llu.%s%s", l, hf, end + 1 + k) < (int)cap;
        }
    }
    return 0;
}

/* hl_weights over a GGUF file's tensors under their Hugging Face names (takes g). */
static hl_status hl__weights_from_gguf(hl_gguf *g, int post_norms, hl_weights **out, hl_error *err) {
    hl_weights *w = (hl_weights *)hl__calloc(1, sizeof *w);
    size_t i, n = hl_gguf_tensor_count(g), off = 0;
    char nm[256];
    hl_status st;
    if (!w) {
        hl_gguf_close(g);
        return hl__fail(err, HL_ERR_OOM, "GGUF: out of memory");
    }
    w->gguf = g;
    if (!(w->gguf_names = (char *)hl__malloc(n * sizeof nm + 1)) || !hl__w_alloc(w, n ? n : 1)) {
        hl_weights_close(w);
        return hl__fail(err, HL_ERR_OOM, "GGUF: out of memory");
    }
    for (i = 0; i < n; i++) {
        if (!hl__gguf_hf_name(hl_gguf_tensor_name(g, i), post_norms, nm, sizeof nm)) continue; /* e.g. rope_freqs */
        w->names[w->n] = strcpy(w->gguf_names + off, nm);
        w->tensors[w->n++] = hl_gguf_tensor(g, i);
        off += strlen(nm) + 1;
    }
    if ((st = hl__w_finish(w, "GGUF", err)) != HL_OK) {
        hl_weights_close(w);
        return st;
    }
    *out = w;
    return HL_OK;
}

/* <arch>.<name> as an integer into *v: 1, or 0 when absent or not an integer. */
static int hl__gguf_arch_int(const hl_gguf *g, const char *arch, size_t alen, const char *name, int64_t *v) {
    char key[128];
    snprintf(key, sizeof key, "%.*s.%s", (int)alen, arch, name);
    return hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, key), v);
}

/* config.json text for a GGUF file's metadata (see above); the file's row of hl__gguf_archs in *ga. */
static hl_status hl__gguf_config(const hl_gguf *g, const char *path, hl__buf *js, const hl__gguf_arch **gap,
                                 hl_error *err) {
    const char *arch, *hf_class;
    size_t alen, i;
    const hl__gguf_arch *ga = NULL;
    const hl_tensor *emb = hl_gguf_find(g, "token_embd.weight");
    char key[128];
    int64_t v, window = -1;
    double x;
    /* <arch>.<name> as an integer (required unless dflt >= 0) */
#define HL__GG_INT(name, json, dflt)                                                                                  \
    do {                                                                                                             \
        if (!hl__gguf_arch_int(g, arch, alen, name, &v)) {                                                            \
            if ((dflt) < 0) return hl__fail(err, HL_ERR_FORMAT, "%s: GGUF metadata '%.*s.%s' is missing or not an integer", \
                                            path, (int)alen, arch, name);                                              \
            v = (dflt);                                                                                               \
        }                                                                                                            \
        hl__buf_printf(js, ",\"%s\":%lld", json, (long long)v);                                                     \
    } while (0)
    if (!(arch = hl_gguf_get_str(g, (size_t)hl_gguf_kv_find(g, "general.architecture"), &alen)))
        return hl__fail(err, HL_ERR_FORMAT, "%s: GGUF metadata has no general.architecture", path);
    for (i = 0; i < sizeof hl__gguf_archs / sizeof hl__gguf_archs[0]; i++)
        if (strlen(hl__gguf_archs[i].gguf) == alen && memcmp(hl__gguf_archs[i].gguf, arch, alen) == 0) ga = &hl__gguf_archs[i];
    if (!ga || alen > 32)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: GGUF architecture \"%.*s\" is not supported (gemma3, gemma2, gemma, "
                        "llama)", path, (int)(alen > 32 ? 32 : alen), arch);
    if (!emb || emb->ndim != 2) return hl__fail(err, HL_ERR_FORMAT, "%s: GGUF has no 2-D token_embd.weight", path);
    *gap = ga;
    hf_class = ga->hf_class;
    if (ga->pair_rows) { /* llama: what hooklens does not compute, and Mistral's window (see above) */
        if (hl__gguf_arch_int(g, arch, alen, "expert_count", &v) && v > 0)
            return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: GGUF llama.expert_count %lld: mixture-of-experts models (Mixtral) "
                            "are not supported", path, (long long)v);
        if (hl_gguf_find(g, "rope_freqs.weight"))
            return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: GGUF rope_freqs.weight (Llama-3.1's rope scaling) is not supported",
                            path);
        if (hl__gguf_arch_int(g, arch, alen, "attention.sliding_window", &v)) {
            if (v <= 0 || v > ((int64_t)1 << 40))
                return hl__fail(err, HL_ERR_FORMAT, "%s: GGUF llama.attention.sliding_window %lld is not a positive size",
                                path, (long long)v);
            window = v, hf_class = "MistralForCausalLM";
        }
    }
    hl__buf_printf(js, "{\"architectures\":[\"%s\"],\"hidden_activation\":\"%s\",\"vocab_size\":%lld", hf_class,
                   ga->act, (long long)emb->shape[0]);
    HL__GG_INT("embedding_length", "hidden_size", -1);
    HL__GG_INT("block_count", "num_hidden_layers", -1);
    HL__GG_INT("feed_forward_length", "intermediate_size", -1);
    HL__GG_INT("attention.head_count", "num_attention_heads", -1);
    HL__GG_INT("attention.head_count_kv", "num_key_value_heads", 0 + v);
    {
        int64_t dm = 0, nh = 1, nl = 0, hd = 0, rot = 0;
        hl__gguf_arch_int(g, arch, alen, "embedding_length", &dm);
        hl__gguf_arch_int(g, arch, alen, "attention.head_count", &nh);
        hl__gguf_arch_int(g, arch, alen, "block_count", &nl);
        hd = nh > 0 ? dm / nh : 0;
        if (hl__gguf_arch_int(g, arch, alen, "attention.key_length", &v)) hd = v, hl__buf_printf(js, ",\"head_dim\":%lld", (long long)v);
        if (ga->pair_rows && hl__gguf_arch_int(g, arch, alen, "rope.dimension_count", &rot) && rot != hd)
            return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: GGUF llama.rope.dimension_count %lld is not head_dim %lld (rotary "
                            "on part of each head is not supported for llama)", path, (long long)rot, (long long)hd);
        if (ga->gemma && hd > 0) /* llama.cpp: head_dim, or d_model / n_heads on the 27B models */
            hl__buf_printf(js, ",\"query_pre_attn_scalar\":%lld",
                           (long long)((alen == 6 && ((nl == 46 && arch[5] == '2') || (nl == 62 && arch[5] == '3'))) && nh > 0
                                           ? dm / nh : hd));
    }
    HL__GG_INT("context_length", "max_position_embeddings", 8192);
    if (ga->gemma) HL__GG_INT("attention.sliding_window", "sliding_window", 4096);
    else if (window > 0) hl__buf_printf(js, ",\"sliding_window\":%lld", (long long)window);
#undef HL__GG_INT
    {
        static const char *const fk[][2] = {{"attention.layer_norm_rms_epsilon", "rms_norm_eps"},
                                            {"rope.freq_base", "rope_theta"},
                                            {"attn_logit_softcapping", "attn_logit_softcapping"},
                                            {"final_logit_softcapping", "final_logit_softcapping"},
                                            {"rope.scaling.factor", "rope_scaling_factor"}};
        for (i = 0; i < sizeof fk / sizeof fk[0]; i++) {
            int64_t ix;
            snprintf(key, sizeof key, "%.*s.%s", (int)alen, arch, fk[i][0]);
            if ((ix = hl_gguf_kv_find(g, key)) < 0 || !hl_gguf_get_num(g, (size_t)ix, &x)) continue;
            if (!(x == x) || x > 1e30 || x < -1e30)
                return hl__fail(err, HL_ERR_FORMAT, "%s: GGUF metadata '%s' is not a finite number", path, key);
            if (i == 4) {
                size_t tl = 0;
                const char *ty;
                snprintf(key, sizeof key, "%.*s.rope.scaling.type", (int)alen, arch);
                ty = hl_gguf_get_str(g, (size_t)hl_gguf_kv_find(g, key), &tl);
                if (ty && !(tl == 4 && memcmp(ty, "none", 4) == 0))
                    hl__buf_printf(js, ",\"rope_scaling\":{\"rope_type\":\"%.*s\",\"factor\":%.17g}", (int)(tl > 16 ? 16 : tl), ty, x);
            } else {
                hl__buf_printf(js, ",\"%s\":%.17g", fk[i][1], x);
            }
        }
    }
    if (hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "tokenizer.ggml.bos_token_id"), &v)) hl__buf_printf(js, ",\"bos_token_id\":%lld", (long long)v);
    if (hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "tokenizer.ggml.eos_token_id"), &v)) hl__buf_printf(js, ",\"eos_token_id\":%lld", (long long)v);
    if (hl_gguf_get_int(g, (size_t)hl_gguf_kv_find(g, "tokenizer.ggml.padding_token_id"), &v)) hl__buf_printf(js, ",\"pad_token_id\":%lld", (long long)v);
    hl__buf_printf(js, ",\"tie_word_embeddings\":%s}", hl_gguf_find(g, "output.weight") ? "false" : "true");
    return js->oom ? hl__fail(err, HL_ERR_OOM, "%s: out of memory", path) : HL_OK;
}

#ifndef HL_NO_STDIO
/* A path that is a regular file starting with "GGUF". */
static int hl__is_gguf(const char *path) {
    char magic[4];
    struct stat st;
    FILE *fp;
    int yes = 0;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !(fp = fopen(path, "rb"))) return 0;
    yes = fread(magic, 1, 4, fp) == 4 && memcmp(magic, "GGUF", 4) == 0;
    fclose(fp);
    return yes;
}
#endif
/* hl_model_load's GGUF branch (a file, or an image in memory; takes g): config from the metadata,
   weights renamed, the embedded tokenizer. `name` is the file's path, or NULL in memory. */
static hl_status hl__load_gguf(hl_model *m, hl_gguf *g, const char *name, const hl_model_desc *d, const hl__family **fam,
                               hl_error *err) {
    hl__buf js;
    char label[600];
    const char *what = name ? name : "GGUF (memory)";
    const hl__gguf_arch *ga = NULL;
    hl_status st;
    memset(&js, 0, sizeof js);
    snprintf(label, sizeof label, "%s (GGUF metadata)", what);
    st = hl__gguf_config(g, what, &js, &ga, err);
    if (st == HL_OK) st = hl__parse_config(m, label, js.data, js.len, d, fam, err);
    hl__buf_free(&js);
    if (st == HL_OK && !d->no_tokenizer) st = hl__tokenizer_from_gguf(g, what, &m->tok, err);
    if (st != HL_OK) {
        hl_gguf_close(g);
        return st;
    }
    if ((st = hl__weights_from_gguf(g, ga->post_norms, &m->w, err)) != HL_OK) return st; /* takes g */
    m->gguf_norms = ga->gemma;
    m->qk_pair_rows = ga->pair_rows;
    if (name && !(m->path = hl__strdup(name))) return hl__fail(err, HL_ERR_OOM, "hl_model_load: out of memory");
    return hl__bind_weights(m, *fam, err);
}

/* ---- load ---- */
/* The TL name of every point this architecture has, formatted once: hooks, the cache and SAEs read
   them from here (one block of strings, pt_name[pt] pointing into it). */
static hl_status hl__name_points(hl_model *m, hl_error *err) {
    int64_t pt, l, h;
    size_t total = 0, off = 0;
    char buf[128];
    m->pt_name = (const char **)hl__calloc((size_t)m->n_points, sizeof *m->pt_name);
    if (!m->pt_name) return hl__fail(err, HL_ERR_OOM, "hl_model_load: out of memory");
    for (pt = 0; pt < m->n_points; pt++) { /* two passes: the sizes, then the strings */
        h = pt % HL_HOOK_COUNT, l = pt / HL_HOOK_COUNT - 1;
        if (hl_model_has_hook(m, (hl_hook)h) && (l >= 0) == hl_hook_per_layer((hl_hook)h))
            total += hl_hook_name((hl_hook)h, l, buf, sizeof buf) + 1;
    }
    m->names = (char *)hl__malloc(total);
    if (!m->names) return hl__fail(err, HL_ERR_OOM, "hl_model_load: out of memory");
    for (pt = 0; pt < m->n_points; pt++) {
        h = pt % HL_HOOK_COUNT, l = pt / HL_HOOK_COUNT - 1;
        if (!hl_model_has_hook(m, (hl_hook)h) || (l >= 0) != hl_hook_per_layer((hl_hook)h)) continue;
        m->pt_name[pt] = m->names + off;
        off += hl_hook_name((hl_hook)h, l, m->names + off, total - off) + 1;
    }
    return HL_OK;
}

HL__DEF hl_status hl_model_load(const hl_model_desc *desc, hl_model **out, hl_error *err) {
    hl_model *m = NULL;
    hl_model_desc d;
    hl__file f;
    hl_status st;
    const hl__family *fam = NULL;
    memset(&f, 0, sizeof f);
    if (!desc || !out || (!desc->path && (!desc->weights || desc->n_weights == 0 || (!desc->config_json && desc->n_weights != 1))))
        return hl__fail(err, HL_ERR_ARG, "hl_model_load: desc and out are required, and desc->path or (config_json, "
                        "weights, n_weights) or one GGUF image (weights[0], weight_sizes[0])");
    d = *desc;
    if (d.n_threads < 0 || d.n_ctx < 0) return hl__fail(err, HL_ERR_ARG, "hl_model_load: n_threads and n_ctx must be >= 0");
    if (d.fast < 0 || d.fast > HL_FAST_INT8)
        return hl__fail(err, HL_ERR_ARG, "hl_model_load: fast must be 0, 1 or HL_FAST_INT8 (2), not %d", d.fast);
    if (d.n_threads == 0) d.n_threads = hl__default_threads();
    if (d.kernels != HL_KERNELS_DEFAULT && !hl_kernels_available(d.kernels))
        return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_model_load: kernels '%s' are not available in this build on this CPU",
                        hl_kernels_name(d.kernels));
    m = (hl_model *)hl__calloc(1, sizeof *m);
    if (!m) return hl__fail(err, HL_ERR_OOM, "hl_model_load: out of memory");
    /* config.json, the weights and (optionally) tokenizer.json: from the folder, or from memory */
    if (d.path) {
#ifdef HL_NO_STDIO
        st = hl__fail(err, HL_ERR_UNSUPPORTED, "hl_model_load: built with HL_NO_STDIO; load from memory instead");
        goto fail;
#else
        char *p;
        if (hl__is_gguf(d.path)) {
            hl_gguf *g = NULL;
            if ((st = hl_gguf_open(d.path, &g, err)) != HL_OK || (st = hl__load_gguf(m, g, d.path, &d, &fam, err)) != HL_OK) goto fail;
            goto loaded;
        }
        p = hl__path_join(d.path, "config.json");
        if (!p) { st = hl__fail(err, HL_ERR_OOM, "hl_model_load: out of memory"); goto fail; }
        st = hl__file_open(p, &f, err);
        if (st == HL_OK) st = hl__parse_config(m, p, (const char *)f.data, f.size, &d, &fam, err);
        hl__file_close(&f);
        hl__free(p);
        if (st != HL_OK) goto fail;
        if ((st = hl_weights_open(d.path, &m->w, err)) != HL_OK) goto fail;
        if (!(m->path = hl__strdup(d.path))) { st = hl__fail(err, HL_ERR_OOM, "hl_model_load: out of memory"); goto fail; }
        if ((st = hl__bind_weights(m, fam, err)) != HL_OK) goto fail;
        if (!d.no_tokenizer) {
            if (!(p = hl__path_join(d.path, "tokenizer.json"))) { st = hl__fail(err, HL_ERR_OOM, "hl_model_load: out of memory"); goto fail; }
            if (hl__exists(p)) st = hl_tokenizer_load(p, &m->tok, err);
            hl__free(p);
            if (st != HL_OK) goto fail;
        }
#endif
    } else if (!d.config_json) { /* one GGUF image */
        hl_gguf *g = NULL;
        if ((st = hl_gguf_open_memory(d.weights[0], d.weight_sizes ? d.weight_sizes[0] : 0, "GGUF (memory)", &g, err)) != HL_OK ||
            (st = hl__load_gguf(m, g, NULL, &d, &fam, err)) != HL_OK)
            goto fail;
    } else {
        if ((st = hl__parse_config(m, "config.json (memory)", d.config_json, d.config_len, &d, &fam, err)) != HL_OK) goto fail;
        if ((st = hl_weights_open_memory(d.weights, d.weight_sizes, d.n_weights, &m->w, err)) != HL_OK) goto fail;
        if ((st = hl__bind_weights(m, fam, err)) != HL_OK) goto fail;
        if (d.tokenizer_json && !d.no_tokenizer &&
            (st = hl_tokenizer_load_memory(d.tokenizer_json, d.tokenizer_len, &m->tok, err)) != HL_OK)
            goto fail;
    }
#ifndef HL_NO_STDIO
loaded:
#endif
    m->kern = hl__kernels_pick(d.kernels, d.fast);
    m->pool = hl__pool_create(d.n_threads);
    m->n_threads = hl__pool_threads(m->pool);
    if ((st = hl__process(m, err)) != HL_OK) goto fail;
    m->n_points = (m->cfg.n_layers + 1) * HL_HOOK_COUNT;
    m->n_slots = m->n_points * HL_SUB_COUNT;
    if ((st = hl__name_points(m, err)) != HL_OK) goto fail;
    m->slot_users = (int *)hl__calloc((size_t)m->n_slots, sizeof(int));
    m->slot_want = (unsigned char *)hl__calloc((size_t)m->n_slots, 1);
    m->splices = (hl__splice *)hl__calloc((size_t)m->n_points, sizeof(hl__splice));
    m->kc = (float **)hl__calloc((size_t)m->cfg.n_layers, sizeof(float *));
    m->vc = (float **)hl__calloc((size_t)m->cfg.n_layers, sizeof(float *));
    if (!m->slot_users || !m->slot_want || !m->splices || !m->kc || !m->vc) {
        st = hl__fail(err, HL_ERR_OOM, "hl_model_load: out of memory");
        goto fail;
    }
    m->next_handle = 1;
    *out = m;
    return HL_OK;
fail:
    hl_model_free(m);
    return st;
}

static void hl__splice_names_free(hl__splice *s) {
    int k;
    for (k = 1; k < HL_SUB_COUNT; k++) {
        hl__free(s->sub_name[k]);
        s->sub_name[k] = NULL;
    }
}

HL__DEF void hl_model_free(hl_model *m) {
    int64_t l;
    size_t i;
    if (!m) return;
    if (m->layers)
        for (l = 0; l < m->cfg.n_layers; l++) {
            hl__layer_w *lw = &m->layers[l];
            hl__normw *norms[6] = {&lw->ln1, &lw->ln2, &lw->ln1_post, &lw->ln2_post, &lw->q_norm, &lw->k_norm};
            hl__lin *lins[8] = {&lw->q, &lw->k, &lw->v, &lw->qkv, &lw->o, &lw->gate, &lw->in, &lw->out};
            for (i = 0; i < 6; i++) hl__free(norms[i]->w), hl__free(norms[i]->b);
            for (i = 0; i < 8; i++) hl__free(lins[i]->b);
        }
    if (m->kc)
        for (l = 0; l < m->cfg.n_layers; l++) hl__free(m->kc[l]);
    if (m->vc)
        for (l = 0; l < m->cfg.n_layers; l++) hl__free(m->vc[l]);
    for (i = 0; i < m->n_regs; i++) hl__free(m->regs[i].match);
    if (m->splices)
        for (l = 0; l < m->n_points; l++) hl__splice_names_free(&m->splices[l]);
    hl__free(m->regs);
    hl__free(m->kc);
    hl__free(m->vc);
    hl__free(m->scratch);
    hl__free(m->layers);
    hl__free(m->final_norm.w);
    hl__free(m->final_norm.b);
    hl__free(m->unembed.b);
    hl__free(m->is_local);
    hl__free((void *)m->pt_name);
    hl__free(m->names);
    hl__free(m->slot_users);
    hl__free(m->slot_want);
    hl__free(m->splices);
    hl__free(m->arch_name);
    hl__free(m->path);
    hl_tokenizer_free(m->tok);
    hl__pool_free(m->pool);
    hl_weights_close(m->w);
    hl__free(m);
}

HL__DEF const hl_model_cfg *hl_model_config(const hl_model *m) {
    return m ? &m->cfg : NULL;
}
HL__DEF const hl_tokenizer *hl_model_tokenizer(const hl_model *m) {
    return m ? m->tok : NULL;
}
HL__DEF int hl_model_layer_is_local(const hl_model *m, int64_t layer) {
    return m && layer >= 0 && layer < m->cfg.n_layers && m->is_local[layer];
}
HL__DEF int hl_model_has_hook(const hl_model *m, hl_hook h) {
    unsigned w;
    if (!m || h < 0 || h >= HL_HOOK_COUNT) return 0;
    w = hl__hook_when[h];
    return (!(w & HL__WHEN_POST_NORMS) || m->cfg.post_norms) && (!(w & HL__WHEN_POS_EMBED) || m->cfg.learned_pos) &&
           (!(w & HL__WHEN_ROTARY) || m->cfg.rotary_dim > 0) && (!(w & HL__WHEN_SEQUENTIAL) || !m->cfg.parallel) &&
           (!(w & HL__WHEN_GATED) || m->cfg.gated) && (!(w & HL__WHEN_QK_NORM) || m->cfg.qk_norm);
}
HL__DEF int hl_model_hook_shape(const hl_model *m, hl_hook h, int64_t n_pos, int64_t n_keys, int64_t shape[4]) {
    if (!hl_model_has_hook(m, h) || !shape || n_pos < 0) return 0;
    return hl__hook_dims(&m->cfg, h, 1, n_pos, n_keys > 0 ? n_keys : n_pos, -1, shape);
}
HL__DEF int hl_model_threads(const hl_model *m) {
    return m ? m->n_threads : 0;
}
HL__DEF const char *hl_model_kernels(const hl_model *m) {
    return m ? m->kern->name : "";
}
HL__DEF void hl_model_set_flags(hl_model *m, unsigned flags) {
    if (m) m->flags = flags & 15u;
}
HL__DEF unsigned hl_model_flags(const hl_model *m) {
    return m ? m->flags : 0;
}

/* ---- hooks ---- */
/* Point and slot indices (see hl__reg). */
static int64_t hl__pt(hl_hook id, int64_t layer) {
    return (layer + 1) * HL_HOOK_COUNT + (int64_t)id;
}
static int64_t hl__slot(int64_t pt, hl_sub sub) {
    return pt * HL_SUB_COUNT + (int64_t)sub;
}

/* Recomputes slot_want: a hook on the slot, or a splice on the point. */
static void hl__model_update_want(hl_model *m) {
    int64_t s;
    for (s = 0; s < m->n_slots; s++)
        m->slot_want[s] = (unsigned char)(m->slot_users[s] > 0 ||
                                          (s % HL_SUB_COUNT == 0 && m->splices[s / HL_SUB_COUNT].fn != NULL));
}

/* Name of a slot into buf (a point's own name, or "<point>.<sub-point>"); 0 when the point does
   not exist on this model or the name does not fit. HL__SLOT_NAME_CAP holds any: a point's name
   is under 128 bytes (hl__name_points), a sub-point adds at most 20. */
#define HL__SLOT_NAME_CAP 192
static size_t hl__slot_name(const hl_model *m, int64_t slot, char *buf, size_t cap) {
    const char *base = m->pt_name[slot / HL_SUB_COUNT];
    int sub = (int)(slot % HL_SUB_COUNT), n;
    if (!base) return 0;
    n = sub ? snprintf(buf, cap, "%s.%s", base, hl__sub_names[sub]) : snprintf(buf, cap, "%s", base);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Which slots a name or glob applies to (the registration of a hook or a cache filter): match[s] =
   1 for every point and sub-point of this model whose name matches. Returns how many matched. */
static int64_t hl__match_slots(const hl_model *m, const char *pattern, unsigned char *match) {
    int64_t s, count = 0;
    char name[HL__SLOT_NAME_CAP];
    for (s = 0; s < m->n_slots; s++) {
        if (!hl__slot_name(m, s, name, sizeof name)) continue;
        if (hl__name_matches(pattern, name)) {
            match[s] = 1;
            count++;
        }
    }
    return count;
}

/* Levenshtein distance of a and b, capped at 255 (names are under HL__SLOT_NAME_CAP bytes). */
static int hl__edit_distance(const char *a, const char *b) {
    unsigned char row[HL__SLOT_NAME_CAP + 1];
    size_t i, j, na = strlen(a), nb = strlen(b);
    if (na > HL__SLOT_NAME_CAP || nb > HL__SLOT_NAME_CAP) return 255;
    for (j = 0; j <= nb; j++) row[j] = (unsigned char)(j < 255 ? j : 255);
    for (i = 1; i <= na; i++) {
        unsigned diag = row[0], up;
        row[0] = (unsigned char)(i < 255 ? i : 255);
        for (j = 1; j <= nb; j++) {
            unsigned best = diag + (a[i - 1] != b[j - 1]);
            up = row[j];
            if (up + 1 < best) best = up + 1;
            if ((unsigned)row[j - 1] + 1 < best) best = row[j - 1] + 1u;
            diag = up;
            row[j] = (unsigned char)(best < 255 ? best : 255);
        }
    }
    return row[nb];
}

HL__DEF hl_status hl_model_check_name(const hl_model *m, const char *name, hl_error *err) {
    char buf[HL__SLOT_NAME_CAP], best[3][HL__SLOT_NAME_CAP];
    int bestd[3] = {256, 256, 256}, k, d;
    int64_t s;
    if (!m || !name) return hl__fail(err, HL_ERR_ARG, "hl_model_check_name: model and name are required");
    for (s = 0; s < m->n_slots; s++) {
        if (!hl__slot_name(m, s, buf, sizeof buf)) continue;
        if (hl__name_matches(name, buf)) return HL_OK;
        if (s % HL_SUB_COUNT) continue; /* suggest points, not sub-points */
        d = hl__edit_distance(name, buf);
        for (k = 0; k < 3; k++)
            if (d < bestd[k]) {
                memmove(&best[k + 1], &best[k], (size_t)(2 - k) * sizeof best[0]);
                memmove(&bestd[k + 1], &bestd[k], (size_t)(2 - k) * sizeof bestd[0]);
                bestd[k] = d;
                snprintf(best[k], sizeof best[k], "%s", buf);
                break;
            }
    }
    return hl__fail(err, HL_ERR_NOT_FOUND, "'%s' is not a hook point of this %s model; nearest: %s%s%s%s%s", name,
                    m->cfg.architecture, best[0], bestd[1] < 256 ? ", " : "", bestd[1] < 256 ? best[1] : "",
                    bestd[2] < 256 ? ", " : "", bestd[2] < 256 ? best[2] : "");
}

HL__DEF hl_status hl_model_add_hook(hl_model *m, const char *name, hl_hook_fn fn, void *user,
                                    int *handle, hl_error *err) {
    hl__reg r;
    int64_t s;
    if (!m || !name || !fn) return hl__fail(err, HL_ERR_ARG, "hl_model_add_hook: model, name and fn are required");
    memset(&r, 0, sizeof r);
    r.match = (unsigned char *)hl__calloc((size_t)m->n_slots, 1);
    if (!r.match) goto oom;
    if (hl__match_slots(m, name, r.match) == 0) {
        hl__free(r.match);
        return hl__wrap(err, hl_model_check_name(m, name, err), "hl_model_add_hook");
    }
    if (m->n_regs == m->cap_regs) {
        size_t cap = m->cap_regs ? m->cap_regs * 2 : 8;
        hl__reg *nr = (hl__reg *)hl__realloc(m->regs, cap * sizeof(hl__reg));
        if (!nr) goto oom;
        m->regs = nr;
        m->cap_regs = cap;
    }
    r.fn = fn;
    r.user = user;
    r.handle = m->next_handle++;
    m->regs[m->n_regs++] = r;
    for (s = 0; s < m->n_slots; s++) m->slot_users[s] += r.match[s];
    hl__model_update_want(m);
    if (handle) *handle = r.handle;
    return HL_OK;
oom:
    hl__free(r.match);
    return hl__fail(err, HL_ERR_OOM, "hl_model_add_hook: out of memory");
}

HL__DEF hl_status hl_model_remove_hook(hl_model *m, int handle, hl_error *err) {
    size_t i;
    int64_t s;
    if (!m) return hl__fail(err, HL_ERR_ARG, "hl_model_remove_hook: model is NULL");
    for (i = 0; i < m->n_regs; i++) {
        if (m->regs[i].handle != handle) continue;
        for (s = 0; s < m->n_slots; s++) m->slot_users[s] -= m->regs[i].match[s];
        hl__free(m->regs[i].match);
        memmove(&m->regs[i], &m->regs[i + 1], (m->n_regs - i - 1) * sizeof(hl__reg));
        m->n_regs--;
        hl__model_update_want(m);
        return HL_OK;
    }
    return hl__fail(err, HL_ERR_NOT_FOUND, "hl_model_remove_hook: no hook with handle %d", handle);
}

HL__DEF void hl_model_reset_hooks(hl_model *m) {
    size_t i;
    if (!m) return;
    for (i = 0; i < m->n_regs; i++) hl__free(m->regs[i].match);
    m->n_regs = 0;
    memset(m->slot_users, 0, (size_t)m->n_slots * sizeof(int));
    hl__model_update_want(m);
}

HL__DEF hl_status hl_model_set_splice(hl_model *m, const char *name, hl_hook_fn fn, void *user,
                                      hl_error *err) {
    hl_hook id;
    int64_t layer, pt;
    hl__splice *sp;
    hl_status st;
    int k;
    if (!m || !name) return hl__fail(err, HL_ERR_ARG, "hl_model_set_splice: model and name are required");
    if ((st = hl_hook_parse(name, &id, &layer, err)) != HL_OK) return st;
    if (!hl_model_has_hook(m, id) || layer >= m->cfg.n_layers)
        return hl__fail(err, HL_ERR_NOT_FOUND, "hl_model_set_splice: '%s' is not a hook point of this %s model (%lld layers)",
                        name, m->cfg.architecture, (long long)m->cfg.n_layers);
    pt = hl__pt(id, layer);
    sp = &m->splices[pt];
    hl__splice_names_free(sp);
    sp->fn = NULL;
    sp->user = NULL;
    if (fn) { /* the sub-points' names, formatted once for the splice's life */
        char buf[HL__SLOT_NAME_CAP];
        for (k = 1; k < HL_SUB_COUNT; k++) {
            if (!hl__slot_name(m, hl__slot(pt, (hl_sub)k), buf, sizeof buf) || !(sp->sub_name[k] = hl__strdup(buf))) {
                hl__splice_names_free(sp);
                hl__model_update_want(m);
                return hl__fail(err, HL_ERR_OOM, "hl_model_set_splice: out of memory");
            }
        }
        sp->fn = fn;
        sp->user = user;
    }
    hl__model_update_want(m);
    return HL_OK;
}

HL__DEF void hl_model_clear_splices(hl_model *m) {
    int64_t pt;
    if (!m) return;
    for (pt = 0; pt < m->n_points; pt++) {
        hl__splice_names_free(&m->splices[pt]);
        m->splices[pt].fn = NULL;
        m->splices[pt].user = NULL;
    }
    hl__model_update_want(m);
}

HL__DEF int hl_names_filter_match(const hl_names_filter *f, const char *name) {
    size_t i;
    int ok;
    if (!f || (!f->names && !f->fn)) return 1;
    ok = f->names == NULL;
    for (i = 0; !ok && f->names && i < f->n_names; i++)
        if (f->names[i] && hl__name_matches(f->names[i], name))
            ok = 1;
    if (ok && f->fn) ok = f->fn(name, f->user) != 0;
    return ok;
}

/* ---- the pass ---- */
/* One call of the forward pass: everything that belongs to the call and not to the model. It is
   made by hl_model_run / run_with_cache / decode / generate, passed down every step, and handed to
   hooks and splices in hl_hook_info (a splice passes it back to hl_model_fire). A pass started
   from inside a hook is a pass of its own. */
struct hl_pass {
    hl_model      *m;
    int64_t        n, p0, K;   /* n rows: positions p0 .. p0+T-1 of each sequence; K = p0 + T keys */
    int64_t        B, T;       /* sequences and positions per sequence (n = B * T; one sequence: B = 1) */
    const int64_t *kbeg, *kend;/* [B] or NULL (all keys): sequence b's real keys are cache rows
                                  kbeg[b] .. kend[b]-1 (left padding: kbeg > 0; right: kend < K) */
    int64_t       *pos;        /* [n] each row's position id (rotary, learned positions) */
    int            stream;     /* ln1 run per q/k/v stream (split input): 0, 1, 2; -1 otherwise */
    int            embed_hook; /* 0 inside generate: TL's generate embeds without hook_embed */
    int64_t        start_layer;/* > 0: the pass starts at this block from `resid` (TL start_at_layer) */
    const float   *resid;      /* [n, d_model]: blocks.<start_layer>.hook_resid_pre's value */
    hl_cache      *cache;      /* run_with_cache: where captured points go; NULL otherwise */
    unsigned char *cache_slot; /* [n_slots] 1 where the cache takes the slot */
    hl_error      *err;
};

static void hl__pass_init(hl_pass *P, hl_model *m, int64_t n, hl_error *err) {
    memset(P, 0, sizeof *P);
    P->m = m;
    P->n = n;
    P->B = 1, P->T = n;
    P->p0 = m->kv_len;
    P->K = m->kv_len + n;
    P->stream = -1;
    P->embed_hook = 1;
    P->err = err;
}

/* Sequence b's real keys [lo, hi) among the cache rows (all K rows unless the pass is padded). */
static void hl__pass_keys(const hl_pass *P, int64_t b, int64_t *lo, int64_t *hi) {
    *lo = P->kbeg ? P->kbeg[b] : 0;
    *hi = P->kend ? P->kend[b] : P->K;
}
/* 1 when row r (row t = r % T of sequence b = r / T, cache row p0 + t) is padding. */
static int hl__pass_pad(const hl_pass *P, int64_t r) {
    int64_t lo, hi, k = P->p0 + r % P->T;
    hl__pass_keys(P, r / P->T, &lo, &hi);
    return k < lo || k >= hi;
}
/* Position ids [TL utils.get_offset_position_ids; HF position_ids from the attention mask]: the
   number of real tokens of the row's sequence before it (cumsum(mask) - 1, at least 0). One
   sequence: p0 + t. Left padding: t - pads, and 0 on the pads; right padding: the pads repeat the
   last real position. */
static void hl__pass_positions(hl_pass *P, int64_t *pos) {
    int64_t r, lo, hi, k, c;
    for (r = 0; r < P->n; r++) {
        hl__pass_keys(P, r / P->T, &lo, &hi);
        k = P->p0 + r % P->T;
        c = (k < hi ? k + 1 : hi) - lo; /* real tokens at cache rows <= k */
        pos[r] = c > 0 ? c - 1 : 0;
    }
}

/* Makes the pass B sequences of T rows each, after hl__pass_init (n = B * T, K = p0 + T). */
static void hl__pass_batch(hl_pass *P, int64_t B, int64_t T) {
    P->B = B, P->T = T;
    P->K = P->p0 + T;
}

static int hl__wants(const hl_pass *P, int64_t slot) {
    return P->m->slot_want[slot] || (P->cache_slot && P->cache_slot[slot]);
}

/* The user hooks of a slot (registration order), then the cache capture. */
static hl_status hl__run_slot(hl_pass *P, int64_t slot, const hl_hook_info *info, hl_tensor *t) {
    hl_model *m = P->m;
    hl_status st;
    size_t i;
    if (m->slot_users[slot])
        for (i = 0; i < m->n_regs; i++) {
            if (!m->regs[i].match[slot]) continue;
            if ((st = m->regs[i].fn(info, t, m->regs[i].user)) != HL_OK)
                return hl__fail(P->err, st, "hook %d on %s stopped the forward pass: %s", m->regs[i].handle, info->name,
                                hl_status_str(st));
        }
    if (P->cache_slot && P->cache_slot[slot]) return hl_cache_put(P->cache, info->name, t, P->err);
    return HL_OK;
}

/* Fires point (id, layer) with its value `data` (F32, the point's TL shape): user hooks, cache,
   then the splice, in that order. */
static hl_status hl__fire(hl_pass *P, hl_hook id, int64_t layer, float *data) {
    hl_model *m = P->m;
    const int64_t pt = hl__pt(id, layer);
    const hl__splice *sp = &m->splices[pt];
    hl_tensor t;
    hl_hook_info info;
    hl_status st;
    memset(&t, 0, sizeof t);
    t.dtype = HL_DTYPE_F32;
    t.ndim = hl__hook_dims(&m->cfg, id, P->B, P->T, P->K, P->stream, t.shape);
    t.data = data;
    info.name = m->pt_name[pt];
    info.id = id;
    info.sub = HL_SUB_NONE;
    info.layer = layer;
    info.pos0 = P->p0;
    info.stream = P->stream < 0 ? 0 : P->stream;
    info.pass = P;
    info.n_batch = P->B, info.n_pos = P->T;
    if ((st = hl__run_slot(P, hl__slot(pt, HL_SUB_NONE), &info, &t)) != HL_OK) return st;
    if (sp->fn && P->err) P->err->status = HL_OK, P->err->msg[0] = 0; /* so that a message below is the splice's */
    if (sp->fn && (st = sp->fn(&info, &t, sp->user)) != HL_OK) {
        if (P->err && P->err->status == st && P->err->msg[0]) return st; /* the splice filled the message */
        return hl__fail(P->err, st, "splice on %s failed: %s", info.name, hl_status_str(st));
    }
    return HL_OK;
}

/* Fires point (id, layer) when anything wants it; a step returns the failure at once. */
#define HL__HOOK(P, id, layer, data)                                                      \
    do {                                                                                  \
        if (hl__wants((P), hl__slot(hl__pt((id), (layer)), HL_SUB_NONE))) {               \
            hl_status hl__st_ = hl__fire((P), (id), (layer), (data));                     \
            if (hl__st_ != HL_OK) return hl__st_;                                         \
        }                                                                                 \
    } while (0)

HL__DEF hl_status hl_model_fire(const hl_hook_info *at, hl_sub sub, hl_tensor *act, hl_error *err) {
    hl_pass *P;
    hl_hook_info info;
    int64_t pt, slot;
    if (!at || !at->pass || sub <= HL_SUB_NONE || sub >= HL_SUB_COUNT || !act || act->dtype != HL_DTYPE_F32)
        return hl__fail(err, HL_ERR_ARG, "hl_model_fire: the splice's hl_hook_info, a sub-point and an F32 tensor are required");
    P = at->pass;
    pt = hl__pt(at->id, at->layer);
    slot = hl__slot(pt, sub);
    if (!P->m->splices[pt].fn) return hl__fail(err, HL_ERR_ARG, "hl_model_fire: %s has no splice", at->name);
    if (!hl__wants(P, slot)) return HL_OK;
    info = *at;
    info.name = P->m->splices[pt].sub_name[sub];
    info.sub = sub;
    if (err && err != P->err) { /* the hooks' failures go to the caller's error this time */
        hl_error *keep = P->err;
        hl_status st;
        P->err = err;
        st = hl__run_slot(P, slot, &info, act);
        P->err = keep;
        return st;
    }
    return hl__run_slot(P, slot, &info, act);
}


/* ---- cache ---- */
typedef struct hl__cache_entry {
    char     *name;
    hl_tensor t; /* owns t.data */
} hl__cache_entry;
/* run_with_cache empties the cache at the start of every run but keeps the old tensors' memory as
   spares: a tensor of the same byte size reuses one instead of a fresh allocation (whose pages the
   kernel would fault in and zero again), and whatever is left is freed when the run ends. */
typedef struct hl__cache_spare {
    void  *data;
    size_t nbytes;
} hl__cache_spare;
struct hl_cache {
    hl__cache_entry *e;
    size_t           n, cap;
    hl__cache_spare *sp;
    size_t           nsp, capsp;
};
/* Moves every tensor's memory to the spares (run_with_cache, before a run). */
static void hl__cache_recycle(hl_cache *c) {
    size_t i;
    if (c->nsp + c->n > c->capsp) {
        hl__cache_spare *ns = (hl__cache_spare *)hl__realloc(c->sp, (c->nsp + c->n) * sizeof *ns);
        if (!ns) { /* no room to keep them: just free */
            hl_cache_clear(c);
            return;
        }
        c->sp = ns;
        c->capsp = c->nsp + c->n;
    }
    for (i = 0; i < c->n; i++) {
        hl__free(c->e[i].name);
        c->sp[c->nsp].data = c->e[i].t.data;
        c->sp[c->nsp].nbytes = hl_tensor_nbytes(&c->e[i].t);
        c->nsp++;
    }
    c->n = 0;
}
static void hl__cache_drop_spares(hl_cache *c) {
    size_t i;
    for (i = 0; i < c->nsp; i++) hl__free(c->sp[i].data);
    c->nsp = 0;
}
/* A spare of exactly nb bytes (taken out of the list), or NULL. */
static void *hl__cache_take_spare(hl_cache *c, size_t nb) {
    size_t i;
    for (i = c->nsp; i-- > 0;)
        if (c->sp[i].nbytes == nb) {
            void *d = c->sp[i].data;
            c->sp[i] = c->sp[--c->nsp];
            return d;
        }
    return NULL;
}

HL__DEF hl_status hl_cache_create(hl_cache **out, hl_error *err) {
    hl_cache *c;
    if (!out) return hl__fail(err, HL_ERR_ARG, "hl_cache_create: out is NULL");
    c = (hl_cache *)hl__calloc(1, sizeof *c);
    if (!c) return hl__fail(err, HL_ERR_OOM, "hl_cache_create: out of memory");
    *out = c;
    return HL_OK;
}
HL__DEF void hl_cache_clear(hl_cache *c) {
    size_t i;
    if (!c) return;
    for (i = 0; i < c->n; i++) {
        hl__free(c->e[i].name);
        hl__free(c->e[i].t.data);
    }
    c->n = 0;
    hl__cache_drop_spares(c);
}
HL__DEF void hl_cache_free(hl_cache *c) {
    if (!c) return;
    hl_cache_clear(c);
    hl__free(c->e);
    hl__free(c->sp);
    hl__free(c);
}
HL__DEF size_t hl_cache_count(const hl_cache *c) {
    return c ? c->n : 0;
}
HL__DEF const char *hl_cache_name(const hl_cache *c, size_t i) {
    return (c && i < c->n) ? c->e[i].name : NULL;
}
HL__DEF const hl_tensor *hl_cache_tensor(const hl_cache *c, size_t i) {
    return (c && i < c->n) ? &c->e[i].t : NULL;
}
HL__DEF const hl_tensor *hl_cache_get(const hl_cache *c, const char *name) {
    size_t i;
    if (!c || !name) return NULL;
    for (i = 0; i < c->n; i++)
        if (strcmp(c->e[i].name, name) == 0) return &c->e[i].t;
    return NULL;
}
HL__DEF hl_status hl_cache_put(hl_cache *c, const char *name, const hl_tensor *t, hl_error *err) {
    size_t i, nb;
    void *data;
    if (!c || !name || !t || t->ndim < 0 || t->ndim > HL_MAX_DIMS || hl_dtype_size(t->dtype) == 0)
        return hl__fail(err, HL_ERR_ARG, "hl_cache_put: cache, name and a valid tensor are required");
    nb = hl_tensor_nbytes(t);
    data = c->nsp ? hl__cache_take_spare(c, nb) : NULL;
    if (!data) data = hl__malloc(nb);
    if (!data) return hl__fail(err, HL_ERR_OOM, "hl_cache_put: cannot allocate %llu bytes for '%s'", (unsigned long long)nb, name);
    if (nb) memcpy(data, t->data, nb);
    for (i = 0; i < c->n; i++)
        if (strcmp(c->e[i].name, name) == 0) {
            hl__free(c->e[i].t.data);
            c->e[i].t = *t;
            c->e[i].t.data = data;
            return HL_OK;
        }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        hl__cache_entry *ne = (hl__cache_entry *)hl__realloc(c->e, cap * sizeof *ne);
        if (!ne) {
            hl__free(data);
            return hl__fail(err, HL_ERR_OOM, "hl_cache_put: out of memory");
        }
        c->e = ne;
        c->cap = cap;
    }
    c->e[c->n].name = hl__strdup(name);
    if (!c->e[c->n].name) {
        hl__free(data);
        return hl__fail(err, HL_ERR_OOM, "hl_cache_put: out of memory");
    }
    c->e[c->n].t = *t;
    c->e[c->n].t.data = data;
    c->n++;
    return HL_OK;
}
static hl_status hl__cache_write(const hl_cache *c, const char *path, const char *const *meta, hl_error *err);
HL__DEF hl_status hl_cache_save(const hl_cache *c, const char *path, hl_error *err) {
    return hl__cache_write(c, path, NULL, err);
}
/* The cache to a safetensors file, with __metadata__ key/value pairs (NULL: none). */
static hl_status hl__cache_write(const hl_cache *c, const char *path, const char *const *meta, hl_error *err) {
    const char **names;
    hl_tensor *ts;
    size_t i;
    hl_status st;
    if (!c || !path) return hl__fail(err, HL_ERR_ARG, "hl_cache_save: cache and path are required");
    names = (const char **)hl__calloc(c->n + 1, sizeof(char *));
    ts = (hl_tensor *)hl__calloc(c->n + 1, sizeof(hl_tensor));
    if (!names || !ts) {
        hl__free((void *)names);
        hl__free(ts);
        return hl__fail(err, HL_ERR_OOM, "hl_cache_save: out of memory");
    }
    for (i = 0; i < c->n; i++) {
        names[i] = c->e[i].name;
        ts[i] = c->e[i].t;
    }
    st = hl_safetensors_write(path, names, ts, c->n, meta, err);
    hl__free((void *)names);
    hl__free(ts);
    return st;
}


/* ---- forward: the buffers of one pass ---- */
/* The activations of a pass, named. One allocation (the model keeps it between passes, see
   hl__scratch_take) is carved into these by hl__acts_carve; optional points get their buffers
   only when switched on. Shapes for n positions against K keys. */
typedef struct hl__acts {
    float *x;          /* [n, d]        the residual stream */
    float *xn, *sc;    /* [n, d], [n]   a norm's normalized input and its scale */
    float *xw;         /* [n, d]        normalized times the norm's weight: a matmul input */
    float *q, *k, *v;  /* [n, H, dh], [n, G, dh], [n, G, dh] */
    float *z;          /* [n, H, dh] */
    float *o;          /* [n, d]        an attention or MLP output */
    float *ao;         /* [n, d]        parallel blocks: attn_out until the MLP's output joins it */
    float *qkv;        /* [n, (H+2G)dh] a fused q/k/v product before the split */
    float *gate, *up;  /* [n, d_mlp]    gate (then post) and up projections */
    float *cs, *sn;    /* [n, dh/2]     the rotary table */
    float *cs_local, *sn_local; /* [n, dh/2] Gemma-3's sliding layers' table */
    float *hsc;        /* [n * max(H, G)] Gemma-3's q_norm / k_norm scales */
    float *rows;       /* [H, QB, K]    score rows of one query block per head */
    float *S;          /* [H, n, K]     all scores, then the pattern, when a hook or cache wants them */
    float *result;     /* [n, H, d]     attn.hook_result (HL_USE_ATTN_RESULT) */
    float *hin, *hn, *hs, *tx, *ty; /* per-stream ln1 inputs (split qkv / attn_in): [4n, H, d],
                                       [n, H, d], [n, H], and one head's x [n, d] and y [n, dh] */
    float *mlp_in;     /* [n, d]        hook_mlp_in (HL_USE_HOOK_MLP_IN) */
    float *wslice, *zh, *rh; /* one head's W_O [d, dh] (or share of W_Q/K/V), z [n, dh], result [n, d] */
    float   *mem;      /* the allocation behind all of them */
    uint64_t cap;      /* its size in floats */
} hl__acts;

#define HL__ATTN_QB 6 /* queries per score block: one register tile of the kernels' qk */

/* The forward scratch (~70 MB for 512 tokens of gemma-2-2b) is kept between passes instead of being
   mapped, faulted in and unmapped every call. A pass takes it out of the model while it runs, so a
   pass started from inside a hook gets a buffer of its own; giving back keeps the larger buffer,
   and none larger than HL_SCRATCH_KEEP bytes (a long prompt with cached attention scores needs
   gigabytes once, and should not hold them). Returns NULL if memory is short; *cap = its floats. */
#ifndef HL_SCRATCH_KEEP
#    define HL_SCRATCH_KEEP ((uint64_t)256 << 20)
#endif
static float *hl__scratch_take(hl_model *m, uint64_t total, uint64_t *cap) {
    float *p = m->scratch;
    if (p && m->scratch_cap >= total) {
        *cap = m->scratch_cap;
        m->scratch = NULL, m->scratch_cap = 0;
        return p;
    }
    *cap = 0;
    if (total > SIZE_MAX / sizeof(float) - 1) return NULL;
    if (!(p = (float *)hl__malloc((size_t)(total ? total : 1) * sizeof(float)))) return NULL;
    *cap = total;
    return p;
}
static void hl__scratch_give(hl_model *m, float *p, uint64_t cap) {
    if (!p) return;
    if (cap > HL_SCRATCH_KEEP / sizeof(float) || (m->scratch && m->scratch_cap >= cap)) {
        hl__free(p);
        return;
    }
    hl__free(m->scratch);
    m->scratch = p, m->scratch_cap = cap;
}

/* Carves the pass's buffers out of the model's scratch. */
static hl_status hl__acts_carve(hl_pass *P, hl__acts *a) {
    const hl_model *m = P->m;
    const hl_model_cfg *c = &m->cfg;
    const uint64_t n = (uint64_t)P->n, K = (uint64_t)P->K, d = (uint64_t)c->d_model, H = (uint64_t)c->n_heads;
    const uint64_t G = (uint64_t)c->n_kv_heads, dh = (uint64_t)c->d_head, dm = (uint64_t)c->d_mlp;
    const int headed = (m->flags & (HL_USE_ATTN_IN | HL_USE_SPLIT_QKV_INPUT)) != 0;
    const int result = (m->flags & HL_USE_ATTN_RESULT) != 0, mlp_in = (m->flags & HL_USE_HOOK_MLP_IN) != 0;
    int full_scores = 0;
    int64_t l;
    uint64_t total = 0;
    size_t i;
    float *p;
    for (l = 0; l < c->n_layers; l++)
        if (hl__wants(P, hl__slot(hl__pt(HL_HOOK_ATTN_SCORES, l), HL_SUB_NONE)) ||
            hl__wants(P, hl__slot(hl__pt(HL_HOOK_ATTN_PATTERN, l), HL_SUB_NONE)))
            full_scores = 1;
    memset(a, 0, sizeof *a);
    {
        struct { float **buf; uint64_t floats; } b[] = {
            {&a->x, n * d}, {&a->xn, n * d}, {&a->xw, n * d}, {&a->sc, n},
            {&a->q, n * H * dh}, {&a->k, n * G * dh}, {&a->v, n * G * dh}, {&a->z, n * H * dh},
            {&a->o, n * d}, {&a->ao, c->parallel ? n * d : 0}, {&a->qkv, m->layers[0].qkv.w ? n * (H + 2 * G) * dh : 0},
            {&a->gate, n * dm}, {&a->up, c->gated ? n * dm : 0},
            {&a->cs, n * (dh / 2)}, {&a->sn, n * (dh / 2)},
            {&a->cs_local, c->rope_local_theta > 0 ? n * (dh / 2) : 0}, {&a->sn_local, c->rope_local_theta > 0 ? n * (dh / 2) : 0},
            {&a->hsc, c->qk_norm ? n * H : 0},
            {&a->rows, H * HL__ATTN_QB * K}, {&a->S, full_scores ? H * n * K : 0},
            {&a->result, result ? n * H * d : 0},
            {&a->hin, headed ? 4 * n * H * d : 0}, {&a->hn, headed ? n * H * d : 0}, {&a->hs, headed ? n * H : 0},
            {&a->tx, headed ? n * d : 0}, {&a->ty, headed ? n * dh : 0},
            {&a->mlp_in, mlp_in ? n * d : 0},
            {&a->wslice, result || headed ? d * dh : 0}, {&a->zh, result ? n * dh : 0}, {&a->rh, result ? n * d : 0},
        };
        for (i = 0; i < sizeof b / sizeof b[0]; i++)
            if (!hl__add_ok(total, b[i].floats, &total)) total = UINT64_MAX;
        if (!(a->mem = hl__scratch_take(P->m, total, &a->cap)))
            return hl__fail(P->err, HL_ERR_OOM, "forward: cannot allocate scratch for %lld positions (%llu floats)",
                            (long long)P->n, (unsigned long long)total);
        for (p = a->mem, i = 0; i < sizeof b / sizeof b[0]; p += b[i].floats, i++) *b[i].buf = b[i].floats ? p : NULL;
    }
    return HL_OK;
}

/* Makes room for `need` positions of each of B sequences in the KV cache (grows geometrically up to
   n_ctx). Sequence b's rows start at b * kv_cap; the kv_len rows kept move with a new capacity. */
static hl_status hl__kv_reserve(hl_model *m, int64_t B, int64_t need, hl_error *err) {
    int64_t cap, l, b, s, row = m->cfg.n_kv_heads * m->cfg.d_head;
    uint64_t bytes;
    if (need <= m->kv_cap && B == m->kv_batch) return HL_OK;
    cap = m->kv_cap ? m->kv_cap : 64;
    while (cap < need) cap *= 2;
    if (cap > m->cfg.n_ctx) cap = m->cfg.n_ctx;
    if (!hl__mul_ok((uint64_t)cap * (uint64_t)B, (uint64_t)row * sizeof(float), &bytes) || bytes > SIZE_MAX)
        return hl__fail(err, HL_ERR_OOM, "KV cache: %lld x %lld positions do not fit in memory", (long long)B, (long long)cap);
    if (B != m->kv_batch) m->kv_len = 0; /* a batch of another size starts afresh (the callers reset first) */
    for (l = 0; l < m->cfg.n_layers; l++)
        for (s = 0; s < 2; s++) {
            float **slot = s ? &m->vc[l] : &m->kc[l], *k;
            if (B == 1 && m->kv_batch <= 1) { /* one sequence: realloc keeps the rows in place */
                if (!(k = (float *)hl__realloc(*slot, (size_t)bytes)))
                    return hl__fail(err, HL_ERR_OOM, "KV cache: cannot allocate %llu bytes", (unsigned long long)bytes);
            } else {
                if (!(k = (float *)hl__malloc((size_t)bytes)))
                    return hl__fail(err, HL_ERR_OOM, "KV cache: cannot allocate %llu bytes", (unsigned long long)bytes);
                for (b = 0; b < B && m->kv_len > 0; b++)
                    memcpy(k + b * cap * row, *slot + b * m->kv_cap * row, (size_t)(m->kv_len * row) * sizeof(float));
                hl__free(*slot);
            }
            *slot = k;
        }
    m->kv_cap = cap;
    m->kv_batch = B;
    return HL_OK;
}

/* ---- forward: row-wise steps ---- */
/* The norms, the residual adds, centrings and activations treat every row on its own, so with a
   pool they are split over rows; each row is computed exactly as on one thread (same functions,
   same order), so the bits do not depend on the thread count. */
typedef struct hl__rowjob {
    const hl__kernels *k;
    float             *y; /* output rows (ADD, MUL, CENTER, ACT: updated in place) */
    const float       *a; /* input rows (ADD: the addend; MUL: the other factor) */
    const float       *w; /* a norm's weight [d] */
    const float       *b; /* a norm's bias [d], or NULL */
    float             *s; /* a norm's scale [rows] */
    int64_t            d; /* row width */
    float              eps;
    hl_act_fn          act;
} hl__rowjob;

/* The mean of x[0], x[stride], ... (n values), summed in f64 and rounded once; and x minus it. The
   one centring of the library: LayerNorm, TL's centrings (HL_PROC_*), the analyses. */
static float hl__mean(const float *x, int64_t n, int64_t stride) {
    double sum = 0.0;
    int64_t i;
    for (i = 0; i < n; i++) sum += (double)x[i * stride];
    return (float)(sum / (double)n);
}
static void hl__center(float *x, int64_t n, int64_t stride) {
    const float mu = hl__mean(x, n, stride);
    int64_t i;
    for (i = 0; i < n; i++) x[i * stride] -= mu;
}
/* RMS statistics                           [TL RMSNormPre; HF Gemma2RMSNorm, LlamaRMSNorm]
 *   s[r]    = sqrt(mean_i a[r,i]^2 + eps)       the sum of squares in f64 (the kernels' sumsq)
 *   y[r,i]  = a[r,i] / s[r] */
static void hl__rms_rows(void *ctx, int64_t r0, int64_t r1) {
    const hl__rowjob *j = (const hl__rowjob *)ctx;
    int64_t r;
    for (r = r0; r < r1; r++) {
        j->s[r] = (float)sqrt(j->k->sumsq(j->a + r * j->d, j->d) / (double)j->d + (double)j->eps);
        j->k->div(j->y + r * j->d, j->a + r * j->d, j->s[r], j->d);
    }
}
/* LayerNorm statistics [Ba et al. arXiv:1607.06450; TL LayerNormPre; HF nn.LayerNorm]
 *   mu[r]   = mean_i a[r,i]                     (f64 sum)
 *   s[r]    = sqrt(mean_i (a[r,i] - mu)^2 + eps)  biased variance, eps inside the root
 *   y[r,i]  = (a[r,i] - mu) / s[r] */
static void hl__ln_rows(void *ctx, int64_t r0, int64_t r1) {
    const hl__rowjob *j = (const hl__rowjob *)ctx;
    int64_t r, i;
    for (r = r0; r < r1; r++) {
        const float *a = j->a + r * j->d;
        float *y = j->y + r * j->d;
        const float mu = hl__mean(a, j->d, 1);
        for (i = 0; i < j->d; i++) y[i] = a[i] - mu;
        j->s[r] = (float)sqrt(j->k->sumsq(y, j->d) / (double)j->d + (double)j->eps);
        j->k->div(y, y, j->s[r], j->d);
    }
}
/* The norm's learned weight and bias: y[r,i] = a[r,i] * w[i] (+ b[i]) (w = 1 + w_hf for Gemma,
   made at load; b only on LayerNorms whose bias FOLD_LN has not moved into the next layer). */
static void hl__affine_rows(void *ctx, int64_t r0, int64_t r1) {
    const hl__rowjob *j = (const hl__rowjob *)ctx;
    int64_t r, i;
    for (r = r0; r < r1; r++)
        for (i = 0; i < j->d; i++) j->y[r * j->d + i] = j->a[r * j->d + i] * j->w[i];
    if (j->b)
        for (r = r0; r < r1; r++)
            for (i = 0; i < j->d; i++) j->y[r * j->d + i] += j->b[i];
}
/* The residual stream: y += a. */
static void hl__add_rows(void *ctx, int64_t r0, int64_t r1) {
    const hl__rowjob *j = (const hl__rowjob *)ctx;
    int64_t i;
    for (i = r0 * j->d; i < r1 * j->d; i++) j->y[i] += j->a[i];
}
/* The product of a gated MLP's halves: y *= a. */
static void hl__mul_rows(void *ctx, int64_t r0, int64_t r1) {
    const hl__rowjob *j = (const hl__rowjob *)ctx;
    int64_t i;
    for (i = r0 * j->d; i < r1 * j->d; i++) j->y[i] *= j->a[i];
}
/* A row minus its mean: CENTER_WRITING_WEIGHTS (over d_model) and CENTER_UNEMBED (over the
   vocabulary), see HL_PROC_*. */
static void hl__center_rows(void *ctx, int64_t r0, int64_t r1) {
    const hl__rowjob *j = (const hl__rowjob *)ctx;
    int64_t r;
    for (r = r0; r < r1; r++) hl__center(j->y + r * j->d, j->d, 1);
}
/* MLP activations, in place:
 *   GELU_TANH  0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))   the kernels' gelu [HF gelu_new,
 *                                                                 gelu_pytorch_tanh]
 *   SILU       x / (1 + exp(-x))                                  [HF silu]
 *   GELU       0.5 x (1 + erf(x / sqrt(2)))  (in f64)             [HF "gelu", torch GELU()]
 *   RELU       max(x, 0)
 * A gated MLP [Shazeer, GLU variants, arXiv:2002.05202] then multiplies by the linear half
 * (hl__mul_rows): GeGLU (Gemma), SwiGLU (Llama, Mistral). */
static void hl__act_rows(void *ctx, int64_t r0, int64_t r1) {
    const hl__rowjob *j = (const hl__rowjob *)ctx;
    float *y = j->y;
    int64_t i;
    switch (j->act) {
    case HL_ACT_GELU_TANH: j->k->gelu(y + r0 * j->d, y + r0 * j->d, (r1 - r0) * j->d); break;
    case HL_ACT_SILU:
        for (i = r0 * j->d; i < r1 * j->d; i++) y[i] = y[i] / (1.0f + expf(-y[i]));
        break;
    case HL_ACT_GELU:
        for (i = r0 * j->d; i < r1 * j->d; i++) y[i] = (float)(0.5 * (double)y[i] * (1.0 + erf((double)y[i] * 0.70710678118654752440)));
        break;
    case HL_ACT_RELU:
        for (i = r0 * j->d; i < r1 * j->d; i++) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
        break;
    }
}
/* Runs a row-wise step over rows [0, rows) of width d, on the pool when big enough. */
static void hl__rows(const hl_pass *P, hl__task_fn fn, float *y, const float *a, const hl__normw *nw, float *s,
                     int64_t rows, int64_t d) {
    hl__rowjob j;
    j.k = P->m->kern, j.y = y, j.a = a, j.w = nw ? nw->w : NULL, j.b = nw ? nw->b : NULL, j.s = s, j.d = d;
    j.eps = P->m->cfg.eps, j.act = P->m->cfg.act;
    hl__parallel_for((double)rows * (double)d >= HL__PAR_ROWS ? P->m->pool : NULL, rows, 1, fn, &j);
}

/* A norm and its two hook points (the *_SCALE point `id`, then the *_NORMALIZED point after it):
 *   sc[r]   = sqrt(mean_i x[r,i]^2 + eps)       RMSNorm     -> <norm>.hook_scale      [1, n, 1]
 *           = sqrt(var_i x[r,i] + eps)           LayerNorm
 *   xn[r,i] = x[r,i] / sc[r]  (LN: x - mean first)            -> <norm>.hook_normalized [1, n, d]
 *   y[r,i]  = xn[r,i] * w[i] (+ b[i])            (y NULL: the caller applies w itself) */
static hl_status hl__norm(hl_pass *P, hl_hook id, int64_t l, const float *x, int64_t rows, const hl__normw *w,
                          float *xn, float *sc, float *y) {
    const int64_t d = P->m->cfg.d_model;
    hl__rows(P, P->m->cfg.norm == HL_NORM_LN ? hl__ln_rows : hl__rms_rows, xn, x, NULL, sc, rows, d);
    HL__HOOK(P, id, l, sc);
    HL__HOOK(P, (hl_hook)(id + 1), l, xn);
    if (y) hl__rows(P, hl__affine_rows, y, xn, w, NULL, rows, d);
    return HL_OK;
}
/* CENTER_WRITING_WEIGHTS on what a step writes to the residual stream ([rows, d_model]). */
static void hl__center_written(const hl_pass *P, float *y, int64_t rows) {
    if (P->m->cfg.processing & HL_PROC_CENTER_WRITING_WEIGHTS)
        hl__rows(P, hl__center_rows, y, NULL, NULL, NULL, rows, P->m->cfg.d_model);
}

/* ---- forward: rotary embedding ---- */
/* Rotary embedding, rotate-half ("NeoX") pairing        [RoFormer arXiv:2104.09864; HF
 * apply_rotary_pos_emb with rotate_half; TL abstract_attention.py], on the first R = rotary_dim
 * channels of each head (R = d_head, but rotary_pct of it for NeoX; the rest pass unchanged):
 *   theta_j = pos * rope_theta^(-2j / R),  j < R/2
 *   x'[j]       = x[j] cos theta_j - x[j + R/2] sin theta_j
 *   x'[j + R/2] = x[j + R/2] cos theta_j + x[j] sin theta_j
 * i.e. channel j pairs with channel j + R/2 (not the adjacent one, as Meta's layout does):
 *     [ x0 x1 .. x(h-1) | xh .. x(2h-1) | untouched ]   pairs (x0, xh), (x1, xh+1), ...
 * The angles are computed in f64 and rounded once: cs, sn: [n, R/2], pos = each row's position id. Linear rope_scaling divides
 * the frequencies by its factor (scale; 1 = none). Gemma-3's sliding layers have a table of their
 * own, with rope_local_base_freq and no scaling (cs_local, sn_local). */
static void hl__rope_table(const int64_t *pos, int64_t n, int64_t R, float theta, float scale, float *cs, float *sn) {
    int64_t i, j, half = R / 2;
    for (i = 0; i < n; i++)
        for (j = 0; j < half; j++) {
            double inv = pow((double)theta, -2.0 * (double)j / (double)R) / (double)scale;
            double a = (double)pos[i] * inv;
            cs[i * half + j] = (float)cos(a);
            sn[i * half + j] = (float)sin(a);
        }
}
/* Applies RoPE in place to the first R channels of every head of x: [n, heads, d_head]. */
static void hl__rope_apply(float *x, int64_t n, int64_t heads, int64_t dh, int64_t R, const float *cs,
                           const float *sn) {
    int64_t i, h, j, half = R / 2;
    for (i = 0; i < n; i++)
        for (h = 0; h < heads; h++) {
            float *v = x + (i * heads + h) * dh;
            for (j = 0; j < half; j++) {
                float c = cs[i * half + j], s = sn[i * half + j], a = v[j], b = v[j + half];
                v[j] = a * c - b * s;
                v[j + half] = b * c + a * s;
            }
        }
}

/* ---- forward: attention ---- */
/* Attention of one layer, split over heads (independent outputs: the thread count does not change
 * a single bit). GQA: query head h reads kv head g = h / (n_heads / n_kv_heads).
 *   s[h,i,k] = q[i,h,:] . k[k,g,:] / attn_scale          attn_scale: sqrt(query_pre_attn_scalar)
 *                                                         (Gemma-2) or sqrt(d_head)
 *   s = cap * tanh(s / cap)                               Gemma-2 attn_logit_softcapping
 *   s = -inf where k > qpos (causal), or, on sliding layers, where k <= qpos - window
 *                                                         -> attn.hook_attn_scores [1, H, n, K]
 *   p[h,i,:] = softmax_k s[h,i,:]                        -> attn.hook_pattern     [1, H, n, K]
 *   z[i,h,:] = sum_k p[h,i,k] v[k,g,:]                   -> attn.hook_z           [1, n, H, d_head]
 * q: [n, H, dh] (rotated), kc/vc: [K, G, dh] (the KV cache, rotated keys), qpos = p0 + i, K = p0 + n.
 * When no hook or cache wants the scores or the pattern, each head takes HL__ATTN_QB queries at a
 * time through scores, softmax and z in a few rows of scratch (nothing [H, n, K] is kept);
 * otherwise the three steps go through all of S so that hooks can see and edit it. Both run the
 * same block functions, so the bits agree. */
typedef struct hl__attn {
    const hl__kernels *k;
    const float       *q, *kc, *vc;
    float             *z, *S, *rows;
    int64_t            n, K, p0, H, G, dh, window;
    int64_t            ld, hs; /* row stride of score rows (S and rows), head stride of S */
    float              scale, cap;
} hl__attn;

/* The keys query i sees form one run lo <= k <= hi: causal (k <= qpos) and, on sliding layers,
   k > qpos - window; everything else is -inf. */
static void hl__attn_run(const hl__attn *c, int64_t i, int64_t *lo, int64_t *hi) {
    int64_t qp = c->p0 + i;
    *hi = qp < c->K - 1 ? qp : c->K - 1;
    *lo = c->window > 0 && qp - c->window + 1 > 0 ? qp - c->window + 1 : 0;
}
/* Scores of queries i0 .. i0+nb-1 of head h into rows blk + r*ld (r < nb). The dot products of the
   block are one qk call over the union of the rows' runs (lo and hi grow with i); each row then
   gets its mask, the 1/attn_scale and the soft-cap. A score's bits do not depend on nb. */
static void hl__attn_scores(const hl__attn *c, int64_t h, int64_t i0, int64_t nb, float *blk) {
    int64_t g = h / (c->H / c->G), lo0, hi0, lo1, hi1, lo, hi, r, k;
    hl__attn_run(c, i0, &lo0, &hi0);
    hl__attn_run(c, i0 + nb - 1, &lo1, &hi1);
    if (lo0 <= hi1)
        c->k->qk(blk + lo0, c->ld, c->q + (i0 * c->H + h) * c->dh, c->H * c->dh, nb, c->kc + (lo0 * c->G + g) * c->dh,
                 c->G * c->dh, hi1 - lo0 + 1, c->dh);
    for (r = 0; r < nb; r++) {
        float *row = blk + r * c->ld;
        hl__attn_run(c, i0 + r, &lo, &hi);
        for (k = 0; k < lo && k < c->K; k++) row[k] = -INFINITY;
        for (k = hi + 1; k < c->K; k++) row[k] = -INFINITY;
        if (lo > hi) continue;
        for (k = lo; k <= hi; k++) row[k] /= c->scale;
        if (c->cap > 0.0f) c->k->softcap(row + lo, hi - lo + 1, c->cap);
    }
}
/* z rows of queries i0 .. i0+nb-1 of head h from their probability rows blk + r*ld, summing keys
   k0 .. k1 (every key that may carry weight). */
static void hl__attn_z(const hl__attn *c, int64_t h, int64_t i0, int64_t nb, const float *blk, int64_t k0, int64_t k1) {
    int64_t g = h / (c->H / c->G);
    c->k->pv((int)nb, c->z + (i0 * c->H + h) * c->dh, c->H * c->dh, blk, c->ld, k0, k1, c->vc + g * c->dh,
             c->G * c->dh, c->dh);
}
/* Heads h0 .. h1-1, one block of queries at a time: scores, softmax and z in the block's rows. A
   probability row is zero outside its run, so z sums the union of the block's runs. A query that
   sees no key (a right-padding row past a sliding window) gets a zero row, as TL's NaN -> 0. */
static void hl__attn_fused_task(void *ctx, int64_t h0, int64_t h1) {
    const hl__attn *c = (const hl__attn *)ctx;
    int64_t h, i0, r, nb, lo, hi, lo0, hi0, lo1, hi1;
    for (h = h0; h < h1; h++)
        for (i0 = 0; i0 < c->n; i0 += HL__ATTN_QB) {
            float *blk = c->rows + h * HL__ATTN_QB * c->ld;
            nb = c->n - i0 < HL__ATTN_QB ? c->n - i0 : HL__ATTN_QB;
            hl__attn_scores(c, h, i0, nb, blk);
            for (r = 0; r < nb; r++) {
                hl__attn_run(c, i0 + r, &lo, &hi);
                if (lo > hi) memset(blk + r * c->ld, 0, (size_t)c->K * sizeof(float));
                else c->k->softmax(blk + r * c->ld, c->K);
            }
            hl__attn_run(c, i0, &lo0, &hi0);
            hl__attn_run(c, i0 + nb - 1, &lo1, &hi1);
            hl__attn_z(c, h, i0, nb, blk, lo0, hi1);
        }
}
/* The same three steps over all of S [H, n, K], one at a time, so that hooks run between them.
   After a pattern hook any key may carry weight: z sums them all. */
static void hl__attn_scores_task(void *ctx, int64_t h0, int64_t h1) {
    const hl__attn *c = (const hl__attn *)ctx;
    int64_t h, i0;
    for (h = h0; h < h1; h++)
        for (i0 = 0; i0 < c->n; i0 += HL__ATTN_QB)
            hl__attn_scores(c, h, i0, c->n - i0 < HL__ATTN_QB ? c->n - i0 : HL__ATTN_QB, c->S + h * c->hs + i0 * c->ld);
}
/* softmax of each row; a row of -inf only gives NaN, which becomes 0 (TL: torch.where(isnan)). */
static void hl__attn_softmax_task(void *ctx, int64_t h0, int64_t h1) {
    const hl__attn *c = (const hl__attn *)ctx;
    int64_t h, i, k;
    for (h = h0; h < h1; h++)
        for (i = 0; i < c->n; i++) {
            float *row = c->S + h * c->hs + i * c->ld;
            c->k->softmax(row, c->K);
            for (k = 0; k < c->K; k++)
                if (row[k] != row[k]) row[k] = 0.0f;
        }
}
static void hl__attn_z_task(void *ctx, int64_t h0, int64_t h1) {
    const hl__attn *c = (const hl__attn *)ctx;
    int64_t h, i0;
    for (h = h0; h < h1; h++)
        for (i0 = 0; i0 < c->n; i0 += HL__ATTN_QB)
            hl__attn_z(c, h, i0, c->n - i0 < HL__ATTN_QB ? c->n - i0 : HL__ATTN_QB, c->S + h * c->hs + i0 * c->ld, 0,
                       c->K - 1);
}

/* Batches [TL attention_mask; HF eager attention with a padding mask]: each sequence b attends
 * only among its real keys, cache rows kbeg .. kend-1 (hl_pass). Its attention is that of the
 * sequence alone: the same kernels over the same runs, on pointers moved to its first real query
 * and key, so a batch gives a sequence's bits. What the padding leaves over, in the hooks' [B, H,
 * T, K] scores and pattern: -inf and 0 for pad keys, and rows of -inf and 0 (z = 0) for pad
 * queries before the first real key (left padding; TL's NaN -> 0). Right-padding queries attend
 * to their sequence's real keys (TL with an attention mask). Returns the sequence's job; *qoff:
 * its leading pad rows (none of its rows are real when c->n = 0). */
static void hl__attn_seq(const hl_pass *P, int64_t l, const hl__acts *a, int64_t b, hl__attn *c, int64_t *qoff) {
    const hl_model *m = P->m;
    const hl_model_cfg *cf = &m->cfg;
    const int64_t H = cf->n_heads, G = cf->n_kv_heads, dh = cf->d_head;
    int64_t lo, hi, off;
    hl__pass_keys(P, b, &lo, &hi);
    off = lo > P->p0 ? lo - P->p0 : 0;
    if (off > P->T) off = P->T;
    *qoff = off;
    c->k = m->kern;
    c->n = P->T - off, c->p0 = P->p0 + off - lo, c->K = hi - lo;
    c->H = H, c->G = G, c->dh = dh;
    c->q = a->q + (b * P->T + off) * H * dh, c->z = a->z + (b * P->T + off) * H * dh;
    c->kc = m->kc[l] + (b * m->kv_cap + lo) * G * dh, c->vc = m->vc[l] + (b * m->kv_cap + lo) * G * dh;
    c->ld = P->K, c->hs = P->T * P->K;
    c->S = a->S ? a->S + (b * H * P->T + off) * P->K + lo : NULL;
    c->rows = a->rows;
    c->window = m->is_local[l] ? cf->window : 0;
    c->scale = cf->attn_scale, c->cap = cf->attn_softcap;
}
/* The parts of S [B, H, T, K] outside every sequence's own block (see hl__attn_seq) set to v. */
static void hl__attn_pad_fill(const hl_pass *P, float *S, float v) {
    const int64_t H = P->m->cfg.n_heads, K = P->K;
    int64_t b, h, t, k, lo, hi, off;
    if (!P->kbeg && !P->kend) return;
    for (b = 0; b < P->B; b++) {
        hl__pass_keys(P, b, &lo, &hi);
        off = lo > P->p0 ? lo - P->p0 : 0;
        for (h = 0; h < H; h++)
            for (t = 0; t < P->T; t++) {
                float *row = S + ((b * H + h) * P->T + t) * K;
                for (k = 0; k < K; k++)
                    if (t < off || k < lo || k >= hi) row[k] = v;
            }
    }
}

static hl_status hl__attention(hl_pass *P, int64_t l, hl__acts *a) {
    const hl_model *m = P->m;
    const hl_model_cfg *cf = &m->cfg;
    const int64_t H = cf->n_heads, dh = cf->d_head;
    hl__attn c;
    hl__pool *pool;
    int64_t b, off;
    const int want_s = hl__wants(P, hl__slot(hl__pt(HL_HOOK_ATTN_SCORES, l), HL_SUB_NONE)) ||
                       hl__wants(P, hl__slot(hl__pt(HL_HOOK_ATTN_PATTERN, l), HL_SUB_NONE));
    /* small attention (decoding) runs on the calling thread: waking the pool costs more than the work */
    pool = (double)H * (double)P->T * (double)P->K * (double)dh < HL__PAR_ATTN ? NULL : m->pool;
    for (b = 0; b < P->B; b++) { /* left padding: z of the rows before the first real key is 0 */
        hl__attn_seq(P, l, a, b, &c, &off);
        memset(a->z + b * P->T * H * dh, 0, (size_t)(off * H * dh) * sizeof(float));
    }
    if (want_s) {
        for (b = 0; b < P->B; b++)
            if (hl__attn_seq(P, l, a, b, &c, &off), c.n > 0) hl__parallel_for(pool, c.H, 1, hl__attn_scores_task, &c);
        hl__attn_pad_fill(P, a->S, -INFINITY);
        HL__HOOK(P, HL_HOOK_ATTN_SCORES, l, a->S);
        for (b = 0; b < P->B; b++)
            if (hl__attn_seq(P, l, a, b, &c, &off), c.n > 0) hl__parallel_for(pool, c.H, 1, hl__attn_softmax_task, &c);
        hl__attn_pad_fill(P, a->S, 0.0f);
        HL__HOOK(P, HL_HOOK_ATTN_PATTERN, l, a->S);
        for (b = 0; b < P->B; b++)
            if (hl__attn_seq(P, l, a, b, &c, &off), c.n > 0) hl__parallel_for(pool, c.H, 1, hl__attn_z_task, &c);
    } else {
        for (b = 0; b < P->B; b++)
            if (hl__attn_seq(P, l, a, b, &c, &off), c.n > 0) hl__parallel_for(pool, c.H, 1, hl__attn_fused_task, &c);
    }
    return HL_OK;
}

/* ---- forward: the steps ---- */
/* Embedding [HF Gemma2Model.forward: hidden = embed_tokens(ids) * normalizer; GPT2Model: wte + wpe]:
 *   x[i,:]  = W_E[token_i,:] * sqrt(d_model)   (Gemma; the constant is float32(sqrt(d_model)))
 *   x[i,:]  = W_E[token_i,:]                   (the others)                -> hook_embed     [1, n, d]
 *   pe[i,:] = W_pos[pos_i,:]                   (learned positions)         -> hook_pos_embed [1, n, d]
 *             (pos_i = p0 + i for one sequence; see hl__pass_positions for batches)
 *   x      += pe
 * CENTER_WRITING_WEIGHTS centres the rows of W_E and W_pos over d_model: here, the rows read. */
static hl_status hl__embed(hl_pass *P, const int32_t *tokens, hl__acts *a) {
    const hl_model *m = P->m;
    const int64_t d = m->cfg.d_model;
    const float normalizer = m->cfg.embed_scale ? sqrtf((float)d) : 1.0f;
    int64_t i, j;
    for (i = 0; i < P->n; i++) {
        if (hl_dtype_is_quantized(m->embed->dtype)) /* a GGUF row: dequantized block by block */
            hl__dequant_rows(m->kern, m->embed->dtype, (const uint8_t *)m->embed->data, hl_dtype_row_bytes(m->embed->dtype, d),
                             tokens[i], 1, d, a->x + i * d);
        else
            for (j = 0; j < d; j++) a->x[i * d + j] = hl__load_w(m->embed->data, m->embed->dtype, (int64_t)tokens[i] * d + j);
        for (j = 0; j < d; j++) a->x[i * d + j] *= normalizer;
    }
    hl__center_written(P, a->x, P->n);
    if (P->embed_hook) HL__HOOK(P, HL_HOOK_EMBED, -1, a->x);
    if (m->pos) {
        for (i = 0; i < P->n; i++)
            for (j = 0; j < d; j++) /* padding rows get no position (TL PosEmbed: masked_fill with 0) */
                a->o[i * d + j] = hl__pass_pad(P, i) ? 0.0f : hl__load_w(m->pos->data, m->pos->dtype, P->pos[i] * d + j);
        hl__center_written(P, a->o, P->n);
        HL__HOOK(P, HL_HOOK_POS_EMBED, -1, a->o);
        hl__rows(P, hl__add_rows, a->x, a->o, NULL, NULL, P->n, d);
    }
    return HL_OK;
}

/* Outputs [c0, c0 + nc) of linear layer L for rows x [rows, in]: y [rows, nc] (one head's share of
   a projection). nn.Linear keeps them as nc contiguous rows of W; the [in, out] layout as a column
   slice, copied to f32 [nc, in] in ws first. */
static void hl__lin_cols(const hl_model *m, const hl__lin *L, int64_t c0, int64_t nc, const float *x, int64_t rows,
                         float *y, float *ws) {
    const hl_tensor *W = L->w;
    int64_t r, j;
    if (L->in_out) { /* r: input feature, j: output column */
        const int64_t K = W->shape[0], N = W->shape[1];
        for (j = 0; j < nc; j++)
            for (r = 0; r < K; r++) ws[j * K + r] = hl__load_w(W->data, W->dtype, r * N + c0 + j);
        hl__matmul(m->kern, m->pool, y, x, ws, HL_DTYPE_F32, rows, nc, K);
    } else {
        const int64_t K = W->shape[1];
        hl__matmul(m->kern, m->pool, y, x, (const uint8_t *)W->data + (size_t)c0 * (size_t)hl_dtype_row_bytes(W->dtype, K),
                   W->dtype, rows, nc, K);
    }
    hl__add_bias(y, L->b ? L->b + c0 : NULL, rows, nc);
}

/* The linear layer that makes stream s (0 q, 1 k, 2 v): the fused one, or the stream's own. */
static const hl__lin *hl__qkv_lin(const hl__layer_w *lw, int s) {
    return lw->qkv.w ? &lw->qkv : (s == 0 ? &lw->q : (s == 1 ? &lw->k : &lw->v));
}

/* q, k, v with ln1 run per head, for the optional split-input / attn_in points [TL
 * use_split_qkv_input, use_attn_in]: stream s (q: H heads, k and v: G heads) gets its own copy of
 * the input per head [n, heads, d], its own ln1 (whose hooks then have a head axis), and each head
 * multiplies its own share of W_Q / W_K / W_V. The values equal the shared path's. */
static hl_status hl__qkv_headed(hl_pass *P, int64_t l, hl__acts *a) {
    const hl_model *m = P->m;
    const hl_model_cfg *c = &m->cfg;
    const hl__layer_w *lw = &m->layers[l];
    const int64_t n = P->n, d = c->d_model, H = c->n_heads, G = c->n_kv_heads, dh = c->d_head, rep = H / G;
    static const hl_hook split_ids[3] = {HL_HOOK_Q_INPUT, HL_HOOK_K_INPUT, HL_HOOK_V_INPUT};
    int64_t i, h, j;
    int s;
    float *attn_in = NULL;
    hl_status st;
    if (m->flags & HL_USE_ATTN_IN) {
        /* hook_attn_in: resid_pre copied once per query head  [n, H, d] */
        attn_in = a->hin + 3 * n * H * d;
        for (i = 0; i < n; i++)
            for (h = 0; h < H; h++) memcpy(attn_in + (i * H + h) * d, a->x + i * d, (size_t)d * sizeof(float));
        HL__HOOK(P, HL_HOOK_ATTN_IN, l, attn_in);
    }
    for (s = 0; s < 3; s++) {
        const int64_t nh = s == 0 ? H : G;
        float *in = a->hin + s * n * H * d, *out = s == 0 ? a->q : (s == 1 ? a->k : a->v);
        for (i = 0; i < n; i++)
            for (h = 0; h < nh; h++) {
                const float *src = a->x + i * d; /* split inputs copy resid_pre (TL v2) */
                if (attn_in && !(m->flags & HL_USE_SPLIT_QKV_INPUT)) src = attn_in + (i * H + (s == 0 ? h : h * rep)) * d;
                memcpy(in + (i * nh + h) * d, src, (size_t)d * sizeof(float));
            }
        P->stream = s;
        if (m->flags & HL_USE_SPLIT_QKV_INPUT) HL__HOOK(P, split_ids[s], l, in);
        if ((st = hl__norm(P, HL_HOOK_LN1_SCALE, l, in, n * nh, &lw->ln1, a->hn, a->hs, a->hn)) != HL_OK) return st;
        for (h = 0; h < nh; h++) {
            /* head h: y[i, :] = xw[i, h, :] @ (head h's dh outputs of stream s) */
            for (i = 0; i < n; i++) memcpy(a->tx + i * d, a->hn + (i * nh + h) * d, (size_t)d * sizeof(float));
            hl__lin_cols(m, hl__qkv_lin(lw, s), hl__qkv_col(m, s, h), dh, a->tx, n, a->ty, a->wslice);
            for (i = 0; i < n; i++)
                for (j = 0; j < dh; j++) out[(i * nh + h) * dh + j] = a->ty[i * dh + j];
        }
    }
    P->stream = -1;
    return HL_OK;
}

/* ln1, then q = (x_hat * w_ln1) W_Q^T + b_Q, k and v likewise   [HF q_proj / k_proj / v_proj;
 * GPT-2 c_attn and NeoX query_key_value: one fused product, split by hl__qkv_col]
 *   q: [n, H, dh]  k, v: [n, G, dh]              -> ln1.hook_scale, ln1.hook_normalized */
static hl_status hl__qkv(hl_pass *P, int64_t l, hl__acts *a) {
    const hl_model *m = P->m;
    const hl_model_cfg *c = &m->cfg;
    const hl__layer_w *lw = &m->layers[l];
    const int64_t n = P->n, d = c->d_model, H = c->n_heads, G = c->n_kv_heads, dh = c->d_head;
    float *const ys[3] = {a->q, a->k, a->v};
    const int64_t heads[3] = {H, G, G};
    int64_t i, h;
    int s;
    hl_status st;
    if (m->flags & (HL_USE_ATTN_IN | HL_USE_SPLIT_QKV_INPUT)) return hl__qkv_headed(P, l, a);
    if ((st = hl__norm(P, HL_HOOK_LN1_SCALE, l, a->x, n, &lw->ln1, a->xn, a->sc, a->xw)) != HL_OK) return st;
    if (lw->qkv.w) {
        const int64_t ld = (H + 2 * G) * dh;
        hl__lin_apply(m, &lw->qkv, a->xw, n, a->qkv);
        for (s = 0; s < 3; s++)
            for (i = 0; i < n; i++)
                for (h = 0; h < heads[s]; h++)
                    memcpy(ys[s] + (i * heads[s] + h) * dh, a->qkv + i * ld + hl__qkv_col(m, s, h), (size_t)dh * sizeof(float));
        return HL_OK;
    }
    { /* separate projections (nn.Linear in every family that has them): one pool pass, same bits */
        const void *const ws[3] = {lw->q.w->data, lw->k.w->data, lw->v.w->data};
        const hl_dtype wd[3] = {lw->q.w->dtype, lw->k.w->dtype, lw->v.w->dtype};
        const int64_t ns[3] = {H * dh, G * dh, G * dh};
        const float *bs[3] = {lw->q.b, lw->k.b, lw->v.b};
        hl__matmul_multi(m->kern, m->pool, 3, ys, a->xw, ws, wd, n, ns, d);
        for (s = 0; s < 3; s++) hl__add_bias(ys[s], bs[s], n, ns[s]);
    }
    return HL_OK;
}

/* How a block ends, attention or MLP, with its output o:
 *   o = o / RMS(o) * w_post        Gemma-2's post-norm (post_norms)   -> <post>.hook_scale, hook_normalized
 *                                                                      -> hook_attn_out / hook_mlp_out
 *   x = x + o                      the residual stream                 -> hook_resid_mid / hook_resid_post */
static hl_status hl__block_out(hl_pass *P, int64_t l, hl_hook post_scale, const hl__normw *w_post, hl_hook out,
                               hl_hook resid, hl__acts *a) {
    hl_status st;
    if (P->m->cfg.post_norms && (st = hl__norm(P, post_scale, l, a->o, P->n, w_post, a->xn, a->sc, a->o)) != HL_OK)
        return st;
    HL__HOOK(P, out, l, a->o);
    hl__rows(P, hl__add_rows, a->x, a->o, NULL, NULL, P->n, P->m->cfg.d_model);
    HL__HOOK(P, resid, l, a->x);
    return HL_OK;
}

/* Attention block [HF Gemma2DecoderLayer / LlamaDecoderLayer / GPT2Block / GPTNeoXLayer; TL
 * TransformerBlock]. */
static hl_status hl__attn_block(hl_pass *P, int64_t l, hl__acts *a) {
    const hl_model *m = P->m;
    const hl_model_cfg *c = &m->cfg;
    const hl__layer_w *lw = &m->layers[l];
    const int64_t n = P->n, d = c->d_model, H = c->n_heads, G = c->n_kv_heads, dh = c->d_head;
    int64_t b;
    hl_status st;
    HL__HOOK(P, HL_HOOK_RESID_PRE, l, a->x);

    /* ln1 and q, k, v (above)                   -> attn.hook_q, hook_k, hook_v */
    if ((st = hl__qkv(P, l, a)) != HL_OK) return st;
    if (m->qk_pair_rows) { /* Llama GGUF: back to Hugging Face's order (hl__qk_stored); z is free until attention */
        hl__qk_unpermute(a->q, n * H, dh, a->z);
        hl__qk_unpermute(a->k, n * G, dh, a->z);
    }
    HL__HOOK(P, HL_HOOK_ATTN_Q, l, a->q);
    HL__HOOK(P, HL_HOOK_ATTN_K, l, a->k);
    HL__HOOK(P, HL_HOOK_ATTN_V, l, a->v);

    /* Gemma-3's q_norm and k_norm [HF Gemma3Attention]: RMSNorm over each head's d_head, times
     * (1 + w), on q and k before rotary      -> attn.hook_q_normed, attn.hook_k_normed */
    if (c->qk_norm) {
        hl__rows(P, hl__rms_rows, a->q, a->q, NULL, a->hsc, n * H, dh);
        hl__rows(P, hl__affine_rows, a->q, a->q, &lw->q_norm, NULL, n * H, dh);
        hl__rows(P, hl__rms_rows, a->k, a->k, NULL, a->hsc, n * G, dh);
        hl__rows(P, hl__affine_rows, a->k, a->k, &lw->k_norm, NULL, n * G, dh);
        HL__HOOK(P, HL_HOOK_ATTN_Q_NORMED, l, a->q);
        HL__HOOK(P, HL_HOOK_ATTN_K_NORMED, l, a->k);
    }

    /* rotary positions on q and k               -> attn.hook_rot_q, attn.hook_rot_k */
    if (c->rotary_dim > 0) {
        const int loc = c->rope_local_theta > 0 && m->is_local[l]; /* Gemma-3: sliding layers' base */
        hl__rope_apply(a->q, n, H, dh, c->rotary_dim, loc ? a->cs_local : a->cs, loc ? a->sn_local : a->sn);
        hl__rope_apply(a->k, n, G, dh, c->rotary_dim, loc ? a->cs_local : a->cs, loc ? a->sn_local : a->sn);
        HL__HOOK(P, HL_HOOK_ATTN_ROT_Q, l, a->q);
        HL__HOOK(P, HL_HOOK_ATTN_ROT_K, l, a->k);
    }
    /* the new (rotated) keys and values become rows p0 .. p0+T-1 of each sequence's KV cache */
    for (b = 0; b < P->B; b++) {
        memcpy(m->kc[l] + (b * m->kv_cap + P->p0) * G * dh, a->k + b * P->T * G * dh, (size_t)(P->T * G * dh) * sizeof(float));
        memcpy(m->vc[l] + (b * m->kv_cap + P->p0) * G * dh, a->v + b * P->T * G * dh, (size_t)(P->T * G * dh) * sizeof(float));
    }

    /* scores, pattern, z (above)                -> attn.hook_attn_scores, hook_pattern, hook_z */
    if ((st = hl__attention(P, l, a)) != HL_OK) return st;
    HL__HOOK(P, HL_HOOK_ATTN_Z, l, a->z);

    /* output projection [HF o_proj / c_proj / dense]: o[i,:] = z[i,:,:] (flattened) W_O^T + b_O
     * with use_attn_result: result[i,h,:] = z[i,h,:] W_O[h]^T, o = sum_h result[i,h,:] + b_O
     *                                           -> attn.hook_result [1, n, H, d]
     * CENTER_WRITING_WEIGHTS: W_O and b_O centred over d_model, i.e. result and o minus their means */
    if (m->flags & HL_USE_ATTN_RESULT) {
        const hl_tensor *W = lw->o.w;
        int64_t h, jj, e, i;
        for (h = 0; h < H; h++) {
            /* W_O[h]: inputs h*dh .. (h+1)*dh of o_proj: a strided slice of nn.Linear's [d, H*dh], copied
               to f32 [d, dh]; a contiguous block [dh, d] of the [in, out] layout */
            for (i = 0; i < n; i++) memcpy(a->zh + i * dh, a->z + (i * H + h) * dh, (size_t)dh * sizeof(float));
            if (lw->o.in_out) {
                hl__matmul_nn(m->kern, m->pool, a->rh, a->zh, (const uint8_t *)W->data + (size_t)(h * dh * d) * hl_dtype_size(W->dtype),
                              W->dtype, n, d, dh);
            } else {
                for (e = 0; e < d; e++)
                    for (jj = 0; jj < dh; jj++) a->wslice[e * dh + jj] = hl__load_w(W->data, W->dtype, e * H * dh + h * dh + jj);
                hl__matmul(m->kern, m->pool, a->rh, a->zh, a->wslice, HL_DTYPE_F32, n, d, dh);
            }
            hl__center_written(P, a->rh, n);
            for (i = 0; i < n; i++) memcpy(a->result + (i * H + h) * d, a->rh + i * d, (size_t)d * sizeof(float));
        }
        HL__HOOK(P, HL_HOOK_ATTN_RESULT, l, a->result);
        for (i = 0; i < n; i++)
            for (e = 0; e < d; e++) {
                float acc = 0.0f;
                for (h = 0; h < H; h++) acc += a->result[(i * H + h) * d + e];
                a->o[i * d + e] = acc;
                if (lw->o.b) a->o[i * d + e] += lw->o.b[e];
            }
    } else {
        hl__lin_apply(m, &lw->o, a->z, n, a->o);
    }
    hl__center_written(P, a->o, n);
    /* parallel blocks (NeoX): attn_out waits in a->ao until the MLP's output joins it */
    if (c->parallel) {
        float *t = a->o;
        HL__HOOK(P, HL_HOOK_ATTN_OUT, l, a->o);
        a->o = a->ao, a->ao = t;
        return HL_OK;
    }
    /* Gemma-2's post-attention norm [TL ln1_post; HF post_attention_layernorm], then
     *   resid_mid = resid_pre + attn_out          -> hook_attn_out, hook_resid_mid */
    return hl__block_out(P, l, HL_HOOK_LN1_POST_SCALE, &lw->ln1_post, HL_HOOK_ATTN_OUT, HL_HOOK_RESID_MID, a);
}

/* MLP block [HF Gemma2MLP / LlamaMLP / GPT2MLP / GPTNeoXMLP; TL GatedMLP, MLP]:
 *   ln2 [TL blocks.L.ln2; HF pre_feedforward_layernorm (Gemma-2) / post_attention_layernorm / ln_2]
 *   of resid_mid, or of resid_pre on parallel blocks (NeoX)
 *   gated: pre = x_hat W_gate^T,  pre_linear = x_hat W_up^T,  post = act(pre) * pre_linear
 *   plain: pre = x_hat W_in^T + b_in,  post = act(pre)                      [n, d_mlp]
 *   f = post W_out^T + b_out          [n, d]   (centred over d_model: CENTER_WRITING_WEIGHTS) */
static hl_status hl__mlp_block(hl_pass *P, int64_t l, hl__acts *a) {
    const hl_model *m = P->m;
    const hl_model_cfg *c = &m->cfg;
    const hl__layer_w *lw = &m->layers[l];
    const int64_t n = P->n, d = c->d_model, dm = c->d_mlp;
    const float *ln2_in = a->x;
    hl_status st;
    if (m->flags & HL_USE_HOOK_MLP_IN) { /* TL: hook_mlp_in(resid_mid.clone()) feeds ln2 */
        memcpy(a->mlp_in, a->x, (size_t)(n * d) * sizeof(float));
        HL__HOOK(P, HL_HOOK_MLP_IN, l, a->mlp_in);
        ln2_in = a->mlp_in;
    }
    if ((st = hl__norm(P, HL_HOOK_LN2_SCALE, l, ln2_in, n, &lw->ln2, a->xn, a->sc, a->xw)) != HL_OK) return st;
    if (c->gated) {
        float *const ys[2] = {a->gate, a->up};
        const void *const ws[2] = {lw->gate.w->data, lw->in.w->data};
        const hl_dtype wd[2] = {lw->gate.w->dtype, lw->in.w->dtype};
        const int64_t ns[2] = {dm, dm};
        hl__matmul_multi(m->kern, m->pool, 2, ys, a->xw, ws, wd, n, ns, d); /* one pool pass, same bits */
        HL__HOOK(P, HL_HOOK_MLP_PRE, l, a->gate);
        HL__HOOK(P, HL_HOOK_MLP_PRE_LINEAR, l, a->up);
        hl__rows(P, hl__act_rows, a->gate, NULL, NULL, NULL, n, dm);
        hl__rows(P, hl__mul_rows, a->gate, a->up, NULL, NULL, n, dm);
    } else {
        hl__lin_apply(m, &lw->in, a->xw, n, a->gate);
        HL__HOOK(P, HL_HOOK_MLP_PRE, l, a->gate);
        hl__rows(P, hl__act_rows, a->gate, NULL, NULL, NULL, n, dm);
    }
    HL__HOOK(P, HL_HOOK_MLP_POST, l, a->gate);
    hl__lin_apply(m, &lw->out, a->gate, n, a->o);
    hl__center_written(P, a->o, n);
    /* parallel blocks: resid_post = resid_pre + attn_out + mlp_out (TL's order) */
    if (c->parallel) hl__rows(P, hl__add_rows, a->x, a->ao, NULL, NULL, n, d);
    /* Gemma-2's post-MLP norm [TL ln2_post; HF post_feedforward_layernorm], then
     *   resid_post = resid_mid + mlp_out          -> hook_mlp_out, hook_resid_post
     * (resid_post is also the next block's resid_pre: the same buffer) */
    return hl__block_out(P, l, HL_HOOK_LN2_POST_SCALE, &lw->ln2_post, HL_HOOK_MLP_OUT, HL_HOOK_RESID_POST, a);
}

/* Final norm and unembedding [HF model.norm / ln_f / final_layer_norm, lm_head (or the tied W_E)]:
 *   logits = (x_hat * w_norm (+ b_norm)) W_U^T + b_U    W_U: [d_vocab, d]   -> ln_final.hook_scale,
 *   logits -= mean_v logits                  CENTER_UNEMBED                     hook_normalized
 *   logits = cap * tanh(logits / cap)        Gemma-2 final_logit_softcapping
 * logits: NULL, [n, d_vocab], or (last_only) the last row of each sequence [B, d_vocab]. */
static hl_status hl__unembed(hl_pass *P, hl__acts *a, float *logits, int last_only) {
    const hl_model *m = P->m;
    const hl_model_cfg *c = &m->cfg;
    const int64_t n = P->n, d = c->d_model, V = c->d_vocab, nr = last_only ? P->B : n;
    int64_t b;
    hl_status st;
    if ((st = hl__norm(P, HL_HOOK_LN_FINAL_SCALE, -1, a->x, n, NULL, a->xn, a->sc, NULL)) != HL_OK) return st;
    if (!logits) return HL_OK;
    if (last_only) /* the last row of each sequence */
        for (b = 0; b < P->B; b++)
            hl__rows(P, hl__affine_rows, a->xw + b * d, a->xn + (b * P->T + P->T - 1) * d, &m->final_norm, NULL, 1, d);
    else
        hl__rows(P, hl__affine_rows, a->xw, a->xn, &m->final_norm, NULL, n, d);
    hl__lin_apply(m, &m->unembed, a->xw, nr, logits);
    if (c->processing & HL_PROC_CENTER_UNEMBED) hl__rows(P, hl__center_rows, logits, NULL, NULL, NULL, nr, V);
    if (c->final_softcap > 0.0f) m->kern->softcap(logits, nr * V, c->final_softcap);
    return HL_OK;
}

/* ---- forward ---- */
/* One forward pass over tokens[0..n) at positions p0 = kv_len .. p0+n-1, appending to the KV cache
   (llama2.c's forward, run.c 231-362, with a hook at every TL point). A pass stopped by a hook
   leaves the KV cache as it was. */
static hl_status hl__forward(hl_pass *P, const int32_t *tokens, float *logits, int last_only) {
    hl_model *m = P->m;
    hl__acts a;
    int64_t i, l;
    hl_status st;
    if (P->n <= 0 || (!tokens && !P->resid))
        return hl__fail(P->err, HL_ERR_ARG, "forward: need at least one token (got %lld)", (long long)P->n);
    if (P->T > m->cfg.n_ctx || P->p0 > m->cfg.n_ctx - P->T)
        return hl__fail(P->err, HL_ERR_LIMIT, "forward: %lld cached + %lld new positions exceed n_ctx %lld",
                        (long long)P->p0, (long long)P->T, (long long)m->cfg.n_ctx);
    for (i = 0; tokens && i < P->n; i++)
        if (tokens[i] < 0 || tokens[i] >= m->cfg.d_vocab)
            return hl__fail(P->err, HL_ERR_ARG, "forward: token %lld at position %lld is outside the vocabulary [0, %lld)",
                            (long long)tokens[i], (long long)i, (long long)m->cfg.d_vocab);
    if ((st = hl__kv_reserve(m, P->B, P->K, P->err)) != HL_OK) return st;
    if (!(P->pos = (int64_t *)hl__malloc((size_t)P->n * sizeof(int64_t))))
        return hl__fail(P->err, HL_ERR_OOM, "forward: out of memory");
    hl__pass_positions(P, P->pos);
    if ((st = hl__acts_carve(P, &a)) != HL_OK) {
        hl__free(P->pos);
        return st;
    }

    if (P->start_layer > 0) /* TL start_at_layer: the residual stream is given */
        memcpy(a.x, P->resid, (size_t)(P->n * m->cfg.d_model) * sizeof(float)), st = HL_OK;
    else
        st = hl__embed(P, tokens, &a);
    if (m->cfg.rotary_dim > 0)
        hl__rope_table(P->pos, P->n, m->cfg.rotary_dim, m->cfg.rope_theta, m->cfg.rope_scale > 0 ? m->cfg.rope_scale : 1.0f,
                       a.cs, a.sn);
    if (m->cfg.rotary_dim > 0 && m->cfg.rope_local_theta > 0)
        hl__rope_table(P->pos, P->n, m->cfg.rotary_dim, m->cfg.rope_local_theta, 1.0f, a.cs_local, a.sn_local);
    for (l = P->start_layer; st == HL_OK && l < m->cfg.n_layers; l++) {
        st = hl__attn_block(P, l, &a);
        if (st == HL_OK) st = hl__mlp_block(P, l, &a);
    }
    if (st == HL_OK) st = hl__unembed(P, &a, logits, last_only);

    if (st == HL_OK) m->kv_len = P->start_layer > 0 ? 0 : P->K; /* earlier layers' KV rows are stale */
    hl__scratch_give(m, a.mem, a.cap);
    hl__free(P->pos);
    P->pos = NULL;
    return st;
}

/* ---- run ---- */
HL__DEF void hl_model_kv_reset(hl_model *m) {
    if (m) m->kv_len = 0;
}
HL__DEF int64_t hl_model_kv_len(const hl_model *m) {
    return m ? m->kv_len : 0;
}

HL__DEF hl_status hl_model_decode(hl_model *m, const int32_t *tokens, int64_t n, float *logits,
                                  int last_only, hl_error *err) {
    hl_pass P;
    if (!m) return hl__fail(err, HL_ERR_ARG, "hl_model_decode: model is NULL");
    if (m->kv_len > 0 && m->kv_batch > 1)
        return hl__fail(err, HL_ERR_ARG, "hl_model_decode: the KV cache holds a batch of %lld sequences", (long long)m->kv_batch);
    hl__pass_init(&P, m, n, err);
    return hl__forward(&P, tokens, logits, last_only);
}

HL__DEF hl_status hl_model_run_from(hl_model *m, int64_t layer, const float *resid, int64_t n, float *logits,
                                    hl_error *err) {
    hl_pass P;
    if (!m || !resid || layer <= 0 || layer >= m->cfg.n_layers)
        return hl__fail(err, HL_ERR_ARG, "hl_model_run_from: model, resid and a layer in [1, n_layers) are required");
    m->kv_len = 0;
    hl__pass_init(&P, m, n, err);
    P.start_layer = layer;
    P.resid = resid;
    return hl__forward(&P, NULL, logits, 0);
}

/* The pass of run and run_with_cache (cache != NULL): B sequences of T tokens from position 0;
   kb: NULL, or each sequence's real cache rows (kbeg [B] then kend [B]). */
static hl_status hl__run(hl_model *m, const int32_t *tokens, int64_t B, int64_t T, const int64_t *kb,
                         const hl_names_filter *filter, hl_cache *cache, float *logits, hl_error *err) {
    hl_pass P;
    hl_status st;
    int64_t pt;
    int k;
    m->kv_len = 0;
    hl__pass_init(&P, m, B * T, err);
    hl__pass_batch(&P, B, T);
    if (kb) P.kbeg = kb, P.kend = kb + B;
    if (!cache) return hl__forward(&P, tokens, logits, 0);
    P.cache = cache;
    P.cache_slot = (unsigned char *)hl__calloc((size_t)m->n_slots, 1);
    if (!P.cache_slot) return hl__fail(err, HL_ERR_OOM, "hl_model_run_with_cache: out of memory");
    /* which points (and sub-points of the splices set now) the filter takes */
    for (pt = 0; pt < m->n_points; pt++) {
        if (!m->pt_name[pt]) continue;
        P.cache_slot[hl__slot(pt, HL_SUB_NONE)] = (unsigned char)hl_names_filter_match(filter, m->pt_name[pt]);
        if (m->splices[pt].fn)
            for (k = 1; k < HL_SUB_COUNT; k++)
                P.cache_slot[hl__slot(pt, (hl_sub)k)] = (unsigned char)hl_names_filter_match(filter, m->splices[pt].sub_name[k]);
    }
    hl__cache_recycle(cache); /* empty, with the old tensors' memory kept for reuse */
    st = hl__forward(&P, tokens, logits, 0);
    hl__cache_drop_spares(cache);
    hl__free(P.cache_slot);
    return st;
}

HL__DEF hl_status hl_model_run(hl_model *m, const int32_t *tokens, int64_t n, float *logits,
                               hl_error *err) {
    if (!m) return hl__fail(err, HL_ERR_ARG, "hl_model_run: model is NULL");
    return hl__run(m, tokens, 1, n, NULL, NULL, NULL, logits, err);
}

HL__DEF hl_status hl_model_run_with_cache(hl_model *m, const int32_t *tokens, int64_t n,
                                          const hl_names_filter *filter, hl_cache *cache,
                                          float *logits, hl_error *err) {
    if (!m || !cache) return hl__fail(err, HL_ERR_ARG, "hl_model_run_with_cache: model and cache are required");
    return hl__run(m, tokens, 1, n, NULL, filter, cache, logits, err);
}

/* ---- batches ---- */
/* Checks a batch; *kb: NULL when no row is padded, else each row's real cache rows, kbeg [B] then
   kend [B] (left padding: the last lengths[b] of n_pos; right: the first). Free with hl__free. */
static hl_status hl__batch_keys(const hl_model *m, const hl_batch *bt, const char *fn, int64_t **kb, hl_error *err) {
    int64_t b, B, T, *k;
    int padded = 0;
    *kb = NULL;
    if (!m || !bt || !bt->tokens || bt->n_batch < 1 || bt->n_pos < 1)
        return hl__fail(err, HL_ERR_ARG, "%s: a model and a batch of at least one row of one token are required", fn);
    B = bt->n_batch, T = bt->n_pos;
    if (B > INT64_MAX / T || (uint64_t)(B * T) > SIZE_MAX / sizeof(int64_t))
        return hl__fail(err, HL_ERR_LIMIT, "%s: %lld x %lld tokens is too many", fn, (long long)B, (long long)T);
    if (bt->padding_side != HL_PAD_RIGHT && bt->padding_side != HL_PAD_LEFT)
        return hl__fail(err, HL_ERR_ARG, "%s: padding_side must be HL_PAD_RIGHT or HL_PAD_LEFT", fn);
    for (b = 0; bt->lengths && b < B; b++) {
        if (bt->lengths[b] < 1 || bt->lengths[b] > T)
            return hl__fail(err, HL_ERR_ARG, "%s: lengths[%lld] = %lld is not in [1, n_pos = %lld]", fn, (long long)b,
                            (long long)bt->lengths[b], (long long)T);
        padded |= bt->lengths[b] != T;
    }
    if (!padded) return HL_OK;
    if (!(k = (int64_t *)hl__malloc((size_t)(2 * B) * sizeof(int64_t)))) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", fn);
    for (b = 0; b < B; b++) {
        k[b] = bt->padding_side == HL_PAD_LEFT ? T - bt->lengths[b] : 0;
        k[B + b] = bt->padding_side == HL_PAD_LEFT ? T : bt->lengths[b];
    }
    *kb = k;
    return HL_OK;
}

static hl_status hl__run_batch(hl_model *m, const hl_batch *bt, const hl_names_filter *filter, hl_cache *cache,
                               float *logits, const char *fn, hl_error *err) {
    int64_t *kb;
    hl_status st;
    if ((st = hl__batch_keys(m, bt, fn, &kb, err)) != HL_OK) return st;
    st = hl__run(m, bt->tokens, bt->n_batch, bt->n_pos, kb, filter, cache, logits, err);
    m->kv_len = 0; /* hl_model_decode continues one sequence only */
    hl__free(kb);
    return st;
}
HL__DEF hl_status hl_model_run_batch(hl_model *m, const hl_batch *batch, float *logits, hl_error *err) {
    return hl__run_batch(m, batch, NULL, NULL, logits, "hl_model_run_batch", err);
}
HL__DEF hl_status hl_model_run_with_cache_batch(hl_model *m, const hl_batch *batch, const hl_names_filter *filter,
                                                hl_cache *cache, float *logits, hl_error *err) {
    if (!cache) return hl__fail(err, HL_ERR_ARG, "hl_model_run_with_cache_batch: a cache is required");
    return hl__run_batch(m, batch, filter, cache, logits, "hl_model_run_with_cache_batch", err);
}

/* The pad id of to_tokens_batch and generate's finished rows: the tokenizer's pad, else eos (TL). */
static int32_t hl__pad_id(const hl_model *m) {
    int32_t t = m->tok ? hl_tokenizer_pad_id(m->tok) : -1;
    if (t < 0 && m->tok) t = hl_tokenizer_eos_id(m->tok);
    if (t < 0) t = m->cfg.pad_id >= 0 ? m->cfg.pad_id : m->cfg.eos_id;
    return t >= 0 && t < m->cfg.d_vocab ? t : 0;
}

/* s as a JSON string literal (quotes and escapes) appended to b. */
static void hl__json_quote(hl__buf *b, const char *s) {
    hl__json_quote_n(b, s, strlen(s));
}

/* The __metadata__ of a saved cache (see hl_model_save_activations): key, value, ..., NULL in kv,
   the strings in one buffer b. */
static hl_status hl__cache_meta(const hl_model *m, const int32_t *tokens, int64_t n, const char *const *extra,
                                hl__buf *b, const char **kv, size_t cap, hl_error *err) {
    size_t offs[16], nk = 0, i;
    char **strs = NULL;
    const unsigned pr = m->cfg.processing;
    char tmp[160];
    int64_t t;
#define HL__META(key, fill)                                                                        \
    do {                                                                                           \
        offs[nk++] = b->len;                                                                       \
        hl__buf_push(b, key, strlen(key) + 1);                                                     \
        offs[nk++] = b->len;                                                                       \
        fill;                                                                                      \
        hl__buf_putc(b, 0);                                                                        \
    } while (0)
    HL__META("hooklens_version", hl__buf_push(b, hl_version(), strlen(hl_version())));
    if (m->path) HL__META("model", hl__buf_push(b, m->path, strlen(m->path)));
    HL__META("architecture", hl__buf_push(b, m->cfg.architecture, strlen(m->cfg.architecture)));
    snprintf(tmp, sizeof tmp, "{\"fold_ln\": %s, \"center_writing_weights\": %s, \"center_unembed\": %s, "
             "\"fold_value_biases\": %s}", (pr & HL_PROC_FOLD_LN) ? "true" : "false",
             (pr & HL_PROC_CENTER_WRITING_WEIGHTS) ? "true" : "false", (pr & HL_PROC_CENTER_UNEMBED) ? "true" : "false",
             (pr & HL_PROC_FOLD_VALUE_BIASES) ? "true" : "false");
    HL__META("processing", hl__buf_push(b, tmp, strlen(tmp)));
    if (m->tok && hl_model_to_str_tokens(m, tokens, n, &strs, NULL) == HL_OK) {
        HL__META("str_tokens", {
            hl__buf_putc(b, '[');
            for (t = 0; t < n; t++) {
                if (t) hl__buf_push(b, ", ", 2);
                hl__json_quote(b, strs[t]);
            }
            hl__buf_putc(b, ']');
        });
        hl_free(strs);
    }
#undef HL__META
    for (i = 0; extra && extra[i] && extra[i + 1] && nk + 2 <= 14; i += 2) {
        offs[nk++] = b->len;
        hl__buf_push(b, extra[i], strlen(extra[i]) + 1);
        offs[nk++] = b->len;
        hl__buf_push(b, extra[i + 1], strlen(extra[i + 1]) + 1);
    }
    if (b->oom || nk + 1 > cap) return hl__fail(err, HL_ERR_OOM, "hl_model_save_activations: out of memory");
    for (i = 0; i < nk; i++) kv[i] = b->data + offs[i];
    kv[nk] = NULL;
    return HL_OK;
}

HL__DEF hl_status hl_model_save_activations(hl_model *m, const int32_t *tokens, int64_t n,
                                            const hl_names_filter *filter, const char *path,
                                            const char *const *meta, size_t *n_saved, hl_error *err) {
    hl_cache *c = NULL;
    float *logits = NULL;
    int64_t *ids = NULL, i;
    hl_tensor t;
    hl_status st;
    if (!m || !tokens || n <= 0 || !path) return hl__fail(err, HL_ERR_ARG, "hl_model_save_activations: model, tokens and path are required");
    if ((uint64_t)n > SIZE_MAX / sizeof(float) / (uint64_t)m->cfg.d_vocab)
        return hl__fail(err, HL_ERR_OOM, "hl_model_save_activations: %lld positions of logits do not fit in memory", (long long)n);
    logits = (float *)hl__malloc((size_t)n * (size_t)m->cfg.d_vocab * sizeof(float));
    ids = (int64_t *)hl__malloc((size_t)n * sizeof(int64_t));
    if (!logits || !ids) { st = hl__fail(err, HL_ERR_OOM, "hl_model_save_activations: out of memory"); goto done; }
    if ((st = hl_cache_create(&c, err)) != HL_OK) goto done;
    if ((st = hl_model_run_with_cache(m, tokens, n, filter, c, logits, err)) != HL_OK) goto done;
    memset(&t, 0, sizeof t);
    t.dtype = HL_DTYPE_F32;
    t.ndim = 3;
    t.shape[0] = 1;
    t.shape[1] = n;
    t.shape[2] = m->cfg.d_vocab;
    t.data = logits;
    if ((st = hl_cache_put(c, "logits", &t, err)) != HL_OK) goto done;
    for (i = 0; i < n; i++) ids[i] = tokens[i];
    t.dtype = HL_DTYPE_I64;
    t.ndim = 2;
    t.data = ids;
    if ((st = hl_cache_put(c, "tokens", &t, err)) != HL_OK) goto done;
    {
        hl__buf mb;
        const char *kv[17];
        memset(&mb, 0, sizeof mb);
        st = hl__cache_meta(m, tokens, n, meta, &mb, kv, sizeof kv / sizeof kv[0], err);
        if (st == HL_OK) st = hl__cache_write(c, path, kv, err);
        hl__buf_free(&mb);
        if (st != HL_OK) goto done;
    }
    if (n_saved) *n_saved = hl_cache_count(c);
done:
    hl_cache_free(c);
    hl__free(logits);
    hl__free(ids);
    return st;
}


/* ---- generate ---- */
/* splitmix64 [Steele, Lea, Flood 2014]: a tiny, seedable PRNG; every seed gives a good stream. */
static uint64_t hl__rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double hl__rng_uniform(uint64_t *s) { /* [0, 1) with 53 bits */
    return (double)(hl__rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

static int64_t hl__argmax(const float *x, int64_t n) {
    int64_t i, best = 0;
    for (i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    return best;
}

typedef struct hl__sort_item {
    float   v;
    int32_t i;
} hl__sort_item;
static int hl__sort_desc(const void *a, const void *b) {
    const hl__sort_item *x = (const hl__sort_item *)a, *y = (const hl__sort_item *)b;
    if (x->v > y->v) return -1;
    if (x->v < y->v) return 1;
    return x->i < y->i ? -1 : (x->i > y->i);
}

/* TL sample_logits (utils.py), on one row of logits [V] (modified in place):
 *   temperature 0 -> argmax; else logits /= T; logits -= freq_penalty * count(token);
 *   top_k: keep logits >= k-th largest; else top_p: sort descending, keep tokens whose preceding
 *   cumulative probability is <= p (the crossing token and the top-1 always stay);
 *   then sample from softmax(logits) with the PRNG. */
static int32_t hl__sample(float *lg, int64_t V, const hl_generate_opts *o, const int32_t *hist,
                          int64_t n_hist, uint64_t *rng, hl__sort_item *tmp) {
    int64_t i;
    double sum = 0.0, u, acc = 0.0;
    float mx;
    if (o->temperature <= 0.0f) return (int32_t)hl__argmax(lg, V);
    for (i = 0; i < V; i++) lg[i] /= o->temperature;
    if (o->freq_penalty != 0.0f)
        for (i = 0; i < n_hist; i++)
            if (hist[i] >= 0 && hist[i] < V) lg[hist[i]] -= o->freq_penalty;
    if (o->top_k > 0 || (o->top_p > 0.0f && o->top_p < 1.0f)) {
        for (i = 0; i < V; i++) {
            tmp[i].v = lg[i];
            tmp[i].i = (int32_t)i;
        }
        qsort(tmp, (size_t)V, sizeof *tmp, hl__sort_desc);
        if (o->top_k > 0) {
            float kth = tmp[(o->top_k < V ? o->top_k : V) - 1].v;
            for (i = 0; i < V; i++)
                if (lg[i] < kth) lg[i] = -INFINITY;
        } else {
            double cum = 0.0, z = 0.0;
            int64_t keep;
            for (i = 0; i < V; i++) z += exp((double)(tmp[i].v - tmp[0].v));
            for (keep = 0; keep < V; keep++) {
                if (keep > 0 && cum > (double)o->top_p) break; /* previous cumsum > p: removed */
                cum += exp((double)(tmp[keep].v - tmp[0].v)) / z;
            }
            for (i = keep; i < V; i++) lg[tmp[i].i] = -INFINITY;
        }
    }
    mx = lg[hl__argmax(lg, V)];
    for (i = 0; i < V; i++) sum += lg[i] == -INFINITY ? 0.0 : exp((double)(lg[i] - mx));
    u = hl__rng_uniform(rng) * sum;
    for (i = 0; i < V; i++) {
        if (lg[i] == -INFINITY) continue;
        acc += exp((double)(lg[i] - mx));
        if (u < acc) return (int32_t)i;
    }
    return (int32_t)hl__argmax(lg, V);
}

/* One pass of generate, appending n tokens to the KV cache; the last row of logits into lg. TL's
   generate embeds the tokens itself, so hook_embed does not fire. */
static hl_status hl__generate_pass(hl_model *m, const int32_t *toks, int64_t n, float *lg, hl_error *err) {
    hl_pass P;
    hl__pass_init(&P, m, n, err);
    P.embed_hook = 0;
    return hl__forward(&P, toks, lg, 1);
}

HL__DEF hl_status hl_model_generate(hl_model *m, const int32_t *prompt, int64_t n,
                                    const hl_generate_opts *opts, int32_t **tokens,
                                    int64_t *n_tokens, hl_error *err) {
    hl_generate_opts o;
    int32_t *toks = NULL;
    float *lg = NULL;
    hl__sort_item *tmp = NULL;
    int64_t V, max_new, len, step;
    uint64_t rng;
    hl_status st = HL_OK;
    if (!m || !prompt || n <= 0 || !tokens || !n_tokens)
        return hl__fail(err, HL_ERR_ARG, "hl_model_generate: model, a non-empty prompt and out-params are required");
    memset(&o, 0, sizeof o);
    if (opts) o = *opts;
    max_new = o.max_new_tokens > 0 ? o.max_new_tokens : 10;
    if (o.temperature < 0 || o.top_p < 0 || o.top_k < 0)
        return hl__fail(err, HL_ERR_ARG, "hl_model_generate: temperature, top_k and top_p must be >= 0");
    if (max_new > m->cfg.n_ctx || n > m->cfg.n_ctx - max_new) max_new = m->cfg.n_ctx - n;
    if (max_new <= 0)
        return hl__fail(err, HL_ERR_LIMIT, "hl_model_generate: prompt of %lld tokens leaves no room in n_ctx %lld",
                        (long long)n, (long long)m->cfg.n_ctx);
    V = m->cfg.d_vocab;
    toks = (int32_t *)hl__malloc((size_t)(n + max_new) * sizeof(int32_t));
    lg = (float *)hl__malloc((size_t)V * sizeof(float));
    tmp = (hl__sort_item *)hl__malloc((size_t)V * sizeof(hl__sort_item));
    if (!toks || !lg || !tmp) {
        st = hl__fail(err, HL_ERR_OOM, "hl_model_generate: out of memory");
        goto fail;
    }
    memcpy(toks, prompt, (size_t)n * sizeof(int32_t));
    len = n;
    rng = o.seed;
    m->kv_len = 0;
    st = hl__generate_pass(m, toks, len, lg, err);
    for (step = 0; st == HL_OK && step < max_new; step++) {
        int32_t t = hl__sample(lg, V, &o, toks, len, &rng, tmp);
        int stop = 0;
        size_t e;
        toks[len++] = t;
        if (o.on_token && o.on_token(t, step, o.user)) stop = 1;
        if (!o.no_stop_at_eos) {
            if (o.eos_ids) {
                for (e = 0; e < o.n_eos; e++)
                    if (o.eos_ids[e] == t) stop = 1;
            } else if (t == m->cfg.eos_id) {
                stop = 1;
            }
        }
        if (stop || step + 1 == max_new) break;
        if (o.no_kv_cache) {
            m->kv_len = 0; /* rerun (and re-hook) the whole sequence */
            st = hl__generate_pass(m, toks, len, lg, err);
        } else {
            st = hl__generate_pass(m, toks + len - 1, 1, lg, err);
        }
    }
    if (st != HL_OK) goto fail;
    hl__free(lg);
    hl__free(tmp);
    *tokens = toks;
    *n_tokens = len;
    return HL_OK;
fail:
    hl__free(toks);
    hl__free(lg);
    hl__free(tmp);
    return st;
}

/* One pass of generate over a batch: B rows of T new tokens each (row stride T), the last row of each
   sequence's logits into lg [B, V]; sequence b's real keys start at cache row kbeg[b]. */
static hl_status hl__generate_pass_batch(hl_model *m, const int32_t *toks, int64_t B, int64_t T, int64_t *kb, float *lg,
                                         hl_error *err) {
    hl_pass P;
    int64_t b;
    hl__pass_init(&P, m, B * T, err);
    hl__pass_batch(&P, B, T);
    for (b = 0; b < B; b++) kb[B + b] = P.K; /* left padding: every key from the first real one on */
    P.kbeg = kb, P.kend = kb + B;
    P.embed_hook = 0;
    return hl__forward(&P, toks, lg, 1);
}

HL__DEF hl_status hl_model_generate_batch(hl_model *m, const hl_batch *prompts, const hl_generate_opts *opts,
                                          int32_t **tokens, int64_t *n_pos, hl_error *err) {
    const char *fn = "hl_model_generate_batch";
    hl_generate_opts o;
    int32_t *toks = NULL, *in = NULL, eos;
    float *lg = NULL;
    hl__sort_item *tmp = NULL;
    int64_t *kb = NULL, *chk = NULL, B, T, W, V, max_new, step, b, j, steps = 0;
    uint64_t *rng = NULL;
    unsigned char *done = NULL;
    hl_status st;
    if (!tokens || !n_pos) return hl__fail(err, HL_ERR_ARG, "%s: out-params are required", fn);
    if ((st = hl__batch_keys(m, prompts, fn, &chk, err)) != HL_OK) return st;
    hl__free(chk);
    memset(&o, 0, sizeof o);
    if (opts) o = *opts;
    if (o.temperature < 0 || o.top_p < 0 || o.top_k < 0)
        return hl__fail(err, HL_ERR_ARG, "%s: temperature, top_k and top_p must be >= 0", fn);
    B = prompts->n_batch, T = prompts->n_pos, V = m->cfg.d_vocab;
    max_new = o.max_new_tokens > 0 ? o.max_new_tokens : 10;
    if (max_new > m->cfg.n_ctx || T > m->cfg.n_ctx - max_new) max_new = m->cfg.n_ctx - T;
    if (max_new <= 0)
        return hl__fail(err, HL_ERR_LIMIT, "%s: prompts of %lld tokens leave no room in n_ctx %lld", fn, (long long)T,
                        (long long)m->cfg.n_ctx);
    W = T + max_new;
    eos = o.eos_ids && o.n_eos > 0 ? o.eos_ids[0] : m->cfg.eos_id; /* TL: finished rows continue with eos */
    toks = (int32_t *)hl__calloc((size_t)B, (size_t)W * sizeof(int32_t));
    in = (int32_t *)hl__calloc((size_t)B, (size_t)W * sizeof(int32_t));
    lg = (float *)hl__calloc((size_t)B, (size_t)V * sizeof(float));
    tmp = (hl__sort_item *)hl__malloc((size_t)V * sizeof(hl__sort_item));
    kb = (int64_t *)hl__calloc((size_t)(2 * B), sizeof(int64_t));
    rng = (uint64_t *)hl__calloc((size_t)B, sizeof(uint64_t));
    done = (unsigned char *)hl__calloc((size_t)B, 1);
    if (!toks || !in || !lg || !tmp || !kb || !rng || !done) {
        st = hl__fail(err, HL_ERR_OOM, "%s: out of memory", fn);
        goto done;
    }
    /* the prompts, left-padded (TL's generate pads on the left): row b is [pads | its tokens] */
    for (b = 0; b < B; b++) {
        const int64_t len = prompts->lengths ? prompts->lengths[b] : T;
        const int32_t *row = prompts->tokens + b * T;
        kb[b] = T - len; /* the row's first real cache row */
        if (prompts->padding_side == HL_PAD_LEFT) {
            memcpy(toks + b * W, row, (size_t)T * sizeof(int32_t));
        } else {
            for (j = 0; j < T - len; j++) toks[b * W + j] = hl__pad_id(m);
            memcpy(toks + b * W + T - len, row, (size_t)len * sizeof(int32_t));
        }
        rng[b] = o.seed + (uint64_t)b;
    }
    for (b = 0; b < B; b++) memcpy(in + b * T, toks + b * W, (size_t)T * sizeof(int32_t));
    m->kv_len = 0;
    st = hl__generate_pass_batch(m, in, B, T, kb, lg, err);
    for (step = 0; st == HL_OK && step < max_new; step++) {
        int all_done = 1;
        for (b = 0; b < B; b++) {
            const int64_t len = T + step - kb[b]; /* the row's tokens so far, pads left out */
            int32_t t = eos;
            size_t e;
            if (!done[b]) {
                t = hl__sample(lg + b * V, V, &o, toks + b * W + kb[b], len, &rng[b], tmp);
                if (o.on_token && o.on_token(t, step * B + b, o.user)) done[b] = 1;
                if (!o.no_stop_at_eos) {
                    if (o.eos_ids) {
                        for (e = 0; e < o.n_eos; e++)
                            if (o.eos_ids[e] == t) done[b] = 1;
                    } else if (t == m->cfg.eos_id) {
                        done[b] = 1;
                    }
                }
            }
            toks[b * W + T + step] = t;
            in[b] = t;
            all_done &= done[b];
        }
        steps = step + 1;
        if (all_done || step + 1 == max_new) break;
        if (o.no_kv_cache) { /* rerun (and re-hook) the whole batch */
            for (b = 0; b < B; b++) memcpy(in + b * (T + steps), toks + b * W, (size_t)(T + steps) * sizeof(int32_t));
            m->kv_len = 0;
            st = hl__generate_pass_batch(m, in, B, T + steps, kb, lg, err);
        } else {
            st = hl__generate_pass_batch(m, in, B, 1, kb, lg, err);
        }
    }
    if (st != HL_OK) goto done;
    for (b = 1; b < B; b++) memmove(toks + b * (T + steps), toks + b * W, (size_t)(T + steps) * sizeof(int32_t));
    *tokens = toks, *n_pos = T + steps;
    toks = NULL;
done:
    m->kv_len = 0;
    hl__free(toks);
    hl__free(in);
    hl__free(lg);
    hl__free(tmp);
    hl__free(kb);
    hl__free(rng);
    hl__free(done);
    return st;
}

/* ---- helpers ---- */
HL__DEF void hl_log_softmax(const float *x, int64_t n, float *out) {
    int64_t i;
    float mx = -INFINITY;
    double sum = 0.0, lse;
    for (i = 0; i < n; i++)
        if (x[i] > mx) mx = x[i];
    for (i = 0; i < n; i++) sum += exp((double)(x[i] - mx));
    lse = (double)mx + log(sum);
    for (i = 0; i < n; i++) out[i] = (float)((double)x[i] - lse);
}

HL__DEF void hl_top_k(const float *x, int64_t n, int64_t k, int32_t *idx, float *val) {
    /* partial selection: k passes would be O(nk); a bounded insertion list is simpler and fast
       enough for k << n (k = 10 over a 256000 vocabulary) */
    int64_t i, cnt = 0;
    if (k > n) k = n;
    for (i = 0; i < n && k > 0; i++) hl__topk_offer(val, idx, sizeof *idx, &cnt, k, x[i], i);
}

static hl_status hl__need_tok(const hl_model *m, hl_error *err) {
    if (!m) return hl__fail(err, HL_ERR_ARG, "model is NULL");
    if (!m->tok) return hl__fail(err, HL_ERR_NOT_FOUND, "this model folder has no tokenizer.json");
    return HL_OK;
}

HL__DEF hl_status hl_model_to_tokens(const hl_model *m, const char *text, int prepend_bos,
                                     int32_t **ids, int64_t *n, hl_error *err) {
    int32_t *raw = NULL, *outp;
    int64_t nraw = 0, bos;
    hl_status st;
    if ((st = hl__need_tok(m, err)) != HL_OK) return st;
    if (!text || !ids || !n) return hl__fail(err, HL_ERR_ARG, "hl_model_to_tokens: text and out-params are required");
    if (prepend_bos < 0) prepend_bos = m->cfg.default_prepend_bos;
    /* TL: BOS wanted -> the tokenizer's own post-processor adds it (Gemma, Llama) or TL prepends the
       bos token; either way the result is [bos] + encode(text). */
    if ((st = hl_tokenizer_encode(m->tok, text, strlen(text), 0, &raw, &nraw, err)) != HL_OK) return st;
    bos = prepend_bos ? 1 : 0;
    outp = (int32_t *)hl__malloc((size_t)(nraw + bos) * sizeof(int32_t));
    if (!outp) {
        hl_free(raw);
        return hl__fail(err, HL_ERR_OOM, "hl_model_to_tokens: out of memory");
    }
    if (bos) {
        int32_t b = hl_tokenizer_bos_id(m->tok);
        outp[0] = b >= 0 ? b : m->cfg.bos_id;
    }
    if (nraw) memcpy(outp + bos, raw, (size_t)nraw * sizeof(int32_t));
    hl_free(raw);
    *ids = outp;
    *n = nraw + bos;
    return HL_OK;
}

HL__DEF hl_status hl_model_to_tokens_batch(const hl_model *m, const char *const *texts, int64_t n, int prepend_bos,
                                           hl_padding_side side, int32_t **ids, int64_t **lengths, int64_t *n_pos,
                                           hl_error *err) {
    int32_t **one = NULL, *out = NULL, pad;
    int64_t *len = NULL, i, j, T = 0;
    hl_status st = HL_OK;
    if (!m || !texts || n < 1 || !ids || !lengths || !n_pos || (side != HL_PAD_RIGHT && side != HL_PAD_LEFT))
        return hl__fail(err, HL_ERR_ARG, "hl_model_to_tokens_batch: model, texts, a padding side and out-params are required");
    if ((uint64_t)n > SIZE_MAX / sizeof(int64_t)) return hl__fail(err, HL_ERR_LIMIT, "hl_model_to_tokens_batch: too many texts");
    one = (int32_t **)hl__calloc((size_t)n, sizeof(int32_t *));
    len = (int64_t *)hl__calloc((size_t)n, sizeof(int64_t));
    if (!one || !len) {
        st = hl__fail(err, HL_ERR_OOM, "hl_model_to_tokens_batch: out of memory");
        goto done;
    }
    for (i = 0; i < n && st == HL_OK; i++) {
        if (!texts[i]) st = hl__fail(err, HL_ERR_ARG, "hl_model_to_tokens_batch: text %lld is NULL", (long long)i);
        else if ((st = hl_model_to_tokens(m, texts[i], prepend_bos, &one[i], &len[i], err)) == HL_OK && len[i] < 1)
            st = hl__fail(err, HL_ERR_ARG, "hl_model_to_tokens_batch: text %lld has no tokens", (long long)i);
        if (st == HL_OK && len[i] > T) T = len[i];
    }
    if (st != HL_OK) goto done;
    if (!(out = (int32_t *)hl__calloc((size_t)n, (size_t)T * sizeof(int32_t)))) {
        st = hl__fail(err, HL_ERR_OOM, "hl_model_to_tokens_batch: out of memory");
        goto done;
    }
    pad = hl__pad_id(m);
    for (i = 0; i < n; i++) {
        const int64_t off = side == HL_PAD_LEFT ? T - len[i] : 0;
        for (j = 0; j < T; j++) out[i * T + j] = j >= off && j < off + len[i] ? one[i][j - off] : pad;
    }
    *ids = out, *lengths = len, *n_pos = T;
    len = NULL;
done:
    for (i = 0; one && i < n; i++) hl__free(one[i]);
    hl__free(one);
    hl__free(len);
    return st;
}

HL__DEF hl_status hl_model_to_str_tokens(const hl_model *m, const int32_t *ids, int64_t n,
                                         char ***strs, hl_error *err) {
    hl__buf b;
    size_t *offs = NULL, hdr;
    int64_t i;
    hl_status st;
    char **arr;
    if ((st = hl__need_tok(m, err)) != HL_OK) return st;
    if (!strs || (n > 0 && !ids) || n < 0) return hl__fail(err, HL_ERR_ARG, "hl_model_to_str_tokens: bad arguments");
    memset(&b, 0, sizeof b);
    offs = (size_t *)hl__malloc((size_t)(n + 1) * sizeof(size_t));
    if (!offs) return hl__fail(err, HL_ERR_OOM, "hl_model_to_str_tokens: out of memory");
    for (i = 0; i < n; i++) { /* each id decoded on its own, as TL does */
        char *s = NULL;
        size_t len = 0;
        if ((st = hl_tokenizer_decode(m->tok, ids + i, 1, 0, &s, &len, err)) != HL_OK) {
            hl__free(offs);
            hl__buf_free(&b);
            return st;
        }
        offs[i] = b.len;
        hl__buf_push(&b, s, len);
        hl__buf_putc(&b, 0);
        hl_free(s);
    }
    if (b.oom) {
        hl__free(offs);
        hl__buf_free(&b);
        return hl__fail(err, HL_ERR_OOM, "hl_model_to_str_tokens: out of memory");
    }
    /* one block: n pointers, then the strings */
    hdr = (size_t)n * sizeof(char *);
    arr = (char **)hl__malloc(hdr + b.len + 1);
    if (!arr) {
        hl__free(offs);
        hl__buf_free(&b);
        return hl__fail(err, HL_ERR_OOM, "hl_model_to_str_tokens: out of memory");
    }
    if (b.len) memcpy((char *)arr + hdr, b.data, b.len);
    for (i = 0; i < n; i++) arr[i] = (char *)arr + hdr + offs[i];
    hl__free(offs);
    hl__buf_free(&b);
    *strs = arr;
    return HL_OK;
}

HL__DEF hl_status hl_model_to_single_token(const hl_model *m, const char *text, int32_t *id, hl_error *err) {
    int32_t *ids = NULL;
    int64_t n = 0;
    hl_status st;
    if (!text || !id) return hl__fail(err, HL_ERR_ARG, "hl_model_to_single_token: text and id are required");
    if ((st = hl_model_to_tokens(m, text, 0, &ids, &n, err)) != HL_OK) return st;
    if (n == 1) *id = ids[0];
    hl_free(ids);
    if (n != 1) return hl__fail(err, HL_ERR_ARG, "hl_model_to_single_token: \"%.64s\" is %lld tokens, not one", text, (long long)n);
    return HL_OK;
}

HL__DEF hl_status hl_token_position(const int32_t *ids, int64_t n, int32_t token, int last, int64_t *pos,
                                    hl_error *err) {
    int64_t i, found = -1;
    if (!ids || n < 0 || !pos) return hl__fail(err, HL_ERR_ARG, "hl_token_position: ids and pos are required");
    for (i = 0; i < n && (found < 0 || last); i++)
        if (ids[i] == token) found = i;
    if (found < 0) return hl__fail(err, HL_ERR_NOT_FOUND, "hl_token_position: token %d is not in the %lld tokens", token, (long long)n);
    *pos = found;
    return HL_OK;
}

HL__DEF hl_status hl_model_to_string(const hl_model *m, const int32_t *ids, int64_t n, char **text,
                                     hl_error *err) {
    hl_status st;
    if ((st = hl__need_tok(m, err)) != HL_OK) return st;
    return hl_tokenizer_decode(m->tok, ids, n, 0, text, NULL, err);
}

/* <<model */

/* >>sae ===================================================================================== */
/* Sparse autoencoders, following SAELens v6.18 (sae_lens/saes/{sae,standard_sae,jumprelu_sae,
   topk_sae,gated_sae}.py) and its GemmaScope loader [Gemma Scope: Lieberum et al., arXiv:2408.05147].
   Big matrices (W_enc, W_dec) are read in place, in their stored dtype and at any byte alignment
   (npz members start at arbitrary file offsets), so a 19 GB SAE needs no 19 GB of RAM. */

/* Scratch of one forward over n positions (owned by the caller of hl__sae_run). */
typedef struct hl__sae_work {
    float *xin, *st, *sae_in, *h, *gate, *f, *y, *clean; /* see hl__sae_rows; clean: [n, d_in] */
    float *x;      /* [n, d_in] the spliced activation (read while the output overwrites it) */
    float *before; /* [n, max(d_in, d_sae)] a sub-point's value before its hooks ran */
    int64_t cap_n;
} hl__sae_work;

struct hl__sae_steer_edit;
struct hl_sae {
    hl_sae_config cfg;
    char *hook_name, *model_name, *path, *note; /* owned strings behind cfg's pointers */
    const uint8_t *W_enc, *W_dec;               /* borrowed from the file or the caller */
    hl_dtype enc_dt, dec_dt;
    /* small per-feature vectors, converted to f32 at load (owned) */
    float *b_enc, *b_dec, *thr, *b_gate, *b_mag, *exp_r_mag, *scale_f, *dec_norm;
    const hl_tensor *sparsity; /* optional, borrowed from sparsity_st */
    hl_npz *npz;               /* owners of the mapped files (NULL for hl_sae_create) */
    hl_safetensors *st, *sparsity_st;
    hl__pool *own_pool;          /* used while detached; attached, the SAE runs on the model's pool */
    const hl__kernels *kern;
    /* splicing (hl_sae_attach) */
    hl_model *model;
    char *attached;
    int use_error_term;
    int64_t *ablate, n_ablate;
    struct hl__sae_steer_edit *steer;
    int64_t n_steer;
    hl__sae_work work;
};
/* The pool an SAE's work runs on: the model's while attached (one set of workers for both). */
static hl__pool *hl__sae_pool(const hl_sae *s) {
    return s->model ? s->model->pool : s->own_pool;
}

HL__DEF const char *hl_sae_arch_name(hl_sae_arch a) {
    switch (a) {
    case HL_SAE_STANDARD: return "standard";
    case HL_SAE_JUMPRELU: return "jumprelu";
    case HL_SAE_TOPK: return "topk";
    case HL_SAE_GATED: return "gated";
    default: return "unknown";
    }
}
HL__DEF const char *hl_sae_norm_name(hl_sae_norm n) {
    switch (n) {
    case HL_SAE_NORM_NONE: return "none";
    case HL_SAE_NORM_CONSTANT_NORM_RESCALE: return "constant_norm_rescale";
    case HL_SAE_NORM_LAYER_NORM: return "layer_norm";
    case HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN: return "expected_average_only_in";
    default: return "unknown";
    }
}

/* Element i of a weight matrix stored at any byte alignment, as f32. */
/* y[i] += a * W[i0 + i] for i < n (one decoder row into a reconstruction): the product rounded, then
   the sum rounded (no fused multiply-add), i ascending. The SIMD forms below do the same two roundings
   per element, lane by lane, so every level gives the scalar loop's bits. */
static void hl__sae_axpy_scalar(float *y, float a, const uint8_t *W, hl_dtype dt, int64_t i0, int64_t n) {
    int64_t i;
    if (dt == HL_DTYPE_F32) {
        const uint8_t *p = W + i0 * 4;
        for (i = 0; i < n; i++) {
            float w;
            memcpy(&w, p + i * 4, 4);
            y[i] += a * w;
        }
        return;
    }
    for (i = 0; i < n; i++) y[i] += a * hl__load_w(W, dt, i0 + i);
}
#if defined(HL__X86)
/* f32 rows (GemmaScope's W_dec), 16 lanes: y = y + (a * w); the ragged end masked. */
static HL__TGT_AVX512 void hl__sae_axpy_avx512(float *y, float a, const uint8_t *p, int64_t n) {
    const __m512 va = _mm512_set1_ps(a);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(y + i), _mm512_mul_ps(va, _mm512_loadu_ps((const void *)(p + i * 4)))));
    if (i < n) {
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(y + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + i), _mm512_mul_ps(va, _mm512_maskz_loadu_ps(m, (const void *)(p + i * 4)))));
    }
}
/* the same, 8 lanes, the ragged end by the scalar loop */
static HL__TGT_AVX2 void hl__sae_axpy_avx2(float *y, float a, const uint8_t *p, int64_t n) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_mul_ps(va, _mm256_loadu_ps((const float *)(const void *)(p + i * 4)))));
    if (i < n) hl__sae_axpy_scalar(y + i, a, p + i * 4, HL_DTYPE_F32, 0, n - i);
}
#endif
/* The decode's axpy on the SAE's kernel level: f32 rows with SIMD on AVX-512 and AVX2 (the scalar
   level, other dtypes and other CPUs take the scalar loop). */
static void hl__sae_axpy(const hl__kernels *k, float *y, float a, const uint8_t *W, hl_dtype dt, int64_t i0, int64_t n) {
#if defined(HL__X86)
    if (dt == HL_DTYPE_F32 && k && k->level == HL_KERNELS_AVX512) {
        hl__sae_axpy_avx512(y, a, W + i0 * 4, n);
        return;
    }
    if (dt == HL_DTYPE_F32 && k && k->level == HL_KERNELS_AVX2) {
        hl__sae_axpy_avx2(y, a, W + i0 * 4, n);
        return;
    }
#else
    (void)k;
#endif
    hl__sae_axpy_scalar(y, a, W, dt, i0, n);
}

/* ---- encoder product -----------------------------------------------------------------------
   y[m, n] = sum_k x[m, k] * W_enc[k, n]      x: [M, K] f32   W_enc: [K, N] stored dtype   y: [M, N]
   PyTorch: y = x @ W_enc. W_enc is [in, out] (feature index fastest), the transpose of the Linear
   layout hl__matmul takes: it is the kernels' x @ W product, hl__matmul_nn, reading W_enc where it
   lies (any alignment; f32, bf16, f16), split over features, each y[m, n] one chain over
   k = 0 .. K-1 whatever the thread count (scalar reference: acc += x*w; SIMD: fused, rel. err vs
   the reference ~1e-6). A float64 W_enc (rare) takes the scalar chain below on the calling thread. */
static void hl__sae_xw(const hl_sae *s, float *y, const float *x, int64_t M) {
    const int64_t K = s->cfg.d_in, N = s->cfg.d_sae;
    int64_t m, k, n;
    if (M <= 0) return;
    if (s->enc_dt != HL_DTYPE_F64) {
        hl__matmul_nn(s->kern, hl__sae_pool(s), y, x, s->W_enc, s->enc_dt, M, N, K);
        return;
    }
    for (m = 0; m < M; m++) {
        float *yr = y + m * N;
        for (n = 0; n < N; n++) yr[n] = 0.0f;
        for (k = 0; k < K; k++) {
            float a = x[m * K + k];
            for (n = 0; n < N; n++) yr[n] += a * hl__load_w(s->W_enc, HL_DTYPE_F64, k * N + n);
        }
    }
}

/* ---- per-position pieces ------------------------------------------------------------------- */

/* Run-time normalization statistics of one position (SAELens run_time_activation_norm_fn_in):
     CONSTANT_NORM_RESCALE  st[0] = c = sqrt(d_in) / ||x||_2
     LAYER_NORM             st[0] = mu = mean(x), st[1] = std(x) (Bessel, divide by d_in - 1)
     EXPECTED_AVERAGE_ONLY_IN  st[0] = s (constant)
   Sums are accumulated in double. */
static void hl__sae_norm_stats(const hl_sae *s, const float *x, float *st) {
    int64_t i, d = s->cfg.d_in;
    st[0] = 1.0f;
    st[1] = 1.0f;
    if (s->cfg.norm == HL_SAE_NORM_CONSTANT_NORM_RESCALE) {
        double ss = 0;
        for (i = 0; i < d; i++) ss += (double)x[i] * (double)x[i];
        st[0] = (float)(sqrt((double)d) / sqrt(ss));
    } else if (s->cfg.norm == HL_SAE_NORM_LAYER_NORM) {
        double mu = 0, v = 0;
        for (i = 0; i < d; i++) mu += (double)x[i];
        mu /= (double)d;
        for (i = 0; i < d; i++) v += ((double)x[i] - mu) * ((double)x[i] - mu);
        st[0] = (float)mu;
        st[1] = (float)sqrt(v / (double)(d > 1 ? d - 1 : 1));
    } else if (s->cfg.norm == HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN) {
        st[0] = s->cfg.norm_scaling_factor;
    }
}

/* sae_in[i] = N(x)[i] - b_dec[i] * apply_b_dec_to_input           x, sae_in: [d_in] */
static void hl__sae_prep_in(const hl_sae *s, const float *x, const float *st, float *out) {
    int64_t i, d = s->cfg.d_in;
    for (i = 0; i < d; i++) {
        float v = x[i];
        switch (s->cfg.norm) {
        case HL_SAE_NORM_CONSTANT_NORM_RESCALE: v = v * st[0]; break;
        case HL_SAE_NORM_LAYER_NORM: v = (v - st[0]) / (st[1] + 1e-5f); break;
        case HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN: v = v * st[0]; break;
        default: break;
        }
        if (s->cfg.apply_b_dec_to_input) v -= s->b_dec[i];
        out[i] = v;
    }
}

/* x_hat = N^-1(y) of one position (CONSTANT_NORM_RESCALE: y / c; LAYER_NORM: y * std + mu, no eps). */
static void hl__sae_unnorm(const hl_sae *s, const float *st, float *y) {
    int64_t i, d = s->cfg.d_in;
    if (s->cfg.norm == HL_SAE_NORM_CONSTANT_NORM_RESCALE)
        for (i = 0; i < d; i++) y[i] = y[i] / st[0];
    else if (s->cfg.norm == HL_SAE_NORM_LAYER_NORM)
        for (i = 0; i < d; i++) y[i] = y[i] * st[1] + st[0];
}

/* Pre-activation of one position from the raw product p = sae_in @ W_enc (in place):
     standard/jumprelu/topk  h = p * enc_scale + b_enc
     gated                   h = p * exp(r_mag) + b_mag   (the magnitude path; hook_sae_acts_pre)
   For gated the gate needs p itself, so `gate` receives 1[p + b_gate > 0] (or NULL otherwise). */
static void hl__sae_pre(const hl_sae *s, float *h, float *gate) {
    int64_t i, n = s->cfg.d_sae;
    float es = s->cfg.enc_scale;
    for (i = 0; i < n; i++) {
        float p = h[i];
        if (es != 1.0f) p = p * es;
        if (s->cfg.arch == HL_SAE_GATED) {
            gate[i] = (p + s->b_gate[i] > 0.0f) ? 1.0f : 0.0f;
            h[i] = p * s->exp_r_mag[i] + s->b_mag[i];
        } else {
            h[i] = p + s->b_enc[i];
        }
    }
}

/* The activation function of one position: f = act(h).          h, f, gate: [d_sae]
     standard  f = ReLU(h)
     jumprelu  f = ReLU(h) * 1[h > threshold]            (strict >, JumpReLUSAE.encode)
     topk      h' = h * ||W_dec[i]|| if rescale_acts_by_decoder_norm; keep the k largest h' (by
               signed value; ties: lower index first), f = ReLU on those, 0 elsewhere (TopK.forward)
     gated     f = gate * ReLU(h)
   tv, ti: scratch for k values and indices (TOPK only). */
static void hl__sae_act(const hl_sae *s, const float *h, const float *gate, float *f, float *tv,
                        int64_t *ti) {
    int64_t i, n = s->cfg.d_sae;
    switch (s->cfg.arch) {
    case HL_SAE_STANDARD:
        for (i = 0; i < n; i++) f[i] = h[i] > 0.0f ? h[i] : 0.0f;
        break;
    case HL_SAE_JUMPRELU:
        for (i = 0; i < n; i++) f[i] = (h[i] > 0.0f && h[i] > s->thr[i]) ? h[i] : 0.0f;
        break;
    case HL_SAE_GATED:
        for (i = 0; i < n; i++) f[i] = gate[i] * (h[i] > 0.0f ? h[i] : 0.0f);
        break;
    case HL_SAE_TOPK: {
        /* insertion into a list sorted descending; O(d_sae * k), fine for the k of real SAEs */
        int64_t k = s->cfg.k < n ? s->cfg.k : n, cnt = 0, j;
        for (i = 0; i < n; i++) {
            float v = s->dec_norm ? h[i] * s->dec_norm[i] : h[i];
            if (v == v) hl__topk_offer(tv, ti, sizeof *ti, &cnt, k, v, i); /* NaN never ranks */
        }
        for (i = 0; i < n; i++) f[i] = 0.0f;
        for (j = 0; j < cnt; j++) f[ti[j]] = tv[j] > 0.0f ? tv[j] : 0.0f;
        break;
    }
    }
}

/* Sparse decode of one position, touching only the active features:
     y = (sum_{i : f_i != 0} f'_i * W_dec[i, :]) * dec_scale + b_dec        f: [d_sae]  y: [d_in]
   with f'_i = f_i * scaling_factor_i / ||W_dec[i]|| (each factor only when present). Features are
   visited in ascending order, so this equals the dense f @ W_dec up to adding exact zeros.
   EXPECTED_AVERAGE_ONLY_IN divides by s here (SAELens folds 1/s into W_dec and b_dec). */
static void hl__sae_dec_row(const hl_sae *s, const float *f, float *y) {
    int64_t i, d = s->cfg.d_in, n = s->cfg.d_sae;
    for (i = 0; i < d; i++) y[i] = 0.0f;
    for (i = 0; i < n; i++) {
        float a = f[i];
        if (a == 0.0f) continue;
        if (s->scale_f) a = a * s->scale_f[i];
        if (s->dec_norm) a = a / s->dec_norm[i];
        hl__sae_axpy(s->kern, y, a, s->W_dec, s->dec_dt, i * d, d);
    }
    for (i = 0; i < d; i++) {
        float v = y[i];
        if (s->cfg.dec_scale != 1.0f) v = v * s->cfg.dec_scale;
        v = v + s->b_dec[i];
        if (s->cfg.norm == HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN) v = v / s->cfg.norm_scaling_factor;
        y[i] = v;
    }
}

/* Row-parallel stages (each position is independent). */
typedef struct hl__sae_rows {
    const hl_sae *s;
    int stage;          /* 0: stats + sae_in, 1: pre + act, 2: act, 3: decode, 4: unnorm, 5: pre */
    const float *x;     /* [n, d_in] input (stage 0) */
    float *st;          /* [n, 2] normalization statistics */
    float *sae_in;      /* [n, d_in] */
    float *h, *gate;    /* [n, d_sae] */
    float *f;           /* [n, d_sae] */
    float *y;           /* [n, d_in] */
    int oom;            /* set by a task that could not allocate its top-k scratch */
} hl__sae_rows;

static void hl__sae_rows_task(void *vctx, int64_t m0, int64_t m1) {
    hl__sae_rows *c = (hl__sae_rows *)vctx;
    const hl_sae *s = c->s;
    int64_t m, d = s->cfg.d_in, n = s->cfg.d_sae;
    float *tv = NULL;
    int64_t *ti = NULL;
    if ((c->stage == 1 || c->stage == 2) && s->cfg.arch == HL_SAE_TOPK) {
        tv = (float *)hl__calloc((size_t)s->cfg.k, sizeof(float));
        ti = (int64_t *)hl__calloc((size_t)s->cfg.k, sizeof(int64_t));
        if (!tv || !ti) {
            hl__free(tv);
            hl__free(ti);
            c->oom = 1; /* benign race: every writer stores 1 */
            return;
        }
    }
    for (m = m0; m < m1; m++) {
        switch (c->stage) {
        case 0:
            hl__sae_norm_stats(s, c->x + m * d, c->st + m * 2);
            hl__sae_prep_in(s, c->x + m * d, c->st + m * 2, c->sae_in + m * d);
            break;
        case 1:
            hl__sae_pre(s, c->h + m * n, c->gate ? c->gate + m * n : NULL);
            hl__sae_act(s, c->h + m * n, c->gate ? c->gate + m * n : NULL, c->f + m * n, tv, ti);
            break;
        case 2:
            hl__sae_act(s, c->h + m * n, c->gate ? c->gate + m * n : NULL, c->f + m * n, tv, ti);
            break;
        case 3: hl__sae_dec_row(s, c->f + m * n, c->y + m * d); break;
        case 5: hl__sae_pre(s, c->h + m * n, c->gate ? c->gate + m * n : NULL); break;
        default: hl__sae_unnorm(s, c->st + m * 2, c->y + m * d); break;
        }
    }
    hl__free(tv);
    hl__free(ti);
}

static void hl__sae_run_rows(hl__sae_rows *c, int stage, int64_t n) {
    c->stage = stage;
    hl__parallel_for((double)n * (double)c->s->cfg.d_sae >= HL__PAR_ROWS ? hl__sae_pool(c->s) : NULL, n, 1,
                     hl__sae_rows_task, c);
}

/* Hook callback of the spliced forward: which = 0 input, 1 acts_pre, 2 acts_post, 3 recons,
   4 error, 5 output; data is [n, width] f32 and may be edited in place. */
typedef hl_status (*hl__sae_fire_fn)(void *ctx, int which, float *data, int64_t n, int64_t width,
                                     hl_error *err);

static void hl__sae_work_free(hl__sae_work *w) {
    hl__free(w->xin);
    hl__free(w->st);
    hl__free(w->sae_in);
    hl__free(w->h);
    hl__free(w->gate);
    hl__free(w->f);
    hl__free(w->y);
    hl__free(w->clean);
    hl__free(w->x);
    hl__free(w->before);
    memset(w, 0, sizeof *w);
}

/* Makes room for n positions; returns 0 when out of memory. */
static int hl__sae_work_reserve(const hl_sae *s, hl__sae_work *w, int64_t n) {
    uint64_t nd, ns;
    if (n <= w->cap_n) return 1;
    hl__sae_work_free(w);
    if (!hl__mul_ok((uint64_t)n, (uint64_t)s->cfg.d_in * 4, &nd) || nd > SIZE_MAX) return 0;
    if (!hl__mul_ok((uint64_t)n, (uint64_t)s->cfg.d_sae * 4, &ns) || ns > SIZE_MAX) return 0;
    w->xin = (float *)hl__malloc((size_t)nd);
    w->sae_in = (float *)hl__malloc((size_t)nd);
    w->y = (float *)hl__malloc((size_t)nd);
    w->clean = (float *)hl__malloc((size_t)nd);
    w->x = (float *)hl__malloc((size_t)nd);
    w->before = (float *)hl__malloc((size_t)(nd > ns ? nd : ns));
    w->st = (float *)hl__calloc((size_t)n, 2 * sizeof(float));
    w->h = (float *)hl__malloc((size_t)ns);
    w->f = (float *)hl__malloc((size_t)ns);
    w->gate = s->cfg.arch == HL_SAE_GATED ? (float *)hl__malloc((size_t)ns) : NULL;
    if (!w->xin || !w->sae_in || !w->y || !w->clean || !w->st || !w->h || !w->f || !w->x || !w->before ||
        (s->cfg.arch == HL_SAE_GATED && !w->gate)) {
        hl__sae_work_free(w);
        return 0;
    }
    w->cap_n = n;
    return 1;
}

/* One SAE.forward over n positions (SAELens sae.py SAE.forward + encode/decode):
     xin = x -> fire(input) -> sae_in = N(xin) - b_dec*apply -> h = sae_in @ W_enc (+ b) -> fire(pre)
     -> f = act(h) -> fire(post) -> y = f @ W_dec + b_dec -> fire(recons) -> x_hat = N^-1(y)
     use_error_term: the same without any hook gives x_hat_clean; err = x - x_hat_clean
     -> fire(error); out = x_hat + err -> fire(output)
   x: [n, d_in] the raw activation; out: [n, d_in]. *edited (optional) is set by the fire callback
   when a hook or edit changed input, acts or recons: then the clean pass is recomputed, as SAELens
   does under _disable_hooks; otherwise the reconstruction above already is the clean one. */
static hl_status hl__sae_run(hl_sae *s, const float *x, int64_t n, int use_error_term,
                             hl__sae_fire_fn fire, void *fctx, const int *edited, hl__sae_work *w,
                             float *out, hl_error *err) {
    hl__sae_rows c;
    int64_t d = s->cfg.d_in, ns = s->cfg.d_sae, i;
    hl_status st;
    if (!hl__sae_work_reserve(s, w, n))
        return hl__fail(err, HL_ERR_OOM, "SAE forward: cannot allocate scratch for %lld positions "
                        "x d_sae %lld", (long long)n, (long long)ns);
    memset(&c, 0, sizeof c);
    c.s = s;
    c.st = w->st;
    c.sae_in = w->sae_in;
    c.h = w->h;
    c.gate = w->gate;
    c.f = w->f;
    c.y = w->y;
    memcpy(w->xin, x, (size_t)(n * d) * 4);
    if (fire && (st = fire(fctx, 0, w->xin, n, d, err)) != HL_OK) return st;
    c.x = w->xin;
    hl__sae_run_rows(&c, 0, n);
    hl__sae_xw(s, w->h, w->sae_in, n);
    /* pre-activation, then (after the hook) the activation function */
    if (fire) {
        hl__sae_run_rows(&c, 5, n);
        if ((st = fire(fctx, 1, w->h, n, ns, err)) != HL_OK) return st;
        hl__sae_run_rows(&c, 2, n);
        if (c.oom) return hl__fail(err, HL_ERR_OOM, "SAE forward: top-k scratch");
        if ((st = fire(fctx, 2, w->f, n, ns, err)) != HL_OK) return st;
    } else {
        hl__sae_run_rows(&c, 1, n);
        if (c.oom) return hl__fail(err, HL_ERR_OOM, "SAE forward: top-k scratch");
    }
    hl__sae_run_rows(&c, 3, n);
    if (fire && (st = fire(fctx, 3, w->y, n, d, err)) != HL_OK) return st;
    hl__sae_run_rows(&c, 4, n);
    memcpy(out, w->y, (size_t)(n * d) * 4);
    if (use_error_term) {
        const float *clean = w->y;
        if (fire && edited && *edited) {
            /* the clean pass: same input x, no hooks or edits (SAELens: `_disable_hooks`) */
            float *keep_y = w->y;
            c.x = x;
            hl__sae_run_rows(&c, 0, n);
            hl__sae_xw(s, w->h, w->sae_in, n);
            hl__sae_run_rows(&c, 1, n);
            if (c.oom) return hl__fail(err, HL_ERR_OOM, "SAE forward: top-k scratch");
            c.y = w->clean;
            hl__sae_run_rows(&c, 3, n);
            hl__sae_run_rows(&c, 4, n);
            c.y = keep_y;
            clean = w->clean;
        }
        /* error = x - x_hat_clean; x is the raw activation, before any hook_sae_input edit */
        for (i = 0; i < n * d; i++) w->clean[i] = x[i] - clean[i];
        if (fire && (st = fire(fctx, 4, w->clean, n, d, err)) != HL_OK) return st;
        for (i = 0; i < n * d; i++) out[i] = out[i] + w->clean[i];
    }
    if (fire && (st = fire(fctx, 5, out, n, d, err)) != HL_OK) return st;
    return HL_OK;
}

/* ---- construction ---------------------------------------------------------------------------- */

/* Copies a small [len] tensor to a new f32 array (exp() applied when `take_exp`). */
static hl_status hl__sae_vec(const hl_tensor *t, const char *name, int64_t len, int take_exp,
                             float **out, hl_error *err) {
    int64_t i;
    float *v;
    if (t->ndim != 1 || t->shape[0] != len)
        return hl__fail(err, HL_ERR_SHAPE, "SAE tensor '%s': shape [%lld%s], expected [%lld]", name,
                        t->ndim > 0 ? (long long)t->shape[0] : 0LL, t->ndim > 1 ? ", ..." : "",
                        (long long)len);
    if (t->dtype != HL_DTYPE_F32 && t->dtype != HL_DTYPE_F16 && t->dtype != HL_DTYPE_BF16 &&
        t->dtype != HL_DTYPE_F64)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "SAE tensor '%s': dtype %s, expected a float type",
                        name, hl_dtype_name(t->dtype));
    v = (float *)hl__calloc((size_t)len, sizeof(float));
    if (!v) return hl__fail(err, HL_ERR_OOM, "SAE tensor '%s': out of memory", name);
    for (i = 0; i < len; i++) {
        float x = hl_tensor_get_f32(t, i);
        v[i] = take_exp ? expf(x) : x;
    }
    *out = v;
    return HL_OK;
}

static hl_status hl__sae_mat(const hl_tensor *t, const char *name, int64_t rows, int64_t cols,
                             hl_error *err) {
    if (t->ndim != 2 || t->shape[0] != rows || t->shape[1] != cols)
        return hl__fail(err, HL_ERR_SHAPE, "SAE tensor '%s': shape [%lld, %lld] (ndim %d), expected "
                        "[%lld, %lld]", name, t->ndim > 0 ? (long long)t->shape[0] : 0LL,
                        t->ndim > 1 ? (long long)t->shape[1] : 0LL, t->ndim, (long long)rows,
                        (long long)cols);
    if (t->dtype != HL_DTYPE_F32 && t->dtype != HL_DTYPE_F16 && t->dtype != HL_DTYPE_BF16 &&
        t->dtype != HL_DTYPE_F64)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "SAE tensor '%s': dtype %s, expected F32, F16, BF16 "
                        "or F64", name, hl_dtype_name(t->dtype));
    return HL_OK;
}

HL__DEF void hl_sae_free(hl_sae *s) {
    if (!s) return;
    hl_sae_detach(s);
    hl_sae_clear_edits(s);
    hl__sae_work_free(&s->work);
    hl__free(s->hook_name);
    hl__free(s->model_name);
    hl__free(s->path);
    hl__free(s->note);
    hl__free(s->b_enc);
    hl__free(s->b_dec);
    hl__free(s->thr);
    hl__free(s->b_gate);
    hl__free(s->b_mag);
    hl__free(s->exp_r_mag);
    hl__free(s->scale_f);
    hl__free(s->dec_norm);
    hl__pool_free(s->own_pool);
    if (s->npz) hl_npz_close(s->npz);
    if (s->st) hl_safetensors_close(s->st);
    if (s->sparsity_st) hl_safetensors_close(s->sparsity_st);
    hl__free(s);
}

/* Validates the config against the tensors and builds the SAE (weights borrowed). */
HL__DEF hl_status hl_sae_create(const hl_sae_config *cfg, const hl_sae_params *p, int n_threads,
                                hl_kernels kernels, hl_sae **out, hl_error *err) {
    hl_sae *s;
    hl_status st;
    int64_t d_in, d_sae, i, j;
    if (!cfg || !p || !out) return hl__fail(err, HL_ERR_ARG, "hl_sae_create: NULL argument");
    if (kernels != HL_KERNELS_DEFAULT && !hl_kernels_available(kernels))
        return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_sae_create: kernels '%s' are not available in this build on this CPU",
                        hl_kernels_name(kernels));
    if (!p->W_enc || !p->W_dec || !p->b_dec)
        return hl__fail(err, HL_ERR_FORMAT, "SAE: missing tensor %s",
                        !p->W_enc ? "W_enc" : !p->W_dec ? "W_dec" : "b_dec");
    if (p->W_enc->ndim != 2)
        return hl__fail(err, HL_ERR_SHAPE, "SAE tensor 'W_enc': %d dims, expected 2 [d_in, d_sae]",
                        p->W_enc->ndim);
    d_in = p->W_enc->shape[0];
    d_sae = p->W_enc->shape[1];
    if (d_in <= 0 || d_sae <= 0)
        return hl__fail(err, HL_ERR_SHAPE, "SAE tensor 'W_enc': empty shape [%lld, %lld]",
                        (long long)d_in, (long long)d_sae);
    if ((cfg->d_in && cfg->d_in != d_in) || (cfg->d_sae && cfg->d_sae != d_sae))
        return hl__fail(err, HL_ERR_SHAPE, "SAE: config says d_in %lld, d_sae %lld but W_enc is "
                        "[%lld, %lld]", (long long)cfg->d_in, (long long)cfg->d_sae,
                        (long long)d_in, (long long)d_sae);
    if ((st = hl__sae_mat(p->W_enc, "W_enc", d_in, d_sae, err)) != HL_OK) return st;
    if ((st = hl__sae_mat(p->W_dec, "W_dec", d_sae, d_in, err)) != HL_OK) return st;
    if ((int)cfg->arch < 0 || cfg->arch > HL_SAE_GATED)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "SAE: unknown architecture %d", (int)cfg->arch);
    if ((int)cfg->norm < 0 || cfg->norm > HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "SAE: unknown normalization %d", (int)cfg->norm);
    if (cfg->arch == HL_SAE_TOPK && cfg->k <= 0)
        return hl__fail(err, HL_ERR_FORMAT, "SAE: topk architecture needs k > 0 (got %lld)",
                        (long long)cfg->k);
    if (cfg->arch == HL_SAE_GATED ? (!p->b_gate || !p->b_mag || !p->r_mag) : !p->b_enc)
        return hl__fail(err, HL_ERR_FORMAT, "SAE (%s): missing tensor %s", hl_sae_arch_name(cfg->arch),
                        cfg->arch != HL_SAE_GATED ? "b_enc"
                        : !p->b_gate              ? "b_gate"
                        : !p->b_mag               ? "b_mag"
                                                  : "r_mag");
    if (cfg->arch == HL_SAE_JUMPRELU && !p->threshold)
        return hl__fail(err, HL_ERR_FORMAT, "SAE (jumprelu): missing tensor 'threshold'");
    s = (hl_sae *)hl__calloc(1, sizeof *s);
    if (!s) return hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
    s->cfg = *cfg;
    s->cfg.d_in = d_in;
    s->cfg.d_sae = d_sae;
    if (s->cfg.enc_scale == 0.0f) s->cfg.enc_scale = 1.0f;
    if (s->cfg.dec_scale == 0.0f) s->cfg.dec_scale = 1.0f;
    if (s->cfg.norm_scaling_factor == 0.0f) s->cfg.norm_scaling_factor = 1.0f;
    if (!(s->cfg.norm_scaling_factor > 0.0f) || !(s->cfg.enc_scale == s->cfg.enc_scale) ||
        !(s->cfg.dec_scale == s->cfg.dec_scale)) {
        hl_sae_free(s);
        return hl__fail(err, HL_ERR_ARG, "SAE: norm_scaling_factor %g must be positive",
                        (double)cfg->norm_scaling_factor);
    }
    if (s->cfg.arch == HL_SAE_TOPK && s->cfg.k > d_sae) s->cfg.k = d_sae;
    s->cfg.dtype = p->W_enc->dtype;
    s->hook_name = hl__strdup(cfg->hook_name ? cfg->hook_name : "");
    s->model_name = hl__strdup(cfg->model_name ? cfg->model_name : "");
    s->path = hl__strdup(cfg->path ? cfg->path : "");
    s->note = hl__strdup(cfg->hook_note ? cfg->hook_note : "");
    if (!s->hook_name || !s->model_name || !s->path || !s->note) {
        hl_sae_free(s);
        return hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
    }
    s->cfg.hook_name = s->hook_name;
    s->cfg.model_name = s->model_name;
    s->cfg.path = s->path;
    s->cfg.hook_note = s->note;
    if (!s->cfg.format) s->cfg.format = "memory";
    s->W_enc = (const uint8_t *)p->W_enc->data;
    s->enc_dt = p->W_enc->dtype;
    s->W_dec = (const uint8_t *)p->W_dec->data;
    s->dec_dt = p->W_dec->dtype;
    if ((st = hl__sae_vec(p->b_dec, "b_dec", d_in, 0, &s->b_dec, err)) != HL_OK) goto fail;
    if (cfg->arch == HL_SAE_GATED) {
        if ((st = hl__sae_vec(p->b_gate, "b_gate", d_sae, 0, &s->b_gate, err)) != HL_OK) goto fail;
        if ((st = hl__sae_vec(p->b_mag, "b_mag", d_sae, 0, &s->b_mag, err)) != HL_OK) goto fail;
        if ((st = hl__sae_vec(p->r_mag, "r_mag", d_sae, 1, &s->exp_r_mag, err)) != HL_OK) goto fail;
    } else if ((st = hl__sae_vec(p->b_enc, "b_enc", d_sae, 0, &s->b_enc, err)) != HL_OK) {
        goto fail;
    }
    if (cfg->arch == HL_SAE_JUMPRELU &&
        (st = hl__sae_vec(p->threshold, "threshold", d_sae, 0, &s->thr, err)) != HL_OK)
        goto fail;
    if (p->scaling_factor) {
        int ones = 1;
        if ((st = hl__sae_vec(p->scaling_factor, "scaling_factor", d_sae, 0, &s->scale_f, err)) !=
            HL_OK)
            goto fail;
        for (i = 0; i < d_sae; i++) ones &= s->scale_f[i] == 1.0f;
        if (ones) { /* an all-ones scaling_factor is dropped, as SAELens does */
            hl__free(s->scale_f);
            s->scale_f = NULL;
        }
    }
    if (cfg->arch == HL_SAE_TOPK && cfg->rescale_acts_by_decoder_norm) {
        /* ||W_dec[i, :]||_2, accumulated in double (torch: W_dec.norm(dim=-1)) */
        s->dec_norm = (float *)hl__calloc((size_t)d_sae, sizeof(float));
        if (!s->dec_norm) {
            st = hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
            goto fail;
        }
        for (i = 0; i < d_sae; i++) {
            double ss = 0;
            for (j = 0; j < d_in; j++) {
                double w = (double)hl__load_w(s->W_dec, s->dec_dt, i * d_in + j);
                ss += w * w;
            }
            s->dec_norm[i] = (float)sqrt(ss);
        }
    }
    if (n_threads <= 0) n_threads = hl__default_threads();
    s->own_pool = hl__pool_create(n_threads);
    s->kern = hl__kernels_pick(kernels, 0);
    *out = s;
    return HL_OK;
fail:
    hl_sae_free(s);
    return st;
}

HL__DEF const hl_sae_config *hl_sae_get_config(const hl_sae *s) {
    return s ? &s->cfg : NULL;
}

HL__DEF const hl_tensor *hl_sae_sparsity(const hl_sae *s) {
    return s ? s->sparsity : NULL;
}

/* ---- public math ----------------------------------------------------------------------------- */

HL__DEF hl_status hl_sae_encode(hl_sae *s, const float *x, int64_t n, float *acts_pre,
                                float *acts_post, hl_error *err) {
    hl__sae_rows c;
    float *pre = acts_pre, *sae_in = NULL, *st = NULL, *gate = NULL;
    hl_status ret = HL_OK;
    if (!s || (!x && n > 0) || !acts_post || n < 0)
        return hl__fail(err, HL_ERR_ARG, "hl_sae_encode: NULL argument or negative n");
    if (n == 0) return HL_OK;
    sae_in = (float *)hl__calloc((size_t)n, (size_t)s->cfg.d_in * sizeof(float));
    st = (float *)hl__calloc((size_t)n, 2 * sizeof(float));
    if (!pre) pre = (float *)hl__calloc((size_t)n, (size_t)s->cfg.d_sae * sizeof(float));
    if (s->cfg.arch == HL_SAE_GATED)
        gate = (float *)hl__calloc((size_t)n, (size_t)s->cfg.d_sae * sizeof(float));
    if (!sae_in || !st || !pre || (s->cfg.arch == HL_SAE_GATED && !gate)) {
        ret = hl__fail(err, HL_ERR_OOM, "hl_sae_encode: out of memory for %lld positions",
                       (long long)n);
        goto done;
    }
    memset(&c, 0, sizeof c);
    c.s = s;
    c.x = x;
    c.st = st;
    c.sae_in = sae_in;
    c.h = pre;
    c.gate = gate;
    c.f = acts_post;
    hl__sae_run_rows(&c, 0, n);
    hl__sae_xw(s, pre, sae_in, n);
    hl__sae_run_rows(&c, 1, n);
    if (c.oom) ret = hl__fail(err, HL_ERR_OOM, "hl_sae_encode: top-k scratch");
done:
    hl__free(sae_in);
    hl__free(st);
    hl__free(gate);
    if (pre != acts_pre) hl__free(pre);
    return ret;
}

HL__DEF hl_status hl_sae_decode(hl_sae *s, const float *acts, const float *x, int64_t n,
                                float *recons, float *x_hat, hl_error *err) {
    hl__sae_rows c;
    float *y = recons, *st = NULL;
    int64_t m, d;
    hl_status ret = HL_OK;
    int need_x = s && (s->cfg.norm == HL_SAE_NORM_CONSTANT_NORM_RESCALE ||
                       s->cfg.norm == HL_SAE_NORM_LAYER_NORM);
    if (!s || (!acts && n > 0) || n < 0 || (need_x && !x && x_hat))
        return hl__fail(err, HL_ERR_ARG, "hl_sae_decode: NULL argument%s",
                        need_x ? " (this SAE's normalization needs x to undo it)" : "");
    if (n == 0 || (!recons && !x_hat)) return HL_OK;
    d = s->cfg.d_in;
    if (!y) y = x_hat;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.f = (float *)(uintptr_t)acts;
    c.y = y;
    hl__sae_run_rows(&c, 3, n);
    if (x_hat) {
        if (x_hat != y) memcpy(x_hat, y, (size_t)(n * d) * sizeof(float));
        if (need_x) {
            st = (float *)hl__calloc((size_t)n, 2 * sizeof(float));
            if (!st) return hl__fail(err, HL_ERR_OOM, "hl_sae_decode: out of memory");
            for (m = 0; m < n; m++) {
                hl__sae_norm_stats(s, x + m * d, st + m * 2);
                hl__sae_unnorm(s, st + m * 2, x_hat + m * d);
            }
            hl__free(st);
        }
    }
    return ret;
}

HL__DEF hl_status hl_sae_forward(hl_sae *s, const float *x, int64_t n, int use_error_term,
                                 const hl_sae_outputs *o, hl_error *err) {
    hl__sae_work w;
    hl_status st;
    float *out;
    int64_t d;
    if (!s || (!x && n > 0) || n < 0) return hl__fail(err, HL_ERR_ARG, "hl_sae_forward: NULL argument");
    if (n == 0) return HL_OK;
    d = s->cfg.d_in;
    memset(&w, 0, sizeof w);
    out = (o && o->output) ? o->output : (float *)hl__calloc((size_t)n, (size_t)d * sizeof(float));
    if (!out) return hl__fail(err, HL_ERR_OOM, "hl_sae_forward: out of memory");
    st = hl__sae_run(s, x, n, use_error_term, NULL, NULL, NULL, &w, out, err);
    if (st == HL_OK && o) {
        size_t nd = (size_t)(n * d) * sizeof(float), ns = (size_t)(n * s->cfg.d_sae) * sizeof(float);
        if (o->acts_pre) memcpy(o->acts_pre, w.h, ns);
        if (o->acts_post) memcpy(o->acts_post, w.f, ns);
        if (o->recons) {
            /* hook_sae_recons is before the inverse normalization: recompute it when one applies */
            if (s->cfg.norm == HL_SAE_NORM_CONSTANT_NORM_RESCALE || s->cfg.norm == HL_SAE_NORM_LAYER_NORM)
                st = hl_sae_decode(s, w.f, NULL, n, o->recons, NULL, err);
            else
                memcpy(o->recons, w.y, nd);
        }
        if (o->error && use_error_term) memcpy(o->error, w.clean, nd);
    }
    if (!o || out != o->output) hl__free(out);
    hl__sae_work_free(&w);
    return st;
}

HL__DEF hl_status hl_sae_feature_direction(const hl_sae *s, int64_t f, float *dir, hl_error *err) {
    int64_t i, d;
    if (!s || !dir) return hl__fail(err, HL_ERR_ARG, "hl_sae_feature_direction: NULL argument");
    if (f < 0 || f >= s->cfg.d_sae)
        return hl__fail(err, HL_ERR_ARG, "SAE feature %lld out of range [0, %lld)", (long long)f,
                        (long long)s->cfg.d_sae);
    d = s->cfg.d_in;
    for (i = 0; i < d; i++) dir[i] = hl__load_w(s->W_dec, s->dec_dt, f * d + i) * s->cfg.dec_scale;
    return HL_OK;
}

HL__DEF int64_t hl_sae_top_features(const float *acts, int64_t d_sae, int64_t k, int64_t *idx,
                                    float *val) {
    int64_t i, cnt = 0;
    if (!acts || !idx || !val || k <= 0) return 0;
    for (i = 0; i < d_sae; i++)
        if (acts[i] > 0.0f) hl__topk_offer(val, idx, sizeof *idx, &cnt, k, acts[i], i);
    return cnt;
}

/* ---- splicing ---------------------------------------------------------------------------------- */

typedef struct hl__sae_steer_edit {
    int64_t  f;
    float    alpha;
    int64_t *pos; /* NULL = every position */
    int64_t  n_pos;
} hl__sae_steer_edit;

/* State of one spliced forward call. */
typedef struct hl__sae_fctx {
    hl_sae             *s;
    const hl_hook_info *at;     /* the point the SAE is spliced into, in the running pass */
    hl_tensor          *act;    /* the point's activation (its shape is used for error/output) */
    int                 edited; /* a hook or an ablation changed input, acts or recons */
} hl__sae_fctx;

static hl_status hl__sae_fire(void *vctx, int which, float *data, int64_t n, int64_t width,
                              hl_error *err) {
    hl__sae_fctx *c = (hl__sae_fctx *)vctx;
    hl_sae *s = c->s;
    hl_tensor t;
    hl_status st;
    int64_t i, r, e;
    size_t bytes = (size_t)(n * width) * sizeof(float);
    if (which == 2) /* ablations, before the hook */
        for (e = 0; e < s->n_ablate; e++)
            for (r = 0; r < n; r++) {
                float *v = data + r * width + s->ablate[e];
                if (*v != 0.0f) c->edited = 1;
                *v = 0.0f;
            }
    if (which == 5) /* steering, before the hook: out[p] += alpha * W_dec[f] * dec_scale */
        for (e = 0; e < s->n_steer; e++) {
            const hl__sae_steer_edit *se = &s->steer[e];
            float a = se->alpha * s->cfg.dec_scale;
            for (r = 0; r < n; r++) {
                int on = se->pos == NULL;
                for (i = 0; !on && i < se->n_pos; i++) on = se->pos[i] == c->at->pos0 + r % c->at->n_pos; /* in its sequence */
                if (on) hl__sae_axpy(s->kern, data + r * width, a, s->W_dec, s->dec_dt, se->f * width, width);
            }
        }
    /* no hook and no cache at this sub-point: nothing would run, so no copy to compare against
       (acts_pre of a 65k SAE over a batch of 1024 positions is 268 MB to copy and compare) */
    if (!hl__wants(c->at->pass, hl__slot(hl__pt(c->at->id, c->at->layer), (hl_sub)(HL_SUB_SAE_INPUT + which)))) return HL_OK;
    if (which == 4 || which == 5) {
        t = *c->act;
    } else {
        memset(&t, 0, sizeof t);
        t.dtype = HL_DTYPE_F32;
        t.ndim = 3;
        t.shape[0] = c->at->n_batch; /* [batch, pos, width] */
        t.shape[1] = n / c->at->n_batch;
        t.shape[2] = width;
    }
    t.data = data;
    if (which <= 3 && !c->edited) memcpy(s->work.before, data, bytes);
    if ((st = hl_model_fire(c->at, (hl_sub)(HL_SUB_SAE_INPUT + which), &t, err)) != HL_OK) return st;
    if (which <= 3 && !c->edited && memcmp(s->work.before, data, bytes) != 0) c->edited = 1;
    return HL_OK;
}

/* The splice callback: runs SAE.forward on the activation and writes the output over it. */
static hl_status hl__sae_splice(const hl_hook_info *info, hl_tensor *act, void *user) {
    hl_sae *s = (hl_sae *)user;
    hl__sae_fctx c;
    hl_error *err = info->pass->err; /* the pass's own error: the caller of hl_model_run reads it */
    int64_t numel = hl_tensor_numel(act), n;
    hl_status st;
    if (act->dtype != HL_DTYPE_F32 || numel % s->cfg.d_in != 0)
        return hl__fail(err, HL_ERR_SHAPE, "SAE at %s: activation of %lld values is not [pos, %lld]",
                        info->name, (long long)numel, (long long)s->cfg.d_in);
    n = numel / s->cfg.d_in;
    if (n == 0) return HL_OK;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.at = info;
    c.act = act;
    if (!hl__sae_work_reserve(s, &s->work, n))
        return hl__fail(err, HL_ERR_OOM, "SAE at %s: no memory for %lld positions", info->name,
                        (long long)n);
    /* x is read from a copy: the output overwrites the activation in place */
    memcpy(s->work.x, act->data, (size_t)numel * sizeof(float));
    st = hl__sae_run(s, s->work.x, n, s->use_error_term, hl__sae_fire, &c, &c.edited, &s->work,
                     (float *)act->data, err);
    return st;
}

HL__DEF hl_status hl_sae_attach(hl_sae *s, hl_model *m, const char *hook_name, int use_error_term,
                                hl_error *err) {
    hl_hook id;
    int64_t layer, width;
    hl_status st;
    if (!s || !m) return hl__fail(err, HL_ERR_ARG, "hl_sae_attach: sae and model are required");
    if (!hook_name || !hook_name[0]) hook_name = s->cfg.hook_name;
    if (!hook_name || !hook_name[0])
        return hl__fail(err, HL_ERR_ARG, "SAE %s has no hook name (cfg.json hook_name, or a GemmaScope "
                        "layer_L folder); pass one", s->cfg.path);
    if ((st = hl_hook_parse(hook_name, &id, &layer, err)) != HL_OK) return st;
    if (!hl_model_has_hook(m, id) || layer >= hl_model_config(m)->n_layers)
        return hl__fail(err, HL_ERR_NOT_FOUND, "SAE hook '%s' is not a hook point of this %s model "
                        "(%lld layers)", hook_name, hl_model_config(m)->architecture,
                        (long long)hl_model_config(m)->n_layers);
    width = hl__hook_width(&m->cfg, id);
    if (width != s->cfg.d_in)
        return hl__fail(err, HL_ERR_SHAPE, "SAE d_in %lld does not match hook '%s' of the model (%s, "
                        "width %lld per position)", (long long)s->cfg.d_in, hook_name,
                        hl_hook_shape(id), (long long)width);
    hl_sae_detach(s);
    s->attached = hl__strdup(hook_name);
    if (!s->attached) {
        hl_sae_detach(s);
        return hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
    }
    if ((st = hl_model_set_splice(m, hook_name, hl__sae_splice, s, err)) != HL_OK) {
        hl_sae_detach(s);
        return st;
    }
    s->model = m;
    s->use_error_term = use_error_term ? 1 : 0;
    return HL_OK;
}

HL__DEF void hl_sae_detach(hl_sae *s) {
    if (!s) return;
    if (s->model && s->attached) hl_model_set_splice(s->model, s->attached, NULL, NULL, NULL);
    s->model = NULL;
    hl__free(s->attached);
    s->attached = NULL;
}

HL__DEF const char *hl_sae_attached_hook(const hl_sae *s) {
    return s ? s->attached : NULL;
}
HL__DEF hl_model *hl_sae_attached_model(const hl_sae *s) {
    return s ? s->model : NULL;
}

HL__DEF void hl_sae_set_error_term(hl_sae *s, int on) {
    if (s) s->use_error_term = on ? 1 : 0;
}

HL__DEF hl_status hl_sae_ablate(hl_sae *s, int64_t f, hl_error *err) {
    int64_t *p;
    if (!s) return hl__fail(err, HL_ERR_ARG, "hl_sae_ablate: sae is NULL");
    if (f < 0 || f >= s->cfg.d_sae)
        return hl__fail(err, HL_ERR_ARG, "SAE feature %lld out of range [0, %lld)", (long long)f,
                        (long long)s->cfg.d_sae);
    p = (int64_t *)hl__realloc(s->ablate, (size_t)(s->n_ablate + 1) * sizeof(int64_t));
    if (!p) return hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
    s->ablate = p;
    s->ablate[s->n_ablate++] = f;
    return HL_OK;
}

HL__DEF hl_status hl_sae_steer(hl_sae *s, int64_t f, float alpha, const int64_t *positions,
                               int64_t n_positions, hl_error *err) {
    hl__sae_steer_edit *e, *arr;
    if (!s) return hl__fail(err, HL_ERR_ARG, "hl_sae_steer: sae is NULL");
    if (f < 0 || f >= s->cfg.d_sae)
        return hl__fail(err, HL_ERR_ARG, "SAE feature %lld out of range [0, %lld)", (long long)f,
                        (long long)s->cfg.d_sae);
    if (n_positions < 0 || (n_positions > 0 && !positions))
        return hl__fail(err, HL_ERR_ARG, "hl_sae_steer: bad position list");
    arr = (hl__sae_steer_edit *)hl__realloc(s->steer, (size_t)(s->n_steer + 1) * sizeof *arr);
    if (!arr) return hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
    s->steer = arr;
    e = &s->steer[s->n_steer];
    e->f = f;
    e->alpha = alpha;
    e->pos = NULL;
    e->n_pos = 0;
    if (positions && n_positions > 0) {
        e->pos = (int64_t *)hl__calloc((size_t)n_positions, sizeof(int64_t));
        if (!e->pos) return hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
        memcpy(e->pos, positions, (size_t)n_positions * sizeof(int64_t));
        e->n_pos = n_positions;
    }
    s->n_steer++;
    return HL_OK;
}

HL__DEF void hl_sae_clear_edits(hl_sae *s) {
    int64_t i;
    if (!s) return;
    for (i = 0; i < s->n_steer; i++) hl__free(s->steer[i].pos);
    hl__free(s->steer);
    hl__free(s->ablate);
    s->steer = NULL;
    s->ablate = NULL;
    s->n_steer = s->n_ablate = 0;
}

/* ---- loading --------------------------------------------------------------------------------- */
#ifndef HL_NO_STDIO

/* Finds a tensor under its SAELens name or the lower-case GemmaScope variant ("W_enc"/"w_enc"). */
static const hl_tensor *hl__sae_find1(hl_npz *z, hl_safetensors *st, const char *name) {
    return z ? hl_npz_find(z, name) : hl_safetensors_find(st, name);
}
static const hl_tensor *hl__sae_find(hl_npz *z, hl_safetensors *st, const char *name) {
    const hl_tensor *t = hl__sae_find1(z, st, name);
    if (!t && name[0] == 'W') {
        char low[32];
        size_t n = strlen(name);
        if (n < sizeof low) {
            memcpy(low, name, n + 1);
            low[0] = 'w';
            t = hl__sae_find1(z, st, low);
        }
    }
    return t;
}

/* Every tensor an SAE may have, by its SAELens name (NULL where absent). */
static void hl__sae_find_params(hl_npz *z, hl_safetensors *st, hl_sae_params *p) {
    p->W_enc = hl__sae_find(z, st, "W_enc");
    p->W_dec = hl__sae_find(z, st, "W_dec");
    p->b_enc = hl__sae_find(z, st, "b_enc");
    p->b_dec = hl__sae_find(z, st, "b_dec");
    p->threshold = hl__sae_find(z, st, "threshold");
    p->b_gate = hl__sae_find(z, st, "b_gate");
    p->b_mag = hl__sae_find(z, st, "b_mag");
    p->r_mag = hl__sae_find(z, st, "r_mag");
    p->scaling_factor = hl__sae_find(z, st, "scaling_factor");
}

/* First occurrence of the NUL-terminated needle in hay[0..len), or NULL. */
static const char *hl__sae_memfind(const char *hay, size_t len, const char *needle) {
    size_t n = strlen(needle), i;
    for (i = 0; n <= len && i <= len - n; i++)
        if (memcmp(hay + i, needle, n) == 0) return hay + i;
    return NULL;
}

/* GemmaScope hook from the path (SAELens gemma_2 loader and pretrained_saes.yaml):
     .../gemma-scope-<size>-<pt|it>-<res|mlp|att>/layer_<L>/width_<W>/average_l0_<N>/params.npz
     res: blocks.L.hook_resid_post   mlp: blocks.L.hook_mlp_out   att: blocks.L.attn.hook_z (hook_z)
     .../embedding/...: hook_embed, with W_enc / sqrt(d_in) and W_dec * sqrt(d_in).
   Writes hook (buffer of cap bytes), *layer, model name and a note; returns the repo kind found
   ('r', 'm', 'a', 'e' for embedding, or 0 when the path says nothing). */
static int hl__sae_gemmascope_hook(const char *path, char *hook, size_t cap, int *layer,
                                   char *model, size_t mcap, char *note, size_t ncap) {
    const char *p = path, *comp;
    int kind = 0, L = -1, emb = 0;
    model[0] = 0;
    hook[0] = 0;
    note[0] = 0;
    while (*p) { /* walk the '/'-separated components */
        size_t len;
        while (*p == '/') p++;
        comp = p;
        while (*p && *p != '/') p++;
        len = (size_t)(p - comp);
        if (len > 6 && memcmp(comp, "layer_", 6) == 0) {
            size_t i;
            long v = 0;
            for (i = 6; i < len && comp[i] >= '0' && comp[i] <= '9' && v < 100000; i++)
                v = v * 10 + (comp[i] - '0');
            if (i == len) L = (int)v;
        } else if (len == 9 && memcmp(comp, "embedding", 9) == 0) {
            emb = 1;
        } else {
            /* "gemma-scope-2b-pt-res" or a hub cache dir "models--google--gemma-scope-2b-pt-res" */
            const char *g = hl__sae_memfind(comp, len, "gemma-scope");
            if (g) {
                size_t glen = len - (size_t)(g - comp);
                const char *size = hl__sae_memfind(g, glen, "-2b")    ? "2b"
                                   : hl__sae_memfind(g, glen, "-9b")  ? "9b"
                                   : hl__sae_memfind(g, glen, "-27b") ? "27b"
                                                                      : NULL;
                int it = hl__sae_memfind(g, glen, "-it-") != NULL;
                if (glen >= 4 && memcmp(g + glen - 4, "-res", 4) == 0) kind = 'r';
                else if (glen >= 4 && memcmp(g + glen - 4, "-mlp", 4) == 0) kind = 'm';
                else if (glen >= 4 && memcmp(g + glen - 4, "-att", 4) == 0) kind = 'a';
                if (size) snprintf(model, mcap, "gemma-2-%s%s", size, it ? "-it" : "");
            }
        }
    }
    *layer = L;
    if (emb) {
        snprintf(hook, cap, "hook_embed");
        snprintf(note, ncap, "from the path (embedding)");
        *layer = -1;
        return 'e';
    }
    if (L < 0) return 0;
    switch (kind) {
    case 'm': snprintf(hook, cap, "blocks.%d.hook_mlp_out", L); break;
    case 'a': snprintf(hook, cap, "blocks.%d.attn.hook_z", L); break;
    default: snprintf(hook, cap, "blocks.%d.hook_resid_post", L); break;
    }
    snprintf(note, ncap, kind ? "from the path (layer_%d, gemma-scope -%s)"
                              : "from the path (layer_%d; no gemma-scope-*-res/mlp/att folder in "
                                "the path, assumed a residual-stream SAE)",
             L, kind == 'm' ? "mlp" : kind == 'a' ? "att" : "res");
    return kind ? kind : 'r';
}

/* The config of a GemmaScope (params.npz) or Gemma Scope 2 (params.safetensors) SAE: JumpReLU, no
   normalization, b_dec not subtracted from the input (SAELens's gemma_2 and gemma_3 loaders); the hook
   found from the path (attn SAEs read the flattened hook_z), unless the caller named one. */
static void hl__sae_gemmascope_cfg(hl_sae_config *cfg, const char *format, const char *path, int hook_z, int layer,
                                   const char *hook, const char *note, const char *model, const hl_sae_desc *d) {
    cfg->arch = HL_SAE_JUMPRELU;
    cfg->norm = HL_SAE_NORM_NONE;
    cfg->apply_b_dec_to_input = 0;
    cfg->hook_z = hook_z;
    cfg->hook_layer = layer;
    cfg->hook_name = hook;
    cfg->hook_note = note;
    cfg->model_name = model;
    cfg->format = format;
    cfg->path = path;
    if (d->hook_name && d->hook_name[0]) {
        cfg->hook_name = d->hook_name;
        cfg->hook_note = "";
        cfg->hook_z = strstr(d->hook_name, "hook_z") != NULL;
    }
}

static hl_status hl__sae_load_gemmascope(const hl_sae_desc *d, const char *npz_path, hl_sae **out,
                                         hl_error *err) {
    hl_npz *z = NULL;
    hl_sae_config cfg;
    hl_sae_params p;
    hl_status st;
    char hook[128], model[64], note[256], *real;
    int layer = -1, kind;
    const char *const allowed[] = {"W_enc", "W_dec", "b_enc", "b_dec", "threshold", "scaling_factor"};
    size_t i, j, count;
    /* stored members are read where they lie in the mapped file, at any alignment (numpy's member
       data sits at arbitrary file offsets, and a copy would need the whole SAE in RAM); deflated
       ones (np.savez_compressed) are inflated */
    if ((st = hl__npz_open_path(npz_path, 1, &z, err)) != HL_OK) return st;
    memset(&cfg, 0, sizeof cfg);
    memset(&p, 0, sizeof p);
    count = hl_npz_count(z);
    for (i = 0; i < count; i++) { /* unknown arrays mean this is not a GemmaScope SAE */
        const char *nm = hl_npz_name(z, i);
        int ok = 0;
        for (j = 0; j < sizeof allowed / sizeof allowed[0]; j++)
            ok |= strcmp(nm, allowed[j]) == 0 ||
                  (nm[0] == 'w' && allowed[j][0] == 'W' && strcmp(nm + 1, allowed[j] + 1) == 0);
        if (!ok) { /* the message is written before the release: nm belongs to the archive */
            hl__fail(err, HL_ERR_UNSUPPORTED, "%s: array '%s' is not part of a GemmaScope "
                     "JumpReLU SAE (expected W_enc, W_dec, b_enc, b_dec, threshold)", npz_path, nm);
            hl_npz_close(z);
            return HL_ERR_UNSUPPORTED;
        }
    }
    hl__sae_find_params(z, NULL, &p);
    if (!p.W_enc || !p.W_dec || !p.b_enc || !p.b_dec || !p.threshold) {
        hl_npz_close(z);
        return hl__fail(err, HL_ERR_FORMAT, "%s: missing array '%s' (GemmaScope params.npz has W_enc, "
                        "W_dec, b_enc, b_dec, threshold)", npz_path,
                        !p.W_enc ? "W_enc" : !p.W_dec ? "W_dec" : !p.b_enc ? "b_enc"
                        : !p.b_dec ? "b_dec" : "threshold");
    }
    /* config synthesized as SAELens's gemma_2 loader does: jumprelu, no b_dec subtraction, no
       normalization; the hook from the path (made absolute first) */
    real = NULL;
    if (npz_path[0] != '/') { /* relative: the folders above the working directory count too */
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd)) real = hl__path_join(cwd, npz_path);
    }
    kind = hl__sae_gemmascope_hook(real ? real : npz_path, hook, sizeof hook, &layer, model,
                                   sizeof model, note, sizeof note);
    hl__free(real);
    hl__sae_gemmascope_cfg(&cfg, "gemmascope", npz_path, kind == 'a', layer, hook, note, model, d);
    if (kind == 'e' && p.W_enc->ndim == 2 && p.W_enc->shape[0] > 0) {
        /* TransformerLens's hook_embed already carries Gemma's sqrt(d_model) factor */
        float r = sqrtf((float)p.W_enc->shape[0]);
        cfg.enc_scale = 1.0f / r;
        cfg.dec_scale = r;
    }
    st = hl_sae_create(&cfg, &p, d->n_threads, d->kernels, out, err);
    if (st != HL_OK) {
        hl__wrap(err, st, npz_path);
        hl_npz_close(z);
        return st;
    }
    (*out)->npz = z;
    return HL_OK;
}

/* Reads a cfg.json key from the top level or from "metadata" (SAELens v6 nests provenance). */
static const hl_json *hl__sae_cfg(const hl_json *root, const char *key) {
    const hl_json *v = hl_json_get(root, key);
    if (!v || v->type == HL_JSON_NULL) {
        const hl_json *md = hl_json_get(root, "metadata");
        const hl_json *w = md ? hl_json_get(md, key) : NULL;
        if (w) v = w;
    }
    return v;
}

/* Parses a SAELens cfg.json (the fields of SAELens SAEConfig) into cfg; strings point into the doc. */
static hl_status hl__sae_parse_cfg(const char *cfg_path, const hl_json *root, hl_sae_config *cfg,
                                   int *finetuning_sf, hl_error *err) {
    const hl_json *v;
    const char *arch = hl_json_str(hl__sae_cfg(root, "architecture"), NULL);
    const char *afn = hl_json_str(hl__sae_cfg(root, "activation_fn_str"), NULL);
    const char *ver = hl_json_str(hl__sae_cfg(root, "sae_lens_version"), NULL);
    int v6 = ver && ver[0] >= '6' && ver[0] <= '9' && (ver[1] == '.' || ver[1] == 0);
    if (!root || root->type != HL_JSON_OBJECT)
        return hl__fail(err, HL_ERR_FORMAT, "%s: expected a JSON object", cfg_path);
    if (!afn) afn = hl_json_str(hl__sae_cfg(root, "activation_fn"), NULL);
    /* architecture */
    if (!arch || strcmp(arch, "standard") == 0) cfg->arch = HL_SAE_STANDARD;
    else if (strcmp(arch, "jumprelu") == 0) cfg->arch = HL_SAE_JUMPRELU;
    else if (strcmp(arch, "topk") == 0) cfg->arch = HL_SAE_TOPK;
    else if (strcmp(arch, "gated") == 0) cfg->arch = HL_SAE_GATED;
    else
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: architecture '%s' is not supported (standard, "
                        "jumprelu, topk, gated)", cfg_path, arch);
    if (afn && strcmp(afn, "topk") == 0 && cfg->arch == HL_SAE_STANDARD && !v6)
        cfg->arch = HL_SAE_TOPK; /* legacy: activation_fn topk + activation_fn_kwargs.k */
    if (afn && !v6 && cfg->arch == HL_SAE_STANDARD && strcmp(afn, "relu") != 0)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: activation_fn '%s' is not supported (relu, "
                        "topk)", cfg_path, afn);
    if (cfg->arch == HL_SAE_TOPK) {
        v = hl_json_get(root, "k");
        if (!v) v = hl_json_get(hl_json_get(root, "activation_fn_kwargs"), "k");
        if (!v || v->type != HL_JSON_NUMBER || !v->is_int || v->i64 <= 0)
            return hl__fail(err, HL_ERR_FORMAT, "%s: topk SAE without a positive integer k (top-level "
                            "'k' or activation_fn_kwargs.k)", cfg_path);
        cfg->k = v->i64;
        cfg->rescale_acts_by_decoder_norm =
            hl_json_bool(hl__sae_cfg(root, "rescale_acts_by_decoder_norm"), 0);
    }
    /* sizes (cross-checked against the tensors by hl_sae_create) */
    cfg->d_in = hl_json_int(hl__sae_cfg(root, "d_in"), 0);
    cfg->d_sae = hl_json_int(hl__sae_cfg(root, "d_sae"), 0);
    if (cfg->d_in < 0 || cfg->d_sae < 0)
        return hl__fail(err, HL_ERR_FORMAT, "%s: negative d_in/d_sae", cfg_path);
    /* dtype: only checked (compute is f32) */
    v = hl__sae_cfg(root, "dtype");
    if (v && v->type == HL_JSON_STRING) {
        const char *t = v->str;
        if (strncmp(t, "torch.", 6) == 0) t += 6;
        if (strcmp(t, "float32") && strcmp(t, "float16") && strcmp(t, "bfloat16") &&
            strcmp(t, "float64") && strcmp(t, "float") && strcmp(t, "half"))
            return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: dtype '%s' is not supported", cfg_path,
                            v->str);
    }
    cfg->apply_b_dec_to_input = hl_json_bool(hl__sae_cfg(root, "apply_b_dec_to_input"), 1);
    /* normalize_activations: string, or legacy bool (true -> expected_average_only_in) */
    v = hl__sae_cfg(root, "normalize_activations");
    cfg->norm = HL_SAE_NORM_NONE;
    if (v && v->type == HL_JSON_BOOL) {
        cfg->norm = v->boolean ? HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN : HL_SAE_NORM_NONE;
    } else if (v && v->type == HL_JSON_STRING) {
        if (strcmp(v->str, "none") == 0) cfg->norm = HL_SAE_NORM_NONE;
        else if (strcmp(v->str, "constant_norm_rescale") == 0) cfg->norm = HL_SAE_NORM_CONSTANT_NORM_RESCALE;
        else if (strcmp(v->str, "layer_norm") == 0) cfg->norm = HL_SAE_NORM_LAYER_NORM;
        else if (strcmp(v->str, "expected_average_only_in") == 0)
            cfg->norm = HL_SAE_NORM_EXPECTED_AVERAGE_ONLY_IN;
        else
            return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: normalize_activations '%s' is not supported "
                            "(none, constant_norm_rescale, layer_norm, expected_average_only_in)",
                            cfg_path, v->str);
    } else if (v && v->type != HL_JSON_NULL) {
        return hl__fail(err, HL_ERR_FORMAT, "%s: normalize_activations must be a string", cfg_path);
    }
    v = hl__sae_cfg(root, "norm_scaling_factor");
    if (v && v->type == HL_JSON_NUMBER) cfg->norm_scaling_factor = (float)v->num;
    /* hook: v6 metadata.hook_name, legacy hook_name or hook_point */
    cfg->hook_name = hl_json_str(hl__sae_cfg(root, "hook_name"), NULL);
    if (!cfg->hook_name) cfg->hook_name = hl_json_str(hl__sae_cfg(root, "hook_point"), "");
    v = hl__sae_cfg(root, "hook_layer");
    if (!v) v = hl__sae_cfg(root, "hook_point_layer");
    cfg->hook_layer = (int)hl_json_int(v, -1);
    if (cfg->hook_layer < 0 && strncmp(cfg->hook_name, "blocks.", 7) == 0)
        cfg->hook_layer = atoi(cfg->hook_name + 7);
    cfg->model_name = hl_json_str(hl__sae_cfg(root, "model_name"), "");
    v = hl__sae_cfg(root, "reshape_activations");
    if (v && v->type == HL_JSON_STRING) cfg->hook_z = strcmp(v->str, "hook_z") == 0;
    else cfg->hook_z = strstr(cfg->hook_name, "hook_z") != NULL;
    *finetuning_sf = hl_json_bool(hl__sae_cfg(root, "finetuning_scaling_factor"), 0);
    return HL_OK;
}

static hl_status hl__sae_load_saelens(const hl_sae_desc *d, const char *dir, hl_sae **out,
                                      hl_error *err) {
    char *cfg_path = hl__path_join(dir, "cfg.json"), *w_path = hl__path_join(dir, "sae_weights.safetensors");
    char *sp_path = hl__path_join(dir, "sparsity.safetensors");
    hl__file f;
    hl_json_doc *doc = NULL;
    hl_safetensors *st = NULL, *sp = NULL;
    hl_sae_config cfg;
    hl_sae_params p;
    hl_status ret;
    int fsf = 0;
    float *thr = NULL;
    hl_tensor thr_t;
    memset(&f, 0, sizeof f);
    memset(&cfg, 0, sizeof cfg);
    memset(&p, 0, sizeof p);
    if (!cfg_path || !w_path || !sp_path) {
        ret = hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
        goto fail;
    }
    if ((ret = hl__file_open(cfg_path, &f, err)) != HL_OK) goto fail;
    if ((ret = hl_json_parse((const char *)f.data, f.size, &doc, err)) != HL_OK) {
        hl__wrap(err, ret, cfg_path);
        goto fail;
    }
    if ((ret = hl__sae_parse_cfg(cfg_path, hl_json_root(doc), &cfg, &fsf, err)) != HL_OK) goto fail;
    if ((ret = hl_safetensors_open(w_path, &st, err)) != HL_OK) goto fail;
    hl__sae_find_params(NULL, st, &p);
    /* v5: scaling_factor multiplies f before decoding only with finetuning_scaling_factor true;
       hl_sae_create drops an all-ones one either way */
    if (!fsf) p.scaling_factor = NULL;
    if (cfg.arch == HL_SAE_JUMPRELU && !p.threshold) {
        /* training checkpoints keep log_threshold: threshold = exp(log_threshold) */
        const hl_tensor *lt = hl__sae_find(NULL, st, "log_threshold");
        int64_t i, n;
        if (!lt) {
            ret = hl__fail(err, HL_ERR_FORMAT, "%s: jumprelu SAE has neither 'threshold' nor "
                           "'log_threshold'", w_path);
            goto fail;
        }
        if (lt->ndim != 1 || lt->shape[0] <= 0) {
            ret = hl__fail(err, HL_ERR_SHAPE, "%s: 'log_threshold' must be 1-d [d_sae]", w_path);
            goto fail;
        }
        n = lt->shape[0];
        thr = (float *)hl__calloc((size_t)n, sizeof(float));
        if (!thr) {
            ret = hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
            goto fail;
        }
        for (i = 0; i < n; i++) thr[i] = expf(hl_tensor_get_f32(lt, i));
        memset(&thr_t, 0, sizeof thr_t);
        thr_t.dtype = HL_DTYPE_F32;
        thr_t.ndim = 1;
        thr_t.shape[0] = n;
        thr_t.data = thr;
        p.threshold = &thr_t;
    }
    if (d->norm_scaling_factor > 0.0f) cfg.norm_scaling_factor = d->norm_scaling_factor;
    if (d->hook_name && d->hook_name[0]) {
        cfg.hook_name = d->hook_name;
        cfg.hook_z = strstr(d->hook_name, "hook_z") != NULL;
    }
    cfg.hook_note = "";
    cfg.format = "saelens";
    cfg.path = dir;
    if ((ret = hl_sae_create(&cfg, &p, d->n_threads, d->kernels, out, err)) != HL_OK) {
        hl__wrap(err, ret, dir);
        goto fail;
    }
    (*out)->st = st;
    st = NULL;
    if (hl__exists(sp_path)) { /* optional: log10 firing density, returned, never used */
        const hl_tensor *t;
        if ((ret = hl_safetensors_open(sp_path, &sp, err)) != HL_OK) goto fail_sae;
        t = hl_safetensors_find(sp, "sparsity");
        if (!t || t->ndim != 1 || t->shape[0] != (*out)->cfg.d_sae) {
            ret = hl__fail(err, HL_ERR_SHAPE, "%s: expected a tensor 'sparsity' of shape [%lld]",
                           sp_path, (long long)(*out)->cfg.d_sae);
            goto fail_sae;
        }
        (*out)->sparsity = t;
        (*out)->sparsity_st = sp;
        sp = NULL;
    }
    ret = HL_OK;
    goto done;
fail_sae:
    hl_sae_free(*out);
    *out = NULL;
fail:
done:
    hl__free(thr);
    if (sp) hl_safetensors_close(sp);
    if (st) hl_safetensors_close(st);
    hl_json_free(doc);
    hl__file_close(&f);
    hl__free(cfg_path);
    hl__free(w_path);
    hl__free(sp_path);
    return ret;
}

/* Gemma Scope 2 (Gemma-3 SAEs, SAELens conversion "gemma_3": gemma_3_sae_huggingface_loader in
   sae_lens/loading/pretrained_sae_loaders.py, SAELens 6.54). A folder <site>/layer_<L>_width_<W>_l0_<l0>
   holds params.safetensors (w_enc [d_in,d_sae], w_dec [d_sae,d_in], b_enc [d_sae], b_dec [d_in],
   threshold [d_sae]; JumpReLU; lower-case names) and config.json ({"architecture": "jump_relu",
   "model_name", "hf_hook_point_in": "model.layers.L.output", ...}). SAELens takes the hook from the
   folder name and falls back to inferring config.json from it when the file is absent:
     site            config.json hf_hook_point_in                TransformerLens hook
     resid_post[_all] model.layers.L.output                       blocks.L.hook_resid_post
     attn_out[_all]   model.layers.L.self_attn.o_proj.input       blocks.L.attn.hook_z (flattened heads)
     mlp_out[_all]    model.layers.L.post_feedforward_layernorm.output  blocks.L.hook_mlp_out
     transcoder[_all] model.layers.L.pre_feedforward_layernorm.output -> ...post_feedforward_layernorm
                      .output: a transcoder (mlp in -> mlp out), not an SAE: refused here.
   Sites: 'r' resid_post, 'a' attn_out, 'm' mlp_out, 't' transcoder, 0 unknown. */
static const char *hl__sae_gs2_site_name(int site) {
    return site == 'r' ? "resid_post" : site == 'a' ? "attn_out" : site == 'm' ? "mlp_out" : "transcoder";
}
static void hl__sae_gs2_hook_of(int site, int L, char *hook, size_t cap) {
    if (site == 'a') snprintf(hook, cap, "blocks.%d.attn.hook_z", L);
    else if (site == 'm') snprintf(hook, cap, "blocks.%d.hook_mlp_out", L);
    else if (site == 't') snprintf(hook, cap, "blocks.%d.hook_mlp_in", L);
    else snprintf(hook, cap, "blocks.%d.hook_resid_post", L);
}

/* Decimal layer digits at s[0..len): -1 when empty, not all digits, or above 99999. */
static int hl__sae_gs2_layer_num(const char *s, size_t len) {
    size_t i;
    long v = 0;
    if (len == 0 || len > 5) return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return (int)v;
}

/* Site and layer from the folder path (its last two components: <site>/layer_<L>_...), as SAELens
   reads them from the repo folder name. */
static void hl__sae_gs2_from_path(const char *dir, int *site, int *layer) {
    const char *comp[2] = {NULL, NULL}, *p = dir;
    size_t clen[2] = {0, 0};
    *site = 0;
    *layer = -1;
    while (*p) { /* keep the last two non-empty components */
        const char *c;
        while (*p == '/') p++;
        c = p;
        while (*p && *p != '/') p++;
        if (p > c) {
            comp[0] = comp[1];
            clen[0] = clen[1];
            comp[1] = c;
            clen[1] = (size_t)(p - c);
        }
    }
    if (comp[1] && clen[1] > 6 && memcmp(comp[1], "layer_", 6) == 0) {
        size_t n = 0;
        while (6 + n < clen[1] && comp[1][6 + n] >= '0' && comp[1][6 + n] <= '9') n++;
        if (6 + n == clen[1] || comp[1][6 + n] == '_') *layer = hl__sae_gs2_layer_num(comp[1] + 6, n);
    }
    if (comp[0]) {
        static const struct { const char *name; int site; } sites[] = {
            {"resid_post", 'r'}, {"attn_out", 'a'}, {"mlp_out", 'm'}, {"transcoder", 't'}};
        size_t i, n;
        for (i = 0; i < sizeof sites / sizeof sites[0]; i++) {
            n = strlen(sites[i].name);
            if ((clen[0] == n || (clen[0] == n + 4 && memcmp(comp[0] + n, "_all", 4) == 0)) &&
                memcmp(comp[0], sites[i].name, n) == 0)
                *site = sites[i].site;
        }
    }
}

/* Site and layer from a Hugging Face hook point "model.layers.<L>.<module>"; 0 / -1 if unknown. */
static void hl__sae_gs2_from_hf(const char *hf, int *site, int *layer) {
    const char *p = hf, *dot;
    *site = 0;
    *layer = -1;
    if (strncmp(p, "model.layers.", 13) != 0) return;
    p += 13;
    dot = strchr(p, '.');
    if (!dot) return;
    *layer = hl__sae_gs2_layer_num(p, (size_t)(dot - p));
    if (*layer < 0) return;
    dot++;
    if (strcmp(dot, "output") == 0) *site = 'r';
    else if (strcmp(dot, "self_attn.o_proj.input") == 0) *site = 'a';
    else if (strcmp(dot, "post_feedforward_layernorm.output") == 0) *site = 'm';
    else if (strcmp(dot, "pre_feedforward_layernorm.output") == 0) *site = 't';
    else *layer = -1;
}

/* Loads params.safetensors at st_path, with the optional config.json beside it. */
static hl_status hl__sae_load_gemmascope2(const hl_sae_desc *d, const char *st_path, hl_sae **out,
                                          hl_error *err) {
    const char *slash = strrchr(st_path, '/');
    char *dir = NULL, *cfg_path = NULL, *absdir = NULL;
    hl__file f;
    hl_json_doc *doc = NULL;
    const hl_json *root = NULL;
    hl_safetensors *st = NULL;
    hl_sae_config cfg;
    hl_sae_params p;
    hl_status ret;
    char hook[96], note[320], model[96];
    int psite, player, csite = 0, clayer = -1, site, layer;
    const char *hf_in = NULL, *hf_out = NULL, *arch;
    size_t i, count;
    memset(&f, 0, sizeof f);
    memset(&cfg, 0, sizeof cfg);
    memset(&p, 0, sizeof p);
    hook[0] = note[0] = model[0] = 0;
    dir = slash ? hl__strndup(st_path, (size_t)(slash - st_path)) : hl__strdup(".");
    if (!dir || !(cfg_path = hl__path_join(dir[0] ? dir : "/", "config.json"))) {
        ret = hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
        goto done;
    }
    if (dir[0] != '/') { /* relative: the folders above the working directory count too */
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd)) absdir = hl__path_join(cwd, dir);
    }
    /* the weights: exactly the five JumpReLU arrays, lower-case as Gemma Scope 2 writes them */
    if ((ret = hl_safetensors_open(st_path, &st, err)) != HL_OK) goto done;
    count = hl_safetensors_count(st);
    for (i = 0; i < count; i++) {
        const char *nm = hl_safetensors_name(st, i);
        if (strcmp(nm, "affine_skip_connection") == 0) {
            ret = hl__fail(err, HL_ERR_UNSUPPORTED, "%s: has 'affine_skip_connection': a Gemma Scope 2 "
                           "skip transcoder (MLP input -> MLP output), not an SAE; hooklens runs SAEs only",
                           st_path);
            goto done;
        }
        if (strcmp(nm, "w_enc") && strcmp(nm, "w_dec") && strcmp(nm, "b_enc") && strcmp(nm, "b_dec") &&
            strcmp(nm, "threshold")) {
            ret = hl__fail(err, HL_ERR_UNSUPPORTED, "%s: tensor '%.64s' is not part of a Gemma Scope 2 "
                           "JumpReLU SAE (expected w_enc, w_dec, b_enc, b_dec, threshold)", st_path, nm);
            goto done;
        }
    }
    p.W_enc = hl_safetensors_find(st, "w_enc");
    p.W_dec = hl_safetensors_find(st, "w_dec");
    p.b_enc = hl_safetensors_find(st, "b_enc");
    p.b_dec = hl_safetensors_find(st, "b_dec");
    p.threshold = hl_safetensors_find(st, "threshold");
    if (!p.W_enc || !p.W_dec || !p.b_enc || !p.b_dec || !p.threshold) {
        ret = hl__fail(err, HL_ERR_FORMAT, "%s: missing tensor '%s' (Gemma Scope 2 params.safetensors "
                       "has w_enc, w_dec, b_enc, b_dec, threshold)", st_path,
                       !p.W_enc ? "w_enc" : !p.W_dec ? "w_dec" : !p.b_enc ? "b_enc" : !p.b_dec ? "b_dec"
                                                                                  : "threshold");
        goto done;
    }
    /* config.json (optional, as in SAELens): architecture, the hook point, the width */
    if (hl__exists(cfg_path)) {
        const hl_json *v;
        if ((ret = hl__file_open(cfg_path, &f, err)) != HL_OK) goto done;
        if ((ret = hl_json_parse((const char *)f.data, f.size, &doc, err)) != HL_OK) {
            hl__wrap(err, ret, cfg_path);
            goto done;
        }
        root = hl_json_root(doc);
        if (!root || root->type != HL_JSON_OBJECT) {
            ret = hl__fail(err, HL_ERR_FORMAT, "%s: expected a JSON object", cfg_path);
            goto done;
        }
        v = hl_json_get(root, "architecture");
        arch = hl_json_str(v, NULL);
        if (v && v->type != HL_JSON_NULL && (!arch || strcmp(arch, "jump_relu") != 0)) {
            ret = hl__fail(err, HL_ERR_UNSUPPORTED, "%s: architecture %s%.64s%s is not supported "
                           "(Gemma Scope 2 SAEs are \"jump_relu\")", cfg_path, arch ? "'" : "(not a string)",
                           arch ? arch : "", arch ? "'" : "");
            goto done;
        }
        v = hl_json_get(root, "hf_hook_point_in");
        if (v && v->type != HL_JSON_NULL && v->type != HL_JSON_STRING) {
            ret = hl__fail(err, HL_ERR_FORMAT, "%s: hf_hook_point_in must be a string", cfg_path);
            goto done;
        }
        hf_in = hl_json_str(v, NULL);
        hf_out = hl_json_str(hl_json_get(root, "hf_hook_point_out"), NULL);
        if (hf_in) {
            hl__sae_gs2_from_hf(hf_in, &csite, &clayer);
            if (!csite) {
                ret = hl__fail(err, HL_ERR_UNSUPPORTED, "%s: hf_hook_point_in '%.100s' is not a Gemma "
                               "Scope 2 hook point (model.layers.L.output, .self_attn.o_proj.input, "
                               ".post_feedforward_layernorm.output)", cfg_path, hf_in);
                goto done;
            }
        }
        if (hl_json_bool(hl_json_get(root, "affine_connection"), 0) ||
            (hf_out && (!hf_in || strcmp(hf_out, hf_in) != 0)))
            csite = 't';
        v = hl_json_get(root, "width");
        if (v && v->type != HL_JSON_NULL) {
            if (v->type != HL_JSON_NUMBER || !v->is_int || v->i64 <= 0) {
                ret = hl__fail(err, HL_ERR_FORMAT, "%s: width must be a positive integer", cfg_path);
                goto done;
            }
            cfg.d_sae = v->i64; /* cross-checked against the tensors by hl_sae_create */
        }
        {
            const char *mn = hl_json_str(hl_json_get(root, "model_name"), NULL);
            if (mn) { /* SAELens: "gemma-v3-1b-pt" style names become gemma-3-...; 270m has no -pt */
                const char *g = strncmp(mn, "google/", 7) == 0 ? mn + 7 : mn;
                const char *v3 = strstr(g, "-v3");
                if (v3) snprintf(model, sizeof model, "%.*s-3%.60s", (int)(v3 - g), g, v3 + 3);
                else snprintf(model, sizeof model, "%.90s", g);
            }
        }
    }
    if (!model[0]) { /* no model_name: SAELens derives it from the repo, gemma-scope-2-X -> gemma-3-X */
        const char *g = strstr(absdir ? absdir : dir, "gemma-scope-2-");
        if (g) {
            size_t n = strcspn(g + 14, "/");
            snprintf(model, sizeof model, "gemma-3-%.*s", (int)(n < 60 ? n : 60), g + 14);
        }
    }
    if (strstr(model, "270m")) { /* the 270m model has no -pt suffix (SAELens does the same) */
        char *pt = strstr(model, "-pt");
        if (pt && (pt[3] == 0 || pt[3] == '-')) memmove(pt, pt + 3, strlen(pt + 3) + 1);
    }
    hl__sae_gs2_from_path(absdir ? absdir : dir, &psite, &player);
    if (psite == 't' || csite == 't') {
        ret = hl__fail(err, HL_ERR_UNSUPPORTED, "%s: a Gemma Scope 2 transcoder (MLP input -> MLP output, "
                       "%s), not an SAE; hooklens runs SAEs only", st_path,
                       psite == 't' ? "transcoder folder" : "config.json hook points");
        goto done;
    }
    /* SAELens reads the hook from the folder name; config.json's hook point must agree with it */
    if (psite && player >= 0 && csite && (psite != csite || player != clayer)) {
        ret = hl__fail(err, HL_ERR_FORMAT, "%s: config.json hook point '%.100s' (%s, layer %d) disagrees "
                       "with the folder (%s, layer %d)", st_path, hf_in, hl__sae_gs2_site_name(csite),
                       clayer, hl__sae_gs2_site_name(psite), player);
        goto done;
    }
    if (psite && player >= 0) {
        site = psite;
        layer = player;
        snprintf(note, sizeof note, "from the folder (%s/layer_%d%s)", hl__sae_gs2_site_name(site), layer,
                 csite ? ", as config.json's hf_hook_point_in says" : "");
    } else if (csite) {
        site = csite;
        layer = clayer;
        snprintf(note, sizeof note, "from config.json hf_hook_point_in %.100s", hf_in);
    } else {
        site = 0;
        layer = -1;
        snprintf(note, sizeof note, "unknown: no config.json hook point and no <resid_post|attn_out|"
                 "mlp_out>/layer_<L>_... folder; give the hook name");
    }
    if (site) hl__sae_gs2_hook_of(site, layer, hook, sizeof hook);
    hl__sae_gemmascope_cfg(&cfg, "gemmascope2", st_path, site == 'a', layer, hook, note, model, d);
    if ((ret = hl_sae_create(&cfg, &p, d->n_threads, d->kernels, out, err)) != HL_OK) {
        hl__wrap(err, ret, st_path);
        goto done;
    }
    (*out)->st = st;
    st = NULL;
    ret = HL_OK;
done:
    if (st) hl_safetensors_close(st);
    hl_json_free(doc);
    hl__file_close(&f);
    hl__free(dir);
    hl__free(absdir);
    hl__free(cfg_path);
    return ret;
}

HL__DEF hl_status hl_sae_load(const hl_sae_desc *desc, hl_sae **out, hl_error *err) {
    hl_sae_desc d;
    hl_status st;
    hl_sae *s = NULL;
    if (!desc || !desc->path || !out) return hl__fail(err, HL_ERR_ARG, "hl_sae_load: NULL argument");
    d = *desc;
    if (hl__is_dir(d.path)) {
        char *cfg = hl__path_join(d.path, "cfg.json"), *npz = hl__path_join(d.path, "params.npz");
        char *gs2 = hl__path_join(d.path, "params.safetensors");
        if (!cfg || !npz || !gs2) st = hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
        else if (hl__exists(cfg)) st = hl__sae_load_saelens(&d, d.path, &s, err);
        else if (hl__exists(npz)) st = hl__sae_load_gemmascope(&d, npz, &s, err);
        else if (hl__exists(gs2)) st = hl__sae_load_gemmascope2(&d, gs2, &s, err);
        else
            st = hl__fail(err, HL_ERR_NOT_FOUND, "%s: folder has neither cfg.json (SAELens), params.npz "
                          "(Gemma Scope) nor params.safetensors (Gemma Scope 2)", d.path);
        hl__free(cfg);
        hl__free(npz);
        hl__free(gs2);
    } else if (hl__ends_with(d.path, ".npz")) {
        st = hl__sae_load_gemmascope(&d, d.path, &s, err);
    } else if (hl__ends_with(d.path, ".safetensors") || hl__ends_with(d.path, ".json")) {
        /* a file inside a folder: params.safetensors (and the config.json beside one, when the
           folder has no SAELens cfg.json) is Gemma Scope 2; else load the SAELens folder */
        const char *slash = strrchr(d.path, '/'), *base = slash ? slash + 1 : d.path;
        char *dir = slash ? hl__strndup(d.path, (size_t)(slash - d.path)) : hl__strdup(".");
        char *cfg = dir ? hl__path_join(dir[0] ? dir : "/", "cfg.json") : NULL;
        char *gs2 = dir ? hl__path_join(dir[0] ? dir : "/", "params.safetensors") : NULL;
        if (!dir || !cfg || !gs2) st = hl__fail(err, HL_ERR_OOM, "SAE: out of memory");
        else if (!hl__exists(d.path)) st = hl__fail(err, HL_ERR_IO, "%s: no such file", d.path);
        else if (strcmp(base, "params.safetensors") == 0) st = hl__sae_load_gemmascope2(&d, d.path, &s, err);
        else if (strcmp(base, "config.json") == 0 && !hl__exists(cfg) && hl__exists(gs2))
            st = hl__sae_load_gemmascope2(&d, gs2, &s, err);
        else st = hl__sae_load_saelens(&d, dir[0] ? dir : "/", &s, err);
        hl__free(dir);
        hl__free(cfg);
        hl__free(gs2);
    } else if (!hl__exists(d.path)) {
        st = hl__fail(err, HL_ERR_IO, "%s: no such file or folder", d.path);
    } else {
        st = hl__fail(err, HL_ERR_UNSUPPORTED, "%s: not an SAE (expected params.npz, a folder with "
                      "params.npz, a SAELens folder with cfg.json + sae_weights.safetensors, or a Gemma "
                      "Scope 2 folder with params.safetensors)", d.path);
    }
    if (st != HL_OK) return st;
    *out = s;
    return HL_OK;
}

#else
HL__DEF hl_status hl_sae_load(const hl_sae_desc *desc, hl_sae **out, hl_error *err) {
    (void)desc, (void)out;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_sae_load: built with HL_NO_STDIO (use hl_sae_create over tensors from memory)");
}
#endif /* HL_NO_STDIO */

/* <<sae */

/* >>analysis ================================================================================ */
/* TransformerLens's ActivationCache analyses (ActivationCache.py: accumulated_resid,
   decompose_resid, stack_head_results, get_full_resid_decomposition, apply_ln_to_stack,
   logit_attrs; HookedTransformer.loss_fn), on the cache of one run. */

/* A cached point of this run, F32 with pos * width values; NULL after failing with its name. */
static const float *hl__an_get(const hl_cache *c, const char *name, int64_t pos, int64_t width, hl_error *err) {
    const hl_tensor *t = hl_cache_get(c, name);
    if (!t) {
        hl__fail(err, HL_ERR_NOT_FOUND, "analysis: the cache has no '%s' (run_with_cache with it in the filter)", name);
        return NULL;
    }
    if (t->dtype != HL_DTYPE_F32 || hl_tensor_numel(t) != pos * width) {
        hl__fail(err, HL_ERR_SHAPE, "analysis: '%s' in the cache is not %lld x %lld F32 values", name, (long long)pos,
                 (long long)width);
        return NULL;
    }
    return (const float *)t->data;
}

/* The final norm as the model runs it, recomputed on row x [d] (TL apply_ln_to_stack with
   recompute_ln=True): x_hat = (x - mean) / sqrt(var + eps) (LayerNorm) or x / RMS(x), then times w
   (+ b) unless fold_ln folded them into W_U (TL's ln_final is then LNPre / RMSPre). */
static void hl__an_final_norm(const hl_model *m, const float *x, float *y) {
    const int64_t d = m->cfg.d_model;
    const float mu = m->cfg.norm == HL_NORM_LN ? hl__mean(x, d, 1) : 0.0f;
    double sq = 0.0;
    float sc;
    int64_t i;
    for (i = 0; i < d; i++) y[i] = x[i] - mu;
    for (i = 0; i < d; i++) sq += (double)y[i] * (double)y[i];
    sc = (float)sqrt(sq / (double)d + (double)m->cfg.eps);
    for (i = 0; i < d; i++) y[i] /= sc;
    if (!(m->cfg.processing & HL_PROC_FOLD_LN))
        for (i = 0; i < d; i++) y[i] = y[i] * m->final_norm.w[i] + (m->final_norm.b ? m->final_norm.b[i] : 0.0f);
}
/* TL apply_ln_to_stack with the cached scale: y = (x - mean_d x (LayerNorm)) / scale. */
static void hl__an_cached_ln(const hl_model *m, const float *x, float scale, float *y) {
    const int64_t d = m->cfg.d_model;
    const float mu = m->cfg.norm == HL_NORM_LN ? hl__mean(x, d, 1) : 0.0f;
    int64_t i;
    for (i = 0; i < d; i++) y[i] = (x[i] - mu) / scale;
}

/* A stack under construction: components appended in order, labels in one block. */
typedef struct hl__an_builder {
    hl_stack *s;
    int64_t   cap;
    hl__buf   names;
    size_t   *name_off;
} hl__an_builder;
static float *hl__an_push(hl__an_builder *b, const char *label) {
    size_t row = (size_t)(b->s->pos * b->s->d_model);
    if (b->s->n >= b->cap) return NULL;
    b->name_off[b->s->n] = b->names.len;
    hl__buf_push(&b->names, label, strlen(label) + 1);
    return b->s->x + (size_t)(b->s->n++) * row;
}

HL__DEF void hl_stack_free(hl_stack *s) {
    if (!s) return;
    hl__free(s->x);
    hl__free((void *)s->labels);
    hl__free(s);
}

HL__DEF hl_status hl_resid_stack(const hl_model *m, const hl_cache *c, hl_stack_kind kind, int apply_ln,
                                 hl_stack **out, hl_error *err) {
    const hl_model_cfg *cf;
    const hl_tensor *t;
    hl__an_builder b;
    hl_stack *s = NULL;
    const float *scale = NULL, *src;
    char nm[HL__SLOT_NAME_CAP], label[48];
    int64_t L, H, d, dh, P, l, h, i, j, cap;
    hl_status st = HL_OK;
    float *dst, *tmp = NULL;
    if (!m || !c || !out || kind < HL_STACK_ACCUMULATED || kind > HL_STACK_FULL)
        return hl__fail(err, HL_ERR_ARG, "hl_resid_stack: model, cache, a stack kind and out are required");
    *out = NULL;
    cf = &m->cfg;
    L = cf->n_layers, H = cf->n_heads, d = cf->d_model, dh = cf->d_head;
    if (!(t = hl_cache_get(c, "hook_embed")) || t->ndim != 3)
        return hl__fail(err, HL_ERR_NOT_FOUND, "hl_resid_stack: the cache has no 'hook_embed' [1, pos, d_model]");
    P = t->shape[1];
    if (kind == HL_STACK_ACCUMULATED && cf->parallel)
        return hl__fail(err, HL_ERR_NOT_FOUND, "hl_resid_stack: %s has parallel attention and MLP: no hook_resid_mid to "
                        "accumulate (TL raises KeyError); use HL_STACK_ACCUMULATED_NO_MID", cf->architecture);
    cap = kind == HL_STACK_ACCUMULATED ? 2 * L + 1 : kind == HL_STACK_ACCUMULATED_NO_MID ? L + 1
          : kind == HL_STACK_DECOMPOSED ? 2 + 2 * L : kind == HL_STACK_HEADS ? L * H : L * H + L + 3;
    memset(&b, 0, sizeof b);
    s = (hl_stack *)hl__calloc(1, sizeof *s);
    b.name_off = (size_t *)hl__calloc((size_t)cap, sizeof(size_t));
    if (s) s->x = (float *)hl__calloc((size_t)(cap * P * d), sizeof(float));
    tmp = (float *)hl__malloc((size_t)(P * (dh > d ? dh : d) + d * dh) * sizeof(float));
    if (!s || !s->x || !b.name_off || !tmp) { st = hl__fail(err, HL_ERR_OOM, "hl_resid_stack: out of memory"); goto done; }
    s->pos = P, s->d_model = d;
    b.s = s, b.cap = cap;
#define HL__AN_COPY(name, label_)                                                                  \
    do {                                                                                           \
        if (!(src = hl__an_get(c, (name), P, d, err))) { st = err ? err->status : HL_ERR_NOT_FOUND; goto done; } \
        memcpy(hl__an_push(&b, (label_)), src, (size_t)(P * d) * sizeof(float));                  \
    } while (0)
    if (kind == HL_STACK_ACCUMULATED || kind == HL_STACK_ACCUMULATED_NO_MID) {
        for (l = 0; l < L; l++) {
            hl_hook_name(HL_HOOK_RESID_PRE, l, nm, sizeof nm);
            snprintf(label, sizeof label, "%lld_pre", (long long)l);
            HL__AN_COPY(nm, label);
            if (kind == HL_STACK_ACCUMULATED) {
                hl_hook_name(HL_HOOK_RESID_MID, l, nm, sizeof nm);
                snprintf(label, sizeof label, "%lld_mid", (long long)l);
                HL__AN_COPY(nm, label);
            }
        }
        hl_hook_name(HL_HOOK_RESID_POST, L - 1, nm, sizeof nm);
        HL__AN_COPY(nm, "final_post");
    }
    if (kind == HL_STACK_DECOMPOSED) {
        HL__AN_COPY("hook_embed", "embed");
        if (cf->learned_pos) HL__AN_COPY("hook_pos_embed", "pos_embed");
        for (l = 0; l < L; l++) {
            hl_hook_name(HL_HOOK_ATTN_OUT, l, nm, sizeof nm);
            snprintf(label, sizeof label, "%lld_attn_out", (long long)l);
            HL__AN_COPY(nm, label);
            hl_hook_name(HL_HOOK_MLP_OUT, l, nm, sizeof nm);
            snprintf(label, sizeof label, "%lld_mlp_out", (long long)l);
            HL__AN_COPY(nm, label);
        }
    }
    if (kind == HL_STACK_HEADS || kind == HL_STACK_FULL) {
        /* result[p, h] = z[p, h] W_O[h] (TL's W_O [H, dh, d]: o_proj's inputs h*dh .. (h+1)*dh), centred
           over d_model when the model centres what it writes (CENTER_WRITING_WEIGHTS) */
        for (l = 0; l < L; l++) {
            const hl_tensor *W = m->layers[l].o.w;
            hl_hook_name(HL_HOOK_ATTN_Z, l, nm, sizeof nm);
            if (!(src = hl__an_get(c, nm, P, H * dh, err))) { st = err ? err->status : HL_ERR_NOT_FOUND; goto done; }
            for (h = 0; h < H; h++) {
                float *zh = tmp, *wo = tmp + P * (dh > d ? dh : d);
                snprintf(label, sizeof label, "L%lldH%lld", (long long)l, (long long)h);
                dst = hl__an_push(&b, label);
                for (i = 0; i < P; i++) memcpy(zh + i * dh, src + (i * H + h) * dh, (size_t)dh * sizeof(float));
                for (j = 0; j < d; j++) /* W_O[h] as [d, dh] (nn.Linear rows), from either stored layout */
                    for (i = 0; i < dh; i++)
                        wo[j * dh + i] = hl__load_w(W->data, W->dtype, m->layers[l].o.in_out ? (h * dh + i) * d + j
                                                                                              : j * H * dh + h * dh + i);
                hl__matmul(m->kern, NULL, dst, zh, wo, HL_DTYPE_F32, P, d, dh);
                if (cf->processing & HL_PROC_CENTER_WRITING_WEIGHTS)
                    for (i = 0; i < P; i++) hl__center(dst + i * d, d, 1);
            }
        }
    }
    if (kind == HL_STACK_FULL) {
        for (l = 0; l < L; l++) {
            hl_hook_name(HL_HOOK_MLP_OUT, l, nm, sizeof nm);
            snprintf(label, sizeof label, "%lld_mlp_out", (long long)l);
            HL__AN_COPY(nm, label);
        }
        HL__AN_COPY("hook_embed", "embed");
        if (cf->learned_pos) HL__AN_COPY("hook_pos_embed", "pos_embed");
        dst = hl__an_push(&b, "bias"); /* sum over layers of b_O (as processed), at every position */
        for (l = 0; l < L; l++) {
            const float *bo = m->layers[l].o.b;
            float mu;
            if (!bo) continue;
            mu = (cf->processing & HL_PROC_CENTER_WRITING_WEIGHTS) ? hl__mean(bo, d, 1) : 0.0f;
            for (i = 0; i < P; i++)
                for (j = 0; j < d; j++) dst[i * d + j] += bo[j] - mu;
        }
    }
#undef HL__AN_COPY
    if (apply_ln) {
        int accumulated = kind == HL_STACK_ACCUMULATED || kind == HL_STACK_ACCUMULATED_NO_MID;
        if (!accumulated && !(scale = hl__an_get(c, "ln_final.hook_scale", P, 1, err))) {
            st = err ? err->status : HL_ERR_NOT_FOUND;
            goto done;
        }
        for (i = 0; i < s->n * P; i++) {
            float *row = s->x + i * d;
            if (accumulated) hl__an_final_norm(m, row, tmp);
            else hl__an_cached_ln(m, row, scale[i % P], tmp);
            memcpy(row, tmp, (size_t)d * sizeof(float));
        }
    }
    /* the labels: n pointers, then the strings */
    {
        size_t hdr = (size_t)s->n * sizeof(char *);
        char *blk = b.names.oom ? NULL : (char *)hl__malloc(hdr + b.names.len + 1);
        if (!blk) { st = hl__fail(err, HL_ERR_OOM, "hl_resid_stack: out of memory"); goto done; }
        memcpy(blk + hdr, b.names.data, b.names.len);
        for (i = 0; i < s->n; i++) ((const char **)(void *)blk)[i] = blk + hdr + b.name_off[i];
        s->labels = (const char **)(void *)blk;
    }
done:
    hl__free(tmp);
    hl__free(b.name_off);
    hl__buf_free(&b.names);
    if (st != HL_OK) {
        hl_stack_free(s);
        return st;
    }
    *out = s;
    return HL_OK;
}

/* Column t of TL's W_U [d_model, d_vocab] into u[d]: W_U[t] (times the final norm's weight when
   fold_ln folded it in), minus the mean over the vocabulary of those columns when the model centres
   the unembedding (mean: the precomputed mean column, or NULL). */
static void hl__an_unembed_col(const hl_model *m, int32_t t, const float *mean, float *u) {
    const int64_t d = m->cfg.d_model;
    const hl_tensor *W = m->unembed.w;
    int64_t j;
    for (j = 0; j < d; j++) {
        float w = hl__load_w(W->data, W->dtype, (int64_t)t * d + j);
        if (m->cfg.processing & HL_PROC_FOLD_LN) w *= m->final_norm.w[j];
        u[j] = mean ? w - mean[j] : w;
    }
}

HL__DEF hl_status hl_logit_lens(const hl_model *m, const hl_stack *s, float *logits, hl_error *err) {
    const int64_t d = m ? m->cfg.d_model : 0, V = m ? m->cfg.d_vocab : 0;
    int64_t rows, r, j;
    float *xw;
    if (!m || !s || !logits || s->d_model != d) return hl__fail(err, HL_ERR_ARG, "hl_logit_lens: model, a stack of its width and logits are required");
    rows = s->n * s->pos;
    if (!(xw = (float *)hl__calloc((size_t)(rows * d), sizeof(float)))) return hl__fail(err, HL_ERR_OOM, "hl_logit_lens: out of memory");
    /* logits = (x * w_final) W_U^T, then centred over the vocabulary (= x @ TL's W_U; no b_U) */
    for (r = 0; r < rows; r++)
        for (j = 0; j < d; j++) xw[r * d + j] = s->x[r * d + j] * ((m->cfg.processing & HL_PROC_FOLD_LN) ? m->final_norm.w[j] : 1.0f);
    {
        hl__lin wu = m->unembed;
        wu.b = NULL;
        hl__lin_apply(m, &wu, xw, rows, logits);
    }
    if (m->cfg.processing & HL_PROC_CENTER_UNEMBED)
        for (r = 0; r < rows; r++) hl__center(logits + r * V, V, 1);
    hl__free(xw);
    return HL_OK;
}

HL__DEF hl_status hl_logit_attrs(const hl_model *m, const hl_cache *c, const hl_stack *s, int64_t pos,
                                 int32_t answer, int32_t wrong, float *out, hl_error *err) {
    int64_t d, V, i, j, v;
    const float *scale;
    float *dir = NULL, *u = NULL, *mean = NULL, *row = NULL;
    hl_status st = HL_OK;
    if (!m || !c || !s || !out || s->d_model != m->cfg.d_model || pos < 0 || pos >= s->pos || answer < 0 ||
        answer >= m->cfg.d_vocab || wrong >= m->cfg.d_vocab)
        return hl__fail(err, HL_ERR_ARG, "hl_logit_attrs: model, cache, a stack of its width, a position of the stack and "
                        "token ids in the vocabulary are required");
    d = m->cfg.d_model, V = m->cfg.d_vocab;
    if (!(scale = hl__an_get(c, "ln_final.hook_scale", s->pos, 1, err))) return err ? err->status : HL_ERR_NOT_FOUND;
    dir = (float *)hl__calloc((size_t)(4 * d), sizeof(float));
    if (!dir) return hl__fail(err, HL_ERR_OOM, "hl_logit_attrs: out of memory");
    u = dir + d, row = dir + 2 * d;
    if ((m->cfg.processing & HL_PROC_CENTER_UNEMBED) && wrong < 0) { /* a difference needs no vocabulary mean */
        mean = dir + 3 * d;
        for (v = 0; v < V; v++) {
            hl__an_unembed_col(m, (int32_t)v, NULL, u);
            for (j = 0; j < d; j++) mean[j] += u[j] / (float)V;
        }
    }
    /* direction = W_U[:, answer] - W_U[:, wrong] (TL tokens_to_residual_directions) */
    hl__an_unembed_col(m, answer, mean, dir);
    if (wrong >= 0) {
        hl__an_unembed_col(m, wrong, NULL, u);
        for (j = 0; j < d; j++) dir[j] -= u[j];
    }
    for (i = 0; i < s->n; i++) {
        double acc = 0.0;
        hl__an_cached_ln(m, s->x + (i * s->pos + pos) * d, scale[pos], row);
        for (j = 0; j < d; j++) acc += (double)row[j] * (double)dir[j];
        out[i] = (float)acc;
    }
    hl__free(dir);
    return st;
}

HL__DEF hl_status hl_loss(const hl_model *m, const int32_t *tokens, int64_t n, const float *logits,
                          float *per_token, double *mean, hl_error *err) {
    const int64_t V = m ? m->cfg.d_vocab : 0;
    double sum = 0.0;
    float *lp;
    int64_t i;
    if (!m || !tokens || !logits || n < 2 || !mean) return hl__fail(err, HL_ERR_ARG, "hl_loss: model, at least two tokens, their logits and mean are required");
    for (i = 1; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= V) return hl__fail(err, HL_ERR_ARG, "hl_loss: token %lld is outside the vocabulary", (long long)i);
    if (!(lp = (float *)hl__malloc((size_t)V * sizeof(float)))) return hl__fail(err, HL_ERR_OOM, "hl_loss: out of memory");
    for (i = 0; i + 1 < n; i++) {
        hl_log_softmax(logits + i * V, V, lp);
        if (per_token) per_token[i] = -lp[tokens[i + 1]];
        sum += -(double)lp[tokens[i + 1]];
    }
    hl__free(lp);
    *mean = sum / (double)(n - 1);
    return HL_OK;
}

HL__DEF hl_status hl_loss_batch(const hl_model *m, const hl_batch *batch, const float *logits, float *per_token,
                                double *mean, hl_error *err) {
    int64_t *kb = NULL, b, t, cnt = 0, B, T, V;
    double sum = 0.0;
    float *lp;
    hl_status st;
    if ((st = hl__batch_keys(m, batch, "hl_loss_batch", &kb, err)) != HL_OK) return st;
    if (!logits || !mean || batch->n_pos < 2) {
        hl__free(kb);
        return hl__fail(err, HL_ERR_ARG, "hl_loss_batch: logits, mean and at least two positions are required");
    }
    B = batch->n_batch, T = batch->n_pos, V = m->cfg.d_vocab;
    if (!(lp = (float *)hl__malloc((size_t)V * sizeof(float)))) {
        hl__free(kb);
        return hl__fail(err, HL_ERR_OOM, "hl_loss_batch: out of memory");
    }
    for (b = 0; b < B && st == HL_OK; b++)
        for (t = 0; t + 1 < T; t++) {
            const int64_t lo = kb ? kb[b] : 0, hi = kb ? kb[B + b] : T;
            const int32_t next = batch->tokens[b * T + t + 1];
            if (per_token) per_token[b * (T - 1) + t] = 0.0f;
            if (t < lo || t + 1 >= hi) continue; /* the prediction needs a real token and a real target */
            if (next < 0 || next >= V) {
                st = hl__fail(err, HL_ERR_ARG, "hl_loss_batch: token [%lld, %lld] is outside the vocabulary", (long long)b,
                              (long long)(t + 1));
                break;
            }
            hl_log_softmax(logits + (b * T + t) * V, V, lp);
            if (per_token) per_token[b * (T - 1) + t] = -lp[next];
            sum += -(double)lp[next];
            cnt++;
        }
    hl__free(lp);
    hl__free(kb);
    if (st == HL_OK && cnt == 0) st = hl__fail(err, HL_ERR_ARG, "hl_loss_batch: no row has two real tokens");
    if (st == HL_OK) *mean = sum / (double)cnt;
    return st;
}

/* ---- activation patching ---- */
/* One cell's overwrite: the slice (pos, head) of the point from the clean run's tensor. */
/* The cells of one batched pass: sequence b of the batch is cell b, the corrupted run with the
   clean run's slice (pos[b], head[b]) of the point written over it. */
typedef struct hl__patch_cells {
    hl_patch_kind    kind;
    const hl_tensor *clean;      /* the clean run's point, one sequence */
    int64_t          nb;         /* cells (sequences) in the pass */
    int64_t         *pos, *head; /* [nb]; pos -1: every position; head -1: no head axis */
} hl__patch_cells;
static hl_status hl__patch_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    const hl__patch_cells *c = (const hl__patch_cells *)user;
    const float *y = (const float *)c->clean->data;
    const int64_t per = hl_tensor_numel(c->clean), n = act->shape[1];
    int64_t b, p;
    (void)info;
    if (act->shape[0] != c->nb || hl_tensor_numel(act) != c->nb * per) return HL_ERR_SHAPE;
    for (b = 0; b < c->nb; b++) {
        float *x = (float *)act->data + b * per;
        switch (c->kind) {
        case HL_PATCH_HEAD_OUT_ALL_POS: case HL_PATCH_HEAD_OUT_BY_POS: { /* hook_z [B, n, H, dh] */
            const int64_t H = act->shape[2], dh = act->shape[3], hd = c->head[b];
            for (p = 0; p < n; p++)
                if (c->pos[b] < 0 || p == c->pos[b])
                    memcpy(x + (p * H + hd) * dh, y + (p * H + hd) * dh, (size_t)dh * sizeof(float));
            break;
        }
        case HL_PATCH_HEAD_PATTERN_ALL_POS: { /* hook_pattern [B, H, q, k] */
            const int64_t q = act->shape[2], k = act->shape[3];
            memcpy(x + c->head[b] * q * k, y + c->head[b] * q * k, (size_t)(q * k) * sizeof(float));
            break;
        }
        default: { /* [B, n, d] at one position */
            const int64_t d = act->shape[2];
            memcpy(x + c->pos[b] * d, y + c->pos[b] * d, (size_t)d * sizeof(float));
            break;
        }
        }
    }
    return HL_OK;
}

HL__DEF float hl_metric_logit_diff(const float *logits, int64_t n, int64_t d_vocab, void *user) {
    const int32_t *ids = (const int32_t *)user;
    return logits[(n - 1) * d_vocab + ids[0]] - logits[(n - 1) * d_vocab + ids[1]];
}

/* The logits before the final softcap [TL: HookedTransformer's hook_unembed, the unembed output
 * before  logits = cap * tanh(logits / cap)], for hl_patch_opts.presoftcap: a hook on
 * ln_final.hook_normalized that does what hl__unembed does after it, but the cap:
 *   logits = (x_hat * w_norm (+ b_norm)) W_U^T + b_U,  minus its mean over the vocabulary (CENTER_UNEMBED)
 *   x_hat: [n, d_model]   xw: [n, d_model]   logits: [n, d_vocab] */
typedef struct hl__presoftcap {
    const hl_model *m;
    int64_t         rows;       /* room in xw and logits: rows of [d_model] and [d_vocab] */
    float          *xw, *logits;
} hl__presoftcap;
static hl_status hl__presoftcap_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    const hl__presoftcap *c = (const hl__presoftcap *)user;
    const hl_model *m = c->m;
    const int64_t rows = act->ndim == 3 ? act->shape[0] * act->shape[1] : 0; /* [B, n, d_model] */
    if (rows < 1 || rows > c->rows) return HL_ERR_SHAPE;
    hl__rows(info->pass, hl__affine_rows, c->xw, (const float *)act->data, &m->final_norm, NULL, rows, m->cfg.d_model);
    hl__lin_apply(m, &m->unembed, c->xw, rows, c->logits);
    if (m->cfg.processing & HL_PROC_CENTER_UNEMBED)
        hl__rows(info->pass, hl__center_rows, c->logits, NULL, NULL, NULL, rows, m->cfg.d_vocab);
    return HL_OK;
}

/* The cells' passes: nb copies of the corrupted run as one batch, from layer `layer` on (its
   cached resid_pre [n, d_model] as every sequence's input), or from the tokens at layer 0. A
   batch's rows are its sequences' single runs, bit for bit (hl_model_run_batch's contract), so a
   cell's logits do not depend on the cells it is batched with. */
static hl_status hl__patch_pass(hl_model *m, int64_t layer, const int32_t *tokens, const float *resid, int64_t nb, int64_t n,
                                int32_t *tok_rep, float *resid_rep, float *logits, hl_error *err) {
    const int64_t d = m->cfg.d_model;
    int64_t b;
    hl_pass P;
    if (layer == 0) {
        for (b = 0; b < nb; b++) memcpy(tok_rep + b * n, tokens, (size_t)n * sizeof(int32_t));
        return hl__run(m, tok_rep, nb, n, NULL, NULL, NULL, logits, err);
    }
    for (b = 0; b < nb; b++) memcpy(resid_rep + b * n * d, resid, (size_t)(n * d) * sizeof(float));
    m->kv_len = 0;
    hl__pass_init(&P, m, nb * n, err);
    hl__pass_batch(&P, nb, n);
    P.start_layer = layer;
    P.resid = resid_rep;
    return hl__forward(&P, NULL, logits, 0);
}

HL__DEF hl_status hl_act_patch(hl_model *m, const int32_t *clean, const int32_t *corrupted, int64_t n,
                               hl_patch_kind kind, hl_metric_fn metric, void *user, float *out,
                               hl_error *err) {
    return hl_act_patch_ext(m, clean, corrupted, n, kind, metric, user, NULL, out, err);
}

HL__DEF hl_status hl_act_patch_ext(hl_model *m, const int32_t *clean, const int32_t *corrupted, int64_t n,
                                   hl_patch_kind kind, hl_metric_fn metric, void *user,
                                   const hl_patch_opts *opts, float *out, hl_error *err) {
    static const hl_hook points[7] = {HL_HOOK_COUNT, HL_HOOK_RESID_PRE, HL_HOOK_ATTN_OUT, HL_HOOK_MLP_OUT,
                                      HL_HOOK_ATTN_Z, HL_HOOK_ATTN_Z, HL_HOOK_ATTN_PATTERN};
    hl_cache *cache = NULL, *corrupt_cache = NULL;
    const hl_tensor *start = NULL;
    float *logits = NULL, *cell_logits, *resid_rep = NULL;
    int32_t *tok_rep = NULL;
    char names[2][HL__SLOT_NAME_CAP];
    const char *pattern = names[0];
    hl_names_filter f;
    hl__patch_cells cells;
    hl__presoftcap pre;
    int64_t L, H, V, l, c0, b, n_pos, n_head, n_cells, nb_max, idx = 0;
    hl_status st;
    int handle, pre_handle = -1;
    memset(&cells, 0, sizeof cells);
    memset(&pre, 0, sizeof pre);
    if (!m || !clean || !corrupted || n <= 0 || !metric || !out || kind < HL_PATCH_RESID_PRE || kind > HL_PATCH_HEAD_PATTERN_ALL_POS)
        return hl__fail(err, HL_ERR_ARG, "hl_act_patch: model, clean and corrupted tokens, a patch kind, a metric and out are required");
    if (n > m->cfg.n_ctx)
        return hl__fail(err, HL_ERR_LIMIT, "hl_act_patch: %lld tokens exceed n_ctx %lld", (long long)n, (long long)m->cfg.n_ctx);
    L = m->cfg.n_layers, H = m->cfg.n_heads, V = m->cfg.d_vocab;
    n_pos = kind == HL_PATCH_HEAD_OUT_ALL_POS || kind == HL_PATCH_HEAD_PATTERN_ALL_POS ? 1 : n;
    n_head = kind <= HL_PATCH_MLP_OUT ? 1 : H;
    n_cells = n_pos * n_head; /* per layer */
    /* cells per pass: a layer's cells as one batch, as many as keep the logits within 256 MB (at most 64) */
    nb_max = (int64_t)(((uint64_t)256 << 20) / ((uint64_t)n * (uint64_t)V * sizeof(float)));
    nb_max = nb_max < 1 ? 1 : nb_max > 64 ? 64 : nb_max;
    if (nb_max > n_cells) nb_max = n_cells;
    logits = (float *)hl__malloc((size_t)(nb_max * n * V) * sizeof(float));
    resid_rep = (float *)hl__malloc((size_t)(nb_max * n * m->cfg.d_model) * sizeof(float));
    tok_rep = (int32_t *)hl__malloc((size_t)(nb_max * n) * sizeof(int32_t));
    cells.pos = (int64_t *)hl__malloc((size_t)(2 * nb_max) * sizeof(int64_t));
    /* presoftcap: the cells' passes stop at ln_final (logits NULL) and the hook makes the logits */
    if (opts && opts->presoftcap && m->cfg.final_softcap > 0.0f) {
        pre.m = m, pre.rows = nb_max * n, pre.logits = logits;
        pre.xw = (float *)hl__malloc((size_t)(nb_max * n * m->cfg.d_model) * sizeof(float));
    }
    if (!logits || !resid_rep || !tok_rep || !cells.pos || (pre.m && !pre.xw)) {
        st = hl__fail(err, HL_ERR_OOM, "hl_act_patch: out of memory");
        goto done;
    }
    cells.head = cells.pos + nb_max;
    cell_logits = pre.xw ? NULL : logits;
    /* the clean run's values of the point, every layer */
    hl_hook_name(points[kind], 0, names[0], sizeof names[0]);
    snprintf(names[1], sizeof names[1], "blocks.*.%.160s", names[0] + 9); /* after "blocks.0." */
    memset(&f, 0, sizeof f);
    f.names = &pattern;
    pattern = names[1];
    f.n_names = 1;
    if ((st = hl_cache_create(&cache, err)) != HL_OK) goto done;
    if ((st = hl_model_run_with_cache(m, clean, n, &f, cache, NULL, err)) != HL_OK) goto done;
    /* the corrupted run's input to every block, where the cells start */
    pattern = "blocks.*.hook_resid_pre";
    if ((st = hl_cache_create(&corrupt_cache, err)) != HL_OK) goto done;
    if ((st = hl_model_run_with_cache(m, corrupted, n, &f, corrupt_cache, NULL, err)) != HL_OK) goto done;
    if (pre.xw && (st = hl_model_add_hook(m, "ln_final.hook_normalized", hl__presoftcap_hook, &pre, &pre_handle, err)) != HL_OK)
        goto done;
    cells.kind = kind;
    for (l = 0; l < L; l++) {
        hl_hook_name(points[kind], l, names[0], sizeof names[0]);
        if (!(cells.clean = hl_cache_get(cache, names[0]))) {
            st = hl__fail(err, HL_ERR_NOT_FOUND, "hl_act_patch: the clean run did not give %s", names[0]);
            goto done;
        }
        hl_hook_name(HL_HOOK_RESID_PRE, l, names[1], sizeof names[1]);
        if (l > 0 && !(start = hl_cache_get(corrupt_cache, names[1]))) {
            st = hl__fail(err, HL_ERR_NOT_FOUND, "hl_act_patch: the corrupted run did not give %s", names[1]);
            goto done;
        }
        for (c0 = 0; c0 < n_cells; c0 += cells.nb) { /* cell c = p * n_head + h, TL's index order */
            cells.nb = n_cells - c0 < nb_max ? n_cells - c0 : nb_max;
            for (b = 0; b < cells.nb; b++) {
                const int64_t p = (c0 + b) / n_head, h = (c0 + b) % n_head;
                cells.pos[b] = kind == HL_PATCH_HEAD_OUT_ALL_POS || kind == HL_PATCH_HEAD_PATTERN_ALL_POS ? -1 : p;
                cells.head[b] = kind <= HL_PATCH_MLP_OUT ? -1 : h;
            }
            if ((st = hl_model_add_hook(m, names[0], hl__patch_hook, &cells, &handle, err)) != HL_OK) goto done;
            st = hl__patch_pass(m, l, corrupted, l > 0 ? (const float *)start->data : NULL, cells.nb, n, tok_rep, resid_rep,
                                cell_logits, err);
            hl_model_remove_hook(m, handle, NULL);
            if (st != HL_OK) goto done;
            for (b = 0; b < cells.nb; b++) out[idx++] = metric(logits + b * n * V, n, V, user);
        }
    }
done:
    if (pre_handle >= 0) hl_model_remove_hook(m, pre_handle, NULL);
    hl_cache_free(cache);
    hl_cache_free(corrupt_cache);
    hl__free(logits), hl__free(resid_rep), hl__free(tok_rep), hl__free(cells.pos);
    hl__free(pre.xw);
    return st;
}

/* ---- ablation ---- */
/* The layout of an ablatable point: rows (positions, or the query rows of a pattern), heads and the
   width X of one head's slice, and whether the head axis comes before the rows ([1, heads, q, k]).
   Returns 0 when the point has no such layout (ndim < 3). */
static int hl__abl_layout(hl_hook id, const hl_tensor *t, int64_t *rows, int64_t *heads, int64_t *X, int *head_first) {
    *head_first = id == HL_HOOK_ATTN_PATTERN || id == HL_HOOK_ATTN_SCORES;
    if (t->ndim == 4 && *head_first) *heads = t->shape[1], *rows = t->shape[2], *X = t->shape[3];
    else if (t->ndim == 4) *rows = t->shape[1], *heads = t->shape[2], *X = t->shape[3];
    else if (t->ndim == 3) *rows = t->shape[1], *heads = 1, *X = t->shape[2];
    else return 0;
    return 1;
}

/* Zero or mean ablation [TL: a hook doing  act[:, pos, head, :] = 0  (or = mean[head])]:
 *   act[b, p, h, :] = 0  or  mean[h*X .. h*X+X)     for every sequence b, the rows p with
 *                                                    pos0 + p == pos (every row when pos < 0), the
 *   act[b, h, p, :]  for [B, heads, q, k] points     heads h == head (every h when head < 0)
 * The hook of hl_model_add_ablation; a layout that changed since it was installed (hl_model_set_flags
 * giving ln1 a head axis) is HL_ERR_SHAPE. */
static hl_status hl__ablate_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    const hl_ablation *a = (const hl_ablation *)user;
    int64_t rows, H, X, b, p, h;
    int head_first;
    if (!hl__abl_layout(info->id, act, &rows, &H, &X, &head_first) || a->head >= H ||
        (a->kind == HL_ABLATE_MEAN && a->n_mean != H * X))
        return HL_ERR_SHAPE;
    for (b = 0; b < act->shape[0]; b++) {
        float *x = (float *)act->data + b * rows * H * X; /* sequence b of a batch */
        for (p = 0; p < rows; p++) {
            if (a->pos >= 0 && info->pos0 + p != a->pos) continue;
            for (h = 0; h < H; h++) {
                float *dst = head_first ? x + (h * rows + p) * X : x + (p * H + h) * X;
                if (a->head >= 0 && h != a->head) continue;
                if (a->kind == HL_ABLATE_ZERO) memset(dst, 0, (size_t)X * sizeof(float));
                else memcpy(dst, a->mean + h * X, (size_t)X * sizeof(float));
            }
        }
    }
    return HL_OK;
}

HL__DEF hl_status hl_model_add_ablation(hl_model *m, const hl_ablation *a, int *handle, hl_error *err) {
    hl_tensor t;
    hl_hook id;
    int64_t layer, rows, H, X;
    int head_first;
    hl_status st;
    if (!m || !a || !a->hook || (a->kind != HL_ABLATE_ZERO && a->kind != HL_ABLATE_MEAN))
        return hl__fail(err, HL_ERR_ARG, "hl_model_add_ablation: model, an ablation with a hook name and a kind (zero or mean) are required");
    if (strpbrk(a->hook, "*?"))
        return hl__fail(err, HL_ERR_ARG, "hl_model_add_ablation: '%s' is a glob; an ablation takes one exact hook name", a->hook);
    if ((st = hl_hook_parse(a->hook, &id, &layer, err)) != HL_OK)
        return hl__wrap(err, st, "hl_model_add_ablation");
    memset(&t, 0, sizeof t);
    t.ndim = hl_model_hook_shape(m, id, 1, 1, t.shape);
    if (t.ndim == 0 || layer >= m->cfg.n_layers)
        return hl__fail(err, HL_ERR_NOT_FOUND, "hl_model_add_ablation: '%s' is not a hook point of this %s model (%lld layers)",
                        a->hook, m->cfg.architecture, (long long)m->cfg.n_layers);
    if (!hl__abl_layout(id, &t, &rows, &H, &X, &head_first))
        return hl__fail(err, HL_ERR_ARG, "hl_model_add_ablation: '%s' has no position axis to ablate", a->hook);
    if (a->head >= 0 && t.ndim == 3)
        return hl__fail(err, HL_ERR_ARG, "hl_model_add_ablation: '%s' has no head axis (head %lld; use -1)", a->hook,
                        (long long)a->head);
    if (a->head < -1 || a->head >= H)
        return hl__fail(err, HL_ERR_ARG, "hl_model_add_ablation: head %lld of '%s', which has %lld heads", (long long)a->head,
                        a->hook, (long long)H);
    if (a->pos < -1 || a->pos >= m->cfg.n_ctx)
        return hl__fail(err, HL_ERR_ARG, "hl_model_add_ablation: position %lld is outside [0, n_ctx %lld) (-1 = every position)",
                        (long long)a->pos, (long long)m->cfg.n_ctx);
    if (a->kind == HL_ABLATE_MEAN) {
        if (head_first)
            return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_model_add_ablation: mean ablation of '%s' (its key axis grows with the "
                            "positions) is not defined; zero-ablate it or patch it (hl_act_patch)", a->hook);
        if (!a->mean || a->n_mean != H * X)
            return hl__fail(err, HL_ERR_SHAPE, "hl_model_add_ablation: mean ablation of '%s' needs %lld mean values (one position: "
                            "%lld x %lld), got %lld%s", a->hook, (long long)(H * X), (long long)H, (long long)X,
                            (long long)a->n_mean, a->mean ? "" : " and no mean");
    }
    return hl_model_add_hook(m, a->hook, hl__ablate_hook, (void *)(uintptr_t)a, handle, err);
}

HL__DEF hl_status hl_ablation_mean(const hl_cache *c, const char *name, float **mean, int64_t *n_mean, hl_error *err) {
    const hl_tensor *t;
    const float *x;
    double *acc;
    hl_hook id;
    int64_t P, W, p, j;
    if (!c || !name || !mean || !n_mean) return hl__fail(err, HL_ERR_ARG, "hl_ablation_mean: cache, name, mean and n_mean are required");
    *mean = NULL, *n_mean = 0;
    if (!(t = hl_cache_get(c, name)))
        return hl__fail(err, HL_ERR_NOT_FOUND, "hl_ablation_mean: the cache has no '%s' (run_with_cache with it in the filter)", name);
    if (hl_hook_parse(name, &id, NULL, NULL) == HL_OK && (id == HL_HOOK_ATTN_PATTERN || id == HL_HOOK_ATTN_SCORES))
        return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_ablation_mean: '%s' has no mean over positions (its key axis grows with them)", name);
    if (t->dtype != HL_DTYPE_F32 || t->ndim < 3 || t->shape[0] != 1 || t->shape[1] < 1)
        return hl__fail(err, HL_ERR_SHAPE, "hl_ablation_mean: '%s' is not an F32 [1, pos, ...] activation", name);
    P = t->shape[1], W = hl_tensor_numel(t) / P, x = (const float *)t->data;
    acc = (double *)hl__calloc((size_t)W, sizeof(double));
    *mean = (float *)hl__malloc((size_t)W * sizeof(float));
    if (!acc || !*mean) {
        hl__free(acc), hl__free(*mean), *mean = NULL;
        return hl__fail(err, HL_ERR_OOM, "hl_ablation_mean: out of memory");
    }
    /* mean[j] = 1/P sum_p x[0, p, j]   (TL: cache[name].mean(dim=(0, 1)); f64 sum) */
    for (p = 0; p < P; p++)
        for (j = 0; j < W; j++) acc[j] += (double)x[p * W + j];
    for (j = 0; j < W; j++) (*mean)[j] = (float)(acc[j] / (double)P);
    hl__free(acc);
    *n_mean = W;
    return HL_OK;
}

/* ---- attention head scores ---- */
static int hl__head_detect(const int32_t *t, int64_t i, int64_t j, hl_head_kind kind) {
    switch (kind) {
    case HL_HEAD_PREVIOUS_TOKEN: return j == i - 1;
    case HL_HEAD_DUPLICATE_TOKEN: return j < i && t[j] == t[i];
    default: return j >= 1 && j <= i && t[j - 1] == t[i];
    }
}
HL__DEF hl_status hl_head_scores(hl_model *m, const int32_t *tokens, int64_t n, hl_head_kind kind, float *out,
                                 hl_error *err) {
    const char *names[1] = {"blocks.*.attn.hook_pattern"};
    hl_names_filter f;
    hl_cache *cache = NULL;
    char nm[HL__SLOT_NAME_CAP];
    int64_t L, H, l, h, i, j;
    hl_status st;
    if (!m || !tokens || n <= 0 || !out || kind < HL_HEAD_PREVIOUS_TOKEN || kind > HL_HEAD_INDUCTION)
        return hl__fail(err, HL_ERR_ARG, "hl_head_scores: model, tokens, a head kind and out are required");
    L = m->cfg.n_layers, H = m->cfg.n_heads;
    memset(&f, 0, sizeof f);
    f.names = names, f.n_names = 1;
    if ((st = hl_cache_create(&cache, err)) != HL_OK) return st;
    if ((st = hl_model_run_with_cache(m, tokens, n, &f, cache, NULL, err)) != HL_OK) goto done;
    for (l = 0; l < L; l++) {
        const float *P;
        hl_hook_name(HL_HOOK_ATTN_PATTERN, l, nm, sizeof nm);
        if (!(P = hl__an_get(cache, nm, n, H * n, err))) { st = err ? err->status : HL_ERR_NOT_FOUND; goto done; }
        for (h = 0; h < H; h++) {
            double on = 0.0, all = 0.0;
            for (i = 0; i < n; i++)
                for (j = 0; j < n; j++) {
                    double pij = (double)P[(h * n + i) * n + j];
                    all += pij;
                    if (hl__head_detect(tokens, i, j, kind)) on += pij;
                }
            out[l * H + h] = (float)(all > 0.0 ? on / all : 0.0);
        }
    }
done:
    hl_cache_free(cache);
    return st;
}

/* ---- parameters in TL's shapes ---- */
/* Element (o, i) of linear layer L: output o, input i, from either stored layout. */
static float hl__lin_at(const hl__lin *L, int64_t o, int64_t i) {
    const int64_t n_out = L->in_out ? L->w->shape[1] : L->w->shape[0], n_in = L->in_out ? L->w->shape[0] : L->w->shape[1];
    return hl__load_w(L->w->data, L->w->dtype, L->in_out ? i * n_out + o : o * n_in + i);
}
/* Centres x over `axis` of a [rows, cols] view (axis 0: each column over its rows; 1: each row). */
static void hl__center_axis(float *x, int64_t rows, int64_t cols, int axis) {
    int64_t a, na = axis ? rows : cols, nb = axis ? cols : rows;
    for (a = 0; a < na; a++) hl__center(axis ? x + a * cols : x + a, nb, axis ? 1 : cols); /* row a, or column a */
}

/* Column j of a head of stream s (0 q, 1 k, 2 v) in the stored weight: j, or for the q and k rows
   of a Llama GGUF hl__qk_stored(j). */
static int64_t hl__qk_col(const hl_model *m, int s, int64_t j) {
    return m->qk_pair_rows && s < 2 ? hl__qk_stored(j, m->cfg.d_head) : j;
}

HL__DEF hl_status hl_model_param(const hl_model *m, const char *name, int64_t layer, hl_tensor *out, hl_error *err) {
    const hl_model_cfg *c;
    const hl__layer_w *lw;
    int64_t d, H, G, dh, dm, V, h, i, j, n = 0, heads = 0;
    unsigned pr;
    int fold, ln, s = -1;
    float *x;
    if (!m || !name || !out) return hl__fail(err, HL_ERR_ARG, "hl_model_param: model, name and out are required");
    c = &m->cfg;
    d = c->d_model, H = c->n_heads, G = c->n_kv_heads, dh = c->d_head, dm = c->d_mlp, V = c->d_vocab, pr = c->processing;
    fold = (pr & HL_PROC_FOLD_LN) != 0, ln = c->norm == HL_NORM_LN;
    memset(out, 0, sizeof *out);
    out->dtype = HL_DTYPE_F32;
    if (strcmp(name, "W_E") == 0 || strcmp(name, "W_pos") == 0 || strcmp(name, "W_U") == 0 || strcmp(name, "b_U") == 0) {
        const hl_tensor *T = name[2] == 'E' ? m->embed : name[2] == 'p' ? m->pos : m->unembed.w;
        int64_t rows = name[0] == 'b' ? 1 : (T ? T->shape[0] : 0);
        if (!T) return hl__fail(err, HL_ERR_NOT_FOUND, "hl_model_param: this %s model has no %s", c->architecture, name);
        out->ndim = name[0] == 'b' ? 1 : 2;
        if (!(x = (float *)hl__calloc((size_t)(rows * (name[0] == 'b' ? V : d)), sizeof(float))))
            return hl__fail(err, HL_ERR_OOM, "hl_model_param: out of memory");
        out->data = x;
        if (name[0] == 'b') { /* b_U [V]: what FOLD_LN moved into it, centred over the vocabulary */
            out->shape[0] = V;
            if (m->unembed.b) memcpy(x, m->unembed.b, (size_t)V * sizeof(float));
            if (pr & HL_PROC_CENTER_UNEMBED) hl__center_axis(x, 1, V, 1);
            return HL_OK;
        }
        if (name[2] == 'U') { /* W_U [d, V] = (diag(w_final) W_U^T), centred over d (LN) and V */
            out->shape[0] = d, out->shape[1] = V;
            for (i = 0; i < d; i++)
                for (j = 0; j < V; j++)
                    x[i * V + j] = hl__load_w(T->data, T->dtype, j * d + i) * (fold ? m->final_norm.w[i] : 1.0f);
            if (fold && ln) hl__center_axis(x, d, V, 0);
            if (pr & HL_PROC_CENTER_UNEMBED) hl__center_axis(x, d, V, 1);
            return HL_OK;
        }
        out->shape[0] = rows, out->shape[1] = d; /* W_E, W_pos [rows, d], centred over d (writers) */
        for (i = 0; i < rows * d; i++) x[i] = hl__load_w(T->data, T->dtype, i);
        if (pr & HL_PROC_CENTER_WRITING_WEIGHTS) hl__center_axis(x, rows, d, 1);
        return HL_OK;
    }
    if (layer < 0 || layer >= c->n_layers)
        return hl__fail(err, HL_ERR_ARG, "hl_model_param: %s needs a layer in [0, %lld)", name, (long long)c->n_layers);
    lw = &m->layers[layer];
    if (strlen(name) == 3 && (name[2] == 'Q' || name[2] == 'K' || name[2] == 'V')) {
        s = name[2] == 'Q' ? 0 : name[2] == 'K' ? 1 : 2;
        heads = s == 0 ? H : G;
    }
    if (s >= 0 && name[0] == 'W') { /* W_Q [heads, d, dh] = diag(w_ln1) W, centred over d (LN fold) */
        const hl__lin *L = hl__qkv_lin(lw, s);
        out->ndim = 3, out->shape[0] = heads, out->shape[1] = d, out->shape[2] = dh;
        if (!(x = (float *)hl__calloc((size_t)(heads * d * dh), sizeof(float)))) return hl__fail(err, HL_ERR_OOM, "hl_model_param: out of memory");
        for (h = 0; h < heads; h++) {
            for (i = 0; i < d; i++)
                for (j = 0; j < dh; j++)
                    x[(h * d + i) * dh + j] = hl__lin_at(L, hl__qkv_col(m, s, h) + hl__qk_col(m, s, j), i) *
                                              (fold ? lw->ln1.w[i] : 1.0f);
            if (fold && ln) hl__center_axis(x + h * d * dh, d, dh, 0);
        }
        out->data = x;
        return HL_OK;
    }
    if (s >= 0) { /* b_Q [heads, dh] */
        const hl__lin *L = hl__qkv_lin(lw, s);
        out->ndim = 2, out->shape[0] = heads, out->shape[1] = dh;
        if (!(x = (float *)hl__calloc((size_t)(heads * dh), sizeof(float)))) return hl__fail(err, HL_ERR_OOM, "hl_model_param: out of memory");
        for (h = 0; L->b && h < heads; h++)
            for (j = 0; j < dh; j++) x[h * dh + j] = L->b[hl__qkv_col(m, s, h) + hl__qk_col(m, s, j)];
        out->data = x;
        return HL_OK;
    }
    if (strcmp(name, "W_O") == 0) { /* [H, dh, d], centred over d (writer) */
        out->ndim = 3, out->shape[0] = H, out->shape[1] = dh, out->shape[2] = d;
        if (!(x = (float *)hl__calloc((size_t)(H * dh * d), sizeof(float)))) return hl__fail(err, HL_ERR_OOM, "hl_model_param: out of memory");
        for (h = 0; h < H; h++)
            for (j = 0; j < dh; j++)
                for (i = 0; i < d; i++) x[(h * dh + j) * d + i] = hl__lin_at(&lw->o, i, h * dh + j);
        if (pr & HL_PROC_CENTER_WRITING_WEIGHTS) hl__center_axis(x, H * dh, d, 1);
        out->data = x;
        return HL_OK;
    }
    if (strcmp(name, "W_in") == 0 || strcmp(name, "W_gate") == 0) { /* [d, dm] = diag(w_ln2) W, centred over d */
        const hl__lin *L = name[2] == 'i' ? &lw->in : &lw->gate;
        if (!L->w) return hl__fail(err, HL_ERR_NOT_FOUND, "hl_model_param: this %s model has no %s", c->architecture, name);
        out->ndim = 2, out->shape[0] = d, out->shape[1] = dm;
        if (!(x = (float *)hl__calloc((size_t)(d * dm), sizeof(float)))) return hl__fail(err, HL_ERR_OOM, "hl_model_param: out of memory");
        for (i = 0; i < d; i++)
            for (j = 0; j < dm; j++) x[i * dm + j] = hl__lin_at(L, j, i) * (fold ? lw->ln2.w[i] : 1.0f);
        if (fold && ln) hl__center_axis(x, d, dm, 0);
        out->data = x;
        return HL_OK;
    }
    if (strcmp(name, "W_out") == 0) { /* [dm, d], centred over d */
        out->ndim = 2, out->shape[0] = dm, out->shape[1] = d;
        if (!(x = (float *)hl__calloc((size_t)(dm * d), sizeof(float)))) return hl__fail(err, HL_ERR_OOM, "hl_model_param: out of memory");
        for (j = 0; j < dm; j++)
            for (i = 0; i < d; i++) x[j * d + i] = hl__lin_at(&lw->out, i, j);
        if (pr & HL_PROC_CENTER_WRITING_WEIGHTS) hl__center_axis(x, dm, d, 1);
        out->data = x;
        return HL_OK;
    }
    if (strcmp(name, "b_O") == 0 || strcmp(name, "b_out") == 0 || strcmp(name, "b_in") == 0) {
        const hl__lin *L = name[2] == 'O' ? &lw->o : name[3] == 'u' ? &lw->out : &lw->in;
        n = name[2] == 'i' ? dm : d;
        out->ndim = 1, out->shape[0] = n;
        if (!(x = (float *)hl__calloc((size_t)n, sizeof(float)))) return hl__fail(err, HL_ERR_OOM, "hl_model_param: out of memory");
        if (L->b) memcpy(x, L->b, (size_t)n * sizeof(float));
        if (name[2] != 'i' && (pr & HL_PROC_CENTER_WRITING_WEIGHTS)) hl__center_axis(x, 1, n, 1);
        out->data = x;
        return HL_OK;
    }
    return hl__fail(err, HL_ERR_NOT_FOUND, "hl_model_param: '%s' is not a TransformerLens parameter name", name);
}

/* <<analysis */

/* >>scan ==================================================================================== */
/* Feature statistics (api_scan). Exact sums: a window's sum is a double; it is rounded once to a
   multiple of 2^-64 (floor of v * 2^64 after the integer part is split off) and kept as a 128-bit
   two's complement integer in (hi, lo): integer addition is associative, so windows and shards
   combine in any order to the same bits. |sum| must stay below 2^62 (else HL_ERR_LIMIT). */
typedef struct hl__fx {
    int64_t  hi; /* units of 1 */
    uint64_t lo; /* units of 2^-64 */
} hl__fx;
static int hl__fx_from(double v, hl__fx *x) {
    double fl, f;
    if (!(v > -4611686018427387904.0 && v < 4611686018427387904.0)) return 0; /* |v| < 2^62, not NaN */
    fl = floor(v);
    f = ldexp(v - fl, 64); /* v - fl is exact, in [0, 1) */
    x->hi = (int64_t)fl;
    if (f >= 18446744073709551616.0) x->lo = 0, x->hi += 1;
    else x->lo = (uint64_t)f;
    return 1;
}
static void hl__fx_add(hl__fx *a, const hl__fx *b) {
    uint64_t lo = a->lo + b->lo;
    a->hi = (int64_t)((uint64_t)a->hi + (uint64_t)b->hi + (lo < a->lo)); /* wraps like the hardware */
    a->lo = lo;
}
static double hl__fx_double(const hl__fx *a) {
    return (double)a->hi + ldexp((double)a->lo, -64);
}

#define HL__SCAN_COUNT_MAX ((int64_t)1 << 62)
struct hl_scan {
    hl_scan_config cfg;
    int64_t       *count, *top_window, *top_pos, *hist, *top_n; /* [d], [d, k], [d, k], [d, bins], [d] */
    float         *max, *top_values;                           /* [d], [d, k] */
    hl__fx        *sum, *sum_sq, *extra;                       /* [d], [d], [max(n_extra, 1)] */
    double        *edges;                                      /* [bins + 1] */
    double         log_lo, log_span;                           /* log(hist_lo), log(hist_hi / hist_lo) */
    double        *wsum, *wsq;                                 /* [d] one window's sums */
    int64_t       *q_window, *q_pos, *q_n;                     /* [d, nq, qk], [d, nq, qk], [d, nq] */
    float         *q_values;                                   /* [d, nq, qk] */
    uint64_t      *q_key;                                      /* [d, nq, qk] the draw's hashes */
    int64_t        n_logits;                                   /* logit effects per side (0 = none) */
    int64_t       *logit_ids;                                  /* [2, d, n_logits] top, then bottom */
    float         *logit_values;                               /* [2, d, n_logits] */
    int64_t        C;                                          /* context length 2 ctx_radius + 1 (0 = none) */
    int32_t       *top_ctok, *q_ctok;                          /* [d, k, C], [d, nq, qk, C] */
    float         *top_cact, *q_cact;                          /* likewise */
};

HL__DEF void hl_scan_free(hl_scan *s) {
    if (!s) return;
    hl__free(s->count), hl__free(s->top_window), hl__free(s->top_pos), hl__free(s->hist), hl__free(s->top_n);
    hl__free(s->max), hl__free(s->top_values), hl__free(s->sum), hl__free(s->sum_sq), hl__free(s->edges), hl__free(s->extra);
    hl__free(s->wsum), hl__free(s->wsq), hl__free(s->logit_ids), hl__free(s->logit_values);
    hl__free(s->q_window), hl__free(s->q_pos), hl__free(s->q_n), hl__free(s->q_values), hl__free(s->q_key);
    hl__free(s->top_ctok), hl__free(s->q_ctok), hl__free(s->top_cact), hl__free(s->q_cact);
    hl__free(s);
}

HL__DEF hl_status hl_scan_create(const hl_scan_config *cfg, hl_scan **out, hl_error *err) {
    hl_scan *s;
    hl_scan_config c;
    uint64_t dk, db;
    int64_t f, j, i;
    if (!cfg || !out) return hl__fail(err, HL_ERR_ARG, "hl_scan_create: config and out are required");
    *out = NULL;
    c = *cfg;
    if (c.top_k == 0) c.top_k = 20;
    if (c.n_bins == 0) c.n_bins = 64;
    if (c.hist_lo == 0) c.hist_lo = 1e-4;
    if (c.hist_hi == 0) c.hist_hi = 1e4;
    if (c.n_quantiles == 0) /* 8 groups, or the most up to 8 that divide the bins */
        for (c.n_quantiles = 8; c.n_bins > 0 && c.n_bins % c.n_quantiles != 0;) c.n_quantiles--;
    if (c.quantile_k == 0) c.quantile_k = 5;
    if (c.d_sae < 1 || c.top_k < 1 || c.top_k > 100000 || c.n_bins < 1 || c.n_bins > 100000 || !(c.hist_lo > 0) ||
        !(c.hist_hi > c.hist_lo) || !isfinite(c.hist_hi) || c.n_extra < 0 || c.n_extra > 10000000 || c.n_quantiles < 1 ||
        c.n_quantiles > c.n_bins || c.n_bins % c.n_quantiles != 0 || c.quantile_k < 1 || c.quantile_k > 1000 ||
        c.ctx_radius < 0 || c.ctx_radius > 1000)
        return hl__fail(err, HL_ERR_ARG, "hl_scan_create: need d_sae >= 1, top_k and n_bins in [1, 100000], "
                                         "0 < hist_lo < hist_hi, n_quantiles dividing n_bins, quantile_k in [1, 1000], "
                                         "ctx_radius in [0, 1000] (got %lld, %lld, %lld, %g, %g, %lld)",
                        (long long)c.d_sae, (long long)c.top_k, (long long)c.n_bins, c.hist_lo, c.hist_hi,
                        (long long)c.ctx_radius);
    if (!hl__mul_ok((uint64_t)c.d_sae, (uint64_t)c.top_k, &dk) || !hl__mul_ok((uint64_t)c.d_sae, (uint64_t)c.n_bins, &db) ||
        dk > SIZE_MAX / 8 || db > SIZE_MAX / 8)
        return hl__fail(err, HL_ERR_LIMIT, "hl_scan_create: %lld features x %lld is too large", (long long)c.d_sae,
                        (long long)(c.top_k > c.n_bins ? c.top_k : c.n_bins));
    if (!(s = (hl_scan *)hl__calloc(1, sizeof *s))) return hl__fail(err, HL_ERR_OOM, "hl_scan_create: out of memory");
    s->cfg = c;
    s->count = (int64_t *)hl__calloc((size_t)c.d_sae, sizeof(int64_t));
    s->top_n = (int64_t *)hl__calloc((size_t)c.d_sae, sizeof(int64_t));
    s->top_window = (int64_t *)hl__calloc((size_t)dk, sizeof(int64_t));
    s->top_pos = (int64_t *)hl__calloc((size_t)dk, sizeof(int64_t));
    s->top_values = (float *)hl__calloc((size_t)dk, sizeof(float));
    s->hist = (int64_t *)hl__calloc((size_t)db, sizeof(int64_t));
    s->max = (float *)hl__calloc((size_t)c.d_sae, sizeof(float));
    s->sum = (hl__fx *)hl__calloc((size_t)c.d_sae, sizeof(hl__fx));
    s->sum_sq = (hl__fx *)hl__calloc((size_t)c.d_sae, sizeof(hl__fx));
    s->wsum = (double *)hl__calloc((size_t)c.d_sae, sizeof(double));
    s->wsq = (double *)hl__calloc((size_t)c.d_sae, sizeof(double));
    s->edges = (double *)hl__calloc((size_t)c.n_bins + 1, sizeof(double));
    s->extra = (hl__fx *)hl__calloc((size_t)(c.n_extra > 0 ? c.n_extra : 1), sizeof(hl__fx));
    {
        uint64_t nq;
        if (!hl__mul_ok((uint64_t)c.d_sae * (uint64_t)c.n_quantiles, (uint64_t)c.quantile_k, &nq) || nq > SIZE_MAX / 8) nq = 0;
        s->q_window = nq ? (int64_t *)hl__malloc((size_t)nq * sizeof(int64_t)) : NULL;
        s->q_pos = nq ? (int64_t *)hl__malloc((size_t)nq * sizeof(int64_t)) : NULL;
        s->q_values = nq ? (float *)hl__calloc((size_t)nq, sizeof(float)) : NULL;
        s->q_key = nq ? (uint64_t *)hl__calloc((size_t)nq, sizeof(uint64_t)) : NULL;
        s->q_n = (int64_t *)hl__calloc((size_t)(c.d_sae * c.n_quantiles), sizeof(int64_t));
        for (i = 0; s->q_window && s->q_pos && i < (int64_t)nq; i++) s->q_window[i] = -1, s->q_pos[i] = -1;
        s->C = c.ctx_radius > 0 ? 2 * c.ctx_radius + 1 : 0;
        if (s->C) { /* contexts: [d, k, C] and [d, nq, qk, C]; -1 tokens and 0 activations where empty */
            uint64_t a, b;
            if (!nq || !hl__mul_ok(dk, (uint64_t)s->C, &a) || !hl__mul_ok(nq, (uint64_t)s->C, &b) || a > SIZE_MAX / 8 ||
                b > SIZE_MAX / 8) {
                hl_scan_free(s);
                return hl__fail(err, HL_ERR_LIMIT, "hl_scan_create: the contexts of %lld features are too large", (long long)c.d_sae);
            }
            s->top_ctok = (int32_t *)hl__malloc((size_t)a * sizeof(int32_t)), s->top_cact = (float *)hl__calloc((size_t)a, sizeof(float));
            s->q_ctok = (int32_t *)hl__malloc((size_t)b * sizeof(int32_t)), s->q_cact = (float *)hl__calloc((size_t)b, sizeof(float));
            if (!s->top_ctok || !s->top_cact || !s->q_ctok || !s->q_cact) {
                hl_scan_free(s);
                return hl__fail(err, HL_ERR_OOM, "hl_scan_create: out of memory for the contexts of %lld features", (long long)c.d_sae);
            }
            for (i = 0; i < (int64_t)a; i++) s->top_ctok[i] = -1;
            for (i = 0; i < (int64_t)b; i++) s->q_ctok[i] = -1;
        }
    }
    if (!s->q_window || !s->q_pos || !s->q_values || !s->q_key || !s->q_n || !s->extra || !s->count || !s->top_n || !s->top_window || !s->top_pos || !s->top_values || !s->hist || !s->max || !s->sum ||
        !s->sum_sq || !s->wsum || !s->wsq || !s->edges) {
        hl_scan_free(s);
        return hl__fail(err, HL_ERR_OOM, "hl_scan_create: out of memory for %lld features", (long long)c.d_sae);
    }
    for (f = 0; f < c.d_sae; f++)
        for (j = 0; j < c.top_k; j++) s->top_window[f * c.top_k + j] = -1, s->top_pos[f * c.top_k + j] = -1;
    s->log_lo = log(c.hist_lo);
    s->log_span = log(c.hist_hi / c.hist_lo);
    for (i = 0; i <= c.n_bins; i++) s->edges[i] = c.hist_lo * pow(c.hist_hi / c.hist_lo, (double)i / (double)c.n_bins);
    s->edges[0] = c.hist_lo, s->edges[c.n_bins] = c.hist_hi; /* the ends exactly as configured */
    *out = s;
    return HL_OK;
}

HL__DEF const hl_scan_config *hl_scan_get_config(const hl_scan *s) {
    return s ? &s->cfg : NULL;
}

/* 1 when example (v, w, p) ranks before (v2, w2, p2): larger value, then lower window, then lower
   position. */
static int hl__scan_before(float v, int64_t w, int64_t p, float v2, int64_t w2, int64_t p2) {
    return v > v2 || (v == v2 && (w < w2 || (w == w2 && p < p2)));
}
/* Where an example's context comes from: the window being added (its activations acts [n, d] at
   positions pos0.., its tokens [n_tokens] from position 0, or none), or a stored context ctok, cact
   [C] (merge, load). */
typedef struct hl__scan_src {
    const float   *acts;
    int64_t        n, pos0, d, n_tokens;
    const int32_t *tokens, *ctok;
    const float   *cact;
} hl__scan_src;
/* The context of feature f's example at position p: tokens and activations at p-r .. p+r, -1 and 0
   outside the window. */
static void hl__scan_ctx(const hl_scan *s, const hl__scan_src *src, int64_t f, int64_t p, int32_t *tok, float *act) {
    const int64_t r = s->cfg.ctx_radius;
    int64_t j;
    if (src->ctok) {
        memcpy(tok, src->ctok, (size_t)s->C * sizeof(int32_t));
        memcpy(act, src->cact, (size_t)s->C * sizeof(float));
        return;
    }
    for (j = 0; j < s->C; j++) {
        const int64_t q = p - r + j;
        tok[j] = src->tokens && q >= 0 && q < src->n_tokens ? src->tokens[q] : -1;
        act[j] = q >= src->pos0 && q - src->pos0 < src->n ? src->acts[(q - src->pos0) * src->d + f] : 0.0f;
    }
}
/* Moves the contexts of slots j .. last-1 to j+1 .. last (the list's shift) and writes the new
   example's into slot j. */
static void hl__scan_ctx_insert(const hl_scan *s, int32_t *ctok, float *cact, int64_t j, int64_t last, const hl__scan_src *src,
                                int64_t f, int64_t p) {
    const int64_t C = s->C;
    memmove(ctok + (j + 1) * C, ctok + j * C, (size_t)((last - j) * C) * sizeof(int32_t));
    memmove(cact + (j + 1) * C, cact + j * C, (size_t)((last - j) * C) * sizeof(float));
    hl__scan_ctx(s, src, f, p, ctok + j * C, cact + j * C);
}
/* Offers an example to feature f's top-k (kept sorted; the worst falls off). */
static void hl__scan_offer(hl_scan *s, int64_t f, float v, int64_t w, int64_t p, const hl__scan_src *src) {
    const int64_t k = s->cfg.top_k;
    float *tv = s->top_values + f * k;
    int64_t *tw = s->top_window + f * k, *tp = s->top_pos + f * k, n = s->top_n[f], j, last;
    if (n == k && !hl__scan_before(v, w, p, tv[k - 1], tw[k - 1], tp[k - 1])) return;
    last = j = n < k ? n++ : k - 1;
    for (; j > 0 && hl__scan_before(v, w, p, tv[j - 1], tw[j - 1], tp[j - 1]); j--)
        tv[j] = tv[j - 1], tw[j] = tw[j - 1], tp[j] = tp[j - 1];
    tv[j] = v, tw[j] = w, tp[j] = p;
    s->top_n[f] = n;
    if (s->C) hl__scan_ctx_insert(s, s->top_ctok + f * k * s->C, s->top_cact + f * k * s->C, j, last, src, f, p);
}
/* The interval sample's draw: a hash of (feature, window, position) (splitmix64 of each step). */
static uint64_t hl__scan_key(int64_t f, int64_t w, int64_t p) {
    uint64_t z = ((uint64_t)f * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)w << 20) ^ (uint64_t)p, i;
    for (i = 0; i < 2; i++) {
        z += 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
    }
    return z;
}
/* Offers an example to interval group g of feature f: kept when its key is among the k smallest
   (ties: lower window, then position), the list sorted by key. */
static void hl__scan_sample(hl_scan *s, int64_t f, int64_t g, float v, int64_t w, int64_t p, const hl__scan_src *src) {
    const int64_t k = s->cfg.quantile_k, o = (f * s->cfg.n_quantiles + g) * k;
    const uint64_t key = hl__scan_key(f, w, p);
    int64_t n = s->q_n[f * s->cfg.n_quantiles + g], j, last;
#define HL__QLESS(a, wa, pa, b, wb, pb) ((a) < (b) || ((a) == (b) && ((wa) < (wb) || ((wa) == (wb) && (pa) < (pb)))))
    if (n == k && !HL__QLESS(key, w, p, s->q_key[o + k - 1], s->q_window[o + k - 1], s->q_pos[o + k - 1])) return;
    last = j = n < k ? n++ : k - 1;
    for (; j > 0 && HL__QLESS(key, w, p, s->q_key[o + j - 1], s->q_window[o + j - 1], s->q_pos[o + j - 1]); j--)
        s->q_key[o + j] = s->q_key[o + j - 1], s->q_window[o + j] = s->q_window[o + j - 1], s->q_pos[o + j] = s->q_pos[o + j - 1],
        s->q_values[o + j] = s->q_values[o + j - 1];
#undef HL__QLESS
    s->q_key[o + j] = key, s->q_window[o + j] = w, s->q_pos[o + j] = p, s->q_values[o + j] = v;
    s->q_n[f * s->cfg.n_quantiles + g] = n;
    if (s->C) hl__scan_ctx_insert(s, s->q_ctok + o * s->C, s->q_cact + o * s->C, j, last, src, f, p);
}

/* The bin of a firing value: i with edges[i] <= v < edges[i+1], clamped to the end bins. The log
   gives i, and the edges as stored settle a value that rounding puts on the wrong side of one. */
static int64_t hl__scan_bin(const hl_scan *s, float v) {
    const double x = (double)v, r = floor((log(x) - s->log_lo) / s->log_span * (double)s->cfg.n_bins);
    int64_t b = r < 0 ? 0 : r >= (double)s->cfg.n_bins ? s->cfg.n_bins - 1 : (int64_t)r;
    while (b + 1 < s->cfg.n_bins && x >= s->edges[b + 1]) b++;
    while (b > 0 && x < s->edges[b]) b--;
    return b;
}

/* hl_scan_add split over features. Every statistic of a feature (count, max, histogram, samples,
   top-k, the window's sums) depends only on that feature's column, visited in position order, so
   disjoint feature ranges on different threads give the bits of one pass over all of them.
   HL__SCAN_RANGES fixed ranges (not the pool's chunks) record their results, so nothing is shared. */
#define HL__SCAN_RANGES 64
typedef struct hl__scan_add_job {
    hl_scan     *s;
    const float *acts;                   /* [n, d_sae] */
    int64_t      n, window, pos0, step;  /* step: features per range */
    int          phase;                  /* 0: finiteness check, 1: add */
    const hl__scan_src *src;             /* the window, for the examples' contexts */
    int64_t      bad[HL__SCAN_RANGES];   /* phase 0: first non-finite i*d + f; phase 1: first feature whose sums exceed 2^62; -1 none */
} hl__scan_add_job;
static void hl__scan_add_task(void *ctx, int64_t r0, int64_t r1) {
    hl__scan_add_job *j = (hl__scan_add_job *)ctx;
    hl_scan *s = j->s;
    const int64_t d = s->cfg.d_sae, n = j->n;
    int64_t r, i, f;
    for (r = r0; r < r1; r++) {
        const int64_t f0 = r * j->step, f1 = f0 + j->step < d ? f0 + j->step : d;
        j->bad[r] = -1;
        if (j->phase == 0) {
            for (i = 0; i < n && j->bad[r] < 0; i++)
                for (f = f0; f < f1; f++)
                    if (!isfinite(j->acts[i * d + f])) {
                        j->bad[r] = i * d + f;
                        break;
                    }
            continue;
        }
        for (f = f0; f < f1; f++) s->wsum[f] = 0.0, s->wsq[f] = 0.0;
        for (i = 0; i < n; i++) {
            const float *a = j->acts + i * d;
            for (f = f0; f < f1; f++) {
                const float v = a[f];
                if (v == 0.0f) continue;
                s->wsum[f] += (double)v;
                s->wsq[f] += (double)v * (double)v;
                if (v > 0.0f) {
                    s->count[f]++;
                    if (v > s->max[f]) s->max[f] = v;
                    const int64_t bin = hl__scan_bin(s, v);
                    s->hist[f * s->cfg.n_bins + bin]++;
                    hl__scan_sample(s, f, bin / (s->cfg.n_bins / s->cfg.n_quantiles), v, j->window, j->pos0 + i, j->src);
                    hl__scan_offer(s, f, v, j->window, j->pos0 + i, j->src);
                }
            }
        }
        for (f = f0; f < f1; f++) {
            hl__fx a, b;
            if (s->wsum[f] == 0.0 && s->wsq[f] == 0.0) continue;
            if (!hl__fx_from(s->wsum[f], &a) || !hl__fx_from(s->wsq[f], &b)) {
                j->bad[r] = f; /* this feature's and the range's later sums are left out */
                break;
            }
            hl__fx_add(&s->sum[f], &a);
            hl__fx_add(&s->sum_sq[f], &b);
        }
    }
}
/* hl_scan_add_ctx with its work split over a pool (NULL: on the calling thread). */
static hl_status hl__scan_add_pool(hl__pool *pool, hl_scan *s, const float *acts, int64_t n, int64_t window, int64_t pos0,
                                   const int32_t *tokens, int64_t n_tokens, hl_error *err) {
    hl__scan_add_job j;
    hl__scan_src src;
    int64_t r, nr, first = -1;
    if (!s || (!acts && n > 0) || n < 0 || window < 0 || pos0 < 0)
        return hl__fail(err, HL_ERR_ARG, "hl_scan_add: scan, activations [n, d_sae], window >= 0 and pos0 >= 0 are required");
    if (tokens && (n_tokens < 0 || pos0 > n_tokens || n > n_tokens - pos0))
        return hl__fail(err, HL_ERR_ARG, "hl_scan_add_ctx: positions %lld .. %lld are not all among the window's %lld tokens",
                        (long long)pos0, (long long)(pos0 + n - 1), (long long)n_tokens);
    memset(&src, 0, sizeof src);
    src.acts = acts, src.n = n, src.pos0 = pos0, src.d = s->cfg.d_sae, src.tokens = tokens, src.n_tokens = tokens ? n_tokens : 0;
    memset(&j, 0, sizeof j);
    j.s = s, j.acts = acts, j.n = n, j.window = window, j.pos0 = pos0, j.src = &src;
    j.step = (s->cfg.d_sae + HL__SCAN_RANGES - 1) / HL__SCAN_RANGES;
    nr = (s->cfg.d_sae + j.step - 1) / j.step;
    if ((double)n * (double)s->cfg.d_sae < HL__PAR_ROWS) pool = NULL;
    for (j.phase = 0; j.phase < 2; j.phase++) {
        hl__parallel_for(pool, nr, 1, hl__scan_add_task, &j);
        for (r = 0; r < nr; r++)
            if (j.bad[r] >= 0 && (first < 0 || j.bad[r] < first)) first = j.bad[r];
        if (first >= 0 && j.phase == 0)
            return hl__fail(err, HL_ERR_ARG, "hl_scan_add: window %lld position %lld feature %lld is not finite", (long long)window,
                            (long long)(pos0 + first / s->cfg.d_sae), (long long)(first % s->cfg.d_sae));
    }
    if (first >= 0)
        return hl__fail(err, HL_ERR_LIMIT, "hl_scan_add: feature %lld's sums in window %lld exceed 2^62", (long long)first,
                        (long long)window);
    return HL_OK;
}

HL__DEF hl_status hl_scan_add(hl_scan *s, const float *acts, int64_t n, int64_t window, int64_t pos0, hl_error *err) {
    return hl__scan_add_pool(NULL, s, acts, n, window, pos0, NULL, 0, err);
}
HL__DEF hl_status hl_scan_add_ctx(hl_scan *s, const float *acts, int64_t n, int64_t window, int64_t pos0,
                                  const int32_t *tokens, int64_t n_tokens, hl_error *err) {
    return hl__scan_add_pool(NULL, s, acts, n, window, pos0, tokens, n_tokens, err);
}

HL__DEF hl_status hl_scan_extra_add(hl_scan *s, int64_t i, double v, hl_error *err) {
    hl__fx a;
    if (!s || i < 0 || i >= s->cfg.n_extra) return hl__fail(err, HL_ERR_ARG, "hl_scan_extra_add: no extra sum %lld", (long long)i);
    if (!hl__fx_from(v, &a)) return hl__fail(err, HL_ERR_LIMIT, "hl_scan_extra_add: %g is not finite or exceeds 2^62", v);
    hl__fx_add(&s->extra[i], &a);
    return HL_OK;
}
HL__DEF double hl_scan_extra(const hl_scan *s, int64_t i) {
    return s && i >= 0 && i < s->cfg.n_extra ? hl__fx_double(&s->extra[i]) : 0.0;
}

HL__DEF hl_status hl_scan_set_logits(hl_scan *s, int64_t k, const int64_t *top_ids, const float *top_values,
                                     const int64_t *bottom_ids, const float *bottom_values, hl_error *err) {
    uint64_t n;
    if (!s || k < 1 || k > 100000 || !top_ids || !top_values || !bottom_ids || !bottom_values)
        return hl__fail(err, HL_ERR_ARG, "hl_scan_set_logits: a scan, k in [1, 100000] and four arrays are required");
    if (!hl__mul_ok((uint64_t)s->cfg.d_sae, (uint64_t)k, &n) || n > SIZE_MAX / 16)
        return hl__fail(err, HL_ERR_LIMIT, "hl_scan_set_logits: too large");
    hl__free(s->logit_ids), hl__free(s->logit_values);
    s->logit_ids = (int64_t *)hl__malloc((size_t)(2 * n) * sizeof(int64_t));
    s->logit_values = (float *)hl__malloc((size_t)(2 * n) * sizeof(float));
    if (!s->logit_ids || !s->logit_values) {
        hl__free(s->logit_ids), hl__free(s->logit_values);
        s->logit_ids = NULL, s->logit_values = NULL, s->n_logits = 0;
        return hl__fail(err, HL_ERR_OOM, "hl_scan_set_logits: out of memory");
    }
    memcpy(s->logit_ids, top_ids, (size_t)n * sizeof(int64_t));
    memcpy(s->logit_ids + n, bottom_ids, (size_t)n * sizeof(int64_t));
    memcpy(s->logit_values, top_values, (size_t)n * sizeof(float));
    memcpy(s->logit_values + n, bottom_values, (size_t)n * sizeof(float));
    s->n_logits = k;
    return HL_OK;
}

HL__DEF hl_status hl_scan_merge(hl_scan *into, const hl_scan *from, hl_error *err) {
    int64_t f, j, k, d;
    hl__scan_src src; /* the examples' stored contexts */
    memset(&src, 0, sizeof src);
    if (!into || !from) return hl__fail(err, HL_ERR_ARG, "hl_scan_merge: two scans are required");
    if (into->cfg.d_sae != from->cfg.d_sae || into->cfg.top_k != from->cfg.top_k || into->cfg.n_bins != from->cfg.n_bins ||
        into->cfg.hist_lo != from->cfg.hist_lo || into->cfg.hist_hi != from->cfg.hist_hi || into->cfg.n_extra != from->cfg.n_extra ||
        into->cfg.n_quantiles != from->cfg.n_quantiles || into->cfg.quantile_k != from->cfg.quantile_k ||
        into->cfg.ctx_radius != from->cfg.ctx_radius)
        return hl__fail(err, HL_ERR_ARG, "hl_scan_merge: the scans differ in d_sae, top_k, histogram or context radius (%lld/%lld "
                                         "features, k %lld/%lld, %lld/%lld bins, radius %lld/%lld)",
                        (long long)into->cfg.d_sae, (long long)from->cfg.d_sae, (long long)into->cfg.top_k,
                        (long long)from->cfg.top_k, (long long)into->cfg.n_bins, (long long)from->cfg.n_bins,
                        (long long)into->cfg.ctx_radius, (long long)from->cfg.ctx_radius);
    d = into->cfg.d_sae, k = into->cfg.top_k;
    if (!into->n_logits && from->n_logits) {
        const uint64_t n = (uint64_t)d * (uint64_t)from->n_logits;
        hl_status st = hl_scan_set_logits(into, from->n_logits, from->logit_ids, from->logit_values, from->logit_ids + n,
                                          from->logit_values + n, err);
        if (st != HL_OK) return st;
    }
    for (f = 0; f < d; f++) { /* counts stay below 2^62 (hl_scan_load refuses more): check before adding */
        if (from->count[f] > HL__SCAN_COUNT_MAX - into->count[f])
            return hl__fail(err, HL_ERR_LIMIT, "hl_scan_merge: feature %lld's count exceeds 2^62", (long long)f);
        for (j = 0; j < into->cfg.n_bins; j++)
            if (from->hist[f * into->cfg.n_bins + j] > HL__SCAN_COUNT_MAX - into->hist[f * into->cfg.n_bins + j])
                return hl__fail(err, HL_ERR_LIMIT, "hl_scan_merge: feature %lld's histogram exceeds 2^62", (long long)f);
    }
    for (j = 0; j < into->cfg.n_extra; j++) hl__fx_add(&into->extra[j], &from->extra[j]);
    for (f = 0; f < d; f++) {
        into->count[f] += from->count[f];
        if (from->max[f] > into->max[f]) into->max[f] = from->max[f];
        hl__fx_add(&into->sum[f], &from->sum[f]);
        hl__fx_add(&into->sum_sq[f], &from->sum_sq[f]);
        for (j = 0; j < into->cfg.n_bins; j++) into->hist[f * into->cfg.n_bins + j] += from->hist[f * into->cfg.n_bins + j];
        for (j = 0; j < from->top_n[f]; j++) {
            if (from->C) src.ctok = from->top_ctok + (f * k + j) * from->C, src.cact = from->top_cact + (f * k + j) * from->C;
            hl__scan_offer(into, f, from->top_values[f * k + j], from->top_window[f * k + j], from->top_pos[f * k + j], &src);
        }
        for (j = 0; j < into->cfg.n_quantiles * into->cfg.quantile_k; j++) {
            const int64_t g = j / into->cfg.quantile_k, o = f * into->cfg.n_quantiles * into->cfg.quantile_k + j;
            if (from->C) src.ctok = from->q_ctok + o * from->C, src.cact = from->q_cact + o * from->C;
            if (j % into->cfg.quantile_k < from->q_n[f * into->cfg.n_quantiles + g])
                hl__scan_sample(into, f, g, from->q_values[o], from->q_window[o], from->q_pos[o], &src);
        }
    }
    return HL_OK;
}

HL__DEF void hl_scan_stats(const hl_scan *s, hl_scan_view *v) {
    if (!v) return;
    memset(v, 0, sizeof *v);
    if (!s) return;
    v->count = s->count, v->top_window = s->top_window, v->top_pos = s->top_pos, v->hist = s->hist;
    v->max = s->max, v->top_values = s->top_values, v->edges = s->edges;
    v->q_window = s->q_window, v->q_pos = s->q_pos, v->q_values = s->q_values;
    if (s->C) {
        v->ctx_radius = s->cfg.ctx_radius;
        v->top_ctx_tokens = s->top_ctok, v->top_ctx_acts = s->top_cact, v->q_ctx_tokens = s->q_ctok, v->q_ctx_acts = s->q_cact;
    }
    if ((v->n_logits = s->n_logits) > 0) {
        const int64_t n = s->cfg.d_sae * s->n_logits;
        v->logit_top_ids = s->logit_ids, v->logit_bottom_ids = s->logit_ids + n;
        v->logit_top_values = s->logit_values, v->logit_bottom_values = s->logit_values + n;
    }
}
HL__DEF void hl_scan_sums(const hl_scan *s, int64_t f, double *sum, double *sum_sq) {
    const int ok = s && f >= 0 && f < s->cfg.d_sae;
    if (sum) *sum = ok ? hl__fx_double(&s->sum[f]) : 0.0;
    if (sum_sq) *sum_sq = ok ? hl__fx_double(&s->sum_sq[f]) : 0.0;
}

/* The tensors of a scan file, in file order (hl_scan_save writes them, hl_scan_load checks them). */
enum { HL__SCAN_COUNT, HL__SCAN_MAX, HL__SCAN_SUM, HL__SCAN_SUM_SQ, HL__SCAN_TOP_VALUES, HL__SCAN_TOP_WINDOW,
       HL__SCAN_TOP_POS, HL__SCAN_HIST, HL__SCAN_EDGES, HL__SCAN_SUM_FIXED, HL__SCAN_SUM_SQ_FIXED, HL__SCAN_EXTRA,
       HL__SCAN_Q_VALUES, HL__SCAN_Q_WINDOW, HL__SCAN_Q_POS, HL__SCAN_N };
static const char *const hl__scan_names[HL__SCAN_N] = {"count", "max", "sum", "sum_sq", "top_values", "top_window",
                                                       "top_pos", "hist", "hist_edges", "sum_fixed", "sum_sq_fixed",
                                                       "extra_fixed", "quantile_values", "quantile_window", "quantile_pos"};

HL__DEF hl_status hl_scan_save(const hl_scan *s, const char *path, const char *const *meta, hl_error *err) {
    hl_tensor t[HL__SCAN_N];
    double *sums = NULL;
    int64_t *fixed = NULL, f, d, ne;
    const hl__fx *fx;
    int i;
    hl_status st;
    if (!s || !path) return hl__fail(err, HL_ERR_ARG, "hl_scan_save: scan and path are required");
    d = s->cfg.d_sae, ne = s->cfg.n_extra > 0 ? s->cfg.n_extra : 1;
    sums = (double *)hl__calloc((size_t)(2 * d), sizeof(double));
    fixed = (int64_t *)hl__calloc((size_t)(4 * d + 2 * ne), sizeof(int64_t));
    if (!sums || !fixed) {
        hl__free(sums), hl__free(fixed);
        return hl__fail(err, HL_ERR_OOM, "hl_scan_save: out of memory");
    }
    for (f = 0; f < d; f++) {
        hl_scan_sums(s, f, &sums[f], &sums[d + f]);
        for (i = 0; i < 2; i++) {
            fx = i ? &s->sum_sq[f] : &s->sum[f];
            fixed[i * 2 * d + 2 * f] = fx->hi;
            fixed[i * 2 * d + 2 * f + 1] = (int64_t)fx->lo; /* the bits, as numpy's int64 view of them */
        }
    }
    for (f = 0; f < ne; f++) fixed[4 * d + 2 * f] = s->extra[f].hi, fixed[4 * d + 2 * f + 1] = (int64_t)s->extra[f].lo;
    memset(t, 0, sizeof t);
    for (i = 0; i < HL__SCAN_N; i++) t[i].ndim = 1, t[i].shape[0] = d, t[i].dtype = HL_DTYPE_I64;
    t[HL__SCAN_COUNT].data = s->count;
    t[HL__SCAN_MAX].data = s->max, t[HL__SCAN_MAX].dtype = HL_DTYPE_F32;
    t[HL__SCAN_SUM].data = sums, t[HL__SCAN_SUM].dtype = HL_DTYPE_F64;
    t[HL__SCAN_SUM_SQ].data = sums + d, t[HL__SCAN_SUM_SQ].dtype = HL_DTYPE_F64;
    for (i = HL__SCAN_TOP_VALUES; i <= HL__SCAN_TOP_POS; i++) t[i].ndim = 2, t[i].shape[1] = s->cfg.top_k;
    t[HL__SCAN_TOP_VALUES].data = s->top_values, t[HL__SCAN_TOP_VALUES].dtype = HL_DTYPE_F32;
    t[HL__SCAN_TOP_WINDOW].data = s->top_window;
    t[HL__SCAN_TOP_POS].data = s->top_pos;
    t[HL__SCAN_HIST].data = s->hist, t[HL__SCAN_HIST].ndim = 2, t[HL__SCAN_HIST].shape[1] = s->cfg.n_bins;
    t[HL__SCAN_EDGES].data = s->edges, t[HL__SCAN_EDGES].dtype = HL_DTYPE_F64, t[HL__SCAN_EDGES].shape[0] = s->cfg.n_bins + 1;
    for (i = HL__SCAN_SUM_FIXED; i <= HL__SCAN_SUM_SQ_FIXED; i++) t[i].ndim = 2, t[i].shape[1] = 2;
    t[HL__SCAN_SUM_FIXED].data = fixed;
    t[HL__SCAN_SUM_SQ_FIXED].data = fixed + 2 * d;
    t[HL__SCAN_EXTRA].data = fixed + 4 * d, t[HL__SCAN_EXTRA].ndim = 2, t[HL__SCAN_EXTRA].shape[0] = ne, t[HL__SCAN_EXTRA].shape[1] = 2;
    for (i = HL__SCAN_Q_VALUES; i <= HL__SCAN_Q_POS; i++) t[i].ndim = 3, t[i].shape[1] = s->cfg.n_quantiles, t[i].shape[2] = s->cfg.quantile_k;
    t[HL__SCAN_Q_VALUES].data = s->q_values, t[HL__SCAN_Q_VALUES].dtype = HL_DTYPE_F32;
    t[HL__SCAN_Q_WINDOW].data = s->q_window;
    t[HL__SCAN_Q_POS].data = s->q_pos;
    {
        const char *names[HL__SCAN_N + 8];
        hl_tensor tt[HL__SCAN_N + 8];
        static const char *const ln[4] = {"logit_top_ids", "logit_bottom_ids", "logit_top_values", "logit_bottom_values"};
        static const char *const cn[4] = {"top_ctx_tokens", "top_ctx_acts", "quantile_ctx_tokens", "quantile_ctx_acts"};
        size_t n = HL__SCAN_N;
        memcpy(names, hl__scan_names, sizeof hl__scan_names);
        memcpy(tt, t, sizeof t);
        for (i = 0; s->C > 0 && i < 4; i++, n++) { /* [d, k, C] and [d, nq, qk, C] */
            memset(&tt[n], 0, sizeof tt[n]);
            names[n] = cn[i];
            tt[n].dtype = i & 1 ? HL_DTYPE_F32 : HL_DTYPE_I32;
            tt[n].data = i == 0 ? (void *)s->top_ctok : i == 1 ? (void *)s->top_cact : i == 2 ? (void *)s->q_ctok : (void *)s->q_cact;
            tt[n].shape[0] = d;
            if (i < 2) tt[n].ndim = 3, tt[n].shape[1] = s->cfg.top_k, tt[n].shape[2] = s->C;
            else tt[n].ndim = 4, tt[n].shape[1] = s->cfg.n_quantiles, tt[n].shape[2] = s->cfg.quantile_k, tt[n].shape[3] = s->C;
        }
        for (i = 0; s->n_logits > 0 && i < 4; i++, n++) {
            memset(&tt[n], 0, sizeof tt[n]);
            names[n] = ln[i];
            tt[n].ndim = 2, tt[n].shape[0] = d, tt[n].shape[1] = s->n_logits;
            tt[n].dtype = i < 2 ? HL_DTYPE_I64 : HL_DTYPE_F32;
            tt[n].data = i < 2 ? (void *)(s->logit_ids + (i & 1) * d * s->n_logits) : (void *)(s->logit_values + (i & 1) * d * s->n_logits);
        }
        st = hl_safetensors_write(path, names, tt, n, meta, err);
    }
    hl__free(sums), hl__free(fixed);
    return st;
}

HL__DEF hl_status hl_scan_load(const char *path, hl_scan **out, hl_error *err) {
    hl_safetensors *st = NULL;
    const hl_tensor *t[HL__SCAN_N], *ctx[4] = {NULL, NULL, NULL, NULL};
    hl_scan_config c;
    hl_scan *s = NULL;
    hl__scan_src src;
    hl_status rc;
    int64_t f, j, d, k, nb;
    int i;
    const int dims[HL__SCAN_N] = {1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 2, 2, 3, 3, 3};
    const hl_dtype types[HL__SCAN_N] = {HL_DTYPE_I64, HL_DTYPE_F32, HL_DTYPE_F64, HL_DTYPE_F64, HL_DTYPE_F32, HL_DTYPE_I64,
                                        HL_DTYPE_I64, HL_DTYPE_I64, HL_DTYPE_F64, HL_DTYPE_I64, HL_DTYPE_I64, HL_DTYPE_I64,
                                        HL_DTYPE_F32, HL_DTYPE_I64, HL_DTYPE_I64};
    if (!path || !out) return hl__fail(err, HL_ERR_ARG, "hl_scan_load: path and out are required");
    *out = NULL;
    if ((rc = hl_safetensors_open(path, &st, err)) != HL_OK) return rc;
    for (i = 0; i < HL__SCAN_N; i++) {
        t[i] = hl_safetensors_find(st, hl__scan_names[i]);
        if (!t[i] || t[i]->ndim != dims[i] || t[i]->dtype != types[i]) {
            hl_safetensors_close(st);
            return hl__fail(err, HL_ERR_FORMAT, "%s: not a scan file: tensor '%s' is missing or not %dd %s", path,
                            hl__scan_names[i], dims[i], hl_dtype_name(types[i]));
        }
    }
    d = t[HL__SCAN_COUNT]->shape[0], k = t[HL__SCAN_TOP_VALUES]->shape[1], nb = t[HL__SCAN_HIST]->shape[1];
    for (i = 0; i < HL__SCAN_N; i++)
        if (i != HL__SCAN_EDGES && i != HL__SCAN_EXTRA && t[i]->shape[0] != d) break;
    if (i < HL__SCAN_N || t[HL__SCAN_TOP_WINDOW]->shape[1] != k || t[HL__SCAN_TOP_POS]->shape[1] != k ||
        t[HL__SCAN_EDGES]->shape[0] != nb + 1 || t[HL__SCAN_SUM_FIXED]->shape[1] != 2 || t[HL__SCAN_SUM_SQ_FIXED]->shape[1] != 2 ||
        t[HL__SCAN_EXTRA]->shape[1] != 2 || t[HL__SCAN_EXTRA]->shape[0] < 1 ||
        t[HL__SCAN_Q_WINDOW]->shape[1] != t[HL__SCAN_Q_VALUES]->shape[1] || t[HL__SCAN_Q_POS]->shape[1] != t[HL__SCAN_Q_VALUES]->shape[1] ||
        t[HL__SCAN_Q_WINDOW]->shape[2] != t[HL__SCAN_Q_VALUES]->shape[2] || t[HL__SCAN_Q_POS]->shape[2] != t[HL__SCAN_Q_VALUES]->shape[2]) {
        hl_safetensors_close(st);
        return hl__fail(err, HL_ERR_FORMAT, "%s: the scan's tensors disagree in d_sae, top_k or bins", path);
    }
    memset(&c, 0, sizeof c);
    c.d_sae = d, c.top_k = k, c.n_bins = nb;
    c.n_extra = t[HL__SCAN_EXTRA]->shape[0]; /* a scan saved with n_extra = 0 reads back with one zero sum */
    c.n_quantiles = t[HL__SCAN_Q_VALUES]->shape[1], c.quantile_k = t[HL__SCAN_Q_VALUES]->shape[2];
    if (c.n_quantiles < 1 || c.quantile_k < 1) {
        hl_safetensors_close(st);
        return hl__fail(err, HL_ERR_FORMAT, "%s: empty interval samples", path);
    }
    c.hist_lo = ((const double *)t[HL__SCAN_EDGES]->data)[0];
    c.hist_hi = ((const double *)t[HL__SCAN_EDGES]->data)[nb];
    { /* the contexts, when the file has them: all four, C = 2r+1 odd, shapes as the examples' */
        static const char *const cn[4] = {"top_ctx_tokens", "top_ctx_acts", "quantile_ctx_tokens", "quantile_ctx_acts"};
        int64_t C = 0, x;
        int any = 0, ok = 1;
        for (i = 0; i < 4; i++) {
            ctx[i] = hl_safetensors_find(st, cn[i]);
            any |= ctx[i] != NULL;
        }
        if (any) {
            for (i = 0; i < 4 && ok; i++)
                ok = ctx[i] && ctx[i]->dtype == (i & 1 ? HL_DTYPE_F32 : HL_DTYPE_I32) && ctx[i]->ndim == (i < 2 ? 3 : 4) &&
                     ctx[i]->shape[0] == d;
            if (ok) {
                C = ctx[0]->shape[2];
                ok = C >= 3 && C % 2 == 1 && C <= 2001 && ctx[0]->shape[1] == k && ctx[1]->shape[1] == k && ctx[1]->shape[2] == C &&
                     ctx[2]->shape[1] == c.n_quantiles && ctx[2]->shape[2] == c.quantile_k && ctx[2]->shape[3] == C &&
                     ctx[3]->shape[1] == c.n_quantiles && ctx[3]->shape[2] == c.quantile_k && ctx[3]->shape[3] == C;
            }
            for (x = 0; ok && x < d * k * C; x++) ok = isfinite(((const float *)ctx[1]->data)[x]);
            for (x = 0; ok && x < d * c.n_quantiles * c.quantile_k * C; x++) ok = isfinite(((const float *)ctx[3]->data)[x]);
            if (!ok) {
                hl_safetensors_close(st);
                return hl__fail(err, HL_ERR_FORMAT, "%s: the context tensors are incomplete, malformed or not finite", path);
            }
            c.ctx_radius = (C - 1) / 2;
        }
    }
    if ((rc = hl_scan_create(&c, &s, err)) != HL_OK) {
        hl_safetensors_close(st);
        return rc;
    }
    if (s->C) memcpy(s->top_ctok, ctx[0]->data, (size_t)(d * k * s->C) * sizeof(int32_t)),
              memcpy(s->top_cact, ctx[1]->data, (size_t)(d * k * s->C) * sizeof(float));
    memcpy(s->count, t[HL__SCAN_COUNT]->data, (size_t)d * sizeof(int64_t));
    memcpy(s->max, t[HL__SCAN_MAX]->data, (size_t)d * sizeof(float));
    memcpy(s->top_values, t[HL__SCAN_TOP_VALUES]->data, (size_t)(d * k) * sizeof(float));
    memcpy(s->top_window, t[HL__SCAN_TOP_WINDOW]->data, (size_t)(d * k) * sizeof(int64_t));
    memcpy(s->top_pos, t[HL__SCAN_TOP_POS]->data, (size_t)(d * k) * sizeof(int64_t));
    memcpy(s->hist, t[HL__SCAN_HIST]->data, (size_t)(d * nb) * sizeof(int64_t));
    memcpy(s->edges, t[HL__SCAN_EDGES]->data, (size_t)(nb + 1) * sizeof(double));
    for (j = 0; j < c.n_extra; j++) {
        const int64_t *x = (const int64_t *)t[HL__SCAN_EXTRA]->data + 2 * j;
        s->extra[j].hi = x[0], s->extra[j].lo = (uint64_t)x[1];
    }
    for (j = 0; j < d * c.n_quantiles * c.quantile_k; j++) { /* the interval samples, drawn again from the file's */
        const int64_t w = ((const int64_t *)t[HL__SCAN_Q_WINDOW]->data)[j], p = ((const int64_t *)t[HL__SCAN_Q_POS]->data)[j];
        const float qv = ((const float *)t[HL__SCAN_Q_VALUES]->data)[j];
        if (w < 0) continue;
        if (p < 0 || !isfinite(qv)) {
            hl_safetensors_close(st);
            hl_scan_free(s);
            return hl__fail(err, HL_ERR_FORMAT, "%s: interval sample %lld has a negative position or a value that is not finite", path,
                            (long long)j);
        }
        memset(&src, 0, sizeof src);
        if (s->C) src.ctok = (const int32_t *)ctx[2]->data + j * s->C, src.cact = (const float *)ctx[3]->data + j * s->C;
        hl__scan_sample(s, j / (c.n_quantiles * c.quantile_k), (j / c.quantile_k) % c.n_quantiles, qv, w, p, &src);
    }
    for (f = 0; f < d; f++) {
        const int64_t *a = (const int64_t *)t[HL__SCAN_SUM_FIXED]->data + 2 * f, *b = (const int64_t *)t[HL__SCAN_SUM_SQ_FIXED]->data + 2 * f;
        s->sum[f].hi = a[0], s->sum[f].lo = (uint64_t)a[1];
        s->sum_sq[f].hi = b[0], s->sum_sq[f].lo = (uint64_t)b[1];
        /* the top list: sorted examples first, then -1s */
        for (j = 0; j < k && s->top_window[f * k + j] >= 0; j++) {
            if (s->top_pos[f * k + j] < 0 || !isfinite(s->top_values[f * k + j]) ||
                (j > 0 && !hl__scan_before(s->top_values[f * k + j - 1], s->top_window[f * k + j - 1], s->top_pos[f * k + j - 1],
                                           s->top_values[f * k + j], s->top_window[f * k + j], s->top_pos[f * k + j])))
                break;
        }
        s->top_n[f] = j;
        for (; j < k; j++)
            if (s->top_window[f * k + j] != -1 || s->top_pos[f * k + j] != -1) break;
        for (i = 0; j == k && i < nb; i++)
            if (s->hist[f * nb + i] < 0 || s->hist[f * nb + i] > HL__SCAN_COUNT_MAX) j = -1;
        if (j < k || s->count[f] < 0 || s->count[f] > HL__SCAN_COUNT_MAX) {
            hl_safetensors_close(st);
            hl_scan_free(s);
            return hl__fail(err, HL_ERR_FORMAT, "%s: feature %lld's top examples are not sorted, or a count is outside [0, 2^62]", path,
                            (long long)f);
        }
    }
    { /* the logit effects, when the file has them (all four, [d_sae, k], ids in range) */
        const hl_tensor *li = hl_safetensors_find(st, "logit_top_ids"), *lb = hl_safetensors_find(st, "logit_bottom_ids");
        const hl_tensor *vi = hl_safetensors_find(st, "logit_top_values"), *vb = hl_safetensors_find(st, "logit_bottom_values");
        if (li || lb || vi || vb) {
            int ok = li && lb && vi && vb && li->dtype == HL_DTYPE_I64 && lb->dtype == HL_DTYPE_I64 && vi->dtype == HL_DTYPE_F32 &&
                     vb->dtype == HL_DTYPE_F32 && li->ndim == 2 && lb->ndim == 2 && vi->ndim == 2 && vb->ndim == 2 &&
                     li->shape[0] == d && lb->shape[0] == d && vi->shape[0] == d && vb->shape[0] == d && li->shape[1] >= 1 &&
                     lb->shape[1] == li->shape[1] && vi->shape[1] == li->shape[1] && vb->shape[1] == li->shape[1];
            for (f = 0; ok && f < d * (li ? li->shape[1] : 0); f++)
                ok = ((const int64_t *)li->data)[f] >= 0 && ((const int64_t *)lb->data)[f] >= 0;
            if (!ok || hl_scan_set_logits(s, li->shape[1], (const int64_t *)li->data, (const float *)vi->data,
                                          (const int64_t *)lb->data, (const float *)vb->data, err) != HL_OK) {
                hl_safetensors_close(st);
                hl_scan_free(s);
                return ok ? HL_ERR_OOM : hl__fail(err, HL_ERR_FORMAT, "%s: the logit effect tensors are incomplete or malformed", path);
            }
        }
    }
    hl_safetensors_close(st);
    *out = s;
    return HL_OK;
}

/* <<scan */


#endif /* HL__IMPLEMENTED */
#endif /* HL_IMPLEMENTATION */

/*
REVISION HISTORY
    0.7.0 (2026-12-05) HL_FAST_INT8: one 8-bit term of x (llama.cpp's activation numerics), the
                       one-scale-per-block prefill without the second term's products; 8-bit
                       products on AVX2 and NEON; the scalar reference's integer sums safe from GCC 12's
                       vpdpbusd miscompile; make NATIVE=1.
    0.6.0 (2026-12-05) API CHANGE: scan contexts (ctx_radius, hl_scan_add_ctx, hl_scan_view's
                       top_ctx_* / q_ctx_*), ablation helpers, hl_act_patch_ext, patching cells
                       batched per layer; fast mode's Q8_0/Q5_0/Q4_0 block-integer order and VNNI
                       prefill; the scan's statistics threaded; tools: a .npy corpus read in place,
                       hooklens corpus, make-random-sae, bench --scan / --patch, dashboard --release.
    0.5.0 (2026-12-05) API CHANGE: batches with left or right padding (hl_batch and the *_batch
                       calls; attention per sequence on its own keys, TL's position ids), the
                       feature statistics of a corpus (hl_scan, exact under sharding), U16 dtype;
                       tools: corpora as windows, scan / scan-merge / dashboard, tools/scan-slurm.sh,
                       bench --batch.
    0.4.1 (2026-12-05) fast mode: x as two 8-bit terms per block of 32 for the Q8_0/Q5_0/Q4_0
                       integer products (the second holds the first's rounding error), the scalar
                       reference of those products (the same bits), also for Q4_K/Q6_K weights
                       (Q4_K's mins as a second sum), a decode kernel per type; llama GGUF files and "gpt2" GGUF tokenizers; Gemma-1 GGUF norm names
                       as llama.cpp's; a Q4_K writer; tools: one option table and parser for
                       every command, progress lines.
    0.4.0 (2026-12-05) API CHANGE: GGUF v2/v3 reader (hl_gguf_*, fuzzed) and writer; block-quantized
                       dtypes (Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q3_K Q4_K Q5_K Q6_K) dequantized with
                       llama.cpp's exact values, products in exact mode through panels of
                       dequantized rows (AVX-512 for the common types), fast mode with 8-bit
                       integer products (VNNI) for Q8_0/Q5_0/Q4_0; Gemma3ForCausalLM (q_norm/k_norm,
                       local rotary base, layer pattern, linear rope_scaling); models and their
                       tokenizers load from GGUF files (gemma3, gemma2, gemma); make fetch-gemma3.
    0.3.0 (2026-12-05) API CHANGE: GPT2LMHeadModel, GPTNeoForCausalLM, GPTNeoXForCausalLM, as rows
                       of the family table (config keys, weight names, the math that differs) and
                       step variants (LayerNorm, learned positions, partial rotary, fused q/k/v,
                       biases, plain MLPs, parallel residual); TransformerLens's weight processing
                       (HL_PROC_*) on by default, folded into small vectors at load and the
                       writing steps, never into a copy of a weight; desc.no_processing and
                       skip_processing; hl_model_cfg gained norm, learned_pos, rotary_dim,
                       parallel, gated, processing; tl_window_parity removed (it matched no TL
                       version). New point hook_pos_embed (the hl_hook values after EMBED moved).
                       hl_model_check_name, and add_hook fails on a glob that matches nothing.
                       hl_model_save_activations(..., meta, ...) writes __metadata__. >>analysis:
                       hl_resid_stack, hl_logit_lens, hl_logit_attrs, hl_loss, hl_act_patch,
                       hl_head_scores, hl_model_param; hl_model_run_from; hl_model_to_single_token,
                       hl_token_position. HL_USE_CBLAS / HL_KERNELS_CBLAS. The raw path (no
                       processing) keeps 0.2.0's bits.
    0.2.0 (2026-12-05) API CHANGE: one core header. The application layer (HTML views, explanation
                       search and its regex engine, the SAE release directory and download
                       commands, max-activation streaming, the test_prompt report, gzip, the
                       llama2.c converter) moved to tools/hooklens_tools.h. The forward pass is a
                       sequence of steps over named buffers; the state of one call is an hl_pass
                       (hooks see it in hl_hook_info.pass) and nothing of it stays on the model.
                       HL_HOOK_LIST carries dimension symbols and when a point exists or fires;
                       hl_model_hook_shape gives any point's shape. SAE sub-points are registered
                       points (hl_sub); hl_model_fire(info, sub, act, err). One kernel table per
                       instruction set, picked once; hl_model_kernels names it. Models load from
                       memory (hl_model_desc.config_json, .weights, .tokenizer_json;
                       hl_weights_open_memory); HL_NO_STDIO builds; HL_INTERNAL; HL_ASSERT removed.
                       An attached SAE runs on its model's thread pool. Logits, every hook value,
                       decoding, generation and the SAEs give the same bits as 0.1.0 at every
                       kernel level and thread count.
    0.1.0 (2026-11-27) first release: files (JSON, safetensors, npz), Hugging Face tokenizers,
                       Gemma-2, Gemma, Llama and Mistral with every TransformerLens hook point,
                       caches and generation, SAEs (GemmaScope, SAELens) spliced in, SIMD kernels
                       (AVX2, AVX-512, NEON) and threads, HTML views, explanation search, the SAE
                       directory and a llama2.c converter.

LICENSE
------------------------------------------------------------------------------
MIT License

Copyright (c) 2026 the hooklens authors

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
