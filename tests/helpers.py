"""Small helpers the test modules share."""

import html

from sqlalchemy import func, select


def text(response) -> str:
    """A response's body as a person reads it (HTML entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def count(db, model, *where) -> int:
    """Rows of model matching where."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))
