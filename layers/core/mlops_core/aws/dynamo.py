"""Plain dicts to DynamoDB attribute values and back (numbers as decimal strings on the wire, int/float in Python).

Written on botocore's wire format directly, so the inference function reads the registry without importing boto3."""

from __future__ import annotations

import json
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# DynamoDB's number limits (38 digits, exponents -130..125), as boto3's TypeSerializer checks them.
NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


def to_attribute(value: Any) -> dict:
    return _serialize(json.loads(json.dumps(value, default=str), parse_float=Decimal))


def to_item(doc: dict[str, Any]) -> dict[str, dict]:
    return {key: to_attribute(value) for key, value in doc.items() if value is not None}


def from_item(item: dict[str, dict]) -> dict[str, Any]:
    return {key: _deserialize(value) for key, value in item.items()}


def _serialize(value: Any) -> dict:
    """A JSON value (floats already Decimal) as an attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        number = str(NUMBERS.create_decimal(value))
        if number in ("Infinity", "-Infinity", "NaN", "sNaN"):
            raise TypeError(f"{number} is not supported by DynamoDB")
        return {"N": number}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list):
        return {"L": [_serialize(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: _serialize(v) for k, v in value.items()}}
    raise TypeError(f"unsupported type {type(value).__name__} for a DynamoDB attribute value: {value!r}")


def _deserialize(attribute: dict) -> Any:
    [(kind, value)] = attribute.items()
    if kind == "S" or kind == "B":
        return value
    if kind == "N":
        return _number(value)
    if kind == "BOOL":
        return value
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: _deserialize(v) for k, v in value.items()}
    if kind == "L":
        return [_deserialize(v) for v in value]
    if kind == "SS" or kind == "BS":
        return list(value)
    if kind == "NS":
        return [_number(v) for v in value]
    raise TypeError(f"unsupported DynamoDB attribute type {kind!r}")


def _number(text: str) -> int | float:
    number = NUMBERS.create_decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def is_conditional_failure(error: Exception) -> bool:
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")
