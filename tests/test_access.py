"""Who may open each page: one table row per endpoint in the URL map, checked for every role.

A new route without a row here fails `test_every_endpoint_has_an_access_rule`.
"""

from __future__ import annotations

import pytest

from app.models import Role

ANON, STAFF, MANAGER, HR, ADMIN = "anonymous", "staff", "manager", "hr", "admin"
EVERYONE_SIGNED_IN = {STAFF, MANAGER, HR, ADMIN}

# endpoint -> (method, url template, who may use it[, the answers that count as reaching it]).
# Anonymous users who may not are sent to sign in; signed-in users who may not get 403. Pages about
# one person's own records answer 404 to someone whose record it is not: their object-level rules
# are tested beside the feature (tests/onboarding/test_routes.py).
NOT_YOURS = (404,)
RULES: dict[str, tuple] = {
    "static": ("GET", "/static/app.css", {ANON} | EVERYONE_SIGNED_IN),
    "bootstrap.static": ("GET", "/bootstrap/static/css/bootstrap.min.css", {ANON} | EVERYONE_SIGNED_IN),
    "healthz": ("GET", "/healthz", {ANON} | EVERYONE_SIGNED_IN),
    "main.index": ("GET", "/", {ANON} | EVERYONE_SIGNED_IN),
    "main.home": ("GET", "/home", EVERYONE_SIGNED_IN),
    "auth.login": ("GET", "/login", {ANON} | EVERYONE_SIGNED_IN),
    "auth.logout": ("POST", "/logout", EVERYONE_SIGNED_IN),
    "auth.accept_invite": ("GET", "/invite/{invite_token}", {ANON} | EVERYONE_SIGNED_IN),
    "auth.change_password": ("GET", "/account/password", EVERYONE_SIGNED_IN),
    "auth.forgot_password": ("GET", "/forgot", {ANON} | EVERYONE_SIGNED_IN),
    "auth.reset_password": ("GET", "/reset/{reset_token}", {ANON} | EVERYONE_SIGNED_IN),
    "content.index": ("GET", "/content/", EVERYONE_SIGNED_IN),
    "content.value": ("GET", "/content/values/{value_key}", EVERYONE_SIGNED_IN),
    "content.edit_value": ("GET", "/content/values/{value_key}/edit", {HR, ADMIN}),
    "admin.users": ("GET", "/admin/users", {ADMIN}),
    "admin.invite": ("GET", "/admin/users/new", {ADMIN}),
    "admin.user": ("GET", "/admin/users/{other_id}", {ADMIN}),
    "admin.deactivate": ("GET", "/admin/users/{other_id}/deactivate", {ADMIN}),
    "admin.reactivate": ("POST", "/admin/users/{other_id}/reactivate", {ADMIN}),
    "admin.resend_invite": ("POST", "/admin/users/{other_id}/invite", {ADMIN}),
    "admin.send_password_reset": ("POST", "/admin/users/{other_id}/reset-password", {ADMIN}),
    "admin.sites": ("GET", "/admin/sites", {ADMIN}),
    "admin.site": ("GET", "/admin/sites/{site_id}", {ADMIN}),
    "admin.archive_site": ("GET", "/admin/sites/{site_id}/archive", {ADMIN}),
    "admin.audit": ("GET", "/admin/audit", {ADMIN}),
    "admin.import_staff": ("GET", "/admin/import", {HR, ADMIN}),
    "admin.confirm_import": ("POST", "/admin/import/confirm", {HR, ADMIN}),
    "admin.import_example": ("GET", "/admin/import/example.csv", {HR, ADMIN}),
    "onboarding.my_onboarding": ("GET", "/onboarding", EVERYONE_SIGNED_IN),
    "onboarding.module": ("GET", "/onboarding/modules/{module_id}", EVERYONE_SIGNED_IN, NOT_YOURS),
    "onboarding.attest": ("POST", "/onboarding/modules/{module_id}/attest", EVERYONE_SIGNED_IN, NOT_YOURS),
    "onboarding.quiz": ("POST", "/onboarding/modules/{module_id}/quiz", EVERYONE_SIGNED_IN, NOT_YOURS),
    "onboarding.request_sign_off": ("POST", "/onboarding/modules/{module_id}/sign-off", EVERYONE_SIGNED_IN, NOT_YOURS),
    "onboarding.complete_task": ("POST", "/onboarding/progress/{progress_id}/task", {HR, ADMIN}),
    "onboarding.tasks": ("GET", "/onboarding/tasks", EVERYONE_SIGNED_IN),
    "onboarding.transcript": ("GET", "/onboarding/transcript", EVERYONE_SIGNED_IN),
    "onboarding.calendar_feed": ("GET", "/onboarding/calendar/{calendar_token}.ics", {ANON} | EVERYONE_SIGNED_IN),
    "onboarding.reset_calendar": ("POST", "/onboarding/calendar/reset", EVERYONE_SIGNED_IN),
    "onboarding.sign_offs": ("GET", "/onboarding/sign-offs", {MANAGER, HR, ADMIN}),
    "onboarding.approve_sign_off": ("POST", "/onboarding/sign-offs/{progress_id}/approve", {HR, ADMIN}),
    "onboarding.send_back": ("POST", "/onboarding/sign-offs/{progress_id}/send-back", {HR, ADMIN}),
    "onboarding.preferences": ("GET", "/onboarding/preferences", EVERYONE_SIGNED_IN),
    "onboarding.tracks": ("GET", "/onboarding/tracks", {HR, ADMIN}),
    "onboarding.new_track": ("GET", "/onboarding/tracks/new", {HR, ADMIN}),
    "onboarding.track": ("GET", "/onboarding/tracks/{track_id}", {HR, ADMIN}),
    "onboarding.archive_track": ("GET", "/onboarding/tracks/{track_id}/archive", {HR, ADMIN}),
    "onboarding.assign_track": ("POST", "/onboarding/tracks/{track_id}/assign", {HR, ADMIN}),
    "onboarding.track_people": ("GET", "/onboarding/tracks/{track_id}/people", {HR, ADMIN}),
    "onboarding.new_module": ("GET", "/onboarding/tracks/{track_id}/modules/new", {HR, ADMIN}),
    "onboarding.edit_module": ("GET", "/onboarding/modules/{module_id}/edit", {HR, ADMIN}),
    "onboarding.move_module": ("POST", "/onboarding/modules/{module_id}/move", {HR, ADMIN}),
    "onboarding.archive_module": ("GET", "/onboarding/modules/{module_id}/archive", {HR, ADMIN}),
    "onboarding.unassign": ("GET", "/onboarding/assignments/{assignment_id}/unassign", {HR, ADMIN}),
    "team.index": ("GET", "/team", {MANAGER, HR, ADMIN}),
    # A manager outside the person's reporting line gets 404, so existence is not revealed.
    "team.person": ("GET", "/team/people/{other_id}", {MANAGER, HR, ADMIN}, (200, 404)),
    "team.export": ("GET", "/team.csv", {MANAGER, HR, ADMIN}),
    "reports.index": ("GET", "/reports", {HR, ADMIN}),
    "reports.training_csv": ("GET", "/reports/training.csv", {HR, ADMIN}),
    "reports.evidence": ("GET", "/reports/evidence", {HR, ADMIN}),
    "careers.index": ("GET", "/careers", {ANON} | EVERYONE_SIGNED_IN),
    "careers.posting": ("GET", "/careers/{posting_id}", {ANON} | EVERYONE_SIGNED_IN),
    "careers.thanks": ("GET", "/careers/{posting_id}/thanks", {ANON} | EVERYONE_SIGNED_IN),
    "hiring.resume": ("GET", "/hiring/applications/{application_id}/resume", {HR, ADMIN}, NOT_YOURS),
    "hiring.questions": ("GET", "/hiring/questions", {HR, ADMIN}),
    "hiring.new_question": ("GET", "/hiring/questions/new", {HR, ADMIN}),
    "hiring.question": ("GET", "/hiring/questions/{question_id}", {HR, ADMIN}),
    "hiring.archive_question": ("GET", "/hiring/questions/{question_id}/archive", {HR, ADMIN}),
    "hiring.restore_question": ("POST", "/hiring/questions/{question_id}/restore", {HR, ADMIN}),
    "hiring.rubrics": ("GET", "/hiring/rubrics", {HR, ADMIN}),
    "hiring.new_rubric": ("GET", "/hiring/rubrics/new", {HR, ADMIN}),
    "hiring.rubric": ("GET", "/hiring/rubrics/{rubric_id}", {HR, ADMIN}),
    "hiring.postings": ("GET", "/hiring/postings", {HR, ADMIN}),
    "hiring.new_posting": ("GET", "/hiring/postings/new", {HR, ADMIN}),
    "hiring.posting": ("GET", "/hiring/postings/{posting_id}", {HR, ADMIN}),
    "hiring.add_to_kit": ("POST", "/hiring/postings/{posting_id}/kit", {HR, ADMIN}),
    "hiring.remove_from_kit": ("POST", "/hiring/kit-items/{kit_item_id}/remove", {HR, ADMIN}),
    "hiring.move_kit_item": ("POST", "/hiring/kit-items/{kit_item_id}/move", {HR, ADMIN}),
    "hiring.open_posting": ("POST", "/hiring/postings/{posting_id}/open", {HR, ADMIN}),
    "hiring.close_posting": ("POST", "/hiring/postings/{posting_id}/close", {HR, ADMIN}),
    "hiring.archive_posting": ("GET", "/hiring/postings/{posting_id}/archive", {HR, ADMIN}),
    "hiring.pipeline": ("GET", "/hiring/postings/{posting_id}/pipeline", {HR, ADMIN}),
    "hiring.candidate": ("GET", "/hiring/applications/{application_id}", {HR, ADMIN}),
    "hiring.move_application": ("POST", "/hiring/applications/{application_id}/move", {HR, ADMIN}),
    "hiring.interviews": ("GET", "/hiring/applications/{application_id}/interviews", {HR, ADMIN}),
    # Interviewing is a permission, not a role: the signed-in roles here hold no interviewer flag,
    # and the assigned interviewer's own access is tested in tests/hiring/test_interviews.py.
    "hiring.my_interviews": ("GET", "/hiring/my-interviews", set()),
    "hiring.interview": ("GET", "/hiring/interviews/{interview_id}", {HR, ADMIN}),
    "hiring.amend": ("POST", "/hiring/interviews/{interview_id}/amend", set()),
    "hiring.compare": ("GET", "/hiring/postings/{posting_id}/compare", {HR, ADMIN}),
    "hiring.calibration": ("GET", "/hiring/interviewers/{interviewer_id}/calibration", {HR}),
    "hiring.hire": ("GET", "/hiring/applications/{application_id}/hire", {HR, ADMIN}),
}


