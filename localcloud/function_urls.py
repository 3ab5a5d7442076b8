"""Lambda Function URLs on 127.0.0.1: moto's CloudFormation skips AWS::Lambda::Url, so they are served here.

Each URL is an HTTP server that turns a request into the payload format 2.0 event Lambda sends, invokes the function
through moto's Lambda backend (which runs the handler in-process), and turns the result into the HTTP response by
the same rules as AWS. AuthType AWS_IAM is checked for the presence of a SigV4 Authorization header only: signatures
are not verified (IAM is not emulated).
"""

from __future__ import annotations

import base64
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .template import rewrite

MAX_PAYLOAD = 6_291_456
TEXT_TYPES = ("application/json", "application/xml", "application/javascript")

Invoke = Callable[[str, dict[str, Any]], tuple[str, bool]]


@dataclass(frozen=True)
class FunctionUrl:
    """One AWS::Lambda::Url of the template: its function, auth type and local address."""

    logical_id: str
    function_logical_id: str
    auth_type: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def detach(body: dict[str, Any], parameters: dict[str, str], port_for: Callable[[str], int]) -> list[FunctionUrl]:
    """Remove the URL resources moto would skip, and put their local address where Outputs ask for it."""
    urls = []
    for logical_id, resource in list(body["Resources"].items()):
        if resource["Type"] != "AWS::Lambda::Url":
            continue
        props = body["Resources"].pop(logical_id)["Properties"]
        target = props["TargetFunctionArn"]
        function = target["Ref"] if "Ref" in target else target["Fn::GetAtt"][0]
        urls.append(FunctionUrl(logical_id, function, _resolve(props["AuthType"], body, parameters),
                                port_for(logical_id)))
    addresses = {url.logical_id: url.url for url in urls}

    def to_address(node: dict[str, Any]) -> str | None:
        attribute = node.get("Fn::GetAtt")
        if isinstance(attribute, list) and attribute[0] in addresses and attribute[1] == "FunctionUrl":
            return addresses[attribute[0]]
        return None

    body["Outputs"] = rewrite(body.get("Outputs", {}), to_address)
    return urls


def _resolve(value: Any, body: dict[str, Any], parameters: dict[str, str]) -> str:
    if isinstance(value, dict) and "Ref" in value:
        name = value["Ref"]
        return parameters.get(name, body.get("Parameters", {}).get(name, {}).get("Default"))
    return value


class FunctionUrlServer:
    """Serves one Function URL until stopped."""

    def __init__(self, url: FunctionUrl, function_name: str, invoke: Invoke, account: str) -> None:
        self.url, self.function_name, self.invoke, self.account = url, function_name, invoke, account
        self._server = ThreadingHTTPServer(("127.0.0.1", url.port), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FunctionUrlServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def event(self, method: str, target: str, headers: dict[str, str], body: bytes | None,
              source_ip: str) -> dict[str, Any]:
        """The payload format 2.0 event Lambda sends for a Function URL request."""
        parts = urlsplit(target)
        now = time.time()
        event: dict[str, Any] = {
            "version": "2.0", "routeKey": "$default", "rawPath": parts.path or "/", "rawQueryString": parts.query,
            "headers": headers,
            "requestContext": {
                "accountId": "anonymous" if self.url.auth_type == "NONE" else self.account,
                "apiId": self.url.logical_id.lower(), "domainName": f"127.0.0.1:{self.url.port}",
                "domainPrefix": "127", "requestId": str(uuid.uuid4()), "routeKey": "$default", "stage": "$default",
                "http": {"method": method, "path": parts.path or "/", "protocol": "HTTP/1.1",
                         "sourceIp": source_ip, "userAgent": headers.get("user-agent", "")},
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "timeEpoch": int(now * 1000)},
            "isBase64Encoded": False,
        }
        if parts.query:
            event["queryStringParameters"] = {k: ",".join(v) for k, v in parse_qs(parts.query).items()}
        if "cookie" in headers:
            event["cookies"] = [c.strip() for c in headers["cookie"].split(";")]
        if body:
            text = _text(body) if _is_text(headers.get("content-type", "")) else None
            event["body"] = text if text is not None else base64.b64encode(body).decode()
            event["isBase64Encoded"] = text is None
        return event


def _text(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _is_text(content_type: str) -> bool:
    """Lambda passes text bodies as they are and base64-encodes the rest."""
    kind = content_type.split(";")[0].strip().lower()
    return kind.startswith("text/") or kind in TEXT_TYPES or kind.endswith(("+json", "+xml"))


def _handler_class(server: FunctionUrlServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_request(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_PAYLOAD:
                self._drain(length)
                return self._send(413, {"content-type": "application/json"}, json.dumps(
                    {"Message": f"Request must be smaller than {MAX_PAYLOAD} bytes for the InvokeFunction "
                                "operation"}).encode())
            body = self.rfile.read(length) if length else None
            headers: dict[str, str] = {}
            for key, value in self.headers.items():
                headers[key.lower()] = f"{headers[key.lower()]},{value}" if key.lower() in headers else value
            if server.url.auth_type == "AWS_IAM" and not headers.get("authorization", "").startswith("AWS4-"):
                return self._send(403, {"content-type": "application/json"}, b'{"Message":"Forbidden"}')
            event = server.event(self.command, self.path, headers, body, self.client_address[0])
            try:
                payload, errored = server.invoke(server.function_name, event)
            except Exception:  # as on AWS: the caller sees a 502, the details go to the log
                traceback.print_exc()
                payload, errored = "", True
            self._send(*_response(payload, errored))

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_request

        def _drain(self, length: int) -> None:
            """Read an oversized body before answering, so the client sees the 413 rather than a broken pipe."""
            while length > 0:
                length -= len(self.rfile.read(min(length, 1 << 20)) or b"x" * length)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    return Handler


def _response(payload: str, errored: bool) -> tuple[int, dict[str, str], bytes]:
    """Lambda's result as the HTTP response, by the payload format 2.0 rules."""
    if errored:
        return 502, {"content-type": "application/json"}, b'{"Message":"Internal Server Error"}'
    result = json.loads(payload) if payload else None
    if not (isinstance(result, dict) and "statusCode" in result):
        return 200, {"content-type": "application/json"}, json.dumps(result).encode()
    headers = {key.lower(): str(value) for key, value in (result.get("headers") or {}).items()}
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return int(result["statusCode"]), headers, data
