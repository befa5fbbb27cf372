"""A rejected candidate gets one kind letter through the outbox, with the same words for every role and
never HR's reason; other moves write to nobody."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.hiring import candidate_messages
from app.hiring import pipeline_services as services
from app.models import (
    Application,
    AuditEvent,
    OutboxMessage,
    Posting,
    PostingStatus,
    Role,
    RoleFamily,
    Rubric,
    Stage,
    StageChange,
)
from tests.factories import SiteFactory
from tests.helpers import text

REASON = "Needs a state licence we cannot wait for"


@pytest.fixture
def posting(db):
    rubric = Rubric(name="Medical assistant", role_family=RoleFamily.MEDICAL_ASSISTANT)
    db.session.add(rubric)
    db.session.flush()
    row = Posting(
        title="Medical assistant",
        site_id=SiteFactory(name="Riverside").id,
        role_family=RoleFamily.MEDICAL_ASSISTANT,
        rubric_id=rubric.id,
        status=PostingStatus.OPEN,
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def apply(db, posting):
    """An application at Applied, with the history row the careers page writes."""
    made = iter(range(1000))

    def make(name: str = "Rosa Diaz") -> Application:
        application = Application(posting_id=posting.id, name=name, email=f"applicant{next(made)}@example.org")
        db.session.add(application)
        db.session.flush()
        db.session.add(StageChange(application_id=application.id, from_stage=None, to_stage=Stage.APPLIED))
        db.session.flush()
        return application

    return make


@pytest.fixture
def hr_user(make_user):
    return make_user(Role.HR, name="Harper Reyes")


@pytest.fixture
def hr(login_as):
    return login_as(Role.HR)


def letters(db) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == candidate_messages.REJECTION).order_by(OutboxMessage.id)
    ).all()


def test_rejecting_queues_one_kind_letter_without_the_reason(db, apply, hr_user):
    application = apply(name="Rosa Diaz")
    services.move_stage(application, Stage.REJECTED, actor=hr_user, reason=REASON)
    (letter,) = letters(db)
    assert letter.recipient == application.email
    assert letter.dedupe_key == f"application.rejection:{application.id}"
    assert "Rosa Diaz" in letter.body and "Medical assistant" in letter.subject
    assert "not to go ahead" in letter.body and "best wishes" in letter.body
    assert REASON not in letter.body and "licence" not in letter.body
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.rejection_queued"))
    assert (event.entity_id, event.after) == (application.id, {"recipient": application.email})


def test_the_letter_uses_the_same_words_for_every_role(db, apply, hr_user, posting):
    first, second = apply(name="Rosa Diaz"), apply(name="Rosa Diaz")
    services.move_stage(first, Stage.REJECTED, actor=hr_user, reason=REASON)
    posting.title = "Care coordinator"
    db.session.flush()
    services.move_stage(second, Stage.REJECTED, actor=hr_user, reason="Another candidate fit better")
    one, two = (letter.body.split(candidate_messages.DATA_FOOTER)[0] for letter in letters(db))
    assert one.replace("Medical assistant", "") == two.replace("Care coordinator", "")


def test_a_second_rejection_writes_no_second_letter(db, apply, hr_user):
    application = apply()
    services.move_stage(application, Stage.REJECTED, actor=hr_user, reason=REASON)
    services.move_stage(application, Stage.SCREENING, actor=hr_user, reason="Licence arrived")
    services.move_stage(application, Stage.REJECTED, actor=hr_user, reason=REASON)
    assert len(letters(db)) == 1


@pytest.mark.parametrize("stage", [Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.WITHDRAWN])
def test_other_moves_write_to_nobody(db, apply, hr_user, stage):
    services.move_stage(apply(), stage, actor=hr_user, reason="Asked to")
    assert letters(db) == []


def test_hr_rejecting_on_the_page_sends_the_letter_over_smtp_and_lists_it(
    client, db, apply, hr, smtp_config, smtp_server
):
    inbox, controller = smtp_server()
    smtp_config(controller.port)
    application = apply(name="Rosa Diaz")
    client.post(f"/hiring/applications/{application.id}/move", data={"to_stage": "rejected", "reason": REASON})
    ((recipients, message),) = inbox.messages
    assert recipients == [application.email]
    assert message["Subject"] == "Your application for Medical assistant"
    assert REASON not in message.get_content()
    page = text(client.get(f"/hiring/applications/{application.id}"))
    assert "Your application for Medical assistant" in page and "Sent " in page


# The one way every candidate message is queued --------------------------------------------------
def test_a_message_for_an_occasion_is_queued_once_per_occasion_and_listed_with_the_others(db, apply):
    application = apply()
    other = apply("Sam Lee")

    def send(occasion, to=application):
        return candidate_messages.queue_candidate_message(
            to, kind=candidate_messages.CONFIRMATION, subject="Hello", body="Text", occasion=occasion
        )

    first, again, second = send(1), send(1), send(2)
    send(1, to=other)

    assert first is not None and again is None and second is not None
    assert [m.dedupe_key for m in candidate_messages.sent_for(application)] == [
        f"application.confirmation:{application.id}:1", f"application.confirmation:{application.id}:2",
    ]


def test_an_open_application_s_message_ends_with_its_withdraw_link_and_a_closed_one_s_does_not(db, apply):
    open_one, closed = apply(), apply("Sam Lee")
    closed.stage = Stage.WITHDRAWN

    sent = [
        candidate_messages.queue_candidate_message(a, kind=candidate_messages.CONFIRMATION, subject="Hi", body="Text")
        for a in (open_one, closed)
    ]

    assert candidate_messages.WITHDRAW_FOOTER in sent[0].body and "/careers/withdraw/" in sent[0].body
    assert sent[1].body.startswith("Text\n\n" + candidate_messages.DATA_FOOTER) and "/careers/withdraw/" not in sent[1].body
