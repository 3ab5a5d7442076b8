"""Parity: whether the ONNX export reproduces the scikit-learn predictions it was exported from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlops_core.scoring import Prediction

# ONNX computes in float32: a row near a tree split can land on the other side. A broken export (wrong column
# order, lost preprocessing) changes most rows; rounding changes a handful. Parity allows at most 1% of rows to
# differ materially: probabilities by more than 0.01, or values by more than 0.1% of their size.
PROBABILITY_TOLERANCE = 0.01
VALUE_TOLERANCE = 1e-3
MAX_DIFFERING_SHARE = 0.01


@dataclass(frozen=True)
class Parity:
    """How far two engines' predictions on the same rows differ."""

    rows: int
    differing: int
    label_mismatches: int
    max_gap: float

    @property
    def ok(self) -> bool:
        return self.differing <= MAX_DIFFERING_SHARE * self.rows


def compare(reference: Prediction, candidate: Prediction) -> Parity:
    """Count rows whose probabilities or values differ beyond the tolerance, and labels that differ."""
    if reference.probabilities is not None:
        gaps = np.abs(reference.probabilities - candidate.probabilities).max(axis=1)
        differing = int(np.sum(gaps > PROBABILITY_TOLERANCE))
        labels = int(np.sum(np.asarray(reference.values).astype(str) != np.asarray(candidate.values)))
    else:
        expected, actual = np.asarray(reference.values, float), np.asarray(candidate.values, float).ravel()
        gaps = np.abs(expected - actual)
        differing = labels = int(np.sum(gaps > VALUE_TOLERANCE * np.maximum(1.0, np.abs(expected))))
    return Parity(rows=len(reference.values), differing=differing, label_mismatches=labels,
                  max_gap=float(np.max(gaps, initial=0.0)))
