"""Fitting one trial's pipeline on the fitting rows (or a seeded sample of them), scored on the validation rows."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from mlops_core.contract import Contract
from mlops_core.scoring import METRICS, Prediction
from mlops_core.training.splits import split_rows

# A sampled rung never fits on fewer rows than this, whatever the fraction.
MIN_SAMPLE_ROWS = 50


@dataclass(frozen=True)
class FittedTrial:
    """A fitted pipeline, how it scored on the validation rows, and what fitting it took."""

    pipeline: Pipeline
    score: float
    fit_seconds: float
    rows: int
    score_seconds: float = 0.0


def fit_rows(rows: int, contract: Contract, sample_fraction: float = 1.0) -> np.ndarray:
    """The fitting rows, or a sample of them drawn with the contract's seed (the same for every trial)."""
    fit = split_rows(rows, contract).fit
    if sample_fraction >= 1.0:
        return fit
    size = min(len(fit), max(MIN_SAMPLE_ROWS, round(len(fit) * sample_fraction)))
    return np.sort(np.random.default_rng(contract.seed).choice(fit, size=size, replace=False))


def fit_trial(pipeline: Pipeline, frame: pd.DataFrame, contract: Contract,
              sample_fraction: float = 1.0) -> FittedTrial:
    """Fit on the fitting rows (or their sample), score on all validation rows with the contract's metric."""
    split = split_rows(len(frame), contract)
    rows = fit_rows(len(frame), contract, sample_fraction)
    X, y = frame[contract.features], frame[contract.target]
    started = time.perf_counter()
    pipeline.fit(X.iloc[rows], y.iloc[rows])
    fit_seconds = time.perf_counter() - started
    prediction = sklearn_prediction(pipeline, X.iloc[split.validation], contract)
    score = prediction.score(y.iloc[split.validation].to_numpy(), METRICS[contract.metric])
    return FittedTrial(pipeline, score, fit_seconds, len(rows), time.perf_counter() - started - fit_seconds)


def sklearn_prediction(pipeline: Pipeline, X: pd.DataFrame, contract: Contract) -> Prediction:
    if contract.task == "regression":
        return Prediction(values=pipeline.predict(X))
    classes = [str(c) for c in pipeline.classes_]
    return Prediction(values=pipeline.predict(X), probabilities=pipeline.predict_proba(X), classes=classes)
