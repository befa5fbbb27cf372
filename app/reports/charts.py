"""Server-rendered SVG bar charts: no JavaScript, no inline styles, a text alternative on every chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 400
ROW = 42
TOP = 4
BAR = 14
LABEL_CHARS = 44
BAR_AREA = WIDTH - 60  # room after the longest bar for its value
INK, BRAND, TRACK = "#212529", "#0b5563", "#e9ecef"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing to measure (drawn as a dash)
    text: str  # the value as people read it, e.g. "75%" or "3.4"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str, desc: str = "", maximum: float = 100.0) -> Markup:
    """A horizontal bar chart: each bar's label above it and its value at its end. role="img" with a
    <title> and a <desc> listing every bar, so a screen reader gets the numbers the chart shows."""
    height = TOP + ROW * max(len(bars), 1) + 4
    summary = "; ".join(f"{bar.label}: {bar.text}" for bar in bars) or "No data."
    # Every piece is a literal Markup template: % escapes each value put into it (and is much cheaper
    # than Markup.format, which parses the template in Python on every call).
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart mw-100 h-auto" width="%(width)s" '
            'height="%(height)s" viewBox="0 0 %(width)s %(height)s" role="img" '
            'aria-labelledby="%(id)s-title %(id)s-desc" font-family="system-ui, sans-serif">'
            '<title id="%(id)s-title">%(title)s</title><desc id="%(id)s-desc">%(desc)s</desc>'
        ) % {"width": WIDTH, "height": height, "id": chart_id, "title": title,
             "desc": (desc + " " if desc else "") + summary},
    ]
    if not bars:
        parts.append(Markup('<text x="0" y="%s" font-size="15" fill="%s">No data for these filters.</text>') % (
            TOP + 16, INK))
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        share = 0.0 if bar.value is None or maximum <= 0 else min(max(bar.value / maximum, 0.0), 1.0)
        length = round(BAR_AREA * share, 1)
        filled = Markup('<rect x="0" y="%s" width="%s" height="%s" fill="%s"/>') % (y + 20, length, BAR, BRAND) \
            if length else ""
        parts.append(Markup(
            '<g aria-hidden="true"><text x="0" y="%s" font-size="15" fill="%s">%s</text>'
            '<rect x="0" y="%s" width="%s" height="%s" fill="%s"/>%s'
            '<text x="%s" y="%s" font-size="15" font-weight="600" fill="%s">%s</text></g>'
        ) % (y + 14, INK, _short(bar.label), y + 20, BAR_AREA, BAR, TRACK, filled, BAR_AREA + 6, y + 32, INK, bar.text))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def share_chart(shares: Sequence, *, chart_id: str, title: str, desc: str = "") -> Markup:
    """A completion chart from Share rows (label, percent, assigned, percent_text)."""
    bars = [Bar(share.label, share.percent if share.assigned else None, share.percent_text) for share in shares]
    return bar_chart(bars, chart_id=chart_id, title=title, desc=desc)
