"""CloudWatch Logs' embedded metric format: the metrics a function prints in its logs become metric data.

On AWS, CloudWatch Logs extracts them; here the function's output is read after each invocation.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any


def metric_data(text: str) -> dict[str, list[dict[str, Any]]]:
    """PutMetricData entries per namespace from every EMF document in a function's output."""
    found: dict[str, list[dict[str, Any]]] = {}
    for line in text.splitlines():
        doc = _document(line)
        if doc is None:
            continue
        meta = doc["_aws"]
        when = datetime.fromtimestamp(meta["Timestamp"] / 1000, UTC)
        for directive in meta["CloudWatchMetrics"]:
            for names in directive.get("Dimensions", [[]]):
                dimensions = [{"Name": name, "Value": str(doc[name])} for name in names]
                for metric in directive["Metrics"]:
                    values = doc[metric["Name"]]
                    for value in values if isinstance(values, list) else [values]:
                        found.setdefault(directive["Namespace"], []).append({
                            "MetricName": metric["Name"], "Dimensions": dimensions, "Timestamp": when,
                            "Value": float(value), "Unit": metric.get("Unit") or "None"})
    return found


def _document(line: str) -> dict[str, Any] | None:
    line = line.strip()
    if not line.startswith("{") or '"_aws"' not in line:
        return None
    try:
        doc = json.loads(line)
    except ValueError:
        return None
    meta = doc.get("_aws") if isinstance(doc, dict) else None
    return doc if isinstance(meta, dict) and "CloudWatchMetrics" in meta and "Timestamp" in meta else None


class MetricExtractor:
    """A FunctionHost log listener that puts each invocation's EMF metrics into CloudWatch, then calls `on_put`."""

    def __init__(self, client_factory, on_put=lambda: None) -> None:
        self._client_factory, self._client, self.on_put = client_factory, None, on_put

    def __call__(self, function: str, text: str) -> None:
        found = metric_data(text)
        for namespace, data in found.items():
            if self._client is None:
                self._client = self._client_factory("cloudwatch")
            for start in range(0, len(data), 1000):
                self._client.put_metric_data(Namespace=namespace, MetricData=data[start:start + 1000])
        if found:
            self.on_put()
