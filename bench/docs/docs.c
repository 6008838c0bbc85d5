#include "docs.h"

#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "blocks.h"
#include "lint.h"

/* The kinds of tracked text whose words the language check reads: documents, sources,
 * build files, experiment files and scripts (not results, logs or data). */
static const char *const text_kinds[] = {".md", ".c", ".h", ".yaml", ".yaml.in", ".mk", ".sh",
                                         ".gp", ".py", ".awk", ".supp", "/Makefile", NULL};

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

/* "/Makefile" matches a Makefile at the top as well as in a folder. */
static int text_kind(const char *path)
{
    for (int i = 0; text_kinds[i]; i++)
        if (ends_with(path, text_kinds[i]) || !strcmp(path, text_kinds[i] + 1))
            return 1;
    return 0;
}

int docs_tracked(char ***files, int *n, QbErr *err)
{
    FILE *p = popen("git ls-files 2>/dev/null", "r");
    if (!p)
        return qb_fail(err, "cannot run git ls-files");
    char *line = NULL;
    size_t len = 0;
    int cap = 0;
    *files = NULL;
    *n = 0;
    while (getline(&line, &len, p) >= 0) {
        line[strcspn(line, "\n")] = '\0';
        if (!text_kind(line))
            continue;
        if (*n == cap) {
            *files = realloc(*files, sizeof **files * (size_t)(cap = cap ? 2 * cap : 256));
            QB_ASSERT(*files);
        }
        (*files)[(*n)++] = strdup(line);
    }
    free(line);
    if (pclose(p) != 0 || *n == 0)
        return qb_fail(err, "git ls-files listed no tracked documents (run qbench docs from the "
                            "repository's top directory, or name the files)");
    return 0;
}

int docs_file(const char *path, int check, FILE *report, DocsTally *t, QbErr *err)
{
    char *text, *fresh = NULL;
    size_t n;
    int stale = 0;
    if (file_read_all(path, &text, &n, err) < 0)
        return -1;
    t->files++;
    if (ends_with(path, ".md")) {
        if (blocks_refresh(path, text, &fresh, &stale, check ? report : NULL, err) < 0) {
            free(text);
            return -1;
        }
        if (!check && stale && atomic_write(path, fresh, strlen(fresh), err) < 0) {
            free(text);
            free(fresh);
            return -1;
        }
        t->stale += check ? stale : 0;
        t->rewritten += !check && stale;
    }
    t->refused += lint_text(path, fresh ? fresh : text, report);
    free(text);
    free(fresh);
    return 0;
}
