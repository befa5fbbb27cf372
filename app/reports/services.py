"""HR's organization-wide figures: training completion by group, overdue people, new hires, hiring.

Every figure is a GROUP BY in SQL, so the report runs the same statements whether the organization
has 40 employees or 5,000. Training figures come from the per-employee summaries that
app.onboarding.summaries keeps current (one row per employee, and per employee and value), not from
every progress row. Completion counts modules on active assignments and non-archived modules of
active employees; completed and waived modules count as done, as on the team page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select

from app.extensions import db
from app.forms import EARLIEST, LATEST, MAX_ID
from app.models import (
    PostingStatus,
    RoleFamily,
    Site,
    Stage,
    TrainingSummary,
    User,
)
from app.onboarding import summaries
from app.reports import statements

FIRST_DAYS = statements.FIRST_DAYS
OVERDUE_LIMIT = 50
NEW_HIRE_LIMIT = 50
PIPELINE = (Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED, Stage.REJECTED,
            Stage.WITHDRAWN)
SCORES = (1, 2, 3, 4, 5)


# Filters -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportFilters:
    """A site (None: every site) and a date range; each page says which dates the range picks."""

    site_id: int | None = None
    start: date | None = None
    end: date | None = None
    problems: tuple[str, ...] = ()

    def args(self) -> dict[str, str]:
        """The query-string arguments that reproduce these filters (for links and the CSV)."""
        args = {"site": str(self.site_id) if self.site_id else "",
                "from": self.start.isoformat() if self.start else "",
                "to": self.end.isoformat() if self.end else ""}
        return {key: value for key, value in args.items() if value}

    def until(self) -> datetime | None:
        """The first instant after the range (the range includes its whole last day)."""
        return datetime.combine(self.end + timedelta(days=1), time()) if self.end else None

    def since(self) -> datetime | None:
        return datetime.combine(self.start, time()) if self.start else None


def _parse_date(text: str | None, label: str, problems: list[str]) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(f"“{text[:20]}” is not a date for {label}; use the date picker or YYYY-MM-DD. It was ignored.")
        return None
    if not EARLIEST <= day <= LATEST:
        problems.append(f"{label} must be between {EARLIEST.year} and {LATEST.year}; {day.isoformat()} was ignored.")
        return None
    return day


def parse_filters(args: Mapping[str, str], *, default_days: int | None = None, today: date | None = None
                  ) -> ReportFilters:
    """Filters from query-string arguments (site, from, to). Bad input is ignored with a message.
    With default_days, a missing range means the default_days up to today."""
    problems: list[str] = []
    site_text = (args.get("site") or "").strip()
    site_id = int(site_text) if site_text.isascii() and site_text.isdigit() and int(site_text) <= MAX_ID else None
    if site_text and site_id is None:
        problems.append("Choose a site from the list. The site filter was ignored.")
    start = _parse_date(args.get("from"), "From", problems)
    end = _parse_date(args.get("to"), "To", problems)
    if default_days and not start and not end:
        end = today or date.today()
        start = end - timedelta(days=default_days - 1)
    if start and end and start > end:
        problems.append("The From date was after the To date, so the two were swapped.")
        start, end = end, start
    return ReportFilters(site_id, start, end, tuple(problems))


def sites() -> list[Site]:
    """The sites to choose from (one query)."""
    return list(db.session.scalars(select(Site).where(Site.archived_at.is_(None)).order_by(Site.name)))


def picked(filters, rows) -> list:
    """Conditions on rows (User or TrainingSummary, which both carry site_id and start_date): at the
    filters' site, started in their date range (any filters with site_id, start and end)."""
    conditions = []
    if filters.site_id:
        conditions.append(rows.site_id == filters.site_id)
    if filters.start:
        conditions.append(rows.start_date >= filters.start)
    if filters.end:
        conditions.append(rows.start_date <= filters.end)
    return conditions


def staff_scope(filters: ReportFilters) -> list:
    """Conditions on User: active employees at the site who started in the date range."""
    return [User.active, *picked(filters, User)]


def staff_ids_built_once(filters: ReportFilters) -> tuple:
    """The ids of the active employees the filters pick, as a statement built once and its parameters."""
    return statements.staff_ids(statements.shape(filters)), statements.report_params(filters)


def staff_credential_gaps(filters: ReportFilters) -> Select:
    """The credential warnings of the active employees the filters pick, as a statement built once; it
    takes the parameters staff_ids_built_once gives."""
    return statements.staff_credential_gaps(statements.shape(filters))


def summary_scope(filters: ReportFilters) -> list:
    """The same conditions on training_summary rows, which count active employees only."""
    return picked(filters, TrainingSummary)


