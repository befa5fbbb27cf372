"""Offers: writing a version, approving it (never by its author), sending the letter, and the candidate's answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import func, select

from app.audit import acting_as, record
from app.careers import links
from app.extensions import db
from app.hiring import candidate_messages, offer_letters
from app.hiring.pipeline_services import move_stage
from app.models import Application, EmploymentType, Offer, OfferStatus, PayPeriod, Role, Stage, User, utcnow

log = logging.getLogger(__name__)

OFFER_KIND = candidate_messages.OFFER
APPROVERS = (Role.HR, Role.ADMIN)
CLOSED = (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN)
STATUS_LABELS = {
    OfferStatus.DRAFT: "Not sent",
    OfferStatus.SENT: "Sent, awaiting the answer",
    OfferStatus.ACCEPTED: "Accepted",
    OfferStatus.DECLINED: "Declined",
    OfferStatus.SUPERSEDED: "Replaced by a later version",
}
RESPOND_LINE = "To accept or decline this offer, open this link (it works once, until {expires}):"


class OfferError(Exception):
    """An offer step that cannot be taken, with a message the person can act on."""


@dataclass(frozen=True)
class Terms:
    """What HR writes on an offer."""

    title: str
    start_date: date
    pay_cents: int
    pay_period: PayPeriod
    employment_type: EmploymentType
    expires_on: date


def approval_required() -> bool:
    return bool(current_app.config.get("OFFER_APPROVAL", True))


def needs_approval(offer: Offer) -> bool:
    return approval_required() and offer.approved_at is None


def versions(application: Application) -> list[Offer]:
    """Every version of the application's offer, newest first."""
    return list(db.session.scalars(select(Offer).where(Offer.application_id == application.id)
                                   .order_by(Offer.version.desc())))


def accepted_offer(application: Application) -> Offer | None:
    return db.session.scalar(select(Offer).where(Offer.application_id == application.id,
                                                 Offer.status == OfferStatus.ACCEPTED)
                             .order_by(Offer.version.desc()).limit(1))


