#!/usr/bin/env bash
# ./run demo --fleet [N]: N stations (default 200) of station_fleet against
# the project's central system (fleet_csms) on 127.0.0.1 for about 30 s,
# with station_fleet's live progress line, then a summary and the HTML
# report (docs/fleet.md).
#
#   tools/fleet_demo.sh STATION_FLEET FLEET_CSMS [--fleet [N]] [--duration S]
set -euo pipefail
log() { printf 'demo: %s\n' "$*" >&2; }
usage() { log "usage: fleet_demo.sh STATION_FLEET FLEET_CSMS [--fleet [N]] [--duration S]"; exit 2; }
[[ $# -ge 2 ]] || usage
fleet=$1 csms=$2
shift 2
count=200 duration=30
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fleet) if [[ "${2:-}" =~ ^[0-9]+$ ]]; then count=$2; shift; fi ;;
    --duration) [[ "${2:-}" =~ ^[0-9]+$ ]] || usage; duration=$2; shift ;;
    *) usage ;;
  esac
  shift
done

# ARM builds under emulation: programs run through the wrapper (docs/cross.md).
read -r -a run <<<"${CROSS_EXEC_WRAPPER:-}"
dir=$(mktemp -d /tmp/ocpp16-fleet-demo-XXXXXX)
csms_pid=
trap '[[ -n "$csms_pid" ]] && kill "$csms_pid" 2>/dev/null; true' EXIT
"${run[@]}" "$csms" --port 0 --heartbeat 10 >"$dir/csms.out" 2>&1 &
csms_pid=$!
url=
for _ in $(seq 100); do
  url=$(sed -n 's/^listening //p' "$dir/csms.out")
  [[ -n "$url" ]] && break
  sleep 0.1
done
[[ -n "$url" ]] || { log "fleet_csms did not start: $(cat "$dir/csms.out")"; exit 1; }

# Short plans so that 30 s show sessions: idle ~8 s, charge ~12 s, a
# MeterValues sample every 5 s; first connections spread over 5 s.
echo '{"MeterValueSampleInterval": "5"}' >"$dir/config.json"
ramp=$((duration < 15 ? 1 : 5))
log "$count stations -> $url for ${duration} s (data in $dir)"
status=0
"${run[@]}" "$fleet" --csms "$url" --count "$count" --data-dir "$dir/stations" --ramp-up "$ramp" \
  --duration "$duration" --idle-mean 8 --charge-mean 12 --stats-interval 2 \
  --config "$dir/config.json" --report "$dir/fleet-report.html" >"$dir/stats.jsonl" || status=$?
kill "$csms_pid" 2>/dev/null || true
wait "$csms_pid" 2>/dev/null || true
csms_pid=

final=$(grep '"final":true' "$dir/stats.jsonl" || true)
field() { sed -nE "s/.*\"$1\":([0-9.]+).*/\1/p" <<<"$final"; }
echo
echo "fleet demo summary ($count stations, ${duration} s, central system $url)"
if [[ -n "$final" ]]; then
  echo "  accepted         $(field accepted) of $(field stations)"
  echo "  sessions         $(field sessions_started) started, $(field sessions_completed) completed"
  echo "  CALLs sent       $(field calls) (round trip p50 $(field p50) ms, p99 $(field p99) ms, max $(field max) ms)"
  echo "  problems         $(field callerrors) CALLERRORs, $(field timeouts) timeouts, $(field reconnects) reconnects"
fi
echo "  central system   $(grep '^{"t"' "$dir/csms.out" | tail -1)"
echo "  verdict          $([[ $status -eq 0 ]] && echo "the central system held up (exit 0)" || echo "exit $status (reason above)")"
echo "  statistics       $dir/stats.jsonl"
echo "  report           $dir/fleet-report.html"
exit "$status"
