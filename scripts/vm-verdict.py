#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge the console log of one scripts/vm.sh run.

usage: vm-verdict.py --log LOG --kunit-py PATH [--timed-out SECONDS]
                     [--expect TEXT]...

The run fails on any KUnit case that did not pass, on any report the kernel
prints when something is wrong (WARNING, BUG, Oops, lockdep, KASAN, ODEBUG,
hung task, soft lockup, RCU stall, panic), on a module that did not load or
unload, on a guest that did not reach its done marker, on the wall-clock
bound, and on an --expect line missing from the console. There is no
allowlist: an expected WARN is still a failure.

KUnit on 6.1 prints a module's suites as indented subtests after the
boot-time "KTAP version 1" / "1..0" header, which kunit.py cannot parse as
is. The suites' lines are stitched into one KTAP document (LOG.ktap), parsed
with the kernel's own kunit.py (output in LOG.kunit), and counted here too;
the two must agree.

Prints one summary line per suite, "vm: N passed, N failed", then "vm: PASS"
or one "vm: FAIL: <reason>" line per reason, and writes LOG.results:
tab-separated "case <pass|fail|skip> <suite.case>", "reason <kunit|other>
<text>" and "verdict <pass|fail>" lines. Exits 1 if the run failed.
"""

import argparse
import re
import subprocess
import sys

TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')

# Kernel reports, most specific first; a line counts for the first match.
REPORTS = [
    ('KASAN', re.compile(r'BUG: KASAN: ')),
    ('lockdep', re.compile(
        r'possible circular locking|possible recursive locking|'
        r'inconsistent lock state|suspicious RCU usage|INFO: lockdep|'
        r'WARNING: possible |bad unlock balance detected|held lock freed|'
        r'lock held when returning to user space|'
        r'Nested lock was not taken')),
    ('hung task', re.compile(r'INFO: task \S+ blocked for more than')),
    ('soft lockup', re.compile(r'soft lockup')),
    ('RCU stall', re.compile(r'detected stalls? on CPUs|self-detected stall')),
    # cmwq's own watchdog; a report a test provoked says "expected stall"
    ('cmwq stall', re.compile(r'cmwq: stall: ')),
    # a flush's reports (waits.c); provoked ones say "expected"
    ('cmwq flush blocked', re.compile(r'cmwq: flush blocked: ')),
    ('cmwq wait cycle', re.compile(r'cmwq: wait cycle: ')),
    ('debugobjects', re.compile(r'ODEBUG:')),
    ('kernel BUG', re.compile(r'kernel BUG at')),
    ('kernel WARNING', re.compile(r'WARNING:')),
    ('BUG', re.compile(r'BUG:')),
    ('Oops', re.compile(r'Oops: |Oops#')),
    ('kernel panic', re.compile(r'Kernel panic')),
]

# Taint flags that mean something went wrong, in case the console lost it.
BAD_TAINTS = {5: 'B (bad page)', 7: 'D (oops)', 9: 'W (warning)',
              14: 'L (soft lockup)'}

KTAP_LINE = re.compile(
    r'^(?P<indent> *)(?P<body>KTAP version \d+|TAP version \d+|'
    r'# Subtest: .*|\d+\.\.\d+|(?:not )?ok \d+.*|# .*)$')
RESULT = re.compile(r'^(?P<not>not )?ok \d+(?: -)? (?P<name>.*?)'
                    r'(?P<skip> # SKIP.*)?$', re.IGNORECASE)
SUITE_STATS = re.compile(r'^# \S+: pass:\d+ fail:\d+ skip:\d+ total:\d+$')
MARKER = re.compile(r'^cmwq-vm: (?P<what>.*)$')
# The guest's /init and the kernel share the serial console: a kernel line
# can land on the end of a marker line before the marker's newline, or a
# marker on the end of a kernel line. A printk timestamp or a marker that
# is not at the start of a line starts another one.
GLUED = re.compile(r'(?<=.)(?=\[\s*\d+\.\d+\]|cmwq-vm: )')
# Markers that carry a number: the guest script's exit status, the taint.
NUMBERED = re.compile(r'^(?P<key>guest script exit|tainted) (?P<n>\d+)$')


def clean(line):
    """Returns a console line's parts (see GLUED), each without its carriage
    return or printk timestamp.
    """
    line = line.rstrip('\r\n').replace('\r', '')
    return [TIMESTAMP.sub('', part) for part in GLUED.split(line)]


class Suite:
    """One KUnit suite as collect_kunit() found it."""

    def __init__(self, name):
        self.name = name
        self.planned = None
        self.cases = []          # (name, 'pass' | 'fail' | 'skip')
        self.finished = False


def collect_kunit(lines):
    """Returns the suites found and the stitched KTAP lines."""
    suites = []
    ktap = []
    current = None
    header = None               # a suite's own "KTAP version" line
    for line in lines:
        m = KTAP_LINE.match(line)
        if not m:
            continue
        indent, body = len(m.group('indent')), m.group('body')
        if indent == 0:
            # Top level: only a module suite's end line and stats belong.
            if current is None:
                continue
            r = RESULT.match(body)
            if r and not SUITE_STATS.match(body):
                current.finished = True
                current = None
                ktap.append(line)
            elif SUITE_STATS.match(body):
                ktap.append(line)
            continue
        if indent == 4 and body.startswith('KTAP version'):
            header = line
            continue
        if indent == 4 and body.startswith('# Subtest: '):
            current = Suite(body[len('# Subtest: '):].strip())
            suites.append(current)
            if header:
                ktap.append(header)
        if current is None:
            continue
        ktap.append(line)
        if indent != 4:
            continue
        if re.match(r'^\d+\.\.\d+$', body) and current.planned is None:
            current.planned = int(body.split('..')[1])
            continue
        r = RESULT.match(body)
        if r:
            status = 'skip' if r.group('skip') else (
                'fail' if r.group('not') else 'pass')
            current.cases.append((r.group('name').strip(), status))
    return suites, ktap


def run_kunit_py(kunit_py, ktap_path):
    """Returns (exit status, tests run, failed) from kunit.py parse."""
    proc = subprocess.run([sys.executable, kunit_py, 'parse', ktap_path],
                          capture_output=True, text=True, check=False)
    out = proc.stdout + proc.stderr
    ran = failed = 0
    m = re.search(r'Ran (\d+) tests?', out)
    if m:
        ran = int(m.group(1))
        f = re.search(r'Ran \d+ tests?:.*?\bfailed: (\d+)', out)
        failed = int(f.group(1)) if f else 0
    return proc.returncode, ran, failed, out


class Console:
    """What scan_console() found on the console besides KUnit's output."""

    def __init__(self):
        self.reports = {}       # category -> [first line, count]
        self.insmod_failed = []
        self.rmmod_failed = []
        self.guest_status = None
        self.taint = None
        self.unreadable = []    # numbered markers whose number was garbled
        self.done = False


