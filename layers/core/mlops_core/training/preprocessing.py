"""The contract's columns made ready for an estimator: the building block every candidate starts from."""

from __future__ import annotations

from typing import Literal

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mlops_core.contract import Contract
from mlops_core.training.encodings import for_trees, one_hot


def numeric_columns(contract: Contract) -> list[str]:
    return [name for name in contract.features if contract.columns[name].numeric]


def category_columns(contract: Contract) -> list[str]:
    return [name for name in contract.features if not contract.columns[name].numeric]


def imputed(*steps: tuple[str, object]) -> Pipeline:
    """Median imputation, then `steps`. An all-missing column is kept (as zeros): the ONNX graph keeps its width."""
    # NaN must never reach a tree: skl2onnx's trees send it down other branches than scikit-learn's.
    return Pipeline([("impute", SimpleImputer(strategy="median", keep_empty_features=True)), *steps])


def tabular_features(contract: Contract, family: Literal["linear", "trees"],
                     numeric: list[str] | None = None) -> ColumnTransformer:
    """Numeric columns imputed (and scaled, for linear models); category columns one-hot (linear) or target-mean
    encoded (trees). `numeric` restricts the numeric columns, for a candidate that transforms some itself."""
    numeric = numeric_columns(contract) if numeric is None else numeric
    categorical = category_columns(contract)
    transformers = []
    if numeric:
        # Trees need no scaling, and without it their float32 thresholds see the same values in ONNX.
        transformers.append(("numeric", imputed(("scale", StandardScaler())) if family == "linear" else imputed(),
                             numeric))
    if categorical:
        encoder = one_hot if family == "linear" else for_trees
        transformers.append(("categorical", encoder(categorical, contract), categorical))
    return ColumnTransformer(transformers)
