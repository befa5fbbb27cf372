"""Scorecards and scores: the arithmetic, independent visibility, evidence, submitting, locking and amending."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from app.hiring import scoring
from app.hiring.scoring import ScorecardError, ScorecardProblems
from app.models import (
    Application,
    AuditEvent,
    Criterion,
    InterviewAssignment,
    KitItem,
    Posting,
    Question,
    QuestionKind,
    Recommendation,
    Role,
    RoleFamily,
    Rubric,
    Scorecard,
    ScorecardStatus,
    Stage,
    Value,
)
from tests.factories import SiteFactory

_serial = itertools.count(1)
EVIDENCE = "Described calling the specialist's office twice and logging the result."


# Building blocks (the other hiring test modules import these) -------------------------------------
def value(db, key: str) -> Value:
    """The value with this key, created when the library is not loaded."""
    found = db.session.scalar(select(Value).where(Value.key == key))
    if found is None:
        found = Value(key=key, name=key.replace("-", " ").title())
        db.session.add(found)
        db.session.flush()
    return found


def make_posting(db, criteria=(("care-coordination", 50), ("qi-strategy", 30), ("team-based-relationships", 20)),
                 *, site=None) -> Posting:
    """A posting with its own rubric (criteria: (value key, weight)) and a two-question kit."""
    n = next(_serial)
    rubric = Rubric(name=f"Rubric {n}", role_family=RoleFamily.MEDICAL_ASSISTANT)
    db.session.add(rubric)
    db.session.flush()
    for position, (key, weight) in enumerate(criteria):
        db.session.add(Criterion(
            rubric_id=rubric.id, value_id=value(db, key).id, position=position, weight=weight,
            title=f"Criterion {n}-{position + 1}", anchor_1=f"Anchor one {n}-{position + 1}",
            anchor_3=f"Anchor three {n}-{position + 1}", anchor_5=f"Anchor five {n}-{position + 1}"))
    posting = Posting(title=f"Medical assistant {n}", site_id=(site or SiteFactory()).id, department="Clinic",
                      role_family=RoleFamily.MEDICAL_ASSISTANT, rubric_id=rubric.id)
    db.session.add(posting)
    db.session.flush()
    for position, key in enumerate(k for k, _ in criteria[:2]):
        question = Question(value_id=value(db, key).id, kind=QuestionKind.BEHAVIORAL,
                            text=f"Tell me about a time you showed {key} ({n}-{position}).",
                            probes=[f"What did you do next? ({n}-{position})"],
                            strong_answer=f"Strong signal {n}-{position}", weak_answer=f"Weak signal {n}-{position}")
        db.session.add(question)
        db.session.flush()
        db.session.add(KitItem(posting_id=posting.id, question_id=question.id, position=position))
    db.session.flush()
    return posting


def make_application(db, posting: Posting, *, stage: Stage = Stage.INTERVIEW, name: str | None = None,
                     email: str | None = None) -> Application:
    n = next(_serial)
    application = Application(posting_id=posting.id, name=name or f"Candidate {n}",
                              email=email or f"candidate{n}@example.org", stage=stage)
    db.session.add(application)
    db.session.flush()
    return application


def criteria_of(posting: Posting) -> list[Criterion]:
    return scoring.criteria_for(posting.rubric_id)


def assign(db, application: Application, interviewer) -> InterviewAssignment:
    assignment = InterviewAssignment(application_id=application.id, interviewer_id=interviewer.id)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def score(assignment: InterviewAssignment, scores, *, submit: bool = True,
          recommendation: Recommendation | None = Recommendation.YES) -> Scorecard:
    """Fill in the assignment's scorecard: one score (or None) per criterion, in rubric order."""
    criteria = criteria_of(assignment.application.posting)
    ratings = {c.id: (s, EVIDENCE if s is not None else "") for c, s in zip(criteria, scores, strict=True)}
    return scoring.save_scorecard(assignment, actor=assignment.interviewer, ratings=ratings,
                                  recommendation=recommendation, submit=submit)


