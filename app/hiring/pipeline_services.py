"""The applicant pipeline: moving an application between stages, with a reason and a history row per move.

Hiring itself is not a move: it creates the employee and their onboarding, so it has its own form.
"""

from __future__ import annotations

import logging

from app.audit import acting_as, record
from app.extensions import db
from app.hiring import candidate_messages
from app.models import Application, Stage, StageChange, User

log = logging.getLogger(__name__)

STAGE_LABELS = {
    Stage.APPLIED: "Applied",
    Stage.SCREENING: "Screening",
    Stage.INTERVIEW: "Interview",
    Stage.OFFER: "Offer",
    Stage.HIRED: "Hired",
    Stage.REJECTED: "Rejected",
    Stage.WITHDRAWN: "Withdrawn",
}
REASON_REQUIRED = (Stage.REJECTED, Stage.WITHDRAWN)


class StageError(Exception):
    """A pipeline move that cannot be made, with a message the person can act on."""


def hire_path(application: Application) -> str:
    """The hire form (built with interviews and scorecards)."""
    return f"/hiring/applications/{application.id}/hire"


def move_stage(application: Application, to_stage: Stage, *, actor: User | None, reason: str = "") -> StageChange:
    """Move an application to another stage, writing its history row and an audit event (and queueing the
    candidate's letter when rejected); actor None is the candidate, who has no account (withdrawing through
    the signed link in their e-mail)."""
    reason = (reason or "").strip()
    name, here = application.name, STAGE_LABELS[application.stage]
    if application.archived or application.posting.archived:
        raise StageError(f"{name}'s application is archived; its stage can no longer change.")
    if application.stage is Stage.HIRED:
        raise StageError(f"{name} has been hired; a hired application cannot move to another stage.")
    if to_stage is Stage.HIRED:
        raise StageError(f"Hiring creates {name}'s employee account and onboarding, so it is not a stage move: "
                         "use the hire form.")
    if to_stage is application.stage:
        raise StageError(f"{name} is already at {here}.")
    if to_stage in REASON_REQUIRED and not reason:
        raise StageError(f"Give a reason for marking {name} {STAGE_LABELS[to_stage].lower()}; it stays on "
                         "their record.")
    actor_id = actor.id if actor is not None else None
    with acting_as(db.session, actor_id):
        change = StageChange(application_id=application.id, from_stage=application.stage, to_stage=to_stage,
                             reason=reason, actor_id=actor_id)
        db.session.add(change)
        from_stage, application.stage = application.stage, to_stage
        record(db.session, "application.moved", application, from_stage=from_stage, to_stage=to_stage,
               reason=reason)
        db.session.flush()
        if to_stage is Stage.REJECTED:
            candidate_messages.queue_rejection(application)
        if to_stage in REASON_REQUIRED:  # rejected or withdrawn: the interviews ahead leave everyone's calendar
            from app.hiring.scheduling import cancel_upcoming  # scheduling builds on the interviews module

            cancel_upcoming(application, actor=actor)
    db.session.expire(application, ["stage_changes"])
    log.info("application %s moved %s -> %s by user %s", application.id, from_stage.value, to_stage.value, actor_id)
    return change


def by_stage(applications: list[Application]) -> dict[Stage, list[Application]]:
    """Applications grouped under every stage, in pipeline order (empty stages included)."""
    groups: dict[Stage, list[Application]] = {stage: [] for stage in Stage}
    for application in applications:
        groups[application.stage].append(application)
    return groups
