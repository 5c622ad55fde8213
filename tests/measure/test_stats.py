import numpy as np
import pytest
from scipy import stats as sps

from mpmodel.measure import stats


@pytest.mark.parametrize("n", [6, 7, 10, 15, 20, 31, 50])
def test_order_statistic_ranks_match_binomial_quantiles(n):
    k, upper = stats.order_statistic_ranks(n, 0.95)
    assert upper == n + 1 - k
    assert sps.binom.cdf(k - 1, n, 0.5) <= 0.025 < sps.binom.cdf(k, n, 0.5)


def test_too_few_values_for_an_interval():
    assert stats.min_sample_size(0.95) == 6
    with pytest.raises(ValueError, match="too few"):
        stats.order_statistic_ranks(5, 0.95)


@pytest.mark.parametrize("dist,true_median", [
    (lambda rng, n: rng.lognormal(0.0, 0.3, n), 1.0),
    (lambda rng, n: rng.exponential(2.0, n), 2.0 * np.log(2)),
    (lambda rng, n: 1.7 + rng.standard_t(2, n), 1.7),
])
@pytest.mark.parametrize("n", [10, 20])
def test_median_ci_covers_true_median_at_least_95_percent(dist, true_median, n):
    rng = np.random.default_rng(7)
    trials = 3000
    hits = 0
    for _ in range(trials):
        est = stats.median_ci(dist(rng, n))
        hits += est.low <= true_median <= est.high
    coverage = hits / trials
    # exact coverage is 1 - 2 P(B < k): 0.979 at n=10, 0.959 at n=20; allow sampling error
    assert coverage >= 0.94, coverage


def test_paired_ratio_recovers_a_known_speedup_under_drift():
    rng = np.random.default_rng(1)
    drift = np.linspace(1.0, 1.5, 30)  # the machine slows down during the run
    a = 0.100 * drift * rng.lognormal(0, 0.02, 30)
    b = 0.050 * drift * rng.lognormal(0, 0.02, 30)
    est = stats.paired_ratio(a, b)
    assert est.low <= 2.0 <= est.high
    assert est.high - est.low < 0.1
    unpaired = np.median(a) / np.median(b)
    assert abs(est.value - 2.0) <= abs(unpaired - 2.0) + 0.02


def test_paired_ratio_rejects_bad_samples():
    with pytest.raises(ValueError, match="differ in length"):
        stats.paired_ratio([1.0] * 6, [1.0] * 7)
    with pytest.raises(ValueError, match="positive"):
        stats.paired_ratio([1.0] * 6, [0.0] * 6)
    with pytest.raises(ValueError, match="NaN"):
        stats.median_ci([1.0, float("nan")] * 4)
    with pytest.raises(ValueError, match="empty"):
        stats.median_ci([])


def test_mean_lower_bound_is_the_student_t_bound():
    est = stats.mean_lower_bound([-0.001, 0.001, -0.002])
    # mean -0.000667, sd 0.001528, t(0.95, 2) = 2.919986: half-width 0.002575
    assert est.value == pytest.approx(-0.000667, abs=1e-6) and est.n == 3 and est.confidence == 0.95
    assert est.low == pytest.approx(-0.000667 - 0.002575, abs=1e-6)
    assert est.high == pytest.approx(-0.000667 + 0.002575, abs=1e-6)
    assert stats.mean_lower_bound([0.5, 0.5]).low == 0.5  # no spread: the bound is the mean


def test_mean_lower_bound_covers_the_true_mean_95_percent_of_the_time():
    rng = np.random.default_rng(3)
    covered = [stats.mean_lower_bound(rng.normal(-0.004, 0.003, size=5)).low <= -0.004 for _ in range(4000)]
    assert 0.94 <= np.mean(covered) <= 0.96


def test_mean_lower_bound_refuses_one_value_nan_and_a_bad_confidence():
    with pytest.raises(ValueError, match="1 value is too few"):
        stats.mean_lower_bound([0.1])
    with pytest.raises(ValueError, match="NaN"):
        stats.mean_lower_bound([0.1, float("nan")])
    with pytest.raises(ValueError, match="confidence"):
        stats.mean_lower_bound([0.1, 0.2], confidence=0.4)


def test_an_order_statistic_interval_s_real_error_is_its_whole_ranks_tails():
    assert stats.median_ci_error(9, 0.995) == pytest.approx(2 / 512)  # the extremes of 9: 2 x 2^-9, under 0.005
    assert stats.median_ci_error(15, 0.95) == pytest.approx(2 * (1 + 15 + 105 + 455) / 2**15)  # ranks 4 and 12
    assert all(stats.median_ci_error(n, 0.95) <= 0.05 for n in range(6, 40))
