"""State machines as data (STYLE.md): a table of rules, the one function that applies a rule, and the
table printed for docs/. Pure: no I/O and no clock (now is given); a service's record is a frozen
dataclass, and what the service writes alongside a move (timeline, history) stays the service's."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pmc_common.errors import Conflict, Invalid

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Given = Mapping[str, Any]
ILLEGAL = "illegal_transition"


@dataclass(frozen=True)
class Effect[R: DataclassInstance]:
    """A field's new value, computed from the record as read, what was given and now; `text` is for docs."""

    text: str
    value: Callable[[R, Given, datetime], Any]


@dataclass(frozen=True)
class Guard[R: DataclassInstance]:
    """A fact beyond the status that must hold for the move (a window, a limit): else 409 `code`."""

    text: str
    code: str
    detail: str
    holds: Callable[[R, Given, datetime], bool]
    field: str | None = None  # when set, a failure is 422 naming this field (a missing proof), not 409 `code`


@dataclass(frozen=True)
class Rule[R: DataclassInstance]:
    """One allowed move. `via` is the route or sweep that makes it: the same (from, to) may be reached
    by two of them with different rules (a rating and the auto-close both close), and a move one route
    makes must not be open to another. A row with from = to changes fields, not the status."""

    via: str
    from_status: str
    to_status: str
    by: frozenset[str]
    requires: tuple[str, ...] = ()  # fields the caller must give: else 422 naming `body.<field>`
    guards: tuple[Guard[R], ...] = ()  # checked in order, after the requirements
    sets: Mapping[str, Effect[R]] = field(default_factory=dict)  # every value from the record as read
    clears: tuple[str, ...] = ()
    records: tuple[str, ...] = ()  # the history entries the service writes, in order (theirs to shape)

    @property
    def moves_status(self) -> bool:
        return self.from_status != self.to_status


@dataclass(frozen=True)
class Refusal:
    """The 409 a route answers when its move is not in the table; `detail` may name {from_status}, {to_status}.
    Keyed by the route (`"edit"`), or by the route and the status it is refused from (`("edit", "ended")`)
    when the reason a client is told depends on where the record stands."""

    code: str
    detail: str


@dataclass(frozen=True)
class Move[R: DataclassInstance]:
    """A rule applied: the record before and after its sets and clears (status included)."""

    rule: Rule[R]
    before: R
    after: R


