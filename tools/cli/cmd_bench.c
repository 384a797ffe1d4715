/* tools/cli/cmd_bench.c - bench (kernels, machine peaks, SAE encode, whole model) and
   make-random-model.

   Speed is only ever reported next to a baseline measured in the same run (the scalar kernels, the
   machine's FMA / bf16-dot / memory-read peaks measured by --peak), never compared to a fixed
   number. The kernels are private to the library: this file defines HL_INTERNAL, which declares
   the kernel tables and the thread pool, and the CLI links the library object built with it. */
#define HL_INTERNAL
#include <ctype.h>
#include <math.h>
#include "cli.h"
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>
#if !defined(HL_NO_SIMD) && defined(__GNUC__) && defined(__x86_64__)
#    define BENCH_X86 1
#    include <immintrin.h>
#    define BENCH_TGT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c")))
#    define BENCH_TGT_BF16   __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,avx2,fma,f16c")))
#    define BENCH_TGT_VNNI   __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))
#endif
/* 1 when this CPU has AVX512-BF16 (fast mode then has its own kernel table) */
static int has_bf16(void) {
    return hl__kernels_pick(HL_KERNELS_AVX512, 1) != hl__kernels_pick(HL_KERNELS_AVX512, 0);
}

/* CPU seconds used by the whole process (all threads). The machine is shared, so besides the wall
   time every figure is also given per CPU-second actually received ("cpu" columns): on a busy
   machine that is the kernel's own speed, on an idle one the two agree. */
static double cpu_sec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
typedef struct timing {
    double wall, cpu; /* best (smallest) of the repetitions, each */
} timing;
static void timing_reset(timing *t) {
    t->wall = t->cpu = 1e30;
}
static void timing_add(timing *t, double w0, double c0) {
    double w = cli_now() - w0, c = cpu_sec() - c0;
    if (w < t->wall) t->wall = w;
    if (c < t->cpu) t->cpu = c;
}

/* peak resident set size in bytes */
static double peak_rss_bytes(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024.0;
}

static uint32_t rng_state = 0x9e3779b9u;
static uint32_t rng_next(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}
/* uniform in [-a, a) */
static float rng_uniform(float a) {
    return ((float)(rng_next() >> 8) * (2.0f / 16777216.0f) - 1.0f) * a;
}

static void fill_weights(void *W, hl_dtype dt, int64_t n, float a) {
    int64_t i;
    if (hl_dtype_is_quantized(dt)) { /* random codes, every f16 scale (and min) a small positive value */
        const uint64_t bb = hl_dtype_row_bytes(dt, hl_dtype_block(dt)), nb = (uint64_t)n / (uint64_t)hl_dtype_block(dt);
        const int at = dt == HL_DTYPE_Q6_K ? 208 : dt == HL_DTYPE_Q2_K ? 80 : dt == HL_DTYPE_Q3_K ? 108 : 0;
        const int at2 = dt == HL_DTYPE_Q4_1 || dt == HL_DTYPE_Q5_1 || dt == HL_DTYPE_Q4_K || dt == HL_DTYPE_Q5_K ? at + 2 :
                        dt == HL_DTYPE_Q2_K ? 82 : -1;
        uint8_t *b = (uint8_t *)W;
        uint64_t k;
        for (k = 0; k < bb * nb; k++) b[k] = (uint8_t)rng_next();
        for (k = 0; k < nb; k++) {
            const uint16_t h = hl_f32_to_f16(a * (0.01f + 0.01f * (float)(rng_next() % 100u)));
            b[k * bb + (uint64_t)at] = (uint8_t)h, b[k * bb + (uint64_t)at + 1] = (uint8_t)(h >> 8);
            if (at2 >= 0) b[k * bb + (uint64_t)at2] = (uint8_t)h, b[k * bb + (uint64_t)at2 + 1] = (uint8_t)(h >> 8);
        }
        return;
    }
    for (i = 0; i < n; i++) {
        float v = rng_uniform(a);
        if (dt == HL_DTYPE_F32) ((float *)W)[i] = v;
        else if (dt == HL_DTYPE_BF16) ((uint16_t *)W)[i] = hl_f32_to_bf16(v);
        else ((uint16_t *)W)[i] = hl_f32_to_f16(v);
    }
}

static hl_dtype parse_dtype(const char *s) {
    if (strcmp(s, "f32") == 0 || strcmp(s, "F32") == 0) return HL_DTYPE_F32;
    if (strcmp(s, "bf16") == 0 || strcmp(s, "BF16") == 0) return HL_DTYPE_BF16;
    if (strcmp(s, "f16") == 0 || strcmp(s, "F16") == 0) return HL_DTYPE_F16;
    return HL_DTYPE_INVALID;
}

static hl_kernels cli_kernels(void) { return cli_kernels_from_env(); }
static int online_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

/* ---- machine peaks ------------------------------------------------------------------------------ */
/* Each thread runs independent FMA chains (24 accumulators hide the 4-cycle latency) on registers;
   memory read = sum of a buffer much larger than the caches. Split over the pool like the kernels. */
typedef struct peak_job {
    int64_t iters;
    int     kind; /* 0 fp32 fma, 1 bf16 dot, 2 memory read (one stream), 3 memory read (8 rows side by side) */
    const float *buf;
    int64_t      n;
    float        sink[64];
} peak_job;

