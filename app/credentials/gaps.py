"""Credential warnings for many people at once (the team page, HR's report): required credentials missing,
and credentials expired or expiring within 30 days, in one SQL statement whatever the number of people.

A person's credential of a type is their latest record of it that is not archived (the one that expires last;
one that does not expire counts as latest), verified or not, as on My onboarding. A required type is one whose
role families include the person's role family (app.credentials.rules.required_for says the same in Python).
Archived credential types raise no warning. Only active employees are answered for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import (
    Date,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from app.credentials.status import EXPIRING_SOON_DAYS
from app.extensions import db
from app.models import CredentialType, EmployeeCredential, RoleFamily, User
from app.templating import format_date

MISSING, EXPIRED, EXPIRING = "missing", "expired", "expiring"
SOON = bindparam("credentials_soon", type_=Date)


@dataclass(frozen=True)
class Gap:
    """One warning about one credential type of one person."""

    type_name: str
    kind: str  # missing, expired or expiring
    expires_on: dt.date | None
    days_left: int | None

    @property
    def tone(self) -> str:
        return "warning" if self.kind == EXPIRING else "danger"

    @property
    def text(self) -> str:
        """'Basic life support (BLS/CPR) expires in 12 days', '... expired Oct 3, 2026', '... missing'."""
        if self.kind == MISSING:
            return f"{self.type_name}: none on record"
        if self.kind == EXPIRED:
            return f"{self.type_name}: expired {format_date(self.expires_on)}"
        if self.days_left == 0:
            return f"{self.type_name}: expires today"
        return f"{self.type_name}: expires in {self.days_left} day{'s' if self.days_left != 1 else ''}"


@dataclass
class PersonGaps:
    """Everything one person's credentials warn about, most urgent first (missing, expired, expiring)."""

    employee_id: int
    name: str
    gaps: list[Gap] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Gap]:
        return [gap for gap in self.gaps if gap.kind == kind]

    @property
    def missing(self) -> list[Gap]:
        return self.of_kind(MISSING)

    @property
    def expired(self) -> list[Gap]:
        return self.of_kind(EXPIRED)

    @property
    def expiring(self) -> list[Gap]:
        return self.of_kind(EXPIRING)


def _slug(column):
    """The person's role family as the credential types name it (the slug; the user column holds the name)."""
    return case({member.name: member.value for member in RoleFamily}, value=type_coerce(column, String))


def _statement(ids) -> Select:
    required = cast(CredentialType.role_families, Text).like(literal('%"') + _slug(User.role_family) + literal('"%'))
    missing = (
        select(User.id.label("employee_id"), User.name.label("name"), CredentialType.name.label("type_name"),
               cast(null(), Date).label("expires_on"))
        .join(CredentialType, and_(CredentialType.archived_at.is_(None), required))
        .where(User.id.in_(ids), User.active, User.role_family.is_not(None),
               ~exists().where(EmployeeCredential.employee_id == User.id,
                               EmployeeCredential.credential_type_id == CredentialType.id,
                               EmployeeCredential.archived_at.is_(None)))
    )
    newer = aliased(EmployeeCredential)
    lapsing = (
        select(User.id, User.name, CredentialType.name, EmployeeCredential.expires_on)
        .join(EmployeeCredential, EmployeeCredential.employee_id == User.id)
        .join(CredentialType, CredentialType.id == EmployeeCredential.credential_type_id)
        .where(User.id.in_(ids), User.active, EmployeeCredential.archived_at.is_(None),
               CredentialType.archived_at.is_(None), EmployeeCredential.expires_on <= SOON,
               ~exists().where(newer.employee_id == EmployeeCredential.employee_id,
                               newer.credential_type_id == EmployeeCredential.credential_type_id,
                               newer.archived_at.is_(None),
                               or_(newer.expires_on.is_(None), newer.expires_on > EmployeeCredential.expires_on,
                                   and_(newer.expires_on == EmployeeCredential.expires_on,
                                        newer.id > EmployeeCredential.id))))
    )
    both = union_all(missing, lapsing).subquery("credential_gaps")
    return select(both).order_by(both.c.name, both.c.employee_id, both.c.expires_on.is_not(None),
                                 both.c.expires_on, both.c.type_name)


def credential_gaps(ids, today: dt.date) -> dict[int, PersonGaps]:
    """The people among `ids` (a list of user ids or a SELECT of them) whose credentials warn, by name,
    each with their gaps: required types missing, then expired, then expiring within 30 days (one query)."""
    found: dict[int, PersonGaps] = {}
    rows = db.session.execute(_statement(ids), {"credentials_soon": today + dt.timedelta(days=EXPIRING_SOON_DAYS)})
    for employee_id, name, type_name, expires_on in rows:
        person = found.setdefault(employee_id, PersonGaps(employee_id, name))
        if expires_on is None:
            person.gaps.append(Gap(type_name, MISSING, None, None))
        else:
            days_left = (expires_on - today).days
            person.gaps.append(Gap(type_name, EXPIRED if days_left < 0 else EXPIRING, expires_on, days_left))
    for person in found.values():
        person.gaps.sort(key=lambda gap: ((MISSING, EXPIRED, EXPIRING).index(gap.kind), gap.expires_on or today))
    return found
