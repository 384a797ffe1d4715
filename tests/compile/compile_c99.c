/* Both headers, implementations included, must compile as strict C99. */
#define HL_IMPLEMENTATION
#include "../../hooklens.h"
#include "../../tools/hooklens_tools.h"
int hl_compile_c99_dummy(void);
int hl_compile_c99_dummy(void) { return (int)hl_dtype_size(HL_DTYPE_F32); }
