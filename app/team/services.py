"""Team status: who is in a manager's reporting line and how far each person is through training.

Every figure is worked out in SQL over the whole team (one grouped query over progress), so a page
costs the same few statements whether the team has 5 people or 500.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Date, Integer, Select, String, and_, bindparam, case, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from app.access import MAX_REPORTING_DEPTH
from app.extensions import db
from app.models import Assignment, CheckIn, Module, Progress, Site, Track, TrackKind, TrainingSummary, User
from app.onboarding import summaries
from app.onboarding.check_ins import open_status
from app.onboarding.services import DONE, DUE_SOON_DAYS

PER_PAGE = 50
FIRST_DAYS = 90
NO_TRAINING = "no training"
STATUS_LABELS = {
    "complete": "Complete",
    "overdue": "Overdue",
    "due soon": "Due soon",
    "on track": "On track",
    NO_TRAINING: "No training assigned",
}
STATUS_TONES = {"complete": "success", "overdue": "danger", "due soon": "warning", "on track": "secondary",
                NO_TRAINING: "light border"}
CHECK_IN_LABELS = {"overdue": "Check-in overdue", "due": "Check-in due", "upcoming": "Check-in upcoming"}
CHECK_IN_TONES = {"overdue": "danger", "due": "warning", "upcoming": "light border"}
SHOW_CHOICES = {"all": "Everyone", "overdue": "Overdue", "due-soon": "Something due in the next 7 days",
                "on-track": "On track", "complete": "Complete"}
SORT_CHOICES = {
    "name": "Name",
    "percent": "Percent complete (lowest first)",
    "overdue": "Overdue modules (most first)",
    "next-due": "Next due date",
    "start": "Start date (newest first)",
}
CSV_HEADER = ["Name", "E-mail", "Site", "Role family", "Start date", "Percent complete", "Overdue modules",
              "Next due", "Status"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class TeamFilters:
    """What the manager asked to see; unknown values fall back to the defaults."""

    indirect: bool = False
    show: str = "all"
    first_days: bool = False
    q: str = ""
    sort: str = "name"

    def __post_init__(self) -> None:
        if self.show not in SHOW_CHOICES:
            object.__setattr__(self, "show", "all")
        if self.sort not in SORT_CHOICES:
            object.__setattr__(self, "sort", "name")
        object.__setattr__(self, "q", (self.q or "").strip()[:100])

    @property
    def narrowed(self) -> bool:
        return self.show != "all" or self.first_days or bool(self.q)


@dataclass(slots=True)
class TeamRow:
    """One person's roll-up: assigned and finished modules, overdue count, next due date, status, and the
    date of their next check-in that is not done."""

    id: int
    name: str
    email: str
    site: str | None
    role_family: object
    start_date: date | None
    assigned: int
    done: int
    overdue: int
    due_soon: int
    next_due: date | None
    status: str
    next_check_in: date | None
    today: date

    @property
    def percent(self) -> int:
        return round(self.done * 100 / self.assigned) if self.assigned else 0

    @property
    def days_since_start(self) -> int | None:
        return (self.today - self.start_date).days if self.start_date else None

    @property
    def since_start(self) -> str:
        """'414 days ago', 'today', 'in 3 days' or '—'."""
        days = self.days_since_start
        if days is None:
            return "—"
        if days == 0:
            return "today"
        return f"{days} day{'s' if days != 1 else ''} ago" if days > 0 else f"in {-days} day{'s' if days != -1 else ''}"

    @property
    def start_phrase(self) -> str:
        days = self.days_since_start
        if days is None:
            return "no start date"
        return f"starts {self.since_start}" if days < 0 else f"started {self.since_start}"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def tone(self) -> str:
        return STATUS_TONES[self.status]

    @property
    def check_in_status(self) -> str | None:
        """overdue, due or upcoming for the next open check-in; None without one."""
        return open_status(self.next_check_in, self.today) if self.next_check_in else None

    @property
    def check_in_label(self) -> str:
        return CHECK_IN_LABELS.get(self.check_in_status, "")

    @property
    def check_in_tone(self) -> str:
        return CHECK_IN_TONES.get(self.check_in_status, "light border")


@dataclass
class Summary:
    people: int = 0
    complete: int = 0
    overdue: int = 0
    due_soon: int = 0
    on_track: int = 0
    no_training: int = 0
    first_days: int = 0


@dataclass
class Page:
    """One page of rows, shaped like Flask-SQLAlchemy's pagination for the shared macro."""

    items: list[TeamRow]
    page: int
    per_page: int
    total: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, -(-self.total // self.per_page))

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


# Statements are built once per shape of filters and run with these parameters, so a request pays
# only for executing them (building a statement this size costs more than running it).
MANAGER_ID = bindparam("manager_id", type_=Integer)
TODAY = bindparam("today", type_=Date)
SOON = bindparam("soon", type_=Date)
RECENT = bindparam("recent", type_=Date)
NEEDLE = bindparam("needle", type_=String)
LIKE_ESCAPE = "/"


def _params(today: date, q: str = "", **extra) -> dict:
    needle = q.lower().replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", "/%").replace("_", "/_")
    return {"today": today, "soon": today + timedelta(days=DUE_SOON_DAYS),
            "recent": today - timedelta(days=FIRST_DAYS), "needle": needle, **extra}


# Who is in the team ----------------------------------------------------------------------------
@cache
def _team_ids(indirect: bool) -> Select:
    """The ids of the manager's direct reports, or of their whole reporting line (a recursive CTE on
    user.manager_id, bounded in depth so a loop in the data cannot spin)."""
    if not indirect:
        return select(User.id).where(User.manager_id == MANAGER_ID, User.id != MANAGER_ID)
    line = (
        select(User.id.label("id"), literal_column("1").label("depth"))
        .where(User.manager_id == MANAGER_ID)
        .cte("reporting_line", recursive=True)
    )
    below = aliased(User)
    line = line.union_all(
        select(below.id, line.c.depth + literal_column("1"))
        .join(line, below.manager_id == line.c.id)
        .where(line.c.depth < MAX_REPORTING_DEPTH)
    )
    return select(line.c.id).where(line.c.id != MANAGER_ID)


def team_ids_built_once(manager: User, *, indirect: bool) -> tuple[Select, dict]:
    """The ids of this manager's team as the team page shows it (direct reports, or the whole line), as
    a statement built once and its parameters, for statements built around it once."""
    return _team_ids(indirect), {"manager_id": manager.id}


@cache
def _in_line() -> Select:
    ids = _team_ids(True).subquery()
    return select(func.count()).select_from(ids).where(ids.c.id == bindparam("employee_id", type_=Integer))


def in_line(manager: User, employee_id: int) -> bool:
    """True when the employee reports to the manager directly or indirectly (one query)."""
    return bool(db.session.scalar(_in_line(), {"manager_id": manager.id, "employee_id": employee_id}))


# Roll-up ---------------------------------------------------------------------------------------
FIGURES = ("assigned", "done", "overdue", "due_soon", "next_due")


def _summary_figures() -> tuple[dict, object]:
    """The team's figures from training_summary (app.onboarding.summaries keeps one row per employee),
    and whether a row was computed for a day its due dates say it does not hold for (see `stale`).

    A row holds for every day after its latest overdue due date up to its next due date; when it
    holds, something is due within the week exactly when that next due date is, and the next open
    due date is the oldest overdue one, or else the next one."""
    row = TrainingSummary
    figures = {
        "assigned": row.assigned, "done": row.done, "overdue": row.overdue,
        "due_soon": case((row.next_due <= SOON, 1), else_=0),
        "next_due": func.coalesce(row.oldest_overdue, row.next_due),
    }
    return figures, case((or_(row.next_due < TODAY, row.latest_overdue >= TODAY), 1), else_=0)


def _progress_figures(ids: Select) -> tuple[dict, Select]:
    """The same figures counted from progress (for one person, active or not: a deactivated
    employee's summary row holds zeros), and the grouped subquery to outer-join."""
    not_done = Progress.status.not_in(DONE)
    stats = (
        select(
            Progress.employee_id.label("employee_id"),
            func.count(Progress.id).label("assigned"),
            func.sum(case((Progress.status.in_(DONE), 1), else_=0)).label("done"),
            func.sum(case((and_(not_done, Progress.due_date < TODAY), 1), else_=0)).label("overdue"),
            func.sum(case((and_(not_done, Progress.due_date >= TODAY, Progress.due_date <= SOON), 1),
                          else_=0)).label("due_soon"),
            func.min(case((not_done, Progress.due_date))).label("next_due"),
        )
        .join(Assignment, Assignment.id == Progress.assignment_id)
        .join(Module, Module.id == Progress.module_id)
        .where(Progress.employee_id.in_(ids), Assignment.unassigned_at.is_(None), Module.archived_at.is_(None))
        .group_by(Progress.employee_id)
        .subquery("stats")
    )
    return {name: stats.c[name] for name in FIGURES}, stats


def _team_query(ids: Select, *, active_only: bool = True) -> Select:
    """The people in ids with their numbers and the date of their next open check-in (one grouped
    query over their open check-ins, outer-joined to the people). The team (active people only) reads
    training_summary, with a `stale` column of 1 for a row that must be recomputed for TODAY first;
    one person, active or not, is counted from progress."""
    if active_only:
        figures, stale = _summary_figures()
        joined = (TrainingSummary, TrainingSummary.employee_id == User.id)
    else:
        figures, stats = _progress_figures(ids)
        stale = literal_column("0")
        joined = (stats, stats.c.employee_id == User.id)
    check_ins = (
        select(CheckIn.employee_id.label("employee_id"), func.min(CheckIn.due_date).label("next_check_in"))
        .where(CheckIn.employee_id.in_(ids), CheckIn.completed_at.is_(None), CheckIn.archived_at.is_(None))
        .group_by(CheckIn.employee_id)
        .subquery("check_ins")
    )
    assigned, done, overdue, due_soon = (func.coalesce(figures[name], 0)
                                         for name in ("assigned", "done", "overdue", "due_soon"))
    status = case(
        (assigned == 0, NO_TRAINING), (done >= assigned, "complete"), (overdue > 0, "overdue"),
        (due_soon > 0, "due soon"), else_="on track",
    )
    query = (
        select(
            User.id, User.name, User.email, Site.name.label("site"), User.role_family, User.start_date,
            assigned.label("assigned"), done.label("done"), overdue.label("overdue"), due_soon.label("due_soon"),
            figures["next_due"].label("next_due"), status.label("status"), check_ins.c.next_check_in,
            stale.label("stale"),
        )
        .outerjoin(Site, Site.id == User.site_id)
        .outerjoin(*joined)
        .outerjoin(check_ins, check_ins.c.employee_id == User.id)
        .where(User.id.in_(ids))
    )
    return query.where(User.active) if active_only else query


def _tallies(team) -> dict:
    """Per person, 1 when they count towards each summary figure (each figure matches its filter)."""
    def one_if(condition):
        return case((condition, 1), else_=0)

    return {
        "complete": one_if(team.c.status == "complete"),
        "overdue": one_if(team.c.overdue > 0),
        "due_soon": one_if(team.c.due_soon > 0),
        "on_track": one_if(team.c.status == "on track"),
        "no_training": one_if(team.c.status == NO_TRAINING),
        "first_days": one_if(team.c.start_date > RECENT),
    }


def _filtered(query: Select, team, show: str, first_days: bool, searching: bool) -> Select:
    columns = team.c
    if show == "overdue":
        query = query.where(columns.overdue > 0)
    elif show == "due-soon":
        query = query.where(columns.due_soon > 0)
    elif show in ("complete", "on-track"):
        query = query.where(columns.status == show.replace("-", " "))
    if first_days:
        query = query.where(columns.start_date > RECENT)
    if searching:
        query = query.where(func.lower(columns.name).contains(NEEDLE, escape=LIKE_ESCAPE)
                            | func.lower(columns.email).contains(NEEDLE, escape=LIKE_ESCAPE))
    return query


def _sorted(query: Select, team, sort: str) -> Select:
    columns = team.c
    percent = case((columns.assigned == 0, 0.0), else_=columns.done * 100.0 / columns.assigned)
    order = {
        "name": [],
        "percent": [percent],
        "overdue": [columns.overdue.desc()],
        "next-due": [case((columns.next_due.is_(None), 1), else_=0), columns.next_due],
        "start": [case((columns.start_date.is_(None), 1), else_=0), columns.start_date.desc()],
    }[sort]
    return query.order_by(*order, func.lower(columns.name), columns.id)


def _shape(filters: TeamFilters) -> tuple:
    return filters.indirect, filters.show, filters.first_days, bool(filters.q), filters.sort


ROW_FIELDS = [name for name in TeamRow.__dataclass_fields__ if name != "today"]
TALLIES = ["complete", "overdue", "due_soon", "on_track", "no_training", "first_days"]


def _rows(result, today: date) -> list[TeamRow]:
    """TeamRows from result rows whose first columns are ROW_FIELDS, in that order (a test checks it)."""
    width = len(ROW_FIELDS)
    return [TeamRow(*row[:width], today) for row in result]


@cache
def _page_statements(indirect: bool, show: str, first_days: bool, searching: bool, sort: str) -> tuple:
    """The page query (rows, the filtered total, and the whole team's head counts and stale summary
    rows by window sums) and the filtered count used when a page number runs past the end."""
    team = _team_query(_team_ids(indirect)).subquery("team")
    counted = select(
        team, func.count().over().label("n_people"), func.sum(team.c.stale).over().label("n_stale"),
        *[func.sum(flag).over().label(f"n_{key}") for key, flag in _tallies(team).items()],
    ).subquery("counted")
    query = select(counted, func.count().over().label("total"))
    query = _sorted(_filtered(query, counted, show, first_days, searching), counted, sort)
    page = query.limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))
    count = select(func.count()).select_from(
        _filtered(select(counted.c.id), counted, show, first_days, searching).subquery())
    return page, count


