"""When an alarm run has nothing new to train on: a registered version was trained on exactly its training set."""

from mlops_core.aws.objects import S3Object, sha256_hex
from mlops_core.pipeline.steps.assemble import trained_on_already

UPLOAD = S3Object("data", "incoming/churn/customers.csv", "v-1")
CONTRACT = "c" * 64


def version(number: int, uri: str, version_id: str | None, sha256: str, contract: str = CONTRACT) -> dict:
    return {"version": number, "data": {"uri": uri, "version_id": version_id, "sha256": sha256},
            "contract": {"sha256": contract}}


def test_the_same_upload_without_labeled_feedback_is_what_the_version_trained_on():
    same = trained_on_already([version(1, UPLOAD.uri, "v-1", "a" * 64)], UPLOAD, None, CONTRACT)

    assert same["version"] == 1
    assert same["reason"].startswith(f"nothing changed since v1 was trained: the same upload {UPLOAD.uri} (S3 version "
                                     "v-1) and no new labeled feedback")


def test_another_s3_version_of_the_upload_or_another_contract_is_something_new():
    versions = [version(1, UPLOAD.uri, "v-0", "a" * 64), version(2, UPLOAD.uri, "v-1", "b" * 64, contract="d" * 64)]

    assert trained_on_already(versions, UPLOAD, None, CONTRACT) is None


def test_the_upload_plus_the_same_labeled_rows_is_the_training_set_a_version_trained_on():
    body = b"tenure,churned\n3,yes\n7,no\n"
    versions = [version(1, UPLOAD.uri, "v-1", "a" * 64),
                version(2, "s3://artifacts/runs/churn/alarm-1/training-data-1.csv", None, sha256_hex(body))]

    assert trained_on_already(versions, UPLOAD, body, CONTRACT)["version"] == 2
    assert trained_on_already(versions, UPLOAD, body + b"9,yes\n", CONTRACT) is None  # one new labeled row
