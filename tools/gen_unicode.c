/* tools/gen_unicode.c - generates the Unicode tables of hooklens.h (region >>unicode) from the
   Unicode Character Database files shipped by Debian's `unicode-data` package.

   Usage: gen_unicode UCD_DIR HEADER
     UCD_DIR  e.g. /usr/share/unicode (UnicodeData.txt, DerivedNormalizationProps.txt, PropList.txt,
              ReadMe.txt or DerivedAge.txt for the version)
     HEADER   hooklens.h; the text between the lines containing ">>unicode_tables" and
              "<<unicode_tables" is replaced by the generated tables, everything else is kept.

   Tables (all sorted by code point, searched by binary search):
     hl__uc_ccc[]     {lo, hi, ccc}       canonical combining class of every code point with ccc != 0
     hl__uc_decomp[]  {cp, a, b}          one level of canonical decomposition (b == 0: singleton);
                                          Hangul syllables are algorithmic and not listed
     hl__uc_comp[]    {a, b, cp}          primary composites: two-code-point canonical decompositions
                                          that are not Full_Composition_Exclusion, sorted by (a, b)
     hl__uc_letter[]  {lo, hi}            General_Category L* (Lu Ll Lt Lm Lo)   = regex \p{L}
     hl__uc_number[]  {lo, hi}            General_Category N* (Nd Nl No)         = regex \p{N}
     hl__uc_space[]   {lo, hi}            White_Space property (PropList.txt)    = regex \s
   Build: make unicode-tables (in the Makefile's >>tok block). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCP 0x110000

static unsigned char ccc[NCP];
static unsigned char cat[NCP]; /* 1 letter, 2 number */
static unsigned char space[NCP];
static unsigned char excl[NCP];
static unsigned dec_a[NCP], dec_b[NCP];
static unsigned char has_dec[NCP];

static FILE *open_ucd(const char *dir, const char *name) {
    char path[4096];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "gen_unicode: cannot open %s\n", path);
        exit(1);
    }
    return f;
}

/* Splits a ';'-separated line into at most n fields (in place). */
static int split_fields(char *line, char **fields, int n) {
    int k = 0;
    char *p = line;
    while (k < n) {
        fields[k++] = p;
        p = strchr(p, ';');
        if (!p) break;
        *p++ = 0;
    }
    return k;
}

/* Parses "XXXX" or "XXXX..YYYY" at the start of s into [*lo, *hi]; returns 0 if none. */
static int parse_range(const char *s, unsigned *lo, unsigned *hi) {
    char *end;
    while (*s == ' ') s++;
    if (!isxdigit((unsigned char)*s)) return 0;
    *lo = (unsigned)strtoul(s, &end, 16);
    *hi = *lo;
    if (end[0] == '.' && end[1] == '.') *hi = (unsigned)strtoul(end + 2, &end, 16);
    return *lo < NCP && *hi < NCP && *lo <= *hi;
}

static void read_unicode_data(const char *dir) {
    FILE *f = open_ucd(dir, "UnicodeData.txt");
    char line[1024];
    unsigned first = 0;
    int in_range = 0;
    while (fgets(line, sizeof line, f)) {
        char *fl[15];
        unsigned cp, c, lo, hi;
        int kind;
        if (split_fields(line, fl, 15) < 6) continue;
        cp = (unsigned)strtoul(fl[0], NULL, 16);
        if (cp >= NCP) continue;
        kind = fl[2][0] == 'L' ? 1 : fl[2][0] == 'N' ? 2 : 0;
        c = (unsigned)atoi(fl[3]);
        if (strstr(fl[1], ", First>")) {
            first = cp;
            in_range = 1;
            continue;
        }
        lo = hi = cp;
        if (in_range && strstr(fl[1], ", Last>")) lo = first;
        in_range = 0;
        for (; lo <= hi; lo++) {
            cat[lo] = (unsigned char)kind;
            ccc[lo] = (unsigned char)c;
        }
        /* canonical decompositions have no <tag> */
        if (fl[5][0] && fl[5][0] != '<') {
            char *end;
            unsigned a = (unsigned)strtoul(fl[5], &end, 16), b = 0;
            while (*end == ' ') end++;
            if (*end) b = (unsigned)strtoul(end, &end, 16);
            while (*end == ' ') end++;
            if (*end) {
                fprintf(stderr, "gen_unicode: U+%04X has more than 2 canonical parts\n", cp);
                exit(1);
            }
            has_dec[cp] = 1;
            dec_a[cp] = a;
            dec_b[cp] = b;
        }
    }
    fclose(f);
}

