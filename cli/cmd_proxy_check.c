/* `mosaic proxy-check`: is the training-time proxy (links per distance) a trustworthy stand-in for the
 * exact mapping? Over a grid of profiles, random networks are mapped exactly and compared with what the
 * proxy predicts from their gamma_d (cosim/mosaic_proxy.h); networks saved by training runs are checked
 * the same way. Prints correlation, error distribution and the mappability confusion matrix, and writes
 * them (CSV + report.html with plots) into --out. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_run.h"
#include "cli_util.h"
#include "commands.h"
#include "mosaic_arch.h"
#include "mosaic_clock.h"
#include "mosaic_cosim.h"
#include "mosaic_files.h"
#include "mosaic_mapper.h"
#include "mosaic_mapper_io.h"
#include "mosaic_proxy.h"
#include "mosaic_report.h"

#define PC_MAX_PROFILES 64
#define PC_MAX_RUNS 16

static const char *default_profiles_ =
    "1:0.5,3:0;1:0.5,3:0.05;1:0.5,3:0.1;1:0.8,3:0;1:0.8,3:0.01;1:0.8,3:0.02;"
    "1:0.8,3:0.05;1:0.8,3:0.1;1:0.8,3:0.2;1:0.95,3:0.01;1:0.95,3:0.29;"
    "1:1,3:0;1:1,3:0.1;1:1,3:0.3";

static void usage_(FILE *out) {
    fprintf(
        out,
        "usage: mosaic proxy-check [--arch FILE] [--set key=value ...] [--profiles \"P P ...\"]\n"
        "                          [--networks N] [--draws D] [--seed S] [--runs RUN ...] [--out DIR]\n\n"
        "Validates the training-time proxy against exact mapping. For every profile (separated by spaces\n"
        "or semicolons; default: a grid of %d from p1 0.5-1.0 and p3 0-0.3) N random networks (default\n"
        "10) are drawn with the reference budget rule and mapped exactly; the proxy's prediction for each\n"
        "is the mean M and mappable fraction of D (default 8) other random networks with the same\n"
        "gamma_d. Each RUN's saved networks (every .h5 in RUN/checkpoints of a cosim run, RUN/network.h5\n"
        "of a train run) are checked the same way, on the same hardware (--arch, --set), and a cosim\n"
        "checkpoint that was simulated also shows the devices the simulator programmed (RUN/hw).\n"
        "Prints the correlation of predicted and exact M, the relative error distribution and the\n"
        "mappability confusion matrix; writes DIR/proxy_check.csv and DIR/report.html (the scatter,\n"
        "the error histogram, the confusion matrix and the saved networks; default DIR: proxy-check).\n",
        14);
}

typedef struct {
    char label[160];
    double exact_m, proxy_m, proxy_sd, p_map;
    int proxy_ok, exact_ok, violations; /* the proxy's verdict (mosaic_proxy_predicts_fit), the mapper's */
    double sim_devices; /* devices the simulator programmed for this network (cosim checkpoints); NaN: none */
} PcPoint_;

