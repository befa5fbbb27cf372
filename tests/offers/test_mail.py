"""The offer letter goes out once over real SMTP, as plain text with an HTML alternative."""

from __future__ import annotations

from app import mail
from app.hiring import offer_services as offers
from app.models import OutboxMessage
from tests.helpers import count


def test_the_offer_letter_is_sent_once_over_smtp_with_an_html_part(db, application, people, sent_offer,
                                                                  smtp_config, smtp_server):
    inbox, controller = smtp_server()
    smtp_config(controller.port)
    offer = sent_offer()
    db.session.commit()
    assert mail.deliver_due() == (1, 0)
    assert mail.deliver_due() == (0, 0)  # a second run sends nothing
    # Sending the same version again is refused; queueing its letter again is a no-op.
    assert offers.candidate_messages.queue_candidate_message(
        application, kind=offers.OFFER_KIND, subject="again", body="again", occasion="v1") is None
    assert count(db, OutboxMessage, OutboxMessage.kind == offers.OFFER_KIND) == 1
    ((recipients, message),) = inbox.messages
    assert recipients == ["rosa@applicant.example"]
    assert message["Subject"] == f"Your offer: {offer.title} at Demo Community Health Center"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Dear Rosa Diaz" in plain and "/careers/offer/" in plain and "/careers/withdraw/" in plain
    assert "<p>Dear Rosa Diaz,</p>" in html and "Accept or decline this offer</a>" in html
    assert "/careers/withdraw/" in html and "Withdraw my application</a>" in html