# Completion --------------------------------------------------------------------------------------
@dataclass
class Share:
    """Done modules over assigned modules for one group."""

    label: str
    done: int = 0
    assigned: int = 0
    overdue: int = 0
    key: object = None

    @property
    def percent(self) -> float:
        return self.done * 100 / self.assigned if self.assigned else 0.0

    @property
    def percent_text(self) -> str:
        return f"{round(self.percent)}%" if self.assigned else "—"

    def add(self, done: int, assigned: int, overdue: int) -> None:
        self.done, self.assigned, self.overdue = self.done + done, self.assigned + assigned, self.overdue + overdue


@dataclass
class Completion:
    total: Share
    by_site: list[Share]
    by_department: list[Share]
    by_role_family: list[Share]
    by_value: list[Share]


def completion(filters: ReportFilters, *, today: date) -> Completion:
    """Done over assigned by site, department and role family (one query grouped by all three and
    rolled up here: its rows grow with the organization's structure, never its head count) and by
    value (one query, plus one for the catalog), least built value first."""
    summaries.bring_up_to_date(db.session, today)
    rows = db.session.execute(statements.completion_groups(statements.shape(filters)),
                              statements.report_params(filters, today=today)).all()
    total = Share("All staff in scope")
    by_site: dict = {}
    by_department: dict = {}
    by_family: dict = {}
    for site_id, site_name, department, family, assigned, done, overdue in rows:
        total.add(done, assigned, overdue)
        by_site.setdefault(site_id, Share(site_name or "No site", key=site_id)).add(done, assigned, overdue)
        by_department.setdefault(department or "", Share(department or "No department", key=department)).add(
            done, assigned, overdue)
        by_family.setdefault(family, Share(family.label if family else "No role family", key=family)).add(
            done, assigned, overdue)
    family_order = {family: index for index, family in enumerate(RoleFamily)}
    return Completion(
        total=total,
        by_site=sorted(by_site.values(), key=lambda s: (s.key is None, s.label)),
        by_department=sorted(by_department.values(), key=lambda s: (not s.key, s.label.lower())),
        by_role_family=sorted(by_family.values(), key=lambda s: family_order.get(s.key, len(family_order))),
        by_value=completion_by_value(filters, today=today),
    )


def completion_by_value(filters: ReportFilters, *, today: date) -> list[Share]:
    """Each catalog value's done over assigned across the modules that build it, lowest share first;
    a value no assigned module builds comes first of all (two queries)."""
    summaries.bring_up_to_date(db.session, today)
    catalog = db.session.execute(statements.CATALOG).all()
    by_value = statements.completion_by_value(statements.shape(filters))
    tallies = {value_id: (done, assigned, overdue) for value_id, assigned, done, overdue
               in db.session.execute(by_value, statements.report_params(filters, today=today))}
    shares = []
    for position, (value_id, name) in enumerate(catalog):
        share = Share(name, key=position)
        share.add(*tallies.get(value_id, (0, 0, 0)))
        shares.append(share)
    return sorted(shares, key=lambda s: (s.assigned > 0, s.percent, s.key))


# People ------------------------------------------------------------------------------------------
@dataclass
class OverdueRow:
    id: int
    name: str
    email: str
    site: str | None
    role_family: RoleFamily | None
    manager: str | None
    overdue: int
    oldest_due: date


@dataclass
class OverdueList:
    rows: list[OverdueRow]
    people: int  # everyone with an overdue module, of whom rows are the first OVERDUE_LIMIT


def overdue_people(filters: ReportFilters, *, today: date, limit: int = OVERDUE_LIMIT) -> OverdueList:
    """The people with the most overdue modules, oldest due date next, and how many are behind (one query)."""
    summaries.bring_up_to_date(db.session, today)
    rows = db.session.execute(statements.overdue_people(statements.shape(filters), limit),
                              statements.report_params(filters, today=today)).all()
    return OverdueList([OverdueRow(*row[:8]) for row in rows], rows[0][8] if rows else 0)


@dataclass
class NewHire:
    id: int
    name: str
    site: str | None
    role_family: RoleFamily | None
    manager: str | None
    start_date: date
    assigned: int
    done: int
    overdue: int
    today: date

    @property
    def on_track(self) -> bool:
        return self.overdue == 0

    @property
    def day(self) -> int:
        """Day of employment: the start date is day 1."""
        return (self.today - self.start_date).days + 1

    @property
    def percent(self) -> int:
        return round(self.done * 100 / self.assigned) if self.assigned else 0


@dataclass
class NewHires:
    rows: list[NewHire]
    people: int
    on_track: int

    @property
    def behind(self) -> int:
        return self.people - self.on_track


