"""Pearson's r, the Fisher interval and the readings, against values worked out by hand."""

from __future__ import annotations

import pytest

from app.reports.validity_stats import Correlation, correlation, fisher_interval, format_r, strength

# Three 5-point sets on x = 1..5 (mean 3, deviations -2 -1 0 1 2, Sxx = 4+1+0+1+4 = 10). Each y is a
# permutation of 1..5 (mean 3, deviations again a permutation of -2..2, so Syy = 10 too), and
# r = Sxy / sqrt(Sxx * Syy) = Sxy / 10:
#   y = 1 3 5 2 4: deviations -2 0 2 -1 1, Sxy = 4 + 0 + 0 - 1 + 2 = 5 -> r = 0.5
#   y = 1 3 5 4 2: deviations -2 0 2 1 -1, Sxy = 4 + 0 + 0 + 1 - 2 = 3 -> r = 0.3
#   y = 1 4 5 2 3: deviations -2 1 2 -1 0, Sxy = 4 - 1 + 0 - 1 + 0 = 2 -> r = 0.2
# Repeating a set k times multiplies Sxx, Syy and Sxy by k, and adding points at the means (3, 3) adds
# nothing to any of them, so both change n and leave r as it is.
X = (1, 2, 3, 4, 5)
R_HALF = list(zip(X, (1, 3, 5, 2, 4), strict=True))
R_03 = list(zip(X, (1, 3, 5, 4, 2), strict=True))
R_02 = list(zip(X, (1, 4, 5, 2, 3), strict=True))
CENTRE = [(3, 3)]


def test_r_of_a_five_point_set_with_fractional_scores_matches_the_hand_sums():
    # x = 1.5 2.5 3.0 4.0 4.5, mean 15.5/5 = 3.1, deviations -1.6 -0.6 -0.1 0.9 1.4
    # y = 2   3   2   4   5,   mean 16/5 = 3.2,   deviations -1.2 -0.2 -1.2 0.8 1.8
    # Sxx = 2.56 + 0.36 + 0.01 + 0.81 + 1.96 = 5.70
    # Syy = 1.44 + 0.04 + 1.44 + 0.64 + 3.24 = 6.80
    # Sxy = 1.92 + 0.12 + 0.12 + 0.72 + 2.52 = 5.40
    # r = 5.40 / sqrt(5.70 * 6.80) = 5.40 / sqrt(38.76) = 5.40 / 6.22575 = 0.8674
    # n = 5 < 10: the numbers are there, the reading declines to judge.
    c = correlation([(1.5, 2), (2.5, 3), (3.0, 2), (4.0, 4), (4.5, 5)])
    assert c.n == 5
    assert c.r == pytest.approx(0.8674, abs=5e-5)
    assert c.reading == "Too few hires to tell (n = 5; at least 10 are needed)."


@pytest.mark.parametrize(("pairs", "expected"), [(R_HALF, 0.5), (R_03, 0.3), (R_02, 0.2)])
def test_r_of_the_permutation_sets_is_sxy_over_ten(pairs, expected):
    assert correlation(pairs).r == pytest.approx(expected, abs=1e-12)


def test_fisher_interval_for_r_half_and_twelve_hires():
    # z = atanh(0.5) = ln(3)/2 = 0.5493; se = 1/sqrt(12 - 3) = 1/3 = 0.3333; 1.959964 * se = 0.6533
    # bounds tanh(0.5493 - 0.6533) = tanh(-0.1040) = -0.1036 and tanh(0.5493 + 0.6533) = tanh(1.2026) = 0.8345
    low, high = fisher_interval(0.5, 12)
    assert low == pytest.approx(-0.1036, abs=5e-5)
    assert high == pytest.approx(0.8345, abs=5e-5)


def test_an_interval_that_includes_zero_reads_as_no_clear_relationship():
    # The r = 0.5 set twice plus two centre points: n = 12, r = 0.5, the interval above.
    c = correlation(R_HALF * 2 + CENTRE * 2)
    assert c.n == 12 and c.r == pytest.approx(0.5)
    assert (c.low, c.high) == pytest.approx((-0.1036, 0.8345), abs=5e-5)
    assert c.reading == "No clear relationship yet: the 95% interval includes zero (n = 12)."
    assert format_r(c) == "r = 0.50 (95% CI \u22120.10 to 0.83)"


