"""When Begin fails, on moto's DynamoDB: an invalid trigger is recorded as rejected; any other failure is recorded on
the run as FAILED and releases its lease, and never touches a run another execution owns."""

import json

import pytest
from botocore.exceptions import ClientError
from mlops_core.aws.run_store import FAILED, LEASE, REJECTED, RUNNING, RunStore
from mlops_core.config import Settings
from mlops_core.pipeline.run_lifecycle import begin, finish
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.triggers import REJECTED_TRIGGERS, run_key


class LostLeaseResponse(RunStore):
    """The lease write lands, then its response is lost: DynamoDB wrote it, the caller sees an error."""

    def acquire_lease(self, *args, **kwargs):
        super().acquire_lease(*args, **kwargs)
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "response lost"}}, "PutItem")


class UnreadableRuns(RunStore):
    """Every read of a run fails, before anything is claimed."""

    def get(self, model, run_id):
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                          "GetItem")


class DuplicatesUncountable(RunStore):
    def count_duplicate(self, model, run_id):
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "boom"}}, "UpdateItem")


def services_with(stack, runs_class=RunStore) -> Services:
    settings = Settings(stack.data_bucket, stack.outputs["ArtifactBucketName"], stack.outputs["RegistryTableName"],
                        stack.outputs["RunsTableName"], retrain_cooldown_seconds=600.0, run_retention_days=90)
    runs = runs_class(stack.runs.client, stack.outputs["RunsTableName"], settings.run_retention_days)
    return Services(settings, stack.store, stack.registry, runs)


def upload(model: str, version: str, execution: str | None = None, key: str | None = None) -> dict:
    return {"execution": execution or f"execution-{version}", "event": {
        "id": version, "source": "aws.s3", "detail-type": "Object Created", "detail": {
            "bucket": {"name": "data"}, "object": {"key": key or f"incoming/{model}/d.csv", "version-id": version}}}}


def failed_begin(begun: dict, error: Exception) -> dict:
    """What the state machine hands the Record failed begin state when Begin raised `error`."""
    cause = json.dumps({"errorMessage": str(error), "errorType": type(error).__name__})
    return {**begun, "error": {"Error": type(error).__name__, "Cause": cause}}


def test_a_failure_after_the_claim_is_recorded_on_the_run_and_releases_its_lease(stack, model_name):
    event = upload(model_name, "v1")
    with pytest.raises(ClientError) as raised:
        begin(event, services_with(stack, LostLeaseResponse), clock=lambda: 1000.0)
    services = services_with(stack)

    outcome = finish(failed_begin(event, raised.value), services, clock=lambda: 1001.0)

    model, run_id = run_key(event["event"])
    run, lease = services.runs.get(model, run_id), services.runs.get(model, LEASE)
    assert (run["status"], run["error"], outcome["status"]) == (FAILED, "ClientError", FAILED)
    assert "response lost" in run["message"]
    assert (lease["holder"], lease["held_until"]) == (run_id, 1001.0)
    assert not begin(upload(model_name, "v2"), services, clock=lambda: 1002.0)["queued"]


def test_a_failure_before_the_claim_leaves_a_failed_run_to_see(stack, model_name):
    event = upload(model_name, "v1")
    with pytest.raises(ClientError) as raised:
        begin(event, services_with(stack, UnreadableRuns), clock=lambda: 1000.0)
    services = services_with(stack)

    finish(failed_begin(event, raised.value), services, clock=lambda: 1001.0)

    [run] = services.runs.list(model_name)
    assert (run["status"], run["error"], run["execution"]) == (FAILED, "ClientError", "execution-v1")


def test_a_failed_begin_of_a_redelivery_leaves_the_run_and_lease_of_the_first_delivery_alone(stack, model_name):
    services = services_with(stack)
    first = begin(upload(model_name, "v1", execution="first"), services, clock=lambda: 1000.0)
    redelivery = upload(model_name, "v1", execution="second")
    with pytest.raises(ClientError) as raised:
        begin(redelivery, services_with(stack, DuplicatesUncountable), clock=lambda: 1001.0)

    finish(failed_begin(redelivery, raised.value), services, clock=lambda: 1002.0)

    run, lease = services.runs.get(model_name, first["run_id"]), services.runs.get(model_name, LEASE)
    assert (run["status"], run["execution"]) == (RUNNING, "first")
    assert lease["held_until"] > 1002.0


def test_a_trigger_naming_no_valid_model_is_recorded_once_with_its_key_and_reason(stack, model_name):
    services = services_with(stack)
    event = upload(model_name, "v1", key=f"incoming/{model_name.upper()}/data.csv")
    with pytest.raises(Exception) as raised:
        begin(event, services)

    first = finish(failed_begin(event, raised.value), services)
    finish(failed_begin({**event, "execution": "redelivered"}, raised.value), services)

    record = services.runs.get(REJECTED_TRIGGERS, first["run_id"])
    assert (record["status"], record["key"]) == (REJECTED, f"incoming/{model_name.upper()}/data.csv")
    assert record["duplicates"] == 1
    assert "is not a valid name: 1 to 63 characters" in record["reason"]
    assert services.runs.list(model_name) == []