#if defined(BENCH_X86)
static BENCH_TGT_AVX512 float peak_fma_avx512(int64_t iters) {
    __m512 a[24], b = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(1e-3f);
    int64_t it;
    int i;
    for (i = 0; i < 24; i++) a[i] = _mm512_set1_ps((float)i);
    for (it = 0; it < iters; it++) {
        _Pragma("GCC unroll 24") for (i = 0; i < 24; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
    }
    for (i = 1; i < 24; i++) a[0] = _mm512_add_ps(a[0], a[i]);
    return _mm512_reduce_add_ps(a[0]);
}
static BENCH_TGT_BF16 float peak_bf16_avx512(int64_t iters) {
    __m512 a[24];
    __m512i b = _mm512_set1_epi16(0x3f80), c = _mm512_set1_epi16(0x3a80);
    int64_t it;
    int i;
    for (i = 0; i < 24; i++) a[i] = _mm512_set1_ps((float)i);
    for (it = 0; it < iters; it++) {
        _Pragma("GCC unroll 24") for (i = 0; i < 24; i++) a[i] = _mm512_dpbf16_ps(a[i], (__m512bh)b, (__m512bh)c);
    }
    for (i = 1; i < 24; i++) a[0] = _mm512_add_ps(a[0], a[i]);
    return _mm512_reduce_add_ps(a[0]);
}
/* 12 chains of vpdpbusd: 64 u8 x s8 products summed into 16 int32 lanes each (128 ops). Each chain takes two
   steps per iteration (24 instructions, as the other peaks): with 24 chains GCC 12 copied every accumulator
   through the stack on each step (vmovdqa32 around each vpdpbusd), which measured half the rate
   (470 instead of ~935 GOP/s on 2 Zen 4 cores, where vpdpbusd zmm issues once a cycle like vdpbf16ps) */
static BENCH_TGT_VNNI float peak_vnni_avx512(int64_t iters) {
    __m512i a[12];
    const __m512i b = _mm512_set1_epi8(1), c = _mm512_set1_epi8(1);
    int64_t it;
    int i;
    for (i = 0; i < 12; i++) a[i] = _mm512_set1_epi32(i);
    for (it = 0; it < iters; it++) {
        _Pragma("GCC unroll 24") for (i = 0; i < 24; i++) a[i % 12] = _mm512_dpbusd_epi32(a[i % 12], b, c);
    }
    for (i = 1; i < 12; i++) a[0] = _mm512_add_epi32(a[0], a[i]);
    return (float)_mm512_reduce_add_epi32(a[0]);
}
static BENCH_TGT_AVX512 float peak_read_avx512(const float *p, int64_t n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int64_t i;
    for (i = 0; i + 64 <= n; i += 64) {
        s0 = _mm512_add_ps(s0, _mm512_loadu_ps(p + i));
        s1 = _mm512_add_ps(s1, _mm512_loadu_ps(p + i + 16));
        s2 = _mm512_add_ps(s2, _mm512_loadu_ps(p + i + 32));
        s3 = _mm512_add_ps(s3, _mm512_loadu_ps(p + i + 48));
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}
/* Eight rows of 1152 floats (a 2304-wide bf16 row is 4.5 KB) read side by side, the other pattern tried. */
static BENCH_TGT_AVX512 float peak_read_rows_avx512(const float *p, int64_t n) {
    __m512 s[8];
    int64_t b, k;
    int j;
    for (j = 0; j < 8; j++) s[j] = _mm512_setzero_ps();
    for (b = 0; b + 8 * 1152 <= n; b += 8 * 1152)
        for (k = 0; k < 1152; k += 16)
            for (j = 0; j < 8; j++) s[j] = _mm512_add_ps(s[j], _mm512_loadu_ps(p + b + j * 1152 + k));
    for (j = 1; j < 8; j++) s[0] = _mm512_add_ps(s[0], s[j]);
    return _mm512_reduce_add_ps(s[0]);
}
#endif

static void peak_task(void *ctx, int64_t i0, int64_t i1) {
    peak_job *j = (peak_job *)ctx;
    int64_t i;
    for (i = i0; i < i1; i++) {
#if defined(BENCH_X86)
        if (j->kind == 0) j->sink[i & 63] = peak_fma_avx512(j->iters);
        else if (j->kind == 1) j->sink[i & 63] = peak_bf16_avx512(j->iters);
        else if (j->kind == 4) j->sink[i & 63] = peak_vnni_avx512(j->iters);
        else if (j->kind == 2) j->sink[i & 63] = peak_read_avx512(j->buf + i * (j->n / 64), j->n / 64);
        else j->sink[i & 63] = peak_read_rows_avx512(j->buf + i * (j->n / 64), j->n / 64);
#else
        (void)j;
#endif
    }
}

typedef struct peaks {
    double fma_gflops, bf16_gflops, read_gbs, int8_gops; /* idle-equivalent (per CPU-second x threads) */
    double fma_wall, bf16_wall, read_wall, int8_wall;    /* wall clock */
} peaks;

/* Converts work / time into a rate two ways: wall clock, and "idle-equivalent" = work per
   CPU-second times the thread count (what T threads would do with T idle cores). */
static double rate_wall(double work, const timing *t) {
    return work / t->wall;
}
static double rate_idle(double work, const timing *t, int threads) {
    return work / t->cpu * (double)threads;
}

/* Best of 5 timings each; FLOPs: fma = 2 per lane, bf16 dot = 4 per f32 lane (2 products + 2 adds). */
/* The status line while a phase runs (cli_progress: on a terminal, after a second). */
/* desc.fast as printed: exact, fast, or fast with one 8-bit term (HL_FAST_INT8) */
static const char *fast_name(int fast) { return fast == HL_FAST_INT8 ? "int8" : fast ? "fast" : "exact"; }
static void step(const char *what, long long i, long long n) { cli_progress("[bench: %s %lld/%lld]", what, i, n); }

static peaks measure_peaks(hl__pool *pool) {
    peaks pk;
    peak_job j;
    int r, T = hl__pool_threads(pool);
    timing tm;
    double w0, c0;
    memset(&pk, 0, sizeof pk);
    memset(&j, 0, sizeof j);
    if (!hl_kernels_available(HL_KERNELS_AVX512)) return pk;
    j.iters = 8000000; /* ~50 ms per thread: long enough that waking the pool does not count */
    for (j.kind = 0; j.kind < 2; j.kind++) {
        double flops = (double)T * (double)j.iters * 24.0 * 16.0 * (j.kind == 0 ? 2.0 : 4.0);
        if (j.kind == 1 && !has_bf16()) break;
        timing_reset(&tm);
        for (r = 0; r < 5; r++) {
            step(j.kind == 0 ? "peak fp32 FMA" : "peak bf16 dot", r + 1, 5);
            w0 = cli_now(), c0 = cpu_sec();
            hl__parallel_for(pool, T, 1, peak_task, &j);
            timing_add(&tm, w0, c0);
        }
        if (j.kind == 0) pk.fma_gflops = rate_idle(flops, &tm, T) * 1e-9, pk.fma_wall = rate_wall(flops, &tm) * 1e-9;
        else pk.bf16_gflops = rate_idle(flops, &tm, T) * 1e-9, pk.bf16_wall = rate_wall(flops, &tm) * 1e-9;
    }
    if (hl__kernels_pick(HL_KERNELS_AVX512, 1)->qdot) { /* int8 dot (VNNI): 2 ops per product, 64 per instruction */
        const double ops = (double)T * (double)j.iters * 24.0 * 64.0 * 2.0;
        j.kind = 4;
        timing_reset(&tm);
        for (r = 0; r < 5; r++) {
            step("peak int8 dot", r + 1, 5);
            w0 = cli_now(), c0 = cpu_sec();
            hl__parallel_for(pool, T, 1, peak_task, &j);
            timing_add(&tm, w0, c0);
        }
        pk.int8_gops = rate_idle(ops, &tm, T) * 1e-9, pk.int8_wall = rate_wall(ops, &tm) * 1e-9;
    }
    j.n = (int64_t)1 << 28; /* 1 GiB, far beyond the caches */
    {
        float *buf = (float *)malloc((size_t)j.n * 4);
        int64_t i;
        if (buf) {
            for (i = 0; i < j.n; i++) {
                buf[i] = (float)(i & 255); /* touch every page for real */
                if ((i & ((1 << 24) - 1)) == 0) step("filling 1 GiB, MiB", (long long)(i >> 18), (long long)(j.n >> 18));
            }
            j.buf = buf;
            /* the better of one stream per thread and 8 rows side by side */
            for (j.kind = 2; j.kind <= 3; j.kind++) {
                timing_reset(&tm);
                for (r = 0; r < 5; r++) {
                    step("peak memory read", r + 1 + 5 * (j.kind - 2), 10);
                    w0 = cli_now(), c0 = cpu_sec();
                    hl__parallel_for(pool, 64, 1, peak_task, &j);
                    timing_add(&tm, w0, c0);
                }
                if (rate_wall((double)j.n * 4.0, &tm) * 1e-9 > pk.read_wall) {
                    pk.read_gbs = rate_idle((double)j.n * 4.0, &tm, T) * 1e-9;
                    pk.read_wall = rate_wall((double)j.n * 4.0, &tm) * 1e-9;
                }
            }
            free(buf);
        }
    }
    return pk;
}

/* ---- kernel microbenchmarks ------------------------------------------------------------------------ */
/* Times one matmul shape: best of `reps` after one warm-up. */
static timing time_matmul(const hl__kernels *kt, hl__pool *pool, int nn, float *y, const float *x, const void *W,
                          hl_dtype dt, int64_t M, int64_t N, int64_t K, int reps) {
    timing tm;
    double w0, c0;
    int r;
    timing_reset(&tm);
    for (r = 0; r <= reps; r++) {
        step(M == 1 ? "matmul, one token" : "matmul, a batch", r, reps);
        w0 = cli_now(), c0 = cpu_sec();
        if (nn) hl__matmul_nn(kt, pool, y, x, W, dt, M, N, K);
        else hl__matmul(kt, pool, y, x, W, dt, M, N, K);
        if (r > 0 || reps == 0) timing_add(&tm, w0, c0);
    }
    return tm;
}

typedef struct bench_opts {
    int     threads, fast, cache_all, reps;
    int64_t prompt_tokens, gen_tokens, batch;
    int     kernels, peak, sae, patch;
    int64_t shape_n, shape_k;
    const char *dtypes;
} bench_opts;

static int bench_kernels(const bench_opts *o, hl__pool *pool, const peaks *pk) {
    /* default: gemma-2-2b MLP gate/up projection, W [d_mlp 9216, d_model 2304]; --shape N,K */
    const int64_t N = o->shape_n, K = o->shape_k;
    /* the quantized ones only when --dtypes names them */
    static const hl_dtype dts[] = {HL_DTYPE_F32, HL_DTYPE_BF16, HL_DTYPE_F16, HL_DTYPE_Q8_0,
                                   HL_DTYPE_Q5_0, HL_DTYPE_Q4_0, HL_DTYPE_Q4_K, HL_DTYPE_Q6_K};
    static const hl_kernels lv[] = {HL_KERNELS_SCALAR, HL_KERNELS_AVX2, HL_KERNELS_AVX512, HL_KERNELS_NEON};
    const int64_t Mp = o->prompt_tokens, Ms = 8; /* scalar prefill timed on 8 tokens (rate only) */
    const int T = hl__pool_threads(pool);
    float *x = (float *)malloc((size_t)(Mp * K) * 4), *y = (float *)malloc((size_t)(Mp * N) * 4);
    void *W = malloc((size_t)(N * K) * 4);
    size_t d, l;
    int fast;
    if (!x || !y || !W) {
        fprintf(stderr, "hooklens bench: out of memory\n");
        return 1;
    }
    fill_weights(x, HL_DTYPE_F32, Mp * K, 1.0f);
    printf("\nmatmul y[M,%lld] = x[M,%lld] @ W^T%s, %d thread(s); prefill M=%lld, decode M=1\n", (long long)N, (long long)K,
           N == 9216 && K == 2304 ? " (gemma-2-2b gate_proj)" : "", T, (long long)Mp);
    printf("rates: wall clock / idle-equivalent (per CPU-second x threads); %% = idle-equivalent vs the peaks above\n");
    printf("%-5s %-6s %-5s | %-17s %8s %6s | %-15s %8s %6s\n", "dtype", "level", "mode", "prefill GFLOP/s", "x scalar",
           "%peak", "decode GB/s", "x scalar", "%read");
    for (d = 0; d < sizeof dts / sizeof dts[0]; d++) {
        const int quant = hl_dtype_is_quantized(dts[d]);
        double scal_pf = 0, scal_dec = 0;
        if (quant && (!o->dtypes || K % hl_dtype_block(dts[d]) != 0)) continue;
        if (o->dtypes) { /* "f32,bf16": the names in any case */
            char want[64], name[16];
            size_t k;
            snprintf(want, sizeof want, ",%s,", o->dtypes);
            snprintf(name, sizeof name, ",%s,", hl_dtype_name(dts[d]));
            for (k = 0; want[k]; k++) want[k] = (char)tolower((unsigned char)want[k]);
            for (k = 0; name[k]; k++) name[k] = (char)tolower((unsigned char)name[k]);
            if (!strstr(want, name)) continue;
        }
        fill_weights(W, dts[d], N * K, 0.05f);
        for (l = 0; l < 4; l++)
            for (fast = 0; fast <= HL_FAST_INT8; fast++) {
                const hl__kernels *kt = hl__kernels_pick(lv[l], fast);
                int64_t M;
                int is_s = lv[l] == HL_KERNELS_SCALAR;
                double wbytes = (double)N * (double)hl_dtype_row_bytes(dts[d], K), flops, gfw, gfi, gbw, gbi, pkf;
                timing tp, td;
                if (!hl_kernels_available(lv[l])) continue;
                /* fast mode where it changes the products: bf16 dot products, 8-bit ones for quantized weights */
                if (fast && !(quant ? kt->qdot != NULL : dts[d] == HL_DTYPE_BF16 && kt != hl__kernels_pick(lv[l], 0))) continue;
                if (fast == HL_FAST_INT8 && !quant) continue; /* (one term changes only the 8-bit products) */
                M = is_s ? Ms : Mp;
                flops = 2.0 * (double)M * (double)N * (double)K;
                tp = time_matmul(kt, pool, 0, y, x, W, dts[d], M, N, K, is_s ? 0 : o->reps);
                td = time_matmul(kt, pool, 0, y, x, W, dts[d], 1, N, K, is_s ? 1 : 4 * o->reps);
                gfw = rate_wall(flops, &tp) * 1e-9, gfi = rate_idle(flops, &tp, T) * 1e-9;
                gbw = rate_wall(wbytes, &td) * 1e-9, gbi = rate_idle(wbytes, &td, T) * 1e-9;
                if (is_s) scal_pf = gfi, scal_dec = gbi;
                pkf = fast ? (quant ? pk->int8_gops : pk->bf16_gflops) : pk->fma_gflops;
                cli_progress_end();
                printf("%-5s %-6s %-5s | %7.1f / %7.1f %7.1fx %5.0f%% | %6.1f / %6.1f %7.1fx %5.0f%%\n", hl_dtype_name(dts[d]),
                       hl_kernels_name(lv[l]), fast_name(fast), gfw, gfi, scal_pf > 0 ? gfi / scal_pf : 0.0,
                       pkf > 0 ? 100.0 * gfi / pkf : 0.0, gbw, gbi, scal_dec > 0 ? gbi / scal_dec : 0.0,
                       pk->read_gbs > 0 ? 100.0 * gbi / pk->read_gbs : 0.0);
            }
    }
    printf("(scalar prefill is timed on %lld tokens: same rate, less waiting)\n", (long long)Ms);
    free(x), free(y), free(W);
    return 0;
}

/* SAE encode: pre = x @ W_enc + b_enc, W_enc [d_in 2304, d_sae 65536] (GemmaScope layout, x @ W)
   and the same weights stored transposed [d_sae, d_in] (x @ W^T). The bias and JumpReLU are
   elementwise and not timed. */
static int bench_sae(const bench_opts *o, hl__pool *pool, const peaks *pk) {
    const int64_t K = 2304, N = 65536;
    const int64_t M = o->prompt_tokens < 128 ? o->prompt_tokens : 128;
    const int T = hl__pool_threads(pool);
    float *x = (float *)malloc((size_t)(M * K) * 4), *y = (float *)malloc((size_t)(M * N) * 4);
    float *W = (float *)malloc((size_t)(N * K) * 4);
    const hl__kernels *kt = hl__kernels_pick(cli_kernels(), 0), *ks = hl__kernels_pick(HL_KERNELS_SCALAR, 0);
    int nn;
    if (!x || !y || !W) {
        fprintf(stderr, "hooklens bench: out of memory\n");
        return 1;
    }
    fill_weights(x, HL_DTYPE_F32, M * K, 1.0f);
    fill_weights(W, HL_DTYPE_F32, N * K, 0.05f);
    printf("\nSAE encode d_in %lld x d_sae %lld, f32 weights (%.0f MB), %s, %d thread(s); wall / idle-equivalent\n",
           (long long)K, (long long)N, (double)(N * K) * 4e-6, kt->name, T);
    for (nn = 1; nn >= 0; nn--) {
        timing tb = time_matmul(kt, pool, nn, y, x, W, HL_DTYPE_F32, M, N, K, o->reps);
        timing t1 = time_matmul(kt, pool, nn, y, x, W, HL_DTYPE_F32, 1, N, K, o->reps);
        timing ts = time_matmul(ks, pool, nn, y, x, W, HL_DTYPE_F32, 1, N, K, 0);
        double flops = 2.0 * (double)(M * N * K), bytes = (double)(N * K) * 4.0;
        cli_progress_end();
        char pf[32] = "", pr[32] = ""; /* shares of the peaks, when --peak measured them */
        if (pk->fma_gflops > 0)
            snprintf(pf, sizeof pf, " (%.0f%% of fma peak)", 100.0 * rate_idle(flops, &tb, T) * 1e-9 / pk->fma_gflops);
        if (pk->read_gbs > 0)
            snprintf(pr, sizeof pr, " (%.0f%% of read)", 100.0 * rate_idle(bytes, &t1, T) * 1e-9 / pk->read_gbs);
        printf("  %s\n    batch of %lld: %6.0f / %6.0f tokens/s, %6.1f / %6.1f GFLOP/s%s\n"
               "    1 token:     %6.1f / %6.1f tokens/s, %6.1f / %6.1f GB/s%s, %.1fx scalar\n",
               nn ? "W_enc [d_in, d_sae], y = x @ W" : "W_enc^T [d_sae, d_in], y = x @ W^T", (long long)M,
               rate_wall((double)M, &tb), rate_idle((double)M, &tb, T), rate_wall(flops, &tb) * 1e-9,
               rate_idle(flops, &tb, T) * 1e-9, pf, rate_wall(1.0, &t1), rate_idle(1.0, &t1, T),
               rate_wall(bytes, &t1) * 1e-9, rate_idle(bytes, &t1, T) * 1e-9, pr, ts.cpu / t1.cpu);
    }
    free(x), free(y), free(W);
    return 0;
}

/* ---- whole model -------------------------------------------------------------------------------------- */
/* FLOPs of one forward position (multiply-adds x 2) at context length ctx: the projections (a
   gated MLP has three matrices, a plain one two), the attention scores and the weighted sum;
   `lm_head` adds the unembedding. */
static double model_flops(const hl_model_cfg *c, double ctx, int lm_head) {
    double d = (double)c->d_model, qd = (double)(c->n_heads * c->d_head), kvd = (double)(c->n_kv_heads * c->d_head);
    double per_layer = 2.0 * d * (qd + 2.0 * kvd) + 2.0 * qd * d + (c->gated ? 3.0 : 2.0) * 2.0 * d * (double)c->d_mlp +
                       2.0 * 2.0 * qd * ctx;
    return per_layer * (double)c->n_layers + (lm_head ? 2.0 * d * (double)c->d_vocab : 0.0);
}
/* Bytes of weights one decode step reads: every layer matrix plus the unembedding, at the
   embedding's bytes per element (a quantized GGUF mixes types, so there it is an estimate). */
static double model_weight_bytes(const hl_model_cfg *c) {
    double d = (double)c->d_model, qd = (double)(c->n_heads * c->d_head), kvd = (double)(c->n_kv_heads * c->d_head);
    double per_layer = d * (qd + 2.0 * kvd) + qd * d + (c->gated ? 3.0 : 2.0) * d * (double)c->d_mlp;
    double es = hl_dtype_size(c->weight_dtype) ? (double)hl_dtype_size(c->weight_dtype)
                                                : (double)hl_dtype_row_bytes(c->weight_dtype, 256) / 256.0;
    return (per_layer * (double)c->n_layers + d * (double)c->d_vocab) * es;
}

/* Batched prefill (hl_model_run_batch) of `batch` prompts of prompt_tokens and prompt_tokens - 1
   tokens in turn (right-padded), against the same prompts run one at a time and against one prompt
   of their total length, in the same run; the best of reps each. */
static int bench_batch(const bench_opts *o, hl_model *m, const int32_t *tok) {
    const int64_t B = o->batch, T = o->prompt_tokens;
    int64_t *len = (int64_t *)malloc((size_t)B * sizeof *len), b, total = 0;
    double best[3] = {1e30, 1e30, 1e30}, w0;
    hl_batch bt;
    hl_error e;
    int r, k, rc = 0;
    if (!len) return 1;
    for (b = 0; b < B; b++) len[b] = T > 1 ? T - (b & 1) : T, total += len[b];
    memset(&bt, 0, sizeof bt);
    bt.tokens = tok, bt.n_batch = B, bt.n_pos = T, bt.lengths = len;
    for (r = 0; r < o->reps && rc == 0; r++)
        for (k = 0; k < 3 && rc == 0; k++) {
            step(k == 0 ? "batched prefill" : k == 1 ? "single prompts" : "one long prompt", r + 1, o->reps);
            w0 = cli_now();
            if (k == 0) rc = hl_model_run_batch(m, &bt, NULL, &e) != HL_OK;
            for (b = 0; k == 1 && b < B && rc == 0; b++) rc = hl_model_run(m, tok + b * T, len[b], NULL, &e) != HL_OK;
            if (k == 2) rc = hl_model_run(m, tok, total, NULL, &e) != HL_OK;
            w0 = cli_now() - w0; /* this repetition's seconds */
            if (w0 < best[k]) best[k] = w0;
        }
    cli_progress_end();
    free(len);
    if (rc) return cli_error(&e);
    printf("batched prefill, %lld prompts of %lld/%lld tokens (%lld real): %8.1f tokens/s; one at a time %8.1f tokens/s "
           "(batch %.2fx); one prompt of %lld tokens %8.1f tokens/s (batch %.2fx)\n",
           (long long)B, (long long)T, (long long)(T > 1 ? T - 1 : T), (long long)total, (double)total / best[0],
           (double)total / best[1], best[1] / best[0], (long long)total, (double)total / best[2], best[2] / best[0]);
    return 0;
}

/* Activation patching, layer x pos on resid_pre [TL get_act_patch_resid_pre] over prompt_tokens
   tokens: hl_act_patch (each cell runs from the patched layer, on the corrupted run's cached
   resid_pre) against the naive way, a full forward pass per cell with a hook that overwrites
   blocks.L.hook_resid_pre[:, p] with the clean run's value, as TL's patching does; one timed run
   each, in the same run, and the two grids compared bit for bit. */
typedef struct { const float *clean; int64_t pos, d; } naive_patch;
static hl_status naive_patch_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    const naive_patch *np = (const naive_patch *)user;
    (void)info;
    memcpy((float *)act->data + np->pos * np->d, np->clean + np->pos * np->d, (size_t)np->d * sizeof(float));
    return HL_OK;
}
static int bench_patch(const bench_opts *o, hl_model *m, const int32_t *tok) {
    const hl_model_cfg *c = hl_model_config(m);
    const int64_t n = o->prompt_tokens, L = c->n_layers, V = c->d_vocab;
    int32_t *corrupt = (int32_t *)malloc((size_t)n * sizeof *corrupt), ab[2];
    float *grid = (float *)malloc((size_t)(2 * L * n) * sizeof(float)), *logits = (float *)malloc((size_t)(n * V) * sizeof(float));
    const char *pat = "blocks.*.hook_resid_pre";
    hl_names_filter f;
    hl_cache *cache = NULL;
    char nm[64];
    naive_patch np;
    double t_ours, t_naive;
    int64_t l, p;
    int h, same = 1, rc = 1;
    hl_error e;
    if (!corrupt || !grid || !logits) {
        fprintf(stderr, "hooklens bench: out of memory\n");
        goto done;
    }
    memcpy(corrupt, tok, (size_t)n * sizeof *corrupt);
    corrupt[n / 2] = tok[n]; /* one token changed in the middle */
    ab[0] = tok[n - 1], ab[1] = tok[n - 2];
    step("patching grid, hl_act_patch", 1, 2);
    t_ours = cli_now();
    if (hl_act_patch(m, tok, corrupt, n, HL_PATCH_RESID_PRE, hl_metric_logit_diff, ab, grid, &e) != HL_OK) goto fail;
    t_ours = cli_now() - t_ours;
    memset(&f, 0, sizeof f);
    f.names = &pat, f.n_names = 1;
    if (hl_cache_create(&cache, &e) != HL_OK) goto fail;
    step("patching grid, naive", 2, 2);
    t_naive = cli_now();
    if (hl_model_run_with_cache(m, tok, n, &f, cache, NULL, &e) != HL_OK) goto fail;
    np.d = c->d_model;
    for (l = 0; l < L; l++) {
        snprintf(nm, sizeof nm, "blocks.%lld.hook_resid_pre", (long long)l);
        np.clean = (const float *)hl_cache_get(cache, nm)->data;
        for (p = 0; p < n; p++) {
            np.pos = p;
            if (hl_model_add_hook(m, nm, naive_patch_hook, &np, &h, &e) != HL_OK) goto fail;
            if (hl_model_run(m, corrupt, n, logits, &e) != HL_OK) goto fail;
            hl_model_remove_hook(m, h, NULL);
            grid[L * n + l * n + p] = hl_metric_logit_diff(logits, n, V, ab);
        }
    }
    t_naive = cli_now() - t_naive;
    cli_progress_end();
    same = memcmp(grid, grid + L * n, (size_t)(L * n) * sizeof(float)) == 0;
    printf("patching grid, resid_pre %lld layers x %lld positions: hl_act_patch %.2f s, naive (%lld full passes) %.2f s: "
           "%.2fx the naive time; grids %s\n", (long long)L, (long long)n, t_ours, (long long)(L * n), t_naive,
           t_ours / t_naive, same ? "equal bit for bit" : "DIFFER");
    rc = same ? 0 : 1;
    goto done;
fail:
    cli_progress_end();
    rc = cli_error(&e);
done:
    hl_cache_free(cache);
    free(corrupt), free(grid), free(logits);
    return rc;
}

static int bench_model(const bench_opts *o, const char *path, const peaks *pk) {
    hl_model_desc d;
    hl_model *m = NULL;
    hl_error e;
    const hl_model_cfg *c;
    int32_t *tok = NULL;
    float *logits = NULL;
    hl_cache *cache = NULL;
    double w0, c0, t_load, P = (double)o->prompt_tokens, G = (double)o->gen_tokens, fl_pre, fl_dec, wb;
    timing tp, td, tc;
    int64_t i;
    int r, T, rc = 1;
    memset(&d, 0, sizeof d);
    d.path = path;
    d.n_threads = o->threads;
    d.kernels = cli_kernels();
    d.fast = o->fast;
    d.n_ctx = o->prompt_tokens + o->gen_tokens + 1;
    if (o->batch > 1 && o->batch * o->prompt_tokens > d.n_ctx) d.n_ctx = o->batch * o->prompt_tokens; /* the one long prompt */
    d.no_tokenizer = 1;
    w0 = cli_now();
    if (hl_model_load(&d, &m, &e) != HL_OK) return cli_error(&e);
    t_load = cli_now() - w0;
    c = hl_model_config(m);
    T = hl_model_threads(m);
    tok = (int32_t *)malloc((size_t)(d.n_ctx + 1) * sizeof *tok);
    logits = (float *)malloc((size_t)c->d_vocab * sizeof *logits);
    if (!tok || !logits) {
        fprintf(stderr, "hooklens bench: out of memory\n");
        goto done;
    }
    for (i = 0; i < d.n_ctx + 1; i++) tok[i] = (int32_t)(3 + rng_next() % (uint32_t)(c->d_vocab - 3));
    wb = model_weight_bytes(c);
    printf("\nmodel %s: %s, %lld layers, d_model %lld, d_mlp %lld, vocab %lld, %s weights (%.2f GB), loaded in %.2f s\n",
           path, c->architecture, (long long)c->n_layers, (long long)c->d_model, (long long)c->d_mlp,
           (long long)c->d_vocab, hl_dtype_name(c->weight_dtype), wb * 1e-9, t_load);
    printf("%d thread(s), kernels %s, %s mode; rates: wall / idle-equivalent (per CPU-second x threads)\n", T,
           hl_model_kernels(m),
           fast_name(o->fast));
    /* warm-up: touches every weight page once (page cache -> mapping) */
    if (hl_model_run(m, tok, o->prompt_tokens < 16 ? o->prompt_tokens : 16, NULL, &e) != HL_OK) {
        rc = cli_error(&e);
        goto done;
    }
    /* prefill: hl_model_run over the prompt (no logits: what llama-bench pp measures) */
    timing_reset(&tp);
    for (r = 0; r < o->reps; r++) {
        step("prefill", r + 1, o->reps);
        w0 = cli_now(), c0 = cpu_sec();
        if (hl_model_run(m, tok, o->prompt_tokens, NULL, &e) != HL_OK) {
            rc = cli_error(&e);
            goto done;
        }
        timing_add(&tp, w0, c0);
    }
    /* decode: one token at a time after the prompt, logits of each (llama-bench tg) */
    timing_reset(&td);
    if (o->gen_tokens > 0) {
        w0 = cli_now(), c0 = cpu_sec();
        for (i = 0; i < o->gen_tokens; i++) {
            step("decode, token", i + 1, o->gen_tokens);
            if (hl_model_decode(m, tok + o->prompt_tokens + i, 1, logits, 1, &e) != HL_OK) {
                rc = cli_error(&e);
                goto done;
            }
        }
        timing_add(&td, w0, c0);
    }
    cli_progress_end();
    fl_pre = P * model_flops(c, P / 2.0, 0);
    fl_dec = G * model_flops(c, P + G / 2.0, 1);
    printf("prefill %lld tokens: %8.1f / %8.1f tokens/s   %6.1f / %6.1f GFLOP/s", (long long)o->prompt_tokens,
           rate_wall(P, &tp), rate_idle(P, &tp, T), rate_wall(fl_pre, &tp) * 1e-9, rate_idle(fl_pre, &tp, T) * 1e-9);
    if (pk->fma_gflops > 0) { /* fast mode with quantized weights runs on the int8 dot (their products, counted as 2 ops each) */
        const int q8 = o->fast && hl_dtype_is_quantized(c->weight_dtype) && pk->int8_gops > 0;
        const double peak = q8 ? pk->int8_gops : o->fast ? pk->bf16_gflops : pk->fma_gflops;
        if (peak > 0)
            printf("  (%.0f%% of the %s peak)", 100.0 * rate_idle(fl_pre, &tp, T) * 1e-9 / peak,
                   q8 ? "int8-dot" : o->fast ? "bf16-dot" : "fp32-fma");
    }
    printf("\n");
    if (o->gen_tokens > 0) {
        printf("decode  %lld tokens: %8.2f / %8.2f tokens/s   %6.1f / %6.1f GB/s of weights, %.1f GFLOP/s", (long long)o->gen_tokens,
               rate_wall(G, &td), rate_idle(G, &td, T), rate_wall(G * wb, &td) * 1e-9, rate_idle(G * wb, &td, T) * 1e-9,
               rate_wall(fl_dec, &td) * 1e-9);
        if (pk->read_gbs > 0) printf("  (%.0f%% of measured read bandwidth)", 100.0 * rate_idle(G * wb, &td, T) * 1e-9 / pk->read_gbs);
        printf("\n");
    }
    if (o->batch > 1 && (rc = bench_batch(o, m, tok)) != 0) goto done;
    if (o->patch && (rc = bench_patch(o, m, tok)) != 0) goto done;
    rc = 1;
    if (o->cache_all) {
        size_t bytes = 0, n;
        if (hl_cache_create(&cache, &e) != HL_OK) {
            rc = cli_error(&e);
            goto done;
        }
        timing_reset(&tc);
        for (r = 0; r < o->reps; r++) {
            step("prefill caching every hook", r + 1, o->reps);
            w0 = cli_now(), c0 = cpu_sec();
            if (hl_model_run_with_cache(m, tok, o->prompt_tokens, NULL, cache, NULL, &e) != HL_OK) {
                rc = cli_error(&e);
                goto done;
            }
            timing_add(&tc, w0, c0);
        }
        cli_progress_end();
        for (n = 0; n < hl_cache_count(cache); n++) bytes += hl_tensor_nbytes(hl_cache_tensor(cache, n));
        printf("prefill with every hook cached (%zu tensors, %.2f GB): %8.1f / %8.1f tokens/s = %.3f x / %.3f x the plain prefill time\n",
               hl_cache_count(cache), (double)bytes * 1e-9, rate_wall(P, &tc), rate_idle(P, &tc, T), tc.wall / tp.wall,
               tc.cpu / tp.cpu);
    }
    printf("peak RSS %.2f GB (weights %.2f GB mapped, KV cache %.3f GB)\n", peak_rss_bytes() * 1e-9, wb * 1e-9,
           2.0 * (double)c->n_layers * (double)(c->n_kv_heads * c->d_head) * (double)(d.n_ctx) * 4.0 * 1e-9);
    rc = 0;
done:
    hl_cache_free(cache);
    hl_model_free(m);
    free(tok), free(logits);
    return rc;
}

/* ---- the scan ---------------------------------------------------------------------------------------- */
/* /proc/self/status field (kB) in bytes, or -1 */
static double proc_status_bytes(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double v = -1.0;
    const size_t n = strlen(key);
    if (!f) return v;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            v = strtod(line + n + 1, NULL) * 1024.0;
            break;
        }
    fclose(f);
    return v;
}

