"""Property 13: only a trigger that names no model and dataset is a rejection, and it leaves a record `mlops runs`
shows (what key, why); any other failure of Begin is recorded on its run (FAILED, error, message) and releases the
model's lease, so `--wait` ends and the next upload of the model runs."""

import json
import time

import pytest
from botocore.exceptions import ClientError
from mlops_core.aws.run_store import LEASE, RunStore
from mlops_core.contract import Contract
from mlops_core.pipeline.run_lifecycle import LEASE_SECONDS

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, churn
from tests.e2e.conftest import mlops

pytestmark = pytest.mark.e2e


def states_entered(stack, execution_arn: str) -> list[str]:
    history = stack.stepfunctions.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]


@pytest.fixture
def lease_response_lost(monkeypatch, model_name):
    """For this test's model only: the lease write lands in DynamoDB, then Begin sees an error (a lost response)."""
    acquire = RunStore.acquire_lease

    def landed_then_lost(self, model, *args, **kwargs):
        blocking = acquire(self, model, *args, **kwargs)
        if model == model_name:
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "response lost"}}, "PutItem")
        return blocking

    monkeypatch.setattr(RunStore, "acquire_lease", landed_then_lost)
    return monkeypatch


def test_a_failure_in_begin_after_the_claim_fails_the_run_releases_the_lease_and_the_next_upload_runs(
        stack, tmp_path, model_name, lease_response_lost, figure):
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model_name}))
    data = tmp_path / "data.csv"
    churn(600, seed=1).to_csv(data, index=False)

    failed = operations.wait_for_run(stack, model_name, operations.upload(stack, data, model_name).run_id, 60)
    lease = stack.runs.get(model_name, LEASE)
    waited = mlops("runs", "--model", model_name, "--wait", "--timeout", "60")
    lease_response_lost.undo()
    churn(600, seed=2).to_csv(data, index=False)
    after = operations.wait_for_run(stack, model_name, operations.upload(stack, data, model_name).run_id, 300)

    assert (failed["status"], failed["error"]) == ("FAILED", "ClientError") and "response lost" in failed["message"]
    assert states_entered(stack, failed["execution"])[-3:] == ["Record failed begin", "Trigger rejected?",
                                                               "Run failed"]
    assert lease["holder"] == failed["run_id"] and lease["held_until"] <= time.time()
    assert waited.returncode == 1 and "FAILED" in waited.stdout
    assert (after["status"], after.get("queued_behind"), after["version"]) == ("SUCCEEDED", None, 1)
    figure(13, f"a DynamoDB error in Begin after the claim (the lease written, the response lost): run "
               f"{failed['status']} with error {failed['error']} and its message, the lease released (not held "
               f"{LEASE_SECONDS // 3600} h), `runs --wait` exit {waited.returncode}, the next upload "
               f"{after['status']} as v{after['version']} without queueing")


def test_an_upload_naming_no_valid_model_leaves_a_rejected_record_that_mlops_runs_shows(stack, model_name, figure):
    key = f"incoming/{model_name.upper()}/data.csv"
    stack.store.client.put_object(Bucket=stack.data_bucket, Key=key, Body=b"a,b\n1,2\n")

    waited = mlops("runs", "--wait", "--json", "--timeout", "120")
    listed = mlops("runs", "--json", "--limit", "5")

    [newest] = json.loads(waited.stdout)
    shown = [run for run in json.loads(listed.stdout) if run.get("key") == key]
    assert waited.returncode == 1, waited.stderr
    assert (newest["status"], newest["key"], newest["trigger"]) == ("REJECTED", key, "upload")
    assert f"the model folder: '{model_name.upper()}' is not a valid name" in newest["reason"]
    assert [run["run_id"] for run in shown] == [newest["run_id"]]
    figure(13, f"an upload whose model folder is in capitals: a {newest['status']} record with its key and reason, "
               f"listed by `mlops runs`; `mlops runs --wait` ends on it with exit {waited.returncode}")
