"""Template filters and globals: sanitized Markdown, dates, labels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

import markdown as md
import nh3
from flask import Flask, url_for
from markupsafe import Markup, escape

from app.mail import external_url
from app.models import Role, RoleFamily
from app.navigation import navigation_menu

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML, sanitized with nh3 so stored content can never inject script."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists"])
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow"))


@lru_cache(maxsize=4096)
def _formatted(value: date | datetime, fmt: str) -> str:
    return value.strftime(fmt)


def format_date(value: date | datetime | None, fmt: str = "%b %-d, %Y") -> str:
    """'Mar 4, 2026', or '—'. A table repeats the same few dates, and strftime costs more than a lookup."""
    return _formatted(value, fmt) if value else "—"


def escape_text(value: object) -> str:
    """The value as text, escaped exactly as markupsafe.escape escapes it (markup stays as it is), as a
    plain str: for HTML built in Python, without a Markup object per value (five replaces of a short
    string cost less than one str.translate)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
            .replace('"', "&#34;"))


def format_datetime(value: datetime | None) -> str:
    return value.strftime("%b %-d, %Y %H:%M UTC") if value else "—"


def format_minutes(minutes: int) -> str:
    """'45 minutes', or hours past 90 minutes: 'about 3 hours'."""
    if minutes <= 90:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{round(minutes / 60)} hours"


def progress_bar(done: int, total: int, label: str) -> Markup:
    """A labelled progress element with its percent and counts (the one in _macros/ui.html): Python,
    not a macro, as tables call it once a row (an f-string of escaped values: Markup.format costs
    several times more)."""
    percent = int(round(done / total * 100, 0)) if total else 0
    html = (f'\n<div class="progress-line">\n  <progress max="100" value="{percent}" aria-label="{escape_text(label)}">'
            f'{percent}%</progress>\n  <span class="small">{percent}% ({escape_text(done)} of {escape_text(total)})</span>\n</div>')
    return Markup(html)  # noqa: S704 (every value put in is escaped) # nosec B704


def status_badge(label: str, tone: str = "secondary") -> Markup:
    """A coloured badge (the one in _macros/ui.html), called once a table row."""
    return Markup(f'<span class="badge text-bg-{escape(tone)}">{escape(label)}</span>')  # noqa: S704 (escaped) # nosec B704


URL_MARK = 987654321


def id_url(endpoint: str, argument: str, **values) -> Callable[[object], str]:
    """A function making the URL of `endpoint` for one id, from one url_for call: for tables that link
    every row (url_for per row costs more than the rest of the row)."""
    head, _, tail = url_for(endpoint, **{argument: URL_MARK}, **values).partition(str(URL_MARK))
    return lambda value: f"{head}{value}{tail}"


def role_family_label(value: str | RoleFamily | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = RoleFamily(value)
        except ValueError:
            return value
    return value.label


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["role_family"] = role_family_label
    app.jinja_env.filters["minutes"] = format_minutes
    app.jinja_env.globals.update(Role=Role, RoleFamily=RoleFamily, navigation_menu=navigation_menu, external_url=external_url,
                                 progress_bar_markup=progress_bar, status_badge_markup=status_badge, id_url=id_url)

    @app.context_processor
    def organization():
        return {"organization_name": app.config["ORGANIZATION_NAME"]}
