"""The question bank and rubric editor: weight and anchor rules, versions under open postings, copies of
templates, the bank's filters and pagination, question editing and archiving, and who may do any of it."""

from __future__ import annotations

import re

import pytest
from flask import current_app
from sqlalchemy import select

from app.audit import acting_as
from app.content.library import read_library
from app.content.services import apply_library
from app.hiring import bank_services as services
from app.hiring.bank_services import QuestionError, RubricError
from app.models import (
    AuditEvent,
    Criterion,
    Posting,
    PostingStatus,
    Question,
    QuestionKind,
    Role,
    RoleFamily,
    Rubric,
    Value,
)
from tests.conftest import csrf_token
from tests.factories import SiteFactory
from tests.helpers import count, text

MA = RoleFamily.MEDICAL_ASSISTANT


@pytest.fixture
def library(db):
    """The real PCMH content: values, 54 questions and 7 role-family rubric templates."""
    with acting_as(db.session, None):
        apply_library(read_library(current_app.config["SEEDS_DIR"]))
    db.session.flush()
    return {v.key: v for v in db.session.scalars(select(Value))}


@pytest.fixture
def hr(login_as):
    return login_as(Role.HR)


@pytest.fixture
def actor(make_user):
    return make_user(Role.HR)


@pytest.fixture
def values(db):
    rows = [Value(key=f"value-{n}", name=name, position=n) for n, name in
            enumerate(["Care Coordination", "Enhanced Access", "Team-Based Care", "Empanelment"])]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def criterion(value: Value, weight: int, **fields) -> dict:
    return {"id": None, "value_id": value.id, "title": f"Shows {value.name}", "weight": weight,
            "anchor_1": "No example.", "anchor_3": "A routine example.", "anchor_5": "A rich example.", **fields}


def current(rubric: Rubric, **changes_by_position) -> list[dict]:
    """The rubric's criteria as save_rubric takes them, with changes to some positions."""
    rows = [{"id": c.id, "value_id": c.value_id, "title": c.title, "weight": c.weight, "anchor_1": c.anchor_1,
             "anchor_3": c.anchor_3, "anchor_5": c.anchor_5} for c in rubric.criteria]
    for position, changes in changes_by_position.items():
        rows[int(position[1:])].update(changes)
    return rows


@pytest.fixture
def rubric(db, values, actor):
    """A rubric of three criteria weighted 50/30/20."""
    row = Rubric(name="Medical assistant", role_family=MA)
    db.session.add(row)
    db.session.flush()
    services.save_rubric(row, actor=actor, name="Medical assistant", description="For MAs.", criteria=[
        criterion(values[0], 50), criterion(values[1], 30), criterion(values[2], 20)])
    db.session.expire(row)
    return row


def posting(db, rubric: Rubric, status: PostingStatus, title: str) -> Posting:
    row = Posting(title=title, site_id=SiteFactory().id, role_family=MA, rubric_id=rubric.id, status=status)
    db.session.add(row)
    db.session.flush()
    return row


# Rules on criteria -------------------------------------------------------------------------------
@pytest.mark.parametrize(("weights", "total"), [((50, 30, 15), 95), ((50, 30, 25), 105)])
def test_weights_that_do_not_total_100_are_refused_and_nothing_changes(db, values, actor, rubric, weights, total):
    rows = [criterion(values[i], weight) for i, weight in enumerate(weights)]
    with pytest.raises(RubricError, match=re.escape(f"Weights total {total}%; they must total 100%.")):
        services.save_rubric(rubric, actor=actor, name="Renamed", description="", criteria=rows)
    db.session.expire_all()
    assert rubric.name == "Medical assistant" and [c.weight for c in rubric.criteria] == [50, 30, 20]


def test_weights_totalling_exactly_100_are_accepted(db, values, actor, rubric):
    saved = services.save_rubric(rubric, actor=actor, name="Medical assistant", description="For MAs.",
                                 criteria=current(rubric, c0={"weight": 40}, c1={"weight": 40}))
    assert saved is rubric
    db.session.expire_all()
    assert [c.weight for c in rubric.criteria] == [40, 40, 20] and rubric.total_weight == 100


