#!/bin/sh
# make test-slurm: starts a real single-node Slurm (Debian's slurm-wlm and munge, installed if
# missing; controller, node daemon and munged configured into a temporary directory) and runs
# the smoke table 4 through it with RUNNER=slurm, checking against a local run: the same
# tables byte for byte, job ids and logs recorded beside each cell, queued cells not
# resubmitted, a cancelled or failed job resubmitted, a finished table submitting nothing, and
# a checked error when the results directory is read-only on the node; a chained cell whose
# parent's job is queued is submitted to run after it. Exit status 0 passed, 1 failed,
# 77 skipped (Slurm cannot be installed or run here). Stops the daemons it started.
set -u
PATH=$PATH:/usr/sbin:/sbin
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
MAKE=${MAKE:-make}
# The runs below set their own variables; none may leak in from a calling make or shell.
unset MAKEFLAGS MFLAGS MAKELEVEL RUNNER RUNNER_WAIT RUNNER_POLL SLURM_ARGS CELL_RUNNER SLURM_JOBS
tmp='' pids='' keep=0

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; keep=1; exit 1; }
ok() { echo "ok: $*"; }

# Every scheduled job cancelled, then the daemons this script started stopped.
cleanup() {
    if [ -n "$pids" ]; then
        scancel --quiet --user="$(id -un)" 2>/dev/null
        sleep 1
        for p in $pids; do kill "$p" 2>/dev/null; done
        for p in $pids; do
            for _ in $(seq 50); do kill -0 "$p" 2>/dev/null && sleep 0.2; done
            kill -9 "$p" 2>/dev/null
        done
    fi
    if [ "$keep" = 1 ]; then echo "daemon logs and results kept in $tmp"; else rm -rf "$tmp"; fi
}

install_slurm() {
    daemons="slurmctld slurmd sbatch squeue scancel scontrol sinfo munged mungekey"
    missing=$(for c in $daemons; do command -v "$c" >/dev/null || printf '%s ' "$c"; done)
    [ -z "$missing" ] && return 0
    command -v apt-get >/dev/null || skip "no apt-get to install slurm-wlm and munge (missing: ${missing% })"
    [ "$(id -u)" = 0 ] || skip "slurm-wlm and munge are not installed and installing them needs root"
    echo "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1; } \
        || skip "apt-get install slurm-wlm munge failed"
    for c in $daemons; do command -v "$c" >/dev/null || skip "$c missing after installing slurm-wlm and munge"; done
}

# A TCP port nothing listens on, from $1 upwards.
free_port() {
    p=$1
    while awk 'NR > 1 && $4 == "0A" {print $2}' /proc/net/tcp /proc/net/tcp6 2>/dev/null \
          | grep -qi ":$(printf '%04X' "$p")\$"; do
        p=$((p + 1))
    done
    echo "$p"
}

start_munge() {
    # munged wants the key private and every directory on the socket's path searchable
    { mkdir -m 700 "$tmp/munge" && mkdir -m 755 "$tmp/munge-run"; } || fail "cannot create $tmp/munge"
    mungekey --create --keyfile="$tmp/munge/munge.key" || fail "mungekey failed"
    munged -F --key-file="$tmp/munge/munge.key" --socket="$tmp/munge-run/munge.socket" \
           --pid-file="$tmp/munge-run/munged.pid" --seed-file="$tmp/munge/munged.seed" \
           --log-file="$tmp/munge/munged.log" > "$tmp/munged.out" 2>&1 &
    pids="$pids $!"
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        [ -S "$tmp/munge-run/munge.socket" ] && return 0
        sleep 0.5
    done
    tail -n 3 "$tmp/munged.out"
    fail "munged did not start"
}

