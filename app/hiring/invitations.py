"""Interview invitations as iCalendar (RFC 5545/5546) e-mail: REQUEST for a new or changed time, CANCEL for a
cancelled interview or a panelist taken off it; once per recipient and invitation version (the SEQUENCE)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from app import mail
from app.hiring import candidate_messages
from app.hiring.scoring import CLOSED_STAGES
from app.models import Interview, User
from app.timezones import local, local_label, zone

INVITATION = "interview.invitation"          # to the candidate (candidate_messages.KINDS)
CANCELLATION = "interview.cancellation"      # to the candidate (candidate_messages.KINDS)
PANEL_INVITATION = "interview.panel_invitation"      # to an interviewer
PANEL_CANCELLATION = "interview.panel_cancellation"  # to an interviewer
PRODID = "-//Medical Home Hiring & Onboarding//Interviews//EN"


def uid(interview: Interview) -> str:
    """The same for every version of one interview, so calendars update the event they hold."""
    return f"interview-{interview.id}@{urlsplit(current_app.config['BASE_URL']).hostname or 'localhost'}"


def when(interview: Interview) -> str:
    """E.g. "Wed, Mar 10, 2027, 9:00 AM CST (60 minutes)"."""
    return f"{local_label(interview.starts_at, interview.time_zone)} ({interview.minutes} minutes)"


def where(interview: Interview) -> str:
    return "\n".join(part for part in (interview.location, interview.video_url) if part)


def _address(user_email: str, name: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{user_email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def _event(interview: Interview) -> Event:
    """The VEVENT of an interview as its invitations carry it, without the people."""
    application = interview.application
    event = Event()
    event.add("uid", uid(interview))
    event.add("sequence", interview.sequence)
    event.add("dtstamp", datetime.now(UTC))
    # UTC in the feed and the invitations alike would do; the site's zone (TZID) shows the time HR entered.
    event.add("dtstart", local(interview.starts_at, interview.time_zone))
    event.add("dtend", local(interview.ends_at, interview.time_zone))
    event.add("summary", f"Interview: {application.name} for {application.posting.title}")
    event.add("description", _description(interview))
    if interview.location or interview.video_url:
        event.add("location", interview.location or interview.video_url)
    if interview.video_url:
        event.add("url", interview.video_url)
    return event


def feed_events(user: User) -> list:
    """The interviews the user sits on (not cancelled) for their .ics feed, with the invitations' UIDs, and
    the VTIMEZONEs they use."""
    from app.hiring.scheduling import scheduled_for

    interviews = scheduled_for(user)
    zones = {}
    for interview in interviews:
        start = local(interview.starts_at, interview.time_zone)
        zones.setdefault(interview.time_zone, (start.year, start.year))
        low, high = zones[interview.time_zone]
        zones[interview.time_zone] = (min(low, start.year), max(high, start.year))
    timezones = [Timezone.from_tzinfo(zone(name), tzid=zone(name).key, first_date=date(low - 1, 1, 1),
                                      last_date=date(high + 2, 1, 1)) for name, (low, high) in zones.items()]
    events = []
    for interview in interviews:
        event = _event(interview)
        event.add("status", "CONFIRMED")
        events.append(event)
    return [*timezones, *events]


def calendar(interview: Interview, *, method: str, attendees: list[tuple[str, str]]) -> str:
    """The whole iCalendar object: METHOD, a VTIMEZONE for the site's zone, and the VEVENT with the interview's
    UID, SEQUENCE, DTSTART and DTEND in that zone, ORGANIZER and an ATTENDEE per (name, e-mail)."""
    tz = zone(interview.time_zone)
    start = local(interview.starts_at, interview.time_zone)
    feed = Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("method", method)
    feed.add_component(Timezone.from_tzinfo(tz, tzid=tz.key, first_date=date(start.year - 1, 1, 1),
                                            last_date=date(start.year + 2, 1, 1)))
    event = _event(interview)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = interview.organizer
    event.add("organizer", _address(organizer.email, organizer.name))
    for name, email in attendees:
        event.add("attendee", _address(email, name, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE"))
    feed.add_component(event)
    return feed.to_ical().decode()


def _description(interview: Interview) -> str:
    application = interview.application
    lines = [f"{application.posting.title} at {application.posting.site.name}", when(interview)]
    if interview.location:
        lines.append(f"Place: {interview.location}")
    if interview.video_url:
        lines.append(f"Video link: {interview.video_url}")
    return "\n".join(lines)


def _everyone(interview: Interview, panel: list[User]) -> list[tuple[str, str]]:
    application = interview.application
    return [(application.name, application.email), *((person.name, person.email) for person in panel)]


def send_request(interview: Interview, panel: list[User]) -> None:
    """Queue this version's invitation (METHOD:REQUEST) to the candidate and every panelist, once each."""
    application = interview.application
    attendees = _everyone(interview, panel)
    ics = calendar(interview, method="REQUEST", attendees=attendees)
    first = interview.sequence == 0
    title = application.posting.title
    details = f"When: {when(interview)}\n" + "".join(
        f"{label}: {value}\n" for label, value in (("Place", interview.location), ("Video link", interview.video_url))
        if value)
    organization = current_app.config["ORGANIZATION_NAME"]
    candidate_messages.queue_candidate_message(
        application, kind=INVITATION, occasion=f"{interview.id}.{interview.sequence}",
        subject=(f"Interview invitation: {title}" if first else f"Your interview has changed: {title}"),
        body=(f"Hello {application.name},\n\n"
              + (f"We would like to meet you to talk about the {title} position at {organization}.\n\n" if first
                 else f"The time or place of your interview for {title} at {organization} has changed. "
                      "This replaces the earlier invitation.\n\n")
              + details + f"\nYou will meet: {', '.join(person.name for person in panel)}.\n\n"
              "The invitation is attached for your calendar. If the time does not suit you, reply to this e-mail.\n"),
        calendar=ics)
    for person in panel:
        mail.queue(
            kind=PANEL_INVITATION, dedupe_key=f"{PANEL_INVITATION}:{interview.id}.{interview.sequence}:{person.id}",
            recipient=person.email,
            subject=(f"Interview: {application.name} ({title})" if first
                     else f"Interview changed: {application.name} ({title})"),
            body=(f"Hello {person.name},\n\nYou are on the panel interviewing {application.name} for {title}.\n\n"
                  + details + "\nThe kit and your scorecard are on your interviews page:\n\n"
                  f"{mail.external_url('hiring.my_interviews')}\n"),
            calendar=ics)


