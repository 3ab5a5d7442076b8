"""Inference function behind the Function URL: serve a model's champion, capture traffic, take feedback."""

import time
import uuid

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_core.config import METRICS_NAMESPACE
from mlops_core.errors import ModelUnavailableError, NotFoundError, RequestError
from mlops_core.serving.function_url import FunctionUrlResolver, Response
from mlops_core.serving.request_schema import parse_body
from mlops_core.serving.service import InferenceService

logger = Logger()
tracer = Tracer(patch_modules=["botocore"])  # the AWS calls only: patching all imports every library it can patch
metrics = Metrics(namespace=METRICS_NAMESPACE)
app = FunctionUrlResolver()
service = InferenceService.from_env()


@app.post("/models/<name>/predict")
def predict(name: str) -> dict:
    return service.predict(name, _body(), _request_id())


@app.get("/models/<name>")
def describe(name: str) -> dict:
    return service.describe(name)


@app.get("/models/<name>/openapi.json")
def openapi(name: str) -> dict:
    return service.openapi(name)


@app.post("/models/<name>/feedback")
def feedback(name: str) -> Response:
    return Response(202, service.feedback(name, _body(), _request_id()))


@app.get("/health")
def health() -> dict:
    return service.health()


@app.exception_handler(RequestError)
def refuse(error: RequestError) -> Response:
    return _error(error.status, error)


@app.exception_handler(NotFoundError)
def not_found(error: NotFoundError) -> Response:
    return _error(404, error)


@app.exception_handler(ModelUnavailableError)
def unavailable(error: ModelUnavailableError) -> Response:
    logger.error("model unavailable", extra={"error": str(error)})
    return _error(503, error)


@app.exception_handler(Exception)
def failed(error: Exception) -> Response:
    logger.exception("request failed")
    return _error(500, f"internal error ({type(error).__name__}); quote the request id when reporting it")


@app.not_found
def no_route(_: Exception) -> Response:
    event = app.current_event
    return _error(404, f"no route for {event.method} {event.path[:100]}; "
                       "see GET /health, GET /models/{name}[/openapi.json], POST /models/{name}/predict|feedback")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.LAMBDA_FUNCTION_URL)
@tracer.capture_lambda_handler(capture_response=False)  # responses carry predictions: not for X-Ray
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    started = time.perf_counter()
    try:
        response = app.resolve(event, context)
    finally:
        service.after_request()
    _add_metrics(event.get("rawPath", ""), response["statusCode"], (time.perf_counter() - started) * 1000)
    return response


def _add_metrics(path: str, status: int, milliseconds: float) -> None:
    """Per model (when it is one this function serves: a path is not a dimension) and for the whole service."""
    model, values = service.request_metrics(path, status, milliseconds)
    if model:
        metrics.add_dimension(name="Model", value=model)
        metrics.add_dimensions(service=metrics.service)
    for name, value in values.items():
        metrics.add_metric(name=name, unit=MetricUnit.Milliseconds if name == "Latency" else MetricUnit.Count,
                           value=value)


def _body():
    event = app.current_event
    return parse_body(event.body, event.is_base64_encoded, event.header("content-type"))


def _request_id() -> str:
    return app.current_event.request_id or str(uuid.uuid4())


def _error(status: int, error: Exception | str) -> Response:
    return Response(status, {"error": str(error), "request_id": _request_id()})
