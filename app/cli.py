"""Command-line tasks: seed, demo, create-admin."""

from __future__ import annotations

import os
import sys
import time

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from app.audit import acting_as
from app.extensions import db


def init_cli(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(demo)
    app.cli.add_command(create_admin)
    app.cli.add_command(renewals)
    app.cli.add_command(rebuild_summaries)
    app.cli.add_command(reminders)
    app.cli.add_command(import_staff)


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
    from app.content.services import apply_library, check_library, coverage_table, library_counts

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
        counts = library_counts(library)
        click.echo(
            f"\n{sum(counts['questions per value'].values())} questions, {len(library.rubrics)} rubrics, "
            f"{len(library.tracks)} tracks, {len(library.all_modules())} modules, "
            f"{counts['lesson words']} words of lessons, {counts['quiz items']} quiz items"
        )
        problems = check_library(library)
        if problems:
            click.echo(f"\n{len(problems)} problem(s):", err=True)
            for problem in problems:
                click.echo(f"  - {problem}", err=True)
            sys.exit(1)
        click.echo("The content library passes every check.")
        return
    with acting_as(db.session, None):
        report = apply_library(library)
    db.session.commit()
    click.echo(report.summary())


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
    problems = password_problems(password)
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
    click.echo(f"Administrator {user.email} invited. Set-password link (single use, 7 days):\n{link}")


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
    """Recompute every employee's training summary from progress (after a bulk change made outside
    the app, or if report figures are ever in doubt); safe to run at any time."""
    from app.onboarding.summaries import refresh_everyone

    count = refresh_everyone(db.session)
    db.session.commit()
    click.echo(f"Training summaries recomputed for {count} employee{'s' if count != 1 else ''}.")


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


@click.command("import-staff")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and list its problems; import nothing.")
def import_staff(path: str, dry_run: bool) -> None:
    """Import current staff from a CSV (name, email, site, role_family, manager_email, start_date): all or nothing."""
    from app.admin.import_services import import_staff_file

    with acting_as(db.session, None):
        ok = import_staff_file(path, dry_run=dry_run, echo=click.echo)
    if not ok:
        sys.exit(1)
