"""Begin step: claim a run for the event that started the pipeline, once per trigger; drop retraining storms."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.config import METRICS_NAMESPACE
from mlops_core.run_lifecycle import begin
from mlops_core.services import Services

logger = Logger()
metrics = Metrics(namespace=METRICS_NAMESPACE)
services = Services.from_env()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    run = begin(event, services)
    if run["suppressed"]:
        logger.info("trigger suppressed", extra={"run": run})
        metrics.add_dimension(name="Model", value=run["model"])
        metrics.add_metric(name="SuppressedTriggers", unit=MetricUnit.Count, value=1)
        metrics.flush_metrics()
    else:
        logger.info("run claimed" if not run["duplicate"] else "duplicate delivery", extra={"run": run})
    return run