def new_hires(filters: ReportFilters, *, today: date, limit: int = NEW_HIRE_LIMIT) -> NewHires:
    """People in their first 90 days, those behind first, with their training numbers and the head
    counts of everyone in that window (one query)."""
    summaries.bring_up_to_date(db.session, today)
    statement = statements.new_hires(statements.shape(filters), limit, db.session.get_bind().dialect.name)
    rows = db.session.execute(statement, statements.report_params(filters, today=today)).all()
    hires = [NewHire(*row[:9], today=today) for row in rows]
    return NewHires(hires, rows[0][9] if rows else 0, int(rows[0][10]) if rows else 0)


# Hiring ------------------------------------------------------------------------------------------
@dataclass
class ValueScores:
    name: str
    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SCORES, 0))

    @property
    def ratings(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        return sum(score * n for score, n in self.counts.items()) / self.ratings if self.ratings else None


@dataclass
class PostingFigures:
    id: int
    title: str
    site: str | None
    status: PostingStatus
    opened_at: datetime | None
    stages: dict[Stage, int] = field(default_factory=lambda: dict.fromkeys(PIPELINE, 0))
    first_hired_at: datetime | None = None
    values: list[ValueScores] = field(default_factory=list)

    @property
    def applications(self) -> int:
        return sum(self.stages.values())

    @property
    def days_to_fill(self) -> int | None:
        """Days from opening to the first move of an application to hired."""
        if self.opened_at is None or self.first_hired_at is None:
            return None
        return max(0, (self.first_hired_at.date() - self.opened_at.date()).days)


@dataclass
class Hiring:
    postings: list[PostingFigures]
    stages: dict[Stage, int]
    values: list[ValueScores]  # pooled over the postings, catalog order

    @property
    def filled(self) -> list[int]:
        return [p.days_to_fill for p in self.postings if p.days_to_fill is not None]

    @property
    def mean_days_to_fill(self) -> float | None:
        return sum(self.filled) / len(self.filled) if self.filled else None


def hiring(filters: ReportFilters, *, hide: Iterable[int] = ()) -> Hiring:
    """Per posting opened in the date range (at the site): applications by stage, time to fill, and
    the mean and 1–5 spread of each value's ratings on current submitted scorecards (four queries).
    Ratings of the applications in hide (the viewer's own interviews not yet scored) are left out."""
    postings_statement, stages_statement, first_hires, ratings = statements.hiring(statements.shape(filters))
    params = statements.report_params(filters, hide=hide)
    postings = {
        row.id: PostingFigures(row.id, row.title, row.name, row.status, row.opened_at)
        for row in db.session.execute(postings_statement, params)
    }
    stages = dict.fromkeys(PIPELINE, 0)
    for posting_id, stage, count in db.session.execute(stages_statement, params):
        postings[posting_id].stages[stage] += count
        stages[stage] += count
    for posting_id, first in db.session.execute(first_hires, params):
        postings[posting_id].first_hired_at = first
    catalog = db.session.execute(statements.ALL_VALUES).all()
    per_posting: dict[int, dict[int, ValueScores]] = defaultdict(dict)
    pooled: dict[int, ValueScores] = {}
    for posting_id, value_id, score, count in db.session.execute(ratings, params):
        for scores in (per_posting[posting_id], pooled):  # a ValueScores made only when a value first shows
            found = scores.get(value_id)
            if found is None:
                found = scores[value_id] = ValueScores("")
            found.counts[score] += count
    names = dict(catalog)
    for posting_id, by_value in per_posting.items():
        postings[posting_id].values = _in_catalog_order(by_value, catalog, names)
    return Hiring(list(postings.values()), stages, _in_catalog_order(pooled, catalog, names))


def _in_catalog_order(by_value: dict[int, ValueScores], catalog, names) -> list[ValueScores]:
    ordered = []
    for value_id, _ in catalog:
        if value_id in by_value:
            by_value[value_id].name = names[value_id]
            ordered.append(by_value[value_id])
    return ordered


# The whole page ----------------------------------------------------------------------------------
@dataclass
class Report:
    filters: ReportFilters
    today: date
    sites: list[Site]
    completion: Completion
    overdue: OverdueList
    new_hires: NewHires
    hiring: Hiring

    @property
    def site_name(self) -> str | None:
        return next((site.name for site in self.sites if site.id == self.filters.site_id), None)


def build_report(filters: ReportFilters, *, today: date, hide: Iterable[int] = ()) -> Report:
    """Everything /reports shows, in a fixed number of queries; hide as for hiring()."""
    return Report(filters, today, sites(), completion(filters, today=today), overdue_people(filters, today=today),
                  new_hires(filters, today=today), hiring(filters, hide=hide))
