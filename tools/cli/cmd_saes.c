/* tools/cli/cmd_saes.c - saes: the pretrained SAE directory (SAELens releases for the models
   hooklens runs) and the curl command that downloads one SAE. Nothing is downloaded here. */
#include "cli.h"

static int saes_list(const char *model) {
    size_t i, shown = 0;
    printf("%-34s %-20s %5s  %-44s %s\n", "release", "model", "SAEs", "Hugging Face repo", "hook");
    for (i = 0; i < hl_sae_release_count(); i++) {
        const hl_sae_release *r = hl_sae_release_at(i);
        if (model && strcmp(model, r->model) != 0 && !(r->np_model && strcmp(model, r->np_model) == 0))
            continue;
        printf("%-34s %-20s %5zu  %-44s %s\n", r->release, r->model, hl_sae_entry_count(r), r->repo_id,
               r->hook_pattern);
        shown++;
    }
    if (!shown) {
        fprintf(stderr, "hooklens: no release for model '%s'\n", model);
        return 1;
    }
    return 0;
}

static void print_release(const hl_sae_release *r) {
    printf("release       %s\n", r->release);
    printf("repo          https://huggingface.co/%s\n", r->repo_id);
    printf("model         %s\n", r->model);
    printf("hook          %s\n", r->hook_pattern);
    printf("SAE ids       %s\n", r->id_pattern);
    printf("folder        %s\n", r->path_pattern);
    printf("files         %s\n", r->files);
    if (r->np_model && r->np_pattern) printf("neuronpedia   %s/%s\n", r->np_model, r->np_pattern);
    else printf("neuronpedia   (no pages listed)\n");
    if (r->notes[0]) printf("notes         %s\n", r->notes);
}

static int saes_show(const char *release, const char *sae_id, const char *out_dir) {
    const hl_sae_release *r = hl_sae_release_find(release);
    hl_sae_entry e;
    hl_error err;
    size_t i, n;
    if (!r) {
        fprintf(stderr, "hooklens: unknown release '%s' (hooklens saes list shows them)\n", release);
        return 1;
    }
    if (!sae_id) {
        print_release(r);
        n = hl_sae_entry_count(r);
        printf("\n%zu SAEs (id, folder when it differs, average L0, Neuronpedia page):\n", n);
        for (i = 0; i < n; i++) {
            if (hl_sae_entry_at(r, i, &e, &err) != HL_OK) return cli_error(&err);
            printf("  %s", e.id);
            if (strcmp(e.path, e.id) != 0) printf("  -> %s", e.path);
            if (e.l0 > 0) printf("  L0 %g", e.l0);
            if (e.neuronpedia[0]) printf("  %s", e.neuronpedia);
            printf("\n");
        }
        printf("\nhooklens saes show %s SAE_ID prints the download command for one of them.\n",
               r->release);
        return 0;
    }
    if (hl_sae_lookup(r, sae_id, &e, &err) != HL_OK) return cli_error(&err);
    print_release(r);
    printf("\nSAE           %s\n", e.id);
    printf("folder        %s\n", e.path);
    printf("hook point    %s\n", e.hook);
    if (e.d_sae) printf("d_sae         %lld\n", (long long)e.d_sae);
    if (e.l0 > 0) printf("average L0    %g\n", e.l0);
    if (e.neuronpedia[0]) printf("neuronpedia   https://www.neuronpedia.org/%s\n", e.neuronpedia);
    {
        char cmd[2048];
        if (hl_sae_download_command(r, &e, out_dir, cmd, sizeof cmd, &err) != HL_OK) return cli_error(&err);
        printf("\ndownload (hooklens never downloads by itself; run this yourself):\n%s\n", cmd);
    }
    return 0;
}

int cmd_saes(const cli_args *a) {
    const char *model = cli_str(a, CLI_MODEL, NULL), *out = cli_str(a, CLI_OUT, NULL);
    const char *pos[3] = {a->n_pos > 0 ? a->pos[0] : NULL, a->n_pos > 1 ? a->pos[1] : NULL, a->n_pos > 2 ? a->pos[2] : NULL};
    const int np = a->n_pos;
    if (np >= 1 && strcmp(pos[0], "list") == 0 && np == 1) return saes_list(model);
    if (np >= 2 && strcmp(pos[0], "show") == 0 && !model) return saes_show(pos[1], pos[2], out);
    return cli_usage("saes");
}
