#include "runfrag.h"

#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "makefrag.h"

/* A word the shell takes as it is. */
static int shell_plain(const char *w)
{
    return w[0] && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                             "_-+=.,/:@%{}") == strlen(w);
}

char *runfrag_quote(const char *const *words, int n)
{
    size_t cap = 1;
    for (int i = 0; i < n; i++)
        cap += 3 + 4 * strlen(words[i]); /* ' -> '\'' at most quadruples a word */
    char *out = malloc(cap), *o = out;
    QB_ASSERT(out);
    for (int i = 0; i < n; i++) {
        int plain = shell_plain(words[i]);
        *o++ = ' ';
        if (!plain)
            *o++ = '\'';
        for (const char *c = words[i]; *c; c++) {
            if (*c == '\'')
                memcpy(o, "'\\''", 4), o += 4;
            else if (*c == '$' || *c == '#')
                *o++ = *c == '$' ? '$' : '\\', *o++ = *c;
            else
                *o++ = *c;
        }
        if (!plain)
            *o++ = '\'';
    }
    *o = '\0';
    return out;
}

/* PLAN=1: the plan in full, and nothing else. */
static void plan_target(FILE *f, const Experiment *e, const char *popt)
{
    fprintf(f, "\n.PHONY: plan run show\nplan:\n\t@$(QBENCH_PLAN) plan %s%s $(PRETRAIN_FLAGS) "
               "--results $(RESULTS) --reference $(REFERENCE) --jobs $(PLAN_JOBS)\n"
               "\t@echo \"PLAN=1: nothing was run\"\n", e->path, popt);
}

/* Inputs missing: list them, make the checkpoints, then the fragment with the cells. */
static void run_after_needs(FILE *f, const Experiment *e, const char *path, const char *popt,
                            const RunFragOptions *o)
{
    fprintf(f, "\n# the command that wrote this fragment\nRULES_ARGS :=%s\n", o->rules);
    fprintf(f, "\nrun:\n\t@$(QBENCH_PLAN) needs %s%s $(PRETRAIN_FLAGS)\n"
               "\t+@$(MAKE) --no-print-directory -f %s needs\n"
               "\t@$(QBENCH_PLAN) rules $(RULES_ARGS)\n"
               "\t+@$(MAKE) --no-print-directory -f %s run\n",
            e->path, popt, path, path);
}

/* Every input here: the plan's summary, the cells (a progress line after each), the table. */
static void run_cells(FILE *f, const Experiment *e, const CellList *cells, const char *path,
                      const char *popt, const RunFragOptions *o)
{
    const char *t = o->table_base;
    fprintf(f, "\nifdef RUN_START\nCELL_PROGRESS = $(QBENCH_PLAN) progress %s%s --results "
               "$(RESULTS) --reference $(REFERENCE) --start $(RUN_START) --after\nendif\n",
            e->path, popt);
    fprintf(f, "\nrun:\n\t@echo \"%s (profile %s): %d cells -> %s\" >&2\n"
               "\t@$(QBENCH_PLAN) plan %s%s $(PRETRAIN_FLAGS) --results $(RESULTS) --reference "
               "$(REFERENCE) --jobs $(PLAN_JOBS) --summary\n"
               "\t+@$(MAKE) --no-print-directory -f %s show\n",
            e->path, e->profile[0] ? e->profile : "none", cells->n, path, e->path, popt, path);
    fprintf(f, "\nshow: table\n\t@cat $(RESULTS)/tables/%s.md\n"
               "\t@$(if $(REFERENCE_CHECK),:,[ ! -e $(REFERENCE)/tables/%s.md ] || { echo; echo "
               "\"The reference (committed) table, for comparison: $(REFERENCE)/tables/%s.md\"; "
               "cat $(REFERENCE)/tables/%s.md; })\n", t, t, t, t);
    makefrag_cells(f, e, cells, popt, t);
}

int runfrag_write(const char *path, const Experiment *e, const Needs *n, const CellList *cells,
                  const RunFragOptions *o, QbErr *err)
{
    if (makefrag_check(e, err) < 0)
        return -1;
    if (!makefrag_safe(path) || !makefrag_safe(o->table_base))
        return qb_fail(err, "%s, table %s: the fragment's path and table name must not contain "
                            "spaces or any of $#%%:;\\\"'", path, o->table_base);
    AtomicFile a;
    if (atomic_open(&a, path, err) < 0)
        return -1;
    char *popt = makefrag_options(e), by[600];
    snprintf(by, sizeof by, "qbench rules %s", e->path);
    makefrag_header(a.f, by, popt);
    fprintf(a.f, "# the qbench that plans, lists the inputs, prints the progress and writes this "
                 "fragment again\n# (QBENCH trains and writes the table: a debugger or "
                 "valgrind may wrap it)\nQBENCH_PLAN ?= $(QBENCH)\n"
                 "REFERENCE ?= results/reference\nPRETRAIN_THREADS ?= 1\nPLAN_JOBS ?= 1\n"
                 "REFERENCE_CHECK ?=\n# how to train a missing starting checkpoint (make's "
                 "PRETRAIN_<name>)\nPRETRAIN_FLAGS :=%s\n", o->pretrain);
    plan_target(a.f, e, popt);
    int rc = needs_rules(a.f, e, n, err);
    if (rc == 0 && cells)
        run_cells(a.f, e, cells, path, popt, o);
    else if (rc == 0)
        run_after_needs(a.f, e, path, popt, o);
    free(popt);
    if (rc < 0)
        return atomic_abort(&a), -1;
    return atomic_commit(&a, err);
}