def test_perfect_positive_fit_has_r_one_and_a_collapsed_interval():
    # y = x, twice over: Sxy = Sxx = Syy = 20, r = 20/20 = 1; atanh(1) is infinite, so the interval is [1, 1].
    c = correlation([(x, x) for x in X] * 2)
    assert (c.n, c.r, c.low, c.high) == (10, 1.0, 1.0, 1.0)
    assert c.reading == "Interview scores predicted 90-day ratings: a strong relationship (n = 10)."
    assert format_r(c) == "r = 1.00 (95% CI 1.00 to 1.00)"


def test_perfect_negative_fit_has_r_minus_one():
    # y = 6 - x: deviations of y are minus those of x, Sxy = -20, r = -20/20 = -1.
    c = correlation([(x, 6 - x) for x in X] * 2)
    assert (c.r, c.low, c.high) == (-1.0, -1.0, -1.0)
    assert c.reading == "Higher interview scores went with lower 90-day ratings (n = 10)."


def test_a_perfect_fit_blurred_by_rounding_is_still_exactly_minus_one():
    # y = 5.3 - 0.9x is a perfect negative fit; in floating point these sums give r = -1.0000000000000002,
    # which atanh would refuse.
    xs = [1.1, 3.17, 4.76, 2.52, 1.87, 2.69, 1.12, 1.89, 2.75, 2.98]
    c = correlation([(x, 5.3 - 0.9 * x) for x in xs])
    assert (c.r, c.low, c.high) == (-1.0, -1.0, -1.0)


@pytest.mark.parametrize(
    ("pairs", "reading"),
    [
        ([(3.5, y) for y in (1, 2, 3, 4, 5)] * 2, "The interview scores did not vary (n = 10), so there is nothing to compare."),
        ([(x, 4) for x in X] * 2, "The 90-day ratings did not vary (n = 10), so there is nothing to compare."),
        ([(3.5, 4)] * 10, "Neither the interview scores nor the 90-day ratings varied (n = 10), so there is nothing to compare."),
    ],
)
def test_no_variance_gives_no_r_and_says_what_did_not_vary(pairs, reading):
    c = correlation(pairs)
    assert c == Correlation(n=10, r=None, low=None, high=None, reading=reading)
    assert format_r(c) == "—"


def test_nine_hires_are_too_few_to_tell():
    # The r = 0.5 set plus four centre points: n = 9, r = 0.5.
    c = correlation(R_HALF + CENTRE * 4)
    assert c.n == 9 and c.r == pytest.approx(0.5)
    assert c.reading == "Too few hires to tell (n = 9; at least 10 are needed)."


@pytest.mark.parametrize(
    ("pairs", "n", "low", "high"),
    [
        # n = 10: se = 1/sqrt(7) = 0.3780, 1.959964 * se = 0.7408; tanh(0.5493 -/+ 0.7408) = tanh(-0.1915), tanh(1.2901)
        (R_HALF * 2, 10, -0.1892, 0.8592),
        # n = 11: se = 1/sqrt(8) = 0.3536, 1.959964 * se = 0.6930; tanh(0.5493 -/+ 0.6930) = tanh(-0.1436), tanh(1.2423)
        (R_HALF * 2 + CENTRE, 11, -0.1427, 0.8461),
    ],
)
def test_ten_and_eleven_hires_are_enough_to_read_the_interval(pairs, n, low, high):
    c = correlation(pairs)
    assert (c.n, c.r) == (n, pytest.approx(0.5))
    assert (c.low, c.high) == pytest.approx((low, high), abs=5e-5)
    assert c.reading == f"No clear relationship yet: the 95% interval includes zero (n = {n})."


def test_a_lower_minimum_is_honoured():
    c = correlation(R_HALF + CENTRE * 4, minimum_n=5)
    assert c.reading == "No clear relationship yet: the 95% interval includes zero (n = 9)."


def test_three_hires_give_r_but_no_interval():
    # x = 1 2 3, y = 1 3 2: means 2 and 2, deviations -1 0 1 and -1 1 0; Sxx = Syy = 2, Sxy = 1 + 0 + 0 = 1,
    # r = 1/2 = 0.5. se = 1/sqrt(3 - 3) does not exist: no interval, and never a judgement, whatever the minimum.
    pairs = [(1, 1), (2, 3), (3, 2)]
    c = correlation(pairs)
    assert (c.n, c.r, c.low, c.high) == (3, pytest.approx(0.5), None, None)
    assert format_r(c) == "r = 0.50"
    assert correlation(pairs, minimum_n=2).reading == "Too few hires to tell (n = 3; at least 4 are needed)."


