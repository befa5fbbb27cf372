"""Reading the seed files into a validated library, or refusing them with every problem named."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from app.content.schema import (
    CheckInSchedulesFile,
    CredentialTypesFile,
    ModuleSpec,
    QuestionsFile,
    ReferencesFile,
    RubricSpec,
    TrackSpec,
    ValuesFile,
)

CHECK_INS_FILE = "check-ins.yaml"
CREDENTIAL_TYPES_FILE = "credential-types.yaml"


class SeedError(Exception):
    """The library cannot be loaded; each problem names its file, item and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Library:
    """Everything in seeds/, validated and cross-referenced."""

    root: Path
    references: list = field(default_factory=list)
    values: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    rubrics: list = field(default_factory=list)
    tracks: list = field(default_factory=list)  # TrackSpec
    modules: dict[str, list[ModuleSpec]] = field(default_factory=dict)  # track key -> modules in order
    check_in_schedules: list = field(default_factory=list)  # CheckInScheduleSpec; check-ins.yaml is optional
    credential_types: list = field(default_factory=list)  # CredentialTypeSpec; credential-types.yaml is optional
    origins: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, key) -> file

    def all_modules(self) -> list[tuple[TrackSpec, ModuleSpec]]:
        return [(track, module) for track in self.tracks for module in self.modules[track.key]]


def _item_label(data: Any, loc: tuple) -> str:
    """'item <key>' for the list element a pydantic error points into, when it has a key."""
    node, parts = data, []
    for step in loc:
        if isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
            key = (node.get("key") or node.get("role_family")) if isinstance(node, dict) else None
            parts.append(f"item {key}" if key else f"item #{step + 1}")
        elif isinstance(node, dict) and step in node:
            node = node[step]
            parts.append(str(step))
        else:
            parts.append(str(step))
    return ": ".join(parts)


