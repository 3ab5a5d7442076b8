"""What an operator reads about a run: its function log lines in order (`mlops logs`), a refusal as one line with
its reason, and the champion's metric on its own holdout beside the one the decision compared (`mlops models`)."""

import json

import pytest
from mlops_core.contract import Contract

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, churn
from tests.e2e.conftest import mlops, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def refused_run(cloud, stack, tmp_path, model_name):
    """A run whose dataset breaks its contract, and every function's output while it ran."""
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model_name}))
    path = tmp_path / "data.csv"
    churn(500, seed=1).drop(columns=["tenure_months"]).to_csv(path, index=False)
    output: list[tuple[str, str]] = []
    cloud.host.log_listeners.append(lambda name, text: output.append((name, text)))
    try:
        trigger = operations.upload(stack, path, model_name)
        run = operations.wait_for_run(stack, model_name, trigger.run_id, timeout=300)
    finally:
        cloud.host.log_listeners.pop()
    assert run["status"] == "FAILED", run
    return run, output


def test_mlops_logs_prints_a_runs_lines_in_the_order_its_steps_wrote_them(refused_run, model_name):
    run, _ = refused_run

    listed = mlops("logs", run["run_id"], "--model", model_name, "--json")

    assert listed.returncode == 0, listed.stderr
    lines = json.loads(listed.stdout)
    assert [line["timestamp"] for line in lines] == sorted(line["timestamp"] for line in lines)
    assert all(line["line"]["correlation_id"] == run["run_id"] for line in lines)
    steps = [line["function"].split("-")[-2] for line in lines]
    assert steps.index("BeginFunction") < steps.index("ValidateFunction") < steps.index("FinishFunction")
    assert json.loads(mlops("logs", run["run_id"], "--json").stdout) == lines  # without the model: the same lines


def test_a_refused_dataset_is_logged_as_one_line_with_its_reason_and_no_traceback(refused_run, model_name):
    run, output = refused_run

    listed = mlops("logs", run["run_id"], "--model", model_name)

    validate = "\n".join(text for name, text in output if "ValidateFunction" in name)
    [refusal] = [json.loads(line) for line in validate.splitlines() if '"step refused"' in line]
    assert (refusal["level"], refusal["step"], refusal["error"]) == ("WARNING", "validate", "ContractViolationError")
    assert "column_present [tenure_months]" in refusal["reason"] and "exception" not in refusal
    assert "Traceback (most recent call last)" not in validate
    assert listed.returncode == 0 and "step refused" in listed.stdout and "Traceback" not in listed.stdout


def test_a_run_id_with_no_lines_exits_2_saying_so(stack):
    listed = mlops("logs", "upload-0000000000000000")

    assert listed.returncode == 2 and listed.stderr.startswith("error: no log line of run 'upload-0000000000000000'")


def test_mlops_models_shows_the_champions_metric_on_its_own_holdout_and_on_each_challengers(served):
    stack, model, _ = served
    view = json.loads(mlops("models", model, "--json").stdout)
    v3 = next(version for version in view["versions"] if version["version"] == 3)
    compared = stack.runs.get(model, v3["run_id"])["steps"]["evaluate"]["champion"]

    scores = view["champion_scores"]

    assert (scores["version"], scores["metric"]) == (2, "roc_auc")
    assert scores["own_holdout"] == next(v for v in view["versions"] if v["version"] == 2)["metrics"]["roc_auc"]
    assert {"challenger": 3, "score": compared["score"], "challenger_score": v3["metrics"]["roc_auc"]} in scores[
        "on_challenger_holdouts"]
    table = mlops("models", model).stdout
    assert f"{scores['own_holdout']:.4f} on its own holdout" in table
    assert f"{compared['score']:.4f} on v3's holdout" in table


def test_a_rejected_trigger_is_logged_as_one_line_with_its_reason_and_no_traceback(cloud, stack, model_name):
    key = f"incoming/{model_name.upper()}/data.csv"  # capitals: not a model name
    output: list[tuple[str, str]] = []
    cloud.host.log_listeners.append(lambda name, text: output.append((name, text)))
    try:
        stack.store.client.put_object(Bucket=stack.data_bucket, Key=key, Body=b"a,b\n1,2\n")
        begin = wait_for(lambda: [text for name, text in output if "BeginFunction" in name and key in text])
    finally:
        cloud.host.log_listeners.pop()

    [refusal] = [json.loads(line) for line in begin[0].splitlines() if '"step refused"' in line]
    assert (refusal["level"], refusal["step"], refusal["error"]) == ("WARNING", "begin", "InvalidTriggerError")
    assert key in refusal["reason"] and "Traceback (most recent call last)" not in begin[0]
