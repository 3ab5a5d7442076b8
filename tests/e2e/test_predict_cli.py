"""`mlops predict` on the files users have: more rows than one request takes, Parquet, a labelled file, odd column
names, and the rows written back with their predictions (Excel's CSV: test_excel_csv.py)."""

import json

import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, f1_score, log_loss, roc_auc_score

from mlops_cli.samples import churn
from tests.e2e.conftest import mlops

pytestmark = pytest.mark.e2e


def features(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="churned")


def answer_of(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_file_of_more_rows_than_one_request_takes_is_scored_in_batches_with_progress(served, tmp_path):
    _, model, _ = served
    rows = features(churn(2500, seed=40))
    rows.to_csv(tmp_path / "many.csv", index=False)
    rows.tail(3).to_csv(tmp_path / "last.csv", index=False)

    result = mlops("predict", model, "--file", str(tmp_path / "many.csv"))
    last = answer_of(mlops("predict", model, "--csv", str(tmp_path / "last.csv")))

    answer = answer_of(result)
    assert len(answer["predictions"]) == 2500 and answer["predictions"][-3:] == last["predictions"]
    assert [(r["first_row"], r["rows"], r["version"]) for r in answer["requests"]] == [
        (0, 1000, 2), (1000, 1000, 2), (2000, 500, 2)]
    assert "scored 1000/2500 rows" in result.stderr and "scored 2500/2500 rows" in result.stderr


def test_a_parquet_file_is_scored_like_the_same_rows_in_csv(served, tmp_path):
    _, model, _ = served
    rows = features(churn(50, seed=41))
    rows.to_csv(tmp_path / "rows.csv", index=False)
    rows.to_parquet(tmp_path / "rows.parquet", engine="fastparquet", index=False)

    from_csv = answer_of(mlops("predict", model, "--file", str(tmp_path / "rows.csv")))
    from_parquet = answer_of(mlops("predict", model, "--file", str(tmp_path / "rows.parquet")))

    assert from_parquet["predictions"] == from_csv["predictions"] and len(from_csv["predictions"]) == 50


def test_a_labelled_file_is_scored_without_its_target_and_the_predictions_measured_against_it(served, tmp_path):
    _, model, _ = served
    frame = churn(1500, seed=42)
    frame.to_csv(tmp_path / "labelled.csv", index=False)

    result = mlops("predict", model, "--file", str(tmp_path / "labelled.csv"))

    answer = answer_of(result)
    labels = [p["label"] for p in answer["predictions"]]
    probabilities = [[p["probabilities"]["no"], p["probabilities"]["yes"]] for p in answer["predictions"]]
    metrics = answer["metrics"]
    assert (metrics["target"], metrics["rows"], metrics["unlabelled"]) == ("churned", 1500, 0)
    assert metrics["values"] == pytest.approx({
        "accuracy": accuracy_score(frame["churned"], labels),
        "f1_macro": f1_score(frame["churned"], labels, average="macro"),
        "roc_auc": roc_auc_score(frame["churned"] == "yes", [p[1] for p in probabilities]),
        "log_loss": log_loss(frame["churned"], probabilities, labels=["no", "yes"])}, abs=1e-4)
    assert "against churned, 1500 labelled rows: accuracy" in result.stderr


def test_output_writes_the_input_rows_with_their_predictions_as_csv(served, tmp_path):
    _, model, _ = served
    churn(1200, seed=43).to_csv(tmp_path / "in.csv", index=False)
    written = tmp_path / "scored.csv"

    result = mlops("predict", model, "--file", str(tmp_path / "in.csv"), "-o", str(written))

    summary = answer_of(result)
    original = pd.read_csv(tmp_path / "in.csv", dtype=str, keep_default_na=False)
    scored = pd.read_csv(written, dtype=str, keep_default_na=False)
    assert list(scored.columns) == [*original.columns, "prediction", "probability_no", "probability_yes",
                                    "request_id", "request_row"]
    assert scored[original.columns].equals(original)
    assert set(scored["prediction"]) <= {"no", "yes"} and scored["probability_yes"].astype(float).between(0, 1).all()
    assert list(scored["request_id"].unique()) == [r["request_id"] for r in summary["requests"]]
    assert scored["request_row"].astype(int).tolist() == list(range(1000)) + list(range(200))
    assert "predictions" not in summary and summary["metrics"]["rows"] == 1200


@pytest.mark.parametrize("invisible", ["\u00a0", "\u200b", "\ufeff"])
def test_a_column_name_that_does_not_print_is_shown_escaped_in_the_error(served, tmp_path, invisible):
    _, model, _ = served
    features(churn(5, seed=45)).rename(columns={"age": f"age{invisible}"}).to_csv(tmp_path / "odd.csv", index=False)

    result = mlops("predict", model, "--file", str(tmp_path / "odd.csv"))

    escaped = invisible.encode("unicode_escape").decode()
    assert result.returncode == 2 and f"records[0].age{escaped}: not a feature" in result.stderr, result.stderr