@pytest.fixture
def interviewer(make_user):
    return lambda **fields: make_user(Role.STAFF, is_interviewer=True, **fields)


# Arithmetic ------------------------------------------------------------------------------------
def test_weighted_score_sums_weight_times_mean_over_100():
    a, b, c = Criterion(weight=50), Criterion(weight=30), Criterion(weight=20)
    # 50 × 4 + 30 × 3 + 20 × 5 = 390, over 100
    assert scoring.weighted_score({a: [4], b: [3], c: [5]}) == pytest.approx(3.9)
    assert scoring.weighted_score({a: [3, 5], b: [4, 4], c: [4]}) == pytest.approx(4.0)
    assert scoring.weighted_score({a: [4], b: [], c: [5]}) == pytest.approx((50 * 4 + 20 * 5) / 70)  # rated only
    assert scoring.weighted_score({}) is None


def test_application_score_and_value_profile_use_every_submitted_scorecard(db, interviewer):
    posting = make_posting(db, criteria=(("care-coordination", 50), ("qi-strategy", 30), ("care-coordination", 20)))
    application = make_application(db, posting)
    score(assign(db, application, interviewer()), [3, 2, 5])
    score(assign(db, application, interviewer()), [5, 4, 5])

    scores = scoring.scores_for([application.id])[application.id]
    assert scores.weighted == pytest.approx((50 * 4 + 30 * 3 + 20 * 5) / 100)
    assert scoring.value_profile(application) == {"care-coordination": pytest.approx(4.5), "qi-strategy": 3.0}
    assert scores.recommendations == {Recommendation.YES: 2}


@pytest.mark.parametrize(("ratings", "flagged"), [((3, 5), True), ((3, 4), False), ((4, 4), False), ((1, 5), True)])
def test_a_criterion_is_flagged_when_ratings_differ_by_two_or_more(db, interviewer, ratings, flagged):
    posting = make_posting(db, criteria=(("care-coordination", 60), ("qi-strategy", 40)))
    application = make_application(db, posting)
    for rating in ratings:
        score(assign(db, application, interviewer()), [rating, 3])
    first = criteria_of(posting)[0]
    assert [c.id for c in scoring.disagreements(application)] == ([first.id] if flagged else [])


def test_low_values_include_a_mean_of_exactly_2_5_and_exclude_2_6(db, interviewer):
    posting = make_posting(db, criteria=(("qi-strategy", 40), ("care-coordination", 30), ("care-coordination", 30)))
    application = make_application(db, posting)
    qi = [2, 3, 2, 3, 3]  # 13 / 5 = 2.6
    cc = [(2, 3), (2, 3), (3, 2), (3, 2), (3, 2)]  # 25 / 10 = 2.5
    for q, (c1, c2) in zip(qi, cc, strict=True):
        score(assign(db, application, interviewer()), [q, c1, c2])

    profile = scoring.value_profile(application)
    assert profile == {"qi-strategy": pytest.approx(2.6), "care-coordination": pytest.approx(2.5)}
    assert scoring.low_values(application) == ["care-coordination"]
    assert scoring.low_values(application, threshold=2.6) == ["care-coordination", "qi-strategy"]


def test_drafts_and_superseded_scorecards_do_not_count(db, interviewer):
    posting = make_posting(db)
    application = make_application(db, posting)
    first = assign(db, application, interviewer())
    original = score(first, [2, 2, 2])
    scoring.amend_scorecard(original, actor=first.interviewer, reason="Mixed up two candidates' notes.")
    score(first, [4, 4, 4])
    score(assign(db, application, interviewer()), [1, 1, 1], submit=False)  # a draft

    assert scoring.value_profile(application) == {"care-coordination": 4, "qi-strategy": 4,
                                                  "team-based-relationships": 4}
    assert scoring.scores_for([application.id])[application.id].weighted == pytest.approx(4.0)
    assert scoring.low_values(application) == []


