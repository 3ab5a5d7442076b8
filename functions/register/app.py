"""Register step: verify the artifact, register a model version, promote it when it won."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.steps.register import register_model

logger = Logger()
tracer = Tracer()
services = Services.from_env()


@logger.inject_lambda_context(correlation_id_path="run.run_id")
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step("register", event, register_model)
