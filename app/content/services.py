"""Loading the library into the database idempotently, and checking its quality and coverage."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.audit import record
from app.content.library import CHECK_INS_FILE, Library
from app.content.schema import DEFAULT_SCHEDULE, ROLE_FAMILY_KEYS
from app.extensions import db
from app.models import (
    CheckInSchedule,
    CredentialType,
    Criterion,
    Method,
    Module,
    Question,
    QuestionKind,
    QuizItem,
    Reference,
    Responsible,
    RoleFamily,
    Rubric,
    Track,
    TrackKind,
    Value,
)

log = logging.getLogger(__name__)


@dataclass
class LoadReport:
    """How many rows a load created, changed and archived, per kind."""

    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    archived: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    kept: list[str] = field(default_factory=list)  # check-in schedules HR changed, left as HR set them

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values()) or any(self.archived.values())

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.archived))
        kept = (f" Check-in schedules kept as HR set them (the seed adds only missing ones): "
                f"{', '.join(self.kept)}.") if self.kept else ""
        if not self.changed:
            return "The content library is up to date; nothing changed." + kept
        return "; ".join(
            f"{kind}: {self.created[kind]} new, {self.updated[kind]} updated, {self.archived[kind]} archived"
            for kind in kinds
            if self.created[kind] or self.updated[kind] or self.archived[kind]
        ) + kept


def _assign(obj: Any, fields: dict[str, Any]) -> bool:
    """Set only the fields that differ, so an unchanged row stays clean (and unaudited)."""
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


class _Upserter:
    def __init__(self, report: LoadReport):
        self.report = report

    def upsert(self, kind: str, existing: dict[str, Any], key: str, factory, fields: dict[str, Any]):
        obj = existing.get(key)
        if obj is None:
            obj = factory(key=key, **fields)
            db.session.add(obj)
            self.report.created[kind] += 1
        else:
            restored = obj.archived_at is not None
            if restored:
                obj.restore()
            if _assign(obj, fields) or restored:
                self.report.updated[kind] += 1
        return obj

    def archive_missing(self, kind: str, existing: dict[str, Any], keep: set[str]) -> None:
        for key, obj in existing.items():
            if key not in keep and obj.archived_at is None:
                obj.archive()
                self.report.archived[kind] += 1


def _by_key(model) -> dict[str, Any]:
    return {obj.key: obj for obj in db.session.scalars(select(model).where(model.key.is_not(None)))}


def apply_library(library: Library) -> LoadReport:
    """Bring the database in line with the library; the caller commits."""
    report = LoadReport()
    up = _Upserter(report)

    references = _by_key(Reference)
    for ref in library.references:
        up.upsert("references", references, ref.id, Reference, {"label": ref.label, "source": ref.source})
    up.archive_missing("references", references, {ref.id for ref in library.references})

    values = _by_key(Value)
    for position, spec in enumerate(library.values):
        up.upsert("values", values, spec.key, Value, {
            "name": spec.name, "stage": spec.stage, "summary": spec.summary,
            "description": spec.description, "behaviors": list(spec.behaviors),
            "sources": list(spec.sources), "position": position,
        })
    up.archive_missing("values", values, {spec.key for spec in library.values})
    db.session.flush()
    values = _by_key(Value)

    questions = _by_key(Question)
    for spec in library.questions:
        up.upsert("questions", questions, spec.key, Question, {
            "value_id": values[spec.value].id, "kind": QuestionKind(spec.kind), "text": spec.text,
            "role_families": [] if spec.role_families == ["all"] else list(spec.role_families),
            "probes": list(spec.probes), "strong_answer": spec.strong_answer,
            "weak_answer": spec.weak_answer, "sources": list(spec.sources),
        })
    up.archive_missing("questions", questions, {spec.key for spec in library.questions})

    _apply_rubrics(library, values, up)
    _apply_tracks(library, values, up)
    _apply_check_in_schedules(library, report)
    _apply_credential_types(library, report)
    db.session.flush()
    if report.changed:
        record(db.session, "content.loaded", note=report.summary())
        db.session.flush()
    return report


def _apply_rubrics(library: Library, values: dict[str, Value], up: _Upserter) -> None:
    rubrics = _by_key(Rubric)
    criteria = _by_key(Criterion)
    for spec in library.rubrics:
        rubric = up.upsert("rubrics", rubrics, spec.key, Rubric, {
            "name": spec.name, "role_family": RoleFamily(spec.role_family),
            "description": spec.description, "is_template": True,
            "suggested_kit": list(spec.suggested_kit),
        })
        db.session.flush()
        for position, c in enumerate(spec.criteria):
            up.upsert("criteria", criteria, c.key, Criterion, {
                "rubric_id": rubric.id, "value_id": values[c.value].id, "position": position,
                "title": c.title, "weight": c.weight, "anchor_1": c.anchors[1],
                "anchor_3": c.anchors[3], "anchor_5": c.anchors[5], "sources": list(c.sources),
            })
    up.archive_missing("rubrics", rubrics, {spec.key for spec in library.rubrics})
    up.archive_missing("criteria", criteria, {c.key for spec in library.rubrics for c in spec.criteria})


def _apply_check_in_schedules(library: Library, report: LoadReport) -> None:
    """Add the schedules the database lacks. A schedule already there is HR's to change on the check-in
    schedule page, so the seed never overwrites it (unlike the rest of the library) nor archives it."""
    existing = {row.role_family: row for row in db.session.scalars(select(CheckInSchedule))}
    for spec in library.check_in_schedules:
        family = None if spec.role_family == DEFAULT_SCHEDULE else RoleFamily(spec.role_family)
        row = existing.get(family)
        if row is None:
            db.session.add(CheckInSchedule(role_family=family, offsets=list(spec.days)))
            report.created["check-in schedules"] += 1
        elif sorted(row.offsets) != spec.days:
            report.kept.append(spec.role_family)


def _apply_credential_types(library: Library, report: LoadReport) -> None:
    """Add the credential types the database lacks, by name; a type already there (even archived, or renamed by
    HR: it keeps the name it was seeded under) is left as it is, so the seed never undoes what HR has changed."""
    existing = {name for row in db.session.execute(select(CredentialType.name, CredentialType.seed_name))
                for name in row if name}
    for spec in library.credential_types:
        if spec.name not in existing:
            db.session.add(CredentialType(
                name=spec.name, seed_name=spec.name, role_families=list(spec.role_families),
                primary_source_required=spec.primary_source, renewal_months=spec.renewal_months,
            ))
            report.created["credential types"] += 1


def _quiz_fields(spec) -> list[dict[str, Any]]:
    return [
        {"prompt": item.prompt, "choices": list(item.choices), "answers": list(item.answers),
         "explanation": item.explanation}
        for item in spec.quiz
    ]


def _apply_tracks(library: Library, values: dict[str, Value], up: _Upserter) -> None:
    tracks = _by_key(Track)
    modules = _by_key(Module)
    for track_spec in library.tracks:
        track = up.upsert("tracks", tracks, track_spec.key, Track, {
            "name": track_spec.name, "kind": TrackKind(track_spec.kind),
            "role_families": list(track_spec.role_families), "description": track_spec.description,
        })
        db.session.flush()
        for position, spec in enumerate(library.modules[track_spec.key]):
            module = modules.get(spec.key)
            material_before = None
            if module is not None:
                material_before = (module.content, [
                    {"prompt": q.prompt, "choices": q.choices, "answers": q.answers, "explanation": q.explanation}
                    for q in module.quiz_items
                ])
            module = up.upsert("modules", modules, spec.key, Module, {
                "track_id": track.id, "position": position, "title": spec.title,
                "content": spec.content, "minutes": spec.minutes,
                "due_offset_days": spec.due_offset_days, "method": Method(spec.method),
                "pass_mark": spec.pass_mark, "renew_months": spec.renew_months,
                "observation": spec.observation,
                "responsible": Responsible(spec.responsible) if spec.responsible else None,
                "sources": list(spec.sources),
            })
            wanted_values = [values[key] for key in spec.values]
            if {v.id for v in module.values} != {v.id for v in wanted_values}:
                module.values = wanted_values
                if material_before is not None:
                    up.report.updated["modules"] += 1
            quiz = _quiz_fields(spec)
            if material_before is not None and material_before != (spec.content, quiz):
                module.version += 1  # a material change: completions keep the version they were made on
            _apply_quiz(module, quiz, up)
    up.archive_missing("tracks", tracks, {spec.key for spec in library.tracks})
    up.archive_missing("modules", modules, {module.key for _, module in library.all_modules()})


def _apply_quiz(module: Module, quiz: list[dict[str, Any]], up: _Upserter) -> None:
    db.session.flush()
    existing = {
        item.position: item
        for item in db.session.scalars(
            select(QuizItem).where(QuizItem.module_id == module.id, QuizItem.archived_at.is_(None))
        )
    }
    for position, fields in enumerate(quiz):
        item = existing.pop(position, None)
        if item is None:
            db.session.add(QuizItem(module_id=module.id, position=position, **fields))
            up.report.created["quiz items"] += 1
        elif _assign(item, fields):
            up.report.updated["quiz items"] += 1
    for item in existing.values():
        item.archive()
        up.report.archived["quiz items"] += 1
    db.session.expire(module, ["quiz_items"])


def update_value(value: Value, *, name: str, summary: str, description: str, behaviors: list[str]) -> None:
    """Change a value's wording in the catalog (the audit listener records before and after)."""
    value.name = name.strip()
    value.summary = summary.strip()
    value.description = description.strip()
    value.behaviors = [behavior.strip() for behavior in behaviors if behavior.strip()]
    db.session.flush()


