"""GrievancesTable access for grievances; photo_store.py keeps their photos. The two are the only modules of
the grievance service that talk to DynamoDB.

Items (pk, sk):
- grievance   (<id>, "grievance"): the grievance; `doc` holds its fields, counters are native numbers
- follower    (<id>, "follower#<sub>"): a citizen following it, with the phone number for SMS
- photo       (<id>, "photo#<photo id>"): one photo and its processing state (photo_store.py)
- counter     ("stats", "<ward>#<department>#<status>") and ("stats", "sla#<ward>#<department>")
- due marker  ("open-due", "<due_at>#<id>") and ("open-due#<ward>", "<due_at>#<id>"): one pair per open
              grievance at its current due_at, no other attribute (about 50 bytes: a 1 MB page counts
              about 20,000); put, moved and deleted in the transaction of every change that opens or
              closes a grievance or moves its due_at or ward
- scorecard   ("scorecard#<IST month>", "<ward>#<department>"): the month's aggregates of grievance.scorecard
              (received, first resolutions, within SLA, hours-to-resolve histogram, verdicts, ratings), moved
              by marks(after) − marks(before) in the transaction of every change (ScorecardItem)
- scorecard now ("scorecard-now", "<ward>#<department>"): `open_now` and `overdue_now` of the public
              scorecard, moved by what the grievance recorded (`scorecard_now`) and records now, in the
              transaction of every change and of the escalation sweep's count_overdue (issue 20)
- outbox      (<id>, "event#<event id>"): a domain event (pmc_common.outbox), written in the transaction of
              the change that emits it, delivered to the bus from the table's stream, TTL-deleted after 7 days
Access patterns and their indexes (template.yaml). Every list reads about what it returns: the key
of the index holds what the filter needs (no filter expressions), and each Query has a Limit:
- a citizen's grievances / followed ones, newest first: ByCitizen (citizen_pk, citizen_sk = created_at#id)
- staff queue, sort key due_key = due_at#id, one partition per status merged in due_at order (a page of
  L from k partitions reads about 2L + k items at most; overdue=true/false is a key condition on due_key):
    no filter: ByStatus (status)                     ward: ByWardStatus (ward#status)
    department: ByDepartmentStatus (department#status)
    category (implies its department): ByCategoryStatus (category#status)
    ward + department: ByWardDepartmentStatus (ward#department#status)
    ward + category: ByWardCategoryStatus (ward#category#status)
- overdue open grievances for the escalation sweep, per ward: OpenByDue (sparse: open_ward only while open)
- overdue count for stats: one COUNT Query of the due markers, sk < now, in "open-due" for the city,
  "open-due#<ward>" for a ward (not a GSI: DynamoDB Local pages an index Query by the whole base item,
  ~780 keys a page; a marker page holds ~20,000). The city partition takes a write per open, close or
  escalation, city-wide a few a second at most, far under a partition's 1,000 WCU.
- stats: the counter items of the "stats" partition, one Query (two for one ward)
- resolved grievances by resolved_at for auto-close: ResolvedByTime (sparse)
- open grievances of a category near a point: NearbyBySpot (sparse: nearby_key = category#geohash7 while
  open, nearby_spot = geohash12#id), read best first by pmc_common.nearest
- Open311 request lists by requested time (issue 19): Open311ByRequested (open311_key = category#open|closed,
  open311_sk = created_at#id), one partition per service code and Open311 status, read newest first
  inside the date window (grievance.open311.store)
Every change of a grievance is one conditional UpdateItem on its version, in one transaction with
the counters and due markers it moves and the outbox items of the events it emits; no list is ever a Scan."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from itertools import chain, count
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.transactions import TransactWrite

from grievance import scorecard
from grievance.domain import OPEN, STATUSES, Counters, Grievance, StatusChange, within_sla
from grievance.events import emitted
from grievance.settings import grievances_table_name
from pmc_common import dynamo, ids
from pmc_common.clock import parse_iso
from pmc_common.errors import Conflict
from pmc_common.geo import encode, search_cover
from pmc_common.nearest import Nearest, Span, Spot, nearest, spot_key
from pmc_common.outbox import OutboxModel

STATS = "stats"
GRIEVANCE = "grievance"
OPEN_DUE = "open-due"  # the city's due markers; a ward's: "open-due#<ward>"
SCORECARD = "scorecard"  # a month's aggregates: "scorecard#<YYYY-MM>"
SCORECARD_NOW = "scorecard-now"  # open now / overdue now, one item per ward × department
NEARBY_PRECISION = 7  # cells of about 150 × 150 m: a 100 m search reads at most 9 of them
COUNTED = ("followers_count", "photo_count")  # native numbers, changed without touching the version


class ByCitizen(GlobalSecondaryIndex["GrievanceItem"]):
    class Meta:
        index_name = "ByCitizen"
        projection = AllProjection()

    citizen_pk = UnicodeAttribute(hash_key=True)
    citizen_sk = UnicodeAttribute(range_key=True)


class ByWardStatus(GlobalSecondaryIndex["GrievanceItem"]):
    class Meta:
        index_name = "ByWardStatus"
        projection = AllProjection()

    ward_status = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class ByDepartmentStatus(GlobalSecondaryIndex["GrievanceItem"]):
    class Meta:
        index_name = "ByDepartmentStatus"
        projection = AllProjection()

    department_status = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class ByStatus(GlobalSecondaryIndex["GrievanceItem"]):
    class Meta:
        index_name = "ByStatus"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class OpenByDue(GlobalSecondaryIndex["GrievanceItem"]):
    class Meta:
        index_name = "OpenByDue"
        projection = KeysOnlyProjection()

    open_ward = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class ResolvedByTime(GlobalSecondaryIndex["GrievanceItem"]):
    class Meta:
        index_name = "ResolvedByTime"
        projection = KeysOnlyProjection()

    resolved_key = UnicodeAttribute(hash_key=True)
    resolved_sk = UnicodeAttribute(range_key=True)


class ByCategoryStatus(GlobalSecondaryIndex["GrievanceItem"]):
    class Meta:
        index_name = "ByCategoryStatus"
        projection = AllProjection()

    category_status = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class ByWardDepartmentStatus(GlobalSecondaryIndex["GrievanceItem"]):
    class Meta:
        index_name = "ByWardDepartmentStatus"
        projection = AllProjection()

    ward_department_status = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class ByWardCategoryStatus(GlobalSecondaryIndex["GrievanceItem"]):
    class Meta:
        index_name = "ByWardCategoryStatus"
        projection = AllProjection()

    ward_category_status = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class NearbyBySpot(GlobalSecondaryIndex["GrievanceItem"]):
    class Meta:
        index_name = "NearbyBySpot"
        projection = AllProjection()

    nearby_key = UnicodeAttribute(hash_key=True)
    nearby_spot = UnicodeAttribute(range_key=True)


class Open311ByRequested(GlobalSecondaryIndex["GrievanceItem"]):
    class Meta:
        index_name = "Open311ByRequested"
        projection = AllProjection()

    open311_key = UnicodeAttribute(hash_key=True)
    open311_sk = UnicodeAttribute(range_key=True)


class GrievanceItem(dynamo.TableModel):
    class Meta:
        table_name = grievances_table_name()

    kind = UnicodeAttribute(null=True)
    doc = JSONAttribute(null=True)
    version = NumberAttribute(null=True)
    followers_count = NumberAttribute(null=True)
    photo_count = NumberAttribute(null=True)
    photo_seq = NumberAttribute(null=True)
    tally = NumberAttribute(null=True)  # counter items
    within = NumberAttribute(null=True)
    status = UnicodeAttribute(null=True)
    citizen_pk = UnicodeAttribute(null=True)
    citizen_sk = UnicodeAttribute(null=True)
    ward_status = UnicodeAttribute(null=True)
    department_status = UnicodeAttribute(null=True)
    category_status = UnicodeAttribute(null=True)
    ward_department_status = UnicodeAttribute(null=True)
    ward_category_status = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)
    open_ward = UnicodeAttribute(null=True)
    resolved_key = UnicodeAttribute(null=True)
    resolved_sk = UnicodeAttribute(null=True)
    nearby_key = UnicodeAttribute(null=True)
    nearby_spot = UnicodeAttribute(null=True)
    open311_key = UnicodeAttribute(null=True)
    open311_sk = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # epoch seconds (the table's TTL): Open311 rate-limit windows

    by_citizen = ByCitizen()
    by_ward_status = ByWardStatus()
    by_department_status = ByDepartmentStatus()
    by_status = ByStatus()
    by_category_status = ByCategoryStatus()
    by_ward_department_status = ByWardDepartmentStatus()
    by_ward_category_status = ByWardCategoryStatus()
    open_by_due = OpenByDue()
    resolved_by_time = ResolvedByTime()
    nearby_by_spot = NearbyBySpot()
    open311_by_requested = Open311ByRequested()


INDEX_KEYS = (
    "status",
    "citizen_pk",
    "citizen_sk",
    "ward_status",
    "department_status",
    "category_status",
    "ward_department_status",
    "ward_category_status",
    "due_key",
    "open_ward",
    "resolved_key",
    "resolved_sk",
    "nearby_key",
    "nearby_spot",
    "open311_key",
    "open311_sk",
)
_DOC_FIELDS = tuple(f.name for f in fields(Grievance) if f.name not in (*COUNTED, "version"))


def index_keys(g: Grievance) -> dict[str, str | None]:
    """The index attributes of a grievance; None removes a sparse key (closed items leave OpenByDue)."""
    is_open = g.status in OPEN
    located = is_open and g.lat is not None and g.lng is not None
    return {
        "status": g.status,
        "citizen_pk": f"owner#{g.owner_sub}",
        "citizen_sk": f"{g.created_at}#{g.id}",
        "ward_status": f"{g.ward}#{g.status}",
        "department_status": f"{g.department}#{g.status}",
        "category_status": f"{g.category}#{g.status}",
        "ward_department_status": f"{g.ward}#{g.department}#{g.status}",
        "ward_category_status": f"{g.ward}#{g.category}#{g.status}",
        "due_key": f"{g.due_at}#{g.id}",
        "open_ward": g.ward if is_open else None,
        "resolved_key": "resolved" if g.status == "resolved" else None,
        "resolved_sk": f"{g.resolved_at}#{g.id}" if g.status == "resolved" else None,
        "nearby_key": f"{g.category}#{encode(g.lat, g.lng, NEARBY_PRECISION)}" if located else None,  # type: ignore[arg-type]
        "nearby_spot": spot_key(g.lat, g.lng, g.id) if located else None,  # type: ignore[arg-type]
        "open311_key": f"{g.category}#{'open' if is_open else 'closed'}",
        "open311_sk": f"{g.created_at}#{g.id}",
    }


def _doc(g: Grievance) -> dict[str, Any]:
    data = asdict(g)
    data["timeline"] = list(g.timeline)
    return {name: data[name] for name in _DOC_FIELDS}


def _grievance(item: GrievanceItem) -> Grievance:
    doc = dict(item.doc or {})
    doc["timeline"] = tuple(doc.get("timeline") or ())
    return Grievance(
        **doc,
        followers_count=int(item.followers_count or 0),
        photo_count=int(item.photo_count or 0),
        version=int(item.version or 0),
    )


def _counter(key: str) -> GrievanceItem:
    return GrievanceItem(STATS, key)


def _sla_count(g: Grievance) -> tuple[str, int] | None:
    """(its SLA counter, 1 if within SLA else 0) once first resolved; None before."""
    if g.first_resolved_at is None:
        return None
    return f"sla#{g.ward}#{g.department}", 1 if within_sla(g) else 0


def _move_counters(tx: TransactWrite, before: Grievance | None, after: Grievance) -> None:
    """Move the grievance's counts from where it was counted (`before`; None: new) to where it is now: its
    status counter (ward#department#status) and, once first resolved, its SLA pair (sla#ward#department).
    A status change and a first resolution move them, and so does a re-routing, which may change ward,
    department and sla_due_at with or without the status; a change that moves none writes none."""
    old_key = f"{before.ward}#{before.department}#{before.status}" if before is not None else None
    new_key = f"{after.ward}#{after.department}#{after.status}"
    if old_key != new_key:
        if old_key is not None:
            tx.update(_counter(old_key), actions=[GrievanceItem.tally.add(-1)])
        tx.update(_counter(new_key), actions=[GrievanceItem.tally.add(1)])
    old_sla = _sla_count(before) if before is not None else None
    new_sla = _sla_count(after)
    if old_sla == new_sla:
        return
    if old_sla is not None and new_sla is not None and old_sla[0] == new_sla[0]:
        # one counter, now within SLA or no longer: a transaction may write an item only once
        tx.update(_counter(new_sla[0]), actions=[GrievanceItem.within.add(new_sla[1] - old_sla[1])])
        return
    if old_sla is not None:
        tx.update(_counter(old_sla[0]), actions=[GrievanceItem.tally.add(-1), GrievanceItem.within.add(-old_sla[1])])
    if new_sla is not None:
        tx.update(_counter(new_sla[0]), actions=[GrievanceItem.tally.add(1), GrievanceItem.within.add(new_sla[1])])


def due_markers(g: Grievance) -> list[GrievanceItem]:
    """The due markers of a grievance as it is: the city's and its ward's while it is open, none after."""
    if g.status not in OPEN:
        return []
    sk = f"{g.due_at}#{g.id}"
    return [GrievanceItem(OPEN_DUE, sk), GrievanceItem(f"{OPEN_DUE}#{g.ward}", sk)]


def _move_markers(tx: TransactWrite, before: Grievance | None, after: Grievance) -> None:
    """Delete the markers the change leaves behind and put the ones it makes (closed, reopened, due_at
    moved, ward changed), in the change's own transaction; a change that moves neither writes none."""
    old = {(m.pk, m.sk) for m in due_markers(before)} if before is not None else set()
    new = {(m.pk, m.sk) for m in due_markers(after)}
    for pk, sk in sorted(old - new):
        tx.delete(GrievanceItem(pk, sk))
    for pk, sk in sorted(new - old):
        tx.save(GrievanceItem(pk, sk))


class OutboxItem(OutboxModel):
    class Meta:
        table_name = grievances_table_name()


class _ScorecardMeta:
    table_name = grievances_table_name()


# One month × ward × department of the public scorecard: a number attribute per field of
# grievance.scorecard.FIELDS (missing: 0), each only ever moved by ADD. Built from the list of fields, so
# the histogram's 171 buckets are not spelled out one by one. The same model holds a ward × department's
# open now / overdue now (scorecard.NOW_FIELDS) in the SCORECARD_NOW partition.
ScorecardItem: type[dynamo.TableModel] = type(
    "ScorecardItem",
    (dynamo.TableModel,),
    {
        "__module__": __name__,
        "Meta": _ScorecardMeta,
        **{f: NumberAttribute(null=True) for f in (*scorecard.FIELDS, *scorecard.NOW_FIELDS)},
    },
)

dynamo.share_connection(GrievanceItem, OutboxItem, ScorecardItem)  # and PhotoItem (photo_store.py): one client


def _move_scorecard(tx: TransactWrite, before: Grievance | None, after: Grievance) -> None:
    """Move the scorecard aggregates by what the change moves (grievance.scorecard.moved): at most two
    items (creation month, first-resolution month), four when a re-routing changes ward or department.
    With the grievance, counters, markers and outbox a transaction stays under 20 of DynamoDB's 100 items."""
    for (month, ward, department), delta in scorecard.moved(before, after).items():
        actions = [getattr(ScorecardItem, name).add(n) for name, n in sorted(delta.items())]
        tx.update(ScorecardItem(f"{SCORECARD}#{month}", f"{ward}#{department}"), actions=actions)


def _move_now(tx: TransactWrite, before: Grievance | None, after: Grievance) -> None:
    """Move open now / overdue now by what the grievance recorded (`before.scorecard_now`, at its ward ×
    department as read) and what it records (`after`, settled): none, one item, or two when a re-routing
    moves it to another ward × department."""
    for (ward, department), delta in scorecard.now_moved(before, after).items():
        actions = [getattr(ScorecardItem, name).add(n) for name, n in sorted(delta.items())]
        tx.update(ScorecardItem(SCORECARD_NOW, f"{ward}#{department}"), actions=actions)


def _write_events(tx: TransactWrite, before: Grievance | None, after: Grievance) -> None:
    """The change's domain events as outbox items in its own transaction: committed with it or not at all."""
    for event in emitted(before, after):
        tx.save(OutboxItem.item(after.id, event), condition=OutboxItem.pk.does_not_exist())


Companions = Callable[[Grievance], list[GrievanceItem]]


def create(change: StatusChange, companions: Companions | None = None) -> Grievance:
    """Store a new grievance and count it, in one transaction, and return it as stored. Its id is random
    (API.md 1.2): when it is taken, another is drawn for the same month, so the stored id may differ.
    `companions` gives items to put in the same transaction for the id finally drawn (an Open311 request's
    token and contact fields), each only if new."""
    g = change.grievance
    candidates = chain([g], (replace(g, id=ids.grievance_id(parse_iso(g.created_at))) for _ in count()))

    def attempt(candidate: Grievance) -> bool:
        drawn = replace(change, grievance=candidate)
        return _create_once(drawn, companions) if companions else _create_once(drawn)

    return dynamo.with_fresh_id(lambda: next(candidates), attempt)


def _create_once(change: StatusChange, companions: Companions | None = None) -> bool:
    """False when the grievance's id is taken: nothing written."""
    g = scorecard.settled(None, change.grievance)
    item = GrievanceItem(
        g.id, GRIEVANCE, kind=GRIEVANCE, doc=_doc(g), version=g.version, followers_count=0, photo_count=0, photo_seq=0
    )
    for name, value in index_keys(g).items():
        if value is not None:
            setattr(item, name, value)

    def writes(tx: TransactWrite) -> None:
        tx.save(item, condition=GrievanceItem.pk.does_not_exist())
        for companion in companions(g) if companions else ():
            tx.save(companion, condition=GrievanceItem.pk.does_not_exist())
        _move_counters(tx, None, g)
        _move_markers(tx, None, g)
        _move_scorecard(tx, None, g)
        _move_now(tx, None, g)
        _write_events(tx, None, g)

    return dynamo.committed(GrievanceItem, writes)


def get(grievance_id: str) -> Grievance | None:
    try:
        return _grievance(GrievanceItem.get(grievance_id, GRIEVANCE, consistent_read=True))
    except GrievanceItem.DoesNotExist:
        return None


def _update_actions(g: Grievance) -> list[Action]:
    actions: list[Action] = [GrievanceItem.doc.set(_doc(g)), GrievanceItem.version.add(1)]
    for name, value in index_keys(g).items():
        attribute = getattr(GrievanceItem, name)
        actions.append(attribute.set(value) if value is not None else attribute.remove())
    return actions


def _update(tx: TransactWrite, g: Grievance, read: Grievance) -> None:
    """The grievance item as changed, only if it is still at the version read."""
    condition: Condition = GrievanceItem.version == read.version
    tx.update(
        GrievanceItem(g.id, GRIEVANCE), actions=_update_actions(g), condition=condition, add_version_condition=False
    )


update_grievance = _update  # moderation (photo_store) writes the grievance in its photo's transaction (issue 20)


def save(change: StatusChange, read: Grievance) -> Grievance:
    """Apply a change to the grievance as it was read, with its counters, in one transaction.

    A concurrent change in between fails the condition: 409 illegal_transition, nothing applied."""
    g = scorecard.settled(read, change.grievance)

    def writes(tx: TransactWrite) -> None:
        _update(tx, g, read)
        _move_counters(tx, read, g)
        _move_markers(tx, read, g)
        _move_scorecard(tx, read, g)
        _move_now(tx, read, g)
        _write_events(tx, read, g)

    if not dynamo.committed(GrievanceItem, writes):
        raise Conflict("The grievance changed at the same time; reload and try again", code="illegal_transition")
    return _refreshed(g, read)


def save_quietly(g: Grievance, read: Grievance) -> bool:
    """A change that moves no counter (escalation), with the due markers it moves in one transaction:
    False when someone changed it meanwhile."""
    g = scorecard.settled(read, g)  # an escalation moves due_at ahead: no longer counted overdue

    def writes(tx: TransactWrite) -> None:
        _update(tx, g, read)
        _move_markers(tx, read, g)
        _move_scorecard(tx, read, g)  # moves nothing today (escalation changes no figure); exact if it did
        _move_now(tx, read, g)
        _write_events(tx, read, g)

    return dynamo.committed(GrievanceItem, writes)


def count_overdue(read: Grievance) -> bool:
    """The escalation sweep found it overdue and cannot escalate it: record it "overdue" and count it in its
    ward × department's overdue now, in one transaction on the version read (bumped, so a change read before
    fails rather than move counts from a stale record). False when it is not open, is counted overdue already,
    or changed meanwhile (a later sweep looks again)."""
    g = scorecard.settled(read, read, overdue=True)
    if g.scorecard_now == read.scorecard_now:
        return False

    def writes(tx: TransactWrite) -> None:
        _update(tx, g, read)
        _move_now(tx, read, g)

    return dynamo.committed(GrievanceItem, writes)


def _refreshed(g: Grievance, read: Grievance) -> Grievance:
    return replace(g, version=read.version + 1)


# --- citizens' lists ------------------------------------------------------------------------------


def citizen_page(
    relation: str, sub: str, limit: int, start: dict[str, Any] | None
) -> tuple[list[Grievance], dict[str, Any] | None]:
    """A citizen's own or followed grievances, newest first."""
    result = GrievanceItem.by_citizen.query(
        f"{relation}#{sub}", scan_index_forward=False, limit=limit, last_evaluated_key=start
    )
    items = list(result)
    if relation == "owner":
        found = [_grievance(item) for item in items]
    else:
        ids = [item.pk for item in items]
        by_id = {item.pk: _grievance(item) for item in GrievanceItem.batch_get([(i, GRIEVANCE) for i in ids])}
        found = [by_id[i] for i in ids if i in by_id]
    return found, result.last_evaluated_key


# --- followers -----------------------------------------------------------------------------------


def is_follower(grievance_id: str, sub: str) -> bool:
    try:
        GrievanceItem.get(grievance_id, f"follower#{sub}", consistent_read=True)
    except GrievanceItem.DoesNotExist:
        return False
    return True


def follow(g: Grievance, sub: str, phone_number: str | None, now_iso: str) -> bool:
    """Add a follower while the grievance is open; False when already following (idempotent)."""
    follower = GrievanceItem(
        g.id,
        f"follower#{sub}",
        kind="follower",
        citizen_pk=f"follower#{sub}",
        citizen_sk=f"{g.created_at}#{g.id}",
        doc={"phone_number": phone_number, "followed_at": now_iso},
    )
    try:
        with dynamo.transaction(GrievanceItem) as tx:
            tx.save(follower, condition=GrievanceItem.pk.does_not_exist())
            tx.update(
                GrievanceItem(g.id, GRIEVANCE),
                actions=[GrievanceItem.followers_count.add(1)],
                condition=GrievanceItem.open_ward.exists(),
                add_version_condition=False,
            )
    except TransactWriteError as error:
        if dynamo.condition_failed(error, at=0):  # already following
            return False
        if dynamo.condition_failed(error):
            raise Conflict("The grievance is no longer open", code="grievance_not_open") from None
        raise
    return True


def unfollow(grievance_id: str, sub: str) -> bool:
    """Remove a follower; False when not following."""

    def writes(tx: TransactWrite) -> None:
        tx.delete(GrievanceItem(grievance_id, f"follower#{sub}"), condition=GrievanceItem.pk.exists())
        tx.update(
            GrievanceItem(grievance_id, GRIEVANCE),
            actions=[GrievanceItem.followers_count.add(-1)],
            add_version_condition=False,
        )

    return dynamo.committed(GrievanceItem, writes)


def follower_phone_numbers(grievance_id: str) -> list[str]:
    """Phone numbers of a grievance's followers (for SMS); never logged."""
    items = GrievanceItem.query(grievance_id, GrievanceItem.sk.startswith("follower#"))
    return [item.doc["phone_number"] for item in items if item.doc and item.doc.get("phone_number")]


# --- near a point ----------------------------------------------------------------------------------


def open_near(
    category: str, lat: float, lng: float, radius_m: int, limit: int, cells: Iterable[str] | None = None
) -> Nearest[Grievance]:
    """The open grievances of a category nearest the point, best first from the cells of its cover
    (at most MAX_CELLS; 422 outside the Pune region, before any read): each Query reads one range of a
    cell with a Limit of what is still needed."""
    if cells is None:
        cells = search_cover(lat, lng, radius_m, NEARBY_PRECISION)

    def read(span: Span, limit: int | None) -> list[Spot[Grievance]]:
        items = GrievanceItem.nearby_by_spot.query(
            f"{category}#{span.cell[:NEARBY_PRECISION]}",
            GrievanceItem.nearby_spot.between(span.low, span.high),
            limit=limit,
        )
        found = [_grievance(item) for item in items]
        return [Spot(spot_key(g.lat, g.lng, g.id), g.id, g.lat, g.lng, g) for g in found]  # type: ignore[arg-type]

    return nearest(lat, lng, radius_m, limit, cells, read)


# --- staff queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    """What GET /staff/grievances asks for; a category implies its department (the route answers
    a disagreeing pair empty without reading)."""

    status: str  # one of the seven, "open" or "all"
    ward: str | None = None
    department: str | None = None
    category: str | None = None
    overdue: bool | None = None


@dataclass(frozen=True)
class Partition:
    """One index partition of the queue, read in due_at order from just after the cursor."""

    index: GlobalSecondaryIndex[GrievanceItem]
    key: str
    due_before: str | None = None  # only items due strictly before (overdue=true)
    due_from: str | None = None  # only items due at or after (overdue=false, open statuses)


def queue_partitions(wanted: QueueFilter, now_iso: str) -> list[Partition]:
    """The narrowest index whose key holds every filter, one partition per status, each bounded by
    due_at when `overdue` is asked."""
    statuses = STATUSES if wanted.status == "all" else sorted(OPEN) if wanted.status == "open" else (wanted.status,)
    ward, department, category = wanted.ward, wanted.department, wanted.category
    partitions = []
    index: GlobalSecondaryIndex[GrievanceItem]
    for s in statuses:
        is_open = s in OPEN
        if wanted.overdue is True and not is_open:
            continue  # only open grievances can be overdue
        bounds = (
            {"due_before": now_iso}
            if wanted.overdue is True
            else {"due_from": now_iso}
            if wanted.overdue is False and is_open
            else {}
        )
        if ward is not None and category is not None:
            index, key = GrievanceItem.by_ward_category_status, f"{ward}#{category}#{s}"
        elif ward is not None and department is not None:
            index, key = GrievanceItem.by_ward_department_status, f"{ward}#{department}#{s}"
        elif ward is not None:
            index, key = GrievanceItem.by_ward_status, f"{ward}#{s}"
        elif category is not None:
            index, key = GrievanceItem.by_category_status, f"{category}#{s}"
        elif department is not None:
            index, key = GrievanceItem.by_department_status, f"{department}#{s}"
        else:
            index, key = GrievanceItem.by_status, s
        partitions.append(Partition(index, key, **bounds))
    return partitions


class _Stream:
    """One partition read lazily, a Query at a time, each with the Limit the caller gives."""

    def __init__(self, partition: Partition, after: str | None) -> None:
        # a space sorts before "#": after + " " is the first key strictly after the cursor
        lower = max(filter(None, (after + " " if after else None, partition.due_from)), default=None)
        upper = partition.due_before
        self.partition = partition
        self.condition: Condition | None = (
            GrievanceItem.due_key.between(lower, upper)
            if lower is not None and upper is not None
            else GrievanceItem.due_key >= lower
            if lower is not None
            else GrievanceItem.due_key < upper
            if upper is not None
            else None
        )
        self.buffer: deque[GrievanceItem] = deque()
        self.start: dict[str, Any] | None = None
        self.done = lower is not None and upper is not None and lower > upper  # an empty range: no read

    def fetch(self, limit: int) -> None:
        result = self.partition.index.query(
            self.partition.key, self.condition, limit=limit, last_evaluated_key=self.start
        )
        self.buffer.extend(result)
        self.start = result.last_evaluated_key
        self.done = self.start is None


def queue_page(wanted: QueueFilter, now_iso: str, after: str | None, limit: int) -> tuple[list[Grievance], str | None]:
    """One page of the queue in due_at order (ties by id), the cursor being the last due_key served.

    The partitions are merged lazily: a partition is read only when its next item could come next,
    with a Limit of its share of what the page still needs, so unserved reads stay under one page
    plus one item per partition."""
    streams = [_Stream(p, after) for p in queue_partitions(wanted, now_iso)]
    wanted_items = limit + 1  # one more tells whether there is a next page
    page: list[GrievanceItem] = []
    while len(page) < wanted_items:
        active = [s for s in streams if not s.done or s.buffer]
        if not active:
            break
        for stream in active:
            if not stream.buffer:
                stream.fetch(max(1, math.ceil((wanted_items - len(page)) / len(active))))
        ready = [s for s in streams if s.buffer]
        if not ready:
            continue
        first = min(ready, key=lambda s: str(s.buffer[0].due_key))
        page.append(first.buffer.popleft())
    found = [_grievance(item) for item in page[:limit]]
    if len(page) > limit:
        return found, f"{found[-1].due_at}#{found[-1].id}"
    return found, None


# --- stats and schedules ----------------------------------------------------------------------------


def counters(ward: str | None) -> Counters:
    """Every counter item (a few per ward × department): one Query of the stats partition, two for
    one ward (its counters, its SLA counters); reads grow with those, not with grievances."""
    if ward is None:
        items: Iterable[GrievanceItem] = GrievanceItem.query(STATS)
    else:
        items = [
            *GrievanceItem.query(STATS, GrievanceItem.sk.startswith(f"{ward}#")),
            *GrievanceItem.query(STATS, GrievanceItem.sk.startswith(f"sla#{ward}#")),
        ]
    by_key: dict[tuple[str, str, str], int] = {}
    sla: dict[tuple[str, str], tuple[int, int]] = {}
    for item in items:
        first, second, third = item.sk.split("#")
        if first == "sla":
            sla[(second, third)] = (int(item.tally or 0), int(item.within or 0))
        else:
            by_key[(first, second, third)] = int(item.tally or 0)
    return Counters(by_key, sla)


def overdue_keys(wards: Iterable[str], now_iso: str) -> Iterator[tuple[str, str]]:
    """(ward, grievance id) of open grievances due before now, from the sparse OpenByDue index."""
    for ward in wards:
        for item in GrievanceItem.open_by_due.query(ward, GrievanceItem.due_key < now_iso):
            yield ward, item.pk


def overdue_count(ward: str | None, now_iso: str) -> int:
    """Open grievances due before now: one COUNT Query of the due markers (a 1 MB page counts about
    20,000), the city's partition or the ward's."""
    partition = OPEN_DUE if ward is None else f"{OPEN_DUE}#{ward}"
    return GrievanceItem.count(partition, GrievanceItem.sk < now_iso)


def resolved_before(cutoff_iso: str) -> Iterator[str]:
    """Ids of grievances resolved at or before the cutoff (sparse ResolvedByTime index)."""
    for item in GrievanceItem.resolved_by_time.query("resolved", GrievanceItem.resolved_sk <= f"{cutoff_iso}#~"):
        yield item.pk


# --- public scorecard (issue 20) --------------------------------------------------------------------


def scorecard_month(month: str, ward: str | None = None) -> dict[tuple[str, str], dict[str, int]]:
    """The aggregates of one IST month, (ward, department) → fields: one Query of the month's partition (a
    ward's items only when `ward` is given), at most 15 × the departments items, however many grievances."""
    condition = ScorecardItem.sk.startswith(f"{ward}#") if ward is not None else None
    found: dict[tuple[str, str], dict[str, int]] = {}
    for item in ScorecardItem.query(f"{SCORECARD}#{month}", condition):
        item_ward, department = item.sk.split("#", 1)
        found[(item_ward, department)] = {
            name: int(value) for name in scorecard.FIELDS if (value := getattr(item, name, None)) is not None
        }
    return found