# Who sees which scorecards ----------------------------------------------------------------------
STATES = ("none", "draft", "submitted")


def _put(db, assignment, state):
    if state != "none":
        return score(assignment, [3, 3, 3], submit=state == "submitted")
    return None


@pytest.mark.parametrize(("a_state", "b_state"), list(itertools.product(STATES, STATES)))
def test_interviewers_see_each_other_only_when_both_have_submitted(db, interviewer, make_user, a_state, b_state):
    posting = make_posting(db)
    application = make_application(db, posting)
    a, b = assign(db, application, interviewer()), assign(db, application, interviewer())
    cards = {"a": _put(db, a, a_state), "b": _put(db, b, b_state)}

    seen_by_a = scoring.visible_scorecards(application, a.interviewer)
    seen_by_b = scoring.visible_scorecards(application, b.interviewer)
    assert seen_by_a == ([cards["b"]] if a_state == b_state == "submitted" else [])
    assert seen_by_b == ([cards["a"]] if a_state == b_state == "submitted" else [])
    assert scoring.visible_scorecards(application, make_user(Role.HR)) == [c for c in cards.values() if c]
    assert scoring.visible_scorecards(application, make_user(Role.ADMIN)) == [c for c in cards.values() if c]
    assert scoring.visible_scorecards(application, make_user(Role.STAFF, is_interviewer=True)) == []
    assert scoring.visible_scorecards(application, make_user(Role.MANAGER)) == []


def test_hr_on_the_panel_sees_no_scorecard_until_submitting_their_own(db, interviewer, make_user):
    posting = make_posting(db)
    application = make_application(db, posting)
    other = score(assign(db, application, interviewer()), [4, 4, 4])
    hr = make_user(Role.HR, is_interviewer=True)
    own = assign(db, application, hr)

    assert scoring.visible_scorecards(application, hr) == []
    mine = score(own, [3, 3, 3])
    assert scoring.visible_scorecards(application, hr) == [other, mine]


# Filling in a scorecard --------------------------------------------------------------------------
@pytest.mark.parametrize("rating", [1, 5])
def test_a_rating_of_1_or_5_needs_evidence(db, interviewer, rating):
    posting = make_posting(db)
    assignment = assign(db, make_application(db, posting), interviewer())
    first = criteria_of(posting)[0]

    with pytest.raises(ScorecardProblems) as problem:
        scoring.save_scorecard(assignment, actor=assignment.interviewer, ratings={first.id: (rating, "  ")},
                               recommendation=None, submit=False)
    assert problem.value.problems == {
        (first.id, "evidence"): f"Write the evidence for a rating of 1 or 5 on {first.title}."}
    assert db.session.scalar(select(func.count()).select_from(Scorecard)) == 0
    card = scoring.save_scorecard(assignment, actor=assignment.interviewer, ratings={first.id: (3, "")},
                                  recommendation=None, submit=False)
    assert [(r.score, r.evidence) for r in card.ratings] == [(3, "")]


def test_a_draft_may_be_partial_but_submitting_needs_every_criterion_and_a_recommendation(db, interviewer):
    posting = make_posting(db)
    assignment = assign(db, make_application(db, posting), interviewer())
    criteria = criteria_of(posting)

    draft = score(assignment, [4, None, None], submit=False, recommendation=None)
    assert draft.status is ScorecardStatus.DRAFT and len(draft.ratings) == 1
    with pytest.raises(ScorecardProblems) as problem:
        score(assignment, [4, None, 2], recommendation=None)
    assert problem.value.problems == {(criteria[1].id, "rating"): f"Rate {criteria[1].title} before submitting.",
                                      "recommendation": "Choose an overall recommendation before submitting."}
    card = score(assignment, [4, 3, 2])
    assert card.id == draft.id and card.status is ScorecardStatus.SUBMITTED and card.submitted_at is not None
    assert sorted(r.score for r in card.ratings) == [2, 3, 4]


