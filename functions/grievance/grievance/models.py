"""Request and response shapes of the grievance routes (API.md section 3)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, JsonValue, WithJsonSchema

from pmc_common.models import Bilingual, Body, Slug, View, Ward, text

Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
ResolutionReason = Literal["no_fix_needed", "duplicate", "other_agency"]
StatusName = Literal["submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened"]
# Any JSON value is let through to domain.check_attributes, the one place that knows each attribute's
# datatype: it answers a wrong shape with one error naming `body.attributes.<code>` (API.md 3.2).
AttributeValue = Annotated[
    JsonValue,
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "array", "items": {"type": "string"}}]}),
]


class GrievanceCreate(Body):
    category: Slug
    description: text(10, 2000)  # type: ignore[valid-type]
    lat: Latitude
    lng: Longitude
    address: text(1, 300) | None = None  # type: ignore[valid-type]
    landmark: text(1, 120) | None = None  # type: ignore[valid-type]
    attributes: dict[str, AttributeValue] | None = None


# An Indian mobile number in E.164 (+91 and 10 digits, the first 6-9): the SMS of a CFC filing goes to it.
INDIAN_MOBILE = r"^\+91[6-9][0-9]{9}$"


class CfcGrievanceCreate(GrievanceCreate):
    """POST /cfc/grievances (issue 20): a CFC clerk files the usual body for a walk-in citizen, whose
    account (found or made for this number) owns it and whose phone gets the SMS."""

    citizen_phone_number: Annotated[str, Field(pattern=INDIAN_MOBILE, examples=["+919800000001"])]


class PhotoRequest(Body):
    content_type: Literal["image/jpeg", "image/png"]


class StaffChange(Body):
    """PATCH /staff/grievances/{id} (API.md 3.8): at least one field. `note` is public (owner, followers,
    Open311); `internal_note` is a timeline entry of the staff view only, taken in any status."""

    status: StatusName | None = None
    assignee: text(2, 100) | None = None  # type: ignore[valid-type]
    note: text(1, 1000) | None = None  # type: ignore[valid-type]
    internal_note: text(1, 1000) | None = None  # type: ignore[valid-type]
    # Proof of fix (issue 20), with `status: resolved` only: without a resolution photo, a reason and a `note`
    resolution_reason: ResolutionReason | None = None
    duplicate_of: text(1, 32) | None = None  # type: ignore[valid-type]


class ModerationReason(Body):
    """Every moderation action says why (issue 20); shown in the staff view only."""

    reason: text(10, 500)  # type: ignore[valid-type]


class RedactionRectangle(Body):
    """Pixels of the photo as served (upright, `width` × `height` of its PhotoView), origin top left."""

    x: Annotated[int, Field(ge=0, le=100_000)]
    y: Annotated[int, Field(ge=0, le=100_000)]
    width: Annotated[int, Field(ge=0, le=100_000)]
    height: Annotated[int, Field(ge=0, le=100_000)]


class RedactBody(ModerationReason):
    rectangles: Annotated[list[RedactionRectangle], Field(min_length=1, max_length=20)]


class DescriptionBody(ModerationReason):
    description: text(10, 2000)  # type: ignore[valid-type]


class RerouteBody(Body):
    """POST /staff/grievances/{id}/reroute (issue 15), open grievances only: to another category (its
    department and SLA hours with it) and/or ward, due at created_at + the new SLA hours; work in hand goes
    back to `submitted` without an assignee. `reason` is shown in the staff view only."""

    category: Slug | None = None
    ward: Ward | None = None
    reason: text(10, 500)  # type: ignore[valid-type]


class FeedbackBody(Body):
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: text(1, 1000) | None = None  # type: ignore[valid-type]


class ReopenBody(Body):
    reason: text(10, 1000)  # type: ignore[valid-type]


class PreferencesBody(Body):
    """PUT /me/preferences (issue 16): the language of the citizen's SMS."""

    language: Literal["en", "mr"]


class PreferencesView(View):
    language: Literal["en", "mr"]


class CategoryAttributeValue(View):
    key: str
    name: Bilingual


class CategoryAttribute(View):
    code: str
    datatype: str
    required: bool
    order: int
    description: Bilingual
    values: list[CategoryAttributeValue]


class CategoryView(View):
    id: str
    name: Bilingual
    department_id: str
    sla_hours: int
    attributes: list[CategoryAttribute]


class TimelineView(View):
    """One timeline entry (API.md 3.4). `assignee_changed` and `internal_note` entries are in the staff
    view only; a `rerouted` entry names where it went (category, ward, department) and its `note`, the
    staff's reason, is null outside the staff view."""

    at: str
    type: str
    actor: str
    from_status: str | None
    to_status: str | None
    note: str | None
    level: int | None
    rating: int | None
    # set on `rerouted` entries only (issue 15); absent from entries stored before them
    category: str | None = None
    ward: str | None = None
    department: str | None = None
    # set on the `created` entry of one filed at a CFC (issue 20): which CFC; absent from all others
    office: CfcOffice | None = None


