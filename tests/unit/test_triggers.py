import pytest
from mlops_core.triggers import InvalidTriggerError, parse_trigger

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
