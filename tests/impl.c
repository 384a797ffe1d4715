/* The one translation unit of the test binary that holds the implementation. */
#define HL_IMPLEMENTATION
#include "../hooklens.h"
#include "../tools/hooklens_tools.h"
