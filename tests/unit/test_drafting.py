import pandas as pd
import pytest
from mlops_core.data.drafting import draft_contract
from sklearn.datasets import load_diabetes, load_wine


def test_a_drafted_contract_reads_types_categories_and_nulls_from_the_data():
    frame = pd.DataFrame({"n": [1.5, None, 3.0], "i": [1, 2, 3], "c": ["a", "b", "a"], "y": ["x", "y", "x"]})

    contract, _ = draft_contract(frame, "demo", "y")

    assert contract.task == "classification"
    assert contract.columns["n"].type == "number" and contract.columns["n"].nullable
    assert contract.columns["i"].type == "integer" and contract.columns["i"].min == 0
    assert contract.columns["c"].categories == ("a", "b")
    assert contract.columns["y"].categories == ("x", "y")


def test_integer_labels_make_a_classification_contract():
    frame = load_wine(as_frame=True).frame

    contract, _ = draft_contract(frame, "wine", "target")

    assert contract.task == "classification" and contract.columns["target"].categories == ("0", "1", "2")


def test_a_continuous_target_makes_a_regression_contract():
    contract, _ = draft_contract(load_diabetes(as_frame=True).frame, "diabetes", "target")

    assert contract.task == "regression" and contract.metric == "rmse"


def test_free_text_columns_are_left_out_and_noted():
    frame = pd.DataFrame({"note": [f"text {i}" for i in range(200)], "x": range(200), "y": [0, 1] * 100})

    contract, notes = draft_contract(frame, "demo", "y")

    assert "note" not in contract.columns and contract.allow_extra_columns
    assert notes and notes[0].startswith("note:")


def test_a_text_target_with_more_classes_than_a_contract_takes_is_refused_naming_the_count():
    from mlops_core.errors import ContractError

    frame = pd.DataFrame({"x": range(300), "label": [f"class {i % 73}" for i in range(300)]})

    with pytest.raises(ContractError, match="'label' has 73 distinct values"):
        draft_contract(frame, "demo", "label")


def test_a_text_column_of_iso_dates_is_drafted_as_a_date_and_one_invalid_date_keeps_it_text():
    frame = pd.DataFrame({"signup": ["2024-03-05", None, "2024-03-06T10:11:12Z"],
                          "renewal": ["2024-03-05", "2024-02-30", "2024-03-07"],
                          "stamp": pd.to_datetime(["2024-03-05 10:00", "2024-03-06 00:00", None]),
                          "y": ["x", "y", "x"]})

    contract, _ = draft_contract(frame, "demo", "y")

    assert contract.columns["signup"].type == "date" and contract.columns["signup"].nullable
    assert contract.columns["stamp"].type == "date"
    assert contract.columns["renewal"].type == "category"


def test_a_target_of_dates_stays_a_category_for_classification():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": ["2024-01-01", "2024-01-02"] * 2})

    contract, _ = draft_contract(frame, "demo", "y")

    assert contract.columns["y"].type == "category"
