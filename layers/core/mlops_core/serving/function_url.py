"""The Function URL's HTTP layer: routes, exception handlers and JSON responses, answered as Powertools'
LambdaFunctionUrlResolver answers them, without importing its event handler package (whose other resolvers a cold
start would pay for)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# A path parameter matches one segment of URI characters, as in Powertools: RFC 3986's unreserved characters and
# sub-delimiters, ':' and '@', and the unsafe ones a client may send unencoded.
_SEGMENT = r"[-._~()'!*:@,;=+&$%<> \[\]{}|^\w]+"
_PARAMETER = re.compile(r"<(\w+)>")

Handler = Callable[..., Any]


@dataclass(frozen=True)
class Response:
    """A JSON answer with its status code."""

    status_code: int
    body: Any


@dataclass(frozen=True)
class UrlRequest:
    """The parts of a Function URL event (payload format 2.0) that routes read."""

    method: str
    path: str
    body: str | None
    is_base64_encoded: bool
    headers: dict[str, str]
    request_id: str | None

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> UrlRequest:
        context = event["requestContext"]
        return cls(context["http"]["method"].upper(), event["rawPath"], event.get("body"),
                   bool(event.get("isBase64Encoded")), event.get("headers") or {}, context.get("requestId"))

    def header(self, name: str) -> str | None:
        """A header's value, whatever the case of its name."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)


class NoRouteError(Exception):
    """No route takes the request's method and path."""


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    dynamic: bool


class FunctionUrlResolver:
    """Routes `METHOD /path/<parameter>` to functions; an exception a route raises goes to the handler registered
    for its nearest class, and a request no route takes to the `not_found` handler."""

    def __init__(self) -> None:
        self._routes: list[_Route] = []
        self._exception_handlers: dict[type[BaseException], Callable[[Exception], Response]] = {}
        self.current_event: UrlRequest | None = None

    def get(self, rule: str) -> Callable[[Handler], Handler]:
        return self._route("GET", rule)

    def post(self, rule: str) -> Callable[[Handler], Handler]:
        return self._route("POST", rule)

    def exception_handler(self, kind: type[Exception]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._exception_handlers[kind] = handler
            return handler

        return register

    def not_found(self, handler: Handler) -> Handler:
        return self.exception_handler(NoRouteError)(handler)

    def resolve(self, event: dict[str, Any], context: object) -> dict[str, Any]:
        """The Function URL response to an event."""
        request = self.current_event = UrlRequest.from_event(event)
        try:
            answer = self._call(request)
        except Exception as error:
            handler = next((self._exception_handlers[kind] for kind in type(error).__mro__
                            if kind in self._exception_handlers), None)
            if handler is None:
                raise
            answer = handler(error)
        response = answer if isinstance(answer, Response) else Response(200, answer)
        return {"statusCode": response.status_code, "body": json.dumps(response.body, separators=(",", ":")),
                "isBase64Encoded": False, "headers": {"Content-Type": "application/json"}, "cookies": []}

    def _call(self, request: UrlRequest) -> Any:
        for route in self._routes:
            if route.method == request.method and (match := route.pattern.match(request.path)):
                return route.handler(**match.groupdict())
        raise NoRouteError(f"no route for {request.method} {request.path}")

    def _route(self, method: str, rule: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            pattern = re.compile("^" + _PARAMETER.sub(lambda name: f"(?P<{name[1]}>{_SEGMENT})", rule) + "$")
            self._routes.append(_Route(method, pattern, handler, dynamic=pattern.groups > 0))
            self._routes.sort(key=lambda route: route.dynamic)  # fixed paths first, as Powertools matches them
            return handler

        return register
