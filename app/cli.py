"""Command-line tasks: seed, demo, create-admin, reminders, check-ins, import-staff, backup and restore."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from app.audit import acting_as
from app.extensions import db


def init_cli(app: Flask) -> None:
    from app.hiring.retention import candidates

    app.cli.add_command(seed)
    app.cli.add_command(demo)
    app.cli.add_command(create_admin)
    app.cli.add_command(renewals)
    app.cli.add_command(rebuild_summaries)
    app.cli.add_command(reminders)
    app.cli.add_command(check_ins)
    app.cli.add_command(import_staff)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(candidates)


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    for line in [header, ["-" * width for width in widths], *rows]:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=False)))


@click.command()
@click.option("--check", is_flag=True, help="Validate the library and print its coverage; load nothing.")
@click.option("--path", type=click.Path(file_okay=False), help="Seed folder (default: seeds/).")
def seed(check: bool, path: str | None) -> None:
    """Load or update the PCMH content library from seeds/ (running it twice changes nothing)."""
    from app.content.library import SeedError, read_library
    from app.content.services import (
        apply_library,
        check_in_table,
        check_library,
        coverage_table,
        library_counts,
    )

    root = path or current_app.config["SEEDS_DIR"]
    try:
        library = read_library(root)
    except SeedError as error:
        click.echo(f"The content library in {root} was refused; nothing was loaded:", err=True)
        for problem in error.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    if check:
        header, rows = coverage_table(library)
        click.echo("Coverage: questions that suit the role / rubric weight / modules in its tracks")
        _print_table(header, rows)
        click.echo("\nCheck-ins: days after the start date (the seed adds missing schedules; HR edits are kept)")
        _print_table(*check_in_table(library))
        counts = library_counts(library)
        click.echo(
            f"\n{sum(counts['questions per value'].values())} questions, {len(library.rubrics)} rubrics, "
            f"{len(library.tracks)} tracks, {len(library.all_modules())} modules, "
            f"{counts['lesson words']} words of lessons, {counts['quiz items']} quiz items, "
            f"{len(library.check_in_schedules)} check-in schedules, "
            f"{len(library.credential_types)} credential types"
        )
        problems = check_library(library)
        if problems:
            click.echo(f"\n{len(problems)} problem(s):", err=True)
            for problem in problems:
                click.echo(f"  - {problem}", err=True)
            sys.exit(1)
        click.echo("The content library passes every check.")
        return
    from app.hiring.message_templates import load_defaults

    with acting_as(db.session, None):
        report = apply_library(library)
        letters = load_defaults()
    db.session.commit()
    click.echo(report.summary())
    click.echo(f"{letters} candidate letter template(s) added (saved wording is kept).")


@click.command()
@click.option("--employees", default=200, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--password", envvar="DEMO_PASSWORD", default="medical-home-demo", show_default=True,
              help="Password of every demo account (or DEMO_PASSWORD).")
@click.option("--if-empty", is_flag=True, help="Do nothing, successfully, when the database has users.")
def demo(employees: int, password: str, if_empty: bool) -> None:
    """Create a demo organization with the four demo accounts (empty databases only)."""
    from app.auth.services import password_problems
    from app.demo import DEMO_ACCOUNTS, DemoError, build_demo
    from app.models import User

    if current_app.config.get("ENV_NAME") == "production":
        click.echo("flask demo refuses to run under the production configuration.", err=True)
        sys.exit(1)
    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("The database already has users; demo data not loaded.")
        return
    problems = password_problems(password, demo=True)
    if problems:
        click.echo("The demo password is too weak: " + " ".join(problems), err=True)
        sys.exit(1)
    started = time.perf_counter()
    try:
        with acting_as(db.session, None):
            report = build_demo(employees, password)
    except DemoError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Demo organization created in {time.perf_counter() - started:.1f}s: {report.summary()}.")
    click.echo("Demo logins (password: %s):" % ("$DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else password))
    for email, label in DEMO_ACCOUNTS.items():
        click.echo(f"  {label:<9} {email}")


@click.command("create-admin")
@click.argument("email")
@click.argument("name")
def create_admin(email: str, name: str) -> None:
    """Invite the first administrator and print their set-password link."""
    from app import mail
    from app.auth.services import AccountError, invite_token, invite_user
    from app.models import Role

    try:
        with acting_as(db.session, None):
            user = invite_user(actor=None, email=email, name=name, role=Role.ADMIN)
    except AccountError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    db.session.commit()
    mail.deliver_due()
    link = mail.external_url("auth.accept_invite", token=invite_token(user))
    days = current_app.config["INVITE_MAX_AGE"] // 86400
    click.echo(f"Administrator {user.email} invited. Set-password link (single use, {days} days):\n{link}")


@click.command()
def renewals() -> None:
    """Reopen completed modules whose yearly (or other) renewal falls within 30 days; cron can run it daily."""
    from datetime import date

    from app.onboarding.services import reopen_renewals

    with acting_as(db.session, None):
        count = reopen_renewals(date.today())
    db.session.commit()
    click.echo(f"{count} module{'s' if count != 1 else ''} reopened for renewal.")


@click.command("rebuild-summaries")
def rebuild_summaries() -> None:
    """Recompute every employee's training summary from progress and credential standing from their
    credentials, and set a new data token, so cached page parts are built again (after a bulk change
    made outside the app, or if report figures are ever in doubt); safe to run at any time."""
    from app.credentials import standing
    from app.onboarding.summaries import refresh_everyone
    from app.page_cache import mark_changed

    count = refresh_everyone(db.session)
    standing_count = standing.refresh_everyone(db.session)
    mark_changed(db.session)  # cached page parts may show the figures that were in doubt
    db.session.commit()
    click.echo(f"Training summaries recomputed for {count} employee{'s' if count != 1 else ''}; "
               f"credential standing for {standing_count}.")


@click.group()
def reminders() -> None:
    """E-mail reminders about due and overdue training."""


@reminders.command("send")
def send_reminders() -> None:
    """Queue today's reminders and weekly manager digests, then send what is due (safe to re-run)."""
    from datetime import date

    from app.reminders import run_reminders

    with acting_as(db.session, None):
        report = run_reminders(date.today())
    click.echo(report.summary())


