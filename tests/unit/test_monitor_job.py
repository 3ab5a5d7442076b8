"""What a monitor pass publishes, and when it starts scheduled retraining."""

from datetime import UTC, datetime, timedelta

from mlops_core.aws.traffic_store import Window
from mlops_core.monitoring.drift import DriftReport, FeatureDrift
from mlops_core.monitoring.job import scheduled_trigger
from mlops_core.monitoring.monitor_pass import PassResult

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def result(every: float | None = None, **fields) -> PassResult:
    return PassResult("churn", 2, Window(NOW - timedelta(minutes=15), NOW), retrain_every_hours=every, **fields)


def run(hours_ago: float, status: str = "SUCCEEDED") -> dict:
    return {"status": status, "started_at": (NOW - timedelta(hours=hours_ago)).isoformat()}


def test_a_pass_without_enough_evidence_publishes_counts_only():
    assert result(records=12, labels=3).metrics == {"CapturedRecords": 12.0, "LabeledPredictions": 3.0}


def test_a_pass_that_saw_no_traffic_publishes_nothing():
    assert result(records=0, labels=0, alarms={"churn-drift": "OK"}).metrics == {}


def test_a_pass_with_drift_quality_and_alarms_publishes_them_all():
    drift = DriftReport(300, 0.25, (FeatureDrift("a", "numeric", 0.4, 0.3),
                                    FeatureDrift("b", "categorical", 0.01, None)))
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
