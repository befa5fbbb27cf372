"""Signed links in a candidate's e-mail: withdrawing an application without an account, once."""

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
from app.models import Application, CandidateLinkUse, Stage

log = logging.getLogger(__name__)

WITHDRAW = "candidate-withdraw"
CLOSED = (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN)
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


def application_for_link(token: str, purpose: str = WITHDRAW) -> Application:
    """The open application a valid, unused, unexpired link of this purpose names; InvalidLink otherwise."""
    try:
        data = _serializer(purpose).loads(token, max_age=current_app.config["CANDIDATE_LINK_MAX_AGE"])
    except SignatureExpired:
        raise InvalidLink(
            "This link has expired",
            "Nothing was changed. To withdraw your application, reply to any e-mail from our hiring team.",
        ) from None
    except BadSignature:
        raise InvalidLink(
            "This link is not valid",
            "Nothing was changed. Check that you opened the whole link from your e-mail.",
        ) from None
    application_id = data.get("a") if isinstance(data, dict) else None
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
    try:
        with db.session.begin_nested():
            db.session.add(CandidateLinkUse(application_id=application.id, purpose=WITHDRAW))
    except IntegrityError:  # the same link sent twice at once: the other request withdrew it
        raise InvalidLink(
            "This link has already been used", "It works once, and your application is withdrawn."
        ) from None
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
    try:
        data = _serializer(DATA).loads(token, max_age=current_app.config["CANDIDATE_LINK_MAX_AGE"])
    except SignatureExpired:
        raise InvalidLink("This link has expired",
                          "Reply to any e-mail from our hiring team and we will send you your information.") from None
    except BadSignature:
        raise InvalidLink("This link is not valid", "Check that you opened the whole link from your e-mail.") from None
    application_id = data.get("a") if isinstance(data, dict) else None
    application = db.session.get(Application, application_id) if isinstance(application_id, int) else None
    if application is None:
        raise InvalidLink("This link is not valid", "The application it was for is gone.")
    if application.anonymized_at is not None:
        raise InvalidLink("We no longer hold your details",
                          "Your name, contact details and answers were removed from this application after "
                          "our retention period.")
    return application
