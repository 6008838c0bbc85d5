/* The provenance header of the probe's error and activation files: what the probe writes (its
 * regime, and per quantized net untrained, a cell or a bare checkpoint), the reader's round
 * trip, a file from before the provenance as "none" rather than an error, and every malformed
 * header refused at its line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/result.h"
#include "probe/provenance.h"
#include "tests/support/scratch.h"
#include "tests/support/shell.h"
#include "pfix.h"

/* provenance_read on `text` written to a scratch file: its return code, the header in h, the
 * error in err, the file's path, and in after the line the reader left the file at. */
static char after[256];

static int read_text(const char *text, ProbeHeader *h, char *path, size_t cap, QbErr *err)
{
    char dir[64];
    scratch_make(dir, sizeof dir, "prov");
    snprintf(path, cap, "%s/block_error.dat", dir);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
    f = fopen(path, "r");
    int rc = provenance_read(h, f, path, err);
    if (!fgets(after, sizeof after, f))
        after[0] = '\0';
    fclose(f);
    scratch_remove(dir);
    return rc;
}

#define HEAD "# index block asq asq_rel lsq lsq_rel\n# bits 3 samples 8\n"
#define PROV_OK "# provenance profile quick\n# provenance results results\n"      \
                "# provenance data fmnist\n# provenance net resnet20\n"           \
                "# provenance fp nets/pretrained/resnet20-fmnist.ckpt\n"          \
                "# provenance scheme asq bits 3 cell table4/resnet20_asq_3b_s1_a\n" \
                "# provenance scheme lsq bits 3 untrained\n"
#define ROWS "0 layer1.0 1 0.2 1 0.1\n"

Test(provenance, what_is_written_reads_back_and_the_reader_stops_at_the_first_row)
{
    Provenance p = {0};
    snprintf(p.profile, sizeof p.profile, "quick");
    snprintf(p.results, sizeof p.results, "my results");   /* a path may hold spaces */
    snprintf(p.data, sizeof p.data, "fmnist");
    snprintf(p.net, sizeof p.net, "resnet20");
    snprintf(p.fp, sizeof p.fp, "nets/pretrained/resnet20-fmnist.ckpt");
    p.nets[0] = (ProvNet){"asq", 3, PROV_CELL, "table4", "resnet20_asq_3b_s1_x", ""};
    p.nets[1] = (ProvNet){"lsq", 3, PROV_CHECKPOINT, "", "", "/tmp/a b.ckpt"};
    p.nets[2] = (ProvNet){"apot", 3, PROV_UNTRAINED, "", "", ""};
    p.nnets = 3;
    DatFile d;
    provenance_begin(&d, "x.dat", "index block asq asq_rel", 3, 1000, &p);
    dat_printf(&d, ROWS);
    char text[4096], path[128];
    snprintf(text, sizeof text, "%.*s", (int)d.len, d.buf);
    dat_discard(&d);
    ProbeHeader h;
    QbErr err = {{0}};
    cr_assert_eq(read_text(text, &h, path, sizeof path, &err), 0, "%s\n%s", err.msg, text);
    cr_assert_str_eq(h.columns, "index block asq asq_rel");
    cr_assert_eq(h.bits, 3);
    cr_assert_eq(h.samples, 1000);
    cr_assert(h.has_provenance);
    cr_assert_eq(h.next_line, 11, "2 fixed lines, 8 provenance lines, then the row");
    cr_assert_str_eq(after, ROWS, "the reader stops at the first row");
    cr_assert_str_eq(h.prov.profile, "quick");
    cr_assert_str_eq(h.prov.results, "my results");
    cr_assert_str_eq(h.prov.data, "fmnist");
    cr_assert_str_eq(h.prov.net, "resnet20");
    cr_assert_str_eq(h.prov.fp, p.fp);
    cr_assert_eq(h.prov.nnets, 3);
    for (int i = 0; i < 3; i++) {
        const ProvNet *a = &h.prov.nets[i], *b = &p.nets[i];
        cr_assert(!strcmp(a->scheme, b->scheme) && a->bits == b->bits && a->kind == b->kind &&
                  !strcmp(a->experiment, b->experiment) && !strcmp(a->cell, b->cell) &&
                  !strcmp(a->checkpoint, b->checkpoint), "net %d differs after:\n%s", i, text);
    }
    provenance_header_free(&h);
}

