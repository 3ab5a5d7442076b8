"""The feature transforms: what each computes, and that every one exports to ONNX within parity inside a real
candidate pipeline (numbers, a date string column and a category column), for a linear model and a tree model."""

import datetime
import functools

import numpy as np
import onnxruntime
import pandas as pd
import pytest
from mlops_core.contract import Contract
from mlops_core.data.tabular import model_frame
from mlops_core.serving.onnx_model import OnnxModel
from mlops_core.training import feature_converters
from mlops_core.training.encodings import for_trees, one_hot
from mlops_core.training.features import Clip, DateParts, Ratio, SignedLog
from mlops_core.training.fitting import sklearn_prediction
from mlops_core.training.onnx_export import export_onnx
from mlops_core.training.parity import compare
from mlops_core.training.serialization import dump_pipeline, load_pipeline
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import KBinsDiscretizer, PolynomialFeatures, StandardScaler

# Dates a request may carry that are not a real day in ISO form: each must become NaN, in Python and in ONNX.
BAD_DATES = ["", "garbage", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "1900-02-29", "2024-1-05",
             "05/03/2024", "2024-03-05x", "\u0662\u0660\u0662\u0664-03-05"]
GOOD_DATES = ["2024-02-29", "2000-02-29T12:00:00", "2024-03-05 10:11:12", "1970-01-01", "0001-01-01", "9999-12-31"]


def raw_rows(rows: int, seed: int) -> pd.DataFrame:
    """Long-tailed signed numbers with gaps, denominators that are often zero, dates (some bad), a category."""
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 40_000, rows)
    signup = [(datetime.date(1950, 1, 1) + datetime.timedelta(days=int(d))).isoformat() for d in days]
    signup = [f"{d}T{rng.integers(24):02d}:00:00" if i % 3 == 0 else d for i, d in enumerate(signup)]
    frame = pd.DataFrame({
        "income": rng.standard_t(2, rows) * 1000,
        "debt": np.where(rng.random(rows) < 0.2, 0.0, rng.normal(500, 300, rows)),
        "age": rng.uniform(18, 90, rows),
        "signup": signup,
        "plan": rng.choice(list("abcd"), rows),
    })
    edge = BAD_DATES + GOOD_DATES
    frame.loc[: len(edge) - 1, "signup"] = edge
    frame.loc[rng.random(rows) < 0.05, "income"] = np.nan
    frame.loc[rng.random(rows) < 0.05, "debt"] = np.nan
    frame.loc[rng.random(rows) < 0.05, "signup"] = None
    month = pd.to_datetime(frame.signup.str[:10], errors="coerce", format="%Y-%m-%d").dt.month.fillna(6)
    signal = (np.sign(frame.income.fillna(0)) * np.log1p(frame.income.abs().fillna(0)) / 3
              + (frame.debt.fillna(0) > 400) + (month > 6) + (frame.plan == "a") + rng.normal(0, 0.5, rows))
    frame["y"] = signal
    return frame


def contract_for(task: str) -> Contract:
    target = {"type": "category", "categories": ["no", "yes"]} if task == "classification" else {"type": "number"}
    return Contract.from_dict({"model": "features", "task": task, "target": "y", "min_rows": 50, "columns": {
        "income": {"type": "number", "nullable": True}, "debt": {"type": "number", "nullable": True},
        "age": {"type": "number"}, "signup": {"type": "date", "nullable": True},
        "plan": {"type": "category", "categories": list("abcd")}, "y": target}})


@functools.cache
def model_rows(task: str) -> tuple[pd.DataFrame, pd.DataFrame, Contract]:
    """Fitting rows and unseen scoring rows, typed as the pipeline sees them."""
    fitting, scoring = raw_rows(1500, seed=1), raw_rows(800, seed=2)
    if task == "classification":
        threshold = fitting.y.median()
        for frame in (fitting, scoring):
            frame["y"] = np.where(frame.y > threshold, "yes", "no")
    contract = contract_for(task)
    return model_frame(fitting, contract), model_frame(scoring, contract), contract