# The content check --------------------------------------------------------------------------
MIN_QUESTIONS_PER_VALUE = 5
WORDS = re.compile(r"[A-Za-z0-9'’-]+")


def lesson_words(text: str) -> int:
    return len(WORDS.findall(text))


def check_library(library: Library) -> list[str]:
    """Quality rules beyond the file formats; an empty list means the library passes."""
    problems: list[str] = []
    origin = library.origins.get

    questions_by_value: dict[str, list] = defaultdict(list)
    for question in library.questions:
        questions_by_value[question.value].append(question)
        where = f"{origin(('questions', question.key))}: item {question.key}"
        if not 2 <= len(question.probes) <= 3:
            problems.append(f"{where}: probes: has {len(question.probes)}; write 2 or 3 follow-up probes")
    for value in library.values:
        count = len(questions_by_value[value.key])
        if count < MIN_QUESTIONS_PER_VALUE:
            problems.append(
                f"questions: value {value.key} has {count} questions; it needs at least {MIN_QUESTIONS_PER_VALUE}"
            )

    question_values = {question.key: question.value for question in library.questions}
    for rubric in library.rubrics:
        where = origin(("rubrics", rubric.key))
        if not 5 <= len(rubric.criteria) <= 7:
            problems.append(f"{where}: criteria: has {len(rubric.criteria)}; a rubric has 5 to 7 criteria")
        kit_values = {question_values.get(key) for key in rubric.suggested_kit}
        for criterion in rubric.criteria:
            if criterion.value not in kit_values:
                problems.append(
                    f"{where}: suggested_kit: no question assesses criterion {criterion.key} ({criterion.value})"
                )

    role_tracks = defaultdict(list)
    foundation_values: set[str] = set()
    for track, module in library.all_modules():
        where = origin(("modules", module.key))
        if track.kind == "all-staff":
            foundation_values.update(module.values)
        for family in track.role_families:
            role_tracks[family].append(module)
        if module.method == "quiz" and not 4 <= len(module.quiz) <= 6:
            problems.append(f"{where}: quiz: has {len(module.quiz)} items; a quiz has 4 to 6")
        if module.method != "task":
            words = lesson_words(module.content)
            if not 300 <= words <= 900:
                problems.append(f"{where}: content: the lesson has {words} words; write 300 to 900")

    if library.check_in_schedules and not any(
            spec.role_family == DEFAULT_SCHEDULE for spec in library.check_in_schedules):
        problems.append(f"{CHECK_INS_FILE}: schedules: no default schedule; add one with role_family: default "
                        "for the role families without their own")

    claimed_by_role = defaultdict(set)  # value -> role families whose rubric assesses it
    for rubric in library.rubrics:
        for criterion in rubric.criteria:
            claimed_by_role[criterion.value].add(rubric.role_family)
    for value in library.values:
        if value.key in foundation_values:
            continue
        missing = [
            family for family in sorted(claimed_by_role[value.key])
            if not any(value.key in module.values for module in role_tracks[family])
        ]
        if missing or not claimed_by_role[value.key]:
            problems.append(
                f"tracks: value {value.key} has no module in the all-staff track"
                + (f" nor in the role tracks of {', '.join(missing)}" if missing else "")
            )
    return problems


