/* tests/test_quant.c - the block-quantized types (GGUF's Q4_0 ... Q6_K), dequantized against blocks
   packed here by hand from the layouts in ggml-common.h: each test writes integer codes, scales and
   mins into the block's bytes as the format defines them, and expects the dequantized value the
   format's formula gives, computed here in double. Scales are powers of two (or small integers
   times them), so every expected value is exact and the comparison is ==. Edge cases: negative and
   zero super-scales, negative mins, the extreme codes and 6-bit scales, Q6_K's int8 scales -128 and
   127, Q3_K's scale 0 (-32). Bit-exactness against llama.cpp's own dequantize_row_* on random blocks
   was checked outside the repository (the closing note of issue 16 says how). */
#define HL_INTERNAL /* the matmul drivers and kernel tables (see test_kernels.c) */
#include "hl_test.h"
#include <stdlib.h>

static uint64_t tq_state = 0x9e3779b97f4a7c15ull;
static unsigned tq_rand(unsigned n) {
    tq_state ^= tq_state << 13, tq_state ^= tq_state >> 7, tq_state ^= tq_state << 17;
    return (unsigned)(tq_state % n);
}
static void tq_f16(uint8_t *p, float v) {
    uint16_t h = hl_f32_to_f16(v);
    p[0] = (uint8_t)h, p[1] = (uint8_t)(h >> 8);
}
/* dequantizes one block of t and compares with want[]; returns the number of mismatches */
static int tq_check(hl_dtype t, const uint8_t *blk, const double *want, const char *what) {
    float y[256];
    hl_error e;
    int i, bad = 0, n = (int)hl_dtype_block(t);
    if (hl_dequantize_row(t, blk, y, n, &e) != HL_OK) {
        printf("  %s: %s\n", what, e.msg);
        return 1;
    }
    for (i = 0; i < n; i++)
        if ((double)y[i] != want[i]) {
            if (bad++ < 3) printf("  %s %s element %d: %.9g, want %.9g\n", hl_dtype_name(t), what, i, y[i], want[i]);
        }
    return bad;
}

/* Q4_0 / Q4_1 / Q5_0 / Q5_1 / Q8_0: one scale d (and m) per 32 */
static void test_quant_legacy(void) {
    static const float ds[] = {0.125f, -0.5f, 0.0f, 3.0f};
    static const float ms[] = {0.25f, -2.0f, 0.0f, -0.0625f};
    uint8_t b[64];
    double want[32];
    int q[32], c, j, bad = 0;
    for (c = 0; c < 4; c++) {
        const double d = ds[c], m = ms[c];
        /* Q4_0: x = (q - 8) d; codes 0 and 15 always present */
        for (j = 0; j < 32; j++) q[j] = j == 0 ? 0 : j == 31 ? 15 : (int)tq_rand(16);
        memset(b, 0, sizeof b), tq_f16(b, ds[c]);
        for (j = 0; j < 16; j++) b[2 + j] = (uint8_t)(q[j] | q[j + 16] << 4);
        for (j = 0; j < 32; j++) want[j] = (q[j] - 8) * d;
        bad += tq_check(HL_DTYPE_Q4_0, b, want, "legacy");
        /* Q4_1: x = q d + m */
        memset(b, 0, sizeof b), tq_f16(b, ds[c]), tq_f16(b + 2, ms[c]);
        for (j = 0; j < 16; j++) b[4 + j] = (uint8_t)(q[j] | q[j + 16] << 4);
        for (j = 0; j < 32; j++) want[j] = q[j] * d + m;
        bad += tq_check(HL_DTYPE_Q4_1, b, want, "legacy");
        /* Q5_0: x = (q - 16) d; the fifth bit of element i is bit i of qh */
        for (j = 0; j < 32; j++) q[j] = j == 0 ? 0 : j == 17 ? 31 : (int)tq_rand(32);
        memset(b, 0, sizeof b), tq_f16(b, ds[c]);
        for (j = 0; j < 32; j++) b[2 + j / 8] |= (uint8_t)((q[j] >> 4) << (j % 8));
        for (j = 0; j < 16; j++) b[6 + j] = (uint8_t)((q[j] & 15) | (q[j + 16] & 15) << 4);
        for (j = 0; j < 32; j++) want[j] = (q[j] - 16) * d;
        bad += tq_check(HL_DTYPE_Q5_0, b, want, "legacy");
        /* Q5_1: x = q d + m */
        memset(b, 0, sizeof b), tq_f16(b, ds[c]), tq_f16(b + 2, ms[c]);
        for (j = 0; j < 32; j++) b[4 + j / 8] |= (uint8_t)((q[j] >> 4) << (j % 8));
        for (j = 0; j < 16; j++) b[8 + j] = (uint8_t)((q[j] & 15) | (q[j + 16] & 15) << 4);
        for (j = 0; j < 32; j++) want[j] = q[j] * d + m;
        bad += tq_check(HL_DTYPE_Q5_1, b, want, "legacy");
        /* Q8_0: x = q d, q int8 with -128 and 127 */
        memset(b, 0, sizeof b), tq_f16(b, ds[c]);
        for (j = 0; j < 32; j++) {
            int v = j == 0 ? -128 : j == 1 ? 127 : (int)tq_rand(256) - 128;
            b[2 + j] = (uint8_t)(int8_t)v;
            want[j] = v * d;
        }
        bad += tq_check(HL_DTYPE_Q8_0, b, want, "legacy");
    }
    CHECKF(bad == 0, "%d mismatches", bad);
}

