"""A dataset's statistical profile, built chunk by chunk; it becomes a model version's drift baseline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlops_core.contract import Contract

SAMPLE_ROWS = 20_000
QUANTILES = np.linspace(0, 1, 11)
# The baseline CDF for the KS statistic: 101 percentiles bound its error by 0.01 plus the sample's own.
PERCENTILES = np.linspace(0, 1, 101)


@dataclass
class _Numeric:
    count: int = 0
    nulls: int = 0
    total: float = 0.0
    squares: float = 0.0
    low: float = np.inf
    high: float = -np.inf


@dataclass
class _Dates:
    count: int = 0
    nulls: int = 0
    first: str | None = None
    last: str | None = None


@dataclass
class ProfileBuilder:
    """Exact counts and moments over every row, quantiles over a uniform bottom-k sample."""

    contract: Contract
    seed: int = 0
    rows: int = 0
    numeric: dict[str, _Numeric] = field(default_factory=dict)
    categories: dict[str, dict[str, int]] = field(default_factory=dict)
    dates: dict[str, _Dates] = field(default_factory=dict)
    nulls: dict[str, int] = field(default_factory=dict)
    _sample: pd.DataFrame | None = None
    _keys: np.ndarray | None = None

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)

    def add(self, chunk: pd.DataFrame) -> None:
        """Fold one typed chunk (numbers as floats, categories and dates as strings or NaN) into the profile."""
        self.rows += len(chunk)
        numeric_names = [n for n in chunk.columns if self.contract.columns[n].numeric]
        for name in chunk.columns:
            values = chunk[name]
            if name in numeric_names:
                self._add_numeric(name, values.to_numpy(np.float64, na_value=np.nan))
            elif self.contract.columns[name].type == "date":
                self._add_dates(name, values)
            else:
                counts = self.categories.setdefault(name, {})
                for value, n in values.value_counts(dropna=True).items():
                    if n:
                        counts[value] = counts.get(value, 0) + int(n)
                self.nulls[name] = self.nulls.get(name, 0) + int(values.isna().sum())
        self._add_sample(chunk[numeric_names])

    def _add_numeric(self, name: str, values: np.ndarray) -> None:
        stats = self.numeric.setdefault(name, _Numeric())
        finite = values[np.isfinite(values)]
        stats.nulls += int(np.isnan(values).sum())
        stats.count += finite.size
        if finite.size:
            stats.total += float(finite.sum())
            stats.squares += float(np.square(finite).sum())
            stats.low = min(stats.low, float(finite.min()))
            stats.high = max(stats.high, float(finite.max()))

    def _add_dates(self, name: str, values: pd.Series) -> None:
        stats = self.dates.setdefault(name, _Dates())
        days = values.dropna().astype(str).str[:10]
        stats.nulls += len(values) - len(days)
        stats.count += len(days)
        if len(days):
            first, last = days.min(), days.max()
            stats.first = first if stats.first is None else min(stats.first, first)
            stats.last = last if stats.last is None else max(stats.last, last)

    def _add_sample(self, numbers: pd.DataFrame) -> None:
        keys = self._rng.random(len(numbers))
        sample = numbers if self._sample is None else pd.concat([self._sample, numbers], ignore_index=True)
        keys = keys if self._keys is None else np.concatenate([self._keys, keys])
        if len(keys) > SAMPLE_ROWS:
            keep = np.argpartition(keys, SAMPLE_ROWS)[:SAMPLE_ROWS]
            sample, keys = sample.iloc[keep].reset_index(drop=True), keys[keep]
        self._sample, self._keys = sample, keys

    def build(self) -> dict[str, Any]:
        """The profile as a JSON-ready document."""
        columns: dict[str, Any] = {}
        for name, stats in self.numeric.items():
            mean = stats.total / stats.count if stats.count else None
            variance = stats.squares / stats.count - mean**2 if stats.count else None
            columns[name] = {
                "kind": "numeric", "count": stats.count, "nulls": stats.nulls, "mean": mean,
                "std": float(np.sqrt(max(variance, 0.0))) if variance is not None else None,
                "min": stats.low if stats.count else None, "max": stats.high if stats.count else None,
                **self._bins(name),
            }
        for name, counts in self.categories.items():
            columns[name] = {"kind": "categorical", "count": sum(counts.values()), "nulls": self.nulls[name],
                             "frequencies": dict(sorted(counts.items()))}
        # Dates get their range, not a distribution: drift skips them (live dates are later than training's by nature).
        for name, stats in self.dates.items():
            columns[name] = {"kind": "date", "count": stats.count, "nulls": stats.nulls, "first": stats.first,
                             "last": stats.last}
        return {"rows": self.rows, "columns": columns}

    def _bins(self, name: str) -> dict[str, Any]:
        """Decile edges, the share of sampled rows between them, and percentiles, for the drift statistics."""
        values = self._sample[name].to_numpy(np.float64) if self._sample is not None else np.array([])
        values = values[np.isfinite(values)]
        if not values.size:
            return {"edges": [], "shares": [], "quantiles": []}
        edges = np.unique(np.quantile(values, QUANTILES))
        counts = np.histogram(values, bins=edges)[0] if edges.size > 1 else np.array([values.size])
        return {"edges": edges.tolist(), "shares": (counts / values.size).tolist(),
                "quantiles": np.quantile(values, PERCENTILES).tolist()}
