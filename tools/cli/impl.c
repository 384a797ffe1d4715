/* The one translation unit of the CLI that holds the library implementation. */
#define HL_IMPLEMENTATION
#include "../../hooklens.h"
#include "../hooklens_tools.h"
