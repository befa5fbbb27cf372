"""PCMH evidence: for each value, the training that builds it, who completed it in a period, and the
hiring rubrics and interview questions that assess it — for a recognition survey or a board."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, distinct, func, select

from app.extensions import db
from app.models import (
    Assignment,
    Completion,
    Criterion,
    KitItem,
    Module,
    Posting,
    PostingStatus,
    Progress,
    Question,
    Reference,
    Rubric,
    Track,
    User,
    Value,
    module_value,
)
from app.reports.services import ReportFilters

PERIOD_DAYS = 365


@dataclass
class ModuleEvidence:
    id: int
    title: str
    track: str
    sources: list[str]
    completed: int = 0  # people in scope who completed it in the period
    assigned: int = 0  # people in scope who have it on an active assignment now


@dataclass
class RubricUse:
    name: str
    template: bool
    postings: list[str] = field(default_factory=list)


@dataclass
class ValueEvidence:
    id: int
    name: str
    summary: str
    sources: list[str]
    modules: list[ModuleEvidence] = field(default_factory=list)
    completed: int = 0  # people in scope who completed at least one of its modules in the period
    first: datetime | None = None
    last: datetime | None = None
    rubrics: list[RubricUse] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    kit_uses: int = 0
    staff: int = 0

    @property
    def percent(self) -> float:
        return self.completed * 100 / self.staff if self.staff else 0.0

    @property
    def templates(self) -> list[RubricUse]:
        return [rubric for rubric in self.rubrics if rubric.template]

    @property
    def posting_rubrics(self) -> list[RubricUse]:
        return [rubric for rubric in self.rubrics if not rubric.template]


@dataclass
class Evidence:
    filters: ReportFilters
    staff: int
    values: list[ValueEvidence]
    references: dict[str, Reference]

    def label(self, key: str) -> str:
        return self.references[key].label if key in self.references else key

    def short(self, key: str) -> str:
        """The citation without its title: "SNMHI EL 4: medical-home values..." -> "SNMHI EL 4"."""
        return self.label(key).split(":", 1)[0]


def _people(filters: ReportFilters) -> list:
    conditions = [User.active]
    if filters.site_id:
        conditions.append(User.site_id == filters.site_id)
    return conditions


def evidence(filters: ReportFilters) -> Evidence:
    """The evidence for every catalog value (ten queries, whatever the number of staff). The date range
    is the completion period; staff are the active people at the site, whatever their start date."""
    values = {
        value.id: ValueEvidence(value.id, value.name, value.summary, list(value.sources or []))
        for value in db.session.scalars(
            select(Value).where(Value.archived_at.is_(None)).order_by(Value.position, Value.id))
    }
    current = [Module.archived_at.is_(None), Track.archived_at.is_(None)]
    modules: dict[int, ModuleEvidence] = {}
    for value_id, module_id, title, sources, track in db.session.execute(
        select(module_value.c.value_id, Module.id, Module.title, Module.sources, Track.name)
        .join(Module, Module.id == module_value.c.module_id).join(Track, Track.id == Module.track_id)
        .where(*current).order_by(Track.id, Module.position, Module.id)
    ):
        module = modules.setdefault(module_id, ModuleEvidence(module_id, title, track, list(sources or [])))
        if value_id in values:
            values[value_id].modules.append(module)

    staff = db.session.scalar(select(func.count(User.id)).where(*_people(filters))) or 0
    in_period = [*_people(filters), *current]
    if filters.start:
        in_period.append(Completion.completed_at >= filters.since())
    if filters.end:
        in_period.append(Completion.completed_at < filters.until())

    def completions(*columns):
        return (select(*columns).select_from(Completion)
                .join(User, User.id == Completion.employee_id)
                .join(Module, Module.id == Completion.module_id).join(Track, Track.id == Module.track_id)
                .where(*in_period))

    for value_id, people, first, last in db.session.execute(
        completions(module_value.c.value_id, func.count(distinct(Completion.employee_id)),
                    func.min(Completion.completed_at), func.max(Completion.completed_at))
        .join(module_value, module_value.c.module_id == Completion.module_id)
        .group_by(module_value.c.value_id)
    ):
        if value_id in values:
            values[value_id].completed, values[value_id].first, values[value_id].last = people, first, last
    for module_id, people in db.session.execute(
        completions(Completion.module_id, func.count(distinct(Completion.employee_id))).group_by(Completion.module_id)
    ):
        if module_id in modules:
            modules[module_id].completed = people
    for module_id, people in db.session.execute(
        select(Progress.module_id, func.count(distinct(Progress.employee_id)))
        .join(Assignment, Assignment.id == Progress.assignment_id).join(User, User.id == Progress.employee_id)
        .where(Assignment.unassigned_at.is_(None), *_people(filters)).group_by(Progress.module_id)
    ):
        if module_id in modules:
            modules[module_id].assigned = people

    _add_rubrics(values, filters)
    _add_questions(values, filters)
    for value in values.values():
        value.staff = staff
    references = {ref.key: ref for ref in db.session.scalars(select(Reference).where(Reference.archived_at.is_(None)))}
    return Evidence(filters, staff, list(values.values()), references)


def _live_postings(filters: ReportFilters) -> list:
    """Postings that have been published (open or closed), not archived, at the site."""
    conditions = [Posting.archived_at.is_(None), Posting.status != PostingStatus.DRAFT]
    if filters.site_id:
        conditions.append(Posting.site_id == filters.site_id)
    return conditions


def _add_rubrics(values: dict[int, ValueEvidence], filters: ReportFilters) -> None:
    """Rubric templates, and the rubrics of published postings at the site, with a criterion on each value."""
    posting_conditions = [Posting.rubric_id == Rubric.id, *_live_postings(filters)]
    uses: dict[tuple[int, int], RubricUse] = {}
    for value_id, rubric_id, name, template, posting in db.session.execute(
        select(Criterion.value_id, Rubric.id, Rubric.name, Rubric.is_template, Posting.title)
        .join(Rubric, Rubric.id == Criterion.rubric_id)
        .outerjoin(Posting, and_(*posting_conditions))
        .where(Criterion.archived_at.is_(None), Rubric.archived_at.is_(None))
        .distinct()
        .order_by(Criterion.value_id, Rubric.is_template.desc(), Rubric.name, Rubric.id, Posting.title)
    ):
        if value_id not in values or not (template or posting):
            continue  # a posting rubric counts through a published posting at the site
        use = uses.get((value_id, rubric_id))
        if use is None:
            use = uses[value_id, rubric_id] = RubricUse(name, template)
            values[value_id].rubrics.append(use)
        if posting and posting not in use.postings:
            use.postings.append(posting)


def _add_questions(values: dict[int, ValueEvidence], filters: ReportFilters) -> None:
    """The bank's current questions on each value, and how often published postings' kits ask them."""
    for value_id, text in db.session.execute(
        select(Question.value_id, Question.text).where(Question.archived_at.is_(None))
        .order_by(Question.value_id, Question.id)
    ):
        if value_id in values:
            values[value_id].questions.append(text)
    kits = _live_postings(filters)
    for value_id, uses in db.session.execute(
        select(Question.value_id, func.count(KitItem.id)).join(KitItem, KitItem.question_id == Question.id)
        .join(Posting, Posting.id == KitItem.posting_id).where(*kits).group_by(Question.value_id)
    ):
        if value_id in values:
            values[value_id].kit_uses = uses