@pytest.mark.parametrize("weight", [-5, 120])
def test_a_weight_outside_0_to_100_is_refused(db, values, weight):
    with pytest.raises(RubricError) as refused:
        services.validate_criteria([criterion(values[0], weight), criterion(values[1], 50)])
    assert refused.value.problems[0] == "Criterion 1 (Shows Care Coordination): The weight must be between 0 and 100%."


def test_two_criteria_on_the_same_value_are_refused(db, values, actor, rubric):
    rows = [criterion(values[0], 50), criterion(values[0], 50, title="Coordinates again")]
    with pytest.raises(RubricError) as refused:
        services.save_rubric(rubric, actor=actor, name="Medical assistant", description="", criteria=rows)
    assert "Care Coordination is already assessed by “Shows Care Coordination”; each value can appear only once." \
        in str(refused.value)
    assert refused.value.rows == {1: ["Care Coordination is already assessed by “Shows Care Coordination”; "
                                      "each value can appear only once."]}
    db.session.expire_all()
    assert len(rubric.criteria) == 3


def test_every_criterion_needs_its_three_anchors(db, values):
    with pytest.raises(RubricError) as refused:
        services.validate_criteria([criterion(values[0], 60, anchor_3="  "),
                                    criterion(values[1], 40, anchor_1="", anchor_5="")])
    assert refused.value.problems == [
        "Criterion 1 (Shows Care Coordination): Write the anchor for a rating of 3.",
        "Criterion 2 (Shows Enhanced Access): Write the anchors for ratings 1 and 5.",
    ]


def test_a_rubric_needs_at_least_one_criterion(db, values, actor, rubric):
    with pytest.raises(RubricError, match="A rubric needs at least one criterion."):
        services.save_rubric(rubric, actor=actor, name="Medical assistant", description="", criteria=[])


# Saving, versions and copies ---------------------------------------------------------------------
def test_saving_in_place_archives_removed_criteria_and_adds_new_ones(db, values, actor, rubric):
    removed = rubric.criteria[2]
    rows = current(rubric, c1={"weight": 20, "title": "Offers the next open slot"})[:2]
    rows.append(criterion(values[3], 30))
    saved = services.save_rubric(rubric, actor=actor, name="MA rubric", description="Edited.", criteria=rows)
    assert saved is rubric
    db.session.expire_all()
    assert [(c.value_id, c.weight, c.position) for c in rubric.criteria] == [
        (values[0].id, 50, 0), (values[1].id, 20, 1), (values[3].id, 30, 2)]
    assert rubric.criteria[1].title == "Offers the next open slot" and rubric.version == 1
    assert removed.archived and count(db, Criterion, Criterion.rubric_id == rubric.id) == 4  # archived, not deleted


def test_a_rubric_used_by_an_open_posting_is_saved_as_a_new_version(db, values, actor, rubric):
    old_criteria = [(c.id, c.title, c.weight) for c in rubric.criteria]
    open_posting = posting(db, rubric, PostingStatus.OPEN, "MA at Main Street")
    drafts = [posting(db, rubric, PostingStatus.DRAFT, f"MA draft {n}") for n in range(2)]
    closed = posting(db, rubric, PostingStatus.CLOSED, "MA last spring")

    new = services.save_rubric(rubric, actor=actor, name="Medical assistant", description="For MAs.",
                               criteria=current(rubric, c0={"weight": 40, "title": "Closes the loop"},
                                                c2={"weight": 30}))
    db.session.expire_all()
    assert new.id != rubric.id and new.version == 2 and new.previous_id == rubric.id and not new.is_template
    assert [(c.title, c.weight) for c in new.criteria] == [("Closes the loop", 40), ("Shows Enhanced Access", 30),
                                                           ("Shows Team-Based Care", 30)]
    assert {c.id for c in new.criteria}.isdisjoint(c[0] for c in old_criteria)
    assert [(c.id, c.title, c.weight) for c in rubric.criteria] == old_criteria and rubric.version == 1
    assert open_posting.rubric_id == rubric.id and closed.rubric_id == rubric.id
    assert [d.rubric_id for d in drafts] == [new.id, new.id]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rubric.versioned")).one()
    assert event.entity_id == new.id and event.actor_id == actor.id
    assert event.after["draft_postings_moved"] == [d.id for d in drafts]

    with pytest.raises(RubricError, match="has a newer version; edit that one"):
        services.save_rubric(rubric, actor=actor, name="Branch", description="", criteria=current(rubric))


