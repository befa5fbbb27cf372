"""Credential services: what HR records, verifies and archives, with an audit entry each and nothing deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.credentials.services import (
    CredentialError,
    add_credential,
    archive_credential,
    credentials_of,
    verify_credential,
    with_status,
)
from app.credentials.status import CredentialStatus
from app.models import AuditEvent, EmployeeCredential, Role, VerificationMethod

EXPIRES = dt.date(2027, 6, 30)


@pytest.fixture
def people(make_user):
    return {"hr": make_user(Role.HR), "nurse": make_user(Role.STAFF)}


def add(db, people, kind, **fields):
    values = {
        "number": "RN-12345",
        "issuer": "Oregon State Board of Nursing",
        "issued_on": dt.date(2025, 6, 30),
        "expires_on": EXPIRES,
    } | fields
    return add_credential(people["nurse"], kind, actor=people["hr"], **values)


def actions(db, credential) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.entity_type == "employee_credential",
                AuditEvent.entity_id == credential.id,
                AuditEvent.action.like("credential.%"),
            )
            .order_by(AuditEvent.id)
        )
    )


def test_an_added_credential_is_stored_unverified_and_audited(db, kinds, people):
    credential = add(db, people, kinds["rn"])
    stored = db.session.get(EmployeeCredential, credential.id)
    assert (stored.number, stored.issuer, stored.expires_on) == ("RN-12345", "Oregon State Board of Nursing", EXPIRES)
    assert stored.verified is False
    assert actions(db, credential) == ["credential.added"]
    assert credentials_of(people["nurse"]) == [stored]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": "  "}, "number"),
        ({"issuer": ""}, "issuing state or body"),
        ({"issued_on": dt.date(2027, 7, 1)}, "before the issue date"),
        ({"expires_on": None}, "give its expiry date"),
    ],
)
def test_an_incomplete_credential_is_refused_with_the_reason(db, kinds, people, fields, message):
    with pytest.raises(CredentialError, match=message):
        add(db, people, kinds["rn"], **fields)
    assert db.session.scalar(select(EmployeeCredential)) is None


def test_an_archived_type_cannot_be_recorded(db, kinds, people):
    kinds["bls"].archive()
    with pytest.raises(CredentialError, match="no longer in use"):
        add(db, people, kinds["bls"])


def test_verifying_records_who_when_how_and_the_source(db, kinds, people):
    credential = add(db, people, kinds["rn"])
    verify_credential(
        credential, method=VerificationMethod.PRIMARY_SOURCE, source="Oregon board licence lookup", actor=people["hr"]
    )
    stored = db.session.get(EmployeeCredential, credential.id)
    assert stored.verified_by_id == people["hr"].id and stored.verified_at is not None
    assert (stored.verification_method, stored.verification_source) == (
        VerificationMethod.PRIMARY_SOURCE,
        "Oregon board licence lookup",
    )
    assert actions(db, credential) == ["credential.added", "credential.verified"]
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "credential.verified")) == (
        people["hr"].id
    )


def test_a_type_needing_primary_source_refuses_a_copy_seen(db, kinds, people):
    credential = add(db, people, kinds["rn"])
    with pytest.raises(CredentialError, match="primary source"):
        verify_credential(credential, method=VerificationMethod.COPY_SEEN, source="", actor=people["hr"])
    assert credential.verified_at is None


def test_a_copy_seen_is_enough_for_bls_without_a_source_name(db, kinds, people):
    credential = add(db, people, kinds["bls"], number="BLS-9")
    verify_credential(credential, method=VerificationMethod.COPY_SEEN, source="", actor=people["hr"])
    assert credential.verified and credential.verification_method is VerificationMethod.COPY_SEEN


def test_primary_source_verification_names_its_source(db, kinds, people):
    credential = add(db, people, kinds["rn"])
    with pytest.raises(CredentialError, match="Name the primary source"):
        verify_credential(credential, method=VerificationMethod.PRIMARY_SOURCE, source=" ", actor=people["hr"])


def test_archiving_keeps_the_row_and_takes_it_off_the_list(db, kinds, people):
    credential = add(db, people, kinds["rn"])
    archive_credential(credential, actor=people["hr"])
    assert db.session.get(EmployeeCredential, credential.id).archived_at is not None
    assert credentials_of(people["nurse"]) == []
    assert actions(db, credential)[-1] == "credential.archived"
    with pytest.raises(CredentialError, match="already archived"):
        archive_credential(credential, actor=people["hr"])
    with pytest.raises(CredentialError, match="archived"):
        verify_credential(credential, method=VerificationMethod.PRIMARY_SOURCE, source="x", actor=people["hr"])


def test_a_credential_is_never_hard_deleted(db, kinds, people):
    credential = add(db, people, kinds["rn"])
    db.session.delete(credential)
    with pytest.raises(RuntimeError, match="never deleted"):
        db.session.flush()


def test_with_status_gives_each_credential_its_status_and_badges_in_order(db, kinds, people):
    today = dt.date(2027, 6, 1)
    verified = add(db, people, kinds["rn"])
    verify_credential(verified, method=VerificationMethod.PRIMARY_SOURCE, source="Board", actor=people["hr"])
    unverified = add(db, people, kinds["bls"], expires_on=dt.date(2029, 1, 1))
    rows = with_status([unverified, verified], today)
    assert [(row.credential, row.status) for row in rows] == [
        (unverified, CredentialStatus.UNVERIFIED),
        (verified, CredentialStatus.EXPIRING_30),
    ]
    assert [badge.label for badge in rows[1].badges] == ["expiring within 30 days"]
