"""What started a run (an upload under incoming/<model>/, an operator, an alarm, a schedule) and its run id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from mlops_core.aws.objects import S3Object
from mlops_core.contract import MODEL_NAME
from mlops_core.errors import MlopsError

INCOMING = "incoming/"
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
# Triggers nobody asked for by hand: guarded against storms, and trained on the latest upload plus feedback.
AUTOMATIC = ("alarm", "schedule")


class InvalidTriggerError(MlopsError):
    """The event that started the pipeline does not name a model and a dataset."""


@dataclass(frozen=True)
class Trigger:
    """A request to train `model`: on one version of one dataset, or (automatic triggers) on what is newest."""

    kind: str
    model: str
    dataset: S3Object | None
    event_id: str | None = None
    cause: dict[str, Any] = field(default_factory=dict)

    @property
    def automatic(self) -> bool:
        return self.kind in AUTOMATIC

    @property
    def run_id(self) -> str:
        """Deterministic, so a redelivered event maps to the run it already started."""
        identity = self.model
        if self.dataset is not None:
            identity = f"{self.dataset.bucket}/{self.dataset.key}?versionId={self.dataset.version_id}"
        if self.kind != "upload":
            identity += f"#{self.event_id}"
        return f"{self.kind}-{hashlib.sha256(identity.encode()).hexdigest()[:16]}"

    def to_dict(self) -> dict[str, Any]:
        dataset = None if self.dataset is None else {"uri": self.dataset.uri, "version_id": self.dataset.version_id}
        return {"run_id": self.run_id, "model": self.model, "trigger": self.kind, "dataset": dataset,
                **({"cause": self.cause} if self.cause else {})}


def model_from_key(key: str) -> str:
    parts = key.split("/")
    if len(parts) < 3 or f"{parts[0]}/" != INCOMING or not MODEL_NAME.match(parts[1]) or not parts[-1]:
        raise InvalidTriggerError(f"{key!r} is not under incoming/<model>/ with a valid model name")
    return parts[1]


def parse_trigger(event: dict[str, Any]) -> Trigger:
    """Read an EventBridge S3 'Object Created' event or a manual request."""
    if event.get("source") == "aws.s3" and event.get("detail-type") == "Object Created":
        detail = event.get("detail", {})
        key = detail.get("object", {}).get("key", "")
        version_id = detail["object"].get("version-id")
        dataset = S3Object(detail.get("bucket", {}).get("name", ""), key, None if version_id == "null" else version_id)
        return Trigger("upload", model_from_key(key), dataset, event.get("id"))
    if event.get("trigger") == "manual":
        try:
            dataset = S3Object.parse(event["dataset_uri"], event.get("version_id"))
            model = event.get("model") or model_from_key(dataset.key)
            request_id = event["request_id"]
        except (KeyError, ValueError) as error:
            raise InvalidTriggerError(f"manual trigger needs dataset_uri and request_id: {error}") from error
        if not MODEL_NAME.match(model):
            raise InvalidTriggerError(f"invalid model name {model!r}")
        return Trigger("manual", model, dataset, request_id)
    if event.get("source") == "aws.cloudwatch" and event.get("detail-type") == ALARM_STATE_CHANGE:
        return _alarm_trigger(event)
    if event.get("trigger") == "schedule":
        model, period = event.get("model"), event.get("period")
        if not isinstance(model, str) or not MODEL_NAME.match(model) or not isinstance(period, str):
            raise InvalidTriggerError("a scheduled trigger needs a valid model and its period")
        return Trigger("schedule", model, None, period, {"period": period})
    raise InvalidTriggerError(f"unrecognised event (source={event.get('source')!r}, "
                              f"detail-type={event.get('detail-type')!r})")


def _alarm_trigger(event: dict[str, Any]) -> Trigger:
    """A model alarm that went to ALARM; the model is the alarm metric's Model dimension."""
    detail = event.get("detail", {})
    state = detail.get("state", {})
    if state.get("value") != "ALARM":
        raise InvalidTriggerError(f"alarm {detail.get('alarmName')!r} went to {state.get('value')!r}, not ALARM")
    metrics = detail.get("configuration", {}).get("metrics", [])
    metric = metrics[0].get("metricStat", {}).get("metric", {}) if metrics else {}
    model = metric.get("dimensions", {}).get("Model", "")
    if not MODEL_NAME.match(model) or not event.get("id"):
        raise InvalidTriggerError(f"alarm {detail.get('alarmName')!r} has no valid Model dimension or event id")
    return Trigger("alarm", model, None, event["id"], {
        "alarm": detail.get("alarmName"), "metric": metric.get("name"), "reason": state.get("reason"),
        "time": state.get("timestamp")})
