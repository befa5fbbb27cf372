"""The report's statements, built once per shape of filters (which of site, from and to are set)
and run with parameters: building a statement costs more than SQLite takes to run most of them.

Parameters (report_params gives them all; a statement ignores those it does not use): site_id,
start and end (start dates picked), since and until (postings opened in the range), today, recent
(the first day of the first-90-days window) and hide (application ids left out of the ratings).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Date, DateTime, Integer, Select, bindparam, case, func, select, true
from sqlalchemy.orm import aliased

from app.credentials.gaps import gaps_statement
from app.hiring.scoring import COUNTED
from app.models import (
    Application,
    Criterion,
    Posting,
    PostingStatus,
    Rating,
    Scorecard,
    Site,
    Stage,
    StageChange,
    TrainingSummary,
    User,
    Value,
    ValueSummary,
    ValueTotal,
)

FIRST_DAYS = 90
SITE = bindparam("site_id", type_=Integer)
START = bindparam("start", type_=Date)
END = bindparam("end", type_=Date)
SINCE = bindparam("since", type_=DateTime)
UNTIL = bindparam("until", type_=DateTime)
TODAY = bindparam("today", type_=Date)
RECENT = bindparam("recent", type_=Date)
HIDE = bindparam("hide", expanding=True, type_=Integer)
Shape = tuple[bool, bool, bool]  # site, from, to set


def shape(filters) -> Shape:
    return bool(filters.site_id), bool(filters.start), bool(filters.end)


def report_params(filters, *, today: date | None = None, hide: Iterable[int] = ()) -> dict:
    today = today or date.today()
    return {"site_id": filters.site_id, "start": filters.start, "end": filters.end, "since": filters.since(),
            "until": filters.until(), "today": today, "recent": today - timedelta(days=FIRST_DAYS),
            "hide": sorted(hide)}


def picked(rows, picks: Shape) -> list:
    """The conditions of picks on rows (User or TrainingSummary), as parameters."""
    site, start, end = picks
    return [condition for wanted, condition in ((site, rows.site_id == SITE), (start, rows.start_date >= START),
                                                (end, rows.start_date <= END)) if wanted]


@cache
def staff_ids(picks: Shape) -> Select:
    """The ids of the active employees picked."""
    return select(User.id).where(User.active, *picked(User, picks))


@cache
def staff_credential_gaps(picks: Shape) -> Select:
    """The credential warnings of the active employees picked (app.credentials.gaps.read_gaps)."""
    return gaps_statement(*picked(User, picks))


def _sums(summary) -> tuple:
    return (func.coalesce(func.sum(summary.assigned), 0), func.coalesce(func.sum(summary.done), 0),
            func.coalesce(func.sum(summary.overdue), 0))


@cache
def completion_groups(picks: Shape) -> Select:
    summary = TrainingSummary
    groups = (
        select(summary.site_id, summary.department, summary.role_family, *_sums(summary))
        .where(*picked(summary, picks), summary.assigned > 0)
        .group_by(summary.site_id, summary.department, summary.role_family)
        .subquery("groups")
    )
    return select(groups.c.site_id, Site.name, *list(groups.c)[1:]).outerjoin(Site, Site.id == groups.c.site_id)


CATALOG = select(Value.id, Value.name).where(Value.archived_at.is_(None)).order_by(Value.position, Value.id)
ALL_VALUES = select(Value.id, Value.name).order_by(Value.position, Value.id)


@cache
def completion_by_value(picks: Shape) -> Select:
    """Per value: assigned, done, overdue. The whole staff's are kept in value_total; a site or a range
    of start dates sums the employees' rows (deactivated staff already count zero)."""
    if not any(picks):
        return select(ValueTotal.value_id, ValueTotal.assigned, ValueTotal.done, ValueTotal.overdue).where(
            ValueTotal.assigned > 0)
    return (select(ValueSummary.value_id, *_sums(ValueSummary))
            .join(User, User.id == ValueSummary.employee_id)
            .where(ValueSummary.assigned > 0, User.active, *picked(User, picks))
            .group_by(ValueSummary.value_id))


@cache
def overdue_people(picks: Shape, limit: int) -> Select:
    manager = aliased(User)
    behind = (  # the most overdue first (then the oldest due, then the longest employed), from the summaries alone
        select(TrainingSummary.employee_id, TrainingSummary.overdue, TrainingSummary.oldest_overdue,
               func.count().over().label("people"))
        .where(*picked(TrainingSummary, picks), TrainingSummary.overdue > 0)
        .order_by(TrainingSummary.overdue.desc(), TrainingSummary.oldest_overdue, TrainingSummary.employee_id)
        .limit(limit)
        .subquery("behind")
    )
    return (
        select(User.id, User.name, User.email, Site.name, User.role_family, manager.name,
               behind.c.overdue, behind.c.oldest_overdue, behind.c.people)
        .select_from(behind)
        .join(User, User.id == behind.c.employee_id)
        .outerjoin(Site, Site.id == User.site_id)
        .outerjoin(manager, manager.id == User.manager_id)
        .order_by(behind.c.overdue.desc(), behind.c.oldest_overdue, behind.c.employee_id)
    )