/* bench --scan MODEL SAE: `hooklens scan` itself (hl_scanrun, the same call cmd_scan makes) over
   --windows windows of --ctx tokens (BOS + random tokens, or --corpus), after a warm-up batch of 8
   windows, against the peaks measured in the same run (--peak is implied).
   FLOPs counted (multiply-adds x 2), per position of a window, BOS included (every position runs):
     model   the layers the pass runs: with --no-ce it stops after the SAE, so layers 0..L of a hook
             blocks.L.* (0..L-1 for hook_resid_pre); each layer as model_flops, attention over
             (ctx+1)/2 keys on average (causal); with CE three whole passes (SAE spliced, clean, hook
             zeroed) each with the unembedding
     SAE     encode 2 d_in d_sae; decode 2 L0 d_in at the measured L0 (positions 1.. of each window)
   Elementwise work (norms, softmax, JumpReLU, the statistics) is not counted. */
static int bench_scan(const bench_opts *o, const cli_args *c, const peaks *pk) {
    const int64_t ctx = cli_int(c, CLI_CTX, 128), W = cli_int(c, CLI_WINDOWS, 16);
    const int no_ce = c->n[CLI_NO_CE] > 0, reps = c->n[CLI_REPS] ? o->reps : 1, nf = c->n[CLI_CORPUS];
    hl_model_desc md;
    hl_sae_desc sd;
    hl_model *m = NULL;
    hl_sae *sae = NULL;
    hl_corpus rnd, *corp = NULL, *loaded = NULL;
    hl_scanrun_opts so;
    hl_scan *scan = NULL;
    hl_scan_view v;
    hl_error e;
    char **meta = NULL;
    const char **files = NULL;
    const hl_model_cfg *mc;
    const hl_sae_config *scfg;
    timing tm;
    double w0, c0, l0 = 0.0, ntok, per_layer, d, qd, kvd, fl_model, fl_enc, fl_dec, fl, tps_w, tps_i, gf_w, gf_i;
    int64_t i, f, layers, hl_layer, passes_layers;
    int r, T, rc = 1;
    const char *hook;
    hl_status st;
    memset(&md, 0, sizeof md);
    memset(&sd, 0, sizeof sd);
    memset(&rnd, 0, sizeof rnd);
    md.path = c->pos[0];
    md.n_threads = o->threads;
    md.kernels = cli_kernels();
    md.fast = o->fast;
    md.no_tokenizer = nf == 0;
    sd.path = c->pos[1];
    sd.hook_name = cli_str(c, CLI_HOOK, NULL);
    sd.n_threads = o->threads;
    sd.kernels = md.kernels;
    if (hl_model_load(&md, &m, &e) != HL_OK || hl_sae_load(&sd, &sae, &e) != HL_OK || hl_sae_attach(sae, m, sd.hook_name, 0, &e) != HL_OK) {
        rc = cli_error(&e);
        goto done;
    }
    mc = hl_model_config(m);
    scfg = hl_sae_get_config(sae);
    T = hl_model_threads(m);
    hook = hl_sae_attached_hook(sae);
    if (nf) {
        if (!(files = (const char **)calloc((size_t)nf, sizeof *files))) goto done;
        for (i = 0; i < nf; i++) files[i] = cli_nth(c, CLI_CORPUS, (int)i);
        if (hl_corpus_load(m, files, (size_t)nf, &loaded, &e) != HL_OK) {
            rc = cli_error(&e);
            goto done;
        }
        if (hl_corpus_windows(loaded, ctx) < W + 8) {
            fprintf(stderr, "hooklens bench: the corpus has %lld windows of %lld, --windows %lld needs %lld (8 more for the warm-up)\n",
                    (long long)hl_corpus_windows(loaded, ctx), (long long)ctx, (long long)W, (long long)(W + 8));
            goto done;
        }
        corp = loaded;
    } else { /* W + 8 windows of random tokens (ids 3 .. vocab-1) */
        rnd.n = (W + 8) * (ctx - 1);
        if (!(rnd.stream = (int32_t *)malloc((size_t)rnd.n * sizeof(int32_t)))) goto done;
        for (i = 0; i < rnd.n; i++) rnd.stream[i] = (int32_t)(3 + rng_next() % (uint32_t)(mc->d_vocab - 3));
        snprintf(rnd.sha256, sizeof rnd.sha256, "random");
        corp = &rnd;
    }
    memset(&so, 0, sizeof so);
    so.ctx = ctx, so.no_ce = no_ce, so.no_logits = 1;
    so.ctx_radius = 5; /* hooklens scan's default */
    /* warm-up: one batch of 8 windows after the timed ones maps in the layers' weights and W_enc and
       makes the model's and the SAE's scratch for a batch, as the first batch of a long scan does */
    {
        hl_corpus warm = hl_corpus_view(corp, W * (ctx - 1), 8 * (ctx - 1));
        step("scan warm-up", 1, 1);
        st = hl_scanrun(m, sae, &warm, &so, &scan, &meta, &e);
    }
    if (st != HL_OK) {
        cli_progress_end();
        rc = cli_error(&e);
        goto done;
    }
    hl_scan_free(scan), hl_free(meta), scan = NULL, meta = NULL;
    /* timed: windows 0 .. W-1 (the same call cmd_scan makes) */
    {
        hl_corpus part = hl_corpus_view(corp, 0, W * (ctx - 1)); /* exactly W windows */
        timing_reset(&tm);
        for (r = 0; r < reps; r++) {
            hl_scan_free(scan), hl_free(meta), scan = NULL, meta = NULL;
            step("scan", r + 1, reps);
            w0 = cli_now(), c0 = cpu_sec();
            if (hl_scanrun(m, sae, &part, &so, &scan, &meta, &e) != HL_OK) {
                cli_progress_end();
                rc = cli_error(&e);
                goto done;
            }
            timing_add(&tm, w0, c0);
        }
    }
    cli_progress_end();
    hl_scan_stats(scan, &v);
    for (f = 0; f < scfg->d_sae; f++) l0 += (double)v.count[f];
    l0 /= hl_scan_extra(scan, HL_SCAN_X_TOKENS);
    /* FLOPs */
    d = (double)mc->d_model, qd = (double)(mc->n_heads * mc->d_head), kvd = (double)(mc->n_kv_heads * mc->d_head);
    per_layer = 2.0 * d * (qd + 2.0 * kvd) + 2.0 * qd * d + (mc->gated ? 3.0 : 2.0) * 2.0 * d * (double)mc->d_mlp +
                2.0 * 2.0 * qd * (double)(ctx + 1) / 2.0;
    hl_layer = strncmp(hook, "blocks.", 7) == 0 ? atoll(hook + 7) : -1;
    layers = hl_layer < 0 ? 0 : strstr(hook, "hook_resid_pre") ? hl_layer : hl_layer + 1;
    passes_layers = no_ce ? layers : 3 * mc->n_layers;
    fl_model = per_layer * (double)passes_layers + (no_ce ? 0.0 : 3.0 * 2.0 * d * (double)mc->d_vocab);
    fl_enc = 2.0 * (double)scfg->d_in * (double)scfg->d_sae;
    fl_dec = 2.0 * l0 * (double)scfg->d_in;
    fl = fl_model + fl_enc + fl_dec;
    ntok = (double)(W * ctx);
    tps_w = rate_wall(ntok, &tm), tps_i = rate_idle(ntok, &tm, T);
    gf_w = tps_w * fl * 1e-9, gf_i = tps_i * fl * 1e-9;
    printf("\nscan %s with %s at %s (d_sae %lld, %s): %lld windows x ctx %lld of %s, %s mode, %d thread(s), kernels %s\n",
           c->pos[0], c->pos[1], hook, (long long)scfg->d_sae, hl_dtype_name(scfg->dtype), (long long)W, (long long)ctx,
           nf ? "the corpus" : "random tokens", fast_name(o->fast), T, hl_model_kernels(m));
    if (no_ce) printf("  --no-ce: one pass per batch, stopped after the SAE: layers 0..%lld of %lld, the SAE\n", (long long)(layers - 1), (long long)mc->n_layers);
    else printf("  CE on: three whole passes per batch (SAE spliced, clean, hook zeroed) with the unembedding and log-softmax\n");
    printf("  measured L0 %.1f features per token (positions 1.. of each window)\n", l0);
    printf("  FLOP per position: model %.3g (%lld layer passes%s, attention over %.1f keys), SAE encode %.3g, decode %.3g: %.3g\n",
           fl_model, (long long)passes_layers, no_ce ? "" : " + 3 unembeddings", (double)(ctx + 1) / 2.0, fl_enc, fl_dec, fl);
    printf("  %.1f / %.1f tokens/s (wall / idle-equivalent), %.1f / %.1f GFLOP/s, %.2f s wall for %.0f positions\n", tps_w, tps_i, gf_w, gf_i,
           tm.wall, ntok);
    if (pk->fma_gflops > 0) {
        printf("  = %.0f%% of the fp32 FMA peak (idle-equivalent; wall vs wall %.0f%%)", 100.0 * gf_i / pk->fma_gflops, 100.0 * gf_w / pk->fma_wall);
        if (pk->bf16_gflops > 0)
            printf(", %.0f%% of the bf16-dot peak (wall vs wall %.0f%%)", 100.0 * gf_i / pk->bf16_gflops, 100.0 * gf_w / pk->bf16_wall);
        printf("; %s mode's products are %s\n", o->fast ? "fast" : "exact",
               o->fast ? "bf16 dots for the bf16 model, fp32 FMA for the f32 SAE" : "fp32 FMA");
    }
    printf("  10M tokens: %.1f h here (wall), %.1f h with %d idle cores", 1e7 / tps_w / 3600.0, 1e7 / tps_i / 3600.0, T);
    if (pk->fma_gflops > 0)
        printf("; on a 64-core box %.2f h (assumes 64 cores each with this machine's measured per-core peaks, fp32 FMA %.0f / bf16 dot %.0f GFLOP/s, at the same %% of them: tokens/s x 64 / %d)",
               1e7 / (tps_i * 64.0 / (double)T) / 3600.0, pk->fma_gflops / (double)T, pk->bf16_gflops / (double)T, T);
    printf("\n  memory now: anonymous %.0f MB, file-backed %.0f MB (the SAE file is %.0f MB, mapped)\n", proc_status_bytes("RssAnon") * 1e-6,
           proc_status_bytes("RssFile") * 1e-6, 2.0 * (double)scfg->d_in * (double)scfg->d_sae * (double)hl_dtype_size(scfg->dtype) * 1e-6);
    rc = 0;
done:
    cli_progress_end();
    hl_scan_free(scan);
    hl_free(meta);
    hl_corpus_free(loaded);
    free(rnd.stream);
    free(files);
    hl_sae_free(sae);
    hl_model_free(m);
    return rc;
}

