# The documents' generated blocks.
.PHONY: docs
# Refreshes every generated block of the tracked documents (the experiment file reference,
# the committed tables and findings, the measurement records, the commands' --help) from the
# command or file its marker names, and checks their language; `make test` fails on a stale
# block (tests/docs). Idempotent: a second run rewrites nothing.
docs: $(BIN)
	@$(BIN) docs
