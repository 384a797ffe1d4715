/* tests/test_hostile_npz.c - hostile inputs for the npz, npy, inflate and gzip readers, built by
   the tests themselves. Each must be rejected with the exact status and a specific message; none
   may crash (make asan runs all of them). */
#include <stdlib.h>
#include <stdint.h>
#include <fcntl.h>
#include <unistd.h>
#include "hl_test.h"
#include "npz_util.h"

static int n_cases; /* hostile inputs checked, reported at the end of the suite */

static void w16(uint8_t *p, unsigned v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void w32(uint8_t *p, uint32_t v) {
    w16(p, v & 0xffff);
    w16(p + 2, v >> 16);
}
static void w64(uint8_t *p, uint64_t v) {
    w32(p, (uint32_t)v);
    w32(p + 4, (uint32_t)(v >> 32));
}

static void expect_npz(const char *label, const uint8_t *p, size_t n, hl_status want, const char *sub) {
    hl_npz *z = NULL;
    hl_error e;
    hl_status st;
    memset(&e, 0, sizeof e);
    st = hl_npz_open_memory(p, n, "h.npz", &z, &e);
    n_cases++;
    CHECKF(st == want && strstr(e.msg, sub) != NULL, "%s: got %s \"%s\", want %s \"...%s...\"", label,
           hl_status_str(st), e.msg, hl_status_str(want), sub);
    CHECKF(st != HL_OK || z != NULL, "%s", label);
    hl_npz_close(z);
}
static void expect_npy(const char *label, const uint8_t *p, size_t n, hl_status want, const char *sub) {
    hl_tensor t;
    hl_error e;
    hl_status st;
    memset(&e, 0, sizeof e);
    st = hl_npy_parse(p, n, &t, &e);
    n_cases++;
    CHECKF(st == want && strstr(e.msg, sub) != NULL, "%s: got %s \"%s\", want %s \"...%s...\"", label,
           hl_status_str(st), e.msg, hl_status_str(want), sub);
}
static void expect_inflate(const char *label, const uint8_t *p, size_t n, hl_status want, const char *sub) {
    uint8_t out[4096];
    size_t got = 0, used = 0;
    hl_error e;
    hl_status st;
    memset(&e, 0, sizeof e);
    st = hl_inflate(p, n, out, sizeof out, &got, &used, &e);
    n_cases++;
    CHECKF(st == want && strstr(e.msg, sub) != NULL, "%s: got %s \"%s\", want %s \"...%s...\"", label,
           hl_status_str(st), e.msg, hl_status_str(want), sub);
}
static void expect_gunzip(const char *label, const uint8_t *p, size_t n, hl_status want, const char *sub) {
    uint8_t *out = NULL;
    size_t got = 0;
    hl_error e;
    hl_status st;
    memset(&e, 0, sizeof e);
    st = hl_gunzip(p, n, &out, &got, &e);
    n_cases++;
    CHECKF(st == want && strstr(e.msg, sub) != NULL, "%s: got %s \"%s\", want %s \"...%s...\"", label,
           hl_status_str(st), e.msg, hl_status_str(want), sub);
    CHECKF(st == HL_OK || out == NULL, "%s: output written on failure", label);
    hl_free(out);
}

/* Copies the sample npz so a case can patch it. */
static uint8_t *dup_zip(const tz_zip *z) {
    uint8_t *p = (uint8_t *)malloc(z->b.n);
    memcpy(p, z->b.p, z->b.n);
    return p;
}

/* Offsets in the sample (see tz_sample_zip): central directory entries of 51, 79, 51 bytes. */
#define CD_A(z) ((size_t)(z).cd_off)
#define CD_B(z) ((size_t)(z).cd_off + 51)
#define CD_C(z) ((size_t)(z).cd_off + 51 + 79)

static void test_hostile_zip_checksums_and_sizes(void) {
    tz_zip z;
    uint8_t *p;
    size_t n;
    tz_sample_zip(&z);
    n = z.b.n;
    { /* sanity: the unmodified sample opens */
        hl_npz *ok = NULL;
        hl_error e;
        CHECK(hl_npz_open_memory(z.b.p, n, "h.npz", &ok, &e) == HL_OK);
        hl_npz_close(ok);
    }
    /* 1. stored member with one flipped data byte: CRC-32 */
    p = dup_zip(&z);
    p[z.m[0].off + 55 + z.m[0].usize - 1] ^= 0x40;
    expect_npz("stored bad crc", p, n, HL_ERR_FORMAT, "member 'a.npy': CRC-32 mismatch (directory says 0x");
    free(p);
    /* 2. deflated member, directory CRC wrong */
    p = dup_zip(&z);
    p[CD_B(z) + 16] ^= 1;
    expect_npz("deflate bad crc", p, n, HL_ERR_FORMAT, "member 'b.npy': CRC-32 mismatch");
    free(p);
    /* 3. ZIP64 directory extra lies: uncompressed size one more than the data (local agrees) */
    p = dup_zip(&z);
    w64(p + CD_B(z) + 55, z.m[1].usize + 1);
    w64(p + z.m[1].off + 30 + 5 + 4, z.m[1].usize + 1);
    expect_npz("zip64 usize too big", p, n, HL_ERR_FORMAT, "inflates to 160 bytes, the directory declares 161");
    free(p);
    /* 4. ... and one less */
    p = dup_zip(&z);
    w64(p + CD_B(z) + 55, z.m[1].usize - 1);
    w64(p + z.m[1].off + 30 + 5 + 4, z.m[1].usize - 1);
    expect_npz("zip64 usize too small", p, n, HL_ERR_FORMAT, "inflates to more than the 159 bytes the directory declares");
    free(p);
    /* 5. ZIP64 compressed size of 2^62: data would run past the directory */
    p = dup_zip(&z);
    w64(p + CD_B(z) + 63, (uint64_t)1 << 62);
    w64(p + z.m[1].off + 30 + 5 + 12, (uint64_t)1 << 62);
    expect_npz("zip64 csize huge", p, n, HL_ERR_FORMAT, "bytes of data at offset");
    free(p);
    /* 6. ZIP64 uncompressed size impossible for DEFLATE (no allocation from it) */
    p = dup_zip(&z);
    w64(p + CD_B(z) + 55, (uint64_t)1 << 40);
    w64(p + z.m[1].off + 30 + 5 + 4, (uint64_t)1 << 40);
    expect_npz("zip64 usize bomb", p, n, HL_ERR_FORMAT, "more than DEFLATE can expand");
    free(p);
    /* 7. ZIP64 local header offset out of range */
    p = dup_zip(&z);
    w64(p + CD_B(z) + 71, (uint64_t)1 << 50);
    expect_npz("zip64 offset", p, n, HL_ERR_FORMAT, "local header offset 1125899906842624 is not before the central directory");
    free(p);
    /* 8. ZIP64 extra too short for the three marked fields */
    p = dup_zip(&z);
    w16(p + CD_B(z) + 53, 8);
    expect_npz("zip64 extra short", p, n, HL_ERR_FORMAT, "ZIP64 extra field has 8 bytes, but the fields marked 0xFFFFFFFF need 24");
    free(p);
    /* 9. sizes marked 0xFFFFFFFF but the extra is some other field */
    p = dup_zip(&z);
    w16(p + CD_B(z) + 51, 0x5455);
    expect_npz("zip64 extra missing", p, n, HL_ERR_FORMAT, "is 0xFFFFFFFF but there is no ZIP64 extra field");
    free(p);
    /* 10. extra field size overruns the extra area */
    p = dup_zip(&z);
    w16(p + CD_B(z) + 53, 200);
    expect_npz("extra overrun", p, n, HL_ERR_FORMAT, "extra field 0x0001 of 200 bytes overruns");
    free(p);
    /* 11. stored member whose directory sizes differ (compressed != uncompressed) */
    p = dup_zip(&z);
    w32(p + CD_A(z) + 24, (uint32_t)z.m[0].usize + 4);
    expect_npz("stored sizes", p, n, HL_ERR_FORMAT, "local header sizes");
    w32(p + z.m[0].off + 30 + 5 + 4, (uint32_t)z.m[0].usize + 4); /* make the local header agree */
    expect_npz("stored sizes 2", p, n, HL_ERR_FORMAT, "stored member 'a.npy' has compressed size 152 but uncompressed size 156");
    free(p);
    /* 12. local ZIP64 extra disagrees with the directory */
    p = dup_zip(&z);
    w64(p + z.m[2].off + 30 + 5 + 4, 7);
    expect_npz("local sizes", p, n, HL_ERR_FORMAT, "member 'c.npy': local header sizes (133 compressed, 7 uncompressed) disagree");
    free(p);
    /* 13. deflate data corrupted inside the member: block type 3 */
    p = dup_zip(&z);
    p[z.m[1].off + 55] |= 6;
    expect_npz("deflate corrupt", p, n, HL_ERR_FORMAT, "h.npz: member 'b.npy': deflate: invalid block type 3");
    free(p);
    tb_free(&z.b);
}

static void test_hostile_zip_structure(void) {
    tz_zip z;
    uint8_t *p;
    size_t n, k, eocd;
    int bad_ok = 0;
    tz_sample_zip(&z);
    n = z.b.n;
    eocd = n - 22;
    /* 14. central directory offset out of range (ZIP64 end record value) */
    p = dup_zip(&z);
    w64(p + n - 98 + 48, (uint64_t)n + 10);
    expect_npz("cd offset", p, n, HL_ERR_FORMAT, "central directory [");
    free(p);
    /* 15. classic end record disagrees with the ZIP64 one */
    p = dup_zip(&z);
    w32(p + eocd + 16, 1234);
    expect_npz("end records disagree", p, n, HL_ERR_FORMAT, "disagrees with the end record");
    free(p);
    /* 16. ZIP64 entry count of 2^40 in a small directory */
    p = dup_zip(&z);
    w64(p + n - 98 + 32, (uint64_t)1 << 40);
    w16(p + eocd + 10, 0xffff);
    expect_npz("count huge", p, n, HL_ERR_FORMAT, "1099511627776 entries cannot fit in a 181-byte central directory");
    free(p);
    /* 17. ZIP64 locator points at garbage / past the locator */
    p = dup_zip(&z);
    w64(p + n - 42 + 8, 3);
    expect_npz("locator garbage", p, n, HL_ERR_FORMAT, "no ZIP64 end record signature at offset 3");
    w64(p + n - 42 + 8, (uint64_t)n);
    expect_npz("locator past", p, n, HL_ERR_FORMAT, "leaves no room for its 56 bytes");
    free(p);
    /* 18. local header name length out of range */
    p = dup_zip(&z);
    w16(p + z.m[2].off + 26, 0xffff);
    expect_npz("local name length", p, n, HL_ERR_FORMAT, "member 'c.npy': local header name and extra (65555 bytes) run past");
    free(p);
    /* 19. local name differs from the directory */
    p = dup_zip(&z);
    p[z.m[0].off + 30] = 'x';
    expect_npz("local name", p, n, HL_ERR_FORMAT, "local header (method 0, name 'x.npy') disagrees");
    free(p);
    /* 20. local header signature missing */
    p = dup_zip(&z);
    p[z.m[1].off] = 'Q';
    expect_npz("local sig", p, n, HL_ERR_FORMAT, "member 'b.npy': no local header signature at offset");
    free(p);
    /* 21. directory entry signature / name length */
    p = dup_zip(&z);
    p[CD_C(z)] = 0;
    expect_npz("cd sig", p, n, HL_ERR_FORMAT, "central directory entry 2 at offset");
    free(p);
    p = dup_zip(&z);
    w16(p + CD_C(z) + 28, 300);
    expect_npz("cd name length", p, n, HL_ERR_FORMAT, "central directory entry 2: name, extra and comment (300 bytes) run past");
    free(p);
    /* 22. NUL in a member name */
    p = dup_zip(&z);
    p[CD_A(z) + 46] = 0;
    expect_npz("nul name", p, n, HL_ERR_FORMAT, "member name contains a NUL byte");
    free(p);
    /* 23. unsupported method and encryption */
    p = dup_zip(&z);
    w16(p + CD_A(z) + 10, 12);
    expect_npz("bzip2", p, n, HL_ERR_UNSUPPORTED, "member 'a.npy' uses compression method 12");
    w16(p + CD_A(z) + 10, 0);
    w16(p + CD_A(z) + 8, 1);
    expect_npz("encrypted", p, n, HL_ERR_UNSUPPORTED, "member 'a.npy' is encrypted");
    free(p);
    /* 24. duplicate member */
    p = dup_zip(&z);
    p[CD_C(z) + 46] = 'a';
    p[z.m[2].off + 30] = 'a';
    expect_npz("duplicate", p, n, HL_ERR_FORMAT, "member 'a.npy' appears twice");
    free(p);
    /* 25. not a zip at all, and too short */
    expect_npz("not zip", (const uint8_t *)"hello world, this is not a zip file at all", 42, HL_ERR_FORMAT,
               "no zip end of central directory record in the last 42 bytes");
    expect_npz("tiny", (const uint8_t *)"PK", 2, HL_ERR_FORMAT, "2 bytes is too short for a zip file");
    /* 26. multi-disk */
    p = dup_zip(&z);
    w32(p + n - 42 + 16, 3);
    expect_npz("multi-disk", p, n, HL_ERR_UNSUPPORTED, "multi-disk");
    free(p);
    /* 27. npy member problems are reported with the member name */
    {
        tz_zip y;
        tbuf t = {0, 0, 0};
        static const float v[4] = {1, 2, 3, 4};
        memset(&y, 0, sizeof y);
        tz_npy(&t, 1, ">f4", "False", "(4,)", v, sizeof v, 64);
        tz_zip_add(&y, "be.npy", t.p, t.n, 8, 1, 0, 0);
        tz_zip_finish(&y, 0);
        expect_npz("npy in npz", y.b.p, y.b.n, HL_ERR_UNSUPPORTED, "h.npz: member 'be.npy': npy: big-endian dtype '>f4'");
        tb_free(&y.b);
        tb_free(&t);
    }
    /* 28. truncation at every byte: never accepted, never a crash */
    for (k = 0; k < n; k++) {
        hl_npz *zz = NULL;
        if (hl_npz_open_memory(z.b.p, k, "h.npz", &zz, NULL) == HL_OK) bad_ok++;
        hl_npz_close(zz);
    }
    CHECKF(bad_ok == 0, "%d truncated files accepted", bad_ok);
    expect_npz("truncated end", z.b.p, n - 1, HL_ERR_FORMAT, "no zip end of central directory record");
    /* 29. a section cut out while the end records stay: every cut of 1..40 bytes at every offset */
    bad_ok = 0;
    p = (uint8_t *)malloc(n);
    for (k = 0; k + 98 < n; k += 3) {
        size_t cut;
        for (cut = 1; cut <= 40 && k + cut + 98 <= n; cut += 13) {
            hl_npz *zz = NULL;
            hl_error e;
            memcpy(p, z.b.p, k);
            memcpy(p + k, z.b.p + k + cut, n - k - cut);
            if (hl_npz_open_memory(p, n - cut, "h.npz", &zz, &e) == HL_OK) bad_ok++;
            else if (e.status != HL_ERR_FORMAT || strncmp(e.msg, "h.npz: ", 7) != 0) bad_ok++;
            hl_npz_close(zz);
        }
    }
    CHECKF(bad_ok == 0, "%d cut files accepted or badly reported", bad_ok);
    n_cases += 2;
    free(p);
    tb_free(&z.b);
}

/* An npy image from a literal header (padding added so the data would start 16-aligned). */
static void npy_raw(tbuf *b, int major, const char *hdr, size_t data_bytes) {
    size_t hl = strlen(hdr), pre = major == 1 ? 10 : 12, i;
    b->n = 0;
    tb_put(b, "\x93NUMPY", 6);
    tb_u8(b, (unsigned)major);
    tb_u8(b, 0);
    if (major == 1) tb_u16(b, (unsigned)hl + 1);
    else tb_u32(b, (uint32_t)hl + 1);
    tb_put(b, hdr, hl);
    tb_u8(b, '\n');
    (void)pre;
    for (i = 0; i < data_bytes; i++) tb_u8(b, (unsigned)i);
}

static void test_hostile_npy(void) {
    tbuf b = {0, 0, 0};
    /* 30. header length over HL_MAX_HEADER_BYTES, and past the data */
    tb_put(&b, "\x93NUMPY\2\0", 8);
    tb_u32(&b, 0xfffffff0u);
    tb_put(&b, "{}", 2);
    expect_npy("header limit", b.p, b.n, HL_ERR_LIMIT, "header length 4294967280 exceeds HL_MAX_HEADER_BYTES");
    b.n = 0;
    tb_put(&b, "\x93NUMPY\1\0", 8);
    tb_u16(&b, 500);
    tb_put(&b, "{'descr'", 8);
    expect_npy("header truncated", b.p, b.n, HL_ERR_FORMAT, "header length 500 exceeds the 8 bytes after the preamble");
    /* 31. not a dict */
    npy_raw(&b, 1, "['descr', '<f4']", 4);
    expect_npy("not dict", b.p, b.n, HL_ERR_FORMAT, "expected '{' to open the header dict at header byte 0");
    npy_raw(&b, 1, "{'descr': <f4, 'fortran_order': False, 'shape': (1,)}", 4);
    expect_npy("unquoted", b.p, b.n, HL_ERR_FORMAT, "expected a quoted string at header byte 10");
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", 4);
    expect_npy("trailing", b.p, b.n, HL_ERR_FORMAT, "unexpected characters after the header dict");
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", 4);
    expect_npy("unknown key", b.p, b.n, HL_ERR_FORMAT, "unexpected or repeated key 'extra'");
    npy_raw(&b, 1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4);
    expect_npy("repeated key", b.p, b.n, HL_ERR_FORMAT, "unexpected or repeated key 'descr'");
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False}", 4);
    expect_npy("missing shape", b.p, b.n, HL_ERR_FORMAT, "header lacks 'shape'");
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", 4);
    expect_npy("fortran not bool", b.p, b.n, HL_ERR_FORMAT, "'fortran_order' must be True or False");
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, -2)}", 4);
    expect_npy("negative dim", b.p, b.n, HL_ERR_FORMAT, "'shape' must be a tuple of non-negative integers");
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,", 4);
    expect_npy("unterminated", b.p, b.n, HL_ERR_FORMAT, "'shape' tuple is not closed");
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}", 4);
    expect_npy("no comma", b.p, b.n, HL_ERR_FORMAT, "expected ',' or ')' in 'shape'");
    npy_raw(&b, 1, "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (1,)}", 4);
    expect_npy("escape", b.p, b.n, HL_ERR_FORMAT, "has an escape or newline");
    /* 32. fortran order */
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3)}", 24);
    expect_npy("fortran", b.p, b.n, HL_ERR_UNSUPPORTED, "fortran_order True (column-major) arrays are not supported");
    /* 33. shape overflow: elements, then bytes */
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", 4);
    expect_npy("numel overflow", b.p, b.n, HL_ERR_FORMAT, "shape (4294967296, 4294967296) has more elements than fit in 64 bits");
    npy_raw(&b, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,)}", 4);
    expect_npy("bytes overflow", b.p, b.n, HL_ERR_FORMAT, "is more bytes than fit in 64 bits");
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", 4);
    expect_npy("dim digits", b.p, b.n, HL_ERR_FORMAT, "shape dimension 0 does not fit in 64 bits");
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", 4);
    expect_npy("ndim", b.p, b.n, HL_ERR_UNSUPPORTED, "more than 8 dimensions");
    /* 34. data shorter (and longer) than the shape */
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", 20);
    expect_npy("short data", b.p, b.n, HL_ERR_FORMAT, "shape (2, 3) of F32 needs 24 bytes of data, but 20 bytes follow the header");
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", 28);
    expect_npy("long data", b.p, b.n, HL_ERR_FORMAT, "needs 24 bytes of data, but 28 bytes follow");
    /* 35. dtypes */
    npy_raw(&b, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,)}", 4);
    expect_npy("big endian", b.p, b.n, HL_ERR_UNSUPPORTED, "big-endian dtype '>f4' not supported");
    npy_raw(&b, 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", 8);
    expect_npy("complex", b.p, b.n, HL_ERR_UNSUPPORTED, "dtype '<c8' not supported");
    npy_raw(&b, 1, "{'descr': '|f4', 'fortran_order': False, 'shape': (1,)}", 4);
    expect_npy("byte order |", b.p, b.n, HL_ERR_UNSUPPORTED, "dtype '|f4' has byte order '|'");
    /* 36. magic, version, size */
    npy_raw(&b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4);
    b.p[1] = 'M';
    expect_npy("magic", b.p, b.n, HL_ERR_FORMAT, "npy: bad magic");
    b.p[1] = 'N';
    b.p[6] = 4;
    expect_npy("version", b.p, b.n, HL_ERR_UNSUPPORTED, "format version 4.0 not supported");
    expect_npy("tiny", b.p, 9, HL_ERR_FORMAT, "9 bytes is too short for the 10-byte preamble");
    b.p[6] = 2;
    expect_npy("tiny v2", b.p, 11, HL_ERR_FORMAT, "11 bytes is too short for the 12-byte version 2.0 preamble");
    tb_free(&b);
}