def _validate(model: type[BaseModel], data: Any, where: str, problems: list[str]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            path = _item_label(data, tuple(detail["loc"])) or "whole item"
            message = detail["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {path}: {message}")
        return None


def _read_yaml(path: Path, root: Path, problems: list[str]) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(f"{path.relative_to(root)}: cannot be read as YAML: {error}")
        return None
    if data is None:
        problems.append(f"{path.relative_to(root)}: the file is empty; delete it or give it content")
    return data


def _read_module(path: Path, root: Path, problems: list[str]) -> dict | None:
    """A module file: YAML front matter between '---' lines, then the Markdown lesson."""
    where = path.relative_to(root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(f"{where}: cannot be read: {error}")
        return None
    if not text.startswith("---"):
        problems.append(f"{where}: must start with a '---' line and YAML front matter")
        return None
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        problems.append(f"{where}: the front matter has no closing '---' line")
        return None
    front, body = parts[0][3:], parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError as error:
        problems.append(f"{where}: front matter is not valid YAML: {error}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{where}: front matter must be a mapping of fields")
        return None
    data["content"] = body.strip() + "\n"
    return data


def read_library(root: str | Path) -> Library:
    """Parse and validate every file under root; raise SeedError listing every problem."""
    root = Path(root)
    problems: list[str] = []
    library = Library(root=root)

    def load(path: Path, model: type[BaseModel]) -> Any:
        data = _read_yaml(path, root, problems)
        return None if data is None else _validate(model, data, str(path.relative_to(root)), problems)

    for name, model, attr, inner in (
        ("references.yaml", ReferencesFile, "references", "references"),
        ("values.yaml", ValuesFile, "values", "values"),
    ):
        path = root / name
        if not path.exists():
            problems.append(f"{name}: file is missing")
            continue
        parsed = load(path, model)
        if parsed:
            setattr(library, attr, getattr(parsed, inner))
            for item in getattr(parsed, inner):
                library.origins[(attr, getattr(item, "key", None) or item.id)] = name

    for path in sorted((root / "questions").glob("*.yaml")):
        parsed = load(path, QuestionsFile)
        if parsed:
            library.questions.extend(parsed.questions)
            for question in parsed.questions:
                library.origins[("questions", question.key)] = str(path.relative_to(root))

    for path in sorted((root / "rubrics").glob("*.yaml")):
        parsed = load(path, RubricSpec)
        if parsed:
            library.rubrics.append(parsed)
            library.origins[("rubrics", parsed.key)] = str(path.relative_to(root))
            for criterion in parsed.criteria:
                library.origins.setdefault(("criteria", criterion.key), str(path.relative_to(root)))

    for track_file in sorted((root / "tracks").glob("*/track.yaml")):
        track = load(track_file, TrackSpec)
        if not track:
            continue
        folder = track_file.parent
        library.tracks.append(track)
        library.origins[("tracks", track.key)] = str(track_file.relative_to(root))
        listed = set(track.modules)
        on_disk = {path.stem for path in folder.glob("*.md")}
        for stray in sorted(on_disk - listed):
            problems.append(f"{track_file.relative_to(root)}: modules: {stray}.md is not listed")
        modules = []
        for key in track.modules:
            path = folder / f"{key}.md"
            if not path.exists():
                problems.append(f"{track_file.relative_to(root)}: modules: {key}.md does not exist")
                continue
            data = _read_module(path, root, problems)
            module = data and _validate(ModuleSpec, data, str(path.relative_to(root)), problems)
            if module:
                if module.key != key:
                    problems.append(f"{path.relative_to(root)}: key: {module.key} does not match the file name")
                modules.append(module)
                library.origins[("modules", module.key)] = str(path.relative_to(root))
        library.modules[track.key] = modules

    def optional(name: str, model: type[BaseModel], items: str, kind: str, key: str) -> list:
        """An optional file's items, each remembered as coming from it; none when the file is absent."""
        path = root / name
        parsed = load(path, model) if path.exists() else None
        found = list(getattr(parsed, items)) if parsed else []
        for item in found:
            library.origins[(kind, getattr(item, key))] = name
        return found

    library.check_in_schedules = optional(
        CHECK_INS_FILE, CheckInSchedulesFile, "schedules", "check-in schedules", "role_family"
    )
    library.credential_types = optional(CREDENTIAL_TYPES_FILE, CredentialTypesFile, "types", "credential types", "name")

    _cross_check(library, problems)
    if problems:
        raise SeedError(problems)
    return library


def _once_each(name: str, field_name: str, keys: list[str], complaint: str, problems: list[str]) -> None:
    """One problem for each key an optional file gives more than once."""
    for key in sorted({key for key in keys if keys.count(key) > 1}):
        problems.append(f"{name}: item {key}: {field_name}: {complaint}")


def _cross_check(library: Library, problems: list[str]) -> None:
    """Keys unique, and every value, question and source a file names exists."""
    reference_ids = {reference.id for reference in library.references}
    value_keys = {value.key for value in library.values}
    question_keys = {question.key for question in library.questions}

    def origin(kind: str, key: str) -> str:
        return library.origins.get((kind, key), kind)

    def unique(kind: str, keys: list[str]) -> None:
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                problems.append(f"{origin(kind, key)}: item {key}: key: used more than once")
            seen.add(key)

    def sources(kind: str, key: str, ids: list[str]) -> None:
        for ref in ids:
            if ref not in reference_ids:
                problems.append(f"{origin(kind, key)}: item {key}: sources: unknown reference {ref!r}")

    unique("references", [reference.id for reference in library.references])
    unique("values", [value.key for value in library.values])
    unique("questions", [question.key for question in library.questions])
    unique("rubrics", [rubric.key for rubric in library.rubrics])
    unique("criteria", [c.key for rubric in library.rubrics for c in rubric.criteria])
    unique("tracks", [track.key for track in library.tracks])
    unique("modules", [module.key for _, module in library.all_modules()])
    _once_each(CHECK_INS_FILE, "role_family", [spec.role_family for spec in library.check_in_schedules],
               "has more than one schedule", problems)
    _once_each(CREDENTIAL_TYPES_FILE, "name", [spec.name for spec in library.credential_types],
               "used more than once", problems)

    for value in library.values:
        sources("values", value.key, value.sources)
    for question in library.questions:
        sources("questions", question.key, question.sources)
        if question.value not in value_keys:
            problems.append(f"{origin('questions', question.key)}: item {question.key}: value: unknown value {question.value!r}")
    for rubric in library.rubrics:
        where = origin("rubrics", rubric.key)
        for criterion in rubric.criteria:
            if criterion.value not in value_keys:
                problems.append(f"{where}: item {criterion.key}: value: unknown value {criterion.value!r}")
            for ref in criterion.sources:
                if ref not in reference_ids:
                    problems.append(f"{where}: item {criterion.key}: sources: unknown reference {ref!r}")
        for key in rubric.suggested_kit:
            if key not in question_keys:
                problems.append(f"{where}: suggested_kit: unknown question {key!r}")
    for spec in library.check_in_schedules:
        sources("check-in schedules", spec.role_family, spec.sources)
    for _, module in library.all_modules():
        sources("modules", module.key, module.sources)
        for value in module.values:
            if value not in value_keys:
                problems.append(f"{origin('modules', module.key)}: values: unknown value {value!r}")
