"""Report: gather what a run left behind (succeeded or failed) and write its report beside its other artifacts."""

from __future__ import annotations

import json
from typing import Any

from mlops_core.aws.contract_store import contract_at
from mlops_core.aws.objects import S3Object
from mlops_core.aws.run_store import FAILED, SUCCEEDED, run_prefix
from mlops_core.errors import ContractViolationError, NotFoundError, error_message
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.steps.register import code_version
from mlops_core.reporting.html import render
from mlops_core.reporting.model_card import model_card
from mlops_core.reporting.report import RunDocuments, build_report

REPORT_FOLDER = "report"


def write_report(event: dict[str, Any], services: Services) -> dict[str, Any]:
    """Write report.html, report.json and, for a registered version, model_card.json; return their URIs."""
    run, state = event["run"], event["state"]
    docs = gather(run, state, services)
    report = build_report(docs)
    folder = f"{run_prefix(run)}/{REPORT_FOLDER}"
    written = {"uri": _put(services, f"{folder}/report.html", render(report).encode(), "text/html; charset=utf-8"),
               "json_uri": _put(services, f"{folder}/report.json", _json(report), "application/json")}
    if docs.registration and docs.contract:
        version = services.registry.get_version(run["model"], docs.registration["version"])
        written["model_card_uri"] = _put(services, f"{folder}/model_card.json",
                                         _json(model_card(report, docs.contract, version)), "application/json")
    return {**written, "figures": len(report["figures"])}


def gather(run: dict[str, Any], state: dict[str, Any], services: Services) -> RunDocuments:
    """The documents a report is made of, read from the state machine's state and the run's artifacts."""
    validation_step, evaluation, error = state.get("validation") or {}, state.get("evaluation"), state.get("error")
    report_uri = validation_step.get("report_uri") or _refused_data_report(run, error, services)
    validation = _optional_json(services, report_uri)
    contract = contract_at(validation["contract"], services.store).to_dict() if validation else None
    if validation and validation_step.get("candidates_version"):
        validation = {**validation, "candidates_version": validation_step["candidates_version"]}
    return RunDocuments(
        run={**(services.runs.get(run["model"], run["run_id"]) or {}), **run},
        status=FAILED if error else SUCCEEDED,
        validation=validation, contract=contract,
        profile=_optional_json(services, validation_step.get("profile_uri")),
        champion_profile=_champion_profile(run["model"], evaluation, services),
        trials=services.trials.list(run["model"], run["run_id"]) if validation_step else [],
        evaluation=evaluation,
        evidence=_optional_json(services, (evaluation or {}).get("evidence_uri")),
        registration=state.get("registration"),
        error=None if error is None else {**error, "message": error_message(error.get("Cause", ""))},
        code_version=code_version())


def _refused_data_report(run: dict[str, Any], error: dict[str, Any] | None, services: Services) -> str | None:
    """Where Validate wrote its report before refusing the data; asked only then, since without ListBucket S3
    answers a missing key with AccessDenied, not NoSuchKey."""
    if (error or {}).get("Error") != ContractViolationError.__name__:
        return None
    return S3Object(services.settings.artifact_bucket, f"{run_prefix(run)}/validation.json").uri


def _champion_profile(model: str, evaluation: dict[str, Any] | None, services: Services) -> dict[str, Any] | None:
    """The training-data profile of the champion this run was compared with (the one before it, if it won); for
    a run that stopped before Evaluate, the current champion's."""
    if evaluation is not None:
        champion = evaluation.get("champion")
    else:
        alias = services.registry.alias(model)
        champion = alias and {"version": alias["version"]}
    if not champion:
        return None
    return _optional_json(services, services.registry.get_version(model, champion["version"]).get("profile_uri"))


def _optional_json(services: Services, uri: str | None) -> Any:
    if uri is None:
        return None
    try:
        return services.store.get_json(S3Object.parse(uri))
    except NotFoundError:
        return None


def _put(services: Services, key: str, body: bytes, content_type: str) -> str:
    # Not write-once: a report is drawn from the run's artifacts, and a re-run step draws it again.
    target = S3Object(services.settings.artifact_bucket, key)
    services.store.put(target, body, content_type)
    return target.uri


def _json(doc: Any) -> bytes:
    return json.dumps(doc, indent=1, default=str).encode()
