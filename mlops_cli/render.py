"""Human-readable tables for the CLI and the demo."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(highlight=False)
if not console.is_terminal:
    console = Console(highlight=False, width=160)

STATUS_STYLE = {"SUCCEEDED": "green", "FAILED": "red", "RUNNING": "yellow", "SUPPRESSED": "dim"}
ALARM_STYLE = {"OK": "green", "ALARM": "red", "INSUFFICIENT_DATA": "yellow"}


def runs(records: list[dict[str, Any]]) -> None:
    table = Table("run", "model", "trigger", "status", "started", "version", "outcome", title="Runs")
    for run in records:
        outcome = (run.get("reason") or run.get("message") or "").split("\n", 1)[0]
        failed = _failed_candidates(run)
        if failed:
            outcome += f" ({failed})"
        if run.get("duplicates"):
            outcome += f" ({run['duplicates']} duplicate deliveries)"
        status = run["status"]
        table.add_row(run["run_id"], run["model"], run["trigger"], f"[{STATUS_STYLE.get(status, '')}]{status}",
                      run["started_at"][:19], _version(run), escape(outcome))
    console.print(table)


def _failed_candidates(run: dict[str, Any]) -> str:
    """The candidates a succeeded run went on without, as its Export step recorded them."""
    failed = (run.get("steps") or {}).get("export", {}).get("failed") or []
    return "; ".join(f"candidate {f['name']} failed: {f['error']}: {' '.join(f['message'].split())[:80].rstrip()}"
                     for f in failed)


def models(records: list[dict[str, Any]]) -> None:
    table = Table("model", "champion", "latest version", title="Models")
    for record in records:
        champion = record["champion"]
        table.add_row(record["model"], f"v{champion['version']}" if champion else "-", f"v{record['latest_version']}")
    console.print(table)


def model(view: dict[str, Any]) -> None:
    champion = (view["champion"] or {}).get("version")
    table = Table("version", "candidate", "metrics", "artifact", "data", "created", title=f"Model {view['model']}")
    for version in view["versions"]:
        mark = " (champion)" if version["version"] == champion else ""
        metrics = ", ".join(f"{k}={v:.4f}" for k, v in version["metrics"].items())
        artifact = version["artifact"]
        table.add_row(f"v{version['version']}{mark}", version["candidate"], metrics,
                      f"{artifact['bytes'] / 1024:.0f} KB, loads in {artifact['load_seconds'] * 1000:.0f} ms",
                      f"{version['data']['rows']} rows, sha256 {version['data']['sha256'][:10]}",
                      version["created_at"][:19])
    console.print(table)
    history = Table("when", "action", "from", "to", "who", "why", title="Champion history")
    for entry in view["history"]:
        history.add_row(entry["when"][:19], entry["action"], _v(entry.get("from_version")), _v(entry["to_version"]),
                        escape(entry["who"]), escape(entry["why"]))
    console.print(history)


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
        alarms = " ".join(f"[{ALARM_STYLE.get(state, '')}]{name}={state}[/]"
                          for name, state in record.get("alarms", {}).items())
        table.add_row(record["model"], f"v{record['champion_version']}", record["window"]["end"][:19],
                      str(record["records"]), f"{drift['score']:.3f}" if drift else "-",
                      ", ".join(drift.get("drifted", [])), quality or "-", str(record["labels"]), alarms,
                      escape("; ".join(record.get("notes", []))))
    console.print(table)


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
