"""Render the lifecycle tables into docs/ (between `<!-- lifecycle:begin -->` and `<!-- lifecycle:end -->`).

`python tools/lifecycle_docs.py` rewrites the documents; `--check` only says which are out of date."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(ROOT / "layers/common"),
    str(ROOT / "functions/grievance"),
    str(ROOT / "functions/payments"),
    str(ROOT / "functions/lookup"),
    str(ROOT / "functions/survey"),
]

from grievance import domain  # noqa: E402
from lookup import domain as lookup_domain  # noqa: E402
from payments import domain as payments_domain  # noqa: E402
from pmc_common.lifecycle import Lifecycle, with_generated  # noqa: E402
from survey import domain as survey_domain  # noqa: E402

# Each document and the table it shows.
DOCUMENTS: dict[str, Lifecycle] = {  # type: ignore[type-arg]
    "docs/grievance-lifecycle.md": domain.LIFECYCLE,
    "docs/money-flow.md": payments_domain.LIFECYCLE,
    "docs/city-updates.md": lookup_domain.UPDATES,
    "docs/survey-counters.md": survey_domain.LIFECYCLE,
}


def rendered(path: str) -> str:
    text = (ROOT / path).read_text(encoding="utf-8")
    return with_generated(text, "lifecycle", DOCUMENTS[path].document())


def main(check: bool) -> int:
    stale = [path for path in DOCUMENTS if rendered(path) != (ROOT / path).read_text(encoding="utf-8")]
    if not check:
        for path in stale:
            (ROOT / path).write_text(rendered(path), encoding="utf-8")
    for path in stale:
        sys.stdout.write(f"{path}: {'out of date' if check else 'rewritten'}\n")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
