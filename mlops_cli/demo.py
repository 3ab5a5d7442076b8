"""`make demo`: the continuous-training loop on the local runtime, told as a story a person can follow."""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mlops_core.aws.run_store import FAILED, SUCCEEDED
from mlops_core.contract import Contract
from mlops_core.errors import NotFoundError
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from localcloud.runtime import DEFAULT_PORT, LocalCloud, free_port, port_is_free

from . import operations, render
from .samples import CHURN_CONTRACT, CHURN_RECORD, churn, corrupt
from .stack import Stack
from .watch import follow, newest_execution

TEMPLATE = Path(__file__).resolve().parent.parent / "template.yaml"
MODEL = "churn"
UI_PORT = 8765
# The local runtime evaluates alarms every second; a few ticks show that nothing fires.
ALARM_CLOCK_SECONDS = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlops_cli.demo", description=__doc__)
    parser.add_argument("--ui", action="store_true",
                        help="after the story, keep the stack up and serve `mlops ui` over it until Ctrl-C")
    args = parser.parse_args(argv)
    console = render.console
    port = DEFAULT_PORT if port_is_free(DEFAULT_PORT) else free_port()
    console.print(Panel("serverless-mlops demo: the continuous-training loop on the local runtime"))
    started = time.perf_counter()
    with LocalCloud(TEMPLATE, port=port) as cloud:
        console.print(f"local AWS endpoint {cloud.endpoint}, stack deployed in {time.perf_counter() - started:.1f} s")
        stack = Stack.find()
        operations.put_contract(stack, Contract.from_dict(CHURN_CONTRACT))
        console.print(f"contract for [bold]{MODEL}[/] stored at s3://{stack.data_bucket}/contracts/{MODEL}.json")
        data = Path(tempfile.mkdtemp(prefix="mlops-demo-"))
        chapters = [
            ("First dataset: 2,000 customers", "customers-2026-10.csv", churn(2000, seed=1, noise=0.15), SUCCEEDED, 1),
            ("Fresher, cleaner data: 6,000 customers; support calls now matter more", "customers-2026-11.csv",
             churn(6000, seed=2, noise=0.05, calls_weight=0.9), SUCCEEDED, 2),
            ("A corrupt export", "customers-broken.csv", corrupt(churn(500, seed=3)), FAILED, 2),
        ]
        failures = []
        for title, name, frame, expected_status, expected_champion in chapters:
            console.rule(title)
            path = data / name
            frame.to_csv(path, index=False)
            run = _upload_and_follow(stack, path, console)
            champion = stack.registry.alias(MODEL)
            _summarize(stack, run, champion, console)
            if run["status"] != expected_status or (champion or {}).get("version") != expected_champion:
                failures.append(f"{title}: run {run['status']}, champion {champion and champion['version']}")
        console.rule("Serving: the champion answers on the inference URL")
        answer = _curl_predict(stack.outputs["InferenceUrl"], console)
        if answer.get("version") != 2:
            failures.append(f"inference URL: expected champion v2 to answer, got {answer}")
        failures += _monitoring_chapters(stack, console)
        console.rule("All runs")
        runs = stack.runs.list(MODEL)
        render.runs(runs)
        render.model(operations.model_view(stack, MODEL))
        _save_reports(stack, runs, data / "reports", console)
        if args.ui and not failures:
            _serve_ui(stack, console)
    if failures:
        console.print("[red]the demo did not go as expected:[/]\n" + "\n".join(failures))
        return 1
    console.print(f"[green]demo complete[/] in {time.perf_counter() - started:.0f} s")
    return 0


def _save_reports(stack: Stack, runs: list[dict[str, Any]], folder: Path, console: Console) -> None:
    """Copy each run's report out of the local stack, which ends with the demo (and `mlops report` with it), and say
    where the copies are."""
    console.rule("Reports")
    folder.mkdir(parents=True, exist_ok=True)
    for run in runs:
        try:
            page = operations.report_page(stack, run)
        except NotFoundError as error:
            console.print(f"run {run['run_id']}: {escape(str(error))}")
            continue
        path = folder / f"{run['run_id']}.html"
        path.write_bytes(page)
        console.print(f"run {run['run_id']} ({run['status']}): {path.as_uri()}")
    console.print("Open them in a browser (each is one self-contained page). On a running stack, `mlops report RUN` "
                  "fetches one, and `mlops ui` (make ui beside make up) shows runs, reports and the model's page; "
                  "`make demo-ui` tells this story and then serves the web app over its stack until Ctrl-C.")


def _serve_ui(stack: Stack, console: Console) -> None:
    from .ui.app import serve

    serve(stack, "127.0.0.1", UI_PORT if port_is_free(UI_PORT) else free_port(), console.print)


