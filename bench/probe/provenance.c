/* Writing and reading the header of the probe's error files (see provenance.h). */
#include "provenance.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/nametable.h"

#define PREFIX "# provenance "

static const char *const kind_names[] = {[PROV_UNTRAINED] = "untrained", [PROV_CELL] = "cell",
                                         [PROV_CHECKPOINT] = "checkpoint"};

void provenance_begin(DatFile *d, const char *name, const char *columns, int bits, int samples,
                      const Provenance *p)
{
    dat_begin(d, name, columns);
    dat_printf(d, "# bits %d samples %d\n", bits, samples);
    provenance_lines(d, p, NULL);
}

void provenance_lines(DatFile *d, const Provenance *p, const char *scheme)
{
    dat_printf(d, PREFIX "profile %s\n" PREFIX "results %s\n" PREFIX "data %s\n" PREFIX "net %s\n"
               PREFIX "fp %s\n", p->profile, p->results, p->data, p->net, p->fp);
    for (int i = 0; i < p->nnets; i++) {
        const ProvNet *n = &p->nets[i];
        if (scheme && strcmp(n->scheme, scheme))
            continue;
        dat_printf(d, PREFIX "scheme %s bits %d %s", n->scheme, n->bits, kind_names[n->kind]);
        if (n->kind == PROV_CELL)
            dat_printf(d, " %s/%s", n->experiment, n->cell);
        else if (n->kind == PROV_CHECKPOINT)
            dat_printf(d, " %s", n->checkpoint);
        dat_printf(d, "\n");
    }
}

const ProvNet *provenance_net(const Provenance *p, const char *scheme, int bits)
{
    for (int i = 0; i < p->nnets; i++)
        if (!strcmp(p->nets[i].scheme, scheme) && p->nets[i].bits == bits)
            return &p->nets[i];
    return NULL;
}

int paths_same(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    if (realpath(a, ra) && realpath(b, rb))
        return !strcmp(ra, rb);
    return !strcmp(a, b);
}

/* The single-valued fields, in the order they are written; then the scheme lines. */
enum { F_PROFILE, F_RESULTS, F_DATA, F_NET, F_FP, F_COUNT, F_SCHEME = F_COUNT };
static const char *const field_names[F_COUNT + 1] = {"profile", "results", "data", "net", "fp",
                                                     "scheme"};

typedef struct {
    const char *path;
    int line;
    QbErr *err;
} Where;

static int fail_at(const Where *w, const char *what, const char *detail)
{
    return qb_fail(w->err, "%s:%d: %s%s", w->path, w->line, what, detail);
}

/* value into out (cap bytes): a single word when `word`, else the rest of the line. */
static int take_value(const Where *w, const char *key, const char *value, int word, char *out,
                      size_t cap)
{
    char what[96];
    snprintf(what, sizeof what, "provenance %s: ", key);
    if (!value[0])
        return fail_at(w, what, word ? "expected a name, got nothing" : "expected a path, got nothing");
    if (word && value[strcspn(value, " \t")])
        return fail_at(w, what, "expected one word without spaces");
    if (strlen(value) >= cap)
        return fail_at(w, what, "too long");
    memcpy(out, value, strlen(value) + 1);
    return 0;
}

static const char scheme_form[] = "expected 'scheme NAME bits B untrained', 'scheme NAME bits B "
                                  "cell EXPERIMENT/ID' or 'scheme NAME bits B checkpoint PATH'";

/* "asq bits 3 cell table4/resnet20_asq_3b_s1_78e8e122d0dd" */
static int scheme_line(const Where *w, Provenance *p, const char *value)
{
    ProvNet n = {0};
    char kind[16] = "";
    int used = 0;
    if (p->nnets == PROBE_SCHEMES_MAX)
        return fail_at(w, "provenance scheme: ", "more scheme lines than the probe measures");
    if (sscanf(value, "%31s bits %d %15s %n", n.scheme, &n.bits, kind, &used) != 3 || n.bits < 1)
        return fail_at(w, "provenance scheme: ", scheme_form);
    const char *rest = value + used;
    int k = nametable_index(NAMETABLE_STRINGS(kind_names), kind);
    if (k == PROV_UNTRAINED && !rest[0])
        n.kind = PROV_UNTRAINED;
    else if (k == PROV_CHECKPOINT) {
        n.kind = PROV_CHECKPOINT;
        if (take_value(w, "scheme checkpoint", rest, 0, n.checkpoint, sizeof n.checkpoint) < 0)
            return -1;
    } else if (k == PROV_CELL) {
        const char *slash = strchr(rest, '/');
        n.kind = PROV_CELL;
        if (!slash || slash == rest || (size_t)(slash - rest) >= sizeof n.experiment)
            return fail_at(w, "provenance scheme: ", scheme_form);
        memcpy(n.experiment, rest, (size_t)(slash - rest));
        if (take_value(w, "scheme cell", slash + 1, 1, n.cell, sizeof n.cell) < 0)
            return -1;
    } else
        return fail_at(w, "provenance scheme: ", scheme_form);
    if (provenance_net(p, n.scheme, n.bits))
        return fail_at(w, "provenance scheme: ", "the same scheme and bits given twice");
    p->nets[p->nnets++] = n;
    return 0;
}

