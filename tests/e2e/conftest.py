"""The end-to-end tier's shared helpers: the `mlops` CLI in another process, a model the inference URL serves."""

import json
import subprocess
import sys

import pytest
from mlops_core.contract import Contract

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, CHURN_RECORD, churn

RECORD = CHURN_RECORD


def mlops(*args: str) -> subprocess.CompletedProcess:
    """The operator CLI, run as a user runs it: another process, finding the stack through AWS_ENDPOINT_URL."""
    return subprocess.run([sys.executable, "-m", "mlops_cli.main", *args], capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="session")
def served(cloud, tmp_path_factory):
    """A model with three versions: v1, v2 (champion) and v3 (registered, not promoted, never served)."""
    from mlops_cli.stack import Stack

    stack, tmp_path = Stack.find(cloud.stack_name), tmp_path_factory.mktemp("served")
    model = "served"
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model}))
    for name, frame in [("first", churn(2000, seed=1, noise=0.15)),
                        ("better", churn(6000, seed=2, noise=0.05, calls_weight=0.9)),
                        ("worse", churn(400, seed=4, noise=0.25, calls_weight=0.9))]:
        path = tmp_path / f"{name}.csv"
        frame.to_csv(path, index=False)
        trigger = operations.upload(stack, path, model)
        run = operations.wait_for_run(stack, model, trigger.run_id, timeout=300)
        assert run["status"] == "SUCCEEDED", run
    assert stack.registry.alias(model)["version"] == 2
    return stack, model, stack.outputs["InferenceUrl"]


def differing_keys(sample, real, path="$"):
    """Paths where two JSON documents have different keys; values that are null or free-form are not compared."""
    if isinstance(sample, list) and isinstance(real, list) and sample and real:
        return differing_keys(sample[0], real[0], f"{path}[0]")
    if not (isinstance(sample, dict) and isinstance(real, dict)) or path.endswith(".params"):
        return []
    found = [f"{path}.{key}" for key in set(sample) ^ set(real)]
    for key in set(sample) & set(real):
        found += differing_keys(sample[key], real[key], f"{path}.{key}")
    return found


def execution_inputs(stack, execution_arn: str) -> dict[str, dict]:
    """Each task state's first Lambda input in an execution, by state name."""
    history = stack.stepfunctions.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    inputs, state = {}, None
    for event in history:
        if event["type"] == "TaskStateEntered":
            state = event["stateEnteredEventDetails"]["name"]
        if event["type"] == "LambdaFunctionScheduled":
            inputs.setdefault(state, json.loads(event["lambdaFunctionScheduledEventDetails"]["input"]))
    return inputs
