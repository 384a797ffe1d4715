/* tools/cli/cmd_convert.c - convert-llama2c: llama2.c checkpoint to a Hugging Face folder */
#include "cli.h"

int cmd_convert_llama2c(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hooklens: not implemented yet\n");
    return 1;
}

