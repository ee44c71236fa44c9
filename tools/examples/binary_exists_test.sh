#!/bin/sh
# The example must build and print its usage line when run without arguments.
"$1" 2>&1 | grep -q "usage:" || { echo "example did not print its usage"; exit 1; }
