"""The run metadata store: one record per pipeline run, with every step's outcome and timing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter
from typing import Any

from mlops_core.aws.dynamo import from_item, is_conditional_failure, to_attribute, to_item
from mlops_core.aws.registry import now_iso

RUNNING, SUCCEEDED, FAILED, SUPPRESSED = "RUNNING", "SUCCEEDED", "FAILED", "SUPPRESSED"
# The per-model retraining lease lives beside the runs; its key sorts before every run id and is not a run.
LEASE = "#lease"
COOLDOWN = "COOLDOWN"


class RunStore:
    """Run records keyed by (model, run_id)."""

    def __init__(self, client, table: str) -> None:
        self.client, self.table = client, table

    def claim(self, record: dict[str, Any]) -> bool:
        """Create the run record; False (and the duplicate counted) when this run was already claimed."""
        return self._create_once({**record, "status": RUNNING, "started_at": now_iso(), "steps": {}, "duplicates": 0})

    def suppress(self, record: dict[str, Any]) -> bool:
        """Record a trigger that was dropped; False (and the duplicate counted) when it was recorded already."""
        when = now_iso()
        return self._create_once({**record, "status": SUPPRESSED, "started_at": when, "finished_at": when,
                                  "duplicates": 0})

    def count_duplicate(self, model: str, run_id: str) -> None:
        self._update(model, run_id, "ADD duplicates :one", {":one": 1})

    def _create_once(self, item: dict[str, Any]) -> bool:
        try:
            self.client.put_item(TableName=self.table, Item=to_item(item),
                                 ConditionExpression="attribute_not_exists(run_id)")
            return True
        except Exception as error:
            if not is_conditional_failure(error):
                raise
        self.count_duplicate(item["model"], item["run_id"])
        return False

    def acquire_lease(self, model: str, run_id: str, now: float, hold: float,
                      through_cooldown: bool) -> dict[str, Any] | None:
        """Make `run_id` the model's lease holder until now + hold, if the lease is free, expired or its own (or
        cooling down, when `through_cooldown`). Returns None when acquired, or the lease that blocked it."""
        item = {"model": model, "run_id": LEASE, "holder": run_id, "held_until": now + hold, "state": RUNNING}
        condition = "attribute_not_exists(run_id) OR held_until < :now OR holder = :run"
        values = {":now": now, ":run": run_id}
        if through_cooldown:
            condition, values = condition + " OR #state = :cooldown", values | {":cooldown": COOLDOWN}
        try:
            self.client.put_item(TableName=self.table, Item=to_item(item), ConditionExpression=condition,
                                 ExpressionAttributeValues={k: to_attribute(v) for k, v in values.items()},
                                 **({"ExpressionAttributeNames": {"#state": "state"}} if through_cooldown else {}))
            return None
        except Exception as error:
            if not is_conditional_failure(error):
                raise
        return self.get(model, LEASE)

    def release_lease(self, model: str, run_id: str, until: float) -> bool:
        """Start the cooldown (the lease now expires at `until`), if `run_id` still holds it."""
        try:
            self.client.update_item(
                TableName=self.table, Key=to_item({"model": model, "run_id": LEASE}),
                UpdateExpression="SET held_until = :until, #state = :cooldown",
                ConditionExpression="holder = :run", ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={k: to_attribute(v) for k, v in
                                           {":until": until, ":cooldown": COOLDOWN, ":run": run_id}.items()})
            return True
        except Exception as error:
            if not is_conditional_failure(error):
                raise
            return False

    def set_fields(self, model: str, run_id: str, fields: dict[str, Any]) -> None:
        assignments = ", ".join(f"#{k} = :{k}" for k in fields)
        self._update(model, run_id, f"SET {assignments}", {f":{k}": v for k, v in fields.items()},
                     {f"#{k}": k for k in fields})

    def record_step(self, model: str, run_id: str, step: str, outcome: dict[str, Any]) -> None:
        self._update(model, run_id, "SET steps.#step = :outcome", {":outcome": outcome}, {"#step": step})

    def finish(self, model: str, run_id: str, status: str, fields: dict[str, Any]) -> None:
        self.set_fields(model, run_id, {"status": status, "finished_at": now_iso(), **fields})

    def get(self, model: str, run_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table, Key=to_item({"model": model, "run_id": run_id}),
                                    ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def list(self, model: str | None = None) -> list[dict[str, Any]]:
        """Runs, newest first, for one model or all."""
        if model:
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table, KeyConditionExpression="model = :m",
                ExpressionAttributeValues={":m": {"S": model}}, ConsistentRead=True)
        else:
            pages = self.client.get_paginator("scan").paginate(TableName=self.table, ConsistentRead=True)
        runs = [from_item(item) for page in pages for item in page["Items"]]
        runs = [run for run in runs if run["run_id"] != LEASE]
        return sorted(runs, key=lambda run: run["started_at"], reverse=True)

    @contextmanager
    def step(self, model: str, run_id: str, step: str) -> Iterator[dict[str, Any]]:
        """Record a step's status, timing and summary; the caller fills the yielded dict with its summary."""
        summary: dict[str, Any] = {}
        started, started_at = perf_counter(), now_iso()
        try:
            yield summary
        except Exception as error:
            self.record_step(model, run_id, step, {
                "status": FAILED, "started_at": started_at, "seconds": round(perf_counter() - started, 3),
                "error": type(error).__name__, "message": str(error)[:2000]})
            raise
        self.record_step(model, run_id, step, {
            "status": SUCCEEDED, "started_at": started_at, "seconds": round(perf_counter() - started, 3),
            **summary})

    def _update(self, model: str, run_id: str, expression: str, values: dict[str, Any],
                names: dict[str, str] | None = None) -> None:
        self.client.update_item(
            TableName=self.table, Key=to_item({"model": model, "run_id": run_id}), UpdateExpression=expression,
            ExpressionAttributeValues={k: to_attribute(v) for k, v in values.items()},
            **({"ExpressionAttributeNames": names} if names else {}))


def run_prefix(run: dict[str, Any]) -> str:
    """Where a run's artifacts live in the artifact bucket."""
    return f"runs/{run['model']}/{run['run_id']}"
