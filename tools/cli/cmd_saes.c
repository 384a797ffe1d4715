/* tools/cli/cmd_saes.c - saes: the pretrained SAE directory */
#include "cli.h"

int cmd_saes(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hooklens: not implemented yet\n");
    return 1;
}
