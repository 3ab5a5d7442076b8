"""Register step: verify the artifact, register a model version, promote it when it won."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.services import Services
from mlops_core.steps.register import register_model

logger = Logger()
services = Services.from_env()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step("register", event, register_model)
