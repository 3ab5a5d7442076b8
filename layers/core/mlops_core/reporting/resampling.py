"""The metrics over many bootstrap resamples at once, from how often each row is drawn into each resample.

Recomputing a metric on each resampled copy of a 20,000-row holdout takes seconds per model (AUC sorts every copy);
weighting the rows instead needs one sort, and a resample costs a weighted sum over the rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from mlops_core.scoring import Metric, Prediction

# Rows times resamples held in memory at once: 16 MB of weights.
BATCH_CELLS = 2_000_000


def multiplicities(rows: int, resamples: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Batches of resamples, each a (rows, resamples) array of how many times each row was drawn: a row's weights
    lie together, so gathering and summing rows runs over contiguous memory."""
    batch = max(1, BATCH_CELLS // max(rows, 1))
    for start in range(0, resamples, batch):
        count = min(batch, resamples - start)
        drawn = rng.integers(0, rows, (count, rows)) * count + np.arange(count)[:, None]
        yield np.bincount(drawn.ravel(), minlength=count * rows).reshape(rows, count).astype(float)


def weighted_scores(metric: Metric, truth: np.ndarray, prediction: Prediction, weights: np.ndarray) -> np.ndarray:
    """The metric for each column of `weights` (one resample each); NaN where it is undefined on a resample."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _SCORES[metric.name](np.asarray(truth), prediction, weights)


def _accuracy(truth, prediction, weights):
    correct = (truth.astype(str) == np.asarray(prediction.values).astype(str)).astype(float)
    return correct @ weights / weights.sum(axis=0)


def _f1_macro(truth, prediction, weights):
    truth, guess = truth.astype(str), np.asarray(prediction.values).astype(str)
    scores = []
    for label in prediction.classes:
        is_true, is_guess = truth == label, guess == label
        doubled = 2 * ((is_true & is_guess).astype(float) @ weights)
        missed = (is_guess != is_true).astype(float) @ weights
        denominator = doubled + missed
        scores.append(np.where(denominator > 0, doubled / denominator, 0.0))
    return np.mean(scores, axis=0)


def _roc_auc(truth, prediction, weights):
    truth = truth.astype(str)
    classes = prediction.classes
    if len(classes) == 2:
        return _binary_auc(truth == classes[1], prediction.probabilities[:, 1], weights)
    return np.mean([_binary_auc(truth == label, prediction.probabilities[:, i], weights)
                    for i, label in enumerate(classes)], axis=0)


def _binary_auc(positive: np.ndarray, score: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The weighted Mann-Whitney statistic: the weighted share of (positive, negative) pairs ordered right, ties
    counting half."""
    order = np.argsort(score, kind="mergesort")
    ordered, hits = np.asarray(score, float)[order], positive[order]
    # Each sorted row's tie group, by its first and last position.
    new_group = np.r_[True, ordered[1:] != ordered[:-1]]
    first = np.flatnonzero(new_group)[np.cumsum(new_group) - 1]
    last = np.r_[np.flatnonzero(new_group)[1:] - 1, len(ordered) - 1][np.cumsum(new_group) - 1]
    sorted_weights = weights[order]
    positives = sorted_weights[hits]
    negatives_up_to = np.cumsum(sorted_weights * ~hits[:, None], axis=0)
    negatives_before = negatives_up_to - sorted_weights * ~hits[:, None]
    # Negatives below a positive's score, plus half of those tied with it.
    beaten = (negatives_before[first[hits]] + negatives_up_to[last[hits]]) / 2
    pairs = positives.sum(axis=0) * negatives_up_to[-1]
    return np.where(pairs > 0, (positives * beaten).sum(axis=0) / pairs, np.nan)


def _log_loss(truth, prediction, weights):
    probabilities = np.asarray(prediction.probabilities, float)
    index = {label: i for i, label in enumerate(prediction.classes)}
    rows = np.array([index[value] for value in truth.astype(str)])
    eps = np.finfo(probabilities.dtype).eps
    losses = -np.log(np.clip(probabilities[np.arange(len(rows)), rows], eps, 1 - eps))
    return losses @ weights / weights.sum(axis=0)


def _errors(truth, prediction) -> np.ndarray:
    return np.asarray(truth, float) - np.asarray(prediction.values, float)


def _rmse(truth, prediction, weights):
    return np.sqrt(_errors(truth, prediction) ** 2 @ weights / weights.sum(axis=0))


def _mae(truth, prediction, weights):
    return np.abs(_errors(truth, prediction)) @ weights / weights.sum(axis=0)


def _r2(truth, prediction, weights):
    y, total_weight = np.asarray(truth, float), weights.sum(axis=0)
    residual = _errors(truth, prediction) ** 2 @ weights
    squares = y**2 @ weights
    spread = squares - (y @ weights) ** 2 / total_weight
    return np.where(spread > 1e-12 * np.maximum(squares, 1), 1 - residual / spread, 0.0)


_SCORES = {"accuracy": _accuracy, "f1_macro": _f1_macro, "roc_auc": _roc_auc, "log_loss": _log_loss,
           "rmse": _rmse, "mae": _mae, "r2": _r2}
