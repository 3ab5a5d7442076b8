"""The monitor's pass over one model: drift of the captured traffic and live quality from feedback, recorded once."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mlops_core.aws.contract_store import contract_at
from mlops_core.aws.monitor_store import MonitorStore
from mlops_core.aws.objects import ObjectStore, S3Object
from mlops_core.aws.registry import Registry
from mlops_core.aws.traffic_store import Window, read_captures, read_feedback
from mlops_core.contract import Contract
from mlops_core.monitoring.drift import DriftReport, drift_report, minimum_sample
from mlops_core.monitoring.traffic import Join, feature_columns, join_feedback
from mlops_core.scoring import METRICS

# CloudWatch metric names, one per live-quality metric.
QUALITY_METRICS = {"accuracy": "LiveAccuracy", "f1_macro": "LiveF1Macro", "rmse": "LiveRMSE", "mae": "LiveMAE"}


@dataclass(frozen=True)
class MonitorSettings:
    """How far a pass looks: the settle time before an object counts, the first window, the feedback lookback."""

    capture_bucket: str
    settle: timedelta = timedelta(seconds=60)
    first_window: timedelta = timedelta(hours=24)
    feedback_lookback: timedelta = timedelta(hours=24)


@dataclass
class PassResult:
    """What one pass saw for one model, and the metrics it publishes."""

    model: str
    champion_version: int
    window: Window
    records: int = 0
    drift: DriftReport | None = None
    quality: dict[str, float] = field(default_factory=dict)
    labels: int = 0
    unmatched_labels: int = 0
    notes: list[str] = field(default_factory=list)
    recorded: bool = False
    retrain_every_hours: float | None = None
    alarms: dict[str, str] = field(default_factory=dict)
    evaluating: dict[str, str] = field(default_factory=dict)

    @property
    def metrics(self) -> dict[str, float]:
        """CloudWatch metric name -> value; drift and quality only when the pass had enough rows to judge, nothing
        when it saw no traffic (custom metrics are billed for the hours they receive data: idle costs nothing)."""
        if not self.records and not self.labels:
            return {}
        values = {"CapturedRecords": float(self.records), "LabeledPredictions": float(self.labels)}
        if self.drift is not None:
            values |= {"DriftScore": self.drift.score, "DriftedFeatureShare": self.drift.drifted_share}
            if self.drift.max_ks is not None:
                values["MaxKS"] = self.drift.max_ks
        values |= {QUALITY_METRICS[name]: value for name, value in self.quality.items()}
        if self.alarms:
            values["ModelAlarmsInAlarm"] = float(sum(state == "ALARM" for state in self.alarms.values()))
        return values

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "champion_version": self.champion_version,
                "window": {"start": self.window.start.isoformat(), "end": self.window.end.isoformat()},
                "records": self.records, "labels": self.labels, "unmatched_labels": self.unmatched_labels,
                "drift": self.drift.to_dict() if self.drift else None, "quality": self.quality,
                "alarms": self.alarms, "evaluating": self.evaluating, "metrics": self.metrics, "notes": self.notes,
                "recorded": self.recorded}


@dataclass
class Monitor:
    """Runs passes: one window of traffic per model, compared with the baseline of the champion that served it."""

    registry: Registry
    store: ObjectStore
    passes: MonitorStore
    settings: MonitorSettings
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def run(self, model: str) -> PassResult | None:
        """One pass over the model's traffic since the last one; None when the model has no champion."""
        alias = self.registry.alias(model)
        if alias is None:
            return None
        champion = self.registry.get_version(model, alias["version"])
        contract = contract_at(champion["contract"], self.store)
        previous = self.passes.watermark(model)
        end = (self.clock() - self.settings.settle).replace(microsecond=0)
        start = max(previous or end - self.settings.first_window, end - self.settings.first_window)
        result = PassResult(model, alias["version"], Window(start, end),
                            retrain_every_hours=contract.monitoring.retrain_every_hours)
        if previous is not None and previous < start:
            result.notes.append(f"traffic written before {start.isoformat()} was not monitored (watermark "
                                f"{previous.isoformat()} is older than the first window)")
        if end <= start:
            result.notes.append("nothing new to look at yet")
            return result
        captures = read_captures(self.store, self.settings.capture_bucket, model, result.window)
        self._drift(result, captures, contract, champion)
        self._quality(result, captures, contract)
        result.recorded = self.passes.record(result.model, result.window.end, result.to_dict(), previous)
        if not result.recorded:
            result.notes.append("another pass covered this window first; its metrics stand")
        return result

    def _drift(self, result: PassResult, captures, contract: Contract, champion: dict[str, Any]) -> None:
        columns = feature_columns(captures, contract.features)
        result.records = len(columns[contract.features[0]]) if contract.features else 0
        if result.records < contract.monitoring.min_records:
            result.notes.append(f"drift not computed: {result.records} records, "
                                f"{contract.monitoring.min_records} needed")
            return
        profile = self.store.get_json(S3Object.parse(champion["profile_uri"]))
        threshold = contract.monitoring.drift_threshold
        needed = minimum_sample(profile, list(columns), threshold)
        if result.records < needed:
            result.notes.append(f"drift not computed: {result.records} records, {needed} needed to tell a drift of "
                                f"{threshold} from sampling noise in {len(columns)} features")
            return
        result.drift = drift_report(profile, columns, threshold)

    def _quality(self, result: PassResult, captures, contract: Contract) -> None:
        feedback = read_feedback(self.store, self.settings.capture_bucket, result.model, result.window)
        if not feedback:
            return
        window = result.window
        earlier = Window(window.start - self.settings.feedback_lookback, window.start, window.lookback)
        join = join_feedback(read_captures(self.store, self.settings.capture_bucket, result.model, earlier)
                             + captures, feedback)
        served = [item for item in join.labeled if item.version == result.champion_version]
        result.labels, result.unmatched_labels = len(served), join.unmatched
        if len(served) < contract.monitoring.min_labels:
            result.notes.append(f"live quality not computed: {len(served)} labels for v{result.champion_version}, "
                                f"{contract.monitoring.min_labels} needed")
            return
        result.quality = live_quality(Join(served), contract)


def live_quality(join: Join, contract: Contract) -> dict[str, float]:
    """The task's live metrics over labeled predictions: accuracy and macro F1, or RMSE and MAE."""
    if contract.task == "classification":
        truth = [str(item.label) for item in join.labeled]
        guess = [item.prediction["label"] for item in join.labeled]
        classes = list(contract.columns[contract.target].categories or ())
        names = ("accuracy", "f1_macro")
    else:
        truth = [float(item.label) for item in join.labeled]
        guess = [float(item.prediction["value"]) for item in join.labeled]
        classes, names = [], ("rmse", "mae")
    values = {name: METRICS[name].compute(truth, guess, None, classes) for name in names}
    return {name: value for name, value in values.items() if math.isfinite(value)}
