"""Scorecards and the arithmetic on them: saving, submitting and amending, who may see which, and scores.

Only current, submitted scorecards count: a draft or a revision an amendment replaced never does.
Services take the acting user explicitly, change data, flush and never commit.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.audit import record
from app.extensions import db
from app.models import (
    Application,
    Criterion,
    InterviewAssignment,
    Rating,
    Recommendation,
    Role,
    Scorecard,
    ScorecardStatus,
    Stage,
    User,
    utcnow,
)

log = logging.getLogger(__name__)

LOW_VALUE = 2.5  # a value whose mean interview rating is this or lower gets development modules on hire
DISAGREEMENT = 2  # ratings on one criterion this far apart are flagged for discussion
SEES_ALL = (Role.HR, Role.ADMIN)
CLOSED_STAGES = (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN)
COUNTED = (Scorecard.status == ScorecardStatus.SUBMITTED, Scorecard.superseded_at.is_(None),
           Scorecard.archived_at.is_(None))
EPSILON = 1e-9


class ScorecardError(Exception):
    """A scorecard action that cannot be taken, with a message the person can act on."""


class ScorecardProblems(ScorecardError):
    """Input problems keyed by (criterion id, "rating" or "evidence") or "recommendation", so a form can show
    each beside its field."""

    def __init__(self, problems: dict):
        self.problems = problems
        super().__init__(" ".join(problems.values()))


# Arithmetic ---------------------------------------------------------------------------------
def mean(numbers: Iterable[float]) -> float | None:
    numbers = list(numbers)
    return sum(numbers) / len(numbers) if numbers else None


def weighted_score(ratings: Mapping[Criterion, Sequence[int]]) -> float | None:
    """Sum of weight × mean rating over the criteria rated, divided by their weights (100 for a whole rubric)."""
    rated = {criterion: mean(scores) for criterion, scores in ratings.items() if scores}
    total = sum(criterion.weight for criterion in rated)
    if not total:
        return None
    return sum(criterion.weight * average for criterion, average in rated.items()) / total


@dataclass
class Scores:
    """One application's counted ratings and recommendations."""

    criteria: dict[int, Criterion] = field(default_factory=dict)
    ratings: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # criterion id -> scores
    by_interviewer: dict[int, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    recommendations: Counter = field(default_factory=Counter)

    @property
    def scorecards(self) -> int:
        return sum(self.recommendations.values())

    @property
    def weighted(self) -> float | None:
        return weighted_score({self.criteria[cid]: scores for cid, scores in self.ratings.items()})

    @property
    def value_names(self) -> dict[str, str]:
        return {c.value.key: c.value.name for c in sorted(self.criteria.values(), key=lambda c: c.position)}

    @property
    def values(self) -> dict[str, float]:
        """Value key -> mean of every rating on the criteria that assess it, in rubric order."""
        pooled: dict[str, list[int]] = {key: [] for key in self.value_names}
        for cid, scores in self.ratings.items():
            pooled[self.criteria[cid].value.key].extend(scores)
        return {key: mean(scores) for key, scores in pooled.items() if scores}

    @property
    def disagreements(self) -> list[Criterion]:
        return [self.criteria[cid] for cid, scores in self.ratings.items() if max(scores) - min(scores) >= DISAGREEMENT]

    def low_values(self, threshold: float = LOW_VALUE) -> list[str]:
        return sorted(key for key, average in self.values.items() if average <= threshold + EPSILON)


def scores_for(application_ids: Iterable[int]) -> dict[int, Scores]:
    """Counted scores for many applications in two queries, however many there are."""
    ids = list(application_ids)
    scores = {application_id: Scores() for application_id in ids}
    if not ids:
        return scores
    rows = db.session.execute(
        select(Scorecard.application_id, Scorecard.interviewer_id, Rating.score, Criterion)
        .join(Rating, Rating.scorecard_id == Scorecard.id).join(Criterion, Criterion.id == Rating.criterion_id)
        .options(selectinload(Criterion.value))
        .where(Scorecard.application_id.in_(ids), *COUNTED)
        .order_by(Criterion.position, Scorecard.interviewer_id)
    ).all()
    for application_id, interviewer_id, score, criterion in rows:
        entry = scores[application_id]
        entry.criteria[criterion.id] = criterion
        entry.ratings[criterion.id].append(score)
        entry.by_interviewer[interviewer_id][criterion.id] = score
    for application_id, recommendation in db.session.execute(
        select(Scorecard.application_id, Scorecard.recommendation).where(Scorecard.application_id.in_(ids), *COUNTED)
    ):
        scores[application_id].recommendations[recommendation] += 1
    return scores


def value_profile(application: Application) -> dict[str, float]:
    """Value key -> mean rating across the interviewers' submitted scorecards."""
    return scores_for([application.id])[application.id].values


def disagreements(application: Application) -> list[Criterion]:
    """Criteria whose submitted ratings differ by 2 or more."""
    return scores_for([application.id])[application.id].disagreements


def low_values(application: Application, threshold: float = LOW_VALUE) -> list[str]:
    """Value keys whose mean interview rating is the threshold (2.5) or lower."""
    return scores_for([application.id])[application.id].low_values(threshold)


# Calibration ----------------------------------------------------------------------------------
@dataclass
class CalibrationRow:
    application: Application
    mine: float
    others: float | None  # the other interviewers' ratings of the same candidate, pooled

    @property
    def difference(self) -> float | None:
        return None if self.others is None else self.mine - self.others


def calibration(interviewer: User, *, hide: Iterable[int] = ()) -> tuple[list[CalibrationRow], float | None]:
    """The interviewer's mean rating of each candidate they scored beside their colleagues' mean, and the
    average difference over the candidates someone else scored too (positive: rates higher).
    Applications in hide (the viewer's own unsubmitted interviews) are left out."""
    theirs = select(Scorecard.application_id).where(Scorecard.interviewer_id == interviewer.id, *COUNTED)
    sums: dict[tuple[int, bool], list[int]] = defaultdict(lambda: [0, 0])  # (application, is theirs) -> total, count
    for application_id, interviewer_id, total, count in db.session.execute(
        select(Scorecard.application_id, Scorecard.interviewer_id, func.sum(Rating.score), func.count(Rating.id))
        .join(Rating, Rating.scorecard_id == Scorecard.id)
        .where(Scorecard.application_id.in_(theirs), Scorecard.application_id.not_in(list(hide)), *COUNTED)
        .group_by(Scorecard.application_id, Scorecard.interviewer_id)
    ):
        pair = sums[application_id, interviewer_id == interviewer.id]
        pair[0], pair[1] = pair[0] + total, pair[1] + count
    applications = db.session.scalars(
        select(Application).options(selectinload(Application.posting))
        .where(Application.id.in_([a for a, mine in sums if mine])).order_by(Application.name, Application.id)).all()
    rows = [CalibrationRow(a, _ratio(sums[a.id, True]), _ratio(sums.get((a.id, False), [0, 0]))) for a in applications]
    return rows, mean(row.difference for row in rows if row.difference is not None)


def _ratio(pair: list[int]) -> float | None:
    return pair[0] / pair[1] if pair[1] else None


# Who sees which scorecards ------------------------------------------------------------------
def blind_application_ids(viewer: User, application_ids: Iterable[int]) -> set[int]:
    """Applications the viewer interviews but has not yet submitted a scorecard for."""
    ids = list(application_ids)
    if not ids:
        return set()
    assigned = set(db.session.scalars(select(InterviewAssignment.application_id).where(
        InterviewAssignment.interviewer_id == viewer.id, InterviewAssignment.application_id.in_(ids))))
    submitted = set(db.session.scalars(select(Scorecard.application_id).where(
        Scorecard.interviewer_id == viewer.id, Scorecard.application_id.in_(ids),
        Scorecard.status == ScorecardStatus.SUBMITTED, Scorecard.archived_at.is_(None))))
    return assigned - submitted


def pending_interviews(viewer: User) -> set[int]:
    """Every application the viewer interviews and has not yet scored: figures from them stay hidden."""
    return blind_application_ids(viewer, db.session.scalars(
        select(InterviewAssignment.application_id).where(InterviewAssignment.interviewer_id == viewer.id)))


def visible_scorecards(application: Application, viewer: User) -> list[Scorecard]:
    """The other scorecards the viewer may see. An interviewer sees nothing until they submit, then the
    others' submitted ones; HR and admins see every scorecard, drafts included (unless they interview
    this candidate themselves and have not submitted); anyone else sees none."""
    if application.id in blind_application_ids(viewer, [application.id]):
        return []
    query = (select(Scorecard).options(selectinload(Scorecard.ratings))
             .where(Scorecard.application_id == application.id, Scorecard.archived_at.is_(None))
             .order_by(Scorecard.interviewer_id, Scorecard.revision))
    if viewer.role in SEES_ALL:
        return list(db.session.scalars(query))
    assigned = db.session.scalar(select(InterviewAssignment.id).where(
        InterviewAssignment.application_id == application.id, InterviewAssignment.interviewer_id == viewer.id))
    if assigned is None:
        return []
    return list(db.session.scalars(query.where(Scorecard.interviewer_id != viewer.id, *COUNTED)))


def has_submitted(application_id: int, interviewer_id: int) -> bool:
    return db.session.scalar(select(Scorecard.id).where(
        Scorecard.application_id == application_id, Scorecard.interviewer_id == interviewer_id,
        Scorecard.status == ScorecardStatus.SUBMITTED, Scorecard.archived_at.is_(None)).limit(1)) is not None


# Scorecards ---------------------------------------------------------------------------------
def working_scorecard(assignment: InterviewAssignment, *, lock: bool = False) -> Scorecard | None:
    """The interviewer's latest revision for this application: the one they see and edit. With lock, it is
    re-read under a row lock so two submissions from two windows queue up."""
    query = (select(Scorecard).options(selectinload(Scorecard.ratings))
             .where(Scorecard.application_id == assignment.application_id,
                    Scorecard.interviewer_id == assignment.interviewer_id, Scorecard.archived_at.is_(None))
             .order_by(Scorecard.revision.desc()).limit(1))
    if lock:
        query = query.with_for_update(of=Scorecard).execution_options(populate_existing=True)
    return db.session.scalar(query)


def _flush_once() -> None:
    """Flush new rows; a unique clash means another window saved the same revision first."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ScorecardError("This scorecard was just changed in another window. Reload the page to see it.") from None


def criteria_for(rubric_id: int) -> list[Criterion]:
    return list(db.session.scalars(
        select(Criterion).options(selectinload(Criterion.value))
        .where(Criterion.rubric_id == rubric_id, Criterion.archived_at.is_(None)).order_by(Criterion.position)))


def save_scorecard(assignment: InterviewAssignment, *, actor: User, ratings: Mapping[int, tuple[int | None, str]],
                   recommendation: Recommendation | None, submit: bool) -> Scorecard:
    """Save the interviewer's draft (partial ratings allowed) or submit it (every criterion rated, a
    recommendation chosen), which locks it. ratings maps criterion id -> (score or None, evidence)."""
    if actor.id != assignment.interviewer_id:
        raise ScorecardError("Only the assigned interviewer can fill in this scorecard.")
    card = working_scorecard(assignment, lock=True)
    if card is not None and card.status is ScorecardStatus.SUBMITTED:
        raise ScorecardError("This scorecard is submitted and locked. Amend it to change it.")
    rubric_id = card.rubric_id if card else assignment.application.posting.rubric_id
    criteria = criteria_for(rubric_id)
    problems = _problems(criteria, ratings, recommendation, submit)
    if problems:
        raise ScorecardProblems(problems)
    if card is None:
        card = Scorecard(application_id=assignment.application_id, interviewer_id=actor.id, rubric_id=rubric_id)
        db.session.add(card)
        _flush_once()
    card.recommendation = recommendation
    existing = {rating.criterion_id: rating for rating in card.ratings}
    for criterion in criteria:
        score, evidence = ratings.get(criterion.id, (None, ""))
        if score is None:
            if criterion.id in existing:
                card.ratings.remove(existing[criterion.id])
        elif criterion.id in existing:
            existing[criterion.id].score, existing[criterion.id].evidence = score, evidence.strip()
        else:
            card.ratings.append(Rating(criterion_id=criterion.id, score=score, evidence=evidence.strip()))
    if submit:
        _submit(card, actor)
    db.session.flush()
    return card


def _problems(criteria: list[Criterion], ratings: Mapping[int, tuple[int | None, str]],
              recommendation: Recommendation | None, submit: bool) -> dict:
    problems: dict = {}
    for criterion in criteria:
        score, evidence = ratings.get(criterion.id, (None, ""))
        if score is not None and score not in range(1, 6):
            problems[criterion.id, "rating"] = f"Rate {criterion.title} from 1 to 5."
        elif score in (1, 5) and not (evidence or "").strip():
            problems[criterion.id, "evidence"] = f"Write the evidence for a rating of 1 or 5 on {criterion.title}."
        elif score is None and (evidence or "").strip():
            problems[criterion.id, "rating"] = f"Choose a rating for {criterion.title} to keep its evidence, or clear the notes."
        elif score is None and submit:
            problems[criterion.id, "rating"] = f"Rate {criterion.title} before submitting."
    if submit and recommendation is None:
        problems["recommendation"] = "Choose an overall recommendation before submitting."
    return problems


def _submit(card: Scorecard, actor: User) -> None:
    now = utcnow()
    card.status = ScorecardStatus.SUBMITTED
    card.submitted_at = now
    db.session.flush()
    replaced = db.session.scalars(select(Scorecard).where(
        Scorecard.application_id == card.application_id, Scorecard.interviewer_id == card.interviewer_id,
        Scorecard.revision < card.revision, Scorecard.superseded_at.is_(None))).all()
    for old in replaced:
        old.superseded_at = now
    record(db.session, "scorecard.submitted", card, application_id=card.application_id, revision=card.revision,
           superseded=[old.id for old in replaced])
    log.info("scorecard %s (revision %s) submitted by %s", card.id, card.revision, actor.id)


def amend_scorecard(card: Scorecard, *, actor: User, reason: str) -> Scorecard:
    """Start a new revision of a submitted scorecard, copying its ratings; the old one counts until
    the new one is submitted."""
    reason = (reason or "").strip()
    if actor.id != card.interviewer_id:
        raise ScorecardError("Only the interviewer who wrote this scorecard can amend it.")
    if card.status is not ScorecardStatus.SUBMITTED or card.superseded_at is not None:
        raise ScorecardError("Only the current submitted scorecard can be amended.")
    newer = db.session.scalar(select(Scorecard.id).where(
        Scorecard.application_id == card.application_id, Scorecard.interviewer_id == card.interviewer_id,
        Scorecard.revision > card.revision))
    if newer is not None:
        raise ScorecardError("An amendment of this scorecard is already in draft.")
    if not reason:
        raise ScorecardError("Say why you are amending the scorecard.")
    amendment = Scorecard(
        application_id=card.application_id, interviewer_id=card.interviewer_id, rubric_id=card.rubric_id,
        revision=card.revision + 1, status=ScorecardStatus.DRAFT, recommendation=card.recommendation,
        amendment_reason=reason,
        ratings=[Rating(criterion_id=r.criterion_id, score=r.score, evidence=r.evidence) for r in card.ratings],
    )
    db.session.add(amendment)
    _flush_once()
    record(db.session, "scorecard.amended", amendment, application_id=card.application_id,
           revision=amendment.revision, replaces=card.id, reason=reason)
    return amendment
