"""Webhooks: recorded with the event, signed, delivered to a real loopback HTTP server, retried, never twice."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.audit import acting_as
from app.content.library import read_library
from app.content.services import apply_library
from app.extensions import db as _db
from app.hiring.hire import hire_applicant
from app.models import (
    AuditEvent,
    DeliveryStatus,
    Role,
    RoleFamily,
    Stage,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    utcnow,
)
from app.webhooks import delivery, services
from app.webhooks.addresses import AddressRefused, check_url
from tests.databases import run_together, scratch_app
from tests.factories import SiteFactory
from tests.helpers import text
from tests.hiring.test_scoring import make_application, make_posting

ALL_EVENTS = [event.value for event in WebhookEvent]


def verified(received, secret: str) -> dict:
    """What a receiving system does: check the signature over timestamp + "." + body, then read the JSON."""
    timestamp = received.headers["X-Webhook-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + received.body,
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["X-Webhook-Signature"], expected)
    body = json.loads(received.body)
    assert received.headers["X-Webhook-Id"] == body["id"]
    assert received.headers["X-Webhook-Event"] == body["type"]
    return body


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def hook(db, admin, webhook_receiver):
    """An endpoint on the loopback receiver for every event, and its secret."""
    endpoint, secret = services.register_endpoint(actor=admin, url=webhook_receiver.url, description="HRIS",
                                                  events=ALL_EVENTS)
    return endpoint, secret


def deliveries(db, endpoint=None) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if endpoint is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint.id)
    return db.session.scalars(query).all()


# Addresses ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["ftp://hr.example.org/hooks", "hooks.example.org", "https://", "javascript:alert(1)",
                                 "https://user:pass@hr.example.org/hooks", "https://hr.example.org:99999/"])
def test_only_http_and_https_urls_with_a_host_are_taken(app, url):
    with app.app_context(), pytest.raises(AddressRefused):
        check_url(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hooks", "http://localhost/hooks", "http://10.1.2.3/",
                                 "http://192.168.0.10/", "http://172.16.5.5/", "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[fe80::1]/", "http://0.0.0.0/",
                                 "http://100.64.0.1/", "http://224.0.0.1/"])
def test_private_addresses_are_refused_without_the_setting(app, monkeypatch, url):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    with app.app_context(), pytest.raises(AddressRefused, match="non-public"):
        check_url(url)


def test_a_public_address_is_taken_and_the_setting_allows_loopback(app, monkeypatch):
    with app.app_context():
        monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
        assert check_url(" https://93.184.215.14/hooks ") == "https://93.184.215.14/hooks"
        monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
        assert check_url("http://127.0.0.1:8080/hooks") == "http://127.0.0.1:8080/hooks"


def test_registering_a_private_address_is_refused_and_changes_nothing(app, db, admin, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    with pytest.raises(services.WebhookError, match="non-public"):
        services.register_endpoint(actor=admin, url="http://127.0.0.1:8080/hooks", description="", events=ALL_EVENTS)
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_a_private_address_is_refused_at_delivery_too(app, db, hook, webhook_receiver, monkeypatch):
    endpoint, _ = hook
    delivery.emit(WebhookEvent.EMPLOYEE_HIRED, {"employee": {"id": 1}})
    db.session.commit()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)  # as if the name now pointed inside
    assert delivery.deliver_due() == (0, 1)
    [row] = deliveries(db, endpoint)
    assert row.status is DeliveryStatus.PENDING and row.attempts == 1 and "non-public" in row.last_error
    assert webhook_receiver.received == []


# Recording ------------------------------------------------------------------------------------------
def test_emit_records_one_delivery_per_endpoint_that_wants_the_event(db, admin, webhook_receiver):
    wants, _ = services.register_endpoint(actor=admin, url=webhook_receiver.url, description="",
                                          events=["training.completed"])
    other, _ = services.register_endpoint(actor=admin, url=webhook_receiver.url + "/b", description="",
                                          events=["employee.hired"])
    off, _ = services.register_endpoint(actor=admin, url=webhook_receiver.url + "/c", description="",
                                        events=["training.completed"])
    services.set_enabled(off, False, actor=admin)
    delivery.emit(WebhookEvent.TRAINING_COMPLETED, {"module_id": 3})
    assert [(d.endpoint_id, d.event) for d in deliveries(db)] == [(wants.id, "training.completed")]
    assert other.id and off.id


def test_the_same_event_id_is_recorded_once_per_endpoint(db, hook):
    endpoint, _ = hook
    first = delivery.emit(WebhookEvent.CREDENTIAL_EXPIRING, {"credential_id": 1}, key="credential.expiring:1:2026-12-04")
    again = delivery.emit(WebhookEvent.CREDENTIAL_EXPIRING, {"credential_id": 1}, key="credential.expiring:1:2026-12-04")
    assert len(first) == 1 and again == []
    assert len(deliveries(db, endpoint)) == 1


def test_an_event_rolled_back_with_its_change_is_never_sent(db, hook, webhook_receiver):
    endpoint, _ = hook
    db.session.commit()
    delivery.emit(WebhookEvent.EMPLOYEE_HIRED, {"employee": {"id": 1}})
    db.session.rollback()
    assert deliveries(db, endpoint) == [] and delivery.deliver_due() == (0, 0)
    assert webhook_receiver.received == []


# Delivering -----------------------------------------------------------------------------------------
def test_a_delivery_is_signed_and_carries_its_event_id(db, hook, webhook_receiver):
    endpoint, secret = hook
    [row] = delivery.emit(WebhookEvent.TRAINING_COMPLETED, {"module_id": 7, "employee_id": 9})
    db.session.commit()
    assert delivery.deliver_due() == (1, 0)
    [received] = webhook_receiver.received
    body = verified(received, secret)
    assert body["type"] == "training.completed" and body["data"] == {"module_id": 7, "employee_id": 9}
    assert body["id"] == row.event_id and received.path == "/hooks"
    assert received.headers["Content-Type"] == "application/json"
    db.session.refresh(row)
    assert row.status is DeliveryStatus.DELIVERED and row.response_code == 200 and row.attempts == 1


def test_a_signature_under_another_secret_does_not_verify(db, hook, webhook_receiver):
    delivery.emit(WebhookEvent.TRAINING_COMPLETED, {"module_id": 7})
    db.session.commit()
    delivery.deliver_due()
    with pytest.raises(AssertionError):
        verified(webhook_receiver.received[0], "whsec_not-the-secret")


def test_a_500_is_retried_with_back_off_and_then_delivered_with_the_same_event_id(db, hook, webhook_receiver):
    endpoint, secret = hook
    webhook_receiver.answers = [500]
    [row] = delivery.emit(WebhookEvent.EMPLOYEE_HIRED, {"employee": {"id": 4}})
    db.session.commit()
    now = utcnow()
    assert delivery.deliver_due(now=now) == (0, 1)
    db.session.refresh(row)
    assert row.status is DeliveryStatus.PENDING and row.response_code == 500 and row.last_error == "Answered 500."
    assert row.next_attempt_at == now + timedelta(minutes=delivery.BACKOFF_MINUTES[0])
    assert delivery.deliver_due(now=now + timedelta(seconds=30)) == (0, 0)  # not due yet
    assert delivery.deliver_due(now=now + timedelta(minutes=2)) == (1, 0)
    db.session.refresh(row)
    assert row.status is DeliveryStatus.DELIVERED and row.attempts == 2 and row.response_code == 200
    first, second = webhook_receiver.received
    assert verified(first, secret)["id"] == verified(second, secret)["id"] == row.event_id
    assert first.body == second.body


def test_a_delivery_that_keeps_failing_is_given_up_after_max_attempts(db, hook, webhook_receiver):
    webhook_receiver.answers = [503] * delivery.MAX_ATTEMPTS
    [row] = delivery.emit(WebhookEvent.EMPLOYEE_HIRED, {"employee": {"id": 4}})
    db.session.commit()
    now = utcnow()
    for _ in range(delivery.MAX_ATTEMPTS + 2):
        delivery.deliver_due(now=now)
        now += timedelta(days=2)
    db.session.refresh(row)
    assert row.status is DeliveryStatus.FAILED and row.attempts == delivery.MAX_ATTEMPTS
    assert len(webhook_receiver.received) == delivery.MAX_ATTEMPTS


def test_a_redirect_is_not_followed(db, hook, webhook_receiver):
    webhook_receiver.answers = [302]
    [row] = delivery.emit(WebhookEvent.EMPLOYEE_HIRED, {"employee": {"id": 4}})
    db.session.commit()
    assert delivery.deliver_due() == (0, 1)
    assert len(webhook_receiver.received) == 1
    db.session.refresh(row)
    assert row.response_code == 302 and "redirects are not followed" in row.last_error


def test_a_receiver_that_is_down_is_recorded_and_retried(db, admin):
    endpoint, _ = services.register_endpoint(actor=admin, url="http://127.0.0.1:9/hooks", description="",
                                             events=ALL_EVENTS)
    [row] = delivery.emit(WebhookEvent.EMPLOYEE_HIRED, {"employee": {"id": 4}})
    db.session.commit()
    assert delivery.deliver_due() == (0, 1)
    db.session.refresh(row)
    assert row.status is DeliveryStatus.PENDING and "Could not connect ([Errno 111] Connection refused)." == row.last_error and row.response_code is None


def test_a_disabled_endpoint_keeps_what_waits_until_it_is_on_again(db, admin, hook, webhook_receiver):
    endpoint, _ = hook
    delivery.emit(WebhookEvent.EMPLOYEE_HIRED, {"employee": {"id": 4}})
    services.set_enabled(endpoint, False, actor=admin)
    db.session.commit()
    assert delivery.deliver_due() == (0, 0) and webhook_receiver.received == []
    services.set_enabled(endpoint, True, actor=admin)
    db.session.commit()
    assert delivery.deliver_due() == (1, 0) and len(webhook_receiver.received) == 1


def test_a_claimed_delivery_is_not_sent_by_a_second_sender(db, hook, webhook_receiver):
    [row] = delivery.emit(WebhookEvent.EMPLOYEE_HIRED, {"employee": {"id": 4}})
    db.session.commit()
    now = utcnow()
    assert delivery.claim(row.id, now) is True
    assert delivery.deliver(row.id, now=now) is None  # another sender holds it
    assert webhook_receiver.received == []


def test_two_overlapping_senders_never_deliver_the_same_event_twice(tmp_path, webhook_receiver):
    webhook_receiver.delay = 0.05  # each POST takes a while, so the two runs overlap
    with scratch_app(tmp_path, "webhooks", pool_size=4) as app:
        with app.app_context():
            from app.models import User

            with acting_as(_db.session, None):
                admin = User(email="ada@clinic.example", name="Ada", role=Role.ADMIN)
                _db.session.add(admin)
                _db.session.flush()
                endpoint, secret = services.register_endpoint(actor=admin, url=webhook_receiver.url, description="",
                                                              events=ALL_EVENTS)
                for number in range(12):
                    delivery.emit(WebhookEvent.TRAINING_COMPLETED, {"n": number})
            _db.session.commit()

        def work(index, start):
            start()
            return delivery.deliver_due()

        results, errors = run_together(app, 2, work)
        assert errors == []
        assert sum(delivered for delivered, _ in results) == 12
        ids = [verified(received, secret)["id"] for received in webhook_receiver.received]
        assert len(ids) == 12 and len(set(ids)) == 12
        with app.app_context():
            statuses = _db.session.scalars(select(WebhookDelivery.status)).all()
            assert statuses == [DeliveryStatus.DELIVERED] * 12
            _db.session.remove()


def test_flask_webhooks_send_delivers_what_is_due(db, runner, hook, webhook_receiver):
    delivery.emit(WebhookEvent.EMPLOYEE_HIRED, {"employee": {"id": 4}})
    db.session.commit()
    result = runner.invoke(args=["webhooks", "send"])
    assert result.exit_code == 0 and "1 delivered, 0 failed" in result.output
    assert len(webhook_receiver.received) == 1
    assert "0 delivered" in runner.invoke(args=["webhooks", "send"]).output


# Where events happen --------------------------------------------------------------------------------
@pytest.fixture
def library(app, db):
    apply_library(read_library(app.config["SEEDS_DIR"]))
    db.session.flush()


def test_hiring_emits_employee_hired(db, library, hook, make_user, webhook_receiver):
    endpoint, secret = hook
    site = SiteFactory(name="Riverside")
    hr, manager = make_user(Role.HR), make_user(Role.MANAGER, site=site)
    posting = make_posting(db, site=site)
    application = make_application(db, posting, stage=Stage.OFFER, name="Jordan Lee", email="jordan@example.org")
    result = hire_applicant(application, actor=hr, start_date=date(2031, 1, 6), site=site,
                            role_family=RoleFamily.MEDICAL_ASSISTANT, manager=manager, today=date.today())
    db.session.commit()
    delivery.deliver_due()
    bodies = [verified(r, secret) for r in webhook_receiver.received]
    [hired] = [body for body in bodies if body["type"] == "employee.hired"]
    assert hired["data"]["employee"]["id"] == result.employee.id
    assert hired["data"]["employee"]["email"] == "jordan@example.org"
    assert hired["data"]["employee"]["start_date"] == "2031-01-06" and hired["data"]["application_id"] == application.id


def test_a_stage_move_over_http_is_delivered_after_the_request(db, library, client, login_as, hook, webhook_receiver):
    endpoint, secret = hook
    db.session.commit()
    login_as(Role.HR)
    posting = make_posting(db)
    application = make_application(db, posting, stage=Stage.APPLIED)
    db.session.commit()
    response = client.post(f"/hiring/applications/{application.id}/move", data={"to_stage": "screening"})
    assert response.status_code == 302
    [received] = webhook_receiver.received  # sent by the request itself, once it had committed
    body = verified(received, secret)
    assert body["type"] == "application.stage_changed"
    assert body["data"]["from_stage"] == "applied" and body["data"]["to_stage"] == "screening"
    assert body["data"]["application_id"] == application.id
    [row] = deliveries(db, endpoint)
    assert row.status is DeliveryStatus.DELIVERED


def test_completing_a_module_emits_training_completed(db, hook, make_user, webhook_receiver):
    from app.models import Assignment, Method, Module, Progress, Track, TrackKind
    from app.onboarding import services as onboarding

    endpoint, secret = hook
    employee = make_user(Role.STAFF, email="sam@clinic.example")
    track = Track(name="Foundations", kind=TrackKind.ALL_STAFF)
    db.session.add(track)
    db.session.flush()
    module = Module(track_id=track.id, position=0, title="Huddle basics", method=Method.ATTEST)
    db.session.add(module)
    db.session.flush()
    assignment = Assignment(employee_id=employee.id, track_id=track.id)
    db.session.add(assignment)
    db.session.flush()
    progress = Progress(employee_id=employee.id, module_id=module.id, assignment_id=assignment.id)
    db.session.add(progress)
    db.session.flush()
    assert onboarding.complete(progress, actor=employee) is True
    assert onboarding.complete(progress, actor=employee) is False  # a repeat emits nothing more
    db.session.commit()
    delivery.deliver_due()
    [received] = webhook_receiver.received
    body = verified(received, secret)
    assert body["type"] == "training.completed"
    assert body["data"]["employee_email"] == "sam@clinic.example" and body["data"]["module_title"] == "Huddle basics"
    assert body["data"]["module_version"] == 1


def test_credential_expiring_is_emitted_with_the_credential_notices_once_per_notice(db, hook, make_user):
    from app.credentials.reminders import queue_credential_notices
    from app.credentials.services import add_credential
    from app.models import CredentialType

    endpoint, _ = hook
    hr, nurse = make_user(Role.HR), make_user(Role.STAFF)
    kind = CredentialType(name="RN license", role_families=["nurse-care-manager"], renewal_months=24)
    db.session.add(kind)
    db.session.flush()
    today = date.today()
    add_credential(nurse, kind, number="RN-1", issuer="State board", issued_on=None,
                   expires_on=today + timedelta(days=20), actor=hr)

    queue_credential_notices(today)
    queue_credential_notices(today)
    queue_credential_notices(today + timedelta(days=1))  # still the 30-day notice: no second event

    [row] = [d for d in deliveries(db, endpoint) if d.event == "credential.expiring"]
    data = json.loads(row.body)["data"]
    assert data["days_left"] == 20 and data["credential_type"] == "RN license"
    assert data["expires_on"] == (today + timedelta(days=20)).isoformat()

    queue_credential_notices(today + timedelta(days=13))  # 7 days left: the 7-day notice
    assert len([d for d in deliveries(db, endpoint) if d.event == "credential.expiring"]) == 2


# The admin pages ------------------------------------------------------------------------------------
def test_admin_adds_a_webhook_and_sees_its_secret_once(db, client, login_as, webhook_receiver):
    login_as(Role.ADMIN)
    response = client.post("/admin/webhooks/new", data={"url": webhook_receiver.url, "description": "Payroll",
                                                        "events": ["employee.hired", "training.completed"]})
    page = text(response)
    secret = re.search(r'id="secret" value="(whsec_[^"]+)"', page).group(1)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.signing_secret == secret and endpoint.events == ["employee.hired", "training.completed"]
    assert secret not in text(client.get(f"/admin/webhooks/{endpoint.id}"))
    assert secret not in text(client.get("/admin/webhooks/"))
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "webhook_endpoint")).all()
    assert audit and not any(secret in json.dumps([a.before, a.after]) for a in audit)
    assert any(a.action == "webhook.registered" for a in audit)


def test_a_private_url_is_refused_with_a_message_and_nothing_is_saved(app, db, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    login_as(Role.ADMIN)
    response = client.post("/admin/webhooks/new", data={"url": "http://169.254.169.254/latest", "events": ["employee.hired"]})
    assert "non-public address" in text(response)
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_the_delivery_log_shows_status_attempts_and_response_code_by_page(app, db, client, login_as, hook,
                                                                         webhook_receiver):
    endpoint, _ = hook
    login_as(Role.ADMIN)
    for number in range(app.config["ITEMS_PER_PAGE"] + 2):
        delivery.emit(WebhookEvent.TRAINING_COMPLETED, {"n": number})
    db.session.commit()
    webhook_receiver.answers = [500]
    delivery.deliver_due(limit=1)
    page = text(client.get(f"/admin/webhooks/{endpoint.id}"))
    assert "Page 1 of 2" in page and "Pending" in page
    last = text(client.get(f"/admin/webhooks/{endpoint.id}?page=2"))
    assert "Answered 500." in last and "Page 2 of 2" in last


def test_the_delivery_log_costs_the_same_queries_however_long_it_is(db, client, login_as, admin, hook, count_queries):
    endpoint, _ = hook
    delivery.emit(WebhookEvent.TRAINING_COMPLETED, {"n": 0})
    db.session.commit()
    db.session.info.pop(delivery.QUEUE_KEY)  # recorded outside a request: left for `flask webhooks send`
    login_as(Role.ADMIN)
    with count_queries() as few:
        client.get(f"/admin/webhooks/{endpoint.id}")
        client.get("/admin/webhooks/")
    for number in range(20):
        delivery.emit(WebhookEvent.TRAINING_COMPLETED, {"n": number})
    services.register_endpoint(actor=admin, url="http://127.0.0.1:9/x", description="", events=ALL_EVENTS)
    db.session.commit()
    db.session.info.pop(delivery.QUEUE_KEY)
    with count_queries() as many:
        client.get(f"/admin/webhooks/{endpoint.id}")
        client.get("/admin/webhooks/")
    assert len(many) == len(few)


def test_turning_off_and_removing_keeps_the_log(db, client, login_as, hook):
    endpoint, _ = hook
    delivery.emit(WebhookEvent.TRAINING_COMPLETED, {"n": 0})
    db.session.commit()
    login_as(Role.ADMIN)
    client.post(f"/admin/webhooks/{endpoint.id}/disable")
    db.session.refresh(endpoint)
    assert endpoint.enabled is False
    assert "Remove this webhook?" in text(client.get(f"/admin/webhooks/{endpoint.id}/remove"))
    client.post(f"/admin/webhooks/{endpoint.id}/remove")
    db.session.refresh(endpoint)
    assert endpoint.archived and len(deliveries(db, endpoint)) == 1
    assert "Removed" in text(client.get("/admin/webhooks/"))


def test_a_new_secret_is_shown_once_and_signs_from_then_on(db, client, login_as, hook, webhook_receiver):
    endpoint, old = hook
    db.session.commit()
    login_as(Role.ADMIN)
    page = text(client.post(f"/admin/webhooks/{endpoint.id}/secret"))
    new = re.search(r'id="secret" value="(whsec_[^"]+)"', page).group(1)
    assert new != old
    delivery.emit(WebhookEvent.TRAINING_COMPLETED, {"n": 0})
    db.session.commit()
    delivery.deliver_due()
    verified(webhook_receiver.received[0], new)


def test_the_connection_goes_to_the_address_that_was_checked(db, admin, webhook_receiver, monkeypatch):
    """No second DNS lookup between the check and the connection (DNS rebinding): the name below resolves only
    through the check's lookup, yet the delivery arrives, with the name in its Host header."""
    import socket

    from app.webhooks import addresses

    port = webhook_receiver.server.server_port
    real = socket.getaddrinfo

    def lookup(host, *args, **kwargs):
        return real("127.0.0.1", *args, **kwargs) if host == "hooks.example.test" else real(host, *args, **kwargs)

    monkeypatch.setattr(addresses.socket, "getaddrinfo", lookup)
    services.register_endpoint(actor=admin, url=f"http://hooks.example.test:{port}/hooks", description="",
                               events=ALL_EVENTS)
    delivery.emit(WebhookEvent.EMPLOYEE_HIRED, {"employee": {"id": 4}})
    db.session.commit()
    assert delivery.deliver_due() == (1, 0)
    [received] = webhook_receiver.received
    assert received.headers["Host"] == f"hooks.example.test:{port}"
