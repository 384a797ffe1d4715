/* tests/test_npz.c - CRC-32, inflate (stored, fixed, dynamic blocks), gzip (flags, concatenated
   members, streaming reader), npy v1/v2/v3 and npz (stored + deflate, ZIP64) including the
   GemmaScope-format fixtures. Hostile inputs are in test_hostile_npz.c. */
#include <stdlib.h>
#include <stdint.h>
#include <unistd.h>
#include "hl_test.h"
#include "npz_util.h"

/* CHECK_OK tests its error pointer for NULL; passing &local trips gcc -Waddress, so launder it. */
static hl_error *EP(hl_error *e) {
    return e;
}

static void test_crc32(void) {
    uint32_t c, table_ok = 1;
    unsigned i, k;
    CHECK(hl_crc32(0, "123456789", 9) == 0xcbf43926u); /* the standard check value */
    CHECK(hl_crc32(0, "", 0) == 0);
    c = hl_crc32(0, "1234", 4);
    CHECK(hl_crc32(c, "56789", 5) == 0xcbf43926u); /* incremental */
    /* every single-byte CRC equals the bitwise definition (this covers every table entry) */
    for (i = 0; i < 256; i++) {
        uint8_t b = (uint8_t)i;
        uint32_t ref = 0xffffffffu ^ i;
        for (k = 0; k < 8; k++) ref = (ref & 1) ? 0xedb88320u ^ (ref >> 1) : ref >> 1;
        if (hl_crc32(0, &b, 1) != ~ref) table_ok = 0;
    }
    CHECK(table_ok);
}

static void test_inflate_stored(void) {
    uint8_t in[70000], out[70000];
    tbuf d = {0, 0, 0};
    size_t got = 0, used = 0, i;
    hl_error e;
    for (i = 0; i < sizeof in; i++) in[i] = (uint8_t)(i * 7 + (i >> 9));
    tz_deflate_stored(&d, in, sizeof in); /* two blocks: 65535 + 4465 */
    CHECK_OK(hl_inflate(d.p, d.n, out, sizeof out, &got, &used, &e), EP(&e));
    CHECK(got == sizeof in && used == d.n && memcmp(in, out, got) == 0);
    /* empty stored block */
    d.n = 0;
    tz_deflate_stored(&d, in, 0);
    CHECK(d.n == 5);
    CHECK_OK(hl_inflate(d.p, d.n, out, 0, &got, &used, &e), EP(&e));
    CHECK(got == 0 && used == 5);
    tb_free(&d);
}

static void test_inflate_fixed(void) {
    /* text with repeats, an overlapping match (run of 'a') and long-distance matches */
    static uint8_t in[100000], out[100000];
    tbuf d = {0, 0, 0};
    size_t got = 0, used = 0, i;
    hl_error e;
    for (i = 0; i < sizeof in; i++) in[i] = (uint8_t)"the quick brown fox "[i % 20];
    memset(in + 5000, 'a', 3000);
    for (i = 20000; i < 60000; i++) in[i] = (uint8_t)((i * 2654435761u) >> 24); /* noise */
    memcpy(in + 70000, in + 40000, 20000); /* distance 30000 */
    tz_deflate_fixed(&d, in, sizeof in, 32768);
    CHECK(d.n < sizeof in);
    CHECK((d.p[0] & 7) == 3); /* BFINAL=1, BTYPE=01 */
    CHECK_OK(hl_inflate(d.p, d.n, out, sizeof out, &got, &used, &e), EP(&e));
    CHECK(got == sizeof in && used == d.n && memcmp(in, out, got) == 0);
    /* exact capacity works; one byte less is an error */
    CHECK(hl_inflate(d.p, d.n, out, sizeof in - 1, &got, &used, &e) == HL_ERR_FORMAT);
    CHECK(strstr(e.msg, "exceeds the 99999-byte buffer") != NULL);
    /* trailing bytes after the stream are not consumed */
    tb_put(&d, "XYZ", 3);
    CHECK_OK(hl_inflate(d.p, d.n, out, sizeof out, &got, &used, &e), EP(&e));
    CHECK(used == d.n - 3);
    tb_free(&d);
}

