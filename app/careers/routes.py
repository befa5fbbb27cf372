"""The public careers pages: open postings, one posting with its application form, thanks."""

from __future__ import annotations

import json
import logging

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from app import mail
from app.careers import bp, data_request, links, services
from app.careers.forms import ApplicationForm, WithdrawForm
from app.extensions import db, limiter

log = logging.getLogger(__name__)

DEFAULT_APPLICATION_LIMIT = "5 per hour;20 per day"


def _application_limit() -> str:
    return current_app.config.get("APPLICATION_RATE_LIMIT", DEFAULT_APPLICATION_LIMIT)


def _sent(response) -> bool:
    """Only applications that went through count against the strict limit; typos do not."""
    return response.status_code == 302


@bp.get("")
def index():
    """Every open posting, grouped by site."""
    return render_template("careers/index.html", groups=services.open_postings_by_site())


@bp.route("/<int:posting_id>", methods=["GET", "POST"])
@limiter.limit(_application_limit, methods=["POST"], deduct_when=_sent)
@limiter.limit("30 per hour", methods=["POST"])
def posting(posting_id: int):
    """One open posting: what the job is, the values we hire for, and the application form."""
    posting = services.open_posting(posting_id) or abort(404)
    form = ApplicationForm()
    form.resume.description = f"A PDF file of up to {services.size_label(current_app.config['RESUME_MAX_BYTES'])}."
    if form.is_submitted() and form.website.data:
        log.info("honeypot filled on posting %s; nothing stored", posting.id)
        return redirect(url_for(".thanks", posting_id=posting.id, _anchor="main"))
    if form.validate_on_submit():
        try:
            resume = services.check_resume(form.resume.data) if form.resume.data else None
            services.submit_application(
                posting,
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data or "",
                why=form.why.data,
                resume=resume,
            )
        except services.ResumeRejected as problem:
            form.resume.errors = [*form.resume.errors, str(problem)]
        except services.ApplicationError as problem:
            form.form_errors.append(str(problem))
        else:
            db.session.commit()
            mail.deliver_committed()
            # The same thanks for a resubmission, so the page never tells whether an e-mail applied before.
            return redirect(url_for(".thanks", posting_id=posting.id, _anchor="main"))
    return render_template(
        "careers/posting.html",
        posting=posting,
        form=form,
        values=services.posting_values(posting),
        json_ld=services.script_json(
            services.job_posting_data(posting, organization=current_app.config["ORGANIZATION_NAME"])
        ),
    )


@bp.get("/<int:posting_id>/thanks")
def thanks(posting_id: int):
    """Confirmation after applying."""
    posting = services.open_posting(posting_id) or abort(404)
    return render_template("careers/thanks.html", posting=posting)


@bp.route("/withdraw/<token>", methods=["GET", "POST"])
def withdraw(token: str):
    """The withdraw link in a candidate's e-mail: a confirmation first, then the application is withdrawn once."""
    form = WithdrawForm()
    try:
        application = links.application_for_link(token)
        if form.validate_on_submit():
            links.withdraw(token)
            db.session.commit()
            return render_template(
                "careers/problem.html",
                title="Your application is withdrawn",
                message=f"We will no longer consider your application for {application.posting.title}. "
                "Thank you for your interest in working with us.",
            )
    except links.InvalidLink as problem:  # raised before anything changed
        return render_template("careers/problem.html", title=problem.title, message=problem.message), 400
    return render_template("careers/withdraw.html", form=form, posting=application.posting, token=token)


@bp.get("/data/<token>")
def my_data(token: str):
    """The data link in a candidate's e-mail: what we hold about their application, with a JSON download."""
    try:
        application = links.application_for_data_link(token)
    except links.InvalidLink as problem:
        return render_template("careers/problem.html", title=problem.title, message=problem.message), 400
    response = make_response(render_template("careers/my_data.html", data=data_request.candidate_data(application),
                                             token=token))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/data/<token>/download")
def my_data_download(token: str):
    """The same information as a JSON file."""
    try:
        application = links.application_for_data_link(token)
    except links.InvalidLink as problem:
        return render_template("careers/problem.html", title=problem.title, message=problem.message), 400
    response = make_response(json.dumps(data_request.candidate_data(application), indent=2, ensure_ascii=False))
    response.headers.update({"Content-Type": "application/json; charset=utf-8", "Cache-Control": "private, no-store",
                             "Content-Disposition": "attachment; filename=my-application.json"})
    return response


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A request over MAX_CONTENT_LENGTH never reaches the form: say what to do instead."""
    posting_id = (request.view_args or {}).get("posting_id")
    limit = services.size_label(current_app.config["RESUME_MAX_BYTES"])
    return render_template(
        "careers/problem.html",
        posting_id=posting_id,
        title="Your file is too large",
        message=f"Your résumé must be a PDF of at most {limit}. Nothing was sent. "
        "Go back, choose a smaller PDF (for example without photos) and send "
        "the form again.",
    ), 413


@bp.errorhandler(429)
def too_many(error):
    """Over the rate limit: say how long to wait."""
    posting_id = (request.view_args or {}).get("posting_id")
    return render_template(
        "careers/problem.html",
        posting_id=posting_id,
        title="Too many applications",
        message="Several applications were sent from your network recently, so we "
        "paused new ones for a while. Please try again in an hour.",
    ), 429
