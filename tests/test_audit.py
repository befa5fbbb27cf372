"""The audit log records create, update and archive with the fields before and after."""

import pytest
from sqlalchemy import select

from app.audit import acting_as, record
from app.models import AuditEvent, Completion, Role, Site


def events(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_create_update_and_archive_are_recorded_with_before_and_after(db, make_user):
    admin = make_user(Role.ADMIN)
    with acting_as(db.session, admin.id):
        site = Site(name="Bayou Clinic", city="Houma")
        db.session.add(site)
        db.session.flush()
        site.city = "Thibodaux"
        db.session.flush()
        site.archive()
        db.session.flush()
    created, = events(db, "site.created")
    assert created.actor_id == admin.id and created.entity_id == site.id
    assert created.after["name"] == "Bayou Clinic" and created.before == {}
    updated, = events(db, "site.updated")
    assert updated.before == {"city": "Houma"} and updated.after == {"city": "Thibodaux"}
    archived, = events(db, "site.archived")
    assert archived.before == {"archived_at": None} and archived.after["archived_at"]


def test_unchanged_assignment_writes_no_event(db):
    site = Site(name="Quiet Clinic")
    db.session.add(site)
    db.session.flush()
    site.name = "Quiet Clinic"
    db.session.flush()
    assert events(db, "site.updated") == []


def test_secrets_are_never_written_to_the_log(db, make_user):
    user = make_user()
    user.set_password("another long password")
    db.session.flush()
    for event in events(db, "user.updated") + events(db, "user.created"):
        for snapshot in (event.before, event.after):
            for field in ("password_hash", "session_token", "calendar_token"):
                assert snapshot.get(field) in (None, "[changed]")


def test_named_workflow_events_carry_their_details(db, make_user):
    hr = make_user(Role.HR)
    with acting_as(db.session, hr.id):
        record(db.session, "posting.opened", hr, note="coverage gap accepted", reason="urgent vacancy")
        db.session.flush()
    event, = events(db, "posting.opened")
    assert event.actor_id == hr.id and event.after == {"reason": "urgent vacancy"}
    assert event.note == "coverage gap accepted"


def test_training_history_cannot_be_deleted(db, make_user):
    from app.models import Module, Track

    user = make_user()
    track = Track(name="T")
    db.session.add(track)
    db.session.flush()
    module = Module(track_id=track.id, title="M")
    db.session.add(module)
    db.session.flush()
    completion = Completion(employee_id=user.id, module_id=module.id, module_version=1)
    db.session.add(completion)
    db.session.flush()
    db.session.delete(completion)
    with pytest.raises(RuntimeError, match="never deleted"):
        db.session.flush()
