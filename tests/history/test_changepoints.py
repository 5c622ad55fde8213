"""Change-point detection: lasting shifts found, blips and noise left alone."""

import numpy as np
import pytest

from mpmodel.history.changepoints import detect_shifts


def noisy(level, n, rng, sd=0.02):
    return list(level * np.exp(rng.normal(0.0, sd, n)))


def test_a_lasting_shift_is_found_where_it_starts():
    rng = np.random.default_rng(0)
    shifts = detect_shifts(noisy(100, 10, rng) + noisy(150, 6, rng))
    assert len(shifts) == 1
    assert shifts[0].index == 10
    assert 0.4 < shifts[0].relative < 0.6


def test_one_run_blips_are_not_shifts_even_at_the_end():
    rng = np.random.default_rng(1)
    middle = noisy(100, 10, rng)
    middle[5] = 180
    last = noisy(100, 10, rng)
    last[-1] = 180
    assert detect_shifts(middle) == []
    assert detect_shifts(last) == []


def test_two_runs_at_a_new_level_make_a_shift():
    values = noisy(100, 8, np.random.default_rng(2)) + [175.0, 178.0]
    assert [s.index for s in detect_shifts(values)] == [8]


def test_noise_alone_makes_no_shift():
    rng = np.random.default_rng(3)
    for _ in range(20):
        assert detect_shifts(noisy(100, 30, rng, sd=0.03), threshold=0.10) == []


def test_shifts_below_the_threshold_are_merged_away():
    values = [100.0] * 6 + [106.0] * 6
    assert detect_shifts(values, threshold=0.10) == []
    assert [s.index for s in detect_shifts(values, threshold=0.05)] == [6]


def test_drop_then_recovery_gives_two_shifts():
    values = [100.0] * 5 + [60.0] * 4 + [100.0] * 5
    assert [(s.index, round(s.relative, 2)) for s in detect_shifts(values)] == [(5, -0.4), (9, 0.67)]


def test_too_short_or_invalid_series_give_nothing():
    assert detect_shifts([1.0, 2.0, 3.0]) == []
    assert detect_shifts([1.0, float("nan"), 1.0, 2.0, 2.0]) == []


def exhaustive_segments(logs, penalty, min_size):
    """The cubic search the pruned one replaced: every start for every end."""
    n = logs.size
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    start = np.zeros(n + 1, dtype=int)
    for j in range(min_size, n + 1):
        for i in range(0, j - min_size + 1):
            if np.isfinite(best[i]):
                seg = logs[i:j]
                cost = best[i] + float(np.abs(seg - np.median(seg)).sum()) + penalty
                if cost < best[j]:
                    best[j], start[j] = cost, i
    bounds, j = [], n
    while j > 0:
        bounds.append(int(start[j]))
        j = start[j]
    return sorted(bounds)


@pytest.mark.parametrize("seed", range(6))
def test_pruned_search_finds_the_exhaustive_optimum(seed):
    from mpmodel.history.changepoints import _segments

    rng = np.random.default_rng(seed)
    logs = rng.normal(0, 1, 60)
    logs[20:] += rng.choice([0, 3, -4])
    logs[rng.integers(0, 60)] += 8  # an outlier
    for penalty in (1.0, 4.0):
        assert _segments(logs, penalty, 2) == exhaustive_segments(logs, penalty, 2)
