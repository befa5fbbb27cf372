"""Forms for completing modules and answering sign-off requests."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class AttestForm(FlaskForm):
    confirm = BooleanField("I have read this module and will apply it in my work.")
    submit = SubmitField("Confirm and complete")


class SendBackForm(FlaskForm):
    comment = TextAreaField("What should they work on first?", validators=[DataRequired(), Length(max=2000)],
                            render_kw={"rows": 3})
    submit = SubmitField("Send back")
