#!/usr/bin/env bash
# tests/slurm/run.sh - `make test-slurm`: a real single-node Slurm cluster on localhost (Debian's
# slurm-wlm and munge, started here), tools/scan-slurm.sh runs a 3-shard scan as a job array and the
# merge as a dependent job, and the merged features.safetensors must equal a single-process scan
# byte for byte. Nothing is skipped: when munge or Slurm cannot start, the test fails.
# Needs root (the daemons run as root here) and the fixtures in ../shared.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
fx=${HL_FIXTURES:-../shared/fixtures}
work=$root/build/slurm
fail() { echo "test-slurm: FAIL: $*" >&2; for f in "$work"/log/*; do [ -f "$f" ] && { echo "== $f" >&2; tail -n 20 "$f" >&2; }; done; exit 1; }
for c in munged slurmctld slurmd sbatch sinfo; do command -v $c >/dev/null || fail "$c not found (apt-get install slurm-wlm munge)"; done
[ -x build/hooklens ] || fail "build/hooklens is missing (make all)"
[ -d "$fx/models/gemma2-tiny" ] || fail "fixtures missing at $fx"

stop() {
    [ -f "$work/slurmd.pid" ] && kill "$(cat "$work/slurmd.pid")" 2>/dev/null || true
    [ -f "$work/slurmctld.pid" ] && kill "$(cat "$work/slurmctld.pid")" 2>/dev/null || true
    [ -f "$work/munged.pid" ] && kill "$(cat "$work/munged.pid")" 2>/dev/null || true
}
trap stop EXIT
stop
rm -rf "$work" && mkdir -p "$work"/{log,state,spool,munge,run,out}

# munge: a key of our own, its own socket
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
chmod 700 "$work/munge"
munged --force -S "$work/run/munge.sock" --key-file="$work/munge/munge.key" \
    --pid-file="$work/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge/seed" ||
    fail "munged did not start"

host=$(hostname -s)
cpus=$(nproc)
cat > "$work/slurm.conf" <<CONF
ClusterName=hooklens-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/run/munge.sock
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for i in $(seq 1 60); do
    state=$(sinfo -h -N -o %t 2>/dev/null | head -n1 || true)
    [ "$state" = idle ] && break
    sleep 1
done
[ "$state" = idle ] || fail "the node did not become idle (state '$state')"
echo "test-slurm: cluster up ($(sinfo -h -o '%P %D %t'))"

# the corpus: 1500 pseudo-random ids < 512 as a 1-D uint16 .npy (tests/test_scan.c's scan_npy, seed 11)
corpus=$root/tests/slurm/corpus.npy
model=$fx/models/gemma2-tiny
sae=$fx/saes/gemma2-tiny/gemmascope-jumprelu/params.npz
scan=(--hook blocks.2.hook_resid_post --corpus "$corpus" --ctx 20 --top-k 6 --threads 1)
build/hooklens scan "$model" "$sae" "${scan[@]}" --out "$work/single" >/dev/null || fail "single-process scan"
tools/scan-slurm.sh --shards 3 --out "$work/out" --wait "$model" "$sae" "${scan[@]}" || fail "the Slurm jobs failed"
[ -f "$work/out/features.safetensors" ] || fail "no merged output"
cmp "$work/single/features.safetensors" "$work/out/features.safetensors" || fail "merged shards differ from the single-process scan"
echo "test-slurm: 3 shards as a Slurm job array + dependent merge = single-process scan, byte for byte"
echo "1 passed, 0 failed"
