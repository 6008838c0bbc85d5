#include "tablefile.h"

#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"
#include "report/table.h"

int tablefile_base(const char *out, const char *results, const char *name, char *buf,
                   size_t cap, QbErr *err)
{
    char dir[600];
    if (out[0])
        snprintf(buf, cap, "%s", out);
    else
        snprintf(buf, cap, "%s/tables/%s", results, name);
    snprintf(dir, sizeof dir, "%s", buf);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    return dir_create(dir, err);
}

/* The reference names either an experiment's reference directory (result files directly in
 * it) or the reference root (results/reference, one directory per experiment). NULL when the
 * root has no directory for this experiment (a compare run, a user's file): nothing to check. */
static const char *reference_dir(const char *ref, const char *experiment, char *buf, size_t cap)
{
    struct stat st;
    if (!ref[0])
        return NULL;
    if (stat(ref, &st) != 0)
        return ref;  /* the loader names the missing directory */
    snprintf(buf, cap, "%s/%s", ref, experiment);
    if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
        return buf;
    glob_t g;
    snprintf(buf, cap, "%s/*.json", ref);
    int has_results = glob(buf, 0, NULL, &g) == 0 && g.gl_pathc > 0;
    globfree(&g);
    return has_results ? ref : NULL;
}

int tablefile_results_present(const char *results, const Experiment *e, const CellList *cells)
{
    int n = 0;
    for (int i = 0; i < cells->n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s/%s.json", results, e->name, cells->cells[i].id);
        n += file_exists(path);
    }
    return n;
}

int tablefile_write(const TableFileOptions *o, const Experiment *e, const CellList *cells,
                    QbErr *err)
{
    char out[600], summary[2048] = "", ref[600], md[620];
    TableOptions opt = {reference_dir(o->reference, e->name, ref, sizeof ref), o->tolerance,
                        summary, sizeof summary, o->by_position};
    int rc, missing = 0;
    if ((rc = tablefile_base(o->out, o->results, e->name, out, sizeof out, err)))
        return rc;
    snprintf(md, sizeof md, "%s.md", out);
    if (!o->by_position && tablefile_results_present(o->results, e, cells) == 0 &&
        file_exists(md)) {
        printf("%s kept: none of its %d cells has a result under %s (profile %s)\n", md,
               cells->n, o->results, e->profile[0] ? e->profile : "none");
        return 0;
    }
    if ((rc = table_write(e, cells, o->results, &opt, out, &missing, err)))
        return rc;
    printf("%s.md, .tex, .csv written (%d of %d cells have results)\n%s%s", out,
           cells->n - missing, cells->n, summary, summary[0] ? "\n" : "");
    return 0;
}
