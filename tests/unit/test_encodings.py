"""Category columns of any cardinality: every candidate family fits, stays within memory, and exports within parity."""

import tracemalloc

import numpy as np
import pytest
from mlops_core.contract import Contract
from mlops_core.data.tabular import model_frame
from mlops_core.serving.onnx_model import OnnxModel
from mlops_core.training.candidates import DEFAULT_CANDIDATES, LINEAR
from mlops_core.training.encodings import MAX_ONE_HOT_COLUMNS
from mlops_core.training.fitting import fit_candidate, sklearn_prediction
from mlops_core.training.onnx_export import export_onnx
from mlops_core.training.parity import compare
from mlops_core.training.splits import split_rows
from threadpoolctl import threadpool_limits

from mlops_cli.samples import order_values, orders, orders_contract

ROWS = 4000
SMALL = 2500
CARDINALITIES = (3, 50, 5000)
# Traced allocations per dataset row while fitting and exporting. A dense one-hot of a 5,000-value column over the
# fitting rows alone would take 5,000 x 8 bytes x 0.64 = 25.6 KB per row.
PEAK_BYTES_PER_ROW = 2048
CASES = [(task, spec, cardinality) for task in ("classification", "regression")
         for spec in DEFAULT_CANDIDATES[task] for cardinality in CARDINALITIES]


@pytest.fixture(autouse=True)
def one_thread():
    """Boosting's OpenMP threads only spin on shared cores, and tracemalloc serialises their allocations anyway."""
    with threadpool_limits(1):
        yield


def dataset(categories: dict[str, int], task: str = "classification", rows: int = ROWS, seed: int = 1):
    contract = Contract.from_dict(orders_contract("orders", categories, task))
    return contract, model_frame(orders(rows, seed, categories, task), contract)


def holdout_parity(fitted, contract, frame, body: bytes):
    holdout = frame.iloc[split_rows(len(frame), contract).holdout]
    reference = sklearn_prediction(fitted.pipeline, holdout[contract.features], contract)
    return compare(reference, OnnxModel.load(body).predict(holdout))


def estimator_input_width(fitted, frame, contract) -> int:
    return fitted.pipeline[:-1].transform(frame[contract.features].head(5)).shape[1]


@pytest.mark.parametrize(("task", "spec", "cardinality"), CASES,
                         ids=[f"{task}-{spec.name}-{cardinality}" for task, spec, cardinality in CASES])
def test_every_candidate_fits_a_category_column_of_any_cardinality_and_exports_within_parity(task, spec, cardinality):
    contract, frame = dataset({"product": cardinality}, task)

    tracemalloc.start()
    try:
        fitted = fit_candidate(spec, frame, contract)
        body = export_onnx(fitted.pipeline, contract)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert holdout_parity(fitted, contract, frame, body).ok
    assert peak <= PEAK_BYTES_PER_ROW * len(frame)
    width = estimator_input_width(fitted, frame, contract)
    assert width <= (2 + MAX_ONE_HOT_COLUMNS if spec.estimator in LINEAR else len(contract.features))


def test_a_multiclass_target_gives_trees_grouped_codes_that_export_within_parity():
    contract, frame = dataset({"product": 5000}, "regression", rows=SMALL)
    doc = contract.to_dict()
    doc.update(task="classification", target="size", metric="f1_macro")
    doc["columns"].pop("refund")
    doc["columns"]["size"] = {"type": "category", "categories": ["small", "medium", "large"]}
    multiclass = Contract.from_dict(doc)
    frame = frame.assign(size=np.select([frame.refund < -10, frame.refund < 10], ["small", "medium"], "large"))

    for spec in DEFAULT_CANDIDATES["classification"]:
        fitted = fit_candidate(spec, frame.drop(columns="refund"), multiclass)
        assert holdout_parity(fitted, multiclass, frame, export_onnx(fitted.pipeline, multiclass)).ok, spec.name


def test_two_category_columns_one_with_missing_values_export_within_parity():
    contract, _ = dataset({"region": 50, "product": 5000}, rows=SMALL)
    doc = contract.to_dict()
    doc["columns"]["region"]["nullable"] = True
    nullable = Contract.from_dict(doc)
    frame = model_frame(orders(SMALL, 1).assign(region=lambda f: f.region.mask(f.index % 7 == 0)), nullable)

    for spec in DEFAULT_CANDIDATES["classification"]:
        fitted = fit_candidate(spec, frame, nullable)
        assert holdout_parity(fitted, nullable, frame, export_onnx(fitted.pipeline, nullable)).ok, spec.name


@pytest.mark.parametrize("spec", DEFAULT_CANDIDATES["classification"], ids=lambda s: s.name)
def test_a_category_the_training_rows_lack_and_a_value_outside_the_contract_are_scored_as_scikit_learn_does(spec):
    contract, frame = dataset({"product": 50})
    unseen, outside = order_values("product", 50)[-1], "a product added after this model was trained"
    assert unseen not in set(frame["product"])
    fitted = fit_candidate(spec, frame, contract)
    rows = frame.head(20).assign(product=[unseen] * 10 + [outside] * 10)

    onnx = OnnxModel.load(export_onnx(fitted.pipeline, contract)).predict(rows)

    assert compare(sklearn_prediction(fitted.pipeline, rows[contract.features], contract), onnx).differing == 0
