"""Interview pages over HTTP: the panel, my interviews, the scorecard form, independence, compare and calibration."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app import mail
from app.models import InterviewAssignment, OutboxMessage, Role, Scorecard, ScorecardStatus, Stage
from tests.helpers import text
from tests.hiring.test_scoring import EVIDENCE, assign, criteria_of, make_application, make_posting, score

SECRET_NOTE = "Talked over the patient twice; this note is private until submitted."


@pytest.fixture
def interviewer(make_user):
    return lambda **fields: make_user(Role.STAFF, is_interviewer=True, **fields)


@pytest.fixture
def posting(db):
    return make_posting(db)


def form_data(posting, scores, *, evidence=EVIDENCE, recommendation="yes", button="save") -> dict:
    data = {button: "1"}
    if recommendation:
        data["recommendation"] = recommendation
    for criterion, rating in zip(criteria_of(posting), scores, strict=True):
        if rating is not None:
            data[f"rating_{criterion.id}"] = str(rating)
            data[f"evidence_{criterion.id}"] = evidence
    return data


# My interviews ---------------------------------------------------------------------------------
def test_my_interviews_lists_only_my_candidates_with_their_scorecard_state(db, client, auth, interviewer, posting):
    me, someone = interviewer(), interviewer()
    drafted, submitted, fresh, theirs = (make_application(db, posting, name=n) for n in
                                         ("Dana Draft", "Sam Submitted", "Nia New", "Oscar Other"))
    score(assign(db, drafted, me), [3, None, None], submit=False)
    score(assign(db, submitted, me), [3, 3, 3])
    assign(db, fresh, me)
    assign(db, theirs, someone)
    auth.login(me)

    page = text(client.get("/hiring/my-interviews"))
    assert "Dana Draft" in page and "Sam Submitted" in page and "Nia New" in page and "Oscar Other" not in page
    rows = dict(re.findall(r'<a class="fw-semibold" href="/hiring/interviews/\d+">([^<]+)</a>.*?<span class="badge[^>]*>([^<]+)<',
                           page, re.S))
    assert rows == {"Dana Draft": "Draft", "Sam Submitted": "Submitted", "Nia New": "Not started"}


# The interview page ------------------------------------------------------------------------------
def test_interview_page_shows_the_kit_beside_the_rubric_with_anchors_in_the_rating_labels(
        db, client, auth, interviewer, posting):
    me = interviewer()
    assignment = assign(db, make_application(db, posting, name="Kit Candidate"), me)
    auth.login(me)

    page = text(client.get(f"/hiring/interviews/{assignment.id}"))
    questions = [item.question for item in posting.kit]
    assert page.index(questions[0].text) < page.index(questions[1].text)
    assert questions[0].probes[0] in page and questions[0].strong_answer in page and questions[0].weak_answer in page
    for criterion in criteria_of(posting):
        radio = re.search(rf'id="rating_{criterion.id}-0"[^>]*>\s*<label[^>]*><strong>1</strong> — ([^<]+)</label>', page)
        assert radio and radio.group(1) == criterion.anchor_1
        assert f"<strong>3</strong> — {criterion.anchor_3}</label>" in page
        assert f"<strong>5</strong> — {criterion.anchor_5}</label>" in page
        assert "<strong>2</strong> — between 1 and 3</label>" in page
    assert "Hidden until you submit your scorecard" in page


def test_saving_a_draft_then_submitting_locks_the_scorecard(db, client, auth, interviewer, posting):
    me = interviewer()
    assignment = assign(db, make_application(db, posting), me)
    auth.login(me)
    url = f"/hiring/interviews/{assignment.id}"

    response = client.post(url, data=form_data(posting, [4, None, None], recommendation=""))
    assert response.status_code == 302
    card = db.session.scalar(select(Scorecard).where(Scorecard.interviewer_id == me.id))
    assert card.status is ScorecardStatus.DRAFT and [r.score for r in card.ratings] == [4]
    assert re.search(rf'<input checked [^>]*id="rating_{criteria_of(posting)[0].id}-3"', text(client.get(url)))

    missing = text(client.post(url, data=form_data(posting, [4, None, 3], recommendation="", button="submit")))
    first, second, _ = criteria_of(posting)
    assert f"Rate {second.title} before submitting." in missing
    assert "Choose an overall recommendation before submitting." in missing

    no_evidence = text(client.post(url, data=form_data(posting, [5, 3, 3], evidence="", button="submit")))
    assert f"Write the evidence for a rating of 1 or 5 on {first.title}." in no_evidence
    db.session.refresh(card)
    assert card.status is ScorecardStatus.DRAFT and [r.score for r in card.ratings] == [4]

    assert client.post(url, data=form_data(posting, [5, 3, 3], button="submit")).status_code == 302
    db.session.refresh(card)
    assert card.status is ScorecardStatus.SUBMITTED
    locked = client.post(url, data=form_data(posting, [1, 1, 1], button="submit"), follow_redirects=True)
    assert "submitted and locked. Amend it to change it." in text(locked)
    assert 'name="reason"' in text(locked)  # the amend form is offered instead
    db.session.refresh(card)
    assert sorted(r.score for r in card.ratings) == [3, 3, 5]


def test_amending_over_http_starts_revision_2_with_the_reason(db, client, auth, interviewer, posting):
    me = interviewer()
    assignment = assign(db, make_application(db, posting), me)
    first = score(assignment, [3, 3, 3])
    auth.login(me)
    url = f"/hiring/interviews/{assignment.id}/amend"

    assert "Say why you are amending the scorecard." in text(client.post(url, data={"reason": ""}))
    page = text(client.post(url, data={"reason": "Misread my notes."}, follow_redirects=True))
    assert "Revision 2 is a draft. Revision 1 still counts until you submit it." in page
    assert "Amending because: Misread my notes." in page
    [second] = db.session.scalars(select(Scorecard).where(Scorecard.revision == 2)).all()
    assert second.amendment_reason == "Misread my notes." and first.superseded_at is None


def test_another_interviewer_gets_403_on_my_interview_page_and_never_sees_my_draft(
        db, client, auth, interviewer, posting):
    me, colleague = interviewer(), interviewer()
    application = make_application(db, posting)
    mine = assign(db, application, me)
    criteria = criteria_of(posting)
    from app.hiring import scoring
    scoring.save_scorecard(mine, actor=me, ratings={criteria[0].id: (2, SECRET_NOTE)}, recommendation=None,
                           submit=False)
    theirs = assign(db, application, colleague)
    score(theirs, [4, 4, 4])
    auth.login(colleague)

    assert client.get(f"/hiring/interviews/{mine.id}").status_code == 403
    assert client.post(f"/hiring/interviews/{mine.id}", data=form_data(posting, [5, 5, 5])).status_code == 403
    assert client.post(f"/hiring/interviews/{mine.id}/amend", data={"reason": "x"}).status_code == 403
    own_page = text(client.get(f"/hiring/interviews/{theirs.id}"))
    assert SECRET_NOTE not in own_page and "No other submitted scorecards yet." in own_page


def test_submitted_interviewers_see_each_others_submitted_scorecards(db, client, auth, interviewer, posting):
    me, colleague = interviewer(name="Maya Me"), interviewer(name="Cole League")
    application = make_application(db, posting)
    mine = assign(db, application, me)
    score(assign(db, application, colleague), [4, 4, 4])
    auth.login(me)
    assert "Cole League" not in text(client.get(f"/hiring/interviews/{mine.id}"))

    score(mine, [3, 3, 3])
    page = text(client.get(f"/hiring/interviews/{mine.id}"))
    assert "Cole League" in page and EVIDENCE in page


def test_hr_sees_every_scorecard_drafts_marked_and_views_an_interview_read_only(
        db, client, login_as, interviewer, posting):
    application = make_application(db, posting, name="Riley Candidate")
    drafting = assign(db, application, interviewer(name="Dee Drafter"))
    criteria = criteria_of(posting)
    from app.hiring import scoring
    scoring.save_scorecard(drafting, actor=drafting.interviewer, ratings={criteria[0].id: (2, SECRET_NOTE)},
                           recommendation=None, submit=False)
    score(assign(db, application, interviewer(name="Sue Submitter")), [4, 4, 4])
    login_as(Role.HR)

    panel = text(client.get(f"/hiring/applications/{application.id}/interviews"))
    assert "Dee Drafter" in panel and "Sue Submitter" in panel and SECRET_NOTE in panel
    assert "Draft — not counted" in panel and "Weighted score" in panel
    view = text(client.get(f"/hiring/interviews/{drafting.id}"))
    assert "You are viewing Dee Drafter's scorecard" in view and SECRET_NOTE in view and "Sue Submitter" in view
    assert 'name="save"' not in view
    assert client.post(f"/hiring/interviews/{drafting.id}", data=form_data(posting, [3, 3, 3])).status_code == 403


# The panel -------------------------------------------------------------------------------------
def test_hr_adds_an_interviewer_who_is_emailed_and_removes_one_who_has_not_submitted(
        db, client, login_as, interviewer, make_user, posting):
    application = make_application(db, posting, name="Pat Panel")
    newcomer, done = interviewer(name="New Comer"), interviewer(name="Don Submitted")
    not_interviewer = make_user(Role.STAFF, name="Not Interviewer")
    submitted = assign(db, application, done)
    score(submitted, [3, 3, 3])
    login_as(Role.HR)
    url = f"/hiring/applications/{application.id}/interviews"

    page = text(client.get(url))
    assert "New Comer" in page and "Not Interviewer" not in page
    added = client.post(url, data={"interviewer_id": newcomer.id, "add": "1"}, follow_redirects=True)
    assert "New Comer will interview Pat Panel" in text(added)
    assignment = db.session.scalar(select(InterviewAssignment).where(InterviewAssignment.interviewer_id == newcomer.id))
    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == newcomer.email)).all()
    assert f"/hiring/interviews/{assignment.id}" in message.body
    assert client.post(url, data={"interviewer_id": not_interviewer.id, "add": "1"}).status_code == 200  # not a choice

    refused = client.post(url, data={"assignment_id": submitted.id, "remove": "1"}, follow_redirects=True)
    assert "Don Submitted has submitted a scorecard, so they stay on the panel." in text(refused)
    removed = client.post(url, data={"assignment_id": assignment.id, "remove": "1"}, follow_redirects=True)
    assert "New Comer is off Pat Panel's panel." in text(removed)
    assert db.session.scalar(select(func.count()).select_from(InterviewAssignment)) == 1


def test_a_line_break_in_a_stored_name_still_sends_the_interviewer_a_one_line_subject(
        db, client, login_as, interviewer, posting, smtp_config, smtp_server):
    application = make_application(db, posting, name="Pat\r\nBcc: everyone@example.org")  # stored before the rule
    newcomer = interviewer(name="New Comer")
    inbox, controller = smtp_server()
    smtp_config(controller.port)
    login_as(Role.HR)

    added = client.post(f"/hiring/applications/{application.id}/interviews",
                        data={"interviewer_id": newcomer.id, "add": "1"}, follow_redirects=True)
    controller.stop()

    assert added.status_code == 200
    assert "New Comer will interview Pat" in text(added)
    [(recipients, received)] = inbox.messages
    assert recipients == [newcomer.email] and received["Bcc"] is None
    assert received["Subject"] == "Interview to score: Pat Bcc: everyone@example.org"
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == newcomer.email))
    assert (message.status.value, message.attempts, message.last_error) == ("sent", 1, "")


def test_an_e_mail_that_fails_to_send_after_the_panel_is_saved_does_not_fail_the_request(
        db, client, login_as, interviewer, posting, smtp_config, smtp_server, monkeypatch):
    application = make_application(db, posting, name="Pat Panel")
    newcomer = interviewer(name="New Comer")
    inbox, controller = smtp_server()
    smtp_config(controller.port)
    monkeypatch.setattr(mail, "_smtp_send", lambda message: {}["no such setting"])
    login_as(Role.HR)

    added = client.post(f"/hiring/applications/{application.id}/interviews",
                        data={"interviewer_id": newcomer.id, "add": "1"}, follow_redirects=True)
    controller.stop()

    assert "New Comer will interview Pat Panel" in text(added)
    assert db.session.scalar(select(InterviewAssignment.id).where(InterviewAssignment.interviewer_id == newcomer.id))
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == newcomer.email))
    assert (message.status.value, message.attempts, message.last_error) == ("pending", 1, "KeyError: 'no such setting'")
    assert inbox.messages == []


# Compare and calibration -------------------------------------------------------------------------
def test_compare_shows_active_candidates_with_scores_and_flags(db, client, login_as, interviewer, posting):
    strong, split = make_application(db, posting, name="Alex Strong"), make_application(db, posting, name="Bo Split")
    make_application(db, posting, name="Rae Rejected", stage=Stage.REJECTED)
    make_application(db, posting, name="Wes Withdrawn", stage=Stage.WITHDRAWN)
    for scores in ([5, 5, 5], [5, 5, 4]):
        score(assign(db, strong, interviewer()), scores)
    for scores in ([1, 3, 3], [4, 3, 3]):
        score(assign(db, split, interviewer()), scores)
    login_as(Role.HR)

    page = text(client.get(f"/hiring/postings/{posting.id}/compare"))
    assert "Alex Strong" in page and "Bo Split" in page
    assert "Rae Rejected" not in page and "Wes Withdrawn" not in page
    assert "4.90" in page and "2 yes" in page  # 50 × 5 + 30 × 5 + 20 × 4.5 = 490
    first = criteria_of(posting)[0]
    assert page.count(first.title) == 1  # Bo's ratings on it differ by 3


def test_compare_runs_a_fixed_number_of_queries(db, client, login_as, interviewer, posting, count_queries):
    login_as(Role.HR)
    url = f"/hiring/postings/{posting.id}/compare"

    def queries():
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    score(assign(db, make_application(db, posting), interviewer()), [3, 3, 3])
    queries()  # the first request also loads what the session keeps
    few = queries()
    for _ in range(4):
        score(assign(db, make_application(db, posting), interviewer()), [4, 4, 4])
    assert queries() == few


def test_calibration_shows_how_an_interviewer_rates_against_colleagues(db, client, login_as, interviewer, posting):
    generous, other = interviewer(name="Gen Erous"), interviewer()
    for name in ("Ana", "Ben"):
        application = make_application(db, posting, name=name)
        score(assign(db, application, generous), [4, 4, 4])
        score(assign(db, application, other), [3, 3, 3])
    login_as(Role.HR)

    page = text(client.get(f"/hiring/interviewers/{generous.id}/calibration"))
    assert "Gen Erous" in page and "rates <strong>1.0 higher</strong> than colleagues on average" in page
    assert "+1.00" in page


