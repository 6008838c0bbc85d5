/* The pieces every quantizer method shares (qcommon.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"

const char *qc_role_name(QuantRole role) { return role == QROLE_WEIGHT ? "weights" : "activations"; }

int qc_bits_check(const QuantizerOps *ops, QuantRole role, int bits, QbErr *err)
{
    if (!(ops->roles & (1u << role)))
        return qb_fail(err, "%s does not quantize %s", ops->name, qc_role_name(role));
    if (bits < ops->min_bits[role] || bits > ops->max_bits[role])
        return qb_fail(err, "%s needs %d..%d bits for %s, got %d", ops->name,
                       ops->min_bits[role], ops->max_bits[role], qc_role_name(role), bits);
    return 0;
}

void qc_param_name(const Quantizer *q, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s.%s.%s", q->prefix, q->role == QROLE_WEIGHT ? "wq" : "aq", name);
}

int qc_param_add(Net *net, const Quantizer *q, const char *name, int ndim, const int *shape)
{
    char full[PARAM_NAME_MAX];
    qc_param_name(q, name, full, sizeof full);
    return net_add_param(net, full, PGROUP_QUANT, ndim, shape);
}

int qc_param_add_undecayed(Net *net, const Quantizer *q, const char *name)
{
    int one[1] = {1};
    int idx = qc_param_add(net, q, name, 1, one);
    net_param_factors(net, idx, 1.0f, 0.0f);
    return idx;
}

void qc_positive_all(float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = qc_positive(p[i]);
}

float qc_grad_scale(double n, double qp) { return (float)(1.0 / sqrt(n * qp)); }

static int float_cmp(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

float qc_abs_quantile(const float *x, size_t n, double q, float *scratch)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = fabsf(x[i]);
    qsort(scratch, n, sizeof(float), float_cmp);
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    double w = pos - (double)lo;
    return (float)(scratch[lo] + w * ((double)scratch[hi] - scratch[lo]));
}

void qc_mean_std(const float *x, size_t n, double *mean, double *sd)
{
    double s = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    *mean = s / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
}

double qc_abs_mean(const float *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += fabs((double)x[i]);
    return n ? s / (double)n : 0.0;
}

float qc_lsq_step_init(const float *x, size_t n, int qp)
{
    return qc_positive((float)(2.0 * qc_abs_mean(x, n) / sqrt(qp)));
}

float qc_lsq_clip_init(const float *x, size_t n, int bits)
{
    const int qp = (1 << bits) - 1;
    return qc_positive(qc_lsq_step_init(x, n, qp) * (float)qp);
}

int qc_levels_uniform(int qn, int qp, double norm, double *out, int cap)
{
    int count = qp - qn + 1;
    for (int k = qn; k <= qp && k - qn < cap; k++)
        out[k - qn] = k / norm;
    return count;
}

int qc_levels_intervals(int n, QuantRole role, double *out, int cap)
{
    if (role == QROLE_ACT)
        return qc_levels_uniform(0, n, n, out, cap);
    for (int k = 0; k <= n && k < cap; k++)
        out[k] = (double)(2 * k - n) / n;
    return n + 1;
}

void qc_int_range(int bits, int is_signed, int symmetric, int *qn, int *qp)
{
    if (is_signed) {
        *qp = (1 << (bits - 1)) - 1;
        *qn = symmetric ? -*qp : -(1 << (bits - 1));
    } else {
        *qn = 0;
        *qp = (1 << bits) - 1;
    }
}

/* Clip by comparisons, not fminf/fmaxf, so a NaN passes through (divergence stays visible). */
static inline float clipf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

void qc_uniform_forward(const float *x, float *y, int nblocks, size_t len, const float *step,
                        int step_stride, float qn, float qp)
{
#pragma omp parallel for schedule(static)
    for (int b = 0; b < nblocks; b++) {
        const float s = step[(size_t)b * step_stride];
        const float *xb = x + (size_t)b * len;
        float *yb = y + (size_t)b * len;
        for (size_t i = 0; i < len; i++)
            yb[i] = rintf(clipf(xb[i] / s, qn, qp)) * s; /* FORMULAS.md §2: a division, as the refs */
    }
}

/* A sample's parameter gradient sums QC_LANES partial sums: lane l takes the elements l,
 * l + QC_LANES, ... and the lanes are added in order at the end. One serial chain of double
 * additions costs its latency per element (4 cycles); the lanes are independent chains the
 * compiler vectorises, and they give the same bits at any vector width. */
#define QC_LANES 16

static double lanes_total(const double *part)
{
    double s = 0.0;
    for (int l = 0; l < QC_LANES; l++)
        s += part[l];
    return s;
}

/* dL/ds's factor of one element (FORMULAS.md §2.2), and whether it is inside the range. */
static inline float uniform_ds(float v, float qn, float qp, int *inside)
{
    *inside = v >= qn && v <= qp;
    return *inside ? rintf(v) - v : (v < qn ? qn : qp);
}

/* dx (+)= dy inside the range (no dx: nothing); part[l] += dy * ds for the n <= QC_LANES
 * elements from x. */
