/* `qbench export --onnx`: a trained checkpoint as an ONNX model other runtimes run. The network
 * is rebuilt from the checkpoint's model record (run/record.h), as `qbench eval` rebuilds it,
 * loaded, and written by the ONNX exporter (export/onnx_export.h): the fake-quant semantics as
 * standard operators (QuantizeLinear/Clip/DequantizeLinear, int8 weight codes with a
 * per-channel DequantizeLinear). --dump-inputs writes the test samples the network is evaluated
 * on, as `qbench eval` feeds them, so another runtime can run the model on the same floats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkpoint.h"
#include "core/data/loader.h"
#include "core/data/npy.h"
#include "core/threads.h"
#include "export/onnx_export.h"
#include "run/record.h"
#include "run/run.h"
#include "args.h"
#include "cli.h"

typedef struct {
    char ckpt[RUN_PATH_MAX], out[RUN_PATH_MAX], inputs[RUN_PATH_MAX];
    int onnx;
} ExportArgs;

static const ArgSpec export_specs[] = {
    {"--onnx", ARG_FLAG, ARG_AT(ExportArgs, onnx),
     .help = "write ONNX (opset 13; the one format there is, asked for by name)"},
    {"--checkpoint", ARG_STR, ARG_TEXT(ExportArgs, ckpt), .value = "FILE", .required = 1,
     .help = "the checkpoint exported (format 2: with a model record)"},
    {"--out", ARG_STR, ARG_TEXT(ExportArgs, out), .value = "FILE", .required = 1,
     .help = "the model file (written atomically)"},
    {"--dump-inputs", ARG_STR, ARG_TEXT(ExportArgs, inputs), .value = "FILE",
     .help = "also write the test split's samples as the network sees them: .npy, float32, "
             "samples x C x H x W in the test set's order (the order of eval --dump-logits)"},
    {NULL}};

/* The checkpoint's record, or the error that says why there is none. */
static int read_record(const char *path, ModelRecord *rec, QbErr *err)
{
    CkptMeta m = {0};
    int rc = checkpoint_read_meta(path, &m, err);
    if (rc == 0 && !m.record)
        rc = qb_fail(err, "%s: checkpoint format %u has no model record, which export rebuilds "
                          "the network from; train the cell again to get one", path, m.version);
    else if (rc == 0)
        rc = record_read(path, &m, rec, err);
    ckpt_meta_free(&m);
    return rc;
}

/* Rebuilds, loads and exports; says what it wrote. */
static int export_checkpoint(const ExportArgs *a, const ModelRecord *rec, QbErr *err)
{
    const RunConfig *c = &rec->cfg;
    Net net;
    char *notes = NULL;
    threads_set(1);
    net_init(&net, rec->input); /* net_free is safe whatever fails */
    int rc = run_net_build(c, rec->input, rec->classes, &net, err);
    if (rc < 0)
        qb_wrap(err, "%s: its model record: ", a->ckpt);
    if (rc == 0 && (rc = net_alloc(&net, 1, 1, err)) == 0 &&
        (rc = checkpoint_load(a->ckpt, &net, NULL, NULL, CKPT_RESUME, err)) == 0 &&
        (rc = onnx_export(&net, a->out, &notes, err)) < 0)
        qb_wrap(err, "%s: ", a->ckpt);
    if (rc == 0)
        printf("%s %s%s%s -> %s (ONNX)\n", a->ckpt, c->net, c->scheme[0] ? " " : "",
               c->scheme[0] ? c->scheme : " full precision", a->out);
    for (char *line = notes ? strtok(notes, "\n") : NULL; line; line = strtok(NULL, "\n"))
        printf("note: %s\n", line);
    free(notes);
    net_free(&net);
    return rc;
}

/* The test split as one evaluation batch: the normalised floats `qbench eval` computes on. */
static int dump_inputs(const char *path, const ModelRecord *rec, QbErr *err)
{
    Dataset d;
    Loader l;
    if (run_dataset_open(&rec->cfg, DATA_TEST, &d, err) < 0)
        return qb_wrap(err, "--dump-inputs: ");
    LoaderConfig lc = {d.count, 0, 0, 0, 0, rec->cfg.seed, 0};
    size_t per = (size_t)d.dims.c * d.dims.h * d.dims.w;
    Tensor x = {d.count, d.dims.c, d.dims.h, d.dims.w,
                malloc((size_t)d.count * per * sizeof(float))};
    int *labels = malloc((size_t)d.count * sizeof(int));
    QB_ASSERT(x.data && labels);
    int rc = loader_init(&l, &d, &lc, err);
    if (rc == 0) {
        int64_t shape[4] = {loader_batch(&l, 0, 0, &x, labels), d.dims.c, d.dims.h, d.dims.w};
        rc = npy_write(path, NPY_F32, 4, shape, x.data, err);
    }
    free(x.data);
    free(labels);
    dataset_free(&d);
    return rc < 0 ? qb_wrap(err, "--dump-inputs: ") : 0;
}

static int run_export(int argc, char **argv, QbErr *err)
{
    ExportArgs a;
    ModelRecord rec;
    memset(&a, 0, sizeof a);
    int rc = args_parse(argc, argv, export_specs, &a, err);
    if (rc == 0 && !a.onnx)
        return qb_fail(err, "name the format: --onnx"), CLI_USAGE;
    if (rc == 0 && (rc = read_record(a.ckpt, &rec, err)) == 0) {
        rc = export_checkpoint(&a, &rec, err);
        if (rc == 0 && a.inputs[0])
            rc = dump_inputs(a.inputs, &rec, err);
        record_free(&rec);
    }
    return rc;
}

const CliCommand cli_export = {
    "export", "a checkpoint as a model file other runtimes run (ONNX)", export_specs,
    run_export, NULL};
