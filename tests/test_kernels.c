/* tests/test_kernels.c - matmul kernels and vector helpers at every dispatch level this CPU has,
   against the scalar reference and a double-precision reference; thread pool coverage and
   bit-identical results for 1, 2 and 3 threads.

   Tolerances (stated once, used below):
     integer-valued data (every product and partial sum exact in f32): bit-exact on every level.
     random data, exact mode: |y - y_double| <= 1e-5 * sum_k |x_k * w_k| (scalar and SIMD alike;
       f32 summation error is ~sqrt(K) * 6e-8 of that sum, K <= 4097).
     fast mode (activations rounded to bf16): the same bound against a double reference computed
       from the bf16-rounded activations, and max relative error <= 2e-2 against exact mode.
   The kernels are private: this file defines HL_INTERNAL, which declares the kernel tables and the
   thread pool, and the test binary links the library object built with HL_INTERNAL. */
#define HL_INTERNAL
#include "hl_test.h"
#include <stdlib.h>

/* deterministic xorshift random numbers */
static uint32_t kt_rng = 12345u;
static uint32_t kt_next(void) {
    kt_rng ^= kt_rng << 13;
    kt_rng ^= kt_rng >> 17;
    kt_rng ^= kt_rng << 5;
    return kt_rng;
}
static float kt_uniform(void) { /* [-1, 1) */
    return (float)(kt_next() >> 8) * (2.0f / 16777216.0f) - 1.0f;
}
static float kt_small_int(void) { /* {-2, ..., 2} */
    return (float)((int)(kt_next() % 5u) - 2);
}

static const hl_kernels kt_levels[] = {HL_KERNELS_SCALAR, HL_KERNELS_AVX2, HL_KERNELS_AVX512, HL_KERNELS_NEON};
#define KT_NLEVELS 4
/* The exact-mode table of level l, or NULL when this CPU lacks the level. */
static const hl__kernels *kt_table(int l) {
    return hl_kernels_available(kt_levels[l]) ? hl__kernels_pick(kt_levels[l], 0) : NULL;
}
static const hl__kernels *kt_scalar(void) {
    return hl__kernels_pick(HL_KERNELS_SCALAR, 0);
}

/* Weights W[N, K] in dtype `dt` from f32 values (rounded to the dtype); `wf` gets the rounded f32. */
static void *kt_make_w(hl_dtype dt, const float *w, float *wf, int64_t n) {
    int64_t i;
    void *p = malloc((size_t)(n > 0 ? n : 1) * hl_dtype_size(dt));
    for (i = 0; i < n; i++) {
        if (dt == HL_DTYPE_F32) {
            ((float *)p)[i] = w[i];
        } else if (dt == HL_DTYPE_BF16) {
            ((uint16_t *)p)[i] = hl_f32_to_bf16(w[i]);
        } else {
            ((uint16_t *)p)[i] = hl_f32_to_f16(w[i]);
        }
        wf[i] = dt == HL_DTYPE_F32 ? w[i] : dt == HL_DTYPE_BF16 ? hl_bf16_to_f32(((uint16_t *)p)[i]) : hl_f16_to_f32(((uint16_t *)p)[i]);
    }
    return p;
}

/* y_double[m, n] and the error scale sum_k |x w| */
static void kt_ref_double(double *yd, double *scale, const float *x, const float *wf, int64_t M, int64_t N, int64_t K) {
    int64_t m, n, k;
    for (m = 0; m < M; m++)
        for (n = 0; n < N; n++) {
            double s = 0, a = 0;
            for (k = 0; k < K; k++) {
                s += (double)x[m * K + k] * (double)wf[n * K + k];
                a += fabs((double)x[m * K + k] * (double)wf[n * K + k]);
            }
            yd[m * N + n] = s;
            scale[m * N + n] = a;
        }
}

static const hl_dtype kt_dtypes[] = {HL_DTYPE_F32, HL_DTYPE_BF16, HL_DTYPE_F16};
static const int64_t kt_Ks[] = {0, 1, 7, 8, 9, 31, 2048, 4095, 4097}; /* 2048: the padded-row path */
/* token counts: every tile height 1..6 occurs (7 = 4+3, 8 = 4+4, 9 = 5+4, 11 = 6+5, 17 = 6+6+5, 64 = 9x6+5+5) */
static const int64_t kt_Ms[] = {1, 2, 3, 5, 7, 8, 9, 11, 17, 64};

/* The table of each level is that level's (or, for a level this CPU lacks, the best one's), fast
   mode picks the bf16 table exactly where AVX512-BF16 exists, and cpuid's view of the CPU agrees
   with what hooklens found. */
