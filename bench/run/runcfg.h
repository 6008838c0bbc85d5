/* RunConfig: one training run fully resolved (model, data, schedule, quantization, outputs),
 * and the settings table (runcfg.c) that is the one description of its fields: YAML key,
 * `qbench train` flag, type, range, default, help, and whether the field enters the cell
 * identity. The experiment schema, the CLI, the defaults, the JSON record (hence cell ids)
 * and the field reference in experiments/README.md are all driven by that table. */
#ifndef QB_RUNCFG_H
#define QB_RUNCFG_H

#include <stdint.h>
#include <stdio.h>

#include "core/quantizer.h"
#include "quantizers/schemes.h"
#include "core/json.h"
#include "core/data/dataset.h"
#include "core/nametable.h"
#include "core/optim/optim.h"
#include "core/optim/sched.h"
#include "core/tensor.h"

#define RUN_PATH_MAX 512

typedef struct {
    /* model */
    char net[32];
    Dims input;          /* 0 = the data set's */
    int classes;         /* 0 = the data set's */
    float width;
    char shortcut[4];    /* CIFAR ResNets: "a" or "b" */
    /* data */
    char data[16];       /* fmnist, cifar10, npy, synth */
    char data_dir[RUN_PATH_MAX];
    int crop_pad;        /* random crop padding; 0 = off */
    int flip;            /* random horizontal flip */
    int train_subset;    /* train on this many samples (fixed seeded choice); 0: all */
    /* schedule */
    int epochs, batch;           /* evaluation uses the same batch size */
    OptimKind optimizer;
    float lr, momentum, weight_decay;
    int nesterov;
    Schedule sched;      /* base_lr and epochs copied from lr and epochs */
    float label_smoothing;
    float bn_weight_decay;     /* weight decay of BN gamma/beta and biases */
    float quant_lr_mult;       /* learning-rate multiplier of quantizer parameters */
    float quant_weight_decay;  /* weight decay of quantizer parameters (FORMULAS.md §1.7: 1e-4) */
    uint64_t seed;
    int threads;
    /* quantization: scheme "" = full precision */
    char scheme[32];
    int wbits, abits;
    char first_last[16]; /* lsq8 (default), fp, apot_ref */
    int asq_first_layer; /* ASQ schemes: ASQ on the first layer's input too (FORMULAS.md §1.3) */
    QuantOption qopts[QOPT_MAX];
    LayerOverride *overrides;  /* mixed precision (schemes.h), one per rule: owned (grown) */
    int nqopts;
    int noverrides, cap_overrides;
    char from[RUN_PATH_MAX];   /* start from these weights (a full-precision checkpoint) */
    /* outputs */
    char ckpt[RUN_PATH_MAX];   /* checkpoint written every epoch; resumed from when present */
    char best_ckpt[RUN_PATH_MAX]; /* the best epoch's weights, rewritten when test top-1 improves */
    int resume;
    int progress;              /* 1: a progress bar (terminal); 0: one line per epoch */
} RunConfig;

/* How a field is stored and read. RF_KIND is an enum stored as an int: its value is the
 * position of its name in `values`; RF_ENUM is a name of `values` stored as text. RF_PATH is
 * a string where "none" means empty. RF_SPECIAL fields (overrides, quantizer options) have
 * their own text parser and JSON writer. */
typedef enum {
    RF_INT, RF_U64, RF_FLOAT, RF_BOOL, RF_STR, RF_PATH, RF_ENUM, RF_KIND, RF_DIMS, RF_INTLIST,
    RF_SPECIAL
} RunFieldType;

/* The experiment file's section of a field. */
typedef enum { RF_TRAIN, RF_QUANT } RunFieldSection;

typedef struct RunField {
    const char *key;        /* key in the JSON record ("schedule.gamma": in the schedule object);
                               NULL: not recorded (outputs) */
    const char *yaml;       /* key in the experiment file's section, or NULL (matrix axes,
                               outputs) */
    RunFieldSection sec;
    const char *flag;       /* `qbench train` flag; a boolean's "--no-..." flag sets it false */
    RunFieldType type;
    size_t off, cap;        /* into RunConfig; cap: string or RF_SPECIAL size in bytes,
                               RF_INTLIST: maximum count */
    size_t count_off;       /* RF_INTLIST: the int holding the count */
    double min, max;        /* numbers, and RF_INTLIST elements */
    const NameTable *values; /* RF_ENUM, RF_KIND: the table of the accepted names (the data
                                formats', optimizers', schedules', ...) */
    const char *dflt;       /* as text; "(...)" or "[]" leaves the zero value (decided elsewhere) */
    const char *help;
    int identity;           /* 1: enters the cell id; 0: does not change what is computed */
    /* RF_SPECIAL: adds one item from text ("NAME=VALUE"); 0, or -1 with what was expected */
    int (*parse)(RunConfig *c, const char *text, char *want, size_t cap);
    void (*write)(const RunConfig *c, JsonW *w, const char *key);
} RunField;

