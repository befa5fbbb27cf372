"""Demo hires: employees hired through an earlier, now closed, posting per role family, with submitted
scorecards and check-in histories whose 90-day manager ratings relate modestly to the interview scores
(r about 0.35). Bulk inserts, like the rest of the demo."""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from app.extensions import db
from app.hiring.bank_services import copy_rubric
from app.models import (
    Application,
    CheckIn,
    CheckInRating,
    CheckInSchedule,
    Criterion,
    EmploymentType,
    InterviewAssignment,
    KitItem,
    Posting,
    PostingStatus,
    Question,
    Rater,
    Rating,
    Recommendation,
    Rubric,
    Scorecard,
    ScorecardStatus,
    Stage,
    StageChange,
    Value,
    utcnow,
)
from app.models.check_ins import DEFAULT_OFFSETS

SEASONED = 32  # hires past their 90-day check-in: the pairs a validity report reads
RECENT = 16  # hires still in their first 100 days: open check-ins to rate
SEASONED_FROM, HIRED_WITHIN = 100, 400  # days since the start date
OVERDUE = 2  # the most recently due check-ins are left open, so the demo shows some overdue
# The model: each hire has a true level per value; each interviewer sees it through noise; the 90-day
# manager rating follows the interview mean with a slope of 0.45 and noise, which gives r near 0.35.
INTERVIEW_CENTER, INTERVIEW_SPREAD, INTERVIEW_NOISE = 3.2, 0.7, 0.8
SLOPE, MANAGER_NOISE = 0.45, 1.1
GROWTH = 0.45  # ratings rise by this much from day 0 to day 90 as the new hire settles in
SELF_LENIENCY, SELF_NOISE = 0.35, 0.6


@dataclass
class HiresReport:
    hires: int = 0
    postings: int = 0
    scorecards: int = 0
    check_ins: int = 0
    ratings: int = 0


@dataclass
class _Hire:
    employee_id: int
    row: dict
    posting: Posting
    values: list[Value]
    criteria: list[Criterion]
    interviewers: list[int]
    truth: dict[int, float] = field(default_factory=dict)  # value id -> true level
    interview_mean: dict[int, float] = field(default_factory=dict)  # value id -> mean interview rating
    application_id: int = 0


