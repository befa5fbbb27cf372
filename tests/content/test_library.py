"""The content library: the shipped seeds pass every check, each broken rule is named, and loading is idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app.content.library import read_library
from app.content.schema import ROLE_FAMILY_KEYS
from app.content.services import apply_library, check_library
from app.models import AuditEvent, Module, Question, Rubric, Track, Value
from tests.helpers import count

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# Items of the shipped library the broken copies below change.
CC_FILE = "questions/care-coordination.yaml"
CC_QUESTION = "cc-made-sure-handoff-happened"  # first question of the care-coordination file
MA_RUBRIC = "rubrics/medical-assistant.yaml"
FOUNDATIONS = "tracks/pcmh-foundations"
QUIZ_MODULE = f"{FOUNDATIONS}/fnd-quality-improvement-pdsa.md"  # a quiz module with 5 items
ATTEST_MODULE = f"{FOUNDATIONS}/fnd-medical-home-community.md"
# community-health questions that no rubric's suggested_kit names, so removing them breaks nothing else
UNKITTED_CH_QUESTIONS = ["ch-noticed-shared-problem", "ch-screening-data-to-priorities"]


# Helpers -----------------------------------------------------------------------------------------
def edit_yaml(path: Path, change) -> None:
    """Load a YAML seed file, let change() mutate it, and write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")


def edit_module(path: Path, change) -> None:
    """Let change(front) mutate a module's front matter; a "content" entry replaces the lesson."""
    text = path.read_text(encoding="utf-8")
    front_text, rest = text[3:].split("\n---", 1)
    front = yaml.safe_load(front_text)
    front["content"] = rest.split("\n", 1)[1]
    change(front)
    body = front.pop("content")
    path.write_text(
        "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100) + "---\n" + body,
        encoding="utf-8",
    )


def question(data: dict, key: str) -> dict:
    return next(item for item in data["questions"] if item["key"] == key)


def check(runner, root: Path):
    return runner.invoke(args=["seed", "--check", "--path", str(root)])


def load(runner, root: Path):
    return runner.invoke(args=["seed", "--path", str(root)])


def content_counts(db) -> dict[str, int]:
    return {model.__name__: count(db, model) for model in (Value, Question, Module)}


def assert_refused(result, *messages: str) -> None:
    """seed --check failed, and its output names each problem."""
    assert result.exit_code == 1, result.output
    assert "passes every check" not in result.output
    for message in messages:
        assert message in result.output, f"{message!r} not in:\n{result.output}"


# Fixtures ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped(app):
    """The shipped library, parsed once for the whole module."""
    return read_library(app.config["SEEDS_DIR"])


@pytest.fixture
def library_copy(tmp_path) -> Path:
    """A private copy of seeds/ that a test may break."""
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


@pytest.fixture
def loaded(db, shipped):
    """The database with the shipped library loaded (and committed to the test's savepoint)."""
    apply_library(shipped)
    db.session.commit()
    return shipped


# The shipped library ------------------------------------------------------------------------------
def test_shipped_library_reads_and_passes_every_content_check(shipped):
    assert check_library(shipped) == []
    assert len(shipped.values) == 9
    assert len(shipped.questions) == 54


