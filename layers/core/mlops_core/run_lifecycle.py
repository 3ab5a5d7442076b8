"""Opening and closing a run record: the first and last steps of every pipeline execution."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .runs import COOLDOWN, FAILED, SUCCEEDED
from .services import Services
from .triggers import AUTOMATIC, parse_trigger

# How long a run holds its model's retraining lease if it never reaches Finish: the state machine's timeout.
LEASE_SECONDS = 3 * 3600


def begin(event: dict[str, Any], services: Services, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """Claim the run for this trigger; a redelivered trigger is marked as a duplicate and goes no further.

    Automatic triggers (alarm, schedule) are dropped, and recorded as suppressed, while another run of the model
    holds its lease: from its start until a cooldown after its end.
    """
    trigger = parse_trigger(event["event"])
    run = {**trigger.to_dict(), "execution": event.get("execution")}
    now = clock()
    if trigger.automatic:
        if services.runs.get(trigger.model, trigger.run_id):
            services.runs.count_duplicate(trigger.model, trigger.run_id)
            return {**run, "duplicate": True, "suppressed": False}
        blocking = services.runs.acquire_lease(trigger.model, trigger.run_id, now, LEASE_SECONDS, exclusive=True)
        if blocking is not None:
            reason = _suppression_reason(blocking)
            recorded = services.runs.suppress({**run, "reason": reason})
            return {**run, "duplicate": not recorded, "suppressed": recorded, "reason": reason}
    claimed = services.runs.claim(run)
    if claimed and not trigger.automatic:
        services.runs.acquire_lease(trigger.model, trigger.run_id, now, LEASE_SECONDS, exclusive=False)
    return {**run, "duplicate": not claimed, "suppressed": False}


def _suppression_reason(lease: dict[str, Any]) -> str:
    until = datetime.fromtimestamp(lease["held_until"], UTC).isoformat(timespec="seconds")
    if lease.get("state") == COOLDOWN:
        return f"retraining cooldown after run {lease['holder']} until {until}"
    return f"run {lease['holder']} in progress"


def finish(event: dict[str, Any], services: Services, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """Close the run record (the decision and version on success, the failing error otherwise); release the lease."""
    run = event["run"]
    if "error" in event:
        error = event["error"]
        message = _error_message(error.get("Cause", ""))
        services.runs.finish(run["model"], run["run_id"], FAILED, {"error": error.get("Error"), "message": message})
        outcome = {"status": FAILED, "error": error.get("Error"), "message": message}
    else:
        registration = event["registration"]
        services.runs.finish(run["model"], run["run_id"], SUCCEEDED, {
            "version": registration["version"], "promoted": registration["promoted"],
            "reason": registration["reason"], "champion_version": registration["champion_version"]})
        outcome = {"status": SUCCEEDED, **registration}
    # The cooldown stops the loop from re-triggering itself; a run someone asked for only holds the lease while it runs.
    cooldown = services.settings.retrain_cooldown_seconds if run["trigger"] in AUTOMATIC else 0.0
    services.runs.release_lease(run["model"], run["run_id"], clock() + cooldown)
    return outcome


def _error_message(cause: str) -> str:
    try:
        return json.loads(cause).get("errorMessage", cause)
    except (ValueError, AttributeError):
        return cause
