"""What started a run (an upload under incoming/<model>/, an operator, an alarm, a schedule) and its run id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from mlops_core.aws.objects import S3Object
from mlops_core.contract import canonical_json, check_name, shown
from mlops_core.errors import MlopsError

INCOMING = "incoming/"
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
# Where rejected triggers are recorded in the run store: '#' is in no model name, so no model's runs are here.
REJECTED_TRIGGERS = "#rejected"
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
    """The model an upload names: incoming/<model>/<file>, with no empty, '.' or '..' segment after the model."""
    parts = key.split("/")
    if len(parts) < 3 or f"{parts[0]}/" != INCOMING:
        raise InvalidTriggerError(f"key {shown(key)} is not under {INCOMING}<model>/")
    model = check_name(parts[1], f"key {shown(key)}: the model folder", InvalidTriggerError)
    if any(part in ("", ".", "..") for part in parts[2:]):
        raise InvalidTriggerError(f"key {shown(key)}: a path segment after {INCOMING}{model}/ is empty, '.' or "
                                  "'..'; name the file plainly")
    return model


def is_upload_of(key: str, model: str) -> bool:
    """Whether an object key is an upload of `model`, as the pipeline reads keys."""
    try:
        return model_from_key(key) == model
    except InvalidTriggerError:
        return False


def parse_trigger(event: Any) -> Trigger:
    """Read an EventBridge S3 'Object Created' event, a manual request, a model alarm or a schedule; any other
    event, or one that names no valid model, is an InvalidTriggerError."""
    if not isinstance(event, dict):
        raise InvalidTriggerError(f"a trigger is a JSON object, not {type(event).__name__}")
    if event.get("source") == "aws.s3" and event.get("detail-type") == "Object Created":
        return _upload_trigger(event)
    if event.get("trigger") == "manual":
        uri, request_id = event.get("dataset_uri"), event.get("request_id")
        if not isinstance(uri, str) or not uri.startswith("s3://") or "/" not in uri[5:] or not request_id:
            raise InvalidTriggerError("a manual trigger needs dataset_uri (s3://bucket/key) and request_id")
        dataset = S3Object.parse(uri, event.get("version_id"))
        model = event.get("model")
        model = model_from_key(dataset.key) if model is None else check_name(model, "model", InvalidTriggerError)
        return Trigger("manual", model, dataset, request_id)
    if event.get("source") == "aws.cloudwatch" and event.get("detail-type") == ALARM_STATE_CHANGE:
        return _alarm_trigger(event)
    if event.get("trigger") == "schedule":
        model, period = check_name(event.get("model"), "model", InvalidTriggerError), event.get("period")
        if not isinstance(period, str) or not period:
            raise InvalidTriggerError("period: a scheduled trigger needs the period it is for")
        return Trigger("schedule", model, None, period, {"period": period})
    raise InvalidTriggerError(f"unrecognised event (source={shown(event.get('source'))}, "
                              f"detail-type={shown(event.get('detail-type'))})")


def _upload_trigger(event: dict[str, Any]) -> Trigger:
    detail = _mapping(event.get("detail"))
    obj = _mapping(detail.get("object"))
    bucket, key, version_id = _mapping(detail.get("bucket")).get("name"), obj.get("key"), obj.get("version-id")
    if not isinstance(key, str) or not isinstance(bucket, str):
        raise InvalidTriggerError("an S3 'Object Created' event needs detail.bucket.name and detail.object.key")
    dataset = S3Object(bucket, key, None if version_id in (None, "null") else str(version_id))
    return Trigger("upload", model_from_key(key), dataset, event.get("id"))


def _alarm_trigger(event: dict[str, Any]) -> Trigger:
    """A model alarm that went to ALARM; the model is the alarm metric's Model dimension."""
    detail = _mapping(event.get("detail"))
    state = _mapping(detail.get("state"))
    if state.get("value") != "ALARM":
        raise InvalidTriggerError(f"alarm {shown(detail.get('alarmName'))} went to {shown(state.get('value'))}, "
                                  "not ALARM")
    try:
        metric = detail["configuration"]["metrics"][0]["metricStat"]["metric"]
        model = metric["dimensions"]["Model"]
    except (KeyError, IndexError, TypeError) as error:
        raise InvalidTriggerError(f"alarm {shown(detail.get('alarmName'))} has no metric with a Model "
                                  "dimension") from error
    check_name(model, f"alarm {shown(detail.get('alarmName'))}: the Model dimension", InvalidTriggerError)
    if not event.get("id"):
        raise InvalidTriggerError(f"alarm {shown(detail.get('alarmName'))}: the event has no id")
    return Trigger("alarm", model, None, event["id"], {
        "alarm": detail.get("alarmName"), "metric": metric.get("name"), "reason": state.get("reason"),
        "time": state.get("timestamp")})


def rejected_trigger(event: Any) -> dict[str, Any]:
    """What a rejected event was, for its record (the object key, or the alarm), keyed so a redelivery is one record.

    Reads the event defensively: it is the one that could not be parsed.
    """
    event = event if isinstance(event, dict) else {"input": event}
    detail = _mapping(event.get("detail"))
    record: dict[str, Any] = {"trigger": _kind(event)}
    if record["trigger"] == "upload":
        obj = _mapping(detail.get("object"))
        record |= {"bucket": _mapping(detail.get("bucket")).get("name"), "key": obj.get("key"),
                   "version_id": obj.get("version-id")}
        identity = f"{record['bucket']}/{record['key']}?versionId={record['version_id']}"
    elif record["trigger"] == "manual":
        record |= {"key": event.get("dataset_uri"), "requested_model": event.get("model")}
        identity = f"manual#{event.get('request_id')}#{record['key']}#{record['requested_model']}"
    else:
        record |= {"alarm": detail.get("alarmName")} if record["trigger"] == "alarm" else {}
        identity = canonical_json({k: v for k, v in event.items() if k not in ("error", "run")}).decode()
    record = {key: value for key, value in record.items() if value is not None}
    digest = hashlib.sha256(identity.encode("utf-8", "backslashreplace")).hexdigest()[:16]
    return {"model": REJECTED_TRIGGERS, "run_id": f"rejected-{digest}", **record}


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _kind(event: dict[str, Any]) -> str:
    if event.get("source") == "aws.s3":
        return "upload"
    if event.get("source") == "aws.cloudwatch":
        return "alarm"
    return event.get("trigger") if event.get("trigger") in ("manual", "schedule") else "unknown"


def run_key(event: Any) -> tuple[str, str]:
    """The (model, run id) of the record an execution with this input leaves: its run, or its rejection."""
    try:
        trigger = parse_trigger(event)
    except InvalidTriggerError:
        record = rejected_trigger(event)
        return record["model"], record["run_id"]
    return trigger.model, trigger.run_id
