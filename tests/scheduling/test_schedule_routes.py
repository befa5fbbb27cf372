"""Scheduling over HTTP: HR schedules, changes and cancels from the application page; a conflict is refused with
the other interview's time and nothing changes; each interviewer sees their own interviews, in the site's local
time, on My interviews and in their calendar feed, and nobody else's."""

from __future__ import annotations

from datetime import date, datetime, time

import vobject
from sqlalchemy import func, select

from app import mail
from app.hiring import scheduling
from app.models import Interview, InterviewPanelist, OutboxMessage, Role
from tests.scheduling.conftest import slot

FORM = {"day": "2027-11-08", "start": "09:00", "minutes": "45", "location": "Room 2, 100 Grand Concourse",
        "video_url": ""}


def tables(db) -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Interview, InterviewPanelist, OutboxMessage))


def test_hr_schedules_an_interview_and_the_application_page_shows_it_in_the_site_time(client, auth, db, org):
    auth.login(org.hr)
    form = client.get(f"/hiring/applications/{org.rosa.id}/schedule").get_data(as_text=True)
    for label in ("Date", "Start time", "Length (minutes)", "Place", "Video link", "Interviewers",
                  "Times are in the site&#39;s time zone, America/New_York"):
        assert label in form
    response = client.post(f"/hiring/applications/{org.rosa.id}/schedule",
                           data=FORM | {"interviewer_ids": [str(org.ivy.id), str(org.ian.id)]})
    assert response.status_code == 302 and response.location.endswith(f"/hiring/applications/{org.rosa.id}")
    interview = db.session.scalar(select(Interview).where(Interview.application_id == org.rosa.id))
    assert interview.starts_at == datetime(2027, 11, 8, 14, 0)  # 9:00 EST
    page = client.get(response.location).get_data(as_text=True)
    assert "Interview with Rosa Diaz scheduled; the invitations are on their way." in page
    assert "Mon, Nov 8, 2027, 9:00 AM EST" in page and "Panel: Ivy Interviewer, Ian Panelist" in page
    assert "Interview invitation: " in page  # among the e-mails to the candidate
    recipients = set(db.session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.kind.in_(["interview.invitation", "interview.panel_invitation"]))))
    assert recipients == {"rosa@applicant.example", "ivy@clinic.example", "ian@clinic.example"}


def test_a_conflict_is_refused_over_http_with_the_other_time_and_changes_nothing(client, auth, db, org):
    scheduling.schedule_interview(org.bo, slot(org.ivy, day=date(2027, 11, 8), at=time(9, 30)), actor=org.hr)
    before = tables(db)
    auth.login(org.hr)
    page = client.post(f"/hiring/applications/{org.rosa.id}/schedule",
                       data=FORM | {"interviewer_ids": [str(org.ian.id), str(org.ivy.id)]}).get_data(as_text=True)
    assert ("Ivy Interviewer already has an interview then: Bo Bradley, Mon, Nov 8, 2027, 9:30 AM EST to "
            "10:30 AM EST.") in page
    assert 'value="Room 2, 100 Grand Concourse"' in page  # the form keeps what HR typed
    assert tables(db) == before


def test_hr_changes_the_time_then_cancels_after_confirming(client, auth, db, org):
    interview = scheduling.schedule_interview(org.rosa, slot(org.ivy), actor=org.hr)
    auth.login(org.hr)
    edit = client.get(f"/hiring/scheduled-interviews/{interview.id}").get_data(as_text=True)
    assert 'value="2027-03-16"' in edit and 'value="09:00"' in edit and "Save changes" in edit
    client.post(f"/hiring/scheduled-interviews/{interview.id}",
                data=FORM | {"day": "2027-03-16", "start": "13:15", "interviewer_ids": str(org.ivy.id)})
    db.session.refresh(interview)
    assert (interview.sequence, interview.starts_at, interview.minutes) == (1, datetime(2027, 3, 16, 17, 15), 45)
    confirm = client.get(f"/hiring/scheduled-interviews/{interview.id}/cancel").get_data(as_text=True)
    assert "Cancel the interview with Rosa Diaz?" in confirm and "Tue, Mar 16, 2027, 1:15 PM EDT" in confirm
    assert "Keep it" in confirm
    assert interview.cancelled_at is None
    page = client.post(f"/hiring/scheduled-interviews/{interview.id}/cancel", follow_redirects=True).get_data(
        as_text=True)
    db.session.refresh(interview)
    assert interview.cancelled and interview.sequence == 2
    assert "Interview with Rosa Diaz cancelled" in page and "Cancelled" in page


