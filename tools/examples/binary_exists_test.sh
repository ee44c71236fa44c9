#!/bin/sh
# The example must build and print its usage line when run without arguments.
# shellcheck disable=SC2086  # the emulator under --config=arm64/armhf, or nothing
${CROSS_EXEC_WRAPPER:-} "$1" 2>&1 | grep -q "usage:" || { echo "example did not print its usage"; exit 1; }
