"""HR's pages for candidate e-mail: editing the stage letters with a preview, the one-off message from an
application's page, and the application's timeline."""

from __future__ import annotations

from sqlalchemy import func, select

from app import mail
from app.hiring import candidate_messages, one_off_messages
from app.hiring import message_templates as letters
from app.hiring import pipeline_services as services
from app.models import AuditEvent, MessageTemplate, OutboxMessage, Role, Stage
from tests.helpers import text


def hr_messages(db) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == candidate_messages.HR_MESSAGE)
                              .order_by(OutboxMessage.id)).all()


# The letters ----------------------------------------------------------------------------------
def test_hr_sees_every_letter_with_its_subject(client, db, login_as):
    login_as(Role.HR)
    page = text(client.get("/hiring/messages"))
    for title in ("Screening", "Interview", "Rejection"):
        assert title in page
    assert "We would like to interview you for {posting_title}" in page


def test_the_edit_page_previews_the_saved_letter_for_a_sample_candidate(client, db, login_as):
    login_as(Role.HR)
    page = text(client.get("/hiring/messages/interview"))
    assert "We would like to interview you for Medical Assistant" in page and "Hello Alex Sample," in page


def test_preview_shows_the_typed_wording_escaped_and_saves_nothing(client, db, login_as):
    login_as(Role.HR)
    response = client.post("/hiring/messages/screening", data={
        "subject": "<b>Hi</b> {candidate_name}", "body": "Dear {candidate_name} at {site_name}", "preview": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "&lt;b&gt;Hi&lt;/b&gt; Alex Sample" in page and "<b>Hi</b>" not in page
    assert "Dear Alex Sample at Eastside Family Health" in text(response)
    assert "nothing is saved" in text(response)
    assert db.session.scalar(select(func.count()).select_from(MessageTemplate)) == 0


def test_saving_an_unknown_field_is_refused_beside_it_and_changes_nothing(client, db, login_as):
    login_as(Role.HR)
    letters.load_defaults()
    response = client.post("/hiring/messages/screening", data={"subject": "Hi", "body": "You earn {salary}.",
                                                              "submit": "1"})
    page = text(response)
    assert "{salary} is not a field we can fill in" in page and "Nothing was saved" in page
    assert "Fix the problems marked in the form" in page
    db.session.expire_all()
    assert letters.template_for("screening").body == letters.LETTERS["screening"].body


def test_saving_keeps_the_wording_and_sends_it_on_the_next_move(client, db, login_as, posting, apply):
    login_as(Role.HR)
    response = client.post("/hiring/messages/screening", data={
        "subject": "Next steps for {posting_title}", "body": "Dear {candidate_name},\r\nwe are reading it.",
        "submit": "1"}, follow_redirects=True)
    page = text(response)
    assert "The screening letter is saved." in page and "Next steps for {posting_title}" in page
    application = apply(name="Rosa Diaz")
    client.post(f"/hiring/applications/{application.id}/move", data={"to_stage": "screening", "reason": ""})
    (letter,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == candidate_messages.SCREENING))
    assert letter.subject == "Next steps for Medical assistant"
    assert letter.body.startswith("Dear Rosa Diaz,\nwe are reading it.")


def test_an_unknown_letter_is_not_found(client, db, login_as):
    login_as(Role.HR)
    assert client.get("/hiring/messages/offer-of-a-lifetime").status_code == 404


# HR's one-off message -------------------------------------------------------------------------
def test_hr_s_message_is_queued_once_per_message_and_sent_over_smtp(client, db, login_as, apply, smtp_config,
                                                                   smtp_server):
    inbox, controller = smtp_server()
    smtp_config(controller.port)
    hr = login_as(Role.HR)
    application = apply(name="Rosa Diaz")
    url = f"/hiring/applications/{application.id}/message"
    first = client.post(url, data={"subject": "Parking", "body": "Park behind the building."}, follow_redirects=True)
    assert "Your message to Rosa Diaz is queued" in text(first)
    client.post(url, data={"subject": "Parking", "body": "Park behind the building."})
    keys = [m.dedupe_key for m in hr_messages(db)]
    assert keys == [f"application.hr_message:{application.id}:1", f"application.hr_message:{application.id}:2"]
    assert [rcpts for rcpts, _ in inbox.messages] == [[application.email]] * 2
    body = inbox.messages[0][1].get_content()
    assert body.startswith("Park behind the building.") and "/careers/withdraw/" in body
    assert mail.deliver_due() == (0, 0)
    written = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.hr_message_written")).all()
    assert [(e.actor_id, e.after["body"]) for e in written] == [(hr.id, "Park behind the building.")] * 2


def test_an_empty_message_is_refused_and_queues_nothing(client, db, login_as, apply):
    login_as(Role.HR)
    application = apply()
    page = text(client.post(f"/hiring/applications/{application.id}/message", data={"subject": "Hi", "body": " "},
                            follow_redirects=True))
    assert "Nothing was sent: Write the message." in page
    assert hr_messages(db) == []


def test_an_anonymized_application_gets_no_message(db, apply, hr_user):
    application = apply()
    application.anonymized_at = application.created_at
    db.session.flush()
    try:
        one_off_messages.send_message(application, subject="Hi", body="Hello", actor=hr_user)
    except one_off_messages.MessageRefused as refusal:
        assert "anonymized" in str(refusal)
    else:
        raise AssertionError("an anonymized application was written to")
    assert hr_messages(db) == []


# The timeline ---------------------------------------------------------------------------------
def test_the_timeline_lists_stage_changes_and_every_message_in_time_order(client, db, login_as, apply, hr_user):
    application = apply(name="Rosa Diaz")
    services.move_stage(application, Stage.SCREENING, actor=hr_user)
    one_off_messages.send_message(application, subject="Parking at the clinic", body="Behind it.", actor=hr_user)
    services.move_stage(application, Stage.REJECTED, actor=hr_user, reason="Chose another candidate")
    entries = one_off_messages.timeline(application)
    assert [(e.what, e.detail) for e in entries] == [
        ("Stage", "Applied, by the applicant"),
        ("Stage", f"Applied → Screening, by {hr_user.name}"),
        ("Screening letter", "Your application for Medical assistant is being reviewed"),
        ("Message from HR", "Parking at the clinic"),
        ("Stage", f"Screening → Rejected (Chose another candidate), by {hr_user.name}"),
        ("Rejection letter", "Your application for Medical assistant"),
    ]
    assert {e.delivery for e in entries if e.what != "Stage"} == {"Waiting to be sent"}
    login_as(Role.HR)
    page = text(client.get(f"/hiring/applications/{application.id}"))
    timeline = page[page.index('id="timeline-heading"'):]
    order = [timeline.index(words) for words in ("is being reviewed", "Parking at the clinic", "Screening → Rejected")]
    assert order == sorted(order)
    assert "Write to Rosa Diaz" in page


def test_the_application_page_costs_the_same_queries_however_many_messages(client, db, login_as, apply, hr_user,
                                                                         count_queries):
    login_as(Role.HR)
    application = apply()
    one_off_messages.send_message(application, subject="One", body="One.", actor=hr_user)
    db.session.info.pop(mail.QUEUE_KEY)  # left unsent, so the page sends nothing while it is counted
    with count_queries() as few:
        client.get(f"/hiring/applications/{application.id}")
    for n in range(6):
        one_off_messages.send_message(application, subject=f"More {n}", body="More.", actor=hr_user)
    services.move_stage(application, Stage.SCREENING, actor=hr_user)
    db.session.info.pop(mail.QUEUE_KEY)
    with count_queries() as many:
        page = text(client.get(f"/hiring/applications/{application.id}"))
    assert "More 5" in page
    assert len(many) == len(few)
