"""The candidate's answer to an offer, through the signed link in the offer letter (no account)."""

from __future__ import annotations

from datetime import date

from flask import render_template

from app.careers import bp, links
from app.extensions import db
from app.hiring import offer_letters
from app.hiring import offer_services as offers
from app.hiring.offer_forms import OfferAnswerForm


@bp.route("/offer/<token>", methods=["GET", "POST"])
def offer(token: str):
    """The offer letter with Accept and Decline; the answer is recorded once, while the offer is current."""
    form = OfferAnswerForm()
    try:
        offer = links.offer_for_link(token, today=date.today())
        if form.validate_on_submit():
            if not (form.accept.data or form.decline.data):
                form.form_errors.append("Choose Accept this offer or Decline this offer.")
            else:
                accept = bool(form.accept.data)
                offers.answer_offer(token, accept=accept, today=date.today())
                db.session.commit()
                if accept:
                    return render_template(
                        "careers/problem.html", title="Thank you: you accepted the offer",
                        message=f"We look forward to welcoming you as {offer.title} on "
                        f"{offer_letters.long_date(offer.start_date)}. Our hiring team will be in touch about "
                        "your first day.")
                return render_template(
                    "careers/problem.html", title="You declined the offer",
                    message="Thank you for letting us know, and for the time you gave us. We wish you well.")
    except links.InvalidLink as problem:  # raised before anything changed
        return render_template("careers/problem.html", title=problem.title, message=problem.message), 400
    return render_template("careers/offer.html", form=form, offer=offer, letter=offer_letters.as_html(offer.letter_text),
                           token=token, expires=offer_letters.long_date(offer.expires_on))
