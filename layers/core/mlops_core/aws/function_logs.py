"""The functions' CloudWatch Logs (one log group for the stack): the lines one run's steps logged, in order."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class LogLine:
    """One log event: when it was written (ms since the epoch), the function's log stream, and the line."""

    timestamp: int
    stream: str
    message: str

    @property
    def document(self) -> dict[str, Any] | None:
        """The line as JSON (the functions log JSON), or None for a line that is not a JSON object."""
        if not self.message.startswith("{"):
            return None
        try:
            doc = json.loads(self.message)
        except ValueError:
            return None
        return doc if isinstance(doc, dict) else None

    @property
    def function(self) -> str:
        """The function that wrote it: named in the line, or in a shared group's stream (date/function[version]id)."""
        named = (self.document or {}).get("function_name")
        return named or self.stream.rsplit("/", 1)[-1].split("[", 1)[0]


class FunctionLogs:
    """Reads the log group every function of the stack writes to."""

    def __init__(self, client, group: str) -> None:
        self.client, self.group = client, group

    def run_lines(self, run_id: str, start: datetime | None = None, end: datetime | None = None) -> list[LogLine]:
        """Every line logged with `run_id` as its correlation id, oldest first (each stream's order kept)."""
        window = {key: int(when.timestamp() * 1000) for key, when in (("startTime", start), ("endTime", end)) if when}
        # A quoted term is the filter CloudWatch Logs (and its emulation) matches exactly; the id is checked after.
        pages = self.client.get_paginator("filter_log_events").paginate(
            logGroupName=self.group, filterPattern=json.dumps(run_id), **window)
        lines = [LogLine(event["timestamp"], event["logStreamName"], event["message"].rstrip("\n"))
                 for page in pages for event in page["events"]]
        ours = [line for line in lines if (line.document or {}).get("correlation_id") == run_id]
        return sorted(ours, key=lambda line: line.timestamp)
