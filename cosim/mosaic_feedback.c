#include "mosaic_feedback.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Hooks
 * ------------------------------------------------------------------------------------------- */

static int veto_(void *ctx, int32_t src, int32_t dst) {
    MosaicFeedback *fb = ctx;
    if (!fb->closed) return 0;
    if (!mosaic_router_fits(fb->router, src, dst)) {
        fb->vetoed_capacity++;
        return 1;
    }
    if (fb->memory_budget > 0 &&
        (double)mosaic_router_devices_with(fb->router, src, dst) > fb->memory_budget) {
        fb->vetoed_memory++;
        return 1;
    }
    return 0;
}

/* The router must mirror the trainer's set exactly; a refusal here means the two disagree, which
 * mosaic_feedback_sync repairs at the next epoch. */
static void on_add_(void *ctx, int32_t src, int32_t dst) {
    MosaicFeedback *fb = ctx;
    if (!mosaic_router_has(fb->router, src, dst)) mosaic_router_add(fb->router, src, dst, NULL);
}

static void on_remove_(void *ctx, int32_t src, int32_t dst) {
    MosaicFeedback *fb = ctx;
    if (mosaic_router_has(fb->router, src, dst)) mosaic_router_remove(fb->router, src, dst, NULL);
}

static double traffic_(void *ctx, int32_t src, int32_t dst) {
    const MosaicFeedback *fb = ctx;
    if (!fb->rate) return 0;
    int tile = mosaic_tile_of_neuron(&fb->arch, src);
    return fb->traffic_coef * fb->rate[src] * mosaic_tile_distance(&fb->arch, tile, dst);
}

/* ---------------------------------------------------------------------------------------------
 * API
 * ------------------------------------------------------------------------------------------- */

/* The links the hardware gets are the exported network's: the dense methods (DeepR, hop-penalty) keep
 * every possible link in the trainer's list and only those with a non-zero weight are mapped. */
MosaicStatus mosaic_feedback_sync(MosaicFeedback *fb, const MosaicTrainer *tr, MosaicErr *err) {
    MosaicNetwork net;
    MOSAIC_TRY(mosaic_trainer_export(tr, &net, err));
    mosaic_router_clear(fb->router);
    MosaicStatus st = MOSAIC_OK;
    for (int l = 0; l < net.n_links && st == MOSAIC_OK; l++)
        st = mosaic_router_add(fb->router, net.link_src[l], net.link_dst[l], err);
    mosaic_network_free(&net);
    return st;
}

MosaicStatus mosaic_feedback_attach(MosaicFeedback *fb, MosaicTrainer *tr, int closed, double memory_budget,
                                    MosaicErr *err) {
    memset(fb, 0, sizeof *fb);
    fb->arch = mosaic_trainer_network(tr)->arch;
    fb->closed = closed;
    fb->memory_budget = memory_budget;
    MOSAIC_TRY(mosaic_router_create(&fb->router, &fb->arch, NULL, err));
    MosaicStatus st = mosaic_feedback_sync(fb, tr, err);
    if (st != MOSAIC_OK) {
        mosaic_feedback_free(fb);
        return st;
    }
    MosaicRewireHooks hooks = {veto_, on_add_, on_remove_, fb};
    mosaic_trainer_set_hooks(tr, &hooks);
    return MOSAIC_OK;
}

void mosaic_feedback_free(MosaicFeedback *fb) {
    if (!fb) return;
    mosaic_router_free(fb->router);
    free(fb->rate);
    memset(fb, 0, sizeof *fb);
}

static double link_norm_(const MosaicNetwork *net, int l) {
    const int k = net->arch.neurons_per_tile;
    double s = 0;
    for (int j = 0; j < k; j++) s += (double)net->link_w[(size_t)l * k + j] * net->link_w[(size_t)l * k + j];
    return s;
}

/* The (cell, port) with the largest load above capacity, or -1. */
static int worst_port_(const MosaicFeedback *fb) {
    const int32_t *count = mosaic_router_counts(fb->router);
    int gr_n = mosaic_grid_rows(&fb->arch), gc_n = mosaic_grid_cols(&fb->arch);
    int best = -1, best_excess = 0;
    for (int gr = 0; gr < gr_n; gr++)
        for (int gc = 0; gc < gc_n; gc++) {
            int cell = mosaic_cell_index(&fb->arch, gr, gc);
            for (int p = 0; p < MOSAIC_NPORTS; p++) {
                int excess = count[mosaic_cp(cell, p)] - mosaic_port_capacity(&fb->arch, gr, gc, p);
                if (excess > best_excess) best_excess = excess, best = mosaic_cp(cell, p);
            }
        }
    return best;
}

static int route_uses_(const MosaicArch *arch, int from, int to, int cp) {
    MosaicPortRef marks[MOSAIC_ROUTE_MAX_MARKS];
    int n = mosaic_route(arch, from, to, marks);
    for (int i = 0; i < n; i++)
        if (mosaic_cp(marks[i].cell, marks[i].port) == cp) return 1;
    return 0;
}

typedef struct {
    double norm;
    int link;
} Cand_;

static int cand_cmp_(const void *a, const void *b) {
    const Cand_ *x = a, *y = b;
    if (x->norm != y->norm) return x->norm < y->norm ? -1 : 1;
    return x->link - y->link;
}

