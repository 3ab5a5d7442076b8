"""Finish step: close the run record with the outcome: on success, with nothing new to train on, on every caught
failure (Begin's included)."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.aws.run_store import REJECTED, SUCCEEDED, SUPPRESSED
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
    with services.reported("finish"):
        outcome = finish(event, services)
    if outcome["status"] == REJECTED:
        # No Model dimension: the event named no valid model.
        logger.info("trigger rejected", extra={"rejection": outcome})
        metrics.add_metric(name="RejectedTriggers", unit=MetricUnit.Count, value=1)
        return outcome
    logger.info("run finished", extra={"outcome": outcome})
    metrics.add_dimension(name="Model", value=outcome["model"])
    counted = {SUCCEEDED: "RunsSucceeded", SUPPRESSED: "SuppressedTriggers"}.get(outcome["status"], "RunsFailed")
    metrics.add_metric(name=counted, unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Promotions", unit=MetricUnit.Count, value=float(bool(outcome.get("promoted"))))
    return outcome
