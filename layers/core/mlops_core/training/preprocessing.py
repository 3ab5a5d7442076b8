"""The contract's columns made ready for an estimator: the building block every candidate starts from."""

from __future__ import annotations

from typing import Literal

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mlops_core.contract import Contract
from mlops_core.training.encodings import for_trees, one_hot
from mlops_core.training.features import DateParts


def numeric_columns(contract: Contract) -> list[str]:
    return [name for name in contract.features if contract.columns[name].numeric]


def category_columns(contract: Contract) -> list[str]:
    return [name for name in contract.features if contract.columns[name].type == "category"]


def date_columns(contract: Contract) -> list[str]:
    return [name for name in contract.features if contract.columns[name].type == "date"]


def imputed(*steps: tuple[str, object]) -> Pipeline:
    """Median imputation, then `steps`. An all-missing column is kept (as zeros): the ONNX graph keeps its width."""
    # NaN must never reach a tree: skl2onnx's trees send it down other branches than scikit-learn's.
    return Pipeline([("impute", SimpleImputer(strategy="median", keep_empty_features=True)), *steps])


def tabular_features(contract: Contract, family: Literal["linear", "trees"],
                     numeric: list[str] | None = None) -> ColumnTransformer:
    """Numeric columns imputed (and scaled, for linear models); category columns one-hot (linear) or target-mean
    encoded (trees); date columns as their year, month, day and weekday, imputed (and scaled) like numbers.
    `numeric` restricts the numeric columns, for a candidate that transforms some itself."""
    numeric = numeric_columns(contract) if numeric is None else numeric
    categorical, dates = category_columns(contract), date_columns(contract)
    # Trees need no scaling, and without it their float32 thresholds see the same values in ONNX.
    scaled = [("scale", StandardScaler())] if family == "linear" else []
    transformers = []
    if numeric:
        transformers.append(("numeric", imputed(*scaled), numeric))
    if categorical:
        encoder = one_hot if family == "linear" else for_trees
        transformers.append(("categorical", encoder(categorical, contract), categorical))
    if dates:
        # DateParts gives NaN for a missing or invalid date: imputed before any model sees it.
        transformers.append(("dates", Pipeline([("parts", DateParts()), ("numbers", imputed(*scaled))]), dates))
    return ColumnTransformer(transformers)
