"""Human-readable tables for the CLI and the demo."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(highlight=False)
if not console.is_terminal:
    console = Console(highlight=False, width=160)

STATUS_STYLE = {"SUCCEEDED": "green", "FAILED": "red", "RUNNING": "yellow", "SUPPRESSED": "dim", "REJECTED": "red"}
ALARM_STYLE = {"OK": "green", "ALARM": "red", "INSUFFICIENT_DATA": "yellow"}


def runs(records: list[dict[str, Any]]) -> None:
    table = Table("run", "model", "trigger", "status", "started", "version", "outcome", title="Runs")
    for run in records:
        outcome = (run.get("reason") or run.get("message") or "").split("\n", 1)[0]
        failed = _failed_trials(run)
        if failed:
            outcome += f" ({failed})"
        if run.get("duplicates"):
            outcome += f" ({run['duplicates']} duplicate deliveries)"
        status = run["status"]
        # A rejected trigger named no valid model: its reason quotes the key or alarm it came with.
        model = "-" if status == "REJECTED" else run["model"]
        table.add_row(run["run_id"], model, run["trigger"], f"[{STATUS_STYLE.get(status, '')}]{status}",
                      run["started_at"][:19], _version(run), escape(outcome))
    console.print(table)


def _failed_trials(run: dict[str, Any]) -> str:
    """The trials a run went on without, as its Select steps recorded them (`mlops trials RUN` lists them all)."""
    steps = [step for name, step in sorted((run.get("steps") or {}).items()) if name.startswith("select:")]
    failed = [f for step in steps for f in step.get("failed") or []]
    count = sum(step.get("failed_count", 0) for step in steps)
    shown = "; ".join(f"trial {f['trial_id']} ({f['label']}) failed: {f['error']}: "
                      f"{' '.join((f.get('message') or '').split())[:80].rstrip()}" for f in failed[:3])
    return shown + (f"; {count - 3} more failed" if count > 3 else "")


def models(records: list[dict[str, Any]]) -> None:
    table = Table("model", "champion", "latest version", title="Models")
    for record in records:
        champion = record["champion"]
        table.add_row(record["model"], f"v{champion['version']}" if champion else "-", f"v{record['latest_version']}")
    console.print(table)


def model(view: dict[str, Any]) -> None:
    champion = (view["champion"] or {}).get("version")
    table = Table("version", "candidate", "on its holdout", "champion then, same holdout", "validation", "artifact",
                  "data", "created", title=f"Model {view['model']}")
    for version in view["versions"]:
        mark = " (champion)" if version["version"] == champion else ""
        metrics = version["metrics"]
        own = [f"{k}={v:.4f}" for k, v in metrics.items() if not k.startswith("validation_")]
        validation = [f"{k.removeprefix('validation_')}={v:.4f}" for k, v in metrics.items()
                      if k.startswith("validation_")]
        artifact = version["artifact"]
        table.add_row(f"v{version['version']}{mark}", version["candidate"], ", ".join(own),
                      _compared(version.get("champion_on_holdout")), ", ".join(validation),
                      f"{artifact['bytes'] / 1024:.0f} KB, loads in {artifact['load_seconds'] * 1000:.0f} ms",
                      f"{version['data']['rows']} rows, sha256 {version['data']['sha256'][:10]}",
                      version["created_at"][:19])
    console.print(table)
    scores = view.get("champion_scores")
    if scores:
        later = "; ".join(f"{c['score']:.4f} on v{c['challenger']}'s holdout (v{c['challenger']}: "
                          f"{c['challenger_score']:.4f})" for c in scores["on_challenger_holdouts"])
        console.print(f"Champion v{scores['version']} {scores['metric']}: {scores['own_holdout']:.4f} on its own "
                      f"holdout" + (f"; {later}" if later else "; no later version was compared with it"))
    history = Table("when", "action", "from", "to", "who", "why", title="Champion history")
    for entry in view["history"]:
        history.add_row(entry["when"][:19], entry["action"], _v(entry.get("from_version")), _v(entry["to_version"]),
                        escape(entry["who"]), escape(entry["why"]))
    console.print(history)


def _compared(champion: dict[str, Any] | None) -> str:
    if not champion:
        return "-"
    if champion.get("score") is None:
        return f"v{champion['version']}: {champion.get('incompatible') or 'not scored'}"
    return f"v{champion['version']}: {champion['score']:.4f}"


def _version(run: dict[str, Any]) -> str:
    if run.get("version") is None:
        return "-"
    return f"v{run['version']}" + (" (champion)" if run.get("promoted") else "")


def _v(version: int | None) -> str:
    return "-" if version is None else f"v{version}"


def passes(records: list[dict[str, Any]]) -> None:
    table = Table("model", "champion", "window end", "records", "drift score", "drifted", "live quality", "labels",
                  "alarms", "notes", title="Monitor passes")
    for record in records:
        drift = record.get("drift") or {}
        quality = ", ".join(f"{k}={v:.3f}" for k, v in record.get("quality", {}).items())
        table.add_row(escape(record["model"]) + (" [red]FAILED[/]" if record.get("failed") else ""),
                      _v(record.get("champion_version")), (record.get("window") or {}).get("end", "-")[:19],
                      str(record.get("records", "-")), f"{drift['score']:.3f}" if drift else "-",
                      ", ".join(drift.get("drifted", [])), quality or "-", str(record.get("labels", "-")),
                      _alarm_states(record), escape("; ".join(record.get("notes", []))))
    console.print(table)


def _alarm_states(record: dict[str, Any]) -> str:
    """Each alarm's state when the pass read it, and what CloudWatch now evaluates where the pass contradicts it."""
    evaluating = record.get("evaluating", {})
    return " ".join(f"[{ALARM_STYLE.get(state, '')}]{name}={state}[/]"
                    + (f" (evaluating {escape(evaluating[name])})" if name in evaluating else "")
                    for name, state in record.get("alarms", {}).items())


