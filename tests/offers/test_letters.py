"""The offer letter template: unknown fields and stray braces refused at save, values escaped in the HTML,
and nothing in a template is ever evaluated."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.hiring import offer_letters, offer_services
from app.models import AuditEvent, OfferLetterTemplate, OutboxMessage
from tests.offers.conftest import TODAY, terms


@pytest.mark.parametrize(("body", "message"), [
    ("Dear {name},", "{name} is not a field the letter knows"),
    ("Dear {candidate_name.__class__},", "is not a field the letter knows"),
    ("Dear {candidate_name[0]},", "is not a field the letter knows"),
    ("Dear {candidate_name!r},", "without ':' or '!'"),
    ("Pay: {pay:>40}", "without ':' or '!'"),
    ("Dear {},", "An empty {} is not a field"),
    ("Dear {candidate_name,", "A single { or } cannot stand alone"),
    ("Costs } nothing", "A single { or } cannot stand alone"),
])
def test_a_template_with_an_unknown_field_or_a_stray_brace_is_refused_and_nothing_is_saved(db, people, body,
                                                                                              message):
    with pytest.raises(offer_letters.LetterTemplateError, match=message) as refused:
        offer_letters.save(subject="Your offer", body=body, actor=people["hana"])
    assert refused.value.field == "body"
    assert db.session.scalars(select(OfferLetterTemplate)).all() == []
    assert offer_letters.current() == (offer_letters.DEFAULT_SUBJECT, offer_letters.DEFAULT_BODY)


def test_the_subject_is_checked_too(db, people):
    with pytest.raises(offer_letters.LetterTemplateError, match="{salary} is not a field") as refused:
        offer_letters.save(subject="Your {salary}", body="Dear {candidate_name},", actor=people["hana"])
    assert refused.value.field == "subject"


def test_a_saved_template_is_used_for_the_next_letter_with_an_audit_entry(db, application, people, sent_offer):
    offer_letters.save(subject="{organization}: an offer for {candidate_name}",
                       body="Hello {candidate_name},\r\n\r\n{title} from {start_date} at {pay}, {employment_type}. "
                            "Answer by {expires_on}. Braces: {{kept}}.", actor=people["hana"])
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "offer_letter.saved"))
    offer = sent_offer(pay_cents=5200000, pay_period=offer_services.PayPeriod.YEAR)
    assert offer.letter_subject == "Demo Community Health Center: an offer for Rosa Diaz"
    start, expires = offer_letters.long_date(offer.start_date), offer_letters.long_date(offer.expires_on)
    assert offer.letter_text == (f"Hello Rosa Diaz,\n\nMedical assistant from {start} at $52,000 a year, full time. "
                                 f"Answer by {expires}. Braces: {{kept}}.")


def test_a_letter_sent_keeps_its_words_when_the_template_changes(db, application, people, sent_offer):
    offer = sent_offer()
    before = offer.letter_text
    offer_letters.save(subject="New subject", body="Completely new words for {candidate_name}.", actor=people["ada"])
    assert offer.letter_text == before


def test_values_are_escaped_in_the_html_letter(db, application, people, sent_offer):
    application.name = '<script>alert("x")</script> & Co'
    sent_offer(title="<b>Lead</b> MA")
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == offer_services.OFFER_KIND))
    assert "<script>" not in message.html_body and "<b>Lead</b>" not in message.html_body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in message.html_body
    assert "&lt;b&gt;Lead&lt;/b&gt; MA" in message.html_body
    assert '<script>alert("x")</script> & Co' in message.body  # the plain text is plain


def test_filling_in_never_evaluates_anything(db, application, people):
    offer = offer_services.make_offer(application, terms(), actor=people["hana"], today=TODAY)
    mapping = offer_letters.values(offer)
    assert set(mapping) == set(offer_letters.FIELDS) and all(isinstance(v, str) for v in mapping.values())
    # Even text that never passed the save check is only looked up, never evaluated.
    assert offer_letters.fill("{title.__class__} {pay}", mapping) == "{title.__class__} $24.50 an hour"
