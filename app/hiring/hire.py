"""Hire: the candidate becomes an employee with an invitation, and onboarding shaped by their interviews."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access import role_required
from app.audit import acting_as, record
from app.auth.services import invite_user, normalize_email
from app.extensions import db
from app.hiring import bp, scoring
from app.hiring.interview_forms import RECOMMENDATION_LABELS, HireForm
from app.hiring.scoring import CLOSED_STAGES, SEES_ALL
from app.models import Application, Assignment, CheckIn, Role, RoleFamily, Site, Stage, StageChange, User, Value
from app.onboarding import check_ins
from app.onboarding import services as onboarding
from app.webhooks import events as webhook_events

log = logging.getLogger(__name__)


NEVER_LINKED = (Role.ADMIN, Role.HR)  # accounts a hire from a public application may never take over


class HireError(Exception):
    """A hire that cannot be made, with a message the person can act on."""


@dataclass
class HireResult:
    employee: User
    invited: bool  # False when an existing account was linked
    assignments: list[Assignment]
    low_values: list[str]
    check_ins: list[CheckIn] = field(default_factory=list)


def existing_account(application: Application) -> User | None:
    """The account that already uses the application's e-mail, if any."""
    return db.session.scalar(select(User).where(User.email == normalize_email(application.email)))


def link_refusal(account: User) -> str | None:
    """Why a hire can never be linked to this existing account, whatever HR confirms; None when it can."""
    if not account.active:
        return f"{account.email} belongs to a deactivated account. An admin must reactivate it before hiring."
    if account.role in NEVER_LINKED:
        return (f"{account.email} belongs to {account.name}'s {account.role.label} account. A hire is never linked "
                "to an admin or HR account, so this application cannot be hired under that address and nothing was "
                "changed. Anyone can type any address into the careers form: check with the candidate which e-mail "
                "address is really theirs.")
    return None


def account_summary(account: User) -> str:
    """The account in a few words: its role, and its site when it has one."""
    return f"{account.role.label} at {account.site.name}" if account.site else account.role.label


def hire_applicant(application: Application, *, actor: User, start_date: date, site: Site,
                   role_family: RoleFamily, manager: User | None, today: date,
                   same_person: bool = False) -> HireResult:
    """Create the employee, move the application to hired, assign onboarding with development modules for
    each value the interviews rated 2.5 or lower, and schedule the check-ins on the posting's rubric.

    The application's e-mail is whatever the applicant typed, so an account that already uses it is linked only
    when HR confirms (same_person) that the applicant is that account's holder, and never when it is an admin or
    HR account. A linked account takes this hire's site, role family and start date; its manager, role and
    department stay as they are (an admin changes those on the account)."""
    # Re-read under a row lock: a second click or a second HR user waits, then sees "already hired".
    application = db.session.scalars(select(Application).where(Application.id == application.id)
                                     .with_for_update().execution_options(populate_existing=True)).one()
    name = application.name
    if refusal(application):
        raise HireError(refusal(application))
    if start_date is None:
        raise HireError("Enter the start date.")
    if manager is not None and not manager.active:
        raise HireError(f"{manager.name} is deactivated; choose an active manager.")
    email = normalize_email(application.email)
    with acting_as(db.session, actor.id):
        employee = existing_account(application)
        invited = employee is None
        if employee is None:
            employee = invite_user(actor=actor, email=email, name=name, site=site, role_family=role_family,
                                   manager=manager, department=application.posting.department, start_date=start_date)
        else:
            problem = link_refusal(employee)
            if problem is None and not same_person:
                problem = (f"{employee.email} already belongs to {employee.name}'s account "
                           f"({account_summary(employee)}). Anyone can type any address into the careers form, so "
                           f"tick “{employee.name} is this applicant” only once you know it is the same person; "
                           "otherwise check with the candidate which e-mail address is really theirs.")
            if problem:
                raise HireError(problem)
            employee.site, employee.role_family, employee.start_date = site, role_family, start_date
        db.session.add(StageChange(application_id=application.id, from_stage=application.stage, to_stage=Stage.HIRED,
                                   reason=f"Hired to start {start_date.isoformat()}", actor_id=actor.id))
        application.stage = Stage.HIRED
        application.hired_user_id = employee.id
        low = scoring.low_values(application)
        db.session.flush()
        assignments = onboarding.assign_on_hire(employee, actor=actor, today=today, low_values=low)
        scheduled = check_ins.schedule_if_current(employee, actor=actor, today=today)  # finds this application
        record(db.session, "application.hired", application, employee_id=employee.id, invited=invited,
               start_date=start_date, low_values=low)
        webhook_events.employee_hired(application, employee)
        db.session.flush()
    db.session.expire(application, ["stage_changes"])
    log.info("application %s hired as user %s by %s (low values %s)", application.id, employee.id, actor.id, low)
    return HireResult(employee, invited, assignments, low, scheduled)


