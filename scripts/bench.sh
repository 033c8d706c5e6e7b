#!/usr/bin/env bash
# Runs every benchmark of the project and writes docs/benchmarks.md.
# Heavy benchmarks size themselves from POSNODE_BENCH_FULL=1, which this
# script sets; the ones that measure latency percentiles run a fixed
# number of iterations; the rest run for BENCHTIME (default 2s).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
export POSNODE_BENCH_FULL=1
# Each group starts with the dirty pages of the one before written out,
# so that one group's writeback does not land in the next one's times.
bench() { sync; go test -run '^$' -timeout 60m "$@" | tee -a "$out"; }
bench -bench . -benchtime "${BENCHTIME:-2s}" ./pos/... ./hardware/...
bench -bench 'BenchmarkScanToCart$' -benchtime 10000x ./cmd/posnode
bench -bench 'BenchmarkLoad$' -benchtime 20x ./cmd/posnode
bench -bench 'BenchmarkSerialScanToDOM$' -benchtime 1000x ./ui/browsertest
bench -bench 'BenchmarkFirstScreen$' -benchtime 20x ./ui/browsertest
bench -bench 'BenchmarkParseCatalogPage$' -benchtime "${BENCHTIME:-2s}" ./syncqueue
bench -bench 'BenchmarkCatalogIngest$' -benchtime 5x ./syncqueue
bench -bench 'BenchmarkDrain$' -benchtime 3x ./syncqueue
bench -bench 'BenchmarkFleet$' -benchtime 1x ./syncqueue
go run ./cmd/benchreport -intro docs/benchmarks.intro.md <"$out" >docs/benchmarks.md
echo "wrote docs/benchmarks.md"
