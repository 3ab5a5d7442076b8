"""A contract's date column end to end: validated, read as text, profiled by its range, skipped by drift, turned into
year, month, day and weekday by the built-in candidates, exported to ONNX within parity, and served as a string."""

import datetime
import functools
import re

import numpy as np
import pandas as pd
import pytest
from mlops_candidates.registry import catalog
from mlops_core.contract import MISSING_CATEGORY, Contract
from mlops_core.data.tabular import load_frame, model_frame
from mlops_core.data.validation import validate
from mlops_core.errors import InvalidRequestError
from mlops_core.monitoring.drift import drift_report, minimum_sample
from mlops_core.serving.onnx_model import OnnxModel
from mlops_core.serving.request_schema import RequestSchema
from mlops_core.training.features import DateParts
from mlops_core.training.fitting import fit_trial, sklearn_prediction
from mlops_core.training.onnx_export import export_onnx
from mlops_core.training.parity import compare
from mlops_core.training.preprocessing import category_columns, date_columns, numeric_columns, tabular_features
from mlops_core.training.splits import split_rows

from mlops_cli.tables import read_table

# What a date column may hold that is not a date: each becomes NaN in DateParts, in Python and in ONNX alike.
BAD_DATES = ["garbage", "2023-02-29", "2024-13-01", "2024-04-31", "2024-1-05", "05/03/2024", "2024-03-05x"]


def contract(task: str = "classification", nullable: bool = True) -> Contract:
    target = {"type": "category", "categories": ["no", "yes"]} if task == "classification" else {"type": "number"}
    return Contract.from_dict({"model": "dates", "task": task, "target": "y", "min_rows": 50, "columns": {
        "amount": {"type": "number"}, "signup": {"type": "date", "nullable": nullable},
        "plan": {"type": "category", "categories": ["a", "b"]}, "y": target}})


def rows(count: int, seed: int, task: str = "classification", bad: bool = True) -> pd.DataFrame:
    """Dates over 30 years (a third with a time), some missing and, when `bad`, some invalid; the target depends on
    the month and weekday, so a model that reads the dates scores better than one that does not."""
    rng = np.random.default_rng(seed)
    days = [datetime.date(1995, 1, 1) + datetime.timedelta(days=int(d)) for d in rng.integers(0, 11_000, count)]
    signup = [f"{d.isoformat()}T{rng.integers(24):02d}:30:00" if i % 3 == 0 else d.isoformat()
              for i, d in enumerate(days)]
    signal = (np.array([d.month > 6 for d in days], float) + np.array([d.weekday() >= 5 for d in days], float)
              + rng.normal(0, 0.4, count))
    frame = pd.DataFrame({"amount": rng.normal(0, 1, count), "signup": signup, "plan": rng.choice(["a", "b"], count)})
    frame.loc[rng.random(count) < 0.05, "signup"] = None
    if bad:
        frame.loc[: len(BAD_DATES) - 1, "signup"] = BAD_DATES
    frame["y"] = np.where(signal > 1.0, "yes", "no") if task == "classification" else signal
    return frame


def write_csv(tmp_path, frame: pd.DataFrame):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_date_column_that_holds_only_dates_passes_validation_and_is_profiled_by_its_range(tmp_path):
    frame = rows(300, seed=1, bad=False)

    report, profile = validate(write_csv(tmp_path, frame), "csv", contract())

    assert report.passed, report.render()
    days = frame.signup.dropna().str[:10]
    assert profile["columns"]["signup"] == {"kind": "date", "count": len(days), "nulls": int(frame.signup.isna().sum()),
                                            "first": days.min(), "last": days.max()}


def test_values_that_are_not_iso_dates_are_a_type_violation_with_their_rows(tmp_path):
    report, profile = validate(write_csv(tmp_path, rows(300, seed=1)), "csv", contract(), chunk_rows=4)

    [violation] = report.violations
    assert (violation.rule, violation.column, violation.rows) == ("type", "signup", len(BAD_DATES))
    assert violation.examples == [{"row": row + 1, "value": value} for row, value in enumerate(BAD_DATES[:5])]
    assert "not ISO dates" in violation.message
    assert profile is None


