"""Do interview scores predict how hires do? Interview scores paired with 90-day manager ratings.

Definitions:
- A hire is an employee with a done (both sides in), non-archived check-in on day 90 or later. Their
  90-day check-in is the earliest such one: day 90 when the schedule has it, else the first one after
  (day 120 in a 45/120 schedule), so every hire is measured as near to day 90 as their schedule allows.
- The hire date is the employee's start date (day 1 of their check-in schedule); the hire period
  filter picks start dates. Hires who have left since still count: their ratings were made.
- Per value, the interview score is the mean of every rating on the criteria of that value over the
  counted scorecards (submitted, current, not archived) of the application they were hired from, and the
  90-day rating is the manager's current (not superseded) rating of that value. Values are matched by
  value, not criterion, so a rubric changed between hiring and check-in still pairs.
- Overall (the scatter, and per rubric): one pair per hire, the mean of their value scores against the
  mean of the manager's ratings, over the values that pair.
- Per interviewer: one pair per hire they scored, their own ratings' value means (averaged) against the
  manager's ratings of the same values.
- Per question: scorecards rate criteria, not questions, so a kit question's score for a hire is the
  interview score of the value it asks about; it counts for the hires whose posting's kit asked it.
- Applications the viewer interviews and has not scored yet (scoring.pending_interviews) are left out.

Five statements whatever the organization's size: the hires, their interview ratings and manager ratings,
their kits' questions and the values catalog, grouped in SQL where they can be.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from statistics import fmean

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.hiring.scoring import COUNTED
from app.models import (
    Application,
    CheckIn,
    CheckInRating,
    Criterion,
    KitItem,
    Posting,
    Question,
    Rater,
    Rating,
    RoleFamily,
    Rubric,
    Scorecard,
    Site,
    User,
    Value,
)
from app.reports.forms import ValidityFilters
from app.reports.services import picked
from app.reports.validity_stats import Correlation, correlation

VALIDITY_DAY = 90


@dataclass(frozen=True)
class Hire:
    """One hire in the report: who, where, and the check-in their 90-day ratings come from."""

    employee_id: int
    name: str
    start_date: date | None
    site: str | None
    role_family: RoleFamily | None
    check_in_id: int
    day: int
    application_id: int | None
    posting_id: int | None
    rubric_id: int | None
    rubric: str


@dataclass(frozen=True)
class Pair:
    """One hire's interview score and 90-day manager rating on one value."""

    hire: Hire
    value_id: int
    value: str
    interview: float
    rating: int


@dataclass(frozen=True)
class Row:
    """One line of a table: what it is about, its pairs and their correlation."""

    label: str
    pairs: tuple[tuple[float, float], ...]
    result: Correlation
    detail: str = ""


def _row(label: str, pairs: Iterable[tuple[float, float]], detail: str = "") -> Row:
    pairs = tuple(pairs)
    return Row(label, pairs, correlation(pairs), detail)


@dataclass
class Validity:
    filters: ValidityFilters
    hires: int = 0  # hires in scope with a done 90-day check-in
    paired: int = 0  # of whom at least one value pairs
    without_scorecards: int = 0  # no counted scorecard on the application they were hired from (or none)
    no_common_value: int = 0  # scorecards, but no value rated both at interview and at 90 days
    hidden: int = 0  # left out while the viewer has not scored them
    pairs: list[Pair] = field(default_factory=list)
    overall: Row | None = None
    by_value: list[Row] = field(default_factory=list)
    by_rubric: list[Row] = field(default_factory=list)
    by_interviewer: list[Row] = field(default_factory=list)
    by_question: list[Row] = field(default_factory=list)


# Statements ----------------------------------------------------------------------------------------
def _scope(filters: ValidityFilters) -> list:
    role_family = [User.role_family == filters.role_family] if filters.role_family else []
    return [*picked(filters, User), *role_family]


