#!/usr/bin/env bash
# station_fleet against the project's central system (tools/csms:fleet_csms)
# on this machine, one process each:
#   memory     VmRSS and Private_Dirty of station_fleet with N idle stations
#              (all connected and accepted, no sessions), per station beyond
#              the N=1 run; open descriptors per station
#   cpu        N stations running sessions with MeterValues every 5 s:
#              station_fleet's user+system CPU over a steady window divided by
#              the CALLs the central system received in it (each CALL is a
#              request and its answer)
#   storm      the central system drops every connection at once; when the
#              stations came back (p10/p50/p90/last seconds, per second)
# Beside memory and cpu, the baseline: as many bare libwebsockets client
# connections in one process (bench/idle_lws_clients.cc), idle, then sending
# Heartbeats at the rate the fleet's CALLs came in; the fleet's figures are
# also given as multiples of it.
#
#   bench/fleet_bench.sh [N ...]     default: 1 100 1000 (from the repo root)
#   FLEET_BENCH_PHASES="memory cpu storm" (default: all three); cpu and storm
#   run at the last N.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf 'fleet_bench: %s\n' "$*" >&2; }
counts=("${@:-1 100 1000}")
read -r -a counts <<<"${counts[*]}"

# FLEET_BENCH_BIN=DIR: binaries already built with -c opt (DIR/station/fleet/...).
bin=${FLEET_BENCH_BIN:-}
if [[ -z "$bin" ]]; then
  bazel build -c opt //station/fleet:station_fleet //tools/csms:fleet_csms //bench:idle_lws_clients \
    >/tmp/fleet-bench-build.log 2>&1 ||
    { tail -20 /tmp/fleet-bench-build.log >&2; exit 1; }
  bin=$(bazel info -c opt bazel-bin 2>/dev/null)
fi
fleet=$bin/station/fleet/station_fleet
csms=$bin/tools/csms/fleet_csms
bare=$bin/bench/idle_lws_clients
tmp=$(mktemp -d /tmp/fleet-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))

# start_csms NAME [flags]: sets csms_pid, waits for its listening line.
start_csms() {
  local name=$1; shift
  port=$((port + 1))
  "$csms" --port "$port" "$@" >"$tmp/$name.csms" 2>&1 &
  csms_pid=$!; pids+=("$csms_pid")
  for _ in $(seq 50); do grep -q listening "$tmp/$name.csms" && return; sleep 0.1; done
  log "fleet_csms did not start"; exit 1
}
# last_csms NAME FIELD: the field of the central system's last counter line.
last_csms() { grep '^{"t"' "$tmp/$1.csms" | tail -1 | sed -E "s/.*\"$2\":([0-9]+).*/\1/"; }
wait_boots() {  # NAME N TIMEOUT_S
  for _ in $(seq $(($3 * 10))); do
    [[ "$(last_csms "$1" boots 2>/dev/null || echo 0)" -ge "$2" ]] && return 0; sleep 0.1
  done
  return 1
}
phase() { [[ " ${FLEET_BENCH_PHASES:-memory cpu storm} " == *" $1 "* ]]; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

if phase memory; then
echo "## memory and descriptors (idle stations)"
declare -A rss dirty bare_rss bare_dirty
for n in "${counts[@]}"; do
  start_csms "idle$n"
  "$fleet" --csms "ws://127.0.0.1:$port" --count "$n" --data-dir "$tmp/idle$n" --idle-mean 1e6 \
    --ramp-up $((n / 200 + 1)) --stats-interval 5 --log-level error >"$tmp/idle$n.out" 2>"$tmp/idle$n.err" &
  fpid=$!; pids+=("$fpid")
  if ! wait_boots "idle$n" "$n" $((n / 50 + 30)); then
    log "N=$n: only $(last_csms "idle$n" boots) of $n booted; $(tail -2 "$tmp/idle$n.err")"
  fi
  sleep 3
  rss[$n]=$(awk '/^VmRSS/ { print $2 }' "/proc/$fpid/status")
  dirty[$n]=$(awk '/^Private_Dirty/ { print $2 }' "/proc/$fpid/smaps_rollup")
  fds=$(ls "/proc/$fpid/fd" | wc -l)
  i0=$(cpu_ticks "$fpid"); sleep 10; i1=$(cpu_ticks "$fpid")
  echo "N=$n connected=$(last_csms "idle$n" connections) VmRSS=${rss[$n]}KiB Private_Dirty=${dirty[$n]}KiB fds=$fds idle_cpu=$(((i1 - i0) * 1000 / hz / 10))ms/s"
  stop0=$(date +%s.%N)
  kill -TERM "$fpid"; wait "$fpid" || true
  echo "N=$n graceful stop (SIGTERM to exit: close frames, every storage synced): $(awk -v a="$stop0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
  kill "$csms_pid"; wait "$csms_pid" 2>/dev/null || true

  start_csms "bare$n"
  "$bare" --url "ws://127.0.0.1:$port" --count "$n" --ramp-up $((n / 200 + 1)) >"$tmp/bare$n.out" 2>&1 &
  bpid=$!; pids+=("$bpid")
  wait_boots "bare$n" "$n" $((n / 50 + 30)) || log "baseline N=$n: only $(last_csms "bare$n" boots) connected"
  sleep 3
  bare_rss[$n]=$(awk '/^VmRSS/ { print $2 }' "/proc/$bpid/status")
  bare_dirty[$n]=$(awk '/^Private_Dirty/ { print $2 }' "/proc/$bpid/smaps_rollup")
  i0=$(cpu_ticks "$bpid"); sleep 10; i1=$(cpu_ticks "$bpid")
  echo "baseline N=$n connected=$(last_csms "bare$n" connections) VmRSS=${bare_rss[$n]}KiB Private_Dirty=${bare_dirty[$n]}KiB fds=$(ls "/proc/$bpid/fd" | wc -l) idle_cpu=$(((i1 - i0) * 1000 / hz / 10))ms/s"
  kill "$bpid"; wait "$bpid" 2>/dev/null || true
  kill "$csms_pid"; wait "$csms_pid" 2>/dev/null || true
done
base=${counts[0]}
for n in "${counts[@]:1}"; do
  awk -v n="$n" -v b="$base" -v r="${rss[$n]}" -v rb="${rss[$base]}" -v d="${dirty[$n]}" -v db="${dirty[$base]}" \
    -v br="${bare_rss[$n]}" -v brb="${bare_rss[$base]}" -v bd="${bare_dirty[$n]}" -v bdb="${bare_dirty[$base]}" \
    'BEGIN { s = (r - rb) / (n - b); c = (br - brb) / (n - b);
             printf "per idle station (N=%d vs N=%d): VmRSS %.1f KiB, Private_Dirty %.1f KiB; ", n, b, s, (d - db) / (n - b)
             printf "bare lws connection: VmRSS %.1f KiB, Private_Dirty %.1f KiB; station/bare %.1fx\n", c, (bd - bdb) / (n - b), (c > 0 ? s / c : 0) }'
