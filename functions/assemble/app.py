"""Assemble step: an automatic run's training set, the latest upload plus the labeled feedback since it."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.steps.assemble import assemble_training_data

logger = Logger()
tracer = Tracer()
services = Services.from_env()


@logger.inject_lambda_context(correlation_id_path="run.run_id")
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step("assemble", event, assemble_training_data)
