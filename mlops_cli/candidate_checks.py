"""`mlops candidates check`: what every candidate must do before it ships, run on a synthetic contract-shaped frame.

The same checks run in CI (tests/candidates), parametrized over every registered candidate and task it supports.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from mlops_core.contract import Contract
from mlops_core.scoring import METRICS
from mlops_core.serving.onnx_model import OnnxModel
from mlops_core.training.catalog import Candidate, Catalog
from mlops_core.training.exportability import check_convertible
from mlops_core.training.fitting import fit_trial, sklearn_prediction
from mlops_core.training.onnx_export import MAX_ONNX_BYTES, export_onnx
from mlops_core.training.parity import compare
from mlops_core.training.serialization import dump_loadable, load_pipeline
from mlops_core.training.splits import split_rows


@dataclass(frozen=True)
class Budget:
    """What a served model may take (docs/candidates.md states it): the inference function holds every champion it
    serves in memory, and answers one row at a time."""

    onnx_bytes: int = MAX_ONNX_BYTES
    single_row_ms: float = 5.0

ROWS = 2_000
LATENCY_CALLS = 200
SEED = 7


def synthetic_contract(task: str) -> Contract:
    """Numbers (one with gaps, one always missing), a category, and a target planted on two of them."""
    target = ({"type": "category", "categories": ["no", "yes"]} if task == "classification"
              else {"type": "number"})
    return Contract.from_dict({
        "model": "candidate-check", "task": task, "target": "y", "seed": SEED, "columns": {
            "x1": {"type": "number"}, "x2": {"type": "number", "nullable": True},
            "empty": {"type": "number", "nullable": True},
            "count": {"type": "integer", "min": 0},
            "group": {"type": "category", "categories": ["a", "b", "c", "d", "e", "f"], "nullable": True},
            "y": target}})


def synthetic_frame(task: str, rows: int = ROWS, seed: int = SEED) -> pd.DataFrame:
    """A planted signal in x1 and group; x2 has 20% gaps, `empty` none at all; the fitting rows never show group
    'e' or 'f', which the validation and holdout rows do (unseen categories)."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=rows), rng.normal(size=rows)
    group = rng.choice(["a", "b", "c", "d"], size=rows)
    contract = synthetic_contract(task)
    fit = split_rows(rows, contract).fit
    unseen = np.setdiff1d(np.arange(rows), fit)
    group[unseen[::5]] = "e"
    group[unseen[1::7]] = "f"
    signal = 1.5 * x1 + np.where(np.isin(group, ["a", "b"]), 1.0, -1.0) + 0.5 * rng.normal(size=rows)
    frame = pd.DataFrame({"x1": x1, "x2": np.where(rng.random(rows) < 0.2, np.nan, x2), "empty": np.nan,
                          "count": rng.poisson(3, size=rows).astype(float), "group": group})
    frame["y"] = np.where(signal > 0, "yes", "no") if task == "classification" else 3.0 * signal
    return frame


@dataclass(frozen=True)
class Check:
    """One check of one candidate on one task: passed or not, and what was seen."""

    candidate: str
    task: str
    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "task": self.task, "check": self.name, "passed": self.passed,
                "detail": self.detail}


@dataclass
class Context:
    """What the checks of one candidate on one task share: the frame, and the fitted trial once fitted."""

    candidate: Candidate
    task: str
    contract: Contract
    frame: pd.DataFrame
    budget: Budget
    fitted: Any = None
    onnx: bytes | None = None
    seen: dict[str, Any] = field(default_factory=dict)


def _space(ctx: Context) -> str:
    ctx.candidate.space.check(ctx.candidate.defaults, f"{ctx.candidate.name}.DEFAULTS")
    return (f"{len(ctx.candidate.space.dimensions)} searched parameter(s), defaults inside the space: "
            f"{ctx.candidate.defaults}")


def _fits(ctx: Context) -> str:
    pipeline = ctx.candidate.pipeline({}, ctx.contract)
    check_convertible(pipeline)
    ctx.fitted = fit_trial(pipeline, ctx.frame, ctx.contract)
    predicted = sklearn_prediction(ctx.fitted.pipeline, ctx.frame[ctx.contract.features], ctx.contract)
    values = np.asarray(predicted.values)
    if ctx.task == "regression" and not np.all(np.isfinite(values.astype(float))):
        raise AssertionError("predictions hold NaN or infinity")
    return (f"fitted {ctx.fitted.rows} rows with gaps, an all-missing column and unseen categories in "
            f"{ctx.fitted.fit_seconds:.2f} s")


def _beats_baseline(ctx: Context) -> str:
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.pipeline import Pipeline

    dummy = DummyClassifier(strategy="prior") if ctx.task == "classification" else DummyRegressor()
    baseline = fit_trial(Pipeline([("model", dummy)]), ctx.frame, ctx.contract).score
    metric = METRICS[ctx.contract.metric]
    if metric.gain(ctx.fitted.score, baseline) <= 0:
        raise AssertionError(f"{ctx.contract.metric} {ctx.fitted.score:.4f} does not beat the dummy baseline "
                             f"{baseline:.4f} on a planted signal")
    return f"{ctx.contract.metric} {ctx.fitted.score:.4f} against the dummy baseline's {baseline:.4f}"


