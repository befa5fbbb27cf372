"""The question bank and rubric library: save, archive and copy questions and rubrics.

Like every service these take the acting user, flush and never commit; the audit listener records
each row change, and a rubric saved over one that is in use records a named `rubric.versioned` event.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from app.audit import acting_as, record
from app.extensions import db
from app.models import (
    Criterion,
    Posting,
    PostingStatus,
    Question,
    QuestionKind,
    RoleFamily,
    Rubric,
    Scorecard,
    User,
    Value,
)

log = logging.getLogger(__name__)

MAX_PROBES = 5
ANCHORS = (("anchor_1", 1), ("anchor_3", 3), ("anchor_5", 5))
CRITERION_FIELDS = ("value_id", "title", "weight", "anchor_1", "anchor_3", "anchor_5")


class BankError(Exception):
    """A question or rubric cannot be saved as asked; the message says what to change."""

    def __init__(self, problems: str | list[str], rows: dict[int, list[str]] | None = None,
                 fields: dict[int, dict[str, str]] | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.rows = rows or {}  # criterion index -> its own problems
        self.fields = fields or {}  # criterion index -> {field name: problem}, for a form to mark each field
        super().__init__(" ".join(self.problems))

    @property
    def general(self) -> list[str]:
        """The problems that belong to no single criterion (the weights total, a missing name)."""
        return self.problems[len([p for msgs in self.rows.values() for p in msgs]):]


class QuestionError(BankError):
    """A question cannot be saved as asked."""


class RubricError(BankError):
    """A rubric's criteria break a rule (weights, values, anchors); nothing was saved."""


# Questions --------------------------------------------------------------------------------------
def save_question(question: Question | None, *, actor: User, value_id: int, kind: QuestionKind, text: str,
                  role_families: list[str], probes: list[str], strong_answer: str, weak_answer: str) -> Question:
    """Create a question (question=None) or change one; empty role_families means every role."""
    text, strong_answer, weak_answer = text.strip(), strong_answer.strip(), weak_answer.strip()
    probes = [probe.strip() for probe in probes if probe.strip()]
    if question is not None and question.archived:
        raise QuestionError("This question is archived; restore it before changing it.")
    problems = []
    value = db.session.get(Value, value_id) if value_id is not None else None
    if value is None or (value.archived and (question is None or question.value_id != value.id)):
        problems.append("Choose the value the question assesses.")
    if not text:
        problems.append("Write the question.")
    unknown = [family for family in role_families if family not in {f.value for f in RoleFamily}]
    if unknown:
        problems.append(f"Unknown role family: {', '.join(unknown)}.")
    if not 1 <= len(probes) <= MAX_PROBES:
        problems.append(f"Give between 1 and {MAX_PROBES} follow-up probes, one per line (there are {len(probes)}).")
    if not strong_answer:
        problems.append("Describe what a strong answer shows.")
    if not weak_answer:
        problems.append("Describe what a weak answer shows.")
    if problems:
        raise QuestionError(problems)
    with acting_as(db.session, actor.id):
        if question is None:
            question = Question()
            db.session.add(question)
        fields = {"value_id": value_id, "kind": kind, "text": text,
                  "role_families": [f.value for f in RoleFamily if f.value in role_families],
                  "probes": probes, "strong_answer": strong_answer, "weak_answer": weak_answer}
        _assign(question, fields)
        db.session.flush()
    return question


def archive_question(question: Question, *, actor: User) -> None:
    """Take a question out of the bank; interview kits that already use it keep it."""
    with acting_as(db.session, actor.id):
        question.archive()
        db.session.flush()


def restore_question(question: Question, *, actor: User) -> None:
    """Put an archived question back in the bank."""
    with acting_as(db.session, actor.id):
        question.restore()
        db.session.flush()


# Rubrics ----------------------------------------------------------------------------------------
def _clean(criterion: dict[str, Any]) -> dict[str, Any]:
    """A criterion dict with stripped text and the keys save_rubric reads."""
    cleaned = {"id": criterion.get("id") or None, "value_id": criterion.get("value_id") or None,
               "weight": criterion.get("weight")}
    for name in ("title", "anchor_1", "anchor_3", "anchor_5"):
        cleaned[name] = (criterion.get(name) or "").strip()
    return cleaned


