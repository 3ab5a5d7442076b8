"""A model's alarms: thresholds from its contract or its champion's holdout, and how the local runtime judges them."""

import json

import pytest
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from mlops_core.config import METRICS_NAMESPACE as NAMESPACE
from mlops_core.contract import Contract
from mlops_core.monitoring.alarms import AlarmSettings, model_alarms

from localcloud.alarms import ALARM, INSUFFICIENT_DATA, OK, next_state
from localcloud.clock import rate_seconds
from localcloud.emf import metric_data
from mlops_cli.samples import CHURN_CONTRACT

SETTINGS = AlarmSettings("stack-model-", NAMESPACE, "stack", 300)
CHAMPION = {"version": 3, "holdout_metrics": {"accuracy": 0.8, "f1_macro": 0.7}}


def contract(**monitoring) -> Contract:
    return Contract.from_dict({**CHURN_CONTRACT, "monitoring": monitoring})


def test_the_drift_alarm_fires_at_the_contract_threshold_on_the_model_and_stack_dimensions():
    [drift, _], notes = model_alarms("churn", CHAMPION, contract(drift_threshold=0.3, evaluation_periods=2))
    request = drift.request(SETTINGS)

    assert notes == []
    assert request["AlarmName"] == "stack-model-churn-drift" and request["MetricName"] == "DriftScore"
    assert (request["ComparisonOperator"], request["Threshold"]) == ("GreaterThanOrEqualToThreshold", 0.3)
    assert request["Dimensions"] == [{"Name": "Model", "Value": "churn"}, {"Name": "service", "Value": "stack"}]
    assert (request["EvaluationPeriods"], request["Period"], request["TreatMissingData"]) == (2, 300, "ignore")


def test_the_quality_threshold_defaults_to_the_holdout_value_less_the_tolerance():
    [_, quality], _ = model_alarms("churn", CHAMPION, contract(quality_tolerance=0.25))

    assert (quality.metric, quality.comparison, quality.threshold) == ("LiveAccuracy", "LessThanThreshold", 0.6)


def test_an_error_metric_alarms_above_its_holdout_value_plus_the_tolerance():
    regression = Contract.from_dict({"model": "price", "task": "regression", "target": "y",
                                     "columns": {"x": {"type": "number"}, "y": {"type": "number"}},
                                     "monitoring": {"quality_metric": "mae"}})
    [_, quality], _ = model_alarms("price", {"version": 1, "holdout_metrics": {"rmse": 4.0, "mae": 2.0}}, regression)

    assert (quality.metric, quality.comparison, quality.threshold) == ("LiveMAE", "GreaterThanThreshold", 2.2)


def test_a_contract_threshold_wins_and_without_one_or_a_holdout_value_there_is_no_quality_alarm():
    [_, quality], _ = model_alarms("churn", CHAMPION, contract(quality_metric="f1_macro", quality_threshold=0.5))
    alarms, notes = model_alarms("churn", {"version": 1}, contract())

    assert (quality.metric, quality.threshold) == ("LiveF1Macro", 0.5)
    assert [a.kind for a in alarms] == ["drift"] and "no quality alarm" in notes[0]


@pytest.mark.parametrize("monitoring, message", [
    ({"drift_treshold": 0.2}, "monitoring.drift_treshold: unknown setting"),
    ({"quality_metric": "rmse"}, "monitoring.quality_metric: 'rmse' is not a live classification metric"),
    ({"min_labels": 0}, "whole numbers >= 1"),
    ({"retrain_every_hours": -1}, "monitoring.retrain_every_hours"),
])
def test_a_bad_monitoring_setting_is_named(monitoring, message):
    with pytest.raises(Exception, match=message):
        contract(**monitoring)


@pytest.mark.parametrize("current, values, treat, expected", [
    (OK, [0.5], "ignore", ALARM),
    (ALARM, [0.1], "ignore", OK),
    (ALARM, [None], "ignore", ALARM),  # no traffic: no evidence either way
    (OK, [None], "missing", INSUFFICIENT_DATA),
    (OK, [None], "notBreaching", OK),
    (OK, [None], "breaching", ALARM),
    (OK, [0.5, None, 0.1], "ignore", OK),  # 1 of 3 breaching, 2 needed
    (OK, [0.5, None, 0.5], "ignore", ALARM),
    (OK, [0.5, None, 0.1], "breaching", ALARM),
])
def test_the_local_alarm_engine_follows_cloudwatchs_missing_data_rules(current, values, treat, expected):
    assert next_state(current, values, lambda v: v >= 0.3, datapoints_to_alarm=min(2, len(values)),
                      treat_missing=treat) == expected


def test_rate_expressions_fire_the_local_schedules_and_cron_is_left_alone():
    assert (rate_seconds("rate(5 minutes)"), rate_seconds("rate(1 hour)"), rate_seconds("cron(0 * * * ? *)")) == \
        (300, 3600, None)


def test_powertools_metrics_output_becomes_metric_data_for_each_dimension_set(capsys):
    metrics = Metrics(namespace=NAMESPACE, service="stack")
    metrics.add_dimension(name="Model", value="churn")
    metrics.add_dimensions(service="stack")
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=1.5)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=2.5)
    metrics.flush_metrics()
    printed = capsys.readouterr().out

    logs = "START RequestId\n" + printed + json.dumps({"level": "INFO", "message": "not a metric"})
    data = metric_data(logs)[NAMESPACE]
    by_dimensions = {tuple(d["Name"] for d in datum["Dimensions"]) for datum in data}
    assert by_dimensions == {("Model", "service"), ("service",)}
    assert sorted(d["Value"] for d in data) == [1.5, 1.5, 2.5, 2.5]
    assert {d["Unit"] for d in data} == {"Milliseconds"}