def scorecard_now(ward: str | None = None) -> dict[tuple[str, str], dict[str, int]]:
    """Open now / overdue now, (ward, department) → fields: one Query of the SCORECARD_NOW partition (a ward's
    items only when `ward` is given), at most 15 × the departments items, however many grievances."""
    condition = ScorecardItem.sk.startswith(f"{ward}#") if ward is not None else None
    found: dict[tuple[str, str], dict[str, int]] = {}
    for item in ScorecardItem.query(SCORECARD_NOW, condition):
        item_ward, department = item.sk.split("#", 1)
        found[(item_ward, department)] = {name: int(getattr(item, name, None) or 0) for name in scorecard.NOW_FIELDS}
    return found


def rebuild_scorecard() -> int:
    """Operations only, never a route: the scorecard of every stored grievance, from one Scan. Returns the
    items written.

    - Month aggregates: each item put whole from the sum of `marks` (a rerun writes the same). A change
      committed while the Scan runs may be lost from them: run it in a quiet hour.
    - Open now / overdue now: each grievance that records less than it should (open, but stored before the
      counts: `scorecard_now` None) records "open" and is counted, in one transaction on its version, so the
      counts stay exact whatever changes meanwhile (a grievance changed since the Scan is re-read; one a
      change already counted is skipped; a rerun counts nothing twice). Overdue ones are counted overdue by
      the next escalation sweep.
    Run once right after deploying the counts, when the new code takes every write: a grievance stored
    before them is otherwise in no aggregate and in no count."""
    grievances = [_grievance(item) for item in GrievanceItem.scan(GrievanceItem.sk == GRIEVANCE)]
    written = 0
    with ScorecardItem.batch_write() as batch:
        for (month, ward, department), counts in scorecard.recount(grievances).items():
            item = ScorecardItem(f"{SCORECARD}#{month}", f"{ward}#{department}")
            for name, n in counts.items():
                setattr(item, name, n)
            batch.save(item)
            written += 1
    for g in grievances:
        written += 2 if _count_now(g) else 0
    return written


def _count_now(read: Grievance | None, attempts: int = 5) -> bool:
    """Bring one grievance into the now counts if it is not yet (rebuild_scorecard); True when written."""
    for _ in range(attempts):
        if read is None:
            return False
        g = scorecard.settled(read, read)
        if g.scorecard_now == read.scorecard_now:
            return False

        def writes(tx: TransactWrite, g: Grievance = g, read: Grievance = read) -> None:
            _update(tx, g, read)
            _move_now(tx, read, g)

        if dynamo.committed(GrievanceItem, writes):
            return True
        read = get(read.id)  # changed since it was read: as it is now
    raise Conflict(f"grievance {read.id if read else ''} kept changing during the rebuild; run it again")
