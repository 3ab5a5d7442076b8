"""TEMPORARY placeholder until wt-feat lands."""
from sklearn.pipeline import Pipeline

from mlops_core.errors import CandidateError


def check_exportable(pipeline) -> None:
    if not isinstance(pipeline, Pipeline):
        raise CandidateError("build() must return a scikit-learn Pipeline")