static inline __attribute__((always_inline)) void uniform_lanes(const float *x, const float *g,
                                                                 float *d, int add, float s,
                                                                 float qn, float qp, int n,
                                                                 double *part)
{
#pragma omp simd
    for (int l = 0; l < n; l++) {
        int inside;
        float ds = uniform_ds(x[l] / s, qn, qp, &inside);
        part[l] += (double)g[l] * ds;
        if (d)
            d[l] = (add ? d[l] : 0.0f) + (inside ? g[l] : 0.0f);
    }
}

void qc_uniform_backward(const float *x, const float *dy, float *dx, int add, int nblocks,
                         size_t len, const float *step, int step_stride, float qn, float qp,
                         double *dstep)
{
#pragma omp parallel for schedule(static)
    for (int b = 0; b < nblocks; b++) {
        const float s = step[(size_t)b * step_stride];
        const float *xb = x + (size_t)b * len, *gb = dy + (size_t)b * len;
        float *db = dx ? dx + (size_t)b * len : NULL;
        double part[QC_LANES] = {0};
        size_t i = 0;
        for (; i + QC_LANES <= len; i += QC_LANES)
            uniform_lanes(xb + i, gb + i, db ? db + i : NULL, add, s, qn, qp, QC_LANES, part);
        uniform_lanes(xb + i, gb + i, db ? db + i : NULL, add, s, qn, qp, (int)(len - i), part);
        if (dstep)
            dstep[b] = lanes_total(part);
    }
}

double *qc_arena_doubles(Arena *a, size_t n) { return (double *)arena_floats(a, 2 * n); }

void qc_state_free(Quantizer *q)
{
    free(q->state);
    q->state = NULL;
}

/* The nearest of levels[lo..hi] to u (ties to the upper one), by bisection: the search keeps
 * levels[lo] <= u, and levels[hi] > u or hi is the last index. */
static double nearest_between(const double *levels, int lo, int hi, double u)
{
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (levels[mid] <= u)
            lo = mid;
        else
            hi = mid;
    }
    return u - levels[lo] < levels[hi] - u ? levels[lo] : levels[hi];
}

double qc_project(const double *levels, int n, double u)
{
    return nearest_between(levels, 0, n - 1, u);
}

void qc_projector_init(QcProjector *p, const double *levels, int n)
{
    QB_ASSERT(n >= 2 && n <= 65535 && levels[0] == 0.0 && levels[n - 1] == 1.0);
    p->levels = levels;
    p->n = n;
    int i = 0;
    for (int b = 0; b <= QC_PROJ_BINS; b++) {
        double edge = (double)b / QC_PROJ_BINS;
        while (i + 1 < n && levels[i + 1] <= edge)
            i++;
        p->first[b] = (unsigned short)(i < n - 2 ? i : n - 2);
    }
}

/* Within the bin of u the answer lies in [first[b], first[b+1]]; the same search as
 * qc_project over that range keeps its invariant, so it ends on the same index. */
double qc_projector_apply(const QcProjector *p, double u)
{
    if (!(u >= 0.0 && u <= 1.0) || p->n < 3)
        return qc_project(p->levels, p->n, u);
    int b = (int)(u * QC_PROJ_BINS);
    b = b < QC_PROJ_BINS ? b : QC_PROJ_BINS - 1;
    int lo = p->first[b], hi = p->first[b + 1] + 1;
    hi = hi < p->n - 1 ? hi : p->n - 1;
    return nearest_between(p->levels, lo, hi, u);
}

int qc_levels_from_magnitudes(const double *mag, int m, int is_signed, double *out, int cap)
{
    int k = 0;
    if (is_signed)
        for (int i = m - 1; i >= 1; i--, k++)
            if (k < cap)
                out[k] = -mag[i];
    for (int i = 0; i < m; i++, k++)
        if (k < cap)
            out[k] = mag[i];
    return k;
}

double qc_sum(const double *parts, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += parts[i];
    return s;
}

/* float32 in order, as integers: -inf .. -0 map below +0 .. +inf (NaNs fall outside). */
static int64_t float_key(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u >> 31 ? -(int64_t)(u & 0x7fffffffu) - 1 : (int64_t)u;
}

