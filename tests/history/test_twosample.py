"""Two-sample change: ratio of medians, bootstrap CI, Mann-Whitney p (checked against scipy's definition)."""

import numpy as np
import pytest

from mpmodel.history.twosample import sample_change


def test_no_change_is_not_significant_and_ci_covers_one():
    rng = np.random.default_rng(0)
    c = sample_change(rng.normal(100, 2, 15), rng.normal(100, 2, 15))
    assert c.low <= 1.0 <= c.high
    assert c.p_value > 0.05


def test_a_large_slowdown_is_significant_with_a_tight_ci():
    rng = np.random.default_rng(1)
    c = sample_change(rng.normal(100, 2, 12), rng.normal(150, 2, 12))
    assert c.p_value < 0.001
    assert 1.4 < c.low <= c.ratio <= c.high < 1.6
    assert (c.n_before, c.n_after) == (12, 12)


def test_complete_separation_of_small_samples_gives_the_exact_p():
    # 5 vs 5 fully separated: exact two-sided p = 2 / C(10, 5) = 2 / 252
    c = sample_change([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
    assert c.p_value == pytest.approx(2 / 252)


def test_the_ci_is_reproducible():
    a, b = [1.0, 1.1, 0.9, 1.05, 0.95], [1.2, 1.3, 1.25, 1.1, 1.4]
    assert sample_change(a, b) == sample_change(a, b)


@pytest.mark.parametrize("before,after,problem", [([1.0], [1.0, 2.0], "before: need at least 2"),
                                                   ([1.0, 2.0], [1.0, -1.0], "after: values must be positive"),
                                                   ([1.0, float("nan")], [1.0, 2.0], "before: values must be positive")])
def test_bad_samples_are_named(before, after, problem):
    with pytest.raises(ValueError, match=problem):
        sample_change(before, after)
