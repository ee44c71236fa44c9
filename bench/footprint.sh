#!/usr/bin/env bash
# Footprint of the station firmware against a bare libwebsockets client, for
# the host and for the ARM targets (docs/cross.md):
#   size    stripped (strip --strip-all) copies of station_sim and
#           bare_lws_client, both built -c opt; for station_sim also its own
#           code: the stripped size less the statically linked SQLite and
#           C++ runtime (the sizes of the symbols that libsqlite3.a,
#           libstdc++.a and libgcc_eh.a define)
#   memory  peak RSS of station_sim over one full charging session against
#           the project's central system (boot, plug in, RFID, start, 3 meter
#           values at 1 s, stop, unplug), and of bare_lws_client doing its
#           minimal session (connect, one BootNotification answered), plain
#           and with OpenSSL initialised; both measured the same way: VmHWM
#           from /proc/PID/status, polled until the process has exited.
#           ARM binaries run under qemu-user, so their figure is the
#           emulator's process (guest pages plus qemu's own); bare_lws_client
#           under the same emulator is the yardstick.
#   libs    the shared libraries each binary needs (readelf NEEDED)
# and prints the ratios station_sim / bare_lws_client.
#
#   bench/footprint.sh [host] [arm64] [armhf]   from the repo root (default: host)
#   ./run bench footprint [TARGET...]           the same
#   bazel run -c opt //bench:footprint          host only
set -euo pipefail

log() { printf 'footprint: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

for tool in strip readelf nm awk timeout stat; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing (Debian: binutils, coreutils, gawk/mawk)"
done

targets=("$@")
((${#targets[@]})) || targets=(host)
for t in "${targets[@]}"; do
  case "$t" in host | arm64 | armhf) ;; *) die "unknown target '$t' (host, arm64, armhf)" ;; esac
done

# Per target: bazel flags, binutils prefix, emulator, multiarch lib dir.
flags_of() { case "$1" in host) echo "-c opt" ;; *) echo "-c opt --config=$1" ;; esac; }
prefix_of() { case "$1" in host) echo "" ;; arm64) echo aarch64-linux-gnu- ;; armhf) echo arm-linux-gnueabihf- ;; esac; }
qemu_of() { case "$1" in host) echo "" ;; arm64) echo qemu-aarch64-static ;; armhf) echo qemu-arm-static ;; esac; }
libdir_of() { case "$1" in host) echo /usr/lib/x86_64-linux-gnu ;; *) echo "/usr/lib/$(prefix_of "$1" | sed 's/-$//')" ;; esac; }

declare -A station_bin bare_bin
if [[ -n "${BUILD_WORKSPACE_DIRECTORY:-}" && -x bench/footprint_csms && -x station/station_sim ]]; then
  # Under `bazel run`: the host binaries are runfiles of this sh_binary.
  [[ "${targets[*]}" == host ]] || die "under bazel run only the host; run bench/footprint.sh for ARM"
  station_bin[host]=$PWD/station/station_sim
  bare_bin[host]=$PWD/bench/bare_lws_client
  csms=$PWD/bench/footprint_csms
else
  cd "$(dirname "$0")/.."
  [[ -f WORKSPACE ]] || die "run it from the repository (no WORKSPACE in $PWD)"
  command -v bazel >/dev/null 2>&1 || die "bazel is missing (./run setup installs it)"
  build_log=/tmp/ocpp16-footprint-build.log
  : >"$build_log"
  log "building footprint_csms (host) with -c opt"
  bazel build -c opt //bench:footprint_csms >>"$build_log" 2>&1 ||
    { tail -20 "$build_log" >&2; die "bazel build failed (log: $build_log)"; }
  csms=$(bazel info -c opt bazel-bin 2>/dev/null)/bench/footprint_csms
  for t in "${targets[@]}"; do
    [[ "$t" == host ]] || tools/cross/setup.sh "$t"
    log "building station_sim and bare_lws_client for $t with -c opt"
    # shellcheck disable=SC2046  # the flags are words
    bazel build $(flags_of "$t") //station:station_sim //bench:bare_lws_client >>"$build_log" 2>&1 ||
      { tail -20 "$build_log" >&2; die "bazel build failed (log: $build_log)"; }
    # shellcheck disable=SC2046
    bin=$(bazel info $(flags_of "$t") bazel-bin 2>/dev/null) || die "bazel info failed"
    station_bin[$t]=$bin/station/station_sim
    bare_bin[$t]=$bin/bench/bare_lws_client
  done
fi
[[ -x "$csms" ]] || die "not built: $csms"

tmp=$(mktemp -d /tmp/ocpp16-footprint.XXXXXX)
cleanup() {
  local rc=$?
  if [[ $rc -eq 0 ]]; then rm -rf "$tmp"; else log "failed; logs kept in $tmp"; fi
}
trap cleanup EXIT

