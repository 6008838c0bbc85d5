/* The model record a checkpoint carries (format 2): what rebuilds and re-evaluates its network
 * beside the training configuration the checkpoint already holds (net, width, shortcut, data
 * set and directory, scheme, weight and activation bits, first/last layer policy, method
 * options, overrides, batch, threads, seed): the sample shape and classes the net was built
 * for, the test set it was evaluated on (name, count, content fingerprint), the resolved
 * quantizer conventions with the hashes of their code (run/conventions.h) and the core's
 * numerics version. `qbench eval --checkpoint FILE` rebuilds from the two; a format 1 file has
 * no record. */
#ifndef QB_RECORD_H
#define QB_RECORD_H

#include "core/checkpoint.h"
#include "core/data/dataset.h"
#include "runcfg.h"

#define RECORD_VERSION 1

typedef struct {
    RunConfig cfg;            /* the training configuration (its lists owned) */
    Dims input;
    int classes;
    char test_name[64];       /* "<format>/test" */
    int test_count;
    uint64_t test_fingerprint;
    char *conventions;        /* JSON text, owned */
    int core_numerics;
} ModelRecord;

/* The record of a net built for test's samples (JSON text, owned; conventions last). */
char *record_text(const Net *net, const Dataset *test);
/* The record of checkpoint `path` from its metadata; an error naming the file when it has none
 * (format 1) or when its config or record is unreadable. */
int record_read(const char *path, const CkptMeta *m, ModelRecord *out, QbErr *err);
void record_free(ModelRecord *r);
/* How the code rebuilding net differs from the code the record names (the core's numerics
 * version, each quantizer's method, options and source hashes), as one sentence into out;
 * "" when it does not. */
void record_code_difference(const ModelRecord *r, const Net *net, char *out, size_t cap);

#endif
