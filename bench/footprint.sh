#!/usr/bin/env bash
# Footprint of the station firmware against a bare libwebsockets client:
#   size    stripped (strip --strip-all) copies of station_sim and
#           bare_lws_client, both built -c opt
#   memory  peak RSS of station_sim over one full charging session against
#           the project's central system (boot, plug in, RFID, start, 3 meter
#           values at 1 s, stop, unplug), and of bare_lws_client doing its
#           minimal session (connect, one BootNotification answered), plain
#           and with OpenSSL initialised; both measured the same way: VmHWM
#           from /proc/PID/status, polled until the process has exited
# and prints the ratios station_sim / bare_lws_client.
#
#   bench/footprint.sh                 from the repo root (builds with bazel -c opt)
#   ./run bench footprint              the same through `bazel run -c opt //bench:footprint`
set -euo pipefail

log() { printf 'footprint: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

for tool in strip readelf awk timeout stat; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing (Debian: binutils, coreutils, gawk/mawk)"
done

if [[ -n "${BUILD_WORKSPACE_DIRECTORY:-}" && -x bench/footprint_csms && -x station/station_sim ]]; then
  # Under `bazel run`: the binaries are runfiles of this sh_binary.
  station_sim=$PWD/station/station_sim
  bare_client=$PWD/bench/bare_lws_client
  csms=$PWD/bench/footprint_csms
else
  cd "$(dirname "$0")/.."
  [[ -f WORKSPACE ]] || die "run it from the repository (no WORKSPACE in $PWD)"
  command -v bazel >/dev/null 2>&1 || die "bazel is missing (./run setup installs it)"
  log "building station_sim, bare_lws_client and footprint_csms with -c opt"
  bazel build -c opt //station:station_sim //bench:bare_lws_client //bench:footprint_csms \
    >/tmp/ocpp16-footprint-build.log 2>&1 ||
    { tail -20 /tmp/ocpp16-footprint-build.log >&2; die "bazel build failed (log: /tmp/ocpp16-footprint-build.log)"; }
  bin=$(bazel info -c opt bazel-bin 2>/dev/null) || die "bazel info failed"
  station_sim=$bin/station/station_sim
  bare_client=$bin/bench/bare_lws_client
  csms=$bin/bench/footprint_csms
fi
for f in "$station_sim" "$bare_client" "$csms"; do
  [[ -x "$f" ]] || die "not built: $f"
done

tmp=$(mktemp -d /tmp/ocpp16-footprint.XXXXXX)
cleanup() {
  local rc=$?
  if [[ $rc -eq 0 ]]; then rm -rf "$tmp"; else log "failed; logs kept in $tmp"; fi
}
trap cleanup EXIT

strip --strip-all -o "$tmp/station_sim" "$station_sim"
strip --strip-all -o "$tmp/bare_lws_client" "$bare_client"
size_of() { stat -c %s "$1"; }
needed() { readelf -d "$1" | awk -F'[][]' '/NEEDED/ { printf "%s%s", sep, $2; sep=" " }'; }

log "running one station_sim session and the bare client against tools/csms (a few seconds)"
timeout 120 "$csms" --station-sim "$tmp/station_sim" --bare-client "$tmp/bare_lws_client" \
  --work-dir "$tmp" >"$tmp/results.txt" ||
  { cat "$tmp/results.txt" >&2; die "the session run failed or timed out"; }

# value NAME KEY: from "result NAME k=v ..." lines.
value() {
  awk -v n="$1" -v k="$2" '$1 == "result" && $2 == n {
    for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$tmp/results.txt"
}
peak() {
  local kib
  kib=$(value "$1" vmhwm_kib)
  [[ -n "$kib" && "$kib" != 0 ]] || die "no peak RSS for $1 (see $tmp/results.txt)"
  echo "$kib"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

station_size=$(size_of "$tmp/station_sim")
bare_size=$(size_of "$tmp/bare_lws_client")
station_rss=$(peak station_sim)
bare_rss=$(peak bare_lws_client)
bare_ssl_rss=$(peak bare_lws_client_ssl_init)
frames=$(awk '$1 == "session" { sub("frames=", "", $3); print $3 }' "$tmp/results.txt")

echo "footprint: -c opt, stripped copies; $(date -u +%Y-%m-%d), $(nproc) cores"
printf '%-28s %14s %14s   %s\n' "binary" "stripped B" "peak RSS KiB" "session"
printf '%-28s %14s %14s   %s\n' "station_sim" "$station_size" "$station_rss" \
  "full charging session, ${frames:-?} OCPP frames"
printf '%-28s %14s %14s   %s\n' "bare_lws_client" "$bare_size" "$bare_rss" \
  "connect + 1 BootNotification"
printf '%-28s %14s %14s   %s\n' "bare_lws_client --ssl-init" "(same)" "$bare_ssl_rss" \
  "the same, OpenSSL initialised"
echo
echo "ratio station_sim / bare_lws_client:"
echo "  stripped size          $(ratio "$station_size" "$bare_size")"
echo "  peak RSS               $(ratio "$station_rss" "$bare_rss")  ($(ratio "$station_rss" "$bare_ssl_rss") against --ssl-init)"
echo
echo "shared libraries (not in the sizes above):"
echo "  station_sim:     $(needed "$tmp/station_sim")"
echo "  bare_lws_client: $(needed "$tmp/bare_lws_client")"
