/* `mosaic map`: does a network fit the array, and how much routing memory does it need. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "cli_util.h"
#include "commands.h"
#include "mosaic_mapper.h"
#include "mosaic_mapper_io.h"

static void map_usage_(FILE *out) {
    fprintf(
        out,
        "usage: mosaic map NETWORK [--arch FILE] [--set key=value ...] [--out mapping.h5] [--json]\n"
        "                  [--placement identity|anneal] [--iterations N] [--seed S] [--top N]\n"
        "       mosaic map --random --profile 1:0.8,3:0.1 [--seed S] [--save links.txt] [same options]\n\n"
        "Routes the inter-tile links with one-turn multicast (shared docs routing.md) and reports: mappable\n"
        "or not, every port above capacity (worst first), device counts per tile type and the total M, the\n"
        "minimum router configuration, links per distance (gamma_d) and the most loaded ports.\n"
        "NETWORK is a network file (.h5), the folder of a train or cosim run (its network.h5), or a links\n"
        "file (.txt: '# mosaic-links rows=R cols=C k=K', then 'source_neuron tile' per line). --random\n"
        "draws a network with exactly round_half_to_even(p_d*k*n_d(s)) links per source tile and distance.\n"
        "--placement anneal searches a tile permutation (input tiles and the output tile pinned) that\n"
        "lowers violations, then M. --seed S (default 1) seeds --random and --placement anneal. --out\n"
        "writes the full configuration (docs/mapper.md).\n"
        "exit status: 0 mappable, 1 not mappable, 2 bad input, 3 I/O or internal error\n");
}

typedef struct {
    int cp, count, cap;
} Loaded_;

static int loaded_cmp_(const void *pa, const void *pb) {
    const Loaded_ *a = pa, *b = pb;
    return mosaic_port_rank_cmp(a->count, a->cap, a->cp, b->count, b->cap, b->cp);
}

/* "NT (1,3) tile 1" / "R1v (4,5)" */
static void cell_name_(char *out, size_t n, const MosaicArch *a, int gr, int gc) {
    const MosaicCellKind kind = mosaic_cell_kind(gr, gc);
    if (kind == MOSAIC_CELL_NT)
        snprintf(out, n, "NT  (%d,%d) tile %d", gr, gc, mosaic_cell_tile(a, gr, gc));
    else
        snprintf(out, n, "%-3s (%d,%d)", mosaic_cell_kind_name(kind), gr, gc);
}

static void print_ports8_(const char *name, const int *v) {
    printf("  %-3s", name);
    for (int p = 0; p < MOSAIC_NPORTS; p++) printf(" %6d", v[p]);
    printf("\n");
}

