"""Forms for authoring tracks and modules, and the plain-text quiz format HR writes questions in."""

from __future__ import annotations

import re

from sqlalchemy import select
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.extensions import db
from app.fields import MultiCheckboxField, WholeNumberField
from app.forms import AppForm
from app.models import Method, Module, Responsible, RoleFamily, Site, Track, TrackKind, User, Value

KIND_LABELS = {
    TrackKind.ALL_STAFF: "All staff",
    TrackKind.ROLE: "Role",
    TrackKind.DEVELOPMENT: "Development",
}
METHOD_LABELS = {
    Method.ATTEST: "Attest",
    Method.QUIZ: "Quiz",
    Method.SIGN_OFF: "Sign-off",
    Method.TASK: "Task",
}
RESPONSIBLE_LABELS = {Responsible.HR: "HR", Responsible.MANAGER: "The manager", Responsible.EMPLOYEE: "The new hire"}
MAX_QUIZ_ITEMS = 50
EMAIL_SPLIT = re.compile(r"[\s,;]+")  # one per line, but pasted lists with commas work too
CHOICE_LINE = re.compile(r"^([*\->])\s*(.*)$")


def _fail(field, message: str) -> bool:
    field.errors.append(message)
    return False


# Quiz items as text ---------------------------------------------------------------------------
def parse_quiz(text: str) -> tuple[list[dict], list[str]]:
    """Blocks separated by a blank line: a prompt line, "* " correct and "- " wrong choices, "> " explanation.
    Returns the items in QuizItem's shape and a list of problems naming the question number."""
    blocks, current = [], []
    for line in (text or "").splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    items, problems = [], []
    for number, (prompt, *rest) in enumerate(blocks, start=1):
        where = f"Question {number} ({prompt[:40]})"
        choices, answers, explanation = [], [], []
        if CHOICE_LINE.match(prompt):
            problems.append(f"Question {number}: start with the question itself on the first line, then the choices.")
            continue
        for line in rest:
            match = CHOICE_LINE.match(line)
            marker, body = match.groups() if match else (None, line)
            if marker is None or not body:
                problems.append(f'{where}: "{line[:40]}" needs to start with "* " (a correct choice), '
                                f'"- " (a wrong choice) or "> " (the explanation).')
            elif marker == ">":
                explanation.append(body)
            else:
                if marker == "*":
                    answers.append(len(choices))
                choices.append(body)
        if len(choices) < 2:
            problems.append(f'{where}: give at least two choices, each on a line starting "* " or "- ".')
        elif not answers:
            problems.append(f'{where}: mark at least one choice correct by starting its line with "* ".')
        elif len(answers) == len(choices):
            problems.append(f'{where}: every choice is marked correct; start the wrong ones with "- ".')
        elif len(set(choices)) < len(choices):
            problems.append(f"{where}: two choices read the same; make each one different.")
        if len(prompt) > 1000 or any(len(choice) > 500 for choice in choices):
            problems.append(f"{where}: keep the question under 1,000 characters and each choice under 500.")
        items.append({"prompt": prompt, "choices": choices, "answers": answers, "explanation": "\n".join(explanation)})
    if len(blocks) > MAX_QUIZ_ITEMS:
        problems.append(f"A quiz can have at most {MAX_QUIZ_ITEMS} questions (this one has {len(blocks)}).")
    return items, problems


