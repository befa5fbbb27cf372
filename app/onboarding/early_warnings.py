"""Early warnings from the 30-day check-in: a value the new hire and their manager see two or more
points apart, or one either of them rated 1 or 2, with the development modules that build it.

The day-30 check-in is the employee's check-in on day 30, or, in a schedule without one, their first
check-in after day 30 and before day 90 (day 45 in a 45/90 schedule). Only done check-ins count (both
sides are in, so no one sees the other side's ratings early), only current ratings, only active
employees, and a warning is shown until the employee's 90-day check-in is done: from then on its
ratings speak for them. Two statements at most, whatever the number of employees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from sqlalchemy import DateTime, Select, and_, bindparam, exists, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import CheckIn, CheckInRating, Module, Rater, Track, TrackKind, User, Value, module_value

EARLY_DAY, LATE_DAY = 30, 90
APART = 2  # self and manager this many points apart on a value
LOW = 2  # a rating of this or lower on either side


@dataclass(frozen=True)
class ModuleLink:
    id: int
    title: str


@dataclass(frozen=True)
class ValueWarning:
    """One value that needs a conversation: both sides' ratings, why it is flagged, what builds it."""

    value: str
    self_score: int | None
    manager_score: int | None
    reasons: tuple[str, ...]
    modules: tuple[ModuleLink, ...]


@dataclass(frozen=True)
class EarlyWarning:
    employee_id: int
    name: str
    day: int
    due_date: date
    values: tuple[ValueWarning, ...]


def _reasons(mine: int | None, theirs: int | None) -> tuple[str, ...]:
    reasons = []
    if mine is not None and theirs is not None and abs(mine - theirs) >= APART:
        reasons.append(f"{abs(mine - theirs)} points apart")
    if theirs is not None and theirs <= LOW:
        reasons.append(f"manager rated {theirs}")
    if mine is not None and mine <= LOW:
        reasons.append(f"self-rated {mine}")
    return tuple(reasons)


UNTIL = bindparam("until", type_=DateTime)
KEYS = bindparam("keys", expanding=True)


def _rows_statement(ids: Select | list[int]) -> Select:
    """Every current rating of the day-30 check-in of the active employees in ids who have no done
    90-day check-in yet, as of UNTIL."""
    later = aliased(CheckIn)
    early = (
        select(CheckIn.employee_id, func.min(CheckIn.day).label("day"))
        .where(CheckIn.employee_id.in_(ids), CheckIn.completed_at < UNTIL, CheckIn.archived_at.is_(None),
               CheckIn.day >= EARLY_DAY, CheckIn.day < LATE_DAY)
        .group_by(CheckIn.employee_id)
        .subquery("early")
    )
    reviewed = exists().where(later.employee_id == CheckIn.employee_id, later.completed_at < UNTIL,
                              later.archived_at.is_(None), later.day >= LATE_DAY)
    return (
        select(CheckIn.employee_id, User.name, CheckIn.day, CheckIn.due_date, Value.key, Value.name,
               CheckInRating.rater, CheckInRating.score)
        .join(early, and_(early.c.employee_id == CheckIn.employee_id, early.c.day == CheckIn.day))
        .join(User, User.id == CheckIn.employee_id)
        .join(CheckInRating, and_(CheckInRating.check_in_id == CheckIn.id, CheckInRating.superseded_at.is_(None)))
        .join(Value, Value.id == CheckInRating.value_id)
        .where(User.active, ~reviewed)
        .order_by(CheckIn.employee_id, Value.position, Value.id)
    )


_built_once = cache(_rows_statement)  # for id statements that are themselves built once


def early_warnings(employee_ids: Select | Iterable[int], today: date, params: dict | None = None) -> list[EarlyWarning]:
    """The warnings of these employees (a select of ids, or ids), most flagged values first, then by
    name, as of the end of today (a check-in completed later does not count yet). With params, the
    select of ids is one built once (the team page's) and these are its parameters: the statement
    around it is then built once too (building it costs more than running it)."""
    if isinstance(employee_ids, Select):
        statement = _built_once(employee_ids) if params is not None else _rows_statement(employee_ids)
    else:
        statement = _rows_statement(list(employee_ids))
    until = datetime.combine(today + timedelta(days=1), time())
    rows = db.session.execute(statement, {**(params or {}), "until": until}).all()
    people: dict[int, tuple[str, int, date]] = {}
    scores: dict[int, dict[tuple[str, str], dict[Rater, int]]] = defaultdict(lambda: defaultdict(dict))
    for employee_id, name, day, due_date, key, value_name, rater, score in rows:
        people[employee_id] = (name, day, due_date)
        scores[employee_id][key, value_name][rater] = score
    flagged = {employee_id: [(key, value_name, sides.get(Rater.SELF), sides.get(Rater.MANAGER),
                              _reasons(sides.get(Rater.SELF), sides.get(Rater.MANAGER)))
                             for (key, value_name), sides in by_value.items()]
               for employee_id, by_value in scores.items()}
    flagged = {employee_id: [item for item in items if item[4]] for employee_id, items in flagged.items()}
    flagged = {employee_id: items for employee_id, items in flagged.items() if items}
    modules = _modules_by_value({key for items in flagged.values() for key, *_ in items})
    warnings = [
        EarlyWarning(employee_id, *people[employee_id], values=tuple(
            ValueWarning(value_name, mine, theirs, reasons, modules.get(key, ()))
            for key, value_name, mine, theirs, reasons in items))
        for employee_id, items in flagged.items()
    ]
    return sorted(warnings, key=lambda w: (-len(w.values), w.name.lower(), w.employee_id))


@cache
def _modules_statement() -> Select:
    """The current development modules building any of KEYS, with the key each builds, in track and
    position order (the order development_modules_for gives)."""
    return (
        select(Module.id, Module.title, Value.key)
        .join(Track, Track.id == Module.track_id)
        .join(module_value, module_value.c.module_id == Module.id)
        .join(Value, Value.id == module_value.c.value_id)
        .where(Track.kind == TrackKind.DEVELOPMENT, Track.archived_at.is_(None), Module.archived_at.is_(None),
               Value.key.in_(KEYS))
        .order_by(Module.track_id, Module.position, Module.id)
    )


def _modules_by_value(keys: set[str]) -> dict[str, tuple[ModuleLink, ...]]:
    """Value key -> the development modules that build it (one statement of the two columns shown,
    none without keys)."""
    if not keys:
        return {}
    found: dict[str, list[ModuleLink]] = defaultdict(list)
    for module_id, title, key in db.session.execute(_modules_statement(), {"keys": sorted(keys)}):
        found[key].append(ModuleLink(module_id, title))
    return {key: tuple(items) for key, items in found.items()}
