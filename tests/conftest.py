"""Fixtures shared by every test tier: sample events, a Lambda context, the local cloud, sample data."""

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
