"""Category columns as estimators can take them, at any cardinality, in transforms skl2onnx exports exactly.

Every encoding starts by grouping: a category with fewer than MIN_CATEGORY_ROWS fitting rows, and a category of the
contract the rows never show, share one "infrequent" code; a value outside the contract gets UNKNOWN_CODE. Then:
linear models one-hot the codes (sparse, a bounded number of columns), trees take the codes' target means (binary
classification, regression) or the codes themselves (multiclass, which skl2onnx's TargetEncoder cannot export).
HistGradientBoosting's own `categorical_features` is never used: skl2onnx exports it with wrong predictions.
"""

from __future__ import annotations

from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, TargetEncoder

from mlops_core.contract import MISSING_CATEGORY, Contract

# Fewer fitting rows than this give a category's own weight or mean more noise than signal.
MIN_CATEGORY_ROWS = 10
# A linear model's one-hot columns per category column, the infrequent group's included: bounds its memory and the
# width of the ONNX graph's one-hot output, whatever the column's cardinality.
MAX_ONE_HOT_COLUMNS = 100
UNKNOWN_CODE = -1


def category_values(name: str, contract: Contract) -> list[str]:
    """The values a column may hold: the contract's categories, and the missing value when it is nullable."""
    column = contract.columns[name]
    values = list(column.categories)
    if column.nullable and MISSING_CATEGORY not in values:
        values.append(MISSING_CATEGORY)
    return values


def grouped_codes(columns: list[str], contract: Contract, max_codes: int | None = None) -> OrdinalEncoder:
    """One integer code per frequent category, one shared by the infrequent ones, UNKNOWN_CODE for anything else."""
    return OrdinalEncoder(categories=[category_values(name, contract) for name in columns],
                          handle_unknown="use_encoded_value", unknown_value=UNKNOWN_CODE,
                          min_frequency=MIN_CATEGORY_ROWS, max_categories=max_codes)


def one_hot(columns: list[str], contract: Contract) -> Pipeline:
    """Sparse indicators of the grouped codes, at most MAX_ONE_HOT_COLUMNS per column; an unknown value is all zeros."""
    # skl2onnx cannot export OneHotEncoder's own infrequent grouping on a single column; the ordinal codes it can.
    return Pipeline([("group", grouped_codes(columns, contract, MAX_ONE_HOT_COLUMNS)),
                     ("one_hot", OneHotEncoder(handle_unknown="ignore"))])


def target_means(columns: list[str], contract: Contract) -> Pipeline:
    """Each grouped code's smoothed, cross-fitted target mean; a code the fitting rows lack gets the overall mean."""
    target_type = "continuous" if contract.task == "regression" else "binary"
    folds = KFold(n_splits=5, shuffle=True, random_state=contract.seed)
    return Pipeline([("group", grouped_codes(columns, contract)),
                     ("target_mean", TargetEncoder(target_type=target_type, cv=folds))])


def multiclass(contract: Contract) -> bool:
    return contract.task == "classification" and len(contract.columns[contract.target].categories) > 2


def for_trees(columns: list[str], contract: Contract) -> Pipeline | OrdinalEncoder:
    """Target means where skl2onnx exports them (binary classification, regression); the grouped codes otherwise."""
    return grouped_codes(columns, contract) if multiclass(contract) else target_means(columns, contract)
