"""A hyperparameter search through the pipeline on the local runtime, against a plain script that reads the CSV
once and fits and scores the same configurations one after another (benchmarks/bare_training.py).

The forest's space is narrowed (20-60 trees, depth 4-12, sqrt or half of the features) so no trial dominates the
benchmark's time; the other two candidates search their whole spaces. The local runtime runs the Train trials map's
iterations one after another, as the plain script does; on AWS up to TrainMaxConcurrency (8) run at once, so there
the map takes about an eighth of this. One unmeasured run (one trial per candidate, on a small file) loads every
function first, as the plain script's time excludes its imports.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from . import capacity, pipeline, processes

ROOT = Path(__file__).resolve().parent.parent
MODEL = "bench-search"
WARM_UP_MODEL = "bench-search-warm-up"
TARGET_RATIO = 1.5
TARGET_OUTSIDE_FIT_S = 0.15
WARM_UP_ROWS = 2_000
SPACES = {"random_forest": {"n_estimators": {"int": [20, 60]}, "max_depth": {"int": [4, 12]},
                            "max_features": ["sqrt", 0.5]},
          "hist_gradient_boosting": {}, "logistic_regression": {}}


@dataclass(frozen=True)
class Settings:
    rows: int
    max_trials: int


FULL = Settings(rows=100_000, max_trials=24)
SMOKE = Settings(rows=1_000, max_trials=3)


def search_contract(model: str, max_trials: int) -> dict:
    from mlops_cli.samples import CHURN_CONTRACT

    candidates = [{"candidate": name, **({"space": space} if space else {})} for name, space in SPACES.items()]
    return {**CHURN_CONTRACT, "model": model, "candidates": candidates, "search": {"max_trials": max_trials}}


def measure(settings: Settings) -> dict:
    from mlops_core.contract import Contract

    from localcloud.runtime import LocalCloud, free_port
    from mlops_cli import operations
    from mlops_cli.stack import Stack

    contract = search_contract(MODEL, settings.max_trials)
    path = capacity.dataset(settings.rows)
    with LocalCloud(ROOT / "template.yaml", port=free_port(), stack_name="bench-search") as cloud:
        stack = Stack.find(cloud.stack_name)
        operations.put_contract(stack, Contract.from_dict(search_contract(WARM_UP_MODEL, len(SPACES))))
        operations.put_contract(stack, Contract.from_dict(contract))
        pipeline.run_once(stack, WARM_UP_MODEL, capacity.dataset(WARM_UP_ROWS), "warm-up")
        bare = processes.run("benchmarks.bare_training", str(path), json.dumps(contract))
        run_seconds, run = pipeline.run_once(stack, MODEL, path, "search")
        trials = stack.trials.list(MODEL, run["run_id"])
        map_seconds = _map_seconds(stack, run["execution"])
        largest = max(trials, key=lambda trial: _artifact_bytes(stack, trial["uri"]))
    one_trial = processes.run("benchmarks.train_process", str(path), json.dumps(contract),
                              json.dumps({key: largest[key] for key in ("trial_id", "label", "candidate", "params")}))
    outside_fit = [trial["seconds"] - trial["fit_seconds"] for trial in trials]
    # What the plain script does not do: keeping the model and its parity predictions, recording, the dataset read.
    overhead = [trial["seconds"] - trial["fit_seconds"] - trial["score_seconds"] for trial in trials]
    return {"rows": settings.rows, "max_trials": settings.max_trials, "candidates": list(SPACES),
            "trials": len(trials), "succeeded": sum(trial["status"] == "SUCCEEDED" for trial in trials),
            "run_s": run_seconds, "map_s": map_seconds, "bare_s": bare["seconds"], "bare_trials": bare["trials"],
            "fit_s": sum(trial["fit_seconds"] for trial in trials),
            "fit_by_candidate_s": {name: sum(t["fit_seconds"] for t in trials if t["candidate"] == name)
                                   for name in SPACES},
            "outside_fit_median_s": statistics.median(outside_fit), "outside_fit_max_s": max(outside_fit),
            "overhead_median_s": statistics.median(overhead),
            "largest": {"trial_id": largest["trial_id"], "candidate": largest["candidate"],
                        "params": largest["params"], "artifact_bytes": one_trial["artifact_bytes"],
                        "seconds": one_trial["seconds"],
                        "peak_above_base_mb": one_trial["peak_rss_mb"] - one_trial["base_rss_mb"],
                        "peak_rss_mb": one_trial["peak_rss_mb"], "base_rss_mb": one_trial["base_rss_mb"]}}


def _map_seconds(stack, execution_arn: str) -> float:
    """From the Train trials map's entry to its exit, as the execution history records them."""
    events, token = [], {}
    while True:
        page = stack.stepfunctions.get_execution_history(executionArn=execution_arn, maxResults=1000, **token)
        events += page["events"]
        if "nextToken" not in page:
            break
        token = {"nextToken": page["nextToken"]}
    [entered] = [e["timestamp"] for e in events if e["type"] == "MapStateEntered"]
    [exited] = [e["timestamp"] for e in events if e["type"] == "MapStateExited"]
    return (exited - entered).total_seconds()


