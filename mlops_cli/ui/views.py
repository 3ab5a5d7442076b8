"""What each page of `mlops ui` shows, read through the CLI's operations: plain data for the templates."""

from __future__ import annotations

import json
from typing import Any

from mlops_core.contract import check_name
from mlops_core.reporting.charts import line_chart

from mlops_cli import operations
from mlops_cli.render import param_text, varying_params
from mlops_cli.stack import Stack

from . import monitor_series
from .run_rows import RunRows

# A model's runs page lists this many by default; records are read this many per query, only the fields it shows.
RUNS_SHOWN = 200
RUNS_PAGE = 100
RUN_ROW_FIELDS = ("model", "run_id", "trigger", "status", "started_at", "version", "promoted", "reason", "message",
                  "report_uri", "steps.evaluate.metric", "steps.evaluate.score")
MONITOR_PASSES = 50


def home(stack: Stack) -> dict[str, Any]:
    """Every registered model, and the pipeline's newest runs of any model."""
    return {"models": operations.models(stack), "runs": [run_row(run) for run in operations.newest_runs(stack, 20)]}


def model(stack: Stack, name: str) -> dict[str, Any]:
    """A model's champion and its history, its versions, its alarms and what the monitor's passes saw."""
    view = operations.model_view(stack, check_name(name, "the model name"), versions_required=False)
    runs = {v["version"]: v["run_id"] for v in view["versions"]}
    timeline = [{**entry, "run_id": runs.get(entry["to_version"])} for entry in reversed(view["history"])]
    status = operations.monitor_status(stack, name, MONITOR_PASSES)
    passes = status["passes"]
    newest_drift = next((found["drift"] for found in passes if found.get("drift")), None)
    drift, quality = monitor_series.drift_by_feature(passes), monitor_series.quality(passes)
    threshold = f" (alarm at {newest_drift['threshold']:g})" if newest_drift else ""
    return {"model": name, "champion": view["champion"], "scores": view["champion_scores"], "timeline": timeline,
            "versions": [version_row(v) for v in reversed(view["versions"])], "alarms": status["alarms"],
            "passes": passes, "newest_drift": newest_drift, "notes": monitor_series.latest_notes(passes),
            "drift_chart": line_chart(drift, f"Drift per feature{threshold}", "PSI beyond noise") if drift else None,
            "quality_chart": line_chart(quality, "Live quality", "metric on labeled traffic") if quality else None}


def run_rows(stack: Stack) -> RunRows:
    """What the runs pages read runs through: each ended run once."""
    return RunRows(stack.runs, RUN_ROW_FIELDS, stack.pipeline.newest, RUNS_PAGE)


def runs(rows: RunRows, name: str, limit: int = RUNS_SHOWN) -> dict[str, Any]:
    """A model's newest runs, each as one row."""
    records = rows.newest(check_name(name, "the model name"), limit)
    return {"model": name, "runs": [run_row(run) for run in records], "limit": limit}


def run(stack: Stack, name: str, run_id: str) -> dict[str, Any]:
    """One run's facts, its trials as a leaderboard (only the parameters that vary shown), and its report's summary."""
    record = operations.find_run(stack, run_id, check_name(name, "the model name"))
    trials = operations.trials(stack, record)
    varying = varying_params(trials)
    leaderboard = [{**t, "shown_params": [(key, param_text(t["params"].get(key))) for key in varying[t["label"]]]}
                   for t in trials]
    return {"run": run_row(record), "facts": operations.run_facts(stack, record), "trials": leaderboard,
            "report": operations.report_json(stack, record)}


def compare(stack: Stack, name: str, first: str, second: str) -> dict[str, Any]:
    """Two runs side by side: the parameters that differ, the metrics, and their reports' figures paired by id."""
    check_name(name, "the model name")
    records = [operations.find_run(stack, run_id, name) for run_id in (first, second)]
    facts = operations.compare_runs(stack, *records)
    reports = [operations.report_json(stack, record) for record in records]
    params = [report["params"] if report else (fact["best"]["params"] or {}) for report, fact in zip(
        reports, facts, strict=True)]
    metrics = [report["metrics"] if report else (fact["holdout"]["metrics"] or {}) for report, fact in zip(
        reports, facts, strict=True)]
    return {"model": name, "runs": [run_row(record) for record in records], "facts": facts, "reports": reports,
            "params": differing(*params), "metrics": side_by_side(*metrics), "figures": paired_figures(*reports)}


def report_html(stack: Stack, name: str, run_id: str) -> bytes:
    """The run's self-contained report page, as the pipeline wrote it."""
    return operations.report_page(stack, operations.find_run(stack, run_id, check_name(name, "the model name")))


def differing(first: dict[str, Any], second: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The parameters whose values differ between two runs: (name, first's, second's); '-' where one lacks it."""
    return [(key, _shown(first, key), _shown(second, key)) for key in sorted(first.keys() | second.keys())
            if json.dumps(first.get(key), sort_keys=True) != json.dumps(second.get(key), sort_keys=True)
            or (key in first) != (key in second)]


def side_by_side(first: dict[str, float], second: dict[str, float]) -> list[tuple[str, float | None, float | None]]:
    """Every metric either run has, with each run's value (None where it has none)."""
    return [(key, first.get(key), second.get(key)) for key in sorted(first.keys() | second.keys())]


def paired_figures(first: dict[str, Any] | None, second: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Both reports' figures paired by id, in the first report's order, then the second's own."""
    figures = [{f["id"]: f for f in (report or {}).get("figures", [])} for report in (first, second)]
    ids = list(dict.fromkeys([*figures[0], *figures[1]]))
    return [{"id": key, "title": (figures[0].get(key) or figures[1][key])["title"],
             "pair": [side.get(key) for side in figures]} for key in ids]


def run_row(record: dict[str, Any]) -> dict[str, Any]:
    """A run as one line of a list: what started it, how it ended, what was decided and the holdout score."""
    evaluate = (record.get("steps") or {}).get("evaluate") or {}
    outcome = (record.get("reason") or record.get("message") or "").split("\n", 1)[0]
    return {"run_id": record["run_id"], "model": record["model"], "trigger": record["trigger"],
            "status": record["status"], "started": record["started_at"][:19].replace("T", " "),
            "version": record.get("version"), "promoted": bool(record.get("promoted")), "outcome": outcome,
            "metric": evaluate.get("metric"), "score": evaluate.get("score"), "report": bool(record.get("report_uri"))}


def version_row(version: dict[str, Any]) -> dict[str, Any]:
    metrics = version["metrics"]
    return {"version": version["version"], "candidate": version.get("candidate"), "run_id": version["run_id"],
            "created": version["created_at"][:19].replace("T", " "),
            "holdout": {k: v for k, v in metrics.items() if not k.startswith("validation_")},
            "validation": {k.removeprefix("validation_"): v for k, v in metrics.items() if k.startswith("validation_")},
            "champion_on_holdout": version.get("champion_on_holdout")}


def _shown(params: dict[str, Any], key: str) -> str:
    return param_text(params[key]) if key in params else "-"
