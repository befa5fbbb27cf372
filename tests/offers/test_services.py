"""Offer rules: versions, approval by a second HR user or an admin (never the author), sending, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.hiring import offer_services as offers
from app.models import AuditEvent, OfferStatus, OutboxMessage, Stage, StageChange
from tests.offers.conftest import TODAY, terms

NAMED = ("offer.written", "offer.approved", "offer.sent", "offer.accepted", "offer.declined")


def actions(db, offer) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "offer", AuditEvent.entity_id == offer.id, AuditEvent.action.in_(NAMED))
        .order_by(AuditEvent.id)))


def test_the_author_cannot_approve_their_own_offer(db, application, people):
    offer = offers.make_offer(application, terms(), actor=people["hana"], today=TODAY)
    with pytest.raises(offers.OfferError, match="You wrote this offer"):
        offers.approve_offer(offer, actor=people["hana"])
    assert offer.approved_at is None and "offer.approved" not in actions(db, offer)


def test_an_unapproved_offer_cannot_be_sent(db, application, people):
    offer = offers.make_offer(application, terms(), actor=people["hana"], today=TODAY)
    with pytest.raises(offers.OfferError, match="needs approval"):
        offers.send_offer(offer, actor=people["harper"], today=TODAY)
    assert offer.status is OfferStatus.DRAFT and application.stage is Stage.INTERVIEW
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == offers.OFFER_KIND)).all() == []


@pytest.mark.parametrize("approver", ["harper", "ada"])
def test_a_second_hr_user_or_an_admin_approves_and_both_steps_are_audited(db, application, people, approver):
    offer = offers.make_offer(application, terms(), actor=people["hana"], today=TODAY)
    offers.approve_offer(offer, actor=people[approver])
    assert offer.approved_by_id == people[approver].id
    offers.send_offer(offer, actor=people["hana"], today=TODAY)
    assert offer.status is OfferStatus.SENT and offer.sent_by_id == people["hana"].id
    assert actions(db, offer) == ["offer.written", "offer.approved", "offer.sent"]
    approved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "offer.approved"))
    assert approved.actor_id == people[approver].id


def test_a_manager_cannot_approve(db, application, people):
    offer = offers.make_offer(application, terms(), actor=people["hana"], today=TODAY)
    with pytest.raises(offers.OfferError, match="Only HR or an admin"):
        offers.approve_offer(offer, actor=people["mona"])


def test_with_approval_off_the_author_sends_at_once(app, db, application, people, monkeypatch):
    monkeypatch.setitem(app.config, "OFFER_APPROVAL", False)
    offer = offers.make_offer(application, terms(), actor=people["hana"], today=TODAY)
    offers.send_offer(offer, actor=people["hana"], today=TODAY)
    assert offer.status is OfferStatus.SENT and offer.approved_by_id is None


def test_sending_moves_the_application_to_offer_once_and_queues_one_letter(db, application, sent_offer):
    offer = sent_offer()
    assert application.stage is Stage.OFFER
    moves = db.session.scalars(select(StageChange).where(StageChange.application_id == application.id)).all()
    assert [(m.from_stage, m.to_stage) for m in moves] == [(Stage.INTERVIEW, Stage.OFFER)]
    (message,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == offers.OFFER_KIND)).all()
    assert message.dedupe_key == f"{offers.OFFER_KIND}:{application.id}:v1"
    assert message.recipient == "rosa@applicant.example" and "Dear Rosa Diaz" in message.body
    assert "/careers/offer/" in message.body and "/careers/offer/" in message.html_body
    assert offer.letter_text in message.body  # the letter is kept as sent


def test_a_sent_offer_is_never_sent_again(db, application, people, sent_offer):
    offer = sent_offer()
    with pytest.raises(offers.OfferError, match="never sent or changed again"):
        offers.send_offer(offer, actor=people["hana"], today=TODAY)


def test_a_revision_is_a_new_version_and_keeps_the_earlier_one(db, application, people, sent_offer):
    first = sent_offer()
    second = offers.make_offer(application, terms(pay_cents=2600), actor=people["harper"], today=TODAY)
    assert (second.version, second.pay_cents, second.status) == (2, 2600, OfferStatus.DRAFT)
    assert (first.status, first.pay_cents) == (OfferStatus.SUPERSEDED, 2450)  # kept, terms unchanged
    offers.approve_offer(second, actor=people["hana"])
    offers.send_offer(second, actor=people["harper"], today=TODAY)
    keys = db.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == offers.OFFER_KIND)
                              .order_by(OutboxMessage.id)).all()
    assert keys == [f"{offers.OFFER_KIND}:{application.id}:v1", f"{offers.OFFER_KIND}:{application.id}:v2"]
    moves = db.session.scalars(select(StageChange).where(StageChange.application_id == application.id)).all()
    assert len(moves) == 1  # already at offer


def test_an_expired_offer_cannot_be_sent(db, application, people):
    offer = offers.make_offer(application, terms(), actor=people["hana"], today=TODAY)
    offers.approve_offer(offer, actor=people["harper"])
    with pytest.raises(offers.OfferError, match="expired on"):
        offers.send_offer(offer, actor=people["hana"], today=TODAY + timedelta(days=8))
    assert offer.status is OfferStatus.DRAFT


@pytest.mark.parametrize(("changes", "message"), [
    ({"expires_on": TODAY - timedelta(days=1)}, "has passed"),
    ({"start_date": TODAY - timedelta(days=1), "expires_on": TODAY - timedelta(days=1)}, "has passed"),
    ({"start_date": TODAY + timedelta(days=3)}, "expire on or before the start date"),
    ({"pay_cents": 0}, "more than zero"),
    ({"title": "   "}, "job title"),
])
def test_bad_terms_are_refused_and_nothing_is_written(db, application, people, changes, message):
    with pytest.raises(offers.OfferError, match=message):
        offers.make_offer(application, terms(**changes), actor=people["hana"], today=TODAY)
    assert offers.versions(application) == []


@pytest.mark.parametrize("stage", [Stage.REJECTED, Stage.WITHDRAWN, Stage.HIRED])
def test_a_closed_application_gets_no_offer(db, application, people, stage):
    application.stage = stage
    with pytest.raises(offers.OfferError, match="no offer can be made"):
        offers.make_offer(application, terms(), actor=people["hana"], today=TODAY)


@pytest.mark.parametrize(("value", "on"), [("false", False), ("off", False), ("0", False), ("true", True), ("", True)])
def test_offer_approval_is_read_from_the_environment(monkeypatch, value, on):
    from config import Config

    monkeypatch.setenv("OFFER_APPROVAL", value)
    assert Config().OFFER_APPROVAL is on
    monkeypatch.delenv("OFFER_APPROVAL")
    assert Config().OFFER_APPROVAL is True
