"""The numbers behind a report's figures, on cases small enough to check by hand."""

import numpy as np
import pytest
from mlops_core.reporting import evidence, resampling
from mlops_core.scoring import METRICS, Prediction


def classifier(truth: list[str], p_yes: list[float]) -> Prediction:
    p_yes = np.asarray(p_yes, float)
    labels = np.where(p_yes >= 0.5, "yes", "no")
    return Prediction(labels, np.column_stack([1 - p_yes, p_yes]), ["no", "yes"])


def test_a_perfect_classifier_has_a_roc_curve_through_the_top_left_corner():
    positive = np.array([False, False, True, True])

    roc = evidence.roc_curve(positive, np.array([0.1, 0.2, 0.8, 0.9]))

    assert [0.0, 1.0] in [list(point) for point in zip(roc["fpr"], roc["tpr"], strict=True)]
    assert np.trapezoid(roc["tpr"], roc["fpr"]) == pytest.approx(1.0)


def test_the_roc_curve_area_is_the_metric_the_pipeline_judges_by():
    rng = np.random.default_rng(3)
    positive = rng.random(500) < 0.4
    score = np.clip(positive * 0.3 + rng.random(500) * 0.7, 0, 1)

    roc = evidence.roc_curve(positive, score)

    auc = METRICS["roc_auc"].compute(positive.astype(int).astype(str), None,
                                     np.column_stack([1 - score, score]), ["0", "1"])
    assert np.trapezoid(roc["tpr"], roc["fpr"]) == pytest.approx(auc, abs=0.01)


def test_precision_is_one_while_only_positives_are_above_the_threshold():
    pr = evidence.pr_curve(np.array([True, True, False, False]), np.array([0.9, 0.8, 0.3, 0.2]))

    assert pr["precision"][1:3] == [1.0, 1.0]
    assert pr["recall"][-1] == 1.0 and pr["precision"][-1] == 0.5


def test_the_confusion_matrix_counts_rows_by_true_and_predicted_class():
    confusion = evidence.confusion_matrix(np.array(["a", "a", "b", "b", "b"]), np.array(["a", "b", "b", "b", "a"]),
                                          ["a", "b"])

    assert confusion == {"classes": ["a", "b"], "matrix": [[1, 1], [1, 2]]}


def test_a_holdout_class_the_model_never_saw_gets_its_own_row():
    confusion = evidence.confusion_matrix(np.array(["a", "c", "b"]), np.array(["a", "b", "b"]), ["a", "b"])

    assert confusion == {"classes": ["a", "b", "c"], "matrix": [[1, 0, 0], [0, 1, 0], [0, 1, 0]]}


def test_calibration_compares_the_mean_probability_with_the_share_of_positives_per_bin():
    result = evidence.calibration(np.array([False, True, True, True]), np.array([0.15, 0.15, 0.82, 0.88]))

    assert result == {"predicted": [pytest.approx(0.15), pytest.approx(0.85)], "observed": [0.5, 1.0], "rows": [2, 2]}


def test_regression_points_are_a_bounded_sample_and_residuals_are_actual_minus_predicted():
    truth = np.arange(5000, dtype=float)

    points = evidence.regression_points(truth, truth - 2, limit=100)

    assert len(points["actual"]) == 100
    assert set(points["residual"]) == {2.0}


def test_the_bootstrap_interval_contains_the_point_estimate():
    rng = np.random.default_rng(0)
    truth = np.where(rng.random(400) < 0.5, "yes", "no")
    p_yes = np.clip((truth == "yes") * 0.4 + rng.random(400) * 0.6, 0, 1)

    result = evidence.bootstrap(truth, classifier(truth, p_yes), classifier(truth, rng.random(400)),
                                METRICS["roc_auc"], resamples=100)

    for side in ("challenger", "champion", "gain"):
        assert result[side]["low"] <= result[side]["score"] <= result[side]["high"]
    assert result["gain"]["low"] > 0  # a model with signal against a coin: the paired interval excludes no gain


def test_the_bootstrap_is_seeded():
    truth = np.array(["yes", "no"] * 50)
    model = classifier(truth, np.linspace(0, 1, 100))

    assert evidence.bootstrap(truth, model, None, METRICS["accuracy"], seed=4, resamples=50) == \
        evidence.bootstrap(truth, model, None, METRICS["accuracy"], seed=4, resamples=50)


