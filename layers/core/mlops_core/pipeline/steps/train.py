"""Train: fit one trial on the fitting rows (or their sample), score it on the validation rows, record it.

A trial whose candidate code fails is recorded FAILED and returns normally: it costs only itself. A failure of the
step itself (the store unreachable, out of memory, a timeout) goes to the state machine, which records the trial lost.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mlops_core.aws.contract_store import contract_at
from mlops_core.aws.objects import S3Object
from mlops_core.aws.run_store import FAILED, SUCCEEDED, run_prefix
from mlops_core.contract import Contract
from mlops_core.data.tabular import load_dataset
from mlops_core.pipeline.services import Services
from mlops_core.training.catalog import Catalog
from mlops_core.training.fitting import FittedTrial, fit_trial, sklearn_prediction
from mlops_core.training.serialization import dump_loadable
from mlops_core.training.splits import split_rows
from mlops_core.training.trial import Trial

# A failure's message as the trial record keeps it: its first part says what failed.
MESSAGE_CHARS = 500


@dataclass
class FrameCache:
    """The last dataset this warm function parsed, keyed by its sha256 and the contract: trials of one run share it."""

    key: tuple[str, str] | None = None
    frame: pd.DataFrame | None = field(default=None, repr=False)

    def get(self, data: dict[str, Any], contract: Contract, services: Services) -> pd.DataFrame:
        key = (data["sha256"], contract.sha256)
        if key != self.key:
            self.key, self.frame = None, None  # the old frame is freed before the new one is read
            self.frame, self.key = load_dataset(data, contract, services.store), key
        return self.frame


FRAMES = FrameCache()


def train_trial(event: dict[str, Any], services: Services, catalog: Catalog,
                frames: FrameCache = FRAMES) -> dict[str, Any]:
    run, item = event["run"], event["trial"]
    trial, rung, fraction = Trial.from_dict(item), item["rung"], item["sample_fraction"]
    contract = contract_at(event["contract"], services.store)
    started = time.time()
    frame = frames.get(event["dataset"], contract, services)
    record = {"model": run["model"], "run_id": run["run_id"], "rung": rung, **trial.to_dict(),
              "sample_fraction": fraction, "metric": contract.metric, "data_sha256": event["dataset"]["sha256"],
              "code_version": catalog.code_version}
    try:
        fitted = fit_trial(catalog.pipeline(trial, contract), frame, contract, fraction)
        if not math.isfinite(fitted.score):
            raise ValueError(f"validation {contract.metric} is {fitted.score}: the model cannot be ranked")
        # Only trials that may be exported are kept; one the Export step could not load fails here, as itself.
        body = dump_loadable(fitted.pipeline) if fraction >= 1.0 else None
    except Exception as error:  # the candidate's own code failing is this trial's outcome, not the step's
        record |= {"status": FAILED, "error": type(error).__name__, "message": str(error)[:MESSAGE_CHARS]}
        services.trials.put({**record, "seconds": round(time.time() - started, 3)})
        services.logger.warning("trial failed", extra={"trial": trial.trial_id, "error": record["error"],
                                                       "reason": record["message"]})
        return {"trial_id": trial.trial_id, "status": FAILED}
    record |= {"status": SUCCEEDED, "score": fitted.score, "fit_seconds": round(fitted.fit_seconds, 3),
               "score_seconds": round(fitted.score_seconds, 3), "rows": fitted.rows}
    if body is not None:
        record |= _keep(body, fitted, frame, contract, run, trial, services)
    services.trials.put({**record, "seconds": round(time.time() - started, 3)})
    return {"trial_id": trial.trial_id, "status": SUCCEEDED, "score": fitted.score}


def _keep(body: bytes, fitted: FittedTrial, frame: pd.DataFrame, contract: Contract, run: dict[str, Any],
          trial: Trial, services: Services) -> dict[str, Any]:
    """The fitted pipeline, and its predictions on the parity rows: the export is checked against these on the
    evaluate step, which has ONNX Runtime but no scikit-learn."""
    name = f"{run_prefix(run)}/trials/{trial.trial_id}-{hashlib.sha256(body).hexdigest()[:12]}"
    target = S3Object(services.settings.artifact_bucket, f"{name}.skops")
    sha256 = services.store.put_once(target, body)
    parity_rows = frame.iloc[split_rows(len(frame), contract).parity]
    predictions = sklearn_prediction(fitted.pipeline, parity_rows[contract.features], contract)
    parity_uri = S3Object(services.settings.artifact_bucket, f"{name}.parity.json")
    parity_sha256 = services.store.put_json(parity_uri, predictions.to_dict())
    return {"uri": target.uri, "sha256": sha256, "parity": {"uri": parity_uri.uri, "sha256": parity_sha256}}
