"""Open311 GeoReport v2 in PMC's words (API.md 6): categories as services, grievances as service requests,
and what a GET query or a POST form asks, checked. Pure: no I/O, no clock of its own (now is given).

Never puts the owner, a phone number, contact fields or any staff-only text in a request: GET is public."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from grievance.domain import OPEN, STATUSES, Grievance
from pmc_common.clock import IST, parse_iso
from pmc_common.ids import GRIEVANCE_ID
from pmc_common.models import plain_text

JURISDICTION = "pmc.gov.in"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the services or their definitions last changed (Service Discovery's changeset): bump it with
# data/grievance_categories.json, so clients refresh what they cache.
CHANGESET = datetime(2026, 12, 1, 0, 0, tzinfo=IST)
WINDOW = timedelta(days=90)  # GET requests: the date window's default and largest span
MAX_REQUESTS = 1000  # GET requests: the most one answer holds
MAX_DESCRIPTION = 4000
MAX_CONTACT = 200  # first_name, last_name, email, phone, device_id, account_id
MAX_MEDIA_URL = 2000
MAX_ADDRESS = 300
PROPERTY_ID = re.compile(r"^PMC-W(0[1-9]|1[0-5])-[0-9]{6}$")
CONTACT_FIELDS = ("email", "device_id", "account_id", "first_name", "last_name", "phone")
Open311Status = Literal["open", "closed"]
ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


class Open311Error(Exception):
    """An Open311 error (code, description): rendered as the specification's `errors` list, never as
    problem+json. `description` is English and never personal."""

    def __init__(self, code: int, description: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.headers = dict(headers or {})


def bad(description: str) -> Open311Error:
    return Open311Error(400, description)


def open311_status(status: str) -> Open311Status:
    """API.md 6: open = submitted, assigned, in_progress, reopened; closed = resolved, closed, rejected."""
    return "open" if status in OPEN else "closed"


def statuses_of(open311: Open311Status) -> tuple[str, ...]:
    return tuple(s for s in STATUSES if open311_status(s) == open311)


def at_offset(stamp: str | None) -> str | None:
    """A stored UTC time as ISO 8601 in Pune's offset (`2026-06-10T10:42:09+05:30`)."""
    if stamp is None:
        return None
    return parse_iso(stamp).astimezone(IST).isoformat()


# --- services --------------------------------------------------------------------------------------


def service(category: Any, department_name: str) -> dict[str, Any]:
    """One `<service>` of GET services: `metadata` true when the category asks extra questions."""
    return {
        "service_code": category.id,
        "service_name": category.name["en"],
        "description": f"{category.name['en']} / {category.name['mr']}",
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.department_id,
        "group": department_name,
    }


def service_definition(category: Any) -> dict[str, Any]:
    """GET services/{service_code}: the category's extra questions as Open311 attributes, in their order."""
    return {
        "service_code": category.id,
        "attributes": [
            {
                "variable": True,
                "code": a["code"],
                "datatype": a["datatype"],
                "required": bool(a["required"]),
                "datatype_description": None,
                "order": a["order"],
                "description": a["description"]["en"],
                "values": [{"key": v["key"], "name": v["name"]["en"]} for v in a["values"]],
            }
            for a in sorted(category.attributes, key=lambda a: (a["order"], a["code"]))
        ],
    }


def discovery(base_url: str) -> dict[str, Any]:
    """Service Discovery: this one production endpoint, both formats."""
    return {
        "changeset": CHANGESET.isoformat(),
        "contact": "Pune Municipal Corporation, PMC CARE: write to the IT department through pmc.gov.in",
        "key_service": "API keys are issued by PMC administrators; see docs/open311.md",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base_url}/open311/v2",
                "changeset": CHANGESET.isoformat(),
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


# --- service requests -------------------------------------------------------------------------------


def status_notes(g: Grievance) -> str | None:
    """The latest public staff note (API.md 3.8: notes are public); never internal notes, re-routing
    reasons or a citizen's reopen reason."""
    for entry in reversed(g.timeline):
        if entry.get("type") == "note" and entry.get("actor") == "staff" and entry.get("note"):
            return str(entry["note"])
    return None


