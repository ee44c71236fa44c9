#!/usr/bin/env bash
# qemu_run passes host programs and scripts through unchanged.
set -euo pipefail
run=tools/cross/qemu_run
[[ "$("$run" /bin/echo host elf)" == "host elf" ]]
# shellcheck disable=SC2016  # $1 belongs to the script written here
printf '#!/bin/sh\necho "script $1"\n' >"$TEST_TMPDIR/s.sh"
chmod +x "$TEST_TMPDIR/s.sh"
[[ "$("$run" "$TEST_TMPDIR/s.sh" ok)" == "script ok" ]]
echo PASS
