/* tools/cli/cmd_views.c - HTML views: logprobs and attention */
#include "cli.h"

int cmd_logprobs(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hooklens: not implemented yet\n");
    return 1;
}

int cmd_attention(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hooklens: not implemented yet\n");
    return 1;
}

