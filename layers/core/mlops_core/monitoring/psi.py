"""The population stability index between two binned samples, for one pair of samples or a batch of them."""

from __future__ import annotations

import numpy as np

# Half a record added to every bin either sample fills (the Krichevsky-Trofimov estimate of its share): an empty bin
# costs what a small sample can tell, not ln(1 / a fixed tiny share), and a bin neither sample fills costs nothing.
PSEUDO_COUNT = 0.5


def psi(expected: np.ndarray, actual: np.ndarray) -> float | np.ndarray:
    """Sum of (a - e) * ln(a / e) over the bins (the last axis), i.e. KL(a||e) + KL(e||a), of the two samples'
    smoothed shares; `expected` and `actual` are counts (the baseline's: its shares times its rows)."""
    e, a = np.asarray(expected, float), np.asarray(actual, float)
    used = (e > 0) | (a > 0)
    e, a = _shares(e, used), _shares(a, used)
    terms = np.where(used, (a - e) * np.log(np.where(used, a, 1.0) / np.where(used, e, 1.0)), 0.0)
    value = terms.sum(axis=-1)
    return float(value) if np.ndim(value) == 0 else value


def _shares(counts: np.ndarray, used: np.ndarray) -> np.ndarray:
    smoothed = counts + PSEUDO_COUNT * used
    return smoothed / smoothed.sum(axis=-1, keepdims=True)
