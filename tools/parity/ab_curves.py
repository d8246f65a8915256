#!/usr/bin/env python3
"""Merges the validation curves of the training A/B runs (metrics.csv files of `provide train`
and of train_reference.py: step,wall_time,tag,value) into one table, one row per validated step:

    python3 tools/parity/ab_curves.py official=runs/ab-official/metrics.csv \\
        ours=runs/ab-ours/metrics.csv ... > docs/curves/parity-ab.csv
"""
import csv
import sys
from collections import defaultdict

runs = [arg.split("=", 1) for arg in sys.argv[1:]]
table = defaultdict(dict)
for name, path in runs:
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["tag"] in ("validation/f_ari", "validation/ari"):
                table[int(r["step"])][name + "_" + r["tag"].split("/")[1]] = float(r["value"])
columns = [name + "_" + what for name, _ in runs for what in ("f_ari", "ari")]
print(",".join(["step"] + columns))
for step in sorted(table):
    print(",".join([str(step)] + ["%.4f" % table[step][c] if c in table[step] else "" for c in columns]))
