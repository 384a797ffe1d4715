/* The header under its compile-time options: everything static, no threads, no SIMD, no mmap. */
#define HL_STATIC
#define HL_NO_THREADS
#define HL_NO_SIMD
#define HL_NO_MMAP
#define HL_IMPLEMENTATION
#include "../../hooklens.h"
int hl_compile_variants_dummy(void);
int hl_compile_variants_dummy(void) { return (int)hl_dtype_size(HL_DTYPE_F32); }
