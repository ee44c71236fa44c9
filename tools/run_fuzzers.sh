#!/usr/bin/env bash
# Runs each libFuzzer target (built by `./run fuzz`) for a while, starting
# from its seed corpus; new inputs go to a scratch dir, crashes to fuzz/crashes.
#   tools/run_fuzzers.sh [seconds per target, default 60]
#   FUZZ_RUNS=10000000 tools/run_fuzzers.sh   # N executions per target instead
# FUZZ_RUNS uses fork mode (-fork=1): a fresh child every few minutes, since
# one long-lived process slows down (x509: 2.5x after 1.5 M; docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
runs=${FUZZ_RUNS:-}
if [[ -n "$runs" && ! "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "run_fuzzers.sh: FUZZ_RUNS must be a positive whole number" >&2
  exit 2
fi
# bazel-bin follows the last build's config; ask for the fuzz config's tree.
root=$(bazel info --config=fuzz bazel-bin 2>/dev/null)
bin=$root/fuzz
mkdir -p fuzz/crashes
run_one() {  # binary corpus-dir name
  local work
  work=$(mktemp -d)
  local budget=(-max_total_time="$seconds")
  [[ -n "$runs" ]] && budget=(-fork=1 -runs="$runs")
  echo "fuzzing $3 for ${runs:-${seconds}s}${runs:+ executions} (scratch corpus $work)"
  "$1" "$work" "$2" "${budget[@]}" -max_len=65536 \
    -artifact_prefix="fuzz/crashes/$3-" -print_final_stats=1
}
run_one "$bin/frame_decode_fuzzer" fuzz/corpus/frame_decode frame_decode
run_one "$bin/rpc_dispatch_fuzzer" fuzz/corpus/rpc_dispatch rpc_dispatch
run_one "$bin/ws_receive_fuzzer" fuzz/corpus/ws_receive ws_receive
run_one "$bin/json_reserialize_fuzzer" fuzz/corpus/json_reserialize json_reserialize
run_one "$bin/mask_secrets_fuzzer" fuzz/corpus/mask_secrets mask_secrets
run_one "$bin/ws_frame_parser_fuzzer" fuzz/corpus/ws_frame_parser ws_frame_parser
run_one "$bin/ws_handshake_fuzzer" fuzz/corpus/ws_handshake ws_handshake
run_one "$root/hal/sim/sim_commands_fuzzer" hal/sim/corpus/sim_commands sim_commands
run_one "$root/station/authorization/local_list_records_fuzzer" \
  station/authorization/corpus/local_list_records local_list_records
run_one "$root/station/smart_charging/charging_profile_fuzzer" \
  station/smart_charging/corpus/charging_profiles charging_profiles
run_one "$bin/redact_credentials_fuzzer" fuzz/corpus/redact_credentials redact_credentials
run_one "$root/station/security/x509_fuzzer" station/security/corpus/x509 x509