int cmd_bench(const cli_args *c) {
    bench_opts o;
    const char *model = c->n_pos ? c->pos[0] : NULL;
    hl__pool *pool;
    peaks pk;
    int rc = 0;
    memset(&o, 0, sizeof o);
    o.threads = (int)cli_int(c, CLI_THREADS, 0);
    if (o.threads == 0) o.threads = online_cores();
    o.prompt_tokens = cli_int(c, CLI_PROMPT_TOKENS, 512);
    o.gen_tokens = cli_int(c, CLI_GEN_TOKENS, 32);
    o.batch = cli_int(c, CLI_BATCH, 0);
    o.reps = (int)cli_int(c, CLI_REPS, 3);
    o.dtypes = cli_str(c, CLI_DTYPES, NULL);
    o.shape_n = 9216;
    o.shape_k = 2304;
    if (c->n[CLI_SHAPE]) {
        long long sn = 0, sk = 0;
        char end = 0;
        if (sscanf(cli_str(c, CLI_SHAPE, ""), "%lld,%lld%c", &sn, &sk, &end) != 2 || sn < 1 || sk < 1 || sn > 1000000 || sk > 1000000) {
            fprintf(stderr, "hooklens bench: --shape %s: expected N,K\n", cli_str(c, CLI_SHAPE, ""));
            return cli_usage("bench");
        }
        o.shape_n = sn, o.shape_k = sk;
    }
    o.fast = c->n[CLI_INT8] ? HL_FAST_INT8 : c->n[CLI_FAST] > 0;
    o.cache_all = c->n[CLI_CACHE_ALL] > 0;
    o.kernels = c->n[CLI_KERNELS] > 0;
    o.peak = c->n[CLI_PEAK] > 0;
    o.sae = c->n[CLI_SAE] > 0;
    o.patch = c->n[CLI_PATCH] > 0;
    if (c->n[CLI_SCAN] && c->n_pos != 2) return cli_usage("bench");
    if (!c->n[CLI_SCAN] && c->n_pos > 1) return cli_usage("bench");
    if (c->n[CLI_SCAN]) o.peak = 1; /* the scan is always reported against the peaks of the same run */
    if (o.prompt_tokens < 1 || o.gen_tokens < 0 || o.threads < 1 || o.reps < 1) return cli_usage("bench");
    if (!model && !o.kernels && !o.peak && !o.sae) return cli_usage("bench");
    pool = hl__pool_create(o.threads);
    printf("hooklens %s bench: %d thread(s), kernels %s (best on this CPU: %s)\n", hl_version(), hl__pool_threads(pool),
           hl_kernels_name(cli_kernels()), hl_kernels_name(hl_kernels_best()));
    memset(&pk, 0, sizeof pk);
    if (o.peak) {
        pk = measure_peaks(pool);
        cli_progress_end();
        printf("machine peaks now (wall / idle-equivalent): fp32 FMA %.0f / %.0f GFLOP/s, bf16 dot %.0f / %.0f GFLOP/s, "
               "int8 dot %.0f / %.0f GOP/s, memory read %.1f / %.1f GB/s\n",
               pk.fma_wall, pk.fma_gflops, pk.bf16_wall, pk.bf16_gflops, pk.int8_wall, pk.int8_gops, pk.read_wall, pk.read_gbs);
    }
    if (o.kernels && rc == 0) rc = bench_kernels(&o, pool, &pk);
    if (o.sae && rc == 0) rc = bench_sae(&o, pool, &pk);
    if (c->n[CLI_SCAN] && rc == 0) rc = bench_scan(&o, c, &pk);
    else if (model && rc == 0) rc = bench_model(&o, model, &pk);
    if (!model) printf("peak RSS %.0f MB\n", peak_rss_bytes() * 1e-6);
    hl__pool_free(pool);
    return rc;
}

