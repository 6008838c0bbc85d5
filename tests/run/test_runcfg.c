/* The settings table: every identity field changes the record the cell id hashes, every
 * other field leaves it alone; defaults, flags and text values agree with the table. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/optim/optim.h"
#include "core/optim/sched.h"
#include "core/jsonr.h"
#include "run/runcfg.h"

static char *identity_text(const RunConfig *c)
{
    JsonW w;
    jw_init(&w, 0);
    runcfg_identity_json(c, &w, NULL);
    return w.buf;
}

static char *record_text(const RunConfig *c)
{
    JsonW w;
    jw_init(&w, 0);
    runcfg_to_json(c, &w, NULL);
    return w.buf;
}

/* Another valid value of f in c, set through the table's own parser where it takes text. */
static void mutate(const RunField *f, RunConfig *c)
{
    void *p = runcfg_field_ptr(f, c);
    char want[160], name[32];
    const char *text = NULL;
    switch (f->type) {
    case RF_INT:
        *(int *)p = *(int *)p + 1 <= f->max ? *(int *)p + 1 : (int)f->min;
        return;
    case RF_U64:
        *(uint64_t *)p += 1;
        return;
    case RF_FLOAT:
        *(float *)p = *(float *)p < f->max ? (float)((*(float *)p + f->max) / 2) : (float)f->min;
        return;
    case RF_BOOL:
        *(int *)p = !*(int *)p;
        return;
    case RF_ENUM:
    case RF_KIND: {
        /* the last value, or the first when the last is current */
        int n = nametable_size(*f->values);
        const char *last = nametable_name(*f->values, n - 1);
        int at_last = f->type == RF_ENUM ? !strcmp(p, last) : *(int *)p == n - 1;
        snprintf(name, sizeof name, "%s", nametable_name(*f->values, 0));
        text = at_last ? name : last;
        break;
    }
    case RF_STR:
    case RF_PATH:
        text = "changed";
        break;
    case RF_DIMS:
        text = "2x3x4";
        break;
    case RF_INTLIST:
        text = "5,9";
        break;
    case RF_SPECIAL:
        text = !strcmp(f->key, "overrides") ? "fc=4" : "levels=codable";
        break;
    }
    cr_assert_eq(runcfg_field_set(f, c, text, want, sizeof want), 0, "%s %s: %s", f->flag, text,
                 want);
}

Test(runcfg, identity_fields_and_only_they_change_the_identity)
{
    RunConfig base;
    runcfg_defaults(&base);
    char *id0 = identity_text(&base), *rec0 = record_text(&base);
    for (int i = 0; i < runcfg_nfields; i++) {
        const RunField *f = &runcfg_fields[i];
        RunConfig c = base;
        mutate(f, &c);
        char *id = identity_text(&c), *rec = record_text(&c);
        if (f->identity)
            cr_assert_str_neq(id, id0, "%s is an identity field but does not change the cell id",
                              f->flag);
        else
            cr_assert_str_eq(id, id0, "%s changes the cell id but is marked as not identity",
                             f->flag);
        if (f->key)
            cr_assert_str_neq(rec, rec0, "%s is recorded but the record does not change",
                              f->flag);
        else
            cr_assert_str_eq(rec, rec0, "%s is an output but enters the record", f->flag);
        free(id);
        free(rec);
    }
    free(id0);
    free(rec0);
}

/* Threads and paths do not change what is computed (a starting checkpoint enters the id by
 * its contents, in cell.c); everything else does. */
Test(runcfg, only_threads_and_paths_stay_out_of_the_identity)
{
    static const char *const outside[] = {"--data-dir", "--from", "--threads", "--checkpoint",
                                          "--best-checkpoint",
                                          "--resume", NULL};
    for (int i = 0; i < runcfg_nfields; i++) {
        int listed = 0;
        for (const char *const *o = outside; *o; o++)
            listed |= !strcmp(*o, runcfg_fields[i].flag);
        cr_assert_eq(runcfg_fields[i].identity, !listed, "%s", runcfg_fields[i].flag);
    }
}

