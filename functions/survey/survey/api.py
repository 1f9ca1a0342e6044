"""Survey HTTP API (API.md section 5): public reading and answering, staff open, close, results and CSV,
admins create.

Routes only parse, authorize, call the domain and the store, and shape the reply."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger

from pmc_common.app import Now, Query, Request, Response, create_app, lambda_handler, system_clock
from pmc_common.auth import AdminCaller, CitizenCaller, CityWideStaffCaller, StaffCaller
from pmc_common.caching import cached_json
from pmc_common.clock import iso
from pmc_common.exports import csv_attachment
from pmc_common.paging import Cursors, Page
from pmc_common.views import json_response
from survey import answering, definitions, domain, store, views
from survey.models import ResponseBody, ResponseView, ResultsView, SurveyCreate, SurveyListItem, SurveyView
from survey.settings import settings

__all__ = ["app", "handler", "system_clock"]  # tests fix the time through system_clock

SURVEYS_MAX_AGE = 60
OPEN_LIST_MAX = 100  # a single page (API.md 5.1); PMC runs a handful of surveys at a time

logger = Logger(service="survey")
cursors = Cursors(settings().cursor_secret)
app = create_app("survey", "PuneConnect survey", logger)


# --- public --------------------------------------------------------------------------------------------


@app.get("/surveys", response_model=Page[SurveyListItem], name="list_surveys")
def open_surveys(request: Request) -> Response:
    items = [views.list_item(s) for s in store.open_surveys(OPEN_LIST_MAX)]
    return cached_json(request, {"items": items, "next_cursor": None}, SURVEYS_MAX_AGE)


@app.get("/surveys/{survey_id}", response_model=SurveyView, name="get_survey", responses={404: []})
def get_survey(request: Request, survey_id: str) -> Response:
    return cached_json(request, views.survey(definitions.known(survey_id)), SURVEYS_MAX_AGE)


@app.post(
    "/surveys/{survey_id}/responses",
    status_code=201,
    response_model=ResponseView,
    name="answer_survey",
    responses={404: [], 409: ["survey_not_open", "survey_closed", "already_responded"]},
)
def answer_anonymously(survey_id: str, body: ResponseBody, clock: Now) -> Response:
    return json_response(answering.answer(survey_id, body, None, clock.now()), 201)


@app.post(
    "/me/surveys/{survey_id}/responses",
    status_code=201,
    response_model=ResponseView,
    name="answer_survey_signed_in",
    responses={404: [], 409: ["survey_not_open", "survey_closed", "already_responded"]},
)
def answer_signed_in(survey_id: str, body: ResponseBody, caller: CitizenCaller, clock: Now) -> Response:
    return json_response(answering.answer(survey_id, body, caller.sub, clock.now()), 201)


# --- staff and admins ----------------------------------------------------------------------------------


@app.get("/admin/surveys", response_model=Page[SurveyListItem], name="list_admin_surveys")
def all_surveys(
    caller: StaffCaller, limit: Annotated[int, Query(ge=1, le=100)] = 20, cursor: str | None = None
) -> Response:
    filters: dict[str, Any] = {"limit": limit}
    start = cursors.decode(cursor, "/admin/surveys", filters)
    found, last = store.page(limit, start)
    items = [views.list_item(s) for s in found]
    return json_response({"items": items, "next_cursor": cursors.encode(last, "/admin/surveys", filters)})


@app.post("/admin/surveys", status_code=201, response_model=SurveyView, name="create_survey")
def create_survey(body: SurveyCreate, caller: AdminCaller, clock: Now) -> Response:
    created = definitions.create(body, iso(clock.now()))
    return json_response(views.survey(created), 201, {"Location": f"/surveys/{created.id}"})


@app.post(
    "/admin/surveys/{survey_id}/open",
    response_model=SurveyView,
    name="open_survey",
    responses={404: [], 409: ["survey_closed"]},
)
def open_survey(survey_id: str, caller: CityWideStaffCaller, clock: Now) -> Response:
    return json_response(views.survey(definitions.move(survey_id, "open", clock.now())))


@app.post(
    "/admin/surveys/{survey_id}/close",
    response_model=SurveyView,
    name="close_survey",
    responses={404: [], 409: ["survey_not_open"]},
)
def close_survey(survey_id: str, caller: CityWideStaffCaller, clock: Now) -> Response:
    return json_response(views.survey(definitions.move(survey_id, "close", clock.now())))


@app.get(
    "/admin/surveys/{survey_id}/results", response_model=ResultsView, name="get_survey_results", responses={404: []}
)
def survey_results(survey_id: str, caller: StaffCaller, clock: Now) -> Response:
    survey = definitions.known(survey_id)
    by_type, _ = store.counters(survey)
    tallies = {kind: domain.summed(items) for kind, items in by_type.items()}
    return json_response(domain.results(survey, tallies, iso(clock.now())))


@app.get(
    "/admin/surveys/{survey_id}/export.csv",
    name="export_survey_csv",
    responses={404: []},
    media_type="text/csv; charset=utf-8",
)
def export_csv(survey_id: str, caller: StaffCaller) -> Response:
    survey = definitions.known(survey_id)
    rows = (domain.csv_row(survey, response) for response in store.responses(survey.id))
    return csv_attachment(f"{survey.id}.csv", domain.csv_header(survey), rows)


handler = lambda_handler(app, "survey", logger)
