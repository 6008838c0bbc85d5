#include "findings.h"

#include <glob.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "claims.h"

/* A CSV file as `qbench report` writes it: a header row, fields quoted when they hold a comma
 * or a quote (doubled inside), no newline inside a field. */
typedef struct {
    char ***rows; /* rows[0] is the header */
    int nrows, ncols;
} Csv;

static char **csv_split(const char *line, int *n)
{
    int cap = 8;
    char **f = malloc(sizeof *f * (size_t)cap);
    QB_ASSERT(f);
    *n = 0;
    for (const char *p = line;;) {
        char *field;
        size_t len;
        FILE *m = open_memstream(&field, &len);
        QB_ASSERT(m);
        if (*p == '"') {
            for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
                if (*p == '"')
                    p++;
                fputc(*p, m);
            }
            p += *p == '"';
        }
        for (; *p && *p != ','; p++)
            fputc(*p, m);
        fclose(m);
        if (*n == cap) {
            f = realloc(f, sizeof *f * (size_t)(cap *= 2));
            QB_ASSERT(f);
        }
        f[(*n)++] = field;
        if (*p != ',')
            return f;
        p++;
    }
}

static void csv_free(Csv *c)
{
    for (int r = 0; r < c->nrows; r++) {
        for (int i = 0; i < c->ncols; i++)
            free(c->rows[r][i]);
        free(c->rows[r]);
    }
    free(c->rows);
    memset(c, 0, sizeof *c);
}

static int csv_load(const char *path, Csv *c, QbErr *err)
{
    char *text;
    size_t n;
    memset(c, 0, sizeof *c);
    if (file_read_all(path, &text, &n, err) < 0)
        return -1;
    int line = 0;
    for (char *save, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        int nf;
        char **f = csv_split(l, &nf);
        line++;
        if (c->nrows == 0)
            c->ncols = nf;
        c->rows = realloc(c->rows, sizeof *c->rows * (size_t)(c->nrows + 1));
        QB_ASSERT(c->rows);
        c->rows[c->nrows++] = f;
        if (nf != c->ncols) {
            free(text);
            csv_free(c);
            return qb_fail(err, "%s:%d: %d fields where the header has %d", path, line, nf,
                           c->ncols);
        }
    }
    free(text);
    return c->nrows ? 0 : qb_fail(err, "%s: empty", path);
}

/* The column named `name`; -1 when the header has none. */
static int csv_col(const Csv *c, const char *name)
{
    for (int i = 0; i < c->ncols; i++)
        if (!strcmp(c->rows[0][i], name))
            return i;
    return -1;
}

/* Columns a renderer needs, found once; an absent one is an error naming the file. */
static int csv_cols(const Csv *c, const char *path, const char *const *names, int *idx, QbErr *err)
{
    for (int i = 0; names[i]; i++)
        if ((idx[i] = csv_col(c, names[i])) < 0)
            return qb_fail(err, "%s: no column '%s'", path, names[i]);
    return 0;
}

static double num(const char *s) { return *s ? strtod(s, NULL) : NAN; }

/* ---- the claims table ---------------------------------------------------------------- */

enum { CL_ID, CL_CLAIM, CL_QUANTITY, CL_VERSUS, CL_PAPER, CL_MEASURED, CL_LO, CL_HI, CL_N,
       CL_VERDICT, CL_LADDER, CL_BUDGET, CL_COLS };
static const char *const claim_cols[] = {"id", "claim", "quantity", "versus", "paper_value",
                                         "measured", "lo", "hi", "n", "verdict", "ladder",
                                         "ladder_stability", NULL};

static const char *const verdicts[] = {"holds", "contradicted", "unresolved", "missing"};
static const char *const verdict_titles[] = {"Holds", "Contradicted", "Unresolved", "Missing"};