/* ---- make-random-model ------------------------------------------------------------------------------ */
/* Real configurations (Hugging Face config.json of google/gemma-2-2b and gemma-2-9b,
   openai-community/gpt2, EleutherAI/pythia-160m) and made-up small Gemma-2 ones. */
typedef enum { RM_GEMMA2, RM_GPT2, RM_NEOX } rm_arch;
typedef struct rm_cfg {
    const char *name;
    rm_arch     arch;
    int64_t     d_model, d_mlp, n_layers, n_heads, n_kv_heads, d_head, vocab, window, qpas;
} rm_cfg;
static const rm_cfg rm_cfgs[] = {
    /* name          arch       d_model d_mlp  layers heads kv  d_head vocab   window qpas */
    {"gemma-2-2b",   RM_GEMMA2, 2304,   9216,  26,    8,    4,  256,   256000, 4096,  256},
    {"gemma-2-9b",   RM_GEMMA2, 3584,   14336, 42,    16,   8,  256,   256000, 4096,  256},
    {"gemma-2-27b",  RM_GEMMA2, 4608,   36864, 46,    32,   16, 128,   256000, 4096,  144},
    {"gpt2-small",   RM_GPT2,   768,    3072,  12,    12,   12, 64,    50257,  0,     0},
    {"pythia-160m",  RM_NEOX,   768,    3072,  12,    12,   12, 64,    50304,  0,     0},
    {"small",        RM_GEMMA2, 512,    2048,  8,     8,    4,  64,    32000,  256,   64},
    {"tiny",         RM_GEMMA2, 64,     192,   4,     4,    2,  16,    512,    8,     16},
    {"micro",        RM_GEMMA2, 8,      16,    1,     2,    1,  4,     16,     2,     4}, /* fuzz seeds */
    {"gpt2-micro",   RM_GPT2,   8,      32,    1,     2,    2,  4,     16,     0,     0},
    {"pythia-micro", RM_NEOX,   16,     32,    1,     2,    2,  8,     16,     0,     0},
};

