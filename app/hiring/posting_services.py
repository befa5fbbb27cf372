"""Postings: create from a role template, edit, build the interview kit, check value coverage, change status.

Like every service they take the acting user, flush and never commit; the audit listener records
each row change and `record()` names the workflow steps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.audit import acting_as, record
from app.extensions import db
from app.hiring.bank_services import copy_rubric
from app.models import (
    Criterion,
    EmploymentType,
    KitItem,
    Posting,
    PostingStatus,
    Question,
    QuestionKind,
    RoleFamily,
    Rubric,
    Site,
    User,
    Value,
    utcnow,
)

log = logging.getLogger(__name__)
KIT_EDITABLE = (PostingStatus.DRAFT, PostingStatus.OPEN)


class PostingError(Exception):
    """A posting action that cannot be taken, with a message the person can act on."""


class CoverageGap(PostingError):
    """Opening was refused because some rubric criteria have no kit question for their value."""

    def __init__(self, gaps: list[Criterion]):
        self.gaps = gaps
        names = "; ".join(f"{c.value.name} (“{c.title}”)" for c in gaps)
        super().__init__(
            f"Not assessed by any question in the kit: {names}. Add a question for each value, "
            "or give a reason to open the posting anyway."
        )


@dataclass
class Coverage:
    """One rubric criterion and the kit questions that assess its value."""

    criterion: Criterion
    questions: list[Question]

    @property
    def assessed(self) -> bool:
        return bool(self.questions)


def status_label(posting: Posting) -> str:
    return "Archived" if posting.archived else posting.status.value.capitalize()


# Creating and editing --------------------------------------------------------------------------
def template_for(role_family: RoleFamily) -> Rubric | None:
    """The newest active template rubric written for a role family."""
    return db.session.scalar(
        select(Rubric)
        .where(Rubric.is_template, Rubric.role_family == role_family, Rubric.archived_at.is_(None))
        .order_by(Rubric.version.desc(), Rubric.id.desc())
        .limit(1)
    )


def _check_fields(site: Site, closing_date: date | None, today: date, posting: Posting | None = None) -> None:
    """An archived site or a past closing date is refused, unless the posting already has it."""
    if site.archived and (posting is None or site.id != posting.site_id):
        raise PostingError(f"{site.name} is archived; choose an active site.")
    if closing_date is not None and closing_date < today and (posting is None or closing_date != posting.closing_date):
        raise PostingError(f"The closing date {closing_date:%b %-d, %Y} is in the past; choose today or later.")


def create_posting(*, actor: User, role_family: RoleFamily, site: Site, title: str = "", department: str = "",
                   employment_type: EmploymentType = EmploymentType.FULL_TIME, closing_date: date | None = None,
                   description: str = "", today: date) -> Posting:
    """A draft posting with its own copy of the role's template rubric and the template's suggested kit."""
    template = template_for(role_family)
    if template is None:
        raise PostingError(f"There is no rubric template for {role_family.label} yet, so a posting cannot be built "
                           "for it. Load the content library or add a template rubric first.")
    _check_fields(site, closing_date, today)
    with acting_as(db.session, actor.id):
        rubric = copy_rubric(template, actor=actor)
        posting = Posting(
            title=title.strip() or template.name, site_id=site.id, department=department.strip(),
            role_family=role_family, employment_type=employment_type, closing_date=closing_date,
            description=description.strip(), rubric_id=rubric.id, status=PostingStatus.DRAFT,
            created_by_id=actor.id,
        )
        db.session.add(posting)
        db.session.flush()
        by_key = {q.key: q for q in db.session.scalars(
            select(Question).where(Question.key.in_(template.suggested_kit), Question.archived_at.is_(None)))}
        kit = [by_key[key] for key in dict.fromkeys(template.suggested_kit) if key in by_key]
        for position, question in enumerate(kit):
            db.session.add(KitItem(posting_id=posting.id, question_id=question.id, position=position))
        record(db.session, "posting.created_from_template", posting, template_id=template.id,
               rubric_id=rubric.id, kit=[q.key for q in kit])
        db.session.flush()
    db.session.expire(posting, ["kit"])
    log.info("posting %s created from template %s by user %s", posting.id, template.id, actor.id)
    return posting


def update_posting(posting: Posting, *, actor: User, title: str, site: Site, department: str,
                   employment_type: EmploymentType, closing_date: date | None, description: str,
                   today: date) -> None:
    """Change a posting's details; an archived posting is read-only."""
    if posting.archived:
        raise PostingError(f"{posting.title} is archived and cannot be changed.")
    if not title.strip():
        raise PostingError("Give the posting a title.")
    _check_fields(site, closing_date, today, posting)
    with acting_as(db.session, actor.id):
        posting.title, posting.site_id, posting.department = title.strip(), site.id, department.strip()
        posting.employment_type, posting.closing_date = employment_type, closing_date
        posting.description = description.strip()
        db.session.flush()


# The interview kit -----------------------------------------------------------------------------
def rubric_value_ids(posting: Posting) -> set[int]:
    return {criterion.value_id for criterion in posting.rubric.criteria}


def kit_candidates(posting: Posting, kind: QuestionKind | None = None) -> list[Question]:
    """Active bank questions on the rubric's values that the kit does not hold yet."""
    in_kit = {item.question_id for item in posting.kit}
    query = (select(Question).join(Value, Value.id == Question.value_id)
             .where(Question.value_id.in_(rubric_value_ids(posting)), Question.archived_at.is_(None))
             .order_by(Value.position, Value.name, Question.kind, Question.id))
    if kind is not None:
        query = query.where(Question.kind == kind)
    return [q for q in db.session.scalars(query) if q.id not in in_kit]