#define RUNCFG_FIELDS_MAX 64
/* The table, in the JSON record's key order (frozen: the record is hashed into cell ids). */
extern const RunField runcfg_fields[];
extern const int runcfg_nfields;

/* The YAML keys of section *sec (a pointer that outlives the table's use), as a name table. */
NameTable runcfg_yaml_keys(const RunFieldSection *sec);
/* The row with this YAML key in section sec, or this flag; NULL when none. */
const RunField *runcfg_field_yaml(RunFieldSection sec, const char *key);
const RunField *runcfg_field_flag(const char *flag);
/* The field's storage in c, and its size in bytes. */
void *runcfg_field_ptr(const RunField *f, RunConfig *c);
size_t runcfg_field_size(const RunField *f);
/* Sets the field from text (a flag's value, a default); RF_INTLIST takes "A,B,C", RF_SPECIAL
 * adds one item. 0, or -1 with what was expected in `want`. */
int runcfg_field_set(const RunField *f, RunConfig *c, const char *text, char *want, size_t cap);
/* "3x32x32" -> Dims (each side 1..65536); -1 on anything else. */
int runcfg_parse_dims(const char *s, Dims *d);
/* An integer field's max that says "no bound of its own": the value's range is checked
 * elsewhere (the bit-widths, by the method that takes them). */
#define RF_UNBOUNDED (1 << 30)

/* What a value must look like ("an integer in [1, 65536]", "one of a, b"), for messages. */
void runcfg_field_want(const RunField *f, char *out, size_t cap);
/* The names an RF_ENUM or RF_KIND field accepts, joined by sep ("a|b"), into out. */
void runcfg_field_values(const RunField *f, const char *sep, char *out, size_t cap);

/* The field's value as its flag takes it ("0.1", "150,225", "3x32x32", "cosine"), or "" for
 * an empty path or name, unset dims and an empty list (a flag that would set nothing).
 * Not for RF_SPECIAL fields (their items are flags of their own). */
void runcfg_field_text(const RunField *f, const RunConfig *c, char *out, size_t cap);
/* Sets fields from `qbench train` flags in text ("--lr 0.1 --no-flip --milestones 30,60"),
 * in order, later ones winning; what names the text in messages. 0, or -1 with the flag and
 * what was expected. */
int runcfg_parse_flags(RunConfig *c, const char *text, const char *what, QbErr *err);
/* The `qbench train` flags that rebuild c from the defaults, each as " --flag value", into f:
 * every field with a value but the outputs (checkpoint, resume) and threads (the runner's);
 * with `only` (a NULL-terminated list of flags), those fields alone. */
void runcfg_write_flags(FILE *f, const RunConfig *c, const char *const *only);

/* The defaults: every field at its table default (c holds no list yet: runcfg_free first). */
void runcfg_defaults(RunConfig *c);
/* dst = src with lists of its own (the overrides): a config is copied with this, not by
 * assignment, wherever the copy outlives or changes apart from its source. */
void runcfg_copy(RunConfig *dst, const RunConfig *src);
/* Frees c's lists (a config from runcfg_defaults or runcfg_copy). */
void runcfg_free(RunConfig *c);
/* The index of the method option called name in c->qopts, or c->nqopts when it is not set. */
int runcfg_option_index(const RunConfig *c, const char *name);
/* The resolved configuration as one JSON object (fixed key order and formats): it goes into
 * checkpoints and result files. */
void runcfg_to_json(const RunConfig *cfg, JsonW *w, const char *key);
/* The inverse of runcfg_to_json: every recorded field of c set from the object v (c from
 * runcfg_defaults), through the same parsers as the flags. what names the object in messages;
 * a missing key or a value of the wrong type or range is an error naming the key. */
struct JsonV;
int runcfg_from_json(RunConfig *c, const struct JsonV *v, const char *what, QbErr *err);
/* The same object with every non-identity field at its zero value: what the cell id hashes. */
void runcfg_identity_json(const RunConfig *cfg, JsonW *w, const char *key);

#endif
