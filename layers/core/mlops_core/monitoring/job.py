"""The monitor function's job: one pass per model with a champion, and scheduled retraining when it is due."""

from __future__ import annotations

import math
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from mlops_core.aws.clients import client
from mlops_core.aws.cloudwatch_alarms import AlarmStore
from mlops_core.aws.executions import PipelineStarter
from mlops_core.aws.monitor_store import MonitorStore
from mlops_core.aws.objects import ObjectStore
from mlops_core.aws.registry import Registry
from mlops_core.aws.run_store import SUPPRESSED, RunStore
from mlops_core.config import require_env
from mlops_core.contract import check_name
from mlops_core.errors import InvalidNameError
from mlops_core.monitoring.alarms import AlarmSettings, alarm_states
from mlops_core.monitoring.monitor_pass import Monitor, MonitorSettings, PassResult


def scheduled_trigger(result: PassResult, runs: list[dict[str, Any]], now: datetime) -> dict[str, Any] | None:
    """The schedule trigger for this model if retraining is due: no run started within `retrain_every_hours`."""
    if result.retrain_every_hours is None:
        return None
    every = timedelta(hours=result.retrain_every_hours)
    started = [datetime.fromisoformat(run["started_at"]) for run in runs if run["status"] != SUPPRESSED]
    if started and now - max(started) < every:
        return None
    period = math.floor(now.timestamp() / every.total_seconds())
    return {"trigger": "schedule", "model": result.model, "period": f"every-{result.retrain_every_hours:g}h-{period}"}


@dataclass(frozen=True)
class FailedPass:
    """A model whose pass raised, and what the pass had done by then (its window may be recorded already)."""

    model: str
    error: str
    message: str
    trace: str = ""
    result: PassResult | None = None

    @classmethod
    def of(cls, model: str, error: Exception, result: PassResult | None) -> FailedPass:
        return cls(model, type(error).__name__, str(error)[:2000], "".join(traceback.format_exception(error)), result)

    @property
    def retried(self) -> bool:
        """Whether the next pass looks at this window again: it does unless this one recorded it."""
        return self.result is None or not self.result.recorded

    def to_dict(self) -> dict[str, Any]:
        done = self.result.to_dict() if self.result is not None else {"model": self.model, "notes": []}
        then = "the next pass retries its window" if self.retried else "its window was recorded"
        return {**done, "failed": True, "error": self.error, "message": self.message,
                "notes": [*done["notes"], f"monitor pass failed ({self.error}: {self.message}); {then}"]}


@dataclass
class MonitorJob:
    """Runs the monitor over the given models (default: all registered) and starts the due scheduled runs."""

    monitor: Monitor
    registry: Registry
    runs: RunStore
    pipeline: PipelineStarter
    alarms: AlarmStore
    alarm_settings: AlarmSettings
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    @classmethod
    def from_env(cls) -> MonitorJob:
        dynamodb = client("dynamodb")
        registry = Registry(dynamodb, require_env("REGISTRY_TABLE"))
        settings = MonitorSettings(
            capture_bucket=require_env("CAPTURE_BUCKET"),
            settle=timedelta(seconds=float(os.environ.get("MONITOR_SETTLE_SECONDS", "60"))),
            feedback_lookback=timedelta(hours=float(os.environ.get("FEEDBACK_LOOKBACK_HOURS", "24"))))
        passes = MonitorStore(dynamodb, require_env("MONITOR_TABLE"))
        monitor = Monitor(registry, ObjectStore(client("s3")), passes, settings)
        return cls(monitor, registry, RunStore(dynamodb, require_env("RUNS_TABLE")),
                   PipelineStarter(client("stepfunctions"), require_env("STATE_MACHINE_ARN")),
                   AlarmStore(client("cloudwatch")), AlarmSettings.from_env())

    def run(self, models: list[str] | None = None) -> list[PassResult | FailedPass]:
        """One pass per model; a model whose pass fails is reported as such and the others are still monitored.

        The models asked for must all be valid names (they become keys and metric dimensions).
        """
        if models is not None and not isinstance(models, list):
            raise InvalidNameError(f"models: a list of model names, not {type(models).__name__}")
        for index, model in enumerate(models or []):
            check_name(model, f"models[{index}]")
        outcomes: list[PassResult | FailedPass] = []
        for model in models or self.registry.models():
            result = None
            try:
                result = self.monitor.run(model)
                if result is not None:
                    self._follow_up(result)
                    outcomes.append(result)
            except Exception as error:  # any failure is this model's alone: reported and published, never raised
                outcomes.append(FailedPass.of(model, error, result))
        return outcomes

    def _follow_up(self, result: PassResult) -> None:
        """The model's alarms beside the pass, and its scheduled retraining when it is due."""
        model = result.model
        # What the handler publishes once the pass is recorded: the alarms' states are from before CloudWatch sees it.
        published = result.metrics if result.recorded else {}
        result.alarms, result.evaluating = alarm_states(self.alarms, self.alarm_settings, model, published)
        now = self.clock()
        # Only a contract that asks for scheduled retraining costs the run-store query, of its interval only.
        runs = [] if result.retrain_every_hours is None else self.runs.list(model, since=(
            now - timedelta(hours=result.retrain_every_hours)).isoformat(timespec="milliseconds"))
        trigger = scheduled_trigger(result, runs, now)
        if trigger is not None:
            self.pipeline.start(f"schedule-{model}-{trigger['period']}", trigger)
            result.notes.append(f"scheduled retraining started ({trigger['period']})")
