"""The training export: one CSV row per employee and module, streamed so memory stays flat at any size."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from sqlalchemy import case, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Assignment, Module, Progress, ProgressStatus, Site, Track, TrackKind, User, Value, module_value
from app.reports.services import ReportFilters, staff_scope

HEADER = ["Employee", "E-mail", "Site", "Role family", "Manager", "Track", "Module", "Values", "Status", "Due",
          "Completed at", "Version", "Signed off by"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000
STATUS_LABELS = {ProgressStatus.COMPLETED: "completed", ProgressStatus.WAIVED: "waived",
                 ProgressStatus.IN_PROGRESS: "in progress", ProgressStatus.NOT_STARTED: "not started"}


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def status_label(status: ProgressStatus, due: date | None, today: date) -> str:
    """completed, waived, overdue, in progress or not started."""
    if status in (ProgressStatus.COMPLETED, ProgressStatus.WAIVED):
        return STATUS_LABELS[status]
    if due is not None and due < today:
        return "overdue"
    return STATUS_LABELS[status]


def module_values() -> dict[int, str]:
    """Module id -> the names of the values it builds, joined with "; " (one query)."""
    names: dict[int, list[str]] = defaultdict(list)
    for module_id, name in db.session.execute(
        select(module_value.c.module_id, Value.name).join(Value, Value.id == module_value.c.value_id)
        .order_by(module_value.c.module_id, Value.position, Value.id)
    ):
        names[module_id].append(name)
    return {module_id: "; ".join(values) for module_id, values in names.items()}


def training_rows(filters: ReportFilters):
    """The export's statement: active employees in scope, their active assignments' current modules."""
    manager, signer = aliased(User), aliased(User)
    return (
        select(User.name, User.email, Site.name, User.role_family, manager.name, Track.name, Module.id,
               Module.title, Progress.status, Progress.due_date, Progress.completed_at,
               Progress.completed_version, signer.name)
        .select_from(Progress)
        .join(Assignment, Assignment.id == Progress.assignment_id)
        .join(Module, Module.id == Progress.module_id)
        .join(Track, Track.id == Module.track_id)
        .join(User, User.id == Progress.employee_id)
        .outerjoin(Site, Site.id == User.site_id)
        .outerjoin(manager, manager.id == User.manager_id)
        .outerjoin(signer, signer.id == Progress.signed_off_by_id)
        .where(Assignment.unassigned_at.is_(None), Module.archived_at.is_(None), *staff_scope(filters))
        .order_by(User.name, User.id, case((Track.kind == TrackKind.ALL_STAFF, 0), else_=1), Track.id,
                  Module.position, Module.id)
        .execution_options(yield_per=BATCH)
    )


class _Chunk:
    """One writer for a batch of rows, emptied each time the batch is taken."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)
        self.rows = 0

    def add(self, cells: list) -> None:
        self.writer.writerow([safe_cell(cell) for cell in cells])
        self.rows += 1

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        self.rows = 0
        return text


def training_csv(filters: ReportFilters, *, today: date, values: dict[int, str] | None = None) -> Iterator[str]:
    """The CSV, a line at a time; rows come from the database in batches of 1,000 (a server-side
    cursor on PostgreSQL), so 5,000 employees never sit in memory at once. values (module_values())
    may be read beforehand by the view, so an unreachable database fails before the first byte."""
    chunk = _Chunk()
    chunk.add(HEADER)
    yield chunk.take()
    values = module_values() if values is None else values
    with db.session.execute(training_rows(filters)) as result:  # closes the cursor if the client goes away
        for (name, email, site, family, manager, track, module_id, module, status, due, completed_at, version,
             signer) in result:
            chunk.add([
                name, email, site, family.label if family else "", manager, track, module,
                values.get(module_id, ""), status_label(status, due, today), due.isoformat() if due else "",
                completed_at.isoformat(sep=" ", timespec="minutes") if completed_at else "", version, signer,
            ])
            if chunk.rows >= BATCH:
                yield chunk.take()
    if chunk.rows:
        yield chunk.take()