static int rm_write_config(const char *dir, const rm_cfg *c, hl_dtype dt) {
    char path[4096];
    const char *dtn = dt == HL_DTYPE_F32 ? "float32" : dt == HL_DTYPE_BF16 ? "bfloat16" : "float16";
    FILE *f;
    snprintf(path, sizeof path, "%s/config.json", dir);
    f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "hooklens make-random-model: cannot create %s\n", path);
        return 1;
    }
    if (c->arch == RM_GPT2)
        fprintf(f,
                "{\n  \"architectures\": [\"GPT2LMHeadModel\"],\n  \"model_type\": \"gpt2\",\n"
                "  \"activation_function\": \"gelu_new\",\n  \"bos_token_id\": 50256,\n  \"eos_token_id\": 50256,\n"
                "  \"layer_norm_epsilon\": 1e-05,\n  \"n_ctx\": 1024,\n  \"n_embd\": %lld,\n  \"n_head\": %lld,\n"
                "  \"n_inner\": null,\n  \"n_layer\": %lld,\n  \"n_positions\": 1024,\n  \"torch_dtype\": \"%s\",\n"
                "  \"vocab_size\": %lld,\n  \"_comment\": \"random weights written by hooklens make-random-model --like %s\"\n}\n",
                (long long)c->d_model, (long long)c->n_heads, (long long)c->n_layers, dtn, (long long)c->vocab, c->name);
    else if (c->arch == RM_NEOX)
        fprintf(f,
                "{\n  \"architectures\": [\"GPTNeoXForCausalLM\"],\n  \"model_type\": \"gpt_neox\",\n"
                "  \"bos_token_id\": 0,\n  \"eos_token_id\": 0,\n  \"hidden_act\": \"gelu\",\n  \"hidden_size\": %lld,\n"
                "  \"intermediate_size\": %lld,\n  \"layer_norm_eps\": 1e-05,\n  \"max_position_embeddings\": 2048,\n"
                "  \"num_attention_heads\": %lld,\n  \"num_hidden_layers\": %lld,\n  \"rotary_emb_base\": 10000,\n"
                "  \"rotary_pct\": 0.25,\n  \"tie_word_embeddings\": false,\n  \"torch_dtype\": \"%s\",\n"
                "  \"use_parallel_residual\": true,\n  \"vocab_size\": %lld,\n"
                "  \"_comment\": \"random weights written by hooklens make-random-model --like %s\"\n}\n",
                (long long)c->d_model, (long long)c->d_mlp, (long long)c->n_heads, (long long)c->n_layers, dtn,
                (long long)c->vocab, c->name);
    else fprintf(f,
            "{\n  \"architectures\": [\"Gemma2ForCausalLM\"],\n  \"model_type\": \"gemma2\",\n"
            "  \"attention_bias\": false,\n  \"attention_dropout\": 0.0,\n  \"attn_logit_softcapping\": 50.0,\n"
            "  \"bos_token_id\": 2,\n  \"eos_token_id\": 1,\n  \"pad_token_id\": 0,\n  \"cache_implementation\": \"hybrid\",\n"
            "  \"final_logit_softcapping\": 30.0,\n  \"head_dim\": %lld,\n  \"hidden_act\": \"gelu_pytorch_tanh\",\n"
            "  \"hidden_activation\": \"gelu_pytorch_tanh\",\n  \"hidden_size\": %lld,\n  \"initializer_range\": 0.02,\n"
            "  \"intermediate_size\": %lld,\n  \"max_position_embeddings\": 8192,\n  \"num_attention_heads\": %lld,\n"
            "  \"num_hidden_layers\": %lld,\n  \"num_key_value_heads\": %lld,\n  \"query_pre_attn_scalar\": %lld,\n"
            "  \"rms_norm_eps\": 1e-06,\n  \"rope_theta\": 10000.0,\n  \"sliding_window\": %lld,\n"
            "  \"torch_dtype\": \"%s\",\n  \"use_cache\": true,\n  \"vocab_size\": %lld,\n"
            "  \"_comment\": \"random weights written by hooklens make-random-model --like %s\"\n}\n",
            (long long)c->d_head, (long long)c->d_model, (long long)c->d_mlp, (long long)c->n_heads,
            (long long)c->n_layers, (long long)c->n_kv_heads, (long long)c->qpas, (long long)c->window,
            dtn, (long long)c->vocab, c->name);
    if (fclose(f) != 0) {
        fprintf(stderr, "hooklens make-random-model: write error on %s\n", path);
        return 1;
    }
    return 0;
}

/* One tensor to write: name and shape ([rows] for norms, [rows, cols] for matrices). */
typedef struct rm_tensor {
    char    name[96];
    int64_t rows, cols; /* cols 0 = a 1-d norm weight */
    float   scale;      /* uniform in [-scale, scale) */
} rm_tensor;

/* Tensors of layer l (or the globals for l < 0), in HF naming. Returns the count (<= 16). */
static int rm_layer_tensors(const rm_cfg *c, int64_t l, rm_tensor *t) {
    /* weights ~ U(-a, a) with a = sqrt(3) * 0.02 (std 0.02, HF initializer_range); norm weights
       small around 0 (Gemma multiplies by 1 + w) */
    const float a = 0.0346f;
    int n = 0;
#define RM_T(pat, r, cc, sc) \
    do { \
        snprintf(t[n].name, sizeof t[n].name, pat, (long long)l); \
        t[n].rows = (r), t[n].cols = (cc), t[n].scale = (sc); \
        n++; \
    } while (0)
#define RM_G(nm, r, cc, sc) /* a global tensor: no layer in the name */ \
    do { \
        snprintf(t[n].name, sizeof t[n].name, "%s", nm); \
        t[n].rows = (r), t[n].cols = (cc), t[n].scale = (sc); \
        n++; \
    } while (0)
    const int64_t d = c->d_model, dm = c->d_mlp, hd = c->n_heads * c->d_head, kd = c->n_kv_heads * c->d_head;
    if (c->arch == RM_GPT2) { /* Conv1D weights [in, out], no "transformer." prefix (as openai-community/gpt2) */
        if (l < 0) {
            RM_G("wte.weight", c->vocab, d, a);
            RM_G("wpe.weight", 1024, d, a);
            RM_G("ln_f.weight", d, 0, 0.1f);
            RM_G("ln_f.bias", d, 0, 0.1f);
            return n;
        }
        RM_T("h.%lld.ln_1.weight", d, 0, 0.1f);
        RM_T("h.%lld.ln_1.bias", d, 0, 0.1f);
        RM_T("h.%lld.attn.c_attn.weight", d, 3 * d, a);
        RM_T("h.%lld.attn.c_attn.bias", 3 * d, 0, a);
        RM_T("h.%lld.attn.c_proj.weight", d, d, a);
        RM_T("h.%lld.attn.c_proj.bias", d, 0, a);
        RM_T("h.%lld.ln_2.weight", d, 0, 0.1f);
        RM_T("h.%lld.ln_2.bias", d, 0, 0.1f);
        RM_T("h.%lld.mlp.c_fc.weight", d, dm, a);
        RM_T("h.%lld.mlp.c_fc.bias", dm, 0, a);
        RM_T("h.%lld.mlp.c_proj.weight", dm, d, a);
        RM_T("h.%lld.mlp.c_proj.bias", d, 0, a);
        return n;
    }
    if (c->arch == RM_NEOX) {
        if (l < 0) {
            RM_G("gpt_neox.embed_in.weight", c->vocab, d, a);
            RM_G("gpt_neox.final_layer_norm.weight", d, 0, 0.1f);
            RM_G("gpt_neox.final_layer_norm.bias", d, 0, 0.1f);
            RM_G("embed_out.weight", c->vocab, d, a);
            return n;
        }
        RM_T("gpt_neox.layers.%lld.input_layernorm.weight", d, 0, 0.1f);
        RM_T("gpt_neox.layers.%lld.input_layernorm.bias", d, 0, 0.1f);
        RM_T("gpt_neox.layers.%lld.attention.query_key_value.weight", 3 * hd, d, a);
        RM_T("gpt_neox.layers.%lld.attention.query_key_value.bias", 3 * hd, 0, a);
        RM_T("gpt_neox.layers.%lld.attention.dense.weight", d, hd, a);
        RM_T("gpt_neox.layers.%lld.attention.dense.bias", d, 0, a);
        RM_T("gpt_neox.layers.%lld.post_attention_layernorm.weight", d, 0, 0.1f);
        RM_T("gpt_neox.layers.%lld.post_attention_layernorm.bias", d, 0, 0.1f);
        RM_T("gpt_neox.layers.%lld.mlp.dense_h_to_4h.weight", dm, d, a);
        RM_T("gpt_neox.layers.%lld.mlp.dense_h_to_4h.bias", dm, 0, a);
        RM_T("gpt_neox.layers.%lld.mlp.dense_4h_to_h.weight", d, dm, a);
        RM_T("gpt_neox.layers.%lld.mlp.dense_4h_to_h.bias", d, 0, a);
        return n;
    }
    if (l < 0) {
        RM_G("model.embed_tokens.weight", c->vocab, d, a);
        RM_G("model.norm.weight", d, 0, 0.1f);
        return n;
    }
    RM_T("model.layers.%lld.input_layernorm.weight", d, 0, 0.1f);
    RM_T("model.layers.%lld.self_attn.q_proj.weight", hd, d, a);
    RM_T("model.layers.%lld.self_attn.k_proj.weight", kd, d, a);
    RM_T("model.layers.%lld.self_attn.v_proj.weight", kd, d, a);
    RM_T("model.layers.%lld.self_attn.o_proj.weight", d, hd, a);
    RM_T("model.layers.%lld.post_attention_layernorm.weight", d, 0, 0.1f);
    RM_T("model.layers.%lld.pre_feedforward_layernorm.weight", d, 0, 0.1f);
    RM_T("model.layers.%lld.mlp.gate_proj.weight", dm, d, a);
    RM_T("model.layers.%lld.mlp.up_proj.weight", dm, d, a);
    RM_T("model.layers.%lld.mlp.down_proj.weight", d, dm, a);
    RM_T("model.layers.%lld.post_feedforward_layernorm.weight", d, 0, 0.1f);
#undef RM_T
#undef RM_G
    return n;
}

