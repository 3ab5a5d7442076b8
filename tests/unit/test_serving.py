"""Serving without AWS: the request schema, the model cache's refresh and refusal rules, capture, shadow scoring."""

import io
import json
import math

import numpy as np
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from mlops_core.aws.objects import ObjectStore, sha256_hex
from mlops_core.contract import Contract
from mlops_core.data.tabular import model_frame
from mlops_core.errors import (
    InvalidRequestError,
    ModelUnavailableError,
    NotFoundError,
    RequestError,
    RequestTooLargeError,
    UnsupportedMediaTypeError,
)
from mlops_core.serving.capture import CaptureBuffer
from mlops_core.serving.model_cache import CHALLENGER, ModelCache
from mlops_core.serving.onnx_model import OnnxModel
from mlops_core.serving.request_schema import RequestSchema, parse_body
from mlops_core.serving.service import InferenceService
from mlops_core.training.fitting import fit_trial
from mlops_core.training.onnx_export import export_onnx

from mlops_cli.samples import CHURN_CONTRACT, CHURN_RECORD, churn
from tests.broken_models import UNLOADABLE, unscorable

CONTRACT = Contract.from_dict(CHURN_CONTRACT)
RECORD = CHURN_RECORD


@pytest.fixture(scope="module")
def artifacts():
    """Two ONNX models of the churn contract: a logistic regression and a small forest."""
    from mlops_candidates.registry import catalog

    frame = model_frame(churn(800, seed=5), CONTRACT)
    configurations = [("logistic_regression", {}), ("random_forest", {"n_estimators": 5, "max_depth": 3})]
    pipelines = [catalog().get(name).pipeline(params, CONTRACT) for name, params in configurations]
    return [export_onnx(fit_trial(pipeline, frame, CONTRACT).pipeline, CONTRACT) for pipeline in pipelines]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeS3:
    """get_object/put_object over a dict, enough for ObjectStore."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self.fail_puts = False
        self.failing: dict[tuple[str, str], Exception] = {}
        self.gets = 0

    def get_object(self, Bucket, Key, **_):  # noqa: N803 - boto3's argument names
        self.gets += 1
        if (Bucket, Key) in self.failing:
            raise self.failing[(Bucket, Key)]
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)]), "VersionId": "v"}

    def put_object(self, Bucket, Key, Body, **_):  # noqa: N803
        if self.fail_puts:
            raise ConnectionError("S3 is unreachable")
        self.objects[(Bucket, Key)] = Body
        return {}


class FakeRegistry:
    """Versions and aliases in dicts; `reads` counts alias reads."""

    def __init__(self) -> None:
        self.versions: dict[int, dict] = {}
        self.aliases: dict[str, int] = {}
        self.reads = 0
        self.down = False
        self.failing: dict[str, Exception] = {}

    def alias(self, model, alias="champion"):
        self.reads += 1
        if self.down:
            raise ConnectionError("DynamoDB is unreachable")
        if alias in self.failing:
            raise self.failing[alias]
        return {"version": self.aliases[alias]} if alias in self.aliases else None

    def get_version(self, model, version):
        return self.versions[version]


@pytest.fixture
def world(artifacts):
    """A registry with v1 (logistic regression) and v2 (forest), v1 champion, and a cache refreshing every 30 s."""
    s3, registry, clock = FakeS3(), FakeRegistry(), Clock()
    s3.objects[("data", "contracts/churn.json")] = json.dumps(CONTRACT.to_dict()).encode()
    for version, body in enumerate(artifacts, start=1):
        s3.objects[("art", f"models/churn/{version}.onnx")] = body
        registry.versions[version] = {
            "version": version, "run_id": f"run-{version}", "created_at": "2026-11-28T00:00:00Z",
            "artifact": {"uri": f"s3://art/models/churn/{version}.onnx", "sha256": sha256_hex(body)},
            "contract": {"uri": "s3://data/contracts/churn.json", "sha256": CONTRACT.sha256}}
    registry.aliases["champion"] = 1
    cache = ModelCache(registry, ObjectStore(s3), refresh_seconds=30, clock=clock)
    return s3, registry, clock, cache


def test_a_request_becomes_one_feed_column_per_model_input_with_nulls_as_nan_or_empty(artifacts):
    model = OnnxModel.load(artifacts[0])
    schema = RequestSchema(CONTRACT, model.inputs)

    batch = schema.parse_predict({"records": [RECORD, {**RECORD, "age": 40}]})

    assert set(batch.feed) == set(model.inputs.values()) and batch.rows == 2
    assert batch.feed[model.inputs["tenure_months"]].shape == (2, 1)
    assert batch.feed[model.inputs["tenure_months"]].dtype == np.float32
    assert math.isnan(batch.feed[model.inputs["age"]][0, 0]) and batch.feed[model.inputs["age"]][1, 0] == 40
    assert batch.records[0] == RECORD
    assert model.run(batch.feed).values.shape == (2,)


def test_the_request_schema_is_json_schema_with_the_contract_constraints(artifacts):
    schema = RequestSchema(CONTRACT, OnnxModel.load(artifacts[0]).inputs).json_schema()

    item = schema["properties"]["records"]["items"]
    assert item["properties"]["tenure_months"] == {"type": "integer", "minimum": 0, "maximum": 120}
    assert item["properties"]["contract_type"]["enum"] == ["monthly", "yearly", "two_year"]
    assert item["properties"]["age"]["anyOf"][1] == {"type": "null"}
    assert item["additionalProperties"] is False and "churned" not in item["properties"]


@pytest.mark.parametrize(("body", "is_base64", "error"), [
    (None, False, RequestError),
    ("{", False, RequestError),
    ("//79", True, RequestError),  # base64 of bytes that are not UTF-8
    ("not base64!", True, RequestError),
    ('{"a": NaN}', False, RequestError),
    ("[" * 50_000 + "]" * 50_000, False, RequestError),
    ("x" * 2_000_000, False, RequestTooLargeError),
])
def test_a_body_that_is_not_usable_json_is_a_request_error(body, is_base64, error):
    with pytest.raises(error, match="body"):
        parse_body(body, is_base64)


def test_feedback_labels_are_checked_against_the_target_column(artifacts):
    schema = RequestSchema(CONTRACT, OnnxModel.load(artifacts[0]).inputs)

    labels = schema.parse_feedback({"labels": [{"request_id": "r1", "label": "yes"},
                                               {"request_id": "r1", "row": 3, "label": "no"}]})

    assert [(label.request_id, label.row, label.label) for label in labels] == [("r1", 0, "yes"), ("r1", 3, "no")]
    with pytest.raises(InvalidRequestError, match=r"labels\[0\].label"):
        schema.parse_feedback({"labels": [{"request_id": "r1", "label": 1}]})


def test_the_cache_serves_the_champion_and_rereads_the_alias_only_after_the_refresh_interval(world):
    _, registry, clock, cache = world
    assert cache.resolve("churn").version == 1

    registry.aliases["champion"] = 2
    clock.now = 29.9
    before_refresh = cache.resolve("churn").version
    clock.now = 30.0
    after_refresh = cache.resolve("churn").version

    assert (before_refresh, after_refresh, registry.reads) == (1, 2, 2)


def test_a_tampered_artifact_is_refused_and_the_previous_version_keeps_serving(world):
    s3, registry, clock, cache = world
    cache.resolve("churn")
    tampered = bytearray(s3.objects[("art", "models/churn/2.onnx")])
    tampered[100] ^= 0xFF
    s3.objects[("art", "models/churn/2.onnx")] = bytes(tampered)

    registry.aliases["champion"] = 2
    clock.now = 31
    served = cache.resolve("churn")

    assert served.version == 1
    assert cache.state("churn").refused["version"] == 2
    assert "sha256" in cache.state("churn").refused["error"]


def test_with_nothing_loaded_a_refused_champion_is_unavailable_with_the_reason(world):
    s3, _, _, cache = world
    s3.objects[("art", "models/churn/1.onnx")] = b"not the registered bytes"

    with pytest.raises(ModelUnavailableError, match="sha256"):
        cache.resolve("churn")


def test_an_unreachable_registry_does_not_stop_a_loaded_model_from_serving(world):
    _, registry, clock, cache = world
    cache.resolve("churn")

    registry.down, clock.now = True, 60

    assert cache.resolve("churn").version == 1


def test_a_model_evicted_from_the_cache_is_loaded_again_when_asked_for(world, monkeypatch):
    s3, registry, _, cache = world
    monkeypatch.setattr("mlops_core.serving.model_cache.MAX_MODELS", 1)
    registry.aliases[CHALLENGER] = 2

    first = cache.resolve("churn").version
    challenger = cache.resolve("churn", CHALLENGER).version
    again = cache.resolve("churn").version

    assert (first, challenger, again) == (1, 2, 1) and cache.loaded() == ["churn v1"]


def test_a_model_without_the_alias_is_not_found_and_a_bad_name_is_a_request_error(world):
    _, _, _, cache = world

    with pytest.raises(NotFoundError, match="challenger"):
        cache.resolve("churn", CHALLENGER)
    with pytest.raises(RequestError, match="name"):
        cache.resolve("Churn!")


def service(world, sample_rate=1.0):
    s3, _, clock, cache = world
    capture = CaptureBuffer(ObjectStore(s3), "capture", sample_rate=sample_rate, max_records=3, max_seconds=60,
                            clock=clock)
    return InferenceService(cache, capture, ObjectStore(s3), "capture")


def captured(s3) -> list[dict]:
    return [json.loads(line) for (bucket, _), body in sorted(s3.objects.items()) if bucket == "capture"
            for line in body.splitlines()]


def test_captures_are_written_in_batches_when_full_or_old_enough(world):
    s3, _, clock, _ = world
    inference = service(world)

    for i in range(2):
        inference.predict("churn", {"records": [RECORD]}, f"r{i}")
        inference.after_request()
    unwritten = captured(s3)
    inference.predict("churn", {"records": [RECORD]}, "r2")
    inference.after_request()
    full_batch = [entry["request_id"] for entry in captured(s3)]
    inference.predict("churn", {"records": [RECORD]}, "r3")
    clock.now = 61
    inference.after_request()

    assert unwritten == [] and full_batch == ["r0", "r1", "r2"]
    assert sorted(entry["request_id"] for entry in captured(s3)) == ["r0", "r1", "r2", "r3"]


def test_a_capture_failure_never_fails_the_request_and_the_batch_is_retried(world):
    s3, _, clock, _ = world
    inference = service(world)
    s3.fail_puts = True

    answers = []
    for i in range(3):
        answers.append(inference.predict("churn", {"records": [RECORD]}, f"r{i}"))
        inference.after_request()
    s3.fail_puts = False
    inference.after_request()

    assert all(answer["version"] == 1 for answer in answers)
    assert [entry["request_id"] for entry in captured(s3)] == ["r0", "r1", "r2"]


def test_sampling_captures_only_the_configured_share(world):
    s3, _, _, cache = world
    draws = iter([0.05, 0.5, 0.09, 0.95])
    capture = CaptureBuffer(ObjectStore(s3), "capture", sample_rate=0.1, max_records=1, sample=lambda: next(draws))
    inference = InferenceService(cache, capture, ObjectStore(s3), "capture")

    for i in range(4):
        inference.predict("churn", {"records": [RECORD]}, f"r{i}")
        inference.after_request()

    assert sorted(entry["request_id"] for entry in captured(s3)) == ["r0", "r2"]


def test_a_challenger_is_scored_in_the_shadow_and_captured_beside_the_champion(world):
    s3, registry, _, _ = world
    registry.aliases[CHALLENGER] = 2
    inference = service(world)

    answer = inference.predict("churn", {"records": [RECORD, RECORD]}, "r0")
    inference.capture.flush()

    entry = captured(s3)[0]
    assert answer["version"] == 1 and "challenger" not in answer
    assert entry["challenger"]["version"] == 2 and len(entry["challenger"]["predictions"]) == 2
    assert entry["challenger"]["ms"] >= 0


def test_a_broken_challenger_is_recorded_and_the_champion_still_answers(world):
    s3, registry, _, _ = world
    registry.aliases[CHALLENGER] = 2
    s3.objects[("art", "models/churn/2.onnx")] = b"tampered"
    inference = service(world)

    answer = inference.predict("churn", {"records": [RECORD]}, "r0")
    inference.capture.flush()

    assert answer["version"] == 1
    assert "sha256" in captured(s3)[0]["challenger"]["error"]


THROTTLED = ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                        "GetItem")
UNREACHABLE = EndpointConnectionError(endpoint_url="https://s3.example")


def break_challenger(world, fault: str) -> None:
    """Make v2 the challenger, failing in one of the ways a challenger fails."""
    s3, registry, _, _ = world
    registry.aliases[CHALLENGER] = 2
    if fault == "registry":
        registry.failing[CHALLENGER] = THROTTLED
    elif fault == "s3":
        s3.failing[("art", "models/churn/2.onnx")] = UNREACHABLE
    else:
        body = UNLOADABLE if fault == "onnx load" else unscorable(s3.objects[("art", "models/churn/2.onnx")])
        s3.objects[("art", "models/churn/2.onnx")] = body
        registry.versions[2]["artifact"]["sha256"] = sha256_hex(body)


CHALLENGER_FAULTS = {"registry": "ClientError", "s3": "EndpointConnectionError", "onnx load": "InvalidProtobuf",
                     "onnx run": "InvalidArgument"}


@pytest.mark.parametrize(("fault", "error_type"), CHALLENGER_FAULTS.items(), ids=list(CHALLENGER_FAULTS))
def test_whatever_the_challenger_raises_the_champion_answers_and_the_error_is_captured_and_counted(
        world, fault, error_type):
    s3, _, clock, _ = world
    alone = service(world).predict("churn", {"records": [RECORD]}, "r0")
    break_challenger(world, fault)
    clock.now = 31  # the cache reads the challenger alias again
    inference = service(world)

    answer = inference.predict("churn", {"records": [RECORD]}, "r1")
    _, metrics = inference.request_metrics("/models/churn/predict", 200, 1.0)
    inference.capture.flush()

    assert answer["predictions"] == alone["predictions"] and answer["version"] == 1
    [entry] = [entry for entry in captured(s3) if entry["request_id"] == "r1"]
    assert entry["predictions"] == answer["predictions"]
    assert entry["challenger"]["error_type"] == error_type and entry["challenger"]["error"]
    assert metrics["ChallengerErrors"] == 1.0


@pytest.mark.parametrize("fault", ["registry", "s3"])
def test_a_failing_challenger_is_tried_again_only_after_the_refresh_interval(world, fault):
    s3, registry, clock, _ = world
    break_challenger(world, fault)
    inference = service(world)
    inference.predict("churn", {"records": [RECORD]}, "r0")
    calls = (registry.reads, s3.gets)

    inference.predict("churn", {"records": [RECORD]}, "r1")
    within = (registry.reads, s3.gets)
    clock.now = 31
    inference.predict("churn", {"records": [RECORD]}, "r2")

    assert within == calls and registry.reads > within[0]


def test_challenger_errors_are_counted_only_for_requests_that_scored_a_challenger(world):
    _, registry, clock, _ = world
    inference = service(world)
    inference.predict("churn", {"records": [RECORD]}, "r0")
    alone = inference.request_metrics("/models/churn/predict", 200, 1.0)[1]
    registry.aliases[CHALLENGER], clock.now = 2, 31
    inference.predict("churn", {"records": [RECORD]}, "r1")
    shadowed = inference.request_metrics("/models/churn/predict", 200, 1.0)[1]
    health = inference.request_metrics("/health", 200, 1.0)[1]

    assert "ChallengerErrors" not in alone and "ChallengerErrors" not in health
    assert shadowed["ChallengerErrors"] == 0.0


def test_a_champion_version_onnx_runtime_cannot_load_is_refused_and_the_previous_one_serves(world):
    s3, registry, clock, cache = world
    cache.resolve("churn")
    s3.objects[("art", "models/churn/2.onnx")] = UNLOADABLE
    registry.versions[2]["artifact"]["sha256"] = sha256_hex(UNLOADABLE)

    registry.aliases["champion"], clock.now = 2, 31
    served = cache.resolve("churn")

    assert served.version == 1 and "INVALID_PROTOBUF" in cache.state("churn").refused["error"]


def test_with_nothing_loaded_an_unreadable_registry_makes_the_model_unavailable_until_the_next_refresh(world):
    _, registry, clock, cache = world
    registry.failing["champion"] = THROTTLED

    with pytest.raises(ModelUnavailableError, match="registry"):
        cache.resolve("churn")
    reads = registry.reads
    with pytest.raises(ModelUnavailableError, match="registry"):
        cache.resolve("churn")
    del registry.failing["champion"]
    clock.now = 31

    assert registry.reads == reads and cache.resolve("churn").version == 1


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=UTF-8",
                                          'application/json;charset="utf-8"', "application/vnd.api+json", None, ""])
def test_json_content_types_and_none_are_read_as_json(content_type):
    assert parse_body('{"records": []}', False, content_type) == {"records": []}


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "text/csv",
                                          "application/octet-stream", "multipart/form-data; boundary=x",
                                          "application/json; charset=latin-1", "application/jsonx", "json",
                                          "\ufeffapplication/json"])
def test_any_other_content_type_is_refused_with_415_naming_json(content_type):
    with pytest.raises(UnsupportedMediaTypeError, match="application/json") as refused:
        parse_body('{"records": []}', False, content_type)

    assert refused.value.status == 415


@pytest.mark.parametrize("name", ["\ufeffage", "age\u200b", "a\tb", "age\xa0", "\ud800"])
def test_a_field_name_that_does_not_print_is_escaped_in_the_error(artifacts, name):
    schema = RequestSchema(CONTRACT, OnnxModel.load(artifacts[0]).inputs)

    with pytest.raises(InvalidRequestError) as refused:
        schema.parse_predict({"records": [{**RECORD, name: 1}]})

    assert str(refused.value).startswith("records[0]." + name.encode("unicode_escape").decode())
    assert str(refused.value).isprintable()
