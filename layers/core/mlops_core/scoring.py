"""Model scores: the metrics a contract can judge models by, and predictions in one shape that both engines share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Metric:
    """A score over true and predicted values; `gain` is positive when `new` is better than `old`."""

    name: str
    task: str
    greater_is_better: bool
    needs_proba: bool
    compute: Callable[[np.ndarray, np.ndarray, np.ndarray | None, list[str]], float]

    def gain(self, new: float, old: float) -> float:
        return new - old if self.greater_is_better else old - new

    def meets(self, value: float, floor: float | None) -> bool:
        return floor is None or self.gain(value, floor) >= 0


def _accuracy(y, labels, proba, classes) -> float:
    return float(np.mean(np.asarray(y) == np.asarray(labels)))


def _f1_macro(y, labels, proba, classes) -> float:
    y, labels = np.asarray(y), np.asarray(labels)
    scores = []
    for label in classes:
        truth, guess = y == label, labels == label
        doubled = 2 * np.sum(truth & guess)
        denominator = doubled + np.sum(guess & ~truth) + np.sum(truth & ~guess)
        scores.append(doubled / denominator if denominator else 0.0)
    return float(np.mean(scores))


def _roc_auc(y, labels, proba, classes) -> float:
    """One-vs-rest AUC, macro-averaged over classes (the binary AUC for two classes), as scikit-learn computes it."""
    y = np.asarray(y)
    if len(classes) == 2:
        return _binary_auc(y == classes[1], proba[:, 1])
    return float(np.mean([_binary_auc(y == label, proba[:, i]) for i, label in enumerate(classes)]))


def _binary_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """The Mann-Whitney statistic: the chance a positive scores above a negative, ties counting half."""
    ranks = _average_ranks(np.asarray(score, float))
    n_pos = int(np.sum(positive))
    n_neg = len(positive) - n_pos
    if not n_pos or not n_neg:
        raise ValueError("AUC needs both classes among the true labels")
    return float((np.sum(ranks[positive]) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(starts) - 1
    bounds = np.r_[np.flatnonzero(starts), len(values)]
    ranks = np.empty(len(values))
    ranks[order] = (bounds[group] + bounds[group + 1] + 1) / 2
    return ranks


def _log_loss(y, labels, proba, classes) -> float:
    proba = np.asarray(proba, float)
    eps = np.finfo(proba.dtype).eps
    index = {label: i for i, label in enumerate(classes)}
    rows = np.array([index[value] for value in np.asarray(y).astype(str)])
    return float(-np.mean(np.log(np.clip(proba[np.arange(len(rows)), rows], eps, 1 - eps))))


def _rmse(y, predicted, proba, classes) -> float:
    return float(np.sqrt(np.mean((np.asarray(y, float) - np.asarray(predicted, float)) ** 2)))


def _mae(y, predicted, proba, classes) -> float:
    return float(np.mean(np.abs(np.asarray(y, float) - np.asarray(predicted, float))))


def _r2(y, predicted, proba, classes) -> float:
    y = np.asarray(y, float)
    residual = np.sum((y - np.asarray(predicted, float)) ** 2)
    total = np.sum((y - y.mean()) ** 2)
    return float(1 - residual / total) if total else 0.0


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("accuracy", "classification", True, False, _accuracy),
        Metric("f1_macro", "classification", True, False, _f1_macro),
        Metric("roc_auc", "classification", True, True, _roc_auc),
        Metric("log_loss", "classification", False, True, _log_loss),
        Metric("rmse", "regression", False, False, _rmse),
        Metric("mae", "regression", False, False, _mae),
        Metric("r2", "regression", True, False, _r2),
    )
}


def default_metric(task: str) -> str:
    return "roc_auc" if task == "classification" else "rmse"


@dataclass(frozen=True)
class Prediction:
    """Labels or values, plus class probabilities (columns in `classes` order) for classifiers."""

    values: np.ndarray
    probabilities: np.ndarray | None = None
    classes: list[str] = field(default_factory=list)

    def score(self, y: np.ndarray, metric: Metric) -> float:
        return metric.compute(y, self.values, self.probabilities, self.classes)

    def take(self, positions: np.ndarray) -> Prediction:
        """The predictions for some of the rows, by position."""
        probabilities = None if self.probabilities is None else self.probabilities[positions]
        return Prediction(np.asarray(self.values)[positions], probabilities, self.classes)

    def to_dict(self) -> dict[str, Any]:
        return {"values": np.asarray(self.values).tolist(), "classes": self.classes,
                "probabilities": None if self.probabilities is None else self.probabilities.tolist()}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Prediction:
        probabilities = doc.get("probabilities")
        return cls(values=np.asarray(doc["values"]), classes=list(doc.get("classes") or []),
                   probabilities=None if probabilities is None else np.asarray(probabilities, dtype=np.float64))
