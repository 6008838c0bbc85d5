/* What a chain (chain.h) means for the result files of one experiment directory
 * (results/<experiment>/): a cell with children keeps its final checkpoint <id>.ckpt as part
 * of its result, because the next link starts from it; a child runs only after its parent
 * succeeded, from the parent's checkpoint, and whatever it made from an older parent
 * checkpoint is stale. make orders the links (makefrag.h); `run-cell` asks this file what to
 * do first, so that a rerun, a killed run, a deleted or failed parent all end in the state
 * a user expects. */
#ifndef QB_CHAINRUN_H
#define QB_CHAINRUN_H

#include "cell.h"

typedef enum {
    CHAIN_RUN,      /* run (or find done) as any cell; `from` says where a child starts */
    CHAIN_WAIT,     /* the parent has no result yet */
    CHAIN_BLOCKED,  /* the parent failed: the cell is not runnable; `reason` says why */
} ChainVerdict;

typedef struct {
    ChainVerdict verdict;
    char from[RUN_PATH_MAX]; /* a child: its parent's checkpoint */
    char reason[700];    /* CHAIN_BLOCKED: the reason its result records */
    char note[700];      /* what was retired and why, for the cell's log; "" when nothing */
} ChainStep;

/* Before `cell` runs (or a runner submits it): a cell with children whose last run failed,
 * or whose checkpoint is gone, loses its result so that it runs again; a child's result or
 * partial checkpoint older than its parent's checkpoint is removed (the parent was
 * retrained since). dir is results/<experiment>. */
int chainrun_prepare(const char *dir, const CellList *cells, const Cell *cell, ChainStep *st,
                     QbErr *err);

/* After a cell with children failed: its checkpoint moves aside to <id>.failed.ckpt (and its
 * best epoch's weights are removed), so the next make sees the cell incomplete and retries it
 * before its children. */
int chainrun_failed(const char *dir, const Cell *cell, QbErr *err);

/* A finished result of the same cell found elsewhere (src_json) can stand in for this one
 * only with its checkpoint when the cell has children (and its best epoch's weights when a
 * child starts from them): copies them beside dst_json. Returns 1 when the result may be
 * copied, 0 when it may not (a file missing there), -1 on error. */
int chainrun_copy_checkpoint(const Cell *cell, const char *src_json, const char *dst_json,
                             QbErr *err);

#endif
