"""The end-to-end tier's shared helpers: the `mlops` CLI in another process, a model the inference URL serves."""

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
