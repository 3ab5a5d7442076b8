"""Monitor function: on a schedule, each model's drift and live quality, published as CloudWatch metrics (EMF)."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.config import METRICS_NAMESPACE
from mlops_core.monitoring.job import MonitorJob

COUNTS = {"CapturedRecords", "LabeledPredictions"}

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
job = MonitorJob.from_env()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    models = event.get("models") if isinstance(event, dict) else None
    results = job.run(models)
    for result in results:
        if result.recorded and result.metrics:
            metrics.add_dimension(name="Model", value=result.model)
            for name, value in result.metrics.items():
                metrics.add_metric(name=name, unit=MetricUnit.Count if name in COUNTS else MetricUnit.NoUnit,
                                   value=value)
            metrics.flush_metrics()  # one flush per model: each has its own Model dimension
        logger.info("monitor pass", extra={"monitor_pass": result.to_dict()})
    return {"passes": [result.to_dict() for result in results]}
