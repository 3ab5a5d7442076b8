"""The loop closes by itself: traffic -> monitor -> metric -> alarm -> retraining run, on the local runtime."""

import json
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from mlops_core.aws.objects import S3Object
from mlops_core.aws.run_store import RUNNING, SUPPRESSED

from mlops_cli import operations
from mlops_cli.samples import churn
from tests.conftest import load_event
from tests.e2e.conftest import (
    MONITORING,
    automatic_runs,
    differing_keys,
    execution_inputs,
    mlops,
    new_model,
    put_alarm_events,
    run_report,
    wait_for,
)

pytestmark = pytest.mark.e2e

def serve(stack, model: str, frame, labels: str = "true") -> None:
    """Traffic and its feedback through the inference URL; then S3's one-second clock moves on."""
    operations.send_traffic(stack, model, frame, "churned", labels)
    time.sleep(1.1)  # S3 times objects to the second; a pass takes what was written before its window ends


def monitor(model: str) -> dict:
    result = mlops("monitor", "run", model, "--json")
    assert result.returncode == 0, result.stderr
    [found] = json.loads(result.stdout)
    return found


def alarm_state(stack, model: str, kind: str) -> str:
    name = f"{stack.outputs['AlarmPrefix']}{model}-{kind}"
    return stack.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]


def metric_summary(stack, model: str, metric: str) -> tuple[int, float, float]:
    """The datapoints of the model's metric in the last hour: their count, minimum and maximum."""
    now = datetime.now(UTC)
    [point] = stack.cloudwatch.get_metric_statistics(
        Namespace="ServerlessMlops", MetricName=metric, StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=1), Period=3900, Statistics=["SampleCount", "Minimum", "Maximum"],
        Dimensions=stack.alarm_settings.dimensions(model))["Datapoints"]
    return int(point["SampleCount"]), point["Minimum"], point["Maximum"]


@pytest.fixture(scope="module")
def loop(cloud, tmp_path_factory):
    """Champion v1; traffic like its training data (pass 1), then drifted traffic with its true labels (pass 2)."""
    from mlops_cli.stack import Stack

    stack = Stack.find(cloud.stack_name)
    model = new_model(stack, tmp_path_factory.mktemp("loop"), "loop")
    alarms_at_start = {kind: alarm_state(stack, model, kind) for kind in ("drift", "quality")}
    serve(stack, model, churn(300, seed=10, noise=0.1))
    steady = monitor(model)
    time.sleep(3)  # three ticks of the local alarm clock
    steady_state = (alarm_state(stack, model, "drift"), automatic_runs(stack, model))
    serve(stack, model, churn(300, seed=11, noise=0.1, drift=1.0))
    drifted = monitor(model)
    run = wait_for(lambda: next((r for r in automatic_runs(stack, model) if r["status"] not in (RUNNING,)
                                 and r["status"] != SUPPRESSED), None))
    return stack, model, alarms_at_start, steady, steady_state, drifted, run


def test_a_promoted_model_gets_its_drift_and_quality_alarms(loop):
    _, _, alarms_at_start, *_ = loop
    assert alarms_at_start == {"drift": "OK", "quality": "OK"}


def test_traffic_like_the_training_data_leaves_the_alarm_ok_and_starts_nothing(loop):
    _, _, _, steady, (drift_state, runs), *_ = loop
    assert steady["records"] == 300 and steady["recorded"]
    assert steady["drift"]["score"] < 0.25, steady["drift"]
    assert steady["labels"] == 300 and steady["quality"]["accuracy"] > 0.6
    assert drift_state == "OK" and runs == []


def test_drifted_traffic_raises_the_drift_metric_and_the_alarm(loop):
    stack, model, _, steady, _, drifted, _ = loop
    assert drifted["records"] == 300, drifted  # the second pass sees only what came after the first
    assert drifted["drift"]["score"] >= 0.25
    assert {"tenure_months", "monthly_charges", "support_calls"} <= set(drifted["drift"]["drifted"])
    assert metric_summary(stack, model, "DriftScore") == pytest.approx(
        (2, steady["drift"]["score"], drifted["drift"]["score"]))
    assert alarm_state(stack, model, "drift") == "ALARM"


