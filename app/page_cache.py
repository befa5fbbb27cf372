"""Rendered parts of the busiest pages (the team table, the HR report), kept until data changes.

Every transaction that wrote anything gives the single row of `data_version` a new random token
just before it commits, in the same transaction, so the token and the data change together. A
page part is cached under the token read at the start of the request, the day, and whatever else
it depends on (the viewer, the query string). The token is read before the part is built, so a
cached part is never older than the data committed when its token was current; once anything
commits, every part cached before is simply never asked for again, and ages out.

Writes are noticed where the SQL is sent (every INSERT, UPDATE, DELETE or DDL statement on a
connection marks it), so Core statements run through the session count as well as ORM flushes.
Rows that no cached part shows are left out: the audit log and the e-mail outbox, so signing in
or sending reminders does not make every part stale.
A request that has written in its own transaction gets freshly built parts, never cached ones.
A part holding a CSRF token (one session's secret) is refused loudly instead of being cached.
Writes committed outside an ORM session (a bare `engine.begin()`) do not change the token; the
application makes none. A restored backup brings back the token it had with the data it had;
`flask rebuild-summaries`, the repair after changes made outside the app, sets a new one.

The bump must be the transaction's last write: it runs in `before_commit` after the training
summaries are recomputed (init order in create_app; a test checks the order), so every
transaction takes the data_version row lock last and two writers cannot wait for each other.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from app.extensions import cache, db
from app.models import DataVersion

WROTE = "page_cache_data_written"  # in Connection.info: this transaction has sent a write
READS = re.compile(r"\s*(SELECT|WITH|PRAGMA|SHOW|EXPLAIN|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET)\b",
                   re.IGNORECASE)
ROW_ID = 1
NOT_SHOWN = frozenset({"audit_event", "outbox_message"})  # tables no cached part reads
T = TypeVar("T")
# Parts served "hit" from the cache or "built" since this process started, counted only when the
# PAGE_CACHE_COUNT_SEEN setting is on (the bench's mix turns it on with BENCH_COUNT_SEEN=1), so serving
# a page in production takes no process-wide lock.
SEEN: Counter = Counter()
_SEEN_LOCK = threading.Lock()


# Noticing writes ---------------------------------------------------------------------------------
def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        table = getattr(context.compiled.statement, "table", None)
        if getattr(table, "name", None) not in NOT_SHOWN:
            conn.info[WROTE] = True
    elif not READS.match(statement):
        conn.info[WROTE] = True


def _forget_write(conn) -> None:
    conn.info.pop(WROTE, None)


def _forget_write_on_checkin(dbapi_connection, connection_record) -> None:
    connection_record.info.pop(WROTE, None)


def _new_token_before_commit(session: Session) -> None:
    if not session.in_transaction():
        return
    connection = session.connection()
    if not connection.info.get(WROTE):
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    token = secrets.token_hex(16)
    statement = dialect.insert(DataVersion).values(id=ROW_ID, token=token)
    connection.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"token": token}))
    connection.info.pop(WROTE, None)  # the token now matches this transaction's data


def init_page_cache() -> None:
    """Listen on every engine, pool and ORM session (after init_summaries; twice is a no-op)."""
    for target, name, listener in (
        (Engine, "after_cursor_execute", _note_write),
        (Engine, "rollback", _forget_write),
        (Engine, "commit", _forget_write),
        (Pool, "checkin", _forget_write_on_checkin),
        (Session, "before_commit", _new_token_before_commit),
    ):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def mark_changed(session: Session) -> None:
    """Make this transaction's commit set a new token even if it writes nothing (after data was
    changed behind the app's back: every cached part is then built again)."""
    session.connection().info[WROTE] = True


# Reading and caching -----------------------------------------------------------------------------
TOKEN = select(DataVersion.token).where(DataVersion.id == ROW_ID)


def current_token(session: Session) -> str:
    """The token of the data this transaction sees ('' before the first write ever)."""
    return session.connection().scalar(TOKEN) or ""


def _wrote_here(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.connection().info.get(WROTE))


def query_string() -> tuple:
    """The request's query arguments in a fixed order, for a part that shows what they ask for."""
    return tuple(sorted(request.args.items(multi=True)))


def cached(name: str, depends_on: tuple, build: Callable[[], T]) -> T:
    """What `build()` returns (picklable: rendered HTML as Markup, plain rows), cached under the data
    token, the part's name and `depends_on`: everything else the value shows (the day, the viewer,
    the query string). One SQL statement on a hit."""
    session = db.session
    token = current_token(session)
    counting = current_app.config["PAGE_CACHE_COUNT_SEEN"]
    if _wrote_here(session):  # this transaction's own changes are in no cached value
        if counting:
            _seen("built")
        return build()
    key = "part:" + hashlib.sha256(repr((name, token, depends_on)).encode()).hexdigest()
    value = cache.get(key)
    if counting:
        _seen("built" if value is None else "hit")
    if value is None:
        value = build()
        if _holds_csrf(value):  # one session's token must never be served to another
            raise RuntimeError(f"the {name!r} page part holds a CSRF token: render that form outside the part")
        cache.set(key, value)
    return value


def _holds_csrf(value: object) -> bool:
    """True when the value shows a CSRF field: strings are searched as they are (repr of a
    100 kB part costs more than the search), containers item by item, anything else by its repr."""
    if isinstance(value, str):
        return "csrf_token" in value
    if isinstance(value, (list, tuple)):
        return any(_holds_csrf(item) for item in value)
    return "csrf_token" in repr(value)


def _seen(outcome: str) -> None:
    with _SEEN_LOCK:
        SEEN[outcome] += 1
