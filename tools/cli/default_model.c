/* tools/cli/default_model.c - where the bundled default model is, from any directory. */
#include <unistd.h>
#include "cli.h"

/* The bundled model, from any directory: $HL_MODEL; $HOOKLENS_HOME/stories260K; next to the
   executable (an installed PREFIX/bin/hooklens: PREFIX/share/hooklens/stories260K; the repository's
   build/hooklens: examples/stories260K); the current directory's examples/stories260K. When none
   has a config.json, the first candidate is returned and cli_default_model_tried() lists them all
   for the error message. */
static char cli__model[8][4096];
static int cli__n_model;
static int cli__has_config(const char *dir) {
    char p[4200];
    FILE *f;
    snprintf(p, sizeof p, "%.4096s/config.json", dir);
    if (!(f = fopen(p, "rb"))) return 0;
    fclose(f);
    return 1;
}
const char *cli_default_model(void) {
    const char *m = getenv("HL_MODEL"), *home = getenv("HOOKLENS_HOME");
    char exe[4096];
    ssize_t len;
    int i;
    if (m && *m) return m;
    cli__n_model = 0;
    if (home && *home) snprintf(cli__model[cli__n_model++], sizeof cli__model[0], "%.4000s/stories260K", home);
    len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        char *slash;
        exe[len] = 0;
        if ((slash = strrchr(exe, '/')) != NULL) *slash = 0; /* the executable's folder */
        snprintf(cli__model[cli__n_model++], sizeof cli__model[0], "%.4000s/../share/hooklens/stories260K", exe);
        snprintf(cli__model[cli__n_model++], sizeof cli__model[0], "%.4000s/../examples/stories260K", exe);
    }
    snprintf(cli__model[cli__n_model++], sizeof cli__model[0], "examples/stories260K");
    for (i = 0; i < cli__n_model; i++)
        if (cli__has_config(cli__model[i])) return cli__model[i];
    return cli__model[0];
}
void cli_default_model_tried(FILE *f) {
    int i;
    fprintf(f, "hooklens: no default model found; looked in:");
    for (i = 0; i < cli__n_model; i++) fprintf(f, " %s", cli__model[i]);
    fprintf(f, " (set HOOKLENS_HOME to the folder holding stories260K, or give MODEL)\n");
}
