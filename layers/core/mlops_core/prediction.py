"""Predictions from either engine, in one shape, so scikit-learn and ONNX outputs compare and score alike."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .metrics import Metric

LABEL_TOLERANCE = 0.001
VALUE_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Prediction:
    """Labels or values, plus class probabilities (columns in `classes` order) for classifiers."""

    values: np.ndarray
    probabilities: np.ndarray | None = None
    classes: list[str] = field(default_factory=list)

    def score(self, y: np.ndarray, metric: Metric) -> float:
        return metric.compute(y, self.values, self.probabilities, self.classes)


@dataclass(frozen=True)
class Parity:
    """How far two engines' predictions on the same rows differ."""

    rows: int
    mismatches: int
    max_gap: float

    @property
    def mismatch_rate(self) -> float:
        return self.mismatches / self.rows if self.rows else 0.0

    @property
    def ok(self) -> bool:
        return self.mismatch_rate <= LABEL_TOLERANCE


def compare(reference: Prediction, candidate: Prediction) -> Parity:
    """Count rows whose label differs (classification) or whose value is off by more than a tolerance."""
    if reference.probabilities is not None:
        mismatches = int(np.sum(np.asarray(reference.values).astype(str) != np.asarray(candidate.values)))
        gap = float(np.max(np.abs(reference.probabilities - candidate.probabilities), initial=0.0))
    else:
        expected, actual = np.asarray(reference.values, float), np.asarray(candidate.values, float).ravel()
        difference = np.abs(expected - actual)
        mismatches = int(np.sum(difference > VALUE_TOLERANCE * np.maximum(1.0, np.abs(expected))))
        gap = float(np.max(difference, initial=0.0))
    return Parity(rows=len(reference.values), mismatches=mismatches, max_gap=gap)
