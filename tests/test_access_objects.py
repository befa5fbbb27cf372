"""Whose record it is: the object-level cases behind the matrix's 404 and 403 cells, over HTTP, with the
data checked. The world is tests/access_world.py: Mona manages Sam and Tess, Olga manages Xena; Ivy and
Ian interview Rosa (Ian has a draft), Paz interviews nobody; Sam has the calendar token and the plan.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from app.credentials.reminders import expiring
from app.models import Application, CheckIn, Completion, Progress, ProgressStatus, QuizAttempt, Rating, Scorecard, User
from tests.access_world import (
    ANON,
    DRAFT_NOTE,
    HR,
    INTERVIEWER,
    MANAGER,
    OTHER_MANAGER,
    PDF,
    STAFF,
    Browsers,
    make_world,
)
from tests.helpers import count


@pytest.fixture
def world(app, db, make_user, tmp_path, monkeypatch):
    return make_world(app, db, make_user, tmp_path, monkeypatch)


@pytest.fixture
def browsers(app, world):
    return Browsers(app, world)


def progress_row(db, progress_id: int) -> tuple:
    db.session.expire_all()
    item = db.session.get(Progress, progress_id)
    return item.status, item.completed_at, item.signed_off_by_id, item.sign_off_requested_at, item.sign_off_comment


# Another team ------------------------------------------------------------------------------------
def test_another_teams_manager_finds_no_trace_of_tess_and_cannot_act_on_her_training(db, world, browsers):
    w = world
    drill_down = browsers.call(OTHER_MANAGER, "GET", f"/team/people/{w.tess_id}")
    assert drill_down.status_code == 404 and "Tess" not in drill_down.text
    assert browsers.call(OTHER_MANAGER, "GET", "/team/people/999999").status_code == 404  # the same answer
    for url in ("/team?indirect=1", "/team.csv?indirect=1", "/onboarding/sign-offs", "/onboarding/tasks"):
        page = browsers.call(OTHER_MANAGER, "GET", url).text
        assert "Tess Teammate" not in page and "Sam Staff" not in page, url
    assert "Xena Elsewhere" in browsers.call(OTHER_MANAGER, "GET", "/team.csv?indirect=1").text

    before = {pid: progress_row(db, pid) for pid in (w.task_progress_id, w.sign_off_progress_id)}
    for url, data in ((f"/onboarding/progress/{w.task_progress_id}/task", {}),
                      (f"/onboarding/sign-offs/{w.sign_off_progress_id}/approve", {}),
                      (f"/onboarding/sign-offs/{w.sign_off_progress_id}/send-back", {"comment": "Redo it."})):
        assert browsers.call(OTHER_MANAGER, "POST", url, data=data).status_code == 403, url
    assert {pid: progress_row(db, pid) for pid in before} == before
    assert count(db, Completion, Completion.employee_id == w.tess_id) == 0

    # Her own manager can do both, which is what the refusals above are measured against.
    assert "Tess Teammate" in browsers.call(MANAGER, "GET", f"/team/people/{w.tess_id}").text
    browsers.call(MANAGER, "POST", f"/onboarding/progress/{w.task_progress_id}/task")
    browsers.call(MANAGER, "POST", f"/onboarding/sign-offs/{w.sign_off_progress_id}/approve")
    for pid in before:
        status, _, signed_by, *_ = progress_row(db, pid)
        assert status is ProgressStatus.COMPLETED and signed_by == w.mona_id


# Another person's plan ----------------------------------------------------------------------------
@pytest.mark.parametrize("actor", [INTERVIEWER, MANAGER, HR])
def test_another_persons_module_ids_are_not_found_and_change_nothing(db, world, browsers, actor):
    w = world
    posts = [(f"/onboarding/modules/{w.module_id}/attest", {"confirm": "y"}, w.sam_attest_progress_id),
             (f"/onboarding/modules/{w.quiz_module_id}/quiz",
              {"items": str(w.quiz_item_id), f"item-{w.quiz_item_id}": "0"}, w.sam_quiz_progress_id),
             (f"/onboarding/modules/{w.sign_off_module_id}/sign-off", {}, w.sam_sign_off_progress_id)]
    before = {pid: progress_row(db, pid) for _, _, pid in posts}
    for url, data, _ in posts:
        response = browsers.call(actor, "POST", url, data=data)
        assert response.status_code == 404, url
        missing = browsers.call(actor, "POST", url.replace(f"/{url.split('/')[3]}/", "/999999/"), data=data)
        assert missing.status_code == 404  # a module that does not exist answers the same
    module_page = browsers.call(actor, "GET", f"/onboarding/modules/{w.module_id}")
    assert module_page.status_code == 404 and "Huddle basics" not in module_page.text
    assert {pid: progress_row(db, pid) for pid in before} == before
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 0
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_sam_cannot_tick_his_teammates_task_and_his_own_modules_still_work(db, world, browsers):
    w = world
    before = progress_row(db, w.task_progress_id)
    assert browsers.call(STAFF, "POST", f"/onboarding/progress/{w.task_progress_id}/task").status_code == 403
    assert progress_row(db, w.task_progress_id) == before
    browsers.call(STAFF, "POST", f"/onboarding/modules/{w.module_id}/attest", data={"confirm": "y"})
    assert progress_row(db, w.sam_attest_progress_id)[0] is ProgressStatus.COMPLETED


# Calendar tokens ----------------------------------------------------------------------------------
def feed_uids(response) -> set[str]:
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return {str(event["uid"]) for event in Calendar.from_ical(response.data).walk("VEVENT")}


def test_a_calendar_token_opens_only_its_owners_feed_whoever_asks(db, world, browsers):
    w = world
    sams = {f"progress-{getattr(w, f'sam_{kind}_progress_id')}@medical-home-onboarding"
            for kind in ("attest", "quiz", "sign_off", "task")}
    sams |= {f"check-in-{check_in_id}@medical-home-onboarding" for check_in_id in db.session.scalars(
        select(CheckIn.id).where(CheckIn.employee_id == w.sam_id, CheckIn.completed_at.is_(None)))}
    sams |= {f"credential-{item.credential_id}@medical-home-onboarding"
             for item in expiring(date.today(), until=date.max, since=date.today() - timedelta(days=30),
                                  employee_id=w.sam_id)}
    assert any(uid.startswith("credential-") for uid in sams)  # Sam's own expiring credential is in his feed
    for actor in (ANON, STAFF, INTERVIEWER, MANAGER, HR):
        assert feed_uids(browsers.call(actor, "GET", f"/onboarding/calendar/{w.calendar_token}.ics")) == sams
    # Signed in or not, a token that is not someone's current token finds nothing.
    for token in ("not-a-token", w.calendar_token[:-1], w.calendar_token.upper()):
        assert browsers.call(STAFF, "GET", f"/onboarding/calendar/{token}.ics").status_code == 404
    db.session.get(User, w.sam_id).active = False
    db.session.flush()
    assert browsers.call(ANON, "GET", f"/onboarding/calendar/{w.calendar_token}.ics").status_code == 404


def test_a_calendar_token_is_shown_to_no_one_but_its_owner(db, world, browsers):
    w = world
    assert w.calendar_token in browsers.call(STAFF, "GET", "/onboarding").text
    pages = [(MANAGER, f"/team/people/{w.sam_id}"), (MANAGER, "/team.csv"), (HR, "/reports/training.csv"),
             ("admin", f"/admin/users/{w.sam_id}"), ("admin", "/admin/audit"), (INTERVIEWER, "/onboarding")]
    for actor, url in pages:
        response = browsers.call(actor, "GET", url)
        assert response.status_code == 200 and w.calendar_token not in response.text, url


# Interviewers' scorecards -------------------------------------------------------------------------
def ians_draft(db, w) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(select(Scorecard.id, Scorecard.status, Scorecard.revision, Rating.score, Rating.evidence)
                              .join(Rating).where(Scorecard.interviewer_id == w.ian_id)).all()


@pytest.mark.parametrize("who", ["ivy", "paz"])
def test_an_interviewer_can_neither_open_nor_edit_another_interviewers_draft(db, world, browsers, who):
    w = world
    actor = INTERVIEWER
    if who == "paz":  # an interviewer who is not on Rosa's panel at all
        browsers.restart(INTERVIEWER, "paz")
    before = ians_draft(db, w)
    page = browsers.call(actor, "GET", f"/hiring/interviews/{w.ian_interview_id}")
    assert page.status_code == 403 and DRAFT_NOTE not in page.text
    scorecard = {f"rating_{w.criterion_id}": "5", f"evidence_{w.criterion_id}": "Overwritten.",
                 "recommendation": "strong_yes", "submit": "1"}
    assert browsers.call(actor, "POST", f"/hiring/interviews/{w.ian_interview_id}", data=scorecard).status_code == 403
    assert browsers.call(actor, "POST", f"/hiring/interviews/{w.ian_interview_id}/amend",
                         data={"reason": "Mine now."}).status_code == 403
    assert ians_draft(db, w) == before and before[0][3:] == (2, DRAFT_NOTE)
    assert count(db, Scorecard) == 1


def test_a_draft_stays_hidden_from_the_panel_even_after_they_submit(db, world, browsers):
    w = world
    scorecard = {f"rating_{w.criterion_id}": "4", f"evidence_{w.criterion_id}": "Clear examples.",
                 "recommendation": "yes", "submit": "1"}
    browsers.call(INTERVIEWER, "POST", f"/hiring/interviews/{w.interview_id}", data=scorecard)
    assert count(db, Scorecard, Scorecard.interviewer_id == w.ivy_id) == 1
    for url in (f"/hiring/interviews/{w.interview_id}", "/hiring/my-interviews"):
        page = browsers.call(INTERVIEWER, "GET", url).text
        assert DRAFT_NOTE not in page, url
    assert "Rosa Diaz" in page and "Bo Bradley" not in page  # only the candidates on Ivy's panel


# Résumés ------------------------------------------------------------------------------------------
def test_resumes_go_to_hr_only_not_to_interviewers_on_or_off_the_panel_nor_to_other_people(db, world, browsers):
    w = world
    rosa, bo = f"/hiring/applications/{w.application_id}/resume", f"/hiring/applications/{w.other_application_id}/resume"
    later = f"/hiring/applications/{w.application_id}/resubmissions/{w.resubmission_id}/resume"
    # Sam was once an applicant too (Bo's application became his account): still not a reader of résumés.
    db.session.get(Application, w.other_application_id).hired_user_id = w.sam_id
    db.session.flush()
    for actor, url in ((INTERVIEWER, rosa), (INTERVIEWER, bo), (INTERVIEWER, later), (STAFF, rosa), (STAFF, bo),
                       (MANAGER, rosa), (MANAGER, later)):
        response = browsers.call(actor, "GET", url)
        assert response.status_code == 403 and PDF not in response.data, (actor, url)
    refused = browsers.call(ANON, "GET", rosa)
    assert refused.status_code == 302 and PDF not in refused.data
    hr = browsers.call(HR, "GET", rosa)
    assert hr.data == PDF + b"rosa" and hr.headers["Cache-Control"] == "private, no-store"
    assert browsers.call(HR, "GET", "/hiring/applications/999999/resume").status_code == 404
    assert browsers.call(HR, "GET", later).data == PDF + b"rosa-later"
    elsewhere = f"/hiring/applications/{w.other_application_id}/resubmissions/{w.resubmission_id}/resume"
    assert browsers.call(HR, "GET", elsewhere).status_code == 404  # Rosa's later résumé is not under Bo's


def test_hr_on_a_panel_sees_no_colleagues_ratings_in_the_report_before_submitting(db, world, browsers):
    """The hiring report's per-posting rating spread would otherwise show what the panel gave Rosa."""
    from app.hiring import scoring
    from app.models import InterviewAssignment, Recommendation

    w = world
    hr = db.session.get(User, w.hr_id)
    hr.is_interviewer = True
    db.session.add(InterviewAssignment(application_id=w.application_id, interviewer_id=hr.id))
    db.session.flush()
    def report(actor):  # the page without its time-stamped CSRF tokens (in every attribute order)
        return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", browsers.call(actor, "GET", "/reports").text)

    before = {actor: report(actor) for actor in (HR, "admin")}
    ian = db.session.get(InterviewAssignment, w.ian_interview_id)
    scoring.save_scorecard(ian, actor=db.session.get(User, w.ian_id), ratings={w.criterion_id: (1, DRAFT_NOTE)},
                           recommendation=Recommendation.NO, submit=True)
    db.session.flush()
    after = {actor: report(actor) for actor in (HR, "admin")}
    assert after["admin"] != before["admin"]  # the rating shows for someone not on the panel
    assert after[HR] == before[HR]


