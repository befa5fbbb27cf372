"""flask backup / flask restore: a round trip gives back every row; a refused restore changes nothing."""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import MetaData, NullPool, create_engine, make_url, select, text

from app.backup import BackupError, pg_dump_command, pg_restore_command, sqlite_file
from app.extensions import db
from tests.databases import on_postgres, scratch_app

sqlite_only = pytest.mark.skipif(on_postgres(), reason="SQLite backups; the PostgreSQL case is below")
postgres_only = pytest.mark.skipif(not on_postgres(), reason="needs PostgreSQL; set TEST_DATABASE_URL to run this")


def flask(app, *args: str, answer: str | None = None):
    """Run a flask command as `flask --app app ...` would: inside an app context."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), input=answer)


def every_row(url) -> dict[str, list[tuple]]:
    """Every table's rows, all columns, in primary-key order: the whole database as plain data."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {
                name: [tuple(row) for row in conn.execute(select(t).order_by(*(t.primary_key.columns or t.columns)))]
                for name, t in metadata.tables.items()
            }
    finally:
        engine.dispose()


def fill(app) -> None:
    for args in (["seed"], ["demo", "--employees", "15"]):
        result = flask(app, *args)
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def filled_sqlite(tmp_path_factory) -> Path | None:
    """On SQLite, one filled database file that each test copies (filling it takes seconds)."""
    if on_postgres():
        return None
    with scratch_app(tmp_path_factory.mktemp("template"), "template") as app:
        fill(app)
        with app.app_context():
            return Path(db.engine.url.database)


@pytest.fixture
def demo_app(tmp_path, filled_sqlite):
    """A migrated app on its own database holding `flask seed` and `flask demo` data."""
    with scratch_app(tmp_path, "backup", migrate=filled_sqlite is None) as app:
        with app.app_context():
            url = db.engine.url.render_as_string(hide_password=False)
            if filled_sqlite:
                shutil.copy(filled_sqlite, db.engine.url.database)
        if not filled_sqlite:
            fill(app)
        app.config["TEST_URL"] = url
        yield app


