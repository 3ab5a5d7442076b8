"""A run's report as one JSON-ready document: provenance, validation, data profile, trials, the new model against
the champion, and the decision, with every figure as numbers and as SVG."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlops_core.reporting import charts
from mlops_core.scoring import METRICS

SCHEMA = 1
HISTOGRAM_BINS = 20
TOP_CATEGORIES = 12
THIS_DATA, CHAMPION_DATA = "this run's data", "champion's training data"


@dataclass(frozen=True)
class RunDocuments:
    """What a run left behind that its report shows; None (or empty) where the run stopped before making it."""

    run: dict[str, Any]
    status: str
    validation: dict[str, Any] | None = None
    contract: dict[str, Any] | None = None
    profile: dict[str, Any] | None = None
    champion_profile: dict[str, Any] | None = None
    trials: list[dict[str, Any]] = field(default_factory=list)
    evaluation: dict[str, Any] | None = None
    evidence: dict[str, Any] | None = None
    registration: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    code_version: str | None = None


def build_report(docs: RunDocuments) -> dict[str, Any]:
    """The report document (report.json): figures carry their numbers under "data" and their drawing under "svg"."""
    run, evaluation = docs.run, docs.evaluation or {}
    task = (docs.contract or {}).get("task")
    best = evaluation.get("best") or {}
    figures = [*_profile_figures(docs.profile, docs.champion_profile, (docs.contract or {}).get("target"))]
    if docs.evidence:
        figures += _model_figures(docs.evidence, task)
    return {
        "schema": SCHEMA, "model": run["model"], "run_id": run["run_id"], "status": docs.status, "task": task,
        "provenance": provenance(docs),
        "decision": _decision(evaluation, docs.registration),
        "metrics": evaluation.get("holdout_metrics", {}) | (
            {evaluation["metric"]: evaluation["score"]} if "metric" in evaluation else {}),
        "params": best.get("params", {}),
        "validation": _validation(docs.validation),
        "leaderboard": leaderboard(docs.trials),
        "comparison": (docs.evidence or {}).get("bootstrap"),
        # A table, not a figure: a few numbers per value, each with its row count.
        "categories": (docs.evidence or {}).get("categories", {}),
        "parity": evaluation.get("parity"),
        "figures": figures,
        "failure": _failure(docs.error, docs.validation),
    }


def provenance(docs: RunDocuments) -> dict[str, Any]:
    """Where the run came from: what triggered it and why, on which data, under which contract and code."""
    run, validation = docs.run, docs.validation or {}
    dataset = validation.get("dataset") or run.get("dataset") or {}
    contract = validation.get("contract") or {}
    return {"trigger": run.get("trigger"), "cause": _cause(run.get("cause")), "data_uri": dataset.get("uri"),
            "data_version": dataset.get("version_id"), "data_sha256": dataset.get("sha256"),
            "data_rows": dataset.get("rows"), "contract_version": contract.get("version"),
            "code_version": docs.code_version, "candidates_version": validation.get("candidates_version"),
            "started": run.get("started_at"), "finished": run.get("finished_at")}


def leaderboard(trials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each trial at the last rung it reached, best first, with only the parameters that differ between trials."""
    latest: dict[str, dict[str, Any]] = {}
    for trial in trials:
        if trial["trial_id"] not in latest or trial.get("rung", 0) >= latest[trial["trial_id"]].get("rung", 0):
            latest[trial["trial_id"]] = trial
    rows = list(latest.values())
    names = sorted({name for trial in rows for name in trial.get("params", {})})
    varying = [name for name in names
               if len({repr(trial.get("params", {}).get(name)) for trial in rows}) > 1]
    board = [{"trial_id": trial["trial_id"], "label": trial.get("label", trial["trial_id"]),
              "candidate": trial.get("candidate"), "rung": trial.get("rung", 0),
              "params": {name: trial["params"][name] for name in varying if name in trial.get("params", {})},
              "score": trial.get("score"), "status": trial.get("status"), "message": trial.get("message")}
             for trial in rows]
    metric = next((trial["metric"] for trial in rows if trial.get("metric") in METRICS), None)
    sign = -1 if metric is None or METRICS[metric].greater_is_better else 1
    return sorted(board, key=lambda row: (-row["rung"], row["score"] is None, sign * (row["score"] or 0)))


def histogram_pair(this: dict[str, Any], champion: dict[str, Any] | None) -> dict[str, Any] | None:
    """Two numeric columns' distributions over common bins, read off their profiles' percentiles."""
    profiles = [p for p in (this, champion) if p and p.get("quantiles")]
    if not this.get("quantiles"):
        return None
    low = min(p["quantiles"][0] for p in profiles)
    high = max(p["quantiles"][-1] for p in profiles)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, HISTOGRAM_BINS + 1)
    shares = {THIS_DATA: _shares(this["quantiles"], edges)}
    if champion and champion.get("quantiles"):
        shares[CHAMPION_DATA] = _shares(champion["quantiles"], edges)
    return {"edges": edges.tolist(), "shares": shares}


def category_pair(this: dict[str, Any], champion: dict[str, Any] | None) -> dict[str, Any]:
    """Two categorical columns' shares of their most frequent values (this run's data decides which)."""
    frequencies = this.get("frequencies", {})
    top = sorted(frequencies, key=lambda value: (-frequencies[value], value))[:TOP_CATEGORIES]
    shares = {THIS_DATA: _category_shares(frequencies, top)}
    if champion and champion.get("frequencies"):
        shares[CHAMPION_DATA] = _category_shares(champion["frequencies"], top)
    return {"values": top, "shares": shares}


