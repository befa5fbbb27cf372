"""The validity scatter: well-formed SVG, points where they belong, a text alternative, escaped labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from app.reports.scatter import scatter_plot

NS = {"svg": "http://www.w3.org/2000/svg"}
# The plot area starts at (52, 10) and is 336 x 280, with a 16-unit inset on every side, so
#   score s -> x = 52 + 16 + (s - 1)/4 * (336 - 32) = 68 + 76 (s - 1)
#   rating v -> y = 10 + 280 - 16 - (v - 1)/4 * (280 - 32) = 274 - 62 (v - 1)
R_HALF = list(zip((1, 2, 3, 4, 5), (1, 3, 5, 2, 4), strict=True))  # r = 0.5 (see test_validity_stats)


def tree(raw: str) -> ET.Element:
    # The SVG is this app's own output, so there is no untrusted XML to defuse; parsing proves it well-formed.
    return ET.fromstring(raw)  # noqa: S314  # nosec B314


def parse(pairs, **kwargs):
    kwargs.setdefault("chart_id", "validity")
    kwargs.setdefault("title", "Interview scores and 90-day ratings")
    return tree(str(scatter_plot(pairs, **kwargs)))


def points(svg):
    return [c for c in svg.iterfind(".//svg:circle", NS) if c.get("class") == "scatter-point"]


def trend_lines(svg):
    return [line for line in svg.iterfind(".//svg:line", NS) if line.get("class") == "scatter-trend"]


def texts(svg):
    return [t.text for t in svg.iterfind(".//svg:text", NS)]


def test_a_known_point_lands_where_the_scales_put_it():
    # (3, 4): x = 68 + 76 * 2 = 220, y = 274 - 62 * 3 = 88. (2.5, 2): x = 68 + 76 * 1.5 = 182, y = 274 - 62 = 212.
    svg = parse([(3, 4), (2.5, 2)])
    where = {(float(c.get("cx")), float(c.get("cy"))) for c in points(svg)}
    assert where == {(220.0, 88.0), (182.0, 212.0)}


def test_the_axes_run_from_one_to_five_with_a_tick_label_at_each_whole_number():
    svg = parse([(3, 4)])
    assert texts(svg).count("1") == 2 and all(texts(svg).count(str(t)) == 2 for t in range(1, 6))
    grid = [line for line in svg.iterfind(".//svg:line", NS) if line.get("class") == "scatter-grid"]
    assert len(grid) == 10  # five across, five up
    assert {float(line.get("x1")) for line in grid if line.get("x1") == line.get("x2")} == {68, 144, 220, 296, 372}
    assert {float(line.get("y1")) for line in grid if line.get("y1") == line.get("y2")} == {274, 212, 150, 88, 26}
    assert "Interview score (mean of scorecards)" in texts(svg) and "90-day manager rating" in texts(svg)


def test_identical_pairs_are_one_circle_whose_area_counts_them():
    # Three hires at (3, 4): one circle of radius 4.5 * sqrt(3) = 7.79, so its area is three single circles.
    svg = parse([(3, 4), (3, 4), (3, 4), (2.5, 2), (4.25, 5)])
    circles = points(svg)
    assert len(circles) == 3
    by_place = {(c.get("cx"), c.get("cy")): c for c in circles}
    stacked = by_place[("220.0", "88.0")]
    assert stacked.get("r") == "7.8" and stacked.find("svg:title", NS).text == "Score 3, rating 4: 3 hires"
    assert {c.get("r") for c in circles if c is not stacked} == {"4.5"}
    assert "Bigger circle: several hires" in texts(svg)


def test_single_points_need_no_size_legend():
    svg = parse([(3, 4), (2.5, 2)])
    assert "Bigger circle: several hires" not in texts(svg)


def test_title_and_desc_give_n_r_and_the_reading():
    svg = parse(R_HALF * 10, desc="Hires who started in 2024.")
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "validity-title validity-desc"
    assert svg.find("svg:title", NS).text == "Interview scores and 90-day ratings"
    desc = svg.find("svg:desc", NS).text
    assert desc.startswith("Hires who started in 2024. 50 hires, each a circle:")
    assert "Correlation: r = 0.50 (95% CI 0.26 to 0.68)." in desc
    assert desc.endswith("Interview scores predicted 90-day ratings: a strong relationship (n = 50).")
    assert len(points(svg)) == 5  # 50 hires on 5 distinct points


def test_the_trend_line_is_the_least_squares_fit_over_the_scores_seen():
    # (1,1) (2,3) (3,2) (4,4): means 2.5; Sxx = 5, Sxy = 4, slope 0.8, intercept 2.5 - 0.8 * 2.5 = 0.5.
    # From score 1 (rating 1.3) to score 4 (rating 3.7): x 68 -> 296, y 274 - 62 * 0.3 = 255.4 -> 274 - 62 * 2.7 = 106.6.
    (line,) = trend_lines(parse([(1, 1), (2, 3), (3, 2), (4, 4)]))
    assert [float(line.get(k)) for k in ("x1", "y1", "x2", "y2")] == [68.0, 255.4, 296.0, 106.6]


def test_the_trend_line_stops_at_the_top_of_the_rating_scale():
    # (1,2) (2,5) (3,5): means 2 and 4; Sxx = 2, Sxy = (-1)(-2) + 0 + (1)(1) = 3, slope 1.5, intercept 1.
    # y = 1 + 1.5 s reaches 5 at s = 8/3: x = 68 + 76 * 5/3 = 194.7, y = 26. It starts at (1, 2.5): y = 274 - 93 = 181.
    (line,) = trend_lines(parse([(1, 2), (2, 5), (3, 5)]))
    assert [float(line.get(k)) for k in ("x1", "y1", "x2", "y2")] == [68.0, 181.0, 194.7, 26.0]


@pytest.mark.parametrize("pairs", [[(3, 4)], [(3, 1), (3, 5), (3, 2)]], ids=["one pair", "one score"])
def test_no_trend_line_without_two_pairs_and_spread_in_the_scores(pairs):
    svg = parse(pairs)
    assert trend_lines(svg) == [] and "Trend" not in texts(svg)


def test_every_label_is_escaped():
    title = "<script>alert(1)</script> & co"
    raw = str(scatter_plot([(3, 4), (4, 5)], chart_id='v" onload="x', title=title,
                           x_label="<b>Score</b>", y_label="Rating & more", desc="<i>Q3</i>"))
    assert "<script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in raw
    assert "<b>" not in raw and "<i>" not in raw and 'onload="x' not in raw
    svg = tree(raw)
    assert svg.find("svg:title", NS).text == title and svg.find("svg:title", NS).get("id") == 'v" onload="x-title'
    assert "<b>Score</b>" in texts(svg) and "Rating & more" in texts(svg)
    assert svg.find("svg:desc", NS).text.startswith("<i>Q3</i> 2 hires, each a circle: <b>Score</b> across")


def test_no_pairs_shows_an_empty_state():
    svg = parse([], desc="")
    assert svg.find("svg:desc", NS).text == "No pairs yet."
    assert "No pairs yet." in texts(svg)
    assert points(svg) == [] and trend_lines(svg) == []


def test_a_long_axis_label_is_shortened_on_the_chart_but_whole_in_the_desc():
    label = "Mean interview score across every scorecard submitted for the hire"
    svg = parse([(3, 4)], x_label=label)
    assert any(t.endswith("…") and len(t) == 44 for t in texts(svg))
    assert label in svg.find("svg:desc", NS).text
