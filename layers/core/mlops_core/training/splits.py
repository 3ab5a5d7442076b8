"""The rows each part of a run uses: fitting, choosing between candidates, and the holdout shared with the champion."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlops_core.contract import Contract

# Rows the ONNX export is checked on against scikit-learn: enough to catch a broken export, whose errors touch most
# rows, while each candidate's Train step does the same bounded work whatever the dataset's size.
PARITY_ROWS = 5_000


@dataclass(frozen=True)
class Split:
    """Row positions for fitting, for choosing between candidates, and the holdout shared with the champion."""

    fit: np.ndarray
    validation: np.ndarray
    holdout: np.ndarray
    # A seeded sample of the holdout, at most PARITY_ROWS rows.
    parity: np.ndarray


def split_rows(rows: int, contract: Contract) -> Split:
    """The same rows always land in the same part for the same row count and seed."""
    order = np.random.default_rng(contract.seed).permutation(rows)
    holdout_size = max(1, round(rows * contract.holdout_fraction))
    validation_size = max(1, round((rows - holdout_size) * 0.2))
    return Split(fit=np.sort(order[holdout_size + validation_size:]),
                 validation=np.sort(order[holdout_size:holdout_size + validation_size]),
                 holdout=np.sort(order[:holdout_size]), parity=np.sort(order[:min(holdout_size, PARITY_ROWS)]))
