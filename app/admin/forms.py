"""Administration forms."""

from __future__ import annotations

from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.forms import AppForm, start_date_rule
from app.models import Role, RoleFamily
from app.timezones import DEFAULT_TIME_ZONE, is_time_zone


def _role_choices():
    return [(role.value, role.label) for role in Role]


def _family_choices():
    return [("", "— none —")] + RoleFamily.choices()


class ProfileFields(AppForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("App role", choices=_role_choices(), default=Role.STAFF.value)
    is_interviewer = BooleanField("Can interview candidates")
    site_id = SelectField("Site", coerce=str, validators=[Optional()])
    department = StringField("Department", validators=[Optional(), Length(max=120)])
    role_family = SelectField("Role family", choices=_family_choices(), validators=[Optional()])
    manager_id = SelectField("Manager", coerce=str, validators=[Optional()])
    start_date = DateField("Start date", validators=[Optional(), start_date_rule()])


class InviteUserForm(ProfileFields):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField("Send invitation")


class EditUserForm(ProfileFields):
    submit = SubmitField("Save changes")


class SiteForm(AppForm):
    name = StringField("Site name", validators=[DataRequired(), Length(max=120)])
    street = StringField("Street address", validators=[Optional(), Length(max=200)])
    city = StringField("City", validators=[Optional(), Length(max=100)])
    region = StringField("State", validators=[Optional(), Length(max=50)])
    postal_code = StringField("ZIP code", validators=[Optional(), Length(max=20)])
    time_zone = StringField(
        "Time zone", default=DEFAULT_TIME_ZONE, filters=[lambda value: value.strip() if value else value],
        description="The IANA name of the clinic's time zone, such as America/New_York, America/Chicago, "
                    "America/Denver, America/Los_Angeles or Pacific/Honolulu. Interview times are entered and shown in it.",
        validators=[DataRequired("Enter the site's time zone, such as America/New_York."), Length(max=64)])
    submit = SubmitField("Save site")

    def validate_time_zone(self, field) -> None:
        if not is_time_zone(field.data):
            raise ValidationError(f"{field.data} is not a time zone name. Use the IANA name, such as America/Chicago.")
