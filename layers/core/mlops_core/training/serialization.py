"""Fitted candidates between the train and export steps, in skops format, loaded against a type allowlist."""

from __future__ import annotations

import skops.io
from sklearn.pipeline import Pipeline

from mlops_core.errors import ArtifactIntegrityError

# The transforms of features.py, which hold only numbers, strings and arrays once fitted.
FEATURE_TYPES = frozenset({
    "mlops_core.training.features.SignedLog",
    "mlops_core.training.features.Clip",
    "mlops_core.training.features.Ratio",
    "mlops_core.training.features.DateParts",
})
# skops trusts plain containers and scikit-learn's estimators; these are the other types the candidates' fitted
# pipelines hold (tests/unit/test_training.py derives them from every default candidate and a pipeline using every
# feature transform): a type is trusted by its exact name, never by its package.
TRUSTED_TYPES = FEATURE_TYPES | frozenset({
    "numpy.dtype",
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.model_selection._split.KFold",  # the target encoder's seeded cross-fitting folds
})


def dump_pipeline(pipeline: Pipeline) -> bytes:
    return skops.io.dumps(pipeline)


def dump_loadable(pipeline: Pipeline) -> bytes:
    """The skops bytes of a fitted pipeline the Export step will load, refused now (as the trial's failure) when it
    holds a type outside the allowlist."""
    data = dump_pipeline(pipeline)
    _refuse_untrusted(data, "the fitted pipeline holds types the artifact allowlist does not load")
    return data


def load_pipeline(data: bytes) -> Pipeline:
    """Refuse any type outside skops's defaults and the allowlist before anything is constructed."""
    return skops.io.loads(data, trusted=_refuse_untrusted(data, "candidate holds types outside the allowlist"))


def _refuse_untrusted(data: bytes, message: str) -> list[str]:
    untrusted = skops.io.get_untrusted_types(data=data)
    refused = sorted(name for name in untrusted if name not in TRUSTED_TYPES)
    if refused:
        raise ArtifactIntegrityError(f"{message}: {refused} (the estimators and transforms that serve are listed in "
                                     "docs/candidates.md)")
    return untrusted