Test(provenance, a_file_from_before_the_provenance_has_none_and_is_no_error)
{
    ProbeHeader h;
    QbErr err = {{0}};
    char path[128];
    cr_assert_eq(read_text(HEAD ROWS, &h, path, sizeof path, &err), 0, "%s", err.msg);
    cr_assert_not(h.has_provenance);
    cr_assert_eq(h.bits, 3);
    cr_assert_str_eq(after, ROWS);
    provenance_header_free(&h);
}

static void expect_bad(const char *text, int line, const char *what)
{
    ProbeHeader h;
    QbErr err = {{0}};
    char path[128], where[160];
    cr_assert_eq(read_text(text, &h, path, sizeof path, &err), -1, "accepted:\n%s", text);
    snprintf(where, sizeof where, "%s:%d: ", path, line);
    cr_assert(strstr(err.msg, where), "expected '%s' in: %s", where, err.msg);
    cr_assert(strstr(err.msg, what), "expected '%s' in: %s", what, err.msg);
}

Test(provenance, malformed_headers_are_refused_at_their_line)
{
    expect_bad("", 1, "expected the column line");
    expect_bad("0 layer1.0 1 2\n", 1, "expected the column line");
    expect_bad("# index block\n# bits three samples 8\n" ROWS, 2, "expected '# bits B samples N'");
    expect_bad("# index block\n# bits 3\n" ROWS, 2, "expected '# bits B samples N'");
    expect_bad(HEAD "# provenance colour red\n" ROWS, 3, "unknown field 'colour'; expected "
               "profile, results, data, net, fp or scheme");
    expect_bad(HEAD "# provenance profil quick\n" ROWS, 3, "; did you mean 'profile'?");
    expect_bad(HEAD "# a note\n" ROWS, 3, "unexpected '#' line");
    expect_bad(HEAD "# provenance profile quick\n# provenance profile smoke\n" ROWS, 4,
               "provenance profile given twice");
    expect_bad(HEAD "# provenance profile two words\n" ROWS, 3, "expected one word");
    expect_bad(HEAD "# provenance profile\n" ROWS, 3, "expected a name, got nothing");
    expect_bad(HEAD "# provenance fp \n" ROWS, 3, "expected a path, got nothing");
    expect_bad(HEAD "# provenance scheme asq bits three untrained\n" ROWS, 3,
               "expected 'scheme NAME bits B untrained'");
    expect_bad(HEAD "# provenance scheme asq bits 3 cell resnet20_asq\n" ROWS, 3,
               "expected 'scheme NAME bits B untrained'");
    expect_bad(HEAD "# provenance scheme asq bits 3 untrained now\n" ROWS, 3,
               "expected 'scheme NAME bits B untrained'");
    expect_bad(HEAD "# provenance scheme asq bits 3 untrained\n"
               "# provenance scheme asq bits 3 untrained\n" ROWS, 4, "given twice");
    /* incomplete: located at the line after the provenance, where the field was due */
    expect_bad(HEAD "# provenance profile quick\n# provenance results r\n# provenance data synth\n"
               "# provenance net small_cnn\n# provenance scheme asq bits 3 untrained\n" ROWS, 8,
               "the provenance has no 'fp' line");
    expect_bad(HEAD "# provenance profile quick\n# provenance results r\n# provenance data synth\n"
               "# provenance net small_cnn\n# provenance fp x.ckpt\n" ROWS, 8,
               "the provenance has no scheme line");
    expect_bad(HEAD PROV_OK "# provenance data synth\n", 10, "provenance data given twice");
}