def _shares(quantiles: list[float], edges: np.ndarray) -> list[float]:
    """Each bin's share of rows, from the profile's evenly spaced percentiles (the share at or below each edge)."""
    cdf = np.searchsorted(np.asarray(quantiles, float), edges, side="right") / len(quantiles)
    cdf[0], cdf[-1] = 0.0, 1.0
    return np.round(np.diff(cdf), 4).tolist()


def _category_shares(frequencies: dict[str, int], values: list[str]) -> list[float]:
    total = sum(frequencies.values()) or 1
    return [round(frequencies.get(value, 0) / total, 4) for value in values]


def _profile_figures(profile: dict[str, Any] | None, champion: dict[str, Any] | None,
                     target: str | None) -> list[dict[str, Any]]:
    if not profile:
        return []
    figures = []
    old_columns = (champion or {}).get("columns", {})
    for name, column in profile["columns"].items():
        old = old_columns.get(name)
        title = f"{name}{' (target)' if name == target else ''}"
        if column["kind"] == "numeric":
            data = histogram_pair(column, old)
            if data:
                figures.append(_figure(f"histogram:{name}", title, data, charts.histogram_chart(
                    data["edges"], data["shares"], title, name)))
        elif column["kind"] == "categorical" and column.get("frequencies"):
            data = category_pair(column, old)
            figures.append(_figure(f"histogram:{name}", title, data, charts.bar_chart(
                data["values"], data["shares"], title, "share of rows")))
    return figures


def _model_figures(evidence: dict[str, Any], task: str | None) -> list[dict[str, Any]]:
    figures = []
    comparison = evidence.get("bootstrap")
    if comparison and comparison.get("challenger"):
        models = {name: comparison[name] for name in ("challenger", "champion") if comparison.get(name)}
        figures.append(_figure("comparison", f"{comparison['metric']} on the same holdout", comparison,
                               charts.bar_chart(
                                   [comparison["metric"]], {n: [m["score"]] for n, m in models.items()},
                                   f"{comparison['metric']} on the holdout, {comparison['level']:.0%} intervals",
                                   comparison["metric"], {n: [(m["low"], m["high"])] for n, m in models.items()})))
    if task == "classification":
        figures += _classification_figures(evidence)
    elif task == "regression" and evidence.get("points"):
        points = evidence["points"]
        figures.append(_figure("predicted_vs_actual", "Predicted against actual", points, charts.scatter_chart(
            points["actual"], points["predicted"], "Predicted against actual", "actual", "predicted", "diagonal")))
        figures.append(_figure("residuals", "Residuals", points, charts.scatter_chart(
            points["predicted"], points["residual"], "Residuals (actual - predicted)", "predicted", "residual",
            "zero")))
    importance = [item for item in evidence.get("importance", []) if item["drop"] is not None]
    if importance:
        metric = (comparison or {}).get("metric", "metric")
        figures.append(_figure("importance", "Permutation importance", evidence["importance"], charts.bar_chart(
            [item["feature"] for item in importance], {"drop": [item["drop"] for item in importance]},
            "Permutation importance", f"{metric} lost when the feature is shuffled")))
    return figures


def _classification_figures(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    figures = []
    curves = evidence.get("curves", {})
    if curves.get("roc"):
        roc = curves["roc"]
        figures.append(_figure("roc", "ROC curve", roc, charts.curve_chart(
            {label: (c["fpr"], c["tpr"]) for label, c in roc.items()}, "ROC curve", "false positive rate",
            "true positive rate", "diagonal")))
    if curves.get("pr"):
        pr = curves["pr"]
        figures.append(_figure("pr", "Precision-recall curve", pr, charts.curve_chart(
            {label: (c["recall"], c["precision"]) for label, c in pr.items()}, "Precision-recall curve", "recall",
            "precision")))
    if evidence.get("confusion"):
        confusion = evidence["confusion"]
        figures.append(_figure("confusion", "Confusion matrix", confusion, charts.heatmap(
            confusion["matrix"], confusion["classes"], confusion["classes"], "Confusion matrix", "predicted",
            "actual")))
    if curves.get("calibration"):
        calibration = curves["calibration"]
        figures.append(_figure("calibration", "Calibration", calibration, charts.curve_chart(
            {label: (c["predicted"], c["observed"]) for label, c in calibration.items()}, "Calibration",
            "mean predicted probability", "observed share", "diagonal")))
    return figures


def _figure(figure_id: str, title: str, data: Any, svg: str) -> dict[str, Any]:
    return {"id": figure_id, "title": title, "data": data, "svg": svg}


def _decision(evaluation: dict[str, Any], registration: dict[str, Any] | None) -> dict[str, Any] | None:
    if registration:
        return {"promote": bool(registration["promoted"]), "reason": registration["reason"],
                "version": registration["version"]}
    if evaluation.get("decision"):
        return {"promote": bool(evaluation["decision"]["promote"]), "reason": evaluation["decision"]["reason"],
                "version": None}
    return None


def _validation(validation: dict[str, Any] | None) -> dict[str, Any] | None:
    if validation is None:
        return None
    return {"passed": validation["passed"], "rows": validation["rows"], "violations": validation["violations"]}


def _failure(error: dict[str, Any] | None, validation: dict[str, Any] | None) -> dict[str, Any] | None:
    if error is None:
        return None
    rules = validation["violations"] if validation and not validation["passed"] else []
    return {"error": error.get("Error"), "message": error.get("message", error.get("Cause")), "rules": rules}


def _cause(cause: Any) -> str | None:
    if not cause:
        return None
    if isinstance(cause, dict):
        return ", ".join(f"{key}: {value}" for key, value in sorted(cause.items()))
    return str(cause)
