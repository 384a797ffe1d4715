/* tools/cli/cmd_explain.c - explain: offline Neuronpedia explanation search */
#include "cli.h"

int cmd_explain(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hooklens: not implemented yet\n");
    return 1;
}

