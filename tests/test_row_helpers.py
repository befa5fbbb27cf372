"""The per-row helpers behind progress_bar and status_badge render what the macros did, escaped."""

from __future__ import annotations

from flask import render_template_string


def render(source: str, **values) -> str:
    return render_template_string('{% from "_macros/ui.html" import progress_bar, status_badge %}' + source, **values)


def test_progress_bar_shows_the_rounded_percent_and_the_counts(app):
    with app.test_request_context():
        html = render("{{ progress_bar(2, 3, 'Training progress of Ana') }}")
    assert html == (
        '\n<div class="progress-line">\n  <progress max="100" value="67" aria-label="Training progress of Ana">67%'
        '</progress>\n  <span class="small">67% (2 of 3)</span>\n</div>'
    )


def test_progress_bar_with_nothing_assigned_is_zero_percent(app):
    with app.test_request_context():
        assert 'value="0"' in render("{{ progress_bar(0, 0, 'x') }}")


def test_names_are_escaped_in_the_label_and_the_badge(app):
    with app.test_request_context():
        bar = render("{{ progress_bar(1, 2, 'Training progress of ' ~ name) }}", name='<b>"Ann"</b>')
        badge = render("{{ status_badge(label, 'danger') }}", label="<i>3 overdue</i>")
    assert "<b>" not in bar and "&lt;b&gt;&#34;Ann&#34;&lt;/b&gt;" in bar
    assert badge == '<span class="badge text-bg-danger">&lt;i&gt;3 overdue&lt;/i&gt;</span>'


def test_escape_text_escapes_exactly_as_markupsafe():
    from datetime import date

    from hypothesis import given
    from hypothesis import strategies as st
    from markupsafe import Markup, escape

    from app.templating import escape_text

    @given(st.text(alphabet=st.sampled_from("&<>'\"ab é\n\x00") | st.characters()))
    def same(value):
        assert escape_text(value) == str(escape(value))

    same()
    for value in (12, None, date(2026, 3, 4), Markup("<b>kept</b>")):
        assert escape_text(value) == str(escape(value))


def test_format_date_gives_the_same_text_for_repeated_and_different_dates():
    from datetime import date, datetime

    from app.templating import format_date

    assert [format_date(date(2026, 3, 4)), format_date(date(2026, 3, 4)), format_date(datetime(2026, 3, 4, 9, 5)),
            format_date(None), format_date(date(2026, 12, 25), "%Y-%m-%d")] == \
        ["Mar 4, 2026", "Mar 4, 2026", "Mar 4, 2026", "—", "2026-12-25"]
