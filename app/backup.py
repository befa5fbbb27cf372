"""Database backups: SQLite through its online backup API; for PostgreSQL, the pg_dump/pg_restore commands."""

from __future__ import annotations

import logging
import os
import shlex
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import URL, NullPool, column, create_engine, func, inspect, select, table
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that was refused; nothing was changed."""


@dataclass(frozen=True)
class Snapshot:
    """What a SQLite database file holds: its size, tables with their row counts, Alembic revision."""

    path: Path
    size: int
    rows: dict[str, int]
    revision: str | None

    def summary(self) -> str:
        total = sum(self.rows.values())
        return f"{_size(self.size)}, {len(self.rows)} tables, {total:,} rows"


def _size(size: float) -> str:
    if size < 1024:
        return f"{size:,.0f} bytes"
    for unit in ("KB", "MB"):
        size /= 1024
        if size < 1024:
            return f"{size:,.1f} {unit}"
    return f"{size / 1024:,.1f} GB"


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL; None for another database. In-memory databases are refused."""
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        raise BackupError("The database is in memory: there is no file to back up or restore.")
    return Path(url.database).resolve()


def _require_file_starting_with(path: Path, header: bytes, what: str) -> None:
    """Raise BackupError unless path is a file that begins with header (the mark of `what`)."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    with path.open("rb") as handle:
        if handle.read(len(header)) != header:
            raise BackupError(f"{path} is not {what}.")


def _connect_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def read_snapshot(path: Path) -> Snapshot:
    """Check that path is an intact SQLite database and count its rows; raise BackupError if not."""
    _require_file_starting_with(path, SQLITE_HEADER, "a SQLite database")
    engine = create_engine("sqlite://", creator=lambda: _connect_readonly(path), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            problems = [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise BackupError(f"{path} is damaged: {'; '.join(problems[:3])}.")
            names = inspect(conn).get_table_names()
            rows = {name: conn.scalar(select(func.count()).select_from(table(name))) for name in names}
            revision = None
            if "alembic_version" in names:
                revisions = list(conn.scalars(select(column("version_num")).select_from(table("alembic_version"))))
                revision = ",".join(revisions) or None
    except (DBAPIError, sqlite3.DatabaseError) as error:
        reason = getattr(error, "orig", None) or error
        raise BackupError(f"{path} cannot be read as a SQLite database ({reason}).") from error
    finally:
        engine.dispose()
    return Snapshot(path=path, size=path.stat().st_size, rows=rows, revision=revision)


def backup_sqlite(database: Path, target: Path, *, force: bool = False) -> Snapshot:
    """Copy the live database to target with SQLite's online backup API (safe while the app runs).

    The copy is written beside target and renamed into place only once complete and checked."""
    target = target.resolve()
    if target == database:
        raise BackupError("The backup cannot be written over the database itself.")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; choose another name or pass --force to replace it.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    if not database.is_file():
        raise BackupError(f"There is no database at {database} to back up.")
    partial = target.with_name(f".{target.name}.partial")
    try:
        source = _connect_readonly(database)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
        except sqlite3.Error as error:
            raise BackupError(f"The backup of {database} failed ({error}).") from error
        finally:
            copy.close()
            source.close()
        snapshot = read_snapshot(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    log.info("database backed up to %s", target)
    return Snapshot(path=target, size=snapshot.size, rows=snapshot.rows, revision=snapshot.revision)


def check_restorable(path: Path, *, known_revisions: Iterable[str], head: str, tables: Iterable[str]) -> Snapshot:
    """Refuse anything but an intact SQLite database of this app at a migration revision this code has."""
    snapshot = read_snapshot(path)
    if "alembic_version" not in snapshot.rows:
        raise BackupError(f"{path} is a SQLite database, but not one of this app: it has no alembic_version table.")
    known = set(known_revisions)
    if not snapshot.revision or snapshot.revision not in known:
        raise BackupError(
            f"{path} is at migration revision {snapshot.revision or '(none)'}, which this version of the app "
            "does not know (made by a newer version, or by another app?)."
        )
    if snapshot.revision == head:
        missing = sorted(set(tables) - set(snapshot.rows))
        if missing:
            raise BackupError(f"{path} is not a database of this app: it has no {', '.join(missing)} table(s).")
    elif "user" not in snapshot.rows:
        raise BackupError(f"{path} is not a database of this app: it has no user table.")
    return snapshot


def _aside_path(database: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    candidate = database.with_name(f"{database.stem}.before-restore-{stamp}{database.suffix}")
    number = 2
    while candidate.exists():
        candidate = database.with_name(f"{database.stem}.before-restore-{stamp}-{number}{database.suffix}")
        number += 1
    return candidate


def restore_sqlite(backup: Path, database: Path) -> tuple[Snapshot | None, Snapshot]:
    """Copy the current database aside, then write backup over it with the backup API.

    Returns the copy set aside (None when there was no database yet) and what the database now
    holds. The caller has checked backup with check_restorable()."""
    backup = backup.resolve()
    if backup == database:
        raise BackupError("That file is the database itself.")
    aside = backup_sqlite(database, _aside_path(database)) if database.is_file() else None
    database.parent.mkdir(parents=True, exist_ok=True)
    source = _connect_readonly(backup)
    target = sqlite3.connect(database)
    try:
        source.backup(target)  # one transaction on the target: on failure it stays as it was
    except sqlite3.Error as error:
        raise BackupError(f"The restore failed ({error}); the database was left as it was.") from error
    finally:
        target.close()
        source.close()
    log.info("database restored from %s (previous copy: %s)", backup, aside and aside.path)
    return aside, read_snapshot(database)


# PostgreSQL: the server's own tools do this job; print the exact commands.

def _libpq_url(url: URL) -> tuple[str, bool]:
    """The URL as libpq reads it (no SQLAlchemy driver), without the password; and whether one was left out."""
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                       query=url.query)
    return plain.render_as_string(hide_password=False), url.password is not None


def pg_dump_command(url: URL, path: Path) -> tuple[str, bool]:
    """The pg_dump command that writes a custom-format dump of url to path; and whether a password is needed."""
    dsn, password = _libpq_url(url)
    return shlex.join(["pg_dump", "--format=custom", f"--file={path}", f"--dbname={dsn}"]), password


def pg_restore_command(url: URL, path: Path) -> tuple[str, bool]:
    """The pg_restore command that replaces the contents of url with the dump at path, all or nothing."""
    dsn, password = _libpq_url(url)
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", f"--dbname={dsn}",
               str(path)]
    return shlex.join(command), password


def check_pg_dump(path: Path) -> None:
    """Refuse a path that is not a pg_dump custom-format archive."""
    _require_file_starting_with(path, PG_CUSTOM_HEADER, "a pg_dump custom-format archive (pg_dump --format=custom)")
