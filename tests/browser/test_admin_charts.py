"""The admin page's charts (issue 21) in Chromium against the browser tier's local stack: the ward scorecard's
ranking and 12-month trend, and a survey's results per question split citizen/tourist. Each chart is a
Chart.js canvas of non-zero size with its series' colours drawn in the plot area, and the table beside it
holds the API's figures; the month picker refuses a later month; the Marathi toggle changes the labels;
axe-core finds no serious violation. Screenshots: test-output/browser/."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.admin import KASBA, axe_serious, log_grievance, sign_in
from tests.e2e.conftest import RunningStack

# admin/src/charts.ts COLOURS: the first, second and third series
FIRST, SECOND, THIRD = "#0b4f8a", "#c25400", "#1e6b34"
LEGEND_PX = 40  # the legend (when shown) is in the canvas's bottom 40 px; bars and lines are above it


def ist_month(at: datetime) -> str:
    return (at + timedelta(hours=5, minutes=30)).strftime("%Y-%m")


def previous_month(month: str) -> str:
    year, m = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if m == 1 else f"{year}-{m - 1:02d}"


@pytest.fixture(scope="module")
def resolved_in_kasba(admin_stack: RunningStack) -> str:
    """A grievance logged and resolved in W07 this month: W07 has a score and the trend a resolved month."""
    gid = str(log_grievance(admin_stack, KASBA, "Overflowing bin at the Kasba Ganpati corner, not emptied.")["id"])
    staff = {"authorization": f"Bearer {admin_stack.token('+919700000201', ['staff'])}"}
    steps: list[dict[str, str]] = [
        {"status": "assigned", "assignee": "JE Solid Waste, Kasba"},
        {"status": "in_progress"},
        {"status": "resolved", "note": "Bin emptied the same day.", "resolution_reason": "no_fix_needed"},
    ]
    with httpx.Client(base_url=admin_stack.base_url, timeout=30, headers=staff) as http:
        for step in steps:
            changed = http.patch(f"/staff/grievances/{gid}", json=step)
            assert changed.status_code == 200, changed.text
    return gid


RATING = {"q_rating": {"citizen": [5, 4, 4], "tourist": [2, 2]}}
CHOICE = {"q_choice": {"citizen": ["metro", "bus", "bus"], "tourist": ["metro", "metro"]}}


@pytest.fixture(scope="module")
def survey(admin_stack: RunningStack) -> str:
    """A survey of this module's own (the desk test closes the seeded one): three citizens and two tourists
    answer a rating and a single-choice question."""
    admin = {"authorization": f"Bearer {admin_stack.token('+919700000203', ['admin'])}"}
    body = {
        "audience": "all",
        "title": {"en": "Chart test survey", "mr": "आलेख चाचणी सर्वेक्षण"},
        "description": {"en": "For the admin page's chart test.", "mr": "प्रशासन पानाच्या आलेख चाचणीसाठी."},
        "questions": [
            {
                "id": "q_rating",
                "type": "rating",
                "audience": "all",
                "required": True,
                "min": 1,
                "max": 5,
                "options": [],
                "text": {"en": "How was the bus stop?", "mr": "बस थांबा कसा होता?"},
            },
            {
                "id": "q_choice",
                "type": "single_choice",
                "audience": "all",
                "required": True,
                "options": [
                    {"id": "metro", "text": {"en": "Metro", "mr": "मेट्रो"}},
                    {"id": "bus", "text": {"en": "PMPML bus", "mr": "पीएमपीएमएल बस"}},
                ],
                "text": {"en": "How did you travel?", "mr": "आपण कसा प्रवास केला?"},
            },
        ],
    }
    with httpx.Client(base_url=admin_stack.base_url, timeout=30) as http:
        created = http.post("/admin/surveys", json=body, headers=admin)
        assert created.status_code == 201, created.text
        sid = str(created.json()["id"])
        assert http.post(f"/admin/surveys/{sid}/open", headers=admin).status_code == 200
        for kind in ("citizen", "tourist"):
            for rating, choice in zip(RATING["q_rating"][kind], CHOICE["q_choice"][kind], strict=True):
                answer = {
                    "respondent_type": kind,
                    "device_id": str(uuid.uuid4()),
                    "answers": {"q_rating": rating, "q_choice": choice},
                }
                sent = http.post(f"/surveys/{sid}/responses", json=answer)
                assert sent.status_code == 201, sent.text
    return sid


def coloured_pixels(canvas: Locator, colour: str, legend: int = LEGEND_PX) -> int:
    """Pixels of exactly `colour` above the legend: the bars and lines drawn for one series."""
    return int(
        canvas.evaluate(
            """(canvas, [hex, legend]) => {
                const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
                const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height - legend).data;
                let n = 0;
                for (let i = 0; i < data.length; i += 4) {
                    const same = data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2];
                    if (same && data[i + 3] === 255) n++;
                }
                return n;
            }""",
            [colour, legend],
        )
    )


def drawn(canvas: Locator) -> None:
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 200


def cells(rows: Locator) -> dict[str, list[str]]:
    """A figures table's rows by their data-key: the row header's text, then each cell's."""
    return {
        str(r.get_attribute("data-key")): [t.strip() for t in r.locator("th, td").all_inner_texts()] for r in rows.all()
    }


