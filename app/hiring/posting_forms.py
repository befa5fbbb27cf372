"""Forms for postings, the interview kit, opening a posting and moving an application."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.extensions import db
from app.forms import AppForm, DateWithin, months_from_today
from app.hiring.pipeline_services import STAGE_LABELS
from app.models import EmploymentType, Posting, RoleFamily, Site, Stage

MARKDOWN_HELP = ("Markdown: a blank line between paragraphs, ## for a heading, - for a list item, **bold**, "
                 "[link text](https://…). HTML and scripts are removed.")


class PostingForm(AppForm):
    """A posting's details; the role family is chosen once, when the posting is created."""

    role_family = SelectField("Role family", choices=[("", "— choose —")] + RoleFamily.choices(),
                              validators=[DataRequired("Choose the role family.")],
                              description="The posting gets its own copy of this role's rubric and its "
                                          "suggested interview kit.")
    title = StringField("Title", validators=[Length(max=160)])
    site_id = SelectField("Site", choices=[], validators=[DataRequired("Choose the site.")])
    department = StringField("Department", validators=[Optional(), Length(max=120)])
    employment_type = SelectField("Employment type", default=EmploymentType.FULL_TIME.value,
                                  choices=[(t.value, t.label) for t in EmploymentType])
    closing_date = DateField("Closing date", validators=[Optional(), DateWithin(latest=months_from_today(12), message=(
                                 "Choose a closing date up to a year from today."))],
                             description="Optional. Applications are taken until the end of this day.")
    description = TextAreaField("Description", validators=[Optional(), Length(max=20000)],
                                render_kw={"rows": 10}, description=MARKDOWN_HELP)
    submit = SubmitField("Save posting")

    def __init__(self, *args, posting: Posting | None = None, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.posting, self.today = posting, today or date.today()
        current = posting.site_id if posting else None
        sites = db.session.scalars(select(Site).where(or_(Site.archived_at.is_(None), Site.id == current))
                                   .order_by(Site.name))
        self.site_id.choices = [("", "— choose —")] + [
            (str(s.id), s.name + (" (archived)" if s.archived else "")) for s in sites]
        self.closing_date.render_kw = {"min": self.today.isoformat()}
        if posting is not None:
            del self.role_family
            self.title.validators = [DataRequired("Give the posting a title."), *self.title.validators]
        else:
            self.title.description = "Leave blank to use the role's template title."

    @staticmethod
    def data_for(posting: Posting) -> dict:
        return {"title": posting.title, "site_id": str(posting.site_id), "department": posting.department,
                "employment_type": posting.employment_type.value, "closing_date": posting.closing_date,
                "description": posting.description}

    def validate_closing_date(self, field) -> None:
        unchanged = self.posting is not None and field.data == self.posting.closing_date
        if field.data is not None and field.data < self.today and not unchanged:
            raise ValidationError(f"The closing date is in the past; choose {self.today:%b %-d, %Y} or later.")

    def fields(self) -> dict:
        """The arguments create_posting and update_posting take (site as a row)."""
        return {
            "title": self.title.data or "", "site": db.session.get(Site, int(self.site_id.data)),
            "department": self.department.data or "", "employment_type": EmploymentType(self.employment_type.data),
            "closing_date": self.closing_date.data, "description": self.description.data or "",
        }


class AddQuestionForm(AppForm):
    question_id = IntegerField("Question", validators=[InputRequired("Choose a question to add.")])


class MoveKitItemForm(AppForm):
    direction = SelectField("Direction", choices=[("up", "Up"), ("down", "Down")],
                            validators=[DataRequired("Choose Move up or Move down.")])


class OpenPostingForm(AppForm):
    reason = TextAreaField("Reason to open with values not assessed", validators=[Optional(), Length(max=2000)],
                           render_kw={"rows": 3},
                           description="Only needed while a value has no question. It is kept on the posting and "
                                       "in the audit log.")
    submit = SubmitField("Open posting")


class MoveForm(AppForm):
    """Move an application; every stage is accepted here so the service can explain a refusal."""

    to_stage = SelectField("Move to", choices=[("", "— choose a stage —")] + [
        (stage.value, label) for stage, label in STAGE_LABELS.items()],
        validators=[DataRequired("Choose the stage to move to.")])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=2000)], render_kw={"rows": 3},
                           description="Required for Rejected and Withdrawn. Kept in the timeline.")
    submit = SubmitField("Move")

    def stage(self) -> Stage:
        return Stage(self.to_stage.data)
