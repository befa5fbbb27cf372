"""The form an administrator issues an API token with."""

from __future__ import annotations

from datetime import timedelta

from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation

from app.api.tokens import MAX_LIFETIME_DAYS
from app.fields import MultiCheckboxField
from app.forms import AppForm, DateWithin
from app.models import Scope


def some_scope(form, field) -> None:
    """At least one box ticked (not DataRequired: its required flag would make every checkbox required)."""
    if not [value for value in field.data or () if value]:
        field.errors[:] = []
        raise StopValidation("Tick at least one scope.")


class ApiTokenForm(AppForm):
    name = StringField("Integration", validators=[DataRequired("Name the integration the token is for."),
                                                  Length(max=120)],
                       description="The system that will use it, e.g. “Payroll (ADP)” or “LMS export”.")
    scopes = MultiCheckboxField("Scopes", choices=[(scope.value, f"{scope.value} — {scope.label}") for scope in Scope],
                                validators=[some_scope])
    expires_on = DateField("Expires on", validators=[
        InputRequired("Choose when the token stops working."),
        DateWithin(lambda today: today + timedelta(days=1), lambda today: today + timedelta(days=MAX_LIFETIME_DAYS),
                   "Choose an expiry date from tomorrow to a year from today.")],
        description="At most a year from today. Issue a new token before this one expires.")
    submit = SubmitField("Issue token")
