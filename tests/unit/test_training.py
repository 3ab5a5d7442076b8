import numpy as np
import pandas as pd
import pytest
from mlops_candidates.registry import DEFAULTS as DEFAULT_NAMES
from mlops_candidates.registry import catalog
from mlops_core.contract import Contract
from mlops_core.data.tabular import model_frame
from mlops_core.errors import ArtifactIntegrityError, ContractError
from mlops_core.serving.onnx_model import OnnxModel
from mlops_core.training.features import Clip, DateParts, Ratio, SignedLog
from mlops_core.training.fitting import fit_trial, sklearn_prediction
from mlops_core.training.onnx_export import export_onnx
from mlops_core.training.parity import compare
from mlops_core.training.serialization import TRUSTED_TYPES, dump_pipeline, load_pipeline
from mlops_core.training.splits import PARITY_ROWS, split_rows
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline

from mlops_cli.samples import CHURN_CONTRACT, churn

CONTRACT = Contract.from_dict(CHURN_CONTRACT)
CATALOG = catalog()


def fit(name: str, frame: pd.DataFrame, contract: Contract, **params):
    return fit_trial(CATALOG.get(name).pipeline(params, contract), frame, contract)


@pytest.fixture(scope="module")
def frame():
    return model_frame(churn(1500, seed=3), CONTRACT)


def test_the_split_is_deterministic_and_disjoint():
    a, b = split_rows(1000, CONTRACT), split_rows(1000, CONTRACT)

    pairs = zip((a.fit, a.validation, a.holdout), (b.fit, b.validation, b.holdout), strict=True)
    assert all(np.array_equal(x, y) for x, y in pairs)
    assert len(set(a.fit) | set(a.validation) | set(a.holdout)) == 1000
    assert len(a.holdout) == 200


def test_the_parity_rows_are_the_whole_holdout_of_a_small_dataset():
    split = split_rows(1000, CONTRACT)

    assert np.array_equal(split.parity, split.holdout)


def test_the_parity_rows_of_a_large_dataset_are_a_bounded_sample_spread_over_the_holdout():
    split = split_rows(200_000, CONTRACT)

    assert len(split.parity) == PARITY_ROWS < len(split.holdout)
    assert np.isin(split.parity, split.holdout).all()
    assert np.array_equal(split.parity, split_rows(200_000, CONTRACT).parity)
    assert split.parity.min() < 10_000 and split.parity.max() > 190_000  # not the first rows of the file


def test_a_contract_naming_no_candidates_gets_a_linear_model_a_forest_and_boosting():
    names = {trial.candidate for trial in CATALOG.trials(CONTRACT)}

    assert names == {"logistic_regression", "random_forest", "hist_gradient_boosting"}


def test_the_forest_is_bounded_in_size_over_its_whole_search_space():
    forest = CATALOG.get("random_forest")

    assert forest.space.dimensions["max_depth"].high <= 16 and forest.space.dimensions["n_estimators"].high <= 150
    assert forest.defaults["max_depth"] <= 12 and forest.defaults["n_estimators"] <= 100


def test_an_unknown_candidate_parameter_is_refused_naming_it():
    contract = Contract.from_dict({**CHURN_CONTRACT, "candidates": [
        {"name": "lr", "estimator": "logistic_regression", "params": {"depth": 3}}]})

    with pytest.raises(ContractError, match="depth"):
        CATALOG.trials(contract)


def test_fitting_twice_gives_the_same_score(frame):
    params = {"n_estimators": 10, "max_depth": 5}

    first, second = (fit("random_forest", frame, CONTRACT, **params) for _ in range(2))

    assert first.score == second.score


@pytest.mark.parametrize("name", DEFAULT_NAMES["classification"])
def test_the_onnx_export_reproduces_scikit_learn_on_unseen_rows(frame, name):
    fitted = fit(name, frame, CONTRACT)
    holdout = frame.iloc[split_rows(len(frame), CONTRACT).holdout]

    onnx = OnnxModel.load(export_onnx(fitted.pipeline, CONTRACT))
    parity = compare(sklearn_prediction(fitted.pipeline, holdout[CONTRACT.features], CONTRACT), onnx.predict(holdout))

    assert parity.ok, parity
    assert parity.label_mismatches <= 0.01 * parity.rows


def test_a_regression_model_exports_with_parity():
    from sklearn.datasets import load_diabetes

    data = load_diabetes(as_frame=True).frame
    contract = Contract.from_dict({"model": "diabetes", "task": "regression", "target": "target", "min_rows": 50,
                                   "columns": {c: {"type": "number"} for c in data.columns}})
    fitted = fit("ridge", data, contract)

    onnx = OnnxModel.load(export_onnx(fitted.pipeline, contract))

    assert compare(sklearn_prediction(fitted.pipeline, data[contract.features], contract), onnx.predict(data)).ok


def test_a_fitted_candidate_survives_the_skops_round_trip(frame):
    fitted = fit("logistic_regression", frame, CONTRACT)

    restored = load_pipeline(dump_pipeline(fitted.pipeline))

    assert np.array_equal(restored.predict(frame[CONTRACT.features]), fitted.pipeline.predict(frame[CONTRACT.features]))


