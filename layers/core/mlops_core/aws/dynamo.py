"""Plain dicts to DynamoDB attribute values and back (numbers as Decimal on the wire, int/float in Python)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()


def to_attribute(value: Any) -> dict:
    return _serializer.serialize(json.loads(json.dumps(value, default=str), parse_float=Decimal))


def to_item(doc: dict[str, Any]) -> dict[str, dict]:
    return {key: to_attribute(value) for key, value in doc.items() if value is not None}


def from_item(item: dict[str, dict]) -> dict[str, Any]:
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_plain(v) for v in value]
    return value


def is_conditional_failure(error: Exception) -> bool:
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")
