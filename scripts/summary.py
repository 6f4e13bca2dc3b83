#!/usr/bin/env python3
"""Print one closing line, 'N passed, N failed, N skipped', for the meson
test logs (JSON lines) and fuzz result files named on the command line.
Files that do not exist are left out.  Exits 1 when anything failed."""
import json
import os
import sys

counts = {"passed": 0, "failed": 0, "skipped": 0}
for path in sys.argv[1:]:
    if not os.path.exists(path):
        continue
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get("result", "")
            if result in ("OK", "EXPECTEDFAIL"):
                counts["passed"] += 1
            elif result == "SKIP":
                counts["skipped"] += 1
            else:
                counts["failed"] += 1
print("%d passed, %d failed, %d skipped" %
      (counts["passed"], counts["failed"], counts["skipped"]))
sys.exit(1 if counts["failed"] else 0)
