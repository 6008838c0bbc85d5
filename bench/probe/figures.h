/* The probe's figures, each writing its .dat files from one shared context: the level sets
 * (levels.c), the probed layer's weights under each weight method (weights.c), LSQ vs ASQ
 * activation histograms (acts.c), and per-block and per-layer error (errors.c). */
#ifndef QB_PROBE_FIGURES_H
#define QB_PROBE_FIGURES_H

#include "dat.h"
#include "pdata.h"
#include "pnet.h"
#include "probe.h"
#include "provenance.h"

typedef struct {
    const ProbeConfig *cfg;
    ProbeData data;
    PnetSpec spec;         /* the net every figure builds */
    int layer;             /* index of the probed layer */
    Provenance prov;       /* what the error files record they measured */
    Provenance act_prov;   /* ... and the activation files (its nets at act_bits) */
    ProbeReport *report;
} Probe;

/* The regime and cells of the error figures (p) and of the activation figure (acts): cfg's
 * profile, results directory, data and checkpoint, and per scheme at error_bits (p) and at
 * act_bits (acts) the cell whose QAT checkpoint stands in for it (from the result file beside
 * the checkpoint; "checkpoint" when it has none, "untrained" without one). Any QAT checkpoint
 * whose cell ran under another profile or results directory than cfg's, or failed, is an
 * error. */
int probe_regime(const ProbeConfig *c, Provenance *p, Provenance *acts, QbErr *err);

/* Writes d into the output directory and lists it in the report. */
int probe_commit(Probe *p, DatFile *d, QbErr *err);

/* The probe net for a scheme at `bits` (scheme_apply with the default policy), loaded from
 * the QAT checkpoint given for (scheme, bits) when there is one, else from the pretrained
 * checkpoint; calibrated on the init batch and run on the measure batch. A QAT checkpoint
 * whose recorded scheme or bit-width differs is an error. */
int probe_scheme_net(Probe *p, Net *net, const char *scheme, int bits, QbErr *err);

int probe_levels(Probe *p, QbErr *err);
int probe_weights(Probe *p, QbErr *err);
int probe_acts(Probe *p, QbErr *err);
int probe_errors(Probe *p, QbErr *err);

#endif
