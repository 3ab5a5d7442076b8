"""What sampling alone does to PSI: its mean and the bound it crosses by chance, and the smallest sample to judge in.

Two samples of one distribution still differ, the more so the smaller they are and the more bins they are cut into;
the largest PSI of many features more so still. The null model draws both the baseline (its size) and the live sample
(its size) from the baseline's shares, each feature independently: related features (the usual case) make the largest
PSI smaller, not larger, so the bound holds for them too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np

from mlops_core.monitoring.psi import psi

# The chance that a pass over traffic that did not drift finds any feature beyond its noise bound: half the 1% of
# passes a false alarm may take, leaving room for what the null model leaves out and for its simulated quantile.
SIGNIFICANCE = 0.005
DRAWS = 5000
# Fixed, so the same profile and sample size always give the same bounds: a pass's verdict can be reproduced.
SEED = 20_261_128


@dataclass(frozen=True)
class Noise:
    """One feature's PSI when nothing drifted: its mean (PSI's bias at this sample size) and its bound."""

    expected: float
    bound: float


def sampling_noise(shares: Sequence[np.ndarray], baseline_rows: Sequence[int], rows: int,
                   significance: float = SIGNIFICANCE, draws: int = DRAWS) -> list[Noise]:
    """Per feature (its baseline's share or count in each bin, and its baseline's rows), the PSI of `rows` live records
    that did not drift: its mean, and the bound that sampling alone takes the PSI of any of these features past with
    probability `significance` (the bound is on the largest of them)."""
    key = tuple((tuple(np.asarray(p, float).tolist()), int(m)) for p, m in zip(shares, baseline_rows, strict=True))
    return list(_sampling_noise(key, rows, significance, draws))


# Deterministic (fixed seed): passes of the same baseline and sample size, and the measurements, share the draws.
@lru_cache(maxsize=64)
def _sampling_noise(features: tuple[tuple[tuple[float, ...], int], ...], rows: int, significance: float,
                    draws: int) -> tuple[Noise, ...]:
    rng = np.random.default_rng(SEED)
    simulated = [_null_psi(rng, np.asarray(p, float), m, rows, draws) for p, m in features]
    # The cube root makes a chi-square-like statistic nearly normal whatever its degrees of freedom, so standardised
    # features of few and of many bins weigh alike in the maximum.
    roots = [np.cbrt(values) for values in simulated]
    centres = [float(r.mean()) for r in roots]
    spreads = [float(r.std()) for r in roots]
    varying = [i for i, spread in enumerate(spreads) if spread > 0]
    critical = math.inf
    if varying:
        largest = np.max([(roots[i] - centres[i]) / spreads[i] for i in varying], axis=0)
        critical = float(np.quantile(largest, 1 - significance, method="higher"))
    return tuple(Noise(float(values.mean()),
                       max(centre + critical * spread, 0.0) ** 3 if spread > 0 else float(values.max()))
                 for values, centre, spread in zip(simulated, centres, spreads, strict=True))


def _null_psi(rng: np.random.Generator, shares: np.ndarray, baseline_rows: int, rows: int, draws: int) -> np.ndarray:
    shares = shares / shares.sum()
    baseline = rng.multinomial(max(baseline_rows, 1), shares, size=draws)
    live = rng.multinomial(rows, shares, size=draws)
    return psi(baseline, live)


def minimum_rows(bins: Sequence[int], threshold: float, significance: float = SIGNIFICANCE) -> int:
    """The smallest live sample in which a feature drifted by `threshold` (PSI) passes the noise bound of the noisiest
    of these features half the time: without drift n * PSI is about chi-square with bins - 1 degrees of freedom;
    with it, about that plus n * threshold."""
    if not bins:
        return 0
    per_feature = 1 - (1 - significance) ** (1 / len(bins))
    z = NormalDist().inv_cdf(1 - per_feature)
    needed = [(chi_square_quantile(k - 1, z) - (k - 1)) / threshold for k in bins if k > 1]
    return math.ceil(max(needed, default=0.0))


def chi_square_quantile(degrees: int, z: float) -> float:
    """The chi-square quantile at the standard normal quantile z (Wilson and Hilferty's cube-root approximation)."""
    c = 2 / (9 * degrees)
    return degrees * (1 - c + z * math.sqrt(c)) ** 3
