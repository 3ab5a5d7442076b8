"""The pipeline's steps: each takes the state's small JSON input and returns the next one; big things go to S3."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .candidates import candidate_specs
from .contract import CandidateSpec, Contract
from .decision import ChampionScore, decide
from .errors import ContractError, ContractViolationError, NotFoundError, ParityError, RegistryConflictError
from .metrics import METRICS
from .onnx_model import OnnxModel, export_onnx
from .prediction import compare
from .registry import CHAMPION, AliasMove
from .serialization import dump_pipeline, load_pipeline
from .services import Services
from .storage import S3Object, contract_at
from .tabular import dataset_format, load_frame
from .training import fit_candidate, sklearn_prediction, split_rows
from .validation import validate


def validate_dataset(event: dict[str, Any], services: Services) -> dict[str, Any]:
    """Check the dataset against the model's contract; write the report and the drift-baseline profile."""
    run = event["run"]
    contract, contract_ref = _load_contract(run["model"], services)
    candidates = [asdict(spec) for spec in candidate_specs(contract)]
    dataset = S3Object.parse(run["dataset"]["uri"], run["dataset"]["version_id"])
    path, sha256 = services.store.download(dataset)
    try:
        report, profile = validate(path, dataset_format(dataset.key), contract)
    finally:
        path.unlink()
    prefix = _run_prefix(run)
    report_uri = S3Object(services.settings.artifact_bucket, f"{prefix}/validation.json")
    data = {**run["dataset"], "sha256": sha256, "rows": report.rows, "format": dataset_format(dataset.key)}
    services.store.put_json(report_uri, {**report.to_dict(), "text": report.render(), "contract": contract_ref,
                                         "dataset": data})
    if not report.passed:
        raise ContractViolationError(f"{report.render()}\nreport: {report_uri.uri}")
    profile_uri = S3Object(services.settings.artifact_bucket, f"{prefix}/profile.json")
    services.store.put_json(profile_uri, profile)
    return {"contract": contract_ref, "dataset": data, "report_uri": report_uri.uri,
            "profile_uri": profile_uri.uri, "candidates": candidates}


def train_candidate(event: dict[str, Any], services: Services) -> dict[str, Any]:
    """Fit one candidate on the fit rows and score it on the validation rows."""
    run, spec = event["run"], CandidateSpec(**event["candidate"])
    contract = contract_at(event["contract"], services.store)
    frame = _load_dataset(event["dataset"], contract, services)
    fitted = fit_candidate(spec, frame, contract)
    body = dump_pipeline(fitted.pipeline)
    target = S3Object(services.settings.artifact_bucket,
                      f"{_run_prefix(run)}/candidates/{spec.name}-{hashlib.sha256(body).hexdigest()[:12]}.skops")
    sha256 = services.store.put_once(target, body)
    return {"name": spec.name, "estimator": spec.estimator, "params": spec.params, "metric": contract.metric,
            "score": fitted.score, "fit_seconds": round(fitted.fit_seconds, 3), "uri": target.uri,
            "sha256": sha256}


def evaluate_best(event: dict[str, Any], services: Services) -> dict[str, Any]:
    """Pick the best candidate, export it to ONNX, and score it and the champion on the same holdout."""
    run, validation = event["run"], event["validation"]
    contract = contract_at(validation["contract"], services.store)
    best = select_best(event["candidates"], contract)
    pipeline = load_pipeline(services.store.get_bytes(S3Object.parse(best["uri"]), best["sha256"]))
    frame = _load_dataset(validation["dataset"], contract, services)
    holdout = frame.iloc[split_rows(len(frame), contract).holdout]
    body = export_onnx(pipeline, contract)
    target = S3Object(services.settings.artifact_bucket,
                      f"models/{run['model']}/{run['run_id']}/{hashlib.sha256(body).hexdigest()[:12]}.onnx")
    sha256 = services.store.put_once(target, body)
    challenger = OnnxModel.load(body)
    metric = METRICS[contract.metric]
    score = challenger.predict(holdout).score(holdout[contract.target].to_numpy(), metric)
    champion, revision = _score_champion(run["model"], holdout, contract, services)
    decision = decide(contract, score, champion)
    return {"best": best, "metric": contract.metric, "holdout_rows": len(holdout), "score": score,
            "artifact": {"uri": target.uri, "sha256": sha256, "bytes": len(body),
                         "load_seconds": round(challenger.load_seconds, 4)},
            "champion": asdict(champion) if champion else None, "champion_revision": revision,
            "decision": decision.to_dict()}


