"""Data capture: predictions buffered and written in batches, and ground-truth labels written at once."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mlops_core.aws.objects import ObjectStore
from mlops_core.aws.traffic_store import CAPTURE_PREFIX, FEEDBACK_PREFIX, write_batch

log = logging.getLogger(__name__)


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
                write_batch(self.store, self.bucket, CAPTURE_PREFIX, model, datetime.fromisoformat(entries[0]["time"]),
                            entries)
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
    return write_batch(store, bucket, FEEDBACK_PREFIX, model, datetime.now(UTC), labels)
