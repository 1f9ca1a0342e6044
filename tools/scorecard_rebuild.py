"""Write the public scorecard from the stored grievances (grievance.store.rebuild_scorecard): the month
aggregates, put whole from a recount, and open now / overdue now, each open grievance not yet in them
counted in a conditional transaction of its own (exact while the new code takes traffic; a rerun counts
nothing twice; overdue ones are counted by the next escalation sweep). Run once right after deploying the
scorecard, in a quiet hour (a change committed during its Scan may be lost from the month aggregates). One
Scan of GrievancesTable; never run by a route.

Usage: GRIEVANCES_TABLE_NAME=<table> [AWS_ENDPOINT_URL_DYNAMODB=<local>] python tools/scorecard_rebuild.py"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers/common"), str(ROOT / "functions/grievance")]

from grievance import store  # noqa: E402

if __name__ == "__main__":
    sys.stdout.write(f"{store.rebuild_scorecard()} items written\n")
