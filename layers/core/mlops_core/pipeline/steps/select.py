"""Select: rank a rung's trials on their validation scores; send the top k of a sampled rung on to be refit on all
fitting rows, or name the best trial for export. Failed trials are reported beside the ranking."""

from __future__ import annotations

from typing import Any

from mlops_core.aws.contract_store import contract_at
from mlops_core.errors import TrialsMissingError
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.trials import write_rung
from mlops_core.training.selection import rank
from mlops_core.training.trial import Trial

# The failures the step's result (a state payload) lists; the trial store has them all.
LISTED_FAILURES = 20
# The next-best trials Export falls back to when the best cannot be exported or is over the serving budget.
RUNNERS_UP = 2
BEST_FIELDS = ("trial_id", "rung", "label", "candidate", "params", "score", "metric", "fit_seconds", "uri", "sha256",
               "parity", "code_version")


def select_trials(event: dict[str, Any], services: Services) -> dict[str, Any]:
    run, plan = event["run"], event["plan"]
    contract = contract_at(event["validation"]["contract"], services.store)
    trials = services.trials.list(run["model"], run["run_id"], plan["rung"])
    if len(trials) != plan["trials"]:
        # Every trial records its outcome (Train, or the map's Catch): a gap means the store lost a write.
        raise TrialsMissingError(f"rung {plan['rung']} planned {plan['trials']} trials but {len(trials)} are "
                                 f"recorded in the trials table")
    ranking = rank(trials, contract.metric)
    summary = {"rung": plan["rung"], "planned": plan["trials"], "recorded": len(trials),
               "fitted": len(ranking.ranked), "failed": [_failure(t) for t in ranking.failed[:LISTED_FAILURES]],
               "failed_count": len(ranking.failed)}
    if plan["sample_fraction"] < 1.0:
        top = [Trial.from_dict(t) for t in ranking.ranked[:contract.search.top_k]]
        return {**summary, "next": write_rung(services, run, top, plan["rung"] + 1, 1.0)}
    best, *runners_up = [{key: t[key] for key in BEST_FIELDS if key in t} for t in ranking.ranked[:1 + RUNNERS_UP]]
    return {**summary, "best": best, "runners_up": runners_up}


def _failure(trial: dict[str, Any]) -> dict[str, Any]:
    return {key: trial.get(key) for key in ("trial_id", "label", "params", "error", "message")}
