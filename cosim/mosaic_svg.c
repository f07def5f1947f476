#define _POSIX_C_SOURCE 200809L
#include "mosaic_svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Text buffer
 * ------------------------------------------------------------------------------------------- */

void mosaic_text_init(MosaicText *t) { memset(t, 0, sizeof *t); }

void mosaic_text_free(MosaicText *t) {
    if (!t) return;
    free(t->data);
    memset(t, 0, sizeof *t);
}

static int reserve_(MosaicText *t, size_t extra) {
    if (t->failed) return 0;
    if (t->len + extra + 1 <= t->cap) return 1;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + extra + 1) cap *= 2;
    char *d = realloc(t->data, cap);
    if (!d) {
        t->failed = 1;
        return 0;
    }
    t->data = d;
    t->cap = cap;
    return 1;
}

void mosaic_text_printf(MosaicText *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && reserve_(t, (size_t)n)) {
        vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap2);
        t->len += (size_t)n;
    }
    va_end(ap2);
}

void mosaic_text_escaped(MosaicText *t, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': mosaic_text_printf(t, "&amp;"); break;
        case '<': mosaic_text_printf(t, "&lt;"); break;
        case '>': mosaic_text_printf(t, "&gt;"); break;
        case '"': mosaic_text_printf(t, "&quot;"); break;
        default:
            if (reserve_(t, 1)) {
                t->data[t->len++] = *s;
                t->data[t->len] = 0;
            }
        }
    }
}

/* ---------------------------------------------------------------------------------------------
 * Axes
 * ------------------------------------------------------------------------------------------- */

/* Colour-blind-safe qualitative palette (Okabe-Ito). */
static const char *palette_[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                 "#E69F00", "#56B4E9", "#000000", "#F0E442"};

typedef struct {
    double x0, x1, y0, y1;    /* data range */
    double left, top, pw, ph; /* plot area in pixels */
    int width, height;
} Frame_;

