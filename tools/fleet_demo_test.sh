#!/usr/bin/env bash
# ./run demo --fleet's script with a small fleet: it prints the summary with
# the fleet's final figures, writes the report it names, and passes
# station_fleet's exit status on. Whether every station was accepted is not
# asserted (that depends on the machine's load); the integration tests do.
set -euo pipefail
demo=$1 fleet=$2 csms=$3
out=$TEST_TMPDIR/demo.out
status=0
"$demo" "$fleet" "$csms" --fleet 20 --duration 6 >"$out" 2>"$TEST_TMPDIR/demo.err" || status=$?
cat "$out"
fail() { echo "FAIL: $*"; cat "$TEST_TMPDIR/demo.err"; exit 1; }
[[ $status -le 1 ]] || fail "exit status $status"
grep -q '^fleet demo summary (20 stations, 6 s' "$out" || fail "no summary"
grep -qE '^  accepted +[0-9]+ of 20$' "$out" || fail "no accepted line"
grep -q 'station_fleet: final' "$TEST_TMPDIR/demo.err" || fail "no final progress line"
report=$(sed -n 's/^  report *//p' "$out")
grep -q '<svg' "$report" || fail "no report at $report"
if [[ $status -eq 0 ]]; then
  grep -q 'held up (exit 0)' "$out" || fail "verdict does not match exit 0"
else
  grep -q 'exit 1' "$out" || fail "verdict does not match exit 1"
fi
rm -rf "$(dirname "$report")"
echo PASS
