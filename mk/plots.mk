# The figures, into plots/out/ (.png and .pdf), from the gnuplot scripts in plots/.
.PHONY: plots plots-results plots-reference plots-probe plot-figures

# Figures from the user's results present (PROFILE=smoke first runs the smoke table 4,
# seconds): accuracy against bits and BitOPs and training curves per table, compare tables
# included. `qbench plotdata` writes every experiment's data files at once (those whose
# inputs are not on this machine, or that have no results, are left out) and names the
# figures to draw in a fragment; `plot-figures` draws them.
PLOT_TABLES := table4 table5 apot table2 table3
PLOT_DATA := plots/data
PLOT_OUT := plots/out
plots: plots-results plots-probe
plots-results: check-deps $(BIN)
	@$(if $(filter smoke,$(PROFILE)),$(MAKE) --no-print-directory reproduce-table4 PROFILE=smoke RESULTS=$(RESULTS) >/dev/null &&) true
	@mkdir -p $(MK_DIR) $(PLOT_DATA) $(PLOT_OUT)
	@$(BIN) plotdata $$(printf '%s\n' $(PLOT_TABLES:%=experiments/%.yaml) $(result_experiments) | sort -u) \
	  --profile $(PROFILE) --results $(RESULTS) --out $(PLOT_DATA) --make $(MK_DIR)/plots.$(PROFILE).mk
	+@$(MAKE) --no-print-directory plot-figures PLOT_LIST=$(MK_DIR)/plots.$(PROFILE).mk

# The committed reference's figures, from its results placed by matrix position (they were
# made by older code than this build's, so they are not looked up by id; nothing trains):
# plots/out/<table>-*, and the copy of table 4's top-1 figure the documents show.
plots-reference: check-deps $(BIN)
	@mkdir -p $(MK_DIR) $(PLOT_DATA) $(PLOT_OUT)
	@$(BIN) plotdata $(PLOT_TABLES:%=experiments/%.yaml) --profile quick --results $(REFERENCE) \
	  --by-position --out $(PLOT_DATA) --make $(MK_DIR)/plots.reference.mk
	+@$(MAKE) --no-print-directory plot-figures PLOT_LIST=$(MK_DIR)/plots.reference.mk \
	  PLOT_SOURCE="the reference"
	@cp $(PLOT_OUT)/table4-accuracy-bits.png plots/figures/

# The figures `qbench plotdata --make` listed in $(PLOT_LIST) (PLOT_NAMES, and the results
# each shows): per name, the accuracy figures and the training curves, one gnuplot each.
ifdef PLOT_LIST
include $(PLOT_LIST)
endif
.PHONY: $(PLOT_NAMES:%=plot-figures-%)
plot-figures: $(PLOT_NAMES:%=plot-figures-%)
	@: # a recipe, so that make has nothing to say when no file has results
$(PLOT_NAMES:%=plot-figures-%): plot-figures-%: $(PLOT_OUT)/%-accuracy-bits.png $(PLOT_OUT)/%-curves.png
	@echo "$(PLOT_OUT)/$*-{accuracy-bits,accuracy-bitops,curves}.{png,pdf} from $(or $(PLOT_SOURCE),$(PLOT_RESULTS_$*) results)"
$(PLOT_OUT)/%-accuracy-bits.png $(PLOT_OUT)/%-accuracy-bits.pdf $(PLOT_OUT)/%-accuracy-bitops.png \
  $(PLOT_OUT)/%-accuracy-bitops.pdf: $(PLOT_DATA)/%-bits.dat plots/accuracy.gp plots/header.gp
	@gnuplot -e "data='$<'; out='$(PLOT_OUT)/$*'; name='$*'" plots/accuracy.gp
$(PLOT_OUT)/%-curves.png $(PLOT_OUT)/%-curves.pdf: $(PLOT_DATA)/%-curves.dat plots/curves.gp plots/header.gp
	@gnuplot -e "data='$<'; out='$(PLOT_OUT)/$*'; name='$*'" plots/curves.gp

# Probe figures: `make plots-probe` runs `qbench probe` on a pretrained checkpoint (default:
# ResNet-20 on Fashion-MNIST) into plots/data/*.dat, then gnuplot renders
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
PROBE_PLOTS := levels weights act_hist block_error layer_error
probe_comma := ,

plots-probe: $(PROBE_PLOTS:%=plots-probe-%)
	@echo "plots-probe: $(PLOT_OUT)/{levels_3,levels_4,weights,act_hist,block_error,layer_error}.{png,pdf}"
.PHONY: plots-probe-data $(PROBE_PLOTS:%=plots-probe-%)
plots-probe-data: check-deps $(BIN) | $(PROBE_CKPT)
	@command -v gnuplot >/dev/null || $(MAKE) --no-print-directory deps
	@mkdir -p $(PLOT_DATA) $(PLOT_OUT)
	$(BLAS_AUTO) $(BIN) probe --net $(PROBE_NET) --checkpoint $(PROBE_CKPT) \
	  --schemes $(PROBE_SCHEMES) $(PROBE_FLAGS) $(addprefix --qat-checkpoint ,$(PROBE_QAT)) \
	  --threads $(PROBE_THREADS) --profile $(PROFILE) --results $(RESULTS) --out $(PLOT_DATA)
# One figure (or, for levels, one per bit-width) per script.
$(PROBE_PLOTS:%=plots-probe-%): plots-probe-%: plots-probe-data
	@gnuplot -e "data='$(PLOT_DATA)'; out='$(PLOT_OUT)'; schemes='$(subst $(probe_comma), ,$(PROBE_SCHEMES))'" \
	  plots/$*.gp
