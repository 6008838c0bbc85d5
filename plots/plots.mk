# Probe figures, included from the top Makefile (include plots/plots.mk).
# `make plots-probe` runs `qbench probe` on a pretrained checkpoint (default: ResNet-20 on
# Fashion-MNIST) into plots/data/*.dat, then gnuplot renders
#   plots/out/levels_3, levels_4, weights, act_hist, block_error, layer_error  (.png and .pdf).
# PROFILE=smoke: synthetic images, batch 8, 40 bins (seconds). PROBE_QAT adds trained QAT
# checkpoints for the activation and error figures (space-separated SCHEME:BITS=PATH, e.g.
# PROBE_QAT="lsq:2=results/table4/A.ckpt asq:2=results/table4/B.ckpt"), each a cell of
# PROFILE and RESULTS. block_error.dat and layer_error.dat record that regime and the cell of
# each quantized net (bench/probe/provenance.h); `make claims` uses block_error.dat only for
# the claim's own cells, and a claim it cannot use names the command that measures it.
PROBE_NET ?= resnet20
PROBE_CKPT ?= nets/pretrained/resnet20-fmnist.ckpt
PROBE_SCHEMES ?= lsq,asq
PROBE_QAT ?=
PROBE_THREADS ?= 1
PROBE_FLAGS ?= $(if $(filter smoke,$(PROFILE)),--data synth --batch 8 --bins 40,--batch 64)
PROBE_DATA := plots/data
PROBE_OUT := plots/out
PROBE_PLOTS := levels weights act_hist block_error layer_error
probe_comma := ,

.PHONY: plots-probe
plots-probe: check-deps $(BIN) | $(PROBE_CKPT)
	@command -v gnuplot >/dev/null || $(MAKE) --no-print-directory deps
	@mkdir -p $(PROBE_DATA) $(PROBE_OUT)
	$(BLAS_AUTO) $(BIN) probe --net $(PROBE_NET) --checkpoint $(PROBE_CKPT) \
	  --schemes $(PROBE_SCHEMES) $(PROBE_FLAGS) $(addprefix --qat-checkpoint ,$(PROBE_QAT)) \
	  --threads $(PROBE_THREADS) --profile $(PROFILE) --results $(RESULTS) --out $(PROBE_DATA)
	@for g in $(PROBE_PLOTS); do \
	  gnuplot -e "data='$(PROBE_DATA)'; out='$(PROBE_OUT)'; schemes='$(subst $(probe_comma), ,$(PROBE_SCHEMES))'" \
	    plots/$$g.gp || exit 1; \
	done
	@echo "plots-probe: $(PROBE_OUT)/{levels_3,levels_4,weights,act_hist,block_error,layer_error}.{png,pdf}"
