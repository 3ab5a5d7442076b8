"""Register: re-check the artifact's hash, register a version with its lineage, promote it if it won."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from mlops_core.aws.objects import S3Object
from mlops_core.aws.registry import CHAMPION, AliasMove
from mlops_core.errors import RegistryConflictError, ServiceError
from mlops_core.monitoring.alarms import AlarmSettings, sync_model_alarms
from mlops_core.pipeline.services import Services
from mlops_core.version import __version__

PACKAGE = Path(__file__).resolve().parents[2]


def register_model(event: dict[str, Any], services: Services) -> dict[str, Any]:
    run, validation, evaluation = event["run"], event["validation"], event["evaluation"]
    artifact, best = evaluation["artifact"], evaluation["best"]
    services.store.get_bytes(S3Object.parse(artifact["uri"]), artifact["sha256"])
    # Before the version exists: a version never points to a run record that can expire.
    services.runs.keep(run["model"], run["run_id"])
    version = services.registry.register(run["model"], run["run_id"], {
        "artifact": artifact, "candidate": best["label"], "estimator": best["candidate"], "params": best["params"],
        "trial_id": best["trial_id"], "candidates_version": validation["candidates_version"],
        "metrics": {evaluation["metric"]: evaluation["score"], f"validation_{evaluation['metric']}": best["score"]},
        "parity": evaluation["parity"], "data": validation["dataset"], "contract": validation["contract"],
        "holdout_metrics": evaluation["holdout_metrics"], "champion_on_holdout": evaluation.get("champion"),
        "profile_uri": validation["profile_uri"], "report_uri": validation["report_uri"],
        "code_version": code_version(), "trigger": run["trigger"], "decision": evaluation["decision"]})
    promoted, reason = evaluation["decision"]["promote"], evaluation["decision"]["reason"]
    champion = services.registry.alias(run["model"])
    moved_already = champion is not None and champion["version"] == version  # this step re-run after the move
    if promoted and not moved_already:
        try:
            services.registry.move_alias(run["model"], AliasMove(CHAMPION, version, f"pipeline run {run['run_id']}",
                                                                 reason),
                                         expected_revision=evaluation["champion_revision"])
        except RegistryConflictError as error:
            promoted, reason = False, f"not promoted: {error}; compare again with `mlops promote`"
        champion = services.registry.alias(run["model"])
    result = {"version": version, "promoted": promoted, "reason": reason,
              "champion_version": champion["version"] if champion else None}
    if promoted:
        result["monitoring"] = _sync_alarms(run["model"], services)
    return result


def _sync_alarms(model: str, services: Services) -> dict[str, Any]:
    """The new champion's alarms; a failure here is reported, not raised: the promotion has happened."""
    try:
        return sync_model_alarms(services.alarms, AlarmSettings.from_env(), services.registry, services.store,
                                 model)
    except (ServiceError, RuntimeError) as error:
        return {"alarms": [], "notes": [f"alarms not updated: {error}; run `mlops monitor alarms {model}`"]}


def code_version() -> str:
    """The package version plus a hash of the domain package this function runs: the Core layer every step shares."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode() + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