def row_texts(rows: Locator) -> dict[str, list[str]]:
    """A table's rows by their header cell's text: the other cells' texts."""
    found = [[t.strip() for t in r.locator("th, td").all_inner_texts()] for r in rows.all()]
    return {r[0]: r[1:] for r in found}


def figure(value: Any) -> str:
    """A score, percentage or mean as the page shows it: one decimal, or a dash for null."""
    return "—" if value is None else f"{value:.1f}"


def test_scorecard_ranking_and_trend_are_charts_with_the_apis_figures(
    page: Page, admin_stack: RunningStack, resolved_in_kasba: str, output_dir: Path
) -> None:
    month = ist_month(datetime.now(UTC))
    sign_in(page, admin_stack, "staff")
    page.get_by_role("link", name="Scorecard").click()
    expect(page.get_by_role("heading", name="Ward scorecard", level=1)).to_be_visible()
    expect(page.get_by_label("Month (IST)")).to_have_value(month)
    assert page.get_by_label("Month (IST)").get_attribute("max") == month  # no later month to pick
    ranking_rows = page.locator(".scorecard-ranking tbody tr")
    expect(ranking_rows).to_have_count(15)
    expect(page.locator(".scorecard-trend tbody tr")).to_have_count(12)

    with httpx.Client(base_url=admin_stack.base_url, timeout=30) as http:
        ranking = http.get("/scorecard/wards", params={"month": month}).json()
        trend = http.get("/scorecard/wards/W07/trend", params={"month": month}).json()
    assert [r.get_attribute("data-key") for r in ranking_rows.all()] == [w["ward"] for w in ranking["wards"]]
    shown = cells(ranking_rows)
    for w in ranking["wards"]:
        assert shown[w["ward"]][1:4] == [str(w["rank"]), figure(w["score"]), figure(w["sla_compliance_pct"])]
        assert shown[w["ward"]][5:7] == [str(w["received"]), str(w["resolved"])]
    kasba = next(w for w in ranking["wards"] if w["ward"] == "W07")
    assert kasba["score"] is not None  # this module's resolved grievance
    trend_shown = cells(page.locator(".scorecard-trend tbody tr"))
    assert list(trend_shown) == [m["month"] for m in trend["months"]]
    for m in trend["months"]:
        assert trend_shown[m["month"]][1:4] == [str(m["received"]), str(m["resolved"]), figure(m["sla_compliance_pct"])]
    assert trend["months"][-1]["resolved"] >= 1

    ranking_chart = page.locator(".scorecard-ranking canvas")
    drawn(ranking_chart)
    assert ranking_chart.get_attribute("role") == "img"
    assert "Ward ranking" in str(ranking_chart.get_attribute("aria-label"))
    assert coloured_pixels(ranking_chart, FIRST, legend=0) > 500  # W07's score bar (one series, no legend)
    trend_chart = page.locator(".scorecard-trend canvas")
    drawn(trend_chart)
    received, resolved = coloured_pixels(trend_chart, FIRST), coloured_pixels(trend_chart, SECOND)
    assert received > 100
    assert resolved > 100
    # bars of one width: their areas stand as the twelve months' received to resolved
    expected = sum(m["received"] for m in trend["months"]) / sum(m["resolved"] for m in trend["months"])
    assert received / resolved == pytest.approx(expected, rel=0.1)
    assert coloured_pixels(trend_chart, THIRD) > 10  # the SLA % line's point this month
    expect(page.locator(".scorecard-departments tbody tr")).to_have_count(18)  # 17 departments and the total
    page.screenshot(path=str(output_dir / "admin-scorecard.png"), full_page=True)
    assert axe_serious(page) == []

    # an earlier month: both charts and tables follow; the address keeps the choice
    earlier = previous_month(month)
    page.get_by_label("Month (IST)").fill(earlier)
    page.get_by_label("Ward for the trend and departments").select_option("W09")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".scorecard-trend tbody tr").last).to_have_attribute("data-key", earlier)
    expect(page.locator("#sc-trend")).to_contain_text("W09")
    assert f"month={earlier}" in page.url
    assert "ward=W09" in page.url
    with httpx.Client(base_url=admin_stack.base_url, timeout=30) as http:
        before = http.get("/scorecard/wards", params={"month": earlier}).json()
    assert [r.get_attribute("data-key") for r in ranking_rows.all()] == [w["ward"] for w in before["wards"]]

    # a later month: the picker's max refuses it and nothing is asked of the API
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/scorecard/" in request.url else None)
    later = "2099-01"
    page.get_by_label("Month (IST)").fill(later)
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".scorecard-trend tbody tr").last).to_have_attribute("data-key", earlier)
    assert not any(later in url for url in asked)


def test_marathi_toggle_changes_the_scorecard_labels(
    page: Page, admin_stack: RunningStack, resolved_in_kasba: str, output_dir: Path
) -> None:
    sign_in(page, admin_stack, "ward_officer", ward="W07")
    page.get_by_role("link", name="Scorecard").click()
    expect(page.locator(".scorecard-trend tbody tr")).to_have_count(12)
    expect(page.locator("#sc-trend")).to_contain_text("W07")  # a ward officer's own ward by default
    page.get_by_role("button", name="Show labels in Marathi").click()
    expect(page.get_by_role("heading", name="प्रभाग गुणपत्रक", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="गुणपत्रक")).to_have_attribute("aria-current", "page")
    expect(page.locator(".scorecard-ranking thead")).to_contain_text("गुण")
    expect(page.locator("#sc-ranking")).to_contain_text("प्रभाग क्रमवारी")
    assert "प्रभाग क्रमवारी" in str(page.locator(".scorecard-ranking canvas").get_attribute("aria-label"))
    assert coloured_pixels(page.locator(".scorecard-ranking canvas"), FIRST, legend=0) > 500  # drawn again in Marathi
    page.screenshot(path=str(output_dir / "admin-scorecard-marathi.png"), full_page=True)
    assert axe_serious(page) == []
    page.get_by_role("button", name="Show labels in English").click()
    expect(page.get_by_role("heading", name="Ward scorecard", level=1)).to_be_visible()


def test_survey_results_are_charts_split_citizen_and_tourist(
    page: Page, admin_stack: RunningStack, survey: str, output_dir: Path
) -> None:
    sign_in(page, admin_stack, "staff")
    page.get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="Chart test survey").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chart test survey")
    expect(page.locator("section.question canvas")).to_have_count(2)

    rating = page.get_by_role("region", name="How was the bus stop?")
    rows = row_texts(rating.locator("tbody tr"))
    assert rows == {
        "1": ["0", "0", "0"],
        "2": ["0", "2", "2"],
        "3": ["0", "0", "0"],
        "4": ["2", "0", "2"],
        "5": ["1", "0", "1"],
    }
    choice = page.get_by_role("region", name="How did you travel?")
    rows = row_texts(choice.locator("tbody tr"))
    assert rows == {"Metro": ["1", "2", "3"], "PMPML bus": ["2", "0", "2"]}
    for region in (rating, choice):
        expect(region.get_by_role("columnheader", name="Citizens")).to_be_visible()
        chart = region.locator("canvas")
        drawn(chart)
        assert "citizens' and tourists' answers" in str(chart.get_attribute("aria-label"))
        citizens, tourists = coloured_pixels(chart, FIRST), coloured_pixels(chart, SECOND)
        assert citizens > 100
        assert tourists > 100
        # bars of one width: their areas stand as the counts, 3 citizens' answers to 2 tourists' in each
        assert citizens / tourists == pytest.approx(3 / 2, rel=0.1)
    page.screenshot(path=str(output_dir / "admin-survey-charts.png"), full_page=True)
    assert axe_serious(page) == []
