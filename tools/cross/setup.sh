#!/usr/bin/env bash
# Prepares this machine for cross builds to ARCH (arm64 or armhf); called by
# ./run cross and ./run test --config=ARCH. Idempotent: when everything is in
# place it only asks dpkg (well under a second).
#   1. Debian's cross gcc, qemu-user-static and the ARCH packages the build
#      links against, as multiarch packages beside the amd64 ones
#      (dpkg --add-architecture, apt-get).
#   2. A sysroot of the build's own with libwebsockets-dev:ARCH, which cannot
#      be co-installed with the amd64 one (both own /usr/include/lws_config.h):
#      the .debs are unpacked with dpkg-deb -x into
#      ${OCPP16_CROSS_DIR:-~/.cache/ocpp16-cross}/ARCH. The Bazel toolchain
#      (third_party/cross_toolchain.bzl) reads the same path.
# Usage: tools/cross/setup.sh arm64|armhf
set -euo pipefail

log() { printf 'cross: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

arch=${1:-}
case "$arch" in
  arm64) triple=aarch64-linux-gnu ;;
  armhf) triple=arm-linux-gnueabihf ;;
  *) die "usage: $0 arm64|armhf" ;;
esac

# libcurl is only dlopen'ed, but its headers are per architecture in Debian
# (/usr/include/<triple>/curl); libbenchmark-dev lets //... build for ARCH.
packages=(
  "crossbuild-essential-$arch" qemu-user-static
  "libssl-dev:$arch" "libsqlite3-dev:$arch" "libcurl4-openssl-dev:$arch"
  "libbenchmark-dev:$arch" "libwebsockets17:$arch"
)

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
apt_log=/tmp/ocpp16-apt-$arch.log

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

install_packages() {
  local missing=() pkg
  for pkg in "${packages[@]}"; do installed "$pkg" || missing+=("$pkg"); done
  ((${#missing[@]})) || return 0
  export DEBIAN_FRONTEND=noninteractive
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    log "adding the Debian architecture $arch"
    "${sudo[@]}" dpkg --add-architecture "$arch"
  fi
  log "installing Debian packages: ${missing[*]}"
  # The archive's index for a new architecture is only there after an update.
  "${sudo[@]}" apt-get update -q >"$apt_log" 2>&1 || true
  "${sudo[@]}" apt-get install -y -q "${missing[@]}" >>"$apt_log" 2>&1 ||
    { tail -5 "$apt_log" >&2; die "apt-get failed, see $apt_log"; }
}

# The sysroot matches the installed runtime library's version exactly.
prepare_sysroot() {
  local root=${OCPP16_CROSS_DIR:-$HOME/.cache/ocpp16-cross}/$arch
  local version stamp
  version=$(dpkg-query -W -f='${Version}' "libwebsockets17:$arch")
  stamp="libwebsockets-dev:$arch=$version"
  if [[ -f "$root/.stamp" && "$(cat "$root/.stamp")" == "$stamp" ]]; then return 0; fi
  log "unpacking libwebsockets-dev:$arch $version into $root"
  local tmp
  mkdir -p "${root%/*}"
  tmp=$(mktemp -d "${root%/*}/.tmp-$arch.XXXXXX")
  (
    cd "$tmp"
    # apt-get download as root warns that it cannot drop privileges: harmless.
    apt-get download -q "libwebsockets-dev:$arch=$version" "libwebsockets17:$arch=$version" \
      >>"$apt_log" 2>&1 || { tail -5 "$apt_log" >&2; exit 1; }
    mkdir sysroot
    for deb in ./*.deb; do dpkg-deb -x "$deb" sysroot; done
    [[ -f "sysroot/usr/include/lws_config.h" && -e "sysroot/usr/lib/$triple/libwebsockets.so" ]]
  ) || { rm -rf "$tmp"; die "could not unpack libwebsockets-dev:$arch (log: $apt_log)"; }
  echo "$stamp" >"$tmp/sysroot/.stamp"
  rm -rf "$root"
  mv "$tmp/sysroot" "$root"
  rm -rf "$tmp"
}

install_packages
prepare_sysroot
