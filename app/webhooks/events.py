"""The events the app emits to webhooks, one function each, called where the change happens (in the
service that makes it, inside its transaction). Payloads hold ids and the few fields a receiving system
needs to match its own records; never a candidate's free text or anything secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.extensions import db
from app.models import Application, Module, Progress, Stage, User, WebhookEvent, utcnow
from app.webhooks.delivery import emit

if TYPE_CHECKING:
    from app.credentials.reminders import Expiring


def employee_hired(application: Application, employee: User) -> None:
    """employee.hired: an applicant became an employee (new account or a linked one)."""
    emit(WebhookEvent.EMPLOYEE_HIRED, {
        "employee": {"id": employee.id, "email": employee.email, "name": employee.name,
                     "site_id": employee.site_id, "site": employee.site.name if employee.site else None,
                     "role_family": employee.role_family, "start_date": employee.start_date,
                     "manager_id": employee.manager_id},
        "application_id": application.id, "posting_id": application.posting_id,
    }, key=f"employee.hired:{application.id}")


def training_completed(progress: Progress, module: Module) -> None:
    """training.completed: an employee completed a module (attested, passed, signed off or done)."""
    employee = db.session.get(User, progress.employee_id)
    emit(WebhookEvent.TRAINING_COMPLETED, {
        "employee_id": progress.employee_id, "employee_email": employee.email if employee else None,
        "module_id": module.id, "module_title": module.title, "module_version": progress.completed_version,
        "track_id": module.track_id, "completed_at": progress.completed_at, "score": progress.best_score,
        "signed_off_by_id": progress.signed_off_by_id,
    }, key=f"training.completed:{progress.id}:{progress.completed_at.isoformat()}")


def application_stage_changed(application: Application, from_stage: Stage, to_stage: Stage) -> None:
    """application.stage_changed: an application moved in the pipeline (the reason stays in the app)."""
    emit(WebhookEvent.APPLICATION_STAGE_CHANGED, {
        "application_id": application.id, "posting_id": application.posting_id,
        "from_stage": from_stage, "to_stage": to_stage, "changed_at": utcnow(),
    })


def credential_expiring(item: Expiring) -> None:
    """credential.expiring: a license or certification expires soon. Sent by the credential notices of
    `flask reminders send`, at the same points (60, 30 and 7 days before, and on the day), once each."""
    emit(WebhookEvent.CREDENTIAL_EXPIRING, {
        "credential_id": item.credential_id, "employee_id": item.employee_id, "employee_email": item.email,
        "credential_type": item.type_name, "expires_on": item.expires_on, "days_left": item.days_left,
    }, key=f"credential.expiring:{item.credential_id}:{item.notice_day.isoformat()}")


__all__ = ["application_stage_changed", "credential_expiring", "employee_hired", "training_completed"]
