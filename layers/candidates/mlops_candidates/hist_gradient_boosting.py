"""Histogram gradient boosting on imputed numeric columns and target-mean encoded categories."""

from mlops_core.contract import Contract
from mlops_core.training.preprocessing import tabular_features
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline

NAME = "hist_gradient_boosting"
TASKS = ("classification", "regression")
DEFAULTS = {"max_iter": 200, "max_leaf_nodes": 31, "learning_rate": 0.1, "min_samples_leaf": 20,
            "l2_regularization": 0.0}
SPACE = {"max_iter": {"int": [50, 300]}, "max_leaf_nodes": {"int": [8, 63]}, "learning_rate": {"log": [0.01, 0.3]},
         "min_samples_leaf": {"int": [5, 100]}, "l2_regularization": [0.0, 0.1, 1.0]}


def build(params: dict, contract: Contract) -> Pipeline:
    boosting = HistGradientBoostingClassifier if contract.task == "classification" else HistGradientBoostingRegressor
    return Pipeline([("features", tabular_features(contract, "trees")), ("model", boosting(**params))])
