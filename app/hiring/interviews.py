"""Interviews: HR names each candidate's panel, interviewers score independently, HR compares and calibrates."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import mail
from app.access import interviewer_required, role_required
from app.actions import carry_out
from app.extensions import db
from app.hiring import bp, scoring
from app.hiring.interview_forms import (
    RECOMMENDATION_LABELS,
    AddInterviewerForm,
    AmendForm,
    RemoveInterviewerForm,
    scorecard_form,
)
from app.hiring.scoring import CLOSED_STAGES, SEES_ALL, ScorecardError, ScorecardProblems
from app.models import (
    Application,
    Interview,
    InterviewAssignment,
    InterviewPanelist,
    KitItem,
    Posting,
    Question,
    Role,
    Scorecard,
    ScorecardStatus,
    Stage,
    User,
)

log = logging.getLogger(__name__)
COMPARERS = (Role.HR, Role.ADMIN)
CALIBRATORS = (Role.HR,)
LABELS = {"recommendations": RECOMMENDATION_LABELS}


# The panel --------------------------------------------------------------------------------------
def assign_interviewer(application: Application, interviewer: User, *, actor: User) -> InterviewAssignment:
    """Name an interviewer for an application (once) and e-mail them the link to their scorecard."""
    if application.stage in CLOSED_STAGES:
        raise ScorecardError(f"{application.name}'s application is {application.stage.value}; interviews are closed.")
    if not (interviewer.active and interviewer.is_interviewer):
        raise ScorecardError(f"{interviewer.name} does not hold the interviewer permission.")
    if db.session.scalar(select(InterviewAssignment.id).where(
            InterviewAssignment.application_id == application.id, InterviewAssignment.interviewer_id == interviewer.id)):
        raise ScorecardError(f"{interviewer.name} already interviews {application.name}.")
    assignment = InterviewAssignment(application_id=application.id, interviewer_id=interviewer.id)
    db.session.add(assignment)
    db.session.flush()
    mail.queue(kind="interview", dedupe_key=f"interview:{assignment.id}", recipient=interviewer.email,
               subject=f"Interview to score: {application.name}",
               body=f"Hello {interviewer.name},\n\nYou are on the interview panel for {application.name} "
                    f"({application.posting.title}). The kit and your scorecard are here:\n\n"
                    f"{mail.external_url('hiring.interview', assignment_id=assignment.id)}\n")
    log.info("interviewer %s assigned to application %s by %s", interviewer.id, application.id, actor.id)
    return assignment


def remove_interviewer(assignment: InterviewAssignment, *, actor: User) -> None:
    """Take an interviewer off a panel; refused once they have submitted (a draft stays on record)."""
    if scoring.has_submitted(assignment.application_id, assignment.interviewer_id):
        raise ScorecardError(f"{assignment.interviewer.name} has submitted a scorecard, so they stay on the panel.")
    if db.session.scalar(select(InterviewPanelist.id).join(Interview, Interview.id == InterviewPanelist.interview_id)
                         .where(InterviewPanelist.interviewer_id == assignment.interviewer_id,
                                Interview.application_id == assignment.application_id,
                                InterviewPanelist.removed_at.is_(None), Interview.cancelled_at.is_(None))):
        raise ScorecardError(f"{assignment.interviewer.name} is on a scheduled interview of this candidate; take them "
                             "off that interview (or cancel it) on the application page first.")
    db.session.delete(assignment)
    db.session.flush()
    log.info("interviewer %s removed from application %s by %s", assignment.interviewer_id,
             assignment.application_id, actor.id)


def card_states(*where) -> dict[tuple[int, int], Scorecard]:
    """(application id, interviewer id) -> that interviewer's latest revision."""
    cards = db.session.scalars(select(Scorecard).where(Scorecard.archived_at.is_(None), *where)
                               .order_by(Scorecard.revision))
    return {(card.application_id, card.interviewer_id): card for card in cards}


def state_label(card: Scorecard | None) -> str:
    if card is None:
        return "not started"
    if card.status is ScorecardStatus.SUBMITTED:
        return "submitted"
    return "amendment in draft" if card.revision > 1 else "draft"


def _people(ids) -> dict[int, User]:
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(set(ids))))}


