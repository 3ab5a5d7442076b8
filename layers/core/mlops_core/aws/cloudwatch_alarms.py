"""CloudWatch alarms: create or update them, delete them, and read their states."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mlops_core.errors import ServiceError


class AlarmStore:
    """The few CloudWatch alarm calls the stack makes, over a client handed in."""

    def __init__(self, client) -> None:
        self.client = client

    def put(self, requests: list[dict[str, Any]]) -> None:
        """PutMetricAlarm for each request; an update keeps the alarm's state."""
        with _service_errors("cannot update alarms"):
            for request in requests:
                self.client.put_metric_alarm(**request)

    def delete(self, names: list[str]) -> None:
        with _service_errors("cannot delete alarms"):
            self.client.delete_alarms(AlarmNames=names)

    def describe(self, names: list[str]) -> list[dict[str, Any]]:
        """The alarms of these exact names that exist, as CloudWatch describes them."""
        with _service_errors("cannot read alarms"):
            return self.client.describe_alarms(AlarmNames=names)["MetricAlarms"]


@contextmanager
def _service_errors(doing: str) -> Iterator[None]:
    """Turn an AWS SDK error into a ServiceError that says what was being done."""
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise ServiceError(f"{doing}: {error}") from error
