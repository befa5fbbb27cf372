"""Ending a request that only read with COMMIT instead of ROLLBACK.

For the data the two are the same when nothing was written. For PostgreSQL they are not the same
for speed: psycopg prepares a statement on the server once a connection has run it five times, so
PostgreSQL no longer parses and plans it on every request (the team page's statements spend more
time being planned than being run), but psycopg forgets every prepared statement on a ROLLBACK.
Every page view used to end in one, so nothing ever stayed prepared.

A write is any INSERT, UPDATE or DELETE or any statement that is not a plain read (DDL, textual
SQL), on any table, the audit log and the outbox included; a transaction with one, with objects
left in the session, or with an error, still ends in a rollback.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from app.page_cache import READS

WROTE_ANY = "read_only_wrote"  # in Connection.info while its transaction has written


def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    if (context is not None and (context.isinsert or context.isupdate or context.isdelete)) \
            or not READS.match(statement):
        conn.info[WROTE_ANY] = True


def _forget_write(conn) -> None:
    conn.info.pop(WROTE_ANY, None)


def _forget_write_on_checkin(dbapi_connection, connection_record) -> None:
    connection_record.info.pop(WROTE_ANY, None)


def init_read_only() -> None:
    """Listen on every engine and pool (called from create_app; twice is a no-op)."""
    for target, name, listener in ((Engine, "after_cursor_execute", _note_write), (Engine, "commit", _forget_write),
                                   (Engine, "rollback", _forget_write), (Pool, "checkin", _forget_write_on_checkin)):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def only_read(session: Session) -> bool:
    """True when the session has a healthy transaction that has written nothing and holds no changes."""
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active or session.new or session.dirty or session.deleted:
        return False
    return not session.connection().info.get(WROTE_ANY)


def end_read_only(session: Session) -> bool:
    """Commit the session's transaction when it only read (see the module's docstring); True if so.
    The objects keep what they loaded, as they would after the ROLLBACK of Session.close(): code that
    holds one past the end of its app context may still read it."""
    if not only_read(session):
        return False
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit
    return True
