"""`mlops predict`'s batching and label metrics, without a URL."""

import json

import pytest

from mlops_cli.batch_predict import EMPTY_BODY, batches, label_metrics


def body_size(batch: list[dict]) -> int:
    return len(json.dumps({"records": batch}).encode())


def test_batches_hold_at_most_the_record_limit_and_keep_the_order():
    records = [{"i": i} for i in range(2500)]

    found = list(batches(records, 1000, 1 << 20))

    assert [(first, len(batch)) for first, batch in found] == [(0, 1000), (1000, 1000), (2000, 500)]
    assert [record for _, batch in found for record in batch] == records


def test_batches_fit_the_body_limit_exactly_as_json_encodes_them():
    records = [{"text": "x" * (100 + i % 7)} for i in range(300)]
    limit = 5_000

    found = list(batches(records, 1000, limit))

    assert all(body_size(batch) <= limit for _, batch in found)
    assert all(body_size(batch + [records[first + len(batch)]]) > limit for first, batch in found[:-1])
    assert EMPTY_BODY == body_size([])


def test_metrics_leave_unlabelled_rows_out_and_name_what_cannot_be_computed():
    predictions = [{"label": "yes", "probabilities": {"no": 0.2, "yes": 0.8}},
                   {"label": "no", "probabilities": {"no": 0.7, "yes": 0.3}},
                   {"label": "no", "probabilities": {"no": 0.6, "yes": 0.4}}]

    metrics = label_metrics("classification", "churned", ["yes", "yes", None], predictions)

    assert (metrics["rows"], metrics["unlabelled"]) == (2, 1)
    assert metrics["values"]["accuracy"] == pytest.approx(0.5)
    assert "both classes" in metrics["not_computed"]["roc_auc"]


def test_regression_metrics_are_the_projects_own():
    metrics = label_metrics("regression", "price", [1.0, 3.0], [{"value": 2.0}, {"value": 3.0}])

    assert metrics["values"] == pytest.approx({"rmse": (0.5) ** 0.5, "mae": 0.5, "r2": 0.5})
