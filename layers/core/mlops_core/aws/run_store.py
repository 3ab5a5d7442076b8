"""The run metadata store: one record per pipeline run, with every step's outcome and timing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from time import perf_counter
from typing import Any

from mlops_core.aws.dynamo import from_item, is_conditional_failure, to_attribute, to_item

RUNNING, SUCCEEDED, FAILED, SUPPRESSED, REJECTED = "RUNNING", "SUCCEEDED", "FAILED", "SUPPRESSED", "REJECTED"
# The per-model retraining lease lives beside the runs; its key sorts before every run id and is not a run.
LEASE = "#lease"
COOLDOWN = "COOLDOWN"
# The table's index of each model's runs by start time (the template defines it); the lease has no start, so it is
# not in it.
BY_MODEL_STARTED = "model-started"
# DynamoDB deletes a record once this time (epoch seconds) has passed; a run a model version points to has none.
EXPIRES_AT = "expires_at"
PAGE = 25


class RunStore:
    """Run records keyed by (model, run_id), read by model and start time, each kept `retention_days` (None: no
    expiry, for readers that create no records) unless a registered version points to it."""

    def __init__(self, client, table: str, retention_days: float | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.client, self.table, self.retention_days, self.clock = client, table, retention_days, clock

    def claim(self, record: dict[str, Any]) -> bool:
        """Create the run record; False (and the duplicate counted) when this run was already claimed."""
        return self._create_once({**record, "status": RUNNING, "steps": {}, **self._new()})

    def suppress(self, record: dict[str, Any]) -> bool:
        """Record a trigger that was dropped; False (and the duplicate counted) when it was recorded already."""
        new = self._new()
        return self._create_once({**record, "status": SUPPRESSED, "finished_at": new["started_at"], **new})

    def reject(self, record: dict[str, Any]) -> bool:
        """Record a trigger that named no model and dataset (what it was, and why); False when recorded already."""
        new = self._new()
        return self._create_once({**record, "status": REJECTED, "finished_at": new["started_at"], **new})

    def fail(self, record: dict[str, Any], failure: dict[str, Any]) -> bool:
        """Mark the run of `record["execution"]` FAILED with `failure`, creating it when the execution failed
        before claiming it; False (nothing written) when the run is another execution's."""
        fields = {"status": FAILED, "finished_at": self._iso(), **failure}
        names = {f"#{k}": k for k in fields} | {"#execution": "execution"}
        values = {f":{k}": v for k, v in fields.items()} | {":execution": record["execution"]}
        try:
            self.client.update_item(
                TableName=self.table, Key=to_item({"model": record["model"], "run_id": record["run_id"]}),
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
                ConditionExpression="#execution = :execution",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={k: to_attribute(v) for k, v in values.items()})
            return True
        except Exception as error:
            if not is_conditional_failure(error):
                raise
        try:
            self.client.put_item(TableName=self.table, Item=to_item({
                **record, "steps": {}, "duplicates": 0, **self._new(), **fields}),
                ConditionExpression="attribute_not_exists(run_id)")
            return True
        except Exception as error:
            if not is_conditional_failure(error):
                raise
        return False

    def keep(self, model: str, run_id: str) -> None:
        """Never expire this run: a model version is about to point to it."""
        self._update(model, run_id, f"REMOVE {EXPIRES_AT}", {})

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
        self.set_fields(model, run_id, {"status": status, "finished_at": self._iso(), **fields})

    def get(self, model: str, run_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table, Key=to_item({"model": model, "run_id": run_id}),
                                    ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def history(self, model: str, since: str | None = None, page: int = PAGE,
                fields: Sequence[str] = ()) -> Iterator[dict[str, Any]]:
        """A model's runs newest first (started at `since`, an ISO time, or later), read a page at a time as the
        caller goes on: stopping early reads no further page. `fields`: only these attributes (dotted paths into
        maps, like "steps.evaluate.score"), for a list that shows a few of them."""
        condition, values = "model = :m", {":m": model}
        if since is not None:
            condition, values = condition + " AND started_at >= :since", values | {":since": since}
        request = {"TableName": self.table, "IndexName": BY_MODEL_STARTED, "KeyConditionExpression": condition,
                   "ExpressionAttributeValues": {k: to_attribute(v) for k, v in values.items()},
                   "ScanIndexForward": False, "Limit": page, **_projection(fields)}
        while True:
            response = self.client.query(**request)
            yield from (from_item(item) for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def list(self, model: str, limit: int | None = None, since: str | None = None) -> list[dict[str, Any]]:
        """A model's runs, newest first: the `limit` newest, or all started at `since` or later."""
        return list(islice(self.history(model, since, min(limit or PAGE, PAGE)), limit))

    def newest(self, model: str) -> dict[str, Any] | None:
        """The model's latest run as it is now (the index is eventually consistent; the record is read again)."""
        latest = next(self.history(model, page=1), None)
        return None if latest is None else self.get(model, latest["run_id"])

    @contextmanager
    def step(self, model: str, run_id: str, step: str) -> Iterator[dict[str, Any]]:
        """Record a step's status, timing and summary; the caller fills the yielded dict with its summary."""
        summary: dict[str, Any] = {}
        started, started_at = perf_counter(), self._iso()
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

    def _new(self) -> dict[str, Any]:
        """The fields of a new record: its start, no duplicates yet, and when it expires."""
        now = self.clock()
        expiry = {} if self.retention_days is None else {EXPIRES_AT: int(now + self.retention_days * 86400)}
        return {"started_at": self._iso(now), "duplicates": 0, **expiry}

    def _iso(self, when: float | None = None) -> str:
        return datetime.fromtimestamp(self.clock() if when is None else when, UTC).isoformat(timespec="milliseconds")

    def _update(self, model: str, run_id: str, expression: str, values: dict[str, Any],
                names: dict[str, str] | None = None) -> None:
        self.client.update_item(
            TableName=self.table, Key=to_item({"model": model, "run_id": run_id}), UpdateExpression=expression,
            **({"ExpressionAttributeValues": {k: to_attribute(v) for k, v in values.items()}} if values else {}),
            **({"ExpressionAttributeNames": names} if names else {}))


def _projection(fields: Sequence[str]) -> dict[str, Any]:
    """The request arguments that read only `fields`; every name goes through a placeholder (`model` is reserved)."""
    if not fields:
        return {}
    names = sorted({part for field in fields for part in field.split(".")})
    placeholders = {name: f"#p{index}" for index, name in enumerate(names)}
    return {"ProjectionExpression": ", ".join(".".join(placeholders[part] for part in field.split("."))
                                              for field in fields),
            "ExpressionAttributeNames": {placeholder: name for name, placeholder in placeholders.items()}}


def run_prefix(run: dict[str, Any]) -> str:
    """Where a run's artifacts live in the artifact bucket."""
    return f"runs/{run['model']}/{run['run_id']}"
