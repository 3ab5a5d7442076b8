"""CloudWatch Logs for the functions: each invocation's output becomes log events in the function's log group and
stream, as Lambda sends it, so a reader uses the same calls (FilterLogEvents) here as on AWS."""

from __future__ import annotations

import threading

from .functions import LocalFunction

BATCH = 1000  # well under PutLogEvents' 10,000 events and 1 MB


class LogWriter:
    """A FunctionHost log sink that puts an invocation's lines into CloudWatch Logs (creating its stream once)."""

    def __init__(self, client_factory) -> None:
        self._client_factory, self._client = client_factory, None
        self._streams: set[tuple[str, str]] = set()
        self._lock = threading.Lock()  # invocations of the inference URL end on their own threads

    def __call__(self, function: LocalFunction, lines: list[tuple[int, str]]) -> None:
        events = [{"timestamp": when, "message": text} for when, text in lines if text.strip()]
        if not events:
            return
        if self._client is None:
            self._client = self._client_factory("logs")
        where = (function.log_group, function.log_stream)
        with self._lock:
            if where not in self._streams:
                self._create(*where)
        for start in range(0, len(events), BATCH):
            self._client.put_log_events(logGroupName=where[0], logStreamName=where[1],
                                        logEvents=events[start:start + BATCH])

    def _create(self, group: str, stream: str) -> None:
        """Lambda creates a function's log group when the template does not, and a stream per environment."""
        errors = self._client.exceptions
        try:
            self._client.create_log_group(logGroupName=group)
        except errors.ResourceAlreadyExistsException:
            pass
        self._client.create_log_stream(logGroupName=group, logStreamName=stream)
        self._streams.add((group, stream))
