/* `qbench probe`: the data files of the quantizer figures (bench/probe/probe.h) from a
 * pretrained checkpoint; the gnuplot scripts in plots/ draw them. */
#include <stdio.h>

#include "probe/probe.h"
#include "args.h"
#include "cli.h"

typedef struct {
    ProbeConfig c;
    char schemes[256];
    ArgList qat;
} ProbeArgs;

#define PROBE_TEXT(m) ARG_TEXT(ProbeArgs, c.m)
#define PROBE_AT(m) ARG_AT(ProbeArgs, c.m)
static const ArgSpec probe_specs[] = {
    {"--net", ARG_STR, PROBE_TEXT(net), .value = "NAME", .required = 1,
     .help = "the network of the checkpoint"},
    {"--checkpoint", ARG_STR, PROBE_TEXT(ckpt), .value = "CKPT", .required = 1,
     .help = "the pretrained full-precision checkpoint"},
    {"--width", ARG_FLOAT, PROBE_AT(width), 0.01, 64, .value = "F",
     .help = "the network's width multiplier (default 1)"},
    {"--data", ARG_STR, PROBE_TEXT(data), .value = "fmnist|synth",
     .help = "the data set the activations are measured on (default fmnist)"},
    {"--data-dir", ARG_STR, PROBE_TEXT(data_dir), .value = "DIR",
     .help = "where the data set is (default: the format's)"},
    {"--layer", ARG_STR, PROBE_TEXT(layer), .value = "NAME",
     .help = "the layer probed (default: the middle compute layer)"},
    {"--batch", ARG_INT, PROBE_AT(batch), 1, 4096, .value = "N",
     .help = "the batch measured (default 64)"},
    {"--bits", ARG_INT, PROBE_AT(bits), 2, 8, .value = "B",
     .help = "the bit-width of the weight figure (default 4)"},
    {"--act-bits", ARG_INT, PROBE_AT(act_bits), 2, 8, .value = "B",
     .help = "the bit-width of the activation histograms (default 2)"},
    {"--error-bits", ARG_INT, PROBE_AT(error_bits), 2, 8, .value = "B",
     .help = "the bit-width of the block and layer errors (default 3)"},
    {"--bins", ARG_INT, PROBE_AT(bins), 1, 100000, .value = "N",
     .help = "histogram bins (default 100)"},
    {"--schemes", ARG_STR, ARG_TEXT(ProbeArgs, schemes), .value = "lsq,asq",
     .help = "the schemes compared (default lsq,asq)"},
    {"--qat-checkpoint", ARG_LIST, ARG_AT(ProbeArgs, qat), .value = "SCHEME:BITS=PATH",
     .help = "a QAT checkpoint of that scheme and bit-width, for the error files"},
    {"--seed", ARG_U64, PROBE_AT(seed), 0, 1e15, .value = "N", .help = "the sampling seed"},
    {"--threads", ARG_INT, PROBE_AT(threads), 1, 256, .value = "N", .help = "threads"},
    {"--out", ARG_STR, PROBE_TEXT(out), .value = "DIR",
     .help = "where the data files go (default plots/data)"},
    {"--profile", ARG_STR, PROBE_TEXT(profile), .value = "NAME",
     .help = "the regime recorded in the error files' provenance; each QAT checkpoint's cell "
             "must be of it"},
    {"--results", ARG_STR, PROBE_TEXT(results), .value = "DIR",
     .help = "the results directory of the QAT checkpoints' cells"},
    {NULL}};

static int run_probe(int argc, char **argv, QbErr *err)
{
    ProbeArgs a = {0};
    ProbeConfig *cfg = &a.c;
    const char *schemes = a.schemes;
    const ArgList *qat = &a.qat;
    probe_defaults(cfg);
    int rc = args_parse(argc, argv, probe_specs, &a, err);
    if (rc)
        return rc;
    if (schemes[0] && probe_set_schemes(cfg, schemes, err) < 0)
        return qb_wrap(err, "--schemes %s: ", schemes), CLI_USAGE;
    for (int i = 0; i < qat->n; i++)
        if (probe_add_qat(cfg, qat->items[i], err) < 0)
            return qb_wrap(err, "--qat-checkpoint %s: ", qat->items[i]), CLI_USAGE;
    ProbeReport r;
    if (probe_run(cfg, &r, err) < 0)
        return -1;
    printf("probe: %s from %s, layer %s: %d files in %s\n", cfg->net, cfg->ckpt, r.layer,
           r.nfiles, cfg->out);
    for (int i = 0; i < r.nfiles; i++)
        printf("  %s\n", r.files[i]);
    return 0;
}

const CliCommand cli_probe = {
    "probe", "data files of the quantizer figures (levels, weights, activations, error); the "
             "error files record their provenance: --profile and --results (the regime, of "
             "which each QAT checkpoint's cell must be), data, and the cell of each QAT "
             "checkpoint",
    probe_specs, run_probe, NULL};
