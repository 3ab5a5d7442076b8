"""Property 15: one model's failing monitor pass leaves the others monitored, and is published: a metric for the
model, a log line naming it and the error, the stack's monitor-pass-failed alarm, and `mlops monitor run` exiting 2.
Once the cause is fixed, the next pass covers the window the failed ones left."""

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from mlops_core.aws.objects import S3Object

from mlops_cli import operations
from mlops_cli.samples import churn
from tests.e2e.conftest import mlops, new_model, wait_for

pytestmark = pytest.mark.e2e
RECORDS = 150


def failed_passes_of(stack, model: str) -> float:
    """The largest MonitorPassFailed datapoint of the model in the last hour (0 when there is none)."""
    now = datetime.now(UTC)
    points = stack.cloudwatch.get_metric_statistics(
        Namespace="ServerlessMlops", MetricName="MonitorPassFailed", StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=1), Period=3900, Statistics=["Maximum"],
        Dimensions=stack.alarm_settings.dimensions(model))["Datapoints"]
    return max((point["Maximum"] for point in points), default=0.0)


def stack_alarm_state(stack) -> str:
    name = f"{stack.name}-monitor-pass-failed"
    return stack.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]


def test_a_model_whose_profile_cannot_be_read_fails_alone_is_published_and_its_window_is_retried(
        cloud, tmp_path, figure):
    from mlops_cli.stack import Stack

    stack = Stack.find(cloud.stack_name)
    broken, healthy = new_model(stack, tmp_path, "unreadable"), new_model(stack, tmp_path, "after-it")
    for model in (broken, healthy):
        operations.send_traffic(stack, model, churn(RECORDS, seed=21, noise=0.1), "churned", labels=None)
    time.sleep(1.1)  # S3 times objects to the second; a pass takes what was written before its window ends
    profile = S3Object.parse(stack.registry.get_version(broken, 1)["profile_uri"])
    s3 = boto3.client("s3")
    marker = s3.delete_object(Bucket=profile.bucket, Key=profile.key)["VersionId"]  # versioned: a delete marker

    response = stack.lambda_client.invoke(FunctionName=stack.outputs["MonitorFunctionName"], LogType="Tail",
                                          Payload=json.dumps({"models": [broken, healthy]}).encode())
    answer = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, answer
    failed, passed = answer["passes"]
    logged = [json.loads(line) for line in base64.b64decode(response["LogResult"]).decode().splitlines()
              if line.startswith("{") and '"monitor pass failed"' in line]
    again = mlops("monitor", "run", broken, healthy)

    assert failed["model"] == broken and failed["failed"] and failed["error"] == "NotFoundError", failed
    assert passed["model"] == healthy and passed["recorded"] and passed["records"] == RECORDS and passed["drift"]
    assert [(line["model"], line["error"]) for line in logged] == [(broken, "NotFoundError")]
    assert profile.key in logged[0]["reason"]
    assert failed_passes_of(stack, broken) == 1.0 and failed_passes_of(stack, healthy) == 0.0
    assert wait_for(lambda: stack_alarm_state(stack) == "ALARM", timeout=30)
    assert again.returncode == 2 and broken in again.stderr and healthy not in again.stderr.split("failed for")[1]

    s3.delete_object(Bucket=profile.bucket, Key=profile.key, VersionId=marker)  # the cause fixed
    fixed = mlops("monitor", "run", broken, "--json")
    [retried] = json.loads(fixed.stdout)

    assert fixed.returncode == 0 and retried["recorded"] and retried["records"] == RECORDS, fixed.stderr
    figure(15, f"2 models, the first's profile unreadable: its pass failed ({failed['error']}), the second's was "
               f"recorded ({passed['records']} records); MonitorPassFailed {failed_passes_of(stack, broken):g} for "
               f"the first only, one log line naming it, the stack alarm in ALARM, `mlops monitor run` exit "
               f"{again.returncode}; fixed, the next pass covered its {retried['records']} records")