/* "+0.32 [-0.78, +1.43], n = 3" in the units of the claim's quantity. */
static void claim_measured(const char *const *row, const int *col, char *out, size_t cap)
{
    const int q = claim_quantity_index(row[col[CL_QUANTITY]]);
    double m = num(row[col[CL_MEASURED]]), lo = num(row[col[CL_LO]]), hi = num(row[col[CL_HI]]);
    int n = atoi(row[col[CL_N]]);
    if (isnan(m))
        snprintf(out, cap, "not measured");
    else if (q == CLAIM_INT_OPS)
        snprintf(out, cap, "%.3f of %s's operations (exact count)", m, row[col[CL_VERSUS]]);
    else if (q == CLAIM_LEVELS)
        snprintf(out, cap, "%+.4g (exact, from the level sets)", m);
    else if (q == CLAIM_BLOCK_ERROR || q == CLAIM_LAYER_ERROR)
        snprintf(out, cap, "%+.4f, range over the %d %s [%+.4f, %+.4f]", m, n,
                 q == CLAIM_BLOCK_ERROR ? "blocks" : "layers", lo, hi);
    else if (isnan(lo))
        snprintf(out, cap, "%+.2f, n = %d (no interval)", m, n);
    else
        snprintf(out, cap, "%+.2f [%+.2f, %+.2f], n = %d", m, lo, hi, n);
}

/* The paper's own value of the comparison, or its words where it gives no number. */
static void claim_paper(const Claim *c, const char *const *row, const int *col, char *out,
                        size_t cap)
{
    double p = num(row[col[CL_PAPER]]);
    if (!isnan(p))
        snprintf(out, cap, "%+.2f", p);
    else
        snprintf(out, cap, "%s", c->paper_note[0] ? c->paper_note : "no number");
}

/* The claims of `exp` (-1: those outside any table) grouped by verdict. */
static void write_claims(FILE *out, const ClaimSet *cs, int exp, const Csv *claims, const int *col)
{
    for (int v = 0; v < 4; v++) {
        int first = 1;
        for (int i = 0; i < cs->n; i++) {
            if (cs->claims[i].exp != exp)
                continue;
            for (int r = 1; r < claims->nrows; r++) {
                const char *const *row = (const char *const *)claims->rows[r];
                if (strcmp(row[col[CL_ID]], cs->claims[i].id) ||
                    strcmp(row[col[CL_VERDICT]], verdicts[v]))
                    continue;
                char measured[160], paper[300];
                claim_measured(row, col, measured, sizeof measured);
                claim_paper(&cs->claims[i], row, col, paper, sizeof paper);
                if (first)
                    fprintf(out, "- **%s:**\n", verdict_titles[v]);
                first = 0;
                fprintf(out, "  - %s (`%s`): %s; the paper: %s", row[col[CL_CLAIM]],
                        row[col[CL_ID]], measured, paper);
                if (row[col[CL_BUDGET]][0])
                    fprintf(out, "; **%s** over the budget ladder (%s)", row[col[CL_BUDGET]],
                            row[col[CL_LADDER]]);
                fputs(".\n", out);
            }
        }
    }
}

/* ---- one table ----------------------------------------------------------------------- */

enum { TB_NET, TB_SCHEME, TB_BITS, TB_METRIC, TB_BASELINE, TB_N, TB_MEAN, TB_LO, TB_HI,
       TB_COLS };
static const char *const table_cols[] = {"net", "scheme", "bits", "metric", "baseline",
                                         "paired_n", "paired_mean", "paired_lo", "paired_hi",
                                         NULL};

/* A half-width in points: two decimals, three below a hundredth (never "0.00"). */
static void points(double v, char *out, size_t cap)
{
    snprintf(out, cap, v < 0.005 ? "%.3f" : "%.2f", v);
}

/* Whether a claim of `exp` is this paired difference (method − the table's baseline). */
static int claimed(const ClaimSet *cs, int exp, const char *const *row, const int *col)
{
    for (int i = 0; i < cs->n; i++) {
        const Claim *c = &cs->claims[i];
        if (c->exp == exp && !strcmp(c->net, row[col[TB_NET]]) &&
            !strcmp(c->method, row[col[TB_SCHEME]]) && !strcmp(c->versus, row[col[TB_BASELINE]]) &&
            c->bits == atoi(row[col[TB_BITS]]) &&
            !strcmp(c->quantity == CLAIM_TOP5 ? "top5" : "top1", row[col[TB_METRIC]]))
            return 1;
    }
    return 0;
}

