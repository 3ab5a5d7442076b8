"""The data scientist's loop, as docs/candidates.md tells it, on a copy of the project: write a candidate module
(the page's own example), register it, `mlops candidates check` it, start the local runtime from the copy, ask for
it in a contract, retrain, read the leaderboard and the decision."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from localcloud.runtime import free_port
from mlops_cli.samples import CHURN_CONTRACT, churn

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
IGNORED = shutil.ignore_patterns(".venv", ".git", ".aws-sam", "__pycache__", ".pytest_cache", "*.egg-info")


def documented_module() -> str:
    """The example module of docs/candidates.md, verbatim: the page cannot drift from what works."""
    page = (ROOT / "docs" / "candidates.md").read_text()
    return re.search(r"## A candidate module\n\n```python\n(.*?)```", page, re.S).group(1)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project with the example candidate written and registered."""
    copy = tmp_path_factory.mktemp("project") / "serverless-mlops"
    shutil.copytree(ROOT, copy, ignore=IGNORED)
    package = copy / "layers" / "candidates" / "mlops_candidates"
    (package / "extra_trees_features.py").write_text(documented_module())
    registry = package / "registry.py"
    text = registry.read_text()
    text = text.replace("from mlops_candidates import hist_gradient_boosting,",
                        "from mlops_candidates import extra_trees_features, hist_gradient_boosting,")
    text = text.replace("CANDIDATES = (", "CANDIDATES = (extra_trees_features, ")
    registry.write_text(text)
    return copy


def environment(project: Path, port: int | None = None) -> dict[str, str]:
    """The copy's packages first on the path (before this checkout's editable install)."""
    path = os.pathsep.join(str(project / p) for p in (".", "layers/core", "layers/candidates"))
    env = {**os.environ, "PYTHONPATH": path}
    if port:
        env |= {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    return env


def mlops(project: Path, port: int | None, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlops_cli.main", *args], cwd=project, capture_output=True,
                          text=True, timeout=900, env=environment(project, port))


@pytest.fixture(scope="module")
def cloud_of(project):
    """`make up`, from the copy: the local runtime serving the copy's template and code."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "localcloud", "--port", str(port), "--url-port", str(free_port())],
                              cwd=project, env=environment(project), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        for line in server.stdout:
            if line.startswith("Ctrl-C to stop"):
                break
        else:
            raise AssertionError("the local runtime did not start")
        yield port
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def test_the_new_candidate_is_listed_and_passes_every_check(project):
    listed = mlops(project, None, "candidates", "list", "--json")
    checked = mlops(project, None, "candidates", "check", "extra_trees_features", "--json")

    assert "extra_trees_features" in [c["name"] for c in json.loads(listed.stdout)]
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]
    results = json.loads(checked.stdout)
    assert {r["task"] for r in results} == {"classification", "regression"} and all(r["passed"] for r in results)


def test_the_candidate_trains_in_the_pipeline_and_its_trials_show_on_the_leaderboard(project, cloud_of, tmp_path):
    contract = {**CHURN_CONTRACT, "candidates": [
        {"candidate": "logistic_regression"},
        {"candidate": "extra_trees_features", "name": "trees_ratio",
         "params": {"ratio_of": ["monthly_charges", "tenure_months"]}}], "search": {"max_trials": 6}}
    (tmp_path / "churn.json").write_text(json.dumps(contract))
    churn(1500, seed=1).to_csv(tmp_path / "customers.csv", index=False)

    assert mlops(project, cloud_of, "contract", "put", str(tmp_path / "churn.json")).returncode == 0
    uploaded = mlops(project, cloud_of, "upload", str(tmp_path / "customers.csv"), "--model", "churn", "--wait")
    retrained = mlops(project, cloud_of, "retrain", "churn", "--wait")
    runs = json.loads(mlops(project, cloud_of, "runs", "--model", "churn", "--json").stdout)
    board = json.loads(mlops(project, cloud_of, "trials", runs[0]["run_id"], "--json").stdout)
    compared = mlops(project, cloud_of, "runs", "compare", runs[1]["run_id"], runs[0]["run_id"])

    assert uploaded.returncode == 0 and retrained.returncode == 0, uploaded.stdout + retrained.stdout
    assert len(board) == 6 and {t["label"] for t in board} == {"logistic_regression", "trees_ratio"}
    assert all(t["status"] == "SUCCEEDED" for t in board)
    assert all(t["params"]["ratio_of"] == ["monthly_charges", "tenure_months"]
               for t in board if t["label"] == "trees_ratio")
    assert compared.returncode == 0 and "decision" in compared.stdout
    assert runs[0]["trigger"] == "manual" and runs[0]["status"] == "SUCCEEDED"
