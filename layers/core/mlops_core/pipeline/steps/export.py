"""Export: export the selected trial to ONNX (only that one: exports of forests are slow); when it cannot be exported,
or its graph is over the serving budget, the next best instead, the reason recorded on the trial."""

from __future__ import annotations

import hashlib
from typing import Any

from mlops_core.aws.contract_store import contract_at
from mlops_core.aws.objects import S3Object
from mlops_core.contract import Contract
from mlops_core.errors import CandidateError, ExportFailedError, ServiceError
from mlops_core.pipeline.services import Services
from mlops_core.training.onnx_export import MAX_ONNX_BYTES, export_onnx
from mlops_core.training.serialization import load_pipeline


def export_best(event: dict[str, Any], services: Services) -> dict[str, Any]:
    run, validation, selection = event["run"], event["validation"], event["selection"]
    contract = contract_at(validation["contract"], services.store)
    skipped = []
    for trial in [selection["best"], *selection.get("runners_up", [])]:
        try:
            body = _export(trial, contract, services)
        except ServiceError:
            raise
        except Exception as error:  # the candidate's pipeline, not the step: the next best goes instead
            reason = f"{type(error).__name__}: {error}"[:500]
            services.trials.update(run["model"], run["run_id"], trial["rung"], trial["trial_id"],
                                   {"export_error": reason})
            skipped.append({"trial_id": trial["trial_id"], "label": trial["label"], "reason": reason})
            continue
        target = S3Object(services.settings.artifact_bucket,
                          f"models/{run['model']}/{run['run_id']}/{hashlib.sha256(body).hexdigest()[:12]}.onnx")
        sha256 = services.store.put_once(target, body)
        services.trials.update(run["model"], run["run_id"], trial["rung"], trial["trial_id"],
                               {"onnx_bytes": len(body)})
        return {"best": trial, "artifact": {"uri": target.uri, "sha256": sha256, "bytes": len(body)},
                "skipped": skipped}
    raise ExportFailedError("no trial could be exported: " + "; ".join(
        f"{s['trial_id']} {s['label']} ({s['reason']})" for s in skipped))


def _export(trial: dict[str, Any], contract: Contract, services: Services) -> bytes:
    pipeline = load_pipeline(services.store.get_bytes(S3Object.parse(trial["uri"]), trial["sha256"]))
    body = export_onnx(pipeline, contract)
    if len(body) > MAX_ONNX_BYTES:
        raise CandidateError(f"its ONNX graph is {len(body) / 2**20:.1f} MB, over the {MAX_ONNX_BYTES / 2**20:g} MB "
                             "serving budget: bound the model's size (trees, depth, estimators)")
    return body
