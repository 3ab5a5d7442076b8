"""The largest dataset the default settings take: each step's time and memory measured at two sizes, extrapolated.

Validate streams (its memory does not grow with the file), so it is bounded by its time limit and by the ephemeral
storage the download needs. Each Train step holds the whole dataset in memory, so it is bounded by its memory size
and time limit. Two sizes give the memory per extra row (the slope, so fixed costs do not inflate it) and the time's
growth exponent (seconds ~ rows^k); the figures say both, so the extrapolation can be judged.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from localcloud.template import load_template

from . import processes

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks/.data"
HEADROOM = 0.8  # of the memory size, for the runtime, the interpreter's fragmentation and the model artifact


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, int]


FULL = Settings(sizes=(250_000, 500_000))
SMOKE = Settings(sizes=(1_000, 2_000))


def function_settings(name: str) -> tuple[int, int, int]:
    """Memory (MB), timeout (s) and ephemeral storage (MB) of a function, as the template sets them."""
    template = load_template(ROOT / "template.yaml")
    defaults = template["Globals"]["Function"]
    props = template["Resources"][name]["Properties"]
    return (props.get("MemorySize", defaults["MemorySize"]), props.get("Timeout", defaults["Timeout"]),
            props.get("EphemeralStorage", defaults["EphemeralStorage"])["Size"])


def dataset(rows: int) -> Path:
    from mlops_cli.samples import churn

    path = DATA / f"churn-{rows}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        churn(rows, seed=3).to_csv(path, index=False)
    return path


def train_limit(small: dict, large: dict, memory_mb: int, timeout_s: int) -> dict:
    """Rows at which a Train step would reach its memory or time limit, from two measured sizes."""
    extra_rows = large["rows"] - small["rows"]
    per_row_mb = max(large["peak_rss_mb"] - small["peak_rss_mb"], 1e-9) / extra_rows
    fixed_mb = large["peak_rss_mb"] - per_row_mb * large["rows"]
    exponent = max(math.log(large["seconds"] / small["seconds"]) / math.log(large["rows"] / small["rows"]), 1.0)
    by_memory = (memory_mb * HEADROOM - fixed_mb) / per_row_mb
    by_time = large["rows"] * (timeout_s * HEADROOM / large["seconds"]) ** (1 / exponent)
    return {"rows": int(min(by_memory, by_time)), "bound": "memory" if by_memory < by_time else "time",
            "mb_per_100k_rows": per_row_mb * 100_000, "time_exponent": exponent}


def measure(settings: Settings, validation: dict) -> dict:
    from mlops_cli.samples import CHURN_CONTRACT

    memory, timeout, _ = function_settings("TrainFunction")
    candidates, limits = {}, {}
    for name in ("logistic_regression", "random_forest", "hist_gradient_boosting"):
        trial = json.dumps({"trial_id": "t000", "label": name, "candidate": name, "params": {}})
        small, large = (processes.run("benchmarks.train_process", str(dataset(rows)), json.dumps(CHURN_CONTRACT),
                                      trial, timeout=3600) for rows in settings.sizes)
        candidates[name] = [small, large]
        limits[name] = train_limit(small, large, memory, timeout)
    v_memory, v_timeout, v_storage = function_settings("ValidateFunction")
    biggest = max(validation["sizes"], key=lambda size: size["rows"])
    bytes_per_row = biggest["megabytes"] * 1e6 / biggest["rows"]
    by_storage = v_storage * 1e6 * HEADROOM / bytes_per_row
    by_time = v_timeout * HEADROOM * biggest["rows"] / biggest["streaming"]["seconds"]
    return {"sizes": list(settings.sizes),
            "train": {"memory_mb": memory, "timeout_s": timeout, "measured": candidates, "limits": limits},
            "validate": {"memory_mb": v_memory, "timeout_s": v_timeout, "storage_mb": v_storage,
                         "rows": int(min(by_storage, by_time)), "bound": "storage" if by_storage < by_time else "time",
                         "peak_rss_mb": biggest["streaming"]["peak_rss_mb"]}}


def rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    train, validate = result["train"], result["validate"]
    table = [(f"largest dataset, validate step ({validate['memory_mb']} MB, {validate['timeout_s']} s, "
              f"{validate['storage_mb']} MB /tmp; 25 columns)", f"~{validate['rows'] / 1e6:.0f}M rows "
              f"(bound by {validate['bound']})", "", "", "")]
    for name, limit in train["limits"].items():
        small, large = train["measured"][name]
        table.append((f"largest dataset, train step {name} ({train['memory_mb']} MB, {train['timeout_s']} s; "
                      f"7 columns; measured at {small['rows']:,} and {large['rows']:,} rows: "
                      f"{small['seconds']:.1f} s and {large['seconds']:.1f} s (time ~ rows^"
                      f"{limit['time_exponent']:.2f}), {small['peak_rss_mb']:.0f} and {large['peak_rss_mb']:.0f} MB "
                      f"(+{limit['mb_per_100k_rows']:.0f} MB per 100k rows))",
                      f"~{limit['rows'] / 1e6:.1f}M rows (bound by {limit['bound']})", "", "", ""))
    return table
