"""Calling a stack's inference URL, SigV4-signed when its AuthType is AWS_IAM."""

from __future__ import annotations

import csv
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

TIMEOUT_SECONDS = 30


class InferenceError(RuntimeError):
    """The inference URL answered with an error status."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}: {body.get('error') or body.get('Message') or body}")
        self.status, self.body = status, body


@dataclass(frozen=True)
class InferenceClient:
    """GET and POST JSON to the inference URL; `signed` adds SigV4 for service `lambda`."""

    url: str
    signed: bool

    def get(self, path: str) -> dict[str, Any]:
        return self._call("GET", path, None)

    def post(self, path: str, doc: Any) -> dict[str, Any]:
        return self._call("POST", path, json.dumps(doc).encode())

    def _call(self, method: str, path: str, body: bytes | None) -> dict[str, Any]:
        url = self.url.rstrip("/") + "/" + path.lstrip("/")
        headers = {"content-type": "application/json"}
        if self.signed:
            session = boto3.Session()
            request = AWSRequest(method=method, url=url, data=body, headers=headers)
            SigV4Auth(session.get_credentials(), "lambda", session.region_name).add_auth(request)
            headers = dict(request.headers.items())
        request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 - the stack's URL
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                detail = json.loads(text)
            except ValueError:
                detail = {"error": text.decode(errors="replace")[:500]}
            raise InferenceError(error.code, detail) from error


def json_records(text: str) -> list[dict[str, Any]]:
    """Records from JSON: a list of objects, one object, or a {"records": [...]} body."""
    doc = json.loads(text)
    if isinstance(doc, dict) and "records" in doc:
        return doc["records"]
    return doc if isinstance(doc, list) else [doc]


def csv_records(path: Path, request_schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Records from a CSV file, each cell typed by the model's request schema; empty cells are null."""
    properties = request_schema["properties"]["records"]["items"]["properties"]
    types = {name: _json_type(spec) for name, spec in properties.items()}
    with path.open(newline="") as handle:
        return [{key: _cell(value, types.get(key)) for key, value in row.items()} for row in csv.DictReader(handle)]


def _json_type(spec: dict[str, Any]) -> str:
    options = spec.get("anyOf", [spec])
    return next(option["type"] for option in options if option.get("type") != "null")


def _cell(value: str, kind: str | None) -> Any:
    if value == "":
        return None
    if kind not in ("number", "integer"):
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if kind == "integer" and number.is_integer() else number
