#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runner self-tests: boot each case of a cases table (default
# tests/runner/cases, whose header explains the format) with scripts/vm.sh
# and check both its exit status and its failure reason.
#
#   scripts/test-runner.sh [--results FILE] [--map K=K2,...] [CASES]
#
# --map runs the cases on other test kernels: each case of kernel K runs on
# K2 instead, and cases of kernels not mapped are left out (so that
# `make check-all` runs the plain cases on plain-6.12, and the debug ones
# on debug-6.12 and rtdebug-6.12).
#
# Prints one "runner: PASS|FAIL ..." line per case and "runner: N passed,
# N failed"; --results also writes "case <pass|fail> <name>" lines. Exits 1
# if any case failed.
set -euo pipefail

usage="usage: test-runner.sh [--results FILE] [--map K=K2,...] [CASES]"
top=$(cd "$(dirname "$0")/.." && pwd)
results=/dev/null
declare -A map
mapped=0
while [ $# -gt 0 ]; do
	case "$1" in
	--results) results=${2:?$usage}; shift 2 ;;
	--map)
		IFS=, read -ra pairs <<<"${2:?$usage}"
		for p in "${pairs[@]}"; do
			map[${p%%=*}]=${p#*=}
		done
		mapped=1
		shift 2 ;;
	-*) echo "$usage" >&2; exit 2 ;;
	*) break ;;
	esac
done
cases=${1:-$top/tests/runner/cases}
: >"$results"

declare -A built
passed=0
failed=0
n=0
while IFS=$'\t' read -r kernel timeout modules expected; do
	case "$kernel" in '' | '#'*) continue ;; esac
	if [ "$mapped" = 1 ]; then
		[ -n "${map[$kernel]:-}" ] || continue
		kernel=${map[$kernel]}
	fi
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
