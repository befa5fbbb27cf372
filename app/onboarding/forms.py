"""Forms for completing modules and answering sign-off requests."""

from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import AppForm


class AttestForm(AppForm):
    confirm = BooleanField("I have read this module and will apply it in my work.")
    submit = SubmitField("Confirm and complete")


class SendBackForm(AppForm):
    comment = TextAreaField("What should they work on first?", validators=[DataRequired(), Length(max=2000)],
                            render_kw={"rows": 3})
    submit = SubmitField("Send back")