# HR: the panel and the scores --------------------------------------------------------------------
@bp.route("/applications/<int:application_id>/interviews", methods=["GET", "POST"])
@role_required(*SEES_ALL)
def interviews(application_id: int):
    """A candidate's interviewers (add one, remove one who has not submitted) and the scores so far."""
    application = db.get_or_404(Application, application_id)
    add_form = AddInterviewerForm(application)
    if request.method == "POST":
        if "remove" in request.form:
            remove_form = RemoveInterviewerForm()
            valid = remove_form.validate_on_submit()
            assignment = db.session.get(InterviewAssignment, remove_form.assignment_id.data) if valid else None
            if assignment is None or assignment.application_id != application.id:
                abort(400)
            name = assignment.interviewer.name
            carry_out(lambda: remove_interviewer(assignment, actor=current_user), ScorecardError,
                      f"{name} is off {application.name}'s panel.", refused_category="warning")
            return redirect(url_for(".interviews", application_id=application.id))
        if add_form.validate_on_submit():
            interviewer = db.get_or_404(User, add_form.interviewer_id.data)
            carry_out(lambda: assign_interviewer(application, interviewer, actor=current_user), ScorecardError,
                      f"{interviewer.name} will interview {application.name} and has been e-mailed the link.",
                      refused_category="warning")
            return redirect(url_for(".interviews", application_id=application.id))
    panel = db.session.scalars(select(InterviewAssignment).options(selectinload(InterviewAssignment.interviewer))
                               .where(InterviewAssignment.application_id == application.id)
                               .order_by(InterviewAssignment.id)).all()
    states = card_states(Scorecard.application_id == application.id)
    submitted = {i for (_, i), card in states.items() if card.status is ScorecardStatus.SUBMITTED or card.revision > 1}
    blind = application.id in scoring.blind_application_ids(current_user, [application.id])
    cards = scoring.visible_scorecards(application, current_user)
    return render_template(
        "hiring/interviews/application.html", application=application, panel=panel, add_form=add_form,
        states={i: state_label(card) for (_, i), card in states.items()}, submitted=submitted, blind=blind,
        cards=cards, names=_people(c.interviewer_id for c in cards), criteria=scoring.criteria_for(
            application.posting.rubric_id), scores=scoring.scores_for([application.id])[application.id],
        hireable=application.stage not in CLOSED_STAGES and application.hired_user_id is None, **LABELS)


@bp.get("/postings/<int:posting_id>/compare")
@role_required(*COMPARERS)
def compare(posting_id: int):
    """The posting's candidates side by side: weighted score, recommendations, value means, disagreements."""
    posting = db.get_or_404(Posting, posting_id)
    applications = db.session.scalars(
        select(Application).where(Application.posting_id == posting.id, Application.archived_at.is_(None),
                                  Application.stage.not_in([Stage.REJECTED, Stage.WITHDRAWN]))
        .order_by(Application.name, Application.id)).all()
    ids = [a.id for a in applications]
    criteria = scoring.criteria_for(posting.rubric_id)
    values = list({c.value.key: c.value for c in criteria}.values())
    return render_template("hiring/interviews/compare.html", posting=posting, applications=applications,
                           scores=scoring.scores_for(ids), blind=scoring.blind_application_ids(current_user, ids),
                           values=values, **LABELS)


@bp.get("/interviewers/<int:user_id>/calibration")
@role_required(*CALIBRATORS)
def calibration(user_id: int):
    """How one interviewer's ratings compare with their colleagues' on the same candidates."""
    interviewer = db.get_or_404(User, user_id)
    rows, overall = scoring.calibration(interviewer, hide=scoring.pending_interviews(current_user))
    return render_template("hiring/interviews/calibration.html", interviewer=interviewer, rows=rows, overall=overall)


# Interviewers ------------------------------------------------------------------------------------
@bp.get("/my-interviews")
@interviewer_required
def my_interviews():
    """The signed-in interviewer's candidates, with the state of each scorecard."""
    panel = db.session.scalars(
        select(InterviewAssignment).join(Application, Application.id == InterviewAssignment.application_id)
        .options(selectinload(InterviewAssignment.application).selectinload(Application.posting))
        .where(InterviewAssignment.interviewer_id == current_user.id, Application.archived_at.is_(None))
        .order_by(InterviewAssignment.created_at.desc(), InterviewAssignment.id.desc())).all()
    states = card_states(Scorecard.interviewer_id == current_user.id)
    rows = [(a, state_label(states.get((a.application_id, current_user.id)))) for a in panel]
    rows.sort(key=lambda row: row[1] == "submitted")  # what still needs doing first, newest first within
    from app.hiring.scheduling import scheduled_for  # scheduling builds on this module's panel

    times: dict[int, list] = {}
    for scheduled in scheduled_for(current_user):
        times.setdefault(scheduled.application_id, []).append(scheduled)
    return render_template("hiring/interviews/mine.html", rows=rows, times=times)


