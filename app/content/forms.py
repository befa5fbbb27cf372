"""Editing a value in the catalog."""

from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.forms import AppForm


class ValueForm(AppForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    summary = StringField("One-sentence summary", validators=[DataRequired(), Length(max=300)])
    description = TextAreaField("Description", validators=[DataRequired(), Length(max=4000)],
                                render_kw={"rows": 6})
    behaviors = TextAreaField(
        "Observable behaviors",
        validators=[DataRequired(), Length(max=1600)],
        description="One per line; three to five.",
        render_kw={"rows": 5},
    )
    submit = SubmitField("Save value")

    def validate_behaviors(self, field):
        lines = [line.strip() for line in field.data.splitlines() if line.strip()]
        if not 3 <= len(lines) <= 5:
            raise ValidationError(f"Write three to five behaviors, one per line (you have {len(lines)}).")
        if any(len(line) > 300 for line in lines):
            raise ValidationError("Keep each behavior under 300 characters.")
        field.data = "\n".join(lines)
