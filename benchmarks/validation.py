"""Validation at scale: the validate step's streaming check and profile against pandas reading it all into memory.

Each size is generated once (benchmarks/.data/), then each way runs in fresh processes, alternating; the figures are
medians. Rows/s and peak RSS are what matter: a Lambda with modest memory can validate files larger than itself.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from . import processes, wide_data

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks/.data"
RSS_TARGET_MB = 256
SPEED_TARGET = 0.9


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...]
    repeat: int


FULL = Settings(sizes=(1_000_000, 5_000_000), repeat=3)
SMOKE = Settings(sizes=(20_000,), repeat=1)


def run_process(kind: str, path: Path) -> dict:
    result = processes.run("benchmarks.validation_process", kind, str(path), json.dumps(wide_data.contract()))
    if not (result["passed"] and result["profiled"]):
        raise RuntimeError(f"{kind} validation did not pass the generated data: {result}")
    return result


def measure(settings: Settings) -> dict:
    results = []
    for rows in settings.sizes:
        path = wide_data.write(DATA / f"wide-{rows}.csv", rows)
        runs: dict[str, list[dict]] = {"streaming": [], "pandas": []}
        for _ in range(settings.repeat):
            for kind in runs:
                runs[kind].append(run_process(kind, path))
        median = statistics.median
        figures = {kind: {"seconds": median(r["seconds"] for r in found),
                          "peak_rss_mb": median(r["peak_rss_mb"] for r in found)} for kind, found in runs.items()}
        results.append({"rows": rows, "megabytes": path.stat().st_size / 1e6, **figures})
    return {"settings": settings.__dict__, "sizes": results}


def rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    table = []
    for size in result["sizes"]:
        ours, naive = size["streaming"], size["pandas"]
        label = f"{size['rows']:,} rows x 25 columns ({size['megabytes']:.0f} MB CSV)"
        speed = naive["seconds"] / ours["seconds"]
        table.append((f"validate + profile {label}: rows/s", f"{size['rows'] / ours['seconds']:,.0f}",
                      f"{size['rows'] / naive['seconds']:,.0f}", f"{speed:.2f}x",
                      f">= {SPEED_TARGET}x " + ("met" if speed >= SPEED_TARGET else "NOT MET")))
        table.append((f"validate + profile {label}: peak RSS", f"{ours['peak_rss_mb']:.0f} MB",
                      f"{naive['peak_rss_mb']:.0f} MB", f"{naive['peak_rss_mb'] / ours['peak_rss_mb']:.1f}x",
                      f"<= {RSS_TARGET_MB} MB " + ("met" if ours["peak_rss_mb"] <= RSS_TARGET_MB else "NOT MET")))
    return table
