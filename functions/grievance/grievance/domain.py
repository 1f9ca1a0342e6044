"""Pure grievance rules: the lifecycle as a table, SLA and escalation, feedback and reopen windows.

No I/O: the store reads and writes, these functions decide and return the changed grievance."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pmc_common import lifecycle
from pmc_common.clock import iso, parse_iso
from pmc_common.errors import Invalid
from pmc_common.models import plain_text

Status = Literal["submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened"]
Actor = Literal["citizen", "staff", "system", "open311", "cfc_clerk"]
Channel = Literal["app", "open311", "cfc"]
CREATED_BY: dict[str, Actor] = {"app": "citizen", "open311": "open311", "cfc": "cfc_clerk"}  # a `created` entry
STATUSES: tuple[Status, ...] = ("submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened")
OPEN: frozenset[str] = frozenset({"submitted", "assigned", "in_progress", "reopened"})
REOPEN_WINDOW = timedelta(days=7)
AUTO_CLOSE_AFTER = timedelta(days=7)
MAX_REOPENS = 2
MAX_ESCALATION_LEVEL = 3
MIN_ESCALATION_EXTENSION = timedelta(hours=12)


@dataclass(frozen=True)
class TimelineEvent:
    at: str
    type: Literal[
        "created",
        "status_changed",
        "assignee_changed",
        "note",
        "internal_note",
        "escalated",
        "feedback",
        "rerouted",
        "photo_hidden",  # moderation (issue 20): the note is the staff's reason, staff view only
        "photo_redacted",
        "description_edited",
    ]
    actor: Actor
    from_status: str | None = None
    to_status: str | None = None
    note: str | None = None
    level: int | None = None
    rating: int | None = None
    # where a `rerouted` entry sent it (issue 15): shown to everyone, as the grievance's own fields are
    category: str | None = None
    ward: str | None = None
    department: str | None = None

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
    channel: Channel
    assignee: str | None
    feedback: dict[str, Any] | None
    followers_count: int
    photo_count: int
    last_escalation_event_id: str | None
    timeline: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    version: int = 0
    # The SLA hours it runs on, kept from its category when logged or re-routed (issue 15), so editing
    # data/ never moves the deadlines of a grievance already open; None: stored before they were kept.
    sla_hours: int | None = None
    # Proof of fix (issue 20): why it was resolved, {"reason": "fixed" (resolution photos) | a RESOLUTION_REASONS
    # value, "duplicate_of": id | None}; None while never resolved, cleared by a reopen.
    resolution: dict[str, Any] | None = None
    # Moderation (issue 20), staff view only: who did what and why, the description as it was before an edit.
    moderation: tuple[dict[str, Any], ...] = ()
    # What it adds now to its ward × department's "open now" / "overdue now" counts of the public scorecard
    # (issue 20; grievance.scorecard.settled): "open", "overdue" (counted by an escalation sweep that found
    # it overdue and could not escalate it), or None: nothing (not open, or stored before those counts).
    # Kept by the store, never by a lifecycle row, and in no view.
    scorecard_now: str | None = None

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
    description: str,
    lat: float | None,
    lng: float | None,
    address: str | None = None,
    landmark: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    owner_sub: str,
    owner_phone_number: str | None,
    channel: Channel,
    now: datetime,
    office: Mapping[str, Any] | None = None,
) -> StatusChange:
    """A new grievance: `submitted`, due after the category's SLA (API.md 3.3). `lat`/`lng` are None
    only for an Open311 request located by address. Filed at a CFC (channel `cfc`, issue 20), `office`
    is that CFC (`id`, bilingual `name`), recorded in the `created` entry with actor `cfc_clerk`."""
    at = iso(now)
    due = iso(due_after(now, sla_hours))
    actor = CREATED_BY[channel]
    if (channel == "cfc") != (office is not None):
        raise ValueError("a CFC filing, and only one, names its office")
    created = Grievance(
        id=grievance_id,
        category=category,
        description=description,
        lat=lat,
        lng=lng,
        address=address,
        landmark=landmark,
        attributes=dict(attributes or {}),
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
        timeline=(created_entry(at, actor, office),),
        sla_hours=sla_hours,
    )
    return StatusChange(created, None, "submitted")


def created_entry(at: str, actor: Actor, office: Mapping[str, Any] | None) -> dict[str, Any]:
    """The `created` timeline entry; one filed at a CFC also names it (`office`: id and bilingual name),
    a key only such entries carry (a view shows it null on every other entry)."""
    entry = TimelineEvent(at, "created", actor, None, "submitted").as_dict()
    return {**entry, "office": dict(office)} if office is not None else entry


def kept_sla_hours(g: Grievance, category_sla_hours: int) -> int:
    """The SLA hours a grievance runs on: its own (issue 15); the category's, as data/ has it now, only for
    a grievance stored before they were kept."""
    return g.sla_hours if g.sla_hours is not None else category_sla_hours


# --- the lifecycle (API.md 3.7–3.10, issue 15): the one table every status change goes through ------

By = Literal["staff", "owner", "system"]
STAFF: frozenset[str] = frozenset({"staff"})
OWNER: frozenset[str] = frozenset({"owner"})
SYSTEM: frozenset[str] = frozenset({"system"})
ACTOR_OF: dict[str, Actor] = {"staff": "staff", "owner": "citizen", "system": "system"}
Rule = lifecycle.Rule[Grievance]
Effect = lifecycle.Effect[Grievance]
Guard = lifecycle.Guard[Grievance]

# What rows set. Every value is computed from the grievance as read, what was given and now.
NOW = Effect("now", lambda g, given, now: iso(now))
FIRST_RESOLUTION = Effect("now, when never resolved before", lambda g, given, now: g.first_resolved_at or iso(now))
ASSIGNEE = Effect("the given assignee", lambda g, given, now: given["assignee"])
ASSIGNEE_IF_GIVEN = Effect("the given assignee, if any", lambda g, given, now: given.get("assignee") or g.assignee)
FEEDBACK = Effect(
    "rating, comment, now",
    lambda g, given, now: {"rating": given["rating"], "comment": given.get("comment"), "at": iso(now)},
)
SLA_RESTART = Effect(
    "now + its SLA hours", lambda g, given, now: iso(due_after(now, kept_sla_hours(g, given["sla_hours"])))
)
ONE_MORE_REOPEN = Effect("reopen_count + 1", lambda g, given, now: g.reopen_count + 1)
ONE_LEVEL_UP = Effect("escalation_level + 1", lambda g, given, now: g.escalation_level + 1)
ESCALATION_DUE = Effect(
    "now + max(12 h, its SLA hours / 2)",
    lambda g, given, now: iso(now + escalation_extension(kept_sla_hours(g, given["sla_hours"]))),
)
EVENT_ID = Effect("the sweep's event id", lambda g, given, now: given["event_id"])
NEW_CATEGORY = Effect("the given category, if any", lambda g, given, now: given.get("category") or g.category)
NEW_WARD = Effect("the given ward, if any", lambda g, given, now: given.get("ward") or g.ward)
NEW_DEPARTMENT = Effect(
    "the new category's department (kept when only the ward moves)", lambda g, given, now: given["department"]
)
NEW_SLA_HOURS = Effect(
    "the new category's SLA hours (kept when only the ward moves)", lambda g, given, now: given["sla_hours"]
)
NEW_SLA = Effect(
    "created_at + its new SLA hours",
    lambda g, given, now: iso(due_after(parse_iso(g.created_at), given["sla_hours"])),
)

# Proof of fix (issue 20): a move to `resolved` rests on resolution photos uploaded since the last reopen
# (`resolution_photos`, counted by photo_rules.resolution_proof), or on one of these reasons with a note.
RESOLUTION_REASONS: tuple[str, ...] = ("no_fix_needed", "duplicate", "other_agency")
RESOLUTION = Effect(
    "the reason given, or `fixed` (resolution photos); the duplicate's id",
    lambda g, given, now: {
        "reason": given.get("resolution_reason") or "fixed",
        "duplicate_of": given.get("duplicate_of"),
    },
)
MODERATION_LOG = Effect(
    "its log + who, what, why (and the description as it was)",
    lambda g, given, now: (
        *g.moderation,
        {
            "at": iso(now),
            "action": given["action"],
            "by": given["moderator"],
            "reason": given["reason"],
            "photo_id": given.get("photo_id"),
            "rectangles": given.get("rectangles"),
            "previous_description": g.description if given.get("description") is not None else None,
        },
    ),
)
EDITED_DESCRIPTION = Effect(
    "the given description, if any", lambda g, given, now: given.get("description") or g.description
)


def _duplicate_named(g: Grievance, given: Mapping[str, Any], now: datetime) -> bool:
    return (given.get("resolution_reason") == "duplicate") == (given.get("duplicate_of") is not None)


PROOF_OF_FIX = Guard(
    "a resolution photo since the last reopen, or a `resolution_reason`",
    "validation",
    "give a resolution photo first, or a resolution_reason (no_fix_needed, duplicate, other_agency) with a note",
    lambda g, given, now: bool(given.get("resolution_photos")) or given.get("resolution_reason") is not None,
    field="body.resolution_reason",
)
REASON_NOTED = Guard(
    "a `resolution_reason` comes with a `note`",
    "validation",
    "is required with a resolution_reason",
    lambda g, given, now: given.get("resolution_reason") is None or given.get("note") is not None,
    field="body.note",
)
DUPLICATE_NAMED = Guard(
    "`duplicate_of` given with `duplicate`, and only then",
    "validation",
    "names the grievance this one duplicates, with resolution_reason duplicate only",
    _duplicate_named,
    field="body.duplicate_of",
)
NOT_ITSELF = Guard(
    "`duplicate_of` is another grievance",
    "validation",
    "cannot be the grievance itself",
    lambda g, given, now: given.get("duplicate_of") != g.id,
    field="body.duplicate_of",
)
DUPLICATE_KNOWN = Guard(
    "`duplicate_of` is a grievance the caller may see",
    "validation",
    "no grievance with that id",
    lambda g, given, now: given.get("duplicate_of") is None or bool(given.get("duplicate_known")),
    field="body.duplicate_of",
)

# What rows check beyond the status, in this order.
IN_REOPEN_WINDOW = Guard(
    "now ≤ resolved_at + 7 days",
    "reopen_window_passed",
    "The 7-day window to reopen has passed",
    lambda g, given, now: g.resolved_at is not None and now <= parse_iso(g.resolved_at) + REOPEN_WINDOW,
)
UNDER_REOPEN_LIMIT = Guard(
    f"reopen_count < {MAX_REOPENS}",
    "reopen_limit_reached",
    "This grievance has been reopened twice already",
    lambda g, given, now: g.reopen_count < MAX_REOPENS,
)
RESOLVED_A_WEEK = Guard(
    "resolved_at ≤ now − 7 days",
    "illegal_transition",
    "Resolved less than 7 days ago",
    lambda g, given, now: g.resolved_at is not None and parse_iso(g.resolved_at) <= now - AUTO_CLOSE_AFTER,
)
OVERDUE = Guard("now > due_at", "illegal_transition", "Not overdue", lambda g, given, now: now > parse_iso(g.due_at))
BELOW_TOP_LEVEL = Guard(
    f"escalation_level < {MAX_ESCALATION_LEVEL}",
    "illegal_transition",
    "Already at the top escalation level",
    lambda g, given, now: g.escalation_level < MAX_ESCALATION_LEVEL,
)
NEW_EVENT = Guard(
    "not escalated by this event id",
    "illegal_transition",
    "Already escalated by this event",
    lambda g, given, now: g.last_escalation_event_id != given["event_id"],
)

OPEN_ORDER: tuple[str, ...] = ("submitted", "assigned", "in_progress", "reopened")
NOTED: tuple[str, ...] = (*OPEN_ORDER, "resolved")  # a public note: anything but closed and rejected
# The timeline a staff move writes: an assignee or a note given with the status lands after it.
STAFF_MOVE = ("status_changed", "assignee_changed", "note")


def _staff_move(from_status: str, to_status: str, *requires: str, **sets: Effect) -> Rule:
    return Rule(
        "status",
        from_status,
        to_status,
        STAFF,
        requires,
        sets={"assignee": ASSIGNEE_IF_GIVEN, **sets},
        records=STAFF_MOVE,
    )


# API.md 3.9 as data: every move not listed is refused (409 illegal_transition or the route's code).
# `via` names who asks: a staff PATCH (`status`, `reassign`, `note`), the owner's `feedback` and
# `reopen`, the `auto_close` and `escalate` sweeps, a staff `reroute`. Escalation and notes are rows
# from a status to itself: they pass the same gate (who, what given, which checks) and change fields,
# never the status, so StatusChange.moves_status keeps them off the counters and out of status events.
LIFECYCLE = lifecycle.Lifecycle[Grievance](
    STATUSES,
    [
        *(_staff_move(status, "assigned", "assignee", assignee=ASSIGNEE) for status in ("submitted", "reopened")),
        _staff_move("assigned", "in_progress"),
        Rule(
            "status",
            "in_progress",
            "resolved",
            STAFF,
            guards=(PROOF_OF_FIX, REASON_NOTED, DUPLICATE_NAMED, NOT_ITSELF, DUPLICATE_KNOWN),
            sets={
                "assignee": ASSIGNEE_IF_GIVEN,
                "resolved_at": NOW,
                "first_resolved_at": FIRST_RESOLUTION,
                "resolution": RESOLUTION,
            },
            records=STAFF_MOVE,
        ),
        *(_staff_move(status, "rejected", "note") for status in OPEN_ORDER),
        *(
            Rule(
                "reassign",
                status,
                status,
                STAFF,
                ("assignee",),
                sets={"assignee": ASSIGNEE},
                records=("assignee_changed",),
            )
            for status in ("assigned", "in_progress")
        ),
        *(Rule("note", status, status, STAFF, ("note",), records=("note",)) for status in NOTED),
        # Internal notes reach no citizen, follower or Open311 feed, so unlike public notes they are taken
        # in every status: staff annotate a rejected or closed grievance too (a duplicate's id, a call).
        *(
            Rule("internal_note", status, status, STAFF, ("internal_note",), records=("internal_note",))
            for status in STATUSES
        ),
        Rule(
            "feedback",
            "resolved",
            "closed",
            OWNER,
            ("rating",),
            sets={"feedback": FEEDBACK, "closed_at": NOW},
            records=("feedback", "status_changed"),
        ),
        Rule(
            "auto_close",
            "resolved",
            "closed",
            SYSTEM,
            guards=(RESOLVED_A_WEEK,),
            sets={"closed_at": NOW},
            records=("status_changed",),
        ),
        *(
            Rule(
                "reopen",
                status,
                "reopened",
                OWNER,
                ("reason",),
                guards=(IN_REOPEN_WINDOW, UNDER_REOPEN_LIMIT),
                sets={"reopen_count": ONE_MORE_REOPEN, "due_at": SLA_RESTART},
                clears=("assignee", "closed_at", "resolution"),
                records=("status_changed", "reason"),
            )
            for status in ("resolved", "closed")
        ),
        *(
            Rule(
                "escalate",
                status,
                status,
                SYSTEM,
                guards=(OVERDUE, BELOW_TOP_LEVEL, NEW_EVENT),
                sets={"escalation_level": ONE_LEVEL_UP, "due_at": ESCALATION_DUE, "last_escalation_event_id": EVENT_ID},
                records=("escalated",),
            )
            for status in OPEN_ORDER
        ),
        # Re-routing (issue 15): work in hand goes back to the queue of whoever now owns it.
        *(
            Rule(
                "reroute",
                status,
                "submitted" if status in ("assigned", "in_progress") else status,
                STAFF,
                ("reason",),
                sets={
                    "category": NEW_CATEGORY,
                    "ward": NEW_WARD,
                    "department": NEW_DEPARTMENT,
                    "sla_hours": NEW_SLA_HOURS,
                    "due_at": NEW_SLA,
                    "sla_due_at": NEW_SLA,
                },
                clears=("assignee",) if status in ("assigned", "in_progress") else (),
                records=("rerouted", "status_changed") if status in ("assigned", "in_progress") else ("rerouted",),
            )
            for status in OPEN_ORDER
        ),
        # Moderation (issue 20), in any status: hiding or redacting a citizen's photo, editing the public
        # description; each logged with who and why (`moderation`), the reason in the staff view only.
        *(
            Rule(
                "moderate",
                status,
                status,
                STAFF,
                ("reason", "action", "moderator"),
                sets={"description": EDITED_DESCRIPTION, "moderation": MODERATION_LOG},
                records=("moderated",),
            )
            for status in STATUSES
        ),
    ],
    refusals={
        "status": lifecycle.Refusal("illegal_transition", "A grievance cannot go from {from_status} to {to_status}"),
        "reassign": lifecycle.Refusal("illegal_transition", "A {from_status} grievance cannot be reassigned"),
        "note": lifecycle.Refusal("illegal_transition", "A {from_status} grievance takes no more notes"),
        "feedback": lifecycle.Refusal("not_resolved", "Only a resolved grievance can be rated"),
        "reopen": lifecycle.Refusal("not_resolved", "Only a resolved or closed grievance can be reopened"),
        "reroute": lifecycle.Refusal("grievance_not_open", "Only an open grievance can be re-routed"),
    },
    initial=("submitted", "citizen, open311"),
    final=("closed", "rejected"),
)


def allowed(from_status: str, to_status: str, by: str) -> bool:
    return LIFECYCLE.allowed(from_status, to_status, by)


# The timeline entries a row names, each written only when it says something (a note only when given).
Recorder = Callable[[lifecycle.Move[Grievance], Mapping[str, Any], str, Actor], TimelineEvent | None]
RECORDERS: dict[str, Recorder] = {
    "status_changed": lambda m, given, at, actor: TimelineEvent(
        at, "status_changed", actor, m.before.status, m.after.status
    ),
    "assignee_changed": lambda m, given, at, actor: (
        TimelineEvent(at, "assignee_changed", actor)
        # moving to `assigned` names the first assignee in the status change itself
        if m.after.assignee != m.before.assignee and not (m.rule.to_status == "assigned" and m.before.assignee is None)
        else None
    ),
    "note": lambda m, given, at, actor: (
        TimelineEvent(at, "note", actor, note=given["note"]) if given.get("note") is not None else None
    ),
    "internal_note": lambda m, given, at, actor: TimelineEvent(at, "internal_note", actor, note=given["internal_note"]),
    "reason": lambda m, given, at, actor: TimelineEvent(at, "note", actor, note=given["reason"]),
    "feedback": lambda m, given, at, actor: TimelineEvent(at, "feedback", actor, rating=given["rating"]),
    "moderated": lambda m, given, at, actor: TimelineEvent(at, given["action"], actor, note=given["reason"]),
    "escalated": lambda m, given, at, actor: TimelineEvent(at, "escalated", actor, level=m.after.escalation_level),
    # where it went, for everyone; the reason (`note`) for the staff view only (grievance.views)
    "rerouted": lambda m, given, at, actor: TimelineEvent(
        at,
        "rerouted",
        actor,
        note=given["reason"],
        category=m.after.category,
        ward=m.after.ward,
        department=m.after.department,
    ),
}
if unknown := {r for rule in LIFECYCLE for r in rule.records} - RECORDERS.keys():
    raise ValueError(f"lifecycle rows record {unknown}, which nothing writes")


def transition(
    current: Grievance, to: str | None, *, by: By, via: str, given: Mapping[str, Any], now: datetime
) -> StatusChange:
    """The one gate for every change of a grievance after logging: the row of LIFECYCLE for `via` from
    the current status (to `to`, or the route's only row when None) decides who may, what must be given
    and checked, and what is set, cleared and written to the timeline. Raises Conflict (409 with the
    route's code) or Invalid (422 naming `body.<field>`); returns the change, never stores it."""
    move = LIFECYCLE.apply(current, to, by=by, via=via, given=given, now=now)
    at, actor = iso(now), ACTOR_OF[by]
    written = [e.as_dict() for kind in move.rule.records if (e := RECORDERS[kind](move, given, at, actor)) is not None]
    g = replace(move.after, timeline=(*current.timeline, *written), updated_at=at) if written else move.after
    first_resolution = current.first_resolved_at is None and g.first_resolved_at is not None
    return StatusChange(g, current.status, g.status, first_resolution)


def staff_change(
    current: Grievance,
    *,
    status: str | None,
    assignee: str | None,
    note: str | None,
    internal_note: str | None = None,
    now: datetime,
    proof: Mapping[str, Any] | None = None,
) -> StatusChange:
    """PATCH /staff/grievances/{id} (API.md 3.8): a status move (which takes the assignee and note along),
    else a reassignment and/or a public note; then an internal note, if given; each through `transition`.
    `proof` (issue 20): `resolution_photos` (count), `resolution_reason`, `duplicate_of`, `duplicate_known`,
    which the move to `resolved` checks; none given, it must be refused."""
    if status is None and assignee is None and note is None and internal_note is None:
        raise Invalid.of("body", "give at least one of status, assignee, note, internal_note")
    proof = proof or {}
    for name in ("resolution_reason", "duplicate_of"):
        if status != "resolved" and proof.get(name) is not None:
            raise Invalid.of(f"body.{name}", "is given only with status resolved")
    given = {"assignee": assignee, "note": note, "internal_note": internal_note, **proof}
    if status is not None:
        change = transition(current, status, by="staff", via="status", given=given, now=now)
    else:
        g = current
        if assignee is not None:
            g = transition(g, g.status, by="staff", via="reassign", given=given, now=now).grievance
        if note is not None:
            g = transition(g, g.status, by="staff", via="note", given=given, now=now).grievance
        change = StatusChange(g, current.status, None)
    if internal_note is None:
        return change
    g = change.grievance
    return replace(
        change, grievance=transition(g, g.status, by="staff", via="internal_note", given=given, now=now).grievance
    )


def reroute(
    current: Grievance,
    *,
    category: str | None,
    ward: str | None,
    reason: str,
    department: str,
    sla_hours: int,
    now: datetime,
) -> StatusChange:
    """POST /staff/grievances/{id}/reroute (issue 15): to another category and/or ward, through the
    `reroute` row. `department` and `sla_hours` are those data/ gives the category it ends up in; when
    only the ward moves it keeps its own, so re-routing to a ward never re-reads its category's SLA."""
    if category is None and ward is None:
        raise Invalid.of("body", "give at least one of category, ward")
    to_category, to_ward = category or current.category, ward or current.ward
    if (to_category, to_ward) == (current.category, current.ward):
        raise Invalid.of("body", "the grievance is already in this category and ward")
    if to_category == current.category:
        department, sla_hours = current.department, kept_sla_hours(current, sla_hours)
    given = {
        "reason": reason,
        "category": to_category,
        "ward": to_ward,
        "department": department,
        "sla_hours": sla_hours,
    }
    return transition(current, None, by="staff", via="reroute", given=given, now=now)


def moderate(
    current: Grievance,
    *,
    action: str,
    by: str,
    reason: str,
    now: datetime,
    photo_id: str | None = None,
    rectangles: list[dict[str, int]] | None = None,
    description: str | None = None,
) -> StatusChange:
    """A moderation action (issue 20): `photo_hidden`, `photo_redacted` or `description_edited`, by a staff
    member (`by`, their sub), through the `moderate` row; the photo itself is the photo store's to change."""
    given = {
        "action": action,
        "moderator": by,
        "reason": reason,
        "photo_id": photo_id,
        "rectangles": rectangles,
        "description": description,
    }
    return transition(current, None, by="staff", via="moderate", given=given, now=now)


def last_reopened_at(g: Grievance) -> str | None:
    """When it was last reopened (resolution photos must be newer to count as proof); None: never."""
    return next(
        (e["at"] for e in reversed(g.timeline) if e["type"] == "status_changed" and e["to_status"] == "reopened"),
        None,
    )


def give_feedback(current: Grievance, *, rating: int, comment: str | None, now: datetime) -> StatusChange:
    """The owner rates a resolved grievance, which closes it (API.md 3.7)."""
    given = {"rating": rating, "comment": comment}
    return transition(current, "closed", by="owner", via="feedback", given=given, now=now)


def reopen(current: Grievance, *, reason: str, sla_hours: int, now: datetime) -> StatusChange:
    """The owner reopens within 7 days of resolution, at most twice (API.md 3.7), due after its own SLA
    hours (`sla_hours`, its category's, counts only for a grievance stored before they were kept)."""
    given = {"reason": reason, "sla_hours": sla_hours}
    return transition(current, "reopened", by="owner", via="reopen", given=given, now=now)


def escalation_extension(sla_hours: int) -> timedelta:
    """A new due time: half the SLA, at least 12 hours (API.md 3.10)."""
    return max(MIN_ESCALATION_EXTENSION, timedelta(hours=sla_hours) / 2)


def within_sla(g: Grievance) -> bool:
    """First resolution on or before the original SLA due time (escalation does not move it)."""
    return g.first_resolved_at is not None and parse_iso(g.first_resolved_at) <= parse_iso(g.sla_due_at)


def compliance_pct(resolved: int, within: int) -> float | None:
    """Share resolved within SLA, one decimal, half up (6.25 → 6.3); None when nothing is resolved."""
    if resolved == 0:
        return None
    exact = Decimal(within * 100) / Decimal(resolved)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Counters:
    """The stats counters as the store keeps them, in the transaction of every status change (API.md 3.8)."""

    by_key: Mapping[tuple[str, str, str], int]  # (ward, department, status) -> grievances
    sla: Mapping[tuple[str, str], tuple[int, int]]  # (ward, department) -> (first resolutions, within SLA)


def stats(
    counters: Counters,
    *,
    ward: str | None,
    wards: Sequence[str],
    departments: Sequence[str],
    overdue: int,
    now: datetime,
) -> dict[str, Any]:
    """The StatsView of GET /staff/grievances/stats (API.md 3.8), summed from the counters of one ward
    (`ward`) or the city (None): every status, every ward in scope and every department, zeros included."""
    in_scope = [ward] if ward is not None else list(wards)
    by_status: dict[str, int] = dict.fromkeys(STATUSES, 0)
    by_ward: dict[str, dict[str, int]] = {w: dict.fromkeys(STATUSES, 0) for w in in_scope}
    by_department: dict[str, dict[str, int]] = {d: dict.fromkeys(STATUSES, 0) for d in departments}
    for (w, d, status), count in counters.by_key.items():
        if status not in by_status or ward not in (None, w):
            continue
        by_status[status] += count
        if w in by_ward:
            by_ward[w][status] += count
        if d in by_department:
            by_department[d][status] += count
    sla = [pair for (w, _), pair in counters.sla.items() if ward in (None, w)]
    resolved, within = sum(r for r, _ in sla), sum(w for _, w in sla)
    return {
        "as_of": iso(now),
        "ward": ward,
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_ward": [{"ward": w, "by_status": counts} for w, counts in by_ward.items()],
        "by_department": [{"department": d, "by_status": counts} for d, counts in by_department.items()],
        "overdue": overdue,
        "sla": {
            "resolved": resolved,
            "resolved_within_sla": within,
            "compliance_pct": compliance_pct(resolved, within),
        },
    }


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
