#!/bin/sh
# The Slurm cell runner (`make reproduce-tableN RUNNER=slurm`, see mk/slurm.mk): $1 is the cell's
# result file, the rest is its run-cell command, which becomes one Slurm job running the same
# command a local run does (through cell-local.sh, so the cell's own log is <cell>.log as in
# a local run). Resumable like make itself: a cell with a result is not submitted; a cell
# whose job is still queued or running is waited for, not resubmitted; a job that ended
# without a result (failed, cancelled, timed out) is resubmitted.
#
# One trainer per cell: the job runs cell-local.sh, which holds an flock on <cell>.lock while
# it trains; a cell whose lock is held here when make looks at it is waited for, not
# submitted.
#
# Beside the cell: <cell>.slurm, one line per submission "job-id slurm-log date" (the last
# line is the current job), and <cell>.slurm.log, the jobs' output (appended, one header per
# job). Jobs run in this directory with this environment, so the repository (bin/qbench,
# experiments/, the data) and the results directory must be seen at the same paths by the
# nodes.
#
# Environment: SLURM_ARGS, extra sbatch options (split at blanks: "--partition=p --time=4:00:00");
# RUNNER_WAIT=1 (default) waits for the job and fails when it leaves no result, 0 returns at
# once (a later `make tables`, or a rerun, collects); RUNNER_POLL, the longest pause between
# two squeue polls in seconds (default 30).
set -u

out=$1
shift
cell=$(basename "$out" .json)
dir=$(cd "$(dirname "$out")" && pwd) || exit 1
rec=${out%.json}.slurm
slog=$dir/$cell.slurm.log
here=$(cd "$(dirname "$0")/../.." && pwd)

# A chained cell (CELL_CHAIN=1 from the make fragment): the chain's bookkeeping runs here
# first (`run-cell --prepare`: a parent whose run failed or whose checkpoint is gone loses
# its result, a child made from an older checkpoint of its parent loses its own), so that the
# result found below is one that still holds.
if [ -n "${CELL_CHAIN:-}" ]; then
    "$@" --prepare || exit 1
fi

[ -e "$out" ] && exit 0

# A runner here holds the cell's lock (cell-local.sh): it is being trained. Wait for it
# instead of submitting a job that would only wait on the node (RUNNER_WAIT=0: leave it).
lock=${out%.json}.lock
if [ -e "$lock" ] && ! flock -n "$lock" true 2>/dev/null; then
    [ "${RUNNER_WAIT:-1}" = 0 ] && { echo "$cell: being trained by another runner"; exit 0; }
    echo "$cell: another runner is training this cell; waiting for it"
    flock "$lock" true
    [ -e "$out" ] && { echo "$cell: trained by the other runner meanwhile -> $out"; exit 0; }
fi

# The cell's threads (run-cell --threads N) are the job's CPUs.
threads_of() {
    while [ $# -gt 1 ]; do
        [ "$1" = --threads ] && { echo "$2"; return; }
        shift
    done
    echo 1
}

# One argument as a single-quoted shell word, for --wrap.
quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# "STATE|NODES|REASON" of a job; STATE is GONE once the controller has forgotten it. Fails
# (with squeue's message on stderr) when the controller cannot be asked.
job_state() {
    s=$(squeue -h -t all -j "$1" -o '%T|%N|%r' 2>/dev/null) && { echo "${s:-GONE||}"; return 0; }
    s=$(squeue -h -t all -j "$1" 2>&1 >/dev/null)
    case $s in
        *"Invalid job id"*) echo "GONE||" ;;
        *) echo "$s" >&2; return 1 ;;
    esac
}

is_ended() {
    case ${1%%|*} in
        COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|GONE) return 0 ;;
        *) return 1 ;;
    esac
}

# Polls until the job ends (pauses doubling up to RUNNER_POLL); prints its final state. A
# controller that stays unreachable is an error; the job stays recorded for the next run.
wait_job() {
    pause=1 last='' fails=0
    while :; do
        if st=$(job_state "$1"); then
            fails=0
            is_ended "$st" && { echo "$st"; return 0; }
            [ "${st%%|*}" = "${last%%|*}" ] || echo "$cell: job $1 ${st%%|*}" >&2
            last=$st
        else
            fails=$((fails + 1))
            [ $fails -lt 10 ] || { echo "$cell: cannot reach the Slurm controller about job $1; rerun make to wait for it again" >&2; return 1; }
        fi
        sleep "$pause"
        pause=$((pause * 2))
        [ $pause -le "${RUNNER_POLL:-30}" ] || pause=${RUNNER_POLL:-30}
    done
}

