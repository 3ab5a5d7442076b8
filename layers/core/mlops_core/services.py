"""The adapters every step uses, built once per function from the environment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .config import Settings
from .registry import Registry
from .runs import RunStore
from .storage import ObjectStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: ObjectStore
    registry: Registry
    runs: RunStore

    @classmethod
    def from_env(cls) -> Services:
        """boto3 follows AWS_ENDPOINT_URL, so the same code runs on AWS, locally and in tests."""
        import boto3

        settings = Settings.from_env()
        dynamodb = boto3.client("dynamodb")
        return cls(settings, ObjectStore(boto3.client("s3")), Registry(dynamodb, settings.registry_table),
                   RunStore(dynamodb, settings.runs_table))

    @cached_property
    def cloudwatch(self):
        import boto3

        return boto3.client("cloudwatch")

    def run_step(self, step: str, event: dict[str, Any],
                 action: Callable[[dict[str, Any], Services], dict[str, Any]]) -> dict[str, Any]:
        """Run one pipeline step and record its outcome and timing on the run."""
        run = event["run"]
        with self.runs.step(run["model"], run["run_id"], step) as summary:
            result = action(event, self)
            summary.update(result)
        return result