def monitor_status(status: dict[str, Any]) -> None:
    alarms(status)
    passes(status["passes"])


def alarms(status: dict[str, Any]) -> None:
    table = Table("alarm", "state", "metric", "threshold", "since", title=f"Alarms of {status['model']}")
    for alarm in status["alarms"]:
        state = alarm["StateValue"]
        table.add_row(alarm["AlarmName"], f"[{ALARM_STYLE.get(state, '')}]{state}",
                      alarm["MetricName"], f"{alarm['ComparisonOperator']} {alarm['Threshold']}",
                      str(alarm["StateUpdatedTimestamp"])[:19])
    console.print(table)


# What Powertools adds to every line; the rest of a line is what the function logged.
STANDARD_KEYS = {"level", "location", "message", "timestamp", "service", "cold_start", "function_name",
                 "function_memory_size", "function_arn", "function_request_id", "correlation_id", "xray_trace_id",
                 "sampling_rate"}


def log_lines(records: list[dict[str, Any]]) -> None:
    for record in records:
        line, function = record["line"], record["function"]
        if isinstance(line, dict):
            extra = {k: v for k, v in line.items() if k not in STANDARD_KEYS}
            text = f"{line.get('level', '-'):<7} {line.get('message', '')}" + (
                f" {json.dumps(extra, default=str)}" if extra else "")
        else:
            text = line
        console.print(f"{record['timestamp'][:23]} {function} {escape(text)}", soft_wrap=True)


def trials(records: list[dict[str, Any]]) -> None:
    """The leaderboard, best first; each trial shows only the parameters that vary between its candidate's trials."""
    varying = varying_params(records)
    failed = any(t["status"] != "SUCCEEDED" for t in records)
    table = Table("#", "trial", "rung", "candidate", "params", "score", "fit s", "rows", "onnx KB", "status",
                  *(["error"] if failed else []),
                  title=f"Trials ({len(records)}), best first" + (f": {records[0]['metric']}" if records else ""))
    for place, t in enumerate(records, 1):
        ok = t["status"] == "SUCCEEDED"
        params = " ".join(f"{key}={param_text(t['params'].get(key))}" for key in varying[t["label"]])
        table.add_row(str(place), t["trial_id"], str(t["rung"]), escape(t["label"]), escape(params),
                      f"{t['score']:.4f}" if "score" in t else "-",
                      f"{t['fit_seconds']:.2f}" if "fit_seconds" in t else "-", str(t.get("rows", "-")),
                      f"{t['onnx_bytes'] / 1024:.0f}" if "onnx_bytes" in t else "-",
                      "[green]SUCCEEDED" if ok else "[red]FAILED",
                      *([escape(_one_line(t.get("error"), t.get("message"))) if not ok else ""] if failed else []))
    console.print(table)


