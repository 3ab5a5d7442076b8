"""What the operator CLI and the demo do to a stack: contracts, uploads, waiting on runs, moving the champion."""

from __future__ import annotations

import getpass
import json
import re
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mlops_core.aws import contract_store
from mlops_core.aws.function_logs import LogLine
from mlops_core.aws.objects import S3Object, newest_object
from mlops_core.aws.registry import CHAMPION, AliasMove
from mlops_core.aws.run_store import RUNNING, SUCCEEDED, run_prefix
from mlops_core.contract import Contract, check_name
from mlops_core.errors import MlopsError, NotFoundError
from mlops_core.monitoring.alarms import sync_model_alarms
from mlops_core.pipeline.triggers import INCOMING, Trigger, is_upload_of, model_from_key, run_key
from mlops_core.scoring import METRICS

from .stack import Stack

POLL_SECONDS = 0.5


class RunTimeoutError(TimeoutError):
    """A run did not end within the time the caller allowed."""


def put_contract(stack: Stack, contract: Contract) -> str | None:
    """Store a contract as a new version of contracts/<model>.json; returns the S3 version id."""
    return contract_store.put_contract(stack.store, stack.data_bucket, contract)


def upload(stack: Stack, path: Path, model: str, name: str | None = None) -> Trigger:
    """Upload a dataset under incoming/<model>/; returns the trigger, whose run id the pipeline will use.

    The key is checked as the pipeline reads it before anything is written: an upload it would reject is refused.
    """
    target = S3Object(stack.data_bucket, f"{INCOMING}{check_name(model)}/{name or path.name}")
    model_from_key(target.key)
    version_id = stack.store.put(target, path.read_bytes())
    return Trigger("upload", model, S3Object(target.bucket, target.key, version_id))


def retrain(stack: Stack, model: str, dataset_uri: str | None = None) -> Trigger:
    """Start a manual run on a dataset (by default the newest upload of the model); returns its trigger."""
    check_name(model)
    if dataset_uri:
        dataset, _ = stack.store.current(S3Object.parse(dataset_uri))
    else:
        dataset, _ = newest_object(stack.store, stack.data_bucket, f"{INCOMING}{model}/",
                                   accept=lambda key: is_upload_of(key, model))
    trigger = Trigger("manual", model, dataset, uuid.uuid4().hex)
    event = {"trigger": "manual", "model": model, "dataset_uri": dataset.uri,
             "version_id": trigger.dataset.version_id, "request_id": trigger.event_id}
    stack.pipeline.start(f"manual-{trigger.event_id}", event)
    return trigger