/* A dynamic-Huffman (BTYPE=10) raw DEFLATE stream of the text below, made by zlib at level 9
   (zlib.compressobj(9, zlib.DEFLATED, -15)); the test checks its block type bits and output. */
static const char dyn_text[] =
    "Sparse autoencoders decompose activations into features. "
    "Sparse autoencoders decompose activations into many features; JumpReLU thresholds make features sparse. "
    "The residual stream of a transformer is the sum of the outputs of all previous layers. "
    "Attention heads move information between positions; MLP layers process it in place. "
    "abcabcabcabcabc 0123456789 0123456789 0123456789 zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz. "
    "Gemma Scope releases JumpReLU sparse autoencoders for every layer of Gemma 2. "
    "A hook point names one activation: blocks.12.hook_resid_post, blocks.3.attn.hook_z, hook_embed.";
#include "inflate_dynamic.inc" /* static const uint8_t dyn_stream[] */

static void test_inflate_dynamic(void) {
    uint8_t out[2048];
    size_t got = 0, used = 0;
    hl_error e;
    CHECK(((dyn_stream[0] >> 1) & 3) == 2); /* BTYPE=10 */
    CHECK_OK(hl_inflate(dyn_stream, sizeof dyn_stream, out, sizeof out, &got, &used, &e), EP(&e));
    CHECK(got == sizeof dyn_text - 1 && memcmp(out, dyn_text, got) == 0);
    CHECK(used == sizeof dyn_stream);
}

static void test_gunzip_members(void) {
    static uint8_t a[50000], b[3000];
    tbuf g = {0, 0, 0};
    uint8_t *out = NULL;
    size_t n = 0, i;
    hl_error e;
    for (i = 0; i < sizeof a; i++) a[i] = (uint8_t)("{\"text\": \"hello\"}\n"[i % 18] + (i % 1000 == 0));
    for (i = 0; i < sizeof b; i++) b[i] = (uint8_t)(i ^ (i >> 3));
    tz_gzip(&g, a, sizeof a, 0, 1);                /* plain, fixed Huffman */
    tz_gzip(&g, b, sizeof b, 4 | 8 | 16 | 2, 0);   /* FEXTRA FNAME FCOMMENT FHCRC, stored */
    tz_gzip(&g, b, 0, 8, 1);                       /* an empty member */
    tz_gzip(&g, a, 1000, 2, 1);
    CHECK_OK(hl_gunzip(g.p, g.n, &out, &n, &e), EP(&e));
    CHECK(n == sizeof a + sizeof b + 1000);
    if (out && n == sizeof a + sizeof b + 1000) {
        CHECK(memcmp(out, a, sizeof a) == 0);
        CHECK(memcmp(out + sizeof a, b, sizeof b) == 0);
        CHECK(memcmp(out + sizeof a + sizeof b, a, 1000) == 0);
    }
    hl_free(out);
    tb_free(&g);
}

