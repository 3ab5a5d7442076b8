"""The run store and the artifact store against moto's DynamoDB and S3."""

import pytest
from mlops_core.aws.objects import S3Object
from mlops_core.errors import ArtifactIntegrityError


def test_a_run_is_claimed_once_and_later_claims_are_counted(stack, model_name):
    record = {"model": model_name, "run_id": "upload-1", "trigger": "upload"}

    assert stack.runs.claim(record) is True
    assert stack.runs.claim(record) is False
    assert stack.runs.claim(record) is False

    assert stack.runs.get(model_name, "upload-1")["duplicates"] == 2


def test_a_step_records_its_outcome_even_when_it_fails(stack, model_name):
    stack.runs.claim({"model": model_name, "run_id": "r", "trigger": "manual"})

    with pytest.raises(ValueError), stack.runs.step(model_name, "r", "validate"):
        raise ValueError("bad data")

    step = stack.runs.get(model_name, "r")["steps"]["validate"]
    assert (step["status"], step["error"], step["message"]) == ("FAILED", "ValueError", "bad data")


def test_a_write_once_key_keeps_its_first_bytes(stack, model_name):
    target = S3Object(stack.outputs["ArtifactBucketName"], f"models/{model_name}/x.onnx")
    stack.store.put_once(target, b"original")

    with pytest.raises(ArtifactIntegrityError, match="write-once"):
        stack.store.put_once(target, b"tampered")

    assert stack.store.get_bytes(target) == b"original"


def test_rewriting_the_same_bytes_is_accepted_as_a_retry(stack, model_name):
    target = S3Object(stack.outputs["ArtifactBucketName"], f"models/{model_name}/y.onnx")

    assert stack.store.put_once(target, b"same") == stack.store.put_once(target, b"same")


def test_bytes_that_do_not_match_their_hash_are_refused(stack, model_name):
    target = S3Object(stack.outputs["ArtifactBucketName"], f"models/{model_name}/z.onnx")
    stack.store.put_once(target, b"model")

    with pytest.raises(ArtifactIntegrityError, match="refusing"):
        stack.store.get_bytes(target, sha256="0" * 64)
