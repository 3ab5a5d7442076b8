"""Validate step: check the uploaded dataset against the model's data contract."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.services import Services
from mlops_core.steps.validate import validate_dataset

logger = Logger()
services = Services.from_env()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step("validate", event, validate_dataset)
