"""The admin pages for webhooks: endpoints, their secret (shown once) and their delivery log."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.access import role_required
from app.actions import carry_out
from app.auth.forms import EmptyForm
from app.extensions import db
from app.models import DeliveryStatus, Role, WebhookDelivery, WebhookEndpoint, WebhookEvent
from app.webhooks import bp, delivery, services
from app.webhooks.forms import WebhookForm

EVENT_LABELS = {event.value: event.label for event in WebhookEvent}


def _page_size() -> int:
    return current_app.config["ITEMS_PER_PAGE"]


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    return db.get_or_404(WebhookEndpoint, endpoint_id)


def _secret_page(endpoint: WebhookEndpoint, secret: str, *, new: bool):
    return render_template("webhooks/secret.html", endpoint=endpoint, secret=secret, new=new,
                           header=delivery.HEADER_SIGNATURE, timestamp_header=delivery.HEADER_TIMESTAMP)


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    """Every registered endpoint, with how many deliveries wait or were given up."""
    page = db.paginate(select(WebhookEndpoint).order_by(WebhookEndpoint.archived_at.is_not(None), WebhookEndpoint.id),
                       per_page=_page_size(), error_out=False)
    ids = [endpoint.id for endpoint in page.items]
    counts: dict[tuple[int, DeliveryStatus], int] = {}
    if ids:
        rows = db.session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count())
            .where(WebhookDelivery.endpoint_id.in_(ids)).group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status))
        counts = {(endpoint_id, status): number for endpoint_id, status, number in rows}
    return render_template("webhooks/index.html", page=page, counts=counts, statuses=DeliveryStatus,
                           event_labels=EVENT_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new():
    """Register a URL for the events it wants; its signing secret is shown once, on the next page."""
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            endpoint, secret = services.register_endpoint(actor=current_user, url=form.url.data,
                                                          description=form.description.data or "",
                                                          events=form.events.data)
        except services.WebhookError as problem:
            getattr(form, problem.field).errors.append(str(problem))
        else:
            db.session.commit()
            # Shown in this response and never again: not in a redirect's session cookie, not in a later page.
            return _secret_page(endpoint, secret, new=True)
    return render_template("webhooks/form.html", form=form, endpoint=None)


@bp.route("/<int:endpoint_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def endpoint(endpoint_id: int):
    """One endpoint: change its URL and events, turn it on or off, and read its delivery log."""
    subject = _endpoint(endpoint_id)
    form = WebhookForm(data=None if request.method == "POST" else {
        "url": subject.url, "description": subject.description, "events": subject.events})
    if form.validate_on_submit():
        try:
            services.update_endpoint(subject, actor=current_user, url=form.url.data,
                                     description=form.description.data or "", events=form.events.data)
        except services.WebhookError as problem:
            db.session.rollback()
            getattr(form, problem.field).errors.append(str(problem))
        else:
            db.session.commit()
            flash("Webhook saved.", "success")
            return redirect(url_for(".endpoint", endpoint_id=subject.id))
    log = db.paginate(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == subject.id)
                      .order_by(WebhookDelivery.id.desc()), per_page=_page_size(), error_out=False)
    return render_template("webhooks/endpoint.html", endpoint=subject, form=form, log=log, action_form=EmptyForm(),
                           event_labels=EVENT_LABELS, statuses=DeliveryStatus)


@bp.post("/<int:endpoint_id>/enable")
@role_required(Role.ADMIN)
def enable(endpoint_id: int):
    """Turn deliveries back on; what waited is sent by the next run of `flask webhooks send`."""
    subject = _endpoint(endpoint_id)
    if EmptyForm().validate_on_submit():
        carry_out(lambda: services.set_enabled(subject, True, actor=current_user), services.WebhookError,
                  "Deliveries to this URL are on.")
    return redirect(url_for(".endpoint", endpoint_id=subject.id))


@bp.post("/<int:endpoint_id>/disable")
@role_required(Role.ADMIN)
def disable(endpoint_id: int):
    """Pause deliveries: new events are not recorded for this URL until it is on again."""
    subject = _endpoint(endpoint_id)
    if EmptyForm().validate_on_submit():
        carry_out(lambda: services.set_enabled(subject, False, actor=current_user), services.WebhookError,
                  "Deliveries to this URL are off. Events that happen while it is off are not sent later.",
                  category="info")
    return redirect(url_for(".endpoint", endpoint_id=subject.id))


@bp.route("/<int:endpoint_id>/secret", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def rotate_secret(endpoint_id: int):
    """Confirm, then replace the signing secret and show the new one once."""
    subject = _endpoint(endpoint_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            secret = services.rotate_secret(subject, actor=current_user)
        except services.WebhookError as problem:
            return render_template("admin/confirm.html", title="Cannot make a new secret", message=str(problem),
                                   confirm_label="Try again", cancel_url=url_for(".endpoint", endpoint_id=subject.id))
        db.session.commit()
        return _secret_page(subject, secret, new=False)
    return render_template("admin/confirm.html", title="Make a new signing secret?",
                           message="Deliveries are signed with the new secret from now on, so the receiving system "
                                   "rejects them until it has the new secret too. The old secret stops working.",
                           confirm_label="Make a new secret", cancel_url=url_for(".endpoint", endpoint_id=subject.id))


@bp.route("/<int:endpoint_id>/remove", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def remove(endpoint_id: int):
    """Confirm, then remove the endpoint: nothing more is sent; its delivery log is kept."""
    subject = _endpoint(endpoint_id)
    form = EmptyForm()
    if form.validate_on_submit():
        carry_out(lambda: services.remove_endpoint(subject, actor=current_user), services.WebhookError,
                  "The webhook is removed. Its delivery log is kept.")
        return redirect(url_for(".index"))
    return render_template("admin/confirm.html", title="Remove this webhook?",
                           message=f"Nothing more is sent to {subject.url}. Its delivery log is kept.",
                           confirm_label="Remove", cancel_url=url_for(".endpoint", endpoint_id=subject.id))


@bp.after_app_request
def deliver_committed_webhooks(response):
    """Send the webhook deliveries a request recorded, once its transaction has committed."""
    delivery.deliver_committed()
    return response
