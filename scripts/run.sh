#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run`: boot the plain test kernel with cmwq.ko and the example driver,
# show what they print, and give a one-line verdict.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
if [ ! -f "$("$top/scripts/kernel.sh" --dir plain)/.cmwq-built" ]; then
	echo "make run: the first run builds a small test kernel: 4 to 8 minutes on 2 cores,"
	echo "make run: cached in ~/.cache/cmwq for later runs, which take seconds."
fi
out=$(mktemp)
pools=$(mktemp)
trap 'rm -f "$out" "$pools"' EXIT
# Once the example has run: each pool's workers and counters, from debugfs,
# and the queues' statistics through scripts/cmwq-stat.
cat >"$pools" <<'GUEST'
echo "cmwq-pools: the pools after the example driver ran (/sys/kernel/debug/cmwq/pools):"
sed 's/^/cmwq-pools: /' /sys/kernel/debug/cmwq/pools
echo "cmwq-stat: the queues, as scripts/cmwq-stat shows them:"
cmwq-stat | sed 's/^/cmwq-stat: /'
GUEST
status=0
"$top/scripts/vm-test.sh" --kernel plain --show 'cmwq' --expect 'cmwq-example: ok' \
	--guest-script "$pools" examples/cmwq_example.ko | tee "$out" || status=$?
if [ "$status" = 0 ]; then
	echo "make run: OK: cmwq loaded, the example driver's smoke test passed, both unloaded cleanly"
else
	reason=$(sed -n 's/^vm: FAIL: //p' "$out" | head -n 1)
	grep -q '^vm: booting' "$out" || reason="the modules did not build (see the compiler output above)"
	echo "make run: FAILED: ${reason:-see the messages above}"
fi
exit "$status"