write_slurm_conf() {
    mem=$(awk '/^MemTotal:/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
    ctld_port=$(free_port 16817)
    slurmd_port=$(free_port $((ctld_port + 1)))
    mkdir "$tmp/state" "$tmp/spool"
    # No cgroups (proctrack/linuxproc, task/none, no accounting): runs in containers and VMs.
    cat > "$tmp/slurm.conf" <<EOF
ClusterName=qbenchtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$(id -un)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge-run/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=$mem State=UNKNOWN
PartitionName=qbench Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$tmp/slurm.conf"
}

# slurmd sees $tmp/ro read-only, as a node would a results directory exported read-only;
# without mount namespaces it runs plainly and that check is left out.
start_slurm() {
    slurmctld -D -c > "$tmp/slurmctld.out" 2>&1 &
    pids="$pids $!"
    mkdir "$tmp/ro"
    ro_check=0
    if unshare -m --propagation private true 2>/dev/null; then
        ro_check=1
        # shellcheck disable=SC2016 # $1 and $2 are the inner shell's
        unshare -m --propagation private sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec slurmd -D -N "$2"' \
            sh "$tmp/ro" "$host" > "$tmp/slurmd.out" 2>&1 &
    else
        slurmd -D -N "$host" > "$tmp/slurmd.out" 2>&1 &
    fi
    pids="$pids $!"
    for _ in $(seq 60); do
        [ "$(sinfo -h -n "$host" -o %t 2>/dev/null)" = idle ] && return 0
        sleep 1
    done
    tail -n 5 "$tmp/slurmctld.out" "$tmp/slurmd.out"
    fail "the node did not become idle within 60 s (logs above)"
}

# sbatch through a shim that counts submissions.
count_sbatch() {
    mkdir "$tmp/bin"
    printf '#!/bin/sh\necho "$*" >> "%s/sbatch.calls"\nexec %s "$@"\n' "$tmp" "$(command -v sbatch)" > "$tmp/bin/sbatch"
    chmod +x "$tmp/bin/sbatch"
    : > "$tmp/sbatch.calls"
    PATH=$tmp/bin:$PATH
}
submissions() { wc -l < "$tmp/sbatch.calls"; }

# How many files a glob matched.
count() { if [ -e "$1" ]; then echo $#; else echo 0; fi; }

# make reproduce-table4 PROFILE=smoke CELL_THREADS=1 $@, output in $tmp/<name>.out.
reproduce() {
    name=$1
    shift
    $mk reproduce-table4 PROFILE=smoke CELL_THREADS=1 RUNNER_POLL=1 "$@" > "$tmp/$name.out" 2>&1
}

same_tables() {
    for e in md csv tex; do
        cmp -s "$tmp/local/tables/table4-smoke.$e" "$1/tables/table4-smoke.$e" \
            || fail "table4-smoke.$e of $1 differs from the local run's"
    done
}

# Every cell of $tmp/slurm: $1 submissions recorded, the last a job id and its existing log.
check_records() {
    for j in "$tmp"/local/table4/*.json; do
        c=$(basename "$j" .json)
        rec=$tmp/slurm/table4/$c.slurm
        [ -s "$rec" ] || fail "$c: no job recorded in $rec"
        # shellcheck disable=SC2046 # the record's fields
        set -- $(tail -n 1 "$rec")
        case $1 in ''|*[!0-9]*) fail "$rec: '$1' is not a job id" ;; esac
        [ "$2" = "$tmp/slurm/table4/$c.slurm.log" ] || fail "$rec: log path '$2'"
    done
}

install_slurm
[ "$(id -u)" = 0 ] || skip "slurmd must run as root to start jobs"
host=$(hostname -s)
mk=$MAKE  # the Makefile includes mk/slurm.mk (RUNNER=slurm)
tmp=$(mktemp -d /tmp/qbench-slurm.XXXXXX) || exit 1
chmod 755 "$tmp"
trap cleanup EXIT
trap 'exit 130' INT TERM

start_munge
write_slurm_conf
start_slurm
count_sbatch
ok "single-node Slurm up ($(slurmctld -V), node $host, config $SLURM_CONF)"

reproduce local RESULTS="$tmp/local" || { tail -n 20 "$tmp/local.out"; fail "the local smoke run failed"; }
cells=$(count "$tmp"/local/table4/*.json)
ok "local smoke table 4: $cells cells"

reproduce held RUNNER=slurm RUNNER_WAIT=0 SLURM_ARGS=--hold RESULTS="$tmp/slurm" \
    || { tail -n 20 "$tmp/held.out"; fail "RUNNER_WAIT=0 make failed"; }
[ "$(submissions)" -eq "$cells" ] || fail "RUNNER_WAIT=0: $(submissions) submissions for $cells cells"
[ "$(grep -c -- '--cpus-per-task=1 ' "$tmp/sbatch.calls")" -eq "$cells" ] || fail "jobs not submitted with --cpus-per-task=1"
check_records
[ "$(count "$tmp"/slurm/table4/*.json)" -eq 0 ] || fail "held jobs left results"
grep -q "$cells cell(s) pending" "$tmp/slurm/tables/table4-smoke.md" || fail "the table of held jobs does not report $cells pending cells"
[ "$(squeue -h -t PD -o %i | wc -l)" -eq "$cells" ] || fail "$cells jobs are not pending"
ok "RUNNER_WAIT=0: $cells jobs submitted, recorded beside their cells, make returned, table reports them pending"
chained=$(count "$tmp"/local/table4/*_from*.json)
[ "$chained" -gt 0 ] || fail "the smoke table 4 has no chained cells"
[ "$(grep -c -- '--dependency=afterok:' "$tmp/sbatch.calls")" -eq "$chained" ] \
    || fail "the $chained chained cells were not submitted after their parents' jobs"
ok "RUNNER_WAIT=0: the $chained chained cells submitted with --dependency=afterok on their parents' queued jobs"

reproduce held2 RUNNER=slurm RUNNER_WAIT=0 RESULTS="$tmp/slurm" || fail "second RUNNER_WAIT=0 make failed"
[ "$(submissions)" -eq "$cells" ] || fail "queued cells were submitted again"
ok "queued cells are not resubmitted"

for cancelled in "$tmp"/slurm/table4/*.slurm; do break; done
scancel "$(cut -d' ' -f1 "$cancelled")" || fail "scancel failed"
scontrol release "$(squeue -h -t PD -o %i | paste -sd,)" || fail "scontrol release failed"
reproduce wait RUNNER=slurm RESULTS="$tmp/slurm" || { tail -n 20 "$tmp/wait.out"; fail "RUNNER=slurm make failed"; }
[ "$(submissions)" -eq $((cells + 1)) ] || fail "$(submissions) submissions after one cancelled job, expected $((cells + 1))"
[ "$(wc -l < "$cancelled")" -eq 2 ] || fail "$cancelled: the resubmission is not recorded"
grep -q "resubmitting" "$tmp/wait.out" || fail "the resubmission of the cancelled cell is not reported"
check_records
[ "$(count "$tmp"/slurm/table4/*.json)" -eq "$cells" ] || fail "not every cell has a result"
same_tables "$tmp/slurm"
ok "RUNNER=slurm: waited for $((cells - 1)) jobs, resubmitted the cancelled one; md, csv and tex equal the local run's"

reproduce again RUNNER=slurm RESULTS="$tmp/slurm" || fail "the rerun failed"
[ "$(submissions)" -eq $((cells + 1)) ] || fail "the rerun of a finished table submitted jobs"
same_tables "$tmp/slurm"
ok "a rerun submits nothing"

mkdir "$tmp/fail"
RUNNER_POLL=1 sh bench/scripts/cell-slurm.sh "$tmp/fail/c.json" sh -c 'echo "cell exploded" >&2; exit 1' \
    > "$tmp/fail.out" 2>&1 && fail "a failing job did not fail its cell"
{ grep -q "ended FAILED without a result" "$tmp/fail.out" && grep -q "cell exploded" "$tmp/fail.out"; } \
    || { cat "$tmp/fail.out"; fail "the failed job's state and log are not shown"; }
RUNNER_POLL=1 sh bench/scripts/cell-slurm.sh "$tmp/fail/c.json" sh -c "echo done > $tmp/fail/c.json" \
    > "$tmp/fail2.out" 2>&1 || { cat "$tmp/fail2.out"; fail "the failed cell's resubmission failed"; }
[ "$(wc -l < "$tmp/fail/c.slurm")" -eq 2 ] || fail "the failed cell was not resubmitted"
ok "a failed job shows its log's last lines and is resubmitted by the next run"

if [ "$ro_check" = 1 ]; then
    before=$(submissions)
    reproduce ro RUNNER=slurm RESULTS="$tmp/ro/results" && fail "a results directory read-only on the node did not fail"
    [ "$(submissions)" -gt "$before" ] || fail "no job was submitted for the read-only results directory"
    grep -q "is not writable from the node" "$tmp/ro.out" || { tail -n 5 "$tmp/ro.out"; fail "the read-only results directory is not named"; }
    ok "results directory read-only on the node: $(grep -m 1 "is not writable from the node" "$tmp/ro.out" | cut -c 1-160)..."
else
    echo "note: no mount namespaces here; the read-only results directory check was not run"
fi
echo "PASSED: make test-slurm"
