#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/jsonr.h"
#include "conventions.h"
#include "source_hashes.h"

char *record_text(const Net *net, const Dataset *test)
{
    SourceHashes h = source_hashes_built();
    char *conv = conventions_json(net, &h), dims[48], fpr[24];
    snprintf(dims, sizeof dims, "%dx%dx%d", test->dims.c, test->dims.h, test->dims.w);
    snprintf(fpr, sizeof fpr, "%016llx", (unsigned long long)test->fingerprint);
    JsonW w;
    jw_init(&w, 0);
    jw_obj(&w, NULL);
    jw_int(&w, "record_version", RECORD_VERSION);
    jw_str(&w, "input", dims);
    jw_int(&w, "classes", test->classes);
    jw_obj(&w, "test_set");
    jw_str(&w, "name", test->name);
    jw_int(&w, "count", test->count);
    jw_str(&w, "fingerprint", fpr);
    jw_obj_end(&w);
    jw_int(&w, "core_numerics", QB_CORE_NUMERICS_VERSION);
    jw_raw(&w, "conventions", conv);
    jw_obj_end(&w);
    free(conv);
    return w.buf;
}

static int record_fields(const char *path, const JsonV *v, ModelRecord *out, QbErr *err)
{
    const char *dims = json_str_at(v, "input", ""), *name = json_str_at(v, "test_set.name", "");
    const char *fpr = json_str_at(v, "test_set.fingerprint", "");
    const JsonV *conv = json_at(v, "conventions");
    int version = (int)json_num_at(v, "record_version", 0);
    char *end;
    if (version != RECORD_VERSION)
        return qb_fail(err, "%s: model record version %d, this qbench reads version %d", path,
                       version, RECORD_VERSION);
    if (runcfg_parse_dims(dims, &out->input) < 0)
        return qb_fail(err, "%s: model record: input: expected CxHxW, found '%s'", path, dims);
    out->classes = (int)json_num_at(v, "classes", 0);
    out->test_count = (int)json_num_at(v, "test_set.count", 0);
    out->core_numerics = (int)json_num_at(v, "core_numerics", 0);
    out->test_fingerprint = strtoull(fpr, &end, 16);
    if (out->classes < 1 || out->test_count < 1 || out->core_numerics < 1 || !name[0] ||
        strlen(fpr) != 16 || *end || !conv || conv->type != JV_ARR)
        return qb_fail(err, "%s: model record: expected classes, test_set {name, count, "
                            "fingerprint}, core_numerics and conventions", path);
    snprintf(out->test_name, sizeof out->test_name, "%s", name);
    return 0;
}

/* The conventions as the text conventions_json writes: the record's own bytes between the
 * brackets, found by the key (the record is compact JSON written by record_text). */
static char *conventions_text(const char *record)
{
    const char *at = strstr(record, "\"conventions\":");
    at = at ? at + strlen("\"conventions\":") : record + strlen(record);
    size_t n = strlen(at);
    while (n > 0 && at[n - 1] != ']')
        n--;
    char *s = malloc(n + 1);
    QB_ASSERT(s);
    memcpy(s, at, n);
    s[n] = '\0';
    return s;
}

int record_read(const char *path, const CkptMeta *m, ModelRecord *out, QbErr *err)
{
    memset(out, 0, sizeof *out);
    runcfg_defaults(&out->cfg);
    if (!m->record)
        return qb_fail(err, "%s: checkpoint format %u holds no model record", path, m->version);
    char what[600];
    JsonV *cfg = NULL, *rec = NULL;
    snprintf(what, sizeof what, "%s: its training configuration", path);
    int rc = m->config ? json_parse(m->config, what, &cfg, err)
                       : qb_fail(err, "%s: no training configuration beside its record", path);
    if (rc == 0)
        rc = runcfg_from_json(&out->cfg, cfg, what, err);
    snprintf(what, sizeof what, "%s: its model record", path);
    if (rc == 0)
        rc = json_parse(m->record, what, &rec, err);
    if (rc == 0)
        rc = record_fields(path, rec, out, err);
    if (rc == 0)
        out->conventions = conventions_text(m->record);
    json_free(cfg);
    json_free(rec);
    return rc;
}

void record_free(ModelRecord *r)
{
    runcfg_free(&r->cfg);
    free(r->conventions);
    r->conventions = NULL;
}

void record_code_difference(const ModelRecord *r, const Net *net, char *out, size_t cap)
{
    SourceHashes h = source_hashes_built();
    char *now = conventions_json(net, &h);
    size_t i = 0;
    out[0] = '\0';
    while (r->conventions[i] && r->conventions[i] == now[i])
        i++;
    if (r->core_numerics != QB_CORE_NUMERICS_VERSION)
        snprintf(out, cap, "trained with core numerics version %d, this qbench computes version "
                           "%d", r->core_numerics, QB_CORE_NUMERICS_VERSION);
    else if (r->conventions[i] || now[i]) {
        while (i > 0 && r->conventions[i - 1] != '{') /* from the differing object's start */
            i--;
        snprintf(out, cap, "its quantizers' conventions or code differ from this build's: "
                           "recorded %.120s..., now %.120s...", r->conventions + i, now + i);
    }
    free(now);
}
