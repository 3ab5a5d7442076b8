"""Run history on moto's DynamoDB: read by model and start time, a page at a time; every record expires after the
retention unless a model version points to its run."""

from datetime import UTC, datetime

import boto3
import pytest
from mlops_core.aws.objects import S3Object
from mlops_core.aws.run_store import EXPIRES_AT, LEASE, PAGE, SUCCEEDED, RunStore
from mlops_core.config import Settings
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.steps.assemble import latest_valid_upload

DAY = 86400
START = 1_800_000_000.0  # 2027-01-15


class Reads:
    """A DynamoDB client whose calls are counted with the items each returned, paginators' calls included."""

    def __init__(self) -> None:
        self.client = boto3.client("dynamodb")
        self.calls: list[tuple[str, int]] = []
        self.client.meta.events.register("after-call.dynamodb.*", self._count)

    def _count(self, parsed, model, **_) -> None:
        self.calls.append((model.name, len(parsed.get("Items", []))))

    @property
    def items(self) -> int:
        return sum(items for _, items in self.calls)


@pytest.fixture
def reads() -> Reads:
    return Reads()


def store_at(stack, clock: list[float], client=None, retention: float | None = 90) -> RunStore:
    return RunStore(client or stack.runs.client, stack.outputs["RunsTableName"], retention, clock=lambda: clock[0])


def claim_runs(stack, model: str, count: int, **fields) -> list[str]:
    """`count` runs of `model`, one an hour from START; returns their ids, oldest first."""
    clock = [START]
    runs = store_at(stack, clock)
    ids = []
    for index in range(count):
        clock[0] = START + 3600 * index
        runs.claim({"model": model, "run_id": f"upload-{index:04d}", "trigger": "upload", **fields})
        ids.append(f"upload-{index:04d}")
    return ids


def test_a_models_runs_come_newest_first_and_the_first_few_cost_one_page(stack, model_name, reads):
    ids = claim_runs(stack, model_name, 3 * PAGE)
    runs = RunStore(reads.client, stack.outputs["RunsTableName"])

    newest = runs.list(model_name, limit=5)

    assert [run["run_id"] for run in newest] == ids[::-1][:5]
    assert reads.calls == [("Query", 5)]


def test_all_of_a_models_runs_are_read_page_by_page(stack, model_name, reads):
    ids = claim_runs(stack, model_name, 2 * PAGE + 3)
    runs = RunStore(reads.client, stack.outputs["RunsTableName"])

    everything = runs.list(model_name)

    assert [run["run_id"] for run in everything] == ids[::-1]
    assert [items for _, items in reads.calls] == [PAGE, PAGE, 3]


def test_runs_since_a_time_are_read_without_the_older_ones(stack, model_name, reads):
    ids = claim_runs(stack, model_name, 48)
    runs = RunStore(reads.client, stack.outputs["RunsTableName"])
    since = datetime.fromtimestamp(START + 3600 * 40, UTC).isoformat(timespec="milliseconds")

    recent = runs.list(model_name, since=since)

    assert [run["run_id"] for run in recent] == ids[40:][::-1]
    assert reads.items == 8


def test_the_latest_valid_upload_is_found_without_reading_older_runs(stack, model_name, reads):
    dataset = S3Object(stack.data_bucket, f"incoming/{model_name}/d.csv")
    dataset = S3Object(dataset.bucket, dataset.key, stack.store.put(dataset, b"a,b\n1,2\n"))
    validated = {"dataset": {"uri": dataset.uri, "version_id": dataset.version_id},
                 "steps": {"validate": {"status": SUCCEEDED}}}
    ids = claim_runs(stack, model_name, 4 * PAGE)
    runs = store_at(stack, [START])
    for run_id in ids:
        runs.set_fields(model_name, run_id, validated)
    settings = Settings(stack.data_bucket, stack.outputs["ArtifactBucketName"], stack.outputs["RegistryTableName"],
                        stack.outputs["RunsTableName"])
    services = Services(settings, stack.store, stack.registry, RunStore(reads.client, settings.runs_table))

    found, _ = latest_valid_upload(model_name, services)

    assert found == dataset
    assert reads.items <= PAGE < len(ids)


def test_a_record_expires_after_the_retention_and_a_kept_run_never(stack, model_name):
    clock = [START]
    runs = store_at(stack, clock, retention=30)
    runs.claim({"model": model_name, "run_id": "kept", "trigger": "upload"})
    runs.claim({"model": model_name, "run_id": "dropped", "trigger": "upload"})
    runs.suppress({"model": model_name, "run_id": "suppressed", "trigger": "alarm", "reason": "r"})
    runs.acquire_lease(model_name, "kept", START, 60, through_cooldown=True)

    runs.keep(model_name, "kept")

    expiry = {run_id: (runs.get(model_name, run_id) or {}).get(EXPIRES_AT)
              for run_id in ("kept", "dropped", "suppressed", LEASE)}
    assert expiry == {"kept": None, "dropped": START + 30 * DAY, "suppressed": START + 30 * DAY, LEASE: None}