def _artifact_bytes(stack, uri: str) -> int:
    from mlops_core.aws.objects import S3Object

    target = S3Object.parse(uri)
    return stack.store.client.head_object(Bucket=target.bucket, Key=target.key)["ContentLength"]


def _met(value: float, target: float) -> str:
    return "met" if value <= target else "NOT MET"


def rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    what = f"{result['trials']} trials over {len(result['candidates'])} candidates, {result['rows']:,} rows"
    bare = f"{result['bare_s']:.1f} s (read once, fit + score {result['bare_trials']} trials)"
    map_ratio, run_ratio = result["map_s"] / result["bare_s"], result["run_s"] / result["bare_s"]
    largest = result["largest"]
    params = ", ".join(f"{name}={value:.3g}" if isinstance(value, float) else f"{name}={value}"
                       for name, value in sorted(largest["params"].items()))
    table = [(f"search, Train trials map, entered to exited ({what})", f"{result['map_s']:.1f} s", bare,
              f"{map_ratio:.2f}x", f"<= {TARGET_RATIO}x {_met(map_ratio, TARGET_RATIO)}"),
             (f"search, upload to the run's end ({what})", f"{result['run_s']:.1f} s", bare, f"{run_ratio:.2f}x",
              f"<= {TARGET_RATIO}x {_met(run_ratio, TARGET_RATIO)}"),
             ("  per trial outside fitting (step seconds - fit seconds), median",
              f"{result['outside_fit_median_s']:.3f} s", "", "",
              f"<= {TARGET_OUTSIDE_FIT_S} s {_met(result['outside_fit_median_s'], TARGET_OUTSIDE_FIT_S)}"),
             ("  per trial outside fitting, max (the first trial also reads the dataset)",
              f"{result['outside_fit_max_s']:.3f} s", "", "",
              f"<= {TARGET_OUTSIDE_FIT_S} s {_met(result['outside_fit_max_s'], TARGET_OUTSIDE_FIT_S)}"),
             ("  per trial outside fitting and scoring (what the plain script does not do: saving the model and its "
              "parity predictions, the record), median", f"{result['overhead_median_s']:.3f} s", "", "", "")]
    table += [(f"  of the map: fitting {name} trials", f"{seconds:.1f} s", "", "", "")
              for name, seconds in result["fit_by_candidate_s"].items()]
    table.append((f"  peak memory of one trial above the interpreter and imports ({largest['base_rss_mb']:.0f} MB); "
                  f"the largest, {largest['candidate']} {params} ({largest['artifact_bytes'] / 1e6:.1f} MB saved), "
                  f"one Train step's work in a fresh process", f"{largest['peak_above_base_mb']:.0f} MB", "", "", ""))
    return table
