"""The local runtime's clock: evaluates CloudWatch alarms every tick and, when asked, fires EventBridge schedules."""

from __future__ import annotations

import re
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .alarms import AlarmEngine

RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> int | None:
    """Seconds between firings of a rate() expression; None for cron(), which is not run here."""
    match = RATE.match(expression or "")
    return int(match.group(1)) * UNIT_SECONDS[match.group(2).rstrip("s")] if match else None


# Alarms are re-evaluated at least this often even without new metric data (data ages out of their windows).
FULL_EVALUATION_SECONDS = 15.0


class Clock:
    """A daemon thread: alarms every `tick` seconds after new metric data (`metrics_arrived`), and every
    FULL_EVALUATION_SECONDS regardless; rate() schedule rules when `schedules` is on."""

    def __init__(self, client_factory: Callable[[str], Any], deliver: Callable[[dict, dict], None],
                 tick: float = 1.0, schedules: bool = False) -> None:
        self.client_factory, self.deliver, self.tick, self.schedules = client_factory, deliver, tick, schedules
        self.metrics_arrived = threading.Event()
        self._last_evaluation = float("-inf")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_fire: dict[str, float] = {}
        self._engine: AlarmEngine | None = None
        self._events: Any = None

    def start(self) -> Clock:
        self._events = self.client_factory("events")
        self._engine = AlarmEngine(self.client_factory("cloudwatch"), self._events)
        self._thread = threading.Thread(target=self._run, name="localcloud-clock", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                if self.metrics_arrived.is_set() or time.monotonic() - self._last_evaluation > FULL_EVALUATION_SECONDS:
                    self.metrics_arrived.clear()
                    self._last_evaluation = time.monotonic()
                    self._engine.evaluate()
                if self.schedules:
                    self._fire_due_schedules()
            except Exception as error:  # the clock outlives one failed tick, as CloudWatch would
                print(f"localcloud clock: {type(error).__name__}: {error}", file=sys.__stderr__, flush=True)

    def _fire_due_schedules(self) -> None:
        now = time.monotonic()
        for rule in self._events.list_rules()["Rules"]:
            every = rate_seconds(rule.get("ScheduleExpression", ""))
            if every is None or rule.get("State") != "ENABLED":
                continue
            due = self._next_fire.setdefault(rule["Arn"], now + every)
            if now < due:
                continue
            self._next_fire[rule["Arn"]] = now + every
            event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
                     "source": "aws.events", "account": rule["Arn"].split(":")[4],
                     "time": datetime.now(UTC).isoformat(timespec="seconds"), "region": rule["Arn"].split(":")[3],
                     "resources": [rule["Arn"]], "detail": {}}
            for target in self._events.list_targets_by_rule(Rule=rule["Name"])["Targets"]:
                self.deliver(target, event)
