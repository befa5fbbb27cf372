"""The team table's rows, rendered in Python (app/team/people_table.py), show what the roll-up holds:
every person's name, link, e-mail, progress, overdue count, next due date and status, escaped."""

from __future__ import annotations

import html
import re
from datetime import date

from app.team import services
from app.team.people_table import people_rows
from app.templating import format_date
from tests.team.test_routes import login

ROW = re.compile(r'<tr class="d-block d-md-table-row border-bottom py-2">(.*?)</tr>', re.S)


def _cells(row_html: str) -> dict:
    link = re.search(r'<a href="([^"]+)">([^<]*)</a>', row_html)
    progress = re.search(r'<span class="small">(\d+% \(\d+ of \d+\))</span>', row_html)
    overdue = re.search(r'<span class="d-md-none">Overdue </span>(?:<strong class="text-danger">)?(\d+)', row_html)
    next_due = re.search(r'<span class="d-md-none">Next due </span>(?:<span class="[^"]*">)?([^<]+)', row_html)
    status = re.findall(r'<span class="badge text-bg-[^"]+">([^<]+)</span>', row_html)[-1]
    email = re.search(r'text-break">([^<]*)</span>', row_html)
    return {"href": link.group(1), "name": html.unescape(link.group(2)), "email": html.unescape(email.group(1)),
            "progress": progress.group(1), "overdue": int(overdue.group(1)), "next_due": next_due.group(1),
            "status": status}


def test_every_row_of_the_team_page_shows_the_roll_up_of_that_person(client, team):
    manager = team["mona"]
    login(client, manager)
    for query, filters in [("", services.TeamFilters()),
                           ("?indirect=1&sort=percent", services.TeamFilters(indirect=True, sort="percent"))]:
        page = client.get("/team" + query).get_data(as_text=True)
        shown = [_cells(row) for row in ROW.findall(page)]
        expected = [{"href": f"/team/people/{row.id}", "name": row.name, "email": row.email,
                     "progress": f"{row.percent}% ({row.done} of {row.assigned})", "overdue": row.overdue,
                     "next_due": format_date(row.next_due), "status": row.status_label}
                    for row in services.team_rows(manager, filters, today=date.today())]
        assert shown == expected and len(shown) >= 5


def test_names_and_e_mails_are_escaped_in_the_rows(app, make_user):
    manager = make_user()
    person = make_user(name='<script>alert("x")</script> & Co', email="o'neil@example.org", manager=manager)
    with app.test_request_context():
        row, = services.team_rows(manager, services.TeamFilters(), today=date.today())
        markup = str(people_rows([row], date.today(), lambda user_id: f"/team/people/{user_id}"))
    assert "<script>" not in markup
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in markup
    assert 'aria-label="Training progress of &lt;script&gt;' in markup and "o&#39;neil@example.org" in markup
    assert f'<a href="/team/people/{person.id}">' in markup
