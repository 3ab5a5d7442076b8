"""Property 9: every Task retries Lambda's service and throttling errors with backoff and has a timeout; transient
failures injected in Train recover; a permanent failure ends in the run record as failed, with its cause."""

import json
from pathlib import Path

import pytest
from mlops_core.contract import Contract

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, churn
from tests.unit.test_state_machine import function_timeouts

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachines" / "pipeline.asl.json").read_text())
TRANSIENT = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
             "Lambda.TooManyRequestsException"}


def tasks(states: dict) -> dict:
    """The Tasks that invoke the stack's functions (the map's `Record lost trial` writes to DynamoDB itself)."""
    found = {}
    for name, state in states.items():
        if state["Type"] == "Task" and state["Resource"].startswith("${"):
            found[name] = state
        if state["Type"] == "Map":
            found |= tasks(state["ItemProcessor"]["States"])
    return found


def test_every_task_retries_transient_lambda_errors_with_backoff_and_has_its_functions_timeout(figure):
    found = tasks(ASL["States"])
    timeouts = function_timeouts()
    policies = set()
    for name, state in found.items():
        [retry] = state["Retry"]
        assert set(retry["ErrorEquals"]) == TRANSIENT, name
        policies.add((retry["IntervalSeconds"], retry["BackoffRate"], retry["MaxAttempts"], retry["JitterStrategy"]))
        assert state["TimeoutSeconds"] == timeouts[name], name
    [(interval, backoff, retries, jitter)] = policies  # one retry policy for every Task
    assert interval >= 1 and backoff > 1 and retries >= 2 and jitter == "FULL"
    assert 0 < ASL["TimeoutSeconds"] <= 24 * 3600
    figure(9, f"{len(found)} Task states: each retries the {len(TRANSIENT)} transient Lambda errors (after "
              f"{interval} s, backoff x{backoff:g}, {jitter.lower()} jitter, up to {retries} retries) and times out "
              f"with its function ({min(timeouts.values())}-{max(timeouts.values())} s); the execution times out at "
              f"{ASL['TimeoutSeconds'] / 3600:g} h")


def upload(stack, tmp_path, model):
    path = tmp_path / "data.csv"
    churn(1000, seed=1).to_csv(path, index=False)
    trigger = operations.upload(stack, path, model)
    return operations.wait_for_run(stack, model, trigger.run_id, timeout=300)


def function_name(stack, logical_id: str) -> str:
    import boto3

    listed = boto3.client("cloudformation").describe_stack_resources(StackName=stack.name)["StackResources"]
    return next(r["PhysicalResourceId"] for r in listed if r.get("LogicalResourceId") == logical_id)


@pytest.mark.e2e
def test_two_transient_failures_injected_in_train_are_retried_and_the_run_succeeds(cloud, stack, tmp_path,
                                                                                    model_name, figure):
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model_name}))
    train = function_name(stack, "TrainFunction")
    cloud.host.inject_failures(train, 2, "Lambda.TooManyRequestsException")

    run = upload(stack, tmp_path, model_name)

    # The trials run in the Distributed Map's child executions: an unretried failure would be a FAILED trial.
    trials = stack.trials.list(model_name, run["run_id"])
    assert run["status"] == "SUCCEEDED" and run["version"] == 1
    assert cloud.host.pending_failures(train) == 0
    assert [t["status"] for t in trials] == ["SUCCEEDED"] * 3
    figure(9, "2 Lambda.TooManyRequestsException injected in Train: both raised and retried by the map's Task, every "
              "trial SUCCEEDED, run SUCCEEDED, v1 registered")


@pytest.mark.e2e
def test_a_permanent_failure_ends_the_run_as_failed_with_its_cause(cloud, stack, tmp_path, model_name, figure):
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model_name}))
    cloud.host.inject_failures(function_name(stack, "ExportFunction"), 1, "OutOfMemoryError")

    run = upload(stack, tmp_path, model_name)

    history = stack.stepfunctions.get_execution_history(executionArn=run["execution"], maxResults=1000)["events"]
    export_calls = [e for e in history if e["type"] == "LambdaFunctionScheduled" and "ExportFunction"
                    in e["lambdaFunctionScheduledEventDetails"]["resource"]]
    assert (run["status"], run["error"], run["message"]) == ("FAILED", "OutOfMemoryError", "injected OutOfMemoryError")
    assert len(export_calls) == 1 and stack.registry.alias(model_name) is None
    figure(9, f"a non-retryable error injected in Export: {len(export_calls)} call (no retry), run FAILED with error "
              "OutOfMemoryError and its message on the run record, no champion")
