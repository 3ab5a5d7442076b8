"""The monitor function's job: one pass per model with a champion, and scheduled retraining when it is due."""

from __future__ import annotations

import math
import os
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

    def run(self, models: list[str] | None = None) -> list[PassResult]:
        """One pass per model; the models asked for must all be valid names (they become keys and dimensions)."""
        if models is not None and not isinstance(models, list):
            raise InvalidNameError(f"models: a list of model names, not {type(models).__name__}")
        for index, model in enumerate(models or []):
            check_name(model, f"models[{index}]")
        results = []
        for model in models or self.registry.models():
            result = self.monitor.run(model)
            if result is None:
                continue
            result.alarms = alarm_states(self.alarms, self.alarm_settings, model)
            now = self.clock()
            # Only a contract that asks for scheduled retraining costs the run-store query, of its interval only.
            runs = [] if result.retrain_every_hours is None else self.runs.list(model, since=(
                now - timedelta(hours=result.retrain_every_hours)).isoformat(timespec="milliseconds"))
            trigger = scheduled_trigger(result, runs, now)
            if trigger is not None:
                self.pipeline.start(f"schedule-{model}-{trigger['period']}", trigger)
                result.notes.append(f"scheduled retraining started ({trigger['period']})")
            results.append(result)
        return results
