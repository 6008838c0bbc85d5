/* Matrix expansion: an experiment (one profile) becomes cells, network x scheme x bits x
 * seed minus exclusions. Each cell carries its resolved RunConfig and a stable id derived
 * from its identity: the configuration, the resolved quantizer conventions of every layer
 * (method, version, bits, every option, the hashes of the method's and the shared quantizer
 * source), the training core's numerics version, and fingerprints of the data and the
 * starting checkpoint. Editing anything that changes the result changes the id. */
#ifndef QB_CELL_H
#define QB_CELL_H

#include "experiment.h"
#include "run/source_hashes.h"

#define CELL_ID_MAX 96

typedef struct {
    char id[CELL_ID_MAX];
    char net[32], scheme[32];   /* scheme SCHEME_FP = full precision */
    int bits;                   /* 0 for fp */
    long long seed;
    RunConfig cfg;              /* ckpt, resume, progress and threads are the runner's */
    Dims input;                 /* the data set's sample shape and classes */
    int classes;
    int train_count, test_count; /* ... and its size */
    char *identity;             /* the JSON the id hashes (owned) */
    char *conventions;          /* JSON: per quantizer group, resolved method/options (owned) */
    int parent;                 /* chain.h: index of the cell this one starts from, or -1 */
    int children;               /* how many cells start from this one's checkpoints */
    int best_children;          /* ... of them from its best epoch's weights (<id>.best.ckpt) */
    int from_best;              /* a chained cell: starts from its parent's best epoch */
} Cell;

typedef struct {
    Cell *cells;
    int n;
} CellList;

/* Builds every cell (none for a cost-only table), checking each against the real network and quantizer code (unknown
 * options, unsupported bit-widths, overrides that match no layer): such errors name the
 * file, the cell and the reason. Data and checkpoint files must exist (their contents enter
 * the id): a missing data set is an error saying which files to put where. */
int cells_expand(const Experiment *e, CellList *out, QbErr *err);
/* The same with given source hashes instead of the ones this binary was built from (tests:
 * what an edit of one method changes). */
int cells_expand_hashed(const Experiment *e, const SourceHashes *h, CellList *out, QbErr *err);
/* The cells with their configurations and chain links but no identity (ids empty, input
 * and classes unknown): what the matrix holds before its data and starting checkpoints are
 * there, for a plan. */
void cells_enumerate(const Experiment *e, CellList *out);
void cells_free(CellList *l);
/* The cell with this id, or NULL. */
const Cell *cells_find(const CellList *l, const char *id);

/* Validation without data: builds every cell's network and quantizers at the network's
 * default input and counts the cells. */
int cells_check(const Experiment *e, int *count, QbErr *err);

/* train.from with "{net}" replaced by the network's name. */
void cell_from_path(const char *tmpl, const char *net, char *out, size_t cap);

#endif
