"""Compression by the app factory's gzip step, through Mangum's binary handling: a reply of 1 KiB or more is
gzip-compressed for a client that accepts it; the ETag stays the hash of the uncompressed body."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest

from pmc_common.app import GZIP_MIN_BYTES, accepts_gzip
from tests.harness import Api

GZIP = {"accept-encoding": "gzip, deflate, br"}


@pytest.fixture(scope="module", autouse=True)
def seeded(lookup_seed: None) -> None:
    """The table holds exactly the seed data when this module starts."""


def test_a_hundred_facilities_are_gzipped_to_under_a_quarter(api: Api) -> None:
    plain = api.get("/facilities", query={"limit": 100})
    packed = api.get("/facilities", query={"limit": 100}, headers=GZIP)
    assert plain.status == packed.status == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.body) == plain.body
    assert len(json.loads(plain.body)["items"]) == 100
    ratio = len(packed.body) / len(plain.body)
    print(f"GET /facilities?limit=100: {len(plain.body)} B plain, {len(packed.body)} B gzip, ratio {ratio:.3f}")
    assert ratio < 0.25


def test_the_etag_is_the_uncompressed_bodys_and_a_gzip_client_gets_its_304(api: Api) -> None:
    packed = api.get("/facilities", query={"limit": 100}, headers=GZIP)
    etag = packed.headers["etag"]
    assert etag == '"' + hashlib.sha256(gzip.decompress(packed.body)).hexdigest()[:32] + '"'
    again = api.get("/facilities", query={"limit": 100}, headers={**GZIP, "if-none-match": etag})
    assert again.status == 304
    assert again.body == b""
    assert again.headers["etag"] == etag
    assert "content-encoding" not in again.headers


def test_a_reply_under_1_kib_is_not_compressed(api: Api) -> None:
    small = api.get("/facilities", query={"limit": 1}, headers=GZIP)
    assert small.status == 200
    assert len(small.body) < GZIP_MIN_BYTES
    assert "content-encoding" not in small.headers
    assert json.loads(small.body)["items"]


def test_a_problem_is_compressed_only_when_large_and_accepted(api: Api) -> None:
    reply = api.get("/facilities", query={"limit": 500}, headers=GZIP)
    assert reply.status == 422
    assert "content-encoding" not in reply.headers  # a short problem+json
    assert reply.json()["status"] == 422


@pytest.mark.parametrize(
    ("accept_encoding", "accepted"),
    [
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("GZIP", True),
        ("gzip;q=0", False),
        ("br", False),
        ("", False),
        ("*", True),
        ("*, gzip;q=0", False),
        ("identity", False),
    ],
)
def test_accept_encoding_is_read_as_rfc_9110_says(accept_encoding: str, accepted: bool) -> None:
    assert accepts_gzip(accept_encoding) is accepted
