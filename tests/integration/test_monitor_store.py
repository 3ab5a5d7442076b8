"""Monitor passes on moto's DynamoDB: each window is recorded once, so its metrics are published once."""

from datetime import UTC, datetime, timedelta

import boto3
from mlops_core.monitoring import MonitorStore, PassResult
from mlops_core.traffic import Window

T0 = datetime(2026, 11, 28, 12, tzinfo=UTC)


def window(start: int, end: int) -> Window:
    return Window(T0 + timedelta(minutes=start), T0 + timedelta(minutes=end))


def test_a_pass_moves_the_watermark_and_a_concurrent_pass_over_the_same_window_is_refused(stack, model_name):
    passes = MonitorStore(boto3.client("dynamodb"), stack.outputs["MonitorTableName"])

    first = passes.record(PassResult(model_name, 1, window(0, 5)), previous=None)
    concurrent = passes.record(PassResult(model_name, 1, window(0, 5)), previous=None)
    following = passes.record(PassResult(model_name, 1, window(5, 10)), previous=T0 + timedelta(minutes=5))
    stale = passes.record(PassResult(model_name, 1, window(5, 12)), previous=T0 + timedelta(minutes=5))

    assert (first, concurrent, following, stale) == (True, False, True, False)
    assert passes.watermark(model_name) == T0 + timedelta(minutes=10)
    assert [p["window"]["end"] for p in passes.passes(model_name)] == [
        (T0 + timedelta(minutes=10)).isoformat(), (T0 + timedelta(minutes=5)).isoformat()]
