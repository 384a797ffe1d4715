/* 07_explanation_search.c - search Neuronpedia feature explanations offline.

   The notebook asks Neuronpedia's search API for features whose explanation mentions "deception"
   and opens their dashboards. hooklens reads Neuronpedia's explanation exports from disk instead
   (the old export object, a JSON array, or bulk batch-N.jsonl.gz files; a folder of them works),
   streams them with bounded memory, and prints each match with its Neuronpedia URLs.

   Usage: 07_explanation_search [FILE_OR_DIR [QUERY [MODEL_ID SOURCE]]]
          default: examples/data/explanations-sample.jsonl (made-up rows), query "decept" */
#include <stdio.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/07_explanation_search.c -lm -pthread */
#include "hooklens.h"
#include "hooklens_tools.h"

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "examples/data/explanations-sample.jsonl";
    hl_explain_query q;
    hl_explain_result *res = NULL;
    hl_error err;
    size_t i;

    /* Case-insensitive substring search ("decept" finds "deception" and "Deceptive"); set
       q.regex = 1 for a regular expression, q.has_feature/q.feature for one feature. */
    memset(&q, 0, sizeof q);
    q.text = argc > 2 ? argv[2] : "decept";
    q.model_id = argc > 4 ? argv[3] : NULL; /* e.g. "gemma-2-2b" */
    q.source = argc > 4 ? argv[4] : NULL;   /* e.g. "25-gemmascope-res-16k" */
    if (hl_explain_search(&path, 1, &q, &res, &err) != HL_OK) {
        fprintf(stderr, "07_explanation_search: %s\n", err.msg);
        return 1;
    }
    printf("%zu of %llu explanations match \"%s\"\n", hl_explain_count(res),
           (unsigned long long)hl_explain_rows_read(res), q.text);

    /* Results are sorted by feature index; a feature may have several explanations. */
    for (i = 0; i < hl_explain_count(res); i++) {
        const hl_explanation *e = hl_explain_at(res, i);
        char url[512];
        printf("feature %llu:%s  [%s]\n", (unsigned long long)e->index, e->description,
               e->explanation_model);
        /* https://www.neuronpedia.org/<model>/<source>/<index>; add embed=1 for the iframe URL */
        if (hl_neuronpedia_url(url, sizeof url, e->model_id, e->source, e->index, 0, &err) == HL_OK)
            printf("    %s\n", url);
    }
    hl_explain_free(res);
    return 0;
}
