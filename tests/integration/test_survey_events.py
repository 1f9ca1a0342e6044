"""The survey API's sample events of events/ (for `sam local invoke SurveyApiFunction -e …`): each is a route
of the template, and the handler answers it as the route promises on the seeded surveys of data/."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.harness import Api

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"


@pytest.fixture(scope="module")
def seeded(api: Api) -> None:
    from survey import seed

    seed.load(ROOT / "data")


@pytest.mark.parametrize(
    ("name", "status"),
    [("survey_get_survey.json", 200), ("survey_post_response.json", 201), ("survey_get_results.json", 200)],
)
def test_each_sample_event_is_answered_by_the_survey_handler(api: Api, seeded: None, name: str, status: int) -> None:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    assert api.router.match(event["requestContext"]["http"]["method"], event["rawPath"]) is not None
    # Through the function's execution environment, as `sam local invoke` and the harness do: a handler
    # called on pytest's main thread would share whatever event loop an earlier test left current there.
    reply = api.runtime.invoke("SurveyApiFunction", event)
    assert reply["statusCode"] == status, reply["body"]
    if name == "survey_post_response.json":  # the sample device has answered now: a second time is refused
        again = api.runtime.invoke("SurveyApiFunction", event)
        body = base64.b64decode(again["body"]) if again["isBase64Encoded"] else again["body"]  # problem+json
        assert (again["statusCode"], json.loads(body)["code"]) == (409, "already_responded")
