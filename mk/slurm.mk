# ---- Running the cells on Slurm ---------------------------------------------------------
# `make reproduce-table4 RUNNER=slurm [SLURM_ARGS="--partition=p --time=4:00:00"] [RUNNER_WAIT=0]`
# runs each missing cell as one Slurm job (bench/scripts/cell-slurm.sh) instead of here; the
# table is then built exactly as after a local run. Included by the Makefile after the
# experiment harness, whose jobs_flag it redefines.
ifeq ($(RUNNER),slurm)
CELL_RUNNER := sh $(CURDIR)/bench/scripts/cell-slurm.sh
RUNNER_WAIT ?= 1
# A waiting cell only polls squeue: make may wait for this many jobs at once (Slurm decides
# how many run), unless -j is given (filter, not findstring: SLURM_ARGS="--job..." is no -j).
SLURM_JOBS ?= 256
jobs_flag = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(SLURM_JOBS))
export CELL_RUNNER RUNNER_WAIT SLURM_ARGS RUNNER_POLL
endif

# A real single-node Slurm (Debian's slurm-wlm and munge, installed if missing) started in a
# temporary directory runs the smoke table 4; exit status 77 when Slurm cannot be set up.
.PHONY: test-slurm
test-slurm: check-deps $(BIN)
	@MAKE="$(MAKE)" sh bench/scripts/test-slurm.sh
