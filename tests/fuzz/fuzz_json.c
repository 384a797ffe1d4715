/* tests/fuzz/fuzz_json.c - libFuzzer target for the JSON parser: any input must either parse into a
   tree whose every string and key can be read in full, or fail with a status and a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../hooklens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every byte the tree points at, so that ASan sees any out-of-bounds string or child. */
static size_t walk(const hl_json *v, int depth) {
    size_t i, acc = (size_t)v->type;
    if (depth > HL_MAX_JSON_DEPTH + 1) __builtin_trap(); /* the depth limit must hold */
    if (v->key) acc += strlen(v->key) + v->key_len + (unsigned char)v->key[v->key_len];
    switch (v->type) {
    case HL_JSON_STRING:
        for (i = 0; i <= v->len; i++) acc += (unsigned char)v->str[i]; /* includes the NUL */
        if (v->str[v->len] != 0) __builtin_trap();
        break;
    case HL_JSON_NUMBER:
        acc += (size_t)v->is_int + (size_t)(v->num != v->num);
        if (v->is_int) acc += (size_t)v->i64;
        break;
    case HL_JSON_ARRAY:
    case HL_JSON_OBJECT:
        for (i = 0; i < v->len; i++) {
            const hl_json *k = hl_json_at(v, i);
            if (k != &v->kids[i]) __builtin_trap();
            if (v->type == HL_JSON_OBJECT && !k->key) __builtin_trap();
            acc += walk(k, depth + 1);
        }
        if (hl_json_at(v, v->len) != NULL) __builtin_trap();
        if (v->type == HL_JSON_OBJECT && v->len && hl_json_get(v, v->kids[0].key) == NULL) __builtin_trap();
        break;
    default: break;
    }
    return acc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hl_json_doc *doc = NULL;
    hl_error err;
    hl_status s = hl_json_parse((const char *)data, size, &doc, &err);
    if (s == HL_OK) {
        volatile size_t sink = walk(hl_json_root(doc), 0);
        (void)sink;
        hl_json_free(doc);
    } else {
        if (doc != NULL || err.status != s || err.msg[0] == 0) __builtin_trap();
        if (s != HL_ERR_FORMAT && s != HL_ERR_LIMIT && s != HL_ERR_OOM) __builtin_trap();
    }
    return 0;
}
