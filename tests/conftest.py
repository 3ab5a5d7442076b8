"""Fixtures shared by every test tier: sample events, the local cloud, a model it serves, sample data."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from localcloud.runtime import LocalCloud, free_port
from mlops_cli.samples import CHURN_CONTRACT

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"


def load_event(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


@pytest.fixture(scope="session")
def cloud():
    """One local runtime for the session: the real template deployed into moto, handlers in-process."""
    with LocalCloud(ROOT / "template.yaml", port=free_port()) as running:
        yield running


@pytest.fixture
def stack(cloud):
    from mlops_cli.stack import Stack

    return Stack.find(cloud.stack_name)


@pytest.fixture
def model_name() -> str:
    """A fresh model name, so tests sharing the local cloud never see each other's runs."""
    return f"m-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def churn_contract(model_name) -> dict:
    return {**CHURN_CONTRACT, "model": model_name}


@pytest.fixture(scope="session")
def served(cloud, tmp_path_factory):
    """A model with three versions: v1, v2 (champion) and v3 (registered, not promoted, never served)."""
    from mlops_core.contract import Contract

    from mlops_cli import operations
    from mlops_cli.samples import churn
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
