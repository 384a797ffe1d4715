/* tests/fuzz/fuzz_llama2c.c - libFuzzer target for the llama2.c converter's parsers
   (hl_convert_llama2c_memory: checkpoint header and sizes, tokenizer.bin entries, tokenizer.json
   and config.json text, q/k permutation). Input layout: u32 LE n, then n bytes of checkpoint
   (clamped to what is there), then the tokenizer.bin bytes.
   Seeds (tests/fuzz/seeds/fuzz_llama2c/): a 1-layer dim-8 model with a tied and with an untied
   classifier, each with an 8-piece tokenizer in llama2.c's spelling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../hooklens.h"
#include "../../tools/hooklens_tools.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t n;
    hl_error err;
    hl_llama2c_info info;
    if (size < 4) return 0;
    n = (size_t)((uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24);
    if (n > size - 4) n = size - 4;
    if (hl_convert_llama2c_memory(data + 4, n, data + 4 + n, size - 4 - n, &info, &err) == HL_OK) {
        if (!(info.vocab_size > 0 && info.n_merges >= 0)) abort();
    }
    return 0;
}
