import pytest

from pmc_common.auth import Caller, caller_from_claims, parse_groups


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[staff ward_officer]", {"staff", "ward_officer"}),
        ('["admin", "staff"]', {"admin", "staff"}),
        (["admin"], {"admin"}),
        ("[]", set()),
        (None, set()),
        ("staff", {"staff"}),
    ],
)
def test_groups_parse_in_every_form_the_gateway_sends(raw: object, expected: set[str]) -> None:
    assert parse_groups(raw) == expected


def test_a_ward_officer_is_limited_to_their_ward() -> None:
    officer = caller_from_claims({"sub": "s", "cognito:groups": "[ward_officer]", "custom:ward": "W07"})
    assert officer.is_ward_officer
    assert officer.covers_ward("W07")
    assert not officer.covers_ward("W08")


def test_staff_and_admins_cover_every_ward() -> None:
    for groups in ("[staff]", "[admin]", "[staff ward_officer]"):
        caller = caller_from_claims({"sub": "s", "cognito:groups": groups, "custom:ward": "W07"})
        assert not caller.is_ward_officer
        assert caller.covers_ward("W08")


def test_a_citizen_covers_no_ward_and_a_bad_ward_claim_is_dropped() -> None:
    citizen = Caller("s", "+919800000001", frozenset(), None)
    assert not citizen.covers_ward("W07")
    assert caller_from_claims({"sub": "s", "custom:ward": "W16"}).ward is None
