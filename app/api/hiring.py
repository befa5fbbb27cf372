"""Postings (open ones public, like the careers page) and applications (for HR's systems)."""

from __future__ import annotations

from sqlalchemy import select

from app.api import bp
from app.api.access import current_token, has_scope, public, requires
from app.api.paging import cursor_page
from app.api.problems import found, get_or_404, problems
from app.api.schemas import ApplicationOut, ApplicationPage, ApplicationQuery, PostingOut, PostingQuery
from app.careers.services import open_posting, open_postings_by_site
from app.extensions import db
from app.models import Application, Posting, Scope


def _sees_all_postings() -> bool:
    return has_scope(current_token(), Scope.READ_HIRING)


@bp.route("/postings", methods=["GET"])
@public
@bp.arguments(PostingQuery, location="query", as_kwargs=True)
@bp.response(200, PostingOut(many=True))
@problems(422, public=True)
def list_postings(status=None):
    """Open postings, for anyone (as on the careers page); with read:hiring, every posting, by status."""
    if not _sees_all_postings():
        return [posting for _, postings in open_postings_by_site() for posting in postings]
    query = select(Posting).where(Posting.archived_at.is_(None)).order_by(Posting.id)
    if status is not None:
        query = query.where(Posting.status == status)
    return db.session.scalars(query).all()


@bp.route("/postings/<int:posting_id>", methods=["GET"])
@public
@bp.response(200, PostingOut)
@problems(404, public=True)
def get_posting(posting_id: int):
    """One posting: an open one for anyone, any posting with read:hiring."""
    posting = db.session.get(Posting, posting_id) if _sees_all_postings() else open_posting(posting_id)
    return found(posting, "open posting", posting_id)


@bp.route("/applications", methods=["GET"])
@requires(Scope.READ_HIRING)
@bp.arguments(ApplicationQuery, location="query", as_kwargs=True)
@bp.response(200, ApplicationPage)
@problems(422)
def list_applications(limit: int, cursor: int | None = None, posting_id: int | None = None, stage=None):
    """Applications by id, filtered by posting and stage (résumés and answers stay in the app)."""
    query = select(Application)
    if posting_id is not None:
        query = query.where(Application.posting_id == posting_id)
    if stage is not None:
        query = query.where(Application.stage == stage)
    return cursor_page(query, Application.id, limit, cursor)


@bp.route("/applications/<int:application_id>", methods=["GET"])
@requires(Scope.READ_HIRING)
@bp.response(200, ApplicationOut)
@problems(404)
def get_application(application_id: int):
    """One application."""
    return get_or_404(Application, application_id, "application")
