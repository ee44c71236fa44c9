#!/usr/bin/env bash
# Runs each libFuzzer target (built by `./run fuzz`) for a while, starting
# from its seed corpus; new inputs go to a scratch dir, crashes to fuzz/crashes.
#   tools/run_fuzzers.sh [seconds per target, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
# bazel-bin follows the last build's config; ask for the fuzz config's tree.
root=$(bazel info --config=fuzz bazel-bin 2>/dev/null)
bin=$root/fuzz
mkdir -p fuzz/crashes
run_one() {  # binary corpus-dir name
  local work
  work=$(mktemp -d)
  echo "fuzzing $3 for ${seconds}s (scratch corpus $work)"
  "$1" "$work" "$2" -max_total_time="$seconds" -max_len=65536 \
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
