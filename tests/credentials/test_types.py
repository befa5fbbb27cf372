"""HR edits the credential types: adds, edits, archives and restores them, audited, never deleted; the seed keeps
HR's edits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.credentials.catalog import archive_type, restore_type, save_type
from app.credentials.services import CredentialError, active_types
from app.models import AuditEvent, CredentialType, Role
from tests.content.test_library import SEEDS, load
from tests.helpers import text

FIELDS = {"role_families": ["nurse-care-manager"], "primary_source_required": True, "renewal_months": 24}


def audit_actions(db, kind) -> list[str]:
    """The audit trail of a type, without the listener's field-level create and update rows."""
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "credential_type", AuditEvent.entity_id == kind.id,
                   AuditEvent.action.like("credential_type.%"),
                   AuditEvent.action.not_in(["credential_type.created", "credential_type.updated"]))
            .order_by(AuditEvent.id)
        )
    )


# Services ------------------------------------------------------------------------------------------
def test_hr_adds_a_type_with_its_rules_and_an_audit_entry(db, make_user):
    hr = make_user(Role.HR)
    kind = save_type(None, name="  State licence,  LPN ", actor=hr, **FIELDS)
    stored = db.session.get(CredentialType, kind.id)
    assert (stored.name, stored.role_families, stored.primary_source_required, stored.renewal_months) == (
        "State licence, LPN", ["nurse-care-manager"], True, 24)
    assert stored.seed_name is None
    assert audit_actions(db, kind) == ["credential_type.added"]
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "credential_type.added")) == hr.id


def test_an_edit_changes_the_type_and_is_audited(db, make_user, kinds):
    hr = make_user(Role.HR)
    save_type(kinds["bls"], name="BLS/CPR", role_families=["medical-assistant", "front-desk"],
              primary_source_required=False, renewal_months=None, actor=hr)
    db.session.expire_all()
    stored = db.session.get(CredentialType, kinds["bls"].id)
    assert (stored.name, stored.role_families, stored.renewal_months) == (
        "BLS/CPR", ["front-desk", "medical-assistant"], None)
    assert audit_actions(db, stored) == ["credential_type.changed"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "Give the credential type a name"),
        ({"name": "rn LICENCE"}, "already a credential type called rn LICENCE"),
        ({"role_families": ["surgeon"]}, "Unknown role family: surgeon"),
        ({"renewal_months": 0}, "from 1 to 120"),
        ({"renewal_months": 121}, "from 1 to 120"),
    ],
)
def test_a_bad_type_is_refused_with_the_reason_and_changes_nothing(db, make_user, kinds, fields, message):
    hr = make_user(Role.HR)
    values = {"name": "BLS", **FIELDS} | fields
    with pytest.raises(CredentialError, match=message):
        save_type(kinds["bls"], actor=hr, **values)
    db.session.expire_all()
    assert db.session.get(CredentialType, kinds["bls"].id).name == "BLS"


def test_archiving_stops_offering_a_type_and_restoring_brings_it_back(db, make_user, kinds):
    hr = make_user(Role.HR)
    archive_type(kinds["acls"], actor=hr)
    assert kinds["acls"] not in active_types()
    with pytest.raises(CredentialError, match="already archived"):
        archive_type(kinds["acls"], actor=hr)
    restore_type(kinds["acls"], actor=hr)
    assert kinds["acls"] in active_types()
    with pytest.raises(CredentialError, match="in use already"):
        restore_type(kinds["acls"], actor=hr)
    assert audit_actions(db, kinds["acls"]) == ["credential_type.archived", "credential_type.restored"]


def test_a_type_is_never_hard_deleted(db, kinds):
    db.session.delete(kinds["bls"])
    with pytest.raises(RuntimeError, match="never deleted"):
        db.session.flush()


# The seed keeps what HR changed --------------------------------------------------------------------
def test_seed_keeps_a_type_hr_renamed_and_edited_and_adds_nothing_back(runner, db, make_user, tmp_path):
    seeds = Path(shutil.copytree(SEEDS, tmp_path / "seeds"))
    assert load(runner, seeds).exit_code == 0
    hr = make_user(Role.HR)
    dea = db.session.scalar(select(CredentialType).where(CredentialType.name == "DEA registration"))
    save_type(dea, name="DEA controlled-substance registration", role_families=["primary-care-provider"],
              primary_source_required=True, renewal_months=36, actor=hr)
    archive_type(db.session.scalar(select(CredentialType).where(CredentialType.name.like("Driver%"))), actor=hr)
    db.session.commit()
    before = {kind.id: (kind.name, kind.role_families, kind.renewal_months, kind.archived_at)
              for kind in db.session.scalars(select(CredentialType))}
    result = load(runner, seeds)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    after = {kind.id: (kind.name, kind.role_families, kind.renewal_months, kind.archived_at)
             for kind in db.session.scalars(select(CredentialType))}
    assert after == before
    assert after[dea.id][:3] == ("DEA controlled-substance registration", ["primary-care-provider"], 36)