size_of() { stat -c %s "$1"; }
needed() { readelf -d "$1" | awk -F'[][]' '/NEEDED/ { printf "%s%s", sep, $2; sep=" " }'; }
# Bytes of the symbols in BINARY that ARCHIVE defines (text, data, rodata).
archive_bytes() {
  local nm=$1 binary=$2 archive=$3
  "$nm" --defined-only "$archive" 2>/dev/null | awk 'NF == 3 { print "A", $3 }' >"$tmp/archive_syms"
  "$nm" -S -t d --defined-only "$binary" | awk 'NF == 4 { print "B", $4, $2 }' >"$tmp/binary_syms"
  awk '$1 == "A" { mine[$2] = 1; next }
       $1 == "B" && ($2 in mine) { sum += $3 }
       END { printf "%d\n", sum }' "$tmp/archive_syms" "$tmp/binary_syms"
}
# value FILE NAME KEY: from "result NAME k=v ..." lines.
value() {
  awk -v n="$2" -v k="$3" '$1 == "result" && $2 == n {
    for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"
}
peak() {
  local kib
  kib=$(value "$1" "$2" vmhwm_kib)
  [[ -n "$kib" && "$kib" != 0 ]] || die "no peak RSS for $2 (see $1)"
  echo "$kib"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

declare -A row_station row_bare ratios libs
for t in "${targets[@]}"; do
  prefix=$(prefix_of "$t")
  qemu=$(qemu_of "$t")
  dir=$tmp/$t
  mkdir -p "$dir"
  for f in "${station_bin[$t]}" "${bare_bin[$t]}"; do [[ -x "$f" ]] || die "not built: $f"; done
  "${prefix}strip" --strip-all -o "$dir/station_sim" "${station_bin[$t]}"
  "${prefix}strip" --strip-all -o "$dir/bare_lws_client" "${bare_bin[$t]}"
  sqlite=$(archive_bytes "${prefix}nm" "${station_bin[$t]}" "$(libdir_of "$t")/libsqlite3.a")
  # The C++ runtime, when linked in (//third_party:static_cxx_runtime).
  runtime=0
  for archive in libstdc++.a libgcc_eh.a; do
    path=$("${prefix}gcc" -print-file-name="$archive")
    if [[ -f "$path" ]]; then
      runtime=$((runtime + $(archive_bytes "${prefix}nm" "${station_bin[$t]}" "$path")))
    fi
  done

  log "$t: one station_sim session and the bare client against tools/csms${qemu:+ (under $qemu)}"
  CROSS_EXEC_WRAPPER=${qemu:+$(command -v "$qemu")} timeout 300 "$csms" \
    --station-sim "$dir/station_sim" --bare-client "$dir/bare_lws_client" \
    --work-dir "$dir" >"$dir/results.txt" ||
    { cat "$dir/results.txt" >&2; die "the $t session run failed or timed out"; }

  station_size=$(size_of "$dir/station_sim")
  bare_size=$(size_of "$dir/bare_lws_client")
  station_rss=$(peak "$dir/results.txt" station_sim)
  bare_rss=$(peak "$dir/results.txt" bare_lws_client)
  bare_ssl_rss=$(peak "$dir/results.txt" bare_lws_client_ssl_init)
  frames=$(awk '$1 == "session" { sub("frames=", "", $3); print $3 }' "$dir/results.txt")
  row_station[$t]=$(printf '%-6s %-27s %11s %11s %13s   %s' "$t" station_sim "$station_size" \
    "$((station_size - sqlite - runtime))" "$station_rss" "full charging session, ${frames:-?} OCPP frames")
  row_bare[$t]=$(printf '%-6s %-27s %11s %11s %13s   %s\n%-6s %-27s %11s %11s %13s   %s' \
    "$t" bare_lws_client "$bare_size" - "$bare_rss" "connect + 1 BootNotification" \
    "$t" "bare_lws_client --ssl-init" "(same)" - "$bare_ssl_rss" "the same, OpenSSL initialised")
  ratios[$t]=$(printf '  %-6s stripped size %s, peak RSS %s (%s against --ssl-init)' "$t" \
    "$(ratio "$station_size" "$bare_size")" "$(ratio "$station_rss" "$bare_rss")" \
    "$(ratio "$station_rss" "$bare_ssl_rss")")
  libs[$t]=$(printf '  %-6s station_sim:     %s\n  %-6s bare_lws_client: %s' \
    "$t" "$(needed "$dir/station_sim")" "$t" "$(needed "$dir/bare_lws_client")")
done

echo "footprint: -c opt, stripped copies; $(date -u +%Y-%m-%d), $(nproc) cores"
echo "own code B = stripped B less the statically linked SQLite and C++ runtime; ARM peak RSS is qemu-user's process"
printf '%-6s %-27s %11s %11s %13s   %s\n' target binary "stripped B" "own code B" "peak RSS KiB" session
for t in "${targets[@]}"; do
  echo "${row_station[$t]}"
  echo "${row_bare[$t]}"
done
echo
echo "ratio station_sim / bare_lws_client:"
for t in "${targets[@]}"; do echo "${ratios[$t]}"; done
echo
echo "shared libraries (not in the sizes above):"
for t in "${targets[@]}"; do echo "${libs[$t]}"; done
