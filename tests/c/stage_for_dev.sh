#!/usr/bin/env bash
# Stages a built libdepthwise_interop into an install prefix, the way the project Makefile does, for
# developing the C consumer tests without the Makefile.
#
# Usage: tests/c/stage_for_dev.sh [PREFIX] [BUILT_LIBRARY]
#   PREFIX         default: tests/c/build/prefix
#   BUILT_LIBRARY  default: build/native/libdepthwise_interop.so (from `dotnet publish ... -o build/native`)
#
# Result:
#   PREFIX/include/depthwise_interop.h
#   PREFIX/lib/libdepthwise_interop.so.1                      (the real file)
#   PREFIX/lib/libdepthwise_interop.so -> libdepthwise_interop.so.1
#   PREFIX/lib/pkgconfig/depthwise_interop.pc                 (@PREFIX@ = absolute PREFIX, @VERSION@ = <Version>)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
native="$root/csharp/DepthwiseInterop.Native"

prefix=${1:-$here/build/prefix}
library=${2:-$root/build/native/libdepthwise_interop.so}

[ -f "$library" ] || { echo "stage_for_dev.sh: $library not found: build it with dotnet publish first" >&2; exit 1; }
version=$(sed -n 's:.*<Version>\([^<]*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n 1)
[ -n "$version" ] || { echo "stage_for_dev.sh: no <Version> in Directory.Build.props" >&2; exit 1; }

mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"

cp "$native/include/depthwise_interop.h" "$prefix/include/depthwise_interop.h"
rm -f "$prefix/lib/libdepthwise_interop.so" "$prefix/lib/libdepthwise_interop.so.1"
cp -L "$library" "$prefix/lib/libdepthwise_interop.so.1"
ln -s libdepthwise_interop.so.1 "$prefix/lib/libdepthwise_interop.so"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" "$native/depthwise_interop.pc.in" \
    > "$prefix/lib/pkgconfig/depthwise_interop.pc"

echo "staged libdepthwise_interop $version into $prefix"
