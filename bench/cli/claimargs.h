/* The claims file and what every claims command reads it with (report/claims.h). */
#ifndef QB_CLAIMARGS_H
#define QB_CLAIMARGS_H

#include "report/claims.h"
#include "args.h"

typedef struct {
    char file[256], profile[32], results[256];
    int seeds_max;
} ClaimArgs;

#define CLAIMARGS_SPECS(T, m)                                                                 \
    {"CLAIMS", ARG_OPERAND, ARG_TEXT(T, m.file), .required = 1,                              \
     .help = "the claims file (experiments/claims.yaml)"},                                   \
    {"--profile", ARG_STR, ARG_TEXT(T, m.profile), .value = "P",                             \
     .help = "the profile of the experiments the claims read (default quick)"},              \
    {"--results", ARG_STR, ARG_TEXT(T, m.results), .value = "DIR",                           \
     .help = "the results directory (default results)"},                                     \
    {"--seeds-max", ARG_INT, ARG_AT(T, m.seeds_max), 1, EXP_SEED_COUNT_MAX, .value = "N",          \
     .help = "every seed up to N of each claim's cells (the file's list, then the next ones)"}

#define CLAIMARGS_DEFAULTS {.profile = EXP_DEFAULT_PROFILE, .results = "results"}

/* The claims file at its profile, seeds extended to --seeds-max. */
int claimargs_load(const ClaimArgs *a, ClaimSet *cs, QbErr *err);

#endif
