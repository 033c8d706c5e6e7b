#!/usr/bin/env bash
# Runs the domain, storage and device packages' tests built for 32 bits
# (as for armv7 boxes) as linux/386. Where this machine cannot execute a
# 386 binary (a kernel or sandbox without 32-bit support), the tests are
# still compiled and vetted for 386, which catches what a 32-bit int
# breaks at compile time, and the script says that they were not run.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
pkgs=(./pos/... ./hardware/...)
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'package main\n\nfunc main() {}\n' >"$probe/main.go"
if GOARCH=386 "$GO" build -o "$probe/probe" "$probe/main.go" && "$probe/probe" 2>/dev/null; then
	GOARCH=386 "$GO" test -count=1 "${pkgs[@]}"
	exit 0
fi
echo "test-32bit: this machine cannot execute linux/386 binaries; building and vetting the tests for 386 instead of running them"
GOARCH=386 "$GO" vet "${pkgs[@]}"
GOARCH=386 "$GO" test -count=1 -c -o "$probe/" "${pkgs[@]}"
echo "test-32bit: built $(ls "$probe" | grep -c '\.test$') test binaries for 386; none was run"