def _chosen(filters: ValidityFilters) -> Select:
    """Each hire's 90-day check-in (the earliest done one on day 90 or later) with who they are."""
    earliest = (
        select(CheckIn.employee_id, func.min(CheckIn.day).label("day"))
        .where(CheckIn.completed_at.is_not(None), CheckIn.archived_at.is_(None), CheckIn.day >= VALIDITY_DAY)
        .group_by(CheckIn.employee_id)
        .subquery("earliest")
    )
    return (
        select(CheckIn.id.label("check_in_id"), CheckIn.employee_id, CheckIn.day, CheckIn.application_id,
               User.name, User.start_date, Site.name.label("site"), User.role_family,
               Application.posting_id, Posting.rubric_id, Rubric.name.label("rubric"), Rubric.version)
        .join(earliest, (earliest.c.employee_id == CheckIn.employee_id) & (earliest.c.day == CheckIn.day))
        .join(User, User.id == CheckIn.employee_id)
        .outerjoin(Site, Site.id == User.site_id)
        .outerjoin(Application, Application.id == CheckIn.application_id)
        .outerjoin(Posting, Posting.id == Application.posting_id)
        .outerjoin(Rubric, Rubric.id == Posting.rubric_id)
        .where(*_scope(filters))
    )


def _hires(chosen: Select, hide: set[int]) -> tuple[list[Hire], int]:
    hires, hidden = [], 0
    for row in db.session.execute(chosen.order_by(CheckIn.employee_id)):
        if row.application_id in hide:
            hidden += 1
            continue
        rubric = f"{row.rubric} (version {row.version})" if row.rubric and row.version and row.version > 1 else \
            (row.rubric or "")
        hires.append(Hire(row.employee_id, row.name, row.start_date, row.site, row.role_family, row.check_in_id,
                          row.day, row.application_id, row.posting_id, row.rubric_id, rubric))
    return hires, hidden


def _interview_sums(chosen: Select, hide: set[int]) -> dict[tuple[int, int, int], tuple[int, int, str]]:
    """(application, interviewer, value) -> (sum, count of ratings, interviewer's name), counted scorecards only."""
    applications = select(chosen.subquery().c.application_id)
    interviewer = aliased(User)
    return {
        (application_id, interviewer_id, value_id): (total, count, name)
        for application_id, interviewer_id, name, value_id, total, count in db.session.execute(
            select(Scorecard.application_id, Scorecard.interviewer_id, interviewer.name, Criterion.value_id,
                   func.sum(Rating.score), func.count(Rating.id))
            .join(Rating, Rating.scorecard_id == Scorecard.id)
            .join(Criterion, Criterion.id == Rating.criterion_id)
            .join(interviewer, interviewer.id == Scorecard.interviewer_id)
            .where(Scorecard.application_id.in_(applications), Scorecard.application_id.not_in(sorted(hide)),
                   *COUNTED)
            .group_by(Scorecard.application_id, Scorecard.interviewer_id, interviewer.name, Criterion.value_id))
    }


def _manager_ratings(chosen: Select) -> dict[int, dict[int, int]]:
    """Check-in -> value -> the manager's current rating."""
    check_in_ids = select(chosen.subquery().c.check_in_id)
    ratings: dict[int, dict[int, int]] = defaultdict(dict)
    for check_in_id, value_id, score in db.session.execute(
        select(CheckInRating.check_in_id, CheckInRating.value_id, CheckInRating.score)
        .where(CheckInRating.check_in_id.in_(check_in_ids), CheckInRating.rater == Rater.MANAGER,
               CheckInRating.superseded_at.is_(None))
    ):
        ratings[check_in_id][value_id] = score
    return ratings


def _kit_questions(chosen: Select) -> dict[int, list[tuple[int, str, int]]]:
    """Posting -> its kit's questions (id, text, value id), in kit order."""
    posting_ids = select(chosen.subquery().c.posting_id)
    kits: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for posting_id, question_id, text, value_id in db.session.execute(
        select(KitItem.posting_id, Question.id, Question.text, Question.value_id)
        .join(Question, Question.id == KitItem.question_id)
        .where(KitItem.posting_id.in_(posting_ids))
        .order_by(KitItem.posting_id, KitItem.position)
    ):
        kits[posting_id].append((question_id, text, value_id))
    return kits


def _catalog() -> list[tuple[int, str]]:
    """Every value, archived ones too (old ratings may be on them), in catalog order."""
    return [tuple(row) for row in db.session.execute(select(Value.id, Value.name).order_by(Value.position, Value.id))]


