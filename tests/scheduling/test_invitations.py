"""The invitations that arrive at a real SMTP server on loopback, read with vobject (an iCalendar parser
independent of the icalendar library that wrote them): METHOD, UID, SEQUENCE, DTSTART with TZID, ORGANIZER,
ATTENDEE; an update with a higher SEQUENCE, a cancellation with the same UID; each version sent once."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import vobject
from sqlalchemy import select

from app import mail
from app.hiring import candidate_messages, invitations, scheduling
from app.models import OutboxMessage
from tests.scheduling.conftest import slot


@pytest.fixture
def inbox(smtp_config, smtp_server):
    received, controller = smtp_server()
    smtp_config(controller.port)
    return received


def delivered(db, inbox) -> dict[str, list]:
    """Commit, send what is due, and return what arrived: recipient -> the messages, oldest first."""
    db.session.commit()
    mail.deliver_due()
    arrived: dict[str, list] = {}
    for recipients, message in inbox.messages:
        for recipient in recipients:
            arrived.setdefault(recipient, []).append(message)
    inbox.messages.clear()
    return arrived


def invitation(message):
    """The text/calendar part, parsed by vobject, and the METHOD parameter of its Content-Type."""
    [part] = [p for p in message.iter_parts() if p.get_content_type() == "text/calendar"]
    return vobject.readOne(part.get_content()), part.get_param("method")


def attendees(event) -> set[str]:
    return {line.value.lower() for line in event.contents["attendee"]}


def test_the_candidate_and_each_interviewer_get_a_request_that_an_independent_parser_reads(db, org, inbox):
    interview = scheduling.schedule_interview(org.rosa, slot(org.ivy, org.ian, video_url="https://meet.example/rosa"),
                                              actor=org.hr)
    arrived = delivered(db, inbox)
    [to_rosa] = arrived["rosa@applicant.example"]
    assert to_rosa["Subject"] == f"Interview invitation: {org.posting.title}"
    text = to_rosa.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "When: Tue, Mar 16, 2027, 9:00 AM EDT (60 minutes)" in text and "/careers/withdraw/" in text
    assert "You will meet: Ivy Interviewer, Ian Panelist." in text
    calendar, method = invitation(to_rosa)
    event = calendar.vevent
    assert method == "REQUEST" and calendar.method.value == "REQUEST"
    assert event.uid.value.startswith(f"interview-{interview.id}@") and " " not in event.uid.value
    assert event.sequence.value == "0"
    # vobject resolves TZID against the VTIMEZONE and keeps the name it read as X-VOBJ-ORIGINAL-TZID.
    assert event.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["America/New_York"]
    assert event.dtstart.value.utcoffset().total_seconds() == -4 * 3600  # EDT, from the VTIMEZONE
    assert event.dtstart.value.astimezone(UTC) == datetime(2027, 3, 16, 13, 0, tzinfo=UTC)
    assert event.dtend.value.astimezone(UTC) == datetime(2027, 3, 16, 14, 0, tzinfo=UTC)
    assert event.organizer.value.lower() == "mailto:hana@clinic.example"
    assert event.organizer.params["CN"] == ["Hana Hiring"]
    assert attendees(event) == {"mailto:rosa@applicant.example", "mailto:ivy@clinic.example",
                                "mailto:ian@clinic.example"}
    assert event.location.value == "Room 2, 100 Grand Concourse" and event.url.value == "https://meet.example/rosa"
    assert calendar.vtimezone.tzid.value == "America/New_York"
    for person in (org.ivy, org.ian):
        # Their scorecard link, then the invitation with the same UID and sequence.
        messages = arrived[person.email]
        [panel_invite] = [m for m in messages if m["Subject"].startswith("Interview: Rosa Diaz")]
        theirs, method = invitation(panel_invite)
        assert method == "REQUEST"
        assert (theirs.vevent.uid.value, theirs.vevent.sequence.value) == (event.uid.value, "0")
    assert set(arrived) == {"rosa@applicant.example", "ivy@clinic.example", "ian@clinic.example"}


def test_a_new_time_sends_an_update_with_a_higher_sequence_and_a_cancel_keeps_the_uid(db, org, inbox):
    interview = scheduling.schedule_interview(org.rosa, slot(org.ivy, org.ian), actor=org.hr)
    first, _ = invitation(delivered(db, inbox)["rosa@applicant.example"][0])

    scheduling.reschedule_interview(interview, slot(org.ivy, at=time(15, 30)), actor=org.hr)
    arrived = delivered(db, inbox)
    [update] = arrived["rosa@applicant.example"]
    assert update["Subject"].startswith("Your interview has changed")
    changed, method = invitation(update)
    assert method == "REQUEST" and changed.vevent.uid.value == first.vevent.uid.value
    assert changed.vevent.sequence.value == "1"
    assert changed.vevent.dtstart.value.astimezone(UTC) == datetime(2027, 3, 16, 19, 30, tzinfo=UTC)
    assert attendees(changed.vevent) == {"mailto:rosa@applicant.example", "mailto:ivy@clinic.example"}
    [taken_off] = arrived["ian@clinic.example"]  # Ian left the panel: a cancellation for him alone
    off, method = invitation(taken_off)
    assert (method, off.method.value, off.vevent.sequence.value) == ("CANCEL", "CANCEL", "1")
    assert attendees(off.vevent) == {"mailto:ian@clinic.example"}
    assert off.vevent.uid.value == first.vevent.uid.value

    scheduling.cancel_interview(interview, actor=org.hr)
    arrived = delivered(db, inbox)
    assert set(arrived) == {"rosa@applicant.example", "ivy@clinic.example"}
    for recipient in arrived:
        cancelled, method = invitation(arrived[recipient][0])
        assert (method, cancelled.method.value) == ("CANCEL", "CANCEL")
        assert cancelled.vevent.uid.value == first.vevent.uid.value
        assert cancelled.vevent.sequence.value == "2" and cancelled.vevent.status.value == "CANCELLED"
    assert arrived["rosa@applicant.example"][0]["Subject"] == f"Interview cancelled: {org.posting.title}"


def test_each_version_goes_out_once_whoever_queues_it_again(db, org, inbox):
    interview = scheduling.schedule_interview(org.rosa, slot(org.ivy), actor=org.hr)
    db.session.commit()
    invitations.send_request(interview, [org.ivy])  # a retried request, a second worker ...
    arrived = delivered(db, inbox)
    assert len(arrived["rosa@applicant.example"]) == 1
    assert len([m for m in arrived["ivy@clinic.example"] if m["Subject"].startswith("Interview: ")]) == 1
    invitations.send_request(interview, [org.ivy])
    assert delivered(db, inbox) == {}
    assert mail.deliver_due() == (0, 0)
    # HR reads the candidate's messages on the application page.
    assert [m.subject for m in candidate_messages.sent_for(org.rosa)] == [f"Interview invitation: {org.posting.title}"]
    assert candidate_messages.sent_for(org.bo) == []
    kinds = set(db.session.scalars(select(OutboxMessage.kind)))
    assert kinds == {"interview", "interview.invitation", "interview.panel_invitation"}
