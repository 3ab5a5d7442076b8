"""A random forest on imputed numeric columns and target-mean encoded categories, bounded in size for serving."""

from mlops_core.contract import Contract
from mlops_core.training.preprocessing import tabular_features
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.pipeline import Pipeline

NAME = "random_forest"
TASKS = ("classification", "regression")
# Bounded because the selected model is served from ONNX: an unbounded 100-tree forest on 100k rows exports to
# about 73 MB and takes seconds to load.
DEFAULTS = {"n_estimators": 50, "max_depth": 10, "min_samples_leaf": 5, "max_features": "sqrt"}
SPACE = {"n_estimators": {"int": [20, 120]}, "max_depth": {"int": [3, 14]}, "min_samples_leaf": {"int": [1, 30]},
         "max_features": ["sqrt", 0.5, 1.0]}


def build(params: dict, contract: Contract) -> Pipeline:
    forest = RandomForestClassifier if contract.task == "classification" else RandomForestRegressor
    return Pipeline([("features", tabular_features(contract, "trees")),
                     ("model", forest(n_jobs=1, **params))])
