#!/usr/bin/env bash
# Peak memory of training against the amount of training data: streamed (--shuffle-buffer) and
# read into memory, at 1x and 4x the data. Prints, for each run, the peak resident set size
# (/usr/bin/time -v: the JVM heap as it grew, TensorFlow's native memory, the clips held) and the
# largest Java heap still in use after a garbage collection (from -Xlog:gc: the live data, which
# the RSS hides behind the heap's lazy growth and shrinking).
#
# usage: tools/bench/stream-memory.sh DIR [STEPS] [BUFFER]
#   DIR holds train-00.tfrecord .. train-03.tfrecord (equal files; train-00 is 1x, all four 4x), e.g.
#   for i in 0 1 2 3; do ./provide data generate --frames 51 --count 500 --seed $((100+i)) --out DIR/train-0$i.tfrecord; done
set -euo pipefail
dir=${1:?usage: tools/bench/stream-memory.sh DIR [STEPS] [BUFFER]}
steps=${2:-30}
buffer=${3:-256}
here=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
cat "$dir"/train-0[0-3].tfrecord >"$out/all.tfrecord" # 4x as one file, for reading into memory
common=(--steps "$steps" --validate-every 100000 --checkpoint-every 100000 --limit 100000)

peak() { # name args...
  local name=$1
  shift
  PROVIDE_JAVA_OPTS="-Xmx8g -Xlog:gc:file=$out/$name.gc" PROVIDE_PROGRESS=off /usr/bin/time -v "$here/provide" train "${common[@]}" --run "$out/$name" "$@" >"$out/$name.log" 2>&1
  local kb
  kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$out/$name.log")
  local seqs
  seqs=$(grep -o 'on [0-9]* sequences' "$out/$name.log" | head -1 | grep -o '[0-9]*')
  local live
  live=$(grep -o '[0-9]*M->[0-9]*M' "$out/$name.gc" | sed 's/.*->//; s/M//' | sort -n | tail -1)
  printf '%-12s %5s training sequences  peak RSS %6.0f MB  largest heap after GC %5s MB\n' "$name" "$seqs" \
    "$(echo "$kb / 1024" | bc -l)" "${live:-?}"
}

echo "data: $dir ($(du -sh "$dir"/train-00.tfrecord | cut -f1) per file), $steps steps, shuffle buffer $buffer"
peak stream-1x --data "$dir/train-00.tfrecord" --shuffle-buffer "$buffer"
peak stream-4x --data "$dir/train-0[0-3].tfrecord" --shuffle-buffer "$buffer"
peak memory-1x --data "$dir/train-00.tfrecord"
peak memory-4x --data "$out/all.tfrecord"
echo "logs: $out"