/* A JSON string literal (quotes, backslashes and control characters escaped). */
static void json_str_(const char *s) {
    putchar('"');
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void json_ints_(const int *v, int n) {
    printf("[");
    for (int i = 0; i < n; i++) printf("%s%d", i ? "," : "", v[i]);
    printf("]");
}

int mosaic_cmd_map(int argc, char **argv) {
    const char *network = NULL, *arch_path = NULL, *out = NULL, *placement = "identity", *profile = NULL;
    const char *seed_s = NULL, *save = NULL, *iters_s = NULL, *top_s = NULL;
    int json = 0, random = 0;
    CliSets sets = {0};
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return map_usage_(stdout), 0;
        if (!strcmp(argv[i], "--json")) {
            json = 1;
            continue;
        }
        if (!strcmp(argv[i], "--random")) {
            random = 1;
            continue;
        }
        if ((r = cli_take_value(argc, argv, &i, "--arch", &arch_path)) != 0 ||
            (r = cli_take_set(argc, argv, &i, &sets)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--out", &out)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--placement", &placement)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--profile", &profile)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--seed", &seed_s)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--save", &save)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--iterations", &iters_s)) != 0 ||
            (r = cli_take_value(argc, argv, &i, "--top", &top_s)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if (argv[i][0] != '-' && !network) {
            network = argv[i];
            continue;
        }
        fprintf(stderr, "mosaic map: unexpected argument '%s'\n", argv[i]);
        map_usage_(stderr);
        return 2;
    }
    if (random == (network != NULL) || (random && !profile) || (!random && (profile || save))) {
        fprintf(stderr, "mosaic map: give either NETWORK or --random --profile P [--seed S] [--save FILE]\n");
        map_usage_(stderr);
        return 2;
    }
    if (strcmp(placement, "identity") && strcmp(placement, "anneal")) {
        fprintf(stderr, "mosaic map: --placement '%s': expected identity or anneal\n", placement);
        return 2;
    }
    char *end = NULL;
    const unsigned long long seed = seed_s ? strtoull(seed_s, &end, 10) : 1;
    const long iterations = iters_s ? strtol(iters_s, &end, 10) : 20000;
    const long top = top_s ? strtol(top_s, &end, 10) : 10;
    if ((seed_s && (!*seed_s || *end)) || iterations < 0 || top < 0) {
        fprintf(stderr, "mosaic map: --seed, --iterations and --top take non-negative integers\n");
        return 2;
    }
    const int out_rc = out ? cli_check_out_file("map", "--out", out) : 0;
    if (out_rc) return out_rc;
    const int save_rc = save ? cli_check_out_file("map", "--save", save) : 0;
    if (save_rc) return save_rc;
    if (network) { /* an output that is the input would destroy it */
        char in_file[4200];
        bool in_run = false;
        MosaicErr ignored;
        if (cli_run_network(network, in_file, sizeof in_file, &in_run, &ignored) != MOSAIC_OK)
            snprintf(in_file, sizeof in_file, "%s", network);
        if (cli_check_distinct("map", "--out", out, "NETWORK", in_file)) return 2;
    }
    if (cli_check_distinct("map", "--save", save, "--out", out)) return 2;

    MosaicArch arch;
    MosaicLinks links;
    MosaicErr err;
    MosaicStatus st;
    int input_tiles = 4;
    char source[4352];
    mosaic_links_init(&links);
    if (random) {
        MosaicProfile prof;
        st = cli_load_arch(arch_path, sets.sets, sets.nsets, &arch, &err);
        if (st == MOSAIC_OK) st = mosaic_profile_parse(&prof, profile, "--profile", &err);
        if (st == MOSAIC_OK) st = mosaic_links_random(&links, &arch, &prof, seed, &err);
        if (st == MOSAIC_OK && save) st = mosaic_links_write_text(save, &arch, &links, &err);
        input_tiles = mosaic_input_tiles(&arch, MOSAIC_REFERENCE_INPUTS);
        snprintf(source, sizeof source, "random network, profile %s, seed %llu", profile, seed);
    } else {
        char net_path[4096];
        bool is_run;
        st = cli_run_network(network, net_path, sizeof net_path, &is_run, &err);
        if (st == MOSAIC_OK)
            st = mosaic_links_load(net_path, arch_path, sets.sets, sets.nsets, &arch, &links, &input_tiles,
                                   &err);
        if (arch_path) cli_hint_arch(st, &err);
        snprintf(source, sizeof source, "%s", net_path);
    }
    if (st != MOSAIC_OK) {
        mosaic_links_free(&links);
        return cli_fail("map", st, &err);
    }

    int32_t *place = NULL;
    MosaicAnnealReport rep = {0};
    if (!strcmp(placement, "anneal")) {
        MosaicAnnealOptions opt;
        mosaic_anneal_default(&opt);
        opt.iterations = (int)iterations;
        opt.seed = seed;
        opt.pinned_first = input_tiles;
        place = malloc(sizeof(int32_t) * (size_t)mosaic_arch_tiles(&arch));
        st = place ? mosaic_place_anneal(place, &rep, &arch, &links, &opt, &err)
                   : mosaic_err(&err, MOSAIC_ERR_NOMEM, "out of memory");
    }
    MosaicMapping m;
    memset(&m, 0, sizeof m);
    if (st == MOSAIC_OK)
        st = mosaic_map(&m, &arch, &links, place, out ? MOSAIC_MAP_CONFIG : MOSAIC_MAP_REPORT, &err);
    if (st == MOSAIC_OK && out) {
        const MosaicProvenance prov = {"mosaic map", MOSAIC_VERSION, MOSAIC_GIT_HASH, (int64_t)seed, NULL};
        st = mosaic_mapping_write(out, &m, &prov, &err);
    }
    if (st != MOSAIC_OK) {
        free(place);
        mosaic_mapping_free(&m);
        mosaic_links_free(&links);
        return cli_fail("map", st, &err);
    }

    /* most loaded ports: every marked port, fullest first (NT outputs are never marked) */
    const int ncp = m.n_cells * MOSAIC_NPORTS, G = mosaic_grid_cols(&arch);
    Loaded_ *loaded = malloc(sizeof(Loaded_) * (size_t)ncp);
    int nloaded = 0;
    for (int cp = 0; loaded && cp < ncp; cp++)
        if (m.count[cp] > 0) {
            const int cell = cp / MOSAIC_NPORTS;
            loaded[nloaded++] = (Loaded_){
                cp, m.count[cp], mosaic_port_capacity(&arch, cell / G, cell % G, cp % MOSAIC_NPORTS)};
        }
    if (loaded) qsort(loaded, (size_t)nloaded, sizeof *loaded, loaded_cmp_);
    const int ntop = (int)(top < nloaded ? top : nloaded);
    int per_kind[4] = {0};
    for (int i = 0; i < m.n_violations; i++) per_kind[m.violations[i].kind]++;
    const int n_nt = mosaic_count_cells(&arch, MOSAIC_CELL_NT), n_r1 = mosaic_count_r1(&arch),
              n_r0 = mosaic_count_cells(&arch, MOSAIC_CELL_R0);
    char name[64];

    if (json) {
        printf("{\"source\":");
        json_str_(source);
        printf(",\"rows\":%d,\"cols\":%d,\"k\":%d,\"links\":%d,\"placement\":\"%s\",", arch.rows, arch.cols,
               arch.neurons_per_tile, m.n_links, placement);
        printf("\"mappable\":%s,\"violations\":%d,", m.n_violations ? "false" : "true", m.n_violations);
        printf("\"violations_by_kind\":{\"nt\":%d,\"r1\":%d,\"r0\":%d},", per_kind[MOSAIC_CELL_NT],
               per_kind[MOSAIC_CELL_R1V] + per_kind[MOSAIC_CELL_R1H], per_kind[MOSAIC_CELL_R0]);
        printf("\"violation_list\":[");
        for (int i = 0; i < m.n_violations; i++) {
            const MosaicViolation *v = &m.violations[i];
            printf("%s{\"kind\":\"%s\",\"gr\":%d,\"gc\":%d,\"port\":\"%s\",\"count\":%d,\"capacity\":%d}",
                   i ? "," : "", mosaic_cell_kind_name((MosaicCellKind)v->kind), v->gr, v->gc,
                   mosaic_port_name(v->port), v->count, v->capacity);
        }
        printf("],\"devices\":{\"nt\":%lld,\"r1\":%lld,\"r0\":%lld,\"total\":%lld},", (long long)m.dev_nt,
               (long long)m.dev_r1, (long long)m.dev_r0, (long long)m.dev_total);
        printf("\"cells\":{\"nt\":%d,\"r1\":%d,\"r0\":%d},\"gamma\":{", n_nt, n_r1, n_r0);
        for (int d = 1, first = 1; d <= m.max_distance; d++)
            if (m.gamma[d]) printf("%s\"%d\":%d", first ? "" : ",", d, m.gamma[d]), first = 0;
        printf("},\"min_config\":{\"nt\":");
        json_ints_(m.min_nt, 8);
        printf(",\"r1\":");
        json_ints_(m.min_r1, 8);
        printf(",\"r0\":");
        json_ints_(m.min_r0, 8);
        printf("},\"max_route\":%d,\"top_ports\":[", m.max_route);
        for (int i = 0; i < ntop; i++) {
            const int cell = loaded[i].cp / MOSAIC_NPORTS;
            printf("%s{\"kind\":\"%s\",\"gr\":%d,\"gc\":%d,\"port\":\"%s\",\"count\":%d,\"capacity\":%d}",
                   i ? "," : "", mosaic_cell_kind_name(mosaic_cell_kind(cell / G, cell % G)), cell / G,
                   cell % G, mosaic_port_name(loaded[i].cp % MOSAIC_NPORTS), loaded[i].count, loaded[i].cap);
        }
        printf("]");
        if (place)
            printf(",\"anneal\":{\"violations_before\":%d,\"violations_after\":%d,\"devices_before\":%lld,"
                   "\"devices_after\":%lld,\"moves_accepted\":%d}",
                   rep.violations_before, rep.violations_after, (long long)rep.devices_before,
                   (long long)rep.devices_after, rep.moves_accepted);
        if (out) printf(",\"mapping_file\":"), json_str_(out);
        printf("}\n");
    } else {
        printf("%s: %dx%d tiles, k=%d, %d links, placement %s\n", source, arch.rows, arch.cols,
               arch.neurons_per_tile, m.n_links, placement);
        if (place)
            printf("placement anneal: violations %d -> %d, M %lld -> %lld (%+.1f %%), %d moves accepted\n",
                   rep.violations_before, rep.violations_after, (long long)rep.devices_before,
                   (long long)rep.devices_after,
                   rep.devices_before
                       ? 100.0 * (double)(rep.devices_after - rep.devices_before) / (double)rep.devices_before
                       : 0.0,
                   rep.moves_accepted);
        if (m.n_violations == 0)
            printf("MAPPABLE: every port is within capacity\n");
        else
            printf("NOT MAPPABLE: %d ports above capacity (%d NT, %d R1, %d R0)\n", m.n_violations,
                   per_kind[MOSAIC_CELL_NT], per_kind[MOSAIC_CELL_R1V] + per_kind[MOSAIC_CELL_R1H],
                   per_kind[MOSAIC_CELL_R0]);
        for (int i = 0; i < m.n_violations; i++) {
            const MosaicViolation *v = &m.violations[i];
            cell_name_(name, sizeof name, &arch, v->gr, v->gc);
            printf("  %-22s %-5s %4d lines > capacity %d (+%d)\n", name, mosaic_port_name(v->port), v->count,
                   v->capacity, v->count - v->capacity);
        }
        printf("devices per tile: NT %lld, R1 %lld, R0 %lld\n", (long long)m.dev_nt, (long long)m.dev_r1,
               (long long)m.dev_r0);
        printf("total M = %d x %lld + %d x %lld + %d x %lld = %lld devices\n", n_nt, (long long)m.dev_nt,
               n_r1, (long long)m.dev_r1, n_r0, (long long)m.dev_r0, (long long)m.dev_total);
        printf("minimum configuration (lines)  in_N   in_E   in_S   in_W  out_N  out_E  out_S  out_W\n");
        printf("  (R1 in the R1v frame, NT-facing inputs at k; NT outputs = k)\n");
        print_ports8_("NT", m.min_nt);
        print_ports8_("R1", m.min_r1);
        print_ports8_("R0", m.min_r0);
        printf("links per distance:");
        for (int d = 1; d <= m.max_distance; d++)
            if (m.gamma[d]) printf(" d%d %d", d, m.gamma[d]);
        printf("\nlongest route: %d routing tiles (cycles per step needed)\n", m.max_route);
        printf("most loaded ports (load / capacity):\n");
        for (int i = 0; i < ntop; i++) {
            const int cell = loaded[i].cp / MOSAIC_NPORTS;
            cell_name_(name, sizeof name, &arch, cell / G, cell % G);
            printf("  %-22s %-5s %4d / %d\n", name, mosaic_port_name(loaded[i].cp % MOSAIC_NPORTS),
                   loaded[i].count, loaded[i].cap);
        }
        if (out) printf("mapping written to %s\n", out);
        if (save) printf("links written to %s\n", save);
    }
    const int code = m.n_violations ? 1 : 0;
    free(loaded);
    free(place);
    mosaic_mapping_free(&m);
    mosaic_links_free(&links);
    return code;
}
