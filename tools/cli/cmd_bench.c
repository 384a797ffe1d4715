/* tools/cli/cmd_bench.c - bench and make-random-model */
#include "cli.h"

int cmd_bench(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hooklens: not implemented yet\n");
    return 1;
}

int cmd_make_random_model(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hooklens: not implemented yet\n");
    return 1;
}

