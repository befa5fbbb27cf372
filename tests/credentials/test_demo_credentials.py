"""flask demo gives clinicians realistic credentials: most current and verified, some expiring, one expired."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.content.library import read_library
from app.content.services import apply_library
from app.credentials.gaps import EXPIRED, EXPIRING, credential_gaps
from app.credentials.status import CredentialStatus, classify
from app.demo import build_demo
from app.models import EmployeeCredential, RoleFamily, User

TODAY = date(2026, 11, 23)


def test_demo_clinicians_hold_their_required_credentials_mostly_current_one_expired(app, db):
    apply_library(read_library(app.config["SEEDS_DIR"]))
    report = build_demo(120, "medical-home-demo", today=TODAY)
    held = list(db.session.scalars(select(EmployeeCredential)))
    assert report.credentials == len(held) > 100
    statuses = [classify(c.expires_on, c.verified, TODAY) for c in held]
    assert statuses.count(CredentialStatus.ACTIVE) > len(held) * 0.75
    assert statuses.count(CredentialStatus.EXPIRED) == 1
    assert CredentialStatus.EXPIRING_30 in statuses and CredentialStatus.EXPIRING_60 in statuses
    assert CredentialStatus.UNVERIFIED in statuses
    assert all(c.verification_source for c in held if c.verified and c.credential_type.primary_source_required)
    # Front desk and practice managers need none; nobody is given a credential their family does not require.
    families = {c.employee.role_family for c in held}
    assert RoleFamily.FRONT_DESK not in families and RoleFamily.PRACTICE_MANAGER not in families

    manager = db.session.scalar(select(User).where(User.email == "manager@demo.clinic"))
    newhire = db.session.scalar(select(User).where(User.email == "newhire@demo.clinic"))
    team = credential_gaps(select(User.id).where(User.manager_id == manager.id), TODAY)
    bls = [gap for gap in team[newhire.id].gaps if "BLS" in gap.type_name]
    assert bls and bls[0].kind == EXPIRING and bls[0].days_left <= 30
    assert any(gap.kind == EXPIRED for person in team.values() for gap in person.gaps)
    assert newhire.id in team and "credentials" in report.summary()
