"""App.answer_faults: a route family exempt from problem+json (Open311, API.md 6) answers its request faults in
its own format, under its prefix only; elsewhere, and for a 500, problem+json stays."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from starlette.testclient import TestClient

from pmc_common.app import Request, Response, create_app
from pmc_common.errors import DomainError, NotFound

app = create_app("test", "test", Logger(service="test", level="WARNING"), raw_body_paths=("/own/",))


@app.get("/own/{thing}")
def own(thing: str) -> None:
    raise NotFound("No such thing")


@app.post("/own/{thing}")
def post_own(thing: str) -> dict[str, str]:
    return {"ok": thing}


@app.get("/other/{thing}")
def other(thing: str) -> None:
    raise NotFound("No such thing")


@app.get("/own-boom")
def boom() -> None:
    raise RuntimeError("a bug")


def plain_text(request: Request, error: DomainError) -> Response | None:
    return Response(f"{error.status} {error.detail}", status_code=error.status, media_type="text/plain")


app.answer_faults("/own/", plain_text)
client = TestClient(app, raise_server_exceptions=False)  # type: ignore[arg-type]  # an ASGI app with plain dicts


def test_faults_under_the_prefix_take_its_format() -> None:
    reply = client.get("/own/x")
    assert reply.status_code == 404
    assert reply.headers["content-type"].startswith("text/plain")
    assert reply.text == "404 No such thing"
    too_large = client.post("/own/x", content=b"x" * (256 * 1024 + 1))
    assert too_large.status_code == 413
    assert too_large.text.startswith("413 ")


def test_faults_elsewhere_and_bugs_stay_problems() -> None:
    reply = client.get("/other/x")
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/problem+json"
    bug = client.get("/own-boom")
    assert bug.status_code == 500
    assert bug.headers["content-type"] == "application/problem+json"
