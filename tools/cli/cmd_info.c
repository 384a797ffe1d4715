/* tools/cli/cmd_info.c - info: list the tensors of a safetensors file, a sharded checkpoint's
   model.safetensors.index.json, a model folder, an npz archive, or a GGUF file (its metadata too), with totals. A model folder with a
   config.json also gets its config printed (cli_print_model_cfg), or a one-line note when the
   architecture is not one hooklens runs. Any malformed file: the library's
   message on stderr and exit status 1. */
#include <sys/stat.h>
#include "cli.h"

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* "[512, 64]" */
static void shape_str(char *buf, size_t cap, const hl_tensor *t) {
    size_t len = (size_t)snprintf(buf, cap, "[");
    int d;
    for (d = 0; d < t->ndim && len < cap; d++)
        len += (size_t)snprintf(buf + len, cap - len, d ? ", %lld" : "%lld", (long long)t->shape[d]);
    if (len < cap) snprintf(buf + len, cap - len, "]");
}

typedef const char *(*name_fn)(const void *obj, size_t i);
typedef const hl_tensor *(*tensor_fn)(const void *obj, size_t i);

static const char *w_name(const void *o, size_t i) { return hl_weights_name((const hl_weights *)o, i); }
static const hl_tensor *w_tensor(const void *o, size_t i) { return hl_weights_tensor((const hl_weights *)o, i); }
static const char *g_name(const void *o, size_t i) { return hl_gguf_tensor_name((const hl_gguf *)o, i); }
static const hl_tensor *g_tensor(const void *o, size_t i) { return hl_gguf_tensor((const hl_gguf *)o, i); }
static const char *z_name(const void *o, size_t i) { return hl_npz_name((const hl_npz *)o, i); }
static const hl_tensor *z_tensor(const void *o, size_t i) { return hl_npz_tensor((const hl_npz *)o, i); }

/* One line per tensor (name, dtype, shape, bytes), then the totals. */
static void print_tensors(const void *obj, size_t n, name_fn name, tensor_fn tensor) {
    size_t i, width = 4;
    unsigned long long bytes = 0, params = 0;
    char shape[256];
    for (i = 0; i < n; i++)
        if (strlen(name(obj, i)) > width) width = strlen(name(obj, i));
    if (width > 80) width = 80;
    printf("%-*s  %-5s  %-20s  %s\n", (int)width, "name", "dtype", "shape", "bytes");
    for (i = 0; i < n; i++) {
        const hl_tensor *t = tensor(obj, i);
        shape_str(shape, sizeof shape, t);
        printf("%-*s  %-5s  %-20s  %llu\n", (int)width, name(obj, i), hl_dtype_name(t->dtype), shape,
               (unsigned long long)hl_tensor_nbytes(t));
        bytes += (unsigned long long)hl_tensor_nbytes(t);
        params += (unsigned long long)hl_tensor_numel(t);
    }
    printf("total: %llu tensors, %llu elements, %llu bytes (%.2f MB)\n", (unsigned long long)n, params, bytes,
           (double)bytes / 1e6);
}

static int info_npz(const char *path) {
    hl_npz *z = NULL;
    hl_error err;
    if (hl_npz_open(path, &z, &err) != HL_OK) return cli_error(&err);
    print_tensors(z, hl_npz_count(z), z_name, z_tensor);
    hl_npz_close(z);
    return 0;
}

/* A GGUF file: the metadata (arrays: type, count and the first few elements), then the tensors
   with their ggml types. */
static int info_gguf(const char *path) {
    hl_gguf *g = NULL;
    hl_error err;
    size_t i, len;
    if (hl_gguf_open(path, &g, &err) != HL_OK) return cli_error(&err);
    printf("GGUF version %u, alignment %llu, %zu metadata entries, %zu tensors\n", hl_gguf_version(g),
           (unsigned long long)hl_gguf_alignment(g), hl_gguf_kv_count(g), hl_gguf_tensor_count(g));
    for (i = 0; i < hl_gguf_kv_count(g); i++) {
        const hl_gguf_type t = hl_gguf_kv_type(g, i);
        const char *s;
        double d;
        printf("metadata %s (%s", hl_gguf_kv_key(g, i), hl_gguf_type_name(t));
        if (t == HL_GGUF_ARRAY) {
            const hl_gguf_type et = hl_gguf_arr_type(g, i);
            uint64_t j, n = hl_gguf_arr_count(g, i);
            printf(" of %llu %s): [", (unsigned long long)n, hl_gguf_type_name(et));
            for (j = 0; j < n && j < 8; j++) {
                if ((s = hl_gguf_arr_str(g, i, j, &len)) != NULL) printf("%s\"%.*s\"", j ? ", " : "", (int)(len > 40 ? 40 : len), s);
                else if (hl_gguf_arr_num(g, i, j, &d)) printf("%s%.9g", j ? ", " : "", d);
                else printf("%s...", j ? ", " : "");
            }
            printf("%s]\n", n > 8 ? ", ..." : "");
        } else if ((s = hl_gguf_get_str(g, i, &len)) != NULL) {
            printf("): \"%.*s%s\"\n", (int)(len > 200 ? 200 : len), s, len > 200 ? "..." : "");
        } else if (hl_gguf_get_num(g, i, &d)) {
            printf("): %.17g\n", d);
        } else {
            printf(")\n");
        }
    }
    printf("\n");
    print_tensors(g, hl_gguf_tensor_count(g), g_name, g_tensor);
    hl_gguf_close(g);
    return 0;
}

/* A single .safetensors file: the tensors and the "__metadata__" entries. */
static int info_safetensors(const char *path) {
    hl_safetensors *st = NULL;
    hl_weights *w = NULL;
    hl_error err;
    size_t i;
    if (hl_safetensors_open(path, &st, &err) != HL_OK) return cli_error(&err);
    for (i = 0; i < hl_safetensors_metadata_count(st); i++) {
        const char *k = hl_safetensors_metadata_key(st, i);
        printf("metadata %s: %s\n", k, hl_safetensors_metadata(st, k));
    }
    hl_safetensors_close(st);
    if (hl_weights_open(path, &w, &err) != HL_OK) return cli_error(&err);
    print_tensors(w, hl_weights_count(w), w_name, w_tensor);
    hl_weights_close(w);
    return 0;
}

/* A model folder or an index file: every tensor across the shards. */
static int info_weights(const char *path) {
    hl_weights *w = NULL;
    hl_error err;
    if (hl_weights_open(path, &w, &err) != HL_OK) return cli_error(&err);
    print_tensors(w, hl_weights_count(w), w_name, w_tensor);
    hl_weights_close(w);
    return 0;
}

int cmd_info(const cli_args *a) {
    const char *path;
    struct stat st;
    int rc;
    if (a->n_pos != 1) return cli_usage("info");
    path = a->pos[0];
    if (stat(path, &st) != 0) {
        fprintf(stderr, "hooklens: %s: no such file or folder\n", path);
        return 1;
    }
    if (S_ISDIR(st.st_mode)) {
        char cfg[4096];
        rc = info_weights(path);
        if (rc) return rc;
        snprintf(cfg, sizeof cfg, "%s/config.json", path);
        if (stat(cfg, &st) == 0) {
            printf("\n");
            fflush(stdout);
            return cli_print_model_cfg(path);
        }
        return 0;
    }
    if (ends_with(path, ".npz")) return info_npz(path);
    if (ends_with(path, ".gguf")) return info_gguf(path);
    if (ends_with(path, ".json")) return info_weights(path);
    return info_safetensors(path);
}
