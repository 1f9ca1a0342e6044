"""Give the grievances stored before the Open311ByRequested index its keys (open311_key, open311_sk), so
GET /open311/v2/requests lists them too (grievance.open311.store.backfill_index_keys): once, after the
deploy that adds the index, when the new code takes every write (docs/deploy.md). One paged Scan of
GrievancesTable; each grievance is written on the version read, only when its keys are missing or stale, so
a rerun writes nothing and a grievance changed meanwhile is re-read. Never run by a route.

Usage: GRIEVANCES_TABLE_NAME=<table> [AWS_ENDPOINT_URL_DYNAMODB=<local>] python tools/open311_backfill.py"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers/common"), str(ROOT / "functions/grievance")]

from grievance.open311 import store  # noqa: E402

if __name__ == "__main__":
    done = store.backfill_index_keys()
    sys.stdout.write(f"{done.read} grievances read, {done.written} given their Open311 index keys\n")
