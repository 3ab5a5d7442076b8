"""A rung of trials as the Train trials map reads it: a JSON list in the artifact bucket, so no state payload grows
with the number of trials."""

from __future__ import annotations

from typing import Any

from mlops_core.aws.objects import S3Object
from mlops_core.aws.run_store import run_prefix
from mlops_core.aws.trial_store import run_key, trial_key
from mlops_core.pipeline.services import Services
from mlops_core.training.trial import Trial


def write_rung(services: Services, run: dict[str, Any], trials: list[Trial], rung: int,
               sample_fraction: float) -> dict[str, Any]:
    """Write the rung's trial list (write-once: a retried step writes the same bytes); return where it is."""
    items = [{**trial.to_dict(), "rung": rung, "sample_fraction": sample_fraction,
              "run_key": run_key(run["model"], run["run_id"]), "trial_key": trial_key(rung, trial.trial_id)}
             for trial in trials]
    target = S3Object(services.settings.artifact_bucket, f"{run_prefix(run)}/trials/rung-{rung}.json")
    services.store.put_json(target, items)
    return {"bucket": target.bucket, "key": target.key, "rung": rung, "trials": len(items),
            "sample_fraction": sample_fraction, "max_concurrency": services.settings.train_max_concurrency}
