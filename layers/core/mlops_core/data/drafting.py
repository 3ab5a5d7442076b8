"""Drafting a data contract from a sample of data, for a person to review before storing it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlops_core.contract import Contract
from mlops_core.dates import is_date
from mlops_core.errors import ContractError
from mlops_core.scoring import default_metric

MAX_CATEGORIES = 50
MAX_CLASSES = 20


def draft_contract(frame: pd.DataFrame, model: str, target: str, task: str | None = None) -> tuple[Contract, list[str]]:
    """Types, nullability, sign bounds, categories and dates as seen in `frame`; returns the contract and notes."""
    if target not in frame.columns:
        raise ContractError(f"target {target!r} is not a column of the data (columns: {list(frame.columns)[:20]})")
    task = task or _guess_task(frame[target])
    if task == "classification":
        classes = len({_category_text(value) for value in frame[target].dropna()})
        if classes > MAX_CATEGORIES:
            raise ContractError(f"target {target!r} has {classes} distinct values, more than the {MAX_CATEGORIES} "
                                "classes a drafted contract takes: group the rare ones (into 'other', say), pick "
                                "another target, or pass --task regression if it is a number")
    notes: list[str] = []
    columns: dict[str, Any] = {}
    for name in frame.columns:
        spec = _column_spec(frame[name], as_category=(name == target and task == "classification"))
        if spec is None:
            notes.append(f"{name}: {frame[name].nunique()} distinct text values, left out (allowed as an extra column)")
            continue
        columns[str(name)] = spec
    columns[target].pop("nullable", None)
    doc = {"model": model, "version": 1, "task": task, "target": target, "metric": default_metric(task),
           "min_rows": int(max(20, min(100, len(frame) // 2))), "min_improvement": 0.0,
           "allow_extra_columns": len(columns) < frame.shape[1], "columns": columns}
    return Contract.from_dict(doc), notes


def _guess_task(target: pd.Series) -> str:
    values = target.dropna()
    if not pd.api.types.is_numeric_dtype(values):
        return "classification"
    integral = np.all(np.equal(np.mod(values, 1), 0))
    return "classification" if integral and values.nunique() <= MAX_CLASSES else "regression"


def _column_spec(values: pd.Series, as_category: bool) -> dict[str, Any] | None:
    nullable = bool(values.isna().any())
    present = values.dropna()
    # Parquet's timestamps are read as text too ("2024-03-05 10:11:12"), which the date rule accepts.
    dated = pd.api.types.is_datetime64_any_dtype(values) or (
        len(present) > 0 and all(is_date(value) for value in present.unique()))
    if dated and not as_category:
        return {"type": "date", "nullable": nullable}
    if as_category or not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        categories = sorted({_category_text(v) for v in present})
        if len(categories) > MAX_CATEGORIES:
            return None
        return {"type": "category", "categories": categories, "nullable": nullable}
    integral = bool(np.all(np.equal(np.mod(present, 1), 0)))
    spec: dict[str, Any] = {"type": "integer" if integral else "number", "nullable": nullable}
    if len(present) and present.min() >= 0:
        spec["min"] = 0
    return spec


def _category_text(value: Any) -> str:
    """As the CSV reader will see it: whole floats from a numeric column lose their '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
