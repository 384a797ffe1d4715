/* tools/cli/cmd_sae.c - sae: SAE features per token */
#include "cli.h"

int cmd_sae(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hooklens: not implemented yet\n");
    return 1;
}
