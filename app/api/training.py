"""Tracks, modules, assignments, progress, check-ins and completions (with completions pushed from an
external LMS)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.api import bp
from app.api.access import authenticated, requires
from app.api.completions import CompletionRefused, record_external_completion
from app.api.employees import employee_or_404
from app.api.idempotency import HEADER, presented_key, remember, replay
from app.api.paging import cursor_page
from app.api.problems import ApiProblem, found, get_or_404, problems
from app.api.schemas import (
    AssignmentOut,
    CheckInOut,
    CompletionIn,
    CompletionPage,
    CompletionQuery,
    CompletionResult,
    ModuleOut,
    TrackDetail,
    TrackOut,
)
from app.extensions import db
from app.models import Assignment, CheckIn, Completion, Module, Progress, Scope, Track

IDEMPOTENCY_PARAMETER = {
    "in": "header", "name": HEADER, "required": False, "schema": {"type": "string", "maxLength": 200},
    "description": "Send the same key when retrying: the first answer is replayed; the same key with another "
                   "body is refused (409).",
}


@bp.route("/tracks", methods=["GET"])
@requires(Scope.READ_TRAINING)
@bp.response(200, TrackOut(many=True))
@problems()
def list_tracks():
    """Every onboarding track, archived ones included (archived: true)."""
    return db.session.scalars(select(Track).order_by(Track.id)).all()


@bp.route("/tracks/<int:track_id>", methods=["GET"])
@requires(Scope.READ_TRAINING)
@bp.response(200, TrackDetail)
@problems(404)
def get_track(track_id: int):
    """One track with its modules in order."""
    track = db.session.scalar(select(Track).where(Track.id == track_id)
                              .options(selectinload(Track.modules).selectinload(Module.values)))
    return found(track, "track", track_id)


@bp.route("/modules/<int:module_id>", methods=["GET"])
@requires(Scope.READ_TRAINING)
@bp.response(200, ModuleOut)
@problems(404)
def get_module(module_id: int):
    """One module: its method, version and the values it builds."""
    return get_or_404(Module, module_id, "module")


@bp.route("/employees/<int:employee_id>/assignments", methods=["GET"])
@requires(Scope.READ_TRAINING)
@bp.response(200, AssignmentOut(many=True))
@problems(404)
def list_assignments(employee_id: int):
    """The tracks assigned to an employee, each with the progress on its modules."""
    employee = employee_or_404(employee_id)
    assignments = db.session.scalars(select(Assignment).where(Assignment.employee_id == employee.id)
                                     .options(selectinload(Assignment.track)).order_by(Assignment.id)).all()
    progress = db.session.scalars(select(Progress).where(Progress.employee_id == employee.id)
                                  .order_by(Progress.id)).all()
    by_assignment: dict[int | None, list[Progress]] = {}
    for row in progress:
        by_assignment.setdefault(row.assignment_id, []).append(row)
    return [{"id": a.id, "track_id": a.track_id, "track_name": a.track.name, "reason": a.reason,
             "assigned_at": a.created_at, "unassigned_at": a.unassigned_at,
             "progress": by_assignment.get(a.id, [])} for a in assignments]


@bp.route("/employees/<int:employee_id>/check-ins", methods=["GET"])
@requires(Scope.READ_TRAINING)
@bp.response(200, CheckInOut(many=True))
@problems(404)
def list_check_ins(employee_id: int):
    """An employee's values check-ins: when each is due and which sides are in (ratings stay in the app)."""
    employee = employee_or_404(employee_id)
    return db.session.scalars(select(CheckIn).where(CheckIn.employee_id == employee.id)
                              .order_by(CheckIn.due_date, CheckIn.id)).all()


@bp.route("/completions", methods=["GET"])
@requires(Scope.READ_TRAINING)
@bp.arguments(CompletionQuery, location="query", as_kwargs=True)
@bp.response(200, CompletionPage)
@problems(422)
def list_completions(limit: int, cursor: int | None = None, employee_id: int | None = None,
                     since: date | None = None):
    """Every completion recorded (in the app or by an LMS), oldest first; follow next_cursor for more."""
    query = select(Completion)
    if employee_id is not None:
        query = query.where(Completion.employee_id == employee_id)
    if since is not None:
        query = query.where(Completion.completed_at >= datetime.combine(since, time()))
    return cursor_page(query, Completion.id, limit, cursor)


@bp.route("/completions", methods=["POST"])
@requires(Scope.WRITE_COMPLETIONS)
@bp.arguments(CompletionIn)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER])
@bp.response(201, CompletionResult)
@bp.alt_response(200, schema=CompletionResult, description="The module was already complete; nothing changed")
@problems(400, 409, 422)
def record_completion(data: dict):
    """Record that an employee completed an assigned module in an external LMS (module version and day)."""
    token = authenticated()
    key = presented_key()
    earlier = replay(token, key, data)
    if earlier is not None:
        return earlier
    try:
        recorded, progress = record_external_completion(
            token=token, employee_id=data["employee_id"], module_id=data["module_id"],
            module_version=data["module_version"], completed_on=data["completed_on"], score=data.get("score"),
            today=date.today())
    except CompletionRefused as refusal:
        if refusal.field:
            raise ApiProblem(422, str(refusal), errors={refusal.field: [str(refusal)]}) from refusal
        raise ApiProblem(refusal.status, str(refusal)) from refusal
    status = 201 if recorded else 200
    body = CompletionResult().dump({"recorded": recorded, "progress": progress})
    remember(token, key, data, status, body)
    try:
        db.session.commit()
    except IntegrityError as clash:  # a twin request with the same key committed first
        db.session.rollback()
        raise ApiProblem(409, f"Another request with this {HEADER} was handled at the same moment; send it "
                              "again to get its answer.") from clash
    return {"recorded": recorded, "progress": progress}, status