done
fi

n=${counts[-1]}
if phase cpu; then
echo "## cpu per message (N=$n, sessions, MeterValues every 5 s)"
echo '{"MeterValueSampleInterval": "5", "HeartbeatInterval": "30"}' >"$tmp/cfg.json"
start_csms "cpu" --heartbeat 30
"$fleet" --csms "ws://127.0.0.1:$port" --count "$n" --data-dir "$tmp/cpu" --idle-mean 20 --charge-mean 40 \
  --ramp-up 5 --config "$tmp/cfg.json" --stats-interval 5 --log-level error >"$tmp/cpu.out" 2>"$tmp/cpu.err" &
fpid=$!; pids+=("$fpid")
wait_boots cpu "$n" 60 || log "not every station booted"
sleep 10
c0=$(last_csms cpu calls); t0=$(cpu_ticks "$fpid"); s0=$(cpu_ticks "$csms_pid")
sleep 30
c1=$(last_csms cpu calls); t1=$(cpu_ticks "$fpid"); s1=$(cpu_ticks "$csms_pid")
echo "in sessions: VmRSS=$(awk '/^VmRSS/ { print $2 }' "/proc/$fpid/status")KiB data_dir=$(du -sk "$tmp/cpu" | cut -f1)KiB"
kill -TERM "$fpid"; wait "$fpid" || true
kill "$csms_pid"; wait "$csms_pid" 2>/dev/null || true
awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) -v s=$((s1 - s0)) -v hz="$hz" \
  'BEGIN { printf "calls=%d in 30 s (%.0f/s); station_fleet cpu %.2f s = %.1f us per CALL; fleet_csms cpu %.2f s = %.1f us per CALL\n", c, c / 30, t / hz, t / hz / c * 1e6, s / hz, s / hz / c * 1e6 }'
grep '"final"' "$tmp/cpu.out" || true

# The baseline at the same number of connections and the same CALL rate.
interval=$(awk -v c=$((c1 - c0)) -v n="$n" 'BEGIN { printf "%.3f", (c > 0 ? n * 30 / c : 5) }')
start_csms "cpubare"
"$bare" --url "ws://127.0.0.1:$port" --count "$n" --ramp-up 5 --call-interval "$interval" >"$tmp/cpubare.out" 2>&1 &
bpid=$!; pids+=("$bpid")
wait_boots cpubare "$n" 60 || log "baseline: not every connection came up"
sleep 10
b0=$(last_csms cpubare calls); bt0=$(cpu_ticks "$bpid")
sleep 30
b1=$(last_csms cpubare calls); bt1=$(cpu_ticks "$bpid")
kill "$bpid"; wait "$bpid" 2>/dev/null || true
kill "$csms_pid"; wait "$csms_pid" 2>/dev/null || true
awk -v n="$n" -v c=$((b1 - b0)) -v t=$((bt1 - bt0)) -v hz="$hz" -v fc=$((c1 - c0)) -v ft=$((t1 - t0)) \
  'BEGIN { b = c > 0 ? t / hz / c * 1e6 : 0; f = fc > 0 ? ft / hz / fc * 1e6 : 0
           printf "baseline: %d bare connections, calls=%d in 30 s (%.0f/s); cpu %.2f s = %.1f us per CALL; station/bare %.1fx\n", n, c, c / 30, t / hz, b, (b > 0 ? f / b : 0) }'
fi

if phase storm; then
echo "## reconnect storm (N=$n idle; the central system drops everything at t=20 s)"
start_csms "storm" --drop-at 20 --duration 100
"$fleet" --csms "ws://127.0.0.1:$port" --count "$n" --data-dir "$tmp/storm" --idle-mean 1e6 \
  --ramp-up 5 --stats-interval 5 --log-level error >"$tmp/storm.out" 2>"$tmp/storm.err" &
fpid=$!; pids+=("$fpid")
for _ in $(seq 900); do grep -q reconnect_storm "$tmp/storm.csms" && break; sleep 0.1; done
grep -E 'reconnect_storm|"drop"' "$tmp/storm.csms" || log "no storm result"
kill -TERM "$fpid"; wait "$fpid" || true
kill "$csms_pid"; wait "$csms_pid" 2>/dev/null || true
fi
rm -rf "$tmp"
