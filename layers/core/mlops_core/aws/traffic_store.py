"""Captured traffic and feedback in S3: JSON Lines objects under <prefix>/<model>/date=.../hour=.../, written once
and read back by the time each was written."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mlops_core.aws.objects import ObjectStore, S3Object

CAPTURE_PREFIX = "capture"
FEEDBACK_PREFIX = "feedback"


def hourly_key(prefix: str, model: str, when: datetime) -> str:
    """A write-once key under <prefix>/<model>/date=YYYY-MM-DD/hour=HH/, sortable by time."""
    return (f"{prefix}/{model}/date={when:%Y-%m-%d}/hour={when:%H}/"
            f"{when:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}.jsonl")


def to_jsonl(entries: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(entry, separators=(",", ":"), default=str) + "\n" for entry in entries).encode()


def write_batch(store: ObjectStore, bucket: str, prefix: str, model: str, when: datetime,
                entries: list[dict[str, Any]]) -> str:
    """Write entries as one new JSON Lines object under the hour of `when`; returns its URI."""
    target = S3Object(bucket, hourly_key(prefix, model, when))
    store.put_once(target, to_jsonl(entries), "application/x-ndjson")
    return target.uri


@dataclass(frozen=True)
class StoredBatch:
    """One JSON Lines object: where it is, the version read, and its entries."""

    uri: str
    version_id: str | None
    entries: list[dict[str, Any]]

    def ref(self) -> dict[str, Any]:
        return {"uri": self.uri, "version_id": self.version_id}


@dataclass(frozen=True)
class Window:
    """Objects written in [start, end), by S3's LastModified.

    `lookback` bounds the listing: an object's key carries the time of its first entry, which precedes its write
    by at most the capture buffer's age, so keys older than start - lookback are not listed.
    """

    start: datetime
    end: datetime
    lookback: timedelta = timedelta(hours=1)


def read_window(store: ObjectStore, bucket: str, prefix: str, model: str, window: Window) -> list[StoredBatch]:
    """Every JSON Lines object under <prefix>/<model>/ written within the window, oldest first."""
    folder = f"{prefix}/{model}/"
    start_after = f"{folder}date={window.start - window.lookback:%Y-%m-%d}/hour={window.start - window.lookback:%H}/"
    listed = [item for item in store.list(bucket, folder, start_after)
              if window.start <= item.written < window.end and item.key.endswith(".jsonl")]
    batches = []
    for item in sorted(listed, key=lambda i: (i.written, i.key)):
        location = S3Object(bucket, item.key)
        body, version_id = store.get_versioned(location)
        entries = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        batches.append(StoredBatch(location.uri, version_id, entries))
    return batches


def read_captures(store: ObjectStore, bucket: str, model: str, window: Window) -> list[StoredBatch]:
    return read_window(store, bucket, CAPTURE_PREFIX, model, window)


def read_feedback(store: ObjectStore, bucket: str, model: str, window: Window) -> list[StoredBatch]:
    return read_window(store, bucket, FEEDBACK_PREFIX, model, window)