static float key_float(int64_t k)
{
    uint32_t u = k >= 0 ? (uint32_t)k : 0x80000000u | (uint32_t)(-(k + 1));
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

typedef struct {
    float y;
    double q;
} StepValue;

static StepValue step_eval(QcStepFn f, const void *ctx, int64_t key)
{
    StepValue v;
    f(ctx, key_float(key), &v.y, &v.q);
    return v;
}

static int step_same(StepValue a, StepValue b)
{
    return !memcmp(&a.y, &b.y, sizeof a.y) && !memcmp(&a.q, &b.q, sizeof a.q);
}

int qc_steps_build(QcSteps *s, QcStepFn f, const void *ctx)
{
    const int64_t last = float_key(INFINITY);
    int64_t cur = float_key(-INFINITY);
    StepValue v = step_eval(f, ctx, cur), top = step_eval(f, ctx, last);
    s->n = 0;
    for (;;) {
        if (s->n == QC_STEPS_MAX)
            return -1;
        s->lo[s->n] = key_float(cur);
        s->y[s->n] = v.y;
        s->q[s->n++] = v.q;
        if (step_same(v, top))
            return 0;
        /* f(lo) is v, f(hi) is not: the next piece starts at hi once they are adjacent. */
        int64_t lo = cur, hi = last;
        while (hi - lo > 1) {
            int64_t mid = lo + (hi - lo) / 2;
            if (step_same(step_eval(f, ctx, mid), v))
                lo = mid;
            else
                hi = mid;
        }
        cur = hi;
        v = step_eval(f, ctx, cur);
    }
}

const QcSteps *qc_steps_at(QcSteps *s, float scale, QcStepFn f, const void *ctx)
{
    if (s->n == 0 || memcmp(&scale, &s->scale, sizeof scale)) {
        QB_ASSERT(qc_steps_build(s, f, ctx) == 0);
        s->scale = scale;
    }
    return s;
}

/* Few pieces: each vector of QC_LANES elements counts the lower ends at or below it, its
 * counts kept in registers across the pieces (a pass per piece over the block, loading and
 * storing the counts, took 2.5x as long in cache); many: bisection per element. */
#define QC_STEPS_LINEAR 40

static inline __attribute__((always_inline)) void steps_count(const QcSteps *s, const float *x,
                                                               int n, int *k)
{
    int c[QC_LANES] = {0};
    for (int j = 1; j < s->n; j++) {
        const float t = s->lo[j];
#pragma omp simd
        for (int l = 0; l < n; l++)
            c[l] += x[l] >= t;
    }
    for (int l = 0; l < n; l++)
        k[l] = c[l];
}

void qc_steps_index(const QcSteps *s, const float *x, size_t n, int *k)
{
    if (s->n <= QC_STEPS_LINEAR) {
        size_t i = 0;
        for (; i + QC_LANES <= n; i += QC_LANES)
            steps_count(s, x + i, QC_LANES, k + i);
        steps_count(s, x + i, (int)(n - i), k + i);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int lo = 0, hi = s->n; /* lo[lo] <= x (or lo = 0), and hi = n or lo[hi] > x */
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (s->lo[mid] <= x[i])
                lo = mid;
            else
                hi = mid;
        }
        k[i] = lo;
    }
}

/* part[l] += dy * (inside [0, 1] ? q - v : the clipped v) and dx (+)= dy inside, for the
 * n <= QC_LANES elements from x whose pieces are k. */
static inline __attribute__((always_inline)) void steps_act_lanes(const QcSteps *s, float a,
                                                                  int plain, const float *x,
                                                                  const int *k, const float *g,
                                                                  float *d, int add, int n,
                                                                  double *part)
{
    const double keep = plain ? 0.0 : 1.0;
#pragma omp simd
    for (int l = 0; l < n; l++) {
        const double v = (double)(x[l] / a), qk = s->q[k[l]];
        const int inside = (v >= 0.0) & (v <= 1.0);
        const double clipped = v > 1.0 ? 1.0 : (v < 0.0 ? 0.0 : v);
        part[l] += (double)g[l] * (inside ? keep * (qk - v) : clipped);
        if (d)
            d[l] = (add ? d[l] : 0.0f) + (inside ? g[l] : 0.0f);
    }
}

double qc_steps_act_backward(const QcSteps *s, float a, int plain, const float *x,
                             const float *dy, float *dx, int add, size_t len)
{
    double part[QC_LANES] = {0};
    int k[QC_STEPS_BLOCK];
    for (size_t off = 0; off < len; off += QC_STEPS_BLOCK) {
        const size_t m = len - off < QC_STEPS_BLOCK ? len - off : QC_STEPS_BLOCK;
        qc_steps_index(s, x + off, m, k);
        size_t j = 0;
        for (; j + QC_LANES <= m; j += QC_LANES)
            steps_act_lanes(s, a, plain, x + off + j, k + j, dy + off + j,
                            dx ? dx + off + j : NULL, add, QC_LANES, part);
        steps_act_lanes(s, a, plain, x + off + j, k + j, dy + off + j, dx ? dx + off + j : NULL,
                        add, (int)(m - j), part);
    }
    return lanes_total(part);
}

void qc_steps_forward(const QcSteps *s, const float *x, float *y, size_t n)
{
    const long blocks = (long)((n + QC_STEPS_BLOCK - 1) / QC_STEPS_BLOCK);
#pragma omp parallel for schedule(static)
    for (long b = 0; b < blocks; b++) {
        int k[QC_STEPS_BLOCK];
        size_t off = (size_t)b * QC_STEPS_BLOCK;
        size_t len = n - off < QC_STEPS_BLOCK ? n - off : QC_STEPS_BLOCK;
        qc_steps_index(s, x + off, len, k);
        for (size_t i = 0; i < len; i++)
            y[off + i] = x[off + i] != x[off + i] ? x[off + i] : s->y[k[i]];
    }
}