def _page(assignment: InterviewAssignment, form=None, amend_form=None):
    application = assignment.application
    mine = assignment.interviewer_id == current_user.id and current_user.is_interviewer
    card = scoring.working_scorecard(assignment)
    criteria = scoring.criteria_for(card.rubric_id if card else application.posting.rubric_id)
    editable = mine and (card is None or card.status is ScorecardStatus.DRAFT)
    kit = db.session.scalars(select(KitItem).options(selectinload(KitItem.question).selectinload(Question.value))
                             .where(KitItem.posting_id == application.posting_id).order_by(KitItem.position)).all()
    others = [c for c in scoring.visible_scorecards(application, current_user)
              if c.interviewer_id != assignment.interviewer_id]
    hidden = not mine and application.id in scoring.blind_application_ids(current_user, [application.id])
    from app.hiring import scheduling  # scheduling builds on this module's assign_interviewer

    return render_template(
        "hiring/interviews/interview.html", assignment=assignment, application=application, card=card,
        panel_interviews=scheduling.scheduled_for(assignment.interviewer, [assignment.application_id]),
        criteria=criteria, kit=kit, mine=mine, editable=editable, hidden=hidden, others=others,
        form=form or (scorecard_form(criteria, card) if editable else None),
        amend_form=amend_form or (AmendForm() if mine and card and card.status is ScorecardStatus.SUBMITTED else None),
        names=_people([assignment.interviewer_id, *(c.interviewer_id for c in others)]), **LABELS)


def _assignment_for(assignment_id: int, *, edit: bool) -> InterviewAssignment:
    """The assigned interviewer may act; HR and admins may only look; anyone else gets 403."""
    assignment = db.get_or_404(InterviewAssignment, assignment_id)
    mine = assignment.interviewer_id == current_user.id and current_user.is_interviewer
    if not mine and (edit or current_user.role not in SEES_ALL):
        abort(403)
    return assignment


@bp.route("/interviews/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def interview(assignment_id: int):
    """The kit beside the rubric, and the interviewer's scorecard: save a draft or submit (which locks it)."""
    assignment = _assignment_for(assignment_id, edit=request.method == "POST")
    if request.method == "GET":
        return _page(assignment)
    card = scoring.working_scorecard(assignment)
    criteria = scoring.criteria_for(card.rubric_id if card else assignment.application.posting.rubric_id)
    form = scorecard_form(criteria)
    if not form.validate_on_submit():
        return _page(assignment, form=form)
    submit = bool(form.submit.data)
    try:
        scoring.save_scorecard(assignment, actor=current_user, ratings=form.ratings(),
                               recommendation=form.recommendation_choice(), submit=submit)
    except ScorecardProblems as problems:
        db.session.rollback()
        form.show_problems(problems.problems)
        return _page(assignment, form=form)
    except ScorecardError as problem:
        db.session.rollback()
        flash(str(problem), "warning")
    else:
        db.session.commit()
        flash("Scorecard submitted. You can now see the other interviewers' submitted scores." if submit
              else "Draft saved. Only you can see it until you submit.", "success")
    return redirect(url_for(".interview", assignment_id=assignment.id))


@bp.post("/interviews/<int:assignment_id>/amend")
@login_required
def amend(assignment_id: int):
    """Start a new revision of a submitted scorecard, with the reason; it counts once submitted."""
    assignment = _assignment_for(assignment_id, edit=True)
    form = AmendForm()
    card = scoring.working_scorecard(assignment)
    if not form.validate_on_submit():
        return _page(assignment, amend_form=form)
    try:
        if card is None:
            raise ScorecardError("There is no submitted scorecard to amend yet.")
        amendment = scoring.amend_scorecard(card, actor=current_user, reason=form.reason.data)
    except ScorecardError as problem:
        db.session.rollback()
        flash(str(problem), "warning")
    else:
        db.session.commit()
        flash(f"Revision {amendment.revision} is a draft. Revision {card.revision} still counts until you submit it.",
              "success")
    return redirect(url_for(".interview", assignment_id=assignment.id))
