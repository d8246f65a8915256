#!/usr/bin/env bash
# Data-parallel training speed on this machine, side by side in one sitting:
#   one    1 process, --threads T, --batch 2B         (one worker, all cores)
#   two    2 workers (--local-workers 2), 1 thread each, --batch B each (the same global batch 2B)
#   towers 1 process, --threads T, --devices 2, --batch 2B (two CPU towers sharing the threads:
#          the cost of towers where there is no second device to run them on)
#   apart  2 independent processes, 1 thread each, --batch B each, at the same time
#          (the same CPU load as "two" without any communication: two minus apart is the
#          cost of the all-reduce and of waiting for the slower worker)
# Prints, per case and round, the median seconds per step over steps WARMUP..STEPS (from the
# chief's metrics.csv 'seconds' rows), steps/s and examples/s (global batch / step time).
#
# usage: tools/bench/workers.sh DATA [ROUNDS] [STEPS] [B]
# example: tools/bench/workers.sh data/ab-train.tfrecord 2 200 4
set -euo pipefail
data=${1:?usage: tools/bench/workers.sh DATA [ROUNDS] [STEPS] [B]}
rounds=${2:-2}
steps=${3:-200}
b=${4:-4}
warmup=50
threads=$(nproc)
here=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
common=(--data "$data" --steps "$steps" --log-every 10 --validate-every 100000 --checkpoint-every 100000 --val-count 16 --limit 400)

# median seconds per step of a run folder's metrics.csv between the warm-up and the end
median_step() {
  awk -F, -v w=$warmup '$3=="seconds" && $1>=w {print $1, $4}' "$1/metrics.csv" | sort -n |
    awk 'NR>1 {d=($2-ps)/($1-pstep); print d} {pstep=$1; ps=$2}' | sort -g |
    awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'
}

report() { # case round seconds-per-step global-batch
  awk -v c="$1" -v r="$2" -v s="$3" -v g="$4" 'BEGIN {printf "%-6s round %d: %.4f s/step, %.2f steps/s, %.1f examples/s (global batch %d)\n", c, r, s, 1/s, g/s, g}'
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $threads cores; data $data; B $b; steps $warmup..$steps"
for round in $(seq 1 "$rounds"); do
  PROVIDE_PROGRESS=off "$here/provide" train "${common[@]}" --run "$out/one-$round" --threads "$threads" --batch $((2 * b)) >"$out/one-$round.log" 2>&1
  report one "$round" "$(median_step "$out/one-$round")" $((2 * b))
  PROVIDE_PROGRESS=off "$here/provide" train "${common[@]}" --run "$out/two-$round" --threads 1 --batch "$b" --local-workers 2 >"$out/two-$round.log" 2>&1
  report two "$round" "$(median_step "$out/two-$round")" $((2 * b))
  PROVIDE_PROGRESS=off "$here/provide" train "${common[@]}" --run "$out/towers-$round" --threads "$threads" --batch $((2 * b)) --devices 2 >"$out/towers-$round.log" 2>&1
  report towers "$round" "$(median_step "$out/towers-$round")" $((2 * b))
  PROVIDE_PROGRESS=off "$here/provide" train "${common[@]}" --run "$out/apart-a-$round" --threads 1 --batch "$b" >"$out/apart-a-$round.log" 2>&1 &
  PROVIDE_PROGRESS=off "$here/provide" train "${common[@]}" --run "$out/apart-b-$round" --threads 1 --batch "$b" --seed 2 >"$out/apart-b-$round.log" 2>&1
  wait
  a=$(median_step "$out/apart-a-$round"); c=$(median_step "$out/apart-b-$round")
  report apart "$round" "$(awk -v a="$a" -v c="$c" 'BEGIN {print (a > c ? a : c)}')" $((2 * b))
done
echo "logs and runs: $out"
