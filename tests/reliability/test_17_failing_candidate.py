"""Property 17: one failing trial does not fail the run. The run registers the best of the others and records the
failure with its error (the trial's record, the Select step's report, `mlops runs`, `mlops trials`); a failure outside
the handler (a killed invocation) is recorded the same way, by the state machine; only when every trial failed does the
run fail, with an error naming each and why."""

import pytest
from mlops_core.contract import Contract

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, churn
from tests.e2e.conftest import mlops
from tests.reliability.test_09_step_functions import function_name

pytestmark = pytest.mark.e2e

LINEAR = {"name": "linear", "candidate": "logistic_regression"}
FOREST = {"name": "forest", "candidate": "random_forest", "params": {"n_estimators": 20, "max_depth": 6}}
BOOSTING = {"name": "boosting", "candidate": "hist_gradient_boosting"}


@pytest.fixture
def failing(monkeypatch):
    """Make the named estimator families raise when fitted, as a candidate's own code may."""
    from mlops_core.pipeline.steps import train

    fit, families = train.fit_trial, set()

    def fit_or_raise(pipeline, frame, contract, sample_fraction=1.0):
        family = type(pipeline.steps[-1][1]).__name__
        if family in families:
            raise ValueError(f"{family} cannot fit this data")
        return fit(pipeline, frame, contract, sample_fraction)

    monkeypatch.setattr(train, "fit_trial", fit_or_raise)
    return families


def run_with(stack, tmp_path, model: str, candidates: list[dict]) -> dict:
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model, "candidates": candidates}))
    path = tmp_path / "customers.csv"
    churn(1000, seed=1).to_csv(path, index=False)
    trigger = operations.upload(stack, path, model)
    return operations.wait_for_run(stack, model, trigger.run_id, timeout=300)


def test_a_trial_failing_at_fit_is_recorded_and_the_run_registers_the_best_of_the_others(stack, tmp_path, failing,
                                                                                          model_name, figure):
    failing.add("HistGradientBoostingClassifier")

    run = run_with(stack, tmp_path, model_name, [LINEAR, BOOSTING, FOREST])

    assert run["status"] == "SUCCEEDED", run.get("message")
    assert run["version"] == 1 and stack.registry.get_version(model_name, 1)["candidate"] in {"linear", "forest"}
    [failed] = [t for t in stack.trials.list(model_name, run["run_id"]) if t["status"] == "FAILED"]
    assert (failed["label"], failed["error"]) == ("boosting", "ValueError")
    assert "cannot fit this data" in failed["message"]
    [reported] = run["steps"]["select:rung-0"]["failed"]
    assert (reported["label"], reported["error"]) == ("boosting", "ValueError")
    shown = mlops("runs", "--model", model_name)
    assert shown.returncode == 0 and "boosting" in shown.stdout and "ValueError" in shown.stdout
    figure(17, "1 of 3 trials failing at fit (ValueError): run SUCCEEDED, v1 registered from "
               f"{stack.registry.get_version(model_name, 1)['candidate']}; the failure on its trial record, in "
               "Select's report and in `mlops runs`")


def test_an_invocation_killed_outside_the_handler_is_recorded_as_that_trial_failing(cloud, stack, tmp_path,
                                                                                     model_name, figure):
    cloud.host.inject_failures(function_name(stack, "TrainFunction"), 1, "OutOfMemoryError")

    run = run_with(stack, tmp_path, model_name, [LINEAR, FOREST])

    assert run["status"] == "SUCCEEDED", run.get("message")
    [lost] = [t for t in stack.trials.list(model_name, run["run_id"]) if t["status"] == "FAILED"]
    assert lost["label"] in {"linear", "forest"} and lost["error"] == "OutOfMemoryError"
    assert lost["params"] == ({"C": 1.0, "class_weight": None} if lost["label"] == "linear" else
                              {"n_estimators": 20, "max_depth": 6, "min_samples_leaf": 5, "max_features": "sqrt"})
    figure(17, f"a non-retryable OutOfMemoryError injected in one Train invocation ({lost['label']}): recorded "
               "FAILED with its parameters by the map's Catch, run SUCCEEDED with the other")


def test_when_every_trial_fails_the_run_fails_naming_each_and_why(stack, tmp_path, failing, model_name, figure):
    failing.update({"LogisticRegression", "HistGradientBoostingClassifier"})

    run = run_with(stack, tmp_path, model_name, [LINEAR, BOOSTING])

    assert (run["status"], run["error"]) == ("FAILED", "AllTrialsFailedError")
    assert run["message"].startswith("every trial failed (2): ")
    assert "t000 linear (ValueError: LogisticRegression cannot fit" in run["message"]
    assert "t001 boosting (ValueError: HistGradientBoostingClassifier cannot fit" in run["message"]
    assert stack.registry.alias(model_name) is None
    figure(17, "2 of 2 trials failing: run FAILED with AllTrialsFailedError naming both and their errors, "
               "no version, no champion")
