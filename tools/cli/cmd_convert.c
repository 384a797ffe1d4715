/* tools/cli/cmd_convert.c - convert-llama2c: llama2.c checkpoint to a Hugging Face folder */
#include "cli.h"

/* hooklens convert-llama2c MODEL.bin TOKENIZER.bin OUT_DIR
   Writes OUT_DIR/config.json, model.safetensors and tokenizer.json (see hl_convert_llama2c) and
   prints one summary line. */
int cmd_convert_llama2c(int argc, char **argv) {
    hl_error err;
    hl_llama2c_info info;
    if (argc != 4 || argv[1][0] == '-') return cli_usage("convert-llama2c");
    if (hl_convert_llama2c(argv[1], argv[2], argv[3], &info, &err) != HL_OK) return cli_error(&err);
    printf("%s: LlamaForCausalLM, dim %ld, hidden %ld, %ld layers, %ld heads (%ld kv), vocab %ld "
           "(%s head), seq_len %ld, %lld params, %lld merges\n",
           argv[3], (long)info.dim, (long)info.hidden_dim, (long)info.n_layers, (long)info.n_heads,
           (long)info.n_kv_heads, (long)info.vocab_size, info.shared_classifier ? "tied" : "untied",
           (long)info.seq_len, (long long)info.n_params, (long long)info.n_merges);
    printf("wrote %s/config.json, %s/model.safetensors, %s/tokenizer.json\n", argv[3], argv[3],
           argv[3]);
    return 0;
}
