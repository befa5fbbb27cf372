"""Required credentials as onboarding tasks: at hire, each credential a role family requires becomes a task on the
new hire's plan ("Provide your RN licence for verification"), which HR's verification of one of that type ticks.

The tasks are ordinary task modules (Method.TASK, HR responsible), one per credential type, kept in one development
track, so they are assigned only to the people who need them and show and count like any other module."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.credentials.rules import required_for
from app.extensions import db
from app.models import (
    CredentialType,
    EmployeeCredential,
    Method,
    Module,
    Progress,
    ProgressStatus,
    Responsible,
    Track,
    TrackKind,
    User,
)

TRACK_KEY = "credentials-to-verify"
DUE_OFFSET_DAYS = 7  # a week from the start date to bring licences and cards to HR


def _module_key(kind: CredentialType) -> str:
    return f"credential-type-{kind.id}"


def _track() -> Track:
    track = db.session.scalar(select(Track).where(Track.key == TRACK_KEY))
    if track is None:
        track = Track(
            key=TRACK_KEY,
            name="Credentials for verification",
            kind=TrackKind.DEVELOPMENT,
            description="One task for each credential a new hire's role requires; HR's verification ticks it.",
        )
        db.session.add(track)
        db.session.flush()
    return track


def task_module_for(kind: CredentialType) -> Module:
    """The task module standing for `kind`, made the first time someone needs it."""
    module = db.session.scalar(select(Module).where(Module.key == _module_key(kind)))
    if module is None:
        track = _track()
        position = db.session.scalar(select(db.func.count(Module.id)).where(Module.track_id == track.id)) or 0
        module = Module(
            key=_module_key(kind),
            track_id=track.id,
            position=position,
            title=f"Provide your {kind.name} for verification",
            content=(
                f"Bring your {kind.name} to HR (the card or licence, or its number and issuing body). "
                + (
                    "HR checks it with the issuing board or registry. "
                    if kind.primary_source_required
                    else "HR records it and checks the copy. "
                )
                + "This task is done when HR has verified it."
            ),
            minutes=10,
            due_offset_days=DUE_OFFSET_DAYS,
            method=Method.TASK,
            responsible=Responsible.HR,
        )
        db.session.add(module)
        db.session.flush()
    return module


def assign_credential_tasks(employee: User, *, actor: User | None, today: dt.date) -> list[Module]:
    """Put a task on the employee's plan for each credential their role family requires that HR has not verified
    yet; a task they already have is left as it is. Returns the task modules assigned."""
    from app.onboarding.services import assign_development_modules

    if employee.role_family is None or not employee.active:
        return []
    required = required_for(employee.role_family.value, db.session.scalars(select(CredentialType)))
    verified = set(
        db.session.scalars(
            select(EmployeeCredential.credential_type_id).where(
                EmployeeCredential.employee_id == employee.id,
                EmployeeCredential.archived_at.is_(None),
                EmployeeCredential.verified_at.is_not(None),
            )
        )
    )
    modules = [task_module_for(kind) for kind in required if kind.id not in verified]
    if modules:
        assign_development_modules(employee, modules, actor=actor, today=today, reason="Credentials your role requires")
    return modules


def tick_credential_task(credential: EmployeeCredential, *, actor: User | None) -> bool:
    """Complete the employee's open task for this credential's type, now that one is verified (by HR, or arriving
    verified with an import: actor None); False if there is none."""
    from app.onboarding.services import complete

    progress = db.session.scalar(
        select(Progress)
        .join(Module, Module.id == Progress.module_id)
        .where(
            Progress.employee_id == credential.employee_id,
            Module.key == _module_key(credential.credential_type),
            Progress.status.not_in([ProgressStatus.COMPLETED, ProgressStatus.WAIVED]),
        )
    )
    if progress is None:
        return False
    return complete(progress, actor=actor, signed_off_by=actor)
