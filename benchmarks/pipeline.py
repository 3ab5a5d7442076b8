"""The pipeline's own overhead: upload to registered version on the local runtime, against fitting and scoring the
same candidates on the same data in a plain script (benchmarks/bare_training.py).

The local runtime runs the Map state's candidates one after another, as the plain script does; on AWS they run in
parallel, so there the pipeline's wall time is shorter than here.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from . import processes

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks/.data"
MODEL = "bench-overhead"
TARGET = 1.5


@dataclass(frozen=True)
class Settings:
    rows: int
    repeat: int


FULL = Settings(rows=100_000, repeat=3)
SMOKE = Settings(rows=2_000, repeat=1)


def measure(settings: Settings) -> dict:
    from mlops_core.contract import Contract

    from localcloud.runtime import LocalCloud, free_port
    from mlops_cli import operations
    from mlops_cli.samples import CHURN_CONTRACT, churn
    from mlops_cli.stack import Stack

    path = DATA / f"churn-{settings.rows}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        churn(settings.rows, seed=3).to_csv(path, index=False)
    contract = {**CHURN_CONTRACT, "model": MODEL}
    pipeline, steps, baseline = [], [], []
    with LocalCloud(ROOT / "template.yaml", port=free_port(), stack_name="bench-pipeline") as cloud:
        stack = Stack.find(cloud.stack_name)
        operations.put_contract(stack, Contract.from_dict(contract))
        for index in range(settings.repeat):
            baseline.append(processes.run("benchmarks.bare_training", str(path), json.dumps(contract))["seconds"])
            started = time.perf_counter()
            trigger = operations.upload(stack, path, MODEL, f"run-{index}-{time.time_ns()}.csv")
            run = operations.wait_for_run(stack, MODEL, trigger.run_id, timeout=1800)
            pipeline.append(time.perf_counter() - started)
            if run["status"] != "SUCCEEDED":
                raise RuntimeError(f"benchmark run failed: {run.get('message')}")
            steps.append({name: step["seconds"] for name, step in run["steps"].items()})
    median = statistics.median
    return {"rows": settings.rows, "repeat": settings.repeat, "pipeline_s": median(pipeline),
            "bare_s": median(baseline), "steps_s": {name: median(s[name] for s in steps) for name in steps[0]}}


def rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    ratio = result["pipeline_s"] / result["bare_s"]
    table = [(f"pipeline, upload to registered version ({result['rows']:,} rows, 3 candidates)",
              f"{result['pipeline_s']:.1f} s", f"{result['bare_s']:.1f} s (fit + score only)", f"{ratio:.2f}x",
              f"<= {TARGET}x " + ("met" if ratio <= TARGET else "NOT MET"))]
    table += [(f"  pipeline step: {name}", f"{seconds:.2f} s", "", "", "")
              for name, seconds in sorted(result["steps_s"].items())]
    return table
