/* mosaic_svg: small inline-SVG charts for the self-contained run report (no scripts, no network).
 *
 * Charts append to a MosaicText buffer: line charts (training curves, gamma_d over time, M over time),
 * scatter plots with a y = x reference (proxy vs measured), heat maps over the cell grid (port
 * utilisation, spike traffic) and bar charts. Every chart has a title, labelled axes and a legend, and
 * escapes all text it is given. */
#ifndef MOSAIC_SVG_H
#define MOSAIC_SVG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A growing NUL-terminated string. Append failures set `failed` (checked once at the end). */
typedef struct {
    char *data;
    size_t len, cap;
    int failed;
} MosaicText;

void mosaic_text_init(MosaicText *t);
void mosaic_text_free(MosaicText *t);
void mosaic_text_printf(MosaicText *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with &, <, >, " escaped for HTML/SVG text and attributes. */
void mosaic_text_escaped(MosaicText *t, const char *s);

typedef struct {
    const char *name;
    const double *x; /* (n) */
    const double *y; /* (n); NaN points are skipped (gaps) */
    int n;
} MosaicSeries;

typedef struct {
    const char *title;
    const char *xlabel;
    const char *ylabel;
    int width, height; /* pixels; 0 = 560 x 300 */
} MosaicChartStyle;

/* Lines through each series' points, with markers when a series has few points. */
void mosaic_svg_line_chart(MosaicText *t, const MosaicChartStyle *style, const MosaicSeries *series,
                           int nseries);

/* Points of each series, plus the y = x diagonal when `diagonal` is set. */
void mosaic_svg_scatter(MosaicText *t, const MosaicChartStyle *style, const MosaicSeries *series, int nseries,
                        int diagonal);

/* values: (rows, cols) row-major; NaN cells are drawn empty. Colour scale from 0 to max(values) (or to
 * `vmax` if > 0, values above it at the darkest colour), with a legend bar. Cells above `outline_above`
 * (if > 0; e.g. 1 for a port load over capacity) get a blue outline. cell_label (may be NULL) titles each
 * cell on hover. */
void mosaic_svg_heatmap(MosaicText *t, const MosaicChartStyle *style, const double *values, int rows,
                        int cols, double vmax, double outline_above, const char *const *cell_label);

/* One bar per category. */
void mosaic_svg_bar_chart(MosaicText *t, const MosaicChartStyle *style, const char *const *names,
                          const double *values, int n);

#ifdef __cplusplus
}
#endif
#endif
