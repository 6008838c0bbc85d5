/* Pieces every quantizer method shares (implemented in qcommon.c): the bit-range check,
 * parameter naming, the positivity guard (FORMULAS.md §1.5), LSQ's gradient scale (§1.6), the
 * quantile used by the POT/POST init (§4.2), LSQ's data-driven step init and the clip it
 * implies (§2, §1.4), and the uniform fake-quant kernel (§2). */
#ifndef QB_QCOMMON_H
#define QB_QCOMMON_H

#include <stddef.h>

#include "core/net.h"
#include "core/quantizer.h"

/* FORMULAS.md §1.5: float32 machine epsilon. */
#define QC_EPS 1.1920929e-7f

/* 0 when `ops` supports `role` at `bits`; else -1 with e.g.
 * "post needs 3..8 bits for weights, got 2" or "pact does not quantize weights". */
int qc_bits_check(const QuantizerOps *ops, QuantRole role, int bits, QbErr *err);
/* "weights" / "activations", for messages. */
const char *qc_role_name(QuantRole role);

/* Registers "<prefix>.wq.<name>" or "<prefix>.aq.<name>" in group PGROUP_QUANT (call from
 * plan); returns the param index (net->params moves while params are added: keep the
 * index and take pointers in bind). */
int qc_param_add(Net *net, const Quantizer *q, const char *name, int ndim, const int *shape);
/* A one-element parameter (qc_param_add) trained without weight decay: its weight-decay
 * factor on the quantizer group's is 0 (DSQ's range and α, QIL's interval and γ). */
int qc_param_add_undecayed(Net *net, const Quantizer *q, const char *name);
/* The full name qc_param_add gives `name` (for rng streams and messages). */
void qc_param_name(const Quantizer *q, const char *name, char *out, size_t cap);

/* FORMULAS.md §1.5: max(|p|, QC_EPS). A NaN stays NaN so divergence remains visible. */
static inline float qc_positive(float p)
{
    float a = p < 0.0f ? -p : p;
    return a < QC_EPS ? QC_EPS : a;
}
void qc_positive_all(float *p, size_t n);

/* FORMULAS.md §1.6: g = 1/sqrt(n·qp), computed in double. */
float qc_grad_scale(double n, double qp);

/* The q-quantile (0 <= q <= 1) of |x[0..n)|, n >= 1: linear interpolation between the order
 * statistics around position q·(n−1), as torch.quantile does. scratch: n floats, overwritten. */
float qc_abs_quantile(const float *x, size_t n, double q, float *scratch);

/* The mean and the unbiased standard deviation of x[0..n), n >= 1 (0 when n == 1), in double
 * in index order (APoT's and DAQ's weight normalisation, DSQ's weight range). */
void qc_mean_std(const float *x, size_t n, double *mean, double *sd);

/* mean(|x[0..n)|), summed in double in index order (deterministic). */
double qc_abs_mean(const float *x, size_t n);

/* FORMULAS.md §2: LSQ's initial step s = 2·mean(|x[0..n)|)/sqrt(qp), guarded (§1.5). */
float qc_lsq_step_init(const float *x, size_t n, int qp);
/* FORMULAS.md §1.4: the clip that an unsigned b-bit uniform quantizer with LSQ's initial step
 * reaches, s·Qp with Qp = 2^b − 1 (guarded): the calibrated start of a clip method's
 * activation range (PACT, APoT), where LSQ's own range starts on the same batch. */
float qc_lsq_clip_init(const float *x, size_t n, int bits);

/* Writes the levels k/norm, k = qn..qp, ascending, into out[0..cap) and returns the count
 * (qp − qn + 1). Every levels() callback follows the same contract: it writes at most cap
 * entries and returns the full count, so out may be NULL with cap 0 to ask for the count
 * (quantizer_new does this to validate bits and options). */
int qc_levels_uniform(int qn, int qp, double norm, double *out, int cap);

/* The levels of n intervals over a normalised range, k = 0..n: weights −1 + 2k/n (no zero
 * level when n is odd), activations k/n; the levels() contract (DSQ's and DAQ's grids). */
int qc_levels_intervals(int n, QuantRole role, double *out, int cap);

/* Integer range of a uniform quantizer (FORMULAS.md §1.2): signed [−2^(b−1), 2^(b−1)−1] (the lower
 * bound raised to −(2^(b−1)−1) when symmetric), unsigned [0, 2^b − 1]. */
void qc_int_range(int bits, int is_signed, int symmetric, int *qn, int *qp);

/* The uniform fake quantizer over `nblocks` contiguous blocks of `len` floats, block i with
 * step step[i·step_stride] (stride 0: one shared step): y = rnd(clip(x/s, qn, qp))·s, FORMULAS.md §2.
 * Parallel over blocks. A NaN input stays NaN. */
void qc_uniform_forward(const float *x, float *y, int nblocks, size_t len, const float *step,
                        int step_stride, float qn, float qp);
