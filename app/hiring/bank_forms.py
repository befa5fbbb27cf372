"""Forms for the question bank and the rubric editor, and the question bank's filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.extensions import db
from app.fields import MultiCheckboxField, WholeNumberField
from app.forms import AppForm, PlainForm
from app.hiring.bank_services import MAX_PROBES
from app.models import Question, QuestionKind, RoleFamily, Rubric, Value

KIND_LABELS = {QuestionKind.BEHAVIORAL: "Behavioral", QuestionKind.SITUATIONAL: "Situational"}
STATUS_CHOICES = [("active", "In the bank"), ("archived", "Archived only"), ("all", "In the bank and archived")]
EXTRA_ROWS = 2  # empty criterion rows offered under the existing ones
MAX_ROWS = 20


def value_choices(keep: list[Value] = ()) -> list[tuple[str, str]]:
    """Active values in catalog order, plus any archived value a row already uses (labelled so)."""
    rows = db.session.scalars(select(Value).where(Value.archived_at.is_(None)).order_by(Value.position, Value.name))
    choices = [(str(v.id), v.name) for v in rows]
    shown = {value for value, _ in choices}
    choices += [(str(v.id), f"{v.name} (archived)") for v in keep if v is not None and str(v.id) not in shown]
    return choices


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# Questions ----------------------------------------------------------------------------------------
class QuestionFilterForm(PlainForm):
    """The question bank's filters, read from the query string (a GET form, so no CSRF token)."""

    q = StringField("Question text contains", validators=[Optional(), Length(max=200)])
    value = SelectField("Value", validators=[Optional()])
    role_family = SelectField("Suits role family", choices=[("", "Any role family")] + RoleFamily.choices(),
                              validators=[Optional()])
    kind = SelectField("Kind", choices=[("", "Both kinds")] + [(k.value, label) for k, label in KIND_LABELS.items()],
                       validators=[Optional()])
    status = SelectField("Show", choices=STATUS_CHOICES, default="active", validators=[Optional()])

    def __init__(self, formdata=None, **kwargs):
        super().__init__(formdata, **kwargs)
        self.value.choices = [("", "Every value")] + value_choices()

    def filters(self) -> dict[str, Any]:
        """The filters that parsed; a hand-edited query string with a bad one just ignores it."""
        self.validate()
        wanted = {name: field.data for name, field in self._fields.items() if field.data and not field.errors}
        return {
            "q": (wanted.get("q") or "").strip(),
            "value_id": int(wanted["value"]) if "value" in wanted else None,
            "role_family": RoleFamily(wanted["role_family"]) if "role_family" in wanted else None,
            "kind": QuestionKind(wanted["kind"]) if "kind" in wanted else None,
            "status": wanted.get("status", "active"),
        }


