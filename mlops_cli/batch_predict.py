"""Scoring any number of records on the inference URL: batches within its limits, progress, and the metrics of the
predictions against labels that came with the records."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from mlops_core.scoring import METRICS, Prediction
from mlops_core.serving.request_schema import MAX_BODY_BYTES

from .inference_client import InferenceClient, InferenceError

EMPTY_BODY = len(json.dumps({"records": []}))
SEPARATOR = len(", ")


@dataclass(frozen=True)
class Scored:
    """Every record's prediction, in order, and the requests that made them."""

    predictions: list[dict[str, Any]]
    requests: list[dict[str, Any]]

    def document(self, model: str) -> dict[str, Any]:
        """The answer as `mlops predict` prints it: the URL's own answer for one request, plus `requests`."""
        doc = {"model": model, "version": self.requests[0]["version"], "predictions": self.predictions,
               "requests": self.requests}
        return doc | ({"request_id": self.requests[0]["request_id"]} if len(self.requests) == 1 else {})

    def columns(self) -> tuple[list[str], list[list[Any]]]:
        """The predictions as CSV columns: the label or value, each class's probability, and where to send feedback."""
        first = self.predictions[0]
        classes = list(first.get("probabilities", {}))
        names = ["prediction", *(f"probability_{label}" for label in classes), "request_id", "request_row"]
        where = [(request["request_id"], row) for request in self.requests for row in range(request["rows"])]
        cells = [[p.get("label", p.get("value")), *(p["probabilities"][c] for c in classes), *at]
                 for p, at in zip(self.predictions, where, strict=True)]
        return names, cells


def score(client: InferenceClient, model: str, records: list[dict[str, Any]], max_records: int,
          progress: Callable[[str], None]) -> Scored:
    """Send the records in as few requests as the URL's record and body limits allow."""
    if not records:
        raise ValueError("no records to score")
    predictions: list[dict[str, Any]] = []
    requests = []
    for first, batch in batches(records, max_records, MAX_BODY_BYTES):
        try:
            answer = client.post(f"models/{model}/predict", {"records": batch})
        except InferenceError as error:
            if len(batch) == len(records):
                raise
            raise InferenceError(error.status, {"error": f"{error.body.get('error', error)} (in the request of rows "
                                                         f"{first + 1}-{first + len(batch)}: records[0] is row "
                                                         f"{first + 1})"}) from error
        predictions += answer["predictions"]
        requests.append({"request_id": answer["request_id"], "version": answer["version"], "first_row": first,
                         "rows": len(batch)})
        if len(batch) < len(records):
            progress(f"scored {len(predictions)}/{len(records)} rows (v{answer['version']})")
    versions = sorted({request["version"] for request in requests})
    if len(versions) > 1:
        progress(f"note: the champion changed while scoring: versions {versions} answered (see requests)")
    return Scored(predictions, requests)


def batches(records: list[dict[str, Any]], max_records: int, max_bytes: int) -> Iterator[tuple[int, list]]:
    """Consecutive batches of at most `max_records` whose JSON body fits in `max_bytes`, with their first index."""
    first, batch, size = 0, [], EMPTY_BODY
    for index, record in enumerate(records):
        length = len(json.dumps(record).encode()) + SEPARATOR
        if batch and (len(batch) == max_records or size + length > max_bytes):
            yield first, batch
            first, batch, size = index, [], EMPTY_BODY
        batch.append(record)
        size += length
    if batch:
        yield first, batch


def label_metrics(task: str, target: str, labels: list[Any], predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """Every metric of the task (the project's own, as training scores models) over the rows that have a label."""
    labelled = [(label, prediction) for label, prediction in zip(labels, predictions, strict=True)
                if label is not None]
    result: dict[str, Any] = {"target": target, "rows": len(labelled), "unlabelled": len(labels) - len(labelled),
                              "values": {}, "not_computed": {}}
    if not labelled:
        return result
    y = np.array([label for label, _ in labelled], dtype=object if task == "classification" else float)
    if task == "classification":
        classes = list(labelled[0][1]["probabilities"])
        predicted = Prediction(np.array([p["label"] for _, p in labelled]),
                               np.array([[p["probabilities"][c] for c in classes] for _, p in labelled]), classes)
    else:
        predicted = Prediction(np.array([p["value"] for _, p in labelled], dtype=float))
    for metric in (m for m in METRICS.values() if m.task == task):
        try:
            result["values"][metric.name] = round(predicted.score(y, metric), 6)
        except KeyError as error:
            result["not_computed"][metric.name] = f"the label {error} is not one of the model's classes"
        except ValueError as error:
            result["not_computed"][metric.name] = str(error)
    return result


def describe_metrics(metrics: dict[str, Any]) -> str:
    """One line for people: the metrics against the target, and why any could not be computed."""
    values = ", ".join(f"{name} {value:.4f}" for name, value in metrics["values"].items()) or "none"
    skipped = "".join(f"; {name} not computed: {why}" for name, why in metrics["not_computed"].items())
    unlabelled = f" ({metrics['unlabelled']} rows without a label left out)" if metrics["unlabelled"] else ""
    return f"against {metrics['target']}, {metrics['rows']} labelled rows{unlabelled}: {values}{skipped}"
