"""Export: export the selected trial to ONNX; only that one, since exports of forests are slow."""

from __future__ import annotations

import hashlib
from typing import Any

from mlops_core.aws.contract_store import contract_at
from mlops_core.aws.objects import S3Object
from mlops_core.pipeline.services import Services
from mlops_core.training.onnx_export import export_onnx
from mlops_core.training.serialization import load_pipeline


def export_best(event: dict[str, Any], services: Services) -> dict[str, Any]:
    run, validation = event["run"], event["validation"]
    contract = contract_at(validation["contract"], services.store)
    best = event["selection"]["best"]
    pipeline = load_pipeline(services.store.get_bytes(S3Object.parse(best["uri"]), best["sha256"]))
    body = export_onnx(pipeline, contract)
    target = S3Object(services.settings.artifact_bucket,
                      f"models/{run['model']}/{run['run_id']}/{hashlib.sha256(body).hexdigest()[:12]}.onnx")
    sha256 = services.store.put_once(target, body)
    services.trials.update(run["model"], run["run_id"], best["rung"], best["trial_id"], {"onnx_bytes": len(body)})
    return {"best": best, "artifact": {"uri": target.uri, "sha256": sha256, "bytes": len(body)}}