def _monitoring_chapters(stack: Stack, console: Console) -> list[str]:
    """Traffic like the training data leaves the alarms alone; drifted traffic fires one and retrains the model."""
    failures = []
    console.rule("Monitoring: 300 customers like the training data, with their true outcomes as feedback")
    steady = _traffic_then_monitor(stack, churn(300, seed=10, noise=0.05, calls_weight=0.9), console)
    time.sleep(ALARM_CLOCK_SECONDS)
    status = operations.monitor_status(stack, MODEL)
    render.alarms(status)
    if any(alarm["StateValue"] == "ALARM" for alarm in status["alarms"]) or steady["drift"]["drifted"]:
        failures.append(f"undrifted traffic: drift {steady['drift']}, alarms {status['alarms']}")

    console.rule("The customers change: newer, on pricier plans, calling support more (300 more, with feedback)")
    before = time.time()
    _traffic_then_monitor(stack, churn(300, seed=11, noise=0.05, calls_weight=0.9, drift=1.0), console)
    drift_alarm = stack.alarm_settings.alarm_name(MODEL, "drift")
    if not _wait(lambda: _alarm_state(stack, drift_alarm) == "ALARM", 30):
        return [*failures, f"{drift_alarm} did not go to ALARM"]
    console.print(f"CloudWatch alarm [bold]{drift_alarm}[/] -> [red]ALARM[/]; EventBridge starts the pipeline "
                  "with trigger=alarm on the latest upload plus the feedback since")
    follow(stack, newest_execution(stack, before), console)
    run = _wait(lambda: next((r for r in stack.runs.list(MODEL)
                              if r["trigger"] == "alarm" and r["status"] in (SUCCEEDED, FAILED)), None), 300)
    if run is None:
        return [*failures, "no retraining run followed the drift alarm"]
    _summarize(stack, run, stack.registry.alias(MODEL), console)
    console.print(f"trained on {run['dataset']['base_uri']} + {run['dataset']['feedback_rows']} labeled requests "
                  f"(manifest {run['dataset']['manifest_uri']})")
    if run["status"] != SUCCEEDED:
        failures.append(f"the alarm run failed: {run.get('message')}")
    return failures


def _traffic_then_monitor(stack: Stack, frame, console: Console) -> dict[str, Any]:
    operations.send_traffic(stack, MODEL, frame, "churned")
    time.sleep(1.1)  # S3 times objects to the second; the pass counts what was written before its window ends
    [seen] = operations.run_monitor(stack, [MODEL])
    console.print(f"$ mlops monitor run {MODEL}")
    render.passes([seen])
    return seen


def _alarm_state(stack: Stack, name: str) -> str:
    return stack.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]


def _wait(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    return None


def _curl_predict(url: str, console: Console) -> dict[str, Any]:
    """What a user would type: curl, with one customer's record."""
    body = json.dumps({"records": [CHURN_RECORD]})
    command = ["curl", "-sS", "-X", "POST", f"{url}models/{MODEL}/predict", "-H", "content-type: application/json",
               "-d", body]
    console.print("$ " + " ".join(shlex.quote(part) for part in command), soft_wrap=True, highlight=False)
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    if result.returncode != 0:
        console.print(f"[red]curl failed:[/] {escape(result.stderr)}")
        return {}
    answer = json.loads(result.stdout)
    console.print_json(data=answer)
    return answer


def _upload_and_follow(stack: Stack, path: Path, console: Console) -> dict[str, Any]:
    before = time.time()
    trigger = operations.upload(stack, path, MODEL)
    console.print(f"uploaded {trigger.dataset.uri}")
    follow(stack, newest_execution(stack, before), console)
    return operations.wait_for_run(stack, MODEL, trigger.run_id, timeout=60)


def _summarize(stack: Stack, run: dict[str, Any], champion: dict[str, Any] | None, console: Console) -> None:
    steps = run["steps"]
    validate = steps.get("validate", {})
    if validate.get("status") == SUCCEEDED:
        console.print(f"validation: [green]passed[/], {validate['dataset']['rows']} rows")
    else:
        console.print(f"validation: [red]failed[/]\n{escape(validate.get('message', run.get('message', '')))}")
    for trial in operations.trials(stack, run):
        if trial["status"] == SUCCEEDED:
            console.print(f"trial {trial['trial_id']} {trial['label']:<24} validation {trial['metric']} "
                          f"{trial['score']:.4f} (fit {trial['fit_seconds']:.2f} s)")
        else:
            console.print(f"trial {trial['trial_id']} {trial['label']:<24} [red]FAILED[/] {trial.get('error')}")
    evaluate = steps.get("evaluate")
    if evaluate and evaluate.get("status") == SUCCEEDED:
        artifact = evaluate["artifact"]
        best = evaluate["best"]
        console.print(f"best: {best['label']} ({best['trial_id']}), holdout {evaluate['metric']} "
                      f"{evaluate['score']:.4f}; ONNX {artifact['bytes'] / 1024:.0f} KB, loads in "
                      f"{artifact['load_seconds'] * 1000:.0f} ms")
    if run["status"] == SUCCEEDED:
        action = "promoted" if run["promoted"] else "registered, not promoted"
        console.print(f"decision: v{run['version']} {action}: {run['reason']}")
    console.print(f"run {run['run_id']}: [bold]{run['status']}[/]; champion alias -> "
                  f"{'v' + str(champion['version']) if champion else 'none'}")
    if run.get("report_uri"):
        console.print(f"report: {run['report_uri']} (`mlops report {run['run_id']} --open`)")


if __name__ == "__main__":
    sys.exit(main())