class Tally:
    """What tally_kunit() made of the KUnit suites."""

    def __init__(self):
        self.counts = {'pass': 0, 'fail': 0, 'skip': 0}
        self.results = []       # ('case', status, 'suite.case') rows
        self.summaries = []     # one "kunit: ..." line per suite
        self.reasons = []       # ('kunit', text)


def parse_args():
    """Returns the command line options (see the usage at the top)."""
    ap = argparse.ArgumentParser()
    ap.add_argument('--log', required=True)
    ap.add_argument('--kunit-py', required=True)
    ap.add_argument('--timed-out', type=int, default=0)
    ap.add_argument('--expect', action='append', default=[])
    return ap.parse_args()


def read_console(path):
    """Returns the console log's lines, taken apart and cleaned by clean()."""
    with open(path, errors='replace') as f:
        return [part for line in f for part in clean(line)]


def scan_console(lines):
    """Returns a Console: /init's markers and the kernel's reports."""
    console = Console()
    for line in lines:
        m = MARKER.match(line)
        if m:
            what = m.group('what')
            n = NUMBERED.match(what)
            if what.startswith('insmod FAILED: '):
                console.insmod_failed.append(what.split(': ', 1)[1])
            elif what.startswith('rmmod FAILED: '):
                console.rmmod_failed.append(what.split(': ', 1)[1])
            elif n and n.group('key') == 'guest script exit':
                console.guest_status = int(n.group('n'))
            elif n:
                console.taint = int(n.group('n'))
            elif what.startswith(('guest script exit', 'tainted')):
                console.unreadable.append(line)
            elif what == 'done':
                console.done = True
            continue
        for category, pattern in REPORTS:
            if pattern.search(line):
                if category in console.reports:
                    console.reports[category][1] += 1
                else:
                    console.reports[category] = [line.strip(), 1]
                break
    return console