# The report ----------------------------------------------------------------------------------------
def _interview_scores(sums: dict[tuple[int, int, int], tuple[int, int, str]]) -> tuple[dict, dict, dict[int, str]]:
    """From the grouped sums: application -> value -> mean of every counted rating (the interview score);
    application -> interviewer -> value -> that interviewer's mean; interviewer -> name."""
    pooled: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    mine: dict[int, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    names: dict[int, str] = {}
    for (application_id, interviewer_id, value_id), (total, count, name) in sums.items():
        pooled[application_id][value_id][0] += total
        pooled[application_id][value_id][1] += count
        mine[application_id][interviewer_id][value_id] = total / count
        names[interviewer_id] = name
    means = {application_id: {value_id: total / count for value_id, (total, count) in by_value.items()}
             for application_id, by_value in pooled.items()}
    return means, mine, names


def _mean(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return fmean(x for x, _ in pairs), fmean(y for _, y in pairs)


def validity(filters: ValidityFilters, *, hide: Iterable[int] = ()) -> Validity:
    """Every figure of the validity report for hires in the filters (definitions in the module docstring)."""
    hide = set(hide)
    chosen = _chosen(filters)
    hires, hidden = _hires(chosen, hide)
    result = Validity(filters, hires=len(hires), hidden=hidden)
    if not hires:
        return result
    sums = _interview_sums(chosen, hide)
    ratings = _manager_ratings(chosen)
    kits = _kit_questions(chosen)
    catalog = _catalog()
    names = dict(catalog)

    pooled, mine, interviewers = _interview_scores(sums)

    by_value: dict[int, list] = defaultdict(list)
    by_rubric: dict[int | None, list] = defaultdict(list)
    rubric_names: dict[int | None, str] = {}
    by_interviewer: dict[int, list] = defaultdict(list)
    by_question: dict[int, list] = defaultdict(list)
    question_info: dict[int, tuple[str, int]] = {}
    overall = []
    for hire in hires:
        if hire.application_id not in pooled:
            result.without_scorecards += 1
            continue
        rated = ratings.get(hire.check_in_id, {})
        interview = {value_id: score for value_id, score in pooled[hire.application_id].items() if value_id in rated}
        if not interview:
            result.no_common_value += 1
            continue
        result.paired += 1
        for value_id, score in interview.items():
            result.pairs.append(Pair(hire, value_id, names.get(value_id, ""), score, rated[value_id]))
            by_value[value_id].append((score, rated[value_id]))
        point = _mean([(interview[v], rated[v]) for v in interview])
        overall.append(point)
        by_rubric[hire.rubric_id].append(point)
        rubric_names[hire.rubric_id] = hire.rubric or "No rubric"
        for interviewer_id, theirs in mine[hire.application_id].items():
            common = [(theirs[v], rated[v]) for v in theirs if v in rated]
            if common:
                by_interviewer[interviewer_id].append(_mean(common))
        for question_id, text, value_id in kits.get(hire.posting_id, []):
            if value_id in interview:
                by_question[question_id].append((interview[value_id], rated[value_id]))
                question_info[question_id] = (text, value_id)

    position = {value_id: index for index, (value_id, _) in enumerate(catalog)}
    result.pairs.sort(key=lambda p: (p.hire.employee_id, position.get(p.value_id, len(position))))
    result.overall = _row("All values (one pair per hire)", overall)
    result.by_value = [_row(name, by_value[value_id]) for value_id, name in catalog if value_id in by_value]
    result.by_rubric = sorted((_row(rubric_names[key], pairs) for key, pairs in by_rubric.items()),
                              key=lambda row: (-row.result.n, row.label.lower()))
    result.by_interviewer = sorted((_row(interviewers[key], pairs) for key, pairs in by_interviewer.items()),
                                   key=lambda row: (-row.result.n, row.label.lower()))
    result.by_question = sorted((_row(question_info[key][0], pairs, names.get(question_info[key][1], ""))
                                 for key, pairs in by_question.items()),
                                key=lambda row: (-row.result.n, row.detail.lower(), row.label.lower()))
    return result
