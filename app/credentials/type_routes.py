"""HR's pages for the credential types: the list, adding and editing one, archiving and restoring it."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from app.access import role_required
from app.actions import carry_out
from app.auth.forms import EmptyForm
from app.credentials import bp
from app.credentials.catalog import all_types, archive_type, restore_type, save_type
from app.credentials.forms import ArchiveCredentialTypeForm, CredentialTypeForm
from app.credentials.services import CredentialError
from app.extensions import db
from app.models import CredentialType, Role, RoleFamily


@bp.get("/types")
@role_required(Role.HR, Role.ADMIN)
def types():
    """Every credential type, in use and archived, with the role families that require it."""
    kinds = all_types()
    return render_template(
        "credentials/types.html",
        in_use=[kind for kind in kinds if kind.archived_at is None],
        archived=[kind for kind in kinds if kind.archived_at is not None],
        families=dict(RoleFamily.choices()),
        restore_form=EmptyForm(),
    )


@bp.route("/types/new", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def new_type():
    """Add a credential type."""
    form = CredentialTypeForm()
    if form.validate_on_submit() and carry_out(
        lambda: save_type(None, actor=current_user, **form.type_fields()),
        CredentialError,
        lambda kind: f"{kind.name} added; HR can now record it for staff.",
    ):
        return redirect(url_for(".types"))
    return render_template("credentials/type_form.html", form=form, kind=None)


@bp.route("/types/<int:type_id>/edit", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def edit_type(type_id: int):
    """Change a credential type's name, role families, verification rule or renewal period."""
    kind = db.get_or_404(CredentialType, type_id)
    form = CredentialTypeForm(data=None if request.method == "POST" else CredentialTypeForm.data_for(kind))
    if form.validate_on_submit() and carry_out(
        lambda: save_type(kind, actor=current_user, **form.type_fields()),
        CredentialError,
        lambda saved: f"{saved.name} saved.",
    ):
        return redirect(url_for(".types"))
    return render_template("credentials/type_form.html", form=form, kind=kind)


@bp.route("/types/<int:type_id>/archive", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def archive_type_page(type_id: int):
    """Ask before archiving a credential type; the credentials recorded under it stay."""
    kind = db.get_or_404(CredentialType, type_id)
    form = ArchiveCredentialTypeForm()
    if form.validate_on_submit():
        carry_out(
            lambda: archive_type(kind, actor=current_user),
            CredentialError,
            f"{kind.name} archived; it is no longer offered, and the credentials recorded under it are kept.",
        )
        return redirect(url_for(".types"))
    return render_template("credentials/type_archive.html", kind=kind, form=form)


@bp.post("/types/<int:type_id>/restore")
@role_required(Role.HR, Role.ADMIN)
def restore_type_page(type_id: int):
    """Offer an archived credential type again."""
    kind = db.get_or_404(CredentialType, type_id)
    if EmptyForm().validate_on_submit():
        carry_out(lambda: restore_type(kind, actor=current_user), CredentialError, f"{kind.name} restored.")
    return redirect(url_for(".types"))
