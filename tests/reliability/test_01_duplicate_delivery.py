"""Property 1: the same S3 object version delivered 5 times (EventBridge delivers at least once) makes 1 run."""

import json

import pytest
from mlops_core.contract import Contract

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, churn

pytestmark = pytest.mark.e2e
DELIVERIES = 5


def test_five_deliveries_of_one_object_version_make_one_run_and_count_four_duplicates(stack, tmp_path, model_name,
                                                                                       figure):
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model_name}))
    path = tmp_path / "data.csv"
    churn(1000, seed=1).to_csv(path, index=False)
    trigger = operations.upload(stack, path, model_name)
    run = operations.wait_for_run(stack, model_name, trigger.run_id, timeout=300)
    event = json.loads(stack.stepfunctions.describe_execution(executionArn=run["execution"])["input"])

    entries = [{"Source": event["source"], "DetailType": event["detail-type"], "Resources": event["resources"],
                "Detail": json.dumps(event["detail"])}] * (DELIVERIES - 1)
    assert not stack.events_client.put_events(Entries=entries)["FailedEntryCount"]
    operations.wait_for_newest(stack, model_name, timeout=120)

    runs = stack.runs.list(model_name)
    executions = stack.stepfunctions.list_executions(stateMachineArn=stack.state_machine_arn)["executions"]
    ours = [e for e in executions if json.loads(stack.stepfunctions.describe_execution(
        executionArn=e["executionArn"])["input"]).get("detail", {}).get("object", {}).get("key") == trigger.dataset.key]
    assert [r["run_id"] for r in runs] == [trigger.run_id] and runs[0]["duplicates"] == DELIVERIES - 1
    assert len(ours) == DELIVERIES and stack.registry.latest_version(model_name) == 1
    figure(1, f"{DELIVERIES} deliveries of one object version: {len(ours)} executions, 1 run, "
              f"{runs[0]['duplicates']} duplicates counted on it, 1 registered version")
