"""Property 16: the shadow challenger never fails the champion's answer. A challenger that S3 cannot be asked for,
that ONNX Runtime cannot load or cannot run, or whose bytes were tampered with, leaves every answer the champion's
own; its error is captured beside the request and counted in the `ChallengerErrors` metric."""

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from mlops_core.aws.objects import S3Object, sha256_hex

from mlops_cli import operations
from mlops_cli.samples import churn, records
from tests.broken_models import UNLOADABLE, unscorable
from tests.e2e.conftest import new_model, wait_for
from tests.e2e.test_inference_url import REFRESH_SECONDS, captured, predict

pytestmark = pytest.mark.e2e

REQUESTS = 6
BATCHES = [records(churn(3, seed=30 + i)) for i in range(REQUESTS)]
# fault -> the error type captured beside the request. The one that loads comes last: a challenger version that is
# refused leaves the one loaded before it in the shadow, as a refused champion leaves its predecessor serving.
FAULTS = {"S3 cannot be asked for the artifact (botocore)": "ParamValidationError",
          "ONNX Runtime cannot load it": "InvalidProtobuf",
          "its bytes were tampered with": "ArtifactIntegrityError",
          "ONNX Runtime loads it but cannot run it": "InvalidArgument"}


@pytest.fixture(scope="module")
def shadowed(cloud, tmp_path_factory):
    """A model with champion v1 and, before any challenger, the champion's answers to the requests."""
    from mlops_cli.stack import Stack

    stack = Stack.find(cloud.stack_name)
    model = new_model(stack, tmp_path_factory.mktemp("shadowed"), "shadowed")
    url = stack.outputs["InferenceUrl"]
    alone = []
    for batch in BATCHES:
        status, answer = predict(url, model, batch)
        assert status == 200, answer
        alone.append(answer["predictions"])
    return stack, model, url, alone


def broken_challenger(stack, model: str, fault: str) -> int:
    """Register a copy of v1 broken by `fault` as a new version and make it the challenger."""
    champion = stack.registry.get_version(model, 1)
    good = stack.store.get_bytes(S3Object.parse(champion["artifact"]["uri"]))
    location = S3Object(stack.outputs["ArtifactBucketName"], f"models/{model}/broken-{uuid.uuid4().hex[:8]}.onnx")
    body = {"ONNX Runtime cannot load it": UNLOADABLE, "ONNX Runtime loads it but cannot run it": unscorable(good)
            }.get(fault, good)
    if fault.startswith("S3"):
        location = S3Object("not_a_bucket!", location.key)  # botocore refuses the name before any request
    else:
        stored = bytes([body[0] ^ 1]) + body[1:] if fault.startswith("its bytes") else body
        stack.store.client.put_object(Bucket=location.bucket, Key=location.key, Body=stored)
    record = {key: value for key, value in champion.items()
              if key not in ("model", "sk", "version", "run_id", "created_at")}
    version = stack.registry.register(model, f"broken-{uuid.uuid4().hex[:8]}",
                                      record | {"artifact": {**champion["artifact"], "uri": location.uri,
                                                             "sha256": sha256_hex(body)}})
    operations.promote(stack, model, version, f"test: a challenger that fails: {fault}", alias="challenger")
    return version


def challenger_errors(stack, model: str) -> float:
    now = datetime.now(UTC)
    points = stack.cloudwatch.get_metric_statistics(
        Namespace="ServerlessMlops", MetricName="ChallengerErrors", StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=1), Period=3900, Statistics=["Sum"],
        Dimensions=stack.alarm_settings.dimensions(model))["Datapoints"]
    return sum(point["Sum"] for point in points)


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_a_failing_challenger_leaves_every_answer_the_champions_and_its_error_is_captured_and_counted(
        shadowed, fault, figure):
    stack, model, url, alone = shadowed
    counted = challenger_errors(stack, model)
    version = broken_challenger(stack, model, fault)
    time.sleep(REFRESH_SECONDS + 0.5)  # the function re-reads the challenger alias

    answers = [predict(url, model, batch) for batch in BATCHES]

    assert [(status, answer.get("version")) for status, answer in answers] == [(200, 1)] * REQUESTS, answers
    assert [answer["predictions"] for _, answer in answers] == alone
    ids = {answer["request_id"] for _, answer in answers}
    shadows = [entry["challenger"] for entry in captured(stack, "capture", model) if entry["request_id"] in ids]
    assert [(shadow["version"], shadow["error_type"]) for shadow in shadows] == [(version, FAULTS[fault])] * REQUESTS
    wait_for(lambda: challenger_errors(stack, model) - counted >= REQUESTS, timeout=30)
    newly_counted = challenger_errors(stack, model) - counted
    assert newly_counted == REQUESTS
    answered = sum(status == 200 and answer["version"] == 1 for status, answer in answers)
    figure(16, f"a challenger {fault}: {answered}/{REQUESTS} requests answered 200 by champion v1 with its own "
               f"predictions; {len(shadows)} {FAULTS[fault]} captured beside them, {newly_counted:.0f} counted in "
               "ChallengerErrors")
