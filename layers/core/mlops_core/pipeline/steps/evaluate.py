"""Evaluate: check the ONNX export against scikit-learn, then score it and the champion on the same holdout."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from mlops_core.aws.contract_store import contract_at
from mlops_core.aws.objects import S3Object
from mlops_core.aws.run_store import run_prefix
from mlops_core.contract import LIVE_METRICS, Contract
from mlops_core.data.tabular import load_dataset
from mlops_core.errors import ParityError
from mlops_core.pipeline.services import Services
from mlops_core.reporting import evidence
from mlops_core.scoring import METRICS, Prediction
from mlops_core.serving.onnx_model import OnnxModel
from mlops_core.training.decision import ChampionScore, decide
from mlops_core.training.parity import compare
from mlops_core.training.splits import split_rows


def evaluate_export(event: dict[str, Any], services: Services) -> dict[str, Any]:
    run, validation, export = event["run"], event["validation"], event["export"]
    contract = contract_at(validation["contract"], services.store)
    best, artifact = export["best"], export["artifact"]
    challenger = OnnxModel.load(services.store.get_bytes(S3Object.parse(artifact["uri"]), artifact["sha256"]))
    frame = load_dataset(validation["dataset"], contract, services.store)
    split = split_rows(len(frame), contract)
    holdout = frame.iloc[split.holdout]
    predicted = challenger.predict(holdout)
    reference = Prediction.from_dict(services.store.get_json(
        S3Object.parse(best["parity"]["uri"]), best["parity"]["sha256"]))
    parity = compare(reference, predicted.take(np.searchsorted(split.holdout, split.parity)))
    if not parity.ok:
        raise ParityError(f"ONNX export disagrees with scikit-learn on {parity.differing} of {parity.rows} "
                          f"holdout rows (max gap {parity.max_gap:.3g})")
    truth = holdout[contract.target].to_numpy()
    score = predicted.score(truth, METRICS[contract.metric])
    # The baseline of the live-quality alarms: the same metrics the monitor computes from feedback.
    holdout_metrics = {name: predicted.score(truth, METRICS[name]) for name in LIVE_METRICS[contract.task]}
    champion, revision, champion_predicted = _score_champion(run["model"], holdout, contract, services)
    decision = decide(contract, score, champion)
    started = time.perf_counter()
    evidence_uri = _write_evidence(run, holdout, contract, challenger, predicted, champion_predicted, services)
    evidence_seconds = round(time.perf_counter() - started, 3)
    return {"best": best, "metric": contract.metric, "holdout_rows": len(holdout), "score": score,
            "holdout_metrics": holdout_metrics,
            "artifact": {**artifact, "load_seconds": round(challenger.load_seconds, 4)}, "parity": asdict(parity),
            "champion": asdict(champion) if champion else None, "champion_revision": revision,
            "decision": decision.to_dict(), "evidence_uri": evidence_uri, "evidence_seconds": evidence_seconds}


def _score_champion(model: str, holdout: pd.DataFrame, contract: Contract, services: Services
                    ) -> tuple[ChampionScore | None, int | None, Prediction | None]:
    alias = services.registry.alias(model)
    if alias is None:
        return None, None, None
    record = services.registry.get_version(model, alias["version"])
    artifact = record["artifact"]
    champion = OnnxModel.load(services.store.get_bytes(S3Object.parse(artifact["uri"]), artifact["sha256"]))
    missing = champion.missing_columns(holdout)
    if missing or champion.task != contract.task:
        why = f"missing columns {missing}" if missing else f"task {champion.task}"
        return ChampionScore(alias["version"], None, why), alias["revision"], None
    predicted = champion.predict(holdout)
    score = predicted.score(holdout[contract.target].to_numpy(), METRICS[contract.metric])
    return ChampionScore(alias["version"], score), alias["revision"], predicted


def _write_evidence(run: dict[str, Any], holdout: pd.DataFrame, contract: Contract, challenger: OnnxModel,
                    predicted: Prediction, champion: Prediction | None, services: Services) -> str | None:
    """The report's numbers about both models, saved beside the run's other artifacts; None when they could not be
    computed, which costs the run its report's model figures, never the run."""
    try:
        found = evidence.collect(
            holdout[contract.target].to_numpy(), predicted, champion, challenger.predict,
            {name: holdout[name].to_numpy() for name in challenger.features},
            [name for name in challenger.features if contract.columns[name].type == "category"],
            METRICS[contract.metric], contract.seed)
        target = S3Object(services.settings.artifact_bucket, f"{run_prefix(run)}/evaluation/evidence.json")
        services.store.put_json(target, found)
    except Exception:  # the figures are a report's; the decision above stands without them
        services.logger.exception("report evidence not computed", extra={"run": run["run_id"]})
        return None
    return target.uri