static int cmp_double_(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static MosaicStatus check_links_(const MosaicArch *arch, const MosaicLinks *links, const char *label,
                                 int draws, uint64_t seed, PcPoint_ *pt, MosaicErr *err) {
    MosaicMapping m;
    memset(&m, 0, sizeof m);
    MosaicStatus st = mosaic_map(&m, arch, links, NULL, MOSAIC_MAP_REPORT, err);
    if (st == MOSAIC_OK) {
        MosaicProxyEstimate est;
        st = mosaic_proxy_estimate(arch, m.gamma, draws, seed, &est, err);
        if (st == MOSAIC_OK) {
            snprintf(pt->label, sizeof pt->label, "%.159s", label);
            pt->exact_m = (double)m.dev_total;
            pt->exact_ok = mosaic_mapping_ok(&m);
            pt->violations = m.n_violations;
            pt->proxy_m = est.mean_m;
            pt->sim_devices = NAN;
            pt->proxy_sd = est.sd_m;
            pt->p_map = est.p_mappable;
            pt->proxy_ok = mosaic_proxy_predicts_fit(&est);
        }
    }
    mosaic_mapping_free(&m);
    return st;
}

/* The devices the simulator programmed for checkpoint `epoch` of cosim run `run` (its hw/ result), or
 * NaN when there is none (a train run's network, a checkpoint that found the simulator busy). */
static double sim_devices_(const char *run, int epoch, const MosaicArch *file_arch) {
    if (epoch < 0) return NAN;
    char sim[4200];
    mosaic_cosim_hw_file(run, epoch, "sim.h5", sim, sizeof sim);
    if (access(sim, R_OK) != 0) return NAN;
    MosaicSimOutcome o;
    MosaicErr err;
    if (mosaic_cosim_read_sim(sim, file_arch, &o, &err) != MOSAIC_OK) { /* not the same as "not simulated" */
        fprintf(stderr, "mosaic proxy-check: note: %s; its devices column is left empty\n", err.msg);
        return NAN;
    }
    const double d = (double)o.devices_programmed;
    mosaic_sim_outcome_free(&o);
    return d;
}

/* Checks and appends one saved network: `path`, checkpoint `epoch` of run `run` (-1: not a checkpoint). */
static MosaicStatus add_network_(const char *path, const char *run, int epoch, const MosaicArch *arch,
                                 int draws, uint64_t seed, PcPoint_ *pts, int *npts, int cap,
                                 MosaicErr *err) {
    if (*npts >= cap) return MOSAIC_OK;
    MosaicArch a;
    MosaicLinks links;
    mosaic_links_init(&links);
    int nin = 0;
    MosaicStatus st = mosaic_links_load(path, NULL, NULL, 0, &a, &links, &nin, err);
    if (st == MOSAIC_OK &&
        (a.rows != arch->rows || a.cols != arch->cols || a.neurons_per_tile != arch->neurons_per_tile))
        st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: a %dx%dx%d network, but the check runs on %dx%dx%d", path,
                        a.rows, a.cols, a.neurons_per_tile, arch->rows, arch->cols, arch->neurons_per_tile);
    /* Judged on the check's hardware, like the random networks it is compared with in one table (the
     * file's own capacities would mix two architectures in one confusion matrix). */
    if (st == MOSAIC_OK &&
        (memcmp(a.cap_nt, arch->cap_nt, sizeof a.cap_nt) || memcmp(a.cap_r1, arch->cap_r1, sizeof a.cap_r1) ||
         memcmp(a.cap_r0, arch->cap_r0, sizeof a.cap_r0)))
        fprintf(stderr,
                "mosaic proxy-check: note: %s was trained for capacities NT %d R1 %d R0 %d; it is checked on "
                "this check's NT %d R1 %d R0 %d (--arch, --set)\n",
                path, a.cap_nt[1], a.cap_r1[1], a.cap_r0[1], arch->cap_nt[1], arch->cap_r1[1],
                arch->cap_r0[1]);
    if (st == MOSAIC_OK) st = check_links_(arch, &links, path, draws, seed, &pts[*npts], err);
    if (st == MOSAIC_OK) pts[(*npts)++].sim_devices = sim_devices_(run, epoch, &a);
    mosaic_links_free(&links);
    return st;
}

/* The networks a run folder saved: every .h5 in RUN/checkpoints (a cosim run's, sorted by name), else
 * RUN/network.h5 (a train run's). With pts NULL, only checks that `run` is such a folder, before the long
 * part of the check starts. */
