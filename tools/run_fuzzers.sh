#!/usr/bin/env bash
# Runs each libFuzzer target (built by `./run fuzz`) for a while, starting
# from its seed corpus; new inputs go to a scratch dir, crashes to fuzz/crashes.
#   tools/run_fuzzers.sh [seconds per target, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
bin=bazel-bin/fuzz
for target in frame_decode rpc_dispatch; do
  work=$(mktemp -d)
  mkdir -p fuzz/crashes
  echo "fuzzing $target for ${seconds}s (scratch corpus $work)"
  "$bin/${target}_fuzzer" "$work" "fuzz/corpus/$target" -max_total_time="$seconds" \
    -max_len=65536 -artifact_prefix="fuzz/crashes/${target}-" -print_final_stats=1
done
