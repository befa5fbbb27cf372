"""Check-ins in the e-mails and the calendar: the employee is reminded of their own check-in when it is due,
the manager's weekly digest lists the team's check-ins due within a week or overdue (one query for everyone),
and the .ics feed carries open check-ins as all-day events with stable UIDs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.check_in_mail import own_check_ins, team_check_ins
from app.models import Method, Module, OutboxMessage, Progress, Role, RoleFamily, Track, TrackKind
from app.onboarding import check_ins, services
from app.reminders import digest_key, reminder_key, run_reminders
from tests.check_ins.test_services import full_ratings, hired

MONDAY = date(2026, 3, 30)  # ISO week 14; the day-30 check-ins below fall due on Wednesday 1 April


@pytest.fixture
def team(db, make_user):
    """Mona manages Nia (day 30 due Wednesday) and Omar (day 30 was due a week ago); Pat is on another team."""
    mona = make_user(Role.MANAGER, name="Mona Manager")
    nia = make_user(Role.STAFF, name="Nia Hire", manager=mona, start_date=date(2026, 3, 2),
                    role_family=RoleFamily.MEDICAL_ASSISTANT)
    omar = make_user(Role.STAFF, name="Omar Late", manager=mona, start_date=date(2026, 2, 21),
                     role_family=RoleFamily.MEDICAL_ASSISTANT)
    pat = make_user(Role.STAFF, name="Pat Other", manager=make_user(Role.MANAGER), start_date=date(2026, 3, 2),
                    role_family=RoleFamily.MEDICAL_ASSISTANT)
    for person in (nia, omar, pat):
        hired(db, person)
        check_ins.schedule(person, actor=None)
    db.session.flush()
    return {"mona": mona, "nia": nia, "omar": omar, "pat": pat}


def first_check_in(person):
    return min(check_ins.calendar_check_ins(person), key=lambda pair: pair[0].day)[0]


def message(db, key: str) -> OutboxMessage | None:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == key))


# The employee's reminder -------------------------------------------------------------------------
def test_an_employee_is_reminded_of_their_own_check_in_when_it_is_due(db, team):
    run_reminders(MONDAY)
    nia = message(db, reminder_key(team["nia"].id, MONDAY))
    assert nia.subject == "Your day-30 check-in is due Wed 1 Apr 2026"
    assert "- Day-30 check-in (due Wed 1 Apr 2026)" in nia.body
    assert "Rate yourself on each value you were hired on" in nia.body
    assert "http://localhost/onboarding" in nia.body
    omar = message(db, reminder_key(team["omar"].id, MONDAY))
    assert omar.subject == "Your day-30 check-in is overdue"
    assert "- Day-30 check-in (was due Mon 23 Mar 2026, overdue)" in omar.body


def test_no_check_in_reminder_once_the_employees_own_ratings_are_in_or_while_it_is_further_off(db, team):
    nia, omar = team["nia"], team["omar"]
    late = first_check_in(omar)
    check_ins.submit(late, actor=omar, ratings=full_ratings(late), today=MONDAY)  # his side is in, Mona's is not
    assert set(own_check_ins(MONDAY, 3)) == {nia.id, team["pat"].id}
    assert nia.id in own_check_ins(date(2026, 3, 29), 3)  # Sunday: three days before
    assert nia.id not in own_check_ins(date(2026, 3, 28), 3)  # Saturday: four days before


def test_turning_due_soon_reminders_off_keeps_the_overdue_check_in_reminder(db, team):
    team["nia"].due_soon_reminders = team["omar"].due_soon_reminders = False
    db.session.flush()
    assert set(own_check_ins(MONDAY, 3)) == {team["omar"].id, team["pat"].id}


def test_a_reminder_with_modules_and_a_check_in_names_both(db, team):
    track = Track(name="Reminder track", kind=TrackKind.ROLE, role_families=[])
    db.session.add(track)
    db.session.flush()
    module = Module(track_id=track.id, position=0, title="Huddle basics", content="Lesson", minutes=10,
                    due_offset_days=0, method=Method.ATTEST)
    db.session.add(module)
    db.session.flush()
    services.assign_track(team["nia"], track, actor=None, today=MONDAY, modules=[module])
    progress = db.session.scalar(select(Progress).where(Progress.module_id == module.id))
    progress.due_date = MONDAY - timedelta(days=1)
    db.session.flush()
    run_reminders(MONDAY)
    body = message(db, reminder_key(team["nia"].id, MONDAY))
    assert body.subject == "Onboarding training overdue: 1 module"
    assert "- Huddle basics (was due Sun 29 Mar 2026, overdue)" in body.body
    assert "- Day-30 check-in (due Wed 1 Apr 2026)" in body.body


# The manager's digest --------------------------------------------------------------------------
def test_the_digest_lists_the_teams_check_ins_due_this_week_or_overdue_and_whose_ratings_are_missing(db, team):
    mona, omar = team["mona"], team["omar"]
    late = first_check_in(omar)
    check_ins.submit(late, actor=omar, ratings=full_ratings(late), today=MONDAY)

    run_reminders(MONDAY)

    digest = message(db, digest_key(mona.id, MONDAY))
    assert digest.subject.endswith(", 2 check-ins due")
    assert "Check-ins due in the next 7 days or overdue:" in digest.body
    assert "- Omar Late: day-30 check-in, was due Mon 23 Mar 2026, overdue; waiting for your ratings" in digest.body
    assert ("- Nia Hire: day-30 check-in, due Wed 1 Apr 2026; waiting for your ratings and their self-rating"
            in digest.body)
    assert "Pat Other" not in digest.body and "day-60" not in digest.body
    assert "http://localhost/team" in digest.body


def test_a_done_check_in_leaves_the_digest(db, team):
    mona, nia, omar = team["mona"], team["nia"], team["omar"]
    for person in (nia, omar):
        check_in = first_check_in(person)
        for actor in (person, mona):
            check_ins.submit(check_in, actor=actor, ratings=full_ratings(check_in), today=MONDAY)
    assert mona.id not in team_check_ins(MONDAY)
    run_reminders(MONDAY)
    digest = message(db, digest_key(mona.id, MONDAY))
    assert "check-in" not in digest.subject and "Check-ins due" not in digest.body


def test_the_team_check_ins_cost_one_query_however_many_people(db, make_user, count_queries):
    managers = [make_user(Role.MANAGER) for _ in range(3)]
    for n in range(9):
        person = make_user(Role.STAFF, manager=managers[n % 3], start_date=MONDAY - timedelta(days=28),
                           role_family=RoleFamily.FRONT_DESK)
        hired(db, person)
        check_ins.schedule(person, actor=None)
    db.session.flush()
    with count_queries() as statements:
        teams = team_check_ins(MONDAY)
        own = own_check_ins(MONDAY, 3)
    assert [len(teams[m.id]) for m in managers] == [3, 3, 3] and len(own) == 9
    assert len(statements) == 2


def test_check_in_reminders_go_out_over_smtp(db, team, smtp_config, smtp_server):
    inbox, controller = smtp_server()
    smtp_config(controller.port)
    report = run_reminders(MONDAY)
    controller.stop()
    assert report.failed == 0
    by_recipient = {tuple(rcpt): mail for rcpt, mail in inbox.messages}
    assert by_recipient[(team["nia"].email,)]["Subject"] == "Your day-30 check-in is due Wed 1 Apr 2026"
    assert "Nia Hire: day-30 check-in" in by_recipient[(team["mona"].email,)].get_content()


# The calendar feed -------------------------------------------------------------------------------
def feed(client, person) -> list:
    response = client.get(f"/onboarding/calendar/{person.calendar_token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data).walk("VEVENT")


def test_the_feed_holds_the_employees_open_check_ins_as_all_day_events_with_stable_uids(db, client, team):
    nia = team["nia"]
    made = sorted((c for c, _ in check_ins.calendar_check_ins(nia)), key=lambda c: c.day)
    done = made[0]
    for actor in (nia, team["mona"]):
        check_ins.submit(done, actor=actor, ratings=full_ratings(done), today=done.due_date)

    events = {str(e["uid"]): e for e in feed(client, nia)}
    assert f"check-in-{done.id}@medical-home-onboarding" not in events  # done: off the calendar
    for check_in in made[1:]:
        event = events[f"check-in-{check_in.id}@medical-home-onboarding"]
        assert str(event["summary"]) == f"Day-{check_in.day} check-in"
        assert event.decoded("dtstart") == check_in.due_date  # a date, so an all-day event
        assert type(event.decoded("dtstart")) is date
        assert event.decoded("dtend") == check_in.due_date + timedelta(days=1)
    assert {str(e["uid"]) for e in feed(client, nia)} == set(events)  # the same UIDs every time


def test_a_managers_feed_shows_their_reports_check_ins_and_no_one_elses(db, client, team):
    mona = team["mona"]
    events = feed(client, mona)
    summaries = sorted({str(e["summary"]) for e in events})
    assert summaries == ["Check-in with Nia Hire", "Check-in with Omar Late"]
    assert len(events) == 6
    nia_first = first_check_in(team["nia"])
    event = next(e for e in events if str(e["uid"]) == f"check-in-{nia_first.id}@medical-home-onboarding")
    assert event.decoded("dtstart") == date(2026, 4, 1) and str(event["summary"]) == "Check-in with Nia Hire"
