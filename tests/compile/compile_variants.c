/* The headers under their compile-time options: every public symbol static (HL_STATIC), no
   threads, no SIMD, no mmap, and no file access at all (HL_NO_STDIO: models, tokenizers,
   safetensors and npz load from memory). */
#define HL_STATIC
#define HL_NO_THREADS
#define HL_NO_SIMD
#define HL_NO_MMAP
#define HL_NO_STDIO
#define HL_IMPLEMENTATION
#include "../../hooklens.h"
#include "../../tools/hooklens_tools.h"
int hl_compile_variants_dummy(void);
int hl_compile_variants_dummy(void) { return (int)hl_dtype_size(HL_DTYPE_F32); }
