"""Drift statistics, checked against SciPy and against values worked out by hand on fixed data."""

import math

import numpy as np
import pandas as pd
import pytest
from mlops_core.contract import Contract
from mlops_core.data.profile import ProfileBuilder
from mlops_core.monitoring.drift import SMOOTHING, baseline_cdf, drift_report, ks_statistic, psi
from scipy import stats
from scipy.special import rel_entr


def test_psi_of_two_bins_matches_the_textbook_formula():
    # (0.8 - 0.5) ln(0.8 / 0.5) + (0.2 - 0.5) ln(0.2 / 0.5)
    by_hand = 0.3 * math.log(1.6) + 0.3 * math.log(2.5)
    assert psi([0.5, 0.5], [0.8, 0.2]) == pytest.approx(by_hand, abs=1e-3)
    assert psi([5, 5], [8, 2]) == pytest.approx(psi([0.5, 0.5], [0.8, 0.2]))  # counts or shares alike


def test_psi_is_the_symmetric_kl_divergence_scipy_computes_on_the_smoothed_shares():
    expected = np.array([120, 300, 0, 80, 500], float)
    actual = np.array([90, 200, 40, 170, 500], float)

    def smooth(counts):
        shares = counts / counts.sum()
        return (shares + SMOOTHING) / (1 + SMOOTHING * shares.size)

    e, a = smooth(expected), smooth(actual)
    assert psi(expected, actual) == pytest.approx(stats.entropy(a, e) + stats.entropy(e, a), rel=1e-12)
    assert psi(expected, actual) == pytest.approx(np.sum(rel_entr(a, e) + rel_entr(e, a)), rel=1e-12)


def test_psi_of_identical_distributions_is_zero_and_an_empty_bin_stays_finite():
    assert psi([1, 2, 3], [2, 4, 6]) == pytest.approx(0.0, abs=1e-15)
    assert math.isfinite(psi([0.5, 0.5, 0.0], [0.0, 0.5, 0.5]))


def test_ks_against_a_continuous_baseline_equals_scipy_kstest_with_that_cdf():
    rng = np.random.default_rng(7)
    percentiles = np.quantile(rng.normal(0, 1, 20_000), np.linspace(0, 1, 101))
    live = rng.normal(0.4, 1.2, 3_000)
    expected = stats.kstest(live, lambda x: baseline_cdf(percentiles, x)).statistic
    assert ks_statistic(live, percentiles) == pytest.approx(expected, abs=1e-12)


def test_ks_against_percentiles_is_within_a_percentile_of_the_two_sample_test():
    rng = np.random.default_rng(11)
    train, live = rng.gamma(2.0, 3.0, 20_000), rng.gamma(2.3, 3.0, 2_000)
    percentiles = np.quantile(train, np.linspace(0, 1, 101))
    assert ks_statistic(live, percentiles) == pytest.approx(stats.ks_2samp(train, live).statistic, abs=0.011)


def test_ks_on_integers_sees_the_jump_at_an_atom():
    # Baseline: 0, 1 or 2, a third each. Live: all 2s. The live CDF is 0 below 2 where the baseline's is ~2/3.
    percentiles = np.quantile(np.repeat([0, 1, 2], 1000), np.linspace(0, 1, 101))
    assert ks_statistic(np.full(50, 2.0), percentiles) == pytest.approx(2 / 3, abs=0.011)
    assert ks_statistic(np.repeat([0.0, 1.0, 2.0], 10), percentiles) == pytest.approx(0.0, abs=0.011)


CONTRACT = Contract.from_dict({
    "model": "m", "task": "regression", "target": "y",
    "columns": {"x": {"type": "number", "nullable": True}, "c": {"type": "category", "categories": ["a", "b"]},
                "y": {"type": "number"}}})


def profile_of(frame: pd.DataFrame) -> dict:
    builder = ProfileBuilder(CONTRACT)
    builder.add(frame)
    return builder.build()


def test_a_feature_drifts_by_its_deciles_and_an_unchanged_one_does_not():
    rng = np.random.default_rng(3)
    train = pd.DataFrame({"x": rng.normal(50, 10, 5000), "c": rng.choice(["a", "b"], 5000), "y": rng.random(5000)})
    profile = profile_of(train)
    live = {"x": list(rng.normal(65, 10, 1000)), "c": list(rng.choice(["a", "b"], 1000))}
    report = drift_report(profile, live, threshold=0.25)
    by_feature = {f.feature: f for f in report.features}
    assert by_feature["x"].psi > 1.0 and by_feature["x"].ks > 0.4
    assert by_feature["c"].psi < 0.02 and by_feature["c"].ks is None
    assert report.score == by_feature["x"].psi and report.drifted == ["x"] and report.drifted_share == 0.5


def test_numeric_bins_count_missing_values_as_their_own_bin():
    x = np.arange(1000, dtype=float)
    profile = profile_of(pd.DataFrame({"x": x, "c": ["a"] * 1000, "y": x}))
    baseline = profile["columns"]["x"]
    # Live values drawn at the baseline's decile mid-points, one in ten missing instead of one decile.
    live = [None if i % 10 == 0 else float((i % 10) * 100 + 50) for i in range(1000)]
    shares = np.append(np.asarray(baseline["shares"]), 0.0)
    actual = np.append(np.full(10, 0.1), 0.1)
    actual[0] = 0.0  # values 0..99 never occur: the missing ones take their tenth
    report = drift_report(profile, {"x": live}, threshold=0.25)
    assert report.features[0].psi == pytest.approx(psi(shares, actual))


def test_a_category_never_seen_in_training_and_missing_values_are_bins_too():
    profile = profile_of(pd.DataFrame({"x": [1.0] * 4, "c": ["a", "a", "b", None], "y": [1.0] * 4}))
    report = drift_report(profile, {"c": ["a", "b", "z", None]}, threshold=0.25)
    # Bins (missing), a, b, z: baseline 1/4, 2/4, 1/4, 0; live 1/4 each.
    assert report.features[0].psi == pytest.approx(psi([1, 2, 1, 0], [1, 1, 1, 1]))