def register_model(event: dict[str, Any], services: Services) -> dict[str, Any]:
    """Check the artifact's hash and its parity with scikit-learn, register a version, promote it if it won."""
    run, validation, evaluation = event["run"], event["validation"], event["evaluation"]
    contract = contract_at(validation["contract"], services.store)
    artifact = evaluation["artifact"]
    model = OnnxModel.load(services.store.get_bytes(S3Object.parse(artifact["uri"]), artifact["sha256"]))
    best = evaluation["best"]
    pipeline = load_pipeline(services.store.get_bytes(S3Object.parse(best["uri"]), best["sha256"]))
    frame = _load_dataset(validation["dataset"], contract, services)
    holdout = frame.iloc[split_rows(len(frame), contract).holdout]
    parity = compare(sklearn_prediction(pipeline, holdout[contract.features], contract), model.predict(holdout))
    if not parity.ok:
        raise ParityError(f"ONNX export disagrees with scikit-learn on {parity.differing} of {parity.rows} "
                          f"holdout rows (max gap {parity.max_gap:.3g})")
    version = services.registry.register(run["model"], run["run_id"], {
        "artifact": artifact, "candidate": best["name"], "estimator": best["estimator"], "params": best["params"],
        "metrics": {evaluation["metric"]: evaluation["score"], f"validation_{evaluation['metric']}": best["score"]},
        "parity": asdict(parity), "data": validation["dataset"], "contract": validation["contract"],
        "profile_uri": validation["profile_uri"], "report_uri": validation["report_uri"],
        "code_version": code_version(), "trigger": run["trigger"], "decision": evaluation["decision"]})
    promoted, reason = evaluation["decision"]["promote"], evaluation["decision"]["reason"]
    if promoted:
        try:
            services.registry.move_alias(run["model"], AliasMove(CHAMPION, version, f"pipeline run {run['run_id']}",
                                                                 reason),
                                         expected_revision=evaluation["champion_revision"])
        except RegistryConflictError as error:
            promoted, reason = False, f"not promoted: {error}; compare again with `mlops promote`"
    champion = services.registry.alias(run["model"])
    return {"version": version, "promoted": promoted, "reason": reason,
            "champion_version": champion["version"] if champion else None}


def select_best(candidates: list[dict[str, Any]], contract: Contract) -> dict[str, Any]:
    """The candidate with the best validation score; ties go to the one listed first."""
    metric = METRICS[contract.metric]
    best = candidates[0]
    for candidate in candidates[1:]:
        if metric.gain(candidate["score"], best["score"]) > 0:
            best = candidate
    return best


def code_version() -> str:
    """The package version plus a hash of the domain code that trained the model."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _score_champion(model: str, holdout: pd.DataFrame, contract: Contract,
                    services: Services) -> tuple[ChampionScore | None, int | None]:
    alias = services.registry.alias(model)
    if alias is None:
        return None, None
    record = services.registry.get_version(model, alias["version"])
    artifact = record["artifact"]
    champion = OnnxModel.load(services.store.get_bytes(S3Object.parse(artifact["uri"]), artifact["sha256"]))
    missing = champion.missing_columns(holdout)
    if missing or champion.task != contract.task:
        why = f"missing columns {missing}" if missing else f"task {champion.task}"
        return ChampionScore(alias["version"], None, why), alias["revision"]
    score = champion.predict(holdout).score(holdout[contract.target].to_numpy(), METRICS[contract.metric])
    return ChampionScore(alias["version"], score), alias["revision"]


def _load_contract(model: str, services: Services) -> tuple[Contract, dict[str, Any]]:
    location = S3Object(services.settings.data_bucket, f"contracts/{model}.json")
    try:
        body, version_id = services.store.get_versioned(location)
    except NotFoundError as error:
        raise ContractError(f"no contract for model {model!r} at {location.uri}; "
                            "draft one with `mlops contract infer` and store it with `mlops contract put`") from error
    contract = Contract.from_json(body)
    if contract.model != model:
        raise ContractError(f"{location.uri} is the contract of {contract.model!r}, not {model!r}")
    return contract, {**contract.summary(), "uri": location.uri, "version_id": version_id}


def _load_dataset(data: dict[str, Any], contract: Contract, services: Services) -> pd.DataFrame:
    source = S3Object.parse(data["uri"], data.get("version_id"))
    path, _ = services.store.download(source, data["sha256"])
    try:
        return load_frame(path, data["format"], contract)
    finally:
        path.unlink()


def _run_prefix(run: dict[str, Any]) -> str:
    return f"runs/{run['model']}/{run['run_id']}"
