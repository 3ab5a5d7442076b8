"""What the operator CLI and the demo do to a stack: contracts, uploads, waiting on runs, moving the champion."""

from __future__ import annotations

import getpass
import json
import time
import uuid
from pathlib import Path
from typing import Any

from mlops_core.aws import contract_store
from mlops_core.aws.objects import S3Object, newest_object
from mlops_core.aws.registry import CHAMPION, AliasMove
from mlops_core.aws.run_store import RUNNING
from mlops_core.contract import Contract
from mlops_core.errors import MlopsError, NotFoundError
from mlops_core.monitoring.alarms import sync_model_alarms
from mlops_core.pipeline.triggers import INCOMING, Trigger

from .stack import Stack

POLL_SECONDS = 0.5


class RunTimeoutError(TimeoutError):
    """A run did not end within the time the caller allowed."""


def put_contract(stack: Stack, contract: Contract) -> str | None:
    """Store a contract as a new version of contracts/<model>.json; returns the S3 version id."""
    return contract_store.put_contract(stack.store, stack.data_bucket, contract)


def upload(stack: Stack, path: Path, model: str, name: str | None = None) -> Trigger:
    """Upload a dataset under incoming/<model>/; returns the trigger, whose run id the pipeline will use."""
    target = S3Object(stack.data_bucket, f"{INCOMING}{model}/{name or path.name}")
    version_id = stack.store.put(target, path.read_bytes())
    return Trigger("upload", model, S3Object(target.bucket, target.key, version_id))


def retrain(stack: Stack, model: str, dataset_uri: str | None = None) -> Trigger:
    """Start a manual run on a dataset (by default the newest upload for the model); returns its trigger."""
    if dataset_uri:
        dataset, _ = stack.store.current(S3Object.parse(dataset_uri))
    else:
        dataset, _ = newest_object(stack.store, stack.data_bucket, f"{INCOMING}{model}/")
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
    raise RunTimeoutError(f"run {run_id} of {model} did not end within {timeout:.0f} s")


def wait_for_newest(stack: Stack, model: str | None, timeout: float = 900) -> dict[str, Any] | None:
    """Block until no execution of the pipeline is running, then return the newest run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = stack.pipeline.running()
        runs = stack.runs.list(model)
        if not running and not (runs and runs[0]["status"] == RUNNING):
            return runs[0] if runs else None
        time.sleep(POLL_SECONDS)
    raise RunTimeoutError(f"runs still in progress after {timeout:.0f} s")


def model_view(stack: Stack, model: str) -> dict[str, Any]:
    """A model's champion, versions and alias history."""
    versions = stack.registry.versions(model)
    if not versions:
        raise NotFoundError(f"model {model!r} has no registered versions")
    return {"model": model, "champion": stack.registry.alias(model, CHAMPION), "versions": versions,
            "history": stack.registry.history(model, CHAMPION)}


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


def _who() -> str:
    return f"mlops-cli:{getpass.getuser()}"