def test_every_endpoint_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(RULES))
    assert not missing, f"add these endpoints to RULES in tests/test_access.py: {missing}"
    stale = sorted(set(RULES) - endpoints)
    assert not stale, f"these RULES rows name endpoints that no longer exist: {stale}"


@pytest.fixture
def objects(db, make_user):
    from app.auth.services import RESET, invite_token, link_token
    from app.models import Assignment, Method, Module, Progress, Responsible, Track, Value
    from tests.factories import SiteFactory

    other = make_user(Role.STAFF, name="Other Person")
    db.session.add(Value(key="care-coordination", name="Care Coordination"))
    site = SiteFactory()
    track = Track(name="Track")
    db.session.add(track)
    db.session.flush()
    module = Module(track_id=track.id, title="Badge issued", method=Method.TASK, responsible=Responsible.HR)
    db.session.add(module)
    db.session.flush()
    assignment = Assignment(employee_id=other.id, track_id=track.id)
    db.session.add(assignment)
    db.session.flush()
    progress = Progress(employee_id=other.id, module_id=module.id, assignment_id=assignment.id)
    db.session.add(progress)
    db.session.flush()
    from datetime import date as _date

    from app.models import (
        Application,
        Criterion,
        InterviewAssignment,
        KitItem,
        Posting,
        PostingStatus,
        Question,
        QuestionKind,
        RoleFamily,
        Rubric,
        utcnow,
    )

    value = db.session.scalar(db.select(Value).where(Value.key == "care-coordination"))
    rubric = Rubric(name="Medical assistant", role_family=RoleFamily.MEDICAL_ASSISTANT)
    db.session.add(rubric)
    db.session.flush()
    criterion = Criterion(rubric_id=rubric.id, value_id=value.id, position=0, title="Closes loops", weight=100,
                          anchor_1="Never", anchor_3="Sometimes", anchor_5="Always")
    question = Question(value_id=value.id, kind=QuestionKind.BEHAVIORAL, text="Tell me about a hand-off.")
    posting = Posting(title="Medical assistant", site_id=site.id, role_family=RoleFamily.MEDICAL_ASSISTANT,
                      rubric_id=rubric.id, status=PostingStatus.OPEN, opened_at=utcnow(), closing_date=_date(2099, 1, 1))
    db.session.add_all([criterion, question, posting])
    db.session.flush()
    kit_item = KitItem(posting_id=posting.id, question_id=question.id, position=0)
    application = Application(posting_id=posting.id, name="Rosa Diaz", email="rosa@example.org")
    interviewer = make_user(Role.STAFF, name="Ivy Interviewer", is_interviewer=True)
    db.session.add_all([kit_item, application])
    db.session.flush()
    interview = InterviewAssignment(application_id=application.id, interviewer_id=interviewer.id)
    db.session.add(interview)
    db.session.flush()
    return {"interview_id": interview.id, "interviewer_id": interviewer.id,"posting_id": posting.id, "kit_item_id": kit_item.id, "application_id": application.id,
            "question_id": question.id, "rubric_id": rubric.id, "criterion_id": criterion.id,
            "other_id": other.id, "site_id": site.id, "value_key": "care-coordination",
            "invite_token": invite_token(other), "reset_token": link_token(other, RESET), "module_id": module.id, "progress_id": progress.id,
            "calendar_token": other.calendar_token, "track_id": track.id, "assignment_id": assignment.id}


@pytest.mark.parametrize("who", [ANON, STAFF, MANAGER, HR, ADMIN])
@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_access_rule_holds(client, login_as, objects, endpoint, who):
    method, template, allowed, *reached = RULES[endpoint]
    if who != ANON:
        login_as(Role(who))
    url = template.format(**objects)
    with client.open(url, method=method) as response:
        check(response, endpoint, url, who, allowed, reached[0] if reached else (200, 302))


def check(response, endpoint, url, who, allowed, reached):
    if who in allowed:
        assert response.status_code in reached, f"{who} should reach {url}, got {response.status_code}"
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"] or endpoint in {"main.index", "auth.logout"}
    elif who == ANON:
        assert response.status_code == 302 and "/login" in response.headers["Location"], response.status_code
    else:
        assert response.status_code == 403, f"{who} must not reach {url}, got {response.status_code}"
