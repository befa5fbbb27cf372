"""Properties of value coverage: a rubric criterion is assessed exactly when the kit asks about its value.

The rule (DESIGN.md, app/hiring/posting_services.py): the coverage panel lists every criterion of
the posting's rubric, in rubric order, with the kit questions on that criterion's value; the
criteria with none are the gaps that block opening the posting without a reason.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.hiring.posting_services import coverage
from app.models import Criterion, Posting, Question, Rubric

value_ids = st.integers(1, 8)


def posting_with(criterion_values: list[int]) -> Posting:
    rubric = Rubric(criteria=[Criterion(id=i + 1, position=i, value_id=v) for i, v in enumerate(criterion_values)])
    return Posting(rubric=rubric)


def kit(question_values: list[int]) -> list[Question]:
    return [Question(id=i + 1, value_id=v) for i, v in enumerate(question_values)]


@given(st.lists(value_ids, max_size=8), st.lists(value_ids, max_size=10))
def test_a_criterion_is_assessed_exactly_when_a_kit_question_shares_its_value(criteria, questions):
    lines = coverage(posting_with(criteria), kit(questions))
    assert [line.criterion.value_id for line in lines] == criteria  # every criterion, in rubric order
    for line in lines:
        assert line.assessed == (line.criterion.value_id in questions)
        assert all(q.value_id == line.criterion.value_id for q in line.questions)


@given(st.lists(value_ids, max_size=8), st.lists(value_ids, max_size=10), st.lists(value_ids, max_size=4))
def test_adding_questions_never_opens_a_gap(criteria, questions, more):
    posting = posting_with(criteria)
    before = {line.criterion.id for line in coverage(posting, kit(questions)) if not line.assessed}
    after = {line.criterion.id for line in coverage(posting, kit(questions + more)) if not line.assessed}
    assert after <= before


@given(st.lists(value_ids, max_size=8), st.lists(value_ids, max_size=10), st.randoms(use_true_random=False))
def test_the_order_of_the_kit_does_not_change_what_is_covered(criteria, questions, random):
    posting = posting_with(criteria)
    questions = kit(questions)
    shuffled = random.sample(questions, len(questions))
    assert ([line.assessed for line in coverage(posting, questions)]
            == [line.assessed for line in coverage(posting, shuffled)])


@given(st.lists(value_ids, min_size=1, max_size=8))
def test_a_kit_with_one_question_per_rubric_value_leaves_no_gap(criteria):
    assert all(line.assessed for line in coverage(posting_with(criteria), kit(sorted(set(criteria)))))
