"""Captured traffic and its feedback labels, joined: what the monitor and automatic retraining learn from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlops_core.aws.traffic_store import StoredBatch


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
