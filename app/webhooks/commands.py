"""`flask webhooks send`: the cron command that sends due webhook deliveries and retries failed ones."""

from __future__ import annotations

import click

from app.audit import acting_as
from app.extensions import db
from app.webhooks import bp
from app.webhooks.delivery import deliver_due


@bp.cli.command("send")
@click.option("--limit", default=500, show_default=True, help="Deliveries to try in this run at most.")
def send_webhooks(limit: int) -> None:
    """Send webhook deliveries that are due, retrying failures with back-off (safe to run while another run is
    going: a delivery is never sent twice)."""
    with acting_as(db.session, None):
        delivered, failed = deliver_due(limit)
    click.echo(f"Webhooks: {delivered} delivered, {failed} failed (retried later unless given up).")
