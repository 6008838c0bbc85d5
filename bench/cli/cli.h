/* Subcommands: each is `int cmd_NAME(int argc, char **argv, QbErr *err)` returning 0, -1
 * (error in err) or CLI_USAGE. The X-macro list is the one registry of commands. */
#ifndef QB_CLI_H
#define QB_CLI_H

#include "core/err.h"

#define CLI_USAGE 2

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv, QbErr *err);
    const char *usage;
    const char *help;
} CliCommand;

#define CLI_COMMANDS                                                                       \
    X("bench", cmd_bench, "[--threads N] [--batch N] [--iters N] [--warmup N] [--net NAME] "                 \
      "[--scheme S [--bits B]] [--profile] [--paired N] [--json FILE]",                  \
      "time the training step and the sgemm peak; --profile: each kind of work's share; " \
      "--paired N: each scheme against FP32 in N interleaved steps (median, 95% interval)") \
    X("macs", cmd_macs,                                                                     \
      "--net NAME [--input CxHxW] [--classes K] [--width F] [--shortcut a|b] "              \
      "[--wbits B --abits B | --scheme S --bits B] [--json]",                               \
      "params, MACs, BitOPs and size per layer and in total")                             \
    X("train", cmd_train,                                                                   \
      "[--net NAME] [--data fmnist|cifar10|npy|synth] [--epochs N] [--scheme S --bits B] "  \
      "[--checkpoint FILE [--resume] [--partial]] [--quiet] ... ('qbench train --help' lists every " \
      "setting)",                                                                           \
      "train a network; checkpoints every epoch, resumes bit-identically")                  \
    X("eval", cmd_eval,                                                                     \
      "--net NAME --checkpoint FILE [--data fmnist] [--data-dir DIR] [--width F] "          \
      "[--shortcut a|b] [--batch N] [--threads N] [--json]",                                \
      "top-1 and top-5 of a checkpoint on the test split")                                \
    X("levels", cmd_levels, "--method M --bits B --role weight|act [--set NAME=VALUE]... [--json]", \
      "a quantizer's normalised level set; --set: one of the method's options (`qbench "    \
      "schema --options` lists them)")                                                 \
    X("quantize", cmd_quantize,                                                             \
      "--method M --bits B --role weight|act --in X.npy --out Y.npy [--signed] "            \
      "[--grad-in DY.npy --grad-out DX.npy] [--set NAME=VALUE]... [--params-out P.json]",    \
      "apply one quantizer to a float32 .npy tensor (and back-propagate); --set: one of the " \
      "method's options (`qbench schema --options` lists them) or a parameter it fixes "     \
      "(step=0.05, alpha=3)")                  \
    X("validate", cmd_validate, "FILE [--profile P] | --method NAME [--check]",             \
      "check an experiment file (every profile unless one is given), or a method name; "   \
      "--check: and run the registry checks on the method (levels, forward, gradients "     \
      "against finite differences), as make compare does before training")                 \
    X("expand", cmd_expand,                                                                 \
      "FILE [--profile P] [--set SECTION.KEY=VALUE]... [--make OUT.mk [--table NAME] "       \
      "[--allow-shared-results]] [--needs [--make OUT.mk]] [--pretrain NAME=FLAGS]... "      \
      "[--plan | --summary | --progress START [--after RESULT]] [--results DIR] "            \
      "[--reference DIR] [--jobs N] [--seeds N] [--budget K]",                                           \
      "list an experiment's cell ids, write its makefile fragment, or its plan (done, "      \
      "reused, to train, estimated time); --needs: every missing input (data files, starting " \
      "checkpoints) listed at once, and with --make the rules that pretrain the missing "     \
      "checkpoints by the --pretrain recipes (which --plan estimates too); --set: a train or "  \
      "quant field over the file (`qbench schema` lists them); --after: the progress line after that cell, none when a "  \
      "newer result counts it; --seeds N: the matrix's first N seeds (more than it lists: "  \
      "the next ones after its last); --budget K: every cell trained K times as long "      \
      "(epochs, warm-up and milestones; new cell ids)")                                     \
    X("run-cell", cmd_run_cell,                                                             \
      "FILE [--profile P] --cell ID [--results DIR] [--threads N] [--prepare] [--seeds N] "  \
      "[--budget K] [--set SECTION.KEY=VALUE]...",                                                       \
      "train one cell and write its result file (resumes from its checkpoint); --prepare: " \
      "a chained cell's bookkeeping only (stale or failed results retired), no training; "  \
      "--set: as expand's (`qbench schema` lists the fields)")                              \
    X("report", cmd_report,                                                                 \
      "FILE [--profile P] [--results DIR] [--out BASE | --tables] "                          \
      "[--reference DIR [--tolerance PTS]] [--by-position] [--seeds N] [--budget K] "        \
      "[--set SECTION.KEY=VALUE]... | --plot-data DIR | --verdicts METHOD | --claims "       \
      "[--by-position] [--seeds-max N [--next-cells]] [--block-data FILE]",                 \
      "write an experiment's tables (.md, .tex, .csv) from its result files, checked against " \
      "a reference with --reference (never an empty table over one with results; --tables: " \
      "every profile with results, as DIR/tables/NAME[-PROFILE]); or its plot data; or "     \
      "METHOD's paired verdicts; or, for "                                                   \
      "experiments/claims.yaml, the claims table (--seeds-max N: every seed up to N; "      \
      "--next-cells: the results an unresolved claim needs next; --block-data: the probe's " \
      "block errors read from FILE, its layer errors from the layer_error.dat beside it); "  \
      "--by-position places results by matrix "                                             \
      "position instead of cell id (the committed reference, made by earlier code); --set: " \
      "as expand's (`qbench schema` lists the fields)")                                     \
    X("ladder", cmd_ladder,                                                                 \
      "CLAIMS.yaml --make OUT.mk [--profile P] [--results DIR] [--reference DIR]",            \
      "the budget ladder's cells as one makefile fragment (target `ladder`): every accuracy " \
      "claim decided in the reference (by matrix position) and every table's rows at the "   \
      "ladder's bit-width, at 1x and at each rung's budget and seeds of the file's ladder "   \
      "section, results by cell id under DIR (make ladder)")                                \
    X("prune", cmd_prune,                                                                   \
      "[--results DIR] [--reference DIR] [--experiments DIR] [--set SECTION.KEY=VALUE]... "  \
      "[--delete]",                                                                         \
      "list the files under DIR/<experiment>/ (results, checkpoints, logs, locks) of cells " \
      "that no experiment file in --experiments (default experiments) produces any more, "   \
      "in any profile and at any budget (earlier code or settings); --delete: delete them; " \
      "--set: cells made under these settings count as produced too; never the reference "   \
      "(make prune-results [PRUNE=1])")                                                     \
    X("schema", cmd_schema, "[--options]",                                                   \
      "print the experiment file reference (Markdown): the train: and quant: fields that "   \
      "--set SECTION.KEY=VALUE of expand, run-cell and report takes, and the quantizer "     \
      "options; --options: only the quantizer options (quant.options, and --set NAME=VALUE " \
      "of train, levels and quantize): each method's names, values, defaults and meaning")   \
    X("intcheck", cmd_intcheck,                                                             \
      "--scheme pot|post|apot|lsq+pot|lsq+post|asq+post --bits B [--wbits B] [--abits B] "  \
      "[--k K] [--n N] [--lut-frac G] [--seed N] [--checkpoint CKPT --net NAME --layer L "  \
      "[--input CxHxW] [--classes K] [--width F]] [--json]",                                \
      "integer-only layer (shifts, POST's two accumulators and table) vs fake quantization") \
    X("probe", cmd_probe,                                                                   \
      "--net NAME --checkpoint CKPT [--width F] [--data fmnist|synth] [--data-dir DIR] "     \
      "[--layer NAME] [--batch N] [--bits B] [--act-bits B] [--error-bits B] [--bins N] "   \
      "[--schemes lsq,asq] [--qat-checkpoint SCHEME:BITS=PATH]... [--seed N] [--threads N] " \
      "[--out DIR] [--profile NAME] [--results DIR]",                                       \
      "data files of the quantizer figures (levels, weights, activations, error); the error " \
      "files record their provenance: --profile and --results (the regime, of which each "  \
      "QAT checkpoint's cell must be), data, and the cell of each QAT checkpoint")          \
    X("docs", cmd_docs, "[--check] [FILE...]",                                                \
      "refresh the generated blocks of the documents (tracked *.md files unless FILEs are "   \
      "named) and check their language; --check: only report stale blocks (exit 1)")        \
    X("findings", cmd_findings, "CLAIMS.yaml [--tables DIR] [--profile P]",                  \
      "what the tables in DIR (default results/reference/tables) and its claims table show, " \
      "per experiment, as Markdown")

int cmd_bench(int argc, char **argv, QbErr *err);
int cmd_macs(int argc, char **argv, QbErr *err);
int cmd_train(int argc, char **argv, QbErr *err);
int cmd_eval(int argc, char **argv, QbErr *err);
int cmd_levels(int argc, char **argv, QbErr *err);
int cmd_quantize(int argc, char **argv, QbErr *err);
int cmd_validate(int argc, char **argv, QbErr *err);
int cmd_expand(int argc, char **argv, QbErr *err);
int cmd_run_cell(int argc, char **argv, QbErr *err);
int cmd_report(int argc, char **argv, QbErr *err);
int cmd_ladder(int argc, char **argv, QbErr *err);
int cmd_prune(int argc, char **argv, QbErr *err);
int cmd_schema(int argc, char **argv, QbErr *err);
int cmd_intcheck(int argc, char **argv, QbErr *err);
int cmd_probe(int argc, char **argv, QbErr *err);
int cmd_docs(int argc, char **argv, QbErr *err);
int cmd_findings(int argc, char **argv, QbErr *err);

#endif
