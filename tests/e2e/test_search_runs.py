"""Hyperparameter search through the local runtime: a contract asks for trials, every trial is recorded, the best is
exported and judged against the champion, failures cost only themselves, and the CLI shows the leaderboard."""

import itertools
import json

import pytest
from mlops_core.contract import Contract

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, churn
from tests.e2e.conftest import mlops
from tests.reliability.test_09_step_functions import function_name

pytestmark = pytest.mark.e2e

# Narrowed spaces keep the local run short; the spaces are the registered candidates' own otherwise.
SEARCH = {
    "candidates": [
        {"candidate": "random_forest", "params": {"max_features": "sqrt"},
         "space": {"n_estimators": {"int": [20, 40]}, "max_depth": {"int": [3, 8]}}},
        {"candidate": "hist_gradient_boosting", "space": {"max_iter": {"int": [50, 100]}}},
        {"candidate": "logistic_regression"},
    ],
    "search": {"max_trials": 24},
}


def upload(stack, tmp_path, model: str, contract: dict, rows: int = 1500, seed: int = 1) -> dict:
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model, **contract}))
    path = tmp_path / f"customers-{seed}.csv"
    churn(rows, seed=seed).to_csv(path, index=False)
    trigger = operations.upload(stack, path, model)
    return operations.wait_for_run(stack, model, trigger.run_id, timeout=600)


@pytest.fixture(scope="module")
def searched(cloud, tmp_path_factory):
    """A 24-trial run where one trial's candidate code raises (the fifth fit) and another trial's invocation is
    killed before its handler runs."""
    from mlops_core.pipeline.steps import train

    from mlops_cli.stack import Stack

    stack, model = Stack.find(cloud.stack_name), "searched"
    fit, calls = train.fit_trial, itertools.count()

    def fit_failing_once(pipeline, frame, contract, sample_fraction=1.0):
        if next(calls) == 4:
            raise ValueError("the candidate's own code raised")
        return fit(pipeline, frame, contract, sample_fraction)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(train, "fit_trial", fit_failing_once)
        cloud.host.inject_failures(function_name(stack, "TrainFunction"), 1, "OutOfMemoryError")
        run = upload(stack, tmp_path_factory.mktemp("search"), model, SEARCH)
    return stack, model, run


def test_a_24_trial_search_over_3_candidates_records_every_trial_and_succeeds(searched):
    stack, model, run = searched

    trials = stack.trials.list(model, run["run_id"])

    assert run["status"] == "SUCCEEDED", run.get("message")
    assert len(trials) == 24 and len({t["trial_id"] for t in trials}) == 24
    assert {t["candidate"] for t in trials} == {"random_forest", "hist_gradient_boosting", "logistic_regression"}
    assert all(t["status"] == "SUCCEEDED" and t["score"] > 0.5 for t in trials if t["status"] != "FAILED")
    assert len({json.dumps(t["params"], sort_keys=True) for t in trials}) == 24


def test_a_trial_whose_code_raises_and_one_whose_invocation_dies_are_recorded_failed_with_their_errors(searched):
    stack, model, run = searched

    failed = {t["error"]: t for t in stack.trials.list(model, run["run_id"]) if t["status"] == "FAILED"}

    assert set(failed) == {"ValueError", "OutOfMemoryError"}
    assert failed["ValueError"]["message"] == "the candidate's own code raised"
    assert "injected OutOfMemoryError" in failed["OutOfMemoryError"]["message"]
    assert run["steps"]["select:rung-0"]["failed_count"] == 2 and run["steps"]["select:rung-0"]["fitted"] == 22


