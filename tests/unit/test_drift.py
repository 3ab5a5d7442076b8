"""Drift statistics, checked against SciPy and against values worked out by hand on fixed data; the sampling
noise of PSI checked against chi-square theory (SciPy) and against samples drawn without drift."""

import math

import numpy as np
import pandas as pd
import pytest
from mlops_core.contract import Contract
from mlops_core.data.profile import ProfileBuilder
from mlops_core.monitoring.drift import baseline_cdf, drift_report, ks_statistic, minimum_sample
from mlops_core.monitoring.drift_noise import SIGNIFICANCE, minimum_rows, sampling_noise
from mlops_core.monitoring.psi import PSEUDO_COUNT, psi
from scipy import stats
from scipy.special import rel_entr


def test_psi_of_large_samples_is_the_textbook_formula_on_their_shares():
    # (0.8 - 0.5) ln(0.8 / 0.5) + (0.2 - 0.5) ln(0.2 / 0.5)
    by_hand = 0.3 * math.log(1.6) + 0.3 * math.log(2.5)
    assert psi([50_000, 50_000], [80_000, 20_000]) == pytest.approx(by_hand, abs=1e-4)


def test_psi_is_the_symmetric_kl_divergence_scipy_computes_on_half_a_record_added_to_each_bin_in_use():
    expected = np.array([120, 300, 0, 80, 500, 0], float)
    actual = np.array([90, 200, 40, 170, 500, 0], float)  # the last bin is empty in both: it is not a bin at all
    e, a = expected[:5] + PSEUDO_COUNT, actual[:5] + PSEUDO_COUNT
    e, a = e / e.sum(), a / a.sum()

    assert psi(expected, actual) == pytest.approx(stats.entropy(a, e) + stats.entropy(e, a), rel=1e-12)
    assert psi(expected, actual) == pytest.approx(np.sum(rel_entr(a, e) + rel_entr(e, a)), rel=1e-12)


def test_psi_of_a_batch_is_the_psi_of_each_row():
    expected = np.array([[10, 20, 0], [5, 5, 5]])
    actual = np.array([[12, 15, 3], [0, 9, 6]])
    assert psi(expected, actual) == pytest.approx([psi(expected[0], actual[0]), psi(expected[1], actual[1])])


def test_psi_of_identical_samples_is_zero_and_an_empty_bin_costs_what_the_sample_size_says():
    assert psi([1, 2, 3, 0], [1, 2, 3, 0]) == 0.0
    # One of ten equal bins empty in 100 records: about 0.1 * ln(0.1 / (0.5 / 105)) = 0.29, where a fixed smoothing
    # share of 1e-4 made it 0.1 * ln(0.1 / 1e-4) = 0.69 at any sample size.
    assert 0.25 < psi([10_000] * 10, [0, 12] + [11] * 8) < 0.35


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
    assert report.score == pytest.approx(by_feature["x"].psi - by_feature["x"].expected)
    assert report.drifted == ["x"] and report.drifted_share == 0.5


def test_numeric_bins_count_missing_values_as_their_own_bin():
    x = np.arange(1000, dtype=float)
    profile = profile_of(pd.DataFrame({"x": x, "c": ["a"] * 1000, "y": x}))
    baseline = profile["columns"]["x"]
    # Live values drawn at the baseline's decile mid-points, one in ten missing instead of one decile.
    live = [None if i % 10 == 0 else float((i % 10) * 100 + 50) for i in range(1000)]
    counts = np.append(np.asarray(baseline["shares"]) * 1000, 0.0)
    actual = np.append(np.full(10, 100), 100)
    actual[0] = 0  # values 0..99 never occur: the missing ones take their tenth
    report = drift_report(profile, {"x": live}, threshold=0.25)
    assert report.features[0].psi == pytest.approx(psi(counts, actual))


def test_a_category_never_seen_in_training_and_missing_values_are_bins_too():
    profile = profile_of(pd.DataFrame({"x": [1.0] * 4, "c": ["a", "a", "b", None], "y": [1.0] * 4}))
    report = drift_report(profile, {"c": ["a", "b", "z", None]}, threshold=0.25)
    # Bins a, b, the rest (z), missing: baseline 2, 1, 0, 1; live 1 each.
    assert report.features[0].psi == pytest.approx(psi([2, 1, 0, 1], [1, 1, 1, 1]))


