"""Forms for the interview panel, the scorecard (one rating and evidence per rubric criterion), amendments and hire."""

from __future__ import annotations

from sqlalchemy import select
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.extensions import db
from app.forms import AppForm, start_date_rule
from app.models import (
    Application,
    Criterion,
    InterviewAssignment,
    Recommendation,
    Role,
    RoleFamily,
    Scorecard,
    Site,
    User,
)

RECOMMENDATION_LABELS = {
    Recommendation.STRONG_NO: "Strong no",
    Recommendation.NO: "No",
    Recommendation.YES: "Yes",
    Recommendation.STRONG_YES: "Strong yes",
}
EVIDENCE_MAX = 5000


def rating_choices(criterion: Criterion) -> list[tuple[int, str]]:
    """1–5 with the anchor text on 1, 3 and 5, so it is visible while choosing."""
    return [
        (1, f"1 — {criterion.anchor_1}"),
        (2, "2 — between 1 and 3"),
        (3, f"3 — {criterion.anchor_3}"),
        (4, "4 — between 3 and 5"),
        (5, f"5 — {criterion.anchor_5}"),
    ]


# The panel ------------------------------------------------------------------------------------
class AddInterviewerForm(AppForm):
    interviewer_id = SelectField("Interviewer", coerce=int, validators=[InputRequired("Choose an interviewer.")])
    add = SubmitField("Add interviewer")

    def __init__(self, application: Application, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assigned = select(InterviewAssignment.interviewer_id).where(
            InterviewAssignment.application_id == application.id)
        people = db.session.scalars(select(User).where(User.active, User.is_interviewer, User.id.not_in(assigned))
                                    .order_by(User.name))
        self.interviewer_id.choices = [(user.id, f"{user.name} ({user.email})") for user in people]


class RemoveInterviewerForm(AppForm):
    assignment_id = IntegerField("Assignment", validators=[InputRequired()])
    remove = SubmitField("Remove")


# The scorecard --------------------------------------------------------------------------------
class ScorecardForm(AppForm):
    """Built per rubric by scorecard_form(): fields rating_<criterion id> and evidence_<criterion id>."""

    recommendation = RadioField(
        "Overall recommendation", validators=[Optional()],
        choices=[(r.value, label) for r, label in RECOMMENDATION_LABELS.items()],
    )
    save = SubmitField("Save draft")
    submit = SubmitField("Submit scorecard")

    criteria: list[Criterion]

    def rating_field(self, criterion: Criterion) -> RadioField:
        return self[f"rating_{criterion.id}"]

    def evidence_field(self, criterion: Criterion) -> TextAreaField:
        return self[f"evidence_{criterion.id}"]

    def ratings(self) -> dict[int, tuple[int | None, str]]:
        return {c.id: (self.rating_field(c).data, self.evidence_field(c).data or "") for c in self.criteria}

    def recommendation_choice(self) -> Recommendation | None:
        return Recommendation(self.recommendation.data) if self.recommendation.data else None

    def show_problems(self, problems: dict) -> None:
        """Put the service's messages beside their fields."""
        for key, message in problems.items():
            field = self.recommendation if key == "recommendation" else self[f"{key[1]}_{key[0]}"]
            field.errors = [*field.errors, message]


def scorecard_form(criteria: list[Criterion], card: Scorecard | None = None, **kwargs) -> ScorecardForm:
    """A scorecard form for these criteria; on GET it shows the saved draft."""

    class Form(ScorecardForm):
        pass

    for criterion in criteria:
        setattr(Form, f"rating_{criterion.id}", RadioField(
            criterion.title, coerce=int, choices=rating_choices(criterion), validators=[Optional()]))
        setattr(Form, f"evidence_{criterion.id}", TextAreaField(
            f"Evidence for {criterion.title}", render_kw={"rows": 3},
            description="What the candidate said or did. Required for a rating of 1 or 5.",
            validators=[Length(max=EVIDENCE_MAX)]))
    if card is not None:
        kwargs.setdefault("data", {
            "recommendation": card.recommendation.value if card.recommendation else None,
            **{f"rating_{r.criterion_id}": r.score for r in card.ratings},
            **{f"evidence_{r.criterion_id}": r.evidence for r in card.ratings},
        })
    form = Form(**kwargs)
    form.criteria = criteria
    return form


class AmendForm(AppForm):
    reason = TextAreaField(
        "Why are you amending it?", render_kw={"rows": 2},
        description="Kept with the new revision and in the audit log.",
        validators=[DataRequired("Say why you are amending the scorecard."), Length(max=2000)],
    )
    amend = SubmitField("Amend scorecard")


# Hire -----------------------------------------------------------------------------------------
class HireForm(AppForm):
    start_date = DateField("Start date", validators=[InputRequired("Enter the start date."), start_date_rule()])
    site_id = SelectField("Site", coerce=int, validators=[InputRequired("Choose the site they will work at.")])
    role_family = SelectField("Role family", choices=RoleFamily.choices(),
                              validators=[DataRequired("Choose the role family.")])
    manager_id = SelectField("Manager", coerce=lambda v: int(v) if v else None, validators=[Optional()],
                             description="Signs off observed skills during onboarding. Leave blank to set later.")
    # Shown only when an account already uses the application's e-mail; the view names that account in the label.
    same_person = BooleanField("This applicant holds the account that already uses their e-mail",
                               validators=[Optional()])
    submit = SubmitField("Hire and start onboarding")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites = db.session.scalars(select(Site).where(Site.archived_at.is_(None)).order_by(Site.name))
        self.site_id.choices = [(site.id, site.name) for site in sites]
        managers = db.session.scalars(select(User).where(User.active, User.role == Role.MANAGER).order_by(User.name))
        self.manager_id.choices = [("", "— none yet —")] + [(m.id, f"{m.name} ({m.email})") for m in managers]

    @staticmethod
    def data_for(application: Application) -> dict:
        from app.hiring.offer_services import hire_defaults  # offers import the pipeline, which imports forms

        return {"site_id": application.posting.site_id, "role_family": application.posting.role_family.value,
                **hire_defaults(application)}
