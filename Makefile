# qbench: build, dependencies, tests, benchmarks. One rule per file; `make -j` is safe.
SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

BUILD ?= build
CC ?= gcc
PKGS := openblas yaml-0.1 zlib
DEB_PKGS := libopenblas-dev libyaml-dev libcriterion-dev gnuplot-nox zlib1g-dev pkg-config \
            dataset-fashion-mnist
OPT ?= -O3 -march=native
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -fopenmp -g $(OPT)
SAN_FLAGS :=
ifeq ($(SANITIZE),1)
  BUILD := build-asan
  OPT := -O1 -fno-omit-frame-pointer
  SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS = $(CFLAGS_BASE) $(SAN_FLAGS) $(PKG_CFLAGS)
LDLIBS = $(PKG_LIBS) -lm
LDFLAGS = -fopenmp $(SAN_FLAGS)

# The library: everything but main.c
LIB_SRCS := $(sort $(filter-out bench/main.c,$(shell find bench quantizers nets -name '*.c')))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libqbench.a
BIN := bin/qbench
ifeq ($(SANITIZE),1)
  BIN := $(BUILD)/bin/qbench
endif

# One Criterion binary per test folder; tests/support is linked into each.
TEST_DIRS := $(sort $(patsubst %/,%,$(dir $(shell find tests -name '*.c' -not -path 'tests/support/*' -not -path 'tests/fuzz/*' -not -path 'tests/fixtures/*' 2>/dev/null))))
TEST_SUPPORT := $(wildcard tests/support/*.c)
TEST_BINS := $(TEST_DIRS:tests/%=$(BUILD)/tests/%/run)

.PHONY: all help deps test test-asan valgrind-smoke bench bench-vs-pytorch clean check-deps

# The environment here sets OPENBLAS_CORETYPE=Haswell (AVX2 kernels). qbench's own targets run
# with OpenBLAS's auto-detected kernels, measured faster on this machine; `make bench` times both.
BLAS_AUTO := env -u OPENBLAS_CORETYPE

all: check-deps $(BIN)

# What a user can type, in one screen.
help:
	@echo "make test                    build and run every test suite (installs missing packages)"
	@echo "make test-asan               the same suites under AddressSanitizer and UBSan"
	@echo "make reproduce-TABLE         one table: $(TABLES) [PROFILE=quick|smoke|paper]"
	@echo "make tables                  every table from the results present, training nothing"
	@echo "make experiment EXP=FILE.yaml any experiment file (copy one under experiments/)"
	@echo "make compare QUANTIZER=NAME  a new method beside the table 4 and 5 baselines"
	@echo "make plots                   every figure into plots/out/ (PROFILE=smoke: seconds)"
	@echo "make pretrain                the full-precision Fashion-MNIST starting points"
	@echo "make bench | bench-vs-pytorch  training speed, and against PyTorch"
	@echo "make fuzz FUZZ_SECONDS=N     libFuzzer on every file reader"
	@echo "make valgrind-smoke          the smoke matrix under valgrind"
	@echo "make test-slurm              the Slurm runner against a real local Slurm"
	@echo "RUNNER=slurm SLURM_ARGS=...  run a table's cells as Slurm jobs"

# Installs the Debian packages in $(DEB_WANT) that are missing; a no-op when all are present.
# deps wants qbench's own packages; fuzz-deps (tests/fuzz/fuzz.mk) wants clang's on top.
DEB_INSTALL = @missing=$$(for p in $(DEB_WANT); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make $@: installing$$(echo ' '$$missing)"; \
	  SUDO=$$([ $$(id -u) -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	else echo "make $@: all packages present"; fi

deps: DEB_WANT = $(DEB_PKGS)
deps:
	$(DEB_INSTALL)

# Every user-facing target runs deps first, so a fresh machine needs no separate step.
check-deps:
	@command -v pkg-config >/dev/null && pkg-config --exists $(PKGS) criterion \
	  && [ -d /usr/share/datasets/fashion-mnist ] || $(MAKE) --no-print-directory deps

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/bench/main.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.SECONDEXPANSION:
$(BUILD)/tests/%/run: $$(addprefix $(BUILD)/,$$(addsuffix .o,$$(basename $$(wildcard tests/$$*/*.c)))) \
                      $(TEST_SUPPORT:%.c=$(BUILD)/%.o) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcriterion

# Criterion runs each binary's tests in 2 parallel workers; OpenMP threads then wait
# passively so the workers do not spin against each other on 2 cores.
CRITERION_FLAGS ?= --jobs 2
test: check-deps $(BIN) $(TEST_BINS)
	@rc=0; for t in $(TEST_BINS); do echo "== $$t"; \
	  QBENCH_BIN=$(abspath $(BIN)) OMP_WAIT_POLICY=passive $$t $(CRITERION_FLAGS) || rc=1; \
	done; exit $$rc

test-asan: check-deps
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) --no-print-directory SANITIZE=1 test

# Step timings (train and eval, FP32 and every BENCH_SCHEMES scheme, with the per-kind profile
# of each step), qbench's peak RSS beside PyTorch's (when python3-torch is installed) and the
# sgemm peak, with OpenBLAS's auto-detected kernels; FP32 again with the Haswell kernels. One
# JSON per kernel family under results/bench/.
BENCH_FLAGS ?= --threads 2 --batch 128 --iters 20
BENCH_SCHEMES ?= lsq asq asq+post apot pact
# The smoke table-4 matrix under valgrind's memcheck, through the real make harness: the
# binary is built without AVX-512 (valgrind cannot run it), every cell starts from scratch in
# build-vg/results, and a memory error or a definite or possible leak fails that cell and the
# target. About 20 minutes with -j2.
VG_BIN := build-vg/bin/qbench
VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full --track-origins=yes \
  --suppressions=$(CURDIR)/tests/valgrind/libgomp.supp
valgrind-smoke: DEB_WANT = $(DEB_PKGS) valgrind
valgrind-smoke:
	$(DEB_INSTALL)
	@$(MAKE) --no-print-directory BUILD=build-vg BIN=$(VG_BIN) OPT="-O1 -march=x86-64-v3" $(VG_BIN)
	rm -rf build-vg/results
	@$(MAKE) --no-print-directory reproduce-table4 PROFILE=smoke BUILD=build-vg BIN=$(VG_BIN) \
	  RESULTS=build-vg/results QB_RUN="$(VALGRIND) $(abspath $(VG_BIN))"
	@echo "valgrind-smoke: every cell of the smoke matrix ran clean under memcheck"

bench: check-deps $(BIN)
	@mkdir -p results/bench
	$(BLAS_AUTO) $(BIN) bench $(BENCH_FLAGS) --profile $(BENCH_SCHEMES:%=--scheme %) --bits 4 \
	  --json results/bench/bench-auto.json
	OPENBLAS_CORETYPE=Haswell $(BIN) bench $(BENCH_FLAGS) --json results/bench/bench-haswell.json
	@$(TORCH_MALLOC) /usr/bin/python3 bench/perf/pytorch_step.py $(BENCH_FLAGS) --iters 3 --rss; \
	  rc=$$?; if [ $$rc -ne 3 ]; then exit $$rc; fi

# qbench then PyTorch (Debian's python3-torch, if installed) on the same steps, at each of
# BENCH_VS_THREADS, both input shapes, train and eval; PyTorch in every configuration
# (pytorch_step.py), its allocator tuned so it does not page-fault every step. Ends with one
# `ratio qbench/best-pytorch` line per case, naming PyTorch's fastest configuration.
TORCH_MALLOC := MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184 \
                MALLOC_TOP_PAD_=17179869184
BENCH_VS_THREADS ?= 1 2
BENCH_VS_FLAGS ?= --batch 128 --iters 20
bench-vs-pytorch: check-deps $(BIN)
	@mkdir -p results/bench
	@for t in $(BENCH_VS_THREADS); do \
	  $(BLAS_AUTO) $(BIN) bench --threads $$t $(BENCH_VS_FLAGS) --scheme lsq --bits 4 \
	    --json results/bench/vs-qbench-$${t}t.json || exit 1; \
	  $(TORCH_MALLOC) /usr/bin/python3 bench/perf/pytorch_step.py --threads $$t $(BENCH_VS_FLAGS) \
	    --qbench results/bench/vs-qbench-$${t}t.json | tee results/bench/vs-pytorch-$${t}t.txt; \
	  rc=$${PIPESTATUS[0]}; if [ $$rc -eq 3 ]; then exit 0; elif [ $$rc -ne 0 ]; then exit $$rc; fi; \
	done; grep -h '^ratio' $(BENCH_VS_THREADS:%=results/bench/vs-pytorch-%t.txt)

