"""Check-ins over HTTP: the employee's and the manager's pages, the blind rule as each reads it, another
team's manager finding nothing, bad input beside its field, amendments, next steps, and the status lists."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.models import (
    CheckIn,
    CheckInRating,
    Criterion,
    Module,
    Progress,
    Rater,
    Role,
    RoleFamily,
    Track,
    TrackKind,
    utcnow,
)
from app.onboarding import check_ins
from tests.bad_input.world import changed_tables, snapshot
from tests.check_ins.test_services import hired
from tests.helpers import count, text
from tests.hiring.test_scoring import value

TODAY = date.today()
SELF_NOTE = "Walked Mrs. Ortiz's cardiology referral through to the visit."
MANAGER_NOTE = "Saw her call the specialist's office twice on Tuesday."


@pytest.fixture
def people(db, make_user):
    manager = make_user(Role.MANAGER, name="Mona Manager")
    hire = make_user(Role.STAFF, name="Nia Hire", manager=manager, start_date=TODAY - timedelta(days=28),
                     role_family=RoleFamily.MEDICAL_ASSISTANT)
    stranger = make_user(Role.MANAGER, name="Olga Other")
    make_user(Role.STAFF, name="Xena Elsewhere", manager=stranger)
    return SimpleNamespace(manager=manager, hire=hire, stranger=stranger)


@pytest.fixture
def check_in(db, people):
    """Nia's day-30 check-in, due in two days, on Care Coordination and QI Strategy."""
    hired(db, people.hire)
    return check_ins.schedule(people.hire, actor=None)[0]


@pytest.fixture
def as_user(client, auth):
    def sign_in(user):
        auth.logout()
        assert auth.login(user).status_code == 302

    return sign_in


def values(check_in):
    return check_ins.values_for(check_in)


def ratings(check_in, scores, note, **extra) -> dict:
    data = {}
    for v, score in zip(values(check_in), scores, strict=True):
        data |= {f"rating_{v.id}": str(score), f"evidence_{v.id}": f"{note} ({v.name})"}
    return data | extra


def fieldset(page: str, value_id: int) -> str:
    """The HTML of one value's fieldset on a rating form."""
    found = re.search(rf'<fieldset[^>]*id="value-{value_id}".*?</fieldset>', page, re.S)
    assert found, f"no fieldset for value {value_id}"
    return found.group(0)


# The blind rule, as each side reads it -------------------------------------------------------------
def test_the_employee_rates_themself_and_the_manager_sees_no_self_rating_until_they_submit(
        client, db, people, check_in, as_user):
    cc, qi = values(check_in)
    as_user(people.hire)
    form = text(client.get(f"/onboarding/check-ins/{check_in.id}"))
    assert "Rate yourself" in form and cc.name in form and qi.name in form
    criterion = db.session.scalar(select(Criterion).where(Criterion.rubric_id == check_in.rubric_id)
                                  .order_by(Criterion.position))
    assert f"<strong>1</strong> — {criterion.anchor_1}" in form and f"<strong>5</strong> — {criterion.anchor_5}" in form
    assert f'<label class="form-label small mt-2 mb-1" for="evidence_{cc.id}">Evidence for {cc.name}</label>' in form

    response = client.post(f"/onboarding/check-ins/{check_in.id}", data=ratings(check_in, [5, 4], SELF_NOTE))
    assert response.status_code == 302
    mine = text(client.get(response.location))
    assert "Your ratings are in" in mine and SELF_NOTE in mine and "stay hidden" in mine
    assert count(db, CheckInRating, CheckInRating.rater == Rater.SELF) == 2

    as_user(people.manager)
    page = text(client.get(f"/team/check-ins/{check_in.id}"))
    assert "Self-rating submitted" in page.replace("</dt> <dd class=\"d-inline\">", " ")
    assert SELF_NOTE not in page and "stays hidden until you submit" in page
    response = client.post(f"/team/check-ins/{check_in.id}", data=ratings(
        check_in, [2, 4], MANAGER_NOTE, next_steps="Shadow the care manager on Tuesdays."))
    assert response.status_code == 302

    both = text(client.get(f"/team/check-ins/{check_in.id}"))
    assert SELF_NOTE in both and MANAGER_NOTE in both and "Shadow the care manager on Tuesdays." in both
    apart = re.findall(r'<article class="[^"]*rating-apart[^"]*" aria-labelledby="both-(\d+)"', both)
    assert apart == [str(cc.id)]  # 5 against 2; 4 against 4 is not flagged
    assert "1 value rated 2 or more apart" in both and "Assign development modules" in both

    as_user(people.hire)
    seen = text(client.get(f"/onboarding/check-ins/{check_in.id}"))
    assert SELF_NOTE in seen and MANAGER_NOTE in seen and "Shadow the care manager on Tuesdays." in seen
    assert "Done" in seen and "Rate yourself" not in seen


