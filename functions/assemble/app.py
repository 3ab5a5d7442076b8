"""Assemble step: an automatic run's training set, the latest upload plus the labeled feedback since it."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.services import Services
from mlops_core.steps.assemble import assemble_training_data

logger = Logger()
services = Services.from_env()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step("assemble", event, assemble_training_data)
