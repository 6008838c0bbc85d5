/* The `progressive:` section of an experiment file, read as part of loading it
 * (experiment.c): its syntax and validation, into Experiment.chains and .link_configs. What
 * the chains mean for the cells is chain.h's; for the result files, chainrun.h's. */
#ifndef QB_PROGRESSIVE_H
#define QB_PROGRESSIVE_H

#include "experiment.h"
#include "ydoc.h"

/* Reads `progressive:` of the chosen profile, or else of the top level, once the matrix and
 * the base configuration are final. Every mistake is a located error: a scheme that does not
 * exist or is not in the matrix, a bit-width outside matrix.bits or excluded, a chain that
 * comes back to a bit-width (a cycle), a cell in two chains, a link setting for a bit-width
 * the chain does not have. */
int progressive_read(YDoc *d, const YNode *root, Experiment *e, QbErr *err);

#endif