/* Every byte of RunConfig is a table field, a count or derived value the table's fields own,
 * or the alignment padding (before seed, at the end): a field added to the struct without a row fails
 * here (so does a new padding: list it). */
Test(runcfg, the_table_covers_the_config)
{
    static unsigned char covered[sizeof(RunConfig)];
    const struct { size_t off, size; } owned[] = {
        {offsetof(RunConfig, nqopts), sizeof(int)},
        {offsetof(RunConfig, noverrides), sizeof(int)},
        {offsetof(RunConfig, cap_overrides), sizeof(int)},
        {offsetof(RunConfig, sched.nmilestones), sizeof(int)},
        {offsetof(RunConfig, sched.base_lr), sizeof(float)},  /* copied from lr */
        {offsetof(RunConfig, sched.epochs), sizeof(int)},     /* copied from epochs */
        {offsetof(RunConfig, progress), sizeof(int)},         /* the caller's terminal */
    };
    for (size_t i = 0; i < sizeof owned / sizeof *owned; i++)
        memset(covered + owned[i].off, 1, owned[i].size);
    for (int i = 0; i < runcfg_nfields; i++) {
        const RunField *f = &runcfg_fields[i];
        cr_assert_leq(f->off + runcfg_field_size(f), sizeof(RunConfig), "%s", f->flag);
        memset(covered + f->off, 1, runcfg_field_size(f));
    }
    for (size_t at = 0; at < sizeof covered;) {
        size_t run = 0;
        while (at + run < sizeof covered && !covered[at + run])
            run++;
        /* the paddings: the alignment of the uint64_t seed, and the tail that rounds the
         * struct to its alignment */
        cr_assert(!run || (run < 8 && (at + run == offsetof(RunConfig, seed) ||
                                       at + run == sizeof(RunConfig))),
                  "RunConfig bytes %zu..%zu are in no table row", at, at + run);
        at += run ? run : 1;
    }
}

Test(runcfg, every_row_is_reachable_and_unique)
{
    for (int i = 0; i < runcfg_nfields; i++) {
        const RunField *f = &runcfg_fields[i];
        cr_assert(f->flag && f->help && f->dflt, "row %d is incomplete", i);
        cr_assert_eq(runcfg_field_flag(f->flag), f, "flag %s is not unique", f->flag);
        if (f->yaml)
            cr_assert_eq(runcfg_field_yaml(f->sec, f->yaml), f, "YAML key %s is not unique",
                         f->yaml);
        for (int j = 0; j < i; j++)
            cr_assert(!f->key || !runcfg_fields[j].key || strcmp(f->key, runcfg_fields[j].key),
                      "record key %s twice", f->key);
    }
}

/* RF_KIND stores the position of the name: the settings table reads the optimizers' and
 * schedules' own tables, listed in enum order. */
Test(runcfg, kind_values_follow_their_enums)
{
    const RunField *opt = runcfg_field_flag("--optimizer"), *sch = runcfg_field_flag("--schedule");
    char values[64];
    cr_assert_eq(opt->values, &optim_kind_names);
    cr_assert_eq(sch->values, &sched_kind_names);
    cr_assert_eq(runcfg_field_flag("--data")->values, &dataset_formats);
    runcfg_field_values(opt, "|", values, sizeof values);
    cr_assert_str_eq(values, "sgd|adam");
    cr_assert_str_eq(nametable_name(optim_kind_names, OPTIM_SGD), "sgd");
    cr_assert_str_eq(nametable_name(optim_kind_names, OPTIM_ADAM), "adam");
    cr_assert_eq(SCHED_COSINE_PER_STEP, 3);
    const char *names[] = {"cosine", "step", "constant", "cosine_per_step"};
    for (int k = 0; k < 4; k++) {
        SchedKind got;
        RunConfig c;
        char want[160];
        runcfg_defaults(&c);
        cr_assert_eq(sched_kind_parse(names[k], &got), 0);
        cr_assert_eq(runcfg_field_set(sch, &c, names[k], want, sizeof want), 0);
        cr_assert_eq(c.sched.kind, got, "%s", names[k]);
        cr_assert_str_eq(sched_kind_name(got), names[k]);
    }
}

