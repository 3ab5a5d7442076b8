"""Each model's CloudWatch alarms (drift, live quality), derived from its champion and the champion's contract."""

from __future__ import annotations

import operator
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlops_core.aws.cloudwatch_alarms import AlarmStore
from mlops_core.aws.contract_store import contract_at
from mlops_core.aws.objects import ObjectStore
from mlops_core.aws.registry import Registry
from mlops_core.config import METRICS_NAMESPACE, require_env
from mlops_core.contract import Contract
from mlops_core.monitoring.monitor_pass import QUALITY_METRICS
from mlops_core.scoring import METRICS

ALARM_KINDS = ("drift", "quality")
# The comparisons the model alarms use: whether a value breaches the threshold, how a breach reads and how its
# absence does.
COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str, str]] = {
    "GreaterThanOrEqualToThreshold": (operator.ge, ">=", "<"), "GreaterThanThreshold": (operator.gt, ">", "<="),
    "LessThanThreshold": (operator.lt, "<", ">="), "LessThanOrEqualToThreshold": (operator.le, "<=", ">"),
}


@dataclass(frozen=True)
class AlarmSettings:
    """Where the monitor's metrics live and how its alarms are named; the EventBridge rule matches the prefix."""

    prefix: str
    namespace: str
    service: str
    period: int

    @classmethod
    def from_env(cls) -> AlarmSettings:
        return cls(prefix=require_env("ALARM_PREFIX"), namespace=METRICS_NAMESPACE,
                   service=require_env("POWERTOOLS_SERVICE_NAME"),
                   period=60 * int(os.environ.get("MONITOR_INTERVAL_MINUTES", "15")))

    def alarm_name(self, model: str, kind: str) -> str:
        return f"{self.prefix}{model}-{kind}"

    def alarm_names(self, model: str) -> list[str]:
        """Every alarm a model can have, by exact name (another model's name may extend this one's)."""
        return [self.alarm_name(model, kind) for kind in ALARM_KINDS]

    def dimensions(self, model: str) -> list[dict[str, str]]:
        """The dimensions Powertools Metrics gives every datapoint: the model and the service (the stack)."""
        return [{"Name": "Model", "Value": model}, {"Name": "service", "Value": self.service}]


@dataclass(frozen=True)
class ModelAlarm:
    """One alarm on one of the monitor's metrics for one model."""

    model: str
    kind: str
    metric: str
    comparison: str
    threshold: float
    evaluation_periods: int
    description: str

    def name(self, settings: AlarmSettings) -> str:
        return settings.alarm_name(self.model, self.kind)

    def request(self, settings: AlarmSettings) -> dict[str, Any]:
        """The PutMetricAlarm request. Missing data keeps the state: no traffic is no evidence either way."""
        return {"AlarmName": self.name(settings), "AlarmDescription": self.description,
                "Namespace": settings.namespace, "MetricName": self.metric,
                "Dimensions": settings.dimensions(self.model), "Statistic": "Average", "Period": settings.period,
                "EvaluationPeriods": self.evaluation_periods, "DatapointsToAlarm": self.evaluation_periods,
                "Threshold": self.threshold, "ComparisonOperator": self.comparison, "TreatMissingData": "ignore"}


def model_alarms(model: str, champion: dict[str, Any], contract: Contract) -> tuple[list[ModelAlarm], list[str]]:
    """The drift alarm always; the quality alarm when a threshold is set or can be derived from the holdout."""
    watch = contract.monitoring
    periods = watch.evaluation_periods
    alarms = [ModelAlarm(model, "drift", "DriftScore", "GreaterThanOrEqualToThreshold", watch.drift_threshold,
                         periods, f"{model}: live traffic drifted from the training data of v{champion['version']} "
                                  f"(largest feature PSI >= {watch.drift_threshold}); starts retraining")]
    name = watch.live_metric(contract.task)
    metric = METRICS[name]
    threshold = watch.quality_threshold
    baseline = champion.get("holdout_metrics", {}).get(name)
    if threshold is None and baseline is not None:
        factor = 1 - watch.quality_tolerance if metric.greater_is_better else 1 + watch.quality_tolerance
        threshold = round(baseline * factor, 6)
    if threshold is None:
        return alarms, [f"no quality alarm for {model}: v{champion['version']} has no holdout {name} and the "
                        "contract sets no monitoring.quality_threshold"]
    comparison = "LessThanThreshold" if metric.greater_is_better else "GreaterThanThreshold"
    alarms.append(ModelAlarm(model, "quality", QUALITY_METRICS[name], comparison, threshold, periods,
                             f"{model}: live {name} of v{champion['version']} on feedback labels "
                             f"{'below' if metric.greater_is_better else 'above'} {threshold}; starts retraining"))
    return alarms, []


def put_model_alarms(alarm_store: AlarmStore, settings: AlarmSettings, model: str,
                     alarms: list[ModelAlarm]) -> list[str]:
    """Create or update the model's alarms (an update keeps an alarm's state) and delete the ones it no longer has."""
    wanted = {alarm.name(settings) for alarm in alarms}
    alarm_store.put([alarm.request(settings) for alarm in alarms])
    stale = [name for name in settings.alarm_names(model) if name not in wanted]
    if stale:
        alarm_store.delete(stale)
    return sorted(wanted)


def alarm_states(alarm_store: AlarmStore, settings: AlarmSettings, model: str,
                 published: dict[str, float]) -> tuple[dict[str, str], dict[str, str]]:
    """The model's alarms that exist (by name less the stack's prefix: <model>-drift, <model>-quality) and their
    states; and, for each alarm whose state the datapoint about to be published (`published`: metric -> value)
    contradicts, what CloudWatch is evaluating."""
    states, evaluating = {}, {}
    for alarm in alarm_store.describe(settings.alarm_names(model)):
        name, state, metric = alarm["AlarmName"].removeprefix(settings.prefix), alarm["StateValue"], alarm["MetricName"]
        states[name] = state
        if metric not in published:
            continue
        breaches, breach, no_breach = COMPARISONS[alarm["ComparisonOperator"]]
        value, threshold = published[metric], alarm["Threshold"]
        breached = breaches(value, threshold)
        if breached != (state == "ALARM"):
            evaluating[name] = f"{metric} {value:.3f} {breach if breached else no_breach} {threshold:g}"
    return states, evaluating


def sync_model_alarms(alarm_store: AlarmStore, settings: AlarmSettings, registry: Registry, store: ObjectStore,
                      model: str) -> dict[str, Any]:
    """Point the model's alarms at its current champion: thresholds from that version and its contract."""
    alias = registry.alias(model)
    if alias is None:
        return {"alarms": [], "notes": [f"{model} has no champion"]}
    champion = registry.get_version(model, alias["version"])
    alarms, notes = model_alarms(model, champion, contract_at(champion["contract"], store))
    return {"alarms": put_model_alarms(alarm_store, settings, model, alarms), "notes": notes}
