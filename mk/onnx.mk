# `make check-onnx` (opt-in): the exported ONNX models run by an independent runtime. It
# installs onnxruntime-node into $(ORT_DIR) (ignored by git) with --ignore-scripts, whose
# post-install step would download GPU files this check does not use, then runs
# bench/scripts/check-onnx.mjs: a tiny cell per scheme trained, exported, run in
# onnxruntime over its test split and compared with `qbench eval --dump-logits`.
ORT_DIR := $(BUILD)/onnxruntime
ORT_STAMP := $(ORT_DIR)/node_modules/onnxruntime-node/package.json
CHECK_ONNX_DIR := $(BUILD)/check-onnx

.PHONY: check-onnx onnx-deps
# node and npm, installed (Debian's nodejs and npm) only for this check and only when the
# commands are missing (a node installed otherwise serves as well).
onnx-deps:
	@command -v node >/dev/null && command -v npm >/dev/null || $(MAKE) --no-print-directory \
	  onnx-deb-install
.PHONY: onnx-deb-install
onnx-deb-install: DEB_WANT = nodejs npm
onnx-deb-install:
	$(DEB_INSTALL)

$(ORT_STAMP): | onnx-deps
	@mkdir -p $(ORT_DIR)
	cd $(ORT_DIR) && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node

check-onnx: check-deps onnx-deps $(BIN) $(ORT_STAMP)
	rm -rf $(CHECK_ONNX_DIR)
	$(BLAS_AUTO) node bench/scripts/check-onnx.mjs $(abspath $(BIN)) $(abspath $(ORT_DIR)) \
	  $(abspath $(CHECK_ONNX_DIR))