def test_a_rubric_used_only_by_drafts_is_edited_in_place(db, values, actor, rubric):
    draft = posting(db, rubric, PostingStatus.DRAFT, "MA draft")
    saved = services.save_rubric(rubric, actor=actor, name="Medical assistant", description="",
                                 criteria=current(rubric, c0={"title": "Closes the loop"}))
    assert saved is rubric and draft.rubric_id == rubric.id
    assert count(db, Rubric) == 1


def test_saving_nothing_new_makes_no_version(db, values, actor, rubric):
    posting(db, rubric, PostingStatus.OPEN, "MA at Main Street")
    assert services.save_rubric(rubric, actor=actor, name="Medical assistant", description="For MAs.",
                                criteria=current(rubric)) is rubric
    assert count(db, Rubric) == 1


def test_copying_a_template_copies_its_criteria(db, library, actor):
    template = db.session.scalars(select(Rubric).where(Rubric.key == "medical-assistant-rubric")).one()
    copy = services.copy_rubric(template, actor=actor)
    assert (copy.name, copy.role_family, copy.is_template, copy.version, copy.previous_id, copy.key) == (
        template.name, MA, False, 1, None, None)
    assert copy.suggested_kit == template.suggested_kit and copy.total_weight == 100
    fields = ("value_id", "position", "title", "weight", "anchor_1", "anchor_3", "anchor_5", "sources")
    assert [tuple(getattr(c, f) for f in fields) for c in copy.criteria] == \
        [tuple(getattr(c, f) for f in fields) for c in template.criteria]
    assert all(c.key is None for c in copy.criteria)
    assert services.copy_rubric(copy, actor=actor).name == "Copy of Medical assistant"
    with pytest.raises(RubricError, match="Templates come from the content library"):
        services.save_rubric(template, actor=actor, name="x", description="", criteria=current(template))


def test_question_needs_one_to_five_probes(db, values, actor):
    fields = {"value_id": values[0].id, "kind": QuestionKind.BEHAVIORAL, "text": "Tell me about a handoff.",
              "role_families": [], "strong_answer": "Follows up.", "weak_answer": "Assumes."}
    with pytest.raises(QuestionError, match=r"between 1 and 5 follow-up probes, one per line \(there are 6\)"):
        services.save_question(None, actor=actor, probes=[f"Probe {n}" for n in range(6)], **fields)
    with pytest.raises(QuestionError, match=r"\(there are 0\)"):
        services.save_question(None, actor=actor, probes=["  "], **fields)
    assert count(db, Question) == 0
    question = services.save_question(None, actor=actor, probes=["What next?"], **fields)
    assert question.probes == ["What next?"] and question.role_families == []


# The question bank over HTTP ---------------------------------------------------------------------
def listed(response) -> list[int]:
    return [int(n) for n in re.findall(r'id="question-(\d+)"', response.get_data(as_text=True))]


def test_the_bank_lists_25_a_page_and_keeps_filters_across_pages(client, db, hr, library):
    assert count(db, Question) == 54
    first = client.get("/hiring/questions")
    page = text(first)
    assert "54 questions in the bank." in page and "Page 1 of 3 · 54 in all" in page and len(listed(first)) == 25
    last = client.get("/hiring/questions?page=3")
    assert len(listed(last)) == 4 and set(listed(first)).isdisjoint(listed(last))

    behavioral = count(db, Question, Question.kind == QuestionKind.BEHAVIORAL)
    assert 25 < behavioral < 54
    response = client.get("/hiring/questions?kind=behavioral")
    assert f"{behavioral} questions match these filters." in text(response)
    assert "/hiring/questions?kind=behavioral&amp;page=2" in response.get_data(as_text=True)
    second = client.get("/hiring/questions?kind=behavioral&page=2")
    shown = listed(client.get("/hiring/questions?kind=behavioral")) + listed(second)
    assert len(shown) == behavioral
    assert {q.kind for q in db.session.scalars(select(Question).where(Question.id.in_(shown)))} == \
        {QuestionKind.BEHAVIORAL}


