"""Open311 over HTTP on the local stack, as a third-party client sees it (issue 19): discover, list services,
post a request with an issued key, find it by token and in the list, and follow a photo's media_url to a
metadata-free thumbnail."""

from __future__ import annotations

import io
from typing import Any
from xml.etree import ElementTree

import httpx
from PIL import Image

from tests.e2e.support import TokenFactory, bearer, wait_for
from tests.e2e.test_grievance_flow import jpeg_with_gps


def test_a_client_discovers_posts_and_reads_back_a_request(stack: str, token: TokenFactory) -> None:
    admin = bearer(token("+919800005900", ["admin"]))
    with httpx.Client(base_url=stack, timeout=30) as http:
        discovery = ElementTree.fromstring(http.get("/open311/v2/discovery.xml").content)  # noqa: S314  (our own)
        assert discovery.findtext("endpoints/endpoint/url") == f"{stack}/open311/v2"
        services = http.get("/open311/v2/services.json").json()
        assert "pothole" in [s["service_code"] for s in services]
        issued = http.post("/admin/open311/keys", json={"name": "E2E client", "contact_email": None}, headers=admin)
        assert issued.status_code == 201, issued.text
        form = {
            "api_key": issued.json()["api_key"],
            "service_code": "pothole",
            "lat": "18.5196",
            "long": "73.8553",
            "description": "Pothole in front of the school gate.",
            "email": "reporter@example.org",
        }
        posted = http.post("/open311/v2/requests.json", data=form)
        assert posted.status_code == 201, posted.text
        (created,) = posted.json()
        by_token = http.get(f"/open311/v2/tokens/{created['token']}.json").json()
        assert by_token == [{"service_request_id": created["service_request_id"], "token": created["token"]}]
        listed = http.get("/open311/v2/requests.xml", params={"service_code": "pothole", "status": "open"})
        root = ElementTree.fromstring(listed.content)  # noqa: S314  (our own reply)
        assert created["service_request_id"] in [r.findtext("service_request_id") for r in root.findall("request")]
        assert b"reporter@" not in listed.content
        refused = http.post("/open311/v2/requests.json", data={**form, "api_key": "o311_" + "x" * 32})
        assert refused.status_code == 403
        assert refused.json()[0]["code"] == 403


def test_a_photo_is_published_as_a_stable_thumbnail_without_metadata(stack: str, token: TokenFactory) -> None:
    citizen = bearer(token("+919800005001"))
    body = {
        "category": "pothole",
        "description": "Pothole near the bus stop, very deep.",
        "lat": 18.5196,
        "lng": 73.8553,
    }
    with httpx.Client(base_url=stack, timeout=30) as http:
        gid = http.post("/grievances", json=body, headers=citizen).json()["id"]
        (item,) = http.get(f"/open311/v2/requests/{gid}.json").json()
        assert "media_url" not in item  # no photo yet
        upload = http.post(f"/grievances/{gid}/photos", json={"content_type": "image/jpeg"}, headers=citizen).json()
        sent = httpx.post(
            upload["url"], data=upload["fields"], files={"file": ("p.jpg", jpeg_with_gps(), "image/jpeg")}
        )
        assert sent.status_code == 204

        def published() -> dict[str, Any] | None:
            (found,) = http.get(f"/open311/v2/requests/{gid}.json").json()
            return dict(found) if "media_url" in found else None

        item = wait_for(published)
        assert item["media_url"] == f"{stack}/open311/v2/media/{gid}.jpg"
        assert "+9198" not in item["media_url"]
        redirect = http.get(item["media_url"])
        assert redirect.status_code == 302
        image = Image.open(io.BytesIO(httpx.get(redirect.headers["location"]).content))
        assert image.format == "JPEG"
        assert max(image.size) <= 320
        assert not image.getexif()  # no camera, no GPS
