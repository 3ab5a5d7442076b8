"""Splitting a dataset and fitting one candidate, scored on rows it did not see."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
from sklearn.pipeline import Pipeline

from mlops_core.contract import CandidateSpec, Contract
from mlops_core.scoring import METRICS, Prediction
from mlops_core.training.candidates import build_pipeline
from mlops_core.training.splits import split_rows


@dataclass(frozen=True)
class FittedCandidate:
    """A fitted pipeline and how it scored on the validation rows."""

    spec: CandidateSpec
    pipeline: Pipeline
    score: float
    fit_seconds: float


def fit_candidate(spec: CandidateSpec, frame: pd.DataFrame, contract: Contract) -> FittedCandidate:
    """Fit on the fit rows, score on the validation rows with the contract's metric."""
    split = split_rows(len(frame), contract)
    X, y = frame[contract.features], frame[contract.target]
    pipeline = build_pipeline(spec, contract)
    started = time.perf_counter()
    pipeline.fit(X.iloc[split.fit], y.iloc[split.fit])
    fit_seconds = time.perf_counter() - started
    prediction = sklearn_prediction(pipeline, X.iloc[split.validation], contract)
    score = prediction.score(y.iloc[split.validation].to_numpy(), METRICS[contract.metric])
    return FittedCandidate(spec, pipeline, score, fit_seconds)


def sklearn_prediction(pipeline: Pipeline, X: pd.DataFrame, contract: Contract) -> Prediction:
    if contract.task == "regression":
        return Prediction(values=pipeline.predict(X))
    classes = [str(c) for c in pipeline.classes_]
    return Prediction(values=pipeline.predict(X), probabilities=pipeline.predict_proba(X), classes=classes)
