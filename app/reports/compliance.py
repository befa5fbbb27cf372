"""Compliance: per site and role family, the share of staff current on each credential and each renewing
training module their role requires, with the people who are not current.

A credential type is required of a role family that it names; a module is required when it renews
(`renew_months`) and its track is for all staff or names the role family. Current on a credential: a
record of that type, not archived, verified and not expired. Current on a module: completed or waived
with its renewal date not passed; a module `flask renewals` has reopened still counts as current until
its renewal date, when the person completed it before. Active employees with a role family only.
Five statements whatever the number of employees.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, or_, select

from app.credentials.rules import required_for
from app.extensions import db
from app.models import (
    Completion,
    CredentialType,
    EmployeeCredential,
    Module,
    Progress,
    ProgressStatus,
    RoleFamily,
    Site,
    Track,
    TrackKind,
    User,
)
from app.reports.exports import safe_cell
from app.templating import format_date

NAMES_SHOWN = 5  # people not current listed per requirement on the page (the CSV has everyone)
DONE = (ProgressStatus.COMPLETED, ProgressStatus.WAIVED)
CREDENTIAL, TRAINING = "credential", "training"
CSV_HEADER = ["Site", "Role family", "Employee", "E-mail", "Kind", "Requirement", "Current", "Detail"]


@dataclass(frozen=True)
class ComplianceFilters:
    """A site and a role family; None: all."""

    site_id: int | None = None
    role_family: RoleFamily | None = None

    def args(self) -> dict[str, str]:
        args = {"site": str(self.site_id) if self.site_id else "",
                "family": self.role_family.value if self.role_family else ""}
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class Requirement:
    kind: str  # credential or training
    id: int
    name: str


@dataclass(frozen=True)
class Standing:
    """One person against one requirement."""

    employee_id: int
    name: str
    email: str
    current: bool
    words: str  # why, with {} where the day goes ("expired {}"); built into text only when shown
    day: date | None = None

    @property
    def detail(self) -> str:
        return self.words.format(format_date(self.day)) if self.day else self.words


@dataclass
class Line:
    """One requirement within a group: how many of the group's staff are current, and who is not."""

    requirement: Requirement
    standings: list[Standing] = field(default_factory=list)

    @property
    def staff(self) -> int:
        return len(self.standings)

    @property
    def current(self) -> int:
        return sum(standing.current for standing in self.standings)

    @property
    def percent(self) -> int:
        return round(self.current * 100 / self.staff) if self.staff else 0

    @property
    def not_current(self) -> list[Standing]:
        return [standing for standing in self.standings if not standing.current]


@dataclass
class Group:
    site: str
    role_family: RoleFamily
    staff: int
    lines: list[Line]

    @property
    def label(self) -> str:
        return f"{self.site} · {self.role_family.label}"


@dataclass
class Compliance:
    groups: list[Group]
    staff: int  # active staff in scope whose role requires something
    fully_current: int

    @property
    def percent(self) -> int:
        return round(self.fully_current * 100 / self.staff) if self.staff else 0


def _staff(filters: ComplianceFilters):
    conditions = [User.active, User.role_family.is_not(None)]
    if filters.site_id:
        conditions.append(User.site_id == filters.site_id)
    if filters.role_family:
        conditions.append(User.role_family == filters.role_family)
    return conditions


def _required_modules(family: RoleFamily, modules: list) -> list[Requirement]:
    return [Requirement(TRAINING, module_id, title) for module_id, title, kind, families in modules
            if kind is TrackKind.ALL_STAFF or family.value in (families or [])]


def _credential_detail(held: list[tuple[date | None, bool]], today: date) -> tuple[bool, str, date | None]:
    if not held:
        return False, "none on record", None
    if any(verified and (expires is None or expires >= today) for expires, verified in held):
        best = max(expires or date.max for expires, verified in held if verified)
        return (True, "does not expire", None) if best == date.max else (True, "expires {}", best)
    latest = max(held, key=lambda pair: pair[0] or date.max)[0]
    if latest is not None and latest < today:
        return False, "expired {}", latest
    return False, "not verified", None


# What SQL says of a person's progress on a renewing module: (current, words; {} is the row's day, if any).
MODULE_CODES = {
    1: (True, "waived"),
    2: (True, "renews by {}"),  # completed
    3: (True, "completed"),  # completed, no renewal date
    4: (False, "renewal was due {}"),  # completed, renewal date passed
    5: (True, "renewal due {}"),  # reopened for renewal, completed before, not yet due
    6: (False, "renewal overdue since {}"),  # reopened for renewal, completed before, due date passed
    7: (False, "not completed (due {})"),
}
NO_DAY = {"renewal overdue since {}": "renewal not done", "not completed (due {})": "not completed"}


