"""The signed data link in every candidate e-mail: it shows the candidate what we hold about their own
application (and gives it as JSON), never another application, and stops working once anonymized."""

from __future__ import annotations

import json
import re

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.careers import links
from app.hiring import candidate_messages, retention
from app.hiring import pipeline_services as services
from app.models import OutboxMessage, Stage
from config import TestingConfig
from tests.helpers import text


def data_path(db, application) -> str:
    """The data link's path as it stands in the application's latest e-mail."""
    body = db.session.scalars(select(OutboxMessage.body).where(
        OutboxMessage.recipient == application.email).order_by(OutboxMessage.id.desc())).first()
    (url,) = re.findall(r"https?://\S+/careers/data/\S+", body)
    return url[url.index("/careers/"):]


@pytest.fixture
def two(db, apply, hr_user):
    """Rosa, rejected (her letter carries the link), and Bo, at screening."""
    rosa, bo = apply(name="Rosa Diaz", phone="251-555-0100", why_medical_home="Teams matter.\nSo do patients."), \
        apply(name="Bo Other")
    services.move_stage(rosa, Stage.REJECTED, actor=hr_user, reason="Chose another candidate")
    services.move_stage(bo, Stage.SCREENING, actor=hr_user)
    return rosa, bo


def test_every_candidate_message_ends_with_the_data_link_under_base_url(db, two):
    rosa, _ = two
    for message in candidate_messages.sent_for(rosa):
        assert candidate_messages.DATA_FOOTER in message.body
        assert re.search(r"http://localhost/careers/data/\S+", message.body)


def test_the_link_shows_the_candidate_their_own_application_only(client, db, two):
    rosa, bo = two
    page = text(client.get(data_path(db, rosa)))
    assert "What we hold about your application" in page
    assert "Rosa Diaz" in page and rosa.email in page and "251-555-0100" in page and "So do patients." in page
    assert "Rejected" in page and "Your application for Medical assistant" in page
    assert "Chose another candidate" not in page  # HR's reason is not the candidate's data
    assert "Bo Other" not in page and bo.email not in page


def test_the_download_is_the_same_information_as_json(client, db, two):
    rosa, _ = two
    response = client.get(data_path(db, rosa) + "/download")
    assert response.headers["Content-Disposition"] == "attachment; filename=my-application.json"
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.get_data(as_text=True))
    assert data["application"]["email"] == rosa.email and data["application"]["stage"] == "Rejected"
    assert [stage["stage"] for stage in data["stages"]] == ["Applied", "Rejected"]
    assert [email["subject"] for email in data["emails"]] == ["Your application for Medical assistant"]


def test_the_link_works_again(client, db, two):
    rosa, _ = two
    path = data_path(db, rosa)
    for _ in range(2):  # unlike the withdraw link, it is not used up
        response = client.get(path)
        assert response.status_code == 200 and rosa.email in response.get_data(as_text=True)


def forged(payload, salt=links.DATA, key=TestingConfig.SECRET_KEY) -> str:
    return URLSafeTimedSerializer(key, salt=salt).dumps(payload)


@pytest.mark.parametrize("make", [
    lambda rosa, bo: forged({"a": bo.id}, key="someone else's key"),    # another id, signed with a guessed key
    lambda rosa, bo: links.link_token(bo, links.WITHDRAW),             # Bo's withdraw link used as a data link
    lambda rosa, bo: links.link_token(rosa, links.DATA)[:-2] + "xx",   # tampered
    lambda rosa, bo: forged({"a": str(bo.id)}),                        # not an id
    lambda rosa, bo: forged({"a": 999999}),                            # no such application
])
def test_forged_or_wrong_purpose_links_show_nothing(client, db, two, make):
    rosa, bo = two
    response = client.get(f"/careers/data/{make(rosa, bo)}")
    page = text(response)
    assert response.status_code == 400 and "This link is not valid" in page
    assert "Bo Other" not in page and "Rosa Diaz" not in page
    download = client.get(f"/careers/data/{make(rosa, bo)}/download")
    assert download.status_code == 400 and bo.email not in download.get_data(as_text=True)


def test_an_expired_link_shows_nothing(client, db, two, app, monkeypatch):
    rosa, _ = two
    path = data_path(db, rosa)
    monkeypatch.setitem(app.config, "CANDIDATE_LINK_MAX_AGE", -1)
    page = text(client.get(path))
    assert "This link has expired" in page and "Rosa Diaz" not in page


def test_the_link_stops_working_once_the_application_is_anonymized(client, db, two):
    rosa, _ = two
    path = data_path(db, rosa)
    retention.anonymize_application(rosa)
    for url in (path, path + "/download"):
        response = client.get(url)
        assert response.status_code == 400 and "We no longer hold your details" in text(response)
