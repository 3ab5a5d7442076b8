"""Data capture: predictions and ground-truth labels written to S3 as JSON Lines under per-model, per-hour prefixes."""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .storage import ObjectStore, S3Object

CAPTURE_PREFIX = "capture"
FEEDBACK_PREFIX = "feedback"

log = logging.getLogger(__name__)


def hourly_key(prefix: str, model: str, when: datetime) -> str:
    """A write-once key under <prefix>/<model>/date=YYYY-MM-DD/hour=HH/, sortable by time."""
    return (f"{prefix}/{model}/date={when:%Y-%m-%d}/hour={when:%H}/"
            f"{when:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}.jsonl")


def to_jsonl(entries: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(entry, separators=(",", ":"), default=str) + "\n" for entry in entries).encode()


@dataclass
class CaptureBuffer:
    """Samples requests and writes them in batches; a failed write keeps the batch for the next try, bounded."""

    store: ObjectStore
    bucket: str
    sample_rate: float = 1.0
    max_records: int = 500
    max_seconds: float = 60.0
    max_buffered: int = 20_000
    clock: Callable[[], float] = time.monotonic
    sample: Callable[[], float] = random.random
    dropped: int = 0
    _entries: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _oldest: float | None = None

    @property
    def buffered(self) -> int:
        return len(self._entries)

    def sampled(self) -> bool:
        return self.sample_rate >= 1.0 or self.sample() < self.sample_rate

    def add(self, model: str, entry: dict[str, Any]) -> None:
        if self._oldest is None:
            self._oldest = self.clock()
        self._entries.append((model, entry))
        overflow = len(self._entries) - self.max_buffered
        if overflow > 0:
            del self._entries[:overflow]
            self.dropped += overflow

    def due(self) -> bool:
        return bool(self._entries) and (len(self._entries) >= self.max_records
                                         or self.clock() - self._oldest >= self.max_seconds)

    def flush(self) -> int:
        """Write what is buffered, one object per model and hour; what fails to write stays buffered."""
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for model, entry in self._entries:
            groups.setdefault((model, entry["time"][:13]), []).append(entry)
        self._entries, written = [], 0
        try:
            for (model, hour), entries in list(groups.items()):
                when = datetime.fromisoformat(entries[0]["time"])
                target = S3Object(self.bucket, hourly_key(CAPTURE_PREFIX, model, when))
                self.store.put_once(target, to_jsonl(entries), "application/x-ndjson")
                written += len(entries)
                del groups[(model, hour)]
        finally:
            self._entries = [(model, entry) for (model, _), entries in groups.items() for entry in entries]
            self._oldest = self.clock() if self._entries else None
        return written

    def flush_if_due(self) -> None:
        """Called after each response; capture never fails a request, so errors are logged and retried later."""
        if not self.due():
            return
        try:
            self.flush()
        except Exception as error:
            log.warning("data capture: %d records not written yet: %s", len(self._entries), error)


def write_feedback(store: ObjectStore, bucket: str, model: str, labels: list[dict[str, Any]]) -> str:
    """Store ground-truth labels at once (they are rarer and worth more than captures); returns the object URI."""
    target = S3Object(bucket, hourly_key(FEEDBACK_PREFIX, model, datetime.now(UTC)))
    store.put_once(target, to_jsonl(labels), "application/x-ndjson")
    return target.uri
