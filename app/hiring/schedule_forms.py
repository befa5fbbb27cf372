"""The form HR schedules (or changes) an interview with: day and start in the site's time, length, place or
video link, and the panel."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from wtforms import DateField, StringField, SubmitField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.extensions import db
from app.fields import MultiCheckboxField, WholeNumberField
from app.forms import AppForm
from app.hiring.scheduling import MAX_MINUTES, MIN_MINUTES, Slot
from app.models import Interview, User
from app.timezones import local


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class ScheduleForm(AppForm):
    day = DateField("Date", validators=[InputRequired("Enter the interview's date.")])
    start = TimeField("Start time", validators=[InputRequired("Enter the start time, such as 09:00.")])
    minutes = WholeNumberField(
        "Length (minutes)", default=60,
        validators=[InputRequired("Enter the length in minutes."),
                    NumberRange(MIN_MINUTES, MAX_MINUTES,
                                f"An interview lasts between {MIN_MINUTES} and {MAX_MINUTES} minutes.")])
    location = StringField("Place", filters=[_stripped], validators=[Optional(), Length(max=200)],
                           description="Room and address. Leave blank for a video interview.")
    video_url = StringField("Video link", filters=[_stripped], validators=[Optional(), Length(max=500)],
                            description="An https:// meeting link. Leave blank for an in-person interview.")
    interviewer_ids = MultiCheckboxField("Interviewers", coerce=int,
                                         description="Staff with the interviewer permission. Each gets the invitation "
                                                     "and a place on the scorecard panel.")
    submit = SubmitField("Schedule interview")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = db.session.scalars(select(User).where(User.active, User.is_interviewer).order_by(User.name, User.id))
        self.people = {user.id: user for user in people}
        self.interviewer_ids.choices = [(user.id, user.name) for user in self.people.values()]

    def validate_video_url(self, field) -> None:
        if field.data:
            parts = urlsplit(field.data)
            if parts.scheme != "https" or not parts.netloc or " " in field.data:
                raise ValidationError("Enter the whole meeting link, starting with https://.")

    def validate_interviewer_ids(self, field) -> None:
        if not field.data:
            raise ValidationError("Choose at least one interviewer.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not (self.location.data or self.video_url.data):
            self.location.errors.append("Give the place or the video link, so people know where to go.")
            return False
        return valid

    def slot(self) -> Slot:
        return Slot(day=self.day.data, start=self.start.data, minutes=self.minutes.data,
                    location=self.location.data or "", video_url=self.video_url.data or "",
                    interviewers=tuple(self.people[i] for i in self.interviewer_ids.data))

    @staticmethod
    def data_for(interview: Interview, panel: list[User]) -> dict:
        there = local(interview.starts_at, interview.time_zone)
        return {"day": there.date(), "start": there.time().replace(tzinfo=None), "minutes": interview.minutes,
                "location": interview.location, "video_url": interview.video_url,
                "interviewer_ids": [person.id for person in panel]}
