"""A step's failures in its log: a refusal (a domain error) as one line with its reason, anything else with its
traceback; both go on to the state machine."""

import io
import json
import logging
import uuid
from contextlib import contextmanager

import pytest
from aws_lambda_powertools import Logger
from mlops_core.errors import ContractViolationError, ServiceError
from mlops_core.pipeline.services import Services


class RecordedRuns:
    """The run store's step recording, without AWS."""

    @contextmanager
    def step(self, model, run_id, step):
        yield {}


def services_logging_to(buffer: io.StringIO) -> Services:
    logger = Logger(service=f"test-{uuid.uuid4().hex}", logger_handler=logging.StreamHandler(buffer))
    logger.set_correlation_id("upload-0123456789abcdef")
    return Services(settings=None, store=None, registry=None, runs=RecordedRuns(), logger=logger)


def failing(error: Exception):
    def action(event, services):
        raise error

    return action


def run_failing_step(error: Exception) -> list[dict]:
    buffer = io.StringIO()
    services = services_logging_to(buffer)
    event = {"run": {"model": "churn", "run_id": "upload-0123456789abcdef"}}

    with pytest.raises(type(error)):
        services.run_step("validate", event, failing(error))

    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_refusal_is_one_warning_line_with_its_reason_and_no_traceback():
    [line] = run_failing_step(ContractViolationError("failed: 1 rule(s) broken\n- column_present [x]: missing"))

    assert (line["level"], line["message"], line["step"], line["error"]) == (
        "WARNING", "step refused", "validate", "ContractViolationError")
    assert line["reason"].endswith("column_present [x]: missing") and "exception" not in line
    assert line["correlation_id"] == "upload-0123456789abcdef"


@pytest.mark.parametrize("error", [KeyError("dataset"), ServiceError("DynamoDB UpdateItem failed")],
                         ids=["a bug", "an AWS failure"])
def test_an_unexpected_failure_keeps_its_traceback(error):
    [line] = run_failing_step(error)

    assert (line["level"], line["message"], line["error"]) == ("ERROR", "step failed", type(error).__name__)
    assert line["exception"].startswith("Traceback (most recent call last)")