def _reproducible(ctx: Context) -> str:
    again = fit_trial(ctx.candidate.pipeline({}, ctx.contract), ctx.frame, ctx.contract).score
    if again != ctx.fitted.score:
        raise AssertionError(f"the same seed gave {ctx.contract.metric} {ctx.fitted.score!r}, then {again!r}: seed "
                             "every random_state from contract.seed")
    return f"the same seed gave the same {ctx.contract.metric} twice"


def _loads(ctx: Context) -> str:
    restored = load_pipeline(dump_loadable(ctx.fitted.pipeline))
    X = ctx.frame[ctx.contract.features]
    if not np.array_equal(np.asarray(restored.predict(X)), np.asarray(ctx.fitted.pipeline.predict(X))):
        raise AssertionError("the pipeline loaded from its artifact predicts differently")
    return "the fitted pipeline round-trips through the artifact allowlist and predicts the same"


def _exports(ctx: Context) -> str:
    ctx.onnx = export_onnx(ctx.fitted.pipeline, ctx.contract)
    rows = ctx.frame.iloc[split_rows(len(ctx.frame), ctx.contract).holdout]
    reference = sklearn_prediction(ctx.fitted.pipeline, rows[ctx.contract.features], ctx.contract)
    parity = compare(reference, OnnxModel.load(ctx.onnx).predict(rows))
    if not parity.ok:
        raise AssertionError(f"ONNX disagrees with scikit-learn on {parity.differing} of {parity.rows} rows "
                             f"(max gap {parity.max_gap:.3g})")
    return f"ONNX matches scikit-learn on {parity.rows - parity.differing} of {parity.rows} holdout rows"


def _size(ctx: Context) -> str:
    size, budget = len(ctx.onnx), ctx.budget.onnx_bytes
    if size > budget:
        raise AssertionError(f"ONNX is {size / 1024:.0f} KB, over the {budget / 1024:.0f} KB budget: bound the "
                             "model's size (trees, depth, estimators)")
    return f"ONNX {size / 1024:.0f} KB (budget {budget / 1024:.0f} KB)"


def _latency(ctx: Context) -> str:
    model = OnnxModel.load(ctx.onnx)
    row = ctx.frame.iloc[[0]]
    model.predict(row)
    timings = []
    for _ in range(LATENCY_CALLS):
        started = time.perf_counter()
        model.predict(row)
        timings.append((time.perf_counter() - started) * 1000)
    p50, budget = statistics.median(timings), ctx.budget.single_row_ms
    if p50 > budget:
        raise AssertionError(f"single-row p50 {p50:.2f} ms in ONNX Runtime, over the {budget} ms budget")
    return f"single-row p50 {p50:.2f} ms (budget {budget} ms)"


# In order: each check after "fits" needs the fitted trial, and size and latency need the export.
CHECKS: tuple[tuple[str, Callable[[Context], str]], ...] = (
    ("search space", _space), ("fits", _fits), ("beats baseline", _beats_baseline), ("reproducible", _reproducible),
    ("loads", _loads), ("exports", _exports), ("onnx size", _size), ("latency", _latency))
NEEDS = {"beats baseline": "fits", "reproducible": "fits", "loads": "fits", "exports": "fits",
         "onnx size": "exports", "latency": "exports"}


def check_candidate(candidate: Candidate, task: str, budget: Budget = Budget()) -> list[Check]:
    """Every check of one candidate on one task; a check whose prerequisite failed is reported as not run."""
    contract = synthetic_contract(task)
    ctx = Context(candidate, task, contract, synthetic_frame(task), budget)
    results: dict[str, Check] = {}
    for name, check in CHECKS:
        needed = NEEDS.get(name)
        if needed and not results[needed].passed:
            results[name] = Check(candidate.name, task, name, False, f"not run: {needed!r} failed")
            continue
        try:
            results[name] = Check(candidate.name, task, name, True, check(ctx))
        except Exception as error:  # a candidate's own code may raise anything: the report says what
            results[name] = Check(candidate.name, task, name, False, f"{type(error).__name__}: {error}")
    return list(results.values())


def check_catalog(catalog: Catalog, names: list[str] | None = None) -> list[Check]:
    """Every check of the named candidates (all, by default) on every task each supports."""
    chosen = names or sorted(catalog.candidates) + sorted(catalog.broken)
    broken = [Check(name, "-", "registers", False, catalog.broken[name]) for name in chosen if name in catalog.broken]
    return broken + [check for name in chosen if name not in catalog.broken for task in catalog.get(name).tasks
                     for check in check_candidate(catalog.get(name), task)]
