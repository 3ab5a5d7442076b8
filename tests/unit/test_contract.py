import pytest
from mlops_core.contract import Contract
from mlops_core.errors import ContractError

from mlops_cli.samples import CHURN_CONTRACT


def with_changes(**changes) -> dict:
    return {**CHURN_CONTRACT, **changes}


def test_a_valid_contract_round_trips_through_its_document():
    contract = Contract.from_dict(CHURN_CONTRACT)

    assert Contract.from_dict(contract.to_dict()) == contract


def test_the_hash_changes_when_a_rule_changes():
    a = Contract.from_dict(CHURN_CONTRACT)
    b = Contract.from_dict(with_changes(min_rows=500))

    assert a.sha256 != b.sha256


def test_features_are_the_columns_other_than_the_target():
    contract = Contract.from_dict(CHURN_CONTRACT)

    assert "churned" not in contract.features
    assert len(contract.features) == len(CHURN_CONTRACT["columns"]) - 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"model": "Has Spaces"}, "model"),
    ({"task": "clustering"}, "task"),
    ({"target": "nope"}, "target"),
    ({"metric": "rmse"}, "metric"),
    ({"holdout_fraction": 0.9}, "holdout_fraction"),
    ({"min_rows": 5}, "min_rows"),
    ({"max_rows": 10}, "max_rows"),
    ({"columns": {"churned": {"type": "category", "categories": ["a", "b"]}}}, "columns"),
    ({"columns": {**CHURN_CONTRACT["columns"], "age": {"type": "text"}}}, "columns.age.type"),
    ({"columns": {**CHURN_CONTRACT["columns"], "plan": {"type": "category"}}}, "columns.plan.categories"),
    ({"columns": {**CHURN_CONTRACT["columns"], "age": {"type": "number", "min": 5, "max": 1}}}, "columns.age"),
    ({"columns": {**CHURN_CONTRACT["columns"], "churned": {"type": "number"}}}, "columns.churned"),
    ({"candidates": [{"params": {}}]}, "candidates[0]"),
    ({"columns": {**CHURN_CONTRACT["columns"], "signup": {"type": "date", "min": 0}}}, "columns.signup.min"),
    ({"columns": {**CHURN_CONTRACT["columns"], "signup": {"type": "date", "categories": ["2024-01-01"]}}},
     "columns.signup.categories"),
    ({"columns": {**CHURN_CONTRACT["columns"], "churned": {"type": "date"}}}, "columns.churned"),
    ({"task": "regression", "metric": "rmse", "target": "signup",
      "columns": {**CHURN_CONTRACT["columns"], "signup": {"type": "date"}}}, "columns.signup"),
])
def test_a_malformed_contract_is_refused_naming_the_field(changes, field):
    with pytest.raises(ContractError, match=f"^{field.replace('[', '.').replace(']', '.')}"):
        Contract.from_dict(with_changes(**changes))


def test_a_date_column_is_a_feature_that_is_not_numeric_and_round_trips():
    contract = Contract.from_dict(with_changes(
        columns={**CHURN_CONTRACT["columns"], "signup": {"type": "date", "nullable": True}}))

    signup = contract.columns["signup"]
    assert (signup.type, signup.nullable, signup.numeric) == ("date", True, False)
    assert "signup" in contract.features
    assert contract.to_dict()["columns"]["signup"] == {"type": "date", "nullable": True}
    assert Contract.from_dict(contract.to_dict()) == contract


def test_a_contract_that_is_not_json_is_refused():
    with pytest.raises(ContractError, match="not valid JSON"):
        Contract.from_json(b"{nope")
