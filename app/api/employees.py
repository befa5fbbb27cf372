"""Employees and sites: the HRIS side of the API. Writes go through the same services as the
admin pages, so the API obeys the same rules."""

from __future__ import annotations

from sqlalchemy import select

from app import mail
from app.admin import services as admin_services
from app.api import bp
from app.api.access import current_token, requires
from app.api.paging import cursor_page
from app.api.problems import ApiProblem, field_problem, get_or_404, problems
from app.api.schemas import EmployeeIn, EmployeeOut, EmployeePage, EmployeeQuery, EmployeeUpdate, SiteOut
from app.audit import record
from app.auth.services import AccountError, invite_user
from app.extensions import db
from app.models import ApiToken, Role, Scope, Site, User


def employee_or_404(employee_id: int) -> User:
    return get_or_404(User, employee_id, "employee")


def _site(site_id: int | None) -> Site | None:
    if site_id is None:
        return None
    site = db.session.get(Site, site_id)
    if site is None:
        raise field_problem("site_id", f"There is no site with id {site_id}.")
    if site.archived:
        raise field_problem("site_id", f"{site.name} is archived.")
    return site


def _manager(manager_id: int | None) -> User | None:
    if manager_id is None:
        return None
    manager = db.session.get(User, manager_id)
    if manager is None:
        raise field_problem("manager_id", f"There is no employee with id {manager_id}.")
    if not manager.active or manager.role not in (Role.MANAGER, Role.HR, Role.ADMIN):
        reason = "is deactivated" if not manager.active else "does not hold the manager role"
        raise field_problem("manager_id", f"{manager.name} {reason} and cannot manage anyone.")
    return manager


def _actor() -> User:
    token: ApiToken = current_token()
    return db.session.get(User, token.created_by_id)


def _noted(action: str, employee: User) -> None:
    token = current_token()
    record(db.session, action, employee, note=f"through the API token for {token.name} (#{token.id})",
           api_token_id=token.id)


@bp.route("/employees", methods=["GET"])
@requires(Scope.READ_EMPLOYEES)
@bp.arguments(EmployeeQuery, location="query", as_kwargs=True)
@bp.response(200, EmployeePage)
@problems(422)
def list_employees(limit: int, cursor: int | None = None, site_id: int | None = None, role_family=None,
                   active: bool | None = None):
    """List employees by id, filtered by site, role family and active; follow next_cursor for more."""
    query = select(User)
    if site_id is not None:
        query = query.where(User.site_id == site_id)
    if role_family is not None:
        query = query.where(User.role_family == role_family)
    if active is not None:
        query = query.where(User.active.is_(active))
    return cursor_page(query, User.id, limit, cursor)


@bp.route("/employees", methods=["POST"])
@requires(Scope.WRITE_EMPLOYEES)
@bp.arguments(EmployeeIn)
@bp.response(201, EmployeeOut)
@problems(409, 422)
def create_employee(data: dict):
    """Add an employee (app role staff); they are e-mailed a link to set their password."""
    fields = _profile(data)
    try:
        employee = invite_user(actor=_actor(), email=data["email"], role=Role.STAFF, **fields)
    except AccountError as refusal:
        raise ApiProblem(409, str(refusal)) from refusal
    _noted("api.employee_created", employee)
    db.session.flush()
    db.session.commit()
    mail.deliver_committed()
    return employee


def _profile(data: dict, employee: User | None = None) -> dict:
    """The service's keyword arguments: given fields from the body, the others as they are."""
    def given(name, current):
        return data[name] if name in data else current

    return {
        "name": given("name", employee.name if employee else ""),
        "site": _site(data["site_id"]) if "site_id" in data else (employee.site if employee else None),
        "department": given("department", employee.department if employee else ""),
        "role_family": given("role_family", employee.role_family if employee else None),
        "manager": _manager(data["manager_id"]) if "manager_id" in data else (employee.manager if employee else None),
        "start_date": given("start_date", employee.start_date if employee else None),
    }


@bp.route("/employees/<int:employee_id>", methods=["GET"])
@requires(Scope.READ_EMPLOYEES)
@bp.response(200, EmployeeOut)
@problems(404)
def get_employee(employee_id: int):
    """One employee."""
    return employee_or_404(employee_id)


@bp.route("/employees/<int:employee_id>", methods=["PATCH"])
@requires(Scope.WRITE_EMPLOYEES)
@bp.arguments(EmployeeUpdate)
@bp.response(200, EmployeeOut)
@problems(404, 405, 422)  # 405: an id past the largest one (werkzeug matches the GET rule)
def update_employee(data: dict, employee_id: int):
    """Change an employee's profile and reporting line; fields left out stay as they are."""
    employee = employee_or_404(employee_id)
    fields = _profile(data, employee)
    try:
        admin_services.update_user(employee, actor=_actor(), role=employee.role,
                                   is_interviewer=employee.is_interviewer, **fields)
    except admin_services.AdminError as refusal:
        raise ApiProblem(422, str(refusal)) from refusal
    _noted("api.employee_updated", employee)
    db.session.flush()
    db.session.commit()
    return employee


@bp.route("/employees/<int:employee_id>/deactivate", methods=["POST"])
@requires(Scope.WRITE_EMPLOYEES)
@bp.response(200, EmployeeOut)
@problems(404, 405, 409)
def deactivate_employee(employee_id: int):
    """Deactivate an employee: signed out everywhere, unable to sign in; their records are kept."""
    employee = employee_or_404(employee_id)
    try:
        admin_services.deactivate_user(employee, actor=_actor())
    except admin_services.AdminError as refusal:
        raise ApiProblem(409, str(refusal)) from refusal
    _noted("api.employee_deactivated", employee)
    db.session.flush()
    db.session.commit()
    return employee


@bp.route("/sites", methods=["GET"])
@requires(Scope.READ_EMPLOYEES)
@bp.response(200, SiteOut(many=True))
@problems()
def list_sites():
    """Every clinic site, archived ones included (archived: true)."""
    return db.session.scalars(select(Site).order_by(Site.name)).all()