/* Hand-made raw DEFLATE streams (bit writer from npz_util). */
static void test_hostile_inflate(void) {
    tbuf b = {0, 0, 0};
    tz_bw w;
    uint8_t lit[286], dist[30];
    uint32_t lc[286], dc[30];
    int i;
    size_t k;
    memset(&w, 0, sizeof w);
    w.out = &b;
    /* 37. block type 3 */
    tz_bits(&w, 1, 1);
    tz_bits(&w, 3, 2);
    tz_flush(&w);
    expect_inflate("btype 3", b.p, b.n, HL_ERR_FORMAT, "deflate: invalid block type 3 before byte 1");
    /* 38. stored LEN / NLEN mismatch */
    b.n = 0;
    tb_put(&b, "\x01\x05\x00\xfa\xfe" "abcde", 10);
    expect_inflate("nlen", b.p, b.n, HL_ERR_FORMAT, "stored block length 5 does not match its complement 65274");
    /* 39. fixed block: literal/length symbol 286 (8-bit code 0xc6), distance symbol 30 */
    b.n = 0;
    w.acc = 0, w.cnt = 0;
    tz_bits(&w, 1, 1);
    tz_bits(&w, 1, 2);
    tz_code(&w, 0xc0 + 6, 8);
    tz_flush(&w);
    expect_inflate("sym 286", b.p, b.n, HL_ERR_FORMAT, "invalid literal/length symbol 286");
    b.n = 0;
    tz_bits(&w, 1, 1);
    tz_bits(&w, 1, 2);
    tz_code(&w, 0x30 + 'x', 8); /* literal */
    tz_code(&w, 1, 7);          /* length 3 */
    tz_code(&w, 30, 5);         /* distance symbol 30 */
    tz_flush(&w);
    expect_inflate("dist 30", b.p, b.n, HL_ERR_FORMAT, "invalid distance symbol 30");
    /* 40. distance too far back: 2 literals, then a match at distance 3 */
    b.n = 0;
    tz_bits(&w, 1, 1);
    tz_bits(&w, 1, 2);
    tz_code(&w, 0x30 + 'a', 8);
    tz_code(&w, 0x30 + 'b', 8);
    tz_code(&w, 1, 7);
    tz_code(&w, 2, 5); /* distance 3 */
    tz_code(&w, 0, 7); /* end of block */
    tz_flush(&w);
    expect_inflate("too far", b.p, b.n, HL_ERR_FORMAT, "distance 3 reaches back before the start of the output (2 bytes written)");
    /* 41. over-subscribed code length code: 19 codes of 1 bit */
    b.n = 0;
    tz_bits(&w, 1, 1);
    tz_bits(&w, 2, 2);
    tz_bits(&w, 0, 5);
    tz_bits(&w, 0, 5);
    tz_bits(&w, 15, 4);
    for (i = 0; i < 19; i++) tz_bits(&w, 1, 3);
    tz_flush(&w);
    expect_inflate("cl over", b.p, b.n, HL_ERR_FORMAT, "over-subscribed code length code");
    /* 42. incomplete code length code: one code of 2 bits */
    b.n = 0;
    tz_bits(&w, 1, 1);
    tz_bits(&w, 2, 2);
    tz_bits(&w, 0, 5);
    tz_bits(&w, 0, 5);
    tz_bits(&w, 0, 4);
    tz_bits(&w, 2, 3);
    tz_bits(&w, 0, 9);
    tz_flush(&w);
    expect_inflate("cl incomplete", b.p, b.n, HL_ERR_FORMAT, "incomplete code length code");
    /* 43. literal/length lengths over-subscribed (all 286 at 8 bits: 286 > 256) */
    memset(lit, 8, sizeof lit);
    memset(dist, 5, sizeof dist);
    b.n = 0;
    tz_dyn_header(&w, lit, 286, dist, 30);
    tz_flush(&w);
    expect_inflate("lit over", b.p, b.n, HL_ERR_FORMAT, "over-subscribed literal/length code lengths");
    /* 44. literal/length lengths incomplete (257 symbols of 9 bits: 257 < 512) */
    memset(lit, 9, sizeof lit);
    b.n = 0;
    tz_dyn_header(&w, lit, 257, dist, 30);
    tz_flush(&w);
    expect_inflate("lit incomplete", b.p, b.n, HL_ERR_FORMAT, "incomplete literal/length code lengths (257 codes leave gaps)");
    /* 45. no end-of-block code */
    memset(lit, 0, sizeof lit);
    lit['a'] = 1;
    lit['b'] = 1;
    b.n = 0;
    tz_dyn_header(&w, lit, 257, dist, 30);
    tz_flush(&w);
    expect_inflate("no eob", b.p, b.n, HL_ERR_FORMAT, "dynamic block has no end-of-block code");
    /* 46. distance lengths over-subscribed */
    lit['a'] = 1;
    lit['b'] = 0;
    lit[256] = 1;
    memset(dist, 1, sizeof dist);
    b.n = 0;
    tz_dyn_header(&w, lit, 257, dist, 30);
    tz_flush(&w);
    expect_inflate("dist over", b.p, b.n, HL_ERR_FORMAT, "over-subscribed distance code lengths");
    /* 47. an invalid distance code: the only distance code is '0' (allowed), the stream sends '1' */
    memset(lit, 0, sizeof lit);
    lit['a'] = 2;
    lit[256] = 2;
    lit[257] = 1; /* length 3 */
    memset(dist, 0, sizeof dist);
    dist[0] = 1;
    tz_canon(lit, 258, lc);
    tz_canon(dist, 1, dc);
    b.n = 0;
    tz_dyn_header(&w, lit, 258, dist, 1);
    tz_code(&w, lc['a'], 2);
    tz_code(&w, lc[257], 1);
    tz_code(&w, 1, 1); /* no distance code is '1' */
    tz_code(&w, lc[256], 2);
    tz_flush(&w);
    expect_inflate("invalid dist code", b.p, b.n, HL_ERR_FORMAT, "invalid distance code");
    /* ... and the same stream with the valid code '0' decodes (one-code distance sets are legal) */
    b.n = 0;
    tz_dyn_header(&w, lit, 258, dist, 1);
    tz_code(&w, lc['a'], 2);
    tz_code(&w, lc[257], 1);
    tz_code(&w, dc[0], 1);
    tz_code(&w, lc[256], 2);
    tz_flush(&w);
    {
        uint8_t out[16];
        size_t got = 0;
        CHECK(hl_inflate(b.p, b.n, out, sizeof out, &got, NULL, NULL) == HL_OK && got == 4 && memcmp(out, "aaaa", 4) == 0);
    }
    /* 48. HLIT above 286 */
    b.n = 0;
    tz_bits(&w, 1, 1);
    tz_bits(&w, 2, 2);
    tz_bits(&w, 31, 5);
    tz_bits(&w, 0, 5);
    tz_bits(&w, 0, 4);
    tz_flush(&w);
    expect_inflate("hlit", b.p, b.n, HL_ERR_FORMAT, "dynamic block declares 288 literal/length and 1 distance codes");
    /* 49. repeat (16) with no previous length; repeat past the end */
    {
        static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
        uint8_t cl[19];
        uint32_t cc[19];
        for (i = 0; i < 19; i++) cl[i] = i <= 12 ? 4 : 5;
        tz_canon(cl, 19, cc);
        b.n = 0;
        tz_bits(&w, 1, 1);
        tz_bits(&w, 2, 2);
        tz_bits(&w, 0, 5);
        tz_bits(&w, 0, 5);
        tz_bits(&w, 15, 4);
        for (i = 0; i < 19; i++) tz_bits(&w, cl[order[i]], 3);
        tz_code(&w, cc[16], 5);
        tz_bits(&w, 0, 2);
        tz_flush(&w);
        expect_inflate("repeat first", b.p, b.n, HL_ERR_FORMAT, "code length repeat (16) with no previous length");
        b.n = 0;
        tz_bits(&w, 1, 1);
        tz_bits(&w, 2, 2);
        tz_bits(&w, 0, 5);
        tz_bits(&w, 0, 5);
        tz_bits(&w, 15, 4);
        for (i = 0; i < 19; i++) tz_bits(&w, cl[order[i]], 3);
        tz_code(&w, cc[18], 5);
        tz_bits(&w, 127, 7); /* 138 zeros */
        tz_code(&w, cc[18], 5);
        tz_bits(&w, 127, 7); /* 276 */
        tz_code(&w, cc[18], 5);
        tz_bits(&w, 0, 7); /* 287 > 258 */
        tz_flush(&w);
        expect_inflate("repeat past", b.p, b.n, HL_ERR_FORMAT, "code length repeat of 138 runs past the 258 declared lengths");
    }
    /* 50. output larger than the buffer, and every truncation of a valid stream */
    {
        static uint8_t big[6000];
        tbuf f = {0, 0, 0};
        int bad = 0;
        for (k = 0; k < sizeof big; k++) big[k] = (uint8_t)(k % 251);
        tz_deflate_fixed(&f, big, sizeof big, 32768);
        expect_inflate("too big", f.p, f.n, HL_ERR_FORMAT, "deflate: output exceeds the 4096-byte buffer");
        for (k = 0; k < f.n; k++) {
            uint8_t out[6000];
            hl_error e;
            if (hl_inflate(f.p, k, out, sizeof out, NULL, NULL, &e) != HL_ERR_FORMAT || !strstr(e.msg, "truncated")) bad++;
        }
        CHECKF(bad == 0, "%d truncations not reported as truncated", bad);
        n_cases++;
        tb_free(&f);
    }
    tb_free(&b);
}

