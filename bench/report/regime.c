/* The regime in words and the sign/magnitude comparison with the paper's own difference
 * (regime.h). */
#include "regime.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/data/dataset.h"
#include "nets/registry.h"

const char *regime_kind_name(RegimeKind k)
{
    static const char *const names[] = {
        [REGIME_PAPER] = "paper's own regime",
        [REGIME_REPLICA] = "scaled replica",
        [REGIME_UNTRAINED] = "no training",
    };
    return names[k];
}

/* "full-width", "quarter-width", ... or "width 0.3"; the multiplier scales every layer's
 * channels. */
static void width_text(float width, char *out, size_t cap)
{
    static const struct { float width; const char *name; } words[] = {
        {1.0f, "full-width"}, {0.5f, "half-width"}, {0.25f, "quarter-width"},
        {0.125f, "eighth-width"},
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (width == words[i].width) {
            snprintf(out, cap, "%s", words[i].name);
            return;
        }
    snprintf(out, cap, "width-%g", width);
}

static const char *net_title(const char *name)
{
    const NetEntry *n = net_entry(name);
    return n && n->title ? n->title : name;
}

/* "ResNet-18/34" for titles sharing everything up to the last '-', else "ResNet-20, small CNN". */
static void nets_text(const Experiment *e, char *out, size_t cap)
{
    size_t at = 0;
    const char *first = net_title(e->nets[0]), *dash = strrchr(first, '-');
    size_t stem = dash ? (size_t)(dash - first) + 1 : 0;
    int shared = stem > 0;
    for (int i = 1; i < e->nnets; i++)
        shared &= !strncmp(net_title(e->nets[i]), first, stem);
    for (int i = 0; i < e->nnets && at < cap; i++) {
        const char *t = net_title(e->nets[i]);
        at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? shared ? "/" : ", " : "",
                               i && shared ? t + stem : t);
    }
}

static void data_text(const RunConfig *c, char *out, size_t cap)
{
    const char *title = dataset_title(c->data);
    size_t at = (size_t)snprintf(out, cap, "%s", title ? title : c->data);
    if (c->input.h && at < cap)
        at += (size_t)snprintf(out + at, cap - at, " %dx%d", c->input.h, c->input.w);
    if (c->data_dir[0] && at < cap)
        snprintf(out + at, cap - at, " (%s)", c->data_dir);
}

/* Training steps are whole batches (the loader drops the last partial one), so a subset
 * gives an exact count; the full set's size is the data's, unknown until it is read. */
static void budget_text(const Experiment *e, const RunConfig *c, char *out, size_t cap)
{
    size_t at = (size_t)snprintf(out, cap, "%d epoch%s ", c->epochs, c->epochs == 1 ? "" : "s");
    if (c->train_subset)
        at += (size_t)snprintf(out + at, cap - at, "of a %d-image subset at batch %d (%d steps)",
                               c->train_subset, c->batch,
                               c->epochs * (c->train_subset / c->batch));
    else
        at += (size_t)snprintf(out + at, cap - at, "of the full training set at batch %d",
                               c->batch);
    if (e->budget > 1 && at < cap)
        at += (size_t)snprintf(out + at, cap - at, ", %dx the %s%s length", e->budget,
                               e->profile[0] ? e->profile : "file's own",
                               e->profile[0] ? " profile's" : "");
    if (e->nchains && at < cap)
        snprintf(out + at, cap - at, ", per link of a progressive chain");
}

/* The paper's schedule is the paper profile's own length: at another budget it is not. */
static int is_paper_regime(const Experiment *e)
{
    const RunConfig *c = &e->base;
    return !strcmp(e->profile, EXP_PAPER_PROFILE) && c->width == 1.0f && !c->train_subset &&
           e->budget == 1;
}

void regime_describe(const Experiment *e, Regime *out)
{
    const RunConfig *c = &e->base;
    char width[32];
    memset(out, 0, sizeof *out);
    snprintf(out->paper, sizeof out->paper, "%s", e->paper_regime);
    width_text(c->width, width, sizeof width);
    size_t at = (size_t)snprintf(out->nets, sizeof out->nets, "%s ", width);
    nets_text(e, out->nets + at, sizeof out->nets - at);
    if (e->layout == LAYOUT_COST) {
        out->kind = REGIME_UNTRAINED;
        snprintf(out->data, sizeof out->data, "input %dx%dx%d, %d classes", c->input.c,
                 c->input.h, c->input.w, c->classes);
        snprintf(out->detail, sizeof out->detail, "%s counted at %s", out->nets, out->data);
    } else {
        out->kind = is_paper_regime(e) ? REGIME_PAPER : REGIME_REPLICA;
        data_text(c, out->data, sizeof out->data);
        budget_text(e, c, out->budget, sizeof out->budget);
        snprintf(out->start, sizeof out->start, "%s",
                 c->from[0] ? "from pretrained full-precision checkpoints" : "from scratch");
        snprintf(out->detail, sizeof out->detail, "%s, %s, %s, %s", out->data, out->nets,
                 out->budget, out->start);
    }
    snprintf(out->text, sizeof out->text, "%s: %s", regime_kind_name(out->kind), out->detail);
}

void regime_check(const Paired *q, double paper_diff, RegimeCheck *out)
{
    /* the papers print one or two decimals; without rounding 69.8 - 69.8 could have a sign
     * and 70.1 - 69.8 miss an interval end of 0.30 */
    out->paper = isnan(paper_diff) ? NAN : round(paper_diff * 1e6) / 1e6;
    out->sign = SIGN_NONE;
    out->magnitude = MAGNITUDE_NONE;
    if (isnan(out->paper) || q->n == 0)
        return;
    if (q->n < 2) {
        out->magnitude = MAGNITUDE_NO_INTERVAL;
        out->sign = out->paper != 0 ? SIGN_UNRESOLVED : SIGN_NONE;
        return;
    }
    out->magnitude = q->lo <= out->paper && out->paper <= q->hi ? MAGNITUDE_INSIDE
                                                                : MAGNITUDE_OUTSIDE;
    if (out->paper == 0)
        return;
    Verdict v = verdict_of(q, 0, out->paper > 0);
    out->sign = v == VERDICT_HOLDS ? SIGN_AGREES : v == VERDICT_CONTRADICTED ? SIGN_OPPOSITE
                                                                             : SIGN_UNRESOLVED;
}

const char *regime_sign_name(RegimeSign s)
{
    static const char *const names[] = {
        [SIGN_NONE] = "", [SIGN_AGREES] = "agrees", [SIGN_OPPOSITE] = "opposite",
        [SIGN_UNRESOLVED] = "unresolved",
    };
    return names[s];
}

const char *regime_magnitude_name(RegimeMagnitude m)
{
    static const char *const names[] = {
        [MAGNITUDE_NONE] = "", [MAGNITUDE_INSIDE] = "inside", [MAGNITUDE_OUTSIDE] = "outside",
        [MAGNITUDE_NO_INTERVAL] = "no interval",
    };
    return names[m];
}

void regime_check_text(const RegimeCheck *c, char *out, size_t cap)
{
    if (isnan(c->paper))
        snprintf(out, cap, "–");
    else if (c->magnitude == MAGNITUDE_NONE)
        snprintf(out, cap, "%+.2f (no pairs)", c->paper);
    else
        snprintf(out, cap, "%+.2f: %s%s, %s", c->paper,
                 c->sign == SIGN_NONE ? "paper has no sign" : "sign ", regime_sign_name(c->sign),
                 regime_magnitude_name(c->magnitude));
}
