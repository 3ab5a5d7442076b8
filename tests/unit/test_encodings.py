"""Category columns of any cardinality: every candidate family fits, stays within memory, and exports within parity."""

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from mlops_candidates.registry import DEFAULTS, catalog
from mlops_core.contract import Contract
from mlops_core.data.tabular import model_frame
from mlops_core.serving.onnx_model import OnnxModel
from mlops_core.training.encodings import MAX_ONE_HOT_COLUMNS
from mlops_core.training.fitting import fit_trial, sklearn_prediction
from mlops_core.training.onnx_export import export_onnx
from mlops_core.training.parity import compare
from mlops_core.training.splits import split_rows
from threadpoolctl import threadpool_limits

from mlops_cli.samples import order_values, orders, orders_contract

ROOT = Path(__file__).resolve().parents[2]
ROWS = 4000
SMALL = 2500
CARDINALITIES = (3, 50, 5000)
# Traced allocations per dataset row while fitting and exporting. A dense one-hot of a 5,000-value column over the
# fitting rows alone would take 5,000 x 8 bytes x 0.64 = 25.6 KB per row.
PEAK_BYTES_PER_ROW = 2048
CASES = [(task, name, cardinality) for task in ("classification", "regression")
         for name in DEFAULTS[task] for cardinality in CARDINALITIES]

CATALOG = catalog()
LINEAR = {"logistic_regression", "ridge"}


def fit_candidate(name: str, frame, contract):
    return fit_trial(CATALOG.get(name).pipeline({}, contract), frame, contract)



@pytest.fixture(autouse=True)
def one_thread():
    """Boosting's OpenMP threads only spin on shared cores."""
    with threadpool_limits(1):
        yield


def dataset(categories: dict[str, int], task: str = "classification", rows: int = ROWS, seed: int = 1):
    contract = Contract.from_dict(orders_contract("orders", categories, task))
    return contract, model_frame(orders(rows, seed, categories, task), contract)


def holdout_parity(fitted, contract, frame, body: bytes):
    holdout = frame.iloc[split_rows(len(frame), contract).holdout]
    reference = sklearn_prediction(fitted.pipeline, holdout[contract.features], contract)
    return compare(reference, OnnxModel.load(body).predict(holdout))


def measure(task: str, name: str, cardinality: int) -> dict:
    """Fit and export one default candidate on one category column, tracing the peak of Python and NumPy memory."""
    contract, frame = dataset({"product": cardinality}, task)
    tracemalloc.start()
    try:
        fitted = fit_candidate(name, frame, contract)
        body = export_onnx(fitted.pipeline, contract)
        peak = tracemalloc.get_traced_memory()[1]
    except Exception as error:  # reported to the test, which names it
        return {"error": f"{type(error).__name__}: {error}"}
    finally:
        tracemalloc.stop()
    parity = holdout_parity(fitted, contract, frame, body)
    width = fitted.pipeline[:-1].transform(frame[contract.features].head(5)).shape[1]
    return {"error": None, "parity_ok": parity.ok, "differing": parity.differing, "max_gap": parity.max_gap,
            "peak_bytes": peak, "rows": len(frame), "width": width, "features": len(contract.features)}


def measure_each(cases: list) -> None:
    """The measurements of every case, as JSON on stdout (see `measured`)."""
    with threadpool_limits(1):  # tracemalloc would also serialise the allocations of boosting's threads
        print(json.dumps([measure(*case) for case in cases]))


@pytest.fixture(scope="module")
def measured() -> dict:
    """Each case measured in a process of its own: tracemalloc counts every thread's allocations, and a test session
    may run others (the local cloud's executions and clock)."""
    code = "import json, sys; from tests.unit.test_encodings import measure_each; measure_each(json.loads(sys.argv[1]))"
    path = [str(ROOT / "layers" / "core"), str(ROOT / "layers" / "candidates"), str(ROOT)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(CASES)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=1800, check=True)
    return dict(zip(CASES, json.loads(done.stdout.splitlines()[-1]), strict=True))


@pytest.mark.parametrize("case", CASES, ids=["-".join(map(str, case)) for case in CASES])
def test_every_candidate_fits_a_category_column_of_any_cardinality_and_exports_within_parity(measured, case):
    task, name, cardinality = case
    report = measured[case]

    assert report["error"] is None, report["error"]
    assert report["parity_ok"], report
    assert report["peak_bytes"] <= PEAK_BYTES_PER_ROW * report["rows"]
    assert report["width"] <= (2 + MAX_ONE_HOT_COLUMNS if name in LINEAR else report["features"])


def test_a_multiclass_target_gives_trees_grouped_codes_that_export_within_parity():
    contract, frame = dataset({"product": 5000}, "regression", rows=SMALL)
    doc = contract.to_dict()
    doc.update(task="classification", target="size", metric="f1_macro")
    doc["columns"].pop("refund")
    doc["columns"]["size"] = {"type": "category", "categories": ["small", "medium", "large"]}
    multiclass = Contract.from_dict(doc)
    frame = frame.assign(size=np.select([frame.refund < -10, frame.refund < 10], ["small", "medium"], "large"))

    for name in DEFAULTS["classification"]:
        fitted = fit_candidate(name, frame.drop(columns="refund"), multiclass)
        assert holdout_parity(fitted, multiclass, frame, export_onnx(fitted.pipeline, multiclass)).ok, name


def test_two_category_columns_one_with_missing_values_export_within_parity():
    contract, _ = dataset({"region": 50, "product": 5000}, rows=SMALL)
    doc = contract.to_dict()
    doc["columns"]["region"]["nullable"] = True
    nullable = Contract.from_dict(doc)
    frame = model_frame(orders(SMALL, 1).assign(region=lambda f: f.region.mask(f.index % 7 == 0)), nullable)

    for name in DEFAULTS["classification"]:
        fitted = fit_candidate(name, frame, nullable)
        assert holdout_parity(fitted, nullable, frame, export_onnx(fitted.pipeline, nullable)).ok, name


@pytest.mark.parametrize("name", DEFAULTS["classification"])
def test_a_category_the_training_rows_lack_and_a_value_outside_the_contract_are_scored_as_scikit_learn_does(name):
    contract, frame = dataset({"product": 50})
    unseen, outside = order_values("product", 50)[-1], "a product added after this model was trained"
    assert unseen not in set(frame["product"])
    fitted = fit_candidate(name, frame, contract)
    rows = frame.head(20).assign(product=[unseen] * 10 + [outside] * 10)

    onnx = OnnxModel.load(export_onnx(fitted.pipeline, contract)).predict(rows)

    assert compare(sklearn_prediction(fitted.pipeline, rows[contract.features], contract), onnx).differing == 0