def _bulk(model, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def _core(model, rows: list[dict]) -> None:
    for chunk in range(0, len(rows), 5000):
        db.session.execute(model.__table__.insert(), rows[chunk:chunk + 5000])


def _clip(score: float) -> int:
    return max(1, min(5, round(score)))


def _at(day: date, hour: int, now: datetime) -> datetime:
    return min(datetime.combine(day, time(hour)), now)


def choose_hires(staff: list[tuple[int, dict]], today: date) -> list[tuple[int, dict]]:
    """Staff who started within HIRED_WITHIN days and do not interview: up to SEASONED past day 100 and up to
    RECENT newer ones, in the order they were made (so the new-hire account, made first, is among them)."""
    def days_in(row: dict) -> int:
        return (today - row["start_date"]).days

    eligible = [(sid, row) for sid, row in staff
                if row["start_date"] and not row["is_interviewer"] and 0 <= days_in(row) <= HIRED_WITHIN]
    return ([pair for pair in eligible if days_in(pair[1]) < SEASONED_FROM][:RECENT]
            + [pair for pair in eligible if days_in(pair[1]) >= SEASONED_FROM][:SEASONED])


def build_hires(seed: int, templates: list[Rubric], staff: list[tuple[int, dict]], *, hr_id: int,
                interviewers: list[int], site_ids: list[int], departments: dict, today: date) -> HiresReport:
    """Hire demo staff through closed postings, with two submitted scorecards each and check-ins: past ones
    done by both sides (self and manager ratings per value), the latest OVERDUE past ones open, future ones
    open. Deterministic for a seed."""
    rng = random.Random(seed)
    report = HiresReport()
    chosen = choose_hires(staff, today)
    if not chosen or len(interviewers) < 2:
        return report
    now = utcnow()
    values = {value.id: value for value in db.session.scalars(select(Value))}
    postings = _closed_postings(templates, site_ids, departments, hr_id, today, now)
    report.postings = len(postings)
    criteria = {posting.id: db.session.scalars(select(Criterion).where(Criterion.rubric_id == posting.rubric_id)
                                               .order_by(Criterion.position)).all() for posting in postings.values()}
    hires = []
    for index, (employee_id, row) in enumerate(chosen):
        posting = postings[row["role_family"]]
        rated = list({c.value_id: values[c.value_id] for c in criteria[posting.id]}.values())
        pool = [i for i in interviewers if i != employee_id]
        hires.append(_Hire(employee_id, row, posting, rated, criteria[posting.id],
                           [pool[index % len(pool)], pool[(index + 1) % len(pool)]]))
    report.hires = len(hires)
    report.scorecards = _interviews(rng, hires, hr_id, now)
    report.check_ins, report.ratings = _check_ins(rng, hires, today, now)
    return report


def _closed_postings(templates, site_ids, departments, hr_id, today, now) -> dict:
    """One closed posting per role family, the round the demo hires came through, with its kit."""
    questions = {q.key: q.id for q in db.session.scalars(select(Question).where(Question.key.is_not(None)))}
    postings = {}
    for index, template in enumerate(sorted(templates, key=lambda r: r.key)):
        rubric = copy_rubric(template, actor=None)
        posting = Posting(
            title=f"{template.name} (last year's hiring round)", site_id=site_ids[index % len(site_ids)],
            department=departments[template.role_family], role_family=template.role_family,
            employment_type=EmploymentType.FULL_TIME, rubric_id=rubric.id, status=PostingStatus.CLOSED,
            description=f"Our {template.name.lower()} hiring round of the past year, now filled.",
            created_by_id=hr_id, closing_date=today - timedelta(days=30),
            opened_at=now - timedelta(days=HIRED_WITHIN + 60), closed_at=now - timedelta(days=30),
        )
        db.session.add(posting)
        postings[template.role_family] = posting
    db.session.flush()
    for template in templates:
        kit = [key for key in template.suggested_kit if key in questions]
        db.session.add_all([KitItem(posting_id=postings[template.role_family].id, question_id=questions[key],
                                    position=position) for position, key in enumerate(kit)])
    db.session.flush()
    return postings


def _interviews(rng: random.Random, hires: list[_Hire], hr_id: int, now: datetime) -> int:
    """Applications at hired, their stage changes, panels and two submitted scorecards each."""
    application_ids = _bulk(Application, [{
        "posting_id": hire.posting.id, "name": hire.row["name"], "email": hire.row["email"],
        "phone": f"555-02{n % 100:02d}", "stage": Stage.HIRED, "hired_user_id": hire.employee_id,
        "why_medical_home": "I want to know my patients over time and work on a team that plans care together.",
        "resume_path": None, "archived_at": None, "created_at": _at(hire.row["start_date"] - timedelta(days=45), 9, now),
        "updated_at": now,
    } for n, hire in enumerate(hires)])
    changes, panels, cards = [], [], []
    for hire, application_id in zip(hires, application_ids, strict=True):
        hire.application_id = application_id
        start = hire.row["start_date"]
        changes += [
            {"application_id": application_id, "from_stage": None, "to_stage": Stage.APPLIED, "reason": "",
             "actor_id": None, "at": _at(start - timedelta(days=45), 9, now)},
            {"application_id": application_id, "from_stage": Stage.APPLIED, "to_stage": Stage.HIRED,
             "reason": f"Hired to start {start.isoformat()}", "actor_id": hr_id,
             "at": _at(start - timedelta(days=14), 15, now)},
        ]
        for interviewer_id in hire.interviewers:
            panels.append({"application_id": application_id, "interviewer_id": interviewer_id, "scheduled_for": None,
                           "created_at": now, "updated_at": now})
        hire.truth = {value.id: rng.gauss(0, 1) for value in hire.values}
    _core(StageChange, changes)
    _core(InterviewAssignment, panels)
    scores: list[list[int]] = []
    for hire in hires:
        by_value: dict[int, list[int]] = {}
        for interviewer_id in hire.interviewers:
            card = [_clip(INTERVIEW_CENTER + INTERVIEW_SPREAD * hire.truth[c.value_id] + rng.gauss(0, INTERVIEW_NOISE))
                    for c in hire.criteria]
            for criterion, score in zip(hire.criteria, card, strict=True):
                by_value.setdefault(criterion.value_id, []).append(score)
            scores.append(card)
            mean = statistics.fmean(card)
            cards.append({
                "application_id": hire.application_id, "interviewer_id": interviewer_id,
                "rubric_id": hire.posting.rubric_id, "revision": 1, "status": ScorecardStatus.SUBMITTED,
                "recommendation": (Recommendation.STRONG_YES if mean >= 4 else Recommendation.YES if mean >= 2.8
                                   else Recommendation.NO),
                "submitted_at": _at(hire.row["start_date"] - timedelta(days=28), 16, now), "superseded_at": None,
                "amendment_reason": "", "archived_at": None, "created_at": now, "updated_at": now,
            })
        hire.interview_mean = {value_id: statistics.fmean(s) for value_id, s in by_value.items()}
    card_ids = _bulk(Scorecard, cards)
    card_criteria = [hire.criteria for hire in hires for _ in hire.interviewers]  # in the order of the cards
    _core(Rating, [
        {"scorecard_id": card_id, "criterion_id": criterion.id, "score": score,
         "evidence": "Gave a specific example with the situation, what they did and the result."
         if score in (1, 5) else ""}
        for card_id, criteria, card in zip(card_ids, card_criteria, scores, strict=True)
        for criterion, score in zip(criteria, card, strict=True)
    ])
    return len(card_ids)


def _schedules() -> Callable:
    saved = {row.role_family: sorted(row.offsets) for row in db.session.scalars(select(CheckInSchedule))}
    default = saved.get(None) or list(DEFAULT_OFFSETS)
    return lambda family: saved.get(family) or default


def _check_ins(rng: random.Random, hires: list[_Hire], today: date, now: datetime) -> tuple[int, int]:
    """Each hire's check-ins on their schedule, and the ratings of those done (or half done)."""
    days_for = _schedules()
    plans = []  # (hire, day, due, level per value)
    for hire in hires:
        level = {v.id: INTERVIEW_CENTER + SLOPE * (hire.interview_mean[v.id] - INTERVIEW_CENTER)
                 + rng.gauss(0, MANAGER_NOISE) for v in hire.values}  # where the hire stands at day 90
        for day in days_for(hire.row["role_family"]):
            due = hire.row["start_date"] + timedelta(days=day)
            plans.append((hire, day, due, {v: x + GROWTH * (min(day, 120) - 90) / 90 for v, x in level.items()}))
    past = sorted((p for p in plans if p[2] < today), key=lambda p: p[2], reverse=True)
    overdue = {id(p): rank for rank, p in enumerate(past[:OVERDUE])}  # the latest has its self-rating in
    rows, sides = [], []
    for plan in plans:
        hire, day, due, level = plan
        if id(plan) in overdue:
            state = "self" if overdue[id(plan)] == 0 else "open"
        elif due < today:
            state = "done"
        elif (due - today).days <= 10 and rng.random() < 0.4:
            state = "self"  # the employee has rated; the manager has not yet
        else:
            state = "open"
        self_at = _at(min(due - timedelta(days=rng.randint(0, 4)), today), 11, now) if state != "open" else None
        manager_at = _at(min(due + timedelta(days=rng.randint(0, 6)), today), 14, now) if state == "done" else None
        manager_scores = {v.id: _clip(level[v.id] + rng.gauss(0, 0.3)) for v in hire.values}
        weakest = min(hire.values, key=lambda v: (manager_scores[v.id], v.id))
        rows.append({
            "employee_id": hire.employee_id, "day": day, "due_date": due, "rubric_id": hire.posting.rubric_id,
            "application_id": hire.application_id, "self_submitted_at": self_at, "manager_submitted_at": manager_at,
            "manager_id": hire.row["manager_id"] if manager_at else None, "completed_at": manager_at,
            "next_steps": f"Before the next check-in, work on {weakest.name}: {weakest.summary}" if manager_at else "", "archived_at": None, "created_at": now, "updated_at": now,
        })
        sides.append((hire, level, manager_scores, self_at, manager_at))
    ids = _bulk(CheckIn, rows)
    ratings = []
    for check_in_id, (hire, level, manager_scores, self_at, manager_at) in zip(ids, sides, strict=True):
        for value in hire.values:
            seen = rng.choice(value.behaviors or [value.summary]).rstrip(".")
            if self_at:
                ratings.append(_rating(check_in_id, Rater.SELF, hire.employee_id, value,
                                       _clip(level[value.id] + SELF_LENIENCY + rng.gauss(0, SELF_NOISE)),
                                       f"What I worked on: {seen}.", self_at))
            if manager_at:
                ratings.append(_rating(check_in_id, Rater.MANAGER, hire.row["manager_id"], value,
                                       manager_scores[value.id], f"What I saw in huddles and visits: {seen}.",
                                       manager_at))
    _core(CheckInRating, ratings)
    return len(ids), len(ratings)


def _rating(check_in_id: int, rater: Rater, rater_id: int, value: Value, score: int, evidence: str,
            at: datetime) -> dict:
    return {"check_in_id": check_in_id, "rater": rater, "rater_id": rater_id, "value_id": value.id, "score": score,
            "evidence": evidence, "revision": 1, "amendment_reason": "", "superseded_at": None, "created_at": at}