@cache
def new_hires(picks: Shape, limit: int, dialect: str) -> Select:
    """The first limit people in their first 90 days, those behind first, each with how many are in
    the window and how many of them are on track; names are joined to the first rows only.
    PostgreSQL counts the window with window functions over the one scan; SQLite, whose window
    functions cost more than a second scan of the index, counts it in a subquery of its own."""
    manager, hire = aliased(User), aliased(User)
    overdue = func.coalesce(TrainingSummary.overdue, 0)
    on_track = func.sum(case((overdue == 0, 1), else_=0))
    window = (User.active, *picked(User, picks), User.start_date > RECENT, User.start_date <= TODAY)
    figures = [User.id, User.name, User.start_date, func.coalesce(TrainingSummary.assigned, 0).label("assigned"),
               func.coalesce(TrainingSummary.done, 0).label("done"), overdue.label("overdue")]
    if dialect == "postgresql":
        figures += [func.count().over().label("people"), on_track.over().label("on_track")]
    first = (
        select(*figures).outerjoin(TrainingSummary, TrainingSummary.employee_id == User.id).where(*window)
        .order_by(overdue.desc(), User.start_date, User.name, User.id)
        .limit(limit)
        .subquery("first")
    )
    counts = first
    if dialect != "postgresql":
        counts = (select(func.count().label("people"), func.coalesce(on_track, 0).label("on_track"))
                  .select_from(User).outerjoin(TrainingSummary, TrainingSummary.employee_id == User.id)
                  .where(*window).subquery("counts"))
    rows = (
        select(first.c.id, first.c.name, Site.name, hire.role_family, manager.name, first.c.start_date,
               first.c.assigned, first.c.done, first.c.overdue, counts.c.people, counts.c.on_track)
        .select_from(first)
    )
    if counts is not first:
        rows = rows.join(counts, true())
    return (
        rows.join(hire, hire.id == first.c.id)
        .outerjoin(Site, Site.id == hire.site_id)
        .outerjoin(manager, manager.id == hire.manager_id)
        .order_by(first.c.overdue.desc(), first.c.start_date, first.c.name, first.c.id)
    )


def _chosen_postings(picks: Shape) -> list:
    """Postings opened (not drafts, not archived) in the range, at the site."""
    site, start, end = picks
    chosen = [Posting.archived_at.is_(None), Posting.status != PostingStatus.DRAFT]
    chosen += [condition for wanted, condition in ((site, Posting.site_id == SITE), (start, Posting.opened_at >= SINCE),
                                                   (end, Posting.opened_at < UNTIL)) if wanted]
    return chosen


@cache
def hiring(picks: Shape) -> tuple[Select, Select, Select, Select]:
    """The postings, their applications by stage, their first hire, and their ratings by value and score."""
    chosen = _chosen_postings(picks)
    ids = select(Posting.id).where(*chosen)
    postings = (select(Posting.id, Posting.title, Site.name, Posting.status, Posting.opened_at)
                .outerjoin(Site, Site.id == Posting.site_id).where(*chosen)
                .order_by(Posting.opened_at.desc(), Posting.id.desc()))
    stages = (select(Application.posting_id, Application.stage, func.count(Application.id))
              .where(Application.posting_id.in_(ids), Application.archived_at.is_(None))
              .group_by(Application.posting_id, Application.stage))
    first_hires = (select(Application.posting_id, func.min(StageChange.at))
                   .join(StageChange, StageChange.application_id == Application.id)
                   .where(Application.posting_id.in_(ids), StageChange.to_stage == Stage.HIRED)
                   .group_by(Application.posting_id))
    ratings = (select(Application.posting_id, Criterion.value_id, Rating.score, func.count(Rating.id))
               .select_from(Rating)
               .join(Scorecard, Scorecard.id == Rating.scorecard_id)
               .join(Application, Application.id == Scorecard.application_id)
               .join(Criterion, Criterion.id == Rating.criterion_id)
               .where(Application.posting_id.in_(ids), Application.archived_at.is_(None),
                      Application.id.not_in(HIDE), *COUNTED)
               .group_by(Application.posting_id, Criterion.value_id, Rating.score))
    return postings, stages, first_hires, ratings
