"""One fresh process: validate and profile a CSV, the project's way or the in-memory pandas way; prints one JSON line.

Usage: python -m benchmarks.validation_process {streaming|pandas} FILE CONTRACT_JSON
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.handler_process import peak_rss_mb
from benchmarks.processes import emit


def streaming(path: Path, contract_doc: dict) -> dict:
    """What the validate step runs: chunked reading, every contract rule, the drift-baseline profile."""
    from mlops_core.contract import Contract
    from mlops_core.data.validation import validate

    report, profile = validate(path, "csv", Contract.from_dict(contract_doc))
    return {"rows": report.rows, "passed": report.passed, "profiled": profile is not None}


def in_memory(path: Path, contract_doc: dict) -> dict:
    """The idiomatic baseline: read it all with the C engine, vectorized checks, describe(), null and level counts."""
    frame = pd.read_csv(path, engine="c")
    failures = 0
    for name, column in contract_doc["columns"].items():
        values = frame[name]
        missing = values.isna()
        if not column.get("nullable"):
            failures += int(missing.sum())
        if column["type"] == "category":
            failures += int((~values[~missing].astype(str).isin(column["categories"])).sum())
            values.value_counts()
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        failures += int((numbers.isna() & ~missing).sum()) + int((~np.isfinite(numbers[numbers.notna()])).sum())
        if column["type"] == "integer":
            failures += int((numbers % 1 != 0).sum())
        failures += int((numbers < column["min"]).sum()) + int((numbers > column["max"]).sum())
    frame.describe()
    return {"rows": len(frame), "passed": failures == 0, "profiled": True}


if __name__ == "__main__":
    kind, file, contract_json = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    started = time.perf_counter()
    result = (streaming if kind == "streaming" else in_memory)(file, json.loads(contract_json))
    result |= {"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}
    emit(result)