static void test_gzreader_stream(void) {
    /* 3 MB of output across two members, read in odd-sized chunks, must equal hl_gunzip */
    size_t n1 = 2000000, n2 = 1000003, i, total = 0, got = 0, whole_n = 0;
    uint8_t *src = (uint8_t *)malloc(n1 + n2), *whole = NULL, *back = (uint8_t *)malloc(n1 + n2);
    char path[] = "/tmp/hl_test_gzXXXXXX";
    tbuf g = {0, 0, 0};
    hl_gzreader *r = NULL;
    hl_error e;
    int fd, bad = 0;
    uint32_t x = 12345;
    for (i = 0; i < n1 + n2; i++) {
        x = x * 1103515245u + 12345u;
        /* words from a small vocabulary: lots of matches at many distances */
        src[i] = (uint8_t)("abcdefgh ijklmnop\n"[(x >> 16) % 18]);
        if (i > 40000 && (x >> 8) % 7 == 0) src[i] = src[i - 1 - (x >> 20) % 32000];
    }
    tz_gzip(&g, src, n1, 8, 1);
    tz_gzip(&g, src + n1, n2, 0, 0);
    fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) goto done;
    CHECK(write(fd, g.p, g.n) == (ssize_t)g.n);
    close(fd);
    CHECK_OK(hl_gunzip(g.p, g.n, &whole, &whole_n, &e), EP(&e));
    CHECK(whole_n == n1 + n2 && whole && memcmp(whole, src, whole_n) == 0);
    CHECK_OK(hl_gzreader_open(path, &r, &e), EP(&e));
    if (!r) goto done;
    for (;;) {
        size_t want = 1 + (total * 7919) % 100000;
        if (want > n1 + n2 - total) want = n1 + n2 - total + 1;
        if (hl_gzreader_read(r, back + total, want > n1 + n2 - total ? n1 + n2 - total : want, &got, &e) != HL_OK) {
            bad = 1;
            break;
        }
        if (got == 0) break;
        total += got;
        if (total == n1 + n2) {
            uint8_t extra;
            CHECK_OK(hl_gzreader_read(r, &extra, 1, &got, &e), EP(&e));
            CHECK(got == 0);
            break;
        }
    }
    CHECK(!bad);
    CHECK(total == n1 + n2 && memcmp(back, src, total) == 0);
    CHECK(hl_gzreader_tell(r) == g.n); /* every compressed byte consumed */
done:
    hl_gzreader_close(r);
    unlink(path);
    free(src);
    free(back);
    hl_free(whole);
    tb_free(&g);
}

static void test_npy_versions(void) {
    static const float f[6] = {1, 2, 3, 4, 5, 6};
    static const double d8[2] = {0.5, -1e300};
    static const uint16_t h[3] = {0x3c00, 0xc000, 0x0001};
    static const int32_t i4[2] = {-7, 2147483647};
    static const uint8_t bl[3] = {1, 0, 1};
    static const int8_t i1[2] = {-128, 127};
    static const int16_t i2[2] = {-300, 300};
    int major;
    hl_tensor t;
    hl_error e;
    for (major = 1; major <= 3; major++) {
        tbuf b = {0, 0, 0};
        tz_npy(&b, major, "<f4", "False", "(2, 3)", f, sizeof f, 64);
        CHECK((b.n - sizeof f) % 64 == 0);
        CHECK_OK(hl_npy_parse(b.p, b.n, &t, &e), EP(&e));
        CHECK(t.dtype == HL_DTYPE_F32 && t.ndim == 2 && t.shape[0] == 2 && t.shape[1] == 3);
        CHECK(t.data == b.p + b.n - sizeof f);
        CHECK(hl_tensor_get_f32(&t, 5) == 6.0f);
        tb_free(&b);
    }
    {
        struct { const char *descr, *shape; const void *data; size_t n; hl_dtype dt; int ndim; float v1; } cs[] = {
            {"<f8", "(2,)", d8, sizeof d8, HL_DTYPE_F64, 1, -1e30f * 1e30f},
            {"<f2", "(3,)", h, sizeof h, HL_DTYPE_F16, 1, -2.0f},
            {"<i4", "(1, 2)", i4, sizeof i4, HL_DTYPE_I32, 2, 2147483647.0f},
            {"|b1", "(3,)", bl, sizeof bl, HL_DTYPE_BOOL, 1, 0.0f},
            {"|u1", "(3,)", bl, sizeof bl, HL_DTYPE_U8, 1, 0.0f},
            {"|i1", "(2,)", i1, sizeof i1, HL_DTYPE_I8, 1, 127.0f},
            {"<i2", "(2,)", i2, sizeof i2, HL_DTYPE_I16, 1, 300.0f},
        };
        size_t k;
        for (k = 0; k < sizeof cs / sizeof cs[0]; k++) {
            tbuf b = {0, 0, 0};
            tz_npy(&b, 1, cs[k].descr, "False", cs[k].shape, cs[k].data, cs[k].n, 16);
            CHECK_OK(hl_npy_parse(b.p, b.n, &t, &e), EP(&e));
            CHECKF(t.dtype == cs[k].dt && t.ndim == cs[k].ndim, "%s", cs[k].descr);
            if (k > 0) CHECKF(hl_tensor_get_f32(&t, 1) == cs[k].v1, "%s", cs[k].descr);
            tb_free(&b);
        }
    }
    { /* a scalar (shape ()) and an empty array (shape (0, 4)); double quotes and no spaces */
        tbuf b = {0, 0, 0};
        const char *hdr = "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":()}";
        tb_put(&b, "\x93NUMPY\1\0", 8);
        tb_u16(&b, (unsigned)strlen(hdr) + 1);
        tb_put(&b, hdr, strlen(hdr));
        tb_u8(&b, '\n');
        tb_put(&b, f, 4);
        CHECK_OK(hl_npy_parse(b.p, b.n, &t, &e), EP(&e));
        CHECK(t.ndim == 0 && hl_tensor_numel(&t) == 1);
        b.n = 0;
        tz_npy(&b, 1, "<f4", "False", "(0, 4)", f, 0, 64);
        CHECK_OK(hl_npy_parse(b.p, b.n, &t, &e), EP(&e));
        CHECK(t.ndim == 2 && t.shape[0] == 0 && hl_tensor_numel(&t) == 0);
        tb_free(&b);
    }
}