def coverage_table(library: Library) -> tuple[list[str], list[list[str]]]:
    """Values × role families: questions that suit the family / rubric weight / modules in its tracks."""
    header = ["value"] + list(ROLE_FAMILY_KEYS)
    weights = {
        (criterion.value, rubric.role_family): criterion.weight
        for rubric in library.rubrics
        for criterion in rubric.criteria
    }
    modules = defaultdict(int)
    for track, module in library.all_modules():
        families = ROLE_FAMILY_KEYS if track.kind == "all-staff" else track.role_families
        for family in families:
            for value in module.values:
                modules[(value, family)] += 1
    rows = []
    for value in library.values:
        row = [value.key]
        for family in ROLE_FAMILY_KEYS:
            suited = sum(
                1 for q in library.questions
                if q.value == value.key and (q.role_families == ["all"] or family in q.role_families)
            )
            weight = weights.get((value.key, family))
            row.append(f"{suited}q/{weight if weight is not None else '-'}%/{modules[(value.key, family)]}m")
        rows.append(row)
    return header, rows


def check_in_table(library: Library) -> tuple[list[str], list[list[str]]]:
    """Each role family and the check-in days the library gives it (its own schedule or the default)."""
    days = {spec.role_family: spec.days for spec in library.check_in_schedules}
    rows = [[DEFAULT_SCHEDULE, "/".join(map(str, days.get(DEFAULT_SCHEDULE, []))) or "-", ""]]
    for family in ROLE_FAMILY_KEYS:
        own = days.get(family)
        shown = own or days.get(DEFAULT_SCHEDULE)
        rows.append([family, "/".join(map(str, shown)) if shown else "-", "own schedule" if own else "default"])
    return ["role family", "check-in days", "from"], rows


def library_counts(library: Library) -> dict[str, Any]:
    """Counts for the closing report: questions per value, criteria per rubric, modules per track."""
    return {
        "questions per value": {v.key: sum(q.value == v.key for q in library.questions) for v in library.values},
        "criteria per rubric": {r.key: len(r.criteria) for r in library.rubrics},
        "modules per track": {t.key: len(library.modules[t.key]) for t in library.tracks},
        "lesson words": sum(lesson_words(m.content) for _, m in library.all_modules()),
        "quiz items": sum(len(m.quiz) for _, m in library.all_modules()),
    }
