"""The shapes of the seed files, validated with pydantic so errors name the field."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KEY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Key = Field(pattern=KEY_PATTERN, max_length=80)
ROLE_FAMILY_KEYS = (
    "medical-assistant", "nurse-care-manager", "primary-care-provider", "front-desk",
    "community-health-worker", "behavioral-health-consultant", "practice-manager",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _not_blank(items: list[str]) -> list[str]:
    if any(not item.strip() for item in items):
        raise ValueError("entries must not be blank")
    return items


class ReferenceSpec(Strict):
    id: str = Key
    label: str = Field(min_length=1, max_length=200)
    source: str = Field(default="", max_length=200)


class ReferencesFile(Strict):
    references: list[ReferenceSpec]


class ValueSpec(Strict):
    key: str = Key
    name: str = Field(min_length=1, max_length=120)
    stage: str = Field(min_length=1, max_length=80)
    summary: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1)
    behaviors: list[str] = Field(min_length=3, max_length=5)
    sources: list[str] = Field(min_length=1)

    _behaviors = field_validator("behaviors")(_not_blank)


class ValuesFile(Strict):
    values: list[ValueSpec] = Field(min_length=1)


class QuestionSpec(Strict):
    key: str = Key
    value: str
    kind: Literal["behavioral", "situational"]
    text: str = Field(min_length=10)
    role_families: list[str] = Field(min_length=1)
    probes: list[str] = Field(min_length=1)
    strong_answer: str = Field(min_length=1)
    weak_answer: str = Field(min_length=1)
    sources: list[str] = Field(default_factory=list)

    _probes = field_validator("probes")(_not_blank)

    @field_validator("role_families")
    @classmethod
    def known_role_families(cls, families: list[str]) -> list[str]:
        if families == ["all"]:
            return families
        unknown = [family for family in families if family not in ROLE_FAMILY_KEYS]
        if unknown:
            raise ValueError(f"unknown role families {unknown}; use [all] or {list(ROLE_FAMILY_KEYS)}")
        return families


class QuestionsFile(Strict):
    questions: list[QuestionSpec] = Field(min_length=1)


class CriterionSpec(Strict):
    key: str = Key
    value: str
    title: str = Field(min_length=1, max_length=200)
    weight: int = Field(ge=0, le=100)
    anchors: dict[int, str]
    sources: list[str] = Field(default_factory=list)

    @field_validator("anchors")
    @classmethod
    def three_anchors(cls, anchors: dict[int, str]) -> dict[int, str]:
        if sorted(anchors) != [1, 3, 5] or any(not text.strip() for text in anchors.values()):
            raise ValueError("needs anchor text for ratings 1, 3 and 5 (and no others)")
        return anchors


class RubricSpec(Strict):
    key: str = Key
    name: str = Field(min_length=1, max_length=160)
    role_family: Literal[ROLE_FAMILY_KEYS]  # type: ignore[valid-type]
    description: str = ""
    suggested_kit: list[str] = Field(default_factory=list)
    criteria: list[CriterionSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def weights_total_100(self) -> RubricSpec:
        total = sum(criterion.weight for criterion in self.criteria)
        if total != 100:
            raise ValueError(f"criteria weights total {total}; they must total 100")
        return self


class QuizItemSpec(Strict):
    prompt: str = Field(min_length=1)
    choices: list[str] = Field(min_length=2)
    answers: list[int] = Field(min_length=1)
    explanation: str = ""

    _choices = field_validator("choices")(_not_blank)

    @model_validator(mode="after")
    def answers_point_at_choices(self) -> QuizItemSpec:
        if len(set(self.answers)) != len(self.answers):
            raise ValueError("answers lists the same choice twice")
        if any(index < 0 or index >= len(self.choices) for index in self.answers):
            raise ValueError(f"answers must be indices from 0 to {len(self.choices) - 1}")
        if len(self.answers) == len(self.choices):
            raise ValueError("every choice is marked correct; at least one must be wrong")
        return self


class ModuleSpec(Strict):
    key: str = Key
    title: str = Field(min_length=1, max_length=200)
    values: list[str] = Field(min_length=1)
    minutes: int = Field(gt=0, le=600)
    due_offset_days: int = Field(ge=0, le=730)
    method: Literal["attest", "quiz", "sign-off", "task"]
    pass_mark: int | None = Field(default=None, ge=1, le=100)
    renew_months: int | None = Field(default=None, gt=0, le=60)
    observation: str | None = None
    responsible: Literal["hr", "manager", "employee"] | None = None
    sources: list[str] = Field(default_factory=list)
    quiz: list[QuizItemSpec] = Field(default_factory=list)
    content: str = ""

    @model_validator(mode="after")
    def method_fields(self) -> ModuleSpec:
        if self.method == "quiz":
            if self.pass_mark is None:
                raise ValueError("a quiz module needs pass_mark (percent)")
            if not self.quiz:
                raise ValueError("a quiz module needs quiz items")
        elif self.quiz or self.pass_mark is not None:
            raise ValueError(f"quiz and pass_mark belong only to quiz modules, not {self.method}")
        if self.method == "sign-off" and not self.observation:
            raise ValueError("a sign-off module needs observation: what the manager must see")
        if self.method == "task" and self.responsible is None:
            raise ValueError("a task module needs responsible: hr, manager or employee")
        if not self.content.strip():
            raise ValueError("the module has no lesson text after its front matter")
        return self


class TrackSpec(Strict):
    key: str = Key
    name: str = Field(min_length=1, max_length=160)
    kind: Literal["all-staff", "role", "development"]
    role_families: list[Literal[ROLE_FAMILY_KEYS]] = Field(default_factory=list)  # type: ignore[valid-type]
    description: str = ""
    modules: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def role_tracks_name_families(self) -> TrackSpec:
        if self.kind == "role" and not self.role_families:
            raise ValueError("a role track needs role_families")
        return self


CHECK_IN_MAX_DAY = 730  # as app.onboarding.check_ins.MAX_DAY: a check-in is part of the first two years
DEFAULT_SCHEDULE = "default"


class CheckInScheduleSpec(Strict):
    role_family: Literal[(DEFAULT_SCHEDULE, *ROLE_FAMILY_KEYS)]  # type: ignore[valid-type]
    days: list[int] = Field(min_length=1)
    sources: list[str] = Field(default_factory=list)

    @field_validator("days")
    @classmethod
    def days_in_range_once_each(cls, days: list[int]) -> list[int]:
        if any(day < 1 or day > CHECK_IN_MAX_DAY for day in days):
            raise ValueError(f"check-in days are counted from the start date: use days from 1 to {CHECK_IN_MAX_DAY}")
        if len(set(days)) != len(days):
            raise ValueError("lists the same day twice")
        return sorted(days)


class CheckInSchedulesFile(Strict):
    schedules: list[CheckInScheduleSpec] = Field(min_length=1)


class CredentialTypeSpec(Strict):
    name: str = Field(min_length=1, max_length=120)
    role_families: list[Literal[ROLE_FAMILY_KEYS]] = Field(default_factory=list)  # type: ignore[valid-type]
    primary_source: bool = False
    renewal_months: int | None = Field(default=None, ge=1, le=240)


class CredentialTypesFile(Strict):
    types: list[CredentialTypeSpec] = Field(min_length=1)
