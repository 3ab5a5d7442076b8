"""What a client may send to the inference URL, derived from the model's data contract, and its parsing."""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlops_core.contract import MISSING_CATEGORY, Column, Contract, visible
from mlops_core.dates import DATE_PATTERN, is_date
from mlops_core.errors import InvalidRequestError, RequestError, RequestTooLargeError, UnsupportedMediaTypeError

MAX_BODY_BYTES = 1_048_576
MAX_RECORDS = 1000
MAX_REQUEST_ID = 128
# Models compute in float32; a larger magnitude would reach them as infinity.
FLOAT32_MAX = float(np.finfo(np.float32).max)
DATE_DESCRIPTION = ("an ISO 8601 date naming a real day, YYYY-MM-DD (JSON Schema format date), optionally followed by "
                    "a time after 'T' or a space (as format date-time), which the model does not read")
DATE_EXAMPLES = ["2024-03-05", "2024-03-05T10:11:12Z"]


def parse_body(body: str | None, is_base64: bool, content_type: str | None = None,
               max_bytes: int = MAX_BODY_BYTES) -> Any:
    """Decode an HTTP body into JSON; every way it can be wrong is a RequestError, never another exception."""
    _check_content_type(content_type)
    if not body:
        raise RequestError("body: required, a JSON object")
    if len(body) > (max_bytes * 4 // 3 + 4 if is_base64 else max_bytes):
        raise RequestTooLargeError(f"body: larger than {max_bytes} bytes")
    try:
        raw = base64.b64decode(body, validate=True) if is_base64 else body.encode("utf-8", "surrogatepass")
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeError) as error:
        raise RequestError("body: not valid UTF-8 text") from error
    if len(raw) > max_bytes:
        raise RequestTooLargeError(f"body: {len(raw)} bytes, at most {max_bytes}")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError as error:
        raise RequestError("body: JSON nested too deeply") from error
    except ValueError as error:
        raise RequestError(f"body: not valid JSON ({error})") from error


def _check_content_type(content_type: str | None) -> None:
    """JSON in UTF-8 only (`application/json`, or a `+json` type); a request that names no type is read as JSON."""
    if not content_type or not content_type.strip():
        return
    media, *parameters = (part.strip().lower() for part in content_type.split(";"))
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise UnsupportedMediaTypeError(f"content-type: '{visible(media, 60)}' is not accepted; send the body as "
                                        "application/json")
    charset = next((value.strip().strip('"') for key, _, value in (p.partition("=") for p in parameters)
                    if key.strip() == "charset"), "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaTypeError(f"content-type: charset '{visible(charset, 30)}' is not accepted; "
                                        "JSON is read as UTF-8 (application/json; charset=utf-8)")


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON number")


@dataclass(frozen=True)
class Batch:
    """Validated records, as the client sent them, and the ONNX feed built from them."""

    records: list[dict[str, Any]]
    feed: dict[str, np.ndarray]

    @property
    def rows(self) -> int:
        return len(self.records)


@dataclass(frozen=True)
class Label:
    """A ground-truth label for one row of an earlier prediction request."""

    request_id: str
    row: int
    label: Any


class RequestSchema:
    """The features a model takes, their constraints from the contract, and their ONNX input names."""

    def __init__(self, contract: Contract, inputs: dict[str, str], max_records: int = MAX_RECORDS) -> None:
        self.contract, self.inputs, self.max_records = contract, inputs, max_records
        self.columns = {name: contract.columns[name] for name in inputs}
        self.numeric = [name for name, column in self.columns.items() if column.numeric]
        # Categories and dates reach the model as strings.
        self.text = [name for name, column in self.columns.items() if not column.numeric]

    def parse_predict(self, doc: Any) -> Batch:
        """`{"records": [{feature: value, ...}, ...]}` -> a batch, or an error naming the first bad field."""
        records = _records(doc, "records", self.max_records)
        clean = [self._record(i, record) for i, record in enumerate(records)]
        feed: dict[str, np.ndarray] = {}
        if self.numeric:
            matrix = np.array([[row[name] for name in self.numeric] for row in clean], dtype=np.float32)
            # Slices are views; a list index (matrix[:, [j]]) would copy each column.
            feed |= {self.inputs[name]: matrix[:, j:j + 1] for j, name in enumerate(self.numeric)}
        if self.text:
            matrix = np.array([[row[name] for name in self.text] for row in clean], dtype=object)
            feed |= {self.inputs[name]: matrix[:, j:j + 1] for j, name in enumerate(self.text)}
        return Batch([{name: record[name] for name in self.columns} for record in records], feed)

    def parse_feedback(self, doc: Any) -> list[Label]:
        """`{"labels": [{"request_id": ..., "row": 0, "label": ...}, ...]}` -> labels checked against the target."""
        entries = _records(doc, "labels", self.max_records)
        target = self.contract.columns[self.contract.target]
        labels = []
        for i, entry in enumerate(entries):
            where = f"labels[{i}]"
            unknown = sorted(set(entry) - {"request_id", "row", "label"})
            if unknown:
                raise InvalidRequestError(f"{where}.{visible(unknown[0])}: unknown field; expected request_id, row, "
                                          "label")
            request_id = entry.get("request_id")
            if not isinstance(request_id, str) or not 0 < len(request_id) <= MAX_REQUEST_ID:
                raise InvalidRequestError(f"{where}.request_id: required, a string of 1-{MAX_REQUEST_ID} characters")
            row = entry.get("row", 0)
            if isinstance(row, float) and row.is_integer():  # JSON Schema's integer: 3.0 is one
                row = int(row)
            if isinstance(row, bool) or not isinstance(row, int) or not 0 <= row < self.max_records:
                raise InvalidRequestError(f"{where}.row: must be an integer from 0 to {self.max_records - 1}")
            if "label" not in entry or entry["label"] is None:
                raise InvalidRequestError(f"{where}.label: required")
            try:
                labels.append(Label(request_id, row, _value(target, entry["label"])))
            except _Refused as refused:
                raise InvalidRequestError(f"{where}.label: {refused}") from None
        return labels

    def json_schema(self) -> dict[str, Any]:
        """The request body as JSON Schema, for clients and for generated tests."""
        properties = {name: column_schema(column) for name, column in self.columns.items()}
        record = {"type": "object", "properties": properties, "required": list(self.columns),
                  "additionalProperties": self.contract.allow_extra_columns}
        return {"type": "object", "required": ["records"], "additionalProperties": False,
                "properties": {"records": {"type": "array", "items": record, "minItems": 1,
                                           "maxItems": self.max_records}}}

    def _record(self, index: int, record: dict[str, Any]) -> dict[str, Any]:
        extra = [name for name in record if name not in self.columns]
        if extra and not self.contract.allow_extra_columns:
            hint = " (the target: send it as feedback)" if extra[0] == self.contract.target else ""
            raise InvalidRequestError(f"records[{index}].{visible(extra[0])}: not a feature of model "
                                      f"{self.contract.model}{hint}")
        clean = {}
        for name, column in self.columns.items():
            if name not in record:
                raise InvalidRequestError(f"records[{index}].{visible(name)}: required feature is missing")
            try:
                clean[name] = _value(column, record[name])
            except _Refused as refused:  # the field's location, built only for a refusal
                raise InvalidRequestError(f"records[{index}].{visible(name)}: {refused}") from None
        return clean


