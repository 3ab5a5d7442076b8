"""Step wiring: the adapters every pipeline step uses, built once per function, and each step's run record."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from aws_lambda_powertools import Logger

from mlops_core.aws.clients import client
from mlops_core.aws.cloudwatch_alarms import AlarmStore
from mlops_core.aws.objects import ObjectStore
from mlops_core.aws.registry import Registry
from mlops_core.aws.run_store import RunStore
from mlops_core.aws.trial_store import TrialStore
from mlops_core.config import Settings, require_env
from mlops_core.errors import MlopsError, ServiceError


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: ObjectStore
    registry: Registry
    runs: RunStore
    # The handler's logger (Powertools shares one per service): its lines carry the run id as correlation id.
    logger: Logger = field(default_factory=Logger)

    @classmethod
    def from_env(cls) -> Services:
        settings = Settings.from_env()
        dynamodb = client("dynamodb")
        return cls(settings, ObjectStore(client("s3")), Registry(dynamodb, settings.registry_table),
                   RunStore(dynamodb, settings.runs_table, settings.run_retention_days))

    @cached_property
    def trials(self) -> TrialStore:
        return TrialStore(client("dynamodb"), self.settings.trials_table or require_env("TRIALS_TABLE"))

    @cached_property
    def alarms(self) -> AlarmStore:
        return AlarmStore(client("cloudwatch"))

    def run_step(self, step: str, event: dict[str, Any],
                 action: Callable[[dict[str, Any], Services], dict[str, Any]]) -> dict[str, Any]:
        """Run one pipeline step and record its outcome and timing on the run."""
        run = event["run"]
        with self.reported(step), self.runs.step(run["model"], run["run_id"], step) as summary:
            result = action(event, self)
            summary.update(result)
        return result

    @contextmanager
    def reported(self, step: str) -> Iterator[None]:
        """Log a step's refusal (a domain error: data that breaks its contract, a rejected trigger) as one line with
        its reason, anything else with its traceback; the error then goes on to the state machine either way."""
        try:
            yield
        except Exception as error:
            fields = {"step": step, "error": type(error).__name__}
            if isinstance(error, MlopsError) and not isinstance(error, ServiceError):
                self.logger.warning("step refused", extra={**fields, "reason": str(error)})
            else:
                self.logger.exception("step failed", extra=fields)
            raise