def test_the_bank_filters_by_value_role_family_and_text(client, db, hr, library):
    care = library["care-coordination"]
    expected = set(db.session.scalars(select(Question.id).where(Question.value_id == care.id)))
    assert expected and set(listed(client.get(f"/hiring/questions?value={care.id}"))) == expected

    suits_front_desk = {q.id for q in db.session.scalars(select(Question)) if q.suits(RoleFamily.FRONT_DESK)}
    everyone = {q.id for q in db.session.scalars(select(Question)) if not q.role_families}
    assert everyone < suits_front_desk < set(db.session.scalars(select(Question.id)))
    shown = listed(client.get("/hiring/questions?role_family=front-desk&page=1")) + \
        listed(client.get("/hiring/questions?role_family=front-desk&page=2"))
    assert set(shown) == suits_front_desk

    response = client.get("/hiring/questions?q=EMERGENCY+DEPARTMENT")
    hits = {q.id for q in db.session.scalars(select(Question)) if "emergency department" in q.text.lower()}
    assert hits and set(listed(response)) == hits

    combined = client.get(f"/hiring/questions?value={care.id}&kind=situational&role_family=front-desk")
    assert set(listed(combined)) == {q.id for q in db.session.scalars(select(Question).where(
        Question.value_id == care.id, Question.kind == QuestionKind.SITUATIONAL)) if q.suits(RoleFamily.FRONT_DESK)}

    nothing = client.get("/hiring/questions?q=zebra%25_")
    assert "No questions match these filters." in text(nothing) and listed(nothing) == []
    assert len(listed(client.get("/hiring/questions?value=abc&kind=nonsense"))) == 25  # bad filters are ignored


def test_each_row_shows_value_kind_role_families_and_answer_signals(client, db, hr, library):
    question = db.session.scalars(select(Question).where(Question.key == "cc-ed-visit-follow-up")).one()
    page = text(client.get(f"/hiring/questions?q={question.text[:40]}"))
    assert listed(client.get(f"/hiring/questions?q={question.text[:40]}")) == [question.id]
    assert "Care Coordination" in page and "Situational" in page
    assert "Medical assistant, Registered nurse / care manager, Primary care provider" in page
    assert "Probes and answer signals" in page and question.probes[0] in page
    assert question.strong_answer in page and question.weak_answer in page


def test_archived_questions_are_hidden_unless_asked_for(client, db, hr, library):
    question = db.session.scalars(select(Question).order_by(Question.id)).first()
    question.archive()
    db.session.flush()
    assert "53 questions in the bank." in text(client.get("/hiring/questions"))
    archived = client.get("/hiring/questions?status=archived")
    assert listed(archived) == [question.id] and "Restore" in text(archived)
    assert "54 questions match" in text(client.get("/hiring/questions?status=all"))


