"""Calling a stack's inference URL, SigV4-signed when its AuthType is AWS_IAM."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
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
    records = doc["records"] if isinstance(doc, dict) and "records" in doc else doc if isinstance(doc, list) else [doc]
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise ValueError('records: expected JSON objects, [{"feature": value, ...}, ...]')
    return records