static double nice_step_(double range, int ticks) {
    double raw = range / ticks;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static void pad_range_(double *lo, double *hi) {
    if (!isfinite(*lo) || !isfinite(*hi)) *lo = 0, *hi = 1;
    if (*hi - *lo < 1e-12) {
        double c = *lo;
        /* a constant series: a band around it; around 0 (counts such as violations), 0 .. 1, since a
         * negative axis would suggest negative counts */
        *lo = c > 0 ? c - c * 0.1 : c < 0 ? c + c * 0.1 : 0;
        *hi = c > 0 ? c + c * 0.1 : c < 0 ? c - c * 0.1 : 1;
    }
}

static double px_(const Frame_ *f, double x) { return f->left + (x - f->x0) / (f->x1 - f->x0) * f->pw; }
static double py_(const Frame_ *f, double y) {
    return f->top + f->ph - (y - f->y0) / (f->y1 - f->y0) * f->ph;
}

static void open_svg_(MosaicText *t, const MosaicChartStyle *s, int *w, int *h) {
    *w = s && s->width ? s->width : 560;
    *h = s && s->height ? s->height : 300;
    mosaic_text_printf(
        t,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
        "font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n",
        *w, *h, *w, *h);
    if (s && s->title) {
        mosaic_text_printf(t, "<title>");
        mosaic_text_escaped(t, s->title);
        mosaic_text_printf(t,
                           "</title>\n<text x=\"%d\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" "
                           "font-weight=\"bold\">",
                           *w / 2);
        mosaic_text_escaped(t, s->title);
        mosaic_text_printf(t, "</text>\n");
    }
}

static void axes_(MosaicText *t, const MosaicChartStyle *s, Frame_ *f) {
    mosaic_text_printf(
        t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#888\"/>\n",
        f->left, f->top, f->pw, f->ph);
    double xs = nice_step_(f->x1 - f->x0, 6), ys = nice_step_(f->y1 - f->y0, 5);
    for (double v = ceil(f->x0 / xs) * xs; v <= f->x1 + 1e-9 * xs; v += xs) {
        double x = px_(f, v);
        mosaic_text_printf(t,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                           "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
                           x, f->top, x, f->top + f->ph, x, f->top + f->ph + 14,
                           fabs(v) < 1e-12 * xs ? 0.0 : v);
    }
    for (double v = ceil(f->y0 / ys) * ys; v <= f->y1 + 1e-9 * ys; v += ys) {
        double y = py_(f, v);
        mosaic_text_printf(t,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                           "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                           f->left, y, f->left + f->pw, y, f->left - 4, y + 4,
                           fabs(v) < 1e-12 * ys ? 0.0 : v);
    }
    if (s && s->xlabel) {
        mosaic_text_printf(t, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", f->left + f->pw / 2,
                           f->height - 4);
        mosaic_text_escaped(t, s->xlabel);
        mosaic_text_printf(t, "</text>\n");
    }
    if (s && s->ylabel) {
        mosaic_text_printf(t, "<text transform=\"translate(12,%.1f) rotate(-90)\" text-anchor=\"middle\">",
                           f->top + f->ph / 2);
        mosaic_text_escaped(t, s->ylabel);
        mosaic_text_printf(t, "</text>\n");
    }
}

static void legend_(MosaicText *t, const Frame_ *f, const MosaicSeries *series, int nseries) {
    if (nseries < 2 && !(nseries == 1 && series[0].name)) return;
    for (int i = 0; i < nseries; i++) {
        double x = f->left + f->pw + 8, y = f->top + 12 + 16 * i;
        mosaic_text_printf(t,
                           "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                           "<text x=\"%.1f\" y=\"%.1f\">",
                           x, y - 9, palette_[i % 8], x + 14, y);
        mosaic_text_escaped(t, series[i].name ? series[i].name : "");
        mosaic_text_printf(t, "</text>\n");
    }
}

static Frame_ frame_for_(const MosaicSeries *series, int nseries, int w, int h, int legend, int square) {
    Frame_ f = {INFINITY, -INFINITY, INFINITY, -INFINITY, 54, 26, 0, 0, w, h};
    for (int i = 0; i < nseries; i++)
        for (int j = 0; j < series[i].n; j++) {
            double x = series[i].x[j], y = series[i].y[j];
            if (!isfinite(x) || !isfinite(y)) continue;
            if (x < f.x0) f.x0 = x;
            if (x > f.x1) f.x1 = x;
            if (y < f.y0) f.y0 = y;
            if (y > f.y1) f.y1 = y;
        }
    if (square) {
        double lo = fmin(f.x0, f.y0), hi = fmax(f.x1, f.y1);
        f.x0 = f.y0 = lo;
        f.x1 = f.y1 = hi;
    }
    pad_range_(&f.x0, &f.x1);
    pad_range_(&f.y0, &f.y1);
    f.pw = w - f.left - (legend ? 130 : 16);
    f.ph = h - f.top - 34;
    return f;
}

/* ---------------------------------------------------------------------------------------------
 * Charts
 * ------------------------------------------------------------------------------------------- */

void mosaic_svg_line_chart(MosaicText *t, const MosaicChartStyle *style, const MosaicSeries *series,
                           int nseries) {
    int w, h;
    open_svg_(t, style, &w, &h);
    int legend = nseries > 1 || (nseries == 1 && series[0].name);
    Frame_ f = frame_for_(series, nseries, w, h, legend, 0);
    axes_(t, style, &f);
    for (int i = 0; i < nseries; i++) {
        const char *col = palette_[i % 8];
        int pen = 0;
        mosaic_text_printf(t, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" d=\"", col);
        for (int j = 0; j < series[i].n; j++) {
            double x = series[i].x[j], y = series[i].y[j];
            if (!isfinite(x) || !isfinite(y)) {
                pen = 0;
                continue;
            }
            mosaic_text_printf(t, "%c%.1f %.1f ", pen ? 'L' : 'M', px_(&f, x), py_(&f, y));
            pen = 1;
        }
        mosaic_text_printf(t, "\"/>\n");
        if (series[i].n <= 40)
            for (int j = 0; j < series[i].n; j++)
                if (isfinite(series[i].x[j]) && isfinite(series[i].y[j]))
                    mosaic_text_printf(t,
                                       "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>%g, "
                                       "%g</title></circle>\n",
                                       px_(&f, series[i].x[j]), py_(&f, series[i].y[j]), col, series[i].x[j],
                                       series[i].y[j]);
    }
    legend_(t, &f, series, nseries);
    mosaic_text_printf(t, "</svg>\n");
}

void mosaic_svg_scatter(MosaicText *t, const MosaicChartStyle *style, const MosaicSeries *series, int nseries,
                        int diagonal) {
    int w, h;
    open_svg_(t, style, &w, &h);
    int legend = nseries > 1 || (nseries == 1 && series[0].name);
    Frame_ f = frame_for_(series, nseries, w, h, legend, diagonal);
    axes_(t, style, &f);
    if (diagonal)
        mosaic_text_printf(t,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
                           "stroke-dasharray=\"4 3\"/>\n",
                           px_(&f, f.x0), py_(&f, f.x0), px_(&f, f.x1), py_(&f, f.x1));
    for (int i = 0; i < nseries; i++)
        for (int j = 0; j < series[i].n; j++)
            if (isfinite(series[i].x[j]) && isfinite(series[i].y[j]))
                mosaic_text_printf(t,
                                   "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" fill-opacity=\"0.7\">"
                                   "<title>%g, %g</title></circle>\n",
                                   px_(&f, series[i].x[j]), py_(&f, series[i].y[j]), palette_[i % 8],
                                   series[i].x[j], series[i].y[j]);
    legend_(t, &f, series, nseries);
    mosaic_text_printf(t, "</svg>\n");
}

/* Sequential scale from pale yellow to dark red; values above 1 (over capacity) get a blue outline. */
static void heat_colour_(double u, char *out) {
    if (u < 0) u = 0;
    if (u > 1) u = 1;
    int r = (int)(255 - 75 * u), g = (int)(247 - 220 * u), b = (int)(188 - 150 * u);
    sprintf(out, "#%02x%02x%02x", r, g, b);
}

void mosaic_svg_heatmap(MosaicText *t, const MosaicChartStyle *style, const double *values, int rows,
                        int cols, double vmax, double outline_above, const char *const *cell_label) {
    int w, h;
    open_svg_(t, style, &w, &h);
    double mx = vmax;
    if (mx <= 0)
        for (int i = 0; i < rows * cols; i++)
            if (isfinite(values[i]) && values[i] > mx) mx = values[i];
    if (mx <= 0) mx = 1;
    double left = 20, top = 26, avail_w = w - left - 90, avail_h = h - top - 16;
    double cell = fmin(avail_w / cols, avail_h / rows);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            double v = values[r * cols + c];
            double x = left + c * cell, y = top + r * cell;
            if (!isfinite(v)) {
                mosaic_text_printf(
                    t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f4f4f4\"/>\n", x,
                    y, cell, cell);
                continue;
            }
            char col[8];
            heat_colour_(v / mx, col);
            const int over = outline_above > 0 && v > outline_above;
            mosaic_text_printf(t,
                               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                               "stroke=\"%s\" stroke-width=\"%s\"><title>",
                               x, y, cell, cell, col, over ? "#1f4fd8" : "#fff", over ? "2" : "0.5");
            if (cell_label && cell_label[r * cols + c]) {
                mosaic_text_escaped(t, cell_label[r * cols + c]);
                mosaic_text_printf(t, ": ");
            }
            mosaic_text_printf(t, "%g</title></rect>\n", v);
        }
    /* legend bar */
    double lx = left + cols * cell + 16, ly = top, lh = fmin(rows * cell, 160);
    for (int i = 0; i < 20; i++) {
        char col[8];
        heat_colour_(1.0 - i / 19.0, col);
        mosaic_text_printf(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%.2f\" fill=\"%s\"/>\n", lx,
                           ly + i * lh / 20, lh / 20 + 0.5, col);
    }
    mosaic_text_printf(t, "<text x=\"%.1f\" y=\"%.1f\">%g</text><text x=\"%.1f\" y=\"%.1f\">0</text>\n",
                       lx + 18, ly + 9, mx, lx + 18, ly + lh);
    mosaic_text_printf(t, "</svg>\n");
}