def question_form(value: Value, **overrides) -> dict:
    data = {"value_id": str(value.id), "kind": "situational", "text": "What would you do if a patient missed a visit?",
            "role_families": ["medical-assistant", "front-desk"], "probes": "Who would you tell?\n\n  How soon?  \n",
            "strong_answer": "Calls the patient the same day.", "weak_answer": "Waits for the patient to call."}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_hr_writes_edits_archives_and_restores_a_question(client, db, hr, values):
    response = client.post("/hiring/questions/new", data=question_form(values[1]))
    question = db.session.scalars(select(Question)).one()
    assert response.headers["Location"] == f"/hiring/questions/{question.id}"
    assert (question.value_id, question.kind, question.probes) == (
        values[1].id, QuestionKind.SITUATIONAL, ["Who would you tell?", "How soon?"])
    assert question.role_families == ["medical-assistant", "front-desk"]
    assert "Question added to the bank." in text(client.get(response.headers["Location"]))

    client.post(f"/hiring/questions/{question.id}", data=question_form(
        values[0], kind="behavioral", text="Tell me about a missed visit.", role_families=None))
    db.session.expire_all()
    assert (question.value_id, question.kind, question.text, question.role_families) == (
        values[0].id, QuestionKind.BEHAVIORAL, "Tell me about a missed visit.", [])
    assert "All roles" in text(client.get("/hiring/questions"))

    confirm = text(client.get(f"/hiring/questions/{question.id}/archive"))
    assert "Archive this question?" in confirm and "Tell me about a missed visit." in confirm
    assert question.archived_at is None
    response = client.post(f"/hiring/questions/{question.id}/archive")
    db.session.expire_all()
    assert question.archived and count(db, Question) == 1
    assert "Question archived." in text(client.get(response.headers["Location"]))
    assert listed(client.get("/hiring/questions")) == []
    refused = client.post(f"/hiring/questions/{question.id}", data=question_form(values[0], text="Changed"))
    db.session.expire_all()
    assert refused.status_code == 302 and question.text == "Tell me about a missed visit."

    client.post(f"/hiring/questions/{question.id}/restore")
    db.session.expire_all()
    assert not question.archived and listed(client.get("/hiring/questions")) == [question.id]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"probes": ""}, "Give between 1 and 5 follow-up probes, one per line (there are 0)."),
    ({"probes": "a\nb\nc\nd\ne\nf"}, "Give between 1 and 5 follow-up probes, one per line (there are 6)."),
    ({"text": "  "}, "Write the question."),
    ({"value_id": ""}, "Choose the value the question assesses."),
    ({"strong_answer": ""}, "Describe what a strong answer shows."),
    ({"role_families": ["astronaut"]}, "'astronaut' is not a valid choice for this field."),
])
def test_bad_question_input_is_named_and_changes_nothing(client, db, hr, values, overrides, message):
    response = client.post("/hiring/questions/new", data=question_form(values[0], **overrides))
    assert response.status_code == 200 and message in text(response) and "Nothing was saved." in text(response)
    assert count(db, Question) == 0


def test_a_script_in_question_text_is_shown_escaped(client, db, hr, values):
    client.post("/hiring/questions/new", data=question_form(values[0], text="<script>alert('x')</script> Why?"))
    for url in ("/hiring/questions", f"/hiring/questions/{db.session.scalars(select(Question.id)).one()}"):
        raw = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in raw and "&lt;script&gt;alert(" in raw


def test_the_bank_runs_the_same_queries_for_a_full_page_as_for_a_few_rows(client, db, hr, library, count_queries):
    client.get("/hiring/questions")  # the first request also loads the signed-in user
    with count_queries() as full:
        client.get("/hiring/questions")
    with count_queries() as few:
        client.get("/hiring/questions?q=emergency")
    assert len(full) == len(few)


# Rubrics over HTTP -------------------------------------------------------------------------------
def rubric_form(rubric: Rubric, rows: list[dict] | None = None, **fields) -> dict:
    """The editor's form data for the rubric's criteria (or rows given), plus two empty rows."""
    rows = current(rubric) if rows is None else rows
    data = {"name": rubric.name, "description": rubric.description, "save": "Save rubric"}
    for index, row in enumerate(rows + [{}, {}]):
        for key in ("id", "value_id", "title", "weight", "anchor_1", "anchor_3", "anchor_5"):
            data[f"criteria-{index}-{key}"] = "" if row.get(key) is None else str(row[key])
        if row.get("remove"):
            data[f"criteria-{index}-remove"] = "y"
    data.update(fields)
    return data


def cells(page: str, name: str) -> list[str]:
    """The text of each cell in the table row whose first cell links to name."""
    row = re.search(rf"<tr>\s*<td><a [^>]*>{re.escape(name)}</a>.*?</tr>", page, re.S).group(0)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_rubric_list_shows_templates_and_rubrics_with_their_use(client, db, hr, library, rubric):
    posting(db, rubric, PostingStatus.OPEN, "MA at Main Street")
    posting(db, rubric, PostingStatus.DRAFT, "MA float pool")
    page = client.get("/hiring/rubrics").get_data(as_text=True)
    templates = page[page.index("Role-family templates"):]
    assert templates.count("Start a rubric") == 7
    pcp = db.session.scalars(select(Rubric).where(Rubric.key == "primary-care-provider-rubric")).one()
    assert cells(templates, "Primary care provider")[1:5] == [
        "Primary care provider", str(len(pcp.criteria)), "100%", "1"]
    ours = page[:page.index("Role-family templates")]
    assert cells(ours, "Medical assistant")[1:] == ["Medical assistant", "3", "100%", "1", "1 1 draft"]


