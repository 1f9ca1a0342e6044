"""Runs every benchmark in bench/ (each rewrites its own section of bench/RESULTS.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHES = [
    "admin_size.py",  # seconds: the staff page's first-load JavaScript against its budget
    "cold_start.py",
    "warm_overhead.py",
    "escalation_sweep.py",
    "hostile_cost.py",
    "reads.py",
    "scorecard.py",
    "local_load.py",
    "survey.py",
    "reconciler.py",
    "interleavings.py",  # 10,000 examples: the longest, last
]

for script in BENCHES:
    subprocess.run([sys.executable, str(Path(__file__).with_name(script))], check=True)