/* One "# provenance KEY VALUE" line (newline removed); seen[] marks the fields given. */
static int provenance_line(const Where *w, Provenance *p, const char *line, int *seen)
{
    const char *key = line + strlen(PREFIX);
    size_t klen = strcspn(key, " ");
    const char *value = key[klen] ? key + klen + 1 : key + klen;
    char name[64], known[96], hint[96];
    snprintf(name, sizeof name, "%.*s", (int)klen, key);
    const NameTable fields = NAMETABLE_STRINGS(field_names);
    int f = nametable_index(fields, name);
    if (f == F_SCHEME)
        return scheme_line(w, p, value);
    if (f < 0) {
        nametable_join(fields, ", ", " or ", known, sizeof known);
        nametable_suggest(fields, name, hint, sizeof hint);
        return qb_fail(w->err, "%s:%d: provenance: unknown field '%s'; expected %s%s", w->path,
                       w->line, name, known, hint);
    }
    char *const out[F_COUNT] = {p->profile, p->results, p->data, p->net, p->fp};
    const size_t cap[F_COUNT] = {sizeof p->profile, sizeof p->results, sizeof p->data,
                                 sizeof p->net, sizeof p->fp};
    if (seen[f])
        return qb_fail(w->err, "%s:%d: provenance %s given twice", w->path, w->line,
                       field_names[f]);
    seen[f] = 1;
    return take_value(w, field_names[f], value, f != F_RESULTS && f != F_FP, out[f], cap[f]);
}

/* The next line without its line ending into *buf; 0 at the end of the file. */
static int next_line(FILE *f, char **buf, size_t *cap)
{
    ssize_t n = getline(buf, cap, f);
    if (n < 0)
        return 0;
    while (n > 0 && ((*buf)[n - 1] == '\n' || (*buf)[n - 1] == '\r'))
        (*buf)[--n] = '\0';
    return 1;
}

/* Lines 1 and 2: the columns and "# bits B samples N". */
static int fixed_lines(ProbeHeader *h, FILE *f, Where *w, char **buf, size_t *cap)
{
    w->line = 1;
    if (!next_line(f, buf, cap) || strncmp(*buf, "# ", 2))
        return fail_at(w, "expected the column line '# index ...'", "");
    h->columns = strdup(*buf + 2);
    QB_ASSERT(h->columns);
    w->line = 2;
    int used = 0;
    if (!next_line(f, buf, cap) ||
        sscanf(*buf, "# bits %d samples %d%n", &h->bits, &h->samples, &used) != 2 ||
        (*buf)[used] || h->bits < 1 || h->samples < 1)
        return fail_at(w, "expected '# bits B samples N' (B, N positive)", "");
    return 0;
}

/* Every field present once the provenance ends (at line w->line). */
static int provenance_complete(const Where *w, const Provenance *p, const int *seen)
{
    for (int f = 0; f < F_COUNT; f++)
        if (!seen[f])
            return qb_fail(w->err, "%s:%d: the provenance has no '%s' line (expected profile, "
                           "results, data, net, fp and a scheme line per quantized net)", w->path,
                           w->line, field_names[f]);
    return p->nnets ? 0 : qb_fail(w->err, "%s:%d: the provenance has no scheme line", w->path,
                                  w->line);
}

static int header_lines(ProbeHeader *h, FILE *f, Where *w, char **buf, size_t *cap)
{
    int seen[F_COUNT] = {0}, any = 0;
    if (fixed_lines(h, f, w, buf, cap) < 0)
        return -1;
    for (;;) {
        long at = ftell(f);
        w->line++;
        if (!next_line(f, buf, cap) || (*buf)[0] != '#') {
            if (at < 0 || fseek(f, at, SEEK_SET) < 0)
                return fail_at(w, "cannot seek back to the first row", "");
            break;
        }
        if (strncmp(*buf, PREFIX, strlen(PREFIX)))
            return fail_at(w, "unexpected '#' line; expected '# provenance KEY VALUE' or a row", "");
        any = 1;
        if (provenance_line(w, &h->prov, *buf, seen) < 0)
            return -1;
    }
    h->next_line = w->line;
    h->has_provenance = any;
    return any ? provenance_complete(w, &h->prov, seen) : 0;
}

int provenance_read(ProbeHeader *h, FILE *f, const char *path, QbErr *err)
{
    memset(h, 0, sizeof *h);
    Where w = {path, 0, err};
    char *buf = NULL;
    size_t cap = 0;
    int rc = header_lines(h, f, &w, &buf, &cap);
    free(buf);
    if (rc < 0)
        provenance_header_free(h);
    return rc;
}

void provenance_header_free(ProbeHeader *h)
{
    free(h->columns);
    h->columns = NULL;
}