def test_four_hires_are_the_fewest_with_an_interval():
    # x = 1 2 3 4, y = 1 3 2 4: means 2.5, deviations -1.5 -0.5 0.5 1.5 and -1.5 0.5 -0.5 1.5;
    # Sxx = Syy = 2.25 + 0.25 + 0.25 + 2.25 = 5, Sxy = 2.25 - 0.25 - 0.25 + 2.25 = 4, r = 4/5 = 0.8.
    # z = atanh(0.8) = ln(9)/2 = 1.0986; se = 1/sqrt(1) = 1; tanh(1.0986 - 1.9600) = tanh(-0.8614) = -0.6970,
    # tanh(1.0986 + 1.9600) = tanh(3.0586) = 0.9956.
    c = correlation([(1, 1), (2, 3), (3, 2), (4, 4)], minimum_n=4)
    assert c.r == pytest.approx(0.8)
    assert (c.low, c.high) == pytest.approx((-0.6970, 0.9956), abs=5e-5)
    assert c.reading == "No clear relationship yet: the 95% interval includes zero (n = 4)."


@pytest.mark.parametrize("n", [0, 1])
def test_no_or_one_hire_is_too_few_and_has_no_r(n):
    c = correlation([(3, 4)] * n)
    assert (c.r, c.low, c.high) == (None, None, None)
    assert c.reading == f"Too few hires to tell (n = {n}; at least 10 are needed)."


@pytest.mark.parametrize(
    ("pairs", "n", "low", "word"),
    [
        # r = 0.5, n = 50: se = 1/sqrt(47) = 0.1459, 1.959964 * se = 0.2859, low = tanh(0.5493 - 0.2859) = tanh(0.2634) = 0.2575
        (R_HALF * 10, 50, 0.2575, "strong"),
        # r = 0.3, n = 50: z = atanh(0.3) = 0.3095, low = tanh(0.3095 - 0.2859) = tanh(0.0236) = 0.0236
        (R_03 * 10, 50, 0.0236, "moderate"),
        # r = 0.2, n = 100: z = 0.2027, se = 1/sqrt(97) = 0.1015, 1.959964 * se = 0.1990, low = tanh(0.0037) = 0.0037
        (R_02 * 20, 100, 0.0037, "weak"),
    ],
)
def test_an_interval_above_zero_names_the_strength_at_its_boundary(pairs, n, low, word):
    c = correlation(pairs)
    assert c.n == n and c.low == pytest.approx(low, abs=5e-5) and c.low > 0
    assert c.reading == f"Interview scores predicted 90-day ratings: a {word} relationship (n = {n})."


def test_an_interval_below_zero_says_higher_scores_went_with_lower_ratings():
    # y reversed from the r = 0.5 set: r = -0.5, n = 50, high = -0.2575.
    c = correlation([(x, 6 - y) for x, y in R_HALF] * 10)
    assert c.r == pytest.approx(-0.5) and c.high == pytest.approx(-0.2575, abs=5e-5)
    assert c.reading == "Higher interview scores went with lower 90-day ratings (n = 50)."
    assert format_r(c).startswith("r = \u22120.50 (95% CI \u22120.68 to \u22120.26)")


@pytest.mark.parametrize(
    ("r", "word"),
    [(0.5, "strong"), (-0.5, "strong"), (0.49, "moderate"), (0.3, "moderate"), (-0.3, "moderate"),
     (0.29, "weak"), (0.0, "weak"), (0.497, "strong"), (0.294, "weak")],
)
def test_strength_boundaries_apply_to_r_as_shown(r, word):
    # 0.497 is shown as 0.50 and called strong; 0.294 is shown as 0.29 and called weak.
    assert strength(r) == word


def test_format_r_never_shows_minus_zero():
    c = Correlation(n=20, r=0.3, low=-0.001, high=0.6, reading="")
    assert format_r(c) == "r = 0.30 (95% CI 0.00 to 0.60)"