# Full-precision starting points on Fashion-MNIST, committed under nets/pretrained/ with their
# logs. qbench's own targets run with OpenBLAS's auto-detected kernels (see README: faster
# here than the Haswell kernels the environment's OPENBLAS_CORETYPE forces). An interrupted
# pretraining resumes from its .partial checkpoint and appends to its log.
PRETRAINED := nets/pretrained
PRETRAIN_THREADS ?= 2
PRETRAIN_COMMON := --data fmnist --batch 128 --lr 0.1 --schedule cosine --crop-pad 2 --seed 1
PRETRAIN_resnet20 := --net resnet20 --epochs 30 --weight-decay 5e-4
PRETRAIN_small_cnn := --net small_cnn --epochs 15 --weight-decay 5e-4
PRETRAIN_resnet18-w0.25 := --net resnet18 --width 0.25 --epochs 10 --weight-decay 5e-4
PRETRAIN_resnet34-w0.25 := --net resnet34 --width 0.25 --epochs 10 --weight-decay 5e-4
PRETRAIN_mobilenet_v2 := --net mobilenet_v2 --epochs 10 --weight-decay 4e-5
PRETRAIN_NAMES := resnet20 small_cnn resnet18-w0.25 resnet34-w0.25 mobilenet_v2
.PHONY: pretrain
pretrain: $(PRETRAIN_NAMES:%=$(PRETRAINED)/%-fmnist.ckpt)
$(PRETRAINED)/%-fmnist.ckpt: | check-deps $(BIN)
	@[ -n "$(PRETRAIN_$*)" ] || { echo "no pretraining recipe for $*"; exit 1; }
	@mkdir -p $(@D)
	@[ -e $@.partial ] || : > $(@:.ckpt=.log)
	set -o pipefail; $(BLAS_AUTO) $(BIN) train $(PRETRAIN_$*) $(PRETRAIN_COMMON) --threads $(PRETRAIN_THREADS) \
	  --checkpoint $@.partial --resume 2>&1 | tee -a $(@:.ckpt=.log)
	mv $@.partial $@

# ---- The experiment harness -------------------------------------------------------------
# `make reproduce-table4` expands experiments/table4.yaml (profile $(PROFILE)) into a makefile
# fragment with one target per result file, runs the missing cells (in parallel: -j$(NPROC)
# unless you pass -j yourself) and writes results/tables/<table>.{md,tex,csv}. A rerun trains
# nothing that is done; an interrupted cell resumes from its checkpoint.
PROFILE ?= quick
RESULTS ?= results
CELL_THREADS ?= 1
NPROC := $(shell nproc 2>/dev/null || echo 2)
TABLES := table1 table2 table3 table4 table5 apot lsq4
MK_DIR := $(BUILD)/mk
QB_RUN = $(BLAS_AUTO) $(abspath $(BIN))
# quick tables are results/tables/<name>; other profiles add -<profile>
table_name = $(if $(filter quick,$(PROFILE)),$(1),$(1)-$(PROFILE))
jobs_flag = $(if $(findstring -j,$(MAKEFLAGS)),,-j$(NPROC))

.PHONY: $(TABLES:%=reproduce-%) tables compare experiment experiments-doc plots plots-results

# $(1) experiment file, $(2) fragment name, $(3) table name. The starting checkpoints an
# experiment needs are built first (when make has a rule for them).
define run_experiment
	+@for need in $$($(BIN) expand $(1) --profile $(PROFILE) --needs); do \
	  [ -e $$need ] || $(MAKE) --no-print-directory $$need || exit 1; done
	@mkdir -p $(MK_DIR)
	@$(BIN) expand $(1) --profile $(PROFILE) --make $(MK_DIR)/$(2).$(PROFILE).mk --table $(3)
	+@$(MAKE) --no-print-directory -f $(MK_DIR)/$(2).$(PROFILE).mk $(jobs_flag) \
	  QBENCH="$(QB_RUN)" RESULTS=$(RESULTS) CELL_THREADS=$(CELL_THREADS) table
	@cat $(RESULTS)/tables/$(3).md
endef

