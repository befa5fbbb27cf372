"""Scanned copies of credentials: checked by content and size, stored outside the web root under a random name,
replaced by archiving the old record, and given only to HR, admins and the person the credential belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app import uploads
from app.audit import acting_as, record
from app.credentials.services import CredentialError
from app.extensions import db
from app.models import CredentialScan, EmployeeCredential, Role, User

SCAN_KINDS = (uploads.PDF, uploads.PNG, uploads.JPEG)


@dataclass(frozen=True)
class CheckedScan:
    """An upload that passed the checks, not yet stored."""

    data: bytes
    kind: uploads.FileKind


def scan_limit_label() -> str:
    return uploads.size_label(current_app.config["CREDENTIAL_SCAN_MAX_BYTES"])


def check_scan(file_storage: FileStorage) -> CheckedScan:
    """The upload when it is a PDF, PNG or JPEG (by its first bytes) within the size limit; CredentialError if not."""
    limit = current_app.config["CREDENTIAL_SCAN_MAX_BYTES"]
    data = uploads.read_limited(file_storage, limit)
    if data is None:
        raise CredentialError(
            f"The scan is larger than {uploads.size_label(limit)}. Scan at a lower resolution and try again."
        )
    if not data:
        raise CredentialError("The scan file is empty. Choose the file again.")
    kind = uploads.kind_of(data, SCAN_KINDS)
    if kind is None:
        raise CredentialError(
            "The scan must be a PDF, PNG or JPEG file; this file is none of them, whatever its name says."
        )
    return CheckedScan(data, kind)


def current_scan(credential: EmployeeCredential) -> CredentialScan | None:
    """The credential's scan not archived, if it has one."""
    return db.session.scalar(
        select(CredentialScan).where(
            CredentialScan.credential_id == credential.id, CredentialScan.archived_at.is_(None)
        )
    )


def scans_by_credential(credentials: list[EmployeeCredential]) -> dict[int, CredentialScan]:
    """The current scan of each credential that has one, in one statement."""
    if not credentials:
        return {}
    return {
        scan.credential_id: scan
        for scan in db.session.scalars(
            select(CredentialScan).where(
                CredentialScan.credential_id.in_([credential.id for credential in credentials]),
                CredentialScan.archived_at.is_(None),
            )
        )
    }


def attach_scan(credential: EmployeeCredential, scan: CheckedScan, *, actor: User) -> CredentialScan:
    """Store a checked scan with the credential; a scan it already had is archived (its file is kept)."""
    if credential.archived_at is not None:
        raise CredentialError("This credential has been archived; add a new one instead.")
    previous = current_scan(credential)
    stored_name = uploads.store(current_app.config["CREDENTIAL_SCAN_DIR"], scan.data, scan.kind.extension)
    with acting_as(db.session, actor.id):
        if previous is not None:
            previous.archive()
            db.session.flush()
        row = CredentialScan(
            credential_id=credential.id,
            stored_name=stored_name,
            mimetype=scan.kind.mimetype,
            size=len(scan.data),
            uploaded_by_id=actor.id,
        )
        db.session.add(row)
        db.session.flush()
        record(
            db.session,
            "credential.scan_replaced" if previous else "credential.scan_added",
            credential,
            employee_id=credential.employee_id,
            scan_id=row.id,
            replaced_scan_id=previous.id if previous else None,
            kind=scan.kind.label,
            size=len(scan.data),
        )
        db.session.flush()
    return row


def may_see_scan(viewer: User, credential: EmployeeCredential) -> bool:
    """HR, admins and the person the credential belongs to; nobody else, not even their manager."""
    return viewer.role in (Role.HR, Role.ADMIN) or viewer.id == credential.employee_id


def scan_file(scan: CredentialScan) -> Path | None:
    """The stored file of a scan, or None when it is missing from CREDENTIAL_SCAN_DIR."""
    return uploads.stored_file(current_app.config["CREDENTIAL_SCAN_DIR"], scan.stored_name)


def download_name(credential: EmployeeCredential, scan: CredentialScan) -> str:
    extension = next((kind.extension for kind in SCAN_KINDS if kind.mimetype == scan.mimetype), "")
    return f"credential-{credential.id}-scan{extension}"