def test_the_pass_that_drifted_says_cloudwatch_is_evaluating_the_drift_alarm_it_read_as_ok(loop):
    _, model, _, _, _, drifted, _ = loop
    assert drifted["alarms"][f"{model}-drift"] == "OK"
    assert drifted["evaluating"] == {f"{model}-drift": f"DriftScore {drifted['drift']['score']:.3f} >= 0.25"}


def test_the_alarm_starts_a_run_that_registers_a_new_version(loop):
    stack, model, *_, run = loop
    assert run["status"] == "SUCCEEDED", run.get("message")
    assert run["cause"]["alarm"] == f"{stack.outputs['AlarmPrefix']}{model}-drift"
    assert run["version"] == 2 and stack.registry.get_version(model, 2)["trigger"] == "alarm"


def test_the_alarm_runs_report_says_which_alarm_started_it_and_on_which_data(loop):
    stack, model, *_, run = loop

    report, text, _ = run_report(stack, run)

    alarm = f"{stack.outputs['AlarmPrefix']}{model}-drift"
    assert report["provenance"]["trigger"] == "alarm" and alarm in report["provenance"]["cause"] and alarm in text
    assert report["provenance"]["data_uri"] == stack.registry.get_version(model, 2)["data"]["uri"]
    assert "histogram:tenure_months" in {figure["id"] for figure in report["figures"]}


def test_the_alarm_run_trained_on_the_latest_upload_plus_the_feedback_and_says_which_objects(loop):
    stack, model, *_, run = loop
    data = stack.registry.get_version(model, 2)["data"]
    manifest = stack.store.get_json(S3Object.parse(data["manifest_uri"]))
    assert manifest["base"]["uri"] == f"s3://{stack.data_bucket}/incoming/{model}/{model}.csv"
    assert manifest["base"]["version_id"]
    assert manifest["feedback_rows"] == 600 and manifest["unmatched_labels"] == 0
    assert len(manifest["feedback"]) == 6 and all(ref["version_id"] for ref in manifest["feedback"])
    assert len(manifest["captures"]) == 6
    assert data["rows"] == 2000 + 600 and re.search(r"/training-data-[0-9a-f]{12}\.csv$", data["uri"])


def test_the_runs_list_shows_the_alarm_run(loop):
    stack, model, *_, run = loop
    listed = mlops("runs", "--model", model)
    assert listed.returncode == 0 and run["run_id"] in listed.stdout and "alarm" in listed.stdout


def test_the_sample_alarm_and_assemble_events_have_the_shape_of_real_ones(loop):
    stack, *_, run = loop
    inputs = execution_inputs(stack, run["execution"])

    delivered = {k: v for k, v in inputs["Begin run"]["event"].items() if k != "ingestion-time"}  # moto adds it
    assert differing_keys(load_event("alarm_state_change"), delivered) == []
    assert differing_keys(load_event("assemble"), inputs["Assemble training data"]) == []


def test_wrong_feedback_labels_lower_live_quality_and_fire_the_quality_alarm(cloud, tmp_path):
    from mlops_cli.stack import Stack

    stack = Stack.find(cloud.stack_name)
    model = new_model(stack, tmp_path, "quality")
    serve(stack, model, churn(200, seed=12, noise=0.1), labels="wrong")
    seen = monitor(model)
    assert seen["drift"]["score"] < 0.25 and seen["quality"]["accuracy"] == 0.0
    assert metric_summary(stack, model, "LiveAccuracy") == (1, 0.0, 0.0)
    wait_for(lambda: alarm_state(stack, model, "quality") == "ALARM", timeout=30)
    run = wait_for(lambda: next(iter(automatic_runs(stack, model)), None), timeout=60)
    assert run["cause"]["alarm"].endswith(f"{model}-quality") and run["cause"]["metric"] == "LiveAccuracy"


