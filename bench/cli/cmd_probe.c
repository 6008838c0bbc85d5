/* `qbench probe`: the data files of the quantizer figures (bench/probe/probe.h) from a
 * pretrained checkpoint; the gnuplot scripts in plots/ draw them. */
#include <stdio.h>

#include "probe/probe.h"
#include "args.h"
#include "cli.h"

int cmd_probe(int argc, char **argv, QbErr *err)
{
    ProbeConfig c;
    probe_defaults(&c);
    char schemes[256] = "";
    ArgList qat = {0};
    const ArgSpec specs[] = {
        {"--net", ARG_STR, c.net, 0, 0, sizeof c.net},
        {"--checkpoint", ARG_STR, c.ckpt, 0, 0, sizeof c.ckpt},
        {"--width", ARG_FLOAT, &c.width, 0.01, 64, 0},
        {"--data", ARG_STR, c.data, 0, 0, sizeof c.data},
        {"--data-dir", ARG_STR, c.data_dir, 0, 0, sizeof c.data_dir},
        {"--layer", ARG_STR, c.layer, 0, 0, sizeof c.layer},
        {"--batch", ARG_INT, &c.batch, 1, 4096, 0},
        {"--bits", ARG_INT, &c.bits, 2, 8, 0},
        {"--act-bits", ARG_INT, &c.act_bits, 2, 8, 0},
        {"--error-bits", ARG_INT, &c.error_bits, 2, 8, 0},
        {"--bins", ARG_INT, &c.bins, 1, 100000, 0},
        {"--schemes", ARG_STR, schemes, 0, 0, sizeof schemes},
        {"--qat-checkpoint", ARG_LIST, &qat, 0, 0, 0},
        {"--seed", ARG_U64, &c.seed, 0, 1e15, 0},
        {"--threads", ARG_INT, &c.threads, 1, 256, 0},
        {"--out", ARG_STR, c.out, 0, 0, sizeof c.out},
        {"--profile", ARG_STR, c.profile, 0, 0, sizeof c.profile},
        {"--results", ARG_STR, c.results, 0, 0, sizeof c.results},
        {NULL, 0, NULL, 0, 0, 0},
    };
    int rc = args_parse(argc, argv, specs, err);
    if (rc)
        return rc;
    if (!c.net[0] || !c.ckpt[0])
        return qb_fail(err, "--net and --checkpoint are required"), CLI_USAGE;
    if (schemes[0] && probe_set_schemes(&c, schemes, err) < 0)
        return qb_wrap(err, "--schemes %s: ", schemes), CLI_USAGE;
    for (int i = 0; i < qat.n; i++)
        if (probe_add_qat(&c, qat.items[i], err) < 0)
            return qb_wrap(err, "--qat-checkpoint %s: ", qat.items[i]), CLI_USAGE;
    ProbeReport r;
    if (probe_run(&c, &r, err) < 0)
        return -1;
    printf("probe: %s from %s, layer %s: %d files in %s\n", c.net, c.ckpt, r.layer, r.nfiles,
           c.out);
    for (int i = 0; i < r.nfiles; i++)
        printf("  %s\n", r.files[i]);
    return 0;
}