$(TABLES:%=reproduce-%): reproduce-%: check-deps $(BIN)
	$(call run_experiment,experiments/$*.yaml,$*,$(call table_name,$*))

# Any experiment file: make experiment EXP=experiments/mine.yaml [PROFILE=...]
EXP_NAME = $(basename $(notdir $(EXP)))
experiment: check-deps $(BIN)
	@[ -n "$(EXP)" ] || { echo "make experiment: set EXP=path/to/experiment.yaml"; exit 2; }
	$(call run_experiment,$(EXP),$(EXP_NAME),$(call table_name,$(EXP_NAME)))

# A new quantizer (a method registered in quantizers/registry.c) beside the baselines of
# tables 4 and 5. Cells shared with those tables are copied from their results, not retrained.
compare: check-deps $(BIN)
	@[ -n "$(QUANTIZER)" ] || { echo "make compare: set QUANTIZER=<method name>"; exit 2; }
	@mkdir -p $(BUILD)/compare
	@sed 's/@QUANTIZER@/$(QUANTIZER)/g' experiments/compare.yaml.in > $(BUILD)/compare/compare-$(QUANTIZER).yaml
	$(call run_experiment,$(BUILD)/compare/compare-$(QUANTIZER).yaml,compare-$(QUANTIZER),$(call table_name,compare-$(QUANTIZER)))

# Figures from the results present (PROFILE=smoke first runs the smoke table 4, seconds):
# accuracy against bits and BitOPs and training curves per table, into plots/out/.
PLOT_TABLES := table4 table5 apot table2 table3
plots: plots-results plots-probe
plots-results: check-deps $(BIN)
	@$(if $(filter smoke,$(PROFILE)),$(MAKE) --no-print-directory reproduce-table4 PROFILE=smoke RESULTS=$(RESULTS) >/dev/null &&) true
	@mkdir -p plots/data plots/out
	@for t in $(PLOT_TABLES); do \
	  for n in $$($(BIN) expand experiments/$$t.yaml --profile $(PROFILE) --needs); do [ -e $$n ] || continue 2; done; \
	  used=$$($(BIN) report experiments/$$t.yaml --profile $(PROFILE) --results $(RESULTS) --plot-data plots/data | awk '{print $$5}'); \
	  [ "$$used" -gt 0 ] || continue; \
	  n=$$t$$([ "$(PROFILE)" = quick ] || echo -$(PROFILE)); \
	  gnuplot -e "data='plots/data/$$n-bits.dat'; out='plots/out/$$n'; name='$$n'" plots/accuracy.gp && \
	  gnuplot -e "data='plots/data/$$n-curves.dat'; out='plots/out/$$n'; name='$$n'" plots/curves.gp && \
	  echo "plots/out/$$n-{accuracy-bits,accuracy-bitops,curves}.{png,pdf} from $$used results" || exit 1; \
	done

# Regenerates the field reference in experiments/README.md from `qbench schema`.
experiments-doc: $(BIN)
	@sed -n '1,/<!-- schema:begin -->/p' experiments/README.md > experiments/README.md.tmp
	@$(BIN) schema >> experiments/README.md.tmp
	@sed -n '/<!-- schema:end -->/,$$p' experiments/README.md >> experiments/README.md.tmp
	@mv experiments/README.md.tmp experiments/README.md

# Every table from the results already present; trains nothing. A table whose starting
# checkpoints do not exist yet has no results and is skipped with a note.
tables: check-deps $(BIN)
	@rc=0; for t in $(TABLES); do \
	  missing=$$(for n in $$($(BIN) expand experiments/$$t.yaml --profile $(PROFILE) --needs); do \
	    [ -e $$n ] || echo $$n; done); \
	  if [ -n "$$missing" ]; then echo "$$t: skipped, no results possible yet ($$(echo $$missing) missing: make pretrain)"; continue; fi; \
	  out=$(RESULTS)/tables/$$(if [ "$(PROFILE)" = quick ]; then echo $$t; else echo $$t-$(PROFILE); fi); \
	  $(BIN) report experiments/$$t.yaml --profile $(PROFILE) --results $(RESULTS) --out $$out || rc=1; \
	done; exit $$rc

clean:
	rm -rf build build-asan build-fuzz bin

include plots/plots.mk tests/fuzz/fuzz.mk
# Last: the Slurm runner redefines the harness's jobs_flag.
include bench/slurm/slurm.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