Test(runcfg, text_values_are_checked_against_the_table)
{
    RunConfig c;
    char want[160];
    runcfg_defaults(&c);
    cr_assert_eq(runcfg_field_set(runcfg_field_flag("--momentum"), &c, "1", want, sizeof want), -1);
    cr_assert_str_eq(want, "a number in [0, 0.9999]");
    cr_assert_eq(runcfg_field_set(runcfg_field_flag("--data"), &c, "mnist", want, sizeof want), -1);
    cr_assert_str_eq(want, "one of fmnist, cifar10, npy, synth; did you mean 'fmnist'?");
    cr_assert_eq(runcfg_field_set(runcfg_field_flag("--milestones"), &c, "3,,4", want,
                                  sizeof want), -1);
    cr_assert_eq(runcfg_field_set(runcfg_field_flag("--from"), &c, "none", want, sizeof want), 0);
    cr_assert_str_eq(c.from, "");
    cr_assert_eq(runcfg_field_set(runcfg_field_flag("--input"), &c, "3x32", want, sizeof want), -1);
    cr_assert_str_eq(want, "CxHxW, e.g. 3x32x32");
}

/* text read back through runcfg_from_json into a fresh config writes text again. */
static void expect_reads_back(const char *text)
{
    JsonV *v;
    RunConfig back;
    QbErr err = {{0}};
    runcfg_defaults(&back);
    cr_assert_eq(json_parse(text, "record", &v, &err), 0, "%s", err.msg);
    cr_assert_eq(runcfg_from_json(&back, v, "record", &err), 0, "%s", err.msg);
    char *again = record_text(&back);
    cr_assert_str_eq(again, text);
    free(again);
    json_free(v);
    runcfg_free(&back);
}

/* Checkpoints rebuild their run from the JSON record: every field, every override form, the
 * unset values (no scheme, the data set's own shape) read back as they were written. */
Test(runcfg, the_json_record_reads_back_into_the_same_config)
{
    RunConfig c;
    char want[160];
    runcfg_defaults(&c);
    char *text = record_text(&c);
    expect_reads_back(text);
    free(text);
    for (int i = 0; i < runcfg_nfields; i++) {
        if (!runcfg_fields[i].key)
            continue;
        mutate(&runcfg_fields[i], &c);
        text = record_text(&c);
        expect_reads_back(text);
        free(text);
    }
    const RunField *o = runcfg_field_flag("--override");
    cr_assert_eq(runcfg_field_set(o, &c, "conv1=fp", want, sizeof want), 0, "%s", want);
    cr_assert_eq(runcfg_field_set(o, &c, "layer*=lsq:3", want, sizeof want), 0, "%s", want);
    text = record_text(&c);
    expect_reads_back(text);
    free(text);
    runcfg_free(&c);
}

Test(runcfg, a_record_missing_a_field_or_with_a_wrong_value_names_the_key)
{
    JsonV *v;
    RunConfig c;
    QbErr err = {{0}};
    runcfg_defaults(&c);
    cr_assert_eq(json_parse("{\"abits\": 4}", "rec", &v, &err), 0, "%s", err.msg);
    cr_assert_eq(runcfg_from_json(&c, v, "rec", &err), -1);
    cr_assert(strstr(err.msg, "rec: asq_first_layer is missing"), "%s", err.msg);
    json_free(v);
    char *text = record_text(&c), *at = strstr(text, "\"batch\":128");
    cr_assert(at, "%s", text);
    memcpy(at, "\"batch\":\"1\"", 11);
    cr_assert_eq(json_parse(text, "rec", &v, &err), 0, "%s", err.msg);
    cr_assert_eq(runcfg_from_json(&c, v, "rec", &err), -1);
    cr_assert(strstr(err.msg, "rec: batch: expected an integer in [1, 65536]"), "%s", err.msg);
    json_free(v);
    free(text);
    runcfg_free(&c);
}
