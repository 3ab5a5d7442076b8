"""The Train map's results: a failing candidate is reported beside the others, and only all failing fails the run."""

import json

import pytest
from mlops_core.contract import Contract
from mlops_core.errors import AllCandidatesFailedError
from mlops_core.pipeline.candidate_results import MESSAGE_CHARS, succeeded_candidates
from mlops_core.training.decision import select_best

from mlops_cli.samples import CHURN_CONTRACT
from tests.conftest import load_event


def failed(name: str, error: str, message: str) -> dict:
    """A failed iteration as the map's Catch and its Pass state shape it."""
    cause = json.dumps({"errorMessage": message, "errorType": error, "stackTrace": ["  File app.py, line 1\n"]})
    return {"name": name, "estimator": "hist_gradient_boosting", "params": {"learning_rate": -1}, "status": "FAILED",
            "error": {"Error": error, "Cause": cause}}


def test_the_best_is_chosen_among_the_candidates_that_were_fitted_and_the_failed_one_reported():
    results = load_event("export")["candidates"][:2] + [
        failed("broken", "InvalidParameterError", "learning_rate must be > 0")]

    succeeded, failures = succeeded_candidates(results)

    assert select_best(succeeded, Contract.from_dict(CHURN_CONTRACT))["name"] == "logistic_regression"
    assert [f.to_dict() for f in failures] == [{
        "name": "broken", "estimator": "hist_gradient_boosting", "params": {"learning_rate": -1},
        "error": "InvalidParameterError", "message": "learning_rate must be > 0"}]


def test_a_failure_without_a_lambda_error_document_keeps_its_cause_as_the_message():
    fitted = load_event("export")["candidates"][0]
    result = {**failed("slow", "States.Timeout", ""), "error": {"Error": "States.Timeout", "Cause": "Task timed out"}}

    _, [failure] = succeeded_candidates([fitted, result])

    assert (failure.error, failure.message) == ("States.Timeout", "Task timed out")


def test_a_long_error_message_is_cut_to_a_bounded_length():
    fitted = load_event("export")["candidates"][0]

    _, [failure] = succeeded_candidates([fitted, failed("big", "ValueError", "x" * 10_000)])

    assert len(failure.message) == MESSAGE_CHARS


def test_when_every_candidate_failed_the_error_names_each_and_why():
    results = [failed("a", "InvalidParameterError", "C must be > 0"), failed("b", "MemoryError", "out of memory")]

    with pytest.raises(AllCandidatesFailedError) as raised:
        succeeded_candidates(results)

    assert str(raised.value) == ("every candidate failed: a (InvalidParameterError: C must be > 0); "
                                 "b (MemoryError: out of memory)")
