#!/usr/bin/env python3
"""Turns a run's metrics.csv (step, wall_time, tag, value) into the curve tables in this folder:
one row per validation step with the minutes trained and the training scalars of that step.

    python3 docs/curves/curve.py runs/cpu-binary-c/metrics.csv > docs/curves/cpu-binary-c.csv
"""
import csv
import sys
from collections import defaultdict

COLUMNS = ["loss", "nll", "kl", "entropy", "validation/ari", "validation/f_ari", "validation/mse"]

rows = defaultdict(dict)
with open(sys.argv[1], newline="") as f:
    for r in csv.DictReader(f):
        rows[int(r["step"])][r["tag"]] = float(r["value"])

print(",".join(["step", "minutes"] + COLUMNS))
seconds = 0.0  # the newest training time logged at or before the step
latest = {}  # the newest value of each training scalar at or before the step
for step in sorted(rows):
    row = rows[step]
    seconds = row.get("seconds", seconds)
    latest.update({k: v for k, v in row.items() if not k.startswith("validation/")})
    if "validation/f_ari" not in row:
        continue
    values = [row.get(c, latest.get(c, float("nan"))) for c in COLUMNS]
    print(",".join([str(step), "%.1f" % (seconds / 60)] + ["%.5g" % v for v in values]))
