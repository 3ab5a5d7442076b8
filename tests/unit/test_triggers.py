import pytest
from mlops_core.pipeline.triggers import (
    REJECTED_TRIGGERS,
    InvalidTriggerError,
    parse_trigger,
    rejected_trigger,
    run_key,
)

from tests.conftest import load_event


def test_an_upload_names_the_model_by_its_folder():
    trigger = parse_trigger(load_event("s3_object_created"))

    assert trigger.kind == "upload"
    assert trigger.model == "churn"
    assert trigger.dataset.key == "incoming/churn/customers-2026-11.csv"


def test_the_same_object_version_always_maps_to_the_same_run():
    event = load_event("s3_object_created")
    redelivered = {**event, "id": "another-delivery-id"}

    assert parse_trigger(event).run_id == parse_trigger(redelivered).run_id


def test_a_new_object_version_is_a_new_run():
    event = load_event("s3_object_created")
    newer = {**event, "detail": {**event["detail"], "object": {**event["detail"]["object"], "version-id": "v2"}}}

    assert parse_trigger(event).run_id != parse_trigger(newer).run_id


@pytest.mark.parametrize("key", ["incoming/data.csv", "incoming/Bad Name/data.csv", "elsewhere/churn/data.csv",
                                 "incoming/churn/"])
def test_a_key_outside_a_model_folder_is_rejected(key):
    event = load_event("s3_object_created")
    event["detail"]["object"]["key"] = key

    with pytest.raises(InvalidTriggerError):
        parse_trigger(event)


def test_a_manual_trigger_needs_a_request_id():
    with pytest.raises(InvalidTriggerError, match="request_id"):
        parse_trigger({"trigger": "manual", "dataset_uri": "s3://b/incoming/churn/x.csv"})


def test_an_unrelated_event_is_rejected():
    with pytest.raises(InvalidTriggerError, match="unrecognised"):
        parse_trigger({"source": "aws.ec2"})


def test_an_alarm_names_its_model_by_the_metric_dimension_and_keeps_its_cause():
    trigger = parse_trigger(load_event("alarm_state_change"))

    assert (trigger.kind, trigger.model, trigger.dataset, trigger.automatic) == ("alarm", "churn", None, True)
    assert trigger.cause["alarm"] == "serverless-mlops-model-churn-drift" and trigger.cause["metric"] == "DriftScore"
    assert trigger.to_dict()["dataset"] is None


def test_each_alarm_event_is_its_own_run_and_its_redelivery_the_same_run():
    event = load_event("alarm_state_change")

    assert parse_trigger(event).run_id == parse_trigger(dict(event)).run_id
    assert parse_trigger(event).run_id != parse_trigger({**event, "id": "another-event"}).run_id


def test_an_alarm_going_back_to_ok_starts_nothing():
    event = load_event("alarm_state_change")
    event["detail"]["state"]["value"] = "OK"

    with pytest.raises(InvalidTriggerError, match="not ALARM"):
        parse_trigger(event)


def test_a_scheduled_trigger_is_one_run_per_model_and_period():
    first = parse_trigger({"trigger": "schedule", "model": "churn", "period": "every-24h-20420"})
    again = parse_trigger({"trigger": "schedule", "model": "churn", "period": "every-24h-20420"})

    assert first.kind == "schedule" and first.run_id == again.run_id
    with pytest.raises(InvalidTriggerError):
        parse_trigger({"trigger": "schedule", "model": "Bad Name", "period": "p"})


def test_a_rejected_upload_is_recorded_by_its_key_and_a_redelivery_is_the_same_record():
    event = load_event("s3_object_created")
    event["detail"]["object"]["key"] = "incoming/Churn/data.csv"

    record = rejected_trigger(event)

    assert (record["model"], record["trigger"]) == (REJECTED_TRIGGERS, "upload")
    assert record["key"] == "incoming/Churn/data.csv"
    assert rejected_trigger({**event, "id": "another-delivery"})["run_id"] == record["run_id"]
    assert run_key(event) == (REJECTED_TRIGGERS, record["run_id"])


def test_an_execution_input_maps_to_the_run_it_makes():
    event = load_event("s3_object_created")

    assert run_key(event) == ("churn", parse_trigger(event).run_id)


@pytest.mark.parametrize("event", [[], {"source": "aws.s3", "detail-type": "Object Created"},
                                   {"source": "aws.s3", "detail-type": "Object Created", "detail": {"object": 3}},
                                   {"trigger": "manual", "dataset_uri": 7, "request_id": "r"}])
def test_a_malformed_event_is_an_invalid_trigger_never_another_error(event):
    with pytest.raises(InvalidTriggerError):
        parse_trigger(event)
    assert rejected_trigger(event)["run_id"].startswith("rejected-")
