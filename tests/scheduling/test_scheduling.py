"""Scheduling rules: times entered at the site stored in UTC across daylight-saving changes, conflicts of an
interviewer refused (back-to-back allowed), SEQUENCE counting each version, cancellations kept."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from app.hiring import scheduling
from app.hiring.scheduling import ScheduleError
from app.models import (
    AuditEvent,
    Interview,
    InterviewAssignment,
    InterviewPanelist,
    OutboxMessage,
    Stage,
)
from tests.scheduling.conftest import slot


def counts(db) -> tuple[int, int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Interview, InterviewPanelist, InterviewAssignment, OutboxMessage))


def keys(db) -> list[str]:
    return sorted(db.session.scalars(select(OutboxMessage.dedupe_key)))


@pytest.mark.parametrize(("day", "utc"), [
    (date(2027, 3, 12), datetime(2027, 3, 12, 14, 0)),  # Friday before clocks go forward (March 14): EST
    (date(2027, 3, 15), datetime(2027, 3, 15, 13, 0)),  # the Monday after: EDT
    (date(2027, 11, 5), datetime(2027, 11, 5, 13, 0)),  # Friday before clocks go back (November 7): EDT
    (date(2027, 11, 8), datetime(2027, 11, 8, 14, 0)),  # the Monday after: EST
])
def test_nine_at_a_new_york_site_is_stored_as_the_right_utc_across_daylight_saving(db, org, day, utc):
    interview = scheduling.schedule_interview(org.rosa, slot(org.ivy, day=day), actor=org.hr)
    assert (interview.starts_at, interview.time_zone) == (utc, "America/New_York")
    assert (interview.ends_at - interview.starts_at).total_seconds() == 3600


def test_scheduling_puts_the_panel_on_the_scorecard_panel_and_writes_the_audit_entry(db, org):
    interview = scheduling.schedule_interview(org.rosa, slot(org.ivy, org.ian), actor=org.hr)
    assert [p.name for p in scheduling.panel_of(interview)] == ["Ivy Interviewer", "Ian Panelist"]
    assigned = db.session.scalars(select(InterviewAssignment.interviewer_id)
                                  .where(InterviewAssignment.application_id == org.rosa.id)).all()
    assert sorted(assigned) == sorted([org.ivy.id, org.ian.id])
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "interview.scheduled"))
    assert (event.entity_id, event.after["panel"]) == (interview.id, [org.ivy.id, org.ian.id])
    assert interview.sequence == 0 and interview.organizer_id == org.hr.id


def test_an_overlapping_interview_of_the_same_interviewer_is_refused_naming_the_other_time(db, org):
    scheduling.schedule_interview(org.rosa, slot(org.ivy, at=time(9, 0), minutes=60), actor=org.hr)
    before, queued = counts(db), keys(db)
    with pytest.raises(ScheduleError) as refused:
        scheduling.schedule_interview(org.bo, slot(org.paz, org.ivy, at=time(9, 30), minutes=30), actor=org.hr)
    assert str(refused.value) == ("Ivy Interviewer already has an interview then: Rosa Diaz, "
                                  "Tue, Mar 16, 2027, 9:00 AM EDT to 10:00 AM EDT. "
                                  "Choose another time or another interviewer.")
    assert counts(db) == before and keys(db) == queued


@pytest.mark.parametrize(("at", "minutes"), [(time(8, 0), 90), (time(9, 59), 5), (time(8, 30), 180)])
def test_any_overlap_counts(db, org, at, minutes):
    scheduling.schedule_interview(org.rosa, slot(org.ivy, at=time(9, 0), minutes=60), actor=org.hr)
    with pytest.raises(ScheduleError, match="Ivy Interviewer already has an interview then"):
        scheduling.schedule_interview(org.bo, slot(org.ivy, at=at, minutes=minutes), actor=org.hr)


def test_back_to_back_interviews_are_fine(db, org):
    scheduling.schedule_interview(org.rosa, slot(org.ivy, at=time(9, 0), minutes=60), actor=org.hr)
    after = scheduling.schedule_interview(org.bo, slot(org.ivy, at=time(10, 0), minutes=60), actor=org.hr)
    before = scheduling.schedule_interview(org.bo, slot(org.ivy, at=time(8, 15), minutes=45), actor=org.hr)
    assert {after.id, before.id} <= set(db.session.scalars(select(Interview.id)))


def test_another_interviewer_a_cancelled_interview_or_a_panelist_taken_off_do_not_conflict(db, org):
    first = scheduling.schedule_interview(org.rosa, slot(org.ivy, org.ian), actor=org.hr)
    scheduling.schedule_interview(org.bo, slot(org.paz), actor=org.hr)  # someone else at the same time
    scheduling.reschedule_interview(first, slot(org.ivy), actor=org.hr)  # Ian taken off
    scheduling.schedule_interview(org.bo, slot(org.ian, at=time(9, 15), minutes=30), actor=org.hr)
    scheduling.cancel_interview(first, actor=org.hr)
    scheduling.schedule_interview(org.bo, slot(org.ivy, at=time(9, 30), minutes=15, location="Room 4"), actor=org.hr)


def test_a_change_raises_the_sequence_and_a_cancellation_raises_it_again(db, org):
    interview = scheduling.schedule_interview(org.rosa, slot(org.ivy, org.ian), actor=org.hr)
    scheduling.reschedule_interview(interview, slot(org.ivy, org.ian, at=time(14, 0)), actor=org.hr)
    assert (interview.sequence, interview.starts_at) == (1, datetime(2027, 3, 16, 18, 0))
    scheduling.reschedule_interview(interview, slot(org.ivy, at=time(14, 0)), actor=org.hr)
    assert interview.sequence == 2
    scheduling.cancel_interview(interview, actor=org.hr)
    assert interview.sequence == 3 and interview.cancelled
    rosa = [key for key in keys(db) if key.startswith(("interview.invitation:", "interview.cancellation:"))]
    assert rosa == sorted([
        f"interview.invitation:{org.rosa.id}:{interview.id}.0", f"interview.invitation:{org.rosa.id}:{interview.id}.1",
        f"interview.invitation:{org.rosa.id}:{interview.id}.2", f"interview.cancellation:{org.rosa.id}:{interview.id}.3"])
    # Ian was taken off at version 2: a cancellation for him, and no later mail.
    ian = sorted(key for key in keys(db) if key.endswith(f":{org.ian.id}") and key.startswith("interview.panel"))
    assert ian == [f"interview.panel_cancellation:{interview.id}.2:{org.ian.id}",
                   f"interview.panel_invitation:{interview.id}.0:{org.ian.id}",
                   f"interview.panel_invitation:{interview.id}.1:{org.ian.id}"]
    assert db.session.scalar(select(func.count()).select_from(Interview)) == 1  # kept, marked cancelled


def test_a_change_that_changes_nothing_is_refused_and_a_cancelled_interview_stays_cancelled(db, org):
    interview = scheduling.schedule_interview(org.rosa, slot(org.ivy), actor=org.hr)
    with pytest.raises(ScheduleError, match="Nothing changed"):
        scheduling.reschedule_interview(interview, slot(org.ivy), actor=org.hr)
    assert interview.sequence == 0
    scheduling.cancel_interview(interview, actor=org.hr)
    before = counts(db)
    with pytest.raises(ScheduleError, match="already cancelled"):
        scheduling.cancel_interview(interview, actor=org.hr)
    with pytest.raises(ScheduleError, match="was cancelled; schedule a new one"):
        scheduling.reschedule_interview(interview, slot(org.ivy, at=time(11, 0)), actor=org.hr)
    assert counts(db) == before and interview.sequence == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"day": date(2020, 1, 6)}, "Mon, Jan 6, 2020, 9:00 AM EST has already passed"),
    ({"day": date(2027, 3, 14), "at": time(2, 30)}, "2:30 AM does not exist on Mar 14, 2027 in America/New_York"),
    ({"minutes": 600}, "An interview lasts between 5 and 480 minutes."),
    ({"location": "", "video_url": ""}, "Give the place or the video link"),
])
def test_a_time_that_cannot_be_is_refused_and_changes_nothing(db, org, change, message):
    before = counts(db)
    with pytest.raises(ScheduleError, match=message):
        scheduling.schedule_interview(org.rosa, slot(org.ivy, **change), actor=org.hr)
    assert counts(db) == before


def test_only_interviewers_sit_on_a_panel_and_closed_applications_are_not_scheduled(db, org, make_user):
    outsider = make_user(name="Olga Outsider")
    with pytest.raises(ScheduleError, match="Olga Outsider does not hold the interviewer permission"):
        scheduling.schedule_interview(org.rosa, slot(org.ivy, outsider), actor=org.hr)
    with pytest.raises(ScheduleError, match="Choose at least one interviewer"):
        scheduling.schedule_interview(org.rosa, slot(), actor=org.hr)
    org.bo.stage = Stage.WITHDRAWN
    with pytest.raises(ScheduleError, match="Bo Bradley's application is withdrawn"):
        scheduling.schedule_interview(org.bo, slot(org.ivy), actor=org.hr)
    assert counts(db)[0] == 0


def test_an_interviewer_on_a_scheduled_interview_cannot_be_removed_from_the_scorecard_panel(db, org):
    from app.hiring.interviews import remove_interviewer
    from app.hiring.scoring import ScorecardError

    interview = scheduling.schedule_interview(org.rosa, slot(org.ivy), actor=org.hr)
    assignment = db.session.scalar(select(InterviewAssignment).where(InterviewAssignment.interviewer_id == org.ivy.id))
    with pytest.raises(ScorecardError, match="is on a scheduled interview of this candidate"):
        remove_interviewer(assignment, actor=org.hr)
    scheduling.cancel_interview(interview, actor=org.hr)
    remove_interviewer(assignment, actor=org.hr)
    assert db.session.get(InterviewAssignment, assignment.id) is None


@pytest.mark.parametrize("to_stage", [Stage.REJECTED, Stage.WITHDRAWN])
def test_rejecting_or_withdrawing_cancels_the_interviews_ahead_and_leaves_past_ones(db, org, to_stage):
    from app.hiring.pipeline_services import move_stage

    ahead = scheduling.schedule_interview(org.rosa, slot(org.ivy), actor=org.hr)
    past = Interview(application_id=org.rosa.id, starts_at=datetime(2026, 1, 5, 14), ends_at=datetime(2026, 1, 5, 15),
                     minutes=60, time_zone="America/New_York", location="Room 1", organizer_id=org.hr.id)
    db.session.add(past)
    db.session.flush()
    move_stage(org.rosa, to_stage, actor=None if to_stage is Stage.WITHDRAWN else org.hr, reason="Took another job.")
    assert ahead.cancelled and ahead.sequence == 1 and not past.cancelled
    cancellation = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.dedupe_key == f"interview.cancellation:{org.rosa.id}:{ahead.id}.1"))
    assert "is cancelled." in cancellation.body and "We will be in touch" not in cancellation.body
    assert "/careers/withdraw/" not in cancellation.body  # the application is closed: no withdraw link
    assert db.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.dedupe_key == f"interview.panel_cancellation:{ahead.id}.1:{org.ivy.id}"))


def test_moving_an_interview_over_its_own_old_time_is_no_conflict_but_over_another_is(db, org):
    interview = scheduling.schedule_interview(org.rosa, slot(org.ivy), actor=org.hr)
    scheduling.reschedule_interview(interview, slot(org.ivy, at=time(9, 30)), actor=org.hr)
    assert interview.starts_at == datetime(2027, 3, 16, 13, 30)
    scheduling.schedule_interview(org.bo, slot(org.ivy, at=time(11, 0)), actor=org.hr)
    with pytest.raises(ScheduleError, match="Bo Bradley, Tue, Mar 16, 2027, 11:00 AM EDT to 12:00 PM EDT"):
        scheduling.reschedule_interview(interview, slot(org.ivy, at=time(10, 45)), actor=org.hr)
    assert interview.starts_at == datetime(2027, 3, 16, 13, 30) and interview.sequence == 1
