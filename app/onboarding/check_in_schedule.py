"""HR's check-in schedule: the days after the start date on which each role family's new hires have a
check-in, the default row for the families without their own."""

from __future__ import annotations

import logging
import re

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from app.access import role_required
from app.extensions import db
from app.forms import AppForm
from app.models import CheckInSchedule, Role, RoleFamily
from app.models.check_ins import DEFAULT_OFFSETS
from app.onboarding import bp
from app.onboarding.check_ins import MAX_DAY, CheckInError, set_offsets

log = logging.getLogger(__name__)

DEFAULT = "default"
MAX_CHECK_INS = 12
EXAMPLE = "30, 60, 90"


def parse_days(text: str) -> list[int]:
    """Whole numbers of days separated by commas (or spaces); raises ValueError with a message a person can act
    on: what is wrong and how to write it."""
    parts = [part for part in re.split(r"[,;\s]+", text or "") if part]
    if not parts:
        raise ValueError(f"Enter the days after the start date, separated by commas, such as {EXAMPLE}.")
    days: list[int] = []
    for part in parts:
        if not part.isascii() or not part.isdigit():
            raise ValueError(f"“{part}” is not a whole number of days. Write whole numbers separated by commas, "
                             f"such as {EXAMPLE}.")
        day = int(part)
        if not 1 <= day <= MAX_DAY:
            raise ValueError(f"Day {day} is not between 1 and {MAX_DAY}: check-ins fall on a day after the start "
                             f"date, within the first two years.")
        if day in days:
            raise ValueError(f"Day {day} is listed twice; list each day once.")
        days.append(day)
    if len(days) > MAX_CHECK_INS:
        raise ValueError(f"That is {len(days)} check-ins; a schedule has at most {MAX_CHECK_INS}.")
    return sorted(days)


def _days(form, field) -> None:
    try:
        field.parsed = parse_days(field.data)
    except ValueError as problem:
        raise ValidationError(str(problem)) from None


class CheckInScheduleForm(AppForm):
    schedule = SelectField("Schedule", choices=[(DEFAULT, "Default (every role family without its own)"),
                                                *RoleFamily.choices()],
                           validators=[InputRequired("Choose the schedule to change.")])
    days = StringField("Days after the start date", validators=[Length(max=200), _days],
                       description=f"Whole numbers separated by commas, such as {EXAMPLE}; from 1 to {MAX_DAY}.")
    submit = SubmitField("Save schedule")


def _family(key: str) -> RoleFamily | None:
    return None if key == DEFAULT else RoleFamily(key)


def _schedule_name(family: RoleFamily | None) -> str:
    return "The default schedule" if family is None else f"The {family.label} schedule"


def _who(family: RoleFamily | None) -> str:
    return "New hires without a schedule of their own" if family is None else f"New hires in {family.label}"


def _rows() -> tuple[list[int], list[dict]]:
    """The default's days, and each role family with its days and whether they are its own."""
    saved = {row.role_family: sorted(row.offsets) for row in db.session.scalars(select(CheckInSchedule))}
    default = saved.get(None) or list(DEFAULT_OFFSETS)
    rows = [{"key": family.value, "label": family.label, "days": saved.get(family) or default,
             "own": family in saved} for family in RoleFamily]
    return default, rows


def _said(days: list[int]) -> str:
    return ", ".join(map(str, days[:-1])) + f" and {days[-1]}" if len(days) > 1 else str(days[0])


@bp.route("/check-in-schedule", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def check_in_schedule():
    """The default and each role family's check-in days; change one with the form below the table."""
    default, rows = _rows()
    form = CheckInScheduleForm()
    if form.validate_on_submit():
        family = _family(form.schedule.data)
        days = form.days.parsed
        current = db.session.scalar(select(CheckInSchedule).where(
            CheckInSchedule.role_family.is_(None) if family is None else CheckInSchedule.role_family == family))
        if current is not None and sorted(current.offsets) == days:
            flash(f"{_schedule_name(family)} already has days {_said(days)}; nothing changed.", "info")
            return redirect(url_for(".check_in_schedule"))
        try:
            set_offsets(family, days, actor=current_user)
        except CheckInError as problem:
            db.session.rollback()
            form.days.errors = [str(problem)]
        else:
            db.session.commit()
            log.info("check-in schedule %s set by %s", form.schedule.data, current_user.id)
            flash(f"{_who(family)} now have check-ins on days {_said(days)} after the start date. Check-ins "
                  "already scheduled keep their dates.", "success")
            return redirect(url_for(".check_in_schedule"))
    elif not form.is_submitted():
        chosen = request.args.get("schedule", DEFAULT)
        chosen = chosen if chosen in dict(form.schedule.choices) else DEFAULT
        form.schedule.data = chosen
        own = next((row for row in rows if row["key"] == chosen), None)
        form.days.data = ", ".join(map(str, own["days"] if own else default))
    return render_template("onboarding/check_in_schedule.html", form=form, default=default, rows=rows,
                           max_day=MAX_DAY)
