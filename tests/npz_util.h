/* tests/npz_util.h - builders for the npz/inflate/gzip tests: a growable byte buffer, a tiny
   DEFLATE encoder (stored blocks, or one fixed-Huffman block with greedy LZ77 matches), gzip
   members, .npy images and a small zip writer with ZIP64 extras. Test code only. */
#ifndef NPZ_UTIL_H
#define NPZ_UTIL_H
#include <stddef.h>
#include <stdint.h>

typedef struct tbuf {
    uint8_t *p;
    size_t   n, cap;
} tbuf;
void tb_put(tbuf *b, const void *d, size_t n);
void tb_u8(tbuf *b, unsigned v);
void tb_u16(tbuf *b, unsigned v);
void tb_u32(tbuf *b, uint32_t v);
void tb_u64(tbuf *b, uint64_t v);
void tb_free(tbuf *b);

/* Raw DEFLATE: stored blocks of at most 65535 bytes (at least one block, the last has BFINAL). */
void tz_deflate_stored(tbuf *out, const uint8_t *in, size_t n);
/* Raw DEFLATE: one final fixed-Huffman block; matches found with a 3-byte hash, distances up to
   32768 (max_dist limits them, e.g. to force literals). */
void tz_deflate_fixed(tbuf *out, const uint8_t *in, size_t n, unsigned max_dist);

/* LSB-first bit writer for hand-made DEFLATE streams. tz_code sends a Huffman code (MSB first). */
typedef struct tz_bw {
    tbuf    *out;
    uint64_t acc;
    unsigned cnt;
} tz_bw;
void tz_bits(tz_bw *w, uint32_t v, unsigned n);
void tz_code(tz_bw *w, uint32_t code, unsigned n);
void tz_flush(tz_bw *w); /* pads with zero bits to a byte */
/* Canonical codes (RFC 1951 3.2.2) for lengths len[0..n) into codes[]. */
void tz_canon(const uint8_t *len, int n, uint32_t *codes);
/* Writes a dynamic block header (BFINAL=1, BTYPE=10) for the given literal/length and distance
   code lengths, sending each length with a fixed code-length code (0..12: 4 bits, 13..18: 5 bits)
   and no run-length symbols. */
void tz_dyn_header(tz_bw *w, const uint8_t *lit, int hlit, const uint8_t *dist, int hdist);

/* One gzip member. flags: gzip FLG bits (FEXTRA 4, FNAME 8, FCOMMENT 16, FHCRC 2) to include;
   method: 0 stored blocks, 1 fixed Huffman. */
void tz_gzip(tbuf *out, const uint8_t *in, size_t n, unsigned flags, int method);

/* A .npy image: magic, version major.0, header dict {'descr': descr, 'fortran_order': fortran,
   'shape': shape, } padded with spaces and '\n' so the data starts `align`-aligned, then data. */
void tz_npy(tbuf *out, int major, const char *descr, const char *fortran, const char *shape,
            const void *data, size_t nbytes, size_t align);

/* zip writer */
#define TZ_MAX_MEMBERS 16
typedef struct tz_member {
    char     name[64];
    uint32_t crc;
    uint64_t csize, usize, off;
    unsigned method, flags;
    int      zip64_central;
} tz_member;
typedef struct tz_zip {
    tbuf      b;
    tz_member m[TZ_MAX_MEMBERS];
    int       n;
    uint64_t  cd_off, cd_size;
} tz_zip;
/* method: 0 stored, 8 deflate (fixed Huffman). zip64_local: numpy style (0xFFFFFFFF sizes and a
   ZIP64 extra); zip64_central: the directory entry puts sizes and offset in a ZIP64 extra;
   descriptor: flag bit 3, zero local sizes, a data descriptor after the data. */
void tz_zip_add(tz_zip *z, const char *name, const void *data, size_t n, unsigned method,
                int zip64_local, int zip64_central, int descriptor);
/* Writes the central directory, an optional ZIP64 end record + locator, and the end record. */
void tz_zip_finish(tz_zip *z, int zip64_end);

/* The standard test npz: arrays "a" f4 [2,3] (stored), "b" i8 [4] (deflate, ZIP64 directory
   extra with sizes and offset), "c" u1 [5] (stored), numpy-style ZIP64 local headers, ZIP64 end
   record + locator. tz_sample_zip keeps the member table (offsets) for hostile tests. */
void tz_sample_zip(tz_zip *z);
void tz_sample_npz(tbuf *out);

#endif