def send_cancel(interview: Interview, panel: list[User], *, candidate: bool = True) -> None:
    """Queue METHOD:CANCEL (same UID, this version's SEQUENCE): to the candidate and these panelists, or, with
    candidate=False, only to the panelists taken off the interview."""
    application = interview.application
    title = application.posting.title
    attendees = _everyone(interview, panel) if candidate else [(person.name, person.email) for person in panel]
    ics = calendar(interview, method="CANCEL", attendees=attendees)
    if candidate:
        candidate_messages.queue_candidate_message(
            application, kind=CANCELLATION, occasion=f"{interview.id}.{interview.sequence}",
            subject=f"Interview cancelled: {title}",
            body=(f"Hello {application.name},\n\nYour interview for {title} on {when(interview)} is cancelled."
                  + ("\n" if application.stage in CLOSED_STAGES else " We will be in touch about what happens next.\n")),
            calendar=ics)
    for person in panel:
        mail.queue(
            kind=PANEL_CANCELLATION, dedupe_key=f"{PANEL_CANCELLATION}:{interview.id}.{interview.sequence}:{person.id}",
            recipient=person.email, subject=f"Interview cancelled: {application.name} ({title})",
            body=(f"Hello {person.name},\n\n"
                  + (f"The interview with {application.name} for {title} on {when(interview)} is cancelled.\n"
                     if candidate else
                     f"You are no longer on the panel for the interview with {application.name} for {title} on "
                     f"{when(interview)}.\n")),
            calendar=ics)

