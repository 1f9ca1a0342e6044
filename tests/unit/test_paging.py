import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmc_common.errors import BadRequest
from pmc_common.paging import Cursors

cursors = Cursors("secret")
keys = st.dictionaries(st.text(min_size=1, max_size=8), st.dictionaries(st.just("S"), st.text(max_size=20)), min_size=1)


@given(keys)
def test_a_cursor_round_trips_for_the_same_route_and_filters(position: dict) -> None:
    cursor = cursors.encode(position, "/facilities", {"category": None})
    assert cursor is not None
    assert cursors.decode(cursor, "/facilities", {"category": None}) == position


def test_the_last_page_has_no_cursor() -> None:
    assert cursors.encode(None, "/facilities", {}) is None
    assert cursors.decode(None, "/facilities", {}) is None


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c[:-2],  # truncated
        lambda c: ("A" if c[0] != "A" else "B") + c[1:],  # payload edited
        lambda c: c.replace(".", ""),  # no signature
        lambda c: "not-base64!!.x",
    ],
)
def test_a_tampered_cursor_is_a_bad_request(mutate) -> None:  # type: ignore[no-untyped-def]
    cursor = cursors.encode({"pk": {"S": "facility"}}, "/facilities", {})
    assert cursor is not None
    with pytest.raises(BadRequest) as raised:
        cursors.decode(mutate(cursor), "/facilities", {})
    assert raised.value.code == "invalid_cursor"


def test_a_cursor_reused_with_other_filters_or_route_is_refused() -> None:
    cursor = cursors.encode({"pk": {"S": "facility"}}, "/facilities", {"category": "hospital"})
    with pytest.raises(BadRequest):
        cursors.decode(cursor, "/facilities", {"category": "garden"})
    with pytest.raises(BadRequest):
        cursors.decode(cursor, "/offices", {"category": "hospital"})
    with pytest.raises(BadRequest):
        Cursors("other-secret").decode(cursor, "/facilities", {"category": "hospital"})