class Lifecycle[R: DataclassInstance]:
    """The table of a record's statuses: every move not listed is refused."""

    def __init__(
        self,
        statuses: Iterable[str],
        rules: Iterable[Rule[R]],
        *,
        refusals: Mapping[str | tuple[str, str], Refusal] | None = None,
        initial: tuple[str, str] | None = None,  # (status, who creates) for the diagram's start arrow
        final: Iterable[str] = (),
        status_field: str = "status",
    ) -> None:
        self.statuses = tuple(statuses)
        self.rules = tuple(rules)
        self.refusals = dict(refusals or {})
        self.initial = initial
        self.final = tuple(final)
        self.status_field = status_field
        seen: set[tuple[str, str, str]] = set()
        for rule in self.rules:
            key = (rule.via, rule.from_status, rule.to_status)
            if key in seen:
                raise ValueError(f"two rules for {key}")
            seen.add(key)
            if not {rule.from_status, rule.to_status} <= set(self.statuses):
                raise ValueError(f"unknown status in {key}")
            if status_field in rule.sets or status_field in rule.clears:
                raise ValueError(f"{key}: the status is set by the rule's to_status only")

    def __iter__(self) -> Iterator[Rule[R]]:
        return iter(self.rules)

    def __contains__(self, pair: object) -> bool:
        """`(from, to) in table`: some route may move a record from one status to the other."""
        return any((r.from_status, r.to_status) == pair for r in self.rules if r.moves_status)

    def allowed(self, from_status: str, to_status: str, by: str) -> bool:
        """Whether `by` may make this status move by some route (from = to: some same-status row)."""
        return any((r.from_status, r.to_status) == (from_status, to_status) and by in r.by for r in self.rules)

    def refuse(self, via: str, from_status: str, to_status: str | None) -> Conflict:
        refusal = self.refusals.get((via, from_status)) or self.refusals.get(
            via, Refusal(ILLEGAL, "A record cannot go from {from_status} to {to_status}")
        )
        detail = refusal.detail.format(from_status=from_status, to_status=to_status or "another status")
        return Conflict(detail, code=refusal.code)

    def rule(self, from_status: str, to_status: str | None, *, by: str, via: str) -> Rule[R]:
        """The row for this route from this status (to `to_status`, or its only one when None), if `by`
        may use it; else the route's refusal (409 `illegal_transition` unless the table names another)."""
        found = [
            r
            for r in self.rules
            if (r.via, r.from_status) == (via, from_status) and to_status in (None, r.to_status) and by in r.by
        ]
        if len(found) > 1:
            raise ValueError(f"{via} from {from_status} has several rows: name the status to move to")
        if not found:
            raise self.refuse(via, from_status, to_status)
        return found[0]

    def apply(self, current: R, to_status: str | None, *, by: str, via: str, given: Given, now: datetime) -> Move[R]:
        """The one gate: find the row, check what it requires and its guards, apply its sets and clears."""
        rule = self.rule(getattr(current, self.status_field), to_status, by=by, via=via)
        for name in rule.requires:
            if given.get(name) is None:
                raise Invalid.of(f"body.{name}", f"is required to move to {rule.to_status}")
        for guard in rule.guards:
            if not guard.holds(current, given, now):
                if guard.field is not None:
                    raise Invalid.of(guard.field, guard.detail)
                raise Conflict(guard.detail, code=guard.code)
        changes = {name: effect.value(current, given, now) for name, effect in rule.sets.items()}
        changes |= dict.fromkeys(rule.clears)
        changes[self.status_field] = rule.to_status
        return Move(rule, current, replace(current, **changes))

    # --- docs/ ----------------------------------------------------------------------------------

    def mermaid(self) -> str:
        """A state diagram: one arrow per status-moving row, labelled with who and what they must give."""
        lines = ["stateDiagram-v2"]
        if self.initial is not None:
            lines.append(f"    [*] --> {self.initial[0]}: {self.initial[1]}")
        for rule in self.rules:
            if rule.moves_status:
                label = ", ".join(sorted(rule.by)) + (f" ({', '.join(rule.requires)})" if rule.requires else "")
                lines.append(f"    {rule.from_status} --> {rule.to_status}: {label}")
        lines += [f"    {status} --> [*]" for status in self.final]
        return "\n".join(lines)

    def markdown(self) -> str:
        """Every row as a Markdown table; rows differing only in their from-status share a line."""
        merged: dict[tuple[str, ...], list[str]] = {}
        for rule in self.rules:
            cells = (
                f"`{rule.via}`",
                "(same)" if not rule.moves_status else f"`{rule.to_status}`",
                ", ".join(sorted(rule.by)),
                ", ".join(f"`{name}`" for name in rule.requires),
                "; ".join(f"{g.text} (else {f'422 `{g.field}`' if g.field else f'`{g.code}`'})" for g in rule.guards),
                "; ".join(
                    [
                        *(f"`{name}` = {e.text}" for name, e in rule.sets.items()),
                        *(f"`{n}` cleared" for n in rule.clears),
                    ]
                ),
                ", ".join(f"`{r}`" for r in rule.records),
            )
            merged.setdefault(cells, []).append(f"`{rule.from_status}`")
        lines = [
            "| Via | From | To | Who | Requires | Checks | Sets, clears | Records |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for (via, *rest), froms in merged.items():
            lines.append("| " + " | ".join([via, ", ".join(froms), *rest]) + " |")
        refused = [
            f"`{key}`: 409 `{r.code}`" if isinstance(key, str) else f"`{key[0]}` from `{key[1]}`: 409 `{r.code}`"
            for key, r in self.refusals.items()
            if r.code != ILLEGAL
        ]
        lines += ["", f"Any other move is refused: 409 `{ILLEGAL}`" + (f" ({'; '.join(refused)})." if refused else ".")]
        return "\n".join(lines)

    def document(self) -> str:
        """What docs/ shows of the table: the diagram, then every row."""
        return f"```mermaid\n{self.mermaid()}\n```\n\n{self.markdown()}"


def with_generated(text: str, name: str, block: str) -> str:
    """`text` with the part between `<!-- {name}:begin -->` and `<!-- {name}:end -->` replaced by `block`
    (the part of a document rendered from code, so a check can say whether it is current)."""
    pattern = re.compile(rf"(<!-- {re.escape(name)}:begin -->\n).*?(<!-- {re.escape(name)}:end -->)", re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"no generated section {name!r}")
    return pattern.sub(lambda m: f"{m.group(1)}{block}\n{m.group(2)}", text, count=1)
