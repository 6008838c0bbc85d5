/* The model record: read back with the configuration beside it, and the code check that tells
 * an evaluation whether the build rebuilding a network computes what trained it. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/threads.h"
#include "run/record.h"
#include "run/run.h"

/* small_cnn for 1x16x16 samples under LSQ at `bits`, and its configuration. */
static void lsq_net(int bits, RunConfig *c, Net *net)
{
    QbErr err = {{0}};
    runcfg_defaults(c);
    snprintf(c->net, sizeof c->net, "small_cnn");
    snprintf(c->scheme, sizeof c->scheme, "lsq");
    c->wbits = c->abits = bits;
    threads_set(1);
    cr_assert_eq(run_net_build(c, (Dims){1, 16, 16}, 10, net, &err), 0, "%s", err.msg);
}

static char *config_text(const RunConfig *c)
{
    JsonW w;
    jw_init(&w, 0);
    runcfg_to_json(c, &w, NULL);
    return w.buf;
}

Test(record, reads_back_and_names_a_change_of_code)
{
    RunConfig c, c2;
    Net net, other;
    QbErr err = {{0}};
    Dataset test = {.name = "synth/test", .dims = {1, 16, 16}, .classes = 10, .count = 500,
                    .fingerprint = 0x0123456789abcdefull};
    lsq_net(4, &c, &net);
    CkptMeta m = {1, 10, 1, config_text(&c), NULL, record_text(&net, &test), 2};
    ModelRecord r;
    cr_assert_eq(record_read("x.ckpt", &m, &r, &err), 0, "%s", err.msg);
    cr_assert_str_eq(r.cfg.scheme, "lsq");
    cr_assert_eq(r.cfg.wbits, 4);
    cr_assert(r.input.c == 1 && r.input.h == 16 && r.input.w == 16 && r.classes == 10);
    cr_assert_str_eq(r.test_name, "synth/test");
    cr_assert_eq(r.test_count, 500);
    cr_assert_eq(r.test_fingerprint, 0x0123456789abcdefull);
    char diff[600];
    record_code_difference(&r, &net, diff, sizeof diff);
    cr_assert_str_eq(diff, "");
    lsq_net(3, &c2, &other);
    record_code_difference(&r, &other, diff, sizeof diff);
    cr_assert(strstr(diff, "conventions or code differ"), "%s", diff);
    r.core_numerics = 1;
    record_code_difference(&r, &net, diff, sizeof diff);
    cr_assert(strstr(diff, "core numerics version 1"), "%s", diff);
    record_free(&r);
    free(m.record);
    m.record = NULL;
    cr_assert_eq(record_read("x.ckpt", &m, &r, &err), -1);
    cr_assert(strstr(err.msg, "x.ckpt: checkpoint format 2 holds no model record"), "%s", err.msg);
    record_free(&r);
    free(m.config);
    net_free(&net);
    net_free(&other);
    runcfg_free(&c);
    runcfg_free(&c2);
}
