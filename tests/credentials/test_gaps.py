"""Credential warnings for many people at once: missing required types, expired and expiring-in-30-days ones."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Integer, bindparam, select

from app.credentials import standing
from app.credentials.gaps import EXPIRED, EXPIRING, MISSING, credential_gaps
from app.credentials.services import add_credential, archive_credential
from app.models import CredentialType, Role, RoleFamily, User

TODAY = dt.date(2026, 12, 4)


@pytest.fixture
def kinds(db):
    bls = CredentialType(name="BLS card", role_families=["nurse-care-manager", "medical-assistant"], renewal_months=24)
    rn = CredentialType(name="RN licence", role_families=["nurse-care-manager"], renewal_months=24)
    acls = CredentialType(name="ACLS card", role_families=[], renewal_months=24)
    db.session.add_all([bls, rn, acls])
    db.session.flush()
    return {"bls": bls, "rn": rn, "acls": acls}


def give(person, kind, hr, expires_on):
    return add_credential(person, kind, number="N-1", issuer="Board", issued_on=None, expires_on=expires_on, actor=hr)


def nurse(make_user, **fields):
    return make_user(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER, **fields)


def kinds_of(found, person) -> list[tuple[str, str]]:
    return [(gap.type_name, gap.kind) for gap in found[person.id].gaps] if person.id in found else []


def test_a_nurse_without_credentials_misses_each_required_type_and_front_desk_needs_none(db, make_user, kinds):
    ann = nurse(make_user)
    desk = make_user(Role.STAFF, role_family=RoleFamily.FRONT_DESK)
    nobody = make_user(Role.STAFF)  # no role family
    found = credential_gaps([ann.id, desk.id, nobody.id], TODAY)
    assert kinds_of(found, ann) == [("BLS card", MISSING), ("RN licence", MISSING)]
    assert desk.id not in found and nobody.id not in found


@pytest.mark.parametrize(("days", "kind"), [(-1, EXPIRED), (0, EXPIRING), (30, EXPIRING), (31, None), (60, None)])
def test_a_card_warns_from_30_days_before_expiry_and_is_expired_the_day_after(db, make_user, kinds, hr, days, kind):
    ann = nurse(make_user)
    give(ann, kinds["rn"], hr, TODAY + dt.timedelta(days=400))
    give(ann, kinds["bls"], hr, TODAY + dt.timedelta(days=days))
    found = credential_gaps([ann.id], TODAY)
    assert kinds_of(found, ann) == ([("BLS card", kind)] if kind else [])
    if kind:
        assert found[ann.id].gaps[0].days_left == days


def test_the_gap_texts_say_what_to_do_about_it(db, make_user, kinds, hr):
    ann = nurse(make_user)
    give(ann, kinds["bls"], hr, TODAY + dt.timedelta(days=12))
    give(ann, kinds["acls"], hr, dt.date(2026, 10, 3))
    found = credential_gaps([ann.id], TODAY)[ann.id]
    assert [gap.text for gap in found.gaps] == [
        "RN licence: none on record", "ACLS card: expired Oct 3, 2026", "BLS card: expires in 12 days"]
    assert [gap.tone for gap in found.gaps] == ["danger", "danger", "warning"]


def test_a_renewed_card_replaces_the_expired_one_and_a_credential_without_expiry_counts_as_current(
        db, make_user, kinds, hr):
    ann = nurse(make_user)
    give(ann, kinds["bls"], hr, TODAY - dt.timedelta(days=5))
    give(ann, kinds["bls"], hr, TODAY + dt.timedelta(days=700))
    give(ann, kinds["rn"], hr, TODAY - dt.timedelta(days=5))
    assert kinds_of(credential_gaps([ann.id], TODAY), ann) == [("RN licence", EXPIRED)]
    kinds["rn"].renewal_months = None  # a licence HR records without an expiry date
    give(ann, kinds["rn"], hr, None)
    assert kinds_of(credential_gaps([ann.id], TODAY), ann) == []


def test_an_archived_credential_is_not_on_record_and_an_archived_type_raises_nothing(db, make_user, kinds, hr):
    ann = nurse(make_user)
    give(ann, kinds["rn"], hr, TODAY + dt.timedelta(days=400))
    card = give(ann, kinds["bls"], hr, TODAY + dt.timedelta(days=400))
    archive_credential(card, actor=hr)
    assert kinds_of(credential_gaps([ann.id], TODAY), ann) == [("BLS card", MISSING)]
    kinds["bls"].archive()
    db.session.flush()
    assert kinds_of(credential_gaps([ann.id], TODAY), ann) == []


def test_only_active_employees_are_answered_for_and_a_select_of_ids_works(db, make_user, kinds):
    ann, gone = nurse(make_user, name="Ann Active"), nurse(make_user, name="Gil Gone")
    gone.active = False
    db.session.flush()
    found = credential_gaps(select(User.id).where(User.role_family == RoleFamily.NURSE_CARE_MANAGER), TODAY)
    assert ann.id in found and gone.id not in found
    assert found[ann.id].name == "Ann Active"


def test_a_select_built_once_with_parameters_answers_as_the_same_select_built_each_time(db, make_user, kinds, hr):
    boss = make_user(Role.MANAGER)
    mine, other = nurse(make_user, name="Mia Mine"), nurse(make_user, name="Oli Other")
    mine.manager_id = boss.id
    give(mine, kinds["bls"], hr, TODAY + dt.timedelta(days=3))
    db.session.flush()
    built_once = select(User.id).where(User.manager_id == bindparam("boss_id", type_=Integer))
    found = credential_gaps(built_once, TODAY, {"boss_id": boss.id})
    assert found == credential_gaps(select(User.id).where(User.manager_id == boss.id), TODAY)
    assert list(found) == [mine.id]
    assert kinds_of(found, mine) == [("RN licence", MISSING), ("BLS card", EXPIRING)]
    assert credential_gaps(built_once, TODAY, {"boss_id": other.id}) == {}


def test_the_answer_costs_one_statement_for_3_or_40_people(db, make_user, kinds, hr, count_queries):
    counts = {}
    people: list[User] = []
    for size in (3, 40):
        while len(people) < size:
            person = nurse(make_user)
            give(person, kinds["bls"], hr, TODAY + dt.timedelta(days=len(people) % 50))
            people.append(person)
        standing.bring_current(db.session)  # the writes' share, done at their commit in the app
        with count_queries() as statements:
            found = credential_gaps([person.id for person in people], TODAY)
        counts[size] = len(statements)
        assert len(found) == size
    assert counts == {3: 1, 40: 1}
