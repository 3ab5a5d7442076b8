"""Data drift of live traffic against a model version's baseline profile: PSI per feature, KS for numeric ones.

Pure NumPy against the profile the validate step stored, so the monitor needs neither pandas nor SciPy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlops_core.contract import MISSING_CATEGORY

# Added to every bin's share (then renormalised) so an empty bin gives a finite PSI.
SMOOTHING = 1e-4
MISSING_BIN = "(missing)"


def psi(expected: np.ndarray, actual: np.ndarray, smoothing: float = SMOOTHING) -> float:
    """Population stability index: sum of (a - e) * ln(a / e) over bins, i.e. KL(a||e) + KL(e||a)."""
    e = _smooth(np.asarray(expected, float), smoothing)
    a = _smooth(np.asarray(actual, float), smoothing)
    return float(np.sum((a - e) * np.log(a / e)))


def _smooth(shares: np.ndarray, smoothing: float) -> np.ndarray:
    shares = shares / shares.sum()
    return (shares + smoothing) / (1 + smoothing * shares.size)


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
    """One feature's drift: its PSI and its KS statistic (numeric features with percentiles)."""

    feature: str
    kind: str
    psi: float
    ks: float | None


@dataclass(frozen=True)
class DriftReport:
    """Per-feature drift and the dataset-level score: the largest PSI of any feature."""

    rows: int
    threshold: float
    features: tuple[FeatureDrift, ...]

    @property
    def score(self) -> float:
        return max((f.psi for f in self.features), default=0.0)

    @property
    def drifted(self) -> list[str]:
        return [f.feature for f in self.features if f.psi >= self.threshold]

    @property
    def drifted_share(self) -> float:
        return len(self.drifted) / len(self.features) if self.features else 0.0

    @property
    def max_ks(self) -> float | None:
        values = [f.ks for f in self.features if f.ks is not None]
        return max(values) if values else None

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "threshold": self.threshold, "score": self.score, "drifted": self.drifted,
                "max_ks": self.max_ks,
                "features": {f.feature: {"kind": f.kind, "psi": f.psi, "ks": f.ks} for f in self.features}}


def numeric_drift(feature: str, baseline: dict[str, Any], values: np.ndarray) -> FeatureDrift:
    """Bins are the baseline's decile edges, open at both ends, plus one bin for missing values."""
    values = np.asarray(values, float)
    present = values[np.isfinite(values)]
    total = baseline["count"] + baseline["nulls"]
    null_share = baseline["nulls"] / total if total else 0.0
    edges = np.asarray(baseline["edges"], float)
    expected = np.append(np.asarray(baseline["shares"], float) * (1 - null_share), null_share)
    # np.histogram put the baseline's top edge in the last bin, so only the inner edges split.
    bins = np.searchsorted(edges[1:-1], present, side="right") if edges.size > 1 else np.zeros(present.size, int)
    counts = np.bincount(bins, minlength=expected.size - 1)
    actual = np.append(counts, values.size - present.size) / max(values.size, 1)
    quantiles = baseline.get("quantiles")
    ks = ks_statistic(present, quantiles) if quantiles and present.size else None
    return FeatureDrift(feature, "numeric", psi(expected, actual), ks)


def categorical_drift(feature: str, baseline: dict[str, Any], values: Sequence[Any]) -> FeatureDrift:
    """Bins are the categories seen in either sample, plus one for missing values."""
    frequencies = dict(baseline["frequencies"])
    frequencies[MISSING_BIN] = frequencies.get(MISSING_BIN, 0) + baseline["nulls"]
    observed: dict[str, int] = {}
    for value in values:
        key = MISSING_BIN if value is None or value == MISSING_CATEGORY else str(value)
        observed[key] = observed.get(key, 0) + 1
    bins = sorted(set(frequencies) | set(observed))
    expected = np.array([frequencies.get(b, 0) for b in bins], float)
    actual = np.array([observed.get(b, 0) for b in bins], float)
    return FeatureDrift(feature, "categorical", psi(expected, actual), None)


def drift_report(profile: dict[str, Any], columns: dict[str, Sequence[Any]], threshold: float) -> DriftReport:
    """Compare live columns (feature -> values, None for missing) with the profile of the training data."""
    features = []
    for name, values in columns.items():
        baseline = profile["columns"].get(name)
        if baseline is None:
            continue
        if baseline["kind"] == "numeric":
            numbers = np.array([np.nan if v is None else v for v in values], float)
            features.append(numeric_drift(name, baseline, numbers))
        else:
            features.append(categorical_drift(name, baseline, values))
    rows = max((len(values) for values in columns.values()), default=0)
    return DriftReport(rows, threshold, tuple(features))
