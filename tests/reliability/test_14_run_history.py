"""Property 14: run history is read by model and start time, a page at a time (no scan, not every run a model ever
had), and every record expires RunRetentionDays after it started, unless a registered version points to its run."""

import time
from datetime import datetime
from pathlib import Path

import boto3
import pytest
from mlops_core.aws.run_store import BY_MODEL_STARTED, EXPIRES_AT, PAGE, RunStore
from mlops_core.config import Settings
from mlops_core.contract import Contract
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.steps.assemble import latest_valid_upload

from localcloud.template import load_template
from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, churn
from mlops_cli.stack import Stack

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(ROOT / "template.yaml")
RETENTION_DAYS = TEMPLATE["Parameters"]["RunRetentionDays"]["Default"]
OLD_RUNS = 4 * PAGE
DAY = 86400


class Reads:
    """Every DynamoDB call a client makes (paginators' included), with the items each returned."""

    def __init__(self) -> None:
        self.client = boto3.client("dynamodb")
        self.calls: list[tuple[str, int]] = []
        self.client.meta.events.register("after-call.dynamodb.*", lambda parsed, model, **_: self.calls.append(
            (model.name, len(parsed.get("Items", [])))))

    @property
    def items(self) -> int:
        return sum(items for _, items in self.calls)


def reading_stack(stack: Stack, reads: Reads) -> Stack:
    """The same stack, its run store reading through `reads`."""
    counted = Stack(stack.name, stack.outputs)
    counted.__dict__["runs"] = RunStore(reads.client, stack.outputs["RunsTableName"])
    return counted


def expire(stack, model: str, now: float) -> int:
    """What DynamoDB's TTL does to the model's records once `now` has passed their expires_at; returns how many."""
    table = stack.outputs["RunsTableName"]
    items = stack.runs.client.query(TableName=table, KeyConditionExpression="model = :m",
                                    ExpressionAttributeValues={":m": {"S": model}})["Items"]
    expired = [item for item in items if EXPIRES_AT in item and float(item[EXPIRES_AT]["N"]) < now]
    for item in expired:
        stack.runs.client.delete_item(TableName=table, Key={"model": item["model"], "run_id": item["run_id"]})
    return len(expired)


def test_the_template_indexes_runs_by_model_and_start_and_expires_them_after_the_retention(figure):
    table = TEMPLATE["Resources"]["RunsTable"]["Properties"]
    [index] = table["GlobalSecondaryIndexes"]
    environment = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]

    assert (index["IndexName"], [k["AttributeName"] for k in index["KeySchema"]]) == (
        BY_MODEL_STARTED, ["model", "started_at"])
    assert table["TimeToLiveSpecification"] == {"AttributeName": EXPIRES_AT, "Enabled": True}
    assert environment["RUN_RETENTION_DAYS"] == {"Ref": "RunRetentionDays"} and RETENTION_DAYS >= 1
    figure(14, f"the runs table: index {index['IndexName']} (model, started_at), TTL on {EXPIRES_AT}, "
               f"RunRetentionDays {RETENTION_DAYS} by default")


@pytest.mark.e2e
def test_waiting_and_retraining_read_a_page_and_expiry_keeps_only_the_run_a_version_points_to(
        stack, tmp_path, model_name, figure):
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model_name}))
    now = time.time()
    old = RunStore(stack.runs.client, stack.outputs["RunsTableName"], RETENTION_DAYS,
                   clock=lambda: now - 2 * RETENTION_DAYS * DAY)
    for index in range(OLD_RUNS):
        old.claim({"model": model_name, "run_id": f"upload-old-{index:03d}", "trigger": "upload"})
    data = tmp_path / "data.csv"
    churn(600, seed=1).to_csv(data, index=False)
    registered = operations.wait_for_run(stack, model_name, operations.upload(stack, data, model_name).run_id, 300)
    churn(10, seed=2).to_csv(data, index=False)
    failed = operations.wait_for_run(stack, model_name, operations.upload(stack, data, model_name).run_id, 300)

    wait_reads, retrain_reads = Reads(), Reads()
    newest = operations.wait_for_newest(reading_stack(stack, wait_reads), model_name, timeout=60)
    settings = Settings(stack.data_bucket, stack.outputs["ArtifactBucketName"], stack.outputs["RegistryTableName"],
                        stack.outputs["RunsTableName"])
    services = Services(settings, stack.store, stack.registry, RunStore(retrain_reads.client, settings.runs_table))
    base, _ = latest_valid_upload(model_name, services)
    started = datetime.fromisoformat(failed["started_at"]).timestamp()
    expired = expire(stack, model_name, now + RETENTION_DAYS * DAY + DAY)
    version = stack.registry.get_version(model_name, 1)

    assert (registered["status"], failed["status"], newest["run_id"]) == ("SUCCEEDED", "FAILED", failed["run_id"])
    assert {name for name, _ in wait_reads.calls + retrain_reads.calls} <= {"Query", "GetItem"}
    assert wait_reads.items <= 2 and retrain_reads.items <= PAGE < OLD_RUNS + 2
    assert base.uri == registered["dataset"]["uri"]
    assert EXPIRES_AT not in registered and failed[EXPIRES_AT] - started == pytest.approx(RETENTION_DAYS * DAY, abs=1)
    assert expired == OLD_RUNS + 1
    assert [run["run_id"] for run in stack.runs.list(model_name)] == [version["run_id"]] == [registered["run_id"]]
    figure(14, f"{OLD_RUNS + 2} runs of a model: `runs --wait` read {wait_reads.items} records, the latest valid "
               f"upload {retrain_reads.items} (one page), 0 scans; after {RETENTION_DAYS} days the TTL removes "
               f"{expired} and keeps the 1 run registered v{version['version']} points to")

