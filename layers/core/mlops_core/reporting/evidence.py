"""The numbers behind a report's model figures, computed where the holdout and both models are in memory."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from mlops_core.reporting.resampling import multiplicities, weighted_scores
from mlops_core.scoring import Metric, Prediction

CURVE_POINTS = 101
CALIBRATION_BINS = 10
SCATTER_POINTS = 1000
BOOTSTRAP_RESAMPLES = 200
BOOTSTRAP_LEVEL = 0.95
# Resampling costs resamples x rows per model: beyond this many holdout rows, a seeded sample of them is resampled.
BOOTSTRAP_ROWS = 20_000
IMPORTANCE_ROWS = 1000
TOP_VALUES = 8
MAX_CURVE_CLASSES = 5
OTHER = "(other)"


def roc_curve(positive: np.ndarray, score: np.ndarray) -> dict[str, list[float]]:
    """False- and true-positive rates at every distinct threshold, thinned to at most CURVE_POINTS points."""
    true_positives, false_positives = _counts_above(positive, score)
    return _thinned({"fpr": false_positives / max(false_positives[-1], 1),
                     "tpr": true_positives / max(true_positives[-1], 1)})


def pr_curve(positive: np.ndarray, score: np.ndarray) -> dict[str, list[float]]:
    """Recall and precision at every distinct threshold, thinned to at most CURVE_POINTS points."""
    true_positives, false_positives = _counts_above(positive, score)
    precision = true_positives / np.maximum(true_positives + false_positives, 1)
    return _thinned({"recall": true_positives / max(true_positives[-1], 1), "precision": precision})


def confusion_matrix(truth: np.ndarray, labels: np.ndarray, classes: list[str]) -> dict[str, Any]:
    """Counts of rows by true class (rows) and predicted class (columns); a holdout class the model never
    predicts gets its row too."""
    truth = np.asarray(truth).astype(str)
    classes = [*classes, *sorted(set(truth.tolist()) - set(classes))]
    index = {label: i for i, label in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes)), dtype=int)
    for true, guess in zip(truth, np.asarray(labels).astype(str), strict=True):
        matrix[index[true], index[guess]] += 1
    return {"classes": list(classes), "matrix": matrix.tolist()}


def calibration(positive: np.ndarray, score: np.ndarray, bins: int = CALIBRATION_BINS) -> dict[str, list]:
    """Mean predicted probability against the observed share of positives, in equal-width probability bins."""
    which = np.clip((np.asarray(score, float) * bins).astype(int), 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    filled = counts > 0
    predicted = np.bincount(which, weights=score, minlength=bins)[filled] / counts[filled]
    observed = np.bincount(which, weights=positive.astype(float), minlength=bins)[filled] / counts[filled]
    return {"predicted": predicted.tolist(), "observed": observed.tolist(), "rows": counts[filled].tolist()}


def regression_points(truth: np.ndarray, predicted: np.ndarray, seed: int = 0,
                      limit: int = SCATTER_POINTS) -> dict[str, list[float]]:
    """Actual and predicted values of at most `limit` rows (a seeded sample), with the residual quantiles of all."""
    truth, predicted = np.asarray(truth, float), np.asarray(predicted, float)
    rows = _sample(len(truth), limit, seed)
    residuals = truth - predicted
    return {"actual": truth[rows].tolist(), "predicted": predicted[rows].tolist(),
            "residual": residuals[rows].tolist(),
            "residual_quantiles": np.quantile(residuals, [0.05, 0.25, 0.5, 0.75, 0.95]).tolist()}


def bootstrap(truth: np.ndarray, challenger: Prediction, champion: Prediction | None, metric: Metric,
              seed: int = 0, resamples: int = BOOTSTRAP_RESAMPLES, limit: int = BOOTSTRAP_ROWS) -> dict[str, Any]:
    """Percentile intervals of the metric for both models and of the challenger's gain, from the same resampled
    rows for both (paired), so the gain's interval reflects only the models' difference. Over `limit` rows, the
    intervals are those of a seeded sample of `limit` rows: wider than the whole holdout's, never narrower."""
    truth = np.asarray(truth)
    models = {"challenger": challenger, "champion": champion}
    point = {name: None if model is None else _score(metric, truth, model) for name, model in models.items()}
    if point["challenger"] is not None and point["champion"] is not None:
        point["gain"] = metric.gain(point["challenger"], point["champion"])
    rows = _sample(len(truth), limit, seed)
    sampled = truth[rows]
    models = {name: None if model is None else model.take(rows) for name, model in models.items()}
    samples: dict[str, list[np.ndarray]] = {"challenger": [], "champion": []}
    for weights in multiplicities(len(sampled), resamples, np.random.default_rng(seed)):
        for name, model in models.items():
            if model is not None:
                samples[name].append(weighted_scores(metric, sampled, model, weights))
    drawn = {name: np.concatenate(values) for name, values in samples.items() if values}
    if "champion" in drawn:
        drawn["gain"] = metric.gain(drawn["challenger"], drawn["champion"])
    return {"metric": metric.name, "greater_is_better": metric.greater_is_better, "level": BOOTSTRAP_LEVEL,
            "resamples": resamples, "rows": len(truth), "resampled_rows": len(sampled),
            **{name: _interval(point.get(name), drawn.get(name)) for name in ("challenger", "champion", "gain")}}


