#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each.
set -euo pipefail
FUZZTIME=${FUZZTIME:-30s}
go list -f '{{.Dir}} {{.ImportPath}}' ./... | while read -r dir pkg; do
	for f in $(grep -hoE '^func (Fuzz[A-Za-z0-9_]+)' "$dir"/*_test.go 2>/dev/null | awk '{print $2}' | sort -u); do
		echo "fuzz $pkg $f ($FUZZTIME)"
		go test -run '^$' -fuzz "^$f\$" -fuzztime "$FUZZTIME" "$pkg" >/tmp/posnode-fuzz.log 2>&1 || { cat /tmp/posnode-fuzz.log; exit 1; }
	done
done
echo "fuzz: all targets ran for $FUZZTIME each"