def test_only_the_assigned_interviewer_fills_in_the_scorecard(db, interviewer):
    posting = make_posting(db)
    assignment = assign(db, make_application(db, posting), interviewer())
    with pytest.raises(ScorecardError, match="Only the assigned interviewer"):
        scoring.save_scorecard(assignment, actor=interviewer(), ratings={}, recommendation=None, submit=False)


def test_a_submitted_scorecard_is_locked(db, interviewer):
    posting = make_posting(db)
    assignment = assign(db, make_application(db, posting), interviewer())
    card = score(assignment, [4, 4, 4])

    with pytest.raises(ScorecardError, match="submitted and locked. Amend it to change it"):
        score(assignment, [1, 1, 1])
    assert sorted(r.score for r in card.ratings) == [4, 4, 4]


def test_an_amendment_is_revision_2_and_supersedes_revision_1_when_submitted(db, interviewer):
    posting = make_posting(db)
    application = make_application(db, posting)
    assignment = assign(db, application, interviewer())
    first = score(assignment, [2, 3, 4], recommendation=Recommendation.NO)

    with pytest.raises(ScorecardError, match="Say why"):
        scoring.amend_scorecard(first, actor=assignment.interviewer, reason=" ")
    with pytest.raises(ScorecardError, match="Only the interviewer who wrote"):
        scoring.amend_scorecard(first, actor=interviewer(), reason="Typo")
    second = scoring.amend_scorecard(first, actor=assignment.interviewer, reason="Scored the wrong candidate.")
    assert (second.revision, second.status, second.amendment_reason) == (2, ScorecardStatus.DRAFT,
                                                                         "Scored the wrong candidate.")
    assert sorted(r.score for r in second.ratings) == [2, 3, 4] and second.recommendation is Recommendation.NO
    assert first.superseded_at is None
    assert scoring.value_profile(application)["care-coordination"] == 2  # revision 1 counts until then
    with pytest.raises(ScorecardError, match="already in draft"):
        scoring.amend_scorecard(first, actor=assignment.interviewer, reason="Again")

    score(assignment, [4, 3, 4], recommendation=Recommendation.YES)
    assert first.superseded_at is not None and second.status is ScorecardStatus.SUBMITTED
    assert scoring.value_profile(application)["care-coordination"] == 4
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(
        ["scorecard.amended", "scorecard.submitted"])).order_by(AuditEvent.id)).all()
    assert [(e.action, e.entity_id) for e in events] == [
        ("scorecard.submitted", first.id), ("scorecard.amended", second.id), ("scorecard.submitted", second.id)]
    assert events[1].after["reason"] == "Scored the wrong candidate." and events[2].after["superseded"] == [first.id]


# Calibration -----------------------------------------------------------------------------------
def test_calibration_compares_an_interviewers_mean_with_colleagues_on_the_same_candidates(db, interviewer):
    posting = make_posting(db)
    generous, strict = interviewer(), interviewer()
    one, two, alone = (make_application(db, posting, name=n) for n in ("Ana", "Ben", "Cy"))
    score(assign(db, one, generous), [4, 4, 4])
    score(assign(db, one, strict), [3, 3, 3])
    score(assign(db, two, generous), [5, 5, 2])
    score(assign(db, two, strict), [4, 4, 3])
    score(assign(db, alone, generous), [2, 2, 2])
    score(assign(db, alone, interviewer()), [2, 2, 2], submit=False)  # drafts never count

    rows, overall = scoring.calibration(generous)
    assert [(r.application.name, r.mine, r.others) for r in rows] == [("Ana", 4, 3), ("Ben", 4, pytest.approx(11 / 3)),
                                                                        ("Cy", 2, None)]
    assert overall == pytest.approx((1 + 1 / 3) / 2)
    assert scoring.calibration(strict)[1] == pytest.approx(-(1 + 1 / 3) / 2)
