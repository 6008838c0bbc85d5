/* `qbench macs`: the cost table of a network (FORMULAS.md §9): per layer and in total. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nets/registry.h"
#include "quantizers/overhead.h"
#include "quantizers/schemes.h"
#include "core/cost.h"
#include "core/layers/layers.h"
#include "core/json.h"
#include "args.h"
#include "cli.h"

typedef struct {
    char net[32], shortcut[4], scheme[32];
    Dims input;
    int classes, wbits, abits, bits, json;
    float width;
} MacsArgs;

static void dims_text(char *buf, size_t n, Dims d) { snprintf(buf, n, "%dx%dx%d", d.c, d.h, d.w); }

static void print_table(const CostTable *t, const MacsArgs *a, const QuantOverhead *o)
{
    printf("%-28s %-10s %-12s %-12s %12s %8s %14s %5s %5s %16s %14s\n", "layer", "type", "input",
           "output", "params", "qparams", "MACs", "wbits", "abits", "BitOPs", "storage bits");
    for (int i = 0; i < t->n; i++) {
        const CostRow *r = &t->rows[i];
        char in[32], out[32];
        dims_text(in, sizeof in, r->layer->in_dims[0]);
        dims_text(out, sizeof out, r->layer->out_dims);
        printf("%-28s %-10s %-12s %-12s %12.0f %8.0f %14.0f %5d %5d %16.0f %14.0f\n",
               r->layer->name, r->layer->ops->kind, in, out, r->params, r->quant_params, r->macs,
               r->wbits, r->abits, r->bitops, r->storage_bits);
    }
    printf("\n%s at %dx%dx%d, %d classes: params %.0f (quantizer params %.0f), MACs %.0f "
           "(conv + linear; first layer %.0f, last %.0f), other ops %.0f (BN, activations, "
           "pooling, adds), BitOPs %.4g, size %.0f bytes\n",
           a->net, a->input.c, a->input.h, a->input.w, a->classes, t->params, t->quant_params,
           t->macs, t->first_macs, t->last_macs, t->other_ops, t->bitops, t->size_bytes);
    if (o->adapters)
        printf("ASQ overhead (paper convention, FORMULAS.md §9.3): %d adapters, %.0f adapter params, "
               "%.0f adapter MACs, %.0f extra params; Param %.2f%%, Compute %.2f%% at %d bits\n",
               o->adapters, o->adapter_params, o->adapter_macs, o->extra_params, o->param_pct,
               o->compute_pct, a->bits);
}

static void print_json(const CostTable *t, const MacsArgs *a, const QuantOverhead *o)
{
    JsonW w;
    char buf[32];
    jw_init(&w, 1);
    jw_obj(&w, NULL);
    jw_str(&w, "net", a->net);
    dims_text(buf, sizeof buf, a->input);
    jw_str(&w, "input", buf);
    jw_int(&w, "classes", a->classes);
    jw_num(&w, "params", t->params);
    jw_num(&w, "quant_params", t->quant_params);
    jw_num(&w, "macs", t->macs);
    jw_num(&w, "first_layer_macs", t->first_macs);
    jw_num(&w, "last_layer_macs", t->last_macs);
    jw_num(&w, "other_ops", t->other_ops);
    jw_num(&w, "bitops", t->bitops);
    jw_num(&w, "size_bytes", t->size_bytes);
    if (a->scheme[0]) {
        jw_str(&w, "scheme", a->scheme);
        jw_int(&w, "bits", a->bits);
    }
    if (o->adapters) {
        jw_obj(&w, "asq_overhead");
        jw_int(&w, "adapters", o->adapters);
        jw_num(&w, "adapter_params", o->adapter_params);
        jw_num(&w, "adapter_macs", o->adapter_macs);
        jw_num(&w, "extra_params", o->extra_params);
        jw_num(&w, "quantized_conv_macs", o->quantized_macs);
        jw_num(&w, "param_pct", o->param_pct);
        jw_num(&w, "compute_pct", o->compute_pct);
        jw_str(&w, "convention", "FORMULAS.md §9.3: (8/B) x extra params / net params; (8/B) x 2 x adapter MACs / quantized conv MACs");
        jw_obj_end(&w);
    }
    jw_arr(&w, "layers");
    for (int i = 0; i < t->n; i++) {
        const CostRow *r = &t->rows[i];
        jw_obj(&w, NULL);
        jw_str(&w, "name", r->layer->name);
        jw_str(&w, "type", r->layer->ops->kind);
        dims_text(buf, sizeof buf, r->layer->in_dims[0]);
        jw_str(&w, "input", buf);
        dims_text(buf, sizeof buf, r->layer->out_dims);
        jw_str(&w, "output", buf);
        jw_num(&w, "params", r->params);
        jw_num(&w, "quant_params", r->quant_params);
        jw_num(&w, "macs", r->macs);
        jw_num(&w, "other_ops", r->other_ops);
        jw_int(&w, "wbits", r->wbits);
        jw_int(&w, "abits", r->abits);
        jw_num(&w, "bitops", r->bitops);
        jw_num(&w, "storage_bits", r->storage_bits);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    printf("%s\n", w.buf);
    jw_free(&w);
}

static const ArgSpec macs_specs[] = {
    {"--net", ARG_STR, ARG_TEXT(MacsArgs, net), .value = "NAME", .help = "the network"},
    {"--input", ARG_DIMS, ARG_AT(MacsArgs, input), .value = "CxHxW",
     .help = "the input shape (default: the network's paper setting)"},
    {"--classes", ARG_INT, ARG_AT(MacsArgs, classes), 1, 1000000, .value = "K",
     .help = "output classes (default: the paper setting's)"},
    {"--width", ARG_FLOAT, ARG_AT(MacsArgs, width), 0.01, 64, .value = "F",
     .help = "width multiplier (default 1)"},
    {"--shortcut", ARG_STR, ARG_TEXT(MacsArgs, shortcut), .value = "a|b",
     .help = "ResNet shortcut option (default b)"},
    {"--wbits", ARG_INT, ARG_AT(MacsArgs, wbits), 1, 32, .value = "B",
     .help = "weight bits (with --abits; or --scheme S --bits B)"},
    {"--abits", ARG_INT, ARG_AT(MacsArgs, abits), 1, 32, .value = "B", .help = "activation bits"},
    {"--scheme", ARG_STR, ARG_TEXT(MacsArgs, scheme), .value = "S",
     .help = "a scheme, whose first and last layers it counts as it quantizes them"},
    {"--bits", ARG_INT, ARG_AT(MacsArgs, bits), 1, 32, .value = "B", .help = "the scheme's bits"},
    {"--json", ARG_FLAG, ARG_AT(MacsArgs, json), .help = "JSON instead of a table"},
    {NULL}};

static int run_macs(int argc, char **argv, QbErr *err)
{
    MacsArgs a = {"", "b", "", {0, 0, 0}, 0, 0, 0, 0, 0, 1.0f};
    int rc = args_parse(argc, argv, macs_specs, &a, err);
    if (rc)
        return rc;
    const NetEntry *e = net_entry(a.net);
    if (!e) {
        char why[sizeof err->msg];
        net_unknown(a.net, why, sizeof why);
        return qb_fail(err, "--net: %s", why), CLI_USAGE;
    }
    /* Without --input / --classes, the net's paper setting (ResNet-18 at 3x224x224, 1000). */
    if (!a.input.c)
        a.input = e->input;
    if (!a.classes)
        a.classes = e->classes;
    if ((a.wbits == 0) != (a.abits == 0))
        return qb_fail(err, "--wbits and --abits go together"), CLI_USAGE;
    if (!a.scheme[0] != !a.bits || (a.scheme[0] && a.wbits))
        return qb_fail(err, "--scheme goes with --bits (and without --wbits/--abits)"), CLI_USAGE;
    if (!nametable_find(net_shortcut_names, a.shortcut)) {
        char known[16];
        nametable_join(net_shortcut_names, " or ", NULL, known, sizeof known);
        return qb_fail(err, "--shortcut %s: expected %s", a.shortcut, known), CLI_USAGE;
    }
    NetOptions o;
    net_options_defaults(&o);
    o.input = a.input;
    o.classes = a.classes;
    o.width = a.width;
    o.shortcut = a.shortcut[0];
    Net net;
    if (net_build(&net, a.net, &o, err) < 0)
        return -1;
    if (a.scheme[0] && scheme_apply(&net, a.scheme, a.bits, NULL, err) < 0) {
        net_free(&net);
        return -1;
    }
    CostTable t;
    QuantOverhead ov = {0};
    cost_table_assume(&net, a.wbits, a.abits, &t);
    if (a.scheme[0])
        quantizer_cost_overhead(&t, a.bits, &ov);
    if (a.json)
        print_json(&t, &a, &ov);
    else
        print_table(&t, &a, &ov);
    cost_free(&t);
    net_free(&net);
    return 0;
}

const CliCommand cli_macs = {"macs", "params, MACs, BitOPs and size per layer and in total",
                             macs_specs, run_macs, NULL};
