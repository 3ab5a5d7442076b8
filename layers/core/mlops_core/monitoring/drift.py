"""Data drift of live traffic against a model version's baseline profile: PSI per feature, KS for numeric ones.

Date features are not compared: live dates come after the training data's by nature, so any binning of them against
the baseline shows a shift that says nothing about the model. Their profile keeps only their range.

A feature counts as drifted only when its PSI is beyond what sampling alone gives at this sample size (drift_noise),
and then by its PSI less that bias. Pure NumPy against the profile the validate step stored, so the monitor needs
neither pandas nor SciPy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlops_core.contract import MISSING_CATEGORY
from mlops_core.monitoring.drift_noise import SIGNIFICANCE, minimum_rows, sampling_noise
from mlops_core.monitoring.psi import psi

# Categories rarer than this in the baseline share one bin with the ones it never saw: the bins stay few (a sample
# can fill them), whatever the column's cardinality.
RARE_CATEGORY = 0.01


def baseline_cdf(quantiles: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The baseline's CDF from its percentiles: linear between distinct ones, a step at a repeated one (an atom)."""
    q = np.asarray(quantiles, float)
    levels = np.linspace(0, 1, q.size)
    x = np.asarray(x, float)
    above = np.searchsorted(q, x, side="right")  # how many percentiles are <= x
    cdf = np.where(above >= q.size, 1.0, 0.0)
    inside = (above > 0) & (above < q.size)
    lo, hi = above[inside] - 1, above[inside]
    span = q[hi] - q[lo]
    cdf[inside] = levels[lo] + (levels[hi] - levels[lo]) * (x[inside] - q[lo]) / span
    return cdf


def _baseline_cdf_left(quantiles: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The left limit of baseline_cdf at x (differs from it only at an atom)."""
    q = np.asarray(quantiles, float)
    levels = np.linspace(0, 1, q.size)
    first = np.searchsorted(q, x, side="left")
    at_atom = (first < q.size) & (q[np.minimum(first, q.size - 1)] == x)
    return np.where(at_atom, levels[np.minimum(first, q.size - 1)], baseline_cdf(q, x))


def ks_statistic(values: np.ndarray, quantiles: Sequence[float]) -> float:
    """Largest gap between the sample's empirical CDF and the baseline CDF (both limits at every jump)."""
    x = np.sort(np.asarray(values, float))
    q = np.asarray(quantiles, float)
    if not x.size or not q.size:
        raise ValueError("KS needs values and baseline percentiles")
    points = np.union1d(x, q)
    n = x.size
    ecdf_right = np.searchsorted(x, points, side="right") / n
    ecdf_left = np.searchsorted(x, points, side="left") / n
    right, left = baseline_cdf(q, points), _baseline_cdf_left(q, points)
    return float(max(np.max(np.abs(ecdf_right - right)), np.max(np.abs(ecdf_left - left))))


@dataclass(frozen=True)
class FeatureDrift:
    """One feature's PSI, the PSI sampling alone gives on average (`expected`) and past which by chance (`bound`),
    and its KS statistic (numeric features with percentiles)."""

    feature: str
    kind: str
    psi: float
    expected: float
    bound: float
    ks: float | None = None

    @property
    def drift(self) -> float:
        """The PSI less its bias when it is beyond the noise bound; 0 when sampling alone could explain it."""
        return max(self.psi - self.expected, 0.0) if self.psi > self.bound else 0.0


@dataclass(frozen=True)
class DriftReport:
    """Per-feature drift and the dataset-level score: the largest drift of any feature beyond sampling noise."""

    rows: int
    threshold: float
    features: tuple[FeatureDrift, ...]

    @property
    def score(self) -> float:
        return max((f.drift for f in self.features), default=0.0)

    @property
    def largest_psi(self) -> float:
        return max((f.psi for f in self.features), default=0.0)

    @property
    def drifted(self) -> list[str]:
        return [f.feature for f in self.features if f.drift >= self.threshold]

    @property
    def drifted_share(self) -> float:
        return len(self.drifted) / len(self.features) if self.features else 0.0

    @property
    def max_ks(self) -> float | None:
        values = [f.ks for f in self.features if f.ks is not None]
        return max(values) if values else None

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "threshold": self.threshold, "score": self.score, "drifted": self.drifted,
                "largest_psi": self.largest_psi, "max_ks": self.max_ks, "significance": SIGNIFICANCE,
                "features": {f.feature: {"kind": f.kind, "psi": f.psi, "expected_psi": f.expected,
                                         "noise_bound": f.bound, "drift": f.drift, "ks": f.ks}
                             for f in self.features}}