def service_request(g: Grievance, service_name: str, agency: str, media_url: str | None) -> dict[str, Any]:
    """One `<request>` of GET requests: the mapping of API.md 6, nothing personal."""
    return {
        "service_request_id": g.id,
        "status": open311_status(g.status),
        "status_notes": status_notes(g),
        "service_name": service_name,
        "service_code": g.category,
        "description": g.description or None,
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": at_offset(g.created_at),
        "updated_datetime": at_offset(g.updated_at),
        "expected_datetime": at_offset(g.due_at),
        "address": g.address,
        "address_id": None,
        "zipcode": None,
        "lat": g.lat,
        "long": g.lng,
        "media_url": media_url,
    }


# --- GET requests: the query ----------------------------------------------------------------------


@dataclass(frozen=True)
class RequestsQuery:
    """What GET requests asks, checked: ids (overriding all else), or services × statuses in a window."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()  # empty: every service
    statuses: tuple[Open311Status, ...] = ("open", "closed")
    start: datetime = field(default_factory=lambda: datetime(1970, 1, 1, tzinfo=UTC))
    end: datetime = field(default_factory=lambda: datetime(9999, 1, 1, tzinfo=UTC))

    def matches(self, g: Grievance) -> bool:
        """The plain reading of the query on one grievance (the index reads must agree with it)."""
        if self.ids:
            return g.id in self.ids
        requested = parse_iso(g.created_at)
        return (
            (not self.service_codes or g.category in self.service_codes)
            and open311_status(g.status) in self.statuses
            and self.start <= requested <= self.end
        )


def w3c_datetime(value: str, name: str, *, end_of_day: bool = False) -> datetime:
    """A W3C datetime with its offset (`1994-11-05T08:15:30-05:00`, `…Z`), or a date alone, taken in Pune
    (its first second; its last with `end_of_day`). Anything else is a 400."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end_of_day else time.min, IST).replace(microsecond=0)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})", text):
            raise ValueError(text)
        return parse_iso(text)
    except (ValueError, OverflowError):
        raise bad(f"{name} must be a W3C datetime with an offset, e.g. 2026-06-10T10:42:09+05:30") from None


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def requests_query(params: Mapping[str, str], known_codes: Iterable[str], now: datetime) -> RequestsQuery:
    """GET requests' parameters (empty ones absent): `service_request_id` (comma list) overrides the rest;
    else `service_code` (comma list of known codes), `status` (open, closed or both, comma list),
    `start_date`/`end_date` (the most recent 90 days by default; given one, the 90 days from or up to it;
    never more than 90 days or backwards). Any wrong value is a 400."""
    if "service_request_id" in params:
        ids = tuple(dict.fromkeys(_comma_list(params["service_request_id"])))
        if len(ids) > MAX_REQUESTS:
            raise bad(f"service_request_id may list at most {MAX_REQUESTS} ids")
        return RequestsQuery(ids=tuple(i for i in ids if GRIEVANCE_ID.match(i)) or ("",))
    codes = tuple(dict.fromkeys(_comma_list(params.get("service_code", ""))))
    unknown = sorted(set(codes) - set(known_codes))
    if unknown:
        raise bad("service_code names no service: " + ",".join(c[:60] for c in unknown[:5]))
    statuses = tuple(dict.fromkeys(_comma_list(params.get("status", "")))) or ("open", "closed")
    if not set(statuses) <= {"open", "closed"}:
        raise bad("status must be open, closed or both, comma delimited")
    start = w3c_datetime(params["start_date"], "start_date") if "start_date" in params else None
    end = w3c_datetime(params["end_date"], "end_date", end_of_day=True) if "end_date" in params else None
    if start is None and end is None:
        end, start = now, now - WINDOW
    elif start is None:
        assert end is not None
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    if start > end:
        raise bad("start_date must not be after end_date")
    if end - start > WINDOW:
        raise bad("start_date and end_date may not span more than 90 days")
    return RequestsQuery(
        service_codes=codes,
        statuses=tuple(s for s in ("open", "closed") if s in statuses),  # type: ignore[misc]
        start=start,
        end=end,
    )


# --- POST requests: the form ----------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    lat: float | None
    lng: float | None
    address: str | None
    address_id: str | None


@dataclass(frozen=True)
class RequestForm:
    """A POST requests form, checked (all but the service's attributes, which the domain checks)."""

    api_key: str
    service_code: str
    location: Location
    description: str
    attributes: dict[str, Any]
    media_url: str | None
    contact: dict[str, str]


def _one(fields: Sequence[tuple[str, str]], name: str) -> str | None:
    values = [v.strip() for k, v in fields if k == name and v.strip() != ""]
    if len(values) > 1:
        raise bad(f"{name} is given more than once")
    return values[0] if values else None


