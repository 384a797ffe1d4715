/* The one translation unit of the CLI that holds the library implementation. */
#define HL_IMPLEMENTATION
#define HL_INTERNAL /* the CLI's bench reaches the kernel tables (see hooklens.h, INTERNALS) */
#include "../../hooklens.h"
#include "../hooklens_tools.h"
