#!/usr/bin/env bash
# Runs the C consumer suite against an installed (staged) libdepthwise_interop:
#   - the prefix layout (lib/libdepthwise_interop.so -> libdepthwise_interop.so.1, SONAME, header, .pc)
#   - consumer_test.c (C11) and header_cpp_test.cpp (C++17), compiled with -Wall -Wextra -Werror -pedantic
#     through pkg-config only, linked against the dev symlink, run with LD_LIBRARY_PATH=PREFIX/lib
#   - check_exports.sh: exported di_* symbols == functions declared in the header
#   - robustness (C11, same strict flags, -pthread):
#       fuzz_abi.c          seeded fuzzer over every exported function (FUZZ_TEST_SEED, FUZZ_TEST_ITERATIONS)
#       concurrency_test.c  8 threads x 1,000 calls, results and per-thread error messages
#       memory_test.c       resident set over 100,000 calls after a warm-up, and over short-lived threads
#   - tools/benchmarks/two_builds.c compiles (same strict flags; not run)
#
# Usage: tests/c/run.sh PREFIX
# Environment: CC (default gcc), CXX (default g++), OUT_DIR (default tests/c/build/run),
#              FUZZ_TEST_SEED (default 20251125), FUZZ_TEST_ITERATIONS (default 10000): the fuzzer run here
#              (`make fuzz` runs a long one, see fuzz.sh).
# Exit: 0 when everything passed, 1 otherwise.
set -uo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 PREFIX" >&2
    exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ -d "$1" ] || { echo "run.sh: no such prefix: $1" >&2; exit 1; }
prefix=$(cd "$1" && pwd -P)
out=${OUT_DIR:-$here/build/run}
cc=${CC:-gcc}
cxx=${CXX:-g++}
lib="$prefix/lib"
header="$prefix/include/depthwise_interop.h"

failures=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

rm -rf "$out"
mkdir -p "$out"

echo "== prefix layout: $prefix"
[ -f "$header" ] && ok "include/depthwise_interop.h" || fail "missing $header"
if [ -f "$lib/libdepthwise_interop.so.1" ] && [ ! -L "$lib/libdepthwise_interop.so.1" ]; then
    ok "lib/libdepthwise_interop.so.1 is a regular file"
else
    fail "lib/libdepthwise_interop.so.1 is missing or not a regular file"
fi
if [ -L "$lib/libdepthwise_interop.so" ] && [ "$(readlink "$lib/libdepthwise_interop.so")" = libdepthwise_interop.so.1 ]; then
    ok "lib/libdepthwise_interop.so -> libdepthwise_interop.so.1"
else
    fail "lib/libdepthwise_interop.so is not a symlink to libdepthwise_interop.so.1"
