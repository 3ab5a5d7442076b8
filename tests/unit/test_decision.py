from mlops_core.contract import Contract
from mlops_core.decision import ChampionScore, decide
from mlops_core.metrics import METRICS
from mlops_core.pipeline import select_best

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


def test_the_best_candidate_follows_the_metric_direction():
    candidates = [{"name": "a", "score": 2.0}, {"name": "b", "score": 1.0}]
    rmse = Contract.from_dict({"model": "r", "task": "regression", "target": "y", "metric": "rmse",
                               "columns": {"x": {"type": "number"}, "y": {"type": "number"}}})

    assert select_best(candidates, rmse)["name"] == "b"
    assert select_best(candidates, CONTRACT)["name"] == "a"


def test_metrics_match_scikit_learn():
    import numpy as np
    from sklearn.metrics import f1_score, mean_squared_error, roc_auc_score

    y = np.array(["no", "yes", "yes", "no", "yes"])
    proba = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.4, 0.6], [0.1, 0.9]])
    labels = np.where(proba[:, 1] > 0.5, "yes", "no")

    assert METRICS["roc_auc"].compute(y, labels, proba, ["no", "yes"]) == roc_auc_score(y == "yes", proba[:, 1])
    assert METRICS["f1_macro"].compute(y, labels, proba, ["no", "yes"]) == f1_score(y, labels, average="macro")
    assert METRICS["rmse"].compute(np.arange(4.0), np.arange(4.0) + 1, None, []) == np.sqrt(
        mean_squared_error(np.arange(4.0), np.arange(4.0) + 1))
