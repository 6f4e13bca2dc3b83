#!/usr/bin/env python3
"""Print one closing line, 'N passed, N failed, N skipped', for the meson
test logs (JSON lines) and fuzz result files named on the command line.
Before it, each failed test is named with the build it ran in and the
last lines of its output, so that a log cut to its end still shows what
failed.  Files that do not exist are left out.  Exits 1 when anything
failed."""
import json
import os
import sys

TAIL_LINES = 25

counts = {"passed": 0, "failed": 0, "skipped": 0}
failures = []
for path in sys.argv[1:]:
    if not os.path.exists(path):
        continue
    build = os.path.basename(os.path.dirname(os.path.dirname(path))) \
        if path.endswith("testlog.json") else os.path.dirname(path)
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            test = json.loads(line)
            result = test.get("result", "")
            if result in ("OK", "EXPECTEDFAIL"):
                counts["passed"] += 1
            elif result == "SKIP":
                counts["skipped"] += 1
            else:
                counts["failed"] += 1
                failures.append((build, test))

for build, test in failures:
    print("FAILED in %s: %s (%s, %.1f s)" %
          (build, test.get("name", "?"), test.get("result", "?"),
           test.get("duration", 0.0)))
    for stream in ("stdout", "stderr"):
        out = (test.get(stream) or "").rstrip("\n")
        if not out:
            continue
        for text in out.split("\n")[-TAIL_LINES:]:
            print("    " + text)
print("%d passed, %d failed, %d skipped" %
      (counts["passed"], counts["failed"], counts["skipped"]))
sys.exit(1 if counts["failed"] else 0)
