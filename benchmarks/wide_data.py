"""A 25-column dataset of any size for the data benchmarks, written in chunks so generating it stays small in memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

NUMBERS, INTEGERS, CATEGORIES = 10, 6, 8
LEVELS = [f"level_{i}" for i in range(12)]
CHUNK = 250_000


def contract(model: str = "wide") -> dict:
    """24 features and a class target; ranges wide enough that every generated row passes."""
    columns: dict[str, dict] = {}
    columns |= {f"x{i}": {"type": "number", "min": -1000, "max": 1000, "nullable": True} for i in range(NUMBERS)}
    columns |= {f"n{i}": {"type": "integer", "min": 0, "max": 10_000} for i in range(INTEGERS)}
    columns |= {f"c{i}": {"type": "category", "categories": LEVELS} for i in range(CATEGORIES - 1)}
    columns["label"] = {"type": "category", "categories": ["no", "yes"]}
    return {"model": model, "task": "classification", "target": "label", "min_rows": 100, "columns": columns}


def chunk(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, np.ndarray] = {}
    for i in range(NUMBERS):
        values = rng.normal(0, 100, rows).round(3)
        values[rng.random(rows) < 0.01] = np.nan
        data[f"x{i}"] = values
    data |= {f"n{i}": rng.integers(0, 10_000, rows) for i in range(INTEGERS)}
    data |= {f"c{i}": rng.choice(LEVELS, rows) for i in range(CATEGORIES - 1)}
    data["label"] = np.where(data["x0"] + data["n0"] / 50 > 100, "yes", "no")
    return pd.DataFrame(data)


def write(path: Path, rows: int, seed: int = 0) -> Path:
    """Write `rows` rows once; an existing file of that name is reused."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for index, start in enumerate(range(0, rows, CHUNK)):
        chunk(min(CHUNK, rows - start), seed + index).to_csv(partial, mode="a" if index else "w", header=not index,
                                                              index=False)
    partial.rename(path)
    return path
