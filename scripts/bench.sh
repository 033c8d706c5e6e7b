#!/usr/bin/env bash
# Runs every benchmark of the project and writes docs/benchmarks.md.
# BENCHTIME (default 2s) sets -benchtime; heavy benchmarks size themselves
# from POSNODE_BENCH_FULL=1, which this script sets.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
export POSNODE_BENCH_FULL=1
go test -run '^$' -bench . -benchtime "${BENCHTIME:-2s}" -timeout 60m ./... | tee "$out"
go run ./cmd/benchreport -intro docs/benchmarks.intro.md <"$out" >docs/benchmarks.md
echo "wrote docs/benchmarks.md"
