"""Ridge regression on scaled numeric columns and one-hot categories: the linear baseline for regression."""

from mlops_core.contract import Contract
from mlops_core.training.preprocessing import tabular_features
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline

NAME = "ridge"
TASKS = ("regression",)
DEFAULTS = {"alpha": 1.0}
SPACE = {"alpha": {"log": [0.001, 1000.0]}}


def build(params: dict, contract: Contract) -> Pipeline:
    return Pipeline([("features", tabular_features(contract, "linear")), ("model", Ridge(alpha=params["alpha"]))])