# Each transform under test, on the columns it suits; trees always see imputed values.
FEATURES = {
    "signed_log": (["income", "debt"], lambda: [("signed_log", SignedLog()), ("impute", SimpleImputer())]),
    "clip": (["income", "debt"], lambda: [("clip", Clip(0.05, 0.95)), ("impute", SimpleImputer())]),
    "ratio": (["income", "debt"], lambda: [("ratio", Ratio()), ("impute", SimpleImputer())]),
    "date_parts": (["signup"], lambda: [("dates", DateParts(parts=("weekday", "month"))),
                                        ("impute", SimpleImputer(strategy="most_frequent"))]),
    "bins": (["income", "age"], lambda: [("impute", SimpleImputer()), ("bins", KBinsDiscretizer(8, encode="ordinal"))]),
    "polynomial": (["debt", "age"], lambda: [("impute", SimpleImputer()), ("terms", PolynomialFeatures(2))]),
}
ESTIMATORS = {
    "logistic_regression": ("classification", True, lambda: LogisticRegression(max_iter=2000)),
    "random_forest": ("classification", False, lambda: RandomForestClassifier(30, max_depth=8, random_state=0)),
    "ridge": ("regression", True, lambda: Ridge()),
    "hist_gradient_boosting": ("regression", False, lambda: HistGradientBoostingRegressor(max_iter=50)),
}


def candidate(feature: str, estimator: str, contract: Contract) -> Pipeline:
    """Numbers imputed, dates as parts, the category encoded as the default candidates do, plus the feature."""
    columns, steps = FEATURES[feature]
    _, linear, model = ESTIMATORS[estimator]
    scaled = [("scale", StandardScaler())] if linear else []
    encode = one_hot if linear else for_trees
    preprocess = ColumnTransformer([
        ("numeric", Pipeline([("impute", SimpleImputer(strategy="median")), *scaled]), ["income", "debt", "age"]),
        ("dates", Pipeline([("parts", DateParts()), ("impute", SimpleImputer(strategy="most_frequent"))]),
         ["signup"]),
        ("plan", encode(["plan"], contract), ["plan"]),
        ("feature", Pipeline([*steps(), *scaled]), columns),
    ])
    return Pipeline([("preprocess", preprocess), ("model", model())])


CASES = [(feature, estimator) for feature in FEATURES for estimator in ESTIMATORS]


@pytest.mark.parametrize(("feature", "estimator"), CASES, ids=[f"{f}-{e}" for f, e in CASES])
def test_every_transform_exports_within_parity_in_a_candidate_pipeline(feature, estimator):
    fitting, scoring, contract = model_rows(ESTIMATORS[estimator][0])
    pipeline = candidate(feature, estimator, contract).fit(fitting[contract.features], fitting.y)

    model = OnnxModel.load(export_onnx(pipeline, contract))
    parity = compare(sklearn_prediction(pipeline, scoring[contract.features], contract), model.predict(scoring))

    assert parity.ok, parity


