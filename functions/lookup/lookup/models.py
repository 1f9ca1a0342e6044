"""Request and response shapes of the lookup routes, as API.md section 2 names them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from pmc_common.models import Bilingual, Body, Slug, Timestamp, View, Ward, bilingual_input, plain_text, text

Phone = Annotated[str, StringConstraints(pattern=r"^\+91[0-9]{10}$")]
# Their patterns let any non-space character through: the plain-text rule keeps out control and bidi characters
Email = Annotated[
    str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), AfterValidator(plain_text)
]
Website = Annotated[
    str, StringConstraints(max_length=300, pattern=r"^https://[^\s/$.?#][^\s]*$"), AfterValidator(plain_text)
]
# Pune box for offices and facilities (API.md 2.1); JSON numbers only, never strings.
PuneLat = Annotated[float, Field(ge=18.35, le=18.70)]
PuneLng = Annotated[float, Field(ge=73.65, le=74.10)]

ContactCategory = Literal[
    "emergency", "police", "fire", "ambulance", "women", "children", "disaster", "pmc", "utility", "other"
]
ContactScope = Literal["national", "state", "city"]
OfficeType = Literal["ward_office", "cfc", "head_office"]
Level = Literal[
    "commissioner",
    "additional_commissioner",
    "deputy_commissioner",
    "assistant_commissioner",
    "department_head",
    "officer",
]

Name120 = bilingual_input(2, 120)
Name160 = bilingual_input(2, 160)
Address = bilingual_input(5, 300)
Hours = bilingual_input(1, 120)
Service = bilingual_input(1, 120)


class ContactIn(Body):
    number: Annotated[str, StringConstraints(pattern=r"^[0-9+][0-9 -]{1,19}$")]
    name: Name120  # type: ignore[valid-type]
    category: ContactCategory
    scope: ContactScope
    hours: Hours | None = None  # type: ignore[valid-type]
    sample: bool
    sort: Annotated[int, Field(ge=0, le=9999)]


class ContactView(View):
    id: str
    number: str
    name: Bilingual
    category: str
    scope: str
    hours: Bilingual | None
    sample: bool
    sort: int
    updated_at: str


class DepartmentView(View):
    id: str
    name: Bilingual
    phone: str | None
    email: str | None
    office_id: str | None


class OfficeIn(Body):
    type: OfficeType
    ward: Ward | None = None
    name: Name120  # type: ignore[valid-type]
    address: Address  # type: ignore[valid-type]
    lat: PuneLat
    lng: PuneLng
    phone: Phone | None = None
    email: Email | None = None
    hours: Hours | None = None  # type: ignore[valid-type]
    services: Annotated[list[Service], Field(default_factory=list, max_length=30)]  # type: ignore[valid-type]


class OfficeView(View):
    id: str
    type: str
    ward: str | None
    name: Bilingual
    address: Bilingual
    lat: float
    lng: float
    phone: str | None
    email: str | None
    hours: Bilingual | None
    services: list[Bilingual]
    updated_at: str


class WhoIn(Body):
    name: Name160  # type: ignore[valid-type]
    designation: Name160  # type: ignore[valid-type]
    level: Level
    department_id: Slug | None = None
    ward: Ward | None = None
    office_id: text(1, 20) | None = None  # type: ignore[valid-type]
    phone: Phone | None = None
    email: Email | None = None
    sort: Annotated[int, Field(ge=0, le=9999)]


class WhoView(View):
    id: str
    name: Bilingual
    designation: Bilingual
    level: str
    department_id: str | None
    ward: str | None
    office_id: str | None
    phone: str | None
    email: str | None
    sort: int
    updated_at: str


class FacilityCategoryView(View):
    id: str
    name: Bilingual


class FacilityIn(Body):
    category: Slug
    name: Name120  # type: ignore[valid-type]
    address: Address  # type: ignore[valid-type]
    ward: Ward
    lat: PuneLat
    lng: PuneLng
    phone: Phone | None = None
    hours: Hours | None = None  # type: ignore[valid-type]
    open_24x7: bool
    website: Website | None = None


class FacilityView(View):
    id: str
    category: str
    name: Bilingual
    address: Bilingual
    ward: str
    lat: float
    lng: float
    phone: str | None
    hours: Bilingual | None
    open_24x7: bool
    website: str | None
    updated_at: str
    distance_m: int | None


class WardOfficeView(View):
    """A ward's office as GET /wards shows it: what a map pin and a call button need (the whole office is
    GET /offices/{id})."""

    id: str
    name: Bilingual
    address: Bilingual
    lat: float
    lng: float
    phone: str | None


class Geometry(View):
    """A GeoJSON geometry (RFC 7946): `coordinates` are [lng, lat] pairs in rings, WGS 84."""

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any]


class WardView(View):
    code: str
    name: Bilingual
    office: WardOfficeView | None
    boundary: Geometry


# --- city updates (API.md 2.4) --------------------------------------------------------------------

UpdateCategory = Literal["water_cut", "road_closure", "health_drive", "event", "other"]
UpdateStatus = Literal["scheduled", "active", "ended", "withdrawn"]
UpdateTitle = bilingual_input(3, 120)
UpdateText = bilingual_input(10, 2000)


class CityUpdateCreate(Body):
    category: UpdateCategory
    ward: Ward | None  # required: null is a city-wide update, which a ward officer may not publish
    title: UpdateTitle  # type: ignore[valid-type]
    body: UpdateText  # type: ignore[valid-type]
    starts_at: Timestamp
    ends_at: Timestamp


class CityUpdatePatch(Body):
    """A JSON merge patch (RFC 7396) of what may change: a member left out keeps its value; none may be null
    (each is required), and a bilingual member is replaced whole. `ward` is not here: an unknown field."""

    category: UpdateCategory | None = None
    title: UpdateTitle | None = None  # type: ignore[valid-type]
    body: UpdateText | None = None  # type: ignore[valid-type]
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None

    @field_validator("*", mode="before")
    @classmethod
    def not_null(cls, value: Any) -> Any:
        # Runs only on members sent: in a merge patch null would remove the member, and none is optional.
        if value is None:
            raise ValueError("may not be null")
        return value

    def changes(self) -> dict[str, Any]:
        """The members sent, as the domain takes them."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class WithdrawBody(Body):
    reason: text(1, 500) | None = None  # type: ignore[valid-type]


class CityUpdateView(View):
    id: str
    category: str
    ward: str | None
    title: Bilingual
    body: Bilingual
    starts_at: str
    ends_at: str
    status: str
    created_at: str
    updated_at: str
    withdrawn_at: str | None