/* A probe run records its regime and, per quantized net at the error bits, how it was made. */
Test(provenance, the_probe_writes_its_regime_into_both_error_files)
{
    ProbeConfig c;
    ProbeReport r;
    pfix_config(&c);
    snprintf(c.profile, sizeof c.profile, "smoke");
    snprintf(c.results, sizeof c.results, "results");
    pfix_run(&c, &r);
    const char *names[] = {"block_error.dat", "layer_error.dat"};
    for (int i = 0; i < 2; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", c.out, names[i]);
        FILE *f = fopen(path, "r");
        ProbeHeader h;
        QbErr err = {{0}};
        cr_assert_eq(provenance_read(&h, f, path, &err), 0, "%s", err.msg);
        fclose(f);
        cr_assert(h.has_provenance, "%s", path);
        cr_assert_str_eq(h.prov.profile, "smoke");
        cr_assert_str_eq(h.prov.results, "results");
        cr_assert_str_eq(h.prov.data, "synth");
        cr_assert_str_eq(h.prov.net, "small_cnn");
        cr_assert_str_eq(h.prov.fp, PFIX_CKPT);
        cr_assert_eq(h.samples, PFIX_BATCH);
        cr_assert_eq(h.prov.nnets, 2);
        cr_assert_str_eq(h.prov.nets[0].scheme, "lsq");
        cr_assert_eq(h.prov.nets[1].kind, PROV_UNTRAINED);
        cr_assert_eq(h.prov.nets[1].bits, 3);
        provenance_header_free(&h);
    }
    pfix_clean(&c, &r);
}

/* A result file of cell `id` (profile `profile`) at dir/exp/id.json, as the harness leaves
 * beside a cell's checkpoint; the checkpoint itself is not read before the regime check. */
static void fake_cell(const char *dir, const char *id, const char *profile, const char *status)
{
    char path[512];
    snprintf(path, sizeof path, "%s/table4", dir);
    mkdir(dir, 0777);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/table4/%s.json", dir, id);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "{\"format\": \"qbench-result\", \"format_version\": %d, \"cell\": \"%s\", "
            "\"profile\": \"%s\", \"status\": \"%s\", \"reason\": \"%s\", \"net\": \"small_cnn\", "
            "\"scheme\": \"asq\", \"bits\": 3, \"seed\": 1, \"final\": {\"test_top1\": 50}, "
            "\"best\": {\"epoch\": 1, \"test_top1\": 50}}\n", RESULT_FORMAT_VERSION, id, profile,
            status, strcmp(status, "ok") ? "non-finite loss" : "");
    fclose(f);
}

static void expect_regime_error(const ProbeConfig *base, const char *qat, const char *what)
{
    ProbeConfig c = *base;
    ProbeReport r;
    QbErr err = {{0}};
    cr_assert_eq(probe_add_qat(&c, qat, &err), 0, "%s", err.msg);
    cr_assert_eq(probe_run(&c, &r, &err), -1, "accepted %s", qat);
    cr_assert(strstr(err.msg, what), "expected '%s' in: %s", what, err.msg);
    cr_assert(strstr(err.msg, "--qat-checkpoint asq:"), "names the flag: %s", err.msg);
}

