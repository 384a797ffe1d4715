/* tests/npz_util.c - see npz_util.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "npz_util.h"
#include "../hooklens.h"

void tb_put(tbuf *b, const void *d, size_t n) {
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->n + n) c *= 2;
        b->p = (uint8_t *)realloc(b->p, c);
        if (!b->p) abort();
        b->cap = c;
    }
    if (n) memcpy(b->p + b->n, d, n);
    b->n += n;
}
void tb_u8(tbuf *b, unsigned v) {
    uint8_t x = (uint8_t)v;
    tb_put(b, &x, 1);
}
void tb_u16(tbuf *b, unsigned v) {
    tb_u8(b, v & 0xff);
    tb_u8(b, (v >> 8) & 0xff);
}
void tb_u32(tbuf *b, uint32_t v) {
    tb_u16(b, v & 0xffff);
    tb_u16(b, v >> 16);
}
void tb_u64(tbuf *b, uint64_t v) {
    tb_u32(b, (uint32_t)v);
    tb_u32(b, (uint32_t)(v >> 32));
}
void tb_free(tbuf *b) {
    free(b->p);
    memset(b, 0, sizeof *b);
}

void tz_deflate_stored(tbuf *out, const uint8_t *in, size_t n) {
    size_t pos = 0;
    do {
        size_t k = n - pos > 65535 ? 65535 : n - pos;
        tb_u8(out, pos + k == n ? 1 : 0); /* BFINAL, BTYPE=00, then pad to the byte */
        tb_u16(out, (unsigned)k);
        tb_u16(out, (unsigned)(~k & 0xffff));
        tb_put(out, in + pos, k);
        pos += k;
    } while (pos < n);
}

