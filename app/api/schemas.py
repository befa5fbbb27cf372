"""Marshmallow schemas of the API: they validate what comes in and describe what goes out, and the
OpenAPI document is generated from them."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from app.forms import EARLIEST, LATEST, MAX_ID
from app.models import (
    EmploymentType,
    Method,
    PostingStatus,
    ProgressStatus,
    Role,
    RoleFamily,
    Stage,
    TrackKind,
)

PAGE_MAX = 100
IDS = validate.Range(min=1, max=MAX_ID)  # a record id the database can hold
DATES = validate.Range(min=EARLIEST, max=LATEST, error="Enter a date between {min} and {max}.")


class UtcDateTime(fields.DateTime):
    """A moment in RFC 3339 with its offset: the database keeps naive UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.replace(tzinfo=UTC).isoformat() if value.tzinfo is None else value.astimezone(UTC).isoformat()


class Strict(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is reported, not silently dropped


class Cursor(fields.String):
    """An opaque position in a list ordered by id: the next page starts after it."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return base64.urlsafe_b64encode(f"after:{value}".encode()).decode().rstrip("=")

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            decoded = ""
        label, _, number = decoded.partition(":")
        if label != "after" or not number.isdigit() or len(number) > 18:
            raise ValidationError("This cursor is not one the API gave out; start again without it.")
        return int(number)


class PageQuery(Strict):
    cursor = Cursor(metadata={"description": "next_cursor of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=PAGE_MAX))


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next_cursor": Cursor(allow_none=True, required=True,
                              metadata={"description": "pass as cursor for the next page; null on the last"}),
    }, name=name)


# People -------------------------------------------------------------------------------------------
class SiteOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    city = fields.String(required=True)
    region = fields.String(required=True)
    archived = fields.Boolean(required=True)


class EmployeeOut(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.Enum(Role, by_value=True, required=True)
    site_id = fields.Integer(allow_none=True, required=True)
    department = fields.String(required=True)
    role_family = fields.Enum(RoleFamily, by_value=True, allow_none=True, required=True)
    manager_id = fields.Integer(allow_none=True, required=True)
    start_date = fields.Date(allow_none=True, required=True)
    active = fields.Boolean(required=True)
    deactivated_at = UtcDateTime(allow_none=True, required=True)


EmployeePage = page_of(EmployeeOut, "EmployeePage")


class EmployeeQuery(PageQuery):
    site_id = fields.Integer(validate=IDS)
    role_family = fields.Enum(RoleFamily, by_value=True)
    active = fields.Boolean(metadata={"description": "true: only active people; false: only deactivated"})


class EmployeeUpdate(Strict):
    """The profile fields an HRIS keeps; omitted fields stay as they are. Roles are set only in the app."""

    name = fields.String(validate=validate.Length(min=1, max=120))
    site_id = fields.Integer(allow_none=True, validate=IDS)
    department = fields.String(validate=validate.Length(max=120))
    role_family = fields.Enum(RoleFamily, by_value=True, allow_none=True)
    manager_id = fields.Integer(allow_none=True, validate=IDS)
    start_date = fields.Date(allow_none=True, validate=DATES)


class EmployeeIn(EmployeeUpdate):
    """A new employee (app role staff); they are e-mailed a link to set their password."""

    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


# Training -----------------------------------------------------------------------------------------
class ValueOut(Schema):
    key = fields.String(required=True)


class ModuleOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(allow_none=True, required=True)
    track_id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    title = fields.String(required=True)
    minutes = fields.Integer(required=True)
    due_offset_days = fields.Integer(required=True)
    method = fields.Enum(Method, by_value=True, required=True)
    pass_mark = fields.Integer(allow_none=True, required=True)
    renew_months = fields.Integer(allow_none=True, required=True)
    version = fields.Integer(required=True)
    values = fields.Pluck(ValueOut, "key", many=True, required=True)
    archived = fields.Boolean(required=True)


class TrackOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(allow_none=True, required=True)
    name = fields.String(required=True)
    kind = fields.Enum(TrackKind, by_value=True, required=True)
    role_families = fields.List(fields.String(), required=True)
    description = fields.String(required=True)
    archived = fields.Boolean(required=True)


class TrackDetail(TrackOut):
    modules = fields.List(fields.Nested(ModuleOut), required=True)


class ProgressOut(Schema):
    id = fields.Integer(required=True)
    employee_id = fields.Integer(required=True)
    module_id = fields.Integer(required=True)
    assignment_id = fields.Integer(allow_none=True, required=True)
    status = fields.Enum(ProgressStatus, by_value=True, required=True)
    due_date = fields.Date(allow_none=True, required=True)
    started_at = UtcDateTime(allow_none=True, required=True)
    completed_at = UtcDateTime(allow_none=True, required=True)
    completed_version = fields.Integer(allow_none=True, required=True)
    best_score = fields.Integer(allow_none=True, required=True)
    signed_off_at = UtcDateTime(allow_none=True, required=True)
    renew_by = fields.Date(allow_none=True, required=True)


class AssignmentOut(Schema):
    id = fields.Integer(required=True)
    track_id = fields.Integer(required=True)
    track_name = fields.String(required=True)
    reason = fields.String(required=True)
    assigned_at = UtcDateTime(required=True)
    unassigned_at = UtcDateTime(allow_none=True, required=True)
    progress = fields.List(fields.Nested(ProgressOut), required=True)


class CheckInOut(Schema):
    id = fields.Integer(required=True)
    day = fields.Integer(required=True)
    due_date = fields.Date(required=True)
    self_submitted_at = UtcDateTime(allow_none=True, required=True)
    manager_submitted_at = UtcDateTime(allow_none=True, required=True)
    completed_at = UtcDateTime(allow_none=True, required=True)
    archived = fields.Boolean(required=True)


class CompletionOut(Schema):
    id = fields.Integer(required=True)
    employee_id = fields.Integer(required=True)
    module_id = fields.Integer(required=True)
    module_version = fields.Integer(required=True)
    completed_at = UtcDateTime(required=True)
    score = fields.Integer(allow_none=True, required=True)


CompletionPage = page_of(CompletionOut, "CompletionPage")


class CompletionQuery(PageQuery):
    employee_id = fields.Integer(validate=IDS)
    since = fields.Date(validate=DATES, metadata={"description": "completed on or after this day"})


class CompletionIn(Strict):
    """A completion recorded by an external LMS: the module version the person completed, and when."""

    employee_id = fields.Integer(required=True, validate=IDS)
    module_id = fields.Integer(required=True, validate=IDS)
    module_version = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    completed_on = fields.Date(required=True, validate=DATES)
    score = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=100))


class CompletionResult(Schema):
    recorded = fields.Boolean(required=True, metadata={"description": "false: the module was already complete"})
    progress = fields.Nested(ProgressOut, required=True)


# Hiring -------------------------------------------------------------------------------------------
class PostingOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    site_id = fields.Integer(required=True)
    department = fields.String(required=True)
    role_family = fields.Enum(RoleFamily, by_value=True, required=True)
    employment_type = fields.Enum(EmploymentType, by_value=True, required=True)
    description = fields.String(required=True)
    status = fields.Enum(PostingStatus, by_value=True, required=True)
    closing_date = fields.Date(allow_none=True, required=True)
    opened_at = UtcDateTime(allow_none=True, required=True)


class PostingQuery(Strict):
    status = fields.Enum(PostingStatus, by_value=True,
                         metadata={"description": "with read:hiring; without it only open postings are listed"})


class ApplicationOut(Schema):
    id = fields.Integer(required=True)
    posting_id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True)
    stage = fields.Enum(Stage, by_value=True, required=True)
    applied_at = UtcDateTime(attribute="created_at", required=True)
    hired_user_id = fields.Integer(allow_none=True, required=True)
    archived = fields.Boolean(required=True)


ApplicationPage = page_of(ApplicationOut, "ApplicationPage")


class ApplicationQuery(PageQuery):
    posting_id = fields.Integer(validate=IDS)
    stage = fields.Enum(Stage, by_value=True)


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "per field, what is wrong (422)"})
