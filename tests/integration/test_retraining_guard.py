"""The retraining guard on moto's DynamoDB: alarm and schedule triggers are dropped, and recorded, while a run of
the model is in progress or cooling down; uploads and operators are never dropped."""

import pytest
from mlops_core.aws.run_store import RUNNING, SUCCEEDED, SUPPRESSED
from mlops_core.config import Settings
from mlops_core.pipeline.run_lifecycle import LEASE_SECONDS, begin, finish
from mlops_core.pipeline.services import Services

COOLDOWN = 600.0


@pytest.fixture
def services(stack):
    settings = Settings(stack.data_bucket, stack.outputs["ArtifactBucketName"], stack.outputs["RegistryTableName"],
                        stack.outputs["RunsTableName"], retrain_cooldown_seconds=COOLDOWN)
    return Services(settings, stack.store, stack.registry, stack.runs)


def alarm(model: str, event_id: str, execution: str | None = None) -> dict:
    return {"execution": execution or f"execution-{event_id}", "event": {
        "id": event_id, "source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change",
        "detail": {"alarmName": f"s-model-{model}-drift", "state": {"value": "ALARM"},
                   "configuration": {"metrics": [{"metricStat": {"metric": {
                       "name": "DriftScore", "dimensions": {"Model": model}}}}]}}}}


def upload(model: str, version: str, execution: str | None = None) -> dict:
    return {"execution": execution or f"execution-{version}", "event": {
        "id": version, "source": "aws.s3", "detail-type": "Object Created", "detail": {
        "bucket": {"name": "data"}, "object": {"key": f"incoming/{model}/d.csv", "version-id": version}}}}


def done(run: dict) -> dict:
    return {"run": run, "registration": {"version": 1, "promoted": False, "reason": "r", "champion_version": None}}


def test_a_second_alarm_while_a_run_is_in_progress_is_recorded_and_dropped(services, model_name):
    first = begin(alarm(model_name, "e1"), services, clock=lambda: 1000.0)
    second = begin(alarm(model_name, "e2"), services, clock=lambda: 1001.0)

    assert (first["suppressed"], second["suppressed"]) == (False, True)
    record = services.runs.get(model_name, second["run_id"])
    assert record["status"] == SUPPRESSED and record["reason"] == f"run {first['run_id']} in progress"
    assert services.runs.get(model_name, first["run_id"])["status"] == RUNNING


def test_after_an_alarm_run_ends_alarms_are_dropped_for_the_cooldown_then_accepted(services, model_name):
    first = begin(alarm(model_name, "e1"), services, clock=lambda: 1000.0)
    finish(done(first), services, clock=lambda: 2000.0)

    during = begin(alarm(model_name, "e2"), services, clock=lambda: 2000.0 + COOLDOWN - 1)
    after = begin(alarm(model_name, "e3"), services, clock=lambda: 2000.0 + COOLDOWN + 1)

    assert during["suppressed"] and during["reason"].startswith(f"retraining cooldown after run {first['run_id']}")
    assert not after["suppressed"]


def test_an_upload_during_an_alarm_run_waits_for_it_and_is_not_held_back_by_its_cooldown(services, model_name):
    automatic = begin(alarm(model_name, "e1"), services, clock=lambda: 1000.0)
    waiting = begin(upload(model_name, "v1"), services, clock=lambda: 1001.0)
    finish(done(automatic), services, clock=lambda: 1002.0)
    uploaded = begin(upload(model_name, "v1"), services, clock=lambda: 1017.0)  # the same execution, after its wait
    blocked = begin(alarm(model_name, "e2"), services, clock=lambda: 1018.0)
    finish(done(uploaded), services, clock=lambda: 1019.0)
    accepted = begin(alarm(model_name, "e3"), services, clock=lambda: 1020.0)

    assert waiting["queued"] and waiting["waiting_for"] == automatic["run_id"]
    assert not uploaded["queued"] and not uploaded["duplicate"] and uploaded["run_id"] == waiting["run_id"]
    assert blocked["reason"] == f"run {uploaded['run_id']} in progress"
    assert not accepted["suppressed"]  # an upload's run leaves no cooldown


def test_two_uploads_of_one_model_run_one_after_the_other(services, model_name):
    first = begin(upload(model_name, "v1"), services, clock=lambda: 1000.0)
    second = begin(upload(model_name, "v2"), services, clock=lambda: 1001.0)
    finish(done(first), services, clock=lambda: 1002.0)
    resumed = begin(upload(model_name, "v2"), services, clock=lambda: 1016.0)

    assert not first["queued"] and second["queued"] and not resumed["queued"]
    assert services.runs.get(model_name, second["run_id"])["queued_behind"] == first["run_id"]


def test_a_redelivered_alarm_event_is_a_duplicate_not_a_suppression(services, model_name):
    first = begin(alarm(model_name, "e1"), services, clock=lambda: 1000.0)
    again = begin(alarm(model_name, "e1", execution="another-delivery"), services, clock=lambda: 1001.0)

    assert again["duplicate"] and not again["suppressed"] and again["run_id"] == first["run_id"]
    assert services.runs.get(model_name, first["run_id"])["duplicates"] == 1


def test_a_run_that_never_finishes_holds_the_lease_for_the_state_machine_timeout_only(services, model_name):
    begin(alarm(model_name, "e1"), services, clock=lambda: 1000.0)

    assert begin(alarm(model_name, "e2"), services, clock=lambda: 1000.0 + LEASE_SECONDS - 1)["suppressed"]
    assert not begin(alarm(model_name, "e3"), services, clock=lambda: 1000.0 + LEASE_SECONDS + 1)["suppressed"]


def test_the_lease_is_not_listed_as_a_run(services, model_name):
    run = begin(alarm(model_name, "e1"), services, clock=lambda: 1000.0)
    finish(done(run), services, clock=lambda: 1001.0)

    assert [r["run_id"] for r in services.runs.list(model_name)] == [run["run_id"]]
    assert services.runs.get(model_name, run["run_id"])["status"] == SUCCEEDED


def test_an_alarm_run_with_nothing_new_to_train_on_is_closed_as_suppressed_and_starts_the_cooldown(services,
                                                                                                    model_name):
    run = begin(alarm(model_name, "e1"), services, clock=lambda: 1000.0)
    reason = "nothing changed since v1 was trained: the same upload"

    outcome = finish({"run": run, "skipped": reason}, services, clock=lambda: 1001.0)
    during = begin(alarm(model_name, "e2"), services, clock=lambda: 1001.0 + COOLDOWN - 1)

    record = services.runs.get(model_name, run["run_id"])
    assert outcome == {"model": model_name, "run_id": run["run_id"], "status": SUPPRESSED, "reason": reason}
    assert (record["status"], record["reason"]) == (SUPPRESSED, reason) and record["finished_at"]
    assert during["suppressed"] and during["reason"].startswith(f"retraining cooldown after run {run['run_id']}")
