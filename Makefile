# qbench: build, dependencies, tests, benchmarks. One rule per file; `make -j` is safe.
SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

BUILD ?= build
CC ?= gcc
PKGS := openblas yaml-0.1 zlib jansson
DEB_PKGS := libopenblas-dev libyaml-dev libjansson-dev libcriterion-dev gnuplot-nox zlib1g-dev pkg-config \
            dataset-fashion-mnist
OPT ?= -O3 -march=native
# Includes name their file from bench/ (core/net.h) or from the top (quantizers/registry.h).
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -fopenmp -g $(OPT) -Ibench -I.
SAN_FLAGS :=
ifeq ($(SANITIZE),1)
  BUILD := build-asan
  # OPT's -O3 stays (the suites' run time under the sanitizers); frame pointers and -g give
  # every report its full stack.
  CFLAGS_BASE += -fno-omit-frame-pointer
  SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS = $(CFLAGS_BASE) $(SAN_FLAGS) $(PKG_CFLAGS)
LDLIBS = $(PKG_LIBS) -lm
LDFLAGS = -fopenmp $(SAN_FLAGS)

# The library: everything but main.c
LIB_SRCS := $(sort $(filter-out bench/main.c,$(shell find bench quantizers nets -name '*.c')))
# Plus the generated table of quantizer source hashes (bench/harness/source_hashes.h).
QHASH_C := $(BUILD)/gen/quantizer_hashes.c
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(QHASH_C:.c=.o)
LIB := $(BUILD)/libqbench.a
BIN := bin/qbench
ifeq ($(SANITIZE),1)
  BIN := $(BUILD)/bin/qbench
endif