def test_a_missing_date_in_a_column_that_is_not_nullable_is_a_not_null_violation(tmp_path):
    report, _ = validate(write_csv(tmp_path, rows(300, seed=1, bad=False)), "csv", contract(nullable=False))

    assert {(v.rule, v.column) for v in report.violations} == {("not_null", "signup")}


def test_a_date_column_reaches_models_as_text_with_missing_dates_empty(tmp_path):
    frame = rows(300, seed=1)

    loaded = load_frame(write_csv(tmp_path, frame), "csv", contract())

    assert loaded.signup.map(type).eq(str).all()
    assert loaded.signup.tolist() == frame.signup.fillna(MISSING_CATEGORY).tolist()
    assert model_frame(frame, contract()).signup.tolist() == loaded.signup.tolist()


def test_a_parquet_timestamp_column_is_a_valid_date_column_read_as_its_text(tmp_path):
    path = tmp_path / "data.parquet"
    stamps = pd.to_datetime(["2024-03-05 10:00"] * 30 + ["2024-03-06 00:00"] * 30 + [None] * 5)
    pd.DataFrame({"signup": stamps, "y": np.arange(65.0)}).to_parquet(path, engine="fastparquet")
    dated = Contract.from_dict({"model": "stamps", "task": "regression", "target": "y", "min_rows": 50,
                                "columns": {"signup": {"type": "date", "nullable": True}, "y": {"type": "number"}}})

    report, profile = validate(path, "parquet", dated)

    assert report.passed, report.render()
    assert (profile["columns"]["signup"]["first"], profile["columns"]["signup"]["last"]) == ("2024-03-05", "2024-03-06")
    assert set(load_frame(path, "parquet", dated).signup) == {"2024-03-05 10:00:00", "2024-03-06 00:00:00", ""}


def test_drift_skips_a_date_column_and_compares_the_others(tmp_path):
    _, profile = validate(write_csv(tmp_path, rows(2000, seed=1, bad=False)), "csv", contract())
    live = rows(500, seed=2, bad=False)
    columns = {name: [None if pd.isna(v) else v for v in live[name]] for name in ("amount", "signup", "plan")}

    report = drift_report(profile, columns, threshold=0.25)

    assert [f.feature for f in report.features] == ["amount", "plan"]
    assert minimum_sample(profile, ["signup"], 0.25) == 0
    assert minimum_sample(profile, ["amount", "signup"], 0.25) == minimum_sample(profile, ["amount"], 0.25)


def test_dates_are_neither_numbers_nor_categories_to_the_preprocessing():
    dated = contract()

    assert (numeric_columns(dated), category_columns(dated), date_columns(dated)) == (["amount"], ["plan"], ["signup"])


@pytest.mark.parametrize("family", ["linear", "trees"])
def test_the_built_in_features_turn_each_date_into_its_imputed_parts(family):
    frame = model_frame(rows(300, seed=1), contract())

    features = tabular_features(contract(), family).fit(frame[contract().features], frame.y)

    [dates] = [step for name, step, columns in features.transformers_ if columns == ["signup"]]
    assert isinstance(dates.named_steps["parts"], DateParts)
    names = list(features.get_feature_names_out())
    assert [name for name in names if "signup" in name] == [f"dates__signup_{part}" for part in
                                                            ("year", "month", "day", "weekday")]
    assert not np.isnan(features.transform(frame[contract().features])).any()


@functools.cache
def trained(name: str, task: str):
    dated = contract(task)
    frame = model_frame(rows(1500, seed=3, task=task), dated)
    return fit_trial(catalog().get(name).pipeline({}, dated), frame, dated), frame, dated


CANDIDATES = [("random_forest", "classification"), ("logistic_regression", "classification"),
              ("hist_gradient_boosting", "regression"), ("ridge", "regression")]