def test_categories_rarer_than_one_percent_share_one_bin_with_the_unseen_ones():
    rows = ["a"] * 600 + ["b"] * 394 + [f"rare-{i}" for i in range(6)]
    profile = profile_of(pd.DataFrame({"x": [1.0] * 1000, "c": rows, "y": [1.0] * 1000}))
    live = ["a"] * 50 + ["b"] * 40 + ["rare-0"] * 4 + ["new"] * 6

    report = drift_report(profile, {"c": live}, threshold=0.25)

    # Bins a, b, the rest (six rare categories; rare-0 and new), missing.
    assert report.features[0].psi == pytest.approx(psi([600, 394, 6, 0], [50, 40, 10, 0]))


def test_psi_of_a_sample_that_did_not_drift_averages_its_degrees_of_freedom_over_its_size():
    # n * PSI is about chi-square with bins - 1 degrees of freedom: its mean is (bins - 1) / n, here 9 / 300.
    [noise] = sampling_noise([np.full(10, 0.1)], [10_000_000], 300)
    assert noise.expected == pytest.approx(9 / 300, rel=0.1)


def test_a_larger_baseline_a_larger_sample_and_fewer_bins_all_lower_the_noise_bound():
    def bound(bins: int, baseline_rows: int, rows: int) -> float:
        return sampling_noise([np.full(bins, 1 / bins)], [baseline_rows], rows)[0].bound

    assert bound(10, 500, 300) > bound(10, 20_000, 300) > bound(10, 20_000, 1000) > bound(4, 20_000, 1000)


def test_the_noise_bound_of_many_features_is_the_chi_square_quantile_of_their_maximum():
    # Large samples: n * PSI of each of 30 features is chi-square(9); the largest of 30 exceeds the bound with
    # probability SIGNIFICANCE when each exceeds it with probability 1 - (1 - SIGNIFICANCE) ** (1 / 30).
    noise = sampling_noise([np.full(10, 0.1)] * 30, [10_000_000] * 30, 5000)
    per_feature = 1 - (1 - SIGNIFICANCE) ** (1 / 30)
    assert [n.bound for n in noise] == pytest.approx([stats.chi2.isf(per_feature, 9) / 5000] * 30, rel=0.12)


def test_the_noise_bound_holds_for_samples_drawn_from_the_baseline_itself():
    rng = np.random.default_rng(5)
    shares = [np.full(10, 0.1), np.array([0.6, 0.3, 0.08, 0.02]), np.full(40, 1 / 40)]
    noise = sampling_noise(shares, [5000] * 3, 200)
    beyond = 0
    for _ in range(2000):
        baseline = [rng.multinomial(5000, p) for p in shares]
        live = [rng.multinomial(200, p) for p in shares]
        beyond += any(psi(b, a) > n.bound for b, a, n in zip(baseline, live, noise, strict=True))
    assert beyond / 2000 <= 2 * SIGNIFICANCE


def test_the_sample_a_drift_needs_grows_with_bins_and_features_and_shrinks_with_the_threshold():
    assert minimum_rows([11] * 30, 0.25) > minimum_rows([11] * 6, 0.25)
    assert minimum_rows([51] + [11] * 5, 0.25) > minimum_rows([11] * 6, 0.25)
    assert minimum_rows([11] * 6, 0.1) > minimum_rows([11] * 6, 0.25)
    assert minimum_rows([1, 1], 0.25) == 0  # a constant feature needs no sample


@pytest.mark.parametrize(("bins", "features"), [(11, 30), (11, 6), (3, 6), (51, 30)])
def test_the_sample_a_drift_needs_is_where_its_mean_psi_reaches_the_chi_square_bound(bins, features):
    per_feature = 1 - (1 - SIGNIFICANCE) ** (1 / features)
    exact = (stats.chi2.isf(per_feature, bins - 1) - (bins - 1)) / 0.25
    assert minimum_rows([bins] * features, 0.25) == pytest.approx(exact, rel=0.06)


def test_a_pass_counts_the_bins_its_features_fill_in_the_baseline():
    categories = {f"c{i}": 20 for i in range(50)}
    profile = {"columns": {
        "x": {"kind": "numeric", "count": 1000, "nulls": 0, "edges": list(range(11)), "shares": [0.1] * 10},
        "c": {"kind": "categorical", "count": 1000, "nulls": 0, "frequencies": categories}}}
    assert minimum_sample(profile, ["x", "c"], 0.25) == minimum_rows([50, 10], 0.25) > minimum_rows([10, 10], 0.25)
    assert minimum_sample(profile, ["x"], 0.25) == minimum_rows([10], 0.25)
