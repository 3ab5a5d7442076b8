"""Refusing, before any fitting, a candidate pipeline that could not be exported to ONNX or loaded from its artifact.

`check_exportable` needs scikit-learn only: the Train step runs it on every trial. `check_convertible` also asks
skl2onnx's converter table, where it is installed (the Export step, `mlops candidates check`, CI).
"""

from __future__ import annotations

from collections.abc import Iterator

from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, KBinsDiscretizer

from mlops_core.errors import CandidateError
from mlops_core.training import features

FEATURE_TRANSFORMS = ("SignedLog", "Clip", "Ratio", "DateParts")


def check_exportable(pipeline) -> None:
    """Raise CandidateError naming the first step ONNX export or the artifact allowlist would refuse, and why."""
    if not isinstance(pipeline, Pipeline):
        raise CandidateError(f"a candidate must be a scikit-learn Pipeline ending in its estimator, got "
                             f"{type(pipeline).__name__}; wrap it: Pipeline([('model', ...)])")
    for path, step in _steps(pipeline, "pipeline"):
        _check_step(path, step)


def check_convertible(pipeline) -> None:
    """check_exportable, then: every step has an skl2onnx converter (the feature transforms' registered first)."""
    # The table skl2onnx's own parser looks a class up in: a class missing from it fails at export.
    from skl2onnx._supported_operators import sklearn_operator_name_map

    from mlops_core.training import feature_converters

    check_exportable(pipeline)
    feature_converters.register()
    for path, step in _steps(pipeline, "pipeline"):
        if type(step) not in sklearn_operator_name_map:
            raise CandidateError(
                f"{path}: skl2onnx has no converter for {type(step).__name__}, so the model could not be served. "
                f"Use a transformer it converts ({', '.join(FEATURE_TRANSFORMS)}, KBinsDiscretizer(encode='ordinal'), "
                f"PolynomialFeatures, scikit-learn's imputers and scalers) or write one in feature_converters.py")


def _steps(estimator, path: str) -> Iterator[tuple[str, object]]:
    """The estimator and every estimator nested in its parameters (steps, transformers, sub-estimators)."""
    yield path, estimator
    if not isinstance(estimator, BaseEstimator):
        return
    for name, value in estimator.get_params(deep=False).items():
        if isinstance(value, list | tuple) and all(isinstance(item, tuple) and len(item) >= 2 for item in value):
            for item in value:
                if item[1] is not None and not isinstance(item[1], str):  # "drop", "passthrough"
                    yield from _steps(item[1], f"{path}.{item[0]}")
        elif hasattr(value, "fit"):
            yield from _steps(value, f"{path}.{name}")


def _check_step(path: str, step) -> None:
    cls = type(step)
    own_transform = cls.__module__ == features.__name__
    if cls.__module__.split(".")[0] != "sklearn" and not own_transform:
        raise CandidateError(
            f"{path}: {cls.__module__}.{cls.__qualname__} is neither a scikit-learn class nor one of "
            f"{features.__name__}: the artifact allowlist cannot load it and skl2onnx has no converter for it. "
            f"Use scikit-learn's transformers or {', '.join(FEATURE_TRANSFORMS)}; a new transform belongs in "
            f"features.py with its converter in feature_converters.py")
    if isinstance(step, FunctionTransformer) and (step.func is not None or step.inverse_func is not None):
        raise CandidateError(
            f"{path}: FunctionTransformer runs Python that the ONNX export cannot reproduce. Use "
            f"{', '.join(FEATURE_TRANSFORMS)} from {features.__name__}, KBinsDiscretizer(encode='ordinal') or "
            f"PolynomialFeatures, or write the transform as a class in features.py with a converter")
    if isinstance(step, HistGradientBoostingClassifier | HistGradientBoostingRegressor) and _native_categories(step):
        raise CandidateError(
            f"{path}: HistGradientBoosting's own categorical_features exports to ONNX with wrong predictions. Set "
            f"categorical_features=None and encode category columns with mlops_core.training.encodings "
            f"(for_trees: grouped codes or target means)")
    if isinstance(step, KBinsDiscretizer) and step.encode == "onehot":
        raise CandidateError(f"{path}: skl2onnx cannot export KBinsDiscretizer's sparse encode='onehot'; use "
                             f"encode='ordinal' (trees, or followed by OneHotEncoder) or encode='onehot-dense'")


def _native_categories(model) -> bool:
    """Whether the model uses (or may use) categorical splits: any setting but None, or "from_dtype" once it found
    category columns."""
    setting = model.categorical_features
    if setting is None:
        return False
    if isinstance(setting, str) and setting == "from_dtype":
        return bool(getattr(model, "is_categorical_", None) is not None and model.is_categorical_.any())
    return True
