"""Reminder preferences: the signed-in employee turns due-soon reminder e-mails (modules and check-ins) off or on."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import BooleanField, SubmitField

from app.extensions import db
from app.forms import AppForm
from app.models import User
from app.onboarding import bp
from app.reminders import DUE_SOON_DAYS

log = logging.getLogger(__name__)


class ReminderPreferencesForm(AppForm):
    due_soon = BooleanField(f"E-mail me about modules and check-ins due in the next {DUE_SOON_DAYS} days")
    submit = SubmitField("Save reminder settings")


def set_due_soon_reminders(user: User, enabled: bool, *, actor: User) -> bool:
    """Turn a user's due-soon reminders on or off; returns whether anything changed. Flushes."""
    if user.due_soon_reminders == enabled:
        return False
    user.due_soon_reminders = enabled
    db.session.flush()  # the audit listener records the change with the acting user
    log.info("user %s turned due-soon reminders %s (by %s)", user.id, "on" if enabled else "off", actor.id)
    return True


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """The signed-in user's reminder settings; overdue reminders always go out."""
    form = ReminderPreferencesForm()
    if form.validate_on_submit():
        enabled = bool(form.due_soon.data)
        set_due_soon_reminders(current_user, enabled, actor=current_user)
        db.session.commit()
        if enabled:
            flash(f"You will get e-mail about modules and check-ins due in the next {DUE_SOON_DAYS} days, and about overdue"
                  " ones.", "success")
        else:
            flash("Due-soon reminders are off. You will still get e-mail about overdue modules and check-ins.", "success")
        return redirect(url_for(".preferences"))
    if not form.is_submitted():
        form.due_soon.data = current_user.due_soon_reminders
    return render_template("onboarding/preferences.html", form=form, due_soon_days=DUE_SOON_DAYS)
