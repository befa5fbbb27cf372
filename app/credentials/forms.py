"""Forms HR fills in for credentials: add, verify and archive an employee's; add, edit and archive a type."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.credentials.catalog import MAX_RENEWAL_MONTHS
from app.fields import MultiCheckboxField, WholeNumberField
from app.forms import AppForm
from app.models import CredentialType, RoleFamily, VerificationMethod


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
    scan = FileField("Scanned copy (optional)", description="A PDF, PNG or JPEG file.")
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


class ScanForm(AppForm):
    scan = FileField(
        "Scanned copy",
        validators=[FileRequired("Choose the scan to upload.")],
        description="A PDF, PNG or JPEG file. It replaces the scan on record, which is kept in the history.",
    )
    submit = SubmitField("Upload scan")


class ArchiveCredentialForm(AppForm):
    submit = SubmitField("Archive credential")


class CredentialTypeForm(AppForm):
    name = StringField(
        "Name",
        validators=[InputRequired("Give the credential type a name."), Length(max=120)],
        description="As staff and surveyors know it, for example State licence, registered nurse (RN).",
    )
    role_families = MultiCheckboxField(
        "Role families that require it",
        choices=RoleFamily.choices(),
        description="Leave all unticked for a credential no role requires.",
    )
    primary_source_required = BooleanField(
        "Primary-source verification required",
        description="HR must check it with the issuing board or registry; a copy seen is not enough.",
    )
    renewal_months = WholeNumberField(
        "Renewal period (months)",
        validators=[
            Optional(),
            NumberRange(1, MAX_RENEWAL_MONTHS, f"Give a number of months from 1 to {MAX_RENEWAL_MONTHS}."),
        ],
        description="Leave empty for a credential that does not expire.",
    )
    submit = SubmitField("Save credential type")

    @staticmethod
    def data_for(kind: CredentialType) -> dict:
        return {
            "name": kind.name,
            "role_families": list(kind.role_families or []),
            "primary_source_required": kind.primary_source_required,
            "renewal_months": kind.renewal_months,
        }

    def type_fields(self) -> dict:
        """The arguments catalog.save_type takes."""
        return {
            "name": self.name.data,
            "role_families": list(self.role_families.data or []),
            "primary_source_required": bool(self.primary_source_required.data),
            "renewal_months": self.renewal_months.data,
        }


class ArchiveCredentialTypeForm(AppForm):
    submit = SubmitField("Archive credential type")


class RecredentialForm(AppForm):
    credentialed_on = DateField(
        "Re-credentialed on",
        validators=[InputRequired("Give the date the credentialing decision was made.")],
        description="The day the committee or board approved it; the next is due two years later.",
    )
    note = StringField(
        "Note (optional)",
        validators=[Length(max=200)],
        description="For example, Credentialing committee, May meeting.",
    )
    submit = SubmitField("Record re-credentialing")


class PrivilegeForm(AppForm):
    text = StringField(
        "Privilege",
        validators=[InputRequired("Describe the privilege."), Length(max=300)],
        description="What the clinician may do here, for example Performs IUD insertion and removal.",
    )
    granted_on = DateField("Granted on", validators=[InputRequired("Give the date it was granted.")])
    granted_by = StringField(
        "Granted by",
        validators=[InputRequired("Say who granted it."), Length(max=120)],
        description="For example, the Board of Directors or the medical director.",
    )
    submit = SubmitField("Add privilege")


class ArchivePrivilegeForm(AppForm):
    submit = SubmitField("Archive privilege")