def varying_params(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """For each candidate label, the parameters whose value differs between its trials (the others say nothing)."""
    varying = {}
    for label in {t["label"] for t in records}:
        own = [t["params"] for t in records if t["label"] == label]
        varying[label] = [key for key in sorted({k for params in own for k in params})
                          if len({json.dumps(params.get(key), sort_keys=True) for params in own}) > 1]
    return varying


def param_text(value: Any) -> str:
    """A parameter's value as the leaderboards show it: floats to 4 significant digits, the rest as JSON."""
    return f"{value:.4g}" if isinstance(value, float) else json.dumps(value)


def _one_line(error: Any, message: Any, limit: int = 80) -> str:
    return f"{error}: {' '.join(str(message or '').split())}"[:limit]


def compared_runs(facts: list[dict[str, Any]]) -> None:
    """Two runs in two columns, a row per fact; the rows where they differ are marked."""
    rows = [("status", lambda f: f["status"]), ("trigger", lambda f: f["trigger"]), ("started", lambda f: f["started"]),
            ("data", lambda f: f"{f['data']['uri']} ({f['data']['rows']} rows)"),
            ("data sha256", lambda f: (f["data"]["sha256"] or "")[:12]),
            ("contract", lambda f: f"v{f['contract']['version']} {f['contract']['sha256'][:12]}"
             if f["contract"] else "-"),
            ("candidates code", lambda f: f["candidates_version"] or "-"),
            ("trials (failed)", lambda f: f"{f['trials']} ({f['failed_trials']})"),
            ("best trial", lambda f: f"{f['best']['trial_id']} {f['best']['label']}" if f["best"]["trial_id"] else "-"),
            ("best params", lambda f: json.dumps(f["best"]["params"], sort_keys=True) if f["best"]["params"] else "-"),
            ("validation score", lambda f: _score(f["best"]["score"], f["best"]["metric"])),
            ("holdout score", lambda f: _score(f["holdout"]["score"], f["best"]["metric"])),
            ("holdout metrics", lambda f: json.dumps({k: round(v, 4)
                                                      for k, v in (f["holdout"]["metrics"] or {}).items()})),
            ("decision", lambda f: f["decision"]["reason"] if f["decision"] else (f["error"] or "-")),
            ("version", lambda f: _v(f["version"]) + (" (champion)" if f["promoted"] else ""))]
    table = Table("", *(f"{f['model']} {f['run']}" for f in facts), title="Runs compared (* differs)")
    for label, value in rows:
        shown = [value(f) for f in facts]
        table.add_row(label + (" *" if len(set(shown)) > 1 else ""), *(escape(str(v)) for v in shown))
    console.print(table)


def _score(score: float | None, metric: str | None) -> str:
    return "-" if score is None else f"{metric} {score:.4f}"


def candidates(records: list[dict[str, Any]]) -> None:
    table = Table("candidate", "tasks", "searched parameters", "what it is", title="Candidates")
    for record in records:
        table.add_row(record["name"], ", ".join(record["tasks"]), ", ".join(record["space"]), escape(record["summary"]))
    console.print(table)


def candidate_checks(records: list[dict[str, Any]]) -> None:
    table = Table("candidate", "task", "check", "result", "detail", title="Candidate checks")
    for r in records:
        table.add_row(r["candidate"], r["task"], r["check"], "[green]pass" if r["passed"] else "[red]FAIL",
                      escape(r["detail"]))
    console.print(table)