def test_the_best_trial_is_exported_judged_and_registered_with_the_code_that_produced_it(searched):
    stack, model, run = searched
    trials = [t for t in stack.trials.list(model, run["run_id"]) if t["status"] == "SUCCEEDED"]

    best = max(trials, key=lambda t: t["score"])
    version = stack.registry.get_version(model, run["version"])

    assert run["steps"]["select:rung-0"]["best"]["trial_id"] == best["trial_id"]
    assert (version["trial_id"], version["estimator"], version["params"]) == (
        best["trial_id"], best["candidate"], best["params"])
    assert version["candidates_version"] == best["code_version"]
    assert best["onnx_bytes"] == version["artifact"]["bytes"]
    assert run["steps"]["evaluate"]["decision"]["promote"] is True


def test_mlops_trials_prints_the_leaderboard_best_first_with_only_the_parameters_that_vary(searched):
    _, model, run = searched

    board = json.loads(mlops("trials", run["run_id"], "--json").stdout)
    shown = mlops("trials", run["run_id"], "--model", model)

    scores = [t["score"] for t in board if t["status"] == "SUCCEEDED"]
    assert scores == sorted(scores, reverse=True) and [t["status"] for t in board[-2:]] == ["FAILED", "FAILED"]
    assert shown.returncode == 0, shown.stderr
    assert "n_estimators=" in shown.stdout and "max_iter=" in shown.stdout and " C=" in shown.stdout
    assert "max_features=" not in shown.stdout  # fixed by the contract: the same in every trial
    assert board[0]["trial_id"] in shown.stdout.split("\n")[4] and "ValueError" in shown.stdout


def test_mlops_runs_compare_sets_two_runs_side_by_side(searched, tmp_path):
    stack, model, run = searched
    second = upload(stack, tmp_path, model, {**SEARCH, "search": {"max_trials": 3}}, rows=1200, seed=2)

    compared = mlops("runs", "compare", run["run_id"], second["run_id"], "--json")
    shown = mlops("runs", "compare", run["run_id"], second["run_id"])

    assert compared.returncode == 0, compared.stderr
    first, other = json.loads(compared.stdout)
    assert (first["trials"], first["failed_trials"], other["trials"]) == (24, 2, 3)
    assert first["data"]["sha256"] != other["data"]["sha256"] and first["contract"]["sha256"] != other["contract"][
        "sha256"]
    assert first["candidates_version"] == other["candidates_version"]
    assert other["decision"]["reason"] and first["version"] == 1 and other["version"] == 2
    assert "data sha256 *" in shown.stdout and "candidates code " in shown.stdout


def test_successive_halving_fits_every_trial_on_a_sample_then_refits_the_top_k_on_all_rows(stack, tmp_path,
                                                                                          model_name):
    halving = {**SEARCH, "search": {"max_trials": 8, "halving": {"sample_fraction": 0.3, "top_k": 2}}}

    run = upload(stack, tmp_path, model_name, halving)

    trials = stack.trials.list(model_name, run["run_id"])
    first = [t for t in trials if t["rung"] == 0]
    second = [t for t in trials if t["rung"] == 1]
    assert run["status"] == "SUCCEEDED", run.get("message")
    assert len(first) == 8 and len(second) == 2
    assert max(t["rows"] for t in first) < min(t["rows"] for t in second)
    top = sorted(first, key=lambda t: -t["score"])[:2]
    assert {t["trial_id"] for t in second} == {t["trial_id"] for t in top}
    assert run["steps"]["select:rung-1"]["best"]["rung"] == 1 and "next" in run["steps"]["select:rung-0"]


def test_a_contract_asking_for_an_unknown_candidate_or_a_value_outside_its_space_is_refused_at_put(tmp_path,
                                                                                                  model_name):
    refused = []
    for candidates in ([{"candidate": "xgboost"}], [{"candidate": "random_forest", "params": {"max_depth": 99}}]):
        path = tmp_path / "contract.json"
        path.write_text(json.dumps({**CHURN_CONTRACT, "model": model_name, "candidates": candidates}))
        refused.append(mlops("contract", "put", str(path)))

    assert [r.returncode for r in refused] == [2, 2]
    assert "unknown candidate 'xgboost'" in refused[0].stderr
    assert "candidates[0].params.max_depth: 99 is outside its search space" in refused[1].stderr