def test_the_employee_sees_no_manager_rating_until_they_submit_their_own(client, people, check_in, as_user):
    as_user(people.manager)
    client.post(f"/team/check-ins/{check_in.id}", data=ratings(check_in, [3, 3], MANAGER_NOTE,
                                                               next_steps="Practise warm hand-offs."))
    as_user(people.hire)
    page = text(client.get(f"/onboarding/check-ins/{check_in.id}"))
    assert "Your manager's rating submitted" in page.replace("</dt> <dd class=\"d-inline\">", " ")
    assert MANAGER_NOTE not in page and "Practise warm hand-offs." not in page and "Rate yourself" in page


def test_a_manager_line_opening_the_employees_address_is_sent_to_the_team_page(client, people, check_in, as_user):
    as_user(people.manager)
    response = client.get(f"/onboarding/check-ins/{check_in.id}")
    assert response.status_code == 302 and response.location.endswith(f"/team/check-ins/{check_in.id}")
    assert client.post(f"/onboarding/check-ins/{check_in.id}", data=ratings(check_in, [3, 3], "x")).status_code == 403


# Another team ------------------------------------------------------------------------------------
def test_a_manager_of_another_team_gets_404_everywhere_and_changes_nothing(client, db, people, check_in, as_user):
    as_user(people.hire)
    client.post(f"/onboarding/check-ins/{check_in.id}", data=ratings(check_in, [4, 4], SELF_NOTE))
    as_user(people.stranger)
    before = snapshot()
    for url, data in ((f"/team/check-ins/{check_in.id}", ratings(check_in, [1, 1], "Forged", next_steps="None")),
                      (f"/team/check-ins/{check_in.id}/amend", ratings(check_in, [1, 1], "Forged", reason="Because")),
                      (f"/team/check-ins/{check_in.id}/assign", {"value_ids": str(values(check_in)[0].id)}),
                      (f"/onboarding/check-ins/{check_in.id}", ratings(check_in, [1, 1], "Forged"))):
        for method in ("GET", "POST"):
            if method == "GET" and url.endswith(("/amend", "/assign")):
                continue
            response = client.open(url, method=method, data=data if method == "POST" else None)
            page = text(response)
            assert response.status_code == 404, (method, url)
            assert "Nia Hire" not in page and SELF_NOTE not in page
    missing = client.get("/team/check-ins/999999")
    assert missing.status_code == 404 and text(missing) == text(client.get(f"/team/check-ins/{check_in.id}"))
    assert changed_tables(before, snapshot()) == []
    assert "Nia Hire" not in text(client.get("/team?indirect=1"))