def quiz_text(items) -> str:
    """Quiz items written back in the format parse_quiz reads."""
    blocks = []
    for item in items:
        lines = [" ".join(item.prompt.split())]
        lines += [("* " if index in item.answers else "- ") + " ".join(choice.split())
                  for index, choice in enumerate(item.choices)]
        lines += [f"> {line}" for line in item.explanation.splitlines() if line.strip()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# Tracks ---------------------------------------------------------------------------------------
class TrackForm(AppForm):
    name = StringField("Track name", validators=[DataRequired("Give the track a name."), Length(max=160)])
    kind = RadioField("Who it is for", default=TrackKind.ROLE.value, choices=[
        (TrackKind.ALL_STAFF.value, "All staff: every new hire gets it"),
        (TrackKind.ROLE.value, "Role: new hires in the role families ticked below get it"),
        (TrackKind.DEVELOPMENT.value, "Development: modules added when interviews show a value needs growth"),
    ])
    role_families = MultiCheckboxField("Role families", choices=RoleFamily.choices(),
                                       description="Only for role tracks.")
    description = TextAreaField("Description", validators=[Optional(), Length(max=4000)], render_kw={"rows": 4})
    submit = SubmitField("Save track")

    @staticmethod
    def data_for(track: Track) -> dict:
        return {"name": track.name, "kind": track.kind.value, "role_families": list(track.role_families),
                "description": track.description}

    def track_fields(self) -> dict:
        """The arguments catalog.save_track takes."""
        return {"name": self.name.data, "kind": TrackKind(self.kind.data),
                "role_families": list(self.role_families.data), "description": self.description.data or ""}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.kind.data == TrackKind.ROLE.value and not self.role_families.data:
            ok = _fail(self.role_families, "Tick at least one role family for a role track.")
        elif self.kind.data != TrackKind.ROLE.value and self.role_families.data:
            ok = _fail(self.role_families, "Only role tracks have role families; untick them or choose Role.")
        return ok


# Modules --------------------------------------------------------------------------------------
class ModuleForm(AppForm):
    title = StringField("Title", validators=[DataRequired("Give the module a title."), Length(max=200)])
    content = TextAreaField(
        "Content", validators=[DataRequired("Write the module's content."), Length(max=20000)],
        render_kw={"rows": 14},
        description="Markdown: a blank line between paragraphs, ## for a heading, - for a list item, "
                    "**bold**, [link text](https://…). HTML and scripts are removed.",
    )
    values = MultiCheckboxField("Values it builds", coerce=int)
    minutes = WholeNumberField("Estimated minutes", default=15, validators=[
        InputRequired("Estimate the minutes it takes."), NumberRange(1, 600, "Between 1 and 600 minutes.")])
    due_offset_days = WholeNumberField(
        "Due, days after the start date", default=14,
        validators=[InputRequired("Say when it is due (0 = on the start date)."),
                    NumberRange(0, 730, "Between 0 and 730 days.")])
    method = SelectField("How it is completed", default=Method.ATTEST.value,
                         description="Then fill in its box below: for quizzes, sign-offs or tasks.", choices=[
        (Method.ATTEST.value, "Attest: read and confirm"),
        (Method.QUIZ.value, "Quiz: pass a short quiz"),
        (Method.SIGN_OFF.value, "Sign-off: the manager observes the skill"),
        (Method.TASK.value, "Task: a checklist item someone completes"),
    ])
    pass_mark = WholeNumberField("Pass mark (%)", validators=[Optional(), NumberRange(1, 100, "Between 1 and 100%%.")])
    quiz = TextAreaField("Quiz questions", validators=[Length(max=50000)], render_kw={"rows": 12},
                         description="Format below. Saving replaces the quiz; earlier questions are archived.")
    observation = TextAreaField("What the manager observes", validators=[Optional(), Length(max=2000)],
                                render_kw={"rows": 3})
    responsible = SelectField("Who completes the task", validators=[Optional()], choices=[("", "— choose —")] + [
        (r.value, label) for r, label in RESPONSIBLE_LABELS.items()])
    renew_months = WholeNumberField("Renew every … months", description="Leave empty if it never expires.",
                                    validators=[Optional(), NumberRange(1, 120, "Between 1 and 120 months.")])
    material = BooleanField("This is a material change (new version)")
    recomplete = BooleanField("Require people who completed an earlier version to complete it again")
    submit = SubmitField("Save module")
    preview = SubmitField("Preview")

    def __init__(self, *args, module: Module | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.quiz_items: list[dict] = []  # parsed from the quiz box by validate()
        values = db.session.scalars(select(Value).where(Value.archived_at.is_(None)).order_by(Value.position))
        kept = [v for v in (module.values if module else []) if v.archived]  # don't drop an archived value silently
        self.values.choices = [(v.id, v.name) for v in values] + [(v.id, f"{v.name} (archived)") for v in kept]

    @staticmethod
    def data_for(module: Module) -> dict:
        return {
            "title": module.title, "content": module.content, "values": [v.id for v in module.values],
            "minutes": module.minutes, "due_offset_days": module.due_offset_days, "method": module.method.value,
            "pass_mark": module.pass_mark, "quiz": quiz_text(module.quiz_items), "observation": module.observation,
            "responsible": module.responsible.value if module.responsible else "", "renew_months": module.renew_months,
        }

    def module_fields(self) -> dict:
        """The columns a save copies onto the module; fields of other methods are cleared."""
        method = Method(self.method.data)
        return {
            "title": self.title.data.strip(), "content": self.content.data.strip(), "minutes": self.minutes.data,
            "due_offset_days": self.due_offset_days.data, "method": method,
            "pass_mark": self.pass_mark.data if method is Method.QUIZ else None,
            "observation": self.observation.data.strip() if method is Method.SIGN_OFF else None,
            "responsible": Responsible(self.responsible.data) if method is Method.TASK else None,
            "renew_months": self.renew_months.data,
        }

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        method = self.method.data
        if not self.values.data and not self.values.errors:
            ok = _fail(self.values, "Tick at least one value this module builds.")
        self.quiz_items, problems = parse_quiz(self.quiz.data)
        if method == Method.QUIZ.value:
            if self.pass_mark.data is None and not self.pass_mark.errors:
                ok = _fail(self.pass_mark, "A quiz needs a pass mark between 1 and 100%.")
            for problem in problems:
                ok = _fail(self.quiz, problem)
            if not self.quiz_items:
                ok = _fail(self.quiz, "Write at least one question for the quiz.")
        elif self.quiz_items:
            ok = _fail(self.quiz, "Only quiz modules have questions: choose Quiz, or clear this box.")
        if method == Method.SIGN_OFF.value and not (self.observation.data or "").strip():
            ok = _fail(self.observation, "Say what the manager should observe before signing off.")
        if method == Method.TASK.value and not self.responsible.data:
            ok = _fail(self.responsible, "Choose who completes the task.")
        if self.recomplete.data and not self.material.data:
            ok = _fail(self.recomplete, "Only a material change (new version) can require completing it again.")
        return ok


class MoveForm(AppForm):
    direction = SelectField("Direction", choices=[("up", "Up"), ("down", "Down")], validators=[DataRequired()])


# Assigning ------------------------------------------------------------------------------------
class AssignForm(AppForm):
    by = RadioField("Assign to", default="role_family", choices=[
        ("role_family", "Everyone active in a role family"),
        ("site", "Everyone active at a site"),
        ("people", "The people whose e-mails are listed"),
    ])
    role_family = SelectField("Role family", choices=[("", "— choose —")] + RoleFamily.choices(),
                              validators=[Optional()])
    site_id = SelectField("Site", choices=[("", "— choose —")], validators=[Optional()])
    emails = TextAreaField("E-mail addresses", description="One per line.", render_kw={"rows": 4},
                           validators=[Length(max=20000)])
    submit = SubmitField("Assign track")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.people: list[User] = []  # the active people picked, found by validate()
        sites = db.session.scalars(select(Site).where(Site.archived_at.is_(None)).order_by(Site.name))
        self.site_id.choices = [("", "— choose —")] + [(str(site.id), site.name) for site in sites]

    def email_list(self) -> list[str]:
        return list(dict.fromkeys(e.lower() for e in EMAIL_SPLIT.split(self.emails.data or "") if e))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        active = select(User).where(User.active).order_by(User.name)
        if self.by.data == "people":
            return self._validate_emails()
        if self.by.data == "site":
            if not self.site_id.data:
                return _fail(self.site_id, "Choose the site to assign.")
            site = db.session.get(Site, int(self.site_id.data))
            self.people = db.session.scalars(active.where(User.site_id == site.id)).all()
            field, where = self.site_id, site.name
        else:
            if not self.role_family.data:
                return _fail(self.role_family, "Choose the role family to assign.")
            family = RoleFamily(self.role_family.data)
            self.people = db.session.scalars(active.where(User.role_family == family)).all()
            field, where = self.role_family, family.label
        return bool(self.people) or _fail(field, f"Nobody active is in {where}.")

    def _validate_emails(self) -> bool:
        emails = self.email_list()
        if not emails:
            return _fail(self.emails, "List at least one e-mail address, one per line.")
        found = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
        unknown = [e for e in emails if e not in found]
        inactive = [e for e in emails if e in found and not found[e].active]
        if unknown:
            _fail(self.emails, "No account uses: " + ", ".join(unknown) + ".")
        if inactive:
            _fail(self.emails, "Deactivated, so they cannot be assigned: " + ", ".join(inactive) + ".")
        self.people = [found[e] for e in emails if e in found]
        return not (unknown or inactive)
