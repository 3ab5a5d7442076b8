"""Logistic regression on scaled numeric columns and one-hot categories: the linear baseline for classification."""

from mlops_core.contract import Contract
from mlops_core.training.preprocessing import tabular_features
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

NAME = "logistic_regression"
TASKS = ("classification",)
DEFAULTS = {"C": 1.0, "class_weight": None}
SPACE = {"C": {"log": [0.001, 100.0]}, "class_weight": [None, "balanced"]}


def build(params: dict, contract: Contract) -> Pipeline:
    return Pipeline([("features", tabular_features(contract, "linear")),
                     ("model", LogisticRegression(C=params["C"], class_weight=params["class_weight"],
                                                  max_iter=1000))])