static void test_hostile_gzip(void) {
    static uint8_t data[3000];
    tbuf g = {0, 0, 0}, h = {0, 0, 0};
    size_t k;
    int bad = 0;
    for (k = 0; k < sizeof data; k++) data[k] = (uint8_t)("gzip me "[k % 8] + k / 500);
    tz_gzip(&g, data, sizeof data, 8 | 2, 1);
    /* 51. bad magic, method, reserved flags */
    tb_put(&h, g.p, g.n);
    h.p[1] = 0x8c;
    expect_gunzip("magic", h.p, h.n, HL_ERR_FORMAT, "gzip: bad magic 1f 8c at byte 0 (expected 1f 8b)");
    h.p[1] = 0x8b;
    h.p[2] = 7;
    expect_gunzip("method", h.p, h.n, HL_ERR_UNSUPPORTED, "gzip: member 0 uses compression method 7");
    h.p[2] = 8;
    h.p[3] |= 0x80;
    expect_gunzip("reserved", h.p, h.n, HL_ERR_FORMAT, "member 0 sets reserved flag bits 0x80");
    h.p[3] &= 0x7f;
    /* 52. header CRC */
    h.p[10] ^= 1; /* first byte of FNAME */
    expect_gunzip("fhcrc", h.p, h.n, HL_ERR_FORMAT, "gzip: member 0 header CRC 0x");
    h.p[10] ^= 1;
    /* 53. trailer: CRC-32 and ISIZE */
    h.p[h.n - 8] ^= 1;
    expect_gunzip("crc", h.p, h.n, HL_ERR_FORMAT, "gzip: member 0 CRC-32 mismatch: trailer says 0x");
    h.p[h.n - 8] ^= 1;
    h.p[h.n - 4] ^= 1;
    expect_gunzip("isize", h.p, h.n, HL_ERR_FORMAT, "gzip: member 0 ISIZE mismatch: trailer says 3001 bytes (mod 2^32), inflated 3000");
    h.p[h.n - 4] ^= 1;
    /* 54. trailing garbage after a good member, a second member with bad magic */
    tb_put(&h, "\0\0\0", 3);
    expect_gunzip("trailing", h.p, h.n, HL_ERR_FORMAT, "gzip: trailing data after member 0 at byte 110 is not a gzip member (starts 00 00)");
    h.n -= 2;
    expect_gunzip("trailing 1", h.p, h.n, HL_ERR_FORMAT, "gzip: 1 trailing byte(s) after member 0 at byte 110");
    h.n -= 1;
    tb_put(&h, "\x1f\x8b\x09\x00garbage", 11);
    expect_gunzip("second member", h.p, h.n, HL_ERR_UNSUPPORTED, "gzip: member 1 uses compression method 9");
    h.n -= 11;
    tb_put(&h, "PK\3\4 zip after gzip", 19);
    expect_gunzip("trailing zip", h.p, h.n, HL_ERR_FORMAT, "trailing data after member 0 at byte");
    /* 55. empty input, and every truncation */
    expect_gunzip("empty", g.p, 0, HL_ERR_FORMAT, "gzip: empty input");
    for (k = 1; k < g.n; k++) {
        uint8_t *out = NULL;
        size_t n = 0;
        hl_error e;
        if (hl_gunzip(g.p, k, &out, &n, &e) != HL_ERR_FORMAT || !strstr(e.msg, "truncated")) bad++;
        hl_free(out);
    }
    CHECKF(bad == 0, "%d gzip truncations not reported as truncated", bad);
    n_cases++;
    /* 56. the streaming reader reports the same errors, and repeats them */
    {
        char path[] = "/tmp/hl_hostile_gzXXXXXX";
        int fd = mkstemp(path);
        hl_gzreader *r = NULL;
        hl_error e;
        uint8_t buf[8192];
        size_t got = 0;
        CHECK(fd >= 0);
        if (fd >= 0) {
            g.p[g.n - 1] ^= 0x10; /* ISIZE */
            CHECK(write(fd, g.p, g.n) == (ssize_t)g.n);
            close(fd);
            CHECK(hl_gzreader_open(path, &r, &e) == HL_OK);
            if (r) {
                CHECK(hl_gzreader_read(r, buf, sizeof buf, &got, &e) == HL_ERR_FORMAT);
                CHECKF(strstr(e.msg, path) && strstr(e.msg, "ISIZE mismatch"), "%s", e.msg);
                memset(&e, 0, sizeof e);
                CHECK(hl_gzreader_read(r, buf, sizeof buf, &got, &e) == HL_ERR_FORMAT && strstr(e.msg, "ISIZE mismatch"));
                hl_gzreader_close(r);
            }
            n_cases++;
            fd = open(path, O_WRONLY | O_TRUNC);
            if (fd >= 0) {
                CHECK(write(fd, g.p, g.n / 2) == (ssize_t)(g.n / 2));
                close(fd);
            }
            r = NULL;
            CHECK(hl_gzreader_open(path, &r, &e) == HL_OK);
            if (r) {
                CHECK(hl_gzreader_read(r, buf, sizeof buf, &got, &e) == HL_ERR_FORMAT);
                CHECKF(strstr(e.msg, "truncated") != NULL, "%s", e.msg);
                hl_gzreader_close(r);
            }
            n_cases++;
            fd = open(path, O_WRONLY | O_TRUNC);
            if (fd >= 0) {
                CHECK(write(fd, "BZh9", 4) == 4);
                close(fd);
            }
            r = NULL;
            CHECK(hl_gzreader_open(path, &r, &e) == HL_ERR_FORMAT && r == NULL);
            CHECKF(strstr(e.msg, "bad magic 42 5a") != NULL, "%s", e.msg);
            n_cases++;
            unlink(path);
        }
        CHECK(hl_gzreader_open("/nonexistent/x.gz", &r, &e) == HL_ERR_IO);
    }
    tb_free(&g);
    tb_free(&h);
}

static void test_hostile_count(void) {
    CHECKF(n_cases >= 40, "only %d hostile cases", n_cases);
    printf("  hostile npz/npy/inflate/gzip cases: %d\n", n_cases);
}

void suite_hostile_npz(void) {
    RUN(test_hostile_zip_checksums_and_sizes);
    RUN(test_hostile_zip_structure);
    RUN(test_hostile_npy);
    RUN(test_hostile_inflate);
    RUN(test_hostile_gzip);
    RUN(test_hostile_count);
}