def wait_for_run(stack: Stack, model: str, run_id: str, timeout: float = 900) -> dict[str, Any]:
    """Block until the run exists and has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = stack.runs.get(model, run_id)
        if run and run["status"] != RUNNING:
            return run
        time.sleep(POLL_SECONDS)
    raise RunTimeoutError(f"run {run_id} of {model} did not end within {timeout:g} s; see `mlops runs --model "
                          f"{model}`, or wait longer with --timeout")


def wait_for_newest(stack: Stack, model: str | None, timeout: float = 900) -> dict[str, Any]:
    """Block until no execution of the pipeline is running and the newest run (of `model`, or of any) has ended.

    Reads one run per poll, and only once no execution is running. A model with no runs and no contract has
    nothing to wait for: that is said at once. Otherwise, without a run yet, it waits for the first one.
    """
    deadline = time.monotonic() + timeout
    while True:
        if not stack.pipeline.running():
            newest = stack.runs.newest(check_name(model)) if model else next(iter(newest_runs(stack, 1)), None)
            if newest is None and model and not has_contract(stack, model):
                raise NotFoundError(f"model {model!r} has no runs and no contract: store one with `mlops contract "
                                    f"put FILE`, then upload data with `mlops upload FILE --model {model}`")
            if newest is not None and newest["status"] != RUNNING:
                return newest
        if time.monotonic() >= deadline:
            what = f"runs of {model}" if model else "runs"
            raise RunTimeoutError(f"{what} still in progress, or none started, after {timeout:g} s; see "
                                  "`mlops runs`, or wait longer with --timeout")
        time.sleep(POLL_SECONDS)


def newest_runs(stack: Stack, limit: int) -> list[dict[str, Any]]:
    """The records (runs and rejected triggers) of the newest executions of the pipeline, newest first, each once."""
    keys: list[tuple[str, str]] = []
    for execution_input in stack.pipeline.inputs():
        if len(keys) >= limit:
            break
        key = run_key(execution_input)
        if key not in keys:
            keys.append(key)
    return [run for run in (stack.runs.get(*key) for key in keys) if run is not None]


# How far back `find_run` looks for a run named without its model.
FIND_RUN_EXECUTIONS = 200


def find_run(stack: Stack, run_id: str, model: str | None = None) -> dict[str, Any]:
    """A run by its id: under its model when given, else among the pipeline's newest executions."""
    if not RUN_ID.fullmatch(run_id):
        raise ValueError(f"{run_id[:100]!r} is not a run id (`mlops runs` lists them)")
    if model:
        run = stack.runs.get(model, run_id)
        if run is None:
            raise NotFoundError(f"model {model!r} has no run {run_id!r}")
        return run
    for count, execution_input in enumerate(stack.pipeline.inputs()):
        if count >= FIND_RUN_EXECUTIONS:
            break
        key = run_key(execution_input)
        if key[1] == run_id:
            run = stack.runs.get(*key)
            if run is not None:
                return run
    raise NotFoundError(f"no run {run_id!r} among the newest {FIND_RUN_EXECUTIONS} pipeline executions; name its "
                        "model with --model")


def trials(stack: Stack, run: dict[str, Any]) -> list[dict[str, Any]]:
    """A run's trials, best first: the final rung's ranked, then the earlier rungs', failed trials last."""
    records = stack.trials.list(run["model"], run["run_id"])
    metric = next((t["metric"] for t in records if t.get("metric")), None)
    sign = -1 if metric and METRICS[metric].greater_is_better else 1
    return sorted(records, key=lambda t: (t["status"] != SUCCEEDED, -t["rung"],
                                          sign * t["score"] if "score" in t else 0, t["trial_id"]))


def report_page(stack: Stack, run: dict[str, Any]) -> bytes:
    """A run's report.html, where its record says the Report step wrote it (else where that step writes it)."""
    uri = run.get("report_uri") or f"s3://{stack.output('ArtifactBucketName')}/{run_prefix(run)}/report/report.html"
    try:
        return stack.store.get_bytes(S3Object.parse(uri))
    except NotFoundError as error:
        failed = (run.get("steps") or {}).get("report", {}).get("error")
        why = ("it is still running" if run["status"] == RUNNING else
               f"status {run['status']}; its Report step failed: {failed}: {run['steps']['report'].get('message')}"
               if failed else f"status {run['status']}")
        raise NotFoundError(f"run {run['run_id']!r} of {run['model']!r} has no report at {uri} ({why}); a run "
                            "gets one once it reaches the Report step, after Register or on failure") from error


def compare_runs(stack: Stack, first: dict[str, Any], second: dict[str, Any]) -> list[dict[str, Any]]:
    """Two runs side by side: what each trained on, with which code, what won and what was decided."""
    return [run_facts(stack, run) for run in (first, second)]


def run_facts(stack: Stack, run: dict[str, Any]) -> dict[str, Any]:
    """What a run trained on, with which code, what won and what was decided."""
    steps = run.get("steps") or {}
    validate, evaluate = steps.get("validate", {}), steps.get("evaluate", {})
    selects = [step for name, step in sorted(steps.items()) if name.startswith("select:")]
    best = next((step["best"] for step in reversed(selects) if "best" in step), {})
    records = stack.trials.list(run["model"], run["run_id"])
    return {
        "run": run["run_id"], "model": run["model"], "status": run["status"], "trigger": run["trigger"],
        "started": run["started_at"][:19],
        "data": {key: validate.get("dataset", {}).get(key) for key in ("uri", "sha256", "rows")},
        "contract": validate.get("contract"), "candidates_version": validate.get("candidates_version"),
        "trials": len(records), "failed_trials": sum(t["status"] != SUCCEEDED for t in records),
        "best": {key: best.get(key) for key in ("trial_id", "label", "candidate", "params", "score", "metric")},
        "holdout": {"score": evaluate.get("score"), "metrics": evaluate.get("holdout_metrics"),
                    "champion": evaluate.get("champion")},
        "decision": evaluate.get("decision"), "version": run.get("version"), "promoted": run.get("promoted"),
        "error": run.get("message")}


