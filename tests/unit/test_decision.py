import pytest
from mlops_core.contract import Contract
from mlops_core.scoring import METRICS
from mlops_core.training.decision import ChampionScore, decide

from mlops_cli.samples import CHURN_CONTRACT

CONTRACT = Contract.from_dict(CHURN_CONTRACT)  # roc_auc, floor 0.6, min improvement 0.005


def test_the_first_model_is_promoted_when_it_meets_the_floor():
    decision = decide(CONTRACT, 0.7, None)

    assert decision.promote and "no champion yet" in decision.reason


def test_a_model_below_the_floor_is_not_promoted():
    decision = decide(CONTRACT, 0.55, None)

    assert not decision.promote and "floor 0.6" in decision.reason


def test_a_challenger_that_beats_the_champion_by_the_minimum_is_promoted():
    decision = decide(CONTRACT, 0.80, ChampionScore(3, 0.79))

    assert decision.promote and "beats champion v3" in decision.reason


def test_a_challenger_that_gains_less_than_the_minimum_is_not_promoted():
    decision = decide(CONTRACT, 0.792, ChampionScore(3, 0.79))

    assert not decision.promote and "required 0.005" in decision.reason


def test_a_champion_that_cannot_score_the_new_data_is_replaced():
    decision = decide(CONTRACT, 0.7, ChampionScore(2, None, "missing columns ['age']"))

    assert decision.promote and "cannot score" in decision.reason


def test_for_an_error_metric_lower_is_better():
    contract = Contract.from_dict({"model": "r", "task": "regression", "target": "y", "metric": "rmse",
                                   "min_improvement": 0.1,
                                   "columns": {"x": {"type": "number"}, "y": {"type": "number"}}})

    assert decide(contract, 1.0, ChampionScore(1, 1.5)).promote
    assert not decide(contract, 1.45, ChampionScore(1, 1.5)).promote


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classification_metrics_computed_with_numpy_match_scikit_learn(n_classes):
    """The evaluate step scores with NumPy only (its function has ONNX Runtime, not scikit-learn)."""
    import numpy as np
    from sklearn.metrics import f1_score, log_loss, roc_auc_score

    rng = np.random.default_rng(n_classes)
    classes = [f"c{i}" for i in range(n_classes)]
    proba = rng.dirichlet(np.ones(n_classes), 400).round(2)  # rounding makes ties, which AUC must average
    proba /= proba.sum(axis=1, keepdims=True)
    y = np.array(classes)[rng.integers(0, n_classes, 400)]
    labels = np.array(classes)[proba.argmax(axis=1)]

    def ours(name):
        return METRICS[name].compute(y, labels, proba, classes)

    expected_auc = (roc_auc_score(y == classes[1], proba[:, 1]) if n_classes == 2
                    else roc_auc_score(y, proba, multi_class="ovr", labels=classes))
    assert ours("roc_auc") == pytest.approx(expected_auc, abs=1e-12)
    assert ours("f1_macro") == pytest.approx(f1_score(y, labels, average="macro", labels=classes), abs=1e-12)
    assert ours("log_loss") == pytest.approx(log_loss(y, proba, labels=classes), abs=1e-9)
    assert ours("accuracy") == pytest.approx(np.mean(y == labels))


def test_regression_metrics_match_scikit_learn():
    import numpy as np
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    y, predicted = np.arange(10.0), np.arange(10.0) ** 1.1

    assert METRICS["rmse"].compute(y, predicted, None, []) == pytest.approx(np.sqrt(mean_squared_error(y, predicted)))
    assert METRICS["mae"].compute(y, predicted, None, []) == pytest.approx(mean_absolute_error(y, predicted))
    assert METRICS["r2"].compute(y, predicted, None, []) == pytest.approx(r2_score(y, predicted))
