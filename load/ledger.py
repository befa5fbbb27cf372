"""What the load run reads from its private database: accounts and quiz answers before, and after,
whether every completion the clients saw succeed is stored exactly once."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime

from cluster import ROOT

sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.orm import Session, aliased  # noqa: E402

from app.models import (  # noqa: E402
    Completion,
    Method,
    Module,
    Progress,
    ProgressStatus,
    QuizItem,
    Role,
    User,
    utcnow,
)
from config import database_url  # noqa: E402


def session(url: str) -> Session:
    return Session(create_engine(database_url(url), pool_pre_ping=True))


def accounts(url: str) -> dict:
    """Demo accounts by role; new hires are the staff with an attest or quiz module still open."""
    with session(url) as db:
        open_work = (
            select(Progress.employee_id).join(Module, Module.id == Progress.module_id)
            .where(Module.method.in_([Method.ATTEST, Method.QUIZ]), Module.archived_at.is_(None),
                   Progress.status.in_([ProgressStatus.NOT_STARTED, ProgressStatus.IN_PROGRESS]))
            .group_by(Progress.employee_id).having(func.count() >= 3)
        )
        new_hires = db.scalars(select(User.email).where(User.id.in_(open_work), User.role == Role.STAFF,
                                                         User.active).order_by(User.start_date.desc())).all()
        report = aliased(User)
        managers = db.scalars(select(User.email).where(
            User.role == Role.MANAGER, User.active,
            User.id.in_(select(report.manager_id).where(report.active))).order_by(User.id)).all()
        answers: dict[int, dict[int, list[int]]] = {}
        for item in db.scalars(select(QuizItem).where(QuizItem.archived_at.is_(None))):
            answers.setdefault(item.module_id, {})[item.id] = list(item.answers)
        pending_sign_offs = db.scalar(select(func.count(Progress.id)).where(
            Progress.sign_off_requested_at.is_not(None), Progress.status != ProgressStatus.COMPLETED))
        db.get_bind().dispose()
    return {"new_hires": list(new_hires), "managers": list(managers), "quiz_answers": answers,
            "pending_sign_offs": pending_sign_offs}


__all__ = ["accounts", "check_completions", "utcnow"]


@dataclass
class Verdict:
    seen: int = 0  # distinct completions the clients saw succeed
    stored: int = 0  # completions written since the run began
    lost: list = field(default_factory=list)  # seen, but not exactly one row
    duplicated: list = field(default_factory=list)  # (employee, module, version) with more than one row
    not_completed: list = field(default_factory=list)  # seen, but the progress row is not completed
    unacknowledged: int = 0  # stored, but no client saw the success (e.g. the page after it failed)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.not_completed)


def check_completions(url: str, seen_keys: list[tuple], since: datetime) -> Verdict:
    """Every completion a client saw succeed is stored exactly once and its progress is completed; no
    (employee, module, version) has two completions anywhere in the database."""
    verdict = Verdict()
    with session(url) as db:
        emails = dict(db.execute(select(User.email, User.id)).all())
        progress_by_id = {p.id: p for p in db.scalars(select(Progress).where(Progress.completed_at >= since))}
        wanted: set[tuple[int, int]] = set()
        for key in set(seen_keys):
            if key[0] == "module":
                wanted.add((emails[key[1]], key[2]))
            else:
                progress = progress_by_id.get(key[1]) or db.get(Progress, key[1])
                wanted.add((progress.employee_id, progress.module_id))
        verdict.seen = len(wanted)
        recent = db.execute(select(Completion.employee_id, Completion.module_id, func.count())
                            .where(Completion.completed_at >= since)
                            .group_by(Completion.employee_id, Completion.module_id)).all()
        stored = {(employee, module): n for employee, module, n in recent}
        verdict.stored = sum(stored.values())
        statuses = dict(((p.employee_id, p.module_id), p.status) for p in progress_by_id.values())
        for pair in sorted(wanted):
            if stored.get(pair, 0) != 1:
                verdict.lost.append((pair, stored.get(pair, 0)))
            if statuses.get(pair) is not ProgressStatus.COMPLETED:
                verdict.not_completed.append(pair)
        verdict.unacknowledged = len(set(stored) - wanted)
        verdict.duplicated = db.execute(
            select(Completion.employee_id, Completion.module_id, Completion.module_version, func.count())
            .group_by(Completion.employee_id, Completion.module_id, Completion.module_version)
            .having(func.count() > 1)).all()
        db.get_bind().dispose()
    return verdict