static void test_npz_memory_zip64(void) {
    tbuf z;
    hl_npz *npz = NULL;
    hl_error e;
    const hl_tensor *a, *b, *c;
    tz_sample_npz(&z);
    CHECK_OK(hl_npz_open_memory(z.p, z.n, "sample.npz", &npz, &e), EP(&e));
    if (!npz) { tb_free(&z); return; }
    CHECK(hl_npz_count(npz) == 3);
    CHECK(strcmp(hl_npz_name(npz, 0), "a") == 0 && strcmp(hl_npz_name(npz, 2), "c") == 0);
    CHECK(hl_npz_name(npz, 3) == NULL && hl_npz_tensor(npz, 3) == NULL);
    a = hl_npz_find(npz, "a");
    b = hl_npz_find(npz, "b");
    c = hl_npz_find(npz, "c");
    CHECK(hl_npz_find(npz, "a.npy") == NULL && hl_npz_find(npz, "d") == NULL);
    CHECK(a && b && c);
    if (a && b && c) {
        /* "a.npy" data sits at file offset 30 + 5 + 20 + 128: not 4-aligned, so it was copied */
        CHECK(a->dtype == HL_DTYPE_F32 && a->ndim == 2 && a->shape[0] == 2 && a->shape[1] == 3);
        CHECK(((uintptr_t)a->data & 3) == 0);
        CHECK((const uint8_t *)a->data < z.p || (const uint8_t *)a->data >= z.p + z.n);
        CHECK(((const float *)a->data)[2] == 3.25f && ((const float *)a->data)[5] == -7.0f);
        CHECK(b->dtype == HL_DTYPE_I64 && b->shape[0] == 4 && ((const int64_t *)b->data)[2] == 3000000000LL);
        CHECK(((uintptr_t)b->data & 7) == 0);
        /* u1 needs no alignment: a borrowed view into the buffer */
        CHECK(c->dtype == HL_DTYPE_U8 && c->shape[0] == 5 && ((const uint8_t *)c->data)[4] == 255);
        CHECK((const uint8_t *)c->data > z.p && (const uint8_t *)c->data < z.p + z.n);
    }
    hl_npz_close(npz);
    tb_free(&z);
}