def tally_kunit(suites, lines):
    """Returns a Tally of the suites' cases and of the KUnit failures.

    A suite fails the run if a case failed or if it did not report all its
    cases; a suite that failed to initialize, which collect_kunit() never
    sees, is found in the console lines.
    """
    tally = Tally()
    failed_cases = []
    for suite in suites:
        n = {'pass': 0, 'fail': 0, 'skip': 0}
        for name, status in suite.cases:
            n[status] += 1
            tally.results.append(('case', status, f'{suite.name}.{name}'))
            if status == 'fail':
                failed_cases.append(f'{suite.name}.{name}')
        for k in tally.counts:
            tally.counts[k] += n[k]
        line = (f'kunit: {suite.name}: {n["pass"]} passed, '
                f'{n["fail"]} failed, {n["skip"]} skipped')
        if not suite.finished or (suite.planned is not None
                                  and len(suite.cases) < suite.planned):
            line += ' (did not finish)'
            tally.reasons.append(('kunit', f'KUnit: suite {suite.name} did '
                                  f'not finish ({len(suite.cases)} of '
                                  f'{suite.planned} cases reported)'))
        tally.summaries.append(line)
    if failed_cases:
        tally.reasons.append(('kunit', 'KUnit: failed: ' +
                              ', '.join(failed_cases)))
    # A suite whose suite_init fails prints this instead of its subtest.
    for line in lines:
        m = re.search(r'# failed to initialize \((-?\d+)\)', line)
        if m:
            tally.reasons.append(('kunit', 'KUnit: a suite failed to '
                                  f'initialize ({m.group(1)})'))
    return tally


def cross_check_kunit(kunit_py, log, suites, ktap, tally):
    """Writes LOG.ktap, parses it with kunit.py into LOG.kunit, and returns
    the reasons (none or one) if kunit.py's verdict differs from tally's.
    """
    ktap_path = log + '.ktap'
    with open(ktap_path, 'w') as f:
        f.write(f'KTAP version 1\n1..{len(suites)}\n')
        f.write(''.join(line + '\n' for line in ktap))
    status, ran, kfailed, out = run_kunit_py(kunit_py, ktap_path)
    with open(log + '.kunit', 'w') as f:
        f.write(out)
    ours_bad = bool(tally.reasons)
    theirs_bad = status != 0 or kfailed > 0
    if ours_bad != theirs_bad or (ran == 0 and sum(tally.counts.values())):
        return [('other', 'KUnit: kunit.py parse disagrees with the runner '
                 f'(it ran {ran} tests, {kfailed} failed, exit {status}; '
                 f'see {log}.kunit)')]
    return []


def console_reasons(console, lines, expects, timed_out):
    """Returns the reasons, other than KUnit's, for which the run fails."""
    reasons = []
    for category, (first, count) in console.reports.items():
        more = f' (and {count - 1} more)' if count > 1 else ''
        reasons.append(('other', f'{category}: {first[:200]}{more}'))
    if console.taint is not None and not console.reports:
        bad = [name for bit, name in BAD_TAINTS.items()
               if console.taint & (1 << bit)]
        if bad:
            reasons.append(('other', 'kernel tainted ' + ', '.join(bad) +
                            ' without a report on the console'))
    for line in console.unreadable:
        reasons.append(('other', f'marker without its number: {line[:200]}'))
    for name in console.insmod_failed:
        reasons.append(('other', f'insmod FAILED: {name}'))
    for name in console.rmmod_failed:
        reasons.append(('other', f'rmmod FAILED: {name} (unloading must be '
                        'clean)'))
    if console.guest_status:
        reasons.append(('other',
                        f'guest script failed (exit {console.guest_status})'))
    for text in expects:
        if not any(text in line for line in lines):
            reasons.append(('other', f'expected console line missing: {text}'))
    if timed_out:
        reasons.append(('other', f'timed out: wall-clock bound of '
                        f'{timed_out} s expired, qemu killed'))
    if not console.done:
        reasons.append(('other', "guest did not finish (no 'cmwq-vm: done' "
                        'marker)'))
    return reasons


def report(log, tally, reasons):
    """Prints the verdict, writes LOG.results, returns the exit status."""
    for line in tally.summaries:
        print(line)
    counts = tally.counts
    skipped = f', {counts["skip"]} skipped' if counts['skip'] else ''
    print(f'vm: {counts["pass"]} passed, {counts["fail"]} failed{skipped}')
    for _, text in reasons:
        print(f'vm: FAIL: {text}')
    if not reasons:
        print('vm: PASS')
    with open(log + '.results', 'w') as f:
        for row in tally.results:
            f.write('\t'.join(row) + '\n')
        for kind, text in reasons:
            f.write(f'reason\t{kind}\t{text}\n')
        f.write(f'verdict\t{"fail" if reasons else "pass"}\n')
    return 1 if reasons else 0


def main():
    """Judges the log named on the command line; returns the exit status."""
    args = parse_args()
    lines = read_console(args.log)
    console = scan_console(lines)
    suites, ktap = collect_kunit(lines)
    tally = tally_kunit(suites, lines)
    reasons = list(tally.reasons)
    if suites:
        reasons += cross_check_kunit(args.kunit_py, args.log, suites, ktap,
                                     tally)
    reasons += console_reasons(console, lines, args.expect, args.timed_out)
    return report(args.log, tally, reasons)


if __name__ == '__main__':
    sys.exit(main())