/* Sets flag[cp] = 1 for every line "range ; Property" of file whose property equals prop. */
static void read_property(const char *dir, const char *file, const char *prop, unsigned char *flag) {
    FILE *f = open_ucd(dir, file);
    char line[1024];
    size_t pl = strlen(prop);
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned lo, hi;
        char *semi = strchr(line, ';'), *p;
        if (line[0] == '#' || !semi) continue;
        p = semi + 1;
        while (*p == ' ') p++;
        if (strncmp(p, prop, pl) != 0 || (p[pl] != ' ' && p[pl] != '#' && p[pl] != '\n')) continue;
        if (!parse_range(line, &lo, &hi)) continue;
        for (; lo <= hi; lo++) flag[lo] = 1;
        count++;
    }
    fclose(f);
    if (!count) {
        fprintf(stderr, "gen_unicode: no %s lines in %s\n", prop, file);
        exit(1);
    }
}

static void read_version(const char *dir, char *ver, size_t cap) {
    FILE *f = open_ucd(dir, "DerivedNormalizationProps.txt");
    char line[1024];
    snprintf(ver, cap, "unknown");
    if (fgets(line, sizeof line, f)) {
        char *p = strstr(line, "DerivedNormalizationProps-"), *e;
        if (p) {
            p += strlen("DerivedNormalizationProps-");
            e = strstr(p, ".txt");
            if (e && (size_t)(e - p) < cap) {
                memcpy(ver, p, (size_t)(e - p));
                ver[e - p] = 0;
            }
        }
    }
    fclose(f);
}

typedef struct {
    char  *s;
    size_t len, cap;
} sbuf;
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(sbuf *b, const char *fmt, ...);
static void put(sbuf *b, const char *fmt, ...) {
    va_list ap;
    int n;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) break;
        b->cap = b->cap * 2 + 4096;
        b->s = (char *)realloc(b->s, b->cap);
        if (!b->s) exit(1);
    }
    b->len += (size_t)n;
}

/* Emits the ranges where pred(cp) is true, as {lo, hi} pairs, `per` per line. */
static void emit_ranges(sbuf *o, const char *name, const unsigned char *flag, unsigned char want) {
    unsigned cp = 0, n = 0;
    put(o, "static const uint32_t %s[][2] = {\n", name);
    while (cp < NCP) {
        unsigned lo;
        if (flag[cp] != want) { cp++; continue; }
        lo = cp;
        while (cp < NCP && flag[cp] == want) cp++;
        put(o, "%s{0x%X,0x%X},", n % 6 == 0 ? "    " : " ", lo, cp - 1);
        if (++n % 6 == 0) put(o, "\n");
    }
    if (n % 6) put(o, "\n");
    put(o, "};\n");
}

typedef struct { unsigned a, b, cp; } comp_t;
static int cmp_comp(const void *x, const void *y) {
    const comp_t *p = (const comp_t *)x, *q = (const comp_t *)y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    if (p->b != q->b) return p->b < q->b ? -1 : 1;
    return 0;
}