def test_a_candidate_holding_a_foreign_type_is_refused_before_loading():
    import functools

    import skops.io

    body = skops.io.dumps({"f": functools.partial(print)})

    with pytest.raises(ArtifactIntegrityError, match="allowlist"):
        load_pipeline(body)


def mixed_frame(task: str, rows: int = 1200) -> tuple[pd.DataFrame, Contract]:
    """Numbers, numbers with gaps and a category: what a candidate's preprocessing holds once fitted."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"x": rng.normal(size=rows), "gap": np.where(rng.random(rows) < 0.1, np.nan, 1.0),
                          "plan": rng.choice(list("abcd"), rows)})
    signal = frame.x + (frame.plan == "a")
    frame["y"] = (signal > 0.5).map({True: "yes", False: "no"}) if task == "classification" else signal
    columns = {"x": {"type": "number"}, "gap": {"type": "number", "nullable": True},
               "plan": {"type": "category", "categories": list("abcd")},
               "y": {"type": "category", "categories": ["no", "yes"]} if task == "classification"
               else {"type": "number"}}
    contract = Contract.from_dict({"model": "mixed", "task": task, "target": "y", "min_rows": 50, "columns": columns})
    return model_frame(frame, contract), contract


DEFAULTS = [(task, name) for task, names in DEFAULT_NAMES.items() for name in names]


@pytest.mark.parametrize(("task", "name"), DEFAULTS, ids=[f"{task}-{name}" for task, name in DEFAULTS])
def test_every_default_candidate_survives_the_allowlisted_round_trip(task, name):
    frame, contract = mixed_frame(task)
    fitted = fit(name, frame, contract)

    restored = load_pipeline(dump_pipeline(fitted.pipeline))

    X = frame[contract.features]
    assert np.array_equal(restored.predict(X), fitted.pipeline.predict(X))


def test_the_allowlist_is_exactly_the_types_the_default_candidates_and_the_feature_transforms_hold():
    import skops.io

    held = set()
    for task, name in DEFAULTS:
        frame, contract = mixed_frame(task)
        held |= set(skops.io.get_untrusted_types(data=dump_pipeline(fit(name, frame, contract).pipeline)))
    frame, _ = mixed_frame("regression")
    frame["day"] = "2024-03-05"
    every_transform = ColumnTransformer([("log", SignedLog(), ["x"]), ("clip", Clip(), ["x"]),
                                         ("ratio", Ratio(), ["x", "gap"]), ("dates", DateParts(), ["day"])])
    features = Pipeline([("features", every_transform), ("impute", SimpleImputer()), ("model", Ridge())])
    held |= set(skops.io.get_untrusted_types(data=dump_pipeline(features.fit(frame[["x", "gap", "day"]], frame.y))))

    assert held == TRUSTED_TYPES


@pytest.mark.parametrize("foreign", [lambda: np.poly1d([1, 2]), lambda: np.polynomial.Polynomial([1, 2]),
                                     lambda: __import__("scipy.stats").stats.norm(0, 1)],
                         ids=["numpy.poly1d", "numpy.polynomial", "scipy.stats"])
def test_a_numpy_or_scipy_type_no_candidate_holds_is_refused(frame, foreign):
    import skops.io

    fitted = fit("logistic_regression", frame, CONTRACT)
    body = skops.io.dumps({"pipeline": fitted.pipeline, "extra": foreign()})

    with pytest.raises(ArtifactIntegrityError, match="allowlist"):
        load_pipeline(body)


def test_a_broken_export_fails_parity(frame):
    fitted = fit("logistic_regression", frame, CONTRACT)
    holdout = frame.iloc[split_rows(len(frame), CONTRACT).holdout]
    reference = sklearn_prediction(fitted.pipeline, holdout[CONTRACT.features], CONTRACT)
    shuffled = holdout.assign(tenure_months=holdout.monthly_charges.to_numpy(),
                              monthly_charges=holdout.tenure_months.to_numpy())

    parity = compare(reference, OnnxModel.load(export_onnx(fitted.pipeline, CONTRACT)).predict(shuffled))

    assert not parity.ok


def test_a_column_name_that_is_not_a_valid_onnx_input_name_still_scores():
    from sklearn.datasets import load_wine

    data = load_wine(as_frame=True).frame.astype({"target": str})
    contract = Contract.from_dict({"model": "wine", "task": "classification", "target": "target", "min_rows": 50,
                                   "columns": {**{c: {"type": "number"} for c in data.columns if c != "target"},
                                               "target": {"type": "category", "categories": ["0", "1", "2"]}}})
    fitted = fit("logistic_regression", data, contract)

    onnx = OnnxModel.load(export_onnx(fitted.pipeline, contract))

    assert "od280/od315_of_diluted_wines" in contract.features
    assert compare(sklearn_prediction(fitted.pipeline, data[contract.features], contract), onnx.predict(data)).ok
