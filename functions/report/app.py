"""Report step: every run's report (succeeded or failed) beside its artifacts: HTML, JSON and a model card."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.steps.report import write_report

logger = Logger()
tracer = Tracer()
services = Services.from_env()


@logger.inject_lambda_context(correlation_id_path="run.run_id")
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return services.run_step("report", event, write_report)