CAUGHT_UP = "team_summaries_caught_up"  # in Session.info: a read recomputed summary rows


def summaries_caught_up() -> bool:
    """True (once) when a read of this session recomputed summary rows for the day: the view commits
    them, as the report does, so the day's later views find nothing to redo."""
    return bool(db.session.info.pop(CAUGHT_UP, False))


def _read_current(run, today: date, stale_of):
    """run() with the summary rows holding for today: changes of this transaction not yet summed up are
    applied first (no SQL when there are none), and when a row run() read was computed for a day it
    does not hold for, every such row is recomputed and run() runs again (the first view of a day)."""
    db.session.flush()
    summaries.apply_pending(db.session, today=today)
    result = run()
    if stale_of(result):
        db.session.info[CAUGHT_UP] = summaries.bring_up_to_date(db.session, today) > 0
        result = run()
    return result


def team_page(manager: User, filters: TeamFilters, *, today: date, page: int = 1,
              per_page: int = PER_PAGE) -> tuple[Page, Summary]:
    """One page of the manager's team, filtered, searched and sorted in SQL, with the whole team's
    head counts: one query (a second only when the page comes back empty)."""
    statement, count = _page_statements(*_shape(filters))
    params = _params(today, filters.q, manager_id=manager.id, limit=per_page)
    page = max(page, 1)

    def rows_of(number: int) -> list:
        return db.session.execute(statement, {**params, "offset": (number - 1) * per_page}).all()

    rows = _read_current(lambda: rows_of(page), today, lambda rows: rows and rows[0].n_stale)
    if not rows and page > 1:  # past the last page: show the last one
        page = max(1, -(-db.session.scalar(count, params) // per_page))
        rows = rows_of(page)
    if not rows:
        return Page([], 1, per_page, 0), team_summary(manager, indirect=filters.indirect, today=today)
    first = rows[0]
    summary = Summary(people=first.n_people, **{key: int(getattr(first, f"n_{key}")) for key in TALLIES})
    return Page(_rows(rows, today), page, per_page, first.total), summary


@cache
def _summary_statement(indirect: bool) -> Select:
    team = _team_query(_team_ids(indirect)).subquery("team")
    return select(func.count().label("people"), *[
        func.coalesce(func.sum(flag), 0).label(key) for key, flag in _tallies(team).items()
    ], func.coalesce(func.sum(team.c.stale), 0).label("stale")).select_from(team)


def team_summary(manager: User, *, indirect: bool, today: date) -> Summary:
    """Head counts over the whole team, unfiltered, each matching its filter (one query)."""
    row = _read_current(lambda: db.session.execute(_summary_statement(indirect),
                                                   _params(today, manager_id=manager.id)).one(),
                        today, lambda row: row.stale)
    return Summary(**{key: int(value) for key, value in row._asdict().items() if key != "stale"})


@cache
def _person_statement() -> Select:
    return _team_query(select(User.id).where(User.id == bindparam("employee_id", type_=Integer)), active_only=False)


def person_row(employee: User, *, today: date) -> TeamRow:
    """The same roll-up for one person, active or not (one query)."""
    return _rows(db.session.execute(_person_statement(), _params(today, employee_id=employee.id)), today)[0]


@dataclass
class ModuleLine:
    progress: Progress
    module: Module
    track: Track
    signed_off_by: str | None


def person_modules(employee: User) -> list[ModuleLine]:
    """Every module on the person's active tracks, with who signed it off (one query)."""
    signer = aliased(User)
    result = db.session.execute(
        select(Progress, Module, Track, signer.name)
        .join(Module, Module.id == Progress.module_id)
        .join(Track, Track.id == Module.track_id)
        .join(Assignment, Assignment.id == Progress.assignment_id)
        .outerjoin(signer, signer.id == Progress.signed_off_by_id)
        .where(Progress.employee_id == employee.id, Assignment.unassigned_at.is_(None),
               Module.archived_at.is_(None))
        .order_by(case((Track.kind == TrackKind.ALL_STAFF, 0), else_=1), Track.id, Module.position, Module.id)
    )
    return [ModuleLine(*row) for row in result]


def by_track(lines: list[ModuleLine]) -> list[tuple[Track, list[ModuleLine]]]:
    """The lines grouped under their track, keeping the order they came in."""
    groups: dict[int, tuple[Track, list[ModuleLine]]] = {}
    for line in lines:
        groups.setdefault(line.track.id, (line.track, []))[1].append(line)
    return list(groups.values())


# Export ----------------------------------------------------------------------------------------
@cache
def _export_statement(indirect: bool, show: str, first_days: bool, searching: bool, sort: str) -> Select:
    team = _team_query(_team_ids(indirect)).subquery("team")
    return _sorted(_filtered(select(team), team, show, first_days, searching), team, sort)


def team_rows(manager: User, filters: TeamFilters, *, today: date) -> list[TeamRow]:
    """Every row the filters select, for the CSV export (one query)."""
    statement, params = _export_statement(*_shape(filters)), _params(today, filters.q, manager_id=manager.id)
    rows = _read_current(lambda: db.session.execute(statement, params).all(), today,
                         lambda rows: any(row.stale for row in rows))
    return _rows(rows, today)


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(rows: list[TeamRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([safe_cell(value) for value in (
            row.name, row.email, row.site, row.role_family.label if row.role_family else "",
            row.start_date.isoformat() if row.start_date else "", row.percent, row.overdue,
            row.next_due.isoformat() if row.next_due else "", row.status_label,
        )])
    return buffer.getvalue()
