#include "blocks.h"

#include <stdlib.h>
#include <string.h>

#include "directive.h"

static int line_of(const char *text, const char *p)
{
    int line = 1;
    for (const char *q = text; q < p; q++)
        line += *q == '\n';
    return line;
}

/* The directive's output as the block holds it: a whole-line block ends with a newline (unless
 * empty); an inline one is a single line without it. */
static int shape(char *out, int inline_block, const char *directive, QbErr *err)
{
    if (strstr(out, BLOCK_BEGIN) || strstr(out, BLOCK_END))
        return qb_fail(err, "`%s` prints generated-block markers: link to that file instead",
                       directive);
    size_t len = strlen(out);
    if (!inline_block)
        return 0;
    if (len && out[len - 1] == '\n')
        out[--len] = '\0';
    if (strchr(out, '\n'))
        return qb_fail(err, "`%s` prints several lines, which an inline block cannot hold",
                       directive);
    return 0;
}

/* One block starting at `begin`: its directive, content span and whether it is inline. */
typedef struct {
    char *directive; /* malloc'd */
    const char *content, *content_end, *after; /* after: past the end marker */
    int inline_block;
} Block;

static int block_parse(const char *begin, Block *b, QbErr *err)
{
    const char *d = begin + strlen(BLOCK_BEGIN), *close = strstr(d, " -->");
    const char *eol = d + strcspn(d, "\n");
    if (!close || close > eol)
        return qb_fail(err, "begin marker without ' -->' on its line");
    if (close == d)
        return qb_fail(err, "begin marker's directive is empty");
    b->content = close + strlen(" -->");
    b->inline_block = *b->content != '\n';
    if (!b->inline_block)
        b->content++;
    const char *end = strstr(b->content, BLOCK_END), *next = strstr(b->content, BLOCK_BEGIN);
    if (!end || (next && next < end))
        return qb_fail(err, "begin marker without its end marker (" BLOCK_END ")");
    if (b->inline_block && memchr(b->content, '\n', (size_t)(end - b->content)))
        return qb_fail(err, "inline block's end marker is not on its line");
    if (!b->inline_block && end != b->content && end[-1] != '\n')
        return qb_fail(err, "end marker of a whole-line block must start its line");
    b->content_end = end;
    b->after = end + strlen(BLOCK_END);
    b->directive = strndup(d, (size_t)(close - d));
    QB_ASSERT(b->directive);
    return 0;
}

static void discard(FILE *o, char **out)
{
    fclose(o);
    free(*out);
    *out = NULL;
}

int blocks_refresh(const char *path, const char *text, char **out, int *stale, FILE *report,
                   QbErr *err)
{
    size_t n;
    FILE *o = open_memstream(out, &n);
    QB_ASSERT(o);
    *stale = 0;
    const char *p = text;
    for (;;) {
        const char *begin = strstr(p, BLOCK_BEGIN), *end = strstr(p, BLOCK_END);
        if (end && (!begin || end < begin)) {
            discard(o, out);
            return qb_fail(err, "%s:%d: end marker without a begin marker", path,
                           line_of(text, end));
        }
        if (!begin)
            break;
        Block b = {0};
        char *gen = NULL;
        if (block_parse(begin, &b, err) < 0 || directive_run(b.directive, &gen, err) < 0 ||
            shape(gen, b.inline_block, b.directive, err) < 0) {
            free(gen);
            free(b.directive);
            discard(o, out);
            return qb_wrap(err, "%s:%d: ", path, line_of(text, begin));
        }
        size_t had = (size_t)(b.content_end - b.content);
        if (strlen(gen) != had || memcmp(gen, b.content, had)) {
            ++*stale;
            if (report)
                fprintf(report, "%s:%d: stale: %s\n", path, line_of(text, begin), b.directive);
        }
        fwrite(p, 1, (size_t)(b.content - p), o);
        fputs(gen, o);
        fwrite(b.content_end, 1, (size_t)(b.after - b.content_end), o);
        free(gen);
        free(b.directive);
        p = b.after;
    }
    fputs(p, o);
    fclose(o);
    return 0;
}