class QuestionForm(AppForm):
    value_id = SelectField("Value it assesses", validators=[DataRequired("Choose the value the question assesses.")])
    kind = RadioField("Kind", default=QuestionKind.BEHAVIORAL.value, choices=[
        (QuestionKind.BEHAVIORAL.value, "Behavioral: asks about something the candidate did (“Tell me about a time…”)"),
        (QuestionKind.SITUATIONAL.value, "Situational: asks what they would do (“What would you do if…”)"),
    ])
    text = TextAreaField("Question", render_kw={"rows": 3},
                         validators=[DataRequired("Write the question."), Length(max=2000)])
    role_families = MultiCheckboxField("Role families it suits", choices=RoleFamily.choices(),
                                       description="Leave them all unticked for a question that suits every role.")
    probes = TextAreaField("Follow-up probes", render_kw={"rows": 4},
                           description=f"One per line, 1 to {MAX_PROBES}.", validators=[Length(max=4000)])
    strong_answer = TextAreaField("What a strong answer shows", render_kw={"rows": 4},
                                  validators=[DataRequired("Describe what a strong answer shows."), Length(max=4000)])
    weak_answer = TextAreaField("What a weak answer shows", render_kw={"rows": 3},
                                validators=[DataRequired("Describe what a weak answer shows."), Length(max=4000)])
    submit = SubmitField("Save question")

    def __init__(self, *args, question: Question | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.value_id.choices = [("", "— choose —")] + value_choices([question.value] if question else [])

    @staticmethod
    def data_for(question: Question) -> dict[str, Any]:
        return {"value_id": str(question.value_id), "kind": question.kind.value, "text": question.text,
                "role_families": list(question.role_families), "probes": "\n".join(question.probes),
                "strong_answer": question.strong_answer, "weak_answer": question.weak_answer}

    def question_fields(self) -> dict[str, Any]:
        """The arguments bank_services.save_question takes."""
        return {"value_id": int(self.value_id.data), "kind": QuestionKind(self.kind.data), "text": self.text.data,
                "role_families": list(self.role_families.data), "probes": _lines(self.probes.data),
                "strong_answer": self.strong_answer.data, "weak_answer": self.weak_answer.data}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        probes = _lines(self.probes.data)
        if not 1 <= len(probes) <= MAX_PROBES:
            self.probes.errors.append(
                f"Give between 1 and {MAX_PROBES} follow-up probes, one per line (there are {len(probes)}).")
            ok = False
        return ok


# Rubrics ------------------------------------------------------------------------------------------
class CriterionForm(PlainForm):
    """One criterion row; a row left entirely empty is ignored."""

    id = HiddenField()
    value_id = SelectField("Value", validators=[Optional()])
    title = StringField("Title", validators=[Length(max=200)])
    weight = WholeNumberField("Weight", validators=[Optional(), NumberRange(0, 100, "Between 0 and 100%%.")])
    anchor_1 = TextAreaField("Rating 1 looks like", render_kw={"rows": 5}, validators=[Length(max=2000)])
    anchor_3 = TextAreaField("Rating 3 looks like", render_kw={"rows": 5}, validators=[Length(max=2000)])
    anchor_5 = TextAreaField("Rating 5 looks like", render_kw={"rows": 5}, validators=[Length(max=2000)])
    remove = BooleanField("Remove this criterion")

    def is_blank(self) -> bool:
        return not (self.id.data or self.value_id.data or (self.title.data or "").strip()
                    or self.weight.raw_data and self.weight.raw_data[0].strip()
                    or any((f.data or "").strip() for f in (self.anchor_1, self.anchor_3, self.anchor_5)))


class RubricForm(AppForm):
    name = StringField("Name", validators=[DataRequired("Give the rubric a name."), Length(max=160)])
    description = TextAreaField("Description", render_kw={"rows": 6}, validators=[Length(max=4000)])
    criteria = FieldList(FormField(CriterionForm), max_entries=MAX_ROWS)
    save = SubmitField("Save rubric")
    add_row = SubmitField("Add a criterion row")

    def __init__(self, *args, rubric: Rubric | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— choose —")] + value_choices([c.value for c in rubric.criteria] if rubric else [])
        for entry in self.criteria:
            entry.form.value_id.choices = choices
        self.value_choices = choices

    @staticmethod
    def data_for(rubric: Rubric) -> dict[str, Any]:
        rows = [{"id": str(c.id), "value_id": str(c.value_id), "title": c.title, "weight": c.weight,
                 "anchor_1": c.anchor_1, "anchor_3": c.anchor_3, "anchor_5": c.anchor_5} for c in rubric.criteria]
        return {"name": rubric.name, "description": rubric.description, "criteria": rows + [{}] * EXTRA_ROWS}

    def add_empty_row(self) -> bool:
        """One more empty criterion row, up to MAX_ROWS; False when there is no room."""
        if len(self.criteria) >= MAX_ROWS:
            return False
        self.criteria.append_entry()
        self.criteria[-1].form.value_id.choices = self.value_choices
        return True

    def kept_indexes(self) -> list[int]:
        """The page positions of the rows that are criteria: not blank and not ticked for removal."""
        return [index for index, entry in enumerate(self.criteria)
                if not entry.form.remove.data and not entry.form.is_blank()]

    def kept_rows(self) -> list[CriterionForm]:
        return [self.criteria[index].form for index in self.kept_indexes()]

    def criteria_dicts(self) -> list[dict[str, Any]]:
        """The criteria save_rubric takes, in page order; an id that is not a number matches nothing."""
        return [{
            "id": (int(row.id.data) if row.id.data.isdigit() else -1) if row.id.data else None,
            "value_id": int(row.value_id.data) if row.value_id.data else None,
            "title": row.title.data or "", "weight": row.weight.data, "anchor_1": row.anchor_1.data or "",
            "anchor_3": row.anchor_3.data or "", "anchor_5": row.anchor_5.data or "",
        } for row in self.kept_rows()]

    def summary_rows(self) -> list[dict[str, Any]]:
        """Title, value name and weight of each kept row, for the weights table."""
        names = dict(self.value_choices)
        return [{"title": (row.title.data or "").strip(), "value_name": names.get(row.value_id.data or "", "—")
                 if row.value_id.data else "—", "weight": row.weight.data} for row in self.kept_rows()]

    def weight_total(self) -> int:
        return sum(row.weight.data for row in self.kept_rows() if isinstance(row.weight.data, int))


class NewRubricForm(AppForm):
    source = SelectField("Start from", validators=[DataRequired("Choose a template or rubric to start from.")])
    name = StringField("Name", validators=[Optional(), Length(max=160)],
                       description="Leave empty to use the template's name (or “Copy of …” another rubric's).")
    submit = SubmitField("Create rubric")

    def __init__(self, *args, sources: list[Rubric] = (), **kwargs):
        super().__init__(*args, **kwargs)
        templates = [(str(r.id), f"Template: {r.name}") for r in sources if r.is_template]
        others = [(str(r.id), f"Rubric: {r.name} (version {r.version})") for r in sources if not r.is_template]
        self.source.choices = [("", "— choose —")] + templates + others
