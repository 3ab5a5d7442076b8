"""The inference URL of the local runtime: the real handler behind HTTP, serving what the pipeline registered."""

import http.client
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import numpy as np
import pytest
from mlops_core.aws.objects import S3Object
from mlops_core.serving.onnx_model import OnnxModel

from mlops_cli import operations
from tests.conftest import load_event
from tests.e2e.conftest import RECORD, mlops

pytestmark = pytest.mark.e2e

REFRESH_SECONDS = 2  # AliasRefreshSeconds in samconfig.toml's `local` environment


def call(url: str, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url + path, data=body, method=method,
                                     headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def predict(url: str, model: str, records: list[dict]) -> tuple[int, dict]:
    return call(url, "POST", f"models/{model}/predict", json.dumps({"records": records}).encode())


def served_version_within(url: str, model: str, version: int, seconds: float) -> float | None:
    """Seconds until `version` answers, or None if it did not within `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        status, body = predict(url, model, [RECORD])
        if status == 200 and body["version"] == version:
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def test_a_prediction_round_trip_through_the_local_url(served):
    stack, model, url = served
    records = [RECORD, {**RECORD, "tenure_months": 70, "contract_type": "two_year", "age": 61.0}]

    status, body = predict(url, model, records)

    assert status == 200, body
    assert (body["model"], body["version"]) == (model, 2) and body["request_id"]
    record = stack.registry.get_version(model, 2)
    artifact = stack.store.get_bytes(S3Object.parse(record["artifact"]["uri"]), record["artifact"]["sha256"])
    expected = OnnxModel.load(artifact).predict(
        {name: np.array([r[name] if r[name] is not None else np.nan for r in records]) for name in RECORD})
    assert [p["label"] for p in body["predictions"]] == list(expected.values)
    served_probabilities = [[p["probabilities"][c] for c in expected.classes] for p in body["predictions"]]
    assert np.allclose(served_probabilities, expected.probabilities, atol=1e-6)


def test_describe_shows_the_champion_with_its_lineage_and_request_schema(served):
    stack, model, url = served

    status, body = call(url, "GET", f"models/{model}")

    record = stack.registry.get_version(model, 2)
    assert status == 200
    assert (body["version"], body["run_id"], body["artifact_sha256"]) == (2, record["run_id"],
                                                                          record["artifact"]["sha256"])
    assert body["data"]["version_id"] == record["data"]["version_id"]
    assert body["contract"]["sha256"] == record["contract"]["sha256"] and "roc_auc" in body["metrics"]
    assert set(body["request_schema"]["properties"]["records"]["items"]["required"]) == set(RECORD)


def test_requests_and_predictions_are_captured_under_an_hourly_prefix(served):
    stack, model, url = served
    _, answer = predict(url, model, [RECORD])

    entries = captured(stack, "capture", model)

    entry = next(e for e in entries if e["request_id"] == answer["request_id"])
    assert entry["records"] == [RECORD] and entry["predictions"] == answer["predictions"]
    assert entry["version"] == 2


def test_feedback_is_stored_with_the_request_id_and_checked_against_the_target(served):
    stack, model, url = served
    _, answer = predict(url, model, [RECORD, RECORD])
    labels = [{"request_id": answer["request_id"], "row": 1, "label": "yes"}]

    status, body = call(url, "POST", f"models/{model}/feedback", json.dumps({"labels": labels}).encode())
    refused, error = call(url, "POST", f"models/{model}/feedback",
                          json.dumps({"labels": [{**labels[0], "label": "maybe"}]}).encode())

    assert (status, body["accepted"]) == (202, 1)
    stored = [e for e in captured(stack, "feedback", model) if e["request_id"] == answer["request_id"]]
    assert [(e["row"], e["label"]) for e in stored] == [(1, "yes")]
    assert refused == 422 and "labels[0].label" in error["error"]


def test_a_rollback_then_a_promotion_are_served_within_the_refresh_interval_without_a_restart(served):
    stack, model, url = served

    operations.rollback(stack, model, "test: roll back")
    rolled_back = served_version_within(url, model, 1, REFRESH_SECONDS + 3)
    operations.promote(stack, model, 2, "test: promote again")
    promoted = served_version_within(url, model, 2, REFRESH_SECONDS + 3)

    assert rolled_back is not None and promoted is not None


def test_a_tampered_artifact_is_refused_and_the_cached_model_keeps_serving(served):
    stack, model, url = served
    record = stack.registry.get_version(model, 3)
    location = S3Object.parse(record["artifact"]["uri"])
    original = stack.store.get_bytes(location)
    tampered = bytearray(original)
    tampered[len(tampered) // 2] ^= 0x01
    stack.store.client.put_object(Bucket=location.bucket, Key=location.key, Body=bytes(tampered))
    try:
        operations.promote(stack, model, 3, "test: promote a tampered version")
        time.sleep(REFRESH_SECONDS + 0.5)

        status, answer = predict(url, model, [RECORD])
        _, described = call(url, "GET", f"models/{model}")
    finally:
        operations.promote(stack, model, 2, "test: back to the good version")

    assert (status, answer["version"]) == (200, 2)
    assert described["refused"]["version"] == 3
    assert "sha256" in described["refused"]["error"] and "refusing to load" in described["refused"]["error"]


def test_a_model_without_a_champion_is_a_404_naming_it(served, model_name):
    _, _, url = served

    status, body = predict(url, model_name, [RECORD])

    assert status == 404 and model_name in body["error"]


def captured(stack, prefix: str, model: str) -> list[dict]:
    bucket = stack.outputs["CaptureBucketName"]
    keys = [o["Key"] for o in stack.store.client.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/{model}/")
            .get("Contents", [])]
    assert all("/date=" in key and "/hour=" in key for key in keys)
    return [json.loads(line) for key in keys for line in stack.store.get_bytes(S3Object(bucket, key)).splitlines()]


def body(doc) -> bytes:
    return json.dumps(doc).encode()


def records(*changes: dict, drop: str | None = None) -> bytes:
    record = {key: value for key, value in RECORD.items() if key != drop}
    return body({"records": [{**record, **change} for change in changes or ({},)]})


BINARY = {"content-type": "application/octet-stream"}
NO_TYPE = {"content-type": ""}  # Lambda base64-encodes a body it has no text type for

# (case, method, path, body, headers, status, what the error must name); {model} is the served model.
MALFORMED = [
    ("invalid JSON", "POST", "predict", b'{"records": [', None, 400, "body"),
    ("empty body", "POST", "predict", b"", None, 400, "body"),
    ("a JSON array instead of an object", "POST", "predict", body([RECORD]), None, 422, "body"),
    ("no records field", "POST", "predict", body({"rows": [RECORD]}), None, 422, "rows"),
    ("records is a string", "POST", "predict", body({"records": "x"}), None, 422, "records"),
    ("records is empty", "POST", "predict", body({"records": []}), None, 422, "records"),
    ("a record is a number", "POST", "predict", body({"records": [1]}), None, 422, "records[0]"),
    ("an unknown top-level field", "POST", "predict", body({"records": [RECORD], "debug": 1}), None, 422,
     "debug"),
    ("a missing feature", "POST", "predict", records(drop="support_calls"), None, 422, "records[0].support_calls"),
    ("an extra feature", "POST", "predict", records({"zip": "10001"}), None, 422, "records[0].zip"),
    ("the target as a feature", "POST", "predict", records({"churned": "no"}), None, 422, "records[0].churned"),
    ("a number sent as a string", "POST", "predict", records({"monthly_charges": "99.5"}), None, 422,
     "records[0].monthly_charges"),
    ("a boolean for a number", "POST", "predict", records({"support_calls": True}), None, 422,
     "records[0].support_calls"),
    ("null in a non-nullable column", "POST", "predict", records({"tenure_months": None}), None, 422,
     "records[0].tenure_months"),
    ("a fraction in an integer column", "POST", "predict", records({"tenure_months": 2.5}), None, 422,
     "records[0].tenure_months"),
    ("below the contract's minimum", "POST", "predict", records({"tenure_months": -1}), None, 422,
     "records[0].tenure_months"),
    ("above the contract's maximum", "POST", "predict", records({"age": 150}), None, 422, "records[0].age"),
    ("a category outside the contract", "POST", "predict", records({"contract_type": "lifetime"}), None, 422,
     "records[0].contract_type"),
    ("a number for a category", "POST", "predict", records({"payment_method": 3}), None, 422,
     "records[0].payment_method"),
    ("a list for a category", "POST", "predict", records({"payment_method": ["card"]}), None, 422,
     "records[0].payment_method"),
    ("a huge text category", "POST", "predict", records({"contract_type": "x" * 100_000}), None, 422,
     "records[0].contract_type"),
    ("NaN", "POST", "predict", b'{"records": [{"monthly_charges": NaN}]}', None, 400, "body"),
    ("Infinity", "POST", "predict", b'{"records": [{"monthly_charges": -Infinity}]}', None, 400, "body"),
    ("a number that overflows to infinity", "POST", "predict",
     records(drop="monthly_charges").replace(b'"tenure_months"', b'"monthly_charges": 1e400, "tenure_months"'),
     None, 422, "records[0].monthly_charges"),
    ("an integer too large for a float", "POST", "predict", records({"support_calls": 10**400}), None, 422,
     "records[0].support_calls"),
    ("the fourth record is bad", "POST", "predict", records({}, {}, {}, {"age": "old"}), None, 422,
     "records[3].age"),
    ("more records than allowed", "POST", "predict", records(*[{}] * 1001), None, 413, "records"),
    ("a body over the handler's limit", "POST", "predict", records({"pad": "x" * 1_100_000}), None, 413, "body"),
    ("a body over Lambda's payload limit", "POST", "predict", b" " * 6_300_000, None, 413, "6291456"),
    ("deeply nested JSON", "POST", "predict", b"[" * 100_000 + b"]" * 100_000, None, 400, "body"),
    ("invalid UTF-8 in a base64 body", "POST", "predict", b'{"records": "\xff\xfe"}', NO_TYPE, 400, "UTF-8"),
    ("a binary content type", "POST", "predict", records(), BINARY, 415, "application/json"),
    ("form-encoded, as curl -d sends it", "POST", "predict", records(),
     {"content-type": "application/x-www-form-urlencoded"}, 415, "application/json"),
    ("text/plain", "POST", "predict", records(), {"content-type": "text/plain"}, 415, "application/json"),
    ("JSON in another charset", "POST", "predict", records(), {"content-type": "application/json; charset=latin-1"},
     415, "UTF-8"),
    ("feedback as CSV", "POST", "feedback", b"request_id,label\nr,yes\n", {"content-type": "text/csv"}, 415,
     "application/json"),
    ("a field name that does not print", "POST", "predict", records({"age\u200b": 1}), None, 422,
     "records[0].age\\\\u200b"),  # escaped in the message: its backslash doubled in the JSON
    ("an invalid model name", "POST", "models/Not.A.Name/predict", records(), None, 400, "name"),
    ("an unknown route", "GET", "models/{model}/versions", None, None, 404, "no route"),
    ("GET on the predict route", "GET", "predict", None, None, 404, "no route"),
    ("feedback without a request id", "POST", "feedback", body({"labels": [{"label": "yes"}]}), None, 422,
     "labels[0].request_id"),
    ("feedback with a negative row", "POST", "feedback", body({"labels": [{"request_id": "r", "row": -1,
                                                                           "label": "no"}]}), None, 422,
     "labels[0].row"),
    ("feedback with a label outside the target's classes", "POST", "feedback",
     body({"labels": [{"request_id": "r", "label": "maybe"}]}), None, 422, "labels[0].label"),
    ("feedback with no label", "POST", "feedback", body({"labels": [{"request_id": "r"}]}), None, 422,
     "labels[0].label"),
]


@pytest.mark.parametrize(("method", "path", "payload", "headers", "status", "names"),
                         [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED])
def test_a_malformed_request_gets_a_4xx_naming_what_is_wrong(served, method, path, payload, headers, status,
                                                             names):
    _, model, url = served
    route = f"models/{model}/{path}" if path in ("predict", "feedback") else path.format(model=model)

    answered, answer = call(url, method, route, payload, headers)

    assert (answered, names in json.dumps(answer)) == (status, True), answer


def test_a_body_without_a_content_type_or_with_the_utf8_charset_is_read_as_json(served):
    _, model, url = served
    location = urlsplit(url)
    connection = http.client.HTTPConnection(location.hostname, location.port, timeout=60)
    connection.request("POST", f"/models/{model}/predict", body=records())  # http.client sends no content type
    untyped = connection.getresponse()
    utf8, _ = call(url, "POST", f"models/{model}/predict", records(),
                   {"content-type": "application/json; charset=utf-8"})

    assert (untyped.status, json.loads(untyped.read())["version"], utf8) == (200, 2, 200)


def test_the_service_is_still_up_after_the_malformed_requests(served):
    _, model, url = served

    assert predict(url, model, [RECORD])[0] == 200


@pytest.mark.parametrize(("name", "status"), [("function_url_predict", 200), ("function_url_describe", 200),
                                              ("function_url_feedback", 202), ("function_url_health", 200)])
def test_the_sample_events_are_what_the_url_sends_and_the_handler_answers_them(served, cloud, name, status):
    _, model, _ = served
    sample = load_event(name)
    url_server = cloud._url_servers[0]
    sent = url_server.event(sample["requestContext"]["http"]["method"], sample["rawPath"], sample["headers"],
                            sample.get("body", "").encode() or None, "127.0.0.1")
    event = json.loads(json.dumps(sample).replace("/models/churn", f"/models/{model}"))

    payload, errored = cloud._invoke(url_server.function_name, event)

    assert set(sent) == set(sample)
    assert set(sent["requestContext"]) == set(sample["requestContext"]) - {"authorizer"}
    assert not errored and json.loads(payload)["statusCode"] == status, payload


def test_mlops_predict_and_feedback_from_another_process(served):
    _, model, _ = served

    predicted = mlops("predict", model, "--json", json.dumps([RECORD]))
    answer = json.loads(predicted.stdout)
    labelled = mlops("feedback", model, "--json", json.dumps([{"request_id": answer["request_id"], "label": "no"}]))
    refused = mlops("predict", model, "--json", json.dumps([{**RECORD, "age": "old"}]))

    assert predicted.returncode == 0 and answer["version"] == 2, predicted.stderr
    assert labelled.returncode == 0 and json.loads(labelled.stdout)["accepted"] == 1, labelled.stderr
    assert refused.returncode == 2 and "HTTP 422" in refused.stderr and "records[0].age" in refused.stderr