@pytest.mark.parametrize(("name", "task"), CANDIDATES, ids=[name for name, _ in CANDIDATES])
def test_a_built_in_candidate_on_a_date_column_exports_to_onnx_within_parity(name, task):
    fitted, frame, dated = trained(name, task)
    holdout = frame.iloc[split_rows(len(frame), dated).holdout]
    unseen = model_frame(rows(600, seed=4, task=task), dated)

    model = OnnxModel.load(export_onnx(fitted.pipeline, dated))

    for scored in (holdout, unseen):
        parity = compare(sklearn_prediction(fitted.pipeline, scored[dated.features], dated), model.predict(scored))
        assert parity.ok, parity


def test_the_forest_learns_from_the_dates():
    fitted, frame, dated = trained("random_forest", "classification")
    undated = Contract.from_dict({**dated.to_dict(), "columns": {
        name: column.to_dict() for name, column in dated.columns.items() if name != "signup"}})
    blind = fit_trial(catalog().get("random_forest").pipeline({}, undated), frame.drop(columns="signup"), undated)

    assert fitted.score > blind.score + 0.1


def test_a_request_with_dates_scores_as_the_model_frame_does():
    fitted, _, dated = trained("random_forest", "classification")
    model = OnnxModel.load(export_onnx(fitted.pipeline, dated))
    schema = RequestSchema(dated, model.inputs)
    records = [{"amount": 0.5, "signup": "2024-07-06", "plan": "a"},
               {"amount": 0.5, "signup": "2024-07-06T23:59:59+02:00", "plan": "a"},
               {"amount": -1.0, "signup": None, "plan": "b"}]

    batch = schema.parse_predict({"records": records})

    assert batch.feed[model.inputs["signup"]].ravel().tolist() == ["2024-07-06", "2024-07-06T23:59:59+02:00",
                                                                   MISSING_CATEGORY]
    served = model.run(batch.feed)
    expected = sklearn_prediction(fitted.pipeline, model_frame(pd.DataFrame(records), dated), dated)
    assert compare(expected, served).ok
    assert batch.records == records


@pytest.mark.parametrize(("value", "message"), [
    ("2024-02-30", "not an ISO date"), ("05/03/2024", "not an ISO date"), ("2024-03-05\n", "not an ISO date"),
    (20240305, "expected a string date"), (["2024-03-05"], "expected a string date"),
])
def test_a_request_date_that_is_not_an_iso_date_is_refused_naming_the_field(value, message):
    schema = RequestSchema(contract(), {"amount": "amount", "signup": "signup", "plan": "plan"})

    with pytest.raises(InvalidRequestError, match=rf"^records\[1\]\.signup: .*{message}"):
        schema.parse_predict({"records": [{"amount": 1.0, "signup": "2024-03-05", "plan": "a"},
                                          {"amount": 1.0, "signup": value, "plan": "a"}]})


def test_a_null_date_is_refused_when_the_column_is_not_nullable():
    schema = RequestSchema(contract(nullable=False), {"amount": "amount", "signup": "signup", "plan": "plan"})

    with pytest.raises(InvalidRequestError, match=r"^records\[0\]\.signup: must not be null"):
        schema.parse_predict({"records": [{"amount": 1.0, "signup": None, "plan": "a"}]})


@pytest.mark.parametrize("nullable", [False, True])
def test_the_request_schema_describes_a_date_as_an_iso_string_the_cli_sends_as_text(tmp_path, nullable):
    schema = RequestSchema(contract(nullable=nullable), {"amount": "amount", "signup": "signup", "plan": "plan"})
    path = tmp_path / "score.csv"
    path.write_text("amount,signup,plan\n1.5,2024-03-05,a\n2,,b\n")

    signup = schema.json_schema()["properties"]["records"]["items"]["properties"]["signup"]
    records = read_table(path).records(schema.json_schema())

    signup = signup["anyOf"][0] if nullable else signup
    assert signup["type"] == "string"
    assert re.fullmatch(signup["pattern"].strip("^$"), "2024-03-05T10:11:12Z")
    assert all(re.fullmatch(signup["pattern"].strip("^$"), example) for example in signup["examples"])
    assert "format date" in signup["description"]
    assert records == [{"amount": 1.5, "signup": "2024-03-05", "plan": "a"},
                       {"amount": 2.0, "signup": None, "plan": "b"}]
