"""The largest dataset the default settings take: each step's time and memory measured at one size, extrapolated.

Validate streams (its memory does not grow with the file), so it is bounded by its time limit and by the ephemeral
storage the download needs. Each Train step holds the whole dataset in memory, so it is bounded by its memory size
and time limit; both grow about linearly with rows for the default candidates, which is what the extrapolation
assumes (stated beside the figure).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from localcloud.template import load_template

from . import processes

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks/.data"
HEADROOM = 0.8  # of the memory size, for the runtime, the interpreter's fragmentation and the model artifact


@dataclass(frozen=True)
class Settings:
    rows: int


FULL = Settings(rows=500_000)
SMOKE = Settings(rows=2_000)


def function_settings(name: str) -> tuple[int, int, int]:
    """Memory (MB), timeout (s) and ephemeral storage (MB) of a function, as the template sets them."""
    template = load_template(ROOT / "template.yaml")
    defaults = template["Globals"]["Function"]
    props = template["Resources"][name]["Properties"]
    return (props.get("MemorySize", defaults["MemorySize"]), props.get("Timeout", defaults["Timeout"]),
            props.get("EphemeralStorage", defaults["EphemeralStorage"])["Size"])


def measure(settings: Settings, validation: dict) -> dict:
    from mlops_cli.samples import CHURN_CONTRACT, churn

    path = DATA / f"churn-{settings.rows}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        churn(settings.rows, seed=3).to_csv(path, index=False)
    candidates = {}
    for name in ("logistic_regression", "random_forest", "hist_gradient_boosting"):
        candidates[name] = processes.run("benchmarks.train_process", str(path), json.dumps(CHURN_CONTRACT), name,
                                         timeout=3600)
    memory, timeout, _ = function_settings("TrainFunction")
    limits = {}
    for name, run in candidates.items():
        per_row_mb = max(run["peak_rss_mb"] - run["base_rss_mb"], 1e-9) / run["rows"]
        by_memory = (memory * HEADROOM - run["base_rss_mb"]) / per_row_mb
        by_time = timeout * HEADROOM * run["rows"] / run["seconds"]
        limits[name] = {"rows": int(min(by_memory, by_time)), "bound": "memory" if by_memory < by_time else "time"}
    v_memory, v_timeout, v_storage = function_settings("ValidateFunction")
    biggest = max(validation["sizes"], key=lambda size: size["rows"])
    bytes_per_row = biggest["megabytes"] * 1e6 / biggest["rows"]
    by_storage = v_storage * 1e6 * HEADROOM / bytes_per_row
    by_time = v_timeout * HEADROOM * biggest["rows"] / biggest["streaming"]["seconds"]
    return {"rows": settings.rows, "train": {"memory_mb": memory, "timeout_s": timeout, "measured": candidates,
                                             "limits": limits},
            "validate": {"memory_mb": v_memory, "timeout_s": v_timeout, "storage_mb": v_storage,
                         "rows": int(min(by_storage, by_time)), "bound": "storage" if by_storage < by_time else "time",
                         "peak_rss_mb": biggest["streaming"]["peak_rss_mb"]}}


def rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    train, validate = result["train"], result["validate"]
    table = [(f"largest dataset, validate step ({validate['memory_mb']} MB, {validate['timeout_s']} s, "
              f"{validate['storage_mb']} MB /tmp; 25 columns)", f"~{validate['rows'] / 1e6:.0f}M rows "
              f"(bound by {validate['bound']})", "", "", "")]
    for name, limit in train["limits"].items():
        run = train["measured"][name]
        table.append((f"largest dataset, train step {name} ({train['memory_mb']} MB, {train['timeout_s']} s; "
                      f"7 columns; measured at {run['rows']:,} rows: {run['seconds']:.0f} s, "
                      f"{run['peak_rss_mb']:.0f} MB)", f"~{limit['rows'] / 1e6:.1f}M rows (bound by {limit['bound']})",
                      "", "", ""))
    return table
