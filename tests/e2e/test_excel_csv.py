"""Excel's "CSV UTF-8" (a byte-order mark before the first column's name) through the whole loop: a contract drafted
from it, validation and training, `mlops predict`, and the feedback rows the Assemble step appends to it."""

import io
import json
import time

import pandas as pd
import pytest
from mlops_core.aws.objects import S3Object
from mlops_core.config import Settings
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.steps.assemble import assemble_training_data

from mlops_cli import operations
from mlops_cli.samples import churn
from tests.e2e.conftest import mlops

pytestmark = pytest.mark.e2e

BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def excel(cloud, tmp_path_factory):
    """A model whose contract was drafted from an Excel CSV, trained by uploading that file with `mlops upload`."""
    from mlops_cli.stack import Stack

    stack, folder, model = Stack.find(cloud.stack_name), tmp_path_factory.mktemp("excel"), "excel"
    path = folder / "customers.csv"
    path.write_bytes(BOM + churn(800, seed=44).to_csv(index=False).encode())
    steps = {"infer": mlops("contract", "infer", str(path), "--model", model, "--target", "churned",
                            "-o", str(folder / "contract.json"))}
    steps["put"] = mlops("contract", "put", str(folder / "contract.json"))
    steps["upload"] = mlops("upload", str(path), "--model", model, "--wait")
    return stack, model, path, json.loads((folder / "contract.json").read_text()), steps


def test_an_excel_csv_drafts_a_contract_validates_and_trains_a_champion(excel):
    stack, model, _, contract, steps = excel

    assert all(step.returncode == 0 for step in steps.values()), {k: s.stderr for k, s in steps.items()}
    assert list(contract["columns"]) == list(churn(1, seed=0).columns)
    assert "SUCCEEDED" in steps["upload"].stdout and stack.registry.alias(model)["version"] == 1


def test_predict_scores_an_excel_csv_and_measures_it_against_its_target(excel):
    _, model, path, _, _ = excel

    result = mlops("predict", model, "--csv", str(path))

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["metrics"]["rows"] == 800


def test_feedback_rows_appended_to_an_excel_csv_fill_its_first_column(excel):
    stack, model, _, contract, _ = excel
    operations.send_traffic(stack, model, churn(40, seed=46), "churned")
    time.sleep(1.1)  # S3 times objects to the second: the feedback must be written after the upload's second
    settings = Settings(stack.data_bucket, stack.outputs["ArtifactBucketName"], stack.outputs["RegistryTableName"],
                        stack.outputs["RunsTableName"], capture_bucket=stack.outputs["CaptureBucketName"])
    services = Services(settings, stack.store, stack.registry, stack.runs)

    dataset = assemble_training_data({"run": {"model": model, "run_id": "excel-feedback", "trigger": "alarm"}},
                                     services)

    written = pd.read_csv(io.BytesIO(stack.store.get_bytes(S3Object.parse(dataset["uri"]))), encoding="utf-8-sig")
    assert dataset["feedback_rows"] == 40 and len(written) == 840
    assert list(written.columns) == list(contract["columns"])
    assert written.tail(40).notna()[["tenure_months", "churned"]].all().all()
