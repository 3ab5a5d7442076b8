import numpy as np
import pandas as pd
import pytest
from mlops_core.contract import Contract
from mlops_core.data.validation import validate

from mlops_cli.samples import CHURN_CONTRACT, churn
from tests import corpus
from tests.corpus import MALFORMED, after_good_rows

CONTRACT = Contract.from_dict(CHURN_CONTRACT)


def write(tmp_path, text: str | bytes, name: str = "data.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def rules(report) -> set[tuple[str, str | None]]:
    return {(v.rule, v.column) for v in report.violations}


def test_a_dataset_that_satisfies_the_contract_passes_with_a_profile(tmp_path):
    report, profile = validate(write(tmp_path, corpus.good_csv()), "csv", CONTRACT)

    assert report.passed, report.render()
    assert report.rows == 300
    assert profile["rows"] == 300


def test_validation_reads_in_chunks_and_counts_every_row(tmp_path):
    report, _ = validate(write(tmp_path, corpus.good_csv(1000)), "csv", CONTRACT, chunk_rows=128)

    assert report.passed and report.rows == 1000


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_dataset_fails_with_the_rule_and_column_named(tmp_path, case):
    content, expected = MALFORMED[case]

    report, profile = validate(write(tmp_path, content), "csv", CONTRACT)

    assert not report.passed
    assert expected <= rules(report), report.render()
    assert profile is None


def test_the_report_shows_row_numbers_and_values_of_examples(tmp_path):
    report, _ = validate(write(tmp_path, after_good_rows("-3,70,1,monthly,card,40,yes")), "csv", CONTRACT)

    [violation] = [v for v in report.violations if v.rule == "range"]
    assert violation.rows == 1
    assert violation.examples == [{"row": 121, "value": "-3"}]
    assert "row 121: '-3'" in report.render()


def test_more_rows_than_the_maximum_fail(tmp_path):
    contract = Contract.from_dict({**CHURN_CONTRACT, "max_rows": 250})

    report, _ = validate(write(tmp_path, corpus.good_csv(300)), "csv", contract)

    assert ("max_rows", None) in rules(report)


def test_a_nullable_column_accepts_missing_values(tmp_path):
    frame = churn(300, 1)
    frame.loc[:50, "age"] = np.nan

    report, _ = validate(write(tmp_path, frame.to_csv(index=False)), "csv", CONTRACT)

    assert report.passed, report.render()


def test_parquet_is_validated_like_csv(tmp_path):
    path = tmp_path / "data.parquet"
    churn(300, 1).to_parquet(path, engine="fastparquet")

    report, profile = validate(path, "parquet", CONTRACT)

    assert report.passed, report.render()
    assert profile["rows"] == 300


def test_parquet_with_text_in_a_number_column_fails(tmp_path):
    path = tmp_path / "data.parquet"
    churn(300, 1).astype({"monthly_charges": str}).assign(monthly_charges="x").to_parquet(path, engine="fastparquet")

    report, _ = validate(path, "parquet", CONTRACT)

    assert ("type", "monthly_charges") in rules(report)


def test_a_file_that_is_not_parquet_fails_as_unreadable(tmp_path):
    report, _ = validate(write(tmp_path, corpus.good_csv(), "data.parquet"), "parquet", CONTRACT)

    assert rules(report) == {("readable", None)}


def test_the_profile_matches_pandas_on_the_same_data(tmp_path):
    frame = churn(3000, 5)

    _, profile = validate(write(tmp_path, frame.to_csv(index=False)), "csv", CONTRACT, chunk_rows=700)

    charges = profile["columns"]["monthly_charges"]
    assert charges["count"] == 3000
    assert charges["mean"] == pytest.approx(frame.monthly_charges.mean())
    assert charges["std"] == pytest.approx(frame.monthly_charges.std(ddof=0))
    assert charges["min"] == frame.monthly_charges.min() and charges["max"] == frame.monthly_charges.max()
    assert profile["columns"]["age"]["nulls"] == int(frame.age.isna().sum())
    assert profile["columns"]["contract_type"]["frequencies"] == frame.contract_type.value_counts().to_dict()
    assert sum(charges["shares"]) == pytest.approx(1.0)
    assert pd.Series(charges["edges"]).is_monotonic_increasing


def test_category_values_that_look_like_numbers_keep_their_text(tmp_path):
    contract = Contract.from_dict({"model": "codes", "task": "classification", "target": "label", "min_rows": 20,
                                   "columns": {"code": {"type": "category", "categories": ["007", "7", "1.0"]},
                                               "label": {"type": "category", "categories": ["0", "1"]}}})
    rows = "".join(f"{code},{i % 2}\n" for i, code in enumerate(["007", "7", "1.0"] * 10))
    path = write(tmp_path, "code,label\n" + rows)

    report, profile = validate(path, "csv", contract)

    assert report.passed, report.render()
    assert profile["columns"]["code"]["frequencies"] == {"007": 10, "1.0": 10, "7": 10}


def test_a_csv_with_a_byte_order_mark_passes_like_the_same_file_without_it(tmp_path):
    report, profile = validate(write(tmp_path, "\ufeff" + corpus.good_csv()), "csv", CONTRACT)

    assert report.passed, report.render()
    assert profile["rows"] == 300


@pytest.mark.parametrize("invisible", ["\ufeff", "\u200b", "\xa0", "\t"])
def test_a_column_name_with_a_character_that_does_not_print_is_shown_escaped(tmp_path, invisible):
    text = corpus.good_csv().replace("age", f"age{invisible}", 1)

    report, _ = validate(write(tmp_path, text), "csv", CONTRACT)

    escaped = f"age{invisible.encode('unicode_escape').decode()}"
    assert ("no_extra_columns", f"age{invisible}") in rules(report)
    assert f"[{escaped}]" in report.render() and invisible not in report.render()
