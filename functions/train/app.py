"""Train step: fit one candidate model (one Map iteration)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.services import Services
from mlops_core.steps.train import train_candidate

logger = Logger()
services = Services.from_env()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step(f"train:{event['candidate']['name']}", event, train_candidate)
