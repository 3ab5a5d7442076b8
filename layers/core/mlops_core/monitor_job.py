"""The monitor function's job: one pass per model with a champion, and scheduled retraining when it is due."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .alarms import AlarmSettings
from .config import require_env
from .monitoring import Monitor, MonitorSettings, MonitorStore, PassResult
from .registry import Registry
from .runs import SUPPRESSED, RunStore
from .storage import ObjectStore


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
    stepfunctions: Any
    state_machine_arn: str
    cloudwatch: Any
    alarm_settings: AlarmSettings
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    @classmethod
    def from_env(cls) -> MonitorJob:
        import boto3

        dynamodb = boto3.client("dynamodb")
        registry = Registry(dynamodb, require_env("REGISTRY_TABLE"))
        settings = MonitorSettings(
            capture_bucket=require_env("CAPTURE_BUCKET"),
            settle=timedelta(seconds=float(os.environ.get("MONITOR_SETTLE_SECONDS", "60"))),
            feedback_lookback=timedelta(hours=float(os.environ.get("FEEDBACK_LOOKBACK_HOURS", "24"))))
        passes = MonitorStore(dynamodb, require_env("MONITOR_TABLE"))
        monitor = Monitor(registry, ObjectStore(boto3.client("s3")), passes, settings)
        return cls(monitor, registry, RunStore(dynamodb, require_env("RUNS_TABLE")), boto3.client("stepfunctions"),
                   require_env("STATE_MACHINE_ARN"), boto3.client("cloudwatch"), AlarmSettings.from_env())

    def run(self, models: list[str] | None = None) -> list[PassResult]:
        results = []
        for model in models or self.registry.models():
            result = self.monitor.run(model)
            if result is None:
                continue
            result.alarms = self._alarm_states(model)
            # Only a contract that asks for scheduled retraining costs the run-store query.
            runs = self.runs.list(model) if result.retrain_every_hours is not None else []
            trigger = scheduled_trigger(result, runs, self.clock())
            if trigger is not None:
                self.stepfunctions.start_execution(stateMachineArn=self.state_machine_arn, input=json.dumps(trigger),
                                                   name=f"schedule-{model}-{trigger['period']}"[:80])
                result.notes.append(f"scheduled retraining started ({trigger['period']})")
            results.append(result)
        return results

    def _alarm_states(self, model: str) -> dict[str, str]:
        """The model's alarms and their states."""
        found = self.cloudwatch.describe_alarms(AlarmNames=self.alarm_settings.alarm_names(model))["MetricAlarms"]
        return {alarm["AlarmName"].removeprefix(self.alarm_settings.prefix): alarm["StateValue"] for alarm in found}
