"""Bulk import of current staff from CSV: check every row first, then create everyone or no one.

`parse_staff_csv` reads and checks a file without writing, every cell under the rules a one-line
form field follows (no control, tab, line-break or text-direction characters); `apply_plan`
invites every person, sets their managers, assigns onboarding and schedules check-ins inside one savepoint;
`import_staff_file` is the `flask import-staff` command's body.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app import mail
from app.audit import record
from app.auth.services import AccountError, invite_user, normalize_email
from app.extensions import db
from app.forms import unusable_character
from app.models import Role, RoleFamily, Site, User
from app.onboarding import check_ins
from app.onboarding.services import OnboardingError, add_months, assign_on_hire

log = logging.getLogger(__name__)

COLUMNS = ("name", "email", "site", "role_family", "manager_email", "start_date")
REQUIRED = ("name", "email", "site", "role_family", "start_date")
MAX_ROWS = 5_000
MAX_BYTES = 2 * 1024 * 1024
MAX_NAME = 120
MAX_EMAIL = 254
MANAGER_ROLES = (Role.MANAGER, Role.HR, Role.ADMIN)
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>\"']+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
EXAMPLE_ROWS = (
    ("Maria Lopez", "maria.lopez@example.org", "Riverside Family Health", "practice-manager", "", "2021-03-15"),
    ("Sam Carter", "sam.carter@example.org", "Riverside Family Health", "Medical assistant",
     "maria.lopez@example.org", "2023-09-05"),
)


class StaffImportError(Exception):
    """The import cannot go ahead; the message says why and that nothing was written."""


@dataclass
class Problem:
    """One thing to fix, located by line (1 is the header) and column."""

    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ", ".join(part for part in (f"line {self.line}" if self.line else "", self.field or "") if part)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class StaffRow:
    """One person from the file, as written and as understood."""

    line: int
    name: str
    email: str
    site_name: str
    role_family_text: str
    manager_email: str
    start_date_text: str
    site: Site | None = None
    role_family: RoleFamily | None = None
    start_date: date | None = None
    manager: User | None = None  # an existing account
    manager_row: StaffRow | None = None  # a person imported in the same file
    role: Role = Role.STAFF
    problems: list[Problem] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # columns whose cell was left out for a bad character

    def required_values(self) -> tuple[str, ...]:
        """The cells of the REQUIRED columns, in that order."""
        return self.name, self.email, self.site_name, self.role_family_text, self.start_date_text

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(message, self.line, column))


@dataclass
class ImportPlan:
    """What a file would create, and every reason it cannot."""

    rows: list[StaffRow] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    text: str = ""

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + [p for row in self.rows for p in row.problems]

    @property
    def ok(self) -> bool:
        return not self.problems


def example_csv() -> str:
    """The format, with two example rows (a manager and a person they manage)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(EXAMPLE_ROWS)
    return out.getvalue()


def size_label(limit: int = MAX_BYTES) -> str:
    return f"{limit // (1024 * 1024)} MB"


def plan_from_bytes(data: bytes, *, today: date | None = None) -> ImportPlan:
    """Decode an uploaded or read file (UTF-8, optional BOM) and check it."""
    if len(data) > MAX_BYTES:
        return ImportPlan(file_problems=[Problem(f"The file is larger than {size_label()}; split it into smaller files.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return ImportPlan(file_problems=[Problem(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). "
            "In your spreadsheet, save it as \"CSV UTF-8\".")])
    return parse_staff_csv(text, today=today)


def parse_staff_csv(text: str, *, today: date | None = None) -> ImportPlan:
    """Read and check every row without writing anything."""
    today = today or date.today()
    text = text.removeprefix("\ufeff")
    plan = ImportPlan(text=text)
    refuse = plan.file_problems.append
    if len(text.encode("utf-8")) > MAX_BYTES:
        refuse(Problem(f"The file is larger than {size_label()}; split it into smaller files."))
        return plan
    if "\x00" in text:
        refuse(Problem("The file contains NUL characters; it is not a CSV text file."))
        return plan
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header, records, last_line = None, [], 0
    try:
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = (line, cells)
                continue
            records.append((line, cells))
            if len(records) > MAX_ROWS:
                refuse(Problem(f"The file has more than {MAX_ROWS:,} people; split it into smaller files."))
                return plan
    except csv.Error as error:
        refuse(Problem(f"the CSV cannot be read from here on ({error}); check the double quotes "
                       "(a quote inside a value is written twice).", last_line + 1))
        return plan
    if header is None:
        refuse(Problem("The file is empty. The first line must be the header: " + ",".join(COLUMNS) + "."))
        return plan
    columns = _check_header(*header, refuse)
    if columns is None:
        return plan
    if not records:
        refuse(Problem("The file has a header but no people to import."))
        return plan
    for line, cells in records:
        if len(cells) != len(columns):
            refuse(Problem(f"expected {len(columns)} values, found {len(cells)}; "
                           "a name or site with a comma must be in double quotes.", line))
            continue
        values = {column: cell.strip() for column, cell in zip(columns, cells, strict=True)}
        # A refused cell is left out, so no later message repeats the character it holds.
        refused = {column: problem for column in COLUMNS
                   if (problem := unusable_character(values[column], single_line=True))}
        values |= dict.fromkeys(refused, "")
        staff_row = StaffRow(
            line=line, name=values["name"], email=normalize_email(values["email"]), site_name=values["site"],
            role_family_text=values["role_family"], manager_email=normalize_email(values["manager_email"]),
            start_date_text=values["start_date"], refused=set(refused),
        )
        for column, problem in refused.items():
            staff_row.problem(column, f"holds {problem}; remove it and save the file again.")
        plan.rows.append(staff_row)
    _check_rows(plan.rows, today)
    return plan


