# The build: the library of everything but main.c, bin/qbench, and the generated table of
# quantizer source hashes, and the ONNX messages' C code that protoc-c generates from Debian's
# onnx.proto (not committed: the exporter, bench/export/, is written against the proto the
# system ships). SANITIZE=1 builds into build-asan/ with AddressSanitizer and UBSan.
PKGS := openblas yaml-0.1 zlib jansson libprotobuf-c
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
CFLAGS = $(CFLAGS_BASE) -I$(BUILD)/gen $(SAN_FLAGS) $(PKG_CFLAGS)
LDLIBS = $(PKG_LIBS) -lm
LDFLAGS = -fopenmp $(SAN_FLAGS)

# The library: everything but main.c
LIB_SRCS := $(sort $(filter-out bench/main.c,$(shell find bench quantizers nets -name '*.c')))
# Plus the generated table of quantizer source hashes (bench/run/source_hashes.h).
QHASH_C := $(BUILD)/gen/quantizer_hashes.c
# Plus the ONNX messages (onnx/onnx.pb-c.h), generated before anything that includes them.
ONNX_INCLUDE := /usr/include
ONNX_PROTO := $(ONNX_INCLUDE)/onnx/onnx.proto
ONNX_PB_C := $(BUILD)/gen/onnx/onnx.pb-c.c
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(QHASH_C:.c=.o) $(ONNX_PB_C:.c=.o)
LIB := $(BUILD)/libqbench.a
BIN := bin/qbench
ifeq ($(SANITIZE),1)
  BIN := $(BUILD)/bin/qbench
endif

# The environment here sets OPENBLAS_CORETYPE=Haswell (AVX2 kernels). qbench's own targets run
# with OpenBLAS's auto-detected kernels, measured faster on this machine; `make bench` times both.
BLAS_AUTO := env -u OPENBLAS_CORETYPE

.PHONY: all clean
all: check-deps $(BIN)

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

# Any build directory's copy (build/, build-asan/, build-fuzz/): written beside and renamed,
# the header last, so an interrupted make regenerates it.
%/gen/onnx/onnx.pb-c.h %/gen/onnx/onnx.pb-c.c: $(ONNX_PROTO)
	@mkdir -p $*/gen/onnx $*/gen/tmp.$$$$ && \
	  protoc-c --c_out=$*/gen/tmp.$$$$ -I$(ONNX_INCLUDE) $(ONNX_PROTO) && \
	  mv $*/gen/tmp.$$$$/onnx/onnx.pb-c.c $*/gen/onnx/ && \
	  mv $*/gen/tmp.$$$$/onnx/onnx.pb-c.h $*/gen/onnx/ && rm -rf $*/gen/tmp.$$$$
$(ONNX_PB_C:.c=.o): $(ONNX_PB_C)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@
$(filter $(BUILD)/bench/export/% $(BUILD)/bench/cli/cmd_export.o,$(LIB_OBJS)): | $(ONNX_PB_C:.c=.h)

# The library and the binary are written beside their place and renamed into it: a run
# (another make, a cell) executing the old binary while this make relinks it never finds
# the file half written.
$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@.$$$$.tmp && ar rcs $@.$$$$.tmp $^ && mv $@.$$$$.tmp $@

$(BIN): $(BUILD)/bench/main.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@.$$$$.tmp $^ $(LDLIBS) && mv $@.$$$$.tmp $@

clean:
	rm -rf build build-asan build-fuzz bin
