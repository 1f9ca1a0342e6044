"""survey.store.submit on DynamoDB Local: a response whose id was taken meanwhile is stored under the next id
(the retry carries everything else of the response unchanged); a device that already answered stores nothing."""

from __future__ import annotations

import uuid

from pmc_common.clock import FixedClock
from tests.harness import Api
from tests.integration.test_survey_api import clock, create, survey_seed

__all__ = ["clock", "survey_seed"]  # the same fixtures


def test_a_taken_response_id_is_retried_under_the_next_one_with_the_same_response(api: Api, clock: FixedClock) -> None:
    from survey import domain, store

    survey = store.get(create(api))
    assert survey is not None
    submission = domain.check_answers(survey, "citizen", {"q_clean": 3, "q_water": "good"})
    first, second, third = (f"R-{uuid.uuid4().hex[:20].upper()}" for _ in range(3))
    given = {"submitted_at": "2026-12-01T06:00:00Z", "channel": "signed_in"}
    stored = store.submit(survey, submission, response_id=first, device_id="device-a", sub="sub-a", **given)
    assert stored == ("stored", first)
    _, count = store.counters(survey)

    ids = iter([second])
    stored = store.submit(
        survey, submission, response_id=first, device_id="device-b", sub="sub-b", next_id=lambda: next(ids), **given
    )
    assert stored == ("stored", second)  # `first` was taken: written again under `second`, nothing else changed
    kept = {r["id"]: r for r in store.responses(survey.id)}
    assert set(kept) == {first, second}
    assert {k: kept[second][k] for k in ("submitted_at", "channel", "respondent_type", "answers")} == {
        **given,
        "respondent_type": "citizen",
        "answers": kept[first]["answers"],
    }
    assert store.marker_exists(survey.id, "device", "device-b")
    assert store.marker_exists(survey.id, "sub", "sub-b")
    assert store.counters(survey)[1] == count + 1

    again = store.submit(survey, submission, response_id=third, device_id="device-b", sub="sub-c", **given)
    assert again == ("already_responded", "")
    assert {r["id"] for r in store.responses(survey.id)} == {first, second}
    assert not store.marker_exists(survey.id, "sub", "sub-c")