static int write_paired(FILE *out, const ClaimSet *cs, int exp, const Csv *t, const char *path,
                        QbErr *err)
{
    int col[TB_COLS];
    if (csv_cols(t, path, table_cols, col, err) < 0)
        return -1;
    double lo_half = INFINITY, hi_half = -INFINITY;
    int nmin = 1 << 30, nmax = 0;
    for (int r = 1; r < t->nrows; r++) {
        const char *const *row = (const char *const *)t->rows[r];
        int n = atoi(row[col[TB_N]]);
        double half = (num(row[col[TB_HI]]) - num(row[col[TB_LO]])) / 2;
        if (n < 2 || isnan(half) || strcmp(row[col[TB_METRIC]], "top1"))
            continue; /* the table's own resolution line is over top-1 */
        lo_half = fmin(lo_half, half), hi_half = fmax(hi_half, half);
        nmin = n < nmin ? n : nmin, nmax = n > nmax ? n : nmax;
    }
    if (nmax == 0) {
        fprintf(out, "- **Resolves:** no paired difference has an interval (one seed, or no "
                     "baseline).\n");
        return 0;
    }
    char lo_text[16], hi_text[16], n_text[32];
    points(lo_half, lo_text, sizeof lo_text);
    points(hi_half, hi_text, sizeof hi_text);
    snprintf(n_text, sizeof n_text, nmax == nmin ? "%d" : "%d to %d", nmin, nmax);
    if (!strcmp(lo_text, hi_text))
        fprintf(out, "- **Resolves:** differences of %s points", lo_text);
    else
        fprintf(out, "- **Resolves:** differences of %s to %s points", lo_text, hi_text);
    fprintf(out, " of top-1 (the paired intervals' 95%% half-widths, n = %s).\n", n_text);
    int first = 1;
    for (int r = 1; r < t->nrows; r++) {
        const char *const *row = (const char *const *)t->rows[r];
        double lo = num(row[col[TB_LO]]), hi = num(row[col[TB_HI]]);
        if (atoi(row[col[TB_N]]) < 2 || !(lo > 0 || hi < 0) || claimed(cs, exp, row, col))
            continue;
        if (first)
            fprintf(out, "- **Resolved, and no claim names it:**\n");
        first = 0;
        fprintf(out, "  - %s − %s at %s bits (%s, %s): %+.2f [%+.2f, %+.2f], n = %s.\n",
                row[col[TB_SCHEME]], row[col[TB_BASELINE]], row[col[TB_BITS]], row[col[TB_NET]],
                row[col[TB_METRIC]], num(row[col[TB_MEAN]]), lo, hi, row[col[TB_N]]);
    }
    return 0;
}

