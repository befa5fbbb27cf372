"""credential_standing stays what recomputing it from the credentials gives, after every kind of change
that moves it, once the change commits; and the migration fills it as the app would."""

from __future__ import annotations

import datetime as dt

import flask_migrate
import pytest
from sqlalchemy import select

from app.credentials import standing
from app.credentials.services import add_credential, archive_credential
from app.extensions import db as appdb
from app.models import CredentialStanding, CredentialType, Role, RoleFamily, User
from tests import factories
from tests.databases import on_postgres, run_together, scratch_app

TODAY = dt.date(2026, 12, 4)


@pytest.fixture
def kinds(db):
    bls = CredentialType(name="BLS card", role_families=["nurse-care-manager", "medical-assistant"], renewal_months=24)
    rn = CredentialType(name="RN licence", role_families=["nurse-care-manager"], renewal_months=24)
    badge = CredentialType(name="Badge", role_families=["nurse-care-manager"])  # does not expire
    db.session.add_all([bls, rn, badge])
    db.session.commit()
    return {"bls": bls, "rn": rn, "badge": badge}


def kept(session) -> set[tuple[int, int, dt.date | None]]:
    return set(session.execute(select(CredentialStanding.employee_id, CredentialStanding.credential_type_id,
                                      CredentialStanding.expires_on)).tuples())


def recomputed(session) -> set[tuple[int, int, dt.date | None]]:
    everyone = list(session.scalars(select(User.id)))
    return set(session.execute(standing._rows(everyone)).tuples())  # noqa: SLF001 (the rules, run afresh)


def give(person, kind, hr, expires_on):
    return add_credential(person, kind, number="N-1", issuer="Board", issued_on=None, expires_on=expires_on, actor=hr)


