/* tools/cli/cmd_model.c - run, generate, test-prompt */
#include "cli.h"

int cmd_run(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hooklens: not implemented yet\n");
    return 1;
}

int cmd_generate(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hooklens: not implemented yet\n");
    return 1;
}

int cmd_test_prompt(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "hooklens: not implemented yet\n");
    return 1;
}

int cli_print_model_cfg(const char *dir) {
    (void)dir;
    return 0;
}
