"""Validate step: check the uploaded dataset against the model's data contract; plan the first rung of trials."""

from functools import partial

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_candidates.registry import catalog
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.steps.validate import validate_dataset

logger = Logger()
tracer = Tracer()
services = Services.from_env()
validate = partial(validate_dataset, catalog=catalog())


@logger.inject_lambda_context(correlation_id_path="run.run_id")
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step("validate", event, validate)
