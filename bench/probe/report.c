/* The probe's report of what it wrote: each figure's .dat file committed to the output
 * directory and listed, so every figure file (levels.c, weights.c, acts.c, errors.c) reports
 * through here and none depends on the probe's driver (probe.c). */
#include "figures.h"

int probe_commit(Probe *p, DatFile *d, QbErr *err)
{
    ProbeReport *r = p->report;
    QB_ASSERT(r->nfiles < PROBE_FILES_MAX);
    snprintf(r->files[r->nfiles], sizeof r->files[0], "%s", d->name);
    if (dat_commit(d, p->cfg->out, err) < 0)
        return -1;
    r->nfiles++;
    return 0;
}