fi
soname=$(readelf -d "$lib/libdepthwise_interop.so.1" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$soname" = libdepthwise_interop.so.1 ] && ok "SONAME is libdepthwise_interop.so.1" \
    || fail "SONAME is '${soname}', expected libdepthwise_interop.so.1"

echo "== pkg-config"
export PKG_CONFIG_PATH="$lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
if ! pkg-config --exists --print-errors depthwise_interop; then
    fail "pkg-config does not find depthwise_interop in $lib/pkgconfig"
    echo "run.sh: $failures failure(s)"
    exit 1
fi
pc_prefix=$(pkg-config --variable=prefix depthwise_interop)
if [ -d "$pc_prefix" ] && [ "$(cd "$pc_prefix" && pwd -P)" = "$prefix" ]; then
    ok "depthwise_interop.pc prefix is $pc_prefix"
else
    fail "depthwise_interop.pc prefix is '$pc_prefix', expected $prefix"
fi
version=$(pkg-config --modversion depthwise_interop)
[ -n "$version" ] && ok "depthwise_interop.pc Version is $version" || fail "depthwise_interop.pc has an empty Version"
cflags=$(pkg-config --cflags depthwise_interop)
libs=$(pkg-config --libs depthwise_interop)
echo "cflags: $cflags"
echo "libs:   $libs"

echo "== build"
strict=(-Wall -Wextra -Werror -pedantic)
built_c=0
built_cxx=0
# shellcheck disable=SC2086 # pkg-config output is a word list
if "$cc" -std=c11 "${strict[@]}" $cflags -o "$out/consumer_test" "$here/consumer_test.c" $libs -lm; then
    ok "consumer_test.c compiles with $cc -std=c11 ${strict[*]}"
    built_c=1
else
    fail "consumer_test.c does not compile"
fi
# shellcheck disable=SC2086
if "$cxx" -std=c++17 "${strict[@]}" $cflags -o "$out/header_cpp_test" "$here/header_cpp_test.cpp" $libs; then
    ok "header_cpp_test.cpp compiles with $cxx -std=c++17 ${strict[*]}"
    built_cxx=1
else
    fail "header_cpp_test.cpp does not compile"
fi
robustness=(fuzz_abi concurrency_test memory_test)
declare -A built_robust
for name in "${robustness[@]}"; do
    built_robust[$name]=0
    # shellcheck disable=SC2086
    if "$cc" -std=c11 "${strict[@]}" -pthread $cflags -o "$out/$name" "$here/$name.c" $libs -lm; then
        ok "$name.c compiles with $cc -std=c11 ${strict[*]} -pthread"
        built_robust[$name]=1
    else
        fail "$name.c does not compile"
    fi
done
# The A/B tool of tools/benchmarks (not run here: it times two builds), kept compiling against the header.
if "$cc" -std=c11 "${strict[@]}" -I"$prefix/include" -o "$out/two_builds" "$here/../../tools/benchmarks/two_builds.c" -ldl; then
    ok "tools/benchmarks/two_builds.c compiles with $cc -std=c11 ${strict[*]}"
else
    fail "tools/benchmarks/two_builds.c does not compile"
fi
if [ $built_c -eq 1 ]; then
    needed=$(readelf -d "$out/consumer_test" | sed -n 's/.*(NEEDED).*\[\(libdepthwise_interop[^]]*\)\].*/\1/p')
    [ "$needed" = libdepthwise_interop.so.1 ] && ok "consumer_test records NEEDED libdepthwise_interop.so.1" \
        || fail "consumer_test records NEEDED '${needed}', expected libdepthwise_interop.so.1"
fi

echo "== consumer_test (C)"
if [ $built_c -eq 1 ]; then
    if LD_LIBRARY_PATH="$lib" "$out/consumer_test" "$version"; then ok "consumer_test"; else fail "consumer_test"; fi
fi

echo "== header_cpp_test (C++)"
if [ $built_cxx -eq 1 ]; then
    if LD_LIBRARY_PATH="$lib" "$out/header_cpp_test"; then ok "header_cpp_test"; else fail "header_cpp_test"; fi
fi

# Runs a robustness test, with its wall time.
run_robust() {
    local name=$1
    shift
    echo "== $name $*"
    if [ "${built_robust[$name]}" -ne 1 ]; then
        return
    fi
    local started=$SECONDS
    if LD_LIBRARY_PATH="$lib" "$out/$name" "$@"; then
        ok "$name ($((SECONDS - started)) s)"
    else
        fail "$name ($((SECONDS - started)) s)"
    fi
}
run_robust fuzz_abi "${FUZZ_TEST_SEED:-20251125}" "${FUZZ_TEST_ITERATIONS:-10000}"
run_robust concurrency_test
run_robust memory_test

echo "== check_exports"
if "$here/check_exports.sh" "$lib/libdepthwise_interop.so.1" "$header"; then ok "check_exports"; else fail "check_exports"; fi

echo "=="
if [ $failures -eq 0 ]; then
    echo "run.sh: all C consumer checks passed"
    exit 0
fi
echo "run.sh: $failures failure(s)"
exit 1
