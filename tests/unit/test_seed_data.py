"""data/ as data/tools/check_data.py checks it (ids, wards, bilingual text, geometry, whole paise, the demo
records of API.md, generated files as their scripts write them), so `make test` fails on a bad seed file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_seed_data_passes_check_data() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "data/tools/check_data.py")], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