int main(int argc, char **argv) {
    char ver[64], line[4096];
    sbuf o = {NULL, 0, 0}, out = {NULL, 0, 0};
    unsigned cp, n;
    comp_t *comp;
    size_t ncomp = 0;
    FILE *f;
    int state = 0;
    if (argc != 3) {
        fprintf(stderr, "usage: gen_unicode UCD_DIR HEADER\n");
        return 2;
    }
    read_unicode_data(argv[1]);
    read_property(argv[1], "DerivedNormalizationProps.txt", "Full_Composition_Exclusion", excl);
    read_property(argv[1], "PropList.txt", "White_Space", space);
    read_version(argv[1], ver, sizeof ver);

    put(&o, "/* Generated by tools/gen_unicode.c from the Unicode Character Database %s (Debian\n"
            "   unicode-data): `make unicode-tables`. Do not edit by hand. */\n", ver);
    put(&o, "#define HL__UNICODE_VERSION \"%s\"\n", ver);
    /* combining classes as runs of equal non-zero ccc */
    put(&o, "static const uint32_t hl__uc_ccc[][3] = {\n");
    n = 0;
    cp = 0;
    while (cp < NCP) {
        unsigned lo = cp, c = ccc[cp];
        if (!c) { cp++; continue; }
        while (cp < NCP && ccc[cp] == c) cp++;
        put(&o, "%s{0x%X,0x%X,%u},", n % 5 == 0 ? "    " : " ", lo, cp - 1, c);
        if (++n % 5 == 0) put(&o, "\n");
    }
    if (n % 5) put(&o, "\n");
    put(&o, "};\n");

    comp = (comp_t *)calloc(NCP, sizeof *comp);
    if (!comp) return 1;
    put(&o, "static const uint32_t hl__uc_decomp[][3] = {\n");
    n = 0;
    for (cp = 0; cp < NCP; cp++) {
        if (!has_dec[cp]) continue;
        put(&o, "%s{0x%X,0x%X,0x%X},", n % 5 == 0 ? "    " : " ", cp, dec_a[cp], dec_b[cp]);
        if (++n % 5 == 0) put(&o, "\n");
        if (dec_b[cp] && !excl[cp]) {
            comp[ncomp].a = dec_a[cp];
            comp[ncomp].b = dec_b[cp];
            comp[ncomp].cp = cp;
            ncomp++;
        }
    }
    if (n % 5) put(&o, "\n");
    put(&o, "};\n");
    qsort(comp, ncomp, sizeof *comp, cmp_comp);
    put(&o, "static const uint32_t hl__uc_comp[][3] = {\n");
    for (n = 0; n < ncomp; n++) {
        put(&o, "%s{0x%X,0x%X,0x%X},", n % 5 == 0 ? "    " : " ", comp[n].a, comp[n].b, comp[n].cp);
        if ((n + 1) % 5 == 0) put(&o, "\n");
    }
    if (ncomp % 5) put(&o, "\n");
    put(&o, "};\n");
    emit_ranges(&o, "hl__uc_letter", cat, 1);
    emit_ranges(&o, "hl__uc_number", cat, 2);
    emit_ranges(&o, "hl__uc_space", space, 1);
    free(comp);

    /* splice into the header between the marker lines */
    f = fopen(argv[2], "r");
    if (!f) {
        fprintf(stderr, "gen_unicode: cannot open %s\n", argv[2]);
        return 1;
    }
    while (fgets(line, sizeof line, f)) {
        if (state == 1 && strstr(line, "<<unicode_tables")) {
            put(&out, "%s", o.s);
            state = 2;
        }
        if (state != 1) put(&out, "%s", line);
        if (state == 0 && strstr(line, ">>unicode_tables")) state = 1;
    }
    fclose(f);
    if (state != 2) {
        fprintf(stderr, "gen_unicode: %s lacks the >>unicode_tables / <<unicode_tables lines\n", argv[2]);
        return 1;
    }
    f = fopen(argv[2], "w");
    if (!f || fwrite(out.s, 1, out.len, f) != out.len || fclose(f) != 0) {
        fprintf(stderr, "gen_unicode: cannot write %s\n", argv[2]);
        return 1;
    }
    fprintf(stderr, "gen_unicode: Unicode %s, %zu composition pairs, tables written into %s\n", ver, ncomp,
            argv[2]);
    free(o.s);
    free(out.s);
    return 0;
}
