"""Finish step: close the run record with the outcome: on success, with nothing new to train on, on every caught
failure."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.aws.run_store import SUCCEEDED, SUPPRESSED
from mlops_core.config import METRICS_NAMESPACE
from mlops_core.pipeline.run_lifecycle import finish
from mlops_core.pipeline.services import Services

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
services = Services.from_env()


@logger.inject_lambda_context(correlation_id_path="run.run_id")
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    outcome = finish(event, services)
    logger.info("run finished", extra={"outcome": outcome})
    metrics.add_dimension(name="Model", value=event["run"]["model"])
    counted = {SUCCEEDED: "RunsSucceeded", SUPPRESSED: "SuppressedTriggers"}.get(outcome["status"], "RunsFailed")
    metrics.add_metric(name=counted, unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Promotions", unit=MetricUnit.Count, value=float(bool(outcome.get("promoted"))))
    return outcome
