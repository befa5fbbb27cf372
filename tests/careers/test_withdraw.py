"""The signed withdraw link in a candidate's e-mail: it works once, for its own application only; forged,
expired and used links get a clear page and change nothing."""

from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.auth.services import RESET
from app.careers import links
from app.hiring.pipeline_services import move_stage
from app.models import AuditEvent, CandidateLinkUse, OutboxMessage, Stage, StageChange
from config import TestingConfig
from tests.careers.test_services import apply
from tests.conftest import csrf_token
from tests.helpers import text


def link_path(db, application) -> str:
    """The withdraw link's path as it stands in the application's confirmation e-mail."""
    body = db.session.scalar(
        select(OutboxMessage.body).where(OutboxMessage.dedupe_key == f"application.confirmation:{application.id}")
    )
    (url,) = re.findall(r"https?://\S+/careers/withdraw/\S+", body)
    return url[url.index("/careers/") :]


def withdraw_on_page(client, path):
    return client.post(path, data={"csrf_token": csrf_token(client.get(path))})


@pytest.fixture
def applied(db, posting, make_posting, resume_dir):
    """Ana's application to the posting, and Bo's to another one."""
    ana, _ = apply(posting)
    bo, _ = apply(make_posting(title="Front desk lead"), name="Bo Other", email="bo@example.org")
    return ana, bo


def test_the_confirmation_link_names_only_its_own_application(client, db, applied):
    ana, bo = applied
    page = text(client.get(link_path(db, ana)))
    assert ana.posting.title in page and "Withdraw my application" in page
    assert bo.posting.title not in page and "Bo Other" not in page
    assert ana.stage is Stage.APPLIED  # opening the page changes nothing


def test_confirming_withdraws_through_the_pipeline_with_an_audit_entry(client, db, applied, csrf_on):
    ana, bo = applied
    response = withdraw_on_page(client, link_path(db, ana))
    assert "Your application is withdrawn" in text(response)
    db.session.expire_all()
    assert (ana.stage, bo.stage) == (Stage.WITHDRAWN, Stage.APPLIED)
    change = db.session.scalars(select(StageChange).where(StageChange.application_id == ana.id)).all()[-1]
    assert (change.to_stage, change.actor_id, change.reason) == (Stage.WITHDRAWN, None, links.WITHDRAW_REASON)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "application", AuditEvent.entity_id == ana.id)
    ).all()
    assert {"application.moved", "application.withdrawn_by_candidate"} <= set(actions)


def test_a_used_link_gets_a_clear_page_and_changes_nothing(client, db, applied):
    ana, _ = applied
    path = link_path(db, ana)
    client.post(path)
    changes = db.session.scalar(select(StageChange.id).order_by(StageChange.id.desc()))
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This link has already been used" in text(response)
    assert db.session.scalar(select(StageChange.id).order_by(StageChange.id.desc())) == changes
    assert len(db.session.scalars(select(CandidateLinkUse)).all()) == 1


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, other_id: token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"),
        lambda token, other_id: URLSafeTimedSerializer("not the secret", salt=links.WITHDRAW).dumps({"a": other_id}),
        lambda token, other_id: URLSafeTimedSerializer(TestingConfig.SECRET_KEY, salt=RESET).dumps({"a": other_id}),
    ],
    ids=["tampered", "another key", "another purpose"],
)
def test_a_forged_link_gets_a_clear_page_and_changes_nothing(client, db, applied, forge):
    ana, bo = applied
    path = f"/careers/withdraw/{forge(links.link_token(ana), bo.id)}"
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This link is not valid" in text(response)
        assert bo.posting.title not in text(response)
    db.session.expire_all()
    assert (ana.stage, bo.stage) == (Stage.APPLIED, Stage.APPLIED)
    assert db.session.scalars(select(CandidateLinkUse)).all() == []


def test_an_expired_link_gets_a_clear_page_and_changes_nothing(app, client, db, applied, monkeypatch):
    ana, _ = applied
    monkeypatch.setitem(app.config, "CANDIDATE_LINK_MAX_AGE", -1)
    response = client.post(link_path(db, ana))
    assert response.status_code == 400 and "This link has expired" in text(response)
    db.session.expire_all()
    assert ana.stage is Stage.APPLIED


def test_a_closed_application_cannot_be_withdrawn(db, applied, make_user):
    ana, _ = applied
    move_stage(ana, Stage.REJECTED, actor=make_user(), reason="Another candidate fit better.")
    with pytest.raises(links.InvalidLink, match="no longer considering"):
        links.withdraw(links.link_token(ana))
    assert ana.stage is Stage.REJECTED
    assert db.session.scalars(select(CandidateLinkUse)).all() == []
