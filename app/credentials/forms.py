"""Forms HR fills in on an employee's credentials page: add one, verify one, archive one."""

from __future__ import annotations

from wtforms import DateField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from app.forms import AppForm
from app.models import VerificationMethod


class AddCredentialForm(AppForm):
    credential_type_id = SelectField(
        "Credential", coerce=int, validators=[InputRequired("Choose the kind of credential.")]
    )
    number = StringField(
        "Number",
        validators=[InputRequired("Give the credential's number."), Length(max=80)],
        description="As printed on the licence, registration or card.",
    )
    issuer = StringField(
        "Issuing state or body",
        validators=[InputRequired("Give the issuing state or body."), Length(max=120)],
        description="For example, Oregon State Board of Nursing, or the American Heart Association.",
    )
    issued_on = DateField("Issued on", validators=[Optional()])
    expires_on = DateField(
        "Expires on", validators=[Optional()], description="Leave empty only for a credential that does not expire."
    )
    submit = SubmitField("Add credential")


class VerifyCredentialForm(AppForm):
    method = RadioField(
        "How it was verified",
        choices=[(m.value, m.label) for m in VerificationMethod],
        validators=[InputRequired("Choose how you verified it.")],
    )
    source = StringField(
        "Source",
        validators=[Length(max=200)],
        description="The board, registry or lookup you checked; required for primary source.",
    )
    submit = SubmitField("Record verification")


class ArchiveCredentialForm(AppForm):
    submit = SubmitField("Archive credential")
