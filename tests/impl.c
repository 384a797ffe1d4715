/* The one translation unit of the test binary that holds the implementation. */
#define HL_IMPLEMENTATION
#define HL_INTERNAL
#include "../hooklens.h"
#include "../tools/hooklens_tools.h"
