"""Properties of the interview arithmetic: weighted score, per-value profile and the disagreement flag.

The rules (DESIGN.md, app/hiring/scoring.py): ratings are 1-5; a criterion's score is the mean of
its ratings; the weighted score is the weight-weighted mean over the rated criteria; a value's
profile pools every rating on the criteria assessing it; ratings two or more apart on a criterion
are flagged for discussion; a value averaging 2.5 or lower is low.
"""

from __future__ import annotations

import math
from collections import defaultdict

from hypothesis import assume, given
from hypothesis import strategies as st

from app.hiring.scoring import DISAGREEMENT, LOW_VALUE, Scores, weighted_score
from app.models import Criterion, Value

rating = st.integers(1, 5)
ratings = st.lists(rating, min_size=1, max_size=6)
weight = st.integers(1, 100)


@st.composite
def rated_rubric(draw, min_size=1):
    """Criteria with weights and each criterion's ratings (one per interviewer)."""
    weights = draw(st.lists(weight, min_size=min_size, max_size=6))
    return {Criterion(id=index + 1, weight=w): draw(ratings) for index, w in enumerate(weights)}


def all_ratings(rubric) -> list[int]:
    return [r for scores in rubric.values() for r in scores]


@given(rated_rubric())
def test_weighted_score_lies_between_the_lowest_and_highest_rating(rubric):
    score = weighted_score(rubric)
    assert min(all_ratings(rubric)) - 1e-9 <= score <= max(all_ratings(rubric)) + 1e-9
    assert 1 <= score <= 5


@given(rated_rubric(), st.randoms(use_true_random=False))
def test_weighted_score_ignores_the_order_of_criteria_and_of_ratings(rubric, random):
    shuffled = list(rubric.items())
    random.shuffle(shuffled)
    reordered = {criterion: random.sample(scores, len(scores)) for criterion, scores in shuffled}
    assert math.isclose(weighted_score(reordered), weighted_score(rubric))


@given(rated_rubric(), st.integers(2, 50))
def test_only_relative_weights_matter(rubric, factor):
    scaled = {Criterion(id=c.id, weight=c.weight * factor): scores for c, scores in rubric.items()}
    assert math.isclose(weighted_score(scaled), weighted_score(rubric))


@given(st.lists(weight, min_size=1, max_size=6), rating, st.integers(1, 4))
def test_identical_ratings_give_that_rating(weights, value, interviewers):
    rubric = {Criterion(id=i, weight=w): [value] * interviewers for i, w in enumerate(weights)}
    assert math.isclose(weighted_score(rubric), value)


@given(rated_rubric(), weight)
def test_a_criterion_nobody_rated_does_not_move_the_score(rubric, extra_weight):
    with_unrated = {**rubric, Criterion(id=999, weight=extra_weight): []}
    assert math.isclose(weighted_score(with_unrated), weighted_score(rubric))


@given(st.lists(weight, max_size=4))
def test_no_ratings_means_no_score(weights):
    assert weighted_score({Criterion(id=i, weight=w): [] for i, w in enumerate(weights)}) is None


@given(rated_rubric(), st.data())
def test_raising_one_rating_never_lowers_the_score(rubric, data):
    criterion = data.draw(st.sampled_from(list(rubric)))
    scores = rubric[criterion]
    index = data.draw(st.integers(0, len(scores) - 1))
    assume(scores[index] < 5)
    raised = {**rubric, criterion: [*scores[:index], scores[index] + 1, *scores[index + 1:]]}
    assert weighted_score(raised) > weighted_score(rubric)


# The per-value profile and the disagreement flag ---------------------------------------------------
VALUE_KEYS = ["care-coordination", "enhanced-access", "qi-strategy"]


@st.composite
def application_scores(draw) -> Scores:
    """Scores for one application: criteria on a few values, each rated by one to five interviewers."""
    values = {key: Value(key=key, name=key.title()) for key in VALUE_KEYS}
    scores = Scores()
    for position in range(draw(st.integers(1, 6))):
        key = draw(st.sampled_from(VALUE_KEYS))
        criterion = Criterion(id=position + 1, position=position, weight=draw(weight), value=values[key])
        scores.criteria[criterion.id] = criterion
        scores.ratings[criterion.id] = draw(ratings)
    return scores


def pooled(scores: Scores) -> dict[str, list[int]]:
    by_value = defaultdict(list)
    for cid, ratings_ in scores.ratings.items():
        by_value[scores.criteria[cid].value.key] += ratings_
    return by_value


@given(application_scores())
def test_each_value_in_the_profile_lies_within_its_own_ratings(scores):
    profile = scores.values
    assert set(profile) == set(pooled(scores))  # every rated value, and only those
    for key, average in profile.items():
        assert min(pooled(scores)[key]) <= average <= max(pooled(scores)[key])


@given(application_scores(), st.randoms(use_true_random=False))
def test_the_profile_ignores_the_order_ratings_arrived_in(scores, random):
    shuffled = Scores(criteria=scores.criteria, ratings=defaultdict(list, {
        cid: random.sample(r, len(r)) for cid, r in scores.ratings.items()}))
    assert shuffled.values.keys() == scores.values.keys()
    assert all(math.isclose(shuffled.values[k], scores.values[k]) for k in scores.values)


@given(application_scores())
def test_a_criterion_is_flagged_exactly_when_two_ratings_are_two_or_more_apart(scores):
    flagged = {c.id for c in scores.disagreements}
    for cid, ratings_ in scores.ratings.items():
        apart = any(abs(a - b) >= DISAGREEMENT for a in ratings_ for b in ratings_)
        assert (cid in flagged) == apart


@given(application_scores())
def test_one_interviewer_never_disagrees_with_themselves(scores):
    single = Scores(criteria=scores.criteria, ratings=defaultdict(list, {
        cid: r[:1] for cid, r in scores.ratings.items()}))
    assert single.disagreements == []


@given(application_scores())
def test_low_values_are_those_averaging_two_and_a_half_or_less(scores):
    low = scores.low_values()
    assert low == sorted(low)
    for key, values in pooled(scores).items():
        assert (key in low) == (sum(values) <= LOW_VALUE * len(values))
