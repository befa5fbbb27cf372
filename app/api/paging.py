"""Cursor pages: lists ordered by id, each page starting after the last id of the one before."""

from __future__ import annotations

from app.extensions import db


def cursor_page(query, id_column, limit: int, cursor: int | None) -> dict:
    """One page of `query` (filters applied, not yet ordered): `limit` rows after `cursor`, and the
    cursor of the next page (None on the last). One row more than asked tells whether more follow."""
    query = query.order_by(id_column).limit(limit + 1)
    if cursor is not None:
        query = query.where(id_column > cursor)
    rows = db.session.scalars(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": rows[-1].id if more else None}
