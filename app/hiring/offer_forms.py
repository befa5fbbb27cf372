"""Forms for offers: HR's terms, the offer letter template, and the candidate's answer."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from wtforms import DateField, DecimalField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation

from app.forms import AppForm, DateWithin, months_from_today
from app.models import EmploymentType, PayPeriod

MAX_PAY = Decimal("10000000")
BODY_MAX = 10000
PAY_MESSAGE = "Enter the pay in dollars, like 24.50 or 52000."


def pay_amount(form, field) -> None:
    """A positive amount of dollars and cents, below ten million."""
    value = field.data
    if value is None:
        raise StopValidation(PAY_MESSAGE)
    try:
        finite = value.is_finite()
        fine = finite and Decimal("0.01") <= value < MAX_PAY and value == value.quantize(Decimal("0.01"))
    except InvalidOperation:
        fine = False
    if not fine:
        raise StopValidation(f"{PAY_MESSAGE} It must be more than zero, with at most two decimals.")


class OfferForm(AppForm):
    title = StringField("Job title", validators=[DataRequired("Give the job title the offer is for."),
                                                 Length(max=160)])
    start_date = DateField("Start date", validators=[
        InputRequired("Enter the start date."),
        DateWithin(lambda today: today, months_from_today(12), "Choose a start date from today to a year ahead.")])
    pay = DecimalField("Pay (US dollars)", places=None, validators=[InputRequired(PAY_MESSAGE), pay_amount],
                       description="The amount for the period below, e.g. 24.50 an hour or 52000 a year.",
                       render_kw={"inputmode": "decimal"})
    pay_period = SelectField("Pay period", choices=[(p.value, f"Per {p.value}") for p in PayPeriod],
                             validators=[DataRequired("Choose the pay period.")])
    employment_type = SelectField("Employment type", choices=[(t.value, t.label) for t in EmploymentType],
                                  validators=[DataRequired("Choose the employment type.")])
    expires_on = DateField("Offer expires on", validators=[
        InputRequired("Enter the last day the candidate can answer."),
        DateWithin(lambda today: today, lambda today: today + timedelta(days=90),
                   "Choose an expiry date from today to 90 days ahead.")],
        description="The last day the candidate can accept; on or before the start date.")
    submit = SubmitField("Save this offer")

    @staticmethod
    def data_for(application, latest, today: date) -> dict:
        """A new offer starts from the latest version's terms, or from the posting."""
        if latest is not None:
            return {"title": latest.title, "start_date": latest.start_date, "pay": Decimal(latest.pay_cents) / 100,
                    "pay_period": latest.pay_period.value, "employment_type": latest.employment_type.value,
                    "expires_on": max(latest.expires_on, today)}
        posting = application.posting
        return {"title": posting.title, "employment_type": posting.employment_type.value,
                "pay_period": PayPeriod.HOUR.value}

    def pay_cents(self) -> int:
        return int(self.pay.data * 100)


class OfferLetterForm(AppForm):
    subject = StringField("Subject", validators=[DataRequired("Give the letter a subject."), Length(max=200)])
    body = TextAreaField("Letter", render_kw={"rows": 18},
                         validators=[DataRequired("Write the letter."), Length(max=BODY_MAX)])
    submit = SubmitField("Save the letter")


class OfferAnswerForm(AppForm):
    """The candidate's answer: one of two buttons (and the CSRF token)."""

    accept = SubmitField("Accept this offer")
    decline = SubmitField("Decline this offer")
