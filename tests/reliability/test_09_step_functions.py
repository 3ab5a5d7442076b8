"""Property 9: every Task retries Lambda's service and throttling errors with backoff and has a timeout; transient
failures injected in Train recover; a permanent failure ends in the run record as failed, with its cause."""

import json
from pathlib import Path

import pytest
from mlops_core.contract import Contract

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, churn

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachines" / "pipeline.asl.json").read_text())
TRANSIENT = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
             "Lambda.TooManyRequestsException"}


def tasks(states: dict) -> dict:
    found = {}
    for name, state in states.items():
        if state["Type"] == "Task":
            found[name] = state
        if state["Type"] == "Map":
            found |= tasks(state["ItemProcessor"]["States"])
    return found


def test_every_task_retries_transient_lambda_errors_with_backoff_and_has_a_timeout(figure):
    found = tasks(ASL["States"])
    for name, state in found.items():
        [retry] = state["Retry"]
        assert set(retry["ErrorEquals"]) == TRANSIENT, name
        assert retry["BackoffRate"] > 1 and retry["MaxAttempts"] >= 2 and retry["JitterStrategy"] == "FULL", name
        assert 0 < state["TimeoutSeconds"] <= 900, name
    figure(9, f"{len(found)} Task states: each retries the 4 transient Lambda errors (2 s, backoff x2, full "
              "jitter, 3 attempts) and has a timeout <= 900 s; the execution times out at 3 h")


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
    cloud.host.inject_failures(function_name(stack, "TrainFunction"), 2, "Lambda.TooManyRequestsException")

    run = upload(stack, tmp_path, model_name)

    history = stack.stepfunctions.get_execution_history(executionArn=run["execution"], maxResults=1000)["events"]
    failed = [e for e in history if e["type"] == "LambdaFunctionFailed"]
    assert run["status"] == "SUCCEEDED" and run["version"] == 1
    assert [e["lambdaFunctionFailedEventDetails"]["error"] for e in failed] == ["Lambda.TooManyRequestsException"] * 2
    figure(9, "2 Lambda.TooManyRequestsException injected in Train: retried by the state machine, run SUCCEEDED, "
              "v1 registered")


@pytest.mark.e2e
def test_a_permanent_failure_ends_the_run_as_failed_with_its_cause(cloud, stack, tmp_path, model_name, figure):
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model_name}))
    cloud.host.inject_failures(function_name(stack, "ExportFunction"), 1, "OutOfMemoryError")

    run = upload(stack, tmp_path, model_name)

    assert (run["status"], run["error"], run["message"]) == ("FAILED", "OutOfMemoryError", "injected OutOfMemoryError")
    assert stack.registry.alias(model_name) is None
    figure(9, "a non-retryable error injected in Export: no retry, run FAILED with error OutOfMemoryError and its "
              "message on the run record, no champion")
