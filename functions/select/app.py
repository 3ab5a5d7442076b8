"""Select step: rank a rung of trials; send the best on to the next rung or to export."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.steps.select import select_trials

logger = Logger()
tracer = Tracer()
services = Services.from_env()


@logger.inject_lambda_context(correlation_id_path="run.run_id")
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step(f"select:rung-{event['plan']['rung']}", event, select_trials)