# Bad input ---------------------------------------------------------------------------------------
def test_a_rating_of_7_and_missing_evidence_show_beside_their_fields_and_change_nothing(
        client, db, people, check_in, as_user):
    cc, qi = values(check_in)
    as_user(people.hire)
    before = snapshot()
    data = {f"rating_{cc.id}": "7", f"evidence_{cc.id}": SELF_NOTE, f"rating_{qi.id}": "4", f"evidence_{qi.id}": " "}
    response = client.post(f"/onboarding/check-ins/{check_in.id}", data=data)
    page = text(response)
    assert response.status_code == 200 and "Nothing was saved" in page
    assert f"Rate {cc.name} from 1 to 5." in fieldset(page, cc.id)
    assert f"Write what you saw that shows {qi.name} at this level." in fieldset(page, qi.id)
    assert SELF_NOTE in fieldset(page, cc.id)  # what was typed is kept to correct
    assert changed_tables(before, snapshot()) == []
    db.session.refresh(check_in)
    assert check_in.self_submitted_at is None


# Amendments ---------------------------------------------------------------------------------------
def test_an_amendment_needs_a_reason_and_keeps_the_earlier_revision(client, db, people, check_in, as_user):
    as_user(people.hire)
    client.post(f"/onboarding/check-ins/{check_in.id}", data=ratings(check_in, [2, 2], SELF_NOTE))
    url = f"/onboarding/check-ins/{check_in.id}/amend"

    before = snapshot()
    refused = text(client.post(url, data=ratings(check_in, [4, 4], "Second look", reason="  ")))
    assert "Say why the ratings change." in refused and "Amend your ratings" in refused
    assert changed_tables(before, snapshot()) == []

    response = client.post(url, data=ratings(check_in, [4, 4], "Second look", reason="I had the wrong month in mind."))
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Revision 2 · amended because: I had the wrong month in mind." in page
    assert "Earlier revisions (1)" in page and SELF_NOTE in page  # revision 1 is still on record, and shown
    rows = db.session.scalars(select(CheckInRating).where(CheckInRating.check_in_id == check_in.id)
                              .order_by(CheckInRating.revision, CheckInRating.id)).all()
    assert [(r.revision, r.score, r.superseded_at is not None) for r in rows] == [
        (1, 2, True), (1, 2, True), (2, 4, False), (2, 4, False)]


# Next steps --------------------------------------------------------------------------------------
def test_assigning_modules_from_next_steps_adds_them_to_the_plan(client, db, people, check_in, as_user):
    track = Track(name="Grow in care coordination", kind=TrackKind.DEVELOPMENT)
    db.session.add(track)
    db.session.flush()
    module = Module(track_id=track.id, position=0, title="Closing the referral loop", minutes=20,
                    due_offset_days=0, content="Read", values=[value(db, "care-coordination")])
    db.session.add(module)
    db.session.flush()
    cc, qi = values(check_in)
    as_user(people.manager)
    client.post(f"/team/check-ins/{check_in.id}", data=ratings(check_in, [2, 3], MANAGER_NOTE,
                                                               next_steps="Work on referrals."))
    page = text(client.get(f"/team/check-ins/{check_in.id}"))
    assign = page[page.index('id="assign-heading"'):].split("</section>")[0]
    assert f'name="value_ids" type="checkbox" value="{cc.id}"' in assign and "required" not in assign

    response = client.post(f"/team/check-ins/{check_in.id}/assign", data={"value_ids": str(cc.id)},
                           follow_redirects=True)
    assert "1 development module added to Nia Hire's plan." in text(response)
    assert db.session.scalars(select(Progress.module_id).where(Progress.employee_id == people.hire.id)).all() == [
        module.id]
    again = client.post(f"/team/check-ins/{check_in.id}/assign", data={"value_ids": str(cc.id)}, follow_redirects=True)
    assert "already has every development module" in text(again)
    nothing = client.post(f"/team/check-ins/{check_in.id}/assign", data={"value_ids": str(qi.id)},
                          follow_redirects=True)
    assert f"No development module builds {qi.name} yet." in text(nothing)
    assert count(db, Progress, Progress.employee_id == people.hire.id) == 1


