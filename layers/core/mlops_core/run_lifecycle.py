"""Opening and closing a run record: the first and last steps of every pipeline execution."""

from __future__ import annotations

import json
from typing import Any

from .runs import FAILED, SUCCEEDED
from .services import Services
from .triggers import parse_trigger


def begin(event: dict[str, Any], services: Services) -> dict[str, Any]:
    """Claim the run for this trigger; a redelivered trigger is marked as a duplicate and goes no further."""
    trigger = parse_trigger(event["event"])
    run = trigger.to_dict()
    claimed = services.runs.claim({**run, "execution": event.get("execution")})
    return {**run, "duplicate": not claimed}


def finish(event: dict[str, Any], services: Services) -> dict[str, Any]:
    """Close the run record: the decision and version on success, the failing error and its message otherwise."""
    run = event["run"]
    if "error" in event:
        error = event["error"]
        message = _error_message(error.get("Cause", ""))
        services.runs.finish(run["model"], run["run_id"], FAILED, {"error": error.get("Error"), "message": message})
        return {"status": FAILED, "error": error.get("Error"), "message": message}
    registration = event["registration"]
    services.runs.finish(run["model"], run["run_id"], SUCCEEDED, {
        "version": registration["version"], "promoted": registration["promoted"],
        "reason": registration["reason"], "champion_version": registration["champion_version"]})
    return {"status": SUCCEEDED, **registration}


def _error_message(cause: str) -> str:
    try:
        return json.loads(cause).get("errorMessage", cause)
    except (ValueError, AttributeError):
        return cause
