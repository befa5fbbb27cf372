"""Required credentials per role family: which types apply, and which a person lacks or let expire."""

import datetime as dt

from app.credentials.rules import gaps, required_for
from app.models.credentials import CredentialType

TODAY = dt.date(2026, 12, 4)


def kinds():
    bls = CredentialType(id=1, name="BLS", role_families=["medical-assistant", "nurse-care-manager"])
    rn = CredentialType(id=2, name="RN licence", role_families=["nurse-care-manager"])
    old = CredentialType(id=3, name="Old CPR", role_families=["nurse-care-manager"])
    old.archived_at = dt.datetime(2026, 1, 1)
    return [rn, bls, old]


def test_a_role_family_requires_only_its_own_types_and_never_archived_ones():
    assert [t.name for t in required_for("nurse-care-manager", kinds())] == ["BLS", "RN licence"]
    assert [t.name for t in required_for("medical-assistant", kinds())] == ["BLS"]
    assert required_for("front-desk", kinds()) == []


def test_a_missing_and_an_expired_required_credential_are_both_reported():
    required = required_for("nurse-care-manager", kinds())
    found = gaps(required, {1: (TODAY - dt.timedelta(days=1), True)}, TODAY)
    assert [t.name for t in found["missing"]] == ["RN licence"]
    assert [t.name for t in found["expired"]] == ["BLS"]


def test_a_credential_expiring_today_is_not_yet_a_gap():
    required = required_for("medical-assistant", kinds())
    assert gaps(required, {1: (TODAY, True)}, TODAY) == {"missing": [], "expired": []}
