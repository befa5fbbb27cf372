"""HR's offer pages: writing a version, approving and sending it, the printable letter and the letter template."""

from __future__ import annotations

import logging
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import mail
from app.access import role_required
from app.actions import carry_out
from app.auth.forms import EmptyForm
from app.extensions import db
from app.hiring import bp, offer_letters
from app.hiring import offer_services as services
from app.hiring.offer_forms import OfferForm, OfferLetterForm
from app.hiring.offer_letters import LetterTemplateError
from app.hiring.offer_services import STATUS_LABELS, OfferError, Terms
from app.models import Application, EmploymentType, Offer, PayPeriod, Role

log = logging.getLogger(__name__)
HIRING = (Role.HR, Role.ADMIN)


def offer_summary(application: Application) -> dict:
    """What the application page's offer section shows: every version, newest first, and the accepted one."""
    offers = services.versions(application)
    accepted = next((offer for offer in offers if offer.status.value == "accepted"), None)
    return {"offers": offers, "latest": offers[0] if offers else None, "accepted": accepted,
            "labels": STATUS_LABELS, "needs_approval": services.needs_approval,
            "can_offer": application.stage not in services.CLOSED and not application.archived and accepted is None}


@bp.route("/applications/<int:application_id>/offers/new", methods=["GET", "POST"])
@role_required(*HIRING)
def new_offer(application_id: int):
    """Write an offer (or a revised version): title, start date, pay, employment type, expiry."""
    application = db.get_or_404(Application, application_id)
    versions = services.versions(application)
    today = date.today()
    form = OfferForm(data=None if request.method == "POST" else OfferForm.data_for(application, versions[0] if versions else None,
                                                                        today))
    if form.validate_on_submit():
        terms = Terms(title=form.title.data, start_date=form.start_date.data, pay_cents=form.pay_cents(),
                      pay_period=PayPeriod(form.pay_period.data),
                      employment_type=EmploymentType(form.employment_type.data), expires_on=form.expires_on.data)
        try:
            offer = services.make_offer(application, terms, actor=current_user, today=today)
        except OfferError as problem:
            form.form_errors.append(str(problem))
        else:
            db.session.commit()
            next_step = ("It needs approval by another HR user or an admin before it can be sent."
                         if services.needs_approval(offer) else "Read the letter, then send it.")
            flash(f"Version {offer.version} of the offer to {application.name} is saved. {next_step}", "success")
            return redirect(url_for(".offer", offer_id=offer.id))
    return render_template("hiring/offers/new.html", application=application, form=form, versions=versions,
                           approval=services.approval_required())


@bp.get("/offers/<int:offer_id>")
@role_required(*HIRING)
def offer(offer_id: int):
    """One version of an offer: its terms, approval and sending, its letter and the other versions."""
    offer = db.get_or_404(Offer, offer_id)
    application = offer.application
    subject, text = (offer.letter_subject, offer.letter_text) if offer.sent_at else offer_letters.compose(offer)
    return render_template(
        "hiring/offers/offer.html", offer=offer, application=application, versions=services.versions(application),
        labels=STATUS_LABELS, needs_approval=services.needs_approval(offer), approval=services.approval_required(),
        subject=subject, letter=offer_letters.as_html(text), pay=offer_letters.pay_text(offer), form=EmptyForm())


@bp.post("/offers/<int:offer_id>/approve")
@role_required(*HIRING)
def approve_offer(offer_id: int):
    """Approve a version: a second HR user or an admin, never its author."""
    offer = db.get_or_404(Offer, offer_id)
    if EmptyForm().validate_on_submit():
        carry_out(lambda: services.approve_offer(offer, actor=current_user), OfferError,
                  f"Version {offer.version} of the offer is approved; it can be sent.")
    return redirect(url_for(".offer", offer_id=offer.id))


@bp.post("/offers/<int:offer_id>/send")
@role_required(*HIRING)
def send_offer(offer_id: int):
    """Send the letter to the candidate; the application moves to the offer stage."""
    offer = db.get_or_404(Offer, offer_id)
    if EmptyForm().validate_on_submit():
        name = offer.application.name
        carry_out(lambda: services.send_offer(offer, actor=current_user, today=date.today()), OfferError,
                  f"The offer letter is on its way to {name}, with a link to accept or decline it.")
        mail.deliver_committed()
    return redirect(url_for(".offer", offer_id=offer.id))


@bp.get("/offers/<int:offer_id>/letter")
@role_required(*HIRING)
def offer_letter(offer_id: int):
    """The letter of one version as a printable page (as sent, or as it would be sent now)."""
    offer = db.get_or_404(Offer, offer_id)
    subject, text = (offer.letter_subject, offer.letter_text) if offer.sent_at else offer_letters.compose(offer)
    return render_template("hiring/offers/letter.html", offer=offer, application=offer.application, subject=subject,
                           letter=offer_letters.as_html(text), labels=STATUS_LABELS)


@bp.route("/offer-letter", methods=["GET", "POST"])
@role_required(*HIRING)
def offer_letter_template():
    """HR edits the organization's offer letter; unknown {fields} are refused at save."""
    subject, body = offer_letters.current()
    form = OfferLetterForm(data=None if request.method == "POST" else {"subject": subject, "body": body})
    if form.validate_on_submit():
        try:
            offer_letters.save(subject=form.subject.data, body=form.body.data, actor=current_user)
        except LetterTemplateError as problem:
            field = form[problem.field]
            field.errors = [*field.errors, problem.message]
        else:
            db.session.commit()
            flash("The offer letter is saved. Offers sent from now on use it.", "success")
            return redirect(url_for(".offer_letter_template"))
    return render_template("hiring/offers/template.html", form=form, fields=offer_letters.FIELDS)
