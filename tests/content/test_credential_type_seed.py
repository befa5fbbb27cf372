"""The shipped credential types: validated like the rest of the library, added once, never put back over HR's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import AuditEvent, CredentialType
from tests.content.test_library import SEEDS, assert_refused, edit_yaml, load
from tests.helpers import count

FILE = "credential-types.yaml"


@pytest.fixture
def library_copy(tmp_path) -> Path:
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


def types(db) -> dict[str, CredentialType]:
    return {row.name: row for row in db.session.scalars(select(CredentialType))}


def test_seed_loads_every_credential_type_with_its_families_and_renewal(runner, db):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "credential types: 14 new" in result.output
    loaded = types(db)
    assert len(loaded) == 14
    rn = loaded["State licence, registered nurse (RN)"]
    assert (rn.role_families, rn.primary_source_required, rn.renewal_months) == (["nurse-care-manager"], True, 24)
    bls = loaded["Basic life support (BLS/CPR)"]
    assert bls.primary_source_required is False
    assert "medical-assistant" in bls.role_families


def test_seeding_twice_changes_nothing_the_second_time(runner, db, library_copy):
    assert load(runner, library_copy).exit_code == 0
    before = {name: (t.id, t.role_families, t.renewal_months) for name, t in types(db).items()}
    events = count(db, AuditEvent)
    second = load(runner, library_copy)
    assert second.exit_code == 0, second.output
    assert "up to date" in second.output
    db.session.expire_all()
    assert {name: (t.id, t.role_families, t.renewal_months) for name, t in types(db).items()} == before
    assert count(db, AuditEvent) == events


def test_seed_leaves_a_type_hr_changed_or_archived_as_it_is(runner, db, library_copy):
    assert load(runner, library_copy).exit_code == 0
    kept = types(db)
    kept["DEA registration"].renewal_months = 12
    kept["Driver's licence (outreach)"].archive()
    db.session.commit()
    result = load(runner, library_copy)
    assert "up to date" in result.output, result.output
    db.session.expire_all()
    again = types(db)
    assert again["DEA registration"].renewal_months == 12
    assert again["Driver's licence (outreach)"].archived_at is not None


def test_a_seed_folder_without_credential_types_still_loads(runner, db, library_copy):
    (library_copy / FILE).unlink()
    result = load(runner, library_copy)
    assert result.exit_code == 0, result.output
    assert count(db, CredentialType) == 0


def test_seed_check_counts_the_credential_types(runner):
    result = runner.invoke(args=["seed", "--check"])
    assert result.exit_code == 0, result.output
    assert "14 credential types" in result.output


def test_an_unknown_role_family_is_refused_and_nothing_loads(runner, db, library_copy):
    edit_yaml(library_copy / FILE, lambda data: data["types"][0].update(role_families=["surgeon"]))
    assert_refused(load(runner, library_copy), FILE, "role_families")
    assert count(db, CredentialType) == 0


def test_a_type_named_twice_is_refused(runner, library_copy):
    edit_yaml(library_copy / FILE, lambda data: data["types"].append(dict(data["types"][0])))
    assert_refused(load(runner, library_copy), "used more than once")


def test_a_renewal_period_of_zero_months_is_refused(runner, library_copy):
    edit_yaml(library_copy / FILE, lambda data: data["types"][0].update(renewal_months=0))
    assert_refused(load(runner, library_copy), "renewal_months")
