"""Running Lambda handlers from their source folders inside this process, one invocation at a time."""

from __future__ import annotations

import gc
import importlib.util
import io
import json
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any


@dataclass
class LocalFunction:
    """A function's handler and the folders its code and layers come from."""

    name: str
    handler: str
    code_dir: Path
    layer_dirs: list[Path]
    timeout: int = 3
    memory: int = 128
    log_group: str = ""
    log_format: str = "Text"
    module: ModuleType | None = None
    log_stream: str = field(init=False)

    def __post_init__(self) -> None:
        """One execution environment, so one log stream, named as Lambda names it (with the function's name when
        the log group is shared)."""
        shared = bool(self.log_group)
        self.log_group = self.log_group or f"/aws/lambda/{self.name}"
        self.log_stream = time.strftime("%Y/%m/%d/") + (self.name if shared else "") + "[$LATEST]" + uuid.uuid4().hex


@dataclass
class Invocation:
    """What one invocation returned, as Lambda reports it."""

    payload: str
    errored: bool
    logs: str
    seconds: float


class CapturedOutput(io.TextIOBase):
    """One invocation's output, each write stamped with the time it was made (milliseconds since the epoch)."""

    def __init__(self) -> None:
        self.writes: list[tuple[int, str]] = []

    def write(self, text: str) -> int:
        self.writes.append((time.time_ns() // 1_000_000, text))
        return len(text)

    def getvalue(self) -> str:
        return "".join(text for _, text in self.writes)

    def lines(self) -> list[tuple[int, str]]:
        """Each line with the time its first character was written, as CloudWatch Logs receives them."""
        found: list[tuple[int, str]] = []
        line, started = "", 0
        for when, text in self.writes:
            for piece in text.splitlines(keepends=True):
                started = started if line else when
                line += piece
                if line.endswith(("\n", "\r")):
                    found.append((started, line.rstrip("\r\n")))
                    line = ""
        if line:
            found.append((started, line))
        return found


class LambdaContext:
    """The attributes handlers (and Powertools) read from Lambda's context object."""

    def __init__(self, function: LocalFunction) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{function.name}"
        self.memory_limit_in_mb = function.memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = function.log_group
        self.log_stream_name = function.log_stream
        self._deadline = time.monotonic() + function.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def exempt_from_collection() -> None:
    """Move every object alive now out of the garbage collector's scans.

    This one process holds what many Lambda processes would: moto's state and every function's packages, over
    500,000 objects, which each full collection would otherwise rescan (about 0.5 s, measured mid-run). Objects
    made later are collected as usual.
    """
    gc.freeze()


class _ThreadRoutedStream(io.TextIOBase):
    """sys.stdout/err that sends a handler's writes to its invocation's log and everything else through."""

    def __init__(self, passthrough: Any, routes: threading.local) -> None:
        self.passthrough, self.routes = passthrough, routes

    def write(self, text: str) -> int:
        buffer = getattr(self.routes, "buffer", None)
        return (buffer or self.passthrough).write(text)

    def flush(self) -> None:
        self.passthrough.flush()

    def isatty(self) -> bool:
        return False


@dataclass
class FunctionHost:
    """Loads each function's `app.py` under a unique module name and invokes it with the function's environment.

    Handlers share this interpreter, so invocations are serialized: os.environ is process-wide. Lambda would run
    concurrent invocations (a Map state's iterations) in parallel; here they run one after another.
    """

    functions: dict[str, LocalFunction] = field(default_factory=dict)
    # Called with (function name, its output) after each invocation, as CloudWatch Logs would receive it.
    log_listeners: list[Callable[[str, str], None]] = field(default_factory=list)
    # Called with (function, its output's lines with their times) after each invocation: the logs' destination.
    log_sinks: list[Callable[[LocalFunction, list[tuple[int, str]]], None]] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _routes: threading.local = field(default_factory=threading.local)
    _faults: dict[str, list[str]] = field(default_factory=dict)

    def route_output(self) -> None:
        """Capture handler output per invocation instead of letting it interleave with the caller's."""
        if not isinstance(sys.stdout, _ThreadRoutedStream):
            sys.stdout = _ThreadRoutedStream(sys.stdout, self._routes)
            sys.stderr = _ThreadRoutedStream(sys.stderr, self._routes)

    def add(self, function: LocalFunction) -> None:
        self.functions[function.name] = function

    def inject_failures(self, name: str, count: int, error: str = "Lambda.ServiceException") -> None:
        """Fail the function's next `count` invocations with `error`, before its handler runs (for retry tests)."""
        self._faults[name] = [error] * count

    def pending_failures(self, name: str) -> int:
        """How many injected failures the function's next invocations still have to raise."""
        return len(self._faults.get(name, []))

    def invoke(self, name: str, event: Any, environment: dict[str, str]) -> Invocation:
        function = self.functions[name]
        faults = self._faults.get(name)
        if faults:
            error = faults.pop()
            return Invocation(json.dumps({"errorType": error, "errorMessage": f"injected {error}"}), True,
                              f"injected {error}\n", 0.0)
        with self._lock, self._environment(function, environment), self._captured() as logs:
            self.route_output()  # again: a test runner may have swapped sys.stdout since the last invocation
            started = time.perf_counter()
            context = LambdaContext(function)
            try:
                handler = self._handler(function)
                result = handler(event if event is not None else {}, context)
                payload, errored = json.dumps(result), False
            except Exception as error:  # a handler's exception is the invocation's result, as on Lambda
                failure = {"errorMessage": str(error), "errorType": type(error).__name__,
                           "stackTrace": traceback.format_tb(error.__traceback__)}
                _log_error(function, failure, context.aws_request_id)
                payload, errored = json.dumps(failure), True
            seconds = time.perf_counter() - started
        for listener in self.log_listeners:
            listener(name, logs.getvalue())
        for sink in self.log_sinks:
            sink(function, logs.lines())
        return Invocation(payload, errored, logs.getvalue(), seconds)

    def _handler(self, function: LocalFunction) -> Callable[[Any, Any], Any]:
        module_name, handler_name = function.handler.rsplit(".", 1)
        if function.module is None:
            for layer in function.layer_dirs:
                if str(layer) not in sys.path:
                    sys.path.append(str(layer))
            source = function.code_dir / f"{module_name.replace('.', '/')}.py"
            spec = importlib.util.spec_from_file_location(f"localcloud_fn_{function.name}", source)
            module = importlib.util.module_from_spec(spec)
            sys.path.insert(0, str(function.code_dir))
            try:
                spec.loader.exec_module(module)
            finally:
                sys.path.remove(str(function.code_dir))
            function.module = module
            exempt_from_collection()
        return getattr(function.module, handler_name)

    @contextmanager
    def _environment(self, function: LocalFunction, variables: dict[str, str]) -> Iterator[None]:
        saved = dict(os.environ)
        os.environ.update({"AWS_LAMBDA_FUNCTION_NAME": function.name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE":
                           str(function.memory), "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                           **{key: str(value) for key, value in variables.items()}})
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)

    @contextmanager
    def _captured(self) -> Iterator[CapturedOutput]:
        buffer = CapturedOutput()
        self._routes.buffer = buffer
        try:
            yield buffer
        finally:
            self._routes.buffer = None


def _log_error(function: LocalFunction, failure: dict[str, Any], request_id: str) -> None:
    """The runtime's record of an unhandled error: one JSON line under LogFormat JSON, else the text traceback."""
    if function.log_format == "JSON":
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        print(json.dumps({"timestamp": stamp, "level": "ERROR", **failure, "requestId": request_id}))
    else:
        print(f"[ERROR] {failure['errorType']}: {failure['errorMessage']}\nTraceback (most recent call last):\n"
              + "".join(failure["stackTrace"]), end="")
