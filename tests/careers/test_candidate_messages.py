"""The e-mails written to a candidate show on HR's page of their application, and only there."""

from __future__ import annotations

from sqlalchemy import select

from app.careers import links
from app.models import OutboxMessage, OutboxStatus, Role
from tests.careers.test_services import apply
from tests.helpers import text


def test_the_application_page_lists_the_candidates_messages_with_their_delivery(
    client, db, posting, make_posting, resume_dir, login_as
):
    ana, _ = apply(posting)
    other, _ = apply(make_posting(title="Front desk lead"), name="Bo Other", email="bo@example.org")
    login_as(Role.HR)
    page = text(client.get(f"/hiring/applications/{ana.id}"))
    assert "Timeline" in page and "Confirmation of the application" in page
    assert f"We received your application: {posting.title}" in page and "Sent " in page
    assert "Front desk lead" not in page
    assert "/careers/withdraw/" not in page  # HR reads the subject, never the candidate's link

    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "ana@example.org"))
    message.status, message.sent_at = OutboxStatus.FAILED, None
    db.session.flush()
    assert "Could not be sent" in text(client.get(f"/hiring/applications/{ana.id}"))


def test_an_application_without_messages_shows_only_its_stages(client, db, posting, resume_dir, login_as):
    ana, _ = apply(posting)
    db.session.delete(db.session.scalar(select(OutboxMessage)))
    db.session.flush()
    login_as(Role.HR)
    page = text(client.get(f"/hiring/applications/{ana.id}"))
    assert "Applied, by the applicant" in page and "Confirmation of the application" not in page


def test_a_withdrawal_through_the_link_shows_the_applicant_in_the_history(client, db, posting, resume_dir, login_as):
    ana, _ = apply(posting)
    links.withdraw(links.link_token(ana))
    login_as(Role.HR)
    page = text(client.get(f"/hiring/applications/{ana.id}"))
    assert "Applied → Withdrawn" in page and links.WITHDRAW_REASON in page
    assert "by the applicant" in page and "by the system" not in page
