/* The data probe behind `qbench probe`: the .dat files of the quantizer figures (level sets,
 * one layer's weights under each method, LSQ vs ASQ activations, per-block and per-layer
 * quantization error), computed by the real nets and quantizers from a pretrained
 * checkpoint. Deterministic for a given seed and thread count. */
#ifndef QB_PROBE_H
#define QB_PROBE_H

#include <stdint.h>

#include "core/net.h"
#include "dat.h"

#define PROBE_SCHEMES_MAX 4
#define PROBE_QAT_MAX 8
#define PROBE_FILES_MAX 32
#define PROBE_PATH_MAX 512
#define PROBE_SCHEME_MAX 32

/* A trained QAT checkpoint standing in for the pretrained one for (scheme, bits). */
typedef struct {
    char scheme[PROBE_SCHEME_MAX];
    int bits;
    char path[PROBE_PATH_MAX];
} ProbeQat;

typedef struct {
    char net[32];
    float width;
    char ckpt[PROBE_PATH_MAX];      /* the pretrained full-precision checkpoint */
    char data[16];                  /* a dataset_open format: fmnist, synth, ... */
    char data_dir[PROBE_PATH_MAX];  /* "": the format's default */
    char layer[LAYER_NAME_MAX];     /* "": the middle compute layer (first and last excluded) */
    int batch;                      /* init batch = measure batch size */
    int bits;                       /* weight figure (levels on the layer's weights) */
    int act_bits;                   /* activation histograms */
    int error_bits;                 /* block and layer error */
    int bins;                       /* histogram bins */
    int threads;
    uint64_t seed;
    char schemes[PROBE_SCHEMES_MAX][PROBE_SCHEME_MAX];  /* compared in the act/error figures */
    int nschemes;
    ProbeQat qat[PROBE_QAT_MAX];
    int nqat;
    char out[PROBE_PATH_MAX];       /* created when missing */
    /* The regime the error files record (provenance.h): the make PROFILE and RESULTS the
     * probe ran for ("" = none given). A QAT checkpoint that is a cell's must be a cell of
     * both. */
    char profile[32];
    char results[PROBE_PATH_MAX];
} ProbeConfig;

typedef struct {
    char layer[LAYER_NAME_MAX];     /* the probed layer */
    char files[PROBE_FILES_MAX][DAT_NAME_MAX];
    int nfiles;
} ProbeReport;

/* fmnist, batch 64, bits 4, act_bits 2, error_bits 3, 100 bins, seed 1, 1 thread,
 * schemes lsq and asq, out plots/data. */
void probe_defaults(ProbeConfig *c);
/* "lsq,asq" into c->schemes (each a scheme name). */
int probe_set_schemes(ProbeConfig *c, const char *list, QbErr *err);
/* "SCHEME:BITS=PATH" appended to c->qat. */
int probe_add_qat(ProbeConfig *c, const char *spec, QbErr *err);
/* The QAT checkpoint given for (scheme, bits), or NULL. */
const ProbeQat *probe_qat_find(const ProbeConfig *c, const char *scheme, int bits);

int probe_run(const ProbeConfig *c, ProbeReport *r, QbErr *err);

#endif