# Lists and statuses --------------------------------------------------------------------------------
def _spread(db, people, check_in):
    """Besides the scheduled ones (day 30 due in two days, 60 and 90 upcoming): a done one and an overdue one."""
    made = {}
    for day, due in ((10, -18), (20, -3)):
        made[day] = CheckIn(employee_id=people.hire.id, day=day, due_date=TODAY + timedelta(days=due),
                            rubric_id=check_in.rubric_id)
    made[10].self_submitted_at = made[10].manager_submitted_at = made[10].completed_at = utcnow()
    db.session.add_all(made.values())
    db.session.flush()
    return made


def test_my_onboarding_lists_each_check_in_with_its_status_and_link(client, db, people, check_in, as_user):
    made = _spread(db, people, check_in)
    as_user(people.hire)
    page = text(client.get("/onboarding"))
    card = page[page.index('id="check-ins"'):]
    items = re.findall(r'Day (\d+) check-in</span>.*?<span class="badge text-bg-\w+">(\w+)</span>.*?'
                       r'href="/onboarding/check-ins/(\d+)">(Rate yourself|View)', card, re.S)
    assert [item[:2] + item[3:] for item in items] == [
        ("10", "Done", "View"), ("20", "Overdue", "Rate yourself"), ("30", "Due", "Rate yourself"),
        ("60", "Upcoming", "View"), ("90", "Upcoming", "View")]
    assert [item[2] for item in items[:3]] == [str(made[10].id), str(made[20].id), str(check_in.id)]


def test_the_person_page_and_the_team_row_show_the_next_open_check_in(client, db, people, check_in, as_user):
    made = _spread(db, people, check_in)
    as_user(people.manager)
    person = text(client.get(f"/team/people/{people.hire.id}"))
    assert re.findall(r'Day (\d+) check-in</span>.*?<span class="badge text-bg-\w+">(\w+)</span>', person, re.S) == [
        ("10", "Done"), ("20", "Overdue"), ("30", "Due"), ("60", "Upcoming"), ("90", "Upcoming")]
    assert f'href="/team/check-ins/{made[20].id}">Rate' in person

    def row_status():
        page = text(client.get("/team"))
        row = re.search(r"Nia Hire</a>.*?</tr>", page, re.S).group(0)
        found = re.search(r'<span class="badge text-bg-\w+">(Check-in \w+)</span>', row)
        return found.group(1) if found else None

    assert row_status() == "Check-in overdue"
    made[20].completed_at = utcnow()
    db.session.flush()
    assert row_status() == "Check-in due"
    check_in.completed_at = utcnow()
    db.session.flush()
    assert row_status() is None  # day 60 is upcoming: its date shows without a badge


# Empty states ------------------------------------------------------------------------------------
def test_no_check_ins_yet_shows_an_empty_state_on_both_lists(client, people, as_user):
    as_user(people.hire)
    assert "No check-ins yet." in text(client.get("/onboarding"))
    as_user(people.manager)
    assert "No check-ins for Nia Hire yet." in text(client.get(f"/team/people/{people.hire.id}"))


def test_a_check_in_with_no_values_says_so_and_cannot_be_submitted(client, db, people, as_user):
    hired(db, people.hire, criteria=())
    empty = check_ins.schedule(people.hire, actor=None)[0]
    as_user(people.hire)
    page = text(client.get(f"/onboarding/check-ins/{empty.id}"))
    assert "This check-in has no values to rate yet" in page and "<form" not in page.split('id="main"')[1]
    before = snapshot()
    response = client.post(f"/onboarding/check-ins/{empty.id}", data={}, follow_redirects=True)
    assert "no values to rate yet" in text(response)
    assert changed_tables(before, snapshot()) == []
    as_user(people.manager)
    assert "This check-in has no values to rate yet" in text(client.get(f"/team/check-ins/{empty.id}"))
