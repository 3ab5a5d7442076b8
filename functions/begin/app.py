"""Begin step: claim a run for the event that started the pipeline, once per object version."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.run_lifecycle import begin
from mlops_core.services import Services

logger = Logger()
services = Services.from_env()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    run = begin(event, services)
    logger.info("run claimed" if not run["duplicate"] else "duplicate delivery", extra={"run": run})
    return run
