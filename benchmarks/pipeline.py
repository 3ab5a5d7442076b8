"""The pipeline's own overhead: upload to the run's end on the local runtime, against fitting and scoring the same
candidates on the same data in a plain script (benchmarks/bare_training.py).

The local runtime runs the Map state's candidates one after another, as the plain script does; on AWS they run in
parallel, so there the pipeline's wall time is shorter than here. One unmeasured run first loads every function, as
the plain script's time excludes its imports; on AWS a run after an idle spell adds the functions' cold starts.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import capacity, processes

ROOT = Path(__file__).resolve().parent.parent
MODEL = "bench-overhead"
TARGET = 1.5
# What a run's report may add: the evidence Evaluate computes for it plus the Report step.
REPORT_TARGET_S = 2.0
WARM_UP_ROWS = 2_000


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...]
    repeat: int


FULL = Settings(sizes=(100_000, 500_000), repeat=3)
SMOKE = Settings(sizes=(2_000,), repeat=1)


def measure(settings: Settings) -> dict:
    from mlops_core.contract import Contract

    from localcloud.runtime import LocalCloud, free_port
    from mlops_cli import operations
    from mlops_cli.stack import Stack

    contract = _contract()
    with LocalCloud(ROOT / "template.yaml", port=free_port(), stack_name="bench-pipeline") as cloud:
        stack = Stack.find(cloud.stack_name)
        operations.put_contract(stack, Contract.from_dict(contract))
        run_once(stack, MODEL, capacity.dataset(WARM_UP_ROWS), "warm-up")
        return {"repeat": settings.repeat,
                "sizes": [_measure_size(stack, rows, contract, settings.repeat) for rows in settings.sizes]}


def _measure_size(stack, rows: int, contract: dict, repeat: int) -> dict:
    path = capacity.dataset(rows)
    pipeline, baseline, steps, fits, reports = [], [], [], [], []
    for index in range(repeat):
        baseline.append(processes.run("benchmarks.bare_training", str(path), json.dumps(contract))["seconds"])
        seconds, run = run_once(stack, MODEL, path, f"{rows}-{index}")
        trials = stack.trials.list(MODEL, run["run_id"])
        pipeline.append(seconds)
        # The Train steps are the Map state's trials: each records its own seconds and fit seconds.
        steps.append({name: step["seconds"] for name, step in run["steps"].items()}
                     | {f"train:{trial['label']}": trial["seconds"] for trial in trials})
        fits.append(sum(trial["fit_seconds"] for trial in trials))
        reports.append(run["steps"]["evaluate"]["evidence_seconds"] + run["steps"]["report"]["seconds"])
    median = statistics.median
    step_medians = {name: median(s[name] for s in steps) for name in steps[0]}
    return {"rows": rows, "pipeline_s": median(pipeline), "bare_s": median(baseline), "steps_s": step_medians,
            "outside_steps_s": median(p - sum(s.values()) for p, s in zip(pipeline, steps, strict=True)),
            "fit_s": median(fits), "machinery_s": median(p - f for p, f in zip(pipeline, fits, strict=True)),
            "report_s": median(reports)}


def run_once(stack, model: str, path: Path, label: str) -> tuple[float, dict]:
    """Upload `path` and wait for its run; seconds from the upload to the run's recorded end, and the run."""
    from mlops_cli import operations

    uploaded = datetime.now(UTC)
    trigger = operations.upload(stack, path, model, f"run-{label}-{time.time_ns()}.csv")
    run = operations.wait_for_run(stack, model, trigger.run_id, timeout=1800)
    if run["status"] != "SUCCEEDED":
        raise RuntimeError(f"benchmark run failed: {run.get('message')}")
    # To the end the run recorded, not to the poll that saw it (polls are half a second apart).
    return (datetime.fromisoformat(run["finished_at"]) - uploaded).total_seconds(), run


def _contract() -> dict:
    from mlops_cli.samples import CHURN_CONTRACT

    return {**CHURN_CONTRACT, "model": MODEL}


def rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    table = []
    for size in result["sizes"]:
        ratio = size["pipeline_s"] / size["bare_s"]
        table.append((f"pipeline, upload to the run's end ({size['rows']:,} rows, 3 candidates)",
                      f"{size['pipeline_s']:.1f} s", f"{size['bare_s']:.1f} s (fit + score only)", f"{ratio:.2f}x",
                      f"<= {TARGET}x " + ("met" if ratio <= TARGET else "NOT MET")))
        table += [(f"  pipeline step: {name}", f"{seconds:.2f} s", "", "", "")
                  for name, seconds in sorted(size["steps_s"].items())]
        table.append(("  outside the recorded steps (upload, event, Begin, Finish, state transitions)",
                      f"{size['outside_steps_s']:.2f} s", "", "", ""))
        table.append(("  of the whole: fitting the candidates (inside the Train steps)", f"{size['fit_s']:.2f} s",
                      "", "", ""))
        table.append(("  of the whole: everything else (reading, scoring, saving, validate, export, evaluate, "
                      "register, orchestration)", f"{size['machinery_s']:.2f} s", "", "", ""))
        table.append((f"  the run's report: its evidence in Evaluate plus the Report step ({size['rows']:,} rows)",
                      f"{size['report_s']:.2f} s", "", "",
                      f"<= {REPORT_TARGET_S:g} s " + ("met" if size["report_s"] <= REPORT_TARGET_S else "NOT MET")))
    return table