def test_the_dashboard_draws_every_metric_per_model_and_the_stacks_own_alarms(cloud):
    from mlops_cli.stack import Stack

    stack = Stack.find(cloud.stack_name)
    body = json.loads(stack.cloudwatch.get_dashboard(DashboardName=stack.outputs["DashboardName"])["DashboardBody"])
    expressions = " ".join(json.dumps(w["properties"].get("metrics", [])) for w in body["widgets"])
    [alarm_widget] = [w for w in body["widgets"] if w["type"] == "alarm"]
    existing = {a["AlarmArn"] for a in stack.cloudwatch.describe_alarms()["MetricAlarms"]}

    for metric in ("Requests", "Latency", "ClientErrors", "ServerErrors", "DriftScore", "LiveAccuracy", "LiveRMSE",
                   "ModelAlarmsInAlarm", "MonitorPassFailed", "RunsSucceeded", "RunsFailed", "SuppressedTriggers"):
        assert f'\\"{metric}\\"' in expressions, metric
    assert f'service=\\"{stack.name}\\"' in expressions
    assert set(alarm_widget["properties"]["alarms"]) <= existing and len(alarm_widget["properties"]["alarms"]) == 4


def test_an_alarm_with_nothing_new_to_train_on_is_recorded_as_suppressed_and_registers_nothing(cloud, tmp_path):
    from mlops_cli.stack import Stack

    stack = Stack.find(cloud.stack_name)
    model = new_model(stack, tmp_path, "unchanged")

    put_alarm_events(stack, model)
    run = wait_for(lambda: next((r for r in automatic_runs(stack, model) if r["status"] != RUNNING), None),
                   timeout=120)

    assert run["status"] == SUPPRESSED, run
    assert run["reason"].startswith(f"nothing changed since v1 was trained: the same upload s3://{stack.data_bucket}/"
                                    f"incoming/{model}/{model}.csv")
    assert stack.registry.latest_version(model) == 1
    assert stack.stepfunctions.describe_execution(executionArn=run["execution"])["status"] == "SUCCEEDED"
    listed = mlops("runs", "--model", model).stdout
    assert run["run_id"] in listed and "SUPPRESSED" in listed


def test_scheduled_retraining_starts_a_schedule_run_through_the_same_entry_point(cloud, tmp_path):
    from mlops_cli.stack import Stack

    stack = Stack.find(cloud.stack_name)
    model = new_model(stack, tmp_path, "scheduled", {**MONITORING, "retrain_every_hours": 0.001})
    time.sleep(4)  # longer than 0.001 h since the first run started

    seen = monitor(model)
    run = wait_for(lambda: next((r for r in stack.runs.list(model) if r["trigger"] == "schedule"
                                 and r["status"] != RUNNING), None), timeout=120)

    assert any(note.startswith("scheduled retraining started") for note in seen["notes"])
    assert run["status"] == "SUCCEEDED" and run["cause"]["period"].startswith("every-0.001h-")
    assert run["dataset"]["base_uri"].endswith(f"incoming/{model}/{model}.csv") and run["version"] == 2


def test_a_retried_assemble_step_returns_the_training_set_it_wrote(loop):
    from mlops_core.config import Settings
    from mlops_core.pipeline.services import Services
    from mlops_core.pipeline.steps.assemble import assemble_training_data

    stack, model, *_, run = loop
    settings = Settings(stack.data_bucket, stack.outputs["ArtifactBucketName"], stack.outputs["RegistryTableName"],
                        stack.outputs["RunsTableName"], capture_bucket=stack.outputs["CaptureBucketName"])
    services = Services(settings, stack.store, stack.registry, stack.runs)

    again = assemble_training_data({"run": {"model": model, "run_id": run["run_id"]}}, services)

    assert again == run["dataset"]
