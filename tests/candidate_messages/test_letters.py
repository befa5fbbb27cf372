"""The organization's stage letters: our default wording, HR's edits checked at save, filled in without
evaluating anything, and sent once per application over real SMTP, however many runs overlap."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import mail
from app.extensions import db as appdb
from app.hiring import candidate_messages
from app.hiring import message_templates as letters
from app.hiring import pipeline_services as services
from app.models import (
    Application,
    AuditEvent,
    MessageTemplate,
    OutboxMessage,
    OutboxStatus,
    Stage,
)
from tests import factories
from tests.databases import run_together, scratch_app


def outbox(db, kind: str) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()


# Rendering ---------------------------------------------------------------------------------------
def test_fields_are_filled_in_from_the_application(app, db, apply):
    application = apply(name="Rosa Diaz")
    values = letters.values_for(application)
    assert letters.fill("{candidate_name} / {posting_title} / {site_name} / {organization}", values) == (
        f"Rosa Diaz / Medical assistant / Riverside / {app.config['ORGANIZATION_NAME']}")


def test_a_filled_in_value_is_never_filled_in_again_nor_evaluated(db, apply):
    application = apply(name="{posting_title} {candidate_name.__class__} {0}")
    assert letters.fill("Hello {candidate_name}", letters.values_for(application)) == (
        "Hello {posting_title} {candidate_name.__class__} {0}")


def test_double_braces_are_a_literal_brace(db, apply):
    assert letters.fill("{{not a field}} {candidate_name}", {"candidate_name": "Ana"}) == "{not a field} Ana"


@pytest.mark.parametrize(("text", "named"), [
    ("Dear {first_name}", "{first_name}"),
    ("{candidate_name.__class__.__mro__}", "{candidate_name.__class__.__mro__}"),
    ("{candidate_name[0]}", "{candidate_name[0]}"),
    ("{candidate_name!r}", "{candidate_name!r}"),
    ("{candidate_name:>99999}", "{candidate_name:>99999}"),
    ("{}", "{}"),
    ("{0}", "{0}"),
])
def test_an_unknown_or_malformed_field_is_named(text, named):
    (problem,) = letters.problems(text)
    assert problem.startswith(f"{named} is not a field we can fill in") and "{candidate_name}" in problem


@pytest.mark.parametrize("text", ["Hello {candidate_name", "Hello candidate_name}", "{ {"])
def test_an_unmatched_brace_is_refused(text):
    (problem,) = letters.problems(text)
    assert "has no partner" in problem


# Saving ------------------------------------------------------------------------------------------
def test_saving_refuses_an_unknown_field_and_changes_nothing(db, hr_user):
    letters.load_defaults()
    before = letters.template_for("screening").body
    with pytest.raises(letters.TemplateError, match=r"Body: \{salary\} is not a field"):
        letters.save_template("screening", subject="Hi {candidate_name}", body="You earn {salary}", actor=hr_user)
    db.session.expire_all()
    assert letters.template_for("screening").body == before
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "message_template.saved")) is None


def test_saving_keeps_hr_s_wording_with_an_audit_entry(db, hr_user):
    saved = letters.save_template("interview", subject="Interview: {posting_title}",
                                  body="Hi {candidate_name}, see you soon.", actor=hr_user)
    assert (saved.key, saved.edited_by_id) == ("interview", hr_user.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "message_template.saved"))
    assert (event.entity_id, event.actor_id) == (saved.id, hr_user.id)


def test_loading_defaults_adds_missing_letters_only_and_keeps_edits(db, hr_user):
    assert letters.load_defaults() == 3
    letters.save_template("rejection", subject="Thank you", body="Dear {candidate_name}", actor=hr_user)
    assert letters.load_defaults() == 0
    rows = {row.key: row for row in db.session.scalars(select(MessageTemplate))}
    assert set(rows) == {"screening", "interview", "rejection"}
    assert rows["rejection"].subject == "Thank you"


def test_flask_seed_loads_the_letters_once(runner, db):
    first = runner.invoke(args=["seed"])
    assert "3 candidate letter template(s) added" in first.output
    assert "0 candidate letter template(s) added" in runner.invoke(args=["seed"]).output


# Sending on a stage change -----------------------------------------------------------------------
@pytest.mark.parametrize(("stage", "kind", "words"), [
    (Stage.SCREENING, candidate_messages.SCREENING, "reading your application closely"),
    (Stage.INTERVIEW, candidate_messages.INTERVIEW, "We would like to interview you"),
])
def test_a_move_to_screening_or_interview_queues_its_letter_with_the_withdraw_link(db, apply, hr_user, stage,
                                                                                   kind, words):
    application = apply(name="Rosa Diaz")
    services.move_stage(application, stage, actor=hr_user)
    (letter,) = outbox(db, kind)
    assert letter.recipient == application.email and letter.dedupe_key == f"{kind}:{application.id}"
    assert words in letter.body and "Rosa Diaz" in letter.body and "Riverside" in letter.body
    assert "/careers/withdraw/" in letter.body
    assert letter in candidate_messages.sent_for(application)


def test_the_letter_uses_hr_s_saved_wording(db, apply, hr_user):
    letters.save_template("screening", subject="Next steps, {candidate_name}",
                          body="Dear {candidate_name}, thanks for applying to {posting_title}.", actor=hr_user)
    application = apply(name="Rosa Diaz")
    services.move_stage(application, Stage.SCREENING, actor=hr_user)
    (letter,) = outbox(db, candidate_messages.SCREENING)
    assert letter.subject == "Next steps, Rosa Diaz"
    assert letter.body.startswith("Dear Rosa Diaz, thanks for applying to Medical assistant.")


def test_the_rejection_letter_comes_from_the_template_and_never_carries_the_reason(db, apply, hr_user):
    letters.save_template("rejection", subject="About {posting_title}",
                          body="Dear {candidate_name}, we will not go ahead.", actor=hr_user)
    application = apply(name="Rosa Diaz")
    services.move_stage(application, Stage.REJECTED, actor=hr_user, reason="Weak references")
    (letter,) = outbox(db, candidate_messages.REJECTION)
    assert letter.subject == "About Medical assistant"
    assert letter.body.startswith("Dear Rosa Diaz, we will not go ahead.\n\n" + candidate_messages.DATA_FOOTER)
    assert "Weak references" not in letter.body and "/careers/withdraw/" not in letter.body


def test_moving_back_and_forth_sends_each_letter_once(db, apply, hr_user):
    application = apply()
    services.move_stage(application, Stage.SCREENING, actor=hr_user)
    services.move_stage(application, Stage.APPLIED, actor=hr_user)
    services.move_stage(application, Stage.SCREENING, actor=hr_user)
    assert len(outbox(db, candidate_messages.SCREENING)) == 1


@pytest.mark.parametrize("stage", [Stage.APPLIED, Stage.OFFER, Stage.WITHDRAWN])
def test_stages_without_a_letter_write_nothing_new(db, apply, hr_user, stage):
    application = apply()
    if stage is Stage.APPLIED:
        services.move_stage(application, Stage.OFFER, actor=hr_user)
    services.move_stage(application, stage, actor=hr_user, reason="Asked to")
    assert [m.kind for m in candidate_messages.sent_for(application)] == []


def test_the_letter_goes_out_over_smtp_once_across_two_runs(db, apply, hr_user, smtp_config, smtp_server):
    inbox, controller = smtp_server()
    smtp_config(controller.port)
    application = apply(name="Rosa Diaz")
    services.move_stage(application, Stage.INTERVIEW, actor=hr_user)
    assert mail.deliver_due() == (1, 0)
    assert letters.queue_stage_letter(application, Stage.INTERVIEW) is None
    assert mail.deliver_due() == (0, 0)
    ((recipients, message),) = inbox.messages
    assert recipients == [application.email]
    assert message["Subject"] == "We would like to interview you for Medical assistant"
    assert "Hello Rosa Diaz" in message.get_content()


RUNS = 4


def sent_once_by_overlapping_runs(tmp_path, smtp_server, purpose: str, queue) -> list[OutboxMessage]:
    """RUNS requests and cron runs at once, each calling queue(application) and sending what is due: exactly
    one e-mail reaches the SMTP server. Returns the outbox rows."""
    inbox, controller = smtp_server()
    with scratch_app(tmp_path, purpose, pool_size=RUNS + 2, MAIL_SERVER="127.0.0.1",
                     MAIL_PORT=controller.port) as app:
        with app.app_context():
            posting = factories.open_posting("Riverside")
            application = Application(posting_id=posting.id, name="Rosa Diaz", email="rosa@example.org",
                                      stage=Stage.SCREENING)
            appdb.session.add(application)
            appdb.session.commit()
            application_id = application.id

        def queue_and_send(index: int, start) -> tuple[int, int]:
            row = appdb.session.get(Application, application_id)
            start()
            queue(row)
            appdb.session.commit()
            return mail.deliver_due()

        results, errors = run_together(app, RUNS, queue_and_send)
        controller.stop()
        assert errors == []
        assert sum(sent for sent, _ in results) == 1
        assert [rcpts for rcpts, _ in inbox.messages] == [["rosa@example.org"]]
        with app.app_context():
            return appdb.session.scalars(select(OutboxMessage)).all()


def test_overlapping_runs_send_the_letter_exactly_once_over_smtp(tmp_path, smtp_server):
    rows = sent_once_by_overlapping_runs(tmp_path, smtp_server, "letters",
                                         lambda application: letters.queue_stage_letter(application, Stage.SCREENING))
    assert [(m.kind, m.status, m.attempts) for m in rows] == [(candidate_messages.SCREENING, OutboxStatus.SENT, 1)]


@pytest.mark.parametrize("kind", candidate_messages.KINDS)
def test_every_kind_of_candidate_message_goes_out_once_however_many_runs_overlap(tmp_path, smtp_server, kind):
    """Every e-mail to a candidate (letters, HR's messages, invitations, cancellations, offers) is queued by
    queue_candidate_message, so the once-only rule holds for each kind."""
    rows = sent_once_by_overlapping_runs(
        tmp_path, smtp_server, "kind-" + kind.replace(".", "-"),
        lambda application: candidate_messages.queue_candidate_message(
            application, kind=kind, subject="About your application", body="Hello Rosa", occasion="1"))
    assert [(m.kind, m.status) for m in rows] == [(kind, OutboxStatus.SENT)]
