"""Signed links in a candidate's e-mail: withdrawing an application, and answering an offer, without an
account, each once."""

from __future__ import annotations

import logging

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import mail
from app.audit import record
from app.extensions import db
from app.hiring.pipeline_services import move_stage
from app.models import Application, CandidateLinkUse, Offer, OfferStatus, Stage

log = logging.getLogger(__name__)

WITHDRAW = "candidate-withdraw"
OFFER = "candidate-offer"  # used up per offer version: "candidate-offer:<offer id>"
CLOSED = (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN)
CHECK_WHOLE_LINK = "Nothing was changed. Check that you opened the whole link from your e-mail."
WITHDRAW_REASON = "Withdrawn by the candidate through the link in their e-mail."


class InvalidLink(Exception):
    """A link that cannot be used, with a title and a message the candidate can act on; nothing changed."""

    def __init__(self, title: str, message: str):
        super().__init__(message)
        self.title, self.message = title, message


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def link_token(application: Application, purpose: str = WITHDRAW) -> str:
    """A signed token naming this application only, good for one purpose."""
    return _serializer(purpose).dumps({"a": application.id})


def withdraw_url(application: Application) -> str:
    """The absolute withdraw link for the candidate's e-mail."""
    return mail.external_url("careers.withdraw", token=link_token(application, WITHDRAW))


def _used(application: Application, purpose: str) -> bool:
    return (
        db.session.scalar(
            select(CandidateLinkUse.id).where(
                CandidateLinkUse.application_id == application.id, CandidateLinkUse.purpose == purpose
            )
        )
        is not None
    )


def _link_data(token: str, purpose: str, *, expired: str, invalid: str = CHECK_WHOLE_LINK) -> dict:
    """What a valid, unexpired link of this purpose signed; InvalidLink (with these messages) otherwise."""
    try:
        data = _serializer(purpose).loads(token, max_age=current_app.config["CANDIDATE_LINK_MAX_AGE"])
    except SignatureExpired:
        raise InvalidLink("This link has expired", expired) from None
    except BadSignature:
        raise InvalidLink("This link is not valid", invalid) from None
    return data if isinstance(data, dict) else {}


def application_for_link(token: str, purpose: str = WITHDRAW) -> Application:
    """The open application a valid, unused, unexpired link of this purpose names; InvalidLink otherwise."""
    data = _link_data(token, purpose, expired="Nothing was changed. To withdraw your application, reply to any e-mail "
                      "from our hiring team.")
    application_id = data.get("a")
    application = db.session.get(Application, application_id) if isinstance(application_id, int) else None
    if application is None:
        raise InvalidLink("This link is not valid", "Nothing was changed. The application it was for is gone.")
    if _used(application, purpose):
        raise InvalidLink("This link has already been used", "It works once, and your application is withdrawn.")
    if application.archived or application.posting.archived or application.stage in CLOSED:
        raise InvalidLink(
            "This application is already closed",
            "Nothing was changed: the hiring team is no longer considering this application.",
        )
    return application


def withdraw(token: str) -> Application:
    """Withdraw the application the link names, through the pipeline, and use the link up; the caller commits."""
    application = application_for_link(token, WITHDRAW)
    use_up(application, WITHDRAW, "It works once, and your application is withdrawn.")
    move_stage(application, Stage.WITHDRAWN, actor=None, reason=WITHDRAW_REASON)
    record(db.session, "application.withdrawn_by_candidate", application, purpose=WITHDRAW)
    db.session.flush()
    log.info("application %s withdrawn by the candidate", application.id)
    return application


# The data-request link: what the app holds about one application, for as long as it holds it ----------
DATA = "candidate-data"


def data_url(application: Application) -> str:
    """The absolute link to the candidate's own data, for every candidate e-mail."""
    return mail.external_url("careers.my_data", token=link_token(application, DATA))


def application_for_data_link(token: str) -> Application:
    """The application a valid, unexpired data link names (it may be used again); InvalidLink otherwise, and
    once the application is anonymized, since nothing personal is left to show."""
    data = _link_data(token, DATA, expired="Reply to any e-mail from our hiring team and we will send you your "
                      "information.", invalid="Check that you opened the whole link from your e-mail.")
    application_id = data.get("a")
    application = db.session.get(Application, application_id) if isinstance(application_id, int) else None
    if application is None:
        raise InvalidLink("This link is not valid", "The application it was for is gone.")
    if application.anonymized_at is not None:
        raise InvalidLink("We no longer hold your details",
                          "Your name, contact details and answers were removed from this application after "
                          "our retention period.")
    return application


def use_up(application: Application, purpose: str, used_message: str) -> None:
    """Record that the link of this purpose was used; InvalidLink when another request used it first."""
    try:
        with db.session.begin_nested():
            db.session.add(CandidateLinkUse(application_id=application.id, purpose=purpose))
    except IntegrityError:  # the same link sent twice at once: the other request used it
        raise InvalidLink("This link has already been used", used_message) from None


# Answering an offer ------------------------------------------------------------------------------
OFFER_ANSWERED = "It works once, and your answer to this offer is recorded."


def offer_purpose(offer: Offer) -> str:
    return f"{OFFER}:{offer.id}"


def offer_token(offer: Offer) -> str:
    """A signed token naming this version of the offer and its application."""
    return _serializer(OFFER).dumps({"a": offer.application_id, "o": offer.id})


def offer_url(offer: Offer) -> str:
    """The absolute link in the offer letter that lets the candidate accept or decline this version."""
    return mail.external_url("careers.offer", token=offer_token(offer))


def offer_for_link(token: str, *, today) -> Offer:
    """The sent, current, unexpired offer a valid and unused link names; InvalidLink otherwise (nothing changed).

    Every refusal speaks only of the link's own offer, never of any other application."""
    data = _link_data(token, OFFER, expired="Nothing was changed. Reply to the e-mail with your offer and our hiring "
                      "team will help.")
    application_id, offer_id = data.get("a"), data.get("o")
    offer = db.session.get(Offer, offer_id) if isinstance(offer_id, int) else None
    if offer is None or offer.application_id != application_id or offer.status is OfferStatus.DRAFT:
        raise InvalidLink("This link is not valid", "Nothing was changed. The offer it was for is gone.")
    application = offer.application
    if _used(application, offer_purpose(offer)):
        raise InvalidLink("This link has already been used", OFFER_ANSWERED)
    newer = db.session.scalar(select(Offer.id).where(Offer.application_id == application.id,
                                                     Offer.version > offer.version).limit(1))
    if offer.status is OfferStatus.SUPERSEDED or newer is not None:
        raise InvalidLink("This offer has been replaced", "Nothing was changed. We sent you a revised offer: "
                          "please use the link in that newer e-mail.")
    if application.archived or application.posting.archived or application.stage in CLOSED:
        raise InvalidLink("This application is already closed",
                          "Nothing was changed: the hiring team is no longer considering this application.")
    if offer.status is not OfferStatus.SENT:
        raise InvalidLink("This link has already been used", OFFER_ANSWERED)
    if offer.expires_on < today:
        raise InvalidLink("This offer has expired",
                          f"It was open until {offer.expires_on:%B} {offer.expires_on.day}, {offer.expires_on.year}, "
                          "so nothing was changed. Reply to the e-mail with your offer if you would still like "
                          "to talk to our hiring team.")
    return offer