def _locked(model, row):
    """Re-read a row under a lock, so a second click or a second HR user waits and then sees what the first did."""
    return db.session.scalars(select(model).where(model.id == row.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def hire_defaults(application: Application) -> dict:
    """What the hire form starts from once the candidate accepted: the offer's start date."""
    accepted = accepted_offer(application)
    return {"start_date": accepted.start_date} if accepted else {}


def _open_application(application: Application) -> None:
    if application.archived or application.posting.archived:
        raise OfferError(f"{application.name}'s application is archived, so it cannot have an offer.")
    if application.stage in CLOSED:
        raise OfferError(f"{application.name}'s application is {application.stage.value}, so no offer can be made "
                         "or sent on it.")


def _check_terms(terms: Terms, today: date) -> None:
    if not terms.title.strip():
        raise OfferError("Give the job title the offer is for.")
    if terms.pay_cents <= 0:
        raise OfferError("Enter the pay: an amount more than zero.")
    if terms.expires_on < today:
        raise OfferError(f"The expiry date {terms.expires_on:%b %-d, %Y} has passed: give the candidate a day "
                         "from today on to answer.")
    if terms.start_date < today:
        raise OfferError("The start date is in the past: choose today or a later day.")
    if terms.expires_on > terms.start_date:
        raise OfferError("The offer must expire on or before the start date, so the answer comes before day one.")


def make_offer(application: Application, terms: Terms, *, actor: User, today: date) -> Offer:
    """Write a new version of the application's offer; earlier versions not yet answered are replaced (kept, never
    edited), so their links stop working."""
    application = _locked(Application, application)  # two versions written at once wait for each other
    _open_application(application)
    _check_terms(terms, today)
    accepted = accepted_offer(application)
    if accepted is not None:
        raise OfferError(f"{application.name} accepted version {accepted.version} of the offer; hire them rather "
                         "than writing another.")
    version = (db.session.scalar(select(func.max(Offer.version)).where(Offer.application_id == application.id))
               or 0) + 1
    with acting_as(db.session, actor.id):
        for earlier in db.session.scalars(select(Offer).where(
                Offer.application_id == application.id,
                Offer.status.in_((OfferStatus.DRAFT, OfferStatus.SENT)))):
            earlier.status = OfferStatus.SUPERSEDED
        offer = Offer(application_id=application.id, version=version, title=terms.title.strip(),
                      start_date=terms.start_date, pay_cents=terms.pay_cents, pay_period=terms.pay_period,
                      employment_type=terms.employment_type, expires_on=terms.expires_on, created_by_id=actor.id)
        db.session.add(offer)
        db.session.flush()
        record(db.session, "offer.written", offer, application_id=application.id, version=version)
        db.session.flush()
    log.info("offer %s (v%s) written on application %s by %s", offer.id, version, application.id, actor.id)
    return offer


def approve_offer(offer: Offer, *, actor: User) -> Offer:
    """Approve a version before it is sent: a second HR user or an admin, never the one who wrote it."""
    if actor.role not in APPROVERS:
        raise OfferError("Only HR or an admin can approve an offer.")
    offer = _locked(Offer, offer)
    if offer.status is not OfferStatus.DRAFT:
        raise OfferError(f"Version {offer.version} is {STATUS_LABELS[offer.status].lower()}; only an offer not yet "
                         "sent can be approved.")
    if offer.approved_at is not None:
        raise OfferError(f"Version {offer.version} is already approved.")
    if offer.created_by_id == actor.id:
        raise OfferError("You wrote this offer, so another HR user or an admin must approve it.")
    with acting_as(db.session, actor.id):
        offer.approved_by_id, offer.approved_at = actor.id, utcnow()
        record(db.session, "offer.approved", offer, application_id=offer.application_id, version=offer.version)
        db.session.flush()
    log.info("offer %s approved by %s", offer.id, actor.id)
    return offer


def letter_html(offer: Offer, respond_url: str | None = None) -> str:
    """The HTML e-mail: the letter as sent (escaped paragraphs) and the answer link."""
    parts = [offer_letters.as_html(offer.letter_text)]
    if respond_url:
        parts.append(Markup('<p><a href="{url}">Accept or decline this offer</a> (the link works once, until '
                            '{expires}).</p>').format(url=respond_url,
                                                      expires=offer_letters.long_date(offer.expires_on)))
    if respond_url and offer.application.stage not in CLOSED:  # as the plain text ends (queue_candidate_message)
        parts.append(Markup('<p style="font-size: .9em;">{footer} <a href="{url}">Withdraw my application</a></p>')
                     .format(footer=candidate_messages.WITHDRAW_FOOTER,
                             url=links.withdraw_url(offer.application)))
    body = Markup("\n").join(parts)
    return str(Markup('<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{subject}</title></head>'
                      '<body style="font-family: Georgia, serif; line-height: 1.5; max-width: 40rem;">\n{body}\n'
                      '</body></html>\n').format(subject=escape(offer.letter_subject), body=body))


def send_offer(offer: Offer, *, actor: User, today: date) -> Offer:
    """Send an approved (or, with approval off, any) current version as a letter; the application moves to offer."""
    offer = _locked(Offer, offer)
    application = offer.application
    _open_application(application)
    if offer.status is not OfferStatus.DRAFT:
        raise OfferError(f"Version {offer.version} is {STATUS_LABELS[offer.status].lower()}; a sent offer is never "
                         "sent or changed again: write a revised offer instead.")
    if needs_approval(offer):
        raise OfferError("This offer needs approval by another HR user or an admin before it can be sent.")
    if offer.expires_on < today:
        raise OfferError(f"Version {offer.version} expired on {offer.expires_on:%b %-d, %Y}; write a revised offer "
                         "with a later expiry date.")
    with acting_as(db.session, actor.id):
        offer.letter_subject, offer.letter_text = offer_letters.compose(offer)
        offer.status, offer.sent_at, offer.sent_by_id = OfferStatus.SENT, utcnow(), actor.id
        db.session.flush()
        if application.stage is not Stage.OFFER:
            move_stage(application, Stage.OFFER, actor=actor, reason=f"Offer version {offer.version} sent.")
        url = links.offer_url(offer)
        expires = offer_letters.long_date(offer.expires_on)
        body = f"{offer.letter_text}\n\n{RESPOND_LINE.format(expires=expires)}\n\n{url}\n"
        candidate_messages.queue_candidate_message(
            application, kind=OFFER_KIND, subject=offer.letter_subject, body=body,
            html_body=letter_html(offer, url), occasion=f"v{offer.version}")
        record(db.session, "offer.sent", offer, application_id=application.id, version=offer.version,
               approved_by_id=offer.approved_by_id)
        db.session.flush()
    log.info("offer %s sent to application %s by %s", offer.id, application.id, actor.id)
    return offer


def answer_offer(token: str, *, accept: bool, today: date) -> Offer:
    """The candidate accepts or declines the version their link names, once; links.InvalidLink changes nothing."""
    offer = links.offer_for_link(token, today=today)
    links.use_up(offer.application, links.offer_purpose(offer), links.OFFER_ANSWERED)
    with acting_as(db.session, None):
        offer.status = OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED
        offer.responded_at = utcnow()
        record(db.session, "offer.accepted" if accept else "offer.declined", offer,
               application_id=offer.application_id, version=offer.version, start_date=offer.start_date)
        db.session.flush()
    log.info("offer %s %s by the candidate", offer.id, "accepted" if accept else "declined")
    return offer
