"""Postings: building from a role template, the interview kit, value coverage, status changes, and the HR pages."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.content.library import read_library
from app.content.services import apply_library
from app.hiring import posting_services as services
from app.hiring.posting_services import CoverageGap, PostingError
from app.models import (
    Application,
    AuditEvent,
    Criterion,
    Posting,
    PostingStatus,
    Question,
    QuestionKind,
    Role,
    RoleFamily,
    Rubric,
    Stage,
    Value,
    utcnow,
)
from tests.conftest import csrf_token
from tests.factories import SiteFactory
from tests.helpers import count, text

MA = RoleFamily.MEDICAL_ASSISTANT
TODAY = date.today()


@pytest.fixture
def bank(db):
    """Three values, a bank of questions on them (and one off-rubric), and a medical assistant template."""
    care, access, team, other = values = [
        Value(key="care-coordination", name="Care Coordination", position=1),
        Value(key="enhanced-access", name="Enhanced Access", position=2),
        Value(key="team-based", name="Team-Based Care", position=3),
        Value(key="community-health", name="Community Health", position=4),
    ]
    db.session.add_all(values)
    db.session.flush()

    def question(key, value, kind=QuestionKind.BEHAVIORAL, **fields):
        row = Question(key=key, value_id=value.id, kind=kind, text=f"Tell me about {key}.", **fields)
        db.session.add(row)
        return row

    questions = SimpleNamespace(
        care=question("care-b", care), care_s=question("care-s", care, QuestionKind.SITUATIONAL),
        access=question("access-b", access), team=question("team-b", team),
        retired=question("care-old", care, archived_at=utcnow()), other=question("community-b", other),
    )
    template = Rubric(key="ma-rubric", name="Medical assistant", role_family=MA, is_template=True,
                      suggested_kit=["access-b", "care-b", "no-such-question", "team-b"])
    db.session.add(template)
    db.session.flush()
    for position, value in enumerate((care, access, team)):
        db.session.add(Criterion(rubric_id=template.id, value_id=value.id, position=position, title=f"Shows {value.name}",
                                 weight=[40, 30, 30][position], anchor_1="Weak", anchor_3="Fair", anchor_5="Strong"))
    db.session.flush()
    return SimpleNamespace(values=values, q=questions, template=template, site=SiteFactory())


@pytest.fixture
def hr_user(make_user):
    return make_user(Role.HR, name="Harper Reyes")


@pytest.fixture
def make_posting(db, bank, hr_user):
    def make(**fields):
        fields = {"role_family": MA, "site": bank.site, "today": TODAY, **fields}
        return services.create_posting(actor=hr_user, **fields)

    return make


def kit_keys(posting) -> list[str]:
    return [item.question.key for item in sorted(posting.kit, key=lambda item: item.position)]


def positions(posting) -> list[int]:
    return [item.position for item in posting.kit]


def events(db, action, entity) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                       AuditEvent.entity_id == entity.id)).all()


# Creating from a role family ------------------------------------------------------------------
def test_a_posting_copies_the_template_rubric_and_its_suggested_kit_in_order(db, bank, make_posting, hr_user):
    posting = make_posting(title="", department="Adult medicine")
    assert posting.status is PostingStatus.DRAFT and posting.title == "Medical assistant"
    assert posting.rubric_id != bank.template.id and not posting.rubric.is_template
    assert [(c.value_id, c.weight, c.title) for c in posting.rubric.criteria] == \
        [(c.value_id, c.weight, c.title) for c in bank.template.criteria]
    assert kit_keys(posting) == ["access-b", "care-b", "team-b"]  # the unknown key is skipped
    assert positions(posting) == [0, 1, 2]
    assert posting.created_by_id == hr_user.id
    event = events(db, "posting.created_from_template", posting)[0]
    assert event.actor_id == hr_user.id and event.after["template_id"] == bank.template.id
    assert count(db, Rubric, Rubric.is_template) == 1  # the template itself is untouched


def test_every_shipped_role_template_builds_a_posting_with_every_value_assessed(app, db, make_user):
    apply_library(read_library(app.config["SEEDS_DIR"]))
    actor, site = make_user(Role.HR), SiteFactory()
    for family in RoleFamily:
        template = services.template_for(family)
        posting = services.create_posting(actor=actor, role_family=family, site=site, today=TODAY)
        assert posting.rubric_id != template.id
        assert [item.question.key for item in posting.kit] == template.suggested_kit
        assert services.coverage_gaps(posting) == [], family


def test_creating_refuses_a_past_closing_date_or_a_role_without_a_template(db, bank, make_posting):
    with pytest.raises(PostingError, match="in the past"):
        make_posting(closing_date=TODAY - timedelta(days=1))
    with pytest.raises(PostingError, match="no rubric template for Front desk"):
        make_posting(role_family=RoleFamily.FRONT_DESK)
    assert count(db, Posting) == 0


# The kit --------------------------------------------------------------------------------------
def test_kit_questions_are_added_at_the_end_removed_and_reordered(db, bank, make_posting, hr_user):
    posting = make_posting()
    services.add_to_kit(posting, bank.q.care_s, actor=hr_user)
    assert kit_keys(posting) == ["access-b", "care-b", "team-b", "care-s"] and positions(posting) == [0, 1, 2, 3]
    services.move_kit_item(posting.kit[3], -1, actor=hr_user)
    assert kit_keys(posting) == ["access-b", "care-b", "care-s", "team-b"] and positions(posting) == [0, 1, 2, 3]
    assert services.move_kit_item(posting.kit[0], -1, actor=hr_user) is False
    services.remove_from_kit(posting.kit[1], actor=hr_user)
    assert kit_keys(posting) == ["access-b", "care-s", "team-b"] and positions(posting) == [0, 1, 2]
    assert count(db, AuditEvent, AuditEvent.action == "kit_item.deleted") == 1


@pytest.mark.parametrize("which, message", [
    ("other", "does not include"), ("retired", "archived"), ("care", "already in the kit"),
])
def test_the_kit_takes_only_active_new_questions_on_the_rubric_values(db, bank, make_posting, hr_user, which, message):
    posting = make_posting()
    with pytest.raises(PostingError, match=message):
        services.add_to_kit(posting, getattr(bank.q, which), actor=hr_user)
    assert len(posting.kit) == 3


def test_the_bank_offers_active_questions_on_rubric_values_not_yet_in_the_kit(db, bank, make_posting):
    posting = make_posting()
    assert [q.key for q in services.kit_candidates(posting)] == ["care-s"]
    assert services.kit_candidates(posting, QuestionKind.BEHAVIORAL) == []


def test_an_open_posting_may_not_lose_its_only_question_on_a_value(db, bank, make_posting, hr_user):
    posting = make_posting()
    services.open_posting(posting, actor=hr_user)
    access = next(item for item in posting.kit if item.question.key == "access-b")
    with pytest.raises(PostingError, match="Enhanced Access not assessed"):
        services.remove_from_kit(access, actor=hr_user)
    services.add_to_kit(posting, bank.q.care_s, actor=hr_user)
    services.remove_from_kit(next(i for i in posting.kit if i.question.key == "care-b"), actor=hr_user)
    assert kit_keys(posting) == ["access-b", "team-b", "care-s"]


def test_a_closed_postings_kit_is_frozen(db, bank, make_posting, hr_user):
    posting = make_posting()
    services.open_posting(posting, actor=hr_user)
    services.close_posting(posting, actor=hr_user)
    with pytest.raises(PostingError, match="can no longer change"):
        services.add_to_kit(posting, bank.q.care_s, actor=hr_user)


# Coverage and opening -------------------------------------------------------------------------
def test_a_criterion_without_a_kit_question_blocks_opening(db, bank, make_posting, hr_user):
    posting = make_posting()
    services.remove_from_kit(next(i for i in posting.kit if i.question.key == "access-b"), actor=hr_user)
    assert [c.value.name for c in services.coverage_gaps(posting)] == ["Enhanced Access"]
    with pytest.raises(CoverageGap, match="Enhanced Access") as refused:
        services.open_posting(posting, actor=hr_user)
    assert "Shows Enhanced Access" in str(refused.value) and refused.value.gaps[0].value.name == "Enhanced Access"
    assert posting.status is PostingStatus.DRAFT and posting.opened_at is None
    assert events(db, "posting.opened", posting) == []


def test_a_reason_overrides_the_coverage_gap_and_the_audit_event_holds_it(db, bank, make_posting, hr_user):
    posting = make_posting()
    services.remove_from_kit(next(i for i in posting.kit if i.question.key == "access-b"), actor=hr_user)
    services.open_posting(posting, actor=hr_user, override_reason="  Access is covered in the phone screen.  ")
    assert posting.status is PostingStatus.OPEN and posting.opened_at is not None
    assert posting.coverage_override_reason == "Access is covered in the phone screen."
    [event] = events(db, "posting.opened", posting)
    assert event.actor_id == hr_user.id
    assert event.after == {"override_reason": "Access is covered in the phone screen.",
                           "not_assessed": ["Enhanced Access"]}


def test_a_fully_covered_posting_opens_without_keeping_a_reason(db, bank, make_posting, hr_user):
    posting = make_posting()
    services.open_posting(posting, actor=hr_user, override_reason="Not needed")
    assert posting.status is PostingStatus.OPEN and posting.coverage_override_reason is None


# Status transitions ---------------------------------------------------------------------------
STEPS = {"draft": [], "open": ["open"], "closed": ["open", "close"], "archived": ["archive"],
         "archived-closed": ["open", "close", "archive"]}
EVENTS = {"open": "posting.opened", "close": "posting.closed", "archive": "posting.archived"}


def _to(posting, state, actor):
    for step in STEPS[state]:
        getattr(services, f"{step}_posting")(posting, actor=actor)


@pytest.mark.parametrize("start, action, status, archived", [
    ("draft", "open", PostingStatus.OPEN, False),
    ("open", "close", PostingStatus.CLOSED, False),
    ("closed", "open", PostingStatus.OPEN, False),
    ("draft", "archive", PostingStatus.DRAFT, True),
    ("closed", "archive", PostingStatus.CLOSED, True),
])
def test_valid_status_transitions(db, make_posting, hr_user, start, action, status, archived):
    posting = make_posting()
    _to(posting, start, hr_user)
    getattr(services, f"{action}_posting")(posting, actor=hr_user)
    assert posting.status is status and posting.archived is archived
    assert events(db, EVENTS[action], posting)


@pytest.mark.parametrize("start, action, message", [
    ("draft", "close", "Only open postings can be closed; Medical assistant is draft"),
    ("closed", "close", "is closed"),
    ("open", "open", "already open"),
    ("archived", "open", "archived postings cannot be opened"),
    ("archived-closed", "close", "is archived"),
    ("open", "archive", "close it first"),
    ("archived", "archive", "already archived"),
])
def test_invalid_status_transitions_are_refused_and_change_nothing(db, make_posting, hr_user, start, action, message):
    posting = make_posting()
    _to(posting, start, hr_user)
    before = (posting.status, posting.archived_at, posting.opened_at, posting.closed_at)
    with pytest.raises(PostingError, match=message):
        getattr(services, f"{action}_posting")(posting, actor=hr_user)
    assert (posting.status, posting.archived_at, posting.opened_at, posting.closed_at) == before


def test_a_posting_whose_closing_date_passed_cannot_open(db, make_posting, hr_user):
    posting = make_posting(closing_date=TODAY)
    with pytest.raises(PostingError, match="has passed"):
        services.open_posting(posting, actor=hr_user, today=TODAY + timedelta(days=1))


# Pages ----------------------------------------------------------------------------------------
@pytest.fixture
def hr(login_as):
    return login_as(Role.HR)


def gapped(posting, actor):
    """Leave Enhanced Access without a question."""
    services.remove_from_kit(next(i for i in posting.kit if i.question.key == "access-b"), actor=actor)
    return posting


PAGES = ["/hiring/postings", "/hiring/postings?status=archived", "/hiring/postings/new",
         "/hiring/postings/{id}", "/hiring/postings/{id}/archive"]
POSTS = ["/hiring/postings/new", "/hiring/postings/{id}", "/hiring/postings/{id}/kit", "/hiring/postings/{id}/open",
         "/hiring/postings/{id}/close", "/hiring/postings/{id}/archive", "/hiring/kit-items/{item}/remove",
         "/hiring/kit-items/{item}/move"]


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, None])
def test_only_hr_and_admins_reach_posting_pages(client, login_as, make_posting, role):
    posting = make_posting()
    if role:
        login_as(role)
    urls = [("GET", u) for u in PAGES] + [("POST", u) for u in POSTS]
    for method, url in urls:
        response = client.open(url.format(id=posting.id, item=posting.kit[0].id), method=method)
        if role:
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert posting.status is PostingStatus.DRAFT and len(posting.kit) == 3


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_the_posting_page_shows_the_kit_the_coverage_panel_and_not_assessed(client, login_as, make_posting,
                                                                              hr_user, role):
    posting = gapped(make_posting(description="## The role\n<script>alert(1)</script>**Team** care"), hr_user)
    login_as(role)
    page = text(client.get(f"/hiring/postings/{posting.id}"))
    assert "Interview kit, in order (2 questions)" in page and "Tell me about care-b." in page
    assert "Value coverage" in page and "2 of 3 rubric criteria" in page
    assert "Not assessed" in page and "1 value is not assessed" in page and "Enhanced Access" in page
    assert "Assessed by question 2" in page  # team-b is second once access-b is gone
    assert "Tell me about care-s." in page and "care-old" not in page and "community-b" not in page
    assert "<h2>The role</h2>" in page and "<strong>Team</strong>" in page
    assert "<script>alert" not in client.get(f"/hiring/postings/{posting.id}").get_data(as_text=True)
    filtered = text(client.get(f"/hiring/postings/{posting.id}?kind=behavioral"))
    assert "Tell me about care-s." not in filtered


def test_the_list_filters_by_status_and_site_and_counts_applications(client, db, hr, bank, make_posting, hr_user):
    first, second = make_posting(title="Medical assistant, days"), make_posting(title="MA evenings",
                                                                               site=SiteFactory(name="Harbor"))
    services.open_posting(first, actor=hr_user)
    for index, stage in enumerate([Stage.APPLIED, Stage.INTERVIEW, Stage.REJECTED]):
        db.session.add(Application(posting_id=first.id, name=f"P{index}", email=f"p{index}@x.org", stage=stage))
    db.session.flush()
    page = text(client.get("/hiring/postings"))
    assert "Medical assistant, days" in page and "MA evenings" in page
    assert 'aria-label="3 applications to Medical assistant, days"' in page
    opened = text(client.get("/hiring/postings?status=open"))
    assert "Medical assistant, days" in opened and "MA evenings" not in opened
    harbor = text(client.get(f"/hiring/postings?site={second.site_id}"))
    assert "MA evenings" in harbor and "Medical assistant, days" not in harbor
    assert "No postings match" in text(client.get("/hiring/postings?status=archived"))


def form_data(bank, **fields):
    return {"role_family": MA.value, "title": "", "site_id": str(bank.site.id), "department": "Adult medicine",
            "employment_type": "PART_TIME", "closing_date": "", "description": "Join us.", **fields}


def test_hr_creates_a_posting_from_a_role_family(client, db, hr, bank):
    assert 'value="Medical assistant"' in text(client.get(f"/hiring/postings/new?role_family={MA.value}"))
    response = client.post("/hiring/postings/new", data=form_data(bank), follow_redirects=True)
    posting = db.session.scalar(select(Posting))
    assert "created as a draft with 3 questions" in text(response)
    assert posting.title == "Medical assistant" and posting.employment_type.value == "PART_TIME"
    assert [i.question.key for i in posting.kit] == ["access-b", "care-b", "team-b"]


def test_a_closing_date_in_the_past_is_refused_and_nothing_is_saved(client, db, hr, bank, make_posting):
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    response = client.post("/hiring/postings/new", data=form_data(bank, closing_date=yesterday))
    assert response.status_code == 200 and "The closing date is in the past" in text(response)
    assert count(db, Posting) == 0 and count(db, Rubric) == 1
    posting = make_posting()
    edit = form_data(bank, title="Changed", closing_date=yesterday)
    assert "The closing date is in the past" in text(client.post(f"/hiring/postings/{posting.id}", data=edit))
    db.session.refresh(posting)
    assert posting.title == "Medical assistant" and posting.closing_date is None


def test_hr_edits_a_posting(client, db, hr, bank, make_posting):
    posting = make_posting()
    closes = (TODAY + timedelta(days=20)).isoformat()
    response = client.post(f"/hiring/postings/{posting.id}", data=form_data(bank, title="MA, evenings",
                                                                            closing_date=closes), follow_redirects=True)
    assert "MA, evenings saved." in text(response)
    assert posting.title == "MA, evenings" and posting.closing_date.isoformat() == closes


def test_hr_builds_the_kit_over_http(client, db, hr, bank, make_posting):
    posting = make_posting()
    added = client.post(f"/hiring/postings/{posting.id}/kit", data={"question_id": bank.q.care_s.id},
                        follow_redirects=True)
    assert "Added to the kit as question 4 (Care Coordination)" in text(added)
    reopened = client.get(f"/hiring/postings/{posting.id}?open={bank.q.care_s.value_id}")
    assert reopened.status_code == 200 and "Not assessed" not in text(reopened)
    refused = client.post(f"/hiring/postings/{posting.id}/kit", data={"question_id": bank.q.other.id},
                          follow_redirects=True)
    assert "does not include" in text(refused) and len(posting.kit) == 4
    last = posting.kit[-1]
    assert "Moved question up." in text(client.post(f"/hiring/kit-items/{last.id}/move", data={"direction": "up"},
                                                    follow_redirects=True))
    db.session.expire_all()
    assert kit_keys(posting) == ["access-b", "care-b", "care-s", "team-b"]
    removed = client.post(f"/hiring/kit-items/{posting.kit[0].id}/remove", follow_redirects=True)
    assert "Removed a question on Enhanced Access from the kit." in text(removed)
    db.session.expire_all()
    assert kit_keys(posting) == ["care-b", "care-s", "team-b"] and positions(posting) == [0, 1, 2]


def test_opening_over_http_needs_a_reason_while_values_are_not_assessed(client, db, hr, make_posting, hr_user):
    posting = gapped(make_posting(), hr_user)
    refused = client.post(f"/hiring/postings/{posting.id}/open", data={"reason": ""}, follow_redirects=True)
    assert "Not assessed by any question in the kit: Enhanced Access" in text(refused)
    assert posting.status is PostingStatus.DRAFT
    opened = client.post(f"/hiring/postings/{posting.id}/open", data={"reason": "Phone screen covers it"},
                         follow_redirects=True)
    assert "is open for applications, with values not assessed" in text(opened)
    assert "Reason given: Phone screen covers it" in text(opened)
    db.session.expire_all()
    assert posting.status is PostingStatus.OPEN
    closed = client.post(f"/hiring/postings/{posting.id}/close", follow_redirects=True)
    assert "closed to new applications" in text(closed)


def test_archiving_goes_through_a_confirm_page(client, db, hr, make_posting):
    posting = make_posting()
    assert "Archive Medical assistant?" in text(client.get(f"/hiring/postings/{posting.id}/archive"))
    response = client.post(f"/hiring/postings/{posting.id}/archive", follow_redirects=True)
    assert "Medical assistant is archived." in text(response)
    db.session.expire_all()
    assert posting.archived and "Medical assistant" in text(client.get("/hiring/postings?status=archived"))
    assert "Nothing here can be changed" in text(client.get(f"/hiring/postings/{posting.id}"))


def test_a_posting_form_without_its_csrf_token_is_refused(client, db, hr, make_posting, csrf_on):
    posting = make_posting()
    token = csrf_token(client.get(f"/hiring/postings/{posting.id}"))
    assert client.post(f"/hiring/postings/{posting.id}/open").status_code == 400
    assert posting.status is PostingStatus.DRAFT
    client.post(f"/hiring/postings/{posting.id}/open", data={"csrf_token": token})
    db.session.expire_all()
    assert posting.status is PostingStatus.OPEN