def test_seed_check_on_the_shipped_library_prints_coverage_and_passes(runner, db):
    result = runner.invoke(args=["seed", "--check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = lines[lines.index(next(line for line in lines if line.startswith("Coverage:"))) + 1]
    assert header.split() == ["value", *ROLE_FAMILY_KEYS]
    assert "The content library passes every check." in result.output


def test_seed_check_loads_nothing(runner, db):
    before = content_counts(db)
    assert runner.invoke(args=["seed", "--check"]).exit_code == 0
    assert content_counts(db) == before


def test_an_unbroken_copy_passes_the_check(runner, library_copy):
    result = check(runner, library_copy)
    assert result.exit_code == 0, result.output
    assert "passes every check" in result.output


# One broken copy per rule of the content check -----------------------------------------------------
def test_question_without_probes_is_refused_by_the_loader(runner, library_copy):
    edit_yaml(library_copy / CC_FILE, lambda data: question(data, CC_QUESTION).pop("probes"))
    result = check(runner, library_copy)
    assert_refused(
        result,
        "was refused; nothing was loaded",
        f"{CC_FILE}: questions: item {CC_QUESTION}: probes: Field required",
    )


def test_question_with_four_probes_fails_the_check(runner, library_copy):
    def four_probes(data):
        probes = question(data, CC_QUESTION)["probes"]
        probes[:] = (probes + ["What did you learn?", "What would you do differently?"])[:4]

    edit_yaml(library_copy / CC_FILE, four_probes)
    result = check(runner, library_copy)
    assert_refused(result, f"{CC_FILE}: item {CC_QUESTION}: probes: has 4; write 2 or 3 follow-up probes")


def test_question_with_unknown_value_is_refused(runner, library_copy):
    edit_yaml(library_copy / CC_FILE, lambda data: question(data, CC_QUESTION).update(value="care-cordination"))
    result = check(runner, library_copy)
    assert_refused(result, f"{CC_FILE}: item {CC_QUESTION}: value: unknown value 'care-cordination'")


def test_criterion_without_anchor_3_is_refused(runner, library_copy):
    edit_yaml(library_copy / MA_RUBRIC, lambda data: data["criteria"][0]["anchors"].pop(3))
    result = check(runner, library_copy)
    assert_refused(
        result,
        f"{MA_RUBRIC}: criteria: item ma-evidence-based-care: anchors:",
        "needs anchor text for ratings 1, 3 and 5",
    )


def test_rubric_weights_must_total_100(runner, library_copy):
    edit_yaml(library_copy / MA_RUBRIC, lambda data: data["criteria"][0].update(weight=25))  # 105 in all
    result = check(runner, library_copy)
    assert_refused(result, MA_RUBRIC, "criteria weights total 105; they must total 100")


def test_suggested_kit_must_cover_every_criterions_value(runner, library_copy):
    # cc-closed-referral-loop is the medical assistant kit's only care-coordination question
    edit_yaml(library_copy / MA_RUBRIC, lambda data: data["suggested_kit"].remove("cc-closed-referral-loop"))
    result = check(runner, library_copy)
    assert_refused(
        result,
        f"{MA_RUBRIC}: suggested_kit: no question assesses criterion ma-care-coordination (care-coordination)",
    )


def test_value_with_fewer_than_five_questions_fails_the_check(runner, library_copy):
    def drop(data):
        data["questions"] = [item for item in data["questions"] if item["key"] not in UNKITTED_CH_QUESTIONS]

    edit_yaml(library_copy / "questions/community-health.yaml", drop)
    result = check(runner, library_copy)
    assert_refused(result, "questions: value community-health has 4 questions; it needs at least 5")


def test_value_with_exactly_five_questions_passes(runner, library_copy):
    def drop(data):
        data["questions"] = [item for item in data["questions"] if item["key"] != UNKITTED_CH_QUESTIONS[0]]

    edit_yaml(library_copy / "questions/community-health.yaml", drop)
    result = check(runner, library_copy)
    assert result.exit_code == 0, result.output


def test_quiz_answer_index_out_of_range_is_refused(runner, library_copy):
    def change(front):
        item = front["quiz"][0]
        item["answers"] = [len(item["choices"])]

    edit_module(library_copy / QUIZ_MODULE, change)
    result = check(runner, library_copy)
    assert_refused(result, f"{QUIZ_MODULE}: quiz: item #1:", "answers must be indices from 0 to")


def test_quiz_item_with_every_choice_correct_is_refused(runner, library_copy):
    def change(front):
        item = front["quiz"][1]
        item["answers"] = list(range(len(item["choices"])))

    edit_module(library_copy / QUIZ_MODULE, change)
    result = check(runner, library_copy)
    assert_refused(
        result, f"{QUIZ_MODULE}: quiz: item #2:", "every choice is marked correct; at least one must be wrong"
    )


def test_quiz_with_three_items_fails_the_check(runner, library_copy):
    edit_module(library_copy / QUIZ_MODULE, lambda front: front.update(quiz=front["quiz"][:3]))
    result = check(runner, library_copy)
    assert_refused(result, f"{QUIZ_MODULE}: quiz: has 3 items; a quiz has 4 to 6")


def test_unknown_source_reference_is_refused(runner, library_copy):
    edit_yaml(library_copy / CC_FILE, lambda data: question(data, CC_QUESTION)["sources"].append("snmhi-nowhere"))
    result = check(runner, library_copy)
    assert_refused(result, f"{CC_FILE}: item {CC_QUESTION}: sources: unknown reference 'snmhi-nowhere'")


def test_lesson_under_300_words_fails_the_check(runner, library_copy):
    edit_module(library_copy / ATTEST_MODULE, lambda front: front.update(content="## What it is\n\n" + "word " * 296))
    result = check(runner, library_copy)
    assert_refused(result, f"{ATTEST_MODULE}: content: the lesson has 299 words; write 300 to 900")


def test_lesson_of_exactly_300_words_passes(runner, library_copy):
    edit_module(library_copy / ATTEST_MODULE, lambda front: front.update(content="## What it is\n\n" + "word " * 297))
    result = check(runner, library_copy)
    assert result.exit_code == 0, result.output


def test_module_listed_in_track_but_missing_is_refused(runner, library_copy):
    (library_copy / ATTEST_MODULE).unlink()
    result = check(runner, library_copy)
    assert_refused(result, f"{FOUNDATIONS}/track.yaml: modules: fnd-medical-home-community.md does not exist")


def test_stray_module_file_not_listed_in_track_is_refused(runner, library_copy):
    shutil.copy(library_copy / ATTEST_MODULE, library_copy / FOUNDATIONS / "fnd-draft-notes.md")
    result = check(runner, library_copy)
    assert_refused(result, f"{FOUNDATIONS}/track.yaml: modules: fnd-draft-notes.md is not listed")


def test_value_without_a_foundation_or_claiming_role_module_fails_the_check(runner, library_copy):
    # fnd-access-care-coordination is the only all-staff module for care coordination, and the
    # front-desk rubric assesses care coordination while no front-desk module builds it.
    edit_module(
        library_copy / f"{FOUNDATIONS}/fnd-access-care-coordination.md",
        lambda front: front["values"].remove("care-coordination"),
    )
    result = check(runner, library_copy)
    assert_refused(
        result,
        "tracks: value care-coordination has no module in the all-staff track nor in the role tracks of front-desk",
    )
    assert "value community-health has no module" not in result.output


def test_invalid_yaml_syntax_is_refused(runner, library_copy):
    (library_copy / "questions/community-health.yaml").write_text(
        "questions:\n  - key: [ch-unclosed\n    value: community-health\n", encoding="utf-8"
    )
    result = check(runner, library_copy)
    assert_refused(result, "was refused", "questions/community-health.yaml: cannot be read as YAML")


def test_duplicate_question_keys_across_files_are_refused(runner, library_copy):
    copied = question(yaml.safe_load((library_copy / CC_FILE).read_text(encoding="utf-8")), CC_QUESTION)
    edit_yaml(library_copy / "questions/community-health.yaml", lambda data: data["questions"].append(copied))
    result = check(runner, library_copy)
    assert_refused(result, f"questions/community-health.yaml: item {CC_QUESTION}: key: used more than once")


def test_empty_rubric_file_is_refused_not_silently_dropped(runner, library_copy):
    (library_copy / "rubrics/front-desk.yaml").write_text("# emptied by mistake\n", encoding="utf-8")
    result = check(runner, library_copy)
    assert_refused(result, "rubrics/front-desk.yaml")


def test_emptied_rubric_file_refuses_the_load_instead_of_archiving_the_rubric(runner, db, loaded, library_copy):
    (library_copy / "rubrics/front-desk.yaml").write_text("", encoding="utf-8")
    result = load(runner, library_copy)
    db.session.expire_all()
    archived = db.session.scalar(select(Rubric.archived_at).where(Rubric.key == "front-desk-rubric"))
    assert (result.exit_code, archived) == (1, None), result.output


def test_duplicate_criterion_keys_name_the_rubric_file(runner, library_copy):
    edit_yaml(library_copy / "rubrics/front-desk.yaml",
              lambda data: data["criteria"][0].update(key="ma-evidence-based-care"))
    result = check(runner, library_copy)
    assert_refused(result, "item ma-evidence-based-care: key: used more than once")
    problem = next(line for line in result.output.splitlines() if "used more than once" in line)
    assert "rubrics/" in problem, problem


# Loading ---------------------------------------------------------------------------------------------
def test_full_load_creates_the_whole_library(runner, db):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "values: 9 new, 0 updated, 0 archived" in result.output
    assert count(db, Value) == 9
    assert count(db, Question) == 54
    assert db.session.scalar(select(func.count()).select_from(Rubric).where(Rubric.is_template)) == 7
    assert count(db, Track) == 9
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "content.loaded")) == 1