def refusal(application: Application) -> str | None:
    """Why this application cannot be hired from, or None when it can."""
    if application.stage is Stage.HIRED or application.hired_user_id is not None:
        return f"{application.name} is already hired."
    if application.stage in CLOSED_STAGES or application.archived:
        state = "archived" if application.archived else application.stage.value
        return f"{application.name}'s application is {state}, so they cannot be hired from it."
    return None


def summary(result: HireResult) -> str:
    """What happened, in the words the flash message uses."""
    employee = result.employee
    manager = employee.manager.name if employee.manager else "none yet"
    done = (f"{employee.name} is hired. An invitation to set a password went to {employee.email}." if result.invited
            else f"{employee.name} is hired; their existing account ({employee.email}) now has this hire's site, "
                 f"role family and start date, and keeps its manager ({manager}).")
    tracks = len(result.assignments)
    done += f" {tracks} onboarding track{'s' if tracks != 1 else ''} assigned."
    if result.check_ins:
        days = [str(check_in.day) for check_in in result.check_ins]
        done += (f" Check-ins scheduled for days {', '.join(days[:-1])} and {days[-1]} after the start date."
                 if len(days) > 1 else f" A check-in scheduled for day {days[0]} after the start date.")
    if not result.low_values:
        return done + " No value was rated 2.5 or lower, so no development modules were added."
    names = dict(db.session.execute(select(Value.key, Value.name).where(Value.key.in_(result.low_values))).all())
    return done + " Development modules added for " + ", ".join(names.get(k, k) for k in result.low_values) + "."


@bp.route("/applications/<int:application_id>/hire", methods=["GET", "POST"])
@role_required(*SEES_ALL)
def hire(application_id: int):
    """Ask start date, site, role family and manager (or show the account that already uses the e-mail and ask HR
    to confirm it is the applicant's); then hire and start onboarding."""
    application = db.get_or_404(Application, application_id)
    back = url_for(".interviews", application_id=application.id)
    if refusal(application):
        flash(refusal(application), "info")
        return redirect(back)
    form = HireForm(data=None if request.method == "POST" else HireForm.data_for(application))
    account = existing_account(application)
    if account is not None:
        form.same_person.label.text = f"{account.name} is this applicant: link the hire to this account"
    if form.validate_on_submit():
        manager = db.session.get(User, form.manager_id.data) if form.manager_id.data else None
        try:
            result = hire_applicant(application, actor=current_user, start_date=form.start_date.data,
                                    site=db.get_or_404(Site, form.site_id.data),
                                    role_family=RoleFamily(form.role_family.data), manager=manager, today=date.today(),
                                    same_person=bool(form.same_person.data))
        except (HireError, onboarding.OnboardingError) as problem:
            db.session.rollback()
            flash(str(problem), "danger")
        else:
            message = summary(result)
            db.session.commit()
            flash(message, "success")
            return redirect(back)
    blind = application.id in scoring.blind_application_ids(current_user, [application.id])
    scores = scoring.scores_for([application.id])[application.id]
    return render_template("hiring/interviews/hire.html", application=application, form=form, blind=blind,
                           scores=scores, low=[] if blind else scores.low_values(),
                           recommendations=RECOMMENDATION_LABELS, account=account,
                           account_refusal=link_refusal(account) if account else None)