def change_everything(url: str) -> None:
    """Edit, delete and add rows the way a bad day would."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("UPDATE \"user\" SET name = name || ' (changed)'"))
        conn.execute(text("DELETE FROM rating"))
        conn.execute(text("DELETE FROM audit_event"))
        conn.execute(text("INSERT INTO site (name, street, city, region, postal_code, created_at, updated_at) "
                          "SELECT name || ' copy', street, city, region, postal_code, created_at, updated_at FROM site"))
    engine.dispose()


def aside_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*before-restore*"))


# SQLite -----------------------------------------------------------------------------------------

@sqlite_only
def test_backup_then_restore_gives_back_every_row_of_every_table(demo_app, tmp_path):
    url = demo_app.config["TEST_URL"]
    at_backup = every_row(url)
    assert len(at_backup) >= 20 and all(at_backup[name] for name in ("user", "progress", "scorecard", "rating"))
    target = tmp_path / "nightly.db"

    made = flask(demo_app, "backup", str(target))
    assert made.exit_code == 0, made.output
    total = sum(len(rows) for rows in at_backup.values())
    assert f"{len(at_backup)} tables, {total:,} rows" in made.output
    assert every_row(f"sqlite:///{target}") == at_backup

    change_everything(url)
    changed = every_row(url)
    assert changed != at_backup and not changed["rating"]

    restored = flask(demo_app, "restore", "--yes", str(target))
    assert restored.exit_code == 0, restored.output
    assert every_row(url) == at_backup
    [aside] = aside_files(Path(make_url(url).database).parent)
    assert str(aside) in restored.output
    assert every_row(f"sqlite:///{aside}") == changed  # the database as it was just before the restore


@sqlite_only
def test_backup_while_the_app_is_writing_holds_only_committed_rows(demo_app, tmp_path):
    url = demo_app.config["TEST_URL"]
    committed = every_row(url)
    writer = sqlite3.connect(make_url(url).database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # a write transaction the app has not committed yet
        writer.execute("UPDATE \"user\" SET name = 'half-way'")
        result = flask(demo_app, "backup", str(tmp_path / "live.db"))
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert result.exit_code == 0, result.output
    assert every_row(f"sqlite:///{tmp_path / 'live.db'}") == committed
    with sqlite3.connect(make_url(url).database) as conn:  # the write itself went through afterwards
        assert conn.execute('SELECT DISTINCT name FROM "user"').fetchall() == [("half-way",)]
    conn.close()


@sqlite_only
def test_backup_refuses_an_existing_file_unless_forced(demo_app, tmp_path):
    target = tmp_path / "taken.db"
    target.write_bytes(b"someone else's file")

    refused = flask(demo_app, "backup", str(target))
    assert refused.exit_code == 1 and "already exists" in refused.output and "--force" in refused.output
    assert target.read_bytes() == b"someone else's file"

    forced = flask(demo_app, "backup", "--force", str(target))
    assert forced.exit_code == 0, forced.output
    assert every_row(f"sqlite:///{target}") == every_row(demo_app.config["TEST_URL"])


def other_schema(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('hello')")
    conn.close()


def unknown_revision(path: Path, backup: Path) -> None:
    shutil.copy(backup, path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.close()


def head_without_tables(path: Path, backup: Path) -> None:
    with sqlite3.connect(backup) as conn:
        head = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    conn.close()
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (head,))
        conn.execute('CREATE TABLE "user" (id INTEGER PRIMARY KEY)')
    conn.close()


def damaged(path: Path, backup: Path) -> None:
    data = bytearray(backup.read_bytes())
    data[4096:len(data) // 2] = b"\xa5" * (len(data) // 2 - 4096)  # pages after the first overwritten
    path.write_bytes(bytes(data))


REFUSALS = {
    "text file": (lambda path, backup: path.write_text("name,email\nAda,ada@example.org\n"), "is not a SQLite database"),
    "empty file": (lambda path, backup: path.write_bytes(b""), "is not a SQLite database"),
    "another schema": (lambda path, backup: other_schema(path), "no alembic_version table"),
    "unknown revision": (unknown_revision, "revision ffffffffffff, which this version of the app does not know"),
    "tables missing": (head_without_tables, "has no api_call, api_token, application, application_resubmission, assignment"),
    "damaged": (damaged, "(database disk image is malformed)."),
    "missing": (lambda path, backup: None, "does not exist"),
}


@sqlite_only
@pytest.mark.parametrize("case", REFUSALS)
def test_restore_refuses_what_is_not_a_backup_of_this_app_and_changes_nothing(demo_app, tmp_path, case):
    make, message = REFUSALS[case]
    url = demo_app.config["TEST_URL"]
    good = tmp_path / "good.db"
    assert flask(demo_app, "backup", str(good)).exit_code == 0
    change_everything(url)  # so a restore of `good` would be visible
    before = every_row(url)
    candidate = tmp_path / f"candidate-{case.replace(' ', '-')}.db"
    make(candidate, good)

    result = flask(demo_app, "restore", "--yes", str(candidate))
    assert result.exit_code == 1, result.output
    assert message in result.output and "Nothing was changed." in result.output
    assert every_row(url) == before
    assert aside_files(Path(make_url(url).database).parent) == []


@sqlite_only
def test_restore_asks_first_and_a_no_changes_nothing(demo_app, tmp_path):
    url = demo_app.config["TEST_URL"]
    target = tmp_path / "b.db"
    assert flask(demo_app, "backup", str(target)).exit_code == 0
    change_everything(url)
    before = every_row(url)

    result = flask(demo_app, "restore", str(target), answer="n\n")
    assert result.exit_code == 1 and "Replace the current database with this backup?" in result.output
    assert every_row(url) == before and aside_files(Path(make_url(url).database).parent) == []

    result = flask(demo_app, "restore", str(target), answer="y\n")
    assert result.exit_code == 0, result.output
    assert every_row(url) != before


@sqlite_only
def test_a_backup_from_an_older_schema_is_restored_and_then_upgraded(demo_app, tmp_path):
    import flask_migrate
    from alembic.script import ScriptDirectory

    with scratch_app(tmp_path, "older", migrate=False) as old_app, old_app.app_context():
        script = ScriptDirectory.from_config(old_app.extensions["migrate"].migrate.get_config())
        first, head = script.get_base(), script.get_current_head()
        assert first != head
        flask_migrate.upgrade(revision=first)
        older = Path(db.engine.url.database)
    url = demo_app.config["TEST_URL"]

    result = flask(demo_app, "restore", "--yes", str(older))
    assert result.exit_code == 0, result.output
    assert f"migration revision {first}" in result.output and "db upgrade" in result.output
    assert [row[0] for row in every_row(url)["alembic_version"]] == [first]
    assert every_row(url)["user"] == []

    assert flask(demo_app, "db", "upgrade").exit_code == 0
    assert [row[0] for row in every_row(url)["alembic_version"]] == [head]


def test_printed_pg_commands_use_libpq_urls_without_the_password():
    url = make_url("postgresql+psycopg://app:s3cret@db.example:5433/medical_home?sslmode=require")
    dump, dump_password = pg_dump_command(url, Path("/backups/nightly 1.dump"))
    restore, restore_password = pg_restore_command(url, Path("/backups/nightly 1.dump"))
    dsn = "--dbname=postgresql://app@db.example:5433/medical_home?sslmode=require"
    assert shlex.split(dump) == ["pg_dump", "--format=custom", "--file=/backups/nightly 1.dump", dsn]
    assert shlex.split(restore) == ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                    dsn, "/backups/nightly 1.dump"]
    assert dump_password and restore_password and "s3cret" not in dump + restore


def test_an_in_memory_database_cannot_be_backed_up():
    with pytest.raises(BackupError, match="in memory"):
        sqlite_file(make_url("sqlite://"))
    assert sqlite_file(make_url("postgresql+psycopg://app@db/medical_home")) is None


# PostgreSQL -------------------------------------------------------------------------------------

def commands(output: str) -> list[list[str]]:
    return [shlex.split(line) for line in output.splitlines() if line.startswith(("pg_dump ", "pg_restore "))]


@postgres_only
def test_postgres_backup_and_restore_print_the_pg_commands_and_write_nothing(tmp_path):
    with scratch_app(tmp_path, "pgcmd") as app:
        with app.app_context():
            name = db.engine.url.database
        target = tmp_path / "medical home.dump"

        result = flask(app, "backup", str(target))
        assert result.exit_code == 3 and "nothing was written" in result.stderr
        [dump] = commands(result.stdout)
        assert dump[:3] == ["pg_dump", "--format=custom", f"--file={target}"] and len(dump) == 4
        assert dump[3].startswith("--dbname=postgresql://") and dump[3].endswith(f"/{name}")
        assert not target.exists()

        target.write_bytes(b"not a dump")
        refused = flask(app, "restore", str(target))
        assert refused.exit_code == 1 and "not a pg_dump custom-format archive" in refused.output
        target.write_bytes(b"PGDMP\x01\x0e")
        printed = flask(app, "restore", str(target))
        assert printed.exit_code == 3 and "nothing was changed" in printed.stderr
        keep, restore = commands(printed.stdout)
        assert keep[:2] == ["pg_dump", "--format=custom"] and "before-restore" in keep[2]
        assert restore[0] == "pg_restore" and restore[-1] == str(target)
        assert {"--clean", "--if-exists", "--single-transaction"} <= set(restore) and "+psycopg" not in restore[-2]


@postgres_only
@pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="needs pg_dump and pg_restore")
def test_postgres_round_trip_with_the_printed_commands_gives_back_every_row(demo_app, tmp_path):
    url = demo_app.config["TEST_URL"]
    at_backup = every_row(url)
    assert all(at_backup[name] for name in ("user", "progress", "scorecard", "rating"))
    target = tmp_path / "nightly.dump"

    [dump] = commands(flask(demo_app, "backup", str(target)).stdout)
    subprocess.run(dump, check=True, timeout=120, capture_output=True)  # noqa: S603 (the command under test)
    assert target.read_bytes().startswith(b"PGDMP")

    change_everything(url)
    changed = every_row(url)
    assert changed != at_backup

    keep, restore = commands(flask(demo_app, "restore", str(target)).stdout)
    with demo_app.app_context():
        db.engine.dispose()
    for command in (keep, restore):
        subprocess.run(command, check=True, timeout=120, capture_output=True)  # noqa: S603 (the commands under test)
    assert every_row(url) == at_backup
    assert Path(keep[2].removeprefix("--file=")).read_bytes().startswith(b"PGDMP")
