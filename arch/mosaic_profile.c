#define _POSIX_C_SOURCE 200809L
#include "mosaic_profile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a decimal fraction "0.8", "1", ".25", "1.0" exactly into num/den. */
static int parse_decimal_(const char *s, int64_t *num, int64_t *den) {
    int64_t n = 0, d = 1;
    int digits = 0, frac = 0, seen_dot = 0;
    for (; *s; s++) {
        if (*s == '.') {
            if (seen_dot) return 0;
            seen_dot = 1;
            continue;
        }
        if (!isdigit((unsigned char)*s)) return 0;
        if (seen_dot && ++frac > 9) return 0;
        if (++digits > 12) return 0;
        n = n * 10 + (*s - '0');
        if (seen_dot) d *= 10;
    }
    if (digits == 0) return 0;
    *num = n;
    *den = d;
    return 1;
}

MosaicStatus mosaic_profile_parse(MosaicProfile *prof, const char *text, const char *source, MosaicErr *err) {
    memset(prof, 0, sizeof *prof);
    for (int d = 0; d <= MOSAIC_PROFILE_MAX_D; d++) prof->den[d] = 1;
    char *buf = strdup(text);
    if (!buf) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", source);
    MosaicStatus st = MOSAIC_OK;
    char *save = NULL;
    int any = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok)) tok++;
        char *colon = strchr(tok, ':');
        char *end = NULL;
        long d = colon ? strtol(tok, &end, 10) : -1;
        int64_t num, den;
        char *frac = colon ? colon + 1 : NULL;
        if (frac) {
            size_t n = strlen(frac);
            while (n && isspace((unsigned char)frac[n - 1])) frac[--n] = 0;
        }
        if (!colon || end != colon || d < 1 || d > MOSAIC_PROFILE_MAX_D || d % 2 == 0 ||
            !parse_decimal_(frac, &num, &den) || num > den) {
            st = mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "%s: profile entry '%s': expected distance:fraction with an odd distance in [1, %d] "
                "and a decimal fraction in [0, 1] (e.g. 1:0.8,3:0.1)",
                source, tok, MOSAIC_PROFILE_MAX_D);
            break;
        }
        prof->num[d] = num;
        prof->den[d] = den;
        prof->p[d] = (double)num / (double)den;
        if (d > prof->max_d) prof->max_d = (int)d;
        any = 1;
    }
    if (st == MOSAIC_OK && !any)
        st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: empty profile: expected e.g. 1:0.8,3:0.1", source);
    free(buf);
    return st;
}

void mosaic_profile_format(const MosaicProfile *prof, char *out, int outlen) {
    int used = 0;
    out[0] = 0;
    for (int d = 1; d <= prof->max_d && used < outlen; d += 2)
        if (prof->num[d] > 0)
            used +=
                snprintf(out + used, (size_t)(outlen - used), "%s%d:%.9g", used ? "," : "", d, prof->p[d]);
}

int64_t mosaic_profile_budget_for(const MosaicProfile *prof, int d, int64_t k_times_n) {
    if (d < 1 || d > prof->max_d) return 0;
    int64_t num = prof->num[d] * k_times_n, den = prof->den[d];
    int64_t q = num / den, r = num % den;
    /* round half to even */
    if (2 * r > den || (2 * r == den && (q & 1))) q++;
    return q;
}

int64_t mosaic_profile_budgets(const MosaicProfile *prof, const MosaicArch *arch, int *budgets) {
    int maxd = mosaic_arch_max_distance(arch), tiles = mosaic_arch_tiles(arch);
    int counts[MOSAIC_PROFILE_MAX_D + 1];
    int64_t total = 0;
    for (int s = 0; s < tiles; s++) {
        mosaic_tiles_at_distance(arch, s, counts);
        for (int d = 0; d <= maxd; d++) {
            int64_t b =
                d ? mosaic_profile_budget_for(prof, d, (int64_t)arch->neurons_per_tile * counts[d]) : 0;
            budgets[s * (maxd + 1) + d] = (int)b;
            total += b;
        }
    }
    return total;
}
