/* mosaic_feedback: what the hardware tells training, and how training obeys it.
 *
 * A MosaicFeedback keeps the mapper's incremental router in step with the trainer's link set (through
 * the trainer's rewiring hooks) so that, in the closed loop:
 *   - refill only creates links whose route fits every port it adds (mosaic_router_fits) and, with a
 *     memory budget, that keep the routing memory M within it;
 *   - links through overloaded ports are pruned first, weakest first, until every port is within
 *     capacity (and M within the budget);
 *   - optionally, a per-link penalty c * rate(source) * hops(link) charges routing energy from the
 *     spike rates the simulator measured.
 * In the open loop the router only tracks (no vetoes), so reports stay exact. */
#ifndef MOSAIC_FEEDBACK_H
#define MOSAIC_FEEDBACK_H

#include <stdint.h>

#include "mosaic_mapper.h"
#include "mosaic_trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    MosaicArch arch;
    MosaicRouter *router;                   /* live port loads of the trainer's links */
    int closed;                             /* 1: veto refills that do not fit */
    double memory_budget;                   /* devices M allowed; 0 = none */
    int64_t vetoed_capacity, vetoed_memory; /* refill candidates refused, since creation */
    /* traffic penalty */
    double traffic_coef; /* c; 0 = off */
    double *rate;        /* (N) measured spikes per neuron per step, NULL until a simulation reports */
} MosaicFeedback;

/* Starts tracking the trainer's current links and installs the hooks on the trainer. */
MosaicStatus mosaic_feedback_attach(MosaicFeedback *fb, MosaicTrainer *tr, int closed, double memory_budget,
                                    MosaicErr *err);
void mosaic_feedback_free(MosaicFeedback *fb); /* accepts a zeroed struct */

/* Re-reads the trainer's link set into the router (after a resume, or as a consistency guard). */
MosaicStatus mosaic_feedback_sync(MosaicFeedback *fb, const MosaicTrainer *tr, MosaicErr *err);

/* Closed loop: forces out links until no port is over capacity and M is within the budget. Among the
 * links crossing the most overloaded port (or, for the budget, all links) the one with the smallest
 * weight norm goes first. *forced (may be NULL) receives the number of links forced out. */
MosaicStatus mosaic_feedback_prune(MosaicFeedback *fb, MosaicTrainer *tr, int *forced, MosaicErr *err);

/* Installs (coef > 0) or removes the traffic penalty using measured spikes per neuron (N values) over
 * `steps` simulated time steps. */
MosaicStatus mosaic_feedback_set_traffic(MosaicFeedback *fb, MosaicTrainer *tr, double coef,
                                         const int64_t *neuron_spikes, int64_t steps, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
