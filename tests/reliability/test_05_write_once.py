"""Property 5: artifacts and datasets are never overwritten."""

import hashlib

import pytest
from mlops_core.aws.objects import S3Object, sha256_hex
from mlops_core.errors import ArtifactIntegrityError


def test_an_artifact_key_keeps_its_first_bytes_whatever_is_written_after(stack, model_name, figure):
    target = S3Object(stack.outputs["ArtifactBucketName"], f"models/{model_name}/run/model.onnx")
    original = b"the first model"
    stack.store.put_once(target, original)

    attempts = [b"a second model", b"", original + b"!"]
    for body in attempts:
        with pytest.raises(ArtifactIntegrityError, match="write-once"):
            stack.store.put_once(target, body)

    versions = stack.store.client.list_object_versions(Bucket=target.bucket, Prefix=target.key)["Versions"]
    assert stack.store.get_bytes(target, sha256_hex(original)) == original and len(versions) == 1
    figure(5, f"{len(attempts)} overwrites of an artifact refused (If-None-Match), 1 object version, "
              "original sha256 intact")


def test_an_uploaded_dataset_replaced_under_the_same_key_stays_readable_as_it_was(stack, model_name, figure):
    key = f"incoming/{model_name}/data.csv"
    first = stack.store.client.put_object(Bucket=stack.data_bucket, Key=key, Body=b"a,b\n1,2\n")
    stack.store.client.put_object(Bucket=stack.data_bucket, Key=key, Body=b"a,b\n3,4\n")

    versions = stack.store.client.list_object_versions(Bucket=stack.data_bucket, Prefix=key)["Versions"]
    assert len(versions) == 2
    pinned = S3Object(stack.data_bucket, key, first["VersionId"])
    path, digest = stack.store.download(pinned, hashlib.sha256(b"a,b\n1,2\n").hexdigest())
    assert path.read_bytes() == b"a,b\n1,2\n"
    path.unlink()
    with pytest.raises(ArtifactIntegrityError):
        stack.store.download(S3Object(stack.data_bucket, key), digest)  # the newer bytes do not pass as the old
    figure(5, f"a dataset key written twice: {len(versions)} S3 versions; the run's pinned version reads its "
              "original bytes (sha256 checked), the newer bytes are refused under the old hash")


def test_a_version_number_is_never_reused_for_another_record(stack, model_name, figure):
    version = stack.registry.register(model_name, "run-a", {"note": "first"})
    put = {"Put": {"TableName": stack.registry.table, "ConditionExpression": "attribute_not_exists(sk)",
                   "Item": {"model": {"S": model_name}, "sk": {"S": f"V#{version:06d}"}, "version": {"N": "1"}}}}

    with pytest.raises(Exception, match="ConditionalCheckFailed|TransactionCanceled"):
        stack.registry.client.transact_write_items(TransactItems=[put])
    assert stack.registry.get_version(model_name, version)["note"] == "first"
    figure(5, "a second write of an existing version record refused by its condition; the record unchanged")