@dataclass(frozen=True)
class _Binned:
    """A feature cut into the baseline's bins: the baseline's counts and size, the live counts."""

    feature: str
    kind: str
    expected: np.ndarray
    baseline_rows: int
    actual: np.ndarray
    ks: float | None = None


def numeric_expected(baseline: dict[str, Any]) -> np.ndarray:
    """The baseline's share in each decile bin (open at both ends), then the share of missing values."""
    total = baseline["count"] + baseline["nulls"]
    null_share = baseline["nulls"] / total if total else 0.0
    shares = np.asarray(baseline["shares"], float)
    if not shares.size:  # no numbers in the baseline: one bin for any that come
        shares = np.ones(1)
    return np.append(shares * (1 - null_share), null_share)


def numeric_bins(feature: str, baseline: dict[str, Any], values: np.ndarray) -> _Binned:
    values = np.asarray(values, float)
    present = values[np.isfinite(values)]
    expected = numeric_expected(baseline)
    edges = np.asarray(baseline["edges"], float)
    # np.histogram put the baseline's top edge in the last bin, so only the inner edges split.
    bins = np.searchsorted(edges[1:-1], present, side="right") if edges.size > 1 else np.zeros(present.size, int)
    counts = np.bincount(bins, minlength=expected.size - 1)
    actual = np.append(counts, values.size - present.size)
    quantiles = baseline.get("quantiles")
    ks = ks_statistic(present, quantiles) if quantiles and present.size else None
    rows = baseline["count"] + baseline["nulls"]
    return _Binned(feature, "numeric", expected * rows, rows, actual, ks)


def categorical_expected(baseline: dict[str, Any]) -> tuple[dict[str, int], np.ndarray]:
    """Each common category's bin index, and the baseline's counts: common categories, then the rest, then missing."""
    frequencies = baseline["frequencies"]
    total = sum(frequencies.values()) + baseline["nulls"]
    common = sorted(name for name, count in frequencies.items() if count >= RARE_CATEGORY * total)
    rest = sum(frequencies.values()) - sum(frequencies[name] for name in common)
    counts = np.array([frequencies[name] for name in common] + [rest, baseline["nulls"]], float)
    return {name: index for index, name in enumerate(common)}, counts


def categorical_bins(feature: str, baseline: dict[str, Any], values: Sequence[Any]) -> _Binned:
    index, expected = categorical_expected(baseline)
    rest, missing = len(index), len(index) + 1
    actual = np.zeros(expected.size)
    for value in values:
        actual[missing if value is None or value == MISSING_CATEGORY else index.get(str(value), rest)] += 1
    return _Binned(feature, "categorical", expected, int(expected.sum()), actual)


def drift_report(profile: dict[str, Any], columns: dict[str, Sequence[Any]], threshold: float) -> DriftReport:
    """Compare live columns (feature -> values, None for missing) with the profile of the training data."""
    binned = []
    for name, values in columns.items():
        baseline = _baseline(profile, name)
        if baseline is None:
            continue
        if baseline["kind"] == "numeric":
            binned.append(numeric_bins(name, baseline, np.array([np.nan if v is None else v for v in values], float)))
        else:
            binned.append(categorical_bins(name, baseline, values))
    rows = max((len(values) for values in columns.values()), default=0)
    noise = sampling_noise([b.expected for b in binned], [b.baseline_rows for b in binned], rows)
    return DriftReport(rows, threshold, tuple(FeatureDrift(b.feature, b.kind, psi(b.expected, b.actual),
                                                           n.expected, n.bound, b.ks)
                                              for b, n in zip(binned, noise, strict=True)))


def minimum_sample(profile: dict[str, Any], features: Sequence[str], threshold: float) -> int:
    """The fewest live records in which these features' drift can be told from sampling noise (drift_noise)."""
    bins = []
    for name in features:
        baseline = _baseline(profile, name)
        if baseline is None:
            continue
        expected = numeric_expected(baseline) if baseline["kind"] == "numeric" else categorical_expected(baseline)[1]
        bins.append(int(np.count_nonzero(expected)))
    return minimum_rows(bins, threshold)


def _baseline(profile: dict[str, Any], name: str) -> dict[str, Any] | None:
    """A feature's baseline for drift; None for a feature the profile lacks or does not compare (a date)."""
    baseline = profile["columns"].get(name)
    return None if baseline is None or baseline["kind"] == "date" else baseline
