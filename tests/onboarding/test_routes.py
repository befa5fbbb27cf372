"""My onboarding, module actions, transcript, calendar feed, sign-off queue and tasks over HTTP."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from app.models import (
    Completion,
    Method,
    Module,
    OutboxMessage,
    Progress,
    ProgressStatus,
    QuizItem,
    Responsible,
    Role,
    Track,
    TrackKind,
    Value,
)
from app.onboarding import services


@pytest.fixture
def plan(db, make_user):
    """A manager, a new hire on a four-module track (attest, quiz, sign-off, task)."""
    manager = make_user(Role.MANAGER, name="Mona Manager")
    hire = make_user(Role.STAFF, name="Nia Hire", manager=manager, start_date=date.today() - timedelta(days=3))
    value = Value(key="care-coordination", name="Care Coordination")
    track = Track(name="Medical assistant onboarding", kind=TrackKind.ROLE, role_families=["medical-assistant"])
    db.session.add_all([value, track])
    db.session.flush()
    modules = {
        "attest": Module(track_id=track.id, position=0, title="Welcome to the medical home", content="## Read me\nHello.",
                         minutes=10, due_offset_days=7, method=Method.ATTEST, values=[value]),
        "quiz": Module(track_id=track.id, position=1, title="Huddles quiz", content="Lesson", minutes=15,
                       due_offset_days=14, method=Method.QUIZ, pass_mark=100, values=[value]),
        "signoff": Module(track_id=track.id, position=2, title="Leads a huddle", content="Lesson", minutes=30,
                          due_offset_days=30, method=Method.SIGN_OFF, observation="Runs the morning huddle.",
                          values=[value]),
        "task": Module(track_id=track.id, position=3, title="Badge issued", content="Checklist", minutes=5,
                       due_offset_days=1, method=Method.TASK, responsible=Responsible.HR, values=[value]),
    }
    db.session.add_all(modules.values())
    db.session.flush()
    items = [
        QuizItem(module_id=modules["quiz"].id, position=0, prompt="Who joins the huddle?", choices=["Only the provider", "The whole care team"], answers=[1]),
        QuizItem(module_id=modules["quiz"].id, position=1, prompt="Pick the huddle topics", choices=["Care gaps", "Gossip", "Same-day needs"], answers=[0, 2]),
    ]
    db.session.add_all(items)
    db.session.flush()
    services.assign_track(hire, track, actor=None, today=date.today())
    return {"manager": manager, "hire": hire, "track": track, "modules": modules, "items": items}


def progress_of(db, plan, name):
    return db.session.scalar(select(Progress).where(Progress.employee_id == plan["hire"].id,
                                                    Progress.module_id == plan["modules"][name].id))


def test_my_onboarding_shows_tracks_progress_and_next_module(client, auth, plan):
    auth.login(plan["hire"])
    html = client.get("/onboarding").get_data(as_text=True)
    assert "Medical assistant onboarding" in html
    assert "0% (0 of 4)" in html and "About 55 minutes of your own work left" in html
    assert "Next: " in html and "Welcome to the medical home" in html


def test_attestation_needs_the_box_ticked(client, auth, plan, db):
    auth.login(plan["hire"])
    url = f"/onboarding/modules/{plan['modules']['attest'].id}"
    refused = client.post(url + "/attest", data={}, follow_redirects=True).get_data(as_text=True)
    assert "Tick the box" in refused
    assert progress_of(db, plan, "attest").status is ProgressStatus.NOT_STARTED
    done = client.post(url + "/attest", data={"confirm": "y"}, follow_redirects=True).get_data(as_text=True)
    assert "is complete" in done
    assert progress_of(db, plan, "attest").status is ProgressStatus.COMPLETED
    assert "25% (1 of 4)" in client.get("/onboarding").get_data(as_text=True)


def test_quiz_shows_results_per_item_and_keeps_best_score(client, auth, plan, db):
    auth.login(plan["hire"])
    one, two = plan["items"]
    url = f"/onboarding/modules/{plan['modules']['quiz'].id}/quiz"
    failed = client.post(url, data={"items": [one.id, two.id], f"item-{one.id}": "1", f"item-{two.id}": "0"})
    html = failed.get_data(as_text=True)
    assert "You scored 50%" in html and "The pass mark is 100%" in html
    assert "Correct." in html and "Not quite." in html
    assert progress_of(db, plan, "quiz").status is ProgressStatus.IN_PROGRESS
    passed = client.post(url, data={"items": [one.id, two.id], f"item-{one.id}": "1", f"item-{two.id}": ["0", "2"]})
    assert "You scored 100%" in passed.get_data(as_text=True) and "You passed." in passed.get_data(as_text=True)
    assert progress_of(db, plan, "quiz").best_score == 100


def test_quiz_answers_for_other_questions_are_refused(client, auth, plan, db):
    auth.login(plan["hire"])
    one, _ = plan["items"]
    url = f"/onboarding/modules/{plan['modules']['quiz'].id}/quiz"
    html = client.post(url, data={"items": [one.id], f"item-{one.id}": "1"}, follow_redirects=True).get_data(as_text=True)
    assert "This quiz has changed since you opened it" in html
    assert progress_of(db, plan, "quiz").best_score is None


def test_sign_off_request_shows_waiting_and_the_manager_approves(client, auth, plan, db):
    auth.login(plan["hire"])
    module_url = f"/onboarding/modules/{plan['modules']['signoff'].id}"
    html = client.post(module_url + "/sign-off", follow_redirects=True).get_data(as_text=True)
    assert "Waiting for sign-off" in html
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == plan["manager"].email)) == 1
    auth.logout()
    auth.login(plan["manager"])
    queue = client.get("/onboarding/sign-offs").get_data(as_text=True)
    assert "Nia Hire: Leads a huddle" in queue and "Runs the morning huddle." in queue
    item = progress_of(db, plan, "signoff")
    client.post(f"/onboarding/sign-offs/{item.id}/approve")
    assert item.status is ProgressStatus.COMPLETED and item.signed_off_by_id == plan["manager"].id
    assert "No sign-off requests are waiting" in client.get("/onboarding/sign-offs").get_data(as_text=True)


def test_manager_of_another_team_cannot_approve(client, login_as, plan, db):
    item = progress_of(db, plan, "signoff")
    services.request_sign_off(item, actor=plan["hire"])
    login_as(Role.MANAGER)
    response = client.post(f"/onboarding/sign-offs/{item.id}/approve")
    assert response.status_code == 403
    assert item.status is not ProgressStatus.COMPLETED


def test_send_back_needs_a_comment_and_shows_it_to_the_employee(client, auth, plan, db):
    item = progress_of(db, plan, "signoff")
    services.request_sign_off(item, actor=plan["hire"])
    auth.login(plan["manager"])
    empty = client.post(f"/onboarding/sign-offs/{item.id}/send-back", data={"comment": ""}, follow_redirects=True)
    assert "Write a comment" in empty.get_data(as_text=True) and item.sign_off_requested_at is not None
    client.post(f"/onboarding/sign-offs/{item.id}/send-back", data={"comment": "Lead two more huddles with me first."})
    assert item.sign_off_requested_at is None
    auth.logout()
    auth.login(plan["hire"])
    page = client.get(f"/onboarding/modules/{plan['modules']['signoff'].id}").get_data(as_text=True)
    assert "Lead two more huddles with me first." in page


def test_hr_sees_and_completes_hr_tasks_the_hire_cannot(client, auth, login_as, plan, db):
    item = progress_of(db, plan, "task")
    auth.login(plan["hire"])
    assert client.post(f"/onboarding/progress/{item.id}/task").status_code == 403
    auth.logout()
    login_as(Role.HR)
    assert "Badge issued" in client.get("/onboarding/tasks").get_data(as_text=True)
    client.post(f"/onboarding/progress/{item.id}/task")
    assert item.status is ProgressStatus.COMPLETED


def test_a_hire_cannot_open_a_module_that_is_not_on_their_plan(client, login_as, plan):
    login_as(Role.STAFF)
    assert client.get(f"/onboarding/modules/{plan['modules']['attest'].id}").status_code == 404


def test_transcript_lists_completions_with_version(client, auth, plan, db):
    services.complete(progress_of(db, plan, "attest"), actor=plan["hire"])
    auth.login(plan["hire"])
    html = client.get("/onboarding/transcript").get_data(as_text=True)
    assert "Welcome to the medical home" in html and "<td>1</td>" in html
    assert db.session.scalar(select(func.count(Completion.id))) == 1


def test_calendar_feed_holds_due_dates_and_reset_kills_the_old_link(client, auth, plan, db):
    hire = plan["hire"]
    old_token = hire.calendar_token
    with client.get(f"/onboarding/calendar/{old_token}.ics") as response:
        assert response.mimetype == "text/calendar"
        feed = Calendar.from_ical(response.data)
    events = {str(e["summary"]): e.decoded("dtstart") for e in feed.walk("VEVENT")}
    assert events["Due: Huddles quiz"] == hire.start_date + timedelta(days=14)
    assert len(events) == 4
    auth.login(hire)
    client.post("/onboarding/calendar/reset")
    assert hire.calendar_token != old_token
    assert client.get(f"/onboarding/calendar/{old_token}.ics").status_code == 404
    assert client.get(f"/onboarding/calendar/{hire.calendar_token}.ics").status_code == 200


def test_renewals_command_reopens_modules_due_for_renewal(runner, plan, db):
    module = plan["modules"]["attest"]
    module.renew_months = 12
    item = progress_of(db, plan, "attest")
    services.complete(item, actor=plan["hire"])
    item.renew_by = date.today() + timedelta(days=10)
    db.session.flush()
    result = runner.invoke(args=["renewals"])
    assert result.exit_code == 0 and "1 module reopened for renewal." in result.output
    assert item.status is ProgressStatus.NOT_STARTED and item.due_date == date.today() + timedelta(days=10)
    assert db.session.scalar(select(func.count(Completion.id))) == 1


@pytest.mark.parametrize("target, landing", [
    ("/team?show=overdue", "/team?show=overdue"),
    ("https://elsewhere.example/phish", "/onboarding/sign-offs"),
    ("//elsewhere.example", "/onboarding/sign-offs"),
])
def test_a_sign_off_decision_returns_only_to_the_team_or_the_queue(client, auth, plan, db, target, landing):
    item = progress_of(db, plan, "signoff")
    services.request_sign_off(item, actor=plan["hire"])
    auth.login(plan["manager"])
    response = client.post(f"/onboarding/sign-offs/{item.id}/approve", data={"next": target})
    assert response.headers["Location"] == landing
    assert item.status is ProgressStatus.COMPLETED
