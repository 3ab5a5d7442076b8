"""Begin step: claim a run for the event that started the pipeline, once per trigger; drop retraining storms."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.config import METRICS_NAMESPACE
from mlops_core.pipeline.run_lifecycle import begin
from mlops_core.pipeline.services import Services

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
services = Services.from_env()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    with services.reported("begin"):
        run = begin(event, services)
    logger.set_correlation_id(run["run_id"])
    if run["suppressed"]:
        logger.info("trigger suppressed", extra={"run": run})
        # Flushed here: only a suppressed trigger has a metric, and an empty flush would warn on every other run.
        metrics.add_dimension(name="Model", value=run["model"])
        metrics.add_metric(name="SuppressedTriggers", unit=MetricUnit.Count, value=1)
        metrics.flush_metrics()
    else:
        logger.info("run claimed" if not run["duplicate"] else "duplicate delivery", extra={"run": run})
    return run
