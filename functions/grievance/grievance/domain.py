"""Pure grievance rules: the lifecycle as a table, SLA and escalation, feedback and reopen windows.

No I/O: the store reads and writes, these functions decide and return the changed grievance."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pmc_common.clock import iso, parse_iso
from pmc_common.errors import Conflict, Invalid
from pmc_common.models import plain_text

Status = Literal["submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened"]
Actor = Literal["citizen", "staff", "system", "open311"]
STATUSES: tuple[Status, ...] = ("submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened")
OPEN: frozenset[str] = frozenset({"submitted", "assigned", "in_progress", "reopened"})
REOPEN_WINDOW = timedelta(days=7)
AUTO_CLOSE_AFTER = timedelta(days=7)
MAX_REOPENS = 2
MAX_ESCALATION_LEVEL = 3
MIN_ESCALATION_EXTENSION = timedelta(hours=12)


@dataclass(frozen=True)
class Transition:
    """Who may move a grievance from one status to another, and what they must give."""

    by: frozenset[str]  # "staff", "owner", "system"
    requires: tuple[str, ...] = ()


def _staff(*requires: str) -> Transition:
    return Transition(frozenset({"staff"}), requires)


# API.md 3.9, as data. Every pair not listed is forbidden.
LIFECYCLE: dict[tuple[str, str], Transition] = {
    ("submitted", "assigned"): _staff("assignee"),
    ("reopened", "assigned"): _staff("assignee"),
    ("assigned", "in_progress"): _staff(),
    ("in_progress", "resolved"): _staff(),
    **{(status, "rejected"): _staff("note") for status in sorted(OPEN)},
    ("resolved", "closed"): Transition(frozenset({"owner", "system"})),
    ("resolved", "reopened"): Transition(frozenset({"owner"}), ("reason",)),
    ("closed", "reopened"): Transition(frozenset({"owner"}), ("reason",)),
}


def allowed(from_status: str, to_status: str, by: str) -> bool:
    rule = LIFECYCLE.get((from_status, to_status))
    return rule is not None and by in rule.by


@dataclass(frozen=True)
class TimelineEvent:
    at: str
    type: Literal["created", "status_changed", "assignee_changed", "note", "escalated", "feedback"]
    actor: Actor
    from_status: str | None = None
    to_status: str | None = None
    note: str | None = None
    level: int | None = None
    rating: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Grievance:
    """A grievance as the rules see it (the store adds keys, indexes and counters)."""

    id: str
    category: str
    description: str
    lat: float | None
    lng: float | None
    address: str | None
    landmark: str | None
    attributes: dict[str, Any]
    ward: str
    department: str
    status: str
    escalation_level: int
    reopen_count: int
    created_at: str
    updated_at: str
    due_at: str
    sla_due_at: str
    resolved_at: str | None
    first_resolved_at: str | None
    closed_at: str | None
    owner_sub: str
    owner_phone_number: str | None
    channel: Literal["app", "open311"]
    assignee: str | None
    feedback: dict[str, Any] | None
    followers_count: int
    photo_count: int
    last_escalation_event_id: str | None
    timeline: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def overdue(self, now: datetime) -> bool:
        return self.is_open and now > parse_iso(self.due_at)

    def with_event(self, event: TimelineEvent, **changes: Any) -> Grievance:
        return replace(self, timeline=(*self.timeline, event.as_dict()), updated_at=event.at, **changes)


@dataclass(frozen=True)
class StatusChange:
    """What a change did, for counters, events and notifications."""

    grievance: Grievance
    from_status: str | None
    to_status: str | None  # None: no status change (assignee, note, escalation)
    first_resolution: bool = False

    @property
    def moves_status(self) -> bool:
        """True only when the grievance leaves one status for another: the one case that moves counters."""
        return self.to_status is not None and self.to_status != self.from_status


def due_after(start: datetime, sla_hours: int) -> datetime:
    return start + timedelta(hours=sla_hours)


def log(
    *,
    grievance_id: str,
    category: str,
    department: str,
    sla_hours: int,
    ward: str,
    body: dict[str, Any],
    owner_sub: str,
    owner_phone_number: str | None,
    channel: Literal["app", "open311"],
    now: datetime,
) -> StatusChange:
    """A new grievance: `submitted`, due after the category's SLA (API.md 3.3)."""
    at = iso(now)
    due = iso(due_after(now, sla_hours))
    actor: Actor = "open311" if channel == "open311" else "citizen"
    created = Grievance(
        id=grievance_id,
        category=category,
        description=body["description"],
        lat=body.get("lat"),
        lng=body.get("lng"),
        address=body.get("address"),
        landmark=body.get("landmark"),
        attributes=body.get("attributes") or {},
        ward=ward,
        department=department,
        status="submitted",
        escalation_level=0,
        reopen_count=0,
        created_at=at,
        updated_at=at,
        due_at=due,
        sla_due_at=due,
        resolved_at=None,
        first_resolved_at=None,
        closed_at=None,
        owner_sub=owner_sub,
        owner_phone_number=owner_phone_number,
        channel=channel,
        assignee=None,
        feedback=None,
        followers_count=0,
        photo_count=0,
        last_escalation_event_id=None,
        timeline=(TimelineEvent(at, "created", actor, None, "submitted").as_dict(),),
    )
    return StatusChange(created, None, "submitted")