def test_loading_twice_changes_nothing_the_second_time(runner, db, library_copy):
    assert load(runner, library_copy).exit_code == 0
    events = count(db, AuditEvent)
    counts = content_counts(db)
    second = load(runner, library_copy)
    assert second.exit_code == 0, second.output
    assert "up to date" in second.output
    assert count(db, AuditEvent) == events
    assert content_counts(db) == counts


def test_edited_question_text_updates_the_row_in_place(runner, db, loaded, library_copy):
    before = db.session.scalar(select(Question).where(Question.key == CC_QUESTION))
    old_id, old_text = before.id, before.text
    new_text = "Tell me about a time you made sure a handoff to another team was actually completed."
    edit_yaml(library_copy / CC_FILE, lambda data: question(data, CC_QUESTION).update(text=new_text))

    result = load(runner, library_copy)
    assert result.exit_code == 0, result.output
    assert "questions: 0 new, 1 updated, 0 archived" in result.output
    db.session.expire_all()
    rows = db.session.scalars(select(Question).where(Question.key == CC_QUESTION)).all()
    assert [(row.id, row.text) for row in rows] == [(old_id, new_text)]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "question.updated", AuditEvent.entity_id == old_id)).one()
    assert event.entity_type == "question"
    assert event.before == {"text": old_text}
    assert event.after == {"text": new_text}