static void test_kernels_levels(void) {
    int l;
    CHECK(hl__kernels_pick(HL_KERNELS_DEFAULT, 0)->level == hl_kernels_best());
    CHECK(!hl_kernels_available(HL_KERNELS_COUNT));
    for (l = 0; l < KT_NLEVELS; l++) {
        const hl__kernels *k = hl__kernels_pick(kt_levels[l], 0), *kf = hl__kernels_pick(kt_levels[l], 1);
        const hl__kernels *k8 = hl__kernels_pick(kt_levels[l], HL_FAST_INT8);
        hl_kernels want = hl_kernels_available(kt_levels[l]) ? kt_levels[l] : hl_kernels_best();
        CHECKF(k->level == want, "%s: table of %s", hl_kernels_name(kt_levels[l]), hl_kernels_name(k->level));
        CHECK(strcmp(k->name, hl_kernels_name(want)) == 0);
        CHECK(kf->level == want);
        /* fast mode changes the bf16 products (AVX-512) and the Q8_0 / Q5_0 / Q4_0 ones (8-bit: the
           AVX-512 table with VNNI, and the scalar reference) */
        if (kf != k)
            CHECK((want == HL_KERNELS_AVX512 && strcmp(kf->name, "avx512+bf16") == 0 && kf->mm != k->mm && kf->qdot) ||
                  (want == HL_KERNELS_AVX2 && strcmp(kf->name, "avx2+q8") == 0 && kf->mm == k->mm && kf->qdot && kf->mm_prep) ||
                  (want == HL_KERNELS_NEON && strcmp(kf->name, "neon+q8") == 0 && kf->mm == k->mm && kf->qdot && kf->mm_prep) ||
                  (want == HL_KERNELS_SCALAR && strcmp(kf->name, "scalar+q8") == 0 && kf->qdot && kf->mm_prep));
        /* HL_FAST_INT8: the same tables but for the one-term flag, or none where fast mode has none */
        CHECK(k8->level == want && !kf->one_term && !k->one_term);
        if (kf == k) CHECK(k8 == k);
        else CHECK(k8 != kf && k8->one_term && k8->qdot == kf->qdot && k8->mm == kf->mm && k8->mm_prep == kf->mm_prep &&
                   strncmp(k8->name, kf->name, strcspn(kf->name, "+")) == 0 && strstr(k8->name, "+int8"));
        CHECK(!k->qdot);
        CHECK(k->mm && k->mm_nn && k->gelu && k->softmax && k->sumsq && k->div && k->softcap && k->qk && k->pv);
    }
#if defined(__x86_64__) && !defined(HL_NO_SIMD)
    __builtin_cpu_init();
    CHECK(hl_kernels_available(HL_KERNELS_AVX512) ==
          (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")));
    CHECK(hl_kernels_available(HL_KERNELS_AVX2) == (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")));
    if (hl_kernels_available(HL_KERNELS_AVX512))
        CHECK((hl__kernels_pick(HL_KERNELS_AVX512, 1) != hl__kernels_pick(HL_KERNELS_AVX512, 0)) ==
              (__builtin_cpu_supports("avx512bf16") != 0));
    CHECK(!hl_kernels_available(HL_KERNELS_NEON));
#endif
}

/* Every level x dtype x M x K against the double reference (random data) and bit-exact against
   the scalar reference (integer data). N = 13 covers full register tiles and the ragged rows. */
static void kt_matmul_case(int integer_data) {
    const int64_t N = 13;
    size_t a, b, c;
    int l, bad = 0;
    for (a = 0; a < sizeof kt_dtypes / sizeof kt_dtypes[0]; a++)
        for (b = 0; b < sizeof kt_Ms / sizeof kt_Ms[0]; b++)
            for (c = 0; c < sizeof kt_Ks / sizeof kt_Ks[0]; c++) {
                hl_dtype dt = kt_dtypes[a];
                int64_t M = kt_Ms[b], K = kt_Ks[c], i;
                float *x = (float *)malloc((size_t)(M * K + 1) * 4), *w = (float *)malloc((size_t)(N * K + 1) * 4);
                float *wf = (float *)malloc((size_t)(N * K + 1) * 4), *yref = (float *)malloc((size_t)(M * N) * 4);
                float *y = (float *)malloc((size_t)(M * N) * 4);
                double *yd = (double *)malloc((size_t)(M * N) * 8), *sc = (double *)malloc((size_t)(M * N) * 8);
                void *W;
                for (i = 0; i < M * K; i++) x[i] = integer_data ? kt_small_int() : kt_uniform();
                for (i = 0; i < N * K; i++) w[i] = integer_data ? kt_small_int() : kt_uniform();
                W = kt_make_w(dt, w, wf, N * K);
                kt_ref_double(yd, sc, x, wf, M, N, K);
                hl__matmul(kt_scalar(), NULL, yref, x, W, dt, M, N, K);
                for (l = 0; l < KT_NLEVELS; l++) {
                    const hl__kernels *k = kt_table(l);
                    if (!k) continue;
                    for (i = 0; i < M * N; i++) y[i] = NAN;
                    hl__matmul(k, NULL, y, x, W, dt, M, N, K);
                    if (integer_data || K <= 1) {
                        if (memcmp(y, yref, (size_t)(M * N) * 4) != 0 && bad++ < 5)
                            printf("  %s %s M=%lld K=%lld: not bit-exact vs scalar\n", k->name, hl_dtype_name(dt),
                                   (long long)M, (long long)K);
                    }
                    for (i = 0; i < M * N; i++) {
                        double d = fabs((double)y[i] - yd[i]);
                        if (!(d <= 1e-5 * sc[i]) && bad++ < 5)
                            printf("  %s %s M=%lld K=%lld i=%lld: %.9g vs %.9g (scale %.3g)\n", k->name, hl_dtype_name(dt),
                                   (long long)M, (long long)K, (long long)i, (double)y[i], yd[i], sc[i]);
                    }
                }
                free(x), free(w), free(wf), free(yref), free(y), free(yd), free(sc), free(W);
            }
    CHECKF(bad == 0, "%d mismatches", bad);
}
static void test_matmul_vs_reference_random(void) {
    kt_matmul_case(0);
}
static void test_matmul_bit_exact_integer_data(void) {
    kt_matmul_case(1);
}

/* The ragged end of k and n lands at unaligned addresses: offset every operand by one element. */
static void test_matmul_unaligned(void) {
    const int64_t M = 5, N = 7, K = 37;
    float *xb = (float *)malloc((M * K + 1) * 4), *wb = (float *)malloc((N * K + 1) * 4), *wf = (float *)malloc(N * K * 4);
    float *yb = (float *)malloc((M * N + 1) * 4), *yref = (float *)malloc(M * N * 4);
    uint16_t *hb = (uint16_t *)malloc((N * K + 1) * 2);
    int64_t i;
    int l;
    for (i = 0; i < M * K + 1; i++) xb[i] = kt_small_int();
    for (i = 0; i < N * K + 1; i++) {
        wb[i] = kt_small_int();
        hb[i] = hl_f32_to_bf16(wb[i]);
    }
    for (i = 0; i < N * K; i++) wf[i] = wb[1 + i];
    hl__matmul(kt_scalar(), NULL, yref, xb + 1, wf, HL_DTYPE_F32, M, N, K);
    for (l = 0; l < KT_NLEVELS; l++) {
        const hl__kernels *k = kt_table(l);
        if (!k) continue;
        hl__matmul(k, NULL, yb + 1, xb + 1, wb + 1, HL_DTYPE_F32, M, N, K);
        CHECKF(memcmp(yb + 1, yref, M * N * 4) == 0, "%s f32", k->name);
        hl__matmul(k, NULL, yb + 1, xb + 1, hb + 1, HL_DTYPE_BF16, M, N, K);
        CHECKF(memcmp(yb + 1, yref, M * N * 4) == 0, "%s bf16", k->name);
    }
    free(xb), free(wb), free(wf), free(yb), free(yref), free(hb);
}

/* One token gets the same bits whether it is row m of a batch or multiplied alone (M = 1), and the
   result is identical (memcmp) for 1, 2 and 3 threads, in exact and in fast mode. */
/* K = 2048 takes the AVX-512 path that copies x with padded rows (power-of-two strides). */
static void kt_batch_case(int64_t K) {
    const int64_t M = 17, N = 301;
    float *x = (float *)malloc(M * K * 4), *w = (float *)malloc(N * K * 4), *wf = (float *)malloc(N * K * 4);
    float *y1 = (float *)malloc(M * N * 4), *y2 = (float *)malloc(M * N * 4), *row = (float *)malloc(N * 4);
    hl__pool *p2 = hl__pool_create(2), *p3 = hl__pool_create(3);
    int64_t i, m;
    int l, fast;
    size_t a;
    CHECK(hl__pool_create(1) == NULL);
    CHECK(hl__pool_threads(NULL) == 1);
#if !defined(HL_NO_THREADS)
    CHECK(p2 != NULL && hl__pool_threads(p2) == 2);
    CHECK(p3 != NULL && hl__pool_threads(p3) == 3);
#endif
    for (i = 0; i < M * K; i++) x[i] = kt_uniform();
    for (i = 0; i < N * K; i++) w[i] = kt_uniform();
    for (a = 0; a < 3; a++) {
        void *W = kt_make_w(kt_dtypes[a], w, wf, N * K);
        for (l = 0; l < KT_NLEVELS; l++)
            for (fast = 0; fast < 2; fast++) {
                const hl__kernels *k = hl__kernels_pick(kt_levels[l], fast);
                if (!hl_kernels_available(kt_levels[l])) continue;
                hl__matmul(k, NULL, y1, x, W, kt_dtypes[a], M, N, K);
                hl__matmul(k, p2, y2, x, W, kt_dtypes[a], M, N, K);
                CHECKF(memcmp(y1, y2, M * N * 4) == 0, "%s %s: 2 threads", k->name, hl_dtype_name(kt_dtypes[a]));
                memset(y2, 0, M * N * 4);
                hl__matmul(k, p3, y2, x, W, kt_dtypes[a], M, N, K);
                CHECKF(memcmp(y1, y2, M * N * 4) == 0, "%s %s: 3 threads", k->name, hl_dtype_name(kt_dtypes[a]));
                for (m = 0; m < M; m += 5) {
                    hl__matmul(k, p2, row, x + m * K, W, kt_dtypes[a], 1, N, K);
                    CHECKF(memcmp(row, y1 + m * N, N * 4) == 0, "%s %s: token %lld alone", k->name,
                           hl_dtype_name(kt_dtypes[a]), (long long)m);
                }
            }
        free(W);
    }
    hl__pool_free(p2);
    hl__pool_free(p3);
    free(x), free(w), free(wf), free(y1), free(y2), free(row);
}
static void test_matmul_threads_and_batch_bit_identical(void) {
    kt_batch_case(263);
    kt_batch_case(2048);
}

/* Fast mode (bf16 activations, vdpbf16ps) where the CPU has AVX512-BF16. */
static void test_matmul_fast_mode(void) {
    size_t b, c;
    int bad = 0;
    const hl__kernels *kf = hl__kernels_pick(HL_KERNELS_AVX512, 1), *ke = hl__kernels_pick(HL_KERNELS_AVX512, 0);
    /* without AVX-512 + AVX512-BF16 fast mode is another level's table (test_kernels_levels) */
    if (kf == ke || strcmp(kf->name, "avx512+bf16") != 0) return;
    for (b = 0; b < sizeof kt_Ms / sizeof kt_Ms[0]; b++)
        for (c = 0; c < sizeof kt_Ks / sizeof kt_Ks[0]; c++) {
            const int64_t N = 13;
            int64_t M = kt_Ms[b], K = kt_Ks[c], i;
            float *x = (float *)malloc((size_t)(M * K + 1) * 4), *xr = (float *)malloc((size_t)(M * K + 1) * 4);
            float *w = (float *)malloc((size_t)(N * K + 1) * 4), *wf = (float *)malloc((size_t)(N * K + 1) * 4);
            float *y = (float *)malloc((size_t)(M * N) * 4), *ye = (float *)malloc((size_t)(M * N) * 4);
            double *yd = (double *)malloc((size_t)(M * N) * 8), *sc = (double *)malloc((size_t)(M * N) * 8);
            void *W;
            for (i = 0; i < M * K; i++) {
                x[i] = kt_uniform();
                xr[i] = hl_bf16_to_f32(hl_f32_to_bf16(x[i]));
            }
            for (i = 0; i < N * K; i++) w[i] = kt_uniform();
            W = kt_make_w(HL_DTYPE_BF16, w, wf, N * K);
            kt_ref_double(yd, sc, xr, wf, M, N, K);
            hl__matmul(kf, NULL, y, x, W, HL_DTYPE_BF16, M, N, K);
            hl__matmul(ke, NULL, ye, x, W, HL_DTYPE_BF16, M, N, K);
            for (i = 0; i < M * N; i++)
                if (!(fabs((double)y[i] - yd[i]) <= 1e-5 * sc[i]) && bad++ < 5)
                    printf("  fast M=%lld K=%lld i=%lld: %.9g vs %.9g\n", (long long)M, (long long)K, (long long)i, (double)y[i], yd[i]);
            if (K >= 31) CHECKF(hlt_rel_err(y, ye, M * N) <= 2e-2, "M=%lld K=%lld rel %.3g", (long long)M, (long long)K, hlt_rel_err(y, ye, M * N));
            free(x), free(xr), free(w), free(wf), free(y), free(ye), free(yd), free(sc), free(W);
        }
    CHECKF(bad == 0, "%d mismatches", bad);
}


/* x @ W with W stored [K, N]: N = 77 covers full 64-column strips and every ragged width. */
static void kt_nn_case(int integer_data) {
    const int64_t N = 77;
    size_t a, b, c;
    int l, bad = 0;
    for (a = 0; a < 3; a++)
        for (b = 0; b < sizeof kt_Ms / sizeof kt_Ms[0]; b++)
            for (c = 0; c < sizeof kt_Ks / sizeof kt_Ks[0]; c++) {
                hl_dtype dt = kt_dtypes[a];
                int64_t M = kt_Ms[b], K = kt_Ks[c], i, m, n, kk;
                float *x = (float *)malloc((size_t)(M * K + 1) * 4), *w = (float *)malloc((size_t)(N * K + 1) * 4);
                float *wf = (float *)malloc((size_t)(N * K + 1) * 4), *yref = (float *)malloc((size_t)(M * N) * 4);
                float *y = (float *)malloc((size_t)(M * N) * 4);
                double *yd = (double *)calloc((size_t)(M * N), 8), *sc = (double *)calloc((size_t)(M * N), 8);
                void *W;
                if (K > 1000 && M > 17) goto next; /* keep the scalar reference cheap */
                for (i = 0; i < M * K; i++) x[i] = integer_data ? kt_small_int() : kt_uniform();
                for (i = 0; i < N * K; i++) w[i] = integer_data ? kt_small_int() : kt_uniform();
                W = kt_make_w(dt, w, wf, N * K);
                for (m = 0; m < M; m++)
                    for (n = 0; n < N; n++)
                        for (kk = 0; kk < K; kk++) {
                            yd[m * N + n] += (double)x[m * K + kk] * wf[kk * N + n];
                            sc[m * N + n] += fabs((double)x[m * K + kk] * wf[kk * N + n]);
                        }
                hl__matmul_nn(kt_scalar(), NULL, yref, x, W, dt, M, N, K);
                for (l = 0; l < KT_NLEVELS; l++) {
                    const hl__kernels *k = kt_table(l);
                    if (!k) continue;
                    for (i = 0; i < M * N; i++) y[i] = NAN;
                    hl__matmul_nn(k, NULL, y, x, W, dt, M, N, K);
                    if ((integer_data || K <= 1) && memcmp(y, yref, (size_t)(M * N) * 4) != 0 && bad++ < 5)
                        printf("  nn %s %s M=%lld K=%lld: not bit-exact vs scalar\n", k->name, hl_dtype_name(dt),
                               (long long)M, (long long)K);
                    for (i = 0; i < M * N; i++)
                        if (!(fabs((double)y[i] - yd[i]) <= 1e-5 * sc[i]) && bad++ < 5)
                            printf("  nn %s %s M=%lld K=%lld i=%lld: %.9g vs %.9g\n", k->name, hl_dtype_name(dt),
                                   (long long)M, (long long)K, (long long)i, (double)y[i], yd[i]);
                }
                free(W);
            next:
                free(x), free(w), free(wf), free(yref), free(y), free(yd), free(sc);
            }
    CHECKF(bad == 0, "%d mismatches", bad);
}
static void test_matmul_nn_vs_reference(void) {
    kt_nn_case(0);
    kt_nn_case(1);
}
static void test_matmul_nn_threads_bit_identical(void) {
    const int64_t M = 13, N = 1000, K = 300;
    float *x = (float *)malloc(M * K * 4), *w = (float *)malloc(N * K * 4), *wf = (float *)malloc(N * K * 4);
    float *y1 = (float *)malloc(M * N * 4), *y2 = (float *)malloc(M * N * 4), *row = (float *)malloc(N * 4);
    hl__pool *p2 = hl__pool_create(2);
    int64_t i;
    int l;
    size_t a;
    for (i = 0; i < M * K; i++) x[i] = kt_uniform();
    for (i = 0; i < N * K; i++) w[i] = kt_uniform();
    for (a = 0; a < 3; a++) {
        void *W = kt_make_w(kt_dtypes[a], w, wf, N * K);
        for (l = 0; l < KT_NLEVELS; l++) {
            const hl__kernels *k = kt_table(l);
            if (!k) continue;
            hl__matmul_nn(k, NULL, y1, x, W, kt_dtypes[a], M, N, K);
            hl__matmul_nn(k, p2, y2, x, W, kt_dtypes[a], M, N, K);
            CHECKF(memcmp(y1, y2, M * N * 4) == 0, "%s %s", k->name, hl_dtype_name(kt_dtypes[a]));
            hl__matmul_nn(k, p2, row, x + 7 * K, W, kt_dtypes[a], 1, N, K);
            CHECKF(memcmp(row, y1 + 7 * N, N * 4) == 0, "%s %s token alone", k->name, hl_dtype_name(kt_dtypes[a]));
        }
        free(W);
    }
    hl__pool_free(p2);
    free(x), free(w), free(wf), free(y1), free(y2), free(row);
}

/* Norm helpers: the f64 sum of squares within the summation bound (n + 16) * 2^-52 of the
   sequential sum (all terms positive); the division bit-exact on every level. */
static void test_norm_helpers(void) {
    size_t c;
    int l, bad = 0;
    const hl__kernels *ks = kt_scalar();
    for (c = 0; c < sizeof kt_Ks / sizeof kt_Ks[0]; c++) {
        int64_t n = kt_Ks[c], i;
        float *a = (float *)malloc((size_t)(n + 1) * 4), *y0 = (float *)malloc((size_t)(n + 1) * 4);
        float *y1 = (float *)malloc((size_t)(n + 1) * 4);
        double exact = 0;
        for (i = 0; i < n; i++) a[i] = kt_uniform() * 8.0f, exact += (double)a[i] * a[i];
        for (l = 0; l < KT_NLEVELS; l++) {
            const hl__kernels *k = kt_table(l);
            double s0, s1;
            if (!k) continue;
            s0 = ks->sumsq(a, n), s1 = k->sumsq(a, n);
            if (!(fabs(s0 - s1) <= (double)(n + 16) * 2.3e-16 * s0) && bad++ < 5)
                printf("  sumsq %s n=%lld: %.17g vs %.17g\n", k->name, (long long)n, s1, s0);
            if (!(fabs(s1 - exact) <= (double)(n + 16) * 2.3e-16 * exact) && bad++ < 5)
                printf("  sumsq %s n=%lld: %.17g vs the ascending sum %.17g\n", k->name, (long long)n, s1, exact);
            ks->div(y0, a, 0.37f, n);
            k->div(y1, a, 0.37f, n);
            if (n && memcmp(y0, y1, (size_t)n * 4) != 0 && bad++ < 5) printf("  div %s n=%lld\n", k->name, (long long)n);
            for (i = 0; i < n; i++)
                if (y1[i] != a[i] / 0.37f && bad++ < 5) printf("  div %s n=%lld: not x / s\n", k->name, (long long)n);
        }
        free(a), free(y0), free(y1);
    }
    CHECKF(bad == 0, "%d mismatches", bad);
}

/* GELU-tanh and softmax: SIMD vs the scalar formulas, and the scalar kernels vs the formulas in
   double. Tolerances: gelu |y - ref| <= 1e-6 * max(|x|, 1e-3) (the SIMD form avoids the scalar
   form's cancellation for negative x, so the two differ by a few ulps of x); softmax
   |p - ref| <= 2e-5 * max(p, 1e-6) + 1e-9 (the two sums of up to 4097 terms round differently);
   masked (-inf) entries give exactly 0 and a fully masked row gives all zeros on every level. */
static void test_gelu_softmax(void) {
    size_t c;
    int l, bad = 0;
    const hl__kernels *ks = kt_scalar();
    for (c = 0; c < sizeof kt_Ks / sizeof kt_Ks[0]; c++) {
        int64_t n = kt_Ks[c], i;
        float *x = (float *)malloc((size_t)(n + 1) * 4), *y0 = (float *)malloc((size_t)(n + 1) * 4);
        float *y1 = (float *)malloc((size_t)(n + 1) * 4);
        double z = 0;
        for (i = 0; i < n; i++) x[i] = kt_uniform() * (i % 3 == 0 ? 12.0f : 3.0f);
        if (n > 2) x[1] = 0.0f;
        /* the scalar reference against the formula in double */
        ks->gelu(y0, x, n);
        for (i = 0; i < n; i++) {
            double xd = x[i], g = 0.5 * xd * (1.0 + tanh(0.7978845608028654 * (xd + 0.044715 * xd * xd * xd)));
            if (!(fabs(y0[i] - g) <= 1e-6 * (fabs(xd) > 1e-3 ? fabs(xd) : 1e-3)) && bad++ < 5)
                printf("  gelu scalar x=%.9g: %.9g vs %.9g\n", xd, (double)y0[i], g);
        }
        memcpy(y0, x, (size_t)n * 4);
        ks->softmax(y0, n);
        for (i = 0; i < n; i++) z += exp((double)x[i]);
        for (i = 0; i < n; i++)
            if (!(fabs(y0[i] - exp((double)x[i]) / z) <= 2e-5 * exp((double)x[i]) / z + 1e-9) && bad++ < 5)
                printf("  softmax scalar n=%lld i=%lld\n", (long long)n, (long long)i);
        for (l = 0; l < KT_NLEVELS; l++) {
            const hl__kernels *k = kt_table(l);
            if (!k) continue;
            ks->gelu(y0, x, n);
            k->gelu(y1, x, n);
            for (i = 0; i < n; i++) {
                double tol = 1e-6 * (fabs((double)x[i]) > 1e-3 ? fabs((double)x[i]) : 1e-3);
                if (!(fabs((double)y0[i] - y1[i]) <= tol) && bad++ < 5)
                    printf("  gelu %s x=%.9g: %.9g vs %.9g\n", k->name, (double)x[i], (double)y1[i], (double)y0[i]);
            }
            /* softmax with a few masked entries */
            memcpy(y0, x, (size_t)n * 4);
            for (i = 0; i < n; i += 5) y0[i] = -INFINITY;
            memcpy(y1, y0, (size_t)n * 4);
            ks->softmax(y0, n);
            k->softmax(y1, n);
            for (i = 0; i < n; i++) {
                if (i % 5 == 0 && y1[i] != 0.0f && bad++ < 5) printf("  softmax %s: masked entry %g\n", k->name, (double)y1[i]);
                if (!(fabs((double)y0[i] - y1[i]) <= 2e-5 * (y0[i] > 1e-6f ? (double)y0[i] : 1e-6) + 1e-9) && bad++ < 5)
                    printf("  softmax %s n=%lld i=%lld: %.9g vs %.9g\n", k->name, (long long)n, (long long)i,
                           (double)y1[i], (double)y0[i]);
            }
            for (i = 0; i < n; i++) y1[i] = -INFINITY;
            k->softmax(y1, n);
            for (i = 0; i < n; i++)
                if (y1[i] != 0.0f && bad++ < 5) printf("  softmax %s: fully masked row\n", k->name);
        }
        free(x), free(y0), free(y1);
    }
    CHECKF(bad == 0, "%d mismatches", bad);
}

/* Attention helpers. soft-cap: every level vs tanh in double within 1e-6 * |ref| (Cephes tanhf is
   ~2 ulp), +-inf give +-cap, 0 gives 0. Scores (qk): within 1e-5 * sum |q k| of a double reference
   on every level, bit-exact against the scalar reference on integer data, and each score has the
   same bits whether it is computed in a 7 x 9 block or alone (what makes a decoded token match its
   prefill). Value sums (pv): within 1e-5 * sum |p v| of a double reference, bit-exact against the
   scalar reference on integer data, the same bits for six rows at once or one at a time, and zero
   weights outside the run [k0, k1] leave a row's bits unchanged. */
static void test_attention_helpers(void) {
    static const int64_t dhs[] = {1, 15, 16, 17, 33, 64, 100, 256};
    const int64_t nq = 7, nk = 9;
    const hl__kernels *ks = kt_scalar();
    size_t c;
    int l, bad = 0;
    for (c = 0; c < sizeof dhs / sizeof dhs[0]; c++) {
        const int64_t dh = dhs[c], ld = dh + 3; /* rows strided like heads in a KV cache */
        float *q = (float *)malloc((size_t)(nq * ld) * 4), *kk = (float *)malloc((size_t)(nk * ld) * 4);
        float *qi = (float *)malloc((size_t)(nq * ld) * 4), *ki = (float *)malloc((size_t)(nk * ld) * 4);
        float *S = (float *)malloc((size_t)(nq * nk) * 4), *S0 = (float *)malloc((size_t)(nq * nk) * 4);
        float *z0 = (float *)malloc((size_t)(nq * dh) * 4), *z1 = (float *)malloc((size_t)(nq * dh) * 4);
        float *P = (float *)malloc((size_t)(nq * nk) * 4), *Pi = (float *)malloc((size_t)(nq * nk) * 4);
        float one, sc[40], ref[40];
        int64_t i, j, d;
        for (i = 0; i < nq * ld; i++) q[i] = kt_uniform(), qi[i] = kt_small_int();
        for (i = 0; i < nk * ld; i++) kk[i] = kt_uniform(), ki[i] = kt_small_int();
        for (i = 0; i < nq * nk; i++) P[i] = (kt_uniform() + 1.0f) * 0.5f, Pi[i] = (float)(kt_next() % 4u);
        for (l = 0; l < KT_NLEVELS; l++) {
            const hl__kernels *k = kt_table(l);
            if (!k) continue;
            k->qk(S, nk, q, ld, nq, kk, ld, nk, dh);
            for (i = 0; i < nq; i++)
                for (j = 0; j < nk; j++) {
                    double dd = 0, sa = 0;
                    for (d = 0; d < dh; d++) dd += (double)q[i * ld + d] * kk[j * ld + d], sa += fabs((double)q[i * ld + d] * kk[j * ld + d]);
                    if (!(fabs(S[i * nk + j] - dd) <= 1e-5 * sa) && bad++ < 5)
                        printf("  qk %s dh=%lld (%lld,%lld): %.9g vs %.9g\n", k->name, (long long)dh, (long long)i,
                               (long long)j, (double)S[i * nk + j], dd);
                    k->qk(&one, 1, q + i * ld, ld, 1, kk + j * ld, ld, 1, dh);
                    if (memcmp(&one, &S[i * nk + j], 4) != 0 && bad++ < 5)
                        printf("  qk %s dh=%lld: a block and a single score differ\n", k->name, (long long)dh);
                }
            ks->qk(S0, nk, qi, ld, nq, ki, ld, nk, dh);
            k->qk(S, nk, qi, ld, nq, ki, ld, nk, dh);
            if (memcmp(S, S0, (size_t)(nq * nk) * 4) != 0 && bad++ < 5) printf("  qk %s dh=%lld: integer data\n", k->name, (long long)dh);
            /* soft-cap of 40 values spread over both branches of tanh, plus 0 and +-inf */
            for (i = 0; i < 40; i++) sc[i] = (float)(i - 20) * 0.37f * (i % 2 ? 1.0f : 0.05f) * 50.0f;
            sc[0] = 0.0f, sc[1] = INFINITY, sc[2] = -INFINITY;
            for (i = 0; i < 40; i++) ref[i] = (float)(50.0 * tanh((double)sc[i] / 50.0));
            k->softcap(sc, 40, 50.0f);
            for (i = 0; i < 40; i++)
                if (!(fabs((double)sc[i] - ref[i]) <= 1e-6 * fabs((double)ref[i])) && bad++ < 5)
                    printf("  softcap %s: %.9g vs %.9g\n", k->name, (double)sc[i], (double)ref[i]);
            if ((sc[0] != 0.0f || sc[1] != 50.0f || sc[2] != -50.0f) && bad++ < 5) printf("  softcap %s: 0 / inf\n", k->name);
            /* value rows v_k = kk + k*ld; six query rows of weights at once vs one at a time vs double */
            k->pv(6, z0, dh, P, nk, 0, nk - 1, kk, ld, dh);
            for (i = 0; i < 6; i++) {
                k->pv(1, z1 + i * dh, dh, P + i * nk, nk, 0, nk - 1, kk, ld, dh);
                for (d = 0; d < dh; d++) {
                    double sa = 0, dd = 0;
                    for (j = 0; j < nk; j++) sa += fabs((double)P[i * nk + j] * kk[j * ld + d]), dd += (double)P[i * nk + j] * kk[j * ld + d];
                    if (!(fabs((double)z0[i * dh + d] - dd) <= 1e-5 * sa) && bad++ < 5)
                        printf("  pv %s dh=%lld row %lld: %.9g vs %.9g\n", k->name, (long long)dh, (long long)i, (double)z0[i * dh + d], dd);
                }
            }
            if (memcmp(z0, z1, (size_t)(6 * dh) * 4) != 0 && bad++ < 5) printf("  pv %s dh=%lld: six rows and one row differ\n", k->name, (long long)dh);
            ks->pv(6, z0, dh, Pi, nk, 0, nk - 1, ki, ld, dh);
            k->pv(6, z1, dh, Pi, nk, 0, nk - 1, ki, ld, dh);
            if (memcmp(z0, z1, (size_t)(6 * dh) * 4) != 0 && bad++ < 5) printf("  pv %s dh=%lld: integer data\n", k->name, (long long)dh);
            /* a row with weight only on keys 2..5: summing keys 0..8 (zeros elsewhere) = summing 2..5 */
            for (j = 0; j < nk; j++) P[j] = j >= 2 && j <= 5 ? P[j] : 0.0f;
            k->pv(1, z0, dh, P, nk, 0, nk - 1, kk, ld, dh);
            k->pv(1, z1, dh, P, nk, 2, 5, kk, ld, dh);
            if (memcmp(z0, z1, (size_t)dh * 4) != 0 && bad++ < 5) printf("  pv %s dh=%lld: zero weights changed the bits\n", k->name, (long long)dh);
        }
        free(q), free(kk), free(qi), free(ki), free(S), free(S0), free(z0), free(z1), free(P), free(Pi);
    }
    CHECKF(bad == 0, "%d mismatches", bad);
}

/* ---- thread pool ------------------------------------------------------------------------------- */
typedef struct kt_cover {
    int    *hits;
    int64_t grain;
    int     bad;
    hl__pool *pool;
} kt_cover;
static void kt_cover_fn(void *ctx, int64_t i0, int64_t i1) {
    kt_cover *c = (kt_cover *)ctx;
    int64_t i;
    if (i0 % c->grain != 0) __atomic_add_fetch(&c->bad, 1, __ATOMIC_RELAXED);
    for (i = i0; i < i1; i++) c->hits[i]++; /* disjoint ranges: no two threads touch one entry */
}
static void kt_nested_fn(void *ctx, int64_t i0, int64_t i1) {
    kt_cover *c = (kt_cover *)ctx;
    kt_cover inner;
    int h[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i;
    inner.hits = h;
    inner.grain = 1;
    inner.bad = 0;
    inner.pool = NULL;
    hl__parallel_for(c->pool, 8, 1, kt_cover_fn, &inner); /* nested: runs serially, still complete */
    for (i = 0; i < 8; i++)
        if (h[i] != 1) __atomic_add_fetch(&c->bad, 1, __ATOMIC_RELAXED);
    for (i = i0; i < i1; i++) c->hits[i]++;
}

static void test_pool_covers_every_index_once(void) {
    static const int64_t ns[] = {0, 1, 2, 5, 12, 13, 100, 1001, 4097};
    static const int64_t grains[] = {1, 3, 12};
    int t;
    for (t = 1; t <= 3; t++) {
        hl__pool *p = hl__pool_create(t);
        size_t a, g;
        int rep, bad = 0;
        for (a = 0; a < sizeof ns / sizeof ns[0]; a++)
            for (g = 0; g < 3; g++)
                for (rep = 0; rep < 20; rep++) {
                    kt_cover c;
                    int64_t i;
                    c.hits = (int *)calloc((size_t)ns[a] + 1, sizeof(int));
                    c.grain = grains[g];
                    c.bad = 0;
                    c.pool = p;
                    hl__parallel_for(p, ns[a], grains[g], rep % 2 ? kt_nested_fn : kt_cover_fn, &c);
                    for (i = 0; i < ns[a]; i++) bad += c.hits[i] != 1;
                    bad += c.bad;
                    free(c.hits);
                }
        CHECKF(bad == 0, "threads=%d: %d bad", t, bad);
        hl__pool_free(p);
    }
    hl__pool_free(NULL);
}

void suite_kernels(void) {
    RUN(test_kernels_levels);
    RUN(test_matmul_vs_reference_random);
    RUN(test_matmul_bit_exact_integer_data);
    RUN(test_matmul_unaligned);
    RUN(test_matmul_threads_and_batch_bit_identical);
    RUN(test_matmul_fast_mode);
    RUN(test_matmul_nn_vs_reference);
    RUN(test_matmul_nn_threads_bit_identical);
    RUN(test_norm_helpers);
    RUN(test_gelu_softmax);
    RUN(test_attention_helpers);
    RUN(test_pool_covers_every_index_once);
}
