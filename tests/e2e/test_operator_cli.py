"""Other processes drive the local runtime: the AWS CLI uploads, the `mlops` CLI reads and waits."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.datasets import load_wine

from mlops_cli.samples import CHURN_CONTRACT, churn
from tests.e2e.conftest import mlops

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent


def test_an_upload_with_the_aws_cli_from_another_process_starts_a_run(stack, tmp_path, model_name):
    contract = tmp_path / "contract.json"
    contract.write_text(json.dumps({**CHURN_CONTRACT, "model": model_name}))
    assert mlops("contract", "put", str(contract)).returncode == 0
    data = tmp_path / "data.csv"
    churn(1000, seed=5).to_csv(data, index=False)

    copy = subprocess.run([str(BIN / "aws"), "s3", "cp", str(data),
                           f"s3://{stack.data_bucket}/incoming/{model_name}/data.csv"],
                          capture_output=True, text=True, timeout=120)
    assert copy.returncode == 0, copy.stderr
    waited = mlops("runs", "--model", model_name, "--wait", "--json")

    assert waited.returncode == 0, waited.stderr
    [run] = json.loads(waited.stdout)
    assert (run["model"], run["trigger"], run["status"], run["version"]) == (model_name, "upload", "SUCCEEDED", 1)


def test_a_dataset_never_seen_goes_from_contract_inference_to_a_champion(stack, tmp_path):
    data = tmp_path / "wine.csv"
    load_wine(as_frame=True).frame.to_csv(data, index=False)
    contract = tmp_path / "wine.json"

    inferred = mlops("contract", "infer", str(data), "--model", "wine", "--target", "target", "-o", str(contract))
    stored = mlops("contract", "put", str(contract))
    uploaded = mlops("upload", str(data), "--model", "wine")
    waited = mlops("runs", "--model", "wine", "--wait", "--json")
    model = mlops("models", "wine", "--json")

    rows = tmp_path / "new-wines.csv"
    load_wine(as_frame=True).frame.drop(columns="target").head(3).to_csv(rows, index=False)
    predicted = mlops("predict", "wine", "--csv", str(rows))

    for step in (inferred, stored, uploaded, waited, model, predicted):
        assert step.returncode == 0, step.stderr
    assert json.loads(contract.read_text())["task"] == "classification"
    assert json.loads(model.stdout)["champion"]["version"] == 1
    assert [p["label"] for p in json.loads(predicted.stdout)["predictions"]] == ["0", "0", "0"]


def test_runs_wait_exits_non_zero_when_the_newest_run_failed(stack, tmp_path, model_name):
    data = tmp_path / "data.csv"
    churn(300, seed=1).to_csv(data, index=False)

    assert mlops("upload", str(data), "--model", model_name).returncode == 0
    waited = mlops("runs", "--model", model_name, "--wait")

    assert waited.returncode == 1
    assert "FAILED" in waited.stdout


def test_promote_and_rollback_move_the_champion(stack, tmp_path, model_name):
    contract = tmp_path / "contract.json"
    contract.write_text(json.dumps({**CHURN_CONTRACT, "model": model_name, "min_improvement": 1.0}))
    mlops("contract", "put", str(contract))
    for seed in (1, 2):
        data = tmp_path / f"data-{seed}.csv"
        churn(600, seed=seed).to_csv(data, index=False)
        assert mlops("upload", str(data), "--model", model_name, "--wait").returncode == 0

    promoted = mlops("promote", model_name, "2", "--reason", "reviewed by a person")
    after_promote = json.loads(mlops("models", model_name, "--json").stdout)["champion"]["version"]
    rolled = mlops("rollback", model_name)
    after_rollback = json.loads(mlops("models", model_name, "--json").stdout)["champion"]["version"]

    assert promoted.returncode == rolled.returncode == 0
    assert (after_promote, after_rollback) == (2, 1)


def test_a_missing_stack_is_reported_without_a_traceback(monkeypatch):
    result = subprocess.run([sys.executable, "-m", "mlops_cli.main", "--stack", "no-such-stack", "runs"],
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 2
    assert "stack 'no-such-stack' not found" in result.stderr and "Traceback" not in result.stderr


def test_a_manual_retrain_runs_on_the_newest_upload_and_is_recorded_as_manual(stack, tmp_path, model_name):
    contract = tmp_path / "contract.json"
    contract.write_text(json.dumps({**CHURN_CONTRACT, "model": model_name}))
    mlops("contract", "put", str(contract))
    data = tmp_path / "data.csv"
    churn(600, seed=1).to_csv(data, index=False)
    assert mlops("upload", str(data), "--model", model_name, "--wait").returncode == 0

    retrained = mlops("retrain", model_name, "--wait")
    runs = json.loads(mlops("runs", "--model", model_name, "--json").stdout)

    assert retrained.returncode == 0, retrained.stderr
    assert sorted(run["trigger"] for run in runs) == ["manual", "upload"]
    assert len({run["dataset"]["version_id"] for run in runs}) == 1


def test_an_sdk_without_a_region_is_reported_without_a_traceback():
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_REGION", "AWS_DEFAULT_REGION")}

    result = subprocess.run([sys.executable, "-m", "mlops_cli.main", "runs"], capture_output=True, text=True,
                            timeout=120, env={**env, "AWS_CONFIG_FILE": "/nonexistent"})

    assert result.returncode == 2
    assert "You must specify a region" in result.stderr and "Traceback" not in result.stderr


def test_the_ci_smoke_test_passes_against_a_stack(stack, model_name):
    smoke = subprocess.run([sys.executable, "scripts/smoke_test.py", "--model", model_name, "--timeout", "300"],
                           capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parents[2])

    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "the URL answered with v1" in smoke.stdout


def test_runs_wait_for_a_model_with_no_contract_and_no_runs_says_so(stack, model_name):
    waited = mlops("runs", "--model", model_name, "--wait")

    assert waited.returncode == 2
    assert f"model '{model_name}' has no runs and no contract" in waited.stderr


def test_every_wait_gives_up_after_its_timeout_with_exit_2(stack, tmp_path, model_name):
    contract = tmp_path / "contract.json"
    contract.write_text(json.dumps({**CHURN_CONTRACT, "model": model_name}))
    assert mlops("contract", "put", str(contract)).returncode == 0
    data = tmp_path / "data.csv"
    churn(600, seed=1).to_csv(data, index=False)

    nothing_yet = mlops("runs", "--model", model_name, "--wait", "--timeout", "0")
    uploaded = mlops("upload", str(data), "--model", model_name, "--wait", "--timeout", "0")
    retrained = mlops("retrain", model_name, "--wait", "--timeout", "0")
    mlops("runs", "--wait")  # leave no execution running behind this test

    for waited in (nothing_yet, uploaded, retrained):
        assert waited.returncode == 2, waited.stderr
        assert "--timeout" in waited.stderr and "Traceback" not in waited.stderr


def test_an_upload_name_the_pipeline_would_reject_is_refused_before_uploading(stack, tmp_path, model_name):
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")

    refused = mlops("upload", str(data), "--model", model_name, "--name", "../elsewhere.csv")

    assert refused.returncode == 2 and "path segment" in refused.stderr
    assert stack.store.list(stack.data_bucket, f"incoming/{model_name}/") == []


def test_retrain_never_picks_an_object_whose_key_names_no_valid_model(stack, tmp_path, model_name):
    contract = tmp_path / "contract.json"
    contract.write_text(json.dumps({**CHURN_CONTRACT, "model": model_name}))
    mlops("contract", "put", str(contract))
    data = tmp_path / "data.csv"
    churn(600, seed=1).to_csv(data, index=False)
    assert mlops("upload", str(data), "--model", model_name, "--wait").returncode == 0
    for key in (f"incoming/{model_name}/../newer.csv", f"incoming/{model_name}//newer.csv"):
        stack.store.client.put_object(Bucket=stack.data_bucket, Key=key, Body=data.read_bytes())

    retrained = mlops("retrain", model_name, "--wait")

    assert retrained.returncode == 0, retrained.stderr
    assert f"incoming/{model_name}/data.csv" in retrained.stdout and "newer.csv" not in retrained.stdout
