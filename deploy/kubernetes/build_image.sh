#!/usr/bin/env bash
# Builds the station_fleet image from the -c opt binary:
#   deploy/kubernetes/build_image.sh IMAGE[:TAG]     (from anywhere in the repo)
# Stages the stripped binary and the Containerfile in a temporary directory
# and builds it with docker or podman, whichever is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:?usage: deploy/kubernetes/build_image.sh IMAGE[:TAG]}
bazel build -c opt //station/fleet:station_fleet
context=$(mktemp -d /tmp/station-fleet-image.XXXXXX)
trap 'rm -rf "$context"' EXIT
install -m 0755 -s "$(bazel info -c opt bazel-bin)/station/fleet/station_fleet" "$context/"
cp deploy/kubernetes/Containerfile "$context/"
engine=$(command -v docker || command -v podman) || { echo "build_image: no docker or podman" >&2; exit 1; }
"$engine" build -t "$image" -f "$context/Containerfile" "$context"