static void test_npz_variants(void) {
    /* classic zip (no ZIP64 anywhere), data descriptors, a non-.npy member, an aligned stored member */
    static const float v[4] = {1, 2, 3, 4};
    tz_zip z;
    tbuf t = {0, 0, 0};
    hl_npz *npz = NULL;
    hl_error e;
    const hl_tensor *x;
    memset(&z, 0, sizeof z);
    tz_npy(&t, 1, "<f4", "False", "(4,)", v, sizeof v, 64);
    tz_zip_add(&z, "readme.txt", "hi", 2, 0, 0, 0, 0);
    tz_zip_add(&z, "dd.npy", t.p, t.n, 8, 0, 0, 1);
    tz_zip_add(&z, "dd64.npy", t.p, t.n, 0, 1, 1, 1);
    tz_zip_add(&z, "ab.npy", t.p, t.n, 0, 0, 0, 0);
    tz_zip_finish(&z, 0);
    CHECK_OK(hl_npz_open_memory(z.b.p, z.b.n, "v.npz", &npz, &e), EP(&e));
    CHECK(hl_npz_count(npz) == 3);
    x = hl_npz_find(npz, "dd");
    CHECK(x && x->shape[0] == 4 && ((const float *)x->data)[3] == 4.0f);
    x = hl_npz_find(npz, "dd64");
    CHECK(x && ((const float *)x->data)[0] == 1.0f);
    x = hl_npz_find(npz, "ab");
    CHECK(x && ((const float *)x->data)[1] == 2.0f);
    hl_npz_close(npz);
    tb_free(&z.b);
    tb_free(&t);
}

/* Finds a tensor in a safetensors file by scanning its JSON header (test-only shortcut). */
static const float *st_find(const uint8_t *f, size_t n, const char *name, size_t *count) {
    char key[128];
    const char *hdr = (const char *)f + 8, *p;
    unsigned long long hl = 0, b0, b1;
    int i;
    for (i = 0; i < 8; i++) hl |= (unsigned long long)f[i] << (8 * i);
    if (n < 8 || hl > n - 8) return NULL;
    snprintf(key, sizeof key, "\"%s\":", name);
    p = strstr(hdr, key); /* the header is followed by binary data; the key is in the header */
    if (!p || (size_t)(p - hdr) > hl) return NULL;
    p = strstr(p, "\"data_offsets\":[");
    if (!p || sscanf(p, "\"data_offsets\":[%llu,%llu]", &b0, &b1) != 2) return NULL;
    *count = (size_t)(b1 - b0) / 4;
    return (const float *)(f + 8 + hl + b0);
}

static void check_sae_arrays(const hl_npz *z, const char *which) {
    static const char *names[5] = {"W_enc", "W_dec", "b_enc", "b_dec", "threshold"};
    static const int64_t shapes[5][2] = {{64, 256}, {256, 64}, {256, 0}, {64, 0}, {256, 0}};
    int i;
    CHECKF(hl_npz_count(z) == 5, "%s", which);
    for (i = 0; i < 5; i++) {
        const hl_tensor *t = hl_npz_find(z, names[i]);
        CHECKF(t != NULL, "%s %s", which, names[i]);
        if (!t) continue;
        CHECK(t->dtype == HL_DTYPE_F32);
        CHECK(t->ndim == (shapes[i][1] ? 2 : 1) && t->shape[0] == shapes[i][0]);
        if (shapes[i][1]) CHECK(t->shape[1] == shapes[i][1]);
        CHECK(((uintptr_t)t->data & 3) == 0);
    }
}