# One Criterion binary per test folder; tests/support is linked into each.
TEST_DIRS := $(sort $(patsubst %/,%,$(dir $(shell find tests -name '*.c' -not -path 'tests/support/*' -not -path 'tests/fuzz/*' -not -path 'tests/fixtures/*' 2>/dev/null))))
TEST_SUPPORT := $(wildcard tests/support/*.c)
TEST_BINS := $(TEST_DIRS:tests/%=$(BUILD)/tests/%/run)
# A test binary names its objects only through a pattern, so make would take them for
# intermediate files, delete them after linking, and compile them all again on the next run.
TEST_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(TEST_DIRS:%=%/*.c)) $(TEST_SUPPORT))
.SECONDARY: $(TEST_OBJS)

.PHONY: all help deps test test-asan valgrind-smoke bench bench-vs-pytorch clean check-deps

# The environment here sets OPENBLAS_CORETYPE=Haswell (AVX2 kernels). qbench's own targets run
# with OpenBLAS's auto-detected kernels, measured faster on this machine; `make bench` times both.
BLAS_AUTO := env -u OPENBLAS_CORETYPE

all: check-deps $(BIN)

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
	@echo "make compare QUANTIZER=NAME  a new method beside the table 4 and 5 baselines [PLAN=1]"
	@echo "make prune-results [PRUNE=1] list (delete) result files no experiment produces any more"
	@echo "make plots                   every figure into plots/out/ (PROFILE=smoke: seconds)"
	@echo "make plots-reference         the committed reference's figures (no training)"
	@echo "make docs                    refresh the documents' generated blocks (tables, figures, --help)"
	@echo "make pretrain                the full-precision Fashion-MNIST starting points (paper profiles: a run trains its own)"
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

# Regenerated on every make (a few hashes of small files), replaced only when it changed: an
# edited, added or removed method recompiles this one object and changes its cells' ids.
.PHONY: FORCE
$(QHASH_C): FORCE
	@mkdir -p $(@D)
	@t=$@.$$$$.tmp; sh bench/scripts/source-hashes.sh quantizers > $$t && \
	  if cmp -s $$t $@; then rm $$t; else mv $$t $@; echo "quantizer source hashes -> $@"; fi

$(QHASH_C:.c=.o): $(QHASH_C)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/bench/main.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A qbench whose registry also holds a deliberately broken method (tests/fixtures/), for the
# harness tests that run make on it.
FIXTURE_QBENCH := $(BUILD)/tests/fixtures/qbench-lsqflip
$(FIXTURE_QBENCH): $(BUILD)/bench/main.o $(BUILD)/tests/fixtures/qbench_lsqflip.o \
                   $(BUILD)/tests/support/lsqflip.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/tests/harness/run: | $(FIXTURE_QBENCH)

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
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) --no-print-directory SANITIZE=1 test

# Step timings (train and eval, FP32 and every BENCH_SCHEMES scheme, with the per-kind profile
# of each step), qbench's peak RSS beside PyTorch's (when python3-torch is installed) and the
# sgemm peak, with OpenBLAS's auto-detected kernels; FP32 again with the Haswell kernels. One
# JSON per kernel family under results/bench/.
BENCH_FLAGS ?= --threads 2 --batch 128 --iters 20
BENCH_SCHEMES ?= lsq asq asq+post apot pact post
# Each scheme's step is also timed against FP32's in this many interleaved pairs, so its ratio
# holds on a machine whose load drifts (bench/perf/median_interval.h).
BENCH_PAIRS ?= 20
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
	  --paired $(BENCH_PAIRS) --json results/bench/bench-auto.json
	OPENBLAS_CORETYPE=Haswell $(BIN) bench $(BENCH_FLAGS) --json results/bench/bench-haswell.json
	@$(TORCH_MALLOC) /usr/bin/python3 bench/scripts/pytorch_step.py $(BENCH_FLAGS) --iters 3 --rss; \
	  rc=$$?; if [ $$rc -ne 3 ]; then exit $$rc; fi

# qbench and PyTorch (Debian's python3-torch, if installed) on the same steps, at each of
# BENCH_VS_THREADS, both input shapes, train and eval; PyTorch in every configuration
# (pytorch_step.py), its allocator tuned so it does not page-fault every step. The two run in
# turn, BENCH_VS_ROUNDS times per thread count: this machine's speed drifts by 10-30% within
# minutes, so one qbench-then-PyTorch pass moved a ratio by up to 0.39 (docs/benchmarks.md).
# Ends with one `ratio qbench/best-pytorch` line per case: the median over the rounds of the
# ratio against that round's fastest configuration, and the range (bench/scripts/vs_summary.awk).
TORCH_MALLOC := MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184 \
                MALLOC_TOP_PAD_=17179869184
BENCH_VS_THREADS ?= 1 2
BENCH_VS_ROUNDS ?= 3
BENCH_VS_FLAGS ?= --batch 128 --iters 8
bench-vs-pytorch: check-deps $(BIN)
	@mkdir -p results/bench
	@rm -f results/bench/vs-pytorch-*.txt
	@for t in $(BENCH_VS_THREADS); do for r in $$(seq $(BENCH_VS_ROUNDS)); do \
	  echo "== $${t} thread(s), round $$r of $(BENCH_VS_ROUNDS)"; \
	  $(BLAS_AUTO) $(BIN) bench --threads $$t $(BENCH_VS_FLAGS) --scheme lsq --bits 4 \
	    --json results/bench/vs-qbench-$${t}t-r$$r.json || exit 1; \
	  $(TORCH_MALLOC) /usr/bin/python3 bench/scripts/pytorch_step.py --threads $$t $(BENCH_VS_FLAGS) \
	    --qbench results/bench/vs-qbench-$${t}t-r$$r.json | tee results/bench/vs-pytorch-$${t}t-r$$r.txt; \
	  rc=$${PIPESTATUS[0]}; if [ $$rc -eq 3 ]; then exit 0; elif [ $$rc -ne 0 ]; then exit $$rc; fi; \
	done; done; echo "== summary"; awk -f bench/scripts/vs_summary.awk results/bench/vs-pytorch-*.txt

# Full-precision starting points. A recipe is `qbench train` flags in PRETRAIN_<name>: <name>
# is a data set (every <net>-<data set>.ckpt) or one checkpoint (<net>-<data set>, on top of
# its data set's). qbench's own targets run with OpenBLAS's auto-detected kernels
# (docs/benchmarks.md: faster here than the Haswell kernels the environment's
# OPENBLAS_CORETYPE forces). An interrupted pretraining resumes from its .partial checkpoint.
PRETRAINED := nets/pretrained
PRETRAIN_THREADS ?= 2
# Fashion-MNIST, for the quick profiles: committed under nets/pretrained/ with their logs.
PRETRAIN_fmnist := --data fmnist --batch 128 --lr 0.1 --schedule cosine --crop-pad 2 --seed 1
PRETRAIN_resnet20-fmnist := --net resnet20 --epochs 30 --weight-decay 5e-4
PRETRAIN_small_cnn-fmnist := --net small_cnn --epochs 15 --weight-decay 5e-4
PRETRAIN_resnet18-w0.25-fmnist := --net resnet18 --width 0.25 --epochs 10 --weight-decay 5e-4
PRETRAIN_resnet34-w0.25-fmnist := --net resnet34 --width 0.25 --epochs 10 --weight-decay 5e-4
PRETRAIN_mobilenet_v2-fmnist := --net mobilenet_v2 --epochs 10 --weight-decay 4e-5
FMNIST_PRETRAINED := resnet20 small_cnn resnet18-w0.25 resnet34-w0.25 mobilenet_v2
.PHONY: pretrain
pretrain: $(FMNIST_PRETRAINED:%=$(PRETRAINED)/%-fmnist.ckpt)
$(PRETRAINED)/%-fmnist.ckpt: | check-deps $(BIN)
	@[ -n "$(PRETRAIN_$*-fmnist)" ] || { echo "no pretraining recipe for $*"; exit 1; }
	@mkdir -p $(@D)
	@[ -e $@.partial ] || : > $(@:.ckpt=.log)
	set -o pipefail; $(BLAS_AUTO) $(BIN) train $(PRETRAIN_fmnist) $(PRETRAIN_$*-fmnist) \
	  --threads $(PRETRAIN_THREADS) --checkpoint $@.partial --resume 2>&1 | tee -a $(@:.ckpt=.log)
	mv $@.partial $@
# The paper profiles' starting points (not committed): a paper-profile run whose
# nets/pretrained/<net>-cifar10.ckpt or -imagenet.ckpt is missing trains it first, with the
# network, width and data of its cells (qbench needs --make writes the rule, run through
# the cell runner: here, or as a Slurm job with RUNNER=slurm). The papers fine-tune from
# published full-precision networks and print no recipe for them (ASQ paper §4.1.2: "the
# official PyTorch pre-trained full-precision model"; for CIFAR-10 ResNet-20 the ASQ code
# loads pytorchcv's resnet20_cifar10); qbench cannot read those files, so it trains its own:
# - CIFAR-10: the ASQ paper's CIFAR-10 optimiser, batch, weight decay and augmentation (§4.3:
#   SGD momentum 0.9, batch 128, weight decay 1e-4, random crop and flip) with the learning
#   rate He et al. train CIFAR ResNets at (0.1; "Deep Residual Learning", 2016, §4.2), on the
#   paper's cosine decay (§4.1.2) for 200 epochs (He et al.: 64k steps of 128, 164 epochs).
# - ImageNet: torchvision's ResNet recipe (references/classification: 90 epochs, batch 256,
#   SGD lr 0.1 momentum 0.9, weight decay 1e-4, lr x0.1 every 30 epochs). For MobileNet-V2,
#   torchvision's lr 0.045 and weight decay 4e-5 over 300 epochs; its lr x0.98 every epoch is
#   no schedule qbench has, so cosine over the same 300 epochs.
# Override any of them on the command line (make ... PRETRAIN_cifar10="..."), or start from
# checkpoints of your own: SET=train.from=PATH ({net} stands for the network).
PRETRAIN_cifar10 ?= --batch 128 --optimizer sgd --momentum 0.9 --lr 0.1 --schedule cosine \
  --epochs 200 --weight-decay 1e-4 --bn-weight-decay 1e-4 --crop-pad 4 --seed 1
PRETRAIN_imagenet ?= --batch 256 --optimizer sgd --momentum 0.9 --lr 0.1 --schedule step \
  --milestones 30,60 --gamma 0.1 --epochs 90 --weight-decay 1e-4 --bn-weight-decay 1e-4 \
  --crop-pad 0 --seed 1
PRETRAIN_mobilenet_v2-imagenet ?= --lr 0.045 --schedule cosine --epochs 300 --weight-decay 4e-5 \
  --bn-weight-decay 4e-5
# Every recipe, for qbench needs and plan (which check them before anything runs).
pretrain_flags = $(foreach v,$(filter-out PRETRAIN_THREADS,$(filter PRETRAIN_%,$(.VARIABLES))),\
  --pretrain '$(v:PRETRAIN_%=%)=$($(v))')

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
NPROC := $(shell nproc 2>/dev/null || echo 2)
TABLES := table1 table2 table3 table4 table5 apot lsq4
# Experiments the claims read beyond the tables (the APoT ablations); no committed reference.
ABLATIONS := apot_no_wn apot_no_rcf
MK_DIR := $(BUILD)/mk
QB_RUN = $(BLAS_AUTO) $(abspath $(BIN))
RUN_START := $(shell date +%s)
# quick tables are <name>; other profiles add -<profile>, a budget above 1x adds -x<BUDGET>
table_name = $(1)$(if $(filter quick,$(PROFILE)),,-$(PROFILE))$(if $(filter-out 1,$(BUDGET)),-x$(BUDGET))
jobs_flag = $(if $(findstring -j,$(MAKEFLAGS)),,-j$(NPROC))
# how many cells make runs at once, for the plan's estimate
plan_jobs = $(or $(patsubst -j%,%,$(filter -j%,$(MAKEFLAGS))),$(NPROC))
# The reproduction check: the final table set beside the reference (`qbench report
# --reference DIR`), on by default; REFERENCE_CHECK= turns it off, and the reference table is
# then printed after the user's for comparison.
REFERENCE_CHECK ?= 1
# SEEDS=N runs the first N seeds of each file's list (SEEDS=1: a one-seed preview; more than
# the list: the next seeds after its last).
seeds_flag = $(if $(SEEDS),--seeds $(SEEDS))
report_flags = $(if $(REFERENCE_CHECK),--reference $(REFERENCE))
ifneq ($(filter $(abspath $(REFERENCE))/% $(abspath $(REFERENCE)),$(abspath $(RESULTS))),)
  $(error RESULTS=$(RESULTS) is inside the read-only reference $(REFERENCE); runs go elsewhere)
endif

.PHONY: $(TABLES:%=reproduce-%) $(ABLATIONS:%=reproduce-%) $(TABLES:%=show-%) tables tables-results compare experiment \
        docs plots plots-results

# SET="train.KEY=VALUE quant.KEY=VALUE ..." changes fields of the experiment file for this run:
# every cell (ids included, and the table's header says so) and, for a starting checkpoint it
# trains first, the train fields but `from` (e.g. SET="train.data_dir=/scratch/cifar10",
# SET=train.from=/ckpts/{net}-cifar10.ckpt, or a tiny schedule: SET="train.epochs=1
# train.train_subset=64 train.from=/tmp/x/{net}-cifar10.ckpt").
set_flags = $(foreach s,$(SET),--set $(s))
# BUDGET=K trains every cell K times as long as its profile says (epochs, and the schedule's
# warm-up and milestones with them): new cell ids beside the 1x cells, a table named -xK.
BUDGET ?= 1
budget_flag = $(if $(filter-out 1,$(BUDGET)),--budget $(BUDGET))
expand_flags = --profile $(PROFILE) $(seeds_flag) $(budget_flag) $(set_flags)

# $(1) experiment file, $(2) fragment name, $(3) table name. First the inputs: `qbench needs`
# checks the data and the starting checkpoints, lists every one that is missing at
# once (and stops there when the data is), and writes the rules that train the missing
# checkpoints, which then run (through the cell runner, so RUNNER=slurm runs them as jobs).
# PLAN=1 prints the same list, then the plan cell by cell, and stops there.
define run_experiment
	@mkdir -p $(MK_DIR)
	$(if $(PLAN),,@$(BIN) needs $(1) $(expand_flags) $(pretrain_flags) \
	  --make $(MK_DIR)/$(2).$(PROFILE).needs.mk)
	$(if $(PLAN),,+@$(MAKE) --no-print-directory -f $(MK_DIR)/$(2).$(PROFILE).needs.mk $(jobs_flag) \
	  QBENCH="$(QB_RUN)" PRETRAIN_THREADS=$(PRETRAIN_THREADS) needs)
	$(if $(PLAN),,@$(BIN) rules $(1) $(expand_flags) --make $(MK_DIR)/$(2).$(PROFILE).mk --table $(3) \
	  $(if $(ALLOW_SHARED_RESULTS),--allow-shared-results))
	@$(BIN) plan $(1) $(expand_flags) $(pretrain_flags) --results $(RESULTS) --reference $(REFERENCE) \
	  --jobs $(plan_jobs) $(if $(PLAN),,--summary)
	$(if $(PLAN),@echo "PLAN=1: nothing was run",+@$(MAKE) --no-print-directory -f $(MK_DIR)/$(2).$(PROFILE).mk $(jobs_flag) \
	  QBENCH="$(QB_RUN)" RESULTS=$(RESULTS) CELL_THREADS=$(CELL_THREADS) REPORT_FLAGS="$(report_flags)" \
	  CELL_PROGRESS="$(abspath $(BIN)) progress $(1) $(expand_flags) --results $(RESULTS) --reference $(REFERENCE) --start $(RUN_START) --after" \
	  table)
	$(if $(PLAN),,@cat $(RESULTS)/tables/$(3).md)
	$(if $(PLAN)$(REFERENCE_CHECK),,@[ ! -e $(REFERENCE)/tables/$(3).md ] || { echo; \
	  echo "The reference (committed) table, for comparison: $(REFERENCE)/tables/$(3).md"; cat $(REFERENCE)/tables/$(3).md; })
endef

$(TABLES:%=reproduce-%) $(ABLATIONS:%=reproduce-%): reproduce-%: check-deps $(BIN)
	$(call run_experiment,experiments/$*.yaml,$*,$(call table_name,$*))

# The reference table, instantly: nothing is built or trained.
$(TABLES:%=show-%): show-%:
	@f=$(REFERENCE)/tables/$(call table_name,$*).md; [ -e $$f ] || { echo "make $@: no" \
	  "reference table $$f (the committed measurements are of the quick profile)"; exit 1; }; cat $$f

# Any experiment file: make experiment EXP=experiments/mine.yaml [PROFILE=...]
EXP_NAME = $(basename $(notdir $(EXP)))
experiment: check-deps $(BIN)
	@[ -n "$(EXP)" ] || { echo "make experiment: set EXP=path/to/experiment.yaml"; exit 2; }
	$(call run_experiment,$(EXP),$(EXP_NAME),$(call table_name,$(EXP_NAME)))

# A new quantizer (a method registered in quantizers/registry.c) beside the baselines of
# tables 4 and 5. Before anything is generated or trained, QUANTIZER must be a registered
# method that passes the registry checks (levels, forward, gradients against finite
# differences: `qbench validate --method NAME --check`); after training, the verdicts' summary
# names any cell at chance or far below its scheme's other bit-widths.
# Cells the user's own table 4 or 5 runs already trained with the same identity (the code
# hashes included) are copied from $(RESULTS), never from the reference.
compare_yaml = $(BUILD)/compare/compare-$(1).yaml
compare: check-deps $(BIN)
	@[ -n "$(QUANTIZER)" ] || { echo "make compare: set QUANTIZER=<method name>"; exit 2; }
	@msg=$$($(BIN) validate --method '$(QUANTIZER)' --check 2>&1) && echo "$$msg" || \
	  { echo "make compare: QUANTIZER=$(QUANTIZER): $${msg#qbench validate: }"; exit 2; }
	@mkdir -p $(BUILD)/compare
	@$(BIN) compare-file '$(QUANTIZER)' --out $(call compare_yaml,$(QUANTIZER))
	$(call run_experiment,$(call compare_yaml,$(QUANTIZER)),compare-$(QUANTIZER),$(call table_name,compare-$(QUANTIZER)))
	$(if $(PLAN),,@$(BIN) verdicts $(call compare_yaml,$(QUANTIZER)) --profile $(PROFILE) --results $(RESULTS) $(seeds_flag) $(budget_flag) --method $(QUANTIZER))

# The experiment file of each experiment with results under $(RESULTS): a committed table,
# or a compare run (its file written again from the template); a note for others.
result_experiments = $$($(BIN) experiments --results $(RESULTS) --compare-dir $(BUILD)/compare)

# Figures from the user's results present (PROFILE=smoke first runs the smoke table 4,
# seconds): accuracy against bits and BitOPs and training curves per table, compare tables
# included, into plots/out/.
PLOT_TABLES := table4 table5 apot table2 table3
plots: plots-results plots-probe
plots-results: check-deps $(BIN)
	@$(if $(filter smoke,$(PROFILE)),$(MAKE) --no-print-directory reproduce-table4 PROFILE=smoke RESULTS=$(RESULTS) >/dev/null &&) true
	@mkdir -p plots/data plots/out
	@for f in $$(for f in $(PLOT_TABLES:%=experiments/%.yaml) $(result_experiments); do echo $$f; done | sort -u); do \
	  t=$$(basename $$f .yaml); \
	  $(BIN) needs $$f --profile $(PROFILE) >/dev/null 2>&1 || continue; \
	  used=$$($(BIN) plotdata $$f --profile $(PROFILE) --results $(RESULTS) --out plots/data | awk '{print $$5}'); \
	  [ "$$used" -gt 0 ] || continue; \
	  n=$$t$$([ "$(PROFILE)" = quick ] || echo -$(PROFILE)); \
	  gnuplot -e "data='plots/data/$$n-bits.dat'; out='plots/out/$$n'; name='$$n'" plots/accuracy.gp && \
	  gnuplot -e "data='plots/data/$$n-curves.dat'; out='plots/out/$$n'; name='$$n'" plots/curves.gp && \
	  echo "plots/out/$$n-{accuracy-bits,accuracy-bitops,curves}.{png,pdf} from $$used results" || exit 1; \
	done

# The committed reference's figures, from its results placed by matrix position (they were
# made by older code than this build's, so they are not looked up by id; nothing trains):
# plots/out/<table>-*, and the copy of table 4's top-1 figure the documents show.
plots-reference: check-deps $(BIN)
	@mkdir -p plots/data plots/out
	@for t in $(PLOT_TABLES); do \
	  $(BIN) plotdata experiments/$$t.yaml --profile quick --results $(REFERENCE) --by-position \
	    --out plots/data >/dev/null && \
	  gnuplot -e "data='plots/data/$$t-bits.dat'; out='plots/out/$$t'; name='$$t'" plots/accuracy.gp && \
	  gnuplot -e "data='plots/data/$$t-curves.dat'; out='plots/out/$$t'; name='$$t'" plots/curves.gp && \
	  echo "plots/out/$$t-{accuracy-bits,accuracy-bitops,curves}.{png,pdf} from the reference" || exit 1; \
	done
	@cp plots/out/table4-accuracy-bits.png plots/figures/

# Refreshes every generated block of the tracked documents (the experiment file reference,
# the committed tables and findings, the measurement records, the commands' --help) from the
# command or file its marker names, and checks their language; `make test` fails on a stale
# block (tests/docs). Idempotent: a second run rewrites nothing.
docs: $(BIN)
	@$(BIN) docs

# True (in a recipe) when $(RESULTS) holds an experiment's results of the user's own.
have_own_results = ls -d $(RESULTS)/*/ 2>/dev/null | grep -qv '/\(reference\|tables\|bench\)/$$'

# Every reference table, instantly; then the tables of the user's own runs under $(RESULTS)
# (every experiment with results there, compare runs included) rebuilt from their result
# files: every profile with results (PROFILE=P on the command line: that one alone), never
# an empty table over one with results. Trains nothing.
tables:
	@for t in $(TABLES); do f=$(REFERENCE)/tables/$$(echo $(call table_name,$$t)).md; \
	  [ -e $$f ] && { echo "== reference: $$f"; cat $$f; echo; }; done; true
	+@if $(have_own_results); then \
	  $(MAKE) --no-print-directory tables-results; fi

tables_profile = $(if $(filter command environment,$(origin PROFILE)),--profile $(PROFILE))
tables-results: check-deps $(BIN)
	@$(BIN) tables $(result_experiments) --results $(RESULTS) $(tables_profile) $(set_flags) \
	  $(report_flags)

# The papers' claims (experiments/claims.yaml): each claim's paired difference, 95% interval
# and verdict, from the committed reference (placed by matrix position) into
# $(RESULTS)/tables/claims-reference.{md,csv}, then, when you have results of your own, from
# them into $(RESULTS)/tables/claims.{md,csv}. Trains nothing unless SEEDS_MAX is set; a
# claim whose cells are missing names the make target that measures them.
# SEEDS_MAX=N (N <= 16): first, seed by seed, each accuracy claim your results leave
# unresolved gets the two cells of its next seed trained (seeds after the file's list: 4, 5,
# ...), until its interval excludes the threshold or it has N seeds. Each round trains the
# next seed of every claim still unresolved, in parallel.
claims_seeds = $(if $(SEEDS_MAX),--seeds-max $(SEEDS_MAX))
# The reference's block errors: `make plots-probe` on its 3-bit table 4 cells (the command is in
# results/reference/probe/README.md).
reference_block_data = --block-data $(REFERENCE)/probe/block_error.dat
.PHONY: claims claims-extend claims-round reference-tables
claims: check-deps $(BIN) $(if $(SEEDS_MAX),claims-extend)
	@mkdir -p $(RESULTS)/tables
	@$(BIN) claims experiments/claims.yaml --by-position --profile $(PROFILE) \
	  --results $(REFERENCE) $(reference_block_data) \
	  --out $(RESULTS)/tables/$(call table_name,claims-reference) >/dev/null
	@cat $(RESULTS)/tables/$(call table_name,claims-reference).md
	@if $(have_own_results); then \
	  $(BIN) claims experiments/claims.yaml --profile $(PROFILE) --results $(RESULTS) \
	    $(claims_seeds) --out $(RESULTS)/tables/$(call table_name,claims) >/dev/null && \
	  echo && cat $(RESULTS)/tables/$(call table_name,claims).md; fi

claims-extend: check-deps $(BIN)
	@[ -n "$(SEEDS_MAX)" ] || { echo "make claims-extend: set SEEDS_MAX=N"; exit 2; }
	@mkdir -p $(MK_DIR) && rm -f $(claims_round_mk)
	+@$(MAKE) --no-print-directory claims-round

# One round: `qbench next-cells` writes the fragment of the cells the unresolved claims need
# next; its `next` target trains them and then runs the next round ($(AGAIN)), until no claim
# is left that another seed can settle (the fragment then needs nothing and runs nothing). A
# round whose cells got no result stops with their names instead of repeating.
claims_round_mk = $(MK_DIR)/claims-next.$(PROFILE).mk
claims-round:
	@$(BIN) next-cells experiments/claims.yaml --profile $(PROFILE) --results $(RESULTS) \
	  $(claims_seeds) --make $(claims_round_mk)
	+@$(MAKE) --no-print-directory -f $(claims_round_mk) $(jobs_flag) QBENCH="$(QB_RUN)" \
	  RESULTS=$(RESULTS) CELL_THREADS=$(CELL_THREADS) AGAIN="$(MAKE) --no-print-directory claims-round" next

# The budget ladder (`ladder:` in experiments/claims.yaml): the cells of every accuracy claim
# the reference decides, and every table's rows at the ladder's bit-width, trained at 1x and at
# each rung's multiple of the profile's length with that rung's seeds (one fragment, results by
# cell id under $(RESULTS), resumable like every matrix); then the claims table with its budget
# ladder column and the rows at each budget, $(RESULTS)/tables/claims[-PROFILE]{,-ladder}.md.
.PHONY: ladder
ladder: check-deps $(BIN)
	@mkdir -p $(MK_DIR) $(RESULTS)/tables
	@$(BIN) ladder experiments/claims.yaml --profile $(PROFILE) --results $(RESULTS) \
	  --reference $(REFERENCE) --make $(MK_DIR)/ladder.$(PROFILE).mk
	$(if $(PLAN),@echo "PLAN=1: nothing was run",+@$(MAKE) --no-print-directory -f $(MK_DIR)/ladder.$(PROFILE).mk \
	  $(jobs_flag) QBENCH="$(QB_RUN)" RESULTS=$(RESULTS) CELL_THREADS=$(CELL_THREADS) ladder)
	$(if $(PLAN),,@$(BIN) claims experiments/claims.yaml --profile $(PROFILE) --results $(RESULTS) \
	  --out $(RESULTS)/tables/$(call table_name,claims) >/dev/null && \
	  cat $(RESULTS)/tables/$(call table_name,claims)-ladder.md)

# The files under $(RESULTS)/<experiment>/ (results, checkpoints, logs, locks) of cells no
# experiment file under experiments/ produces any more, in any profile and at any budget (made
# by earlier code or settings; SET= counts its settings' cells as produced): listed, and
# deleted with PRUNE=1. Never the reference. The judging is qbench prune's (harness/prune.h).
.PHONY: prune-results
prune-results: check-deps $(BIN)
	@$(BIN) prune --results $(RESULTS) --reference $(REFERENCE) $(set_flags) $(if $(PRUNE),--delete)

# The reference tables ($(REFERENCE)/tables/), rebuilt from the committed result files placed
# by matrix position (their ids follow the code that made them), then the findings in
# $(REFERENCE)/README.md from those tables; run after adding measurements to the reference.
reference-tables: check-deps $(BIN)
	@for t in $(TABLES) $(ABLATIONS); do $(BIN) report experiments/$$t.yaml --profile quick --by-position \
	  --results $(REFERENCE) --out $(REFERENCE)/tables/$$t || exit 1; done
	@$(BIN) claims experiments/claims.yaml --by-position --profile quick \
	  --results $(REFERENCE) $(reference_block_data) --out $(REFERENCE)/tables/claims >/dev/null
	@$(BIN) docs $(REFERENCE)/README.md

clean:
	rm -rf build build-asan build-fuzz bin

include plots/plots.mk tests/fuzz/fuzz.mk
# Last: the Slurm runner redefines the harness's jobs_flag.
include bench/scripts/slurm.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
