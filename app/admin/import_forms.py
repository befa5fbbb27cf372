"""Forms for the staff import: the upload, and the confirmation that carries the checked file."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired

from app.admin.import_services import MAX_BYTES, size_label
from app.forms import AppForm


class StaffImportForm(AppForm):
    file = FileField(
        "Staff CSV file",
        validators=[
            FileRequired("Choose a CSV file to upload."),
            FileAllowed(["csv"], "Upload a .csv file (in your spreadsheet: Save as, CSV UTF-8)."),
            FileSize(max_size=MAX_BYTES, message=f"The file must be at most {size_label()}; split it into smaller files."),
        ],
        description=f"A .csv file of up to {size_label()} and 5,000 people, UTF-8. Nothing is imported until you confirm.",
        render_kw={"accept": ".csv,text/csv"},
    )
    submit = SubmitField("Check the file")


class ConfirmImportForm(AppForm):
    # The checked CSV, signed (see imports.py): tampering or a stale preview is refused.
    payload = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Import")
