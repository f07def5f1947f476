/* The report's SVG charts are well-formed, escape their text and place data where expected. */
#include <math.h>

#include "mosaic_svg.h"
#include "mosaic_test.h"

/* Minimal well-formedness: every <tag> is closed in order, no raw '<' or '&' in text. */
static int well_formed_(const char *s) {
    char stack[64][32];
    int depth = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '&') {
            if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
                strncmp(p, "&quot;", 6))
                return 0;
            continue;
        }
        if (*p != '<') continue;
        const char *end = strchr(p, '>');
        if (!end) return 0;
        int closing = p[1] == '/', self = end[-1] == '/';
        const char *name = p + 1 + closing;
        size_t n = strcspn(name, " />");
        if (n == 0 || n >= 32) return 0;
        if (closing) {
            if (depth == 0 || strncmp(stack[depth - 1], name, n) || stack[depth - 1][n]) return 0;
            depth--;
        } else if (!self) {
            if (depth == 64) return 0;
            memcpy(stack[depth], name, n);
            stack[depth++][n] = 0;
        }
        for (const char *q = p + 1; q < end; q++)
            if (*q == '<') return 0;
        p = end;
    }
    return depth == 0;
}

static int count_(const char *s, const char *needle) {
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

int main(void) {
    TEST("LineChartIsWellFormedWithGapsAndLegend") {
        MosaicText t;
        mosaic_text_init(&t);
        double x[5] = {0, 1, 2, 3, 4}, y1[5] = {0.1, 0.5, NAN, 0.7, 0.9}, y2[5] = {1, 1, 1, 1, 1};
        MosaicSeries s[2] = {{"train <acc>", x, y1, 5}, {"test & val", x, y2, 5}};
        MosaicChartStyle st = {"Accuracy \"per\" epoch", "epoch", "accuracy", 0, 0};
        mosaic_svg_line_chart(&t, &st, s, 2);
        CHECK(!t.failed);
        CHECK(well_formed_(t.data));
        CHECK(strstr(t.data, "train &lt;acc&gt;") != NULL);
        CHECK(strstr(t.data, "test &amp; val") != NULL);
        CHECK_EQ_INT(count_(t.data, "<path"), 2);
        CHECK_EQ_INT(count_(t.data, "<circle"), 9); /* the NaN point is skipped */
        /* the NaN splits the first path into two pieces: two 'M' moves */
        const char *d = strstr(t.data, " d=\"");
        CHECK(d && count_(d, "M") >= 2);
        mosaic_text_free(&t);
    }
    TEST("HeatmapColoursScaleWithValue") {
        MosaicText t;
        mosaic_text_init(&t);
        double v[6] = {0, 1, 2, NAN, 4, 8};
        const char *labels[6] = {"a", "b", "c", "d", "e", "r1_2_3 out_E"};
        MosaicChartStyle st = {"Port utilisation", NULL, NULL, 300, 200};
        mosaic_svg_heatmap(&t, &st, v, 2, 3, 0, 0, labels);
        CHECK(well_formed_(t.data));
        CHECK(strstr(t.data, "#1f4fd8") == NULL); /* no outline asked for */
        CHECK(strstr(t.data, "r1_2_3 out_E: 8") != NULL);
        CHECK(strstr(t.data, "#fff7bc") != NULL); /* zero: the palest colour */
        CHECK(strstr(t.data, "#b41b26") != NULL); /* the maximum: the darkest */
        CHECK(strstr(t.data, "#f4f4f4") != NULL); /* NaN cell */
        mosaic_text_free(&t);
        /* utilisation: scale fixed at 1, the cells over it (2, 4, 8) outlined */
        mosaic_text_init(&t);
        mosaic_svg_heatmap(&t, &st, v, 2, 3, 1, 1, labels);
        CHECK(well_formed_(t.data));
        int outlined = 0;
        for (const char *p = t.data; (p = strstr(p, "stroke=\"#1f4fd8\"")) != NULL; p++) outlined++;
        CHECK_EQ_INT(outlined, 3);
        mosaic_text_free(&t);
    }
    TEST("ScatterAndBarsAreWellFormed") {
        MosaicText t;
        mosaic_text_init(&t);
        double x[3] = {1e5, 2e5, 3e5}, y[3] = {1.1e5, 1.9e5, 3.2e5};
        MosaicSeries s = {"proxy vs mapper", x, y, 3};
        MosaicChartStyle st = {"Memory", "proxy", "exact", 0, 0};
        mosaic_svg_scatter(&t, &st, &s, 1, 1);
        const char *names[3] = {"R1", "R0", "NT"};
        double vals[3] = {3, 0, 7};
        mosaic_svg_bar_chart(&t, &st, names, vals, 3);
        CHECK(well_formed_(t.data));
        CHECK(strstr(t.data, "stroke-dasharray") != NULL); /* the y = x line */
        CHECK_EQ_INT(count_(t.data, "<svg"), 2);
        mosaic_text_free(&t);
    }
    TEST("ConstantAndEmptySeriesDoNotDivideByZero") {
        MosaicText t;
        mosaic_text_init(&t);
        double x[1] = {3}, y[1] = {5};
        MosaicSeries s = {NULL, x, y, 1};
        mosaic_svg_line_chart(&t, NULL, &s, 1);
        mosaic_svg_line_chart(&t, NULL, NULL, 0);
        CHECK(well_formed_(t.data));
        CHECK(strstr(t.data, "nan") == NULL && strstr(t.data, "inf") == NULL);
        mosaic_text_free(&t);
    }
    return mosaic_test_finish();
}
