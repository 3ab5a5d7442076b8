"""Category columns with many values through the whole loop: a 50-value and a 5,000-value column trained, registered
and served, including a value the contract allows and the training data lacks."""

import numpy as np
import pytest
from mlops_core.aws.objects import S3Object
from mlops_core.contract import Contract
from mlops_core.data.tabular import model_frame
from mlops_core.serving.onnx_model import OnnxModel
from mlops_core.training.splits import split_rows
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from mlops_cli import operations
from mlops_cli.samples import ORDER_CATEGORIES, order_values, orders, orders_contract, records
from tests.e2e.test_inference_url import predict

pytestmark = pytest.mark.e2e

ROWS = 20_000


@pytest.fixture(scope="module")
def trained(cloud, tmp_path_factory):
    """20,000 orders with a region (50 values) and a product (5,000 values, most of them rare) column."""
    from mlops_cli.stack import Stack

    stack, model = Stack.find(cloud.stack_name), "orders"
    contract = Contract.from_dict(orders_contract(model))
    operations.put_contract(stack, contract)
    frame = orders(ROWS, seed=5)
    path = tmp_path_factory.mktemp("orders") / "orders.csv"
    frame.to_csv(path, index=False)
    trigger = operations.upload(stack, path, model)
    run = operations.wait_for_run(stack, model, trigger.run_id, timeout=600)
    return stack, model, contract, frame, run


def numeric_only_roc_auc(frame, contract) -> float:
    """What the same split gives without the category columns: the share of the signal they do not carry."""
    typed = model_frame(frame, contract)
    split, numeric = split_rows(len(typed), contract), typed[["price", "discount"]].fillna(0.25)
    model = LogisticRegression().fit(numeric.iloc[split.fit], typed.returned.iloc[split.fit])
    truth = typed.returned.iloc[split.holdout] == "yes"
    return roc_auc_score(truth, model.predict_proba(numeric.iloc[split.holdout])[:, 1])


def test_every_candidate_trains_on_a_50_and_a_5000_value_column_and_the_model_is_registered(trained):
    stack, model, contract, frame, run = trained

    assert run["status"] == "SUCCEEDED", run.get("message")
    assert frame["region"].nunique() == 49 and frame["product"].nunique() > 3000
    trials = stack.trials.list(model, run["run_id"])
    assert sorted((t["candidate"], t["status"]) for t in trials) == [
        (name, "SUCCEEDED") for name in ("hist_gradient_boosting", "logistic_regression", "random_forest")]
    version = stack.registry.get_version(model, run["version"])
    assert version["parity"]["differing"] <= 0.01 * version["parity"]["rows"]


def test_the_model_learns_from_the_category_columns(trained):
    stack, model, contract, frame, run = trained

    score = stack.registry.get_version(model, run["version"])["metrics"]["roc_auc"]

    assert score >= numeric_only_roc_auc(frame, contract) + 0.1


def test_the_served_model_answers_with_such_categories_including_one_the_training_data_lacked(trained):
    stack, model, contract, frame, run = trained
    lacking = order_values("product", ORDER_CATEGORIES["product"])[-1]
    assert lacking not in set(frame["product"])
    sent = records(frame.head(4), target="returned")
    sent[0]["product"], sent[1]["region"] = lacking, order_values("region", 50)[-1]

    status, body = predict(stack.outputs["InferenceUrl"], model, sent)

    assert status == 200, body
    version = stack.registry.get_version(model, run["version"])
    artifact = stack.store.get_bytes(S3Object.parse(version["artifact"]["uri"]), version["artifact"]["sha256"])
    expected = OnnxModel.load(artifact).predict(
        {name: np.array([r[name] if r[name] is not None else np.nan for r in sent]) for name in contract.features})
    served = [[p["probabilities"][c] for c in expected.classes] for p in body["predictions"]]
    assert np.allclose(served, expected.probabilities, atol=1e-6)