typedef tz_bw bw;
void tz_bits(tz_bw *w, uint32_t v, unsigned n) {
    w->acc |= (uint64_t)v << w->cnt;
    w->cnt += n;
    while (w->cnt >= 8) {
        tb_u8(w->out, (unsigned)(w->acc & 0xff));
        w->acc >>= 8;
        w->cnt -= 8;
    }
}
/* a Huffman code is sent most significant bit first */
void tz_code(tz_bw *w, uint32_t code, unsigned n) {
    uint32_t r = 0;
    unsigned i;
    for (i = 0; i < n; i++) r |= ((code >> i) & 1u) << (n - 1 - i);
    tz_bits(w, r, n);
}
void tz_flush(tz_bw *w) {
    if (w->cnt) tz_bits(w, 0, 8 - w->cnt);
}
void tz_canon(const uint8_t *len, int n, uint32_t *codes) {
    unsigned count[16] = {0}, next[16];
    uint32_t code = 0;
    int i, l;
    for (i = 0; i < n; i++) count[len[i]]++;
    count[0] = 0;
    for (l = 1; l < 16; l++) {
        code = (code + count[l - 1]) << 1;
        next[l] = code;
    }
    for (i = 0; i < n; i++) codes[i] = len[i] ? next[len[i]]++ : 0;
}
void tz_dyn_header(tz_bw *w, const uint8_t *lit, int hlit, const uint8_t *dist, int hdist) {
    static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    uint8_t cl[19];
    uint32_t cc[19];
    int i;
    for (i = 0; i < 19; i++) cl[i] = i <= 12 ? 4 : 5;
    tz_canon(cl, 19, cc);
    tz_bits(w, 1, 1);
    tz_bits(w, 2, 2);
    tz_bits(w, (uint32_t)(hlit - 257), 5);
    tz_bits(w, (uint32_t)(hdist - 1), 5);
    tz_bits(w, 19 - 4, 4);
    for (i = 0; i < 19; i++) tz_bits(w, cl[order[i]], 3);
    for (i = 0; i < hlit; i++) tz_code(w, cc[lit[i]], cl[lit[i]]);
    for (i = 0; i < hdist; i++) tz_code(w, cc[dist[i]], cl[dist[i]]);
}
static void fixed_sym(bw *w, unsigned s) {
    if (s < 144) tz_code(w, 0x30 + s, 8);
    else if (s < 256) tz_code(w, 0x190 + (s - 144), 9);
    else if (s < 280) tz_code(w, s - 256, 7);
    else tz_code(w, 0xc0 + (s - 280), 8);
}
static const unsigned LB[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const unsigned LE[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const unsigned DB[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const unsigned DE[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

void tz_deflate_fixed(tbuf *out, const uint8_t *in, size_t n, unsigned max_dist) {
    bw w;
    size_t i = 0;
    long *head = (long *)malloc(sizeof(long) * 65536);
    int k;
    if (!head) abort();
    for (k = 0; k < 65536; k++) head[k] = -1;
    w.out = out;
    w.acc = 0;
    w.cnt = 0;
    tz_bits(&w, 1, 1); /* BFINAL */
    tz_bits(&w, 1, 2); /* BTYPE = 01 fixed */
    while (i < n) {
        unsigned best = 0, dist = 0;
        if (i + 3 <= n) {
            unsigned h = ((unsigned)in[i] * 2654435761u ^ (unsigned)in[i + 1] * 40503u ^ in[i + 2]) & 0xffff;
            long c = head[h];
            head[h] = (long)i;
            if (c >= 0 && i - (size_t)c <= max_dist && i - (size_t)c <= 32768) {
                unsigned l = 0;
                while (l < 258 && i + l < n && in[(size_t)c + l] == in[i + l]) l++;
                if (l >= 3) {
                    best = l;
                    dist = (unsigned)(i - (size_t)c);
                }
            }
        }
        if (best) {
            unsigned li = 28, di = 29;
            while (LB[li] > best) li--;
            if (best == 258) li = 28;
            else if (li == 28) li = 27;
            fixed_sym(&w, 257 + li);
            tz_bits(&w, best - LB[li], LE[li]);
            while (DB[di] > dist) di--;
            tz_code(&w, di, 5);
            tz_bits(&w, dist - DB[di], DE[di]);
            i += best;
        } else {
            fixed_sym(&w, in[i]);
            i++;
        }
    }
    fixed_sym(&w, 256);
    if (w.cnt) tz_bits(&w, 0, 8 - w.cnt);
    free(head);
}

void tz_gzip(tbuf *out, const uint8_t *in, size_t n, unsigned flags, int method) {
    size_t start = out->n;
    tb_u8(out, 0x1f);
    tb_u8(out, 0x8b);
    tb_u8(out, 8);
    tb_u8(out, flags);
    tb_u32(out, 0x5f000000u); /* MTIME */
    tb_u8(out, 0);
    tb_u8(out, 3); /* OS = Unix */
    if (flags & 4) {
        tb_u16(out, 6);
        tb_put(out, "AB\2\0xy", 6);
    }
    if (flags & 8) tb_put(out, "data.jsonl", 11);
    if (flags & 16) tb_put(out, "a comment", 10);
    if (flags & 2) tb_u16(out, hl_crc32(0, out->p + start, out->n - start) & 0xffff);
    if (method == 0) tz_deflate_stored(out, in, n);
    else tz_deflate_fixed(out, in, n, 32768);
    tb_u32(out, hl_crc32(0, in, n));
    tb_u32(out, (uint32_t)n);
}

void tz_npy(tbuf *out, int major, const char *descr, const char *fortran, const char *shape,
            const void *data, size_t nbytes, size_t align) {
    char dict[512];
    size_t pre = major == 1 ? 10 : 12, dl, total;
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, fortran, shape);
    dl = (size_t)len;
    total = pre + dl + 1;
    while (total % align) total++, dl++;
    tb_put(out, "\x93NUMPY", 6);
    tb_u8(out, (unsigned)major);
    tb_u8(out, 0);
    if (major == 1) tb_u16(out, (unsigned)(dl + 1));
    else tb_u32(out, (uint32_t)(dl + 1));
    tb_put(out, dict, (size_t)len);
    while ((size_t)len < dl) {
        tb_u8(out, ' ');
        len++;
    }
    tb_u8(out, '\n');
    tb_put(out, data, nbytes);
}

void tz_zip_add(tz_zip *z, const char *name, const void *data, size_t n, unsigned method,
                int zip64_local, int zip64_central, int descriptor) {
    tz_member *m = &z->m[z->n++];
    tbuf comp = {0, 0, 0};
    size_t nl = strlen(name);
    if (method == 8) tz_deflate_fixed(&comp, (const uint8_t *)data, n, 32768);
    else tb_put(&comp, data, n);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->crc = hl_crc32(0, data, n);
    m->csize = comp.n;
    m->usize = n;
    m->off = z->b.n;
    m->method = method;
    m->flags = descriptor ? 8 : 0;
    m->zip64_central = zip64_central;
    tb_u32(&z->b, 0x04034b50u);
    tb_u16(&z->b, zip64_local ? 45 : 20);
    tb_u16(&z->b, m->flags);
    tb_u16(&z->b, method);
    tb_u16(&z->b, 0);
    tb_u16(&z->b, 0x21); /* 1980-01-01 */
    tb_u32(&z->b, descriptor ? 0 : m->crc);
    if (descriptor) {
        tb_u32(&z->b, zip64_local ? 0xffffffffu : 0);
        tb_u32(&z->b, zip64_local ? 0xffffffffu : 0);
    } else {
        tb_u32(&z->b, zip64_local ? 0xffffffffu : (uint32_t)m->csize);
        tb_u32(&z->b, zip64_local ? 0xffffffffu : (uint32_t)m->usize);
    }
    tb_u16(&z->b, (unsigned)nl);
    tb_u16(&z->b, zip64_local ? 20 : 0);
    tb_put(&z->b, name, nl);
    if (zip64_local) {
        tb_u16(&z->b, 1);
        tb_u16(&z->b, 16);
        tb_u64(&z->b, descriptor ? 0 : m->usize);
        tb_u64(&z->b, descriptor ? 0 : m->csize);
    }
    tb_put(&z->b, comp.p, comp.n);
    if (descriptor) {
        tb_u32(&z->b, 0x08074b50u);
        tb_u32(&z->b, m->crc);
        tb_u32(&z->b, (uint32_t)m->csize);
        tb_u32(&z->b, (uint32_t)m->usize);
    }
    tb_free(&comp);
}

void tz_zip_finish(tz_zip *z, int zip64_end) {
    int i;
    uint64_t z64;
    z->cd_off = z->b.n;
    for (i = 0; i < z->n; i++) {
        tz_member *m = &z->m[i];
        size_t nl = strlen(m->name);
        int x = m->zip64_central;
        tb_u32(&z->b, 0x02014b50u);
        tb_u16(&z->b, 45);
        tb_u16(&z->b, x ? 45 : 20);
        tb_u16(&z->b, m->flags);
        tb_u16(&z->b, m->method);
        tb_u16(&z->b, 0);
        tb_u16(&z->b, 0x21);
        tb_u32(&z->b, m->crc);
        tb_u32(&z->b, x ? 0xffffffffu : (uint32_t)m->csize);
        tb_u32(&z->b, x ? 0xffffffffu : (uint32_t)m->usize);
        tb_u16(&z->b, (unsigned)nl);
        tb_u16(&z->b, x ? 28 : 0);
        tb_u16(&z->b, 0);  /* comment */
        tb_u16(&z->b, 0);  /* disk */
        tb_u16(&z->b, 0);  /* internal attributes */
        tb_u32(&z->b, 0);  /* external attributes */
        tb_u32(&z->b, x ? 0xffffffffu : (uint32_t)m->off);
        tb_put(&z->b, m->name, nl);
        if (x) {
            tb_u16(&z->b, 1);
            tb_u16(&z->b, 24);
            tb_u64(&z->b, m->usize);
            tb_u64(&z->b, m->csize);
            tb_u64(&z->b, m->off);
        }
    }
    z->cd_size = z->b.n - z->cd_off;
    if (zip64_end) {
        z64 = z->b.n;
        tb_u32(&z->b, 0x06064b50u);
        tb_u64(&z->b, 44);
        tb_u16(&z->b, 45);
        tb_u16(&z->b, 45);
        tb_u32(&z->b, 0);
        tb_u32(&z->b, 0);
        tb_u64(&z->b, (uint64_t)z->n);
        tb_u64(&z->b, (uint64_t)z->n);
        tb_u64(&z->b, z->cd_size);
        tb_u64(&z->b, z->cd_off);
        tb_u32(&z->b, 0x07064b50u);
        tb_u32(&z->b, 0);
        tb_u64(&z->b, z64);
        tb_u32(&z->b, 1);
    }
    tb_u32(&z->b, 0x06054b50u);
    tb_u16(&z->b, 0);
    tb_u16(&z->b, 0);
    tb_u16(&z->b, (unsigned)z->n);
    tb_u16(&z->b, (unsigned)z->n);
    tb_u32(&z->b, zip64_end ? 0xffffffffu : (uint32_t)z->cd_size);
    tb_u32(&z->b, zip64_end ? 0xffffffffu : (uint32_t)z->cd_off);
    tb_u16(&z->b, 0);
}

void tz_sample_zip(tz_zip *z) {
    static const float a[6] = {1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, -7.0f};
    static const int64_t b[4] = {1, -2, 3000000000LL, -4};
    static const uint8_t c[5] = {0, 1, 2, 254, 255};
    tbuf t = {0, 0, 0};
    memset(z, 0, sizeof *z);
    tz_npy(&t, 1, "<f4", "False", "(2, 3)", a, sizeof a, 64);
    tz_zip_add(z, "a.npy", t.p, t.n, 0, 1, 0, 0);
    t.n = 0;
    tz_npy(&t, 2, "<i8", "False", "(4,)", b, sizeof b, 64);
    tz_zip_add(z, "b.npy", t.p, t.n, 8, 1, 1, 0);
    t.n = 0;
    tz_npy(&t, 3, "|u1", "False", "(5,)", c, sizeof c, 64);
    tz_zip_add(z, "c.npy", t.p, t.n, 0, 1, 0, 0);
    tz_zip_finish(z, 1);
    tb_free(&t);
}

void tz_sample_npz(tbuf *out) {
    tz_zip z;
    tz_sample_zip(&z);
    *out = z.b;
}
