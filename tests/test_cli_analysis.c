/* tests/test_cli_analysis.c - the heat-map view of the analysis commands (hl_view_heatmaps_html):
   structure, escaping, shades and argument checks. */
#include <stdlib.h>
#include "hl_test.h"

static size_t ca_count(const char *hay, const char *needle) {
    size_t n = 0, l = strlen(needle);
    while ((hay = strstr(hay, needle)) != NULL) n++, hay += l;
    return n;
}
/* hl_view_heatmaps_html: one document, nothing loaded, a table per map with a cell per value, the
   hostile labels shown escaped (never live), the data block valid JSON holding them, the diverging
   shades (white at 0, full blue and red at +-max), NaN as null; invalid arguments refused. */
static void test_view_heatmaps(void) {
    static const char *const rows[2] = {"<script>alert(\"x\")</script>", "L1"};
    static const char *const cols[3] = {"0 <b onmouseover='y'>", "1 a&b", "2 \n"};
    static const char *const text[6] = {"t0", NULL, "t2", "t3", "t4", "t5"};
    const float vals[6] = {2.0f, -2.0f, 0.0f, 1.0f, NAN, -0.5f};
    hl_heatmap maps[2];
    hl_heatmaps_view v;
    hl_error e;
    char *html = NULL;
    size_t len = 0;
    memset(maps, 0, sizeof maps);
    maps[0].title = "First </h2><script>", maps[0].row_axis = "layer", maps[0].col_axis = "position";
    maps[0].n_rows = 2, maps[0].n_cols = 3, maps[0].row_labels = rows, maps[0].col_labels = cols, maps[0].values = vals;
    maps[0].cell_text = text;
    maps[1] = maps[0];
    maps[1].title = "Second", maps[1].cell_text = NULL, maps[1].n_rows = 1;
    memset(&v, 0, sizeof v);
    v.title = "Heat <maps>", v.subtitle = "prompt \"<script>alert(1)</script>\"", v.n_maps = 2, v.maps = maps;
    v.n_tokens = 3, v.tokens = cols;
    CHECK_OK(hl_view_heatmaps_html(&v, &html, &len, &e), &e);
    if (!html) return;
    CHECK(strlen(html) == len && strncmp(html, "<!DOCTYPE html>", 15) == 0);
    CHECK(ca_count(html, " src=") == 0 && ca_count(html, "url(") == 0 && ca_count(html, "http://") == 0);
    CHECK(ca_count(html, "<table") == 2 && ca_count(html, "</table>") == 2);
    CHECK(ca_count(html, "<td data-k=") == 9);
    CHECK(ca_count(html, "<script") == 2 && ca_count(html, "<b onmouseover") == 0);
    CHECK(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") != NULL);
    CHECK(strstr(html, "prompt &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;") != NULL);
    CHECK(strstr(html, "First &lt;/h2&gt;&lt;script&gt;") != NULL);
    CHECK(strstr(html, "\\u003cscript\\u003ealert(\\\"x\\\")\\u003c/script\\u003e") != NULL); /* in the JSON */
    CHECK(strstr(html, "background:rgb(33,102,172)") != NULL);  /* +max */
    CHECK(strstr(html, "background:rgb(178,24,43)") != NULL);   /* -max */
    CHECK(strstr(html, "background:rgb(255,255,255)") != NULL); /* 0 */
    CHECK(strstr(html, "background:#e5e7eb") != NULL);          /* NaN */
    CHECK(strstr(html, ",null,") != NULL);
    CHECK(strstr(html, ">t0</td>") != NULL && strstr(html, ">-2</td>") != NULL); /* text, else the value */
    CHECK(strstr(html, "data-heatmap-cells") != NULL);
    hl_free(html);
    html = NULL;
    maps[1].values = NULL;
    CHECK(hl_view_heatmaps_html(&v, &html, &len, &e) == HL_ERR_ARG && html == NULL);
    maps[1].values = vals, maps[1].n_cols = 0;
    CHECK(hl_view_heatmaps_html(&v, &html, &len, &e) == HL_ERR_ARG);
    v.n_maps = 0;
    CHECK(hl_view_heatmaps_html(&v, &html, &len, &e) == HL_ERR_ARG);
}

void suite_cli_analysis(void) {
    RUN(test_view_heatmaps);
}
