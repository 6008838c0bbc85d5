#!/bin/sh
# Runs one cell on this machine: $1 is the cell's result file, the rest is its run-cell
# command. The log goes beside the result; on failure its last lines are shown.
out=$1
shift
log=${out%.json}.log
"$@" > "$log" 2>&1 || { tail -n 3 "$log"; exit 1; }
tail -n 1 "$log"
