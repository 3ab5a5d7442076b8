"""A regression model's run and its report: predicted against actual, residuals, importance, lowest error first."""

import pytest
from mlops_core.aws.objects import S3Object
from mlops_core.contract import Contract

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, churn
from tests.e2e.conftest import run_report

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def regression_run(cloud, tmp_path_factory):
    from mlops_cli.stack import Stack

    stack, model = Stack.find(cloud.stack_name), "tenure"
    operations.put_contract(stack, Contract.from_dict({
        **CHURN_CONTRACT, "model": model, "task": "regression", "target": "tenure_months", "metric": "rmse",
        "metric_floor": None, "intended_use": "Estimate tenure for capacity planning.", "risk_rating": "Low"}))
    path = tmp_path_factory.mktemp("regression") / "tenure.csv"
    churn(1500, seed=5).to_csv(path, index=False)
    trigger = operations.upload(stack, path, model)
    return stack, operations.wait_for_run(stack, model, trigger.run_id, timeout=300)


def test_a_regression_runs_report_plots_predicted_against_actual_and_residuals(regression_run):
    stack, run = regression_run

    report, text, _ = run_report(stack, run)

    assert run["status"] == "SUCCEEDED", run.get("message")
    figures = {figure["id"]: figure for figure in report["figures"]}
    assert {"predicted_vs_actual", "residuals", "importance", "comparison"} <= set(figures)
    assert not {"roc", "pr", "confusion", "calibration"} & set(figures)
    points = figures["predicted_vs_actual"]["data"]
    assert len(points["actual"]) == len(points["predicted"]) == run["steps"]["evaluate"]["holdout_rows"]
    assert "Predicted against actual" in text


def test_a_regression_leaderboard_puts_the_lowest_error_first(regression_run):
    stack, run = regression_run

    report, _, _ = run_report(stack, run)

    scores = [row["score"] for row in report["leaderboard"] if row["score"] is not None]
    assert len(scores) >= 2 and scores == sorted(scores)


def test_a_regression_model_card_carries_the_contracts_intended_use_and_risk(regression_run):
    stack, run = regression_run

    card = stack.store.get_json(S3Object.parse(run["steps"]["report"]["model_card_uri"]))

    assert card["intended_uses"] == {"intended_uses": "Estimate tenure for capacity planning.", "risk_rating": "Low"}
    assert card["model_overview"]["problem_type"] == "regression"