def _records(doc: Any, key: str, limit: int) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        raise InvalidRequestError(f"body: must be a JSON object with a {key!r} list")
    unknown = sorted(set(doc) - {key})
    if unknown:
        raise InvalidRequestError(f"{visible(unknown[0])}: unknown field; the body has only {key!r}")
    items = doc.get(key)
    if not isinstance(items, list) or not items:
        raise InvalidRequestError(f"{key}: required, a non-empty list of objects")
    if len(items) > limit:
        raise RequestTooLargeError(f"{key}: {len(items)} items, at most {limit} per request")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidRequestError(f"{key}[{i}]: must be an object")
    return items


class _Refused(ValueError):
    """A value its column refuses; the caller names the field."""


def _value(column: Column, value: Any) -> Any:
    """A value checked against its column: numbers finite and in range, categories from the list, dates ISO."""
    if value is None:
        if not column.nullable:
            raise _Refused("must not be null")
        return math.nan if column.numeric else MISSING_CATEGORY
    if column.type == "date":
        # Refused like a category outside the contract, rather than scored as missing: the client learns of it.
        if not isinstance(value, str):
            raise _Refused(f"expected a string date (YYYY-MM-DD), got {_kind(value)}")
        if not is_date(value):
            raise _Refused(f"{value[:40]!r} is not an ISO date (YYYY-MM-DD naming a real day, optionally a time "
                           "after 'T' or a space)")
        return value
    if not column.numeric:
        if not isinstance(value, str):
            raise _Refused(f"expected a string category, got {_kind(value)}")
        if value not in column.categories:
            allowed = ", ".join(column.categories[:10]) + (", ..." if len(column.categories) > 10 else "")
            raise _Refused(f"{value[:40]!r} is not one of the contract's categories ({allowed})")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refused(f"expected a number, got {_kind(value)}")
    try:
        finite = math.isfinite(value) and abs(float(value)) <= FLOAT32_MAX
    except OverflowError:
        finite = False
    if not finite:
        raise _Refused("must be a finite number within float32 range")
    if column.type == "integer" and value != int(value):
        raise _Refused(f"expected an integer, got {value}")
    if column.min is not None and value < column.min or column.max is not None and value > column.max:
        raise _Refused(f"{value} is outside the contract's range [{column.min}, {column.max}]")
    return value


def _kind(value: Any) -> str:
    return {bool: "a boolean", str: "a string", list: "a list", dict: "an object"}.get(type(value), "a number")


def column_schema(column: Column) -> dict[str, Any]:
    """One column as JSON Schema: its type, bounds, categories or date pattern, and null when it is nullable."""
    if column.type == "date":
        # The pattern is the rule the service applies (a real calendar day is checked on top). No "format": neither
        # "date" nor "date-time" alone admits both forms, and an "anyOf" of them would read as the nullable wrapper.
        schema: dict[str, Any] = {"type": "string", "pattern": f"^{DATE_PATTERN}$", "examples": DATE_EXAMPLES,
                                  "description": DATE_DESCRIPTION}
    elif column.numeric:
        schema = {"type": "integer" if column.type == "integer" else "number"}
        schema |= {key: value for key, value in (("minimum", column.min), ("maximum", column.max))
                   if value is not None}
    else:
        schema = {"type": "string", "enum": list(column.categories)}
    if column.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema
