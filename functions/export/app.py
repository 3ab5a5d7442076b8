"""Export step: pick the best candidate and export it to ONNX."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.services import Services
from mlops_core.steps.export import export_best

logger = Logger()
services = Services.from_env()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step("export", event, export_best)
