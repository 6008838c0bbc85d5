# The experiment harness: reproduce-TABLE, experiment, compare, show-TABLE, tables, claims,
# ladder, prune-results, reference-tables. Each run is one `qbench rules` call writing the
# run's makefile fragment (bench/harness/runfrag.h) and one make of it; every listing,
# check and table is a qbench verb. The variables a user sets are in the top Makefile.
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
seeds_flag = $(if $(SEEDS),--seeds $(SEEDS))
report_flags = $(if $(REFERENCE_CHECK),--reference $(REFERENCE))
ifneq ($(filter $(abspath $(REFERENCE))/% $(abspath $(REFERENCE)),$(abspath $(RESULTS))),)
  $(error RESULTS=$(RESULTS) is inside the read-only reference $(REFERENCE); runs go elsewhere)
endif

.PHONY: $(TABLES:%=reproduce-%) $(ABLATIONS:%=reproduce-%) $(TABLES:%=show-%) tables tables-results compare experiment

set_flags = $(foreach s,$(SET),--set $(s))
budget_flag = $(if $(filter-out 1,$(BUDGET)),--budget $(BUDGET))
expand_flags = --profile $(PROFILE) $(seeds_flag) $(budget_flag) $(set_flags)

# $(1) experiment file, $(2) fragment name, $(3) table name. `qbench rules` writes the run's
# fragment; its goal `run` lists the missing inputs at once (and stops there when the data
# is missing), trains the missing starting checkpoints (through the cell runner, so
# RUNNER=slurm runs them as jobs), prints the plan's summary, runs the cells with a progress
# line after each and prints the table; PLAN=1 runs its goal `plan` instead: the same list,
# then the plan cell by cell, and nothing else.
define run_experiment
	@mkdir -p $(MK_DIR)
	@$(BIN) rules $(1) $(expand_flags) $(pretrain_flags) --make $(MK_DIR)/$(2).$(PROFILE).mk \
	  --table $(3) $(if $(ALLOW_SHARED_RESULTS),--allow-shared-results)
	+@$(MAKE) --no-print-directory -f $(MK_DIR)/$(2).$(PROFILE).mk $(jobs_flag) QBENCH="$(QB_RUN)" \
	  QBENCH_PLAN=$(abspath $(BIN)) RESULTS=$(RESULTS) REFERENCE=$(REFERENCE) CELL_THREADS=$(CELL_THREADS) \
	  PRETRAIN_THREADS=$(PRETRAIN_THREADS) PLAN_JOBS=$(plan_jobs) RUN_START=$(RUN_START) \
	  REPORT_FLAGS="$(report_flags)" REFERENCE_CHECK=$(REFERENCE_CHECK) $(if $(PLAN),plan,run)
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

# A new quantizer (a method registered in quantizers/registry.c) beside every other
# registered method, on table 4's ResNet-20 (harness/compare.h says which schemes). Before
# anything is generated or trained, QUANTIZER must be a registered method that passes the
# registry checks (levels, forward, gradients against finite differences: `qbench validate
# --method NAME --check`); after training, the verdicts' summary names any cell at chance or
# far below its scheme's other bit-widths.
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

# True (in a recipe) when $(RESULTS) holds an experiment's results of the user's own.
have_own_results = ls -d $(RESULTS)/*/ 2>/dev/null | grep -qv '/\(reference\|tables\|bench\)/$$'

# Every reference table, instantly; then the tables of the user's own runs under $(RESULTS)
# (every experiment with results there, compare runs included) rebuilt from their result
# files: every profile with results (PROFILE=P on the command line: that one alone), never
# an empty table over one with results. Trains nothing.
reference_tables_present = $(wildcard $(foreach t,$(TABLES),$(REFERENCE)/tables/$(call table_name,$(t)).md))
tables:
	@$(foreach f,$(reference_tables_present),echo "== reference: $(f)"; cat $(f); echo;) true
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
# by matrix position (their ids follow the code that made them), one target per experiment,
# then the findings in $(REFERENCE)/README.md from those tables; run after adding
# measurements to the reference.
reference-tables: check-deps $(BIN) $(addprefix reference-table-,$(TABLES) $(ABLATIONS))
	@$(BIN) claims experiments/claims.yaml --by-position --profile quick \
	  --results $(REFERENCE) $(reference_block_data) --out $(REFERENCE)/tables/claims >/dev/null
	@$(BIN) docs $(REFERENCE)/README.md
.PHONY: $(addprefix reference-table-,$(TABLES) $(ABLATIONS))
$(addprefix reference-table-,$(TABLES) $(ABLATIONS)): reference-table-%: check-deps $(BIN)
	@$(BIN) report experiments/$*.yaml --profile quick --by-position --results $(REFERENCE) \
	  --out $(REFERENCE)/tables/$*
