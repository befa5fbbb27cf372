"""Demo credentials: every demo clinician holds the credentials their role family requires, most of them
verified and current, some expiring within 60 or 30 days, one expired, a few not yet verified.

The new hire (newhire@demo.clinic, a medical assistant on manager@demo.clinic's team) holds a verified BLS
card that expires within 30 days, so the manager's /team and the new hire's My onboarding both show it,
and one of that manager's other clinicians holds the demo's one expired card.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from app.credentials.rules import required_for
from app.extensions import db
from app.models import CredentialType, EmployeeCredential, RoleFamily, Site, VerificationMethod, utcnow
from app.onboarding.services import add_months

STATES = {"LA": "Louisiana", "AL": "Alabama", "MS": "Mississippi", "FL": "Florida"}
EXPIRING_BLS_DAYS = 18  # the new hire's BLS card
EXPIRED_DAYS = 9  # the one expired card expired this many days ago


def _issuer(kind: CredentialType, state: str) -> tuple[str, str]:
    """The issuing body and, for primary-source verification, the lookup HR checked."""
    name = kind.name.lower()
    if "nurse" in name or "(rn)" in name or "(lpn)" in name or "(np)" in name:
        return f"{state} State Board of Nursing", f"{state} State Board of Nursing licence lookup"
    if "physician assistant" in name or "(md/do)" in name:
        return f"{state} State Board of Medical Examiners", f"{state} State Board of Medical Examiners verification"
    if "social worker" in name:
        return f"{state} Board of Social Work Examiners", f"{state} Board of Social Work Examiners lookup"
    if "dea" in name:
        return "Drug Enforcement Administration", "DEA registration validation"
    if "board certification" in name:
        return "American Board of Family Medicine", "ABFM certification verification"
    if "driver" in name:
        return f"{state} Office of Motor Vehicles", f"{state} Office of Motor Vehicles record check"
    if "clia" in name:
        return "Clinic laboratory director", "Competency assessment on file"
    if "life support" in name:
        return "American Heart Association", "AHA eCard verification"
    return f"{state} licensing board", f"{state} licensing board lookup"


def build_credentials(seed: int, staff: list[tuple[int, dict]], *, hr_id: int, newhire_id: int, manager_id: int,
                      today: date) -> int:
    """Insert the demo credentials for staff ((id, row) pairs) in one statement; returns how many."""
    kinds = list(db.session.scalars(select(CredentialType).where(CredentialType.archived_at.is_(None))))
    if not kinds:
        return 0
    rng = random.Random(seed)
    regions = {site_id: region for site_id, region in db.session.execute(select(Site.id, Site.region))}
    now = utcnow()
    rows: list[dict] = []
    expired_given = False
    for employee_id, row in staff:
        family: RoleFamily | None = row["role_family"]
        if family is None:
            continue
        state = STATES.get(regions.get(row["site_id"]) or "", "Louisiana")
        for kind in required_for(family.value, kinds):
            months = kind.renewal_months
            roll, shown = rng.random(), False
            if employee_id == newhire_id and "life support" in kind.name.lower():
                expires, shown = today + timedelta(days=EXPIRING_BLS_DAYS), True
            elif (not expired_given and months and employee_id != newhire_id
                  and row["manager_id"] == manager_id and "life support" in kind.name.lower()):
                expires, expired_given, shown = today - timedelta(days=EXPIRED_DAYS), True, True
            elif not months:
                expires = None
            elif roll < 0.04:
                expires = today + timedelta(days=rng.randint(0, 30))
            elif roll < 0.10:
                expires = today + timedelta(days=rng.randint(31, 60))
            else:
                expires = today + timedelta(days=rng.randint(61, months * 30))
            issued = add_months(expires, -months) if expires and months else today - timedelta(days=rng.randint(200, 2000))
            verified = shown or rng.random() > 0.05
            method = VerificationMethod.PRIMARY_SOURCE if kind.primary_source_required else VerificationMethod.COPY_SEEN
            issuer, lookup = _issuer(kind, state)
            rows.append({
                "employee_id": employee_id, "credential_type_id": kind.id,
                "number": f"{''.join(w[0] for w in kind.name.split() if w[0].isalpha())[:3].upper()}-"
                          f"{rng.randint(100000, 999999)}",
                "issuer": issuer, "issued_on": issued, "expires_on": expires,
                "verified_at": now if verified else None, "verified_by_id": hr_id if verified else None,
                "verification_method": method if verified else None,
                "verification_source": lookup if verified and method is VerificationMethod.PRIMARY_SOURCE else "",
                "created_at": now, "updated_at": now, "archived_at": None,
            })
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(EmployeeCredential), rows[chunk : chunk + 5000])
    return len(rows)
