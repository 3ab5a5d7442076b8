"""Feedback labels joined to captured predictions, and the live quality computed from them."""

import pytest
from mlops_core.aws.traffic_store import StoredBatch
from mlops_core.contract import Contract
from mlops_core.monitoring.monitor_pass import live_quality
from mlops_core.monitoring.traffic import join_feedback

from mlops_cli.samples import CHURN_CONTRACT


def capture(uri: str, request_id: str, labels: list[str], version: int = 1) -> StoredBatch:
    return StoredBatch(uri, "v", [{"request_id": request_id, "version": version,
                                        "records": [{"x": i} for i in range(len(labels))],
                                        "predictions": [{"label": label} for label in labels]}])


def feedback(*labels: tuple[str, int, str]) -> StoredBatch:
    return StoredBatch("s3://b/feedback/f", "v", [{"request_id": r, "row": row, "label": label}
                                                        for r, row, label in labels])


def test_labels_meet_their_rows_by_request_id_and_row():
    join = join_feedback([capture("s3://b/capture/1", "a", ["yes", "no"]), capture("s3://b/capture/2", "b", ["no"])],
                         [feedback(("a", 1, "yes"), ("b", 0, "no"))])

    assert [(item.record, item.prediction["label"], item.label) for item in join.labeled] == \
        [({"x": 1}, "no", "yes"), ({"x": 0}, "no", "no")]
    assert join.unmatched == 0
    assert [ref["uri"] for ref in join.captures_used] == ["s3://b/capture/1", "s3://b/capture/2"]


def test_a_later_label_for_the_same_row_wins_and_a_label_without_a_capture_is_counted():
    join = join_feedback([capture("s3://b/capture/1", "a", ["yes"])],
                         [feedback(("a", 0, "no")), feedback(("a", 0, "yes"), ("never-captured", 0, "no"))])

    assert [item.label for item in join.labeled] == ["yes"]
    assert join.unmatched == 1


def test_live_quality_is_accuracy_and_macro_f1_for_classification():
    join = join_feedback([capture("s3://b/capture/1", "a", ["yes", "yes", "no", "no"])],
                         [feedback(("a", 0, "yes"), ("a", 1, "no"), ("a", 2, "no"), ("a", 3, "no"))])

    quality = live_quality(join, Contract.from_dict(CHURN_CONTRACT))
    # no: precision 1, recall 2/3 -> F1 0.8; yes: precision 1/2, recall 1 -> F1 2/3
    assert quality == pytest.approx({"accuracy": 0.75, "f1_macro": (0.8 + 2 / 3) / 2})


def test_live_quality_is_rmse_and_mae_for_regression():
    batch = StoredBatch("s3://b/capture/1", "v", [{"request_id": "a", "version": 1, "records": [{}, {}],
                                                          "predictions": [{"value": 1.0}, {"value": 5.0}]}])
    join = join_feedback([batch], [feedback(("a", 0, 2.0), ("a", 1, 2.0))])
    contract = Contract.from_dict({"model": "p", "task": "regression", "target": "y",
                                   "columns": {"x": {"type": "number"}, "y": {"type": "number"}}})

    assert live_quality(join, contract) == pytest.approx({"rmse": (5.0) ** 0.5, "mae": 2.0})