def _text(value: str | None, name: str, limit: int) -> str | None:
    if value is None:
        return None
    if len(value) > limit:
        raise bad(f"{name} must be at most {limit} characters")
    try:
        return plain_text(value)
    except ValueError as wrong:
        raise bad(f"{name} {wrong}") from None


def _coordinate(value: str, name: str, bound: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise bad(f"{name} must be a number") from None
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise bad(f"{name} must be between -{bound:g} and {bound:g}")
    return number


def attributes_of(fields: Sequence[tuple[str, str]], datatypes: Mapping[str, str]) -> dict[str, Any]:
    """`attribute[code]=v` and `attribute[code][]=v` (repeated) as code -> value for the domain's check:
    list types take the listed keys, `number` a number; an unknown code is kept for the domain to refuse."""
    single: dict[str, str] = {}
    multiple: dict[str, list[str]] = {}
    for key, value in fields:
        found = ATTRIBUTE_FIELD.match(key)
        if found is None:
            continue
        code, is_list = found.group(1), found.group(2) is not None
        if is_list:
            multiple.setdefault(code, []).append(value.strip())
        elif code in single:
            raise bad(f"attribute[{code[:60]}] is given more than once")
        else:
            single[code] = value
    if set(single) & set(multiple):
        raise bad("an attribute is given both as a value and as a list")
    attributes: dict[str, Any] = {}
    for code, value in single.items():
        kind = datatypes.get(code)
        if kind == "number":
            try:
                number = float(value)
            except ValueError:
                raise bad(f"attribute[{code}] must be a number") from None
            attributes[code] = int(number) if number.is_integer() and abs(number) < 2**53 else number
        elif kind == "multivaluelist":
            attributes[code] = [value.strip()]
        else:
            attributes[code] = value
    for code, values in multiple.items():
        attributes[code] = values if datatypes.get(code) != "singlevaluelist" or len(values) != 1 else values[0]
    return {code: value for code, value in attributes.items() if value not in ("", [])}


def request_form(fields: Sequence[tuple[str, str]], datatypes_of: Mapping[str, Mapping[str, str]]) -> RequestForm:
    """POST requests' form (API.md 6): `api_key`; a known `service_code`; a location by `lat`+`long`,
    `address_string` or `address_id` (a PMC property id); `description` ≤ 4000; `media_url`; contact
    fields; the service's attributes. Empty values are absent; any wrong one is a 400."""
    api_key = _one(fields, "api_key") or ""
    code = _one(fields, "service_code")
    if code is None:
        raise bad("service_code is required")
    if code not in datatypes_of:
        raise bad("service_code names no service")
    lat, lng = _one(fields, "lat"), _one(fields, "long")
    address = _text(_one(fields, "address_string"), "address_string", MAX_ADDRESS)
    address_id = _one(fields, "address_id")
    if (lat is None) != (lng is None):
        raise bad("lat and long go together")
    if address_id is not None and not PROPERTY_ID.match(address_id):
        raise bad("address_id must be a PMC property id such as PMC-W07-000001")
    if lat is None and address is None and address_id is None:
        raise bad("a location is required: lat and long, address_string or address_id")
    location = Location(
        _coordinate(lat, "lat", 90) if lat is not None else None,
        _coordinate(lng, "long", 180) if lng is not None else None,
        address,
        address_id,
    )
    description = _text(_one(fields, "description"), "description", MAX_DESCRIPTION) or ""
    media_url = _text(_one(fields, "media_url"), "media_url", MAX_MEDIA_URL)
    if media_url is not None and not re.match(r"^https?://[^\s]+$", media_url):
        raise bad("media_url must be an http or https URL")
    contact = {name: value for name in CONTACT_FIELDS if (value := _text(_one(fields, name), name, MAX_CONTACT))}
    return RequestForm(
        api_key=api_key,
        service_code=code,
        location=location,
        description=description,
        attributes=attributes_of(fields, datatypes_of[code]),
        media_url=media_url,
        contact=contact,
    )


def ward_of_address(location: Location, localities: Mapping[str, str]) -> str | None:
    """The ward of an address-only request (API.md 6): the property id's ward, else the first locality of
    the gazetteer named in the address (whole words, any case); None when neither says."""
    if location.address_id is not None:
        return location.address_id[4:7]
    text = (location.address or "").casefold()
    for name, ward in sorted(localities.items(), key=lambda item: -len(item[0])):
        if re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", text):
            return ward
    return None
