#!/usr/bin/env bash
# tools/scan-slurm.sh - `hooklens scan` as a Slurm job array, and `scan-merge` as a job that starts
# when every shard has finished (afterok). A shard that failed can be re-run alone with
#   sbatch --array=I ... (or hooklens scan ... --shard I/N --out OUT/shard-I), then the merge again.
#
# usage: tools/scan-slurm.sh --shards N --out DIR [--wait] [--hooklens PATH] [--sbatch "OPTS"] \
#            MODEL SAE --corpus FILE... [other `hooklens scan` options]
#   --shards N      the job array's size (shard i of N per task)
#   --out DIR       DIR/shard-I/ per task, then DIR/features.safetensors from the merge
#   --wait          return when the merge job has ended (sbatch --wait), with its exit status
#   --hooklens P    the hooklens binary the nodes run (default: the one next to this script's
#                   build/, else `hooklens` on PATH)
#   --sbatch OPTS   extra sbatch options for both jobs (partition, time, account, ...)
# Prints the two job ids. Paths must be visible from the nodes (a shared file system).
set -euo pipefail
shards= out= wait_flag= hl= extra=
args=()
while [ $# -gt 0 ]; do
    case "$1" in
    --shards) shards=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --wait) wait_flag=--wait; shift ;;
    --hooklens) hl=$2; shift 2 ;;
    --sbatch) extra=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
    esac
done
if [ -z "$shards" ] || [ -z "$out" ] || [ ${#args[@]} -lt 2 ]; then
    sed -n '6,7p' "$0" >&2
    exit 2
fi
case "$shards" in ''|*[!0-9]*|0) echo "scan-slurm: --shards wants a positive whole number" >&2; exit 2 ;; esac
if [ -z "$hl" ]; then
    here=$(cd "$(dirname "$0")/.." && pwd)
    if [ -x "$here/build/hooklens" ]; then hl=$here/build/hooklens; else hl=$(command -v hooklens); fi
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
q() { local s= a; for a in "$@"; do s+="$(printf '%q' "$a") "; done; printf '%s' "${s% }"; } # shell-quoted words
scan_cmd="$(q "$hl" scan "${args[@]}") --shard \$SLURM_ARRAY_TASK_ID/$shards --out $(q "$out")/shard-\$SLURM_ARRAY_TASK_ID"
# shellcheck disable=SC2086
array=$(sbatch --parsable $extra --job-name=hooklens-scan --array=0-$((shards - 1)) \
    --output="$out/shard-%a.log" --wrap="$scan_cmd")
merge_cmd="$(q "$hl" scan-merge) $(for i in $(seq 0 $((shards - 1))); do printf '%s ' "$(q "$out/shard-$i")"; done)--out $(q "$out")"
echo "scan-slurm: shards job $array (${shards} tasks)"
# shellcheck disable=SC2086
merge=$(sbatch --parsable $extra $wait_flag --job-name=hooklens-scan-merge --dependency=afterok:"$array" \
    --kill-on-invalid-dep=yes --output="$out/merge.log" --wrap="$merge_cmd")
echo "scan-slurm: merge job $merge (after $array)"
