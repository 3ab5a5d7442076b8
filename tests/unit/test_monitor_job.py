"""What a monitor pass publishes, what it says about the alarms it may move, when it starts scheduled retraining,
and that one model's failing pass leaves the others monitored."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from mlops_core.aws.traffic_store import Window
from mlops_core.errors import NotFoundError
from mlops_core.monitoring.alarms import AlarmSettings, alarm_states
from mlops_core.monitoring.drift import DriftReport, FeatureDrift
from mlops_core.monitoring.job import FailedPass, MonitorJob, scheduled_trigger
from mlops_core.monitoring.monitor_pass import PassResult
from rich.console import Console

from mlops_cli import render

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
SETTINGS = AlarmSettings(prefix="stack-model-", namespace="ServerlessMlops", service="stack", period=900)


def result(every: float | None = None, model: str = "churn", **fields) -> PassResult:
    return PassResult(model, 2, Window(NOW - timedelta(minutes=15), NOW), retrain_every_hours=every, **fields)


def run(hours_ago: float, status: str = "SUCCEEDED") -> dict:
    return {"status": status, "started_at": (NOW - timedelta(hours=hours_ago)).isoformat()}


def test_a_pass_without_enough_evidence_publishes_counts_only():
    assert result(records=12, labels=3).metrics == {"CapturedRecords": 12.0, "LabeledPredictions": 3.0}


def test_a_pass_that_saw_no_traffic_publishes_nothing():
    assert result(records=0, labels=0, alarms={"churn-drift": "OK"}).metrics == {}


def test_a_pass_with_drift_quality_and_alarms_publishes_them_all():
    # a: PSI 0.45 beyond its noise bound 0.2, less its bias 0.05; b: within its bound.
    drift = DriftReport(300, 0.25, (FeatureDrift("a", "numeric", 0.45, 0.05, 0.2, 0.3),
                                    FeatureDrift("b", "categorical", 0.01, 0.01, 0.1)))
    metrics = result(records=300, labels=40, drift=drift, quality={"accuracy": 0.9, "f1_macro": 0.8},
                     alarms={"churn-drift": "ALARM", "churn-quality": "OK"}).metrics

    assert metrics == {"CapturedRecords": 300.0, "LabeledPredictions": 40.0, "DriftScore": 0.4,
                       "DriftedFeatureShare": 0.5, "MaxKS": 0.3, "LiveAccuracy": 0.9, "LiveF1Macro": 0.8,
                       "ModelAlarmsInAlarm": 1.0}


def test_scheduled_retraining_is_off_unless_the_contract_asks():
    assert scheduled_trigger(result(), [], NOW) is None


def test_scheduled_retraining_starts_when_no_run_started_within_the_interval():
    due = scheduled_trigger(result(every=24), [run(25), run(1, "SUPPRESSED")], NOW)

    assert due == {"trigger": "schedule", "model": "churn", "period": f"every-24h-{int(NOW.timestamp()) // 86400}"}
    assert scheduled_trigger(result(every=24), [run(23)], NOW) is None
    assert scheduled_trigger(result(every=24), [], NOW) is not None


def alarm(kind: str, state: str, metric: str, comparison: str, threshold: float) -> dict:
    return {"AlarmName": SETTINGS.alarm_name("churn", kind), "StateValue": state, "MetricName": metric,
            "ComparisonOperator": comparison, "Threshold": threshold}


@dataclass
class Alarms:
    """The AlarmStore's describe, over a fixed set of alarms (or failing)."""

    found: list[dict] = field(default_factory=list)
    error: Exception | None = None

    def describe(self, names: list[str]) -> list[dict]:
        if self.error is not None:
            raise self.error
        return [alarm for alarm in self.found if alarm["AlarmName"] in names]


def test_alarm_states_say_what_cloudwatch_is_evaluating_where_the_pass_contradicts_them():
    alarms = Alarms([alarm("drift", "OK", "DriftScore", "GreaterThanOrEqualToThreshold", 0.25),
                     alarm("quality", "ALARM", "LiveAccuracy", "LessThanThreshold", 0.8)])

    states, evaluating = alarm_states(alarms, SETTINGS, "churn", {"DriftScore": 0.912, "LiveAccuracy": 0.9})

    assert states == {"churn-drift": "OK", "churn-quality": "ALARM"}
    assert evaluating == {"churn-drift": "DriftScore 0.912 >= 0.25", "churn-quality": "LiveAccuracy 0.900 >= 0.8"}


def test_alarm_states_evaluate_nothing_the_pass_agrees_with_or_does_not_publish():
    alarms = Alarms([alarm("drift", "ALARM", "DriftScore", "GreaterThanOrEqualToThreshold", 0.25),
                     alarm("quality", "OK", "LiveAccuracy", "LessThanThreshold", 0.8)])

    assert alarm_states(alarms, SETTINGS, "churn", {"DriftScore": 0.3})[1] == {}


def test_the_cli_shows_each_alarm_state_beside_what_cloudwatch_is_evaluating_and_a_failed_pass_as_failed(
        monkeypatch):
    seen = result(records=300, alarms={"churn-drift": "OK"}, evaluating={"churn-drift": "DriftScore 0.912 >= 0.25"})
    failed = FailedPass("fraud", "NotFoundError", "no such key profile.json")
    monkeypatch.setattr(render, "console", Console(width=400, highlight=False))

    with render.console.capture() as captured:
        render.passes([seen.to_dict(), failed.to_dict()])

    text = " ".join(captured.get().split())
    assert "churn-drift=OK (evaluating DriftScore 0.912 >= 0.25)" in text
    assert "fraud FAILED" in text and "NotFoundError" in text


@dataclass
class Monitor:
    """A monitor whose pass over the `broken` models raises, as one over an unreadable profile does."""

    broken: set[str]

    def run(self, model: str) -> PassResult:
        if model in self.broken:
            raise NotFoundError(f"s3://artifacts/models/{model}/v2/profile.json does not exist")
        return result(model=model, records=150, recorded=True)


@dataclass
class Registry:
    names: list[str]

    def models(self) -> list[str]:
        return self.names


def job(broken: set[str], alarms: Alarms | None = None) -> MonitorJob:
    return MonitorJob(Monitor(broken), Registry(["alpha", "bravo", "charlie"]), runs=None, pipeline=None,
                      alarms=alarms or Alarms(), alarm_settings=SETTINGS, clock=lambda: NOW)


def test_a_model_whose_pass_fails_is_reported_by_name_and_the_models_after_it_are_still_monitored():
    outcomes = job({"bravo"}).run()

    assert [(o.model, type(o).__name__) for o in outcomes] == [
        ("alpha", "PassResult"), ("bravo", "FailedPass"), ("charlie", "PassResult")]
    failed = outcomes[1]
    assert failed.error == "NotFoundError" and "models/bravo/v2/profile.json" in failed.message
    assert failed.retried and "NotFoundError" in failed.trace


def test_a_failure_after_the_pass_was_recorded_keeps_what_the_pass_measured():
    outcomes = job(set(), Alarms(error=TimeoutError("DescribeAlarms timed out"))).run(["alpha"])

    [failed] = outcomes
    assert isinstance(failed, FailedPass) and failed.error == "TimeoutError"
    assert failed.result.recorded and not failed.retried
    assert failed.to_dict()["records"] == 150 and failed.to_dict()["notes"][-1].endswith("its window was recorded")
