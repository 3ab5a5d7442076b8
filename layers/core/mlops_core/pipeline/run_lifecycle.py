"""Opening and closing a run record: the first and last steps of every pipeline execution."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from mlops_core.aws.run_store import COOLDOWN, FAILED, REJECTED, SUCCEEDED, SUPPRESSED
from mlops_core.errors import error_message
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.triggers import AUTOMATIC, InvalidTriggerError, parse_trigger, rejected_trigger

# How long a run holds its model's retraining lease if it never reaches Finish: the state machine's timeout.
LEASE_SECONDS = 3 * 3600


def begin(event: dict[str, Any], services: Services, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """Claim the run for this trigger and take its model's lease; a redelivered trigger goes no further.

    One run per model at a time: an upload or manual run finding the lease held is queued (the state machine waits,
    then calls this again); an automatic one (alarm, schedule) is dropped and recorded as suppressed, as it is during
    the cooldown after an automatic run.
    """
    trigger = parse_trigger(event["event"])
    run = {**trigger.to_dict(), "execution": event.get("execution")}
    outcome = {**run, "duplicate": False, "suppressed": False, "queued": False}
    existing = services.runs.get(trigger.model, trigger.run_id)
    if existing is not None and existing.get("execution") != run["execution"]:
        services.runs.count_duplicate(trigger.model, trigger.run_id)
        return {**outcome, "duplicate": True}
    if existing is not None and existing["status"] == SUPPRESSED:  # this execution's Begin, retried
        return {**outcome, "suppressed": True, "reason": existing.get("reason")}
    now = clock()
    if existing is None and trigger.automatic:
        blocking = services.runs.acquire_lease(trigger.model, trigger.run_id, now, LEASE_SECONDS,
                                               through_cooldown=False)
        if blocking is not None:
            reason = _suppression_reason(blocking)
            recorded = services.runs.suppress({**run, "reason": reason})
            return {**outcome, "duplicate": not recorded, "suppressed": recorded, "reason": reason}
    if existing is None and not services.runs.claim(run):
        return {**outcome, "duplicate": True}
    blocking = services.runs.acquire_lease(trigger.model, trigger.run_id, now, LEASE_SECONDS,
                                           through_cooldown=not trigger.automatic)
    if blocking is not None:
        services.runs.set_fields(trigger.model, trigger.run_id, {"queued_behind": blocking["holder"]})
        return {**outcome, "queued": True, "waiting_for": blocking["holder"]}
    return outcome


def _suppression_reason(lease: dict[str, Any]) -> str:
    until = datetime.fromtimestamp(lease["held_until"], UTC).isoformat(timespec="seconds")
    if lease.get("state") == COOLDOWN:
        return f"retraining cooldown after run {lease['holder']} until {until}"
    return f"run {lease['holder']} in progress"


def finish(event: dict[str, Any], services: Services, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """Close the run record (the decision and version on success, why it stopped when there was nothing new to train
    on, the failing error otherwise); release the lease.

    Without a run (Begin failed), the trigger's record is closed instead: see `close_failed_begin`.
    """
    if "run" not in event:
        return close_failed_begin(event, services, clock)
    run = event["run"]
    # Where the Report step put the run's report (absent when it could not write one).
    report = {"report_uri": run["report"]["uri"]} if "report" in run else {}
    if "skipped" in event:
        services.runs.finish(run["model"], run["run_id"], SUPPRESSED, {"reason": event["skipped"]})
        outcome = {"status": SUPPRESSED, "reason": event["skipped"]}
    elif "error" in event:
        error = event["error"]
        message = error_message(error.get("Cause", ""))
        services.runs.finish(run["model"], run["run_id"], FAILED,
                             {"error": error.get("Error"), "message": message, **report})
        outcome = {"status": FAILED, "error": error.get("Error"), "message": message, **report}
    else:
        registration = event["registration"]
        services.runs.finish(run["model"], run["run_id"], SUCCEEDED, {
            "version": registration["version"], "promoted": registration["promoted"],
            "reason": registration["reason"], "champion_version": registration["champion_version"], **report})
        outcome = {"status": SUCCEEDED, **registration, **report}
    _release(services, run["model"], run["run_id"], run["trigger"], clock)
    return {"model": run["model"], "run_id": run["run_id"], **outcome}


def close_failed_begin(event: dict[str, Any], services: Services,
                       clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """Begin failed. An event that names no model and dataset is recorded as REJECTED (what it was, and why);
    any other failure is recorded on the trigger's run as FAILED, when the run is this execution's or nobody's,
    and that run's lease is released: no run stays RUNNING, and no lease stays held, because Begin failed."""
    error, execution = event["error"], event.get("execution")
    failure = {"error": error.get("Error"), "message": error_message(error.get("Cause", ""))}
    try:
        trigger = parse_trigger(event["event"])
    except InvalidTriggerError as invalid:
        rejection = {**rejected_trigger(event["event"]), "execution": execution, "reason": str(invalid)}
        services.runs.reject(rejection)
        return {**rejection, "status": REJECTED}
    run = {**trigger.to_dict(), "execution": execution}
    if services.runs.fail(run, failure):
        _release(services, trigger.model, trigger.run_id, trigger.kind, clock)
    return {"model": trigger.model, "run_id": trigger.run_id, "status": FAILED, **failure}


def _release(services: Services, model: str, run_id: str, trigger: str, clock: Callable[[], float]) -> None:
    # The cooldown stops the loop from re-triggering itself; a run someone asked for only holds the lease while it runs.
    cooldown = services.settings.retrain_cooldown_seconds if trigger in AUTOMATIC else 0.0
    services.runs.release_lease(model, run_id, clock() + cooldown)