def transform_gaps(transform, X: pd.DataFrame) -> np.ndarray:
    """|ONNX - scikit-learn| of a fitted transform's own output, NaN where both are NaN, inf where only one is."""
    feature_converters.register()
    numeric = {name: pd.api.types.is_numeric_dtype(X[name]) for name in X.columns}
    inputs = [(name, FloatTensorType([None, 1]) if numeric[name] else StringTensorType([None, 1])) for name in X]
    session = onnxruntime.InferenceSession(to_onnx(transform, initial_types=inputs).SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    feed = {name: X[[name]].to_numpy(np.float32 if numeric[name] else object) for name in X.columns}
    got, expected = session.run(None, feed)[0], transform.transform(X)
    assert got.shape == expected.shape
    gaps = np.abs(got - expected) / np.maximum(1.0, np.abs(expected))
    return np.where(np.isnan(got) & np.isnan(expected), np.nan, np.where(np.isnan(got) ^ np.isnan(expected),
                                                                         np.inf, gaps))


@pytest.mark.parametrize("transform", [SignedLog(), Clip(), Clip(0.2, 0.5), Ratio(), Ratio(eps=10.0)],
                         ids=["signed_log", "clip", "clip-narrow", "ratio", "ratio-wide-eps"])
def test_the_onnx_graph_computes_what_the_transform_computes_value_for_value(transform):
    _, scoring, _ = model_rows("regression")
    X = scoring[["income", "debt"]]
    transform.fit(X)

    gaps = transform_gaps(transform, X)

    assert np.nanmax(gaps) < 1e-5 and not np.isinf(gaps).any()
    assert np.isnan(gaps).any()  # the NaN rows stayed NaN in both


def test_the_onnx_graph_reads_dates_as_the_transform_does():
    _, scoring, _ = model_rows("regression")
    X = scoring[["signup"]]
    transform = DateParts(parts=("year", "month", "day", "weekday")).fit(X)

    gaps = transform_gaps(transform, X)

    assert np.nanmax(gaps) == 0.0 and not np.isinf(gaps).any()
    assert np.isnan(gaps[: len(BAD_DATES)]).all()


def test_signed_log_is_odd_and_compresses_magnitudes():
    X = np.array([[-1000.0], [-1.0], [0.0], [1.0], [1000.0], [np.nan]])

    out = SignedLog().fit_transform(X)

    assert np.allclose(out[:5, 0], [-np.log(1001), -np.log(2), 0.0, np.log(2), np.log(1001)])
    assert np.isnan(out[5, 0])


def test_clip_learns_its_bounds_at_fit_and_applies_them_at_transform():
    clip = Clip(0.1, 0.9).fit(np.c_[np.arange(101.0), -np.arange(101.0)])

    out = clip.transform(np.array([[-50.0, -500.0], [50.0, 500.0], [np.nan, 0.0]]))

    assert np.allclose(clip.lower_, [10.0, -90.0]) and np.allclose(clip.upper_, [90.0, -10.0])
    assert np.allclose(out[:2], [[10.0, -90.0], [50.0, -10.0]])
    assert np.isnan(out[2, 0])


def test_ratio_is_nan_where_the_denominator_is_zero_or_missing():
    X = np.array([[6.0, 3.0], [-6.0, 3.0], [1.0, 0.0], [1.0, 1e-12], [1.0, np.nan], [np.nan, 2.0]])

    out = Ratio().fit_transform(X)

    assert np.allclose(out[:2, 0], [2.0, -2.0])
    assert np.isnan(out[2:, 0]).all()


def test_ratio_takes_exactly_two_columns():
    with pytest.raises(ValueError, match="exactly two"):
        Ratio().fit(np.ones((3, 3)))


def test_date_parts_match_the_calendar_across_four_centuries():
    rng = np.random.default_rng(0)
    days = [datetime.date(1800, 1, 1) + datetime.timedelta(days=int(d)) for d in rng.integers(0, 146_097, 5000)]
    X = np.array([[day.isoformat()] for day in days], dtype=object)

    out = DateParts().fit_transform(X)

    assert np.array_equal(out, [[day.year, day.month, day.day, day.weekday()] for day in days])


def test_date_parts_are_nan_for_missing_and_invalid_dates_and_ignore_the_time():
    X = np.array([[value] for value in [*BAD_DATES, None, np.nan, "2024-03-05T23:59:59+02:00"]], dtype=object)

    out = DateParts().fit_transform(X)

    assert np.isnan(out[:-1]).all()
    assert np.array_equal(out[-1], [2024, 3, 5, 1])


def test_date_parts_refuse_an_unknown_part():
    with pytest.raises(ValueError, match="parts"):
        DateParts(parts=("year", "quarter")).fit(np.array([["2024-01-01"]], dtype=object))


def test_output_names_say_what_each_column_is():
    frame = pd.DataFrame({"paid": [1.0, 2.0], "owed": [1.0, 0.0], "signup": ["2024-01-01", ""]})

    assert list(Ratio().fit(frame[["paid", "owed"]]).get_feature_names_out()) == ["paid_over_owed"]
    assert list(DateParts(("year", "weekday")).fit(frame[["signup"]]).get_feature_names_out()) == [
        "signup_year", "signup_weekday"]
    assert list(Clip().fit(frame[["paid", "owed"]]).get_feature_names_out()) == ["paid", "owed"]


def test_a_fitted_pipeline_of_every_transform_survives_the_allowlisted_round_trip():
    fitting, scoring, contract = model_rows("regression")
    preprocess = ColumnTransformer([(name, Pipeline(steps()), columns) for name, (columns, steps) in FEATURES.items()])
    pipeline = Pipeline([("preprocess", preprocess), ("model", Ridge())]).fit(fitting[contract.features], fitting.y)

    restored = load_pipeline(dump_pipeline(pipeline))

    X = scoring[contract.features]
    assert np.array_equal(restored.predict(X), pipeline.predict(X))