Test(provenance, a_checkpoint_of_another_profile_results_directory_or_a_failed_cell_is_refused)
{
    ProbeConfig c;
    char dir[64], other[128], qat[400];
    pfix_config(&c);
    scratch_make(dir, sizeof dir, "prov-cells");
    snprintf(c.profile, sizeof c.profile, "smoke");
    snprintf(c.results, sizeof c.results, "%s", dir);
    fake_cell(dir, "small_cnn_asq_3b_s1_q", "quick", "ok");
    snprintf(qat, sizeof qat, "asq:3=%s/table4/small_cnn_asq_3b_s1_q.ckpt", dir);
    expect_regime_error(&c, qat, "a cell of profile quick");
    snprintf(qat, sizeof qat, "asq:2=%s/table4/small_cnn_asq_3b_s1_q.ckpt", dir);
    expect_regime_error(&c, qat, "a cell of profile quick");   /* the activation figure's too */
    snprintf(other, sizeof other, "%s/other", dir);
    fake_cell(other, "small_cnn_asq_3b_s1_s", "smoke", "ok");
    snprintf(qat, sizeof qat, "asq:3=%s/table4/small_cnn_asq_3b_s1_s.ckpt", other);
    expect_regime_error(&c, qat, "not of --results");
    fake_cell(dir, "small_cnn_asq_3b_s1_f", "smoke", "failed");
    snprintf(qat, sizeof qat, "asq:3=%s/table4/small_cnn_asq_3b_s1_f.ckpt", dir);
    expect_regime_error(&c, qat, "its cell's run failed");
    fake_cell(dir, "small_cnn_asq_3b_s1_w", "smoke", "ok");
    char moved[512];
    snprintf(moved, sizeof moved, "%s/table4/small_cnn_asq_3b_s1_m.json", dir);
    snprintf(qat, sizeof qat, "%s/table4/small_cnn_asq_3b_s1_w.json", dir);
    cr_assert_eq(rename(qat, moved), 0);
    snprintf(qat, sizeof qat, "asq:3=%s/table4/small_cnn_asq_3b_s1_m.ckpt", dir);
    expect_regime_error(&c, qat, "is of cell small_cnn_asq_3b_s1_w");
    ProbeConfig spaced = c;
    snprintf(spaced.profile, sizeof spaced.profile, "two words");
    ProbeReport r;
    QbErr err = {{0}};
    cr_assert_eq(probe_run(&spaced, &r, &err), -1);
    cr_assert(strstr(err.msg, "--profile 'two words'"), "%s", err.msg);
    scratch_remove(dir);
    scratch_remove(c.out);
}

/* The activation figure's files say, per scheme, whether its quantizers were trained: a QAT
 * checkpoint at the activation bits is recorded in its scheme's file, the other scheme's
 * stays untrained. */
Test(provenance, the_activation_files_say_whether_their_quantizers_were_trained)
{
    ProbeConfig c;
    ProbeReport r;
    QbErr err = {{0}};
    char out[8192], cmd[1400], qat[600], text[4096];
    pfix_config(&c);
    snprintf(qat, sizeof qat, "%s/lsq2.ckpt", c.out);
    snprintf(cmd, sizeof cmd, "train --net small_cnn --data synth --scheme lsq --bits 2 "
             "--epochs 1 --train-subset 32 --batch 16 --from " PFIX_CKPT " --checkpoint %s "
             "--quiet", qat);
    cr_assert_eq(qbench_run(NULL, cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "lsq:%d=%s", c.act_bits, qat);
    cr_assert_eq(probe_add_qat(&c, cmd, &err), 0, "%s", err.msg);
    pfix_run(&c, &r);
    for (int s = 0; s < 2; s++) {
        char path[700];
        snprintf(path, sizeof path, "%s/act_hist_%s.dat", c.out, s ? "asq" : "lsq");
        FILE *f = fopen(path, "r");
        cr_assert(f, "%s", path);
        text[fread(text, 1, sizeof text - 1, f)] = '\0';
        fclose(f);
        cr_expect(strstr(text, "\n# provenance data synth\n"), "%s", text);
        if (s)
            cr_expect(strstr(text, "\n# provenance scheme asq bits 2 untrained\n") &&
                      !strstr(text, "scheme lsq"), "%s", text);
        else {
            snprintf(cmd, sizeof cmd, "\n# provenance scheme lsq bits 2 checkpoint %s\n", qat);
            cr_expect(strstr(text, cmd) && !strstr(text, "scheme asq"), "%s", text);
        }
    }
    pfix_clean(&c, &r);
}
