"""The accept/decline link in an offer letter: once, until the offer's expiry, only for the newest version,
never for another application; forged and expired links get a clear page and change nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.careers import links
from app.hiring import offer_services as offers
from app.models import AuditEvent, CandidateLinkUse, OfferStatus, OutboxMessage, Stage
from config import TestingConfig
from tests.conftest import csrf_token
from tests.helpers import text
from tests.offers.conftest import TODAY, terms


def link_path(db, offer) -> str:
    """The answer link's path as it stands in the offer e-mail of this version."""
    body = db.session.scalar(select(OutboxMessage.body).where(
        OutboxMessage.dedupe_key == f"{offers.OFFER_KIND}:{offer.application_id}:v{offer.version}"))
    (url,) = re.findall(r"https?://\S+/careers/offer/\S+", body)
    return url[url.index("/careers/"):]


def answer(client, path, button="accept"):
    return client.post(path, data={"csrf_token": csrf_token(client.get(path)), button: "1"})


def test_the_link_shows_only_its_own_offer(client, db, application, other_application, sent_offer):
    mine, theirs = sent_offer(), sent_offer(other_application, title="Front desk lead")
    page = text(client.get(link_path(db, mine)))
    assert "Dear Rosa Diaz" in page and "Accept this offer" in page
    assert "Bo Bradley" not in page and "Front desk lead" not in page
    assert mine.status is OfferStatus.SENT and theirs.status is OfferStatus.SENT  # opening changes nothing


def test_accepting_records_it_once_with_an_audit_entry(client, db, application, sent_offer, csrf_on):
    offer = sent_offer()
    path = link_path(db, offer)
    response = answer(client, path)
    assert "Thank you: you accepted the offer" in text(response)
    db.session.expire_all()
    assert offer.status is OfferStatus.ACCEPTED and offer.responded_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "offer.accepted"))
    assert (event.entity_id, event.actor_id, event.after["start_date"]) == (
        offer.id, None, offer.start_date.isoformat())
    assert application.stage is Stage.OFFER  # HR hires; accepting does not


def test_a_used_link_gets_a_clear_page_and_changes_nothing(client, db, sent_offer):
    offer = sent_offer()
    path = link_path(db, offer)
    client.post(path, data={"accept": "1"})
    for again in (client.get(path), client.post(path, data={"accept": "1"}), client.post(path, data={"decline": "1"})):
        assert again.status_code == 400 and "This link has already been used" in text(again)
    db.session.expire_all()
    assert offer.status is OfferStatus.ACCEPTED
    assert len(db.session.scalars(select(CandidateLinkUse)).all()) == 1


def test_declining_records_it(client, db, application, sent_offer):
    offer = sent_offer()
    response = client.post(link_path(db, offer), data={"decline": "1"})
    assert "You declined the offer" in text(response)
    db.session.expire_all()
    assert offer.status is OfferStatus.DECLINED
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "offer.declined"))


def test_pressing_neither_button_changes_nothing(client, db, sent_offer):
    offer = sent_offer()
    response = client.post(link_path(db, offer), data={})
    assert "Choose Accept this offer or Decline this offer." in text(response)
    db.session.expire_all()
    assert offer.status is OfferStatus.SENT and db.session.scalars(select(CandidateLinkUse)).all() == []


def test_the_link_is_refused_after_the_offers_expiry(db, sent_offer):
    offer = sent_offer()
    token = links.offer_token(offer)
    assert links.offer_for_link(token, today=offer.expires_on) == offer  # the last day still counts
    with pytest.raises(links.InvalidLink, match="open until"):
        offers.answer_offer(token, accept=True, today=offer.expires_on + timedelta(days=1))
    assert offer.status is OfferStatus.SENT and db.session.scalars(select(CandidateLinkUse)).all() == []


def test_an_expired_signature_gets_a_clear_page(app, client, db, sent_offer, monkeypatch):
    offer = sent_offer()
    monkeypatch.setitem(app.config, "CANDIDATE_LINK_MAX_AGE", -1)
    response = client.post(link_path(db, offer), data={"accept": "1"})
    assert response.status_code == 400 and "This link has expired" in text(response)
    db.session.expire_all()
    assert offer.status is OfferStatus.SENT


def test_the_link_of_an_older_version_is_refused_once_a_newer_one_exists(client, db, application, people,
                                                                           sent_offer):
    first = sent_offer()
    path = link_path(db, first)
    offers.make_offer(application, terms(pay_cents=2600), actor=people["harper"], today=TODAY)  # not even sent yet
    response = client.post(path, data={"accept": "1"})
    assert response.status_code == 400 and "This offer has been replaced" in text(response)
    db.session.expire_all()
    assert first.status is OfferStatus.SUPERSEDED


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, mine, theirs: token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"),
        lambda token, mine, theirs: URLSafeTimedSerializer("not the secret", salt=links.OFFER).dumps(
            {"a": theirs.application_id, "o": theirs.id}),
        lambda token, mine, theirs: links.link_token(theirs.application, links.WITHDRAW),  # another purpose
        # A real signature, but naming one application and another application's offer.
        lambda token, mine, theirs: URLSafeTimedSerializer(TestingConfig.SECRET_KEY, salt=links.OFFER).dumps(
            {"a": mine.application_id, "o": theirs.id}),
    ],
    ids=["tampered", "another key", "another purpose", "another application's offer"],
)
def test_a_forged_link_gets_a_clear_page_and_changes_nothing(client, db, other_application, sent_offer, forge):
    mine, theirs = sent_offer(), sent_offer(other_application, title="Front desk lead")
    path = f"/careers/offer/{forge(links.offer_token(mine), mine, theirs)}"
    for response in (client.get(path), client.post(path, data={"accept": "1"})):
        assert response.status_code == 400 and "This link is not valid" in text(response)
        assert "Bo Bradley" not in text(response) and "Front desk lead" not in text(response)
    db.session.expire_all()
    assert (mine.status, theirs.status) == (OfferStatus.SENT, OfferStatus.SENT)
    assert db.session.scalars(select(CandidateLinkUse)).all() == []


def test_a_link_to_an_unsent_offer_is_not_valid(db, application, people):
    draft = offers.make_offer(application, terms(), actor=people["hana"], today=TODAY)
    with pytest.raises(links.InvalidLink) as refused:
        links.offer_for_link(links.offer_token(draft), today=TODAY)
    assert refused.value.title == "This link is not valid"


def test_a_withdrawn_application_cannot_accept(db, application, sent_offer):
    offer = sent_offer()
    links.withdraw(links.link_token(application))
    with pytest.raises(links.InvalidLink, match="no longer considering"):
        offers.answer_offer(links.offer_token(offer), accept=True, today=TODAY)
    assert offer.status is OfferStatus.SENT
