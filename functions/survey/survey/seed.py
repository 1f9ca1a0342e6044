"""Loads the sample surveys of data/surveys.json into SurveyTable, with the closed survey's seeded responses
written through the same transaction as a real answer, so their counters are exact (local stack and tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from survey import domain, store

NAME = "surveys.json"


def load(data_dir: Path) -> None:
    rows: list[dict[str, Any]] = json.loads((data_dir / NAME).read_text(encoding="utf-8"))
    for row in rows:
        survey = domain.survey_from(row)
        store.put(survey)
        store.prepare_counters(survey)
        for response in row["responses"]:
            submission = domain.check_answers(survey, response["respondent_type"], response["answers"])
            signed_in = response["channel"] == "signed_in"
            store.submit(  # a second load finds the markers and stores nothing again
                survey,
                submission,
                response_id=response["id"],
                submitted_at=response["submitted_at"],
                channel=response["channel"],
                device_id=f"sample-device-{response['id']}",
                sub=f"sample-citizen-{response['id']}" if signed_in else None,
            )
