"""Server-rendered SVG bar charts: no JavaScript, no inline styles, a text alternative on every chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

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
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart mw-100 h-auto" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" font-family="system-ui, sans-serif">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc + " " if desc else "")}{escape(summary)}</desc>',
    ]
    if not bars:
        parts.append(f'<text x="0" y="{TOP + 16}" font-size="15" fill="{INK}">No data for these filters.</text>')
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        share = 0.0 if bar.value is None or maximum <= 0 else min(max(bar.value / maximum, 0.0), 1.0)
        length = round(BAR_AREA * share, 1)
        parts.append(f'<g aria-hidden="true"><text x="0" y="{y + 14}" font-size="15" fill="{INK}">'
                     f'{escape(_short(bar.label))}</text>')
        parts.append(f'<rect x="0" y="{y + 20}" width="{BAR_AREA}" height="{BAR}" fill="{TRACK}"/>')
        if length:
            parts.append(f'<rect x="0" y="{y + 20}" width="{length}" height="{BAR}" fill="{BRAND}"/>')
        parts.append(f'<text x="{BAR_AREA + 6}" y="{y + 32}" font-size="15" font-weight="600" fill="{INK}">'
                     f'{escape(bar.text)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every interpolated string above is escaped)


def share_chart(shares: Sequence, *, chart_id: str, title: str, desc: str = "") -> Markup:
    """A completion chart from Share rows (label, percent, assigned, percent_text)."""
    bars = [Bar(share.label, share.percent if share.assigned else None, share.percent_text) for share in shares]
    return bar_chart(bars, chart_id=chart_id, title=title, desc=desc)
