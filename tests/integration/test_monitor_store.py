"""Monitor passes on moto's DynamoDB: each window is recorded once, so its metrics are published once."""

from datetime import UTC, datetime, timedelta

import boto3
from mlops_core.aws.monitor_store import MonitorStore
from mlops_core.aws.traffic_store import Window
from mlops_core.monitoring.monitor_pass import PassResult

T0 = datetime(2026, 11, 28, 12, tzinfo=UTC)


def window(start: int, end: int) -> Window:
    return Window(T0 + timedelta(minutes=start), T0 + timedelta(minutes=end))


def test_a_pass_moves_the_watermark_and_a_concurrent_pass_over_the_same_window_is_refused(stack, model_name):
    passes = MonitorStore(boto3.client("dynamodb"), stack.outputs["MonitorTableName"])

    def record(start: int, end: int, previous: datetime | None) -> bool:
        result = PassResult(model_name, 1, window(start, end))
        return passes.record(model_name, result.window.end, result.to_dict(), previous)

    first = record(0, 5, previous=None)
    concurrent = record(0, 5, previous=None)
    following = record(5, 10, previous=T0 + timedelta(minutes=5))
    stale = record(5, 12, previous=T0 + timedelta(minutes=5))

    assert (first, concurrent, following, stale) == (True, False, True, False)
    assert passes.watermark(model_name) == T0 + timedelta(minutes=10)
    assert [p["window"]["end"] for p in passes.passes(model_name)] == [
        (T0 + timedelta(minutes=10)).isoformat(), (T0 + timedelta(minutes=5)).isoformat()]
