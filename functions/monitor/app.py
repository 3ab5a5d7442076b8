"""Monitor function: on a schedule, each model's drift and live quality, published as CloudWatch metrics (EMF)."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.config import METRICS_NAMESPACE
from mlops_core.monitoring.job import FailedPass, MonitorJob

COUNTS = {"CapturedRecords", "LabeledPredictions", "MonitorPassFailed"}

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
job = MonitorJob.from_env()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    models = event.get("models") if isinstance(event, dict) else None
    outcomes = job.run(models)
    failed = [outcome for outcome in outcomes if isinstance(outcome, FailedPass)]
    for outcome in outcomes:
        result = outcome.result if isinstance(outcome, FailedPass) else outcome
        values = result.metrics if result is not None and result.recorded else {}
        if isinstance(outcome, FailedPass):
            values = {**values, "MonitorPassFailed": 1.0}
            logger.error("monitor pass failed", extra={"model": outcome.model, "error": outcome.error,
                                                       "reason": outcome.message, "traceback": outcome.trace})
        else:
            logger.info("monitor pass", extra={"monitor_pass": outcome.to_dict()})
        if values:
            _publish(values, Model=outcome.model)  # one flush per model: each has its own Model dimension
    _publish({"MonitorPassFailed": float(len(failed))})  # the whole stack's, for its monitor-pass-failed alarm
    return {"passes": [outcome.to_dict() for outcome in outcomes]}


def _publish(values: dict[str, float], **dimensions: str) -> None:
    for name, value in dimensions.items():
        metrics.add_dimension(name=name, value=value)
    for name, value in values.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count if name in COUNTS else MetricUnit.NoUnit, value=value)
    metrics.flush_metrics()