def illegal(detail: str) -> Conflict:
    return Conflict(detail, code="illegal_transition")


def staff_change(
    current: Grievance, *, status: str | None, assignee: str | None, note: str | None, now: datetime
) -> StatusChange:
    """PATCH /staff/grievances/{id}: a transition, a reassignment and/or a public note (API.md 3.8)."""
    if status is None and assignee is None and note is None:
        raise Invalid.of("body", "give at least one of status, assignee, note")
    at = iso(now)
    g = current
    from_status = current.status
    first_resolution = False
    if status is not None:
        rule = LIFECYCLE.get((current.status, status))
        if rule is None or "staff" not in rule.by:
            raise illegal(f"A grievance cannot go from {current.status} to {status}")
        given = {"assignee": assignee, "note": note}
        for required in rule.requires:
            if given.get(required) is None:
                raise Invalid.of(f"body.{required}", f"is required to move a grievance to {status}")
        changes: dict[str, Any] = {"status": status}
        if status == "resolved":
            changes["resolved_at"] = at
            if current.first_resolved_at is None:
                changes["first_resolved_at"] = at
                first_resolution = True
        if status == "assigned":
            changes["assignee"] = assignee
        g = g.with_event(TimelineEvent(at, "status_changed", "staff", current.status, status), **changes)
    elif assignee is not None and current.status not in ("assigned", "in_progress"):
        raise illegal(f"A {current.status} grievance cannot be reassigned")
    elif assignee is None and note is not None and current.status in ("closed", "rejected"):
        raise illegal(f"A {current.status} grievance takes no more notes")
    if assignee is not None and assignee != current.assignee and status != "assigned":
        g = g.with_event(TimelineEvent(at, "assignee_changed", "staff"), assignee=assignee)
    elif assignee is not None and status == "assigned" and current.assignee not in (None, assignee):
        g = g.with_event(TimelineEvent(at, "assignee_changed", "staff"))
    if note is not None:
        g = g.with_event(TimelineEvent(at, "note", "staff", note=note))
    return StatusChange(g, from_status, status, first_resolution)


def give_feedback(current: Grievance, *, rating: int, comment: str | None, now: datetime) -> StatusChange:
    """The owner rates a resolved grievance, which closes it (API.md 3.7)."""
    if current.status != "resolved":
        raise Conflict("Only a resolved grievance can be rated", code="not_resolved")
    at = iso(now)
    g = current.with_event(
        TimelineEvent(at, "feedback", "citizen", rating=rating),
        feedback={"rating": rating, "comment": comment, "at": at},
    )
    g = g.with_event(
        TimelineEvent(at, "status_changed", "citizen", "resolved", "closed"), status="closed", closed_at=at
    )
    return StatusChange(g, "resolved", "closed")


def reopen(current: Grievance, *, reason: str, sla_hours: int, now: datetime) -> StatusChange:
    """The owner reopens within 7 days of resolution, at most twice (API.md 3.7)."""
    if current.status not in ("resolved", "closed") or current.resolved_at is None:
        raise Conflict("Only a resolved or closed grievance can be reopened", code="not_resolved")
    if now > parse_iso(current.resolved_at) + REOPEN_WINDOW:
        raise Conflict("The 7-day window to reopen has passed", code="reopen_window_passed")
    if current.reopen_count >= MAX_REOPENS:
        raise Conflict("This grievance has been reopened twice already", code="reopen_limit_reached")
    at = iso(now)
    g = current.with_event(
        TimelineEvent(at, "status_changed", "citizen", current.status, "reopened"),
        status="reopened",
        reopen_count=current.reopen_count + 1,
        assignee=None,
        due_at=iso(due_after(now, sla_hours)),
        closed_at=None,
    )
    g = g.with_event(TimelineEvent(at, "note", "citizen", note=reason))
    return StatusChange(g, current.status, "reopened")


@dataclass(frozen=True)
class Escalation:
    grievance: Grievance
    level: int


def escalation_extension(sla_hours: int) -> timedelta:
    """A new due time: half the SLA, at least 12 hours (API.md 3.10)."""
    return max(MIN_ESCALATION_EXTENSION, timedelta(hours=sla_hours) / 2)