def validate_criteria(criteria: list[dict[str, Any]]) -> None:
    """Raise RubricError naming every problem: a value, title, weight (0–100) and three anchors on
    each criterion, no value twice, at least one criterion, and weights totalling exactly 100%."""
    criteria = [_clean(c) for c in criteria]
    if not criteria:
        raise RubricError("A rubric needs at least one criterion.")
    value_ids = {c["value_id"] for c in criteria if c["value_id"]}
    names = dict(db.session.execute(select(Value.id, Value.name).where(Value.id.in_(value_ids))).all()) \
        if value_ids else {}
    rows: dict[int, list[str]] = {}
    fields: dict[int, dict[str, str]] = {}
    seen: dict[int, int] = {}
    for index, c in enumerate(criteria):
        found, marked = rows.setdefault(index, []), fields.setdefault(index, {})

        def add(field: str, message: str, found=found, marked=marked) -> None:
            found.append(message)
            marked[field] = message

        if not c["value_id"] or c["value_id"] not in names:
            add("value_id", "Choose the value it assesses.")
        elif c["value_id"] in seen:
            other = criteria[seen[c["value_id"]]]["title"] or f"criterion {seen[c['value_id']] + 1}"
            add("value_id", f"{names[c['value_id']]} is already assessed by “{other}”; "
                            "each value can appear only once.")
        else:
            seen[c["value_id"]] = index
        if not c["title"]:
            add("title", "Give it a title.")
        weight = c["weight"]
        if not _whole(weight):
            add("weight", "Give a weight, a whole number of percent.")
        elif not 0 <= weight <= 100:
            add("weight", "The weight must be between 0 and 100%.")
        missing = [(name, str(rating)) for name, rating in ANCHORS if not c[name]]
        for name, rating in missing:
            marked[name] = f"Write the anchor for a rating of {rating}."
        if missing:
            ratings = [rating for _, rating in missing]
            found.append(f"Write the anchor for a rating of {ratings[0]}." if len(ratings) == 1 else
                         f"Write the anchors for ratings {', '.join(ratings[:-1])} and {ratings[-1]}.")
    rows = {index: found for index, found in rows.items() if found}
    fields = {index: marked for index, marked in fields.items() if marked}
    problems = [f"Criterion {index + 1}" + (f" ({criteria[index]['title'][:40]})" if criteria[index]["title"] else "")
                + f": {message}" for index, found in rows.items() for message in found]
    weights = [c["weight"] for c in criteria if _whole(c["weight"])]
    if len(weights) == len(criteria) and sum(weights) != 100:
        problems.append(f"Weights total {sum(weights)}%; they must total 100%.")
    if problems:
        raise RubricError(problems, rows, fields)


def _whole(weight: Any) -> bool:
    return isinstance(weight, int) and not isinstance(weight, bool)


def open_postings(rubric: Rubric) -> list[Posting]:
    """The open postings that use the rubric, by title."""
    return list(db.session.scalars(select(Posting).where(
        Posting.rubric_id == rubric.id, Posting.status == PostingStatus.OPEN).order_by(Posting.title)))


def is_locked(rubric: Rubric) -> bool:
    """True when edits must make a new version: an open posting uses it, or a scorecard rated against it."""
    in_use = select(Posting.id).where(Posting.rubric_id == rubric.id, Posting.status == PostingStatus.OPEN)
    rated = select(Scorecard.id).where(Scorecard.rubric_id == rubric.id)
    return db.session.scalar(select(in_use.exists())) or db.session.scalar(select(rated.exists()))


def newer_version(rubric: Rubric) -> Rubric | None:
    """The version made from this rubric, if one was."""
    return db.session.scalar(select(Rubric).where(Rubric.previous_id == rubric.id).order_by(Rubric.id.desc()))


def rubric_changed(rubric: Rubric, name: str, description: str, criteria: list[dict[str, Any]]) -> bool:
    """True when saving these fields would change the rubric or its criteria."""
    current = [{"id": c.id, **{f: getattr(c, f) for f in CRITERION_FIELDS}} for c in rubric.criteria]
    wanted = [{"id": c["id"], **{f: c[f] for f in CRITERION_FIELDS}} for c in map(_clean, criteria)]
    return (name.strip(), description.strip()) != (rubric.name, rubric.description) or current != wanted