/* Its backward: dx (+)= dy·1[qn <= v <= qp] (assign when add == 0; dx may be NULL), and,
 * unless dstep is NULL, dstep[i] = Σ_{block i} dy·∂y/∂s with ∂y/∂s = rnd(v) − v inside, qn below, qp above (in
 * double, each block summed in order, so the result does not depend on the thread count). */
void qc_uniform_backward(const float *x, const float *dy, float *dx, int add, int nblocks,
                         size_t len, const float *step, int step_stride, float qn, float qp,
                         double *dstep);

/* P_L(u): the element of the ascending set levels[0..n) nearest to u, ties to the larger
 * (FORMULAS.md §4.2), for u within [levels[0], levels[n-1]]. Binary search. */
double qc_project(const double *levels, int n, double u);

/* The same projection onto magnitudes levels[0] = 0 .. levels[n-1] = 1, with a table of
 * QC_PROJ_BINS uniform bins over [0, 1] that narrows the search to the levels near u: one
 * or two comparisons for most u instead of log2(n) mispredicted branches. Returns exactly
 * qc_project's value for every u (outside [0, 1] and NaN it defers to qc_project). */
#define QC_PROJ_BINS 1024
typedef struct {
    const double *levels;   /* borrowed; must outlive the projector */
    int n;
    unsigned short first[QC_PROJ_BINS + 1]; /* min(n-2, last i with levels[i] <= b/BINS) */
} QcProjector;

void qc_projector_init(QcProjector *p, const double *levels, int n);
double qc_projector_apply(const QcProjector *p, double u);

/* Writes a level set from ascending magnitudes mag[0..m) (mag[0] = 0): just them when
 * unsigned, else -mag[m-1] .. -mag[1], 0, mag[1] .. mag[m-1]; the levels() contract (at most
 * cap written, the full count returned). */
int qc_levels_from_magnitudes(const double *mag, int m, int is_signed, double *out, int cap);
/* Sum of per-block partials in block order (deterministic). */
double qc_sum(const double *parts, int n);

/* A monotone scalar quantizer with one shared scale, tabulated as a step function of x: the
 * pieces of float32 on which f(x) = (y, q) is constant, found by bisecting the float line with
 * f itself. A large tensor is then quantized by comparing each element with the pieces'
 * lower ends instead of a division and a level search per element, and every float (NaN
 * aside: callers pass it through) gets exactly f's own y and q. f must be non-decreasing in
 * x; y is compared by its bits, so -0 and +0 are different pieces. */
#define QC_STEPS_MAX 600 /* an unsigned 8-bit level set with its clip ends, and room */
typedef void (*QcStepFn)(const void *ctx, float x, float *y, double *q);
typedef struct {
    int n;                  /* pieces */
    float lo[QC_STEPS_MAX]; /* lo[k]: the smallest x of piece k (lo[0] = -inf) */
    float y[QC_STEPS_MAX];  /* f's output on piece k */
    double q[QC_STEPS_MAX]; /* f's level on piece k (what a backward needs) */
    float scale;            /* the scale the table was built at (see qc_steps_at) */
} QcSteps;

/* 0, or -1 when f has more than QC_STEPS_MAX pieces (callers keep their scalar path). */
int qc_steps_build(QcSteps *s, QcStepFn f, const void *ctx);
/* The table of f at `scale` (f reads the scale from ctx): s itself, rebuilt only when the
 * scale changed since the last call. f must have at most QC_STEPS_MAX pieces (asserted). */
const QcSteps *qc_steps_at(QcSteps *s, float scale, QcStepFn f, const void *ctx);
/* The piece of each x[0..n): k[i] = #{j >= 1 : lo[j] <= x[i]} (a NaN lands in piece 0). */
void qc_steps_index(const QcSteps *s, const float *x, size_t n, int *k);
/* Block length the steps users process at a time (their index buffers live on the stack). */
#define QC_STEPS_BLOCK 512
/* y[i] = f(x[i]).y (a NaN x is copied), through the table, in parallel over blocks. */
void qc_steps_forward(const QcSteps *s, const float *x, float *y, size_t n);
/* An activation's backward through its table at scale a (levels on [0, 1], clipped there):
 * dx (+)= dy inside [0, a] (dx may be NULL), and the returned d/da sum of one sample's
 * len elements: dy * (q - x/a) inside (0 with plain = 1, a clip with no learned level
 * term), 1 above, 0 below, NaN for a NaN input (FORMULAS.md §4.2, §5.3). The sum order is
 * fixed (lanes, qcommon.c), not element by element. */
double qc_steps_act_backward(const QcSteps *s, float a, int plain, const float *x,
                             const float *dy, float *dx, int add, size_t len);

/* A destroy callback for methods whose state is one calloc'd struct. */
void qc_state_free(Quantizer *q);

/* Arena space for n doubles (the arena hands out 64-byte aligned floats). */
double *qc_arena_doubles(Arena *a, size_t n);

#endif
