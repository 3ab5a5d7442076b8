"""Following a pipeline execution state by state, as it happens."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.status import Status

from .stack import Stack

ENTERED = {"TaskStateEntered", "MapStateEntered", "ChoiceStateEntered", "SucceedStateEntered", "FailStateEntered"}
EXITED = {"TaskStateExited", "MapStateExited"}


def newest_execution(stack: Stack, started_after: float, timeout: float = 60) -> str:
    """The ARN of the first execution that started after `started_after` (epoch seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        executions = stack.stepfunctions.list_executions(stateMachineArn=stack.state_machine_arn)["executions"]
        fresh = [e for e in executions if e["startDate"].timestamp() >= started_after - 1]
        if fresh:
            return min(fresh, key=lambda e: e["startDate"])["executionArn"]
        time.sleep(0.2)
    raise TimeoutError("no pipeline execution started")


def follow(stack: Stack, execution_arn: str, console: Console, poll: float = 0.3) -> dict[str, Any]:
    """Print each state as it is entered, with a spinner on the current one; return the final description."""
    seen = 0
    with Status("starting", console=console) as status:
        while True:
            events = stack.stepfunctions.get_execution_history(executionArn=execution_arn,
                                                               maxResults=1000)["events"]
            started = events[0]["timestamp"] if events else None
            for event in events[seen:]:
                _print_event(event, console, (event["timestamp"] - started).total_seconds(), status)
            seen = len(events)
            description = stack.stepfunctions.describe_execution(executionArn=execution_arn)
            if description["status"] != "RUNNING":
                return description
            time.sleep(poll)


def _print_event(event: dict[str, Any], console: Console, elapsed: float, status: Status) -> None:
    kind = event["type"]
    if kind in ENTERED:
        name = event["stateEnteredEventDetails"]["name"]
        status.update(f"{name} ...")
        console.print(f"  [dim]{elapsed:6.1f}s[/] -> {name}")
    elif kind in EXITED:
        console.print(f"  [dim]{elapsed:6.1f}s[/]    {event['stateExitedEventDetails']['name']} done")
    elif kind in ("LambdaFunctionFailed", "ExecutionFailed"):
        details = event.get("lambdaFunctionFailedEventDetails") or event.get("executionFailedEventDetails") or {}
        console.print(f"  [dim]{elapsed:6.1f}s[/]    [red]{kind}: {details.get('error')}[/]")