/* Over the memory budget: the weakest link (d >= 2) whose removal lowers M, or, when no single removal
 * does (M is a maximum over cells, so a plateau needs several), the weakest one. Neighbour links stay:
 * their loads count in the NT inputs and the R1s' NT-facing outputs, where the training's d = 1 budget
 * is the network's floor; the budget is met by the long links (`mosaic cosim --help-keys`). */
static int budget_victim_(MosaicFeedback *fb, const MosaicNetwork *net, MosaicErr *err, MosaicStatus *st) {
    Cand_ *c = malloc(sizeof(Cand_) * (size_t)(net->n_links ? net->n_links : 1));
    if (!c) {
        *st = mosaic_err(err, MOSAIC_ERR_NOMEM, "feedback: out of memory");
        return -1;
    }
    int n = 0;
    for (int l = 0; l < net->n_links; l++) {
        const int from = mosaic_tile_of_neuron(&fb->arch, net->link_src[l]);
        if (mosaic_tile_distance(&fb->arch, from, net->link_dst[l]) >= 2 &&
            mosaic_router_has(fb->router, net->link_src[l], net->link_dst[l]))
            c[n++] = (Cand_){link_norm_(net, l), l};
    }
    qsort(c, (size_t)n, sizeof *c, cand_cmp_);
    const int64_t m0 = mosaic_router_devices(fb->router);
    int victim = n ? c[0].link : -1;
    for (int i = 0; i < n && *st == MOSAIC_OK; i++) {
        const int32_t src = net->link_src[c[i].link], dst = net->link_dst[c[i].link];
        *st = mosaic_router_remove(fb->router, src, dst, err);
        const int64_t m1 = mosaic_router_devices(fb->router);
        if (*st == MOSAIC_OK) *st = mosaic_router_add(fb->router, src, dst, err);
        if (m1 < m0) {
            victim = c[i].link;
            break;
        }
    }
    free(c);
    return *st == MOSAIC_OK ? victim : -1;
}

MosaicStatus mosaic_feedback_prune(MosaicFeedback *fb, MosaicTrainer *tr, int *forced, MosaicErr *err) {
    int n_forced = 0;
    for (;;) {
        const MosaicNetwork *net = mosaic_trainer_network(tr);
        int cp = worst_port_(fb);
        int over_budget =
            fb->memory_budget > 0 && (double)mosaic_router_devices(fb->router) > fb->memory_budget;
        if (cp < 0 && !over_budget) break;
        int victim = -1;
        if (cp >= 0) { /* the weakest link through the most overloaded port */
            double victim_norm = INFINITY;
            for (int l = 0; l < net->n_links; l++) {
                int32_t src = net->link_src[l], dst = net->link_dst[l];
                /* only links the hardware has: a dense method's list holds forced-out (zeroed) ones */
                if (!mosaic_router_has(fb->router, src, dst) ||
                    !route_uses_(&fb->arch, mosaic_tile_of_neuron(&fb->arch, src), dst, cp))
                    continue;
                double norm = link_norm_(net, l);
                if (norm < victim_norm) victim_norm = norm, victim = l;
            }
        } else {
            MosaicStatus st = MOSAIC_OK;
            victim = budget_victim_(fb, net, err, &st);
            if (st != MOSAIC_OK) return st;
        }
        if (victim < 0) {
            if (cp >= 0)
                return mosaic_err(err, MOSAIC_ERR_INTERNAL,
                                  "feedback: port %d of cell %d is over capacity but no link crosses it",
                                  cp % 8, cp / 8);
            return mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "cosim.memory_budget %.0f devices: below what the neighbour links alone need (%lld; the "
                "budget is met by pruning links of distance 3 and more)",
                fb->memory_budget, (long long)mosaic_router_devices(fb->router));
        }
        int32_t src = net->link_src[victim], dst = net->link_dst[victim];
        MOSAIC_TRY(mosaic_trainer_force_out(tr, src, dst, err));
        /* every iteration takes one link out of the router (the hook may have already), and links born
         * meanwhile passed the veto, so the loop ends */
        if (mosaic_router_has(fb->router, src, dst))
            MOSAIC_TRY(mosaic_router_remove(fb->router, src, dst, err));
        n_forced++;
    }
    if (forced) *forced = n_forced;
    return MOSAIC_OK;
}

MosaicStatus mosaic_feedback_set_traffic(MosaicFeedback *fb, MosaicTrainer *tr, double coef,
                                         const int64_t *neuron_spikes, int64_t steps, MosaicErr *err) {
    fb->traffic_coef = coef;
    if (coef <= 0 || !neuron_spikes || steps <= 0) {
        mosaic_trainer_set_link_penalty(tr, NULL, NULL);
        return MOSAIC_OK;
    }
    int n = mosaic_arch_neurons(&fb->arch);
    if (!fb->rate) {
        fb->rate = malloc(sizeof(double) * (size_t)n);
        if (!fb->rate) return mosaic_err(err, MOSAIC_ERR_NOMEM, "feedback: out of memory");
    }
    for (int i = 0; i < n; i++) fb->rate[i] = (double)neuron_spikes[i] / (double)steps;
    mosaic_trainer_set_link_penalty(tr, traffic_, fb);
    return MOSAIC_OK;
}
