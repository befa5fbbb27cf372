"""User administration rules: reporting lines, roles, deactivation."""

import pytest
from sqlalchemy import select

from app.access import can_view_employee, manages
from app.admin import services
from app.models import AuditEvent, Role


def profile(user, **changes):
    fields = dict(name=user.name, role=user.role, is_interviewer=user.is_interviewer, site=user.site,
                  department=user.department, role_family=user.role_family, manager=user.manager,
                  start_date=user.start_date)
    fields.update(changes)
    return fields


def test_manager_sees_direct_and_indirect_reports_but_not_other_teams(make_user):
    director = make_user(Role.MANAGER)
    lead = make_user(Role.MANAGER, manager=director)
    nurse = make_user(Role.STAFF, manager=lead)
    other_manager = make_user(Role.MANAGER)
    outsider = make_user(Role.STAFF, manager=other_manager)
    assert manages(lead, nurse) and manages(director, nurse)
    assert not manages(other_manager, nurse) and not manages(lead, outsider)
    assert can_view_employee(director, nurse)
    assert not can_view_employee(other_manager, nurse)
    assert not can_view_employee(nurse, outsider)
    assert can_view_employee(nurse, nurse)
    assert can_view_employee(make_user(Role.HR), outsider)


def test_reporting_line_cannot_loop(make_user, db):
    admin = make_user(Role.ADMIN)
    boss = make_user(Role.MANAGER)
    lead = make_user(Role.MANAGER, manager=boss)
    with pytest.raises(services.AdminError, match="loop"):
        services.update_user(boss, actor=admin, **profile(boss, manager=lead))
    assert boss.manager is None


def test_manager_must_hold_a_managing_role(make_user):
    admin = make_user(Role.ADMIN)
    staff = make_user(Role.STAFF)
    person = make_user(Role.STAFF)
    with pytest.raises(services.AdminError, match="manager role"):
        services.update_user(person, actor=admin, **profile(person, manager=staff))


def test_role_change_is_audited_with_before_and_after(make_user, db):
    admin = make_user(Role.ADMIN)
    person = make_user(Role.STAFF)
    from app.audit import acting_as

    with acting_as(db.session, admin.id):
        services.update_user(person, actor=admin, **profile(person, role=Role.HR, is_interviewer=True))
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.updated", AuditEvent.entity_id == person.id)
    ).all()[-1]
    assert event.before["role"] == "staff" and event.after["role"] == "hr"
    assert event.after["is_interviewer"] is True and event.actor_id == admin.id


def test_last_admin_cannot_be_demoted_or_deactivated(make_user):
    admin = make_user(Role.ADMIN)
    helper = make_user(Role.HR)
    with pytest.raises(services.AdminError, match="only active administrator"):
        services.update_user(admin, actor=helper, **profile(admin, role=Role.STAFF))
    with pytest.raises(services.AdminError, match="only active administrator"):
        services.deactivate_user(admin, actor=helper)


def test_deactivation_keeps_the_row_and_ends_sessions(make_user, db):
    admin = make_user(Role.ADMIN)
    person = make_user(Role.STAFF)
    token = person.session_token
    services.deactivate_user(person, actor=admin)
    assert person.active is False and person.deactivated_at is not None
    assert person.session_token != token
    with pytest.raises(services.AdminError, match="already deactivated"):
        services.deactivate_user(person, actor=admin)
    services.reactivate_user(person, actor=admin)
    assert person.active


def test_nobody_deactivates_themself(make_user):
    admin = make_user(Role.ADMIN)
    make_user(Role.ADMIN)
    with pytest.raises(services.AdminError, match="your own account"):
        services.deactivate_user(admin, actor=admin)