def test_question_removed_from_its_file_is_archived_not_deleted(runner, db, loaded, library_copy):
    gone = UNKITTED_CH_QUESTIONS[0]

    def drop(data):
        data["questions"] = [item for item in data["questions"] if item["key"] != gone]

    edit_yaml(library_copy / "questions/community-health.yaml", drop)
    result = load(runner, library_copy)
    assert result.exit_code == 0, result.output
    assert "questions: 0 new, 0 updated, 1 archived" in result.output
    db.session.expire_all()
    row = db.session.scalars(select(Question).where(Question.key == gone)).one()
    assert row.archived_at is not None
    assert count(db, Question) == 54
    assert db.session.scalar(select(func.count()).select_from(Question).where(Question.archived_at.is_(None))) == 53


def test_malformed_file_refuses_the_whole_load_into_an_empty_database(runner, db, library_copy):
    (library_copy / "rubrics/front-desk.yaml").write_text("key: front-desk-rubric\ncriteria: [\n", encoding="utf-8")
    before = content_counts(db)
    events = count(db, AuditEvent)
    result = load(runner, library_copy)
    assert result.exit_code == 1
    assert "was refused; nothing was loaded" in result.output
    assert "rubrics/front-desk.yaml: cannot be read as YAML" in result.output
    assert content_counts(db) == before
    assert count(db, AuditEvent) == events


def test_malformed_file_refuses_changes_in_the_valid_files_too(runner, db, loaded, library_copy):
    new_text = "Tell me about a time a referral you sent came back and you made sure the patient heard."
    edit_yaml(library_copy / CC_FILE, lambda data: question(data, CC_QUESTION).update(text=new_text))
    edit_module(library_copy / QUIZ_MODULE, lambda front: front.update(minutes=front["minutes"] + 5))
    edit_module(library_copy / ATTEST_MODULE, lambda front: front.update(method="lecture"))  # not a method
    before = content_counts(db)
    events = count(db, AuditEvent)

    result = load(runner, library_copy)
    assert result.exit_code == 1
    assert f"{ATTEST_MODULE}: method: Input should be 'attest', 'quiz', 'sign-off' or 'task'" in result.output
    db.session.expire_all()
    assert content_counts(db) == before
    assert count(db, AuditEvent) == events
    assert db.session.scalar(select(Question.text).where(Question.key == CC_QUESTION)) != new_text


def test_changing_a_lesson_bumps_the_module_version(runner, db, loaded, library_copy):
    key = ATTEST_MODULE.rsplit("/", 1)[1].removesuffix(".md")
    module = db.session.scalar(select(Module).where(Module.key == key))
    old_version = module.version
    edit_module(library_copy / ATTEST_MODULE,
                lambda front: front.update(content=front["content"] + "\nOne more sentence for the lesson.\n"))

    result = load(runner, library_copy)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    module = db.session.scalar(select(Module).where(Module.key == key))
    assert module.version == old_version + 1
    assert module.content.rstrip().endswith("One more sentence for the lesson.")


def test_changing_only_minutes_keeps_the_module_version(runner, db, loaded, library_copy):
    key = ATTEST_MODULE.rsplit("/", 1)[1].removesuffix(".md")
    module = db.session.scalar(select(Module).where(Module.key == key))
    old_version, old_minutes = module.version, module.minutes
    edit_module(library_copy / ATTEST_MODULE, lambda front: front.update(minutes=old_minutes + 10))

    result = load(runner, library_copy)
    assert result.exit_code == 0, result.output
    assert "modules: 0 new, 1 updated, 0 archived" in result.output
    db.session.expire_all()
    module = db.session.scalar(select(Module).where(Module.key == key))
    assert module.minutes == old_minutes + 10
    assert module.version == old_version