def copy_rubric(source: Rubric, *, actor: User | None, name: str | None = None) -> Rubric:
    """A new rubric (version 1, not a template) with the source's role family, description, suggested
    kit and a copy of its criteria. Named after a template, or "Copy of …" another rubric."""
    name = (name or "").strip() or (source.name if source.is_template else f"Copy of {source.name}")
    with acting_as(db.session, actor.id if actor else None):
        rubric = Rubric(name=name[:160], role_family=source.role_family, description=source.description,
                        is_template=False, suggested_kit=list(source.suggested_kit))
        db.session.add(rubric)
        db.session.flush()
        for criterion in source.criteria:
            db.session.add(Criterion(
                rubric_id=rubric.id, value_id=criterion.value_id, position=criterion.position,
                title=criterion.title, weight=criterion.weight, anchor_1=criterion.anchor_1,
                anchor_3=criterion.anchor_3, anchor_5=criterion.anchor_5, sources=list(criterion.sources),
            ))
        db.session.flush()
        db.session.expire(rubric, ["criteria"])
    log.info("rubric %s copied from %s by user %s", rubric.id, source.id, actor.id if actor else None)
    return rubric


def save_rubric(rubric: Rubric, *, actor: User, name: str, description: str,
                criteria: list[dict[str, Any]]) -> Rubric:
    """Save a rubric's name, description and criteria, in the order given.

    Each criterion dict holds value_id, title, weight and anchor_1/3/5, and the id of the criterion
    it edits (None for a new one); the rubric's criteria left out are archived. A rubric in use (an
    open posting, or scorecards rated against it) is not changed: a new version is made with
    previous_id pointing back, draft postings move to it, and it is returned.
    """
    criteria = [_clean(c) for c in criteria]
    name, description = name.strip(), description.strip()
    if not name:
        raise RubricError("Give the rubric a name.")
    if rubric.is_template:
        raise RubricError("Templates come from the content library and are not edited here; "
                          "start a rubric from the template and edit that.")
    if rubric.archived:
        raise RubricError("This rubric is archived and cannot be changed.")
    if newer_version(rubric) is not None:
        raise RubricError(f"{rubric.name} version {rubric.version} has a newer version; edit that one.")
    validate_criteria(criteria)
    current = {c.id: c for c in rubric.criteria}
    stale = [c["id"] for c in criteria if c["id"] is not None and c["id"] not in current]
    if stale:
        raise RubricError("Some criteria on the page are no longer part of this rubric; reload it and try again.")
    if not rubric_changed(rubric, name, description, criteria):
        return rubric
    with acting_as(db.session, actor.id):
        if is_locked(rubric):
            return _new_version(rubric, actor=actor, name=name, description=description, criteria=criteria,
                                current=current)
        rubric.name, rubric.description = name, description
        kept = {c["id"] for c in criteria if c["id"] is not None}
        for criterion in current.values():
            if criterion.id not in kept:
                criterion.archive()
        for position, fields in enumerate(criteria):
            values = {f: fields[f] for f in CRITERION_FIELDS} | {"position": position}
            if fields["id"] is None:
                db.session.add(Criterion(rubric_id=rubric.id, **values))
            else:
                _assign(current[fields["id"]], values)
        db.session.flush()
        db.session.expire(rubric, ["criteria"])
    return rubric


def _new_version(rubric: Rubric, *, actor: User, name: str, description: str, criteria: list[dict[str, Any]],
                 current: dict[int, Criterion]) -> Rubric:
    """Make version+1 of a rubric in use and move its draft postings onto it; the old one is untouched."""
    new = Rubric(name=name, description=description, role_family=rubric.role_family, is_template=False,
                 version=rubric.version + 1, previous_id=rubric.id, suggested_kit=list(rubric.suggested_kit))
    db.session.add(new)
    db.session.flush()
    for position, fields in enumerate(criteria):
        earlier = current.get(fields["id"]) if fields["id"] is not None else None
        db.session.add(Criterion(rubric_id=new.id, position=position, sources=list(earlier.sources) if earlier else [],
                                 **{f: fields[f] for f in CRITERION_FIELDS}))
    drafts = list(db.session.scalars(select(Posting).where(
        Posting.rubric_id == rubric.id, Posting.status == PostingStatus.DRAFT)))
    for posting in drafts:
        posting.rubric_id = new.id
    record(db.session, "rubric.versioned", new, previous_id=rubric.id, version=new.version,
           draft_postings_moved=[p.id for p in drafts])
    db.session.flush()
    db.session.expire(new, ["criteria"])
    log.info("rubric %s saved as version %s (rubric %s) by user %s; %s drafts moved",
             rubric.id, new.version, new.id, actor.id, len(drafts))
    return new


def _assign(obj: Any, fields: dict[str, Any]) -> None:
    """Set only the fields that differ, so an unchanged row stays clean (and unaudited)."""
    for field, value in fields.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