def escalate(current: Grievance, *, sla_hours: int, event_id: str, now: datetime) -> Escalation | None:
    """One escalation step for an overdue open grievance, or None when it must be skipped:
    not open, not overdue, already at level 3, or already escalated by this very event."""
    if not current.overdue(now) or current.escalation_level >= MAX_ESCALATION_LEVEL:
        return None
    if current.last_escalation_event_id == event_id:
        return None
    level = current.escalation_level + 1
    at = iso(now)
    g = current.with_event(
        TimelineEvent(at, "escalated", "system", level=level),
        escalation_level=level,
        due_at=iso(now + escalation_extension(sla_hours)),
        last_escalation_event_id=event_id,
    )
    return Escalation(g, level)


def auto_close(current: Grievance, *, now: datetime) -> StatusChange | None:
    """Resolved for 7 days without feedback: the system closes it (API.md 3.10)."""
    if current.status != "resolved" or current.resolved_at is None:
        return None
    if parse_iso(current.resolved_at) > now - AUTO_CLOSE_AFTER:
        return None
    at = iso(now)
    g = current.with_event(
        TimelineEvent(at, "status_changed", "system", "resolved", "closed"), status="closed", closed_at=at
    )
    return StatusChange(g, "resolved", "closed")


def within_sla(g: Grievance) -> bool:
    """First resolution on or before the original SLA due time (escalation does not move it)."""
    return g.first_resolved_at is not None and parse_iso(g.first_resolved_at) <= parse_iso(g.sla_due_at)


def compliance_pct(resolved: int, within: int) -> float | None:
    """Share resolved within SLA, one decimal, half up (6.25 → 6.3); None when nothing is resolved."""
    if resolved == 0:
        return None
    exact = Decimal(within * 100) / Decimal(resolved)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# A number attribute is a count or a measure: within the integers every JSON reader holds exactly (RFC 7493).
ATTRIBUTE_NUMBER_LIMIT = 2**53 - 1
TEXT_ATTRIBUTE_LIMITS = {"string": 200, "text": 2000}


def check_attributes(definitions: list[dict[str, Any]], given: dict[str, Any]) -> dict[str, Any]:
    """Category attributes (Open311-compatible): known codes, required ones present, and each value of the
    shape its datatype takes, whatever JSON value arrived (API.md 3.2, 3.3). Returns them normalised: text
    trimmed, times in UTC. Any wrong value is Invalid naming `body.attributes.<code>`, never another error."""
    by_code = {d["code"]: d for d in definitions}
    for code in given:
        if code not in by_code:
            raise Invalid.of(f"body.attributes.{code}", "unknown attribute for this category")
    checked: dict[str, Any] = {}
    for code, definition in by_code.items():
        field_name = f"body.attributes.{code}"
        if code not in given:
            if definition["required"]:
                raise Invalid.of(field_name, "is required for this category")
            continue
        keys = {v["key"] for v in definition["values"]}
        try:
            checked[code] = _attribute_value(definition["datatype"], keys, given[code])
        except ValueError as wrong:
            raise Invalid.of(field_name, str(wrong)) from None
    return checked


def _attribute_value(kind: str, keys: set[str], value: Any) -> Any:
    """`value` normalised for its datatype, or ValueError with the field's message. The type is checked
    before the value is used: a list or an object is no key, and a huge number no float."""
    match kind:
        case "string" | "text":
            limit = TEXT_ATTRIBUTE_LIMITS[kind]
            if not isinstance(value, str) or not 1 <= len(value.strip()) <= limit:
                raise ValueError(f"must be text of 1 to {limit} characters")
            return plain_text(value.strip())
        case "number":
            # `not <=` also refuses NaN; the bound comes first, as a huge int has no float to test
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not abs(value) <= ATTRIBUTE_NUMBER_LIMIT
            ):
                raise ValueError(f"must be a number from -{ATTRIBUTE_NUMBER_LIMIT} to {ATTRIBUTE_NUMBER_LIMIT}")
            return value
        case "datetime":
            return _attribute_time(value)
        case "singlevaluelist":
            if not isinstance(value, str) or value.strip() not in keys:
                raise ValueError("must be one of the listed values")
            return value.strip()
        case "multivaluelist":
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ValueError("must be a list of distinct listed values")
            items = [item.strip() for item in value]
            if len(set(items)) != len(items) or not set(items) <= keys:
                raise ValueError("must be a list of distinct listed values")
            return items
    raise TypeError(f"unknown attribute datatype {kind!r}")  # reference data is checked when built


def _attribute_time(value: Any) -> str:
    wrong = ValueError("must be an ISO 8601 time with a UTC offset")
    if not isinstance(value, str):
        raise wrong
    try:
        at = parse_iso(value.strip())
    except (ValueError, OverflowError):  # OverflowError: an offset past year 1 or 9999
        raise wrong from None
    if at.year < 1000:  # iso() writes four-digit years
        raise wrong
    return iso(at)
