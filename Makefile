# qbench: build, dependencies, tests, benchmarks, and the experiment harness that reproduces
# the papers' tables. One rule per file; `make -j` is safe. This file holds the variables a
# user sets and `make help`; the rules are in mk/, one file per concern:
#   mk/build.mk    the library and bin/qbench        mk/test.mk    test, test-asan, valgrind-smoke
#   mk/bench.mk    bench, bench-vs-pytorch           mk/data.mk    deps, pretrain (PRETRAIN_*)
#   mk/harness.mk  reproduce-TABLE, experiment, compare, show-TABLE, tables, claims, ladder,
#                  prune-results, reference-tables
#   mk/plots.mk    plots, plots-reference, plots-probe (PROBE_*)
#   mk/docs.mk     docs                              mk/fuzz.mk    fuzz (FUZZ_*)
#   mk/slurm.mk    RUNNER=slurm, test-slurm     mk/onnx.mk    check-onnx (onnxruntime)
SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

# ---- The build ---------------------------------------------------------------------------
BUILD ?= build
CC ?= gcc
OPT ?= -O3 -march=native
# SANITIZE=1: the build under AddressSanitizer and UBSan, in build-asan/.

# ---- The experiment harness -------------------------------------------------------------
# `make reproduce-table4` trains experiments/table4.yaml (profile $(PROFILE)) into
# $(RESULTS)/table4/, the user's own results (ignored by git). It expands the file into a
# makefile fragment with one target per result file, prints the plan (cells done, reused,
# to train, and the estimated time from the reference's recorded timings), runs the missing
# cells (in parallel: -j$(NPROC) unless you pass -j yourself) with a progress line after
# each, and writes $(RESULTS)/tables/<table>.{md,tex,csv}. A rerun trains nothing that is
# done; an interrupted cell resumes from its checkpoint. The committed measurements are the
# read-only reference under $(REFERENCE)/ (tables in $(REFERENCE)/tables/): never copied into
# a user's results; `make show-table4` prints its table and trains nothing.
PROFILE ?= quick
RESULTS ?= results
REFERENCE ?= results/reference
CELL_THREADS ?= 1
# PLAN=1 prints what a run would do (missing inputs, each cell, the estimated time) and runs
# nothing.
# The reproduction check: the final table set beside the reference (`qbench report
# --reference DIR`), on by default; REFERENCE_CHECK= turns it off, and the reference table is
# then printed after the user's for comparison.
REFERENCE_CHECK ?= 1
# SEEDS=N runs the first N seeds of each file's list (SEEDS=1: a one-seed preview; more than
# the list: the next seeds after its last).
# SET="train.KEY=VALUE quant.KEY=VALUE ..." changes fields of the experiment file for this run:
# every cell (ids included, and the table's header says so) and, for a starting checkpoint it
# trains first, the train fields but `from` (e.g. SET="train.data_dir=/scratch/cifar10",
# SET=train.from=/ckpts/{net}-cifar10.ckpt, or a tiny schedule: SET="train.epochs=1
# train.train_subset=64 train.from=/tmp/x/{net}-cifar10.ckpt").
# BUDGET=K trains every cell K times as long as its profile says (epochs, and the schedule's
# warm-up and milestones with them): new cell ids beside the 1x cells, a table named -xK.
BUDGET ?= 1
# Also: EXP= (make experiment), QUANTIZER= (make compare), SEEDS_MAX= (make claims),
# PRUNE=1 (make prune-results), ALLOW_SHARED_RESULTS=1 (two experiment files of one name),
# PRETRAIN_THREADS and PRETRAIN_<name> (mk/data.mk), RUNNER=slurm SLURM_ARGS=... (mk/slurm.mk).

.PHONY: help
# What a user can type, in one screen.
help:
	@echo "make test                    build and run every test suite (installs missing packages)"
	@echo "make test-asan               the same suites under AddressSanitizer and UBSan"
	@echo "make reproduce-TABLE         train one table: $(TABLES) [PROFILE=quick|smoke|paper] [PLAN=1] [SEEDS=1]"
	@echo "make reproduce-ABLATION      train an ablation the claims read: $(ABLATIONS)"
	@echo "  ... SET=\"train.KEY=VALUE ...\" change the experiment file's fields for the run (train.data_dir=DIR, train.from=PATH)"
	@echo "  ... BUDGET=K               train every cell K times as long (a table named TABLE-xK)"
	@echo "make show-TABLE              print the reference (committed) table, training nothing"
	@echo "make tables                  every reference table, and your results' tables, training nothing"
	@echo "make claims                  the papers' claims checked against the reference (and your results)"
	@echo "make claims SEEDS_MAX=8      ... first adding seeds to each claim your results leave unresolved"
	@echo "make ladder                  the decided claims and 2-bit rows retrained 3x and 10x as long [PLAN=1]"
	@echo "make experiment EXP=FILE.yaml any experiment file (copy one under experiments/)"
	@echo "make compare QUANTIZER=NAME  a new method beside every other one (ResNet-20) [PLAN=1]"
	@echo "make prune-results [PRUNE=1] list (delete) result files no experiment produces any more"
	@echo "make plots                   every figure into plots/out/ (PROFILE=smoke: seconds)"
	@echo "make plots-reference         the committed reference's figures (no training)"
	@echo "make docs                    refresh the documents' generated blocks (tables, figures, --help)"
	@echo "make pretrain                the full-precision Fashion-MNIST starting points (paper profiles: a run trains its own)"
	@echo "make bench | bench-vs-pytorch  training speed, and against PyTorch"
	@echo "make fuzz FUZZ_SECONDS=N     libFuzzer on every file reader"
	@echo "make check-onnx              exported ONNX models of tiny cells run in onnxruntime beside qbench eval"
	@echo "make valgrind-smoke          the smoke matrix under valgrind"
	@echo "make test-slurm              the Slurm runner against a real local Slurm"
	@echo "RUNNER=slurm SLURM_ARGS=...  run a table's cells as Slurm jobs"

include mk/build.mk mk/data.mk mk/test.mk mk/bench.mk mk/harness.mk mk/plots.mk mk/docs.mk mk/fuzz.mk \
        mk/onnx.mk
# Last: the Slurm runner redefines the harness's jobs_flag.
include mk/slurm.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
