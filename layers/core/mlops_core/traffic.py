"""Reading captured traffic and feedback back from S3, by the time each object was written, and joining them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .capture import CAPTURE_PREFIX, FEEDBACK_PREFIX
from .storage import ObjectStore, S3Object


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
    pages = store.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=folder,
                                                                  StartAfter=start_after)
    listed = [item for page in pages for item in page.get("Contents", [])
              if window.start <= item["LastModified"] < window.end and item["Key"].endswith(".jsonl")]
    batches = []
    for item in sorted(listed, key=lambda i: (i["LastModified"], i["Key"])):
        location = S3Object(bucket, item["Key"])
        body, version_id = store.get_versioned(location)
        entries = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        batches.append(StoredBatch(location.uri, version_id, entries))
    return batches


def read_captures(store: ObjectStore, bucket: str, model: str, window: Window) -> list[StoredBatch]:
    return read_window(store, bucket, CAPTURE_PREFIX, model, window)


def read_feedback(store: ObjectStore, bucket: str, model: str, window: Window) -> list[StoredBatch]:
    return read_window(store, bucket, FEEDBACK_PREFIX, model, window)


def feature_columns(batches: list[StoredBatch], features: list[str]) -> dict[str, list[Any]]:
    """The captured records' values, column by column (None where a value is missing)."""
    columns: dict[str, list[Any]] = {name: [] for name in features}
    for batch in batches:
        for entry in batch.entries:
            for record in entry["records"]:
                for name in features:
                    columns[name].append(record.get(name))
    return columns


@dataclass(frozen=True)
class LabeledPrediction:
    """A captured record, what the serving version predicted for it, and the label that came back later."""

    record: dict[str, Any]
    prediction: dict[str, Any]
    label: Any
    version: int


@dataclass
class Join:
    """Feedback labels matched to captured predictions; labels whose request was not captured are counted."""

    labeled: list[LabeledPrediction] = field(default_factory=list)
    unmatched: int = 0
    captures_used: list[dict[str, Any]] = field(default_factory=list)


def join_feedback(captures: list[StoredBatch], feedback: list[StoredBatch]) -> Join:
    """Match labels to captured rows by (request_id, row); a later label for the same row replaces an earlier one."""
    labels: dict[tuple[str, int], Any] = {}
    for batch in feedback:
        for entry in batch.entries:
            labels[(entry["request_id"], int(entry["row"]))] = entry["label"]
    join, used = Join(), set()
    found: set[tuple[str, int]] = set()
    for batch in captures:
        for entry in batch.entries:
            for row, (record, prediction) in enumerate(zip(entry["records"], entry["predictions"], strict=True)):
                key = (entry["request_id"], row)
                if key in labels and key not in found:
                    found.add(key)
                    used.add(batch.uri)
                    join.labeled.append(LabeledPrediction(record, prediction, labels[key], int(entry["version"])))
    join.unmatched = len(labels) - len(found)
    join.captures_used = [batch.ref() for batch in captures if batch.uri in used]
    return join
