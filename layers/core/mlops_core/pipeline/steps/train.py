"""Train: fit one candidate on the fit rows, score it on the validation rows, predict the parity rows."""

from __future__ import annotations

import hashlib
from typing import Any

from mlops_core.aws.contract_store import contract_at
from mlops_core.aws.objects import S3Object
from mlops_core.aws.run_store import SUCCEEDED, run_prefix
from mlops_core.contract import CandidateSpec
from mlops_core.data.tabular import load_dataset
from mlops_core.pipeline.services import Services
from mlops_core.training.fitting import fit_candidate, sklearn_prediction
from mlops_core.training.serialization import dump_pipeline
from mlops_core.training.splits import split_rows


def train_candidate(event: dict[str, Any], services: Services) -> dict[str, Any]:
    run, spec = event["run"], CandidateSpec(**event["candidate"])
    contract = contract_at(event["contract"], services.store)
    frame = load_dataset(event["dataset"], contract, services.store)
    fitted = fit_candidate(spec, frame, contract)
    body = dump_pipeline(fitted.pipeline)
    name = f"{run_prefix(run)}/candidates/{spec.name}-{hashlib.sha256(body).hexdigest()[:12]}"
    target = S3Object(services.settings.artifact_bucket, f"{name}.skops")
    sha256 = services.store.put_once(target, body)
    # The ONNX export is checked against these on the evaluate step, which has ONNX Runtime but no scikit-learn.
    parity_rows = frame.iloc[split_rows(len(frame), contract).parity]
    predictions = sklearn_prediction(fitted.pipeline, parity_rows[contract.features], contract)
    parity_uri = S3Object(services.settings.artifact_bucket, f"{name}.parity.json")
    parity_sha256 = services.store.put_json(parity_uri, predictions.to_dict())
    return {"name": spec.name, "estimator": spec.estimator, "params": spec.params, "status": SUCCEEDED,
            "metric": contract.metric,
            "score": fitted.score, "fit_seconds": round(fitted.fit_seconds, 3), "uri": target.uri,
            "sha256": sha256, "parity": {"uri": parity_uri.uri, "sha256": parity_sha256}}
