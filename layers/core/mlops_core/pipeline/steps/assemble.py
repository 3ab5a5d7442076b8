"""Assemble: an automatic run trains on the model's latest valid upload plus the labeled feedback collected since."""

from __future__ import annotations

import csv
import io
import math
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mlops_core.aws.contract_store import current_contract
from mlops_core.aws.objects import S3Object, sha256_hex
from mlops_core.aws.run_store import SUCCEEDED, run_prefix
from mlops_core.aws.traffic_store import Window, read_captures, read_feedback
from mlops_core.contract import Contract
from mlops_core.data.tabular import dataset_format, read_header
from mlops_core.errors import NotFoundError
from mlops_core.monitoring.traffic import LabeledPrediction, join_feedback
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.triggers import AUTOMATIC


def assemble_training_data(event: dict[str, Any], services: Services) -> dict[str, Any]:
    """Write the training set (base rows as uploaded, then one row per labeled prediction) and its manifest."""
    run = event["run"]
    model, bucket = run["model"], services.settings.capture_bucket
    prefix = run_prefix(run)
    manifest = S3Object(services.settings.artifact_bucket, f"{prefix}/training-data.json")
    try:  # a retried step: the training set was written, and is write-once
        return _dataset_of(services.store.get_json(manifest), manifest)
    except NotFoundError:
        pass
    contract, contract_ref = current_contract(model, services.store, services.settings.data_bucket)
    base, uploaded = latest_valid_upload(model, services)
    now = datetime.now(UTC)
    feedback = read_feedback(services.store, bucket, model, Window(uploaded, now))
    lookback = timedelta(hours=services.settings.feedback_lookback_hours)
    captures = read_captures(services.store, bucket, model, Window(uploaded - lookback, now)) if feedback else []
    join = join_feedback(captures, feedback)
    body = None
    if join.labeled:
        path = _with_feedback_rows(services, base, join.labeled, contract)
        try:
            body = path.read_bytes()
        finally:
            path.unlink()
    if run["trigger"] == "alarm":
        same = trained_on_already(services.registry.versions(model), base, body, contract_ref["sha256"])
        if same is not None:
            return {"unchanged": same}
    dataset = {"uri": base.uri, "version_id": base.version_id}
    if body is not None:
        # Named by content: a retry that finds more feedback writes a new file; the manifest says which one counts.
        target = S3Object(services.settings.artifact_bucket, f"{prefix}/training-data-{sha256_hex(body)[:12]}.csv")
        services.store.put_once(target, body, "text/csv")
        dataset = {"uri": target.uri, "version_id": None}
    document = {"base": {"uri": base.uri, "version_id": base.version_id, "written": uploaded.isoformat()},
                "feedback": [batch.ref() for batch in feedback], "captures": join.captures_used,
                "feedback_rows": len(join.labeled), "unmatched_labels": join.unmatched, "dataset": dataset}
    services.store.put_json(manifest, document)
    dataset = _dataset_of(document, manifest)
    services.runs.set_fields(model, run["run_id"], {"dataset": dataset})
    return dataset


def trained_on_already(versions: list[dict[str, Any]], base: S3Object, body: bytes | None,
                       contract_sha256: str) -> dict[str, Any] | None:
    """The registered version that was trained on exactly this training set under this contract, if one was: the same
    upload (key and S3 version) with no labeled feedback, or the same bytes (the upload plus the same labeled rows).
    Retraining on it would register that version again, so an alarm run stops here."""
    digest = sha256_hex(body) if body is not None else None
    for version in sorted(versions, key=lambda v: v["version"], reverse=True):
        data = version.get("data") or {}
        same_data = (data.get("sha256") == digest if digest is not None else
                     (data.get("uri"), data.get("version_id")) == (base.uri, base.version_id))
        if same_data and (version.get("contract") or {}).get("sha256") == contract_sha256:
            what = (f"the same upload {base.uri} (S3 version {base.version_id}) and no new labeled feedback"
                    if digest is None else f"the same training set (sha256 {digest[:12]}: {base.uri} plus the same "
                                           "labeled feedback, none new)")
            return {"version": version["version"],
                    "reason": f"nothing changed since v{version['version']} was trained: {what}, under the same "
                              "contract; an alarm run would register it again"}
    return None


def _dataset_of(document: dict[str, Any], manifest: S3Object) -> dict[str, Any]:
    """What the run trains on, as the next states read it, from its manifest."""
    return {**document["dataset"], "manifest_uri": manifest.uri, "base_uri": document["base"]["uri"],
            "feedback_rows": document["feedback_rows"]}


def latest_valid_upload(model: str, services: Services) -> tuple[S3Object, datetime]:
    """The newest dataset an upload (or operator) run validated, and when it was written: a corrupt upload is never
    the base of an automatic run. Reads the model's runs newest first, a page at a time, up to the first one."""
    for run in services.runs.history(model):
        dataset = run.get("dataset") or {}
        if run["trigger"] not in AUTOMATIC and run.get("steps", {}).get("validate", {}).get("status") == SUCCEEDED:
            return services.store.current(S3Object.parse(dataset["uri"], dataset.get("version_id")))
    raise NotFoundError(f"{model} has no validated upload under incoming/{model}/ to retrain on")


def _with_feedback_rows(services: Services, base: S3Object, labeled: list[LabeledPrediction],
                        contract: Contract) -> Path:
    """The base file as CSV (a CSV upload byte for byte), then the labeled rows in its column order."""
    source, _ = services.store.download(base)
    fmt = dataset_format(base.key)
    try:
        header = read_header(source, fmt)
        handle = tempfile.NamedTemporaryFile("wb", prefix="mlops-train-", suffix=".csv", delete=False)
        with handle:
            if fmt == "parquet":
                import pandas as pd

                pd.read_parquet(source, engine="fastparquet").to_csv(handle, index=False)
            else:
                with source.open("rb") as original:
                    shutil.copyfileobj(original, handle)
                    if original.tell() and not _ends_with_newline(source):
                        handle.write(b"\n")
            handle.write(_csv_rows(header, labeled, contract).encode())
    finally:
        source.unlink()
    return Path(handle.name)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, 2)
        return handle.read(1) in (b"\n", b"\r")


def _csv_rows(header: list[str], labeled: list[LabeledPrediction], contract: Contract) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for item in labeled:
        row = {**item.record, contract.target: item.label}
        writer.writerow([_cell(row.get(name)) for name in header])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return repr(value) if isinstance(value, float) else str(value)
