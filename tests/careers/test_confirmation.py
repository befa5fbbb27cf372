"""A new applicant gets one confirmation e-mail through the outbox; a resubmission gets none."""

from __future__ import annotations

from sqlalchemy import select

from app.models import AuditEvent, OutboxMessage
from tests.careers.test_routes import form
from tests.careers.test_services import apply


def confirmations(db):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "application.confirmation")).all()


def test_new_application_queues_one_confirmation_to_the_applicant(db, posting):
    application, _ = apply(posting)
    (message,) = confirmations(db)
    assert message.recipient == "ana@example.org"
    assert posting.title in message.subject
    assert "Ana Applicant" in message.body
    assert message.dedupe_key == f"application.confirmation:{application.id}"


def test_resubmission_queues_no_second_confirmation(db, posting):
    apply(posting)
    apply(posting, name="Someone Else")
    assert len(confirmations(db)) == 1


def test_applying_on_the_careers_page_sends_the_confirmation_over_smtp(
    client, db, posting, resume_dir, smtp_config, smtp_server
):
    inbox, controller = smtp_server()
    smtp_config(controller.port)
    client.post(f"/careers/{posting.id}", data=form(email="ana@example.org"))
    ((recipients, message),) = inbox.messages
    assert recipients == ["ana@example.org"]
    assert posting.title in message["Subject"]


def test_queued_confirmation_is_in_the_audit_log(db, posting):
    application, _ = apply(posting)
    apply(posting, name="Someone Else")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.confirmation_queued")).all()
    assert [(event.entity_type, event.entity_id) for event in events] == [("application", application.id)]
    assert events[0].after == {"recipient": "ana@example.org"}
