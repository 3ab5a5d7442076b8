"""The trial store: one record per trial of a run, keyed by the run and the trial's rung and id."""

from __future__ import annotations

import json
from typing import Any

from mlops_core.aws.dynamo import from_item, to_item
from mlops_core.errors import error_message

PAGE = 100
# A failure's message as a trial record shows it: its first part says what failed.
MESSAGE_CHARS = 500


def run_key(model: str, run_id: str) -> str:
    return f"{model}/{run_id}"


def trial_key(rung: int, trial_id: str) -> str:
    return f"rung-{rung}/{trial_id}"


class TrialStore:
    """Trial records in a DynamoDB table (partition `run`, sort `trial`); parameters are kept as JSON text, exact."""

    def __init__(self, client, table: str) -> None:
        self.client, self.table = client, table

    def put(self, record: dict[str, Any]) -> None:
        """Write a trial's outcome (a retried trial overwrites its own record)."""
        item = {**record, "run": run_key(record["model"], record["run_id"]),
                "trial": trial_key(record["rung"], record["trial_id"])}
        item["params_json"] = json.dumps(item.pop("params"), sort_keys=True)
        self.client.put_item(TableName=self.table, Item=to_item(item))

    def update(self, model: str, run_id: str, rung: int, trial_id: str, fields: dict[str, Any]) -> None:
        self.client.update_item(
            TableName=self.table, Key=to_item({"run": run_key(model, run_id), "trial": trial_key(rung, trial_id)}),
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
            ExpressionAttributeNames={f"#{k}": k for k in fields},
            ExpressionAttributeValues=to_item({f":{k}": v for k, v in fields.items()}))

    def list(self, model: str, run_id: str, rung: int | None = None) -> list[dict[str, Any]]:
        """A run's trials (one rung's, when given), in rung and trial-id order."""
        condition, values = "#run = :run", {":run": run_key(model, run_id)}
        if rung is not None:
            condition, values = condition + " AND begins_with(#trial, :rung)", values | {":rung": f"rung-{rung}/"}
        names = {"#run": "run"} | ({"#trial": "trial"} if rung is not None else {})
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table, KeyConditionExpression=condition, ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item(values), ConsistentRead=True, PaginationConfig={"PageSize": PAGE})
        return [_trial(from_item(item)) for page in pages for item in page["Items"]]


def _trial(record: dict[str, Any]) -> dict[str, Any]:
    record["params"] = json.loads(record.pop("params_json", "{}"))
    record["rung"] = int(record["rung"])
    if "caught" in record:  # the state machine's record of a lost trial: the error object it caught, as JSON
        caught = json.loads(record.pop("caught"))
        record["message"] = error_message(caught.get("Cause") or caught.get("Error", ""))[:MESSAGE_CHARS]
    return record