def test_a_cached_report_never_shows_a_panel_member_the_ratings_it_shows_others(db, world, browsers):
    """The report is cached per set of hidden interviews: an admin's copy, with Ian's rating of Rosa,
    is never handed to HR while HR still has Rosa's interview to score."""
    from app.extensions import cache
    from app.hiring import scoring
    from app.models import InterviewAssignment, Recommendation

    w = world
    hr = db.session.get(User, w.hr_id)
    hr.is_interviewer = True
    db.session.add(InterviewAssignment(application_id=w.application_id, interviewer_id=hr.id))
    ian = db.session.get(InterviewAssignment, w.ian_interview_id)
    scoring.save_scorecard(ian, actor=db.session.get(User, w.ian_id), ratings={w.criterion_id: (1, DRAFT_NOTE)},
                           recommendation=Recommendation.NO, submit=True)
    db.session.commit()  # committed, so the report parts are cached

    def hiring_figures(actor):
        html = browsers.call(actor, "GET", "/reports").text
        return html[html.index('id="hiring-heading"'):html.index("</main>")]

    cache.clear()
    for_admin = hiring_figures("admin")  # built and cached first
    for_hr = hiring_figures(HR)
    cache.clear()
    assert for_hr == hiring_figures(HR)  # what HR gets when nothing is cached
    assert for_hr != for_admin  # and the admin's copy differs: it shows the rating