def test_seed_adds_a_shipped_type_hr_never_had(runner, db, tmp_path):
    seeds = Path(shutil.copytree(SEEDS, tmp_path / "seeds"))
    assert load(runner, seeds).exit_code == 0
    count = len(list(db.session.scalars(select(CredentialType))))
    text_file = seeds / "credential-types.yaml"
    text_file.write_text(text_file.read_text() + (
        "  - name: Phlebotomy certificate\n    role_families: [medical-assistant]\n    primary_source: false\n"
        "    renewal_months: 24\n"), encoding="utf-8")
    assert load(runner, seeds).exit_code == 0
    added = db.session.scalar(select(CredentialType).where(CredentialType.name == "Phlebotomy certificate"))
    assert added is not None and added.seed_name == "Phlebotomy certificate"
    assert len(list(db.session.scalars(select(CredentialType)))) == count + 1


# Pages ---------------------------------------------------------------------------------------------
def test_hr_sees_types_in_use_and_archived(client, db, login_as, kinds):
    hr = login_as(Role.HR)
    archive_type(kinds["acls"], actor=hr)
    db.session.commit()
    page = text(client.get("/credentials/types"))
    assert "RN licence" in page and "Primary source" in page and "Every 24 months" in page
    assert "Registered nurse / care manager" in page
    archived = page.split("Archived", 1)[1]
    assert "ACLS card" in archived and "Restore" in archived


def test_an_empty_list_says_how_to_start(client, login_as):
    login_as(Role.HR)
    assert "No credential types are in use" in text(client.get("/credentials/types"))


def test_hr_adds_a_type_through_the_form(client, db, login_as):
    login_as(Role.HR)
    page = text(client.post("/credentials/types/new", data={
        "name": "CLIA competency", "role_families": ["medical-assistant", "nurse-care-manager"],
        "renewal_months": "12"}, follow_redirects=True))
    assert "CLIA competency added" in page
    kind = db.session.scalar(select(CredentialType).where(CredentialType.name == "CLIA competency"))
    assert (kind.role_families, kind.primary_source_required, kind.renewal_months) == (
        ["medical-assistant", "nurse-care-manager"], False, 12)


def test_hr_edits_a_type_through_the_form_which_shows_its_values_first(client, db, login_as, kinds):
    login_as(Role.HR)
    form = client.get(f"/credentials/types/{kinds['rn'].id}/edit").get_data(as_text=True)
    assert 'value="RN licence"' in form and 'value="24"' in form
    page = text(client.post(f"/credentials/types/{kinds['rn'].id}/edit", data={
        "name": "RN licence (Oregon)", "role_families": ["nurse-care-manager"], "primary_source_required": "y",
        "renewal_months": "24"}, follow_redirects=True))
    assert "RN licence (Oregon) saved" in page
    db.session.expire_all()
    assert db.session.get(CredentialType, kinds["rn"].id).name == "RN licence (Oregon)"


def test_a_duplicate_name_is_refused_on_the_form_and_nothing_changes(client, db, login_as, kinds):
    login_as(Role.HR)
    page = text(client.post(f"/credentials/types/{kinds['rn'].id}/edit", data={
        "name": "BLS", "renewal_months": "24"}, follow_redirects=True))
    assert "already a credential type called BLS" in page
    db.session.expire_all()
    assert db.session.get(CredentialType, kinds["rn"].id).name == "RN licence"


def test_archiving_asks_first_and_restoring_brings_it_back(client, db, login_as, kinds):
    login_as(Role.HR)
    confirm = text(client.get(f"/credentials/types/{kinds['bls'].id}/archive"))
    assert "Archive BLS?" in confirm and "nothing is deleted" in confirm
    assert db.session.get(CredentialType, kinds["bls"].id).archived_at is None
    page = text(client.post(f"/credentials/types/{kinds['bls'].id}/archive", follow_redirects=True))
    assert "BLS archived" in page
    db.session.expire_all()
    assert db.session.get(CredentialType, kinds["bls"].id).archived_at is not None
    page = text(client.post(f"/credentials/types/{kinds['bls'].id}/restore", follow_redirects=True))
    assert "BLS restored" in page
    db.session.expire_all()
    assert db.session.get(CredentialType, kinds["bls"].id).archived_at is None


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_staff_and_managers_cannot_change_types(client, db, login_as, kinds, role):
    login_as(role)
    assert client.get("/credentials/types").status_code == 403
    assert client.post(f"/credentials/types/{kinds['bls'].id}/edit", data={"name": "X"}).status_code == 403
    assert client.post(f"/credentials/types/{kinds['bls'].id}/archive").status_code == 403
    db.session.expire_all()
    stored = db.session.get(CredentialType, kinds["bls"].id)
    assert stored.name == "BLS" and stored.archived_at is None
