"""The report's long tables, rendered in Python: 50 overdue people, 50 new hires and every posting's
stages and scores, where the same markup through Jinja (an attribute lookup, a filter and an escape
per cell) costs more than the statements that fetch them. Every value put in is escaped."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from markupsafe import Markup, escape

from app.templating import progress_bar, status_badge

Url = Callable[[object], str]


def _who(name: str, url: str, site: str | None, family, manager: str | None) -> str:
    family_label = family.label if family else "No role family"
    also = f" · manager {escape(manager)}" if manager else ""
    return (f'<th scope="row" class="fw-normal"><a href="{url}">{escape(name)}</a>\n'
            f'            <span class="d-block small text-muted">{escape(site or "No site")} · {escape(family_label)}'
            f'{also}</span></th>')


def overdue_rows(rows: Sequence, today: date, person_url: Url) -> Markup:
    """The rows of the most-overdue table (OverdueRow)."""
    return Markup("".join(  # noqa: S704 (every value escaped) # nosec B704
        f"""
        <tr>
          {_who(row.name, person_url(row.id), row.site, row.role_family, row.manager)}
          <td class="text-end fw-semibold">{row.overdue}</td>
          <td class="text-nowrap">{row.oldest_due.isoformat()} <span class="d-block text-muted small">{(today - row.oldest_due).days} days ago</span></td>
        </tr>""" for row in rows))


def new_hire_rows(hires: Sequence, person_url: Url) -> Markup:
    """The rows of the new-hires table (NewHire)."""
    def progress(hire) -> str:
        if hire.assigned:
            return progress_bar(hire.done, hire.assigned, "Training progress of " + hire.name)
        return '<span class="text-muted small">No training assigned</span>'

    def status(hire) -> str:
        return status_badge("On track", "success") if hire.on_track else status_badge(f"{hire.overdue} overdue", "danger")

    return Markup("".join(  # noqa: S704 (every value escaped) # nosec B704
        f"""
        <tr>
          {_who(hire.name, person_url(hire.id), hire.site, hire.role_family, hire.manager)}
          <td class="text-nowrap">{hire.start_date.isoformat()} <span class="d-block text-muted small">day {hire.day}</span></td>
          <td>{progress(hire)}</td>
          <td class="text-nowrap">{status(hire)}</td>
        </tr>""" for hire in hires))


def posting_rows(postings: Sequence, stages: Sequence, pipeline_url: Url) -> Markup:
    """The rows of applications and time to fill per posting (PostingFigures)."""
    def row(posting) -> str:
        opened = posting.opened_at.date().isoformat() if posting.opened_at else "—"
        counts = "".join(f'<td class="text-end">{posting.stages[stage]}</td>' for stage in stages)
        days = posting.days_to_fill
        return f"""
        <tr>
          <th scope="row" class="fw-normal"><a href="{pipeline_url(posting.id)}">{escape(posting.title)}</a>
            <span class="d-block small text-muted">{escape(posting.site or "No site")} · {escape(posting.status.value)}</span></th>
          <td class="text-nowrap">{opened}</td>
          {counts}
          <td class="text-end fw-semibold">{posting.applications}</td>
          <td class="text-end">{days if days is not None else "Not filled"}</td>
        </tr>"""

    return Markup("".join(row(posting) for posting in postings))  # noqa: S704 (every value escaped) # nosec B704


def value_score_groups(postings: Sequence, scores: Sequence[int]) -> Markup:
    """One <tbody> per posting: each value's mean and how many ratings gave each score."""
    width = len(scores) + 3

    def value_row(value) -> str:
        counts = "".join(f'<td class="text-end">{value.counts[score]}</td>' for score in scores)
        return f"""
        <tr>
          <th scope="row" class="fw-normal">{escape(value.name)}</th>
          <td class="text-end fw-semibold">{value.mean:.1f}</td>
          {counts}
          <td class="text-end">{value.ratings}</td>
        </tr>"""

    def group(posting) -> str:
        rows = "".join(value_row(value) for value in posting.values) or f"""
        <tr><td colspan="{width}" class="text-muted small">No submitted scorecards yet.</td></tr>"""
        return f"""
      <tbody>
        <tr class="table-light"><th scope="rowgroup" colspan="{width}">{escape(posting.title)} <span class="fw-normal small text-muted">· {escape(posting.site or "No site")}</span></th></tr>{rows}
      </tbody>"""

    return Markup("".join(group(posting) for posting in postings))  # noqa: S704 (every value escaped) # nosec B704
