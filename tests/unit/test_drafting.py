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
