"""HR's pages for candidate e-mail: the organization's stage letters (list, edit, preview) and the one-off
message from an application's page, whose form and timeline the page's partial asks for."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app import mail
from app.access import role_required
from app.actions import carry_out
from app.extensions import db
from app.hiring import bp, one_off_messages
from app.hiring import message_templates as letters
from app.hiring.message_forms import FIELD_HELP, CandidateMessageForm, LetterTemplateForm
from app.models import Application, Role

log = logging.getLogger(__name__)
HIRING = (Role.HR, Role.ADMIN)


@bp.get("/messages")
@role_required(*HIRING)
def message_templates():
    """The letters a candidate gets on a stage change, with their current subject."""
    return render_template("hiring/messages/index.html", letters=letters.LETTERS, saved=letters.templates())


@bp.route("/messages/<key>", methods=["GET", "POST"])
@role_required(*HIRING)
def message_template(key: str):
    """Edit one letter; Preview fills it in for a sample candidate without saving."""
    letter = letters.LETTERS.get(key) or abort(404)
    template = letters.template_for(key)
    form = LetterTemplateForm(data={"subject": template.subject, "body": template.body})
    subject, body = template.subject, template.body
    if form.validate_on_submit():
        if form.preview.data:
            subject, body = form.subject.data, form.body.data
            flash("This is a preview; nothing is saved until you choose Save letter.", "info")
        elif carry_out(lambda: letters.save_template(key, subject=form.subject.data, body=form.body.data,
                                                     actor=current_user),
                       letters.TemplateError, f"The {letter.title.lower()} letter is saved."):
            return redirect(url_for(".message_templates"))
    elif form.is_submitted():
        subject = body = None
    preview = None
    if subject is not None and not letters.problems(subject) and not letters.problems(body):
        values = letters.sample_values()
        preview = {"subject": letters.fill(subject, values), "body": letters.fill(body, values)}
    return render_template("hiring/messages/edit.html", letter=letter, template=template, form=form,
                           preview=preview, field_help=FIELD_HELP)


@bp.post("/applications/<int:application_id>/message")
@role_required(*HIRING)
def message_candidate(application_id: int):
    """Send HR's one-off message to the candidate through the outbox."""
    application = db.get_or_404(Application, application_id)
    form = CandidateMessageForm()
    back = redirect(url_for(".candidate", application_id=application.id, _anchor="timeline-heading"))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(f"Nothing was sent: {error}", "danger")
        return back
    carry_out(lambda: one_off_messages.send_message(application, subject=form.subject.data, body=form.body.data,
                                                    actor=current_user),
              one_off_messages.MessageRefused, f"Your message to {application.name} is queued and listed in the timeline.")
    mail.deliver_committed()
    return back
