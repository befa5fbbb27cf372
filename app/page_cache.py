"""Rendered parts of the busiest pages (the team table, the HR report), kept until data changes.

The data token is sharded by area of the product (people, training, hiring, check-ins,
credentials, content): `data_version` holds one row per area, and every transaction that wrote
anything gives the rows of the areas it wrote a new random token just before it commits, in the
same transaction, so the tokens and the data change together. Which areas a transaction wrote is
derived from the tables its INSERT, UPDATE and DELETE statements name (TABLE_AREAS), never named
at call sites, so no writer can forget one; a write whose table is not known (textual SQL, DDL, a
table missing from TABLE_AREAS) renews every area. Two module completions at once still take the
same row (training), but a completion and a scorecard no longer wait for each other.

A page part declares the areas it reads and is cached under their tokens read at the start of the
part, the day, and whatever else it depends on (the viewer, the query string). The tokens are
read before the part is built, so a cached part is never older than the data committed when its
tokens were current; once anything it reads commits, every copy cached before is simply never
asked for again, and ages out. Under TESTING every build checks that the tables its SELECTs read
all lie in its areas, so a part cannot read a table it does not declare (tests/test_page_cache.py
also writes each table of each part and checks that the part is built again).

Writes are noticed where the SQL is sent (every INSERT, UPDATE, DELETE or DDL statement on a
connection marks it), so Core statements run through the session count as well as ORM flushes.
Rows that no cached part shows are left out: the audit log and the e-mail outbox, so signing in
or sending reminders does not make every part stale.
A request that has written in its own transaction gets freshly built parts, never cached ones.
A part holding a CSRF token (one session's secret) is refused loudly instead of being cached.
Writes committed outside an ORM session (a bare `engine.begin()`) do not change the tokens; the
application makes none. A restored backup brings back the tokens it had with the data it had;
`flask rebuild-summaries`, the repair after changes made outside the app, renews every area.

The bump must be the transaction's last write: it runs in `before_commit` after the training
summaries are recomputed (init order in create_app; a test checks the order), and it renews the
area rows in one statement in a fixed order, so every transaction takes the data_version row
locks last and in the same order, and two writers cannot wait for each other.
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
from sqlalchemy import Table, TextClause, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.pool import Pool
from sqlalchemy.sql.util import find_tables

from app.extensions import cache, db
from app.models import DataVersion

WROTE = "page_cache_data_written"  # in Connection.info: the tables this transaction wrote (ALL: unknown)
READS = re.compile(r"\s*(SELECT|WITH|PRAGMA|SHOW|EXPLAIN|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET)\b",
                   re.IGNORECASE)
NOT_SHOWN = frozenset({  # tables no cached part reads
    "audit_event", "outbox_message", "data_version", "api_call", "api_token", "idempotent_request",
    "webhook_delivery", "webhook_endpoint",
})
ALL = "*"  # a write to a table not known: every area

# Areas of the product, each one row of data_version (its id is the area's place here, from 1).
PEOPLE, TRAINING, HIRING, CHECK_INS, CREDENTIALS, CONTENT = AREAS = (
    "people", "training", "hiring", "check_ins", "credentials", "content")
AREA_IDS = {area: number for number, area in enumerate(AREAS, start=1)}
TABLE_AREAS = {
    "user": PEOPLE, "site": PEOPLE,
    "track": TRAINING, "module": TRAINING, "module_value": TRAINING, "assignment": TRAINING,
    "progress": TRAINING, "completion": TRAINING, "training_summary": TRAINING, "value_summary": TRAINING,
    "value_total": TRAINING,
    "quiz_item": TRAINING, "quiz_attempt": TRAINING,
    "posting": HIRING, "application": HIRING, "application_resubmission": HIRING, "candidate_link_use": HIRING,
    "interview_assignment": HIRING, "kit_item": HIRING, "question": HIRING, "rubric": HIRING,
    "criterion": HIRING, "scorecard": HIRING, "rating": HIRING, "stage_change": HIRING,
    "interview": HIRING, "interview_panelist": HIRING, "message_template": HIRING, "offer": HIRING,
    "offer_letter_template": HIRING,
    "check_in": CHECK_INS, "check_in_rating": CHECK_INS, "check_in_schedule": CHECK_INS,
    "credential_type": CREDENTIALS, "employee_credential": CREDENTIALS, "credential_scan": CREDENTIALS,
    "credentialing_event": CREDENTIALS, "privilege": CREDENTIALS,
    "credential_standing": CREDENTIALS,
    "value": CONTENT, "reference": CONTENT,
}
T = TypeVar("T")
# Parts served "hit" from the cache or "built" since this process started, counted only when the
# PAGE_CACHE_COUNT_SEEN setting is on (the bench's mix turns it on with BENCH_COUNT_SEEN=1), so serving
# a page in production takes no process-wide lock.
SEEN: Counter = Counter()
_SEEN_LOCK = threading.Lock()


# Noticing writes ---------------------------------------------------------------------------------
def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        name = getattr(table, "name", None) if table is not None else None
        if name in NOT_SHOWN:
            return
        conn.info.setdefault(WROTE, set()).add(name if name in TABLE_AREAS else ALL)
    elif not READS.match(statement):
        conn.info.setdefault(WROTE, set()).add(ALL)


def areas_of(tables: set[str]) -> tuple[str, ...]:
    """The areas whose tokens a write to these tables renews (every area for one not known)."""
    if ALL in tables:
        return AREAS
    return tuple(sorted({TABLE_AREAS[table] for table in tables}, key=AREA_IDS.get))


def _forget_write(conn) -> None:
    conn.info.pop(WROTE, None)


def _forget_write_on_checkin(dbapi_connection, connection_record) -> None:
    connection_record.info.pop(WROTE, None)


def _new_tokens_before_commit(session: Session) -> None:
    if not session.in_transaction():
        return
    connection = session.connection()
    written = connection.info.get(WROTE)
    if not written:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    rows = [{"id": AREA_IDS[area], "token": secrets.token_hex(16)} for area in areas_of(written)]  # in id order
    statement = dialect.insert(DataVersion).values(rows)
    connection.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"token": statement.excluded.token}))
    connection.info.pop(WROTE, None)  # the tokens now match this transaction's data


def init_page_cache() -> None:
    """Listen on every engine, pool and ORM session (after init_summaries; twice is a no-op)."""
    for target, name, listener in (
        (Engine, "after_cursor_execute", _note_write),
        (Engine, "before_cursor_execute", _note_read),
        (Engine, "rollback", _forget_write),
        (Engine, "commit", _forget_write),
        (Pool, "checkin", _forget_write_on_checkin),
        (Session, "before_commit", _new_tokens_before_commit),
    ):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def mark_changed(session: Session) -> None:
    """Make this transaction's commit renew every area's token even if it writes nothing (after data
    was changed behind the app's back: every cached part is then built again)."""
    session.connection().info.setdefault(WROTE, set()).add(ALL)


# Reading and caching -----------------------------------------------------------------------------
TOKENS = select(DataVersion.id, DataVersion.token)


TOKENS_READ = "page_cache_tokens"  # in Session.info: (the transaction, its tokens as first read)


def current_tokens(session: Session) -> dict[str, str]:
    """The token of each area in the data this transaction sees ('' before its first write ever), read
    once per transaction: a page of several parts reads them once. Another transaction's commit may
    renew them meanwhile; the parts built after it then hold newer data than their key says, never
    older, so no stale part is served. The transaction's own writes renew them only as it commits."""
    if isinstance(session, scoped_session):
        session = session()
    transaction = session.get_transaction()
    read = session.info.get(TOKENS_READ)
    if transaction is not None and read is not None and read[0] is transaction:
        return read[1]
    found = dict(session.connection().execute(TOKENS).all())
    tokens = {area: found.get(number, "") for area, number in AREA_IDS.items()}
    session.info[TOKENS_READ] = (session.get_transaction(), tokens)
    return tokens


def current_token(session: Session, areas: tuple[str, ...] = AREAS) -> str:
    """The tokens of these areas as one string (every area unless told)."""
    tokens = current_tokens(session)
    return ".".join(tokens[area] for area in areas)


def _wrote_here(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.connection().info.get(WROTE))


def query_string() -> tuple:
    """The request's query arguments in a fixed order, for a part that shows what they ask for."""
    return tuple(sorted(request.args.items(multi=True)))


def cached(name: str, depends_on: tuple, build: Callable[[], T], *, areas: tuple[str, ...]) -> T:
    """What `build()` returns (picklable: rendered HTML as Markup, plain rows), cached under the tokens
    of `areas` (every area whose tables the part reads), the part's name and `depends_on`: everything
    else the value shows (the day, the viewer, the query string). One SQL statement on a hit."""
    unknown = set(areas) - set(AREAS)
    if unknown:
        raise ValueError(f"the {name!r} page part names areas that do not exist: {sorted(unknown)}")
    session = db.session
    tokens = current_tokens(session)
    counting = current_app.config["PAGE_CACHE_COUNT_SEEN"]
    checking = current_app.testing
    if _wrote_here(session):  # this transaction's own changes are in no cached value
        if counting:
            _seen("built", name)
        return _checked(name, areas, build) if checking else build()
    key = "part:" + hashlib.sha256(repr((name, [tokens[a] for a in sorted(areas)], depends_on)).encode()).hexdigest()
    value = cache.get(key)
    if counting:
        _seen("built" if value is None else "hit", name)
    if value is None:
        value = _checked(name, areas, build) if checking else build()
        if _holds_csrf(value):  # one session's token must never be served to another
            raise RuntimeError(f"the {name!r} page part holds a CSRF token: render that form outside the part")
        cache.set(key, value)
    return value


# Checking what a part reads (tests) -----------------------------------------------------------
READ = "page_cache_tables_read"  # in Connection.info while a part is built under TESTING


def _note_read(conn, cursor, statement, parameters, context, executemany) -> None:
    reading = conn.info.get(READ)
    if reading is None or context is None or context.isinsert or context.isupdate or context.isdelete:
        return
    compiled = getattr(context, "compiled", None)
    read = getattr(compiled, "statement", None)
    if read is None or isinstance(read, TextClause):
        reading.add(ALL)
        return
    reading.update(table.name for table in find_tables(read, include_aliases=True, include_joins=True,
                                                       include_selects=True) if isinstance(table, Table))


def tables_read(build: Callable[[], T]) -> tuple[T, set[str]]:
    """build() and the names of the tables its SELECT statements read (ALL for textual SQL)."""
    connection = db.session.connection()
    outer = connection.info.get(READ)
    connection.info[READ] = reading = set()
    try:
        value = build()
    finally:
        if outer is None:
            connection.info.pop(READ, None)
        else:
            connection.info[READ] = outer | reading
    return value, reading


LAST_READ: dict[str, set[str]] = {}  # part name -> the tables its last build read (TESTING only)


def _checked(name: str, areas: tuple[str, ...], build: Callable[[], T]) -> T:
    value, read = tables_read(build)
    shown = {table for table in read if table not in NOT_SHOWN}
    LAST_READ[name] = shown
    outside = sorted(table for table in shown if table == ALL or TABLE_AREAS.get(table) not in areas)
    if outside:
        raise RuntimeError(f"the {name!r} page part reads {outside} outside its areas {areas}: declare them, "
                           "or a write there would leave the part stale")
    return value


def _holds_csrf(value: object) -> bool:
    """True when the value shows a CSRF field: strings are searched as they are (repr of a
    100 kB part costs more than the search), containers item by item, anything else by its repr."""
    if isinstance(value, str):
        return "csrf_token" in value
    if isinstance(value, (list, tuple)):
        return any(_holds_csrf(item) for item in value)
    return "csrf_token" in repr(value)


def _seen(outcome: str, name: str) -> None:
    with _SEEN_LOCK:
        SEEN[outcome] += 1
        SEEN[name, outcome] += 1