def test_every_change_that_moves_a_warning_is_kept_once_it_commits(db, make_user, kinds, hr):
    ann = make_user(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
    ben = make_user(Role.STAFF, role_family=RoleFamily.FRONT_DESK)
    db.session.commit()
    assert {row for row in kept(db.session) if row[0] == ann.id} == {
        (ann.id, kinds["bls"].id, None), (ann.id, kinds["rn"].id, None), (ann.id, kinds["badge"].id, None)}
    assert not {row for row in kept(db.session) if row[0] == ben.id}

    old = give(ann, kinds["bls"], hr, TODAY + dt.timedelta(days=10))
    newer = give(ann, kinds["bls"], hr, TODAY + dt.timedelta(days=400))
    give(ann, kinds["badge"], hr, None)
    db.session.commit()
    mine = {row for row in kept(db.session) if row[0] == ann.id}
    assert mine == {(ann.id, kinds["bls"].id, TODAY + dt.timedelta(days=400)), (ann.id, kinds["rn"].id, None)}

    bls, rn, soon = kinds["bls"].id, kinds["rn"].id, TODAY + dt.timedelta(days=10)
    steps = [  # a change, and the rows after it
        (lambda: archive_credential(newer, actor=hr), {(ann.id, bls, soon), (ann.id, rn, None)}),  # older is latest
        (lambda: setattr(ann, "role_family", RoleFamily.MEDICAL_ASSISTANT), {(ann.id, bls, soon)}),  # no RN needed
        (lambda: setattr(ben, "role_family", RoleFamily.MEDICAL_ASSISTANT), {(ann.id, bls, soon), (ben.id, bls, None)}),
        (lambda: setattr(kinds["rn"], "role_families", ["medical-assistant"]),  # a type's families change
         {(ann.id, bls, soon), (ben.id, bls, None), (ann.id, rn, None), (ben.id, rn, None)}),
        (lambda: kinds["bls"].archive(), {(ann.id, rn, None), (ben.id, rn, None)}),  # an archived type warns no one
        (lambda: setattr(ann, "active", False), {(ben.id, rn, None)}),  # nor about a deactivated employee
        (lambda: setattr(ann, "active", True), {(ann.id, rn, None), (ben.id, rn, None)}),
        (lambda: kinds["bls"].restore(), {(ann.id, bls, soon), (ben.id, bls, None), (ann.id, rn, None),
                                          (ben.id, rn, None)}),
        (lambda: archive_credential(old, actor=hr), {(ann.id, bls, None), (ben.id, bls, None), (ann.id, rn, None),
                                                     (ben.id, rn, None)}),
    ]
    for step, expected in steps:
        step()
        db.session.commit()
        assert kept(db.session) == expected == recomputed(db.session)


def test_a_change_is_read_back_before_it_commits(db, make_user, kinds, hr):
    from app.credentials.gaps import credential_gaps

    ann = make_user(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
    give(ann, kinds["rn"], hr, TODAY - dt.timedelta(days=1))
    found = credential_gaps([ann.id], TODAY)[ann.id]
    assert [(gap.type_name, gap.kind) for gap in found.gaps] == [
        ("BLS card", "missing"), ("Badge", "missing"), ("RN licence", "expired")]


def test_a_rolled_back_change_leaves_nothing_to_recompute(db, make_user, kinds):
    make_user(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
    assert db.session.info.get(standing.EMPLOYEES_KEY)
    db.session.rollback()
    assert not db.session.info.get(standing.EMPLOYEES_KEY)


def test_the_migration_fills_the_rows_as_the_app_recomputes_them(tmp_path):
    from app.audit import acting_as

    with scratch_app(tmp_path, "standing_migration", migrate=False) as app, app.app_context():
        flask_migrate.upgrade(revision="c4a9e2f71b36")  # the revision before credential_standing
        with acting_as(appdb.session, None):
            bls = CredentialType(name="BLS card", role_families=["nurse-care-manager", "medical-assistant"],
                                 renewal_months=24)
            retired = CredentialType(name="Retired card", role_families=["medical-assistant"],
                                     archived_at=dt.datetime(2026, 1, 1))
            nurse = factories.UserFactory(role=Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
            assistant = factories.UserFactory(role=Role.STAFF, role_family=RoleFamily.MEDICAL_ASSISTANT)
            gone = factories.UserFactory(role=Role.STAFF, role_family=RoleFamily.MEDICAL_ASSISTANT, active=False)
            appdb.session.add_all([bls, retired])
            appdb.session.flush()
            hr = factories.UserFactory(role=Role.HR)
            appdb.session.flush()
            give(assistant, bls, hr, TODAY + dt.timedelta(days=5))
            give(assistant, bls, hr, TODAY + dt.timedelta(days=50))
            # Noted by the listener; the old schema has no table to keep them in.
            appdb.session.info.pop(standing.EMPLOYEES_KEY, None)
            appdb.session.info.pop(standing.EVERYONE_KEY, None)
            appdb.session.commit()
        ids = {"nurse": nurse.id, "assistant": assistant.id, "gone": gone.id, "bls": bls.id}
        appdb.session.remove()

        flask_migrate.upgrade()
        filled = kept(appdb.session)
        assert filled == {(ids["nurse"], ids["bls"], None), (ids["assistant"], ids["bls"], TODAY + dt.timedelta(days=50))}
        assert filled == recomputed(appdb.session)
        appdb.session.remove()


@pytest.mark.skipif(not on_postgres(), reason="row locks are only meaningful on PostgreSQL; set TEST_DATABASE_URL to run this")
def test_simultaneous_credentials_for_one_person_keep_the_standing_exact(tmp_path):
    """Each transaction recomputes the person's rows before committing; the recomputations take turns on
    the person's user row, so none fails on the other's rows or leaves a stale one."""
    kinds = 6
    with scratch_app(tmp_path, "standing_concurrency", pool_size=kinds + 2) as app:
        with app.app_context():
            from app.audit import acting_as

            with acting_as(appdb.session, None):
                types = [CredentialType(name=f"Card {n}", role_families=["nurse-care-manager"], renewal_months=12)
                         for n in range(kinds)]
                nurse = factories.UserFactory(role=Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
                hr = factories.UserFactory(role=Role.HR)
                appdb.session.add_all(types)
                appdb.session.commit()
            ids = {"nurse": nurse.id, "hr": hr.id, "types": [kind.id for kind in types]}
            assert len(kept(appdb.session)) == kinds  # every card missing
            appdb.session.remove()

        def add(index: int, start) -> None:
            person, actor = appdb.session.get(User, ids["nurse"]), appdb.session.get(User, ids["hr"])
            kind = appdb.session.get(CredentialType, ids["types"][index])
            start()
            give(person, kind, actor, TODAY + dt.timedelta(days=index + 1))
            appdb.session.commit()

        results, errors = run_together(app, kinds, add)
        assert errors == []
        with app.app_context():
            assert kept(appdb.session) == {(ids["nurse"], type_id, TODAY + dt.timedelta(days=index + 1))
                                           for index, type_id in enumerate(ids["types"])}
            assert kept(appdb.session) == recomputed(appdb.session)
            appdb.session.remove()