def _kit_editable(posting: Posting) -> None:
    if posting.archived or posting.status not in KIT_EDITABLE:
        raise PostingError(f"{posting.title} is {status_label(posting).lower()}; its interview kit can no "
                           "longer change.")


def add_to_kit(posting: Posting, question: Question, *, actor: User) -> KitItem:
    """Add a bank question at the end of the kit."""
    _kit_editable(posting)
    if question.archived:
        raise PostingError("That question is archived in the bank; choose an active one.")
    if question.value_id not in rubric_value_ids(posting):
        raise PostingError(f"That question assesses {question.value.name}, which this posting's rubric does "
                           "not include.")
    if any(item.question_id == question.id for item in posting.kit):
        raise PostingError("That question is already in the kit.")
    with acting_as(db.session, actor.id):
        item = KitItem(posting_id=posting.id, question_id=question.id, position=len(posting.kit))
        posting.kit.append(item)
        db.session.flush()
    return item


def remove_from_kit(item: KitItem, *, actor: User) -> None:
    """Take a question out of the kit; an open posting may not lose its only question on a value."""
    posting = item.posting
    _kit_editable(posting)
    if posting.status is PostingStatus.OPEN:
        before = {c.criterion.id for c in coverage(posting) if not c.assessed}
        rest = [i.question for i in posting.kit if i.id != item.id]
        lost = [c.criterion for c in coverage(posting, rest) if not c.assessed and c.criterion.id not in before]
        if lost:
            names = "; ".join(c.value.name for c in lost)
            raise PostingError(f"{posting.title} is open, and removing this question would leave {names} not "
                               "assessed. Add another question on that value first.")
    with acting_as(db.session, actor.id):
        posting.kit.remove(item)
        db.session.delete(item)  # explicitly, so the audit listener sees it (an orphan is deleted silently)
        for position, other in enumerate(posting.kit):
            other.position = position
        db.session.flush()


def move_kit_item(item: KitItem, direction: int, *, actor: User) -> bool:
    """Swap a kit question with its neighbour (-1 up, +1 down); False at either end."""
    posting = item.posting
    _kit_editable(posting)
    items = list(posting.kit)
    index = items.index(item)
    other = index + direction
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    with acting_as(db.session, actor.id):
        for position, row in enumerate(items):
            row.position = position
        db.session.flush()
    db.session.expire(posting, ["kit"])
    return True


# Coverage --------------------------------------------------------------------------------------
def coverage(posting: Posting, questions: list[Question] | None = None) -> list[Coverage]:
    """For every criterion of the rubric, the kit questions whose value it assesses."""
    questions = [item.question for item in posting.kit] if questions is None else questions
    return [Coverage(criterion, [q for q in questions if q.value_id == criterion.value_id])
            for criterion in posting.rubric.criteria]


def coverage_gaps(posting: Posting) -> list[Criterion]:
    """The rubric criteria no kit question assesses."""
    return [line.criterion for line in coverage(posting) if not line.assessed]


# Status ----------------------------------------------------------------------------------------
def open_posting(posting: Posting, *, actor: User, override_reason: str | None = None,
                 today: date | None = None) -> None:
    """Open a draft (or reopen a closed) posting; refuse while a rubric value has no question, unless a reason is given."""
    if posting.archived:
        raise PostingError(f"{posting.title} is archived; archived postings cannot be opened.")
    if posting.status is PostingStatus.OPEN:
        raise PostingError(f"{posting.title} is already open.")
    today = today or date.today()
    if posting.closing_date is not None and posting.closing_date < today:
        raise PostingError(f"The closing date {posting.closing_date:%b %-d, %Y} has passed; set a later one "
                           "before opening.")
    if not posting.kit:
        raise PostingError("The interview kit is empty; add questions before opening the posting.")
    reason = (override_reason or "").strip() or None
    gaps = coverage_gaps(posting)
    if gaps and not reason:
        raise CoverageGap(gaps)
    with acting_as(db.session, actor.id):
        posting.status = PostingStatus.OPEN
        posting.opened_at = utcnow()
        posting.closed_at = None
        posting.coverage_override_reason = reason if gaps else None
        record(db.session, "posting.opened", posting, override_reason=reason if gaps else None,
               not_assessed=[c.value.name for c in gaps])
        db.session.flush()
    log.info("posting %s opened by user %s", posting.id, actor.id)


def close_posting(posting: Posting, *, actor: User) -> None:
    """Stop taking applications; the pipeline carries on."""
    if posting.archived or posting.status is not PostingStatus.OPEN:
        raise PostingError(f"Only open postings can be closed; {posting.title} is {status_label(posting).lower()}.")
    with acting_as(db.session, actor.id):
        posting.status = PostingStatus.CLOSED
        posting.closed_at = utcnow()
        record(db.session, "posting.closed", posting)
        db.session.flush()


def archive_posting(posting: Posting, *, actor: User) -> None:
    """Archive a draft or closed posting; it leaves the lists, its applications stay on record."""
    if posting.archived:
        raise PostingError(f"{posting.title} is already archived.")
    if posting.status is PostingStatus.OPEN:
        raise PostingError(f"{posting.title} is open; close it first so nobody applies to an archived posting.")
    with acting_as(db.session, actor.id):
        posting.archive()
        record(db.session, "posting.archived", posting, status=posting.status.value)
        db.session.flush()