def test_hr_starts_a_rubric_from_a_template_and_edits_its_weights(client, db, hr, library):
    template = db.session.scalars(select(Rubric).where(Rubric.key == "front-desk-rubric")).one()
    preview = text(client.get(f"/hiring/rubrics/new?from={template.id}"))
    assert "Template: Front desk" in preview and template.criteria[0].anchor_5 in preview
    response = client.post("/hiring/rubrics/new", data={"source": str(template.id), "name": "Front desk, Eastside"})
    copy = db.session.scalars(select(Rubric).where(Rubric.name == "Front desk, Eastside")).one()
    assert response.headers["Location"] == f"/hiring/rubrics/{copy.id}"
    assert len(copy.criteria) == len(template.criteria) and not copy.is_template
    editor = text(client.get(response.headers["Location"]))
    assert f"with its {len(template.criteria)} criteria" in editor and "Weights on this page total 100%." in editor

    rows = current(copy)
    rows[0]["weight"] -= 5
    refused = client.post(f"/hiring/rubrics/{copy.id}", data=rubric_form(copy, rows, name="Renamed"))
    page = text(refused)
    assert refused.status_code == 200 and "Weights total 95%; they must total 100%." in page
    assert "Nothing was saved." in page and "Weights on this page total 95%" in page
    db.session.expire_all()
    assert copy.name == "Front desk, Eastside" and copy.total_weight == 100

    rows[1]["weight"] += 5
    response = client.post(f"/hiring/rubrics/{copy.id}", data=rubric_form(copy, rows, name="Renamed"))
    assert response.headers["Location"] == f"/hiring/rubrics/{copy.id}"
    db.session.expire_all()
    assert copy.name == "Renamed" and [c.weight for c in copy.criteria] == [r["weight"] for r in rows]


def test_the_editor_names_each_rows_problem_and_saves_nothing(client, db, hr, values, rubric):
    rows = current(rubric)
    rows[2]["value_id"] = values[0].id
    rows[1]["anchor_3"] = ""
    page = text(client.post(f"/hiring/rubrics/{rubric.id}", data=rubric_form(rubric, rows)))
    assert "Care Coordination is already assessed by “Shows Care Coordination”" in page
    assert "Write the anchor for a rating of 3." in page
    db.session.expire_all()
    assert [c.value_id for c in rubric.criteria] == [values[0].id, values[1].id, values[2].id]


def test_the_editor_adds_a_row_without_saving_and_removing_a_criterion_archives_it(client, db, hr, values, rubric):
    more = client.post(f"/hiring/rubrics/{rubric.id}", data=rubric_form(rubric, name="Not saved", add_row="Add"))
    assert 'name="criteria-5-title"' in more.get_data(as_text=True) and "Not saved" in text(more)
    db.session.expire_all()
    assert rubric.name == "Medical assistant"

    removed = rubric.criteria[2]
    rows = current(rubric)
    rows[2]["remove"] = True
    rows[1]["weight"] = 10
    rows_with_new = rows + [criterion(values[3], 40)]
    data = rubric_form(rubric, rows_with_new)
    client.post(f"/hiring/rubrics/{rubric.id}", data=data)
    db.session.expire_all()
    assert [(c.value_id, c.weight) for c in rubric.criteria] == [(values[0].id, 50), (values[1].id, 10),
                                                                 (values[3].id, 40)]
    assert removed.archived and db.session.get(Criterion, removed.id) is not None