@click.group("check-ins")
def check_ins() -> None:
    """Check-ins: 30/60/90-day ratings of new hires on the values they were hired on."""


@check_ins.command("schedule")
@click.option("--all", "include_past", is_flag=True,
              help="Also schedule people whose check-in days are all behind them (their check-ins start overdue).")
def schedule_check_ins(include_past: bool) -> None:
    """Give every active employee with a start date the check-ins of their schedule they do not have yet
    (safe to re-run: nobody gets one twice). People whose check-in days are all past are left out unless --all."""
    from datetime import date

    from app.onboarding.check_ins import backfill

    with acting_as(db.session, None):
        added, people, left_out = backfill(date.today(), include_past=include_past)
    db.session.commit()
    click.echo(f"{added} check-in{'s' if added != 1 else ''} added for {people} "
               f"{'person' if people == 1 else 'people'}.")
    if left_out:
        click.echo(f"{left_out} {'person' if left_out == 1 else 'people'} whose check-in days are all past "
                   "left out; run with --all to schedule them too.")


@click.command("import-staff")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and list its problems; import nothing.")
@click.option("--credentials", type=click.Path(exists=True, dir_okay=False),
              help="A CSV of their credentials (email, credential, number, issuer, issued_on, expires_on, "
                   "verification, verification_source), imported with the staff or not at all.")