/* Q4_K / Q5_K: 8 sub-blocks of 32, 6-bit scale sc and min mn each: x = (d sc) q - (dmin mn) */
static void tq_pack_k_scales(uint8_t *s, const int *sc, const int *mn) {
    int j;
    for (j = 0; j < 4; j++) {
        s[j] = (uint8_t)((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
        s[j + 4] = (uint8_t)((mn[j] & 63) | ((mn[j + 4] >> 4) << 6));
        s[j + 8] = (uint8_t)((sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4));
    }
}
static void test_quant_k_4_5(void) {
    static const float ds[] = {0.0625f, -0.25f, 0.0f}, dms[] = {0.5f, -0.125f, 1.0f};
    uint8_t b[256];
    double want[256];
    int q[256], sc[8], mn[8], c, e, bad = 0;
    for (c = 0; c < 3; c++) {
        for (e = 0; e < 8; e++) sc[e] = e == 0 ? 63 : e == 7 ? 0 : (int)tq_rand(64), mn[e] = e == 5 ? 63 : (int)tq_rand(64);
        for (e = 0; e < 256; e++) q[e] = e == 3 ? 31 : e == 200 ? 0 : (int)tq_rand(32);
        /* element e: chunk e / 64, nibble (e % 64) / 32 of qs[32 chunk + e % 32], sub-block e / 32 */
        memset(b, 0, sizeof b), tq_f16(b, ds[c]), tq_f16(b + 2, dms[c]), tq_pack_k_scales(b + 4, sc, mn);
        for (e = 0; e < 256; e++) {
            b[16 + (e / 64) * 32 + e % 32] |= (uint8_t)((q[e] & 15) << (4 * ((e % 64) / 32)));
            want[e] = ((double)ds[c] * sc[e / 32]) * (q[e] & 15) - (double)dms[c] * mn[e / 32];
        }
        bad += tq_check(HL_DTYPE_Q4_K, b, want, "K");
        /* Q5_K: qh[32] after the scales: bit e / 32 of qh[e % 32] is the fifth bit */
        memset(b, 0, sizeof b), tq_f16(b, ds[c]), tq_f16(b + 2, dms[c]), tq_pack_k_scales(b + 4, sc, mn);
        for (e = 0; e < 256; e++) {
            b[48 + (e / 64) * 32 + e % 32] |= (uint8_t)((q[e] & 15) << (4 * ((e % 64) / 32)));
            b[16 + e % 32] |= (uint8_t)((q[e] >> 4) << (e / 32));
            want[e] = ((double)ds[c] * sc[e / 32]) * q[e] - (double)dms[c] * mn[e / 32];
        }
        bad += tq_check(HL_DTYPE_Q5_K, b, want, "K");
    }
    CHECKF(bad == 0, "%d mismatches", bad);
}

/* Q6_K: x = (d sc) (q - 32), q 6 bits, 16 int8 scales; Q2_K / Q3_K: 16 sub-blocks of 16 */
static void test_quant_k_2_3_6(void) {
    static const float ds[] = {0.03125f, -1.0f, 0.0f}, dms[] = {0.25f, -0.5f, 2.0f};
    uint8_t b[256];
    double want[256];
    int q[256], sc[16], mn[16], c, e, bad = 0;
    for (c = 0; c < 3; c++) {
        /* Q6_K. element e: half h = e / 128, r = e % 128, i = r / 32, l = r % 32: low 4 bits in
           nibble i / 2 of ql[64 h + l + 32 (i % 2)], high 2 in bits 2i of qh[32 h + l], scale
           sc[8 h + l / 16 + 2 i] */
        for (e = 0; e < 16; e++) sc[e] = e == 0 ? -128 : e == 1 ? 127 : (int)tq_rand(256) - 128;
        for (e = 0; e < 256; e++) q[e] = e == 0 ? 0 : e == 255 ? 63 : (int)tq_rand(64);
        memset(b, 0, sizeof b), tq_f16(b + 208, ds[c]);
        for (e = 0; e < 16; e++) b[192 + e] = (uint8_t)(int8_t)sc[e];
        for (e = 0; e < 256; e++) {
            const int h = e / 128, i = (e % 128) / 32, l = e % 32;
            b[64 * h + l + 32 * (i % 2)] |= (uint8_t)((q[e] & 15) << (4 * (i / 2)));
            b[128 + 32 * h + l] |= (uint8_t)((q[e] >> 4) << (2 * i));
            want[e] = ((double)ds[c] * sc[8 * h + l / 16 + 2 * i]) * (q[e] - 32);
        }
        bad += tq_check(HL_DTYPE_Q6_K, b, want, "K");
        /* Q2_K. element e: half h, plane p = (e % 128) / 32, t = e % 32: bits 2p of qs[32 h + t],
           sub-block 8 h + 2 p + t / 16 whose byte holds scale (low nibble) and min (high) */
        for (e = 0; e < 16; e++) sc[e] = e == 0 ? 15 : (int)tq_rand(16), mn[e] = e == 1 ? 15 : (int)tq_rand(16);
        for (e = 0; e < 256; e++) q[e] = (int)tq_rand(4);
        memset(b, 0, sizeof b), tq_f16(b + 80, ds[c]), tq_f16(b + 82, dms[c]);
        for (e = 0; e < 16; e++) b[e] = (uint8_t)(sc[e] | mn[e] << 4);
        for (e = 0; e < 256; e++) {
            const int h = e / 128, p = (e % 128) / 32, t = e % 32, s = 8 * h + 2 * p + t / 16;
            b[16 + 32 * h + t] |= (uint8_t)(q[e] << (2 * p));
            want[e] = ((double)ds[c] * sc[s]) * q[e] - (double)dms[c] * mn[s];
        }
        bad += tq_check(HL_DTYPE_Q2_K, b, want, "K");
        /* Q3_K: codes -4..3 as 2 low bits plus a third bit in hmask (bit 4 h + p of hmask[t]: set
           means +0, clear means -4); 6-bit scales sc - 32: low nibble in byte j (j < 8) or the high
           nibble of byte j - 8, high two bits at 2 (j / 4) of byte 8 + j % 4 */
        for (e = 0; e < 16; e++) sc[e] = e == 0 ? 0 : e == 1 ? 63 : (int)tq_rand(64);
        for (e = 0; e < 256; e++) q[e] = (int)tq_rand(8) - 4;
        memset(b, 0, sizeof b), tq_f16(b + 108, ds[c]);
        for (e = 0; e < 16; e++) {
            b[96 + (e < 8 ? e : e - 8)] |= (uint8_t)((sc[e] & 15) << (e < 8 ? 0 : 4));
            b[96 + 8 + e % 4] |= (uint8_t)((sc[e] >> 4) << (2 * (e / 4)));
        }
        for (e = 0; e < 256; e++) {
            const int h = e / 128, p = (e % 128) / 32, t = e % 32, s = 8 * h + 2 * p + t / 16;
            b[32 + 32 * h + t] |= (uint8_t)((q[e] & 3) << (2 * p));
            if (q[e] >= 0) b[t] |= (uint8_t)(1u << (4 * h + p));
            want[e] = ((double)ds[c] * (sc[s] - 32)) * q[e];
        }
        bad += tq_check(HL_DTYPE_Q3_K, b, want, "K");
    }
    CHECKF(bad == 0, "%d mismatches", bad);
}

/* Names, sizes, element access and the errors of hl_dequantize_row. */
static void test_quant_api(void) {
    uint8_t blk[34 * 3];
    float y[96];
    hl_error e;
    hl_tensor t = {HL_DTYPE_Q8_0, 2, {3, 32}, blk};
    int j;
    CHECK(hl_dtype_size(HL_DTYPE_Q4_K) == 0);
    CHECK(hl_dtype_block(HL_DTYPE_Q4_K) == 256 && hl_dtype_block(HL_DTYPE_Q8_0) == 32 && hl_dtype_block(HL_DTYPE_F32) == 1);
    CHECK(hl_dtype_row_bytes(HL_DTYPE_Q6_K, 512) == 420 && hl_dtype_row_bytes(HL_DTYPE_Q6_K, 100) == 0);
    CHECK(hl_dtype_row_bytes(HL_DTYPE_BF16, 7) == 14);
    CHECK(hl_qtype_from_name("q4_k", 4) == HL_DTYPE_Q4_K && hl_qtype_from_name("Q8_0", 4) == HL_DTYPE_Q8_0);
    CHECK(hl_qtype_from_name("Q4_K", 3) == HL_DTYPE_INVALID && hl_dtype_from_name("Q4_K", 4) == HL_DTYPE_INVALID);
    CHECK(strcmp(hl_dtype_name(HL_DTYPE_Q5_K), "Q5_K") == 0 && hl_dtype_is_quantized(HL_DTYPE_Q2_K));
    CHECK(!hl_dtype_is_quantized(HL_DTYPE_BF16));
    memset(blk, 0, sizeof blk);
    for (j = 0; j < 3; j++) {
        tq_f16(blk + 34 * j, (float)(j + 1));
        blk[34 * j + 2 + 5] = (uint8_t)(int8_t)-7;
    }
    CHECK(hl_tensor_nbytes(&t) == sizeof blk);
    CHECK(hl_tensor_get_f32(&t, 2 * 32 + 5) == -21.0f && hl_tensor_get_f32(&t, 32 + 6) == 0.0f);
    CHECK(hl_dequantize_row(HL_DTYPE_Q8_0, blk, y, 96, &e) == HL_OK && y[32 + 5] == -14.0f);
    CHECK(hl_dequantize_row(HL_DTYPE_Q8_0, blk, y, 40, &e) == HL_ERR_SHAPE && strstr(e.msg, "Q8_0 blocks of 32"));
    CHECK(hl_dequantize_row(HL_DTYPE_I32, blk, y, 4, &e) == HL_ERR_ARG);
}

/* Random blocks of type t with finite f16 scales in [-2^-4, 2^-4] (byte offsets of the f16 fields
   in scale_at, -1 = none). */
static void tq_random_blocks(hl_dtype t, uint8_t *b, uint64_t nbytes, const int *scale_at) {
    const uint64_t bb = hl_dtype_row_bytes(t, hl_dtype_block(t));
    uint64_t i;
    int s;
    for (i = 0; i < nbytes; i++) b[i] = (uint8_t)tq_rand(256);
    for (i = 0; i < nbytes; i += bb)
        for (s = 0; s < 2; s++)
            if (scale_at[s] >= 0) tq_f16(b + i + scale_at[s], ((float)tq_rand(2001) - 1000.0f) / 16000.0f);
}

/* y = x @ W^T with quantized W at every kernel level: within 1e-5 of the product with the
   dequantized matrix computed in double, bit-identical for 1, 2 and 3 threads and for a row
   multiplied alone; K = 8448 takes the long-row path (chunks of 8192). */
static void tq_matmul_case(hl_dtype t, const int *scale_at, int64_t K) {
    const int64_t M = 7, N = 45;
    static const hl_kernels levels[] = {HL_KERNELS_SCALAR, HL_KERNELS_AVX2, HL_KERNELS_AVX512, HL_KERNELS_NEON};
    const uint64_t rb = hl_dtype_row_bytes(t, K);
    uint8_t *W = (uint8_t *)malloc(rb * N);
    float *wf = (float *)malloc(N * K * 4), *x = (float *)malloc(M * K * 4), *y1 = (float *)malloc(M * N * 4);
    float *y2 = (float *)malloc(M * N * 4);
    double *ref = (double *)malloc(M * N * 8), scale = 0;
    hl__pool *p2 = hl__pool_create(2), *p3 = hl__pool_create(3);
    hl_error e;
    int64_t i, n, k;
    int l, fast;
    tq_random_blocks(t, W, rb * N, scale_at);
    for (n = 0; n < N; n++) CHECK_OK(hl_dequantize_row(t, W + n * rb, wf + n * K, K, &e), &e);
    for (i = 0; i < M * K; i++) x[i] = (float)tq_rand(2001) / 1000.0f - 1.0f;
    for (i = 0; i < M; i++)
        for (n = 0; n < N; n++) {
            double acc = 0;
            for (k = 0; k < K; k++) acc += (double)x[i * K + k] * wf[n * K + k];
            ref[i * N + n] = acc;
            if (fabs(acc) > scale) scale = fabs(acc);
        }
    for (l = 0; l < 4; l++)
        for (fast = 0; fast < 2; fast++) {
            const hl__kernels *kern = hl__kernels_pick(levels[l], fast);
            double worst = 0;
            if (!hl_kernels_available(levels[l])) continue;
            hl__matmul(kern, NULL, y1, x, W, t, M, N, K);
            for (i = 0; i < M * N; i++)
                if (fabs(y1[i] - ref[i]) > worst) worst = fabs(y1[i] - ref[i]);
            /* fast mode's 8-bit products (Q8_0, Q5_0, Q4_0, Q4_K, Q6_K with VNNI) are test_quant_fast_mode's */
            if (!(fast && kern != hl__kernels_pick(levels[l], 0) &&
                  (t == HL_DTYPE_Q8_0 || t == HL_DTYPE_Q5_0 || t == HL_DTYPE_Q4_0 || t == HL_DTYPE_Q4_K || t == HL_DTYPE_Q6_K)))
                CHECKF(worst <= 1e-5 * scale, "%s %s K=%lld: max error %.3g of %.3g", kern->name, hl_dtype_name(t),
                       (long long)K, worst, scale);
            hl__matmul(kern, p2, y2, x, W, t, M, N, K);
            CHECKF(memcmp(y1, y2, M * N * 4) == 0, "%s %s: 2 threads", kern->name, hl_dtype_name(t));
            hl__matmul(kern, p3, y2, x, W, t, M, N, K);
            CHECKF(memcmp(y1, y2, M * N * 4) == 0, "%s %s: 3 threads", kern->name, hl_dtype_name(t));
            hl__matmul(kern, p2, y2, x + 3 * K, W, t, 1, N, K);
            CHECKF(memcmp(y1 + 3 * N, y2, N * 4) == 0, "%s %s: a row alone", kern->name, hl_dtype_name(t));
        }
    hl__pool_free(p2), hl__pool_free(p3);
    free(W), free(wf), free(x), free(y1), free(y2), free(ref);
}
/* Every level's block dequantizer (kern->deq) gives the scalar reference's bits. */
static void test_quant_levels_same_bits(void) {
    static const struct { hl_dtype t; int at[2]; } types[] = {
        {HL_DTYPE_Q4_0, {0, -1}}, {HL_DTYPE_Q4_1, {0, 2}}, {HL_DTYPE_Q5_0, {0, -1}}, {HL_DTYPE_Q5_1, {0, 2}},
        {HL_DTYPE_Q8_0, {0, -1}}, {HL_DTYPE_Q2_K, {80, 82}}, {HL_DTYPE_Q3_K, {108, -1}}, {HL_DTYPE_Q4_K, {0, 2}},
        {HL_DTYPE_Q5_K, {0, 2}}, {HL_DTYPE_Q6_K, {208, -1}}};
    static const hl_kernels levels[] = {HL_KERNELS_SCALAR, HL_KERNELS_AVX2, HL_KERNELS_AVX512, HL_KERNELS_NEON};
    uint8_t blk[64 * 210];
    static float ref[64 * 256], all[64 * 256];
    float y[256];
    hl_error e;
    size_t i;
    int l, b, bad = 0;
    for (i = 0; i < sizeof types / sizeof types[0]; i++) {
        const hl_dtype t = types[i].t;
        const int64_t bs = hl_dtype_block(t);
        const uint64_t bb = hl_dtype_row_bytes(t, bs);
        tq_random_blocks(t, blk, bb * 64, types[i].at);
        CHECK_OK(hl_dequantize_row(t, blk, ref, 64 * bs, &e), &e);
        for (l = 0; l < 4; l++) {
            const hl__kernels *k = hl__kernels_pick(levels[l], 0);
            if (!hl_kernels_available(levels[l])) continue;
            for (b = 0; b < 64; b++) {
                CHECK(k->deq(t, blk + b * bb, y, 1) == 1);
                if (memcmp(y, ref + b * bs, (size_t)bs * 4) != 0 && bad++ < 3)
                    printf("  %s %s block %d differs from the scalar bits\n", k->name, hl_dtype_name(t), b);
            }
            CHECK(k->deq(t, blk, all, 64) == 1 && memcmp(all, ref, (size_t)(64 * bs) * 4) == 0); /* a run of blocks */
        }
    }
    CHECK(bad == 0);
}

/* hl_quantize_row, the writer of convert-gguf: Q8_0 and Q4_0 blocks have llama.cpp's scale
   (max|x| / 127, and the largest-magnitude value / -8) and come back within half a step (Q4_0's top
   code clamps: within one step); Q4_K (rounded to nearest, 256 values) within 10% of the block's
   largest magnitude and 7.5% rms (uniform x: 4-bit rounding alone gives 6.7%); a zero block stays
   zero; bad sizes and types are refused. */
static void test_quant_quantize_row(void) {
    static float x[512], y[512];
    uint8_t b[2 * 144];
    hl_error e;
    int64_t i;
    double worst = 0, se = 0, sx = 0, amax = 0;
    float d;
    for (i = 0; i < 512; i++) x[i] = ((float)tq_rand(2001) / 1000.0f - 1.0f) * (i < 256 ? 1.0f : 0.01f) + (i == 300 ? 3.0f : 0.0f);
    CHECK_OK(hl_quantize_row(HL_DTYPE_Q8_0, x, b, 32, &e), &e);
    for (i = 0; i < 32; i++) amax = fabs(x[i]) > amax ? fabs(x[i]) : amax;
    d = hl_f16_to_f32((uint16_t)(b[0] | b[1] << 8));
    CHECK(d == hl_f16_to_f32(hl_f32_to_f16((float)amax / 127.0f)));
    CHECK_OK(hl_dequantize_row(HL_DTYPE_Q8_0, b, y, 32, &e), &e);
    for (i = 0; i < 32; i++) /* half a step, plus 127 codes times the f16 rounding of the scale */
        CHECKF(fabs(y[i] - x[i]) <= 0.5 * d + 127.0 * fabs(d - amax / 127.0), "Q8_0 %lld: %g for %g", (long long)i, y[i], x[i]);
    CHECK_OK(hl_quantize_row(HL_DTYPE_Q4_0, x, b, 32, &e), &e);
    d = hl_f16_to_f32((uint16_t)(b[0] | b[1] << 8));
    CHECK_OK(hl_dequantize_row(HL_DTYPE_Q4_0, b, y, 32, &e), &e);
    for (i = 0; i < 32; i++) CHECKF(fabs(y[i] - x[i]) <= fabs(d) * 1.01, "Q4_0 %lld: %g for %g", (long long)i, y[i], x[i]);
    CHECK_OK(hl_quantize_row(HL_DTYPE_Q4_K, x, b, 512, &e), &e);
    CHECK_OK(hl_dequantize_row(HL_DTYPE_Q4_K, b, y, 512, &e), &e);
    for (i = 0; i < 512; i++) {
        const int blk = (int)(i / 256);
        double am = 0;
        int64_t k;
        for (k = 256 * blk; k < 256 * blk + 256; k++) am = fabs(x[k]) > am ? fabs(x[k]) : am;
        if (fabs(y[i] - x[i]) / am > worst) worst = fabs(y[i] - x[i]) / am;
        if (blk == 0) se += (y[i] - x[i]) * (y[i] - x[i]), sx += (double)x[i] * x[i];
    }
    CHECKF(worst <= 0.1, "Q4_K: worst error %.3g of the block's max", worst);
    CHECKF(sqrt(se / sx) <= 0.075, "Q4_K: rms error %.3g", sqrt(se / sx)); /* uniform x: step / sqrt(12) / rms = 6.7% */
    memset(x, 0, 256 * sizeof(float));
    CHECK_OK(hl_quantize_row(HL_DTYPE_Q4_K, x, b, 256, &e), &e);
    CHECK_OK(hl_dequantize_row(HL_DTYPE_Q4_K, b, y, 256, &e), &e);
    for (i = 0; i < 256; i++) CHECKF(y[i] == 0.0f, "zero block: %g at %lld", y[i], (long long)i);
    CHECK(hl_quantize_row(HL_DTYPE_Q4_K, x, b, 32, &e) == HL_ERR_ARG);
    CHECK(hl_quantize_row(HL_DTYPE_Q6_K, x, b, 256, &e) == HL_ERR_UNSUPPORTED && strstr(e.msg, "Q4_K"));
    CHECK(hl_quantize_row(HL_DTYPE_Q8_0, x, b, 33, &e) == HL_ERR_ARG);
}

static int tq_has_vnni(void) {
#if defined(__x86_64__) && !defined(HL_NO_SIMD) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512vnni");
#else
    return 0;
#endif
}
/* Fast mode on Q8_0 / Q5_0 / Q4_0 / Q4_K / Q6_K weights (x as two 8-bit terms per block, integer
   dot products): within 2e-4 of the exact product relative to its largest output (the two terms
   keep about 15 bits of x; 4e-5 to 8e-5 seen here, set by the rows with outliers of 40 and -300);
   the scalar reference ("scalar+q8", its prep and products), the AVX512-VNNI, AVX2 and NEON ones give the same
   bits, with row 3 all exact ties (x / d = k + 1/2: ties round up, so the residual -d/2 is the code
   -128); the same bits for 1 and 3 threads and for a row alone. K = 1056 is 33 blocks (an odd last
   block), 1280 five K-quant super-blocks; M = 5 and 70 (the kernel takes groups of 4 rows in blocks
   of 64, against pairs of weight rows: N = 37 leaves one alone); M = 1 is decode's kernel.
   HL_FAST_INT8 ("scalar+int8", "avx512+int8": x as its first 8-bit term only) is checked the same
   way against the exact product of x rounded here, x_i -> d q1_i (d = max |x| / 127 per block of 32,
   q1_i = floor(x_i / d + 1/2)): within 2e-4 of it, and at least 10 times closer to it than to the
   exact product of x itself. */
static void tq_round_int8(float *xr, const float *x, int64_t n) {
    int64_t b, i;
    for (b = 0; b + 32 <= n; b += 32) {
        float amax = 0.0f, d, id;
        for (i = 0; i < 32; i++) amax = fabsf(x[b + i]) > amax ? fabsf(x[b + i]) : amax;
        d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
        for (i = 0; i < 32; i++) xr[b + i] = d * floorf(x[b + i] * id + 0.5f);
    }
}
static void test_quant_fast_mode(void) {
    static const struct { hl_dtype t; int at[2]; int64_t K; } types[] = {
        {HL_DTYPE_Q8_0, {0, -1}, 1056}, {HL_DTYPE_Q5_0, {0, -1}, 1056}, {HL_DTYPE_Q4_0, {0, -1}, 1056},
        {HL_DTYPE_Q4_K, {0, 2}, 1280}, {HL_DTYPE_Q6_K, {208, -1}, 1280}};
    const int64_t MM = 70, N = 37, KK = 1280;
    int64_t M, mi, K;
    const hl__kernels *exact = hl__kernels_pick(HL_KERNELS_SCALAR, 0);
    hl__pool *p3 = hl__pool_create(3);
    float *x = (float *)malloc(MM * KK * 4), *ye = (float *)malloc(MM * N * 4), *yf = (float *)malloc(MM * N * 4), *y2 = (float *)malloc(MM * N * 4);
    float *ys = (float *)malloc(MM * N * 4), *xr = (float *)malloc(MM * KK * 4), *yx = (float *)malloc(MM * N * 4);
    size_t i;
    int64_t k;
    int f, mode;
    for (mode = 1; mode <= HL_FAST_INT8; mode++) {
    const hl__kernels *fasts[4] = {hl__kernels_pick(HL_KERNELS_SCALAR, mode), hl__kernels_pick(HL_KERNELS_AVX512, mode),
                                   hl__kernels_pick(HL_KERNELS_AVX2, mode), hl__kernels_pick(HL_KERNELS_NEON, mode)};
    CHECK(strcmp(fasts[0]->name, mode == 1 ? "scalar+q8" : "scalar+int8") == 0 && fasts[0]->qdot);
    for (mi = 0; mi < 3; mi++)
    for (M = mi == 2 ? 1 : mi ? MM : 5, i = 0; i < sizeof types / sizeof types[0]; i++) {
        const uint64_t rbytes = hl_dtype_row_bytes(types[i].t, types[i].K);
        K = types[i].K;
        for (k = 0; k < MM * K; k++) x[k] = (float)tq_rand(2001) / 1000.0f - 1.0f;
        x[7] = 40.0f, x[K + 100] = -300.0f; /* outliers, as real residual streams have */
        for (k = 0; k < 64; k++) /* row 3, blocks 0-1: scale 1 (max 127), codes at ties k + 1/2 both signs: roundf's away from zero */
            x[3 * K + k] = k == 0 || k == 32 ? 127.0f : (k % 2 ? -1.0f : 1.0f) * ((float)(k % 9) + 0.5f);
        {
        uint8_t *W = (uint8_t *)malloc(rbytes * N);
        tq_random_blocks(types[i].t, W, rbytes * N, types[i].at);
        hl__matmul(exact, NULL, ye, x, W, types[i].t, M, N, K);
        if (mode == HL_FAST_INT8) {
            tq_round_int8(xr, x, M * K);
            hl__matmul(exact, NULL, yx, xr, W, types[i].t, M, N, K);
        }
        for (f = 0; f < 4; f++) {
            const hl__kernels *fast = fasts[f];
            const float *yr = mode == HL_FAST_INT8 ? yx : ye;
            double worst = 0, scale = 0, far = 0;
            if (f == 1 && !(strcmp(fast->name, mode == 1 ? "avx512+bf16" : "avx512+int8") == 0 && tq_has_vnni())) continue; /* no VNNI here */
            if (f == 2 && strcmp(fast->name, mode == 1 ? "avx2+q8" : "avx2+int8") != 0) continue; /* no AVX2 here */
            if (f == 3 && strcmp(fast->name, mode == 1 ? "neon+q8" : "neon+int8") != 0) continue; /* no NEON here */
            memset(yf, 0xff, (size_t)(MM * N * 4)), memset(y2, 0xff, (size_t)(MM * N * 4)); /* NaN: every output must be written */
            hl__matmul(fast, NULL, yf, x, W, types[i].t, M, N, K);
            for (k = 0; k < M * N; k++) {
                if (!(fabs(yr[k] - yf[k]) <= worst)) worst = fabs(yr[k] - yf[k]); /* a NaN sticks */
                if (fabs(ye[k] - yf[k]) > far) far = fabs(ye[k] - yf[k]);
                if (fabs(yr[k]) > scale) scale = fabs(yr[k]);
            }
            CHECKF(worst <= 2e-4 * scale && worst > 0, "%s %s: fast vs exact %.3g of %.3g", fast->name, hl_dtype_name(types[i].t),
                   worst, scale);
            if (mode == HL_FAST_INT8)
                CHECKF(10 * worst < far, "%s %s: %.3g from the product of x rounded to 8 bits, %.3g from x's", fast->name,
                       hl_dtype_name(types[i].t), worst, far);
            if (f == 0) memcpy(ys, yf, M * N * 4);
            else CHECKF(memcmp(ys, yf, M * N * 4) == 0, "%s: %s differs from the scalar reference", hl_dtype_name(types[i].t), fast->name);
            hl__matmul(fast, p3, y2, x, W, types[i].t, M, N, K);
            CHECKF(memcmp(yf, y2, M * N * 4) == 0, "%s %s: 3 threads", fast->name, hl_dtype_name(types[i].t));
            if (M > 2) {
                hl__matmul(fast, p3, y2, x + 2 * K, W, types[i].t, 1, N, K);
                CHECKF(memcmp(yf + 2 * N, y2, N * 4) == 0, "%s %s: a row alone", fast->name, hl_dtype_name(types[i].t));
            }
        }
        free(W);
        }
    }
    }
    hl__pool_free(p3);
    free(x), free(ye), free(yf), free(y2), free(ys), free(xr), free(yx);
}

static void test_quant_matmul(void) {
    static const struct { hl_dtype t; int at[2]; } types[] = {
        {HL_DTYPE_Q4_0, {0, -1}}, {HL_DTYPE_Q4_1, {0, 2}}, {HL_DTYPE_Q5_0, {0, -1}}, {HL_DTYPE_Q5_1, {0, 2}},
        {HL_DTYPE_Q8_0, {0, -1}}, {HL_DTYPE_Q2_K, {80, 82}}, {HL_DTYPE_Q3_K, {108, -1}}, {HL_DTYPE_Q4_K, {0, 2}},
        {HL_DTYPE_Q5_K, {0, 2}}, {HL_DTYPE_Q6_K, {208, -1}}};
    size_t i;
    for (i = 0; i < sizeof types / sizeof types[0]; i++) tq_matmul_case(types[i].t, types[i].at, 512);
    tq_matmul_case(HL_DTYPE_Q8_0, types[4].at, 8448);
    tq_matmul_case(HL_DTYPE_Q6_K, types[9].at, 8448);
}

void suite_quant(void) {
    RUN(test_quant_legacy);
    RUN(test_quant_k_4_5);
    RUN(test_quant_k_2_3_6);
    RUN(test_quant_api);
    RUN(test_quant_levels_same_bits);
    RUN(test_quant_matmul);
    RUN(test_quant_fast_mode);
    RUN(test_quant_quantize_row);
}
