"""What the operator CLI and the demo do to a stack: contracts, uploads, waiting on runs, moving the champion."""

from __future__ import annotations

import getpass
import json
import time
import uuid
from pathlib import Path
from typing import Any

from mlops_core.contract import Contract
from mlops_core.errors import NotFoundError
from mlops_core.registry import CHAMPION, AliasMove
from mlops_core.runs import RUNNING
from mlops_core.storage import S3Object
from mlops_core.triggers import INCOMING, Trigger

from .stack import Stack

POLL_SECONDS = 0.5


class RunTimeoutError(TimeoutError):
    """A run did not end within the time the caller allowed."""


def put_contract(stack: Stack, contract: Contract) -> str | None:
    """Store a contract as a new version of contracts/<model>.json; returns the S3 version id."""
    response = stack.store.client.put_object(
        Bucket=stack.data_bucket, Key=f"contracts/{contract.model}.json", ContentType="application/json",
        Body=json.dumps(contract.to_dict(), indent=2).encode())
    return response.get("VersionId")


def upload(stack: Stack, path: Path, model: str, name: str | None = None) -> Trigger:
    """Upload a dataset under incoming/<model>/; returns the trigger, whose run id the pipeline will use."""
    key = f"{INCOMING}{model}/{name or path.name}"
    response = stack.store.client.put_object(Bucket=stack.data_bucket, Key=key, Body=path.read_bytes())
    return Trigger("upload", model, S3Object(stack.data_bucket, key, response.get("VersionId")))


def retrain(stack: Stack, model: str, dataset_uri: str | None = None) -> Trigger:
    """Start a manual run on a dataset (by default the newest upload for the model); returns its trigger."""
    dataset = S3Object.parse(dataset_uri) if dataset_uri else _newest_upload(stack, model)
    head = stack.store.client.head_object(Bucket=dataset.bucket, Key=dataset.key)
    trigger = Trigger("manual", model, S3Object(dataset.bucket, dataset.key, head.get("VersionId")),
                      uuid.uuid4().hex)
    event = {"trigger": "manual", "model": model, "dataset_uri": dataset.uri,
             "version_id": trigger.dataset.version_id, "request_id": trigger.event_id}
    stack.stepfunctions.start_execution(stateMachineArn=stack.state_machine_arn, name=f"manual-{trigger.event_id}",
                                        input=json.dumps(event))
    return trigger


def _newest_upload(stack: Stack, model: str) -> S3Object:
    pages = stack.store.client.get_paginator("list_objects_v2").paginate(
        Bucket=stack.data_bucket, Prefix=f"{INCOMING}{model}/")
    objects = [o for page in pages for o in page.get("Contents", []) if not o["Key"].endswith("/")]
    if not objects:
        raise NotFoundError(f"nothing uploaded under s3://{stack.data_bucket}/{INCOMING}{model}/")
    return S3Object(stack.data_bucket, max(objects, key=lambda o: o["LastModified"])["Key"])


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
        running = stack.stepfunctions.list_executions(stateMachineArn=stack.state_machine_arn,
                                                      statusFilter="RUNNING")["executions"]
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
    """Point an alias at a version; a version that does not exist is refused by the registry."""
    return stack.registry.move_alias(model, AliasMove(alias, version, _who(), reason or f"manual {alias} promotion"))


def rollback(stack: Stack, model: str, reason: str | None = None) -> int:
    """Move the champion back to the version it held before the current one was promoted."""
    target = stack.registry.rollback_target(model)
    stack.registry.move_alias(model, AliasMove(CHAMPION, target, _who(), reason or "rollback", action="rollback"))
    return target


def _who() -> str:
    return f"mlops-cli:{getpass.getuser()}"