def report_json(stack: Stack, run: dict[str, Any]) -> dict[str, Any] | None:
    """The figures and numbers of a run's report (report.json, beside the page its record names); None when the run
    has no report."""
    if not run.get("report_uri"):
        return None
    page = S3Object.parse(run["report_uri"])
    try:
        return json.loads(stack.store.get_bytes(S3Object(page.bucket, f"{page.key.rsplit('/', 1)[0]}/report.json")))
    except NotFoundError:
        return None


def models(stack: Stack) -> list[dict[str, Any]]:
    """Every registered model with its champion and latest version."""
    return [{"model": name, "champion": stack.registry.alias(name),
             "latest_version": stack.registry.latest_version(name)} for name in stack.registry.models()]


def has_contract(stack: Stack, model: str) -> bool:
    try:
        stack.store.get_versioned(contract_store.contract_location(stack.data_bucket, model))
    except NotFoundError:
        return False
    return True


def model_view(stack: Stack, model: str, versions_required: bool = True) -> dict[str, Any]:
    """A model's champion (with its scores: on its own holdout, and on each later challenger's), versions and alias
    history; without `versions_required`, a model with a contract or a run but no version yet has an empty view."""
    versions = stack.registry.versions(model)
    if not versions and (versions_required or (stack.runs.newest(model) is None and not has_contract(stack, model))):
        raise NotFoundError(f"model {model!r} has no registered versions")
    champion = stack.registry.alias(model, CHAMPION)
    return {"model": model, "champion": champion, "versions": versions,
            "champion_scores": champion_scores(versions, champion["version"]) if champion else None,
            "history": stack.registry.history(model, CHAMPION)}


def champion_scores(versions: list[dict[str, Any]], champion: int) -> dict[str, Any] | None:
    """The champion's metric on its own holdout, and on the holdout of each version later compared with it."""
    record = next((v for v in versions if v["version"] == champion), None)
    if record is None:
        return None
    metric = holdout_metric(record)
    compared = [{"challenger": v["version"], "score": v["champion_on_holdout"]["score"],
                 "challenger_score": v["metrics"].get(metric)} for v in versions
                if (v.get("champion_on_holdout") or {}).get("version") == champion
                and v["champion_on_holdout"].get("score") is not None]
    return {"version": champion, "metric": metric, "own_holdout": record["metrics"].get(metric),
            "on_challenger_holdouts": compared}


def holdout_metric(version: dict[str, Any]) -> str:
    """The contract metric a version was scored with on its holdout (its other metric is the validation one)."""
    return next(name for name in version["metrics"] if not name.startswith("validation_"))


def promote(stack: Stack, model: str, version: int, reason: str | None = None, alias: str = CHAMPION) -> int:
    """Point an alias at a version (the registry refuses one that does not exist); a champion gets its alarms."""
    revision = stack.registry.move_alias(model, AliasMove(alias, version, _who(),
                                                          reason or f"manual {alias} promotion"))
    if alias == CHAMPION:
        sync_alarms(stack, model)
    return revision


def rollback(stack: Stack, model: str, reason: str | None = None) -> int:
    """Move the champion back to the version it held before the current one was promoted, alarms included."""
    target = stack.registry.rollback_target(model)
    stack.registry.move_alias(model, AliasMove(CHAMPION, target, _who(), reason or "rollback", action="rollback"))
    sync_alarms(stack, model)
    return target


