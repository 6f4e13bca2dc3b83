#!/usr/bin/env python3
"""Summarise the meson test logs (JSON lines) and fuzz result files named
on the command line.

Default mode prints one closing line, 'N passed, N failed, N skipped'.
Before it, each failed test is named with the build it ran in and the last
lines of its output, so that a log cut to its end still shows what
failed.  A test that appears in several files of one build (a first run
and a rerun) counts with its last result, and one that failed first and
passed later is named as passed on the rerun.  Files that do not exist are
left out.  Exits 1 when anything failed.

'--rerun LOG' prints the names of the failed tests of LOG that may be run
again, one per line: those of the namespace suites, whose timing a loaded
machine disturbs.  It exits 1, printing nothing, when a test of another
suite failed, since a failure there is not a matter of timing."""
import json
import os
import sys

TAIL_LINES = 25
RERUN_SUITES = ("interop", "robustness", "xfrm", "bench-smoke")
PASSED = ("OK", "EXPECTEDFAIL")


def read_tests(path):
    """Return the test records of a JSON-lines file."""
    tests = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                tests.append(json.loads(line))
    return tests


def suite_of(name):
    """Return the suite of a meson test name 'project:suite / test'."""
    head = name.split(" / ", 1)[0]
    return head.split(":", 1)[-1]


def build_of(path):
    """Return the build directory a result file belongs to."""
    if path.endswith(".json") and \
            os.path.basename(os.path.dirname(path)) == "meson-logs":
        return os.path.basename(os.path.dirname(os.path.dirname(path)))
    return os.path.dirname(path)


def rerun_list(path):
    failed = [t for t in read_tests(path)
              if t.get("result") not in PASSED + ("SKIP",)]
    if any(suite_of(t.get("name", "")) not in RERUN_SUITES for t in failed):
        return 1
    for test in failed:
        print(test["name"].split(" / ", 1)[1])
    return 0


def print_failure(build, test):
    print("FAILED in %s: %s (%s, %.1f s)" %
          (build, test.get("name", "?"), test.get("result", "?"),
           test.get("duration", 0.0)))
    for stream in ("stdout", "stderr"):
        out = (test.get(stream) or "").rstrip("\n")
        if not out:
            continue
        for text in out.split("\n")[-TAIL_LINES:]:
            print("    " + text)


def summary(paths):
    results = {}
    first_failures = {}
    for path in paths:
        if not os.path.exists(path):
            continue
        build = build_of(path)
        for test in read_tests(path):
            key = (build, test.get("name", "?"))
            if test.get("result") not in PASSED + ("SKIP",):
                first_failures.setdefault(key, test)
            results[key] = test

    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for key, test in results.items():
        result = test.get("result", "")
        if result in PASSED:
            counts["passed"] += 1
            if key in first_failures:
                print("passed on rerun in %s: %s (the first run: %s)" %
                      (key[0], key[1], first_failures[key].get("result")))
        elif result == "SKIP":
            counts["skipped"] += 1
        else:
            counts["failed"] += 1
    for key, test in results.items():
        if test.get("result", "") not in PASSED + ("SKIP",):
            print_failure(key[0], test)
    print("%d passed, %d failed, %d skipped" %
          (counts["passed"], counts["failed"], counts["skipped"]))
    return 1 if counts["failed"] else 0


if len(sys.argv) == 3 and sys.argv[1] == "--rerun":
    sys.exit(rerun_list(sys.argv[2]))
sys.exit(summary(sys.argv[1:]))
