"""HR authoring over HTTP: tracks, modules and quizzes, versions, ordering, assignment, and who may do it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import (
    Assignment,
    Method,
    Module,
    Progress,
    ProgressStatus,
    QuizItem,
    Role,
    RoleFamily,
    Track,
    TrackKind,
    Value,
    utcnow,
)
from tests.conftest import csrf_token
from tests.factories import SiteFactory
from tests.helpers import count, text

MA = RoleFamily.MEDICAL_ASSISTANT
QUIZ = """What does the team review in the morning huddle?
* Today's patients and their open care gaps
- Last month's billing report
- The holiday schedule
> The huddle looks ahead at today's patients.

Which belong on a medication list? Select all that apply.
* Prescription medicines
* Over-the-counter medicines
- Medicines stopped years ago
"""


@pytest.fixture
def values(db):
    rows = [Value(key="care-coordination", name="Care Coordination", position=1),
            Value(key="team-based-care", name="Team-Based Care", position=2)]
    db.session.add_all(rows)
    db.session.flush()
    return rows


@pytest.fixture
def hr(login_as):
    return login_as(Role.HR)


@pytest.fixture
def make_track(db):
    def make(name="Medical assistant onboarding", kind=TrackKind.ROLE, families=(MA.value,)):
        track = Track(name=name, kind=kind, role_families=list(families))
        db.session.add(track)
        db.session.flush()
        return track

    return make


@pytest.fixture
def make_module(db, values):
    def make(track, title, position=0, method=Method.ATTEST, **fields):
        module = Module(track_id=track.id, position=position, title=title, content="Read this.", minutes=10,
                        due_offset_days=7, method=method, **fields)
        module.values = [values[0]]
        db.session.add(module)
        db.session.flush()
        return module

    return make


def module_form(value_rows, **overrides) -> dict:
    data = {"title": "Huddle basics", "content": "## Why\nWe **huddle** daily.", "values": [str(value_rows[0].id)],
            "minutes": "20", "due_offset_days": "7", "method": "quiz", "pass_mark": "80", "quiz": QUIZ,
            "observation": "", "responsible": "", "renew_months": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Tracks and modules --------------------------------------------------------------------------------
def test_hr_creates_a_track_and_a_quiz_module_written_in_the_text_format(client, db, hr, values):
    response = client.post("/onboarding/tracks/new", data={
        "name": "Medical assistant onboarding", "kind": "role", "role_families": [MA.value, "front-desk"],
        "description": "For new MAs."})
    track = db.session.scalars(select(Track)).one()
    assert response.headers["Location"] == f"/onboarding/tracks/{track.id}"
    assert track.kind is TrackKind.ROLE and track.role_families == [MA.value, "front-desk"]
    listing = text(client.get("/onboarding/tracks"))
    assert "Medical assistant onboarding" in listing and "Medical assistant, Front desk / patient services" in listing

    response = client.post(f"/onboarding/tracks/{track.id}/modules/new", data=module_form(values))
    assert response.status_code == 302
    module = db.session.scalars(select(Module)).one()
    assert (module.title, module.method, module.pass_mark, module.minutes) == ("Huddle basics", Method.QUIZ, 80, 20)
    assert [v.key for v in module.values] == ["care-coordination"]
    items = db.session.scalars(select(QuizItem).order_by(QuizItem.position)).all()
    assert [item.prompt for item in items] == ["What does the team review in the morning huddle?",
                                               "Which belong on a medication list? Select all that apply."]
    assert items[0].choices[0] == "Today's patients and their open care gaps" and items[0].answers == [0]
    assert items[0].explanation == "The huddle looks ahead at today's patients."
    assert items[1].answers == [0, 1] and items[1].explanation == ""
    page = text(client.get(f"/onboarding/tracks/{track.id}"))
    assert "Huddle basics" in page and "Quiz · 20 min · due day 7 · version 1" in page


def test_a_role_track_needs_a_role_family_and_nothing_is_saved_without_one(client, db, hr):
    response = client.post("/onboarding/tracks/new", data={"name": "Nurses", "kind": "role"})
    assert "Tick at least one role family for a role track." in text(response)
    assert count(db, Track) == 0


@pytest.mark.parametrize(("block", "message"), [
    ("Who leads the huddle?\n* The MA", "Question 2 (Who leads the huddle?): give at least two choices"),
    ("Who leads the huddle?\n- The MA\n- Nobody", "Question 2 (Who leads the huddle?): mark at least one choice correct"),
    ("Who leads the huddle?\n* The MA\n* The RN", "Question 2 (Who leads the huddle?): every choice is marked correct"),
    ("Who leads the huddle?\n* The MA\nThe RN", 'Question 2 (Who leads the huddle?): "The RN" needs to start with "* "'),
])
def test_a_bad_quiz_block_is_named_by_number_and_nothing_is_saved(client, db, hr, values, make_track, block, message):
    track = make_track()
    quiz = "Is this fine?\n* Yes\n- No\n\n" + block
    response = client.post(f"/onboarding/tracks/{track.id}/modules/new", data=module_form(values, quiz=quiz))
    assert response.status_code == 200
    assert message in text(response) and "Nothing was saved." in text(response)
    assert count(db, Module) == 0 and count(db, QuizItem) == 0


def test_a_bad_quiz_on_edit_leaves_the_module_and_its_questions_alone(client, db, hr, values, make_track):
    track = make_track()
    client.post(f"/onboarding/tracks/{track.id}/modules/new", data=module_form(values))
    module = db.session.scalars(select(Module)).one()
    response = client.post(f"/onboarding/modules/{module.id}/edit",
                           data=module_form(values, title="Renamed", quiz=QUIZ + "\nBroken?\n* only one"))
    assert "Question 3 (Broken?): give at least two choices" in text(response)
    db.session.expire_all()
    assert module.title == "Huddle basics" and len(module.quiz_items) == 2 and count(db, QuizItem) == 2


def test_method_specific_fields_are_required(client, db, hr, values, make_track):
    track = make_track()
    url = f"/onboarding/tracks/{track.id}/modules/new"
    page = text(client.post(url, data=module_form(values, method="quiz", pass_mark="", quiz="")))
    assert "A quiz needs a pass mark between 1 and 100%." in page and "Write at least one question" in page
    page = text(client.post(url, data=module_form(values, method="sign-off", quiz="")))
    assert "Say what the manager should observe before signing off." in page
    page = text(client.post(url, data=module_form(values, method="task", quiz="", values=None, minutes="0")))
    assert "Choose who completes the task." in page and "Tick at least one value this module builds." in page
    assert "Between 1 and 600 minutes." in page
    assert count(db, Module) == 0


def test_preview_shows_sanitized_markdown_and_saves_nothing(client, db, hr, values, make_track):
    track = make_track()
    content = "## Huddles\nWe **huddle** daily.<script>alert('x')</script>"
    response = client.post(f"/onboarding/tracks/{track.id}/modules/new",
                           data=module_form(values, content=content, preview="Preview"))
    raw = response.get_data(as_text=True)
    assert response.status_code == 200 and "Preview · not saved yet" in raw
    assert "<h2>Huddles</h2>" in raw and "<strong>huddle</strong>" in raw
    assert "<script>alert" not in raw  # removed from the preview, escaped in the textarea
    assert "&lt;script&gt;alert" in raw
    assert "Today&#39;s patients and their open care gaps" in raw  # the parsed quiz is previewed too
    assert count(db, Module) == 0 and count(db, QuizItem) == 0


# Versions -------------------------------------------------------------------------------------------
@pytest.fixture
def completed(db, make_user, make_track, make_module):
    """A module at version 1 that one employee completed."""
    track = make_track()
    module = make_module(track, "Huddle basics")
    employee = make_user(Role.STAFF, role_family=MA)
    progress = Progress(employee_id=employee.id, module_id=module.id, status=ProgressStatus.COMPLETED,
                        completed_at=utcnow(), completed_version=1, due_date=date.today())
    db.session.add(progress)
    db.session.flush()
    return module, progress


def test_a_material_change_with_recompletion_bumps_the_version_and_reopens_completed_progress(
        client, db, hr, values, completed):
    module, progress = completed
    response = client.post(f"/onboarding/modules/{module.id}/edit", data=module_form(
        values, method="attest", quiz="", content="New rules.", material="y", recomplete="y"))
    assert response.status_code == 302
    db.session.expire_all()
    assert module.version == 2 and module.content == "New rules."
    assert progress.status is ProgressStatus.NOT_STARTED
    assert "1 person must complete it again." in text(client.get(response.headers["Location"]))


def test_a_material_change_without_recompletion_keeps_completions(client, db, hr, values, completed):
    module, progress = completed
    client.post(f"/onboarding/modules/{module.id}/edit",
                data=module_form(values, method="attest", quiz="", material="y"))
    db.session.expire_all()
    assert module.version == 2 and progress.status is ProgressStatus.COMPLETED


def test_recompletion_needs_a_material_change(client, db, hr, values, completed):
    module, progress = completed
    response = client.post(f"/onboarding/modules/{module.id}/edit",
                           data=module_form(values, method="attest", quiz="", title="Changed", recomplete="y"))
    assert "Only a material change (new version) can require completing it again." in text(response)
    db.session.expire_all()
    assert module.version == 1 and module.title == "Huddle basics" and progress.status is ProgressStatus.COMPLETED


# Order ----------------------------------------------------------------------------------------------
def test_move_up_and_down_changes_positions(client, db, hr, make_track, make_module):
    track = make_track()
    first, second, third = (make_module(track, title, position) for position, title in enumerate("ABC"))

    def order():
        db.session.expire_all()
        return [m.title for m in track.modules]

    client.post(f"/onboarding/modules/{third.id}/move", data={"direction": "up"})
    assert order() == ["A", "C", "B"]
    client.post(f"/onboarding/modules/{first.id}/move", data={"direction": "down"})
    assert order() == ["C", "A", "B"]
    response = client.post(f"/onboarding/modules/{third.id}/move", data={"direction": "up"})
    assert order() == ["C", "A", "B"]
    assert "C is already first." in text(client.get(response.headers["Location"]))
    client.post(f"/onboarding/modules/{second.id}/move", data={"direction": "sideways"})
    assert order() == ["C", "A", "B"]


# Assigning ------------------------------------------------------------------------------------------
def test_bulk_assign_by_role_family_covers_matching_active_people_only(client, db, hr, make_user, make_track,
                                                                        make_module):
    track = make_track()
    make_module(track, "A", 0)
    make_module(track, "B", 1)
    mas = [make_user(role_family=MA) for _ in range(2)]
    gone = make_user(role_family=MA, active=False)
    desk = make_user(role_family=RoleFamily.FRONT_DESK)
    response = client.post(f"/onboarding/tracks/{track.id}/assign", data={"by": "role_family", "role_family": MA.value})
    assert "2 people assigned to Medical assistant onboarding." in text(client.get(response.headers["Location"]))
    assigned = db.session.scalars(select(Assignment.employee_id)).all()
    assert sorted(assigned) == sorted(u.id for u in mas)
    assert count(db, Progress) == 4
    assert not db.session.scalars(select(Progress).where(Progress.employee_id.in_([gone.id, desk.id]))).all()

    client.post(f"/onboarding/tracks/{track.id}/assign", data={"by": "role_family", "role_family": MA.value})
    assert "0 people assigned to Medical assistant onboarding. 2 already had it." in text(client.get("/onboarding/tracks"))
    assert count(db, Assignment) == 2


def test_bulk_assign_by_site_and_by_email(client, db, hr, make_user, make_track):
    track = make_track()
    site = SiteFactory()
    here, other = make_user(site=site), make_user()
    client.post(f"/onboarding/tracks/{track.id}/assign", data={"by": "site", "site_id": str(site.id)})
    assert db.session.scalars(select(Assignment.employee_id)).all() == [here.id]
    client.post(f"/onboarding/tracks/{track.id}/assign", data={"by": "people", "emails": f"{other.email.upper()}\n"})
    assert sorted(db.session.scalars(select(Assignment.employee_id))) == sorted([here.id, other.id])


def test_unknown_or_deactivated_emails_are_named_and_nobody_is_assigned(client, db, hr, make_user, make_track):
    track = make_track()
    known, gone = make_user(), make_user(active=False)
    response = client.post(f"/onboarding/tracks/{track.id}/assign", data={
        "by": "people", "emails": f"{known.email}\nnobody@example.org\n{gone.email}"})
    page = text(response)
    assert "Nobody was assigned." in page and "No account uses: nobody@example.org." in page
    assert f"Deactivated, so they cannot be assigned: {gone.email}." in page
    assert count(db, Assignment) == 0


def test_unassign_asks_first_and_keeps_progress(client, db, hr, make_user, make_track, make_module):
    track = make_track()
    make_module(track, "A")
    person = make_user(name="Pat Person", role_family=MA)
    client.post(f"/onboarding/tracks/{track.id}/assign", data={"by": "people", "emails": person.email})
    assignment = db.session.scalars(select(Assignment)).one()
    people = text(client.get(f"/onboarding/tracks/{track.id}/people"))
    assert "Pat Person" in people and "0% (0 of 1)" in people

    confirm = text(client.get(f"/onboarding/assignments/{assignment.id}/unassign"))
    assert "Unassign Medical assistant onboarding from Pat Person?" in confirm
    assert assignment.unassigned_at is None
    client.post(f"/onboarding/assignments/{assignment.id}/unassign")
    db.session.expire_all()
    assert assignment.unassigned_at is not None
    assert db.session.scalars(select(Progress).where(Progress.employee_id == person.id)).all()
    assert "Unassigned " in text(client.get(f"/onboarding/tracks/{track.id}/people"))


def test_people_page_query_count_does_not_grow_with_people(client, db, hr, make_user, make_track, make_module,
                                                           count_queries):
    track = make_track()
    make_module(track, "A")

    def queries_for(n: int) -> int:
        emails = "\n".join(make_user(role_family=MA).email for _ in range(n))
        client.post(f"/onboarding/tracks/{track.id}/assign", data={"by": "people", "emails": emails})
        with count_queries() as statements:
            client.get(f"/onboarding/tracks/{track.id}/people")
        return len(statements)

    assert queries_for(2) == queries_for(5)


# Archiving ------------------------------------------------------------------------------------------
def test_archiving_a_track_asks_for_confirmation_first(client, db, hr, make_track):
    track = make_track(name="Old track")
    page = text(client.get(f"/onboarding/tracks/{track.id}/archive"))
    assert "Archive Old track?" in page and track.archived_at is None
    client.post(f"/onboarding/tracks/{track.id}/archive")
    db.session.expire_all()
    assert track.archived and count(db, Track) == 1
    listing = text(client.get("/onboarding/tracks"))
    assert "Old track is archived." in listing and "No tracks yet." in listing
    assert listing.index("Archived tracks") < listing.index(">Old track</a>")


def test_archiving_a_module_asks_for_confirmation_first(client, db, hr, make_track, make_module):
    track = make_track()
    module = make_module(track, "Old module")
    assert "Archive Old module?" in text(client.get(f"/onboarding/modules/{module.id}/archive"))
    assert module.archived_at is None
    client.post(f"/onboarding/modules/{module.id}/archive")
    db.session.expire_all()
    assert module.archived and count(db, Module) == 1 and track.modules == []
    assert client.get(f"/onboarding/modules/{module.id}/edit").status_code == 404


# Who may -------------------------------------------------------------------------------------------
@pytest.fixture
def urls(db, make_user, make_track, make_module):
    track = make_track()
    module = make_module(track, "A")
    person = make_user()
    assignment = Assignment(employee_id=person.id, track_id=track.id)
    db.session.add(assignment)
    db.session.flush()
    return [
        ("GET", "/onboarding/tracks"), ("GET", "/onboarding/tracks/new"), ("POST", "/onboarding/tracks/new"),
        ("GET", f"/onboarding/tracks/{track.id}"), ("POST", f"/onboarding/tracks/{track.id}"),
        ("GET", f"/onboarding/tracks/{track.id}/archive"), ("POST", f"/onboarding/tracks/{track.id}/archive"),
        ("POST", f"/onboarding/tracks/{track.id}/assign"), ("GET", f"/onboarding/tracks/{track.id}/people"),
        ("GET", f"/onboarding/tracks/{track.id}/modules/new"), ("POST", f"/onboarding/tracks/{track.id}/modules/new"),
        ("GET", f"/onboarding/modules/{module.id}/edit"), ("POST", f"/onboarding/modules/{module.id}/edit"),
        ("POST", f"/onboarding/modules/{module.id}/move"),
        ("GET", f"/onboarding/modules/{module.id}/archive"), ("POST", f"/onboarding/modules/{module.id}/archive"),
        ("GET", f"/onboarding/assignments/{assignment.id}/unassign"),
        ("POST", f"/onboarding/assignments/{assignment.id}/unassign"),
    ]


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_staff_and_managers_are_refused_every_authoring_url(client, db, login_as, urls, role):
    login_as(role)
    for method, url in urls:
        response = client.open(url, method=method, data={"name": "X", "kind": "all-staff", "direction": "up"})
        assert response.status_code == 403, f"{role.value} reached {method} {url}"
    db.session.expire_all()
    assert count(db, Track) == 1 and not db.session.scalars(select(Track.archived_at)).one()
    assert not db.session.scalars(select(Assignment.unassigned_at)).one()


def test_an_authoring_post_without_its_csrf_token_is_refused(client, db, hr, make_track, csrf_on):
    track = make_track(name="Kept")
    response = client.post(f"/onboarding/tracks/{track.id}", data={"name": "Renamed", "kind": "all-staff"})
    assert response.status_code == 400
    db.session.expire_all()
    assert track.name == "Kept"
    token = csrf_token(client.get(f"/onboarding/tracks/{track.id}"))
    client.post(f"/onboarding/tracks/{track.id}", data={"name": "Renamed", "kind": "all-staff", "csrf_token": token})
    db.session.expire_all()
    assert track.name == "Renamed"