def test_saving_a_rubric_in_use_explains_the_new_version(client, db, hr, values, rubric):
    posting(db, rubric, PostingStatus.OPEN, "MA at Main Street")
    draft = posting(db, rubric, PostingStatus.DRAFT, "MA float pool")
    editor = text(client.get(f"/hiring/rubrics/{rubric.id}"))
    assert "In use by the open posting <strong>MA at Main Street</strong>." in " ".join(editor.split())
    assert "1 draft posting (MA float pool) moves to the new version" in " ".join(editor.split())
    assert "Save as version 2" in editor
    response = client.post(f"/hiring/rubrics/{rubric.id}",
                           data=rubric_form(rubric, current(rubric, c0={"title": "Closes the loop"})))
    new = db.session.scalars(select(Rubric).where(Rubric.previous_id == rubric.id)).one()
    assert response.headers["Location"] == f"/hiring/rubrics/{new.id}"
    page = text(client.get(response.headers["Location"]))
    assert ("Medical assistant is used by the open posting MA at Main Street, so your changes were saved as a new "
            "version, version 2. MA at Main Street keeps version 1") in page
    assert "1 draft posting now uses version 2." in page
    db.session.expire_all()
    assert draft.rubric_id == new.id
    old = text(client.get(f"/hiring/rubrics/{rubric.id}"))
    assert "Version 2 replaced this version" in old and 'name="criteria-0-title"' not in old
    client.post(f"/hiring/rubrics/{rubric.id}", data=rubric_form(rubric, name="Branch"))
    assert count(db, Rubric) == 2


def test_templates_are_shown_read_only(client, db, hr, library):
    template = db.session.scalars(select(Rubric).where(Rubric.key == "medical-assistant-rubric")).one()
    page = text(client.get(f"/hiring/rubrics/{template.id}"))
    assert "is not edited here" in page and template.criteria[0].anchor_1 in page
    assert 'name="criteria-0-title"' not in page
    client.post(f"/hiring/rubrics/{template.id}", data=rubric_form(template, name="Changed"))
    db.session.expire_all()
    assert template.name == "Medical assistant"


# Who may -----------------------------------------------------------------------------------------
@pytest.fixture
def urls(db, values, rubric):
    question = Question(value_id=values[0].id, kind=QuestionKind.BEHAVIORAL, text="Kept", probes=["Why?"])
    db.session.add(question)
    db.session.flush()
    q, r = question.id, rubric.id
    return [
        ("GET", "/hiring/questions"), ("GET", "/hiring/questions/new"), ("POST", "/hiring/questions/new"),
        ("GET", f"/hiring/questions/{q}"), ("POST", f"/hiring/questions/{q}"),
        ("GET", f"/hiring/questions/{q}/archive"), ("POST", f"/hiring/questions/{q}/archive"),
        ("POST", f"/hiring/questions/{q}/restore"),
        ("GET", "/hiring/rubrics"), ("GET", "/hiring/rubrics/new"), ("GET", f"/hiring/rubrics/new?from={r}"),
        ("POST", "/hiring/rubrics/new"), ("GET", f"/hiring/rubrics/{r}"), ("POST", f"/hiring/rubrics/{r}"),
    ]


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_staff_and_managers_are_refused_every_bank_url(client, db, login_as, urls, values, rubric, role):
    login_as(role)
    data = {**question_form(values[0], text="Changed"), **rubric_form(rubric, name="Changed"), "source": rubric.id}
    for method, url in urls:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, f"{role.value} reached {method} {url}"
    db.session.expire_all()
    assert db.session.scalars(select(Question.text)).one() == "Kept" and count(db, Rubric) == 1
    assert rubric.name == "Medical assistant" and not db.session.scalars(select(Question.archived_at)).one()


def test_anonymous_visitors_are_sent_to_sign_in(client, db, urls):
    for method, url in urls:
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], f"{method} {url}"


def test_a_bank_post_without_its_csrf_token_is_refused(client, db, hr, values, csrf_on):
    response = client.post("/hiring/questions/new", data=question_form(values[0]))
    assert response.status_code == 400 and count(db, Question) == 0
    token = csrf_token(client.get("/hiring/questions/new"))
    client.post("/hiring/questions/new", data={**question_form(values[0]), "csrf_token": token})
    assert count(db, Question) == 1
