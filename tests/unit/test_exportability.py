"""check_exportable: a candidate pipeline that could not be served or loaded is refused, saying why and what to use."""

import numpy as np
import pandas as pd
import pytest
from mlops_candidates.registry import catalog
from mlops_core.contract import Contract
from mlops_core.errors import CandidateError
from mlops_core.training.exportability import check_convertible, check_exportable
from mlops_core.training.features import Clip, DateParts, Ratio, SignedLog
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    KBinsDiscretizer,
    PolynomialFeatures,
    SplineTransformer,
    StandardScaler,
)

from mlops_cli.samples import CHURN_CONTRACT


class Doubler(TransformerMixin, BaseEstimator):
    """A data scientist's own transform."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return 2 * X


def nested(step) -> Pipeline:
    """step inside a FeatureUnion inside a ColumnTransformer inside the candidate Pipeline."""
    union = FeatureUnion([("scaled", StandardScaler()), ("custom", step)])
    numeric = Pipeline([("impute", SimpleImputer()), ("union", union)])
    return Pipeline([("preprocess", ColumnTransformer([("numeric", numeric, ["a"]), ("rest", "drop", ["b"])])),
                     ("model", LogisticRegression())])


CATALOG = catalog()
BUILT_IN = [(task, name) for name, candidate in sorted(CATALOG.candidates.items()) for task in candidate.tasks]


@pytest.mark.parametrize(("task", "name"), BUILT_IN, ids=[f"{task}-{name}" for task, name in BUILT_IN])
def test_every_built_in_candidate_is_exportable(task, name):
    doc = dict(CHURN_CONTRACT, task=task) if task == "classification" else dict(
        CHURN_CONTRACT, task=task, target="tenure_months", metric="rmse")
    contract = Contract.from_dict(doc)

    check_exportable(CATALOG.get(name).build(CATALOG.get(name).defaults, contract))


def test_a_pipeline_of_the_feature_transforms_binning_and_interactions_is_exportable():
    numbers = Pipeline([("log", SignedLog()), ("clip", Clip()), ("impute", SimpleImputer()),
                        ("union", FeatureUnion([("bins", KBinsDiscretizer(encode="ordinal")),
                                                ("terms", PolynomialFeatures(2))]))])
    preprocess = ColumnTransformer([("numbers", numbers, ["a", "b"]), ("ratio", Ratio(), ["a", "b"]),
                                    ("dates", DateParts(), ["day"])], remainder="passthrough")

    check_exportable(Pipeline([("preprocess", preprocess), ("model", HistGradientBoostingRegressor())]))


def test_a_bare_estimator_is_refused():
    with pytest.raises(CandidateError, match="must be a scikit-learn Pipeline"):
        check_exportable(LogisticRegression())


def test_a_function_transformer_with_a_function_is_refused_wherever_it_is_nested():
    with pytest.raises(CandidateError, match=r"pipeline\.preprocess\.numeric\.union\.custom: FunctionTransformer.*"
                                             r"SignedLog, Clip, Ratio, DateParts"):
        check_exportable(nested(FunctionTransformer(np.log1p)))


def test_an_identity_function_transformer_is_accepted():
    check_exportable(nested(FunctionTransformer()))


def test_a_class_outside_scikit_learn_and_the_feature_library_is_refused():
    with pytest.raises(CandidateError, match=r"custom: .*Doubler is neither a scikit-learn class.*allowlist"):
        check_exportable(nested(Doubler()))


def test_a_scikit_learn_class_skl2onnx_cannot_convert_is_refused_where_skl2onnx_is_installed():
    check_exportable(nested(SplineTransformer()))  # the Train step has no skl2onnx: structure only

    with pytest.raises(CandidateError, match="no converter for SplineTransformer"):
        check_convertible(nested(SplineTransformer()))


def test_every_built_in_candidate_is_convertible():
    for task, name in BUILT_IN:
        doc = dict(CHURN_CONTRACT, task=task, target="tenure_months", metric="rmse") if task == "regression" else \
            CHURN_CONTRACT
        check_convertible(CATALOG.get(name).build(CATALOG.get(name).defaults, Contract.from_dict(doc)))


def test_sparse_one_hot_binning_is_refused():
    with pytest.raises(CandidateError, match="encode='ordinal'"):
        check_exportable(nested(KBinsDiscretizer(encode="onehot")))


@pytest.mark.parametrize("categories", [[0], [True, False], "from_dtype_with_categories"])
def test_boosting_with_native_categories_is_refused(categories):
    model = HistGradientBoostingClassifier(max_iter=5)
    if categories == "from_dtype_with_categories":
        X = pd.DataFrame({"plan": pd.Categorical(list("abab") * 10), "x": np.arange(40.0)})
        model.fit(X, np.arange(40) % 2)
    else:
        model.set_params(categorical_features=categories)

    with pytest.raises(CandidateError, match="categorical_features=None.*encodings"):
        check_exportable(Pipeline([("model", model)]))


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted-on-numbers"])
def test_boosting_finding_no_category_columns_is_accepted(fitted):
    model = HistGradientBoostingClassifier(max_iter=5)
    if fitted:
        model.fit(np.c_[np.arange(40.0)], np.arange(40) % 2)

    check_exportable(Pipeline([("model", model)]))