static double rm_bytes(const rm_tensor *t, hl_dtype dt) {
    return (double)t->rows * (double)(t->cols ? t->cols : 1) * (double)hl_dtype_size(dt);
}

/* Writes one safetensors file holding tensors t[0..n), each filled with random values. At most
   this shard is in memory at once (the caller keeps shards near 1 GB). */
static int rm_write_shard(const char *path, const rm_tensor *t, int n, hl_dtype dt) {
    const char **names = (const char **)calloc((size_t)n, sizeof *names);
    hl_tensor *ts = (hl_tensor *)calloc((size_t)n, sizeof *ts);
    hl_error e;
    hl_status st;
    int i, rc = 0;
    if (!names || !ts) {
        free(names), free(ts);
        fprintf(stderr, "hooklens make-random-model: out of memory\n");
        return 1;
    }
    for (i = 0; i < n; i++) {
        int64_t cnt = t[i].rows * (t[i].cols ? t[i].cols : 1);
        names[i] = t[i].name;
        ts[i].dtype = dt;
        ts[i].ndim = t[i].cols ? 2 : 1;
        ts[i].shape[0] = t[i].rows;
        ts[i].shape[1] = t[i].cols;
        ts[i].data = malloc((size_t)cnt * hl_dtype_size(dt));
        if (!ts[i].data) {
            fprintf(stderr, "hooklens make-random-model: out of memory for %s\n", t[i].name);
            rc = 1;
            goto done;
        }
        fill_weights(ts[i].data, dt, cnt, t[i].scale);
    }
    st = hl_safetensors_write(path, names, ts, (size_t)n, NULL, &e);
    if (st != HL_OK) rc = cli_error(&e);
done:
    for (i = 0; i < n; i++) free(ts[i].data);
    free(names), free(ts);
    return rc;
}

/* --format gguf: the random folder is written beside OUT (OUT.d), converted by convert-gguf with
   the requested dtype (q8_0, q4_0 and q4_k quantize a bf16 folder), then removed. */
static int rm_as_gguf(const cli_args *a, const char *out, const char *dtype) {
    char tmp[4200], cmd[4300], layers[32], seed[32];
    char *args[16];
    int n = 0, rc;
    if (strlen(out) > 4000 || strchr(out, '\'')) return cli_usage("make-random-model");
    snprintf(tmp, sizeof tmp, "%s.d", out);
    /* the same model as a folder: --like, --layers, --seed; f32/f16 kept, anything else from bf16 */
    args[n++] = (char *)"make-random-model";
    args[n++] = (char *)"--like", args[n++] = (char *)cli_str(a, CLI_LIKE, "");
    if (a->n[CLI_LAYERS]) snprintf(layers, sizeof layers, "%lld", (long long)cli_int(a, CLI_LAYERS, 0)), args[n++] = (char *)"--layers", args[n++] = layers;
    if (a->n[CLI_SEED]) snprintf(seed, sizeof seed, "%lld", (long long)cli_int(a, CLI_SEED, 0)), args[n++] = (char *)"--seed", args[n++] = seed;
    args[n++] = (char *)"--dtype";
    args[n++] = (char *)(strcmp(dtype, "f32") == 0 || strcmp(dtype, "f16") == 0 ? dtype : "bf16");
    args[n++] = tmp;
    args[n] = NULL;
    rc = cli_call(n, args);
    if (rc == 0) {
        char *cv[6] = {(char *)"convert-gguf", tmp, (char *)out, (char *)"--dtype", (char *)dtype, NULL};
        rc = cli_call(5, cv);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "hooklens make-random-model: could not remove %s\n", tmp);
    return rc;
}

int cmd_make_random_model(const cli_args *a) {
    const char *like = cli_str(a, CLI_LIKE, NULL), *out = a->n_pos ? a->pos[0] : NULL;
    const char *format = cli_str(a, CLI_FORMAT, "hf"), *dtype_arg = cli_str(a, CLI_DTYPE, "bf16");
    hl_dtype dt = parse_dtype(dtype_arg);
    rm_cfg c;
    rm_tensor *all = NULL;
    int *shard_of = NULL, n_all = 0, n_shards = 0, i, rc = 0;
    int64_t layers = cli_int(a, CLI_LAYERS, -1), l;
    double total = 0, shard_bytes = 0;
    const double shard_max = 1e9;
    char path[4096];
    size_t k;
    if (a->n[CLI_SEED]) rng_state = (uint32_t)cli_int(a, CLI_SEED, 0) | 1u;
    if (dt == HL_DTYPE_INVALID && hl_qtype_from_name(dtype_arg, strlen(dtype_arg)) == HL_DTYPE_INVALID) {
        fprintf(stderr, "hooklens make-random-model: --dtype %s: f32, bf16, f16 (or with --format gguf q8_0, q4_0, q4_k)\n", dtype_arg);
        return cli_usage("make-random-model");
    }
    if (strcmp(format, "hf") != 0 && strcmp(format, "gguf") != 0) {
        fprintf(stderr, "hooklens make-random-model: --format %s: hf or gguf\n", format);
        return cli_usage("make-random-model");
    }
    if (!like || !out) return cli_usage("make-random-model");
    if (strcmp(format, "gguf") == 0) return rm_as_gguf(a, out, dtype_arg);
    if (dt == HL_DTYPE_INVALID) {
        fprintf(stderr, "hooklens make-random-model: --dtype %s needs --format gguf\n", dtype_arg);
        return 2;
    }
    for (k = 0; k < sizeof rm_cfgs / sizeof rm_cfgs[0]; k++)
        if (strcmp(rm_cfgs[k].name, like) == 0) break;
    if (k == sizeof rm_cfgs / sizeof rm_cfgs[0]) {
        fprintf(stderr, "hooklens make-random-model: unknown --like '%s' (gemma-2-2b, gemma-2-9b, gemma-2-27b, gpt2-small, "
                "pythia-160m, small, tiny, micro, gpt2-micro, pythia-micro)\n", like);
        return 2;
    }
    c = rm_cfgs[k];
    if (layers > 0) c.n_layers = layers; /* fewer layers: same per-layer shapes, smaller file */
    {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", out);
        if (strchr(out, '\'') || system(cmd) != 0) {
            fprintf(stderr, "hooklens make-random-model: cannot create folder %s\n", out);
            return 1;
        }
    }
    /* every tensor, then shards of consecutive tensors up to ~1 GB (a single tensor may exceed it) */
    all = (rm_tensor *)calloc((size_t)(c.n_layers + 1) * 16, sizeof *all);
    shard_of = (int *)calloc((size_t)(c.n_layers + 1) * 16, sizeof *shard_of);
    if (!all || !shard_of) {
        free(all), free(shard_of);
        fprintf(stderr, "hooklens make-random-model: out of memory\n");
        return 1;
    }
    for (l = -1; l < c.n_layers; l++) n_all += rm_layer_tensors(&c, l, all + n_all);
    for (i = 0; i < n_all; i++) {
        double b = rm_bytes(&all[i], dt);
        if (i > 0 && shard_bytes + b > shard_max) n_shards++, shard_bytes = 0;
        shard_of[i] = n_shards;
        shard_bytes += b;
        total += b;
    }
    n_shards++;
    if (rm_write_config(out, &c, dt) != 0) rc = 1;
    fprintf(stderr, "writing %s: %s-shaped, %lld layers, %s, %.2f GB in %d file(s)\n", out, c.name,
            (long long)c.n_layers, hl_dtype_name(dt), total * 1e-9, n_shards);
    for (i = 0; rc == 0 && i < n_all;) {
        int j = i, s = shard_of[i];
        while (j < n_all && shard_of[j] == s) j++;
        if (n_shards == 1) snprintf(path, sizeof path, "%s/model.safetensors", out);
        else snprintf(path, sizeof path, "%s/model-%05d-of-%05d.safetensors", out, s + 1, n_shards);
        rc = rm_write_shard(path, all + i, j - i, dt);
        cli_progress("[make-random-model: file %d/%d]", s + 1, n_shards);
        i = j;
    }
    cli_progress_end();
    if (rc == 0 && n_shards > 1) { /* model.safetensors.index.json, as transformers writes it */
        FILE *f;
        snprintf(path, sizeof path, "%s/model.safetensors.index.json", out);
        f = fopen(path, "w");
        if (!f) rc = 1;
        else {
            fprintf(f, "{\n  \"metadata\": {\"total_size\": %.0f},\n  \"weight_map\": {\n", total);
            for (i = 0; i < n_all; i++)
                fprintf(f, "    \"%s\": \"model-%05d-of-%05d.safetensors\"%s\n", all[i].name, shard_of[i] + 1, n_shards,
                        i + 1 < n_all ? "," : "");
            fprintf(f, "  }\n}\n");
            if (fclose(f) != 0) rc = 1;
        }
        if (rc) fprintf(stderr, "hooklens make-random-model: cannot write %s\n", path);
    }
    free(all), free(shard_of);
    if (rc == 0) printf("%s\n", out);
    return rc;
}