static void test_npz_gemmascope_fixtures(void) {
    const char *p1 = hlt_fixture("saes/gemma2-tiny/gemmascope-jumprelu/params.npz");
    const char *p2 = hlt_fixture("saes/gemma2-tiny/gemmascope-jumprelu/params_compressed.npz");
    const char *pr = hlt_fixture("saes/gemma2-tiny/reference.safetensors");
    hl_npz *s = NULL, *c = NULL;
    hl_error e;
    uint8_t *ref = NULL;
    size_t ref_n = 0, i;
    if (!hlt_need(p1) || !hlt_need(p2) || !hlt_need(pr)) return;
    CHECK_OK(hl_npz_open(p1, &s, &e), EP(&e));
    CHECK_OK(hl_npz_open(p2, &c, &e), EP(&e));
    if (!s || !c) goto done;
    check_sae_arrays(s, "stored");
    check_sae_arrays(c, "compressed");
    for (i = 0; i < hl_npz_count(s); i++) { /* same arrays, bit for bit */
        const hl_tensor *a = hl_npz_tensor(s, i), *b = hl_npz_find(c, hl_npz_name(s, i));
        CHECK(b && hl_tensor_nbytes(a) == hl_tensor_nbytes(b) && memcmp(a->data, b->data, hl_tensor_nbytes(a)) == 0);
    }
    /* the arrays reproduce the reference activations (an independent float64 computation):
       acts_pre = sae_input @ W_enc + b_enc     sae_input: [20, 64]  W_enc: [64, 256]
       acts_post = acts_pre * (acts_pre > threshold)
       recons = acts_post @ W_dec + b_dec        W_dec: [256, 64] */
    ref = (uint8_t *)hlt_read_file(pr, &ref_n);
    CHECK(ref != NULL);
    if (ref) {
        size_t nx = 0, npre = 0, npost = 0, nrec = 0;
        const float *x = st_find(ref, ref_n, "sae_input", &nx), *pre = st_find(ref, ref_n, "jumprelu.acts_pre", &npre);
        const float *post = st_find(ref, ref_n, "jumprelu.acts_post", &npost), *rec = st_find(ref, ref_n, "jumprelu.recons", &nrec);
        const float *We = (const float *)hl_npz_find(c, "W_enc")->data, *be = (const float *)hl_npz_find(c, "b_enc")->data;
        const float *Wd = (const float *)hl_npz_find(s, "W_dec")->data, *bd = (const float *)hl_npz_find(s, "b_dec")->data;
        const float *th = (const float *)hl_npz_find(s, "threshold")->data;
        static float mpre[20 * 256], mpost[20 * 256], mrec[20 * 64], xr[20 * 64], rpre[20 * 256], rpost[20 * 256], rrec[20 * 64];
        int p, j, k;
        CHECK(x && pre && post && rec && nx == 20 * 64 && npre == 20 * 256 && npost == 20 * 256 && nrec == 20 * 64);
        if (x && pre && post && rec && nx == 20 * 64 && npre == 20 * 256 && npost == 20 * 256 && nrec == 20 * 64) {
            memcpy(xr, x, sizeof xr); /* the reference file's data need not be aligned */
            memcpy(rpre, pre, sizeof rpre);
            memcpy(rpost, post, sizeof rpost);
            memcpy(rrec, rec, sizeof rrec);
            for (p = 0; p < 20; p++)
                for (j = 0; j < 256; j++) {
                    double acc = be[j];
                    for (k = 0; k < 64; k++) acc += (double)xr[p * 64 + k] * We[k * 256 + j];
                    mpre[p * 256 + j] = (float)acc;
                    mpost[p * 256 + j] = acc > th[j] ? (float)acc : 0.0f;
                }
            for (p = 0; p < 20; p++)
                for (k = 0; k < 64; k++) {
                    double acc = bd[k];
                    for (j = 0; j < 256; j++) acc += (double)rpost[p * 256 + j] * Wd[j * 64 + k];
                    mrec[p * 64 + k] = (float)acc;
                }
            CHECKF(hlt_rel_err(mpre, rpre, 20 * 256) < 1e-5, "acts_pre rel err %g", hlt_rel_err(mpre, rpre, 20 * 256));
            CHECKF(hlt_rel_err(mpost, rpost, 20 * 256) < 1e-5, "acts_post rel err %g", hlt_rel_err(mpost, rpost, 20 * 256));
            CHECKF(hlt_rel_err(mrec, rrec, 20 * 64) < 1e-5, "recons rel err %g", hlt_rel_err(mrec, rrec, 20 * 64));
        }
    }
done:
    free(ref);
    hl_npz_close(s);
    hl_npz_close(c);
}

void suite_npz(void) {
    RUN(test_crc32);
    RUN(test_inflate_stored);
    RUN(test_inflate_fixed);
    RUN(test_inflate_dynamic);
    RUN(test_gunzip_members);
    RUN(test_gzreader_stream);
    RUN(test_npy_versions);
    RUN(test_npz_memory_zip64);
    RUN(test_npz_variants);
    RUN(test_npz_gemmascope_fixtures);
}
