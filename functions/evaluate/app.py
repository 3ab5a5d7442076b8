"""Evaluate step: check the ONNX export against scikit-learn, then compare it with the champion on the holdout."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.services import Services
from mlops_core.steps.evaluate import evaluate_export

logger = Logger()
services = Services.from_env()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step("evaluate", event, evaluate_export)
