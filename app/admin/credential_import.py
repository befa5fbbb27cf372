"""The optional credentials file of `flask import-staff --credentials FILE`: one row per credential a person
holds, checked row by row with the staff file, and written with it or not at all.

Columns: email, credential (a credential type's name), number, issuer, issued_on, expires_on (YYYY-MM-DD),
verification (empty: not verified yet; primary-source or copy-seen), verification_source. A person is a row
of the staff file or an existing active account. The rules are those HR's credentials page applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.admin.import_services import Problem, UnreadableFile, decode_csv, read_csv_records
from app.audit import record
from app.auth.services import normalize_email
from app.credentials.onboarding_tasks import tick_credential_task
from app.extensions import db
from app.forms import unusable_character
from app.models import CredentialType, EmployeeCredential, User, VerificationMethod, utcnow

COLUMNS = ("email", "credential", "number", "issuer", "issued_on", "expires_on", "verification",
           "verification_source")
REQUIRED = ("email", "credential", "number", "issuer")
LIMITS = {"number": 80, "issuer": 120, "verification_source": 200}
METHODS = {method.value: method for method in VerificationMethod}
FILE = "credentials file"


@dataclass
class CredentialRow:
    line: int
    email: str
    kind: CredentialType | None = None
    number: str = ""
    issuer: str = ""
    issued_on: date | None = None
    expires_on: date | None = None
    method: VerificationMethod | None = None
    source: str = ""


@dataclass
class CredentialPlan:
    rows: list[CredentialRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _problem(plan: CredentialPlan, message: str, line: int | None = None, column: str | None = None) -> None:
    plan.problems.append(Problem(message, line, f"{FILE} {column}" if column else FILE))


def _date(text: str, column: str, line: int, plan: CredentialPlan) -> date | None:
    if not text:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        _problem(plan, f"'{text}' is not a date written YYYY-MM-DD.", line, column)
        return None


def parse_credentials(data: bytes, staff_emails: set[str]) -> CredentialPlan:
    """Read and check every row of a credentials file without writing anything."""
    plan = CredentialPlan()
    try:
        (_, header_cells), records = read_csv_records(decode_csv(data), columns=COLUMNS, rows_noun="credentials")
    except UnreadableFile as refusal:
        _problem(plan, refusal.message, refusal.line)
        return plan
    header = [cell.strip().lower() for cell in header_cells]
    if sorted(header) != sorted(COLUMNS):
        _problem(plan, f"the header must name these columns once each: {','.join(COLUMNS)}.", 1, "header")
        return plan
    kinds = {kind.name.strip().lower(): kind for kind in db.session.scalars(select(CredentialType))}
    accounts = {user.email: user for user in db.session.scalars(
        select(User).where(User.email.in_({normalize_email(cells[header.index("email")])
                                           for _, cells in records if len(cells) == len(header)})))}
    seen: dict[tuple[str, int, str], int] = {}
    for line, cells in records:
        if len(cells) != len(header):
            _problem(plan, f"expected {len(header)} values, found {len(cells)}; a value with a comma must be in "
                           "double quotes.", line)
            continue
        values = {column: cell.strip() for column, cell in zip(header, cells, strict=True)}
        bad = False
        for column, value in values.items():
            if problem := unusable_character(value, single_line=True):
                _problem(plan, f"holds {problem}; remove it and save the file again.", line, column)
                values[column], bad = "", True
        for column in REQUIRED:
            if not values[column] and not bad:
                _problem(plan, "required; this cell is empty.", line, column)
        for column, limit in LIMITS.items():
            if len(values[column]) > limit:
                _problem(plan, f"at most {limit} characters (this one has {len(values[column])}).", line, column)
        row = CredentialRow(line, normalize_email(values["email"]), number=values["number"],
                            issuer=values["issuer"], source=values["verification_source"])
        if row.email and row.email not in staff_emails:
            account = accounts.get(row.email)
            if account is None:
                _problem(plan, f"{row.email} is neither a row of the staff file nor an existing account.", line,
                         "email")
            elif not account.active:
                _problem(plan, f"{row.email} is deactivated.", line, "email")
        if values["credential"]:
            row.kind = kinds.get(values["credential"].lower())
            if row.kind is None or row.kind.archived_at is not None:
                _problem(plan, f"'{values['credential']}' is not a credential type in use. Types: "
                               f"{'; '.join(sorted(k.name for k in kinds.values() if k.archived_at is None))}.",
                         line, "credential")
                row.kind = None
        row.issued_on = _date(values["issued_on"], "issued_on", line, plan)
        row.expires_on = _date(values["expires_on"], "expires_on", line, plan)
        if row.issued_on and row.expires_on and row.expires_on < row.issued_on:
            _problem(plan, "the expiry date is before the issue date; check both dates.", line, "expires_on")
        if row.kind and row.kind.renewal_months and not values["expires_on"]:
            _problem(plan, f"{row.kind.name} expires; give its expiry date.", line, "expires_on")
        if values["verification"]:
            row.method = METHODS.get(values["verification"].lower())
            if row.method is None:
                _problem(plan, f"'{values['verification']}' is not a way of verifying; use primary-source or "
                               "copy-seen, or leave it empty while it is not verified.", line, "verification")
            elif row.kind and row.kind.primary_source_required and row.method is not VerificationMethod.PRIMARY_SOURCE:
                _problem(plan, f"{row.kind.name} must be verified with the primary source, not a copy.", line,
                         "verification")
            elif row.method is VerificationMethod.PRIMARY_SOURCE and not row.source:
                _problem(plan, "name the primary source you checked.", line, "verification_source")
        if row.email and row.kind and row.number:
            key = (row.email, row.kind.id, row.number)
            if key in seen:
                _problem(plan, f"the same credential appears on line {seen[key]} too.", line, "number")
            seen.setdefault(key, line)
        plan.rows.append(row)
    if not records:
        _problem(plan, "The file has a header but no credentials.")
    return plan


def apply_credentials(plan: CredentialPlan, users: dict[str, User]) -> int:
    """Write a clean plan's credentials for `users` (by e-mail: the imported people and existing accounts),
    each with an audit entry; the caller commits. Returns how many."""
    now = utcnow()
    for row in plan.rows:
        employee = users[row.email]
        credential = EmployeeCredential(
            employee_id=employee.id, credential_type_id=row.kind.id, number=row.number, issuer=row.issuer,
            issued_on=row.issued_on, expires_on=row.expires_on, verification_source=row.source,
            verified_at=now if row.method else None, verification_method=row.method)
        credential.credential_type = row.kind
        db.session.add(credential)
        db.session.flush()
        record(db.session, "credential.imported", credential, employee_id=employee.id, type=row.kind.name,
               number=row.number, issuer=row.issuer, expires_on=row.expires_on,
               method=row.method.value if row.method else None, source=row.source)
        if credential.verified_at is not None:
            tick_credential_task(credential, actor=None)  # the onboarding task import gave them for it
    db.session.flush()
    return len(plan.rows)


def accounts_for(emails: set[str]) -> dict[str, User]:
    return {user.email: user for user in db.session.scalars(select(User).where(User.email.in_(emails)))}
