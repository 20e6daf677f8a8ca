#!/usr/bin/env bash
# Checks that the di_* symbols exported by the shared library are exactly the di_* functions declared in the
# public header: no undeclared export, no declaration without an export.
#
# Usage: check_exports.sh path/to/libdepthwise_interop.so path/to/depthwise_interop.h
# Exit:  0 when the sets are equal, 1 on a mismatch (each difference printed), 2 on a usage or tool error.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 path/to/libdepthwise_interop.so path/to/depthwise_interop.h" >&2
    exit 2
fi
library=$1
header=$2
[ -e "$library" ] || { echo "check_exports.sh: no such library: $library" >&2; exit 2; }
[ -f "$header" ] || { echo "check_exports.sh: no such header: $header" >&2; exit 2; }

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

# Exported: dynamic, defined symbols named di_*, without their @@VERSION / @VERSION suffix.
if ! nm -D --defined-only "$library" > "$workdir/nm.txt"; then
    echo "check_exports.sh: nm -D failed on $library" >&2
    exit 2
fi
awk '{ name = $NF; sub(/@.*/, "", name); if (name ~ /^di_/) print name }' "$workdir/nm.txt" \
    | LC_ALL=C sort -u > "$workdir/exported.txt"

# Declared: every function declarator di_*( in the header, after removing comments, string literals and
# preprocessor directives (continued lines included), so macros and prose never count as declarations.
perl -0777 -ne '
    s{/\*.*?\*/}{ }gs;          # block comments
    s{//[^\n]*}{}g;              # line comments
    s{"(?:\\.|[^"\\\n])*"}{""}g; # string literals
    s{\\\n}{}g;                  # line continuations
    s{^[ \t]*#[^\n]*}{}gm;       # preprocessor directives
    while (/\b(di_[A-Za-z0-9_]*)\s*\(/g) { print "$1\n"; }
' "$header" | LC_ALL=C sort -u > "$workdir/declared.txt"

if [ ! -s "$workdir/declared.txt" ]; then
    echo "check_exports.sh: found no di_* function declarations in $header" >&2
    exit 2
fi
if [ ! -s "$workdir/exported.txt" ]; then
    echo "check_exports.sh: $library exports no di_* symbols" >&2
    exit 1
fi

LC_ALL=C comm -23 "$workdir/exported.txt" "$workdir/declared.txt" > "$workdir/undeclared.txt"
LC_ALL=C comm -13 "$workdir/exported.txt" "$workdir/declared.txt" > "$workdir/unexported.txt"

status=0
while IFS= read -r name; do
    echo "exported but not declared in $(basename "$header"): $name"
    status=1
done < "$workdir/undeclared.txt"
while IFS= read -r name; do
    echo "declared in $(basename "$header") but not exported: $name"
    status=1
done < "$workdir/unexported.txt"

count=$(wc -l < "$workdir/declared.txt" | tr -d ' ')
if [ $status -eq 0 ]; then
    echo "exports match the header: $count functions ($(tr '\n' ' ' < "$workdir/declared.txt" | sed 's/ $//'))"
else
    echo "exports do not match the header" >&2
fi
exit $status
