#!/usr/bin/env bash
# Builds tests/c/fuzz_abi.c against an installed (staged) libdepthwise_interop and runs a long fuzzing session:
# the seed is printed first, so that any failure can be replayed (each report prints its replay command).
#
# Usage: tests/c/fuzz.sh PREFIX
# Environment: FUZZ_ITERATIONS (default 1000000), FUZZ_SEED (default "time": derived from the clock),
#              CC (default gcc), OUT_DIR (default tests/c/build/fuzz).
# Exit: 0 when every call passed, 1 otherwise.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 PREFIX" >&2
    exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ -d "$1" ] || { echo "fuzz.sh: no such prefix: $1" >&2; exit 1; }
prefix=$(cd "$1" && pwd -P)
out=${OUT_DIR:-$here/build/fuzz}
cc=${CC:-gcc}
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

mkdir -p "$out"
# shellcheck disable=SC2046 # pkg-config output is a word list
"$cc" -std=c11 -Wall -Wextra -Werror -pedantic -pthread -O2 $(pkg-config --cflags depthwise_interop) \
    -o "$out/fuzz_abi" "$here/fuzz_abi.c" $(pkg-config --libs depthwise_interop) -lm
exec env LD_LIBRARY_PATH="$prefix/lib" "$out/fuzz_abi" "${FUZZ_SEED:-time}" "${FUZZ_ITERATIONS:-1000000}"