/* The decimals a printed figure shows ("2.67" -> 2). */
static int decimals(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

/* A cost table (qbench, paper columns): how many figures agree at the paper's precision. */
static int write_cost(FILE *out, const Csv *t, const char *path, QbErr *err)
{
    static const char *const names[] = {"qbench", "paper", NULL};
    int col[2], agree = 0, total = 0;
    if (csv_cols(t, path, names, col, err) < 0)
        return -1;
    for (int r = 1; r < t->nrows; r++) {
        const char *paper = t->rows[r][col[1]];
        if (!*paper)
            continue;
        double scale = pow(10, decimals(paper));
        total++;
        agree += round(num(t->rows[r][col[0]]) * scale) == round(num(paper) * scale);
    }
    fprintf(out, "- **Against the paper:** %d of %d figures agree to the paper's printed "
                 "precision.\n", agree, total);
    return 0;
}

static int write_table(FILE *out, const ClaimSet *cs, const Experiment *e, const char *tables_dir,
                       const Csv *claims, const int *claim_col, QbErr *err)
{
    char path[1024];
    Csv t;
    snprintf(path, sizeof path, "%s/%s.csv", tables_dir, e->name);
    if (csv_load(path, &t, err) < 0)
        return -1;
    int exp = -2; /* an experiment no claim reads */
    for (int i = 0; i < cs->nexps; i++)
        if (!strcmp(cs->exps[i].name, e->name))
            exp = i;
    fprintf(out, "## %s\n\n[tables/%s.md](tables/%s.md) (also `.csv`, `.tex`); `make show-%s` "
                 "prints it.\n\n", e->title, e->name, e->name, e->name);
    fprintf(out, "- **Regime** (profile `%s`): %s.\n", e->profile, e->profile_description);
    int rc = csv_col(&t, "paired_n") >= 0 ? write_paired(out, cs, exp, &t, path, err)
                                          : write_cost(out, &t, path, err);
    if (rc == 0)
        write_claims(out, cs, exp, claims, claim_col);
    fputc('\n', out);
    csv_free(&t);
    return rc;
}

static void write_summary(FILE *out, const Csv *claims, const int *col)
{
    int count[4] = {0};
    for (int r = 1; r < claims->nrows; r++)
        for (int v = 0; v < 4; v++)
            count[v] += !strcmp(claims->rows[r][col[CL_VERDICT]], verdicts[v]);
    fprintf(out, "%d claims ([tables/claims.md](tables/claims.md)): %d hold, %d contradicted, "
                 "%d unresolved, %d missing. Every verdict is about the regime its table states "
                 "(a scaled replica on this machine's budget), never about the papers' own "
                 "data sets and schedules.\n\n",
            claims->nrows - 1, count[0], count[1], count[2], count[3]);
}

/* Every experiment file beside the claims file whose table was rendered, by name. */
static int write_tables(FILE *out, const ClaimSet *cs, const char *claims_path,
                        const char *tables_dir, const Csv *claims, const int *col, QbErr *err)
{
    char dir[512], pattern[600], csv[1024];
    snprintf(dir, sizeof dir, "%s", claims_path);
    snprintf(pattern, sizeof pattern, "%s/*.yaml", dirname(dir));
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0)
        return qb_fail(err, "%s: no experiment files", pattern);
    Experiment *e = malloc(sizeof *e);
    QB_ASSERT(e);
    int rc = 0;
    for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
        char base[512];
        snprintf(base, sizeof base, "%s", g.gl_pathv[i]);
        *strrchr(base, '.') = '\0';
        snprintf(csv, sizeof csv, "%s/%s.csv", tables_dir, basename(base));
        if (!strcmp(g.gl_pathv[i], claims_path) || !file_exists(csv))
            continue;
        rc = experiment_load(e, g.gl_pathv[i], cs->profile, err) < 0
                 ? -1
                 : write_table(out, cs, e, tables_dir, claims, col, err);
        experiment_free(e);
    }
    free(e);
    globfree(&g);
    return rc;
}

int findings_write(const char *claims_path, const char *tables_dir, const char *profile,
                   FILE *out, QbErr *err)
{
    char path[1024];
    ClaimSet *cs = calloc(1, sizeof *cs);
    Csv claims = {0};
    int col[CL_COLS];
    QB_ASSERT(cs);
    snprintf(path, sizeof path, "%s/claims.csv", tables_dir);
    int rc = claims_load(cs, claims_path, profile, err) < 0 || csv_load(path, &claims, err) < 0 ||
                     csv_cols(&claims, path, claim_cols, col, err) < 0
                 ? -1
                 : 0;
    if (rc == 0) {
        write_summary(out, &claims, col);
        rc = write_tables(out, cs, claims_path, tables_dir, &claims, col, err);
    }
    if (rc == 0) {
        fprintf(out, "## Claims outside the tables\n\n");
        write_claims(out, cs, -1, &claims, col);
    }
    csv_free(&claims);
    claims_free(cs);
    free(cs);
    return rc;
}
