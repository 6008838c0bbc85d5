# libFuzzer targets for the readers of untrusted files (tests/fuzz/fuzz_<name>.c), included by
# the top Makefile. `make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="yaml npy"]` builds them with
# clang (libFuzzer + ASan + UBSan, the library recompiled into build-fuzz/) and runs each for
# N seconds, one after the other in a single process: fuzzing takes one core. Inputs found go
# to build-fuzz/corpus/<name>/ (the committed seeds in tests/fuzz/corpus/<name>/ stay as
# they are), a crashing input to build-fuzz/run/<name>/crash-*, the log to
# build-fuzz/run/<name>/fuzz-0.log. `make fuzz-seeds` regenerates the generated seeds.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build-fuzz
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB_SRCS := $(wildcard tests/fuzz/lib/*.c) tests/support/idxw.c
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# -Wno-pass-failed: clang notes every `omp simd` loop it leaves scalar at -O1.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-pass-failed -fopenmp -g -O1 \
              -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(PKG_CFLAGS) -Ibench -I. -I$(FUZZ_BUILD)/gen
FUZZ_LIB := $(FUZZ_BUILD)/libqbench-fuzz.a
FUZZ_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o) \
             $(FUZZ_BUILD)/gen/onnx/onnx.pb-c.o
# One core, one process (-jobs=1 -workers=1), and a memory ceiling: a reader that mallocs
# more than 4 GiB for a small file is a finding.
FUZZ_FLAGS = -max_total_time=$(FUZZ_SECONDS) -jobs=1 -workers=1 -rss_limit_mb=4096 -timeout=20 \
             -print_final_stats=1
# Extra read-only seed directories, as target=directory.
FUZZ_EXTRA_SEEDS := yaml=experiments

.PHONY: fuzz fuzz-build fuzz-deps fuzz-seeds
.SECONDARY: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/gen/onnx/onnx.pb-c.o: $(FUZZ_BUILD)/gen/onnx/onnx.pb-c.c
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
$(filter $(FUZZ_BUILD)/bench/export/% $(FUZZ_BUILD)/bench/cli/cmd_export.o,$(FUZZ_OBJS)): \
  | $(FUZZ_BUILD)/gen/onnx/onnx.pb-c.h

$(FUZZ_LIB): $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -fopenmp -o $@ $^ $(PKG_LIBS) -lm

# clang with its libFuzzer runtime and OpenMP, installed only for fuzzing (not by make deps).
FUZZ_DEB_PKGS := clang libclang-rt-dev libomp-dev
fuzz-deps: DEB_WANT = $(DEB_PKGS) $(FUZZ_DEB_PKGS)
fuzz-deps:
	$(DEB_INSTALL)

$(FUZZ_OBJS) $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o): | fuzz-deps

fuzz-build: fuzz-deps $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

# Runs every target even when one crashes; the summary has one line per target (executions,
# seconds, crash or not) and make fails if any crashed.
fuzz: fuzz-build
	@rc=0; for t in $(FUZZ_TARGETS); do \
	  run=$(abspath $(FUZZ_BUILD))/run/$$t; mkdir -p $$run $(FUZZ_BUILD)/corpus/$$t; rm -f $$run/fuzz-0.log; \
	  extra=$$(for p in $(FUZZ_EXTRA_SEEDS); do [ "$${p%%=*}" = $$t ] && echo $(CURDIR)/$${p#*=}; done); \
	  echo "== fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  (cd $$run && $(abspath $(FUZZ_BUILD))/fuzz_$$t $(FUZZ_FLAGS) -artifact_prefix=$$run/ \
	    $(abspath $(FUZZ_BUILD))/corpus/$$t $(abspath tests/fuzz/corpus)/$$t $$extra >/dev/null 2>&1); \
	  st=$$?; runs=$$(grep -ao 'stat::number_of_executed_units: *[0-9]*' $$run/fuzz-0.log | awk '{print $$2}'); \
	  secs=$$(grep -ao 'Done [0-9]* runs in [0-9]* second' $$run/fuzz-0.log | awk '{print $$5}'); \
	  if [ $$st -eq 0 ]; then echo "fuzz_$$t: $${runs:-?} executions in $${secs:-?} s, no crash"; \
	  else rc=1; echo "fuzz_$$t: FAILED after $${runs:-?} executions; see $$run/fuzz-0.log"; \
	    grep -a -m3 -E 'ERROR|SUMMARY|Test unit written' $$run/fuzz-0.log; fi; \
	done; exit $$rc

$(FUZZ_BUILD)/seeds: tests/fuzz/seeds.c $(FUZZ_LIB_SRCS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^) $(LIB) $(LDFLAGS) $(LDLIBS)

fuzz-seeds: check-deps $(FUZZ_BUILD)/seeds
	$(FUZZ_BUILD)/seeds tests/fuzz/corpus

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
