"""Scheduling an application's interview: time in the site's zone (stored in UTC), length, place or video link,
the panel; refusing a time an interviewer already has; changing or cancelling it with calendar e-mail."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit import record
from app.extensions import db
from app.hiring import invitations
from app.hiring.interviews import assign_interviewer
from app.hiring.scoring import CLOSED_STAGES, ScorecardError
from app.models import Application, Interview, InterviewAssignment, InterviewPanelist, Posting, User, utcnow
from app.timezones import NoSuchLocalTime, local, local_label, to_utc

log = logging.getLogger(__name__)
MIN_MINUTES, MAX_MINUTES = 5, 480


class ScheduleError(Exception):
    """A schedule HR cannot have as asked; the message says what to change."""


@dataclass(frozen=True)
class Slot:
    """What HR enters: the day and wall-clock start at the site, the length, where, and who."""

    day: date
    start: time
    minutes: int
    location: str
    video_url: str
    interviewers: tuple[User, ...]


def schedule_interview(application: Application, slot: Slot, *, actor: User) -> Interview:
    """Schedule an interview and queue its invitations (METHOD:REQUEST, SEQUENCE 0) to the candidate and panel."""
    _check_open(application)
    zone_name = application.posting.site.time_zone
    starts_at, ends_at = _times(slot, zone_name)
    _check_panel(slot.interviewers)
    _check_conflicts(slot.interviewers, starts_at, ends_at, exclude=None)
    interview = Interview(application_id=application.id, application=application, starts_at=starts_at,
                          ends_at=ends_at, minutes=slot.minutes, time_zone=zone_name, location=slot.location.strip(),
                          video_url=slot.video_url.strip(), organizer_id=actor.id, organizer=actor, sequence=0)
    db.session.add(interview)
    db.session.flush()
    panel = _set_panel(interview, slot.interviewers, actor=actor)
    record(db.session, "interview.scheduled", interview, application_id=application.id, starts_at=starts_at,
           panel=[person.id for person in panel])
    invitations.send_request(interview, panel)
    db.session.flush()
    log.info("interview %s for application %s scheduled by %s", interview.id, application.id, actor.id)
    return interview


def reschedule_interview(interview: Interview, slot: Slot, *, actor: User) -> Interview:
    """Change the time, place or panel: the next SEQUENCE goes to the candidate and panel as an update, and a
    CANCEL to anyone taken off the panel. Refused when nothing changed."""
    if interview.cancelled:
        raise ScheduleError("This interview was cancelled; schedule a new one instead.")
    application = interview.application
    _check_open(application)
    zone_name = application.posting.site.time_zone
    starts_at, ends_at = _times(slot, zone_name)
    _check_panel(slot.interviewers)
    before = {person.id for person in panel_of(interview)}
    wanted = {person.id for person in slot.interviewers}
    same = (starts_at, ends_at, zone_name, slot.location.strip(), slot.video_url.strip(), wanted) == (
        interview.starts_at, interview.ends_at, interview.time_zone, interview.location, interview.video_url, before)
    if same:
        raise ScheduleError("Nothing changed: the interview keeps its time, place and panel.")
    _check_conflicts(slot.interviewers, starts_at, ends_at, exclude=interview.id)
    interview.starts_at, interview.ends_at, interview.minutes = starts_at, ends_at, slot.minutes
    interview.time_zone, interview.location, interview.video_url = zone_name, slot.location.strip(), slot.video_url.strip()
    interview.sequence += 1
    removed = [p.interviewer for p in _panelists(interview) if p.removed_at is None and p.interviewer_id not in wanted]
    panel = _set_panel(interview, slot.interviewers, actor=actor)
    record(db.session, "interview.rescheduled", interview, sequence=interview.sequence, starts_at=starts_at,
           panel=[person.id for person in panel], removed=[person.id for person in removed])
    invitations.send_request(interview, panel)
    if removed:
        invitations.send_cancel(interview, removed, candidate=False)
    db.session.flush()
    log.info("interview %s rescheduled (sequence %s) by %s", interview.id, interview.sequence, actor.id)
    return interview


def cancel_interview(interview: Interview, *, actor: User | None) -> None:
    """Cancel: METHOD:CANCEL with the same UID and the next SEQUENCE to the candidate and panel; the row stays.
    actor None: the system, when the application closed."""
    if interview.cancelled:
        raise ScheduleError("This interview is already cancelled.")
    panel = panel_of(interview)
    interview.cancelled_at = utcnow()
    interview.sequence += 1
    record(db.session, "interview.cancelled", interview, sequence=interview.sequence)
    invitations.send_cancel(interview, panel)
    db.session.flush()
    log.info("interview %s cancelled by %s", interview.id, actor.id if actor else None)


def cancel_upcoming(application: Application, *, actor: User | None) -> int:
    """Cancel the application's interviews still ahead (it was rejected or withdrawn), telling everyone's
    calendars; returns how many."""
    upcoming = db.session.scalars(select(Interview).where(
        Interview.application_id == application.id, Interview.cancelled_at.is_(None),
        Interview.starts_at > utcnow()).order_by(Interview.id)).all()
    for interview in upcoming:
        cancel_interview(interview, actor=actor)
    return len(upcoming)


# Checks ------------------------------------------------------------------------------------------
def _check_open(application: Application) -> None:
    if application.stage in CLOSED_STAGES or application.archived:
        raise ScheduleError(f"{application.name}'s application is {application.stage.value}; "
                            "its interviews can no longer be scheduled.")


def _times(slot: Slot, zone_name: str) -> tuple[datetime, datetime]:
    if not MIN_MINUTES <= slot.minutes <= MAX_MINUTES:
        raise ScheduleError(f"An interview lasts between {MIN_MINUTES} and {MAX_MINUTES} minutes.")
    if not (slot.location.strip() or slot.video_url.strip()):
        raise ScheduleError("Give the place or the video link, so people know where to go.")
    try:
        starts_at = to_utc(slot.day, slot.start, zone_name)
    except NoSuchLocalTime as problem:
        raise ScheduleError(str(problem)) from None
    if starts_at <= utcnow():
        raise ScheduleError(f"{local_label(starts_at, zone_name)} has already passed; choose a time ahead.")
    return starts_at, starts_at + timedelta(minutes=slot.minutes)


def _check_panel(interviewers: tuple[User, ...]) -> None:
    if not interviewers:
        raise ScheduleError("Choose at least one interviewer for the panel.")
    for person in interviewers:
        if not (person.active and person.is_interviewer):
            raise ScheduleError(f"{person.name} does not hold the interviewer permission.")


def _check_conflicts(interviewers: tuple[User, ...], starts_at: datetime, ends_at: datetime, *,
                     exclude: int | None) -> None:
    """Refuse a time that overlaps another interview of one of the interviewers. Back-to-back is fine: an
    interview ending at 10:00 does not overlap one starting at 10:00."""
    ids = sorted(person.id for person in interviewers)
    # Lock the interviewers' rows (PostgreSQL), so two HR users cannot book one person twice at once.
    db.session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update())
    clash = db.session.execute(
        select(Interview, InterviewPanelist.interviewer_id)
        .join(InterviewPanelist, InterviewPanelist.interview_id == Interview.id)
        .options(selectinload(Interview.application))
        .where(InterviewPanelist.interviewer_id.in_(ids), InterviewPanelist.removed_at.is_(None),
               Interview.cancelled_at.is_(None), Interview.id != (exclude or 0),
               Interview.starts_at < ends_at, Interview.ends_at > starts_at)
        .order_by(Interview.starts_at, Interview.id)
        .limit(1)
    ).first()
    if clash:
        other, person_id = clash
        person = next(p for p in interviewers if p.id == person_id)
        end = local(other.ends_at, other.time_zone)
        raise ScheduleError(
            f"{person.name} already has an interview then: {other.application.name}, "
            f"{local_label(other.starts_at, other.time_zone)} to {end:%-I:%M %p} {end.tzname()}. "
            "Choose another time or another interviewer.")


# The panel ---------------------------------------------------------------------------------------
def _panelists(interview: Interview) -> list[InterviewPanelist]:
    return list(db.session.scalars(select(InterviewPanelist).options(selectinload(InterviewPanelist.interviewer))
                                   .where(InterviewPanelist.interview_id == interview.id)
                                   .order_by(InterviewPanelist.id)))


def panel_of(interview: Interview) -> list[User]:
    """The interviewers on the panel now, in the order they were added."""
    return [p.interviewer for p in _panelists(interview) if p.removed_at is None]


def _set_panel(interview: Interview, interviewers: tuple[User, ...], *, actor: User) -> list[User]:
    """Make the panel these interviewers: each gets a place on the application's scorecard panel if they have
    none (with its e-mail), panelists taken off keep their row with removed_at."""
    rows = {p.interviewer_id: p for p in _panelists(interview)}
    wanted = {person.id for person in interviewers}
    now = utcnow()
    for person_id, row in rows.items():
        if person_id not in wanted and row.removed_at is None:
            row.removed_at = now
    assigned = set(db.session.scalars(select(InterviewAssignment.interviewer_id).where(
        InterviewAssignment.application_id == interview.application_id)))
    for person in interviewers:
        if person.id not in assigned:
            try:
                assign_interviewer(interview.application, person, actor=actor)
            except ScorecardError as problem:
                raise ScheduleError(str(problem)) from None
        row = rows.get(person.id)
        if row is None:
            db.session.add(InterviewPanelist(interview_id=interview.id, interviewer_id=person.id))
        elif row.removed_at is not None:
            row.removed_at = None
    db.session.flush()
    order = {person_id: index for index, person_id in enumerate(rows)}  # panelists already on it keep their place
    return sorted(interviewers, key=lambda person: order.get(person.id, len(order)))


# Reading -----------------------------------------------------------------------------------------
def interviews_of(application: Application) -> list[Interview]:
    """The application's interviews, soonest first, with their panels loaded (two queries)."""
    return list(db.session.scalars(
        select(Interview).options(selectinload(Interview.panel).selectinload(InterviewPanelist.interviewer))
        .where(Interview.application_id == application.id)
        .order_by(Interview.cancelled_at.is_not(None), Interview.starts_at, Interview.id)))


def scheduled_for(user: User, application_ids=None) -> list[Interview]:
    """The interviews (not cancelled) whose panel the user is on now, soonest first; with application_ids, only
    those applications'."""
    query = (select(Interview).join(InterviewPanelist, InterviewPanelist.interview_id == Interview.id)
             .join(Application, Application.id == Interview.application_id)
             .options(selectinload(Interview.application).selectinload(Application.posting)
                      .selectinload(Posting.site))
             .where(InterviewPanelist.interviewer_id == user.id, InterviewPanelist.removed_at.is_(None),
                    Interview.cancelled_at.is_(None), Application.archived_at.is_(None))
             .order_by(Interview.starts_at, Interview.id))
    if application_ids is not None:
        query = query.where(Interview.application_id.in_(list(application_ids)))
    return list(db.session.scalars(query))