def _check_header(line: int, cells: list[str], refuse: Callable[[Problem], None]) -> list[str] | None:
    columns = [cell.strip().lower() for cell in cells]
    missing = [c for c in COLUMNS if c not in columns]
    extra = [c for c in columns if c not in COLUMNS]
    repeated = sorted({c for c in columns if c in COLUMNS and columns.count(c) > 1})
    if extra:
        refuse(Problem(f"unknown column(s) {', '.join(repr(c) for c in extra)}; remove them. "
                       f"The columns are: {', '.join(COLUMNS)}.", line, "header"))
    if missing:
        refuse(Problem(f"missing column(s) {', '.join(missing)}. The first line must be the header: "
                       f"{','.join(COLUMNS)}.", line, "header"))
    if repeated:
        refuse(Problem(f"column(s) {', '.join(repeated)} appear more than once.", line, "header"))
    return None if extra or missing or repeated else columns


def _family(text: str) -> RoleFamily | None:
    wanted = text.strip().lower()
    return next((f for f in RoleFamily if wanted in (f.value, f.label.lower())), None)


def _in_chunks(items: list[str], size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _users_by_email(emails: set[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for chunk in _in_chunks(sorted(emails)):
        found.update((u.email, u) for u in db.session.scalars(select(User).where(User.email.in_(chunk))))
    return found


def _check_rows(rows: list[StaffRow], today: date) -> None:
    """Check each field, then what rows say about each other and about existing accounts."""
    sites = {s.name.strip().lower(): s for s in db.session.scalars(select(Site))}
    earliest, latest = add_months(today, -120), add_months(today, 12)
    by_email: dict[str, StaffRow] = {}
    for row in rows:
        for column, value in zip(REQUIRED, row.required_values(), strict=True):
            if not value and column not in row.refused:
                row.problem(column, "required; this cell is empty.")
        if len(row.name) > MAX_NAME:
            row.problem("name", f"at most {MAX_NAME} characters (this one has {len(row.name)}).")
        if row.email:
            if len(row.email) > MAX_EMAIL or not EMAIL_PATTERN.match(row.email):
                row.problem("email", f"'{row.email}' is not a valid e-mail address.")
            elif row.email in by_email:
                row.problem("email", f"{row.email} appears more than once in this file (first on line "
                                     f"{by_email[row.email].line}).")
            else:
                by_email[row.email] = row
        if row.site_name:
            row.site = sites.get(row.site_name.lower())
            if row.site is None:
                row.problem("site", f"no site is named '{row.site_name}'. Sites: "
                                    f"{', '.join(sorted(s.name for s in sites.values() if not s.archived)) or 'none yet'}.")
            elif row.site.archived:
                row.problem("site", f"{row.site.name} is archived; choose an active site.")
                row.site = None
        if row.role_family_text:
            row.role_family = _family(row.role_family_text)
            if row.role_family is None:
                row.problem("role_family", f"'{row.role_family_text}' is not a role family. Use one of: "
                                           f"{', '.join(f.value for f in RoleFamily)} (or its label).")
        if row.start_date_text:
            try:
                row.start_date = date.fromisoformat(row.start_date_text)
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", row.start_date_text):
                    raise ValueError
            except ValueError:
                row.start_date = None
                row.problem("start_date", f"'{row.start_date_text}' is not a date written YYYY-MM-DD.")
            else:
                if row.start_date < earliest:
                    row.problem("start_date", f"{row.start_date} is more than 10 years ago (before {earliest}).")
                elif row.start_date > latest:
                    row.problem("start_date", f"{row.start_date} is more than a year ahead (after {latest}).")
    existing = _users_by_email(set(by_email) | {r.manager_email for r in rows if r.manager_email})
    for email, row in by_email.items():
        if email in existing:
            row.problem("email", f"{email} already has an account.")
    for row in rows:
        _check_manager(row, by_email, existing)
    _check_cycles(rows)


def _check_manager(row: StaffRow, by_email: dict[str, StaffRow], existing: dict[str, User]) -> None:
    email = row.manager_email
    if not email:
        return
    if email == row.email:
        row.problem("manager_email", "a person cannot be their own manager.")
    elif email in by_email:
        row.manager_row = by_email[email]
        row.manager_row.role = Role.MANAGER
    elif email in existing:
        manager = existing[email]
        if not manager.active:
            row.problem("manager_email", f"{email} is deactivated; choose an active manager.")
        elif manager.role not in MANAGER_ROLES:
            row.problem("manager_email", f"{email} is a {manager.role.label.lower()} account; a manager must be a "
                                         "manager, HR or admin (or be a row in this file).")
        else:
            row.manager = manager
    else:
        row.problem("manager_email", f"{email} is neither an existing manager's account nor a row in this file.")


def _check_cycles(rows: list[StaffRow]) -> None:
    for row in rows:
        seen, current = {row.email}, row.manager_row
        while current is not None:
            if current is row:
                row.problem("manager_email", "the managers in this file form a loop; someone at the top of the "
                                             "line needs an existing manager or none.")
                break
            if current.email in seen:
                break
            seen.add(current.email)
            current = current.manager_row


def _managers_first(rows: list[StaffRow]) -> list[StaffRow]:
    """Every in-file manager before the people they manage (the checks exclude loops)."""
    def depth(row: StaffRow) -> int:
        steps, current = 0, row.manager_row
        while current is not None:
            steps, current = steps + 1, current.manager_row
        return steps
    return sorted(rows, key=lambda row: (depth(row), row.line))


def apply_plan(plan: ImportPlan, *, actor: User | None, today: date) -> list[User]:
    """Invite everyone in a clean plan, set managers, assign onboarding and schedule the check-ins of those
    whose check-in days are not all behind them: all or nothing.

    Runs in a savepoint: any failure undoes every row and raises StaffImportError. Never commits."""
    if not plan.ok:
        raise StaffImportError(f"The file has {len(plan.problems)} problem(s); nothing was imported.")
    created: dict[str, User] = {}
    try:
        with db.session.begin_nested():
            for row in _managers_first(plan.rows):
                manager = created[row.manager_row.email] if row.manager_row else row.manager
                created[row.email] = invite_user(
                    actor=actor, email=row.email, name=row.name, role=row.role, site=row.site,
                    role_family=row.role_family, manager=manager, start_date=row.start_date,
                )
            for row in plan.rows:
                assign_on_hire(created[row.email], actor=actor, today=today)
                check_ins.schedule_if_current(created[row.email], actor=actor, today=today)
            record(db.session, "staff.imported", None, count=len(created),
                   user_ids=[created[row.email].id for row in plan.rows])
            db.session.flush()
    except (AccountError, OnboardingError) as error:
        raise StaffImportError(f"{error} Nothing was imported.") from error
    log.info("staff import by %s created %s users", actor.id if actor else None, len(created))
    return [created[row.email] for row in plan.rows]


def import_staff_file(path: str | Path, *, dry_run: bool, echo: Callable[..., None],
                      credentials: str | Path | None = None) -> bool:
    """The import-staff command: check the file (and the credentials file, if given), then import it all (and
    commit) or report every problem."""
    from app.admin import credential_import

    plan = plan_from_bytes(Path(path).read_bytes())
    held = credential_import.parse_credentials(Path(credentials).read_bytes(), {row.email for row in plan.rows}) \
        if credentials else credential_import.CredentialPlan()
    name = Path(path).name + (f" with {Path(credentials).name}" if credentials else "")
    problems = plan.problems + held.problems
    if problems:
        echo(f"{name} was refused; nothing was imported. Fix these {len(problems)} problem(s) and run again:")
        for problem in problems:
            echo(f"  - {problem}")
        return False
    if dry_run:
        echo(f"{name} is ready: {len(plan.rows)} people would be imported"
             + (f" with {len(held.rows)} credentials" if credentials else "") + " (dry run; nothing was written).")
        return True
    try:
        users = apply_plan(plan, actor=None, today=date.today())
        if held.rows:
            holders = credential_import.accounts_for({row.email for row in held.rows})
            credential_import.apply_credentials(held, holders)
        db.session.commit()
    except StaffImportError as error:
        db.session.rollback()
        echo(str(error))
        return False
    except Exception:
        db.session.rollback()
        raise
    mail.deliver_committed()
    echo(f"Imported {len(users)} people"
         + (f" and {len(held.rows)} credentials" if held.rows else "") + "; invitations sent.")
    return True
