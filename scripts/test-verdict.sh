#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Verdict self-tests: scripts/vm-verdict.py on the hand-written console
# logs of tests/verdict/ (see its README), without booting anything.  Each
# NAME.log must make it print exactly NAME.expect, and nothing on stderr.
#
#   scripts/test-verdict.sh [--results FILE]
#
# Prints one "verdict: PASS|FAIL NAME" line per log and "verdict: N
# passed, N failed"; --results also writes "case <pass|fail> <name>"
# lines. Exits 1 if any case failed.
set -euo pipefail

usage="usage: test-verdict.sh [--results FILE]"
top=$(cd "$(dirname "$0")/.." && pwd)
results=/dev/null
while [ $# -gt 0 ]; do
	case "$1" in
	--results) results=${2:?$usage}; shift 2 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
: >"$results"
kunit_py="$("$top/scripts/kernel.sh" --src)/tools/testing/kunit/kunit.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
for log in "$top"/tests/verdict/*.log; do
	name=$(basename "$log" .log)
	# the verdict writes LOG.results, LOG.ktap and LOG.kunit beside LOG
	cp "$log" "$work/$name.log"
	python3 "$top/scripts/vm-verdict.py" --log "$work/$name.log" \
		--kunit-py "$kunit_py" >"$work/$name.out" 2>"$work/$name.err" || true
	same=1
	diff -u "$top/tests/verdict/$name.expect" "$work/$name.out" >"$work/$name.diff" || same=0
	if [ "$same" = 1 ] && [ ! -s "$work/$name.err" ]; then
		passed=$((passed + 1))
		echo "verdict: PASS $name"
		printf 'case\tpass\t%s\n' "$name" >>"$results"
	else
		failed=$((failed + 1))
		echo "verdict: FAIL $name"
		sed 's/^/verdict:   /' "$work/$name.diff" "$work/$name.err"
		printf 'case\tfail\t%s\n' "$name" >>"$results"
	fi
done
echo "verdict: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
