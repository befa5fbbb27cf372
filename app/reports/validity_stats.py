"""Pearson's r between interview scores and 90-day ratings, its 95% interval and a plain reading."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean

MINIMUM_N = 10
MIN_FOR_INTERVAL = 4  # the Fisher standard error 1/sqrt(n - 3) needs n > 3
Z_95 = 1.959964  # the normal quantile for a two-sided 95% interval
# Cohen's conventional sizes for |r|, judged on r as shown (two decimals): 0.50 and up is strong,
# 0.30 up to 0.50 moderate, below 0.30 weak.
STRENGTHS = ((0.5, "strong"), (0.3, "moderate"), (0.0, "weak"))
_ONE = 1e-12  # |r| this close to 1 is a perfect fit that rounding has blurred


@dataclass(frozen=True)
class Correlation:
    n: int
    r: float | None  # None when the scores or the ratings did not vary
    low: float | None  # the 95% interval; None when it cannot be computed
    high: float | None
    reading: str


def strength(r: float) -> str:
    """The size of a correlation in words: strong for |r| >= 0.5, moderate for >= 0.3, else weak."""
    size = round(abs(r), 2)
    return next(word for threshold, word in STRENGTHS if size >= threshold)


def fisher_interval(r: float, n: int) -> tuple[float, float] | None:
    """The 95% interval for r by Fisher's z (None below 4 pairs); a perfect r gives the interval [r, r]."""
    if n < MIN_FOR_INTERVAL:
        return None
    if abs(r) == 1.0:
        return r, r  # atanh(±1) is infinite: the limit of the interval as r goes to ±1
    z, half = math.atanh(r), Z_95 / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    mean_x, mean_y = fmean(xs), fmean(ys)
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    return math.copysign(1.0, r) if abs(r) > 1 - _ONE else r


def _flat_reading(n: int, scores_vary: bool, ratings_vary: bool) -> str:
    if not scores_vary and not ratings_vary:
        what = "Neither the interview scores nor the 90-day ratings varied"
    elif not scores_vary:
        what = "The interview scores did not vary"
    else:
        what = "The 90-day ratings did not vary"
    return f"{what} (n = {n}), so there is nothing to compare."


def _reading(r: float, low: float, high: float, n: int) -> str:
    if low > 0:
        return f"Interview scores predicted 90-day ratings: a {strength(r)} relationship (n = {n})."
    if high < 0:
        return f"Higher interview scores went with lower 90-day ratings (n = {n})."
    return f"No clear relationship yet: the 95% interval includes zero (n = {n})."


def correlation(pairs: Sequence[tuple[float, float]], *, minimum_n: int = MINIMUM_N) -> Correlation:
    """Pearson's r over (interview score, 90-day rating) pairs, its 95% interval and what it means.

    r and the interval are given whenever they can be computed, even below minimum_n; the reading
    then says there are too few hires to tell. minimum_n below 4 counts as 4 (the interval needs it)."""
    n = len(pairs)
    xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
    scores_vary, ratings_vary = len(set(xs)) > 1, len(set(ys)) > 1  # exact: no rounding noise as spread
    r = _pearson(xs, ys) if scores_vary and ratings_vary else None
    interval = fisher_interval(r, n) if r is not None else None
    low, high = interval if interval else (None, None)
    needed = max(minimum_n, MIN_FOR_INTERVAL)
    if n < needed:
        reading = f"Too few hires to tell (n = {n}; at least {needed} are needed)."
    elif r is None or low is None or high is None:
        reading = _flat_reading(n, scores_vary, ratings_vary)
    else:
        reading = _reading(r, low, high, n)
    return Correlation(n=n, r=r, low=low, high=high, reading=reading)


def _two(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text.replace("-", "\u2212")


def format_r(c: Correlation) -> str:
    """r and its interval as people read them, e.g. "r = 0.42 (95% CI 0.12 to 0.65)"; "—" without r."""
    if c.r is None:
        return "—"
    if c.low is None or c.high is None:
        return f"r = {_two(c.r)}"
    return f"r = {_two(c.r)} (95% CI {_two(c.low)} to {_two(c.high)})"
