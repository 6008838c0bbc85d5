#!/bin/sh
# Runs one cell on this machine: $1 is the cell's result file, the rest is its run-cell
# command. The log goes beside the result, appended per attempt under a header line; on
# failure its last lines are shown.
#
# One cell, one trainer: the run holds an flock(2) on <cell>.lock beside the result. A second
# runner (another make on the same results directory, or a Slurm job on a shared filesystem
# whose locks reach across nodes) waits for it, says so, and then finds the result and trains
# nothing. The kernel releases the lock when its holder dies, so a killed run's lock file
# never blocks; the file itself stays (empty, ignored). "Finds the result" means a result
# that appeared or changed since this runner started: one that make judged out of date (a
# chained cell whose parent was retrained) is run-cell's to retire, not a reason to skip.
out=$1
shift
log=${out%.json}.log
lock=${out%.json}.lock
cell=$(basename "$out" .json)

state() { stat -c %.9Y.%s "$out" 2>/dev/null || echo absent; }
before=$(state)
exec 9>>"$lock" || exit 1
if ! flock -n 9; then
    echo "$cell: another runner is training this cell; waiting for it"
    flock 9 || exit 1
fi
if [ -e "$out" ] && [ "$(state)" != "$before" ]; then
    echo "$cell: trained by the other runner meanwhile -> $out"
    exit 0
fi
echo "== attempt on $(hostname) pid $$ at $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$log"
"$@" >> "$log" 2>&1 || { tail -n 3 "$log"; exit 1; }
tail -n 1 "$log"
