/* tests/test_core.c - status strings, dtypes, half-precision conversions, tensor helpers. */
#include "hl_test.h"

static void test_status_strings(void) {
    CHECK(strcmp(hl_status_str(HL_OK), "ok") == 0);
    CHECK(strcmp(hl_status_str(HL_ERR_FORMAT), "malformed file") == 0);
    CHECK(strcmp(hl_version(), HL_VERSION_STRING) == 0);
}

static void test_dtypes(void) {
    CHECK(hl_dtype_size(HL_DTYPE_BF16) == 2);
    CHECK(hl_dtype_size(HL_DTYPE_F64) == 8);
    CHECK(hl_dtype_size(HL_DTYPE_INVALID) == 0);
    CHECK(hl_dtype_from_name("BF16", 4) == HL_DTYPE_BF16);
    CHECK(hl_dtype_from_name("F3", 2) == HL_DTYPE_INVALID);
    CHECK(strcmp(hl_dtype_name(HL_DTYPE_I64), "I64") == 0);
}

static void test_half_conversions(void) {
    /* every f16 value round-trips through f32 exactly (NaN payloads aside) */
    unsigned h;
    int bad = 0;
    for (h = 0; h < 65536; h++) {
        float f = hl_f16_to_f32((uint16_t)h);
        if (f != f) continue;
        if (hl_f32_to_f16(f) != (uint16_t)h) bad++;
    }
    CHECK(bad == 0);
    CHECK(hl_f16_to_f32(0x3c00) == 1.0f);
    CHECK(hl_f16_to_f32(0xc000) == -2.0f);
    CHECK(hl_f16_to_f32(0x0001) == 5.9604644775390625e-08f);
    CHECK(hl_f32_to_f16(65520.0f) == 0x7c00); /* rounds to inf */
    CHECK(hl_f32_to_f16(1.0f + 1.0f / 2048) == 0x3c00); /* tie to even */
    /* bf16: truncation with round-to-nearest-even */
    CHECK(hl_f32_to_bf16(1.0f) == 0x3f80);
    CHECK(hl_bf16_to_f32(0x3f80) == 1.0f);
    CHECK(hl_f32_to_bf16(1.00390625f) == 0x3f80);  /* exactly half way, even stays */
    CHECK(hl_f32_to_bf16(1.01171875f) == 0x3f82);  /* half way from odd 0x3f81 rounds up */
    for (h = 0; h < 65536; h++) {
        float f = hl_bf16_to_f32((uint16_t)h);
        if (f != f) continue;
        if (hl_f32_to_bf16(f) != (uint16_t)h) bad++;
    }
    CHECK(bad == 0);
}

static void test_tensor_helpers(void) {
    float d[6] = {1, 2, 3, 4, 5, 6};
    hl_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = HL_DTYPE_F32;
    t.ndim = 2;
    t.shape[0] = 2;
    t.shape[1] = 3;
    t.data = d;
    CHECK(hl_tensor_numel(&t) == 6);
    CHECK(hl_tensor_nbytes(&t) == 24);
    CHECK(hl_tensor_get_f32(&t, 4) == 5.0f);
}

void suite_core(void) {
    RUN(test_status_strings);
    RUN(test_dtypes);
    RUN(test_half_conversions);
    RUN(test_tensor_helpers);
}
