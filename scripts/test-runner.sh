#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runner self-tests: boot each case of a cases table (default
# tests/runner/cases, whose header explains the format) with scripts/vm.sh
# and check both its exit status and its failure reason.
#
#   scripts/test-runner.sh [--results FILE] [CASES]
#
# Prints one "runner: PASS|FAIL ..." line per case and "runner: N passed,
# N failed"; --results also writes "case <pass|fail> <name>" lines. Exits 1
# if any case failed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
results=/dev/null
if [ "${1:-}" = --results ]; then
	results=${2:?usage: test-runner.sh [--results FILE] [CASES]}
	shift 2
fi
cases=${1:-$top/tests/runner/cases}
: >"$results"

declare -A built
passed=0
failed=0
n=0
while IFS=$'\t' read -r kernel timeout modules expected; do
	case "$kernel" in '' | '#'*) continue ;; esac
	n=$((n + 1))
	name="$kernel:${modules//tests\/fixtures\//}"
	if [ -z "${built[$kernel]:-}" ]; then
		built[$kernel]=$("$top/scripts/build.sh" "$kernel")
	fi
	specs=""
	IFS=+ read -ra mods <<<"$modules"
	for m in "${mods[@]}"; do
		specs="$specs ${built[$kernel]}/$m"
	done
	log="$top/.build/logs/runner-$n-$kernel.log"
	start=$SECONDS
	status=0
	out=$("$top/scripts/vm.sh" --kernel "$kernel" --timeout "$timeout" --hung-task 10 \
		--modules "$specs" --log "$log" 2>&1) || status=$?
	took=$((SECONDS - start))
	reasons=$(grep '^vm: FAIL: ' <<<"$out" || true)
	if [ "$expected" = pass ]; then
		[ "$status" = 0 ] && ok=1 || ok=0
	else
		[ "$status" = 1 ] && grep -qF -- "$expected" <<<"$reasons" && ok=1 || ok=0
	fi
	if [ "$ok" = 1 ]; then
		passed=$((passed + 1))
		echo "runner: PASS $name -> $expected (${took} s)"
		printf 'case\tpass\t%s\n' "$name" >>"$results"
	else
		failed=$((failed + 1))
		echo "runner: FAIL $name: expected '$expected', got exit $status (${took} s, log $log)"
		while IFS= read -r line; do
			echo "runner:   $line"
		done <<<"${reasons:-$(tail -n 3 <<<"$out")}"
		printf 'case\tfail\t%s\n' "$name" >>"$results"
	fi
done <"$cases"
echo "runner: $passed passed, $failed failed"
[ "$failed" = 0 ]
