"""The report's long tables, rendered in Python (app/reports/tables.py), show what the services
return: each overdue person, new hire and posting with its link and figures, every value escaped."""

from __future__ import annotations

import html
import re
from datetime import date

from app.models import Role
from app.reports import services, tables
from app.reports.services import ReportFilters


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start:page.index("</table>", start)]


def _rows(section: str) -> list[str]:
    return re.findall(r"<tr>\s*(<th scope=\"row\".*?)</tr>", section, re.S)


def _link(row: str) -> tuple[str, str]:
    found = re.search(r'<a href="([^"]+)">([^<]*)</a>', row)
    return found.group(1), html.unescape(found.group(2))


def test_the_report_tables_show_the_people_and_postings_the_services_return(org, login_as, client):
    login_as(Role.HR)
    page = client.get("/reports").get_data(as_text=True)
    today = date.today()

    overdue = services.overdue_people(ReportFilters(), today=today)
    shown = _rows(_section(page, "overdue-heading"))
    assert [_link(row) for row in shown] == [(f"/team/people/{row.id}", row.name) for row in overdue.rows]
    for row, markup in zip(overdue.rows, shown, strict=True):
        assert f'<td class="text-end fw-semibold">{row.overdue}</td>' in markup
        assert f"{row.oldest_due.isoformat()} " in markup and f"{(today - row.oldest_due).days} days ago" in markup
        assert f"{row.site or 'No site'} · {row.role_family.label}" in markup

    hires = services.new_hires(ReportFilters(), today=today)
    shown = _rows(_section(page, "new-hires-heading"))
    assert [_link(row) for row in shown] == [(f"/team/people/{hire.id}", hire.name) for hire in hires.rows]
    assert len(shown) == 2  # Ben and Cal
    for hire, markup in zip(hires.rows, shown, strict=True):
        assert f"day {hire.day}</span>" in markup
        assert f"{hire.percent}% ({hire.done} of {hire.assigned})" in markup
        assert ("On track" if hire.on_track else f"{hire.overdue} overdue") in markup

    hiring = services.hiring(ReportFilters())
    shown = _rows(_section(page, "postings-heading"))
    assert [_link(row) for row in shown] == [(f"/hiring/postings/{p.id}/pipeline", p.title) for p in hiring.postings]
    for posting, markup in zip(hiring.postings, shown, strict=True):
        cells = re.findall(r'<td class="text-end">(\w[\w ]*)</td>', markup)
        assert cells == [str(posting.stages[stage]) for stage in services.PIPELINE] + [
            str(posting.days_to_fill) if posting.days_to_fill is not None else "Not filled"]
        assert f'<td class="text-end fw-semibold">{posting.applications}</td>' in markup

    scores = _section(page, "value-scores-heading")
    for posting in hiring.postings:
        assert f'colspan="8">{html.escape(posting.title)} ' in scores
        for value in posting.values:
            counts = "".join(f'<td class="text-end">{value.counts[s]}</td>' for s in services.SCORES)
            assert f'<th scope="row" class="fw-normal">{value.name}</th>' in scores and counts in scores


def test_names_in_the_report_tables_are_escaped():
    row = services.OverdueRow(7, "<b>Bold</b> & Co", "b@example.org", "<i>Site</i>", None, "O'Hara", 2,
                              date(2026, 1, 1))
    markup = str(tables.overdue_rows([row], date(2026, 1, 11), lambda user_id: f"/team/people/{user_id}"))
    assert "<b>" not in markup and "<i>" not in markup
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in markup and "manager O&#39;Hara" in markup
    assert "10 days ago" in markup and '<a href="/team/people/7">' in markup