def sync_alarms(stack: Stack, model: str) -> dict[str, Any]:
    """Create or update the model's alarms for its current champion (the pipeline does it on each promotion)."""
    return sync_model_alarms(stack.alarms, stack.alarm_settings, stack.registry, stack.store, model)


class MonitorFailedError(MlopsError):
    """The monitor function failed, or a model's pass did; its message says which and why."""


def failed_passes(passes: list[dict[str, Any]]) -> MonitorFailedError | None:
    """The error to report when some models' passes failed (the others were monitored), or None."""
    failed = [p for p in passes if p.get("failed")]
    if not failed:
        return None
    return MonitorFailedError("the monitor pass failed for " + "; ".join(
        f"{p['model']} ({p['error']}: {p['message']})" for p in failed)
        + "; the other models were monitored; fix the cause and run `mlops monitor run` again")


def run_monitor(stack: Stack, models: list[str] | None = None) -> list[dict[str, Any]]:
    """Invoke the monitor function now (instead of waiting for its schedule); returns its passes, failed ones too."""
    response = stack.lambda_client.invoke(FunctionName=stack.outputs["MonitorFunctionName"],
                                          Payload=json.dumps({"models": models or None}).encode())
    payload = json.loads(response["Payload"].read() or b"{}")
    if response.get("FunctionError"):
        raise MonitorFailedError(f"the monitor failed: {payload.get('errorType')}: {payload.get('errorMessage')}")
    return payload["passes"]


def send_traffic(stack: Stack, model: str, frame: Any, target: str, labels: str | None = "true",
                 batch: int = 100) -> int:
    """Score a labeled frame through the inference URL in batches, then send its labels as feedback.

    labels: "true" sends the frame's target, "wrong" the opposite of each predicted class, None nothing.
    """
    from .samples import records

    client = stack.inference
    for start in range(0, len(frame), batch):
        rows = frame.iloc[start:start + batch]
        answer = client.post(f"models/{model}/predict", {"records": records(rows, target)})
        truths = rows[target].tolist()
        if labels == "wrong":
            classes = sorted(answer["predictions"][0]["probabilities"])
            truths = [next(c for c in classes if c != p["label"]) for p in answer["predictions"]]
        if labels:
            client.post(f"models/{model}/feedback", {"labels": [
                {"request_id": answer["request_id"], "row": row, "label": label} for row, label in enumerate(truths)]})
    return len(frame)


def monitor_status(stack: Stack, model: str, limit: int = 10) -> dict[str, Any]:
    """A model's alarms (with their states and thresholds) and its latest monitor passes."""
    alarms = stack.alarms.describe(stack.alarm_settings.alarm_names(model))
    return {"model": model, "alarms": [{key: alarm.get(key) for key in (
        "AlarmName", "StateValue", "MetricName", "ComparisonOperator", "Threshold", "StateUpdatedTimestamp")}
        for alarm in alarms], "passes": stack.monitor_passes.passes(model, limit)}


RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
# Lines are stamped when written; a run's window is widened by this much either side.
LOG_MARGIN = timedelta(minutes=1)


def run_logs(stack: Stack, run_id: str, model: str | None = None) -> list[LogLine]:
    """The lines the functions logged for one run, oldest first (within the run's times, when its model is given)."""
    if not RUN_ID.fullmatch(run_id):
        raise ValueError(f"{run_id[:100]!r} is not a run id (`mlops runs` lists them)")
    start = end = None
    if model:
        run = stack.runs.get(model, run_id)
        if run is None:
            raise NotFoundError(f"model {model!r} has no run {run_id!r}")
        start = datetime.fromisoformat(run["started_at"]) - LOG_MARGIN
        end = datetime.fromisoformat(run["finished_at"]) + LOG_MARGIN if run.get("finished_at") else None
    lines = stack.function_logs.run_lines(run_id, start, end)
    if not lines:
        raise NotFoundError(f"no log line of run {run_id!r} in {stack.function_logs.group}")
    return lines


def _who() -> str:
    return f"mlops-cli:{getpass.getuser()}"
