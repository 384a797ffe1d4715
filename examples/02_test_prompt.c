/* 02_test_prompt.c - TransformerLens `utils.test_prompt`: how likely is the answer?

   The notebook does:
       utils.test_prompt("Jill threw the ball to Jack. Jack threw the ball to Will. "
                         "Will threw the ball back to", " Jill", model)
   which prints the tokenized prompt and answer, the rank, logit and probability of every answer
   token, and the model's top-10 alternatives at that position. hooklens prints the same report.

   Usage: 02_test_prompt [MODEL_DIR] [PROMPT ANSWER] */
#include <stdio.h>
#include <string.h>
/* `make` links the library object; alone, this file builds with the implementation in it:
     cc -O2 -DHL_IMPLEMENTATION -I. -Itools examples/02_test_prompt.c -lm -pthread */
#include "hooklens.h"
#include "hooklens_tools.h"

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "examples/stories260K";
    const char *prompt = argc > 3 ? argv[2]
                                  : "Jill threw the ball to Jack. Jack threw the ball to Will. "
                                    "Will threw the ball back to";
    const char *answer = argc > 3 ? argv[3] : " Jill";
    hl_model_desc desc;
    hl_model *model = NULL;
    hl_error err;
    char *report = NULL;

    memset(&desc, 0, sizeof desc);
    desc.path = dir;
    if (hl_model_load(&desc, &model, &err) != HL_OK) {
        fprintf(stderr, "02_test_prompt: %s\n", err.msg);
        return 1;
    }
    /* top_k = 10 as in TL. As in TL, a space is put before the answer unless it has one (the
       last argument, no_prepend_space = 0). One forward pass over prompt + answer tokens: the
       distribution at position t-1 ranks the answer token at t. */
    if (hl_model_test_prompt(model, prompt, answer, 10, 0, &report, &err) != HL_OK) {
        fprintf(stderr, "02_test_prompt: %s\n", err.msg);
        hl_model_free(model);
        return 1;
    }
    if (report) fputs(report, stdout);
    hl_free(report);
    hl_model_free(model);
    return 0;
}
