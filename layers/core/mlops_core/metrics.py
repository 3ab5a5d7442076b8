"""The metrics a contract can judge models by, with the direction in which each improves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    from sklearn.metrics import f1_score

    return float(f1_score(y, labels, average="macro", labels=classes, zero_division=0))


def _roc_auc(y, labels, proba, classes) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y)
    if len(classes) == 2:
        return float(roc_auc_score(y == classes[1], proba[:, 1]))
    return float(roc_auc_score(y, proba, multi_class="ovr", labels=classes))


def _log_loss(y, labels, proba, classes) -> float:
    from sklearn.metrics import log_loss

    return float(log_loss(y, proba, labels=classes))


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
