"""The runs page's reads (`mlops_cli.ui.run_rows`) on the local runtime's DynamoDB: each ended run is read once; later
requests read the runs started since, and those still going; none when no pipeline execution started or ended.

The newest execution is told to the reader here (`executions`), as Step Functions would list it: runs are written
directly through the run store, without starting the pipeline."""

import boto3
import pytest
from mlops_core.aws.run_store import RUNNING, SUCCEEDED, RunStore

from mlops_cli.ui.run_rows import RunRows
from mlops_cli.ui.views import RUN_ROW_FIELDS

START = 1_800_000_000.0


@pytest.fixture
def clock() -> list[float]:
    return [START]


@pytest.fixture
def writer(stack, clock) -> RunStore:
    return RunStore(stack.runs.client, stack.outputs["RunsTableName"], 90, clock=lambda: clock[0])


@pytest.fixture
def executions() -> list[dict | None]:
    """The newest execution the reader is told of; a test sets it as Step Functions would list it."""
    return [{"executionArn": "arn:first", "status": "SUCCEEDED"}]


@pytest.fixture
def reads(stack, executions):
    """The rows' reader on a client whose calls are counted with the items each returned."""
    client, calls = boto3.client("dynamodb"), []
    client.meta.events.register("after-call.dynamodb.*", lambda parsed, model, **_: calls.append(
        (model.name, len(parsed.get("Items", [])) if "Items" in parsed else int("Item" in parsed))))
    store = RunStore(client, stack.outputs["RunsTableName"])
    return RunRows(store, RUN_ROW_FIELDS, lambda: executions[0], page=10), calls


def start_runs(writer: RunStore, clock: list[float], model: str, first: int, count: int) -> list[str]:
    ids = []
    for index in range(first, first + count):
        clock[0] = START + 60 * index
        writer.claim({"model": model, "run_id": f"run-{index:03d}", "trigger": "upload"})
        ids.append(f"run-{index:03d}")
    return ids


def test_the_newest_runs_come_newest_first_with_only_the_fields_the_page_shows(writer, clock, reads, model_name):
    ids = start_runs(writer, clock, model_name, 0, 12)
    rows, _ = reads

    newest = rows.newest(model_name, 5)

    assert [run["run_id"] for run in newest] == ids[::-1][:5]
    assert "steps" not in newest[0] and {"run_id", "status", "started_at"} <= newest[0].keys()


def test_a_second_request_reads_only_the_runs_started_since_and_those_still_going(writer, clock, reads, model_name,
                                                                                   executions):
    ids = start_runs(writer, clock, model_name, 0, 12)
    for run_id in ids[:-1]:
        writer.finish(model_name, run_id, SUCCEEDED, {})
    rows, calls = reads
    rows.newest(model_name, 20)
    calls.clear()

    ids += start_runs(writer, clock, model_name, 12, 2)
    executions[0] = {"executionArn": "arn:second", "status": "RUNNING"}
    newest = rows.newest(model_name, 20)

    assert [run["run_id"] for run in newest] == ids[::-1]
    assert calls == [("Query", 3)]  # the newest known (still going) and the two new ones, nothing older


def test_a_run_that_ended_since_the_last_request_shows_how_it_ended(writer, clock, reads, model_name):
    ids = start_runs(writer, clock, model_name, 0, 3)
    rows, calls = reads
    assert {run["status"] for run in rows.newest(model_name, 10)} == {RUNNING}

    writer.finish(model_name, ids[0], SUCCEEDED, {"version": 1, "promoted": True})
    calls.clear()
    oldest = rows.newest(model_name, 10)[-1]

    assert (oldest["run_id"], oldest["status"], oldest["version"]) == (ids[0], SUCCEEDED, 1)
    assert calls.count(("GetItem", 1)) == 2  # the two still going that the query since the newest did not return


def test_when_no_execution_started_or_ended_and_no_run_is_going_nothing_is_read_again(writer, clock, reads,
                                                                                       model_name):
    ids = start_runs(writer, clock, model_name, 0, 4)
    for run_id in ids:
        writer.finish(model_name, run_id, SUCCEEDED, {})
    rows, calls = reads
    first = rows.newest(model_name, 10)
    calls.clear()

    again = rows.newest(model_name, 10)

    assert again == first and calls == []


def test_asking_for_more_runs_than_were_read_reads_them(writer, clock, reads, model_name):
    ids = start_runs(writer, clock, model_name, 0, 15)
    rows, _ = reads
    rows.newest(model_name, 5)

    assert [run["run_id"] for run in rows.newest(model_name, 12)] == ids[::-1][:12]