class CfcOffice(View):
    """A Citizen Facilitation Centre as a timeline or CFC view names it (data/offices.json)."""

    id: str
    name: Bilingual


class PhotoView(View):
    id: str
    status: Literal["processing", "ready", "rejected"]
    content_type: str
    width: int | None
    height: int | None
    url: str | None
    thumbnail_url: str | None
    urls_expire_at: str | None
    rejection_reason: str | None
    created_at: str
    kind: Literal["citizen", "resolution"]  # before and after (issue 20)
    hidden: bool  # true only in the staff view: a hidden photo is shown to no one else
    redacted: bool


class ResolutionView(View):
    """Why it was resolved (issue 20): `fixed` rests on resolution photos, the others on a reason and note."""

    reason: Literal["fixed", "no_fix_needed", "duplicate", "other_agency"]
    duplicate_of: str | None


class RectangleView(View):
    x: int
    y: int
    width: int
    height: int


class ModerationView(View):
    """One moderation action (issue 20), staff view only: who (the staff member's sub), what and why."""

    at: str
    action: Literal["photo_hidden", "photo_redacted", "description_edited"]
    by: str
    reason: str
    photo_id: str | None
    rectangles: list[RectangleView] | None
    previous_description: str | None


class StaffDetails(View):
    assignee: str | None
    sla_due_at: str
    owner_phone_number: str | None
    channel: Literal["app", "open311", "cfc"]


class FeedbackView(View):
    rating: int
    comment: str | None
    at: str


class GrievanceBaseView(View):
    """What every view of one grievance starts with, in this order (the schemas' property order): what was
    reported, where, and whose it is now. Not a response itself (so in no OpenAPI document)."""

    id: str
    category: str
    category_name: Bilingual
    description: str
    lat: float | None
    lng: float | None
    address: str | None
    landmark: str | None
    attributes: dict[str, Any]
    ward: str
    ward_name: Bilingual
    department: str
    department_name: Bilingual
    status: str


class GrievanceView(GrievanceBaseView):
    escalation_level: int
    overdue: bool
    reopen_count: int
    created_at: str
    updated_at: str
    due_at: str
    resolved_at: str | None
    closed_at: str | None
    relation: Literal["owner", "follower", "staff"]
    followers_count: int
    feedback: FeedbackView | None
    photos: list[PhotoView]
    # issue 20: staff's photos of the fix (after) beside the citizen's (before); why it was resolved;
    # the moderation log (staff view only, else null)
    resolution_photos: list[PhotoView]
    resolution: ResolutionView | None
    timeline: list[TimelineView]
    staff: StaffDetails | None
    moderation: list[ModerationView] | None


class MyGrievanceItem(View):
    id: str
    category: str
    category_name: Bilingual
    status: str
    ward: str
    ward_name: Bilingual
    created_at: str
    updated_at: str
    due_at: str
    overdue: bool
    relation: Literal["owner", "follower"]
    photo_count: int


class CfcGrievanceItem(View):
    """An item of GET /cfc/grievances (issue 20): a grievance filed at the clerk's CFC today."""

    id: str
    category: str
    category_name: Bilingual
    status: str
    ward: str
    ward_name: Bilingual
    created_at: str
    due_at: str
    citizen_phone_number: str | None


class CfcGrievanceView(GrievanceBaseView):
    """POST /cfc/grievances and GET /cfc/grievances/{id} (issue 20): what the clerk filed, for the slip the
    citizen takes home; the public timeline, no photos, feedback or staff details."""

    overdue: bool
    created_at: str
    updated_at: str
    due_at: str
    office: CfcOffice
    citizen_phone_number: str | None
    timeline: list[TimelineView]


class NearbyItem(View):
    id: str
    category: str
    status: str
    created_at: str
    lat: float
    lng: float
    distance_m: int
    followers_count: int


class FollowView(View):
    grievance_id: str
    following: bool
    followers_count: int


class PhotoUpload(View):
    photo_id: str
    url: str
    fields: dict[str, str]
    expires_at: str
    max_bytes: int


class QueueItem(View):
    id: str
    category: str
    status: str
    ward: str
    ward_name: Bilingual
    department: str
    department_name: Bilingual
    created_at: str
    due_at: str
    overdue: bool
    escalation_level: int
    assignee: str | None
    address: str | None
    landmark: str | None
    lat: float | None
    lng: float | None
    photo_count: int
    followers_count: int


class SlaView(View):
    resolved: int
    resolved_within_sla: int
    compliance_pct: float | None


class WardStats(View):
    ward: str
    by_status: dict[str, int]


class DepartmentStats(View):
    department: str
    by_status: dict[str, int]


class StatsView(View):
    as_of: str
    ward: str | None
    total: int
    by_status: dict[str, int]
    by_ward: list[WardStats]
    by_department: list[DepartmentStats]
    overdue: int
    sla: SlaView
