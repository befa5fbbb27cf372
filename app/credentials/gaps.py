"""Credential warnings for many people at once (the team page, HR's report): required credentials missing,
and credentials expired or expiring within 30 days, in one SQL statement whatever the number of people,
read from the rows app.credentials.standing keeps.

A person's credential of a type is their latest record of it that is not archived (the one that expires last;
one that does not expire counts as latest), verified or not, as on My onboarding. A required type is one whose
role families include the person's role family (app.credentials.rules.required_for says the same in Python).
Archived credential types raise no warning. Only active employees are answered for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Date, Select, bindparam, or_, select

from app.credentials import standing
from app.credentials.status import EXPIRING_SOON_DAYS
from app.extensions import db
from app.models import CredentialStanding, CredentialType, User
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


def gaps_statement(*conditions) -> Select:
    """The warning rows of the active employees who meet these conditions (on User or CredentialStanding),
    in the order credential_gaps answers them."""
    row = CredentialStanding
    return (
        select(row.employee_id, User.name, CredentialType.name, row.expires_on)
        .join(User, User.id == row.employee_id)
        .join(CredentialType, CredentialType.id == row.credential_type_id)
        .where(User.active, *conditions, CredentialType.archived_at.is_(None),
               or_(row.expires_on.is_(None), row.expires_on <= SOON))
        .order_by(User.name, row.employee_id, row.expires_on.is_not(None), row.expires_on, CredentialType.name)
    )


def _among(ids) -> Select:
    return gaps_statement(CredentialStanding.employee_id.in_(ids))


_built_once = cache(_among)  # for id statements that are themselves built once


def credential_gaps(ids, today: dt.date, params: dict | None = None) -> dict[int, PersonGaps]:
    """The people among `ids` (a list of user ids or a SELECT of them) whose credentials warn, by name,
    each with their gaps: required types missing, then expired, then expiring within 30 days (one query).
    With params, `ids` is a SELECT built once (the team page's) and these are its parameters: the
    statement around it is then built once too (building it costs more than running it)."""
    return read_gaps(_built_once(ids) if params is not None else _among(ids), today, params)


def read_gaps(statement: Select, today: dt.date, params: dict | None = None) -> dict[int, PersonGaps]:
    """credential_gaps for a statement of gaps_statement's (HR's report builds one with its filters on
    User: for the whole organization, reading the warning rows first beats matching a list of everyone)."""
    found: dict[int, PersonGaps] = {}
    standing.bring_current(db.session)
    rows = db.session.execute(statement, {**(params or {}),
                                          "credentials_soon": today + dt.timedelta(days=EXPIRING_SOON_DAYS)})
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