def test_a_large_holdout_is_resampled_through_a_bounded_sample_but_scored_whole():
    rng = np.random.default_rng(1)
    truth = np.where(rng.random(5000) < 0.5, "yes", "no")
    model = classifier(truth, np.clip((truth == "yes") * 0.3 + rng.random(5000) * 0.7, 0, 1))

    bounded = evidence.bootstrap(truth, model, None, METRICS["roc_auc"], resamples=50, limit=500)
    whole = evidence.bootstrap(truth, model, None, METRICS["roc_auc"], resamples=50)

    assert (bounded["rows"], bounded["resampled_rows"], whole["resampled_rows"]) == (5000, 500, 5000)
    assert bounded["challenger"]["score"] == whole["challenger"]["score"]  # the point estimate uses every row
    width = {name: r["challenger"]["high"] - r["challenger"]["low"] for name, r in
             (("bounded", bounded), ("whole", whole))}
    assert width["bounded"] > 2 * width["whole"]  # a tenth of the rows: about sqrt(10) times wider, never narrower


def test_permutation_importance_ranks_the_feature_the_model_uses_first():
    rng = np.random.default_rng(1)
    columns = {"noise": rng.normal(size=1000), "signal": rng.normal(size=1000), "more_noise": rng.normal(size=1000)}
    truth = columns["signal"] * 3

    ranking = evidence.permutation_importance(lambda c: Prediction(np.asarray(c["signal"]) * 3), columns, truth,
                                              METRICS["rmse"])

    assert [item["feature"] for item in ranking][0] == "signal"
    assert ranking[0]["drop"] > 0 and ranking[1]["drop"] == 0


def test_per_category_metrics_keep_the_most_frequent_values_and_group_the_rest():
    truth = np.array([1.0, 1.0, 1.0, 2.0, 2.0, 3.0])
    column = np.array(["a", "a", "a", "b", "b", "c"])

    groups = evidence.per_category(truth, Prediction(np.array([1.0, 1.0, 1.0, 2.0, 3.0, 3.0])),
                                   {"city": column}, METRICS["mae"], top=2)["city"]

    assert groups == [{"value": "a", "rows": 3, "score": 0.0}, {"value": "b", "rows": 2, "score": 0.5},
                      {"value": evidence.OTHER, "rows": 1, "score": 0.0}]


def test_a_metric_undefined_on_a_category_is_none_not_an_error():
    truth = np.array(["yes", "yes", "no", "no"])

    groups = evidence.per_category(truth, classifier(truth, [0.9, 0.8, 0.2, 0.1]),
                                   {"group": np.array(["a", "a", "b", "b"])}, METRICS["roc_auc"])["group"]

    assert [group["score"] for group in groups] == [None, None]


@pytest.mark.parametrize("name", sorted(METRICS))
def test_a_resample_that_draws_every_row_once_scores_as_the_pipeline_does(name):
    rng = np.random.default_rng(7)
    metric = METRICS[name]
    if metric.task == "classification":
        truth = rng.choice(["a", "b", "c"], 300)
        probabilities = rng.dirichlet([1, 1, 1], 300).round(1)  # rounded: ties, which AUC counts as halves
        prediction = Prediction(np.array(["a", "b", "c"])[probabilities.argmax(axis=1)], probabilities,
                                ["a", "b", "c"])
    else:
        truth = rng.normal(size=300)
        prediction = Prediction(truth + rng.normal(size=300))

    weighted = resampling.weighted_scores(metric, truth, prediction, np.ones((300, 1)))

    assert weighted[0] == pytest.approx(prediction.score(truth, metric))


@pytest.mark.parametrize("name", sorted(METRICS))
def test_a_resample_scores_as_the_pipeline_scores_the_rows_it_drew(name):
    rng = np.random.default_rng(8)
    metric = METRICS[name]
    truth = rng.choice(["no", "yes"], 200) if metric.task == "classification" else rng.normal(size=200)
    p_yes = rng.random(200).round(2)
    prediction = (Prediction(np.where(p_yes >= 0.5, "yes", "no"), np.column_stack([1 - p_yes, p_yes]), ["no", "yes"])
                  if metric.task == "classification" else Prediction(truth + rng.normal(size=200)))
    [weights] = resampling.multiplicities(200, 1, np.random.default_rng(9))

    weighted = resampling.weighted_scores(metric, truth, prediction, weights)

    rows = np.repeat(np.arange(200), weights[:, 0].astype(int))
    assert weighted[0] == pytest.approx(prediction.take(rows).score(truth[rows], metric))