static MosaicStatus add_run_(const char *run, const MosaicArch *arch, int draws, uint64_t seed, PcPoint_ *pts,
                             int *npts, int cap, MosaicErr *err) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/checkpoints", run);
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        char path[4096];
        bool is_run = false;
        MOSAIC_TRY(cli_run_network(run, path, sizeof path, &is_run, err));
        if (!is_run)
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: not a folder (--runs takes the folders of mosaic train or cosim runs)",
                              run);
        return pts ? add_network_(path, run, -1, arch, draws, seed, pts, npts, cap, err) : MOSAIC_OK;
    }
    MosaicStatus st = MOSAIC_OK;
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        size_t len = strlen(nm);
        if (pts && st == MOSAIC_OK && len > 3 && !strcmp(nm + len - 3, ".h5")) {
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir, nm);
            int epoch = -1; /* cosim names them epoch_NNNN.h5 */
            if (sscanf(nm, "epoch_%d.h5", &epoch) != 1) epoch = -1;
            st = add_network_(path, run, epoch, arch, draws, seed, pts, npts, cap, err);
        }
        free(names[i]);
    }
    free(names);
    return st;
}

static MosaicStatus write_outputs_(const char *outdir, const MosaicArch *arch, const PcPoint_ *pts, int n,
                                   double corr, MosaicErr *err) {
    MosaicStatus st = mosaic_mkdirs(outdir, err);
    if (st != MOSAIC_OK) return st;
    char path[4096];
    char *csv = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&csv, &len);
    if (!fp) return mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    fprintf(fp, "network,exact_m,exact_mappable,violations,proxy_m,proxy_sd,proxy_p_mappable,sim_devices_"
                "programmed\n");
    for (int i = 0; i < n; i++)
        fprintf(fp, "\"%s\",%.0f,%d,%d,%.1f,%.1f,%.3f,%.0f\n", pts[i].label, pts[i].exact_m, pts[i].exact_ok,
                pts[i].violations, pts[i].proxy_m, pts[i].proxy_sd, pts[i].p_map, pts[i].sim_devices);
    fclose(fp);
    snprintf(path, sizeof path, "%s/proxy_check.csv", outdir);
    st = mosaic_write_text_atomic(path, csv, err);
    free(csv);
    if (st != MOSAIC_OK) return st;

    double *pm = malloc(sizeof(double) * (size_t)n * 3);
    int *fits = malloc(sizeof(int) * (size_t)n * 2);
    const char **labels = malloc(sizeof(char *) * (size_t)n);
    if (!pm || !fits || !labels) {
        free(pm), free(fits), free(labels);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        pm[i] = pts[i].proxy_m, pm[n + i] = pts[i].exact_m, pm[2 * n + i] = pts[i].sim_devices;
        fits[i] = pts[i].proxy_ok, fits[n + i] = pts[i].exact_ok;
        labels[i] = pts[i].label;
    }
    char title[160];
    snprintf(title, sizeof title, "Proxy check: %d networks, correlation %.3f", n, corr);
    MosaicReport r = {0};
    r.title = title;
    r.arch = arch;
    MosaicArch copy = *arch;
    MosaicCfgSection sec = mosaic_arch_config_section(&copy);
    char *yaml = mosaic_cfg_to_string(&sec, 1);
    r.config_yaml = yaml;
    r.n_proxy = n;
    r.proxy_m = pm;
    r.exact_m = pm + n;
    r.sim_devices = pm + 2 * n;
    r.proxy_fits = fits;
    r.exact_fits = fits + n;
    r.proxy_label = labels;
    snprintf(path, sizeof path, "%s/report.html", outdir);
    st = mosaic_report_write_html(path, &r, err);
    free(yaml);
    free(pm), free(fits), free(labels);
    return st;
}