def _module_code(today: date, completed_before):
    """1-7 of MODULE_CODES, worked out in SQL so a row comes back as numbers and one date."""
    done, waived = Progress.status.in_(DONE), Progress.status == ProgressStatus.WAIVED
    in_time = or_(Progress.renew_by.is_(None), Progress.renew_by >= today)
    return case(
        (and_(done, in_time, waived), 1), (and_(done, Progress.renew_by.is_(None)), 3), (and_(done, in_time), 2),
        (done, 4), (and_(completed_before, Progress.due_date >= today), 5), (completed_before, 6), else_=7)


def _module_detail(progress: tuple | None) -> tuple[bool, str, date | None]:
    if progress is None:
        return False, "not assigned", None
    code, day = progress
    current, words = MODULE_CODES[code]
    return (current, words, day) if day or "{}" not in words else (current, NO_DAY[words], None)


def compliance(filters: ComplianceFilters, today: date) -> Compliance:
    """Every (site, role family) group in scope, by site then role family, with a line per requirement."""
    kinds = list(db.session.scalars(select(CredentialType).where(CredentialType.archived_at.is_(None))))
    modules = db.session.execute(
        select(Module.id, Module.title, Track.kind, Track.role_families)
        .join(Track, Track.id == Module.track_id)
        .where(Module.archived_at.is_(None), Module.renew_months.is_not(None), Track.archived_at.is_(None))
        .order_by(Track.id, Module.position, Module.id)
    ).all()
    staff_ids = select(User.id).where(*_staff(filters))
    people = db.session.execute(
        select(User.id, User.name, User.email, User.role_family, Site.name)
        .outerjoin(Site, Site.id == User.site_id)
        .where(*_staff(filters))
        .order_by(Site.name, User.role_family, User.name, User.id)
    ).all()
    held: dict[tuple[int, int], list] = {}
    for employee_id, type_id, expires, verified in db.session.execute(
        select(EmployeeCredential.employee_id, EmployeeCredential.credential_type_id, EmployeeCredential.expires_on,
               EmployeeCredential.verified_at.is_not(None))
        .where(EmployeeCredential.employee_id.in_(staff_ids), EmployeeCredential.archived_at.is_(None))
    ):
        held.setdefault((employee_id, type_id), []).append((expires, bool(verified)))
    renewing = select(Module.id).where(Module.renew_months.is_not(None), Module.archived_at.is_(None))
    # Who completed each renewing module before (grouped once, then joined: a correlated EXISTS per row
    # made SQLite scan the completions of a module for every progress row).
    completed = (
        select(Completion.employee_id, Completion.module_id)
        .where(Completion.module_id.in_(renewing), Completion.employee_id.in_(staff_ids))
        .group_by(Completion.employee_id, Completion.module_id)
        .subquery("completed")
    )
    before = completed.c.module_id.is_not(None)
    progress = {
        (row[0], row[1]): row[2:]
        for row in db.session.execute(
            select(Progress.employee_id, Progress.module_id, _module_code(today, before),
                   case((Progress.status.in_(DONE), Progress.renew_by), else_=Progress.due_date))
            .outerjoin(completed, and_(completed.c.employee_id == Progress.employee_id,
                                       completed.c.module_id == Progress.module_id))
            .where(Progress.employee_id.in_(staff_ids), Progress.module_id.in_(renewing))
        )
    }

    groups: dict[tuple[str, RoleFamily], Group] = {}
    requirements: dict[RoleFamily, list[Requirement]] = {}
    staff = fully_current = 0
    for employee_id, name, email, family, site in people:
        needed = requirements.get(family)
        if needed is None:
            needed = requirements[family] = [
                *(Requirement(CREDENTIAL, kind.id, kind.name) for kind in required_for(family.value, kinds)),
                *_required_modules(family, modules)]
        if not needed:
            continue
        group = groups.get((site or "No site", family))
        if group is None:
            group = groups[site or "No site", family] = Group(site or "No site", family, 0,
                                                             [Line(requirement) for requirement in needed])
        group.staff += 1
        staff += 1
        everything = True
        for line in group.lines:
            requirement = line.requirement
            if requirement.kind == CREDENTIAL:
                current, words, day = _credential_detail(held.get((employee_id, requirement.id), []), today)
            else:
                current, words, day = _module_detail(progress.get((employee_id, requirement.id)))
            line.standings.append(Standing(employee_id, name, email, current, words, day))
            everything = everything and current
        fully_current += everything
    return Compliance(list(groups.values()), staff, fully_current)


def compliance_csv(result: Compliance) -> Iterator[str]:
    """One row per person and requirement, with whether they are current and why."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield flush()
    for group in result.groups:
        for line in group.lines:
            for standing in line.standings:
                writer.writerow([safe_cell(value) for value in (
                    group.site, group.role_family.label, standing.name, standing.email,
                    "Credential" if line.requirement.kind == CREDENTIAL else "Training", line.requirement.name,
                    "yes" if standing.current else "no", standing.detail)])
            yield flush()