def _interval(point: float | None, drawn: np.ndarray | None) -> dict[str, float] | None:
    if point is None or drawn is None or not np.isfinite(drawn).any():
        return None
    tail = (1 - BOOTSTRAP_LEVEL) / 2 * 100
    low, high = np.nanpercentile(drawn, [tail, 100 - tail])
    return {"score": point, "low": float(low), "high": float(high)}


def permutation_importance(predict: Callable[[Mapping[str, np.ndarray]], Prediction],
                           columns: Mapping[str, np.ndarray], truth: np.ndarray, metric: Metric, seed: int = 0,
                           limit: int = IMPORTANCE_ROWS) -> list[dict[str, Any]]:
    """How much the metric drops when one feature's values are shuffled (on a seeded sample of at most `limit`
    rows), most important first."""
    rng = np.random.default_rng(seed)
    rows = _sample(len(truth), limit, seed)
    sample = {name: np.asarray(values)[rows] for name, values in columns.items()}
    truth = np.asarray(truth)[rows]
    base = _score(metric, truth, predict(sample))
    if base is None:
        return []
    drops = []
    for name in sample:
        shuffled = {**sample, name: rng.permutation(sample[name])}
        score = _score(metric, truth, predict(shuffled))
        drops.append({"feature": name, "drop": None if score is None else metric.gain(base, score)})
    return sorted(drops, key=lambda item: -np.inf if item["drop"] is None else -item["drop"])


def per_category(truth: np.ndarray, prediction: Prediction, columns: Mapping[str, np.ndarray],
                 metric: Metric, top: int = TOP_VALUES) -> dict[str, list[dict[str, Any]]]:
    """The metric on the rows of each of a categorical column's most frequent values, the rest as OTHER."""
    result = {}
    for name, values in columns.items():
        values = np.asarray(values).astype(str)
        kinds, counts = np.unique(values, return_counts=True)
        order = np.argsort(-counts, kind="stable")
        groups = [(str(kinds[i]), values == kinds[i]) for i in order[:top]]
        if len(kinds) > top:
            groups.append((OTHER, ~np.isin(values, kinds[order[:top]])))
        result[name] = [{"value": value, "rows": int(mask.sum()),
                         "score": _score(metric, truth[mask], prediction.take(np.flatnonzero(mask)))}
                        for value, mask in groups]
    return result


def classification_curves(truth: np.ndarray, prediction: Prediction) -> dict[str, Any]:
    """ROC, precision-recall and calibration per class: the positive class for two classes, else one-vs-rest for
    the most frequent classes."""
    truth = np.asarray(truth).astype(str)
    classes = prediction.classes
    if len(classes) == 2:
        shown = [1]
    else:
        frequency = [int(np.sum(truth == label)) for label in classes]
        shown = sorted(np.argsort(frequency)[::-1][:MAX_CURVE_CLASSES].tolist())
    curves: dict[str, Any] = {"roc": {}, "pr": {}, "calibration": {}}
    for i in shown:
        positive, score = truth == classes[i], prediction.probabilities[:, i]
        if positive.all() or not positive.any():
            continue
        curves["roc"][classes[i]] = roc_curve(positive, score)
        curves["pr"][classes[i]] = pr_curve(positive, score)
        curves["calibration"][classes[i]] = calibration(positive, score)
    return curves


def _counts_above(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative true and false positives when the threshold drops past each distinct score (from (0, 0))."""
    order = np.argsort(-np.asarray(score, float), kind="mergesort")
    ordered, hits = np.asarray(score, float)[order], np.asarray(positive, bool)[order]
    last_of_tie = np.r_[ordered[1:] != ordered[:-1], True]
    true_positives = np.r_[0, np.cumsum(hits)[last_of_tie]].astype(float)
    false_positives = np.r_[0, np.cumsum(~hits)[last_of_tie]].astype(float)
    return true_positives, false_positives


def _thinned(points: dict[str, np.ndarray]) -> dict[str, list[float]]:
    length = len(next(iter(points.values())))
    keep = np.unique(np.linspace(0, length - 1, min(length, CURVE_POINTS)).round().astype(int))
    return {name: np.round(values[keep], 6).tolist() for name, values in points.items()}


def _sample(n: int, limit: int, seed: int) -> np.ndarray:
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, limit, replace=False))


def _score(metric: Metric, truth: np.ndarray, prediction: Prediction) -> float | None:
    """The metric, or None where it is undefined on these rows (AUC with one class present)."""
    if not len(truth):
        return None
    try:
        value = prediction.score(truth, metric)
    except (ValueError, KeyError):
        return None
    return float(value) if np.isfinite(value) else None


def collect(truth: np.ndarray, challenger: Prediction, champion: Prediction | None,
            predict: Callable[[Mapping[str, np.ndarray]], Prediction], features: Mapping[str, np.ndarray],
            categorical: list[str], metric: Metric, seed: int = 0) -> dict[str, Any]:
    """Every number the report's model figures need, for the challenger (and the champion) on one holdout."""
    truth = np.asarray(truth)
    found: dict[str, Any] = {"metric": metric.name, "task": metric.task,
                             "bootstrap": bootstrap(truth, challenger, champion, metric, seed),
                             "importance": permutation_importance(predict, features, truth, metric, seed),
                             "categories": per_category(truth, challenger, {name: features[name]
                                                                            for name in categorical}, metric)}
    if metric.task == "classification":
        found["curves"] = classification_curves(truth, challenger)
        found["confusion"] = confusion_matrix(truth, challenger.values, challenger.classes)
    else:
        found["points"] = regression_points(truth, challenger.values, seed)
    return found
