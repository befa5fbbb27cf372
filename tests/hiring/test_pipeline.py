"""The applicant pipeline: moves write history and audit, reasons where needed, hiring has its own form."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.hiring import pipeline_services as services
from app.hiring.pipeline_services import StageError
from app.models import (
    Application,
    AuditEvent,
    Posting,
    PostingStatus,
    Role,
    RoleFamily,
    Rubric,
    Stage,
    StageChange,
)
from tests.factories import SiteFactory
from tests.helpers import text


def changes(db, application) -> list[StageChange]:
    return db.session.scalars(select(StageChange).where(StageChange.application_id == application.id)
                              .order_by(StageChange.id)).all()


def moved_events(db, application) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.moved",
                                                       AuditEvent.entity_id == application.id)).all()


@pytest.fixture
def posting(db):
    rubric = Rubric(name="Medical assistant", role_family=RoleFamily.MEDICAL_ASSISTANT)
    db.session.add(rubric)
    db.session.flush()
    row = Posting(title="Medical assistant", site_id=SiteFactory(name="Riverside").id,
                  role_family=RoleFamily.MEDICAL_ASSISTANT, rubric_id=rubric.id, status=PostingStatus.OPEN)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def apply(db, posting):
    """An application at a stage, with the history row the careers page writes."""
    made = iter(range(1000))

    def make(stage: Stage = Stage.APPLIED, name: str = "Rosa Diaz", **fields) -> Application:
        application = Application(posting_id=posting.id, name=name, email=f"applicant{next(made)}@example.org",
                                  stage=stage, **fields)
        db.session.add(application)
        db.session.flush()
        db.session.add(StageChange(application_id=application.id, from_stage=None, to_stage=Stage.APPLIED))
        db.session.flush()
        return application

    return make


@pytest.fixture
def hr_user(make_user):
    return make_user(Role.HR, name="Harper Reyes")


# Services -------------------------------------------------------------------------------------
def test_a_move_writes_a_stage_change_and_an_audit_event(db, apply, hr_user):
    application = apply()
    services.move_stage(application, Stage.SCREENING, actor=hr_user, reason=" Strong phone screen ")
    assert application.stage is Stage.SCREENING
    change = changes(db, application)[-1]
    assert (change.from_stage, change.to_stage, change.reason, change.actor_id) == \
        (Stage.APPLIED, Stage.SCREENING, "Strong phone screen", hr_user.id)
    [event] = moved_events(db, application)
    assert event.actor_id == hr_user.id
    assert event.after == {"from_stage": "applied", "to_stage": "screening", "reason": "Strong phone screen"}


@pytest.mark.parametrize("stage", [Stage.REJECTED, Stage.WITHDRAWN])
def test_rejecting_or_withdrawing_needs_a_reason(db, apply, hr_user, stage):
    application = apply(Stage.INTERVIEW)
    with pytest.raises(StageError, match=f"Give a reason for marking Rosa Diaz {stage.value}"):
        services.move_stage(application, stage, actor=hr_user, reason="   ")
    assert application.stage is Stage.INTERVIEW and len(changes(db, application)) == 1
    assert moved_events(db, application) == []
    services.move_stage(application, stage, actor=hr_user, reason="Took another offer")
    assert application.stage is stage and changes(db, application)[-1].reason == "Took another offer"


def test_moving_to_hired_is_refused_with_a_pointer_to_the_hire_form(db, apply, hr_user):
    application = apply(Stage.OFFER)
    with pytest.raises(StageError, match="use the hire form"):
        services.move_stage(application, Stage.HIRED, actor=hr_user, reason="Accepted")
    assert application.stage is Stage.OFFER and len(changes(db, application)) == 1
    assert services.hire_path(application) == f"/hiring/applications/{application.id}/hire"


@pytest.mark.parametrize("stage", [Stage.OFFER, Stage.REJECTED, Stage.APPLIED])
def test_a_hired_application_never_moves_out_of_hired(db, apply, hr_user, stage):
    application = apply(Stage.HIRED)
    with pytest.raises(StageError, match="has been hired"):
        services.move_stage(application, stage, actor=hr_user, reason="Changed our minds")
    assert application.stage is Stage.HIRED and moved_events(db, application) == []


def test_a_move_to_the_current_stage_or_on_an_archived_posting_is_refused(db, apply, hr_user, posting):
    application = apply(Stage.SCREENING)
    with pytest.raises(StageError, match="already at Screening"):
        services.move_stage(application, Stage.SCREENING, actor=hr_user)
    posting.archive()
    with pytest.raises(StageError, match="archived"):
        services.move_stage(application, Stage.INTERVIEW, actor=hr_user)


def test_a_rejected_applicant_can_be_reconsidered(db, apply, hr_user):
    application = apply(Stage.REJECTED)
    services.move_stage(application, Stage.SCREENING, actor=hr_user, reason="Licence arrived")
    assert application.stage is Stage.SCREENING


# Pages ----------------------------------------------------------------------------------------
@pytest.fixture
def hr(login_as):
    return login_as(Role.HR)


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_the_pipeline_groups_applications_by_stage_with_counts(client, login_as, apply, posting, role):
    for index, stage in enumerate([Stage.APPLIED, Stage.APPLIED, Stage.INTERVIEW, Stage.REJECTED]):
        apply(stage, name=f"Person {index}")
    apply(Stage.OFFER, name="Archived Person", archived_at=posting.created_at)
    login_as(role)
    page = text(client.get(f"/hiring/postings/{posting.id}/pipeline"))
    assert "Pipeline: Medical assistant" in page and "4 applications" in page
    for label, number in [("Applied", 2), ("Screening", 0), ("Interview", 1), ("Offer", 0), ("Hired", 0),
                          ("Rejected", 1), ("Withdrawn", 0)]:
        assert f'aria-label="{number} at {label}"' in page
    assert "Archived Person" not in page
    first = db_first(posting)
    assert f'href="/hiring/applications/{first.id}"' in page


def db_first(posting) -> Application:
    return min(posting.applications, key=lambda a: a.id)


def test_the_pipeline_page_costs_the_same_whatever_the_number_of_applications(client, db, hr, apply, posting,
                                                                              count_queries):
    apply()
    db.session.expire_all()
    with count_queries() as few:
        client.get(f"/hiring/postings/{posting.id}/pipeline")
    for index in range(12):
        apply(Stage.SCREENING, name=f"Person {index}")
    db.session.expire_all()
    with count_queries() as many:
        client.get(f"/hiring/postings/{posting.id}/pipeline")
    assert len(many) == len(few)


def test_the_candidate_page_shows_the_application_history_and_links(client, db, hr, apply, hr_user):
    application = apply(Stage.OFFER, name="Rosa Diaz", phone="555-0100", resume_path="2026/rosa.pdf",
                        why_medical_home="I want to know my patients.\nAnd my team.")
    services.move_stage(application, Stage.REJECTED, actor=hr_user, reason="Needs a licence")
    services.move_stage(application, Stage.OFFER, actor=hr_user, reason="Licence arrived")
    page = text(client.get(f"/hiring/applications/{application.id}"))
    assert "Rosa Diaz" in page and "555-0100" in page and "applicant" in page and "@example.org" in page
    assert "<p class=\"mb-2\">I want to know my patients.</p>" in page
    assert f'href="/hiring/applications/{application.id}/resume"' in page
    assert f'href="/hiring/applications/{application.id}/interviews"' in page
    assert f'href="/hiring/applications/{application.id}/hire"' in page
    assert "Offer → Rejected" in page and "Needs a licence" in page and "Harper Reyes" in page
    assert "Applied, by the applicant" in page and "Offer → Rejected (Needs a licence), by Harper Reyes" in page
    no_resume = apply(name="Sam Kim")
    assert "None uploaded" in text(client.get(f"/hiring/applications/{no_resume.id}"))


def test_hr_moves_an_application_and_sees_it_in_the_history(client, db, hr, apply):
    application = apply()
    response = client.post(f"/hiring/applications/{application.id}/move",
                           data={"to_stage": "screening", "reason": "Good fit"}, follow_redirects=True)
    assert "Rosa Diaz moved to Screening." in text(response) and "Applied → Screening" in text(response)
    db.session.expire_all()
    assert application.stage is Stage.SCREENING and changes(db, application)[-1].actor_id == hr.id


@pytest.mark.parametrize("data, message", [
    ({"to_stage": "rejected", "reason": ""}, "Give a reason for marking Rosa Diaz rejected"),
    ({"to_stage": "hired", "reason": ""}, "use the hire form"),
    ({"to_stage": "", "reason": "x"}, "Choose the stage to move to."),
    ({"to_stage": "promoted", "reason": "x"}, "Not a valid choice"),
])
def test_a_refused_move_says_why_and_changes_nothing(client, db, hr, apply, data, message):
    application = apply(Stage.OFFER)
    response = client.post(f"/hiring/applications/{application.id}/move", data=data, follow_redirects=True)
    assert message in text(response)
    db.session.expire_all()
    assert application.stage is Stage.OFFER and len(changes(db, application)) == 1


def test_a_hired_candidate_page_has_no_move_form(client, hr, apply):
    application = apply(Stage.HIRED)
    page = text(client.get(f"/hiring/applications/{application.id}"))
    assert "was hired" in page and 'name="to_stage"' not in page


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, None])
def test_only_hr_and_admins_reach_the_pipeline(client, db, login_as, apply, posting, role):
    application = apply()
    if role:
        login_as(role)
    for method, url in [("GET", f"/hiring/postings/{posting.id}/pipeline"),
                        ("GET", f"/hiring/applications/{application.id}"),
                        ("POST", f"/hiring/applications/{application.id}/move")]:
        response = client.open(url, method=method, data={"to_stage": "rejected", "reason": "No"})
        if role:
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert application.stage is Stage.APPLIED
    assert db.session.scalar(select(func.count()).select_from(StageChange)) == 1