def import_staff(path: str, dry_run: bool, credentials: str | None) -> None:
    """Import current staff from a CSV (name, email, site, role_family, manager_email, start_date): all or nothing."""
    from app.admin.import_services import import_staff_file

    with acting_as(db.session, None):
        ok = import_staff_file(path, dry_run=dry_run, echo=click.echo, credentials=credentials)
    if not ok:
        sys.exit(1)


PG_EXIT = 3  # on PostgreSQL, backup and restore only print the command to run: nothing was done


def _migration_revisions() -> tuple[set[str], str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return {revision.revision for revision in script.walk_revisions()}, script.get_current_head()


def _refuse(error: Exception) -> None:
    click.echo(f"{error} Nothing was changed.", err=True)
    sys.exit(1)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
def backup(path: Path, force: bool) -> None:
    """Back up the database to PATH: SQLite with its online backup API (safe while the app runs);
    on PostgreSQL, print the pg_dump command to run (exit 3)."""
    from app.backup import BackupError, backup_sqlite, pg_dump_command, sqlite_file

    try:
        database = sqlite_file(db.engine.url)
        if database is None:
            if path.exists() and not force:
                raise BackupError(f"{path} already exists; choose another name or pass --force to replace it.")
            command, needs_password = pg_dump_command(db.engine.url, path)
            click.echo("PostgreSQL is backed up with its own pg_dump; nothing was written. Run:", err=True)
            click.echo(command)
            if needs_password:
                click.echo("(The password is left out: give it in PGPASSWORD or ~/.pgpass.)", err=True)
            sys.exit(PG_EXIT)
        snapshot = backup_sqlite(database, path, force=force)
    except BackupError as error:
        _refuse(error)
    click.echo(f"Backed up {database} to {snapshot.path}: {snapshot.summary()}.")
    _print_table(["table", "rows"], [[name, f"{rows:,}"] for name, rows in sorted(snapshot.rows.items())])


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH, after copying the current one aside (SQLite);
    on PostgreSQL, print the pg_restore command to run (exit 3)."""
    from app.backup import (
        BackupError,
        check_pg_dump,
        check_restorable,
        pg_dump_command,
        pg_restore_command,
        read_snapshot,
        restore_sqlite,
        sqlite_file,
    )

    try:
        database = sqlite_file(db.engine.url)
        if database is None:
            check_pg_dump(path)
            aside = path.with_name(f"{db.engine.url.database}-before-restore-{time.strftime('%Y%m%d-%H%M%S')}.dump")
            keep, needs_password = pg_dump_command(db.engine.url, aside)
            command, _ = pg_restore_command(db.engine.url, path)
            click.echo("PostgreSQL is restored with its own pg_restore; nothing was changed. "
                       "Stop the app, keep a copy of the current database, then restore:", err=True)
            click.echo(keep)
            click.echo(command)
            if needs_password:
                click.echo("(The password is left out: give it in PGPASSWORD or ~/.pgpass.)", err=True)
            sys.exit(PG_EXIT)
        known, head = _migration_revisions()
        incoming = check_restorable(path, known_revisions=known, head=head, tables=db.metadata.tables)
        current = read_snapshot(database).summary() if database.is_file() else "no database yet"
    except BackupError as error:
        _refuse(error)
    click.echo(f"Backup {incoming.path}: {incoming.summary()}, migration revision {incoming.revision}.")
    click.echo(f"Current database {database}: {current}.")
    if not yes and not click.confirm("Replace the current database with this backup?"):
        click.echo("Nothing was changed.")
        sys.exit(1)
    db.session.remove()
    db.engine.dispose()
    try:
        aside, restored = restore_sqlite(path, database)
    except BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    finally:
        db.engine.dispose()
    if aside:
        click.echo(f"The previous database was copied to {aside.path} ({aside.summary()}).")
    click.echo(f"Restored {database} from {path}: {restored.summary()}.")
    if incoming.revision != head:
        click.echo("The backup is from an older version of the schema: run `flask --app app db upgrade` now.")
