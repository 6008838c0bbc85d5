/* `qbench next-cells`: the results each accuracy claim left unresolved needs next (its next
 * seed's cells), one `FILE RESULT` line each; with --make, the fragment whose `next` target
 * trains them and then runs $(AGAIN), so that `make claims SEEDS_MAX=N` goes round by round
 * until no claim is left that another seed can settle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "harness/makefrag.h"
#include "claimargs.h"
#include "cli.h"

typedef struct {
    ClaimArgs c;
    char make[256];
} NextCellsArgs;

static const ArgSpec next_cells_specs[] = {
    CLAIMARGS_SPECS(NextCellsArgs, c),
    {"--make", ARG_STR, ARG_TEXT(NextCellsArgs, make), .value = "OUT.mk",
     .help = "write the fragment whose `next` target trains them, then runs $(AGAIN); a round "
             "whose fragment equals the last one's (its cells got no result) is an error"},
    {NULL}};

/* The cells of experiment e that the lines ("FILE EXP/ID.json") name, as indexes into cells,
 * each once (claims may share a cell). */
static int wanted_cells(const char *lines, const Experiment *e, const CellList *cells, int *idx)
{
    int n = 0;
    size_t plen = strlen(e->path);
    for (const char *l = lines; *l; l = strchr(l, '\n') + 1) {
        const char *end = strchr(l, '\n'), *slash;
        char id[CELL_ID_MAX];
        if (strncmp(l, e->path, plen) || l[plen] != ' ')
            continue;
        slash = strchr(l + plen + 1, '/'); /* RESULT is EXP/ID.json */
        if (slash && slash < end && end - slash > 6 &&
            snprintf(id, sizeof id, "%.*s", (int)(end - slash - 6), slash + 1) > 0) {
            const Cell *c = cells_find(cells, id);
            int k = c ? (int)(c - cells->cells) : -1, seen = 0;
            for (int j = 0; j < n; j++)
                seen |= idx[j] == k;
            if (c && !seen)
                idx[n++] = k;
        }
    }
    return n;
}

static int write_fragment(const NextCellsArgs *a, const ClaimSet *cs, const char *lines,
                          CellList *cells, int **idx, int *count, QbErr *err)
{
    MakefragPart *parts = calloc((size_t)cs->nexps + 1, sizeof *parts);
    int nparts = 0, rc = parts ? 0 : qb_fail(err, "%s: out of memory", a->c.file);
    char by[900];
    for (int i = 0; rc == 0 && i < cs->nexps; i++) {
        if (!strstr(lines, cs->exps[i].path))
            continue;  /* no cell of it wanted: its data need not be here */
        if (cells_expand(&cs->exps[i], &cells[i], err) < 0)
            rc = -1;
        else if (!(idx[i] = malloc(sizeof(int) * ((size_t)cells[i].n + 1))))
            rc = qb_fail(err, "%s: out of memory", a->c.file);
        else if ((parts[nparts].nwanted = wanted_cells(lines, &cs->exps[i], &cells[i], idx[i])))
            parts[nparts].e = &cs->exps[i], parts[nparts].cells = &cells[i],
            *count += parts[nparts].nwanted, parts[nparts++].wanted = idx[i];
    }
    snprintf(by, sizeof by, "qbench next-cells %s --profile %s --results %s --seeds-max %d "
             "--make %s", a->c.file, a->c.profile, a->c.results, a->c.seeds_max, a->make);
    if (rc == 0)
        rc = makefrag_write_parts(a->make, by, parts, nparts, "next",
                                  nparts ? "\t+@$(AGAIN)\n" : "\t@:\n", err);
    free(parts);
    return rc;
}

/* The round's fragment; the previous round's (the file it replaces) being the same means its
 * cells were run and got no result. */
static int next_round(const NextCellsArgs *a, const ClaimSet *cs, const char *lines, int *count,
                      QbErr *err)
{
    CellList *cells = calloc((size_t)cs->nexps + 1, sizeof *cells);
    int **idx = calloc((size_t)cs->nexps + 1, sizeof *idx);
    char *before = NULL, *after = NULL;
    size_t nb = 0, na = 0;
    QbErr none;
    if (!cells || !idx)
        return free(cells), free(idx), qb_fail(err, "%s: out of memory", a->c.file);
    if (file_read_all(a->make, &before, &nb, &none) < 0)
        before = NULL;
    int rc = write_fragment(a, cs, lines, cells, idx, count, err);
    if (rc == 0 && lines[0] && before && file_read_all(a->make, &after, &na, err) == 0 &&
        na == nb && !memcmp(before, after, na))
        rc = qb_fail(err, "these cells did not get a result in the last round (see their "
                          ".log beside each):\n%s", lines);
    for (int i = 0; i < cs->nexps; i++)
        free(idx[i]), cells_free(&cells[i]);
    free(idx), free(cells), free(before), free(after);
    return rc;
}

static int run_next_cells(int argc, char **argv, QbErr *err)
{
    NextCellsArgs a = {.c = CLAIMARGS_DEFAULTS};
    ClaimSet cs;
    char *lines = NULL;
    size_t n = 0;
    int rc = args_parse(argc, argv, next_cells_specs, &a, err);
    if (rc || (rc = claimargs_load(&a.c, &cs, err)))
        return rc;
    FILE *mem = a.make[0] ? open_memstream(&lines, &n) : stdout;
    if (!mem)
        rc = qb_fail(err, "%s: out of memory", a.c.file);
    else
        rc = claims_next_cells(&cs, a.c.results, mem, err) < 0 ? -1 : 0;
    if (mem && mem != stdout)
        fclose(mem);
    if (rc == 0 && a.make[0]) {
        int cells = 0;
        rc = next_round(&a, &cs, lines, &cells, err);
        if (rc == 0 && cells)
            printf("make claims: %d cells for the unresolved claims' next seed\n", cells);
    }
    free(lines);
    claims_free(&cs);
    return rc;
}

const CliCommand cli_next_cells = {
    "next-cells", "the result files the unresolved accuracy claims need next (their next "
                  "seed's two cells), one `EXPERIMENT-FILE RESULT` line each, or the fragment "
                  "that trains them",
    next_cells_specs, run_next_cells, NULL};
