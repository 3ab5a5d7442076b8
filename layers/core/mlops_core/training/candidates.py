"""The candidate models: estimator families, bounded default grids, and the scikit-learn pipelines built from them."""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mlops_core.contract import CandidateSpec, Contract, check_name
from mlops_core.errors import ContractError
from mlops_core.training.encodings import for_trees, one_hot

ESTIMATORS = {
    "logistic_regression": {"classification": LogisticRegression},
    "ridge": {"regression": Ridge},
    "random_forest": {"classification": RandomForestClassifier, "regression": RandomForestRegressor},
    "hist_gradient_boosting": {"classification": HistGradientBoostingClassifier,
                               "regression": HistGradientBoostingRegressor},
}

LINEAR = {"logistic_regression", "ridge"}

# Tree sizes are bounded because the selected model is served from ONNX: an unbounded 100-tree forest on
# 100k rows exports to about 73 MB and takes seconds to load, gradient boosting to a few hundred KB.
DEFAULT_CANDIDATES = {
    "classification": (
        CandidateSpec("logistic_regression", "logistic_regression", {"C": 1.0, "max_iter": 1000}),
        CandidateSpec("random_forest", "random_forest",
                      {"n_estimators": 50, "max_depth": 10, "min_samples_leaf": 5, "n_jobs": 1}),
        CandidateSpec("hist_gradient_boosting", "hist_gradient_boosting",
                      {"max_iter": 200, "max_leaf_nodes": 31, "learning_rate": 0.1}),
    ),
    "regression": (
        CandidateSpec("ridge", "ridge", {"alpha": 1.0}),
        CandidateSpec("random_forest", "random_forest",
                      {"n_estimators": 50, "max_depth": 10, "min_samples_leaf": 5, "n_jobs": 1}),
        CandidateSpec("hist_gradient_boosting", "hist_gradient_boosting",
                      {"max_iter": 200, "max_leaf_nodes": 31, "learning_rate": 0.1}),
    ),
}


def candidate_specs(contract: Contract) -> tuple[CandidateSpec, ...]:
    """The contract's own candidates, or the defaults for its task; each checked to build, its name (part of S3
    keys) checked in full."""
    specs = contract.candidates or DEFAULT_CANDIDATES[contract.task]
    names = [check_name(spec.name, "candidates.name", ContractError) for spec in specs]
    if len(set(names)) != len(names):
        raise ContractError(f"candidates: names must be unique, got {names}")
    for spec in specs:
        build_pipeline(spec, contract)
    return specs


def build_pipeline(spec: CandidateSpec, contract: Contract) -> Pipeline:
    """Preprocessing (impute; scale and one-hot for linear models, target means for trees) and the estimator."""
    family = ESTIMATORS.get(spec.estimator, {})
    if contract.task not in family:
        allowed = sorted(name for name, tasks in ESTIMATORS.items() if contract.task in tasks)
        raise ContractError(f"candidates.{spec.name}: estimator {spec.estimator!r} is not a {contract.task} "
                            f"estimator; use one of {allowed}")
    estimator_class = family[contract.task]
    unknown = set(spec.params) - set(estimator_class().get_params())
    if unknown:
        raise ContractError(f"candidates.{spec.name}.params: unknown parameter(s) {sorted(unknown)}")
    estimator = estimator_class(**spec.params)
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=contract.seed)
    numeric = [name for name in contract.features if contract.columns[name].numeric]
    categorical = [name for name in contract.features if not contract.columns[name].numeric]
    transformers = []
    if numeric:
        steps = [("impute", SimpleImputer(strategy="median"))]
        # Trees need no scaling, and without it their float32 thresholds see the same values in ONNX.
        if spec.estimator in LINEAR:
            steps.append(("scale", StandardScaler()))
        transformers.append(("numeric", Pipeline(steps), numeric))
    if categorical:
        encoder = one_hot if spec.estimator in LINEAR else for_trees
        transformers.append(("categorical", encoder(categorical, contract), categorical))
    return Pipeline([("preprocess", ColumnTransformer(transformers)), ("model", estimator)])
