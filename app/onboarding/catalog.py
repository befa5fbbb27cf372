"""Authoring services for tracks and modules: save, replace quiz items, archive.

Like every service they flush and never commit; the audit listener records each change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Module, QuizItem, Track, TrackKind, User, Value
from app.onboarding.services import OnboardingError


def save_track(track: Track | None, *, actor: User, name: str, kind: TrackKind, role_families: list[str],
               description: str) -> Track:
    """Create a track, or change one; names are unique among active tracks."""
    name = name.strip()
    clash = db.session.scalar(select(Track.id).where(func.lower(Track.name) == name.lower(), Track.archived_at.is_(None)))
    if clash and (track is None or clash != track.id):
        raise OnboardingError(f"A track named {name} already exists.")
    if kind is TrackKind.ROLE and not role_families:
        raise OnboardingError("A role track needs at least one role family.")
    if track is None:
        track = Track()
        db.session.add(track)
    track.name, track.kind = name, kind
    track.role_families = list(role_families)
    track.description = description.strip()
    db.session.flush()
    return track


def save_module(module: Module, *, actor: User, fields: dict[str, Any], value_ids: list[int]) -> None:
    """Copy the edited columns and the values the module builds onto a (new or existing) module."""
    for name, value in fields.items():
        setattr(module, name, value)
    module.values = list(db.session.scalars(select(Value).where(Value.id.in_(value_ids))))


def replace_quiz_items(module: Module, items: list[dict[str, Any]], *, actor: User) -> bool:
    """Archive the active quiz items and add the new ones; an unchanged quiz keeps its rows."""
    current = [{"prompt": q.prompt, "choices": q.choices, "answers": q.answers, "explanation": q.explanation}
               for q in module.quiz_items]
    if current == items:
        return False
    for item in module.quiz_items:
        item.archive()
    for position, fields in enumerate(items):
        db.session.add(QuizItem(module_id=module.id, position=position, **fields))
    db.session.flush()
    db.session.expire(module, ["quiz_items"])
    return True


def archive(row: Track | Module, *, actor: User) -> None:
    """Archive a track or module; completions already made stay on transcripts."""
    row.archive()
    db.session.flush()
