"""Forms for check-ins: a rating (1–5 against the value's anchors) and evidence per value, the manager's
agreed next steps, amendments with a reason, and assigning development modules from the next steps."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation

from app.extensions import db
from app.fields import MultiCheckboxField
from app.forms import AppForm
from app.hiring.interview_forms import EVIDENCE_MAX
from app.models import CheckIn, CheckInRating, Criterion, Rater, Value

NEXT_STEPS_MAX = 5000
REASON_MAX = 2000
SCORES = range(1, 6)


@dataclass(frozen=True)
class RatedValue:
    """A value a check-in rates, with the first of its rubric's criteria on that value (title and anchors)."""

    value: Value
    criterion: Criterion


def rated_values(check_in: CheckIn) -> list[RatedValue]:
    """The check-in's values in rubric order, each once, as the services' values_for() lists them (one query)."""
    criteria = db.session.scalars(
        select(Criterion).options(selectinload(Criterion.value))
        .where(Criterion.rubric_id == check_in.rubric_id, Criterion.archived_at.is_(None))
        .order_by(Criterion.position, Criterion.id))
    first: dict[int, RatedValue] = {}
    for criterion in criteria:
        first.setdefault(criterion.value_id, RatedValue(criterion.value, criterion))
    return list(first.values())


def rating_choices(criterion: Criterion) -> list[tuple[int, str]]:
    """1–5 with the anchor text on 1, 3 and 5, so it is read while choosing."""
    return [(1, f"1 — {criterion.anchor_1}"), (2, "2 — between 1 and 3"), (3, f"3 — {criterion.anchor_3}"),
            (4, "4 — between 3 and 5"), (5, f"5 — {criterion.anchor_5}")]


class RatingField(RadioField):
    """Radios for 1–5. Anything else posted (7, a word) counts as no rating, so the service names every
    missing rating and missing evidence of the form at once, each beside its field."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=int, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
        if self.data not in SCORES:
            self.data = None


class RatingsForm(AppForm):
    """One side's ratings, built per check-in by ratings_form(): rating_<value id> and evidence_<value id>."""

    submit = SubmitField("Submit my ratings")

    rated: list[RatedValue]

    def rating_field(self, value: Value) -> RatingField:
        return self[f"rating_{value.id}"]

    def evidence_field(self, value: Value) -> TextAreaField:
        return self[f"evidence_{value.id}"]

    def ratings(self) -> dict[int, tuple[int | None, str]]:
        return {r.value.id: (self.rating_field(r.value).data, self.evidence_field(r.value).data or "")
                for r in self.rated}

    def show_problems(self, problems: dict) -> None:
        """Put the service's messages beside their fields."""
        for (value_id, kind), message in problems.items():
            field = self[f"{'rating' if kind == 'score' else 'evidence'}_{value_id}"]
            field.errors = [*field.errors, message]


class ManagerRatingsForm(RatingsForm):
    next_steps = TextAreaField(
        "Next steps agreed", render_kw={"rows": 3}, validators=[Length(max=NEXT_STEPS_MAX)],
        description="What the two of you agreed to work on before the next check-in. The employee sees it once "
                    "both sides are in.")
    submit = SubmitField("Submit manager ratings")


class AmendRatingsForm(RatingsForm):
    reason = TextAreaField(
        "Why are the ratings changing?", render_kw={"rows": 2},
        description="Kept with the new revision; the earlier ratings stay on record.",
        validators=[DataRequired("Say why the ratings change."), Length(max=REASON_MAX)])
    submit = SubmitField("Save the amended ratings")


class ManagerAmendForm(AmendRatingsForm):
    next_steps = TextAreaField("Next steps agreed", render_kw={"rows": 3}, validators=[Length(max=NEXT_STEPS_MAX)])


FORMS = {(Rater.SELF, False): RatingsForm, (Rater.MANAGER, False): ManagerRatingsForm,
         (Rater.SELF, True): AmendRatingsForm, (Rater.MANAGER, True): ManagerAmendForm}


def ratings_form(rated: list[RatedValue], side: Rater, *, amend: bool = False,
                 current: list[CheckInRating] = (), next_steps: str | None = None, **kwargs) -> RatingsForm:
    """The rating form of one side (an amendment starts from the current ratings)."""

    class Form(FORMS[side, amend]):
        pass

    for item in rated:
        value, criterion = item.value, item.criterion
        setattr(Form, f"rating_{value.id}", RatingField(value.name, choices=rating_choices(criterion)))
        setattr(Form, f"evidence_{value.id}", TextAreaField(
            f"Evidence for {value.name}", render_kw={"rows": 3}, validators=[Length(max=EVIDENCE_MAX)],
            description="What you saw or did that shows this level: a moment, a patient, a hand-off."))
    if current or next_steps is not None:
        data = {**{f"rating_{r.value_id}": r.score for r in current},
                **{f"evidence_{r.value_id}": r.evidence for r in current}}
        if side is Rater.MANAGER and next_steps is not None:
            data["next_steps"] = next_steps
        kwargs.setdefault("data", data)
    form = Form(**kwargs)
    form.rated = rated
    return form


def ticked(form, field) -> None:
    """At least one box ticked (not DataRequired: its required flag would make every checkbox required)."""
    if not field.data:
        field.errors[:] = []
        raise StopValidation("Tick at least one value.")


class AssignModulesForm(AppForm):
    value_ids = MultiCheckboxField(
        "Values to build", coerce=int, validators=[ticked],
        description="Each ticked value adds the development modules that build it to the employee's plan.")
    submit = SubmitField("Assign development modules")

    def __init__(self, rated: list[RatedValue], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.value_ids.choices = [(item.value.id, item.value.name) for item in rated]
