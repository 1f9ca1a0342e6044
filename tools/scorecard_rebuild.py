"""Write the public scorecard's aggregates and ward × department due markers from the stored grievances
(grievance.store.rebuild_scorecard): once, when the aggregates are first deployed, before the new code
takes traffic. One Scan of GrievancesTable; never run by a route.

Usage: GRIEVANCES_TABLE_NAME=<table> [AWS_ENDPOINT_URL_DYNAMODB=<local>] python tools/scorecard_rebuild.py"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers/common"), str(ROOT / "functions/grievance")]

from grievance import store  # noqa: E402

if __name__ == "__main__":
    sys.stdout.write(f"{store.rebuild_scorecard()} items written\n")
