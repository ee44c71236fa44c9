#!/usr/bin/env bash
# --run_under wrapper of --config=arm64/armhf: runs an ARM test binary under
# qemu-user (no binfmt_misc needed) and anything else (sh_test, py_test
# scripts, host tools) directly. The ARM programs a test starts cannot be
# exec'ed by the kernel either: the config's --test_env=CROSS_EXEC_WRAPPER
# makes the tests' exec helper (tools/cross/exec_wrapper.h) and scripts put
# the emulator in front.
# The ARM libraries come from Debian's multiarch packages, found by the ARM
# dynamic loader (/lib/ld-linux-aarch64.so.1, /lib/ld-linux-armhf.so.3), so
# qemu needs no -L.
set -euo pipefail

binary=$1
# e_machine, bytes 18-19 of an ELF header (little endian).
machine=$(od -An -tx1 -j18 -N2 "$binary" 2>/dev/null | tr -d ' \n' || true)
magic=$(od -An -c -N4 "$binary" 2>/dev/null | tr -d ' \n' || true)
qemu=
if [[ "$magic" == '177ELF' ]]; then
  case "$machine" in
    b700) qemu=/usr/bin/qemu-aarch64-static ;;
    2800) qemu=/usr/bin/qemu-arm-static ;;
  esac
fi
if [[ -z "$qemu" ]]; then exec "$@"; fi
[[ -x "$qemu" ]] || { echo "qemu_run: $qemu is missing (./run cross installs qemu-user-static)" >&2; exit 1; }
exec "$qemu" "$@"