def test_only_hr_and_admins_schedule(client, login_as, db, org):
    for role in (Role.STAFF, Role.MANAGER):
        login_as(role, is_interviewer=True)
        response = client.post(f"/hiring/applications/{org.rosa.id}/schedule",
                               data=FORM | {"interviewer_ids": str(org.ivy.id)})
        assert response.status_code == 403
    assert tables(db)[0] == 0


def test_an_interviewer_sees_their_own_interviews_with_local_time_and_place_and_nobody_elses(client, auth, db, org):
    scheduling.schedule_interview(org.rosa, slot(org.ivy, video_url="https://meet.example/rosa"), actor=org.hr)
    scheduling.schedule_interview(org.bo, slot(org.ian, at=time(11, 0), location="Room 9"), actor=org.hr)
    auth.login(org.ivy)
    page = client.get("/hiring/my-interviews").get_data(as_text=True)
    assert "Rosa Diaz" in page and "Tue, Mar 16, 2027, 9:00 AM EDT" in page and "Room 2, 100 Grand Concourse" in page
    assert 'href="https://meet.example/rosa"' in page
    assert "Bo Bradley" not in page and "Room 9" not in page and "11:00 AM" not in page


def test_the_interviewers_calendar_feed_holds_their_interviews_with_the_invitation_uid(client, db, org):
    mine = scheduling.schedule_interview(org.rosa, slot(org.ivy), actor=org.hr)
    scheduling.schedule_interview(org.bo, slot(org.ian, at=time(11, 0)), actor=org.hr)
    cancelled = scheduling.schedule_interview(org.bo, slot(org.ivy, at=time(15, 0)), actor=org.hr)
    scheduling.cancel_interview(cancelled, actor=org.hr)
    feed = vobject.readOne(client.get(f"/onboarding/calendar/{org.ivy.calendar_token}.ics").get_data(as_text=True))
    events = [e for e in feed.contents.get("vevent", []) if e.uid.value.startswith("interview-")]
    assert [e.uid.value.split("@")[0] for e in events] == [f"interview-{mine.id}"]
    assert events[0].dtstart.value.isoformat() == "2027-03-16T09:00:00-04:00"
    assert events[0].summary.value == f"Interview: Rosa Diaz for {org.posting.title}"


def test_my_interviews_costs_the_same_whatever_the_number_of_interviews(client, auth, db, org, make_user,
                                                                          count_queries):
    from tests.hiring.test_scoring import make_application

    auth.login(org.ivy)

    def cost() -> int:
        db.session.info.pop(mail.QUEUE_KEY, None)  # the invitations queued here are not the page's to send
        with count_queries() as queries:
            assert client.get("/hiring/my-interviews").status_code == 200
        return len(queries)

    scheduling.schedule_interview(org.rosa, slot(org.ivy), actor=org.hr)
    one = cost()
    for hour in (10, 11, 12, 13):
        other = make_application(db, org.posting, name=f"Cand {hour}")
        scheduling.schedule_interview(other, slot(org.ivy, at=time(hour, 0)), actor=org.hr)
    assert cost() == one


def test_the_interviewers_kit_page_says_when_and_where_they_meet_the_candidate(client, auth, db, org):
    from app.models import InterviewAssignment

    scheduling.schedule_interview(org.rosa, slot(org.ivy, at=time(16, 45)), actor=org.hr)
    assignment = db.session.scalar(select(InterviewAssignment).where(InterviewAssignment.interviewer_id == org.ivy.id))
    auth.login(org.ivy)
    page = client.get(f"/hiring/interviews/{assignment.id}").get_data(as_text=True)
    assert "Interview: Tue, Mar 16, 2027, 4:45 PM EDT" in page and "Room 2, 100 Grand Concourse" in page