int mosaic_cmd_proxy_check(int argc, char **argv) {
    const char *arch_path = NULL, *profiles = default_profiles_, *outdir = "proxy-check", *v = NULL;
    const char *runs[PC_MAX_RUNS];
    int nruns = 0, networks = 10, draws = MOSAIC_PROXY_DRAWS;
    uint64_t seed = 42;
    CliSets sets = {0};
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return usage_(stdout), 0;
        if ((r = cli_take_value(argc, argv, &i, "--arch", &arch_path)) != 0 ||
            (r = cli_take_set(argc, argv, &i, &sets)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--profiles", &profiles)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--out", &outdir)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        const char *names[3] = {"--networks", "--draws", "--seed"};
        int taken = 0;
        for (int o = 0; o < 3 && !taken; o++) {
            if ((r = cli_take_value(argc, argv, &i, names[o], &v)) == 0) continue;
            if (r < 0) return 2;
            char *end;
            long long x = strtoll(v, &end, 10);
            if (*end || x < (o == 2 ? 0 : 1) || x > 1000000) {
                fprintf(stderr, "mosaic proxy-check: %s: expected an integer in [%d, 1000000], got '%s'\n",
                        names[o], o == 2 ? 0 : 1, v);
                return 2;
            }
            if (o == 0)
                networks = (int)x;
            else if (o == 1)
                draws = (int)x;
            else
                seed = (uint64_t)x;
            taken = 1;
        }
        if (taken) continue;
        if (!strcmp(argv[i], "--runs")) {
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0 && nruns < PC_MAX_RUNS)
                runs[nruns++] = argv[++i];
            continue;
        }
        fprintf(stderr, "mosaic proxy-check: unknown option '%s'\n", argv[i]);
        usage_(stderr);
        return 2;
    }
    MosaicArch arch;
    MosaicErr err;
    MosaicStatus st = cli_load_arch(arch_path, sets.sets, sets.nsets, &arch, &err);
    if (st != MOSAIC_OK) return cli_fail("proxy-check", st, &err);
    /* the output folder before the work, so that a bad --out fails in a second, not after the grid */
    st = mosaic_mkdirs(outdir, &err);
    if (st != MOSAIC_OK) return cli_fail("proxy-check", st, &err);

    /* parse the profile list */
    char *plist = strdup(profiles);
    MosaicProfile profs[PC_MAX_PROFILES];
    char ptext[PC_MAX_PROFILES][64];
    int nprof = 0;
    char *save = NULL;
    for (char *tok = strtok_r(plist, "; ", &save); tok; tok = strtok_r(NULL, "; ", &save)) {
        if (nprof == PC_MAX_PROFILES) {
            free(plist);
            fprintf(stderr, "mosaic proxy-check: --profiles: at most %d profiles\n", PC_MAX_PROFILES);
            return 2;
        }
        st = mosaic_profile_parse(&profs[nprof], tok, "--profiles", &err);
        if (st != MOSAIC_OK) {
            free(plist);
            return cli_fail("proxy-check", st, &err);
        }
        mosaic_profile_format(&profs[nprof], ptext[nprof], sizeof ptext[0]);
        nprof++;
    }
    free(plist);

    for (int r = 0; r < nruns && st == MOSAIC_OK; r++)
        st = add_run_(runs[r], &arch, 0, 0, NULL, NULL, 0, &err);
    if (st != MOSAIC_OK) return cli_fail("proxy-check", st, &err);
    int cap = nprof * networks + 4096;
    PcPoint_ *pts = calloc((size_t)cap, sizeof *pts);
    if (!pts) return 3;
    int npts = 0;
    const double t0 = mosaic_now_s();
    printf("%-22s %12s %12s %8s %14s\n", "profile", "exact M", "proxy M", "fits", "proxy P(fits)");
    for (int p = 0; p < nprof && st == MOSAIC_OK; p++) {
        double se = 0, sp = 0, sfit = 0, spm = 0;
        for (int j = 0; j < networks && st == MOSAIC_OK; j++) {
            MosaicLinks links;
            mosaic_links_init(&links);
            uint64_t s = seed * 1000003ull + (uint64_t)p * 10007ull + (uint64_t)j;
            st = mosaic_links_random(&links, &arch, &profs[p], s, &err);
            char label[96];
            snprintf(label, sizeof label, "random %.60s #%d", ptext[p], j);
            /* the proxy's draws use seeds disjoint from the network's own */
            if (st == MOSAIC_OK)
                st = check_links_(&arch, &links, label, draws, s ^ 0x5DEECE66Dull, &pts[npts], &err);
            mosaic_links_free(&links);
            if (st != MOSAIC_OK) break;
            se += pts[npts].exact_m, sp += pts[npts].proxy_m, sfit += pts[npts].exact_ok,
                spm += pts[npts].p_map;
            npts++;
        }
        if (st == MOSAIC_OK)
            printf("%-22s %12.0f %12.0f %7.0f%% %13.0f%%\n", ptext[p], se / networks, sp / networks,
                   100 * sfit / networks, 100 * spm / networks);
        fflush(stdout);
    }
    int nrandom = npts;
    for (int r = 0; r < nruns && st == MOSAIC_OK; r++)
        st = add_run_(runs[r], &arch, draws, seed, pts, &npts, cap, &err);
    if (st == MOSAIC_OK && npts > nrandom) {
        printf("\n%-44s %12s %8s %12s %14s %14s\n", "saved network", "exact M", "fits", "proxy M",
               "proxy P(fits)", "sim devices");
        for (int i = nrandom; i < npts; i++) {
            /* the end of a long path names the checkpoint; its start is the same for all of a run */
            const size_t len = strlen(pts[i].label);
            const char *shown = len > 44 ? pts[i].label + len - 41 : pts[i].label;
            char simd[32] = "-"; /* programmed by the simulator, where cosim simulated the checkpoint */
            if (!isnan(pts[i].sim_devices)) snprintf(simd, sizeof simd, "%.0f", pts[i].sim_devices);
            printf("%s%-*.44s %12.0f %8s %12.0f %13.0f%% %14s\n", len > 44 ? "..." : "", len > 44 ? 41 : 44,
                   shown, pts[i].exact_m, pts[i].exact_ok ? "yes" : "no", pts[i].proxy_m, 100 * pts[i].p_map,
                   simd);
        }
    }
    if (st != MOSAIC_OK) {
        free(pts);
        return cli_fail("proxy-check", st, &err);
    }
    const double elapsed = mosaic_now_s() - t0;

    /* summary: correlation, relative errors, confusion matrix */
    double *x = malloc(sizeof(double) * (size_t)npts * 3);
    int *fits = malloc(sizeof(int) * (size_t)npts * 2);
    if (!x || !fits) return free(x), free(fits), free(pts), 3;
    double *y = x + npts, *rel = x + 2 * npts;
    for (int i = 0; i < npts; i++) {
        x[i] = pts[i].proxy_m;
        y[i] = pts[i].exact_m;
        rel[i] = fabs(pts[i].proxy_m - pts[i].exact_m) / pts[i].exact_m;
        fits[i] = pts[i].proxy_ok, fits[npts + i] = pts[i].exact_ok;
    }
    int conf[2][2]; /* [proxy says fits][exact fits] */
    mosaic_proxy_confusion(fits, fits + npts, npts, conf);
    free(fits);
    double corr = mosaic_pearson(x, y, npts);
    qsort(rel, (size_t)npts, sizeof(double), cmp_double_);
    printf("\n%d networks (%d random, %d from runs) in %.1f s\n", npts, nrandom, npts - nrandom, elapsed);
    printf("memory: correlation proxy vs exact %.4f; |relative error| median %.2f%%, 90th pct %.2f%%, max "
           "%.2f%%\n",
           corr, 100 * mosaic_quantile_sorted(rel, npts, 0.5), 100 * mosaic_quantile_sorted(rel, npts, 0.9),
           100 * rel[npts - 1]);
    printf("mappability (proxy predicts 'fits' when at least half of its draws fit):\n"
           "                      exact fits   exact does not\n"
           "  proxy: fits         %10d   %14d\n"
           "  proxy: does not     %10d   %14d\n"
           "  agreement %.1f%%\n",
           conf[1][1], conf[1][0], conf[0][1], conf[0][0], 100.0 * (conf[1][1] + conf[0][0]) / npts);
    st = write_outputs_(outdir, &arch, pts, npts, corr, &err);
    free(x);
    free(pts);
    if (st != MOSAIC_OK) return cli_fail("proxy-check", st, &err);
    printf("wrote %s/proxy_check.csv and %s/report.html\n", outdir, outdir);
    return 0;
}
