"""A report document as one self-contained HTML page: inline SVG and CSS, no script, nothing fetched."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from mlops_core.reporting.report import CHAMPION_DATA

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d1d1d}
h1{font-size:1.5rem}h2{font-size:1.15rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;
vertical-align:top;white-space:pre-wrap}th{background:#f4f4f4}.figures{display:flex;flex-wrap:wrap;gap:1rem}
figure{margin:0}figure svg{max-width:100%;height:auto}.status-FAILED{color:#b23a48}.status-SUCCEEDED{color:#2f7d4a}
code{font-size:.9em}
"""


def fmt(value: Any) -> str:
    """How every number and value is written on the page (tests compare the page with report.json through it)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def render(report: dict[str, Any]) -> str:
    """The page for a report document from `build_report`."""
    title = f"{report['model']} run {report['run_id']}"
    sections = [
        _provenance(report), _failure(report.get("failure")), _validation(report),
        _leaderboard(report.get("leaderboard", [])), _comparison(report), _model(report),
        _parity(report.get("parity")), _decision(report.get("decision")),
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{escape(title)}: <span class=\"status-{escape(report['status'])}\">{escape(report['status'])}"
            f"</span></h1>{''.join(section for section in sections if section)}</body></html>\n")


def _provenance(report: dict[str, Any]) -> str:
    rows = {"model": report["model"], "run": report["run_id"], "task": report.get("task"),
            **report["provenance"]}
    return _section("Provenance", _pairs(rows), "provenance")


def _failure(failure: dict[str, Any] | None) -> str:
    if not failure:
        return ""
    body = _pairs({"error": failure["error"], "message": failure["message"]})
    if failure["rules"]:
        body += _table(["rule", "column", "rows", "message", "example rows"],
                       [[v["rule"], v["column"], v["rows"], v["message"],
                         "; ".join(f"row {e['row']}: {fmt(e['value'])}" for e in v["examples"])]
                        for v in failure["rules"]])
    return _section("Why the run failed", body, "failure")


def _validation(report: dict[str, Any]) -> str:
    validation = report.get("validation")
    if validation is None:
        return ""
    body = _pairs({"passed": validation["passed"], "rows": validation["rows"],
                   "rules broken": len(validation["violations"])})
    histograms = [f for f in report["figures"] if f["id"].startswith("histogram:")]
    if histograms:
        beside = any(CHAMPION_DATA in f["data"]["shares"] for f in histograms)
        caption = ("Each feature in this run's data beside the champion's training data." if beside else
                   "Each feature in this run's data (no champion before this run: nothing to draw it beside).")
        body += f"<p>{caption}</p>" + _figures(histograms)
    return _section("Validation and data profile", body, "validation")


def _leaderboard(board: list[dict[str, Any]]) -> str:
    if not board:
        return ""
    return _section("Trials", _table(
        ["trial", "candidate", "rung", "varying parameters", "validation score", "status"],
        [[row["label"], row["candidate"], row["rung"], row["params"], row["score"],
          row["status"] if not row.get("message") else f"{row['status']}: {row['message']}"] for row in board]),
        "leaderboard")


def _comparison(report: dict[str, Any]) -> str:
    comparison = report.get("comparison")
    body = _pairs(report.get("metrics", {})) if report.get("metrics") else ""
    if comparison:
        rows = [[name, comparison[name]["score"], comparison[name]["low"], comparison[name]["high"]]
                for name in ("challenger", "champion", "gain") if comparison.get(name)]
        resampled = comparison.get("resampled_rows", comparison["rows"])
        sample = f" of a seeded sample of {resampled} of them" if resampled < comparison["rows"] else ""
        body += (f"<p>{escape(comparison['metric'])} on the same {comparison['rows']} holdout rows, "
                 f"{comparison['level']:.0%} paired bootstrap intervals{sample} "
                 f"({comparison['resamples']} resamples).</p>"
                 + _table(["", comparison["metric"], "low", "high"], rows))
        body += _figures([f for f in report["figures"] if f["id"] == "comparison"])
    return _section("New model against the champion", body, "comparison") if body else ""


def _model(report: dict[str, Any]) -> str:
    shown = [f for f in report["figures"] if not f["id"].startswith("histogram:") and f["id"] != "comparison"]
    body = _figures(shown) if shown else ""
    metric = (report.get("comparison") or {}).get("metric", "metric")
    for column, groups in report.get("categories", {}).items():
        body += (f"<h3>{escape(metric)} by {escape(column)}</h3>"
                 + _table([column, "holdout rows", metric], [[g["value"], g["rows"], g["score"]] for g in groups]))
    return _section("The new model on the holdout", body, "model") if body else ""


def _parity(parity: dict[str, Any] | None) -> str:
    return _section("ONNX parity", _pairs(parity), "parity") if parity else ""


def _decision(decision: dict[str, Any] | None) -> str:
    if not decision:
        return ""
    return _section("Decision", _pairs({"promoted": decision["promote"], "reason": decision["reason"],
                                        "version": decision["version"]}), "decision")


def _section(heading: str, body: str, anchor: str) -> str:
    return f"<section id=\"{anchor}\"><h2>{escape(heading)}</h2>{body}</section>"


def _pairs(values: dict[str, Any]) -> str:
    return _table(None, [[name, value] for name, value in values.items()])


def _table(header: list[str] | None, rows: list[list[Any]]) -> str:
    head = "" if header is None else "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>"
    body = "".join("<tr>" + "".join(f"<td>{escape(fmt(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table>{head}{body}</table>"


def _figures(figures: list[dict[str, Any]]) -> str:
    # The SVG is matplotlib's own output, which escapes the text it draws; it goes in as markup.
    return "<div class=\"figures\">" + "".join(
        f"<figure id=\"figure-{escape(f['id'])}\" data-figure=\"{escape(f['id'])}\">{f['svg']}"
        f"<figcaption>{escape(f['title'])}</figcaption></figure>" for f in figures) + "</div>"
