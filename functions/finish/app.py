"""Finish step: close the run record with the outcome, on success and on every caught failure."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.run_lifecycle import finish
from mlops_core.services import Services

logger = Logger()
services = Services.from_env()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    outcome = finish(event, services)
    logger.info("run finished", extra={"outcome": outcome})
    return outcome
