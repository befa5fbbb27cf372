"""A server-rendered SVG scatter of interview scores against 90-day ratings, with a text alternative."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from statistics import fmean

from markupsafe import Markup

from app.reports.validity_stats import MINIMUM_N, correlation, format_r

WIDTH = 400
LEFT, TOP = 52, 10  # room for the y label and tick labels; the plot area starts here
PLOT_W, PLOT_H = 336, 280
INSET = 16  # keeps circles at 1 and 5 inside the frame
LOW, HIGH = 1.0, 5.0  # both scales are fixed at 1-5
TICKS = (1, 2, 3, 4, 5)
RADIUS = 4.5  # one hire; several at one point get the area of that many circles
MAX_RADIUS = 15.0
LEGEND_Y = TOP + PLOT_H + 66
HEIGHT = LEGEND_Y + 30
X_LABEL_CHARS, Y_LABEL_CHARS = 44, 36
INK, BRAND, TRACK = "#212529", "#0b5563", "#e9ecef"
AXIS, TREND = "#6c757d", "#9c4400"  # 4.7:1 and 6.5:1 against white


def x_at(score: float) -> float:
    """The horizontal SVG coordinate of an interview score (clamped to 1-5)."""
    share = (min(max(score, LOW), HIGH) - LOW) / (HIGH - LOW)
    return round(LEFT + INSET + share * (PLOT_W - 2 * INSET), 1)


def y_at(rating: float) -> float:
    """The vertical SVG coordinate of a 90-day rating (clamped to 1-5; higher is up)."""
    share = (min(max(rating, LOW), HIGH) - LOW) / (HIGH - LOW)
    return round(TOP + PLOT_H - INSET - share * (PLOT_H - 2 * INSET), 1)


def radius(count: int) -> float:
    """The radius of a circle standing for `count` hires with the same pair: area grows with the count."""
    return round(min(RADIUS * math.sqrt(count), MAX_RADIUS), 1)


def trend(pairs: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """The least-squares line (intercept, slope) of rating on score; None below 2 pairs or without spread."""
    xs = [x for x, _ in pairs]
    if len(pairs) < 2 or len(set(xs)) < 2:
        return None
    mean_x, mean_y = fmean(xs), fmean(y for _, y in pairs)
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    slope = math.fsum((x - mean_x) * (y - mean_y) for x, y in pairs) / sxx
    return mean_y - slope * mean_x, slope


def _segment(pairs: Sequence[tuple[float, float]]) -> tuple[float, float, float, float] | None:
    """The trend line over the scores seen, cut where it would leave the 1-5 rating scale."""
    line = trend(pairs)
    if line is None:
        return None
    intercept, slope = line
    start, end = max(min(x for x, _ in pairs), LOW), min(max(x for x, _ in pairs), HIGH)
    if slope:
        crossings = sorted(((LOW - intercept) / slope, (HIGH - intercept) / slope))
        start, end = max(start, crossings[0]), min(end, crossings[1])
    elif not LOW <= intercept <= HIGH:
        return None
    if start >= end:
        return None
    return start, intercept + slope * start, end, intercept + slope * end


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{round(value, 2):g}"


def _summary(pairs: Sequence[tuple[float, float]], x_label: str, y_label: str, minimum_n: int) -> str:
    if not pairs:
        return "No pairs yet."
    c = correlation(pairs, minimum_n=minimum_n)
    hires = "1 hire" if c.n == 1 else f"{c.n} hires"
    words = f"{hires}, each a circle: {x_label} across, {y_label} up."
    if c.r is not None:
        words += f" Correlation: {format_r(c)}."
    return f"{words} {c.reading}"


def _axes(x_label: str, y_label: str) -> list[Markup]:
    bottom, right = TOP + PLOT_H, LEFT + PLOT_W
    parts = [Markup('<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="%s"/>') % (
        LEFT, TOP, PLOT_W, PLOT_H, AXIS)]
    for tick in TICKS:
        x, y = x_at(tick), y_at(tick)
        parts.append(Markup(
            '<line class="scatter-grid" x1="%(x)s" y1="%(top)s" x2="%(x)s" y2="%(bottom)s" stroke="%(track)s"/>'
            '<line class="scatter-grid" x1="%(left)s" y1="%(y)s" x2="%(right)s" y2="%(y)s" stroke="%(track)s"/>'
            '<text x="%(x)s" y="%(below)s" font-size="14" text-anchor="middle" fill="%(ink)s">%(tick)s</text>'
            '<text x="%(beside)s" y="%(mid)s" font-size="14" text-anchor="end" fill="%(ink)s">%(tick)s</text>'
        ) % {"x": x, "y": y, "top": TOP, "bottom": bottom, "left": LEFT, "right": right, "track": TRACK,
             "below": bottom + 18, "beside": LEFT - 8, "mid": round(y + 5, 1), "ink": INK, "tick": tick})
    middle_x, middle_y = LEFT + PLOT_W / 2, TOP + PLOT_H / 2
    parts.append(Markup(
        '<text x="%s" y="%s" font-size="15" text-anchor="middle" fill="%s">%s</text>'
        '<text x="16" y="%s" font-size="15" text-anchor="middle" fill="%s" transform="rotate(-90 16 %s)">%s</text>'
    ) % (middle_x, bottom + 42, INK, _short(x_label, X_LABEL_CHARS),
         middle_y, INK, middle_y, _short(y_label, Y_LABEL_CHARS)))
    return parts


def _points(counts: Counter[tuple[float, float]]) -> list[Markup]:
    # The biggest circles are drawn first so smaller ones stay on top and visible.
    parts = []
    for (x, y), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        hires = "1 hire" if count == 1 else f"{count} hires"
        parts.append(Markup(
            '<circle class="scatter-point" cx="%s" cy="%s" r="%s" fill="%s" stroke="%s" stroke-width="1.5">'
            '<title>Score %s, rating %s: %s</title></circle>'
        ) % (x_at(x), y_at(y), radius(count), BRAND, BRAND, _number(x), _number(y), hires))
    return parts


def _legend(stacked: bool, trended: bool) -> list[Markup]:
    parts, x = [], LEFT
    if trended:
        parts.append(Markup(
            '<line class="scatter-trend scatter-legend" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5" '
            'stroke-dasharray="6 4"/><text x="%s" y="%s" font-size="13" fill="%s">Trend</text>'
        ) % (x, LEGEND_Y, x + 24, LEGEND_Y, TREND, x + 30, LEGEND_Y + 5, INK))
        x += 80
    if stacked:
        parts.append(Markup(
            '<circle class="scatter-point scatter-legend" cx="%s" cy="%s" r="%s" fill="%s" stroke="%s" stroke-width="1.5"/>'
            '<text x="%s" y="%s" font-size="13" fill="%s">Bigger circle: several hires</text>'
        ) % (x + 8, LEGEND_Y, radius(3), BRAND, BRAND, x + 22, LEGEND_Y + 5, INK))
    return parts


def scatter_plot(pairs: Sequence[tuple[float, float]], *, chart_id: str, title: str,
                 x_label: str = "Interview score (mean of scorecards)", y_label: str = "90-day manager rating",
                 desc: str = "", minimum_n: int = MINIMUM_N) -> Markup:
    """A scatter of (score, rating) pairs on fixed 1-5 axes with a dashed least-squares trend line.
    role="img" with a <title> and a <desc> giving n, r and the reading, so a screen reader gets the finding."""
    summary = _summary(pairs, x_label, y_label, minimum_n)
    # Literal Markup templates: % escapes every value put into them, labels and the chart id included.
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart scatter-chart mw-100 h-auto" '
            'width="%(width)s" height="%(height)s" viewBox="0 0 %(width)s %(height)s" role="img" '
            'aria-labelledby="%(id)s-title %(id)s-desc" font-family="system-ui, sans-serif">'
            '<title id="%(id)s-title">%(title)s</title><desc id="%(id)s-desc">%(desc)s</desc>'
            '<g aria-hidden="true">'
        ) % {"width": WIDTH, "height": HEIGHT, "id": chart_id, "title": title,
             "desc": (desc + " " if desc else "") + summary},
        *_axes(x_label, y_label),
    ]
    if not pairs:
        parts.append(Markup('<text x="%s" y="%s" font-size="15" text-anchor="middle" fill="%s">No pairs yet.</text>')
                     % (LEFT + PLOT_W / 2, TOP + PLOT_H / 2 + 5, INK))
    # Points that agree to two decimals are one circle, whose area counts them (no jitter: it would move data).
    counts = Counter((round(x, 2), round(y, 2)) for x, y in pairs)
    parts.extend(_points(counts))
    segment = _segment(pairs)
    if segment:
        x1, y1, x2, y2 = segment
        parts.append(Markup(
            '<line class="scatter-trend" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5" stroke-dasharray="6 4"/>'
        ) % (x_at(x1), y_at(y1), x_at(x2), y_at(y2), TREND))
    parts.extend(_legend(any(count > 1 for count in counts.values()), segment is not None))
    parts.append(Markup("</g></svg>"))
    return Markup("").join(parts)