void mosaic_svg_bar_chart(MosaicText *t, const MosaicChartStyle *style, const char *const *names,
                          const double *values, int n) {
    int w, h;
    open_svg_(t, style, &w, &h);
    double mx = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(values[i]) && values[i] > mx) mx = values[i];
    if (mx <= 0) mx = 1;
    double left = 54, top = 26, pw = w - left - 16, ph = h - top - 46;
    double bw = n ? pw / n : pw;
    mosaic_text_printf(t, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n", left,
                       top + ph, left + pw, top + ph);
    mosaic_text_printf(t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", left - 4, top + 8,
                       mx);
    for (int i = 0; i < n; i++) {
        double v = isfinite(values[i]) ? values[i] : 0;
        double bh = v / mx * ph;
        mosaic_text_printf(t,
                           "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
                           left + i * bw + bw * 0.1, top + ph - bh, bw * 0.8, bh, palette_[0]);
        mosaic_text_escaped(t, names && names[i] ? names[i] : "");
        mosaic_text_printf(t, ": %g</title></rect>\n", v);
        if (names && names[i] && n <= 40) {
            mosaic_text_printf(
                t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" transform=\"rotate(-45 %.1f %.1f)\">",
                left + (i + 0.5) * bw, top + ph + 12, left + (i + 0.5) * bw, top + ph + 12);
            mosaic_text_escaped(t, names[i]);
            mosaic_text_printf(t, "</text>\n");
        }
    }
    if (style && style->ylabel) {
        mosaic_text_printf(t, "<text transform=\"translate(12,%.1f) rotate(-90)\" text-anchor=\"middle\">",
                           top + ph / 2);
        mosaic_text_escaped(t, style->ylabel);
        mosaic_text_printf(t, "</text>\n");
    }
    mosaic_text_printf(t, "</svg>\n");
}