/* ---- make-random-sae --------------------------------------------------------------------------------- */
/* A JumpReLU SAE with GemmaScope's shapes and dtype (W_enc [d_in, d_sae], W_dec [d_sae, d_in], b_enc,
   b_dec, threshold, all f32), written as a SAELens folder (cfg.json + sae_weights.safetensors), whose
   sparsity is realistic on MODEL's own activations at the hook:
     x      the hook's activation of a token; r^2 = mean ||x||^2 over the non-BOS positions of 4 windows
            of BOS + 127 random tokens (the pass stops at the hook)
     W_enc  iid N(0, 1/r^2): for a token x, over the features, pre_i = x . W_enc[:, i] ~ N(0, ||x||^2 / r^2),
            a unit-variance pre-activation for a token of typical norm
     b_enc  0;  threshold_i = z for every feature, so feature i fires when pre_i > z
     E[L0 | x] = d_sae * Q(z * r / ||x||)   (Q(a) = P(N(0,1) > a) = erfc(a / sqrt 2) / 2)
            z is solved (bisection) so that the mean of E[L0 | x] over the sampled tokens is --l0
     W_dec  row i = W_enc[:, i] / ||W_enc[:, i]|| (unit-norm decoder rows, SAELens' tied init);  b_dec 0
   The measured L0 of a scan is then --l0 up to the sampling of tokens and weights (features whose
   direction lines up with the activations' mean fire on most tokens, the rest rarely, as in real SAEs). */
typedef struct rs_grab {
    float  *x;    /* [n, d] the hook's activation (malloc'd at the first call) */
    int64_t n, d;
} rs_grab;
static hl_status rs_hook(const hl_hook_info *info, hl_tensor *act, void *user) {
    rs_grab *g = (rs_grab *)user;
    const int64_t numel = hl_tensor_numel(act);
    (void)info;
    if (act->ndim < 2 || numel % g->n != 0 || g->x) return HL_ERR_SHAPE;
    g->d = numel / g->n;
    if (!(g->x = (float *)malloc((size_t)numel * sizeof(float)))) return HL_ERR_OOM;
    memcpy(g->x, act->data, (size_t)numel * sizeof(float));
    return HL_ERR_ABORTED; /* nothing after the hook point is needed */
}
/* a standard normal (Box-Muller on two uniforms in (0, 1]) */
static double rng_normal(void) {
    const double u1 = ((double)rng_next() + 1.0) / 4294967296.0, u2 = ((double)rng_next() + 1.0) / 4294967296.0;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

int cmd_make_random_sae(const cli_args *a) {
    enum { B = 4, T = 128 };
    const char *out = a->n_pos == 2 ? a->pos[1] : NULL;
    const int64_t d_sae = cli_int(a, CLI_WIDTH, 65536);
    const double l0 = cli_num(a, CLI_L0, 100.0);
    hl_model_desc md;
    hl_model *m = NULL;
    hl_error e;
    hl_batch bt;
    rs_grab g;
    int32_t tok[B * T];
    char hook[256], path[4200], cfgtxt[2048];
    double *norm2 = NULL, r2 = 0.0, lo = 0.0, hi = 40.0, z = 0.0;
    float *We = NULL, *Wd = NULL, *be = NULL, *bd = NULL, *th = NULL, sd;
    int64_t i, k, t, nt = 0, i0, layer;
    int hid = -1, rc = 1, it;
    hl_status st;
    if (!out) return cli_usage("make-random-sae");
    if (a->n[CLI_SEED]) rng_state = (uint32_t)cli_int(a, CLI_SEED, 0) | 1u;
    if (!(l0 < (double)d_sae)) {
        fprintf(stderr, "hooklens make-random-sae: --l0 %g must be below --width %lld\n", l0, (long long)d_sae);
        return 2;
    }
    memset(&md, 0, sizeof md);
    memset(&g, 0, sizeof g);
    md.path = a->pos[0];
    md.n_threads = (int)cli_int(a, CLI_THREADS, 0);
    md.kernels = cli_kernels();
    md.no_tokenizer = 1;
    if (hl_model_load(&md, &m, &e) != HL_OK) return cli_error(&e);
    if (hl_model_config(m)->bos_id < 0) {
        fprintf(stderr, "hooklens make-random-sae: the model has no BOS token\n");
        goto done;
    }
    if (a->n[CLI_HOOK]) snprintf(hook, sizeof hook, "%s", cli_str(a, CLI_HOOK, ""));
    else snprintf(hook, sizeof hook, "blocks.%lld.hook_resid_post", (long long)(hl_model_config(m)->n_layers / 2 - 1));
    layer = strncmp(hook, "blocks.", 7) == 0 ? atoll(hook + 7) : -1;
    for (i = 0; i < B * T; i++)
        tok[i] = i % T == 0 ? hl_model_config(m)->bos_id : (int32_t)(3 + rng_next() % (uint32_t)(hl_model_config(m)->d_vocab - 3));
    g.n = B * T;
    memset(&bt, 0, sizeof bt);
    bt.tokens = tok, bt.n_batch = B, bt.n_pos = T;
    if (hl_model_add_hook(m, hook, rs_hook, &g, &hid, &e) != HL_OK) {
        rc = cli_error(&e);
        goto done;
    }
    st = hl_model_run_batch(m, &bt, NULL, &e);
    if (!g.x || (st != HL_OK && st != HL_ERR_ABORTED)) {
        if (g.x || st == HL_OK) fprintf(stderr, "hooklens make-random-sae: %s did not fire as [batch, pos, d]\n", hook);
        else rc = cli_error(&e);
        goto done;
    }
    /* r^2 and each token's ||x||^2 (BOS left out, as the scan leaves it out) */
    if (!(norm2 = (double *)calloc((size_t)(B * T), sizeof *norm2))) goto oom;
    for (t = 0; t < B * T; t++) {
        double s = 0.0;
        if (t % T == 0) continue;
        for (k = 0; k < g.d; k++) s += (double)g.x[t * g.d + k] * (double)g.x[t * g.d + k];
        norm2[nt++] = s, r2 += s;
    }
    r2 /= (double)nt;
    if (!(r2 > 0.0) || !isfinite(r2)) {
        fprintf(stderr, "hooklens make-random-sae: the activations at %s are zero or not finite\n", hook);
        goto done;
    }
    for (it = 0; it < 200; it++) { /* mean_t d_sae * Q(z * r / ||x_t||) is decreasing in z */
        double mean = 0.0;
        z = 0.5 * (lo + hi);
        for (t = 0; t < nt; t++) mean += (double)d_sae * 0.5 * erfc(z * sqrt(r2 / norm2[t]) / sqrt(2.0));
        mean /= (double)nt;
        if (mean > l0) lo = z;
        else hi = z;
    }
    fprintf(stderr, "%s: d_in %lld, mean ||x|| %.4g over %lld tokens; threshold z = %.6f for %g features per token of %lld\n",
            hook, (long long)g.d, sqrt(r2), (long long)nt, z, l0, (long long)d_sae);
    We = (float *)malloc((size_t)(g.d * d_sae) * sizeof(float));
    Wd = (float *)malloc((size_t)(g.d * d_sae) * sizeof(float));
    be = (float *)calloc((size_t)d_sae, sizeof(float));
    th = (float *)malloc((size_t)d_sae * sizeof(float));
    bd = (float *)calloc((size_t)g.d, sizeof(float));
    if (!We || !Wd || !be || !th || !bd) goto oom;
    sd = (float)(1.0 / sqrt(r2));
    for (i = 0; i < g.d * d_sae; i++) We[i] = (float)rng_normal() * sd;
    for (i = 0; i < d_sae; i++) th[i] = (float)z;
    for (i0 = 0; i0 < d_sae; i0 += 64) { /* W_dec = W_enc^T with unit rows, 64 features at a time */
        const int64_t n = d_sae - i0 < 64 ? d_sae - i0 : 64;
        double nn[64];
        for (i = 0; i < n; i++) nn[i] = 0.0;
        for (k = 0; k < g.d; k++)
            for (i = 0; i < n; i++) nn[i] += (double)We[k * d_sae + i0 + i] * (double)We[k * d_sae + i0 + i];
        for (k = 0; k < g.d; k++)
            for (i = 0; i < n; i++) Wd[(i0 + i) * g.d + k] = (float)((double)We[k * d_sae + i0 + i] / sqrt(nn[i]));
    }
    {
        char cmd[4300];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", out);
        if (strchr(out, '\'') || strlen(out) > 4000 || system(cmd) != 0) {
            fprintf(stderr, "hooklens make-random-sae: cannot create folder %s\n", out);
            goto done;
        }
    }
    snprintf(cfgtxt, sizeof cfgtxt,
             "{\n  \"architecture\": \"jumprelu\",\n  \"d_in\": %lld,\n  \"d_sae\": %lld,\n  \"dtype\": \"float32\",\n"
             "  \"apply_b_dec_to_input\": false,\n  \"normalize_activations\": \"none\",\n  \"hook_name\": \"%s\",\n"
             "  \"hook_layer\": %lld,\n  \"model_class_name\": \"%s\",\n  \"context_size\": 128,\n  \"prepend_bos\": true,\n"
             "  \"_comment\": \"random weights written by hooklens make-random-sae: W_enc ~ N(0, 1/r^2), r = %.6g the mean "
             "activation norm, threshold %.6f for %g features per token\"\n}\n",
             (long long)g.d, (long long)d_sae, hook, (long long)layer, hl_model_config(m)->architecture, sqrt(r2), z, l0);
    snprintf(path, sizeof path, "%s/cfg.json", out);
    if (cli_write_file(path, cfgtxt, strlen(cfgtxt)) != 0) goto done;
    {
        const char *names[5] = {"W_enc", "W_dec", "b_enc", "b_dec", "threshold"};
        hl_tensor ts[5];
        memset(ts, 0, sizeof ts);
        for (i = 0; i < 5; i++) ts[i].dtype = HL_DTYPE_F32, ts[i].ndim = 1;
        ts[0].ndim = 2, ts[0].shape[0] = g.d, ts[0].shape[1] = d_sae, ts[0].data = We;
        ts[1].ndim = 2, ts[1].shape[0] = d_sae, ts[1].shape[1] = g.d, ts[1].data = Wd;
        ts[2].shape[0] = d_sae, ts[2].data = be;
        ts[3].shape[0] = g.d, ts[3].data = bd;
        ts[4].shape[0] = d_sae, ts[4].data = th;
        snprintf(path, sizeof path, "%s/sae_weights.safetensors", out);
        if (hl_safetensors_write(path, names, ts, 5, NULL, &e) != HL_OK) {
            rc = cli_error(&e);
            goto done;
        }
    }
    printf("%s\n", out);
    rc = 0;
    goto done;
oom:
    fprintf(stderr, "hooklens make-random-sae: out of memory\n");
done:
    if (hid >= 0) hl_model_remove_hook(m, hid, NULL);
    hl_model_free(m);
    free(g.x), free(norm2), free(We), free(Wd), free(be), free(bd), free(th);
    return rc;
}
