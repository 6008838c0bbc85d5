# Training speed: `make bench` and `make bench-vs-pytorch` (results/bench/).
.PHONY: bench bench-vs-pytorch
# Step timings (train and eval, FP32 and every BENCH_SCHEMES scheme, with the per-kind profile
# of each step), qbench's peak RSS beside PyTorch's (when python3-torch is installed) and the
# sgemm peak, with OpenBLAS's auto-detected kernels; FP32 again with the Haswell kernels. One
# JSON per kernel family under results/bench/.
BENCH_FLAGS ?= --threads 2 --batch 128 --iters 20
BENCH_SCHEMES ?= lsq asq asq+post apot pact post
# Each scheme's step is also timed against FP32's in this many interleaved pairs, so its ratio
# holds on a machine whose load drifts (bench/perf/median_interval.h).
BENCH_PAIRS ?= 20

bench: check-deps $(BIN)
	@mkdir -p results/bench
	$(BLAS_AUTO) $(BIN) bench $(BENCH_FLAGS) --profile $(BENCH_SCHEMES:%=--scheme %) --bits 4 \
	  --paired $(BENCH_PAIRS) --json results/bench/bench-auto.json
	OPENBLAS_CORETYPE=Haswell $(BIN) bench $(BENCH_FLAGS) --json results/bench/bench-haswell.json
	@$(TORCH_MALLOC) /usr/bin/python3 bench/scripts/pytorch_step.py $(BENCH_FLAGS) --iters 3 --rss \
	  --qbench results/bench/bench-auto.json; \
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
