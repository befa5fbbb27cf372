"""The webhook endpoint form."""

from __future__ import annotations

from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.fields import MultiCheckboxField
from app.forms import AppForm
from app.models import WebhookEvent
from app.webhooks.addresses import MAX_URL_LENGTH


class EventsField(MultiCheckboxField):
    """The event checkboxes; an empty value (what a form sends with none ticked) counts as none."""

    def process_formdata(self, valuelist):
        super().process_formdata([value for value in valuelist if value])


class WebhookForm(AppForm):
    url = StringField("URL that receives the events", validators=[
        DataRequired("Enter the URL that receives the events."), Length(max=MAX_URL_LENGTH)],
        description="An https:// address on the receiving system, e.g. https://hris.example.org/hooks/onboarding.",
        render_kw={"inputmode": "url", "autocomplete": "off"})
    description = StringField("What it is for", validators=[Length(max=200)],
                              description="For example “Payroll: new hires”. Shown only here.")
    events = EventsField("Events to send", choices=[(e.value, e.label) for e in WebhookEvent],
                                validators=[DataRequired("Choose at least one event to send to this URL.")])
    submit = SubmitField("Save")
