# The tests: one Criterion binary per test folder (tests/support linked into each), run by
# `make test`; the same under the sanitizers; the smoke matrix under valgrind. The Slurm
# runner's test is in mk/slurm.mk, the fuzzers in mk/fuzz.mk.
TEST_DIRS := $(sort $(patsubst %/,%,$(dir $(shell find tests -name '*.c' -not -path 'tests/support/*' -not -path 'tests/fuzz/*' -not -path 'tests/fixtures/*' 2>/dev/null))))
TEST_SUPPORT := $(wildcard tests/support/*.c)
TEST_BINS := $(TEST_DIRS:tests/%=$(BUILD)/tests/%/run)
# A test binary names its objects only through a pattern, so make would take them for
# intermediate files, delete them after linking, and compile them all again on the next run.
TEST_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(TEST_DIRS:%=%/*.c)) $(TEST_SUPPORT))
.SECONDARY: $(TEST_OBJS)

.PHONY: test test-asan valgrind-smoke
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

# The direct kernels compile to AVX-512 or to AVX2+FMA, whichever the build machine has. On a
# machine with AVX-512 the kernels suite is built a second time for x86-64-v3 (AVX2+FMA) and
# run too, so both flavours are checked against the naive loops there.
KERNELS_V3 := $(BUILD)/x86-64-v3
KERNELS_V3_SRCS := tests/core/kernels/test_dconv.c bench/core/kernels/dconv.c bench/core/rng.c \
                   bench/core/err.c
KERNELS_V3_TEST := $(if $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo y),\
                     $(KERNELS_V3)/tests/core/kernels/run)
$(KERNELS_V3)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(filter-out -march=%,$(CFLAGS)) -march=x86-64-v3 -MMD -MP -c $< -o $@
.SECONDARY: $(KERNELS_V3_SRCS:%.c=$(KERNELS_V3)/%.o)
-include $(KERNELS_V3_SRCS:%.c=$(KERNELS_V3)/%.d)
$(KERNELS_V3)/tests/core/kernels/run: $(KERNELS_V3_SRCS:%.c=$(KERNELS_V3)/%.o)
	$(CC) $(LDFLAGS) -o $@ $^ -lm -lcriterion

# Criterion runs each binary's tests in 2 parallel workers; OpenMP threads then wait
# passively so the workers do not spin against each other on 2 cores.
CRITERION_FLAGS ?= --jobs 2
# The build runs one job per core unless make was given its own -j; the suites then run one
# after another, each with its workers.
test: check-deps
	+@$(MAKE) --no-print-directory $(if $(findstring -j,$(MAKEFLAGS)),,-j$(NPROC)) $(BIN) $(TEST_BINS) \
	  $(KERNELS_V3_TEST)
	@rc=0; for t in $(TEST_BINS) $(KERNELS_V3_TEST); do echo "== $$t"; \
	  QBENCH_BIN=$(abspath $(BIN)) OMP_WAIT_POLICY=passive $$t $(CRITERION_FLAGS) || rc=1; \
	done; exit $$rc

test-asan: check-deps
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) --no-print-directory SANITIZE=1 test

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
