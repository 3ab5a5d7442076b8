"""Export: pick the best of the candidates that were fitted and export it to ONNX; only the selected one, since exports
of forests are slow. The candidates that failed are reported beside it."""

from __future__ import annotations

import hashlib
from typing import Any

from mlops_core.aws.contract_store import contract_at
from mlops_core.aws.objects import S3Object
from mlops_core.pipeline.candidate_results import succeeded_candidates
from mlops_core.pipeline.services import Services
from mlops_core.training.decision import select_best
from mlops_core.training.onnx_export import export_onnx
from mlops_core.training.serialization import load_pipeline


def export_best(event: dict[str, Any], services: Services) -> dict[str, Any]:
    run, validation = event["run"], event["validation"]
    contract = contract_at(validation["contract"], services.store)
    succeeded, failed = succeeded_candidates(event["candidates"])
    best = select_best(succeeded, contract)
    pipeline = load_pipeline(services.store.get_bytes(S3Object.parse(best["uri"]), best["sha256"]))
    body = export_onnx(pipeline, contract)
    target = S3Object(services.settings.artifact_bucket,
                      f"models/{run['model']}/{run['run_id']}/{hashlib.sha256(body).hexdigest()[:12]}.onnx")
    sha256 = services.store.put_once(target, body)
    return {"best": best, "artifact": {"uri": target.uri, "sha256": sha256, "bytes": len(body)},
            "failed": [failure.to_dict() for failure in failed]}