# Why job $1, in final state $2, left no result: the last lines of its part of the log, or,
# when it ran without even opening its log, the shared-filesystem requirement it broke.
explain() {
    state=${2%%|*} rest=${2#*|}
    node=${rest%%|*} reason=${rest#*|}
    own=$(sed -n "/^== job $1 /,\$p" "$slog" 2>/dev/null)
    if [ -n "$own" ]; then
        echo "$cell: job $1 ended $state without a result; last lines of $slog:"
        printf '%s\n' "$own" | tail -n 5 | sed 's/^/  /'
    elif [ "$state" = GONE ]; then
        echo "$cell: job $1 is no longer known to Slurm and left no result and no log in $slog"
    elif [ -n "$node" ]; then
        echo "$cell: job $1 ended $state ($reason) on $node without writing its log $slog:" \
             "the results directory $dir is not writable from the node. The results directory," \
             "bin/qbench and the data must be on a filesystem the nodes share, at the same paths."
    else
        echo "$cell: job $1 ended $state ($reason) before it started"
    fi
}

# Whether the cell has its result once its job ended in state $1. A completed job's result
# can take a while to show here on a network filesystem (attribute caching): up to a minute.
has_result() {
    [ -e "$out" ] && return 0
    [ "${1%%|*}" = COMPLETED ] || return 1
    for _ in $(seq 30); do
        sleep 2
        [ -e "$out" ] && return 0
    done
    return 1
}

# Waits for job $id; succeeds when it left the result. Interrupting make leaves the job
# running: the next make waits for it again.
attach() {
    trap 'echo "$cell: job $id left running (make waits for it again; scancel $id stops it)" >&2; exit 130' INT TERM
    st=$(wait_job "$id") || exit 1
    if has_result "$st"; then
        tail -n 1 "$slog" 2>/dev/null
        return 0
    fi
    explain "$id" "$st" >&2
    echo "$cell: the next make resubmits it" >&2
    return 1
}

# The recorded job: still queued or running, then wait for it (or leave it, RUNNER_WAIT=0);
# ended since make looked for the result, done; ended without a result, say why and submit anew.
if [ -s "$rec" ]; then
    id=$(tail -n 1 "$rec" | cut -d' ' -f1)
    st=$(job_state "$id") || { echo "$cell: cannot ask Slurm about job $id" >&2; exit 1; }
    if ! is_ended "$st"; then
        [ "${RUNNER_WAIT:-1}" = 0 ] && { echo "$cell: job $id ${st%%|*}"; exit 0; }
        attach
        exit
    fi
    has_result "$st" && { tail -n 1 "$slog" 2>/dev/null; exit 0; }
    explain "$id" "$st" >&2
    echo "$cell: resubmitting" >&2
fi

# A child whose parent's job is still queued or running (RUNNER_WAIT=0) runs after it, and
# only if it succeeds; Slurm cancels it otherwise and the next make resubmits both in order.
after_parent() {
    [ -n "${CELL_PARENT:-}" ] && [ ! -e "$CELL_PARENT.json" ] && [ -s "$CELL_PARENT.slurm" ] || return 0
    pid=$(tail -n 1 "$CELL_PARENT.slurm" | cut -d' ' -f1)
    pst=$(job_state "$pid") || return 1
    is_ended "$pst" || echo "--dependency=afterok:$pid --kill-on-invalid-dep=yes"
}
dep=$(after_parent) || { echo "$cell: cannot ask Slurm about its parent's job" >&2; exit 1; }

wrap="echo \"== job \$SLURM_JOB_ID on \$(hostname), \$(date)\"; exec"
for a in sh "$here/bench/scripts/cell-local.sh" "$out" "$@"; do
    wrap="$wrap $(quote "$a")"
done
set -f
# shellcheck disable=SC2086 # SLURM_ARGS and dep are lists of options, split at blanks
id=$(sbatch --parsable ${SLURM_ARGS:-} $dep --job-name="qbench-$cell" \
            --cpus-per-task="$(threads_of "$@")" --output="$slog" --open-mode=append \
            --chdir="$PWD" --wrap="$wrap") || { echo "$cell: sbatch failed" >&2; exit 1; }
set +f
id=${id%%;*}
echo "$id $slog $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$rec"

if [ "${RUNNER_WAIT:-1}" = 0 ]; then
    echo "$cell: submitted job $id"
    exit 0
fi
attach
