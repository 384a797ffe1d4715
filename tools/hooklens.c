/* tools/hooklens.c - the library in one translation unit: hooklens.h and hooklens_tools.h with
   their implementations. The Makefile compiles it once per configuration (optimised, sanitized,
   for the fuzzers) and links that object into the CLI, the examples, the tests and the fuzz
   targets. HL_INTERNAL also exports the kernel tables and the thread pool, which the tests and
   `hooklens bench` reach (see INTERNALS in hooklens.h). */
#define HL_IMPLEMENTATION
#define HL_INTERNAL
#include "../hooklens.h"
#include "hooklens_tools.h"
