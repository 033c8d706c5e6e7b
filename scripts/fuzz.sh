#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each: a duration (30s)
# or a number of inputs (1000x). Go 1.26's fuzzing engine can fail a run
# given a duration when it stops at the deadline ("context deadline
# exceeded", no failing input; golang/go#75804), so the short runs of make
# test use a number of inputs, which has no deadline.
set -euo pipefail
FUZZTIME=${FUZZTIME:-30s}
log=$(mktemp)
go list -f '{{.Dir}} {{.ImportPath}}' ./... | while read -r dir pkg; do
	for f in $(grep -hoE '^func (Fuzz[A-Za-z0-9_]+)' "$dir"/*_test.go 2>/dev/null | awk '{print $2}' | sort -u); do
		echo "fuzz $pkg $f ($FUZZTIME)"
		for try in 1 2; do
			if go test -run '^$' -fuzz "^$f\$" -fuzztime "$FUZZTIME" "$pkg" >"$log" 2>&1; then
				break
			fi
			# The fuzzing engine itself can trip over its own deadline
			# ("context deadline exceeded", no failing input): that says
			# nothing about the code, so the target runs again.
			if [ "$try" = 1 ] && grep -q "context deadline exceeded" "$log" && ! grep -q "Failing input" "$log"; then
				echo "  the fuzzing engine missed its deadline; running $f again"
				continue
			fi
			cat "$log"
			exit 1
		done
	done
done
echo "fuzz: every target ran for $FUZZTIME"
