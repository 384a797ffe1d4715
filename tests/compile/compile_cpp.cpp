// Both headers, implementations included, must compile as C++11.
#define HL_IMPLEMENTATION
#include "../../hooklens.h"
#include "../../tools/hooklens_tools.h"
int hl_compile_cpp_dummy();
int hl_compile_cpp_dummy() { return (int)hl_dtype_size(HL_DTYPE_F32); }
