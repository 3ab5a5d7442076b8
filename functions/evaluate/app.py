"""Evaluate step: export the best candidate and compare it with the champion on the same holdout."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.pipeline import evaluate_best
from mlops_core.services import Services

logger = Logger()
services = Services.from_env()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step("evaluate", event, evaluate_best)
